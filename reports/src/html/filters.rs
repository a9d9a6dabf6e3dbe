//! The filter bar above the scenarios.
//!
//! Verdict checkboxes work through CSS alone (`:has()` in `style.css`), so they work where a
//! viewer blocks scripts. Requirement, tag and free-text filters need the few lines of
//! [`SCRIPT`]: it reads the `data-` attributes of each scenario section ([`attributes`]),
//! only ever sets `hidden` and `textContent`, and un-hides those controls when it runs.
//! Without script the page shows every scenario.
//!
//! Requirement ids and tags are matched by their [`anchor`] form (ASCII letters, digits, `-`
//! and `_`, one-to-one with the text), so a space-separated list in an attribute cannot be
//! confused by a tag holding spaces or quotes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::escape::{anchor, xml};
use crate::i18n::{deviation, pick};
use crate::record::{Lang, RunRecord, ScenarioRecord, Verdict};

/// The page's only script: no source, no network, no record data (the tests compare it
/// byte for byte on every page).
pub(crate) const SCRIPT: &str = include_str!("filter.js");

/// Verdict classes of scenarios, in the order the summary counts them.
const VERDICTS: [&str; 5] = ["pass", "fail", "skip", "review", "deviation"];

fn verdict_label(class: &str, lang: Lang) -> &'static str {
    match class {
        "pass" => Verdict::Pass.label(lang),
        "fail" => Verdict::Fail.label(lang),
        "skip" => Verdict::Skip.label(lang),
        "review" => Verdict::Review.label(lang),
        _ => deviation(lang),
    }
}

/// CSS class of a scenario's verdict: a listed failure is a deviation.
pub(crate) fn verdict_class(sc: &ScenarioRecord) -> &'static str {
    if sc.is_expected_deviation() {
        "deviation"
    } else {
        sc.verdict.name()
    }
}

/// Every requirement a scenario or one of its checks cites.
fn requirements(sc: &ScenarioRecord) -> BTreeSet<&str> {
    sc.requirements
        .iter()
        .chain(sc.checks.iter().flat_map(|c| &c.requirements))
        .map(String::as_str)
        .collect()
}

/// `data-verdict`, `data-req`, `data-tag` and `data-search` of a scenario section.
pub(crate) fn attributes(sc: &ScenarioRecord) -> String {
    let reqs: Vec<String> = requirements(sc)
        .into_iter()
        .map(|id| anchor("req-", id))
        .collect();
    let tags: BTreeSet<String> = sc.tags.iter().map(|t| anchor("tag-", t)).collect();
    let mut search: Vec<&str> = vec![&sc.id];
    search.extend(sc.title.ja.as_deref());
    search.extend(sc.title.en.as_deref());
    let mut names = BTreeSet::new();
    for check in &sc.checks {
        if names.insert(check.name.as_str()) {
            search.push(&check.name);
        }
    }
    format!(
        " data-verdict=\"{}\" data-req=\"{}\" data-tag=\"{}\" data-search=\"{}\"",
        verdict_class(sc),
        reqs.join(" "),
        tags.into_iter().collect::<Vec<_>>().join(" "),
        xml(&search.join("\n"))
    )
}

fn select(out: &mut String, id: &str, label: &str, all: &str, prefix: &str, values: &[&str]) {
    let _ = write!(
        out,
        "<label>{label} <select id=\"{id}\"><option value=\"\">{all}</option>"
    );
    for v in values {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            anchor(prefix, v),
            xml(v)
        );
    }
    out.push_str("</select></label>\n");
}

/// The bar: verdict checkboxes, then the scripted controls (hidden until the script runs).
pub(crate) fn bar(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = write!(
        out,
        "<div class=\"filters\" role=\"search\" aria-label=\"{0}\">\n\
         <fieldset class=\"verdicts\"><legend>{0}</legend>",
        pick(lang, "絞り込み", "Filter")
    );
    for class in VERDICTS {
        let n = record
            .scenarios
            .iter()
            .filter(|sc| verdict_class(sc) == class)
            .count();
        let _ = write!(
            out,
            "<label class=\"verdict\"><input type=\"checkbox\" id=\"show-{class}\" checked> \
             <span class=\"badge {class}\">{}</span> {n}</label>",
            verdict_label(class, lang)
        );
    }
    out.push_str("</fieldset>\n<span class=\"scripted\" id=\"f-more\" hidden>\n");
    let all = pick(lang, "すべて", "all");
    let reqs: BTreeSet<&str> = record.scenarios.iter().flat_map(requirements).collect();
    let reqs: Vec<&str> = reqs.into_iter().collect();
    select(
        out,
        "f-req",
        pick(lang, "要件", "Requirement"),
        all,
        "req-",
        &reqs,
    );
    let tags: BTreeSet<&str> = record
        .scenarios
        .iter()
        .flat_map(|sc| sc.tags.iter().map(String::as_str))
        .collect();
    let tags: Vec<&str> = tags.into_iter().collect();
    select(out, "f-tag", pick(lang, "タグ", "Tag"), all, "tag-", &tags);
    let n = record.scenarios.len();
    let _ = writeln!(
        out,
        "<label>{} <input type=\"search\" id=\"f-text\" placeholder=\"{}\"></label>\n\
         <span class=\"shown\">{}</span>\n</span>\n</div>",
        pick(lang, "検索", "Search"),
        pick(lang, "ID・タイトル・チェック名", "id, title or check name"),
        match lang {
            Lang::Ja => format!("<b id=\"f-shown\">{n}</b> / {n} 件を表示"),
            Lang::En => format!("showing <b id=\"f-shown\">{n}</b> of {n}"),
        }
    );
}

/// The line shown by the script when no scenario passes the filters.
pub(crate) fn no_match(lang: Lang) -> String {
    format!(
        "<p id=\"no-match\" class=\"muted\" hidden>{}</p>",
        pick(
            lang,
            "条件に合うシナリオはありません。",
            "No scenario matches the filters."
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn the_script_stays_offline_and_writes_no_markup() {
        for word in [
            "fetch",
            "XMLHttpRequest",
            "WebSocket",
            "EventSource",
            "sendBeacon",
            "import",
            "src",
            "http",
            "location",
            "innerHTML",
            "outerHTML",
            "insertAdjacent",
            "document.write",
            "eval",
            "Function(",
            "setTimeout",
            "</",
        ] {
            assert!(!SCRIPT.contains(word), "the filter script uses {word}");
        }
    }

    #[test]
    fn scenario_attributes_use_anchor_forms() {
        let mut record = fixture();
        let sc = &mut record.scenarios[2];
        sc.tags = vec!["a b".into(), "\"><script>".into()];
        let attrs = attributes(sc);
        assert!(
            attrs.starts_with(
                " data-verdict=\"fail\" data-req=\"req-PRV-99 req-REG-5\" \
                 data-tag=\"tag-_22_3e_3cscript_3e tag-a_20b\" data-search=\"\
                 eligibility/lost-coverage&#10;資格喪失後は無効と回答する&#10;"
            ),
            "{attrs}"
        );
        assert!(
            attrs.ends_with(
                "&#10;confirmation.validity&#10;provider.charge&#10;provider.recorded\""
            )
        );
        assert_eq!(
            attributes(&record.scenarios[5]).split('"').nth(1),
            Some("deviation")
        );
    }

    #[test]
    fn the_bar_lists_every_requirement_and_tag_once() {
        let mut out = String::new();
        bar(&mut out, &fixture(), Lang::En);
        for req in ["PRV-4", "PRV-99", "RDR-3", "RDR-5", "REG-2", "REG-5"] {
            assert_eq!(
                out.matches(&format!("<option value=\"req-{req}\">"))
                    .count(),
                1,
                "{req}"
            );
        }
        assert_eq!(out.matches("<option value=\"tag-smoke\">").count(), 1);
        assert!(out.contains("id=\"show-deviation\" checked> <span class=\"badge deviation\">expected deviation</span> 1<"));
        assert!(out.contains("<span class=\"scripted\" id=\"f-more\" hidden>"));
    }
}
