//! PRV-7: visits settled on paper during an outage are confirmed once the registry answers
//! again.

use crate::registry::{NumberConfirm, Registry};
use crate::trace::{Actor, Trace};
use crate::view::View;

use super::{LaterConfirmation, ProviderState};

impl ProviderState {
    /// Confirms every visit still owed a confirmation, by the insurance numbers on the
    /// patient's paper 資格確認書 (the 資格 that covered the visit date), as of the visit date.
    /// The window payment already taken is not recomputed (a real clinic settles any
    /// difference at the next visit); the record keeps the answer's 資格有効性 and numbers.
    /// Call it when the registry answers again.
    pub fn confirm_later(&mut self, v: &View, registry: &mut Registry, trace: &mut Trace) {
        let pending: Vec<usize> = self
            .visits
            .iter()
            .filter(|r| r.confirm_later && r.confirmed_later.is_none())
            .map(|r| r.seq)
            .collect();
        for seq in pending {
            let rec = &self.visits[seq];
            let (person, institution, date) = (rec.person, rec.institution, rec.date);
            let qual = v.qualification_on(person, date);
            let Some(qual) = qual else {
                let rec = &mut self.visits[seq];
                rec.notes.push(
                    "後日確認: no 資格確認書 numbers to confirm with (no 資格 on the visit date)"
                        .into(),
                );
                rec.confirm_later = false;
                continue;
            };
            let req = NumberConfirm::new(
                institution,
                date,
                v.numbers_of(qual),
                v.people[person.index()].birth,
                false,
            );
            trace.push(
                v.now,
                Actor::Provider,
                Actor::Registry,
                "provider.retry",
                Some(person),
                || format!("後日確認: visit of {date}, confirmed by numbers"),
            );
            let answer = registry.confirm_numbers(v, trace, &req);
            let confirmed = answer
                .refusal()
                .is_none()
                .then(|| answer.results.first())
                .flatten()
                .map(|item| item.qualification);
            let rec = &mut self.visits[seq];
            rec.confirm_later = false;
            rec.confirmed_later = Some(LaterConfirmation {
                on: v.today,
                validity: answer.validity,
            });
            rec.notes.push(format!(
                "後日確認 {}: 資格有効性 {:?}",
                v.today, answer.validity
            ));
            if let Some(q) = confirmed {
                rec.take_qualification(v, q);
            }
        }
    }
}
