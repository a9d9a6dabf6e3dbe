//! `onshi explore`: generated histories against a system under test (or the reference's
//! invariants), each difference shrunk into `<out>/found/` (docs/explore.md).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use onshi_reports::Lang;
use onshi_reports::explore::ExploreRecord;

use super::run::AdapterArgs;
use super::{EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK};
use crate::explore::{self, Budget, Options};
use crate::roles::ProviderRole;
use crate::run::Partition;
use crate::scenario::library;

/// Arguments of `onshi explore`.
#[derive(clap::Args, Clone, Debug)]
pub struct ExploreArgs {
    /// How many histories to generate (numbers 0..N of the seed; deterministic).
    #[arg(long, value_name = "N", conflicts_with = "budget")]
    pub histories: Option<u64>,
    /// Explore for this long instead (e.g. 90s, 10m, 1h; not deterministic).
    #[arg(long, value_name = "TIME")]
    pub budget: Option<String>,
    /// Seed of the history sequence.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Histories run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Explore only a share of the history numbers: hash:K/N (merge the parts' explore.json
    /// with `onshi report merge`).
    #[arg(long)]
    pub partition: Option<String>,
    /// Where to write explore.json, report.html, summary.md and found/.
    #[arg(long, default_value = "explore")]
    pub out: PathBuf,
    /// Differences (on distinct checks) to find before stopping.
    #[arg(long, default_value_t = 1)]
    pub max_found: usize,
    /// Candidate runs while shrinking one difference.
    #[arg(long, default_value_t = 300)]
    pub max_shrink_runs: u32,
    /// Print history N of the seed as the scenario explore runs (the reference's record of each
    /// visit as expectations) and stop.
    #[arg(long, value_name = "N")]
    pub show: Option<u64>,
    /// The provider system under test (without it: the reference's invariants).
    #[command(flatten)]
    pub adapter: AdapterArgs,
}

/// The report files of an exploration.
const REPORT_FILES: [&str; 3] = ["explore.json", "report.html", "summary.md"];

/// Removes what an earlier exploration wrote into `out` — its reports, its found files
/// (`<check>-h<N>.yaml`) and the OQS folders of its histories (`exchanges/explore__s…`) — so
/// nothing old looks like a result of this one. Other files are left alone. Errors name the
/// file.
pub fn clear_previous(out: &Path) -> Result<(), String> {
    let gone = |r: std::io::Result<()>, path: &Path| match r {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {e}", path.display()))
        }
        _ => Ok(()),
    };
    for name in REPORT_FILES {
        let path = out.join(name);
        gone(std::fs::remove_file(&path), &path)?;
    }
    let ours_found = |n: &str| {
        n.strip_suffix(".yaml")
            .and_then(|n| n.rsplit_once("-h"))
            .is_some_and(|(_, i)| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
    };
    let ours_exchange = |n: &str| n.starts_with("explore__s");
    for (dir, ours) in [
        (out.join("found"), &ours_found as &dyn Fn(&str) -> bool),
        (out.join("exchanges"), &ours_exchange),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !ours(&name) {
                continue;
            }
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let r = if is_dir {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            gone(r, &path)?;
        }
    }
    Ok(())
}

/// Parses `90s`, `10m`, `1h` or plain seconds.
pub fn parse_budget(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{text}`: expected a time like 90s, 10m or 1h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("`{text}`: the unit is s, m or h")),
    };
    if secs == 0 {
        return Err(format!("`{text}`: the budget must be more than zero"));
    }
    Ok(Duration::from_secs(secs))
}

/// `onshi explore`.
pub fn explore(lang: Lang, args: ExploreArgs) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("onshi explore: {msg}");
        ExitCode::from(EXIT_INPUT)
    };
    if let Some(n) = args.show {
        let h = explore::generate::history(args.seed, n);
        return match explore::scenario_text(&h) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::from(EXIT_OK)
            }
            Err(e) => {
                eprintln!("onshi explore: history {n} of seed {}: {e}", args.seed);
                say_raw!("{}", h.to_yaml(&[], &[], ""));
                ExitCode::from(EXIT_FAILED)
            }
        };
    }
    let partition = match args.partition.as_deref().map(Partition::parse).transpose() {
        Ok(Some(Partition::Slice { .. })) => {
            return fail(
                "--partition: explore takes hash:K/N (history numbers have no order to slice)"
                    .into(),
            );
        }
        Ok(p) => p,
        Err(e) => return fail(format!("--partition {e}")),
    };
    let budget = match (&args.histories, &args.budget) {
        (Some(0), _) => return fail("--histories must be at least 1".into()),
        (Some(n), _) => Budget::Histories(*n),
        (None, Some(b)) => match parse_budget(b) {
            Ok(d) => Budget::Time(d),
            Err(e) => return fail(format!("--budget {e}")),
        },
        (None, None) => Budget::Histories(200),
    };
    let (adapter, target) = match args.adapter.binding(&args.out) {
        Ok(Some((ProviderRole::Adapter(a), _))) => {
            let target = format!("adapter `{}`", a.command.command);
            (Some(a), target)
        }
        Ok(_) => (None, "reference provider (invariants)".to_string()),
        Err(e) => return fail(e),
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return fail(format!("{}: {e}", args.out.display()));
    }
    if let Err(e) = clear_previous(&args.out) {
        return fail(e);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the runtime: {e}")),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let signal_name = Arc::new(std::sync::Mutex::new(None::<&'static str>));
    {
        let stop = stop.clone();
        let signal_name = signal_name.clone();
        runtime.spawn(async move {
            let s = crate::run::interrupt_signal().await;
            if let Ok(mut n) = signal_name.lock() {
                *n = Some(s);
            }
            stop.store(true, Ordering::SeqCst);
            crate::children::kill_all();
        });
    }
    let opts = Options {
        seed: args.seed,
        budget,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        partition,
        adapter,
        target: target.clone(),
        max_found: args.max_found.max(1),
        max_shrink_runs: args.max_shrink_runs,
        out: args.out.clone(),
        progress: std::io::stderr().is_terminal(),
        tool: library::tool(library::Origin::BuiltIn),
        runtime: Some(runtime.handle().clone()),
        plant: None,
    };
    say!(
        "explore: {target}, seed {}, {}{} → {}",
        opts.seed,
        opts.budget,
        opts.partition
            .map(|p| format!(", partition {p}"))
            .unwrap_or_default(),
        args.out.display()
    );
    let explored = match explore::explore(&opts, &stop) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let mut record = explored.record;
    if let Some(s) = signal_name.lock().ok().and_then(|n| *n) {
        record.interrupted = Some(s.to_string());
    }
    if let Err(e) = write_reports(&record, lang, &args.out) {
        return fail(e);
    }
    for line in &explored.lines {
        say!("{line}");
    }
    say!(
        "{}",
        onshi_reports::explore::terminal::render(&record, lang).trim_end()
    );
    runtime.shutdown_background();
    ExitCode::from(if record.interrupted.is_some() {
        EXIT_INTERRUPTED
    } else if record.found.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// Writes explore.json, report.html and summary.md atomically. Errors name the file.
pub fn write_reports(record: &ExploreRecord, lang: Lang, out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let files = [
        ("explore.json", onshi_reports::explore::render_json(record)),
        (
            "report.html",
            onshi_reports::explore::html::render(record, lang),
        ),
        (
            "summary.md",
            onshi_reports::explore::markdown::render(record, lang),
        ),
    ];
    for (name, text) in files {
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let path = out.join(name);
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Largest `explore.json` read (the records are small; this bounds a hostile file).
const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

fn read_explore(path: &Path) -> Result<ExploreRecord, String> {
    let text = read_bounded(path)?;
    onshi_reports::explore::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The text of an exploration record file, bounded ([`MAX_RECORD_BYTES`]).
fn read_bounded(path: &Path) -> Result<String, String> {
    super::run::read_bounded(path, MAX_RECORD_BYTES, "an exploration record")
}

/// Whether the file is an exploration record (its `kind` is `explore`).
pub fn is_explore_record(path: &Path) -> bool {
    // Only a bounded regular file is looked into (not a FIFO or /dev/zero, which `report`
    // then refuses by name).
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    read_bounded(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Kind>(&t).ok())
        .and_then(|k| k.kind)
        .is_some_and(|k| k == onshi_reports::explore::EXPLORE_KIND)
}

/// `onshi report explore.json` and `onshi report merge a/explore.json b/explore.json`.
pub fn report(lang: Lang, inputs: &[String], out: &Path, allow_partial: bool) -> ExitCode {
    let merging = inputs.first().map(String::as_str) == Some("merge");
    let files = if merging { &inputs[1..] } else { inputs };
    let mut parts = Vec::new();
    for f in files {
        match read_explore(Path::new(f)) {
            Ok(r) => parts.push(r),
            Err(e) => {
                eprintln!("onshi report: {e}");
                return ExitCode::from(EXIT_INPUT);
            }
        }
    }
    let record = if merging {
        let merged = if allow_partial {
            onshi_reports::explore::merge_allowing_partial(parts)
        } else {
            onshi_reports::explore::merge(parts)
        };
        match merged {
            Ok(r) => r,
            Err(e) => {
                eprintln!("onshi report merge: {}", e.message(lang));
                return ExitCode::from(EXIT_INPUT);
            }
        }
    } else if parts.len() == 1 {
        parts.remove(0)
    } else {
        eprintln!("onshi report: give one explore.json, or use `report merge`");
        return ExitCode::from(EXIT_INPUT);
    };
    say!(
        "{}",
        onshi_reports::explore::terminal::render(&record, lang).trim_end()
    );
    if let Err(e) = write_reports(&record, lang, out) {
        eprintln!("onshi report: {e}");
        return ExitCode::from(EXIT_INPUT);
    }
    ExitCode::from(if record.passed() {
        EXIT_OK
    } else if record.found.is_empty() && record.interrupted.is_some() {
        EXIT_INTERRUPTED
    } else {
        EXIT_FAILED
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_exploration_is_cleared_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let write = |p: &str| {
            let path = out.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        };
        for p in [
            "explore.json",
            "summary.md",
            "found/provider-charged-h12.yaml",
            "found/my-notes.yaml",
            "found/keep-h.yaml",
            "exchanges/explore__s1-h12/req/a.xml",
            "exchanges/mine/a.xml",
            "notes.txt",
        ] {
            write(p);
        }
        clear_previous(out).unwrap();
        for gone in [
            "explore.json",
            "summary.md",
            "found/provider-charged-h12.yaml",
            "exchanges/explore__s1-h12",
        ] {
            assert!(!out.join(gone).exists(), "{gone} should be gone");
        }
        for kept in [
            "found/my-notes.yaml",
            "found/keep-h.yaml",
            "exchanges/mine/a.xml",
            "notes.txt",
        ] {
            assert!(out.join(kept).exists(), "{kept} should be kept");
        }
        // A folder with nothing of an exploration in it is fine.
        clear_previous(&out.join("nowhere")).unwrap();
    }

    #[test]
    fn only_a_bounded_regular_file_is_read_as_a_record() {
        assert!(!is_explore_record(Path::new("/dev/zero")));
        let e = read_explore(Path::new("/dev/zero")).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_explore_record(dir.path()));
        let run = dir.path().join("run.json");
        std::fs::write(&run, "{\"format\": 1, \"scenarios\": []}").unwrap();
        assert!(!is_explore_record(&run));
        let e = read_explore(&run).unwrap_err();
        assert!(e.contains("run.json"), "{e}");
    }

    #[test]
    fn budgets_parse_and_nonsense_is_refused() {
        assert_eq!(parse_budget("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_budget("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_budget("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_budget("45"), Ok(Duration::from_secs(45)));
        for bad in ["0s", "m", "10d", "-5m", ""] {
            assert!(parse_budget(bad).is_err(), "{bad}");
        }
    }
}
