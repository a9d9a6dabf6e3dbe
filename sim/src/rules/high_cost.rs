//! 高額療養費 自己負担限度額 (monthly self-pay caps, rules-tables §1): the 16 limit categories
//! (限度額適用認定証適用区分 A01–A06, B01–B10), the dated cap table `high_cost.yaml` with its
//! fixed amounts and `base + (総医療費 − threshold) × rate` formulas, 多数回該当, the 70+
//! individual 外来 cap, the 75th-birthday-month halving, and the rounding of the 1% part.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::copay::RoundingRule;
use super::limit_category::LimitCategory;
use super::table::{self, Located, Problem, Status, impl_dated};
use super::{RuleError, RuleSet, TableKind};
use crate::age::late_elderly_first_day;
use crate::clock::Date;

/// 1円未満四捨五入 for the `(総医療費 − threshold) × rate` part of a cap.
pub const CAP_ROUNDING: RoundingRule = RoundingRule {
    unit_yen: 1,
    source: "健康保険法施行令 第42条 (general knowledge; rules-tables gives no rounding rule)",
};

/// One cell of the cap table (see the header of `high_cost.yaml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CapCell {
    /// `null`: exists but not published.
    Unknown,
    /// `none`: does not exist for this class.
    NotApplicable,
    /// A fixed amount.
    Fixed(u64),
    /// `min(ceiling, base + (総医療費 − threshold) × rate_percent%)`; `threshold: None` = unknown.
    Formula {
        base: u64,
        threshold: Option<u64>,
        rate_percent: u8,
        ceiling: Option<u64>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormulaRepr {
    base: u64,
    #[serde(default, deserialize_with = "table::double_option")]
    threshold: Option<Option<u64>>,
    #[serde(default = "one_percent")]
    rate_percent: u8,
    #[serde(default)]
    ceiling: Option<u64>,
}

fn one_percent() -> u8 {
    1
}

impl<'de> Deserialize<'de> for CapCell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl<'de> Visitor<'de> for CellVisitor {
            type Value = CapCell;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a yen amount, {base, threshold[, rate_percent, ceiling]}, `none` or null",
                )
            }
            fn visit_unit<E: de::Error>(self) -> Result<CapCell, E> {
                Ok(CapCell::Unknown)
            }
            fn visit_none<E: de::Error>(self) -> Result<CapCell, E> {
                Ok(CapCell::Unknown)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CapCell, E> {
                Ok(CapCell::Fixed(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<CapCell, E> {
                u64::try_from(v)
                    .map(CapCell::Fixed)
                    .map_err(|_| E::custom(format!("a cap cannot be negative ({v})")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CapCell, E> {
                match v {
                    "none" => Ok(CapCell::NotApplicable),
                    _ => Err(E::custom(format!(
                        "`{v}` is not a cap: write an amount, a formula map, `none` (does not \
                         exist) or null (not published)"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CapCell, A::Error> {
                let f = FormulaRepr::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let threshold = f.threshold.ok_or_else(|| {
                    de::Error::custom(
                        "a formula needs `threshold` (null if unpublished); write a fixed cap as a plain number",
                    )
                })?;
                if f.rate_percent > 100 {
                    return Err(de::Error::custom("`rate_percent` is at most 100"));
                }
                Ok(CapCell::Formula {
                    base: f.base,
                    threshold,
                    rate_percent: f.rate_percent,
                    ceiling: f.ceiling,
                })
            }
        }
        deserializer.deserialize_any(CellVisitor)
    }
}

impl CapCell {
    /// The cell with every amount halved (75歳到達月); odd yen round down.
    fn halved(self) -> CapCell {
        match self {
            CapCell::Fixed(v) => CapCell::Fixed(v / 2),
            CapCell::Formula {
                base,
                threshold,
                rate_percent,
                ceiling,
            } => CapCell::Formula {
                base: base / 2,
                threshold: threshold.map(|t| t / 2),
                rate_percent,
                ceiling: ceiling.map(|c| c / 2),
            },
            other => other,
        }
    }

    /// The cap for `total_cost` and the arithmetic as text; `None` if unpublished.
    fn evaluate(self, total_cost: u64) -> Option<(u64, String)> {
        match self {
            CapCell::Fixed(v) => Some((v, thousands(v))),
            CapCell::Formula {
                base,
                threshold: Some(threshold),
                rate_percent,
                ceiling,
            } => {
                let over = total_cost.saturating_sub(threshold);
                let extra = CAP_ROUNDING.apply(u128::from(over) * u128::from(rate_percent), 100);
                let raw = base.saturating_add(extra);
                let amount = ceiling.map_or(raw, |c| raw.min(c));
                let sum = if total_cost > threshold {
                    format!(
                        "{} + ({} − {}) × {}%",
                        thousands(base),
                        thousands(total_cost),
                        thousands(threshold),
                        rate_percent
                    )
                } else {
                    format!(
                        "{} (総医療費 {} ≤ {})",
                        thousands(base),
                        thousands(total_cost),
                        thousands(threshold)
                    )
                };
                let text = match ceiling {
                    Some(c) => format!("min({}, {sum}) = {}", thousands(c), thousands(amount)),
                    None if total_cost > threshold => format!("{sum} = {}", thousands(amount)),
                    None => sum,
                };
                Some((amount, text))
            }
            _ => None,
        }
    }
}

/// Formats a number with thousands separators (`87,430` yen, `100,000` steps).
pub fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One row of `high_cost.yaml`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CapRow {
    categories: Vec<LimitCategory>,
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    status: Status,
    household: CapCell,
    outpatient: CapCell,
    many_times: CapCell,
    source: String,
    #[serde(default)]
    note: Option<String>,
}
impl_dated!(CapRow);

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct HalvingRule {
    from: Date,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HighCostFile {
    table: Located<String>,
    birthday_month_75_halving: HalvingRule,
    rows: Vec<Located<CapRow>>,
}

/// The parsed `high_cost.yaml`.
#[derive(Clone, Debug, Default)]
pub(crate) struct HighCostTable {
    halving_from: Option<Date>,
    rows: Vec<Located<CapRow>>,
}

impl HighCostTable {
    /// Parses and checks a cap table.
    pub fn load(name: &str, text: &str) -> Result<HighCostTable, RuleError> {
        let kind = TableKind::HighCost;
        let file: HighCostFile = table::parse(kind, name, text)?;
        table::check_table_key(kind, name, &file.table)?;
        let problem = |p| table::problem_error(kind, name, p);
        for row in &file.rows {
            if row.value.categories.is_empty() {
                return Err(problem(Problem::at(
                    row,
                    "high_cost: `categories` is empty",
                )));
            }
            if row.value.household == CapCell::NotApplicable {
                return Err(problem(Problem::at(
                    row,
                    "high_cost: `household` cannot be `none` (every class has a monthly cap; null if unpublished)",
                )));
            }
        }
        table::check_rows("high_cost", &file.rows, |a, b| {
            a.categories.iter().any(|c| b.categories.contains(c))
        })
        .map_err(problem)?;
        if file.birthday_month_75_halving.source.trim().is_empty() {
            return Err(problem(Problem {
                line: 0,
                column: 0,
                message: "high_cost: `birthday_month_75_halving.source` is empty".into(),
            }));
        }
        Ok(HighCostTable {
            halving_from: Some(file.birthday_month_75_halving.from),
            rows: file.rows,
        })
    }

    /// Every row's source text (for the source-coverage test).
    #[cfg(test)]
    pub fn sources(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.value.source.as_str()).collect()
    }
}

/// Which cap is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapScope {
    /// 外来 (個人): the 70+ individual outpatient cap where the class has one, else the monthly cap.
    Outpatient,
    /// 外来+入院 (世帯): the monthly cap (per person at the window).
    Household,
}

/// The patient's cap attributes, without the month's cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CapTerms {
    /// 適用区分.
    pub category: LimitCategory,
    /// 多数回該当 this month.
    pub many_times: bool,
    /// Which cap.
    pub scope: CapScope,
    /// 75歳到達月の特例 applies this month (see [`birthday_month_75_halving_applies`]).
    pub birthday_month_75_halving: bool,
}

impl CapTerms {
    /// The full request for a month's 10割 total on `on`.
    pub fn request(self, on: Date, total_cost: u64) -> CapRequest {
        CapRequest {
            category: self.category,
            on,
            total_cost,
            many_times: self.many_times,
            scope: self.scope,
            birthday_month_75_halving: self.birthday_month_75_halving,
        }
    }
}

/// A question to the cap table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CapRequest {
    /// 適用区分.
    pub category: LimitCategory,
    /// A date in the month (the row in force on it applies).
    pub on: Date,
    /// 総医療費: the 10割 medical cost of the month.
    pub total_cost: u64,
    /// 多数回該当 this month.
    pub many_times: bool,
    /// Which cap.
    pub scope: CapScope,
    /// 75歳到達月の特例 applies this month.
    pub birthday_month_75_halving: bool,
}

/// Which part of the row decided a cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapBasis {
    /// The monthly (household) cap.
    Monthly,
    /// The 70+ individual 外来 cap (外来特例).
    OutpatientSpecial,
    /// The 多数回該当 amount.
    ManyTimes,
}

/// A cap with how it was obtained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapAmount {
    /// The cap in yen.
    pub yen: u64,
    /// The category asked about.
    pub category: LimitCategory,
    /// Which part of the row decided it.
    pub basis: CapBasis,
    /// Whether the 75歳到達月 halving was applied.
    pub halved: bool,
    /// The arithmetic, e.g. `80,100 + (1,000,000 − 267,000) × 1% = 87,430`.
    pub formula: String,
    /// The `from` of the row used.
    pub row_from: Date,
    /// Whether the row is enacted or planned.
    pub status: Status,
    /// The row's sources.
    pub source: String,
}

/// True when `on` falls in the month of the 75th birthday and that birthday is not the 1st
/// (the person has two insurers that month, §1.4).
pub fn birthday_month_75_halving_applies(birth: Date, on: Date) -> bool {
    late_elderly_first_day(birth).is_some_and(|first| {
        first.year() == on.year() && first.month() == on.month() && first.day() != 1
    })
}

impl RuleSet {
    /// The self-pay cap for a month (§1). Errors when no row is in force or the needed cell is
    /// unpublished (`null`, typically a planned revision).
    pub fn self_pay_cap(&self, req: &CapRequest) -> Result<CapAmount, RuleError> {
        let planned = self.switches.apply_planned_revisions;
        let row = table::in_force(&self.high_cost.rows, req.on, planned, |r| {
            r.categories.contains(&req.category)
        })
        .ok_or_else(|| RuleError::NoRule {
            table: TableKind::HighCost,
            what: format!("limit category {}", req.category),
            on: req.on,
        })?;
        let r = &row.value;
        let (cell, basis, column) = match (req.scope, r.outpatient) {
            (CapScope::Outpatient, CapCell::NotApplicable) | (CapScope::Household, _) => {
                if req.many_times && r.many_times != CapCell::NotApplicable {
                    (r.many_times, CapBasis::ManyTimes, "many_times")
                } else {
                    (r.household, CapBasis::Monthly, "household")
                }
            }
            (CapScope::Outpatient, cell) => (cell, CapBasis::OutpatientSpecial, "outpatient"),
        };
        let halved = req.birthday_month_75_halving
            && self
                .high_cost
                .halving_from
                .is_some_and(|from| req.on >= from);
        let cell = if halved { cell.halved() } else { cell };
        let (yen, formula) =
            cell.evaluate(req.total_cost)
                .ok_or_else(|| RuleError::UnknownCell {
                    table: TableKind::HighCost,
                    what: format!(
                        "the `{column}` cap of {} ({})",
                        req.category,
                        req.category.label_ja()
                    ),
                    on: req.on,
                    row_from: r.from,
                    note: r.note.clone().unwrap_or_default(),
                })?;
        let formula = if halved {
            format!("½ (75歳到達月): {formula}")
        } else {
            formula
        };
        Ok(CapAmount {
            yen,
            category: req.category,
            basis,
            halved,
            formula,
            row_from: r.from,
            status: r.status,
            source: r.source.clone(),
        })
    }
}
