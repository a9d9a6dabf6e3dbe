//! `onshi run --oqs-files DIR`: the files the 資格確認端末 would have left for each scenario's
//! exchanges ([`crate::wire::export`]), written into `DIR/<scenario folder>/{req,res,face}/`
//! (the folder named as under `--adapter`, [`scenario_folder`]). A scenario's folder is
//! emptied first, so it holds this run's files only; every file is written atomically
//! (temporary name, fsync, rename). A scenario that failed keeps what it exchanged before.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::roles::provider::scenario_folder;
use crate::wire::export::{TerminalFiles, TerminalFolder};
use crate::wire::folder::write_atomic;

/// What `--oqs-files` wrote in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OqsFilesSummary {
    /// The folder.
    pub dir: PathBuf,
    /// Scenarios that got a folder.
    pub scenarios: usize,
    /// Files written.
    pub files: usize,
    /// What could not be written, each naming its scenario.
    pub errors: Vec<String>,
    /// Exchanges that left no file (or an error answer in place of the result), each naming
    /// its scenario.
    pub notes: Vec<String>,
}

/// Where the runner writes the files of each scenario, and what it wrote so far.
#[derive(Debug)]
pub struct OqsFilesTarget {
    summary: Mutex<OqsFilesSummary>,
}

impl OqsFilesTarget {
    /// Checks `dir` and creates it: refused when it exists and is not a folder (a file, or a
    /// link to one). Errors name the path.
    pub fn prepare(dir: &Path) -> Result<OqsFilesTarget, String> {
        match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(format!("{}: exists and is not a folder", dir.display()));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        }
        Ok(OqsFilesTarget {
            summary: Mutex::new(OqsFilesSummary {
                dir: dir.to_path_buf(),
                ..OqsFilesSummary::default()
            }),
        })
    }

    /// The folder.
    pub fn dir(&self) -> PathBuf {
        self.lock().dir.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OqsFilesSummary> {
        self.summary.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the files of scenario `id` and counts them (a failure is kept in the summary).
    pub fn write(&self, id: &str, files: &TerminalFiles) {
        let dir = self.dir();
        let written = write_scenario(&dir, id, files);
        match &written {
            Ok(n) => {
                tracing::debug!(target: "onshi::oqs", scenario = id, files = n, "terminal files written")
            }
            Err(e) => {
                tracing::warn!(target: "onshi::oqs", scenario = id, error = %e, "terminal files not written")
            }
        }
        let mut s = self.lock();
        s.notes
            .extend(files.problems().iter().map(|p| format!("{id}: {p}")));
        match written {
            Ok(n) => {
                s.scenarios += 1;
                s.files += n;
            }
            Err(e) => s.errors.push(format!("{id}: {e}")),
        }
    }

    /// What was written.
    pub fn summary(&self) -> OqsFilesSummary {
        self.lock().clone()
    }
}

/// Writes `files` into `dir/<scenario folder of id>/{req,res,face}` (the folder emptied first);
/// returns how many files were written. Errors name the path.
pub fn write_scenario(dir: &Path, id: &str, files: &TerminalFiles) -> Result<usize, String> {
    let root = dir.join(scenario_folder(id));
    match std::fs::symlink_metadata(&root) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&root),
        Ok(_) => std::fs::remove_file(&root),
        Err(_) => Ok(()),
    }
    .map_err(|e| format!("clearing {}: {e}", root.display()))?;
    for folder in [
        TerminalFolder::Req,
        TerminalFolder::Res,
        TerminalFolder::Face,
    ] {
        let path = root.join(folder.name());
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for f in files.files() {
        write_atomic(&root.join(f.folder.name()), &f.name, &f.bytes).map_err(|e| e.to_string())?;
    }
    Ok(files.files().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_the_way_is_refused_and_a_missing_folder_created() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("plain");
        std::fs::write(&file, b"x").expect("write");
        let e = OqsFilesTarget::prepare(&file).expect_err("a file is no folder");
        assert!(e.contains("plain") && e.contains("not a folder"), "{e}");
        let dir = tmp.path().join("a/b");
        OqsFilesTarget::prepare(&dir).expect("created");
        assert!(dir.is_dir());
    }
}
