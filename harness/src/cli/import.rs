//! `onshi import FILE_OR_DIR... [--out scenario.yaml] [--keep-names] [--id ID]`: reads the
//! OQS files a clinic saw (files as given; folders searched for `*.xml` a bounded number of
//! levels deep, symbolic links not followed, each file at most `import::MAX_FILE_BYTES`) and
//! writes the scenario `crate::import::import` makes of them (docs/import.md).
//!
//! Exit codes: 0 the scenario was written from every file; 2 a file (or part of one) was left
//! out — the scenario is still written when the rest makes sense — or files contradict each
//! other, or a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use onshi_reports::Lang;

use super::{EXIT_INPUT, EXIT_OK, t};
use crate::import::{self, Diagnostic, Diagnostics, MAX_FILE_BYTES, MAX_FILES, Options, Severity};

/// How many folder levels below a folder given are searched.
pub const MAX_DEPTH: usize = 6;

/// Arguments of `onshi import`.
#[derive(clap::Args, Clone, Debug)]
pub struct ImportArgs {
    /// OQS files, or folders holding them (req/, res/, face/ and any *.xml below, at most 6
    /// levels deep) / OQS ファイルまたはそのフォルダ.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write the scenario here instead of standard output / シナリオの書き出し先.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out when it exists / --out が既にあれば置き換える.
    #[arg(long)]
    pub force: bool,
    /// Keep the written names (氏名, カナ) for 外字 / ● issues; the file then holds personal
    /// data / 氏名・カナをそのまま残す（外字・● の調査用。個人情報を含むファイルになる）.
    #[arg(long)]
    pub keep_names: bool,
    /// Scenario id (default imported/field-YYYYMMDD) / シナリオ ID.
    #[arg(long)]
    pub id: Option<String>,
}

/// Files read from disk for an import, and what went wrong reading.
#[derive(Debug, Default)]
pub struct Collected {
    /// Name (relative to the folder given, or the path given) and bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// Files not read.
    pub diagnostics: Diagnostics,
    /// Bytes read so far (at most [`MAX_TOTAL_BYTES`]).
    pub total: u64,
}

/// The most bytes one import reads in all (2,000 files of 4 MiB would be 8 GiB in memory).
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// Reads the files and folders given: a file as given (whatever its name), a folder's `*.xml`
/// files below it (names starting with `.` and symbolic links skipped, at most [`MAX_DEPTH`]
/// levels, at most [`MAX_FILES`] files), each at most [`MAX_FILE_BYTES`].
pub fn collect(inputs: &[PathBuf]) -> Collected {
    let mut c = Collected::default();
    for input in inputs {
        let shown = input.display().to_string();
        match std::fs::metadata(input) {
            Ok(m) if m.is_dir() => walk(input, input, 0, &mut c),
            Ok(_) => read(input, shown, &mut c),
            Err(e) => c.diagnostics.push(Diagnostic::file(
                Severity::Refused,
                &shown,
                "import::unreadable",
                e.to_string(),
            )),
        }
    }
    c
}

fn walk(root: &Path, dir: &Path, depth: usize, c: &mut Collected) {
    let shown = dir.display().to_string();
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            c.diagnostics.push(Diagnostic::file(
                Severity::Refused,
                &shown,
                "import::unreadable",
                e.to_string(),
            ));
            return;
        }
    };
    entries.sort();
    for path in entries {
        // Past the file limit (said once, by `read`), nothing more is listed or read.
        if c.files.len() >= MAX_FILES
            && c.diagnostics
                .iter()
                .any(|d| d.rule == "import::too-many-files")
        {
            break;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            c.diagnostics.push(Diagnostic::file(
                Severity::Note,
                &relative,
                "import::link-skipped",
                "a symbolic link: not followed".into(),
            ));
        } else if meta.is_dir() {
            if depth + 1 > MAX_DEPTH {
                c.diagnostics.push(Diagnostic::file(
                    Severity::Refused,
                    &relative,
                    "import::too-deep",
                    format!(
                        "more than {MAX_DEPTH} folder levels below the folder given: not searched"
                    ),
                ));
            } else {
                walk(root, &path, depth + 1, c);
            }
        } else if meta.is_file() && name.to_ascii_lowercase().ends_with(".xml") {
            read(&path, relative, c);
        }
    }
}

fn read(path: &Path, name: String, c: &mut Collected) {
    if c.files.len() >= MAX_FILES {
        if !c
            .diagnostics
            .iter()
            .any(|d| d.rule == "import::too-many-files")
        {
            c.diagnostics.push(Diagnostic::file(
                Severity::Refused,
                &name,
                "import::too-many-files",
                format!("more than {MAX_FILES} files: this one and the rest are not read"),
            ));
        }
        return;
    }
    match super::run::read_bounded_bytes(path, MAX_FILE_BYTES, "an OQS file") {
        Ok(bytes) if c.total + bytes.len() as u64 > MAX_TOTAL_BYTES => {
            c.diagnostics.push(Diagnostic::file(
                Severity::Refused,
                &name,
                "import::too-much-input",
                format!(
                    "the files read so far and this one are more than {} MiB in all: not read (import a smaller set)",
                    MAX_TOTAL_BYTES / (1024 * 1024)
                ),
            ));
        }
        Ok(bytes) => {
            c.total += bytes.len() as u64;
            c.files.push((name, bytes));
        }
        Err(e) => {
            // The reader's message starts with the path, which the diagnostic names already.
            let e = e
                .strip_prefix(&format!("{}: ", path.display()))
                .map_or(e.clone(), str::to_string);
            let rule = if e.contains("bytes") {
                "import::too-large"
            } else {
                "import::unreadable"
            };
            c.diagnostics
                .push(Diagnostic::file(Severity::Refused, &name, rule, e));
        }
    }
}

/// `onshi import`.
pub fn import(lang: Lang, args: ImportArgs) -> ExitCode {
    if let Some(out) = &args.out
        && out.exists()
        && !args.force
    {
        eprintln!(
            "onshi import: {}",
            t(
                lang,
                &format!("{} は既にあります（置き換えるには --force）", out.display()),
                &format!("{} exists (--force replaces it)", out.display())
            )
        );
        return ExitCode::from(EXIT_INPUT);
    }
    let collected = collect(&args.inputs);
    eprintln!(
        "onshi import: {}",
        t(
            lang,
            "生年月日と日付・時刻はそのまま残し、氏名・カナ・住所・郵便番号・保険者番号・医療機関コード・記号・番号などの個人に関わる値は合成値に置き換えます。",
            "birth dates and dates and times are kept as the files have them; names, kana, addresses, post codes, 保険者番号, 医療機関コード, 記号, 番号 and everything else personal are replaced by synthetic values."
        )
    );
    if args.keep_names {
        eprintln!(
            "onshi import: {}",
            t(
                lang,
                "警告: --keep-names により氏名とカナは実際の値のまま書き出されます。このファイルは個人情報を含みます。共有しないでください。",
                "warning: --keep-names writes the real 氏名 and カナ; the file holds personal data. Do not share it."
            )
        );
    }
    let options = Options {
        keep_names: args.keep_names,
        id: args.id.clone(),
    };
    let mut diags = collected.diagnostics;
    let imported = match import::import(&collected.files, &options) {
        Ok(i) => i,
        Err(d) => {
            diags.0.extend(d.0);
            report(lang, &diags);
            eprintln!(
                "onshi import: {}",
                t(
                    lang,
                    "シナリオは書き出していません。",
                    "no scenario was written."
                )
            );
            return ExitCode::from(EXIT_INPUT);
        }
    };
    diags.0.extend(imported.diagnostics.0.iter().cloned());
    report(lang, &diags);
    eprintln!(
        "onshi import: {}",
        t(
            lang,
            "シナリオ内のファイル名 ← 読んだファイル（実際の医療機関コードなどを含む対応表です。シナリオと一緒に渡さないでください）:",
            "files as the scenario names them ← files read (this table pairs synthetic codes with the real ones: do not pass it on with the scenario):"
        )
    );
    for (name, label) in &imported.files {
        eprintln!("  {label} ← {}", one_line(name));
    }
    match &args.out {
        Some(path) => {
            if let Err(e) = write_atomically(path, &imported.yaml) {
                eprintln!("onshi import: {}: {e}", path.display());
                return ExitCode::from(EXIT_INPUT);
            }
            eprintln!(
                "onshi import: {}",
                t(
                    lang,
                    &format!(
                        "{} に書き出しました（回答を確かめる手順 {} 件）。`# unknown:` のコメントを埋めてから onshi validate / onshi run で確かめてください。",
                        path.display(),
                        imported.restated.len()
                    ),
                    &format!(
                        "wrote {} ({} step(s) restate an answer); fill in the `# unknown:` comments, then check it with onshi validate and onshi run",
                        path.display(),
                        imported.restated.len()
                    )
                )
            );
        }
        None => say_raw!("{}", imported.yaml),
    }
    ExitCode::from(if diags.any_refused() {
        EXIT_INPUT
    } else {
        EXIT_OK
    })
}

fn report(lang: Lang, diags: &Diagnostics) {
    for d in diags.iter() {
        let level = match (d.severity, lang) {
            (Severity::Note, Lang::Ja) => "注記",
            (Severity::Note, Lang::En) => "note",
            (Severity::Refused, Lang::Ja) => "読み込まなかった",
            (Severity::Refused, Lang::En) => "left out",
            (Severity::Contradiction, Lang::Ja) => "矛盾",
            (Severity::Contradiction, Lang::En) => "contradiction",
        };
        eprintln!("onshi import: {level}: {}", one_line(&d.to_string()));
    }
}

/// `s` with control characters (a line break in a file name) as spaces.
fn one_line(s: &str) -> String {
    s.replace(char::is_control, " ")
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.onshi-{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
