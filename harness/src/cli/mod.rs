//! The subcommands of `onshi`, as functions the binary and the tests share. Messages speak
//! Japanese or English per `--lang`; diagnostics are rendered with miette.

/// `println!` that ignores a closed stdout (`onshi list | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that ignores a closed stdout.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprint!` that ignores a closed stderr.
macro_rules! warn_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod card;
pub mod certify;
pub mod explore;
pub mod import;
pub mod new_adapter;
pub mod oqs;
pub mod registry;
pub mod run;
pub mod world;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use onshi_reports::Lang;

use crate::catalog::Catalog;
use crate::scenario::{self, Problem, library, lint};

/// Exit code: everything passed.
pub const EXIT_OK: u8 = 0;
/// Exit code: a scenario failed, or `validate` found lints.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: a usage or input error.
pub const EXIT_INPUT: u8 = 2;
/// Exit code: interrupted by SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C); the
/// reports of what finished were written.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Whether to colour output on stderr/stdout.
pub fn colour(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Renders a problem for the terminal (colour only on a terminal).
pub fn render_problem(p: &Problem) -> String {
    if colour(std::io::stderr().is_terminal()) {
        let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode())
            .with_width(100);
        let mut out = String::new();
        if handler.render_report(&mut out, p).is_ok() {
            return out;
        }
    }
    p.render_plain()
}

fn t(lang: Lang, ja: &str, en: &str) -> String {
    match lang {
        Lang::Ja => ja.to_string(),
        Lang::En => en.to_string(),
    }
}

/// The scenarios a command works on: the paths given, or with none the library built into
/// onshi, written into a private temporary folder for as long as this lives (and shown as
/// `onshi:scenarios/...`).
struct Scenarios {
    paths: Vec<PathBuf>,
    library: Option<library::Materialized>,
}

impl Scenarios {
    /// Which scenarios run.
    fn origin(&self) -> library::Origin {
        match self.library {
            Some(_) => library::Origin::BuiltIn,
            None => library::Origin::CommandLine,
        }
    }

    /// The line saying that the built-in library is used (`None` for paths given).
    fn announce(&self, lang: Lang) -> Option<String> {
        self.library.as_ref()?;
        let (v, n) = (library::version(), library::files().len());
        Some(match lang {
            Lang::Ja => format!(
                "シナリオ: onshi 組み込みライブラリ {v}（{n} ファイル、{}/。onshi scenarios export DIR で書き出せます）",
                library::DISPLAY_ROOT
            ),
            Lang::En => format!(
                "scenarios: onshi's built-in library {v} ({n} files, {}/; `onshi scenarios export DIR` writes it out)",
                library::DISPLAY_ROOT
            ),
        })
    }
}

/// The paths given, or the built-in library when there are none. The error is a message.
fn default_paths(lang: Lang, paths: &[PathBuf]) -> Result<Scenarios, String> {
    if !paths.is_empty() {
        return Ok(Scenarios {
            paths: paths.to_vec(),
            library: None,
        });
    }
    let written = library::Materialized::new().map_err(|e| {
        t(
            lang,
            &format!("組み込みシナリオライブラリを一時フォルダに書き出せません（TMPDIR を確認するか、フォルダを指定してください）: {e}"),
            &format!("cannot write the built-in scenario library into a temporary folder (check TMPDIR, or give a folder): {e}"),
        )
    })?;
    Ok(Scenarios {
        paths: vec![written.root().to_path_buf()],
        library: Some(written),
    })
}

/// `onshi validate`: errors exit 2, lint findings alone exit 1. With no path, the built-in
/// library.
pub fn validate(lang: Lang, paths: &[PathBuf]) -> ExitCode {
    let catalog = Catalog::builtin();
    let scenarios = match default_paths(lang, paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onshi validate: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if let Some(line) = scenarios.announce(lang) {
        eprintln!("{line}");
    }
    let files = match scenario::collect(&scenarios.paths) {
        Ok(f) => f,
        Err(p) => {
            warn_raw!("{}", render_problem(&p));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if files.is_empty() {
        eprintln!(
            "onshi validate: {}",
            t(
                lang,
                "シナリオファイル (.yaml) が見つかりません",
                "no scenario files (.yaml) found"
            )
        );
        return ExitCode::from(EXIT_INPUT);
    }
    let mut errors = 0usize;
    let mut lints = 0usize;
    let mut ok = Vec::new();
    for f in &files {
        match scenario::open(f, catalog) {
            Ok(s) => {
                for p in lint::lint(&s) {
                    lints += 1;
                    warn_raw!("{}", render_problem(&p));
                }
                ok.push(s);
            }
            Err(ps) => {
                for p in ps {
                    errors += 1;
                    warn_raw!("{}", render_problem(&p));
                }
            }
        }
    }
    for p in lint::lint_many(&ok) {
        lints += 1;
        warn_raw!("{}", render_problem(&p));
    }
    say!(
        "{}",
        match lang {
            Lang::Ja => format!(
                "{} ファイル: エラー {errors} 件, 警告 {lints} 件",
                files.len()
            ),
            Lang::En => format!(
                "{} file(s): {errors} error(s), {lints} lint finding(s)",
                files.len()
            ),
        }
    );
    ExitCode::from(if errors > 0 {
        EXIT_INPUT
    } else if lints > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// `onshi list`. With no path, the built-in library.
pub fn list(
    lang: Lang,
    paths: &[PathBuf],
    tag: Option<&str>,
    requirement: Option<&str>,
) -> ExitCode {
    let catalog = Catalog::builtin();
    let scenarios = match default_paths(lang, paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onshi list: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if let Some(line) = scenarios.announce(lang) {
        eprintln!("{line}");
    }
    let (mut ok, bad) = match crate::run::load_all(&scenarios.paths, catalog) {
        Ok(x) => x,
        Err(p) => {
            warn_raw!("{}", render_problem(&p));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    ok.sort_by(|a, b| a.plan.id.cmp(&b.plan.id));
    let mut shown = 0;
    for s in &ok {
        if tag.is_some_and(|t| !s.plan.tags.iter().any(|x| x == t)) {
            continue;
        }
        if requirement.is_some_and(|r| !s.plan.requirements.iter().any(|x| x == r)) {
            continue;
        }
        shown += 1;
        say!(
            "{:<48} {:<28} {}",
            s.plan.id,
            s.plan.requirements.join(","),
            s.plan.title.get(lang)
        );
    }
    for (path, ps) in &bad {
        eprintln!(
            "{}: {}",
            scenario::load::display_path(path),
            t(
                lang,
                "読み込めません（onshi validate で詳細）",
                "does not load (see onshi validate)"
            )
        );
        let _ = ps;
    }
    say!(
        "{}",
        match lang {
            Lang::Ja => format!("{shown} 件"),
            Lang::En => format!("{shown} scenario(s)"),
        }
    );
    ExitCode::from(if bad.is_empty() { EXIT_OK } else { EXIT_INPUT })
}

/// `onshi scenarios export DIR`: writes the built-in library into `dir` (refused when it
/// holds anything, unless `force`).
pub fn scenarios_export(lang: Lang, dir: &Path, force: bool) -> ExitCode {
    match library::export(dir, force) {
        Ok(n) => {
            let (v, shown) = (library::version(), dir.display());
            say!(
                "{}",
                t(
                    lang,
                    &format!(
                        "組み込みシナリオライブラリ {v}（{n} ファイル）を {shown} に書き出しました。onshi validate {shown} / onshi run {shown} で使えます。"
                    ),
                    &format!(
                        "wrote onshi's built-in scenario library {v} ({n} files) into {shown}; `onshi validate {shown}` and `onshi run {shown}` use it"
                    )
                )
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("onshi scenarios export: {e}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// The template `onshi new` writes.
pub fn template(id: &str) -> String {
    let depth = id.matches('/').count() + 1;
    let up = "../".repeat(depth);
    format!(
        "# yaml-language-server: $schema={up}schema/scenario.schema.json
id: {id}
title:
  ja: （何を確かめるか）
  en: (what this scenario checks)
requirements: [REG-4]
tags: []
start: 2026-04-01T09:00
include: [standard]        # fixtures/standard.yaml: insurers, clinic, pharmacy

world:
  people:
    - id: hanako
      born: 1985-07-01
      sex: female
      card: {{ issued: 2024-06-01 }}
      insurance:
        - {{ insurer: kyokai-tokyo, symbol: \"1234\", number: \"1001\", from: 2015-04-01 }}
      registered: {{ on: 2024-06-10T10:00 }}

steps:
  - visit: {{ person: hanako, at: clinic, verify: [face: 0.95], consent: {{ all: true }}, fee: 10000 }}

expect:
  - confirmation: {{ validity: 1, copay_percent: 30 }}
  - provider: {{ charged: 3000 }}
"
    )
}

/// `onshi new`.
pub fn new(lang: Lang, id: &str, out: Option<PathBuf>) -> ExitCode {
    let valid = !id.is_empty()
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'_'
        })
        && !id.starts_with('/')
        && !id.ends_with('/');
    if !valid {
        eprintln!(
            "onshi new: {}",
            t(
                lang,
                &format!("id `{id}` は area/short-name の形にしてください（小文字・数字・-・/）"),
                &format!("id `{id}` must look like area/short-name (lower case, digits, -, /)")
            )
        );
        return ExitCode::from(EXIT_INPUT);
    }
    let path = out.unwrap_or_else(|| PathBuf::from("scenarios").join(format!("{id}.yaml")));
    if path.exists() {
        eprintln!(
            "onshi new: {}",
            t(
                lang,
                &format!("{} は既にあります（上書きしません）", path.display()),
                &format!("{} exists (not overwritten)", path.display())
            )
        );
        return ExitCode::from(EXIT_INPUT);
    }
    if let Some(dir) = path.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("onshi new: {}: {e}", dir.display());
        return ExitCode::from(EXIT_INPUT);
    }
    if let Err(e) = std::fs::write(&path, template(id)) {
        eprintln!("onshi new: {}: {e}", path.display());
        return ExitCode::from(EXIT_INPUT);
    }
    say!(
        "{}",
        t(
            lang,
            &format!(
                "{} を作成しました。onshi validate {} で確認できます。",
                path.display(),
                path.display()
            ),
            &format!(
                "wrote {}; check it with onshi validate {}",
                path.display(),
                path.display()
            )
        )
    );
    ExitCode::SUCCESS
}

/// `onshi schema`.
pub fn schema(fragment: bool, adapter: bool) -> ExitCode {
    if adapter {
        say_raw!("{}", crate::adapter::protocol::schema_json());
    } else if fragment {
        say_raw!("{}", scenario::fragment_schema_json());
    } else {
        say_raw!("{}", scenario::schema_json());
    }
    ExitCode::SUCCESS
}

/// `onshi explain`.
pub fn explain(lang: Lang, what: &str, scenarios: &Path) -> ExitCode {
    let catalog = Catalog::builtin();
    if what == "switches" {
        let rules = onshi_sim::rules::RuleSet::builtin();
        for s in rules.switches().list() {
            say!(
                "{}{}  = {} ({}: {})",
                s.name,
                if s.uncertain { " *" } else { "" },
                s.value,
                t(lang, "既定", "default"),
                s.default
            );
            say!("    {}  [{}]", s.description, s.source);
        }
        say!(
            "{}",
            t(
                lang,
                "* 公開情報が定まらない規則（既定値は文書の値）",
                "* uncertain in public sources (the default is the documented one)"
            )
        );
        return ExitCode::SUCCESS;
    }
    let loaded = if scenarios.exists() {
        crate::run::load_all(&[scenarios.to_path_buf()], catalog)
            .map(|(ok, _)| ok)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    if let Some(r) = catalog.get(what) {
        say!("{}  [{}]", r.id, r.source);
        say!("  ja: {}", r.ja);
        say!("  en: {}", r.en);
        if catalog.is_uncertain(what) {
            say!(
                "  {}",
                t(
                    lang,
                    "※ 公開情報が定まらないため、切替可能な規則として実装",
                    "note: public guidance is mixed; modelled as a switchable rule"
                )
            );
        }
        let citing: Vec<&str> = loaded
            .iter()
            .filter(|s| s.plan.requirements.iter().any(|x| x == what))
            .map(|s| s.plan.id.as_str())
            .collect();
        say!(
            "  {}: {}",
            t(lang, "引用するシナリオ", "cited by"),
            if citing.is_empty() {
                "-".to_string()
            } else {
                citing.join(", ")
            }
        );
        return ExitCode::SUCCESS;
    }
    if let Some(s) = loaded.iter().find(|s| s.plan.id == what) {
        say!("{}  ({})", s.plan.id, s.sources[0].display);
        if let Some(ja) = &s.plan.title.ja {
            say!("  ja: {ja}");
        }
        if let Some(en) = &s.plan.title.en {
            say!("  en: {en}");
        }
        say!(
            "  {}: {}",
            t(lang, "要件", "requirements"),
            s.plan.requirements.join(", ")
        );
        for r in &s.plan.requirements {
            if let Some(e) = catalog.get(r) {
                let text = match lang {
                    Lang::Ja => &e.ja,
                    Lang::En => &e.en,
                };
                say!("    {r}: {text}");
            }
        }
        say!("  {}: {}", t(lang, "タグ", "tags"), s.plan.tags.join(", "));
        say!(
            "  {}: {} / {}: {}",
            t(lang, "手順", "steps"),
            s.plan.steps.len(),
            t(lang, "最終確認", "final checks"),
            s.plan.expect.len()
        );
        return ExitCode::SUCCESS;
    }
    let hint = catalog
        .suggest(what)
        .map(|s| format!(" ({} `{s}`?)", t(lang, "もしかして", "did you mean")))
        .unwrap_or_default();
    eprintln!(
        "onshi explain: {}{hint}",
        t(
            lang,
            &format!("`{what}` は要件IDでもシナリオIDでもありません"),
            &format!("`{what}` is neither a requirement id nor a scenario id")
        )
    );
    ExitCode::from(EXIT_INPUT)
}
