//! Flows where dated rules decide the outcome: 限度額 caps, the 2024-10-07 consent change,
//! age-dependent screens and ratios, data windows, the portal, and the wire form of an answer.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use jiff::civil::date;
use onshi_sim::World;
use onshi_sim::ids::PersonId;
use onshi_sim::insurer::{LimitCertificate, LimitCertificateKind};
use onshi_sim::oqs::{ConfirmEcho as Echo, to_confirm_response};
use onshi_sim::oqs::{EncodeOptions, encode};
use onshi_sim::portal::{PortalError, PortalView, ProxyGrant};
use onshi_sim::provider::Fee;
use onshi_sim::registry::{CardConfirm, Channel, MedicalRecord};
use onshi_sim::rules::{ConsentItem, DataKind, LimitCategory};
use onshi_sim::world::{Event, Outcome, VisitOutcome, VisitSpec};

fn run(w: &mut World, spec: VisitSpec) -> VisitOutcome {
    match w.apply(Event::Visit(Box::new(spec))).unwrap() {
        Outcome::Visit(v) => *v,
        other => panic!("{other:?}"),
    }
}

fn with_limit(w: &mut World, p: PersonId, category: LimitCategory, registered: bool) {
    let q = w.view().person_quals(p)[0];
    w.qualification_mut(q)
        .unwrap()
        .limits
        .push(LimitCertificate {
            kind: LimitCertificateKind::Limit,
            category,
            issued: date(2026, 1, 5),
            valid_from: date(2026, 1, 1),
            valid_until: Some(date(2026, 12, 31)),
            recalled: None,
            long_stay_from: None,
            registered,
        });
}

#[test]
fn registered_limit_caps_the_window_payment_at_the_self_pay_limit() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    with_limit(&mut w, taro, LimitCategory::parse("A03").unwrap(), true);
    let mut spec = visit(&w, taro, face());
    spec.fee = Some(Fee {
        total: 1_000_000,
        many_times: false,
    });
    let v = run(&mut w, spec);
    let rec = v.record.unwrap();
    // 区分ウ: 80,100 + (1,000,000 − 267,000) × 1% = 87,430.
    assert_eq!(rec.charged, 87_430);
    assert_eq!(rec.limit_category.map(|c| c.code()), Some("A03"));
    // A second visit in the same month pays only up to the cap on the month's total.
    let mut spec = visit(&w, taro, face());
    spec.fee = Some(Fee {
        total: 100_000,
        many_times: false,
    });
    let rec = run(&mut w, spec).record.unwrap();
    // Month total 1,100,000 → cap 88,430; already paid 87,430 → 1,000.
    assert_eq!(rec.charged, 1_000);
}

#[test]
fn unregistered_limit_data_is_not_returned_and_the_full_copay_is_charged() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    with_limit(&mut w, taro, LimitCategory::parse("A03").unwrap(), false);
    let mut spec = visit(&w, taro, face());
    spec.fee = Some(Fee {
        total: 1_000_000,
        many_times: false,
    });
    let v = run(&mut w, spec);
    assert!(v.answer.unwrap().results[0].limit.is_none());
    assert_eq!(v.record.unwrap().charged, 300_000);
}

#[test]
fn before_2024_10_07_limit_info_needs_its_own_consent_screen() {
    let mut w = world("2024-09-02T09:00");
    let taro = taro_registered_2023(&mut w);
    with_limit_2024(&mut w, taro);
    let v = {
        let s = visit(&w, taro, face());
        run(&mut w, s)
    };
    let consent = v.consent.unwrap();
    assert!(consent.shown.contains(&ConsentItem::LimitInfo));
    assert!(!consent.blanket_offered);
    assert!(
        v.answer.unwrap().results[0].limit.is_none(),
        "declined (unanswered) → no 限度額"
    );
    let mut spec = visit(&w, taro, face());
    spec.consent.items.insert(ConsentItem::LimitInfo, true);
    let v = run(&mut w, spec);
    assert!(v.answer.unwrap().results[0].limit.is_some());
}

#[test]
fn from_2024_10_07_limit_info_comes_without_a_screen_and_blanket_consent_is_offered() {
    let mut w = world("2024-10-07T09:00");
    let taro = taro_registered_2023(&mut w);
    with_limit_2024(&mut w, taro);
    let v = {
        let s = visit(&w, taro, face());
        run(&mut w, s)
    };
    let consent = v.consent.unwrap();
    assert!(!consent.shown.contains(&ConsentItem::LimitInfo));
    assert!(consent.blanket_offered);
    assert!(v.answer.unwrap().results[0].limit.is_some());
}

fn taro_registered_2023(w: &mut World) -> PersonId {
    let p = person(w, "taro", date(1980, 5, 10), date(2023, 6, 1));
    w.register_for_insurance(p, Channel::Reader, at("2023-06-10T10:00"))
        .unwrap();
    p
}

fn with_limit_2024(w: &mut World, p: PersonId) {
    let q = w.view().person_quals(p)[0];
    w.qualification_mut(q)
        .unwrap()
        .limits
        .push(LimitCertificate {
            kind: LimitCertificateKind::Limit,
            category: LimitCategory::parse("A04").unwrap(),
            issued: date(2024, 4, 1),
            valid_from: date(2024, 4, 1),
            valid_until: None,
            recalled: None,
            long_stay_from: None,
            registered: true,
        });
}

#[test]
fn the_checkup_screen_appears_from_the_day_40_is_reached() {
    // Born 1986-04-01: 40 is reached on 2026-03-31 (the day before the birthday).
    let mut w = world("2026-03-30T09:00");
    let p = person(&mut w, "shiro", date(1986, 4, 1), date(2024, 6, 1));
    w.register_for_insurance(p, Channel::Reader, at("2024-06-10T10:00"))
        .unwrap();
    let v = {
        let s = visit(&w, p, face());
        run(&mut w, s)
    };
    assert!(
        !v.consent.unwrap().shown.contains(&ConsentItem::Checkup),
        "39 on 2026-03-30"
    );
    w.apply(Event::AdvanceTo(at("2026-03-31T09:00"))).unwrap();
    let v = {
        let s = visit(&w, p, face());
        run(&mut w, s)
    };
    assert!(
        v.consent.unwrap().shown.contains(&ConsentItem::Checkup),
        "40 on 2026-03-31"
    );
}

#[test]
fn seventieth_birthday_switches_the_ratio_on_the_first_of_the_right_month() {
    for (birth, last_30, first_20) in [
        (date(1956, 6, 1), date(2026, 5, 31), date(2026, 6, 1)),
        (date(1956, 6, 15), date(2026, 6, 30), date(2026, 7, 1)),
    ] {
        let mut w = world("2026-05-01T09:00");
        let p = person(&mut w, "goro", birth, date(2024, 6, 1));
        w.register_for_insurance(p, Channel::Reader, at("2024-06-10T10:00"))
            .unwrap();
        let serial = w.current_auth_serial(p).unwrap();
        let clinic = w.institution_by_key("clinic").unwrap();
        let ratio = |w: &mut World, d| {
            let a = w.confirm_card(CardConfirm {
                serial,
                institution: clinic,
                date: d,
                limit_consent: false,
                disease_consent: false,
            });
            a.results[0].copay_percent
        };
        assert_eq!(ratio(&mut w, last_30), 30, "born {birth}");
        assert_eq!(ratio(&mut w, first_20), 20, "born {birth}");
    }
}

#[test]
fn e_prescription_dispensing_is_visible_at_once_while_receipt_data_lags() {
    let mut w = world("2026-04-20T09:00");
    let taro = taro(&mut w);
    for (text, e) in [("レセプト分", false), ("電子処方箋分", true)] {
        w.apply(Event::AddMedicalRecord {
            person: taro,
            record: MedicalRecord {
                kind: DataKind::Medication,
                date: date(2026, 4, 15),
                text: text.into(),
                e_prescription: e,
            },
        })
        .unwrap();
    }
    let mut spec = visit(&w, taro, face());
    spec.consent.items.insert(ConsentItem::Medication, true);
    let v = run(&mut w, spec);
    assert_eq!(
        v.fetched,
        vec![(DataKind::Medication, Ok(1))],
        "only the e-prescription record of this month"
    );
}

#[test]
fn portal_self_view_and_proxy_scope() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let hanako = person(&mut w, "hanako", date(1982, 2, 2), date(2024, 6, 1));
    w.apply(Event::AddMedicalRecord {
        person: taro,
        record: MedicalRecord {
            kind: DataKind::Medication,
            date: date(2025, 12, 1),
            text: "薬".into(),
            e_prescription: false,
        },
    })
    .unwrap();
    let view = |w: &mut World, viewer, subject, kind| match w
        .apply(Event::PortalView {
            viewer,
            subject,
            kind,
        })
        .unwrap()
    {
        Outcome::Portal(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        view(&mut w, taro, taro, DataKind::Medication),
        Err(PortalError::NoAccount)
    );
    w.apply(Event::PortalAccount { person: taro }).unwrap();
    w.apply(Event::PortalAccount { person: hanako }).unwrap();
    assert!(w.portal().account(taro).unwrap().resident_code.len() >= 10);
    assert!(
        matches!(view(&mut w, taro, taro, DataKind::Medication), Ok(PortalView::Records(r)) if r.len() == 1)
    );
    assert_eq!(
        view(&mut w, hanako, taro, DataKind::Medication),
        Err(PortalError::NotAProxy)
    );
    w.apply(Event::GrantProxy(ProxyGrant {
        principal: taro,
        proxy: hanako,
        scope: vec![DataKind::Checkup],
        until: None,
    }))
    .unwrap();
    assert_eq!(
        view(&mut w, hanako, taro, DataKind::Medication),
        Err(PortalError::OutsideProxyScope(DataKind::Medication))
    );
    assert!(view(&mut w, hanako, taro, DataKind::Checkup).is_ok());
    assert_eq!(w.trace().of_kind("jlis.resident_code").count(), 2);
}

#[test]
fn an_answer_encodes_as_the_real_message() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    with_limit(&mut w, taro, LimitCategory::parse("A03").unwrap(), true);
    let v = {
        let s = visit(&w, taro, face());
        run(&mut w, s)
    };
    let clinic = w.institution_by_key("clinic").unwrap();
    let msg = to_confirm_response(
        &v.answer.unwrap(),
        &w.view(),
        w.institutions()[clinic.index()].code,
        &Echo::default(),
    );
    let xml = String::from_utf8(encode(&msg, EncodeOptions::default()).unwrap().bytes).unwrap();
    insta::assert_snapshot!(xml);
}

#[test]
fn checkups_from_fy2020_latest_five_only_with_consent_and_expense_notices_on_the_portal() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    for y in 2018..=2025 {
        w.apply(Event::AddCheckup {
            person: taro,
            checkup: onshi_sim::registry::Checkup {
                date: date(y, 6, 1),
                items: vec![],
            },
        })
        .unwrap();
    }
    let clinic = w.institution_by_key("clinic").unwrap();
    let fetch = |w: &mut World| match w
        .apply(Event::FetchData {
            person: taro,
            institution: clinic,
            kind: DataKind::Checkup,
        })
        .unwrap()
    {
        Outcome::Data(r) => r,
        other => panic!("{other:?}"),
    };
    assert!(fetch(&mut w).is_err(), "no consent yet");
    let mut spec = visit(&w, taro, face());
    spec.consent.items.insert(ConsentItem::Checkup, true);
    run(&mut w, spec);
    // 2018 and 2019 are before FY2020; of 2020–2025 only the latest five (2021–2025) remain.
    assert_eq!(fetch(&mut w), Ok(5));
    let checkups = w.registry().visible_checkups(&w.view(), taro);
    assert_eq!(checkups.first().map(|c| c.date), Some(date(2021, 6, 1)));
    w.apply(Event::AddMedicalRecord {
        person: taro,
        record: MedicalRecord {
            kind: DataKind::MedicalExpenseNotice,
            date: date(2025, 11, 1),
            text: "医療費 12,000円".into(),
            e_prescription: false,
        },
    })
    .unwrap();
    w.apply(Event::PortalAccount { person: taro }).unwrap();
    let r = w
        .apply(Event::PortalView {
            viewer: taro,
            subject: taro,
            kind: DataKind::MedicalExpenseNotice,
        })
        .unwrap();
    assert!(
        matches!(r, Outcome::Portal(Ok(PortalView::Records(ref v))) if v.len() == 1),
        "{r:?}"
    );
}
