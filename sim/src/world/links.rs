//! 紐付け誤り (rules-tables §8, the 2023 incidents): an insurer registers a member's 資格 under
//! another person's 個人番号, the registry's J-LIS 照合 finds it, the insurer fixes it.
//!
//! What the registry holds: each record carries the member's 基本4情報 as the insurer recorded
//! them (its [`Qualification::person`]) and the person whose 個人番号 it was registered under
//! ([`Qualification::linked_person`]); a card confirmation finds the records linked to the card
//! holder. A wrong link therefore shows the *member's* 氏名・生年月日・性別 to the clinic where the
//! other person presents their card (what a careful window notices), and the member's own card
//! no longer finds the record.
//!
//! The J-LIS 照合 compares the record's 氏名, 生年月日 and 性別 with 住民基本台帳 for the linked
//! 個人番号 (the 2023 総点検 over all links; from `jlis_check_on_registration_from` every new
//! record at registration); a mismatch is flagged and the record withheld (not shown by card or
//! by numbers) until the insurer corrects the link (rules-tables §7.1, §8: "mismatches hidden
//! until confirmed"). A wrong link between people with the same three attributes is not found,
//! as in the real check.
//!
//! [`Qualification::person`]: crate::insurer::Qualification::person
//! [`Qualification::linked_person`]: crate::insurer::Qualification::linked_person

use crate::ids::{PersonId, QualificationId};
use crate::trace::Actor;

use super::{World, WorldError};

impl World {
    pub(super) fn link_wrong_person(
        &mut self,
        member: PersonId,
        linked_to: PersonId,
    ) -> Result<(), WorldError> {
        if linked_to.index() >= self.people.len() || member == linked_to {
            return Err(WorldError::Invalid(
                "a wrong link needs two different people".into(),
            ));
        }
        let today = self.clock.today();
        let q = self
            .quals
            .iter()
            .rev()
            .find(|q| q.person == member && q.linked_person == member && q.covers(today))
            .or_else(|| {
                self.quals
                    .iter()
                    .rev()
                    .find(|q| q.person == member && q.linked_person == member)
            })
            .map(|q| q.id)
            .ok_or_else(|| {
                WorldError::Invalid(format!(
                    "{} has no 資格 linked to their own 個人番号",
                    self.people[member.index()].key
                ))
            })?;
        self.relink(q, linked_to);
        let (insurer, number) = {
            let qual = &self.quals[q.index()];
            (
                self.insurers[qual.numbers.insurer.index()].number,
                qual.numbers.number.clone(),
            )
        };
        self.trace.push(
            self.clock.now(),
            Actor::Insurer,
            Actor::Registry,
            "insurer.mislink",
            Some(member),
            || {
                format!(
                    "紐付け誤り: 資格 {insurer} {number} registered under another person's 個人番号"
                )
            },
        );
        let checked_at_registration = self
            .rules
            .switches()
            .jlis_check_on_registration_from
            .is_some_and(|from| from <= today);
        if checked_at_registration {
            self.flag_if_mismatched(q);
        }
        Ok(())
    }

    pub(super) fn fix_link(&mut self, member: PersonId) -> Result<(), WorldError> {
        let wrong: Vec<QualificationId> = self
            .quals
            .iter()
            .filter(|q| q.person == member && q.linked_person != member)
            .map(|q| q.id)
            .collect();
        if wrong.is_empty() {
            return Err(WorldError::Invalid(format!(
                "{} has no record linked to someone else",
                self.people
                    .get(member.index())
                    .map_or("?", |p| p.key.as_str())
            )));
        }
        for q in wrong {
            self.relink(q, member);
            self.quals[q.index()].flagged_on = None;
            self.trace.push(
                self.clock.now(),
                Actor::Insurer,
                Actor::Registry,
                "insurer.fix_link",
                Some(member),
                || "紐付け訂正: the record is registered under the member's own 個人番号".into(),
            );
        }
        Ok(())
    }

    pub(super) fn jlis_check_links(&mut self) {
        let ids: Vec<QualificationId> = self.quals.iter().map(|q| q.id).collect();
        let mut flagged = 0usize;
        for q in ids {
            if self.quals[q.index()].flagged_on.is_none() && self.flag_if_mismatched(q) {
                flagged += 1;
            }
        }
        let total = self.quals.len();
        self.trace.push(
            self.clock.now(),
            Actor::Registry,
            Actor::Jlis,
            "registry.jlis_check",
            None,
            || format!("J-LIS 照合 of {total} record(s): {flagged} mismatch(es) withheld"),
        );
    }

    /// Flags `q` when its 基本4情報 differ from those of the linked 個人番号; true if flagged.
    fn flag_if_mismatched(&mut self, q: QualificationId) -> bool {
        let qual = &self.quals[q.index()];
        let (member, linked) = (
            &self.people[qual.person.index()],
            &self.people[qual.linked_person.index()],
        );
        let mismatch =
            member.name != linked.name || member.birth != linked.birth || member.sex != linked.sex;
        if !mismatch {
            return false;
        }
        let who = qual.person;
        let today = self.clock.today();
        self.quals[q.index()].flagged_on = Some(today);
        self.trace.push(
            self.clock.now(),
            Actor::Jlis,
            Actor::Registry,
            "registry.link_flagged",
            Some(who),
            || "J-LIS 照合: 氏名・生年月日・性別 do not match the linked 個人番号; record withheld until the insurer fixes the link".into(),
        );
        true
    }

    /// Moves `q` to the records of `to` (the registry's index by 個人番号).
    pub(super) fn relink(&mut self, q: QualificationId, to: PersonId) {
        let from = self.quals[q.index()].linked_person;
        if let Some(list) = self.person_quals.get_mut(from.index()) {
            list.retain(|x| *x != q);
        }
        if let Some(list) = self.person_quals.get_mut(to.index()) {
            list.push(q);
            list.sort();
        }
        self.quals[q.index()].linked_person = to;
    }
}
