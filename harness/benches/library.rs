//! Benchmarks of the scenario runner, printed as figures (BENCHMARKS.md records them):
//! - the whole scenario library in-process (load + run + reports), wall time;
//! - the runner's overhead per scenario (tokio task, blocking pool, timeout, catch_unwind)
//!   over calling the executor directly.
//!
//! Run: `cargo bench -p onshi-harness --bench library`

use std::path::PathBuf;
use std::time::Instant;

use onshi_harness::catalog::Catalog;
use onshi_harness::run::{self, RunOptions};
use onshi_reports::Lang;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let paths = vec![PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios"
    ))];
    let catalog = Catalog::builtin();
    let opts = RunOptions::default();
    // Warm the key pool and caches once.
    let warm = match run::run(&paths, catalog, &opts) {
        Ok(r) => r,
        Err(p) => {
            eprintln!("cannot run the library: {p}");
            std::process::exit(2);
        }
    };
    let n = warm.record.scenarios.len();
    let mut walls = Vec::new();
    let mut render = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        let r = run::run(&paths, catalog, &opts).unwrap_or_else(|p| panic!("{p}"));
        let ran = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let bytes = onshi_reports::json::render(&r.record).len()
            + onshi_reports::junit::render(&r.record).len()
            + onshi_reports::html::render(&r.record, Lang::Ja).len()
            + onshi_reports::markdown::render(&r.record, Lang::Ja).len();
        std::hint::black_box(bytes);
        render.push(t.elapsed().as_secs_f64());
        walls.push(ran);
    }
    println!(
        "library: {n} scenarios, {} jobs; load+run median {:.1} ms (min {:.1}); reports {:.1} ms; total {:.1} ms",
        opts.jobs,
        median(walls.clone()) * 1e3,
        walls.iter().copied().fold(f64::INFINITY, f64::min) * 1e3,
        median(render.clone()) * 1e3,
        (median(walls) + median(render)) * 1e3,
    );

    // Overhead: the same loaded scenarios through the runner vs the executor directly.
    let (loaded, _) = run::load_all(&paths, catalog).unwrap_or_else(|p| panic!("{p}"));
    let reps = 20;
    let t = Instant::now();
    for _ in 0..reps {
        for s in &loaded {
            std::hint::black_box(run::execute::execute(&s.plan, &s.sources, 1));
        }
    }
    let direct = t.elapsed().as_secs_f64();
    let serial = RunOptions {
        jobs: 1,
        ..RunOptions::default()
    };
    let t = Instant::now();
    for _ in 0..reps {
        std::hint::black_box(run::run_scenarios(loaded.clone(), &serial));
    }
    let runner = t.elapsed().as_secs_f64();
    let per = (runner - direct) / (reps * loaded.len()) as f64;
    println!(
        "runner overhead: {:.1} µs per scenario (runner {:.1} ms vs direct {:.1} ms for {} scenario runs, 1 job)",
        per * 1e6,
        runner * 1e3,
        direct * 1e3,
        reps * loaded.len()
    );
}
