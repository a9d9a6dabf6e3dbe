//! From field files to a scenario that judges a clinic system, with two commands: the files a
//! reference run left (`onshi run --oqs-files`), `onshi import` of them, then `onshi run FILE
//! --adapter CMD`. The imported scenario carries what the reference desk does with each answer
//! (`provider` / `requests` expectations), so it is in the provider suite: the example clinic
//! passes it and a clinic with a realistic bug fails it, naming the requirement.

use std::path::{Path, PathBuf};
use std::process::Command;

const CLINIC: &str = "../examples/clinic-py";

fn onshi(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_onshi"))
        .arg("--lang")
        .arg("en")
        .args(args)
        .output()
        .expect("onshi runs")
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The scenario `onshi import` writes from the files of `scenario`'s reference run.
fn imported(dir: &Path, scenario: &str) -> PathBuf {
    let files = dir.join("files");
    let out = onshi(&[
        "run",
        scenario,
        "--oqs-files",
        files.to_str().unwrap(),
        "--out",
        dir.join("original").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let folder = std::fs::read_dir(&files)
        .unwrap()
        .next()
        .expect("one scenario folder")
        .unwrap()
        .path();
    let yaml = dir.join("issue.yaml");
    let out = onshi(&[
        "import",
        folder.to_str().unwrap(),
        "--out",
        yaml.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    yaml
}

fn run_with(yaml: &Path, adapter: Option<&str>, out: &Path) -> std::process::Output {
    let mut args = vec![
        "run",
        yaml.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let command;
    if let Some(a) = adapter {
        command = format!("python3 {a}");
        args.extend(["--adapter", &command]);
    }
    onshi(&args)
}

#[test]
fn an_imported_job_change_judges_a_clinic_system_with_no_hand_edit() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = imported(dir.path(), "../scenarios/insurance/job-change-no-lag.yaml");
    let written = std::fs::read_to_string(&yaml).unwrap();
    assert!(
        written.contains("\nexpect:\n  - provider: {") && written.contains("  - requests: {"),
        "no desk expectations in:\n{written}"
    );

    let reference = run_with(&yaml, None, &dir.path().join("reference"));
    assert!(reference.status.success(), "{}", text(&reference));

    let clinic = format!("{CLINIC}/adapter.py");
    let good = run_with(&yaml, Some(&clinic), &dir.path().join("clinic"));
    let said = text(&good);
    assert!(good.status.success(), "{said}");
    assert!(
        said.contains("PASS 1 scenario"),
        "the scenario did not run under --adapter: {said}"
    );

    // The numbers kept from the first visit go unnoticed after the job change: a failed
    // `provider` check naming PRV-1, at the imported file's line.
    let mutant = format!("{CLINIC}/mutants/stale_numbers.py");
    let bad = run_with(&yaml, Some(&mutant), &dir.path().join("mutant"));
    let said = text(&bad);
    assert_eq!(bad.status.code(), Some(1), "{said}");
    assert!(
        said.lines()
            .any(|l| l.contains("✗ provider.") && l.contains("PRV-1") && l.contains("issue.yaml:")),
        "no failed provider check naming PRV-1:\n{said}"
    );
}
