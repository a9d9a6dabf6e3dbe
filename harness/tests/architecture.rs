//! The shape the project keeps (ARCHITECTURE.md): no source file of the harness over 800
//! lines (a bigger one is two modules), and the runner never reads the YAML model (the plan
//! is lowered once, in `scenario::compile`).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(sub: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root.join(sub), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.strip_prefix(&root).unwrap().display().to_string(), text)
        })
        .collect()
}

#[test]
fn no_harness_source_file_is_over_800_lines() {
    let over: Vec<String> = sources("")
        .into_iter()
        .filter(|(_, text)| text.lines().count() > 800)
        .map(|(path, text)| format!("{path}: {} lines", text.lines().count()))
        .collect();
    assert!(over.is_empty(), "split these by concept: {over:#?}");
}

#[test]
fn the_runner_and_the_roles_never_read_the_yaml_model() {
    let mut readers = Vec::new();
    for sub in ["run", "roles"] {
        for (path, text) in sources(sub) {
            if text.contains("scenario::model") {
                readers.push(path);
            }
        }
    }
    assert!(
        readers.is_empty(),
        "these read scenario::model; lower what they need into scenario::plan: {readers:?}"
    );
}
