//! The answering side both servers share: one [`Service`] per served world. It turns request
//! bytes (or a decoded request) into the answer message, asks the world, encodes the answer in
//! the configured character code, and fills the [`ExchangeRecord`]. It knows nothing about
//! folders or sockets.
//!
//! Error answers (oqs-wire.md §7): a request that cannot be decoded, breaks a layout rule, names
//! an unknown or foreign institution or asks for something onshi does not serve is answered as a
//! whole (`SegmentOfResult` 9 with `ErrorCode`/`ErrorMessage`, every header field present, and the
//! body's `ProcessingResultStatus` 2 with the same code); a person-level outcome (no
//! qualification, revoked card, no consent for data) comes from the registry as
//! `ProcessingResultStatus` 2 with `ProcessingResultCode`/`ProcessingResultMessage`. Codes are
//! onshi's [`RESULT_CODES`](onshi_sim::oqs::RESULT_CODES).

mod exchanges;

pub(crate) use exchanges::whole_error_answer;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use onshi_sim::World;
use onshi_sim::clock::{Date, Moment};
use onshi_sim::ids::{InstitutionCode, InstitutionId};
use onshi_sim::oqs::{
    self, BulkConfirmUnit, CharacterCode, ConfirmRequest, ConfirmResponse, ConsentFlag,
    EncodeOptions, ErrorEcho, Exchange, ExchangeFileName, FileName, Message, OqsError, ResultCode,
    Severity, validate_confirm_request,
};
use onshi_sim::registry::{self, NumberConfirm};
use onshi_sim::rng::SeedRoot;
use onshi_sim::world::{Event, Outcome};

use super::face::FaceFiles;
use super::log::{Channel, ExchangeKind, ExchangeLog, ExchangeRecord, LoggedViolation};
use super::{SharedWorld, WireError, WithWorld};

/// How answers are written.
#[derive(Clone, Debug)]
pub struct ServiceSettings {
    /// The character code of answer files (CharacterCodeIdentifier `0` UTF-8, `1` Shift_JIS).
    /// The web API always answers UTF-8 JSON.
    pub encoding: CharacterCode,
    /// The institution whose 資格確認端末 onshi plays on the folder channel. Error answers to
    /// requests whose code cannot be read carry it.
    pub terminal_institution: InstitutionCode,
    /// Refuse folder requests that name another institution than the terminal's
    /// (`ONS-E0016`). On by default: a terminal is set up for one institution.
    pub check_terminal_institution: bool,
    /// One element per line in answer files (text untouched). On by default.
    pub indent: bool,
}

impl ServiceSettings {
    /// How files are written: the configured character code, one element per line when
    /// `indent` (the layout every file the terminal writes shares).
    pub fn encode_options(&self) -> EncodeOptions {
        EncodeOptions {
            indent: self.indent,
            ..EncodeOptions::with_encoding(self.encoding)
        }
    }

    /// UTF-8 answers for the terminal of `institution`.
    pub fn new(institution: InstitutionCode) -> Self {
        ServiceSettings {
            encoding: CharacterCode::Utf8,
            terminal_institution: institution,
            check_terminal_institution: true,
            indent: true,
        }
    }
}

/// The results of one bulk upload, kept until downloaded (and after).
#[derive(Clone, Debug)]
struct BulkJob {
    institution: InstitutionCode,
    confirmation_date: Option<Date>,
    units: Vec<BulkConfirmUnit>,
}

#[derive(Debug, Default)]
struct State {
    jobs: HashMap<String, BulkJob>,
    receptions: u64,
    faces: FaceFiles,
    tokens: u64,
    /// The registry's latest answers to confirmations by numbers (at most [`KEPT_ANSWERS`]).
    answers: std::collections::VecDeque<registry::Answer>,
    /// Answers ever given (the count [`Service::answers_since`] takes).
    answered: u64,
}

/// How many answers to confirmations by numbers a service keeps for the runner.
const KEPT_ANSWERS: usize = 1024;

/// An answer to one request file: the file to write (if any could be named) and the log record.
#[derive(Clone, Debug)]
pub struct FileReply {
    /// The answer file name (in res), `None` when the request name allows no answer name.
    pub answer_name: Option<String>,
    /// The answer bytes (empty when `answer_name` is `None`).
    pub bytes: Vec<u8>,
    /// What to log once the answer is written (its `answer` field is filled by the writer).
    pub record: ExchangeRecord,
}

/// What a request file name says about how to answer it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamePlan {
    /// A temporary or hidden file a client is still writing: leave it alone.
    Ignore,
    /// A request to answer under `answer_name`; `name_error` when the name itself breaks the
    /// grammar of §1.2 (the answer is then `ONS-E0010`).
    Answer {
        /// The exchange the name's prefix names.
        exchange: Exchange,
        /// The answer file name.
        answer_name: String,
        /// What is wrong with the request name.
        name_error: Option<String>,
    },
    /// No answer name can be derived (no known prefix, a `res` or face name in req): logged
    /// and taken away without an answer.
    Unanswerable {
        /// Why.
        reason: String,
    },
}

/// Whether a name in req is a temporary file of a writer (`.x`, `~x`, `x.tmp`, `x.part`, `x~`).
pub fn is_temporary_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || [".tmp", ".part", ".partial", ".crdownload"]
            .iter()
            .any(|s| name.to_ascii_lowercase().ends_with(s))
}

/// Decides how to answer a file found in req (see [`NamePlan`]).
pub fn plan_name(name: &str) -> NamePlan {
    if is_temporary_name(name) {
        return NamePlan::Ignore;
    }
    match FileName::parse(name) {
        Ok(FileName::Exchange(e)) if e.direction == oqs::Direction::Request => {
            let answer_name = ExchangeFileName {
                direction: oqs::Direction::Response,
                extension: oqs::Extension::Xml,
                ..e.clone()
            }
            .to_string();
            let name_error = (e.extension != oqs::Extension::Xml)
                .then(|| format!("file name `{name}`: extension: a request file ends in `.xml`"));
            NamePlan::Answer {
                exchange: e.exchange,
                answer_name,
                name_error,
            }
        }
        Ok(_) => NamePlan::Unanswerable {
            reason: format!("`{name}` is a result or face file name, not a request"),
        },
        Err(err) => {
            for exchange in Exchange::ALL {
                let Some(rest) = name
                    .strip_prefix(exchange.prefix())
                    .and_then(|r| r.strip_prefix("req"))
                else {
                    continue;
                };
                let stem = match rest.rsplit_once('.') {
                    Some((stem, _)) => stem,
                    None => rest,
                };
                return NamePlan::Answer {
                    exchange,
                    answer_name: format!("{}res{stem}.xml", exchange.prefix()),
                    name_error: Some(err.to_string()),
                };
            }
            NamePlan::Unanswerable {
                reason: err.to_string(),
            }
        }
    }
}

/// The element path an error names (`document` for whole-document errors).
pub(crate) fn error_path(e: &OqsError) -> String {
    match e {
        OqsError::Missing { path, .. }
        | OqsError::Invalid { path, .. }
        | OqsError::Unexpected { path, .. }
        | OqsError::Duplicate { path, .. }
        | OqsError::Unencodable { path, .. } => path.clone(),
        OqsError::WrongRoot { .. } => "XmlMsg".into(),
        OqsError::FileName { .. } => "file-name".into(),
        _ => "document".into(),
    }
}

/// A decode error as a logged violation.
pub(crate) fn decode_violation(e: &OqsError) -> LoggedViolation {
    LoggedViolation {
        path: error_path(e),
        rule: "decode".into(),
        code: e.result_code().code().to_string(),
        message: e.to_string(),
    }
}

/// The answering service. Share it between servers with an `Arc`.
#[derive(Debug)]
pub struct Service {
    world: SharedWorld,
    log: ExchangeLog,
    settings: ServiceSettings,
    seed: SeedRoot,
    state: Mutex<State>,
}

impl Service {
    /// A service answering from `world`, logging into `log`.
    pub fn new(world: SharedWorld, log: ExchangeLog, settings: ServiceSettings) -> Self {
        let seed = world.with(|w| *w.seed());
        Service {
            world,
            log,
            settings,
            seed,
            state: Mutex::new(State::default()),
        }
    }

    /// The shared world.
    pub fn world(&self) -> &SharedWorld {
        &self.world
    }

    /// The exchange log.
    pub fn log(&self) -> &ExchangeLog {
        &self.log
    }

    /// The settings.
    pub fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn keep_answer(&self, answer: registry::Answer) {
        let mut s = self.state();
        s.answered += 1;
        s.answers.push_back(answer);
        while s.answers.len() > KEPT_ANSWERS {
            s.answers.pop_front();
        }
    }

    /// How many confirmations by numbers the registry has answered through this service.
    pub fn answered(&self) -> u64 {
        self.state().answered
    }

    /// The registry's answers to confirmations by numbers after the first `count` (as far as
    /// they are still kept), oldest first.
    pub fn answers_since(&self, count: u64) -> Vec<registry::Answer> {
        let s = self.state();
        let new = s.answered.saturating_sub(count) as usize;
        let skip = s.answers.len().saturating_sub(new);
        s.answers.iter().skip(skip).cloned().collect()
    }

    /// The virtual time now.
    pub fn now(&self) -> Moment {
        self.world.with(|w| w.clock().now())
    }

    /// A token of `bytes` random bytes (hex) from the seed: the `n`-th draw of stream `label`.
    pub(crate) fn token(&self, label: &str) -> String {
        let n = {
            let mut s = self.state();
            s.tokens += 1;
            s.tokens
        };
        let a = self.seed.draw(label, n.wrapping_mul(2));
        let b = self.seed.draw(label, n.wrapping_mul(2).wrapping_add(1));
        format!("{a:016x}{b:016x}")
    }

    /// How answers are written: the configured character code and layout.
    pub(crate) fn options(&self) -> EncodeOptions {
        self.settings.encode_options()
    }

    /// Encodes a message with the configured character code.
    pub(crate) fn encode<M: Message>(&self, message: &M) -> Result<Vec<u8>, OqsError> {
        oqs::encode(message, self.options()).map(|e| e.bytes)
    }

    /// Reads the echo identifiers of a request that may not decode.
    pub(crate) fn salvage(&self, bytes: &[u8], now: Moment) -> ErrorEcho {
        ErrorEcho::salvage(bytes, now, self.settings.terminal_institution)
    }

    /// Answers one request file (name and complete bytes). Never panics on content.
    pub fn answer_file(&self, name: &str, bytes: &[u8]) -> FileReply {
        match plan_name(name) {
            NamePlan::Ignore => FileReply {
                answer_name: None,
                bytes: Vec::new(),
                record: ExchangeRecord::new(Channel::Folder, ExchangeKind::Unknown, name),
            },
            NamePlan::Unanswerable { reason } => self.unanswerable(name, &reason),
            NamePlan::Answer {
                exchange,
                answer_name,
                name_error,
            } => {
                let mut record = ExchangeRecord::new(Channel::Folder, exchange.into(), name);
                let bytes = match name_error {
                    Some(reason) => {
                        record.violations.push(LoggedViolation {
                            path: "file-name".into(),
                            rule: "file-name".into(),
                            code: ResultCode::InvalidFileName.code().into(),
                            message: reason,
                        });
                        self.whole_error(exchange, ResultCode::InvalidFileName, bytes, &mut record)
                    }
                    None => self.answer_exchange(exchange, bytes, &mut record),
                };
                FileReply {
                    answer_name: Some(answer_name),
                    bytes,
                    record,
                }
            }
        }
    }

    /// The answer to a request file refused before its content was read: `code` with the
    /// violation `rule` / `message` (`ONS-E0015` never complete, `ONS-E0013` too large).
    pub fn answer_refused(
        &self,
        name: &str,
        bytes: &[u8],
        code: ResultCode,
        rule: &str,
        message: &str,
    ) -> FileReply {
        match plan_name(name) {
            NamePlan::Answer {
                exchange,
                answer_name,
                ..
            } => {
                let mut record = ExchangeRecord::new(Channel::Folder, exchange.into(), name);
                record.violations.push(LoggedViolation {
                    path: "file".into(),
                    rule: rule.into(),
                    code: code.code().into(),
                    message: message.into(),
                });
                let bytes = self.whole_error(exchange, code, bytes, &mut record);
                FileReply {
                    answer_name: Some(answer_name),
                    bytes,
                    record,
                }
            }
            NamePlan::Ignore => self.unanswerable(name, "temporary file never renamed"),
            NamePlan::Unanswerable { reason } => self.unanswerable(name, &reason),
        }
    }

    fn unanswerable(&self, name: &str, reason: &str) -> FileReply {
        let mut record = ExchangeRecord::new(Channel::Folder, ExchangeKind::Unknown, name);
        record.at = self.now().to_string();
        record.violations.push(LoggedViolation {
            path: "file-name".into(),
            rule: "file-name".into(),
            code: ResultCode::InvalidFileName.code().into(),
            message: reason.to_string(),
        });
        record.result_code = Some(ResultCode::InvalidFileName.code().into());
        FileReply {
            answer_name: None,
            bytes: Vec::new(),
            record,
        }
    }

    fn answer_exchange(
        &self,
        exchange: Exchange,
        bytes: &[u8],
        record: &mut ExchangeRecord,
    ) -> Vec<u8> {
        match exchange {
            Exchange::Confirm => self.confirm_file(bytes, record),
            Exchange::ReferenceNumberRegistration => self.registration_file(bytes, record),
            Exchange::BulkConfirmUpload => self.bulk_upload_file(bytes, record),
            Exchange::BulkConfirmDownload => self.bulk_download_file(bytes, record),
            Exchange::Medication | Exchange::Checkup => self.medical_file(exchange, bytes, record),
            _ => {
                record.violations.push(LoggedViolation {
                    path: "file-name".into(),
                    rule: "served-exchange".into(),
                    code: ResultCode::UnsupportedExchange.code().into(),
                    message: format!("onshi does not serve {}", exchange.prefix()),
                });
                self.whole_error(exchange, ResultCode::UnsupportedExchange, bytes, record)
            }
        }
    }

    /// The institution's handle in the world, if it is registered.
    fn institution_id(w: &World, code: InstitutionCode) -> Option<InstitutionId> {
        w.view().institution_by_code(code).map(|i| i.id)
    }

    /// Answers a decoded 資格確認 request: validation, institution checks, then the registry.
    /// `expected` is the institution the channel belongs to (terminal or login), if checked.
    pub(crate) fn confirm(
        &self,
        req: &ConfirmRequest,
        expected: Option<InstitutionCode>,
        record: &mut ExchangeRecord,
    ) -> ConfirmResponse {
        summarize_confirm(req, record);
        let violations = validate_confirm_request(req);
        record.violations.extend(violations.iter().map(Into::into));
        let echo_info = Some(req.search_info.clone());
        let error_echo = || ErrorEcho {
            institution: req.header.institution,
            date: req.header.qualification_confirmation_date,
            arbitrary_file_identifier: req.header.arbitrary_file_identifier.clone(),
            reception_number: None,
        };
        let refuse = |code: ResultCode, record: &mut ExchangeRecord| {
            let now = self.now();
            record.at = now.to_string();
            let r = oqs::confirm_error(code, now, &error_echo(), echo_info.clone());
            note_confirm(&r, record);
            r
        };
        if let Some(v) = violations.iter().find(|v| v.is_error()) {
            return refuse(v.code, record);
        }
        if let Some(expected) = expected
            && expected != req.header.institution
        {
            record
                .violations
                .push(mismatch(req.header.institution, expected));
            return refuse(ResultCode::InstitutionMismatch, record);
        }
        let Ok(numbers) = req.search_info.numbers.parse() else {
            return refuse(ResultCode::InvalidInsurerNumber, record);
        };
        let answered = self.world.with(|w| {
            let now = w.clock().now();
            let id = Service::institution_id(w, req.header.institution)?;
            let s = &req.search_info;
            let event = Event::ConfirmByNumbers(Box::new(NumberConfirm::new(
                id,
                req.header.qualification_confirmation_date,
                numbers,
                s.birthdate,
                s.limit_consent == ConsentFlag::Given,
            )));
            Some(match w.apply(event) {
                Ok(Outcome::Answer(a)) => {
                    let response = oqs::answer_to_request(&a, &w.view(), req);
                    self.keep_answer(*a);
                    Ok((now, response))
                }
                _ => Err(now),
            })
        });
        let response = match answered {
            None => return refuse(ResultCode::UnknownInstitution, record),
            Some(Err(_)) => return refuse(ResultCode::InternalError, record),
            Some(Ok((now, r))) => {
                record.at = now.to_string();
                r
            }
        };
        note_confirm(&response, record);
        response
    }

    /// A 資格確認 request file.
    fn confirm_file(&self, bytes: &[u8], record: &mut ExchangeRecord) -> Vec<u8> {
        let response = match oqs::decode_confirm_request(bytes) {
            Ok(req) => {
                let expected = self
                    .settings
                    .check_terminal_institution
                    .then_some(self.settings.terminal_institution);
                self.confirm(&req, expected, record)
            }
            Err(e) => {
                record.violations.push(decode_violation(&e));
                let now = self.now();
                let echo = self.salvage(bytes, now);
                summarize_salvage(&echo, bytes, record);
                record.at = now.to_string();
                let r = oqs::confirm_error(e.result_code(), now, &echo, None);
                note_confirm(&r, record);
                r
            }
        };
        self.encode_or_internal(&response, Exchange::Confirm, bytes, record)
    }

    /// Encodes `message`; when that fails, answers `ONS-E0900` in the exchange's shape.
    pub(crate) fn encode_or_internal<M: Message>(
        &self,
        message: &M,
        exchange: Exchange,
        request: &[u8],
        record: &mut ExchangeRecord,
    ) -> Vec<u8> {
        match self.encode(message) {
            Ok(b) => b,
            Err(e) => {
                record.violations.push(LoggedViolation {
                    path: error_path(&e),
                    rule: "encode".into(),
                    code: ResultCode::InternalError.code().into(),
                    message: e.to_string(),
                });
                self.whole_error(exchange, ResultCode::InternalError, request, record)
            }
        }
    }

    /// The face-file form of a registry answer (照会区分 1, no search-info echo).
    pub fn face_response(&self, answer: &registry::Answer) -> ConfirmResponse {
        self.world.with(|w| {
            super::face::face_response(&w.view(), answer, self.settings.terminal_institution)
        })
    }

    /// Builds a face file for `response` written at `moment` by the terminal of `institution`
    /// ([`FaceFiles::next`]: the name, the bytes) and its log record.
    pub fn face_file(
        &self,
        response: &ConfirmResponse,
        institution: InstitutionCode,
        moment: Moment,
        channel: u16,
    ) -> Result<(String, Vec<u8>, ExchangeRecord), WireError> {
        let options = self.options();
        let file =
            self.state()
                .faces
                .next(&self.seed, response, institution, moment, channel, options)?;
        let face = &file.face;
        let mut record = ExchangeRecord::new(Channel::Folder, ExchangeKind::Face, "");
        record.at = moment.to_string();
        record.summary.institution = Some(institution.digits());
        record.summary.arbitrary_file_identifier = face.header.arbitrary_file_identifier.clone();
        if let Some(r) = face.body.results.first() {
            record.summary.set_insurer_and_number(&r.numbers);
            record.summary.birthdate = Some(onshi_sim::clock::compact_date(r.birthdate));
        }
        note_confirm(face, &mut record);
        Ok((file.name, file.bytes, record))
    }

    /// A bulk upload's results, stored under a fresh reception number from the seed.
    fn store_job(&self, job: BulkJob) -> String {
        let mut s = self.state();
        loop {
            s.receptions += 1;
            let number = format!(
                "{:016}",
                self.seed.draw("oqs.reception", s.receptions) % 10_000_000_000_000_000
            );
            if !s.jobs.contains_key(&number) {
                s.jobs.insert(number.clone(), job);
                return number;
            }
        }
    }

    fn job(&self, number: &str) -> Option<BulkJob> {
        self.state().jobs.get(number).cloned()
    }
}

pub(crate) fn mismatch(found: InstitutionCode, expected: InstitutionCode) -> LoggedViolation {
    LoggedViolation {
        path: "XmlMsg/MessageHeader/MedicalInstitutionCode".into(),
        rule: "institution-of-channel".into(),
        code: ResultCode::InstitutionMismatch.code().into(),
        message: format!(
            "the request names {} but comes through the channel of {}",
            found.digits(),
            expected.digits()
        ),
    }
}

/// Fills the summary from a decoded 資格確認 request.
pub(crate) fn summarize_confirm(req: &ConfirmRequest, record: &mut ExchangeRecord) {
    let s = &req.search_info;
    let m = &mut record.summary;
    m.institution = Some(req.header.institution.digits());
    m.confirmation_date = Some(onshi_sim::clock::compact_date(
        req.header.qualification_confirmation_date,
    ));
    m.arbitrary_file_identifier = req.header.arbitrary_file_identifier.clone();
    m.set_numbers(&s.numbers);
    m.birthdate = Some(onshi_sim::clock::compact_date(s.birthdate));
    m.limit_consent = Some(s.limit_consent.code().to_string());
    m.arbitrary_identifier = s.arbitrary_identifier.clone();
}

/// Fills the summary from what could be salvaged of a broken request.
pub(crate) fn summarize_salvage(echo: &ErrorEcho, bytes: &[u8], record: &mut ExchangeRecord) {
    let raw = oqs::salvage_echo(bytes);
    let m = &mut record.summary;
    m.institution = raw.institution;
    m.confirmation_date = raw.qualification_confirmation_date;
    m.arbitrary_file_identifier = echo.arbitrary_file_identifier.clone();
    m.arbitrary_identifier = raw.arbitrary_identifier;
    m.reception_number = raw.reception_number;
}

/// Notes the code and validity a 資格確認 answer carries.
pub(crate) fn note_confirm(r: &ConfirmResponse, record: &mut ExchangeRecord) {
    record.result_code = r
        .header
        .error_code
        .clone()
        .or_else(|| r.body.processing_result_code.clone());
    record.validity = r.body.qualification_validity.map(|v| v.code().to_string());
}

/// Whether a violation refuses the request.
pub(crate) fn first_error(v: &[oqs::Violation]) -> Option<ResultCode> {
    v.iter()
        .find(|v| v.code.severity() == Severity::Error)
        .map(|v| v.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_plan_their_answers() {
        let answer = |n: &str| match plan_name(n) {
            NamePlan::Answer {
                answer_name,
                name_error,
                ..
            } => (answer_name, name_error.is_some()),
            other => panic!("{n}: {other:?}"),
        };
        assert_eq!(
            answer("OQSsiquc01req_202501010001.xml"),
            ("OQSsiquc01res_202501010001.xml".into(), false)
        );
        assert_eq!(
            answer("OQSsiquc01req_a-b.xml"),
            ("OQSsiquc01res_a-b.xml".into(), true)
        );
        assert_eq!(
            answer("OQSsiquc01req_1.txt"),
            ("OQSsiquc01res_1.xml".into(), true)
        );
        assert_eq!(
            answer("OQSsiquc01req_1.err"),
            ("OQSsiquc01res_1.xml".into(), true)
        );
        assert_eq!(plan_name(".tmp-OQSsiquc01req_1.xml"), NamePlan::Ignore);
        assert_eq!(plan_name("OQSsiquc01req_1.xml.part"), NamePlan::Ignore);
        assert!(matches!(
            plan_name("readme.txt"),
            NamePlan::Unanswerable { .. }
        ));
        assert!(matches!(
            plan_name("OQSsiquc01res_1.xml"),
            NamePlan::Unanswerable { .. }
        ));
    }
}
