//! The compact summary printed at the end of `onshi run`: what failed and where to look,
//! then one counts line. Passing and skipped scenarios only show in the counts.
//!
//! Every string from the record goes through `escape::terminal`, so a system under test
//! cannot move the cursor or recolour the screen through its answers.

use std::fmt::Write as _;

use crate::escape::{terminal as clean, truncate};
use crate::i18n::{outcome, pick, summary_line};
use crate::record::{Check, Lang, RunRecord, ScenarioRecord, Verdict};

/// Longest expected or actual value printed.
const VALUE_MAX: usize = 120;

#[derive(Clone, Copy)]
enum Style {
    Red,
    Green,
    Yellow,
    Dim,
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, bold: bool, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match style {
            Style::Red => "31",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Dim => "2",
        };
        let bold = if bold { "1;" } else { "" };
        format!("\x1b[{bold}{code}m{text}\x1b[0m")
    }
}

/// The summary as lines of text; ANSI colours only when `color` is true.
pub fn render(record: &RunRecord, lang: Lang, color: bool) -> String {
    let p = Painter { color };
    let mut out = String::new();
    for sc in &record.scenarios {
        if sc.is_expected_deviation() {
            let failing = sc
                .checks
                .iter()
                .filter(|c| c.verdict == Verdict::Fail)
                .count();
            let _ = writeln!(
                out,
                "{} {}: {} ({})",
                p.paint(Style::Yellow, true, pick(lang, "想定内の逸脱", "DEVIATION")),
                clean(&sc.id),
                clean(sc.expected_deviation.as_deref().unwrap_or_default()),
                match lang {
                    Lang::Ja => format!("不合格のチェック {failing} 件"),
                    Lang::En if failing == 1 => "1 failing check".to_string(),
                    Lang::En => format!("{failing} failing checks"),
                }
            );
            continue;
        }
        match sc.verdict {
            Verdict::Fail => {
                heading(
                    &mut out,
                    &p,
                    sc,
                    lang,
                    Style::Red,
                    pick(lang, "不合格", "FAIL"),
                );
                if let Some(error) = &sc.error {
                    // Multi-line errors (an adapter's stderr) keep their lines, each cleaned.
                    let text = error.lines().map(clean).collect::<Vec<_>>().join("\n    ");
                    let _ = writeln!(
                        out,
                        "  {} {}: {}",
                        p.paint(Style::Red, true, "!"),
                        pick(lang, "エラー", "error"),
                        text
                    );
                }
                for check in sc.checks.iter().filter(|c| c.verdict == Verdict::Fail) {
                    failing_check(&mut out, &p, sc, check, lang);
                }
            }
            Verdict::Review => {
                heading(
                    &mut out,
                    &p,
                    sc,
                    lang,
                    Style::Yellow,
                    pick(lang, "要確認", "REVIEW"),
                );
                for check in sc.checks.iter().filter(|c| c.verdict == Verdict::Review) {
                    let _ = writeln!(
                        out,
                        "  {} {}: {} {}",
                        p.paint(Style::Yellow, true, "?"),
                        clean(&check.name),
                        clean(check.note.as_deref().unwrap_or(&check.expected)),
                        p.paint(Style::Dim, false, &format!("({})", clean(&check.at)))
                    );
                }
            }
            Verdict::Pass if sc.expected_deviation.is_some() => {
                let _ = writeln!(
                    out,
                    "{} {}: {}",
                    p.paint(Style::Yellow, true, pick(lang, "注意", "NOTE")),
                    clean(&sc.id),
                    pick(
                        lang,
                        "想定内の逸脱に載っていますが合格しました。一覧から外してください",
                        "listed as an expected deviation but passed; remove it from the list"
                    )
                );
            }
            Verdict::Pass | Verdict::Skip => {}
        }
    }
    let style = if record.passed() {
        Style::Green
    } else {
        Style::Red
    };
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} {}",
        p.paint(style, true, outcome(record, lang)),
        summary_line(&record.summary(), lang)
    );
    out
}

fn heading(
    out: &mut String,
    p: &Painter,
    sc: &ScenarioRecord,
    lang: Lang,
    style: Style,
    word: &str,
) {
    let title = sc.title.get(lang);
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(" — {}", clean(title))
    };
    let _ = writeln!(
        out,
        "{} {}{title} {}",
        p.paint(style, true, word),
        p.paint(style, false, &clean(&sc.id)),
        p.paint(Style::Dim, false, &format!("({})", clean(&sc.file)))
    );
}

fn failing_check(out: &mut String, p: &Painter, sc: &ScenarioRecord, check: &Check, lang: Lang) {
    let ids = sc.requirements_of(check);
    let ids = if ids.is_empty() {
        String::new()
    } else {
        format!(" [{}]", clean(&ids.join(", ")))
    };
    let expected = clean(&truncate(&check.expected, VALUE_MAX));
    let actual = clean(&truncate(&check.actual, VALUE_MAX));
    let values = match lang {
        Lang::Ja => format!("期待 `{expected}`、実際 `{actual}`"),
        Lang::En => format!("expected `{expected}`, actual `{actual}`"),
    };
    let _ = writeln!(
        out,
        "  {} {}: {values}{ids} {}",
        p.paint(Style::Red, true, "✗"),
        clean(&check.name),
        p.paint(Style::Dim, false, &format!("({})", clean(&check.at)))
    );
    if let Some(note) = &check.note {
        let _ = writeln!(out, "      {}", clean(note));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn no_escape_codes_without_colour() {
        let out = render(&fixture(), Lang::En, false);
        assert!(!out.contains('\x1b'), "{out}");
    }

    #[test]
    fn colour_marks_the_outcome() {
        let out = render(&fixture(), Lang::En, true);
        assert!(out.contains("\x1b[1;31mFAIL\x1b[0m 6 scenarios"), "{out}");
        let mut record = fixture();
        record
            .scenarios
            .retain(|s| s.verdict != Verdict::Fail || s.is_expected_deviation());
        let out = render(&record, Lang::En, true);
        assert!(out.contains("\x1b[1;32mPASS\x1b[0m"), "{out}");
    }

    #[test]
    fn escape_sequences_from_a_system_under_test_are_shown_not_obeyed() {
        let mut record = fixture();
        record.scenarios[2].checks[0].actual = "\x1b[2Jcleared".to_string();
        let out = render(&record, Lang::En, false);
        assert!(out.contains("\\u{1b}[2Jcleared"), "{out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn a_deviation_that_passes_is_pointed_out() {
        let mut record = fixture();
        let outage = &mut record.scenarios[5];
        outage.verdict = Verdict::Pass;
        outage.checks[0].verdict = Verdict::Pass;
        let out = render(&record, Lang::En, false);
        assert!(
            out.contains(
                "NOTE registry/outage-fallback: listed as an expected deviation but passed"
            ),
            "{out}"
        );
    }

    #[test]
    fn every_failing_check_has_a_line_with_its_location() {
        let record = fixture();
        let out = render(&record, Lang::Ja, false);
        for sc in record
            .scenarios
            .iter()
            .filter(|s| !s.is_expected_deviation())
        {
            for c in sc.checks.iter().filter(|c| c.verdict == Verdict::Fail) {
                assert!(
                    out.lines()
                        .any(|l| l.contains(&c.name) && l.contains(&c.at)),
                    "{} missing in\n{out}",
                    c.at
                );
            }
        }
    }
}
