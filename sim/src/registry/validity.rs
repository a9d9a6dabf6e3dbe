//! 資格有効性 (OQSCD006, REG-4): one rule for both ways of asking, by card (the person's
//! records) and by insurance numbers (the records with those numbers).
//!
//! On the confirmation date, among the records the query identifies that the registry knows
//! (their 取得 registered), as the registry knows them (a 喪失 not yet registered is not known):
//!
//! 1. exactly one covers the date → 1 有効; more than one → 5 複数該当;
//! 2. none is known → 4 該当資格なし (rules-tables §7.2: "never registered ⇒ 4");
//! 3. none covers, and one of them ended before the date while the person has a qualification
//!    covering the date that started after it (it was replaced) → 3 無効（新しい資格あり）,
//!    carrying that record (§7.2: "queries by the old 記号番号 give 3");
//! 4. otherwise → 2 無効, carrying the latest record: it ended with nothing newer (§7.2: old
//!    insurer registered 喪失, new one not yet ⇒ 2), or it has not started yet.
//!
//! Why a qualification that has not started is 2, not 3 or 4: 3 says a *newer* qualification
//! replaced the one asked about; a qualification that covers the date while the one asked
//! about starts later is older, not newer. 4 says the numbers match no record, but the
//! registry holds this one. The record exists and is not in force on the date, which is what
//! 2 無効 says (OQSCD006 labels, oqs-wire.md; REG-4, REG-5). By card the identified records
//! are all of the person's, so a covering one is always among them and 3 never arises.

use crate::clock::Date;
use crate::codes::QualificationValidity;
use crate::ids::QualificationId;
use crate::view::View;

/// 資格有効性 on `date` for the `identified` records (those the registry knows), and the
/// records the answer carries.
pub(crate) fn judge(
    v: &View,
    identified: &[QualificationId],
    date: Date,
) -> (QualificationValidity, Vec<QualificationId>) {
    let covers = |q: &QualificationId| v.quals[q.index()].registry_covers(date, v.today);
    let covering: Vec<QualificationId> = identified.iter().copied().filter(covers).collect();
    match covering.len() {
        1 => return (QualificationValidity::Valid, covering),
        n if n > 1 => return (QualificationValidity::Multiple, covering),
        _ => {}
    }
    let mut by_start: Vec<QualificationId> = identified.to_vec();
    by_start.sort_by_key(|q| std::cmp::Reverse(v.quals[q.index()].acquired));
    if let Some(&replaced) = by_start.iter().find(|q| replaced_on(v, **q, date)) {
        return (QualificationValidity::InvalidNewerExists, vec![replaced]);
    }
    match by_start.first() {
        Some(&latest) => (QualificationValidity::Invalid, vec![latest]),
        None => (QualificationValidity::NotFound, Vec::new()),
    }
}

/// True when `q` had started by `date` and the same person holds, in the registry's view, a
/// qualification covering `date` that started after `q` (a newer one that replaced it).
fn replaced_on(v: &View, q: QualificationId, date: Date) -> bool {
    let old = &v.quals[q.index()];
    old.acquired <= date
        && v.person_quals(old.person).iter().any(|other| {
            let o = &v.quals[other.index()];
            *other != q && o.acquired > old.acquired && o.registry_covers(date, v.today)
        })
}
