//! What the registry answered to the clinics' 資格確認端末, as typed data: each card
//! confirmation (照会区分 1), confirmation by insurance numbers (照会区分 2, with the request)
//! and data request, in the order they were answered. Kept only when asked for
//! ([`ExchangeLog::keep`]): the harness turns them into the OQS files a terminal would have left
//! after a reference run (face, req and res files), and nothing else reads them.

use crate::answer::{Answer, DataDenied, DataPayload};
use crate::clock::Moment;
use crate::ids::{InstitutionId, PersonId};
use crate::rules::DataKind;

use super::{CardConfirm, NumberConfirm};
use crate::registry::feed::Facts;

/// One exchange of a clinic with the registry.
#[derive(Clone, Debug)]
pub enum ClinicExchange {
    /// A card confirmation and the registry's answer (a face file at the clinic).
    Card {
        /// What the reader asked.
        request: CardConfirm,
        /// What the registry answered.
        answer: Box<Answer>,
    },
    /// A confirmation by insurance numbers: the request and the answer (`OQSsiquc01req/res`).
    Numbers {
        /// What the clinic asked.
        request: Box<NumberConfirm>,
        /// What the registry answered.
        answer: Box<Answer>,
    },
    /// A request for optional data and what the registry handed out or why it refused.
    Data {
        /// When it was asked.
        at: Moment,
        /// Whose data.
        person: PersonId,
        /// The asking institution.
        institution: InstitutionId,
        /// What was asked for.
        kind: DataKind,
        /// The items, or the refusal.
        result: Result<DataPayload, DataDenied>,
    },
}

/// The registry's exchanges since they were last taken; off (nothing kept) by default. With
/// facts on, each exchange comes with the registry feed's facts as they stood when it was
/// asked, so that a registry under test can be told exactly what the reference knew.
#[derive(Clone, Debug, Default)]
pub struct ExchangeLog {
    kept: Option<Vec<(ClinicExchange, Option<Box<Facts>>)>>,
    facts: bool,
}

impl ExchangeLog {
    /// Starts (or stops) keeping exchanges; stopping drops what was kept.
    pub fn keep(&mut self, on: bool) {
        self.kept = on.then(Vec::new);
    }

    /// Keeps the feed's facts with each exchange (when exchanges are kept).
    pub fn keep_facts(&mut self, on: bool) {
        self.facts = on;
    }

    /// Whether an exchange pushed now would keep facts.
    pub(crate) fn wants_facts(&self) -> bool {
        self.facts && self.kept.is_some()
    }

    /// Appends an exchange (built only when the log is kept) with the facts of its moment.
    pub(crate) fn push_with(
        &mut self,
        exchange: impl FnOnce() -> ClinicExchange,
        facts: Option<Facts>,
    ) {
        if let Some(kept) = &mut self.kept {
            kept.push((exchange(), facts.map(Box::new)));
        }
    }

    /// The exchanges kept since the last call, oldest first (the log stays on).
    pub fn take(&mut self) -> Vec<ClinicExchange> {
        self.take_with_facts().into_iter().map(|(e, _)| e).collect()
    }

    /// [`Self::take`], each exchange with the facts of its moment (`None` when facts were off).
    pub fn take_with_facts(&mut self) -> Vec<(ClinicExchange, Option<Box<Facts>>)> {
        self.kept.as_mut().map(std::mem::take).unwrap_or_default()
    }
}
