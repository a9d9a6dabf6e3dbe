//! The malformed-file corpus of `onshi import` (`tests/import_malformed/`, one folder per case,
//! made from files the simulation's encoders wrote and then broken): truncated, not XML, the
//! wrong root, the wrong kind for its name, an unknown element, a bad date, bytes that are not
//! the declared encoding, an unsupported encoding, a bad check digit, a request without its
//! result and a result without its request, a PDF, an exchange onshi does not serve, an
//! unknown kind, an empty file, two files of one name, and an oversize file. Each case is read
//! from disk with a good face file beside it: its diagnostics (file, element, line, rule) are
//! the snapshot, the good file is still imported, nothing panics, and the exit would be 2.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use onshi_harness::cli::import::collect;
use onshi_harness::import::{self, Options};

const CORPUS: &str = "tests/import_malformed";

fn run(inputs: &[PathBuf]) -> String {
    let mut inputs = inputs.to_vec();
    inputs.push(Path::new(CORPUS).join("good"));
    let collected = collect(&inputs);
    let mut out: Vec<String> = collected
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect();
    match import::import(&collected.files, &Options::default()) {
        Ok(i) => {
            out.extend(i.diagnostics.iter().map(|d| d.to_string()));
            assert!(!out.is_empty(), "a malformed case gave no diagnostic");
            out.push(format!(
                "-- scenario written: {} step(s) restate an answer",
                i.restated.len()
            ));
        }
        Err(d) => {
            out.extend(d.iter().map(|d| d.to_string()));
            out.push("-- no scenario written".into());
        }
    }
    out.join("\n")
}

#[test]
fn every_malformed_file_gets_a_diagnostic_naming_it_and_the_good_file_is_still_imported() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "good"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 16, "the corpus lost cases: {cases:?}");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let mut inputs = vec![case.clone()];
        // Folders are searched for *.xml only; a PDF result is given by name.
        for f in walk(&case) {
            if f.extension().is_some_and(|e| e != "xml") {
                inputs.push(f);
            }
        }
        let out = run(&inputs);
        assert!(
            out.contains("-- scenario written"),
            "{name}: the good file was not imported:\n{out}"
        );
        insta::assert_snapshot!(name, out);
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn an_oversize_file_is_refused_without_being_read() {
    let dir = std::env::temp_dir().join(format!("onshi-import-oversize-{}", std::process::id()));
    let face = dir.join("face");
    std::fs::create_dir_all(&face).unwrap();
    let big = face.join("OQSsiquc01res_face_131014321700000000000000000001_20260410091530.xml");
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg>".to_vec();
    bytes.resize(usize::try_from(import::MAX_FILE_BYTES).unwrap() + 1, b' ');
    std::fs::write(&big, &bytes).unwrap();
    let out = run(std::slice::from_ref(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    let out = out.replace(&dir.display().to_string(), "<tmp>");
    insta::assert_snapshot!("15-oversize", out);
    // The pure entry point refuses it too, without decoding it.
    let i = import::import(&[("face/x.xml".into(), bytes)], &Options::default());
    let d = i.expect_err("nothing else to import");
    assert!(d.iter().any(|d| d.rule == "import::too-large"), "{d}");
}

#[test]
fn no_file_at_all_is_an_error_not_an_empty_scenario() {
    let d = import::import(&[], &Options::default()).expect_err("nothing to import");
    assert!(d.iter().any(|d| d.rule == "import::nothing"), "{d}");
}

/// Runs `onshi --lang LANG import ARGS`.
fn onshi(lang: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_onshi"))
        .arg("--lang")
        .arg(lang)
        .arg("import")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_command_writes_the_scenario_says_what_it_kept_and_exits_2_when_a_file_was_left_out() {
    let good = format!("{CORPUS}/good");
    let ok = onshi("en", &[&good]);
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert_eq!(ok.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("# onshi import"));
    assert!(
        stderr.contains("birth dates and dates and times are kept"),
        "{stderr}"
    );
    assert!(
        stderr.contains("face/OQSsiquc01res_face_"),
        "the label table: {stderr}"
    );

    let ja = onshi("ja", &[&good]);
    assert!(String::from_utf8_lossy(&ja.stderr).contains("生年月日と日付・時刻はそのまま残し"));

    let bad = format!("{CORPUS}/01-truncated");
    let partial = onshi("en", &[&good, &bad]);
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert_eq!(partial.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("left out: face/") && stderr.contains("[import::bad-xml]"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&partial.stdout).contains("- visit:"),
        "still written"
    );

    let kept = onshi("en", &[&good, "--keep-names"]);
    assert!(String::from_utf8_lossy(&kept.stderr).contains("warning: --keep-names"));

    let nothing = onshi("en", &[&bad]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(nothing.stdout.is_empty());
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("no scenario was written"));
}

#[test]
fn out_is_written_whole_and_never_replaced_without_force() {
    let dir = std::env::temp_dir().join(format!("onshi-import-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("imported.yaml");
    let out_s = out.display().to_string();
    let good = format!("{CORPUS}/good");
    let first = onshi("en", &[&good, "--out", &out_s, "--id", "field/first"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(first.stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("id: field/first"));
    let again = onshi("en", &[&good, "--out", &out_s]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    let forced = onshi("en", &[&good, "--out", &out_s, "--force"]);
    assert_eq!(forced.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("id: imported/field-20260410")
    );
    let bad_id = onshi("en", &[&good, "--id", "Not An Id"]);
    assert_eq!(bad_id.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
