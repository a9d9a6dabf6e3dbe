//! `summary.md` of an exploration: the verdict and counts, the facts, every difference found
//! with its shrunk file, and the boundary classes no history reached (what the exploration
//! did not test).
//!
//! Identifiers, values and paths are code spans (shown literally); prose from the record is
//! backslash-escaped, so nothing a system under test returns can turn into markup.

use std::fmt::Write as _;

use super::ExploreRecord;
use super::labels::{
    FactValue, classes_reached, facts, found_headings, found_title, found_warning, headline,
    nothing_found, outcome, shrink, yes_no,
};
use crate::escape::{markdown as md, markdown_code as code, truncate};
use crate::i18n::pick;
use crate::record::Lang;

/// Longest expected or actual value written.
const VALUE_MAX: usize = 200;

/// The summary in `lang`, ending with a newline.
pub fn render(record: &ExploreRecord, lang: Lang) -> String {
    let mut out = String::new();
    header(&mut out, record, lang);
    found(&mut out, record, lang);
    unreached(&mut out, record, lang);
    out
}

fn header(out: &mut String, record: &ExploreRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "# {}\n\n**{}** — {}\n",
        pick(lang, "onshi 探索結果", "onshi exploration summary"),
        outcome(record, lang),
        md(&headline(record, lang))
    );
    let _ = writeln!(
        out,
        "| {} | {} |\n|---|---|",
        pick(lang, "項目", "Item"),
        pick(lang, "値", "Value")
    );
    for f in facts(record, lang) {
        let value = match &f.value {
            FactValue::Text(text) => md(text),
            FactValue::Code(items) => items.iter().map(|i| code(i)).collect::<Vec<_>>().join(", "),
        };
        let _ = writeln!(out, "| {} | {value} |", f.label);
    }
    out.push('\n');
}

fn found(out: &mut String, record: &ExploreRecord, lang: Lang) {
    let _ = writeln!(out, "## {}\n", found_title(lang));
    if record.found.is_empty() {
        let _ = writeln!(out, "{}\n", nothing_found(lang));
        return;
    }
    let h = found_headings(lang);
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n\
         |---:|---|---|---|---|---|---|---|---|---|",
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
        let reproduces = if f.reproduces {
            yes_no(true, lang).to_string()
        } else {
            format!("**{}**", yes_no(false, lang))
        };
        let passes = match f.passes_reference {
            Some(true) => yes_no(true, lang).to_string(),
            Some(false) => format!("**{}**", yes_no(false, lang)),
            None => "—".to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {reproduces} | {passes} |",
            f.history,
            code(&f.check),
            code(f.visit.as_deref().unwrap_or_default()),
            code(&truncate(&f.expected, VALUE_MAX)),
            code(&truncate(&f.actual, VALUE_MAX)),
            if f.requirements.is_empty() {
                "—".to_string()
            } else {
                md(&f.requirements.join(", "))
            },
            code(&f.file),
            md(&shrink(f, lang)),
        );
    }
    out.push('\n');
    let warnings: Vec<String> = record
        .found
        .iter()
        .filter_map(|f| found_warning(f, lang).map(|w| format!("- **{}**: {}", w, code(&f.file))))
        .collect();
    if !warnings.is_empty() {
        let _ = writeln!(out, "{}\n", warnings.join("\n"));
    }
}

fn unreached(out: &mut String, record: &ExploreRecord, lang: Lang) {
    let _ = writeln!(
        out,
        "## {}\n\n{}\n",
        pick(
            lang,
            "到達しなかった境界クラス",
            "Boundary classes not reached"
        ),
        md(&classes_reached(record, lang))
    );
    let classes: Vec<&str> = record.unreached_classes().collect();
    if classes.is_empty() {
        let _ = writeln!(out, "{}", pick(lang, "なし。", "None."));
        return;
    }
    for class in classes {
        let _ = writeln!(out, "- {}", code(class));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::fixture::fixture;

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

    #[test]
    fn pipes_in_values_do_not_break_the_found_table() {
        let mut record = fixture();
        record.found[0].actual = "a | b".into();
        record.found[0].check = "x|y`z".into();
        let out = render(&record, Lang::En);
        let rows: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with("| History"))
            .take_while(|l| l.starts_with('|'))
            .collect();
        assert_eq!(rows.len(), 4, "{out}");
        for row in rows {
            assert_eq!(cell_separators(row), 11, "{row}");
        }
    }

    #[test]
    fn a_partitioned_record_shows_each_partition_as_code() {
        let mut record = fixture();
        record.partitions = vec!["hash:1/3".into(), "hash:2/3".into()];
        record.missing_partitions = vec!["hash:3/3".into()];
        let out = render(&record, Lang::En);
        assert!(
            out.contains("| Partitions | `hash:1/3`, `hash:2/3` |"),
            "{out}"
        );
        assert!(out.contains("| Missing partitions | `hash:3/3` |"), "{out}");
        assert!(out.contains("**PARTIAL, DIFFERENCES FOUND**"), "{out}");
    }

    #[test]
    fn every_class_reached_says_none() {
        let mut record = fixture();
        record.boundary_classes.retain(|_, n| *n > 0);
        let out = render(&record, Lang::Ja);
        assert!(
            out.ends_with("境界クラス 3 件中 3 件に到達\n\nなし。\n"),
            "{out}"
        );
    }
}
