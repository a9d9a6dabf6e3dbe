use super::*;
use crate::card::{CardPins, CardStatus};
use crate::ids::{CardId, CertId, PersonId};
use crate::rules::RuleSet;
use jiff::civil::date;

fn card() -> Card {
    Card {
        id: CardId(0),
        person: PersonId(0),
        issued: date(2024, 1, 10),
        expires: date(2034, 5, 10),
        auth_cert: CertId(0),
        sign_cert: None,
        status: CardStatus::Active,
        pins: CardPins::new("1234", "ABC123", "0000"),
        photo_template: 1,
        face_failures: 0,
        face_locked: false,
        challenges_drawn: 0,
    }
}

fn face(similarity: f64) -> Attempt {
    Attempt::Face {
        similarity,
        live: true,
    }
}

fn pin(p: &str) -> Attempt {
    Attempt::Pin { pin: p.into() }
}

#[test]
fn face_match_above_threshold_verifies_and_resets_failures() {
    let rules = RuleSet::builtin();
    let mut c = card();
    c.face_failures = 4;
    let v = verify(&mut c, &[face(0.93)], rules.switches());
    assert_eq!(v.method, Some(Method::Face));
    assert_eq!(c.face_failures, 0);
}

#[test]
fn face_mismatch_retries_then_pin_path() {
    let rules = RuleSet::builtin();
    let sw = rules.switches();
    let mut c = card();
    let retries = sw.face_retries_before_pin as usize + 1;
    let mut attempts: Vec<Attempt> = (0..retries).map(|_| face(0.2)).collect();
    attempts.push(face(0.99)); // refused: the reader has moved to the PIN path
    attempts.push(pin("1234"));
    let v = verify(&mut c, &attempts, sw);
    assert_eq!(v.method, Some(Method::Pin));
    assert_eq!(v.attempts[retries], AttemptResult::FaceRetriesExhausted);
    assert_eq!(c.face_failures as usize, retries);
}

#[test]
fn blocked_pin_still_allows_face_and_visual_check() {
    let rules = RuleSet::builtin();
    let mut c = card();
    let v = verify(
        &mut c,
        &[pin("0000"), pin("0000"), pin("0000"), pin("1234")],
        rules.switches(),
    );
    assert_eq!(v.method, None);
    assert_eq!(v.attempts[2], AttemptResult::Pin(PinResult::NowBlocked));
    assert_eq!(v.attempts[3], AttemptResult::Pin(PinResult::Blocked));
    assert!(c.pins.auth_counter.is_blocked());
    let v = verify(&mut c, &[face(0.95)], rules.switches());
    assert_eq!(v.method, Some(Method::Face));
    let v = verify(
        &mut c,
        &[Attempt::Visual { confirmed: true }],
        rules.switches(),
    );
    assert_eq!(v.method, Some(Method::Visual));
}

#[test]
fn visual_success_resets_neither_pin_nor_face_counters() {
    let rules = RuleSet::builtin();
    let mut c = card();
    let v = verify(
        &mut c,
        &[face(0.1), pin("9999"), Attempt::Visual { confirmed: true }],
        rules.switches(),
    );
    assert_eq!(v.method, Some(Method::Visual));
    assert_eq!(c.face_failures, 1);
    assert_eq!(c.pins.auth_counter.remaining, 2);
}

#[test]
fn liveness_failure_and_nan_similarity_never_verify() {
    let rules = RuleSet::builtin();
    let mut c = card();
    let v = verify(
        &mut c,
        &[
            Attempt::Face {
                similarity: 0.99,
                live: false,
            },
            face(f64::NAN),
        ],
        rules.switches(),
    );
    assert_eq!(v.method, None);
    assert_eq!(v.attempts[0], AttemptResult::NotLive);
}

#[test]
fn attempts_after_success_are_counted_as_unused() {
    let rules = RuleSet::builtin();
    let mut c = card();
    let v = verify(
        &mut c,
        &[face(0.9), pin("1234"), pin("1234")],
        rules.switches(),
    );
    assert_eq!(v.method, Some(Method::Face));
    assert_eq!(v.unused_attempts, 2);
    assert_eq!(c.pins.auth_counter.remaining, 3);
}

#[test]
fn unanswered_screens_count_as_declined() {
    let rules = RuleSet::builtin();
    let settings = crate::rules::InstitutionSettings::default();
    let plan = rules.consent_plan(date(2026, 4, 1), date(1970, 1, 1), &settings, false);
    let out = run_consent(&plan, &ConsentAnswers::default());
    assert!(!out.shown.is_empty());
    assert_eq!(out.unanswered, out.shown);
    assert!(out.decisions.iter().all(|(_, g)| !g));
    let all = ConsentAnswers {
        blanket: Some(true),
        items: Default::default(),
    };
    let out = run_consent(&plan, &all);
    assert!(out.blanket_offered);
    assert!(out.unanswered.is_empty());
    assert!(out.decisions.iter().all(|(_, g)| *g));
}
