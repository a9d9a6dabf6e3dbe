//! What the files leave open, filled in so that the reference gives the answers the files
//! show, each choice said in a comment:
//!
//! - a record no answer shows the 取得日 of starts on the earliest answer that shows it;
//! - an older record a card answer no longer shows (the patient changed insurer) ends on the
//!   newer record's 取得日;
//! - the 75th-birthday law: a 後期 record that starts on the birthday is the law's (the person's
//!   `late_elderly_number`), and the records it ends stay open in the file, as the law wants;
//! - when the registry learnt of a record (`registered_on`: after the last answer that did not
//!   find it) and of a loss (the insurer's `lag_days`: after the last answer that still showed
//!   it valid);
//! - a newer record an answer's 資格有効性 3 implies, when no file shows it;
//! - the 所得区分 that gives the 負担割合 the answers show (or, when no class does, the ratio as
//!   the insurer's own `copay_percent`);
//! - visits that gave the consents the answers show as given earlier, or that a data answer
//!   needs, when no face file of them is among the files.

use std::collections::BTreeMap;

use onshi_sim::clock::{Date, Moment};
use onshi_sim::oqs::{MedicalDataKind, QualificationValidity};
use onshi_sim::rules::{IncomeClass, RuleSet, late_elderly::late_elderly_start};

use super::facts::{Action, Answer, Consent, DataAnswer, Event, Numbers};
use super::identity::{Model, Record};

/// Fills in what the files leave open.
pub(super) fn complete(m: &mut Model) {
    record_starts(m);
    replaced_records(m);
    late_elderly(m);
    registration_days(m);
    loss_lags(m);
    newer_records(m);
    income(m);
    consent_visits(m);
}

/// The confirmation date of an event.
pub(super) fn confirmation_date(e: &Event) -> Date {
    match &e.action {
        Action::Visit {
            confirmation_date: Some(d),
            ..
        }
        | Action::Numbers {
            confirmation_date: Some(d),
            ..
        } => *d,
        _ => e.at.date(),
    }
}

/// (event index, result index) of every result that shows record `r`.
fn shown(m: &Model, r: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, e) in m.events.iter().enumerate() {
        if let Answer::Confirm(a) = &e.answer {
            for (j, x) in a.results.iter().enumerate() {
                if x.record == r {
                    out.push((i, j));
                }
            }
        }
    }
    out
}

/// The first result's record and the confirmation date of event `i`, when it is an answer of
/// `validity` to a card visit (`by_card`) or to a confirmation by numbers.
fn answered(
    m: &Model,
    i: usize,
    by_card: bool,
    validity: QualificationValidity,
) -> Option<(usize, Date)> {
    let e = &m.events[i];
    let Answer::Confirm(a) = &e.answer else {
        return None;
    };
    let kind_fits = match e.action {
        Action::Visit { .. } => by_card,
        Action::Numbers { .. } => !by_card,
        _ => false,
    };
    if !kind_fits || a.validity != Some(validity) {
        return None;
    }
    Some((a.results.first()?.record, confirmation_date(e)))
}

fn days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

fn days_between(a: Date, b: Date) -> i64 {
    i64::from((b - a).get_days())
}

fn record_starts(m: &mut Model) {
    for r in 0..m.records.len() {
        if m.records[r].from.is_some() {
            continue;
        }
        let first = shown(m, r)
            .iter()
            .map(|(e, _)| confirmation_date(&m.events[*e]))
            .min();
        if let Some(d) = first {
            m.records[r].from = Some(d);
            m.records[r].notes.push(format!(
                "unknown: 資格取得年月日 (no answer shows it); the first answer's date {d} is used"
            ));
        }
    }
}

/// A card answer shows every record of the person that covers the date: an older record it
/// does not show had ended by then (the person changed insurer).
fn replaced_records(m: &mut Model) {
    for i in 0..m.events.len() {
        let Some((newer, date)) = answered(m, i, true, QualificationValidity::Valid) else {
            continue;
        };
        let person = m.records[newer].person;
        let Some(start) = m.records[newer].from else {
            continue;
        };
        for r in 0..m.records.len() {
            let old = &m.records[r];
            let older = old.from.is_some_and(|f| f < start && f <= date);
            if r == newer || old.person != person || !older || old.lost.is_some() {
                continue;
            }
            let rec = &mut m.records[r];
            rec.lost = Some((start, Some(onshi_sim::oqs::ReasonOfLoss::OtherInsurance)));
            rec.notes.push(format!(
                "unknown: 資格喪失年月日: a later card answer ({}) shows only the newer 資格, so this one ended by then; the newer one's 取得日 {start} is used",
                m.events[i].files.join(", ")
            ));
        }
    }
}

/// The 75th-birthday law: a 後期 record from the birthday, with an older record covering the
/// day before, is the law's; the older records it ends are left open.
fn late_elderly(m: &mut Model) {
    for r in 0..m.records.len() {
        let rec = &m.records[r];
        let birth = m.people[rec.person].identity.birth;
        let Some(birthday) = late_elderly_start(birth) else {
            continue;
        };
        if !rec.numbers.insurer.is_late_elderly() || rec.from != Some(birthday) {
            continue;
        }
        let eve = days(birthday, -1);
        let person = rec.person;
        let ended: Vec<usize> = (0..m.records.len())
            .filter(|o| {
                let x = &m.records[*o];
                *o != r
                    && x.person == person
                    && !x.numbers.insurer.is_late_elderly()
                    && x.from.is_some_and(|f| f <= eve)
                    && x.lost.is_none_or(|(l, _)| l == birthday)
            })
            .collect();
        if ended.is_empty() {
            continue;
        }
        m.records[r].by_law = true;
        for o in ended {
            let x = &mut m.records[o];
            if x.lost.is_some() {
                x.notes.push(format!(
                    "ends on the 75th birthday {birthday} by law (the scenario leaves it open; the world ends it)"
                ));
            }
            x.lost = None;
            x.open_by_law = true;
        }
    }
}

/// `registered_on`: the 取得日, or the day after the last answer by these numbers that found
/// nothing, when that was later.
fn registration_days(m: &mut Model) {
    for r in 0..m.records.len() {
        let Some(from) = m.records[r].from else {
            continue;
        };
        let first_shown = shown(m, r)
            .iter()
            .map(|(e, _)| m.events[*e].at.date())
            .min();
        let mut on = from;
        let mut because = None;
        for e in &m.events {
            if let (Action::Numbers { numbers, .. }, Answer::Confirm(a)) = (&e.action, &e.answer)
                && a.validity == Some(QualificationValidity::NotFound)
                && numbers.names(&m.records[r].numbers)
                && first_shown.is_none_or(|f| e.at.date() < f)
                && days(e.at.date(), 1) > on
            {
                on = days(e.at.date(), 1);
                because = Some(e.files.join(", "));
            }
        }
        let rec = &mut m.records[r];
        rec.registered_on = Some(on);
        if let Some(f) = because {
            rec.notes.push(format!(
                "reached the registry on {on} at the earliest: an answer by these numbers found nothing the day before ({f}); the insurer's lag is unknown"
            ));
        }
    }
}

/// Each insurer's `lag_days`: long enough that every answer that still showed a lost record
/// valid came before the loss reached the registry, short enough for every answer that showed
/// the loss.
fn loss_lags(m: &mut Model) {
    let mut bounds: BTreeMap<onshi_sim::ids::InsurerNumber, (i64, i64)> = BTreeMap::new();
    for r in 0..m.records.len() {
        let Some((lost, _)) = m.records[r].lost else {
            continue;
        };
        let insurer = m.records[r].numbers.insurer;
        for (e, j) in shown(m, r) {
            let today = m.events[e].at.date();
            let Answer::Confirm(a) = &m.events[e].answer else {
                continue;
            };
            let b = bounds.entry(insurer).or_insert((0, i64::MAX));
            if a.results[j].loss.is_some() {
                b.1 = b.1.min(days_between(lost, today));
            } else if today >= lost {
                b.0 = b.0.max(days_between(lost, today) + 1);
            }
        }
    }
    for (number, (lo, hi)) in bounds {
        let insurer = m.insurers.entry(number).or_default();
        insurer.lag_days = u32::try_from(lo.max(0)).unwrap_or(0);
        if lo > 0 {
            insurer.notes.push(format!(
                "lag_days {lo}: an answer still showed a lost 資格 valid {lo} day(s) after its 喪失日 (the smallest lag that gives it)"
            ));
        }
        if lo > hi {
            insurer.notes.push(format!(
                "unknown: one lag cannot give every answer (at least {lo} and at most {hi} days); some checks will show the difference"
            ));
        }
    }
}

/// 資格有効性 3 by numbers says the person has a newer record covering the date; one is made up
/// when no file shows it.
fn newer_records(m: &mut Model) {
    for i in 0..m.events.len() {
        let Some((old, date)) = answered(m, i, false, QualificationValidity::InvalidNewerExists)
        else {
            continue;
        };
        let e = &m.events[i];
        let person = m.records[old].person;
        let Some(start) = m.records[old].lost.map(|l| l.0) else {
            continue;
        };
        let covered = m.records.iter().any(|r| {
            r.person == person
                && r.from
                    .is_some_and(|f| f > m.records[old].from.unwrap_or(f) && f <= date)
                && r.lost.is_none_or(|(l, _)| date < l)
        });
        if covered {
            continue;
        }
        let files = e.files.join(", ");
        let numbers = Numbers {
            insurer: m.records[old].numbers.insurer,
            symbol: m.records[old].numbers.symbol.clone(),
            number: format!("{}(new)", m.records[old].numbers.number),
            branch: Some("00".into()),
        };
        m.records.push(Record {
            numbers,
            person,
            relation: m.records[old].relation,
            from: Some(start),
            lost: None,
            limits: Vec::new(),
            diseases: Vec::new(),
            files: vec![files.clone()],
            notes: vec![format!(
                "unknown: the newer 資格 that 資格有効性 3 ({files}) says exists: no file shows its insurer or numbers; made up, starting on the old one's 喪失日"
            )],
            registered_on: Some(start),
            copay: None,
            open_by_law: false,
            by_law: false,
        });
    }
}

/// The 所得区分 (or an explicit 負担割合) that gives the ratios the answers show.
fn income(m: &mut Model) {
    let rules = RuleSet::builtin();
    const CLASSES: [(IncomeClass, &str); 4] = [
        (IncomeClass::General, "general"),
        (IncomeClass::ActiveIncome, "active"),
        (IncomeClass::GeneralII, "general2"),
        (IncomeClass::Low, "low"),
    ];
    for p in 0..m.people.len() {
        let birth = m.people[p].identity.birth;
        // (record, confirmation date, ratio) of every result of the person.
        let mut seen: Vec<(usize, Date, u8)> = Vec::new();
        for e in &m.events {
            if let Answer::Confirm(a) = &e.answer {
                for x in &a.results {
                    if m.records[x.record].person == p
                        && let Some(c) = x.copay
                    {
                        seen.push((x.record, confirmation_date(e), c));
                    }
                }
            }
        }
        if seen.is_empty() {
            continue;
        }
        let gives = |class: IncomeClass, d: Date, c: u8| {
            rules.copay_percent(birth, d, class).is_ok_and(|x| x == c)
        };
        let best = CLASSES
            .iter()
            .max_by_key(|(class, name)| {
                let n = seen
                    .iter()
                    .filter(|(_, d, c)| gives(*class, *d, *c))
                    .count();
                (n, *name == "general")
            })
            .copied()
            .unwrap_or(CLASSES[0]);
        if best.1 != "general" {
            m.people[p].income = Some(best.1);
            m.people[p].notes.push(format!(
                "income: {}: the 所得区分 that gives the 負担割合 the answers show (the files do not state it)",
                best.1
            ));
        }
        let mut by_record: BTreeMap<usize, Vec<(Date, u8)>> = BTreeMap::new();
        for (r, d, c) in &seen {
            if !gives(best.0, *d, *c) {
                by_record.entry(*r).or_default().push((*d, *c));
            }
        }
        for (r, odd) in by_record {
            let ratios: Vec<u8> = odd.iter().map(|(_, c)| *c).collect();
            let all: Vec<u8> = seen
                .iter()
                .filter(|(x, _, _)| *x == r)
                .map(|(_, _, c)| *c)
                .collect();
            let rule = rules
                .copay_percent(birth, odd[0].0, best.0)
                .map_or_else(|_| "no ratio".to_string(), |c| format!("{c}%"));
            if all.iter().all(|c| *c == all[0]) {
                m.records[r].copay = Some(all[0]);
                m.records[r].notes.push(format!(
                    "copay_percent {}: the answers' ratio, which no 所得区分 gives at this age (the rules give {rule} on {}): kept as the insurer's own 負担割合",
                    all[0], odd[0].0
                ));
            } else {
                m.records[r].notes.push(format!(
                    "unknown: the answers show the 負担割合 {ratios:?}, which no one 所得区分 gives; the checks will show the difference"
                ));
            }
        }
    }
}

/// Visits for the consents answers show as given before them, and for data answers no
/// consent of the files explains.
fn consent_visits(m: &mut Model) {
    let mut added: Vec<Event> = Vec::new();
    let visit_at = |events: &[Event], added: &[Event], p: usize, i, at: Moment| {
        events.iter().chain(added).any(|e| {
            e.person == Some(p)
                && e.institution == i
                && e.at == at
                && matches!(e.action, Action::Visit { .. })
        })
    };
    for e in &m.events {
        let Some(p) = e.person else { continue };
        for (item, at, granted, until) in &e.prior_consents {
            if visit_at(&m.events, &added, p, e.institution, *at) {
                continue;
            }
            if let Some(v) = added
                .iter_mut()
                .find(|v| v.person == Some(p) && v.institution == e.institution && v.at == *at)
            {
                set_consent(v, item, *granted);
                continue;
            }
            let mut v = synthetic_visit(e, *at);
            if let (Action::Visit { care, .. }, true) = (&mut v.action, *granted) {
                *care = super::gather::care_of(*at, *until);
            }
            v.notes.push(format!(
                "not in the files: the answer of {} shows a consent given at {}; this visit stands for the one that gave it",
                e.files.join(", "),
                at
            ));
            set_consent(&mut v, item, *granted);
            added.push(v);
        }
    }
    m.events.extend(added);
    m.events.sort_by_key(|e| e.at);
    // Data answers that needed a consent no visit gives.
    let mut more = Vec::new();
    for (i, e) in m.events.iter().enumerate() {
        let (Action::Fetch(kind), Answer::Data(DataAnswer::Shared { .. }), Some(p)) =
            (&e.action, &e.answer, e.person)
        else {
            continue;
        };
        let item = match kind {
            MedicalDataKind::Medication => "medication",
            MedicalDataKind::Checkup => "checkup",
        };
        let day_before = e.at.plus(jiff::Span::new().hours(-24)).unwrap_or(e.at);
        let given = m.events[..i].iter().any(|v| {
            v.person == Some(p)
                && v.institution == e.institution
                && v.at >= day_before
                && matches!(&v.action, Action::Visit { consent, .. } if granted(consent, item))
        });
        if given {
            continue;
        }
        let at = e.at.plus(jiff::Span::new().minutes(-1)).unwrap_or(e.at);
        let mut v = synthetic_visit(e, at);
        v.notes.push(format!(
            "not in the files: the data answer of {} needs a consent at this institution; this visit, a minute before, stands for the one that gave it",
            e.files.join(", ")
        ));
        set_consent(&mut v, item, true);
        more.push(v);
    }
    m.events.extend(more);
    m.events.sort_by_key(|e| e.at);
}

fn granted(c: &Consent, item: &str) -> bool {
    match item {
        "medication" => c.medication == Some(true),
        "checkup" => c.checkup == Some(true),
        "treatment" => c.treatment == Some(true),
        _ => c.surgery == Some(true),
    }
}

fn synthetic_visit(of: &Event, at: Moment) -> Event {
    Event {
        at,
        institution: of.institution,
        person: of.person,
        action: Action::Visit {
            confirmation_date: None,
            consent: Consent::default(),
            care: None,
            synthetic: true,
        },
        answer: Answer::None,
        files: Vec::new(),
        notes: Vec::new(),
        prior_consents: Vec::new(),
        data_identity: None,
        asked: None,
    }
}

fn set_consent(v: &mut Event, item: &str, value: bool) {
    if let Action::Visit { consent, .. } = &mut v.action {
        let slot = match item {
            "medication" => &mut consent.medication,
            "checkup" => &mut consent.checkup,
            "treatment" => &mut consent.treatment,
            _ => &mut consent.surgery,
        };
        *slot = Some(value);
    }
}
