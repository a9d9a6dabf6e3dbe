//! The scenario library built into `onshi`: every file of `scenarios/` (fixtures included),
//! embedded at build time (`harness/build.rs`), so an installed binary runs and certifies
//! without a checkout.
//!
//! - [`version`]: the library's version, `<crate version>+<8 hex>`, the hex being the start
//!   of the SHA-256 of the library's manifest (see [`version`]); it is in every report's
//!   `tool` ([`tool`]) and in a certification package's README ([`provenance`]).
//! - [`Materialized`]: the library written into a private temporary folder for one command,
//!   so it goes through the normal loader (same problems, includes and tree rule as a folder
//!   on disk). While it lives, paths below it are shown as `onshi:scenarios/<path>`
//!   ([`display`], used by [`super::load::display_path`]): the same for every user and
//!   machine, never the temporary folder.
//! - [`export`]: the library written into a folder to read or extend (`onshi scenarios
//!   export DIR`).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{OnceLock, RwLock};

use sha2::{Digest, Sha256};

use super::load::hex;

include!(concat!(env!("OUT_DIR"), "/library.rs"));

/// How paths inside the built-in library are shown in messages and reports.
pub const DISPLAY_ROOT: &str = "onshi:scenarios";

/// Every file of the library: (path relative to the library, `/`-separated; bytes), sorted by
/// path.
pub fn files() -> &'static [(&'static str, &'static [u8])] {
    FILES
}

/// The library's version: the crate version, `+`, and the first 8 hex digits of the SHA-256
/// of its manifest, the text `sha256sum` prints for its files (`<hex>  <path>\n` per file,
/// sorted by path); e.g. `0.1.0+1a2b3c4d`. The same files give the same version.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let digest = Sha256::digest(manifest().as_bytes());
        format!("{}+{}", env!("CARGO_PKG_VERSION"), &hex(&digest)[..8])
    })
}

/// What `onshi --version` prints after the name: the binary's version and the version of the
/// scenario library built into it (`0.1.0 (scenario library 0.1.0+1a2b3c4d)`).
pub fn cli_version() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{} (scenario library {})",
            env!("CARGO_PKG_VERSION"),
            version()
        )
    })
}

/// The library's files as `sha256sum` lists them (`<hex>  <path>\n`, sorted by path).
pub fn manifest() -> String {
    FILES
        .iter()
        .map(|(path, bytes)| format!("{}  {path}\n", hex(&Sha256::digest(bytes))))
        .collect()
}

/// The SHA-256 (lower-case hex) of every library file.
fn hashes() -> &'static BTreeSet<String> {
    static HASHES: OnceLock<BTreeSet<String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        FILES
            .iter()
            .map(|(_, bytes)| hex(&Sha256::digest(bytes)))
            .collect()
    })
}

/// The bytes of a library file by its display form (`onshi:scenarios/<path>`, `.` and `..`
/// resolved); `None` for any other path.
pub fn embedded(display: &str) -> Option<&'static [u8]> {
    resolve(display).map(|(_, bytes)| bytes)
}

/// A library file by its display form (`.` and `..` resolved, never above the library's
/// root): its normalized display form and bytes; `None` for any other path.
pub fn resolve(display: &str) -> Option<(String, &'static [u8])> {
    let rel = display.strip_prefix(DISPLAY_ROOT)?.strip_prefix('/')?;
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let rel = parts.join("/");
    FILES
        .binary_search_by(|(p, _)| (*p).cmp(rel.as_str()))
        .ok()
        .map(|i| (format!("{DISPLAY_ROOT}/{rel}"), FILES[i].1))
}

/// How an include entry names a fixture of the built-in library from any suite:
/// `onshi:standard` is the library's `fixtures/standard.yaml`.
pub const FIXTURE_PREFIX: &str = "onshi:";

/// The names of the library's fixtures that `onshi:<name>` can include (the files of its
/// top-level `fixtures/` folder), sorted.
pub fn fixture_names() -> Vec<&'static str> {
    FILES
        .iter()
        .filter_map(|(p, _)| p.strip_prefix("fixtures/")?.strip_suffix(".yaml"))
        .filter(|n| !n.contains('/'))
        .collect()
}

/// The library fixture an `onshi:<name>` include names: its display form and bytes.
pub fn fixture(name: &str) -> Option<(String, &'static [u8])> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return None;
    }
    resolve(&format!("{DISPLAY_ROOT}/fixtures/{name}.yaml"))
}

/// Which scenarios a command ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The built-in library (no path on the command line).
    BuiltIn,
    /// Files or folders given on the command line.
    CommandLine,
}

/// The `tool` of a run record: `onshi 0.1.0 (library 0.1.0+1a2b3c4d)` when the built-in
/// library ran; with paths from the command line, `onshi 0.1.0 (scenarios from the command
/// line; built-in library 0.1.0+1a2b3c4d)`. It never depends on which files a partition
/// drew, so partitioned runs of one command still merge.
pub fn tool(origin: Origin) -> String {
    let onshi = env!("CARGO_PKG_VERSION");
    match origin {
        Origin::BuiltIn => format!("onshi {onshi} (library {})", version()),
        Origin::CommandLine => format!(
            "onshi {onshi} (scenarios from the command line; built-in library {})",
            version()
        ),
    }
}

/// Which library the files of a run record are, for a certification package's README: the
/// built-in one (every path `onshi:scenarios/...`), or files from the command line and how
/// many of them differ from every built-in file.
pub fn provenance(files: &[onshi_reports::record::FileHash]) -> String {
    let v = version();
    let root = format!("{DISPLAY_ROOT}/");
    if !files.is_empty() && files.iter().all(|f| f.path.starts_with(&root)) {
        return format!("{v} (built into onshi; scenarios/ holds the files that ran)");
    }
    let differ = files
        .iter()
        .filter(|f| !hashes().contains(&f.sha256))
        .count();
    if differ == 0 {
        format!(
            "scenario files from the command line, each identical to a file of onshi's \
             built-in library {v}"
        )
    } else {
        format!(
            "scenario files from the command line; {differ} of {} differ from every file of \
             onshi's built-in library {v}",
            files.len()
        )
    }
}

/// Roots of the libraries written out for loading (see [`Materialized`]).
static MOUNTS: RwLock<Vec<PathBuf>> = RwLock::new(Vec::new());

/// The display form of a path inside a [`Materialized`] library (`onshi:scenarios/<path>`,
/// the library's root itself as `onshi:scenarios`); `None` for any other path.
pub fn display(path: &Path) -> Option<String> {
    let mounts = MOUNTS.read().unwrap_or_else(|e| e.into_inner());
    let rel = mounts
        .iter()
        .find_map(|root| path.strip_prefix(root).ok())?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    Some(if rel.is_empty() {
        DISPLAY_ROOT.to_string()
    } else {
        format!("{DISPLAY_ROOT}/{rel}")
    })
}

/// The built-in library written into a private temporary folder (mode 0700, removed when
/// this is dropped), to be loaded like any folder. While it lives, paths below it display as
/// `onshi:scenarios/...`.
#[derive(Debug)]
pub struct Materialized {
    /// Keeps the folder until drop.
    _dir: tempfile::TempDir,
    /// The library's root (absolute).
    root: PathBuf,
}

impl Materialized {
    /// Writes the library into a new temporary folder.
    pub fn new() -> std::io::Result<Materialized> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("onshi-library-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder.tempdir()?;
        let base = if dir.path().is_absolute() {
            dir.path().to_path_buf()
        } else {
            std::env::current_dir()?.join(dir.path())
        };
        let root = base.join("scenarios");
        for (rel, bytes) in FILES {
            let target = root.join(rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, bytes)?;
        }
        MOUNTS
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(root.clone());
        Ok(Materialized { _dir: dir, root })
    }

    /// The folder holding the library (give it to the loader or the runner).
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for Materialized {
    fn drop(&mut self) {
        let mut mounts = MOUNTS.write().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = mounts.iter().position(|r| *r == self.root) {
            mounts.remove(i);
        }
    }
}

/// Why [`export`] wrote nothing or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The folder has files and `force` was not given.
    #[error(
        "{0} is not empty; give --force to write the library's files over it (other files are kept)"
    )]
    NotEmpty(PathBuf),
    /// The path is not a folder.
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    /// A file system error, with the path.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Writes the library into `dir` (created when absent) in its folder layout, so that
/// `onshi validate DIR` and `onshi run DIR` work on it. A folder with anything in it is
/// refused unless `force`; with `force` the library's files replace files of the same name
/// (each written to a temporary file and renamed over, so a symbolic link in the way is
/// replaced, never written through) and other files stay. Returns the number of files.
pub fn export(dir: &Path, force: bool) -> Result<usize, ExportError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| ExportError::Io(p, e)
    };
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => return Err(ExportError::NotAFolder(dir.to_path_buf())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
            if !force && entries.next().is_some() {
                return Err(ExportError::NotEmpty(dir.to_path_buf()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir)(e)),
    }
    for (rel, bytes) in FILES {
        let target = dir.join(rel);
        let parent = target.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.onshi-tmp"));
        match std::fs::remove_file(&tmp) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&tmp)(e)),
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io(&tmp))?;
        file.write_all(bytes).map_err(io(&tmp))?;
        drop(file);
        std::fs::rename(&tmp, &target).map_err(io(&target))?;
    }
    Ok(FILES.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Component;

    /// Whether a library path is plain (relative, no `.` or `..`): what `build.rs` writes.
    fn plain(rel: &str) -> bool {
        Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    }

    #[test]
    fn the_table_is_sorted_plain_and_has_the_fixtures() {
        assert!(FILES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(FILES.iter().all(|(p, _)| plain(p)));
        assert!(FILES.iter().any(|(p, _)| *p == "fixtures/standard.yaml"));
    }

    #[test]
    fn the_version_is_the_crate_version_and_eight_hex_digits() {
        let v = version();
        let (crate_version, hash) = v.split_once('+').unwrap();
        assert_eq!(crate_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(hash.len(), 8);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn embedded_files_are_found_by_their_display_form() {
        assert!(embedded("onshi:scenarios/fixtures/standard.yaml").is_some());
        assert!(embedded("onshi:scenarios/provider/../fixtures/standard.yaml").is_some());
        assert!(embedded("onshi:scenarios/../fixtures/standard.yaml").is_none());
        assert!(embedded("scenarios/fixtures/standard.yaml").is_none());
    }
}
