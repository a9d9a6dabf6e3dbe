//! Reading scenario and fragment files: YAML to typed structs with positions, and
//! `include` resolution (paths and named fixtures), with a [`Problem`] for every failure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::diag::{Problem, did_you_mean};
use super::model::{FragmentFile, ScenarioFile};

/// Largest scenario or fragment file read (bytes).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Deepest include nesting.
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// One file read.
#[derive(Clone, Debug)]
pub struct Source {
    /// Path on disk.
    pub path: PathBuf,
    /// Path for messages and reports (`/`-separated, relative when possible).
    pub display: String,
    /// Its text.
    pub text: Arc<str>,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// A scenario with its fragments.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// Every file read; index 0 is the scenario itself.
    pub sources: Vec<Source>,
    /// The scenario.
    pub scenario: ScenarioFile,
    /// Included fragments in include order (depth first), with their source index.
    pub fragments: Vec<(usize, FragmentFile)>,
}

/// The display form of a path: relative to the working directory when below it.
pub fn display_path(path: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    rel.to_string_lossy().replace('\\', "/")
}

/// Reads a file for parsing.
pub fn read_source(path: &Path) -> Result<Source, Problem> {
    let display = display_path(path);
    let fail = |code, msg: String| Problem::new(&display, 0, 0, code, msg);
    let meta = std::fs::metadata(path)
        .map_err(|e| fail("scenario::unreadable", format!("cannot read the file: {e}")))?;
    if !meta.is_file() {
        return Err(fail("scenario::unreadable", "not a regular file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            "scenario::too-large",
            format!(
                "the file has {} bytes; scenario files are limited to {MAX_FILE_BYTES}",
                meta.len()
            ),
        )
        .help("split the scenario, or move shared parts into fixtures"));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| fail("scenario::unreadable", format!("cannot read the file: {e}")))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(
            "scenario::not-utf8",
            format!(
                "the file is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .help("save scenario files as UTF-8 (Shift_JIS is only for OQS result files)")
    })?;
    Ok(Source {
        path: path.to_path_buf(),
        display,
        text: Arc::from(text),
        sha256,
    })
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses YAML text into `T`, mapping every error to a positioned [`Problem`].
pub fn parse_yaml<T: DeserializeOwned>(src: &Source) -> Result<T, Problem> {
    if src.text.trim().is_empty() {
        return Err(Problem::new(
            &src.display,
            1,
            1,
            "scenario::empty",
            "the file is empty".into(),
        )
        .help("start from `onshi new`"));
    }
    serde_saphyr::from_str::<T>(&src.text).map_err(|e| yaml_problem(src, &e))
}

fn yaml_problem(src: &Source, e: &serde_saphyr::Error) -> Problem {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let options = serde_saphyr::render_options! {
        snippets: serde_saphyr::SnippetMode::Off,
    };
    let raw = e.render_with_options(options);
    let message = strip_location_suffix(raw.trim());
    let (code, help) = classify(&message);
    let mut p =
        Problem::new(&src.display, line, column, code, message).with_source(Some(src.text.clone()));
    p.help = help;
    p
}

/// serde-saphyr appends " at line L column C"; the position is already ours.
fn strip_location_suffix(text: &str) -> String {
    let first = text.lines().next().unwrap_or(text);
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// Rule code and hint for a serde message.
fn classify(message: &str) -> (&'static str, Option<String>) {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let word = backticked(rest).into_iter().next().unwrap_or_default();
        let names = expected_names(rest);
        let expected: Vec<&str> = names.iter().map(String::as_str).collect();
        let help = match did_you_mean(&word, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (unknown keys are errors, never ignored)"),
            None => format!("allowed keys here: {}", expected.join(", ")),
        };
        return ("scenario::unknown-key", Some(help));
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let word = backticked(rest).into_iter().next().unwrap_or_default();
        let names = expected_names(rest);
        let expected: Vec<&str> = names.iter().map(String::as_str).collect();
        let help = match did_you_mean(&word, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("one of: {}", expected.join(", ")),
        };
        return ("scenario::unknown-name", Some(help));
    }
    if message.starts_with("missing field") {
        return (
            "scenario::missing-key",
            Some("add the key; `onshi schema` lists every key and its type".into()),
        );
    }
    if message.starts_with("invalid ") {
        let wanted = if ["u8", "u16", "u32", "u64", "usize"]
            .iter()
            .any(|t| message.ends_with(t))
        {
            "a whole number"
        } else if message.ends_with("f64") || message.ends_with("f32") {
            "a number"
        } else if message.ends_with("bool") {
            "true or false"
        } else {
            "another type"
        };
        return (
            "scenario::wrong-type",
            Some(format!(
                "this key takes {wanted}; `onshi schema` lists every key and its type"
            )),
        );
    }
    if message.contains("invalid type") {
        return (
            "scenario::wrong-type",
            Some("check the value's type against `onshi schema`".into()),
        );
    }
    if message.contains("duplicate") {
        return (
            "scenario::duplicate-key",
            Some("each key may appear once".into()),
        );
    }
    ("scenario::yaml", None)
}

/// The names after "expected one of" (with or without backticks).
fn expected_names(message: &str) -> Vec<String> {
    let Some(i) = message
        .find("expected one of ")
        .or_else(|| message.find("expected "))
    else {
        return Vec::new();
    };
    let rest = &message[i..];
    let rest = rest
        .strip_prefix("expected one of ")
        .or_else(|| rest.strip_prefix("expected "))
        .unwrap_or(rest);
    rest.split([',', ' '])
        .map(|w| w.trim().trim_matches('`'))
        .filter(|w| !w.is_empty() && *w != "or")
        .map(str::to_string)
        .collect()
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// Loads a scenario file and everything it includes.
pub fn load(path: &Path) -> Result<Loaded, Vec<Problem>> {
    let src = read_source(path).map_err(|p| vec![p])?;
    let scenario: ScenarioFile = parse_yaml(&src).map_err(|p| vec![p])?;
    let mut loaded = Loaded {
        sources: vec![src],
        scenario,
        fragments: Vec::new(),
    };
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    if let Ok(c) = path.canonicalize() {
        seen.insert(c);
    }
    let includes = loaded.scenario.include.clone();
    let mut stack = vec![display_path(path)];
    for inc in includes {
        include(&mut loaded, 0, &inc, &mut seen, &mut stack, &mut problems);
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(problems)
    }
}

fn include(
    loaded: &mut Loaded,
    from: usize,
    inc: &super::model::At<String>,
    seen: &mut BTreeSet<PathBuf>,
    stack: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) {
    let from_src = &loaded.sources[from];
    let here = |code, msg: String| {
        Problem::new(&from_src.display, inc.line, inc.column, code, msg)
            .with_source(Some(from_src.text.clone()))
    };
    if stack.len() > MAX_INCLUDE_DEPTH {
        problems.push(here(
            "scenario::include-depth",
            format!(
                "includes nest deeper than {MAX_INCLUDE_DEPTH}: {}",
                stack.join(" → ")
            ),
        ));
        return;
    }
    let path = match resolve_include(&from_src.path, &inc.value) {
        Ok(p) => p,
        Err(msg) => {
            problems.push(here("scenario::include-missing", msg).help(
                "a path is relative to the including file; a bare name is looked up as \
                 fixtures/<name>.yaml in this folder and its parents",
            ));
            return;
        }
    };
    let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
    let shown = display_path(&path);
    if stack.contains(&shown) {
        problems.push(here(
            "scenario::include-cycle",
            format!("include cycle: {} → {shown}", stack.join(" → ")),
        ));
        return;
    }
    if !seen.insert(canonical) {
        return; // already included through another path
    }
    let src = match read_source(&path) {
        Ok(s) => s,
        Err(p) => {
            problems.push(p);
            return;
        }
    };
    let fragment: FragmentFile = match parse_yaml(&src) {
        Ok(f) => f,
        Err(p) => {
            problems.push(p.help(
                "an included file is a fragment: only description, include, world and \
                 sequences are allowed",
            ));
            return;
        }
    };
    loaded.sources.push(src);
    let idx = loaded.sources.len() - 1;
    let nested = fragment.include.clone();
    stack.push(shown);
    for n in &nested {
        include(loaded, idx, n, seen, stack, problems);
    }
    stack.pop();
    loaded.fragments.push((idx, fragment));
}

/// Resolves an include entry against the including file.
pub fn resolve_include(from: &Path, entry: &str) -> Result<PathBuf, String> {
    let dir = from.parent().unwrap_or(Path::new("."));
    let looks_like_path =
        entry.contains('/') || entry.ends_with(".yaml") || entry.ends_with(".yml");
    if looks_like_path {
        let p = dir.join(entry);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "included file `{entry}` not found (looked at {})",
                display_path(&p)
            ))
        };
    }
    let mut cur = Some(dir);
    let mut looked = Vec::new();
    while let Some(d) = cur {
        let candidate = d.join("fixtures").join(format!("{entry}.yaml"));
        if candidate.is_file() {
            return Ok(candidate);
        }
        looked.push(display_path(&candidate));
        if looked.len() >= 6 {
            break;
        }
        cur = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    Err(format!(
        "no fixture named `{entry}` (looked at {})",
        looked.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_gets_a_suggestion() {
        let (code, help) =
            classify("unknown field `persn`, expected one of `person`, `at`, `verify`");
        assert_eq!(code, "scenario::unknown-key");
        assert!(help.unwrap().contains("`person`"));
    }

    #[test]
    fn location_suffix_is_removed() {
        assert_eq!(
            strip_location_suffix("invalid type: string \"x\", expected u64 at line 3 column 7"),
            "invalid type: string \"x\", expected u64"
        );
    }
}
