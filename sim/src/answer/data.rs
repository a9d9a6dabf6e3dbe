//! The consent-gated data the registry holds and hands out: 薬剤/診療/手術 records (レセプト and
//! 電子処方箋), 特定健診 results, and why a request was denied (REG-6..8, REG-10, REG-12).

use serde::Serialize;

use crate::clock::Date;
use crate::rules::{ConsentItem, DataKind};

/// A レセプト-based or e-prescription record (薬剤/診療/手術).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MedicalRecord {
    /// Which information it belongs to.
    pub kind: DataKind,
    /// 診療日 (the month is what counts for レセプト data).
    pub date: Date,
    /// What it says (drug name and quantity, procedure …), synthetic.
    pub text: String,
    /// Dispensed through 電子処方箋: visible in near real time, not after the レセプト lag.
    pub e_prescription: bool,
}

/// One 特定健診 (or 後期高齢者健診) result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checkup {
    /// 実施日.
    pub date: Date,
    /// Result items (name, value), synthetic.
    pub items: Vec<(String, String)>,
}

/// Why optional data was not given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "denied", rename_all = "snake_case")]
pub enum DataDenied {
    /// No consent for this item at this institution.
    #[error("no consent for {item:?} at this institution")]
    NoConsent {
        /// The item.
        item: ConsentItem,
    },
    /// The consent has expired (24 hours for outpatients).
    #[error("the consent for {item:?} expired at {expired}")]
    ConsentExpired {
        /// The item.
        item: ConsentItem,
        /// When.
        expired: String,
    },
    /// 特定健診 is for people aged 40 and over.
    #[error("特定健診 information is only for people aged {min_age}+")]
    TooYoung {
        /// The minimum age in force.
        min_age: u16,
    },
    /// The registry is unavailable.
    #[error("the registry is unavailable")]
    Unavailable,
}

/// Data handed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "payload", content = "items", rename_all = "snake_case")]
pub enum DataPayload {
    /// 薬剤/診療/手術 records.
    Records(Vec<MedicalRecord>),
    /// 特定健診 results.
    Checkups(Vec<Checkup>),
}

impl DataPayload {
    /// Number of items.
    pub fn len(&self) -> usize {
        match self {
            DataPayload::Records(r) => r.len(),
            DataPayload::Checkups(c) => c.len(),
        }
    }

    /// Whether nothing is in it.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
