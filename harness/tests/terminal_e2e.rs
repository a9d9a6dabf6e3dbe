//! The terminal role end to end: the built `onshi` binary runs the `terminal: true` scenarios
//! with `--terminal-vpcd` (each visit puts the world's card in a private pcscd's vpcd slot)
//! and `--terminal-http` (the registry's terminal endpoints), while a terminal under test
//! (`support/terminal_under_test.rs`, a PC/SC client plus a tiny HTTP client) serves every
//! card put in the reader. A good terminal passes all five scenarios; a terminal that also
//! selects the 券面事項入力補助AP fails `terminal.my_number_untouched` (RDR-6, PRV-5), and so
//! does one that reads it right after the registry answered (the card stays on the reader for
//! `--terminal-settle`).
//!
//! The terminal runs as a child process of this test (the same binary, filtered to one test,
//! with `PCSCLITE_CSOCK_NAME` set), because libpcsclite reads that variable once per process.
//! Every child is killed when its guard drops, and every wait has a deadline. In the scenario
//! where the PIN gets blocked the terminal sends no confirmation but gives up
//! (`POST /onshi/terminal/give-up`), so that visit ends at once instead of costing the whole
//! `--terminal-wait`.
//!
//! Needs pcscd and vsmartcard-vpcd (`scripts/pcsc-setup.sh`) and root or unprivileged user
//! namespaces; without them the tests fail and say so.

#![allow(clippy::unwrap_used)]

#[path = "support/pcsc_client.rs"]
mod pcsc_client;
#[path = "support/terminal_under_test.rs"]
mod terminal_under_test;

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use onshi_harness::pcsc::pcscd::PrivatePcscd;
use serde_json::Value;

use terminal_under_test::Mode;

/// Set in the child: be the terminal under test, in this mode.
const TERMINAL_MODE: &str = "ONSHI_TERMINAL_E2E_MODE";
/// Set in the child: where the terminal endpoints listen.
const TERMINAL_HTTP: &str = "ONSHI_TERMINAL_E2E_HTTP";
/// The clinic of `scenarios/fixtures/standard.yaml`, where every terminal scenario's visit is.
const CLINIC_CODE: &str = "1310143217";
/// `--terminal-wait`: how long onshi waits for a confirmation per visit.
const TERMINAL_WAIT: &str = "20";
/// Longest a whole onshi run may take here.
const RUN_DEADLINE: Duration = Duration::from_secs(90);

/// In the child: serve cards until killed (or a deadline, should the parent be gone).
fn terminal_half() {
    let mode = std::env::var(TERMINAL_MODE).unwrap();
    let mode = Mode::parse(&mode).unwrap_or_else(|| panic!("unknown mode {mode}"));
    let addr: SocketAddr = std::env::var(TERMINAL_HTTP).unwrap().parse().unwrap();
    let deadline = Instant::now() + RUN_DEADLINE + Duration::from_secs(10);
    if let Err(e) = terminal_under_test::run(addr, CLINIC_CODE, mode, deadline) {
        panic!("terminal under test: {e}");
    }
}

/// A child process killed (and reaped) when dropped; output goes to files.
struct ChildGuard {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl ChildGuard {
    fn spawn(mut cmd: Command, dir: &Path, name: &str) -> ChildGuard {
        let stdout = dir.join(format!("{name}.stdout"));
        let stderr = dir.join(format!("{name}.stderr"));
        cmd.stdin(Stdio::null())
            .stdout(fs::File::create(&stdout).unwrap())
            .stderr(fs::File::create(&stderr).unwrap());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        ChildGuard {
            child,
            stdout,
            stderr,
        }
    }

    fn output(&self) -> String {
        format!(
            "--- stdout\n{}\n--- stderr\n{}",
            fs::read_to_string(&self.stdout).unwrap_or_default(),
            fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    /// Waits for the exit, at most `timeout`; None if it is still running.
    fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if start.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // Already gone is fine.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in onshi's line "… registry endpoints at http://ADDR/onshi/terminal/".
fn endpoints_addr(onshi: &mut ChildGuard) -> SocketAddr {
    let start = Instant::now();
    loop {
        let text = fs::read_to_string(&onshi.stdout).unwrap_or_default();
        if let Some(addr) = text
            .split("registry endpoints at http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
        {
            return addr;
        }
        if let Some(status) = onshi.wait(Duration::ZERO) {
            panic!(
                "onshi exited ({status}) before serving the terminal endpoints:\n{}",
                onshi.output()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "onshi did not say where its terminal endpoints are:\n{}",
            onshi.output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What an onshi run with a terminal under test left.
struct Run {
    status: ExitStatus,
    /// Wall-clock time of the whole `onshi run`.
    took: Duration,
    record: Value,
    onshi: String,
    terminal: String,
}

/// Runs `onshi run <scenarios>` bound to a private vpcd slot, with the terminal under test in
/// `mode` serving that reader; `test` is the test the terminal child re-runs.
fn run_with_terminal(mode: &str, scenarios: &str, test: &str) -> Run {
    let pcscd =
        PrivatePcscd::start().unwrap_or_else(|e| panic!("cannot start a private pcscd: {e}"));
    let work = tempfile::tempdir().unwrap();
    let reports = work.path().join("reports");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onshi"));
    cmd.current_dir(&root)
        .args(["--lang", "en", "run", scenarios, "--terminal-vpcd"])
        .arg(pcscd.slot_addr(0).to_string())
        .args([
            "--terminal-http",
            "127.0.0.1:0",
            "--terminal-wait",
            TERMINAL_WAIT,
        ])
        .arg("--out")
        .arg(&reports)
        .env("NO_COLOR", "1");
    let started = Instant::now();
    let mut onshi = ChildGuard::spawn(cmd, work.path(), "onshi");
    let addr = endpoints_addr(&mut onshi);

    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(TERMINAL_MODE, mode)
        .env(TERMINAL_HTTP, addr.to_string());
    pcscd.configure_client(&mut cmd);
    let terminal = ChildGuard::spawn(cmd, work.path(), "terminal");

    let status = onshi.wait(RUN_DEADLINE).unwrap_or_else(|| {
        panic!(
            "onshi still running after {RUN_DEADLINE:?}; killed.\n{}\n--- terminal\n{}\n--- pcscd log\n{}",
            onshi.output(),
            terminal.output(),
            pcscd.log_tail()
        )
    });
    let took = started.elapsed();
    let terminal_said = terminal.output();
    drop(terminal);
    let record = fs::read_to_string(reports.join("run.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|e| {
            panic!(
                "no run.json ({e}); onshi {status}:\n{}\n--- terminal\n{terminal_said}",
                onshi.output()
            )
        });
    Run {
        status,
        took,
        record,
        onshi: onshi.output(),
        terminal: terminal_said,
    }
}

fn scenarios(record: &Value) -> &Vec<Value> {
    record["scenarios"].as_array().unwrap()
}

fn checks<'a>(scenario: &'a Value, name: &str) -> Vec<&'a Value> {
    scenario["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == name)
        .collect()
}

/// The names of the checks of `scenario` that did not pass.
fn failed(scenario: &Value) -> Vec<&str> {
    scenario["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] != "pass")
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

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
            "terminal/face-visit-reads-the-certificate-only",
            "terminal/pin-blocked-at-the-reader",
            "terminal/pin-visit-signs-with-auth-key",
            "terminal/revoked-certificate",
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
    // One visit per card put on the reader: six in the five scenarios.
    assert!(run.terminal.contains("terminal: visit 6:"), "{context}");
    // The blocked PIN: the terminal gave up, the visit ended at once and says so.
    let blocked = &all[1];
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
    let wait = Duration::from_secs(TERMINAL_WAIT.parse().unwrap());
    assert!(
        run.took < wait,
        "the whole run took {:?}: a visit waited for the terminal in vain\n{context}",
        run.took
    );
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
