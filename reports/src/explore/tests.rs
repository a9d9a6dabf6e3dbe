//! Reading, writing and merging exploration records.

use super::fixture::fixture;
use super::*;
use crate::Lang;

#[test]
fn render_then_parse_gives_the_same_record() {
    let record = fixture();
    let text = render_json(&record);
    assert!(text.ends_with("}\n"));
    assert!(text.contains("\"kind\": \"explore\""));
    assert_eq!(parse(&text).unwrap(), record);
}

#[test]
fn histories_per_second_reads_back_exactly() {
    // serde_json's default float parser reads this back as ...467e-199.
    let mut record = fixture();
    let rate = -1.894_094_362_116_146_4e-199;
    if let Some(t) = &mut record.timing {
        t.histories_per_second = rate;
    }
    let back = parse(&render_json(&record)).unwrap();
    assert_eq!(
        back.timing.map(|t| t.histories_per_second.to_bits()),
        Some(rate.to_bits())
    );
}

#[test]
fn optional_fields_are_left_out_when_empty() {
    let text = render_json(&fixture());
    assert!(!text.contains("missing_partitions") && !text.contains("interrupted"));
    let mut record = fixture();
    record.found[0].passes_reference = None;
    record.found[0].visit = None;
    record.timing = None;
    let text = render_json(&record);
    assert_eq!(text.matches("passes_reference").count(), 1, "{text}");
    assert_eq!(text.matches("\"visit\": \"").count(), 0, "{text}");
    assert!(!text.contains("timing"));
    assert_eq!(parse(&text).unwrap(), record);
}

#[test]
fn a_run_record_is_named_as_such() {
    let run = crate::json::render(&crate::fixture::fixture());
    let err = parse(&run).unwrap_err();
    assert_eq!(err, ReportError::NotAnExploration { kind: None });
    let en = err.to_string();
    assert!(
        en.starts_with("this is a run record, not an exploration record"),
        "{en}"
    );
    assert!(en.contains("onshi report"), "{en}");
    let ja = err.message(Lang::Ja);
    assert!(
        ja.starts_with("これは実行記録で、探索記録ではありません"),
        "{ja}"
    );
}

#[test]
fn a_run_record_of_another_format_is_still_a_run_record() {
    let run = crate::json::render(&crate::fixture::fixture()).replacen(
        "\"format\": 1",
        "\"format\": 7",
        1,
    );
    assert_eq!(
        parse(&run).unwrap_err(),
        ReportError::NotAnExploration { kind: None }
    );
}

#[test]
fn another_kind_is_named() {
    let err = parse("{\"format\": 1, \"kind\": \"certify\"}").unwrap_err();
    assert_eq!(
        err,
        ReportError::NotAnExploration {
            kind: Some("certify".into())
        }
    );
    assert!(err.to_string().contains("kind \"certify\""), "{err}");
}

#[test]
fn another_format_says_found_and_supported() {
    let text = render_json(&fixture()).replacen("\"format\": 1", "\"format\": 99", 1);
    let err = parse(&text).unwrap_err();
    assert_eq!(
        err,
        ReportError::ExploreFormat {
            found: Some(99),
            supported: EXPLORE_FORMAT
        }
    );
    let en = err.to_string();
    assert!(
        en.starts_with("exploration record format 99 is not supported")
            && en.contains("reads format 1"),
        "{en}"
    );
    assert!(err.message(Lang::Ja).contains("形式 99"));
    // A future layout may drop fields; the version is what the user needs to hear.
    assert!(matches!(
        parse("{\"format\": 2, \"kind\": \"explore\", \"other\": []}").unwrap_err(),
        ReportError::ExploreFormat { found: Some(2), .. }
    ));
}

#[test]
fn json_without_format_is_named_as_such() {
    for text in ["{\"tool\": \"x\"}", "{\"kind\": \"explore\"}"] {
        let err = parse(text).unwrap_err();
        assert_eq!(
            err,
            ReportError::ExploreFormat {
                found: None,
                supported: EXPLORE_FORMAT
            }
        );
        assert!(err.to_string().contains("no \"format\" field"), "{err}");
    }
}

#[test]
fn shape_and_syntax_errors_carry_line_and_column() {
    let text = render_json(&fixture()).replacen("\"seed\": 42", "\"seed\": \"forty-two\"", 1);
    let err = parse(&text).unwrap_err();
    assert!(
        matches!(err, ReportError::ExploreJson { line: 5, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("exploration record is not valid at line 5"),
        "{err}"
    );
    let err = parse("\"a report\"").unwrap_err();
    assert!(
        err.to_string().contains("expected an exploration record"),
        "{err}"
    );
}

/// The fixture as two partitions: histories by parity, counts split unevenly.
fn halves() -> (ExploreRecord, ExploreRecord) {
    let whole = fixture();
    let mut a = whole.clone();
    let mut b = whole;
    a.partitions = vec!["hash:1/2".into()];
    b.partitions = vec!["hash:2/2".into()];
    (a.histories, b.histories) = (120, 80);
    (a.discarded, b.discarded) = (3, 4);
    (a.steps, b.steps) = (2000, 1412);
    (a.visits, b.visits) = (700, 588);
    for (class, n) in &mut a.boundary_classes {
        *n /= 2;
        b.boundary_classes
            .insert(class.clone(), fixture().boundary_classes[class] - *n);
    }
    a.event_kinds = BTreeMap::from([("visit".into(), 700), ("month.end".into(), 1300)]);
    b.event_kinds = BTreeMap::from([("visit".into(), 588), ("birthday".into(), 824)]);
    // The second difference (history 57) is in part 1, the first (history 12) in part 2.
    b.found.remove(1);
    a.found.remove(0);
    a.timing = Some(ExploreTiming {
        elapsed_ms: 40_000,
        first_found_ms: Some(5000),
        shrink_ms: 1000,
        histories_per_second: 3.0,
    });
    b.timing = Some(ExploreTiming {
        elapsed_ms: 50_000,
        first_found_ms: Some(812),
        shrink_ms: 2000,
        histories_per_second: 1.6,
    });
    (a, b)
}

#[test]
fn two_partitions_merge_to_the_sums() {
    let (a, b) = halves();
    let merged = merge(vec![b, a]).unwrap();
    let whole = fixture();
    assert_eq!(merged.partitions, ["hash:1/2", "hash:2/2"]);
    assert!(merged.missing_partitions.is_empty());
    assert_eq!(
        (
            merged.histories,
            merged.discarded,
            merged.steps,
            merged.visits
        ),
        (200, 7, 3412, 1288)
    );
    assert_eq!(merged.boundary_classes, whole.boundary_classes);
    assert_eq!(
        merged.event_kinds,
        BTreeMap::from([
            ("birthday".into(), 824),
            ("month.end".into(), 1300),
            ("visit".into(), 1288),
        ])
    );
    assert_eq!(merged.found, whole.found, "sorted by history");
    assert_eq!(
        merged.timing,
        Some(ExploreTiming {
            elapsed_ms: 50_000,
            first_found_ms: Some(812),
            shrink_ms: 3000,
            histories_per_second: 4.0,
        })
    );
    assert!(!merged.passed());
    assert_eq!(merged.interrupted, None);
}

#[test]
fn one_part_merges_to_itself() {
    assert_eq!(merge(vec![fixture()]).unwrap(), fixture());
}

#[test]
fn a_missing_partition_is_refused_and_accepted_when_partial() {
    let (a, _) = halves();
    let err = merge(vec![a.clone()]).unwrap_err();
    assert_eq!(
        err,
        ReportError::IncompleteExploration {
            have: "hash:1/2".into(),
            missing: "hash:2/2".into()
        }
    );
    assert!(err.to_string().contains("--allow-partial"), "{err}");
    assert!(err.message(Lang::Ja).contains("hash:2/2"));
    let mut one_of_three = a;
    one_of_three.partitions = vec!["hash:1/3".into()];
    let mut three_of_three = one_of_three.clone();
    three_of_three.partitions = vec!["hash:3/3".into()];
    let partial = merge_allowing_partial(vec![three_of_three, one_of_three]).unwrap();
    assert_eq!(partial.missing_partitions, ["hash:2/3"]);
    assert_eq!(partial.partitions, ["hash:1/3", "hash:3/3"]);
    assert!(partial.is_partial() && !partial.passed());
}

#[test]
fn a_partial_merge_completed_later_is_whole() {
    let (a, b) = halves();
    let partial = merge_allowing_partial(vec![a]).unwrap();
    assert_eq!(partial.missing_partitions, ["hash:2/2"]);
    let whole = merge(vec![partial, b]).unwrap();
    assert!(whole.missing_partitions.is_empty());
}

#[test]
fn a_partition_given_twice_is_named() {
    let (a, _) = halves();
    let err = merge(vec![a.clone(), a]).unwrap_err();
    assert_eq!(
        err,
        ReportError::DuplicatePartition {
            partition: "hash:1/2".into(),
            first_part: 1,
            second_part: 2
        }
    );
    assert!(err.to_string().contains("given twice"), "{err}");
}

#[test]
fn parts_cut_differently_are_refused() {
    let (a, mut b) = halves();
    b.partitions = vec!["hash:2/3".into()];
    assert!(matches!(
        merge_allowing_partial(vec![a.clone(), b]),
        Err(ReportError::PartitionsDiffer { part: 2, .. })
    ));
    let (_, mut b) = halves();
    b.partitions.clear();
    let err = merge_allowing_partial(vec![a, b]).unwrap_err();
    assert!(err.to_string().contains("covers the whole space"), "{err}");
}

#[test]
fn a_different_seed_is_named() {
    let (a, mut b) = halves();
    b.seed = 7;
    let err = merge(vec![a, b]).unwrap_err();
    assert_eq!(
        err,
        ReportError::Mismatch {
            field: "seed",
            first: "42".into(),
            part: 2,
            other: "7".into()
        }
    );
    assert!(
        err.to_string()
            .contains("seed differs between part 1 (42) and part 2 (7)"),
        "{err}"
    );
}

#[test]
fn every_shared_field_is_checked() {
    type Change = fn(&mut ExploreRecord);
    let changes: [(&str, Change); 6] = [
        ("format", |r| r.format = 2),
        ("kind", |r| r.kind = "run".into()),
        ("tool", |r| r.tool = "onshi 0.2.0".into()),
        ("oracle", |r| r.oracle = "invariants".into()),
        ("target", |r| r.target = "reference provider".into()),
        ("budget", |r| r.budget = "10m".into()),
    ];
    for (name, change) in changes {
        let (a, mut b) = halves();
        change(&mut b);
        match merge(vec![a, b]) {
            Err(ReportError::Mismatch { field, part: 2, .. }) => assert_eq!(field, name),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn an_interrupted_part_makes_an_interrupted_merge() {
    let (a, mut b) = halves();
    b.interrupted = Some("SIGINT".into());
    let merged = merge(vec![a, b]).unwrap();
    assert_eq!(merged.interrupted.as_deref(), Some("SIGINT"));
    assert!(!merged.passed());
}

#[test]
fn nothing_to_merge_is_an_error() {
    assert_eq!(merge(vec![]).unwrap_err(), ReportError::NothingToMerge);
}

#[test]
fn timing_of_parallel_parts() {
    let t = |elapsed_ms, first_found_ms, shrink_ms| ExploreTiming {
        elapsed_ms,
        first_found_ms,
        shrink_ms,
        histories_per_second: 1.0,
    };
    let merged = merge_timing(
        vec![t(10, None, 1), t(30, Some(20), 2), t(20, Some(9), 3)],
        60,
    )
    .unwrap();
    assert_eq!(
        merged,
        ExploreTiming {
            elapsed_ms: 30,
            first_found_ms: Some(9),
            shrink_ms: 6,
            histories_per_second: 2000.0,
        }
    );
    let still = merge_timing(vec![t(0, None, 0), t(0, None, 0)], 5).unwrap();
    assert_eq!(still.histories_per_second, 0.0, "no time, no rate");
    assert_eq!(merge_timing(vec![], 5), None);
}

#[test]
fn sums_saturate_instead_of_overflowing() {
    let (mut a, mut b) = halves();
    a.steps = u64::MAX;
    b.steps = 2;
    a.event_kinds.insert("visit".into(), u64::MAX);
    let merged = merge(vec![a, b]).unwrap();
    assert_eq!(merged.steps, u64::MAX);
    assert_eq!(merged.event_kinds["visit"], u64::MAX);
}

#[test]
fn passed_needs_nothing_found_whole_and_uninterrupted() {
    let mut r = fixture();
    assert!(!r.passed());
    r.found.clear();
    assert!(r.passed());
    r.missing_partitions = vec!["hash:2/2".into()];
    assert!(!r.passed());
    r.missing_partitions.clear();
    r.interrupted = Some("SIGINT".into());
    assert!(!r.passed());
}
