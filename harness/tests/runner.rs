//! The runner end to end: determinism, parallel isolation, timeouts, partitions, the
//! committed schema, and the CLI's exit codes.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use onshi_harness::catalog::Catalog;
use onshi_harness::run::{self, Partition, RunOptions};

fn library() -> Vec<PathBuf> {
    vec![PathBuf::from("../scenarios")]
}

fn without_timing(mut r: onshi_reports::RunRecord) -> String {
    r.timing = None;
    onshi_reports::json::render(&r)
}

#[test]
fn the_same_files_and_seed_give_byte_identical_json() {
    let opts = RunOptions {
        seed: 7,
        ..RunOptions::default()
    };
    let a = run::run(&library(), Catalog::builtin(), &opts).unwrap();
    let b = run::run(
        &library(),
        Catalog::builtin(),
        &RunOptions {
            jobs: 1,
            ..opts.clone()
        },
    )
    .unwrap();
    assert!(a.record.scenarios.len() > 1);
    assert_eq!(without_timing(a.record), without_timing(b.record));
}

#[test]
fn a_different_seed_changes_serials_but_not_verdicts() {
    let a = run::run(
        &library(),
        Catalog::builtin(),
        &RunOptions {
            seed: 1,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let b = run::run(
        &library(),
        Catalog::builtin(),
        &RunOptions {
            seed: 2,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let verdicts = |r: &onshi_reports::RunRecord| {
        r.scenarios
            .iter()
            .map(|s| (s.id.clone(), s.verdict))
            .collect::<Vec<_>>()
    };
    assert_eq!(verdicts(&a.record), verdicts(&b.record));
    assert_ne!(without_timing(a.record), without_timing(b.record));
}

#[test]
fn every_scenario_times_out_alone_and_the_run_still_finishes() {
    let opts = RunOptions {
        timeout: Duration::from_nanos(1),
        ..RunOptions::default()
    };
    let r = run::run(&library(), Catalog::builtin(), &opts).unwrap();
    assert!(!r.record.scenarios.is_empty());
    let timed_out = r
        .record
        .scenarios
        .iter()
        .filter(|s| s.error.as_deref().is_some_and(|e| e.contains("timed out")))
        .count();
    // Some may finish within a nanosecond budget on a fast machine; none may be lost.
    assert!(timed_out > 0);
    assert_eq!(
        r.record.scenarios.len(),
        run::run(&library(), Catalog::builtin(), &RunOptions::default())
            .unwrap()
            .record
            .scenarios
            .len()
    );
}

#[test]
fn partitions_split_the_library_and_merge_back() {
    let whole = run::run(&library(), Catalog::builtin(), &RunOptions::default())
        .unwrap()
        .record;
    let mut parts = Vec::new();
    for k in 1..=3 {
        let opts = RunOptions {
            partition: Some(Partition::Hash { k, n: 3 }),
            ..RunOptions::default()
        };
        parts.push(
            run::run(&library(), Catalog::builtin(), &opts)
                .unwrap()
                .record,
        );
    }
    let total: usize = parts.iter().map(|p| p.scenarios.len()).sum();
    assert_eq!(total, whole.scenarios.len());
    let merged = onshi_reports::merge::merge(parts).unwrap();
    let ids =
        |r: &onshi_reports::RunRecord| r.scenarios.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&merged), ids(&whole));
    assert_eq!(merged.partitions.len(), 3);
}

#[test]
fn the_committed_schemas_match_the_code() {
    let committed = std::fs::read_to_string("../schema/scenario.schema.json").unwrap();
    assert_eq!(
        committed,
        onshi_harness::scenario::schema_json(),
        "run `onshi schema > schema/scenario.schema.json`"
    );
    let committed = std::fs::read_to_string("../schema/fragment.schema.json").unwrap();
    assert_eq!(
        committed,
        onshi_harness::scenario::fragment_schema_json(),
        "run `onshi schema --fragment > schema/fragment.schema.json`"
    );
    let committed = std::fs::read_to_string("../schema/adapter-protocol.schema.json").unwrap();
    assert_eq!(
        committed,
        onshi_harness::adapter::protocol::schema_json(),
        "run `onshi schema --adapter > schema/adapter-protocol.schema.json`"
    );
}

fn onshi(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("onshi-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const PASSING: &str = "id: t/pass
title: { en: passes }
requirements: [REG-4]
start: 2026-04-01T09:00
world:
  insurers: [{ id: kyokai, number: \"01130012\", name: 協会けんぽ }]
  institutions: [{ id: clinic, code: \"1310143217\", name: オンシ内科 }]
  people:
    - id: taro
      born: 1980-05-10
      card: { issued: 2024-06-01 }
      insurance: [{ insurer: kyokai, number: \"5678\", from: 2015-04-01 }]
      registered: { on: 2024-06-10T10:00 }
steps:
  - visit: { person: taro, at: clinic, fee: 10000 }
expect:
  - confirmation: { validity: 1, copay_percent: 30 }
  - provider: { charged: 3000 }
";

#[test]
fn exit_codes_are_0_pass_1_fail_2_input_error() {
    let dir = temp_dir("exit");
    std::fs::write(dir.join("pass.yaml"), PASSING).unwrap();
    let (code, stdout, _) = onshi(&["--lang", "en", "run", "pass.yaml", "--out", "out"], &dir);
    assert_eq!(code, 0, "{stdout}");
    for f in ["junit.xml", "run.json", "report.html", "summary.md"] {
        assert!(dir.join("out").join(f).is_file(), "{f} missing");
    }
    std::fs::write(
        dir.join("fail.yaml"),
        PASSING
            .replace("charged: 3000", "charged: 9999")
            .replace("t/pass", "t/fail"),
    )
    .unwrap();
    let (code, stdout, _) = onshi(&["--lang", "en", "run", "fail.yaml", "--out", "out2"], &dir);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("provider.charged"), "{stdout}");
    assert!(
        stdout.contains("9999") && stdout.contains("3000"),
        "{stdout}"
    );
    std::fs::write(
        dir.join("bad.yaml"),
        PASSING.replace("person: taro, at", "persn: taro, at"),
    )
    .unwrap();
    let (code, _, stderr) = onshi(
        &[
            "--lang",
            "en",
            "run",
            "bad.yaml",
            "pass.yaml",
            "--out",
            "out3",
        ],
        &dir,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad.yaml:15:"), "{stderr}");
    assert!(stderr.contains("did you mean `person`"), "{stderr}");
    // The good file still ran and is in the report.
    let json = std::fs::read_to_string(dir.join("out3/run.json")).unwrap();
    assert!(json.contains("\"t/pass\""));
    let (code, _, _) = onshi(&["validate", "pass.yaml"], &dir);
    assert_eq!(code, 0);
    let (code, _, _) = onshi(&["validate", "bad.yaml"], &dir);
    assert_eq!(code, 2);
    let (code, _, _) = onshi(&["run", "--partition", "hash:0/2", "pass.yaml"], &dir);
    assert_eq!(code, 2);
    let (code, _, _) = onshi(&["explain", "REG-2"], &dir);
    assert_eq!(code, 0);
    let (code, _, _) = onshi(&["explain", "NOPE-1"], &dir);
    assert_eq!(code, 2);
}

#[test]
fn new_writes_a_scenario_that_validates_and_passes() {
    let dir = temp_dir("new");
    std::fs::create_dir_all(dir.join("scenarios/fixtures")).unwrap();
    std::fs::copy(
        "../scenarios/fixtures/standard.yaml",
        dir.join("scenarios/fixtures/standard.yaml"),
    )
    .unwrap();
    let (code, _, err) = onshi(&["new", "demo/first"], &dir);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = onshi(&["new", "demo/first"], &dir);
    assert_eq!(code, 2, "overwrote: {err}");
    let (code, out, err) = onshi(&["--lang", "en", "run", "scenarios", "--out", "r"], &dir);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn report_rerenders_and_merges() {
    let dir = temp_dir("report");
    std::fs::write(dir.join("pass.yaml"), PASSING).unwrap();
    let (code, _, _) = onshi(
        &["run", "pass.yaml", "--out", "a", "--partition", "slice:1/1"],
        &dir,
    );
    assert_eq!(code, 0);
    let (code, _, err) = onshi(&["report", "a/run.json", "--out", "b"], &dir);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("a/junit.xml")).unwrap(),
        std::fs::read_to_string(dir.join("b/junit.xml")).unwrap()
    );
    let (code, _, err) = onshi(
        &["report", "merge", "a/run.json", "a/run.json", "--out", "c"],
        &dir,
    );
    assert_eq!(code, 2, "merging a part with itself must fail: {err}");
}

#[test]
fn a_fails_step_passes_only_when_the_step_is_refused_for_the_stated_reason() {
    let dir = temp_dir("fails");
    let with = |fails: &str| {
        PASSING.replace(
            "steps:\n",
            &format!("steps:\n  - card.return: {{ person: taro }}\n{fails}"),
        )
    };
    let refused = "  - fails: { error: 返納, step: { visit: { person: taro, at: clinic } } }\n";
    let wrong_reason =
        "  - fails: { error: lost, step: { visit: { person: taro, at: clinic } } }\n";
    let accepted = "  - fails: { step: { confirm.numbers: { person: taro, at: clinic } } }\n";
    let cases = [
        ("refused", refused, 0, "pass"),
        (
            "wrong-reason",
            wrong_reason,
            1,
            "refused, but not for the expected reason",
        ),
        ("accepted", accepted, 1, "it went through"),
    ];
    for (name, fails, want_code, want_text) in cases {
        // The visit after the return is only the `fails` one: drop the plain one.
        let text = with(fails)
            .replace("  - visit: { person: taro, at: clinic, fee: 10000 }\n", "")
            .replace(
                "expect:\n  - confirmation: { validity: 1, copay_percent: 30 }\n  - provider: { charged: 3000 }\n",
                "",
            );
        std::fs::write(dir.join(format!("{name}.yaml")), text).unwrap();
        let out = format!("out-{name}");
        let (code, stdout, stderr) = onshi(
            &[
                "--lang",
                "en",
                "run",
                &format!("{name}.yaml"),
                "--out",
                &out,
            ],
            &dir,
        );
        assert_eq!(code, want_code, "{name}: {stdout}{stderr}");
        let json = std::fs::read_to_string(dir.join(&out).join("run.json")).unwrap();
        let run: serde_json::Value = serde_json::from_str(&json).unwrap();
        let check = &run["scenarios"][0]["checks"][0];
        assert_eq!(check["name"], "fails", "{name}: {json}");
        let shown = format!("{} {}", check["verdict"], check["note"]);
        assert!(shown.contains(want_text), "{name}: {shown}");
    }
}

#[test]
fn hostile_run_inputs_get_clear_errors() {
    let dir = temp_dir("hostile-run");
    std::fs::create_dir_all(dir.join("suite")).unwrap();
    std::fs::write(dir.join("suite/a.yaml"), PASSING).unwrap();
    std::fs::write(dir.join("suite/b.yaml"), PASSING).unwrap();
    // Two files with one id: an error for run (they would share reports and OQS folders).
    let (code, _, err) = onshi(&["--lang", "en", "run", "suite", "--out", "o"], &dir);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("scenario id `t/pass` is also used by"),
        "{err}"
    );
    assert!(!dir.join("o/run.json").exists());
    // An empty folder: no PASS, no reports, the same exit code for run and validate.
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let (code, out, err) = onshi(&["--lang", "en", "run", "empty", "--out", "e"], &dir);
    assert_eq!(code, 2, "{err}");
    assert!(!out.contains("PASS"), "{out}");
    assert!(err.contains("no scenario"), "{err}");
    let (code, _, err) = onshi(&["--lang", "en", "validate", "empty"], &dir);
    assert_eq!(code, 2, "{err}");
    // --jobs far beyond the work is capped, not a crash.
    let (code, out, err) = onshi(
        &[
            "--lang",
            "en",
            "run",
            "suite/a.yaml",
            "--jobs",
            "20000",
            "--out",
            "j",
        ],
        &dir,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("--jobs 20000: capped at 256"), "{err}");
    // `report` on something that is not a bounded regular file.
    let (code, _, err) = onshi(&["--lang", "en", "report", "/dev/zero", "--out", "z"], &dir);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/dev/zero: not a regular file"), "{err}");
}

#[test]
fn merging_an_incomplete_set_of_partitions_needs_allow_partial() {
    let dir = temp_dir("partial");
    std::fs::write(dir.join("pass.yaml"), PASSING).unwrap();
    std::fs::write(dir.join("two.yaml"), PASSING.replace("t/pass", "t/other")).unwrap();
    for k in 1..=2 {
        let (code, out, err) = onshi(
            &[
                "run",
                "pass.yaml",
                "two.yaml",
                "--out",
                &format!("p{k}"),
                "--partition",
                &format!("slice:{k}/3"),
            ],
            &dir,
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    let (code, _, err) = onshi(
        &[
            "--lang",
            "en",
            "report",
            "merge",
            "p1/run.json",
            "p2/run.json",
            "--out",
            "m",
        ],
        &dir,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not slice:3/3"), "{err}");
    let (code, out, err) = onshi(
        &[
            "--lang",
            "en",
            "report",
            "merge",
            "p1/run.json",
            "p2/run.json",
            "--out",
            "m",
            "--allow-partial",
        ],
        &dir,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PARTIAL PASS"), "{out}");
    assert!(err.contains("missing partitions: slice:3/3"), "{err}");
    let md = std::fs::read_to_string(dir.join("m/summary.md")).unwrap();
    assert!(md.contains("| Missing partitions | slice:3/3 |"), "{md}");
}
