//! Runs `onshi run` with a terminal under test over PC/SC, for `terminal_e2e.rs` and
//! `terminal_mutants.rs`: a private pcscd with vpcd, onshi bound to its slot 0 with the terminal
//! endpoints on a free port, and the terminal (`terminal_under_test.rs`) in a child process of
//! its own — the test binary again, filtered to the calling test, with [`TERMINAL_MODE`] set —
//! because libpcsclite reads `PCSCLITE_CSOCK_NAME` once per process. Each child leads its own
//! process group, killed as a group when its guard drops; every wait has a deadline.

#![allow(dead_code)] // each includer uses its own part

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use onshi_harness::children::GroupChild;
use onshi_harness::pcsc::pcscd::PrivatePcscd;
use serde_json::Value;

use super::terminal_under_test::{self, Mode};

/// Set in the child: be the terminal under test, in this mode.
pub const TERMINAL_MODE: &str = "ONSHI_TERMINAL_E2E_MODE";
/// Set in the child: where the terminal endpoints listen.
const TERMINAL_HTTP: &str = "ONSHI_TERMINAL_E2E_HTTP";
/// `--terminal-wait` of [`run_with_terminal`]: how long onshi waits for a confirmation per visit.
pub const TERMINAL_WAIT: &str = "20";
/// Longest a whole onshi run may take here.
const RUN_DEADLINE: Duration = Duration::from_secs(90);

/// In the child: serve cards until killed (or a deadline, should the parent be gone).
pub fn terminal_half() {
    let mode = std::env::var(TERMINAL_MODE).unwrap();
    let mode = Mode::parse(&mode).unwrap_or_else(|| panic!("unknown mode {mode}"));
    let addr: SocketAddr = std::env::var(TERMINAL_HTTP).unwrap().parse().unwrap();
    let deadline = Instant::now() + RUN_DEADLINE + Duration::from_secs(10);
    if let Err(e) = terminal_under_test::run(addr, mode, deadline) {
        panic!("terminal under test: {e}");
    }
}

/// A child process group killed (and its leader reaped) when dropped; output goes to files.
struct ChildGuard {
    child: GroupChild,
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
        let child =
            GroupChild::spawn(&mut cmd).unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
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
            if let Some(status) = self.child.child().try_wait().unwrap() {
                return Some(status);
            }
            if start.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
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
pub struct Run {
    /// onshi's exit status.
    pub status: ExitStatus,
    /// Wall-clock time of the whole `onshi run`.
    pub took: Duration,
    /// run.json.
    pub record: Value,
    /// onshi's output.
    pub onshi: String,
    /// The terminal's output.
    pub terminal: String,
}

/// Runs `onshi run <scenarios>` with its own private pcscd and `--terminal-wait`
/// [`TERMINAL_WAIT`], the terminal under test in `mode` serving the reader; `test` is the test
/// the terminal child re-runs.
pub fn run_with_terminal(mode: &str, scenarios: &str, test: &str) -> Run {
    let pcscd =
        PrivatePcscd::start().unwrap_or_else(|e| panic!("cannot start a private pcscd: {e}"));
    run_on(
        &pcscd,
        mode,
        scenarios,
        test,
        &["--terminal-wait", TERMINAL_WAIT],
    )
}

/// Runs `onshi run <scenarios> <flags>` bound to slot 0 of `pcscd`, with a fresh terminal
/// under test in `mode` (a new child process, killed when the run is over).
pub fn run_on(
    pcscd: &PrivatePcscd,
    mode: &str,
    scenarios: &str,
    test: &str,
    flags: &[&str],
) -> Run {
    let work = tempfile::tempdir().unwrap();
    let reports = work.path().join("reports");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onshi"));
    cmd.current_dir(&root)
        .args(["--lang", "en", "run", scenarios, "--terminal-vpcd"])
        .arg(pcscd.slot_addr(0).to_string())
        .args(["--terminal-http", "127.0.0.1:0"])
        .args(flags)
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

/// The scenarios of a run.json.
pub fn scenarios(record: &Value) -> &Vec<Value> {
    record["scenarios"].as_array().unwrap()
}

/// The checks called `name` of `scenario`.
pub fn checks<'a>(scenario: &'a Value, name: &str) -> Vec<&'a Value> {
    scenario["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == name)
        .collect()
}

/// The names of the checks of `scenario` that did not pass.
pub fn failed(scenario: &Value) -> Vec<&str> {
    scenario["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] != "pass")
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}
