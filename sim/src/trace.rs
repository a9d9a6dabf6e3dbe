//! The run trace: every message between actors, as data. Reports draw it as a sequence
//! diagram and expectations query it ("this message must never appear"). It is not a log.

use serde::Serialize;

use crate::clock::Moment;
use crate::ids::PersonId;

/// A party that sends or receives messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The cardholder (patient).
    Person,
    /// The My Number card.
    Card,
    /// The face-auth reader and 資格確認端末.
    Reader,
    /// The clinic or pharmacy system.
    Provider,
    /// 支払基金 / オンライン資格確認等システム.
    Registry,
    /// J-LIS (機構).
    Jlis,
    /// An insurer (保険者).
    Insurer,
    /// マイナポータル.
    Portal,
    /// The municipal office (PIN reset, card issue).
    Municipality,
    /// The scenario itself: in a run whose provider is a system under test, the messages the
    /// harness's own steps send or receive in the provider's place (a `fetch`, a
    /// `confirm.numbers`, the reader and registry part of a visit), so they are not counted
    /// as the system's.
    Scenario,
}

impl Actor {
    /// Every actor, in the lane order reports draw them.
    pub const ALL: [Actor; 10] = [
        Actor::Person,
        Actor::Card,
        Actor::Reader,
        Actor::Provider,
        Actor::Registry,
        Actor::Jlis,
        Actor::Insurer,
        Actor::Portal,
        Actor::Municipality,
        Actor::Scenario,
    ];

    /// Lower-case name used in trace queries.
    pub fn name(self) -> &'static str {
        match self {
            Actor::Person => "person",
            Actor::Card => "card",
            Actor::Reader => "reader",
            Actor::Provider => "provider",
            Actor::Registry => "registry",
            Actor::Jlis => "jlis",
            Actor::Insurer => "insurer",
            Actor::Portal => "portal",
            Actor::Municipality => "municipality",
            Actor::Scenario => "scenario",
        }
    }
}

/// One message in the trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceEntry {
    /// Position in the run, from 0.
    pub seq: u64,
    /// Scenario time of the message.
    pub at: String,
    /// Sender.
    pub from: Actor,
    /// Receiver.
    pub to: Actor,
    /// Dotted message kind, e.g. `registry.confirm` or `jlis.old_serials`.
    pub kind: &'static str,
    /// The person the message is about, if any.
    pub person: Option<PersonId>,
    /// A one-line human summary (never contains a My Number).
    pub summary: String,
}

/// The ordered list of messages of one world.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    entries: Vec<TraceEntry>,
    disabled: bool,
}

impl Trace {
    /// An empty trace that records.
    pub fn new() -> Self {
        Trace::default()
    }

    /// Stops recording (population benchmarks build millions of records).
    pub fn set_enabled(&mut self, enabled: bool) {
        self.disabled = !enabled;
    }

    /// Appends a message; `summary` is only built when recording.
    pub fn push(
        &mut self,
        at: Moment,
        from: Actor,
        to: Actor,
        kind: &'static str,
        person: Option<PersonId>,
        summary: impl FnOnce() -> String,
    ) {
        if self.disabled {
            return;
        }
        let seq = self.entries.len() as u64;
        self.entries.push(TraceEntry {
            seq,
            at: at.to_string(),
            from,
            to,
            kind,
            person,
            summary: summary(),
        });
    }

    /// All messages so far.
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }

    /// How many messages there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no message.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// From message `start` on, every `from` or `to` that is `who` becomes `instead` (a
    /// harness that played a role in another's place says so).
    pub fn reassign(&mut self, start: usize, who: Actor, instead: Actor) {
        for e in self.entries.iter_mut().skip(start) {
            if e.from == who {
                e.from = instead;
            }
            if e.to == who {
                e.to = instead;
            }
        }
    }

    /// Messages of one kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a TraceEntry> + 'a {
        self.entries.iter().filter(move |e| e.kind == kind)
    }
}
