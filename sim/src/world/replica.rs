//! A replica: a world built from the registry feed alone ([`crate::feed`]), whose registry
//! answers from what it was told. `onshi serve-registry` serves one; a test holds its answers
//! against the reference's to prove the feed complete.
//!
//! The replica knows what a registry may know: people by link id (a synthetic My Number of its
//! own that nothing shows), 資格 records with their delivery dates, the J-LIS facts (a
//! [`Jlis::replica`] that checks certificate chains with the CA it was given), registrations,
//! consents, data, 照会番号 and outages. It has no cards: a terminal's certificate and
//! signature are all it sees of one.

use base64::Engine as _;

use crate::clock::Moment;
use crate::ids::{InstitutionId, InsurerId, PersonId, QualificationId};
use crate::insurer::{Insurer, Qualification, QualificationNumbers};
use crate::jlis::{CertKind, Jlis};
use crate::registry::feed::{self, FeedError, Record};
use crate::rules::{InstitutionSettings, RuleSet};

use super::{PersonSpec, World, WorldConfig, WorldError};

impl World {
    /// An empty replica starting at `start` (the feed's first `time`).
    pub fn replica(start: Moment) -> World {
        let mut cfg = WorldConfig::new(0, "replica", start);
        cfg.reference_provider = false;
        // A service runs for long: its trace would only grow.
        cfg.trace = false;
        World::new(cfg)
    }

    /// Moves the replica's clock to `now` (never back).
    pub fn replica_time(&mut self, now: Moment) -> Result<(), WorldError> {
        if now > self.clock.now() {
            self.clock.advance_to(now)?;
        }
        Ok(())
    }

    /// Applies feed records in order. A record names only what earlier records (or earlier
    /// calls) introduced; a record with a known key replaces what it said before. On an error
    /// the records before the failing one stay applied.
    pub fn apply_feed(&mut self, records: &[Record]) -> Result<(), FeedError> {
        for r in records {
            let key = r.key();
            self.apply_record(&key, r)
                .map_err(|reason| FeedError { key, reason })?;
        }
        Ok(())
    }

    fn apply_record(&mut self, key: &str, r: &Record) -> Result<(), String> {
        match r {
            Record::Rules { switches } => {
                let mut rules = RuleSet::builtin().clone();
                for (name, value) in switches {
                    rules
                        .switches_mut()
                        .set(name, value)
                        .map_err(|e| e.to_string())?;
                }
                self.rules = rules;
            }
            Record::JlisCa { auth, signature } => {
                if !self.jlis.is_empty() {
                    return Err("the J-LIS CA must come before any certificate".into());
                }
                let b64 = |s: &str| {
                    base64::engine::general_purpose::STANDARD
                        .decode(s)
                        .map_err(|e| format!("not base64: {e}"))
                };
                self.jlis = Jlis::replica(self.seed, b64(auth)?, b64(signature)?);
            }
            Record::Institution(f) => {
                let settings = InstitutionSettings {
                    enabled: f.enabled.iter().copied().collect(),
                };
                match self.institutions.iter().position(|i| i.code == f.code) {
                    Some(i) => {
                        self.institutions[i].name = f.name.clone();
                        self.institutions[i].settings = settings;
                    }
                    None => {
                        self.add_institution(&f.code.to_string(), f.code, &f.name, settings)
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
            Record::Insurer(f) => match self.insurers.iter().position(|i| i.number == f.number) {
                Some(i) => self.insurers[i].name = f.name.clone(),
                None => {
                    self.add_insurer(&f.number.to_string(), f.number, &f.name, 0)
                        .map_err(|e| e.to_string())?;
                }
            },
            Record::Person(f) => match self.holder(&f.id) {
                Ok(p) => {
                    let person = &mut self.people[p.index()];
                    person.name = f.name.clone();
                    person.kana = f.kana.clone();
                    person.birth = f.birth;
                    person.sex = f.sex;
                    person.address = f.address.clone();
                    person.post_number = f.post_number.clone();
                    person.income = f.income;
                    person.income_periods = f.income_periods.clone();
                }
                Err(_) => {
                    self.add_person(PersonSpec {
                        key: f.id.clone(),
                        name: f.name.clone(),
                        kana: f.kana.clone(),
                        birth: f.birth,
                        sex: f.sex,
                        address: f.address.clone(),
                        post_number: f.post_number.clone(),
                        income: f.income,
                        income_periods: f.income_periods.clone(),
                    })
                    .map_err(|e| e.to_string())?;
                }
            },
            Record::Certificate(f) => {
                let person = self.holder(&f.holder)?;
                let cert = match self.jlis.lookup(f.serial) {
                    Some(c) => c,
                    None => {
                        let chain_end = self.jlis.current(person, CertKind::Auth);
                        let last = chain_end
                            .and_then(|c| self.jlis.record(c).ok())
                            .map(|r| r.serial());
                        if last != f.previous {
                            return Err(format!(
                                "`previous` is {}, but the holder's latest certificate is {}",
                                show(f.previous),
                                show(last)
                            ));
                        }
                        self.jlis
                            .adopt(
                                f.serial,
                                person,
                                CertKind::Auth,
                                f.cause,
                                f.issued,
                                f.not_after,
                            )
                            .map_err(|e| e.to_string())?
                    }
                };
                let known = self.jlis.record(cert).map_err(|e| e.to_string())?;
                if known.person() != person
                    || known.issued() != f.issued
                    || known.not_after() != f.not_after
                {
                    return Err("a certificate's holder and dates never change".into());
                }
                match (known.revocation(), f.revocation) {
                    (None, Some(rv)) => self
                        .jlis
                        .revoke(cert, rv.reason, rv.on)
                        .map_err(|e| e.to_string())?,
                    (Some(a), Some(b)) if a.reason == b.reason && a.on == b.on => {}
                    (None, None) => {}
                    _ => return Err("a revocation is never withdrawn or changed".into()),
                }
            }
            Record::Qualification(f) => self.apply_qualification(key, f)?,
            Record::Registration(f) => {
                let person = self.holder(&f.holder)?;
                if self.jlis.lookup(f.serial).is_none() {
                    return Err(format!("no certificate {} was fed before", f.serial));
                }
                let parts = self.parts(f.at);
                parts
                    .registry
                    .register(&parts.view, parts.trace, person, f.serial, f.channel);
            }
            Record::Consents(f) => {
                let person = self.holder(&f.holder)?;
                let inst = self.institution_of(f.institution)?;
                let list = f.records.iter().map(feed::consent).collect();
                self.registry.consents.insert((person, inst), list);
            }
            Record::Medical(f) => {
                let person = self.holder(&f.holder)?;
                let list = f.records.iter().map(feed::medical).collect();
                self.registry.medical.insert(person, list);
            }
            Record::Checkups(f) => {
                let person = self.holder(&f.holder)?;
                let list = f.records.iter().map(feed::checkup).collect();
                self.registry.checkups.insert(person, list);
            }
            Record::ReferenceNumber(f) => {
                let inst = self.institution_of(f.institution)?;
                let q = self.qualification_of(&f.qualification)?;
                self.registry
                    .set_reference_number(inst, q, f.number.clone());
            }
            Record::Outage(f) => {
                if f.until <= f.from {
                    return Err("`until` is not after `from`".into());
                }
                let outage = crate::registry::Outage {
                    kind: f.kind,
                    from: f.from,
                    until: f.until,
                };
                let seq = usize::try_from(f.seq).unwrap_or(usize::MAX);
                let known = self.registry.outages.len();
                if seq == 0 || seq > known + 1 {
                    return Err(format!("the next new outage must be number {}", known + 1));
                }
                if seq <= known {
                    self.registry.outages[seq - 1] = outage;
                } else {
                    self.registry.schedule_outage(outage);
                }
            }
        }
        Ok(())
    }

    fn apply_qualification(
        &mut self,
        key: &str,
        f: &feed::QualificationFact,
    ) -> Result<(), String> {
        let member = self.holder(&f.member)?;
        let linked = self.holder(&f.linked_to)?;
        let insurer = self
            .insurers
            .iter()
            .find(|i| i.number == f.insurer)
            .map(|i: &Insurer| i.id)
            .ok_or_else(|| format!("no insurer {} was fed before", f.insurer))?;
        let record = |id: QualificationId, insurer: InsurerId| -> Result<Qualification, String> {
            Ok(Qualification {
                id,
                person: member,
                numbers: QualificationNumbers {
                    insurer,
                    symbol: f.symbol.clone(),
                    number: f.number.clone(),
                    branch: f.branch.clone(),
                },
                relation: feed::relation(key, &f.relation).map_err(|e| e.reason)?,
                insured_name: f.insured_name.clone(),
                acquired: f.acquired,
                lost: f
                    .lost
                    .as_ref()
                    .map(|l| feed::loss(key, l))
                    .transpose()
                    .map_err(|e| e.reason)?,
                registered_on: f.registered_on,
                loss_registered_on: f.loss_registered_on,
                copay_override: f.copay_override,
                limits: f
                    .limits
                    .iter()
                    .map(|l| feed::limit(key, l))
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.reason)?,
                designated_diseases: f
                    .diseases
                    .iter()
                    .map(|d| feed::disease(key, d))
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.reason)?,
                income: f.income.clone(),
                linked_person: linked,
                flagged_on: f.flagged_on,
            })
        };
        let number = self.insurers[insurer.index()].number;
        match self.qualification_of(&f.id) {
            Ok(q) => {
                let old = &self.quals[q.index()];
                if old.numbers.insurer != insurer || old.numbers.number != f.number {
                    return Err("a 資格 record's 保険者番号 and 番号 never change".into());
                }
                let before = old.linked_person;
                let mut new = record(q, insurer)?;
                new.linked_person = before;
                self.quals[q.index()] = new;
                if before != linked {
                    self.relink(q, linked);
                }
            }
            Err(_) => {
                let expected = feed::qualification_id(self.quals.len());
                if f.id != expected {
                    return Err(format!("the next new 資格 record must be `{expected}`"));
                }
                let id = QualificationId(self.quals.len() as u32);
                self.quals.push(record(id, insurer)?);
                self.by_number
                    .entry((number, f.number.clone()))
                    .or_default()
                    .push(id);
                if let Some(list) = self.person_quals.get_mut(linked.index()) {
                    list.push(id);
                    list.sort();
                }
            }
        }
        Ok(())
    }

    fn holder(&self, id: &str) -> Result<PersonId, String> {
        self.person_by_key(id)
            .map_err(|_| format!("no person `{id}` was fed before"))
    }

    fn institution_of(&self, code: crate::ids::InstitutionCode) -> Result<InstitutionId, String> {
        self.institutions
            .iter()
            .find(|i| i.code == code)
            .map(|i| i.id)
            .ok_or_else(|| format!("no institution {code} was fed before"))
    }

    fn qualification_of(&self, id: &str) -> Result<QualificationId, String> {
        let n: usize = id
            .strip_prefix('Q')
            .and_then(|n| n.parse().ok())
            .filter(|&n: &usize| n >= 1)
            .ok_or_else(|| format!("`{id}` is not a 資格 record id (`Q` and a number)"))?;
        (n <= self.quals.len())
            .then(|| QualificationId((n - 1) as u32))
            .ok_or_else(|| format!("no 資格 record `{id}` was fed before"))
    }
}

fn show(s: Option<crate::ids::Serial>) -> String {
    s.map_or("none".into(), |s| s.to_string())
}
