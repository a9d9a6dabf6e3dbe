//! A registry adapter that misbehaves (docs/registry-role.md "The adapter"): no `service` in
//! `ready`, a service where nothing listens, an adapter that never answers `facts` — each
//! ends in a verdict that says what went wrong, within the timeout, never a hang. And a
//! service that asks J-LIS over HTTP while it answers is answered at once: onshi holds
//! nothing J-LIS needs while it waits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use onshi_harness::adapter::AdapterCommand;
use onshi_harness::catalog::Catalog;
use onshi_harness::roles::registry::{RegistryLink, RegistryRole, RegistryUnderTest};
use onshi_harness::run::execute::{Roles, execute_bound};
use onshi_harness::scenario;
use onshi_reports::{ScenarioRecord, Verdict};

fn run_with(adapter: &str) -> ScenarioRecord {
    let s = scenario::open(
        &Path::new("../scenarios").join("reissue/relink-after-loss.yaml"),
        Catalog::builtin(),
    )
    .unwrap();
    assert!(s.plan.registry_suite());
    let roles = Roles {
        registry: RegistryRole::UnderTest(Arc::new(RegistryUnderTest {
            link: RegistryLink::Adapter(AdapterCommand {
                command: adapter.into(),
                timeout: Duration::from_secs(2),
            }),
            timeout: Duration::from_secs(2),
            exchanges: None,
        })),
        ..Roles::default()
    };
    execute_bound(&s.plan, &s.sources, 1, &roles)
}

const LOOP: &str = r#"python3 -c '
import sys, json
service = sys.argv[1]
for line in sys.stdin:
    t = json.loads(line)["type"]
    if t == "registry_hello":
        out = {"type": "ready", "protocol": "onshi-cap/1", "system": {"name": "x", "version": "1"}}
        if service == "hang":
            out["service"] = "http://127.0.0.1:9"
        elif service != "none":
            out["service"] = service
    elif t == "end":
        out = {"type": "bye"}
    elif t == "facts" and service == "hang":
        continue
    else:
        out = {"type": "done"}
    print(json.dumps(out), flush=True)
' "#;

#[test]
fn ready_without_a_service_url_is_named() {
    let r = run_with(&format!("{LOOP} none"));
    assert_eq!(r.verdict, Verdict::Fail);
    let e = r.error.unwrap();
    assert!(e.contains("no `service` URL"), "{e}");
}

#[test]
fn a_service_where_nothing_listens_fails_each_question_with_the_reason() {
    let r = run_with(&format!("{LOOP} http://127.0.0.1:9"));
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.error.is_none(), "{:?}", r.error);
    let card: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.name == "registry_under_test.card")
        .collect();
    assert!(!card.is_empty());
    for c in card {
        assert_eq!(c.verdict, Verdict::Fail);
        assert!(c.actual.contains("connection refused"), "{}", c.actual);
    }
}

#[test]
fn an_adapter_that_never_answers_facts_times_out() {
    let start = Instant::now();
    let r = run_with(&format!("{LOOP} hang"));
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(r.verdict, Verdict::Fail);
    let e = r.error.unwrap();
    assert!(e.contains("did not answer `facts` within 2 s"), "{e}");
}

#[test]
fn a_service_that_asks_jlis_while_answering_is_not_kept_waiting() {
    let start = Instant::now();
    let r = run_with(&format!(
        "ONSHI_BIN={} python3 tests/support/registry_asks_jlis.py",
        env!("CARGO_BIN_EXE_onshi")
    ));
    assert!(r.error.is_none(), "{:?}", r.error);
    let card: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.name == "registry_under_test.card")
        .collect();
    assert!(!card.is_empty());
    for c in &card {
        assert_eq!(c.verdict, Verdict::Pass, "{}", c.actual);
    }
    assert_eq!(r.verdict, Verdict::Pass);
    assert!(start.elapsed() < Duration::from_secs(30));
}
