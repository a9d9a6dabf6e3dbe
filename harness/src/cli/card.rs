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

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, ToSocketAddrs};
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
use crate::pcsc::tcp::{CardSlot, RetryPolicy};
use crate::run::execute::build_world;
use crate::terminal::SharedWorld;
use crate::terminal::card::{SharedLog, WorldCard};
use crate::terminal::desk::{Desk, ReaderVisit, TerminalExchange};
use crate::terminal::server::Server;

/// The default vpcd slot: the first reader, which simple clients use.
pub const DEFAULT_VPCD: &str = "127.0.0.1:35963";

/// A scenario's world, shared, with the desk its endpoints answer from.
struct Served {
    world: SharedWorld,
    desk: Arc<Desk>,
    server: Option<Server>,
}

fn serve_world(scenario: &Path, seed: u64, http: Option<&str>) -> Result<Served, String> {
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
        .institutions
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

/// `onshi card insert`.
pub fn insert(
    scenario: &Path,
    person: &str,
    vpcd: &str,
    http: Option<&str>,
    pins: Vec<String>,
    seed: u64,
) -> ExitCode {
    let result = (|| {
        let addr = resolve(vpcd)?;
        let served = serve_world(scenario, seed, http)?;
        let (p, card, institution) = card_of(&served.world, person)?;
        let control = control_path(addr);
        let _ = std::fs::remove_file(&control);
        let listener = UnixListener::bind(&control)
            .map_err(|e| format!("control socket {}: {e}", control.display()))?;
        served.desk.begin(ReaderVisit {
            person: p,
            institution,
            pins: pins.into(),
            face: None,
        });
        let log = SharedLog::default();
        let slot = CardSlot::spawn(
            WorldCard::new(served.world.clone(), card, Arc::clone(&log)),
            addr,
            RetryPolicy::default(),
        )
        .map_err(|e| e.to_string())?;
        say!("{person}'s card is in the vpcd reader at {addr}");
        if let Some(s) = &served.server {
            say!(
                "registry terminal endpoints: http://{}/onshi/terminal/",
                s.addr()
            );
        }
        say!("remove it with: onshi card remove --vpcd {vpcd}");
        // Wait for `remove` (or vpcd hanging up, checked between accepts).
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("control socket: {e}"))?;
        let mut remover: Option<UnixStream> = None;
        while !slot.is_finished() {
            match listener.accept() {
                Ok((stream, _)) => {
                    remover = Some(stream);
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(format!("control socket: {e}")),
            }
        }
        let ended = slot.stop();
        served.desk.end();
        let _ = std::fs::remove_file(&control);
        let summary = {
            let log = log.lock().unwrap_or_else(|p| p.into_inner());
            describe_log(&log)
        };
        let exchanges: Vec<String> = served
            .desk
            .exchanges_since(0)
            .iter()
            .map(describe_exchange)
            .collect();
        let mut report = format!("card removed ({ended:?})\n{summary}");
        for e in exchanges {
            report.push_str(&format!("\nterminal request: {e}"));
        }
        if let Some(mut r) = remover {
            let _ = writeln!(r, "{report}");
        }
        say!("{report}");
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

/// `onshi serve`: the world stays up; cards come and go by commands on standard input.
pub fn serve(scenario: &Path, vpcd: &str, http: &str, seed: u64) -> ExitCode {
    let result = (|| {
        let addr = resolve(vpcd)?;
        let served = serve_world(scenario, seed, Some(http))?;
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
        let stdin = std::io::stdin();
        for line in BufReader::new(stdin.lock()).lines() {
            let line = line.map_err(|e| format!("standard input: {e}"))?;
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [] => {}
                ["insert", person, pins @ ..] => {
                    if current.is_some() {
                        say!("error: a card is on the reader; remove it first");
                        continue;
                    }
                    match card_of(&served.world, person) {
                        Err(e) => say!("error: {e}"),
                        Ok((p, card, institution)) => {
                            served.desk.begin(ReaderVisit {
                                person: p,
                                institution,
                                pins: pins.iter().map(|s| s.to_string()).collect(),
                                face: None,
                            });
                            let log = SharedLog::default();
                            let seen = served.desk.len();
                            match CardSlot::spawn(
                                WorldCard::new(served.world.clone(), card, Arc::clone(&log)),
                                addr,
                                RetryPolicy::default(),
                            ) {
                                Ok(slot) => {
                                    current = Some((slot, log, seen));
                                    say!("inserted {person}'s card");
                                }
                                Err(e) => say!("error: {e}"),
                            }
                        }
                    }
                }
                ["wait", rest @ ..] => {
                    let secs: f64 = rest.first().and_then(|s| s.parse().ok()).unwrap_or(30.0);
                    let seen = current.as_ref().map_or(served.desk.len(), |c| c.2);
                    let got = served
                        .desk
                        .wait_for_answer(seen, Duration::from_secs_f64(secs.clamp(0.0, 3600.0)));
                    if got.is_empty() {
                        say!("no request from the terminal within {secs} s");
                    }
                    for e in &got {
                        say!("terminal request: {}", describe_exchange(e));
                    }
                }
                ["remove"] => match current.take() {
                    None => say!("error: no card on the reader"),
                    Some((slot, log, _)) => {
                        let ended = slot.stop();
                        served.desk.end();
                        let log = log.lock().unwrap_or_else(|p| p.into_inner());
                        say!("removed ({ended:?}); {}", describe_log(&log));
                    }
                },
                ["status"] => {
                    let on = served.desk.visit().map(|v| {
                        let w = served.world.lock();
                        w.people
                            .get(v.person.index())
                            .map(|p| p.key.clone())
                            .unwrap_or_default()
                    });
                    say!(
                        "on the reader: {}; terminal requests so far: {}",
                        on.unwrap_or_else(|| "nothing".into()),
                        served.desk.len()
                    );
                }
                ["quit"] | ["exit"] => break,
                other => say!("error: unknown command `{}`", other.join(" ")),
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
