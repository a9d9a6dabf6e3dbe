//! The scenario steps that use a world card over APDUs (`Event::Jpki`, `Event::Surface`): what
//! they read, that PINs gate them, that counters move in the world's card, and that neither
//! PIN values nor the My Number reach the trace.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use onshi_sim::card::apdu::Sw;
use onshi_sim::card::apdu::client::{PinOutcome, SurfaceItem};
use onshi_sim::jlis::{CertKind, inspect_certificate, verify_chain, verify_signature};
use onshi_sim::world::{
    Event, JpkiOutcome, JpkiRequest, Outcome, SurfaceOutcome, SurfacePin, SurfaceRequest,
};

fn jpki(w: &mut onshi_sim::World, req: JpkiRequest) -> JpkiOutcome {
    match w.apply(Event::Jpki(Box::new(req))).unwrap() {
        Outcome::Jpki(o) => *o,
        other => panic!("not a JPKI outcome: {other:?}"),
    }
}

fn surface(w: &mut onshi_sim::World, req: SurfaceRequest) -> SurfaceOutcome {
    match w.apply(Event::Surface(Box::new(req))).unwrap() {
        Outcome::Surface(o) => *o,
        other => panic!("not a surface outcome: {other:?}"),
    }
}

#[test]
fn the_auth_certificate_reads_without_a_pin_and_chains_to_the_auth_ca_on_the_card() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let o = jpki(
        &mut w,
        JpkiRequest {
            person: taro,
            kind: CertKind::Auth,
            pin: None,
            sign: None,
        },
    );
    assert!(o.pin.is_none());
    let der = o.certificate.unwrap().0;
    let ca = o.ca_certificate.unwrap().0;
    verify_chain(&der, &ca).unwrap();
    let facts = inspect_certificate(&der).unwrap();
    assert_eq!(facts.version, 3);
    assert_eq!(facts.key_bits, Some(2048));
    assert_eq!(facts.signature_algorithm, "sha256WithRSAEncryption");
    assert_eq!(facts.serial, Some(w.current_auth_serial(taro).unwrap()));
    assert_eq!(
        (facts.street, facts.birth, facts.gender),
        (None, None, None)
    );
}

#[test]
fn the_signature_key_signs_only_after_the_signature_pin_and_five_wrong_pins_block_it() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let sign = |pin: Option<&str>| JpkiRequest {
        person: taro,
        kind: CertKind::Sign,
        pin: pin.map(str::to_string),
        sign: Some("onshi".into()),
    };
    let none = jpki(&mut w, sign(None));
    assert_eq!(
        none.signature.unwrap().unwrap_err(),
        Sw::SECURITY_NOT_SATISFIED
    );
    assert_eq!(none.certificate.unwrap_err(), Sw::SECURITY_NOT_SATISFIED);

    let ok = jpki(&mut w, sign(Some("ONSHI2024")));
    assert_eq!(ok.pin.unwrap().outcome, PinOutcome::Accepted);
    assert_eq!(ok.pin.unwrap().tries_left, Some(5));
    let s = ok.signature.unwrap().unwrap();
    let der = ok.certificate.unwrap().0;
    verify_signature(&der, &s.digest_info.0, &s.signature.0).unwrap();
    let facts = inspect_certificate(&der).unwrap();
    assert_eq!(facts.common_name.as_deref(), Some("山田　太郎"));
    assert_eq!(facts.gender.as_deref(), Some("M"));

    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(jpki(&mut w, sign(Some("WRONG12345"))).pin.unwrap().outcome);
    }
    assert_eq!(
        seen,
        [4, 3, 2, 1]
            .map(|tries_left| PinOutcome::Wrong { tries_left })
            .into_iter()
            .chain([PinOutcome::Blocked])
            .collect::<Vec<_>>()
    );
    assert!(w.current_card(taro).unwrap().pins.sign_counter.is_blocked());
    let after = jpki(&mut w, sign(Some("ONSHI2024")));
    assert_eq!(after.pin.unwrap().outcome, PinOutcome::Blocked);
    assert!(after.signature.unwrap().is_err());
    let trace: String = w
        .trace()
        .entries()
        .iter()
        .map(|e| e.summary.clone())
        .collect();
    assert!(!trace.contains("ONSHI2024") && !trace.contains("WRONG12345"));
}

#[test]
fn surface_data_reads_with_pin_a_or_b_and_a_wrong_pin_b_is_refused_and_counted() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let read = |pin, wrong| SurfaceRequest {
        person: taro,
        pin,
        wrong,
    };
    let b = surface(&mut w, read(SurfacePin::B, false));
    assert_eq!(b.pin.outcome, PinOutcome::Accepted);
    let data = b.read.unwrap();
    assert_eq!(data.items, SurfaceItem::ALL);
    assert_eq!(data.birth.as_deref(), Some("19800510"));
    assert_eq!(data.expiry.as_deref(), Some("20340510"));

    let a = surface(&mut w, read(SurfacePin::A, false));
    assert_eq!(a.pin.outcome, PinOutcome::Accepted);
    assert!(a.read.is_ok());

    let wrong = surface(&mut w, read(SurfacePin::B, true));
    assert!(matches!(wrong.pin.outcome, PinOutcome::Wrong { .. }));
    assert_eq!(wrong.read.unwrap_err(), Sw::SECURITY_NOT_SATISFIED);
    let card = w.current_card(taro).unwrap();
    assert_eq!(
        card.pins.surface_birth_counter.remaining + 1,
        card.pins.surface_birth_counter.max
    );
    let digits = w.people()[taro.index()].my_number.digits();
    assert!(
        w.trace()
            .entries()
            .iter()
            .all(|e| !e.summary.contains(&digits))
    );
}

/// `der`'s date type starts in 1970; a holder born earlier still gets a signature certificate
/// that carries their birth date.
#[test]
fn a_signature_certificate_carries_a_birth_date_before_1970() {
    let mut w = world("2026-04-01T09:00");
    let d = |y, m, day| onshi_sim::clock::Date::new(y, m, day).unwrap();
    let kazuo = person(&mut w, "kazuo", d(1968, 11, 3), d(2023, 2, 10));
    let o = jpki(
        &mut w,
        JpkiRequest {
            person: kazuo,
            kind: CertKind::Sign,
            pin: Some("ONSHI2024".into()),
            sign: None,
        },
    );
    let der = o.certificate.unwrap().0;
    verify_chain(&der, &o.ca_certificate.unwrap().0).unwrap();
    assert_eq!(
        inspect_certificate(&der).unwrap().birth,
        Some(d(1968, 11, 3))
    );
}
