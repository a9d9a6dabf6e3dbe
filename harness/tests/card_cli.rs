//! `onshi serve` and `onshi card insert/remove` as a user runs them: the built binary, with a
//! scenario's world, against a fake vpcd (a `TcpListener` in the test) or none at all, so no
//! pcscd is needed.
//!
//! - `serve` refuses `wait` arguments that are not 0 to 3600 seconds (NaN, negative, infinite,
//!   huge), lines longer than its limit and lines that are not UTF-8, on stderr, and keeps
//!   serving: no panic for any line.
//! - `card insert` with nothing listening on the vpcd address fails (exit 2) with a sentence
//!   naming the address, and never says the card is in the reader; a vpcd that breaks the
//!   protocol makes it fail too.
//! - A second `card insert` on a busy slot is refused and leaves the first one's control
//!   socket alone, so `card remove` still takes the first card out; a stale control socket
//!   (its owner killed) is replaced.
//!
//! Every wait is bounded; nothing asserts a duration. Each test gets its own `TMPDIR`, where
//! the control sockets live.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Longest any child may take (connecting to an absent vpcd retries for 10 s).
const LIMIT: Duration = Duration::from_secs(60);

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/terminal/pin-visit-signs-with-auth-key.yaml")
}

/// `onshi --lang en ARGS` with its own temporary directory (where control sockets go).
fn onshi(tmp: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onshi"));
    cmd.arg("--lang")
        .arg("en")
        .args(args)
        .env("TMPDIR", tmp)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn insert_args<'a>(scenario: &'a str, vpcd: &'a str) -> Vec<&'a str> {
    vec![
        "card",
        "insert",
        "--scenario",
        scenario,
        "--person",
        "taro",
        "--vpcd",
        vpcd,
    ]
}

/// A running child whose stdout lines arrive on a channel and whose stderr is collected.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    stderr: Option<JoinHandle<String>>,
}

/// What a finished child said.
struct Finished {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Running {
    fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd.spawn().expect("start onshi");
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// Waits (bounded) for a stdout line containing `needle`.
    fn expect_line(&mut self, needle: &str) {
        let deadline = Instant::now() + LIMIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    self.seen.push(line);
                    if hit {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let stderr = self
            .stderr
            .take()
            .map(|t| t.join().unwrap())
            .unwrap_or_default();
        panic!(
            "no line with `{needle}` on stdout; stdout so far:\n{}\nstderr:\n{stderr}",
            self.seen.join("\n")
        );
    }

    /// Waits (bounded) for the child to exit; kills it and fails past [`LIMIT`].
    fn finish(mut self) -> Finished {
        let deadline = Instant::now() + LIMIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            thread::sleep(Duration::from_millis(20));
        };
        // The pipes close with the child, so these end.
        let mut seen = std::mem::take(&mut self.seen);
        seen.extend(self.lines.iter());
        let stdout = seen.join("\n");
        let stderr = self
            .stderr
            .take()
            .map(|t| t.join().unwrap())
            .unwrap_or_default();
        let Some(status) = status else {
            panic!("onshi did not exit within {LIMIT:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        };
        Finished {
            status,
            stdout,
            stderr,
        }
    }
}

/// Runs `cmd` to the end with `input` on stdin.
fn run_with_input(mut cmd: Command, input: Vec<u8>) -> Finished {
    cmd.stdin(Stdio::piped());
    let mut running = Running::spawn(cmd);
    let mut stdin = running.child.stdin.take().unwrap();
    // A writer thread, so a child that stops reading cannot block the test.
    thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    running.finish()
}

/// Accepts one connection on `listener`, within [`LIMIT`].
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + LIMIT;
    loop {
        match listener.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).unwrap();
                return s;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "the card never connected");
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

fn fake_vpcd() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

fn control_path(tmp: &Path, addr: SocketAddr) -> PathBuf {
    tmp.join(format!("onshi-card-{}-{}.sock", addr.ip(), addr.port()))
}

/// No Rust `Debug` rendering of the session types in what people read.
fn assert_no_debug(text: &str) {
    for debug in [
        "Err(",
        "Ok(",
        "Unreachable",
        "SessionEnd",
        "PeerClosed",
        "Stopped",
        "Protocol {",
        "panicked",
    ] {
        assert!(!text.contains(debug), "`{debug}` in:\n{text}");
    }
}

#[test]
fn serve_refuses_bad_wait_numbers_and_odd_lines_and_keeps_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario();
    let cmd = onshi(
        tmp.path(),
        &[
            "serve",
            "--scenario",
            scenario.to_str().unwrap(),
            "--vpcd",
            "127.0.0.1:1",
            "--http",
            "127.0.0.1:0",
        ],
    );
    let bad = [
        "nan",
        "NaN",
        "-1",
        "inf",
        "-inf",
        "1e30",
        "3600.5",
        "99999999999999999999999999999",
        "abc",
    ];
    let mut input = Vec::new();
    for word in bad {
        input.extend_from_slice(format!("wait {word}\n").as_bytes());
    }
    input.extend_from_slice(b"wait 1 2\n");
    input.extend_from_slice(&vec![b'x'; 1 << 20]);
    input.extend_from_slice(b"\n\xff\xfe wait\nwait 0\nfrobnicate\nstatus\nquit\n");
    let done = run_with_input(cmd, input);
    let all = format!("{}\n{}", done.stdout, done.stderr);
    assert!(
        done.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        done.status,
        done.stdout,
        done.stderr
    );
    assert_no_debug(&all);
    for word in bad {
        let want = format!("onshi serve: wait: `{word}` is not a number of seconds from 0 to 3600");
        assert!(
            done.stderr.contains(&want),
            "no `{want}` in:\n{}",
            done.stderr
        );
    }
    assert!(
        done.stderr.contains("onshi serve: wait takes one argument"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("at most 4096 bytes"),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("not UTF-8"), "{}", done.stderr);
    assert!(
        done.stderr.contains("unknown command `frobnicate`"),
        "{}",
        done.stderr
    );
    // It kept serving after all of it: a valid wait and the status still answer.
    assert!(
        done.stdout
            .contains("no request from the terminal within 0 s"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("on the reader: nothing"),
        "{}",
        done.stdout
    );
}

#[test]
fn card_insert_without_vpcd_fails_and_names_the_address() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario();
    let cmd = onshi(
        tmp.path(),
        &insert_args(scenario.to_str().unwrap(), "127.0.0.1:1"),
    );
    let done = Running::spawn(cmd).finish();
    assert_eq!(
        done.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        done.stdout,
        done.stderr
    );
    assert!(
        !done.stdout.contains("is in the vpcd reader"),
        "claimed the card was in: {}",
        done.stdout
    );
    assert!(
        done.stderr
            .contains("onshi card insert: the card never reached the reader")
            && done.stderr.contains("could not reach vpcd at 127.0.0.1:1"),
        "{}",
        done.stderr
    );
    assert_no_debug(&format!("{}\n{}", done.stdout, done.stderr));
    assert!(
        !control_path(tmp.path(), "127.0.0.1:1".parse().unwrap()).exists(),
        "the control socket is cleaned up"
    );
}

#[test]
fn card_insert_fails_when_vpcd_breaks_the_protocol() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario();
    let (listener, addr) = fake_vpcd();
    let vpcd = addr.to_string();
    let mut running = Running::spawn(onshi(
        tmp.path(),
        &insert_args(scenario.to_str().unwrap(), &vpcd),
    ));
    let mut conn = accept(&listener);
    running.expect_line("is in the vpcd reader");
    // A frame of length 0: vpcd never sends one.
    conn.write_all(&[0x00, 0x00]).unwrap();
    let done = running.finish();
    assert_eq!(
        done.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        done.stdout,
        done.stderr
    );
    assert!(
        done.stderr
            .contains("onshi card insert: the card's session with vpcd broke")
            && done.stderr.contains(&vpcd)
            && done.stderr.contains("length 0"),
        "{}",
        done.stderr
    );
    assert_no_debug(&format!("{}\n{}", done.stdout, done.stderr));
    assert!(!control_path(tmp.path(), addr).exists());
}

#[test]
fn a_second_insert_on_a_busy_slot_is_refused_and_the_first_card_can_still_be_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario();
    let scenario = scenario.to_str().unwrap();
    let (listener, addr) = fake_vpcd();
    let vpcd = addr.to_string();
    let control = control_path(tmp.path(), addr);

    // A control socket left behind by an insert that was killed: nobody listens on it.
    drop(UnixListener::bind(&control).unwrap());
    assert!(control.exists());

    let mut first = Running::spawn(onshi(tmp.path(), &insert_args(scenario, &vpcd)));
    let _conn = accept(&listener);
    first.expect_line("taro's card is in the vpcd reader");

    let second = Running::spawn(onshi(tmp.path(), &insert_args(scenario, &vpcd))).finish();
    assert_eq!(
        second.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        second.stdout,
        second.stderr
    );
    assert!(
        second
            .stderr
            .contains(&format!("the vpcd reader at {vpcd} is busy"))
            && second.stderr.contains("taro's card")
            && second.stderr.contains("onshi card remove --vpcd"),
        "{}",
        second.stderr
    );
    assert!(
        !second.stdout.contains("is in the vpcd reader"),
        "{}",
        second.stdout
    );
    assert_no_debug(&format!("{}\n{}", second.stdout, second.stderr));
    assert!(
        control.exists(),
        "the first insert's control socket is intact"
    );

    let removed = Running::spawn(onshi(tmp.path(), &["card", "remove", "--vpcd", &vpcd])).finish();
    assert!(
        removed.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        removed.stdout,
        removed.stderr
    );
    assert!(
        removed
            .stdout
            .contains(&format!("card removed from the vpcd reader at {vpcd}")),
        "{}",
        removed.stdout
    );
    let first = first.finish();
    assert!(
        first.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        first.stdout,
        first.stderr
    );
    assert!(first.stdout.contains("card removed"), "{}", first.stdout);
    assert_no_debug(&format!("{}\n{}", first.stdout, first.stderr));
    assert!(!control.exists(), "the slot is free again");
}
