//! `onshi world`: a synthetic population confirmed once through the registry.

use std::process::ExitCode;
use std::time::Instant;

use onshi_reports::Lang;
use onshi_sim::population::{self, PopulationOptions};
use onshi_sim::registry::CardConfirm;

/// `onshi world`: builds a synthetic population, confirms every card once, prints a summary.
pub fn world(lang: Lang, people: usize, seed: u64) -> ExitCode {
    if let Err(e) = fits_in_memory(people, available_memory()) {
        eprintln!("onshi world: --people {people}: {e}");
        return ExitCode::from(2);
    }
    let started = Instant::now();
    let mut w = match population::build(PopulationOptions {
        people,
        seed,
        trace: false,
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("onshi: cannot build the world: {e}");
            return ExitCode::from(2);
        }
    };
    let built = started.elapsed();
    let Some(clinic) = w.institutions().first().map(|i| i.id) else {
        eprintln!("onshi: the synthetic world has no institution to confirm at");
        return ExitCode::from(2);
    };
    let today = w.clock().today();
    let mut by_validity = std::collections::BTreeMap::<String, u64>::new();
    let confirm_started = Instant::now();
    for i in 0..w.people().len() {
        let Ok(serial) = w.current_auth_serial(population::person(i)) else {
            continue;
        };
        let a = w.confirm_card(CardConfirm {
            serial,
            institution: clinic,
            date: today,
            limit_consent: true,
            disease_consent: false,
        });
        let key = match (a.refusal(), a.validity) {
            // Group refusals by kind, not by their details (dates differ per person).
            (Some(r), _) => crate::scenario::names::name_of(r, "refusal"),
            (None, Some(v)) => format!("{} {}", v.code(), v.label_ja()),
            (None, None) => "-".into(),
        };
        *by_validity.entry(key).or_default() += 1;
    }
    let confirmed = confirm_started.elapsed();
    let s = w.summary();
    match lang {
        Lang::Ja => {
            say!("onshi 模擬世界 (seed {seed}, 時刻 {})", s.now);
            say!(
                "  人 {} / カード {} / 電子証明書 {} / 保険者 {} / 資格 {} / 医療機関 {} / 利用登録 {}",
                s.people,
                s.cards,
                s.certificates,
                s.insurers,
                s.qualifications,
                s.institutions,
                s.registrations
            );
            say!(
                "  構築 {:.2}秒, 資格確認 {} 件 {:.2}秒",
                built.as_secs_f64(),
                s.people,
                confirmed.as_secs_f64()
            );
            say!("  資格有効性:");
        }
        Lang::En => {
            say!("onshi simulated world (seed {seed}, time {})", s.now);
            say!(
                "  people {} / cards {} / certificates {} / insurers {} / qualifications {} / institutions {} / registrations {}",
                s.people,
                s.cards,
                s.certificates,
                s.insurers,
                s.qualifications,
                s.institutions,
                s.registrations
            );
            say!(
                "  built in {:.2} s, {} confirmations in {:.2} s",
                built.as_secs_f64(),
                s.people,
                confirmed.as_secs_f64()
            );
            say!("  validity:");
        }
    }
    for (k, n) in by_validity {
        say!("    {k}: {n}");
    }
    ExitCode::SUCCESS
}

/// Memory one synthetic person takes in a built world, with room to spare (measured: about
/// 1.7 KB with `world --people 400000`, release build; BENCHMARKS.md).
pub const BYTES_PER_PERSON: u64 = 2_500;
/// The part of the available memory a world may take.
const MEMORY_SHARE: f64 = 0.7;

/// `MemAvailable` of `/proc/meminfo` in bytes, when it can be read.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// Refuses a population that would not fit into `available` bytes (or, when that is not
/// known, into 16 GiB), saying how many people would.
pub fn fits_in_memory(people: usize, available: Option<u64>) -> Result<(), String> {
    if people == 0 {
        return Err("give at least one person".into());
    }
    let budget = (available.unwrap_or(16 << 30) as f64 * MEMORY_SHARE) as u64;
    let need = (people as u64).saturating_mul(BYTES_PER_PERSON);
    if need > budget {
        return Err(format!(
            "needs about {} MB, but only {} MB of memory can be used; at most {} people fit",
            need / 1_000_000,
            budget / 1_000_000,
            budget / BYTES_PER_PERSON
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_population_larger_than_memory_is_refused_before_it_is_built() {
        let eight_gib = Some(8u64 << 30);
        assert!(fits_in_memory(10_000, eight_gib).is_ok());
        let e = fits_in_memory(100_000_000, eight_gib).unwrap_err();
        // The number it names is the boundary: that many fit, one more does not.
        let most: usize = e
            .rsplit("at most ")
            .next()
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(most > 2_000_000 && most < 2_500_000, "{e}");
        assert!(fits_in_memory(most, eight_gib).is_ok());
        assert!(fits_in_memory(most + 1, eight_gib).is_err());
        assert!(fits_in_memory(0, eight_gib).is_err());
        assert!(fits_in_memory(usize::MAX, None).is_err());
    }
}
