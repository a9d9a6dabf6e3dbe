//! 資格確認 (OQS-IF-001/002): the `OQSsiquc01req` request (§2.1) and the result that answers
//! it, which is also the layout of face files (§2.2).

use crate::clock::{Date, Moment};
use crate::ids::InstitutionCode;

use super::result::QualificationResult;
use super::text::{InsuranceNumbersText, NumberElements};
use super::tree::{Block, Fields, Out};
use super::{OqsError, impl_message};
use crate::codes::{
    CharacterCode, ConsentFlag, PrescriptionIssueSelect, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult,
};

/// MessageBody/QualificationConfirmSearchInfo: who to confirm, by insurance numbers. Echoed in
/// results (ReferenceClassification 2) and in bulk units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchInfo {
    /// InsurerNumber 保険者番号 (raw 8-column text, see
    /// [`InsurerNumberText`](super::InsurerNumberText)),
    /// InsuredCardSymbol 被保険者証記号 (absent for 後期高齢 / none; may contain kanji),
    /// InsuredIdentificationNumber 被保険者証番号 and InsuredBranchNumber 枝番 (2 digits when
    /// present).
    pub numbers: InsuranceNumbersText,
    /// Birthdate 生年月日.
    pub birthdate: Date,
    /// LimitApplicationCertificateRelatedConsFlg 限度額適用認定証提供同意 (OQSCD001).
    pub limit_consent: ConsentFlag,
    /// ArbitraryIdentifier 任意の識別子, echoed byte for byte.
    pub arbitrary_identifier: Option<String>,
}

impl SearchInfo {
    pub(crate) const ELEMENT: &'static str = "QualificationConfirmSearchInfo";
    pub(crate) const NUMBERS: NumberElements = NumberElements::INSURED;

    pub(crate) fn to_out(&self) -> Out {
        let mut b = Block::new();
        b.numbers(Self::NUMBERS, &self.numbers)
            .date("Birthdate", self.birthdate)
            .code(
                "LimitApplicationCertificateRelatedConsFlg",
                self.limit_consent,
            )
            .opt_text("ArbitraryIdentifier", self.arbitrary_identifier.as_deref());
        b.into_out(Self::ELEMENT)
    }

    pub(crate) fn from_fields(mut f: Fields<'_>) -> Result<Self, OqsError> {
        let info = SearchInfo {
            numbers: f.numbers(Self::NUMBERS)?,
            birthdate: f.date("Birthdate")?,
            limit_consent: f.code("LimitApplicationCertificateRelatedConsFlg")?,
            arbitrary_identifier: f.opt_text("ArbitraryIdentifier")?,
        };
        f.finish()?;
        Ok(info)
    }
}

/// MessageHeader of a 資格確認 request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmRequestHeader {
    /// QualificationConfirmationDate 資格を確認する日 (not necessarily today, §5.15).
    pub qualification_confirmation_date: Date,
    /// MedicalInstitutionCode 医療機関コード.
    pub institution: InstitutionCode,
    /// ArbitraryFileIdentifier 任意のファイル識別子, echoed in the result header.
    pub arbitrary_file_identifier: Option<String>,
}

/// `OQSsiquc01req`: 資格確認 by insurance numbers (§2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmRequest {
    /// MessageHeader.
    pub header: ConfirmRequestHeader,
    /// MessageBody/QualificationConfirmSearchInfo.
    pub search_info: SearchInfo,
}

impl ConfirmRequest {
    pub(crate) fn to_tree(&self) -> Out {
        let mut h = Block::new();
        h.date(
            "QualificationConfirmationDate",
            self.header.qualification_confirmation_date,
        )
        .text("MedicalInstitutionCode", &self.header.institution.digits())
        .opt_text(
            "ArbitraryFileIdentifier",
            self.header.arbitrary_file_identifier.as_deref(),
        );
        let mut body = Block::new();
        body.child(self.search_info.to_out());
        let mut root = Block::new();
        root.child(h.into_out("MessageHeader"))
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let mut h = root.block("MessageHeader")?;
        let header = ConfirmRequestHeader {
            qualification_confirmation_date: h.date("QualificationConfirmationDate")?,
            institution: h.institution("MedicalInstitutionCode")?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
        };
        h.finish()?;
        let mut body = root.block("MessageBody")?;
        let search_info = SearchInfo::from_fields(body.block(SearchInfo::ELEMENT)?)?;
        body.finish()?;
        Ok(ConfirmRequest {
            header,
            search_info,
        })
    }
}

/// MessageHeader of a 資格確認 result or face file (§2.2). The six fields §7 requires are not
/// optional here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHeader {
    /// ProcessExecutionTime 処理実行日時.
    pub process_execution_time: Moment,
    /// QualificationConfirmationDate 資格確認日.
    pub qualification_confirmation_date: Date,
    /// MedicalInstitutionCode 医療機関コード.
    pub institution: InstitutionCode,
    /// ArbitraryFileIdentifier: the request's, echoed; in face files an opaque token.
    pub arbitrary_file_identifier: Option<String>,
    /// ReferenceClassification 照会区分 (1 card / face, 2 insurance numbers).
    pub reference_classification: ReferenceClassification,
    /// SegmentOfResult 処理結果区分.
    pub segment_of_result: SegmentOfResult,
    /// ErrorCode (when SegmentOfResult ≠ 1).
    pub error_code: Option<String>,
    /// ErrorMessage (when SegmentOfResult ≠ 1).
    pub error_message: Option<String>,
    /// CharacterCodeIdentifier 文字コード識別; the encoder sets it to match the bytes.
    pub character_code: CharacterCode,
}

/// MessageBody of a 資格確認 result or face file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseBody {
    /// ProcessingResultStatus 処理結果状況 (always present, §7).
    pub processing_result_status: ProcessingResultStatus,
    /// ProcessingResultCode: on error, or with status 1 for 付帯情報.
    pub processing_result_code: Option<String>,
    /// ProcessingResultMessage, shown as-is by clients.
    pub processing_result_message: Option<String>,
    /// QualificationValidity 資格有効性.
    pub qualification_validity: Option<QualificationValidity>,
    /// PrescriptionIssueSelect (OQSCD017); placed in MessageBody as MC and OF do (CS has it in
    /// the result — UNCERTAIN).
    pub prescription_issue_select: Option<PrescriptionIssueSelect>,
    /// QualificationConfirmSearchInfo echo (ReferenceClassification 2; absent in face files).
    pub search_info: Option<SearchInfo>,
    /// One ResultOfQualificationConfirmation per ResultList element (several for 複数該当; a
    /// face file has exactly one). Reading also accepts one ResultList holding several.
    pub results: Vec<QualificationResult>,
}

/// `OQSsiquc01res` and face files: the answer to a 資格確認 (§2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmResponse {
    /// MessageHeader.
    pub header: ResponseHeader,
    /// MessageBody.
    pub body: ResponseBody,
}

impl ResponseHeader {
    fn to_out(&self) -> Out {
        let mut h = Block::new();
        h.moment("ProcessExecutionTime", self.process_execution_time)
            .date(
                "QualificationConfirmationDate",
                self.qualification_confirmation_date,
            )
            .text("MedicalInstitutionCode", &self.institution.digits())
            .opt_text(
                "ArbitraryFileIdentifier",
                self.arbitrary_file_identifier.as_deref(),
            )
            .code("ReferenceClassification", self.reference_classification)
            .code("SegmentOfResult", self.segment_of_result)
            .opt_text("ErrorCode", self.error_code.as_deref())
            .opt_text("ErrorMessage", self.error_message.as_deref())
            .code("CharacterCodeIdentifier", self.character_code);
        h.into_out("MessageHeader")
    }

    fn from_fields(mut h: Fields<'_>) -> Result<Self, OqsError> {
        let header = ResponseHeader {
            process_execution_time: h.moment("ProcessExecutionTime")?,
            qualification_confirmation_date: h.date("QualificationConfirmationDate")?,
            institution: h.institution("MedicalInstitutionCode")?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
            reference_classification: h.code("ReferenceClassification")?,
            segment_of_result: h.code("SegmentOfResult")?,
            error_code: h.opt_text("ErrorCode")?,
            error_message: h.opt_text("ErrorMessage")?,
            character_code: h.code("CharacterCodeIdentifier")?,
        };
        h.finish()?;
        Ok(header)
    }
}

impl ConfirmResponse {
    pub(crate) fn to_tree(&self) -> Out {
        let b = &self.body;
        let mut body = Block::new();
        body.code("ProcessingResultStatus", b.processing_result_status)
            .opt_text("ProcessingResultCode", b.processing_result_code.as_deref())
            .opt_text(
                "ProcessingResultMessage",
                b.processing_result_message.as_deref(),
            )
            .opt_code("QualificationValidity", b.qualification_validity)
            .opt_code("PrescriptionIssueSelect", b.prescription_issue_select)
            .opt_child(
                SearchInfo::ELEMENT,
                b.search_info.as_ref().map(SearchInfo::to_out),
            );
        if b.results.is_empty() {
            body.child(Out::Absent(RESULT_LIST));
        }
        for r in &b.results {
            body.child(Out::Block(RESULT_LIST, vec![r.to_out()]));
        }
        let mut root = Block::new();
        root.child(self.header.to_out())
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let header = ResponseHeader::from_fields(root.block("MessageHeader")?)?;
        let mut b = root.block("MessageBody")?;
        let mut body = ResponseBody {
            processing_result_status: b.code("ProcessingResultStatus")?,
            processing_result_code: b.opt_text("ProcessingResultCode")?,
            processing_result_message: b.opt_text("ProcessingResultMessage")?,
            qualification_validity: b.opt_code("QualificationValidity")?,
            prescription_issue_select: b.opt_code("PrescriptionIssueSelect")?,
            search_info: b
                .opt_block(SearchInfo::ELEMENT)?
                .map(SearchInfo::from_fields)
                .transpose()?,
            results: Vec::new(),
        };
        for mut list in b.blocks(RESULT_LIST)? {
            for item in list.blocks(QualificationResult::ELEMENT)? {
                body.results.push(QualificationResult::from_fields(item)?);
            }
            list.finish()?;
        }
        b.finish()?;
        Ok(ConfirmResponse { header, body })
    }
}

const RESULT_LIST: &str = "ResultList";

impl_message!(ConfirmRequest, ConfirmResponse);
