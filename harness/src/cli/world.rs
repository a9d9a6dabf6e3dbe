//! `onshi world`: a synthetic population confirmed once through the registry.

use std::process::ExitCode;
use std::time::Instant;

use onshi_reports::Lang;
use onshi_sim::population::{self, PopulationOptions};
use onshi_sim::registry::CardConfirm;

/// `onshi world`: builds a synthetic population, confirms every card once, prints a summary.
pub fn world(lang: Lang, people: usize, seed: u64) -> ExitCode {
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
    let clinic = w.institutions[0].id;
    let today = w.clock.today();
    let mut by_validity = std::collections::BTreeMap::<String, u64>::new();
    let confirm_started = Instant::now();
    for i in 0..w.people.len() {
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
            (Some(r), _) => format!("{r:?}")
                .split([' ', '{'])
                .next()
                .unwrap_or("refused")
                .to_string(),
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
