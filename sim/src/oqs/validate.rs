//! Strict validation of decoded requests: what the decoder tolerates (raw 保険者番号 text, empty
//! elements, any characters) checked against the layout rules, so the harness can answer with the
//! documented error shape and report what a system under test got wrong.
//!
//! Things the types already guarantee are not repeated here: real dates and code values, and a
//! 医療機関コード with a valid check digit (decoding fails otherwise; use
//! [`OqsError::result_code`](super::OqsError::result_code) for those).

use super::bulk::BulkConfirmUploadRequest;
use super::confirm::{ConfirmRequest, SearchInfo};
use super::medical::{MedicalInfoRequest, MedicalInfoRequestHeader};
use super::registration::{ReferenceNumberRegistrationInfo, ReferenceNumberRegistrationRequest};
use super::result_codes::{ResultCode, Severity};
use super::text::{InsuranceNumbersText, NumberElements};

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Element path, e.g. `XmlMsg/MessageBody/QualificationConfirmSearchInfo/InsuredBranchNumber`.
    pub path: String,
    /// Short stable rule id, e.g. `branch-two-digits`.
    pub rule: &'static str,
    /// The result code an answer carries for it.
    pub code: ResultCode,
    /// What is wrong, with the value found.
    pub message: String,
}

impl Violation {
    /// Whether the request should be refused (errors) or only flagged (warnings).
    pub fn is_error(&self) -> bool {
        self.code.severity() == Severity::Error
    }
}

struct Check {
    out: Vec<Violation>,
}

impl Check {
    fn push(&mut self, path: String, rule: &'static str, code: ResultCode, message: String) {
        self.out.push(Violation {
            path,
            rule,
            code,
            message,
        });
    }

    /// Present-but-empty optional text: tolerated by terminals, flagged as a warning.
    fn not_empty_optional(&mut self, base: &str, name: &str, value: Option<&str>) {
        if value == Some("") {
            self.push(
                format!("{base}/{name}"),
                "absent-not-empty",
                ResultCode::EmptyElement,
                format!("<{name}> is empty; omit the element when there is no value"),
            );
        }
    }

    fn plain_text(&mut self, path: String, value: &str) {
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            self.push(
                path,
                "no-control-characters",
                ResultCode::InvalidValue,
                format!(
                    "control character U+{:04X} in `{}`",
                    u32::from(c),
                    value.escape_debug()
                ),
            );
        }
    }

    fn required_text(&mut self, path: String, value: &str) {
        if value.trim().is_empty() {
            self.push(
                path,
                "required-not-blank",
                ResultCode::InvalidValue,
                format!("required value is blank: `{value}`"),
            );
        } else {
            self.plain_text(path, value);
        }
    }

    fn insurer(&mut self, path: String, raw: &str) {
        let columns = raw.chars().count();
        if columns != 8 {
            self.push(
                path.clone(),
                "insurer-number-8-columns",
                ResultCode::InvalidInsurerNumber,
                format!(
                    "保険者番号 must be 8 columns (6-digit 国保 numbers padded with two spaces or `00`), found {columns}: `{raw}`"
                ),
            );
        }
        if let Err(e) = crate::ids::InsurerNumber::parse(raw) {
            self.push(
                path,
                "insurer-number",
                ResultCode::InvalidInsurerNumber,
                e.to_string(),
            );
        }
    }

    fn branch(&mut self, path: String, branch: Option<&str>) {
        if let Some(b) = branch.filter(|b| !b.is_empty())
            && (b.len() != 2 || !b.bytes().all(|c| c.is_ascii_digit()))
        {
            self.push(
                path,
                "branch-two-digits",
                ResultCode::InvalidValue,
                format!("枝番 must be 2 digits (`01`), found `{b}`"),
            );
        }
    }

    /// The insurance numbers under `base`, named as the message names them; with
    /// `symbol_text`, a 記号 must also be free of control characters.
    fn numbers(
        &mut self,
        base: &str,
        names: NumberElements,
        n: &InsuranceNumbersText,
        symbol_text: bool,
    ) {
        self.insurer(format!("{base}/{}", names.insurer), n.insurer.raw());
        self.not_empty_optional(base, names.symbol, n.symbol.as_deref());
        if symbol_text && let Some(sym) = &n.symbol {
            self.plain_text(format!("{base}/{}", names.symbol), sym);
        }
        self.required_text(format!("{base}/{}", names.number), &n.number);
        self.not_empty_optional(base, names.branch, n.branch.as_deref());
        self.branch(format!("{base}/{}", names.branch), n.branch.as_deref());
    }

    fn search_info(
        &mut self,
        base: &str,
        s: &SearchInfo,
        confirmation_date: Option<crate::clock::Date>,
    ) {
        self.numbers(base, SearchInfo::NUMBERS, &s.numbers, true);
        self.not_empty_optional(
            base,
            "ArbitraryIdentifier",
            s.arbitrary_identifier.as_deref(),
        );
        if let Some(date) = confirmation_date
            && s.birthdate > date
        {
            self.push(
                format!("{base}/Birthdate"),
                "birthdate-not-after-confirmation-date",
                ResultCode::InvalidDate,
                format!(
                    "birthdate {} is after the confirmation date {}",
                    crate::clock::compact_date(s.birthdate),
                    crate::clock::compact_date(date)
                ),
            );
        }
    }
}

const SEARCH_INFO: &str = "XmlMsg/MessageBody/QualificationConfirmSearchInfo";

/// Checks an `OQSsiquc01req` against the layout rules of §2.1.
pub fn validate_confirm_request(request: &ConfirmRequest) -> Vec<Violation> {
    let mut c = Check { out: Vec::new() };
    c.not_empty_optional(
        "XmlMsg/MessageHeader",
        "ArbitraryFileIdentifier",
        request.header.arbitrary_file_identifier.as_deref(),
    );
    c.search_info(
        SEARCH_INFO,
        &request.search_info,
        Some(request.header.qualification_confirmation_date),
    );
    c.out
}

/// Checks an `OQSmuquc01req`: at least one search info, each valid (paths indexed from 1).
pub fn validate_bulk_upload_request(request: &BulkConfirmUploadRequest) -> Vec<Violation> {
    let mut c = Check { out: Vec::new() };
    c.not_empty_optional(
        "XmlMsg/MessageHeader",
        "ArbitraryFileIdentifier",
        request.header.arbitrary_file_identifier.as_deref(),
    );
    if request.search_infos.is_empty() {
        c.push(
            SEARCH_INFO.to_string(),
            "bulk-not-empty",
            ResultCode::RequestStructure,
            "a bulk upload needs at least one QualificationConfirmSearchInfo".into(),
        );
    }
    let many = request.search_infos.len() > 1;
    for (i, s) in request.search_infos.iter().enumerate() {
        let base = if many {
            format!("{SEARCH_INFO}[{}]", i + 1)
        } else {
            SEARCH_INFO.to_string()
        };
        c.search_info(&base, s, request.header.qualification_confirmation_date);
    }
    c.out
}

/// Checks an `OQSsiimm01req` (照会番号 ≤ 50 characters per RA — UNCERTAIN).
pub fn validate_registration_request(
    request: &ReferenceNumberRegistrationRequest,
) -> Vec<Violation> {
    const BASE: &str = "XmlMsg/MessageBody/ReferenceNumberRegistrationInfo";
    let mut c = Check { out: Vec::new() };
    let info = &request.info;
    c.not_empty_optional(
        "XmlMsg/MessageHeader",
        "ArbitraryFileIdentifier",
        request.header.arbitrary_file_identifier.as_deref(),
    );
    c.required_text(format!("{BASE}/ReferenceNumber"), &info.reference_number);
    let len = info.reference_number.chars().count();
    if len > 50 {
        c.push(
            format!("{BASE}/ReferenceNumber"),
            "reference-number-max-50",
            ResultCode::InvalidValue,
            format!("照会番号 has {len} characters; at most 50"),
        );
    }
    c.numbers(
        BASE,
        ReferenceNumberRegistrationInfo::NUMBERS,
        &info.numbers,
        false,
    );
    c.out
}

/// Checks a `YZKsiquc01req` / `TKKsiquc01req` (§2.5): the insurance numbers as in §2.1 and a
/// period that does not end before it starts.
pub fn validate_medical_info_request(request: &MedicalInfoRequest) -> Vec<Violation> {
    const HEADER: &str = "XmlMsg/MessageHeader";
    let mut c = Check { out: Vec::new() };
    let h = &request.header;
    c.not_empty_optional(
        HEADER,
        "ArbitraryFileIdentifier",
        h.arbitrary_file_identifier.as_deref(),
    );
    c.numbers(HEADER, MedicalInfoRequestHeader::NUMBERS, &h.numbers, true);
    if let (Some(from), Some(to)) = (request.body.start_date, request.body.end_date)
        && to < from
    {
        c.push(
            "XmlMsg/MessageBody/EndDate".into(),
            "period-not-reversed",
            ResultCode::InvalidDate,
            format!(
                "EndDate {} is before StartDate {}",
                crate::clock::compact_date(to),
                crate::clock::compact_date(from)
            ),
        );
    }
    c.out
}
