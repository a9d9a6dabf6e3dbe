//! The world at the start of a scenario: insurers, institutions and people, with each
//! person's card, 資格 (insurance, 限度額 and 特定疾病 certificates, losses), registration,
//! medical records and checkups.

use super::*;

/// The world at the start.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorldSpec {
    /// 保険者.
    #[serde(default)]
    pub insurers: Vec<At<InsurerDef>>,
    /// 医療機関・薬局.
    #[serde(default)]
    pub institutions: Vec<At<InstitutionDef>>,
    /// People (all synthetic).
    #[serde(default)]
    pub people: Vec<At<PersonDef>>,
}

/// An insurer.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsurerDef {
    /// Key used by the scenario (`kyokai-tokyo`).
    pub id: String,
    /// 保険者番号: 8 digits with a valid check digit (6 for 国保).
    pub number: At<String>,
    /// 保険者名.
    pub name: String,
    /// Days a new 資格 takes to reach the registry (default 0).
    #[serde(default)]
    pub lag_days: u32,
}

/// A clinic or pharmacy.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionDef {
    /// Key (`clinic-tokyo`).
    pub id: String,
    /// 医療機関コード: 10 digits with a valid check digit.
    pub code: At<String>,
    /// Name.
    pub name: String,
    /// Medical items the institution set to 利用する (default: medication, checkup).
    #[serde(default)]
    pub items: Option<Vec<MedicalItem>>,
}

/// A person.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonDef {
    /// Key (`taro`).
    pub id: String,
    /// 氏名 (synthetic).
    #[serde(default)]
    pub name: Option<String>,
    /// カナ氏名.
    #[serde(default)]
    pub kana: Option<String>,
    /// 生年月日.
    pub born: At<DateText>,
    /// 性別.
    #[serde(default)]
    pub sex: SexName,
    /// 住所.
    #[serde(default)]
    pub address: Option<String>,
    /// 所得区分 (for the 70+ ratio and the 高額療養費 limit): one class (`general`), or dated
    /// periods (`[{from: 2025-08-01, class: general, category: B04}, …]`, re-determined each
    /// August), each in force until the next starts.
    #[serde(default)]
    pub income: IncomeSpec,
    /// 被保険者番号 the 後期高齢者医療広域連合 gives the person at the 75th birthday, when the law
    /// moves them (default: `75` and the person's position, 6 digits).
    #[serde(default)]
    pub late_elderly_number: Option<At<String>>,
    /// The My Number card, if the person has one.
    #[serde(default)]
    pub card: Option<CardDef>,
    /// 資格 records, oldest first.
    #[serde(default)]
    pub insurance: Vec<At<InsuranceDef>>,
    /// 健康保険証利用登録 made before the start.
    #[serde(default)]
    pub registered: Option<At<RegistrationDef>>,
    /// A マイナポータル account exists.
    #[serde(default)]
    pub portal_account: bool,
    /// レセプト / 電子処方箋 records.
    #[serde(default)]
    pub records: Vec<RecordDef>,
    /// 特定健診 results.
    #[serde(default)]
    pub checkups: Vec<CheckupDef>,
}

/// 性別.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SexName {
    /// 男.
    #[default]
    Male,
    /// 女.
    Female,
}

/// 所得区分.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncomeName {
    /// 一般.
    #[default]
    General,
    /// 一般Ⅱ (後期 20%).
    General2,
    /// 現役並み所得.
    Active,
    /// 低所得.
    Low,
}

/// 所得区分: one class, or dated periods.
#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum IncomeSpec {
    /// One class for all dates.
    Class(IncomeName),
    /// Periods, oldest first.
    Periods(Vec<At<IncomePeriodDef>>),
}

/// Read by hand rather than `untagged`: an untagged enum buffers its input, which loses the
/// line and column every `At` inside a period needs.
impl<'de> Deserialize<'de> for IncomeSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Spec;
        impl<'de> serde::de::Visitor<'de> for Spec {
            type Value = IncomeSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an income class (general, general2, active, low) or a list of {from, class, category}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IncomeSpec, E> {
                use serde::de::IntoDeserializer;
                IncomeName::deserialize(v.into_deserializer()).map(IncomeSpec::Class)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<IncomeSpec, A::Error> {
                let mut out = Vec::new();
                while let Some(p) = seq.next_element::<At<IncomePeriodDef>>()? {
                    out.push(p);
                }
                Ok(IncomeSpec::Periods(out))
            }
        }
        d.deserialize_any(Spec)
    }
}

impl Default for IncomeSpec {
    fn default() -> Self {
        IncomeSpec::Class(IncomeName::General)
    }
}

/// One period of a 所得区分 determination (rules-tables §2.3: re-determined each August).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomePeriodDef {
    /// First day (the period runs until the next one starts).
    pub from: At<DateText>,
    /// 所得区分 (decides the 負担割合).
    pub class: IncomeName,
    /// 限度額適用区分 the insurer registers for the period: A01–A06, B01–B10 (answered as 限度額
    /// data when no 限度額適用認定証 of the record applies).
    #[serde(default)]
    pub category: Option<At<String>>,
}

/// The card.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CardDef {
    /// 交付日.
    pub issued: At<DateText>,
    /// 利用者証明用暗証番号 (4 digits; default 1234).
    #[serde(default)]
    pub auth_pin: Option<At<String>>,
    /// 署名用暗証番号 (6–16 upper-case letters and digits; default ONSHI2024).
    #[serde(default)]
    pub sign_pin: Option<At<String>>,
}

/// One 資格.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsuranceDef {
    /// Insurer key.
    pub insurer: At<String>,
    /// 記号.
    #[serde(default)]
    pub symbol: Option<String>,
    /// 番号.
    pub number: At<String>,
    /// 枝番 (2 digits; default 00).
    #[serde(default)]
    pub branch: Option<At<String>>,
    /// 本人 / 家族.
    #[serde(default)]
    pub relation: RelationName,
    /// 資格取得年月日.
    pub from: At<DateText>,
    /// 資格喪失.
    #[serde(default)]
    pub lost: Option<LossDef>,
    /// When the record reached the registry (default: from + the insurer's lag).
    #[serde(default)]
    pub registered_on: Option<At<DateText>>,
    /// An explicit 負担割合 in percent (otherwise from age and income).
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// 限度額適用認定証 data.
    #[serde(default)]
    pub limits: Vec<At<LimitDef>>,
    /// 特定疾病療養受療証 data.
    #[serde(default)]
    pub diseases: Vec<At<DiseaseDef>>,
    /// The insurer's own 所得区分 determinations for this record, oldest first (they take
    /// precedence over the person's `income`).
    #[serde(default)]
    pub income: Vec<At<IncomePeriodDef>>,
}

/// 本人 / 家族.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationName {
    /// 本人.
    #[default]
    Insured,
    /// 家族.
    Dependent,
}

/// 資格喪失.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LossDef {
    /// 資格喪失年月日.
    pub on: At<DateText>,
    /// 喪失事由 (default other_insurance).
    #[serde(default)]
    pub reason: LossName,
}

/// 喪失事由.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LossName {
    /// 死亡.
    Death,
    /// 生活保護受給開始.
    PublicAssistance,
    /// 医療保険等の資格取得.
    #[default]
    OtherInsurance,
    /// その他.
    Other,
}

/// 限度額適用認定証.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitDef {
    /// 適用区分: A01–A06, B01–B10.
    pub category: At<String>,
    /// 限度額適用認定証区分 (default limit).
    #[serde(default)]
    pub kind: LimitKindName,
    /// 交付年月日.
    pub issued: At<DateText>,
    /// 有効開始年月日 (default: issued).
    #[serde(default)]
    pub valid_from: Option<At<DateText>>,
    /// 有効終了年月日.
    #[serde(default)]
    pub valid_until: Option<At<DateText>>,
    /// 回収年月日.
    #[serde(default)]
    pub recalled: Option<At<DateText>>,
    /// 長期入院該当年月日.
    #[serde(default)]
    pub long_stay_from: Option<At<DateText>>,
    /// Whether the insurer registered it in the eligibility system (default true; INS-4).
    #[serde(default = "yes")]
    pub registered: bool,
}

fn yes() -> bool {
    true
}

/// 限度額適用認定証区分.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitKindName {
    /// 限度額適用認定証.
    #[default]
    Limit,
    /// 限度額適用・標準負担額減額認定証.
    LimitAndMealReduction,
    /// 標準負担額減額認定証.
    MealReduction,
}

/// 特定疾病療養受療証.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiseaseDef {
    /// 認定疾病.
    pub disease: DiseaseName,
    /// 交付年月日.
    pub issued: At<DateText>,
    /// 有効開始年月日 (default: issued).
    #[serde(default)]
    pub valid_from: Option<At<DateText>>,
    /// 有効終了年月日.
    #[serde(default)]
    pub valid_until: Option<At<DateText>>,
    /// 自己負担限度額 per month (default 10000).
    #[serde(default)]
    pub monthly_cap: Option<u64>,
}

/// 認定疾病.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiseaseName {
    /// 人工透析を必要とする慢性腎不全.
    ChronicRenalFailure,
    /// 先天性血液凝固因子障害.
    Hemophilia,
    /// 血液凝固因子製剤の投与に起因するHIV感染症.
    HivFromBloodProducts,
}

/// 健康保険証利用登録.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationDef {
    /// When (JST).
    pub on: At<MomentText>,
    /// 申込方法 (default reader).
    #[serde(default)]
    pub channel: ChannelName,
}

/// 申込方法.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelName {
    /// 申込方法1: at the reader (usable the same day).
    #[default]
    Reader,
    /// 申込方法2: マイナポータル app (usable from the next day).
    App,
    /// 申込方法3: セブン銀行 ATM.
    Atm,
}

/// A レセプト or 電子処方箋 record.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordDef {
    /// 薬剤 / 診療 / 手術.
    pub kind: RecordKind,
    /// 診療日.
    pub date: At<DateText>,
    /// Content (synthetic).
    #[serde(default)]
    pub text: Option<String>,
    /// Dispensed through 電子処方箋 (visible at once).
    #[serde(default)]
    pub e_prescription: bool,
}

/// Kinds of medical record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// 薬剤情報 (injections and drips included).
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
}

/// A 特定健診 result.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckupDef {
    /// 実施日.
    pub date: At<DateText>,
    /// Result items.
    #[serde(default)]
    pub items: BTreeMap<String, String>,
}
