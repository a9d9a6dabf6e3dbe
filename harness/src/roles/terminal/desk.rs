//! What the runner and the terminal endpoints share: the visit at the reader now (whose card,
//! which institution, what the simulated patient does), every confirmation the terminal
//! sent, with the result and how it holds against the card in the reader, in order, and
//! whether the terminal gave up on the visit.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::ids::{CardId, InstitutionId, PersonId, Serial};
use onshi_sim::reader::Attempt;
use onshi_sim::registry::Answer;
use onshi_sim::registry::terminal::{SignedCardConfirm, TerminalProof, TerminalRejection};
use onshi_sim::trace::Actor;
use serde::Serialize;

use super::binding::{Binding, bind};

/// Longest "gave up" reason kept, in characters (the terminal under test writes it).
pub const MAX_REASON_CHARS: usize = 200;

/// One try of the simulated patient at the reader, in the order the scenario's `verify` lists
/// them. A staff visual check (目視) is not the terminal's and is not handed out. `Debug` never
/// prints a PIN.
#[derive(Clone, PartialEq)]
pub enum PatientTry {
    /// A look at the camera: the similarity to the card photo and whether it looked live.
    Face {
        /// Similarity in 0.0..=1.0.
        similarity: f64,
        /// Whether the liveness check passed (false: a photo, a screen, a mask).
        live: bool,
    },
    /// A PIN typed at the PIN pad.
    Pin(String),
}

impl std::fmt::Debug for PatientTry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatientTry::Face { similarity, live } => f
                .debug_struct("Face")
                .field("similarity", similarity)
                .field("live", live)
                .finish(),
            PatientTry::Pin(_) => f.write_str("Pin(****)"),
        }
    }
}

impl PatientTry {
    /// The tries of a visit's `verify` attempts, in order (目視 left out).
    pub fn of(attempts: &[Attempt]) -> VecDeque<PatientTry> {
        attempts
            .iter()
            .filter_map(|a| match a {
                Attempt::Face { similarity, live } => Some(PatientTry::Face {
                    similarity: *similarity,
                    live: *live,
                }),
                Attempt::Pin { pin } => Some(PatientTry::Pin(pin.clone())),
                Attempt::Visual { .. } => None,
            })
            .collect()
    }
}

/// The visit in progress at the reader.
#[derive(Clone, Debug)]
pub struct ReaderVisit {
    /// Whose card is on the reader.
    pub person: PersonId,
    /// The card on the reader (what the terminal sent is held against it).
    pub card: CardId,
    /// The institution the reader belongs to.
    pub institution: InstitutionId,
    /// What the simulated patient does, one try per time they are asked.
    pub tries: VecDeque<PatientTry>,
    /// The patient's answer on the 限度額 consent screen (false when none was given).
    pub limit_consent: bool,
    /// The patient's answer on the 特定疾病 consent screen (false when none was given).
    pub disease_consent: bool,
}

/// One confirmation request from the terminal and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct TerminalExchange {
    /// Virtual time of the request.
    pub at: Moment,
    /// 医療機関コード the terminal named.
    pub institution_code: String,
    /// `pin` or `face`, as the terminal stated it (None when the request could not be read).
    pub method: Option<String>,
    /// Serial of the certificate it sent, when the certificate could be read.
    pub serial: Option<Serial>,
    /// The certificate and signature held against the card in the reader (None when the
    /// request could not be read, or no card was on the reader).
    pub binding: Option<Binding>,
    /// What it did wrong, if the registry rejected the request before looking it up.
    pub rejection: Option<TerminalRejection>,
    /// The registry's answer, when it got that far.
    #[serde(skip)]
    pub answer: Option<Answer>,
    /// A request the endpoint could not read at all (bad JSON, bad base64, unknown
    /// institution): the message it answered with.
    pub error: Option<String>,
}

/// How a visit at the reader ended, as far as the terminal's requests go.
#[derive(Clone, Debug, Default)]
pub struct VisitEnd {
    /// The exchanges of the visit, in order.
    pub exchanges: Vec<TerminalExchange>,
    /// The terminal gave up on the visit, with its reason.
    pub gave_up: Option<String>,
}

impl VisitEnd {
    /// Whether the registry answered a confirmation.
    pub fn answered(&self) -> bool {
        self.exchanges.iter().any(|e| e.answer.is_some())
    }
}

/// How long the reader stays empty between two cards.
///
/// pcscd polls a vpcd reader for the card every 400 ms, and vpcd accepts a waiting card
/// connection when it is polled: a card that follows the previous one within a poll looks to
/// the PC/SC stack like the same card that never left, so a terminal waiting for the removal
/// (as real ones do) would miss the new card. A second covers two polls on a busy machine.
pub const CARD_SWAP_GAP: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
struct State {
    world: Option<super::SharedWorld>,
    visit: Option<ReaderVisit>,
    exchanges: Vec<TerminalExchange>,
    /// The terminal gave up on the visit at the reader (reset when a card goes on it).
    gave_up: Option<String>,
    /// When the last card left the reader (None: no card of this desk yet).
    removed_at: Option<Instant>,
    /// The registry challenges issued while the card at the reader was there: a signature
    /// counts as this card's only over one of them.
    challenges: Vec<Vec<u8>>,
    /// Where the exchanges of the visit at the reader start.
    visit_start: usize,
}

/// Challenges one visit may ask for (`POST /onshi/terminal/challenge`); more are refused
/// (429), so a terminal in a loop cannot grow the registry's open challenges.
pub const MAX_CHALLENGES_PER_VISIT: usize = 16;

/// Confirmation requests one visit may send; more are refused (429) without asking the
/// registry, so a terminal in a loop cannot grow the run record.
pub const MAX_EXCHANGES_PER_VISIT: usize = 64;

/// Why the desk refused a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeRefused {
    /// No card is on the reader.
    NoCard,
    /// [`MAX_CHALLENGES_PER_VISIT`] were issued for this visit already.
    TooMany,
}

/// The shared desk. Cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct Desk {
    state: Mutex<State>,
    changed: Condvar,
}

/// A call that needs a card on the reader came while none was there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no card is on the reader")]
pub struct NoCard;

impl Desk {
    /// An empty desk: no card on the reader.
    pub fn new() -> Self {
        Desk::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The scenario world the endpoints answer from (one scenario at a time: one reader).
    pub fn attach(&self, world: super::SharedWorld) {
        let mut s = self.state();
        s.world = Some(world);
        s.exchanges.clear();
    }

    /// No scenario is running: the endpoints answer 503.
    pub fn detach(&self) {
        let mut s = self.state();
        s.world = None;
        s.visit = None;
    }

    /// The world of the running scenario.
    pub fn world(&self) -> Option<super::SharedWorld> {
        self.state().world.clone()
    }

    /// The patient's next try at the reader (None: nothing more, or no card). Each call uses
    /// one up.
    pub fn next_try(&self) -> Option<PatientTry> {
        self.state()
            .visit
            .as_mut()
            .and_then(|v| v.tries.pop_front())
    }

    /// A card goes on the reader.
    pub fn begin(&self, visit: ReaderVisit) {
        let mut s = self.state();
        s.visit = Some(visit);
        s.gave_up = None;
        s.challenges.clear();
        s.visit_start = s.exchanges.len();
        drop(s);
        self.changed.notify_all();
    }

    /// The card leaves the reader.
    pub fn end(&self) {
        let mut s = self.state();
        s.visit = None;
        s.removed_at = Some(Instant::now());
        drop(s);
        self.changed.notify_all();
    }

    /// Waits until the reader has been empty for `gap` since the last card left, so that the
    /// PC/SC stack sees the removal ([`CARD_SWAP_GAP`]). Before this desk's first card it
    /// waits the whole gap: a card of an earlier run (another process, started a moment ago)
    /// may have just left the same reader, and a terminal that resets the card on disconnect
    /// would otherwise take the new card for the old one.
    pub fn wait_reader_empty(&self, gap: Duration) {
        let left = match self.state().removed_at {
            None => Some(gap),
            Some(at) => gap.checked_sub(at.elapsed()),
        };
        if let Some(left) = left {
            std::thread::sleep(left);
        }
    }

    /// The visit at the reader now.
    pub fn visit(&self) -> Option<ReaderVisit> {
        self.state().visit.clone()
    }

    /// Records an exchange and wakes whoever waits for one.
    pub fn record(&self, exchange: TerminalExchange) {
        self.state().exchanges.push(exchange);
        self.changed.notify_all();
    }

    /// The terminal gives up on the visit at the reader (`POST /onshi/terminal/give-up`, or
    /// the built-in terminal when it cannot go on): the wait for its confirmation ends at once
    /// and the run trace says so (`terminal.give_up`). The reason is cut to
    /// [`MAX_REASON_CHARS`] characters, control characters replaced.
    pub fn give_up(&self, world: &mut World, reason: &str) -> Result<(), NoCard> {
        let reason = clean_reason(reason);
        let mut s = self.state();
        let person = s.visit.as_ref().ok_or(NoCard)?.person;
        if s.gave_up.is_some() {
            // Once a visit: a terminal that repeats it does not grow the trace.
            return Ok(());
        }
        s.gave_up = Some(reason.clone());
        drop(s);
        tracing::info!(target: "onshi::terminal", %reason, "the terminal gave up on the visit");
        let now = world.now();
        world.trace_mut().push(
            now,
            Actor::Reader,
            Actor::Registry,
            "terminal.give_up",
            Some(person),
            || {
                if reason.is_empty() {
                    "the terminal gave up on the visit".into()
                } else {
                    format!("the terminal gave up on the visit: {reason}")
                }
            },
        );
        self.changed.notify_all();
        Ok(())
    }

    /// Asks the registry for a terminal's confirmation and records the exchange, with how the
    /// request holds against the card on the reader: the one path the HTTP endpoint and the
    /// built-in terminal share.
    pub fn confirm(
        &self,
        world: &mut World,
        req: &SignedCardConfirm,
    ) -> Result<Answer, TerminalRejection> {
        let (card, issued) = {
            let s = self.state();
            (s.visit.as_ref().map(|v| v.card), s.challenges.clone())
        };
        let binding = card.map(|c| bind(world, c, req, &issued));
        let result = world.confirm_card_signed(req);
        self.record(TerminalExchange {
            at: world.now(),
            institution_code: world
                .institutions()
                .get(req.institution.index())
                .map(|i| i.code.to_string())
                .unwrap_or_default(),
            method: Some(match req.proof {
                TerminalProof::Pin { .. } => "pin".to_string(),
                TerminalProof::Face => "face".to_string(),
            }),
            serial: onshi_sim::jlis::certificate_serial(&req.certificate_der).ok(),
            binding,
            rejection: result.as_ref().err().cloned(),
            answer: result.as_ref().ok().cloned(),
            error: None,
        });
        result
    }

    /// A registry challenge for the visit at the reader, remembered for the binding check.
    pub fn issue_challenge(&self, world: &mut World) -> Result<Vec<u8>, ChallengeRefused> {
        let mut s = self.state();
        if s.visit.is_none() {
            return Err(ChallengeRefused::NoCard);
        }
        if s.challenges.len() >= MAX_CHALLENGES_PER_VISIT {
            return Err(ChallengeRefused::TooMany);
        }
        let c = world.challenges_mut().issue();
        s.challenges.push(c.clone());
        Ok(c)
    }

    /// Exchanges of the visit at the reader so far (0 with no card).
    pub fn exchanges_this_visit(&self) -> usize {
        let s = self.state();
        if s.visit.is_none() {
            return 0;
        }
        s.exchanges.len().saturating_sub(s.visit_start)
    }

    /// Number of exchanges so far.
    pub fn len(&self) -> usize {
        self.state().exchanges.len()
    }

    /// Whether nothing was exchanged yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The exchanges from index `from` on.
    pub fn exchanges_since(&self, from: usize) -> Vec<TerminalExchange> {
        self.state()
            .exchanges
            .get(from..)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }

    /// How the visit stands: the exchanges after `seen` and whether the terminal gave up.
    pub fn so_far(&self, seen: usize) -> VisitEnd {
        let s = self.state();
        VisitEnd {
            exchanges: s
                .exchanges
                .get(seen..)
                .map(<[_]>::to_vec)
                .unwrap_or_default(),
            gave_up: s.gave_up.clone(),
        }
    }

    /// Waits until the registry answered a confirmation after the first `seen` exchanges, or
    /// the terminal gave up, or `timeout` passed; then says how the visit stands.
    pub fn wait_for_end(&self, seen: usize, timeout: Duration) -> VisitEnd {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        loop {
            let answered = state
                .exchanges
                .get(seen..)
                .is_some_and(|x| x.iter().any(|e| e.answer.is_some()));
            let now = Instant::now();
            if answered || state.gave_up.is_some() || now >= deadline {
                return VisitEnd {
                    exchanges: state
                        .exchanges
                        .get(seen..)
                        .map(<[_]>::to_vec)
                        .unwrap_or_default(),
                    gave_up: state.gave_up.clone(),
                };
            }
            state = match self.changed.wait_timeout(state, deadline - now) {
                Ok((s, _)) => s,
                Err(p) => p.into_inner().0,
            };
        }
    }
}

/// A terminal's reason, made safe to keep: at most [`MAX_REASON_CHARS`] characters, control
/// characters as spaces, trimmed.
fn clean_reason(reason: &str) -> String {
    reason
        .chars()
        .take(MAX_REASON_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use onshi_sim::WorldConfig;
    use onshi_sim::ids::{CardId, InstitutionId, PersonId};

    fn visit() -> ReaderVisit {
        ReaderVisit {
            person: PersonId(0),
            card: CardId(0),
            institution: InstitutionId(0),
            tries: [
                PatientTry::Face {
                    similarity: 0.5,
                    live: true,
                },
                PatientTry::Pin("9999".into()),
                PatientTry::Pin("1234".into()),
            ]
            .into(),
            limit_consent: false,
            disease_consent: false,
        }
    }

    fn exchange(answered: bool) -> TerminalExchange {
        TerminalExchange {
            at: Moment::parse("2026-04-01T09:00").unwrap(),
            institution_code: "1310143217".into(),
            method: Some("pin".into()),
            serial: None,
            binding: None,
            rejection: None,
            answer: None,
            error: (!answered).then(|| "bad".to_string()),
        }
    }

    fn world() -> World {
        World::new(WorldConfig::new(
            1,
            "desk",
            Moment::parse("2026-04-01T09:00").unwrap(),
        ))
    }

    #[test]
    fn tries_are_handed_out_in_order_one_per_ask_and_only_while_a_card_is_on_the_reader() {
        let d = Desk::new();
        assert_eq!(d.next_try(), None);
        d.begin(visit());
        assert_eq!(
            d.next_try(),
            Some(PatientTry::Face {
                similarity: 0.5,
                live: true
            })
        );
        assert_eq!(d.next_try(), Some(PatientTry::Pin("9999".into())));
        assert_eq!(d.next_try(), Some(PatientTry::Pin("1234".into())));
        assert_eq!(d.next_try(), None);
        d.end();
        assert!(d.visit().is_none());
    }

    #[test]
    fn a_pin_try_never_prints_its_value() {
        let text = format!("{:?}", visit());
        assert!(text.contains("Pin(****)"), "{text}");
        assert!(!text.contains("1234") && !text.contains("9999"), "{text}");
    }

    #[test]
    fn a_visual_check_is_not_a_try_at_the_terminal() {
        let tries = PatientTry::of(&[
            Attempt::Visual { confirmed: true },
            Attempt::Pin { pin: "1234".into() },
        ]);
        assert_eq!(tries, VecDeque::from([PatientTry::Pin("1234".into())]));
    }

    #[test]
    fn waiting_returns_what_came_when_no_answer_comes_in_time() {
        let d = Desk::new();
        d.record(exchange(false));
        let got = d.wait_for_end(0, Duration::from_millis(50));
        assert_eq!(
            got.exchanges.len(),
            1,
            "the unanswered request is still reported"
        );
        assert!(!got.answered());
        assert!(got.gave_up.is_none());
        assert!(
            d.wait_for_end(1, Duration::from_millis(10))
                .exchanges
                .is_empty()
        );
    }

    #[test]
    fn giving_up_ends_the_wait_at_once_and_is_traced() {
        let d = std::sync::Arc::new(Desk::new());
        let mut w = world();
        assert_eq!(d.give_up(&mut w, "no card"), Err(NoCard));
        d.begin(visit());
        let waiter = {
            let d = std::sync::Arc::clone(&d);
            std::thread::spawn(move || {
                let start = Instant::now();
                let end = d.wait_for_end(0, Duration::from_secs(60));
                (end, start.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        let long = format!("PIN blocked\n{}", "x".repeat(1000));
        d.give_up(&mut w, &long).unwrap();
        let (end, waited) = waiter.join().unwrap();
        assert!(waited < Duration::from_secs(30), "waited {waited:?}");
        let reason = end.gave_up.unwrap();
        assert!(reason.starts_with("PIN blocked x"), "{reason}");
        assert_eq!(reason.chars().count(), MAX_REASON_CHARS);
        let traced = w.trace().entries().last().unwrap();
        assert_eq!(traced.kind, "terminal.give_up");
        assert_eq!(traced.person, Some(PersonId(0)));
        // The next card starts afresh.
        d.end();
        d.begin(visit());
        assert!(d.so_far(0).gave_up.is_none());
    }

    #[test]
    fn the_next_card_waits_until_the_reader_was_empty_long_enough() {
        let desk = Desk::new();
        let gap = Duration::from_millis(150);
        let start = Instant::now();
        desk.wait_reader_empty(gap);
        assert!(
            start.elapsed() >= gap,
            "before the first card the reader stays empty for the gap too"
        );
        let removed = Instant::now();
        desk.end();
        desk.wait_reader_empty(gap);
        assert!(
            removed.elapsed() >= gap,
            "the reader stayed empty for the gap"
        );
        std::thread::sleep(gap);
        let again = Instant::now();
        desk.wait_reader_empty(gap);
        assert!(again.elapsed() < gap, "empty long enough already: no wait");
    }
}
