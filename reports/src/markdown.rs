//! `summary.md`: the run for a pull request comment or a certification file — headline
//! counts, the scenario table, what failed, the expected deviations on their own, the
//! traceability matrix and the file hashes.
//!
//! Identifiers and values are code spans (shown literally); prose from the record is
//! backslash-escaped, so nothing a system under test returns can turn into markup.

use std::fmt::Write as _;

use crate::escape::{markdown as md, markdown_code as code, truncate};
use crate::i18n::{deviation, outcome, partial_rows, pick, roles_line, summary_line};
use crate::record::{Check, Lang, Requirement, RunRecord, ScenarioRecord, Verdict};
use crate::traceability::{MatrixRow, matrix};

/// Longest expected or actual value written.
const VALUE_MAX: usize = 200;

/// The summary in `lang`, ending with a newline.
pub fn render(record: &RunRecord, lang: Lang) -> String {
    let mut out = String::new();
    header(&mut out, record, lang);
    scenarios(&mut out, record, lang);
    failing(&mut out, record, lang);
    deviations(&mut out, record, lang);
    reviews_and_skips(&mut out, record, lang);
    traceability(&mut out, record, lang);
    files(&mut out, record, lang);
    out
}

fn header(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "# {}\n\n**{}** — {}\n",
        pick(lang, "onshi 実行結果", "onshi run summary"),
        outcome(record, lang),
        summary_line(&record.summary(), lang)
    );
    let _ = writeln!(
        out,
        "| {} | {} |\n|---|---|",
        pick(lang, "項目", "Item"),
        pick(lang, "値", "Value")
    );
    let mut rows = vec![
        (pick(lang, "ツール", "Tool"), md(&record.tool)),
        (pick(lang, "シード", "Seed"), record.seed.to_string()),
        (pick(lang, "役割", "Roles"), roles_line(record, lang, code)),
    ];
    if !record.partitions.is_empty() {
        rows.push((
            pick(lang, "分割", "Partitions"),
            record
                .partitions
                .iter()
                .map(|p| code(p))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    for (k, v) in partial_rows(record, lang) {
        rows.push((k, md(&v)));
    }
    if let Some(t) = &record.timing {
        rows.push((
            pick(lang, "開始", "Started"),
            format!(
                "{} ({} {}.{:03} s)",
                md(&t.started_at),
                pick(lang, "所要", "took"),
                t.elapsed_ms / 1000,
                t.elapsed_ms % 1000
            ),
        ));
    }
    for (k, v) in rows {
        let _ = writeln!(out, "| {k} | {v} |");
    }
    out.push('\n');
}

fn scenarios(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = writeln!(out, "## {}\n", pick(lang, "シナリオ", "Scenarios"));
    if record.scenarios.is_empty() {
        let _ = writeln!(out, "{}\n", pick(lang, "なし。", "None."));
        return;
    }
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |\n|---|---|---|---|---|",
        pick(lang, "シナリオ", "Scenario"),
        pick(lang, "タイトル", "Title"),
        pick(lang, "判定", "Verdict"),
        pick(lang, "合格チェック", "Checks passed"),
        pick(lang, "要件", "Requirements"),
    );
    for sc in &record.scenarios {
        let passed = sc
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Pass)
            .count();
        let verdict = if sc.verdict == Verdict::Fail && !sc.is_expected_deviation() {
            format!("**{}**", sc.verdict_label(lang))
        } else {
            sc.verdict_label(lang).to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {verdict} | {passed}/{} | {} |",
            code(&sc.id),
            md(sc.title.get(lang)),
            sc.checks.len(),
            md(&sc.requirements.join(", "))
        );
    }
    out.push('\n');
}

/// One check as a list item: name, place, expected vs actual, requirements, note.
fn check_item(out: &mut String, sc: &ScenarioRecord, check: &Check, lang: Lang) {
    let step = match check.step {
        Some(n) => format!(
            "{}{} {n}",
            pick(lang, "、", ", "),
            pick(lang, "ステップ", "step")
        ),
        None => String::new(),
    };
    let ids = sc.requirements_of(check);
    let ids = if ids.is_empty() {
        pick(lang, "要件の指定なし", "no requirement cited").to_string()
    } else {
        md(&ids.join(", "))
    };
    let _ = writeln!(
        out,
        "- {} ({}{step}): {} {}{}{} {} — {ids}",
        code(&check.name),
        code(&check.at),
        pick(lang, "期待", "expected"),
        code(&truncate(&check.expected, VALUE_MAX)),
        pick(lang, "、", ", "),
        pick(lang, "実際", "actual"),
        code(&truncate(&check.actual, VALUE_MAX)),
    );
    if let Some(note) = &check.note {
        let _ = writeln!(out, "  - {}", md(note));
    }
}

fn scenario_heading(out: &mut String, sc: &ScenarioRecord, lang: Lang) {
    let title = sc.title.get(lang);
    if title.is_empty() {
        let _ = writeln!(out, "### {}\n", code(&sc.id));
    } else {
        let _ = writeln!(out, "### {} — {}\n", code(&sc.id), md(title));
    }
}

fn failing(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = writeln!(out, "## {}\n", pick(lang, "不合格", "Failures"));
    let failed: Vec<&ScenarioRecord> = record
        .scenarios
        .iter()
        .filter(|s| s.verdict == Verdict::Fail && !s.is_expected_deviation())
        .collect();
    if failed.is_empty() {
        let _ = writeln!(out, "{}\n", pick(lang, "なし。", "None."));
        return;
    }
    for sc in failed {
        scenario_heading(out, sc, lang);
        if let Some(error) = &sc.error {
            let _ = writeln!(
                out,
                "- **{}**: {}",
                pick(lang, "エラー", "Error"),
                md(error)
            );
        }
        for check in sc.checks.iter().filter(|c| c.verdict == Verdict::Fail) {
            check_item(out, sc, check, lang);
        }
        out.push('\n');
    }
}

fn deviations(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "## {}\n",
        pick(lang, "想定内の逸脱", "Expected deviations")
    );
    let listed: Vec<&ScenarioRecord> = record
        .scenarios
        .iter()
        .filter(|s| s.expected_deviation.is_some())
        .collect();
    if listed.is_empty() {
        let _ = writeln!(out, "{}\n", pick(lang, "なし。", "None."));
        return;
    }
    let _ = writeln!(
        out,
        "{}\n",
        pick(
            lang,
            "一覧に載っているため、次の不合格は実行全体の判定に含めません。",
            "These scenarios are listed as expected deviations; their failures do not fail the run."
        )
    );
    for sc in listed {
        scenario_heading(out, sc, lang);
        let reason = sc.expected_deviation.as_deref().unwrap_or_default();
        let _ = writeln!(out, "- {}: {}", pick(lang, "理由", "Reason"), md(reason));
        if sc.is_expected_deviation() {
            if let Some(error) = &sc.error {
                let _ = writeln!(out, "- {}: {}", pick(lang, "エラー", "Error"), md(error));
            }
            for check in sc.checks.iter().filter(|c| c.verdict == Verdict::Fail) {
                check_item(out, sc, check, lang);
            }
        } else {
            let _ = writeln!(
                out,
                "- {} ({})",
                pick(
                    lang,
                    "今回は不合格になりませんでした。一覧から外せるか確認してください",
                    "This run did not fail; check whether it can leave the list"
                ),
                sc.verdict_label(lang)
            );
        }
        out.push('\n');
    }
}

fn reviews_and_skips(out: &mut String, record: &RunRecord, lang: Lang) {
    let reviews: Vec<(&ScenarioRecord, &Check)> = record
        .scenarios
        .iter()
        .flat_map(|sc| sc.checks.iter().map(move |c| (sc, c)))
        .filter(|(_, c)| c.verdict == Verdict::Review)
        .collect();
    if !reviews.is_empty() {
        let _ = writeln!(out, "## {}\n", pick(lang, "要確認", "To review"));
        for (sc, check) in reviews {
            let _ = writeln!(out, "- {}", code(&sc.id));
            let mut item = String::new();
            check_item(&mut item, sc, check, lang);
            for line in item.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        out.push('\n');
    }
    let skipped: Vec<&ScenarioRecord> = record
        .scenarios
        .iter()
        .filter(|s| s.verdict == Verdict::Skip)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "## {}\n", pick(lang, "スキップ", "Skipped"));
        for sc in skipped {
            let reason = sc
                .skip_reason
                .as_deref()
                .map_or_else(|| pick(lang, "理由なし", "no reason given").to_string(), md);
            let _ = writeln!(out, "- {}: {reason}", code(&sc.id));
        }
        out.push('\n');
    }
}

fn requirement_text(req: &Requirement, lang: Lang) -> &str {
    let (first, second) = match lang {
        Lang::Ja => (&req.ja, &req.en),
        Lang::En => (&req.en, &req.ja),
    };
    if first.is_empty() { second } else { first }
}

fn traceability(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "## {}\n\n| {} | {} | {} | {} |\n|---|---|---|---|",
        pick(lang, "要件トレーサビリティ", "Requirement traceability"),
        pick(lang, "要件", "Requirement"),
        pick(lang, "内容", "Text"),
        pick(lang, "シナリオ", "Scenarios"),
        pick(lang, "判定", "Verdict"),
    );
    for row in matrix(record) {
        let text = match &row.requirement {
            Some(req) => md(requirement_text(req, lang)),
            None => format!(
                "*{}*",
                pick(lang, "カタログにない要件", "not in the catalog")
            ),
        };
        let _ = writeln!(
            out,
            "| {} | {text} | {} | {} |",
            md(&row.id),
            citations(&row, lang),
            match row.verdict() {
                None => format!("**{}**", pick(lang, "未カバー", "uncovered")),
                Some(_) if row.fails_only_as_expected() => deviation(lang).to_string(),
                Some(v) => v.label(lang).to_string(),
            }
        );
    }
    out.push('\n');
}

fn citations(row: &MatrixRow, lang: Lang) -> String {
    if row.scenarios.is_empty() {
        return "—".to_string();
    }
    row.scenarios
        .iter()
        .map(|c| {
            let label = if c.expected_deviation {
                deviation(lang)
            } else {
                c.verdict.label(lang)
            };
            format!("{} ({label})", code(&c.scenario))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn files(out: &mut String, record: &RunRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "## {}\n\n| {} | SHA-256 |\n|---|---|",
        pick(lang, "ファイル", "Files"),
        pick(lang, "パス", "Path"),
    );
    for f in &record.files {
        let _ = writeln!(out, "| {} | {} |", code(&f.path), code(&f.sha256));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn uncovered_requirements_are_marked() {
        let out = render(&fixture(), Lang::En);
        let row = out.lines().find(|l| l.starts_with("| JLIS-1 |")).unwrap();
        assert!(row.ends_with("| — | **uncovered** |"), "{row}");
        let out = render(&fixture(), Lang::Ja);
        let row = out.lines().find(|l| l.starts_with("| JLIS-1 |")).unwrap();
        assert!(row.contains("**未カバー**"), "{row}");
    }

    #[test]
    fn a_deviation_is_not_listed_under_failures() {
        let out = render(&fixture(), Lang::En);
        let failures = &out[out.find("## Failures").unwrap()..out.find("## Expected").unwrap()];
        assert!(!failures.contains("registry/outage-fallback"));
        assert!(failures.contains("eligibility/lost-coverage"));
        let deviations = &out[out.find("## Expected").unwrap()..];
        assert!(deviations.contains("vendor ticket 123"));
    }

    #[test]
    fn pipes_in_values_do_not_break_tables() {
        let mut record = fixture();
        record.scenarios[0].title.en = Some("a | b".into());
        let out = render(&record, Lang::En);
        let row = out
            .lines()
            .find(|l| l.contains("`card/face-ok` |"))
            .unwrap();
        let unescaped = row
            .char_indices()
            .filter(|&(i, c)| c == '|' && !row[..i].ends_with('\\'))
            .count();
        assert_eq!(unescaped, 6, "{row}");
    }
}
