//! The registry feed is complete: onshi's replica registry, which knows only what the feed
//! told it (`onshi serve-registry`, in-process over loopback HTTP), answers every exchange of
//! the registry suite exactly like the reference registry, field by field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use onshi_harness::catalog::Catalog;
use onshi_harness::roles::registry::{RegistryLink, RegistryRole, RegistryUnderTest};
use onshi_harness::run;
use onshi_harness::run::execute::{Roles, execute_bound};
use onshi_reports::Verdict;

fn replica_roles() -> Roles {
    Roles {
        registry: RegistryRole::UnderTest(Arc::new(RegistryUnderTest {
            link: RegistryLink::Replica,
            timeout: Duration::from_secs(10),
            exchanges: None,
        })),
        ..Roles::default()
    }
}

#[test]
fn the_replica_answers_the_whole_registry_suite_like_the_reference() {
    let (ok, bad) = run::load_all(&[PathBuf::from("../scenarios")], Catalog::builtin()).unwrap();
    assert!(bad.is_empty());
    let roles = replica_roles();
    let mut failures = Vec::new();
    let mut scenarios = 0;
    let mut compared = 0;
    let mut by_kind = std::collections::BTreeMap::<String, usize>::new();
    let mut skipped = 0;
    for s in ok
        .iter()
        .filter(|s| s.plan.registry_suite() && s.plan.skip.is_none())
    {
        scenarios += 1;
        let seed = s.plan.seed.unwrap_or(1);
        let record = execute_bound(&s.plan, &s.sources, seed, &roles);
        if let Some(e) = &record.error {
            failures.push(format!("{}: {e}", s.plan.id));
        }
        for c in &record.checks {
            if c.name.starts_with("registry_under_test.") && c.verdict == Verdict::Pass {
                compared += 1;
                *by_kind.entry(c.name.clone()).or_default() += 1;
            }
            if c.name.starts_with("registry_under_test.") && c.verdict == Verdict::Skip {
                skipped += 1;
            }
            if c.name.starts_with("registry_under_test.") && c.verdict == Verdict::Fail {
                failures.push(format!(
                    "{} {} [{}]: {}\n  {}",
                    s.plan.id,
                    c.name,
                    c.at,
                    c.note.clone().unwrap_or_default(),
                    c.actual
                ));
            }
        }
    }
    eprintln!(
        "{scenarios} scenarios, {compared} registry checks passed ({by_kind:?}), {skipped} not asked"
    );
    // Every kind of question was asked, not only counts: a run that kept no exchanges fails.
    for (kind, at_least) in [
        ("registry_under_test.card", 200),
        ("registry_under_test.numbers", 20),
        ("registry_under_test.data", 150),
        ("registry_under_test.same_answer", 400),
        ("registry_under_test.no_my_number", 400),
        ("registry_under_test.counts", 300),
    ] {
        let n = by_kind.get(kind).copied().unwrap_or(0);
        assert!(
            n >= at_least,
            "{kind}: {n} passed, expected at least {at_least}"
        );
    }
    assert!(
        scenarios >= 40,
        "only {scenarios} scenarios in the registry suite"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
