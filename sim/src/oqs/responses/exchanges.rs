//! The results of 照会番号登録 (`OQSsiimm01res`) and of the bulk 資格確認 upload and download
//! (`OQSmuquc01res`, `OQSmuquc02res`), and their whole-request error shapes.

use crate::clock::{Date, Moment};
use crate::oqs::{
    BulkConfirmUnit, BulkDownloadRequest, BulkDownloadResponse, BulkDownloadResponseHeader,
    BulkRequestHeader, BulkUploadResponse, BulkUploadResponseBody, CharacterCode, ConfirmResponse,
    ProcessingResultStatus, ReferenceNumberRegistrationInfo, ReferenceNumberRegistrationRequest,
    ReferenceNumberRegistrationResponse, RegistrationResponseBody, ResultCode, SearchInfo,
    SegmentOfResult,
};

use super::{ErrorEcho, processing_result, simple_header};

/// The answer to a 照会番号登録 request that was carried out: the info echoed, with the
/// person-level code when no qualification matched (`person_error`).
pub fn registration_response(
    now: Moment,
    req: &ReferenceNumberRegistrationRequest,
    person_error: Option<ResultCode>,
) -> ReferenceNumberRegistrationResponse {
    ReferenceNumberRegistrationResponse {
        header: simple_header(
            now,
            req.header.institution,
            req.header.arbitrary_file_identifier.clone(),
            None,
        ),
        body: registration_body(person_error, Some(req.info.clone())),
    }
}

/// The whole-request error answer to a 照会番号登録 request.
pub fn registration_error(
    code: ResultCode,
    now: Moment,
    echo: &ErrorEcho,
) -> ReferenceNumberRegistrationResponse {
    ReferenceNumberRegistrationResponse {
        header: simple_header(
            now,
            echo.institution,
            echo.arbitrary_file_identifier.clone(),
            Some(code),
        ),
        body: registration_body(Some(code), None),
    }
}

fn registration_body(
    error: Option<ResultCode>,
    info: Option<ReferenceNumberRegistrationInfo>,
) -> RegistrationResponseBody {
    let (status, code, message) = processing_result(error);
    RegistrationResponseBody {
        processing_result_status: status,
        processing_result_code: code,
        processing_result_message: message,
        info,
    }
}

/// The answer to a bulk upload that was accepted under `reception_number`.
pub fn bulk_upload_accepted(
    now: Moment,
    header: &BulkRequestHeader,
    reception_number: String,
) -> BulkUploadResponse {
    BulkUploadResponse {
        header: simple_header(
            now,
            header.institution,
            header.arbitrary_file_identifier.clone(),
            None,
        ),
        body: bulk_upload_body(None, Some(reception_number)),
    }
}

/// The whole-request error answer in the bulk upload shape (also the answer to every exchange
/// onshi does not serve).
pub fn bulk_upload_error(code: ResultCode, now: Moment, echo: &ErrorEcho) -> BulkUploadResponse {
    BulkUploadResponse {
        header: simple_header(
            now,
            echo.institution,
            echo.arbitrary_file_identifier.clone(),
            Some(code),
        ),
        body: bulk_upload_body(Some(code), None),
    }
}

fn bulk_upload_body(
    error: Option<ResultCode>,
    reception_number: Option<String>,
) -> BulkUploadResponseBody {
    let (status, code, message) = processing_result(error);
    BulkUploadResponseBody {
        processing_result_status: status,
        processing_result_code: code,
        processing_result_message: message,
        reception_number,
    }
}

/// One unit of a bulk result: the answer `response` to the single 資格確認 of `search_info`
/// (a whole-request error of that confirmation becomes the unit's error).
pub fn bulk_unit(search_info: SearchInfo, response: ConfirmResponse) -> BulkConfirmUnit {
    let r = response;
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
    BulkConfirmUnit {
        search_info,
        processing_result_status: status,
        processing_result_code: code,
        processing_result_message: message,
        qualification_validity: r.body.qualification_validity,
        results: r.body.results,
        reference_number,
    }
}

/// The answer to a bulk download: the `units` of the upload, counted.
pub fn bulk_download_response(
    now: Moment,
    req: &BulkDownloadRequest,
    confirmation_date: Option<Date>,
    units: Vec<BulkConfirmUnit>,
) -> BulkDownloadResponse {
    let errors = units
        .iter()
        .filter(|u| u.processing_result_status == ProcessingResultStatus::Error)
        .count();
    let count = |n: usize| Some(u32::try_from(n).unwrap_or(u32::MAX));
    BulkDownloadResponse {
        header: BulkDownloadResponseHeader {
            process_execution_time: now,
            qualification_confirmation_date: confirmation_date,
            institution: req.header.institution,
            arbitrary_file_identifier: req.header.arbitrary_file_identifier.clone(),
            reception_number: req.reception_number.clone(),
            segment_of_result: SegmentOfResult::Completed,
            error_code: None,
            error_message: None,
            number_of_processing_result: count(units.len()),
            number_of_normal_processing: count(units.len() - errors),
            number_of_error: count(errors),
            character_code: CharacterCode::Utf8,
        },
        units,
    }
}

/// The whole-request error answer to a bulk download.
pub fn bulk_download_error(
    code: ResultCode,
    now: Moment,
    echo: &ErrorEcho,
) -> BulkDownloadResponse {
    BulkDownloadResponse {
        header: BulkDownloadResponseHeader {
            process_execution_time: now,
            qualification_confirmation_date: None,
            institution: echo.institution,
            arbitrary_file_identifier: echo.arbitrary_file_identifier.clone(),
            reception_number: echo.reception_number.clone().unwrap_or_default(),
            segment_of_result: SegmentOfResult::Failed,
            error_code: Some(code.code().into()),
            error_message: Some(code.message_ja().into()),
            number_of_processing_result: None,
            number_of_normal_processing: None,
            number_of_error: None,
            character_code: CharacterCode::Utf8,
        },
        units: Vec::new(),
    }
}
