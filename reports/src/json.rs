//! `run.json`: the record itself, pretty-printed. It is the one report every other report
//! can be rebuilt from (`onshi report`), so [`parse`] checks the layout version first and
//! says which one it found.

use serde::Deserialize;

use crate::error::ReportError;
use crate::record::{RECORD_FORMAT, RunRecord};

/// The record as pretty JSON with a trailing newline. Field and element order come from
/// the record, so equal records give identical bytes.
pub fn render(record: &RunRecord) -> String {
    // Serialising into a String only fails for maps with non-string keys or for failing
    // custom `Serialize` impls; a RunRecord has neither.
    let mut out = serde_json::to_string_pretty(record)
        .expect("a RunRecord holds only strings, integers, options and sequences");
    out.push('\n');
    out
}

/// Only the version field, read before the rest so that a record of another layout gets a
/// version error rather than a confusing "missing field" one.
#[derive(Deserialize)]
#[serde(expecting = "a run record (a JSON object with a \"format\" field)")]
struct FormatProbe {
    format: Option<u32>,
    /// Only records other than a run record have one (`explore`).
    kind: Option<serde_json::Value>,
}

/// Reads a record written by [`render`]. Fails with the line and column of malformed
/// JSON, or with the found and supported version when `format` is not [`RECORD_FORMAT`].
pub fn parse(text: &str) -> Result<RunRecord, ReportError> {
    let probe: FormatProbe = serde_json::from_str(text).map_err(json_error)?;
    if let Some(kind) = probe.kind {
        return Err(ReportError::NotARunRecord {
            kind: kind
                .as_str()
                .map_or_else(|| kind.to_string(), str::to_string),
        });
    }
    match probe.format {
        None => return Err(ReportError::MissingFormat),
        Some(found) if found != RECORD_FORMAT => {
            return Err(ReportError::UnsupportedFormat {
                found,
                supported: RECORD_FORMAT,
            });
        }
        Some(_) => {}
    }
    serde_json::from_str(text).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> ReportError {
    let (line, column, message) = position(&e);
    ReportError::Json {
        line,
        column,
        message,
    }
}

/// Line, column and message of a serde_json error (its Display appends " at line L column
/// C"; the reports carry them as fields).
pub(crate) fn position(e: &serde_json::Error) -> (usize, usize, String) {
    let mut message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    if let Some(stripped) = message.strip_suffix(&suffix) {
        message = stripped.to_string();
    }
    (e.line(), e.column(), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn render_then_parse_gives_the_same_record() {
        let record = fixture();
        let text = render(&record);
        assert!(text.ends_with("}\n"));
        assert_eq!(parse(&text).unwrap(), record);
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render(&fixture()), render(&fixture()));
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = parse("{\n  \"format\": 1,\n  \"tool\": oops\n}").unwrap_err();
        match err {
            ReportError::Json {
                line,
                column,
                ref message,
            } => {
                assert_eq!((line, column), (3, 11), "at the o of oops");
                assert!(!message.contains("at line"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("line 3, column 11"));
    }

    #[test]
    fn shape_errors_carry_line_and_column() {
        let mut text = render(&fixture());
        text = text.replacen("\"seed\": 42", "\"seed\": \"forty-two\"", 1);
        let err = parse(&text).unwrap_err();
        assert!(
            matches!(err, ReportError::Json { line: 4, .. }),
            "{err:?} / {err}"
        );
    }

    #[test]
    fn another_format_says_found_and_supported() {
        let text = render(&fixture()).replacen("\"format\": 1", "\"format\": 99", 1);
        let err = parse(&text).unwrap_err();
        assert_eq!(
            err,
            ReportError::UnsupportedFormat {
                found: 99,
                supported: RECORD_FORMAT
            }
        );
        let en = err.to_string();
        assert!(
            en.contains("format 99") && en.contains("reads format 1"),
            "{en}"
        );
        let ja = err.message(crate::Lang::Ja);
        assert!(ja.contains("99") && ja.contains("形式 1"), "{ja}");
    }

    #[test]
    fn another_format_wins_over_a_changed_layout() {
        // A future layout may drop fields; the version is what the user needs to hear.
        let err = parse("{\"format\": 2, \"something\": []}").unwrap_err();
        assert!(matches!(
            err,
            ReportError::UnsupportedFormat { found: 2, .. }
        ));
    }

    #[test]
    fn a_non_object_says_a_run_record_was_expected() {
        let err = parse("\"a report\"").unwrap_err();
        assert!(err.to_string().contains("expected a run record"), "{err}");
        assert!(
            err.message(crate::Lang::Ja).contains("1 行 10 列目"),
            "{err}"
        );
    }

    #[test]
    fn an_exploration_record_is_named_not_misread() {
        let text = crate::explore::render_json(&crate::explore::fixture::fixture());
        let err = parse(&text).unwrap_err();
        assert_eq!(
            err,
            ReportError::NotARunRecord {
                kind: "explore".into()
            }
        );
        assert!(err.to_string().contains("explore.json"), "{err}");
        assert!(err.message(crate::Lang::Ja).contains("実行記録"), "{err}");
    }

    #[test]
    fn json_without_format_is_named_as_such() {
        assert_eq!(
            parse("{\"tool\": \"x\"}").unwrap_err(),
            ReportError::MissingFormat
        );
    }
}
