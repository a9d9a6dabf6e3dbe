//! Steps and sequences: the `Step` enum (one one-key map per step) with the arguments of
//! each step, and the named sequences run with `use`.

use super::*;

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
    /// Read a certificate from the card over APDUs (after a PIN, if given).
    #[serde(rename = "card.certificate")]
    CardCertificate(CertificateArgs),
    /// Sign with a key of the card over APDUs (COMPUTE DIGITAL SIGNATURE after VERIFY).
    #[serde(rename = "card.sign")]
    CardSign(SignArgs),
    /// Read the 券面事項確認AP over APDUs with 照合番号A or B.
    #[serde(rename = "card.surface")]
    CardSurface(SurfaceArgs),
    /// 転居.
    #[serde(rename = "move")]
    Move(MoveArgs),
    /// 就職・転職.
    #[serde(rename = "job.change")]
    JobChange(JobChangeArgs),
    /// 紐付け誤り: an insurer registers a member's 資格 under another person's 個人番号.
    #[serde(rename = "insurance.mislink")]
    Mislink(MislinkArgs),
    /// 紐付け訂正: the insurer links the member's records to their own 個人番号 again.
    #[serde(rename = "insurance.fix_link")]
    FixLink(PersonArg),
    /// The registry's J-LIS 照合 of every link (the 2023 総点検): mismatches are withheld.
    #[serde(rename = "registry.jlis_check")]
    JlisCheck(JlisCheckArgs),
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
    /// 本人 / 家族 at the new insurer (default insured).
    #[serde(default)]
    pub relation: RelationName,
    /// 被扶養者 who move with the insured: their 家族 資格 at the old insurer ends on `on` and a
    /// new one starts at the new insurer, with the same lags. Other 家族 under the old record
    /// lose theirs too.
    #[serde(default)]
    pub dependents: Vec<At<MovingDependentDef>>,
    /// 限度額適用認定証 data at the new insurer.
    #[serde(default)]
    pub limits: Vec<At<LimitDef>>,
    /// 所得区分 / 適用区分 determinations at the new insurer, oldest first.
    #[serde(default)]
    pub income: Vec<At<IncomePeriodDef>>,
}

/// A 被扶養者 moving with the insured at a `job.change`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MovingDependentDef {
    /// Person key.
    pub person: At<String>,
    /// 記号 at the new insurer (default: the insured's).
    #[serde(default)]
    pub symbol: Option<String>,
    /// 番号 at the new insurer (default: the insured's).
    #[serde(default)]
    pub number: Option<At<String>>,
    /// 枝番 at the new insurer.
    pub branch: At<String>,
}

/// 紐付け誤り: the insurer registers `person`'s current 資格 under `linked_to`'s 個人番号.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MislinkArgs {
    /// Whose 資格 (the member).
    pub person: At<String>,
    /// Whose 個人番号 it is registered under.
    pub linked_to: At<String>,
}

/// The J-LIS 照合 (no arguments: `registry.jlis_check: {}`).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JlisCheckArgs {}

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
    pub name: Option<At<String>>,
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
    pub name: Option<At<String>>,
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
    pub name: Option<At<String>>,
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
    pub name: Option<At<String>>,
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
    pub args: BTreeMap<String, At<String>>,
}
