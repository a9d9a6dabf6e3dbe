//! Leaf value types whose wire text must survive exactly: the 8-column 保険者番号, the 3-digit
//! percent ratio and the 14-digit timestamp.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::{DateTime, Moment};
use crate::ids::{IdError, InsuranceNumbers, InsurerNumber};

/// 保険者番号 as written in a message: the raw text is kept byte for byte (8 columns; a 6-digit
/// 国保 number right-justified with two spaces or padded with `00`), parsed on demand.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InsurerNumberText(pub String);

impl InsurerNumberText {
    /// The text as found or to be written.
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// Parses and checks the number (check digit, 都道府県, 6/8 digits).
    pub fn parse(&self) -> Result<InsurerNumber, IdError> {
        InsurerNumber::parse(&self.0)
    }

    /// The form real terminals write: 8 digits, or 6 digits right-justified with two spaces.
    pub fn spaces(number: InsurerNumber) -> Self {
        InsurerNumberText(number.padded())
    }

    /// The zero-padded form some clinic systems send (`00` + 6-digit 国保 number).
    pub fn zeros(number: InsurerNumber) -> Self {
        InsurerNumberText(format!("{:0>8}", number.digits()))
    }
}

/// The insurance numbers of a message as they arrived: the 保険者番号 as raw text.
pub type InsuranceNumbersText = InsuranceNumbers<InsurerNumberText>;

impl InsuranceNumbersText {
    /// The numbers with the 保険者番号 parsed and checked (see [`InsurerNumberText::parse`]).
    pub fn parse(&self) -> Result<InsuranceNumbers, IdError> {
        Ok(InsuranceNumbers {
            insurer: self.insurer.parse()?,
            symbol: self.symbol.clone(),
            number: self.number.clone(),
            branch: self.branch.clone(),
        })
    }
}

/// The names the elements of the insurance numbers have in one message (they differ between
/// messages: `InsuredCardSymbol` / `InsuranceCardSymbol`, `InsuredBranchNumber` / `BranchNumber`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct NumberElements {
    /// 保険者番号.
    pub insurer: &'static str,
    /// 記号.
    pub symbol: &'static str,
    /// 番号.
    pub number: &'static str,
    /// 枝番.
    pub branch: &'static str,
}

impl NumberElements {
    /// The names of the 資格確認 search info and the 照会番号登録 info.
    pub(crate) const INSURED: NumberElements = NumberElements {
        insurer: "InsurerNumber",
        symbol: "InsuredCardSymbol",
        number: "InsuredIdentificationNumber",
        branch: "InsuredBranchNumber",
    };
}

impl From<InsurerNumber> for InsurerNumberText {
    fn from(number: InsurerNumber) -> Self {
        InsurerNumberText::spaces(number)
    }
}

impl fmt::Display for InsurerNumberText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 一部負担金割合 as the 3-digit percent of the messages (`010` = 1割, `030` = 3割).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContributionRatio(u8);

impl ContributionRatio {
    /// A ratio of `percent` (0–100).
    pub fn from_percent(percent: u8) -> Option<Self> {
        (percent <= 100).then_some(ContributionRatio(percent))
    }

    /// Parses exactly three ASCII digits, at most `100`.
    pub fn from_code(text: &str) -> Option<Self> {
        if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().and_then(Self::from_percent)
    }

    /// The percent value.
    pub fn percent(self) -> u8 {
        self.0
    }

    /// The wire text, always 3 digits.
    pub fn code(self) -> String {
        format!("{:03}", self.0)
    }
}

impl fmt::Display for ContributionRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

impl TryFrom<String> for ContributionRatio {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ContributionRatio::from_code(&s)
            .ok_or_else(|| format!("`{s}` is not a 3-digit percent 000–100"))
    }
}

impl From<ContributionRatio> for String {
    fn from(r: ContributionRatio) -> String {
        r.code()
    }
}

/// Parses a 14-digit `YYYYMMDDHHMMSS` timestamp (the inverse of [`Moment::compact`]); `None`
/// unless it is a real date and time.
pub fn parse_compact_moment(text: &str) -> Option<Moment> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<i16>().ok());
    let dt = DateTime::new(
        n(0..4)?,
        i8::try_from(n(4..6)?).ok()?,
        i8::try_from(n(6..8)?).ok()?,
        i8::try_from(n(8..10)?).ok()?,
        i8::try_from(n(10..12)?).ok()?,
        i8::try_from(n(12..14)?).ok()?,
        0,
    )
    .ok()?;
    Some(Moment(dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_keeps_three_digits() {
        let r = ContributionRatio::from_percent(10).expect("test value");
        assert_eq!(r.code(), "010");
        assert_eq!(
            ContributionRatio::from_code("030")
                .expect("test value")
                .percent(),
            30
        );
        for bad in ["30", "0300", "101", " 30", "abc", ""] {
            assert_eq!(ContributionRatio::from_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_are_fourteen_real_digits() {
        let m = parse_compact_moment("20230221174835").expect("test value");
        assert_eq!(m.compact(), "20230221174835");
        for bad in [
            "2023022117483",
            "20230230174835",
            "20230221244835",
            "2023022117483x",
        ] {
            assert_eq!(parse_compact_moment(bad), None, "{bad}");
        }
    }

    #[test]
    fn insurer_text_keeps_the_padding_it_was_given() {
        let n = InsurerNumber::national(13, 101).expect("test value");
        assert_eq!(
            InsurerNumberText::spaces(n).raw(),
            format!("  {}", n.digits())
        );
        assert_eq!(
            InsurerNumberText::zeros(n).raw(),
            format!("00{}", n.digits())
        );
        assert_eq!(InsurerNumberText::zeros(n).parse().expect("test value"), n);
    }
}
