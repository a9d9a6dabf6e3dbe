//! 75歳到達 → 後期高齢者医療 (rules-tables §2.2, §1.4; 高齢者の医療の確保に関する法律 第50条・第52条):
//! the day the law moves a person, the prefecture whose 後期高齢者医療広域連合 takes them (by the
//! address), and the synthetic 広域連合 the world creates when a scenario declares none for that
//! prefecture.
//!
//! - The 後期 資格 starts on the 75th birthday itself (the day after "75歳に達する日"); the old
//!   資格 is lost on that day (資格喪失日 = the birthday, so its last day is the day before). A
//!   person born on the 1st is 後期 from the 1st: the same rule.
//! - A 被扶養者 (家族) of an insured person who moves to 後期 loses the 家族 資格 on the same day
//!   (rules-tables §1.4: "a dependent who is moved to 国保 because the earner joined 後期").
//! - 保険者番号 of a 広域連合: 法別番号 39 + 都道府県番号 + 保険者別番号 + 検証番号
//!   (identifiers.md). A synthetic one uses 保険者別番号 [`SYNTHETIC_SERIAL`].

use crate::clock::Date;
use crate::ids::{IdError, InsurerNumber};

/// 法別番号 of 後期高齢者医療.
pub const LATE_ELDERLY_LAW_CODE: u8 = 39;

/// 保険者別番号 of a 広域連合 the world creates (a range chosen to stay synthetic).
pub const SYNTHETIC_SERIAL: u16 = 900;

/// 都道府県 in JIS X 0401 order: the code is the index + 1.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// The prefecture code (1–47) of an address that starts with a prefecture name, e.g.
/// `東京都千代田区千代田1-1` → 13.
pub fn prefecture_of(address: &str) -> Option<u8> {
    let address = address.trim_start();
    PREFECTURES
        .iter()
        .position(|p| address.starts_with(p))
        .map(|i| i as u8 + 1)
}

/// The name of a prefecture code (1–47).
pub fn prefecture_name(code: u8) -> Option<&'static str> {
    PREFECTURES.get(usize::from(code).checked_sub(1)?).copied()
}

/// The first day of 後期高齢者医療 by age: the 75th birthday.
pub fn late_elderly_start(birth: Date) -> Option<Date> {
    crate::age::late_elderly_first_day(birth)
}

/// The 保険者番号 of the synthetic 広域連合 for a prefecture: 39 + code + 900 + check digit.
pub fn synthetic_insurer_number(prefecture: u8) -> Result<InsurerNumber, IdError> {
    InsurerNumber::new(LATE_ELDERLY_LAW_CODE, prefecture, SYNTHETIC_SERIAL)
}

/// The 保険者名称 of a prefecture's 広域連合, e.g. 東京都後期高齢者医療広域連合.
pub fn insurer_name(prefecture: u8) -> String {
    format!(
        "{}後期高齢者医療広域連合",
        prefecture_name(prefecture).unwrap_or("")
    )
}

/// The scenario key of the synthetic 広域連合 for a prefecture (`late-elderly-13`).
pub fn synthetic_insurer_key(prefecture: u8) -> String {
    format!("late-elderly-{prefecture:02}")
}

/// The 被保険者番号 a 広域連合 the world creates assigns: 8 digits, `75` and the person's
/// index + 1 (synthetic; a scenario can set it per person).
pub fn generated_member_number(person_index: usize) -> String {
    format!("75{:06}", (person_index + 1) % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefecture_codes_follow_jis_order() {
        assert_eq!(prefecture_of("東京都千代田区千代田1-1"), Some(13));
        assert_eq!(prefecture_of("北海道札幌市"), Some(1));
        assert_eq!(prefecture_of("沖縄県那覇市"), Some(47));
        assert_eq!(prefecture_of("京都府京都市"), Some(26));
        assert_eq!(prefecture_of("千代田区"), None);
        assert_eq!(prefecture_name(13), Some("東京都"));
        assert_eq!(prefecture_name(0), None);
        assert_eq!(prefecture_name(48), None);
    }

    #[test]
    fn synthetic_numbers_carry_a_valid_check_digit_for_every_prefecture() {
        for code in 1..=47u8 {
            let n = synthetic_insurer_number(code).expect("valid");
            let text = n.digits();
            assert_eq!(text.len(), 8);
            assert!(text.starts_with(&format!("39{code:02}900")), "{text}");
            assert!(n.is_late_elderly());
            // Parsing checks the check digit again.
            assert_eq!(InsurerNumber::parse(&text).expect("parses"), n);
        }
        assert_eq!(synthetic_insurer_number(13).unwrap().digits(), "39139001");
        assert_eq!(insurer_name(13), "東京都後期高齢者医療広域連合");
    }
}
