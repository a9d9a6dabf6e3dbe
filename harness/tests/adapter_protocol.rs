//! The adapter protocol against adapters that misbehave: each becomes a failed verdict that
//! says what onshi waited for and shows the adapter's standard error; none hangs or panics.
//! And a well-behaved adapter's visit reaches it with a complete face file.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use onshi_harness::adapter::AdapterCommand;
use onshi_harness::catalog::Catalog;
use onshi_harness::roles::{ProviderRole, Roles};
use onshi_harness::run::execute::{AdapterRun, execute_bound};
use onshi_reports::{ScenarioRecord, Verdict};

const SCENARIO: &str = "../scenarios/outage/retry-waits-for-the-registry.yaml";

/// A Python adapter whose body handles one parsed message `m` (helpers `send`, `ready`).
fn adapter(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(format!("{name}.py"));
    let script = format!(
        "import json, sys, os, time\n\
         def send(o):\n    sys.stdout.write(json.dumps(o, ensure_ascii=False) + '\\n'); sys.stdout.flush()\n\
         def ready():\n    send({{'type': 'ready', 'protocol': 'onshi-cap/1', 'system': {{'name': '{name}', 'version': '0'}}}})\n\
         for line in sys.stdin:\n    m = json.loads(line)\n{}\n",
        body.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    std::fs::write(&path, script).unwrap();
    format!("python3 {}", path.display())
}

fn run_with(command: String, exchanges: PathBuf) -> ScenarioRecord {
    run_scenario(SCENARIO, command, exchanges)
}

fn run_scenario(scenario: &str, command: String, exchanges: PathBuf) -> ScenarioRecord {
    let sc = onshi_harness::scenario::open(Path::new(scenario), Catalog::builtin()).unwrap();
    assert!(sc.plan.provider_suite());
    let role = ProviderRole::Adapter(Arc::new(AdapterRun {
        command: AdapterCommand {
            command,
            timeout: Duration::from_secs(2),
        },
        exchanges,
        http: false,
    }));
    let roles = Roles {
        provider: role,
        ..Roles::default()
    };
    execute_bound(&sc.plan, &sc.sources, 1, &roles)
}

fn error_of(r: &ScenarioRecord) -> String {
    assert_eq!(r.verdict, Verdict::Fail, "{r:#?}");
    r.error.clone().unwrap_or_default()
}

#[test]
fn a_crashing_adapter_fails_with_its_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = adapter(
        dir.path(),
        "crash",
        "sys.stderr.write('Traceback: the clinic database is locked\\n')\nsys.exit(3)",
    );
    let e = error_of(&run_with(cmd, dir.path().join("x")));
    assert!(
        e.contains("exited (exit status 3) before answering `hello`"),
        "{e}"
    );
    assert!(e.contains("the clinic database is locked"), "{e}");
}

#[test]
fn a_silent_adapter_times_out_and_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = adapter(
        dir.path(),
        "silent",
        "if m['type'] == 'hello':\n    ready()\nelif m['type'] in ('outage', 'time'):\n    send({'type': 'done'})\nelse:\n    time.sleep(600)",
    );
    let started = Instant::now();
    let e = error_of(&run_with(cmd, dir.path().join("x")));
    assert!(e.contains("did not answer `visit` within 2 s"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn broken_replies_quote_the_line_and_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "garbage",
            "print('ok, patient seen', flush=True)",
            "broke the protocol on line 1",
        ),
        (
            "typo",
            "if m['type'] == 'hello':\n    ready()\nelif m['type'] in ('outage', 'time'):\n    send({'type': 'done'})\nelse:\n    send({'type': 'recorded', 'visit': m.get('visit'), 'path': 'confirmed', 'confirm_later': False, 'chargd': 1200})",
            "unknown field `chargd`",
        ),
        (
            "wrong-visit",
            "if m['type'] == 'hello':\n    ready()\nelif m['type'] in ('outage', 'time'):\n    send({'type': 'done'})\nelse:\n    send({'type': 'recorded', 'visit': 'other', 'path': 'confirmed', 'confirm_later': False})",
            "for visit `other`, not for `during`",
        ),
        (
            "wrong-type",
            "if m['type'] == 'hello':\n    ready()\nelif m['type'] in ('outage', 'time'):\n    send({'type': 'done'})\nelse:\n    send({'type': 'done'})",
            "answered `visit` with `done` (expected `recorded`)",
        ),
        (
            "refuses",
            "if m['type'] == 'hello':\n    ready()\nelif m['type'] in ('outage', 'time'):\n    send({'type': 'done'})\nelse:\n    send({'type': 'error', 'message': 'reception is closed'})",
            "the system could not handle `visit`: reception is closed",
        ),
        (
            "old-protocol",
            "send({'type': 'ready', 'protocol': 'onshi-cap/0', 'system': {'name': 'x', 'version': '0'}})",
            "onshi speaks \"onshi-cap/1\"",
        ),
    ];
    for (name, body, want) in cases {
        let cmd = adapter(dir.path(), name, body);
        let e = error_of(&run_with(cmd, dir.path().join(name)));
        assert!(e.contains(want), "{name}: {e}");
    }
}

#[test]
fn a_visit_reaches_the_adapter_with_a_complete_face_file() {
    let dir = tempfile::tempdir().unwrap();
    // Records what it saw in stored; the face file must decode and name the patient.
    let cmd = adapter(
        dir.path(),
        "echo",
        "t = m['type']\n\
         if t == 'hello':\n    ready()\n\
         elif t == 'visit':\n    face = open(os.path.join(os.environ['ONSHI_OQS_ROOT'], 'face', m['face_file']), encoding='utf-8').read()\n    send({'type': 'log', 'message': 'face file of ' + str(len(face)) + ' characters'})\n    send({'type': 'recorded', 'visit': m['visit'], 'path': 'paper_certificate', 'charged': 1200, 'confirm_later': True, 'name': '山田　太郎' if '山田　太郎' in face else None, 'stored': {'face_has_error': 'ONS-E0202' in face}})\n\
         elif t == 'observe':\n    send({'type': 'recorded', 'visit': m['visit'], 'path': 'paper_certificate', 'charged': 1200, 'confirm_later': True})\n\
         elif t in ('time', 'outage'):\n    send({'type': 'done'})\n\
         elif t == 'end':\n    send({'type': 'bye'})\n    break",
    );
    let r = run_with(cmd, dir.path().join("x"));
    assert!(r.error.is_none(), "{:?}", r.error);
    let check = |name: &str| {
        r.checks
            .iter()
            .rfind(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}: {:#?}", r.checks))
            .clone()
    };
    // The face file (the registry's outage error) was complete when the adapter read it.
    assert!(
        r.trace
            .iter()
            .any(|t| t.kind == "provider.log" && t.summary.starts_with("face file of "))
    );
    assert_eq!(
        check("provider.my_number_not_stored").verdict,
        Verdict::Pass
    );
    assert_eq!(check("provider.path").verdict, Verdict::Pass);
    // It never retried, so the owed confirmation is missing: PRV-7 fails.
    let later = check("provider.confirmed_later");
    assert_eq!(later.verdict, Verdict::Fail);
    assert!(later.requirements.contains(&"PRV-7".to_string()));
    // The reference provider's own trace entries are skipped, not counted as passed.
    assert!(
        r.checks
            .iter()
            .any(|c| c.name == "trace.has" && c.verdict == Verdict::Skip)
    );
}

#[test]
fn recorded_numbers_must_come_from_an_answer_of_the_visit() {
    // Both visits are recorded as confirmed with ken's numbers. The first (in the grace period)
    // was answered with exactly those; the second was refused (expired) and the adapter never
    // asked by numbers, so its numbers come from nowhere (stale data, PRV-1).
    let dir = tempfile::tempdir().unwrap();
    let cmd = adapter(
        dir.path(),
        "fixed-numbers",
        "t = m['type']\n\
         rec = lambda v: {'type': 'recorded', 'visit': v, 'path': 'confirmed', 'insurer_number': '01130012', 'symbol': '3301', 'number': '42', 'branch': '00', 'copay_percent': 30, 'charged': 3000, 'confirm_later': False}\n\
         if t == 'hello':\n    ready()\n\
         elif t in ('visit', 'observe'):\n    send(rec(m['visit']))\n\
         elif t in ('time', 'outage'):\n    send({'type': 'done'})\n\
         elif t == 'end':\n    send({'type': 'bye'})\n    break",
    );
    let r = run_scenario(
        "../scenarios/provider/card-refused-expired.yaml",
        cmd,
        dir.path().join("x"),
    );
    assert!(r.error.is_none(), "{:?}", r.error);
    let checks: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.name == "provider.numbers_as_answered")
        .collect();
    assert_eq!(checks.len(), 2, "{checks:#?}");
    assert_eq!(checks[0].verdict, Verdict::Pass, "{:#?}", checks[0]);
    assert!(checks[0].expected.contains("01130012 3301 42 00"));
    assert_eq!(checks[1].verdict, Verdict::Fail, "{:#?}", checks[1]);
    assert!(
        checks[1].expected.contains("answered no result"),
        "{}",
        checks[1].expected
    );
    assert_eq!(checks[1].actual, "confirmed: 01130012 3301 42 00");
    assert!(checks[1].requirements.contains(&"PRV-1".to_string()));
}

#[test]
fn a_declaration_records_no_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = adapter(
        dir.path(),
        "declaration-with-numbers",
        "t = m['type']\n\
         rec = lambda v: {'type': 'recorded', 'visit': v, 'path': 'declaration_form', 'insurer_number': '01130012', 'symbol': '3301', 'number': '42', 'branch': '00', 'copay_percent': 30, 'charged': 3000, 'confirm_later': False}\n\
         if t == 'hello':\n    ready()\n\
         elif t in ('visit', 'observe'):\n    send(rec(m['visit']))\n\
         elif t in ('time', 'outage'):\n    send({'type': 'done'})\n\
         elif t == 'end':\n    send({'type': 'bye'})\n    break",
    );
    let r = run_scenario(
        "../scenarios/provider/card-refused-expired.yaml",
        cmd,
        dir.path().join("x"),
    );
    let check = r
        .checks
        .iter()
        .find(|c| c.name == "provider.numbers_as_answered")
        .unwrap();
    assert_eq!(check.verdict, Verdict::Fail, "{check:#?}");
    assert!(
        check.expected.starts_with("no numbers"),
        "{}",
        check.expected
    );
}
