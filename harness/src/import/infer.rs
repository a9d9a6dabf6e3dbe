//! What the files leave open, filled in so that the reference gives the answers the files
//! show, each choice said in a comment:
//!
//! - a record no answer shows the 取得日 of starts on the earliest answer that shows it;
//! - an older record a card answer no longer shows (the patient changed insurer) ends on the
//!   newer record's 取得日;
//! - the 75th-birthday law: a 後期 record that starts on the birthday is the law's (the person's
//!   `late_elderly_number`), and the records it ends stay open in the file, as the law wants;
//! - when the registry learnt of each record and loss, and of the 75th-birthday move
//!   ([`super::windows`]);
//! - a newer record an answer's 資格有効性 3 implies, when no file shows it;
//! - the 所得区分 that gives the 負担割合 the answers show, dated when it changed
//!   ([`super::income`]);
//! - which data requests were the desk's own at a card visit (the reference desk asks for the
//!   data its answer shows consent for): they are restated on the visit, not as steps;
//! - visits that gave the consents the answers show as given earlier, or that a data answer
//!   needs, when no face file of them is among the files;
//! - the card: its issue date, and renewals, losses and reissues between answers
//!   ([`super::card`]).

use onshi_sim::clock::{Date, Moment};
use onshi_sim::oqs::{MedicalDataKind, QualificationValidity};
use onshi_sim::rules::late_elderly::late_elderly_start;

use super::facts::{Action, Answer, Consent, DataAnswer, DeskData, Event, Numbers};
use super::identity::{Model, Record};

/// Fills in what the files leave open.
pub(super) fn complete(m: &mut Model) {
    record_starts(m);
    replaced_records(m);
    late_elderly(m);
    super::windows::arrivals(m);
    newer_records(m);
    super::income::income(m);
    desk_data(m);
    consent_visits(m);
    desk_numbers(m);
    someone_elses(m);
    if let Some(start) = m.events.iter().map(|e| e.at).min() {
        super::card::plan(m, start.date());
    }
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
pub(super) fn shown(m: &Model, r: usize) -> Vec<(usize, usize)> {
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

pub(super) fn days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

pub(super) fn days_between(a: Date, b: Date) -> i64 {
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
            income: Vec::new(),
        });
    }
}

/// The card visit of person `p` at the institution and moment of `of` that `fits`.
fn card_visit_with(
    m: &Model,
    p: usize,
    of: &Event,
    fits: impl Fn(&Event) -> bool,
) -> Option<usize> {
    m.events.iter().position(|v| {
        v.person == Some(p)
            && v.institution == of.institution
            && v.at == of.at
            && matches!(
                v.action,
                Action::Visit {
                    synthetic: false,
                    ..
                }
            )
            && fits(v)
    })
}

/// The data requests the desk made itself at a card visit: at the visit's moment, for its
/// patient, of a kind its answer shows consent for. The scenario's visit makes them again (the
/// reference desk asks for what the answer shows consent for), so they are restated on it.
fn desk_data(m: &mut Model) {
    let mut i = 0;
    while i < m.events.len() {
        let e = &m.events[i];
        let (Action::Fetch(kind), Answer::Data(answer), Some(p)) = (&e.action, &e.answer, e.person)
        else {
            i += 1;
            continue;
        };
        let visit = card_visit_with(m, p, e, |v| {
            matches!(&v.answer, Answer::Confirm(a) if a.refused.is_none())
                && v.consented.contains(kind)
                && !v.desk_data.iter().any(|d| d.kind == *kind)
        });
        let Some(v) = visit else {
            i += 1;
            continue;
        };
        let data = DeskData {
            kind: *kind,
            answer: answer.clone(),
            files: e.files.clone(),
        };
        m.events[v].desk_data.push(data);
        m.events.remove(i);
    }
}

/// The desk's own confirmation by the numbers of the patient's papers after a card refused for
/// a reason of the card's (expired, revoked, not registered): at the visit's moment, by the
/// numbers of the record that covers the day. The scenario's visit makes it again (the
/// reference desk does just that), so it is restated on the visit, and the visit's 限度額
/// consent is the flag the request sent.
fn desk_numbers(m: &mut Model) {
    let mut i = 0;
    while i < m.events.len() {
        let e = &m.events[i];
        let (
            Action::Numbers {
                numbers,
                birth,
                limit_consent,
                confirmation_date: None,
            },
            Answer::Confirm(answer),
            Some(p),
        ) = (&e.action, &e.answer, e.person)
        else {
            i += 1;
            continue;
        };
        let card_refusal = |a: &Answer| {
            matches!(a, Answer::Confirm(a) if matches!(
                a.refused,
                Some("certificate_expired" | "certificate_revoked" | "not_registered")
            ))
        };
        let visit = card_visit_with(m, p, e, |v| {
            card_refusal(&v.answer) && v.desk_numbers.is_none()
        });
        let papers = visit.and_then(|v| {
            let day = confirmation_date(&m.events[v]);
            (0..m.records.len())
                .filter(|r| m.records[*r].person == p && super::windows::covers(m, *r, day))
                .max_by_key(|r| m.records[*r].from)
        });
        let (Some(v), Some(r)) = (visit, papers) else {
            i += 1;
            continue;
        };
        if m.records[r].numbers != *numbers || m.people[p].identity.birth != *birth {
            i += 1;
            continue;
        }
        let (answer, files, limit) = (answer.clone(), e.files.clone(), *limit_consent);
        if let Action::Visit { consent, .. } = &mut m.events[v].action
            && !limit
        {
            consent.limit_info = Some(false);
        }
        m.events[v].desk_numbers = Some((answer, files));
        m.events.remove(i);
    }
}

/// A card answer in full (no certificate notice) whose result carries none of the consent
/// flags the institution's other answers carry: the patient answered the consent screens, so
/// the result is not theirs, as after a 紐付け誤り. The files do not say whose card it was:
/// the result's person stays the patient, and a comment says so.
fn someone_elses(m: &mut Model) {
    for e in &mut m.events {
        let shows_items = m
            .items_seen
            .get(&e.institution)
            .is_some_and(|i| !i.is_empty());
        let silent = matches!(
            (&e.action, &e.answer),
            (Action::Visit { synthetic: false, consent, .. }, Answer::Confirm(a))
                if a.refused.is_none() && a.notice.is_none() && !a.results.is_empty()
                    && *consent == Consent::default()
        );
        if shows_items && silent && e.prior_consents.is_empty() {
            e.notes.push(
                "unknown: whose card: the answer carries none of the consent answers the patient gave at the reader, as when its result is someone else's (a 紐付け誤り: insurance.mislink); the files do not say whose card it was, so the result's person is written as the patient".into(),
            );
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
        action: Action::Visit {
            confirmation_date: None,
            consent: Consent::default(),
            care: None,
            synthetic: true,
        },
        person: of.person,
        ..synthetic_event(of.institution, at)
    }
}

/// An event the files do not hold (a note until its action is set).
pub(super) fn synthetic_event(institution: onshi_sim::ids::InstitutionCode, at: Moment) -> Event {
    Event {
        at,
        institution,
        person: None,
        action: Action::Note,
        answer: Answer::None,
        files: Vec::new(),
        notes: Vec::new(),
        prior_consents: Vec::new(),
        data_identity: None,
        asked: None,
        consented: Vec::new(),
        desk_data: Vec::new(),
        desk_numbers: None,
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
