//! Properties of `onshi explore`'s generator and shrinker: every generated history is a
//! scenario `onshi validate` accepts (syntax, references and lints); a history written to a
//! file and opened again gives the plan it was generated as; the same seed and number give
//! the same history; shrinking never returns a history that no longer fails.
#![allow(clippy::unwrap_used)]

use onshi_harness::catalog::Catalog;
use onshi_harness::explore::generate::history;
use onshi_harness::explore::history::{History, Step};
use onshi_harness::explore::oracle::Difference;
use onshi_harness::explore::shrink::shrink;
use onshi_harness::scenario::{Scenario, compile, lint, load};
use proptest::prelude::*;

fn compiled(text: &str, display: &str) -> Scenario {
    let loaded = load::load_text(display, text)
        .unwrap_or_else(|p| panic!("{display} does not load: {p:?}\n{text}"));
    let plan = compile::compile(&loaded, Catalog::builtin())
        .unwrap_or_else(|p| panic!("{display} does not compile: {p:?}\n{text}"));
    Scenario {
        sources: loaded.sources,
        plan,
        file: loaded.scenario,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_generated_history_validates(seed in any::<u64>(), index in 0u64..100_000) {
        let h = history(seed, index);
        // The history as generated validates whatever the world later does with it.
        let bare = h.to_yaml(&[], &[], "");
        let sc = compiled(&bare, &h.id());
        // (Without expectations it checks nothing; that is the one lint it may raise.)
        let problems: Vec<_> = lint::lint(&sc)
            .into_iter()
            .filter(|p| p.code != "lint::no-checks")
            .collect();
        prop_assert!(problems.is_empty(), "lint: {:?}\n{}", problems, bare);
        let text = match onshi_harness::explore::scenario_text(&h) {
            Ok(t) => t,
            // The world refused a step: explore discards it and counts it.
            Err(onshi_harness::explore::Rejected::Refused(_)) => return Ok(()),
            Err(e) => panic!("{e}"),
        };
        // With the reference's expectations too.
        let sc = compiled(&text, &h.id());
        let problems = lint::lint(&sc);
        prop_assert!(problems.is_empty(), "lint: {:?}\n{}", problems, text);
        prop_assert!((2..=5).contains(&h.people.len()));
        prop_assert!(h.visits() > 0);
    }

    #[test]
    fn a_history_written_and_opened_again_gives_the_same_plan(seed in any::<u64>(), index in 0u64..1000) {
        let h = history(seed, index);
        // The form of a found file: header comments (with a line break a system could put in
        // a value, which must stay in the comment) and the reference's expectations.
        let Ok(with_expect) = onshi_harness::explore::scenario_text(&h) else {
            return Ok(());
        };
        let expect = with_expect.split_once("expect:\n").map_or("", |x| x.1);
        let header = ["found by a test".to_string(), "a value with a\rbreak: x".to_string()];
        let text = h.to_yaml(&header, &["PRV-1".to_string()], expect);
        prop_assert!(text.lines().take(2).all(|l| l.starts_with('#')), "{}", text);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.yaml");
        std::fs::write(&path, &text).unwrap();
        let opened = onshi_harness::scenario::open(&path, Catalog::builtin()).unwrap();
        let generated = compiled(&text, &h.id());
        prop_assert_eq!(format!("{:?}", opened.plan), format!("{:?}", generated.plan));
        prop_assert_eq!(history(seed, index), h);
    }

    #[test]
    fn shrinking_never_returns_a_history_that_no_longer_fails(
        seed in any::<u64>(),
        index in 0u64..1000,
        threshold in 1_000u64..400_000,
        rule in 0u8..3,
    ) {
        let h = history(seed, index);
        // A stand-in system: fails when a visit meets `rule`, on the first such visit.
        let judge = move |c: &History| -> Option<Difference> {
            let bad = c.steps.iter().filter_map(Step::visit).find(|v| match rule {
                0 => v.fee >= threshold,
                1 => v.presents == "certificate" && v.fee >= threshold / 10,
                _ => c.steps.iter().filter_map(Step::visit).filter(|w| w.person == v.person).count() >= 2,
            })?;
            Some(Difference {
                check: format!("rule.{rule}"),
                visit: Some(bad.name.clone()),
                expected: "-".into(),
                actual: "-".into(),
                requirements: Vec::new(),
            })
        };
        let Some(first) = judge(&h) else { return Ok(()) };
        let mut calls = 0u32;
        let shrunk = shrink(h.clone(), first, 300, &mut |c| { calls += 1; judge(c) });
        let again = judge(&shrunk.history);
        prop_assert!(again.is_some(), "the shrunk history no longer fails");
        prop_assert_eq!(again.unwrap().check, format!("rule.{rule}"));
        prop_assert!(shrunk.history.steps.len() <= h.steps.len());
        prop_assert!(shrunk.history.people.len() <= h.people.len());
        prop_assert!(shrunk.runs <= 300 && shrunk.runs == calls);
        // Only the visits the rule needs are left.
        prop_assert!(shrunk.history.visits() <= 2, "{} visits left", shrunk.history.visits());
    }
}

#[test]
fn histories_differ_by_number_and_seed() {
    assert_ne!(history(1, 0), history(1, 1));
    assert_ne!(history(1, 0), history(2, 0));
    assert_eq!(history(7, 3), history(7, 3));
}
