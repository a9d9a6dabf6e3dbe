//! Reading the files: the kind of each from its name (`FileName::parse`: req/res exchange files
//! and face files) and its content, decoded in the encoding its XML declaration names (UTF-8
//! or Shift_JIS) by the decoders of `onshi_sim::oqs`, and each request paired with its result
//! by name (`response_name_for`: the same suffix). A file whose name says nothing (a plain
//! `*.xml`) is tried against every message kind; a file whose content is another kind than its
//! name says is refused as such. Every problem is a [`Diagnostic`] naming the file; nothing
//! panics on input.

use std::collections::BTreeMap;

use onshi_sim::oqs::{
    self, BulkConfirmUploadRequest, BulkDownloadRequest, BulkDownloadResponse, BulkUploadResponse,
    CharacterCode, ConfirmRequest, ConfirmResponse, Direction, Exchange, Extension, FileName,
    MedicalDataKind, MedicalInfoRequest, MedicalInfoResponse, MedicalInfoResult, OqsError,
    ReferenceClassification, ReferenceNumberRegistrationRequest,
    ReferenceNumberRegistrationResponse,
};

use super::MAX_FILE_BYTES;
use super::diag::{Diagnostic, Diagnostics, Severity};

/// A decoded message.
#[derive(Clone, Debug)]
pub(super) enum Doc {
    /// A face file: the answer to a card at the reader.
    Face(ConfirmResponse),
    /// `OQSsiquc01req`.
    ConfirmRequest(ConfirmRequest),
    /// `OQSsiquc01res`.
    ConfirmResponse(ConfirmResponse),
    /// `YZKsiquc01req` / `TKKsiquc01req`.
    MedicalRequest(MedicalDataKind, MedicalInfoRequest),
    /// `YZKsiquc01res` / `TKKsiquc01res`.
    MedicalResponse(MedicalDataKind, MedicalInfoResponse),
    /// `OQSsiimm01req`.
    RegistrationRequest(ReferenceNumberRegistrationRequest),
    /// `OQSsiimm01res`.
    RegistrationResponse(ReferenceNumberRegistrationResponse),
    /// `OQSmuquc01req`.
    BulkUploadRequest(BulkConfirmUploadRequest),
    /// `OQSmuquc01res`.
    BulkUploadResponse(BulkUploadResponse),
    /// `OQSmuquc02req`.
    BulkDownloadRequest(BulkDownloadRequest),
    /// `OQSmuquc02res`.
    BulkDownloadResponse(BulkDownloadResponse),
}

impl Doc {
    /// What the message is, in words (for diagnostics).
    pub(super) fn what(&self) -> &'static str {
        match self {
            Doc::Face(_) => "face file (資格確認結果, 照会区分 1)",
            Doc::ConfirmRequest(_) => "資格確認 request (OQSsiquc01req)",
            Doc::ConfirmResponse(_) => "資格確認 result (OQSsiquc01res)",
            Doc::MedicalRequest(MedicalDataKind::Medication, _) => {
                "薬剤情報 request (YZKsiquc01req)"
            }
            Doc::MedicalRequest(MedicalDataKind::Checkup, _) => {
                "特定健診情報 request (TKKsiquc01req)"
            }
            Doc::MedicalResponse(MedicalDataKind::Medication, _) => {
                "薬剤情報 result (YZKsiquc01res)"
            }
            Doc::MedicalResponse(MedicalDataKind::Checkup, _) => {
                "特定健診情報 result (TKKsiquc01res)"
            }
            Doc::RegistrationRequest(_) => "照会番号登録 request (OQSsiimm01req)",
            Doc::RegistrationResponse(_) => "照会番号登録 result (OQSsiimm01res)",
            Doc::BulkUploadRequest(_) => "一括照会 upload (OQSmuquc01req)",
            Doc::BulkUploadResponse(_) => "一括照会 upload result (OQSmuquc01res)",
            Doc::BulkDownloadRequest(_) => "一括照会 download request (OQSmuquc02req)",
            Doc::BulkDownloadResponse(_) => "一括照会 download result (OQSmuquc02res)",
        }
    }
}

/// One file read.
#[derive(Clone, Debug)]
pub(super) struct ReadFile {
    /// The name as given (a path relative to the folder given, or the path given).
    pub(super) name: String,
    /// The exchange and suffix its name gives (requests and results pair on it).
    pub(super) pair: Option<(Exchange, String)>,
    /// The message.
    pub(super) doc: Doc,
    /// The encoding it was written in.
    pub(super) encoding: CharacterCode,
}

/// The last component of a path given with `/` (or `\`).
pub(super) fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Reads every file; the ones that cannot be read get a diagnostic and are left out. Files
/// with the same base name and the same bytes are read once.
pub(super) fn read_all(files: &[(String, Vec<u8>)], diags: &mut Diagnostics) -> Vec<ReadFile> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<&str, (&str, &[u8])> = BTreeMap::new();
    for (name, bytes) in files {
        let base = base_name(name);
        if let Some((first, first_bytes)) = seen.get(base) {
            if *first_bytes != bytes.as_slice() {
                diags.push(Diagnostic {
                    severity: Severity::Refused,
                    files: vec![(*first).to_string(), name.clone()],
                    element: None,
                    line: None,
                    rule: "import::duplicate-name",
                    message: format!(
                        "two different files are named {base}; the second is left out (a request pairs with its result by name)"
                    ),
                });
            }
            continue;
        }
        seen.insert(base, (name, bytes));
        if let Some(f) = read_one(name, bytes, diags) {
            out.push(f);
        }
    }
    out
}

/// Reads one file, or says why not.
fn read_one(name: &str, bytes: &[u8], diags: &mut Diagnostics) -> Option<ReadFile> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        diags.push(Diagnostic::file(
            Severity::Refused,
            name,
            "import::too-large",
            format!(
                "{} bytes, more than the {MAX_FILE_BYTES} bytes an OQS file may have here; not read",
                bytes.len()
            ),
        ));
        return None;
    }
    let encoding = match oqs::sniff_encoding(bytes) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diagnostic::decode(name, "OQS file", &e));
            return None;
        }
    };
    let base = base_name(name);
    let parsed = FileName::parse(base);
    let named = match &parsed {
        Ok(FileName::Face(_)) => Some(Named::Face),
        Ok(FileName::Exchange(e)) => Some(Named::Exchange(e.exchange, e.direction, e.extension)),
        Err(_) => None,
    };
    let pair = match &parsed {
        Ok(FileName::Exchange(e)) => Some((e.exchange, e.suffix.clone())),
        _ => None,
    };
    let doc = match named {
        Some(n) => by_name(name, n, bytes, diags)?,
        None => match sniff(bytes) {
            Some(doc) => doc,
            None => {
                let why = match &parsed {
                    Err(e) => format!(" (its name is not an OQS file name: {e})"),
                    Ok(_) => String::new(),
                };
                diags.push(Diagnostic::file(
                    Severity::Refused,
                    name,
                    "import::unknown-kind",
                    format!(
                        "the content is none of the OQS messages onshi reads (資格確認, face file, YZK/TKK, 照会番号登録, 一括照会){why}"
                    ),
                ));
                return None;
            }
        },
    };
    Some(ReadFile {
        name: name.to_string(),
        pair,
        doc,
        encoding,
    })
}

/// What a file's name says it is.
#[derive(Clone, Copy, Debug)]
enum Named {
    Face,
    Exchange(Exchange, Direction, Extension),
}

/// Decodes a file as its name says; on failure, says whether it is another kind.
fn by_name(name: &str, named: Named, bytes: &[u8], diags: &mut Diagnostics) -> Option<Doc> {
    let (exchange, direction) = match named {
        Named::Face => {
            return decode_as(name, bytes, diags, "face file", |b| {
                oqs::decode_confirm_response(b).map(Doc::Face)
            });
        }
        Named::Exchange(_, _, Extension::Pdf | Extension::Zip | Extension::Err) => {
            diags.push(Diagnostic::file(
                Severity::Refused,
                name,
                "import::not-xml",
                "only the XML files of the folder protocol are read (a PDF or ZIP result, or an .err companion, says nothing onshi can restate)".into(),
            ));
            return None;
        }
        Named::Exchange(e, d, Extension::Xml) => (e, d),
    };
    let request = direction == Direction::Request;
    match exchange {
        Exchange::Confirm if request => decode_as(name, bytes, diags, "OQSsiquc01req", |b| {
            oqs::decode_confirm_request(b).map(Doc::ConfirmRequest)
        }),
        Exchange::Confirm => decode_as(name, bytes, diags, "OQSsiquc01res", |b| {
            oqs::decode_confirm_response(b).map(Doc::ConfirmResponse)
        }),
        Exchange::Medication | Exchange::Checkup => {
            let kind = if exchange == Exchange::Medication {
                MedicalDataKind::Medication
            } else {
                MedicalDataKind::Checkup
            };
            if request {
                decode_as(name, bytes, diags, exchange.prefix(), |b| {
                    oqs::decode_medical_info_request(b).map(|r| Doc::MedicalRequest(kind, r))
                })
            } else {
                decode_as(name, bytes, diags, exchange.prefix(), |b| {
                    oqs::decode_medical_info_response(b).map(|r| Doc::MedicalResponse(kind, r))
                })
            }
        }
        Exchange::ReferenceNumberRegistration if request => {
            decode_as(name, bytes, diags, "OQSsiimm01req", |b| {
                oqs::decode_registration_request(b).map(Doc::RegistrationRequest)
            })
        }
        Exchange::ReferenceNumberRegistration => {
            decode_as(name, bytes, diags, "OQSsiimm01res", |b| {
                oqs::decode_registration_response(b).map(Doc::RegistrationResponse)
            })
        }
        Exchange::BulkConfirmUpload if request => {
            decode_as(name, bytes, diags, "OQSmuquc01req", |b| {
                oqs::decode_bulk_upload_request(b).map(Doc::BulkUploadRequest)
            })
        }
        Exchange::BulkConfirmUpload => decode_as(name, bytes, diags, "OQSmuquc01res", |b| {
            oqs::decode_bulk_upload_response(b).map(Doc::BulkUploadResponse)
        }),
        Exchange::BulkConfirmDownload if request => {
            decode_as(name, bytes, diags, "OQSmuquc02req", |b| {
                oqs::decode_bulk_download_request(b).map(Doc::BulkDownloadRequest)
            })
        }
        Exchange::BulkConfirmDownload => decode_as(name, bytes, diags, "OQSmuquc02res", |b| {
            oqs::decode_bulk_download_response(b).map(Doc::BulkDownloadResponse)
        }),
        other => {
            diags.push(Diagnostic::file(
                Severity::Refused,
                name,
                "import::not-served",
                format!(
                    "{}: an exchange onshi does not serve (照会番号一括登録, 訪問/オンライン/医療扶助 bulk); the scenario language has no step for it",
                    other.prefix()
                ),
            ));
            None
        }
    }
}

/// Decodes with `decode`; when that fails, says so, and whether the content is another kind.
fn decode_as(
    name: &str,
    bytes: &[u8],
    diags: &mut Diagnostics,
    what: &str,
    decode: impl Fn(&[u8]) -> Result<Doc, OqsError>,
) -> Option<Doc> {
    match decode(bytes) {
        Ok(doc) => Some(doc),
        Err(e) => {
            let wrong_kind = matches!(
                e,
                OqsError::Missing { .. } | OqsError::Unexpected { .. } | OqsError::WrongRoot { .. }
            )
            .then(|| sniff(bytes))
            .flatten();
            match wrong_kind {
                Some(other) => diags.push(Diagnostic::file(
                    Severity::Refused,
                    name,
                    "import::wrong-kind",
                    format!(
                        "the name says {what}, but the content is a {}; rename the file or leave it out",
                        other.what()
                    ),
                )),
                None => diags.push(Diagnostic::decode(name, what, &e)),
            }
            None
        }
    }
}

/// The message a document is, tried against every kind (for files whose name says nothing).
/// A 薬剤/特定健診 request cannot be told apart by content and is not guessed.
fn sniff(bytes: &[u8]) -> Option<Doc> {
    if let Ok(r) = oqs::decode_confirm_response(bytes) {
        return Some(
            if r.header.reference_classification == ReferenceClassification::Card {
                Doc::Face(r)
            } else {
                Doc::ConfirmResponse(r)
            },
        );
    }
    if let Ok(r) = oqs::decode_confirm_request(bytes) {
        return Some(Doc::ConfirmRequest(r));
    }
    if let Ok(r) = oqs::decode_medical_info_response(bytes) {
        let kind = match r.result {
            Some(MedicalInfoResult::Checkup { .. }) => MedicalDataKind::Checkup,
            _ => MedicalDataKind::Medication,
        };
        // An error answer says nothing of its kind; without the name it stays unread.
        if r.result.is_some() {
            return Some(Doc::MedicalResponse(kind, r));
        }
    }
    if let Ok(r) = oqs::decode_registration_request(bytes) {
        return Some(Doc::RegistrationRequest(r));
    }
    if let Ok(r) = oqs::decode_registration_response(bytes) {
        return Some(Doc::RegistrationResponse(r));
    }
    if let Ok(r) = oqs::decode_bulk_upload_request(bytes) {
        return Some(Doc::BulkUploadRequest(r));
    }
    if let Ok(r) = oqs::decode_bulk_upload_response(bytes) {
        return Some(Doc::BulkUploadResponse(r));
    }
    if let Ok(r) = oqs::decode_bulk_download_request(bytes) {
        return Some(Doc::BulkDownloadRequest(r));
    }
    if let Ok(r) = oqs::decode_bulk_download_response(bytes) {
        return Some(Doc::BulkDownloadResponse(r));
    }
    None
}

/// The requests and results of the exchanges, paired by name: for each exchange and suffix,
/// the request's index and the result's index into `files`.
pub(super) fn pairs(
    files: &[ReadFile],
) -> BTreeMap<(String, String), (Option<usize>, Option<usize>)> {
    let mut out: BTreeMap<(String, String), (Option<usize>, Option<usize>)> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        let Some((exchange, suffix)) = &f.pair else {
            continue;
        };
        let slot = out
            .entry((exchange.prefix().to_string(), suffix.clone()))
            .or_default();
        if is_request(&f.doc) {
            slot.0 = Some(i);
        } else {
            slot.1 = Some(i);
        }
    }
    out
}

/// Whether a message is a request (written by the clinic).
pub(super) fn is_request(doc: &Doc) -> bool {
    matches!(
        doc,
        Doc::ConfirmRequest(_)
            | Doc::MedicalRequest(..)
            | Doc::RegistrationRequest(_)
            | Doc::BulkUploadRequest(_)
            | Doc::BulkDownloadRequest(_)
    )
}
