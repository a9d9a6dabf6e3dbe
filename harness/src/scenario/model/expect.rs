//! Expectations: the `Expectation` enum (one one-key map per check) and the struct each
//! kind of check takes.

use super::*;

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
    /// The certificate a `card.certificate` or `card.sign` step read from the card.
    #[serde(rename = "certificate")]
    Certificate(CertificateExpect),
    /// What a `card.sign` step got: the PIN check and the signature.
    #[serde(rename = "signature")]
    Signature(SignatureExpect),
    /// What a `card.surface` step got: the PIN check and the surface entries.
    #[serde(rename = "surface")]
    Surface(SurfaceExpect),
    /// The person's My Number is well-formed and synthetic (never printed).
    #[serde(rename = "my_number")]
    MyNumber(MyNumberExpect),
    /// The person's マイナポータル account and the 住民票コード it holds.
    #[serde(rename = "portal.account")]
    PortalAccount(PortalAccountExpect),
    /// Nothing of the person's face photo or face template left the reader: answers (typed,
    /// as XML, as face files), visit outcomes, trace, provider records.
    #[serde(rename = "no_face_data")]
    NoFaceData(NoFaceDataExpect),
    /// J-LIS's status answer for one serial (JLIS-2).
    #[serde(rename = "jlis.status")]
    JlisStatus(JlisStatusExpect),
    /// Every certificate J-LIS issued to some people: count, distinct serials, CA signature.
    #[serde(rename = "jlis.issued")]
    JlisIssued(JlisIssuedExpect),
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
    /// The most times each kind may be sent (`at_most: { siquc01: 1, yzk: 1 }`).
    #[serde(default)]
    pub at_most: std::collections::BTreeMap<RequestKindName, u32>,
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
    /// Certificate sent, compared with the card in the reader: `auth` (this card's auth
    /// certificate, byte for byte), `other_card` (another card's of the same world),
    /// `signature`, `other` (not this world's, or not a certificate) or `none`.
    #[serde(default)]
    pub certificate: Option<TerminalCertificateName>,
    /// Signature sent, checked with the key of the card in the reader: `card` (it verifies),
    /// `other` (it does not) or `none` (none sent).
    #[serde(default)]
    pub signature: Option<TerminalSignatureName>,
    /// `pin` (signed challenge), `face` or `none`.
    #[serde(default)]
    pub method: Option<TerminalMethodName>,
    /// Whether the card signed with the auth key (which it only does after the auth PIN).
    #[serde(default)]
    pub signed_with_auth_key: Option<bool>,
    /// VERIFY commands that sent an auth PIN.
    #[serde(default)]
    pub pin_tries: Option<usize>,
    /// The registry's rejection of the request (`bad_signature`, `signature_certificate`, …)
    /// or `none`.
    #[serde(default)]
    pub rejection: Option<TerminalRejectionName>,
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
    pub refused: Option<RefusalName>,
    /// 資格有効性 1–6.
    #[serde(default)]
    pub validity: Option<ValidityCode>,
    /// Number of results.
    #[serde(default)]
    pub results: Option<usize>,
    /// 保険者番号 of the first result.
    #[serde(default)]
    pub insurer_number: Option<String>,
    /// 保険者名 of the first result (as the answer names the insurer).
    #[serde(default)]
    pub insurer_name: Option<String>,
    /// 氏名 of the first result (the member the record belongs to; after a 紐付け誤り another
    /// person's name than the card holder's).
    #[serde(default)]
    pub name: Option<String>,
    /// 生年月日 of the first result (`1951-11-20`).
    #[serde(default)]
    pub birth: Option<String>,
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
    pub elderly_copay: Option<PercentOrNone>,
    /// 適用区分 returned (A01–A06, B01–B10) or `none`.
    #[serde(default)]
    pub limit_category: Option<LimitCategoryName>,
    /// 長期入院該当年月日 returned, or `none`.
    #[serde(default)]
    pub long_stay_from: Option<DateOrNone>,
    /// 特定疾病 returned (disease name) or `none`.
    #[serde(default)]
    pub disease: Option<DiseaseExpectName>,
    /// `full` or `qualification_only` (grace period).
    #[serde(default)]
    pub scope: Option<ScopeName>,
    /// Expiry notice date, `none`, or `any`.
    #[serde(default)]
    pub expiry_notice: Option<NoticeDate>,
    /// Whether the registry relinked from an earlier serial.
    #[serde(default)]
    pub relinked: Option<bool>,
    /// 資格喪失年月日 in the result, or `none`.
    #[serde(default)]
    pub loss_date: Option<DateOrNone>,
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
    pub method: Option<VerificationMethodName>,
    /// Attempts made.
    #[serde(default)]
    pub attempts: Option<usize>,
    /// Attempt results in order (`face_matched`, `face_mismatch`, `not_live`, `pin_ok`,
    /// `pin_wrong`, `pin_now_blocked` (the try that blocks it), `pin_blocked`, `face_retries_exhausted`, `face_locked`,
    /// `visual_confirmed`, `visual_rejected`): the exact list, or `{contains, not_contains}`.
    #[serde(default)]
    pub results: Option<ListExpect<AttemptName>>,
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
    /// Consent screens shown, in order (empty list: none), or `{contains, not_contains}`.
    #[serde(default)]
    pub consent_screens: Option<ListExpect<ConsentItemName>>,
    /// Whether the 包括同意 screen was offered.
    #[serde(default)]
    pub blanket_offered: Option<bool>,
    /// Items consented to (in any order), or `{contains, not_contains}`.
    #[serde(default)]
    pub consented: Option<ListExpect<ConsentItemName>>,
    /// Items provided without a screen (限度額 from 2024-10-07), or `{contains, not_contains}`.
    #[serde(default)]
    pub provided_without_consent: Option<ListExpect<ConsentItemName>>,
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
    /// `not_requested`, or `any` (shared nothing, for whatever reason).
    #[serde(default)]
    pub withheld: Option<WithheldName>,
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
    pub path: Option<ProviderPathName>,
    /// 窓口負担 in yen.
    #[serde(default)]
    pub charged: Option<u64>,
    /// 負担割合 used (percent).
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// 保険者番号 recorded, or `none`.
    #[serde(default)]
    pub insurer_number: Option<String>,
    /// 記号 recorded, or `none`.
    #[serde(default)]
    pub symbol: Option<String>,
    /// 番号 recorded, or `none`.
    #[serde(default)]
    pub number: Option<String>,
    /// 枝番 recorded, or `none`.
    #[serde(default)]
    pub branch: Option<String>,
    /// 本人/家族 of the qualification recorded (`insured`, `dependent`).
    #[serde(default)]
    pub relation: Option<crate::scenario::model::RelationName>,
    /// 氏名 as recorded (from the answer, in the encoding the result file declares: PRV-6).
    #[serde(default)]
    pub name: Option<String>,
    /// 適用区分 used, or `none`.
    #[serde(default)]
    pub limit_category: Option<LimitCategoryName>,
    /// 自己負担限度額 applied (yen), or `none`.
    #[serde(default)]
    pub cap: Option<AmountOrNone>,
    /// Marked to confirm later at the visit (PRV-7).
    #[serde(default)]
    pub confirm_later: Option<bool>,
    /// The later confirmation as the provider holds it now: its date, or `none` when it has
    /// not happened (PRV-7).
    #[serde(default)]
    pub confirmed_later: Option<DateOrNone>,
    /// 資格有効性 (1–6) of that later confirmation.
    #[serde(default)]
    pub later_validity: Option<ValidityCode>,
    /// Optional data fetched (in any order), or `{contains, not_contains}`.
    #[serde(default)]
    pub fetched: Option<ListExpect<DataKindName>>,
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
    pub relinked_from: Option<RelinkedFrom>,
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
    /// 署名用PIN tries left (5 at issue).
    #[serde(default)]
    pub sign_pin_remaining: Option<u8>,
    /// 署名用PIN blocked.
    #[serde(default)]
    pub sign_pin_blocked: Option<bool>,
    /// 照合番号A tries left (券面事項確認AP).
    #[serde(default)]
    pub pin_a_remaining: Option<u8>,
    /// 照合番号B tries left (券面事項確認AP).
    #[serde(default)]
    pub pin_b_remaining: Option<u8>,
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
    pub denied: Option<PortalDeniedName>,
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
    pub encoding: EncodingName,
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
