//! The record of `onshi explore` and its reports. An exploration generates seeded life
//! histories (生活史: births, visits, card reissues, insurer changes, months ending), runs
//! each against a system under test and the reference (or the reference alone against its
//! invariants), and shrinks every difference to a scenario file under `found/`.
//! [`ExploreRecord`] is what it produced, as data; this module reads and writes it as JSON
//! ([`render_json`], [`parse`]) and merges the records of a partitioned exploration
//! ([`merge`]). The renderers are [`html`] (the page, same look and the same no-URL rule as
//! `report.html`), [`markdown`] (`summary.md`) and [`terminal`] (the end-of-exploration
//! lines).
//!
//! An exploration record carries `"kind": "explore"`; a run record (`run.json`) has no
//! `kind`, so [`parse`] can tell a run record given by mistake and say so.

pub mod html;
mod labels;
pub mod markdown;
pub mod terminal;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ReportError;
use crate::merge::{missing_partitions, natural, parse_partition, same};

/// Version of the exploration record layout; bumped on any incompatible change.
pub const EXPLORE_FORMAT: u32 = 1;

/// The `kind` of every exploration record.
pub const EXPLORE_KIND: &str = "explore";

/// One exploration: what was explored, how far, what was reached and what differed.
///
/// Ordering is stable (maps by key, [`found`](Self::found) by history then check), so the
/// same seed, budget and target give byte-identical JSON apart from [`timing`](Self::timing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExploreRecord {
    /// [`EXPLORE_FORMAT`] of the writer.
    pub format: u32,
    /// Always `explore` ([`EXPLORE_KIND`]): tells this file from a `run.json`, which has no
    /// `kind`.
    pub kind: String,
    /// Tool and scenario library version, e.g. `onshi 0.1.0 (library 0.1.0+abcd1234)`.
    pub tool: String,
    /// The exploration seed: history `i` of a seed is the same on every machine.
    pub seed: u64,
    /// What decides a difference: `reference` (a system under test compared with the
    /// reference provider, 参照実装との比較) or `invariants` (the reference alone, checked
    /// against its invariants such as the monthly cap, 自己負担限度額).
    pub oracle: String,
    /// What was explored, e.g. ``adapter `python3 examples/clinic-py/adapter.py` `` or
    /// `reference provider`.
    pub target: String,
    /// How long the exploration was allowed to run: `200 histories`, or `10m` of wall clock.
    pub budget: String,
    /// The partitions explored (`hash:1/2`); a merge lists every part, sorted. Empty: the
    /// whole space of histories.
    pub partitions: Vec<String>,
    /// Partitions a merge did not have (`--allow-partial`): the record covers only part of
    /// the exploration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_partitions: Vec<String>,
    /// The signal that stopped the exploration (`SIGINT`, `SIGTERM`) before its budget was
    /// spent; an interrupted exploration never passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// Histories run to the end.
    pub histories: u64,
    /// Generated histories the world refused (an impossible life), not counted in
    /// [`histories`](Self::histories).
    pub discarded: u64,
    /// Steps run over all histories.
    pub steps: u64,
    /// Visits (受診) over all histories.
    pub visits: u64,
    /// Boundary class (`born on 1 April`, `settled: confirmed`, …) → histories that reached it.
    /// Every class is listed, with 0 when no history reached it.
    pub boundary_classes: BTreeMap<String, u64>,
    /// Step kind (`visit`, `card.reissue`, `job.change`, …) → steps of that kind.
    pub event_kinds: BTreeMap<String, u64>,
    /// Every difference found, shrunk, sorted by history then check.
    pub found: Vec<Found>,
    /// Wall-clock facts; the only part that differs between reruns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<ExploreTiming>,
}

/// One difference found, and the scenario file it was shrunk to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// Index of the history in the seed's sequence (0-based).
    pub history: u64,
    /// What differed: `provider.charged`, `requests.sent`, `invariant.month_cap`, …
    pub check: String,
    /// The visit's name in the shrunk file, when the difference is one visit's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<String>,
    /// The reference's value, or the invariant that was broken.
    pub expected: String,
    /// The system's value.
    pub actual: String,
    /// Requirement ids the check evidences, e.g. `PRV-1`.
    pub requirements: Vec<String>,
    /// The shrunk scenario, relative to the output folder: `found/provider-charged-h12.yaml`.
    pub file: String,
    /// Steps of the history before shrinking.
    pub steps_before: u32,
    /// Steps of the shrunk scenario.
    pub steps_after: u32,
    /// People (被保険者) in the history before shrinking.
    pub people_before: u32,
    /// People in the shrunk scenario.
    pub people_after: u32,
    /// Simplifications kept while shrinking (each still showed the difference).
    pub shrink_steps: u32,
    /// Candidate histories run while shrinking.
    pub shrink_runs: u32,
    /// The written file, read back and run, shows the same difference.
    pub reproduces: bool,
    /// With a system under test: the written file passes against the reference (so the
    /// difference is the system's, not the scenario's). `None` for the invariants oracle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passes_reference: Option<bool>,
}

/// Wall-clock facts of an exploration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExploreTiming {
    /// Wall time in milliseconds; a merge keeps the longest part's (they ran in parallel).
    pub elapsed_ms: u64,
    /// Milliseconds until the first difference was found; `None` when nothing was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_found_ms: Option<u64>,
    /// Milliseconds spent shrinking (summed over parts in a merge).
    #[serde(default)]
    pub shrink_ms: u64,
    /// Histories run to the end per second of wall time.
    pub histories_per_second: f64,
}

impl ExploreRecord {
    /// True when nothing was found, the exploration was not interrupted and no partition is
    /// missing.
    pub fn passed(&self) -> bool {
        self.found.is_empty() && self.interrupted.is_none() && self.missing_partitions.is_empty()
    }

    /// True when the record covers only part of the exploration: interrupted, or merged
    /// without every partition.
    pub fn is_partial(&self) -> bool {
        self.interrupted.is_some() || !self.missing_partitions.is_empty()
    }

    /// Boundary classes no history reached, in key order.
    pub fn unreached_classes(&self) -> impl Iterator<Item = &str> {
        self.boundary_classes
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(class, _)| class.as_str())
    }
}

/// The record as pretty JSON with a trailing newline. Field and element order come from
/// the record, so equal records give identical bytes.
pub fn render_json(record: &ExploreRecord) -> String {
    // Serialising into a String only fails for maps with non-string keys or for failing
    // custom `Serialize` impls; an ExploreRecord has neither (its maps have string keys, and
    // serde_json writes a non-finite f64 as null rather than failing).
    let mut out = serde_json::to_string_pretty(record)
        .expect("an ExploreRecord holds only strings, numbers, options, sequences and string maps");
    out.push('\n');
    out
}

/// Only the fields that say what a JSON file is, read before the rest so that another kind
/// of record or another layout gets a clear error rather than a "missing field" one.
#[derive(Deserialize)]
#[serde(expecting = "an exploration record (a JSON object with \"format\" and \"kind\" fields)")]
struct KindProbe {
    format: Option<u32>,
    kind: Option<String>,
}

/// Reads a record written by [`render_json`]. Fails with the line and column of malformed
/// JSON ([`ReportError::ExploreJson`]); with [`ReportError::NotAnExploration`] for a run
/// record or another `kind`; with [`ReportError::ExploreFormat`] when `format` is missing
/// or not [`EXPLORE_FORMAT`].
///
/// Like [`json::parse`](crate::json::parse), the layout version is checked before the rest
/// is read. `kind` is checked with it, and first: a `format` number means something only
/// within one kind of record, and a run record of any format is not an exploration record.
pub fn parse(text: &str) -> Result<ExploreRecord, ReportError> {
    let probe: KindProbe = serde_json::from_str(text).map_err(json_error)?;
    match (probe.kind, probe.format) {
        (None, None) => {
            return Err(ReportError::ExploreFormat {
                found: None,
                supported: EXPLORE_FORMAT,
            });
        }
        (kind, _) if kind.as_deref() != Some(EXPLORE_KIND) => {
            return Err(ReportError::NotAnExploration { kind });
        }
        (_, found) if found != Some(EXPLORE_FORMAT) => {
            return Err(ReportError::ExploreFormat {
                found,
                supported: EXPLORE_FORMAT,
            });
        }
        _ => {}
    }
    serde_json::from_str(text).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> ReportError {
    let (line, column, message) = crate::json::position(&e);
    ReportError::ExploreJson {
        line,
        column,
        message,
    }
}

/// One record from the parts of a partitioned exploration (`--partition hash:k/n` on a CI
/// matrix): the sums of the parts. Each part stops at its own first difference, so a merge
/// of parts that found something covers what each part explored, not the whole space up to
/// one stop; `found[].file` stays relative to the part's own `--out`.
///
/// Parts must agree on `format`, `kind`, `tool`, `seed`, `oracle`, `target` and `budget`
/// ([`ReportError::Mismatch`] names the first field that differs), be cut one way
/// ([`ReportError::PartitionsDiffer`]), cover each partition once
/// ([`ReportError::DuplicatePartition`]) and cover every partition
/// ([`ReportError::IncompleteExploration`]; see [`merge_allowing_partial`]). Counts and maps
/// are summed, the found differences sorted by history then check. Timing: the parts ran
/// in parallel, so elapsed is the longest part's, the first difference the earliest one,
/// shrinking time the sum, and histories per second the merged histories over that
/// elapsed time (0 when it is 0). A single timing is kept as it is.
pub fn merge(parts: Vec<ExploreRecord>) -> Result<ExploreRecord, ReportError> {
    merge_with(parts, false)
}

/// [`merge`], but parts with partitions missing are merged too, and the record lists them in
/// [`ExploreRecord::missing_partitions`] (the reports then say the exploration is partial).
pub fn merge_allowing_partial(parts: Vec<ExploreRecord>) -> Result<ExploreRecord, ReportError> {
    merge_with(parts, true)
}

fn merge_with(
    parts: Vec<ExploreRecord>,
    allow_partial: bool,
) -> Result<ExploreRecord, ReportError> {
    let Some(first) = parts.first() else {
        return Err(ReportError::NothingToMerge);
    };
    for (i, part) in parts.iter().enumerate().skip(1) {
        let n = i + 1;
        same(
            "format",
            &first.format.to_string(),
            n,
            &part.format.to_string(),
        )?;
        same("kind", &first.kind, n, &part.kind)?;
        same("tool", &first.tool, n, &part.tool)?;
        same("seed", &first.seed.to_string(), n, &part.seed.to_string())?;
        same("oracle", &first.oracle, n, &part.oracle)?;
        same("target", &first.target, n, &part.target)?;
        same("budget", &first.budget, n, &part.budget)?;
    }
    let cuts: Vec<Vec<String>> = parts.iter().map(|p| p.partitions.clone()).collect();
    // The missing partitions come from the union of what the parts cover: a part that is
    // itself a partial merge lists partitions another part may bring.
    let missing = missing_partitions(&cuts, "the whole space")?;
    distinct_partitions(&cuts)?;
    if !missing.is_empty() && !allow_partial {
        let mut have = cuts.concat();
        have.sort_by(|a, b| natural(a, b));
        return Err(ReportError::IncompleteExploration {
            have: have.join(", "),
            missing: missing.join(", "),
        });
    }

    let mut parts = parts.into_iter();
    let Some(mut merged) = parts.next() else {
        return Err(ReportError::NothingToMerge);
    };
    let mut timings: Vec<ExploreTiming> = merged.timing.take().into_iter().collect();
    for part in parts {
        merged.partitions.extend(part.partitions);
        if merged.interrupted.is_none() {
            merged.interrupted = part.interrupted;
        }
        merged.histories = merged.histories.saturating_add(part.histories);
        merged.discarded = merged.discarded.saturating_add(part.discarded);
        merged.steps = merged.steps.saturating_add(part.steps);
        merged.visits = merged.visits.saturating_add(part.visits);
        add_counts(&mut merged.boundary_classes, part.boundary_classes);
        add_counts(&mut merged.event_kinds, part.event_kinds);
        merged.found.extend(part.found);
        timings.extend(part.timing);
    }
    merged.partitions.sort_by(|a, b| natural(a, b));
    merged.missing_partitions = missing;
    // Stable: two differences of one history and check keep the order they were given in.
    merged
        .found
        .sort_by(|a, b| (a.history, &a.check).cmp(&(b.history, &b.check)));
    merged.timing = merge_timing(timings, merged.histories);
    Ok(merged)
}

/// Refuses a partition covered by two parts (compared by number: `hash:01/2` is `hash:1/2`).
/// Runs after [`missing_partitions`], so every partition parses and all share one cut.
fn distinct_partitions(cuts: &[Vec<String>]) -> Result<(), ReportError> {
    let mut owner: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, cut) in cuts.iter().enumerate() {
        for p in cut {
            let Some((_, k, _)) = parse_partition(p) else {
                continue;
            };
            if let Some(&first_part) = owner.get(&k) {
                return Err(ReportError::DuplicatePartition {
                    partition: p.clone(),
                    first_part,
                    second_part: i + 1,
                });
            }
            owner.insert(k, i + 1);
        }
    }
    Ok(())
}

fn add_counts(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (key, n) in from {
        let total = into.entry(key).or_insert(0);
        *total = total.saturating_add(n);
    }
}

/// Parallel parts: longest elapsed, earliest first difference, summed shrinking time, and
/// the rate over the longest elapsed. One timing is kept as it is; none gives `None`.
fn merge_timing(timings: Vec<ExploreTiming>, histories: u64) -> Option<ExploreTiming> {
    if timings.len() <= 1 {
        return timings.into_iter().next();
    }
    let elapsed_ms = timings.iter().map(|t| t.elapsed_ms).max().unwrap_or(0);
    let first_found_ms = timings.iter().filter_map(|t| t.first_found_ms).min();
    let shrink_ms = timings
        .iter()
        .fold(0u64, |sum, t| sum.saturating_add(t.shrink_ms));
    // u64 → f64 loses precision only past 2^53 histories or milliseconds.
    let histories_per_second = if elapsed_ms == 0 {
        0.0
    } else {
        histories as f64 * 1000.0 / elapsed_ms as f64
    };
    Some(ExploreTiming {
        elapsed_ms,
        first_found_ms,
        shrink_ms,
        histories_per_second,
    })
}

#[cfg(test)]
#[path = "../../tests/common/explore.rs"]
pub(crate) mod fixture;

#[cfg(test)]
mod tests;
