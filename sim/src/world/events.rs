//! Events that move the world, and what they return.

use serde::Serialize;

use crate::card::CardStatus;
use crate::clock::{Date, Moment, Span};
use crate::ids::{InstitutionId, InsurerId, PersonId, QualificationId};
use crate::insurer::{LossReason, Relation};
use crate::jlis::{CertKind, IssueCause, RevocationReason};
use crate::portal::{PortalError, PortalView, ProxyGrant};
use crate::provider::{Fee, VisitRecord};
use crate::reader::{self, Attempt, ConsentAnswers, ConsentOutcome, Verification};
use crate::registry::{
    Answer, CardConfirm, Channel, Checkup, DataDenied, MedicalRecord, NumberConfirm, Outage,
    Refusal,
};
use crate::rules::{CareMode, ConsentItem, DataKind};
use crate::trace::Actor;

use super::{CardSpec, QualificationSpec, World, WorldError};

/// What the patient presents at the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presentation {
    /// The My Number card on the reader.
    Card,
    /// A paper 資格確認書 (or 資格情報のお知らせ): the clinic confirms by numbers (REG-9).
    EligibilityCertificate,
    /// The holder's previous card, kept after a reissue (再交付): the reader can still read
    /// it, and the registry refuses its revoked certificate (CARD-8).
    PreviousCard,
}

/// A visit to a clinic or pharmacy.
#[derive(Clone, Debug)]
pub struct VisitSpec {
    /// The patient.
    pub person: PersonId,
    /// Where.
    pub institution: InstitutionId,
    /// What they present.
    pub presentation: Presentation,
    /// Identity-verification attempts at the reader, in order.
    pub verify: Vec<Attempt>,
    /// The answer to the registration prompt, if it appears (None: 登録せずに終了).
    pub register_if_prompted: bool,
    /// Consent answers.
    pub consent: ConsentAnswers,
    /// 診療区分.
    pub care: CareMode,
    /// 資格確認日 when not today.
    pub confirmation_date: Option<Date>,
    /// The visit's fee.
    pub fee: Option<Fee>,
}

impl VisitSpec {
    /// The patient's answer to sharing 限度額 data on a paper 資格確認書 visit (the
    /// LimitApplicationCertificateRelatedConsFlg of the confirmation by numbers): the scenario's
    /// `limit_info` answer, else consent.
    pub fn paper_limit_consent(&self) -> bool {
        self.consent
            .items
            .get(&ConsentItem::LimitInfo)
            .copied()
            .unwrap_or(true)
    }
}

/// One event.
#[derive(Clone, Debug)]
pub enum Event {
    /// Moves the clock forward.
    Advance(Span),
    /// Moves the clock to a time.
    AdvanceTo(Moment),
    /// 紛失届: the card's certificates are revoked.
    CardLost {
        /// Whose.
        person: PersonId,
    },
    /// 再交付: a new card with new certificates; the old ones are revoked (CARD-8).
    CardReissue {
        /// Whose.
        person: PersonId,
        /// New auth PIN (default: the old one).
        auth_pin: Option<String>,
    },
    /// 電子証明書の更新: a new auth certificate on the same card (CARD-8).
    CertificateRenewal {
        /// Whose.
        person: PersonId,
    },
    /// 返納.
    CardReturned {
        /// Whose.
        person: PersonId,
    },
    /// 暗証番号の初期化 at the municipal office: unblocks the PIN and the face lock.
    PinReset {
        /// Whose.
        person: PersonId,
    },
    /// 転居: address change. The auth certificate survives; the signature certificate is revoked.
    Move {
        /// Who.
        person: PersonId,
        /// New address.
        address: String,
    },
    /// 就職・転職: the old qualification ends on `on`, the new one starts on `on`, each reaching the
    /// registry after its insurer's lag unless overridden (REG-5).
    JobChange {
        /// Who.
        person: PersonId,
        /// First day with the new insurer (= 資格喪失日 of the old one).
        on: Date,
        /// New insurer.
        to: InsurerId,
        /// New 記号.
        symbol: Option<String>,
        /// New 番号.
        number: String,
        /// New 枝番.
        branch: String,
        /// Days until the new record reaches the registry (default: the insurer's lag).
        lag_days: Option<u32>,
        /// Days until the old insurer's 喪失 reaches the registry (default: its lag).
        old_lag_days: Option<u32>,
    },
    /// 資格喪失 without a new qualification.
    LoseQualification {
        /// Who.
        person: PersonId,
        /// 資格喪失日.
        on: Date,
        /// 事由.
        reason: LossReason,
    },
    /// 健康保険証利用登録 by app or ATM (the reader channel happens inside a visit).
    Register {
        /// Who.
        person: PersonId,
        /// How.
        channel: Channel,
    },
    /// A visit.
    Visit(Box<VisitSpec>),
    /// A provider asks by insurance numbers directly.
    ConfirmByNumbers(Box<NumberConfirm>),
    /// A provider asks for optional data.
    FetchData {
        /// Patient.
        person: PersonId,
        /// Institution.
        institution: InstitutionId,
        /// What.
        kind: DataKind,
    },
    /// マイナポータル account registration.
    PortalAccount {
        /// Who.
        person: PersonId,
    },
    /// マイナポータル view.
    PortalView {
        /// Who looks.
        viewer: PersonId,
        /// Whose data.
        subject: PersonId,
        /// What.
        kind: DataKind,
    },
    /// A proxy grant.
    GrantProxy(ProxyGrant),
    /// Schedules an outage.
    Outage(Outage),
    /// Adds a レセプト / e-prescription record.
    AddMedicalRecord {
        /// Whose.
        person: PersonId,
        /// The record.
        record: MedicalRecord,
    },
    /// Adds a checkup result.
    AddCheckup {
        /// Whose.
        person: PersonId,
        /// The result.
        checkup: Checkup,
    },
    /// Registers a 照会番号.
    SetReferenceNumber {
        /// Institution.
        institution: InstitutionId,
        /// Qualification.
        qualification: QualificationId,
        /// The clinic's number.
        number: String,
    },
}

/// What a visit did.
#[derive(Default, Clone, Debug, Serialize)]
pub struct VisitOutcome {
    /// Reader verification (None when a paper certificate was presented).
    pub verification: Option<Verification>,
    /// Whether the registration prompt appeared, and the answer.
    pub registration_prompt: Option<bool>,
    /// Consent screens (None when skipped).
    pub consent: Option<ConsentOutcome>,
    /// The registry's answer (None when verification failed).
    pub answer: Option<Answer>,
    /// What the reference provider recorded.
    pub record: Option<VisitRecord>,
    /// Optional data the reference provider asked for: (kind, items or refusal).
    pub fetched: Vec<(DataKind, Result<usize, DataDenied>)>,
}

/// What an event returned.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing to report.
    Done,
    /// A visit.
    Visit(Box<VisitOutcome>),
    /// A confirmation answer.
    Answer(Box<Answer>),
    /// Whether a registration changed anything.
    Registered {
        /// false when the serial was already registered.
        changed: bool,
    },
    /// Optional data.
    Data(Result<usize, DataDenied>),
    /// A portal view.
    Portal(Result<PortalView, PortalError>),
}

impl World {
    /// Applies one event.
    pub fn apply(&mut self, event: Event) -> Result<Outcome, WorldError> {
        let today = self.clock.today();
        match event {
            Event::Advance(span) => {
                self.clock.advance(span)?;
                self.retry_later_confirmations();
                Ok(Outcome::Done)
            }
            Event::AdvanceTo(m) => {
                self.clock.advance_to(m)?;
                self.retry_later_confirmations();
                Ok(Outcome::Done)
            }
            Event::CardLost { person } => {
                let card = self.active_card(person)?;
                self.cards[card.index()].status = CardStatus::Lost { on: today };
                self.trace.push(
                    self.clock.now(),
                    Actor::Person,
                    Actor::Municipality,
                    "card.lost",
                    Some(person),
                    || "紛失届".into(),
                );
                self.revoke_card_certs(card, RevocationReason::KeyCompromise);
                Ok(Outcome::Done)
            }
            Event::CardReissue { person, auth_pin } => {
                let old = self.current_card(person)?.id;
                let pins = self.cards[old.index()].pins.clone();
                if self.cards[old.index()].status == CardStatus::Active {
                    self.cards[old.index()].status = CardStatus::Replaced { on: today };
                }
                self.revoke_card_certs(old, RevocationReason::Superseded);
                let spec = CardSpec {
                    issued: today,
                    auth_pin: auth_pin.unwrap_or(pins.auth),
                    sign_pin: pins.sign,
                };
                self.trace.push(
                    self.clock.now(),
                    Actor::Person,
                    Actor::Municipality,
                    "card.reissue",
                    Some(person),
                    || "再交付申請".into(),
                );
                self.issue_card_with(person, &spec, IssueCause::CardReissue)?;
                Ok(Outcome::Done)
            }
            Event::CertificateRenewal { person } => {
                let card = self.active_card(person)?;
                let old = self.cards[card.index()].auth_cert;
                let birth = self.people[person.index()].birth;
                let old_expiry = self
                    .jlis
                    .record(old)
                    .map(|r| r.not_after())
                    .map_err(|e| WorldError::Jlis(e.to_string()))?;
                let expiry = self
                    .rules
                    .renewed_auth_cert_expiry(
                        today,
                        birth,
                        old_expiry,
                        self.cards[card.index()].expires,
                    )
                    .map_err(|e| WorldError::Rule(e.to_string()))?;
                let new = self
                    .jlis
                    .issue(
                        person,
                        CertKind::Auth,
                        today,
                        expiry,
                        IssueCause::Renewal,
                        None,
                    )
                    .map_err(|e| WorldError::Jlis(e.to_string()))?;
                self.cards[card.index()].auth_cert = new;
                self.revoke_if_valid(old, RevocationReason::Superseded);
                let serial = self.cert_serial(new)?;
                self.trace.push(
                    self.clock.now(),
                    Actor::Jlis,
                    Actor::Card,
                    "jlis.renew",
                    Some(person),
                    || format!("電子証明書更新: new auth serial {serial}"),
                );
                Ok(Outcome::Done)
            }
            Event::CardReturned { person } => {
                let card = self.active_card(person)?;
                self.cards[card.index()].status = CardStatus::Returned { on: today };
                self.revoke_card_certs(card, RevocationReason::CessationOfOperation);
                Ok(Outcome::Done)
            }
            Event::PinReset { person } => {
                let card = self.current_card(person)?.id;
                let c = &mut self.cards[card.index()];
                c.pins.reset_counters();
                c.face_failures = 0;
                c.face_locked = false;
                self.trace.push(
                    self.clock.now(),
                    Actor::Municipality,
                    Actor::Card,
                    "card.pin_reset",
                    Some(person),
                    || "暗証番号初期化".into(),
                );
                Ok(Outcome::Done)
            }
            Event::Move { person, address } => {
                self.people
                    .get_mut(person.index())
                    .ok_or_else(|| WorldError::Invalid(format!("no person {person:?}")))?
                    .address = address;
                if let Ok(card) = self.active_card(person)
                    && let Some(sign) = self.cards[card.index()].sign_cert
                {
                    self.revoke_if_valid(sign, RevocationReason::AffiliationChanged);
                }
                Ok(Outcome::Done)
            }
            Event::JobChange {
                person,
                on,
                to,
                symbol,
                number,
                branch,
                lag_days,
                old_lag_days,
            } => {
                self.job_change(
                    person,
                    on,
                    to,
                    symbol,
                    number,
                    branch,
                    lag_days,
                    old_lag_days,
                )?;
                Ok(Outcome::Done)
            }
            Event::LoseQualification { person, on, reason } => {
                let q = self.view().current_qualification(person).ok_or_else(|| {
                    WorldError::Invalid("no current qualification to lose".into())
                })?;
                let lag =
                    self.insurers[self.quals[q.index()].insurer.index()].registration_lag_days;
                self.end_qualification(q, on, reason, lag)?;
                Ok(Outcome::Done)
            }
            Event::Register { person, channel } => {
                let serial = self.current_auth_serial(person)?;
                let now = self.clock.now();
                let parts = self.parts(now);
                parts.trace.push(
                    now,
                    Actor::Person,
                    Actor::Portal,
                    "portal.register_insurance_use",
                    Some(person),
                    || format!("{channel:?}"),
                );
                let changed =
                    parts
                        .registry
                        .register(&parts.view, parts.trace, person, serial, channel);
                if channel == Channel::PortalApp && parts.portal.account(person).is_none() {
                    // The app registers the portal account alongside (leaflet STEP3).
                    let _ = parts.portal.register_account(
                        &parts.view,
                        parts.trace,
                        parts.registry,
                        person,
                        serial,
                    );
                }
                Ok(Outcome::Registered { changed })
            }
            Event::Visit(spec) => self.visit(*spec).map(|v| Outcome::Visit(Box::new(v))),
            Event::ConfirmByNumbers(req) => {
                let parts = self.parts(self.clock.now());
                let a = parts
                    .registry
                    .confirm_numbers(&parts.view, parts.trace, &req);
                Ok(Outcome::Answer(Box::new(a)))
            }
            Event::FetchData {
                person,
                institution,
                kind,
            } => {
                let parts = self.parts(self.clock.now());
                let r = parts
                    .registry
                    .fetch_for_institution(&parts.view, parts.trace, person, institution, kind)
                    .map(|p| p.len());
                Ok(Outcome::Data(r))
            }
            Event::PortalAccount { person } => {
                let serial = self.current_auth_serial(person)?;
                let parts = self.parts(self.clock.now());
                let r = parts.portal.register_account(
                    &parts.view,
                    parts.trace,
                    parts.registry,
                    person,
                    serial,
                );
                Ok(Outcome::Portal(r.map(|()| PortalView::Records(Vec::new()))))
            }
            Event::PortalView {
                viewer,
                subject,
                kind,
            } => {
                let parts = self.parts(self.clock.now());
                Ok(Outcome::Portal(parts.portal.view(
                    &parts.view,
                    parts.trace,
                    parts.registry,
                    viewer,
                    subject,
                    kind,
                )))
            }
            Event::GrantProxy(g) => {
                self.portal.grant_proxy(g);
                Ok(Outcome::Done)
            }
            Event::Outage(o) => {
                if o.until <= o.from {
                    return Err(WorldError::Invalid(
                        "an outage must end after it starts".into(),
                    ));
                }
                self.registry.schedule_outage(o);
                Ok(Outcome::Done)
            }
            Event::AddMedicalRecord { person, record } => {
                self.registry.add_medical_record(person, record);
                Ok(Outcome::Done)
            }
            Event::AddCheckup { person, checkup } => {
                self.registry.add_checkup(person, checkup);
                Ok(Outcome::Done)
            }
            Event::SetReferenceNumber {
                institution,
                qualification,
                number,
            } => {
                self.registry
                    .set_reference_number(institution, qualification, number);
                Ok(Outcome::Done)
            }
        }
    }

    fn active_card(&self, person: PersonId) -> Result<crate::ids::CardId, WorldError> {
        let card = self.current_card(person)?;
        if card.status != CardStatus::Active {
            return Err(WorldError::NoCard {
                person: self.people[person.index()].key.clone(),
                why: format!("the current card is {:?}", card.status),
            });
        }
        Ok(card.id)
    }

    /// The card a visitor puts on the reader. A card reported lost (紛失届) and found again
    /// can be presented: its certificates stay revoked, so the registry refuses it. A returned
    /// card (返納) is no longer in the holder's hands.
    pub fn presented_card(
        &self,
        person: PersonId,
        presentation: Presentation,
    ) -> Result<crate::ids::CardId, WorldError> {
        let p = &self.people[person.index()];
        let id = match presentation {
            Presentation::PreviousCard => p
                .cards
                .len()
                .checked_sub(2)
                .and_then(|i| p.cards.get(i))
                .copied()
                .ok_or_else(|| WorldError::NoCard {
                    person: p.key.clone(),
                    why: "there is no previous card (no reissue yet)".into(),
                })?,
            _ => self.current_card(person)?.id,
        };
        let card = &self.cards[id.index()];
        if let CardStatus::Returned { on } = card.status {
            return Err(WorldError::NoCard {
                person: p.key.clone(),
                why: format!("the card was returned (返納) on {on}"),
            });
        }
        Ok(id)
    }

    /// PRV-7: the reference provider confirms, as soon as the registry answers again, every
    /// visit it settled on paper during an outage. It confirms by the insurance numbers on the
    /// patient's paper 資格確認書 (the 資格 that covered the visit date), as of the visit date.
    /// The window payment already taken is not recomputed (a real clinic settles any
    /// difference at the next visit); the record keeps the answer's 資格有効性 and numbers.
    fn retry_later_confirmations(&mut self) {
        if !self.reference_provider {
            return;
        }
        let now = self.clock.now();
        if self.registry.outage_at(now).is_some() {
            return;
        }
        let pending: Vec<usize> = self
            .provider
            .visits
            .iter()
            .filter(|r| r.confirm_later && r.confirmed_later.is_none())
            .map(|r| r.seq)
            .collect();
        for seq in pending {
            let rec = &self.provider.visits[seq];
            let (person, institution, date) = (rec.person, rec.institution, rec.date);
            let qual = self.person_quals[person.index()]
                .iter()
                .rev()
                .map(|q| &self.quals[q.index()])
                .find(|q| q.covers(date));
            let Some(qual) = qual else {
                self.provider.visits[seq].notes.push(
                    "後日確認: no 資格確認書 numbers to confirm with (no 資格 on the visit date)"
                        .into(),
                );
                self.provider.visits[seq].confirm_later = false;
                continue;
            };
            let req = NumberConfirm {
                institution,
                date,
                insurer_number: self.insurers[qual.insurer.index()].number,
                symbol: qual.symbol.clone(),
                number: qual.number.clone(),
                branch: Some(qual.branch.clone()),
                birth: self.people[person.index()].birth,
                limit_consent: false,
            };
            let parts = self.parts(now);
            parts.trace.push(
                now,
                Actor::Provider,
                Actor::Registry,
                "provider.retry",
                Some(person),
                || format!("後日確認: visit of {date}, confirmed by numbers"),
            );
            let answer = parts
                .registry
                .confirm_numbers(&parts.view, parts.trace, &req);
            let item = answer
                .refusal()
                .is_none()
                .then(|| answer.results.first())
                .flatten()
                .map(|item| {
                    let q = &parts.view.quals[item.qualification.index()];
                    (
                        item.qualification,
                        parts.view.insurers[q.insurer.index()].number.digits(),
                        q.symbol.clone(),
                        q.number.clone(),
                        q.branch.clone(),
                    )
                });
            let rec = &mut parts.provider.visits[seq];
            rec.confirm_later = false;
            rec.confirmed_later = Some(crate::provider::LaterConfirmation {
                on: now.date(),
                validity: answer.validity,
            });
            rec.notes.push(format!(
                "後日確認 {}: 資格有効性 {:?}",
                now.date(),
                answer.validity
            ));
            if let Some((q, insurer, symbol, number, branch)) = item {
                rec.qualification = Some(q);
                rec.insurer_number = Some(insurer);
                rec.symbol = symbol;
                rec.number = Some(number);
                rec.branch = Some(branch);
            }
        }
    }

    fn revoke_card_certs(&mut self, card: crate::ids::CardId, reason: RevocationReason) {
        let (auth, sign) = (
            self.cards[card.index()].auth_cert,
            self.cards[card.index()].sign_cert,
        );
        self.revoke_if_valid(auth, reason);
        if let Some(s) = sign {
            self.revoke_if_valid(s, reason);
        }
    }

    fn end_qualification(
        &mut self,
        q: QualificationId,
        on: Date,
        reason: LossReason,
        lag_days: u32,
    ) -> Result<(), WorldError> {
        let qual = &mut self.quals[q.index()];
        if on <= qual.acquired {
            return Err(WorldError::Invalid(format!(
                "資格喪失 {on} is not after 資格取得 {}",
                qual.acquired
            )));
        }
        qual.lost = Some((on, reason));
        qual.loss_registered_on = on.checked_add(Span::new().days(i64::from(lag_days))).ok();
        let person = qual.person;
        self.trace.push(
            self.clock.now(),
            Actor::Insurer,
            Actor::Registry,
            "insurer.loss",
            Some(person),
            || format!("資格喪失 {on} ({reason:?}), reaches the registry after {lag_days} day(s)"),
        );
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn job_change(
        &mut self,
        person: PersonId,
        on: Date,
        to: InsurerId,
        symbol: Option<String>,
        number: String,
        branch: String,
        lag_days: Option<u32>,
        old_lag_days: Option<u32>,
    ) -> Result<(), WorldError> {
        let old = self.person_quals.get(person.index()).and_then(|qs| {
            qs.iter()
                .rev()
                .copied()
                .find(|q| self.quals[q.index()].covers(on.yesterday().unwrap_or(on)))
        });
        if let Some(old) = old {
            let old_lag = old_lag_days.unwrap_or(
                self.insurers[self.quals[old.index()].insurer.index()].registration_lag_days,
            );
            self.end_qualification(old, on, LossReason::OtherInsurance, old_lag)?;
        }
        let insurer = self
            .insurers
            .get(to.index())
            .ok_or_else(|| WorldError::Invalid(format!("no insurer {to:?}")))?;
        let lag = lag_days.unwrap_or(insurer.registration_lag_days);
        let registered_on = on.checked_add(Span::new().days(i64::from(lag))).ok();
        self.add_qualification(QualificationSpec {
            person,
            insurer: to,
            symbol,
            number,
            branch,
            relation: Relation::Insured,
            acquired: on,
            lost: None,
            registered_on,
            copay_override: None,
            limits: Vec::new(),
            designated_diseases: Vec::new(),
        })?;
        self.trace.push(
            self.clock.now(),
            Actor::Insurer,
            Actor::Registry,
            "insurer.enrol",
            Some(person),
            || format!("資格取得 {on}, reaches the registry after {lag} day(s)"),
        );
        Ok(())
    }

    fn visit(&mut self, spec: VisitSpec) -> Result<VisitOutcome, WorldError> {
        let now = self.clock.now();
        let date = spec.confirmation_date.unwrap_or(now.date());
        let mut out = VisitOutcome::default();
        if spec.presentation == Presentation::EligibilityCertificate {
            let q = self
                .view()
                .current_qualification(spec.person)
                .ok_or_else(|| {
                    WorldError::Invalid("a 資格確認書 needs a current qualification".into())
                })?;
            let qual = &self.quals[q.index()];
            let req = NumberConfirm {
                institution: spec.institution,
                date,
                insurer_number: self.insurers[qual.insurer.index()].number,
                symbol: qual.symbol.clone(),
                number: qual.number.clone(),
                branch: Some(qual.branch.clone()),
                birth: self.people[spec.person.index()].birth,
                limit_consent: spec.paper_limit_consent(),
            };
            let parts = self.parts(now);
            parts.trace.push(
                now,
                Actor::Person,
                Actor::Provider,
                "provider.eligibility_certificate",
                Some(spec.person),
                || "資格確認書を提示".into(),
            );
            let answer = parts
                .registry
                .confirm_numbers(&parts.view, parts.trace, &req);
            self.settle(&spec, &answer, &mut out);
            out.answer = Some(answer);
            return Ok(out);
        }
        let card_id = self.presented_card(spec.person, spec.presentation)?;
        // 1. Identity at the reader (the card photo against the camera, or the PIN).
        let verification = {
            let switches = self.rules.switches().clone();
            reader::verify(&mut self.cards[card_id.index()], &spec.verify, &switches)
        };
        for a in &verification.attempts {
            self.trace.push(
                now,
                Actor::Person,
                Actor::Reader,
                "reader.verify",
                Some(spec.person),
                || format!("{a:?}"),
            );
        }
        let verified = verification.method;
        out.verification = Some(verification);
        if verified.is_none() {
            self.trace.push(
                now,
                Actor::Reader,
                Actor::Provider,
                "reader.verification_failed",
                Some(spec.person),
                || "本人確認できませんでした".into(),
            );
            return Ok(out);
        }
        // 2. The reader reads the auth certificate (never the input-support AP).
        let card = &self.cards[card_id.index()];
        let cert = card.auth_cert;
        let record = self
            .jlis
            .record(cert)
            .map_err(|e| WorldError::Jlis(e.to_string()))?;
        let (serial, expiry) = (record.serial(), record.not_after());
        self.trace.push(
            now,
            Actor::Reader,
            Actor::Card,
            "card.read_auth_certificate",
            Some(spec.person),
            || format!("serial {serial}"),
        );
        if verified == Some(reader::Method::Pin) {
            self.trace.push(
                now,
                Actor::Reader,
                Actor::Card,
                "card.sign",
                Some(spec.person),
                || "利用者証明用 signature after PIN".into(),
            );
        }
        // 3. Registration prompt when the serial carries no registration (RDR-3).
        let parts = self.parts(now);
        let needs_probe = parts.registry.link(serial).is_none_or(|l| l.superseded)
            && parts.registry.outage_at(now).is_none();
        if needs_probe
            && parts
                .registry
                .probe_registration(&parts.view, parts.trace, serial)
                == Err(Refusal::NotRegistered)
        {
            parts.trace.push(
                now,
                Actor::Reader,
                Actor::Person,
                "reader.registration_prompt",
                Some(spec.person),
                || reader::REGISTRATION_PROMPT.into(),
            );
            out.registration_prompt = Some(spec.register_if_prompted);
            if spec.register_if_prompted {
                parts.registry.register(
                    &parts.view,
                    parts.trace,
                    spec.person,
                    serial,
                    Channel::Reader,
                );
            }
        }
        // 4. Consent screens of the day (none in the certificate grace period, RDR-5).
        let in_grace = date > expiry;
        let institution = parts
            .view
            .institution(spec.institution)
            .ok_or_else(|| WorldError::Invalid(format!("no institution {:?}", spec.institution)))?;
        let registered = parts.registry.link(serial).is_some_and(|l| !l.superseded);
        let mut limit_flag = false;
        let mut disease_flag = false;
        if registered {
            let plan = parts.view.rules.consent_plan(
                date,
                parts.view.people[spec.person.index()].birth,
                &institution.settings,
                in_grace,
            );
            if in_grace {
                parts.trace.push(
                    now,
                    Actor::Reader,
                    Actor::Person,
                    "reader.grace_notice",
                    Some(spec.person),
                    || reader::GRACE_MESSAGE.into(),
                );
            }
            let consent = reader::run_consent(&plan, &spec.consent);
            for item in &consent.shown {
                let granted = consent.granted(*item);
                parts.trace.push(
                    now,
                    Actor::Reader,
                    Actor::Person,
                    "reader.consent_screen",
                    Some(spec.person),
                    || {
                        format!(
                            "{item:?}: {}",
                            if granted {
                                "同意する"
                            } else {
                                "同意しない"
                            }
                        )
                    },
                );
            }
            limit_flag = consent.granted(ConsentItem::LimitInfo)
                || consent
                    .provided_without_consent
                    .contains(&ConsentItem::LimitInfo);
            disease_flag = consent.granted(ConsentItem::SpecificDisease);
            let medical: Vec<(ConsentItem, bool)> = consent
                .decisions
                .iter()
                .copied()
                .filter(|(i, _)| i.is_medical())
                .collect();
            if !medical.is_empty() {
                parts.registry.record_consents(
                    &parts.view,
                    parts.trace,
                    spec.person,
                    spec.institution,
                    &medical,
                    spec.care,
                );
            }
            out.consent = Some(consent);
        }
        // 5. The confirmation itself.
        let answer = parts.registry.confirm_card(
            &parts.view,
            parts.trace,
            CardConfirm {
                serial,
                institution: spec.institution,
                date,
                limit_consent: limit_flag,
                disease_consent: disease_flag,
            },
        );
        if answer.expiry_notice.is_some() {
            parts.trace.push(
                now,
                Actor::Reader,
                Actor::Person,
                "reader.expiry_notice",
                Some(spec.person),
                || "電子証明書の有効期限が近づいています／切れています".into(),
            );
        }
        self.settle(&spec, &answer, &mut out);
        out.answer = Some(answer);
        Ok(out)
    }

    /// The reference provider settles the visit and fetches consented data (PRV-1..7).
    /// A visit whose reader part happened outside the world (a terminal under test read the
    /// card and asked the registry): the reference provider settles `answer` as it would after
    /// its own reader, and the outcome carries the answer but no reader verification.
    pub fn settle_answer(&mut self, spec: &VisitSpec, answer: Answer) -> VisitOutcome {
        let mut out = VisitOutcome::default();
        self.settle(spec, &answer, &mut out);
        out.answer = Some(answer);
        out
    }

    fn settle(&mut self, spec: &VisitSpec, answer: &Answer, out: &mut VisitOutcome) {
        if !self.reference_provider {
            return;
        }
        let now = self.clock.now();
        let parts = self.parts(now);
        let record = parts.provider.settle(
            &parts.view,
            spec.person,
            spec.institution,
            answer,
            spec.fee,
            spec.care,
        );
        let settings = parts
            .view
            .institution(spec.institution)
            .map(|i| i.settings.clone());
        if let Some(item) = answer.results.first()
            && answer.refusal().is_none()
            && let Some(settings) = settings
        {
            for flag in &item.consents {
                let kind = match flag.item {
                    ConsentItem::Medication => DataKind::Medication,
                    ConsentItem::Treatment => DataKind::Treatment,
                    ConsentItem::Surgery => DataKind::Surgery,
                    ConsentItem::Checkup => DataKind::Checkup,
                    _ => continue,
                };
                // PRV-3: only what the patient consented to, only while the consent is valid.
                if flag.status != 1 || !settings.shows(flag.item) {
                    continue;
                }
                let r = parts.registry.fetch_for_institution(
                    &parts.view,
                    parts.trace,
                    spec.person,
                    spec.institution,
                    kind,
                );
                out.fetched.push((kind, r.map(|p| p.len())));
            }
        }
        let mut record = record;
        record.fetched = out
            .fetched
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(k, _)| *k)
            .collect();
        parts.trace.push(
            now,
            Actor::Provider,
            Actor::Person,
            "provider.charge",
            Some(spec.person),
            || {
                format!(
                    "{:?}: {}% → {}円",
                    record.path, record.copay_percent, record.charged
                )
            },
        );
        parts.provider.visits.push(record.clone());
        out.record = Some(record);
    }
}
