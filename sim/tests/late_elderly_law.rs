//! 75歳到達 by law, job changes with dependents, 紐付け誤り and dated income, through the world's
//! public API (rules-tables §2.2, §1.4, §2.3, §7, §8).
#![allow(clippy::unwrap_used)]

mod common;

use common::{at, taro, world};
use jiff::civil::{Date, date};
use onshi_sim::clock::{Moment, Span};
use onshi_sim::codes::QualificationValidity;
use onshi_sim::ids::{InsuranceNumbers, PersonId};
use onshi_sim::insurer::{LossReason, Relation};
use onshi_sim::person::{IncomePeriod, Sex};
use onshi_sim::registry::CardConfirm;
use onshi_sim::rules::{IncomeClass, LimitCategory};
use onshi_sim::world::{Event, PersonSpec, QualificationSpec};
use onshi_sim::{World, WorldConfig};
use proptest::prelude::*;

fn plain_person(w: &mut World, key: &str, name: &str, birth: Date, address: &str) -> PersonId {
    w.add_person(PersonSpec {
        key: key.into(),
        name: name.into(),
        kana: "ｼｹﾝ".into(),
        birth,
        sex: Sex::Male,
        address: address.into(),
        post_number: "100-0001".into(),
        income: IncomeClass::General,
        income_periods: Vec::new(),
    })
    .unwrap()
}

fn record(
    w: &mut World,
    person: PersonId,
    insurer: &str,
    number: &str,
    branch: &str,
    relation: Relation,
    from: Date,
) {
    let insurer = w.insurer_by_key(insurer).unwrap();
    w.add_qualification(QualificationSpec {
        person,
        numbers: InsuranceNumbers {
            insurer,
            symbol: Some("1234".into()),
            number: number.into(),
            branch: branch.into(),
        },
        relation,
        acquired: from,
        lost: None,
        registered_on: None,
        copay_override: None,
        limits: Vec::new(),
        designated_diseases: Vec::new(),
        income: Vec::new(),
    })
    .unwrap();
}

/// The records of `person` that cover `day`, as (後期?, qualification index).
fn covering(w: &World, person: PersonId, day: Date) -> Vec<(bool, usize)> {
    w.quals()
        .iter()
        .filter(|q| q.person == person && q.covers(day))
        .map(|q| {
            let late = w.insurers()[q.numbers.insurer.index()]
                .number
                .is_late_elderly();
            (late, q.id.index())
        })
        .collect()
}

fn noon(d: Date) -> Moment {
    at(&format!("{d}T12:00"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any birth date and any jump of the clock over the 75th birthday: exactly one record
    /// covers each day around it, 協会けんぽ before and 後期 from the birthday itself, and the
    /// registry knows both changes on the birthday (default switch).
    #[test]
    fn exactly_one_record_per_day_and_late_elderly_from_the_birthday(
        days in 0i64..(365 * 30),
        before in 1i64..400,
        after in 0i64..60,
    ) {
        let birth = date(1941, 1, 1).checked_add(Span::new().days(days)).unwrap();
        let birthday = date(birth.year() + 75, birth.month(), 1)
            .checked_add(Span::new().days(i64::from(birth.day()) - 1))
            .unwrap_or(date(birth.year() + 75, 3, 1));
        let birthday = onshi_sim::rules::late_elderly::late_elderly_start(birth).unwrap_or(birthday);
        let start = birthday.checked_sub(Span::new().days(before)).unwrap();
        let mut w = world(&format!("{start}T09:00"));
        let p = plain_person(&mut w, "p", "試験　一", birth, "東京都千代田区千代田1-1");
        record(&mut w, p, "kyokai", "1", "00", Relation::Insured, date(2000, 4, 1));
        w.apply_age_law().unwrap();
        let end = birthday.checked_add(Span::new().days(after)).unwrap();
        w.apply(Event::AdvanceTo(noon(end))).unwrap();
        // Again: idempotent.
        w.apply_age_law().unwrap();
        prop_assert_eq!(w.quals().len(), 2);
        for offset in -3i64..=3 {
            let day = birthday.checked_add(Span::new().days(offset)).unwrap();
            let c = covering(&w, p, day);
            prop_assert_eq!(c.len(), 1, "{} on {}", birth, day);
            prop_assert_eq!(c[0].0, day >= birthday, "{} on {}", birth, day);
        }
        let late = w.quals().iter().find(|q| q.acquired == birthday).unwrap();
        prop_assert_eq!(late.registered_on, Some(birthday));
        let old = &w.quals()[0];
        prop_assert_eq!(old.lost, Some((birthday, LossReason::OtherInsurance)));
        prop_assert_eq!(old.loss_registered_on, Some(birthday));
        // The day before the birthday is 「75歳に達する日」 (年齢計算ニ関スル法律).
        prop_assert_eq!(
            onshi_sim::age::reaches_age_on(birth, 75),
            Some(birthday.yesterday().unwrap())
        );
    }
}

#[test]
fn nothing_moves_before_the_birthday() {
    let mut w = world("2026-07-14T09:00");
    let p = plain_person(
        &mut w,
        "p",
        "試験　一",
        date(1951, 7, 15),
        "東京都千代田区1",
    );
    record(
        &mut w,
        p,
        "kyokai",
        "1",
        "00",
        Relation::Insured,
        date(2000, 4, 1),
    );
    w.apply_age_law().unwrap();
    assert_eq!(w.quals().len(), 1);
    assert_eq!(w.quals()[0].lost, None);
    w.apply(Event::Advance(Span::new().days(1))).unwrap();
    assert_eq!(w.quals().len(), 2);
}

#[test]
fn dependents_lose_their_family_record_and_a_synthetic_insurer_is_created_once() {
    let mut w = world("2026-07-14T09:00");
    let him = plain_person(
        &mut w,
        "him",
        "西田　博",
        date(1951, 7, 15),
        "大阪府大阪市北区1",
    );
    let her = plain_person(
        &mut w,
        "her",
        "西田　文子",
        date(1960, 3, 3),
        "大阪府大阪市北区1",
    );
    let other = plain_person(&mut w, "o", "東　一", date(1951, 7, 20), "大阪府堺市1");
    record(
        &mut w,
        him,
        "kyokai",
        "7",
        "00",
        Relation::Insured,
        date(2000, 4, 1),
    );
    record(
        &mut w,
        her,
        "kyokai",
        "7",
        "01",
        Relation::Dependent,
        date(2000, 4, 1),
    );
    record(
        &mut w,
        other,
        "kumiai",
        "9",
        "00",
        Relation::Insured,
        date(2000, 4, 1),
    );
    let insurers_before = w.insurers().len();
    w.apply(Event::AdvanceTo(at("2026-07-25T09:00"))).unwrap();
    let b = date(2026, 7, 15);
    assert_eq!(covering(&w, her, b), vec![]);
    let hers = w.quals().iter().find(|q| q.person == her).unwrap();
    assert_eq!(hers.lost, Some((b, LossReason::Other)));
    // One 大阪府 広域連合 for both, created when the first needed it.
    assert_eq!(w.insurers().len(), insurers_before + 1);
    let osaka = w.insurers().last().unwrap();
    assert_eq!(osaka.number.digits(), "39279005");
    assert_eq!(osaka.name, "大阪府後期高齢者医療広域連合");
    for p in [him, other] {
        let late: Vec<_> = w
            .quals()
            .iter()
            .filter(|q| q.person == p && q.numbers.insurer == osaka.id)
            .collect();
        assert_eq!(late.len(), 1);
    }
}

#[test]
fn the_declared_insurer_of_the_prefecture_is_used_and_the_switch_applies_the_lags() {
    let mut w = world("2026-07-14T09:00");
    let mut cfg = WorldConfig::new(7, "law", at("2026-07-14T09:00"));
    cfg.rules
        .switches_mut()
        .set("late_elderly_change_registered_on_birthday", "false")
        .unwrap();
    let mut lagged = World::new(cfg);
    lagged
        .add_insurer(
            "kyokai",
            onshi_sim::ids::InsurerNumber::parse("01130012").unwrap(),
            "協会",
            3,
        )
        .unwrap();
    lagged
        .add_insurer(
            "kouki",
            onshi_sim::ids::InsurerNumber::new(39, 13, 1).unwrap(),
            "東京都後期高齢者医療広域連合",
            5,
        )
        .unwrap();
    for w in [&mut w, &mut lagged] {
        let p = plain_person(w, "p", "試験　一", date(1951, 7, 15), "東京都千代田区1");
        record(
            w,
            p,
            "kyokai",
            "1",
            "00",
            Relation::Insured,
            date(2000, 4, 1),
        );
        w.apply(Event::AdvanceTo(at("2026-07-15T09:00"))).unwrap();
    }
    // No synthetic insurer: the declared 東京都 広域連合 takes both.
    assert_eq!(w.insurers().len(), 3);
    assert_eq!(lagged.insurers().len(), 2);
    let kouki = w.insurer_by_key("kouki").unwrap();
    let late = w
        .quals()
        .iter()
        .find(|q| q.numbers.insurer == kouki)
        .unwrap();
    assert_eq!(late.registered_on, Some(date(2026, 7, 15)));
    let kouki = lagged.insurer_by_key("kouki").unwrap();
    let late = lagged
        .quals()
        .iter()
        .find(|q| q.numbers.insurer == kouki)
        .unwrap();
    assert_eq!(late.registered_on, Some(date(2026, 7, 20)));
    assert_eq!(
        lagged.quals()[0].loss_registered_on,
        Some(date(2026, 7, 18))
    );
}

#[test]
fn a_job_change_to_another_insurer_at_75_is_refused() {
    let mut w = world("2026-07-14T09:00");
    let p = plain_person(
        &mut w,
        "p",
        "試験　一",
        date(1951, 7, 15),
        "東京都千代田区1",
    );
    record(
        &mut w,
        p,
        "kyokai",
        "1",
        "00",
        Relation::Insured,
        date(2000, 4, 1),
    );
    let kumiai = w.insurer_by_key("kumiai").unwrap();
    let change = |on| Event::JobChange {
        person: p,
        on,
        numbers: InsuranceNumbers {
            insurer: kumiai,
            symbol: None,
            number: "1".into(),
            branch: "00".into(),
        },
        lag_days: None,
        old_lag_days: None,
        relation: Relation::Insured,
        dependents: Vec::new(),
        limits: Vec::new(),
        income: Vec::new(),
    };
    let err = w.apply(change(date(2026, 7, 15))).unwrap_err();
    assert!(err.to_string().contains("75"), "{err}");
    // The day before is fine; the law then ends the new record on the birthday.
    w.apply(change(date(2026, 7, 14))).unwrap();
    w.apply(Event::AdvanceTo(at("2026-07-15T09:00"))).unwrap();
    let kumiai_record = w
        .quals()
        .iter()
        .find(|q| q.numbers.insurer == kumiai)
        .unwrap();
    assert_eq!(
        kumiai_record.lost,
        Some((date(2026, 7, 15), LossReason::OtherInsurance))
    );
}

#[test]
fn a_job_change_moves_the_listed_dependents_and_ends_the_others() {
    let mut w = world("2026-04-20T09:00");
    let t = taro(&mut w);
    let wife = plain_person(&mut w, "wife", "山田　花子", date(1982, 2, 14), "東京都1");
    let son = plain_person(&mut w, "son", "山田　蒼太", date(2022, 5, 1), "東京都1");
    let taro_number = w.quals()[0].numbers.number.clone();
    record(
        &mut w,
        wife,
        "kyokai",
        &taro_number,
        "01",
        Relation::Dependent,
        date(2015, 4, 1),
    );
    record(
        &mut w,
        son,
        "kyokai",
        &taro_number,
        "02",
        Relation::Dependent,
        date(2022, 5, 1),
    );
    // The helper's 記号 is 1234 for Taro; make the dependents match.
    let kumiai = w.insurer_by_key("kumiai").unwrap();
    let numbers = |branch: &str| InsuranceNumbers {
        insurer: kumiai,
        symbol: Some("7001".into()),
        number: "42".into(),
        branch: branch.into(),
    };
    w.apply(Event::JobChange {
        person: t,
        on: date(2026, 5, 1),
        numbers: numbers("00"),
        lag_days: Some(5),
        old_lag_days: Some(0),
        relation: Relation::Insured,
        dependents: vec![(son, numbers("01"))],
        limits: Vec::new(),
        income: Vec::new(),
    })
    .unwrap();
    let day = date(2026, 5, 1);
    for (p, n) in [(t, 1), (son, 1), (wife, 0)] {
        let c = covering(&w, p, day);
        assert_eq!(c.len(), n, "{p:?}");
    }
    let new_son = w
        .quals()
        .iter()
        .find(|q| q.person == son && q.numbers.insurer == kumiai)
        .unwrap();
    assert_eq!(new_son.relation, Relation::Dependent);
    assert_eq!(new_son.registered_on, Some(date(2026, 5, 6)));
    let old = |p| {
        w.quals()
            .iter()
            .find(|q| q.person == p && q.numbers.insurer != kumiai)
            .unwrap()
            .lost
    };
    assert_eq!(old(son), Some((day, LossReason::OtherInsurance)));
    assert_eq!(old(wife), Some((day, LossReason::Other)));
}

fn confirm(w: &mut World, person: PersonId, on: Date) -> onshi_sim::registry::Answer {
    let serial = w.current_auth_serial(person).unwrap();
    let institution = w.institution_by_key("clinic").unwrap();
    w.confirm_card(CardConfirm {
        serial,
        institution,
        date: on,
        limit_consent: true,
        disease_consent: false,
    })
}

#[test]
fn a_wrong_link_shows_the_members_data_until_the_jlis_check_and_the_fix() {
    let mut w = world("2023-03-01T09:00");
    // Same name (the helper's), different birth dates.
    let a = common::person(&mut w, "ichiro", date(1975, 4, 4), date(2022, 1, 5));
    let b = common::person(&mut w, "jiro", date(1978, 9, 9), date(2022, 1, 5));
    for p in [a, b] {
        w.register_for_insurance(
            p,
            onshi_sim::registry::Channel::Reader,
            at("2022-01-10T10:00"),
        )
        .unwrap();
    }
    let day = date(2023, 3, 1);
    w.apply(Event::LinkWrongPerson {
        member: a,
        linked_to: b,
    })
    .unwrap();
    let ans = confirm(&mut w, b, day);
    assert_eq!(ans.validity, Some(QualificationValidity::Multiple));
    assert!(ans.results.iter().any(|r| r.person == a));
    let ans = confirm(&mut w, a, day);
    assert_eq!(
        ans.validity,
        Some(QualificationValidity::NotFound),
        "{ans:?}"
    );
    // The papers stay the member's: ichiro's 資格確認書 carries his own record, jiro's his.
    let view = w.view();
    let own = view.qualification_on(a, day).expect("ichiro's papers");
    assert_eq!(view.quals[own.index()].person, a);
    let other = view.qualification_on(b, day).expect("jiro's papers");
    assert_eq!(view.quals[other.index()].person, b);
    // Same name, different birth date: the J-LIS 照合 still finds it.
    w.apply(Event::JlisCheckLinks).unwrap();
    let ans = confirm(&mut w, b, day);
    assert_eq!(ans.validity, Some(QualificationValidity::Valid));
    assert!(ans.results.iter().all(|r| r.person == b));
    w.apply(Event::FixLink { member: a }).unwrap();
    let ans = confirm(&mut w, a, day);
    assert_eq!(ans.validity, Some(QualificationValidity::Valid));
    assert_eq!(ans.results[0].person, a);
    // Nothing left to fix.
    assert!(w.apply(Event::FixLink { member: a }).is_err());
}

#[test]
fn a_wrong_link_between_identical_attributes_is_not_found_by_the_check() {
    let mut w = world("2023-03-01T09:00");
    let a = taro(&mut w);
    let b = common::person(&mut w, "twin", date(1980, 5, 10), date(2024, 6, 1));
    w.register_for_insurance(
        b,
        onshi_sim::registry::Channel::Reader,
        at("2024-06-10T10:00"),
    )
    .unwrap();
    w.apply(Event::LinkWrongPerson {
        member: a,
        linked_to: b,
    })
    .unwrap();
    w.apply(Event::JlisCheckLinks).unwrap();
    assert!(w.quals().iter().all(|q| q.flagged_on.is_none()));
}

#[test]
fn from_the_switch_date_a_wrong_link_is_withheld_at_registration() {
    let mut w = world("2024-06-03T09:00");
    let a = taro(&mut w);
    let b = plain_person(&mut w, "b", "別人　二郎", date(1970, 1, 1), "東京都1");
    w.apply(Event::LinkWrongPerson {
        member: a,
        linked_to: b,
    })
    .unwrap();
    assert_eq!(w.quals()[0].flagged_on, Some(date(2024, 6, 3)));
}

#[test]
fn dated_income_changes_ratio_and_category_on_august_1() {
    let mut w = world("2026-07-31T09:00");
    let p = common::person(&mut w, "ume", date(1946, 4, 10), date(2023, 4, 1));
    w.register_for_insurance(
        p,
        onshi_sim::registry::Channel::Reader,
        at("2023-04-10T10:00"),
    )
    .unwrap();
    // The helper gives a 協会けんぽ record; the law moves her to 後期 at 75 (2021-04-10), a
    // birthday before the start.
    w.apply_age_law().unwrap();
    assert!(w.quals().iter().any(|q| {
        q.person == p
            && q.acquired == date(2021, 4, 10)
            && w.insurers()[q.numbers.insurer.index()]
                .number
                .is_late_elderly()
    }));
    let mut w2 = world("2026-07-31T09:00");
    let p2 = w2
        .add_person(PersonSpec {
            key: "ume".into(),
            name: "松本　梅".into(),
            kana: "ﾏﾂﾓﾄ ｳﾒ".into(),
            birth: date(1946, 4, 10),
            sex: Sex::Female,
            address: "東京都1".into(),
            post_number: "100-0001".into(),
            income: IncomeClass::Low,
            income_periods: vec![
                IncomePeriod {
                    from: date(2025, 8, 1),
                    class: IncomeClass::General,
                    category: Some(LimitCategory::B10),
                },
                IncomePeriod {
                    from: date(2026, 8, 1),
                    class: IncomeClass::GeneralII,
                    category: Some(LimitCategory::B09),
                },
            ],
        })
        .unwrap();
    w2.issue_card(
        p2,
        &onshi_sim::world::CardSpec {
            issued: date(2023, 4, 1),
            auth_pin: "1234".into(),
            sign_pin: "ONSHI2024".into(),
        },
    )
    .unwrap();
    record(
        &mut w2,
        p2,
        "kouki",
        "1",
        "00",
        Relation::Insured,
        date(2021, 4, 10),
    );
    w2.register_for_insurance(
        p2,
        onshi_sim::registry::Channel::Reader,
        at("2023-04-10T10:00"),
    )
    .unwrap();
    let july = confirm(&mut w2, p2, date(2026, 7, 31));
    assert_eq!(july.results[0].copay_percent, 10);
    assert_eq!(
        july.results[0].limit.as_ref().map(|l| l.category),
        Some(LimitCategory::B10)
    );
    assert_eq!(
        july.results[0].limit.as_ref().and_then(|l| l.valid_until),
        Some(date(2026, 7, 31))
    );
    let august = confirm(&mut w2, p2, date(2026, 8, 1));
    assert_eq!(august.results[0].copay_percent, 20);
    assert_eq!(
        august.results[0].limit.as_ref().map(|l| l.category),
        Some(LimitCategory::B09)
    );
    // Before the first period: the base class (低所得, 1割) and no 区分.
    let old = confirm(&mut w2, p2, date(2025, 7, 31));
    assert_eq!(old.results[0].copay_percent, 10);
    assert!(old.results[0].limit.is_none());
}
