//! Values that mix a closed set of names with a free value (a date or `none`, an amount or
//! `none`, …), each checking its form while the file is read.

use std::borrow::Cow;
use std::fmt;

use jiff::civil::Date;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::{BAD_VALIDITY, BAD_VALUE};

/// Reads a scalar (text or number) as text, for the value types below.
struct ScalarText;

impl Visitor<'_> for ScalarText {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(ScalarText)
}

fn bad<E: de::Error>(text: &str, forms: &str) -> E {
    E::custom(format!("{BAD_VALUE}`{text}`: expected {forms}"))
}

fn date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse::<Date>().ok()
}

/// A date (`YYYY-MM-DD`) or `none` (`long_stay_from`, `loss_date`, `confirmed_later`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrNone {
    /// No date.
    None,
    /// This date.
    Date(Date),
}

/// The forms a [`DateOrNone`] takes, for messages.
pub const DATE_OR_NONE: &str = "`none` or a date YYYY-MM-DD";

impl DateOrNone {
    /// Reads the text form.
    pub fn parse(text: &str) -> Option<DateOrNone> {
        match text {
            "none" => Some(DateOrNone::None),
            t => date(t).map(DateOrNone::Date),
        }
    }
}

impl fmt::Display for DateOrNone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateOrNone::None => f.write_str("none"),
            DateOrNone::Date(d) => write!(f, "{d}"),
        }
    }
}

impl<'de> Deserialize<'de> for DateOrNone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar(d)?;
        DateOrNone::parse(&text).ok_or_else(|| bad(&text, DATE_OR_NONE))
    }
}

impl JsonSchema for DateOrNone {
    fn schema_name() -> Cow<'static, str> {
        "DateOrNone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A date YYYY-MM-DD, or `none`.",
            "anyOf": [
                { "const": "none", "description": "No date." },
                { "type": "string", "format": "date", "description": "This date." }
            ]
        })
    }
}

/// The expiry notice an answer carries (`confirmation.expiry_notice`): a date, `none`, or
/// `any` (some date).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeDate {
    /// No notice.
    None,
    /// A notice, whatever its date.
    Any,
    /// A notice with this date.
    Date(Date),
}

/// The forms a [`NoticeDate`] takes, for messages.
pub const NOTICE_DATE: &str = "a date YYYY-MM-DD, `none` or `any`";

impl fmt::Display for NoticeDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoticeDate::None => f.write_str("none"),
            NoticeDate::Any => f.write_str("any"),
            NoticeDate::Date(d) => write!(f, "{d}"),
        }
    }
}

impl<'de> Deserialize<'de> for NoticeDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar(d)?;
        match text.as_str() {
            "none" => Ok(NoticeDate::None),
            "any" => Ok(NoticeDate::Any),
            t => date(t)
                .map(NoticeDate::Date)
                .ok_or_else(|| bad(&text, NOTICE_DATE)),
        }
    }
}

impl JsonSchema for NoticeDate {
    fn schema_name() -> Cow<'static, str> {
        "NoticeDate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A date YYYY-MM-DD, `none` or `any`.",
            "anyOf": [
                { "const": "none", "description": "No expiry notice." },
                { "const": "any", "description": "An expiry notice, whatever its date." },
                { "type": "string", "format": "date", "description": "A notice with this date." }
            ]
        })
    }
}

/// An amount in yen or `none` (`provider.cap`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountOrNone {
    /// No amount.
    None,
    /// This many yen.
    Yen(u64),
}

/// The forms an [`AmountOrNone`] takes, for messages.
pub const AMOUNT_OR_NONE: &str = "`none` or an amount in yen (digits, e.g. 57600)";

impl fmt::Display for AmountOrNone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountOrNone::None => f.write_str("none"),
            AmountOrNone::Yen(n) => write!(f, "{n}"),
        }
    }
}

impl<'de> Deserialize<'de> for AmountOrNone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar(d)?;
        if text == "none" {
            return Ok(AmountOrNone::None);
        }
        if !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = text.parse()
        {
            return Ok(AmountOrNone::Yen(n));
        }
        Err(bad(&text, AMOUNT_OR_NONE))
    }
}

impl JsonSchema for AmountOrNone {
    fn schema_name() -> Cow<'static, str> {
        "AmountOrNone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An amount in yen, or `none`.",
            "anyOf": [
                { "const": "none", "description": "No amount." },
                { "type": "integer", "minimum": 0, "description": "Yen." },
                { "type": "string", "pattern": "^[0-9]+$", "description": "Yen, as text." }
            ]
        })
    }
}

/// A percentage or `none` (`confirmation.elderly_copay`: 高齢受給者 負担割合).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PercentOrNone {
    /// Not a 高齢受給者.
    None,
    /// This percentage (0–100).
    Percent(u8),
}

/// The forms a [`PercentOrNone`] takes, for messages.
pub const PERCENT_OR_NONE: &str = "`none` or a percentage 0–100 (e.g. 20)";

impl fmt::Display for PercentOrNone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PercentOrNone::None => f.write_str("none"),
            PercentOrNone::Percent(n) => write!(f, "{n}"),
        }
    }
}

impl<'de> Deserialize<'de> for PercentOrNone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar(d)?;
        if text == "none" {
            return Ok(PercentOrNone::None);
        }
        match text.parse::<u8>() {
            Ok(n) if n <= 100 && text.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(PercentOrNone::Percent(n))
            }
            _ => Err(bad(&text, PERCENT_OR_NONE)),
        }
    }
}

impl JsonSchema for PercentOrNone {
    fn schema_name() -> Cow<'static, str> {
        "PercentOrNone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage 0–100, or `none`.",
            "anyOf": [
                { "const": "none", "description": "Not a 高齢受給者." },
                { "type": "integer", "minimum": 0, "maximum": 100, "description": "Percent." },
                { "type": "string", "pattern": "^[0-9]{1,3}$", "description": "Percent, as text." }
            ]
        })
    }
}

/// Which earlier serial the registry relinked from (`registry.link.relinked_from`): `none`,
/// `previous` (the serial just before the current one) or `N back` (N ≥ 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelinkedFrom {
    /// Not relinked.
    None,
    /// The serial just before the current one.
    Previous,
    /// The serial this many before the current one (2 or more).
    Back(u32),
}

/// The forms a [`RelinkedFrom`] takes, for messages.
pub const RELINKED_FROM: &str = "`none`, `previous` or `N back` with N ≥ 2 (e.g. `2 back`)";

impl fmt::Display for RelinkedFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelinkedFrom::None => f.write_str("none"),
            RelinkedFrom::Previous => f.write_str("previous"),
            RelinkedFrom::Back(n) => write!(f, "{n} back"),
        }
    }
}

impl<'de> Deserialize<'de> for RelinkedFrom {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar(d)?;
        match text.as_str() {
            "none" => return Ok(RelinkedFrom::None),
            "previous" => return Ok(RelinkedFrom::Previous),
            _ => {}
        }
        if let Some(n) = text.strip_suffix(" back")
            && n.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = n.parse::<u32>()
            && n >= 2
        {
            return Ok(RelinkedFrom::Back(n));
        }
        Err(bad(&text, RELINKED_FROM))
    }
}

impl JsonSchema for RelinkedFrom {
    fn schema_name() -> Cow<'static, str> {
        "RelinkedFrom".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`none`, `previous` or `N back` (N ≥ 2).",
            "anyOf": [
                { "const": "none", "description": "Not relinked." },
                { "const": "previous", "description": "The serial just before the current one." },
                { "type": "string", "pattern": "^([2-9]|[1-9][0-9]+) back$",
                  "description": "The serial N before the current one." }
            ]
        })
    }
}

/// A 資格有効性 code, 1–6 (`confirmation.validity`, `provider.later_validity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValidityCode(u8);

impl ValidityCode {
    /// The code, 1–6.
    pub fn new(code: u8) -> Option<ValidityCode> {
        (1..=6).contains(&code).then_some(ValidityCode(code))
    }

    /// The code.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for ValidityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for ValidityCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar(d)?;
        text.parse::<u8>()
            .ok()
            .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
            .and_then(ValidityCode::new)
            .ok_or_else(|| de::Error::custom(format!("{BAD_VALIDITY}{text} does not exist (1–6)")))
    }
}

impl JsonSchema for ValidityCode {
    fn schema_name() -> Cow<'static, str> {
        "ValidityCode".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "資格有効性: 1 有効, 2 無効, 3 新しい資格あり, 4 該当資格なし, 5 複数該当, 6 その他.",
            "type": "integer",
            "minimum": 1,
            "maximum": 6
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_types_read_their_forms_and_refuse_others() {
        let d: DateOrNone = serde_saphyr::from_str("2026-03-01").unwrap();
        assert_eq!(d.to_string(), "2026-03-01");
        assert_eq!(
            serde_saphyr::from_str::<DateOrNone>("none").unwrap(),
            DateOrNone::None
        );
        for bad in ["2026-3-1", "any", "2026-02-30", "yes"] {
            assert!(serde_saphyr::from_str::<DateOrNone>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_saphyr::from_str::<NoticeDate>("any").unwrap(),
            NoticeDate::Any
        );
        assert!(serde_saphyr::from_str::<NoticeDate>("some").is_err());
        assert_eq!(
            serde_saphyr::from_str::<AmountOrNone>("\"87430\"").unwrap(),
            AmountOrNone::Yen(87430)
        );
        assert_eq!(
            serde_saphyr::from_str::<AmountOrNone>("87430").unwrap(),
            AmountOrNone::Yen(87430)
        );
        for bad in ["-1", "1.5", "\"8万\"", "nothing"] {
            assert!(
                serde_saphyr::from_str::<AmountOrNone>(bad).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            serde_saphyr::from_str::<PercentOrNone>("\"20\"").unwrap(),
            PercentOrNone::Percent(20)
        );
        assert!(serde_saphyr::from_str::<PercentOrNone>("101").is_err());
        assert_eq!(
            serde_saphyr::from_str::<RelinkedFrom>("2 back").unwrap(),
            RelinkedFrom::Back(2)
        );
        assert_eq!(RelinkedFrom::Back(3).to_string(), "3 back");
        for bad in ["1 back", "back", "two back", "prev"] {
            assert!(
                serde_saphyr::from_str::<RelinkedFrom>(bad).is_err(),
                "{bad}"
            );
        }
        assert!(serde_saphyr::from_str::<ValidityCode>("7").is_err());
        assert!(serde_saphyr::from_str::<ValidityCode>("0").is_err());
        assert_eq!(
            serde_saphyr::from_str::<ValidityCode>("6").unwrap().get(),
            6
        );
    }
}
