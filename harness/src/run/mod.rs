//! The runner: binds roles, runs scenarios in parallel (tokio, one blocking task each) with
//! a timeout per scenario, and assembles the [`RunRecord`]. One failing, panicking or
//! hanging scenario never stops the others.
//!
//! SIGINT and SIGTERM stop a run cleanly: every child process group is killed
//! ([`crate::children`]), the scenarios that finished keep their results, the others are
//! listed as interrupted, and the record says the run was interrupted
//! ([`RunRecord::interrupted`]), so reports are still written and never claim a pass.

pub mod checks;
pub mod execute;
pub mod oqs_files;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onshi_reports::{FileHash, RECORD_FORMAT, RunRecord, ScenarioRecord, Timing, Title, Verdict};

use crate::catalog::Catalog;
use crate::scenario::{self, Problem, Scenario};

/// A share of the scenarios for CI matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partition {
    /// Scenarios whose id hashes to `k - 1` modulo `n` (stable as files are added).
    Hash {
        /// 1-based part.
        k: u32,
        /// Parts.
        n: u32,
    },
    /// Every `n`-th scenario in id order, starting at the `k`-th (even sizes).
    Slice {
        /// 1-based part.
        k: u32,
        /// Parts.
        n: u32,
    },
}

impl Partition {
    /// Parses `hash:K/N` or `slice:K/N`.
    pub fn parse(text: &str) -> Result<Partition, String> {
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}`: expected hash:K/N or slice:K/N"))?;
        let (k, n) = rest
            .split_once('/')
            .ok_or_else(|| format!("`{text}`: expected K/N after `{kind}:`"))?;
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: K is not a number"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: N is not a number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("`{text}`: need 1 ≤ K ≤ N"));
        }
        match kind {
            "hash" => Ok(Partition::Hash { k, n }),
            "slice" => Ok(Partition::Slice { k, n }),
            other => Err(format!("`{other}`: partition kind is hash or slice")),
        }
    }

    /// Whether the scenario with this id, at this index of the id-sorted list, is ours.
    pub fn selects(&self, id: &str, index: usize) -> bool {
        match *self {
            Partition::Hash { k, n } => fnv1a(id.as_bytes()) % u64::from(n) == u64::from(k - 1),
            Partition::Slice { k, n } => index as u64 % u64::from(n) == u64::from(k - 1),
        }
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Partition::Hash { k, n } => write!(f, "hash:{k}/{n}"),
            Partition::Slice { k, n } => write!(f, "slice:{k}/{n}"),
        }
    }
}

/// FNV-1a 64: a stable hash (the std hasher is not stable across releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Options of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Run seed (a scenario's `seed:` wins).
    pub seed: u64,
    /// Wall-clock limit per scenario.
    pub timeout: Duration,
    /// Scenarios run at once.
    pub jobs: usize,
    /// Our share, if partitioned.
    pub partition: Option<Partition>,
    /// Scenario id → reason, from a vendor profile's expected-deviations file.
    pub deviations: BTreeMap<String, String>,
    /// Who plays each role. With a provider under test only the provider suite runs
    /// ([`crate::scenario::plan::Plan::provider_suite`]).
    pub roles: crate::roles::Roles,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// Write the files of the 資格確認端末 for every scenario's exchanges here
    /// (`--oqs-files`, [`oqs_files`]).
    pub oqs_files: Option<Arc<oqs_files::OqsFilesTarget>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: 1,
            timeout: Duration::from_secs(60),
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            partition: None,
            deviations: BTreeMap::new(),
            roles: crate::roles::Roles::default(),
            progress: false,
            oqs_files: None,
        }
    }
}

/// Most scenarios run at once, whatever `--jobs` says (each holds a thread, and with a
/// system under test a process and its OQS servers).
pub const MAX_JOBS: usize = 256;

/// What a run produced.
#[derive(Debug)]
pub struct RunResult {
    /// The record.
    pub record: RunRecord,
    /// Input problems (files that did not load); each is also a failed scenario in the record.
    pub problems: Vec<Problem>,
}

/// Scenarios that loaded, and files that did not with their problems.
pub type Loaded = (Vec<Scenario>, Vec<(PathBuf, Vec<Problem>)>);

/// Loads every scenario under `paths`; files that fail become problems.
pub fn load_all(paths: &[PathBuf], catalog: &Catalog) -> Result<Loaded, Problem> {
    let files = scenario::collect(paths)?;
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for f in files {
        match scenario::open(&f, catalog) {
            Ok(s) => ok.push(s),
            Err(p) => bad.push((f, p)),
        }
    }
    Ok((ok, bad))
}

/// Runs the scenarios under `paths`.
pub fn run(
    paths: &[PathBuf],
    catalog: &Catalog,
    options: &RunOptions,
) -> Result<RunResult, Problem> {
    let started = Instant::now();
    let started_at = jiff::Timestamp::now().to_string();
    let (mut scenarios, bad) = load_all(paths, catalog)?;
    scenarios.sort_by(|a, b| a.plan.id.cmp(&b.plan.id));
    // Two files with one id would share report entries and, under test, one OQS folder.
    if let Some(p) = scenario::lint::lint_many(&scenarios)
        .into_iter()
        .find(|p| p.code == "lint::duplicate-id")
    {
        return Err(p);
    }
    let mut problems = Vec::new();
    let mut records = Vec::new();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    // Files that did not load are failed scenarios named by their path.
    for (path, ps) in bad {
        let shown = scenario::load::display_path(&path);
        // A file with no id is placed by its path (hash) or in the first slice.
        let mine = match options.partition {
            None => true,
            Some(p @ Partition::Hash { .. }) => p.selects(&shown, 0),
            Some(Partition::Slice { k, .. }) => k == 1,
        };
        if !mine {
            continue;
        }
        if let Ok(src) = scenario::load::read_source(&path) {
            files.insert(src.display.clone(), src.sha256.clone());
        }
        records.push(ScenarioRecord {
            id: shown.clone(),
            file: shown.clone(),
            title: Title::default(),
            requirements: Vec::new(),
            tags: Vec::new(),
            seed: options.seed,
            verdict: Verdict::Fail,
            skip_reason: None,
            expected_deviation: None,
            error: Some(
                ps.iter()
                    .map(|p| format!("{p}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            checks: Vec::new(),
            trace: Vec::new(),
        });
        problems.extend(ps);
    }
    // A provider under test runs the scenarios that observe a provider.
    if matches!(
        options.roles.provider,
        crate::roles::ProviderRole::Adapter(_)
    ) {
        scenarios.retain(|s| s.plan.provider_suite());
    }
    // A registry under test runs the scenarios about the registry.
    if matches!(
        options.roles.registry,
        crate::roles::RegistryRole::UnderTest(_)
    ) {
        scenarios.retain(|s| s.plan.registry_suite());
    }
    let selected: Vec<Scenario> = scenarios
        .into_iter()
        .enumerate()
        .filter(|(i, s)| options.partition.is_none_or(|p| p.selects(&s.plan.id, *i)))
        .map(|(_, s)| s)
        .collect();
    for s in &selected {
        for src in &s.sources {
            files.insert(src.display.clone(), src.sha256.clone());
        }
    }
    let (ran, interrupted) = run_scenarios_interruptible(selected, options);
    records.extend(ran);
    for r in &mut records {
        if let Some(reason) = options.deviations.get(&r.id) {
            r.expected_deviation = Some(reason.clone());
        }
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let record = RunRecord {
        format: RECORD_FORMAT,
        tool: format!("onshi {}", env!("CARGO_PKG_VERSION")),
        seed: options.seed,
        roles: options.roles.describe(),
        partitions: options
            .partition
            .map(|p| vec![p.to_string()])
            .unwrap_or_default(),
        files: files
            .into_iter()
            .map(|(path, sha256)| FileHash { path, sha256 })
            .collect(),
        requirements: catalog.entries().to_vec(),
        scenarios: records,
        interrupted,
        missing_partitions: Vec::new(),
        timing: Some(Timing {
            started_at,
            elapsed_ms: started.elapsed().as_millis() as u64,
        }),
    };
    Ok(RunResult { record, problems })
}

/// Runs loaded scenarios in parallel; results in input order.
pub fn run_scenarios(scenarios: Vec<Scenario>, options: &RunOptions) -> Vec<ScenarioRecord> {
    run_scenarios_interruptible(scenarios, options).0
}

/// Scenarios at once: `--jobs`, but no more than there is work and [`MAX_JOBS`].
pub fn effective_jobs(jobs: usize, scenarios: usize) -> usize {
    jobs.clamp(1, MAX_JOBS).min(scenarios.max(1))
}

/// Where finished scenarios leave their records; closed when the run is interrupted, so a
/// scenario that ends only because its adapter was killed is not taken as finished.
struct Slots {
    records: Vec<Option<ScenarioRecord>>,
    interrupted: Option<String>,
}

/// Runs loaded scenarios in parallel; results in input order, and the signal that
/// interrupted the run, if one did (the unfinished scenarios are then listed as interrupted).
pub fn run_scenarios_interruptible(
    scenarios: Vec<Scenario>,
    options: &RunOptions,
) -> (Vec<ScenarioRecord>, Option<String>) {
    if scenarios.is_empty() {
        return (Vec::new(), None);
    }
    let jobs = effective_jobs(options.jobs, scenarios.len());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.min(4))
        .max_blocking_threads(jobs + 8)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let records = scenarios
                .iter()
                .map(|s| failed(s, options.seed, format!("could not start the runtime: {e}")))
                .collect();
            return (records, None);
        }
    };
    let bar = progress_bar(scenarios.len() as u64, options.progress);
    let scenarios: Vec<Arc<Scenario>> = scenarios.into_iter().map(Arc::new).collect();
    let slots = Arc::new(Mutex::new(Slots {
        records: vec![None; scenarios.len()],
        interrupted: None,
    }));
    runtime.block_on(async {
        let limit = Arc::new(tokio::sync::Semaphore::new(jobs));
        let mut handles = Vec::new();
        for (index, sc) in scenarios.iter().enumerate() {
            let sc = Arc::clone(sc);
            let limit = Arc::clone(&limit);
            let slots = Arc::clone(&slots);
            let timeout = options.timeout;
            let seed = sc.plan.seed.unwrap_or(options.seed);
            let bar = bar.clone();
            let roles = options.roles.clone();
            let oqs = options.oqs_files.clone();
            handles.push(tokio::spawn(async move {
                let _permit = limit.acquire_owned().await;
                let work = Arc::clone(&sc);
                let task = tokio::task::spawn_blocking(move || {
                    let _span = tracing::info_span!("scenario", id = %work.plan.id, seed).entered();
                    tracing::debug!("scenario started");
                    let Some(oqs) = oqs else {
                        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            execute::execute_bound(&work.plan, &work.sources, seed, &roles)
                        }));
                    };
                    // The files of what was exchanged are written even when the scenario
                    // failed or panicked.
                    let mut files = execute::TerminalFiles::new(work.plan.oqs_encoding);
                    let rec = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        execute::execute_with_files(
                            &work.plan,
                            &work.sources,
                            seed,
                            &roles,
                            &mut files,
                        )
                    }));
                    oqs.write(&work.plan.id, &files);
                    rec
                });
                let rec = match tokio::time::timeout(timeout, task).await {
                    Ok(Ok(Ok(rec))) => rec,
                    Ok(Ok(Err(panic))) => {
                        let what = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "unknown panic".into());
                        failed(
                            &sc,
                            seed,
                            format!("internal error (a bug in onshi, please report it): {what}"),
                        )
                    }
                    Ok(Err(join)) => failed(&sc, seed, format!("the scenario task failed: {join}")),
                    Err(_) => failed(
                        &sc,
                        seed,
                        format!(
                            "timed out after {} s (raise --timeout if the scenario is simply long)",
                            timeout.as_secs_f64()
                        ),
                    ),
                };
                let mut slots = slots.lock().unwrap_or_else(|e| e.into_inner());
                if slots.interrupted.is_none() {
                    slots.records[index] = Some(rec);
                    bar.set_message(sc.plan.id.clone());
                    bar.inc(1);
                }
            }));
        }
        let all = async {
            for h in handles {
                let _ = h.await;
            }
        };
        tokio::select! {
            () = all => {}
            signal = interrupt_signal() => {
                let mut slots = slots.lock().unwrap_or_else(|e| e.into_inner());
                slots.interrupted = Some(signal.to_string());
                drop(slots);
                // Adapters and whatever they started: the scenarios waiting on them end now.
                crate::children::kill_all();
            }
        }
    });
    bar.finish_and_clear();
    // Timed-out and interrupted blocking work is abandoned rather than waited for.
    runtime.shutdown_background();
    let mut slots = slots.lock().unwrap_or_else(|e| e.into_inner());
    let interrupted = slots.interrupted.take();
    let records = std::mem::take(&mut slots.records)
        .into_iter()
        .zip(&scenarios)
        .map(|(rec, sc)| match (rec, &interrupted) {
            (Some(r), _) => r,
            (None, Some(signal)) => unfinished(sc, options.seed, signal),
            (None, None) => failed(
                sc,
                options.seed,
                "the scenario task ended without a result".into(),
            ),
        })
        .collect();
    (records, interrupted)
}

/// Resolves on SIGINT or SIGTERM with the signal's name; never, when they cannot be watched.
pub(crate) async fn interrupt_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        },
        _ => std::future::pending().await,
    }
}

/// The record of a scenario the run was interrupted before it finished: skipped, with the
/// reason, so it is neither a pass nor a failure of the system.
fn unfinished(sc: &Scenario, seed: u64, signal: &str) -> ScenarioRecord {
    let mut r = failed(sc, seed, String::new());
    r.error = None;
    r.verdict = Verdict::Skip;
    r.skip_reason = Some(format!(
        "interrupted ({signal}) before the scenario finished / 中断されたため未完了"
    ));
    r
}

fn failed(sc: &Scenario, seed: u64, error: String) -> ScenarioRecord {
    ScenarioRecord {
        id: sc.plan.id.clone(),
        file: sc
            .sources
            .first()
            .map(|s| s.display.clone())
            .unwrap_or_default(),
        title: sc.plan.title.clone(),
        requirements: sc.plan.requirements.clone(),
        tags: sc.plan.tags.clone(),
        seed,
        verdict: Verdict::Fail,
        skip_reason: None,
        expected_deviation: None,
        error: Some(error),
        checks: Vec::new(),
        trace: Vec::new(),
    }
}

fn progress_bar(len: u64, show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Reads an expected-deviations file: `deviations: [{scenario: id, reason: text}]`.
pub fn read_deviations(path: &std::path::Path) -> Result<BTreeMap<String, String>, Problem> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        deviations: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        scenario: String,
        reason: String,
    }
    let src = scenario::load::read_source(path)?;
    let f: File = scenario::load::parse_yaml(&src)?;
    Ok(f.deviations
        .into_iter()
        .map(|e| (e.scenario, e.reason))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_and_cover_everything_once() {
        assert!(Partition::parse("hash:0/4").is_err());
        assert!(Partition::parse("hash:5/4").is_err());
        assert!(Partition::parse("mod:1/2").is_err());
        let ids: Vec<String> = (0..100).map(|i| format!("area/s{i}")).collect();
        for kind in ["hash", "slice"] {
            let parts: Vec<Partition> = (1..=4)
                .map(|k| Partition::parse(&format!("{kind}:{k}/4")).unwrap())
                .collect();
            for (i, id) in ids.iter().enumerate() {
                let n = parts.iter().filter(|p| p.selects(id, i)).count();
                assert_eq!(n, 1, "{kind}: {id} selected {n} times");
            }
        }
    }
}
