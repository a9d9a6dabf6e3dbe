//! Reading scenario and fragment files: YAML to typed structs with positions, and
//! `include` resolution (paths and named fixtures), with a [`Problem`] for every failure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::diag::{Problem, did_you_mean};
use super::library;
use super::limits;
use super::model::{FragmentFile, ScenarioFile};
use super::tree::{self, Tree};

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

/// The display form of a path: `onshi:scenarios/...` inside the built-in library written
/// out for this command ([`super::library::display`]), else relative to the working directory
/// when below it.
pub fn display_path(path: &Path) -> String {
    if let Some(shown) = super::library::display(path) {
        return shown;
    }
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
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(&display, e.as_bytes()))?;
    Ok(Source {
        path: path.to_path_buf(),
        display,
        text: Arc::from(text),
        sha256,
    })
}

/// The problem for a file that is not UTF-8, at the line and column of the first invalid
/// byte (the snippet shows it as U+FFFD).
fn not_utf8(display: &str, bytes: &[u8]) -> Problem {
    let offset = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    let before = String::from_utf8_lossy(&bytes[..offset]);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    let byte = bytes.get(offset).copied().unwrap_or(0);
    Problem::new(
        display,
        line,
        column,
        "scenario::not-utf8",
        format!("the file is not UTF-8 (invalid byte 0x{byte:02X} at offset {offset})"),
    )
    .with_source(Some(Arc::from(String::from_utf8_lossy(bytes).as_ref())))
    .help("save scenario files as UTF-8 (Shift_JIS is only for OQS result files)")
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
        formatter: &PlainMessages,
    };
    let raw = e.render_with_options(options);
    let message = strip_location_suffix(raw.trim());
    let (code, help) = classify(&message);
    let mut p =
        Problem::new(&src.display, line, column, code, message).with_source(Some(src.text.clone()));
    p.help = help;
    p
}

/// serde-saphyr's messages, but plain sentences where its own wording names its API
/// (budget breaches, the duplicate-key policy).
struct PlainMessages;

impl serde_saphyr::MessageFormatter for PlainMessages {
    fn format_message<'a>(&self, err: &'a serde_saphyr::Error) -> std::borrow::Cow<'a, str> {
        match err {
            serde_saphyr::Error::Budget { breach, .. } => budget_message(breach).into(),
            serde_saphyr::Error::DuplicateMappingKey { key: Some(k), .. } => {
                format!("duplicate key `{k}`").into()
            }
            serde_saphyr::Error::DuplicateMappingKey { key: None, .. } => "duplicate key".into(),
            other => serde_saphyr::DefaultMessageFormatter.format_message(other),
        }
    }
}

/// The start of every message about a YAML size limit (see [`classify`]).
const YAML_LIMIT: &str = "the YAML ";

/// A parser limit in words, with the limit.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let limits = serde_saphyr::Budget::default();
    let n = |v: usize| limits::thousands(v as u64);
    let limit = |what: &str, max: usize| format!("has more than {} {what}, the limit", n(max));
    let what = match breach {
        B::Nodes { .. } => limit("nodes (values, lists and mappings)", limits.max_nodes),
        B::Events { .. } => limit("parser events", limits.max_events),
        B::Aliases { .. } => limit("aliases (`*name`)", limits.max_aliases),
        B::Anchors { .. } => limit("anchors (`&name`)", limits.max_anchors),
        B::Depth { .. } => format!(
            "nests lists and mappings deeper than {} levels, the limit",
            n(limits.max_depth)
        ),
        B::Documents { .. } => limit("documents (`---`)", limits.max_documents),
        B::ScalarBytes { .. } => "holds more text in its values than the parser accepts".into(),
        B::MergeKeys { .. } => limit("merge keys (`<<`)", limits.max_merge_keys),
        B::AliasAnchorRatio { aliases, anchors } => format!(
            "uses {} aliases for {} anchors; aliases that multiply the data are refused",
            n(*aliases),
            n(*anchors)
        ),
        _ => "is larger than the parser accepts".into(),
    };
    format!("{YAML_LIMIT}{what}")
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
        // A near spelling, or a name the word is a part of (`expired` →
        // `certificate_expired`).
        let near = did_you_mean(&word, expected.iter().copied()).or_else(|| {
            expected
                .iter()
                .copied()
                .find(|c| !word.is_empty() && c.split('_').any(|part| part == word))
        });
        let help = match near {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("one of: {}", expected.join(", ")),
        };
        return ("scenario::unknown-name", Some(help));
    }
    if message.starts_with(super::vocab::BAD_VALUE) {
        return (
            "scenario::bad-value",
            Some(
                "docs/scenario-format.md lists the values of every expectation field; \
                 `onshi schema` has them too"
                    .into(),
            ),
        );
    }
    if message.starts_with(super::vocab::BAD_VALIDITY) {
        return (
            "scenario::bad-validity",
            Some("資格有効性 is 1 (有効) to 6 (その他)".into()),
        );
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
    if message.starts_with(YAML_LIMIT) {
        return (
            "scenario::yaml-limit",
            Some("split the scenario, or move shared parts into fixtures".into()),
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
    let tree = Tree::of(path);
    tree.check_scenario(path).map_err(|msg| {
        vec![
            Problem::new(&display_path(path), 0, 0, tree::LINK_OUTSIDE, msg)
                .help("run the file where it is, or copy it into the scenario folder"),
        ]
    })?;
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
    let mut walk = Walk {
        tree,
        seen,
        stack: vec![display_path(path)],
        problems: &mut problems,
    };
    for inc in includes {
        include(&mut loaded, 0, &inc, &mut walk);
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(limits::cap(problems))
    }
}

/// Loads a scenario from text that is not a file (a history `explore` generated): the same
/// parsing, positions and limits as [`load`], shown as `display`; `include` is refused, the
/// text must hold its whole world.
pub fn load_text(display: &str, text: &str) -> Result<Loaded, Vec<Problem>> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(vec![Problem::new(
            display,
            0,
            0,
            "scenario::too-large",
            format!(
                "the text has {} bytes; scenario files are limited to {MAX_FILE_BYTES}",
                text.len()
            ),
        )]);
    }
    let src = Source {
        path: PathBuf::from(display),
        display: display.to_string(),
        text: Arc::from(text),
        sha256: hex(&Sha256::digest(text.as_bytes())),
    };
    let scenario: ScenarioFile = parse_yaml(&src).map_err(|p| vec![p])?;
    if let Some(inc) = scenario.include.first() {
        return Err(vec![Problem::new(
            display,
            inc.line,
            inc.column,
            "scenario::include-outside",
            "a scenario read from text cannot include files".into(),
        )]);
    }
    Ok(Loaded {
        sources: vec![src],
        scenario,
        fragments: Vec::new(),
    })
}

/// The state of one include walk.
struct Walk<'p> {
    /// Where every included file must be.
    tree: Tree,
    /// Files already included (canonical).
    seen: BTreeSet<PathBuf>,
    /// The chain of includes being read.
    stack: Vec<String>,
    problems: &'p mut Vec<Problem>,
}

fn include(loaded: &mut Loaded, from: usize, inc: &super::model::At<String>, walk: &mut Walk) {
    let Walk {
        tree,
        stack,
        problems,
        ..
    } = walk;
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
    // A fixture of the built-in library (`onshi:standard`), and every include inside one:
    // read from the binary, never a path on disk (so no tree to escape).
    if inc.value.starts_with(library::FIXTURE_PREFIX) || is_embedded(from_src) {
        let found = embedded_include(from_src, &inc.value);
        let (shown, bytes) = match found {
            Ok(f) => f,
            Err(msg) => {
                let names: Vec<String> = library::fixture_names()
                    .iter()
                    .map(|n| format!("{}{n}", library::FIXTURE_PREFIX))
                    .collect();
                let wanted = inc.value.as_str();
                let help = match did_you_mean(wanted, names.iter().map(String::as_str)) {
                    Some(n) => format!(
                        "did you mean `{n}`? the built-in library's fixtures: {}",
                        names.join(", ")
                    ),
                    None => format!("the built-in library's fixtures: {}", names.join(", ")),
                };
                problems.push(here("scenario::unknown-fixture", msg).help(help));
                return;
            }
        };
        let src = Source {
            path: PathBuf::from(&shown),
            display: shown.clone(),
            text: Arc::from(String::from_utf8_lossy(bytes).as_ref()),
            sha256: hex(&Sha256::digest(bytes)),
        };
        add_fragment(loaded, src, PathBuf::from(shown), walk, inc);
        return;
    }
    let outside = |msg: String| {
        here(tree::INCLUDE_OUTSIDE, msg).help(format!(
            "includes are paths relative to the including file, or fixture names, and stay \
             inside the scenario tree `{}` (the highest folder above the scenario that holds \
             a fixtures/ folder, or the scenario's own folder): copy the file into it",
            tree.display()
        ))
    };
    let from_dir = from_src.path.parent().unwrap_or(Path::new(""));
    if is_path_entry(&inc.value)
        && let Err(msg) = tree.check_entry(from_dir, &inc.value)
    {
        problems.push(outside(msg));
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
    let canonical = match tree.check_found(&path, &inc.value) {
        Ok(c) => c,
        Err(msg) => {
            problems.push(outside(msg));
            return;
        }
    };
    let src = match read_source(&path) {
        Ok(s) => s,
        Err(p) => {
            problems.push(p);
            return;
        }
    };
    add_fragment(loaded, src, canonical, walk, inc);
}

/// Adds an included file (read from disk or from the binary) as a fragment, then its own
/// includes: refused when it closes a cycle, skipped when already included.
fn add_fragment(
    loaded: &mut Loaded,
    src: Source,
    canonical: PathBuf,
    walk: &mut Walk,
    inc: &super::model::At<String>,
) {
    let shown = src.display.clone();
    if walk.stack.contains(&shown) {
        let from = walk.stack.last().cloned().unwrap_or_default();
        let text = loaded
            .sources
            .iter()
            .find(|s| s.display == from)
            .map(|s| s.text.clone());
        walk.problems.push(
            Problem::new(
                &from,
                inc.line,
                inc.column,
                "scenario::include-cycle",
                format!("include cycle: {} → {shown}", walk.stack.join(" → ")),
            )
            .with_source(text),
        );
        return;
    }
    if !walk.seen.insert(canonical) {
        return; // already included through another path
    }
    let fragment: FragmentFile = match parse_yaml(&src) {
        Ok(f) => f,
        Err(p) => {
            walk.problems.push(p.help(
                "an included file is a fragment: only description, include, world and \
                 sequences are allowed",
            ));
            return;
        }
    };
    loaded.sources.push(src);
    let idx = loaded.sources.len() - 1;
    let nested = fragment.include.clone();
    walk.stack.push(shown);
    for n in &nested {
        include(loaded, idx, n, walk);
    }
    walk.stack.pop();
    loaded.fragments.push((idx, fragment));
}

/// Whether a source was read from the binary (a fixture of the built-in library included
/// by name), not from disk.
fn is_embedded(src: &Source) -> bool {
    src.path
        .to_str()
        .is_some_and(|p| p.starts_with(library::DISPLAY_ROOT))
}

/// The library file an include names, read from the binary: `onshi:<name>` from anywhere,
/// and, inside an embedded fixture, a path relative to it or a fixture name looked up in its
/// folder and the folders above it (never above the library's root).
fn embedded_include(from: &Source, entry: &str) -> Result<(String, &'static [u8]), String> {
    if let Some(name) = entry.strip_prefix(library::FIXTURE_PREFIX) {
        return library::fixture(name)
            .ok_or_else(|| format!("the built-in library has no fixture named `{name}`"));
    }
    let dir = from
        .display
        .rsplit_once('/')
        .map_or(library::DISPLAY_ROOT, |(d, _)| d);
    if is_path_entry(entry) {
        return library::resolve(&format!("{dir}/{entry}")).ok_or_else(|| {
            format!(
                "the built-in library has no file `{entry}` next to {}",
                from.display
            )
        });
    }
    let mut d = dir.to_string();
    loop {
        if let Some(found) = library::resolve(&format!("{d}/fixtures/{entry}.yaml")) {
            return Ok(found);
        }
        match d.rsplit_once('/') {
            Some((up, _)) if d != library::DISPLAY_ROOT => d = up.to_string(),
            _ => break,
        }
    }
    Err(format!(
        "the built-in library has no fixture named `{entry}`"
    ))
}

/// Whether an include entry is a path (with a `/` or a `.yaml` / `.yml` ending) rather than
/// a fixture name.
pub fn is_path_entry(entry: &str) -> bool {
    entry.contains('/') || entry.ends_with(".yaml") || entry.ends_with(".yml")
}

/// Resolves an include entry against the including file (without checking the tree: see
/// [`Tree`]).
pub fn resolve_include(from: &Path, entry: &str) -> Result<PathBuf, String> {
    let dir = from.parent().unwrap_or(Path::new("."));
    if is_path_entry(entry) {
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
    let mut looked = Vec::new();
    for d in tree::search_folders(dir) {
        let candidate = d.join("fixtures").join(format!("{entry}.yaml"));
        if candidate.is_file() {
            return Ok(candidate);
        }
        looked.push(display_path(&candidate));
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
