//! The terminal role end to end: the built `onshi` binary runs the `terminal: true` scenarios
//! with `--terminal-vpcd` (each visit puts the world's card in a private pcscd's vpcd slot)
//! and `--terminal-http` (the registry's terminal endpoints), while a terminal under test
//! (`support/terminal_under_test.rs`, a PC/SC client plus a tiny HTTP client) serves every
//! card put in the reader. A good terminal passes all the terminal scenarios in one run (and
//! each alone: `terminal_mutants.rs`); a terminal that also
//! selects the 券面事項入力補助AP fails `terminal.my_number_untouched` (RDR-6, PRV-5), and so
//! does one that reads it right after the registry answered (the card stays on the reader for
//! `--terminal-settle`).
//!
//! The terminal runs as a child process of this test (`support/terminal_run.rs`). In the scenario
//! where the PIN gets blocked the terminal sends no confirmation but gives up
//! (`POST /onshi/terminal/give-up`), so that visit ends at once instead of costing the whole
//! `--terminal-wait`.
//!
//! Needs pcscd and vsmartcard-vpcd (`scripts/pcsc-setup.sh`) and root or unprivileged user
//! namespaces; without them the tests fail and say so.

#![allow(clippy::unwrap_used)]

#[path = "support/pcsc_client.rs"]
mod pcsc_client;
#[path = "support/terminal_run.rs"]
mod terminal_run;
#[path = "support/terminal_under_test.rs"]
mod terminal_under_test;

use serde_json::Value;

use terminal_run::{TERMINAL_MODE, checks, failed, run_with_terminal, scenarios, terminal_half};

const GOOD_TEST: &str = "a_terminal_under_test_passes_the_terminal_scenarios_over_pcsc";

#[test]
fn a_terminal_under_test_passes_the_terminal_scenarios_over_pcsc() {
    if std::env::var_os(TERMINAL_MODE).is_some() {
        return terminal_half();
    }
    let run = run_with_terminal("good", "scenarios/terminal", GOOD_TEST);
    let context = format!("onshi:\n{}\n--- terminal\n{}", run.onshi, run.terminal);
    assert_eq!(run.status.code(), Some(0), "{context}");
    let terminal_role = run.record["roles"]["terminal"].as_str().unwrap();
    assert!(terminal_role.starts_with("under test"), "{terminal_role}");
    let all = scenarios(&run.record);
    let ids: Vec<&str> = all.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "terminal/face-below-threshold-then-pin",
            "terminal/face-retries-then-pin",
            "terminal/face-visit-reads-the-certificate-only",
            "terminal/limit-consent-as-answered",
            "terminal/pin-blocked-at-the-reader",
            "terminal/pin-visit-signs-with-auth-key",
            "terminal/revoked-certificate",
            "terminal/two-patients-one-reader",
            "terminal/two-signed-confirmations",
            "terminal/wrong-pin-then-right",
        ],
        "{context}"
    );
    for s in all {
        assert_eq!(s["verdict"], "pass", "{}: {s:#}\n{context}", s["id"]);
        let untouched = checks(s, "terminal.my_number_untouched");
        assert!(!untouched.is_empty(), "{}", s["id"]);
        assert!(untouched.iter().all(|c| c["verdict"] == "pass"));
    }
    // One visit per card put on the reader: fifteen in the ten scenarios.
    assert!(run.terminal.contains("terminal: visit 15:"), "{context}");
    // The blocked PIN: the terminal gave up, the visit ended at once and says so.
    let blocked = &all[4];
    let gave_up: Vec<&Value> = blocked["trace"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "terminal.give_up")
        .collect();
    assert_eq!(gave_up.len(), 1, "{blocked:#}");
    assert!(
        gave_up[0]["summary"]
            .as_str()
            .unwrap()
            .contains("PIN blocked at try 3"),
        "{gave_up:?}"
    );
    let confirmed = checks(blocked, "terminal.confirmed");
    assert!(
        confirmed[0]["note"]
            .as_str()
            .unwrap()
            .starts_with("the terminal gave up on the visit"),
        "{confirmed:?}"
    );
    // No visit waited for the terminal in vain (each would cost the whole --terminal-wait).
    for s in all {
        for c in checks(s, "terminal.confirmed") {
            let note = c["note"].as_str().unwrap_or("");
            assert!(
                !note.contains("sent no confirmation"),
                "{}: {note}\n{context}",
                s["id"]
            );
        }
    }
    // Every PIN the terminal sent is in the trace, never its value (RDR-2).
    let verifies: Vec<&str> = blocked["trace"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "card.verify")
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(verifies.len(), 3, "{verifies:?}");
    assert!(
        verifies
            .iter()
            .all(|s| !["1111", "2222", "3333"].iter().any(|pin| s.contains(pin))),
        "{verifies:?}"
    );
}

const MUTANT_TEST: &str = "a_terminal_that_selects_the_input_support_ap_fails_my_number_untouched";

#[test]
fn a_terminal_that_selects_the_input_support_ap_fails_my_number_untouched() {
    if std::env::var_os(TERMINAL_MODE).is_some() {
        return terminal_half();
    }
    let run = run_with_terminal(
        "touches-my-number",
        "scenarios/terminal/pin-visit-signs-with-auth-key.yaml",
        MUTANT_TEST,
    );
    let context = format!("onshi:\n{}\n--- terminal\n{}", run.onshi, run.terminal);
    assert_eq!(run.status.code(), Some(1), "the run fails: {context}");
    let all = scenarios(&run.record);
    assert_eq!(all.len(), 1);
    let s = &all[0];
    assert_eq!(s["verdict"], "fail", "{s:#}");
    let untouched = checks(s, "terminal.my_number_untouched");
    assert_eq!(untouched.len(), 1, "{s:#}");
    assert_eq!(untouched[0]["verdict"], "fail");
    assert_eq!(
        untouched[0]["actual"],
        "the terminal selected the 券面事項入力補助AP"
    );
    // Everything else the terminal did was right.
    assert_eq!(failed(s), ["terminal.my_number_untouched"], "{s:#}");
}

const AFTER_TEST: &str =
    "a_terminal_that_reads_the_input_support_ap_after_confirming_fails_my_number_untouched";

#[test]
fn a_terminal_that_reads_the_input_support_ap_after_confirming_fails_my_number_untouched() {
    if std::env::var_os(TERMINAL_MODE).is_some() {
        return terminal_half();
    }
    let run = run_with_terminal(
        "reads-my-number-after-confirm",
        "scenarios/terminal/pin-visit-signs-with-auth-key.yaml",
        AFTER_TEST,
    );
    let context = format!("onshi:\n{}\n--- terminal\n{}", run.onshi, run.terminal);
    assert_eq!(run.status.code(), Some(1), "the run fails: {context}");
    let s = &scenarios(&run.record)[0];
    let untouched = checks(s, "terminal.my_number_untouched");
    assert_eq!(untouched.len(), 1, "{s:#}");
    assert_eq!(untouched[0]["verdict"], "fail", "{context}");
    assert!(
        untouched[0]["actual"]
            .as_str()
            .unwrap()
            .ends_with("after the registry answered"),
        "{untouched:?}"
    );
    // The confirmation itself was right: only the late read fails.
    assert_eq!(failed(s), ["terminal.my_number_untouched"], "{s:#}");
}
