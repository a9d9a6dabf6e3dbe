//! What `onshi import` says about its input: a problem with one file (it could not be read or
//! is not what its name says: the file is left out, the rest still imported) or a disagreement
//! between files (two birth dates for the same numbers: the import stops, nothing is guessed).
//! Each names the file or files, the element and line where there is one, and the rule broken.

use std::fmt;

use onshi_sim::oqs::OqsError;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something the author should know; nothing was left out.
    Note,
    /// A file (or a part of one) was left out of the scenario; `onshi import` exits 2.
    Refused,
    /// Files disagree: no scenario is written.
    Contradiction,
}

/// One thing `onshi import` has to say about its input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// The file or files concerned, as they were given.
    pub files: Vec<String>,
    /// The element path (`XmlMsg/MessageBody/…`), where there is one.
    pub element: Option<String>,
    /// 1-based line and column of the decoded text, where known.
    pub line: Option<(usize, usize)>,
    /// The rule, e.g. `import::bad-xml`.
    pub rule: &'static str,
    /// What is wrong, in words (values of a disagreement included).
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic about one file.
    pub fn file(severity: Severity, file: &str, rule: &'static str, message: String) -> Self {
        Diagnostic {
            severity,
            files: vec![file.to_string()],
            element: None,
            line: None,
            rule,
            message,
        }
    }

    /// A file that could not be read as the message its name (or content) says, from the
    /// decoder's error: element path, line and column where the decoder has them.
    pub fn decode(file: &str, what: &str, e: &OqsError) -> Self {
        let (element, line, rule) = match e {
            OqsError::Syntax { at, .. } => (None, Some(*at), "import::bad-xml"),
            OqsError::Declaration { .. } => (None, None, "import::bad-xml"),
            OqsError::UnsupportedEncoding { .. } | OqsError::EncodingMismatch { .. } => {
                (None, None, "import::encoding")
            }
            OqsError::WrongRoot { at, .. } => (None, Some(*at), "import::wrong-root"),
            OqsError::Missing { path, at } => {
                (Some(path.clone()), Some(*at), "import::missing-element")
            }
            OqsError::Invalid { path, at, .. } => {
                (Some(path.clone()), Some(*at), "import::bad-value")
            }
            OqsError::Unexpected { path, at } => {
                (Some(path.clone()), Some(*at), "import::unexpected-element")
            }
            OqsError::Duplicate { path, at } => {
                (Some(path.clone()), Some(*at), "import::repeated-element")
            }
            OqsError::UnknownCode { table, .. } => {
                (Some((*table).to_string()), None, "import::bad-code")
            }
            OqsError::FileName { .. } => (None, None, "import::file-name"),
            OqsError::Unencodable { path, .. } => (Some(path.clone()), None, "import::encoding"),
        };
        Diagnostic {
            severity: Severity::Refused,
            files: vec![file.to_string()],
            element,
            line: line.map(|p| (p.line, p.column)),
            rule,
            message: bounded(&format!("not a readable {what}: {e}")),
        }
    }

    /// Files that disagree about one fact: each file with the value it gives.
    pub fn contradiction(what: &str, values: &[(&str, String)]) -> Self {
        let mut files: Vec<String> = values.iter().map(|(f, _)| (*f).to_string()).collect();
        files.dedup();
        let listed: Vec<String> = values
            .iter()
            .map(|(f, v)| format!("{f} says {}", bounded(v)))
            .collect();
        Diagnostic {
            severity: Severity::Contradiction,
            files,
            element: None,
            line: None,
            rule: "import::contradiction",
            message: format!(
                "the files disagree about {what}: {}; onshi does not guess which is right (correct or leave out one of the files)",
                listed.join("; ")
            ),
        }
    }
}

/// The most characters of one message or value a diagnostic shows (a malformed file can hold
/// megabytes in one element).
const SHOWN_CHARS: usize = 300;

/// `s` cut to [`SHOWN_CHARS`] characters, with how much was left out.
fn bounded(s: &str) -> String {
    let total = s.chars().count();
    if total <= SHOWN_CHARS {
        return s.to_string();
    }
    let kept: String = s.chars().take(SHOWN_CHARS).collect();
    format!("{kept}… ({} more characters)", total - SHOWN_CHARS)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A contradiction's message names each file with its value.
        if self.severity != Severity::Contradiction {
            f.write_str(&self.files.join(", "))?;
        }
        if let Some(e) = &self.element {
            write!(f, ": {e}")?;
        }
        if let Some((line, column)) = self.line {
            // A line with no file is one of the scenario the import wrote.
            let of = if self.files.is_empty() {
                "the written scenario, "
            } else {
                ""
            };
            write!(f, " ({of}line {line}, column {column})")?;
        }
        let wrote_place = (self.severity != Severity::Contradiction && !self.files.is_empty())
            || self.element.is_some()
            || self.line.is_some();
        if wrote_place {
            write!(f, ": {} [{}]", self.message, self.rule)
        } else {
            write!(f, "{} [{}]", self.message, self.rule)
        }
    }
}

/// Everything an import had to say, in the order found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Whether anything was left out or contradicts.
    pub fn any_refused(&self) -> bool {
        self.0.iter().any(|d| d.severity >= Severity::Refused)
    }

    /// Whether files contradict each other.
    pub fn any_contradiction(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Contradiction)
    }

    /// The diagnostics, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}
