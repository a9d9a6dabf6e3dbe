//! Labels in both languages, in one place so every report says the same words.

use crate::record::{Lang, RunRecord, ScenarioRecord, Summary, Verdict};

/// The Japanese or the English text.
pub(crate) fn pick(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

impl Verdict {
    /// Short label: 合格/不合格/スキップ/要確認 or pass/fail/skip/review.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Verdict::Pass => pick(lang, "合格", "pass"),
            Verdict::Fail => pick(lang, "不合格", "fail"),
            Verdict::Skip => pick(lang, "スキップ", "skip"),
            Verdict::Review => pick(lang, "要確認", "review"),
        }
    }
}

/// "expected deviation" label.
pub(crate) fn deviation(lang: Lang) -> &'static str {
    pick(lang, "想定内の逸脱", "expected deviation")
}

impl ScenarioRecord {
    /// The verdict as shown to a reader: a failure listed as an expected deviation says so.
    pub fn verdict_label(&self, lang: Lang) -> &'static str {
        if self.is_expected_deviation() {
            deviation(lang)
        } else {
            self.verdict.label(lang)
        }
    }
}

/// Lane names of the sequence diagram.
pub(crate) fn lane(name: &str, lang: Lang) -> String {
    let label = match name {
        "person" => pick(lang, "本人", "Person"),
        "card" => pick(lang, "マイナンバーカード", "Card"),
        "reader" => pick(lang, "カードリーダー", "Reader"),
        "provider" => pick(lang, "医療機関・薬局", "Provider"),
        "registry" => pick(lang, "資格確認システム", "Registry"),
        "jlis" => "J-LIS",
        "insurer" => pick(lang, "保険者", "Insurer"),
        "portal" => pick(lang, "マイナポータル", "Portal"),
        "municipality" => pick(lang, "市区町村", "Municipality"),
        "scenario" => pick(lang, "シナリオ", "Scenario"),
        other => return other.to_string(),
    };
    label.to_string()
}

/// "PASS"/"FAIL" for the whole run ([`RunRecord::passed`]).
pub(crate) fn outcome(record: &RunRecord, lang: Lang) -> &'static str {
    if record.interrupted.is_some() {
        pick(lang, "中断", "INTERRUPTED")
    } else if record.scenarios.is_empty() {
        pick(lang, "シナリオなし", "NO SCENARIOS")
    } else if !record.missing_partitions.is_empty() {
        if record.passed() {
            pick(lang, "一部のみ合格", "PARTIAL PASS")
        } else {
            pick(lang, "一部のみ・不合格", "PARTIAL FAIL")
        }
    } else if record.passed() {
        pick(lang, "合格", "PASS")
    } else {
        pick(lang, "不合格", "FAIL")
    }
}

/// Rows that say a record covers only part of its run: (label, value), empty when whole.
pub(crate) fn partial_rows(record: &RunRecord, lang: Lang) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(signal) = &record.interrupted {
        rows.push((
            pick(lang, "中断", "Interrupted"),
            match lang {
                Lang::Ja => format!("{signal} で中断。未完了のシナリオはスキップとして記録"),
                Lang::En => format!("by {signal}; unfinished scenarios are listed as skipped"),
            },
        ));
    }
    if !record.missing_partitions.is_empty() {
        rows.push((
            pick(lang, "欠けている分割", "Missing partitions"),
            record.missing_partitions.join(", "),
        ));
    }
    rows
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The headline counts on one line.
pub(crate) fn summary_line(s: &Summary, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!(
            "シナリオ {} 件: 合格 {}、不合格 {}、スキップ {}、要確認 {}、想定内の逸脱 {} / \
             チェック {} 件 (不合格 {}) / 要件 {} 件中 {} 件をカバー",
            s.scenarios,
            s.passed,
            s.failed,
            s.skipped,
            s.review,
            s.deviations,
            s.checks,
            s.failed_checks,
            s.requirements,
            s.covered_requirements
        ),
        Lang::En => format!(
            "{}: {} passed, {} failed, {} skipped, {} to review, {} / {}, {} failed / \
             {} of {} requirements covered",
            count(s.scenarios, "scenario", "scenarios"),
            s.passed,
            s.failed,
            s.skipped,
            s.review,
            count(s.deviations, "expected deviation", "expected deviations"),
            count(s.checks, "check", "checks"),
            s.failed_checks,
            s.covered_requirements,
            s.requirements
        ),
    }
}

/// The roles on one line, `provider: reference, terminal: …, registry: …`, each binding
/// passed through `show` (for quoting and escaping).
pub(crate) fn roles_line(record: &RunRecord, lang: Lang, show: impl Fn(&str) -> String) -> String {
    let r = &record.roles;
    format!(
        "{}: {}{sep}{}: {}{sep}{}: {}",
        pick(lang, "医療機関・薬局", "provider"),
        show(&r.provider),
        pick(lang, "端末", "terminal"),
        show(&r.terminal),
        pick(lang, "資格確認システム", "registry"),
        show(&r.registry),
        sep = pick(lang, "、", ", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_labels_in_both_languages() {
        let all = [Verdict::Pass, Verdict::Fail, Verdict::Skip, Verdict::Review];
        let ja: Vec<_> = all.iter().map(|v| v.label(Lang::Ja)).collect();
        let en: Vec<_> = all.iter().map(|v| v.label(Lang::En)).collect();
        assert_eq!(ja, ["合格", "不合格", "スキップ", "要確認"]);
        assert_eq!(en, ["pass", "fail", "skip", "review"]);
    }

    #[test]
    fn english_counts_are_singular_for_one() {
        let s = Summary {
            scenarios: 1,
            passed: 1,
            checks: 1,
            requirements: 2,
            covered_requirements: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s, Lang::En),
            "1 scenario: 1 passed, 0 failed, 0 skipped, 0 to review, 0 expected deviations / \
             1 check, 0 failed / 1 of 2 requirements covered"
        );
    }
}
