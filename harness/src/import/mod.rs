//! `onshi import`: the OQS files a clinic saw (face files, 資格確認 requests and results, YZK/TKK,
//! 照会番号登録, 一括照会; UTF-8 or Shift_JIS) turned into a scenario of the library's format that
//! restates what each answer said, with personal data replaced (docs/import.md).
//!
//! [`import`] is pure: file names and bytes in, the scenario text and what it restates out (the
//! CLI, `crate::cli::import`, reads files and folders from disk within bounds and wraps it).
//! The stages, one module each:
//!
//! 1. [`read`]: the kind of every file from its name and content, decoded in its declared
//!    encoding; requests paired with their results;
//! 2. [`gather`] (into the types of [`facts`]): one event per exchange with what its answer
//!    said, and every 資格 a result shows;
//! 3. [`identity`]: the records, the people, who each event is about; files that disagree are
//!    reported, never guessed;
//! 4. [`infer`]: what the files leave open (losses, the desk's own requests at a card visit,
//!    consent visits …), with [`windows`] (when the registry learnt of each record and loss:
//!    `registered_on`, lags, the 75th-birthday switch), [`income`] (the 所得区分, dated when it
//!    changed) and [`card`] (the card's issue date, renewals, losses and reissues);
//! 5. [`pseudo`]: the synthetic values, one injective map per kind;
//! 6. [`emit`] and [`steps`]: the scenario text with its comments, checked by loading and
//!    compiling it before it is returned.

mod card;
mod desk;
pub mod diag;
mod emit;
mod facts;
mod gather;
mod identity;
mod income;
mod infer;
mod pseudo;
mod read;
mod steps;
mod windows;

use std::collections::{BTreeMap, BTreeSet};

use onshi_sim::ids::{InstitutionCode, InsurerNumber};

pub use diag::{Diagnostic, Diagnostics, Severity};

use crate::catalog::Catalog;
use crate::scenario::{Scenario, compile, lint, load};
use emit::Ctx;
use read::{Doc, ReadFile};

/// The largest file read (bytes): the folder server's limit for a request file.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The most files one import reads.
pub const MAX_FILES: usize = 2_000;

/// How an import writes the scenario.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Keep 氏名 and カナ as written (for 外字 / `●` issues).
    pub keep_names: bool,
    /// The scenario id (default `imported/field-YYYYMMDD` from the first event).
    pub id: Option<String>,
}

/// One step the scenario restates an answer at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restated {
    /// The step's name (`v1`, `n1`, `f1`).
    pub step: String,
    /// `visit`, `confirm.numbers` or `fetch`.
    pub kind: &'static str,
    /// When (`YYYY-MM-DDTHH:MM:SS`, JST).
    pub at: String,
    /// The files it comes from, by label.
    pub files: Vec<String>,
    /// The checks its expectation makes: check name (`confirmation.validity`) and expected value.
    pub checks: Vec<(String, String)>,
}

/// What an import produced.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario file.
    pub yaml: String,
    /// The steps that restate an answer, in order.
    pub restated: Vec<Restated>,
    /// Each file as given, with the label the scenario names it by.
    pub files: Vec<(String, String)>,
    /// What the import had to say (files left out, notes); empty when all went well.
    pub diagnostics: Diagnostics,
}

impl Imported {
    /// Whether any file (or part of one) was left out.
    pub fn refused(&self) -> bool {
        self.diagnostics.any_refused()
    }
}

/// Imports `files` (each its name, a path relative to the folder given, and its bytes).
/// `Err` when nothing can be written: no file could be read, or files contradict each other.
pub fn import(files: &[(String, Vec<u8>)], options: &Options) -> Result<Imported, Diagnostics> {
    let mut diags = Diagnostics::default();
    if files.len() > MAX_FILES {
        diags.push(Diagnostic {
            severity: Severity::Refused,
            files: Vec::new(),
            element: None,
            line: None,
            rule: "import::too-many-files",
            message: format!(
                "{} files, more than the {MAX_FILES} one import reads; import a smaller set",
                files.len()
            ),
        });
        return Err(diags);
    }
    if let Some(id) = &options.id
        && !valid_id(id)
    {
        diags.push(Diagnostic {
            severity: Severity::Refused,
            files: Vec::new(),
            element: None,
            line: None,
            rule: "import::bad-id",
            message: format!(
                "id `{id}` must look like area/short-name (lower case, digits, -, _, /)"
            ),
        });
        return Err(diags);
    }
    let read = read::read_all(files, &mut diags);
    tracing::debug!(given = files.len(), read = read.len(), "import: files read");
    let facts = gather::gather(&read, &mut diags);
    tracing::debug!(
        events = facts.events.len(),
        results = facts.seen.len(),
        "import: exchanges gathered"
    );
    if diags.any_contradiction() {
        return Err(diags);
    }
    if facts.events.is_empty() {
        diags.push(nothing());
        return Err(diags);
    }
    let mut model = identity::resolve(facts, &mut diags);
    if diags.any_contradiction() {
        return Err(diags);
    }
    infer::complete(&mut model);
    let pseudo = match pseudonymiser(files, &read, &model, options.keep_names) {
        Ok(p) => p,
        Err(why) => {
            diags.push(Diagnostic {
                severity: Severity::Refused,
                files: Vec::new(),
                element: None,
                line: None,
                rule: "import::too-many-values",
                message: format!("{why}: import fewer files at once"),
            });
            return Err(diags);
        }
    };
    let labels = labels(&read, &pseudo);
    let Some(start) = model.events.iter().map(|e| e.at).min() else {
        diags.push(nothing());
        return Err(diags);
    };
    let id = options.id.clone().unwrap_or_else(|| {
        let d = start.date();
        format!(
            "imported/field-{:04}{:02}{:02}",
            d.year(),
            d.month(),
            d.day()
        )
    });
    let mut ctx = Ctx {
        m: &model,
        pseudo,
        labels: &labels,
        insurer_keys: BTreeMap::new(),
        insurer_names: BTreeMap::new(),
        institution_keys: BTreeMap::new(),
        person_keys: (1..=model.people.len())
            .map(|i| format!("person-{i}"))
            .collect(),
        person_names: vec![String::new(); model.people.len()],
        start,
    };
    let answers: Vec<&ReadFile> = read.iter().filter(|f| !read::is_request(&f.doc)).collect();
    let shift_jis = !answers.is_empty()
        && answers
            .iter()
            .all(|f| f.encoding == onshi_sim::oqs::CharacterCode::ShiftJis);
    let mut yaml = String::new();
    emit::world(
        &mut ctx,
        &mut yaml,
        &id,
        read.len(),
        options.keep_names,
        shift_jis,
    );
    let restated = steps::steps(&ctx, &mut yaml);
    tracing::info!(
        people = model.people.len(),
        records = model.records.len(),
        steps = restated.len(),
        left_out = diags
            .iter()
            .filter(|d| d.severity >= Severity::Refused)
            .count(),
        "import: scenario written"
    );
    match desk::block(&id, &yaml) {
        Ok(block) if !block.is_empty() => {
            yaml.push('\n');
            yaml.push_str(&block);
        }
        Ok(_) => {}
        Err(why) => diags.push(Diagnostic {
            severity: Severity::Note,
            files: Vec::new(),
            element: None,
            line: None,
            rule: "import::no-desk-expectations",
            message: format!(
                "the reference could not run the scenario, so it has no `provider` expectations (what the desk must do): {why}"
            ),
        }),
    }
    if yaml.len() as u64 > load::MAX_FILE_BYTES {
        diags.push(Diagnostic {
            severity: Severity::Refused,
            files: Vec::new(),
            element: None,
            line: None,
            rule: "import::too-large-scenario",
            message: format!(
                "the scenario would be {} bytes, more than the {} a scenario file may have: import fewer files at once (for example one patient's or one day's)",
                yaml.len(),
                load::MAX_FILE_BYTES
            ),
        });
        return Err(diags);
    }
    self_check(&id, &yaml, &mut diags)?;
    let files = read
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                labels.get(&f.name).cloned().unwrap_or_default(),
            )
        })
        .collect();
    Ok(Imported {
        yaml,
        restated,
        files,
        diagnostics: diags,
    })
}

/// An error code as the scenario's comments may show it: a code's shape (ASCII letters, digits,
/// `-`, `_`, at most 16), else a placeholder — a terminal's free text can hold personal data.
pub(super) fn shown_code(code: &str) -> String {
    let code = code.trim();
    if !code.is_empty()
        && code.len() <= 16
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        code.to_string()
    } else {
        "(not a code: its text is not written here)".to_string()
    }
}

/// No file gave anything to restate.
fn nothing() -> Diagnostic {
    Diagnostic {
        severity: Severity::Refused,
        files: Vec::new(),
        element: None,
        line: None,
        rule: "import::nothing",
        message: "no file gave anything to restate: no scenario is written".into(),
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The id rule of `onshi new`.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'_'
        })
        && !id.starts_with('/')
        && !id.ends_with('/')
}

/// Loads, compiles and lints the written text: a problem here is onshi's bug, reported as such.
fn self_check(id: &str, yaml: &str, diags: &mut Diagnostics) -> Result<(), Diagnostics> {
    let display = format!("{id}.yaml");
    let problems = match load::load_text(&display, yaml) {
        Ok(loaded) => match compile::compile(&loaded, Catalog::builtin()) {
            Ok(plan) => {
                let s = Scenario {
                    sources: loaded.sources,
                    plan,
                    file: loaded.scenario,
                };
                for p in lint::lint(&s) {
                    diags.push(Diagnostic {
                        severity: Severity::Note,
                        files: Vec::new(),
                        element: None,
                        line: Some((to_usize(p.line), to_usize(p.column))),
                        rule: "import::lint",
                        message: format!(
                            "the scenario has a lint finding (the files disagree with a rule of the simulation; see the comments): {}",
                            p.message
                        ),
                    });
                }
                return Ok(());
            }
            Err(ps) => ps,
        },
        Err(ps) => ps,
    };
    for p in problems.iter().take(5) {
        diags.push(Diagnostic {
            severity: Severity::Contradiction,
            files: Vec::new(),
            element: None,
            line: Some((to_usize(p.line), to_usize(p.column))),
            rule: "import::internal",
            message: format!(
                "onshi wrote a scenario it cannot read (a bug in onshi import; please report it): {} {}",
                p.code, p.message
            ),
        });
    }
    Err(std::mem::take(diags))
}

fn institution_of(doc: &Doc) -> Option<InstitutionCode> {
    Some(match doc {
        Doc::Face(r) | Doc::ConfirmResponse(r) => r.header.institution,
        Doc::ConfirmRequest(r) => r.header.institution,
        Doc::MedicalRequest(_, r) => r.header.institution,
        Doc::MedicalResponse(_, r) => r.header.institution,
        Doc::RegistrationRequest(r) => r.header.institution,
        Doc::RegistrationResponse(r) => r.header.institution,
        Doc::BulkUploadRequest(r) => r.header.institution,
        Doc::BulkUploadResponse(r) => r.header.institution,
        Doc::BulkDownloadRequest(r) => r.header.institution,
        Doc::BulkDownloadResponse(r) => r.header.institution,
    })
}

/// The label of each file in the scenario: its folder and kind, a number, and for face files
/// the synthetic 医療機関コード and the time (file names carry real codes and clinic ids).
fn labels(read: &[ReadFile], pseudo: &pseudo::Pseudo) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    let (mut faces, mut others) = (0usize, 0usize);
    for f in read {
        let label = match (&f.doc, &f.pair) {
            (Doc::Face(r), _) => {
                faces += 1;
                format!(
                    "face/OQSsiquc01res_face_{}000{faces:017}_{}.xml",
                    pseudo.institution(r.header.institution).digits(),
                    r.header.process_execution_time.compact()
                )
            }
            (doc, Some((exchange, suffix))) => {
                let n = pairs.len() + 1;
                let n = *pairs
                    .entry((exchange.prefix().to_string(), suffix.clone()))
                    .or_insert(n);
                let dir = if read::is_request(doc) { "req" } else { "res" };
                format!("{dir}/{}{dir}_{n:04}.xml", exchange.prefix())
            }
            (_, None) => {
                others += 1;
                format!("file-{others:04}.xml")
            }
        };
        out.insert(f.name.clone(), label);
    }
    out
}

/// The pseudonymiser for these files: every 保険者番号, 医療機関コード, 記号 and 番号 of the input
/// is known to it before any synthetic value is drawn.
fn pseudonymiser(
    files: &[(String, Vec<u8>)],
    read: &[ReadFile],
    model: &identity::Model,
    keep_names: bool,
) -> Result<pseudo::Pseudo, String> {
    let mut insurers: BTreeSet<InsurerNumber> = BTreeSet::new();
    let mut symbols: BTreeSet<String> = BTreeSet::new();
    let mut numbers: BTreeSet<String> = BTreeSet::new();
    let mut add = |n: &facts::Numbers| {
        insurers.insert(n.insurer);
        if let Some(s) = &n.symbol {
            symbols.insert(s.clone());
        }
        numbers.insert(n.number.clone());
    };
    for r in &model.records {
        add(&r.numbers);
    }
    for e in &model.events {
        if let facts::Action::Numbers { numbers: n, .. } = &e.action {
            add(n);
        }
        if let Some(n) = &e.asked {
            add(n);
        }
    }
    let institutions = read
        .iter()
        .filter_map(|f| institution_of(&f.doc))
        .chain(model.institutions.keys().copied())
        .collect();
    let mut pseudo = pseudo::Pseudo::new(
        pseudo::seed_of(files),
        keep_names,
        &insurers,
        &institutions,
        &symbols,
        &numbers,
    )?;
    // A real 氏名 or カナ can be on the synthetic list: every short text of the files is one
    // no synthetic name may be (a file that does not read as XML has no names to avoid).
    for (_, bytes) in files {
        let leaves = onshi_sim::oqs::leaves(bytes).unwrap_or_default();
        pseudo.avoid_texts(
            leaves
                .iter()
                .map(|l| l.text.as_str())
                .filter(|t| t.chars().count() <= MAX_NAME_CHARS),
        );
    }
    Ok(pseudo)
}

/// The longest text taken as a possible name to avoid (氏名 and カナ are at most 100 characters
/// in the OQS layouts; longer texts are not names).
const MAX_NAME_CHARS: usize = 100;

#[cfg(test)]
mod tests {
    use super::shown_code;

    #[test]
    fn only_a_codes_shape_reaches_a_comment() {
        assert_eq!(shown_code("ONS-E0103"), "ONS-E0103");
        assert_eq!(shown_code(" EPS0001 "), "EPS0001");
        for free in [
            "ERR 山田花子様 東京都港区1-2-3",
            "ERR-0001 see log",
            "A-VERY-LONG-CODE-OVER-16",
            "",
        ] {
            let shown = shown_code(free);
            assert!(shown.starts_with("(not a code"), "{free} → {shown}");
        }
    }
}
