//! The JUnit output read back by an XML parser: well-formed, counts that add up, and
//! failure messages a CI user can act on without opening anything else.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::fixture;
use onshi_reports::{RunRecord, Verdict, junit};
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Just enough of a DOM for these assertions.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attrs
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }

    fn count(&self, name: &str) -> usize {
        self.attr(name).parse().unwrap()
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Element {
    let mut el = Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        ..Element::default()
    };
    for a in e.attributes() {
        let a = a.unwrap();
        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
        let value = a.unescape_value().unwrap().into_owned();
        assert!(el.attrs.insert(key, value).is_none(), "duplicate attribute");
    }
    el
}

/// Parses the whole document; panics on anything not well-formed.
fn parse(xml: &str) -> Element {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().unwrap();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("unknown entity {name}"))
                            .to_string()
                    }
                };
                stack.last_mut().unwrap().text.push_str(&resolved);
            }
            Event::Decl(_) => {}
            Event::Eof => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().unwrap();
    let roots: Vec<Element> = document
        .children
        .drain(..)
        .filter(|c| !c.name.is_empty())
        .collect();
    assert_eq!(roots.len(), 1, "one root element");
    roots.into_iter().next().unwrap()
}

/// Counts on each suite match its testcases, and the root's are the sums.
fn assert_counts_add_up(root: &Element) {
    assert_eq!(root.name, "testsuites");
    let mut totals = [0; 4];
    for suite in root.children_named("testsuite") {
        let cases: Vec<&Element> = suite.children_named("testcase").collect();
        let with = |name: &str| cases.iter().filter(|c| c.child(name).is_some()).count();
        let counts = [cases.len(), with("failure"), with("error"), with("skipped")];
        let attrs = ["tests", "failures", "errors", "skipped"].map(|a| suite.count(a));
        assert_eq!(counts, attrs, "suite {}", suite.attr("name"));
        for case in &cases {
            assert_eq!(case.attr("classname"), suite.attr("name"));
            let outcomes = ["failure", "error", "skipped"]
                .iter()
                .filter(|n| case.child(n).is_some())
                .count();
            assert!(outcomes <= 1, "{} has several outcomes", case.attr("name"));
        }
        for (t, c) in totals.iter_mut().zip(counts) {
            *t += c;
        }
    }
    let attrs = ["tests", "failures", "errors", "skipped"].map(|a| root.count(a));
    assert_eq!(totals, attrs, "root counts");
}

fn suites(root: &Element) -> BTreeMap<&str, &Element> {
    root.children_named("testsuite")
        .map(|s| (s.attr("name"), s))
        .collect()
}

#[test]
fn counts_add_up_and_follow_the_record() {
    let record = fixture();
    let root = parse(&junit::render(&record));
    assert_counts_add_up(&root);
    let names: Vec<&str> = root
        .children_named("testsuite")
        .map(|s| s.attr("name"))
        .collect();
    let ids: Vec<&str> = record.scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(names, ids, "one suite per scenario, in record order");
    let failing_outside_deviations = record
        .scenarios
        .iter()
        .filter(|s| s.expected_deviation.is_none())
        .flat_map(|s| &s.checks)
        .filter(|c| c.verdict == Verdict::Fail)
        .count();
    assert_eq!(root.count("failures"), failing_outside_deviations);
    assert_eq!(
        root.count("errors"),
        record
            .scenarios
            .iter()
            .filter(|s| s.error.is_some())
            .count()
    );
}

#[test]
fn every_failure_names_requirements_expected_and_actual() {
    let record = fixture();
    let root = parse(&junit::render(&record));
    let suites = suites(&root);
    let mut seen = 0;
    for sc in &record.scenarios {
        let suite = suites[sc.id.as_str()];
        for check in sc.checks.iter().filter(|c| c.verdict == Verdict::Fail) {
            let prefix = format!("{} @ {}", check.name, check.at);
            let case = suite
                .children_named("testcase")
                .find(|c| c.attr("name").starts_with(&prefix))
                .unwrap_or_else(|| panic!("no testcase {prefix}"));
            if let Some(reason) = &sc.expected_deviation {
                let skipped = case.child("skipped").expect("deviation is skipped");
                assert_eq!(
                    skipped.attr("message"),
                    format!("expected deviation: {reason}")
                );
                continue;
            }
            let failure = case.child("failure").expect("a failure");
            let message = failure.attr("message");
            let ids = sc.requirements_of(check);
            assert!(!ids.is_empty());
            for id in ids {
                assert!(message.contains(id.as_str()), "{id} not in {message}");
                assert!(failure.attr("type").split(' ').any(|t| t == id));
            }
            assert!(message.contains(&check.expected), "{message}");
            assert!(message.contains(&check.actual), "{message}");
            assert!(failure.text.contains(&check.actual), "{}", failure.text);
            seen += 1;
        }
    }
    assert_eq!(
        seen, 2,
        "the fixture has two failing checks outside deviations"
    );
}

#[test]
fn review_skip_and_error_map_as_documented() {
    let record = fixture();
    let root = parse(&junit::render(&record));
    let suites = suites(&root);
    let review = suites["reader/screen-text"].child("testcase").unwrap();
    assert!(
        review
            .child("skipped")
            .unwrap()
            .attr("message")
            .starts_with("review: ")
    );
    let error_case = suites["provider/timeout"]
        .children_named("testcase")
        .find(|c| c.attr("name") == "scenario")
        .unwrap();
    assert_eq!(
        error_case.child("error").unwrap().attr("message"),
        record.scenarios[3].error.as_deref().unwrap()
    );
    let skipped = suites["consent/medication-history"];
    assert_eq!(skipped.count("skipped"), 1);
    assert!(skipped.child("system-out").is_some());
}

#[test]
fn hostile_text_stays_well_formed_and_round_trips() {
    let mut record: RunRecord = fixture();
    let nasty = "a\"b'c<d>&e]]>\nline two\ttab";
    let lost = &mut record.scenarios[2];
    lost.id = format!("weird/{nasty}");
    lost.checks[0].actual = nasty.to_string();
    lost.checks[0].note = Some("bell \u{7} and escape \u{1b}[31m".to_string());
    lost.trace[0].summary = nasty.to_string();
    let root = parse(&junit::render(&record));
    assert_counts_add_up(&root);
    let suite = root
        .children_named("testsuite")
        .find(|s| s.attr("name").starts_with("weird/"))
        .unwrap();
    assert_eq!(suite.attr("name"), format!("weird/{nasty}"));
    let failure = suite
        .children_named("testcase")
        .find_map(|c| c.child("failure"))
        .unwrap();
    assert!(
        failure.attr("message").contains(nasty),
        "newline and tab kept"
    );
    assert!(failure.attr("message").contains("\\u{7}"));
    assert!(suite.child("system-out").unwrap().text.contains(nasty));
}
