//! A visit: the reader (identity, registration prompt, consent screens), the registry's
//! answer, and the reference provider settling it (PRV-1..7).

use crate::provider;
use crate::reader;
use crate::registry::{Answer, CardConfirm, Channel, NumberConfirm, Refusal};
use crate::rules::ConsentItem;
use crate::trace::Actor;

use super::{Presentation, VisitOutcome, VisitSpec, World, WorldError};

impl World {
    pub(super) fn visit(&mut self, spec: VisitSpec) -> Result<VisitOutcome, WorldError> {
        let now = self.clock.now();
        let date = spec.confirmation_date.unwrap_or(now.date());
        let mut out = VisitOutcome::default();
        if spec.presentation == Presentation::EligibilityCertificate {
            // The 資格確認書 the patient holds today.
            let q = self
                .view()
                .current_qualification(spec.person)
                .ok_or_else(|| {
                    WorldError::Invalid("a 資格確認書 needs a current qualification".into())
                })?;
            let why = (
                Actor::Person,
                "provider.eligibility_certificate",
                "資格確認書を提示",
            );
            let answer = self.ask_by_papers(&spec, date, q, why);
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
            // The card cannot be used: the desk confirms by the numbers on the patient's papers.
            self.desk_by_numbers(&spec, date, &mut out);
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

    /// A visit whose reader part happened outside the world (a terminal under test read the
    /// card and asked the registry): the reference provider settles `answer` as it would after
    /// its own reader, and the outcome carries the answer but no reader verification.
    pub fn settle_answer(&mut self, spec: &VisitSpec, answer: Answer) -> VisitOutcome {
        let mut out = VisitOutcome::default();
        self.settle(spec, &answer, &mut out);
        out.answer = Some(answer);
        out
    }

    /// The reference provider settles the visit and fetches consented data (PRV-1..7). A card
    /// refused for a reason of the card's (expired past grace, revoked, unknown, not yet usable,
    /// not registered) sends the desk to the patient's papers first ([`Self::desk_by_numbers`]).
    fn settle(&mut self, spec: &VisitSpec, answer: &Answer, out: &mut VisitOutcome) {
        if !self.reference_provider {
            return;
        }
        if answer.refusal().is_some_and(Refusal::is_card_refusal) {
            self.desk_by_numbers(spec, answer.confirmation_date, out);
            return;
        }
        self.record_visit(spec, answer.confirmation_date, Some(answer), out);
    }

    /// The card route failed (the reader could not verify the patient, or the registry refused
    /// the card itself): the desk confirms by the numbers on the patient's 資格確認書 /
    /// 資格情報のお知らせ (`OQSsiquc01req`, 照会区分 2) and settles from that answer; with no
    /// papers (no 資格 covers the date) it settles with nothing (申立書). The answer is kept as
    /// [`VisitOutcome::by_numbers`].
    fn desk_by_numbers(
        &mut self,
        spec: &VisitSpec,
        date: crate::clock::Date,
        out: &mut VisitOutcome,
    ) {
        if !self.reference_provider {
            return;
        }
        let paper = self.view().qualification_on(spec.person, date);
        let Some(q) = paper else {
            self.record_visit(spec, date, None, out);
            return;
        };
        let why = (
            Actor::Provider,
            "provider.card_fallback",
            "カードで確認できないため資格確認書／資格情報のお知らせの番号で確認",
        );
        let answer = self.ask_by_papers(spec, date, q, why);
        self.record_visit(spec, date, Some(&answer), out);
        out.by_numbers = Some(answer);
    }

    /// Asks the registry by the numbers of `q` (the patient's papers) as of `date`, after a
    /// trace line (`from` → the other party, kind, text) saying why.
    fn ask_by_papers(
        &mut self,
        spec: &VisitSpec,
        date: crate::clock::Date,
        q: crate::ids::QualificationId,
        (from, kind, text): (Actor, &'static str, &'static str),
    ) -> Answer {
        let now = self.clock.now();
        let req = NumberConfirm::new(
            spec.institution,
            date,
            self.view().numbers_of(q),
            self.people[spec.person.index()].birth,
            spec.paper_limit_consent(),
        );
        let to = if from == Actor::Person {
            Actor::Provider
        } else {
            Actor::Person
        };
        let parts = self.parts(now);
        parts
            .trace
            .push(now, from, to, kind, Some(spec.person), || text.into());
        parts
            .registry
            .confirm_numbers(&parts.view, parts.trace, &req)
    }

    /// The reference provider's record of the visit from `answer` (PRV-1..7).
    fn record_visit(
        &mut self,
        spec: &VisitSpec,
        date: crate::clock::Date,
        answer: Option<&Answer>,
        out: &mut VisitOutcome,
    ) {
        let now = self.clock.now();
        let paper = self.view().qualification_on(spec.person, date);
        let parts = self.parts(now);
        let desk = provider::Desk {
            person: spec.person,
            institution: spec.institution,
            date,
            fee: spec.fee,
            care: spec.care,
            paper,
        };
        let record = parts.provider.settle(&parts.view, &desk, answer);
        // Data only under a result that is the patient's own (a 紐付け誤り's result is
        // someone else's).
        let own = answer.filter(|a| a.results.iter().any(|r| r.person == spec.person));
        if let Some(answer) = own {
            out.fetched.extend(provider::fetch_consented(
                &parts.view,
                parts.registry,
                parts.trace,
                spec.person,
                spec.institution,
                answer,
            ));
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
