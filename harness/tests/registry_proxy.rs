//! End to end with a registry under test that is not onshi's own process:
//! `examples/registry-proxy` (Python, standard library) starts `onshi serve-registry`, feeds it
//! the registry feed it gets over the adapter protocol and forwards every question over HTTP.
//! The original passes the whole registry suite; every mutant in
//! `examples/registry-proxy/mutants/` (one realistic registry bug each) fails at least one of
//! the scenarios that cite the requirement its header says it breaks, and a failed check there
//! names that requirement (each mutant runs those scenarios only: the contract is that the
//! suite's scenarios about a rule catch a bug in it, and it keeps CI within its time). Prints the kill
//! table. `onshi certify --role registry` writes a package whose manifest verifies, and exits 0
//! only for the original.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mutants.rs"]
mod mutants;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use onshi_harness::adapter::AdapterCommand;
use onshi_harness::catalog::Catalog;
use onshi_harness::roles::Roles;
use onshi_harness::roles::registry::{RegistryLink, RegistryRole, RegistryUnderTest};
use onshi_harness::run::{self, RunOptions};
use onshi_reports::{RunRecord, Verdict};

use mutants::{breaks, verified_manifest};

const PROXY: &str = "../examples/registry-proxy";
const ONSHI: &str = env!("CARGO_BIN_EXE_onshi");

fn suite(adapter: &Path) -> RunRecord {
    run_paths(adapter, &[PathBuf::from("../scenarios")])
}

/// The registry-suite scenarios of the library that cite one of `ids` (at the top or on an
/// expectation).
fn citing(ids: &[String]) -> Vec<PathBuf> {
    let (ok, bad) = run::load_all(&[PathBuf::from("../scenarios")], Catalog::builtin()).unwrap();
    assert!(bad.is_empty());
    ok.iter()
        .filter(|s| s.plan.registry_suite())
        .filter(|s| {
            let mut cited = s
                .plan
                .requirements
                .iter()
                .chain(s.plan.expect.iter().flat_map(|e| e.requirements.iter()));
            cited.any(|r| ids.contains(r))
        })
        .map(|s| s.sources[0].path.clone())
        .collect()
}

fn run_paths(adapter: &Path, paths: &[PathBuf]) -> RunRecord {
    let options = RunOptions {
        roles: Roles {
            registry: RegistryRole::UnderTest(Arc::new(RegistryUnderTest {
                link: RegistryLink::Adapter(AdapterCommand {
                    // The runner is this test binary: name the onshi that serves the registry.
                    command: format!("ONSHI_BIN={ONSHI} python3 {}", adapter.display()),
                    timeout: Duration::from_secs(20),
                }),
                timeout: Duration::from_secs(20),
                exchanges: None,
            })),
            ..Roles::default()
        },
        timeout: Duration::from_secs(120),
        ..RunOptions::default()
    };
    let result = run::run(paths, Catalog::builtin(), &options).unwrap();
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    result.record
}

/// The failed scenarios, and the requirements of their failed checks.
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
    }
    (scenarios, reqs)
}

#[test]
fn the_proxy_passes_and_every_mutant_is_killed_naming_its_requirement() {
    let original = suite(&Path::new(PROXY).join("proxy.py"));
    assert!(
        original.scenarios.len() >= 100,
        "registry suite of {}",
        original.scenarios.len()
    );
    let (failed, _) = failures(&original);
    let errors: Vec<String> = original
        .scenarios
        .iter()
        .filter(|s| s.verdict != Verdict::Pass)
        .map(|s| {
            format!(
                "{}: {:?} {}",
                s.id,
                s.verdict,
                s.error.clone().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        failed.is_empty() && errors.is_empty(),
        "the example registry does not pass: {errors:#?}"
    );
    let compared = original
        .scenarios
        .iter()
        .flat_map(|s| &s.checks)
        .filter(|c| c.name.starts_with("registry_under_test.") && c.verdict == Verdict::Pass)
        .count();
    assert!(compared > 1000, "only {compared} registry checks passed");

    let mut mutants: Vec<PathBuf> = std::fs::read_dir(Path::new(PROXY).join("mutants"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    mutants.sort();
    assert!(mutants.len() >= 8, "only {} mutants", mutants.len());
    let mut table = Vec::new();
    let mut killed = 0;
    let mut problems = Vec::new();
    for m in &mutants {
        let name = m.file_stem().unwrap().to_string_lossy().to_string();
        let want = breaks(m);
        let scenarios = citing(&want);
        assert!(!scenarios.is_empty(), "{name}: no scenario cites {want:?}");
        let record = run_paths(m, &scenarios);
        let (failed, reqs) = failures(&record);
        if failed.is_empty() {
            problems.push(format!("{name} survived"));
        } else {
            killed += 1;
        }
        if !want.iter().any(|r| reqs.contains(r)) {
            problems.push(format!(
                "{name} breaks {want:?} by its header, but the failed checks cite {reqs:?}"
            ));
        }
        let shown: Vec<&str> = failed.iter().take(4).map(String::as_str).collect();
        table.push(format!(
            "{name:<30} {:<8} {:<12} {}{}",
            if failed.is_empty() {
                "SURVIVED"
            } else {
                "killed"
            },
            want.join(","),
            shown.join(", "),
            if failed.len() > 4 {
                format!(" (+{} more)", failed.len() - 4)
            } else {
                String::new()
            }
        ));
    }
    let mut report =
        String::from("mutant                         verdict  breaks       failing scenarios\n");
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
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("registry-proxy-kill-table.txt");
    std::fs::write(&kept, &report).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

fn certify(adapter: &str, out: &Path) -> i32 {
    let status = Command::new(ONSHI)
        .current_dir("..")
        .args(["--lang", "en", "certify", "--role", "registry", "--adapter"])
        .arg(adapter)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    status.status.code().unwrap_or(-1)
}

#[test]
fn certify_writes_a_registry_package_whose_manifest_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cert");
    assert_eq!(
        certify("python3 examples/registry-proxy/proxy.py", &out),
        0,
        "the example registry is certified"
    );
    let listed = verified_manifest(&out);
    for f in [
        "report.html",
        "run.json",
        "junit.xml",
        "summary.md",
        "README.txt",
    ] {
        assert!(listed.contains(f), "{f} is not in the manifest");
    }
    // Every question, answer and reference answer of a scenario is in the package.
    let kept: Vec<&String> = listed
        .iter()
        .filter(|f| f.starts_with("exchanges/reissue__relink-after-loss/"))
        .collect();
    assert!(
        kept.iter().any(|f| f.ends_with("-card.request"))
            && kept.iter().any(|f| f.ends_with("-card.answer"))
            && kept.iter().any(|f| f.ends_with("-card.reference.xml")),
        "{kept:?}"
    );
    let readme = std::fs::read_to_string(out.join("README.txt")).unwrap();
    assert!(
        readme.contains("registry: under test (registry adapter"),
        "{readme}"
    );
    // A mutant is not certified; its package still verifies.
    let bad = dir.path().join("bad");
    assert_eq!(
        certify(
            "python3 examples/registry-proxy/mutants/no_insurer_lag.py",
            &bad
        ),
        1
    );
    assert!(bad.join("SHA256SUMS").exists());
}
