//! The card and its registration for a person who presents one. The files never give the
//! card's issue date, but the answers show its 利用者証明用電子証明書's state on each visit: valid,
//! valid with the expiry notice (`ONS-W0301`), expired in the grace period (`ONS-W0302`,
//! 資格情報のみ), expired past it (`ONS-E0104`) or revoked (`ONS-E0102`). The issue date written is
//! the latest one, a year or more before the first exchange, month by month back, whose
//! certificate expiry (the simulation's own rule: the 5th birthday after issue, capped by the
//! card's expiry) gives every state up to the first one it cannot give; with no notice in the
//! files that is a card a year old.
//!
//! A state the certificate cannot give after one it gave (valid again after the expiry, a
//! later expiry) is a renewal between the two answers: a `card.renew` step the day after the
//! earlier answer (or the first day in the window whose renewed certificate gives the later
//! states); when no renewal gives them, a `card.reissue` (a new card and certificate). A revoked
//! certificate is a card reported lost (`card.lost`) between the last answer before and the
//! refusal, and a card that answers again after it was reissued in between.

use std::fmt::Write as _;

use onshi_sim::clock::{Date, Moment};
use onshi_sim::rules::{CertificateState, RuleSet};

use super::emit::{Ctx, comment, moment};
use super::facts::{Action, Answer, Event};
use super::identity::Model;
use super::infer::{confirmation_date, days};

/// What a card answer shows of the certificate on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// Valid, no notice.
    Valid,
    /// Valid, with the expiry notice.
    Expiring,
    /// Expired, in the grace period.
    InGrace,
    /// Expired past the grace period.
    Lapsed,
    /// Revoked (the card reported lost, or replaced).
    Revoked,
}

/// One card answer: when, its confirmation date, what it shows and its files.
struct State {
    /// Its event's index.
    event: usize,
    at: Moment,
    on: Date,
    seen: Seen,
    files: String,
}

/// How far back an issue date is looked for (months).
const MONTHS_BACK: i64 = 12 * 12;

/// The card written for a person.
#[derive(Clone, Debug)]
pub(super) struct CardPlan {
    /// The issue date, when one gives the first answers.
    pub(super) issued: Option<Date>,
    /// Registered for insurance use (the day it was issued).
    pub(super) registered: bool,
    /// Comment lines.
    pub(super) notes: Vec<String>,
}

/// A card step between two answers: the step and why.
struct Step {
    at: Moment,
    step: &'static str,
    note: String,
    /// The events (indexes) it comes after and before.
    between: (Option<usize>, usize),
}

/// The card of every person who presents one, and the `card.*` steps the answers imply.
pub(super) fn plan(m: &mut Model, start: Date) {
    let mut steps: Vec<(usize, onshi_sim::ids::InstitutionCode, Step)> = Vec::new();
    for p in 0..m.people.len() {
        let visits: Vec<(usize, &Event)> = m
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.person == Some(p) && matches!(e.action, Action::Visit { .. }))
            .collect();
        let Some(institution) = visits.first().map(|(_, e)| e.institution) else {
            continue;
        };
        let mut states = Vec::new();
        let mut refusals = Vec::new();
        for (event, e) in visits {
            if let (
                Action::Visit {
                    synthetic: false, ..
                },
                Answer::Confirm(a),
            ) = (&e.action, &e.answer)
            {
                let seen = match (a.refused, a.notice.as_deref()) {
                    (Some("certificate_expired"), _) => Some(Seen::Lapsed),
                    (Some("certificate_revoked"), _) => Some(Seen::Revoked),
                    (Some(_), _) => None,
                    (None, Some("ONS-W0302")) => Some(Seen::InGrace),
                    (None, Some(_)) => Some(Seen::Expiring),
                    (None, None) => Some(Seen::Valid),
                };
                if let Some(seen) = seen {
                    states.push(State {
                        event,
                        at: e.at,
                        on: confirmation_date(e),
                        seen,
                        files: e.files.join(", "),
                    });
                }
                refusals.push(a.refused);
            }
        }
        let born = m.people[p].identity.birth;
        let (card, found) = person_plan(born, start, &states);
        let registered =
            refusals.is_empty() || !refusals.iter().all(|r| *r == Some("not_registered"));
        m.people[p].card = Some(CardPlan { registered, ..card });
        steps.extend(found.into_iter().map(|s| (p, institution, s)));
    }
    // Each step goes after the answer before it and before the one that needs it, in time.
    let mut placed: Vec<(usize, usize, Event)> = steps
        .into_iter()
        .enumerate()
        .map(|(n, (p, institution, s))| {
            let (after, target) = s.between;
            let from = after.map_or(0, |a| a + 1).min(target);
            let at = (from..target)
                .find(|k| m.events[*k].at > s.at)
                .unwrap_or(target);
            let mut e = super::infer::synthetic_event(institution, s.at);
            e.person = Some(p);
            e.action = Action::Card(s.step);
            e.notes.push(s.note);
            (at, n, e)
        })
        .collect();
    placed.sort_by_key(|(at, n, _)| std::cmp::Reverse((*at, *n)));
    for (at, _, e) in placed {
        m.events.insert(at, e);
    }
}

/// The certificate's expiry for a card issued on `issued`, and the card's.
fn issued_expiry(rules: &RuleSet, issued: Date, born: Date) -> Option<(Date, Date)> {
    let card = rules.card_expiry(issued, born).ok()?;
    let cert = rules.auth_cert_expiry(issued, born, card).ok()?;
    Some((cert, card))
}

/// Whether a certificate expiring on `cert` gives `s`.
fn gives(rules: &RuleSet, cert: Date, s: &State) -> bool {
    let state = rules.certificate_state(cert, s.on);
    let notice = rules.expiry_notice(cert, s.on);
    match s.seen {
        Seen::Valid => state == CertificateState::Valid && !notice,
        Seen::Expiring => state == CertificateState::Valid && notice,
        Seen::InGrace => state == CertificateState::InGrace,
        Seen::Lapsed => state == CertificateState::Lapsed,
        Seen::Revoked => false,
    }
}

/// How many of `states` (from the first) a certificate expiring on `cert` gives.
fn run(rules: &RuleSet, cert: Date, states: &[State]) -> usize {
    states.iter().take_while(|s| gives(rules, cert, s)).count()
}

/// The card and the steps between answers for one person's card answers.
fn person_plan(born: Date, start: Date, states: &[State]) -> (CardPlan, Vec<Step>) {
    let rules = RuleSet::builtin();
    let mut notes = Vec::new();
    let mut steps = Vec::new();
    // The first answers before a revocation: the latest issue date that gives the most of them.
    let first: Vec<&State> = states
        .iter()
        .take_while(|s| s.seen != Seen::Revoked)
        .collect();
    let candidates: Vec<Date> = (12..=MONTHS_BACK)
        .filter_map(|back| start.checked_sub(jiff::Span::new().months(back)).ok())
        .map(|d| d.max(born))
        .filter(|d| *d < start)
        .collect();
    let mut best: Option<(usize, Date, Date, Date)> = None;
    for d in candidates {
        let Some((cert, card)) = issued_expiry(&rules, d, born) else {
            continue;
        };
        let n = first.iter().take_while(|s| gives(&rules, cert, s)).count();
        if best.is_none_or(|(b, ..)| n > b) {
            best = Some((n, d, cert, card));
        }
        if n == first.len() {
            break;
        }
    }
    let Some((n, issued, mut cert, mut card)) = best else {
        notes.push(
            "unknown: the card: no issue date before the first exchange gives the certificate states the answers show (or the person was born that day)".into(),
        );
        return (
            CardPlan {
                issued: None,
                registered: false,
                notes,
            },
            steps,
        );
    };
    let telling = states.iter().any(|s| s.seen != Seen::Valid);
    notes.push(if telling {
        "unknown: the card's issue date and PINs; the date is the latest whose certificate expiry gives the notices and expiry the answers show".into()
    } else {
        "unknown: the card's issue date and PINs (a card a year old is assumed)".into()
    });
    // The rest: renewals, losses and reissues between answers.
    let mut i = n;
    while i < states.len() {
        let before = (i > 0).then(|| &states[i - 1]);
        let here = &states[i];
        let window = |what: &str| match before {
            Some(b) => format!(
                "not in the files: the answer on {} ({}) needs {what} after the one on {} ({}); the files bound it to ({}, {}]",
                here.on,
                here.files,
                b.on,
                b.files,
                moment(b.at),
                moment(here.at)
            ),
            None => format!(
                "not in the files: the answer on {} ({}) needs {what} before it",
                here.on, here.files
            ),
        };
        if here.seen == Seen::Revoked {
            steps.push(Step {
                at: step_time(before.map(|b| b.at), here.at),
                step: "card.lost",
                note: window("a revoked certificate (the card reported lost)"),
                between: (before.map(|b| b.event), here.event),
            });
            i += states[i..]
                .iter()
                .take_while(|s| s.seen == Seen::Revoked)
                .count();
            if let Some(next) = states.get(i) {
                let Some((c, k, took, at)) =
                    reissue(&rules, born, &states[i - 1], next, &states[i..])
                else {
                    break;
                };
                steps.push(Step {
                    at,
                    step: "card.reissue",
                    note: format!(
                        "not in the files: the answer on {} ({}) after the revocation needs a new card, reissued in ({}, {}]",
                        next.on,
                        next.files,
                        moment(states[i - 1].at),
                        moment(next.at)
                    ),
                    between: (Some(states[i - 1].event), next.event),
                });
                (cert, card) = (c, k);
                i += took;
            }
            continue;
        }
        let Some(b) = before else { break };
        // A renewal on the first day in the window whose certificate gives the next answers.
        let mut renewed = None;
        let mut d = days(b.at.date(), 1).min(here.at.date());
        while d <= here.at.date() {
            if let Ok(c) = rules.renewed_auth_cert_expiry(d, born, cert, card) {
                let took = run(&rules, c, &states[i..]);
                if took > 0 {
                    renewed = Some((c, took, d));
                    break;
                }
            }
            if days(d, 1) == d {
                break;
            }
            d = days(d, 1);
        }
        if let Some((c, took, d)) = renewed {
            steps.push(Step {
                at: day_time(d, b.at, here.at),
                step: "card.renew",
                note: window("a renewed certificate"),
                between: (Some(b.event), here.event),
            });
            cert = c;
            i += took;
            continue;
        }
        let Some((c, k, took, at)) = reissue(&rules, born, b, here, &states[i..]) else {
            break;
        };
        steps.push(Step {
            at,
            step: "card.reissue",
            note: window("a new card (no renewal of the certificate gives it)"),
            between: (Some(b.event), here.event),
        });
        (cert, card) = (c, k);
        i += took;
    }
    if i < states.len() {
        notes.push(format!(
            "unknown: no renewal or reissue gives the certificate state the answer on {} ({}) shows; the checks will show the difference",
            states[i].on, states[i].files
        ));
    }
    (
        CardPlan {
            issued: Some(issued),
            registered: true,
            notes,
        },
        steps,
    )
}

/// A card reissued between `before` and `here` whose certificate gives the next states: its
/// certificate and card expiry, how many states it gives, and when.
fn reissue(
    rules: &RuleSet,
    born: Date,
    before: &State,
    here: &State,
    rest: &[State],
) -> Option<(Date, Date, usize, Moment)> {
    let mut d = days(before.at.date(), 1).min(here.at.date());
    while d <= here.at.date() {
        if let Some((cert, card)) = issued_expiry(rules, d, born) {
            let took = run(rules, cert, rest);
            if took > 0 {
                return Some((cert, card, took, day_time(d, before.at, here.at)));
            }
        }
        if days(d, 1) == d {
            break;
        }
        d = days(d, 1);
    }
    None
}

/// A moment on day `d` between `after` and `by`: the day's start, or a second after `after`.
fn day_time(d: Date, after: Moment, by: Moment) -> Moment {
    let start = Moment::start_of(d);
    if start > after && start <= by {
        start
    } else {
        step_time(Some(after), by)
    }
}

/// A moment in (after, by]: a second after `after` when that is before `by`, else `by`.
fn step_time(after: Option<Moment>, by: Moment) -> Moment {
    after
        .and_then(|a| a.plus(jiff::Span::new().seconds(1)).ok())
        .filter(|t| *t <= by)
        .unwrap_or(by)
}

/// The card and registration lines of person `p`.
pub(super) fn card(ctx: &Ctx<'_>, o: &mut String, p: usize) {
    let Some(plan) = &ctx.m.people[p].card else {
        return;
    };
    for n in &plan.notes {
        comment(o, 6, &ctx.relabel(n));
    }
    let Some(issued) = plan.issued else { return };
    let _ = writeln!(o, "      card: {{ issued: {issued} }}");
    if !plan.registered {
        comment(
            o,
            6,
            "not registered for insurance use: every card answer said so (ONS-E0103)",
        );
        return;
    }
    comment(
        o,
        6,
        "unknown: when the card was registered for insurance use (assumed the day it was issued)",
    );
    let _ = writeln!(o, "      registered: {{ on: {issued}T10:00 }}");
}
