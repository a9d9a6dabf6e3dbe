//! What the steps of a scenario left behind for its expectations: visits, answers, data and
//! portal views, by step name and in order.

use super::*;

/// What the terminal did at one visit (scenarios with `terminal: true`).
#[derive(Clone, Debug)]
pub(crate) struct TerminalOutcome {
    /// The card's APDU log while it was on the reader.
    pub(crate) log: ApduLog,
    /// The terminal's requests to the registry.
    pub(crate) exchanges: Vec<TerminalExchange>,
    /// Why the visit has no answer: the terminal gave up (and why), the reader connection
    /// failed, or a terminal under test sent nothing in time.
    pub(crate) stopped: Option<String>,
}

/// What a provider under test did at one visit.
#[derive(Clone, Debug)]
pub(crate) struct AdapterVisit {
    /// The visit's name in the protocol.
    pub(crate) name: String,
    /// The `recorded` reply to `visit`.
    pub(crate) recorded: crate::adapter::Recorded,
    /// The requests the system sent while the visit was open.
    pub(crate) requests: Vec<ExchangeRecord>,
}

/// What a step left behind for expectations.
#[derive(Clone, Debug)]
pub(crate) enum Output {
    /// A visit settled by the reference provider (`true`: a paper 資格確認書 visit).
    Visit(Box<VisitOutcome>, bool),
    TerminalVisit(Box<VisitOutcome>, Box<TerminalOutcome>),
    /// A visit whose provider is under test: the world's part, and what the system did.
    ProviderVisit(Box<VisitOutcome>, Box<AdapterVisit>),
    Answer(Box<Answer>),
    Data(Result<usize, DataDenied>),
    Portal(Result<PortalView, PortalError>),
    /// A `card.certificate` or `card.sign` step.
    Jpki(Box<onshi_sim::world::JpkiOutcome>),
    /// A `card.surface` step.
    Surface(Box<onshi_sim::world::SurfaceOutcome>),
}

#[derive(Default)]
pub(crate) struct Outputs {
    pub(crate) named: BTreeMap<String, usize>,
    pub(crate) all: Vec<Output>,
}

impl Outputs {
    pub(crate) fn push(&mut self, name: Option<&String>, o: Output) {
        self.all.push(o);
        if let Some(n) = name {
            self.named.insert(n.clone(), self.all.len() - 1);
        }
    }

    /// The named output, or the latest one `pick` accepts.
    pub(crate) fn find<'a, T>(
        &'a self,
        of: &Option<StepRef>,
        what: &str,
        pick: impl Fn(&'a Output) -> Option<T>,
    ) -> Result<T, String> {
        match of {
            Some(name) => {
                let i = self
                    .named
                    .get(&name.name)
                    .ok_or_else(|| format!("no step named `{}` has run", name.name))?;
                pick(&self.all[*i])
                    .ok_or_else(|| format!("step `{}` did not produce {what}", name.name))
            }
            None => self
                .all
                .iter()
                .rev()
                .find_map(&pick)
                .ok_or_else(|| format!("no step has produced {what} yet")),
        }
    }
}

pub(crate) fn answer_of(o: &Output) -> Option<Option<&Answer>> {
    match o {
        Output::Visit(v, _) | Output::TerminalVisit(v, _) | Output::ProviderVisit(v, _) => {
            Some(v.answer.as_ref())
        }
        Output::Answer(a) => Some(Some(a)),
        _ => None,
    }
}

pub(crate) fn visit_of(o: &Output) -> Option<&VisitOutcome> {
    match o {
        Output::Visit(v, _) | Output::TerminalVisit(v, _) | Output::ProviderVisit(v, _) => Some(v),
        _ => None,
    }
}

pub(crate) fn terminal_of(o: &Output) -> Option<&TerminalOutcome> {
    match o {
        Output::TerminalVisit(_, t) => Some(t),
        _ => None,
    }
}
