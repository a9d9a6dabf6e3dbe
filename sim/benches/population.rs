//! Population benchmarks for the `sim` core; prints figures, asserts nothing.
//!
//! `cargo bench -p onshi-sim --bench population` (set `ONSHI_BENCH_PEOPLE` for another size).
//! Figures: world build time and peak memory for N people with cards, insurance and
//! registrations; eligibility answers per second on one core and per-answer latency; the
//! old-serial search with chains of length 1 and 50.

use std::hint::black_box;
use std::time::{Duration, Instant};

use onshi_sim::clock::Moment;
use onshi_sim::jlis::{CertKind, IssueCause, Jlis};
use onshi_sim::population::{self, PopulationOptions};
use onshi_sim::registry::CardConfirm;
use onshi_sim::rng::SeedRoot;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p) as usize]
}

fn main() {
    let people: usize = std::env::var("ONSHI_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("onshi-sim population benchmark ({people} people)");

    let t = Instant::now();
    let mut w = population::build(PopulationOptions {
        people,
        seed: 1,
        trace: false,
    })
    .expect("population builds");
    let build = t.elapsed();
    println!(
        "world build: {:.2} s, peak RSS {:.0} MiB",
        build.as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );

    let clinic = w.institutions()[0].id;
    let today = w.clock().today();
    let serials: Vec<_> = (0..people)
        .map(|i| w.current_auth_serial(population::person(i)).expect("card"))
        .collect();
    let req = |serial| CardConfirm {
        serial,
        institution: clinic,
        date: today,
        limit_consent: true,
        disease_consent: false,
    };
    // Warm up, then throughput over every card, twice.
    for &s in serials.iter().take(10_000) {
        black_box(w.confirm_card(req(s)));
    }
    let t = Instant::now();
    let mut n = 0u64;
    for _ in 0..2 {
        for &s in &serials {
            black_box(w.confirm_card(req(s)));
            n += 1;
        }
    }
    let elapsed = t.elapsed();
    println!(
        "eligibility answers: {n} in {:.2} s = {:.0} answers/s (one core)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    let sample = serials.len().min(200_000);
    let mut lat = Vec::with_capacity(sample);
    for &s in serials
        .iter()
        .step_by((serials.len() / sample).max(1))
        .take(sample)
    {
        let t = Instant::now();
        black_box(w.confirm_card(req(s)));
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "answer latency: p50 {:.2} µs, p99 {:.2} µs (n = {}, includes ~0.02 µs timer cost)",
        percentile(&lat, 0.50).as_secs_f64() * 1e6,
        percentile(&lat, 0.99).as_secs_f64() * 1e6,
        lat.len()
    );

    // Old-serial search: one person with a single certificate, one with 50 renewals.
    let start = Moment::parse("2026-04-01").expect("date");
    let mut jlis = Jlis::new(SeedRoot::new(1, "bench"), start.date());
    let d = start.date();
    let until = d.checked_add(jiff::Span::new().years(5)).expect("date");
    let short = jlis
        .issue(
            onshi_sim::ids::PersonId(0),
            CertKind::Auth,
            d,
            until,
            IssueCause::First,
            None,
        )
        .expect("issue");
    let mut long = jlis
        .issue(
            onshi_sim::ids::PersonId(1),
            CertKind::Auth,
            d,
            until,
            IssueCause::First,
            None,
        )
        .expect("issue");
    for _ in 0..49 {
        long = jlis
            .issue(
                onshi_sim::ids::PersonId(1),
                CertKind::Auth,
                d,
                until,
                IssueCause::Renewal,
                None,
            )
            .expect("issue");
    }
    let (s1, s50) = (
        jlis.record(short).expect("record").serial(),
        jlis.record(long).expect("record").serial(),
    );
    assert_eq!(jlis.old_serials(s50).map(|s| s.len()), Some(49));
    let time = |serial| {
        let rounds = 5_000_000u32;
        let t = Instant::now();
        for _ in 0..rounds {
            black_box(jlis.old_serials(black_box(serial)));
        }
        t.elapsed().as_secs_f64() * 1e9 / f64::from(rounds)
    };
    let (a, b) = (time(s1), time(s50));
    println!(
        "old-serial search: chain 1 {a:.1} ns, chain 50 {b:.1} ns, ratio {:.2}",
        b / a
    );
}
