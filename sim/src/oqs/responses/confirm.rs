//! Turns a registry [`Answer`] into the eligibility system's message ([`ConfirmResponse`]),
//! resolving handles to the names and numbers the wire carries. This is the only place where
//! an answer meets personal data, and the My Number is not among it (REG-11, RDR-6).

use crate::answer::{Answer, AnswerStatus, DataScope, OutageKind, Reference, Refusal, ResultItem};
use crate::clock::Moment;
use crate::ids::InstitutionCode;
use crate::oqs::{
    CharacterCode, ConfirmRequest, ConfirmResponse, ConsentFlag as WireConsentFlag, ConsentInfo,
    ConsentStatus, ContributionRatio, ElderlyRecipientCertificate, InsuredCardClassification,
    InsurerNumberText, LimitCategoryCode, LimitCertificateInfo, Preschool, ProcessingResultStatus,
    QualificationResult, ReferenceClassification, ResponseBody, ResponseHeader, ResultCode,
    SearchInfo, SegmentOfResult, SpecificDiseaseCertificate,
};
use crate::rules::ConsentItem;
use crate::view::View;

use super::ErrorEcho;

/// Echo fields a request carried, returned byte for byte.
#[derive(Clone, Debug, Default)]
pub struct ConfirmEcho {
    /// ArbitraryFileIdentifier.
    pub arbitrary_file_identifier: Option<String>,
    /// The QualificationConfirmSearchInfo of a 照会区分 2 request.
    pub search_info: Option<SearchInfo>,
}

impl ConfirmEcho {
    /// What the result of a 資格確認 request echoes: its ArbitraryFileIdentifier and its search
    /// info.
    pub fn of_request(req: &ConfirmRequest) -> Self {
        ConfirmEcho {
            arbitrary_file_identifier: req.header.arbitrary_file_identifier.clone(),
            search_info: Some(req.search_info.clone()),
        }
    }
}

/// Where a refusal goes: the header (whole request failed) or the person-level body.
fn refusal_code(r: &Refusal) -> (bool, ResultCode) {
    match r {
        Refusal::Outage {
            kind: OutageKind::Maintenance,
            ..
        } => (true, ResultCode::Maintenance),
        Refusal::Outage {
            kind: OutageKind::Emergency,
            ..
        } => (true, ResultCode::Outage),
        Refusal::Outage {
            kind: OutageKind::Throttle,
            ..
        } => (true, ResultCode::Throttled),
        Refusal::UnknownInstitution => (true, ResultCode::UnknownInstitution),
        Refusal::CertificateRevoked { .. } => (false, ResultCode::CertificateRevoked),
        Refusal::CertificateExpired { .. } => (false, ResultCode::CertificateExpired),
        Refusal::CertificateUnknown
        | Refusal::NotRegistered
        | Refusal::RegistrationPending { .. }
        | Refusal::CertificatePending { .. } => (false, ResultCode::SerialNotRegistered),
        Refusal::RuleGap { .. } => (true, ResultCode::InternalError),
    }
}

/// The wire form of an answer. `code` is the asking institution's code (needed even when the
/// registry did not know the institution).
pub fn to_confirm_response(
    answer: &Answer,
    v: &View,
    code: InstitutionCode,
    echo: &ConfirmEcho,
) -> ConfirmResponse {
    let mut header = ResponseHeader {
        process_execution_time: v.now,
        qualification_confirmation_date: answer.confirmation_date,
        institution: code,
        arbitrary_file_identifier: echo.arbitrary_file_identifier.clone(),
        reference_classification: match answer.reference {
            Reference::Card { .. } => ReferenceClassification::Card,
            Reference::Numbers => ReferenceClassification::InsuranceNumbers,
        },
        segment_of_result: SegmentOfResult::Completed,
        error_code: None,
        error_message: None,
        character_code: CharacterCode::Utf8,
    };
    let mut body = ResponseBody {
        processing_result_status: ProcessingResultStatus::Ok,
        processing_result_code: None,
        processing_result_message: None,
        qualification_validity: answer.validity,
        prescription_issue_select: None,
        search_info: echo.search_info.clone(),
        results: Vec::new(),
    };
    match &answer.status {
        AnswerStatus::Refused(r) => {
            let (whole, rc) = refusal_code(r);
            if whole {
                header.segment_of_result = SegmentOfResult::Failed;
                header.error_code = Some(rc.code().to_string());
                header.error_message = Some(rc.message_ja().to_string());
            }
            body.processing_result_status = ProcessingResultStatus::Error;
            body.processing_result_code = Some(rc.code().to_string());
            body.processing_result_message = Some(rc.message_ja().to_string());
        }
        AnswerStatus::Answered => {
            let notice = match answer.scope {
                DataScope::QualificationOnly { .. } => Some(ResultCode::CertificateInGracePeriod),
                DataScope::Full if answer.expiry_notice.is_some() => {
                    Some(ResultCode::CertificateExpiresSoon)
                }
                DataScope::Full => None,
            };
            if let Some(rc) = notice {
                body.processing_result_code = Some(rc.code().to_string());
                body.processing_result_message = Some(rc.message_ja().to_string());
            }
            body.results = answer.results.iter().map(|r| result(r, v)).collect();
        }
    }
    ConfirmResponse { header, body }
}

/// The result of the 資格確認 request `req` that the registry answered with `answer`: the
/// request's institution, ArbitraryFileIdentifier and search info echoed (what the terminal
/// writes into `res` for an `OQSsiquc01req`).
pub fn answer_to_request(answer: &Answer, v: &View, req: &ConfirmRequest) -> ConfirmResponse {
    to_confirm_response(
        answer,
        v,
        req.header.institution,
        &ConfirmEcho::of_request(req),
    )
}

/// The whole-request error answer to a 資格確認 request (header SegmentOfResult 9 and body
/// status 2 with `code`), echoing `echo` and, when the request decoded, its search info.
pub fn confirm_error(
    code: ResultCode,
    now: Moment,
    echo: &ErrorEcho,
    search_info: Option<SearchInfo>,
) -> ConfirmResponse {
    ConfirmResponse {
        header: ResponseHeader {
            process_execution_time: now,
            qualification_confirmation_date: echo.date,
            institution: echo.institution,
            arbitrary_file_identifier: echo.arbitrary_file_identifier.clone(),
            reference_classification: ReferenceClassification::InsuranceNumbers,
            segment_of_result: SegmentOfResult::Failed,
            error_code: Some(code.code().to_string()),
            error_message: Some(code.message_ja().to_string()),
            character_code: CharacterCode::Utf8,
        },
        body: ResponseBody {
            processing_result_status: ProcessingResultStatus::Error,
            processing_result_code: Some(code.code().to_string()),
            processing_result_message: Some(code.message_ja().to_string()),
            qualification_validity: None,
            prescription_issue_select: None,
            search_info,
            results: Vec::new(),
        },
    }
}

/// The face-file form of a 資格確認 result written by the terminal of `institution` at
/// `written_at`: ReferenceClassification 1 and no search-info echo (the ArbitraryFileIdentifier
/// is left as it is; the writer gives one to a result that has none).
pub fn face_form(
    response: &ConfirmResponse,
    institution: InstitutionCode,
    written_at: Moment,
) -> ConfirmResponse {
    let mut face = response.clone();
    face.header.reference_classification = ReferenceClassification::Card;
    face.header.institution = institution;
    face.header.process_execution_time = written_at;
    face.body.search_info = None;
    face
}

fn result(item: &ResultItem, v: &View) -> QualificationResult {
    let q = &v.quals[item.qualification.index()];
    let p = &v.people[item.person.index()];
    let insurer = &v.insurers[q.numbers.insurer.index()];
    let mut r = QualificationResult::new(
        InsurerNumberText(insurer.number.padded()),
        &q.numbers.number,
        &p.name,
        p.sex.into(),
        p.birth,
    );
    r.card_classification = Some(InsuredCardClassification::General);
    r.numbers.symbol = q.numbers.symbol.clone();
    r.numbers.branch = Some(q.numbers.branch.clone());
    r.personal_family = Some(q.relation);
    r.insured_name = q.insured_name.clone();
    r.name_kana = Some(p.kana.clone());
    r.address = Some(p.address.clone());
    r.post_number = Some(p.post_number.clone());
    r.qualification_date = Some(q.acquired);
    if let Some((lost, reason)) = item.loss {
        r.disqualification_date = Some(lost);
        r.reason_of_loss = Some(reason);
    }
    r.contribution_ratio = ContributionRatio::from_percent(item.copay_percent);
    r.preschool = item.preschool.then_some(Preschool::Preschool);
    r.insurer_name = Some(insurer.name.clone());
    r.elderly_recipient = item.elderly.map(|e| ElderlyRecipientCertificate {
        certificate_date: None,
        valid_start: Some(e.valid_from),
        valid_end: None,
        contribution_ratio: ContributionRatio::from_percent(e.copay_percent),
    });
    if let Some(at) = &item.limit_consent_at {
        r.limit_consent = Some(WireConsentFlag::Given);
        r.limit_consent_time = Some(*at);
    }
    r.limit_certificate = item.limit.as_ref().and_then(|l| {
        Some(LimitCertificateInfo {
            kind: l.kind,
            category: LimitCategoryCode::from_code(l.category.code()).ok()?,
            certificate_date: Some(l.issued),
            valid_start: Some(l.valid_from),
            valid_end: l.valid_until,
            long_term_date: l.long_stay_from,
        })
    });
    r.specific_diseases = item
        .designated_diseases
        .iter()
        .map(|d| SpecificDiseaseCertificate {
            disease: d.disease,
            certificate_date: Some(d.issued),
            valid_start: Some(d.valid_from),
            valid_end: d.valid_until,
            self_pay: Some(d.monthly_cap.to_string()),
        })
        .collect();
    for flag in &item.consents {
        let info = ConsentInfo {
            status: ConsentStatus::from_code(&flag.status.to_string())
                .unwrap_or(ConsentStatus::NotGiven),
            consent_time: flag
                .at
                .as_deref()
                .and_then(crate::oqs::parse_compact_moment),
            available_until: flag
                .available_until
                .as_deref()
                .and_then(crate::oqs::parse_compact_moment),
        };
        match flag.item {
            ConsentItem::Checkup => r.checkup_consent = Some(info),
            ConsentItem::Medication => r.medication_consent = Some(info),
            ConsentItem::Treatment => r.treatment_consent = Some(info),
            ConsentItem::Surgery => r.surgery_consent = Some(info),
            _ => {}
        }
    }
    r.reference_number = item.reference_number.clone();
    r
}
