//! `onshi explore` end to end: every shipped mutant of `examples/clinic-py` is found within a
//! fixed number of histories for a fixed seed, and the scenario written for it fails against
//! the mutant with the same difference, passes against the reference and against the original
//! clinic; the original survives the same exploration; the reference keeps its invariants; a
//! bug planted in the reference is found and shrunk; partitions explore disjoint histories
//! that merge into the whole run. Each difference names the requirement the mutant's header
//! says it breaks. Prints, per mutant, the histories it took and the shrunk
//! size (the figures of BENCHMARKS.md).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use onshi_harness::adapter::AdapterCommand;
use onshi_harness::catalog::Catalog;
use onshi_harness::explore::{self, Budget, Options};
use onshi_harness::roles::{ProviderRole, Roles};
use onshi_harness::run::Partition;
use onshi_harness::run::execute::{AdapterRun, execute_bound};
use onshi_reports::Verdict;
use onshi_reports::explore::ExploreRecord;
use onshi_sim::rules::PlantedFault;

const CLINIC: &str = "../examples/clinic-py";
const SEED: u64 = 1;
/// Histories each mutant must be found within (seed 1).
const MUTANT_HISTORIES: u64 = 60;

fn adapter(script: &Path, exchanges: &Path) -> Arc<AdapterRun> {
    Arc::new(AdapterRun {
        command: AdapterCommand {
            command: format!("python3 {}", script.display()),
            timeout: Duration::from_secs(20),
        },
        exchanges: exchanges.to_path_buf(),
        http: false,
    })
}

fn explore_with(adapter: Option<Arc<AdapterRun>>, histories: u64, out: &Path) -> ExploreRecord {
    let opts = Options {
        seed: SEED,
        budget: Budget::Histories(histories),
        jobs: 2,
        target: adapter
            .as_ref()
            .map_or("reference".into(), |a| a.command.command.clone()),
        adapter,
        out: out.to_path_buf(),
        ..Options::default()
    };
    explore::explore(&opts, &AtomicBool::new(false))
        .unwrap()
        .record
}

/// Runs a found file as `onshi run FILE [--adapter]` does; its verdict.
fn run_file(path: &Path, with: Option<Arc<AdapterRun>>) -> Verdict {
    let sc = onshi_harness::scenario::open(path, Catalog::builtin()).unwrap();
    let mut roles = Roles::default();
    if let Some(a) = with {
        roles.provider = ProviderRole::Adapter(a);
    }
    let rec = execute_bound(&sc.plan, &sc.sources, sc.plan.seed.unwrap_or(1), &roles);
    rec.verdict
}

fn mutants() -> Vec<PathBuf> {
    let mut m: Vec<PathBuf> = std::fs::read_dir(Path::new(CLINIC).join("mutants"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    m.sort();
    m
}

#[test]
fn every_mutant_is_found_and_its_scenario_reproduces() {
    let dir = tempfile::tempdir().unwrap();
    let original = Path::new(CLINIC).join("adapter.py");
    let mut table = Vec::new();
    let mut missed = Vec::new();
    let mut wrong_requirement = Vec::new();
    for m in mutants() {
        let name = m.file_stem().unwrap().to_string_lossy().to_string();
        let out = dir.path().join(&name);
        let started = Instant::now();
        let rec = explore_with(
            Some(adapter(&m, &out.join("exchanges"))),
            MUTANT_HISTORIES,
            &out,
        );
        let took = started.elapsed();
        let Some(f) = rec.found.first() else {
            missed.push(name);
            continue;
        };
        assert!(
            f.reproduces,
            "{name}: the written file does not reproduce {f:?}"
        );
        assert_eq!(f.passes_reference, Some(true), "{name}: {f:?}");
        assert!(f.steps_after <= f.steps_before && f.people_after <= f.people_before);
        // The difference names the requirement the mutant's header says it breaks.
        let breaks = std::fs::read_to_string(&m)
            .unwrap()
            .lines()
            .find_map(|l| {
                l.strip_prefix("# breaks: ")
                    .map(str::trim)
                    .map(String::from)
            })
            .unwrap_or_else(|| panic!("{name}: no `# breaks:` line"));
        if !f.requirements.contains(&breaks) {
            wrong_requirement.push(format!(
                "{name}: breaks {breaks}, found {:?}",
                f.requirements
            ));
        }
        let file = out.join(&f.file);
        // Read back here too: it fails against the mutant and passes against the original.
        let against_mutant = run_file(&file, Some(adapter(&m, &out.join("again"))));
        assert_eq!(against_mutant, Verdict::Fail, "{name}: {}", file.display());
        let against_original = run_file(&file, Some(adapter(&original, &out.join("original"))));
        assert_eq!(
            against_original,
            Verdict::Pass,
            "{name}: the original clinic fails {}",
            file.display()
        );
        assert_eq!(run_file(&file, None), Verdict::Pass, "{name}: reference");
        table.push(format!(
            "{name:<30} history {:>3} ({} tried)  {:<40} steps {:>2} → {:<2} people {} → {}  shrink runs {:>3}  {:.1}s",
            f.history,
            rec.histories,
            f.check,
            f.steps_before,
            f.steps_after,
            f.people_before,
            f.people_after,
            f.shrink_runs,
            took.as_secs_f64()
        ));
    }
    println!("explore, seed {SEED}, within {MUTANT_HISTORIES} histories:");
    for row in &table {
        println!("  {row}");
    }
    assert!(missed.is_empty(), "mutants not found: {missed:?}");
    assert!(
        wrong_requirement.is_empty(),
        "differences that do not name the broken requirement: {wrong_requirement:#?}"
    );
}

#[test]
fn the_original_clinic_survives_the_same_exploration() {
    let dir = tempfile::tempdir().unwrap();
    let original = Path::new(CLINIC).join("adapter.py");
    let rec = explore_with(
        Some(adapter(&original, &dir.path().join("exchanges"))),
        MUTANT_HISTORIES,
        dir.path(),
    );
    assert!(rec.found.is_empty(), "{:#?}", rec.found);
    assert!(
        rec.histories >= MUTANT_HISTORIES * 3 / 4,
        "{}",
        rec.histories
    );
    assert!(rec.visits > rec.histories * 5);
}

#[test]
fn a_system_that_sends_a_request_twice_is_found_by_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let twice = Path::new("tests/support/clinic_fetches_twice.py");
    let rec = explore_with(
        Some(adapter(twice, &dir.path().join("exchanges"))),
        MUTANT_HISTORIES,
        dir.path(),
    );
    let f = rec.found.first().expect("the double fetch is found");
    assert_eq!(f.check, "requests.at_most", "{f:?}");
    assert!(f.actual.contains("×2"), "{f:?}");
    assert_eq!(f.requirements, ["PRV-3"], "{f:?}");
    assert!(f.reproduces && f.passes_reference == Some(true), "{f:?}");
}

#[test]
fn the_reference_keeps_its_invariants() {
    let dir = tempfile::tempdir().unwrap();
    let rec = explore_with(None, 1500, dir.path());
    assert!(rec.found.is_empty(), "{:#?}", rec.found);
    assert_eq!(rec.histories + rec.discarded, 1500);
    // Most generated histories run: the generator knows the world's rules.
    assert!(
        rec.discarded * 10 < rec.histories,
        "{} discarded",
        rec.discarded
    );
    let unreached: Vec<&str> = rec.unreached_classes().collect();
    assert!(
        unreached.is_empty(),
        "boundary classes never reached: {unreached:?}"
    );
}

#[test]
fn a_bug_planted_in_the_reference_is_found_and_shrunk() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        seed: SEED,
        budget: Budget::Histories(500),
        jobs: 2,
        out: dir.path().to_path_buf(),
        plant: Some(PlantedFault::ForgetMonthTotals),
        ..Options::default()
    };
    let rec = explore::explore(&opts, &AtomicBool::new(false))
        .unwrap()
        .record;
    let f = rec.found.first().expect("the planted bug is found");
    assert_eq!(f.check, "invariant.month_cap");
    assert!(f.reproduces, "{f:?}");
    assert!(
        f.steps_after < f.steps_before && f.steps_after <= 6,
        "shrunk to {} steps from {}",
        f.steps_after,
        f.steps_before
    );
    assert_eq!(f.people_after, 1);
    // The file is a valid scenario, and without the planted bug the reference keeps the cap.
    let file = dir.path().join(&f.file);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("invariant.month_cap"), "{text}");
    assert!(onshi_harness::scenario::open(&file, Catalog::builtin()).is_ok());
    let again = explore_with(None, f.history + 1, &dir.path().join("clean"));
    assert!(again.found.is_empty(), "{:#?}", again.found);
}

#[test]
fn partitions_explore_disjoint_histories_that_merge_into_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let whole = explore_with(None, 300, &dir.path().join("whole"));
    let mut parts = Vec::new();
    for k in 1..=3 {
        let opts = Options {
            seed: SEED,
            budget: Budget::Histories(300),
            jobs: 2,
            partition: Some(Partition::Hash { k, n: 3 }),
            out: dir.path().join(format!("p{k}")),
            ..Options::default()
        };
        parts.push(
            explore::explore(&opts, &AtomicBool::new(false))
                .unwrap()
                .record,
        );
    }
    assert!(
        parts
            .iter()
            .all(|p| p.histories > 0 && p.histories < whole.histories)
    );
    let merged = onshi_reports::explore::merge(parts).unwrap();
    assert_eq!(merged.histories, whole.histories);
    assert_eq!(merged.discarded, whole.discarded);
    assert_eq!(merged.steps, whole.steps);
    assert_eq!(merged.boundary_classes, whole.boundary_classes);
    assert_eq!(merged.event_kinds, whole.event_kinds);
}

#[test]
fn the_same_seed_and_budget_give_the_same_record() {
    let dir = tempfile::tempdir().unwrap();
    let strip = |mut r: ExploreRecord| {
        r.timing = None;
        onshi_reports::explore::render_json(&r)
    };
    let a = explore_with(None, 120, &dir.path().join("a"));
    let b = explore_with(None, 120, &dir.path().join("b"));
    assert_eq!(strip(a), strip(b));
    // With differences to find, the stop (the lowest failing history) and the figures up to
    // it do not depend on how many workers raced for the histories.
    let planted = |jobs: usize, max_found: usize, out: &str| {
        let opts = Options {
            seed: SEED,
            budget: Budget::Histories(300),
            jobs,
            max_found,
            out: dir.path().join(out),
            plant: Some(PlantedFault::ForgetMonthTotals),
            ..Options::default()
        };
        let mut r = explore::explore(&opts, &AtomicBool::new(false))
            .unwrap()
            .record;
        // The shrinking figures are the same too; only the time differs.
        r.timing = None;
        r
    };
    let one = planted(1, 1, "p1");
    assert!(!one.found.is_empty());
    let four = planted(4, 1, "p4");
    assert_eq!(strip(one.clone()), strip(four));
    assert!(one.histories <= one.found[0].history + 1);
}

#[test]
fn a_panic_is_a_difference_not_the_end_of_the_exploration() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        seed: SEED,
        budget: Budget::Histories(200),
        jobs: 2,
        out: dir.path().join("invariants"),
        plant: Some(PlantedFault::PanicOnSecondCharge),
        ..Options::default()
    };
    let rec = explore::explore(&opts, &AtomicBool::new(false))
        .unwrap()
        .record;
    let f = rec.found.first().expect("the planted panic is found");
    assert_eq!(f.check, "invariant.no_panic", "{f:?}");
    assert!(f.actual.contains("planted: a second charge"), "{f:?}");
    assert!(f.reproduces, "{f:?}");
    assert!(f.steps_after <= 3, "{f:?}");
    // Against a system under test the reference panics first: the same difference.
    let original = Path::new(CLINIC).join("adapter.py");
    let opts = Options {
        adapter: Some(adapter(&original, &dir.path().join("clinic/exchanges"))),
        out: dir.path().join("clinic"),
        budget: Budget::Histories(MUTANT_HISTORIES),
        ..opts
    };
    let rec = explore::explore(&opts, &AtomicBool::new(false))
        .unwrap()
        .record;
    let f = rec.found.first().expect("the planted panic is found");
    assert_eq!(f.check, "invariant.no_panic", "{f:?}");
}
