//! 支払基金 / オンライン資格確認等システム: insurance-use registration and the serial → person
//! link, relinking through J-LIS on an unknown serial, per-insurer counts, eligibility answers
//! with 資格有効性 on a confirmation date (one rule for card and number queries, in `validity`),
//! and the consent-gated optional data (REG-1..12).
//!
//! Answers are typed values ([`Answer`], defined in [`crate::answer`] and re-exported here) that
//! hold handles, not strings, so that a confirmation costs a hash lookup and a short scan; the
//! `oqs` module turns them into the real messages. Records are found by insurance numbers with
//! one rule ([`quals_with_numbers`]), whoever asks.

mod data;
mod exchanges;
pub mod feed;
mod numbers;
pub mod terminal;
mod validity;

use std::collections::BTreeMap;

use crate::ids::FastMap;

use serde::{Deserialize, Serialize};

pub use crate::answer::{
    Answer, AnswerStatus, Checkup, ConsentFlag, DataDenied, DataPayload, DataScope, ElderlyInfo,
    MedicalRecord, OutageKind, Reference, Refusal, ResultItem,
};
/// The wire form of an answer is built in `oqs`; these names stay here for the callers that
/// import them from the registry.
pub use data::ConsentRecord;
pub use exchanges::{ClinicExchange, ExchangeLog};
pub use numbers::{person_with_numbers, quals_with_numbers};

use crate::clock::{Date, Moment, Span};
use crate::ids::{InstitutionId, InsuranceNumbers, InsurerId, PersonId, QualificationId, Serial};
use crate::jlis::{CertStatus, IssueCause};
use crate::trace::{Actor, Trace};
use crate::view::View;

/// 申込方法: how a person registered the card for insurance use (REG-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 申込方法1: at the face-auth reader; usable the same day.
    Reader,
    /// 申込方法2: マイナポータル app; usable from the next visit (the next day).
    PortalApp,
    /// 申込方法3: セブン銀行 ATM; treated like the app (from the next day).
    Atm,
}

impl Channel {
    /// When a registration made at `at` through this channel can first be used.
    pub fn usable_from(self, at: Moment) -> Moment {
        match self {
            Channel::Reader => at,
            Channel::PortalApp | Channel::Atm => {
                at.date().tomorrow().map(Moment::start_of).unwrap_or(at)
            }
        }
    }
}

/// One serial → person link held by the registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The person whose insurance records the serial unlocks.
    pub person: PersonId,
    /// When the link was made.
    pub linked_at: Moment,
    /// When it can first be used.
    #[serde(skip)]
    pub usable_from: Moment,
    /// How the registration was made.
    pub channel: Channel,
    /// The serial this link replaced through J-LIS (REG-2), if it is a relink.
    pub relinked_from: Option<Serial>,
    /// Whether a newer serial has taken over.
    pub superseded: bool,
}

/// An outage window; `until` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    /// Kind.
    pub kind: OutageKind,
    /// Start.
    pub from: Moment,
    /// End (exclusive).
    pub until: Moment,
}

/// The registry's state.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    links: FastMap<Serial, Link>,
    current: FastMap<PersonId, Serial>,
    registered_people: FastMap<PersonId, InsurerIdOrNone>,
    counts: BTreeMap<InsurerId, u64>,
    pub(crate) consents: FastMap<(PersonId, InstitutionId), Vec<ConsentRecord>>,
    pub(crate) medical: FastMap<PersonId, Vec<MedicalRecord>>,
    pub(crate) checkups: FastMap<PersonId, Vec<Checkup>>,
    pub(crate) reference_numbers: FastMap<(InstitutionId, QualificationId), String>,
    pub(crate) outages: Vec<Outage>,
    /// Every registration that took effect, oldest first (what the feed tells a registry under
    /// test; relinks through J-LIS are the registry's own doing and are not here).
    pub(crate) registrations: Vec<Registration>,
    exchanges: ExchangeLog,
}

/// A registration for insurance use as it reached the registry (REG-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The auth serial registered.
    pub serial: Serial,
    /// Whose.
    pub person: PersonId,
    /// 申込方法.
    pub channel: Channel,
    /// When.
    pub at: Moment,
}

type InsurerIdOrNone = Option<InsurerId>;

/// A card-based confirmation request as the reader sends it.
#[derive(Clone, Copy, Debug)]
pub struct CardConfirm {
    /// The auth certificate serial read from the card.
    pub serial: Serial,
    /// The asking institution.
    pub institution: InstitutionId,
    /// 資格確認日.
    pub date: Date,
    /// 限度額 consent flag sent with the request.
    pub limit_consent: bool,
    /// 特定疾病 consent flag sent with the request.
    pub disease_consent: bool,
}

/// A confirmation by insurance numbers (照会区分 2, REG-9).
#[derive(Clone, Debug)]
pub struct NumberConfirm {
    /// The asking institution.
    pub institution: InstitutionId,
    /// 資格確認日.
    pub date: Date,
    /// The numbers asked about: 保険者番号, 記号, 番号, 枝番.
    pub numbers: InsuranceNumbers,
    /// 生年月日.
    pub birth: Date,
    /// 限度額 consent flag.
    pub limit_consent: bool,
}

impl NumberConfirm {
    /// A confirmation by `numbers` of the holder born on `birth`.
    pub fn new(
        institution: InstitutionId,
        date: Date,
        numbers: InsuranceNumbers,
        birth: Date,
        limit_consent: bool,
    ) -> Self {
        NumberConfirm {
            institution,
            date,
            numbers,
            birth,
            limit_consent,
        }
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Registers `person`'s current auth serial for insurance use (REG-1). Returns false when
    /// that serial was already linked (nothing changes). Counts each person once per insurer.
    pub fn register(
        &mut self,
        v: &View,
        trace: &mut Trace,
        person: PersonId,
        serial: Serial,
        channel: Channel,
    ) -> bool {
        if self
            .links
            .get(&serial)
            .is_some_and(|l| l.person == person && !l.superseded)
        {
            return false;
        }
        if let Some(old) = self.current.insert(person, serial)
            && let Some(l) = self.links.get_mut(&old)
        {
            l.superseded = true;
        }
        self.links.insert(
            serial,
            Link {
                person,
                linked_at: v.now,
                usable_from: channel.usable_from(v.now),
                channel,
                relinked_from: None,
                superseded: false,
            },
        );
        self.registrations.push(Registration {
            serial,
            person,
            channel,
            at: v.now,
        });
        let insurer = v
            .current_qualification(person)
            .map(|q| v.quals[q.index()].numbers.insurer);
        if let std::collections::hash_map::Entry::Vacant(e) = self.registered_people.entry(person) {
            e.insert(insurer);
            if let Some(i) = insurer {
                *self.counts.entry(i).or_insert(0) += 1;
            }
        }
        trace.push(
            v.now,
            Actor::Registry,
            Actor::Insurer,
            "registry.register",
            Some(person),
            || format!("健康保険証利用登録 via {channel:?}, serial {serial}"),
        );
        true
    }

    /// Registrations per insurer (REG-3): each registered person counted once.
    pub fn counts(&self) -> &BTreeMap<InsurerId, u64> {
        &self.counts
    }

    /// The link for a serial, if any.
    pub fn link(&self, serial: Serial) -> Option<&Link> {
        self.links.get(&serial)
    }

    /// The serial currently linked to `person`.
    pub fn current_serial(&self, person: PersonId) -> Option<Serial> {
        self.current.get(&person).copied()
    }

    /// Whether `person` is registered for insurance use (through any serial).
    pub fn is_registered(&self, person: PersonId) -> bool {
        self.current.contains_key(&person)
    }

    /// Drops `person`'s registration (after the certificate grace ends, or by request).
    pub fn cancel(&mut self, person: PersonId) {
        if let Some(s) = self.current.remove(&person) {
            self.links.remove(&s);
        }
    }

    /// The clinics' exchanges kept since they were last taken (off unless switched on).
    pub(crate) fn exchanges_mut(&mut self) -> &mut ExchangeLog {
        &mut self.exchanges
    }

    /// Schedules an outage.
    pub fn schedule_outage(&mut self, outage: Outage) {
        self.outages.push(outage);
    }

    /// The outage in force at `at`, if any.
    pub fn outage_at(&self, at: Moment) -> Option<Outage> {
        self.outages
            .iter()
            .copied()
            .find(|o| o.from <= at && at < o.until)
    }

    /// Registers a 照会番号 for a qualification at an institution.
    pub fn set_reference_number(
        &mut self,
        institution: InstitutionId,
        q: QualificationId,
        number: String,
    ) {
        self.reference_numbers.insert((institution, q), number);
    }

    /// Whether a serial carries a registration, relinking through J-LIS if it is new (the
    /// reader asks this before it shows the registration prompt).
    pub fn probe_registration(
        &mut self,
        v: &View,
        trace: &mut Trace,
        serial: Serial,
    ) -> Result<PersonId, Refusal> {
        self.resolve(v, trace, serial).map(|(p, _)| p)
    }

    /// Resolves a serial to a person, relinking through J-LIS when the serial is new (REG-2).
    fn resolve(
        &mut self,
        v: &View,
        trace: &mut Trace,
        serial: Serial,
    ) -> Result<(PersonId, Option<Serial>), Refusal> {
        if let Some(l) = self.links.get(&serial)
            && !l.superseded
        {
            if l.usable_from > v.now {
                return Err(Refusal::RegistrationPending {
                    usable_from: l.usable_from.to_string(),
                });
            }
            return Ok((l.person, l.relinked_from));
        }
        trace.push(
            v.now,
            Actor::Registry,
            Actor::Jlis,
            "jlis.old_serials",
            None,
            || format!("旧番号検索 for serial {serial}"),
        );
        let old = v.jlis.old_serials(serial).unwrap_or(&[]);
        trace.push(
            v.now,
            Actor::Jlis,
            Actor::Registry,
            "jlis.old_serials.result",
            None,
            || format!("{} earlier serial(s)", old.len()),
        );
        // Newest first: the most recent earlier serial that is linked carries the registration.
        let mut crossed_reissue =
            matches!(v.jlis.chain_cause(serial), Some(IssueCause::CardReissue));
        let mut crossed_renewal = matches!(
            v.jlis.chain_cause(serial),
            Some(IssueCause::Renewal | IssueCause::ReissueAfterExpiry)
        );
        for &prev in old.iter().rev() {
            if let Some(l) = self.links.get(&prev)
                && self.current.get(&l.person) == Some(&prev)
            {
                let rules = v.rules.switches();
                let allowed = (!crossed_reissue || rules.registration_survives_reissue)
                    && (!crossed_renewal || rules.registration_survives_renewal);
                if !allowed {
                    trace.push(v.now, Actor::Registry, Actor::Registry, "registry.relink_refused", Some(l.person), || {
                        format!("serial {prev} was linked, but the rule in force needs a new registration after reissue/renewal")
                    });
                    return Err(Refusal::NotRegistered);
                }
                let person = l.person;
                let channel = l.channel;
                if let Some(old_link) = self.links.get_mut(&prev) {
                    old_link.superseded = true;
                }
                self.links.insert(
                    serial,
                    Link {
                        person,
                        linked_at: v.now,
                        usable_from: v.now,
                        channel,
                        relinked_from: Some(prev),
                        superseded: false,
                    },
                );
                self.current.insert(person, serial);
                trace.push(
                    v.now,
                    Actor::Registry,
                    Actor::Registry,
                    "registry.relink",
                    Some(person),
                    || format!("serial {serial} relinked from {prev}; no re-registration needed"),
                );
                return Ok((person, Some(prev)));
            }
            match v.jlis.chain_cause(prev) {
                Some(IssueCause::CardReissue) => crossed_reissue = true,
                Some(IssueCause::Renewal | IssueCause::ReissueAfterExpiry) => {
                    crossed_renewal = true
                }
                _ => {}
            }
        }
        Err(Refusal::NotRegistered)
    }

    /// Answers a card-based confirmation (照会区分 1).
    pub fn confirm_card(&mut self, v: &View, trace: &mut Trace, req: CardConfirm) -> Answer {
        let mut answer = Answer::new(
            v.now,
            req.date,
            req.institution,
            Reference::Card { serial: req.serial },
        );
        trace.push(
            v.now,
            Actor::Reader,
            Actor::Registry,
            "registry.confirm",
            None,
            || format!("資格確認 by card, serial {}, date {}", req.serial, req.date),
        );
        let result = self.confirm_card_inner(v, trace, &req, &mut answer);
        if let Err(refusal) = result {
            answer.status = AnswerStatus::Refused(refusal);
        }
        trace.push(
            v.now,
            Actor::Registry,
            Actor::Reader,
            "registry.answer",
            answer.person,
            || answer.summary(),
        );
        let facts = self
            .exchanges
            .wants_facts()
            .then(|| crate::registry::feed::Facts::of(v, self));
        self.exchanges.push_with(
            || ClinicExchange::Card {
                request: req,
                answer: Box::new(answer.clone()),
            },
            facts,
        );
        answer
    }

    fn confirm_card_inner(
        &mut self,
        v: &View,
        trace: &mut Trace,
        req: &CardConfirm,
        answer: &mut Answer,
    ) -> Result<(), Refusal> {
        if let Some(o) = self.outage_at(v.now) {
            return Err(Refusal::Outage {
                kind: o.kind,
                until: o.until.to_string(),
            });
        }
        if v.institution(req.institution).is_none() {
            return Err(Refusal::UnknownInstitution);
        }
        let cert = v
            .jlis
            .lookup(req.serial)
            .ok_or(Refusal::CertificateUnknown)?;
        trace.push(
            v.now,
            Actor::Registry,
            Actor::Jlis,
            "jlis.status",
            None,
            || format!("失効確認 serial {}", req.serial),
        );
        let record = v
            .jlis
            .record(cert)
            .map_err(|_| Refusal::CertificateUnknown)?;
        let expiry = record.not_after();
        match v.jlis.status(req.serial, v.today) {
            CertStatus::Valid { .. } => {}
            CertStatus::Revoked { reason, on } => {
                return Err(Refusal::CertificateRevoked {
                    reason: format!("{reason:?}"),
                    on,
                });
            }
            CertStatus::Expired { .. } => {
                let grace_end = v.rules.grace_end(expiry);
                if v.today > grace_end {
                    return Err(Refusal::CertificateExpired {
                        expired: expiry,
                        grace_end,
                    });
                }
                answer.scope = DataScope::QualificationOnly { grace_end };
            }
            CertStatus::Unknown => return Err(Refusal::CertificateUnknown),
        }
        let delay = v.rules.switches().new_certificate_delay_hours;
        if delay > 0 {
            let usable = Moment::start_of(record.issued())
                .plus(Span::new().hours(i64::from(delay)))
                .unwrap_or(v.now);
            if v.now < usable {
                return Err(Refusal::CertificatePending {
                    usable_from: usable.to_string(),
                });
            }
        }
        let (person, relinked) = self.resolve(v, trace, req.serial)?;
        answer.person = Some(person);
        answer.relinked_from = relinked;
        if v.rules.expiry_notice(expiry, req.date) {
            answer.expiry_notice = Some(expiry);
        }
        let known: Vec<QualificationId> = v
            .person_quals(person)
            .iter()
            .copied()
            .filter(|q| v.quals[q.index()].visible_on(v.today))
            .collect();
        let (validity, chosen) = validity::judge(v, &known, req.date);
        answer.validity = Some(validity);
        for q in chosen {
            let item = self.result_item(
                v,
                q,
                req.institution,
                req.date,
                answer.scope,
                req.limit_consent,
                req.disease_consent,
            )?;
            answer.results.push(item);
        }
        Ok(())
    }

    /// Answers a confirmation by insurance numbers (照会区分 2, REG-9).
    pub fn confirm_numbers(&mut self, v: &View, trace: &mut Trace, req: &NumberConfirm) -> Answer {
        let mut answer = Answer::new(v.now, req.date, req.institution, Reference::Numbers);
        trace.push(
            v.now,
            Actor::Provider,
            Actor::Registry,
            "registry.confirm_numbers",
            None,
            || {
                format!(
                    "資格確認 by numbers {} {}",
                    req.numbers.insurer, req.numbers.number
                )
            },
        );
        if let Some(o) = self.outage_at(v.now) {
            answer.status = AnswerStatus::Refused(Refusal::Outage {
                kind: o.kind,
                until: o.until.to_string(),
            });
        } else if v.institution(req.institution).is_none() {
            answer.status = AnswerStatus::Refused(Refusal::UnknownInstitution);
        } else {
            let matches = quals_with_numbers(v, &req.numbers, Some(req.birth));
            let (validity, chosen) = validity::judge(v, &matches, req.date);
            answer.validity = Some(validity);
            answer.person = chosen.first().map(|q| v.quals[q.index()].person);
            for q in chosen {
                match self.result_item(
                    v,
                    q,
                    req.institution,
                    req.date,
                    DataScope::Full,
                    req.limit_consent,
                    false,
                ) {
                    Ok(item) => answer.results.push(item),
                    Err(r) => {
                        answer.status = AnswerStatus::Refused(r);
                        answer.results.clear();
                        break;
                    }
                }
            }
        }
        trace.push(
            v.now,
            Actor::Registry,
            Actor::Provider,
            "registry.answer",
            answer.person,
            || answer.summary(),
        );
        let facts = self
            .exchanges
            .wants_facts()
            .then(|| crate::registry::feed::Facts::of(v, self));
        self.exchanges.push_with(
            || ClinicExchange::Numbers {
                request: Box::new(req.clone()),
                answer: Box::new(answer.clone()),
            },
            facts,
        );
        answer
    }

    #[allow(clippy::too_many_arguments)]
    fn result_item(
        &self,
        v: &View,
        q: QualificationId,
        institution: InstitutionId,
        date: Date,
        scope: DataScope,
        limit_consent: bool,
        disease_consent: bool,
    ) -> Result<ResultItem, Refusal> {
        let qual = &v.quals[q.index()];
        let person = &v.people[qual.person.index()];
        // 所得区分 on the date: the insurer's own determination for this record, else the
        // member's dated periods, else the member's base class.
        let period = qual
            .income_on(date)
            .or_else(|| crate::person::IncomePeriod::on(&person.income_periods, date));
        let income = period.map_or(person.income, |(p, _)| p.class);
        let copay = match qual.copay_override {
            Some(c) => c,
            None => v
                .rules
                .copay_percent(person.birth, date, income)
                .map_err(|e| Refusal::RuleGap {
                    message: e.to_string(),
                })?,
        };
        let band = crate::age::band_on(person.birth, date);
        let mut item = ResultItem {
            qualification: q,
            person: qual.person,
            copay_percent: copay,
            preschool: band == crate::age::AgeBand::Preschool,
            elderly: (band == crate::age::AgeBand::Elderly).then(|| ElderlyInfo {
                valid_from: crate::age::elderly_first_day(person.birth).unwrap_or(date),
                copay_percent: copay,
            }),
            loss: qual.registry_loss(v.today),
            limit: None,
            limit_consent_at: None,
            designated_diseases: Vec::new(),
            consents: Vec::new(),
            reference_number: self.reference_numbers.get(&(institution, q)).cloned(),
        };
        let in_grace = scope != DataScope::Full;
        let limit_free =
            v.rules
                .provided_without_consent(crate::rules::ConsentItem::LimitInfo, date, in_grace);
        let disease_free = v.rules.provided_without_consent(
            crate::rules::ConsentItem::SpecificDisease,
            date,
            in_grace,
        );
        if in_grace && !limit_free && !disease_free {
            return Ok(item);
        }
        if (limit_free || (limit_consent && !in_grace))
            && let Some(l) = qual
                .limit_on(date)
                .cloned()
                .or_else(|| period.and_then(|(p, next)| period_limit(p, next, qual.acquired)))
        {
            item.limit = Some(l);
            item.limit_consent_at = limit_consent.then_some(v.now);
        }
        if disease_free || (disease_consent && !in_grace) {
            item.designated_diseases = qual
                .designated_diseases
                .iter()
                .filter(|d| d.valid_from <= date && d.valid_until.is_none_or(|u| date <= u))
                .cloned()
                .collect();
        }
        if scope == DataScope::Full {
            item.consents = self.consent_flags(qual.person, institution, v.now);
        }
        Ok(item)
    }
}

/// The 限度額 data a dated 所得区分 period with a 適用区分 stands for: a registered 限度額適用認定証
/// from the period's start (or the 資格取得日) to the day before the next period.
fn period_limit(
    p: &crate::person::IncomePeriod,
    next: Option<Date>,
    acquired: Date,
) -> Option<crate::insurer::LimitCertificate> {
    let category = p.category?;
    Some(crate::insurer::LimitCertificate {
        kind: crate::insurer::LimitCertificateKind::Limit,
        category,
        issued: p.from,
        valid_from: p.from.max(acquired),
        valid_until: next.and_then(|n| n.yesterday().ok()),
        recalled: None,
        long_stay_from: None,
        registered: true,
    })
}
