//! The public identifiers and their check digits (facts from `identifiers.md`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::IdError;

fn digits(
    kind: &'static str,
    text: &str,
    expected: &'static str,
    lens: &[usize],
) -> Result<Vec<u8>, IdError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotDigits {
            kind,
            text: text.to_string(),
        });
    }
    if !lens.contains(&text.len()) {
        return Err(IdError::Length {
            kind,
            expected,
            got: text.chars().count(),
            text: text.to_string(),
        });
    }
    Ok(text.bytes().map(|b| b - b'0').collect())
}

/// The check digit shared by 保険者番号 and 医療機関コード: weights 2, 1, 2, 1, … from the
/// rightmost digit before the check digit; add the digits of each product; the check digit
/// is `(10 − sum mod 10) mod 10`.
pub fn luhn_like_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let p = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// 個人番号: 12 digits, the last a check digit (総務省令第85号 第5条).
///
/// Synthetic numbers generated here always start with `9`; the harness never accepts a number
/// from outside, so no real number is ever stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MyNumber(u64);

impl MyNumber {
    const KIND: &'static str = "個人番号 (My Number)";

    /// The check digit for the first 11 digits.
    pub fn check_digit(first11: &[u8; 11]) -> u8 {
        let sum: u32 = (1..=11u32)
            .map(|n| {
                let p = u32::from(first11[11 - n as usize]);
                let q = if n <= 6 { n + 1 } else { n - 5 };
                p * q
            })
            .sum();
        let r = sum % 11;
        if r <= 1 { 0 } else { (11 - r) as u8 }
    }

    /// Parses and checks a 12-digit number.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let d = digits(Self::KIND, text, "12", &[12])?;
        let first: [u8; 11] = d[..11].try_into().map_err(|_| IdError::Length {
            kind: Self::KIND,
            expected: "12",
            got: text.len(),
            text: text.to_string(),
        })?;
        let expected = Self::check_digit(&first);
        if d[11] != expected {
            return Err(IdError::CheckDigit {
                kind: Self::KIND,
                text: text.to_string(),
                got: d[11],
                expected,
            });
        }
        text.parse().map(MyNumber).map_err(|_| IdError::NotDigits {
            kind: Self::KIND,
            text: text.to_string(),
        })
    }

    /// A synthetic number for sequence value `n` (0 ≤ n < 10^10): `9` + n as 10 digits + check.
    pub fn synthetic(n: u64) -> Self {
        let body = 90_000_000_000 + n % 10_000_000_000;
        let mut first = [0u8; 11];
        let mut v = body;
        for slot in first.iter_mut().rev() {
            *slot = (v % 10) as u8;
            v /= 10;
        }
        MyNumber(body * 10 + u64::from(Self::check_digit(&first)))
    }

    /// The 12 digits.
    pub fn digits(self) -> String {
        format!("{:012}", self.0)
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the number itself in logs or debug output.
        write!(f, "MyNumber(****)")
    }
}

impl TryFrom<String> for MyNumber {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        MyNumber::parse(&s)
    }
}

impl From<MyNumber> for String {
    fn from(n: MyNumber) -> String {
        n.digits()
    }
}

/// 保険者番号: 8 digits = 法別番号 (2) + 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1), or
/// 6 digits for 国民健康保険 = 都道府県 (2) + 保険者別 (3) + 検証 (1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InsurerNumber {
    value: u32,
    six_digit: bool,
}

impl InsurerNumber {
    const KIND: &'static str = "保険者番号 (insurer number)";

    /// Parses a 6- or 8-digit number. Leading spaces (the 8-column padding some terminals use
    /// for 6-digit 国保 numbers) are accepted; an 8-digit number starting `00` is read as a
    /// zero-padded 国保 number.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let trimmed = text.trim_start_matches(' ');
        let stripped = if trimmed.len() == 8 && trimmed.starts_with("00") {
            &trimmed[2..]
        } else {
            trimmed
        };
        let d = digits(Self::KIND, stripped, "6 or 8", &[6, 8])?;
        let (body, check) = d.split_at(d.len() - 1);
        let prefecture = if d.len() == 8 { &d[2..4] } else { &d[0..2] };
        let pref = prefecture[0] * 10 + prefecture[1];
        if !(1..=47).contains(&pref) {
            return Err(IdError::Part {
                kind: Self::KIND,
                text: text.to_string(),
                reason: format!("都道府県番号 {pref:02} is not 01–47"),
            });
        }
        if d.len() == 8 && d[0] == 0 && d[1] == 0 {
            return Err(IdError::Part {
                kind: Self::KIND,
                text: text.to_string(),
                reason: "法別番号 00 does not exist".into(),
            });
        }
        let expected = luhn_like_check_digit(body);
        if check[0] != expected {
            return Err(IdError::CheckDigit {
                kind: Self::KIND,
                text: text.to_string(),
                got: check[0],
                expected,
            });
        }
        Ok(InsurerNumber {
            value: stripped.parse().unwrap_or(0),
            six_digit: d.len() == 6,
        })
    }

    /// Builds a valid 8-digit number from 法別番号, 都道府県番号 and 保険者別番号.
    pub fn new(law: u8, prefecture: u8, serial: u16) -> Result<Self, IdError> {
        let text = format!("{:02}{:02}{:03}", law, prefecture, serial);
        if text.len() != 7 {
            return Err(IdError::Part {
                kind: Self::KIND,
                text,
                reason: "法別番号 ≤ 99, 都道府県 ≤ 47, 保険者別番号 ≤ 999".into(),
            });
        }
        let body: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
        Self::parse(&format!("{text}{}", luhn_like_check_digit(&body)))
    }

    /// Builds a valid 6-digit 国民健康保険 number.
    pub fn national(prefecture: u8, serial: u16) -> Result<Self, IdError> {
        let text = format!("{:02}{:03}", prefecture, serial);
        let body: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
        Self::parse(&format!("{text}{}", luhn_like_check_digit(&body)))
    }

    /// 6 or 8 digits as issued.
    pub fn digits(self) -> String {
        if self.six_digit {
            format!("{:06}", self.value)
        } else {
            format!("{:08}", self.value)
        }
    }

    /// The 8-column form of the messages: 6-digit numbers right-justified with two spaces.
    pub fn padded(self) -> String {
        format!("{:>8}", self.digits())
    }

    /// 法別番号 (None for a 6-digit 国保 number).
    pub fn law_code(self) -> Option<u8> {
        (!self.six_digit).then_some((self.value / 1_000_000) as u8)
    }

    /// 都道府県番号.
    pub fn prefecture(self) -> u8 {
        if self.six_digit {
            (self.value / 10_000) as u8
        } else {
            (self.value / 10_000 % 100) as u8
        }
    }

    /// Whether this is a 後期高齢者医療 insurer (法別番号 39).
    pub fn is_late_elderly(self) -> bool {
        self.law_code() == Some(39)
    }
}

impl fmt::Debug for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InsurerNumber({})", self.digits())
    }
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

impl TryFrom<String> for InsurerNumber {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        InsurerNumber::parse(&s)
    }
}

impl From<InsurerNumber> for String {
    fn from(n: InsurerNumber) -> String {
        n.digits()
    }
}

/// 医療機関コード: 10 digits = 都道府県 (2) + 点数表 (1: 医科 1, 歯科 3, 調剤 4) + 郡市区 (2) +
/// 医療機関番号 (4) + 検証番号 (1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstitutionCode(u64);

/// 点数表: which fee schedule an institution bills under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeSchedule {
    /// 医科 (1).
    Medical,
    /// 歯科 (3).
    Dental,
    /// 調剤 (4): a pharmacy.
    Pharmacy,
}

impl InstitutionCode {
    const KIND: &'static str = "医療機関コード (institution code)";

    /// Parses and checks a 10-digit code.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let d = digits(Self::KIND, text, "10", &[10])?;
        let pref = d[0] * 10 + d[1];
        if !(1..=47).contains(&pref) {
            return Err(IdError::Part {
                kind: Self::KIND,
                text: text.to_string(),
                reason: format!("都道府県番号 {pref:02} is not 01–47"),
            });
        }
        if !matches!(d[2], 1 | 3 | 4) {
            return Err(IdError::Part {
                kind: Self::KIND,
                text: text.to_string(),
                reason: format!("点数表 {} is not 1 (医科), 3 (歯科) or 4 (調剤)", d[2]),
            });
        }
        let expected = luhn_like_check_digit(&d[..9]);
        if d[9] != expected {
            return Err(IdError::CheckDigit {
                kind: Self::KIND,
                text: text.to_string(),
                got: d[9],
                expected,
            });
        }
        Ok(InstitutionCode(text.parse().unwrap_or(0)))
    }

    /// Builds a valid code.
    pub fn new(
        prefecture: u8,
        schedule: FeeSchedule,
        district: u8,
        number: u16,
    ) -> Result<Self, IdError> {
        let s = match schedule {
            FeeSchedule::Medical => 1,
            FeeSchedule::Dental => 3,
            FeeSchedule::Pharmacy => 4,
        };
        let text = format!("{:02}{}{:02}{:04}", prefecture, s, district, number);
        let body: Vec<u8> = text.bytes().map(|b| b.wrapping_sub(b'0')).collect();
        Self::parse(&format!("{text}{}", luhn_like_check_digit(&body)))
    }

    /// The 10 digits.
    pub fn digits(self) -> String {
        format!("{:010}", self.0)
    }

    /// The fee schedule (点数表) part.
    pub fn schedule(self) -> FeeSchedule {
        match self.0 / 10_000_000 % 10 {
            3 => FeeSchedule::Dental,
            4 => FeeSchedule::Pharmacy,
            _ => FeeSchedule::Medical,
        }
    }
}

impl fmt::Debug for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstitutionCode({})", self.digits())
    }
}

impl fmt::Display for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

impl TryFrom<String> for InstitutionCode {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        InstitutionCode::parse(&s)
    }
}

impl From<InstitutionCode> for String {
    fn from(n: InstitutionCode) -> String {
        n.digits()
    }
}

/// 発行の番号: the serial number of a certificate. Unique per certificate; no check digit.
/// Serials issued by the simulated J-LIS are positive and fit in 64 bits, so that the DER
/// INTEGER is at most 9 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Serial(pub u64);

impl Serial {
    const KIND: &'static str = "証明書シリアル番号 (certificate serial)";

    /// Parses a serial written as upper- or lower-case hexadecimal (1–16 digits, optional
    /// `0x`), the form certificates print.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let body = text.strip_prefix("0x").unwrap_or(text);
        if body.is_empty() || body.len() > 16 {
            return Err(IdError::Length {
                kind: Self::KIND,
                expected: "1–16 hex",
                got: body.len(),
                text: text.to_string(),
            });
        }
        u64::from_str_radix(body, 16)
            .ok()
            .filter(|v| *v != 0)
            .map(Serial)
            .ok_or_else(|| IdError::Part {
                kind: Self::KIND,
                text: text.to_string(),
                reason: "must be a non-zero hexadecimal number".into(),
            })
    }

    /// Upper-case hexadecimal, 16 digits.
    pub fn hex(self) -> String {
        format!("{:016X}", self.0)
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({})", self.hex())
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl TryFrom<String> for Serial {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Serial::parse(&s)
    }
}

impl From<Serial> for String {
    fn from(n: Serial) -> String {
        n.hex()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn insurer_number_examples_from_the_facts() {
        let n = InsurerNumber::parse("33120015").unwrap();
        assert_eq!(n.law_code(), Some(33));
        assert_eq!(n.prefecture(), 12);
        InsurerNumber::parse("01130012").unwrap();
        assert!(matches!(
            InsurerNumber::parse("33120016"),
            Err(IdError::CheckDigit {
                expected: 5,
                got: 6,
                ..
            })
        ));
        assert!(matches!(
            InsurerNumber::parse("3312001"),
            Err(IdError::Length { .. })
        ));
        assert!(matches!(
            InsurerNumber::parse("3312001X"),
            Err(IdError::NotDigits { .. })
        ));
        assert!(matches!(
            InsurerNumber::parse("33990016"),
            Err(IdError::Part { .. })
        ));
    }

    #[test]
    fn six_digit_national_numbers_keep_their_form() {
        let n = InsurerNumber::national(13, 101).unwrap();
        assert_eq!(n.digits().len(), 6);
        assert_eq!(n.padded(), format!("  {}", n.digits()));
        assert_eq!(InsurerNumber::parse(&n.padded()).unwrap(), n);
        assert_eq!(
            InsurerNumber::parse(&format!("00{}", n.digits())).unwrap(),
            n
        );
        assert_eq!(n.law_code(), None);
        assert_eq!(n.prefecture(), 13);
    }

    #[test]
    fn institution_code_example_from_the_facts() {
        let c = InstitutionCode::parse("0110113719").unwrap();
        assert_eq!(c.schedule(), FeeSchedule::Medical);
        assert!(matches!(
            InstitutionCode::parse("0110113718"),
            Err(IdError::CheckDigit { .. })
        ));
        assert!(matches!(
            InstitutionCode::parse("0120113719"),
            Err(IdError::Part { .. })
        ));
        let p = InstitutionCode::new(13, FeeSchedule::Pharmacy, 1, 2345).unwrap();
        assert_eq!(p.schedule(), FeeSchedule::Pharmacy);
    }

    #[test]
    fn my_number_check_digit_and_debug_hides_it() {
        let n = MyNumber::synthetic(42);
        let text = n.digits();
        assert_eq!(text.len(), 12);
        assert!(text.starts_with('9'));
        assert_eq!(MyNumber::parse(&text).unwrap(), n);
        assert_eq!(format!("{n:?}"), "MyNumber(****)");
        // A hand-computed case: 12345678901 → Σ P·Q = 1·2+0·3+9·4+8·5+7·6+6·7+5·2+4·3+3·4+2·5+1·6
        // = 2+0+36+40+42+42+10+12+12+10+6 = 212; 212 mod 11 = 3 → check 8.
        assert_eq!(MyNumber::check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), 8);
        assert!(MyNumber::parse("123456789018").is_ok());
        assert!(matches!(
            MyNumber::parse("123456789017"),
            Err(IdError::CheckDigit { .. })
        ));
        assert!(matches!(
            MyNumber::parse("12345678901"),
            Err(IdError::Length { .. })
        ));
    }

    #[test]
    fn serials_parse_as_hex() {
        assert_eq!(Serial::parse("00000000000000FF").unwrap(), Serial(255));
        assert_eq!(Serial::parse("0xff").unwrap(), Serial(255));
        assert!(Serial::parse("").is_err());
        assert!(Serial::parse("0").is_err());
        assert!(Serial::parse("12345678901234567").is_err());
        assert!(Serial::parse("xyz").is_err());
    }

    proptest! {
        #[test]
        fn synthetic_my_numbers_always_validate(n in 0u64..10_000_000_000) {
            let m = MyNumber::synthetic(n);
            prop_assert_eq!(MyNumber::parse(&m.digits()).unwrap(), m);
        }

        #[test]
        fn a_single_changed_digit_breaks_the_insurer_check(law in 1u8..99, pref in 1u8..=47, ser in 0u16..1000, pos in 0usize..8, delta in 1u8..10) {
            let n = InsurerNumber::new(law, pref, ser).unwrap();
            let mut d: Vec<u8> = n.digits().bytes().collect();
            d[pos] = b'0' + (d[pos] - b'0' + delta) % 10;
            let text = String::from_utf8(d).unwrap();
            // "00…" reads as a zero-padded 6-digit 国保 number, a different identifier.
            prop_assume!(!text.starts_with("00"));
            prop_assert!(InsurerNumber::parse(&text).is_err(), "{} accepted", text);
        }

        #[test]
        fn parsers_never_panic_on_arbitrary_text(s in "\\PC{0,20}") {
            let _ = MyNumber::parse(&s);
            let _ = InsurerNumber::parse(&s);
            let _ = InstitutionCode::parse(&s);
            let _ = Serial::parse(&s);
        }
    }
}
