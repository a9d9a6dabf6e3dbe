//! The scenario language as typed Rust: what a scenario file may say. Parsed with
//! serde-saphyr (every struct rejects unknown keys), and the source of the JSON Schema
//! that `onshi schema` prints.
//!
//! Names follow `../shared/domain/glossary.md`; Japanese terms sit in the doc comments,
//! which become the schema's descriptions (and so the editor's hover text).

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

/// A value with the line and column it was written at (1-based; 0 when unknown).
#[derive(Clone, Debug, PartialEq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Line.
    pub line: u64,
    /// Column.
    pub column: u64,
}

impl<T> At<T> {
    /// A value with no source position (built in code, not read from a file).
    pub fn bare(value: T) -> Self {
        At {
            value,
            line: 0,
            column: 0,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(At {
            value: s.value,
            line: s.referenced.line(),
            column: s.referenced.column(),
        })
    }
}

impl<T: JsonSchema> JsonSchema for At<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// A scenario file.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Unique id, `area/short-name` (lower case, digits, `-`, `/`).
    pub id: At<String>,
    /// Title in Japanese and/or English.
    pub title: TitleSpec,
    /// Requirement ids from the catalog this scenario evidences (`onshi explain ID`).
    pub requirements: Vec<At<String>>,
    /// Free tags for `onshi list --tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Seed for every derived value; default: the run's `--seed`.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Virtual start time, JST: `2026-04-01T09:00` (a `+09:00` suffix is accepted).
    pub start: At<MomentText>,
    /// Fragments to merge in: a path relative to this file (`../fixtures/x.yaml`) or the
    /// name of a fixture found in a `fixtures/` folder here or above (`insurers-standard`).
    #[serde(default)]
    pub include: Vec<At<String>>,
    /// Rule switches for this scenario (`onshi explain` lists them).
    #[serde(default)]
    pub rules: RulesSpec,
    /// The world at the start.
    #[serde(default)]
    pub world: WorldSpec,
    /// Named step sequences, used with `- use: {sequence: name, with: {param: value}}`.
    #[serde(default)]
    pub sequences: BTreeMap<String, SequenceSpec>,
    /// What happens, in order.
    #[serde(default)]
    pub steps: Vec<At<Step>>,
    /// Checks after the last step.
    #[serde(default)]
    pub expect: Vec<At<Expectation>>,
    /// Steps that always run, even after a failed step (clean-up, final state).
    #[serde(default)]
    pub finally: Vec<At<Step>>,
    /// Skip the whole scenario with this reason (shown in every report).
    #[serde(default)]
    pub skip: Option<String>,
    /// Card visits go through the terminal role: the card answers APDUs and the terminal asks
    /// the registry (the built-in terminal, or a terminal under test over PC/SC).
    #[serde(default)]
    pub terminal: bool,
    /// How the 資格確認端末 onshi plays writes result and face files, when a provider system is
    /// under test (`--adapter`): `oqs: { encoding: shift_jis }`.
    #[serde(default)]
    pub oqs: Option<OqsSpec>,
}

/// The 資格確認端末's settings for a provider under test.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OqsSpec {
    /// CharacterCodeIdentifier of result and face files: `utf8` (default) or `shift_jis`.
    #[serde(default)]
    pub encoding: Option<At<String>>,
}

/// A fragment file: world parts and sequences shared by scenarios through `include`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FragmentFile {
    /// What the fragment provides.
    #[serde(default)]
    pub description: Option<String>,
    /// Further fragments.
    #[serde(default)]
    pub include: Vec<At<String>>,
    /// World parts.
    #[serde(default)]
    pub world: WorldSpec,
    /// Named step sequences.
    #[serde(default)]
    pub sequences: BTreeMap<String, SequenceSpec>,
}

/// A title.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleSpec {
    /// 日本語.
    #[serde(default)]
    pub ja: Option<String>,
    /// English.
    #[serde(default)]
    pub en: Option<String>,
}

/// A JST time: `2026-04-01T09:00`, `2026-04-01T09:00:30` or `2026-04-01` (00:00).
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct MomentText(pub String);

/// A date: `2026-04-01`.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct DateText(pub String);

/// Rule switches.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesSpec {
    /// Switch name → value (`registration_survives_reissue: false`).
    #[serde(default)]
    pub switches: BTreeMap<String, At<SwitchValue>>,
}

/// A switch value.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SwitchValue {
    /// true / false.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text (`none`, a date …).
    Text(String),
}

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
    /// 所得区分 (for the 70+ ratio and the 高額療養費 limit).
    #[serde(default)]
    pub income: IncomeName,
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
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
}

/// 本人 / 家族.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
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

/// Medical items an institution can switch on and a patient can consent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MedicalItem {
    /// 特定健診情報.
    Checkup,
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
}

/// Consent items (the medical ones plus 限度額情報 and 特定疾病).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentItemName {
    /// 限度額適用認定証関連情報.
    LimitInfo,
    /// 特定疾病療養受療証情報.
    SpecificDisease,
    /// 特定健診情報.
    Checkup,
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
}

/// Data kinds a provider or the portal can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataKindName {
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
    /// 特定健診情報.
    Checkup,
    /// 医療費通知情報.
    ExpenseNotice,
    /// 電子処方箋 (dispensing data).
    EPrescription,
}

/// A named sequence of steps with parameters (`$name` in a person, institution or insurer
/// field is replaced by the argument).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SequenceSpec {
    /// Parameter names.
    #[serde(default)]
    pub params: Vec<String>,
    /// The steps.
    pub steps: Vec<At<Step>>,
}

/// One step. Each is a one-key map: `- visit: {...}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum Step {
    /// Move the virtual clock forward: `14d`, `3h`, `30m`, `1d12h`.
    #[serde(rename = "advance")]
    Advance(String),
    /// Move the virtual clock to a time (never backwards).
    #[serde(rename = "advance_to")]
    AdvanceTo(At<MomentText>),
    /// 紛失届: the card's certificates are revoked.
    #[serde(rename = "card.lost")]
    CardLost(PersonArg),
    /// 再交付: a new card and certificates; the old ones are revoked.
    #[serde(rename = "card.reissue")]
    CardReissue(ReissueArgs),
    /// 電子証明書の更新 on the same card.
    #[serde(rename = "card.renew")]
    CardRenew(PersonArg),
    /// 返納.
    #[serde(rename = "card.return")]
    CardReturn(PersonArg),
    /// 暗証番号の初期化 at the municipal office.
    #[serde(rename = "card.pin_reset")]
    PinReset(PersonArg),
    /// 転居.
    #[serde(rename = "move")]
    Move(MoveArgs),
    /// 就職・転職.
    #[serde(rename = "job.change")]
    JobChange(JobChangeArgs),
    /// 資格喪失 without a new qualification.
    #[serde(rename = "insurance.lose")]
    LoseInsurance(LoseArgs),
    /// 健康保険証利用登録 by app or ATM.
    #[serde(rename = "register")]
    Register(RegisterArgs),
    /// A visit with the card or a 資格確認書.
    #[serde(rename = "visit")]
    Visit(Box<VisitArgs>),
    /// Confirmation by insurance numbers (照会区分 2).
    #[serde(rename = "confirm.numbers")]
    ConfirmNumbers(Box<NumbersArgs>),
    /// The provider asks for optional data.
    #[serde(rename = "fetch")]
    Fetch(FetchArgs),
    /// マイナポータル account registration.
    #[serde(rename = "portal.account")]
    PortalAccount(PersonArg),
    /// マイナポータル view.
    #[serde(rename = "portal.view")]
    PortalView(PortalViewArgs),
    /// 代理人 grant.
    #[serde(rename = "portal.proxy")]
    PortalProxy(ProxyArgs),
    /// Maintenance, emergency stop or throttling.
    #[serde(rename = "outage")]
    Outage(OutageArgs),
    /// Add a レセプト / 電子処方箋 record.
    #[serde(rename = "record.add")]
    RecordAdd(RecordAddArgs),
    /// Add a 特定健診 result.
    #[serde(rename = "checkup.add")]
    CheckupAdd(CheckupAddArgs),
    /// Run a named sequence.
    #[serde(rename = "use")]
    Use(UseArgs),
    /// Checks at this point.
    #[serde(rename = "expect")]
    Expect(Vec<At<Expectation>>),
    /// A step the world must refuse (a visit with a returned card, …): the refusal is
    /// checked, and the scenario goes on.
    #[serde(rename = "fails")]
    Fails(Box<FailsArgs>),
}

/// `fails: {step: {...}, error: text, req: [...]}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FailsArgs {
    /// Requirement ids the refusal evidences (default: the scenario's).
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Text the error message must contain (default: any error).
    #[serde(default)]
    pub error: Option<String>,
    /// The one step that must fail (not `use`, `expect` or `fails`).
    pub step: At<Step>,
}

/// `{person: key}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonArg {
    /// Person key.
    pub person: At<String>,
}

/// Reissue.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReissueArgs {
    /// Person key.
    pub person: At<String>,
    /// New auth PIN (default: the old one).
    #[serde(default)]
    pub auth_pin: Option<At<String>>,
}

/// Move.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveArgs {
    /// Person key.
    pub person: At<String>,
    /// New address.
    pub address: String,
}

/// Job change (REG-5).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobChangeArgs {
    /// Person key.
    pub person: At<String>,
    /// First day with the new insurer (= 資格喪失日 of the old one).
    pub on: At<DateText>,
    /// New insurer key.
    pub to: At<String>,
    /// New 記号.
    #[serde(default)]
    pub symbol: Option<String>,
    /// New 番号.
    pub number: At<String>,
    /// New 枝番 (default 00).
    #[serde(default)]
    pub branch: Option<At<String>>,
    /// Days until the new record reaches the registry (default: the insurer's lag).
    #[serde(default)]
    pub lag_days: Option<u32>,
    /// Days until the old insurer's 喪失 reaches the registry (default: its lag).
    #[serde(default)]
    pub old_lag_days: Option<u32>,
}

/// Loss without a new qualification.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoseArgs {
    /// Person key.
    pub person: At<String>,
    /// 資格喪失日.
    pub on: At<DateText>,
    /// 事由.
    #[serde(default)]
    pub reason: LossName,
}

/// Registration by app or ATM.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterArgs {
    /// Person key.
    pub person: At<String>,
    /// 申込方法 (app or atm; the reader channel happens inside a visit).
    pub channel: At<ChannelName>,
}

/// A visit.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitArgs {
    /// A name for expectations (`of: first-visit`); default: the latest visit.
    #[serde(default)]
    pub name: Option<String>,
    /// Person key.
    pub person: At<String>,
    /// Institution key.
    pub at: At<String>,
    /// What the patient presents (default card).
    #[serde(default)]
    pub presents: PresentationName,
    /// Identity-verification attempts in order (default: one live face at 0.95).
    #[serde(default)]
    pub verify: Option<Vec<At<AttemptSpec>>>,
    /// Answer to 「保険証として登録しますか？」 if shown (default false: 登録せずに終了).
    #[serde(default)]
    pub register: bool,
    /// Answers on the consent screens.
    #[serde(default)]
    pub consent: ConsentSpec,
    /// 診療区分 (default outpatient).
    #[serde(default)]
    pub care: CareName,
    /// 資格確認日 when not today.
    #[serde(default)]
    pub confirmation_date: Option<At<DateText>>,
    /// 10割 medical cost of the visit, in yen.
    #[serde(default)]
    pub fee: Option<u64>,
    /// 多数回該当 this month.
    #[serde(default)]
    pub many_times: bool,
}

/// What the patient presents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresentationName {
    /// The My Number card on the reader.
    #[default]
    Card,
    /// A paper 資格確認書.
    Certificate,
    /// The card before the latest reissue (再交付), kept by the holder.
    PreviousCard,
}

/// One verification attempt.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum AttemptSpec {
    /// 顔認証 with a live face at this similarity (0.0–1.0).
    #[serde(rename = "face")]
    Face(f64),
    /// 顔認証 with a photo or screen held up (liveness fails) at this similarity.
    #[serde(rename = "spoof")]
    Spoof(f64),
    /// 暗証番号 typed.
    #[serde(rename = "pin")]
    Pin(String),
    /// 目視確認: whether staff confirmed.
    #[serde(rename = "visual")]
    Visual(bool),
}

/// 診療区分.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CareName {
    /// 外来.
    #[default]
    Outpatient,
    /// 入院.
    Inpatient,
    /// 訪問診療.
    HomeVisit,
}

/// Consent answers. `all` answers every screen (包括同意 where offered, else each item);
/// a named item overrides it.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentSpec {
    /// Answer every screen the same way.
    #[serde(default)]
    pub all: Option<bool>,
    /// 包括同意 screen only (from 2024-10-07).
    #[serde(default)]
    pub blanket: Option<bool>,
    /// 限度額情報.
    #[serde(default)]
    pub limit_info: Option<bool>,
    /// 特定疾病.
    #[serde(default)]
    pub specific_disease: Option<bool>,
    /// 特定健診情報.
    #[serde(default)]
    pub checkup: Option<bool>,
    /// 薬剤情報.
    #[serde(default)]
    pub medication: Option<bool>,
    /// 診療情報.
    #[serde(default)]
    pub treatment: Option<bool>,
    /// 手術情報.
    #[serde(default)]
    pub surgery: Option<bool>,
}

/// Confirmation by numbers.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumbersArgs {
    /// A name for expectations.
    #[serde(default)]
    pub name: Option<String>,
    /// Institution key.
    pub at: At<String>,
    /// Person key (for the defaults below).
    pub person: At<String>,
    /// 保険者番号 as typed (default: the person's current one).
    #[serde(default)]
    pub insurer_number: Option<At<String>>,
    /// 記号 as typed.
    #[serde(default)]
    pub symbol: Option<String>,
    /// 番号 as typed (default: current).
    #[serde(default)]
    pub number: Option<String>,
    /// 枝番 as typed (default: current).
    #[serde(default)]
    pub branch: Option<String>,
    /// 生年月日 as typed (default: the person's).
    #[serde(default)]
    pub born: Option<At<DateText>>,
    /// 限度額 consent flag sent.
    #[serde(default)]
    pub limit_consent: bool,
}

/// A data request by the provider.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FetchArgs {
    /// A name for expectations.
    #[serde(default)]
    pub name: Option<String>,
    /// Person key.
    pub person: At<String>,
    /// Institution key.
    pub at: At<String>,
    /// What.
    pub kind: DataKindName,
}

/// A portal view.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalViewArgs {
    /// A name for expectations.
    #[serde(default)]
    pub name: Option<String>,
    /// Who looks.
    pub viewer: At<String>,
    /// Whose data (default: the viewer's own).
    #[serde(default)]
    pub subject: Option<At<String>>,
    /// What.
    pub kind: DataKindName,
}

/// A proxy grant.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyArgs {
    /// Whose data.
    pub principal: At<String>,
    /// Who may act.
    pub proxy: At<String>,
    /// What they may view.
    pub scope: Vec<DataKindName>,
    /// Last day of the grant.
    #[serde(default)]
    pub until: Option<At<DateText>>,
}

/// An outage window.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutageArgs {
    /// Kind (default maintenance).
    #[serde(default)]
    pub kind: OutageName,
    /// Start (default: now).
    #[serde(default)]
    pub from: Option<At<MomentText>>,
    /// Length: `2h`, `30m`, `1d`.
    #[serde(rename = "for")]
    pub length: At<String>,
}

/// Outage kinds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutageName {
    /// 計画メンテナンス.
    #[default]
    Maintenance,
    /// 緊急停止.
    Emergency,
    /// 流量制御.
    Throttle,
}

/// Add a record.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAddArgs {
    /// Person key.
    pub person: At<String>,
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

/// Add a checkup.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckupAddArgs {
    /// Person key.
    pub person: At<String>,
    /// 実施日.
    pub date: At<DateText>,
    /// Result items.
    #[serde(default)]
    pub items: BTreeMap<String, String>,
}

/// Run a sequence.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UseArgs {
    /// Sequence name (from this file or an included fragment).
    pub sequence: At<String>,
    /// Arguments: parameter → value.
    #[serde(default, rename = "with")]
    pub args: BTreeMap<String, String>,
}

/// One expectation. Each is a one-key map: `- confirmation: {...}`. Every expectation
/// may name the requirement ids it evidences with `req:` (default: the scenario's).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum Expectation {
    /// The registry's answer to a visit or a confirmation by numbers.
    #[serde(rename = "confirmation")]
    Confirmation(Box<ConfirmationExpect>),
    /// Identity verification at the reader.
    #[serde(rename = "verification")]
    Verification(VerificationExpect),
    /// Reader screens: registration prompt and consent screens.
    #[serde(rename = "reader")]
    Reader(ReaderExpect),
    /// Optional data shared with or withheld from the provider.
    #[serde(rename = "data")]
    Data(DataExpect),
    /// What the provider recorded and charged.
    #[serde(rename = "provider")]
    Provider(ProviderExpect),
    /// A registry link (serial → person).
    #[serde(rename = "registry.link")]
    RegistryLink(LinkExpect),
    /// Registrations counted for an insurer.
    #[serde(rename = "registry.count")]
    RegistryCount(CountExpect),
    /// The person's certificate chain at J-LIS.
    #[serde(rename = "jlis.chain")]
    JlisChain(ChainExpect),
    /// The card's counters.
    #[serde(rename = "card")]
    Card(CardExpect),
    /// A portal view.
    #[serde(rename = "portal")]
    Portal(PortalExpect),
    /// A message that must appear in the trace.
    #[serde(rename = "trace.has")]
    TraceHas(TraceExpect),
    /// A message that must never appear.
    #[serde(rename = "trace.never")]
    TraceNever(TraceExpect),
    /// The person's My Number appears nowhere: answers (typed and encoded), trace, records.
    #[serde(rename = "no_my_number")]
    NoMyNumber(NoMyNumberExpect),
    /// The answer as a result file: encoding and characters that had to be substituted.
    #[serde(rename = "wire")]
    Wire(WireExpect),
    /// A check a human must make (verdict: review).
    #[serde(rename = "review")]
    Review(ReviewExpect),
    /// What the terminal did at a visit, from the card's APDU log and its request (scenarios
    /// with `terminal: true`).
    #[serde(rename = "terminal")]
    Terminal(TerminalExpect),
    /// The requests the provider sent during a visit (must / must not).
    #[serde(rename = "requests")]
    Requests(RequestsExpect),
}

/// A request kind a provider sends to the 資格確認端末 or the web API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestKindName {
    /// `OQSsiquc01req` / web API search: 資格確認 by numbers.
    Siquc01,
    /// `OQSsiimm01req`: 照会番号登録.
    Siimm01,
    /// `OQSmuquc01req` / `OQSmuquc02req`: 一括照会.
    Bulk,
    /// `YZKsiquc01req`: 薬剤情報.
    Yzk,
    /// `TKKsiquc01req`: 特定健診情報.
    Tkk,
}

impl RequestKindName {
    /// The name in the scenario language.
    pub fn name(self) -> &'static str {
        match self {
            RequestKindName::Siquc01 => "siquc01",
            RequestKindName::Siimm01 => "siimm01",
            RequestKindName::Bulk => "bulk",
            RequestKindName::Yzk => "yzk",
            RequestKindName::Tkk => "tkk",
        }
    }
}

/// Requests expectations: what the provider sent from the start of a visit until the next
/// step (retries after an `advance` belong to the `advance`).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestsExpect {
    /// Visit name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Kinds that must have been sent (at least once each).
    #[serde(default)]
    pub sent: Vec<RequestKindName>,
    /// Kinds that must not have been sent.
    #[serde(default)]
    pub not_sent: Vec<RequestKindName>,
}

/// Terminal expectations; only the fields given are checked.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminalExpect {
    /// Visit name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Whether the registry answered a confirmation from the terminal.
    #[serde(default)]
    pub confirmed: Option<bool>,
    /// Certificate sent: `auth`, `signature`, `other` or `none`.
    #[serde(default)]
    pub certificate: Option<String>,
    /// `pin` (signed challenge), `face` or `none`.
    #[serde(default)]
    pub method: Option<String>,
    /// Whether the card signed with the auth key (which it only does after the auth PIN).
    #[serde(default)]
    pub signed_with_auth_key: Option<bool>,
    /// VERIFY commands that sent an auth PIN.
    #[serde(default)]
    pub pin_tries: Option<usize>,
    /// The registry's rejection of the request (`bad_signature`, `signature_certificate`, …)
    /// or `none`.
    #[serde(default)]
    pub rejection: Option<String>,
}

/// Which outcome an expectation looks at: a step `name`, default the latest of its kind.
pub type OfName = Option<At<String>>;

/// Expected answer fields; only the fields given are checked.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationExpect {
    /// Visit or confirmation name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Refusal kind (`outage`, `not_registered`, `certificate_expired`, …) or `none`.
    #[serde(default)]
    pub refused: Option<String>,
    /// 資格有効性 1–6.
    #[serde(default)]
    pub validity: Option<u8>,
    /// Number of results.
    #[serde(default)]
    pub results: Option<usize>,
    /// 保険者番号 of the first result.
    #[serde(default)]
    pub insurer_number: Option<String>,
    /// 記号.
    #[serde(default)]
    pub symbol: Option<String>,
    /// 番号.
    #[serde(default)]
    pub number: Option<String>,
    /// 枝番.
    #[serde(default)]
    pub branch: Option<String>,
    /// 負担割合 (percent).
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// 未就学区分.
    #[serde(default)]
    pub preschool: Option<bool>,
    /// 高齢受給者 ratio, or `none`.
    #[serde(default)]
    pub elderly_copay: Option<String>,
    /// 適用区分 returned (A01–B10) or `none`.
    #[serde(default)]
    pub limit_category: Option<String>,
    /// 長期入院該当年月日 returned, or `none`.
    #[serde(default)]
    pub long_stay_from: Option<String>,
    /// 特定疾病 returned (disease name) or `none`.
    #[serde(default)]
    pub disease: Option<String>,
    /// `full` or `qualification_only` (grace period).
    #[serde(default)]
    pub scope: Option<String>,
    /// Expiry notice date, `none`, or `any`.
    #[serde(default)]
    pub expiry_notice: Option<String>,
    /// Whether the registry relinked from an earlier serial.
    #[serde(default)]
    pub relinked: Option<bool>,
    /// 資格喪失年月日 in the result, or `none`.
    #[serde(default)]
    pub loss_date: Option<String>,
}

/// Verification expectations.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationExpect {
    /// Visit name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// `face`, `pin`, `visual` or `none`.
    #[serde(default)]
    pub method: Option<String>,
    /// Attempts made.
    #[serde(default)]
    pub attempts: Option<usize>,
    /// Attempt results in order (`face_matched`, `face_mismatch`, `not_live`, `pin_ok`,
    /// `pin_wrong`, `pin_now_blocked` (the try that blocks it), `pin_blocked`, `face_retries_exhausted`, `face_locked`,
    /// `visual_confirmed`, `visual_rejected`).
    #[serde(default)]
    pub results: Option<Vec<String>>,
}

/// Reader screen expectations.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReaderExpect {
    /// Visit name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Whether the registration prompt appeared.
    #[serde(default)]
    pub registration_prompt: Option<bool>,
    /// Consent screens shown, in order (empty list: none).
    #[serde(default)]
    pub consent_screens: Option<Vec<ConsentItemName>>,
    /// Whether the 包括同意 screen was offered.
    #[serde(default)]
    pub blanket_offered: Option<bool>,
    /// Items consented to.
    #[serde(default)]
    pub consented: Option<Vec<ConsentItemName>>,
    /// Items provided without a screen (限度額 from 2024-10-07).
    #[serde(default)]
    pub provided_without_consent: Option<Vec<ConsentItemName>>,
}

/// Data expectations.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataExpect {
    /// Visit or fetch name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Which data.
    pub kind: DataKindName,
    /// Items shared (a number), or omit and use `withheld`.
    #[serde(default)]
    pub shared: Option<usize>,
    /// Why withheld: `no_consent`, `consent_expired`, `too_young`, `unavailable`,
    /// `not_requested`.
    #[serde(default)]
    pub withheld: Option<String>,
}

/// Provider expectations.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderExpect {
    /// Visit name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// `confirmed`, `followed_new_qualification`, `declaration_form`, `asked_patient`,
    /// `paper_certificate`.
    #[serde(default)]
    pub path: Option<String>,
    /// 窓口負担 in yen.
    #[serde(default)]
    pub charged: Option<u64>,
    /// 負担割合 used (percent).
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// 保険者番号 recorded.
    #[serde(default)]
    pub insurer_number: Option<String>,
    /// 番号 recorded.
    #[serde(default)]
    pub number: Option<String>,
    /// 適用区分 used, or `none`.
    #[serde(default)]
    pub limit_category: Option<String>,
    /// 自己負担限度額 applied (yen), or `none`.
    #[serde(default)]
    pub cap: Option<String>,
    /// Marked to confirm later at the visit (PRV-7).
    #[serde(default)]
    pub confirm_later: Option<bool>,
    /// The later confirmation as the provider holds it now: its date, or `none` when it has
    /// not happened (PRV-7).
    #[serde(default)]
    pub confirmed_later: Option<String>,
    /// 資格有効性 (1–6) of that later confirmation.
    #[serde(default)]
    pub later_validity: Option<u8>,
    /// Optional data fetched.
    #[serde(default)]
    pub fetched: Option<Vec<DataKindName>>,
}

/// Link expectations.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key: checks the link of their current serial.
    pub person: At<String>,
    /// Whether the current serial is linked.
    #[serde(default)]
    pub linked: Option<bool>,
    /// `previous` (relinked from the serial before), `none`, or a number of serials back.
    #[serde(default)]
    pub relinked_from: Option<String>,
    /// 申込方法 of the link.
    #[serde(default)]
    pub channel: Option<ChannelName>,
}

/// Count expectations.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Insurer key.
    pub insurer: At<String>,
    /// Registrations counted.
    pub registrations: u64,
}

/// Chain expectations.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key.
    pub person: At<String>,
    /// Auth serials issued to the person in all (current included).
    #[serde(default)]
    pub serials: Option<usize>,
    /// Every earlier serial is revoked.
    #[serde(default)]
    pub earlier_revoked: Option<bool>,
    /// J-LIS's old-serial search from the current serial returns exactly the earlier ones.
    #[serde(default)]
    pub old_serial_search: Option<bool>,
}

/// Card expectations.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CardExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key.
    pub person: At<String>,
    /// Auth PIN tries left.
    #[serde(default)]
    pub pin_remaining: Option<u8>,
    /// Auth PIN blocked.
    #[serde(default)]
    pub pin_blocked: Option<bool>,
    /// Face authentication locked.
    #[serde(default)]
    pub face_locked: Option<bool>,
    /// 有効期限 of the card.
    #[serde(default)]
    pub expires: Option<At<DateText>>,
    /// 有効期限 of the auth certificate.
    #[serde(default)]
    pub certificate_expires: Option<At<DateText>>,
}

/// Portal expectations.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalExpect {
    /// Portal view name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Items shown.
    #[serde(default)]
    pub items: Option<usize>,
    /// Refusal: `no_account`, `outside_proxy_scope`, `not_a_proxy`, `unavailable`,
    /// `not_viewable`, `certificate`.
    #[serde(default)]
    pub denied: Option<String>,
}

/// A trace query; every field given must match.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Message kind (`registry.relink`, `reader.consent_screen`, …).
    #[serde(default)]
    pub kind: Option<String>,
    /// Sender lane.
    #[serde(default)]
    pub from: Option<String>,
    /// Receiver lane.
    #[serde(default)]
    pub to: Option<String>,
    /// Person key.
    #[serde(default)]
    pub person: Option<At<String>>,
    /// Text the summary contains.
    #[serde(default)]
    pub contains: Option<String>,
    /// Exact number of matches (trace.has only; default: at least one).
    #[serde(default)]
    pub count: Option<usize>,
}

/// My Number check.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoMyNumberExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key.
    pub person: At<String>,
}

/// Result-file expectations.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WireExpect {
    /// Visit or confirmation name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Encoding to write: `utf8` or `shift_jis`.
    pub encoding: At<String>,
    /// Characters replaced because the encoding cannot carry them.
    #[serde(default)]
    pub substitutions: Option<usize>,
    /// The file decodes back to the same answer fields.
    #[serde(default)]
    pub round_trips: Option<bool>,
}

/// A human check.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// What to look at.
    pub text: String,
}
