//! The answers onshi writes, built from what the world answered: the registry's typed
//! [`Answer`](crate::answer::Answer) as a 資格確認 result, its face-file form, the consent-gated
//! data as a YZK/TKK result, the other exchanges' results, and the whole-request error answer in
//! the shape of each exchange (oqs-wire.md §7). Callers (the wire servers of the harness)
//! decode, ask the world and encode; every message they write is built here.

mod confirm;
mod data;
mod exchanges;

use crate::clock::{Date, Moment, parse_compact_date};
use crate::ids::InstitutionCode;

use super::{
    BulkDownloadResponse, BulkUploadResponse, CharacterCode, ConfirmResponse, EncodeOptions,
    Encoded, Exchange, MedicalInfoResponse, Message, OqsError, ProcessingResultStatus,
    ReferenceNumberRegistrationResponse, ResultCode, SegmentOfResult, SimpleResponseHeader,
    salvage_echo,
};

pub use confirm::{ConfirmEcho, answer_to_request, confirm_error, face_form, to_confirm_response};
pub use data::{medical_error, medical_response, medical_result};
pub use exchanges::{
    bulk_download_error, bulk_download_response, bulk_unit, bulk_upload_accepted,
    bulk_upload_error, registration_error, registration_response,
};

/// The identifiers an error answer echoes, parsed where they parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorEcho {
    /// MedicalInstitutionCode (the channel's institution when the request's cannot be read).
    pub institution: InstitutionCode,
    /// QualificationConfirmationDate (today when the request's cannot be read).
    pub date: Date,
    /// ArbitraryFileIdentifier as sent.
    pub arbitrary_file_identifier: Option<String>,
    /// ReceptionNumber as sent.
    pub reception_number: Option<String>,
}

impl ErrorEcho {
    /// What can be read of a request that may not decode: its institution (else
    /// `institution`), its confirmation date (else the date of `now`), its
    /// ArbitraryFileIdentifier and ReceptionNumber.
    pub fn salvage(bytes: &[u8], now: Moment, institution: InstitutionCode) -> ErrorEcho {
        let e = salvage_echo(bytes);
        ErrorEcho {
            institution: e
                .institution
                .as_deref()
                .and_then(|c| InstitutionCode::parse(c).ok())
                .unwrap_or(institution),
            date: e
                .qualification_confirmation_date
                .as_deref()
                .and_then(parse_compact_date)
                .unwrap_or(now.date()),
            arbitrary_file_identifier: e.arbitrary_file_identifier,
            reception_number: e.reception_number,
        }
    }
}

/// The whole-request error answer of one exchange, in that exchange's shape.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorAnswer {
    /// `OQSsiquc01res`.
    Confirm(ConfirmResponse),
    /// `OQSsiimm01res`.
    Registration(ReferenceNumberRegistrationResponse),
    /// `OQSmuquc02res`.
    BulkDownload(BulkDownloadResponse),
    /// `YZKsiquc01res` / `TKKsiquc01res`.
    Medical(MedicalInfoResponse),
    /// `OQSmuquc01res`: bulk uploads and every exchange onshi does not serve.
    BulkUpload(BulkUploadResponse),
}

impl ErrorAnswer {
    /// The answer as XML bytes.
    pub fn encode(&self, options: EncodeOptions) -> Result<Encoded, OqsError> {
        match self {
            ErrorAnswer::Confirm(m) => m.encode(options),
            ErrorAnswer::Registration(m) => m.encode(options),
            ErrorAnswer::BulkDownload(m) => m.encode(options),
            ErrorAnswer::Medical(m) => m.encode(options),
            ErrorAnswer::BulkUpload(m) => m.encode(options),
        }
    }
}

/// The whole-request error answer (`code`) in the shape of `exchange`, echoing `echo`.
pub fn error_answer(
    exchange: Exchange,
    code: ResultCode,
    now: Moment,
    echo: &ErrorEcho,
) -> ErrorAnswer {
    match exchange {
        Exchange::Confirm => ErrorAnswer::Confirm(confirm_error(code, now, echo, None)),
        Exchange::ReferenceNumberRegistration => {
            ErrorAnswer::Registration(registration_error(code, now, echo))
        }
        Exchange::BulkConfirmDownload => {
            ErrorAnswer::BulkDownload(bulk_download_error(code, now, echo))
        }
        Exchange::Medication | Exchange::Checkup => {
            ErrorAnswer::Medical(medical_error(code, now, echo))
        }
        // Bulk uploads and every exchange onshi does not serve: the upload-result shape.
        _ => ErrorAnswer::BulkUpload(bulk_upload_error(code, now, echo)),
    }
}

/// The header of the results other than 資格確認 and YZK/TKK: completed, or failed with `error`.
fn simple_header(
    now: Moment,
    institution: InstitutionCode,
    arbitrary_file_identifier: Option<String>,
    error: Option<ResultCode>,
) -> SimpleResponseHeader {
    SimpleResponseHeader {
        process_execution_time: now,
        institution,
        arbitrary_file_identifier,
        segment_of_result: if error.is_some() {
            SegmentOfResult::Failed
        } else {
            SegmentOfResult::Completed
        },
        error_code: error.map(|c| c.code().to_string()),
        error_message: error.map(|c| c.message_ja().to_string()),
        character_code: CharacterCode::Utf8,
    }
}

/// ProcessingResultStatus, ProcessingResultCode and ProcessingResultMessage of a body: status 1
/// without an error, status 2 with the code and its message with one.
fn processing_result(
    error: Option<ResultCode>,
) -> (ProcessingResultStatus, Option<String>, Option<String>) {
    match error {
        Some(code) => (
            ProcessingResultStatus::Error,
            Some(code.code().to_string()),
            Some(code.message_ja().to_string()),
        ),
        None => (ProcessingResultStatus::Ok, None, None),
    }
}
