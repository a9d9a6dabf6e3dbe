//! The window charge of one visit (PRV-2): the 一部負担金 (fee × ratio, 10円未満四捨五入),
//! limited so that the month's charges at this institution never exceed the self-pay cap
//! computed on the month's cumulative 10割 cost.

use super::copay::COPAY_ROUNDING;
use super::high_cost::{CapAmount, CapTerms};
use super::{RuleError, RuleSet};
use crate::clock::Date;

/// One visit at the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowVisit {
    /// The visit date (decides the cap row in force).
    pub on: Date,
    /// 10割 fee of this visit.
    pub fee: u64,
    /// 負担割合 in percent (values above 100 count as 100).
    pub copay_percent: u8,
    /// 10割 fees of earlier visits this month at this institution.
    pub month_fee_before: u64,
    /// What this institution already charged this patient this month.
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
