//! `onshi new-adapter --language python|typescript DIR`: writes a starter adapter for the
//! conformance adapter protocol (`docs/adapter-protocol.md`) into an empty folder. The files are
//! `examples/adapter-starters/<language>/`, built into the binary; the skeleton passes the
//! handshake as written, and its `visit` handler is left to fill in.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use onshi_reports::Lang;

use super::{EXIT_INPUT, t};

/// The language of a starter adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StarterLanguage {
    /// Python 3.8 or later, standard library only.
    Python,
    /// TypeScript for Node (tsc 4.8 or later, Node 18 or later; no npm package at run time).
    Typescript,
}

/// One file of a starter.
#[derive(Clone, Copy, Debug)]
pub struct StarterFile {
    /// Path inside the folder, `/`-separated.
    pub path: &'static str,
    /// Contents.
    pub contents: &'static str,
    /// Whether to mark it executable.
    pub executable: bool,
}

macro_rules! starter {
    ($lang:literal, $path:literal) => {
        starter!($lang, $path, false)
    };
    ($lang:literal, $path:literal, $exec:literal) => {
        StarterFile {
            path: $path,
            contents: include_str!(concat!(
                "../../../examples/adapter-starters/",
                $lang,
                "/",
                $path
            )),
            executable: $exec,
        }
    };
}

const PYTHON: &[StarterFile] = &[
    starter!("python", "onshi_adapter.py"),
    starter!("python", "adapter.py", true),
    starter!("python", "README.md"),
];

const TYPESCRIPT: &[StarterFile] = &[
    starter!("typescript", "onshi-adapter.ts"),
    starter!("typescript", "adapter.ts"),
    starter!("typescript", "node.d.ts"),
    starter!("typescript", "tsconfig.json"),
    starter!("typescript", "package.json"),
    starter!("typescript", ".gitignore"),
    starter!("typescript", "README.md"),
];

/// The files of a starter (the same bytes as `examples/adapter-starters/<language>/`).
pub fn files(language: StarterLanguage) -> &'static [StarterFile] {
    match language {
        StarterLanguage::Python => PYTHON,
        StarterLanguage::Typescript => TYPESCRIPT,
    }
}

/// A word for a POSIX shell: as it is when it needs no quoting, else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:@%+=,-".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The `--adapter` value that starts the starter written into `dir` (from the current folder),
/// and for TypeScript the command that builds it first.
pub fn commands(language: StarterLanguage, dir: &Path) -> (Option<String>, String) {
    let d = dir.to_string_lossy();
    let d = d.trim_end_matches('/');
    let d = if d.is_empty() { "/" } else { d };
    match language {
        StarterLanguage::Python => (
            None,
            format!("python3 {}", shell_word(&format!("{d}/adapter.py"))),
        ),
        StarterLanguage::Typescript => (
            Some(format!("tsc -p {}", shell_word(d))),
            format!("node {}", shell_word(&format!("{d}/dist/adapter.js"))),
        ),
    }
}

/// `--adapter <cmd>` for the line printed to a shell: double quotes when they suffice.
fn adapter_arg(command: &str) -> String {
    if command.contains(['"', '$', '`', '\\', '!']) {
        shell_word(command)
    } else {
        format!("\"{command}\"")
    }
}

/// Why a starter was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The folder holds something (nothing is overwritten).
    NotEmpty,
    /// The path is not a folder.
    NotAFolder,
    /// Reading or writing failed: the path and the error.
    Io(String),
}

/// Writes the starter into `dir` (created when absent; refused when it holds anything). Files
/// are created new (never through an existing name) with mode 0644, 0755 for the entry point.
pub fn write(language: StarterLanguage, dir: &Path) -> Result<(), WriteError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let io = |p: &Path, e: std::io::Error| WriteError::Io(format!("{}: {e}", p.display()));
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => {
            let mut entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
            if entries.next().is_some() {
                return Err(WriteError::NotEmpty);
            }
        }
        Ok(_) => return Err(WriteError::NotAFolder),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        Err(e) => return Err(io(dir, e)),
    }
    for f in files(language) {
        let path = dir.join(f.path);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(if f.executable { 0o755 } else { 0o644 })
            .open(&path)
            .map_err(|e| io(&path, e))?;
        file.write_all(f.contents.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| io(&path, e))?;
    }
    Ok(())
}

/// `onshi new-adapter`.
pub fn new_adapter(lang: Lang, language: StarterLanguage, dir: &Path) -> ExitCode {
    let shown = dir.display();
    if let Err(e) = write(language, dir) {
        let message = match e {
            WriteError::NotEmpty => t(
                lang,
                &format!(
                    "{shown} は空ではありません（上書きしません）。新しいフォルダか空のフォルダを指定してください"
                ),
                &format!(
                    "{shown} is not empty (nothing is overwritten): give a new or empty folder"
                ),
            ),
            WriteError::NotAFolder => t(
                lang,
                &format!("{shown} はフォルダではありません"),
                &format!("{shown} is not a folder"),
            ),
            WriteError::Io(e) => e,
        };
        eprintln!("onshi new-adapter: {message}");
        return ExitCode::from(EXIT_INPUT);
    }
    let names: Vec<&str> = files(language).iter().map(|f| f.path).collect();
    let (build, command) = commands(language, dir);
    let (what, handler) = match language {
        StarterLanguage::Python => ("Python", "adapter.py"),
        StarterLanguage::Typescript => ("TypeScript", "adapter.ts"),
    };
    say!(
        "{}",
        t(
            lang,
            &format!(
                "{what} のアダプタ雛形（onshi-cap/1）を {shown} に書き出しました: {}",
                names.join(", ")
            ),
            &format!(
                "wrote a {what} starter adapter (onshi-cap/1) into {shown}: {}",
                names.join(", ")
            )
        )
    );
    say!(
        "{}",
        t(
            lang,
            &format!(
                "{shown}/{handler} の visit を実装してください（そのままでも接続手順は通り、シナリオの確認項目で失敗します）。"
            ),
            &format!(
                "fill in `visit` in {shown}/{handler} (as written it passes the handshake and fails the scenarios' checks)."
            )
        )
    );
    if let Some(build) = build {
        say!(
            "{}",
            t(
                lang,
                "ビルド（tsc 4.8 以上・Node 18 以上。Debian: apt-get install nodejs node-typescript）:",
                "build it (tsc 4.8 or later, Node 18 or later; Debian: apt-get install nodejs node-typescript):"
            )
        );
        say!("  {build}");
    }
    say!(
        "{}",
        t(
            lang,
            "プロバイダのシナリオを実行（このフォルダから）:",
            "run the provider suite (from this folder):"
        )
    );
    say!(
        "  onshi run --adapter {} --out reports",
        adapter_arg(&command)
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_quote_what_the_shell_would_split() {
        assert_eq!(
            commands(StarterLanguage::Python, Path::new("my-adapter/")),
            (None, "python3 my-adapter/adapter.py".to_string())
        );
        let (build, run) = commands(StarterLanguage::Typescript, Path::new("my dir"));
        assert_eq!(build.as_deref(), Some("tsc -p 'my dir'"));
        assert_eq!(run, "node 'my dir/dist/adapter.js'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(adapter_arg("node 'a$b/x.js'"), r"'node '\''a$b/x.js'\'''");
        assert_eq!(
            adapter_arg("python3 a/adapter.py"),
            "\"python3 a/adapter.py\""
        );
    }

    #[test]
    fn every_starter_has_its_entry_point() {
        assert!(
            files(StarterLanguage::Python)
                .iter()
                .any(|f| f.path == "adapter.py" && f.executable)
        );
        assert!(
            files(StarterLanguage::Typescript)
                .iter()
                .any(|f| f.path == "tsconfig.json")
        );
    }
}
