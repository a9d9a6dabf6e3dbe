//! Dated-row machinery shared by every rule table: the `from`/`until`/`status` columns, the
//! choice of the row in force on a date, load-time checks (ranges, overlaps, sources), date
//! cells that may point at a date switch, and the mapping of YAML errors to [`RuleError`]s
//! that carry the line and column of the offending text.
//!
//! Conventions, the same in every table file:
//! - `from` is the first day a row is in force (inclusive), `until` the last day (inclusive,
//!   as Japanese notices write "〜2025-09-30"); a missing `until` means open-ended.
//! - `status: planned` rows (decided but not enacted, e.g. the 2026-08 高額療養費 revision)
//!   are ignored unless the switch `apply_planned_revisions` is on; when they are on, the row
//!   with the latest `from` wins, so a planned row supersedes the enacted one it revises.
//! - `source` names the `[Sxx]` keys of `shared/domain/rules-tables.md`; it may not be empty.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, de::DeserializeOwned};
use serde_saphyr::Spanned;

use super::{RuleError, Switches, TableKind};
use crate::clock::Date;

/// Whether a row is law in force or a decided-but-pending revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 施行済み: in force on its dates.
    Enacted,
    /// 予定 (未施行): applied only with the switch `apply_planned_revisions`.
    Planned,
}

/// The columns every dated row carries.
pub(crate) trait Dated {
    /// First day in force.
    fn from(&self) -> Date;
    /// Last day in force, if any.
    fn until(&self) -> Option<Date>;
    /// Enacted or planned.
    fn status(&self) -> Status;
    /// The `[Sxx]` source keys.
    fn source(&self) -> &str;

    /// True when the row is in force on `on` under the given planned-revision switch.
    fn in_force(&self, on: Date, apply_planned: bool) -> bool {
        (apply_planned || self.status() == Status::Enacted)
            && self.from() <= on
            && self.until().is_none_or(|u| on <= u)
    }

    /// True when the date ranges of two rows share at least one day.
    fn overlaps(&self, other: &Self) -> bool {
        let a_ends_before_b = self.until().is_some_and(|u| u < other.from());
        let b_ends_before_a = other.until().is_some_and(|u| u < self.from());
        !a_ends_before_b && !b_ends_before_a
    }
}

/// Implements [`Dated`] for a row struct with `from`, `until`, `status` and `source` fields.
macro_rules! impl_dated {
    ($($row:ty),* $(,)?) => {$(
        impl $crate::rules::table::Dated for $row {
            fn from(&self) -> $crate::clock::Date { self.from }
            fn until(&self) -> Option<$crate::clock::Date> { self.until }
            fn status(&self) -> $crate::rules::table::Status { self.status }
            fn source(&self) -> &str { &self.source }
        }
    )*};
}
pub(crate) use impl_dated;

/// A value with the place in its table text where it was written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Located<T> {
    /// The value.
    pub value: T,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            value: spanned.value,
        })
    }
}

/// The row in force on `on` among those that `matches` accepts: the latest `from` wins, and on
/// equal `from` a planned row beats an enacted one (it is the revision).
pub(crate) fn in_force<T: Dated>(
    rows: &[Located<T>],
    on: Date,
    apply_planned: bool,
    matches: impl Fn(&T) -> bool,
) -> Option<&Located<T>> {
    rows.iter()
        .filter(|r| r.value.in_force(on, apply_planned) && matches(&r.value))
        .max_by_key(|r| (r.value.from(), r.value.status() == Status::Planned))
}

/// A problem found while checking a parsed table, with its place in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem at the place where `at` was written.
    pub fn at<T>(at: &Located<T>, message: impl Into<String>) -> Self {
        Problem {
            line: at.line,
            column: at.column,
            message: message.into(),
        }
    }
}

/// Checks the dated columns of every row (`from` ≤ `until`, a non-empty `source`) and that no
/// two rows with the same status and an overlapping `same_key` overlap in time.
pub(crate) fn check_rows<T: Dated>(
    what: &str,
    rows: &[Located<T>],
    same_key: impl Fn(&T, &T) -> bool,
) -> Result<(), Problem> {
    for row in rows {
        if let Some(until) = row.value.until()
            && until < row.value.from()
        {
            return Err(Problem::at(
                row,
                format!(
                    "{what}: `until` {until} is before `from` {} (until is the last day in force)",
                    row.value.from()
                ),
            ));
        }
        if row.value.source().trim().is_empty() {
            return Err(Problem::at(
                row,
                format!("{what}: `source` is empty; name the [Sxx] keys of rules-tables.md"),
            ));
        }
    }
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            if a.value.status() == b.value.status()
                && same_key(&a.value, &b.value)
                && a.value.overlaps(&b.value)
            {
                return Err(Problem::at(
                    b,
                    format!(
                        "{what}: this row overlaps the row at line {} (same key, same status, \
                         dates {}..{} and {}..{}); end one with `until`",
                        a.line,
                        a.value.from(),
                        show_until(a.value.until()),
                        b.value.from(),
                        show_until(b.value.until()),
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn show_until(until: Option<Date>) -> String {
    until.map_or_else(String::new, |d| d.to_string())
}

/// Parses table text of `kind` into `T`, mapping YAML and type errors to [`RuleError::Table`]
/// with the line and column serde-saphyr reports.
pub(crate) fn parse<T: DeserializeOwned>(
    kind: TableKind,
    name: &str,
    text: &str,
) -> Result<T, RuleError> {
    /// Just the `table:` key, read first so a file loaded as the wrong kind says so.
    #[derive(Deserialize)]
    struct Header {
        table: Option<Located<String>>,
    }
    if let Ok(Header {
        table: Some(declared),
    }) = serde_saphyr::from_str::<Header>(text)
    {
        check_table_key(kind, name, &declared)?;
    }
    serde_saphyr::from_str::<T>(text).map_err(|err| {
        let (line, column) = err.location().map_or((0, 0), |l| (l.line(), l.column()));
        let snippet = err.render_with_options(serde_saphyr::render_options! {
            source_name: Some(name),
        });
        // The plain message ends with "at line L, column C"; the error shows the place first.
        let message = err.without_snippet().to_string();
        let suffix = format!(" at line {line}, column {column}");
        let message = message
            .strip_suffix(&suffix)
            .unwrap_or(&message)
            .to_string();
        RuleError::Table {
            kind,
            name: name.to_string(),
            line,
            column,
            message,
            snippet: Some(snippet),
        }
    })
}

/// Turns a [`Problem`] found in table `name` into a [`RuleError`].
pub(crate) fn problem_error(kind: TableKind, name: &str, problem: Problem) -> RuleError {
    RuleError::Table {
        kind,
        name: name.to_string(),
        line: problem.line,
        column: problem.column,
        message: problem.message,
        snippet: None,
    }
}

/// A date cell: either a fixed date (`2021-09-01`) or a reference to a date switch
/// (`{switch: medical_expense_notice_from}`) for facts whose date is UNCERTAIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DateRef {
    /// A fixed date.
    Fixed(Date),
    /// The current value of the named date switch.
    Switch(String),
}

impl DateRef {
    /// The date this cell stands for under `switches`; `None` if the switch does not exist or
    /// is not a date switch (rejected at load time, so only a programming error gets here).
    pub fn resolve(&self, switches: &Switches) -> Option<Date> {
        match self {
            DateRef::Fixed(d) => Some(*d),
            DateRef::Switch(name) => switches.date_value(name),
        }
    }

    /// Checks that a switch reference names an existing date switch.
    pub fn check(&self, switches: &Switches) -> Result<(), String> {
        match self {
            DateRef::Fixed(_) => Ok(()),
            DateRef::Switch(name) if switches.date_value(name).is_some() => Ok(()),
            DateRef::Switch(name) => Err(format!(
                "`{name}` is not a date switch; date switches: {}",
                Switches::date_switch_names().join(", ")
            )),
        }
    }
}

impl<'de> Deserialize<'de> for DateRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateRefVisitor;
        impl<'de> Visitor<'de> for DateRefVisitor {
            type Value = DateRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD or {switch: <date switch name>}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateRef, E> {
                v.parse::<Date>()
                    .map(DateRef::Fixed)
                    .map_err(|e| E::custom(format!("`{v}` is not a date YYYY-MM-DD: {e}")))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateRef, A::Error> {
                let mut name: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "switch" || name.is_some() {
                        return Err(de::Error::custom(format!(
                            "unexpected key `{key}`: a date reference is {{switch: <name>}}"
                        )));
                    }
                    name = Some(map.next_value()?);
                }
                name.map(DateRef::Switch)
                    .ok_or_else(|| de::Error::custom("missing key `switch`"))
            }
        }
        deserializer.deserialize_any(DateRefVisitor)
    }
}

/// `Option<Option<T>>` for cells where "absent" and "null" mean different things: absent is
/// `None`, `null` is `Some(None)` (unknown).
pub(crate) fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Rounds `numerator / denominator` to the nearest integer, halves up (四捨五入); saturates.
pub(crate) fn div_round_half_up(numerator: u128, denominator: u128) -> u64 {
    if denominator == 0 {
        return u64::MAX;
    }
    let q = numerator.saturating_add(denominator / 2) / denominator;
    u64::try_from(q).unwrap_or(u64::MAX)
}

/// Checks the `table:` key of a file against the kind it is loaded as.
pub(crate) fn check_table_key(
    kind: TableKind,
    name: &str,
    declared: &Located<String>,
) -> Result<(), RuleError> {
    if declared.value == kind.name() {
        Ok(())
    } else {
        Err(problem_error(
            kind,
            name,
            Problem::at(
                declared,
                format!(
                    "this file declares `table: {}` but is loaded as the `{}` table",
                    declared.value,
                    kind.name()
                ),
            ),
        ))
    }
}
