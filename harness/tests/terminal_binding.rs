//! The terminal role's checks are bound to the card in the reader, shown in process with the
//! built-in terminal and two deliberate bugs planted in it (`reference::Planted`): a terminal
//! that sends the previous card's certificate, and one that sends the previous PIN visit's
//! challenge and signature again. Both keep state from one card to the next, in one scenario
//! and across scenarios of a run, as a terminal process does; each scenario's world deals its
//! own keys and serials, so nothing carried over passes as this card's. Also here: every PIN
//! the terminal sends is in the run trace (without its value), the registry's terminal
//! endpoints (`visit`, `patient`, `give-up`) over HTTP, and `--terminal-wait` /
//! `--terminal-settle` out of range are usage errors.

#![allow(clippy::unwrap_used)]

#[path = "support/pcsc_client.rs"]
mod pcsc_client;
#[path = "support/terminal_under_test.rs"]
mod terminal_under_test;

use std::sync::Arc;
use std::time::{Duration, Instant};

use onshi_harness::catalog::Catalog;
use onshi_harness::roles::terminal::TerminalRole;
use onshi_harness::roles::terminal::desk::{Desk, PatientTry, ReaderVisit};
use onshi_harness::roles::terminal::reference::{Planted, PlantedFault};
use onshi_harness::roles::terminal::server::Server;
use onshi_harness::run::{self, RunOptions};
use onshi_harness::shared::SharedWorld;
use onshi_reports::{Check, ScenarioRecord, Verdict};
use serde_json::{Value, json};

/// Two cards at the terminal, one after the other: each visit must send its own card's
/// certificate and signature.
const TWO_CARDS: &str = r#"id: binding/two-cards
title: { en: "two cards at the terminal, one after the other" }
requirements: [CARD-1, RDR-2]
start: 2026-04-01T09:00
include: [onshi:standard, onshi:taro]
terminal: true
world:
  people:
    - id: hanako
      born: 1985-02-02
      card: { issued: 2024-06-01, auth_pin: "4321" }
      insurance: [{ insurer: kumiai, symbol: "50", number: "77", from: 2010-04-01 }]
      registered: { on: 2024-06-10T10:00 }
steps:
  - visit: { name: first, person: taro, at: clinic, verify: [pin: "9999", pin: "1234"] }
  - visit: { name: second, person: hanako, at: clinic, verify: [pin: "4321"] }
expect:
  - terminal: { of: first, certificate: auth, signature: card, confirmed: true }
  - terminal: { of: second, certificate: auth, signature: card, confirmed: true }
  - trace.has: { kind: card.verify, from: reader, to: card, person: taro, count: 2 }
  - trace.has: { kind: card.verify, from: reader, to: card, person: hanako, count: 1 }
"#;

/// One card in a scenario of its own (`ID` replaced): run twice, the second scenario's world
/// is another world with the same person and the same card history.
const ONE_CARD: &str = r#"id: ID
title: { en: one card at the terminal }
requirements: [CARD-1]
start: 2026-04-01T09:00
include: [onshi:standard, onshi:taro]
terminal: true
steps:
  - visit: { name: only, person: taro, at: clinic, verify: [pin: "1234"] }
expect:
  - terminal: { of: only, certificate: auth, signature: card }
"#;

/// Runs the scenario files `files` (name, text) in one run, one at a time, with `terminal`.
fn run(files: &[(&str, String)], terminal: TerminalRole) -> Vec<ScenarioRecord> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut options = RunOptions {
        jobs: 1,
        ..RunOptions::default()
    };
    options.roles.terminal = terminal;
    let result = run::run(&[dir.path().to_path_buf()], Catalog::builtin(), &options).unwrap();
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    result.record.scenarios
}

fn planted(fault: PlantedFault) -> TerminalRole {
    TerminalRole::Planted(Arc::new(Planted::new(fault)))
}

/// The check `name` of the expectation on the visit `of` (by the expectation's line).
fn check<'a>(s: &'a ScenarioRecord, name: &str, nth: usize) -> &'a Check {
    s.checks
        .iter()
        .filter(|c| c.name == name)
        .nth(nth)
        .unwrap_or_else(|| panic!("no check {name} #{nth} in {:#?}", s.checks))
}

fn two_scenarios() -> Vec<(&'static str, String)> {
    vec![
        ("a.yaml", ONE_CARD.replace("ID", "binding/a")),
        ("b.yaml", ONE_CARD.replace("ID", "binding/b")),
    ]
}

#[test]
fn the_reference_terminal_sends_each_cards_own_certificate_and_signature() {
    let all = run(&[("two.yaml", TWO_CARDS.into())], TerminalRole::Reference);
    let s = &all[0];
    assert_eq!(s.verdict, Verdict::Pass, "{s:#?}");
    let all = run(&two_scenarios(), TerminalRole::Reference);
    assert!(all.iter().all(|s| s.verdict == Verdict::Pass), "{all:#?}");
}

#[test]
fn the_previous_cards_certificate_is_another_card_not_this_ones() {
    let all = run(
        &[("two.yaml", TWO_CARDS.into())],
        planted(PlantedFault::ReusesCertificate),
    );
    let s = &all[0];
    assert_eq!(s.verdict, Verdict::Fail, "{s:#?}");
    let first = check(s, "terminal.certificate", 0);
    assert_eq!(first.verdict, Verdict::Pass, "the first card is its own");
    let second = check(s, "terminal.certificate", 1);
    assert_eq!(second.verdict, Verdict::Fail, "{second:?}");
    assert_eq!(second.actual, "other_card");
    // The card did sign: the signature is hanako's; the registry refuses the pair.
    assert_eq!(check(s, "terminal.signature", 1).actual, "card");
    assert_eq!(check(s, "terminal.confirmed", 1).verdict, Verdict::Fail);
}

#[test]
fn a_certificate_carried_over_from_another_scenarios_world_is_not_this_cards() {
    let all = run(&two_scenarios(), planted(PlantedFault::ReusesCertificate));
    assert_eq!(all[0].verdict, Verdict::Pass, "{:#?}", all[0]);
    // The same person with the same card history, in another world: still not this card.
    let b = &all[1];
    let c = check(b, "terminal.certificate", 0);
    assert_eq!(c.verdict, Verdict::Fail, "{b:#?}");
    assert_eq!(c.actual, "other");
}

#[test]
fn a_signature_by_another_key_does_not_verify_as_this_cards() {
    // The second visit sends the first visit's challenge and signature (taro's key).
    let all = run(
        &[("two.yaml", TWO_CARDS.into())],
        planted(PlantedFault::ReusesSignature),
    );
    let s = &all[0];
    let second = check(s, "terminal.signature", 1);
    assert_eq!(second.verdict, Verdict::Fail, "{s:#?}");
    assert_eq!(second.actual, "other");
    assert_eq!(check(s, "terminal.certificate", 1).actual, "auth");
    // Across scenarios: taro's card of scenario a signed; scenario b's taro has another key.
    let all = run(&two_scenarios(), planted(PlantedFault::ReusesSignature));
    let c = check(&all[1], "terminal.signature", 0);
    assert_eq!(c.verdict, Verdict::Fail, "{:#?}", all[1]);
    assert_eq!(c.actual, "other");
}

#[test]
fn every_pin_the_terminal_sends_is_in_the_trace_without_its_value() {
    let all = run(&[("two.yaml", TWO_CARDS.into())], TerminalRole::Reference);
    let s = &all[0];
    let verifies: Vec<(&str, &str)> = s
        .trace
        .iter()
        .filter(|e| e.kind == "card.verify")
        .map(|e| (e.person.as_deref().unwrap_or(""), e.summary.as_str()))
        .collect();
    assert_eq!(
        verifies,
        [
            (
                "taro",
                "VERIFY 利用者証明用PIN at the terminal: wrong, 2 tries left (63 C2)"
            ),
            (
                "taro",
                "VERIFY 利用者証明用PIN at the terminal: accepted (90 00)"
            ),
            (
                "hanako",
                "VERIFY 利用者証明用PIN at the terminal: accepted (90 00)"
            ),
        ]
    );
    let text = serde_json::to_string(&s.trace).unwrap();
    for pin in ["9999", "1234", "4321"] {
        assert!(!text.contains(pin), "the trace holds the PIN {pin}");
    }
}

/// A scenario world with taro, and a desk serving the terminal endpoints from it.
fn endpoints() -> (Server, Arc<Desk>, SharedWorld) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.yaml");
    std::fs::write(&path, ONE_CARD.replace("ID", "binding/http")).unwrap();
    let sc = onshi_harness::scenario::open(&path, Catalog::builtin()).unwrap();
    let world = onshi_harness::run::execute::build_world(&sc.plan, 1).unwrap();
    let shared = SharedWorld::new(world);
    let desk = Arc::new(Desk::new());
    desk.attach(shared.clone());
    let server = Server::start("127.0.0.1:0", Arc::clone(&desk)).unwrap();
    (server, desk, shared)
}

fn call(server: &Server, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let r = terminal_under_test::http(server.addr(), method, path, body).unwrap();
    (r.status, serde_json::from_slice(&r.body).unwrap())
}

fn taro_at_the_reader(desk: &Desk, world: &SharedWorld, tries: Vec<PatientTry>) {
    let w = world.lock();
    let person = w.person_by_key("taro").unwrap();
    let card = w
        .presented_card(person, onshi_sim::world::Presentation::Card)
        .unwrap();
    let institution = w.institutions()[0].id;
    drop(w);
    desk.begin(ReaderVisit {
        person,
        card,
        institution,
        tries: tries.into(),
        limit_consent: true,
        disease_consent: false,
    });
}

#[test]
fn the_patient_endpoint_hands_out_one_try_per_call_in_order() {
    let (server, desk, world) = endpoints();
    assert_eq!(call(&server, "GET", "/onshi/terminal/patient", None).0, 404);
    taro_at_the_reader(
        &desk,
        &world,
        vec![
            PatientTry::Face {
                similarity: 0.5,
                live: true,
            },
            PatientTry::Pin("1234".into()),
        ],
    );
    let (status, visit) = call(&server, "GET", "/onshi/terminal/visit", None);
    assert_eq!(status, 200);
    assert_eq!(
        visit,
        json!({"medicalInstitutionCode": "1310143217", "limitConsent": true,
               "diseaseConsent": false, "faceThreshold": 0.8, "faceRetriesBeforePin": 2})
    );
    let tries: Vec<Value> = (0..3)
        .map(|_| call(&server, "GET", "/onshi/terminal/patient", None).1)
        .collect();
    assert_eq!(
        tries,
        [
            json!({"face": 0.5, "live": true, "pin": null}),
            json!({"face": null, "live": null, "pin": "1234"}),
            json!({"face": null, "live": null, "pin": null}),
        ]
    );
}

#[test]
fn giving_up_ends_the_wait_for_the_confirmation_at_once() {
    let (server, desk, world) = endpoints();
    let (status, body) = call(
        &server,
        "POST",
        "/onshi/terminal/give-up",
        Some(&json!({"reason": "x"})),
    );
    assert_eq!((status, &body["code"]), (404, &json!("no_card")));
    taro_at_the_reader(&desk, &world, vec![]);
    let waiter = {
        let desk = Arc::clone(&desk);
        std::thread::spawn(move || {
            let start = Instant::now();
            (
                desk.wait_for_end(0, Duration::from_secs(120)),
                start.elapsed(),
            )
        })
    };
    let (status, body) = call(
        &server,
        "POST",
        "/onshi/terminal/give-up",
        Some(&json!({"nonsense": 1})),
    );
    assert_eq!((status, &body["code"]), (400, &json!("malformed_json")));
    let (status, body) = call(
        &server,
        "POST",
        "/onshi/terminal/give-up",
        Some(&json!({"reason": "PIN blocked"})),
    );
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    let (end, waited) = waiter.join().unwrap();
    assert!(waited < Duration::from_secs(60), "waited {waited:?}");
    assert_eq!(end.gave_up.as_deref(), Some("PIN blocked"));
    assert!(!end.answered());
    let w = world.lock();
    let last = w.trace().entries().last().unwrap();
    assert_eq!(
        (last.kind, last.summary.as_str()),
        (
            "terminal.give_up",
            "the terminal gave up on the visit: PIN blocked"
        )
    );
    drop(w);
    desk.detach();
    let (status, _) = call(&server, "POST", "/onshi/terminal/give-up", None);
    assert_eq!(status, 503);
}

#[test]
fn terminal_wait_and_settle_out_of_range_are_usage_errors_not_panics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    for (flag, value, says) in [
        ("--terminal-wait", "1e30", "at most 3600"),
        ("--terminal-wait", "nan", "positive number of seconds"),
        ("--terminal-settle", "60001", "from 0 to 60000"),
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_onshi"))
            .current_dir(&root)
            .args([
                "run",
                "scenarios/terminal",
                "--terminal-vpcd",
                "127.0.0.1:1",
            ])
            .args(["--terminal-http", "127.0.0.1:0", flag, value, "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains(says),
            "{flag} {value}: {stderr}"
        );
    }
}

#[test]
fn requests_without_a_card_are_refused_and_challenges_are_the_visits_own() {
    let (server, desk, world) = endpoints();
    // No card on the reader: no challenge, no confirmation; nothing recorded for a next visit.
    let (status, body) = call(&server, "POST", "/onshi/terminal/challenge", None);
    assert_eq!((status, &body["code"]), (404, &json!("no_card")));
    let (status, body) = call(
        &server,
        "POST",
        "/onshi/terminal/confirm",
        Some(
            &json!({"medicalInstitutionCode": "1310143217", "method": "face",
                      "certificate": "AAAA", "limitConsent": false, "diseaseConsent": false}),
        ),
    );
    assert_eq!((status, &body["code"]), (404, &json!("no_card")));
    assert_eq!(desk.len(), 0);
    // With the card: at most MAX_CHALLENGES_PER_VISIT challenges, then 429.
    taro_at_the_reader(&desk, &world, vec![]);
    for _ in 0..onshi_harness::roles::terminal::desk::MAX_CHALLENGES_PER_VISIT {
        assert_eq!(
            call(&server, "POST", "/onshi/terminal/challenge", None).0,
            200
        );
    }
    let (status, body) = call(&server, "POST", "/onshi/terminal/challenge", None);
    assert_eq!(
        (status, &body["code"]),
        (429, &json!("too_many_challenges"))
    );
    // A new card starts a new count.
    desk.end();
    taro_at_the_reader(&desk, &world, vec![]);
    assert_eq!(
        call(&server, "POST", "/onshi/terminal/challenge", None).0,
        200
    );
}
