//! The wire formats of the eligibility system (オンライン資格確認, OQS) as typed Rust: the
//! 別紙5-1 code tables (from [`crate::codes`]), onshi's own processing/error codes, the
//! request/response messages of the clinic-side folder interface, XML encode/decode in UTF-8 and
//! Shift_JIS, strict request validation, the exchanges and the req/res/face file names, and
//! every answer onshi writes, built from what the world answered (the registry's
//! [`Answer`](crate::answer::Answer) as a 資格確認 result or face file, data as a YZK/TKK
//! result, the other exchanges' results and the error answer of each; see `responses`), and
//! the requests a clinic system writes for a confirmation by numbers or a data request
//! (`requests`).
//!
//! Facts and UNCERTAIN points come from `shared/domain/oqs-wire.md`; section numbers (§2.2 …)
//! below refer to it. Like the rest of the crate this module does no I/O: bytes in, bytes out.
//! Decoders take bytes from systems under test and never panic; every error names the element
//! path, what was expected and what was found, with the line and column where there is one.
//! Encoders keep every leaf a string with exact leading zeros, write absent values as absent
//! elements (§7) and report characters the chosen encoding cannot carry instead of dropping them.

mod bulk;
mod confirm;
mod element;
mod encoding;
mod exchange;
mod filenames;
mod leaves;
mod medical;
mod registration;
mod requests;
mod responses;
mod result;
mod result_codes;
mod text;
mod tree;
mod validate;
mod xml_read;
mod xml_write;

#[cfg(test)]
mod tests;

use std::fmt;

pub use crate::codes::{
    CODE_TABLES, CharacterCode, Code, CodeTable, ConsentFlag, ConsentInfoKind, ConsentStatus,
    FileCategory, InsuredCardClassification, LimitCategoryCode, LimitCertificateChanged,
    LimitCertificateKind, MedicalInformationKind, MedicalTreatmentFlag, PersonalFamily, Preschool,
    PrescriptionIssueSelect, ProcessingResultStatus, QualificationValidity, ReasonOfLoss,
    ReferenceClassification, SegmentOfResult, Sex, SpecificDisease, UnknownCode,
};
pub use bulk::{
    BulkConfirmUnit, BulkConfirmUploadRequest, BulkDownloadRequest, BulkDownloadResponse,
    BulkDownloadResponseHeader, BulkRequestHeader, BulkUploadResponse, BulkUploadResponseBody,
};
pub use confirm::{
    ConfirmRequest, ConfirmRequestHeader, ConfirmResponse, ResponseBody, ResponseHeader, SearchInfo,
};
pub use element::Element;
pub use encoding::sniff_encoding;
pub use exchange::{Exchange, ExchangeKind};
pub use filenames::{
    Direction, ExchangeFileName, Extension, FaceFileName, FileName, response_name_for,
};
pub use leaves::{Leaf, leaves};
pub use medical::{
    CheckupItem, CheckupRecord, MedicalDataKind, MedicalDataRecord, MedicalInfoRequest,
    MedicalInfoRequestBody, MedicalInfoRequestHeader, MedicalInfoResponse,
    MedicalInfoResponseHeader, MedicalInfoResult, PersonInfo,
};
pub use registration::{
    ReferenceNumberRegistrationInfo, ReferenceNumberRegistrationRequest,
    ReferenceNumberRegistrationResponse, RegistrationResponseBody, RequestHeader,
    SimpleResponseHeader,
};
pub use requests::{confirm_request, medical_request};
pub use responses::{
    ConfirmEcho, ErrorAnswer, ErrorEcho, answer_to_request, bulk_download_error,
    bulk_download_response, bulk_unit, bulk_upload_accepted, bulk_upload_error, confirm_error,
    error_answer, face_form, medical_error, medical_response, medical_result, registration_error,
    registration_response, to_confirm_response,
};
pub use result::{
    ConsentInfo, ElderlyRecipientCertificate, LimitCertificateInfo, QualificationResult,
    SpecificDiseaseCertificate,
};
pub use result_codes::{Level, RESULT_CODES, ResultCode, ResultCodeEntry, Severity};
pub use text::{ContributionRatio, InsuranceNumbersText, InsurerNumberText, parse_compact_moment};
pub use validate::{
    Violation, validate_bulk_upload_request, validate_confirm_request,
    validate_medical_info_request, validate_registration_request,
};
pub use xml_read::{Echo, salvage_echo};
pub use xml_write::{ElementOrder, EncodeOptions, Encoded, Substitution, SubstitutionReason};

/// A place in a decoded document: 1-based line and column (in characters) of the decoded text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes) so it is the same in UTF-8 and Shift_JIS.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// What kind of value a leaf was expected to hold; used to pick the answer's result code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// `YYYYMMDD` date.
    Date,
    /// `YYYYMMDDHHMMSS` timestamp.
    Timestamp,
    /// A value of an OQSCD code table.
    Code,
    /// 医療機関コード.
    InstitutionCode,
    /// 保険者番号.
    InsurerNumber,
    /// A count or amount in digits.
    Number,
    /// Free text.
    Text,
}

/// Everything that can go wrong reading or writing eligibility messages and file names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OqsError {
    /// A code value outside its table (別紙5-1 OQSCDnnn).
    #[error("`{found}` is not a code of {table} (expected one of: {expected})")]
    UnknownCode {
        /// The table, e.g. `OQSCD006`.
        table: &'static str,
        /// The rejected text.
        found: String,
        /// The codes the table allows.
        expected: String,
    },
    /// The XML declaration names an encoding other than UTF-8 or Shift_JIS (or the bytes carry a
    /// UTF-16 byte order mark).
    #[error(
        "unsupported character encoding `{declared}`: the eligibility files use UTF-8 or Shift_JIS"
    )]
    UnsupportedEncoding {
        /// The encoding as declared or detected.
        declared: String,
    },
    /// The bytes are not in the encoding the XML declaration names.
    #[error(
        "the bytes are not {} as the XML declaration says, at byte offset {offset}: {detail}",
        declared.xml_name()
    )]
    EncodingMismatch {
        /// The declared encoding.
        declared: CharacterCode,
        /// Byte offset of the first byte that does not fit.
        offset: usize,
        /// What was found instead.
        detail: String,
    },
    /// The XML declaration itself is malformed.
    #[error("malformed XML declaration: {detail}")]
    Declaration {
        /// What is wrong.
        detail: String,
    },
    /// The document is not well-formed XML.
    #[error("malformed XML at {at}: {detail}")]
    Syntax {
        /// Where the problem is.
        at: Position,
        /// What is wrong.
        detail: String,
    },
    /// The root element is not `XmlMsg`.
    #[error("root element is <{found}> at {at}; expected <XmlMsg>")]
    WrongRoot {
        /// The root element found.
        found: String,
        /// Where it starts.
        at: Position,
    },
    /// A required element is absent.
    #[error("{path}: required element missing (in the parent element starting at {at})")]
    Missing {
        /// Path of the missing element.
        path: String,
        /// Where the parent element starts.
        at: Position,
    },
    /// An element holds a value of the wrong form.
    #[error("{path} at {at}: expected {expected}, found `{found}`")]
    Invalid {
        /// Path of the element.
        path: String,
        /// What kind of value was expected.
        kind: FieldKind,
        /// The expected form, in words.
        expected: String,
        /// The text found.
        found: String,
        /// Where the element starts.
        at: Position,
    },
    /// An element this message does not have at that place.
    #[error("{path} at {at}: element not allowed here")]
    Unexpected {
        /// Path of the element.
        path: String,
        /// Where it starts.
        at: Position,
    },
    /// An element that may appear once appears again.
    #[error("{path} at {at}: element appears more than once")]
    Duplicate {
        /// Path of the repeated element.
        path: String,
        /// Where the repetition starts.
        at: Position,
    },
    /// A character cannot be written in the chosen encoding (substitution switched off).
    #[error("{path}: character {character:?} (U+{code:04X}) cannot be written in {encoding}", code = u32::from(*character))]
    Unencodable {
        /// Path of the element holding it.
        path: String,
        /// The character.
        character: char,
        /// The target encoding.
        encoding: CharacterCode,
    },
    /// A file name does not follow the folder protocol (§1.2).
    #[error("file name `{name}`: {part}: expected {expected}, found `{found}`")]
    FileName {
        /// The whole name.
        name: String,
        /// Which part is wrong.
        part: &'static str,
        /// What that part must look like.
        expected: &'static str,
        /// What it was.
        found: String,
    },
}

impl From<UnknownCode> for OqsError {
    fn from(e: UnknownCode) -> Self {
        OqsError::UnknownCode {
            table: e.table,
            found: e.found,
            expected: e.expected,
        }
    }
}

impl OqsError {
    /// The onshi result code an answer to a request that failed this way carries.
    pub fn result_code(&self) -> ResultCode {
        match self {
            OqsError::UnsupportedEncoding { .. } | OqsError::EncodingMismatch { .. } => {
                ResultCode::RequestEncoding
            }
            OqsError::Declaration { .. } | OqsError::Syntax { .. } => ResultCode::RequestMalformed,
            OqsError::WrongRoot { .. }
            | OqsError::Missing { .. }
            | OqsError::Unexpected { .. }
            | OqsError::Duplicate { .. } => ResultCode::RequestStructure,
            OqsError::Invalid { kind, .. } => match kind {
                FieldKind::Date | FieldKind::Timestamp => ResultCode::InvalidDate,
                FieldKind::Code => ResultCode::InvalidCode,
                FieldKind::InstitutionCode => ResultCode::InvalidInstitutionCode,
                FieldKind::InsurerNumber => ResultCode::InvalidInsurerNumber,
                FieldKind::Number | FieldKind::Text => ResultCode::InvalidValue,
            },
            OqsError::UnknownCode { .. } => ResultCode::InvalidCode,
            OqsError::Unencodable { .. } => ResultCode::InternalError,
            OqsError::FileName { .. } => ResultCode::InvalidFileName,
        }
    }
}

/// A message of the folder interface that can be written to and read from XML bytes.
pub trait Message: Sized {
    /// Writes the message as a complete XML document.
    fn encode(&self, options: EncodeOptions) -> Result<Encoded, OqsError>;
    /// Reads a message from the bytes of an XML document in UTF-8 or Shift_JIS.
    fn decode(bytes: &[u8]) -> Result<Self, OqsError>;
    /// The message as a plain element tree (schema order, absent values left out).
    fn to_element(&self) -> Element;
}

/// Writes `message` as XML bytes (see [`EncodeOptions`]).
pub fn encode<M: Message>(message: &M, options: EncodeOptions) -> Result<Encoded, OqsError> {
    message.encode(options)
}

/// Reads a message of type `M` from XML bytes.
pub fn decode<M: Message>(bytes: &[u8]) -> Result<M, OqsError> {
    M::decode(bytes)
}

/// Reads an `OQSsiquc01req` 資格確認 request.
pub fn decode_confirm_request(bytes: &[u8]) -> Result<ConfirmRequest, OqsError> {
    ConfirmRequest::decode(bytes)
}

/// Reads an `OQSsiquc01res` result or a face file.
pub fn decode_confirm_response(bytes: &[u8]) -> Result<ConfirmResponse, OqsError> {
    ConfirmResponse::decode(bytes)
}

/// Reads a `YZKsiquc01req` / `TKKsiquc01req` 薬剤情報 / 特定健診情報 request.
pub fn decode_medical_info_request(bytes: &[u8]) -> Result<MedicalInfoRequest, OqsError> {
    MedicalInfoRequest::decode(bytes)
}

/// Reads a `YZKsiquc01res` / `TKKsiquc01res` XML result.
pub fn decode_medical_info_response(bytes: &[u8]) -> Result<MedicalInfoResponse, OqsError> {
    MedicalInfoResponse::decode(bytes)
}

/// Reads an `OQSsiimm01req` 照会番号登録 request.
pub fn decode_registration_request(
    bytes: &[u8],
) -> Result<ReferenceNumberRegistrationRequest, OqsError> {
    ReferenceNumberRegistrationRequest::decode(bytes)
}

/// Reads an `OQSsiimm01res` 照会番号登録 result.
pub fn decode_registration_response(
    bytes: &[u8],
) -> Result<ReferenceNumberRegistrationResponse, OqsError> {
    ReferenceNumberRegistrationResponse::decode(bytes)
}

/// Reads an `OQSmuquc01req` bulk upload request.
pub fn decode_bulk_upload_request(bytes: &[u8]) -> Result<BulkConfirmUploadRequest, OqsError> {
    BulkConfirmUploadRequest::decode(bytes)
}

/// Reads an `OQSmuquc01res` bulk upload result.
pub fn decode_bulk_upload_response(bytes: &[u8]) -> Result<BulkUploadResponse, OqsError> {
    BulkUploadResponse::decode(bytes)
}

/// Reads an `OQSmuquc02req` bulk download request.
pub fn decode_bulk_download_request(bytes: &[u8]) -> Result<BulkDownloadRequest, OqsError> {
    BulkDownloadRequest::decode(bytes)
}

/// Reads an `OQSmuquc02res` bulk download result.
pub fn decode_bulk_download_response(bytes: &[u8]) -> Result<BulkDownloadResponse, OqsError> {
    BulkDownloadResponse::decode(bytes)
}

/// Implements [`Message`] for a type with crate-private `to_tree` / `from_tree`.
macro_rules! impl_message {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::oqs::Message for $ty {
            fn encode(
                &self,
                options: $crate::oqs::EncodeOptions,
            ) -> Result<$crate::oqs::Encoded, $crate::oqs::OqsError> {
                $crate::oqs::xml_write::write_document(self.to_tree(), options)
            }
            fn decode(bytes: &[u8]) -> Result<Self, $crate::oqs::OqsError> {
                let root = $crate::oqs::xml_read::read_document(bytes)?;
                $crate::oqs::tree::decode_root(&root, Self::from_tree)
            }
            fn to_element(&self) -> $crate::oqs::Element {
                $crate::oqs::Element::from_out(self.to_tree()).unwrap_or(
                    $crate::oqs::Element::Container {
                        name: "XmlMsg",
                        children: Vec::new(),
                    },
                )
            }
        }
    )+};
}
pub(crate) use impl_message;
