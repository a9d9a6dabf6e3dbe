//! `report.html`: one self-contained page — inline CSS and SVG, one small inline script,
//! no external URL — that a vendor can attach to a ticket or open from a CI artifact.
//!
//! Failed and review scenarios open expanded, the others collapsed in `<details>`. The
//! filter bar (`filters`) hides scenarios by verdict through CSS `:has()` and, when the
//! inline script runs, by requirement, tag and text; without script every scenario shows.
//! A Content-Security-Policy in the page forbids every fetch, so even the script cannot
//! reach the network. Check tables give the width to expected and actual (`checks`).
//! Text is set in a Japanese-capable font stack (`style.css`). Every string from the
//! record is escaped.

mod checks;
mod filters;
mod sequence;

use std::fmt::Write as _;

use crate::escape::{anchor, xml};
use crate::i18n::{deviation, outcome, partial_rows, pick};
use crate::record::{Lang, RunRecord, ScenarioRecord};
use crate::traceability::{MatrixRow, matrix};

pub(crate) const STYLE: &str = include_str!("style.css");

/// Nothing may be fetched; only the inline style and script run.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   base-uri 'none'; form-action 'none'";

/// The whole page.
pub fn render(record: &RunRecord, lang: Lang) -> String {
    let mut out = String::new();
    let title = pick(lang, "onshi 実行レポート", "onshi run report");
    head(&mut out, lang, title, "");
    header(&mut out, record, lang, title);
    filters::bar(&mut out, record, lang);
    let _ = writeln!(
        out,
        "<main>\n<section id=\"scenarios\">\n<h2>{} ({})</h2>\n{}",
        pick(lang, "シナリオ", "Scenarios"),
        record.scenarios.len(),
        filters::no_match(lang)
    );
    for sc in &record.scenarios {
        scenario(&mut out, sc, lang);
    }
    out.push_str("</section>\n");
    traceability(&mut out, record, lang);
    files(&mut out, record, lang);
    let _ = writeln!(
        out,
        "</main>\n<footer>{} {}</footer>\n<script>\n{}</script>\n</body>\n</html>",
        pick(lang, "作成:", "Written by"),
        xml(&record.tool),
        filters::SCRIPT
    );
    out
}

/// The page up to and including `<body>`: language, the CSP, the title (one of our labels,
/// not record text) and [`STYLE`] followed by `extra_style`. Shared with the exploration
/// page so both look alike and fetch nothing.
pub(crate) fn head(out: &mut String, lang: Lang, title: &str, extra_style: &str) {
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}{extra_style}</style>\n</head>\n<body>",
        pick(lang, "ja", "en")
    );
}

/// A verdict pill: `class` is a verdict name (`pass`, `fail`, …) for its colour.
pub(crate) fn badge(class: &str, label: &str) -> String {
    format!("<span class=\"badge {class}\">{}</span>", xml(label))
}

/// CSS class and label of a scenario's verdict; a listed failure shows as a deviation.
fn scenario_badge(sc: &ScenarioRecord, lang: Lang) -> (&'static str, String) {
    let class = filters::verdict_class(sc);
    (class, badge(class, sc.verdict_label(lang)))
}

fn header(out: &mut String, record: &RunRecord, lang: Lang, title: &str) {
    let s = record.summary();
    let verdict = if record.is_partial() {
        "review"
    } else if record.passed() {
        "pass"
    } else {
        "fail"
    };
    let _ = writeln!(
        out,
        "<header>\n<h1>{title} {}</h1>",
        badge(verdict, outcome(record, lang))
    );
    let counts: [(&str, usize, &str, &str); 6] = [
        ("total", s.scenarios, "シナリオ", "scenarios"),
        ("pass", s.passed, "合格", "passed"),
        ("fail", s.failed, "不合格", "failed"),
        ("skip", s.skipped, "スキップ", "skipped"),
        ("review", s.review, "要確認", "to review"),
        (
            "deviation",
            s.deviations,
            "想定内の逸脱",
            "expected deviations",
        ),
    ];
    let _ = write!(
        out,
        "<div id=\"summary\" data-scenarios=\"{}\" data-passed=\"{}\" data-failed=\"{}\" \
         data-skipped=\"{}\" data-review=\"{}\" data-deviations=\"{}\">",
        s.scenarios, s.passed, s.failed, s.skipped, s.review, s.deviations
    );
    for (class, n, ja, en) in counts {
        let _ = write!(
            out,
            "<span class=\"count {class}\"><b>{n}</b>{}</span>",
            pick(lang, ja, en)
        );
    }
    let _ = writeln!(
        out,
        "<span class=\"count checks\"><b>{}</b>{}</span>\
         <span class=\"count requirements\"><b>{}/{}</b>{}</span></div>",
        s.checks,
        xml(&match lang {
            Lang::Ja => format!("チェック (不合格 {})", s.failed_checks),
            Lang::En => format!("checks ({} failed)", s.failed_checks),
        }),
        s.covered_requirements,
        s.requirements,
        pick(lang, "要件をカバー", "requirements covered")
    );
    let r = &record.roles;
    let mut meta = vec![
        (pick(lang, "ツール", "Tool"), xml(&record.tool)),
        (pick(lang, "シード", "Seed"), record.seed.to_string()),
        (
            pick(lang, "医療機関・薬局", "Provider"),
            format!("<code>{}</code>", xml(&r.provider)),
        ),
        (
            pick(lang, "端末", "Terminal"),
            format!("<code>{}</code>", xml(&r.terminal)),
        ),
        (
            pick(lang, "資格確認システム", "Registry"),
            format!("<code>{}</code>", xml(&r.registry)),
        ),
    ];
    if !record.partitions.is_empty() {
        meta.push((
            pick(lang, "分割", "Partitions"),
            xml(&record.partitions.join(", ")),
        ));
    }
    for (k, v) in partial_rows(record, lang) {
        meta.push((k, xml(&v)));
    }
    if let Some(t) = &record.timing {
        meta.push((
            pick(lang, "開始", "Started"),
            format!(
                "{} ({} {}.{:03} s)",
                xml(&t.started_at),
                pick(lang, "所要", "took"),
                t.elapsed_ms / 1000,
                t.elapsed_ms % 1000
            ),
        ));
    }
    out.push_str("<dl class=\"meta\">");
    for (k, v) in meta {
        let _ = write!(out, "<dt>{k}</dt><dd>{v}</dd>");
    }
    out.push_str("</dl>\n</header>\n");
}

fn requirement_links(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("<a href=\"#{}\">{}</a>", anchor("req-", id), xml(id)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn scenario(out: &mut String, sc: &ScenarioRecord, lang: Lang) {
    let (class, badge) = scenario_badge(sc, lang);
    let problem = class == "fail" || class == "review";
    let _ = writeln!(
        out,
        "<section class=\"scenario v-{class}\" id=\"{}\"{}>\n<details{}>\n<summary>{badge} \
         <code>{}</code><span class=\"title\">{}</span></summary>\n<div class=\"body\">",
        anchor("sc-", &sc.id),
        filters::attributes(sc),
        if problem { " open" } else { "" },
        xml(&sc.id),
        xml(sc.title.get(lang))
    );
    let _ = writeln!(
        out,
        "<dl class=\"facts\"><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{}</dd>\
         <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        pick(lang, "ファイル", "File"),
        xml(&sc.file),
        pick(lang, "シード", "Seed"),
        sc.seed,
        pick(lang, "要件", "Requirements"),
        requirement_links(&sc.requirements),
        pick(lang, "タグ", "Tags"),
        xml(&sc.tags.join(", "))
    );
    if let Some(error) = &sc.error {
        let _ = writeln!(
            out,
            "<p class=\"error\">{}: {}</p>",
            pick(lang, "エラー", "Error"),
            xml(error)
        );
    }
    if let Some(reason) = &sc.expected_deviation {
        let _ = writeln!(
            out,
            "<p class=\"deviation\">{}: {}</p>",
            deviation(lang),
            xml(reason)
        );
    }
    if let Some(reason) = &sc.skip_reason {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{}: {}</p>",
            pick(lang, "スキップの理由", "Skipped because"),
            xml(reason)
        );
    }
    checks::table(out, sc, lang);
    let _ = writeln!(
        out,
        "<details class=\"trace\"{}><summary>{} ({})</summary>\n{}</details>",
        if problem { " open" } else { "" },
        pick(lang, "メッセージの流れ", "Message trace"),
        sc.trace.len(),
        sequence::diagram(&sc.trace, lang)
    );
    out.push_str("</div>\n</details>\n</section>\n");
}

fn traceability(out: &mut String, record: &RunRecord, lang: Lang) {
    let rows = matrix(record);
    let uncovered = rows.iter().filter(|r| !r.covered).count();
    let _ = writeln!(
        out,
        "<section id=\"traceability\">\n<h2>{}</h2>\n<p class=\"muted\">{}</p>\n\
         <table class=\"matrix\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th></tr></thead><tbody>",
        pick(lang, "要件トレーサビリティ", "Requirement traceability"),
        xml(&match lang {
            Lang::Ja => format!("どのシナリオも引用していない要件: {uncovered} 件"),
            Lang::En => format!("Requirements no scenario cites: {uncovered}"),
        }),
        pick(lang, "要件", "Requirement"),
        pick(lang, "分野", "Area"),
        pick(lang, "内容", "Text"),
        pick(lang, "出典", "Source"),
        pick(lang, "シナリオ", "Scenarios"),
        pick(lang, "判定", "Verdict"),
    );
    for row in &rows {
        matrix_row(out, row, lang);
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn matrix_row(out: &mut String, row: &MatrixRow, lang: Lang) {
    let class = match (&row.requirement, row.covered) {
        (None, _) => "unknown",
        (Some(_), false) => "uncovered",
        (Some(_), true) => "covered",
    };
    let (area, text, source) = match &row.requirement {
        Some(req) => {
            let text = match lang {
                Lang::Ja if !req.ja.is_empty() => &req.ja,
                Lang::En if !req.en.is_empty() => &req.en,
                Lang::Ja => &req.en,
                Lang::En => &req.ja,
            };
            (xml(&req.area), xml(text), xml(&req.source))
        }
        None => (
            String::new(),
            pick(lang, "カタログにない要件", "Not in the requirement catalog").to_string(),
            String::new(),
        ),
    };
    let scenarios = row
        .scenarios
        .iter()
        .map(|c| {
            let (class, label) = if c.expected_deviation {
                ("deviation", deviation(lang))
            } else {
                (c.verdict.name(), c.verdict.label(lang))
            };
            format!(
                "<a href=\"#{}\"><code>{}</code></a> {}",
                anchor("sc-", &c.scenario),
                xml(&c.scenario),
                badge(class, label)
            )
        })
        .collect::<Vec<_>>()
        .join("<br>");
    let verdict = match row.verdict() {
        Some(_) if row.fails_only_as_expected() => badge("deviation", deviation(lang)),
        Some(v) => badge(v.name(), v.label(lang)),
        None => xml(pick(lang, "未カバー", "uncovered")),
    };
    let _ = writeln!(
        out,
        "<tr class=\"{class}\" id=\"{}\"><td><code>{}</code></td><td>{area}</td><td>{text}</td>\
         <td>{source}</td><td>{scenarios}</td><td class=\"verdict\">{verdict}</td></tr>",
        anchor("req-", &row.id),
        xml(&row.id)
    );
}

fn files(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "<section id=\"files\">\n<h2>{} ({})</h2>\n<details>\n<summary>{}</summary>\n\
         <table><thead><tr><th>{}</th><th>SHA-256</th></tr></thead><tbody>",
        pick(lang, "ファイル", "Files"),
        record.files.len(),
        pick(
            lang,
            "読み込んだファイルの SHA-256",
            "SHA-256 of every file read"
        ),
        pick(lang, "パス", "Path"),
    );
    for f in &record.files {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>",
            xml(&f.path),
            xml(&f.sha256)
        );
    }
    out.push_str("</tbody></table>\n</details>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn no_external_urls_and_only_the_filter_script() {
        for lang in [Lang::Ja, Lang::En] {
            let page = render(&fixture(), lang);
            assert!(!page.contains("http://") && !page.contains("https://"));
            assert!(!page.contains("src=") && !page.contains("url("));
            assert_eq!(
                page.matches("<script").count(),
                1,
                "hostile text must be escaped"
            );
            assert!(page.contains(&format!("<script>\n{}</script>", filters::SCRIPT)));
            assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
            assert!(page.contains(&format!("content=\"{CSP}\"")));
        }
    }

    #[test]
    fn without_script_every_scenario_shows() {
        let page = render(&fixture(), Lang::Ja);
        let hidden: Vec<&str> = page.lines().filter(|l| l.contains(" hidden")).collect();
        // Only the scripted controls and the no-match line wait for the script.
        assert_eq!(hidden.len(), 2, "{hidden:?}");
        assert!(hidden[0].starts_with("<span class=\"scripted\" id=\"f-more\" hidden>"));
        assert!(hidden[1].starts_with("<p id=\"no-match\""));
        assert_eq!(
            page.matches("\" checked>").count(),
            5,
            "every verdict shown"
        );
    }

    #[test]
    fn every_scenario_has_a_section_and_the_summary_counts() {
        let record = fixture();
        let page = render(&record, Lang::En);
        for sc in &record.scenarios {
            assert!(page.contains(&format!("id=\"{}\"", anchor("sc-", &sc.id))));
        }
        assert!(page.contains(
            "<div id=\"summary\" data-scenarios=\"6\" data-passed=\"1\" data-failed=\"2\" \
             data-skipped=\"1\" data-review=\"1\" data-deviations=\"1\">"
        ));
    }

    #[test]
    fn uncovered_and_unknown_requirements_are_classed() {
        let page = render(&fixture(), Lang::Ja);
        assert!(page.contains("<tr class=\"uncovered\" id=\"req-JLIS-1\">"));
        assert!(page.contains("<tr class=\"uncovered\" id=\"req-CARD-2\">"));
        assert!(page.contains("<tr class=\"unknown\" id=\"req-PRV-99\">"));
    }

    #[test]
    fn requirement_links_have_targets() {
        let page = render(&fixture(), Lang::En);
        let mut rest = page.as_str();
        while let Some(i) = rest.find("href=\"#") {
            rest = &rest[i + 7..];
            let target = &rest[..rest.find('"').unwrap()];
            assert!(
                page.contains(&format!("id=\"{target}\"")),
                "no target {target}"
            );
        }
    }

    #[test]
    fn only_problem_scenarios_open() {
        let page = render(&fixture(), Lang::En);
        assert_eq!(
            page.matches("<details open>").count(),
            3,
            "2 failures + 1 review"
        );
    }
}
