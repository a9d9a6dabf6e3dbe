//! The files a 資格確認端末 would have left in its folders for exchanges made in-process: a
//! reference run has no system under test and no folder server, but its registry exchanges
//! ([`ClinicExchange`], kept by the world on request) are the ones a clinic and its terminal
//! would have made. Each becomes the files the folder server writes or answers:
//!
//! - a card confirmation: the face file (`face/OQSsiquc01res_face_…xml`, [`super::face`]);
//! - a confirmation by numbers: the clinic's `req/OQSsiquc01req_<suffix>.xml` and the
//!   terminal's `res/OQSsiquc01res_<suffix>.xml`;
//! - a 薬剤 / 特定健診 request: `req/YZKsiquc01req_…` / `TKKsiquc01req_…` and its result.
//!
//! The same builders and encoders as the wire servers (`onshi_sim::oqs`, [`FaceFiles`], the
//! whole-request error answer), the same file names, the scenario's character code, counters
//! and identifiers from the seed, every time from the virtual clock. The suffix of a request is
//! the exchange's time (`YYYYMMDDHHMMSS`) and a 4-digit count; its ArbitraryFileIdentifier is
//! drawn from the seed. Requests for 診療 / 手術 data (and 電子処方箋 / 医療費通知) have no
//! file in onshi's folder protocol and leave none. No I/O here: names and bytes
//! (`run::oqs_files` writes them).

use std::collections::HashMap;

use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::ids::{InstitutionCode, PersonId, QualificationId};
use onshi_sim::oqs::{self, CharacterCode, Exchange, ExchangeFileName, Message, ResultCode};
use onshi_sim::registry::{Answer, ClinicExchange, DataDenied, DataPayload, NumberConfirm};
use onshi_sim::rng::SeedRoot;
use onshi_sim::rules::DataKind;
use onshi_sim::view::View;

use super::face::{DEFAULT_FACE_CHANNEL, FaceFiles, face_response, token};
use super::service::ServiceSettings;
use super::service::whole_error_answer;

/// A folder of the 資格確認端末.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TerminalFolder {
    /// `req`: requests the clinic system wrote.
    Req,
    /// `res`: the terminal's results.
    Res,
    /// `face`: face files after card confirmations.
    Face,
}

impl TerminalFolder {
    /// The folder's name.
    pub fn name(self) -> &'static str {
        match self {
            TerminalFolder::Req => "req",
            TerminalFolder::Res => "res",
            TerminalFolder::Face => "face",
        }
    }
}

/// One file of the terminal's folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalFile {
    /// Its folder.
    pub folder: TerminalFolder,
    /// Its name.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl TerminalFile {
    /// The path below the scenario's OQS root: `req/OQSsiquc01req_….xml`.
    pub fn path(&self) -> String {
        format!("{}/{}", self.folder.name(), self.name)
    }
}

/// The files of one terminal (one scenario), built exchange by exchange.
#[derive(Debug)]
pub struct TerminalFiles {
    encoding: CharacterCode,
    faces: FaceFiles,
    requests: u64,
    /// The qualification of each person's latest result: the numbers a data request names.
    confirmed: HashMap<PersonId, QualificationId>,
    files: Vec<TerminalFile>,
    problems: Vec<String>,
}

impl TerminalFiles {
    /// No files yet; they will be written in `encoding` (the scenario's `oqs: encoding`).
    pub fn new(encoding: CharacterCode) -> Self {
        TerminalFiles {
            encoding,
            faces: FaceFiles::new(),
            requests: 0,
            confirmed: HashMap::new(),
            files: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The files so far, in the order the exchanges happened.
    pub fn files(&self) -> &[TerminalFile] {
        &self.files
    }

    /// Drops the files kept so far; what names the next ones (counters, the patients'
    /// confirmed numbers) stays.
    pub fn clear(&mut self) {
        self.files.clear();
    }

    /// The files, in the order the exchanges happened.
    pub fn into_files(self) -> Vec<TerminalFile> {
        self.files
    }

    /// Exchanges that left no file, or a file other than planned, and why.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// Adds the files of `exchange`, read against `w` as it stands right after the step that
    /// made it (names, numbers and addresses as the answer was given).
    pub fn add(&mut self, w: &World, exchange: &ClinicExchange) {
        let Some(terminal) = w.institutions().first().map(|i| i.code) else {
            self.problems
                .push("an exchange in a world without an institution: no file".into());
            return;
        };
        let settings = ServiceSettings {
            encoding: self.encoding,
            ..ServiceSettings::new(terminal)
        };
        match exchange {
            ClinicExchange::Card { answer, .. } => {
                self.note_results(answer);
                let response = face_response(&w.view(), answer, terminal);
                let institution = response.header.institution;
                match self.faces.next(
                    w.seed(),
                    &response,
                    institution,
                    answer.processed_at,
                    DEFAULT_FACE_CHANNEL,
                    settings.encode_options(),
                ) {
                    Ok(face) => self.push(TerminalFolder::Face, face.name, face.bytes),
                    Err(e) => self
                        .problems
                        .push(format!("the face file of {}: {e}", answer.processed_at)),
                }
            }
            ClinicExchange::Numbers { request, answer } => {
                self.note_results(answer);
                self.numbers(w, &settings, request, answer);
            }
            ClinicExchange::Data {
                at,
                person,
                institution,
                kind,
                result,
            } => {
                let exchange = match kind {
                    DataKind::Medication => Exchange::Medication,
                    DataKind::Checkup => Exchange::Checkup,
                    _ => return,
                };
                let code = w
                    .view()
                    .institution(*institution)
                    .map_or(terminal, |i| i.code);
                self.data(w, &settings, (exchange, code), *person, *at, result);
            }
        }
    }

    fn push(&mut self, folder: TerminalFolder, name: String, bytes: Vec<u8>) {
        self.files.push(TerminalFile {
            folder,
            name,
            bytes,
        });
    }

    fn note_results(&mut self, answer: &Answer) {
        for r in &answer.results {
            self.confirmed.insert(r.person, r.qualification);
        }
    }

    /// The next request's file name (suffix: the time and a count) and ArbitraryFileIdentifier.
    fn next_request(
        &mut self,
        seed: &SeedRoot,
        exchange: Exchange,
        at: Moment,
    ) -> (ExchangeFileName, String) {
        self.requests += 1;
        let n = self.requests;
        let name = ExchangeFileName {
            exchange,
            direction: oqs::Direction::Request,
            suffix: format!("{}{n:04}", at.compact()),
            extension: oqs::Extension::Xml,
        };
        let afi = token(
            seed.draw("oqs.request.afi", n),
            seed.draw("oqs.request.afi2", n),
        );
        (name, afi)
    }

    /// A request and its result, the result encoded as the folder server encodes it (a
    /// message it cannot encode is answered `ONS-E0900` in the exchange's shape).
    fn pair<Q: Message, R: Message>(
        &mut self,
        settings: &ServiceSettings,
        (exchange, name, at): (Exchange, ExchangeFileName, Moment),
        request: &Q,
        result: Result<R, ResultCode>,
    ) {
        let options = settings.encode_options();
        let req = match oqs::encode(request, options) {
            Ok(e) => e.bytes,
            Err(e) => {
                self.problems.push(format!("{name}: {e}"));
                return;
            }
        };
        let whole_error = |code| {
            whole_error_answer(
                exchange,
                code,
                at,
                &req,
                settings.terminal_institution,
                options,
            )
            .1
        };
        let res = match result.map(|r| oqs::encode(&r, options)) {
            Ok(Ok(e)) => e.bytes,
            Ok(Err(e)) => {
                self.problems.push(format!("{}: {e}", name.response()));
                whole_error(ResultCode::InternalError)
            }
            Err(code) => whole_error(code),
        };
        self.push(TerminalFolder::Req, name.to_string(), req);
        self.push(TerminalFolder::Res, name.response().to_string(), res);
    }

    /// `OQSsiquc01req` with the numbers asked and `OQSsiquc01res` with the registry's answer.
    fn numbers(
        &mut self,
        w: &World,
        settings: &ServiceSettings,
        request: &NumberConfirm,
        answer: &Answer,
    ) {
        let at = answer.processed_at;
        let view = view_at(w, at);
        let code = view
            .institution(request.institution)
            .map_or(settings.terminal_institution, |i| i.code);
        let (name, afi) = self.next_request(w.seed(), Exchange::Confirm, at);
        let req = oqs::confirm_request(
            code,
            request.date,
            &request.numbers,
            request.birth,
            request.limit_consent,
            Some(afi),
        );
        let res = oqs::answer_to_request(answer, &view, &req);
        self.pair(settings, (Exchange::Confirm, name, at), &req, Ok(res));
    }

    /// `YZKsiquc01req` / `TKKsiquc01req` naming the patient's confirmed numbers and the result
    /// from what the registry handed out (or its refusal).
    fn data(
        &mut self,
        w: &World,
        settings: &ServiceSettings,
        (exchange, code): (Exchange, InstitutionCode),
        person: PersonId,
        at: Moment,
        result: &Result<DataPayload, DataDenied>,
    ) {
        let view = view_at(w, at);
        let qualification = self
            .confirmed
            .get(&person)
            .copied()
            .or_else(|| view.qualification_on(person, at.date()))
            .or_else(|| view.person_quals(person).last().copied());
        let (Some(q), Some(p)) = (qualification, view.people.get(person.index())) else {
            self.problems.push(format!(
                "a {} request at {at} for someone with no insurance numbers: no file",
                exchange.prefix()
            ));
            return;
        };
        let (name, afi) = self.next_request(w.seed(), exchange, at);
        let req = oqs::medical_request(code, &view.numbers_of(q), Some(afi));
        let res = oqs::medical_result(&req, p, result.clone())
            .map(|outcome| oqs::medical_response(at, &req, outcome));
        self.pair(settings, (exchange, name, at), &req, res);
    }
}

/// The world as the registry saw it at `at` (the clock of the exchange).
/// The world's view as it stood at `at` (its tables now, its clock then).
pub(crate) fn view_at(w: &World, at: Moment) -> View<'_> {
    let mut v = w.view();
    v.now = at;
    v.today = at.date();
    v
}
