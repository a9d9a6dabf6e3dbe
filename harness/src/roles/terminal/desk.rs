//! What the runner and the terminal endpoints share: the visit at the reader now (whose card,
//! which institution, what the simulated patient types) and every confirmation the terminal
//! sent, with the result, in order.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::ids::{InstitutionId, PersonId, Serial};
use onshi_sim::registry::Answer;
use onshi_sim::registry::terminal::{SignedCardConfirm, TerminalProof, TerminalRejection};
use serde::Serialize;

/// The visit in progress at the reader.
#[derive(Clone, Debug)]
pub struct ReaderVisit {
    /// Whose card is on the reader.
    pub person: PersonId,
    /// The institution the reader belongs to.
    pub institution: InstitutionId,
    /// What the simulated patient types at the PIN pad, one entry per time they are asked
    /// (empty: they use face authentication and type nothing).
    pub pins: VecDeque<String>,
    /// The face similarity the reader's camera measures, when the patient uses the face.
    pub face: Option<f64>,
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
    /// What it did wrong, if the registry rejected the request before looking it up.
    pub rejection: Option<TerminalRejection>,
    /// The registry's answer, when it got that far.
    #[serde(skip)]
    pub answer: Option<Answer>,
    /// A request the endpoint could not read at all (bad JSON, bad base64, unknown
    /// institution): the message it answered with.
    pub error: Option<String>,
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
    /// When the last card left the reader.
    removed_at: Option<Instant>,
}

/// The shared desk. Cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct Desk {
    state: Mutex<State>,
    changed: Condvar,
}

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

    /// The next PIN the simulated patient types (None: nothing more to type, or no card).
    pub fn next_pin(&self) -> Option<String> {
        self.state().visit.as_mut().and_then(|v| v.pins.pop_front())
    }

    /// A card goes on the reader.
    pub fn begin(&self, visit: ReaderVisit) {
        self.state().visit = Some(visit);
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

    /// Waits until the reader has been empty for `gap` since the last card left (at once if
    /// no card was there yet), so that the PC/SC stack sees the removal ([`CARD_SWAP_GAP`]).
    pub fn wait_reader_empty(&self, gap: Duration) {
        let removed = self.state().removed_at;
        if let Some(left) = removed.and_then(|at| gap.checked_sub(at.elapsed())) {
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

    /// Asks the registry for a terminal's confirmation and records the exchange: the one path
    /// the HTTP endpoint and the built-in terminal share.
    pub fn confirm(
        &self,
        world: &mut World,
        req: &SignedCardConfirm,
    ) -> Result<Answer, TerminalRejection> {
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
            rejection: result.as_ref().err().cloned(),
            answer: result.as_ref().ok().cloned(),
            error: None,
        });
        result
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

    /// Waits until there are more than `seen` exchanges and the last one is final (an answer
    /// or a rejection the terminal cannot retry), or until `timeout`. Returns the exchanges
    /// after `seen`; empty on timeout.
    pub fn wait_for_answer(&self, seen: usize, timeout: Duration) -> Vec<TerminalExchange> {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        loop {
            if state.exchanges[seen.min(state.exchanges.len())..]
                .iter()
                .any(|e| e.answer.is_some())
            {
                return state.exchanges[seen..].to_vec();
            }
            let now = Instant::now();
            if now >= deadline {
                return state
                    .exchanges
                    .get(seen..)
                    .map(<[_]>::to_vec)
                    .unwrap_or_default();
            }
            state = match self.changed.wait_timeout(state, deadline - now) {
                Ok((s, _)) => s,
                Err(p) => p.into_inner().0,
            };
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use onshi_sim::ids::{InstitutionId, PersonId};

    fn visit() -> ReaderVisit {
        ReaderVisit {
            person: PersonId(0),
            institution: InstitutionId(0),
            pins: ["9999".to_string(), "1234".to_string()].into(),
            face: None,
        }
    }

    fn exchange(answered: bool) -> TerminalExchange {
        TerminalExchange {
            at: Moment::parse("2026-04-01T09:00").unwrap(),
            institution_code: "1310143217".into(),
            method: Some("pin".into()),
            serial: None,
            rejection: None,
            answer: None,
            error: (!answered).then(|| "bad".to_string()),
        }
    }

    #[test]
    fn pins_are_handed_out_one_per_ask_and_only_while_a_card_is_on_the_reader() {
        let d = Desk::new();
        assert_eq!(d.next_pin(), None);
        d.begin(visit());
        assert_eq!(d.next_pin().as_deref(), Some("9999"));
        assert_eq!(d.next_pin().as_deref(), Some("1234"));
        assert_eq!(d.next_pin(), None);
        d.end();
        assert!(d.visit().is_none());
    }

    #[test]
    fn waiting_returns_what_came_when_no_answer_comes_in_time() {
        let d = Desk::new();
        d.record(exchange(false));
        let got = d.wait_for_answer(0, Duration::from_millis(50));
        assert_eq!(got.len(), 1, "the unanswered request is still reported");
        assert!(got[0].answer.is_none());
        assert!(d.wait_for_answer(1, Duration::from_millis(10)).is_empty());
    }

    #[test]
    fn the_next_card_waits_until_the_reader_was_empty_long_enough() {
        let desk = Desk::new();
        let gap = Duration::from_millis(150);
        let start = Instant::now();
        desk.wait_reader_empty(Duration::from_secs(60));
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no card was there yet: no wait"
        );
        let removed = Instant::now();
        desk.end();
        desk.wait_reader_empty(gap);
        assert!(
            removed.elapsed() >= gap,
            "the reader stayed empty for the gap"
        );
    }
}
