//! The lines printed at the end of `onshi explore`: the verdict with the counts, what makes
//! the record partial, then one line per difference found with the file to open.
//!
//! Every string from the record goes through `escape::terminal`, so a system under test
//! cannot move the cursor or recolour the screen through its answers.

use std::fmt::Write as _;

use super::ExploreRecord;
use super::labels::{classes_reached, found_warning, headline, outcome};
use crate::escape::{terminal as clean, truncate};
use crate::i18n::pick;
use crate::record::Lang;

/// Longest expected or actual value printed.
const VALUE_MAX: usize = 120;

/// The summary as lines of text, without colour.
pub fn render(record: &ExploreRecord, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {}",
        outcome(record, lang),
        headline(record, lang)
    );
    if let Some(signal) = &record.interrupted {
        let _ = writeln!(
            out,
            "  {}",
            match lang {
                Lang::Ja => format!("{} で中断しました", clean(signal)),
                Lang::En => format!("interrupted by {}", clean(signal)),
            }
        );
    }
    if !record.missing_partitions.is_empty() {
        let _ = writeln!(
            out,
            "  {}: {}",
            pick(lang, "欠けている分割", "missing partitions"),
            clean(&record.missing_partitions.join(", "))
        );
    }
    let unreached: Vec<&str> = record.unreached_classes().collect();
    if !unreached.is_empty() {
        let _ = writeln!(
            out,
            "  {}{}{}",
            clean(&classes_reached(record, lang)),
            pick(lang, "。未到達: ", "; not reached: "),
            clean(&unreached.join(", "))
        );
    }
    for f in &record.found {
        let expected = clean(&truncate(&f.expected, VALUE_MAX));
        let actual = clean(&truncate(&f.actual, VALUE_MAX));
        let values = match lang {
            Lang::Ja => format!("期待 `{expected}`、実際 `{actual}`"),
            Lang::En => format!("expected `{expected}`, got `{actual}`"),
        };
        let ids = if f.requirements.is_empty() {
            String::new()
        } else {
            format!(" ({})", clean(&f.requirements.join(", ")))
        };
        let warning = found_warning(f, lang).map_or_else(String::new, |w| format!(" [{w}]"));
        let _ = writeln!(
            out,
            "  {}: {values}{ids} → {}{warning}",
            clean(&f.check),
            clean(&f.file)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::fixture::fixture;

    #[test]
    fn escape_sequences_from_a_system_under_test_are_shown_not_obeyed() {
        let mut record = fixture();
        record.found[0].actual = "\x1b[2Jcleared\nnext".into();
        record.found[1].file = "found/\x07bell.yaml".into();
        let out = render(&record, Lang::En);
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out}");
        assert!(out.contains("got `\\u{1b}[2Jcleared\\nnext`"), "{out}");
        assert_eq!(out.lines().count(), 4, "one line per difference: {out}");
    }

    #[test]
    fn every_difference_has_a_line_naming_its_file() {
        let record = fixture();
        let out = render(&record, Lang::Ja);
        for f in &record.found {
            let arrow = format!("→ {}", f.file);
            assert!(
                out.lines()
                    .any(|l| l.starts_with(&format!("  {}: ", f.check)) && l.contains(&arrow)),
                "{} missing in\n{out}",
                f.check
            );
        }
    }

    #[test]
    fn interrupted_and_partial_are_said() {
        let mut record = fixture();
        record.found.clear();
        record.interrupted = Some("SIGINT".into());
        record.missing_partitions = vec!["hash:2/2".into()];
        let out = render(&record, Lang::En);
        assert!(
            out.starts_with("INTERRUPTED, NOTHING FOUND — 0 differences"),
            "{out}"
        );
        assert!(out.contains("\n  interrupted by SIGINT\n"), "{out}");
        assert!(out.contains("\n  missing partitions: hash:2/2\n"), "{out}");
    }
}
