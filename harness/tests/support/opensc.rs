//! OpenSC's command-line tools (`opensc-tool`, `pkcs15-tool`, `pkcs15-crypt`, `pkcs11-tool`)
//! as children of a test, talking to a private pcscd: each run in its own process group with a
//! deadline, its output printed, and a failure that says what to install. Used by
//! `tests/card_e2e.rs` and `tests/pkcs11_e2e.rs`; the includer also includes
//! `support/pcsc_client.rs` as `pcsc_client`.

#![allow(dead_code)] // each includer uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use onshi_harness::pcsc::pcscd::{PrivatePcscd, SETUP_HINT};

use crate::pcsc_client::{ChildRun, run_child};

/// How long one quick OpenSC tool may run.
pub const TOOL_DEADLINE: Duration = Duration::from_secs(20);

/// An OpenSC tool's run with the daemon's socket, killed (its whole process group) after
/// `deadline`; what it said is printed.
pub fn opensc_within(
    pcscd: &PrivatePcscd,
    dir: &Path,
    program: &str,
    args: &[&str],
    deadline: Duration,
) -> ChildRun {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir);
    pcscd.configure_client(&mut cmd);
    let run = run_child(cmd, dir, deadline).unwrap_or_else(|e| {
        panic!(
            "{program} {args:?}: {e}\n--- pcscd log\n{}",
            pcscd.log_tail()
        )
    });
    println!(
        "$ {program} {}\n{}{}",
        args.join(" "),
        run.stdout,
        run.stderr
    );
    run
}

/// [`opensc_within`] with [`TOOL_DEADLINE`].
pub fn opensc(pcscd: &PrivatePcscd, dir: &Path, program: &str, args: &[&str]) -> ChildRun {
    opensc_within(pcscd, dir, program, args, TOOL_DEADLINE)
}

/// The tool's standard output; fails with everything it said unless it exited 0.
pub fn ok(run: &ChildRun, what: &str) -> String {
    assert!(
        run.status.success(),
        "{what} failed ({}):\n{}\n{}",
        run.status,
        run.stdout,
        run.stderr
    );
    run.stdout.clone()
}

/// Fails, naming the package, unless every tool is on `PATH`.
pub fn require_tools(tools: &[&str]) {
    for tool in tools {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
            .unwrap_or(false);
        assert!(
            found,
            "{tool} not found (Debian package opensc); {SETUP_HINT}"
        );
    }
}

/// OpenSC's PKCS#11 module (Debian package `opensc-pkcs11`): `/usr/lib/<multiarch>/`
/// `opensc-pkcs11.so` or one of the usual other places; fails naming the package.
pub fn opensc_pkcs11_module() -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("opensc-pkcs11.so"))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates
        .extend(["/usr/lib/opensc-pkcs11.so", "/usr/lib64/opensc-pkcs11.so"].map(PathBuf::from));
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "opensc-pkcs11.so not found under /usr/lib (Debian package opensc-pkcs11); \
                 {SETUP_HINT}, or apt-get install opensc-pkcs11"
            )
        })
}

/// Waits until `opensc-tool --list-readers` shows a card in each of the first `cards` vpcd
/// readers (pcscd polls a vpcd reader every 400 ms); returns its last listing.
pub fn wait_for_cards(pcscd: &PrivatePcscd, dir: &Path, cards: usize) -> String {
    let start = Instant::now();
    loop {
        let readers = ok(
            &opensc(pcscd, dir, "opensc-tool", &["--list-readers"]),
            "opensc-tool --list-readers",
        );
        let present = (0..cards).all(|slot| {
            readers
                .lines()
                .any(|l| l.contains(&format!("Virtual PCD 00 {slot:02}")) && l.contains("Yes"))
        });
        if present {
            return readers;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no card in the first {cards} vpcd reader(s) after 10 s:\n{readers}\n--- pcscd log\n{}",
            pcscd.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
