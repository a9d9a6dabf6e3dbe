//! The requests a clinic system writes into the 資格確認端末's `req` folder, built from typed
//! values: a 資格確認 by the numbers on the patient's papers (`OQSsiquc01req`, 照会区分 2) and a
//! 薬剤 / 特定健診 data request (`YZKsiquc01req` / `TKKsiquc01req`). The harness writes them for
//! the exchanges the reference provider made in-process, so that a reference run leaves the
//! same files a clinic system and its terminal would have.
//!
//! The 保険者番号 is written the way real terminals write it (8 digits, or 6 right-justified
//! with two spaces, [`InsurerNumberText::spaces`]); a data request asks for an XML result
//! (FileCategory 2) of every date (no StartDate/EndDate), 外来, PrDiInfClassification `1` as
//! OD2 sends it.

use crate::clock::Date;
use crate::codes::{ConsentFlag, FileCategory, MedicalTreatmentFlag};
use crate::ids::{InstitutionCode, InsuranceNumbers};

use super::{
    ConfirmRequest, ConfirmRequestHeader, InsuranceNumbersText, InsurerNumberText,
    MedicalInfoRequest, MedicalInfoRequestBody, MedicalInfoRequestHeader, SearchInfo,
};

/// The numbers as a message carries them (the 保険者番号 as terminals write it).
fn numbers_text(numbers: &InsuranceNumbers) -> InsuranceNumbersText {
    InsuranceNumbersText {
        insurer: InsurerNumberText::spaces(numbers.insurer),
        symbol: numbers.symbol.clone(),
        number: numbers.number.clone(),
        branch: numbers.branch.clone(),
    }
}

/// The `OQSsiquc01req` of `institution` confirming, as of `date`, the holder of `numbers` born
/// on `birth`, with the patient's 限度額 answer (`limit_consent`) and the clinic's
/// ArbitraryFileIdentifier.
pub fn confirm_request(
    institution: InstitutionCode,
    date: Date,
    numbers: &InsuranceNumbers,
    birth: Date,
    limit_consent: bool,
    arbitrary_file_identifier: Option<String>,
) -> ConfirmRequest {
    ConfirmRequest {
        header: ConfirmRequestHeader {
            qualification_confirmation_date: date,
            institution,
            arbitrary_file_identifier,
        },
        search_info: SearchInfo {
            numbers: numbers_text(numbers),
            birthdate: birth,
            limit_consent: if limit_consent {
                ConsentFlag::Given
            } else {
                ConsentFlag::NotGiven
            },
            arbitrary_identifier: None,
        },
    }
}

/// The `YZKsiquc01req` / `TKKsiquc01req` of `institution` for the holder of `numbers`: an XML
/// result of every date, 外来.
pub fn medical_request(
    institution: InstitutionCode,
    numbers: &InsuranceNumbers,
    arbitrary_file_identifier: Option<String>,
) -> MedicalInfoRequest {
    MedicalInfoRequest {
        header: MedicalInfoRequestHeader {
            institution,
            numbers: numbers_text(numbers),
            arbitrary_file_identifier,
        },
        body: MedicalInfoRequestBody {
            start_date: None,
            end_date: None,
            file_category: FileCategory::Xml,
            classification: Some("1".into()),
            treatment: MedicalTreatmentFlag::Outpatient,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oqs::{
        EncodeOptions, Message, decode_confirm_request, decode_medical_info_request,
        validate_confirm_request, validate_medical_info_request,
    };

    fn numbers() -> InsuranceNumbers {
        InsuranceNumbers {
            insurer: crate::ids::InsurerNumber::national(13, 101).expect("国保 number"),
            symbol: None,
            number: "00660303".into(),
            branch: Some("00".into()),
        }
    }

    fn clinic() -> InstitutionCode {
        InstitutionCode::parse("0110113719").expect("code")
    }

    #[test]
    fn built_requests_pass_validation_and_decode_back() {
        let day = Date::new(2026, 4, 10).expect("date");
        let req = confirm_request(
            clinic(),
            day,
            &numbers(),
            Date::new(1983, 3, 22).expect("date"),
            true,
            Some("AFI1".into()),
        );
        assert!(validate_confirm_request(&req).iter().all(|v| !v.is_error()));
        assert_eq!(req.search_info.numbers.insurer.raw().len(), 8);
        assert!(req.search_info.numbers.insurer.raw().starts_with("  "));
        assert_eq!(req.search_info.limit_consent, ConsentFlag::Given);
        let bytes = req.encode(EncodeOptions::default()).expect("encodes").bytes;
        assert_eq!(decode_confirm_request(&bytes).expect("decodes"), req);

        let data = medical_request(clinic(), &numbers(), None);
        assert!(
            validate_medical_info_request(&data)
                .iter()
                .all(|v| !v.is_error())
        );
        let bytes = data
            .encode(EncodeOptions::default())
            .expect("encodes")
            .bytes;
        assert_eq!(decode_medical_info_request(&bytes).expect("decodes"), data);
    }
}
