//! The steps: one per exchange at the time its file records (`advance_to` and a `visit` with
//! the card for a face file, `confirm.numbers` for a 資格確認 request and its result or a bulk
//! unit, `fetch` for a YZK/TKK request; the requests the desk made itself at a card visit are
//! that visit's), each followed by an `expect` step that restates what the answer said, so the
//! scenario passes against the reference where the reference agrees with the field and fails
//! on the field where it does not; and the `card.*` steps the answers imply between them.

use std::fmt::Write as _;

use onshi_sim::oqs::{MedicalDataKind, QualificationValidity};

use super::Restated;
use super::emit::{Ctx, comment, moment, q};
use super::facts::{Action, Answer, ConfirmAnswer, Consent, DataAnswer, Event};

/// Writes the `steps:` list; returns what each step's expectations restate.
pub(super) fn steps(ctx: &Ctx<'_>, o: &mut String) -> Vec<Restated> {
    let mut restated = Vec::new();
    o.push_str("steps:\n");
    let mut clock = ctx.start;
    let mut counts = [0usize; 4];
    for e in &ctx.m.events {
        ctx.sources_comment(o, 2, &e.files);
        ctx.notes(o, 2, &e.notes);
        let (Some(p), false) = (e.person, matches!(e.action, Action::Note)) else {
            continue;
        };
        if e.at > clock {
            let _ = writeln!(o, "  - advance_to: {}", moment(e.at));
            clock = e.at;
        }
        let person = &ctx.person_keys[p];
        if let Action::Card(step) = e.action {
            let _ = writeln!(o, "  - {step}: {{ person: {person} }}");
            continue;
        }
        let at = ctx
            .institution_keys
            .get(&e.institution)
            .map_or("institution-1", String::as_str);
        let name = match &e.action {
            Action::Visit {
                synthetic: true, ..
            } => step_name(&mut counts[3], "c"),
            Action::Visit { .. } => step_name(&mut counts[0], "v"),
            Action::Numbers { .. } => step_name(&mut counts[1], "n"),
            _ => step_name(&mut counts[2], "f"),
        };
        if let Answer::Confirm(a) = &e.answer
            && a.refused == Some("outage")
        {
            let kind = match a.code.as_deref() {
                Some("ONS-E0202") => "emergency",
                Some("ONS-E0203") => "throttle",
                _ => "maintenance",
            };
            comment(
                o,
                2,
                "unknown: how long the system was unavailable; one minute from the answer is assumed",
            );
            let _ = writeln!(o, "  - outage: {{ kind: {kind}, for: 1m }}");
        }
        let kind = match &e.action {
            Action::Visit {
                confirmation_date,
                consent,
                care,
                ..
            } => {
                let mut f = vec![
                    format!("name: {name}"),
                    format!("person: {person}"),
                    format!("at: {at}"),
                    "presents: card".to_string(),
                ];
                let c = consent_map(consent);
                if !c.is_empty() {
                    f.push(format!("consent: {{ {} }}", c.join(", ")));
                }
                if let Some(care) = care {
                    f.push(format!("care: {care}"));
                }
                if let Some(d) = confirmation_date {
                    f.push(format!("confirmation_date: {d}"));
                }
                let _ = writeln!(o, "  - visit: {{ {} }}", f.join(", "));
                "visit"
            }
            Action::Numbers {
                numbers,
                birth,
                limit_consent,
                confirmation_date,
            } => {
                if let Some(d) = confirmation_date {
                    comment(
                        o,
                        2,
                        &format!(
                            "unknown: the request asked for 資格確認日 {d}; a confirmation by numbers confirms on the day it runs"
                        ),
                    );
                }
                let mut f = vec![
                    format!("name: {name}"),
                    format!("at: {at}"),
                    format!("person: {person}"),
                    format!(
                        "insurer_number: {}",
                        q(&ctx.pseudo.insurer(numbers.insurer).digits())
                    ),
                ];
                // A 記号 or 枝番 the request left out: a step without it sends the person's
                // current one, so it is written empty when the person has one then.
                let current = current_record(ctx, p, e.at.date());
                match (
                    &numbers.symbol,
                    current.and_then(|r| r.numbers.symbol.as_ref()),
                ) {
                    (Some(s), _) => f.push(format!("symbol: {}", q(&ctx.pseudo.symbol(s)))),
                    (None, None) => {}
                    (None, Some(_)) => {
                        comment(
                            o,
                            2,
                            "the request left out the 記号: sent empty (an empty element, where the file had none)",
                        );
                        f.push("symbol: \"\"".into());
                    }
                }
                f.push(format!(
                    "number: {}",
                    q(&ctx.pseudo.number(&numbers.number))
                ));
                match (&numbers.branch, current) {
                    (Some(b), _) => f.push(format!("branch: {}", q(b))),
                    (None, None) => {}
                    (None, Some(_)) => {
                        comment(
                            o,
                            2,
                            "the request left out the 枝番: sent empty (an empty element, where the file had none)",
                        );
                        f.push("branch: \"\"".into());
                    }
                }
                f.push(format!("born: {birth}"));
                f.push(format!("limit_consent: {limit_consent}"));
                let _ = writeln!(o, "  - confirm.numbers: {{ {} }}", f.join(", "));
                "confirm.numbers"
            }
            Action::Fetch(kind) => {
                let kind = match kind {
                    MedicalDataKind::Medication => "medication",
                    MedicalDataKind::Checkup => "checkup",
                };
                let _ = writeln!(
                    o,
                    "  - fetch: {{ name: {name}, person: {person}, at: {at}, kind: {kind} }}"
                );
                "fetch"
            }
            Action::Note | Action::Card(_) => continue,
        };
        let checks = match &e.answer {
            Answer::Confirm(a) => confirmation(ctx, e, a),
            Answer::Data(d) => data(fetched_kind(e), d),
            Answer::None => Vec::new(),
        };
        let expect = match (&e.answer, &e.action) {
            (Answer::Confirm(_), _) => "confirmation",
            (_, _) => "data",
        };
        if let Answer::Confirm(a) = &e.answer
            && a.refused == Some("unknown")
        {
            comment(
                o,
                2,
                &format!(
                    "unknown: the answer's error code {} has no name in the scenario language; nothing restated",
                    a.code
                        .as_deref()
                        .map_or_else(|| "(none)".into(), super::shown_code)
                ),
            );
        }
        if let Answer::Data(DataAnswer::Withheld(None, code)) = &e.answer {
            comment(
                o,
                2,
                &format!(
                    "unknown: the answer's error code {} has no name in the scenario language; nothing restated",
                    super::shown_code(code)
                ),
            );
        }
        let mut groups = vec![(expect, checks)];
        let mut files = e.files.clone();
        if let Some((answer, numbers_files)) = &e.desk_numbers {
            ctx.sources_comment(o, 2, numbers_files);
            comment(
                o,
                2,
                "the desk's own confirmation by the numbers of the patient's papers after the card was refused: the visit makes it again; what the desk recorded from its answer is restated",
            );
            groups.push(("requests", vec![("sent", "[siquc01]".to_string())]));
            groups.push(("provider", desk_record(ctx, answer)));
            files.extend(numbers_files.iter().cloned());
        }
        for d in &e.desk_data {
            ctx.sources_comment(o, 2, &d.files);
            comment(
                o,
                2,
                "the desk's own data request at the visit (its answer shows the consent): the visit makes it again",
            );
            groups.push(("data", data(d.kind, &d.answer)));
            files.extend(d.files.iter().cloned());
        }
        let written: Vec<&(&str, Vec<(&str, String)>)> =
            groups.iter().filter(|(_, c)| !c.is_empty()).collect();
        if !written.is_empty() {
            o.push_str("  - expect:\n");
            for (expect, checks) in &written {
                let _ = writeln!(o, "      - {expect}:\n          of: {name}");
                for (k, v) in checks {
                    let _ = writeln!(o, "          {k}: {v}");
                }
            }
        }
        restated.push(Restated {
            step: name,
            kind,
            at: moment(e.at),
            files: files
                .iter()
                .map(|f| ctx.labels.get(f).cloned().unwrap_or_else(|| f.clone()))
                .collect(),
            checks: groups
                .into_iter()
                .flat_map(|(expect, checks)| {
                    checks.into_iter().map(move |(k, v)| {
                        (format!("{expect}.{k}"), v.trim_matches('"').to_string())
                    })
                })
                .collect(),
        });
    }
    if restated.is_empty() {
        o.push_str("  []\n");
    }
    restated
}

/// The record a step's defaults take the numbers from: the person's 資格 that covers `day` in
/// the world written (the 75th-birthday law's, added last, first; then the latest 取得日).
fn current_record<'a>(
    ctx: &'a Ctx<'_>,
    p: usize,
    day: onshi_sim::clock::Date,
) -> Option<&'a super::identity::Record> {
    (0..ctx.m.records.len())
        .filter(|r| ctx.m.records[*r].person == p && super::windows::covers(ctx.m, *r, day))
        .max_by_key(|r| (ctx.m.records[*r].by_law, ctx.m.records[*r].from))
        .map(|r| &ctx.m.records[r])
}

fn step_name(count: &mut usize, prefix: &str) -> String {
    *count += 1;
    format!("{prefix}{count}")
}

fn consent_map(c: &Consent) -> Vec<String> {
    let items = [
        ("limit_info", c.limit_info),
        ("specific_disease", c.specific_disease),
        ("checkup", c.checkup),
        ("medication", c.medication),
        ("treatment", c.treatment),
        ("surgery", c.surgery),
    ];
    items
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
        .collect()
}

/// The fields of a `confirmation` expectation that restate the answer.
fn confirmation(ctx: &Ctx<'_>, e: &Event, a: &ConfirmAnswer) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match a.refused {
        Some("unknown") => return out,
        Some(r) => {
            out.push(("refused", r.to_string()));
            return out;
        }
        None => out.push(("refused", "none".into())),
    }
    if let Some(v) = a.validity {
        out.push(("validity", v.code().to_string()));
    }
    out.push(("results", a.results.len().to_string()));
    let by_card = matches!(e.action, Action::Visit { .. });
    if by_card {
        out.push((
            "scope",
            if a.notice.as_deref() == Some("ONS-W0302") {
                "qualification_only".into()
            } else {
                "full".into()
            },
        ));
        // In the grace period the answer says ONS-W0302 only: whether the expiry notice is
        // on as well is not in the file.
        match a.notice.as_deref() {
            Some("ONS-W0302") => {}
            Some(_) => out.push(("expiry_notice", "any".into())),
            None => out.push(("expiry_notice", "none".into())),
        }
    }
    let Some(r) = a.results.first() else {
        return out;
    };
    let rec = &ctx.m.records[r.record];
    out.push((
        "insurer_number",
        q(&ctx.pseudo.insurer(rec.numbers.insurer).digits()),
    ));
    if r.insurer_name.is_some()
        && let Some(n) = ctx.insurer_names.get(&rec.numbers.insurer)
    {
        out.push(("insurer_name", q(n)));
    }
    out.push(("name", q(&ctx.person_names[rec.person])));
    out.push((
        "birth",
        q(&ctx.m.people[rec.person].identity.birth.to_string()),
    ));
    numbers_checks(ctx, rec, &mut out);
    if let Some(c) = r.copay {
        out.push(("copay_percent", c.to_string()));
    }
    out.push((
        "elderly_copay",
        match r.elderly {
            Some(Some(c)) => c.to_string(),
            Some(None) => "none".into(),
            None => "none".into(),
        },
    ));
    out.push(("preschool", r.preschool.to_string()));
    match &r.limit {
        Some((category, long)) => {
            out.push(("limit_category", category.clone()));
            out.push((
                "long_stay_from",
                long.map_or_else(|| "none".into(), |d| d.to_string()),
            ));
        }
        None => out.push(("limit_category", "none".into())),
    }
    out.push(("disease", r.disease.unwrap_or("none").to_string()));
    out.push((
        "loss_date",
        r.loss.map_or_else(|| "none".into(), |d| d.to_string()),
    ));
    if a.validity == Some(QualificationValidity::Multiple) {
        // Only the first result's fields can be checked; the others are in the world.
    }
    out
}

/// The `symbol`, `number` and `branch` checks of a record.
fn numbers_checks(
    ctx: &Ctx<'_>,
    rec: &super::identity::Record,
    out: &mut Vec<(&'static str, String)>,
) {
    if let Some(s) = &rec.numbers.symbol {
        out.push(("symbol", q(&ctx.pseudo.symbol(s))));
    }
    out.push(("number", q(&ctx.pseudo.number(&rec.numbers.number))));
    if let Some(b) = &rec.numbers.branch {
        out.push(("branch", q(b)));
    }
}

/// What the reference desk records from the answer of its own confirmation by numbers: the
/// answer's numbers and ratio when it found the patient's 資格 valid.
fn desk_record(ctx: &Ctx<'_>, a: &ConfirmAnswer) -> Vec<(&'static str, String)> {
    let (Some(QualificationValidity::Valid), Some(r)) = (a.validity, a.results.first()) else {
        return Vec::new();
    };
    let rec = &ctx.m.records[r.record];
    let mut out = vec![
        ("path", "confirmed".to_string()),
        (
            "insurer_number",
            q(&ctx.pseudo.insurer(rec.numbers.insurer).digits()),
        ),
    ];
    numbers_checks(ctx, rec, &mut out);
    if let Some(c) = r.copay {
        out.push(("copay_percent", c.to_string()));
    }
    out
}

/// The data kind a `fetch` event asked for.
fn fetched_kind(e: &Event) -> MedicalDataKind {
    match e.action {
        Action::Fetch(k) => k,
        _ => MedicalDataKind::Medication,
    }
}

/// The fields of a `data` expectation.
fn data(kind: MedicalDataKind, d: &DataAnswer) -> Vec<(&'static str, String)> {
    let kind = match kind {
        MedicalDataKind::Checkup => "checkup",
        MedicalDataKind::Medication => "medication",
    };
    match d {
        DataAnswer::Shared { records, checkups } => vec![
            ("kind", kind.into()),
            (
                "shared",
                if kind == "checkup" {
                    checkups.len()
                } else {
                    records.len()
                }
                .to_string(),
            ),
        ],
        DataAnswer::Withheld(Some(reason), _) => {
            vec![("kind", kind.into()), ("withheld", (*reason).into())]
        }
        DataAnswer::Withheld(None, _) => Vec::new(),
    }
}
