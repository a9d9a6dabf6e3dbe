//! The 所得区分 that gives the 負担割合 the answers show. One class for every answer of a person
//! is the person's `income`; when the answers of one record need two classes (the insurer's
//! data said 3割, then 2割: a wrong registration fixed, an August re-determination) the
//! record gets the insurer's dated periods (`income: [{from, class}]`), a new period starting
//! the day after the last answer of the one before (the files bound the change to the days
//! between the two answers). A ratio no class gives at the person's age (a 10割 record, a
//! child's) is the record's own `copay_percent` when every answer shows it, and otherwise
//! unknown.

use onshi_sim::clock::Date;
use onshi_sim::rules::{IncomeClass, RuleSet};

use super::facts::Answer;
use super::identity::Model;
use super::infer::{confirmation_date, days};

/// The classes tried, the base class (一般) first.
const CLASSES: [(IncomeClass, &str); 4] = [
    (IncomeClass::General, "general"),
    (IncomeClass::ActiveIncome, "active"),
    (IncomeClass::GeneralII, "general2"),
    (IncomeClass::Low, "low"),
];

/// One ratio an answer shows: its record, confirmation date, ratio and files.
struct Seen {
    record: usize,
    date: Date,
    ratio: u8,
    files: String,
}

/// A run of answers one class (any of `classes`) gives.
struct Run {
    classes: Vec<usize>,
    first: usize,
    last: usize,
}

/// Fills in each person's `income` or each record's dated 所得区分.
pub(super) fn income(m: &mut Model) {
    let rules = RuleSet::builtin();
    for p in 0..m.people.len() {
        let birth = m.people[p].identity.birth;
        let mut seen: Vec<Seen> = Vec::new();
        for e in &m.events {
            if let Answer::Confirm(a) = &e.answer {
                for x in &a.results {
                    if m.records[x.record].person == p
                        && let Some(ratio) = x.copay
                    {
                        seen.push(Seen {
                            record: x.record,
                            date: confirmation_date(e),
                            ratio,
                            files: e.files.join(", "),
                        });
                    }
                }
            }
        }
        if seen.is_empty() {
            continue;
        }
        seen.sort_by_key(|s| s.date);
        let fitting = |s: &Seen| -> Vec<usize> {
            (0..CLASSES.len())
                .filter(|c| {
                    rules
                        .copay_percent(birth, s.date, CLASSES[*c].0)
                        .is_ok_and(|x| x == s.ratio)
                })
                .collect()
        };
        let fits: Vec<Vec<usize>> = seen.iter().map(fitting).collect();
        // One class for every answer of the person.
        if let Some(c) = (0..CLASSES.len()).find(|c| fits.iter().all(|f| f.contains(c))) {
            if c != 0 {
                m.people[p].income = Some(CLASSES[c].1);
                m.people[p].notes.push(format!(
                    "income: {}: the 所得区分 that gives the 負担割合 the answers show (the files do not state it)",
                    CLASSES[c].1
                ));
            }
            continue;
        }
        let mut records: Vec<usize> = seen.iter().map(|s| s.record).collect();
        records.sort_unstable();
        records.dedup();
        for r in records {
            let mine: Vec<usize> = (0..seen.len()).filter(|i| seen[*i].record == r).collect();
            if mine.iter().any(|i| fits[*i].is_empty()) {
                own_ratio(m, r, &seen, &mine, &rules, birth);
            } else {
                periods(m, r, &seen, &fits, &mine);
            }
        }
    }
}

/// Dated periods for record `r`: the longest runs of answers one class gives.
fn periods(m: &mut Model, r: usize, seen: &[Seen], fits: &[Vec<usize>], mine: &[usize]) {
    let mut runs: Vec<Run> = Vec::new();
    for &i in mine {
        if let Some(run) = runs.last_mut() {
            let both: Vec<usize> = run
                .classes
                .iter()
                .copied()
                .filter(|c| fits[i].contains(c))
                .collect();
            if !both.is_empty() {
                run.classes = both;
                run.last = i;
                continue;
            }
        }
        runs.push(Run {
            classes: fits[i].clone(),
            first: i,
            last: i,
        });
    }
    let class = |run: &Run| CLASSES[run.classes.first().copied().unwrap_or(0)].1;
    if runs.len() == 1 && class(&runs[0]) == "general" {
        return;
    }
    let start = m.records[r].from.unwrap_or(seen[mine[0]].date);
    let mut out: Vec<(Date, &'static str)> = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        let from = if k == 0 {
            start.min(seen[run.first].date)
        } else {
            let before = &seen[runs[k - 1].last];
            let after = &seen[run.first];
            m.records[r].notes.push(format!(
                "income: the answers show {}% on {} ({}) and {}% on {} ({}): the insurer's 所得区分 changed in ({}, {}]; the day after the first is used",
                before.ratio,
                before.date,
                before.files,
                after.ratio,
                after.date,
                after.files,
                before.date,
                after.date
            ));
            days(before.date, 1)
        };
        if out.last().is_some_and(|(d, _)| *d >= from) {
            continue;
        }
        out.push((from, class(run)));
    }
    let text: Vec<String> = out.iter().map(|(d, c)| format!("{c} from {d}")).collect();
    m.records[r].notes.push(format!(
        "income: the insurer's own 所得区分 by period ({}): what gives each answer's 負担割合 on its date (the files do not state it)",
        text.join(", ")
    ));
    m.records[r].income = out;
}

/// A ratio no class gives: the record's own `copay_percent` when every answer shows the same.
fn own_ratio(m: &mut Model, r: usize, seen: &[Seen], mine: &[usize], rules: &RuleSet, birth: Date) {
    let ratios: Vec<u8> = mine.iter().map(|i| seen[*i].ratio).collect();
    let first = &seen[mine[0]];
    let rule = rules
        .copay_percent(birth, first.date, IncomeClass::General)
        .map_or_else(|_| "no ratio".to_string(), |c| format!("{c}%"));
    if ratios.iter().all(|c| *c == ratios[0]) {
        m.records[r].copay = Some(ratios[0]);
        m.records[r].notes.push(format!(
            "copay_percent {}: the answers' ratio, which no 所得区分 gives at this age (the rules give {rule} on {}): kept as the insurer's own 負担割合",
            ratios[0], first.date
        ));
    } else {
        m.records[r].notes.push(format!(
            "unknown: the answers show the 負担割合 {ratios:?}, which no one 所得区分 gives and the language cannot date as the insurer's own ratio; the checks will show the difference"
        ));
    }
}
