//! The terminal scenarios each catch on their own what they are meant to catch. Every
//! `scenarios/terminal/*.yaml` runs ALONE (one `onshi run FILE --terminal-vpcd … --terminal-http
//! …` per scenario) against a FRESH terminal under test (a new child process per scenario), once
//! for the good terminal and once for each one-bug variant of it (the `Mode`s of
//! `support/terminal_under_test.rs`, the spirit of `examples/clinic-py/mutants/`). A bug that
//! only shows when several scenarios run in one terminal process (a certificate or challenge
//! kept from an earlier card) must still be caught by one scenario alone, as a vendor
//! reproducing one bug runs it.
//!
//! The test prints the kill table (mutant × the first scenario, in file order, that kills it
//! alone, with its failed checks and their requirements) and asserts that the good terminal
//! passes every scenario alone and that every mutant fails at least one check that names a
//! requirement. It needs pcscd and vsmartcard-vpcd (`scripts/pcsc-setup.sh`); one private
//! pcscd serves all the runs, one after the other, each with a deadline.

#![allow(clippy::unwrap_used)]

#[path = "support/pcsc_client.rs"]
mod pcsc_client;
#[path = "support/terminal_run.rs"]
mod terminal_run;
#[path = "support/terminal_under_test.rs"]
mod terminal_under_test;

use std::path::Path;

use onshi_harness::pcsc::pcscd::PrivatePcscd;
use serde_json::Value;

use terminal_run::{TERMINAL_MODE, run_on, scenarios, terminal_half};
use terminal_under_test::MODES;

const TEST: &str = "every_terminal_mutant_is_killed_by_a_terminal_scenario_run_alone";

/// Small waits: a visit the terminal neither confirms nor gives up costs the whole wait.
const FLAGS: [&str; 4] = ["--terminal-wait", "5", "--terminal-settle", "300"];

/// A failed check that names a requirement: what killed a mutant in one scenario.
struct Kill {
    scenario: String,
    check: String,
    requirements: String,
}

/// The failed checks of a one-scenario run, as kills (checks without a requirement left out).
fn kills(record: &Value) -> Vec<Kill> {
    let mut out = Vec::new();
    for s in scenarios(record) {
        for c in s["checks"].as_array().unwrap() {
            let reqs: Vec<&str> = c["requirements"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if c["verdict"] != "pass" && !reqs.is_empty() {
                out.push(Kill {
                    scenario: s["id"].as_str().unwrap().to_owned(),
                    check: c["name"].as_str().unwrap().to_owned(),
                    requirements: reqs.join(","),
                });
            }
        }
    }
    out
}

#[test]
fn every_terminal_mutant_is_killed_by_a_terminal_scenario_run_alone() {
    if std::env::var_os(TERMINAL_MODE).is_some() {
        return terminal_half();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<String> = std::fs::read_dir(root.join("scenarios/terminal"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("scenarios/terminal/{n}"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let pcscd =
        PrivatePcscd::start().unwrap_or_else(|e| panic!("cannot start a private pcscd: {e}"));
    let mut table = Vec::new();
    let mut problems = Vec::new();
    for (mode, _) in MODES {
        let mut found = Vec::new();
        for file in &files {
            let run = run_on(&pcscd, mode, file, TEST, &FLAGS);
            let ran = scenarios(&run.record);
            assert_eq!(ran.len(), 1, "{file}: one scenario per run");
            let k = kills(&run.record);
            if mode == "good" {
                if run.status.code() != Some(0) || ran[0]["verdict"] != "pass" {
                    problems.push(format!(
                        "the good terminal fails {file} alone: {:#}\n{}\n--- terminal\n{}",
                        ran[0]["checks"], run.onshi, run.terminal
                    ));
                }
            } else {
                // A failed run is a failed check, never an error of the harness.
                assert!(
                    matches!(run.status.code(), Some(0 | 1)),
                    "{mode} on {file}: {}\n{}",
                    run.onshi,
                    run.terminal
                );
            }
            let killed = !k.is_empty();
            found.extend(k);
            // One scenario alone is enough to kill a mutant: the next mutant (keeps the test
            // inside CI's time; the good terminal still runs every scenario).
            if mode != "good" && killed {
                break;
            }
        }
        if mode != "good" && found.is_empty() {
            problems.push(format!(
                "the mutant {mode} survives every terminal scenario"
            ));
        }
        table.push((mode, found));
    }
    println!("\nterminal mutants, each scenario run alone against a fresh terminal:");
    println!(
        "{:<30} {:<45} {:<32} requirements",
        "mutant", "scenario", "check"
    );
    for (mode, found) in &table {
        if found.is_empty() {
            println!("{mode:<30} {:<45} {:<32} -", "(none)", "-");
        }
        for k in found {
            println!(
                "{mode:<30} {:<45} {:<32} {}",
                k.scenario, k.check, k.requirements
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
