//! The plan: a checked scenario lowered for the runner. Everything the runner needs is here,
//! resolved: people, insurers and institutions as world handles, scenario names as sim values,
//! dates parsed, each expectation with its requirement ids. Nothing downstream reads the YAML
//! model (`scenario::model`); `compile` is the only place that turns one into the other, with
//! the per-kind lowering below ([`lower`]).
//!
//! Adding an expectation field: the YAML field in `model/expect.rs` (or `model/card.rs`), its
//! lowered field and one line of [`lower`] here (or in `card.rs`), and its check in one
//! `run/checks/` file.

use jiff::civil::Date;
use onshi_reports::Title;
use onshi_sim::clock::{Moment, Span};
use onshi_sim::ids::{InstitutionCode, InstitutionId, InsurerId, InsurerNumber, PersonId};
use onshi_sim::oqs::CharacterCode;
use onshi_sim::registry::{Channel, Checkup, MedicalRecord, OutageKind};
use onshi_sim::rules::{ConsentItem, DataKind, InstitutionSettings, RuleSet};
use onshi_sim::world::{CardSpec, Event, PersonSpec, QualificationSpec};

use super::model::{self, Expectation};

mod card;
pub use super::names::RequestKindName;
use super::names::{character_code, consent_item, data_kind};
pub use super::vocab::*;
pub use card::*;

/// Where something was written: source index (into `Loaded::sources`), line, column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Source index.
    pub source: usize,
    /// Line.
    pub line: u64,
    /// Column.
    pub column: u64,
}

/// A person with everything set up before the start.
#[derive(Clone, Debug)]
pub struct PlannedPerson {
    /// Person.
    pub spec: PersonSpec,
    /// Card.
    pub card: Option<CardSpec>,
    /// 資格 records (ids resolved).
    pub quals: Vec<QualificationSpec>,
    /// 利用登録 before the start.
    pub registered: Option<(Moment, Channel)>,
    /// Portal account.
    pub portal_account: bool,
    /// Records.
    pub records: Vec<MedicalRecord>,
    /// Checkups.
    pub checkups: Vec<Checkup>,
    /// 被保険者番号 at 後期 when the law moves the person (default generated).
    pub late_elderly_number: Option<String>,
}

/// A checked scenario, ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Id.
    pub id: String,
    /// Title.
    pub title: Title,
    /// Cited requirement ids.
    pub requirements: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The scenario's own seed.
    pub seed: Option<u64>,
    /// Virtual start.
    pub start: Moment,
    /// Skip reason.
    pub skip: Option<String>,
    /// Card visits go through the terminal role (APDUs and the terminal protocol).
    pub terminal: bool,
    /// How the 資格確認端末 writes result and face files for a provider under test.
    pub oqs_encoding: onshi_sim::oqs::CharacterCode,
    /// The rules with the scenario's switches applied.
    pub rules: RuleSet,
    /// Insurers: key, number, name, lag.
    pub insurers: Vec<(String, InsurerNumber, String, u32)>,
    /// Institutions: key, code, name, settings.
    pub institutions: Vec<(String, InstitutionCode, String, InstitutionSettings)>,
    /// People.
    pub people: Vec<PlannedPerson>,
    /// Steps.
    pub steps: Vec<PlannedStep>,
    /// Final expectations.
    pub expect: Vec<PlannedExpect>,
    /// Steps that always run.
    pub finally: Vec<PlannedStep>,
}

impl Plan {
    /// Whether the scenario belongs to the registry suite: it cites a REG-, JLIS- or INS-
    /// requirement (the registry's answers, J-LIS, the insurers' data the registry serves) and
    /// does not route visits through the terminal role. A registry under test
    /// (`--registry-adapter`) runs these.
    pub fn registry_suite(&self) -> bool {
        let cites = |ids: &[String]| {
            ids.iter()
                .any(|r| r.starts_with("REG-") || r.starts_with("JLIS-") || r.starts_with("INS-"))
        };
        fn in_steps(steps: &[PlannedStep], cites: &dyn Fn(&[String]) -> bool) -> bool {
            steps.iter().any(|s| match &s.action {
                Action::Expect(list) => list.iter().any(|e| cites(&e.requirements)),
                Action::Fails {
                    step, requirements, ..
                } => cites(requirements) || in_steps(std::slice::from_ref(step), cites),
                _ => false,
            })
        }
        !self.terminal
            && (cites(&self.requirements)
                || self.expect.iter().any(|e| cites(&e.requirements))
                || in_steps(&self.steps, &cites))
    }

    /// Whether the scenario observes a provider (a `provider` or `requests` expectation, in
    /// `expect` or an `expect` step) and does not route visits through the terminal role: the
    /// scenarios a provider under test (`--adapter`) runs.
    pub fn provider_suite(&self) -> bool {
        fn observes(e: &PlannedExpect) -> bool {
            matches!(e.expectation, Expect::Provider(_) | Expect::Requests(_))
        }
        fn in_steps(steps: &[PlannedStep]) -> bool {
            steps.iter().any(|s| match &s.action {
                Action::Expect(list) => list.iter().any(observes),
                Action::Fails { step, .. } => in_steps(std::slice::from_ref(step)),
                _ => false,
            })
        }
        !self.terminal && (self.expect.iter().any(observes) || in_steps(&self.steps))
    }
}

/// A step.
#[derive(Clone, Debug)]
pub struct PlannedStep {
    /// Where it is written.
    pub origin: Origin,
    /// Its name, for expectations.
    pub name: Option<String>,
    /// What to do.
    pub action: Action,
}

/// What a step does.
#[derive(Clone, Debug)]
pub enum Action {
    /// A world event.
    Event(Box<Event>),
    /// Confirmation by numbers; fields left out default to the person's current 資格 at
    /// run time.
    ConfirmNumbers {
        /// Institution.
        institution: InstitutionId,
        /// Person.
        person: PersonId,
        /// 保険者番号 typed.
        insurer_number: Option<InsurerNumber>,
        /// 記号 typed.
        symbol: Option<String>,
        /// 番号 typed.
        number: Option<String>,
        /// 枝番 typed.
        branch: Option<String>,
        /// 生年月日 typed.
        born: Option<Date>,
        /// 限度額 consent.
        limit_consent: bool,
    },
    /// An outage window starting at `from` (default: now) for `length`.
    Outage {
        /// Kind.
        kind: OutageKind,
        /// Start.
        from: Option<Moment>,
        /// Length.
        length: Span,
    },
    /// Checks now.
    Expect(Vec<PlannedExpect>),
    /// A step that must be refused, and what the refusal must say.
    Fails {
        /// The wrapped step.
        step: Box<PlannedStep>,
        /// Text the error must contain.
        error: Option<String>,
        /// Requirement ids the check evidences.
        requirements: Vec<String>,
    },
}

/// An expectation with its requirement ids.
#[derive(Clone, Debug)]
pub struct PlannedExpect {
    /// Where it is written.
    pub origin: Origin,
    /// Requirement ids it evidences.
    pub requirements: Vec<String>,
    /// The expectation, lowered (references resolved, names turned into sim values).
    pub expectation: Expect,
}

/// A person an expectation is about: the world handle and the scenario key (for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRef {
    /// Handle in the world.
    pub id: PersonId,
    /// Key in the scenario.
    pub key: String,
}

/// The step whose outcome an expectation looks at (`of:`), and where that is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRef {
    /// The step's name.
    pub name: String,
    /// Line of the `of:` value.
    pub line: u64,
    /// Column of the `of:` value.
    pub column: u64,
}

/// An insurer an expectation is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsurerRef {
    /// Handle in the world.
    pub id: InsurerId,
    /// Key in the scenario.
    pub key: String,
}

/// A lowered expectation: one variant per kind of the scenario language.
#[derive(Clone, Debug)]
pub enum Expect {
    /// `confirmation`.
    Confirmation(Box<ConfirmationCheck>),
    /// `verification`.
    Verification(VerificationCheck),
    /// `reader`.
    Reader(ReaderCheck),
    /// `data`.
    Data(DataCheck),
    /// `provider`.
    Provider(Box<ProviderCheck>),
    /// `registry.link`.
    RegistryLink(LinkCheck),
    /// `registry.count`.
    RegistryCount(CountCheck),
    /// `jlis.chain`.
    JlisChain(ChainCheck),
    /// `card`.
    Card(CardCheck),
    /// `portal`.
    Portal(PortalCheck),
    /// `trace.has`.
    TraceHas(TraceCheck),
    /// `trace.never`.
    TraceNever(TraceCheck),
    /// `no_my_number`.
    NoMyNumber(PersonRef),
    /// `wire`.
    Wire(WireCheck),
    /// `review`: a check a human must make.
    Review(String),
    /// `terminal`.
    Terminal(TerminalCheck),
    /// `requests`.
    Requests(RequestsCheck),
    /// `certificate`.
    Certificate(CertificateCheck),
    /// `signature`.
    Signature(SignatureCheck),
    /// `surface`.
    Surface(SurfaceCheck),
    /// `my_number`.
    MyNumber(MyNumberCheck),
    /// `portal.account`.
    PortalAccount(PortalAccountCheck),
    /// `no_face_data`.
    NoFaceData(PersonRef),
    /// `jlis.status`.
    JlisStatus(JlisStatusCheck),
    /// `jlis.issued`.
    JlisIssued(JlisIssuedCheck),
}

impl Expect {
    /// The step the expectation names with `of:`, when it names one.
    pub fn of(&self) -> Option<&StepRef> {
        match self {
            Expect::Confirmation(c) => c.of.as_ref(),
            Expect::Verification(c) => c.of.as_ref(),
            Expect::Terminal(c) => c.of.as_ref(),
            Expect::Reader(c) => c.of.as_ref(),
            Expect::Data(c) => c.of.as_ref(),
            Expect::Provider(c) => c.of.as_ref(),
            Expect::Portal(c) => c.of.as_ref(),
            Expect::Wire(c) => c.of.as_ref(),
            Expect::Requests(c) => c.of.as_ref(),
            Expect::Certificate(c) => c.of.as_ref(),
            Expect::Signature(c) => c.of.as_ref(),
            Expect::Surface(c) => c.of.as_ref(),
            _ => None,
        }
    }

    /// The expectation's key in the scenario language (`registry.link`), for check names.
    pub fn name(&self) -> &'static str {
        match self {
            Expect::Confirmation(_) => "confirmation",
            Expect::Verification(_) => "verification",
            Expect::Terminal(_) => "terminal",
            Expect::Reader(_) => "reader",
            Expect::Data(_) => "data",
            Expect::Provider(_) => "provider",
            Expect::Requests(_) => "requests",
            Expect::RegistryLink(_) => "registry.link",
            Expect::RegistryCount(_) => "registry.count",
            Expect::JlisChain(_) => "jlis.chain",
            Expect::Card(_) => "card",
            Expect::Portal(_) => "portal",
            Expect::TraceHas(_) => "trace.has",
            Expect::TraceNever(_) => "trace.never",
            Expect::NoMyNumber(_) => "no_my_number",
            Expect::Wire(_) => "wire",
            Expect::Review(_) => "review",
            Expect::Certificate(_) => "certificate",
            Expect::Signature(_) => "signature",
            Expect::Surface(_) => "surface",
            Expect::MyNumber(_) => "my_number",
            Expect::PortalAccount(_) => "portal.account",
            Expect::NoFaceData(_) => "no_face_data",
            Expect::JlisStatus(_) => "jlis.status",
            Expect::JlisIssued(_) => "jlis.issued",
        }
    }
}

/// The registry's answer to a visit or a confirmation by numbers; only the fields given are
/// checked.
#[derive(Clone, Debug, Default)]
pub struct ConfirmationCheck {
    /// Step name (default: the latest answer).
    pub of: Option<StepRef>,
    /// Refusal kind or `none`.
    pub refused: Option<RefusalName>,
    /// 資格有効性 1–6.
    pub validity: Option<ValidityCode>,
    /// Number of results.
    pub results: Option<usize>,
    /// 保険者番号 of the first result.
    pub insurer_number: Option<String>,
    /// 保険者名 of the first result.
    pub insurer_name: Option<String>,
    /// 氏名 of the first result.
    pub name: Option<String>,
    /// 生年月日 of the first result.
    pub birth: Option<String>,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: Option<String>,
    /// 枝番.
    pub branch: Option<String>,
    /// 負担割合 (percent).
    pub copay_percent: Option<u8>,
    /// 未就学区分.
    pub preschool: Option<bool>,
    /// 高齢受給者 ratio, or `none`.
    pub elderly_copay: Option<PercentOrNone>,
    /// 適用区分, or `none`.
    pub limit_category: Option<LimitCategoryName>,
    /// 長期入院該当年月日, or `none`.
    pub long_stay_from: Option<DateOrNone>,
    /// 特定疾病, or `none`.
    pub disease: Option<DiseaseExpectName>,
    /// `full` or `qualification_only`.
    pub scope: Option<ScopeName>,
    /// Expiry notice date, `none` or `any`.
    pub expiry_notice: Option<NoticeDate>,
    /// Relinked from an earlier serial.
    pub relinked: Option<bool>,
    /// 資格喪失年月日, or `none`.
    pub loss_date: Option<DateOrNone>,
}

/// Identity verification at the reader.
#[derive(Clone, Debug, Default)]
pub struct VerificationCheck {
    /// Visit name.
    pub of: Option<StepRef>,
    /// `face`, `pin`, `visual` or `none`.
    pub method: Option<VerificationMethodName>,
    /// Attempts made.
    pub attempts: Option<usize>,
    /// Attempt results in order, or what they must and must not hold.
    pub results: Option<ListExpect<AttemptName>>,
}

/// The reader's screens.
#[derive(Clone, Debug, Default)]
pub struct ReaderCheck {
    /// Visit name.
    pub of: Option<StepRef>,
    /// Whether the registration prompt appeared.
    pub registration_prompt: Option<bool>,
    /// Consent screens shown, in order.
    pub consent_screens: Option<ListExpect<ConsentItem>>,
    /// Whether the 包括同意 screen was offered.
    pub blanket_offered: Option<bool>,
    /// Items consented to.
    pub consented: Option<ListExpect<ConsentItem>>,
    /// Items provided without a screen.
    pub provided_without_consent: Option<ListExpect<ConsentItem>>,
}

/// Optional data shared with or withheld from the provider.
#[derive(Clone, Debug)]
pub struct DataCheck {
    /// Visit or fetch name.
    pub of: Option<StepRef>,
    /// Which data.
    pub kind: DataKind,
    /// Items shared.
    pub shared: Option<usize>,
    /// Why withheld (`any`: shared nothing).
    pub withheld: Option<WithheldName>,
}

/// What the provider recorded and charged.
#[derive(Clone, Debug, Default)]
pub struct ProviderCheck {
    /// Visit name.
    pub of: Option<StepRef>,
    /// The provider's path.
    pub path: Option<ProviderPathName>,
    /// 窓口負担 in yen.
    pub charged: Option<u64>,
    /// 負担割合 used.
    pub copay_percent: Option<u8>,
    /// 保険者番号 recorded.
    pub insurer_number: Option<String>,
    /// 記号 recorded.
    pub symbol: Option<String>,
    /// 番号 recorded.
    pub number: Option<String>,
    /// 枝番 recorded.
    pub branch: Option<String>,
    /// 本人/家族 recorded.
    pub relation: Option<super::model::RelationName>,
    /// 氏名 recorded.
    pub name: Option<String>,
    /// 適用区分 used, or `none`.
    pub limit_category: Option<LimitCategoryName>,
    /// 自己負担限度額 applied, or `none`.
    pub cap: Option<AmountOrNone>,
    /// Marked to confirm later.
    pub confirm_later: Option<bool>,
    /// The later confirmation's date, or `none`.
    pub confirmed_later: Option<DateOrNone>,
    /// 資格有効性 of the later confirmation.
    pub later_validity: Option<ValidityCode>,
    /// Optional data fetched.
    pub fetched: Option<ListExpect<DataKind>>,
}

/// A registry link of a person's current serial.
#[derive(Clone, Debug)]
pub struct LinkCheck {
    /// The person.
    pub person: PersonRef,
    /// Whether the current serial is linked.
    pub linked: Option<bool>,
    /// `previous`, `none`, or a number of serials back.
    pub relinked_from: Option<RelinkedFrom>,
    /// 申込方法 of the link, as the scenario names it (`reader`, `portal_app`, `atm`).
    pub channel: Option<&'static str>,
}

/// Registrations counted for an insurer.
#[derive(Clone, Debug)]
pub struct CountCheck {
    /// The insurer.
    pub insurer: InsurerRef,
    /// Registrations counted.
    pub registrations: u64,
}

/// A person's certificate chain at J-LIS.
#[derive(Clone, Debug)]
pub struct ChainCheck {
    /// The person.
    pub person: PersonRef,
    /// Auth serials issued in all.
    pub serials: Option<usize>,
    /// Every earlier serial is revoked.
    pub earlier_revoked: Option<bool>,
    /// The old-serial search returns exactly the earlier ones.
    pub old_serial_search: Option<bool>,
}

/// The card's counters and dates.
#[derive(Clone, Debug)]
pub struct CardCheck {
    /// The person.
    pub person: PersonRef,
    /// Auth PIN tries left.
    pub pin_remaining: Option<u8>,
    /// Auth PIN blocked.
    pub pin_blocked: Option<bool>,
    /// Face authentication locked.
    pub face_locked: Option<bool>,
    /// 有効期限 of the card, as written.
    pub expires: Option<String>,
    /// 有効期限 of the auth certificate, as written.
    pub certificate_expires: Option<String>,
    /// 署名用PIN tries left.
    pub sign_pin_remaining: Option<u8>,
    /// 署名用PIN blocked.
    pub sign_pin_blocked: Option<bool>,
    /// 照合番号A tries left.
    pub pin_a_remaining: Option<u8>,
    /// 照合番号B tries left.
    pub pin_b_remaining: Option<u8>,
}

/// A portal view.
#[derive(Clone, Debug, Default)]
pub struct PortalCheck {
    /// View name.
    pub of: Option<StepRef>,
    /// Items shown.
    pub items: Option<usize>,
    /// Refusal kind, or `none`.
    pub denied: Option<PortalDeniedName>,
}

/// A trace query.
#[derive(Clone, Debug, Default)]
pub struct TraceCheck {
    /// Message kind.
    pub kind: Option<String>,
    /// Sender lane.
    pub from: Option<String>,
    /// Receiver lane.
    pub to: Option<String>,
    /// The person.
    pub person: Option<PersonRef>,
    /// Text the summary contains.
    pub contains: Option<String>,
    /// Exact number of matches.
    pub count: Option<usize>,
}

/// The answer as a result file.
#[derive(Clone, Debug)]
pub struct WireCheck {
    /// Visit or confirmation name.
    pub of: Option<StepRef>,
    /// Encoding to write.
    pub encoding: CharacterCode,
    /// The encoding's name in the scenario (`utf8`, `shift_jis`).
    pub encoding_name: EncodingName,
    /// Characters substituted.
    pub substitutions: Option<usize>,
    /// The file decodes back to the same answer fields.
    pub round_trips: Option<bool>,
}

/// What the terminal did at a visit.
#[derive(Clone, Debug, Default)]
pub struct TerminalCheck {
    /// Visit name.
    pub of: Option<StepRef>,
    /// Whether the registry answered a confirmation from the terminal.
    pub confirmed: Option<bool>,
    /// Certificate sent, compared with the card in the reader.
    pub certificate: Option<TerminalCertificateName>,
    /// Signature sent, checked with the card's key.
    pub signature: Option<TerminalSignatureName>,
    /// `pin`, `face` or `none`.
    pub method: Option<TerminalMethodName>,
    /// Whether the card signed with the auth key.
    pub signed_with_auth_key: Option<bool>,
    /// VERIFY commands that sent an auth PIN.
    pub pin_tries: Option<usize>,
    /// The registry's rejection, or `none`.
    pub rejection: Option<TerminalRejectionName>,
}

/// The requests the provider sent during a visit.
#[derive(Clone, Debug, Default)]
pub struct RequestsCheck {
    /// Visit name.
    pub of: Option<StepRef>,
    /// Kinds that must have been sent.
    pub sent: Vec<RequestKindName>,
    /// Kinds that must not have been sent.
    pub not_sent: Vec<RequestKindName>,
    /// The most times each kind may be sent.
    pub at_most: Vec<(RequestKindName, u32)>,
}

/// Looks up the handles of scenario keys (already checked by `compile`).
pub trait Resolve {
    /// The handle of person `key`.
    fn person(&self, key: &str) -> PersonId;
    /// The handle of insurer `key`.
    fn insurer(&self, key: &str) -> InsurerId;
}

fn of(o: &model::OfName) -> Option<StepRef> {
    o.as_ref().map(|n| StepRef {
        name: n.value.clone(),
        line: n.line,
        column: n.column,
    })
}

fn items(list: &Option<ListExpect<model::ConsentItemName>>) -> Option<ListExpect<ConsentItem>> {
    list.as_ref().map(|l| l.map(|i| consent_item(*i)))
}

fn person(r: &impl Resolve, key: &model::At<String>) -> PersonRef {
    PersonRef {
        id: r.person(&key.value),
        key: key.value.clone(),
    }
}

/// Lowers a checked expectation.
pub fn lower(e: &Expectation, r: &impl Resolve) -> Expect {
    match e {
        Expectation::Confirmation(c) => Expect::Confirmation(Box::new(ConfirmationCheck {
            of: of(&c.of),
            refused: c.refused,
            validity: c.validity,
            results: c.results,
            insurer_number: c.insurer_number.clone(),
            insurer_name: c.insurer_name.clone(),
            name: c.name.clone(),
            birth: c.birth.clone(),
            symbol: c.symbol.clone(),
            number: c.number.clone(),
            branch: c.branch.clone(),
            copay_percent: c.copay_percent,
            preschool: c.preschool,
            elderly_copay: c.elderly_copay,
            limit_category: c.limit_category,
            long_stay_from: c.long_stay_from,
            disease: c.disease,
            scope: c.scope,
            expiry_notice: c.expiry_notice,
            relinked: c.relinked,
            loss_date: c.loss_date,
        })),
        Expectation::Verification(v) => Expect::Verification(VerificationCheck {
            of: of(&v.of),
            method: v.method,
            attempts: v.attempts,
            results: v.results.clone(),
        }),
        Expectation::Reader(x) => Expect::Reader(ReaderCheck {
            of: of(&x.of),
            registration_prompt: x.registration_prompt,
            consent_screens: items(&x.consent_screens),
            blanket_offered: x.blanket_offered,
            consented: items(&x.consented),
            provided_without_consent: items(&x.provided_without_consent),
        }),
        Expectation::Data(d) => Expect::Data(DataCheck {
            of: of(&d.of),
            kind: data_kind(d.kind),
            shared: d.shared,
            withheld: d.withheld,
        }),
        Expectation::Provider(p) => Expect::Provider(Box::new(ProviderCheck {
            of: of(&p.of),
            path: p.path,
            charged: p.charged,
            copay_percent: p.copay_percent,
            insurer_number: p.insurer_number.clone(),
            symbol: p.symbol.clone(),
            number: p.number.clone(),
            branch: p.branch.clone(),
            relation: p.relation,
            name: p.name.clone(),
            limit_category: p.limit_category,
            cap: p.cap,
            confirm_later: p.confirm_later,
            confirmed_later: p.confirmed_later,
            later_validity: p.later_validity,
            fetched: p.fetched.as_ref().map(|l| l.map(|k| data_kind(*k))),
        })),
        Expectation::RegistryLink(l) => Expect::RegistryLink(LinkCheck {
            person: person(r, &l.person),
            linked: l.linked,
            relinked_from: l.relinked_from,
            channel: l.channel.map(|c| c.name()),
        }),
        Expectation::RegistryCount(c) => Expect::RegistryCount(CountCheck {
            insurer: InsurerRef {
                id: r.insurer(&c.insurer.value),
                key: c.insurer.value.clone(),
            },
            registrations: c.registrations,
        }),
        Expectation::JlisChain(c) => Expect::JlisChain(ChainCheck {
            person: person(r, &c.person),
            serials: c.serials,
            earlier_revoked: c.earlier_revoked,
            old_serial_search: c.old_serial_search,
        }),
        Expectation::Card(c) => Expect::Card(CardCheck {
            person: person(r, &c.person),
            pin_remaining: c.pin_remaining,
            pin_blocked: c.pin_blocked,
            face_locked: c.face_locked,
            expires: c.expires.as_ref().map(|d| d.value.0.clone()),
            certificate_expires: c.certificate_expires.as_ref().map(|d| d.value.0.clone()),
            sign_pin_remaining: c.sign_pin_remaining,
            sign_pin_blocked: c.sign_pin_blocked,
            pin_a_remaining: c.pin_a_remaining,
            pin_b_remaining: c.pin_b_remaining,
        }),
        Expectation::Portal(p) => Expect::Portal(PortalCheck {
            of: of(&p.of),
            items: p.items,
            denied: p.denied,
        }),
        Expectation::TraceHas(t) => Expect::TraceHas(trace(t, r)),
        Expectation::TraceNever(t) => Expect::TraceNever(trace(t, r)),
        Expectation::NoMyNumber(n) => Expect::NoMyNumber(person(r, &n.person)),
        Expectation::Wire(w) => Expect::Wire(WireCheck {
            of: of(&w.of),
            encoding: character_code(w.encoding),
            encoding_name: w.encoding,
            substitutions: w.substitutions,
            round_trips: w.round_trips,
        }),
        Expectation::Review(x) => Expect::Review(x.text.clone()),
        Expectation::Terminal(t) => Expect::Terminal(TerminalCheck {
            of: of(&t.of),
            confirmed: t.confirmed,
            certificate: t.certificate,
            signature: t.signature,
            method: t.method,
            signed_with_auth_key: t.signed_with_auth_key,
            pin_tries: t.pin_tries,
            rejection: t.rejection,
        }),
        Expectation::Requests(x) => Expect::Requests(RequestsCheck {
            of: of(&x.of),
            sent: x.sent.clone(),
            not_sent: x.not_sent.clone(),
            at_most: x.at_most.iter().map(|(k, n)| (*k, *n)).collect(),
        }),
        Expectation::Certificate(c) => Expect::Certificate(card::certificate(c)),
        Expectation::Signature(s) => Expect::Signature(card::signature(s)),
        Expectation::Surface(s) => Expect::Surface(card::surface(s)),
        Expectation::MyNumber(m) => Expect::MyNumber(card::my_number(m, r)),
        Expectation::PortalAccount(p) => Expect::PortalAccount(card::portal_account(p, r)),
        Expectation::NoFaceData(n) => Expect::NoFaceData(person(r, &n.person)),
        Expectation::JlisStatus(s) => Expect::JlisStatus(card::jlis_status(s, r)),
        Expectation::JlisIssued(i) => Expect::JlisIssued(card::jlis_issued(i, r)),
    }
}

fn trace(t: &model::TraceExpect, r: &impl Resolve) -> TraceCheck {
    TraceCheck {
        kind: t.kind.clone(),
        from: t.from.clone(),
        to: t.to.clone(),
        person: t.person.as_ref().map(|p| person(r, p)),
        contains: t.contains.clone(),
        count: t.count,
    }
}
