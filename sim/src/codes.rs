//! The business code tables of 別紙5-1 (OQSCDnnn) that the clinic-side messages use, one enum
//! per table, with the wire code (leading zeros exact) and the Japanese label (oqs-wire.md §3).
//!
//! The tables are the eligibility system's vocabulary, and the actors use them as they are
//! (資格有効性 in the registry's answers, 本人・家族 and 資格喪失事由 on the insurer's records).
//! They depend on nothing else in the crate, so every actor can use them and [`crate::oqs`]
//! can sit above the actors (it turns their answers into messages).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A code value outside its table (別紙5-1 OQSCDnnn).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` is not a code of {table} (expected one of: {expected})")]
pub struct UnknownCode {
    /// The table, e.g. `OQSCD006`.
    pub table: &'static str,
    /// The rejected text.
    pub found: String,
    /// The codes the table allows.
    pub expected: String,
}

/// One code table value: every OQSCD enum implements this.
pub trait Code: Copy + Sized + 'static {
    /// The table id, e.g. `OQSCD006`.
    const TABLE: &'static str;
    /// Every value in table order.
    const ALL: &'static [Self];
    /// The code as written on the wire.
    fn code(self) -> &'static str;
    /// The Japanese label.
    fn label_ja(self) -> &'static str;
    /// Parses a wire code.
    fn from_code(code: &str) -> Result<Self, UnknownCode>;
}

/// A code table as data (for listings such as `onshi explain`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeTable {
    /// The table id, e.g. `OQSCD006`.
    pub id: &'static str,
    /// The element(s) the table is used for.
    pub elements: &'static str,
    /// `(code, label_ja)` pairs in table order.
    pub entries: &'static [(&'static str, &'static str)],
}

fn unknown(table: &'static str, found: &str, codes: &[&str]) -> UnknownCode {
    UnknownCode {
        table,
        found: found.to_string(),
        expected: codes.join(", "),
    }
}

macro_rules! code_table {
    (
        $(#[$meta:meta])*
        $name:ident, $table:literal, $elements:literal, $entries:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        const $entries: &[(&str, &str)] = &[$(($code, $label)),+];

        impl $name {
            /// The 別紙5-1 table this enum mirrors.
            pub const TABLE: &'static str = $table;
            /// Every value in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire code, exactly as written in the XML (leading zeros kept).
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Japanese label of the code table.
            pub fn label_ja(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a wire code exactly (no trimming, no number conversion).
            pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(unknown($table, code, &[$($code),+])),
                }
            }

            /// This table as data.
            pub const fn table() -> CodeTable {
                CodeTable { id: $table, elements: $elements, entries: $entries }
            }
        }

        impl Code for $name {
            const TABLE: &'static str = $table;
            const ALL: &'static [Self] = $name::ALL;
            fn code(self) -> &'static str { $name::code(self) }
            fn label_ja(self) -> &'static str { $name::label_ja(self) }
            fn from_code(code: &str) -> Result<Self, UnknownCode> { $name::from_code(code) }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownCode;
            fn try_from(s: String) -> Result<Self, UnknownCode> {
                $name::from_code(&s)
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.code()
            }
        }
    };
}

code_table! {
    /// FileCategory of a YZK/TKK request (OD2): which result format is wanted. Not an OQSCD table.
    FileCategory, "FileCategory (OD2)", "FileCategory", FILE_CATEGORY {
        /// PDF result.
        Pdf = "1", "PDF";
        /// XML result.
        Xml = "2", "XML";
    }
}

code_table! {
    /// OQSCD001 限度額適用認定証提供同意フラグ: consent to provide 限度額 information.
    ConsentFlag, "OQSCD001", "LimitApplicationCertificateRelatedConsFlg", CD001 {
        /// 未同意.
        NotGiven = "0", "未同意";
        /// 同意.
        Given = "1", "同意";
    }
}

code_table! {
    /// OQSCD002 照会区分: what the confirmation was made with.
    ReferenceClassification, "OQSCD002", "ReferenceClassification", CD002 {
        /// マイナンバーカード (face files).
        Card = "1", "マイナンバーカード";
        /// 被保険者証情報 (insurance numbers: req/res and the web API).
        InsuranceNumbers = "2", "被保険者証情報";
    }
}

code_table! {
    /// OQSCD003 処理結果区分: how the request as a whole ended.
    SegmentOfResult, "OQSCD003", "SegmentOfResult", CD003 {
        /// 正常終了.
        Completed = "1", "正常終了";
        /// 処理中 (bulk download before processing ends).
        InProgress = "2", "処理中";
        /// 異常終了 (ErrorCode / ErrorMessage say why).
        Failed = "9", "異常終了";
    }
}

code_table! {
    /// OQSCD004 処理結果状況: the per-person result.
    ProcessingResultStatus, "OQSCD004", "ProcessingResultStatus", CD004 {
        /// 正常終了.
        Ok = "1", "正常終了";
        /// エラー.
        Error = "2", "エラー";
    }
}

code_table! {
    /// OQSCD005 文字コード識別: the encoding of a result file's bytes.
    CharacterCode, "OQSCD005", "CharacterCodeIdentifier", CD005 {
        /// UTF-8.
        Utf8 = "0", "UTF-8";
        /// Shift_JIS (read and written as windows-31j, the WHATWG `Shift_JIS`).
        ShiftJis = "1", "Shift_JIS";
    }
}

impl CharacterCode {
    /// The name used in the XML declaration.
    pub fn xml_name(self) -> &'static str {
        match self {
            CharacterCode::Utf8 => "UTF-8",
            CharacterCode::ShiftJis => "Shift_JIS",
        }
    }
}

code_table! {
    /// OQSCD006 資格有効性: the state of the qualification on the confirmation date.
    QualificationValidity, "OQSCD006", "QualificationValidity", CD006 {
        /// 有効.
        Valid = "1", "有効";
        /// 無効.
        Invalid = "2", "無効";
        /// 無効（新しい資格あり）.
        InvalidNewerExists = "3", "無効（新しい資格あり）";
        /// 該当資格なし.
        NotFound = "4", "該当資格なし";
        /// 複数該当 (医療保険 only).
        Multiple = "5", "複数該当";
        /// 有効（未登録） (医療扶助 only).
        ValidUnregistered = "6", "有効（未登録）";
    }
}

code_table! {
    /// OQSCD007 性別 (Sex1 券面 / Sex2).
    Sex, "OQSCD007", "Sex1, Sex2", CD007 {
        /// 男.
        Male = "1", "男";
        /// 女.
        Female = "2", "女";
        /// 未設定.
        Unset = "3", "未設定";
    }
}

code_table! {
    /// OQSCD008 資格喪失事由.
    ReasonOfLoss, "OQSCD008", "ReasonOfLoss", CD008 {
        /// 死亡.
        Death = "01", "死亡";
        /// 生活保護受給開始.
        PublicAssistance = "02", "生活保護受給開始";
        /// 医療保険等の資格取得.
        OtherInsurance = "03", "医療保険等の資格取得";
        /// その他.
        Other = "99", "その他";
    }
}

code_table! {
    /// OQSCD009 本人・家族の別.
    PersonalFamily, "OQSCD009", "PersonalFamilyClassification", CD009 {
        /// 本人 (insured).
        Insured = "1", "本人";
        /// 家族 (dependent).
        Dependent = "2", "家族";
    }
}

code_table! {
    /// OQSCD010 被保険者証区分. The label of `05` conflicts between sources (MC 被保険者資格証明書,
    /// OF 特別療養費支給対象者); `A1` comes from OF only.
    InsuredCardClassification, "OQSCD010", "InsuredCardClassification", CD010 {
        /// 被保険者証（一般）.
        General = "01", "被保険者証（一般）";
        /// 被保険者証（退職）.
        Retired = "02", "被保険者証（退職）";
        /// 短期被保険者証（一般）.
        ShortTermGeneral = "03", "短期被保険者証（一般）";
        /// 短期被保険者証（退職）.
        ShortTermRetired = "04", "短期被保険者証（退職）";
        /// 被保険者資格証明書 (OF: 特別療養費支給対象者).
        EligibilityCertificate = "05", "被保険者資格証明書";
        /// 特例退職被保険者証.
        SpecialRetired = "06", "特例退職被保険者証";
        /// 自衛官診療証.
        SelfDefenseForces = "07", "自衛官診療証";
        /// 医療扶助.
        MedicalAid = "A1", "医療扶助";
    }
}

code_table! {
    /// OQSCD011 限度額適用認定証区分.
    LimitCertificateKind, "OQSCD011", "LimitApplicationCertificateClassification", CD011 {
        /// 限度額適用区分認定証.
        Limit = "01", "限度額適用区分認定証";
        /// 限度額適用・標準負担額減額認定証.
        LimitAndMealReduction = "02", "限度額適用・標準負担額減額認定証";
        /// 標準負担額減額認定証.
        MealReduction = "03", "標準負担額減額認定証";
    }
}

code_table! {
    /// OQSCD013 特定疾病 認定疾病区分.
    SpecificDisease, "OQSCD013", "SpecificDiseasesDiseaseCategory", CD013 {
        /// 人工透析を必要とする慢性腎不全.
        ChronicRenalFailure = "1", "人工透析を必要とする慢性腎不全";
        /// 先天性血液凝固因子障害（第VIII因子、第IX因子）.
        Hemophilia = "2", "先天性血液凝固因子障害（第VIII因子、第IX因子）";
        /// 血液凝固因子製剤の投与に起因するHIV感染症.
        HivFromBloodProducts = "3", "血液凝固因子製剤の投与に起因するHIV感染症";
    }
}

code_table! {
    /// OQSCD014 限度額適用認定証変更 (bulk results).
    LimitCertificateChanged, "OQSCD014", "LimitApplicationCertificateChanged", CD014 {
        /// 変更なし.
        Unchanged = "0", "変更なし";
        /// 変更あり または 判定不能.
        ChangedOrUnknown = "1", "変更あり または 判定不能";
    }
}

code_table! {
    /// OQSCD015 未就学区分. Only `1` is attested; OF's `2` 就学中 is UNCERTAIN and not accepted.
    Preschool, "OQSCD015", "PreschoolClassification", CD015 {
        /// 未就学該当.
        Preschool = "1", "未就学該当";
    }
}

code_table! {
    /// OQSCD016 同意区分 of 特定疾病 and the four 閲覧同意 flags.
    ConsentStatus, "OQSCD016", "SpecificDiseasesCertificateRelatedConsFlg, SpecificHealthCheckupsInfoConsFlg, PharmacistsInfoConsFlg, DiagnosisInfoConsFlg, OperationInfoConsFlg", CD016 {
        /// 同意なし.
        NotGiven = "0", "同意なし";
        /// 同意あり.
        Given = "1", "同意あり";
        /// 同意有効期限切れ.
        Expired = "2", "同意有効期限切れ";
        /// 同意取得困難.
        Impracticable = "3", "同意取得困難";
    }
}

code_table! {
    /// OQSCD017 処方箋発行形態 chosen by the patient (e-prescription).
    PrescriptionIssueSelect, "OQSCD017", "PrescriptionIssueSelect", CD017 {
        /// 電子処方箋.
        Electronic = "1", "電子処方箋";
        /// 紙の処方箋.
        Paper = "2", "紙の処方箋";
    }
}

code_table! {
    /// OQSCD028 診療区分.
    MedicalTreatmentFlag, "OQSCD028", "MedicalTreatmentFlag", CD028 {
        /// 外来.
        Outpatient = "1", "外来";
        /// 訪問診療等.
        HomeVisit = "2", "訪問診療等";
        /// オンライン診療等.
        Online = "3", "オンライン診療等";
        /// 救急時.
        Emergency = "4", "救急時";
    }
}

code_table! {
    /// OQSCD029 医療情報種別 (the YZK / TKK file prefixes).
    MedicalInformationKind, "OQSCD029", "(医療情報種別)", CD029 {
        /// 特定健診情報.
        Checkup = "TKK", "特定健診情報";
        /// 薬剤情報等.
        Medication = "YZK", "薬剤情報等";
    }
}

code_table! {
    /// OQSCD036 閲覧同意情報種別.
    ConsentInfoKind, "OQSCD036", "(閲覧同意情報種別)", CD036 {
        /// 特定疾病療養受療証.
        DesignatedDisease = "TSR", "特定疾病療養受療証";
        /// 特定健診.
        Checkup = "TKK", "特定健診";
        /// 薬剤.
        Medication = "YZK", "薬剤";
        /// 診療等.
        Treatment = "SRJ", "診療等";
        /// 手術等.
        Surgery = "SHJ", "手術等";
    }
}

/// OQSCD012 適用区分 as a validated code string (`A01`–`A06` under 70, `B01`–`B10` 70 and over).
///
/// Kept as a code rather than an enum so that it does not clash with the rules module's
/// `LimitCategory`; convert there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub struct LimitCategoryCode(&'static str);

const CD012: &[(&str, &str)] = &[
    ("A01", "ア"),
    ("A02", "イ"),
    ("A03", "ウ"),
    ("A04", "エ"),
    ("A05", "オ"),
    ("A06", "オ（境）"),
    ("B01", "現役並みⅢ"),
    ("B02", "現役並みⅡ"),
    ("B03", "現役並みⅠ"),
    ("B04", "一般"),
    ("B05", "低所得Ⅱ"),
    ("B06", "低所得Ⅰ"),
    ("B07", "低所得Ⅰ（老福）"),
    ("B08", "低所得Ⅰ（境）"),
    ("B09", "一般Ⅱ"),
    ("B10", "一般Ⅰ"),
];

impl LimitCategoryCode {
    /// The 別紙5-1 table.
    pub const TABLE: &'static str = "OQSCD012";

    /// Parses a code of the table exactly.
    pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
        CD012
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| LimitCategoryCode(c))
            .ok_or_else(|| {
                let codes: Vec<&str> = CD012.iter().map(|(c, _)| *c).collect();
                unknown(Self::TABLE, code, &codes)
            })
    }

    /// The wire code.
    pub fn code(self) -> &'static str {
        self.0
    }

    /// The Japanese label (ア … 一般Ⅰ).
    pub fn label_ja(self) -> &'static str {
        CD012
            .iter()
            .find(|(c, _)| *c == self.0)
            .map_or("", |(_, l)| l)
    }

    /// Whether this is a category for people under 70 (`A…`).
    pub fn is_under_70(self) -> bool {
        self.0.starts_with('A')
    }

    /// Every code in table order.
    pub fn all() -> impl Iterator<Item = LimitCategoryCode> {
        CD012.iter().map(|(c, _)| LimitCategoryCode(c))
    }

    /// This table as data.
    pub const fn table() -> CodeTable {
        CodeTable {
            id: "OQSCD012",
            elements: "LimitApplicationCertificateClassificationFlag",
            entries: CD012,
        }
    }
}

impl fmt::Display for LimitCategoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl TryFrom<String> for LimitCategoryCode {
    type Error = UnknownCode;
    fn try_from(s: String) -> Result<Self, UnknownCode> {
        LimitCategoryCode::from_code(&s)
    }
}

impl From<LimitCategoryCode> for &'static str {
    fn from(v: LimitCategoryCode) -> &'static str {
        v.0
    }
}

/// Every code table this module knows, in table order.
pub const CODE_TABLES: &[CodeTable] = &[
    ConsentFlag::table(),
    ReferenceClassification::table(),
    SegmentOfResult::table(),
    ProcessingResultStatus::table(),
    CharacterCode::table(),
    QualificationValidity::table(),
    Sex::table(),
    ReasonOfLoss::table(),
    PersonalFamily::table(),
    InsuredCardClassification::table(),
    LimitCertificateKind::table(),
    LimitCategoryCode::table(),
    SpecificDisease::table(),
    LimitCertificateChanged::table(),
    Preschool::table(),
    ConsentStatus::table(),
    PrescriptionIssueSelect::table(),
    MedicalTreatmentFlag::table(),
    MedicalInformationKind::table(),
    ConsentInfoKind::table(),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Code + PartialEq + fmt::Debug>() {
        for v in T::ALL {
            assert_eq!(T::from_code(v.code()).ok(), Some(*v), "{}", T::TABLE);
            assert!(!v.label_ja().is_empty());
        }
    }

    #[test]
    fn every_code_round_trips_through_its_text() {
        round_trips::<ConsentFlag>();
        round_trips::<ReferenceClassification>();
        round_trips::<SegmentOfResult>();
        round_trips::<ProcessingResultStatus>();
        round_trips::<CharacterCode>();
        round_trips::<QualificationValidity>();
        round_trips::<Sex>();
        round_trips::<ReasonOfLoss>();
        round_trips::<PersonalFamily>();
        round_trips::<InsuredCardClassification>();
        round_trips::<LimitCertificateKind>();
        round_trips::<SpecificDisease>();
        round_trips::<LimitCertificateChanged>();
        round_trips::<Preschool>();
        round_trips::<ConsentStatus>();
        round_trips::<PrescriptionIssueSelect>();
        round_trips::<MedicalTreatmentFlag>();
        round_trips::<MedicalInformationKind>();
        round_trips::<ConsentInfoKind>();
        for c in LimitCategoryCode::all() {
            assert_eq!(LimitCategoryCode::from_code(c.code()), Ok(c));
        }
        assert_eq!(CODE_TABLES.len(), 20);
    }

    #[test]
    fn codes_are_exact_text_not_numbers() {
        assert_eq!(ReasonOfLoss::Death.code(), "01");
        assert!(ReasonOfLoss::from_code("1").is_err());
        assert!(InsuredCardClassification::from_code("1").is_err());
        assert!(QualificationValidity::from_code(" 1").is_err());
        assert!(LimitCategoryCode::from_code("a01").is_err());
        let e = SegmentOfResult::from_code("3").expect_err("must fail");
        assert_eq!(
            e.to_string(),
            "`3` is not a code of OQSCD003 (expected one of: 1, 2, 9)"
        );
        assert_eq!(
            LimitCategoryCode::from_code("B07")
                .expect("test value")
                .label_ja(),
            "低所得Ⅰ（老福）"
        );
    }
}
