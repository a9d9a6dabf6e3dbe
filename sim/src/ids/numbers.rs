//! The insurance-number group: 保険者番号・記号・番号・枝番, as one value.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::InsurerNumber;

/// 保険者番号・被保険者証記号・番号・枝番: what a 資格確認書 (or an old 保険証) shows and what a
/// query by insurance numbers sends (REG-9).
///
/// `I` is the form of the 保険者番号: checked ([`InsurerNumber`], the default) once it has been
/// parsed, the raw 8-column text of a message (`oqs::InsurerNumberText`) as it arrived, or the
/// insurer's handle ([`InsurerId`](super::InsurerId)) on a 資格 record, whose number is its
/// insurer's. `B` is the form of the 枝番: optional (the default) where a query or a message may
/// leave it out, a `String` on a 資格 record, which always has one (2 digits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InsuranceNumbers<I = InsurerNumber, B = Option<String>> {
    /// 保険者番号.
    pub insurer: I,
    /// 記号 (absent for 後期高齢 and on cards without one; may contain kanji).
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番 (2 digits when present; a query may leave it out).
    pub branch: B,
}

/// Serializes numbers that may be missing as the four keys `insurer_number`, `symbol`, `number`
/// and `branch`, each `null` when there are no numbers: for a field marked
/// `#[serde(flatten, serialize_with = "…")]`, so that a record keeps its flat JSON (a plain
/// flattened `Option` would leave the keys out instead).
pub fn serialize_numbers_or_nulls<I: Serialize, S: Serializer>(
    numbers: &Option<InsuranceNumbers<I>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let n = numbers.as_ref();
    let mut s = serializer.serialize_struct("InsuranceNumbers", 4)?;
    s.serialize_field("insurer_number", &n.map(|n| &n.insurer))?;
    s.serialize_field("symbol", &n.and_then(|n| n.symbol.as_ref()))?;
    s.serialize_field("number", &n.map(|n| &n.number))?;
    s.serialize_field("branch", &n.and_then(|n| n.branch.as_ref()))?;
    s.end()
}
