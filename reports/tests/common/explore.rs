//! A small hand-built exploration record: a clinic adapter compared with the reference over
//! 200 histories, two differences found (one whose file reproduces it, one whose file does
//! not) and one boundary class no history reached. Shared by the unit tests (through
//! `#[path]`) and the integration tests.

use std::collections::BTreeMap;

use onshi_reports::explore::{EXPLORE_FORMAT, ExploreRecord, ExploreTiming, Found};

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// The fixture record.
pub fn fixture() -> ExploreRecord {
    ExploreRecord {
        format: EXPLORE_FORMAT,
        kind: "explore".to_string(),
        tool: "onshi 0.1.0 (library 0.1.0+abcd1234)".to_string(),
        seed: 42,
        oracle: "reference".to_string(),
        target: "adapter `python3 examples/clinic-py/adapter.py`".to_string(),
        budget: "200 histories".to_string(),
        partitions: Vec::new(),
        missing_partitions: Vec::new(),
        interrupted: None,
        histories: 200,
        discarded: 7,
        steps: 3412,
        visits: 1288,
        boundary_classes: counts(&[
            ("age.turns_70", 31),
            ("card.expired", 12),
            ("insurer.change_mid_month", 0),
            ("month_cap.reached", 9),
        ]),
        event_kinds: counts(&[
            ("birthday", 210),
            ("card.reissue", 40),
            ("insurer.change", 85),
            ("month.end", 1789),
            ("visit", 1288),
        ]),
        found: vec![
            Found {
                history: 12,
                check: "provider.charged".to_string(),
                visit: Some("visit-3".to_string()),
                expected: "3000".to_string(),
                actual: "30000".to_string(),
                requirements: vec!["PRV-1".to_string()],
                file: "found/provider-charged-h12.yaml".to_string(),
                steps_before: 14,
                steps_after: 3,
                people_before: 3,
                people_after: 1,
                shrink_steps: 9,
                shrink_runs: 41,
                reproduces: true,
                passes_reference: Some(true),
            },
            Found {
                history: 57,
                check: "requests.sent".to_string(),
                visit: None,
                expected: "registry.confirm ×1".to_string(),
                actual: "registry.confirm ×2 | retry".to_string(),
                requirements: vec!["PRV-3".to_string(), "REG-2".to_string()],
                file: "found/requests-sent-h57.yaml".to_string(),
                steps_before: 22,
                steps_after: 5,
                people_before: 2,
                people_after: 1,
                shrink_steps: 11,
                shrink_runs: 63,
                reproduces: false,
                passes_reference: Some(true),
            },
        ],
        timing: Some(ExploreTiming {
            elapsed_ms: 61234,
            first_found_ms: Some(812),
            shrink_ms: 20480,
            histories_per_second: 3.27,
        }),
    }
}
