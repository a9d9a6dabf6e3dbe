//! Named, switchable rules: every fact the simulation needs that `rules-tables.md` marks
//! UNCERTAIN (and a few modelling choices of our own) is a typed field here with its
//! documented default, a short Japanese/English description and its source note. Scenarios
//! and the CLI set them by name from text ([`Switches::set`]); code sets the public fields.

use crate::clock::Date;

use super::RuleError;
use super::card::{CardAtr, SignatureInput};

/// What the CLI and reports show about one switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchInfo {
    /// The switch name used in scenarios and on the command line.
    pub name: &'static str,
    /// The current value as text (the same form [`Switches::set`] accepts).
    pub value: String,
    /// The documented default as text.
    pub default: String,
    /// Short description, Japanese then English.
    pub description: &'static str,
    /// True when the underlying fact is UNCERTAIN in rules-tables.md (or is our own choice).
    pub uncertain: bool,
    /// Where the default comes from and what is uncertain about it.
    pub source: &'static str,
}

/// A value type a switch can hold, written and read as text.
pub(super) trait SwitchValue: Sized {
    /// Parses the text form; the error says what was expected.
    fn parse_text(text: &str) -> Result<Self, String>;
    /// The text form.
    fn show(&self) -> String;
}

impl SwitchValue for bool {
    fn parse_text(text: &str) -> Result<Self, String> {
        match text.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("true or false".into()),
        }
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

macro_rules! integer_switch_value {
    ($($t:ty),*) => {$(
        impl SwitchValue for $t {
            fn parse_text(text: &str) -> Result<Self, String> {
                text.trim().parse::<$t>().map_err(|_| {
                    format!("a whole number from {} to {}", <$t>::MIN, <$t>::MAX)
                })
            }
            fn show(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
integer_switch_value!(u16, u32);

impl SwitchValue for f64 {
    fn parse_text(text: &str) -> Result<Self, String> {
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err("a finite decimal number such as 0.8".into()),
        }
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl SwitchValue for Date {
    fn parse_text(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<Date>()
            .map_err(|_| "a date YYYY-MM-DD".into())
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl<T: SwitchValue> SwitchValue for Option<T> {
    fn parse_text(text: &str) -> Result<Self, String> {
        match text.trim() {
            "none" | "null" | "~" => Ok(None),
            other => T::parse_text(other)
                .map(Some)
                .map_err(|e| format!("{e}, or none")),
        }
    }
    fn show(&self) -> String {
        self.as_ref().map_or_else(|| "none".to_string(), T::show)
    }
}

/// Optional per-switch range check; `Ok` means acceptable.
type Check<T> = fn(&T) -> Result<(), String>;

fn any<T>(_: &T) -> Result<(), String> {
    Ok(())
}

fn unit_interval(v: &f64) -> Result<(), String> {
    if (0.0..=1.0).contains(v) {
        Ok(())
    } else {
        Err("a similarity between 0 and 1".into())
    }
}

fn months(v: &u32) -> Result<(), String> {
    if *v <= 120 {
        Ok(())
    } else {
        Err("at most 120 months".into())
    }
}

fn hours(v: &Option<u32>) -> Result<(), String> {
    match v {
        Some(h) if *h > 24 * 366 * 10 => Err("at most ten years of hours".into()),
        _ => Ok(()),
    }
}

fn plain_hours(v: &u32) -> Result<(), String> {
    hours(&Some(*v))
}

macro_rules! switches {
    ($(
        $(#[$doc:meta])*
        $name:ident : $ty:ty = $default:expr;
        uncertain: $uncertain:expr;
        ja: $ja:literal; en: $en:literal;
        source: $source:literal;
        check: $check:expr;
    )*) => {
        /// The switchable rules with their current values (see each field).
        #[derive(Clone, Debug, PartialEq)]
        pub struct Switches {
            $( $(#[$doc])* pub $name: $ty, )*
        }

        impl Default for Switches {
            fn default() -> Self {
                Switches { $( $name: $default, )* }
            }
        }

        impl Switches {
            /// Every switch name, in documentation order.
            pub const NAMES: &'static [&'static str] = &[$( stringify!($name), )*];

            /// Every switch with its value, default, description and source note.
            pub fn list(&self) -> Vec<SwitchInfo> {
                vec![$(
                    SwitchInfo {
                        name: stringify!($name),
                        value: SwitchValue::show(&self.$name),
                        default: SwitchValue::show(&{ let d: $ty = $default; d }),
                        description: concat!($ja, " / ", $en),
                        uncertain: $uncertain,
                        source: $source,
                    },
                )*]
            }

            /// Sets the switch `name` from its text form (`true`, `40`, `none`, `0.85`,
            /// `2024-04-01`); an unknown name is an error that suggests the closest name.
            pub fn set(&mut self, name: &str, value_text: &str) -> Result<(), RuleError> {
                match name {
                    $(
                        stringify!($name) => {
                            let bad = |expected: String| RuleError::SwitchValue {
                                name: stringify!($name).to_string(),
                                value: value_text.to_string(),
                                expected,
                            };
                            let value = <$ty as SwitchValue>::parse_text(value_text).map_err(bad)?;
                            let check: Check<$ty> = $check;
                            check(&value).map_err(bad)?;
                            self.$name = value;
                            Ok(())
                        }
                    )*
                    _ => Err(RuleError::UnknownSwitch {
                        name: name.to_string(),
                        suggestion: closest(name, Self::NAMES).map(str::to_string),
                    }),
                }
            }
        }
    };
}

switches! {
    /// 健康保険証利用登録 survives a card re-issue (the registry re-links the new serial);
    /// §6, REG-2. Public guidance is mixed.
    registration_survives_reissue: bool = true;
    uncertain: true;
    ja: "カード再発行後も利用登録を引き継ぐ"; en: "registration survives card re-issue";
    source: "rules-tables §6: conflicting (blog [S58b] says re-registration needed; no official source); default per REG-2";
    check: any;

    /// 健康保険証利用登録 survives a certificate renewal (old→new serial link from J-LIS).
    registration_survives_renewal: bool = true;
    uncertain: true;
    ja: "電子証明書更新後も利用登録を引き継ぐ"; en: "registration survives certificate renewal";
    source: "rules-tables §6: implied by insurer guidance and the grace logic; terms articles not verified [S55][S56]";
    check: any;

    /// Apply rows with `status: planned` (the 2026-08 高額療養費 revision, §1.5).
    apply_planned_revisions: bool = false;
    uncertain: true;
    ja: "予定の改定(未施行)を適用する"; en: "apply planned (not yet enacted) revisions";
    source: "rules-tables §1.5: 2026-08 step decided 2025-12-24, needs FY2026 budget and 政令 [S13][S14][S20]";
    check: any;

    /// The 特定健診 consent screen is shown only from this legal age (none = all ages).
    checkup_screen_min_age: Option<u16> = Some(40);
    uncertain: true;
    ja: "特定健診の同意画面を表示する最低年齢"; en: "minimum age for the checkup consent screen";
    source: "rules-tables §3.1 / RDR-4 leaflet says 40+; since 2024-02 under-40 事業主健診 is on マイナポータル [S39], so may not hold";
    check: any;

    /// After 2024-10-07 the 特定疾病 (TSR) item still has its own consent screen (false =
    /// delivered like 限度額, without a screen).
    specific_disease_consent_screen_after_2024_10: bool = false;
    uncertain: true;
    ja: "2024-10以降も特定疾病の同意画面を表示する"; en: "designated-disease consent screen kept after 2024-10";
    source: "rules-tables §3.1: TSR delivered like 限度額; screen after 2024-10 UNCERTAIN [S10c]";
    check: any;

    /// 限度額 (and a screen-less 特定疾病) information is still provided while the certificate is
    /// in its expiry grace period (no consent screens are shown either way).
    limit_info_provided_in_grace: bool = false;
    uncertain: true;
    ja: "猶予期間中も限度額情報を提供する"; en: "limit information provided during the certificate grace period";
    source: "rules-tables §5.2 and RDR-5: only 資格情報 is returned in grace [S41][S44] (the default); true models the reading that since 2024-10-07 限度額 is part of 電子資格確認 itself [S27]";
    check: any;

    /// Hours an outpatient consent stays valid (24 h, after which the card must be read again).
    outpatient_consent_hours: u32 = 24;
    uncertain: false;
    ja: "外来の同意の有効時間"; en: "outpatient consent validity in hours";
    source: "rules-tables §3.2 [S29]";
    check: plain_hours;

    /// Hours an inpatient consent stays valid (none = until discharge or revocation).
    inpatient_consent_hours: Option<u32> = None;
    uncertain: true;
    ja: "入院の同意の有効時間(none=退院まで)"; en: "inpatient consent validity in hours (none = until discharge)";
    source: "rules-tables §3.2: no source fixes it; \"until discharge\" commonly stated";
    check: hours;

    /// Hours a home-visit consent stays valid (none = while the care relationship lasts).
    home_visit_consent_hours: Option<u32> = None;
    uncertain: false;
    ja: "訪問診療等の同意の有効時間(none=継続中)"; en: "home-visit consent validity in hours (none = while care continues)";
    source: "rules-tables §3.2 居宅同意取得型 [S33b]";
    check: hours;

    /// Consecutive face-match failures after which face authentication locks (none = never).
    face_lock_after_failures: Option<u32> = Some(10);
    uncertain: true;
    ja: "顔認証がロックされる連続失敗回数"; en: "consecutive face failures that lock face authentication";
    source: "rules-tables §5.4: news report only";
    check: any;

    /// Similarity (0–1) at or above which the reader accepts a face match.
    face_match_threshold: f64 = 0.80;
    uncertain: true;
    ja: "顔照合の合格しきい値"; en: "face similarity threshold";
    source: "ours: vendors do not publish the threshold";
    check: unit_interval;

    /// Face attempts allowed after the first failure before the reader offers the PIN path.
    face_retries_before_pin: u32 = 2;
    uncertain: true;
    ja: "暗証番号入力に切り替えるまでの顔認証再試行回数"; en: "face retries before the PIN path";
    source: "ours: RDR-2 says retries then PIN; the count is vendor-specific";
    check: any;

    /// Hours after issue before a renewed certificate works for insurance use.
    new_certificate_delay_hours: u32 = 0;
    uncertain: true;
    ja: "更新した電子証明書がマイナ保険証で使えるまでの時間"; en: "hours before a new certificate works for insurance use";
    source: "rules-tables §5.2: about 24 h per a municipal page [S57]; not confirmed as a system rule";
    check: plain_hours;

    /// First day the レセプト-based windows (薬剤・診療・手術・医療費通知) show 5 years instead of 3.
    /// Any date up to 2024-09-01 gives the same visible data (the oldest data, 2021-09 診療分,
    /// is under 3 years old until then); 2024-04-01, the first fiscal year after the
    /// 2023-09-07 部会 proposal, is chosen.
    medication_window_extension_from: Date = jiff::civil::date(2024, 4, 1);
    uncertain: true;
    ja: "薬剤・診療等の閲覧期間を3年から5年に延長した日"; en: "date receipt-based windows went from 3 to 5 years";
    source: "rules-tables §4: proposed 2023-09-07 [S36], 5 years in 2025 sources [S34][S36b]; cut-over date unknown. Default 2024-04-01 is ours (start of FY2024; every date up to 2024-09-01 shows the same data)";
    check: any;

    /// Earliest 診療月 of 医療費通知情報 on マイナポータル.
    medical_expense_notice_from: Date = jiff::civil::date(2021, 9, 1);
    uncertain: true;
    ja: "医療費通知情報の対象となる最初の診療月"; en: "first treatment month of medical expense notices";
    source: "rules-tables §4: 2021-09 診療分, exact start UNCERTAIN [S36]";
    check: any;

    /// Months after the expiry month during which an expired certificate still confirms.
    certificate_grace_months: u32 = 3;
    uncertain: false;
    ja: "有効期限切れ電子証明書の猶予期間(満了月の翌月から数えた月数)"; en: "grace months after the certificate expiry month";
    source: "rules-tables §5.2: EOM(expiry month + 3) [S42][S43]; MHLW words it loosely [S40]";
    check: months;

    /// Months before and after expiry during which results carry an expiry notice.
    expiry_notice_months: u32 = 3;
    uncertain: false;
    ja: "有効期限の更新案内を表示する前後の月数"; en: "months before/after expiry with an expiry notice";
    source: "rules-tables §5.2 [S40][S10c]";
    check: months;

    /// Months before expiry from which a certificate can be renewed.
    renewal_window_months: u32 = 3;
    uncertain: false;
    ja: "有効期限の何か月前から更新できるか"; en: "months before expiry that renewal opens";
    source: "rules-tables §5.1 [S47b]";
    check: months;

    /// Renewal opens the day after "N months before expiry" rather than on that day.
    renewal_window_opens_day_after: bool = false;
    uncertain: true;
    ja: "更新受付を「3か月前の翌日」から開始する"; en: "renewal opens the day after N months before expiry";
    source: "rules-tables §5.1: some municipal pages say 3か月前の翌日 [S47b]";
    check: any;

    /// 多数回該当: months with a 高額療養費 payment needed in the look-back before this one
    /// (3 = this is the 4th month).
    many_times_needs_prior_months: u32 = 3;
    uncertain: false;
    ja: "多数回該当に必要な過去の該当月数"; en: "prior capped months needed for the repeated-month reduction";
    source: "rules-tables §1.1 [S5]";
    check: months;

    /// 多数回該当: the look-back in months (the preceding 12 months).
    many_times_lookback_months: u32 = 12;
    uncertain: false;
    ja: "多数回該当の判定期間(月数)"; en: "look-back months for the repeated-month reduction";
    source: "rules-tables §1.1 [S5]";
    check: months;

    /// Months capped only by the 70+ individual 外来 cap count toward 多数回該当.
    outpatient_cap_months_count_for_many_times: bool = false;
    uncertain: true;
    ja: "外来特例(個人)の該当月を多数回該当に数える"; en: "outpatient-only capped months count toward the repeated-month reduction";
    source: "rules-tables §1.2 notes: UNCERTAIN wording, consistent with [S3] footnote";
    check: any;

    /// 75歳到達: the 後期 資格取得 and the old insurer's 資格喪失 (and a dependent's 家族 喪失) reach
    /// the registry on the 75th birthday itself; false: each after its insurer's lag, like any
    /// other change (REG-5).
    late_elderly_change_registered_on_birthday: bool = true;
    uncertain: true;
    ja: "75歳到達による後期の資格取得と旧保険の資格喪失を誕生日当日に登録済みとする"; en: "the 75th-birthday move reaches the registry on the birthday";
    source: "rules-tables §2.2: 後期 from the birthday, the old 資格確認書 ends the day before [S26][S66]; the change is fixed by law in advance (資格取得 by 職権), but no source says when the records reach the オンライン資格確認等システム. Default is ours: on the birthday; false applies each insurer's lag (§7.1)";
    check: any;

    /// First day on which every new 資格 record an insurer registers is matched against J-LIS
    /// (住民基本台帳) at registration; a record whose 基本4情報 do not match the linked 個人番号
    /// is withheld until the insurer fixes it (none = never at registration).
    jlis_check_on_registration_from: Option<Date> = Some(jiff::civil::date(2024, 5, 1));
    uncertain: true;
    ja: "新規登録の資格情報を登録時にJ-LISと突合する開始日"; en: "first day new records are matched against J-LIS at registration";
    source: "rules-tables §7.1 / §8: planned 2024-05 (5月上旬) [S62]; the exact day is UNCERTAIN. Default 2024-05-01 is ours";
    check: any;

    /// 70+ at the window: an inpatient stay and outpatient visits at one institution in one
    /// month are separate claims (the 外来 (個人) cap on the outpatient total, the 外来+入院
    /// (世帯) cap on the inpatient total); false pools them into one month total.
    window_separates_inpatient_70_plus: bool = true;
    uncertain: true;
    ja: "70歳以上も窓口では同一医療機関の入院と外来を別の月額として扱う"; en: "70+: the window keeps inpatient and outpatient month totals apart";
    source: "rules-tables §1.1 states 入院/外来 as separate units [S5][S1b] in the under-70 section; §1.2 gives the 外来 (個人) and 外来+入院 (世帯) columns and the order 'individual 外来 cap first, then 世帯 cap including 入院' [S3], which is the insurer's later computation; rules-tables says nothing explicit about the 70+ window. Default: separate claims (レセプト, oqs-wire OQSCD019 診療別 01 入院 / 02 入院外), as a secondary source describes for 70+ (each of 通院 and 入院 computed on its own, then combined and refunded: https://diamond.jp/articles/-/15245?page=2)";
    check: any;

    /// The answer-to-reset the virtual card presents: the real card's (OpenSC's JPKI driver
    /// and terminal software identify the card by it), or onshi's own distinct one.
    card_atr: CardAtr = CardAtr::Real;
    uncertain: false;
    ja: "仮想カードのATR(real=実カードと同じ、onshi=onshi独自)"; en: "the virtual card's ATR (real = the real card's, onshi = onshi's own)";
    source: "jpki-card.md: the real card answers 3B E0 00 FF 81 31 FE 45 14, the one ATR in OpenSC's JPKI driver table (card-jpki.c). onshi = 3B 8A 80 01 80 58 'ONSHISIM' D7, for a bench that must tell the virtual card from a real one: software that knows the card by its ATR alone then does not recognise it (OpenSC still finds it by SELECT of the JPKI AID)";
    check: any;

    /// What COMPUTE DIGITAL SIGNATURE pads (PKCS#1 v1.5 type 1) and signs: any input that fits
    /// the key (at most modulus length − 11 bytes), or only SHA-1 and SHA-256 DigestInfos.
    card_signature_input: SignatureInput = SignatureInput::AnyThatFits;
    uncertain: true;
    ja: "署名コマンドが受け付ける入力(any_that_fits=鍵長−11バイト以内なら何でも)"; en: "inputs the card signs (any_that_fits = anything up to the modulus length − 11 bytes)";
    source: "jpki-card.md: UNCERTAIN whether the real card checks the hash OID; OpenSC's JPKI driver declares RSA 'hash none + PKCS#1 padding' (card-jpki.c), so its PKCS#11 module sends MD5, SHA-384 and SHA-512 DigestInfos as well, which says the card signs any input that fits. sha1_sha256_digest_info keeps onshi's earlier strict card (6A 80 for anything else)";
    check: any;

    /// GET CHALLENGE (00 84 00 00 Le) answers Le seeded bytes; false: 6D 00 (no such command).
    card_answers_get_challenge: bool = true;
    uncertain: true;
    ja: "カードがGET CHALLENGEに応答する"; en: "the card answers GET CHALLENGE";
    source: "jpki-card.md does not list GET CHALLENGE (none of the public clients it was gathered from sends it); OpenSC's JPKI driver keeps ISO 7816's get_challenge, so PKCS#11 C_GenerateRandom (pkcs11-tool --test) sends it. Default ours: answered (Le bytes drawn from the seed), so OpenSC's self-test passes; false answers 6D 00 as onshi's card did before";
    check: any;
}

impl Switches {
    /// Names of the switches that hold a date (usable as `{switch: name}` in tables).
    pub fn date_switch_names() -> Vec<&'static str> {
        vec![
            "medication_window_extension_from",
            "medical_expense_notice_from",
        ]
    }

    /// The value of the date switch `name`, or `None` if there is no such date switch.
    pub fn date_value(&self, name: &str) -> Option<Date> {
        match name {
            "medication_window_extension_from" => Some(self.medication_window_extension_from),
            "medical_expense_notice_from" => Some(self.medical_expense_notice_from),
            _ => None,
        }
    }
}

/// The candidate closest to `name` by edit distance (ties: the first listed).
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .min_by_key(|c| edit_distance(name, c))
        .copied()
}

/// Levenshtein distance over characters (also used by the harness for "did you mean").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn date_switch_names_all_resolve() {
        let s = Switches::default();
        for name in Switches::date_switch_names() {
            assert!(s.date_value(name).is_some(), "{name}");
            assert!(Switches::NAMES.contains(&name), "{name}");
        }
    }
}
