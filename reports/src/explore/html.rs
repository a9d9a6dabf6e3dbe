//! The exploration page: one self-contained file with the head, Content-Security-Policy
//! and stylesheet of `report.html` (plus a few rules of its own), no script and no URL.
//! A verdict banner, the facts, every difference found with how it was shrunk, the
//! boundary classes (those no history reached marked) and the step kinds. Every string
//! from the record is escaped.

use std::fmt::Write as _;

use super::ExploreRecord;
use super::labels::{
    FactValue, classes_reached, facts, found_headings, found_title, found_warning, headline,
    nothing_found, outcome, outcome_class, shrink_parts, yes_no,
};
use crate::escape::xml;
use crate::html::{badge, head};
use crate::i18n::pick;
use crate::record::Lang;

/// Rules the run report does not need: the found table's values wrap, its names and paths
/// do not; numbers set right; unreached classes marked like uncovered requirements.
const EXPLORE_STYLE: &str = "\
table.found { width: 100%; }
div.wide { overflow-x: auto; }
table.found td.value { min-width: 8em; white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; }
table.found th { white-space: normal; }
table.found th.num { white-space: nowrap; }
table.found td.shrink { min-width: 11em; }
table.found td.id, table.found td.file, table.found .req { white-space: nowrap; }
table.found td.warning { color: var(--fail); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.classes tr.unreached td { background: #fff1e5; }
table.classes tr.unreached td.num { color: #bc4c00; font-weight: 700; }
p.verdict { font-size: 1.1em; margin: 0.3em 0; }
";

/// The whole page.
pub fn render(record: &ExploreRecord, lang: Lang) -> String {
    let mut out = String::new();
    let title = pick(lang, "onshi 探索レポート", "onshi exploration report");
    head(&mut out, lang, title, EXPLORE_STYLE);
    header(&mut out, record, lang, title);
    out.push_str("<main>\n");
    found(&mut out, record, lang);
    classes(&mut out, record, lang);
    event_kinds(&mut out, record, lang);
    let _ = writeln!(
        out,
        "</main>\n<footer>{} {}</footer>\n</body>\n</html>",
        pick(lang, "作成:", "Written by"),
        xml(&record.tool)
    );
    out
}

fn header(out: &mut String, record: &ExploreRecord, lang: Lang, title: &str) {
    let _ = writeln!(
        out,
        "<header>\n<h1>{title} {}</h1>\n<p class=\"verdict\">{}</p>",
        badge(outcome_class(record), outcome(record, lang)),
        xml(&headline(record, lang))
    );
    let reached = record.boundary_classes.len() - record.unreached_classes().count();
    let _ = writeln!(
        out,
        "<div id=\"summary\" data-found=\"{found}\" data-histories=\"{}\" data-discarded=\"{}\" \
         data-steps=\"{}\" data-visits=\"{}\" data-classes=\"{}\" data-reached=\"{reached}\">\
         <span class=\"count {}\"><b>{found}</b>{}</span>\
         <span class=\"count total\"><b>{}</b>{}</span>\
         <span class=\"count\"><b>{reached}/{}</b>{}</span></div>",
        record.histories,
        record.discarded,
        record.steps,
        record.visits,
        record.boundary_classes.len(),
        if record.found.is_empty() {
            "pass"
        } else {
            "fail"
        },
        pick(lang, "相違", "differences"),
        record.histories,
        pick(lang, "履歴", "histories"),
        record.boundary_classes.len(),
        pick(lang, "境界クラスに到達", "boundary classes reached"),
        found = record.found.len(),
    );
    out.push_str("<dl class=\"meta\">");
    for f in facts(record, lang) {
        let value = match &f.value {
            FactValue::Text(text) => xml(text),
            FactValue::Code(items) => items
                .iter()
                .map(|i| format!("<code>{}</code>", xml(i)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let _ = write!(out, "<dt>{}</dt><dd>{value}</dd>", f.label);
    }
    out.push_str("</dl>\n</header>\n");
}

/// `<code>` around the text, or a muted dash when there is none.
fn code_or_dash(text: Option<&str>) -> String {
    match text {
        Some(t) if !t.is_empty() => format!("<code>{}</code>", xml(t)),
        _ => "<span class=\"muted\">—</span>".to_string(),
    }
}

fn found(out: &mut String, record: &ExploreRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "<section id=\"found\">\n<h2>{} ({})</h2>",
        found_title(lang),
        record.found.len()
    );
    if record.found.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{}</p>\n</section>",
            nothing_found(lang)
        );
        return;
    }
    let h = found_headings(lang);
    let _ = writeln!(
        out,
        "<div class=\"wide\"><table class=\"found\"><thead><tr><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        h.history,
        h.check,
        h.visit,
        h.expected,
        h.actual,
        h.requirements,
        h.file,
        h.shrink,
        h.reproduces,
        h.passes_reference
    );
    for f in &record.found {
        let reproduces = badge(
            if f.reproduces { "pass" } else { "fail" },
            yes_no(f.reproduces, lang),
        );
        let passes = match f.passes_reference {
            Some(p) => badge(if p { "pass" } else { "fail" }, yes_no(p, lang)),
            None => "<span class=\"muted\">—</span>".to_string(),
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"id\"><code>{}</code></td>\
             <td class=\"id\">{}</td><td class=\"value\">{}</td><td class=\"value\">{}</td>\
             <td>{}</td><td class=\"file\"><code>{}</code></td><td class=\"shrink\">{}</td><td>{reproduces}</td>\
             <td>{passes}</td></tr>",
            f.history,
            xml(&f.check),
            code_or_dash(f.visit.as_deref()),
            code_or_dash(Some(&f.expected)),
            code_or_dash(Some(&f.actual)),
            f.requirements
                .iter()
                .map(|r| format!("<span class=\"req\">{}</span>", xml(r)))
                .collect::<Vec<_>>()
                .join(", "),
            xml(&f.file),
            shrink_parts(f, lang)
                .iter()
                .map(|p| format!("<span>{}</span>", xml(p)))
                .collect::<Vec<_>>()
                .join("<br>"),
        );
        if let Some(warning) = found_warning(f, lang) {
            let _ = writeln!(
                out,
                "<tr><td></td><td class=\"warning\" colspan=\"9\">{}: <code>{}</code></td></tr>",
                warning,
                xml(&f.file)
            );
        }
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

fn classes(out: &mut String, record: &ExploreRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "<section id=\"classes\">\n<h2>{}</h2>\n<p class=\"muted\">{}</p>\n\
         <table class=\"classes\"><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
        pick(lang, "境界クラス", "Boundary classes"),
        xml(&classes_reached(record, lang)),
        pick(lang, "クラス", "Class"),
        pick(lang, "到達した履歴", "Histories that reached it"),
    );
    for (class, n) in &record.boundary_classes {
        if *n == 0 {
            let _ = writeln!(
                out,
                "<tr class=\"unreached\"><td><code>{}</code></td><td class=\"num\">0 ({})</td></tr>",
                xml(class),
                pick(lang, "未到達", "not reached")
            );
        } else {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{n}</td></tr>",
                xml(class)
            );
        }
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn event_kinds(out: &mut String, record: &ExploreRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "<section id=\"events\">\n<h2>{}</h2>\n\
         <table class=\"events\"><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
        pick(lang, "ステップの種類", "Step kinds"),
        pick(lang, "種類", "Kind"),
        pick(lang, "ステップ", "Steps"),
    );
    for (kind, n) in &record.event_kinds {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"num\">{n}</td></tr>",
            xml(kind)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::fixture::fixture;
    use crate::html::CSP;

    #[test]
    fn no_url_no_script_and_the_run_reports_policy() {
        let mut record = fixture();
        record.found[1].actual = "<script>alert(\"x\")</script>".into();
        record.target = "<img src=x onerror=alert(1)>".into();
        for lang in [Lang::Ja, Lang::En] {
            let plain = render(&fixture(), lang);
            assert!(!plain.contains("http://") && !plain.contains("https://"));
            assert!(!plain.contains("src=") && !plain.contains("url("));
            let page = render(&record, lang);
            assert!(!page.contains("<script") && !page.contains("<img"));
            assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
            assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
            assert!(page.contains(&format!("content=\"{CSP}\"")));
            assert!(page.starts_with("<!DOCTYPE html>\n"));
            assert!(page.ends_with("</html>\n"));
        }
    }

    #[test]
    fn every_difference_has_a_row_and_a_broken_file_a_warning() {
        let page = render(&fixture(), Lang::En);
        assert!(page.contains("<code>found/provider-charged-h12.yaml</code>"));
        assert!(page.contains(
            "<td class=\"warning\" colspan=\"9\">the written file does not reproduce it: \
             <code>found/requests-sent-h57.yaml</code>"
        ));
        assert_eq!(page.matches("class=\"warning\"").count(), 1);
        assert!(page.contains("<span class=\"badge fail\">DIFFERENCES FOUND</span>"));
    }

    #[test]
    fn unreached_classes_are_marked() {
        let page = render(&fixture(), Lang::Ja);
        assert!(page.contains(
            "<tr class=\"unreached\"><td><code>insurer.change_mid_month</code></td>\
             <td class=\"num\">0 (未到達)</td></tr>"
        ));
        assert_eq!(page.matches("class=\"unreached\"").count(), 1);
        assert!(page.contains("境界クラス 4 件中 3 件に到達"));
    }

    #[test]
    fn nothing_found_says_so_and_passes() {
        let mut record = fixture();
        record.found.clear();
        let page = render(&record, Lang::En);
        assert!(page.contains("<span class=\"badge pass\">NOTHING FOUND</span>"));
        assert!(page.contains("No difference was found."));
        assert!(!page.contains("<table class=\"found\">"));
    }

    #[test]
    fn a_partial_exploration_is_marked() {
        let mut record = fixture();
        record.found.clear();
        record.partitions = vec!["hash:1/2".into()];
        record.missing_partitions = vec!["hash:2/2".into()];
        let page = render(&record, Lang::En);
        assert!(page.contains("<span class=\"badge review\">PARTIAL, NOTHING FOUND</span>"));
        assert!(page.contains("<dt>Missing partitions</dt><dd><code>hash:2/2</code></dd>"));
    }
}
