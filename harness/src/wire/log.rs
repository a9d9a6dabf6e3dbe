//! The exchange log: every request a system under test sent through the folders or the web
//! API, in arrival order, with what onshi made of it and what it answered. Scenario
//! expectations read it ("no YZK request without consent"), reports quote its violations.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use onshi_sim::ids::serialize_numbers_or_nulls;
use onshi_sim::oqs::{InsuranceNumbersText, Violation};
use serde::Serialize;

/// Which interface a request came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The req/res/face folders.
    Folder,
    /// The JSON web API.
    Http,
}

/// What kind of exchange it was (the kinds and their names are `onshi_sim::oqs`'s).
pub use onshi_sim::oqs::ExchangeKind;

/// What the request said, as far as it could be read (each field `None` when absent or
/// unreadable). The My Number never appears: no request carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RequestSummary {
    /// MedicalInstitutionCode as sent.
    pub institution: Option<String>,
    /// InsurerNumber (raw 8 columns), InsuredCardSymbol, InsuredIdentificationNumber (番号)
    /// and InsuredBranchNumber as sent. For bulk uploads: the first search info's. In JSON the
    /// four keys `insurer_number`, `symbol`, `number` and `branch`, null when not noted.
    #[serde(flatten, serialize_with = "serialize_numbers_or_nulls")]
    pub numbers: Option<InsuranceNumbersText>,
    /// Birthdate as sent (`YYYYMMDD`).
    pub birthdate: Option<String>,
    /// LimitApplicationCertificateRelatedConsFlg as sent.
    pub limit_consent: Option<String>,
    /// QualificationConfirmationDate as sent.
    pub confirmation_date: Option<String>,
    /// ArbitraryFileIdentifier as sent.
    pub arbitrary_file_identifier: Option<String>,
    /// ArbitraryIdentifier as sent.
    pub arbitrary_identifier: Option<String>,
    /// ReceptionNumber (bulk download request, or the one issued for an upload).
    pub reception_number: Option<String>,
    /// ReferenceNumber 照会番号 (registration).
    pub reference_number: Option<String>,
    /// Number of search infos (bulk upload).
    pub persons: Option<usize>,
}

impl RequestSummary {
    /// Notes the insurance numbers as sent (保険者番号 raw).
    pub fn set_numbers(&mut self, numbers: &InsuranceNumbersText) {
        self.numbers = Some(numbers.clone());
    }

    /// Notes only the 保険者番号 (raw) and 番号 of `numbers`, the 記号 and 枝番 left unnoted: what
    /// the bulk upload (its first search info) and face-file records note.
    pub fn set_insurer_and_number(&mut self, numbers: &InsuranceNumbersText) {
        self.numbers = Some(InsuranceNumbersText {
            insurer: numbers.insurer.clone(),
            symbol: None,
            number: numbers.number.clone(),
            branch: None,
        });
    }
}

/// One broken rule, as logged (from `onshi_sim::oqs::Violation` or a decode error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoggedViolation {
    /// Element path or `file-name` / `http`.
    pub path: String,
    /// Stable rule id.
    pub rule: String,
    /// onshi result code (`ONS-E0005`).
    pub code: String,
    /// What was wrong.
    pub message: String,
}

impl From<&Violation> for LoggedViolation {
    fn from(v: &Violation) -> Self {
        LoggedViolation {
            path: v.path.clone(),
            rule: v.rule.to_string(),
            code: v.code.code().to_string(),
            message: v.message.clone(),
        }
    }
}

/// One exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeRecord {
    /// Position in the log (0-based, over the whole run even when old entries were dropped).
    pub seq: u64,
    /// Folder or HTTP.
    pub channel: Channel,
    /// Which exchange.
    pub kind: ExchangeKind,
    /// The request file name, or the HTTP method and path.
    pub request: String,
    /// Virtual time of the answer (`YYYY-MM-DDTHH:MM:SS` JST).
    pub at: String,
    /// What the request said.
    pub summary: RequestSummary,
    /// Every rule the request broke (warnings included).
    pub violations: Vec<LoggedViolation>,
    /// The code answered: ErrorCode, else ProcessingResultCode / ErrorCode of the data result;
    /// `None` for a clean success.
    pub result_code: Option<String>,
    /// 資格有効性 answered, when there was one.
    pub validity: Option<String>,
    /// The answer file name, or the HTTP status; `None` when nothing could be answered.
    pub answer: Option<String>,
}

impl ExchangeRecord {
    /// A record with nothing filled in but where it came from.
    pub fn new(channel: Channel, kind: ExchangeKind, request: &str) -> Self {
        ExchangeRecord {
            seq: 0,
            channel,
            kind,
            request: request.to_string(),
            at: String::new(),
            summary: RequestSummary::default(),
            violations: Vec::new(),
            result_code: None,
            validity: None,
            answer: None,
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    records: VecDeque<ExchangeRecord>,
    next: u64,
    limit: Option<usize>,
}

/// The shared, ordered log of exchanges. Cloning shares it.
#[derive(Clone, Debug, Default)]
pub struct ExchangeLog {
    inner: Arc<(Mutex<Inner>, Condvar)>,
}

impl ExchangeLog {
    /// An unbounded log (scenario runs).
    pub fn new() -> Self {
        ExchangeLog::default()
    }

    /// A log that keeps only the latest `limit` records (long-running servers, load tests).
    pub fn bounded(limit: usize) -> Self {
        let log = ExchangeLog::default();
        log.lock().limit = Some(limit.max(1));
        log
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends a record, numbering it; returns its sequence number.
    pub fn append(&self, mut record: ExchangeRecord) -> u64 {
        tracing::info!(
            target: "onshi::oqs",
            channel = ?record.channel,
            kind = record.kind.name(),
            request = %record.request,
            answer = record.answer.as_deref().unwrap_or("-"),
            code = record.result_code.as_deref().unwrap_or("-"),
            validity = record.validity.as_deref().unwrap_or("-"),
            violations = record.violations.len(),
            "exchange"
        );
        let seq = {
            let mut g = self.lock();
            let seq = g.next;
            g.next += 1;
            record.seq = seq;
            g.records.push_back(record);
            if let Some(limit) = g.limit {
                while g.records.len() > limit {
                    g.records.pop_front();
                }
            }
            seq
        };
        self.inner.1.notify_all();
        seq
    }

    /// Every record kept, in order.
    pub fn snapshot(&self) -> Vec<ExchangeRecord> {
        self.lock().records.iter().cloned().collect()
    }

    /// How many records were ever appended.
    pub fn total(&self) -> u64 {
        self.lock().next
    }

    /// Waits until at least `count` records were ever appended, at most `timeout`; returns
    /// whether they were.
    pub fn wait_for(&self, count: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut g = self.lock();
        while g.next < count {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            g = match self.inner.1.wait_timeout(g, deadline - now) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use onshi_sim::oqs::InsurerNumberText;

    use super::*;

    /// The summary's JSON keeps the four numbers as top-level keys, null when not noted.
    #[test]
    fn request_summary_json() {
        let empty = RequestSummary::default();
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            r#"{"institution":null,"insurer_number":null,"symbol":null,"number":null,"branch":null,"birthdate":null,"limit_consent":null,"confirmation_date":null,"arbitrary_file_identifier":null,"arbitrary_identifier":null,"reception_number":null,"reference_number":null,"persons":null}"#
        );
        let mut noted = RequestSummary {
            institution: Some("1310143217".into()),
            birthdate: Some("19800510".into()),
            ..RequestSummary::default()
        };
        noted.set_numbers(&InsuranceNumbersText {
            insurer: InsurerNumberText("  138016".into()),
            symbol: Some("千代田１".into()),
            number: "5678".into(),
            branch: None,
        });
        assert_eq!(
            serde_json::to_string(&noted).unwrap(),
            r#"{"institution":"1310143217","insurer_number":"  138016","symbol":"千代田１","number":"5678","branch":null,"birthdate":"19800510","limit_consent":null,"confirmation_date":null,"arbitrary_file_identifier":null,"arbitrary_identifier":null,"reception_number":null,"reference_number":null,"persons":null}"#
        );
    }
}
