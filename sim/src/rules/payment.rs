//! The window charge of one visit (PRV-2): the 一部負担金 (fee × ratio, 10円未満四捨五入),
//! limited so that the month's charges on one claim at this institution never exceed the
//! self-pay cap computed on that claim's cumulative 10割 cost of the month; and which claim
//! (入院 or 入院外) a visit belongs to ([`ClaimUnit`]).

use super::consent::CareMode;
use super::copay::COPAY_ROUNDING;
use super::high_cost::{CapAmount, CapTerms};
use super::limit_category::LimitCategory;
use super::{RuleError, RuleSet};
use crate::clock::Date;

/// Where the claim-unit rule comes from (see [`ClaimUnit`]).
pub const CLAIM_UNIT_SOURCE: &str = "rules-tables §1.1: a 医療機関's month counts 入院/外来 (and \
     医科/歯科) separately [S5][S1b]; shared/domain/oqs-wire.md OQSCD019 診療別: 01 入院, 02 入院外 \
     (separate レセプト). Merging them is the insurer's later 高額療養費 (世帯合算: the 21,000-yen \
     rule under 70, the 外来+入院 (世帯) cap from 70 applied after the 外来 (個人) cap, §1.2 [S3]), \
     not the window's. 70+ at the window: switch `window_separates_inpatient_70_plus`";

/// The claim (レセプト) a window charge counts toward. At one institution, for one patient, one
/// insurer and one calendar month the window keeps one running total per claim unit and caps
/// each on its own: an outpatient visit after an inpatient stay in the same month starts from
/// nothing (source: [`CLAIM_UNIT_SOURCE`]). 医科 and 歯科 are separate 医療機関コード (点数表
/// digit), so they are separate institutions here already.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimUnit {
    /// 入院 (診療別 01).
    Inpatient,
    /// 入院外 (診療別 02): 外来, and 訪問診療 which is billed on the 入院外 claim.
    Outpatient,
    /// 入院 and 入院外 in one total: only for a 70+ patient (B-code) when the switch
    /// `window_separates_inpatient_70_plus` is off.
    Pooled,
}

impl RuleSet {
    /// The claim unit whose month total a visit in `care` counts toward, for a patient whose
    /// answer carried 適用区分 `category` (none: no 限度額 data).
    pub fn claim_unit(&self, care: CareMode, category: Option<LimitCategory>) -> ClaimUnit {
        let seventy_plus = category.is_some_and(|c| !c.is_under_70());
        if seventy_plus && !self.switches.window_separates_inpatient_70_plus {
            return ClaimUnit::Pooled;
        }
        match care {
            CareMode::Inpatient => ClaimUnit::Inpatient,
            CareMode::Outpatient | CareMode::HomeVisit => ClaimUnit::Outpatient,
        }
    }
}

/// One visit at the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowVisit {
    /// The visit date (decides the cap row in force).
    pub on: Date,
    /// 10割 fee of this visit.
    pub fee: u64,
    /// 負担割合 in percent (values above 100 count as 100).
    pub copay_percent: u8,
    /// 10割 fees of earlier visits this month at this institution on the same claim
    /// ([`ClaimUnit`]).
    pub month_fee_before: u64,
    /// What this institution already charged this patient this month on the same claim.
    pub already_charged_this_month: u64,
    /// The patient's cap terms when 限度額 data is known (consented or, from 2024-10-07,
    /// provided); `None` = no cap at the window.
    pub cap: Option<CapTerms>,
}

/// What the window charges for a visit, with the reasoning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowPayment {
    /// The amount charged for this visit.
    pub charge: u64,
    /// fee × ratio rounded to 10 yen, before the cap.
    pub plain_copay: u64,
    /// The cap for the month's cumulative cost, if a cap applies.
    pub cap: Option<CapAmount>,
    /// True when the cap lowered the charge.
    pub capped: bool,
}

/// fee × `copay_percent`% rounded per [`COPAY_ROUNDING`] (10円未満四捨五入).
pub fn plain_copay(fee: u64, copay_percent: u8) -> u64 {
    COPAY_ROUNDING.apply(u128::from(fee) * u128::from(copay_percent.min(100)), 100)
}

/// The charge for a visit given the cap already computed for the month's cumulative cost
/// (`month_fee_before + fee`): the plain copay, but never more than what is left under the cap.
pub fn window_charge(
    fee: u64,
    copay_percent: u8,
    already_charged_this_month: u64,
    cap_for_month: Option<u64>,
) -> u64 {
    let plain = plain_copay(fee, copay_percent);
    match cap_for_month {
        Some(cap) => plain.min(cap.saturating_sub(already_charged_this_month)),
        None => plain,
    }
}

impl RuleSet {
    /// The window charge for `visit`: the cap (if any) is computed for the month's cumulative
    /// 10割 cost including this visit, then [`window_charge`] applies it.
    pub fn window_payment(&self, visit: &WindowVisit) -> Result<WindowPayment, RuleError> {
        let plain = plain_copay(visit.fee, visit.copay_percent);
        let cap = match visit.cap {
            Some(terms) => {
                let total = visit.month_fee_before.saturating_add(visit.fee);
                Some(self.self_pay_cap(&terms.request(visit.on, total))?)
            }
            None => None,
        };
        let charge = window_charge(
            visit.fee,
            visit.copay_percent,
            visit.already_charged_this_month,
            cap.as_ref().map(|c| c.yen),
        );
        Ok(WindowPayment {
            charge,
            plain_copay: plain,
            capped: charge < plain,
            cap,
        })
    }
}
