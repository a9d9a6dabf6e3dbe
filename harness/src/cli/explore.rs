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
    /// Print history N of the seed as a scenario file and stop (to read what explore runs).
    #[arg(long, value_name = "N")]
    pub show: Option<u64>,
    /// The provider system under test (without it: the reference's invariants).
    #[command(flatten)]
    pub adapter: AdapterArgs,
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
        say_raw!("{}", h.to_yaml(&[], &[], ""));
        return ExitCode::from(EXIT_OK);
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
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_RECORD_BYTES {
        return Err(format!(
            "{}: {} bytes; an exploration record is at most {MAX_RECORD_BYTES}",
            path.display(),
            meta.len()
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    onshi_reports::explore::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether the file is an exploration record (its `kind` is `explore`).
pub fn is_explore_record(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.len() > MAX_RECORD_BYTES {
        return false;
    }
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    std::fs::read_to_string(path)
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
