//! 照会番号登録 (OQS-IF-003/004, `OQSsiimm01req/res`, §2.3): a clinic registers its patient id
//! (照会番号) against a person's insurance numbers, so later face results carry it.
//!
//! UNCERTAIN: the layouts come from a partial sample and one weakly-sourced design document
//! (SX18, RA). Whether the request carries a Birthdate or a QualificationConfirmationDate, and
//! what exactly the result echoes, is not known; onshi uses the fields below.

use crate::clock::Moment;
use crate::ids::InstitutionCode;

use super::text::{InsuranceNumbersText, NumberElements};
use super::tree::{Block, Fields, Out};
use super::{OqsError, impl_message};
use crate::codes::{CharacterCode, ProcessingResultStatus, SegmentOfResult};

/// MessageHeader of requests that carry only the institution (照会番号登録, bulk download).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHeader {
    /// MedicalInstitutionCode 医療機関コード.
    pub institution: InstitutionCode,
    /// ArbitraryFileIdentifier, echoed in the result.
    pub arbitrary_file_identifier: Option<String>,
}

impl RequestHeader {
    pub(crate) fn to_out(&self) -> Out {
        let mut h = Block::new();
        h.text("MedicalInstitutionCode", &self.institution.digits())
            .opt_text(
                "ArbitraryFileIdentifier",
                self.arbitrary_file_identifier.as_deref(),
            );
        h.into_out("MessageHeader")
    }

    pub(crate) fn from_fields(mut h: Fields<'_>) -> Result<Self, OqsError> {
        let header = RequestHeader {
            institution: h.institution("MedicalInstitutionCode")?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
        };
        h.finish()?;
        Ok(header)
    }
}

/// MessageHeader of results other than 資格確認 (照会番号登録, bulk upload): the 資格確認 header
/// without QualificationConfirmationDate and ReferenceClassification. UNCERTAIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleResponseHeader {
    /// ProcessExecutionTime 処理実行日時.
    pub process_execution_time: Moment,
    /// MedicalInstitutionCode.
    pub institution: InstitutionCode,
    /// ArbitraryFileIdentifier, echoed.
    pub arbitrary_file_identifier: Option<String>,
    /// SegmentOfResult 処理結果区分.
    pub segment_of_result: SegmentOfResult,
    /// ErrorCode (SegmentOfResult ≠ 1).
    pub error_code: Option<String>,
    /// ErrorMessage (SegmentOfResult ≠ 1).
    pub error_message: Option<String>,
    /// CharacterCodeIdentifier; the encoder sets it to match the bytes.
    pub character_code: CharacterCode,
}

impl SimpleResponseHeader {
    pub(crate) fn to_out(&self) -> Out {
        let mut h = Block::new();
        h.moment("ProcessExecutionTime", self.process_execution_time)
            .text("MedicalInstitutionCode", &self.institution.digits())
            .opt_text(
                "ArbitraryFileIdentifier",
                self.arbitrary_file_identifier.as_deref(),
            )
            .code("SegmentOfResult", self.segment_of_result)
            .opt_text("ErrorCode", self.error_code.as_deref())
            .opt_text("ErrorMessage", self.error_message.as_deref())
            .code("CharacterCodeIdentifier", self.character_code);
        h.into_out("MessageHeader")
    }

    pub(crate) fn from_fields(mut h: Fields<'_>) -> Result<Self, OqsError> {
        let header = SimpleResponseHeader {
            process_execution_time: h.moment("ProcessExecutionTime")?,
            institution: h.institution("MedicalInstitutionCode")?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
            segment_of_result: h.code("SegmentOfResult")?,
            error_code: h.opt_text("ErrorCode")?,
            error_message: h.opt_text("ErrorMessage")?,
            character_code: h.code("CharacterCodeIdentifier")?,
        };
        h.finish()?;
        Ok(header)
    }
}

/// MessageBody/ReferenceNumberRegistrationInfo: the 照会番号 and the insurance numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceNumberRegistrationInfo {
    /// ReferenceNumber 照会番号 (≤ 50 characters per RA; leading zeros kept).
    pub reference_number: String,
    /// InsurerNumber (raw 8 columns), InsuredCardSymbol, InsuredIdentificationNumber,
    /// InsuredBranchNumber.
    pub numbers: InsuranceNumbersText,
}

impl ReferenceNumberRegistrationInfo {
    pub(crate) const ELEMENT: &'static str = "ReferenceNumberRegistrationInfo";
    pub(crate) const NUMBERS: NumberElements = NumberElements::INSURED;

    pub(crate) fn to_out(&self) -> Out {
        let mut b = Block::new();
        b.text("ReferenceNumber", &self.reference_number)
            .numbers(Self::NUMBERS, &self.numbers);
        b.into_out(Self::ELEMENT)
    }

    pub(crate) fn from_fields(mut f: Fields<'_>) -> Result<Self, OqsError> {
        let info = ReferenceNumberRegistrationInfo {
            reference_number: f.text("ReferenceNumber")?,
            numbers: f.numbers(Self::NUMBERS)?,
        };
        f.finish()?;
        Ok(info)
    }
}

/// `OQSsiimm01req`: register one 照会番号. UNCERTAIN layout (see module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceNumberRegistrationRequest {
    /// MessageHeader.
    pub header: RequestHeader,
    /// MessageBody/ReferenceNumberRegistrationInfo.
    pub info: ReferenceNumberRegistrationInfo,
}

impl ReferenceNumberRegistrationRequest {
    pub(crate) fn to_tree(&self) -> Out {
        let mut body = Block::new();
        body.child(self.info.to_out());
        let mut root = Block::new();
        root.child(self.header.to_out())
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let header = RequestHeader::from_fields(root.block("MessageHeader")?)?;
        let mut body = root.block("MessageBody")?;
        let info = ReferenceNumberRegistrationInfo::from_fields(
            body.block(ReferenceNumberRegistrationInfo::ELEMENT)?,
        )?;
        body.finish()?;
        Ok(ReferenceNumberRegistrationRequest { header, info })
    }
}

/// MessageBody of the 照会番号登録 result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationResponseBody {
    /// ProcessingResultStatus.
    pub processing_result_status: ProcessingResultStatus,
    /// ProcessingResultCode.
    pub processing_result_code: Option<String>,
    /// ProcessingResultMessage.
    pub processing_result_message: Option<String>,
    /// ReferenceNumberRegistrationInfo echo.
    pub info: Option<ReferenceNumberRegistrationInfo>,
}

/// `OQSsiimm01res`: the 照会番号登録 result. UNCERTAIN layout (see module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceNumberRegistrationResponse {
    /// MessageHeader.
    pub header: SimpleResponseHeader,
    /// MessageBody.
    pub body: RegistrationResponseBody,
}

impl ReferenceNumberRegistrationResponse {
    pub(crate) fn to_tree(&self) -> Out {
        let b = &self.body;
        let mut body = Block::new();
        body.code("ProcessingResultStatus", b.processing_result_status)
            .opt_text("ProcessingResultCode", b.processing_result_code.as_deref())
            .opt_text(
                "ProcessingResultMessage",
                b.processing_result_message.as_deref(),
            )
            .opt_child(
                ReferenceNumberRegistrationInfo::ELEMENT,
                b.info.as_ref().map(ReferenceNumberRegistrationInfo::to_out),
            );
        let mut root = Block::new();
        root.child(self.header.to_out())
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let header = SimpleResponseHeader::from_fields(root.block("MessageHeader")?)?;
        let mut b = root.block("MessageBody")?;
        let body = RegistrationResponseBody {
            processing_result_status: b.code("ProcessingResultStatus")?,
            processing_result_code: b.opt_text("ProcessingResultCode")?,
            processing_result_message: b.opt_text("ProcessingResultMessage")?,
            info: b
                .opt_block(ReferenceNumberRegistrationInfo::ELEMENT)?
                .map(ReferenceNumberRegistrationInfo::from_fields)
                .transpose()?,
        };
        b.finish()?;
        Ok(ReferenceNumberRegistrationResponse { header, body })
    }
}

impl_message!(
    ReferenceNumberRegistrationRequest,
    ReferenceNumberRegistrationResponse
);
