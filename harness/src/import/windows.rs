//! When the registry learnt of each record and of each loss. The registry answers only what
//! reached it, so the answers bound each day to a window (T0, T1]:
//!
//! - a record reached it after the last answer that would have shown it had it been there (a
//!   card answer for its person on a day it covers, an answer by its numbers) and did not, and
//!   by the first answer that showed it: `registered_on` is written, the day after T0 (or the
//!   取得日, when nothing bounds it from below);
//! - a loss reached it after the last answer that still showed the record without its 喪失日
//!   on or after that day, and by the first that showed the 喪失日. The language dates a loss's
//!   arrival by the insurer's `lag_days` (喪失日 + lag), so each insurer's lag is the smallest
//!   that puts every one of its losses in its window;
//! - the 75th-birthday move (the law's, [`super::infer`]): the registry knows it on the
//!   birthday unless the switch `late_elderly_change_registered_on_birthday` is false, when
//!   each insurer's lag applies, to the old record's loss and to the 後期 record alike. When an
//!   answer on or after the birthday still shows the old record valid, or not yet the 後期 one,
//!   the scenario sets the switch to false and the lags come from those windows too.
//!
//! Each choice is said in a comment on the record or insurer it concerns.

use std::collections::BTreeMap;

use onshi_sim::clock::Date;
use onshi_sim::ids::InsurerNumber;
use onshi_sim::rules::late_elderly::late_elderly_start;

use super::facts::{Action, Answer};
use super::identity::Model;
use super::infer::{confirmation_date, days, days_between, shown};

/// The switch that dates the 75th-birthday move in the registry.
pub(super) const LATE_ELDERLY_SWITCH: &str = "late_elderly_change_registered_on_birthday";

/// The days (after, by] the answers bound an arrival to, each with the files that set it.
#[derive(Clone, Debug, Default)]
struct Window {
    after: Option<(Date, String)>,
    by: Option<(Date, String)>,
}

impl Window {
    fn later(&mut self, d: Date, files: &str) {
        if self.after.as_ref().is_none_or(|(a, _)| d > *a) {
            self.after = Some((d, files.to_string()));
        }
    }

    fn earlier(&mut self, d: Date, files: &str) {
        if self.by.as_ref().is_none_or(|(b, _)| d < *b) {
            self.by = Some((d, files.to_string()));
        }
    }

    /// `(T0, T1]` as a text.
    fn text(&self) -> String {
        format!(
            "({}, {}]",
            self.after
                .as_ref()
                .map_or_else(|| "…".to_string(), |(d, _)| d.to_string()),
            self.by
                .as_ref()
                .map_or_else(|| "…".to_string(), |(d, _)| d.to_string())
        )
    }

    /// Why: the answers that set the bounds.
    fn why(&self, before: &str, after: &str) -> String {
        let mut out = Vec::new();
        if let Some((d, f)) = &self.after {
            out.push(format!("an answer on {d} {before} ({f})"));
        }
        if let Some((d, f)) = &self.by {
            out.push(format!("one on {d} {after} ({f})"));
        }
        out.join(", ")
    }

    /// The lags (days after `from`) that put the arrival in the window: [lo, hi].
    fn lags(&self, from: Date) -> (i64, Option<i64>) {
        let lo = self
            .after
            .as_ref()
            .map_or(0, |(a, _)| days_between(from, *a) + 1)
            .max(0);
        let hi = self.by.as_ref().map(|(b, _)| days_between(from, *b));
        (lo, hi)
    }
}

/// The 75th birthday on which the law ends record `r`, when it does.
fn law_loss(m: &Model, r: usize) -> Option<Date> {
    let rec = &m.records[r];
    if !rec.open_by_law {
        return None;
    }
    late_elderly_start(m.people[rec.person].identity.birth)
}

/// The loss of record `r` in the world the scenario writes (its own, or the law's).
fn loss(m: &Model, r: usize) -> Option<Date> {
    m.records[r].lost.map(|l| l.0).or_else(|| law_loss(m, r))
}

/// Whether record `r` covers `d` in the world the scenario writes.
pub(super) fn covers(m: &Model, r: usize, d: Date) -> bool {
    m.records[r].from.is_some_and(|f| f <= d) && loss(m, r).is_none_or(|l| d < l)
}

/// When record `r` reached the registry.
fn registration(m: &Model, r: usize) -> Window {
    let rec = &m.records[r];
    let birth = m.people[rec.person].identity.birth;
    let mut w = Window::default();
    for e in &m.events {
        let Answer::Confirm(a) = &e.answer else {
            continue;
        };
        if a.refused.is_some() {
            continue;
        }
        let (today, files) = (e.at.date(), e.files.join(", "));
        if a.results.iter().any(|x| x.record == r) {
            w.earlier(today, &files);
            continue;
        }
        let would_show = match &e.action {
            Action::Visit {
                synthetic: false, ..
            } => e.person == Some(rec.person) && covers(m, r, confirmation_date(e)),
            Action::Numbers {
                numbers, birth: b, ..
            } => numbers.names(&rec.numbers) && *b == birth,
            _ => false,
        };
        if would_show {
            w.later(today, &files);
        }
    }
    w
}

/// When the loss of record `r` (on `lost`) reached the registry.
fn loss_arrival(m: &Model, r: usize, lost: Date) -> Window {
    let mut w = Window::default();
    for (e, j) in shown(m, r) {
        let e = &m.events[e];
        let Answer::Confirm(a) = &e.answer else {
            continue;
        };
        let (today, files) = (e.at.date(), e.files.join(", "));
        if a.results[j].loss.is_some() {
            w.earlier(today, &files);
        } else if today >= lost {
            w.later(today, &files);
        }
    }
    w
}

/// What the lag of one insurer must allow: [lo, hi] days, and what says so.
#[derive(Default)]
struct LagBounds {
    lo: i64,
    hi: Option<i64>,
    why: Vec<String>,
}

impl LagBounds {
    fn add(&mut self, (lo, hi): (i64, Option<i64>), why: String) {
        self.lo = self.lo.max(lo);
        self.hi = match (self.hi, hi) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.why.push(why);
    }
}

/// `registered_on` of every record, each insurer's `lag_days`, and the 75th-birthday switch.
pub(super) fn arrivals(m: &mut Model) {
    // The records: their 取得.
    let mut law_parts: Vec<(InsurerNumber, (i64, Option<i64>), String)> = Vec::new();
    for r in 0..m.records.len() {
        let w = registration(m, r);
        let from = m.records[r].from;
        if m.records[r].by_law {
            if let Some(birthday) = from {
                let what = format!(
                    "the 後期 資格 from the 75th birthday {birthday} reached the registry in {}: {}",
                    w.text(),
                    w.why("did not show it", "showed it")
                );
                law_parts.push((m.records[r].numbers.insurer, w.lags(birthday), what));
                m.records[r].registered_on = Some(birthday);
            }
            continue;
        }
        let Some(from) = from else { continue };
        let on = match (&w.after, &w.by) {
            (Some((a, _)), Some((b, _))) if a >= b => {
                m.records[r].notes.push(format!(
                    "unknown: when it reached the registry: {} (the answers disagree); the first answer that showed it is used",
                    w.why("did not show it", "showed it")
                ));
                *b
            }
            (Some((a, _)), _) => {
                let on = days(*a, 1);
                m.records[r].notes.push(format!(
                    "registered_on {on}: the files bound its arrival in the registry to {}: {}; the day after the first is used (the insurer's lag is unknown)",
                    w.text(),
                    w.why("did not show it", "showed it")
                ));
                on
            }
            (None, Some((b, _))) => from.min(*b),
            (None, None) => from,
        };
        m.records[r].registered_on = Some(on);
    }
    // The losses.
    let mut bounds: BTreeMap<InsurerNumber, LagBounds> = BTreeMap::new();
    for r in 0..m.records.len() {
        let Some(lost) = loss(m, r) else { continue };
        let w = loss_arrival(m, r, lost);
        if w.after.is_none() && w.by.is_none() {
            continue;
        }
        let what = format!(
            "its 喪失 ({lost}) reached the registry in {}: {}",
            w.text(),
            w.why("still showed it valid", "showed the 喪失日")
        );
        m.records[r].notes.push(what.clone());
        if law_loss(m, r).is_some() {
            law_parts.push((m.records[r].numbers.insurer, w.lags(lost), what));
        } else {
            bounds
                .entry(m.records[r].numbers.insurer)
                .or_default()
                .add(w.lags(lost), what);
        }
    }
    // The 75th-birthday move: on the birthday, or after each insurer's lag.
    if let Some((_, _, what)) = law_parts.iter().find(|(_, (lo, _), _)| *lo > 0) {
        m.switches.push((
            LATE_ELDERLY_SWITCH,
            false,
            format!(
                "the registry learnt of the move to 後期 after the 75th birthday, not on it ({what}): each insurer's lag applies"
            ),
        ));
        for (insurer, lags, what) in law_parts {
            bounds.entry(insurer).or_default().add(lags, what);
        }
    }
    for (number, b) in bounds {
        let insurer = m.insurers.entry(number).or_default();
        insurer.lag_days = u32::try_from(b.lo.max(0)).unwrap_or(0);
        let range = match b.hi {
            Some(hi) => format!("{}–{hi}", b.lo),
            None => format!("{} or more", b.lo),
        };
        if b.lo > 0 {
            insurer.notes.push(format!(
                "lag_days {}: the smallest lag that puts each of its changes the answers date in its window ({range} day(s) would)",
                b.lo
            ));
        }
        if b.hi.is_some_and(|hi| b.lo > hi) {
            insurer.notes.push(format!(
                "unknown: one lag cannot give every answer (at least {} and at most {} days: {}); some checks will show the difference",
                b.lo,
                b.hi.unwrap_or_default(),
                b.why.join("; ")
            ));
        }
    }
}
