//! A small hand-built run record with one scenario of every kind: pass, fail, skip,
//! review, error and expected deviation. Shared by the unit tests (through `#[path]`) and
//! the integration tests.

use onshi_reports::{
    Check, FileHash, RECORD_FORMAT, Requirement, Roles, RunRecord, ScenarioRecord, Timing, Title,
    TraceEvent, Verdict,
};

fn title(ja: &str, en: &str) -> Title {
    Title {
        ja: Some(ja.to_string()),
        en: Some(en.to_string()),
    }
}

fn requirement(id: &str, ja: &str, en: &str, source: &str) -> Requirement {
    Requirement {
        id: id.to_string(),
        area: id.split('-').next().unwrap_or(id).to_string(),
        ja: ja.to_string(),
        en: en.to_string(),
        source: source.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn check(
    name: &str,
    at: &str,
    step: Option<usize>,
    requirements: &[&str],
    verdict: Verdict,
    expected: &str,
    actual: &str,
    note: Option<&str>,
) -> Check {
    Check {
        name: name.to_string(),
        at: at.to_string(),
        step,
        requirements: requirements.iter().map(|s| s.to_string()).collect(),
        verdict,
        expected: expected.to_string(),
        actual: actual.to_string(),
        note: note.map(str::to_string),
    }
}

fn event(seq: u64, time: &str, from: &str, to: &str, kind: &str, summary: &str) -> TraceEvent {
    TraceEvent {
        seq,
        at: format!("2026-04-01T{time}+09:00"),
        from: from.to_string(),
        to: to.to_string(),
        kind: kind.to_string(),
        person: Some("hanako".to_string()),
        summary: summary.to_string(),
    }
}

fn scenario(id: &str, title: Title, requirements: &[&str], verdict: Verdict) -> ScenarioRecord {
    ScenarioRecord {
        id: id.to_string(),
        file: format!("scenarios/{id}.yaml"),
        title,
        requirements: requirements.iter().map(|s| s.to_string()).collect(),
        tags: vec!["smoke".to_string()],
        seed: 42,
        verdict,
        skip_reason: None,
        expected_deviation: None,
        error: None,
        checks: Vec::new(),
        trace: Vec::new(),
    }
}

/// The fixture record.
pub fn fixture() -> RunRecord {
    let mut face_ok = scenario(
        "card/face-ok",
        title(
            "顔認証で資格確認できる",
            "Face matching confirms eligibility",
        ),
        &["RDR-3", "REG-2"],
        Verdict::Pass,
    );
    face_ok.checks = vec![
        check(
            "reader.verification",
            "scenarios/card/face-ok.yaml:14:7",
            Some(1),
            &["RDR-3"],
            Verdict::Pass,
            "face",
            "face",
            None,
        ),
        check(
            "confirmation.validity",
            "scenarios/card/face-ok.yaml:18:7",
            None,
            &["REG-2"],
            Verdict::Pass,
            "valid",
            "valid",
            None,
        ),
    ];
    face_ok.trace = vec![
        event(0, "09:00:00", "person", "reader", "reader.face", "顔認証"),
        event(
            1,
            "09:00:01",
            "reader",
            "card",
            "card.read_cert",
            "利用者証明用電子証明書",
        ),
        event(
            2,
            "09:00:02",
            "reader",
            "registry",
            "registry.confirm",
            "資格確認要求",
        ),
        event(
            3,
            "09:00:02",
            "registry",
            "reader",
            "registry.answer",
            "有効 3割",
        ),
        event(
            4,
            "09:00:03",
            "reader",
            "provider",
            "provider.result",
            "結果ファイル",
        ),
    ];

    let mut consent = scenario(
        "consent/medication-history",
        title(
            "同意なしでは薬剤情報を出さない",
            "No medication history without consent",
        ),
        &["RDR-5"],
        Verdict::Skip,
    );
    consent.skip_reason =
        Some("the terminal role is bound to a system under test without a consent adapter".into());

    let mut lost = scenario(
        "eligibility/lost-coverage",
        title(
            "資格喪失後は無効と回答する",
            "Answers invalid after coverage ends",
        ),
        &["REG-5", "PRV-99"],
        Verdict::Fail,
    );
    lost.checks = vec![
        check(
            "confirmation.validity",
            "scenarios/eligibility/lost-coverage.yaml:22:5",
            Some(2),
            &["REG-5"],
            Verdict::Fail,
            "invalid",
            "valid <資格有効> & \"3割\"",
            Some("the answer came from the record before the loss"),
        ),
        check(
            "provider.charge",
            "scenarios/eligibility/lost-coverage.yaml:25:5",
            None,
            &[],
            Verdict::Fail,
            "10割",
            "3割",
            None,
        ),
        check(
            "provider.recorded",
            "scenarios/eligibility/lost-coverage.yaml:27:5",
            None,
            &["REG-5"],
            Verdict::Pass,
            "true",
            "true",
            None,
        ),
    ];
    lost.trace = vec![
        event(
            0,
            "09:00:00",
            "insurer",
            "registry",
            "insurer.loss",
            "資格喪失 2026-03-31",
        ),
        event(
            1,
            "10:30:00",
            "reader",
            "registry",
            "registry.confirm",
            "資格確認要求",
        ),
        event(
            2,
            "10:30:01",
            "registry",
            "reader",
            "registry.answer",
            "<script>alert(\"x\")</script> 有効",
        ),
    ];

    let mut timeout = scenario(
        "provider/timeout",
        title(
            "応答しない医療機関システム",
            "A provider system that does not answer",
        ),
        &["REG-2"],
        Verdict::Fail,
    );
    timeout.error = Some("step 3: the provider did not answer within 30 s".into());
    timeout.checks = vec![check(
        "registry.answered",
        "scenarios/provider/timeout.yaml:11:5",
        Some(1),
        &["REG-2"],
        Verdict::Pass,
        "true",
        "true",
        None,
    )];

    let mut screen = scenario(
        "reader/screen-text",
        title("期限切れ後の猶予メッセージ", "Grace message after expiry"),
        &["RDR-3"],
        Verdict::Review,
    );
    screen.checks = vec![check(
        "reader.message",
        "scenarios/reader/screen-text.yaml:9:5",
        Some(1),
        &["RDR-3"],
        Verdict::Review,
        "有効期限切れ後3か月間は利用可能です",
        "有効期限切れ後3か月間は利用可能です",
        Some("compare with the screen of a real reader"),
    )];

    let mut outage = scenario(
        "registry/outage-fallback",
        title(
            "障害時は紙の資格情報で確認する",
            "Paper fallback during an outage",
        ),
        &["PRV-4", "REG-5"],
        Verdict::Fail,
    );
    outage.expected_deviation = Some("vendor ticket 123: fallback screen ships in June".into());
    outage.checks = vec![check(
        "provider.fallback",
        "scenarios/registry/outage-fallback.yaml:16:5",
        Some(2),
        &["PRV-4"],
        Verdict::Fail,
        "paper",
        "refused",
        None,
    )];
    outage.trace = vec![
        event(
            0,
            "09:00:00",
            "reader",
            "registry",
            "registry.confirm",
            "資格確認要求",
        ),
        event(
            1,
            "09:00:30",
            "registry",
            "reader",
            "registry.outage",
            "タイムアウト",
        ),
        event(
            2,
            "09:01:00",
            "person",
            "portal",
            "portal.view",
            "資格情報の確認",
        ),
    ];

    let scenarios = vec![face_ok, consent, lost, timeout, screen, outage];
    let mut files: Vec<FileHash> = scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| FileHash {
            path: sc.file.clone(),
            sha256: format!("{:02x}", i + 1).repeat(32),
        })
        .collect();
    files.push(FileHash {
        path: "scenarios/people.yaml".to_string(),
        sha256: "ab".repeat(32),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));

    RunRecord {
        format: RECORD_FORMAT,
        tool: "onshi 0.1.0".to_string(),
        seed: 42,
        roles: Roles {
            provider: "folder: ACME clinic 2.3".to_string(),
            terminal: "reference".to_string(),
            registry: "reference".to_string(),
        },
        partitions: vec!["hash:1/2".to_string()],
        files,
        requirements: vec![
            requirement(
                "CARD-2",
                "電子証明書の有効期限後はカードで資格確認できない",
                "After the certificate expires the card no longer confirms eligibility",
                "MHLW leaflet",
            ),
            requirement(
                "RDR-3",
                "顔認証できないときは暗証番号か目視で本人確認する",
                "When face matching fails, identity is confirmed by PIN or by eye",
                "reader guideline 4.2",
            ),
            requirement(
                "RDR-5",
                "同意がなければ薬剤情報を提供しない",
                "Medication history is shown only with consent",
                "reader guideline 5.1",
            ),
            requirement(
                "REG-2",
                "資格確認の回答は資格の有効性を含む",
                "An eligibility answer states whether coverage is valid",
                "interface spec 3.1",
            ),
            requirement(
                "REG-5",
                "資格喪失後は無効と回答する",
                "After coverage ends the answer is invalid",
                "interface spec 3.4",
            ),
            requirement(
                "PRV-4",
                "障害時は資格情報のお知らせ等で資格を確認する",
                "During an outage eligibility is confirmed from paper documents",
                "MHLW notice",
            ),
            requirement(
                "JLIS-1",
                "旧シリアル番号から新シリアル番号をたどれる",
                "The new serial can be found from an old one",
                "J-LIS interface",
            ),
        ],
        scenarios,
        interrupted: None,
        missing_partitions: Vec::new(),
        timing: Some(Timing {
            started_at: "2026-04-01T00:00:00Z".to_string(),
            elapsed_ms: 1234,
        }),
    }
}
