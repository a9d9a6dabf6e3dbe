//! `onshi certify --role provider --adapter CMD`: the provider suite against a system under
//! test, packaged for a customer. The package holds the reports (HTML, JSON, JUnit, Markdown),
//! one trace file per scenario, every file exchanged with the system (each scenario's OQS
//! folders), the scenario files used, a README, and `SHA256SUMS` over all of it
//! (`sha256sum -c SHA256SUMS` verifies it). The exit code is 0 only when every scenario of the
//! suite passed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use onshi_reports::{Lang, RunRecord, Verdict};
use sha2::{Digest, Sha256};

use super::run::{AdapterArgs, write_reports};
use super::{EXIT_FAILED, EXIT_INPUT, EXIT_OK, colour, render_problem, t};
use crate::catalog::Catalog;
use crate::run::{self, RunOptions};

/// Arguments of `onshi certify`.
#[derive(Clone, Debug)]
pub struct CertifyArgs {
    /// The role under test.
    pub role: String,
    /// Scenario files or folders.
    pub scenarios: Vec<PathBuf>,
    /// Package folder.
    pub out: PathBuf,
    /// Seed.
    pub seed: u64,
    /// Timeout per scenario (seconds).
    pub timeout: f64,
    /// Parallel scenarios.
    pub jobs: Option<usize>,
    /// The system under test.
    pub adapter: AdapterArgs,
}

/// `onshi certify`.
pub fn certify(lang: Lang, args: CertifyArgs) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("onshi certify: {msg}");
        ExitCode::from(EXIT_INPUT)
    };
    if args.role != "provider" {
        return fail(format!(
            "--role {}: only `provider` can be certified so far (the terminal role runs with `onshi run --terminal-vpcd`)",
            args.role
        ));
    }
    if args.adapter.adapter.is_none() {
        return fail("give the system under test with --adapter \"CMD\"".into());
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return fail("--timeout must be a positive number of seconds".into());
    }
    if std::fs::read_dir(&args.out).is_ok_and(|mut e| e.next().is_some()) {
        return fail(format!(
            "{} is not empty; a package is written into a new or empty folder",
            args.out.display()
        ));
    }
    let mut options = RunOptions {
        seed: args.seed,
        timeout: Duration::from_secs_f64(args.timeout),
        progress: std::io::stderr().is_terminal(),
        ..RunOptions::default()
    };
    if let Some(j) = args.jobs {
        options.jobs = j.max(1);
    }
    match args.adapter.binding(&args.out) {
        Ok(Some((role, how))) => {
            say!("provider under test: {how}");
            options.provider = role;
            options.roles.provider = run::Binding::UnderTest(how);
        }
        Ok(None) => return fail("give the system under test with --adapter \"CMD\"".into()),
        Err(e) => return fail(e),
    }
    let result = match run::run(&args.scenarios, Catalog::builtin(), &options) {
        Ok(r) => r,
        Err(p) => {
            warn_raw!("{}", render_problem(&p));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    for p in &result.problems {
        warn_raw!("{}", render_problem(p));
    }
    let record = result.record;
    say_raw!(
        "{}",
        onshi_reports::terminal::render(&record, lang, colour(std::io::stdout().is_terminal()))
    );
    if record.scenarios.is_empty() {
        return fail(
            t(
                lang,
                "プロバイダ向けシナリオがありません（provider / requests の期待値を持つシナリオ）",
                "no provider scenarios found (scenarios with a provider or requests expectation)",
            )
            .to_string(),
        );
    }
    if let Err(e) = package(&record, lang, &args.out) {
        return fail(format!(
            "writing the package into {}: {e}",
            args.out.display()
        ));
    }
    let certified = certified(&record) && result.problems.is_empty();
    say!(
        "{} {} ({})",
        t(lang, "認証パッケージ:", "certification package:"),
        args.out.display(),
        if certified {
            t(lang, "全シナリオ合格", "every scenario passed")
        } else {
            t(lang, "不合格のシナリオあり", "not every scenario passed")
        }
    );
    ExitCode::from(if certified { EXIT_OK } else { EXIT_FAILED })
}

/// Every scenario of the suite passed (a review or skip verdict is not a pass).
pub fn certified(record: &RunRecord) -> bool {
    !record.scenarios.is_empty() && record.scenarios.iter().all(|s| s.verdict == Verdict::Pass)
}

/// Writes the reports, traces, scenario files, README and manifest into `out` (the exchanged
/// files are already in `out/exchanges`).
pub fn package(record: &RunRecord, lang: Lang, out: &Path) -> std::io::Result<()> {
    write_reports(record, lang, out)?;
    let traces = out.join("traces");
    std::fs::create_dir_all(&traces)?;
    for s in &record.scenarios {
        let name = format!("{}.json", crate::run::execute::scenario_folder(&s.id));
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "scenario": s.id,
            "verdict": s.verdict.name(),
            "error": s.error,
            "trace": s.trace,
        }))
        .map_err(std::io::Error::other)?;
        std::fs::write(traces.join(name), text + "\n")?;
    }
    let scenarios = out.join("scenarios");
    for f in &record.files {
        let rel = relative(&f.path);
        let target = scenarios.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&f.path, &target)?;
    }
    std::fs::write(out.join("README.txt"), readme(record))?;
    manifest(out)
}

/// A path inside the package for a scenario file (no root, no `..`).
fn relative(path: &str) -> PathBuf {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn readme(record: &RunRecord) -> String {
    let summary = record.summary();
    format!(
        "onshi certification package / 認証パッケージ\n\
         \n\
         tool: {}\n\
         provider: {}\n\
         seed: {}\n\
         scenarios: {} (pass {}, fail {}, review {}, skip {})\n\
         verdict: {}\n\
         \n\
         report.html   the report (open in a browser) / レポート\n\
         run.json      the run record (onshi report run.json re-renders it)\n\
         junit.xml     JUnit XML for CI\n\
         summary.md    Markdown summary\n\
         traces/       every message between the actors, per scenario\n\
         exchanges/    every file exchanged with the system: per scenario its OQS req (processed/), res and face folders\n\
         scenarios/    the scenario files used (their SHA-256 are also in run.json)\n\
         SHA256SUMS    checksums of every file above; verify with `sha256sum -c SHA256SUMS`\n",
        record.tool,
        record.roles.provider,
        record.seed,
        record.scenarios.len(),
        summary.passed,
        summary.failed,
        summary.review,
        summary.skipped,
        if certified(record) {
            "every scenario passed / 全シナリオ合格"
        } else {
            "not every scenario passed / 不合格のシナリオあり"
        }
    )
}

/// Writes `SHA256SUMS`: every regular file under `out` (but itself), sorted, in the format
/// `sha256sum -c` reads.
fn manifest(out: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    collect(out, out, &mut files)?;
    files.sort();
    let mut text = String::new();
    for rel in files {
        if rel == "SHA256SUMS" {
            continue;
        }
        let bytes = std::fs::read(out.join(&rel))?;
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        text.push_str(&format!("{hex}  {rel}\n"));
    }
    std::fs::write(out.join("SHA256SUMS"), text)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        let kind = e.file_type()?;
        if kind.is_dir() {
            collect(root, &path, out)?;
        } else if kind.is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}
