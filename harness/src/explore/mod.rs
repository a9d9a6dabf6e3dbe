//! `onshi explore`: generated life histories against the system under test, each difference
//! shrunk to a scenario file (docs/explore.md).
//!
//! - [`history`]: a history (world + steps) and its rendering as a scenario file;
//! - [`generate`]: the seeded generator, with birthdays and events clustered on rule
//!   boundaries;
//! - [`oracle`]: the reference as the oracle of a system under test, and the invariants of the
//!   reference alone;
//! - [`requirements`]: the requirement a difference breaks, narrowed to its field;
//! - [`shrink`]: a failing history made small;
//! - [`classes`]: the boundary classes a history reaches, for the report;
//! - [`found`]: the found scenario written, read back and run again;
//! - `tally`: the figures, folded in history order as histories finish.
//!
//! Histories are numbered 0, 1, 2, … for a seed; with `--partition hash:K/N` a run takes the
//! numbers whose id hashes to its part, so parts explore disjoint histories and their records
//! merge. A run stops at the first difference (the lowest-numbered failing history, whatever
//! order the workers finished in), so a seed and a budget in histories give the same record.

pub mod classes;
pub mod found;
pub mod generate;
pub mod history;
pub mod oracle;
pub mod requirements;
pub mod shrink;
mod tally;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onshi_reports::explore::{ExploreRecord, ExploreTiming};
use onshi_sim::rules::PlantedFault;

use crate::catalog::Catalog;
use crate::roles::Roles;
use crate::run::Partition;
use crate::run::execute::{AdapterRun, ProviderRole};
use history::History;
pub use oracle::Rejected;
use oracle::{Difference, Reports};
use tally::{Finished, Stats, Tally};

/// How long an exploration goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// This many history numbers (deterministic).
    Histories(u64),
    /// Wall-clock time.
    Time(Duration),
}

impl std::fmt::Display for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Budget::Histories(n) => write!(f, "{n} histories"),
            Budget::Time(d) => {
                let s = d.as_secs();
                if s % 60 == 0 && s > 0 {
                    write!(f, "{}m", s / 60)
                } else {
                    write!(f, "{s}s")
                }
            }
        }
    }
}

/// Options of an exploration.
#[derive(Clone, Debug)]
pub struct Options {
    /// The seed of the history sequence.
    pub seed: u64,
    /// When to stop.
    pub budget: Budget,
    /// Histories run at once.
    pub jobs: usize,
    /// Our share of the history numbers.
    pub partition: Option<Partition>,
    /// The system under test; `None`: the reference alone against the invariants.
    pub adapter: Option<Arc<AdapterRun>>,
    /// How the report names the adapter.
    pub target: String,
    /// Differences to find before stopping (distinct checks).
    pub max_found: usize,
    /// Candidate runs while shrinking one difference.
    pub max_shrink_runs: u32,
    /// Where `found/` goes.
    pub out: PathBuf,
    /// Show a progress bar.
    pub progress: bool,
    /// The `tool` text of the record.
    pub tool: String,
    /// The runtime a system under test's OQS web API is served on (folders only without).
    pub runtime: Option<tokio::runtime::Handle>,
    /// A deliberate bug in the reference (tests only).
    #[doc(hidden)]
    pub plant: Option<PlantedFault>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            budget: Budget::Histories(200),
            jobs: 2,
            partition: None,
            adapter: None,
            target: "reference provider".into(),
            max_found: 1,
            max_shrink_runs: 300,
            out: PathBuf::from("explore"),
            progress: false,
            tool: crate::scenario::library::tool(crate::scenario::library::Origin::BuiltIn),
            runtime: None,
            plant: None,
        }
    }
}

/// Everything one exploration needs while it runs.
pub(crate) struct Ctx {
    pub(crate) catalog: Catalog,
    pub(crate) roles: Roles,
    pub(crate) plant: Option<PlantedFault>,
}

impl Ctx {
    fn new(opts: &Options) -> Ctx {
        let mut roles = Roles::default();
        if let Some(a) = &opts.adapter {
            roles.provider = ProviderRole::Adapter(a.clone());
        }
        Ctx {
            catalog: Catalog::builtin().clone(),
            roles,
            plant: opts.plant,
        }
    }

    fn with_adapter(&self) -> bool {
        matches!(self.roles.provider, ProviderRole::Adapter(_))
    }
}

/// What one history gave.
enum Outcome {
    /// Ran to the end without a difference.
    Passed(Stats),
    /// The world refused a step: not counted as a history.
    Discarded,
    /// A difference.
    Failed(Stats, Box<History>, Difference, Reports),
}

fn stats(h: &History, visits: &[oracle::SeenVisit]) -> Stats {
    let mut classes: Vec<&'static str> = classes::of(h).into_iter().collect();
    for v in visits {
        if let Some(c) = v.obs.as_ref().and_then(|o| classes::path(&o.path)) {
            classes.push(c);
        }
    }
    classes.sort();
    classes.dedup();
    Stats {
        steps: h.steps.len() as u64,
        visits: h.visits() as u64,
        classes,
        kinds: h.steps.iter().map(|s| s.kind()).collect(),
    }
}

/// Runs one history against the oracle. A panic anywhere in it (the reference, the harness)
/// is the difference `invariant.no_panic`, not the end of the exploration.
fn evaluate(ctx: &Ctx, h: History) -> Outcome {
    let generator = |e: String| Difference {
        check: "explore.generator".into(),
        visit: None,
        expected: "a history the scenario language accepts".into(),
        actual: e,
        requirements: Vec::new(),
    };
    if !ctx.with_adapter() {
        // One run gives the invariants and the figures.
        let text = h.to_yaml(&[], &[], "");
        return match oracle::invariants_run(ctx, &text, &h) {
            Ok((None, visits)) => Outcome::Passed(stats(&h, &visits)),
            Ok((Some(d), visits)) => {
                Outcome::Failed(stats(&h, &visits), Box::new(h), d, Reports::all())
            }
            Err(Rejected::Refused(why)) => {
                tracing::debug!(history = h.index, %why, "the world refused the history");
                Outcome::Discarded
            }
            Err(Rejected::Invalid(e)) => {
                Outcome::Failed(stats(&h, &[]), Box::new(h), generator(e), Reports::all())
            }
        };
    }
    let reference = match oracle::no_panic(|| oracle::reference(ctx, &h)) {
        Ok(Ok(r)) => r,
        Ok(Err(Rejected::Refused(why))) => {
            tracing::debug!(history = h.index, %why, "the world refused the history");
            return Outcome::Discarded;
        }
        Ok(Err(Rejected::Invalid(e))) => {
            return Outcome::Failed(stats(&h, &[]), Box::new(h), generator(e), Reports::all());
        }
        Err(d) => return Outcome::Failed(stats(&h, &[]), Box::new(h), d, Reports::all()),
    };
    let st = stats(&h, &reference.visits);
    let expect = oracle::expectations(&reference.visits, Reports::all());
    match oracle::no_panic(|| oracle::system(ctx, &h, &expect)) {
        Ok(Ok(run)) => match run.difference {
            Some(d) => Outcome::Failed(st, Box::new(h), d, run.reports),
            None => Outcome::Passed(st),
        },
        Ok(Err(Rejected::Refused(_))) => Outcome::Discarded,
        Ok(Err(Rejected::Invalid(e))) => {
            Outcome::Failed(st, Box::new(h), generator(e), Reports::all())
        }
        Err(d) => Outcome::Failed(st, Box::new(h), d, Reports::all()),
    }
}

/// The difference a candidate shows, for shrinking (a panic included).
pub(crate) fn judge(ctx: &Ctx, h: &History, reports: Reports) -> Option<Difference> {
    let run = oracle::no_panic(|| {
        if ctx.with_adapter() {
            let r = oracle::reference(ctx, h).ok()?;
            let expect = oracle::expectations(&r.visits, reports);
            oracle::system(ctx, h, &expect).ok()?.difference
        } else {
            oracle::invariants(ctx, &h.to_yaml(&[], &[], ""), h).ok()?
        }
    });
    run.unwrap_or_else(Some)
}

/// A history as the scenario explore runs against a system under test: the reference's
/// record of every visit as `provider` and `requests` expectations (what `--show` prints and a
/// found file holds). `Err` when the world refuses the history (explore discards it) or the
/// text does not compile.
pub fn scenario_text(h: &History) -> Result<String, Rejected> {
    let ctx = Ctx {
        catalog: Catalog::builtin().clone(),
        roles: Roles::default(),
        plant: None,
    };
    let r = oracle::reference(&ctx, h)?;
    let expect = oracle::expectations(&r.visits, Reports::all());
    let reqs = oracle::PROVIDER_REQUIREMENTS.map(String::from);
    Ok(h.to_yaml(&[], &reqs, &expect))
}

/// Whether history `index` is ours.
fn ours(partition: Option<Partition>, seed: u64, index: u64) -> bool {
    partition.is_none_or(|p| p.selects(&format!("explore/s{seed}-h{index}"), index as usize))
}

/// What the workers share.
struct Shared {
    tally: Tally,
    /// The differences (their histories wait for shrinking): at most `max_found` plus one a
    /// worker, since no history above the cutoff is started.
    failures: BTreeMap<u64, (Box<History>, Difference, Reports, Duration)>,
}

/// The result of [`explore`].
#[derive(Debug)]
pub struct Explored {
    /// The record (also written as `explore.json`).
    pub record: ExploreRecord,
    /// One line per difference found.
    pub lines: Vec<String>,
}

/// Explores: generates, runs, stops at the budget or at `max_found` differences, shrinks each
/// and writes it into `<out>/found/`. `stop` ends it early (a signal): the histories that
/// finished are reported and the record says it was interrupted.
pub fn explore(opts: &Options, stop: &AtomicBool) -> Result<Explored, String> {
    let ctx = Ctx::new(opts);
    let started = Instant::now();
    let next = AtomicU64::new(0);
    // The lowest history number with a difference, once `max_found` are known.
    let cutoff = AtomicU64::new(u64::MAX);
    let shared = Mutex::new(Shared {
        tally: Tally::new(opts.max_found),
        failures: BTreeMap::new(),
    });
    let limit = match opts.budget {
        Budget::Histories(n) => n,
        Budget::Time(_) => u64::MAX,
    };
    // A budget too large for the clock has no deadline.
    let deadline = match opts.budget {
        Budget::Time(d) => started.checked_add(d),
        Budget::Histories(_) => None,
    };
    let bar = progress_bar(opts);
    let reached = Mutex::new(std::collections::BTreeSet::<&'static str>::new());
    let total_classes = classes::ALL.len() + classes::PATHS.len();
    let jobs = opts.jobs.clamp(1, crate::run::MAX_JOBS);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                let _runtime = opts.runtime.as_ref().map(|h| h.enter());
                loop {
                    if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d)
                    {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= limit || i > cutoff.load(Ordering::Relaxed) {
                        break;
                    }
                    let finished = if ours(opts.partition, opts.seed, i) {
                        let outcome = evaluate(&ctx, generate::history(opts.seed, i));
                        if stop.load(Ordering::Relaxed) {
                            // A signal killed the adapters: this history's result is not trusted.
                            break;
                        }
                        Some(outcome)
                    } else {
                        None
                    };
                    let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
                    match finished {
                        None => s.tally.finish(i, Finished::NotOurs),
                        Some(Outcome::Discarded) => s.tally.finish(i, Finished::Discarded),
                        Some(Outcome::Passed(st)) => {
                            note_classes(&reached, &st);
                            s.tally.finish(i, Finished::Passed(st));
                        }
                        Some(Outcome::Failed(st, h, d, reports)) => {
                            note_classes(&reached, &st);
                            bar.println(format!("history {i}: {}", d.line()));
                            s.tally.finish(i, Finished::Failed(st, d.check.clone()));
                            s.failures.insert(i, (h, d, reports, started.elapsed()));
                            let known = s.failures.iter().map(|(i, f)| (*i, f.1.check.as_str()));
                            if let Some(c) = tally::cutoff(known, opts.max_found) {
                                cutoff.fetch_min(c, Ordering::Relaxed);
                            }
                        }
                    }
                    let n = s.tally.counted();
                    drop(s);
                    let secs = started.elapsed().as_secs_f64().max(1e-3);
                    let hit = reached.lock().map(|r| r.len()).unwrap_or(0);
                    bar.set_position(n);
                    bar.set_message(format!(
                        "{:.0} histories/s, boundary classes {hit}/{total_classes}",
                        n as f64 / secs
                    ));
                }
            });
        }
    });
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let s = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    let totals = s.tally.close();
    let keep = |i: &u64| totals.cut.is_none_or(|c| *i <= c);
    let mut record = ExploreRecord {
        format: onshi_reports::explore::EXPLORE_FORMAT,
        kind: "explore".into(),
        tool: opts.tool.clone(),
        seed: opts.seed,
        oracle: if ctx.with_adapter() {
            "reference".into()
        } else {
            "invariants".into()
        },
        target: opts.target.clone(),
        budget: opts.budget.to_string(),
        partitions: opts.partition.iter().map(|p| p.to_string()).collect(),
        missing_partitions: Vec::new(),
        interrupted: stop.load(Ordering::Relaxed).then(|| "SIGINT".to_string()),
        histories: totals.histories,
        discarded: totals.discarded,
        steps: totals.steps,
        visits: totals.visits,
        boundary_classes: classes::ALL
            .iter()
            .chain(classes::PATHS.iter())
            .map(|c| (c.to_string(), totals.classes.get(c).copied().unwrap_or(0)))
            .collect(),
        event_kinds: totals
            .kinds
            .iter()
            .map(|(k, n)| (k.to_string(), *n))
            .collect(),
        found: Vec::new(),
        timing: None,
    };
    let failures: Vec<_> = s.failures.into_iter().filter(|(i, _)| keep(i)).collect();
    let first_found = failures.iter().map(|(_, f)| f.3).min();
    let shrink_started = Instant::now();
    let mut lines = Vec::new();
    let mut checks_found = std::collections::BTreeSet::new();
    for (i, (h, d, reports, _)) in failures {
        if !checks_found.insert(d.check.clone()) {
            continue;
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // A difference that cannot be shrunk or written is still reported, as not reproduced.
        let written = oracle::no_panic(|| {
            found::shrink_and_write(&ctx, opts, i, (*h).clone(), d.clone(), reports)
        })
        .unwrap_or_else(|p| Err(p.actual));
        let (f, written) = match written {
            Ok(f) => {
                let at = opts.out.join(&f.file).display().to_string();
                (f, at)
            }
            Err(e) => {
                tracing::warn!(history = i, error = %e, "the found scenario was not written");
                (found::unwritten(i, &h, &d), format!("not written: {e}"))
            }
        };
        lines.push(format!(
            "{}{} (history {i}): expected {}, got {} ({}) → {}",
            f.check,
            f.visit
                .as_ref()
                .map(|v| format!(" at {v}"))
                .unwrap_or_default(),
            f.expected.replace('\n', " / "),
            f.actual.replace('\n', " / "),
            f.requirements.join(", "),
            written
        ));
        record.found.push(f);
    }
    let shrink_ms = shrink_started.elapsed().as_millis() as u64;
    let secs = elapsed.as_secs_f64();
    record.timing = Some(ExploreTiming {
        elapsed_ms: elapsed.as_millis() as u64,
        first_found_ms: first_found.map(|d| d.as_millis() as u64),
        shrink_ms,
        histories_per_second: if secs > 0.0 {
            record.histories as f64 / secs
        } else {
            0.0
        },
    });
    Ok(Explored { record, lines })
}

fn note_classes(reached: &Mutex<std::collections::BTreeSet<&'static str>>, st: &Stats) {
    if let Ok(mut r) = reached.lock() {
        r.extend(st.classes.iter().copied());
    }
}

fn progress_bar(opts: &Options) -> indicatif::ProgressBar {
    if !opts.progress {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match opts.budget {
        Budget::Histories(n) => indicatif::ProgressBar::new(n),
        Budget::Time(_) => indicatif::ProgressBar::new_spinner(),
    };
    let template = match opts.budget {
        Budget::Histories(_) => "{bar:30} {pos}/{len} {elapsed} {wide_msg}",
        Budget::Time(_) => "{spinner} {pos} histories {elapsed} {wide_msg}",
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    bar
}
