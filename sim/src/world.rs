//! The world: every party plus the virtual clock. Setup methods build it; [`World::apply`]
//! moves it by one event and returns what happened. Every message between actors lands in
//! the [`Trace`].
//!
//! The world orchestrates; the rules stay with their actors. `events` holds the event and
//! outcome types, `apply` the step of one event, `visit` a visit (reader, registry, reference
//! provider), `card_session` a card of the world in a reader. Actors see the world through a
//! [`View`] next to the mutable parts the world lends them.

use std::collections::HashMap;

use serde::Serialize;

use crate::card::{Card, CardPins, CardStatus};
use crate::clock::{ClockError, Date, Moment, VirtualClock};
use crate::ids::{
    CardId, CertId, IdError, InstitutionCode, InstitutionId, InsurerId, InsurerNumber, MyNumber,
    PersonId, QualificationId,
};
use crate::insurer::{
    DesignatedDiseaseCertificate, Insurer, LimitCertificate, LossReason, Qualification,
    QualificationNumbers, Relation,
};
use crate::jlis::{CertKind, IssueCause, Jlis, RevocationReason, SubjectInfo};
use crate::person::{Person, Sex};
use crate::portal::Portal;
use crate::provider::ProviderState;
use crate::registry::{Channel, Registry};
use crate::rng::SeedRoot;
use crate::rules::{IncomeClass, InstitutionSettings, RuleSet};
use crate::trace::{Actor, Trace};

mod age_law;
mod apply;
mod card_session;
mod card_steps;
mod events;
mod links;
mod query;
mod replica;
mod visit;

pub use card_steps::{
    CardBytes, CardSignature, JpkiOutcome, JpkiRequest, SurfaceOutcome, SurfacePin, SurfaceRequest,
    pin_name,
};
pub use events::{Event, Outcome, Presentation, VisitOutcome, VisitSpec};

pub use crate::institution::Institution;
pub use crate::view::View;

/// Errors in building or driving the world: the scenario asked for something impossible.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorldError {
    /// A name was used twice.
    #[error("{kind} `{key}` is defined twice")]
    Duplicate {
        /// person, insurer, institution.
        kind: &'static str,
        /// The name.
        key: String,
    },
    /// A name refers to nothing.
    #[error("unknown {kind} `{key}`")]
    Unknown {
        /// person, insurer, institution.
        kind: &'static str,
        /// The name.
        key: String,
    },
    /// The person has no card, or it cannot be presented.
    #[error("{person} has no usable card: {why}")]
    NoCard {
        /// The person's name.
        person: String,
        /// Why.
        why: String,
    },
    /// An identifier was invalid.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Time went wrong.
    #[error(transparent)]
    Clock(#[from] ClockError),
    /// A rule refused.
    #[error("{0}")]
    Rule(String),
    /// J-LIS refused.
    #[error("J-LIS: {0}")]
    Jlis(String),
    /// The event does not fit the world's state.
    #[error("{0}")]
    Invalid(String),
}

/// How to start a world.
#[derive(Clone, Debug)]
pub struct WorldConfig {
    /// The run's seed.
    pub seed: u64,
    /// The scenario id (part of every derived draw).
    pub scenario: String,
    /// Scenario start time.
    pub start: Moment,
    /// Rule tables and switches.
    pub rules: RuleSet,
    /// Record the trace (population benchmarks switch it off).
    pub trace: bool,
    /// Whether the built-in reference provider settles visits (false when a provider system
    /// under test plays that role).
    pub reference_provider: bool,
}

impl WorldConfig {
    /// A config with the built-in rules, trace on and the reference provider bound.
    pub fn new(seed: u64, scenario: &str, start: Moment) -> Self {
        WorldConfig {
            seed,
            scenario: scenario.to_string(),
            start,
            rules: RuleSet::builtin(),
            trace: true,
            reference_provider: true,
        }
    }
}

/// A person to add.
#[derive(Clone, Debug)]
pub struct PersonSpec {
    /// Scenario name.
    pub key: String,
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    pub kana: String,
    /// 生年月日.
    pub birth: Date,
    /// 性別.
    pub sex: Sex,
    /// 住所.
    pub address: String,
    /// 郵便番号.
    pub post_number: String,
    /// Income class (when no dated period applies).
    pub income: IncomeClass,
    /// 所得区分 by period, oldest first (rules-tables §2.3: re-determined each August).
    pub income_periods: Vec<crate::person::IncomePeriod>,
}

/// A card to issue.
#[derive(Clone, Debug)]
pub struct CardSpec {
    /// 発行日.
    pub issued: Date,
    /// 4-digit auth PIN.
    pub auth_pin: String,
    /// Signature PIN (6–16 upper-case letters and digits).
    pub sign_pin: String,
}

/// A qualification to add.
#[derive(Clone, Debug)]
pub struct QualificationSpec {
    /// Member.
    pub person: PersonId,
    /// Insurer, 記号, 番号 and 枝番.
    pub numbers: QualificationNumbers,
    /// 本人/家族.
    pub relation: Relation,
    /// 資格取得年月日.
    pub acquired: Date,
    /// 資格喪失.
    pub lost: Option<(Date, LossReason)>,
    /// When the record reached the registry (default: acquired + the insurer's lag).
    pub registered_on: Option<Date>,
    /// Explicit ratio.
    pub copay_override: Option<u8>,
    /// 限度額 data.
    pub limits: Vec<LimitCertificate>,
    /// 特定疾病 data.
    pub designated_diseases: Vec<DesignatedDiseaseCertificate>,
    /// The insurer's 所得区分 determinations for this record, oldest first.
    pub income: Vec<crate::person::IncomePeriod>,
}

/// Builds a [`View`] from a world's read-only fields (a macro so that [`World::parts`] can
/// borrow the other fields mutably at the same time).
macro_rules! world_view {
    ($w:expr, $now:expr) => {
        View {
            now: $now,
            today: $now.date(),
            rules: &$w.rules,
            people: &$w.people,
            cards: &$w.cards,
            insurers: &$w.insurers,
            quals: &$w.quals,
            institutions: &$w.institutions,
            jlis: &$w.jlis,
            person_quals: &$w.person_quals,
            by_number: &$w.by_number,
        }
    };
}

/// The whole simulated ecosystem.
#[derive(Clone, Debug)]
pub struct World {
    /// Virtual clock.
    pub(crate) clock: VirtualClock,
    /// Rules in force.
    pub(crate) rules: RuleSet,
    /// Randomness root.
    pub(crate) seed: SeedRoot,
    /// People.
    pub(crate) people: Vec<Person>,
    /// Cards.
    pub(crate) cards: Vec<Card>,
    /// J-LIS.
    pub(crate) jlis: Jlis,
    /// Insurers.
    pub(crate) insurers: Vec<Insurer>,
    /// Qualifications.
    pub(crate) quals: Vec<Qualification>,
    /// Institutions.
    pub(crate) institutions: Vec<Institution>,
    /// 支払基金.
    pub(crate) registry: Registry,
    /// マイナポータル.
    pub(crate) portal: Portal,
    /// The reference provider's records.
    pub(crate) provider: ProviderState,
    /// Whether the reference provider settles visits.
    pub(crate) reference_provider: bool,
    /// Messages so far.
    pub(crate) trace: Trace,
    /// Challenges the registry handed to terminals under test.
    pub(crate) challenges: crate::registry::terminal::Challenges,
    person_quals: Vec<Vec<QualificationId>>,
    /// 被保険者番号 a 広域連合 gives a person at 75 (set by the scenario; default generated).
    late_elderly_numbers: HashMap<PersonId, String>,
    by_number: HashMap<(InsurerNumber, String), Vec<QualificationId>>,
    keys: HashMap<(&'static str, String), u32>,
    my_number_offset: u64,
}

/// The mutable parts of a world next to a view of the rest.
pub(crate) struct Parts<'a> {
    pub view: View<'a>,
    pub registry: &'a mut Registry,
    pub portal: &'a mut Portal,
    pub provider: &'a mut ProviderState,
    pub trace: &'a mut Trace,
}

impl World {
    /// An empty world at the config's start time.
    pub fn new(config: WorldConfig) -> Self {
        let seed = SeedRoot::new(config.seed, &config.scenario);
        let mut trace = Trace::new();
        trace.set_enabled(config.trace);
        // The simulated CAs date from the start of the My Number card (2015-10) and live 30 years.
        let ca_from = Date::new(2015, 10, 1)
            .unwrap_or(config.start.date())
            .min(config.start.date());
        let jlis = Jlis::new(seed, ca_from);
        World {
            clock: VirtualClock::new(config.start),
            rules: config.rules,
            seed,
            people: Vec::new(),
            cards: Vec::new(),
            jlis,
            insurers: Vec::new(),
            quals: Vec::new(),
            institutions: Vec::new(),
            registry: Registry::new(),
            portal: Portal::new(),
            provider: ProviderState::default(),
            reference_provider: config.reference_provider,
            trace,
            challenges: crate::registry::terminal::Challenges::new(seed),
            person_quals: Vec::new(),
            late_elderly_numbers: HashMap::new(),
            by_number: HashMap::new(),
            keys: HashMap::new(),
            my_number_offset: seed.draw("my_number", 0) % 1_000_000_000,
        }
    }

    /// Now.
    pub fn now(&self) -> Moment {
        self.clock.now()
    }

    /// A read-only view at the current time.
    pub fn view(&self) -> View<'_> {
        self.view_at(self.clock.now())
    }

    fn view_at(&self, now: Moment) -> View<'_> {
        world_view!(self, now)
    }

    pub(crate) fn parts(&mut self, now: Moment) -> Parts<'_> {
        Parts {
            view: world_view!(self, now),
            registry: &mut self.registry,
            portal: &mut self.portal,
            provider: &mut self.provider,
            trace: &mut self.trace,
        }
    }

    fn claim_key(&mut self, kind: &'static str, key: &str, index: usize) -> Result<(), WorldError> {
        let k = (kind, key.to_string());
        if self.keys.contains_key(&k) {
            return Err(WorldError::Duplicate {
                kind,
                key: key.to_string(),
            });
        }
        self.keys.insert(k, index as u32);
        Ok(())
    }

    fn lookup_key(&self, kind: &'static str, key: &str) -> Result<u32, WorldError> {
        self.keys
            .get(&(kind, key.to_string()))
            .copied()
            .ok_or_else(|| WorldError::Unknown {
                kind,
                key: key.to_string(),
            })
    }

    /// A person by scenario name.
    pub fn person_by_key(&self, key: &str) -> Result<PersonId, WorldError> {
        self.lookup_key("person", key).map(PersonId)
    }

    /// An insurer by scenario name.
    pub fn insurer_by_key(&self, key: &str) -> Result<InsurerId, WorldError> {
        self.lookup_key("insurer", key).map(InsurerId)
    }

    /// An institution by scenario name.
    pub fn institution_by_key(&self, key: &str) -> Result<InstitutionId, WorldError> {
        self.lookup_key("institution", key).map(InstitutionId)
    }

    /// Adds an insurer.
    pub fn add_insurer(
        &mut self,
        key: &str,
        number: InsurerNumber,
        name: &str,
        registration_lag_days: u32,
    ) -> Result<InsurerId, WorldError> {
        let id = InsurerId(self.insurers.len() as u32);
        self.claim_key("insurer", key, id.index())?;
        self.insurers.push(Insurer {
            id,
            key: key.to_string(),
            number,
            name: name.to_string(),
            registration_lag_days,
        });
        Ok(id)
    }

    /// Adds an institution.
    pub fn add_institution(
        &mut self,
        key: &str,
        code: InstitutionCode,
        name: &str,
        settings: InstitutionSettings,
    ) -> Result<InstitutionId, WorldError> {
        let id = InstitutionId(self.institutions.len() as u32);
        self.claim_key("institution", key, id.index())?;
        self.institutions.push(Institution {
            id,
            key: key.to_string(),
            code,
            name: name.to_string(),
            settings,
        });
        Ok(id)
    }

    /// Adds a person with a synthetic My Number.
    pub fn add_person(&mut self, spec: PersonSpec) -> Result<PersonId, WorldError> {
        let id = PersonId(self.people.len() as u32);
        self.claim_key("person", &spec.key, id.index())?;
        let n = (self.my_number_offset + id.0 as u64) % 10_000_000_000;
        self.people.push(Person {
            id,
            key: spec.key,
            my_number: MyNumber::synthetic(n),
            name: spec.name,
            kana: spec.kana,
            birth: spec.birth,
            sex: spec.sex,
            address: spec.address,
            post_number: spec.post_number,
            face_template: self.seed.draw("face", id.0 as u64),
            income: spec.income,
            income_periods: spec.income_periods,
            cards: Vec::new(),
        });
        self.person_quals.push(Vec::new());
        Ok(id)
    }

    /// Issues a card (with auth and, from age 15, signature certificates) on `spec.issued`.
    pub fn issue_card(&mut self, person: PersonId, spec: &CardSpec) -> Result<CardId, WorldError> {
        self.issue_card_with(person, spec, IssueCause::First)
    }

    fn issue_card_with(
        &mut self,
        person: PersonId,
        spec: &CardSpec,
        cause: IssueCause,
    ) -> Result<CardId, WorldError> {
        let p = self
            .people
            .get(person.index())
            .ok_or_else(|| WorldError::Invalid(format!("no person {person:?}")))?;
        self.rules
            .validate_pin(crate::rules::PinKind::Auth, &spec.auth_pin)
            .map_err(|e| WorldError::Rule(e.to_string()))?;
        self.rules
            .validate_pin(crate::rules::PinKind::Signature, &spec.sign_pin)
            .map_err(|e| WorldError::Rule(e.to_string()))?;
        let birth = p.birth;
        let card_expiry = self
            .rules
            .card_expiry(spec.issued, birth)
            .map_err(|e| WorldError::Rule(e.to_string()))?;
        let cert_expiry = self
            .rules
            .auth_cert_expiry(spec.issued, birth, card_expiry)
            .map_err(|e| WorldError::Rule(e.to_string()))?;
        let subject = SubjectInfo {
            name: p.name.clone(),
            address: p.address.clone(),
            birth,
            sex: p.sex,
        };
        let face = p.face_template;
        let auth = self
            .jlis
            .issue(
                person,
                CertKind::Auth,
                spec.issued,
                cert_expiry,
                cause,
                None,
            )
            .map_err(jlis_err)?;
        // 署名用電子証明書 is not issued under 15.
        let sign = if crate::age::age_on(birth, spec.issued) >= 15 {
            Some(
                self.jlis
                    .issue(
                        person,
                        CertKind::Sign,
                        spec.issued,
                        cert_expiry,
                        cause,
                        Some(subject),
                    )
                    .map_err(jlis_err)?,
            )
        } else {
            None
        };
        let auth_serial = self.cert_serial(auth)?;
        let id = CardId(self.cards.len() as u32);
        let code = self.seed.draw("security_code", id.0 as u64) % 10_000;
        self.cards.push(Card {
            id,
            person,
            issued: spec.issued,
            expires: card_expiry,
            auth_cert: auth,
            sign_cert: sign,
            status: CardStatus::Active,
            pins: CardPins::new(&spec.auth_pin, &spec.sign_pin, &format!("{code:04}")),
            photo_template: face,
            face_failures: 0,
            face_locked: false,
            challenges_drawn: 0,
        });
        self.people[person.index()].cards.push(id);
        let now = self.clock.now();
        self.trace.push(
            now,
            Actor::Jlis,
            Actor::Card,
            "jlis.issue",
            Some(person),
            || format!("card issued ({cause:?}), auth serial {auth_serial}"),
        );
        Ok(id)
    }

    /// Adds a qualification record.
    pub fn add_qualification(
        &mut self,
        spec: QualificationSpec,
    ) -> Result<QualificationId, WorldError> {
        let insurer = self
            .insurers
            .get(spec.numbers.insurer.index())
            .ok_or_else(|| WorldError::Invalid(format!("no insurer {:?}", spec.numbers.insurer)))?;
        if spec.person.index() >= self.people.len() {
            return Err(WorldError::Invalid(format!("no person {:?}", spec.person)));
        }
        let branch = &spec.numbers.branch;
        if branch.len() != 2 || !branch.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WorldError::Invalid(format!(
                "枝番 must be 2 digits, got `{branch}`"
            )));
        }
        if let Some((lost, _)) = spec.lost
            && lost <= spec.acquired
        {
            return Err(WorldError::Invalid(format!(
                "資格喪失 {lost} is not after 資格取得 {}",
                spec.acquired
            )));
        }
        let lag = crate::clock::Span::new().days(i64::from(insurer.registration_lag_days));
        let registered_on = spec
            .registered_on
            .or_else(|| spec.acquired.checked_add(lag).ok());
        let loss_registered_on = spec.lost.and_then(|(l, _)| l.checked_add(lag).ok());
        let id = QualificationId(self.quals.len() as u32);
        self.by_number
            .entry((insurer.number, spec.numbers.number.clone()))
            .or_default()
            .push(id);
        self.quals.push(Qualification {
            id,
            person: spec.person,
            numbers: spec.numbers,
            relation: spec.relation,
            insured_name: None,
            acquired: spec.acquired,
            lost: spec.lost,
            registered_on,
            loss_registered_on,
            copay_override: spec.copay_override,
            limits: spec.limits,
            designated_diseases: spec.designated_diseases,
            income: spec.income,
            linked_person: spec.person,
            flagged_on: None,
        });
        self.person_quals[spec.person.index()].push(id);
        Ok(id)
    }

    /// Registers `person`'s current card for insurance use at `at` (setup of past events, or now).
    pub fn register_for_insurance(
        &mut self,
        person: PersonId,
        channel: Channel,
        at: Moment,
    ) -> Result<bool, WorldError> {
        let serial = self.current_auth_serial(person)?;
        let parts = self.parts(at);
        Ok(parts
            .registry
            .register(&parts.view, parts.trace, person, serial, channel))
    }

    /// The serial of the auth certificate on the person's current card.
    pub fn current_auth_serial(&self, person: PersonId) -> Result<crate::ids::Serial, WorldError> {
        let card = self.current_card(person)?;
        self.cert_serial(card.auth_cert)
    }

    /// The person's current card.
    pub fn current_card(&self, person: PersonId) -> Result<&Card, WorldError> {
        let p = self
            .people
            .get(person.index())
            .ok_or_else(|| WorldError::Invalid(format!("no person {person:?}")))?;
        let c = p.current_card().ok_or_else(|| WorldError::NoCard {
            person: p.key.clone(),
            why: "no card was issued".into(),
        })?;
        Ok(&self.cards[c.index()])
    }

    /// Revokes a certificate if it is not already revoked.
    fn revoke_if_valid(&mut self, cert: CertId, reason: RevocationReason) {
        let today = self.clock.today();
        let Ok(record) = self.jlis.record(cert) else {
            return;
        };
        let (serial, person) = (record.serial(), record.person());
        if matches!(
            self.jlis.status(serial, today),
            crate::jlis::CertStatus::Valid { .. } | crate::jlis::CertStatus::Expired { .. }
        ) && self.jlis.revoke(cert, reason, today).is_ok()
        {
            self.trace.push(
                self.clock.now(),
                Actor::Jlis,
                Actor::Jlis,
                "jlis.revoke",
                Some(person),
                || format!("serial {serial} revoked ({reason:?})"),
            );
        }
    }

    /// The serial of a certificate the world issued.
    pub fn cert_serial(&self, cert: CertId) -> Result<crate::ids::Serial, WorldError> {
        self.jlis.record(cert).map(|r| r.serial()).map_err(jlis_err)
    }

    /// Counts for a summary line.
    pub fn summary(&self) -> WorldSummary {
        WorldSummary {
            now: self.clock.now().to_string(),
            people: self.people.len(),
            cards: self.cards.len(),
            certificates: self.jlis.len(),
            insurers: self.insurers.len(),
            qualifications: self.quals.len(),
            institutions: self.institutions.len(),
            registrations: self.registry.counts().values().sum(),
            trace_messages: self.trace.entries().len(),
        }
    }
}

fn jlis_err(e: crate::jlis::JlisError) -> WorldError {
    WorldError::Jlis(e.to_string())
}

/// Counts describing a world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorldSummary {
    /// Scenario time.
    pub now: String,
    /// People.
    pub people: usize,
    /// Cards.
    pub cards: usize,
    /// Certificates issued by J-LIS.
    pub certificates: usize,
    /// Insurers.
    pub insurers: usize,
    /// Qualification records.
    pub qualifications: usize,
    /// Institutions.
    pub institutions: usize,
    /// People registered for insurance use.
    pub registrations: u64,
    /// Messages in the trace.
    pub trace_messages: usize,
}

impl World {
    /// A card confirmation from a terminal under test: the certificate it read and the card's
    /// signature over a challenge are checked first (what the terminal did wrong is the
    /// error), then the registry answers as for [`World::confirm_card`].
    pub fn confirm_card_signed(
        &mut self,
        req: &crate::registry::terminal::SignedCardConfirm,
    ) -> Result<crate::registry::Answer, crate::registry::terminal::TerminalRejection> {
        let now = self.clock.now();
        let checked =
            crate::registry::terminal::check_signed_request(&self.jlis, &mut self.challenges, req);
        let person = checked
            .as_ref()
            .ok()
            .and_then(|s| self.jlis.lookup(*s))
            .and_then(|c| self.jlis.record(c).ok())
            .map(|r| r.person());
        self.trace.push(
            now,
            crate::trace::Actor::Reader,
            crate::trace::Actor::Registry,
            "terminal.confirm",
            person,
            || match (&checked, &req.proof) {
                (Ok(serial), crate::registry::terminal::TerminalProof::Pin { .. }) => {
                    format!("signed confirmation, serial {serial}")
                }
                // No card signature: the registry trusts the face-authentication reader.
                (Ok(serial), crate::registry::terminal::TerminalProof::Face) => {
                    format!("face confirmation (no signature), serial {serial}")
                }
                (Err(e), _) => format!("rejected: {e}"),
            },
        );
        let serial = checked?;
        Ok(self.confirm_card(crate::registry::CardConfirm {
            serial,
            institution: req.institution,
            date: req.date,
            limit_consent: req.limit_consent,
            disease_consent: req.disease_consent,
        }))
    }

    /// Keeps (or stops keeping) what the registry answers to the clinics' terminals from now
    /// on, for [`World::take_exchanges`]; off by default.
    pub fn keep_exchanges(&mut self, on: bool) {
        self.registry.exchanges_mut().keep(on);
    }

    /// The clinics' exchanges with the registry since the last call, oldest first: card
    /// confirmations, confirmations by numbers with their requests, data requests with what
    /// was handed out (empty unless [`World::keep_exchanges`] is on).
    pub fn take_exchanges(&mut self) -> Vec<crate::registry::ClinicExchange> {
        self.registry.exchanges_mut().take()
    }

    /// Keeps, with each exchange, the registry feed's facts as they stood when it was asked
    /// (for [`World::take_exchanges_with_facts`]; exchanges must be kept too).
    pub fn keep_exchange_facts(&mut self, on: bool) {
        self.registry.exchanges_mut().keep_facts(on);
    }

    /// [`World::take_exchanges`], each with the feed's facts of its moment.
    pub fn take_exchanges_with_facts(
        &mut self,
    ) -> Vec<(
        crate::registry::ClinicExchange,
        Option<Box<crate::registry::feed::Facts>>,
    )> {
        self.registry.exchanges_mut().take_with_facts()
    }

    /// The registry feed's facts now ([`crate::feed`]).
    pub fn feed_facts(&self) -> crate::registry::feed::Facts {
        crate::registry::feed::Facts::of(&self.view(), &self.registry)
    }

    /// Asks the registry directly, as a reader would after verification (benchmarks, the
    /// terminal role and tests that skip the reader).
    pub fn confirm_card(&mut self, req: crate::registry::CardConfirm) -> crate::registry::Answer {
        let parts = self.parts(self.clock.now());
        parts.registry.confirm_card(&parts.view, parts.trace, req)
    }

    /// Asks the registry for optional data and returns the items themselves (the wire layer
    /// writes them into YZK/TKK results); the consent rules are those of
    /// [`Event::FetchData`].
    pub fn fetch_data(
        &mut self,
        person: PersonId,
        institution: InstitutionId,
        kind: crate::rules::DataKind,
    ) -> Result<crate::registry::DataPayload, crate::registry::DataDenied> {
        let parts = self.parts(self.clock.now());
        parts
            .registry
            .fetch_for_institution(&parts.view, parts.trace, person, institution, kind)
    }
}
