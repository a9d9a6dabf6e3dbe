//! Consents and the consent-gated data the registry holds: 薬剤/診療/手術 (レセプト-based),
//! 特定健診, 医療費通知 and 電子処方箋 dispensing (REG-6..8, REG-10, REG-12).

use serde::Serialize;

use crate::answer::{Checkup, ConsentFlag, DataDenied, DataPayload, MedicalRecord};
use crate::clock::Moment;
use crate::ids::{InstitutionId, PersonId};
use crate::rules::{CONSENT_DATA, CareMode, ConsentItem, DataKind};
use crate::trace::{Actor, Trace};
use crate::view::View;

use super::Registry;

/// One consent decision registered through a reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentRecord {
    /// The item.
    pub item: ConsentItem,
    /// 同意する (true) or 同意しない (false).
    pub granted: bool,
    /// When it was given.
    #[serde(skip)]
    pub at: Moment,
    /// Until when viewing is allowed (None: open-ended, e.g. until discharge).
    #[serde(skip)]
    pub valid_until: Option<Moment>,
    /// 診療区分.
    pub mode: CareMode,
}

impl Registry {
    /// Records the consent answers a reader sends with a confirmation.
    pub fn record_consents(
        &mut self,
        v: &View,
        trace: &mut Trace,
        person: PersonId,
        institution: InstitutionId,
        decisions: &[(ConsentItem, bool)],
        mode: CareMode,
    ) {
        // During an outage the answers never reach the system (PRT-4): nothing is recorded,
        // so no data can be fetched on the strength of them afterwards.
        if self.outage_at(v.now).is_some() {
            trace.push(
                v.now,
                Actor::Reader,
                Actor::Registry,
                "registry.consent_lost",
                Some(person),
                || "consent answers not delivered: the registry is unavailable".into(),
            );
            return;
        }
        let list = self.consents.entry((person, institution)).or_default();
        for &(item, granted) in decisions {
            list.push(ConsentRecord {
                item,
                granted,
                at: v.now,
                valid_until: if granted {
                    v.rules.consent_valid_until(v.now, mode)
                } else {
                    Some(v.now)
                },
                mode,
            });
        }
        trace.push(
            v.now,
            Actor::Reader,
            Actor::Registry,
            "registry.consent",
            Some(person),
            || {
                let parts: Vec<String> = decisions
                    .iter()
                    .map(|(i, g)| {
                        format!(
                            "{i:?}={}",
                            if *g {
                                "同意する"
                            } else {
                                "同意しない"
                            }
                        )
                    })
                    .collect();
                parts.join(", ")
            },
        );
    }

    /// The latest decision for an item at an institution.
    fn latest_consent(
        &self,
        person: PersonId,
        institution: InstitutionId,
        item: ConsentItem,
    ) -> Option<&ConsentRecord> {
        self.consents
            .get(&(person, institution))
            .and_then(|l| l.iter().rev().find(|c| c.item == item))
    }

    /// Whether `item` may be viewed by `institution` at `at` (REG-8: only the institution that
    /// got the consent, only while it is valid).
    pub fn consent_allows(
        &self,
        person: PersonId,
        institution: InstitutionId,
        item: ConsentItem,
        at: Moment,
    ) -> Result<(), DataDenied> {
        match self.latest_consent(person, institution, item) {
            Some(c) if c.granted => match c.valid_until {
                Some(u) if at >= u => Err(DataDenied::ConsentExpired {
                    item,
                    expired: u.to_string(),
                }),
                _ if at < c.at => Err(DataDenied::NoConsent { item }),
                _ => Ok(()),
            },
            _ => Err(DataDenied::NoConsent { item }),
        }
    }

    /// The consent flags of the medical items for an answer.
    pub(super) fn consent_flags(
        &self,
        person: PersonId,
        institution: InstitutionId,
        now: Moment,
    ) -> Vec<ConsentFlag> {
        let Some(list) = self.consents.get(&(person, institution)) else {
            return Vec::new();
        };
        let mut out: Vec<ConsentFlag> = Vec::new();
        for (item, _) in CONSENT_DATA {
            if let Some(c) = list.iter().rev().find(|c| c.item == item) {
                let status = match (c.granted, c.valid_until) {
                    (false, _) => 0,
                    (true, Some(u)) if now >= u => 2,
                    (true, _) => 1,
                };
                out.push(ConsentFlag {
                    item,
                    status,
                    at: Some(c.at.compact()),
                    available_until: if c.granted {
                        c.valid_until.map(|u| u.compact())
                    } else {
                        None
                    },
                });
            }
        }
        out
    }

    /// Adds a レセプト or e-prescription record (world setup or a dispensing event).
    pub fn add_medical_record(&mut self, person: PersonId, record: MedicalRecord) {
        self.medical.entry(person).or_default().push(record);
    }

    /// Adds a checkup result.
    pub fn add_checkup(&mut self, person: PersonId, checkup: Checkup) {
        let list = self.checkups.entry(person).or_default();
        list.push(checkup);
        list.sort_by_key(|c| c.date);
    }

    /// The records of `kind` visible on `today` under the dated windows (no consent check).
    pub fn visible_records(
        &self,
        v: &View,
        person: PersonId,
        kind: DataKind,
    ) -> Vec<MedicalRecord> {
        let Ok(window) = v.rules.data_window(kind, v.today) else {
            return Vec::new();
        };
        let e_window = v.rules.data_window(DataKind::EPrescription, v.today).ok();
        let Some(list) = self.medical.get(&person) else {
            return Vec::new();
        };
        // A claim (レセプト) becomes visible after its month is processed, within the window.
        let claim_visible = |r: &MedicalRecord| {
            r.date >= window.earliest
                && window
                    .latest_month_visible
                    .is_none_or(|m| r.date.first_of_month() <= m)
        };
        // 電子処方箋 dispensing data is visible in near real time, for its own window
        // (REG-12); the same dispensing later also arrives as a claim.
        let dispensing_visible = |r: &MedicalRecord| {
            r.e_prescription && e_window.as_ref().is_some_and(|w| r.date >= w.earliest)
        };
        let is_medication =
            |r: &MedicalRecord| matches!(r.kind, DataKind::Medication | DataKind::EPrescription);
        list.iter()
            .filter(|r| r.date <= v.today)
            .filter(|r| match kind {
                DataKind::EPrescription => dispensing_visible(r),
                DataKind::Medication => {
                    is_medication(r) && (dispensing_visible(r) || claim_visible(r))
                }
                // 医療費通知 is built from the claims of every kind (REG-10).
                DataKind::MedicalExpenseNotice => claim_visible(r),
                k => r.kind == k && claim_visible(r),
            })
            .cloned()
            .collect()
    }

    /// The checkups visible on `today`: from FY2020, the latest N.
    pub fn visible_checkups(&self, v: &View, person: PersonId) -> Vec<Checkup> {
        let Ok(window) = v.rules.data_window(DataKind::Checkup, v.today) else {
            return Vec::new();
        };
        let Some(list) = self.checkups.get(&person) else {
            return Vec::new();
        };
        let eligible: Vec<&Checkup> = list
            .iter()
            .filter(|c| c.date >= window.earliest && c.date <= v.today)
            .collect();
        let skip = window
            .max_items
            .map_or(0, |n| eligible.len().saturating_sub(n));
        eligible.into_iter().skip(skip).cloned().collect()
    }

    /// Optional data for an institution: only under a valid consent (REG-7, REG-8).
    pub fn fetch_for_institution(
        &mut self,
        v: &View,
        trace: &mut Trace,
        person: PersonId,
        institution: InstitutionId,
        kind: DataKind,
    ) -> Result<DataPayload, DataDenied> {
        trace.push(
            v.now,
            Actor::Provider,
            Actor::Registry,
            kind_request(kind),
            Some(person),
            || format!("{kind:?} request"),
        );
        let result = self.fetch_checked(v, person, institution, kind);
        trace.push(
            v.now,
            Actor::Registry,
            Actor::Provider,
            kind_answer(kind),
            Some(person),
            || match &result {
                Ok(p) => format!("{} item(s)", p.len()),
                Err(e) => format!("denied: {e}"),
            },
        );
        let facts = self
            .exchanges
            .wants_facts()
            .then(|| crate::registry::feed::Facts::of(v, self));
        self.exchanges.push_with(
            || super::ClinicExchange::Data {
                at: v.now,
                person,
                institution,
                kind,
                result: result.clone(),
            },
            facts,
        );
        result
    }

    fn fetch_checked(
        &self,
        v: &View,
        person: PersonId,
        institution: InstitutionId,
        kind: DataKind,
    ) -> Result<DataPayload, DataDenied> {
        if self.outage_at(v.now).is_some() {
            return Err(DataDenied::Unavailable);
        }
        let item = kind.consent_item().ok_or(DataDenied::NoConsent {
            item: ConsentItem::Medication,
        })?;
        self.consent_allows(person, institution, item, v.now)?;
        if kind == DataKind::Checkup {
            if let Some(min_age) = v.rules.switches().checkup_screen_min_age
                && crate::age::age_on(v.people[person.index()].birth, v.today) < min_age
            {
                return Err(DataDenied::TooYoung { min_age });
            }
            return Ok(DataPayload::Checkups(self.visible_checkups(v, person)));
        }
        Ok(DataPayload::Records(self.visible_records(v, person, kind)))
    }
}

/// Trace kind of a data request.
pub fn kind_request(kind: DataKind) -> &'static str {
    match kind {
        DataKind::Medication | DataKind::EPrescription => "registry.medication",
        DataKind::Treatment => "registry.treatment",
        DataKind::Surgery => "registry.surgery",
        DataKind::Checkup => "registry.checkup",
        DataKind::MedicalExpenseNotice => "registry.expense_notice",
    }
}

fn kind_answer(kind: DataKind) -> &'static str {
    match kind {
        DataKind::Medication | DataKind::EPrescription => "registry.medication.result",
        DataKind::Treatment => "registry.treatment.result",
        DataKind::Surgery => "registry.surgery.result",
        DataKind::Checkup => "registry.checkup.result",
        DataKind::MedicalExpenseNotice => "registry.expense_notice.result",
    }
}
