//! Benchmarks of `onshi explore`, printed as figures (BENCHMARKS.md records them):
//! - histories per second against the reference in-process (invariant oracle, 2 jobs);
//! - with `--clinic`: through the adapter against `examples/clinic-py` (histories per second
//!   for the original), and per shipped mutant the time to find it, the shrink time and the
//!   shrunk size.
//!
//! Run: `cargo bench -p onshi-harness --bench explore` (add `-- --clinic` for the adapter
//! figures; needs python3).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use onshi_harness::adapter::AdapterCommand;
use onshi_harness::explore::{self, Budget, Options};
use onshi_harness::run::execute::AdapterRun;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run(opts: &Options) -> onshi_reports::explore::ExploreRecord {
    match explore::explore(opts, &AtomicBool::new(false)) {
        Ok(e) => e.record,
        Err(e) => {
            eprintln!("explore failed: {e}");
            std::process::exit(2);
        }
    }
}

fn adapter(script: &Path, out: &Path) -> Arc<AdapterRun> {
    Arc::new(AdapterRun {
        command: AdapterCommand {
            command: format!("python3 {}", script.display()),
            timeout: Duration::from_secs(20),
        },
        exchanges: out.join("exchanges"),
        http: false,
    })
}

fn main() {
    let tmp = std::env::temp_dir().join(format!("onshi-explore-bench-{}", std::process::id()));
    let histories = 3000;
    let mut rates = Vec::new();
    let mut last = None;
    for round in 0..5 {
        let opts = Options {
            seed: 1,
            budget: Budget::Histories(histories),
            jobs: 2,
            out: tmp.join(format!("ref{round}")),
            ..Options::default()
        };
        let t = Instant::now();
        let rec = run(&opts);
        let secs = t.elapsed().as_secs_f64();
        rates.push(rec.histories as f64 / secs);
        last = Some(rec);
    }
    if let Some(rec) = &last {
        println!(
            "reference, invariants, 2 jobs: {} histories ({} discarded, {} steps, {} visits) per round; \
             median {:.0} histories/s (min {:.0}, max {:.0}) over 5 rounds",
            rec.histories,
            rec.discarded,
            rec.steps,
            rec.visits,
            median(rates.clone()),
            rates.iter().copied().fold(f64::INFINITY, f64::min),
            rates.iter().copied().fold(0.0, f64::max),
        );
    }
    if std::env::args().any(|a| a == "--clinic") {
        let clinic = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/clinic-py"
        ));
        let opts = Options {
            seed: 1,
            budget: Budget::Histories(60),
            jobs: 2,
            adapter: Some(adapter(&clinic.join("adapter.py"), &tmp.join("clinic"))),
            out: tmp.join("clinic"),
            ..Options::default()
        };
        let t = Instant::now();
        let rec = run(&opts);
        let secs = t.elapsed().as_secs_f64();
        println!(
            "examples/clinic-py (original), 2 jobs: {} histories in {:.1} s = {:.1} histories/s, {} found",
            rec.histories,
            secs,
            rec.histories as f64 / secs,
            rec.found.len()
        );
        let mut mutants: Vec<PathBuf> = std::fs::read_dir(clinic.join("mutants"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        mutants.retain(|p| p.extension().is_some_and(|e| e == "py"));
        mutants.sort();
        println!(
            "| mutant | found in history | time to find | check | steps before → after | people | shrink runs | shrink time |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for m in mutants {
            let name = m
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let out = tmp.join(&name);
            let opts = Options {
                seed: 1,
                budget: Budget::Histories(60),
                jobs: 2,
                adapter: Some(adapter(&m, &out)),
                out,
                ..Options::default()
            };
            let rec = run(&opts);
            let timing = rec
                .timing
                .clone()
                .unwrap_or(onshi_reports::explore::ExploreTiming {
                    elapsed_ms: 0,
                    first_found_ms: None,
                    shrink_ms: 0,
                    histories_per_second: 0.0,
                });
            match rec.found.first() {
                Some(f) => println!(
                    "| `{name}` | {} | {:.1} s | `{}` | {} → {} | {} → {} | {} | {:.1} s |",
                    f.history,
                    timing.first_found_ms.unwrap_or(0) as f64 / 1000.0,
                    f.check,
                    f.steps_before,
                    f.steps_after,
                    f.people_before,
                    f.people_after,
                    f.shrink_runs,
                    timing.shrink_ms as f64 / 1000.0
                ),
                None => println!("| `{name}` | not found in 60 | | | | | | |"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
