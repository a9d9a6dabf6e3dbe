//! 限度額適用認定証適用区分 (limit category, OQSCD012, rules-tables §1.6): the 16 codes
//! A01–A06 (under 70) and B01–B10 (70+) with labels and the income class each implies.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::RuleError;
use super::copay::IncomeClass;

/// 限度額適用認定証適用区分 (OQSCD012): A-codes under 70, B-codes 70 and over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitCategory {
    /// 区分ア (標準報酬83万円以上).
    A01,
    /// 区分イ (53万〜79万円).
    A02,
    /// 区分ウ (28万〜50万円).
    A03,
    /// 区分エ (26万円以下).
    A04,
    /// 区分オ (住民税非課税).
    A05,
    /// 区分オ（境）境界層該当.
    A06,
    /// 現役並みⅢ.
    B01,
    /// 現役並みⅡ.
    B02,
    /// 現役並みⅠ.
    B03,
    /// 一般 (70–74 高齢受給者).
    B04,
    /// 低所得Ⅱ.
    B05,
    /// 低所得Ⅰ.
    B06,
    /// 低所得Ⅰ（老福）老齢福祉年金受給者.
    B07,
    /// 低所得Ⅰ（境）境界層該当.
    B08,
    /// 一般Ⅱ (後期, 2割). Note the reversed order with B10.
    B09,
    /// 一般Ⅰ (後期, 1割).
    B10,
}

impl LimitCategory {
    /// Every category in code order.
    pub const ALL: [LimitCategory; 16] = [
        LimitCategory::A01,
        LimitCategory::A02,
        LimitCategory::A03,
        LimitCategory::A04,
        LimitCategory::A05,
        LimitCategory::A06,
        LimitCategory::B01,
        LimitCategory::B02,
        LimitCategory::B03,
        LimitCategory::B04,
        LimitCategory::B05,
        LimitCategory::B06,
        LimitCategory::B07,
        LimitCategory::B08,
        LimitCategory::B09,
        LimitCategory::B10,
    ];

    /// The wire code, e.g. `"A03"`.
    pub fn code(self) -> &'static str {
        match self {
            LimitCategory::A01 => "A01",
            LimitCategory::A02 => "A02",
            LimitCategory::A03 => "A03",
            LimitCategory::A04 => "A04",
            LimitCategory::A05 => "A05",
            LimitCategory::A06 => "A06",
            LimitCategory::B01 => "B01",
            LimitCategory::B02 => "B02",
            LimitCategory::B03 => "B03",
            LimitCategory::B04 => "B04",
            LimitCategory::B05 => "B05",
            LimitCategory::B06 => "B06",
            LimitCategory::B07 => "B07",
            LimitCategory::B08 => "B08",
            LimitCategory::B09 => "B09",
            LimitCategory::B10 => "B10",
        }
    }

    /// Parses a wire code (`"A03"`); anything else is an error.
    pub fn parse(code: &str) -> Result<LimitCategory, RuleError> {
        LimitCategory::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| RuleError::UnknownLimitCategory(code.to_string()))
    }

    /// The Japanese label of the category.
    pub fn label_ja(self) -> &'static str {
        match self {
            LimitCategory::A01 => "区分ア",
            LimitCategory::A02 => "区分イ",
            LimitCategory::A03 => "区分ウ",
            LimitCategory::A04 => "区分エ",
            LimitCategory::A05 => "区分オ",
            LimitCategory::A06 => "区分オ（境）",
            LimitCategory::B01 => "現役並みⅢ",
            LimitCategory::B02 => "現役並みⅡ",
            LimitCategory::B03 => "現役並みⅠ",
            LimitCategory::B04 => "一般",
            LimitCategory::B05 => "低所得Ⅱ",
            LimitCategory::B06 => "低所得Ⅰ",
            LimitCategory::B07 => "低所得Ⅰ（老福）",
            LimitCategory::B08 => "低所得Ⅰ（境）",
            LimitCategory::B09 => "一般Ⅱ",
            LimitCategory::B10 => "一般Ⅰ",
        }
    }

    /// True for the A-codes (70歳未満).
    pub fn is_under_70(self) -> bool {
        self.code().starts_with('A')
    }

    /// The income class for the copay ratio implied by a 70+ category (A-codes: `General`,
    /// as the ratio under 70 does not depend on income).
    pub fn income_class(self) -> IncomeClass {
        match self {
            LimitCategory::B01 | LimitCategory::B02 | LimitCategory::B03 => {
                IncomeClass::ActiveIncome
            }
            LimitCategory::B05 | LimitCategory::B06 | LimitCategory::B07 | LimitCategory::B08 => {
                IncomeClass::Low
            }
            LimitCategory::B09 => IncomeClass::GeneralII,
            _ => IncomeClass::General,
        }
    }
}

impl fmt::Display for LimitCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl<'de> Deserialize<'de> for LimitCategory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        LimitCategory::parse(&code).map_err(de::Error::custom)
    }
}

impl serde::Serialize for LimitCategory {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}
