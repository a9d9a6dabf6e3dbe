//! 負担割合 (copay ratio, INS-2, rules-tables §2): the percentage of the 10割 fee a patient
//! pays at the window, by the legal age band on the visit date and the income class, from the
//! dated `copay.yaml` table; and the named rounding rules for yen amounts.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::table::{self, Located, Problem, Status, impl_dated};
use super::{RuleError, RuleSet, TableKind};
use crate::age::{AgeBand, band_on};
use crate::clock::Date;

/// Income class as it decides the ratio (and, for 70+, which limit categories apply).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum IncomeClass {
    /// 一般 (後期: 一般Ⅰ).
    General,
    /// 後期 一般Ⅱ (2割 from 2022-10-01); treated as 一般 outside 後期.
    #[serde(rename = "general_ii")]
    GeneralII,
    /// 現役並み所得者 (3割 at 70+).
    ActiveIncome,
    /// 低所得 (住民税非課税).
    Low,
}

/// A named rounding rule for yen amounts: round half up (四捨五入) to a multiple of `unit_yen`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundingRule {
    /// The unit rounded to (10 for 一部負担金, 1 for the 1% part of a cap).
    pub unit_yen: u64,
    /// Where the rule comes from.
    pub source: &'static str,
}

impl RoundingRule {
    /// `numerator / denominator` yen rounded half up to a multiple of `unit_yen`; saturates.
    pub fn apply(self, numerator: u128, denominator: u128) -> u64 {
        let unit = u128::from(self.unit_yen.max(1));
        table::div_round_half_up(numerator, denominator.saturating_mul(unit))
            .saturating_mul(self.unit_yen.max(1))
    }
}

/// 一部負担金の端数処理: 10円未満四捨五入 (5円未満切り捨て、5円以上10円に切り上げ).
pub const COPAY_ROUNDING: RoundingRule = RoundingRule {
    unit_yen: 10,
    source: "健康保険法 第75条 (general knowledge; rules-tables does not state it)",
};

/// One row of `copay.yaml`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CopayRow {
    band: AgeBand,
    income: BTreeSet<IncomeClass>,
    percent: u8,
    #[serde(default)]
    born_from: Option<Date>,
    #[serde(default)]
    born_until: Option<Date>,
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    status: Status,
    source: String,
    #[serde(default)]
    note: Option<String>,
}
impl_dated!(CopayRow);

impl CopayRow {
    fn born_in_range(&self, birth: Date) -> bool {
        self.born_from.is_none_or(|f| f <= birth) && self.born_until.is_none_or(|u| birth <= u)
    }

    fn births_overlap(&self, other: &CopayRow) -> bool {
        let a_before_b = matches!((self.born_until, other.born_from), (Some(u), Some(f)) if u < f);
        let b_before_a = matches!((other.born_until, self.born_from), (Some(u), Some(f)) if u < f);
        !a_before_b && !b_before_a
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopayFile {
    table: Located<String>,
    rows: Vec<Located<CopayRow>>,
}

/// The parsed `copay.yaml`.
#[derive(Clone, Debug, Default)]
pub(crate) struct CopayTable {
    rows: Vec<Located<CopayRow>>,
}

impl CopayTable {
    /// Parses and checks a copay table.
    pub fn load(name: &str, text: &str) -> Result<CopayTable, RuleError> {
        let kind = TableKind::Copay;
        let file: CopayFile = table::parse(kind, name, text)?;
        table::check_table_key(kind, name, &file.table)?;
        let problem = |p| table::problem_error(kind, name, p);
        for row in &file.rows {
            let r = &row.value;
            if r.percent > 100 {
                return Err(problem(Problem::at(row, "copay: `percent` is at most 100")));
            }
            if r.income.is_empty() {
                return Err(problem(Problem::at(row, "copay: `income` lists no class")));
            }
            if let (Some(f), Some(u)) = (r.born_from, r.born_until)
                && u < f
            {
                return Err(problem(Problem::at(
                    row,
                    "copay: `born_until` is before `born_from`",
                )));
            }
        }
        table::check_rows("copay", &file.rows, |a, b| {
            a.band == b.band && !a.income.is_disjoint(&b.income) && a.births_overlap(b)
        })
        .map_err(problem)?;
        Ok(CopayTable { rows: file.rows })
    }

    /// Every row's source text (for the source-coverage test).
    #[cfg(test)]
    pub fn sources(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.value.source.as_str()).collect()
    }
}

/// The ratio in force for a person on a date, with the row that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopayRatio {
    /// Percent of the 10割 fee (10, 20 or 30 in the builtin table).
    pub percent: u8,
    /// The age band on the date.
    pub band: AgeBand,
    /// The `from` of the deciding row.
    pub row_from: Date,
    /// The deciding row's sources.
    pub source: String,
}

impl RuleSet {
    /// 負担割合 in percent for a person born on `birth`, on `on`, in income class `income`.
    pub fn copay_percent(
        &self,
        birth: Date,
        on: Date,
        income: IncomeClass,
    ) -> Result<u8, RuleError> {
        self.copay_ratio(birth, on, income).map(|r| r.percent)
    }

    /// 負担割合 with the band and the table row that decided it (for explanations).
    pub fn copay_ratio(
        &self,
        birth: Date,
        on: Date,
        income: IncomeClass,
    ) -> Result<CopayRatio, RuleError> {
        let band = band_on(birth, on);
        let planned = self.switches.apply_planned_revisions;
        let row = table::in_force(&self.copay.rows, on, planned, |r| {
            r.band == band && r.income.contains(&income) && r.born_in_range(birth)
        })
        .ok_or_else(|| RuleError::NoRule {
            table: TableKind::Copay,
            what: format!("{band:?} band, income {income:?}, born {birth}"),
            on,
        })?;
        Ok(CopayRatio {
            percent: row.value.percent,
            band,
            row_from: row.value.from,
            source: row.value.source.clone(),
        })
    }
}
