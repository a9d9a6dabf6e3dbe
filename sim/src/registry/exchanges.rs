//! What the registry answered to the clinics' 資格確認端末, as typed data: each card
//! confirmation (照会区分 1), confirmation by insurance numbers (照会区分 2, with the request)
//! and data request, in the order they were answered. Kept only when asked for
//! ([`ExchangeLog::keep`]): the harness turns them into the OQS files a terminal would have left
//! after a reference run (face, req and res files), and nothing else reads them.

use crate::answer::{Answer, DataDenied, DataPayload};
use crate::clock::Moment;
use crate::ids::{InstitutionId, PersonId};
use crate::rules::DataKind;

use super::NumberConfirm;

/// One exchange of a clinic with the registry.
#[derive(Clone, Debug)]
pub enum ClinicExchange {
    /// A card confirmation and the registry's answer (a face file at the clinic).
    Card(Box<Answer>),
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

/// The registry's exchanges since they were last taken; off (nothing kept) by default.
#[derive(Clone, Debug, Default)]
pub struct ExchangeLog {
    kept: Option<Vec<ClinicExchange>>,
}

impl ExchangeLog {
    /// Starts (or stops) keeping exchanges; stopping drops what was kept.
    pub fn keep(&mut self, on: bool) {
        self.kept = on.then(Vec::new);
    }

    /// Appends an exchange, built only when the log is kept.
    pub(crate) fn push(&mut self, exchange: impl FnOnce() -> ClinicExchange) {
        if let Some(kept) = &mut self.kept {
            kept.push(exchange());
        }
    }

    /// The exchanges kept since the last call, oldest first (the log stays on).
    pub fn take(&mut self) -> Vec<ClinicExchange> {
        self.kept.as_mut().map(std::mem::take).unwrap_or_default()
    }
}
