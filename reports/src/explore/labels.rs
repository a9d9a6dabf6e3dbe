//! The exploration report's words in both languages, in one place so the page, the
//! Markdown and the terminal say the same things. Values come back unescaped: each
//! renderer escapes for its own output.

use super::{ExploreRecord, Found};
use crate::i18n::pick;
use crate::record::Lang;

/// The verdict in a few words: nothing found or differences found, said to be interrupted
/// or partial when it is.
pub(crate) fn outcome(record: &ExploreRecord, lang: Lang) -> &'static str {
    let found = !record.found.is_empty();
    if record.interrupted.is_some() {
        if found {
            pick(lang, "中断・相違あり", "INTERRUPTED, DIFFERENCES FOUND")
        } else {
            pick(lang, "中断・相違なし", "INTERRUPTED, NOTHING FOUND")
        }
    } else if !record.missing_partitions.is_empty() {
        if found {
            pick(lang, "一部のみ・相違あり", "PARTIAL, DIFFERENCES FOUND")
        } else {
            pick(lang, "一部のみ・相違なし", "PARTIAL, NOTHING FOUND")
        }
    } else if found {
        pick(lang, "相違あり", "DIFFERENCES FOUND")
    } else {
        pick(lang, "相違なし", "NOTHING FOUND")
    }
}

/// Verdict class for colour: a difference is a failure even in a partial record; a partial
/// record with nothing found needs a look; a whole one with nothing found passes.
pub(crate) fn outcome_class(record: &ExploreRecord) -> &'static str {
    if !record.found.is_empty() {
        "fail"
    } else if record.is_partial() {
        "review"
    } else {
        "pass"
    }
}

/// The counts on one line: differences, histories, steps, visits, discarded.
pub(crate) fn headline(record: &ExploreRecord, lang: Lang) -> String {
    let n = record.found.len();
    match lang {
        Lang::Ja => format!(
            "相違 {n} 件 / 履歴 {} 件 (ステップ {}、受診 {}、棄却した履歴 {})",
            record.histories, record.steps, record.visits, record.discarded
        ),
        Lang::En => format!(
            "{} in {} ({}, {}; {} discarded)",
            count(n as u64, "difference", "differences"),
            count(record.histories, "history", "histories"),
            count(record.steps, "step", "steps"),
            count(record.visits, "visit", "visits"),
            record.discarded
        ),
    }
}

fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A row of the facts table.
pub(crate) struct Fact {
    pub(crate) label: &'static str,
    pub(crate) value: FactValue,
}

/// A fact's value: prose, or literal items (partitions) each shown as code.
#[derive(Debug, PartialEq)]
pub(crate) enum FactValue {
    Text(String),
    Code(Vec<String>),
}

fn fact(label: &'static str, value: String) -> Fact {
    Fact {
        label,
        value: FactValue::Text(value),
    }
}

/// The oracle with what it means: `reference` and `invariants` are explained, anything
/// else is shown as written.
pub(crate) fn oracle(record: &ExploreRecord, lang: Lang) -> String {
    let meaning = match record.oracle.as_str() {
        "reference" => pick(
            lang,
            "参照実装との比較",
            "compared with the reference provider",
        ),
        "invariants" => pick(
            lang,
            "参照実装の不変条件",
            "the reference alone, against its invariants",
        ),
        other => return other.to_string(),
    };
    format!("{meaning} ({})", record.oracle)
}

/// Milliseconds as seconds with three decimals: `61.234 s`.
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

/// Every fact of the header: what was explored and how, how far it went, how long it took,
/// and what makes the record partial.
pub(crate) fn facts(record: &ExploreRecord, lang: Lang) -> Vec<Fact> {
    let mut rows = vec![
        fact(pick(lang, "ツール", "Tool"), record.tool.clone()),
        fact(pick(lang, "シード", "Seed"), record.seed.to_string()),
        fact(pick(lang, "判定基準", "Oracle"), oracle(record, lang)),
        fact(pick(lang, "対象", "Target"), record.target.clone()),
        fact(pick(lang, "予算", "Budget"), record.budget.clone()),
        if record.partitions.is_empty() {
            fact(
                pick(lang, "分割", "Partitions"),
                pick(lang, "全体 (分割なし)", "the whole space (not partitioned)").to_string(),
            )
        } else {
            Fact {
                label: pick(lang, "分割", "Partitions"),
                value: FactValue::Code(record.partitions.clone()),
            }
        },
    ];
    if let Some(signal) = &record.interrupted {
        rows.push(fact(
            pick(lang, "中断", "Interrupted"),
            match lang {
                Lang::Ja => format!("{signal} で中断。最後まで走った履歴だけを数えています"),
                Lang::En => format!("by {signal}; only histories run to the end are counted"),
            },
        ));
    }
    if !record.missing_partitions.is_empty() {
        rows.push(Fact {
            label: pick(lang, "欠けている分割", "Missing partitions"),
            value: FactValue::Code(record.missing_partitions.clone()),
        });
    }
    rows.extend([
        fact(
            pick(lang, "履歴", "Histories"),
            record.histories.to_string(),
        ),
        fact(
            pick(lang, "棄却した履歴", "Discarded"),
            match lang {
                Lang::Ja => format!("{} (成り立たない履歴として生成後に除外)", record.discarded),
                Lang::En => format!(
                    "{} (generated, refused by the world, not counted)",
                    record.discarded
                ),
            },
        ),
        fact(pick(lang, "ステップ", "Steps"), record.steps.to_string()),
        fact(pick(lang, "受診", "Visits"), record.visits.to_string()),
    ]);
    if let Some(t) = &record.timing {
        rows.extend([
            fact(
                pick(lang, "履歴/秒", "Histories/s"),
                format!("{:.1}", t.histories_per_second),
            ),
            fact(pick(lang, "所要時間", "Elapsed"), seconds(t.elapsed_ms)),
            fact(
                pick(lang, "最初の相違まで", "Time to first difference"),
                t.first_found_ms.map_or_else(|| "—".to_string(), seconds),
            ),
            fact(
                pick(lang, "縮小に要した時間", "Shrinking time"),
                seconds(t.shrink_ms),
            ),
        ]);
    }
    rows
}

/// How a difference was shrunk, in three parts: steps before → after, people before →
/// after, simplifications kept of candidates run.
pub(crate) fn shrink_parts(found: &Found, lang: Lang) -> [String; 3] {
    match lang {
        Lang::Ja => [
            format!("ステップ {}→{}", found.steps_before, found.steps_after),
            format!("人数 {}→{}", found.people_before, found.people_after),
            format!(
                "採用した簡約 {} / 試した候補 {}",
                found.shrink_steps, found.shrink_runs
            ),
        ],
        Lang::En => [
            format!("steps {}→{}", found.steps_before, found.steps_after),
            format!("people {}→{}", found.people_before, found.people_after),
            format!(
                "{} simplifications kept of {} candidate runs",
                found.shrink_steps, found.shrink_runs
            ),
        ],
    }
}

/// [`shrink_parts`] on one line.
pub(crate) fn shrink(found: &Found, lang: Lang) -> String {
    shrink_parts(found, lang).join(pick(lang, "、", ", "))
}

/// はい / いいえ, yes / no.
pub(crate) fn yes_no(value: bool, lang: Lang) -> &'static str {
    if value {
        pick(lang, "はい", "yes")
    } else {
        pick(lang, "いいえ", "no")
    }
}

/// Column headings of the found table, shared by the page and the Markdown.
pub(crate) struct FoundHeadings {
    pub(crate) history: &'static str,
    pub(crate) check: &'static str,
    pub(crate) visit: &'static str,
    pub(crate) expected: &'static str,
    pub(crate) actual: &'static str,
    pub(crate) requirements: &'static str,
    pub(crate) file: &'static str,
    pub(crate) shrink: &'static str,
    pub(crate) reproduces: &'static str,
    pub(crate) passes_reference: &'static str,
}

/// The headings in `lang`.
pub(crate) fn found_headings(lang: Lang) -> FoundHeadings {
    FoundHeadings {
        history: pick(lang, "履歴", "History"),
        check: pick(lang, "チェック", "Check"),
        visit: pick(lang, "受診", "Visit"),
        expected: pick(lang, "期待", "Expected"),
        actual: pick(lang, "実際", "Actual"),
        requirements: pick(lang, "要件", "Requirements"),
        file: pick(lang, "ファイル", "File"),
        shrink: pick(lang, "縮小", "Shrinking"),
        reproduces: pick(lang, "再現", "Reproduces"),
        passes_reference: pick(lang, "参照実装で合格", "Passes the reference"),
    }
}

/// Heading of the differences section.
pub(crate) fn found_title(lang: Lang) -> &'static str {
    pick(lang, "見つかった相違", "Differences found")
}

/// "None." when nothing was found.
pub(crate) fn nothing_found(lang: Lang) -> &'static str {
    pick(
        lang,
        "相違は見つかりませんでした。",
        "No difference was found.",
    )
}

/// Boundary classes reached, out of all: `3 / 4 classes reached`.
pub(crate) fn classes_reached(record: &ExploreRecord, lang: Lang) -> String {
    let all = record.boundary_classes.len();
    let unreached = record.unreached_classes().count();
    match lang {
        Lang::Ja => format!("境界クラス {all} 件中 {} 件に到達", all - unreached),
        Lang::En => format!("{} of {all} boundary classes reached", all - unreached),
    }
}

/// A warning for a difference whose file needs a look: it does not reproduce, or it fails
/// against the reference too. `None` when the file is sound.
pub(crate) fn found_warning(found: &Found, lang: Lang) -> Option<&'static str> {
    if !found.reproduces {
        Some(pick(
            lang,
            "書き出したファイルでは再現しません",
            "the written file does not reproduce it",
        ))
    } else if found.passes_reference == Some(false) {
        Some(pick(
            lang,
            "書き出したファイルは参照実装でも不合格です",
            "the written file fails against the reference too",
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::fixture::fixture;

    #[test]
    fn outcome_names_found_interrupted_and_partial() {
        let mut r = fixture();
        assert_eq!(outcome(&r, Lang::En), "DIFFERENCES FOUND");
        assert_eq!(outcome_class(&r), "fail");
        r.found.clear();
        assert_eq!(outcome(&r, Lang::Ja), "相違なし");
        assert_eq!(outcome_class(&r), "pass");
        r.missing_partitions = vec!["hash:2/2".into()];
        assert_eq!(outcome(&r, Lang::En), "PARTIAL, NOTHING FOUND");
        assert_eq!(outcome_class(&r), "review");
        r.interrupted = Some("SIGINT".into());
        assert_eq!(outcome(&r, Lang::En), "INTERRUPTED, NOTHING FOUND");
        r.found = fixture().found;
        assert_eq!(outcome(&r, Lang::Ja), "中断・相違あり");
        assert_eq!(outcome_class(&r), "fail", "a difference stays a failure");
    }

    #[test]
    fn facts_say_what_makes_a_record_partial() {
        let mut r = fixture();
        let labels = |r: &ExploreRecord| -> Vec<&str> {
            facts(r, Lang::En).iter().map(|f| f.label).collect()
        };
        assert!(!labels(&r).contains(&"Interrupted"));
        r.interrupted = Some("SIGTERM".into());
        r.missing_partitions = vec!["hash:3/3".into()];
        let rows = facts(&r, Lang::En);
        let value = |label: &str| rows.iter().find(|f| f.label == label).map(|f| &f.value);
        assert_eq!(
            value("Interrupted"),
            Some(&FactValue::Text(
                "by SIGTERM; only histories run to the end are counted".into()
            ))
        );
        assert_eq!(
            value("Missing partitions"),
            Some(&FactValue::Code(vec!["hash:3/3".into()]))
        );
        r.timing = None;
        assert!(!labels(&r).contains(&"Elapsed"), "no timing, no time rows");
    }

    #[test]
    fn a_file_that_fails_the_reference_is_pointed_out() {
        let mut f = fixture().found.remove(0);
        assert_eq!(found_warning(&f, Lang::En), None);
        f.passes_reference = None;
        assert_eq!(
            found_warning(&f, Lang::En),
            None,
            "invariants: no reference"
        );
        f.passes_reference = Some(false);
        assert_eq!(
            found_warning(&f, Lang::En),
            Some("the written file fails against the reference too")
        );
        f.reproduces = false;
        assert_eq!(
            found_warning(&f, Lang::Ja),
            Some("書き出したファイルでは再現しません")
        );
    }

    #[test]
    fn an_unknown_oracle_is_shown_as_written() {
        let mut r = fixture();
        assert_eq!(
            oracle(&r, Lang::En),
            "compared with the reference provider (reference)"
        );
        r.oracle = "differential-v2".into();
        assert_eq!(oracle(&r, Lang::Ja), "differential-v2");
    }

    #[test]
    fn english_headline_is_singular_for_one() {
        let mut r = fixture();
        r.found.truncate(1);
        r.histories = 1;
        r.steps = 1;
        r.visits = 1;
        assert_eq!(
            headline(&r, Lang::En),
            "1 difference in 1 history (1 step, 1 visit; 7 discarded)"
        );
    }
}
