//! Properties of `onshi import` over generated sets of answers: worlds of a few people with
//! random birth dates (some past 75, where the law moves them to 後期) and numbers (8-digit and
//! 6-digit 国保 保険者番号, kanji 記号), each visiting the clinic with the card once or twice; the
//! face files the reference writes are imported. Whatever the set, the scenario passes against
//! the reference, every answer is restated, the same person keeps one name and one set of
//! numbers across files, and different people and numbers stay different.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use std::collections::{BTreeMap, BTreeSet};

use import_common::{Clinic, assert_green, import_ok};
use onshi_sim::oqs::CharacterCode;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Someone {
    born: (i16, i8, i8),
    symbol: String,
    number: String,
    insurer: usize,
    twice: bool,
}

fn someone() -> impl Strategy<Value = Someone> {
    (
        (1935i16..2020, 1i8..=12, 1i8..=28),
        "[1-9][0-9]{1,5}",
        "[1-9][0-9]{2,7}",
        0usize..3,
        any::<bool>(),
    )
        .prop_map(|(born, symbol, number, insurer, twice)| Someone {
            born,
            // 国保 記号 are often kanji.
            symbol: if insurer == 2 {
                format!("千代田{symbol}")
            } else {
                symbol
            },
            number,
            insurer,
            twice,
        })
}

fn world(people: &[Someone]) -> String {
    let mut w = String::from(
        "id: import-props/world\ntitle: { en: generated }\nrequirements: [REG-4]\nstart: 2026-04-10T09:00\nworld:\n  insurers:\n    - { id: kyokai, number: \"01130012\", name: 協会, lag_days: 0 }\n    - { id: kumiai, number: \"06139992\", name: 組合, lag_days: 0 }\n    - { id: kokuho, number: \"138016\", name: 国保, lag_days: 0 }\n  institutions:\n    - { id: clinic, code: \"1310143217\", name: 医院 }\n  people:\n",
    );
    for (i, p) in people.iter().enumerate() {
        let (y, m, d) = p.born;
        w.push_str(&format!(
            "    - id: p{i}\n      born: {y:04}-{m:02}-{d:02}\n      card: {{ issued: 2025-06-01 }}\n      registered: {{ on: 2025-06-10T10:00 }}\n      insurance:\n        - {{ insurer: {}, symbol: \"{}\", number: \"{}\", branch: \"00\", from: {:04}-04-01 }}\n",
            ["kyokai", "kumiai", "kokuho"][p.insurer],
            p.symbol,
            p.number,
            (y + 20).clamp(2000, 2024),
        ));
    }
    w.push_str("steps:\n  - advance: 1m\n");
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn imported_answers_pass_and_pseudonyms_are_consistent_and_injective(
        people in prop::collection::vec(someone(), 1..5)
            .prop_filter("distinct numbers and birth dates", |v| {
                // Two people of one name and birth date are one person to the import; the
                // generated people all have the default name.
                let n: BTreeSet<&String> = v.iter().map(|p| &p.number).collect();
                let b: BTreeSet<(i16, i8, i8)> = v.iter().map(|p| p.born).collect();
                n.len() == v.len() && b.len() == v.len()
            })
    ) {
        let mut c = Clinic::new(&world(&people), "clinic", CharacterCode::Utf8);
        let mut visits = 0;
        for round in 0..2 {
            for (i, p) in people.iter().enumerate() {
                if round == 1 && !p.twice {
                    continue;
                }
                visits += 1;
                c.visit_at(&format!("2026-04-{:02}T09:{:02}:00", 10 + round, 10 + i), &format!("p{i}"), &[]);
            }
        }
        let imported = import_ok(&c.files());
        prop_assert_eq!(imported.restated.len(), visits);
        assert_green(&imported.yaml);
        // Who each restated answer is about, by birth date (distinct in the generated set or
        // not, the pair of birth and real number identifies the person).
        let mut by_person: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
        for r in &imported.restated {
            let get = |k: &str| {
                r.checks.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
            };
            by_person
                .entry(get("confirmation.name"))
                .or_default()
                .insert((get("confirmation.number"), get("confirmation.birth")));
        }
        // One name per person, one number per name, and no number shared by two names.
        prop_assert_eq!(by_person.len(), people.len(), "{:#?}", by_person);
        let mut numbers = BTreeSet::new();
        for set in by_person.values() {
            prop_assert_eq!(set.len(), 1, "{:?}", set);
            let (number, _) = set.iter().next().unwrap();
            prop_assert!(numbers.insert(number.clone()));
            prop_assert!(people.iter().all(|p| &p.number != number), "a real number survived");
        }
    }
}
