//! 75歳到達 by law ([`crate::rules::late_elderly`]): on the 75th birthday the old 資格 ends and
//! 後期高齢者医療 starts at the 広域連合 of the person's prefecture, without a scenario event;
//! 家族 of an insured person who moves lose their 家族 資格 the same day.
//!
//! When the world applies it: when the clock reaches the birthday ([`World::apply_age_law`] after
//! every `advance`, and once after set-up: the harness calls it after building a scenario's
//! world) and after a `job.change` for the people it touched. The records carry the birthday as
//! 取得日 / 喪失日 whenever the clock passed it, so a jump over the birthday answers as if the
//! move had happened on the day.
//!
//! Registration: with the switch `late_elderly_change_registered_on_birthday` (default true) the
//! 後期 取得 and the 喪失 records reach the registry on the birthday itself; otherwise each after
//! its insurer's lag (REG-5).
//!
//! Who moves: a person who holds a 資格 covering the day before the birthday and, on the birthday,
//! either still holds a non-後期 資格 (the law ends it) or lost one on that day for 医療保険等の資格
//! 取得. A person already in 後期 on the birthday keeps that record (a scenario may declare it),
//! and a person without insurance the day before gets nothing (e.g. 生活保護).

use crate::clock::{Date, Span};
use crate::ids::{InsurerId, PersonId, QualificationId};
use crate::insurer::{LossReason, QualificationNumbers, Relation};
use crate::rules::late_elderly;
use crate::trace::Actor;

use super::{QualificationSpec, World, WorldError};

impl World {
    /// Applies 75歳到達 to every person whose 75th birthday is today or earlier (idempotent),
    /// earliest birthday first.
    pub fn apply_age_law(&mut self) -> Result<(), WorldError> {
        let today = self.clock.today();
        let mut order: Vec<(Date, PersonId)> = self
            .people
            .iter()
            .filter_map(|p| late_elderly::late_elderly_start(p.birth).map(|b| (b, p.id)))
            .filter(|(b, _)| *b <= today)
            .collect();
        order.sort();
        for (birthday, person) in order {
            self.move_to_late_elderly(person, birthday)?;
        }
        Ok(())
    }

    /// Sets the 被保険者番号 the 広域連合 gives `person` when the law moves them (default:
    /// [`late_elderly::generated_member_number`]).
    pub fn set_late_elderly_number(&mut self, person: PersonId, number: String) {
        self.late_elderly_numbers.insert(person, number);
    }

    pub(super) fn apply_age_law_for(&mut self, person: PersonId) -> Result<(), WorldError> {
        if let Some(b) = self
            .people
            .get(person.index())
            .and_then(|p| late_elderly::late_elderly_start(p.birth))
            .filter(|b| *b <= self.clock.today())
        {
            self.move_to_late_elderly(person, b)?;
        }
        Ok(())
    }

    fn is_late_elderly_insurer(&self, insurer: InsurerId) -> bool {
        self.insurers[insurer.index()].number.is_late_elderly()
    }

    fn move_to_late_elderly(&mut self, person: PersonId, birthday: Date) -> Result<(), WorldError> {
        let Ok(day_before) = birthday.yesterday() else {
            return Ok(());
        };
        let own: Vec<QualificationId> = self
            .person_quals
            .get(person.index())
            .map(|qs| {
                qs.iter()
                    .copied()
                    .filter(|q| self.quals[q.index()].person == person)
                    .collect()
            })
            .unwrap_or_default();
        if !own.iter().any(|q| self.quals[q.index()].covers(day_before)) {
            return Ok(());
        }
        let on_birthday = self
            .rules
            .switches()
            .late_elderly_change_registered_on_birthday;
        let mut moved = false;
        for q in &own {
            let qual = &self.quals[q.index()];
            if self.is_late_elderly_insurer(qual.numbers.insurer)
                || qual.acquired >= birthday
                || !qual.covers(birthday)
            {
                // A lost-on-the-birthday record moves the person as well.
                moved |= !self.is_late_elderly_insurer(qual.numbers.insurer)
                    && qual.lost == Some((birthday, LossReason::OtherInsurance));
                continue;
            }
            let lag = self.loss_lag(*q, on_birthday);
            self.end_qualification(*q, birthday, LossReason::OtherInsurance, lag)?;
            moved = true;
            if self.quals[q.index()].relation == Relation::Insured {
                self.end_dependents(
                    *q,
                    birthday,
                    on_birthday.then_some(0),
                    &[],
                    "被保険者の後期高齢者医療加入により家族の資格喪失",
                )?;
            }
        }
        let already = own.iter().any(|q| {
            let qual = &self.quals[q.index()];
            self.is_late_elderly_insurer(qual.numbers.insurer) && qual.covers(birthday)
        });
        if !moved || already {
            return Ok(());
        }
        let insurer = self.late_elderly_insurer_for(person, &own)?;
        let number = self
            .late_elderly_numbers
            .get(&person)
            .cloned()
            .unwrap_or_else(|| late_elderly::generated_member_number(person.index()));
        let lag = if on_birthday {
            0
        } else {
            self.insurers[insurer.index()].registration_lag_days
        };
        let registered_on = birthday.checked_add(Span::new().days(i64::from(lag))).ok();
        self.add_qualification(QualificationSpec {
            person,
            numbers: QualificationNumbers {
                insurer,
                symbol: None,
                number,
                branch: "00".into(),
            },
            relation: Relation::Insured,
            acquired: birthday,
            lost: None,
            registered_on,
            copay_override: None,
            limits: Vec::new(),
            designated_diseases: Vec::new(),
            income: Vec::new(),
        })?;
        let name = self.insurers[insurer.index()].name.clone();
        self.trace.push(
            self.clock.now(),
            Actor::Insurer,
            Actor::Registry,
            "insurer.enrol",
            Some(person),
            || {
                format!(
                    "75歳到達: 後期高齢者医療 資格取得 {birthday} ({name}), reaches the registry after {lag} day(s)"
                )
            },
        );
        Ok(())
    }

    /// The lag of the 喪失 record of `q` under the 75歳 rule.
    fn loss_lag(&self, q: QualificationId, on_birthday: bool) -> u32 {
        if on_birthday {
            0
        } else {
            self.insurers[self.quals[q.index()].numbers.insurer.index()].registration_lag_days
        }
    }

    /// Ends the 家族 records under the insured record `q` (same insurer, 記号 and 番号) that
    /// cover `on` (rules-tables §1.4): each 喪失 reaches the registry after `lag` days, or its
    /// insurer's lag; the people in `moving` lose it for 医療保険等の資格取得, the others for その他.
    pub(super) fn end_dependents(
        &mut self,
        q: QualificationId,
        on: Date,
        lag: Option<u32>,
        moving: &[PersonId],
        why: &'static str,
    ) -> Result<(), WorldError> {
        let insured = &self.quals[q.index()];
        let key = (
            insured.numbers.insurer,
            insured.numbers.symbol.clone(),
            insured.numbers.number.clone(),
            insured.person,
        );
        let dependents: Vec<QualificationId> = self
            .quals
            .iter()
            .filter(|d| {
                d.relation == Relation::Dependent
                    && d.person != key.3
                    && d.numbers.insurer == key.0
                    && d.numbers.symbol == key.1
                    && d.numbers.number == key.2
                    && d.acquired < on
                    && d.covers(on)
            })
            .map(|d| d.id)
            .collect();
        for d in dependents {
            let lag = lag.unwrap_or_else(|| self.loss_lag(d, false));
            let who = self.quals[d.index()].person;
            let reason = if moving.contains(&who) {
                LossReason::OtherInsurance
            } else {
                LossReason::Other
            };
            self.trace.push(
                self.clock.now(),
                Actor::Insurer,
                Actor::Registry,
                "insurer.dependent_loss",
                Some(who),
                || format!("{why} {on}"),
            );
            self.end_qualification(d, on, reason, lag)?;
        }
        Ok(())
    }

    /// The 広域連合 of the person's prefecture (by address, else by the prefecture of the old
    /// insurer's number): the scenario's, or a synthetic one created now.
    fn late_elderly_insurer_for(
        &mut self,
        person: PersonId,
        own: &[QualificationId],
    ) -> Result<InsurerId, WorldError> {
        let prefecture = late_elderly::prefecture_of(&self.people[person.index()].address)
            .or_else(|| {
                own.last().map(|q| {
                    self.insurers[self.quals[q.index()].numbers.insurer.index()]
                        .number
                        .prefecture()
                })
            })
            .filter(|p| (1..=47).contains(p))
            .unwrap_or(13);
        if let Some(i) = self
            .insurers
            .iter()
            .find(|i| i.number.is_late_elderly() && i.number.prefecture() == prefecture)
        {
            return Ok(i.id);
        }
        let number = late_elderly::synthetic_insurer_number(prefecture)?;
        let name = late_elderly::insurer_name(prefecture);
        let id = self.add_insurer(
            &late_elderly::synthetic_insurer_key(prefecture),
            number,
            &name,
            SYNTHETIC_LAG_DAYS,
        )?;
        self.trace.push(
            self.clock.now(),
            Actor::Insurer,
            Actor::Registry,
            "insurer.create",
            None,
            || format!("{name} ({number}) created for 75歳到達 (no 広域連合 declared for the prefecture)"),
        );
        Ok(id)
    }
}

/// Registration lag of a synthetic 広域連合: the 5-day limit of rules-tables §7.1.
const SYNTHETIC_LAG_DAYS: u32 = 5;
