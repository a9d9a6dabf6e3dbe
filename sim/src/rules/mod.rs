//! Dated rule tables (burden ratios, 高額療養費 caps, consent screens, data windows, card and
//! certificate validity) loaded from data embedded at build time, plus the named switchable
//! rules.
//!
//! The facts live in `sim/rules/*.yaml`, one file per [`TableKind`], written from
//! `shared/domain/rules-tables.md` with a `[Sxx]` source on every row. [`RuleSet::builtin`]
//! parses the embedded copies; a user replaces one with [`RuleSet::with_table`] (the harness
//! reads the file and hands the text in: this module does no I/O). Errors in user text carry
//! line and column. Facts marked UNCERTAIN are [`Switches`]; unknown cells of planned
//! revisions are `null` in the data and an error when asked for, never a guess.

mod card;
mod certificate;
mod consent;
mod copay;
mod high_cost;
pub mod late_elderly;
mod limit_category;
mod payment;
mod switches;
mod table;
mod windows;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

pub use card::{CardAtr, SignatureInput};
pub use certificate::{CertificateState, PinKind, PinProblem};
pub use consent::{
    CONSENT_DATA, CareMode, CheckupKind, ConsentItem, ConsentPlan, InstitutionSettings,
};
pub use copay::{COPAY_ROUNDING, CopayRatio, IncomeClass, RoundingRule};
pub use high_cost::{
    CAP_ROUNDING, CapAmount, CapBasis, CapRequest, CapScope, CapTerms,
    birthday_month_75_halving_applies, thousands,
};
pub use limit_category::LimitCategory;
pub use payment::{
    CLAIM_UNIT_SOURCE, ClaimUnit, WindowPayment, WindowVisit, plain_copay, window_charge,
};
pub use switches::{SwitchInfo, Switches, edit_distance};
pub use table::Status;
pub use windows::{DataKind, DataWindow};

use crate::clock::Date;

/// The rule tables a user can replace, one YAML file each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    /// 負担割合 (`copay.yaml`, §2).
    Copay,
    /// 高額療養費 自己負担限度額 (`high_cost.yaml`, §1).
    HighCost,
    /// 同意画面 (`consent.yaml`, §3).
    Consent,
    /// 閲覧できる期間 (`data_windows.yaml`, §4).
    DataWindows,
    /// カード・電子証明書の有効期限と暗証番号 (`certificate.yaml`, §5).
    Certificate,
}

impl TableKind {
    /// Every kind, in file order.
    pub const ALL: [TableKind; 5] = [
        TableKind::Copay,
        TableKind::HighCost,
        TableKind::Consent,
        TableKind::DataWindows,
        TableKind::Certificate,
    ];

    /// The name used on the command line and in the `table:` key of the file.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Copay => "copay",
            TableKind::HighCost => "high_cost",
            TableKind::Consent => "consent",
            TableKind::DataWindows => "data_windows",
            TableKind::Certificate => "certificate",
        }
    }

    /// The kind named `name`; an unknown name is an error listing the known ones.
    pub fn parse(name: &str) -> Result<TableKind, RuleError> {
        TableKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| RuleError::UnknownTable {
                name: name.to_string(),
                known: TableKind::ALL.iter().map(|k| k.name()).collect(),
            })
    }

    /// The file name of the builtin table (`copay.yaml`).
    pub fn file_name(self) -> String {
        format!("{}.yaml", self.name())
    }

    /// The embedded default text of this table (for `rules dump` and as an editing template).
    pub fn builtin_text(self) -> &'static str {
        match self {
            TableKind::Copay => include_str!("../../rules/copay.yaml"),
            TableKind::HighCost => include_str!("../../rules/high_cost.yaml"),
            TableKind::Consent => include_str!("../../rules/consent.yaml"),
            TableKind::DataWindows => include_str!("../../rules/data_windows.yaml"),
            TableKind::Certificate => include_str!("../../rules/certificate.yaml"),
        }
    }
}

impl std::fmt::Display for TableKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong when loading tables, setting switches or asking a rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A table text is not valid YAML, does not match the table shape, or fails a check.
    #[error("{name}:{line}:{column}: {message}")]
    Table {
        /// Which table.
        kind: TableKind,
        /// The name given for errors (usually the file path).
        name: String,
        /// 1-based line (0 when unknown).
        line: u64,
        /// 1-based column (0 when unknown).
        column: u64,
        /// What is wrong.
        message: String,
        /// serde-saphyr's rendering with a source snippet, when it produced one.
        snippet: Option<String>,
    },
    /// No table of that name.
    #[error("unknown rule table `{name}`; tables: {}", known.join(", "))]
    UnknownTable {
        /// The name given.
        name: String,
        /// The known names.
        known: Vec<&'static str>,
    },
    /// No switch of that name.
    #[error("unknown switch `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownSwitch {
        /// The name given.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// A switch value that does not parse or is out of range.
    #[error("switch `{name}` cannot be `{value}`: expected {expected}")]
    SwitchValue {
        /// The switch.
        name: String,
        /// The text given.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// No row of a table is in force for the question.
    #[error("no {table} rule for {what} on {on}")]
    NoRule {
        /// Which table.
        table: TableKind,
        /// What was asked.
        what: String,
        /// The date asked about.
        on: Date,
    },
    /// The row in force has `null` in the needed cell: the value is not published.
    #[error("{what} on {on} is not known (null in the {table} table row from {row_from}): {note}")]
    UnknownCell {
        /// Which table.
        table: TableKind,
        /// What was asked.
        what: String,
        /// The date asked about.
        on: Date,
        /// The `from` of the row in force.
        row_from: Date,
        /// The row's note on why it is unknown.
        note: String,
    },
    /// Not a 限度額適用認定証適用区分 code.
    #[error("`{0}` is not a limit category code (A01–A06, B01–B10)")]
    UnknownLimitCategory(String),
    /// A PIN that the card would reject.
    #[error("{kind} PIN rejected: {problem}")]
    Pin {
        /// Which PIN.
        kind: PinKind,
        /// Why.
        problem: PinProblem,
    },
    /// A date computation left the calendar range.
    #[error("date out of range computing {0}")]
    DateRange(String),
}

/// The complete rule set: the five tables plus the switches. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RuleSet {
    copay: copay::CopayTable,
    high_cost: high_cost::HighCostTable,
    consent: consent::ConsentTable,
    windows: windows::DataWindowTable,
    certificate: certificate::CertificateTable,
    switches: Switches,
    /// Set only if an embedded table failed to load (a unit test guarantees it does not).
    builtin_error: Option<RuleError>,
    /// A deliberate bug for the tests of `onshi explore` (never set by a scenario or the CLI).
    planted: Option<PlantedFault>,
}

/// A deliberate bug a test plants in the reference, to show that `onshi explore`'s invariant
/// oracle finds and shrinks it. No scenario, switch or command line can set one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedFault {
    /// The provider forgets the month's earlier charges, so a cap no longer limits the total.
    ForgetMonthTotals,
    /// The provider panics when it charges a second visit in the same month and claim.
    PanicOnSecondCharge,
}

impl RuleSet {
    /// The embedded tables with default switches. Parsed once per process.
    pub fn builtin() -> RuleSet {
        static BUILTIN: OnceLock<RuleSet> = OnceLock::new();
        BUILTIN
            .get_or_init(|| match RuleSet::try_builtin() {
                Ok(rules) => rules,
                Err(e) => RuleSet {
                    copay: copay::CopayTable::default(),
                    high_cost: high_cost::HighCostTable::default(),
                    consent: consent::ConsentTable::default(),
                    windows: windows::DataWindowTable::default(),
                    certificate: certificate::CertificateTable::default(),
                    switches: Switches::default(),
                    builtin_error: Some(e),
                    planted: None,
                },
            })
            .clone()
    }

    /// Plants a deliberate bug (tests of `onshi explore` only).
    #[doc(hidden)]
    pub fn plant(&mut self, fault: PlantedFault) {
        self.planted = Some(fault);
    }

    /// The planted bug, if a test planted one.
    #[doc(hidden)]
    pub fn planted(&self) -> Option<PlantedFault> {
        self.planted
    }

    /// The embedded tables, or the first error in them.
    pub fn try_builtin() -> Result<RuleSet, RuleError> {
        let switches = Switches::default();
        let name = |k: TableKind| format!("builtin:{}.yaml", k.name());
        Ok(RuleSet {
            copay: copay::CopayTable::load(
                &name(TableKind::Copay),
                TableKind::Copay.builtin_text(),
            )?,
            high_cost: high_cost::HighCostTable::load(
                &name(TableKind::HighCost),
                TableKind::HighCost.builtin_text(),
            )?,
            consent: consent::ConsentTable::load(
                &name(TableKind::Consent),
                TableKind::Consent.builtin_text(),
            )?,
            windows: windows::DataWindowTable::load(
                &name(TableKind::DataWindows),
                TableKind::DataWindows.builtin_text(),
                &switches,
            )?,
            certificate: certificate::CertificateTable::load(
                &name(TableKind::Certificate),
                TableKind::Certificate.builtin_text(),
            )?,
            switches,
            builtin_error: None,
            planted: None,
        })
    }

    /// This rule set with table `kind` replaced by the YAML `text`; `name` (usually the file
    /// path) prefixes error messages, which carry line and column.
    pub fn with_table(
        mut self,
        kind: TableKind,
        name: &str,
        text: &str,
    ) -> Result<RuleSet, RuleError> {
        match kind {
            TableKind::Copay => self.copay = copay::CopayTable::load(name, text)?,
            TableKind::HighCost => self.high_cost = high_cost::HighCostTable::load(name, text)?,
            TableKind::Consent => self.consent = consent::ConsentTable::load(name, text)?,
            TableKind::DataWindows => {
                self.windows = windows::DataWindowTable::load(name, text, &self.switches)?;
            }
            TableKind::Certificate => {
                self.certificate = certificate::CertificateTable::load(name, text)?;
            }
        }
        Ok(self)
    }

    /// The switches in effect.
    pub fn switches(&self) -> &Switches {
        &self.switches
    }

    /// The switches, for changing.
    pub fn switches_mut(&mut self) -> &mut Switches {
        &mut self.switches
    }

    /// The error that kept an embedded table from loading, if any (never, in a tested build).
    pub fn builtin_error(&self) -> Option<&RuleError> {
        self.builtin_error.as_ref()
    }
}
