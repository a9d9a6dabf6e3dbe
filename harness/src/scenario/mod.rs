//! The scenario language: the YAML model ([`model`]), reading files and includes
//! ([`load`]), checking ([`compile`]) and lowering to a runnable [`plan::Plan`] ([`plan`]:
//! nothing after `compile` reads the YAML model), the name tables between the language and
//! the simulation ([`names`]), problems with file:line:column ([`diag`]), the `validate` lints ([`lint`]), the limits on
//! expansion and problem counts ([`limits`]) and the tree includes must stay in ([`tree`]);
//! the library built into the binary ([`library`]); the closed vocabularies of expectation
//! values ([`vocab`]).

pub mod compile;
pub mod diag;
pub mod library;
pub mod limits;
pub mod lint;
pub mod load;
pub mod model;
pub mod names;
pub mod plan;
pub mod tree;
pub mod vocab;

use std::path::{Path, PathBuf};

pub use diag::Problem;
pub use load::{Loaded, Source};
pub use plan::Plan;

use crate::catalog::Catalog;

/// A scenario loaded and checked.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Files read (index 0: the scenario).
    pub sources: Vec<Source>,
    /// The plan.
    pub plan: Plan,
    /// The parsed file (for lints and listings).
    pub file: model::ScenarioFile,
}

/// Loads and checks one scenario file.
pub fn open(path: &Path, catalog: &Catalog) -> Result<Scenario, Vec<Problem>> {
    let loaded = load::load(path)?;
    let plan = compile::compile(&loaded, catalog)?;
    Ok(Scenario {
        sources: loaded.sources,
        plan,
        file: loaded.scenario,
    })
}

/// Scenario files under the given paths: files as given, folders walked recursively for
/// `*.yaml` / `*.yml`, skipping folders named `fixtures` and names starting with `_` or
/// `.`. Sorted, without duplicates.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Problem> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out).map_err(|e| {
                Problem::new(
                    &load::display_path(p),
                    0,
                    0,
                    "run::unreadable",
                    format!("cannot read the folder: {e}"),
                )
            })?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(Problem::new(
                &load::display_path(p),
                0,
                0,
                "run::no-such-path",
                "no such file or folder".into(),
            ));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        let path = e.path();
        if e.file_type()?.is_dir() {
            if name != "fixtures" {
                walk(&path, out)?;
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// The JSON Schema of scenario files, pretty-printed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(model::ScenarioFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON Schema of fragment files, pretty-printed.
pub fn fragment_schema_json() -> String {
    let schema = schemars::schema_for!(model::FragmentFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
