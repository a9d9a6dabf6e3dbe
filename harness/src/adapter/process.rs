//! The adapter process: started with `sh -c CMD`, one JSON line out, one reply line back,
//! every wait bounded. Its standard error is kept (the last [`STDERR_KEEP`] bytes) to attach to
//! a failed verdict.
//!
//! Whatever the adapter does, onshi's memory stays bounded: lines wait in a queue of
//! [`LINE_QUEUE`] (the reader thread blocks, and so does the adapter's pipe, when it is full),
//! a line is at most [`MAX_LINE`] bytes, at most [`LOG_KEEP`] `log` lines of at most
//! [`LOG_LINE_KEEP`] characters are kept, and the per-reply deadline holds under a flood of
//! `log` lines. The adapter runs in its own process group ([`crate::children`]): when it
//! breaks the protocol, at `end`, and when onshi is interrupted, the whole group is killed.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::protocol::{FromAdapter, ToAdapter, parse_line};
use crate::children::GroupChild;

/// Longest line accepted from an adapter.
pub const MAX_LINE: usize = 1024 * 1024;
/// How much of the adapter's standard error is kept.
pub const STDERR_KEEP: usize = 16 * 1024;
/// How long an adapter may take to exit after `bye` or a closed standard input.
pub const EXIT_WAIT: Duration = Duration::from_secs(5);
/// Lines read ahead from the adapter's standard output before its pipe is left to fill.
pub const LINE_QUEUE: usize = 64;
/// `log` lines kept (the latest ones; older ones are counted, not kept).
pub const LOG_KEEP: usize = 256;
/// Characters kept of one `log` line.
pub const LOG_LINE_KEEP: usize = 2000;

/// How to start an adapter.
#[derive(Clone, Debug)]
pub struct AdapterCommand {
    /// The command line, run with `sh -c`.
    pub command: String,
    /// How long to wait for each reply.
    pub timeout: Duration,
}

/// Why an exchange with the adapter failed. The display text is the verdict's.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// `sh -c CMD` could not be started.
    #[error("the adapter could not be started (`{command}`): {detail}")]
    Start {
        /// The command.
        command: String,
        /// The OS error.
        detail: String,
    },
    /// No reply in time.
    #[error("the adapter did not answer `{waiting_for}` within {} s", timeout.as_secs_f64())]
    Timeout {
        /// The message onshi sent.
        waiting_for: &'static str,
        /// The limit.
        timeout: Duration,
    },
    /// The process closed its standard output (exited) before replying.
    #[error("the adapter exited ({status}) before answering `{waiting_for}`")]
    Exited {
        /// The message onshi sent.
        waiting_for: &'static str,
        /// Exit status, as far as known.
        status: String,
    },
    /// A line that is not a valid message.
    #[error(
        "the adapter broke the protocol on line {line} (answering `{waiting_for}`): {detail}\n  the line: {text}"
    )]
    Protocol {
        /// The message onshi sent.
        waiting_for: &'static str,
        /// Line number on the adapter's standard output (1-based).
        line: u64,
        /// What is wrong.
        detail: String,
        /// The line (shortened).
        text: String,
    },
    /// A valid message of the wrong type.
    #[error("the adapter answered `{waiting_for}` with `{got}` (expected `{expected}`)")]
    WrongReply {
        /// The message onshi sent.
        waiting_for: &'static str,
        /// What was expected.
        expected: &'static str,
        /// What came.
        got: &'static str,
    },
    /// `{"type":"error"}`.
    #[error("the system could not handle `{waiting_for}`: {message}")]
    System {
        /// The message onshi sent.
        waiting_for: &'static str,
        /// The adapter's text.
        message: String,
    },
    /// Writing to the adapter's standard input failed (it closed it or exited).
    #[error("the adapter stopped reading its input ({detail}) before `{waiting_for}`")]
    Write {
        /// The message onshi was sending.
        waiting_for: &'static str,
        /// The OS error.
        detail: String,
    },
}

enum LineEvent {
    Line(String),
    TooLong(usize),
    NotUtf8,
    Eof,
}

/// A reply and the line it came on.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The parsed message.
    pub message: FromAdapter,
    /// The raw line (for searches such as the My Number check).
    pub raw: String,
}

/// A running adapter.
pub struct Adapter {
    command: AdapterCommand,
    child: GroupChild,
    stdin: Option<ChildStdin>,
    lines: Receiver<LineEvent>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    line_no: u64,
    logs: VecDeque<String>,
    logs_dropped: u64,
    closed: bool,
    /// A reply timed out or broke the protocol: `end` is not sent, the process is killed.
    broken: bool,
}

impl std::fmt::Debug for Adapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adapter")
            .field("command", &self.command.command)
            .finish_non_exhaustive()
    }
}

impl Adapter {
    /// Starts `sh -c CMD` with `env` added to onshi's environment.
    pub fn start(
        command: &AdapterCommand,
        env: &[(&str, String)],
    ) -> Result<Adapter, AdapterError> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(&command.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut group = GroupChild::spawn(&mut cmd).map_err(|e| AdapterError::Start {
            command: command.command.clone(),
            detail: e.to_string(),
        })?;
        tracing::info!(
            target: "onshi::adapter",
            pid = group.child().id(),
            command = %command.command,
            "adapter started"
        );
        let child = group.child();
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::sync_channel(LINE_QUEUE);
        if let Some(out) = child.stdout.take() {
            std::thread::Builder::new()
                .name("onshi-adapter-out".into())
                .spawn(move || read_lines(out, &tx))
                .map_err(|e| AdapterError::Start {
                    command: command.command.clone(),
                    detail: e.to_string(),
                })?;
        }
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(mut err) = child.stderr.take() {
            let keep = Arc::clone(&stderr);
            let _ = std::thread::Builder::new()
                .name("onshi-adapter-err".into())
                .spawn(move || {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = err.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        let mut k = keep.lock().unwrap_or_else(|e| e.into_inner());
                        k.extend(&buf[..n]);
                        while k.len() > STDERR_KEEP {
                            k.pop_front();
                        }
                    }
                });
        }
        Ok(Adapter {
            command: command.clone(),
            child: group,
            stdin,
            lines: rx,
            stderr,
            line_no: 0,
            logs: VecDeque::new(),
            logs_dropped: 0,
            closed: false,
            broken: false,
        })
    }

    /// The last [`STDERR_KEEP`] bytes the adapter wrote to standard error (lossy UTF-8).
    pub fn stderr_tail(&self) -> String {
        let k = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        let (a, b) = k.as_slices();
        let mut bytes = a.to_vec();
        bytes.extend_from_slice(b);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The latest `log` lines received so far (taken), at most [`LOG_KEEP`], and how many
    /// older ones were not kept.
    pub fn take_logs(&mut self) -> (Vec<String>, u64) {
        let dropped = std::mem::take(&mut self.logs_dropped);
        (std::mem::take(&mut self.logs).into(), dropped)
    }

    fn keep_log(&mut self, message: String) {
        if self.logs.len() >= LOG_KEEP {
            self.logs.pop_front();
            self.logs_dropped += 1;
        }
        self.logs.push_back(shorten_to(&message, LOG_LINE_KEEP));
    }

    /// Sends `msg` and waits for its reply (the type `msg` wants; `log` lines are kept aside).
    pub fn call(&mut self, msg: &ToAdapter) -> Result<Reply, AdapterError> {
        let result = self.exchange(msg);
        if matches!(
            result,
            Err(AdapterError::Timeout { .. }
                | AdapterError::Protocol { .. }
                | AdapterError::WrongReply { .. })
        ) {
            self.broken = true;
        }
        result
    }

    fn exchange(&mut self, msg: &ToAdapter) -> Result<Reply, AdapterError> {
        let waiting_for = msg.kind();
        if self.closed {
            return Err(AdapterError::Exited {
                waiting_for,
                status: self.status_text(),
            });
        }
        let mut line = serde_json::to_string(msg).map_err(|e| AdapterError::Write {
            waiting_for,
            detail: e.to_string(),
        })?;
        tracing::info!(target: "onshi::adapter", direction = "to", kind = waiting_for, %line, "message");
        line.push('\n');
        let written = match self.stdin.as_mut() {
            Some(s) => s.write_all(line.as_bytes()).and_then(|()| s.flush()),
            None => Err(std::io::Error::other("standard input closed")),
        };
        if let Err(e) = written {
            // An adapter that exited shows as a broken pipe: say that it exited.
            if let Some(status) = self.exit_within(Duration::from_millis(500)) {
                self.closed = true;
                return Err(AdapterError::Exited {
                    waiting_for,
                    status: status_text(status),
                });
            }
            return Err(AdapterError::Write {
                waiting_for,
                detail: e.to_string(),
            });
        }
        let deadline = Instant::now() + self.command.timeout;
        loop {
            // Checked before every line, so a flood of `log` lines cannot hold the reply's
            // deadline off.
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(AdapterError::Timeout {
                    waiting_for,
                    timeout: self.command.timeout,
                });
            }
            let event = match self.lines.recv_timeout(left) {
                Ok(e) => e,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(AdapterError::Timeout {
                        waiting_for,
                        timeout: self.command.timeout,
                    });
                }
                Err(RecvTimeoutError::Disconnected) => LineEvent::Eof,
            };
            self.line_no += 1;
            let text = match event {
                LineEvent::Line(t) => t,
                LineEvent::Eof => {
                    self.closed = true;
                    let status = self.exit_within(Duration::from_secs(1)).map_or_else(
                        || "still running, standard output closed".into(),
                        status_text,
                    );
                    return Err(AdapterError::Exited {
                        waiting_for,
                        status,
                    });
                }
                LineEvent::TooLong(n) => {
                    return Err(AdapterError::Protocol {
                        waiting_for,
                        line: self.line_no,
                        detail: format!("a line of more than {MAX_LINE} bytes ({n} read)"),
                        text: "(not shown)".into(),
                    });
                }
                LineEvent::NotUtf8 => {
                    return Err(AdapterError::Protocol {
                        waiting_for,
                        line: self.line_no,
                        detail: "the line is not UTF-8".into(),
                        text: "(not shown)".into(),
                    });
                }
            };
            if text.trim().is_empty() {
                self.line_no -= 1;
                continue;
            }
            tracing::info!(
                target: "onshi::adapter",
                direction = "from",
                line_no = self.line_no,
                line = %shorten_to(&text, 2000),
                "message"
            );
            let message = parse_line(&text).map_err(|detail| AdapterError::Protocol {
                waiting_for,
                line: self.line_no,
                detail,
                text: shorten(&text),
            })?;
            match message {
                FromAdapter::Log { message } => self.keep_log(message),
                FromAdapter::Error { message } => {
                    return Err(AdapterError::System {
                        waiting_for,
                        message,
                    });
                }
                m if m.kind() == msg.reply_kind() => {
                    return Ok(Reply {
                        message: m,
                        raw: text,
                    });
                }
                m => {
                    return Err(AdapterError::WrongReply {
                        waiting_for,
                        expected: msg.reply_kind(),
                        got: m.kind(),
                    });
                }
            }
        }
    }

    /// Sends `end` (when the adapter is still there and has kept to the protocol), waits for
    /// `bye` and the exit, and kills the process if it does not go (at once when broken). Returns the `end` exchange's error, if any.
    pub fn finish(mut self, now: &str) -> Result<(), AdapterError> {
        let result = if self.closed || self.broken {
            Ok(())
        } else {
            self.call(&ToAdapter::End { now: now.into() }).map(|_| ())
        };
        self.stdin = None;
        let wait = if self.broken {
            Duration::ZERO
        } else {
            EXIT_WAIT
        };
        let status = self.exit_within(wait);
        tracing::info!(
            target: "onshi::adapter",
            status = %status.map_or_else(|| "killed".to_string(), status_text),
            "adapter ended"
        );
        // The whole group goes: background jobs the adapter left behind as well.
        self.child.kill_group();
        result
    }

    fn exit_within(&mut self, wait: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + wait;
        loop {
            match self.child.child().try_wait() {
                Ok(Some(s)) => return Some(s),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => return None,
            }
        }
    }

    fn status_text(&mut self) -> String {
        match self.child.child().try_wait() {
            Ok(Some(s)) => status_text(s),
            _ => "standard output closed".into(),
        }
    }
}

fn status_text(s: ExitStatus) -> String {
    match s.code() {
        Some(c) => format!("exit status {c}"),
        None => "killed by a signal".into(),
    }
}

fn shorten(text: &str) -> String {
    shorten_to(text, 300)
}

fn shorten_to(text: &str, keep: usize) -> String {
    if text.chars().count() <= keep {
        return text.to_string();
    }
    let mut s: String = text.chars().take(keep).collect();
    s.push('…');
    s
}

fn read_lines(out: impl Read, tx: &SyncSender<LineEvent>) {
    let mut reader = BufReader::new(out);
    loop {
        let mut buf = Vec::new();
        let limit = (MAX_LINE + 1) as u64;
        match reader.by_ref().take(limit).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(LineEvent::Eof);
                return;
            }
            Ok(_) => {}
        }
        if buf.last() != Some(&b'\n') && buf.len() > MAX_LINE {
            // Skip the rest of the line.
            let mut n = buf.len();
            loop {
                let mut rest = Vec::new();
                match reader.by_ref().take(64 * 1024).read_until(b'\n', &mut rest) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => {
                        n += k;
                        if rest.last() == Some(&b'\n') {
                            break;
                        }
                    }
                }
            }
            if tx.send(LineEvent::TooLong(n)).is_err() {
                return;
            }
            continue;
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        let event = match String::from_utf8(buf) {
            Ok(s) => LineEvent::Line(s),
            Err(_) => LineEvent::NotUtf8,
        };
        if tx.send(event).is_err() {
            return;
        }
    }
}
