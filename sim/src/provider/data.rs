//! PRV-3: the optional data the reference provider asks for after a confirmation.

use crate::answer::{Answer, DataDenied};
use crate::ids::{InstitutionId, PersonId};
use crate::registry::Registry;
use crate::rules::DataKind;
use crate::trace::Trace;
use crate::view::View;

/// Fetches, for `person` at `institution`, the data the answer's consent flags allow: only
/// items the patient consented to, only while the consent is valid (status 1), only those the
/// institution's 利用設定 shows, and only after a confirmation the registry did not refuse.
/// Returns each kind asked for with the number of items or the registry's refusal.
pub fn fetch_consented(
    v: &View,
    registry: &mut Registry,
    trace: &mut Trace,
    person: PersonId,
    institution: InstitutionId,
    answer: &Answer,
) -> Vec<(DataKind, Result<usize, DataDenied>)> {
    let mut fetched = Vec::new();
    let (Some(item), None, Some(settings)) = (
        answer.results.first(),
        answer.refusal(),
        v.institution(institution).map(|i| &i.settings),
    ) else {
        return fetched;
    };
    for flag in &item.consents {
        let Some(kind) = flag.item.data_kind() else {
            continue;
        };
        if flag.status != 1 || !settings.shows(flag.item) {
            continue;
        }
        let r = registry.fetch_for_institution(v, trace, person, institution, kind);
        fetched.push((kind, r.map(|p| p.len())));
    }
    fetched
}
