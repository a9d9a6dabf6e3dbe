//! Invariants over records with arbitrary text in every field a system under test can
//! influence.
#![allow(clippy::unwrap_used)]

mod common;

use common::fixture;
use onshi_reports::{Lang, RunRecord, Verdict, html, json, junit, markdown, merge, terminal};
use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Anything at all, or short strings dense in the characters escaping is about.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&\"'|`*_\\[\\]\\\\#~\n\r\t\u{1b} a-z0-9]{0,24}",
    ]
}

fn verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        Just(Verdict::Pass),
        Just(Verdict::Fail),
        Just(Verdict::Skip),
        Just(Verdict::Review),
    ]
}

prop_compose! {
    /// The fixture with hostile text in titles, values, notes, reasons, errors, trace,
    /// roles, paths, tags, requirement ids and check names, and shuffled check verdicts.
    fn record()(
        t in prop::collection::vec(text(), 16),
        seed in any::<u64>(),
        verdicts in prop::collection::vec(verdict(), 8),
    ) -> RunRecord {
        let mut r = fixture();
        r.seed = seed;
        r.tool = t[0].clone();
        r.roles.provider = t[1].clone();
        r.scenarios[0].title.en = Some(t[2].clone());
        r.scenarios[0].title.ja = Some(t[3].clone());
        r.scenarios[2].checks[0].expected = t[4].clone();
        r.scenarios[2].checks[0].actual = t[5].clone();
        r.scenarios[2].checks[1].note = Some(t[6].clone());
        r.scenarios[2].trace[1].summary = t[7].clone();
        r.scenarios[2].trace[2].kind = t[8].clone();
        r.scenarios[3].error = Some(t[9].clone());
        r.scenarios[5].expected_deviation = Some(t[10].clone());
        r.files[0].path = t[11].clone();
        r.scenarios[1].tags.push(t[12].clone());
        r.scenarios[2].requirements.push(t[13].clone());
        r.scenarios[2].checks[2].name = t[14].clone();
        r.scenarios[4].checks[0].expected = t[15].repeat(8);
        let checks = r.scenarios.iter_mut().flat_map(|s| s.checks.iter_mut());
        for (check, v) in checks.zip(verdicts) {
            check.verdict = v;
        }
        for sc in &mut r.scenarios {
            if sc.error.is_none() && !sc.checks.is_empty() {
                sc.verdict = Verdict::combine(sc.checks.iter().map(|c| c.verdict));
            }
        }
        r
    }
}

/// The text of the page's `<script>` element.
fn script_of(page: &str) -> &str {
    let start = page.find("<script>").map_or(0, |i| i + "<script>".len());
    let end = page.find("</script>").unwrap_or(start);
    &page[start..end.max(start)]
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn json_round_trip_is_identity(r in record()) {
        prop_assert_eq!(json::parse(&json::render(&r)).unwrap(), r);
    }

    #[test]
    fn junit_is_well_formed_for_any_text(r in record()) {
        let xml = junit::render(&r);
        prop_assert!(
            xml.chars().all(|c| c == '\n' || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')),
            "a character XML 1.0 does not allow"
        );
        let mut reader = Reader::from_str(&xml);
        reader.config_mut().check_end_names = true;
        let (mut depth, mut suites) = (0i32, 0);
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::Start(e)) => {
                    depth += 1;
                    suites += usize::from(e.name().as_ref() == b"testsuite");
                    for a in e.attributes() {
                        prop_assert!(a.unwrap().unescape_value().is_ok());
                    }
                }
                Ok(Event::Empty(e)) => {
                    for a in e.attributes() {
                        prop_assert!(a.unwrap().unescape_value().is_ok());
                    }
                }
                Ok(Event::End(_)) => depth -= 1,
                Ok(_) => {}
                Err(e) => prop_assert!(false, "not well-formed: {e}\n{xml}"),
            }
        }
        prop_assert_eq!(depth, 0);
        prop_assert_eq!(suites, r.scenarios.len());
    }

    #[test]
    fn markdown_tables_keep_their_columns(r in record(), lang in prop_oneof![Just(Lang::Ja), Just(Lang::En)]) {
        let md = markdown::render(&r, lang);
        let mut columns: Option<usize> = None;
        for line in md.lines() {
            if line.starts_with('|') {
                let n = cell_separators(line);
                let expected = *columns.get_or_insert(n);
                prop_assert_eq!(n, expected, "row {:?}", line);
            } else {
                columns = None;
            }
        }
    }

    #[test]
    fn html_leaks_no_markup_and_no_url(r in record(), lang in prop_oneof![Just(Lang::Ja), Just(Lang::En)]) {
        let page = html::render(&r, lang);
        // One script element, the page's own: the same bytes whatever the record says.
        prop_assert_eq!(page.matches("<script").count(), 1);
        prop_assert_eq!(page.matches("</script").count(), 1);
        let own = html::render(&fixture(), Lang::Ja);
        prop_assert_eq!(script_of(&page), script_of(&own));
        prop_assert!(!page.contains("http://") && !page.contains("https://"));
        prop_assert!(page.contains("<script>\n"), "the script element has no attributes");
        prop_assert!(page.chars().all(|c| c == '\n' || !c.is_control()));
        // Exactly the elements the renderer writes: one section per scenario, none hidden
        // (filters only hide once the script runs), one filter bar, one search box.
        prop_assert_eq!(page.matches("<section class=\"scenario").count(), r.scenarios.len());
        prop_assert!(page.lines().filter(|l| l.starts_with("<section")).all(|l| !l.contains(" hidden")));
        prop_assert_eq!(page.matches("<div class=\"filters\"").count(), 1);
        prop_assert_eq!(page.matches("<input type=\"search\"").count(), 1);
        prop_assert_eq!(page.matches("<meta ").count(), 3);
    }

    #[test]
    fn terminal_without_colour_has_no_control_characters(r in record()) {
        let out = terminal::render(&r, Lang::Ja, false);
        prop_assert!(out.chars().all(|c| c == '\n' || !c.is_control()), "{:?}", out);
    }

    #[test]
    fn merging_any_split_gives_back_the_whole(mask in prop::collection::vec(0usize..3, 6)) {
        let whole = fixture();
        let mut parts: Vec<RunRecord> = (0..3)
            .map(|k| {
                let mut part = whole.clone();
                part.partitions = vec![format!("hash:{}/3", k + 1)];
                part.scenarios = whole
                    .scenarios
                    .iter()
                    .zip(&mask)
                    .filter(|(_, m)| **m == k)
                    .map(|(s, _)| s.clone())
                    .collect();
                part
            })
            .collect();
        parts.reverse();
        let merged = merge::merge(parts).unwrap();
        prop_assert_eq!(&merged.scenarios, &whole.scenarios);
        prop_assert_eq!(&merged.files, &whole.files);
        prop_assert_eq!(&merged.partitions, &vec!["hash:1/3".to_string(), "hash:2/3".into(), "hash:3/3".into()]);
        prop_assert_eq!(merged.timing.as_ref().unwrap().elapsed_ms, 3 * whole.timing.as_ref().unwrap().elapsed_ms);
        prop_assert_eq!(merged.summary(), whole.summary());
    }
}
