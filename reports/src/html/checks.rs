//! The table of a scenario's checks.
//!
//! Expected and actual get the width: the table spans the page, both value columns have a
//! share of it, and values wrap between words only (`word-break: normal`), so a column is
//! never narrower than its longest word. A word longer than [`LONG_WORD`] characters (a
//! hash, a blob) may break anywhere, as a last resort. Values longer than [`FOLD_CHARS`]
//! characters or [`FOLD_LINES`] lines fold behind `<details>` with a preview, open when
//! the check did not pass. Where a check is stands under its name, to leave the columns
//! to the values: in the scenario's own file as `name.yaml:line:column`, other paths
//! broken after each `/`. The notes column
//! (class `remark`: `.note` is the diagram's) is there only when a check of the table has
//! a note.

use std::fmt::Write as _;

use super::{badge, requirement_links};
use crate::escape::{truncate, xml};
use crate::i18n::{deviation, pick};
use crate::record::{Check, Lang, ScenarioRecord, Verdict};

/// Values with more characters than this fold.
pub(crate) const FOLD_CHARS: usize = 160;
/// Values with more lines than this fold.
pub(crate) const FOLD_LINES: usize = 6;
/// Characters of a folded value's preview.
const PREVIEW_CHARS: usize = 72;
/// Words longer than this may break anywhere.
pub(crate) const LONG_WORD: usize = 40;

fn has_note(check: &Check) -> bool {
    check.note.as_deref().is_some_and(|n| !n.is_empty())
}

pub(crate) fn table(out: &mut String, sc: &ScenarioRecord, lang: Lang) {
    if sc.checks.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{}</p>",
            pick(lang, "チェックはありません。", "No checks.")
        );
        return;
    }
    let notes = sc.checks.iter().any(has_note);
    let _ = write!(
        out,
        "<table class=\"checks{}\"><thead><tr><th class=\"verdict\">{}</th>\
         <th class=\"name\">{}</th><th class=\"value\">{}</th><th class=\"value\">{}</th>\
         <th class=\"reqs\">{}</th>",
        if notes { " with-remarks" } else { "" },
        pick(lang, "判定", "Verdict"),
        pick(lang, "チェック・場所", "Check, where"),
        pick(lang, "期待", "Expected"),
        pick(lang, "実際", "Actual"),
        pick(lang, "要件", "Requirements"),
    );
    if notes {
        let _ = write!(
            out,
            "<th class=\"remark\">{}</th>",
            pick(lang, "備考", "Note")
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for check in &sc.checks {
        row(out, sc, check, notes, lang);
    }
    out.push_str("</tbody></table>\n");
}

fn row(out: &mut String, sc: &ScenarioRecord, check: &Check, notes: bool, lang: Lang) {
    let step = match check.step {
        Some(n) => format!(
            " <span class=\"step\">({} {n})</span>",
            pick(lang, "ステップ", "step")
        ),
        None => String::new(),
    };
    let (class, label) = if check.verdict == Verdict::Fail && sc.expected_deviation.is_some() {
        ("deviation", deviation(lang))
    } else {
        (check.verdict.name(), check.verdict.label(lang))
    };
    let open = check.verdict != Verdict::Pass && check.verdict != Verdict::Skip;
    let _ = write!(
        out,
        "<tr class=\"check-{class}\"><td class=\"verdict\">{}</td>\
         <td class=\"name\"><code>{}</code><div class=\"at\">{}{step}</div></td>\
         <td class=\"value\">{}</td><td class=\"value\">{}</td><td class=\"reqs\">{}</td>",
        badge(class, label),
        xml(&check.name),
        place(&check.at, &sc.file),
        value(&check.expected, open, lang),
        value(&check.actual, open, lang),
        requirement_links(sc.requirements_of(check)),
    );
    if notes {
        let _ = write!(
            out,
            "<td class=\"remark\">{}</td>",
            xml(check.note.as_deref().unwrap_or_default())
        );
    }
    out.push_str("</tr>\n");
}

/// Where a check is: in the scenario's own file as `name.yaml:line:column` (the full path in
/// a tooltip; the file is named above the table), elsewhere as the whole path.
fn place(at: &str, file: &str) -> String {
    match at.strip_prefix(file) {
        Some(rest) if rest.starts_with(':') && !file.is_empty() => {
            let base = file.rsplit('/').next().unwrap_or(file);
            format!(
                "<code title=\"{}\">{}{}</code>",
                xml(at),
                xml(base),
                xml(rest)
            )
        }
        _ => format!("<code>{}</code>", breakable(at, '/')),
    }
}

/// `text` escaped, with a line-break opportunity (`<wbr>`) after every `at`.
pub(crate) fn breakable(text: &str, at: char) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(i) = rest.find(at) {
        let end = i + at.len_utf8();
        out.push_str(&xml(&rest[..end]));
        rest = &rest[end..];
        if !rest.is_empty() {
            out.push_str("<wbr>");
        }
    }
    out.push_str(&xml(rest));
    out
}

/// One expected or actual value: in full, or folded behind a preview when long.
pub(crate) fn value(text: &str, open: bool, lang: Lang) -> String {
    if text.is_empty() {
        return format!(
            "<span class=\"empty\">{}</span>",
            pick(lang, "(空)", "(empty)")
        );
    }
    let class = if text
        .split_whitespace()
        .any(|w| w.chars().count() > LONG_WORD)
    {
        "v long"
    } else {
        "v"
    };
    let full = format!("<div class=\"{class}\"><code>{}</code></div>", xml(text));
    let chars = text.chars().count();
    let lines = text.lines().count();
    if chars <= FOLD_CHARS && lines <= FOLD_LINES {
        return full;
    }
    let first = text.lines().next().unwrap_or_default();
    let more = match (lang, lines) {
        (Lang::Ja, 1) => format!("全 {chars} 文字"),
        (Lang::Ja, _) => format!("全 {chars} 文字・{lines} 行"),
        (Lang::En, 1) => format!("{chars} characters"),
        (Lang::En, _) => format!("{chars} characters, {lines} lines"),
    };
    format!(
        "<details class=\"fold\"{}><summary><code class=\"preview\">{}</code> \
         <span class=\"more\">{}</span></summary>{full}</details>",
        if open { " open" } else { "" },
        xml(&preview(first)),
        more
    )
}

/// The start of a long line, cut after a word when one ends near the limit.
fn preview(line: &str) -> String {
    let cut = truncate(line, PREVIEW_CHARS);
    let Some(body) = cut.strip_suffix('…') else {
        return cut;
    };
    match body.rfind(char::is_whitespace) {
        Some(i) if body[..i].chars().count() > PREVIEW_CHARS * 2 / 3 => {
            format!("{}…", body[..i].trim_end())
        }
        _ => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn breaks_only_after_the_separator() {
        assert_eq!(
            breakable("scenarios/a<b>/c.yaml:1:2", '/'),
            "scenarios/<wbr>a&lt;b&gt;/<wbr>c.yaml:1:2"
        );
        assert_eq!(breakable("trace.has.", '.'), "trace.<wbr>has.");
        assert_eq!(breakable("", '.'), "");
    }

    #[test]
    fn places_in_the_scenario_file_are_short() {
        let file = "scenarios/a/b.yaml";
        assert_eq!(
            place("scenarios/a/b.yaml:3:5", file),
            "<code title=\"scenarios/a/b.yaml:3:5\">b.yaml:3:5</code>"
        );
        assert_eq!(
            place("scenarios/a/b.yaml.x:3:5", file),
            "<code>scenarios/<wbr>a/<wbr>b.yaml.x:3:5</code>"
        );
        assert_eq!(
            place("fixtures/<x>.yaml:1:1", file),
            "<code>fixtures/<wbr>&lt;x&gt;.yaml:1:1</code>"
        );
        assert_eq!(place(":1:1", ""), "<code>:1:1</code>");
    }

    #[test]
    fn long_values_fold_with_a_preview() {
        let words = "word ".repeat(40);
        let short = value("valid", false, Lang::En);
        assert_eq!(short, "<div class=\"v\"><code>valid</code></div>");
        let folded = value(&words, false, Lang::En);
        assert!(
            folded
                .starts_with("<details class=\"fold\"><summary><code class=\"preview\">word word")
        );
        assert!(folded.contains("…</code> <span class=\"more\">200 characters</span></summary>"));
        assert!(folded.ends_with(&format!(
            "<div class=\"v\"><code>{words}</code></div></details>"
        )));
        assert!(value(&words, true, Lang::Ja).contains("<details class=\"fold\" open>"));
        assert!(value(&words, true, Lang::Ja).contains("全 200 文字<"));
        let lines = "a\n".repeat(FOLD_LINES + 1);
        assert!(value(&lines, false, Lang::En).contains("14 characters, 7 lines"));
        assert!(
            value(&"x".repeat(LONG_WORD + 1), false, Lang::En)
                .starts_with("<div class=\"v long\">")
        );
        assert_eq!(
            value("", false, Lang::Ja),
            "<span class=\"empty\">(空)</span>"
        );
    }

    #[test]
    fn previews_end_after_a_word() {
        let p = preview(&"abcdefghi ".repeat(20));
        assert!(p.ends_with("abcdefghi…"), "{p}");
        assert!(p.chars().count() <= PREVIEW_CHARS + 1);
        assert_eq!(preview("short"), "short");
        let unbroken = "x".repeat(100);
        assert_eq!(preview(&unbroken).chars().count(), PREVIEW_CHARS + 1);
    }

    #[test]
    fn the_notes_column_is_there_only_with_notes() {
        let record = fixture();
        let mut with = String::new();
        table(&mut with, &record.scenarios[2], Lang::En);
        assert!(with.contains("<th class=\"remark\">Note</th>"));
        assert_eq!(with.matches("<td class=\"remark\">").count(), 3);
        let mut without = String::new();
        table(&mut without, &record.scenarios[0], Lang::En);
        assert!(!without.contains("remark"), "{without}");
        let mut empty_note = record.scenarios[0].clone();
        empty_note.checks[0].note = Some(String::new());
        let mut out = String::new();
        table(&mut out, &empty_note, Lang::En);
        assert!(!out.contains("remark"));
    }
}
