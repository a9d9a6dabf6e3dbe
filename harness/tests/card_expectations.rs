//! The card steps (`card.certificate`, `card.sign`, `card.surface`) and the expectations that
//! replaced the library's `review:` checks (`certificate`, `signature`, `surface`, the new
//! `card` counters, `my_number`, `portal.account`, `no_face_data`, `jlis.status`,
//! `jlis.issued`): each passes when the scenario states what happens, fails with a useful
//! expected/actual when it does not, and `validate` rejects values that cannot be right.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use onshi_harness::catalog::Catalog;
use onshi_harness::run::{self, RunOptions};
use onshi_harness::scenario;
use onshi_reports::{Check, ScenarioRecord, Verdict};

/// A folder with the library's fixtures and `body` as `<name>.yaml` (a scenario that includes
/// `taro` and the standard fixture).
fn write(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("onshi-card-exp-{}-{name}", std::process::id()));
    let fixtures = dir.join("fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    for e in std::fs::read_dir("../scenarios/fixtures").unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, fixtures.join(p.file_name().unwrap())).unwrap();
    }
    let file = dir.join(format!("{name}.yaml"));
    let text = format!(
        "id: test/{name}\ntitle: {{ ja: テスト, en: test }}\nrequirements: [CARD-1]\n\
         start: 2026-04-01T09:00\ninclude: [taro]\n{body}"
    );
    std::fs::write(&file, text).unwrap();
    file
}

fn run(name: &str, body: &str) -> ScenarioRecord {
    let file = write(name, body);
    let s = scenario::open(&file, Catalog::builtin()).unwrap_or_else(|p| {
        panic!(
            "{name}: {}",
            p.iter().map(|p| p.render_plain()).collect::<String>()
        )
    });
    let record = run::execute::execute(&s.plan, &s.sources, 1);
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
    record
}

fn problems(name: &str, body: &str) -> Vec<String> {
    let file = write(name, body);
    let out = match scenario::open(&file, Catalog::builtin()) {
        Ok(_) => Vec::new(),
        Err(p) => p
            .iter()
            .map(|p| format!("{} {}", p.code, p.message))
            .collect(),
    };
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
    out
}

fn check<'a>(r: &'a ScenarioRecord, name: &str) -> &'a Check {
    r.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name} in {:#?}", r.checks))
}

fn all_pass(r: &ScenarioRecord) {
    let failed: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(r.error.is_none(), "{:?}", r.error);
}

const AUTH: &str = "steps:\n  - card.certificate: { name: c, person: taro }\n";

#[test]
fn the_auth_certificate_read_over_apdus_is_checked_field_by_field() {
    let pass = run(
        "cert-pass",
        &format!(
            "{AUTH}expect:\n  - certificate: {{ of: c, read: true, status: \"90 00\", version: 3, \
             key_bits: 2048, signature_algorithm: sha256WithRSAEncryption, subject: none, \
             serial: linked, chains_to: auth_ca }}\n"
        ),
    );
    all_pass(&pass);
    assert_eq!(pass.checks.len(), 8);

    let fail = run(
        "cert-fail",
        &format!(
            "{AUTH}expect:\n  - certificate: {{ of: c, key_bits: 1024, subject: basic_four, \
             signature_algorithm: sha1WithRSAEncryption, chains_to: signature_ca }}\n"
        ),
    );
    assert_eq!(fail.verdict, Verdict::Fail);
    let bits = check(&fail, "certificate.key_bits");
    assert_eq!(
        (bits.expected.as_str(), bits.actual.as_str()),
        ("1024", "2048")
    );
    let subject = check(&fail, "certificate.subject");
    assert_eq!(
        (subject.verdict, subject.actual.as_str()),
        (Verdict::Fail, "none")
    );
    let alg = check(&fail, "certificate.signature_algorithm");
    assert_eq!(alg.actual, "sha256WithRSAEncryption");
    let ca = check(&fail, "certificate.chains_to");
    assert_eq!(ca.verdict, Verdict::Fail);
    assert!(ca.actual.contains("does not verify"), "{}", ca.actual);
}

#[test]
fn signing_is_checked_before_and_after_the_pin() {
    let body = "steps:\n  - card.sign: { name: none, person: taro, key: auth }\n  \
                - card.sign: { name: ok, person: taro, key: auth, pin: \"1234\" }\n  \
                - card.sign: { name: bad, person: taro, key: signature, pin: \"WRONG1234\" }\n";
    let pass = run(
        "sign-pass",
        &format!(
            "{body}expect:\n  - signature: {{ of: none, pin: not_sent, signed: false, status: \"69 82\" }}\n  \
             - signature: {{ of: ok, pin: accepted, tries_left: 3, signed: true, verifies: true }}\n  \
             - signature: {{ of: bad, pin: wrong, tries_left: 4, signed: false }}\n  \
             - card: {{ person: taro, sign_pin_remaining: 4, sign_pin_blocked: false, pin_remaining: 3 }}\n"
        ),
    );
    all_pass(&pass);

    let fail = run(
        "sign-fail",
        &format!(
            "{body}expect:\n  - signature: {{ of: none, signed: true, verifies: true }}\n  \
             - signature: {{ of: ok, tries_left: 2 }}\n  \
             - card: {{ person: taro, sign_pin_remaining: 5 }}\n"
        ),
    );
    let signed = check(&fail, "signature.signed");
    assert_eq!(
        (signed.verdict, signed.actual.as_str()),
        (Verdict::Fail, "false")
    );
    let verifies = check(&fail, "signature.verifies");
    assert_eq!(verifies.note.as_deref(), Some("no signature: 69 82"));
    assert_eq!(check(&fail, "signature.tries_left").actual, "3");
    let counter = check(&fail, "card.sign_pin_remaining");
    assert_eq!(
        (counter.expected.as_str(), counter.actual.as_str()),
        ("5", "4")
    );
}

#[test]
fn surface_reads_with_pin_a_and_b_are_checked_and_keep_the_my_number_out() {
    let body = "steps:\n  - card.surface: { name: b, person: taro, pin: b }\n  \
                - card.surface: { name: a, person: taro, pin: a }\n  \
                - card.surface: { name: wrong, person: taro, pin: a, wrong: true }\n";
    let pass = run(
        "surface-pass",
        &format!(
            "{body}expect:\n  - surface: {{ of: b, pin: accepted, tries_left: 10, read: true, \
             born: 1980-05-10, expires: 2034-05-10, sex: male, items: [birth_date, sex, \
             public_key, name, address, face_photo, signature, expiry, security_code] }}\n  \
             - surface: {{ of: a, pin: accepted, read: true }}\n  \
             - surface: {{ of: wrong, pin: wrong, tries_left: 9, read: false, status: \"69 82\" }}\n  \
             - card: {{ person: taro, pin_a_remaining: 9, pin_b_remaining: 10 }}\n  \
             - no_my_number: {{ person: taro }}\n  \
             - my_number: {{ person: taro, digits: 12, check_digit: true, synthetic: true }}\n"
        ),
    );
    all_pass(&pass);

    let fail = run(
        "surface-fail",
        &format!(
            "{body}expect:\n  - surface: {{ of: b, expires: 2035-05-10, items: [face_photo] }}\n  \
             - surface: {{ of: wrong, read: true, born: 1980-05-10 }}\n  \
             - my_number: {{ person: taro, digits: 11, synthetic: false }}\n"
        ),
    );
    let expires = check(&fail, "surface.expires");
    assert_eq!(
        (expires.expected.as_str(), expires.actual.as_str()),
        ("2035-05-10", "2034-05-10")
    );
    assert_eq!(check(&fail, "surface.items").verdict, Verdict::Fail);
    let born = fail
        .checks
        .iter()
        .rfind(|c| c.name == "surface.born")
        .unwrap();
    assert_eq!(born.actual, "not read: 69 82");
    assert_eq!(check(&fail, "my_number.digits").actual, "12");
    assert_eq!(check(&fail, "my_number.synthetic").actual, "true");

    // The My Number is in no check, note or trace line of either run.
    let file = write("surface-world", "steps: []\n");
    let s = scenario::open(&file, Catalog::builtin()).unwrap();
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
    let w = run::execute::build_world(&s.plan, 1).unwrap();
    let digits = w.people()[0].my_number.digits();
    for r in [&pass, &fail] {
        let json =
            serde_json::to_string(&r.checks).unwrap() + &serde_json::to_string(&r.trace).unwrap();
        assert!(!json.contains(&digits));
    }
}

#[test]
fn the_portal_account_holds_the_jlis_resident_code() {
    let pass = run(
        "portal-pass",
        "steps:\n  - portal.account: { person: taro }\nexpect:\n  \
         - portal.account: { person: taro, account: true, resident_code: from_jlis }\n",
    );
    all_pass(&pass);
    assert!(
        check(&pass, "portal.account.resident_code")
            .actual
            .starts_with("11 digits")
    );
    let fail = run(
        "portal-fail",
        "steps: []\nexpect:\n  - portal.account: { person: taro, account: true, resident_code: from_jlis }\n",
    );
    assert_eq!(check(&fail, "portal.account").actual, "false");
    assert_eq!(
        check(&fail, "portal.account.resident_code").actual,
        "no account"
    );
}

#[test]
fn face_data_anywhere_after_the_reader_fails_the_check() {
    let visit =
        "  - visit: { person: taro, at: clinic, verify: [face: 0.9], consent: { all: true } }\n";
    let pass = run(
        "face-pass",
        &format!("steps:\n{visit}expect:\n  - no_face_data: {{ person: taro }}\n"),
    );
    all_pass(&pass);
    // A record whose text carries the photo marker reaches the registry: found.
    let fail = run(
        "face-fail",
        &format!(
            "steps:\n{visit}  - record.add: {{ person: taro, kind: medication, date: 2026-03-01, \
             text: onshi synthetic face photo }}\nexpect:\n  - no_face_data: {{ person: taro }}\n"
        ),
    );
    let c = check(&fail, "no_face_data");
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(c.actual.contains("registry"), "{}", c.actual);
}

#[test]
fn jlis_answers_status_per_serial_and_issues_distinct_ca_signed_serials() {
    let body = "steps:\n  - card.renew: { person: taro }\n  - advance: 1d\n";
    let pass = run(
        "jlis-pass",
        &format!(
            "{body}expect:\n  - jlis.status: {{ person: taro, serial: previous, status: revoked, \
             reason: superseded, revoked_on: 2026-04-01 }}\n  \
             - jlis.status: {{ person: taro, serial: current, status: valid }}\n  \
             - jlis.status: {{ serial: unissued, status: unknown }}\n  \
             - jlis.issued: {{ people: [taro], certificates: 3, distinct_serials: true, signed_by_ca: true }}\n"
        ),
    );
    all_pass(&pass);
    let fail = run(
        "jlis-fail",
        &format!(
            "{body}expect:\n  - jlis.status: {{ person: taro, serial: previous, status: valid }}\n  \
             - jlis.status: {{ person: taro, serial: previous, reason: key_compromise }}\n  \
             - jlis.status: {{ person: taro, serial: first, revoked_on: 2026-03-31 }}\n  \
             - jlis.issued: {{ people: [taro], certificates: 2 }}\n"
        ),
    );
    let status = check(&fail, "jlis.status");
    assert_eq!(
        (status.expected.as_str(), status.actual.as_str()),
        ("valid", "revoked")
    );
    assert_eq!(check(&fail, "jlis.status.reason").actual, "superseded");
    assert_eq!(check(&fail, "jlis.status.revoked_on").actual, "2026-04-01");
    assert_eq!(check(&fail, "jlis.issued.certificates").actual, "3");
}

#[test]
fn validate_rejects_values_the_new_steps_and_expectations_cannot_take() {
    let cases: [(&str, &str, &str); 8] = [
        (
            "bad-sw",
            "steps: []\nexpect:\n  - certificate: { status: \"6982\" }\n",
            "scenario::bad-status-word",
        ),
        (
            "unissued-person",
            "steps: []\nexpect:\n  - jlis.status: { person: taro, serial: unissued }\n",
            "scenario::unissued-serial-person",
        ),
        (
            "no-person",
            "steps: []\nexpect:\n  - jlis.status: { serial: current, status: valid }\n",
            "scenario::missing-person",
        ),
        (
            "reason-valid",
            "steps: []\nexpect:\n  - jlis.status: { person: taro, serial: current, status: valid, reason: superseded }\n",
            "scenario::reason-without-revocation",
        ),
        (
            "bad-sign-pin",
            "steps:\n  - card.sign: { person: taro, key: signature, pin: \"abc\" }\n",
            "scenario::bad-pin",
        ),
        (
            "bad-surface-pin",
            "steps:\n  - card.surface: { person: taro, pin: c }\n",
            "",
        ),
        (
            "bad-item",
            "steps: []\nexpect:\n  - surface: { items: [photo] }\n",
            "",
        ),
        (
            "no-people",
            "steps: []\nexpect:\n  - jlis.issued: { people: [] }\n",
            "scenario::no-people",
        ),
    ];
    for (name, body, code) in cases {
        let p = problems(name, body);
        assert!(!p.is_empty(), "{name}: accepted");
        assert!(p.iter().any(|p| p.starts_with(code)), "{name}: {p:?}");
    }
    // A scenario cannot give anybody a My Number: the language has no field for one.
    let p = problems(
        "my-number-field",
        "world:\n  people:\n    - id: jiro\n      name: 田中　次郎\n      kana: ﾀﾅｶ ｼﾞﾛｳ\n      \
         born: 1985-12-02\n      my_number: \"123456789018\"\nsteps: []\n",
    );
    assert!(!p.is_empty());
}

/// Issue 12, item 7: nothing in the library is left for a human.
#[test]
fn the_library_leaves_no_verdict_for_a_human() {
    let r = run::run(
        &[Path::new("../scenarios").to_path_buf()],
        Catalog::builtin(),
        &RunOptions::default(),
    )
    .unwrap();
    assert!(r.record.scenarios.len() > 100);
    let review: Vec<String> = r
        .record
        .scenarios
        .iter()
        .flat_map(|s| {
            s.checks
                .iter()
                .filter(|c| c.verdict == Verdict::Review)
                .map(move |c| format!("{} {}", s.id, c.at))
                .chain((s.verdict == Verdict::Review).then(|| s.id.clone()))
        })
        .collect();
    assert!(review.is_empty(), "review verdicts: {review:?}");
}
