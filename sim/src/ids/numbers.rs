//! The insurance-number group: 保険者番号・記号・番号・枝番, as one value.

use super::InsurerNumber;

/// 保険者番号・被保険者証記号・番号・枝番: what a 資格確認書 (or an old 保険証) shows and what a
/// query by insurance numbers sends (REG-9).
///
/// `I` is the form of the 保険者番号: checked ([`InsurerNumber`], the default) once it has been
/// parsed, or the raw 8-column text of a message (`oqs::InsurerNumberText`) as it arrived.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InsuranceNumbers<I = InsurerNumber> {
    /// 保険者番号.
    pub insurer: I,
    /// 記号 (absent for 後期高齢 and on cards without one; may contain kanji).
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番 (2 digits when present; a query may leave it out).
    pub branch: Option<String>,
}
