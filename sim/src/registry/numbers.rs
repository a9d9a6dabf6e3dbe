//! Finding 資格 records by insurance numbers (REG-9): the one rule behind a confirmation by
//! numbers, a 照会番号 registration and a data request by numbers.

use crate::clock::Date;
use crate::ids::{InsuranceNumbers, PersonId, QualificationId};
use crate::view::View;

/// The records the registry knows today (their 取得 registered) that carry `numbers`: the same
/// 保険者番号 and 番号, the same 記号 (an absent 記号 is the empty one), the same 枝番 unless the
/// query leaves it out or empty, and, when the query carries one, the same 生年月日. In the
/// order the records were added.
pub fn quals_with_numbers(
    v: &View,
    numbers: &InsuranceNumbers,
    birth: Option<Date>,
) -> Vec<QualificationId> {
    let symbol = numbers.symbol.as_deref().unwrap_or("");
    v.quals_by_number(numbers.insurer, &numbers.number)
        .iter()
        .copied()
        .filter(|q| {
            let q = &v.quals[q.index()];
            q.visible_on(v.today)
                && q.numbers.symbol.as_deref().unwrap_or("") == symbol
                && numbers
                    .branch
                    .as_deref()
                    .is_none_or(|b| b.is_empty() || b == q.numbers.branch)
                && birth.is_none_or(|b| v.people[q.person.index()].birth == b)
        })
        .collect()
}

/// The person a request by `numbers` (without a birth date) is about: the holder of the
/// newest matching record ([`quals_with_numbers`]; of records acquired the same day, the one
/// added first).
pub fn person_with_numbers(v: &View, numbers: &InsuranceNumbers) -> Option<PersonId> {
    quals_with_numbers(v, numbers, None)
        .into_iter()
        .min_by_key(|q| std::cmp::Reverse(v.quals[q.index()].acquired))
        .map(|q| v.quals[q.index()].person)
}
