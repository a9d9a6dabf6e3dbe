//! What the example systems' mutant tests share (`tests/clinic_py.rs`,
//! `tests/registry_proxy.rs`): a mutant's `# breaks:` header, and a certification package's
//! `SHA256SUMS` checked file by file.

#![allow(dead_code)] // each includer uses its own part

use std::collections::BTreeSet;
use std::path::Path;

use sha2::{Digest, Sha256};

/// `# breaks: PRV-3, PRV-2` in a mutant's first 20 lines.
pub fn breaks(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("a readable mutant");
    let line = text
        .lines()
        .take(20)
        .find_map(|l| l.trim().strip_prefix("# breaks:"))
        .unwrap_or_else(|| panic!("{} has no `# breaks: REQ` header", path.display()));
    line.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every file `out/SHA256SUMS` lists, each checked against its hash.
pub fn verified_manifest(out: &Path) -> BTreeSet<String> {
    let manifest = std::fs::read_to_string(out.join("SHA256SUMS")).expect("a manifest");
    let mut listed = BTreeSet::new();
    for line in manifest.lines() {
        let (hex, rel) = line.split_once("  ").expect("`HASH  FILE` lines");
        let bytes = std::fs::read(out.join(rel)).expect("a listed file");
        let got: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, hex, "{rel}");
        listed.insert(rel.to_string());
    }
    listed
}
