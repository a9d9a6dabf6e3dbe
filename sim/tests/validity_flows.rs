//! 資格有効性 (REG-4) around a job change whose new qualification the registry knows before it
//! starts: numbers of a qualification that has not started (2), numbers of the old one after
//! the new one started (3), both covering by card (5). The rule is `registry::validity`.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use jiff::civil::{Date, date};
use onshi_sim::World;
use onshi_sim::ids::{InsuranceNumbers, PersonId, QualificationId};
use onshi_sim::insurer::{LossReason, Relation};
use onshi_sim::oqs::QualificationValidity;
use onshi_sim::registry::{Answer, NumberConfirm};
use onshi_sim::world::{Event, Outcome, QualificationSpec};

use QualificationValidity::{Invalid, InvalidNewerExists, Multiple, NotFound, Valid};

/// Ends `q` on `on` (喪失: 医療保険等の資格取得) and lets the registry learn it on `known`.
fn lose(w: &mut World, q: QualificationId, on: Date, known: Date) {
    let qual = w.qualification_mut(q).unwrap();
    qual.lost = Some((on, LossReason::OtherInsurance));
    qual.loss_registered_on = Some(known);
}

/// A qualification of `p` with `insurer` from `from`, registered at the registry on `registered`.
fn add(
    w: &mut World,
    p: PersonId,
    insurer: &str,
    (symbol, number): (&str, &str),
    from: Date,
    registered: Date,
) -> QualificationId {
    let insurer = w.insurer_by_key(insurer).unwrap();
    w.add_qualification(QualificationSpec {
        person: p,
        numbers: InsuranceNumbers {
            insurer,
            symbol: Some(symbol.into()),
            number: number.into(),
            branch: "00".into(),
        },
        relation: Relation::Insured,
        acquired: from,
        lost: None,
        registered_on: Some(registered),
        copay_override: None,
        limits: Vec::new(),
        designated_diseases: Vec::new(),
        income: Vec::new(),
    })
    .unwrap()
}

/// Confirms the numbers of `q` at the clinic for `date` (today is the world's clock).
fn by_numbers(w: &mut World, q: QualificationId, date: Date) -> Answer {
    let qual = &w.quals()[q.index()];
    let req = NumberConfirm {
        institution: w.institution_by_key("clinic").unwrap(),
        date,
        numbers: w.view().numbers_of(q),
        birth: w.people()[qual.person.index()].birth,
        limit_consent: false,
    };
    match w.apply(Event::ConfirmByNumbers(Box::new(req))).unwrap() {
        Outcome::Answer(a) => *a,
        other => panic!("{other:?}"),
    }
}

/// A card visit of `p` today: the registry's answer.
fn by_card(w: &mut World, p: PersonId) -> Answer {
    let spec = visit(w, p, face());
    match w.apply(Event::Visit(Box::new(spec))).unwrap() {
        Outcome::Visit(v) => v.answer.unwrap(),
        other => panic!("{other:?}"),
    }
}

fn carried(a: &Answer) -> Vec<QualificationId> {
    a.results.iter().map(|r| r.qualification).collect()
}

/// Taro leaves 協会けんぽ on 2026-07-01 (the registry learns it on 07-04) and joins the 組合 the
/// same day; the 組合 registered the new record in advance, on 06-20.
fn job_change_registered_early(w: &mut World) -> (PersonId, QualificationId, QualificationId) {
    let taro = taro(w);
    let old = w.view().person_quals(taro)[0];
    lose(w, old, date(2026, 7, 1), date(2026, 7, 4));
    let new = add(
        w,
        taro,
        "kumiai",
        ("7001", "42"),
        date(2026, 7, 1),
        date(2026, 6, 20),
    );
    (taro, old, new)
}

#[test]
fn numbers_of_a_qualification_that_has_not_started_answer_invalid_not_newer_exists() {
    let mut w = world("2026-06-25T09:00");
    let (taro, old, new) = job_change_registered_early(&mut w);
    // 06-25: the 組合 record (07-01 〜) does not cover the day; 協会けんぽ (2015 〜 07-01) does,
    // but it started in 2015, before the 組合 record: it is older, not newer → 2, carrying the
    // record asked about. (The old rule answered 3 because "another one covers the day".)
    let a = by_numbers(&mut w, new, date(2026, 6, 25));
    assert_eq!((a.validity, carried(&a)), (Some(Invalid), vec![new]));
    // The other side: the old numbers and the card on the same day → 1 with 協会けんぽ.
    let a = by_numbers(&mut w, old, date(2026, 6, 25));
    assert_eq!((a.validity, carried(&a)), (Some(Valid), vec![old]));
    let a = by_card(&mut w, taro);
    assert_eq!((a.validity, carried(&a)), (Some(Valid), vec![old]));
}

#[test]
fn a_later_confirmation_for_a_date_before_the_start_also_answers_invalid() {
    let mut w = world("2026-06-25T09:00");
    let (_, _, new) = job_change_registered_early(&mut w);
    w.apply(Event::AdvanceTo(at("2026-07-10T09:00"))).unwrap();
    // On 07-10, the 組合 numbers for 資格確認日 06-25 (a visit in June): 06-25 < 07-01 → not in
    // force; 協会けんぽ covered 06-25 (喪失 07-01) but is older → 2.
    let a = by_numbers(&mut w, new, date(2026, 6, 25));
    assert_eq!((a.validity, carried(&a)), (Some(Invalid), vec![new]));
}

#[test]
fn both_covering_by_card_is_multiple_and_each_numbers_query_is_valid() {
    let mut w = world("2026-06-25T09:00");
    let (taro, old, new) = job_change_registered_early(&mut w);
    w.apply(Event::AdvanceTo(at("2026-07-02T09:00"))).unwrap();
    // 07-02: the 組合 record covers; the 協会けんぽ 喪失 reaches the registry only on 07-04, so
    // the registry still believes it covers too → by card (all of Taro's records) 5 with both.
    let a = by_card(&mut w, taro);
    assert_eq!((a.validity, a.results.len()), (Some(Multiple), 2));
    // By numbers each query identifies one record, and it covers → 1.
    let a = by_numbers(&mut w, new, date(2026, 7, 2));
    assert_eq!((a.validity, carried(&a)), (Some(Valid), vec![new]));
    let a = by_numbers(&mut w, old, date(2026, 7, 2));
    assert_eq!((a.validity, carried(&a)), (Some(Valid), vec![old]));
}

#[test]
fn old_numbers_after_the_new_qualification_started_answer_newer_exists() {
    let mut w = world("2026-06-25T09:00");
    let (taro, old, new) = job_change_registered_early(&mut w);
    w.apply(Event::AdvanceTo(at("2026-07-10T09:00"))).unwrap();
    // 07-10: 協会けんぽ ended 07-01 (known since 07-04); the 組合 record started 07-01, after
    // 2015, and covers the day → 3, carrying the old record with its 喪失.
    let a = by_numbers(&mut w, old, date(2026, 7, 10));
    assert_eq!(
        (a.validity, carried(&a)),
        (Some(InvalidNewerExists), vec![old])
    );
    assert_eq!(a.results[0].loss.map(|l| l.0), Some(date(2026, 7, 1)));
    let a = by_numbers(&mut w, new, date(2026, 7, 10));
    assert_eq!((a.validity, carried(&a)), (Some(Valid), vec![new]));
    let a = by_card(&mut w, taro);
    assert_eq!((a.validity, carried(&a)), (Some(Valid), vec![new]));
}

#[test]
fn numbers_of_an_ended_qualification_with_nothing_newer_answer_invalid() {
    let mut w = world("2026-06-25T09:00");
    let taro = taro(&mut w);
    let old = w.view().person_quals(taro)[0];
    lose(&mut w, old, date(2026, 7, 1), date(2026, 7, 4));
    w.apply(Event::AdvanceTo(at("2026-07-10T09:00"))).unwrap();
    // Ended 07-01, no other record → 2; numbers matching nothing → 4.
    let a = by_numbers(&mut w, old, date(2026, 7, 10));
    assert_eq!((a.validity, carried(&a)), (Some(Invalid), vec![old]));
    w.qualification_mut(old).unwrap().numbers.number = "999999".into();
    let a = by_numbers(&mut w, old, date(2026, 7, 10));
    assert_eq!((a.validity, a.results.len()), (Some(NotFound), 0));
}

#[test]
fn reissued_numbers_between_two_records_carry_the_replaced_one() {
    let mut w = world("2026-05-20T09:00");
    let taro = taro(&mut w);
    let first = w.view().person_quals(taro)[0];
    // 協会けんぽ 1234/5678+ ends 06-01; the 組合 covers from 06-01; 協会けんぽ hires him back on
    // 07-01 under the same numbers, registered early (06-20).
    lose(&mut w, first, date(2026, 6, 1), date(2026, 6, 4));
    add(
        &mut w,
        taro,
        "kumiai",
        ("7001", "42"),
        date(2026, 6, 1),
        date(2026, 6, 3),
    );
    let number = w.quals()[first.index()].numbers.number.clone();
    let again = add(
        &mut w,
        taro,
        "kyokai",
        ("1234", &number),
        date(2026, 7, 1),
        date(2026, 6, 20),
    );
    w.apply(Event::AdvanceTo(at("2026-06-25T09:00"))).unwrap();
    // 06-25, the 協会けんぽ numbers match both records; neither covers the day. The first one
    // (2015 〜 06-01) was replaced by the 組合 (06-01 〜, newer, covering) → 3 carrying the first
    // record, not the one that starts on 07-01.
    let a = by_numbers(&mut w, first, date(2026, 6, 25));
    assert_eq!(
        (a.validity, carried(&a)),
        (Some(InvalidNewerExists), vec![first])
    );
    assert_ne!(carried(&a), vec![again]);
}
