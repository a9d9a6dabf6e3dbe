//! `onshi card insert`, `onshi card remove` and `onshi serve`: a scenario's world kept running,
//! with people's cards put into vpcd reader slots for real PC/SC software, and the registry's
//! terminal endpoints for a terminal under test.
//!
//! `card insert` serves one card until `card remove` (a control socket named after the vpcd
//! address), Ctrl-C, or vpcd going away. `serve` reads commands on standard input, so a script
//! can feed a terminal a sequence of cards:
//!
//! ```text
//! insert taro 1234     put taro's card on the reader; the patient types 1234 if asked
//! wait 30              wait up to 30 s for the terminal's confirmation, print the answer
//! remove               take the card off the reader
//! status               what is on the reader, exchanges so far
//! quit
//! ```

use std::fmt::Display;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use onshi_sim::card::apdu::{ApduLog, Application, PinRef};
use onshi_sim::ids::{CardId, InstitutionId, PersonId};
use onshi_sim::world::Presentation;

use super::{EXIT_INPUT, EXIT_OK, render_problem};
use crate::catalog::Catalog;
use crate::pcsc::tcp::{CardSlot, EndReason, RetryPolicy, SessionEnd, VpcdError};
use crate::roles::terminal::card::{SharedLog, WorldCard};
use crate::roles::terminal::desk::{Desk, PatientTry, ReaderVisit, TerminalExchange};
use crate::roles::terminal::server::Server;
use crate::run::execute::build_world;
use crate::shared::SharedWorld;

/// The default vpcd slot: the first reader, which simple clients use.
pub const DEFAULT_VPCD: &str = "127.0.0.1:35963";

/// A scenario's world, shared, with the desk its endpoints answer from.
struct Served {
    world: SharedWorld,
    desk: Arc<Desk>,
    server: Option<Server>,
}

fn serve_world(
    scenario: &Path,
    seed: u64,
    http: Option<&str>,
    allow_remote: bool,
) -> Result<Served, String> {
    if let Some(addr) = http {
        super::oqs::check_bind_address("--http", addr, allow_remote)?;
    }
    let sc = crate::scenario::open(scenario, Catalog::builtin())
        .map_err(|ps| ps.iter().map(render_problem).collect::<Vec<_>>().join("\n"))?;
    let world = build_world(&sc.plan, sc.plan.seed.unwrap_or(seed))
        .map_err(|e| format!("{}: {e}", scenario.display()))?;
    let world = SharedWorld::new(world);
    let desk = Arc::new(Desk::new());
    desk.attach(world.clone());
    let server = match http {
        Some(addr) => Some(
            Server::start(addr, Arc::clone(&desk)).map_err(|e| format!("--http {addr}: {e}"))?,
        ),
        None => None,
    };
    Ok(Served {
        world,
        desk,
        server,
    })
}

fn resolve(vpcd: &str) -> Result<SocketAddr, String> {
    vpcd.to_socket_addrs()
        .map_err(|e| format!("--vpcd `{vpcd}`: {e}"))?
        .next()
        .ok_or_else(|| format!("--vpcd `{vpcd}`: no address"))
}

/// The control socket of the card served for vpcd `addr`.
pub fn control_path(addr: SocketAddr) -> PathBuf {
    std::env::temp_dir().join(format!("onshi-card-{}-{}.sock", addr.ip(), addr.port()))
}

/// The person's card and the first institution (the reader's), by key.
fn card_of(world: &SharedWorld, person: &str) -> Result<(PersonId, CardId, InstitutionId), String> {
    let w = world.lock();
    let p = w.person_by_key(person).map_err(|e| e.to_string())?;
    let card = w
        .presented_card(p, Presentation::Card)
        .map_err(|e| e.to_string())?;
    let institution = w
        .institutions()
        .first()
        .map(|i| i.id)
        .ok_or("the scenario's world has no institution for the reader")?;
    Ok((p, card, institution))
}

/// What the terminal did with the card, for people.
fn describe_log(log: &ApduLog) -> String {
    let apps: Vec<&str> = Application::ALL
        .iter()
        .filter(|a| log.selected(**a))
        .map(|a| match a {
            Application::Jpki => "JPKI",
            Application::Surface => "券面事項確認AP",
            Application::InputSupport => "券面事項入力補助AP",
        })
        .collect();
    let mut text = format!(
        "{} APDUs; applications selected: {}; auth PIN tries: {}; signatures: {}",
        log.entries().len(),
        if apps.is_empty() {
            "none".into()
        } else {
            apps.join(", ")
        },
        log.pin_tries(PinRef::Auth),
        log.signatures().count()
    );
    if log.selected(Application::InputSupport) {
        text.push_str("\n  ✗ the 券面事項入力補助AP (My Number) was selected: a conformance failure (RDR-6, PRV-5)");
    }
    text
}

fn describe_exchange(e: &TerminalExchange) -> String {
    match (&e.answer, &e.rejection, &e.error) {
        (Some(a), _, _) => format!("answered: {}", a.summary()),
        (_, Some(r), _) => format!("rejected: {r}"),
        (_, _, Some(msg)) => format!("unreadable request: {msg}"),
        _ => "nothing".into(),
    }
}

/// How long a client of a control socket has to say what it wants.
const CONTROL_READ_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest request line a control socket reads.
const CONTROL_MAX_LINE: u64 = 64;

/// The control socket of the card one `card insert` serves: claimed before the card goes in,
/// its file removed when dropped.
struct ControlSocket {
    listener: UnixListener,
    path: PathBuf,
}

impl ControlSocket {
    /// Claims the control socket of vpcd slot `addr`. Refused while another `card insert`
    /// serves that slot (its socket answers); a socket file left by one that is gone (killed)
    /// is replaced.
    fn claim(addr: SocketAddr, vpcd: &str) -> Result<Self, String> {
        let path = control_path(addr);
        let listener = match UnixListener::bind(&path) {
            Ok(listener) => listener,
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                ensure_stale(&path, addr, vpcd)?;
                if let Err(e) = std::fs::remove_file(&path)
                    && e.kind() != io::ErrorKind::NotFound
                {
                    return Err(format!(
                        "cannot remove the stale control socket {}: {e}",
                        path.display()
                    ));
                }
                UnixListener::bind(&path).map_err(|e| {
                    if e.kind() == io::ErrorKind::AddrInUse {
                        format!(
                            "the vpcd reader at {addr} is busy: another `onshi card insert` claimed it just now"
                        )
                    } else {
                        format!("cannot create the control socket {}: {e}", path.display())
                    }
                })?
            }
            Err(e) => {
                return Err(format!(
                    "cannot create the control socket {}: {e}",
                    path.display()
                ));
            }
        };
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("control socket {}: {e}", path.display()))?;
        Ok(Self { listener, path })
    }

    /// A client that connected, if one is waiting.
    fn accept(&self) -> Result<Option<UnixStream>, String> {
        match self.listener.accept() {
            Ok((stream, _)) => Ok(Some(stream)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(format!("control socket {}: {e}", self.path.display())),
        }
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        // Ours until now: nobody replaces a socket that answers.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Ok when the control socket file at `path` is stale (nobody listens) or gone; an error
/// saying who holds the reader when a live `card insert` answers there.
fn ensure_stale(path: &Path, addr: SocketAddr, vpcd: &str) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("control socket {}: {e}", path.display())),
        Ok(meta) if !meta.file_type().is_socket() => {
            return Err(format!(
                "{} is in the way of the control socket and is not a socket; remove it by hand",
                path.display()
            ));
        }
        Ok(_) => {}
    }
    match UnixStream::connect(path) {
        Ok(mut stream) => {
            // Ask who serves it, for the message; a live socket refuses the insert anyway.
            let _ = stream.set_read_timeout(Some(CONTROL_READ_TIMEOUT));
            let _ = writeln!(stream, "status");
            let who = read_control_line(&mut stream);
            let who = if who.is_empty() {
                "another `onshi card insert` serves it".to_string()
            } else {
                format!("{who} is in it")
            };
            Err(format!(
                "the vpcd reader at {addr} is busy: {who}; take that card out first with: onshi card remove --vpcd {vpcd}"
            ))
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(format!(
            "cannot tell whether another `onshi card insert` serves the vpcd reader at {addr} (control socket {}: {e})",
            path.display()
        )),
    }
}

/// One line from a control socket peer (at most [`CONTROL_MAX_LINE`] bytes, trimmed; empty
/// when it says nothing in time).
fn read_control_line(stream: &mut UnixStream) -> String {
    let mut line = Vec::new();
    let _ = BufReader::new(&*stream)
        .take(CONTROL_MAX_LINE)
        .read_until(b'\n', &mut line);
    String::from_utf8_lossy(&line).trim().to_string()
}

/// Answers one control socket client: `status` says whose card is in; `remove` returns the
/// stream, to be answered with the report once the card is out.
fn answer_control(mut stream: UnixStream, status: &str) -> Option<UnixStream> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(CONTROL_READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(CONTROL_READ_TIMEOUT));
    match read_control_line(&mut stream).as_str() {
        "remove" => Some(stream),
        "status" => {
            let _ = writeln!(stream, "{status}");
            None
        }
        _ => {
            let _ = writeln!(
                stream,
                "error: unknown control request (the requests are `remove` and `status`)"
            );
            None
        }
    }
}

/// How a card's session ended, for people: a sentence, and whether it is a failure.
fn describe_end(
    ended: &Result<SessionEnd, VpcdError>,
    reached: bool,
    addr: SocketAddr,
) -> (String, bool) {
    match ended {
        Ok(SessionEnd {
            reason: EndReason::Stopped,
            stats,
        }) if reached => (
            format!(
                "card removed from the vpcd reader at {addr} ({} APDUs answered)",
                stats.apdus
            ),
            false,
        ),
        Ok(SessionEnd {
            reason: EndReason::Stopped,
            ..
        }) => (
            format!("card removed before vpcd at {addr} was reached"),
            false,
        ),
        Ok(SessionEnd {
            reason: EndReason::PeerClosed,
            stats,
        }) => (
            format!(
                "vpcd at {addr} closed the connection (pcscd stopped, or the reader went away), so the card is out ({} APDUs answered)",
                stats.apdus
            ),
            false,
        ),
        Err(e) if reached => (format!("the card's session with vpcd broke: {e}"), true),
        Err(e) => (format!("the card never reached the reader: {e}"), true),
    }
}

/// Waits until `slot` has reached vpcd or given up (its retry policy bounds the wait);
/// whether it reached it.
fn wait_reached(slot: &CardSlot) -> bool {
    let deadline =
        std::time::Instant::now() + RetryPolicy::default().timeout + Duration::from_secs(5);
    while !slot.reached_vpcd() && !slot.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    slot.reached_vpcd()
}

/// A message on standard error, `onshi COMMAND: ...` (a closed stderr is not a panic).
fn complain(command: &str, message: impl Display) {
    warn_raw!("onshi {command}: {message}\n");
}

/// `onshi card insert` (`allow_remote`: `--http` may be a non-loopback address).
pub fn insert(
    scenario: &Path,
    person: &str,
    vpcd: &str,
    http: Option<&str>,
    pins: Vec<String>,
    seed: u64,
    allow_remote: bool,
) -> ExitCode {
    let result = (|| {
        let addr = resolve(vpcd)?;
        let served = serve_world(scenario, seed, http, allow_remote)?;
        let (p, card, institution) = card_of(&served.world, person)?;
        let control = ControlSocket::claim(addr, vpcd)?;
        served.desk.begin(ReaderVisit {
            person: p,
            card,
            institution,
            tries: pins.into_iter().map(PatientTry::Pin).collect(),
            limit_consent: false,
            disease_consent: false,
        });
        let log = SharedLog::default();
        let slot = CardSlot::spawn(
            WorldCard::new(served.world.clone(), card, Arc::clone(&log)),
            addr,
            RetryPolicy::default(),
        )
        .map_err(|e| e.to_string())?;
        // Answer control requests while the card connects and until `remove` or the end of
        // the session; say the card is in only once vpcd has accepted it.
        let status = format!("{person}'s card (served by process {})", std::process::id());
        let mut announced = false;
        let mut remover: Option<UnixStream> = None;
        loop {
            if !announced && slot.reached_vpcd() {
                announced = true;
                say!("{person}'s card is in the vpcd reader at {addr}");
                if let Some(s) = &served.server {
                    say!(
                        "registry terminal endpoints: http://{}/onshi/terminal/",
                        s.addr()
                    );
                }
                say!("remove it with: onshi card remove --vpcd {vpcd}");
            }
            if slot.is_finished() {
                break;
            }
            match control.accept()? {
                Some(stream) => {
                    if let Some(stream) = answer_control(stream, &status) {
                        remover = Some(stream);
                        break;
                    }
                }
                None => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        let reached = slot.reached_vpcd();
        let ended = slot.stop();
        served.desk.end();
        // The slot is free again before `card remove` hears back.
        drop(control);
        let (end, failed) = describe_end(&ended, reached, addr);
        let mut details = String::new();
        if reached {
            let log = log.lock().unwrap_or_else(|p| p.into_inner());
            details.push_str(&describe_log(&log));
        }
        for e in served.desk.exchanges_since(0).iter().map(describe_exchange) {
            details.push_str(&format!("\nterminal request: {e}"));
        }
        let details = details.trim_start_matches('\n');
        if let Some(mut r) = remover {
            let _ = writeln!(r, "{end}\n{details}");
        }
        if failed {
            if !details.is_empty() {
                say!("{details}");
            }
            return Err(end);
        }
        say!("{end}\n{details}");
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("onshi card insert: {e}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// `onshi card remove`.
pub fn remove(vpcd: &str) -> ExitCode {
    let result = (|| {
        let addr = resolve(vpcd)?;
        let path = control_path(addr);
        let mut stream = UnixStream::connect(&path).map_err(|e| {
            format!(
                "no card is being served for {addr} ({}: {e})",
                path.display()
            )
        })?;
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .map_err(|e| e.to_string())?;
        let _ = writeln!(stream, "remove");
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stream, &mut text);
        say!("{}", text.trim_end());
        Ok::<_, String>(())
    })();
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("onshi card remove: {e}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// The longest command line `serve` reads from standard input; longer ones are skipped.
const MAX_COMMAND_LINE: usize = 4096;

/// The longest `wait` of `serve`, in seconds.
const MAX_WAIT_SECS: f64 = 3600.0;

/// How long `wait` waits when it is given no number, in seconds.
const DEFAULT_WAIT_SECS: f64 = 30.0;

/// One line of `serve`'s standard input.
enum InputLine {
    /// The input ended.
    End,
    /// A line (without its line ending).
    Line(String),
    /// A line longer than [`MAX_COMMAND_LINE`], skipped.
    TooLong,
    /// A line that is not UTF-8, skipped.
    NotUtf8,
}

/// Reads one command line, holding at most [`MAX_COMMAND_LINE`] bytes of it.
fn read_command(input: &mut impl BufRead) -> io::Result<InputLine> {
    let mut buf = Vec::new();
    let limit = u64::try_from(MAX_COMMAND_LINE)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if input.by_ref().take(limit).read_until(b'\n', &mut buf)? == 0 {
        return Ok(InputLine::End);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    } else if buf.len() > MAX_COMMAND_LINE {
        skip_line(input)?;
        return Ok(InputLine::TooLong);
    }
    Ok(String::from_utf8(buf).map_or(InputLine::NotUtf8, InputLine::Line))
}

/// Discards input up to and including the next line feed (or the end), without keeping it.
fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let (used, done) = match input.fill_buf() {
            Ok([]) => return Ok(()),
            Ok(buf) => match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        input.consume(used);
        if done {
            return Ok(());
        }
    }
}

/// The seconds of a `wait [SECONDS]` command and the timeout they make, or why they are not
/// a wait: a finite number from 0 to [`MAX_WAIT_SECS`].
fn wait_time(args: &[&str]) -> Result<(f64, Duration), String> {
    let range = format!("a number of seconds from 0 to {MAX_WAIT_SECS}, for example `wait 30`");
    let secs = match args {
        [] => DEFAULT_WAIT_SECS,
        [word] => match word.parse::<f64>() {
            Ok(secs) if secs.is_finite() && (0.0..=MAX_WAIT_SECS).contains(&secs) => secs,
            _ => {
                return Err(format!("wait: `{}` is not {range}", word.escape_debug()));
            }
        },
        _ => return Err(format!("wait takes one argument, {range}")),
    };
    let timeout = Duration::try_from_secs_f64(secs).map_err(|_| format!("wait: {range}"))?;
    Ok((secs, timeout))
}

/// `onshi serve`: the world stays up; cards come and go by commands on standard input
/// (`allow_remote`: `--http` may be a non-loopback address).
pub fn serve(scenario: &Path, vpcd: &str, http: &str, seed: u64, allow_remote: bool) -> ExitCode {
    let result = (|| {
        let addr = resolve(vpcd)?;
        let served = serve_world(scenario, seed, Some(http), allow_remote)?;
        if let Some(s) = &served.server {
            say!(
                "registry terminal endpoints: http://{}/onshi/terminal/",
                s.addr()
            );
        }
        say!(
            "vpcd reader: {addr}; commands: insert PERSON [PIN...], wait [SECONDS], remove, status, quit"
        );
        let mut current: Option<(CardSlot, SharedLog, usize)> = None;
        let mut input = BufReader::new(std::io::stdin().lock());
        loop {
            let line = match read_command(&mut input).map_err(|e| format!("standard input: {e}"))? {
                InputLine::End => break,
                InputLine::TooLong => {
                    complain(
                        "serve",
                        format!(
                            "a command line is at most {MAX_COMMAND_LINE} bytes; skipped a longer one"
                        ),
                    );
                    continue;
                }
                InputLine::NotUtf8 => {
                    complain("serve", "skipped a command line that is not UTF-8");
                    continue;
                }
                InputLine::Line(line) => line,
            };
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [] => {}
                ["insert", person, pins @ ..] => {
                    if current.is_some() {
                        complain("serve", "insert: a card is on the reader; remove it first");
                        continue;
                    }
                    match card_of(&served.world, person) {
                        Err(e) => complain("serve", format!("insert: {e}")),
                        Ok((p, card, institution)) => {
                            served.desk.begin(ReaderVisit {
                                person: p,
                                card,
                                institution,
                                tries: pins
                                    .iter()
                                    .map(|s| PatientTry::Pin(s.to_string()))
                                    .collect(),
                                limit_consent: false,
                                disease_consent: false,
                            });
                            let log = SharedLog::default();
                            let seen = served.desk.len();
                            match CardSlot::spawn(
                                WorldCard::new(served.world.clone(), card, Arc::clone(&log)),
                                addr,
                                RetryPolicy::default(),
                            ) {
                                Ok(slot) if wait_reached(&slot) => {
                                    current = Some((slot, log, seen));
                                    say!("inserted {person}'s card into the vpcd reader at {addr}");
                                }
                                Ok(slot) => {
                                    let reached = slot.reached_vpcd();
                                    let ended = slot.stop();
                                    served.desk.end();
                                    let (end, _) = describe_end(&ended, reached, addr);
                                    complain("serve", format!("insert: {end}"));
                                }
                                Err(e) => {
                                    served.desk.end();
                                    complain("serve", format!("insert: {e}"));
                                }
                            }
                        }
                    }
                }
                ["wait", rest @ ..] => match wait_time(rest) {
                    Err(e) => complain("serve", e),
                    Ok((secs, timeout)) => {
                        let seen = current.as_ref().map_or(served.desk.len(), |c| c.2);
                        let got = served.desk.wait_for_end(seen, timeout);
                        if got.exchanges.is_empty() && got.gave_up.is_none() {
                            say!("no request from the terminal within {secs} s");
                        }
                        for e in &got.exchanges {
                            say!("terminal request: {}", describe_exchange(e));
                        }
                        if let Some(reason) = &got.gave_up {
                            say!("the terminal gave up on the visit: {reason}");
                        }
                    }
                },
                ["remove"] => match current.take() {
                    None => complain("serve", "remove: no card on the reader"),
                    Some((slot, log, _)) => {
                        let reached = slot.reached_vpcd();
                        let ended = slot.stop();
                        served.desk.end();
                        let (end, failed) = describe_end(&ended, reached, addr);
                        if failed {
                            complain("serve", format!("remove: {end}"));
                        } else {
                            say!("{end}");
                        }
                        let log = log.lock().unwrap_or_else(|p| p.into_inner());
                        say!("{}", describe_log(&log));
                    }
                },
                ["status"] => {
                    let on = served.desk.visit().map(|v| {
                        let w = served.world.lock();
                        w.people()
                            .get(v.person.index())
                            .map(|p| p.key.clone())
                            .unwrap_or_default()
                    });
                    let ended = match &current {
                        Some((slot, _, _)) if slot.is_finished() => {
                            " (its session with vpcd has ended; `remove` says how)"
                        }
                        _ => "",
                    };
                    say!(
                        "on the reader: {}{ended}; terminal requests so far: {}",
                        on.unwrap_or_else(|| "nothing".into()),
                        served.desk.len()
                    );
                }
                ["quit"] | ["exit"] => break,
                [other, ..] => complain(
                    "serve",
                    format!(
                        "unknown command `{}` (the commands are insert PERSON [PIN...], wait [SECONDS], remove, status, quit)",
                        other.escape_debug()
                    ),
                ),
            }
        }
        if let Some((slot, _, _)) = current.take() {
            let _ = slot.stop();
        }
        Ok::<_, String>(())
    })();
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("onshi serve: {e}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}
