//! End to end with a clinic system that is not ours: `examples/clinic-py` (Python, standard
//! library) through the real OQS folders and the adapter protocol. The original passes the
//! whole provider suite; every mutant in `examples/clinic-py/mutants/` fails at least one
//! scenario, and a failed check names the requirement its header says it breaks. Prints the
//! kill rate. `onshi certify` writes a package whose manifest verifies, and exits 0 only for
//! the original.
#![allow(clippy::unwrap_used)]

#[path = "support/mutants.rs"]
mod mutants;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use onshi_harness::adapter::AdapterCommand;
use onshi_harness::catalog::Catalog;
use onshi_harness::roles::{ProviderRole, Roles};
use onshi_harness::run::execute::AdapterRun;
use onshi_harness::run::{self, RunOptions};
use onshi_reports::{RunRecord, Verdict};

use mutants::{breaks, verified_manifest};

const CLINIC: &str = "../examples/clinic-py";

fn suite(adapter: &Path, exchanges: &Path) -> RunRecord {
    let options = RunOptions {
        roles: Roles {
            provider: ProviderRole::Adapter(Arc::new(AdapterRun {
                command: AdapterCommand {
                    command: format!("python3 {}", adapter.display()),
                    timeout: Duration::from_secs(20),
                },
                exchanges: exchanges.to_path_buf(),
                http: true,
            })),
            ..Roles::default()
        },
        timeout: Duration::from_secs(120),
        ..RunOptions::default()
    };
    let result = run::run(
        &[PathBuf::from("../scenarios")],
        Catalog::builtin(),
        &options,
    )
    .unwrap();
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    result.record
}

fn failures(record: &RunRecord) -> (Vec<String>, BTreeSet<String>) {
    let mut scenarios = Vec::new();
    let mut reqs = BTreeSet::new();
    for s in &record.scenarios {
        if s.verdict != Verdict::Fail {
            continue;
        }
        scenarios.push(s.id.clone());
        for c in s.checks.iter().filter(|c| c.verdict == Verdict::Fail) {
            reqs.extend(c.requirements.iter().cloned());
        }
        if s.error.is_some() {
            reqs.extend(s.requirements.iter().cloned());
        }
    }
    (scenarios, reqs)
}

#[test]
fn the_clinic_passes_and_every_mutant_is_killed_naming_its_requirement() {
    let dir = tempfile::tempdir().unwrap();
    let original = suite(
        &Path::new(CLINIC).join("adapter.py"),
        &dir.path().join("original"),
    );
    assert!(
        original.scenarios.len() >= 40,
        "provider suite of {}",
        original.scenarios.len()
    );
    let (failed, _) = failures(&original);
    assert!(failed.is_empty(), "the example clinic fails: {failed:?}");
    assert!(
        original
            .scenarios
            .iter()
            .all(|s| s.verdict == Verdict::Pass),
        "every provider scenario passes (none only skipped or to review)"
    );

    let mut mutants: Vec<PathBuf> = std::fs::read_dir(Path::new(CLINIC).join("mutants"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    mutants.sort();
    assert!(mutants.len() >= 10, "only {} mutants", mutants.len());
    let mut table = Vec::new();
    let mut killed = 0;
    let mut problems = Vec::new();
    for m in &mutants {
        let name = m.file_stem().unwrap().to_string_lossy().to_string();
        let want = breaks(m);
        let record = suite(m, &dir.path().join(&name));
        let (failed, reqs) = failures(&record);
        if !failed.is_empty() {
            killed += 1;
        } else {
            problems.push(format!("{name} survived"));
        }
        if !want.iter().any(|r| reqs.contains(r)) {
            problems.push(format!(
                "{name} breaks {want:?} by its header, but the failed checks cite {reqs:?}"
            ));
        }
        table.push(format!(
            "{name:<24} {:<7} {:<22} {}",
            if failed.is_empty() {
                "SURVIVED"
            } else {
                "killed"
            },
            want.join(","),
            failed.join(", ")
        ));
    }
    let mut report =
        String::from("mutant                   verdict breaks                 failing scenarios\n");
    for row in &table {
        report.push_str(row);
        report.push('\n');
    }
    report.push_str(&format!(
        "kill rate: {killed}/{} ({:.0} %)\n",
        mutants.len(),
        100.0 * killed as f64 / mutants.len() as f64
    ));
    print!("{report}");
    // Also kept for CI, which prints it (cargo test hides a passing test's output).
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clinic-py-kill-rate.txt");
    std::fs::write(&kept, &report).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

fn certify(adapter: &str, out: &Path) -> i32 {
    let status = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .current_dir("..")
        .args(["--lang", "en", "certify", "--role", "provider", "--adapter"])
        .arg(adapter)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    status.status.code().unwrap_or(-1)
}

#[test]
fn certify_writes_a_package_whose_manifest_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cert");
    assert_eq!(
        certify("python3 examples/clinic-py/adapter.py", &out),
        0,
        "the example clinic is certified"
    );
    let listed = verified_manifest(&out);
    for f in [
        "report.html",
        "run.json",
        "junit.xml",
        "summary.md",
        "README.txt",
        "onshi.log",
    ] {
        assert!(listed.contains(f), "{f} not in the manifest");
    }
    // Scenario files keep their layout below the suite's common folder, so includes resolve.
    for prefix in [
        "traces/",
        "scenarios/provider/",
        "scenarios/fixtures/",
        "exchanges/",
    ] {
        assert!(
            listed.iter().any(|p| p.starts_with(prefix)),
            "nothing under {prefix}"
        );
    }
    // Face files onshi wrote and requests the clinic sent (kept in processed/) are there.
    assert!(
        listed
            .iter()
            .any(|p| p.contains("/face/OQSsiquc01res_face_"))
    );
    assert!(
        listed
            .iter()
            .any(|p| p.contains("/processed/OQSsiquc01req_"))
    );

    // A mutant is not certified, and a package is never written over another.
    let mutant = dir.path().join("mutant");
    assert_eq!(
        certify(
            "python3 examples/clinic-py/mutants/ignores_consent.py",
            &mutant
        ),
        1
    );
    assert!(mutant.join("SHA256SUMS").exists());
    assert_eq!(certify("python3 examples/clinic-py/adapter.py", &out), 2);
}
