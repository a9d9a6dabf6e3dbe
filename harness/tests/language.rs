//! The language checks what it can (issue 12): every closed vocabulary refuses a wrong value
//! at the value's line and column with a rule code; list expectations take `contains` /
//! `not_contains`; `withheld: any`; library fixtures by name (`onshi:standard`) from a suite
//! outside the repository; and, with a provider under test, the scenario's own steps are not
//! counted as the provider's in the trace.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use onshi_harness::catalog::Catalog;
use onshi_harness::run::{self, RunOptions};
use onshi_harness::scenario;
use onshi_reports::{Check, Verdict};

/// A folder with the library's fixtures, for scenarios that include `taro`.
fn with_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("fixtures")).unwrap();
    for f in ["standard.yaml", "taro.yaml"] {
        std::fs::copy(
            Path::new("../scenarios/fixtures").join(f),
            dir.path().join("fixtures").join(f),
        )
        .unwrap();
    }
    dir
}

const HEAD: &str = "id: lang/bad
title: { en: bad }
requirements: [REG-4]
start: 2026-04-01T09:00
include: [taro]
steps:
  - visit: { name: v, person: taro, at: clinic }
";

/// (lines 8 and 9 of the file, the wrong value on line 9, rule code, text the hint has).
const WRONG_VALUES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "expect:",
        "  - confirmation: { refused: expired }",
        "expired",
        "scenario::unknown-name",
        "certificate_expired",
    ),
    (
        "expect:",
        "  - confirmation: { scope: qualification }",
        "qualification",
        "scenario::unknown-name",
        "qualification_only",
    ),
    (
        "expect:",
        "  - confirmation: { validity: 7 }",
        "7",
        "scenario::bad-validity",
        "1 (有効)",
    ),
    (
        "expect:",
        "  - confirmation: { elderly_copay: twenty }",
        "twenty",
        "scenario::bad-value",
        "scenario-format",
    ),
    (
        "expect:",
        "  - confirmation: { limit_category: A07 }",
        "A07",
        "scenario::unknown-name",
        "A01",
    ),
    (
        "expect:",
        "  - confirmation: { limit_category: a03 }",
        "a03",
        "scenario::unknown-name",
        "did you mean `A03`",
    ),
    (
        "expect:",
        "  - confirmation: { long_stay_from: 2026-02-30 }",
        "2026-02-30",
        "scenario::bad-value",
        "",
    ),
    (
        "expect:",
        "  - confirmation: { disease: hemophila }",
        "hemophila",
        "scenario::unknown-name",
        "did you mean `hemophilia`",
    ),
    (
        "expect:",
        "  - confirmation: { expiry_notice: some }",
        "some",
        "scenario::bad-value",
        "",
    ),
    (
        "expect:",
        "  - confirmation: { loss_date: yesterday }",
        "yesterday",
        "scenario::bad-value",
        "",
    ),
    (
        "expect:",
        "  - verification: { method: fingerprint }",
        "fingerprint",
        "scenario::unknown-name",
        "visual",
    ),
    (
        "expect:",
        "  - verification: { results: [pin_okay] }",
        "pin_okay",
        "scenario::unknown-name",
        "did you mean `pin_ok`",
    ),
    (
        "expect:",
        "  - verification: { results: { contains: [face_match] } }",
        "face_match",
        "scenario::unknown-name",
        "did you mean `face_matched`",
    ),
    (
        "expect:",
        "  - verification: { results: { contain: [pin_ok] } }",
        "contain",
        "scenario::unknown-key",
        "did you mean `contains`",
    ),
    (
        "expect:",
        "  - reader: { consent_screens: [medicaton] }",
        "medicaton",
        "scenario::unknown-name",
        "did you mean `medication`",
    ),
    (
        "expect:",
        "  - reader: { consented: { not_contains: [surgry] } }",
        "surgry",
        "scenario::unknown-name",
        "did you mean `surgery`",
    ),
    (
        "expect:",
        "  - reader: { provided_without_consent: [limit] }",
        "limit",
        "scenario::unknown-name",
        "limit_info",
    ),
    (
        "expect:",
        "  - data: { kind: medication, withheld: no_consnt }",
        "no_consnt",
        "scenario::unknown-name",
        "did you mean `no_consent`",
    ),
    (
        "expect:",
        "  - provider: { path: paper }",
        "paper",
        "scenario::unknown-name",
        "paper_certificate",
    ),
    (
        "expect:",
        "  - provider: { limit_category: B11 }",
        "B11",
        "scenario::unknown-name",
        "",
    ),
    (
        "expect:",
        "  - provider: { cap: 8万 }",
        "8万",
        "scenario::bad-value",
        "",
    ),
    (
        "expect:",
        "  - provider: { confirmed_later: soon }",
        "soon",
        "scenario::bad-value",
        "",
    ),
    (
        "expect:",
        "  - provider: { later_validity: 0 }",
        "0",
        "scenario::bad-validity",
        "",
    ),
    (
        "expect:",
        "  - provider: { fetched: [medicine] }",
        "medicine",
        "scenario::unknown-name",
        "did you mean `medication`",
    ),
    (
        "expect:",
        "  - registry.link: { person: taro, relinked_from: 1 back }",
        "1 back",
        "scenario::bad-value",
        "previous",
    ),
    (
        "expect:",
        "  - portal: { denied: no_acount }",
        "no_acount",
        "scenario::unknown-name",
        "did you mean `no_account`",
    ),
    (
        "expect:",
        "  - terminal: { certificate: authentication }",
        "authentication",
        "scenario::unknown-name",
        "auth",
    ),
    (
        "expect:",
        "  - terminal: { method: fingerprint }",
        "fingerprint",
        "scenario::unknown-name",
        "",
    ),
    (
        "expect:",
        "  - terminal: { rejection: bad_signatur }",
        "bad_signatur",
        "scenario::unknown-name",
        "did you mean `bad_signature`",
    ),
    (
        "expect:",
        "  - wire: { encoding: sjis }",
        "sjis",
        "scenario::unknown-name",
        "shift_jis",
    ),
    (
        "oqs:",
        "  encoding: euc_jp",
        "euc_jp",
        "scenario::unknown-name",
        "utf8",
    ),
    (
        "expect:",
        "  - data: { kind: medication }",
        "data",
        "scenario::missing-key",
        "withheld",
    ),
    (
        "expect:",
        "  - card: { person: taro, expires: 2030-13-01 }",
        "2030-13-01",
        "scenario::bad-date",
        "",
    ),
    (
        "expect:",
        "  - trace.has: { kind: registry.relink, person: hanako }",
        "hanako",
        "scenario::unknown-reference",
        "",
    ),
];

#[test]
fn every_closed_vocabulary_refuses_a_wrong_value_at_the_value() {
    let dir = with_fixtures();
    let catalog = Catalog::builtin();
    for (i, (head, line, value, code, hint)) in WRONG_VALUES.iter().enumerate() {
        let path = dir.path().join(format!("case-{i}.yaml"));
        std::fs::write(&path, format!("{HEAD}{head}\n{line}\n")).unwrap();
        let problems = match scenario::open(&path, catalog) {
            Ok(_) => panic!("`{line}` validated"),
            Err(p) => p,
        };
        let p = &problems[0];
        let column = line.find(value).unwrap() as u64 + 1;
        assert_eq!(
            (p.code, p.line, p.column),
            (*code, 9, column),
            "`{line}`: {p}"
        );
        let said = format!("{} {}", p.message, p.help.clone().unwrap_or_default());
        assert!(said.contains(hint), "`{line}`: {said:?} lacks {hint:?}");
        assert!(p.render_plain().contains(&format!(":9:{column}")), "{line}");
    }
}

#[test]
fn an_of_naming_no_step_is_reported_at_the_name() {
    let dir = with_fixtures();
    let path = dir.path().join("of.yaml");
    let line = "  - confirmation: { validity: 1, of: vist }";
    std::fs::write(&path, format!("{HEAD}expect:\n{line}\n")).unwrap();
    let sc = scenario::open(&path, Catalog::builtin()).unwrap();
    let lints = scenario::lint::lint(&sc);
    let p = lints
        .iter()
        .find(|p| p.code == "lint::never-checked")
        .unwrap();
    assert_eq!(
        (p.line, p.column),
        (9, line.find("vist").unwrap() as u64 + 1)
    );
}

#[test]
fn a_step_name_used_twice_is_reported_at_the_second_name() {
    let dir = with_fixtures();
    let path = dir.path().join("twice.yaml");
    let line = "  - fetch: { person: taro, at: clinic, kind: medication, name: v }";
    std::fs::write(&path, format!("{HEAD}{line}\nexpect: []\n")).unwrap();
    let problems = scenario::open(&path, Catalog::builtin()).unwrap_err();
    let p = &problems[0];
    assert_eq!(
        (p.code, p.line, p.column),
        (
            "scenario::duplicate-name",
            8,
            line.rfind(" v ").unwrap() as u64 + 2
        ),
        "{p}"
    );
}

#[test]
fn an_argument_for_no_parameter_is_reported_at_its_value() {
    let dir = with_fixtures();
    let path = dir.path().join("use.yaml");
    let line = "  - use: { sequence: face-visit, with: { person: taro, persn: taro } }";
    let text = HEAD.replace(
        "  - visit: { name: v, person: taro, at: clinic }\n",
        &format!("{line}\n"),
    );
    std::fs::write(&path, format!("{text}expect: []\n")).unwrap();
    let problems = scenario::open(&path, Catalog::builtin()).unwrap_err();
    let p = &problems[0];
    assert_eq!(
        (p.code, p.line, p.column),
        (
            "scenario::unknown-parameter",
            7,
            line.rfind("taro").unwrap() as u64 + 1
        ),
        "{p}"
    );
}

/// Checks of the one scenario in `text` run against the reference.
fn checks_of(text: &str) -> Vec<Check> {
    let dir = with_fixtures();
    let path = dir.path().join("lists.yaml");
    std::fs::write(&path, text).unwrap();
    let result = run::run(&[path], Catalog::builtin(), &RunOptions::default()).unwrap();
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    result.record.scenarios[0].checks.clone()
}

const LISTS: &str = "id: lang/lists
title: { en: lists }
requirements: [RDR-4]
start: 2026-04-01T09:00
include: [taro]
steps:
  - record.add: { person: taro, kind: medication, date: 2026-03-20, e_prescription: true }
  - visit: { name: v, person: taro, at: clinic, verify: [pin: \"0000\", pin: \"1234\"], consent: { all: false, medication: true }, fee: 10000 }
  - fetch: { name: f, person: taro, at: clinic, kind: surgery }
expect:
";

#[test]
fn list_expectations_and_withheld_any_pass_and_fail_through_the_runner() {
    // (expectation, check name, verdict, expected text)
    let cases: &[(&str, &str, Verdict, &str)] = &[
        (
            "verification: { of: v, results: [pin_wrong, pin_ok] }",
            "verification.results",
            Verdict::Pass,
            "[pin_wrong, pin_ok]",
        ),
        (
            "verification: { of: v, results: [pin_ok, pin_wrong] }",
            "verification.results",
            Verdict::Fail,
            "[pin_ok, pin_wrong]",
        ),
        (
            "verification: { of: v, results: { contains: [pin_ok] } }",
            "verification.results",
            Verdict::Pass,
            "contains [pin_ok]",
        ),
        (
            "verification: { of: v, results: { contains: [face_matched] } }",
            "verification.results",
            Verdict::Fail,
            "contains [face_matched]",
        ),
        (
            "verification: { of: v, results: { not_contains: [pin_blocked, face_locked] } }",
            "verification.results",
            Verdict::Pass,
            "not_contains [pin_blocked, face_locked]",
        ),
        (
            "verification: { of: v, results: { contains: [pin_ok], not_contains: [pin_wrong] } }",
            "verification.results",
            Verdict::Fail,
            "contains [pin_ok]; not_contains [pin_wrong]",
        ),
        (
            "reader: { of: v, consent_screens: { contains: [medication, surgery] } }",
            "reader.consent_screens",
            Verdict::Pass,
            "contains [Medication, Surgery]",
        ),
        (
            "reader: { of: v, consent_screens: { not_contains: [limit_info] } }",
            "reader.consent_screens",
            Verdict::Pass,
            "not_contains [LimitInfo]",
        ),
        (
            "reader: { of: v, consent_screens: { not_contains: [checkup] } }",
            "reader.consent_screens",
            Verdict::Fail,
            "not_contains [Checkup]",
        ),
        (
            "reader: { of: v, consented: [medication] }",
            "reader.consented",
            Verdict::Pass,
            "[Medication]",
        ),
        (
            "reader: { of: v, consented: { not_contains: [treatment] } }",
            "reader.consented",
            Verdict::Pass,
            "not_contains [Treatment]",
        ),
        (
            "reader: { of: v, consented: { contains: [treatment] } }",
            "reader.consented",
            Verdict::Fail,
            "contains [Treatment]",
        ),
        (
            "reader: { of: v, provided_without_consent: { contains: [limit_info] } }",
            "reader.provided_without_consent",
            Verdict::Pass,
            "contains [LimitInfo]",
        ),
        (
            "reader: { of: v, provided_without_consent: { not_contains: [specific_disease] } }",
            "reader.provided_without_consent",
            Verdict::Fail,
            "not_contains [SpecificDisease]",
        ),
        (
            "provider: { of: v, fetched: { contains: [medication] } }",
            "provider.fetched",
            Verdict::Pass,
            "contains [Medication]",
        ),
        (
            "provider: { of: v, fetched: { not_contains: [medication] } }",
            "provider.fetched",
            Verdict::Fail,
            "not_contains [Medication]",
        ),
        (
            "provider: { of: v, fetched: [medication] }",
            "provider.fetched",
            Verdict::Pass,
            "[Medication]",
        ),
        (
            "data: { of: f, kind: surgery, withheld: any }",
            "data.withheld",
            Verdict::Pass,
            "any",
        ),
        (
            "data: { of: v, kind: treatment, withheld: any }",
            "data.withheld",
            Verdict::Pass,
            "any",
        ),
        (
            "data: { of: v, kind: medication, shared: 1 }",
            "data.shared",
            Verdict::Pass,
            "1 item(s) shared",
        ),
        (
            "data: { of: v, kind: medication, withheld: any }",
            "data.withheld",
            Verdict::Fail,
            "any",
        ),
        (
            "data: { of: f, kind: surgery, withheld: no_consent }",
            "data.withheld",
            Verdict::Pass,
            "no_consent",
        ),
        (
            "data: { of: f, kind: surgery, withheld: not_requested }",
            "data.withheld",
            Verdict::Fail,
            "not_requested",
        ),
    ];
    let text = cases
        .iter()
        .map(|(e, ..)| format!("  - {e}\n"))
        .collect::<String>();
    let checks = checks_of(&format!("{LISTS}{text}"));
    for (i, (e, name, verdict, expected)) in cases.iter().enumerate() {
        let line = (11 + i).to_string();
        let c = checks
            .iter()
            .find(|c| c.at.ends_with(&format!(":{line}:5")) && c.name == *name)
            .unwrap_or_else(|| panic!("no check {name} for `{e}` in {checks:#?}"));
        assert_eq!(c.verdict, *verdict, "`{e}`: {c:?}");
        assert_eq!(c.expected, *expected, "`{e}`");
    }
}

/// A vendor's suite in a folder of its own, outside any checkout.
#[test]
fn a_suite_outside_the_repository_includes_library_fixtures_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    let text = "id: vendor/standard
title: { en: a vendor's own scenario }
requirements: [REG-4]
start: 2026-04-01T09:00
include: [onshi:standard, onshi:taro]
world:
  people:
    - id: hanako
      born: 1985-02-02
      card: { issued: 2024-06-01 }
      insurance: [{ insurer: kumiai, symbol: \"50\", number: \"77\", from: 2010-04-01 }]
      registered: { on: 2024-06-10T10:00 }
steps:
  - visit: { person: taro, at: clinic, fee: 10000 }
  - visit: { person: hanako, at: other-clinic, fee: 10000 }
expect:
  - confirmation: { validity: 1, copay_percent: 30 }
";
    std::fs::write(suite.join("a.yaml"), text).unwrap();
    let result = run::run(
        std::slice::from_ref(&suite),
        Catalog::builtin(),
        &RunOptions::default(),
    )
    .unwrap();
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    let sc = &result.record.scenarios[0];
    assert_eq!(sc.verdict, Verdict::Pass, "{sc:?}");
    let files: Vec<&str> = result
        .record
        .files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert!(
        files.contains(&"onshi:scenarios/fixtures/standard.yaml")
            && files.contains(&"onshi:scenarios/fixtures/taro.yaml"),
        "{files:?}"
    );

    std::fs::write(
        suite.join("a.yaml"),
        text.replace(
            "[onshi:standard, onshi:taro]",
            "[onshi:standard, onshi:nope]",
        ),
    )
    .unwrap();
    let problems = scenario::open(&suite.join("a.yaml"), Catalog::builtin()).unwrap_err();
    let p = &problems[0];
    assert_eq!(
        (p.code, p.line, p.column),
        ("scenario::unknown-fixture", 5, 27),
        "{p}"
    );
    assert!(p.message.contains("`nope`"), "{p}");
    let help = p.help.clone().unwrap_or_default();
    assert!(
        help.contains("onshi:standard") && help.contains("onshi:taro"),
        "{help}"
    );
}

/// Runs `text` with examples/clinic-py as the provider under test.
fn under_test(text: &str) -> Vec<Check> {
    use onshi_harness::adapter::AdapterCommand;
    use onshi_harness::roles::{ProviderRole, Roles};
    use onshi_harness::run::execute::AdapterRun;
    let dir = with_fixtures();
    let path = dir.path().join("own-steps.yaml");
    std::fs::write(&path, text).unwrap();
    let adapter = PathBuf::from("../examples/clinic-py/adapter.py");
    let options = RunOptions {
        roles: Roles {
            provider: ProviderRole::Adapter(Arc::new(AdapterRun {
                command: AdapterCommand {
                    command: format!("python3 {}", adapter.display()),
                    timeout: Duration::from_secs(20),
                },
                exchanges: dir.path().join("exchanges"),
                http: false,
            })),
            ..Roles::default()
        },
        timeout: Duration::from_secs(60),
        ..RunOptions::default()
    };
    let result = run::run(&[path], Catalog::builtin(), &options).unwrap();
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    let sc = &result.record.scenarios[0];
    assert!(sc.error.is_none(), "{sc:?}");
    sc.checks.clone()
}

const OWN_STEPS: &str = "id: lang/own-steps
title: { en: the scenario's own steps are not the provider's }
requirements: [REG-9]
start: 2026-04-01T09:00
include: [taro]
steps:
  - visit: { name: v, person: taro, at: clinic, fee: 10000 }
  - confirm.numbers: { person: taro, at: clinic }
  - fetch: { person: taro, at: clinic, kind: treatment }
expect:
  - provider: { of: v, path: confirmed }
  - trace.never: { from: provider, kind: registry.confirm_numbers }
  - trace.has: { from: scenario, kind: registry.confirm_numbers, count: 1 }
  - trace.never: { from: provider, kind: registry.treatment }
  - trace.has: { from: scenario, kind: registry.treatment }
  - trace.has: { from: provider, kind: registry.confirm_numbers }
";

#[test]
fn with_a_provider_under_test_the_scenarios_own_steps_are_not_the_providers() {
    // scripts/test installs python3; without it this test must fail, not pass unseen.
    assert!(
        std::process::Command::new("python3")
            .arg("--version")
            .output()
            .is_ok(),
        "python3 is needed (scripts/test --install-only installs it)"
    );
    let checks = under_test(OWN_STEPS);
    let trace: Vec<&Check> = checks
        .iter()
        .filter(|c| c.name.starts_with("trace."))
        .collect();
    let verdicts: Vec<(&str, Verdict)> = trace
        .iter()
        .map(|c| (c.expected.as_str(), c.verdict))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("0 × registry.confirm_numbers from provider", Verdict::Pass),
            ("1 × registry.confirm_numbers from scenario", Verdict::Pass),
            ("0 × registry.treatment from provider", Verdict::Pass),
            ("≥1 × registry.treatment from scenario", Verdict::Pass),
            // The system confirmed a card visit: it sent no confirmation by numbers, and the
            // scenario's own `confirm.numbers` does not count as one.
            ("≥1 × registry.confirm_numbers from provider", Verdict::Fail),
        ],
        "{trace:#?}"
    );
    // Against the reference the provider is the reference, and the same steps are its own.
    let reference = checks_of(OWN_STEPS);
    let never = reference.iter().find(|c| c.name == "trace.never").unwrap();
    assert_eq!(never.verdict, Verdict::Fail, "{never:?}");
}

#[test]
fn a_fetched_expectation_the_folder_protocol_cannot_carry_is_skipped_not_passed() {
    // Under test only medication (YZK) and checkup (TKK) are compared; `contains: [treatment]`
    // leaves nothing to compare, which must show as a skip with the reason.
    let checks = under_test(
        "id: lang/fetched-skip
title: { en: fetched kinds the folder protocol does not carry }
requirements: [PRV-3]
start: 2026-04-01T09:00
include: [taro]
steps:
  - visit: { name: v, person: taro, at: clinic, consent: { all: true }, fee: 10000 }
expect:
  - provider: { of: v, fetched: { contains: [treatment] } }
  - provider: { of: v, fetched: { contains: [medication, treatment] } }
",
    );
    let fetched: Vec<&Check> = checks
        .iter()
        .filter(|c| c.name == "provider.fetched")
        .collect();
    assert_eq!(fetched.len(), 2, "{fetched:#?}");
    assert_eq!(fetched[0].verdict, Verdict::Skip, "{:#?}", fetched[0]);
    assert!(
        fetched[0]
            .note
            .as_deref()
            .unwrap_or("")
            .contains("folder protocol")
    );
    assert_eq!(fetched[1].verdict, Verdict::Pass, "{:#?}", fetched[1]);
}
