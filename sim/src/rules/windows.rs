//! Data windows (REG-7, REG-8, REG-10, REG-12, PRT-2, rules-tables §4): for each kind of
//! information, the earliest data visible on a date (data start, retention with the dated
//! 3→5-year extension), the latest visible month (レセプト lag) and the item limit, from the
//! dated `data_windows.yaml` table whose UNCERTAIN dates point at date switches.

use serde::Deserialize;

use super::table::{self, DateRef, Located, Problem, Status, impl_dated};
use super::{RuleError, RuleSet, Switches, TableKind};
use crate::clock::{Date, Span};

/// A kind of information with a viewing window.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// 薬剤情報 (レセプト + 電子処方箋 調剤).
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
    /// 特定健診等情報.
    Checkup,
    /// 医療費通知情報 (マイナポータル).
    MedicalExpenseNotice,
    /// 電子処方箋 処方・調剤情報.
    EPrescription,
}

/// What is visible of one kind of information on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataWindow {
    /// The kind.
    pub kind: DataKind,
    /// Items dated before this are not visible.
    pub earliest: Date,
    /// First day of the latest visible month (レセプト lag); `None` = up to the query date.
    pub latest_month_visible: Option<Date>,
    /// At most this many items (the latest ones); `None` = no limit.
    pub max_items: Option<usize>,
    /// The retention applied, e.g. `5 years`.
    pub retention: String,
    /// The row's sources.
    pub source: String,
}

impl DataWindow {
    /// True when an item dated `item` is inside the window (ignoring `max_items`).
    pub fn contains(&self, item: Date) -> bool {
        item >= self.earliest
            && self
                .latest_month_visible
                .is_none_or(|m| item.first_of_month() <= m)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Retention {
    #[serde(default)]
    years: Option<u16>,
    #[serde(default)]
    days: Option<u32>,
}

impl Retention {
    fn span(self) -> Option<Span> {
        match (self.years, self.days) {
            (Some(y), None) => Span::new().try_years(i64::from(y)).ok(),
            (None, Some(d)) => Span::new().try_days(i64::from(d)).ok(),
            _ => None,
        }
    }

    fn describe(self) -> String {
        match (self.years, self.days) {
            (Some(y), _) => format!("{y} years"),
            (_, Some(d)) => format!("{d} days"),
            _ => "none".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extension {
    years: u16,
    from: DateRef,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Granularity {
    Month,
    Day,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowRow {
    kind: DataKind,
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    status: Status,
    data_from: DateRef,
    retention: Retention,
    #[serde(default)]
    extension: Option<Extension>,
    granularity: Granularity,
    months_behind: Option<u8>,
    max_items: Option<usize>,
    source: String,
    #[serde(default)]
    note: Option<String>,
}
impl_dated!(WindowRow);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowFile {
    table: Located<String>,
    rows: Vec<Located<WindowRow>>,
}

/// The parsed `data_windows.yaml`.
#[derive(Clone, Debug, Default)]
pub(crate) struct DataWindowTable {
    rows: Vec<Located<WindowRow>>,
}

impl DataWindowTable {
    /// Parses and checks a data-window table; switch references must name date switches.
    pub fn load(name: &str, text: &str, switches: &Switches) -> Result<DataWindowTable, RuleError> {
        let kind = TableKind::DataWindows;
        let file: WindowFile = table::parse(kind, name, text)?;
        table::check_table_key(kind, name, &file.table)?;
        let problem = |p| table::problem_error(kind, name, p);
        for row in &file.rows {
            let r = &row.value;
            if r.retention.span().is_none() {
                return Err(problem(Problem::at(
                    row,
                    "data_windows: `retention` needs exactly one of `years` or `days`",
                )));
            }
            let refs = std::iter::once(&r.data_from).chain(r.extension.as_ref().map(|e| &e.from));
            for date_ref in refs {
                date_ref
                    .check(switches)
                    .map_err(|m| problem(Problem::at(row, format!("data_windows: {m}"))))?;
            }
        }
        table::check_rows("data_windows", &file.rows, |a, b| a.kind == b.kind).map_err(problem)?;
        Ok(DataWindowTable { rows: file.rows })
    }

    /// Every row's source text (for the source-coverage test).
    #[cfg(test)]
    pub fn sources(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.value.source.as_str()).collect()
    }
}

impl RuleSet {
    /// The window of `kind` visible on `on`; an error before the service started.
    pub fn data_window(&self, kind: DataKind, on: Date) -> Result<DataWindow, RuleError> {
        let planned = self.switches.apply_planned_revisions;
        let row = table::in_force(&self.windows.rows, on, planned, |r| r.kind == kind).ok_or_else(
            || RuleError::NoRule {
                table: TableKind::DataWindows,
                what: format!("{kind:?} (the service had not started)"),
                on,
            },
        )?;
        let r = &row.value;
        let out_of_range = || RuleError::DateRange(format!("the {kind:?} window on {on}"));
        let data_from = r
            .data_from
            .resolve(&self.switches)
            .ok_or_else(out_of_range)?;
        let retention = match &r.extension {
            Some(ext) if ext.from.resolve(&self.switches).is_some_and(|d| on >= d) => Retention {
                years: Some(ext.years),
                days: None,
            },
            _ => r.retention,
        };
        let span = retention.span().ok_or_else(out_of_range)?;
        let start = on.checked_sub(span).map_err(|_| out_of_range())?;
        let start = match r.granularity {
            Granularity::Month => start.first_of_month(),
            Granularity::Day => start,
        };
        let latest_month_visible = match r.months_behind {
            Some(m) => Some(
                on.first_of_month()
                    .checked_sub(Span::new().months(i64::from(m)))
                    .map_err(|_| out_of_range())?,
            ),
            None => None,
        };
        Ok(DataWindow {
            kind,
            earliest: start.max(data_from),
            latest_month_visible,
            max_items: r.max_items,
            retention: retention.describe(),
            source: r.source.clone(),
        })
    }
}
