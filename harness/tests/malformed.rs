//! The malformed-scenario corpus: every file in tests/malformed/ must fail to load with a
//! positioned diagnostic (snapshot of the rendered message), and nothing may panic.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use onshi_harness::catalog::Catalog;
use onshi_harness::scenario;

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new("tests/malformed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_is_big_enough() {
    assert!(
        corpus().len() >= 30,
        "only {} malformed files",
        corpus().len()
    );
}

#[test]
fn every_malformed_file_fails_with_a_positioned_diagnostic() {
    let catalog = Catalog::builtin();
    for path in corpus() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let problems = match scenario::open(&path, catalog) {
            Ok(_) => panic!("{name}: loaded without a problem"),
            Err(p) => p,
        };
        assert!(!problems.is_empty(), "{name}");
        for p in &problems {
            assert!(
                p.file.ends_with(&format!("{name}.yaml")) || p.file.contains("malformed"),
                "{name}: {p}"
            );
            assert!(!p.message.is_empty(), "{name}");
            // Every problem names a line, except whole-file ones (unreadable, not UTF-8).
            if !matches!(
                p.code,
                "scenario::not-utf8" | "scenario::unreadable" | "scenario::too-large"
            ) {
                assert!(p.line > 0, "{name}: no line in {p}");
            }
        }
        let rendered: String = problems.iter().map(|p| p.render_plain()).collect();
        insta::assert_snapshot!(name, rendered);
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const VALID: &str = include_str!("../../scenarios/reissue/relink-after-loss.yaml");

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// Mangled scenario text (bytes cut, inserted or replaced) never panics the loader or
        /// the compiler: it loads, or it yields positioned problems.
        #[test]
        fn mangled_scenarios_never_panic(at in 0usize..VALID.len(), cut in 0usize..40, insert in "[ -~\n\t:{}\\[\\]-]{0,12}") {
            let mut bytes = VALID.as_bytes().to_vec();
            let end = (at + cut).min(bytes.len());
            bytes.splice(at..end, insert.bytes());
            let dir = std::env::temp_dir().join(format!("onshi-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(dir.join("reissue")).unwrap();
            let fixtures = dir.join("fixtures");
            if !fixtures.exists() {
                std::fs::create_dir_all(&fixtures).unwrap();
                for f in ["standard.yaml", "taro.yaml"] {
                    std::fs::copy(Path::new("../scenarios/fixtures").join(f), fixtures.join(f)).unwrap();
                }
            }
            let path = dir.join("reissue/mangled.yaml");
            std::fs::write(&path, &bytes).unwrap();
            if let Err(problems) = scenario::open(&path, Catalog::builtin()) {
                prop_assert!(!problems.is_empty());
                for p in problems {
                    prop_assert!(!p.message.is_empty());
                    let _ = p.render_plain();
                }
            }
        }
    }
}
