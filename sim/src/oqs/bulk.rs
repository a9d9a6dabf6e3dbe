//! 資格確認一括照会 (OQS-IF-005…008, §2.4): upload many search infos (`OQSmuquc01req`), get a
//! 受付番号 (`OQSmuquc01res`), later download the per-person results with it
//! (`OQSmuquc02req` / `OQSmuquc02res`).
//!
//! UNCERTAIN: the upload body was never observed (onshi assumes repeated
//! QualificationConfirmSearchInfo, as the download echo suggests), the place of ReceptionNumber in
//! the upload result (onshi: MessageBody) and the header of the upload request (onshi: an
//! optional QualificationConfirmationDate). The download layout follows CS and OD2.

use crate::clock::{Date, Moment};
use crate::ids::InstitutionCode;

use super::confirm::SearchInfo;
use super::registration::{RequestHeader, SimpleResponseHeader};
use super::result::QualificationResult;
use super::tree::{Block, Fields, Out};
use super::{OqsError, impl_message};
use crate::codes::{CharacterCode, ProcessingResultStatus, QualificationValidity, SegmentOfResult};

/// MessageHeader of the bulk upload request. UNCERTAIN (see module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkRequestHeader {
    /// QualificationConfirmationDate (UNCERTAIN whether the upload carries it).
    pub qualification_confirmation_date: Option<Date>,
    /// MedicalInstitutionCode.
    pub institution: InstitutionCode,
    /// ArbitraryFileIdentifier.
    pub arbitrary_file_identifier: Option<String>,
}

/// `OQSmuquc01req`: the bulk upload, one QualificationConfirmSearchInfo per person. UNCERTAIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkConfirmUploadRequest {
    /// MessageHeader.
    pub header: BulkRequestHeader,
    /// MessageBody/QualificationConfirmSearchInfo*, in document order.
    pub search_infos: Vec<SearchInfo>,
}

impl BulkConfirmUploadRequest {
    pub(crate) fn to_tree(&self) -> Out {
        let h = &self.header;
        let mut header = Block::new();
        header
            .opt_date(
                "QualificationConfirmationDate",
                h.qualification_confirmation_date,
            )
            .text("MedicalInstitutionCode", &h.institution.digits())
            .opt_text(
                "ArbitraryFileIdentifier",
                h.arbitrary_file_identifier.as_deref(),
            );
        let mut body = Block::new();
        for s in &self.search_infos {
            body.child(s.to_out());
        }
        let mut root = Block::new();
        root.child(header.into_out("MessageHeader"))
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let mut h = root.block("MessageHeader")?;
        let header = BulkRequestHeader {
            qualification_confirmation_date: h.opt_date("QualificationConfirmationDate")?,
            institution: h.institution("MedicalInstitutionCode")?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
        };
        h.finish()?;
        let mut body = root.block("MessageBody")?;
        let search_infos = body
            .blocks(SearchInfo::ELEMENT)?
            .into_iter()
            .map(SearchInfo::from_fields)
            .collect::<Result<_, _>>()?;
        body.finish()?;
        Ok(BulkConfirmUploadRequest {
            header,
            search_infos,
        })
    }
}

/// MessageBody of the bulk upload result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkUploadResponseBody {
    /// ProcessingResultStatus.
    pub processing_result_status: ProcessingResultStatus,
    /// ProcessingResultCode.
    pub processing_result_code: Option<String>,
    /// ProcessingResultMessage.
    pub processing_result_message: Option<String>,
    /// ReceptionNumber 受付番号, to be sent in the download request.
    pub reception_number: Option<String>,
}

/// `OQSmuquc01res`: the bulk upload result with the 受付番号. UNCERTAIN placement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkUploadResponse {
    /// MessageHeader.
    pub header: SimpleResponseHeader,
    /// MessageBody.
    pub body: BulkUploadResponseBody,
}

impl BulkUploadResponse {
    pub(crate) fn to_tree(&self) -> Out {
        let b = &self.body;
        let mut body = Block::new();
        body.code("ProcessingResultStatus", b.processing_result_status)
            .opt_text("ProcessingResultCode", b.processing_result_code.as_deref())
            .opt_text(
                "ProcessingResultMessage",
                b.processing_result_message.as_deref(),
            )
            .opt_text("ReceptionNumber", b.reception_number.as_deref());
        let mut root = Block::new();
        root.child(self.header.to_out())
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let header = SimpleResponseHeader::from_fields(root.block("MessageHeader")?)?;
        let mut b = root.block("MessageBody")?;
        let body = BulkUploadResponseBody {
            processing_result_status: b.code("ProcessingResultStatus")?,
            processing_result_code: b.opt_text("ProcessingResultCode")?,
            processing_result_message: b.opt_text("ProcessingResultMessage")?,
            reception_number: b.opt_text("ReceptionNumber")?,
        };
        b.finish()?;
        Ok(BulkUploadResponse { header, body })
    }
}

/// `OQSmuquc02req`: ask for the results of a bulk upload by 受付番号 (CS, OD2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkDownloadRequest {
    /// MessageHeader.
    pub header: RequestHeader,
    /// MessageBody/ReceptionNumber.
    pub reception_number: String,
}

impl BulkDownloadRequest {
    pub(crate) fn to_tree(&self) -> Out {
        let mut body = Block::new();
        body.text("ReceptionNumber", &self.reception_number);
        let mut root = Block::new();
        root.child(self.header.to_out())
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let header = RequestHeader::from_fields(root.block("MessageHeader")?)?;
        let mut body = root.block("MessageBody")?;
        let reception_number = body.text("ReceptionNumber")?;
        body.finish()?;
        Ok(BulkDownloadRequest {
            header,
            reception_number,
        })
    }
}

/// MessageHeader of the bulk download result, with the three counters (CS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkDownloadResponseHeader {
    /// ProcessExecutionTime.
    pub process_execution_time: Moment,
    /// QualificationConfirmationDate.
    pub qualification_confirmation_date: Option<Date>,
    /// MedicalInstitutionCode.
    pub institution: InstitutionCode,
    /// ArbitraryFileIdentifier.
    pub arbitrary_file_identifier: Option<String>,
    /// ReceptionNumber 受付番号 (clients match results by this element).
    pub reception_number: String,
    /// SegmentOfResult (2 処理中 while processing — UNCERTAIN).
    pub segment_of_result: SegmentOfResult,
    /// ErrorCode.
    pub error_code: Option<String>,
    /// ErrorMessage.
    pub error_message: Option<String>,
    /// NumberOfProcessingResult 処理件数.
    pub number_of_processing_result: Option<u32>,
    /// NumberOfNormalProcessing 正常件数.
    pub number_of_normal_processing: Option<u32>,
    /// NumberOfError エラー件数.
    pub number_of_error: Option<u32>,
    /// CharacterCodeIdentifier; the encoder sets it to match the bytes.
    pub character_code: CharacterCode,
}

/// BulkConfirmUnit: the result for one uploaded search info.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkConfirmUnit {
    /// QualificationConfirmSearchInfo echo (with ArbitraryIdentifier).
    pub search_info: SearchInfo,
    /// ProcessingResultStatus.
    pub processing_result_status: ProcessingResultStatus,
    /// ProcessingResultCode.
    pub processing_result_code: Option<String>,
    /// ProcessingResultMessage.
    pub processing_result_message: Option<String>,
    /// QualificationValidity.
    pub qualification_validity: Option<QualificationValidity>,
    /// ResultOfQualificationConfirmation* directly inside the unit (several for 複数該当).
    pub results: Vec<QualificationResult>,
    /// ReferenceNumber 照会番号.
    pub reference_number: Option<String>,
}

/// `OQSmuquc02res`: the bulk results (CS, OD2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkDownloadResponse {
    /// MessageHeader.
    pub header: BulkDownloadResponseHeader,
    /// MessageBody/BulkConfirmUnit*, in upload order.
    pub units: Vec<BulkConfirmUnit>,
}

impl BulkDownloadResponse {
    pub(crate) fn to_tree(&self) -> Out {
        let h = &self.header;
        let mut header = Block::new();
        header
            .moment("ProcessExecutionTime", h.process_execution_time)
            .opt_date(
                "QualificationConfirmationDate",
                h.qualification_confirmation_date,
            )
            .text("MedicalInstitutionCode", &h.institution.digits())
            .opt_text(
                "ArbitraryFileIdentifier",
                h.arbitrary_file_identifier.as_deref(),
            )
            .text("ReceptionNumber", &h.reception_number)
            .code("SegmentOfResult", h.segment_of_result)
            .opt_text("ErrorCode", h.error_code.as_deref())
            .opt_text("ErrorMessage", h.error_message.as_deref())
            .count("NumberOfProcessingResult", h.number_of_processing_result)
            .count("NumberOfNormalProcessing", h.number_of_normal_processing)
            .count("NumberOfError", h.number_of_error)
            .code("CharacterCodeIdentifier", h.character_code);
        let mut body = Block::new();
        for u in &self.units {
            let mut b = Block::new();
            b.child(u.search_info.to_out())
                .code("ProcessingResultStatus", u.processing_result_status)
                .opt_text("ProcessingResultCode", u.processing_result_code.as_deref())
                .opt_text(
                    "ProcessingResultMessage",
                    u.processing_result_message.as_deref(),
                )
                .opt_code("QualificationValidity", u.qualification_validity);
            for r in &u.results {
                b.child(r.to_out());
            }
            b.opt_text("ReferenceNumber", u.reference_number.as_deref());
            body.child(b.into_out("BulkConfirmUnit"));
        }
        let mut root = Block::new();
        root.child(header.into_out("MessageHeader"))
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let mut h = root.block("MessageHeader")?;
        let header = BulkDownloadResponseHeader {
            process_execution_time: h.moment("ProcessExecutionTime")?,
            qualification_confirmation_date: h.opt_date("QualificationConfirmationDate")?,
            institution: h.institution("MedicalInstitutionCode")?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
            reception_number: h.text("ReceptionNumber")?,
            segment_of_result: h.code("SegmentOfResult")?,
            error_code: h.opt_text("ErrorCode")?,
            error_message: h.opt_text("ErrorMessage")?,
            number_of_processing_result: h.count("NumberOfProcessingResult")?,
            number_of_normal_processing: h.count("NumberOfNormalProcessing")?,
            number_of_error: h.count("NumberOfError")?,
            character_code: h.code("CharacterCodeIdentifier")?,
        };
        h.finish()?;
        let mut body = root.block("MessageBody")?;
        let mut units = Vec::new();
        for mut u in body.blocks("BulkConfirmUnit")? {
            let search_info = SearchInfo::from_fields(u.block(SearchInfo::ELEMENT)?)?;
            let unit = BulkConfirmUnit {
                search_info,
                processing_result_status: u.code("ProcessingResultStatus")?,
                processing_result_code: u.opt_text("ProcessingResultCode")?,
                processing_result_message: u.opt_text("ProcessingResultMessage")?,
                qualification_validity: u.opt_code("QualificationValidity")?,
                results: u
                    .blocks(QualificationResult::ELEMENT)?
                    .into_iter()
                    .map(QualificationResult::from_fields)
                    .collect::<Result<_, _>>()?,
                reference_number: u.opt_text("ReferenceNumber")?,
            };
            u.finish()?;
            units.push(unit);
        }
        body.finish()?;
        Ok(BulkDownloadResponse { header, units })
    }
}

impl_message!(
    BulkConfirmUploadRequest,
    BulkUploadResponse,
    BulkDownloadRequest,
    BulkDownloadResponse
);
