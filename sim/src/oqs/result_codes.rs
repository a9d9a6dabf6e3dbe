//! onshi's own processing / error codes (ErrorCode, ProcessingResultCode).
//!
//! The official values (別紙6-1 処理結果コード) are not public (§3, §6), so onshi uses codes of
//! its own, shaped so that nobody can mistake them for official ones: `ONS-` + severity letter
//! (`E` error, `W` warning / 付帯情報, `I` information) + four digits. The table is data: one
//! row per code with severity, level, Japanese and English message and what it means.
//!
//! Level says where the code goes: [`Level::Request`] codes answer a request as a whole (header
//! `ErrorCode`/`ErrorMessage` with SegmentOfResult `9`, or `2` for in-progress); [`Level::Person`]
//! codes go into the body's `ProcessingResultCode`/`ProcessingResultMessage` (status `2` for
//! errors, status `1` with a warning for supplementary information such as an expiry notice).

use std::fmt;

/// How serious a code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The request or the person's confirmation failed.
    Error,
    /// The confirmation succeeded with supplementary information (付帯情報).
    Warning,
    /// Information only (e.g. still processing).
    Info,
}

/// Where a code is reported in an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Header ErrorCode / ErrorMessage (SegmentOfResult ≠ 1).
    Request,
    /// Body ProcessingResultCode / ProcessingResultMessage.
    Person,
}

/// One row of the code table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResultCodeEntry {
    /// Which code.
    pub id: ResultCode,
    /// The code text, e.g. `ONS-E0001`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Where it is reported.
    pub level: Level,
    /// The message written into the answer (ErrorMessage / ProcessingResultMessage).
    pub message_ja: &'static str,
    /// The same message in English, for reports.
    pub message_en: &'static str,
    /// When the code is used.
    pub meaning: &'static str,
}

/// onshi's processing and error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResultCode {
    /// ONS-E0001: the request is not well-formed XML.
    RequestMalformed,
    /// ONS-E0002: the request's bytes do not match its declared encoding, or the encoding is not supported.
    RequestEncoding,
    /// ONS-E0003: wrong root, a required element missing, an unknown or repeated element.
    RequestStructure,
    /// ONS-E0004: a date or timestamp is not a real `YYYYMMDD` / `YYYYMMDDHHMMSS`.
    InvalidDate,
    /// ONS-E0005: 保険者番号 has the wrong form or check digit.
    InvalidInsurerNumber,
    /// ONS-E0006: 医療機関コード has the wrong form or check digit.
    InvalidInstitutionCode,
    /// ONS-E0007: a value outside its OQSCD code table.
    InvalidCode,
    /// ONS-E0008: another value of the wrong form (branch not 2 digits, empty required value …).
    InvalidValue,
    /// ONS-E0009: the institution is not registered for online eligibility confirmation.
    UnknownInstitution,
    /// ONS-E0010: the request file name does not follow the folder protocol.
    InvalidFileName,
    /// ONS-E0011: bulk download for an unknown 受付番号.
    UnknownReceptionNumber,
    /// ONS-E0012: login or token refused (HTTP API: unknown credentials, missing or unknown token).
    AuthenticationFailed,
    /// ONS-E0013: the request is larger than the accepted limit.
    RequestTooLarge,
    /// ONS-E0014: the HTTP request is not `application/json` in UTF-8.
    UnsupportedContentType,
    /// ONS-E0015: the request never arrived completely (a file still changing or unreadable,
    /// an HTTP body not received) when the wait ran out.
    RequestIncomplete,
    /// ONS-E0016: the request names another institution than the terminal or login it came through.
    InstitutionMismatch,
    /// ONS-E0017: an exchange or option onshi does not serve (e.g. `OQSmuimm01`, a PDF result).
    UnsupportedExchange,
    /// ONS-E0018: no such HTTP endpoint or method.
    UnknownEndpoint,
    /// ONS-E0019: an entry in req named like a request is not a regular file (a symbolic link,
    /// a folder, a named pipe …); onshi neither follows nor reads it.
    NotRegularFile,
    /// ONS-E0101: no qualification matches (資格有効性 4).
    NoQualification,
    /// ONS-E0102: the card or its auth certificate is revoked.
    CertificateRevoked,
    /// ONS-E0103: the certificate serial is not registered for insurance use.
    SerialNotRegistered,
    /// ONS-E0104: the auth certificate expired and the grace period is over.
    CertificateExpired,
    /// ONS-E0105: no viewing consent for this information at this institution (REG-7, REG-8).
    DataNoConsent,
    /// ONS-E0106: the viewing consent has expired.
    DataConsentExpired,
    /// ONS-E0107: the person is outside the information's target (特定健診: under the minimum age).
    DataNotApplicable,
    /// ONS-E0201: planned maintenance (PRT-4).
    Maintenance,
    /// ONS-E0202: unplanned outage / emergency stop (PRT-4).
    Outage,
    /// ONS-E0203: too many requests; throttled (PRT-4).
    Throttled,
    /// ONS-E0900: onshi could not build the answer.
    InternalError,
    /// ONS-W0301: the auth certificate expires within 3 months (付帯情報, status 1).
    CertificateExpiresSoon,
    /// ONS-W0302: the auth certificate expired but is in its grace period: 資格情報のみ.
    CertificateInGracePeriod,
    /// ONS-W0303: a request element is present but empty (tolerated, flagged).
    EmptyElement,
    /// ONS-W0304: the request file was seen incomplete in req (written in place rather than
    /// written under a temporary name and renamed); answered once complete.
    WrittenInPlace,
    /// ONS-I0401: bulk processing has not finished (SegmentOfResult 2).
    BulkInProgress,
}

/// onshi's code table, one row per [`ResultCode`].
#[rustfmt::skip]
pub const RESULT_CODES: &[ResultCodeEntry] = &[
    row(ResultCode::RequestMalformed, "ONS-E0001", Severity::Error, Level::Request,
        "要求ファイルのXML形式に誤りがあります。",
        "The request is not well-formed XML.",
        "XML syntax error, bad declaration, text outside the root, unknown entity."),
    row(ResultCode::RequestEncoding, "ONS-E0002", Severity::Error, Level::Request,
        "要求ファイルの文字コードが宣言と一致しません。",
        "The request's bytes do not match the declared character encoding.",
        "Encoding other than UTF-8/Shift_JIS, or bytes invalid in the declared encoding."),
    row(ResultCode::RequestStructure, "ONS-E0003", Severity::Error, Level::Request,
        "要求ファイルの項目構成に誤りがあります。",
        "The request has a missing, unknown or repeated element.",
        "Root not XmlMsg, required element missing, element unknown at its place or repeated."),
    row(ResultCode::InvalidDate, "ONS-E0004", Severity::Error, Level::Request,
        "日付の形式に誤りがあります。",
        "A date is not a real YYYYMMDD date.",
        "QualificationConfirmationDate or Birthdate not a real date, or birthdate after the confirmation date."),
    row(ResultCode::InvalidInsurerNumber, "ONS-E0005", Severity::Error, Level::Request,
        "保険者番号に誤りがあります。",
        "The insurer number is invalid.",
        "Not 8 columns (6-digit 国保 padded with spaces or zeros), not digits, or wrong check digit."),
    row(ResultCode::InvalidInstitutionCode, "ONS-E0006", Severity::Error, Level::Request,
        "医療機関コードに誤りがあります。",
        "The institution code is invalid.",
        "Not 10 digits, bad 都道府県/点数表, or wrong check digit."),
    row(ResultCode::InvalidCode, "ONS-E0007", Severity::Error, Level::Request,
        "区分値に誤りがあります。",
        "A code value is not in its code table.",
        "E.g. LimitApplicationCertificateRelatedConsFlg other than 0/1."),
    row(ResultCode::InvalidValue, "ONS-E0008", Severity::Error, Level::Request,
        "項目の値に誤りがあります。",
        "A value has the wrong form.",
        "Branch number not 2 digits, empty required value, control characters."),
    row(ResultCode::UnknownInstitution, "ONS-E0009", Severity::Error, Level::Request,
        "医療機関等が登録されていません。",
        "The institution is not registered for online eligibility confirmation.",
        "Valid code, but no such institution in the scenario."),
    row(ResultCode::InvalidFileName, "ONS-E0010", Severity::Error, Level::Request,
        "要求ファイル名に誤りがあります。",
        "The request file name does not follow the folder protocol.",
        "Name outside §1.2 (prefix, req/res, suffix, extension)."),
    row(ResultCode::UnknownReceptionNumber, "ONS-E0011", Severity::Error, Level::Request,
        "受付番号に該当する一括照会がありません。",
        "No bulk request has this reception number.",
        "OQSmuquc02req with a ReceptionNumber never issued to this institution."),
    row(ResultCode::AuthenticationFailed, "ONS-E0012", Severity::Error, Level::Request,
        "認証に失敗しました。",
        "Authentication failed.",
        "HTTP API: login naming no known institution or with a wrong password; search without a token, with `Bearer`, or with an unknown token."),
    row(ResultCode::RequestTooLarge, "ONS-E0013", Severity::Error, Level::Request,
        "要求の大きさが上限を超えています。",
        "The request is larger than the accepted limit.",
        "HTTP body or request file over the configured limit."),
    row(ResultCode::UnsupportedContentType, "ONS-E0014", Severity::Error, Level::Request,
        "要求の形式（Content-Type）に誤りがあります。",
        "The request's content type is not JSON in UTF-8.",
        "HTTP API: Content-Type missing, not application/json, or a charset other than UTF-8."),
    row(ResultCode::RequestIncomplete, "ONS-E0015", Severity::Error, Level::Request,
        "要求の受信が完了しませんでした。",
        "The request never arrived completely.",
        "Folder: the file kept changing, stayed empty or unreadable until the wait ran out; HTTP: the body did not arrive in time."),
    row(ResultCode::InstitutionMismatch, "ONS-E0016", Severity::Error, Level::Request,
        "要求の医療機関コードが端末または認証の医療機関と一致しません。",
        "The request names another institution than its terminal or login.",
        "MedicalInstitutionCode differs from the terminal's institution (folder) or the token's (HTTP)."),
    row(ResultCode::UnsupportedExchange, "ONS-E0017", Severity::Error, Level::Request,
        "この要求には対応していません。",
        "onshi does not serve this kind of request.",
        "Bulk registration, 訪問/オンライン/医療扶助 bulk, PDF results of YZK/TKK."),
    row(ResultCode::UnknownEndpoint, "ONS-E0018", Severity::Error, Level::Request,
        "要求先に誤りがあります。",
        "No such endpoint or method.",
        "HTTP API: a path or method other than the login and search endpoints."),
    row(ResultCode::NotRegularFile, "ONS-E0019", Severity::Error, Level::Request,
        "要求ファイルが通常のファイルではありません。",
        "The request is not a regular file.",
        "Folder: an entry in req named like a request is a symbolic link, a folder, a named pipe or another special file; onshi neither follows nor reads it, and moves it to rejected/."),
    row(ResultCode::NoQualification, "ONS-E0101", Severity::Error, Level::Person,
        "該当する資格情報がありません。",
        "No qualification matches.",
        "資格有効性 4 該当資格なし."),
    row(ResultCode::CertificateRevoked, "ONS-E0102", Severity::Error, Level::Person,
        "マイナンバーカードの電子証明書が失効しています。",
        "The card's auth certificate has been revoked.",
        "Revoked serial (reissue, loss, death)."),
    row(ResultCode::SerialNotRegistered, "ONS-E0103", Severity::Error, Level::Person,
        "マイナンバーカードが健康保険証として利用登録されていません。",
        "The card is not registered for insurance use.",
        "Serial unknown to the registry and no linked old serial (REG-2)."),
    row(ResultCode::CertificateExpired, "ONS-E0104", Severity::Error, Level::Person,
        "マイナンバーカードの電子証明書の有効期限が切れています。",
        "The card's auth certificate has expired.",
        "Expired beyond the grace period (RDR-5)."),
    row(ResultCode::DataNoConsent, "ONS-E0105", Severity::Error, Level::Person,
        "閲覧の同意がありません。",
        "There is no viewing consent for this information at this institution.",
        "YZK/TKK request without a consent given at this institution (REG-7, REG-8)."),
    row(ResultCode::DataConsentExpired, "ONS-E0106", Severity::Error, Level::Person,
        "閲覧同意の有効期限が切れています。",
        "The viewing consent has expired.",
        "YZK/TKK request after the consent's 閲覧有効期限 (24 hours for outpatients)."),
    row(ResultCode::DataNotApplicable, "ONS-E0107", Severity::Error, Level::Person,
        "対象者ではないため情報を提供できません。",
        "The person is not in the target group of this information.",
        "特定健診 information for a person under the minimum age (switch checkup_screen_min_age)."),
    row(ResultCode::Maintenance, "ONS-E0201", Severity::Error, Level::Request,
        "システムメンテナンス中のため処理できません。",
        "The service is under planned maintenance.",
        "Scheduled maintenance window (PRT-4)."),
    row(ResultCode::Outage, "ONS-E0202", Severity::Error, Level::Request,
        "システムが停止しているため処理できません。",
        "The service is unavailable.",
        "Unplanned outage / emergency stop (PRT-4)."),
    row(ResultCode::Throttled, "ONS-E0203", Severity::Error, Level::Request,
        "アクセスが集中しているため処理できません。しばらくしてから再度実行してください。",
        "Too many requests; retry later.",
        "Throttling under load (PRT-4)."),
    row(ResultCode::InternalError, "ONS-E0900", Severity::Error, Level::Request,
        "処理中にエラーが発生しました。",
        "onshi could not build the answer.",
        "A bug in onshi or a scenario error; never a fault of the system under test."),
    row(ResultCode::CertificateExpiresSoon, "ONS-W0301", Severity::Warning, Level::Person,
        "マイナンバーカードの電子証明書の有効期限が近づいています。更新手続きをしてください。",
        "The card's auth certificate expires within 3 months; renew it.",
        "付帯情報 with status 1, from 3 months before expiry (RDR-5)."),
    row(ResultCode::CertificateInGracePeriod, "ONS-W0302", Severity::Warning, Level::Person,
        "マイナンバーカードの電子証明書の有効期限が切れています。資格情報のみ提供します。",
        "The auth certificate has expired; within the grace period only qualification data is provided.",
        "Grace period after expiry: 資格情報のみ, no consent data (RDR-5)."),
    row(ResultCode::EmptyElement, "ONS-W0303", Severity::Warning, Level::Request,
        "値のない項目が含まれています。",
        "An element is present but empty.",
        "`<X></X>` where the value should be absent (omit the element)."),
    row(ResultCode::WrittenInPlace, "ONS-W0304", Severity::Warning, Level::Request,
        "要求ファイルが書き込み途中の状態で検出されました。一時ファイル名で書き込み後、名前を変更してください。",
        "The request file was seen half-written in req; write it under a temporary name, then rename it.",
        "A reader may take half a file (oqs-wire.md §1: write then rename). onshi waited and answered the complete file."),
    row(ResultCode::BulkInProgress, "ONS-I0401", Severity::Info, Level::Request,
        "一括照会を処理中です。",
        "The bulk request is still being processed.",
        "OQSmuquc02req before processing ended (SegmentOfResult 2)."),
];

#[allow(clippy::too_many_arguments)]
const fn row(
    id: ResultCode,
    code: &'static str,
    severity: Severity,
    level: Level,
    message_ja: &'static str,
    message_en: &'static str,
    meaning: &'static str,
) -> ResultCodeEntry {
    ResultCodeEntry {
        id,
        code,
        severity,
        level,
        message_ja,
        message_en,
        meaning,
    }
}

const FALLBACK: ResultCodeEntry = row(
    ResultCode::InternalError,
    "ONS-E0900",
    Severity::Error,
    Level::Request,
    "処理中にエラーが発生しました。",
    "onshi could not build the answer.",
    "",
);

impl ResultCode {
    /// The table row of this code.
    pub fn entry(self) -> &'static ResultCodeEntry {
        RESULT_CODES
            .iter()
            .find(|e| e.id == self)
            .unwrap_or(&FALLBACK)
    }

    /// The code text, e.g. `ONS-E0001`.
    pub fn code(self) -> &'static str {
        self.entry().code
    }

    /// The Japanese message written into answers.
    pub fn message_ja(self) -> &'static str {
        self.entry().message_ja
    }

    /// Severity of the code.
    pub fn severity(self) -> Severity {
        self.entry().severity
    }

    /// Where the code is reported.
    pub fn level(self) -> Level {
        self.entry().level
    }

    /// Looks a code text up.
    pub fn from_code(code: &str) -> Option<Self> {
        RESULT_CODES.iter().find(|e| e.code == code).map(|e| e.id)
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_well_formed_row() {
        for (i, e) in RESULT_CODES.iter().enumerate() {
            assert_eq!(e.id.entry(), e, "row {i}");
            let letter = match e.severity {
                Severity::Error => 'E',
                Severity::Warning => 'W',
                Severity::Info => 'I',
            };
            let tail = e.code.strip_prefix("ONS-").unwrap_or("");
            assert!(tail.starts_with(letter), "{}", e.code);
            assert_eq!(tail.len(), 5, "{}", e.code);
            assert!(tail[1..].bytes().all(|b| b.is_ascii_digit()), "{}", e.code);
            assert_eq!(ResultCode::from_code(e.code), Some(e.id));
            assert!(RESULT_CODES.iter().filter(|o| o.code == e.code).count() == 1);
        }
        assert_eq!(RESULT_CODES.len(), 35);
    }
}
