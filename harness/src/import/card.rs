//! The card and its registration for a person who presents one. The files never give the
//! card's issue date, but the answers show its 利用者証明用電子証明書's state on each visit: valid,
//! valid with the expiry notice (`ONS-W0301`), expired in the grace period (`ONS-W0302`,
//! 資格情報のみ) or expired past it (`ONS-E0104`). The issue date written is the latest one, a
//! year or more before the first exchange, month by month back, whose certificate expiry (the
//! simulation's own rule: the 5th birthday after issue, capped by the card's expiry) gives every
//! one of those states; with no notice in the files that is a card a year old.

use std::fmt::Write as _;

use onshi_sim::clock::Date;
use onshi_sim::rules::{CertificateState, RuleSet};

use super::emit::{Ctx, comment};
use super::facts::{Action, Answer};

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
}

/// How far back an issue date is looked for (months).
const MONTHS_BACK: i64 = 12 * 12;

/// The card and registration lines of person `p`, when they present a card.
pub(super) fn card(ctx: &Ctx<'_>, o: &mut String, p: usize) {
    let m = ctx.m;
    let visits: Vec<_> = m
        .events
        .iter()
        .filter(|e| e.person == Some(p) && matches!(e.action, Action::Visit { .. }))
        .collect();
    if visits.is_empty() {
        return;
    }
    let born = m.people[p].identity.birth;
    let start = ctx.start.date();
    let mut seen: Vec<(Date, Seen)> = Vec::new();
    let mut refusals = Vec::new();
    for e in &visits {
        if let (
            Action::Visit {
                synthetic: false, ..
            },
            Answer::Confirm(a),
        ) = (&e.action, &e.answer)
        {
            let state = match (a.refused, a.notice.as_deref()) {
                (Some("certificate_expired"), _) => Some(Seen::Lapsed),
                (Some(_), _) => None,
                (None, Some("ONS-W0302")) => Some(Seen::InGrace),
                (None, Some(_)) => Some(Seen::Expiring),
                (None, None) => Some(Seen::Valid),
            };
            if let Some(s) = state {
                seen.push((super::infer::confirmation_date(e), s));
            }
            refusals.push(a.refused);
        }
    }
    let Some(issued) = issue_date(born, start, &seen) else {
        comment(
            o,
            6,
            "unknown: the card: no issue date before the first exchange gives the certificate states the answers show (or the person was born that day)",
        );
        return;
    };
    let telling = seen.iter().any(|(_, s)| *s != Seen::Valid);
    comment(
        o,
        6,
        if telling {
            "unknown: the card's issue date and PINs; the date is the latest whose certificate expiry gives the notices and expiry the answers show"
        } else {
            "unknown: the card's issue date and PINs (a card a year old is assumed)"
        },
    );
    let _ = writeln!(o, "      card: {{ issued: {issued} }}");
    if !refusals.is_empty() && refusals.iter().all(|r| *r == Some("not_registered")) {
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

/// The latest issue date, a year or more before `start` and not before `born`, whose
/// certificate gives every state `seen`.
fn issue_date(born: Date, start: Date, seen: &[(Date, Seen)]) -> Option<Date> {
    let rules = RuleSet::builtin();
    let fits = |issued: Date| {
        let Ok(card) = rules.card_expiry(issued, born) else {
            return false;
        };
        let Ok(cert) = rules.auth_cert_expiry(issued, born, card) else {
            return false;
        };
        seen.iter().all(|(on, s)| {
            let state = rules.certificate_state(cert, *on);
            let notice = rules.expiry_notice(cert, *on);
            match s {
                Seen::Valid => state == CertificateState::Valid && !notice,
                Seen::Expiring => state == CertificateState::Valid && notice,
                Seen::InGrace => state == CertificateState::InGrace,
                Seen::Lapsed => state == CertificateState::Lapsed,
            }
        })
    };
    (12..=MONTHS_BACK)
        .filter_map(|back| start.checked_sub(jiff::Span::new().months(back)).ok())
        .map(|d| d.max(born))
        .filter(|d| *d < start)
        .find(|d| fits(*d))
}
