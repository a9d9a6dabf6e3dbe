//! [`World::apply`]: one event moves the world, and the bookkeeping events need (cards and
//! their certificates, 資格 that end or start, the reference provider's later confirmations).

use crate::card::CardStatus;
use crate::clock::{Date, Span};
use crate::ids::{PersonId, QualificationId};
use crate::insurer::{LossReason, QualificationNumbers, Relation};
use crate::jlis::{CertKind, IssueCause, RevocationReason};
use crate::portal::PortalView;
use crate::registry::Channel;
use crate::trace::Actor;

use super::{CardSpec, Event, Outcome, Presentation, QualificationSpec, World, WorldError};

impl World {
    /// Applies one event.
    pub fn apply(&mut self, event: Event) -> Result<Outcome, WorldError> {
        let today = self.clock.today();
        match event {
            Event::Advance(span) => {
                self.clock.advance(span)?;
                self.apply_age_law()?;
                self.retry_later_confirmations();
                Ok(Outcome::Done)
            }
            Event::AdvanceTo(m) => {
                self.clock.advance_to(m)?;
                self.apply_age_law()?;
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
                numbers,
                lag_days,
                old_lag_days,
                relation,
                dependents,
                limits,
                income,
            } => {
                self.job_change(JobChange {
                    person,
                    on,
                    numbers,
                    lag_days,
                    old_lag_days,
                    relation,
                    dependents,
                    limits,
                    income,
                })?;
                Ok(Outcome::Done)
            }
            Event::LinkWrongPerson { member, linked_to } => {
                self.link_wrong_person(member, linked_to)?;
                Ok(Outcome::Done)
            }
            Event::FixLink { member } => {
                self.fix_link(member)?;
                Ok(Outcome::Done)
            }
            Event::JlisCheckLinks => {
                self.jlis_check_links();
                Ok(Outcome::Done)
            }
            Event::LoseQualification { person, on, reason } => {
                let q = self.view().current_qualification(person).ok_or_else(|| {
                    WorldError::Invalid("no current qualification to lose".into())
                })?;
                let lag = self.insurers[self.quals[q.index()].numbers.insurer.index()]
                    .registration_lag_days;
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
            Event::Jpki(req) => self.jpki(*req).map(|o| Outcome::Jpki(Box::new(o))),
            Event::Surface(req) => self.surface(*req).map(|o| Outcome::Surface(Box::new(o))),
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
    /// visit it settled on paper during an outage ([`ProviderState::confirm_later`]).
    ///
    /// [`ProviderState::confirm_later`]: crate::provider::ProviderState::confirm_later
    fn retry_later_confirmations(&mut self) {
        let now = self.clock.now();
        if !self.reference_provider || self.registry.outage_at(now).is_some() {
            return;
        }
        let parts = self.parts(now);
        parts
            .provider
            .confirm_later(&parts.view, parts.registry, parts.trace);
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

    pub(super) fn end_qualification(
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

    fn job_change(&mut self, jc: JobChange) -> Result<(), WorldError> {
        let JobChange {
            person,
            on,
            numbers,
            lag_days,
            old_lag_days,
            relation,
            dependents,
            limits,
            income,
        } = jc;
        let to = numbers.insurer;
        let insurer = self
            .insurers
            .get(to.index())
            .ok_or_else(|| WorldError::Invalid(format!("no insurer {to:?}")))?;
        let other_than_late_elderly = !insurer.number.is_late_elderly();
        for who in std::iter::once(person).chain(dependents.iter().map(|(d, _)| *d)) {
            let p = self
                .people
                .get(who.index())
                .ok_or_else(|| WorldError::Invalid(format!("no person {who:?}")))?;
            if let Some(b) = crate::rules::late_elderly::late_elderly_start(p.birth)
                && other_than_late_elderly
                && on >= b
            {
                return Err(WorldError::Rule(format!(
                    "{} is 75 or over on {on} (後期高齢者医療 from {b}): no other insurer can take them",
                    p.key
                )));
            }
        }
        let lag = lag_days.unwrap_or(insurer.registration_lag_days);
        let old = self.person_quals.get(person.index()).and_then(|qs| {
            qs.iter()
                .rev()
                .copied()
                .find(|q| self.quals[q.index()].covers(on.yesterday().unwrap_or(on)))
        });
        if let Some(old) = old {
            let old_lag = old_lag_days.unwrap_or(
                self.insurers[self.quals[old.index()].numbers.insurer.index()]
                    .registration_lag_days,
            );
            self.end_qualification(old, on, LossReason::OtherInsurance, old_lag)?;
            if self.quals[old.index()].relation == Relation::Insured {
                let moving: Vec<PersonId> = dependents.iter().map(|(d, _)| *d).collect();
                self.end_dependents(
                    old,
                    on,
                    old_lag_days,
                    &moving,
                    "被保険者の資格喪失により家族の資格喪失",
                )?;
            }
        }
        let registered_on = on.checked_add(Span::new().days(i64::from(lag))).ok();
        self.add_qualification(QualificationSpec {
            person,
            numbers,
            relation,
            acquired: on,
            lost: None,
            registered_on,
            copay_override: None,
            limits,
            designated_diseases: Vec::new(),
            income,
        })?;
        let label = match relation {
            Relation::Insured => "本人",
            Relation::Dependent => "家族",
        };
        self.trace.push(
            self.clock.now(),
            Actor::Insurer,
            Actor::Registry,
            "insurer.enrol",
            Some(person),
            || format!("資格取得 {on} ({label}), reaches the registry after {lag} day(s)"),
        );
        for (d, numbers) in &dependents {
            self.add_qualification(QualificationSpec {
                person: *d,
                numbers: numbers.clone(),
                relation: Relation::Dependent,
                acquired: on,
                lost: None,
                registered_on,
                copay_override: None,
                limits: Vec::new(),
                designated_diseases: Vec::new(),
                income: Vec::new(),
            })?;
            self.trace.push(
                self.clock.now(),
                Actor::Insurer,
                Actor::Registry,
                "insurer.enrol",
                Some(*d),
                || format!("資格取得 {on} (家族), reaches the registry after {lag} day(s)"),
            );
        }
        self.apply_age_law_for(person)?;
        for (d, _) in &dependents {
            self.apply_age_law_for(*d)?;
        }
        Ok(())
    }
}

/// The arguments of [`Event::JobChange`] in one value.
struct JobChange {
    person: PersonId,
    on: Date,
    numbers: QualificationNumbers,
    lag_days: Option<u32>,
    old_lag_days: Option<u32>,
    relation: Relation,
    dependents: Vec<(PersonId, QualificationNumbers)>,
    limits: Vec<crate::insurer::LimitCertificate>,
    income: Vec<crate::person::IncomePeriod>,
}
