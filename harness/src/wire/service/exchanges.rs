//! The exchanges other than the single 資格確認: 照会番号登録 (`OQSsiimm01`), the bulk upload and
//! download (`OQSmuquc01/02`), 薬剤 / 特定健診 data (`YZK`/`TKK`), and the whole-request error
//! answer in the shape of each.

use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::ids::{InstitutionCode, InstitutionId};
use onshi_sim::oqs::{
    self, Exchange, FileCategory, MedicalInfoRequest, MedicalInfoResult, ResultCode,
};
use onshi_sim::registry;
use onshi_sim::rules::DataKind;
use onshi_sim::world::Event;

use super::{BulkJob, Service, decode_violation, first_error, mismatch, summarize_salvage};
use crate::wire::WithWorld;
use crate::wire::log::{ExchangeRecord, LoggedViolation};

impl Service {
    /// The whole-request error answer (`code`) in the shape of `exchange`, echoing what can be
    /// salvaged from the request bytes.
    pub(crate) fn whole_error(
        &self,
        exchange: Exchange,
        code: ResultCode,
        bytes: &[u8],
        record: &mut ExchangeRecord,
    ) -> Vec<u8> {
        let now = self.now();
        let (echo, answer) = whole_error_answer(
            exchange,
            code,
            now,
            bytes,
            self.settings.terminal_institution,
            self.options(),
        );
        if record.summary == Default::default() {
            summarize_salvage(&echo, bytes, record);
        }
        record.at = now.to_string();
        record.result_code = Some(code.code().to_string());
        answer
    }

    fn expected_institution(&self) -> Option<InstitutionCode> {
        self.settings
            .check_terminal_institution
            .then_some(self.settings.terminal_institution)
    }

    /// Refuses on the first error violation or a foreign institution; `Some(code)` to refuse.
    fn gate(
        &self,
        violations: &[oqs::Violation],
        institution: InstitutionCode,
        record: &mut ExchangeRecord,
    ) -> Option<ResultCode> {
        record.violations.extend(violations.iter().map(Into::into));
        if let Some(code) = first_error(violations) {
            return Some(code);
        }
        if let Some(expected) = self.expected_institution()
            && expected != institution
        {
            record.violations.push(mismatch(institution, expected));
            return Some(ResultCode::InstitutionMismatch);
        }
        None
    }

    /// `OQSsiimm01req`: registers the 照会番号 on every matching qualification.
    pub(super) fn registration_file(&self, bytes: &[u8], record: &mut ExchangeRecord) -> Vec<u8> {
        const EX: Exchange = Exchange::ReferenceNumberRegistration;
        let req = match oqs::decode_registration_request(bytes) {
            Ok(r) => r,
            Err(e) => {
                record.violations.push(decode_violation(&e));
                return self.whole_error(EX, e.result_code(), bytes, record);
            }
        };
        let info = &req.info;
        let m = &mut record.summary;
        m.institution = Some(req.header.institution.digits());
        m.arbitrary_file_identifier = req.header.arbitrary_file_identifier.clone();
        m.reference_number = Some(info.reference_number.clone());
        m.set_numbers(&info.numbers);
        let violations = oqs::validate_registration_request(&req);
        if let Some(code) = self.gate(&violations, req.header.institution, record) {
            return self.whole_error(EX, code, bytes, record);
        }
        let outcome = self.world.with(|w| {
            let now = w.clock().now();
            let Some(id) = Service::institution_id(w, req.header.institution) else {
                return (now, Err(ResultCode::UnknownInstitution));
            };
            let quals = match info.numbers.parse() {
                Ok(numbers) => registry::quals_with_numbers(&w.view(), &numbers, None),
                Err(_) => Vec::new(),
            };
            if quals.is_empty() {
                return (now, Ok(Some(ResultCode::NoQualification)));
            }
            for q in quals {
                let event = Event::SetReferenceNumber {
                    institution: id,
                    qualification: q,
                    number: info.reference_number.clone(),
                };
                if w.apply(event).is_err() {
                    return (now, Err(ResultCode::InternalError));
                }
            }
            (now, Ok(None))
        });
        let (now, person_error) = match outcome {
            (_, Err(code)) => return self.whole_error(EX, code, bytes, record),
            (now, Ok(e)) => (now, e),
        };
        record.at = now.to_string();
        record.result_code = person_error.map(|c| c.code().to_string());
        let response = oqs::registration_response(now, &req, person_error);
        self.encode_or_internal(&response, EX, bytes, record)
    }

    /// `OQSmuquc01req`: confirms every search info now (virtual time) and keeps the units under
    /// a new 受付番号.
    pub(super) fn bulk_upload_file(&self, bytes: &[u8], record: &mut ExchangeRecord) -> Vec<u8> {
        const EX: Exchange = Exchange::BulkConfirmUpload;
        let req = match oqs::decode_bulk_upload_request(bytes) {
            Ok(r) => r,
            Err(e) => {
                record.violations.push(decode_violation(&e));
                return self.whole_error(EX, e.result_code(), bytes, record);
            }
        };
        let m = &mut record.summary;
        m.institution = Some(req.header.institution.digits());
        m.arbitrary_file_identifier = req.header.arbitrary_file_identifier.clone();
        m.confirmation_date = req
            .header
            .qualification_confirmation_date
            .map(onshi_sim::clock::compact_date);
        m.persons = Some(req.search_infos.len());
        if let Some(first) = req.search_infos.first() {
            m.set_insurer_and_number(&first.numbers);
            m.birthdate = Some(onshi_sim::clock::compact_date(first.birthdate));
            m.limit_consent = Some(first.limit_consent.code().to_string());
        }
        let violations = oqs::validate_bulk_upload_request(&req);
        if let Some(code) = self.gate(&violations, req.header.institution, record) {
            return self.whole_error(EX, code, bytes, record);
        }
        if self
            .world
            .with(|w| Service::institution_id(w, req.header.institution))
            .is_none()
        {
            return self.whole_error(EX, ResultCode::UnknownInstitution, bytes, record);
        }
        let now = self.now();
        let date = req
            .header
            .qualification_confirmation_date
            .unwrap_or(now.date());
        let mut units = Vec::with_capacity(req.search_infos.len());
        for info in &req.search_infos {
            let single = oqs::ConfirmRequest {
                header: oqs::ConfirmRequestHeader {
                    qualification_confirmation_date: date,
                    institution: req.header.institution,
                    arbitrary_file_identifier: None,
                },
                search_info: info.clone(),
            };
            // Each person is one registry question (the world is locked per person).
            let mut scratch = ExchangeRecord::new(record.channel, record.kind, &record.request);
            let r = self.confirm(&single, None, &mut scratch);
            units.push(oqs::bulk_unit(info.clone(), r));
        }
        let number = self.store_job(BulkJob {
            institution: req.header.institution,
            confirmation_date: req.header.qualification_confirmation_date,
            units,
        });
        record.at = now.to_string();
        record.summary.reception_number = Some(number.clone());
        let response = oqs::bulk_upload_accepted(now, &req.header, number);
        self.encode_or_internal(&response, EX, bytes, record)
    }

    /// `OQSmuquc02req`: the units of an earlier upload of the same institution.
    pub(super) fn bulk_download_file(&self, bytes: &[u8], record: &mut ExchangeRecord) -> Vec<u8> {
        const EX: Exchange = Exchange::BulkConfirmDownload;
        let req = match oqs::decode_bulk_download_request(bytes) {
            Ok(r) => r,
            Err(e) => {
                record.violations.push(decode_violation(&e));
                return self.whole_error(EX, e.result_code(), bytes, record);
            }
        };
        let m = &mut record.summary;
        m.institution = Some(req.header.institution.digits());
        m.arbitrary_file_identifier = req.header.arbitrary_file_identifier.clone();
        m.reception_number = Some(req.reception_number.clone());
        if let Some(code) = self.gate(&[], req.header.institution, record) {
            return self.whole_error(EX, code, bytes, record);
        }
        let job = self
            .job(&req.reception_number)
            .filter(|j| j.institution == req.header.institution);
        let Some(job) = job else {
            record.violations.push(LoggedViolation {
                path: "XmlMsg/MessageBody/ReceptionNumber".into(),
                rule: "reception-number-issued".into(),
                code: ResultCode::UnknownReceptionNumber.code().into(),
                message: format!(
                    "受付番号 `{}` was never issued to this institution",
                    req.reception_number
                ),
            });
            return self.whole_error(EX, ResultCode::UnknownReceptionNumber, bytes, record);
        };
        let now = self.now();
        record.at = now.to_string();
        let response = oqs::bulk_download_response(now, &req, job.confirmation_date, job.units);
        self.encode_or_internal(&response, EX, bytes, record)
    }

    /// `YZKsiquc01req` / `TKKsiquc01req`: the registry's data under its consent rules.
    pub(super) fn medical_file(
        &self,
        exchange: Exchange,
        bytes: &[u8],
        record: &mut ExchangeRecord,
    ) -> Vec<u8> {
        let req = match oqs::decode_medical_info_request(bytes) {
            Ok(r) => r,
            Err(e) => {
                record.violations.push(decode_violation(&e));
                return self.whole_error(exchange, e.result_code(), bytes, record);
            }
        };
        let h = &req.header;
        let m = &mut record.summary;
        m.institution = Some(h.institution.digits());
        m.arbitrary_file_identifier = h.arbitrary_file_identifier.clone();
        m.set_numbers(&h.numbers);
        let violations = oqs::validate_medical_info_request(&req);
        if let Some(code) = self.gate(&violations, h.institution, record) {
            return self.whole_error(exchange, code, bytes, record);
        }
        if req.body.file_category == FileCategory::Pdf {
            record.violations.push(LoggedViolation {
                path: "XmlMsg/MessageBody/FileCategory".into(),
                rule: "xml-result-only".into(),
                code: ResultCode::UnsupportedExchange.code().into(),
                message: "onshi writes XML results only (FileCategory 2)".into(),
            });
            return self.whole_error(exchange, ResultCode::UnsupportedExchange, bytes, record);
        }
        let kind = if exchange == Exchange::Checkup {
            DataKind::Checkup
        } else {
            DataKind::Medication
        };
        let fetched = self.world.with(|w| fetch(w, &req, kind));
        let (now, result) = match fetched {
            Err(code) => return self.whole_error(exchange, code, bytes, record),
            Ok(x) => x,
        };
        record.at = now.to_string();
        record.result_code = result.as_ref().err().map(|c| c.code().to_string());
        let response = oqs::medical_response(now, &req, result);
        self.encode_or_internal(&response, exchange, bytes, record)
    }
}

/// The whole-request error answer (`code`) to the request `bytes` in the shape of `exchange`,
/// written at `now` in `options`, echoing what can be salvaged of the request (`institution`
/// where it names none), and the echo.
pub(crate) fn whole_error_answer(
    exchange: Exchange,
    code: ResultCode,
    now: Moment,
    bytes: &[u8],
    institution: InstitutionCode,
    options: oqs::EncodeOptions,
) -> (oqs::ErrorEcho, Vec<u8>) {
    let echo = oqs::ErrorEcho::salvage(bytes, now, institution);
    let encoded = oqs::error_answer(exchange, code, now, &echo)
        .encode(options)
        .map(|e| e.bytes);
    // The error shapes hold nothing the encoders can refuse (substitution is on), but never
    // panic: fall back to an empty answer the writer reports.
    (echo, encoded.unwrap_or_default())
}

/// Person-level outcome of a data request: the result or the code refusing it. The outer
/// error refuses the request as a whole (unknown institution, registry unavailable).
#[allow(clippy::type_complexity)]
fn fetch(
    w: &mut World,
    req: &MedicalInfoRequest,
    kind: DataKind,
) -> Result<(Moment, Result<MedicalInfoResult, ResultCode>), ResultCode> {
    let now = w.clock().now();
    let h = &req.header;
    let id: InstitutionId =
        Service::institution_id(w, h.institution).ok_or(ResultCode::UnknownInstitution)?;
    let person = match h.numbers.parse() {
        Ok(numbers) => registry::person_with_numbers(&w.view(), &numbers),
        Err(_) => None,
    };
    let Some(person) = person else {
        return Ok((now, Err(ResultCode::NoQualification)));
    };
    let fetched = w.fetch_data(person, id, kind);
    let outcome = oqs::medical_result(req, &w.people()[person.index()], fetched)?;
    Ok((now, outcome))
}
