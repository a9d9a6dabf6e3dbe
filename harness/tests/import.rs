//! `onshi import`: OQS files made from the reference's own answers (UTF-8 and Shift_JIS) are
//! turned into scenarios that `validate` accepts and that pass against the reference; the
//! answers they restate are the ones in the files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{Clinic, WORLD, assert_green, import_ok, import_valid, validate};
use onshi_sim::oqs::CharacterCode;
use onshi_sim::rules::ConsentItem;

fn check<'a>(i: &'a onshi_harness::import::Imported, step: &str, name: &str) -> Option<&'a str> {
    i.restated
        .iter()
        .find(|r| r.step == step)?
        .checks
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_card_visit_in_utf8_imports_and_passes_against_the_reference() {
    let mut c = Clinic::new(WORLD, "clinic", CharacterCode::Utf8);
    c.visit_at(
        "2026-04-10T09:15:30",
        "taro",
        &[(ConsentItem::Medication, true)],
    );
    let i = import_ok(&c.files());
    println!("{}", i.yaml);
    assert!(validate(&i.yaml).is_empty(), "{:?}", validate(&i.yaml));
    assert_eq!(check(&i, "v1", "confirmation.validity"), Some("1"));
    assert_eq!(check(&i, "v1", "confirmation.copay_percent"), Some("30"));
    assert!(assert_green(&i.yaml) >= 10);
}

/// The checks of every restated step, without the values pseudonymisation draws from the
/// input's hash (which differs between encodings of the same answers).
/// A restated step: its name, its time and its checks.
type Shape = (String, String, Vec<(String, String)>);

fn shape(i: &onshi_harness::import::Imported) -> Vec<Shape> {
    const DRAWN: [&str; 5] = [
        "confirmation.insurer_number",
        "confirmation.insurer_name",
        "confirmation.name",
        "confirmation.symbol",
        "confirmation.number",
    ];
    i.restated
        .iter()
        .map(|r| {
            (
                r.step.clone(),
                r.at.clone(),
                r.checks
                    .iter()
                    .filter(|(k, _)| !DRAWN.contains(&k.as_str()))
                    .cloned()
                    .collect(),
            )
        })
        .collect()
}

/// A morning at the clinic: a card visit with consent, a data request, a 限度額 answer and
/// confirmations by numbers with 資格有効性 1, 2 and 3, in `encoding`.
fn morning(encoding: CharacterCode) -> Clinic {
    let mut c = Clinic::new(WORLD, "clinic", encoding);
    c.visit_at(
        "2026-04-10T09:15:30",
        "taro",
        &[(ConsentItem::Medication, true)],
    );
    c.at("2026-04-10T09:20:00");
    c.fetch("YZK", "01130012", Some("1234"), "5678", Some("01"));
    c.visit_at(
        "2026-04-10T09:40:10",
        "hanako",
        &[
            (ConsentItem::LimitInfo, true),
            (ConsentItem::SpecificDisease, true),
        ],
    );
    c.at("2026-04-10T10:05:00");
    c.numbers(
        "01130012",
        Some("1234"),
        "9001",
        Some("00"),
        "1990-09-09",
        false,
    );
    c.at("2026-04-10T10:06:00");
    c.numbers(
        "01130012",
        Some("5555"),
        "3333",
        Some("00"),
        "1970-01-15",
        true,
    );
    c.at("2026-04-10T10:07:00");
    c.numbers(
        "06139992",
        Some("88"),
        "1111",
        Some("00"),
        "1990-09-09",
        true,
    );
    c
}

#[test]
fn a_morning_of_files_passes_against_the_reference_with_every_answer_restated() {
    let c = morning(CharacterCode::Utf8);
    let i = import_valid(&c.files());
    let steps: Vec<(&str, &str)> = i
        .restated
        .iter()
        .map(|r| (r.step.as_str(), r.kind))
        .collect();
    assert_eq!(
        steps,
        [
            ("v1", "visit"),
            ("f1", "fetch"),
            ("v2", "visit"),
            ("n1", "confirm.numbers"),
            ("n2", "confirm.numbers"),
            ("n3", "confirm.numbers")
        ]
    );
    // What the files said, restated.
    assert_eq!(check(&i, "f1", "data.shared"), Some("3"));
    assert_eq!(check(&i, "v2", "confirmation.limit_category"), Some("B03"));
    assert_eq!(
        check(&i, "v2", "confirmation.disease"),
        Some("chronic_renal_failure")
    );
    assert!(
        i.yaml
            .contains("diseases: [{ disease: chronic_renal_failure, issued: 2024-04-01")
    );
    assert_eq!(check(&i, "v2", "confirmation.copay_percent"), Some("30"));
    assert_eq!(check(&i, "v2", "confirmation.elderly_copay"), Some("30"));
    assert_eq!(check(&i, "n1", "confirmation.validity"), Some("3"));
    assert_eq!(
        check(&i, "n1", "confirmation.loss_date"),
        Some("2026-03-31")
    );
    assert_eq!(check(&i, "n2", "confirmation.validity"), Some("2"));
    assert_eq!(check(&i, "n3", "confirmation.validity"), Some("1"));
    // The 70-year-old's 3割 is explained by her income class, not forced.
    assert!(i.yaml.contains("income: active"), "{}", i.yaml);
    assert!(!i.yaml.contains("copay_percent: 30 }"), "{}", i.yaml);
    assert!(assert_green(&i.yaml) >= 60);
}

#[test]
fn shift_jis_files_import_like_utf8_ones() {
    let utf8 = import_ok(&morning(CharacterCode::Utf8).files());
    let sjis = import_ok(&morning(CharacterCode::ShiftJis).files());
    assert_eq!(shape(&sjis), shape(&utf8));
    assert!(sjis.yaml.contains("oqs: { encoding: shift_jis }"));
    assert!(!utf8.yaml.contains("oqs:"));
    assert_green(&sjis.yaml);
}

#[test]
fn importing_the_same_files_again_gives_the_same_scenario() {
    let files = morning(CharacterCode::Utf8).files();
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(import_ok(&files).yaml, import_ok(&files).yaml);
    // Order of the files given does not matter to the pseudonyms either.
    let a = import_ok(&files);
    let b = import_ok(&reversed);
    assert_eq!(shape(&a), shape(&b));
    assert_eq!(
        a.restated
            .iter()
            .map(|r| r.checks.clone())
            .collect::<Vec<_>>(),
        b.restated
            .iter()
            .map(|r| r.checks.clone())
            .collect::<Vec<_>>()
    );
}

/// Two worlds that give the same numbers to different people (or the same person different
/// facts): their files contradict each other.
fn world_with(born: &str, name: &str) -> String {
    WORLD
        .replace("born: 1980-05-10", &format!("born: {born}"))
        .replace("山田　太郎", name)
}

/// The face file of one card visit of `person` at `at` in `world`, in `encoding`.
fn one_visit(
    world: &str,
    person: &str,
    at: &str,
    encoding: CharacterCode,
) -> Vec<(String, Vec<u8>)> {
    let mut c = Clinic::new(world, "clinic", encoding);
    c.visit_at(at, person, &[]);
    c.files()
}

#[test]
fn files_that_disagree_about_a_person_are_reported_with_both_values() {
    let mut files = one_visit(
        &world_with("1980-05-10", "山田　太郎"),
        "taro",
        "2026-04-10T09:15:30",
        CharacterCode::Utf8,
    );
    files.extend(one_visit(
        &world_with("1981-06-11", "山田　太朗"),
        "taro",
        "2026-04-11T10:00:00",
        CharacterCode::Utf8,
    ));
    let d = onshi_harness::import::import(&files, &Default::default())
        .expect_err("contradicting files give no scenario");
    assert!(d.any_contradiction());
    insta::assert_snapshot!("contradiction-birth-and-name", d.to_string());
}

#[test]
fn a_result_that_echoes_other_numbers_than_its_request_is_a_contradiction() {
    let mut a = Clinic::new(WORLD, "clinic", CharacterCode::Utf8);
    a.at("2026-04-10T10:05:00");
    a.numbers(
        "01130012",
        Some("1234"),
        "5678",
        Some("01"),
        "1980-05-10",
        true,
    );
    let mut b = Clinic::new(WORLD, "clinic", CharacterCode::Utf8);
    b.at("2026-04-10T10:05:00");
    b.numbers(
        "01130012",
        Some("5555"),
        "3333",
        Some("00"),
        "1970-01-15",
        true,
    );
    // The request of one exchange, the result of the other, under the same suffix.
    let files = vec![a.files()[0].clone(), b.files()[1].clone()];
    let d =
        onshi_harness::import::import(&files, &Default::default()).expect_err("a contradiction");
    insta::assert_snapshot!("contradiction-echo", d.to_string());
}

#[test]
fn a_name_shift_jis_cannot_carry_is_the_same_person_as_in_utf8() {
    let world = world_with("1980-05-10", "𠮷田　太郎");
    let mut files = one_visit(&world, "taro", "2026-04-10T09:15:30", CharacterCode::Utf8);
    let sjis = one_visit(
        &world,
        "taro",
        "2026-04-11T09:15:30",
        CharacterCode::ShiftJis,
    );
    assert!(!String::from_utf8_lossy(&sjis[0].1).contains("𠮷"));
    files.extend(sjis);
    let i = import_ok(&files);
    assert_eq!(i.yaml.matches("    - id: person-").count(), 1, "{}", i.yaml);
    assert_green(&i.yaml);
}

/// A world whose every personal value is a unique string, to look for in the output.
const PLANTED: &str = r#"
id: import-tests/planted
title: { en: planted values }
requirements: [REG-4]
start: 2026-04-10T09:00
world:
  insurers:
    - { id: dream, number: "06279970", name: 架空夢見健康保険組合, lag_days: 0 }
  institutions:
    - { id: clinic, code: "2719876548", name: 幻の診療所 }
  people:
    - id: kirara
      name: 瑠璃光寺　綺羅々
      kana: ﾙﾘｺｳｼﾞ ｷﾗﾗ
      born: 1985-03-03
      sex: female
      address: 大阪府幻町字夢見ケ丘九九九番地
      card: { issued: 2025-06-01 }
      registered: { on: 2025-06-10T10:00 }
      insurance:
        - { insurer: dream, symbol: "幻記号４２", number: "77665544", branch: "00", from: 2016-04-01 }
      records:
        - { kind: medication, date: 2026-01-15, text: 幻想薬ユニーク錠 }
steps:
  - advance: 1m
"#;

/// Every value [`PLANTED`] and the files made from it carry that must not survive an import.
const SECRETS: [&str; 12] = [
    "綺羅々",
    "瑠璃光寺",
    "ﾙﾘｺｳｼﾞ",
    "幻町字夢見ケ丘",
    "987-6543",
    "06279970",
    "2719876548",
    "幻記号４２",
    "77665544",
    "架空夢見健康保険組合",
    "幻想薬ユニーク錠",
    "PATIENT4711",
];

/// The planted world's files: a card visit, a data request and a confirmation by numbers, the
/// face file's 郵便番号 made unique and the exchanges named after a patient id.
fn planted_files() -> Vec<(String, Vec<u8>)> {
    let mut c = Clinic::new(PLANTED, "clinic", CharacterCode::Utf8);
    c.visit_at(
        "2026-04-10T09:15:30",
        "kirara",
        &[(ConsentItem::Medication, true)],
    );
    c.at("2026-04-10T09:20:00");
    c.fetch(
        "YZK",
        "06279970",
        Some("幻記号４２"),
        "77665544",
        Some("00"),
    );
    c.at("2026-04-10T09:30:00");
    c.numbers(
        "06279970",
        Some("幻記号４２"),
        "77665544",
        Some("00"),
        "1985-03-03",
        true,
    );
    c.files()
        .into_iter()
        .map(|(name, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            assert!(name.starts_with("face/") || text.contains("CLINIC-FILE-ID"));
            let text = text.replace(
                "<PostNumber>100-0001</PostNumber>",
                "<PostNumber>987-6543</PostNumber>",
            );
            let name = name.replace("202604100001", "PATIENT4711");
            (name, text.into_bytes())
        })
        .collect()
}

#[test]
fn no_name_kana_address_or_number_of_the_files_survives_the_import() {
    let files = planted_files();
    let all: String = files
        .iter()
        .map(|(n, b)| format!("{n}\n{}", String::from_utf8_lossy(b)))
        .collect();
    for s in SECRETS {
        assert!(all.contains(s), "the input must carry {s}");
    }
    let face_token = onshi_sim::oqs::decode_confirm_response(&files[0].1)
        .unwrap()
        .header
        .arbitrary_file_identifier
        .unwrap();
    let i = import_ok(&files);
    for s in
        SECRETS
            .iter()
            .copied()
            .chain(["CLINIC-FILE-ID", "PATIENT-ID-0001", face_token.as_str()])
    {
        assert!(
            !i.yaml.contains(s),
            "`{s}` survived the import:\n{}",
            i.yaml
        );
    }
    for (_, label) in &i.files {
        assert!(SECRETS.iter().all(|s| !label.contains(s)), "{label}");
    }
    assert_green(&i.yaml);
}

#[test]
fn keep_names_keeps_the_written_names_and_nothing_else() {
    let options = onshi_harness::import::Options {
        keep_names: true,
        id: Some("field/kept-names".into()),
    };
    let i = onshi_harness::import::import(&planted_files(), &options).unwrap();
    assert!(i.yaml.contains("name: \"瑠璃光寺　綺羅々\""), "{}", i.yaml);
    assert!(i.yaml.contains("kana: \"ﾙﾘｺｳｼﾞ ｷﾗﾗ\""), "{}", i.yaml);
    assert!(i.yaml.contains("WARNING: written with --keep-names"));
    assert!(i.yaml.contains("id: field/kept-names"));
    for s in &SECRETS[3..] {
        assert!(
            !i.yaml.contains(s),
            "`{s}` survived the import:\n{}",
            i.yaml
        );
    }
    assert_green(&i.yaml);
}

/// [`WORLD`] from March, with a person who turns 75 in April, one whose card is not registered
/// and 特定健診 data.
fn season_world() -> String {
    WORLD
        .replace("start: 2026-04-10T09:00", "start: 2026-03-01T09:00")
        .replace(
            "      income: active\n",
            "      income: active\n      checkups:\n        - { date: 2025-10-01, items: { 血圧: \"118/76\" } }\n",
        )
        .replace(
            "steps:\n",
            "    - id: shiro
      name: 伊藤　四郎
      kana: ｲﾄｳ ｼﾛｳ
      born: 1951-04-20
      address: 東京都港区1-1
      card: { issued: 2025-01-01 }
      registered: { on: 2025-01-10T10:00 }
      insurance:
        - { insurer: kyokai, symbol: \"1234\", number: \"7070\", branch: \"00\", from: 2011-04-01 }
    - id: goro
      name: 渡辺　五郎
      kana: ﾜﾀﾅﾍﾞ ｺﾞﾛｳ
      born: 1999-12-12
      card: { issued: 2025-01-01 }
      insurance:
        - { insurer: kyokai, symbol: \"1234\", number: \"5050\", branch: \"00\", from: 2021-04-01 }
steps:\n",
        )
}

/// Six weeks of a clinic's files: a job change seen only through the card, the 75th birthday,
/// a card not registered, an outage, a bulk confirmation, a 照会番号登録, numbers nobody has, an
/// expired consent and a 特定健診 answer.
fn season() -> Clinic {
    use onshi_sim::registry::OutageKind;
    let mut c = Clinic::new(&season_world(), "clinic", CharacterCode::Utf8);
    c.visit_at("2026-03-20T09:00:00", "jiro", &[]);
    c.visit_at("2026-04-10T09:00:00", "jiro", &[]);
    c.visit_at(
        "2026-04-10T09:15:30",
        "taro",
        &[(ConsentItem::Medication, true)],
    );
    c.visit_at("2026-04-10T09:30:00", "shiro", &[]);
    c.visit_at("2026-04-10T09:45:00", "goro", &[]);
    c.visit_at(
        "2026-04-10T10:00:00",
        "hanako",
        &[(ConsentItem::Checkup, true)],
    );
    c.at("2026-04-10T10:03:00");
    c.fetch("TKK", "06139992", Some("77"), "4242", Some("00"));
    c.at("2026-04-10T10:30:00");
    c.numbers(
        "01130012",
        Some("1234"),
        "99999",
        Some("00"),
        "1980-05-10",
        true,
    );
    c.at("2026-04-12T09:30:00");
    c.fetch("YZK", "01130012", Some("1234"), "5678", Some("01"));
    c.at("2026-04-12T10:00:00");
    c.outage(OutageKind::Maintenance, 30);
    c.card_visit("taro", &[]);
    c.at("2026-04-13T09:00:00");
    c.bulk(
        &[
            ("01130012", "1234", "5678", "01", "1980-05-10"),
            ("01130012", "5555", "3333", "00", "1970-01-15"),
        ],
        "2026-04-13T09:30:00",
    );
    c.at("2026-04-13T10:00:00");
    c.register_reference("01130012", "1234", "5678", "01");
    c.visit_at("2026-04-25T09:00:00", "shiro", &[]);
    c
}

#[test]
fn six_weeks_of_field_files_import_and_pass_against_the_reference() {
    let c = season();
    let i = import_valid(&c.files());
    let kinds: Vec<&str> = i.restated.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "visit").count(),
        8,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "confirm.numbers").count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "fetch").count(),
        2,
        "{kinds:?}"
    );
    let yaml = &i.yaml;
    // The job change the card showed: the old 資格 ended when the new one started.
    assert!(
        yaml.contains("lost: { on: 2026-03-31, reason: other_insurance }"),
        "{yaml}"
    );
    // The 75th birthday is the law's, not a record of the file.
    assert!(yaml.contains("late_elderly_number:"), "{yaml}");
    assert!(yaml.contains("refused: outage") && yaml.contains("- outage: { kind: maintenance"));
    assert!(yaml.contains("refused: not_registered"));
    assert!(yaml.contains("withheld: consent_expired"));
    assert!(yaml.contains("照会番号登録"));
    assert!(yaml.contains("一括照会 unit 2 of 2"));
    assert_green(yaml);
}

#[test]
fn a_consent_or_a_data_answer_without_the_visit_that_gave_it_gets_a_stand_in_visit() {
    let mut c = Clinic::new(WORLD, "clinic", CharacterCode::Utf8);
    c.visit_at(
        "2026-04-10T09:15:30",
        "taro",
        &[(ConsentItem::Medication, true)],
    );
    c.at("2026-04-10T09:20:00");
    c.fetch("YZK", "01130012", Some("1234"), "5678", Some("01"));
    c.at("2026-04-10T11:00:00");
    c.numbers(
        "01130012",
        Some("1234"),
        "5678",
        Some("01"),
        "1980-05-10",
        false,
    );
    let files = c.files();
    // Only the confirmation by numbers: its answer shows the consent given at 09:15:30.
    let later = import_ok(&files[3..]);
    assert!(
        later.yaml.contains("start: 2026-04-10T09:15:30"),
        "{}",
        later.yaml
    );
    assert!(later.yaml.contains("name: c1") && later.yaml.contains("not in the files"));
    assert_green(&later.yaml);
    // Only the data request: the consent it needs stands in a minute before.
    let fetch = import_ok(&files[1..3]);
    assert!(
        fetch.yaml.contains("start: 2026-04-10T09:19:00"),
        "{}",
        fetch.yaml
    );
    assert_green(&fetch.yaml);
}

#[test]
fn the_certificate_states_the_answers_show_pick_the_card_issue_date() {
    // 太郎's certificate expires on his birthday in May: April's answer carries the notice;
    // 次郎's expired long ago: his card is refused.
    let world = WORLD
        .replace(
            "card: { issued: 2025-06-01 }",
            "card: { issued: 2022-04-15 }",
        )
        .replace(
            "card: { issued: 2025-01-01 }",
            "card: { issued: 2019-02-01 }",
        );
    let mut c = Clinic::new(&world, "clinic", CharacterCode::Utf8);
    c.visit_at("2026-04-10T09:15:30", "taro", &[]);
    c.visit_at("2026-04-10T09:30:00", "jiro", &[]);
    let i = import_valid(&c.files());
    assert_eq!(
        check(&i, "v1", "confirmation.expiry_notice"),
        Some("any"),
        "{}",
        i.yaml
    );
    assert_eq!(
        check(&i, "v2", "confirmation.refused"),
        Some("certificate_expired")
    );
    assert!(
        i.yaml
            .contains("the date is the latest whose certificate expiry"),
        "{}",
        i.yaml
    );
    assert_green(&i.yaml);
}

#[test]
fn a_real_name_that_is_on_the_synthetic_list_is_never_given_back() {
    // Each of the synthetic list's names as the patient's, under many seeds (the seed is the
    // hash of the files, so another post code is another draw): the output never has it.
    let files = planted_files();
    let mut tries = 0;
    for n in 0..64 {
        let (name, kana) = onshi_sim::population::synthetic_name(n);
        for variant in 0..8 {
            let planted: Vec<(String, Vec<u8>)> = files
                .iter()
                .map(|(file, bytes)| {
                    let text = String::from_utf8_lossy(bytes)
                        .replace("瑠璃光寺　綺羅々", &name)
                        .replace("ﾙﾘｺｳｼﾞ ｷﾗﾗ", &kana)
                        .replace("987-6543", &format!("987-654{variant}"));
                    (file.clone(), text.into_bytes())
                })
                .collect();
            assert!(
                String::from_utf8_lossy(&planted[0].1).contains(&name),
                "the face file must carry {name}"
            );
            let i = import_ok(&planted);
            tries += 1;
            assert!(
                !i.yaml.contains(&name) && !i.yaml.contains(&kana),
                "the real name {name} / {kana} came back (variant {variant}):\n{}",
                i.yaml
            );
        }
    }
    assert_eq!(tries, 512);
}
