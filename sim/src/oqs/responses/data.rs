//! 薬剤情報 / 特定健診情報 results (`YZKsiquc01res`, `TKKsiquc01res`) from the data the registry
//! handed out or the reason it denied them.

use crate::answer::{DataDenied, DataPayload};
use crate::clock::Moment;
use crate::oqs::{
    CharacterCode, CheckupItem, CheckupRecord, MedicalDataRecord, MedicalInfoRequest,
    MedicalInfoResponse, MedicalInfoResponseHeader, MedicalInfoResult, PersonInfo,
    ProcessingResultStatus, ResultCode, Sex,
};
use crate::person::{self, Person};

use super::ErrorEcho;

impl From<person::Sex> for Sex {
    fn from(s: person::Sex) -> Sex {
        match s {
            person::Sex::Male => Sex::Male,
            person::Sex::Female => Sex::Female,
            person::Sex::NotApplicable => Sex::Unset,
        }
    }
}

/// The person block of a data result.
fn person_info(p: &Person) -> PersonInfo {
    PersonInfo {
        name: p.name.clone(),
        kana: Some(p.kana.clone()),
        birthdate: p.birth,
        sex: p.sex.into(),
    }
}

/// What `req` gets for `person` from what the registry handed out: the result (drug records
/// within the request's StartDate–EndDate), or the person-level code of the denial.
/// `Err(code)` when the request must be refused as a whole (the registry is unavailable).
#[allow(clippy::type_complexity)]
pub fn medical_result(
    req: &MedicalInfoRequest,
    person: &Person,
    fetched: Result<DataPayload, DataDenied>,
) -> Result<Result<MedicalInfoResult, ResultCode>, ResultCode> {
    let info = person_info(person);
    Ok(match fetched {
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
    })
}

/// The answer to `req`: the result, or ResultCode 2 with the person-level `Err` code.
pub fn medical_response(
    now: Moment,
    req: &MedicalInfoRequest,
    outcome: Result<MedicalInfoResult, ResultCode>,
) -> MedicalInfoResponse {
    let (result_code, error, result) = match outcome {
        Ok(r) => (ProcessingResultStatus::Ok, None, Some(r)),
        Err(code) => (ProcessingResultStatus::Error, Some(code), None),
    };
    let h = &req.header;
    MedicalInfoResponse {
        header: MedicalInfoResponseHeader {
            process_execution_time: now,
            institution: h.institution,
            arbitrary_file_identifier: h.arbitrary_file_identifier.clone(),
            result_code,
            error_code: error.map(|c| c.code().to_string()),
            message_contents: error.map(|c| c.message_ja().to_string()),
            character_code: CharacterCode::Utf8,
        },
        result,
    }
}

/// The whole-request error answer to a YZK/TKK request.
pub fn medical_error(code: ResultCode, now: Moment, echo: &ErrorEcho) -> MedicalInfoResponse {
    MedicalInfoResponse {
        header: MedicalInfoResponseHeader {
            process_execution_time: now,
            institution: echo.institution,
            arbitrary_file_identifier: echo.arbitrary_file_identifier.clone(),
            result_code: ProcessingResultStatus::Error,
            error_code: Some(code.code().to_string()),
            message_contents: Some(code.message_ja().to_string()),
            character_code: CharacterCode::Utf8,
        },
        result: None,
    }
}
