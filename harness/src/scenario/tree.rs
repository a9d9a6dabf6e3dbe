//! The scenario tree: the folder every file a scenario includes must stay inside.
//!
//! Named fixtures are looked up as `fixtures/<name>.yaml` in the scenario's folder and its
//! parents ([`FIXTURE_SEARCH_FOLDERS`] folders in all). The tree of a scenario is the
//! highest of those folders that holds a `fixtures/` folder, or the scenario's own folder
//! when none does; so every fixture the scenario can name is inside it. An include that is
//! absolute, that leads out of the tree with `..`, or that resolves out of it through a
//! symbolic link is refused before the file is opened.

use std::path::{Component, Path, PathBuf};

use super::load::display_path;

/// Folders searched for a named fixture: the including file's folder and its parents.
pub const FIXTURE_SEARCH_FOLDERS: usize = 6;

/// Rule code of an include that leaves the scenario tree.
pub const INCLUDE_OUTSIDE: &str = "scenario::include-outside";

/// Rule code of a scenario file that is a symbolic link out of its own tree.
pub const LINK_OUTSIDE: &str = "scenario::link-outside";

/// The folders searched for `fixtures/<name>.yaml` from `dir`, nearest first (a relative
/// path stops at the working directory).
pub fn search_folders(dir: &Path) -> Vec<&Path> {
    let mut out = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        out.push(d);
        if out.len() >= FIXTURE_SEARCH_FOLDERS {
            break;
        }
        cur = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    out
}

/// The folder a scenario's includes must stay inside.
#[derive(Clone, Debug)]
pub struct Tree {
    /// The root as found from the scenario's path.
    root: PathBuf,
    /// Absolute, with `.` and `..` removed.
    lexical: Option<PathBuf>,
    /// With symbolic links resolved.
    canonical: Option<PathBuf>,
}

impl Tree {
    /// The tree of the scenario file at `scenario`.
    pub fn of(scenario: &Path) -> Tree {
        let dir = scenario.parent().unwrap_or(Path::new(""));
        let root = search_folders(dir)
            .into_iter()
            .rfind(|d| d.join("fixtures").is_dir())
            .unwrap_or(dir);
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root.to_path_buf()
        };
        Tree {
            lexical: normalize(&root),
            canonical: root.canonicalize().ok(),
            root,
        }
    }

    /// The root for messages.
    pub fn display(&self) -> String {
        let shown = display_path(&self.root);
        if shown.is_empty() { ".".into() } else { shown }
    }

    /// Checks an include entry written as a path, before anything is looked up: it must be
    /// relative, and `..` must not lead out of the tree. `from_dir` is the including file's
    /// folder.
    pub fn check_entry(&self, from_dir: &Path, entry: &str) -> Result<(), String> {
        if Path::new(entry).has_root() || entry.starts_with(['/', '\\']) {
            return Err(format!(
                "include `{entry}` is an absolute path; includes stay inside the scenario tree `{}`",
                self.display()
            ));
        }
        self.check_lexical(&from_dir.join(entry), entry)
    }

    /// Checks a found file: it must be inside the tree as written and after following
    /// symbolic links. Returns its canonical path.
    pub fn check_found(&self, path: &Path, entry: &str) -> Result<PathBuf, String> {
        self.check_lexical(path, entry)?;
        let Ok(canonical) = path.canonicalize() else {
            return Err(format!("include `{entry}` cannot be resolved"));
        };
        match &self.canonical {
            Some(root) if canonical.starts_with(root) => Ok(canonical),
            Some(_) => Err(format!(
                "include `{entry}` leads out of the scenario tree `{}` through a symbolic link",
                self.display()
            )),
            None => Err(format!(
                "include `{entry}`: the scenario tree `{}` cannot be resolved",
                self.display()
            )),
        }
    }

    /// Checks the scenario file itself: a symbolic link that resolves out of its tree (a
    /// link dropped into a scenario folder) is refused before it is read.
    pub fn check_scenario(&self, path: &Path) -> Result<(), String> {
        match (path.canonicalize(), &self.canonical) {
            (Ok(file), Some(root)) if !file.starts_with(root) => Err(format!(
                "the scenario file is a symbolic link that leads out of its scenario tree `{}`",
                self.display()
            )),
            // A file that cannot be resolved is reported when it is read.
            _ => Ok(()),
        }
    }

    fn check_lexical(&self, path: &Path, entry: &str) -> Result<(), String> {
        match (&self.lexical, normalize(path)) {
            (Some(root), Some(p)) if p.starts_with(root) => Ok(()),
            _ => Err(format!(
                "include `{entry}` leads out of the scenario tree `{}`",
                self.display()
            )),
        }
    }
}

/// `path` made absolute (against the working directory) with `.` and `..` removed
/// lexically; `None` when `..` climbs above the file system root or there is no working
/// directory.
fn normalize(path: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_removes_dots() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d.yaml")),
            Some(PathBuf::from("/a/c/d.yaml"))
        );
        assert_eq!(normalize(Path::new("/a/../../etc")), None);
    }

    #[test]
    fn absolute_and_escaping_entries_are_refused_without_a_lookup() {
        let tree = Tree {
            root: PathBuf::from("/suite"),
            lexical: Some(PathBuf::from("/suite")),
            canonical: Some(PathBuf::from("/suite")),
        };
        let dir = Path::new("/suite/area");
        assert!(tree.check_entry(dir, "../fixtures/x.yaml").is_ok());
        assert!(tree.check_entry(dir, "sub/x.yaml").is_ok());
        assert!(tree.check_entry(dir, "/etc/shadow").is_err());
        assert!(tree.check_entry(dir, "../../etc/passwd").is_err());
        assert!(tree.check_entry(dir, "../../suite/x.yaml").is_ok());
        assert!(tree.check_entry(dir, "../../suite2/x.yaml").is_err());
    }

    #[test]
    fn search_stops_at_the_working_directory_for_relative_paths() {
        assert_eq!(
            search_folders(Path::new("a/b")),
            vec![Path::new("a/b"), Path::new("a")]
        );
        assert_eq!(search_folders(Path::new("/1/2/3/4/5/6/7")).len(), 6);
    }
}
