//! The library's `run.json` (timing removed) is kept in `tests/golden/library-run.json`: a
//! refactor of the runner, the roles or the simulation must leave every verdict, check,
//! expected and actual value and trace line of the scenario library byte-identical.
//!
//! A change that is meant to change the output (a new scenario, a fixed rule) updates the file
//! with `ONSHI_BLESS=1 cargo test -p onshi-harness --test library_golden`; review its diff as
//! you would review the reports.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use onshi_harness::catalog::Catalog;
use onshi_harness::run::{self, RunOptions};

const GOLDEN: &str = "tests/golden/library-run.json";

#[test]
fn the_library_run_json_is_byte_identical_to_the_golden_file() {
    let result = run::run(
        &[PathBuf::from("../scenarios")],
        Catalog::builtin(),
        &RunOptions::default(),
    )
    .unwrap();
    let mut record = result.record;
    record.timing = None;
    // The reference is the oracle: a golden file may never record one of its own failures.
    let failed: Vec<&str> = record
        .scenarios
        .iter()
        .filter(|s| s.verdict == onshi_reports::Verdict::Fail)
        .map(|s| s.id.as_str())
        .collect();
    assert!(
        failed.is_empty(),
        "the library fails against the reference, nothing to bless: {failed:?}"
    );
    let actual = onshi_reports::json::render(&record);
    if std::env::var_os("ONSHI_BLESS").is_some() {
        std::fs::write(GOLDEN, &actual).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap_or_default();
    if golden == actual {
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("library-run.json");
    std::fs::write(&out, &actual).unwrap();
    let first = golden
        .lines()
        .zip(actual.lines())
        .enumerate()
        .find(|(_, (g, a))| g != a)
        .map(|(i, (g, a))| {
            format!(
                "first difference at line {}:\n  golden: {g}\n  actual: {a}",
                i + 1
            )
        })
        .unwrap_or_else(|| {
            format!(
                "the files differ in length ({} vs {} lines)",
                golden.lines().count(),
                actual.lines().count()
            )
        });
    panic!(
        "the library's run.json changed ({first})\nactual written to {}; if the change is \
         intended, run ONSHI_BLESS=1 cargo test -p onshi-harness --test library_golden",
        out.display()
    );
}
