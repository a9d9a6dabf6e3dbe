//! [`View`]: the world's tables and clock, read-only, as the actors see them while the world
//! lends out its mutable parts (registry, portal, provider, trace) next to it.
//!
//! The view imports only the modules below the actors (records, rules, J-LIS, the card), so
//! every actor may import it without closing a circle through the world.

use std::collections::HashMap;

use crate::card::Card;
use crate::clock::{Date, Moment};
use crate::ids::{
    InstitutionCode, InstitutionId, InsuranceNumbers, InsurerNumber, PersonId, QualificationId,
};
use crate::institution::Institution;
use crate::insurer::{Insurer, Qualification};
use crate::jlis::Jlis;
use crate::person::Person;
use crate::rules::RuleSet;

/// Read-only access to the world for the actors (split from the mutable parts).
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// Now.
    pub now: Moment,
    /// Today.
    pub today: Date,
    /// Rules.
    pub rules: &'a RuleSet,
    /// People.
    pub people: &'a [Person],
    /// Cards.
    pub cards: &'a [Card],
    /// Insurers.
    pub insurers: &'a [Insurer],
    /// Qualifications.
    pub quals: &'a [Qualification],
    /// Institutions.
    pub institutions: &'a [Institution],
    /// J-LIS.
    pub jlis: &'a Jlis,
    /// Each person's qualifications, oldest first (read through [`View::person_quals`]).
    pub(crate) person_quals: &'a [Vec<QualificationId>],
    /// Qualifications by (保険者番号, 番号) (read through [`View::quals_by_number`]).
    pub(crate) by_number: &'a HashMap<(InsurerNumber, String), Vec<QualificationId>>,
}

impl<'a> View<'a> {
    /// An institution by handle.
    pub fn institution(&self, id: InstitutionId) -> Option<&'a Institution> {
        self.institutions.get(id.index())
    }

    /// The institution with this 医療機関コード, if the world has it.
    pub fn institution_by_code(&self, code: InstitutionCode) -> Option<&'a Institution> {
        self.institutions.iter().find(|i| i.code == code)
    }

    /// A person's qualifications, oldest first.
    pub fn person_quals(&self, person: PersonId) -> &'a [QualificationId] {
        self.person_quals
            .get(person.index())
            .map_or(&[], |v| v.as_slice())
    }

    /// Qualifications with this insurer number and 番号.
    pub fn quals_by_number(&self, insurer: InsurerNumber, number: &str) -> &'a [QualificationId] {
        self.by_number
            .get(&(insurer, number.to_string()))
            .map_or(&[], |v| v.as_slice())
    }

    /// The insurance numbers of a qualification (保険者番号 of its insurer, 記号, 番号, 枝番), as
    /// its 資格確認書 shows them.
    pub fn numbers_of(&self, q: QualificationId) -> InsuranceNumbers {
        let n = &self.quals[q.index()].numbers;
        InsuranceNumbers {
            insurer: self.insurers[n.insurer.index()].number,
            symbol: n.symbol.clone(),
            number: n.number.clone(),
            branch: Some(n.branch.clone()),
        }
    }

    /// The person's own qualification that covers `date` (newest first): the one whose
    /// numbers their paper 資格確認書 / 資格情報のお知らせ carries for that day. The record's
    /// member decides, not the 個人番号 it is filed under: after a 紐付け誤り the member's
    /// record sits in someone else's list, but the papers are still the member's.
    pub fn qualification_on(&self, person: PersonId, date: Date) -> Option<QualificationId> {
        let own = |q: &QualificationId| {
            let r = &self.quals[q.index()];
            r.person == person && r.covers(date)
        };
        self.person_quals(person)
            .iter()
            .rev()
            .copied()
            .find(own)
            .or_else(|| self.quals.iter().rev().map(|r| r.id).find(own))
    }

    /// The person's own qualification that covers them today (see [`Self::qualification_on`]).
    pub fn current_qualification(&self, person: PersonId) -> Option<QualificationId> {
        self.qualification_on(person, self.today)
    }
}
