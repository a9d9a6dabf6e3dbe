//! The exchanges other than the single 資格確認: 照会番号登録 (`OQSsiimm01`), the bulk upload and
//! download (`OQSmuquc01/02`), 薬剤 / 特定健診 data (`YZK`/`TKK`), and the whole-request error
//! answer in the shape of each.

use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::ids::{InstitutionCode, InstitutionId, PersonId, QualificationId};
use onshi_sim::oqs::{
    self, BulkConfirmUnit, BulkDownloadResponse, BulkDownloadResponseHeader, BulkUploadResponse,
    BulkUploadResponseBody, CheckupItem, CheckupRecord, Exchange, FileCategory, InsurerNumberText,
    MedicalDataRecord, MedicalInfoRequest, MedicalInfoResponse, MedicalInfoResponseHeader,
    MedicalInfoResult, PersonInfo, ProcessingResultStatus, ReferenceNumberRegistrationResponse,
    RegistrationResponseBody, ResultCode, SegmentOfResult, SimpleResponseHeader,
};
use onshi_sim::registry::{DataDenied, DataPayload};
use onshi_sim::rules::DataKind;
use onshi_sim::world::Event;

use super::{
    BulkJob, ErrorEcho, Service, decode_violation, first_error, mismatch, summarize_salvage,
};
use crate::wire::WithWorld;
use crate::wire::log::{ExchangeRecord, LoggedViolation};

fn simple_header(
    now: Moment,
    institution: InstitutionCode,
    afi: Option<String>,
    error: Option<ResultCode>,
) -> SimpleResponseHeader {
    SimpleResponseHeader {
        process_execution_time: now,
        institution,
        arbitrary_file_identifier: afi,
        segment_of_result: if error.is_some() {
            SegmentOfResult::Failed
        } else {
            SegmentOfResult::Completed
        },
        error_code: error.map(|c| c.code().to_string()),
        error_message: error.map(|c| c.message_ja().to_string()),
        character_code: oqs::CharacterCode::Utf8,
    }
}

fn status_of(error: Option<ResultCode>) -> ProcessingResultStatus {
    if error.is_some() {
        ProcessingResultStatus::Error
    } else {
        ProcessingResultStatus::Ok
    }
}

fn medical_error(now: Moment, echo: &ErrorEcho, code: ResultCode) -> MedicalInfoResponse {
    MedicalInfoResponse {
        header: MedicalInfoResponseHeader {
            process_execution_time: now,
            institution: echo.institution,
            arbitrary_file_identifier: echo.arbitrary_file_identifier.clone(),
            result_code: ProcessingResultStatus::Error,
            error_code: Some(code.code().to_string()),
            message_contents: Some(code.message_ja().to_string()),
            character_code: oqs::CharacterCode::Utf8,
        },
        result: None,
    }
}

/// Qualifications matching insurance numbers (symbol compared as text, absent = empty; a
/// branch only when given), newest first.
fn find_quals(
    w: &World,
    insurer: &InsurerNumberText,
    symbol: Option<&str>,
    number: &str,
    branch: Option<&str>,
) -> Vec<QualificationId> {
    let Ok(insurer) = insurer.parse() else {
        return Vec::new();
    };
    let v = w.view();
    let mut found: Vec<QualificationId> = v
        .quals_by_number(insurer, number)
        .iter()
        .copied()
        .filter(|q| {
            let q = &v.quals[q.index()];
            q.symbol.as_deref().unwrap_or("") == symbol.unwrap_or("")
                && branch.is_none_or(|b| b.is_empty() || b == q.branch)
        })
        .collect();
    found.sort_by_key(|q| std::cmp::Reverse(v.quals[q.index()].acquired));
    found
}

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
        let echo = self.salvage(bytes, now);
        if record.summary == Default::default() {
            summarize_salvage(&echo, bytes, record);
        }
        record.at = now.to_string();
        record.result_code = Some(code.code().to_string());
        let afi = echo.arbitrary_file_identifier.clone();
        let encoded = match exchange {
            Exchange::Confirm => {
                let r = Service::confirm_error(code, now, &echo, None);
                self.encode(&r)
            }
            Exchange::ReferenceNumberRegistration => {
                self.encode(&ReferenceNumberRegistrationResponse {
                    header: simple_header(now, echo.institution, afi, Some(code)),
                    body: RegistrationResponseBody {
                        processing_result_status: ProcessingResultStatus::Error,
                        processing_result_code: Some(code.code().into()),
                        processing_result_message: Some(code.message_ja().into()),
                        info: None,
                    },
                })
            }
            Exchange::BulkConfirmDownload => self.encode(&BulkDownloadResponse {
                header: BulkDownloadResponseHeader {
                    process_execution_time: now,
                    qualification_confirmation_date: None,
                    institution: echo.institution,
                    arbitrary_file_identifier: afi,
                    reception_number: echo.reception_number.clone().unwrap_or_default(),
                    segment_of_result: SegmentOfResult::Failed,
                    error_code: Some(code.code().into()),
                    error_message: Some(code.message_ja().into()),
                    number_of_processing_result: None,
                    number_of_normal_processing: None,
                    number_of_error: None,
                    character_code: oqs::CharacterCode::Utf8,
                },
                units: Vec::new(),
            }),
            Exchange::Medication | Exchange::Checkup => {
                self.encode(&medical_error(now, &echo, code))
            }
            // Bulk uploads and every exchange onshi does not serve: the upload-result shape.
            _ => self.encode(&BulkUploadResponse {
                header: simple_header(now, echo.institution, afi, Some(code)),
                body: BulkUploadResponseBody {
                    processing_result_status: ProcessingResultStatus::Error,
                    processing_result_code: Some(code.code().into()),
                    processing_result_message: Some(code.message_ja().into()),
                    reception_number: None,
                },
            }),
        };
        // The error shapes hold nothing the encoders can refuse (substitution is on), but never
        // panic: fall back to an empty answer the writer reports.
        encoded.unwrap_or_default()
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
        m.insurer_number = Some(info.insurer_number.raw().to_string());
        m.symbol = info.symbol.clone();
        m.number = Some(info.number.clone());
        m.branch = info.branch.clone();
        let violations = oqs::validate_registration_request(&req);
        if let Some(code) = self.gate(&violations, req.header.institution, record) {
            return self.whole_error(EX, code, bytes, record);
        }
        let outcome = self.world.with(|w| {
            let now = w.clock.now();
            let Some(id) = Service::institution_id(w, req.header.institution) else {
                return (now, Err(ResultCode::UnknownInstitution));
            };
            let quals = find_quals(
                w,
                &info.insurer_number,
                info.symbol.as_deref(),
                &info.number,
                info.branch.as_deref(),
            );
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
        let response = ReferenceNumberRegistrationResponse {
            header: simple_header(
                now,
                req.header.institution,
                req.header.arbitrary_file_identifier.clone(),
                None,
            ),
            body: RegistrationResponseBody {
                processing_result_status: status_of(person_error),
                processing_result_code: person_error.map(|c| c.code().into()),
                processing_result_message: person_error.map(|c| c.message_ja().into()),
                info: Some(info.clone()),
            },
        };
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
            m.insurer_number = Some(first.insurer_number.raw().to_string());
            m.number = Some(first.number.clone());
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
            let (status, code, message) = match (&r.header.error_code, &r.header.error_message) {
                (Some(c), m) => (ProcessingResultStatus::Error, Some(c.clone()), m.clone()),
                _ => (
                    r.body.processing_result_status,
                    r.body.processing_result_code.clone(),
                    r.body.processing_result_message.clone(),
                ),
            };
            let reference_number = r
                .body
                .results
                .first()
                .and_then(|x| x.reference_number.clone());
            units.push(BulkConfirmUnit {
                search_info: info.clone(),
                processing_result_status: status,
                processing_result_code: code,
                processing_result_message: message,
                qualification_validity: r.body.qualification_validity,
                results: r.body.results,
                reference_number,
            });
        }
        let number = self.store_job(BulkJob {
            institution: req.header.institution,
            confirmation_date: req.header.qualification_confirmation_date,
            units,
        });
        record.at = now.to_string();
        record.summary.reception_number = Some(number.clone());
        let response = BulkUploadResponse {
            header: simple_header(
                now,
                req.header.institution,
                req.header.arbitrary_file_identifier.clone(),
                None,
            ),
            body: BulkUploadResponseBody {
                processing_result_status: ProcessingResultStatus::Ok,
                processing_result_code: None,
                processing_result_message: None,
                reception_number: Some(number),
            },
        };
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
        let errors = job
            .units
            .iter()
            .filter(|u| u.processing_result_status == ProcessingResultStatus::Error)
            .count();
        let count = |n: usize| Some(u32::try_from(n).unwrap_or(u32::MAX));
        let response = BulkDownloadResponse {
            header: BulkDownloadResponseHeader {
                process_execution_time: now,
                qualification_confirmation_date: job.confirmation_date,
                institution: req.header.institution,
                arbitrary_file_identifier: req.header.arbitrary_file_identifier.clone(),
                reception_number: req.reception_number.clone(),
                segment_of_result: SegmentOfResult::Completed,
                error_code: None,
                error_message: None,
                number_of_processing_result: count(job.units.len()),
                number_of_normal_processing: count(job.units.len() - errors),
                number_of_error: count(errors),
                character_code: oqs::CharacterCode::Utf8,
            },
            units: job.units,
        };
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
        m.insurer_number = Some(h.insurer_number.raw().to_string());
        m.symbol = h.symbol.clone();
        m.number = Some(h.number.clone());
        m.branch = h.branch.clone();
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
        let (result_code, error, result) = match result {
            Ok(r) => (ProcessingResultStatus::Ok, None, Some(r)),
            Err(code) => (ProcessingResultStatus::Error, Some(code), None),
        };
        record.result_code = error.map(|c| c.code().to_string());
        let response = MedicalInfoResponse {
            header: MedicalInfoResponseHeader {
                process_execution_time: now,
                institution: h.institution,
                arbitrary_file_identifier: h.arbitrary_file_identifier.clone(),
                result_code,
                error_code: error.map(|c| c.code().to_string()),
                message_contents: error.map(|c| c.message_ja().to_string()),
                character_code: oqs::CharacterCode::Utf8,
            },
            result,
        };
        self.encode_or_internal(&response, exchange, bytes, record)
    }
}

/// Person-level outcome of a data request: the result or the code refusing it. The outer
/// error refuses the request as a whole (unknown institution).
#[allow(clippy::type_complexity)]
fn fetch(
    w: &mut World,
    req: &MedicalInfoRequest,
    kind: DataKind,
) -> Result<(Moment, Result<MedicalInfoResult, ResultCode>), ResultCode> {
    let now = w.clock.now();
    let h = &req.header;
    let id: InstitutionId =
        Service::institution_id(w, h.institution).ok_or(ResultCode::UnknownInstitution)?;
    let quals = find_quals(
        w,
        &h.insurer_number,
        h.symbol.as_deref(),
        &h.number,
        h.branch.as_deref(),
    );
    let Some(person) = quals.first().map(|q| w.quals[q.index()].person) else {
        return Ok((now, Err(ResultCode::NoQualification)));
    };
    let info = person_info(w, person);
    let outcome = match w.fetch_data(person, id, kind) {
        Ok(DataPayload::Records(records)) => {
            let records = records
                .into_iter()
                .filter(|r| req.body.start_date.is_none_or(|s| r.date >= s))
                .filter(|r| req.body.end_date.is_none_or(|e| r.date <= e))
                .map(|r| MedicalDataRecord {
                    date: r.date,
                    text: r.text,
                })
                .collect();
            Ok(MedicalInfoResult::Medication {
                person: info,
                records,
            })
        }
        Ok(DataPayload::Checkups(list)) => Ok(MedicalInfoResult::Checkup {
            person: info,
            checkups: list
                .into_iter()
                .map(|c| CheckupRecord {
                    date: c.date,
                    items: c
                        .items
                        .into_iter()
                        .map(|(name, value)| CheckupItem { name, value })
                        .collect(),
                })
                .collect(),
        }),
        Err(DataDenied::NoConsent { .. }) => Err(ResultCode::DataNoConsent),
        Err(DataDenied::ConsentExpired { .. }) => Err(ResultCode::DataConsentExpired),
        Err(DataDenied::TooYoung { .. }) => Err(ResultCode::DataNotApplicable),
        Err(DataDenied::Unavailable) => return Err(ResultCode::Outage),
    };
    Ok((now, outcome))
}

fn person_info(w: &World, person: PersonId) -> PersonInfo {
    let p = &w.people[person.index()];
    PersonInfo {
        name: p.name.clone(),
        kana: Some(p.kana.clone()),
        birthdate: p.birth,
        sex: match p.sex {
            onshi_sim::person::Sex::Male => oqs::Sex::Male,
            onshi_sim::person::Sex::Female => oqs::Sex::Female,
            onshi_sim::person::Sex::NotApplicable => oqs::Sex::Unset,
        },
    }
}
