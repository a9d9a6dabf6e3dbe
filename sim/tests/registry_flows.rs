//! End-to-end flows through `World::apply`: registration, relink, validity, consent, grace.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use jiff::ToSpan;
use jiff::civil::date;
use onshi_sim::ids::InsuranceNumbers;
use onshi_sim::oqs::QualificationValidity;
use onshi_sim::provider::{ChargePath, Fee};
use onshi_sim::reader::Attempt;
use onshi_sim::registry::{Channel, DataScope, MedicalRecord, Outage, OutageKind, Refusal};
use onshi_sim::rules::{ConsentItem, DataKind};
use onshi_sim::world::{Event, Outcome, Presentation, VisitOutcome};

/// One 薬剤 record (2026-01-15) for `person`.
fn add_medication(w: &mut onshi_sim::World, person: onshi_sim::ids::PersonId) {
    w.apply(Event::AddMedicalRecord {
        person,
        record: MedicalRecord {
            kind: DataKind::Medication,
            date: date(2026, 1, 15),
            text: "アムロジピン錠5mg 28日分".into(),
            e_prescription: false,
        },
    })
    .unwrap();
}

fn run_visit(w: &mut onshi_sim::World, spec: onshi_sim::world::VisitSpec) -> VisitOutcome {
    match w.apply(Event::Visit(Box::new(spec))).unwrap() {
        Outcome::Visit(v) => *v,
        other => panic!("not a visit outcome: {other:?}"),
    }
}

#[test]
fn registered_card_confirms_as_valid_with_thirty_percent() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let mut spec = visit(&w, taro, face());
    spec.fee = Some(Fee {
        total: 12_000,
        many_times: false,
    });
    let v = run_visit(&mut w, spec);
    let a = v.answer.unwrap();
    assert_eq!(a.validity, Some(QualificationValidity::Valid));
    assert_eq!(a.results.len(), 1);
    assert_eq!(a.results[0].copay_percent, 30);
    let rec = v.record.unwrap();
    assert_eq!(rec.charged, 3_600);
    assert_eq!(
        rec.numbers.as_ref().map(|n| n.insurer.digits()).as_deref(),
        Some("01130012")
    );
    assert_eq!(rec.path, ChargePath::Confirmed);
}

#[test]
fn reissue_after_loss_relinks_through_jlis_without_new_registration() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let first = w.current_auth_serial(taro).unwrap();
    w.apply(Event::CardLost { person: taro }).unwrap();
    w.apply(Event::Advance(7.days())).unwrap();
    w.apply(Event::CardReissue {
        person: taro,
        auth_pin: None,
    })
    .unwrap();
    w.apply(Event::Advance(14.days())).unwrap();
    let second = w.current_auth_serial(taro).unwrap();
    assert_ne!(first, second);
    let v = {
        let spec = visit(&w, taro, face());
        run_visit(&mut w, spec)
    };
    assert_eq!(
        v.registration_prompt, None,
        "no re-registration prompt after reissue"
    );
    let a = v.answer.unwrap();
    assert_eq!(a.validity, Some(QualificationValidity::Valid));
    let link = w.registry().link(second).unwrap();
    assert_eq!(link.relinked_from, Some(first));
    assert_eq!(w.trace().of_kind("jlis.old_serials").count(), 1);
    let kyokai = w.insurer_by_key("kyokai").unwrap();
    assert_eq!(
        w.registry().counts().get(&kyokai),
        Some(&1),
        "a relink is not a new registration"
    );
    // The old, revoked serial no longer works.
    let jl = w.jlis().status(first, w.clock().today());
    assert!(
        matches!(jl, onshi_sim::jlis::CertStatus::Revoked { .. }),
        "{jl:?}"
    );
}

#[test]
fn renewal_twice_relinks_along_a_chain_of_three_serials() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let s1 = w.current_auth_serial(taro).unwrap();
    w.apply(Event::CertificateRenewal { person: taro }).unwrap();
    let s2 = w.current_auth_serial(taro).unwrap();
    w.apply(Event::Advance(1.day())).unwrap();
    w.apply(Event::CertificateRenewal { person: taro }).unwrap();
    let s3 = w.current_auth_serial(taro).unwrap();
    assert_eq!(w.jlis().old_serials(s3).unwrap(), &[s1, s2]);
    let v = {
        let spec = visit(&w, taro, face());
        run_visit(&mut w, spec)
    };
    assert_eq!(
        v.answer.unwrap().validity,
        Some(QualificationValidity::Valid)
    );
    // s2 was never used; the registration travelled from s1 straight to s3.
    assert_eq!(w.registry().link(s3).unwrap().relinked_from, Some(s1));
}

#[test]
fn reissue_rule_switched_off_requires_registration_again() {
    let mut w = world("2026-04-01T09:00");
    w.rules_mut()
        .switches_mut()
        .set("registration_survives_reissue", "false")
        .unwrap();
    let taro = taro(&mut w);
    w.apply(Event::CardReissue {
        person: taro,
        auth_pin: None,
    })
    .unwrap();
    let mut spec = visit(&w, taro, face());
    spec.register_if_prompted = true;
    let v = run_visit(&mut w, spec);
    assert_eq!(v.registration_prompt, Some(true));
    assert_eq!(
        v.answer.unwrap().validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(w.trace().of_kind("registry.relink_refused").count(), 1);
}

#[test]
fn unregistered_card_gets_the_prompt_and_declining_ends_without_data() {
    let mut w = world("2026-04-01T09:00");
    let hanako = person(&mut w, "hanako", date(1990, 1, 1), date(2023, 1, 5));
    let v = {
        let spec = visit(&w, hanako, face());
        run_visit(&mut w, spec)
    };
    assert_eq!(v.registration_prompt, Some(false));
    assert_eq!(v.answer.unwrap().refusal(), Some(&Refusal::NotRegistered));
    assert!(w.trace().of_kind("reader.registration_prompt").count() == 1);
}

#[test]
fn app_registration_is_usable_from_the_next_day() {
    let mut w = world("2026-04-01T09:00");
    let hanako = person(&mut w, "hanako", date(1990, 1, 1), date(2023, 1, 5));
    w.apply(Event::Register {
        person: hanako,
        channel: Channel::PortalApp,
    })
    .unwrap();
    let v = {
        let spec = visit(&w, hanako, face());
        run_visit(&mut w, spec)
    };
    assert!(matches!(
        v.answer.unwrap().refusal(),
        Some(Refusal::RegistrationPending { .. })
    ));
    w.apply(Event::Advance(1.day())).unwrap();
    let v = {
        let spec = visit(&w, hanako, face());
        run_visit(&mut w, spec)
    };
    assert_eq!(
        v.answer.unwrap().validity,
        Some(QualificationValidity::Valid)
    );
}

#[test]
fn job_change_lag_answers_invalid_then_valid_with_new_numbers() {
    let mut w = world("2026-03-25T09:00");
    let taro = taro(&mut w);
    let kumiai = w.insurer_by_key("kumiai").unwrap();
    w.apply(Event::JobChange {
        person: taro,
        on: date(2026, 4, 1),
        numbers: InsuranceNumbers {
            insurer: kumiai,
            symbol: Some("10".into()),
            number: "777".into(),
            branch: "00".into(),
        },
        lag_days: Some(10),
        old_lag_days: Some(0),
        relation: onshi_sim::insurer::Relation::Insured,
        dependents: Vec::new(),
        limits: Vec::new(),
        income: Vec::new(),
    })
    .unwrap();
    w.apply(Event::AdvanceTo(at("2026-04-03T10:00"))).unwrap();
    let mut spec = visit(&w, taro, face());
    spec.fee = Some(Fee {
        total: 10_000,
        many_times: false,
    });
    let v = run_visit(&mut w, spec);
    assert_eq!(
        v.answer.as_ref().unwrap().validity,
        Some(QualificationValidity::Invalid)
    );
    let rec = v.record.unwrap();
    assert_eq!(rec.path, ChargePath::DeclarationForm);
    assert_eq!(
        rec.charged, 3_000,
        "normal ratio under the 申立書 path, not 10割"
    );
    w.apply(Event::AdvanceTo(at("2026-04-12T10:00"))).unwrap();
    let v = {
        let spec = visit(&w, taro, face());
        run_visit(&mut w, spec)
    };
    let a = v.answer.unwrap();
    assert_eq!(a.validity, Some(QualificationValidity::Valid));
    assert_eq!(
        v.record.unwrap().numbers.map(|n| n.number).as_deref(),
        Some("777")
    );
    assert_eq!(a.results.len(), 1);
}

#[test]
fn confirmation_by_old_numbers_after_job_change_answers_three() {
    let mut w = world("2026-03-25T09:00");
    let taro = taro(&mut w);
    let kumiai = w.insurer_by_key("kumiai").unwrap();
    w.apply(Event::JobChange {
        person: taro,
        on: date(2026, 4, 1),
        numbers: InsuranceNumbers {
            insurer: kumiai,
            symbol: None,
            number: "777".into(),
            branch: "00".into(),
        },
        lag_days: Some(0),
        old_lag_days: Some(0),
        relation: onshi_sim::insurer::Relation::Insured,
        dependents: Vec::new(),
        limits: Vec::new(),
        income: Vec::new(),
    })
    .unwrap();
    w.apply(Event::AdvanceTo(at("2026-04-02T10:00"))).unwrap();
    let clinic = w.institution_by_key("clinic").unwrap();
    let old_number = format!("{}", 5678 + taro.0);
    let req = onshi_sim::registry::NumberConfirm {
        institution: clinic,
        date: date(2026, 4, 2),
        numbers: InsuranceNumbers {
            insurer: onshi_sim::ids::InsurerNumber::parse("01130012").unwrap(),
            symbol: Some("1234".into()),
            number: old_number.clone(),
            branch: Some("00".into()),
        },
        birth: date(1980, 5, 10),
        limit_consent: true,
    };
    let Outcome::Answer(a) = w
        .apply(Event::ConfirmByNumbers(Box::new(req.clone())))
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(a.validity, Some(QualificationValidity::InvalidNewerExists));
    let mut wrong_birth = req.clone();
    wrong_birth.birth = date(1980, 5, 11);
    let Outcome::Answer(a) = w
        .apply(Event::ConfirmByNumbers(Box::new(wrong_birth)))
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(a.validity, Some(QualificationValidity::NotFound));
}

#[test]
fn medication_is_shared_only_with_consent_only_with_that_clinic_and_for_24_hours() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    add_medication(&mut w, taro);
    // Without consent nothing is fetched.
    let v = {
        let spec = visit(&w, taro, face());
        run_visit(&mut w, spec)
    };
    assert!(v.fetched.is_empty());
    let clinic = w.institution_by_key("clinic").unwrap();
    let other = w.institution_by_key("other-clinic").unwrap();
    let denied = w
        .apply(Event::FetchData {
            person: taro,
            institution: clinic,
            kind: DataKind::Medication,
        })
        .unwrap();
    assert!(matches!(denied, Outcome::Data(Err(_))));
    // With consent the reference provider fetches it.
    let mut spec = visit(&w, taro, face());
    spec.consent.items.insert(ConsentItem::Medication, true);
    let v = run_visit(&mut w, spec);
    assert_eq!(v.fetched.len(), 1);
    assert_eq!(v.fetched[0], (DataKind::Medication, Ok(1)));
    // Another clinic gets nothing.
    let r = w
        .apply(Event::FetchData {
            person: taro,
            institution: other,
            kind: DataKind::Medication,
        })
        .unwrap();
    assert!(matches!(r, Outcome::Data(Err(_))));
    // 24 hours later the consent has lapsed.
    w.apply(Event::Advance(24.hours())).unwrap();
    let r = w
        .apply(Event::FetchData {
            person: taro,
            institution: clinic,
            kind: DataKind::Medication,
        })
        .unwrap();
    assert!(
        matches!(
            r,
            Outcome::Data(Err(onshi_sim::registry::DataDenied::ConsentExpired { .. }))
        ),
        "{r:?}"
    );
}

#[test]
fn expired_certificate_inside_grace_gives_qualification_only_and_after_grace_refuses() {
    // Card issued 2021-06-01 for someone born 1980-05-10: the auth certificate expires on the
    // 5th birthday after issue, 2026-05-10; grace runs to the end of August 2026.
    let mut w = world("2026-06-15T09:00");
    let p = person(&mut w, "jiro", date(1980, 5, 10), date(2021, 6, 1));
    w.register_for_insurance(p, Channel::Reader, at("2021-10-20T10:00"))
        .unwrap();
    let mut spec = visit(&w, p, face());
    spec.consent.blanket = Some(true);
    let v = run_visit(&mut w, spec);
    let a = v.answer.unwrap();
    assert_eq!(a.validity, Some(QualificationValidity::Valid));
    assert!(matches!(a.scope, DataScope::QualificationOnly { .. }));
    assert!(
        v.consent.unwrap().shown.is_empty(),
        "no consent screens in grace"
    );
    assert!(a.expiry_notice.is_some());
    w.apply(Event::AdvanceTo(at("2026-09-01T09:00"))).unwrap();
    let v = {
        let spec = visit(&w, p, face());
        run_visit(&mut w, spec)
    };
    assert!(matches!(
        v.answer.unwrap().refusal(),
        Some(Refusal::CertificateExpired { .. })
    ));
}

#[test]
fn blocked_pin_then_face_still_confirms() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let wrong = || Attempt::Pin { pin: "0000".into() };
    let v = {
        let spec = visit(&w, taro, vec![wrong(), wrong(), wrong()]);
        run_visit(&mut w, spec)
    };
    assert!(v.answer.is_none());
    assert!(w.current_card(taro).unwrap().pins.auth_counter.is_blocked());
    // The card cannot be used: the desk confirms by the numbers on taro's papers.
    let by_numbers = v.by_numbers.expect("confirmed by the papers' numbers");
    assert_eq!(by_numbers.validity, Some(QualificationValidity::Valid));
    let rec = v.record.expect("the visit is settled");
    assert_eq!(rec.path, ChargePath::Confirmed);
    assert_eq!(rec.numbers.map(|n| n.number), Some("5678".to_string()));
    let v = {
        let spec = visit(&w, taro, face());
        run_visit(&mut w, spec)
    };
    assert_eq!(
        v.answer.unwrap().validity,
        Some(QualificationValidity::Valid)
    );
}

#[test]
fn outage_sends_the_provider_to_paper_and_confirm_later() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    w.apply(Event::Outage(Outage {
        kind: OutageKind::Maintenance,
        from: at("2026-04-01T08:00"),
        until: at("2026-04-01T12:00"),
    }))
    .unwrap();
    let mut spec = visit(&w, taro, face());
    spec.fee = Some(Fee {
        total: 5_000,
        many_times: false,
    });
    let v = run_visit(&mut w, spec);
    assert!(matches!(
        v.answer.unwrap().refusal(),
        Some(Refusal::Outage { .. })
    ));
    let rec = v.record.unwrap();
    assert_eq!(rec.path, ChargePath::PaperCertificate);
    assert!(rec.confirm_later);
    assert_eq!(rec.charged, 1_500);
    // The desk records the numbers on the paper 資格確認書 (the 資格 of the visit date).
    let paper = w.view().current_qualification(taro).unwrap();
    assert_eq!(rec.numbers, Some(w.view().numbers_of(paper)));
    // PRV-7: still down at 11:59, so nothing is retried yet.
    w.apply(Event::AdvanceTo(at("2026-04-01T11:59"))).unwrap();
    assert!(w.provider().visits[rec.seq].confirmed_later.is_none());
    assert!(w.provider().visits[rec.seq].confirm_later);
    // Up again at 12:00: the provider confirms the visit by the paper certificate's numbers.
    w.apply(Event::AdvanceTo(at("2026-04-01T12:00"))).unwrap();
    let now = &w.provider().visits[rec.seq];
    assert!(!now.confirm_later);
    let later = now.confirmed_later.unwrap();
    assert_eq!(later.on.to_string(), "2026-04-01");
    assert_eq!(later.validity, Some(QualificationValidity::Valid));
    assert!(now.numbers.is_some());
    // A retry happens once.
    w.apply(Event::AdvanceTo(at("2026-04-02T12:00"))).unwrap();
    let retries = w
        .trace()
        .entries()
        .iter()
        .filter(|e| e.kind == "provider.retry")
        .count();
    assert_eq!(retries, 1);
}

#[test]
fn a_card_found_after_a_loss_report_is_read_but_refused_as_revoked() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    w.apply(Event::CardLost { person: taro }).unwrap();
    let spec = visit(&w, taro, face());
    let v = run_visit(&mut w, spec);
    assert!(v.verification.unwrap().method.is_some());
    assert!(matches!(
        v.answer.unwrap().refusal(),
        Some(Refusal::CertificateRevoked { .. })
    ));
    // A card refusal: the registry works, so the desk confirms by the papers' numbers.
    assert_eq!(
        v.by_numbers.and_then(|a| a.validity),
        Some(QualificationValidity::Valid)
    );
    let rec = v.record.unwrap();
    assert_eq!(rec.path, ChargePath::Confirmed);
    assert_eq!(
        rec.relation,
        Some(onshi_sim::codes::PersonalFamily::Insured)
    );
    assert!(!rec.confirm_later);
}

#[test]
fn a_card_refused_with_no_papers_settles_on_a_declaration() {
    // A person whose only 資格 ended: no papers for the visit date, nothing to confirm with.
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    w.apply(Event::CardLost { person: taro }).unwrap();
    let q = w.view().current_qualification(taro).unwrap();
    w.qualification_mut(q).unwrap().lost =
        Some((date(2026, 3, 1), onshi_sim::insurer::LossReason::Other));
    let spec = visit(&w, taro, face());
    let v = run_visit(&mut w, spec);
    assert!(v.by_numbers.is_none());
    let rec = v.record.unwrap();
    assert_eq!(rec.path, ChargePath::DeclarationForm);
    assert_eq!(rec.numbers, None);
}

#[test]
fn a_returned_card_cannot_be_presented_and_a_previous_card_needs_a_reissue() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let mut spec = visit(&w, taro, face());
    spec.presentation = Presentation::PreviousCard;
    let err = w.apply(Event::Visit(Box::new(spec))).unwrap_err();
    assert!(err.to_string().contains("no previous card"), "{err}");
    w.apply(Event::CardReturned { person: taro }).unwrap();
    let spec = visit(&w, taro, face());
    let err = w.apply(Event::Visit(Box::new(spec))).unwrap_err();
    assert!(err.to_string().contains("返納"), "{err}");
}

#[test]
fn same_inputs_give_the_same_trace() {
    let build = || {
        let mut w = world("2026-04-01T09:00");
        let taro = taro(&mut w);
        w.apply(Event::CardReissue {
            person: taro,
            auth_pin: None,
        })
        .unwrap();
        let spec = visit(&w, taro, face());
        run_visit(&mut w, spec);
        (
            w.trace().entries().to_vec(),
            w.current_auth_serial(taro).unwrap(),
        )
    };
    assert_eq!(build(), build());
}

#[test]
fn the_clinic_exchange_log_keeps_every_answer_only_when_asked() {
    use onshi_sim::registry::{ClinicExchange, DataPayload};
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    add_medication(&mut w, taro);
    let mut consenting = visit(&w, taro, face());
    consenting
        .consent
        .items
        .insert(ConsentItem::Medication, true);
    run_visit(&mut w, consenting.clone());
    assert!(w.take_exchanges().is_empty(), "off by default");

    w.keep_exchanges(true);
    let card = run_visit(&mut w, consenting);
    let mut paper = visit(&w, taro, Vec::new());
    paper.presentation = Presentation::EligibilityCertificate;
    let paper = run_visit(&mut w, paper);
    let kept = w.take_exchanges();
    match kept.as_slice() {
        [
            ClinicExchange::Card {
                request: card_request,
                answer: a,
            },
            ClinicExchange::Data {
                kind: DataKind::Medication,
                result: Ok(DataPayload::Records(records)),
                ..
            },
            ClinicExchange::Numbers { request, answer },
            // The consent of the morning still holds: the paper visit fetches too.
            ClinicExchange::Data {
                kind: DataKind::Medication,
                ..
            },
        ] => {
            assert_eq!(Some(&**a), card.answer.as_ref());
            assert_eq!(
                card_request.serial,
                w.current_auth_serial(taro).expect("a card")
            );
            assert_eq!(records.len(), 1);
            assert_eq!(Some(&**answer), paper.answer.as_ref());
            let q = answer.results[0].qualification;
            assert_eq!(request.numbers, w.view().numbers_of(q));
        }
        other => panic!("unexpected exchanges: {other:?}"),
    }
    assert!(w.take_exchanges().is_empty(), "taken once");
}
