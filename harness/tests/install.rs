//! `cargo install --path harness` gives a working `onshi` (issue 15, item 2): installed into a
//! temporary root, it certifies the example clinic from an empty folder, with the scenario
//! library built into the binary; the package's `SHA256SUMS` verifies with `sha256sum -c`, and
//! its README and run.json name the library's version.
//!
//! The install builds in release mode with `CARGO_TARGET_DIR` set to this build's target
//! folder, so it reuses the release build of the dependencies (`cargo build --release`, CI's
//! `cargo run --release`); the first time on a fresh machine it compiles them (minutes). It
//! tries `--offline` first and goes online only if that fails. How long it took is printed and
//! kept in `target/tmp/install-timing.txt`.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use onshi_harness::scenario::library;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The target folder of this build (`CARGO_TARGET_TMPDIR` is `<target>/tmp`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn install(root: &Path, offline: bool) -> std::process::Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("install")
        .arg("--path")
        .arg(repo().join("harness"))
        .arg("--root")
        .arg(root)
        .args(["--locked", "--quiet"])
        .env("CARGO_TARGET_DIR", target_dir())
        // Not the outer `cargo test`'s settings: a plain install.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .current_dir(root);
    if offline {
        cmd.arg("--offline");
    }
    cmd.output().unwrap()
}

#[test]
fn an_installed_onshi_certifies_the_example_clinic_from_an_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let started = Instant::now();
    let mut out = install(&root, true);
    if !out.status.success() {
        eprintln!(
            "offline install failed, trying online:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out = install(&root, false);
    }
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "cargo install failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let timing = format!(
        "cargo install --path harness: {:.1} s\n",
        took.as_secs_f64()
    );
    eprint!("{timing}");
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-timing.txt"),
        &timing,
    );
    let onshi = root.join("bin/onshi");
    assert!(onshi.is_file(), "no {}", onshi.display());

    // An empty working folder: no scenarios/, no checkout.
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let pkg = tmp.path().join("out/pkg");
    let adapter = format!(
        "python3 {}",
        repo().join("examples/clinic-py/adapter.py").display()
    );
    let run = Command::new(&onshi)
        .args(["--lang", "en", "certify", "--role", "provider", "--adapter"])
        .arg(&adapter)
        .arg("--out")
        .arg(&pkg)
        .current_dir(&work)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let version = library::version();
    assert!(
        stdout.contains(&format!("built-in library {version}")),
        "{stdout}"
    );
    // Certifying wrote nothing into the working folder.
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 0);

    let check = Command::new("sha256sum")
        .args(["--quiet", "-c", "SHA256SUMS"])
        .current_dir(&pkg)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "sha256sum -c: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let readme = std::fs::read_to_string(pkg.join("README.txt")).unwrap();
    assert!(
        readme.contains(&format!("library: {version} (built into onshi")),
        "{readme}"
    );
    let record =
        onshi_reports::json::parse(&std::fs::read_to_string(pkg.join("run.json")).unwrap())
            .unwrap();
    assert!(
        record.tool.contains(&format!("(library {version})")),
        "{}",
        record.tool
    );
    assert!(
        record
            .files
            .iter()
            .all(|f| f.path.starts_with("onshi:scenarios/")),
        "{:?}",
        record.files
    );
    // The package holds the library files that ran, in their layout, byte for byte.
    for f in &record.files {
        let rel = f.path.strip_prefix("onshi:scenarios/").unwrap();
        let bytes = std::fs::read(pkg.join("scenarios").join(rel)).unwrap();
        assert_eq!(Some(&bytes[..]), library::embedded(&f.path), "{rel}");
    }
    assert!(pkg.join("scenarios/fixtures/standard.yaml").is_file());
}
