//! The APDU engine and the scenario world share one card state: a PIN blocked over PC/SC is
//! blocked at the next visit, and a block at the reader shows over PC/SC.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use onshi_sim::card::PinResult;
use onshi_sim::card::apdu::{Application, CardSession, Sw};
use onshi_sim::reader::{Attempt, AttemptResult};
use onshi_sim::world::{Event, Outcome, VisitOutcome};

fn run_visit(w: &mut onshi_sim::World, spec: onshi_sim::world::VisitSpec) -> VisitOutcome {
    match w.apply(Event::Visit(Box::new(spec))).unwrap() {
        Outcome::Visit(v) => *v,
        other => panic!("not a visit outcome: {other:?}"),
    }
}

fn sw(r: &[u8]) -> Sw {
    Sw::of_response(r).unwrap()
}

const SELECT_AUTH_PIN: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18];

#[test]
fn a_pin_blocked_over_pcsc_is_blocked_at_the_next_visit_and_after_the_reset_it_works() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let card = w.current_card(taro).unwrap().id;
    let mut s = CardSession::new();
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(Application::Jpki.aid());
    assert_eq!(sw(&s.transmit(&mut w, card, &select)), Sw::OK);
    assert_eq!(sw(&s.transmit(&mut w, card, &SELECT_AUTH_PIN)), Sw::OK);
    let wrong = [0x00, 0x20, 0x00, 0x80, 0x04, b'9', b'9', b'9', b'9'];
    let answers: Vec<Sw> = (0..3)
        .map(|_| sw(&s.transmit(&mut w, card, &wrong)))
        .collect();
    assert_eq!(
        answers,
        [Sw::tries_left(2), Sw::tries_left(1), Sw::PIN_BLOCKED]
    );
    assert!(w.current_card(taro).unwrap().pins.auth_counter.is_blocked());

    let v = {
        let spec = visit(&w, taro, vec![Attempt::Pin { pin: "1234".into() }]);
        run_visit(&mut w, spec)
    };
    let verification = v.verification.unwrap();
    assert_eq!(
        verification.attempts,
        [AttemptResult::Pin(PinResult::Blocked)]
    );
    assert!(v.answer.is_none());

    w.apply(Event::PinReset { person: taro }).unwrap();
    s.power_off();
    assert_eq!(sw(&s.transmit(&mut w, card, &select)), Sw::OK);
    assert_eq!(sw(&s.transmit(&mut w, card, &SELECT_AUTH_PIN)), Sw::OK);
    assert_eq!(
        sw(&s.transmit(&mut w, card, &[0x00, 0x20, 0x00, 0x80])),
        Sw::tries_left(3)
    );
}

#[test]
fn wrong_pins_at_the_reader_show_as_fewer_tries_over_pcsc() {
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let card = w.current_card(taro).unwrap().id;
    let v = {
        let spec = visit(
            &w,
            taro,
            vec![
                Attempt::Pin { pin: "0000".into() },
                Attempt::Pin { pin: "1234".into() },
            ],
        );
        run_visit(&mut w, spec)
    };
    assert!(v.answer.is_some());
    let v = {
        let spec = visit(&w, taro, vec![Attempt::Pin { pin: "0000".into() }]);
        run_visit(&mut w, spec)
    };
    assert!(v.answer.is_none());
    let mut s = CardSession::new();
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(Application::Jpki.aid());
    s.transmit(&mut w, card, &select);
    s.transmit(&mut w, card, &SELECT_AUTH_PIN);
    assert_eq!(
        sw(&s.transmit(&mut w, card, &[0x00, 0x20, 0x00, 0x80])),
        Sw::tries_left(2)
    );
}

/// What a terminal under test does over PC/SC: read the auth certificate, VERIFY the PIN,
/// sign the registry's challenge with the auth key.
fn terminal_read_and_sign(
    w: &mut onshi_sim::World,
    card: onshi_sim::ids::CardId,
    pin: &[u8],
    cert_ef: [u8; 2],
    challenge: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let mut s = CardSession::new();
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(Application::Jpki.aid());
    assert_eq!(sw(&s.transmit(w, card, &select)), Sw::OK);
    if cert_ef == [0x00, 0x01] {
        // The signature certificate needs the signature PIN.
        assert_eq!(
            sw(&s.transmit(w, card, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B])),
            Sw::OK
        );
        let mut v = vec![0x00, 0x20, 0x00, 0x80, 9];
        v.extend_from_slice(b"ONSHI2024");
        assert_eq!(sw(&s.transmit(w, card, &v)), Sw::OK);
    }
    let select_cert = [0x00, 0xA4, 0x02, 0x0C, 0x02, cert_ef[0], cert_ef[1]];
    assert_eq!(sw(&s.transmit(w, card, &select_cert)), Sw::OK);
    let mut cert = Vec::new();
    loop {
        let off = cert.len();
        let r = s.transmit(w, card, &[0x00, 0xB0, (off >> 8) as u8, off as u8, 0x00]);
        if sw(&r) != Sw::OK {
            break;
        }
        let data = &r[..r.len() - 2];
        cert.extend_from_slice(data);
        if data.len() < 256 {
            break;
        }
    }
    assert_eq!(sw(&s.transmit(w, card, &SELECT_AUTH_PIN)), Sw::OK);
    let mut verify = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
    verify.extend_from_slice(pin);
    s.transmit(w, card, &verify);
    assert_eq!(
        sw(&s.transmit(w, card, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17])),
        Sw::OK
    );
    let di = onshi_sim::jlis::sha256_digest_info(challenge);
    let mut sign = vec![0x80, 0x2A, 0x00, 0x80, di.len() as u8];
    sign.extend_from_slice(&di);
    sign.push(0x00);
    let r = s.transmit(w, card, &sign);
    (cert, r[..r.len() - 2].to_vec())
}

#[test]
fn a_terminal_that_reads_the_card_and_signs_the_challenge_gets_the_answer() {
    use onshi_sim::registry::terminal::{SignedCardConfirm, TerminalProof, TerminalRejection};
    let mut w = world("2026-04-01T09:00");
    let taro = taro(&mut w);
    let card = w.current_card(taro).unwrap().id;
    let clinic = w.institution_by_key("clinic").unwrap();
    let today = w.clock().today();
    let request = |cert: Vec<u8>, challenge: Vec<u8>, signature: Vec<u8>| SignedCardConfirm {
        certificate_der: cert,
        proof: TerminalProof::Pin {
            challenge,
            signature,
        },
        institution: clinic,
        date: today,
        limit_consent: false,
        disease_consent: false,
    };

    let challenge = w.challenges_mut().issue();
    let (cert, sig) = terminal_read_and_sign(&mut w, card, b"1234", [0x00, 0x0A], &challenge);
    let answer = w
        .confirm_card_signed(&request(cert.clone(), challenge.clone(), sig.clone()))
        .unwrap();
    assert_eq!(
        answer.validity,
        Some(onshi_sim::oqs::QualificationValidity::Valid)
    );
    // A challenge is good once.
    assert_eq!(
        w.confirm_card_signed(&request(cert.clone(), challenge, sig)),
        Err(TerminalRejection::UnknownChallenge)
    );
    // Without the PIN the card does not sign: whatever the terminal sends does not verify.
    let challenge = w.challenges_mut().issue();
    let (cert2, unsigned) = terminal_read_and_sign(&mut w, card, b"0000", [0x00, 0x0A], &challenge);
    assert!(unsigned.is_empty(), "the card signed without the PIN");
    assert!(matches!(
        w.confirm_card_signed(&request(cert2, challenge.clone(), vec![0; 256])),
        Err(TerminalRejection::BadSignature { .. })
    ));
    // The PIN is right again (the counter was at 2): the signature certificate is refused.
    let (sign_cert, sig) = terminal_read_and_sign(&mut w, card, b"1234", [0x00, 0x01], &challenge);
    assert_eq!(
        w.confirm_card_signed(&request(sign_cert, challenge.clone(), sig)),
        Err(TerminalRejection::SignatureCertificate)
    );
    assert!(matches!(
        w.confirm_card_signed(&request(b"not a certificate".to_vec(), challenge, vec![])),
        Err(TerminalRejection::MalformedCertificate { .. })
    ));
    let kinds: Vec<&str> = w.trace().entries().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "terminal.confirm").count(),
        5
    );
}
