//! Who is who: the 資格 records the results show (one per 保険者番号・記号・番号・枝番), the people
//! they belong to (the same 氏名 and 生年月日), and the person of every event. Files that
//! disagree about a record (two 生年月日, two 氏名, two 取得日 … for the same numbers) are
//! reported with both files and values and nothing is guessed.
//!
//! Names are compared without spaces, and `●` (what a Shift_JIS file writes for a character it
//! cannot carry, 外字) matches any one character: the same person in a UTF-8 and a Shift_JIS
//! file is one person.

use std::collections::BTreeMap;

use onshi_sim::clock::Date;
use onshi_sim::ids::{InstitutionCode, InsurerNumber};
use onshi_sim::oqs::{
    LimitCertificateInfo, PersonalFamily, ReasonOfLoss, Sex, SpecificDiseaseCertificate,
};

use super::diag::{Diagnostic, Diagnostics};
use super::facts::{Action, Answer, Event, Facts, Identity, Numbers};

/// One 資格 record of the scenario's world.
#[derive(Clone, Debug)]
pub(super) struct Record {
    /// Its numbers (枝番 included).
    pub(super) numbers: Numbers,
    /// Whose (index into [`Model::people`]).
    pub(super) person: usize,
    /// 本人/家族.
    pub(super) relation: Option<PersonalFamily>,
    /// 資格取得年月日.
    pub(super) from: Option<Date>,
    /// 資格喪失年月日 and 事由.
    pub(super) lost: Option<(Date, Option<ReasonOfLoss>)>,
    /// 限度額 certificates seen, oldest first.
    pub(super) limits: Vec<LimitCertificateInfo>,
    /// 特定疾病 certificates seen.
    pub(super) diseases: Vec<SpecificDiseaseCertificate>,
    /// The files that show it.
    pub(super) files: Vec<String>,
    /// Comment lines (inferences, unknowns).
    pub(super) notes: Vec<String>,
    /// When the registry learnt of it (set by inference).
    pub(super) registered_on: Option<Date>,
    /// A 負担割合 the insurer set (set by inference when the age rules cannot give it).
    pub(super) copay: Option<u8>,
    /// Left open: the 75th-birthday law ends it (set by inference).
    pub(super) open_by_law: bool,
    /// Started by the 75th-birthday law: written as the person's `late_elderly_number`.
    pub(super) by_law: bool,
    /// The insurer's own 所得区分 by period (set by inference when the answers' ratio changes).
    pub(super) income: Vec<(Date, &'static str)>,
}

/// A person of the scenario's world.
#[derive(Clone, Debug)]
pub(super) struct Person {
    /// Who the files say they are (real values; pseudonymised when written).
    pub(super) identity: Identity,
    /// The files that show them.
    pub(super) files: Vec<String>,
    /// Comment lines.
    pub(super) notes: Vec<String>,
    /// 所得区分 that gives the 負担割合 the answers show (set by inference).
    pub(super) income: Option<&'static str>,
    /// Whether no file names them (a face file with an error only): the birth date is made up.
    pub(super) unnamed: bool,
    /// The card (set by inference, for a person who presents one).
    pub(super) card: Option<super::card::CardPlan>,
}

/// An insurer of the scenario's world.
#[derive(Clone, Debug, Default)]
pub(super) struct Insurer {
    /// The name an answer gives.
    pub(super) name: Option<String>,
    /// Days a change takes to reach the registry (inferred).
    pub(super) lag_days: u32,
    /// Comment lines.
    pub(super) notes: Vec<String>,
    /// The files that show it.
    pub(super) files: Vec<String>,
}

/// The world and events the scenario is written from.
#[derive(Clone, Debug, Default)]
pub(super) struct Model {
    /// 資格 records.
    pub(super) records: Vec<Record>,
    /// People.
    pub(super) people: Vec<Person>,
    /// Insurers, by number.
    pub(super) insurers: BTreeMap<InsurerNumber, Insurer>,
    /// Institutions and the files that name them.
    pub(super) institutions: BTreeMap<InstitutionCode, Vec<String>>,
    /// Consent items whose flags the answers of an institution carry.
    pub(super) items_seen: BTreeMap<InstitutionCode, Vec<&'static str>>,
    /// Events, in time order.
    pub(super) events: Vec<Event>,
    /// Rule switches the answers need: name, value, why (set by inference).
    pub(super) switches: Vec<(&'static str, bool, String)>,
}

/// Names equal up to spaces, `●` matching any one character.
pub(super) fn same_name(a: &str, b: &str) -> bool {
    let strip = |s: &str| -> Vec<char> { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let (a, b) = (strip(a), strip(b));
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || *x == '●' || *y == '●')
}

/// How a record's numbers read in a message.
pub(super) fn numbers_text(n: &Numbers) -> String {
    format!(
        "保険者番号 {} 記号 {} 番号 {} 枝番 {}",
        n.insurer,
        n.symbol.as_deref().unwrap_or("-"),
        n.number,
        n.branch.as_deref().unwrap_or("-")
    )
}

/// Builds the records and people, and gives every event its person; contradictions go to
/// `diags`.
pub(super) fn resolve(facts: Facts, diags: &mut Diagnostics) -> Model {
    let mut m = Model {
        institutions: facts.institutions,
        items_seen: facts.items_seen,
        ..Model::default()
    };
    // Records by numbers, checked for agreement.
    let mut by_numbers: BTreeMap<Numbers, usize> = BTreeMap::new();
    let mut seen_to_record = Vec::with_capacity(facts.seen.len());
    let mut identities: Vec<Vec<(String, Identity)>> = Vec::new();
    for s in &facts.seen {
        let i = *by_numbers.entry(s.numbers.clone()).or_insert_with(|| {
            m.records.push(Record {
                numbers: s.numbers.clone(),
                person: usize::MAX,
                relation: None,
                from: None,
                lost: None,
                limits: Vec::new(),
                diseases: Vec::new(),
                files: Vec::new(),
                notes: Vec::new(),
                registered_on: None,
                copay: None,
                open_by_law: false,
                by_law: false,
                income: Vec::new(),
            });
            identities.push(Vec::new());
            m.records.len() - 1
        });
        seen_to_record.push(i);
        let r = &mut m.records[i];
        let what = numbers_text(&s.numbers);
        let first = identities[i].first().cloned();
        if let Some((file, id)) = &first {
            agree(
                diags,
                &what,
                "生年月日",
                file,
                &s.file,
                Some(id.birth),
                Some(s.identity.birth),
            );
            if let (Some(a), Some(b)) = (&id.name, &s.identity.name)
                && !same_name(a, b)
            {
                diags.push(Diagnostic::contradiction(
                    &format!("the 氏名 of {what}"),
                    &[(file, a.clone()), (&s.file, b.clone())],
                ));
            }
            let known = |x: Option<Sex>| x.filter(|s| *s != Sex::Unset);
            agree(
                diags,
                &what,
                "性別",
                file,
                &s.file,
                known(id.sex),
                known(s.identity.sex),
            );
        }
        let prev = r.files.first().cloned().unwrap_or_default();
        agree(
            diags,
            &what,
            "資格取得年月日",
            &prev,
            &s.file,
            r.from,
            s.from,
        );
        agree(
            diags,
            &what,
            "本人・家族の別",
            &prev,
            &s.file,
            r.relation,
            s.relation,
        );
        agree(
            diags,
            &what,
            "資格喪失年月日",
            &prev,
            &s.file,
            r.lost.map(|l| l.0),
            s.lost.map(|l| l.0),
        );
        r.from = r.from.or(s.from);
        r.relation = r.relation.or(s.relation);
        r.lost = r.lost.or(s.lost);
        if let Some(l) = &s.limit
            && !r.limits.contains(l)
        {
            r.limits.push(l.clone());
        }
        for d in &s.diseases {
            if !r.diseases.contains(d) {
                r.diseases.push(d.clone());
            }
        }
        if !r.files.contains(&s.file) {
            r.files.push(s.file.clone());
        }
        identities[i].push((s.file.clone(), s.identity.clone()));
        let insurer = m.insurers.entry(s.numbers.insurer).or_default();
        if insurer.name.is_none() {
            insurer.name = s.insurer_name.clone();
        }
        if !insurer.files.contains(&s.file) {
            insurer.files.push(s.file.clone());
        }
    }
    // People: records with the same 氏名 and 生年月日.
    for (i, ids) in identities.iter().enumerate() {
        let Some((file, id)) = ids.first() else {
            continue;
        };
        let p = find_or_add(&mut m.people, id, file);
        for (f, other) in ids {
            merge(&mut m.people[p], other, f);
        }
        m.records[i].person = p;
    }
    for r in &mut m.records {
        r.limits
            .sort_by_key(|l| l.valid_start.or(l.certificate_date));
    }
    // Events: their results point at records now, and each gets its person.
    let mut events = facts.events;
    for e in &mut events {
        if let Answer::Confirm(a) = &mut e.answer {
            for r in &mut a.results {
                r.record = seen_to_record[r.record];
            }
        }
    }
    for i in 0..events.len() {
        let person = person_of(&mut m, &events, i, diags);
        events[i].person = person;
    }
    events.sort_by_key(|e| e.at);
    m.events = events;
    m
}

/// Reports a disagreement between two files about one fact of a record.
fn agree<T: PartialEq + std::fmt::Debug>(
    diags: &mut Diagnostics,
    what: &str,
    field: &str,
    file_a: &str,
    file_b: &str,
    a: Option<T>,
    b: Option<T>,
) {
    if let (Some(a), Some(b)) = (a, b)
        && a != b
    {
        diags.push(Diagnostic::contradiction(
            &format!("the {field} of {what}"),
            &[(file_a, format!("{a:?}")), (file_b, format!("{b:?}"))],
        ));
    }
}

/// The person with this 氏名 and 生年月日, added when new.
fn find_or_add(people: &mut Vec<Person>, id: &Identity, file: &str) -> usize {
    let found = people.iter().position(|p| {
        !p.unnamed
            && p.identity.birth == id.birth
            && match (&p.identity.name, &id.name) {
                (Some(a), Some(b)) => same_name(a, b),
                (None, None) => true,
                _ => false,
            }
    });
    match found {
        Some(i) => i,
        None => {
            people.push(Person {
                identity: id.clone(),
                files: vec![file.to_string()],
                notes: Vec::new(),
                income: None,
                unnamed: false,
                card: None,
            });
            people.len() - 1
        }
    }
}

/// Adds what another file shows of a person: a name without `●` wins, the first kana and sex,
/// the latest address.
fn merge(p: &mut Person, id: &Identity, file: &str) {
    let has_gap = |s: &Option<String>| s.as_deref().is_some_and(|s| s.contains('●'));
    if p.identity.name.is_none() || (has_gap(&p.identity.name) && !has_gap(&id.name)) {
        p.identity.name = id.name.clone().or(p.identity.name.take());
    }
    if p.identity.kana.is_none() || (has_gap(&p.identity.kana) && !has_gap(&id.kana)) {
        p.identity.kana = id.kana.clone().or(p.identity.kana.take());
    }
    if p.identity.sex.is_none_or(|s| s == Sex::Unset) {
        p.identity.sex = id.sex.or(p.identity.sex);
    }
    if id.address.is_some() {
        p.identity.address = id.address.clone();
    }
    if !p.files.iter().any(|f| f == file) {
        p.files.push(file.to_string());
    }
}

/// The person of event `i`.
fn person_of(m: &mut Model, events: &[Event], i: usize, diags: &mut Diagnostics) -> Option<usize> {
    let e = &events[i];
    if let Answer::Confirm(a) = &e.answer
        && let Some(r) = a.results.first()
    {
        return Some(m.records[r.record].person);
    }
    let by_numbers = |m: &Model, n: &Numbers| {
        m.records
            .iter()
            .find(|r| n.names(&r.numbers))
            .map(|r| r.person)
    };
    match &e.action {
        Action::Numbers { numbers, birth, .. } => Some(
            by_numbers(m, numbers).unwrap_or_else(|| anonymous(m, *birth, first_file(e), false)),
        ),
        Action::Fetch(_) => {
            let asked = e.asked.as_ref().and_then(|n| by_numbers(m, n));
            match (asked, &e.data_identity) {
                (Some(p), Some(id)) => {
                    let known = &m.people[p].identity;
                    let name_ok = match (&known.name, &id.name) {
                        (Some(a), Some(b)) => same_name(a, b),
                        _ => true,
                    };
                    if known.birth != id.birth || !name_ok {
                        diags.push(Diagnostic::contradiction(
                            "whose data the answer holds",
                            &[
                                (
                                    m.people[p].files.first().map_or("", String::as_str),
                                    format!(
                                        "the requested numbers belong to {} born {}",
                                        known.name.as_deref().unwrap_or("?"),
                                        known.birth
                                    ),
                                ),
                                (
                                    e.files.last().map_or("", String::as_str),
                                    format!(
                                        "the answer is for {} born {}",
                                        id.name.as_deref().unwrap_or("?"),
                                        id.birth
                                    ),
                                ),
                            ],
                        ));
                    }
                    Some(p)
                }
                (Some(p), None) => Some(p),
                (None, Some(id)) => {
                    let file = e.files.last().cloned().unwrap_or_default();
                    let p = find_or_add(&mut m.people, id, &file);
                    merge(&mut m.people[p], id, &file);
                    Some(p)
                }
                (None, None) => None,
            }
        }
        Action::Visit { .. } => {
            // A card answer that names nobody: the desk's confirmation by numbers within a
            // minute names the patient, if there is one. A card answered 該当資格なし (4) is
            // only the person of a confirmation by numbers that found nothing either: had the
            // registry known the record it found, the card would have found it too. Another
            // card's answer names someone else.
            let refused = matches!(&e.answer, Answer::Confirm(a) if a.refused.is_some());
            let near = events.iter().enumerate().find_map(|(j, o)| {
                let close = super::gather::seconds_between(e.at, o.at).abs() <= 60;
                let Action::Numbers { numbers, .. } = &o.action else {
                    return None;
                };
                let found = matches!(&o.answer, Answer::Confirm(a) if !a.results.is_empty());
                (j != i && close && o.institution == e.institution && (refused || !found))
                    .then(|| match &o.answer {
                        Answer::Confirm(a) if !a.results.is_empty() => {
                            Some(m.records[a.results[0].record].person)
                        }
                        _ => by_numbers(m, numbers),
                    })
                    .flatten()
            });
            Some(near.unwrap_or_else(|| {
                let born = Date::new(1980, 4, 1).unwrap_or(e.at.date());
                anonymous(m, born, first_file(e), true)
            }))
        }
        Action::Note | Action::Card(_) => None,
    }
}

fn first_file(e: &Event) -> &str {
    e.files.first().map_or("", String::as_str)
}

/// A person no result names: one per 生年月日 asked for (or, for a face file with an error
/// only, one made up).
fn anonymous(m: &mut Model, birth: Date, file: &str, unnamed: bool) -> usize {
    // Faces that name nobody are each someone of their own: nothing says two are one person.
    let same = |p: &Person| p.identity.name.is_none() && p.identity.birth == birth && !p.unnamed;
    if let Some(i) = m.people.iter().position(same).filter(|_| !unnamed) {
        if !m.people[i].files.iter().any(|f| f == file) {
            m.people[i].files.push(file.to_string());
        }
        return i;
    }
    let mut notes = Vec::new();
    if unnamed {
        notes.push(
            "unknown: who this is: the face file names nobody (an error, or 該当資格なし) and no confirmation by numbers near it does; the 生年月日 is made up".into(),
        );
    } else {
        notes.push(
            "unknown: this person's 資格: the files show only the numbers and 生年月日 a clinic asked for".into(),
        );
    }
    m.people.push(Person {
        identity: Identity {
            name: None,
            kana: None,
            birth,
            sex: None,
            address: None,
        },
        files: vec![file.to_string()],
        notes,
        income: None,
        unnamed,
        card: None,
    });
    m.people.len() - 1
}
