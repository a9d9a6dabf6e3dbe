//! The boundary classes a history reaches: what the report counts to show which corners of
//! the rules an exploration went through, and what a found scenario's header names.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::generate::plus;
use super::history::{Attempt, Consent, History, PersonDef, Step};

/// Every class, in report order.
pub const ALL: [&str; 30] = [
    "born on the 1st of a month",
    "born on 1 April",
    "born on 2 April",
    "born on 29 February",
    "70th birthday in the window",
    "75th birthday in the window",
    "未就学 ends (31 March) in the window",
    "a month turns in the window",
    "1 August in the window",
    "job change with registry lag",
    "job change without lag",
    "loss of 資格",
    "card lost",
    "card reissued",
    "previous card presented",
    "資格確認書 presented",
    "PIN blocked at the reader",
    "card not registered",
    "outage (maintenance)",
    "outage (emergency)",
    "紐付け誤り",
    "家族 (dependent)",
    "限度額 data",
    "限度額 recalled or expired",
    "特定疾病",
    "多数回該当",
    "入院 and 入院外 in one month",
    "no consent at the reader",
    "電子証明書 renewed",
    "consent to single items or 包括",
];

/// The settled paths a reference run can reach (counted as classes too).
pub const PATHS: [&str; 5] = [
    "settled: confirmed",
    "settled: followed_new_qualification",
    "settled: declaration_form",
    "settled: asked_patient",
    "settled: paper_certificate",
];

/// The days a person's age rules turn (INS-2): the 70th birthday, the 75th birthday, and the
/// 31 March that ends 未就学 (after the day before the 6th birthday). A 29 February birthday
/// falls on 1 March in a common year (the age is reached on 28 February, the day before).
pub fn age_boundaries(p: &PersonDef) -> [Date; 3] {
    let b = p.born;
    let birthday = |years: i16| {
        let y = b.year() + years;
        Date::new(y, b.month(), b.day())
            .unwrap_or_else(|_| plus(Date::new(y, 3, 1).unwrap_or(b), -1))
    };
    let sixth = Date::new(b.year() + 6, b.month(), b.day()).unwrap_or(b);
    let reached = plus(sixth, -1);
    let march = Date::new(
        if reached.month() <= 3 {
            reached.year()
        } else {
            reached.year() + 1
        },
        3,
        31,
    )
    .unwrap_or(b);
    [birthday(70), birthday(75), march]
}

/// Whether an age rule of person `key` is in play in the history's window: its days between
/// the naive reading and the rule, with a month on either side — the 6th birthday to the 31
/// March that ends 未就学, the 70th birthday to the month after (高齢受給者 from the next
/// month's 1st), the 75th birthday's month (the halved caps).
pub fn age_boundary_near(h: &History, key: &str) -> bool {
    let (first, last) = window(h);
    h.people.iter().filter(|p| p.key == key).any(|p| {
        let [seventy, seventy_five, preschool] = age_boundaries(p);
        let sixth = Date::new(p.born.year() + 6, p.born.month(), p.born.day())
            .unwrap_or_else(|_| plus(Date::new(p.born.year() + 6, 3, 1).unwrap_or(p.born), -1));
        [
            (sixth, preschool),
            (seventy, plus(seventy, 31)),
            (seventy_five, seventy_five),
        ]
        .into_iter()
        .any(|(from, to)| plus(from, -31) <= last && first <= plus(to, 31))
    })
}

/// The first and last day of a history.
fn window(h: &History) -> (Date, Date) {
    let first = h.start.date();
    let last = h
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::AdvanceTo(t) => Some(t.date()),
            _ => None,
        })
        .max()
        .unwrap_or(first);
    (first, last)
}

/// The classes of a history (without the settled paths, which need a run).
pub fn of(h: &History) -> BTreeSet<&'static str> {
    let mut c = BTreeSet::new();
    let (first, last) = window(h);
    let within = |d: Date| d >= first && d <= last;
    let visited: BTreeSet<&str> = h
        .steps
        .iter()
        .filter_map(|s| s.visit())
        .map(|v| v.person.as_str())
        .collect();
    for p in &h.people {
        let b = p.born;
        if b.day() == 1 {
            c.insert(ALL[0]);
        }
        if b.month() == 4 && b.day() == 1 {
            c.insert(ALL[1]);
        }
        if b.month() == 4 && b.day() == 2 {
            c.insert(ALL[2]);
        }
        if b.month() == 2 && b.day() == 29 {
            c.insert(ALL[3]);
        }
        if !visited.contains(p.key.as_str()) {
            continue;
        }
        let [seventy, seventy_five, preschool] = age_boundaries(p);
        for (birthday, class) in [(seventy, ALL[4]), (seventy_five, ALL[5])] {
            if within(birthday) || within(plus(birthday, -1)) {
                c.insert(class);
            }
        }
        if within(preschool) || within(plus(preschool, 1)) {
            c.insert(ALL[6]);
        }
        if p.insurance.iter().any(|r| r.dependent) {
            c.insert(ALL[21]);
        }
        for r in &p.insurance {
            if !r.limits.is_empty() {
                c.insert(ALL[22]);
            }
            if r.limits
                .iter()
                .any(|l| l.valid_until.is_some() || l.recalled.is_some())
            {
                c.insert(ALL[23]);
            }
            if r.disease.is_some() {
                c.insert(ALL[24]);
            }
        }
        if p.card.is_some() && p.registered.is_none() {
            c.insert(ALL[17]);
        }
    }
    if first.month() != last.month() {
        c.insert(ALL[7]);
    }
    let august = Date::new(first.year(), 8, 1).ok();
    let next_august = Date::new(first.year() + 1, 8, 1).ok();
    if august.into_iter().chain(next_august).any(within) {
        c.insert(ALL[8]);
    }
    let mut care: BTreeSet<(String, bool)> = BTreeSet::new();
    for s in &h.steps {
        match s {
            Step::JobChange { lag_days, .. } => {
                c.insert(if *lag_days > 0 { ALL[9] } else { ALL[10] });
            }
            Step::Lose { .. } => {
                c.insert(ALL[11]);
            }
            Step::CardLost(_) => {
                c.insert(ALL[12]);
            }
            Step::CardReissue(_) => {
                c.insert(ALL[13]);
            }
            Step::Outage { kind, .. } => {
                c.insert(if *kind == "maintenance" {
                    ALL[18]
                } else {
                    ALL[19]
                });
            }
            Step::Mislink { .. } => {
                c.insert(ALL[20]);
            }
            Step::Visit(v) => {
                match v.presents {
                    "previous_card" => {
                        c.insert(ALL[14]);
                    }
                    "certificate" => {
                        c.insert(ALL[15]);
                    }
                    _ => {}
                }
                let pins = v
                    .verify
                    .iter()
                    .flatten()
                    .filter(|a| matches!(a, Attempt::Pin(_)))
                    .count();
                if pins >= 3 {
                    c.insert(ALL[16]);
                }
                if v.many_times {
                    c.insert(ALL[25]);
                }
                if v.consent == Consent::Nothing {
                    c.insert(ALL[27]);
                }
                if matches!(
                    v.consent,
                    Consent::Blanket
                        | Consent::MedicationOnly
                        | Consent::CheckupOnly
                        | Consent::DiseaseOnly
                        | Consent::TreatmentSurgery
                ) {
                    c.insert(ALL[29]);
                }
                care.insert((v.person.clone(), v.care == "inpatient"));
            }
            Step::CardRenew(_) => {
                c.insert(ALL[28]);
            }
            Step::AdvanceTo(_) | Step::Advance(_) | Step::Register(_) => {}
        }
    }
    let inpatients: BTreeSet<&String> = care.iter().filter(|(_, i)| *i).map(|(p, _)| p).collect();
    if care.iter().any(|(p, i)| !*i && inpatients.contains(p)) {
        c.insert(ALL[26]);
    }
    c
}

/// The class of a settled path (`confirmed`, …).
pub fn path(name: &str) -> Option<&'static str> {
    PATHS
        .iter()
        .copied()
        .find(|p| p.strip_prefix("settled: ") == Some(name))
}
