//! Which requirement a difference breaks, narrowed from the scenario's list to the field that
//! differed, the patient's age rules and the history's character code.

use std::collections::BTreeMap;

use super::classes;
use super::history::History;
use super::oracle::Difference;
use crate::scenario::names::RequestKindName;

/// The request kinds of a `requests` check's text, with their counts: `sent: siquc01, yzk`,
/// `never sent: siquc01`, `at most: siquc01 ×1` (the kinds after the colon; `none` is none).
pub(crate) fn kinds(t: &str) -> BTreeMap<String, u32> {
    t.split_once(':')
        .map_or("", |x| x.1)
        .split(',')
        .filter_map(|k| {
            let (k, n) = k.split_once('×').unwrap_or((k, "1"));
            let k = k.trim().to_string();
            let n = n.trim().parse().unwrap_or(1);
            (!k.is_empty() && k != "-" && k != "none").then_some((k, n))
        })
        .collect()
}

/// The requirements a difference in one expectation field breaks, narrower than the
/// scenario's list (docs/explore.md, "The two oracles"): the charge is PRV-1 (the ratio), with a
/// cap in force also PRV-2; the numbers and `relation`, `name`, `copay_percent` PRV-1; on a
/// 資格有効性 path (`followed_new_qualification`, `declaration_form`, `asked_patient`) those
/// also PRV-4; the 限度額 fields PRV-2; fetched data PRV-3; the path PRV-4, PRV-1 when one side
/// is `confirmed`, PRV-7 when the 資格確認書 or confirm-later fallback is involved (as for the
/// numbers); confirming later PRV-7; a `siquc01` sent or not PRV-1 (PRV-7 on a fallback visit),
/// a data request PRV-3. The money and numbers of a patient whose age rule turns near the
/// window are also INS-2, and any field of a history whose answers are in Shift_JIS also PRV-6.
/// `None` for checks that are not an expectation field (automatic checks and invariants keep
/// their own).
pub(crate) fn of_field(d: &Difference, expect: &str, h: &History) -> Option<Vec<String>> {
    let line = d.visit.as_deref().and_then(|v| {
        let key = format!("- provider: {{ of: {v},");
        expect.lines().find(|l| l.trim_start().starts_with(&key))
    });
    let line = line.unwrap_or("");
    let other_path = [
        "path: followed_new_qualification",
        "path: declaration_form",
        "path: asked_patient",
    ]
    .iter()
    .any(|p| line.contains(p));
    let fallback = line.contains("path: paper_certificate")
        || line.contains("confirm_later: true")
        || [&d.expected, &d.actual]
            .iter()
            .any(|t| t.contains("paper_certificate"));
    let mut r: Vec<&str> = match d.check.as_str() {
        "provider.charged" => {
            let mut r = vec!["PRV-1"];
            if !line.contains("cap: none") {
                r.push("PRV-2");
            }
            if other_path {
                r.push("PRV-4");
            }
            r
        }
        "provider.insurer_number"
        | "provider.symbol"
        | "provider.number"
        | "provider.branch"
        | "provider.relation"
        | "provider.name"
        | "provider.copay_percent" => {
            let mut r = vec!["PRV-1"];
            if other_path {
                r.push("PRV-4");
            }
            if fallback {
                r.push("PRV-7");
            }
            r
        }
        "provider.limit_category" | "provider.cap" => vec!["PRV-2"],
        "provider.fetched" => vec!["PRV-3"],
        "provider.path" => {
            let mut r = vec!["PRV-4"];
            if [&d.expected, &d.actual]
                .iter()
                .any(|t| t.as_str() == "confirmed")
            {
                r.push("PRV-1");
            }
            if fallback {
                r.push("PRV-7");
            }
            r
        }
        "provider.confirm_later" | "provider.confirmed_later" | "provider.later_validity" => {
            vec!["PRV-7"]
        }
        "requests.sent" | "requests.not_sent" | "requests.at_most" => {
            let (want, got) = (kinds(&d.expected), kinds(&d.actual));
            let differing: Vec<&String> = match d.check.as_str() {
                "requests.sent" => want.keys().filter(|k| !got.contains_key(*k)).collect(),
                "requests.not_sent" => want.keys().filter(|k| got.contains_key(*k)).collect(),
                _ => want
                    .iter()
                    .filter(|(k, n)| got.get(*k).is_some_and(|g| g > n))
                    .map(|(k, _)| k)
                    .collect(),
            };
            let siquc = RequestKindName::Siquc01.name();
            let later =
                !line.contains("confirmed_later: none") && line.contains("confirmed_later:");
            let mut r = Vec::new();
            if differing.iter().any(|k| k.as_str() == siquc) {
                r.push(if fallback || later { "PRV-7" } else { "PRV-1" });
            }
            if differing.iter().any(|k| k.as_str() != siquc) {
                r.push("PRV-3");
            }
            if r.is_empty() {
                return None;
            }
            r
        }
        _ => return None,
    };
    let money = [
        "provider.charged",
        "provider.copay_percent",
        "provider.cap",
        "provider.limit_category",
        "provider.insurer_number",
        "provider.path",
    ];
    let patient = d.visit.as_deref().and_then(|v| {
        h.steps
            .iter()
            .filter_map(|s| s.visit())
            .find(|x| x.name == v)
            .map(|x| x.person.as_str())
    });
    if money.contains(&d.check.as_str())
        && patient.is_some_and(|p| classes::age_boundary_near(h, p))
    {
        r.push("INS-2");
    }
    if h.shift_jis {
        r.push("PRV-6");
    }
    r.sort();
    r.dedup();
    Some(r.into_iter().map(String::from).collect())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::explore::generate;

    /// A generated history with a visit, nobody near an age rule, UTF-8 files; and the name
    /// and person of its first visit.
    fn plain() -> (History, String, String) {
        let mut h = (0..)
            .map(|i| generate::history(1, i))
            .find(|h| h.visits() > 0)
            .expect("a history with a visit");
        h.shift_jis = false;
        for p in &mut h.people {
            p.born = date(1990, 6, 15);
        }
        let v = h.steps.iter().find_map(|s| s.visit()).expect("a visit");
        let (name, person) = (v.name.clone(), v.person.clone());
        (h, name, person)
    }

    fn diff(check: &str, visit: &str, expected: &str, actual: &str) -> Difference {
        Difference {
            check: check.into(),
            visit: Some(visit.into()),
            expected: expected.into(),
            actual: actual.into(),
            requirements: vec!["PRV-1".into(), "PRV-2".into(), "PRV-4".into()],
        }
    }

    fn line(v: &str, rest: &str) -> String {
        format!("  - provider: {{ of: {v}, {rest} }}\n  - requests: {{ of: {v} }}\n")
    }

    fn ids(r: Option<Vec<String>>) -> Vec<String> {
        r.expect("an expectation field")
    }

    #[test]
    fn a_charge_is_the_ratio_and_with_a_cap_in_force_also_the_cap() {
        let (h, v, _) = plain();
        let d = diff("provider.charged", &v, "3000 yen", "3010 yen");
        let no_cap = line(&v, "path: confirmed, charged: 3000, cap: none");
        assert_eq!(ids(of_field(&d, &no_cap, &h)), ["PRV-1"]);
        let cap = line(&v, "path: confirmed, charged: 3000, cap: 57600");
        assert_eq!(ids(of_field(&d, &cap, &h)), ["PRV-1", "PRV-2"]);
        let lag = line(&v, "path: declaration_form, charged: 3000, cap: none");
        assert_eq!(ids(of_field(&d, &lag, &h)), ["PRV-1", "PRV-4"]);
    }

    #[test]
    fn the_path_names_confirmation_and_the_fallback() {
        let (h, v, _) = plain();
        let e = line(&v, "path: confirmed, cap: none");
        let d = diff("provider.path", &v, "confirmed", "paper_certificate");
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-1", "PRV-4", "PRV-7"]);
        let d = diff("provider.path", &v, "declaration_form", "asked_patient");
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-4"]);
        let paper = line(&v, "path: paper_certificate, cap: none");
        let d = diff("provider.insurer_number", &v, "31131014", "none");
        assert_eq!(ids(of_field(&d, &paper, &h)), ["PRV-1", "PRV-7"]);
    }

    #[test]
    fn requests_name_the_kind_that_differed() {
        let (h, v, _) = plain();
        let e = line(&v, "path: confirmed, cap: none");
        // A data request missing: PRV-3, not the siquc01 both sides have.
        let d = diff("requests.sent", &v, "sent: siquc01, yzk", "sent: siquc01");
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-3"]);
        let d = diff(
            "requests.not_sent",
            &v,
            "never sent: siquc01",
            "sent: siquc01",
        );
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-1"]);
        let later = line(&v, "path: paper_certificate, confirmed_later: 2026-09-22");
        let d = diff("requests.sent", &v, "sent: siquc01", "sent: -");
        assert_eq!(ids(of_field(&d, &later, &h)), ["PRV-7"]);
        let d = diff(
            "requests.at_most",
            &v,
            "at most: siquc01 ×1, yzk ×1",
            "sent: siquc01 ×1, yzk ×2",
        );
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-3"]);
        let d = diff(
            "requests.at_most",
            &v,
            "at most: siquc01 ×1",
            "sent: siquc01 ×3",
        );
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-1"]);
        // Nothing differs by kind: the scenario's own list stays.
        let d = diff("requests.sent", &v, "sent: siquc01", "sent: siquc01");
        assert_eq!(of_field(&d, &e, &h), None);
    }

    #[test]
    fn age_rules_and_shift_jis_are_named_when_they_are_in_play() {
        let (mut h, v, person) = plain();
        let e = line(&v, "path: confirmed, cap: none");
        let d = diff("provider.charged", &v, "2000 yen", "3000 yen");
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-1"]);
        // The patient turns 70 on the window's first day.
        let start = h.start.date();
        for p in h.people.iter_mut().filter(|p| p.key == person) {
            p.born = date(start.year() - 70, start.month(), start.day());
        }
        assert_eq!(ids(of_field(&d, &e, &h)), ["INS-2", "PRV-1"]);
        // A child between the 6th birthday and the 31 March that ends 未就学.
        for p in h.people.iter_mut().filter(|p| p.key == person) {
            p.born = date(start.year() - 6, 1, 1)
                .checked_sub(jiff::Span::new().days(20))
                .unwrap();
        }
        let s = date(start.year(), 1, 10);
        h.start = s.at(9, 0, 0, 0);
        h.steps
            .retain(|s| !matches!(s, crate::explore::history::Step::AdvanceTo(_)));
        assert_eq!(ids(of_field(&d, &e, &h)), ["INS-2", "PRV-1"]);
        // Another field than money is not the age rule's.
        let d = diff("provider.relation", &v, "dependent", "insured");
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-1"]);
        h.shift_jis = true;
        assert_eq!(ids(of_field(&d, &e, &h)), ["PRV-1", "PRV-6"]);
    }

    #[test]
    fn checks_that_are_no_field_keep_their_own() {
        let (h, v, _) = plain();
        for check in [
            "provider.requests_well_formed",
            "invariant.month_cap",
            "run.error",
        ] {
            assert_eq!(
                of_field(&diff(check, &v, "a", "b"), "", &h),
                None,
                "{check}"
            );
        }
    }
}
