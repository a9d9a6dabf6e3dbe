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
