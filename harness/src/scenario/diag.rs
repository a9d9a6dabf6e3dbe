//! Problems found in scenario files, each with file, line, column, a rule code and a
//! hint; rendered with miette at the CLI edge.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use onshi_sim::rules::edit_distance;

/// Longest line (bytes) shown in a snippet; a problem on or next to a longer line is shown
/// without one.
pub const MAX_SNIPPET_LINE: usize = 2_000;

/// One problem in a scenario or fragment file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// File as given (`/`-separated).
    pub file: String,
    /// 1-based line (0: the file as a whole).
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// Rule code, e.g. `scenario::unknown-key`.
    pub code: &'static str,
    /// What is wrong, and what was expected.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The file's text, for the snippet.
    pub source: Option<Arc<str>>,
    named: Option<NamedSource<Arc<str>>>,
}

impl Problem {
    /// A problem at a position.
    pub fn new(file: &str, line: u64, column: u64, code: &'static str, message: String) -> Self {
        Problem {
            file: file.to_string(),
            line,
            column,
            code,
            message,
            help: None,
            source: None,
            named: None,
        }
    }

    /// Adds a hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source text for the snippet.
    pub fn with_source(mut self, source: Option<Arc<str>>) -> Self {
        self.named = source
            .clone()
            .map(|text| NamedSource::new(self.file.clone(), text).with_language("yaml"));
        self.source = source;
        self
    }

    /// `file:line:column`.
    pub fn position(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }

    /// Byte offset of the position in the source, for the snippet; `None` (no snippet) when
    /// there is no source or a line shown around it is too long to show (miette cannot
    /// draw a label past column 65,535, and nobody reads such a line).
    fn offset(&self) -> Option<usize> {
        let text = self.source.as_deref()?;
        if self.line == 0 {
            return None;
        }
        let mut offset = 0usize;
        let mut found = None;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            let n = i as u64 + 1;
            if n + 1 >= self.line && l.len() > MAX_SNIPPET_LINE {
                return None;
            }
            if n == self.line {
                let col = self.column.saturating_sub(1) as usize;
                let within: usize = l.chars().take(col).map(char::len_utf8).sum();
                found = Some(offset + within);
            }
            if n > self.line {
                break;
            }
            offset += l.len();
        }
        found
    }

    /// Renders with miette's graphical handler, without colour (stable for snapshots
    /// and logs).
    pub fn render_plain(&self) -> String {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(100)
                .with_links(false);
        let mut out = String::new();
        if handler.render_report(&mut out, self).is_err() {
            return format!("{self}\n");
        }
        out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position(), self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.offset()?;
        self.named.as_ref().map(|n| n as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let at = self.offset()?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some("here".into()),
            at,
            0,
        ))))
    }
}

/// The closest candidate within a small edit distance, for "did you mean".
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        let limit = (word.chars().count().max(c.chars().count()) / 3).max(1) + 1;
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_key() {
        assert_eq!(
            did_you_mean("persn", ["person", "at", "verify"]),
            Some("person")
        );
        assert_eq!(did_you_mean("zzzzzz", ["person", "at"]), None);
    }

    #[test]
    fn a_problem_on_a_very_long_line_renders_without_a_snippet() {
        let long = format!("tags: [{}]", vec!["a"; 50_000].join(","));
        for (line, column) in [(2, 99_000), (1, 1), (3, 1)] {
            let p = Problem::new("a.yaml", line, column, "scenario::test", "too long".into())
                .with_source(Some(Arc::from(format!("id: x\n{long}\nseed: 1\n"))));
            let out = p.render_plain();
            assert!(out.contains(&format!("a.yaml:{line}:{column}")), "{out}");
            assert!(!out.contains("a,a,a"), "{out}");
        }
        let p = Problem::new("a.yaml", 1, 1, "scenario::test", "short".into())
            .with_source(Some(Arc::from(format!("id: x\nseed: 1\n{long}\n"))));
        assert!(p.render_plain().contains("id: x"));
    }

    #[test]
    fn renders_file_line_and_snippet() {
        let p = Problem::new("a.yaml", 2, 3, "scenario::test", "bad value".into())
            .help("use a good one")
            .with_source(Some(Arc::from("id: x\nstart: nope\n")));
        let out = p.render_plain();
        assert!(out.contains("a.yaml:2:3"), "{out}");
        assert!(out.contains("start: nope"), "{out}");
        assert!(out.contains("use a good one"), "{out}");
    }
}
