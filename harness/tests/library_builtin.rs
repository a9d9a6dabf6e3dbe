//! The scenario library built into `onshi` (issue 15, item 2): from a folder with no
//! scenarios, `run`, `validate` and `list` with no path use it; `scenarios export DIR` writes
//! exactly the checkout's `scenarios/` (so `validate DIR` and `run DIR` work); a path on the
//! command line still wins; reports name the library's version and show its files as
//! `onshi:scenarios/...`.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use onshi_harness::scenario::library;

/// Runs onshi in `dir`: (exit code, stdout, stderr).
fn onshi(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["--lang", "en"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Regular files below `dir` (names starting with `.` skipped), `/`-separated, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn the_embedded_library_is_the_checkouts_scenarios_folder() {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let names: Vec<&str> = library::files().iter().map(|(p, _)| *p).collect();
    assert_eq!(names, files_below(&checkout));
    for (rel, bytes) in library::files() {
        assert_eq!(
            std::fs::read(checkout.join(rel)).unwrap(),
            *bytes,
            "{rel} differs from the checkout (rebuild?)"
        );
    }
}

#[test]
fn run_with_no_path_runs_the_built_in_library_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = onshi(&["run", "--out", "r"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    let version = library::version();
    assert!(
        out.contains(&format!("built-in library {version}")),
        "which library ran is not said: {out}"
    );
    let record = onshi_reports::json::parse(
        &std::fs::read_to_string(dir.path().join("r/run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        record.tool,
        format!("onshi {} (library {version})", env!("CARGO_PKG_VERSION"))
    );
    assert!(record.passed());
    // Every scenario file of the library ran (those under fixtures/ are fragments).
    let scenarios = library::files()
        .iter()
        .filter(|(p, _)| !p.split('/').any(|part| part == "fixtures"))
        .count();
    assert_eq!(record.scenarios.len(), scenarios);
    // Paths read the same for everyone: never the temporary folder it was loaded from.
    assert!(!record.files.is_empty());
    for f in &record.files {
        assert!(f.path.starts_with("onshi:scenarios/"), "{}", f.path);
    }
    for s in &record.scenarios {
        assert!(s.file.starts_with("onshi:scenarios/"), "{}", s.file);
    }
    let summary = std::fs::read_to_string(dir.path().join("r/summary.md")).unwrap();
    assert!(
        summary.contains(version),
        "summary.md does not name {version}"
    );
    // Nothing but the reports was written into the working folder.
    assert_eq!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        vec!["r".to_string()]
    );
}

#[test]
fn export_writes_the_library_that_validate_and_run_then_use() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = onshi(&["scenarios", "export", "lib"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(library::version()), "{out}");
    let lib = dir.path().join("lib");
    let names: Vec<&str> = library::files().iter().map(|(p, _)| *p).collect();
    assert_eq!(files_below(&lib), names);
    for (rel, bytes) in library::files() {
        assert_eq!(std::fs::read(lib.join(rel)).unwrap(), *bytes, "{rel}");
    }
    let (code, out, err) = onshi(&["validate", "lib"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 error(s), 0 lint finding(s)"), "{out}");

    // Exported files are ordinary files on the command line: the path wins and shows as given.
    let (code, out, err) = onshi(&["run", "lib/provider", "--out", "r"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("built-in library"), "{out}");
    let record = onshi_reports::json::parse(
        &std::fs::read_to_string(dir.path().join("r/run.json")).unwrap(),
    )
    .unwrap();
    assert!(record.files.iter().all(|f| f.path.starts_with("lib/")));
    assert!(
        record.tool.contains("scenarios from the command line")
            && record.tool.contains(library::version()),
        "{}",
        record.tool
    );

    // A folder with something in it is refused, unless --force; --force keeps other files.
    std::fs::write(lib.join("mine.yaml"), "# my own\n").unwrap();
    std::fs::write(lib.join("fixtures/standard.yaml"), "# edited\n").unwrap();
    let (code, _, err) = onshi(&["scenarios", "export", "lib"], dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("not empty") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(lib.join("fixtures/standard.yaml")).unwrap(),
        "# edited\n"
    );
    let (code, out, err) = onshi(&["scenarios", "export", "lib", "--force"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(lib.join("mine.yaml")).unwrap(),
        "# my own\n"
    );
    assert_ne!(
        std::fs::read_to_string(lib.join("fixtures/standard.yaml")).unwrap(),
        "# edited\n"
    );
    // A file is not a folder.
    let (code, _, err) = onshi(&["scenarios", "export", "lib/mine.yaml"], dir.path());
    assert_eq!(code, 2, "{err}");
}

#[test]
fn validate_and_list_with_no_path_use_the_library_even_beside_a_scenarios_folder() {
    let dir = tempfile::tempdir().unwrap();
    // A `scenarios/` folder in the working folder is not picked up implicitly.
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    std::fs::write(dir.path().join("scenarios/broken.yaml"), "id: [\n").unwrap();
    let (code, out, err) = onshi(&["validate"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("built-in library"), "{err}");
    let (code, out, err) = onshi(&["list"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("provider/paper-limit-answer"), "{out}");
    // Given on the command line, the folder wins.
    let (code, _, err) = onshi(&["validate", "scenarios"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("scenarios/broken.yaml"), "{err}");
}

#[test]
fn version_names_the_built_in_library() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = onshi(&["--version"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        format!(
            "onshi {} (scenario library {})",
            env!("CARGO_PKG_VERSION"),
            library::version()
        )
    );
}
