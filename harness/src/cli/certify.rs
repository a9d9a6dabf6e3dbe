//! `onshi certify --role provider --adapter CMD` (the provider suite against a clinic system)
//! and `onshi certify --role registry --adapter CMD` (the registry suite against an eligibility
//! service behind its registry adapter), packaged for a customer. The package holds the reports
//! (HTML, JSON, JUnit, Markdown), one trace file per scenario, every file exchanged with the
//! system (a provider's OQS folders; a registry's questions, answers and the reference's
//! answers), the scenario files used, a README, and `SHA256SUMS` over all of it
//! (`sha256sum -c SHA256SUMS` verifies it). The exit code is 0 only when every scenario of the
//! suite passed. With no `--scenarios`, the library built into onshi runs (from any folder);
//! the README and every report name its version.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use onshi_reports::{Lang, RunRecord, Verdict};
use sha2::{Digest, Sha256};

use super::run::{AdapterArgs, RegistryArgs, write_reports};
use super::{EXIT_FAILED, EXIT_INPUT, EXIT_OK, colour, render_problem, t};
use crate::catalog::Catalog;
use crate::run::{self, RunOptions};
use crate::scenario::library;

/// Arguments of `onshi certify`.
#[derive(clap::Args, Clone, Debug)]
pub struct CertifyArgs {
    /// The role under test: `provider` (a clinic or pharmacy system) or `registry` (an
    /// eligibility service; `--adapter` is then its registry adapter).
    #[arg(long, default_value = "provider")]
    pub role: String,
    /// Scenario files or folders (default: the scenario library built into onshi).
    #[arg(long)]
    pub scenarios: Vec<PathBuf>,
    /// Where to write the package (must be empty or absent).
    #[arg(long, default_value = "certification")]
    pub out: PathBuf,
    /// Run seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Wall-clock limit per scenario, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub timeout: f64,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The provider system under test (`--adapter` and its options).
    #[command(flatten)]
    pub adapter: AdapterArgs,
}

/// `onshi certify`.
pub fn certify(lang: Lang, args: CertifyArgs) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("onshi certify: {msg}");
        ExitCode::from(EXIT_INPUT)
    };
    let registry = match args.role.as_str() {
        "provider" => false,
        "registry" => true,
        other => {
            return fail(format!(
                "--role {other}: `provider` or `registry` (the terminal role runs with `onshi run --terminal-vpcd`)"
            ));
        }
    };
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
    let scenarios = match super::default_paths(lang, &args.scenarios) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut options = RunOptions {
        seed: args.seed,
        timeout: Duration::from_secs_f64(args.timeout),
        progress: std::io::stderr().is_terminal(),
        ..RunOptions::default()
    };
    if let Some(j) = args.jobs {
        options.jobs = j.max(1);
    }
    if registry {
        let binding = RegistryArgs {
            registry_adapter: args.adapter.adapter.clone(),
            registry_timeout: args.adapter.adapter_timeout,
        }
        .binding(&args.out);
        match binding {
            Ok(Some((role, how))) => {
                say!("registry under test: {how}");
                options.roles.registry = role;
            }
            Ok(None) => return fail("give the registry adapter with --adapter \"CMD\"".into()),
            Err(e) => {
                return fail(
                    e.replace("--registry-adapter", "--adapter")
                        .replace("--registry-timeout", "--adapter-timeout"),
                );
            }
        }
    } else {
        match args.adapter.binding(&args.out) {
            Ok(Some((role, how))) => {
                say!("provider under test: {how}");
                options.roles.provider = role;
            }
            Ok(None) => return fail("give the system under test with --adapter \"CMD\"".into()),
            Err(e) => return fail(e),
        }
    }
    if let Some(line) = scenarios.announce(lang) {
        say!("{line}");
    }
    let result = match run::run(&scenarios.paths, Catalog::builtin(), &options) {
        Ok(r) => r,
        Err(p) => {
            warn_raw!("{}", render_problem(&p));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    for p in &result.problems {
        warn_raw!("{}", render_problem(p));
    }
    let mut record = result.record;
    record.tool = library::tool(scenarios.origin());
    say_raw!(
        "{}",
        onshi_reports::terminal::render(&record, lang, colour(std::io::stdout().is_terminal()))
    );
    if record.scenarios.is_empty() {
        return fail(
            if registry {
                t(
                    lang,
                    "レジストリ向けシナリオがありません（REG- / JLIS- / INS- の要件を引くシナリオ）",
                    "no registry scenarios found (scenarios citing a REG-, JLIS- or INS- requirement)",
                )
            } else {
                t(
                    lang,
                    "プロバイダ向けシナリオがありません（provider / requests の期待値を持つシナリオ）",
                    "no provider scenarios found (scenarios with a provider or requests expectation)",
                )
            }
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
    if let Some(signal) = &record.interrupted {
        eprintln!(
            "onshi certify: {}",
            match lang {
                Lang::Ja => format!("{signal} で中断しました。パッケージは未完了です"),
                Lang::En => format!("interrupted by {signal}; the package is incomplete"),
            }
        );
        return ExitCode::from(super::EXIT_INTERRUPTED);
    }
    ExitCode::from(if certified { EXIT_OK } else { EXIT_FAILED })
}

/// Every scenario of the suite passed (a review or skip verdict is not a pass).
pub fn certified(record: &RunRecord) -> bool {
    !record.scenarios.is_empty() && record.scenarios.iter().all(|s| s.verdict == Verdict::Pass)
}

/// Writes the reports, traces, scenario files, README and manifest into `out` (the exchanged
/// files are already in `out/exchanges`).
pub fn package(record: &RunRecord, lang: Lang, out: &Path) -> std::io::Result<()> {
    write_reports(record, lang, out).map_err(std::io::Error::other)?;
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
    for (from, rel) in package_layout(record.files.iter().map(|f| f.path.as_str()))? {
        let target = scenarios.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // A file of the built-in library (`onshi:scenarios/...`) comes from the binary.
        match library::embedded(&from.to_string_lossy()) {
            Some(bytes) => std::fs::write(&target, bytes)?,
            None => {
                std::fs::copy(&from, &target)?;
            }
        }
    }
    std::fs::write(out.join("README.txt"), readme(record))?;
    // The log of this certification (JSON lines, debug level; docs: harness/src/logging.rs).
    if let Some(log) = crate::logging::log_file() {
        tracing::info!(package = %out.display(), "certification package written");
        std::fs::copy(log, out.join("onshi.log"))?;
    }
    manifest(out)
}

/// Where each scenario and fragment file goes inside `scenarios/`: its path relative to the
/// deepest folder holding all of them (paths made absolute, `.` and `..` resolved), so every
/// relative include and fixture lookup finds the same file in the package. Files that name
/// the same file once are copied once.
pub fn package_layout<'a>(
    paths: impl IntoIterator<Item = &'a str>,
) -> std::io::Result<Vec<(PathBuf, PathBuf)>> {
    let cwd = std::env::current_dir()?;
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new();
    for p in paths {
        // A file of the built-in library (`onshi:scenarios/<path>`, e.g. a fixture a vendor's
        // suite includes as `onshi:standard`) is laid out as `built-in/<path>`: with only
        // library files that is `<path>`, next to a suite's own files a folder of its own.
        let placed = match p.strip_prefix(library::DISPLAY_ROOT) {
            Some(rest) => format!("built-in{rest}"),
            None => p.to_string(),
        };
        let absolute = normalize(&cwd.join(&placed)).ok_or_else(|| {
            std::io::Error::other(format!("{p}: `..` climbs above the file system root"))
        })?;
        if !files.iter().any(|(_, a)| *a == absolute) {
            files.push((PathBuf::from(p), absolute));
        }
    }
    let mut root: Option<PathBuf> = None;
    for (_, absolute) in &files {
        let dir = absolute.parent().unwrap_or(Path::new("/"));
        root = Some(match root {
            None => dir.to_path_buf(),
            Some(r) => r
                .components()
                .zip(dir.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    let root = root.unwrap_or_default();
    files
        .into_iter()
        .map(|(from, absolute)| match absolute.strip_prefix(&root) {
            Ok(rel) => Ok((from, rel.to_path_buf())),
            Err(_) => Err(std::io::Error::other(format!(
                "{} is not below {}",
                absolute.display(),
                root.display()
            ))),
        })
        .collect()
}

/// `.` and `..` removed lexically from an absolute path; `None` when `..` climbs above the
/// root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

fn readme(record: &RunRecord) -> String {
    let summary = record.summary();
    format!(
        "onshi certification package / 認証パッケージ\n\
         \n\
         tool: {}\n\
         library: {}\n\
         provider: {}\n\
         registry: {}\n\
         seed: {}\n\
         scenarios: {} (pass {}, fail {}, review {}, skip {})\n\
         verdict: {}\n\
         \n\
         report.html   the report (open in a browser) / レポート\n\
         run.json      the run record (onshi report run.json re-renders it)\n\
         junit.xml     JUnit XML for CI\n\
         summary.md    Markdown summary\n\
         traces/       every message between the actors, per scenario\n\
         exchanges/    every file exchanged with the system, per scenario: a provider's OQS req (processed/), res and face folders; a registry's questions (NNNN-kind.request), its answers (.answer) and the reference's (.reference.xml)\n\
         scenarios/    the scenario files used, in their folder layout (their SHA-256 are also in run.json)\n\
         onshi.log     onshi's log of this certification (JSON lines: adapter messages, OQS exchanges, servers)\n\
         SHA256SUMS    checksums of every file above; verify with `sha256sum -c SHA256SUMS`\n",
        record.tool,
        library::provenance(&record.files),
        record.roles.provider,
        record.roles.registry,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_files_keep_their_library_paths_and_sit_apart_from_a_suites_own() {
        let only = package_layout([
            "onshi:scenarios/fixtures/standard.yaml",
            "onshi:scenarios/provider/paper.yaml",
        ])
        .unwrap_or_default();
        let rel: Vec<_> = only.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(
            rel,
            [
                PathBuf::from("fixtures/standard.yaml"),
                PathBuf::from("provider/paper.yaml")
            ]
        );
        let mixed = package_layout(["suite/a.yaml", "onshi:scenarios/fixtures/taro.yaml"])
            .unwrap_or_default();
        let rel: Vec<_> = mixed.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(
            rel,
            [
                PathBuf::from("suite/a.yaml"),
                PathBuf::from("built-in/fixtures/taro.yaml")
            ]
        );
        // The file is still read from its display path (the binary).
        assert_eq!(
            mixed[1].0,
            PathBuf::from("onshi:scenarios/fixtures/taro.yaml")
        );
    }
}
