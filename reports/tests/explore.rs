//! The exploration reports a person reads, as snapshots of the fixture (two differences,
//! one boundary class not reached), and the JSON round trip over arbitrary records. Review
//! a changed snapshot as you would review the report itself.
#![allow(clippy::unwrap_used)]

#[path = "common/explore.rs"]
mod explore_fixture;

use std::collections::BTreeMap;

use explore_fixture::fixture;
use onshi_reports::Lang;
use onshi_reports::explore::{
    self, EXPLORE_FORMAT, ExploreRecord, ExploreTiming, Found, html, markdown, terminal,
};
use proptest::prelude::*;

/// The shared stylesheet, left out of the page snapshot so that a change to `report.html`'s
/// look does not show here; the rules of the exploration page stay in.
const SHARED_STYLE: &str = include_str!("../src/html/style.css");

#[test]
fn html_japanese() {
    let page = html::render(&fixture(), Lang::Ja);
    assert_eq!(page.matches(SHARED_STYLE).count(), 1);
    insta::assert_snapshot!(page.replacen(SHARED_STYLE, "/* html/style.css */\n", 1));
}

#[test]
fn markdown_japanese() {
    insta::assert_snapshot!(markdown::render(&fixture(), Lang::Ja));
}

#[test]
fn markdown_english() {
    insta::assert_snapshot!(markdown::render(&fixture(), Lang::En));
}

#[test]
fn terminal_english() {
    insta::assert_snapshot!(terminal::render(&fixture(), Lang::En));
}

#[test]
fn html_has_no_url_and_escapes_a_script_in_actual() {
    let mut record = fixture();
    record.found[0].actual = "<script>alert(\"x\")</script>".into();
    for lang in [Lang::Ja, Lang::En] {
        let page = html::render(&record, lang);
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("src="));
        assert!(!page.contains("<script"), "hostile text must be escaped");
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    }
}

/// Pipes that end a GitHub table cell: those after an even run of backslashes.
fn cell_separators(line: &str) -> usize {
    let bytes = line.as_bytes();
    (0..bytes.len())
        .filter(|&i| {
            bytes[i] == b'|'
                && bytes[..i]
                    .iter()
                    .rev()
                    .take_while(|&&b| b == b'\\')
                    .count()
                    .is_multiple_of(2)
        })
        .count()
}

/// Anything at all, or short strings dense in the characters escaping is about.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&\"'|`*_\\[\\]\\\\#~\n\r\t\u{1b} a-z0-9]{0,24}",
    ]
}

fn counts() -> impl Strategy<Value = BTreeMap<String, u64>> {
    prop::collection::btree_map(text(), any::<u64>(), 0..6)
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        0.0..1e6,
    ]
}

prop_compose! {
    fn found()(
        history in any::<u64>(),
        t in prop::collection::vec(text(), 5),
        visit in prop::option::of(text()),
        requirements in prop::collection::vec(text(), 0..3),
        sizes in prop::array::uniform6(any::<u32>()),
        reproduces in any::<bool>(),
        passes_reference in prop::option::of(any::<bool>()),
    ) -> Found {
        Found {
            history,
            check: t[0].clone(),
            visit,
            expected: t[1].clone(),
            actual: t[2].clone(),
            requirements,
            file: t[3].clone(),
            steps_before: sizes[0],
            steps_after: sizes[1],
            people_before: sizes[2],
            people_after: sizes[3],
            shrink_steps: sizes[4],
            shrink_runs: sizes[5],
            reproduces,
            passes_reference,
        }
    }
}

prop_compose! {
    fn timing()(
        elapsed_ms in any::<u64>(),
        first_found_ms in prop::option::of(any::<u64>()),
        shrink_ms in any::<u64>(),
        histories_per_second in finite(),
    ) -> ExploreTiming {
        ExploreTiming { elapsed_ms, first_found_ms, shrink_ms, histories_per_second }
    }
}

prop_compose! {
    /// Any record `onshi explore` could write: every field arbitrary but `format` and `kind`.
    fn record()(
        t in prop::collection::vec(text(), 5),
        seed in any::<u64>(),
        partitions in prop::collection::vec(text(), 0..3),
        missing_partitions in prop::collection::vec(text(), 0..3),
        interrupted in prop::option::of(text()),
        numbers in prop::array::uniform4(any::<u64>()),
        boundary_classes in counts(),
        event_kinds in counts(),
        found in prop::collection::vec(found(), 0..4),
        timing in prop::option::of(timing()),
    ) -> ExploreRecord {
        ExploreRecord {
            format: EXPLORE_FORMAT,
            kind: "explore".to_string(),
            tool: t[0].clone(),
            seed,
            oracle: t[1].clone(),
            target: t[2].clone(),
            budget: t[3].clone(),
            partitions,
            missing_partitions,
            interrupted,
            histories: numbers[0],
            discarded: numbers[1],
            steps: numbers[2],
            visits: numbers[3],
            boundary_classes,
            event_kinds,
            found,
            timing,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn json_round_trip_is_identity(r in record()) {
        prop_assert_eq!(explore::parse(&explore::render_json(&r)).unwrap(), r);
    }

    #[test]
    fn markdown_tables_keep_their_columns(r in record(), ja in any::<bool>()) {
        let lang = if ja { Lang::Ja } else { Lang::En };
        let md = markdown::render(&r, lang);
        let mut columns: Option<usize> = None;
        for line in md.lines() {
            if line.starts_with('|') {
                let n = cell_separators(line);
                prop_assert_eq!(*columns.get_or_insert(n), n, "{}", line);
            } else {
                columns = None;
            }
        }
    }

    #[test]
    fn every_renderer_takes_any_record(r in record(), ja in any::<bool>()) {
        let lang = if ja { Lang::Ja } else { Lang::En };
        let page = html::render(&r, lang);
        prop_assert!(!page.contains("<script"));
        let md = markdown::render(&r, lang);
        prop_assert!(md.ends_with('\n'));
        let lines = terminal::render(&r, lang);
        prop_assert!(!lines.chars().any(|c| c != '\n' && c.is_control()));
    }
}
