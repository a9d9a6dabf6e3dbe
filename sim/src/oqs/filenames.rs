//! File names of the req/res/face folder protocol (§1.2).
//!
//! Exchange files: `<PREFIX><req|res>_<suffix>.<ext>`, PREFIX one of the [`Exchange`] kinds
//! (`OQSsiquc01`, `OQSsiimm01`, `OQSmuquc01` …, `YZKsiquc01`, `TKKsiquc01`). The result keeps the
//! request's suffix. The suffix is any non-empty run of ASCII letters and digits: the spec's
//! example has 12 characters but a 13-character suffix worked in the field, so the length is
//! not enforced (UNCERTAIN).
//!
//! Face files: the official grammar is not public (UNCERTAIN). onshi writes and reads
//! `OQSsiquc01res_face_<医療機関コード 10 digits><channel 3 digits><counter 17 digits>_<YYYYMMDDHHMMSS>.xml`,
//! modelled on OD2's imitation of real files; every client glob seen (`OQSsiquc01res_*.xml`,
//! `OQSsiquc01res_face_*_<14 digits>.xml`) matches it.

use std::fmt;
use std::str::FromStr;

use crate::clock::Moment;
use crate::ids::InstitutionCode;

use super::OqsError;
use super::exchange::Exchange;
use super::text::parse_compact_moment;

/// Request or result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `req`: written by the clinic system into the req folder.
    Request,
    /// `res`: written by the terminal into the res folder.
    Response,
}

/// File extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extension {
    /// `.xml`.
    Xml,
    /// `.pdf`: YZK/TKK results only.
    Pdf,
    /// `.zip`: bulk download results only (OD2 accepts it; UNCERTAIN).
    Zip,
    /// `.err`: companion of a rejected request put back into res (CS; UNCERTAIN).
    Err,
}

impl Extension {
    fn as_str(self) -> &'static str {
        match self {
            Extension::Xml => "xml",
            Extension::Pdf => "pdf",
            Extension::Zip => "zip",
            Extension::Err => "err",
        }
    }
}

/// A req/res file name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExchangeFileName {
    /// The exchange.
    pub exchange: Exchange,
    /// req or res.
    pub direction: Direction,
    /// The suffix after `_` (ASCII letters and digits, non-empty), kept from request to result.
    pub suffix: String,
    /// The extension.
    pub extension: Extension,
}

impl ExchangeFileName {
    /// The `.xml` result name for this request (same suffix).
    pub fn response(&self) -> ExchangeFileName {
        ExchangeFileName {
            direction: Direction::Response,
            extension: Extension::Xml,
            ..self.clone()
        }
    }
}

impl fmt::Display for ExchangeFileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = match self.direction {
            Direction::Request => "req",
            Direction::Response => "res",
        };
        write!(
            f,
            "{}{}_{}.{}",
            self.exchange.prefix(),
            dir,
            self.suffix,
            self.extension.as_str()
        )
    }
}

/// A face-folder file name in onshi's grammar (see the module doc; UNCERTAIN officially).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FaceFileName {
    /// The institution whose terminal wrote it.
    pub institution: InstitutionCode,
    /// 3-digit channel code (OD2: 400 医療扶助, 600 訪問, 800 オンライン); written modulo 1000.
    pub channel: u16,
    /// 17-digit counter; written modulo 10^17.
    pub counter: u64,
    /// When the file was written (the 14-digit tail).
    pub written_at: Moment,
}

const FACE_PREFIX: &str = "OQSsiquc01res_face_";
const COUNTER_MOD: u64 = 100_000_000_000_000_000;

impl fmt::Display for FaceFileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{FACE_PREFIX}{}{:03}{:017}_{}.xml",
            self.institution.digits(),
            self.channel % 1000,
            self.counter % COUNTER_MOD,
            self.written_at.compact()
        )
    }
}

/// Any file name of the folder protocol.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileName {
    /// A req/res exchange file.
    Exchange(ExchangeFileName),
    /// A face-folder result.
    Face(FaceFileName),
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileName::Exchange(e) => e.fmt(f),
            FileName::Face(x) => x.fmt(f),
        }
    }
}

fn bad(name: &str, part: &'static str, expected: &'static str, found: &str) -> OqsError {
    OqsError::FileName {
        name: name.to_string(),
        part,
        expected,
        found: found.to_string(),
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

impl FileName {
    /// Parses a file name (no directory part); errors say which part is wrong.
    pub fn parse(name: &str) -> Result<Self, OqsError> {
        if let Some(rest) = name.strip_prefix(FACE_PREFIX) {
            return parse_face(name, rest).map(FileName::Face);
        }
        parse_exchange(name).map(FileName::Exchange)
    }
}

impl FromStr for FileName {
    type Err = OqsError;
    fn from_str(s: &str) -> Result<Self, OqsError> {
        FileName::parse(s)
    }
}

fn parse_exchange(name: &str) -> Result<ExchangeFileName, OqsError> {
    let (exchange, rest) = Exchange::ALL
        .iter()
        .find_map(|e| name.strip_prefix(e.prefix()).map(|rest| (*e, rest)))
        .ok_or_else(|| {
            let shown: String = name.chars().take(10).collect();
            bad(
                name,
                "prefix",
                "OQSsiquc01, OQSsiimm01, OQSmuquc01/02, OQSmuimm01/02, OQSmuhvq/onq/tic01/02, YZKsiquc01 or TKKsiquc01",
                &shown,
            )
        })?;
    let direction = match rest.get(..3) {
        Some("req") => Direction::Request,
        Some("res") => Direction::Response,
        _ => {
            let shown: String = rest.chars().take(3).collect();
            return Err(bad(name, "direction", "`req` or `res`", &shown));
        }
    };
    let rest = &rest[3..];
    let Some(rest) = rest.strip_prefix('_') else {
        let shown: String = rest.chars().take(1).collect();
        return Err(bad(name, "separator", "`_` after req/res", &shown));
    };
    let Some((suffix, ext)) = rest.rsplit_once('.') else {
        return Err(bad(name, "extension", "`.xml` (or .pdf/.zip/.err)", ""));
    };
    if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad(
            name,
            "suffix",
            "one or more ASCII letters or digits",
            suffix,
        ));
    }
    let extension = match ext {
        "xml" => Extension::Xml,
        "pdf"
            if direction == Direction::Response
                && matches!(exchange, Exchange::Medication | Exchange::Checkup) =>
        {
            Extension::Pdf
        }
        "zip" if direction == Direction::Response && exchange.is_bulk_download() => Extension::Zip,
        "err" if direction == Direction::Request => Extension::Err,
        _ => {
            return Err(bad(
                name,
                "extension",
                "`xml`; `pdf` for YZK/TKK results, `zip` for bulk download results, `err` beside a rejected request",
                ext,
            ));
        }
    };
    Ok(ExchangeFileName {
        exchange,
        direction,
        suffix: suffix.to_string(),
        extension,
    })
}

fn parse_face(name: &str, rest: &str) -> Result<FaceFileName, OqsError> {
    let Some(stem) = rest.strip_suffix(".xml") else {
        return Err(bad(
            name,
            "extension",
            "`.xml`",
            rest.rsplit_once('.').map_or("", |(_, e)| e),
        ));
    };
    let Some((id, stamp)) = stem.split_once('_') else {
        return Err(bad(name, "timestamp", "`_` then YYYYMMDDHHMMSS", ""));
    };
    if id.len() != 30 || !all_digits(id) {
        return Err(bad(
            name,
            "identifier",
            "30 digits: 医療機関コード (10) + channel (3) + counter (17)",
            id,
        ));
    }
    let institution = InstitutionCode::parse(&id[..10]).map_err(|_| {
        bad(
            name,
            "institution code",
            "a valid 10-digit 医療機関コード",
            &id[..10],
        )
    })?;
    let channel = id[10..13].parse().unwrap_or(0);
    let counter = id[13..].parse().unwrap_or(0);
    let written_at = parse_compact_moment(stamp)
        .ok_or_else(|| bad(name, "timestamp", "a real YYYYMMDDHHMMSS", stamp))?;
    Ok(FaceFileName {
        institution,
        channel,
        counter,
        written_at,
    })
}

/// The result file name for a request file name (`OQSsiquc01req_X.xml` → `OQSsiquc01res_X.xml`).
pub fn response_name_for(request: &str) -> Result<String, OqsError> {
    match FileName::parse(request)? {
        FileName::Exchange(e)
            if e.direction == Direction::Request && e.extension == Extension::Xml =>
        {
            Ok(e.response().to_string())
        }
        FileName::Exchange(e) => Err(bad(
            request,
            if e.direction == Direction::Request {
                "extension"
            } else {
                "direction"
            },
            "a `req` file ending in `.xml`",
            &e.to_string(),
        )),
        FileName::Face(_) => Err(bad(
            request,
            "prefix",
            "a request name (face files have none)",
            FACE_PREFIX,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_names_map_to_result_names_keeping_the_suffix() {
        assert_eq!(
            response_name_for("OQSsiquc01req_202501010001.xml").expect("test value"),
            "OQSsiquc01res_202501010001.xml"
        );
        assert_eq!(
            response_name_for("OQSsiimm01req_2021081611906.xml").expect("test value"),
            "OQSsiimm01res_2021081611906.xml"
        );
        assert_eq!(
            response_name_for("YZKsiquc01req_0125010112001234.xml").expect("test value"),
            "YZKsiquc01res_0125010112001234.xml"
        );
        for n in [
            "OQSmuquc02res_x1.zip",
            "TKKsiquc01res_A.pdf",
            "OQSsiquc01req_1.err",
            "OQSmuimm02req_9.xml",
        ] {
            assert_eq!(FileName::parse(n).expect("test value").to_string(), n);
        }
    }

    #[test]
    fn errors_name_the_wrong_part() {
        let part = |n: &str| match FileName::parse(n) {
            Err(OqsError::FileName { part, .. }) => part,
            other => panic!("{n}: {other:?}"),
        };
        assert_eq!(part("OQSxxquc01req_1.xml"), "prefix");
        assert_eq!(part("OQSsiquc01rex_1.xml"), "direction");
        assert_eq!(part("OQSsiquc01req-1.xml"), "separator");
        assert_eq!(part("OQSsiquc01req_.xml"), "suffix");
        assert_eq!(part("OQSsiquc01req_a-b.xml"), "suffix");
        assert_eq!(part("OQSsiquc01req_1.pdf"), "extension");
        assert_eq!(part("OQSsiquc01req_1"), "extension");
        assert_eq!(
            part("OQSsiquc01res_face_0110113719_20250101090000.xml"),
            "identifier"
        );
        assert_eq!(
            part("OQSsiquc01res_face_011011371800000000000000000001_20250101090000.xml"),
            "institution code"
        );
        assert_eq!(
            part("OQSsiquc01res_face_011011371900000000000000000001_20250132090000.xml"),
            "timestamp"
        );
        assert!(response_name_for("OQSsiquc01res_1.xml").is_err());
    }

    #[test]
    fn face_names_round_trip() {
        let n = "OQSsiquc01res_face_011011371980000000000000000042_20250101090503.xml";
        let FileName::Face(face) = FileName::parse(n).expect("test value") else {
            panic!("not a face name")
        };
        assert_eq!(face.channel, 800);
        assert_eq!(face.counter, 42);
        assert_eq!(face.written_at.compact(), "20250101090503");
        assert_eq!(face.to_string(), n);
    }
}
