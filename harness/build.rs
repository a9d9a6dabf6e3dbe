//! Embeds the scenario library (`scenarios/**`, fixtures included) into the `onshi` binary:
//! writes `$OUT_DIR/library.rs`, a table of (path relative to the library, bytes) that
//! `scenario::library` includes.
//!
//! The library is `harness/scenarios/` when that folder exists (a package published on its
//! own would carry a copy there), otherwise `../scenarios/` beside the harness: the checkout
//! that `cargo build`, `cargo install --path harness` and `cargo install --git` all build
//! from. Every regular file is embedded except names starting with `.` (editor and temporary
//! files); symbolic links are refused, so the binary never carries a file from outside the
//! library.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = [manifest.join("scenarios"), manifest.join("../scenarios")]
        .into_iter()
        .find(|p| p.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "the scenario library is not at {} nor at {}: onshi embeds it at build time \
                 (build from a checkout of the whole repository, or copy scenarios/ into the \
                 harness package)",
                manifest.join("scenarios").display(),
                manifest.join("../scenarios").display()
            )
        });
    // A directory is scanned recursively: a file added, changed or removed rebuilds.
    println!("cargo:rerun-if-changed={}", root.display());
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    walk(&root, "", &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "the scenario library at {} holds no files",
        root.display()
    );
    let mut out = String::from(
        "/// Every file of the scenario library: (path relative to the library, `/`-separated; \
         bytes), sorted by path.\n\
         pub(crate) static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (rel, path) in &files {
        let absolute = path
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let absolute = absolute
            .to_str()
            .unwrap_or_else(|| panic!("{}: the path is not UTF-8", absolute.display()));
        writeln!(out, "    ({rel:?}, include_bytes!({absolute:?})),").expect("string write");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("library.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

/// Regular files below `dir`, with their `/`-separated path relative to the library root.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            panic!("{}: the file name is not UTF-8", path.display());
        };
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        let kind = entry
            .file_type()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if kind.is_symlink() {
            panic!(
                "{}: a symbolic link in the scenario library; the library holds files only",
                path.display()
            );
        } else if kind.is_dir() {
            walk(&path, &format!("{rel}/"), out);
        } else if kind.is_file() {
            out.push((rel, path));
        }
    }
}
