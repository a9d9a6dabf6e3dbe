//! `provider` expectations: what the provider recorded and charged, the reference's record
//! or what a system under test reported.

use super::*;
use crate::scenario::names::RelationName;

/// What a provider recorded for a visit, as the `provider` expectation compares it: the
/// reference provider's record, or what a system under test reported.
#[derive(Clone, Debug)]
pub(crate) struct Observed {
    pub(crate) under_test: bool,
    pub(crate) path: String,
    pub(crate) charged: Option<u64>,
    pub(crate) charge_note: Option<String>,
    pub(crate) copay_percent: Option<u8>,
    pub(crate) insurer_number: Option<String>,
    pub(crate) symbol: Option<String>,
    pub(crate) number: Option<String>,
    pub(crate) branch: Option<String>,
    pub(crate) relation: Option<RelationName>,
    pub(crate) name: Option<String>,
    pub(crate) limit_category: Option<String>,
    pub(crate) cap: Option<u64>,
    pub(crate) confirm_later: bool,
    /// The later confirmation as the provider holds it now: date, 資格有効性.
    pub(crate) later: Option<(String, Option<u8>)>,
    pub(crate) fetched: Vec<DataKind>,
}

impl Observed {
    pub(crate) fn reference(w: &World, rec: &onshi_sim::provider::VisitRecord) -> Observed {
        // The visit's record as the provider holds it now (a retry updates it).
        let later = w
            .provider()
            .visits
            .get(rec.seq)
            .and_then(|r| r.confirmed_later)
            .map(|l| {
                (
                    l.on.to_string(),
                    l.validity.and_then(|v| v.code().parse().ok()),
                )
            });
        Observed {
            under_test: false,
            path: path_name(rec.path).name().to_string(),
            charged: Some(rec.charged),
            charge_note: Some(format!("fee {} yen, copay {}%", rec.fee, rec.copay_percent)),
            copay_percent: Some(rec.copay_percent),
            insurer_number: rec.numbers.as_ref().map(|n| n.insurer.digits()),
            symbol: rec.numbers.as_ref().and_then(|n| n.symbol.clone()),
            number: rec.numbers.as_ref().map(|n| n.number.clone()),
            branch: rec.numbers.as_ref().and_then(|n| n.branch.clone()),
            relation: rec.relation.map(RelationName::of),
            name: Some(rec.name.clone()),
            limit_category: rec.limit_category.map(|c| c.code().to_string()),
            cap: rec.cap,
            confirm_later: rec.confirm_later,
            later,
            fetched: rec.fetched.clone(),
        }
    }

    pub(crate) fn under_test(
        r: &crate::adapter::Recorded,
        latest: Option<&crate::adapter::Recorded>,
    ) -> Observed {
        let now = latest.unwrap_or(r);
        Observed {
            under_test: true,
            path: r.path.name().to_string(),
            charged: r.charged,
            charge_note: Some(format!(
                "as reported by the system under test (copay {})",
                r.copay_percent
                    .map_or_else(|| "not reported".into(), |c| format!("{c}%"))
            )),
            copay_percent: r.copay_percent,
            insurer_number: r.insurer_number.clone(),
            symbol: r.symbol.clone(),
            number: r.number.clone(),
            branch: r.branch.clone(),
            relation: r.relation,
            name: r.name.clone(),
            limit_category: r.limit_category.clone(),
            cap: r.cap,
            confirm_later: r.confirm_later,
            later: now
                .confirmed_later
                .as_ref()
                .map(|l| (l.on.clone(), l.validity)),
            fetched: r
                .fetched
                .iter()
                .map(|k| provider::fetched_data_kind(*k))
                .collect(),
        }
    }
}

impl Executor<'_> {
    pub(crate) fn provider(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        p: &ProviderCheck,
    ) {
        let found = self.outputs.find(&p.of, "a visit", |o| match o {
            Output::ProviderVisit(_, a) => Some(Err(a.clone())),
            o => visit_of(o).map(|v| Ok(v.record.clone())),
        });
        let obs = match found {
            Err(e) => {
                self.fail(pe, step, "provider", "a visit".into(), e);
                return;
            }
            Ok(Err(a)) => {
                let latest = self.put.as_ref().and_then(|put| put.latest.get(&a.name));
                Observed::under_test(&a.recorded, latest)
            }
            Ok(Ok(Some(rec))) => Observed::reference(w, &rec),
            Ok(Ok(None)) => {
                self.fail(
                    pe,
                    step,
                    "provider",
                    "a visit record from the provider".into(),
                    "the provider recorded nothing for this visit".into(),
                );
                return;
            }
        };
        let none = || "none".to_string();
        if let Some(want) = &p.path {
            self.push(
                pe,
                step,
                "provider.path",
                want.name().to_string(),
                obs.path.clone(),
                None,
            );
        }
        if let Some(want) = p.charged {
            self.push(
                pe,
                step,
                "provider.charged",
                format!("{want} yen"),
                obs.charged.map_or_else(none, |c| format!("{c} yen")),
                obs.charge_note.clone(),
            );
        }
        if let Some(want) = p.copay_percent {
            self.push(
                pe,
                step,
                "provider.copay_percent",
                want.to_string(),
                obs.copay_percent.map_or_else(none, |c| c.to_string()),
                None,
            );
        }
        if let Some(want) = &p.insurer_number {
            let got = obs.insurer_number.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.insurer_number", want.clone(), got, None);
        }
        if let Some(want) = &p.symbol {
            let got = obs.symbol.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.symbol", want.clone(), got, None);
        }
        if let Some(want) = &p.number {
            let got = obs.number.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.number", want.clone(), got, None);
        }
        if let Some(want) = &p.branch {
            let got = obs.branch.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.branch", want.clone(), got, None);
        }
        if let Some(want) = p.relation {
            let got = obs.relation.map_or_else(none, |r| r.name().to_string());
            self.push(pe, step, "provider.relation", want.name().into(), got, None);
        }
        if let Some(want) = &p.name {
            let got = obs.name.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.name", want.clone(), got, None);
        }
        if let Some(want) = &p.limit_category {
            let got = obs.limit_category.clone().unwrap_or_else(none);
            self.push(
                pe,
                step,
                "provider.limit_category",
                want.name().into(),
                got,
                None,
            );
        }
        if let Some(want) = &p.cap {
            let got = obs.cap.map_or_else(none, |c| c.to_string());
            self.push(pe, step, "provider.cap", want.to_string(), got, None);
        }
        if let Some(want) = p.confirm_later {
            self.push(
                pe,
                step,
                "provider.confirm_later",
                want.to_string(),
                obs.confirm_later.to_string(),
                None,
            );
        }
        if let Some(want) = &p.confirmed_later {
            let got = obs.later.as_ref().map_or_else(none, |(on, _)| on.clone());
            self.push(
                pe,
                step,
                "provider.confirmed_later",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = p.later_validity {
            let got = obs
                .later
                .as_ref()
                .and_then(|(_, v)| *v)
                .map_or_else(none, |v| v.to_string());
            self.push(
                pe,
                step,
                "provider.later_validity",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = &p.fetched {
            let mut want = want.sorted();
            let mut got = obs.fetched.clone();
            got.sort();
            let mut note = None;
            if obs.under_test {
                // Only 薬剤 (YZK) and 特定健診 (TKK) travel over the folder protocol.
                let wire = |k: &DataKind| matches!(k, DataKind::Medication | DataKind::Checkup);
                if want.items().chain(&got).any(|k| !wire(k)) {
                    note = Some(
                        "compared over the kinds the folder protocol carries (medication, checkup)"
                            .to_string(),
                    );
                }
                want.retain(wire);
                got.retain(wire);
                if let ListExpect::Match {
                    contains,
                    not_contains,
                } = &want
                    && contains.is_empty()
                    && not_contains.is_empty()
                {
                    // Nothing the folder protocol carries is left to compare: not a pass.
                    self.checks.push(Check {
                        name: "provider.fetched".into(),
                        at: self.position(pe.origin),
                        step,
                        requirements: pe.requirements.clone(),
                        verdict: Verdict::Skip,
                        expected: "-".into(),
                        actual: list(got.iter()),
                        note: Some(
                            "only medication and checkup travel over the folder protocol; this \
                             expectation names neither"
                                .into(),
                        ),
                    });
                    return;
                }
            }
            self.push_list(
                pe,
                step,
                "provider.fetched",
                &want,
                &got,
                |l| list(l.iter()),
                note,
            );
        }
    }
}

/// 保険者番号, 記号, 番号 and 枝番 as one comparable text (`01130012 1234 5678 00`; the insurer
/// number in its canonical digits, so `00138016` and `  138016` are `138016`).
/// An absent part and an empty one (`""`) are the same: `-`.
fn numbers_text(insurer: &str, symbol: Option<&str>, number: &str, branch: Option<&str>) -> String {
    let insurer = onshi_sim::ids::InsurerNumber::parse(insurer)
        .map(|n| n.digits())
        .unwrap_or_else(|_| insurer.trim().to_string());
    let part = |p: Option<&str>| {
        p.map(str::trim)
            .filter(|p| !p.is_empty())
            .unwrap_or("-")
            .to_string()
    };
    format!(
        "{insurer} {} {} {}",
        part(symbol),
        number.trim(),
        part(branch)
    )
}

impl Executor<'_> {
    /// PRV-1 / PRV-4, at every visit of a system under test: the numbers it recorded are those
    /// of a result it was answered during the visit (`confirmed`, `asked_patient`: the card's
    /// answer or a confirmation by numbers), and none at all on a 申立書 or 資格有効性 3 visit
    /// (docs/adapter-protocol.md, "What the desk does"). Paper visits are left to the
    /// scenarios, which know the paper's numbers.
    pub(crate) fn numbers_as_answered(
        &mut self,
        w: &World,
        at: &str,
        step: usize,
        recorded: &crate::adapter::Recorded,
        answers: &[&onshi_sim::registry::Answer],
    ) {
        use crate::adapter::protocol::SettledPath;
        let got = recorded.number.as_ref().map(|number| {
            numbers_text(
                recorded.insurer_number.as_deref().unwrap_or(""),
                recorded.symbol.as_deref(),
                number,
                recorded.branch.as_deref(),
            )
        });
        let (expected, ok) = match recorded.path {
            SettledPath::Confirmed | SettledPath::AskedPatient => {
                let answered: Vec<String> = answers
                    .iter()
                    .filter(|a| a.refusal().is_none())
                    .flat_map(|a| a.results.iter())
                    .map(|item| {
                        let n = w.view().numbers_of(item.qualification);
                        numbers_text(
                            &n.insurer.digits(),
                            n.symbol.as_deref(),
                            &n.number,
                            n.branch.as_deref(),
                        )
                    })
                    .collect();
                let ok = got.as_ref().is_some_and(|g| answered.contains(g));
                let expected = if answered.is_empty() {
                    "numbers from an answer (the system was answered no result)".to_string()
                } else {
                    format!("the numbers of a result answered: {}", answered.join(" / "))
                };
                (expected, ok)
            }
            SettledPath::DeclarationForm | SettledPath::FollowedNewQualification => (
                "no numbers (申立書 or 資格有効性 3: the answer's record is not in force)".into(),
                got.is_none() && recorded.insurer_number.is_none(),
            ),
            SettledPath::PaperCertificate => return,
        };
        self.checks.push(Check {
            name: "provider.numbers_as_answered".into(),
            at: at.to_string(),
            step: Some(step),
            requirements: vec!["PRV-1".into(), "PRV-4".into()],
            verdict: if ok { Verdict::Pass } else { Verdict::Fail },
            expected,
            actual: format!(
                "{}: {}",
                recorded.path.name(),
                got.unwrap_or_else(|| "no numbers".into())
            ),
            note: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::numbers_text;

    #[test]
    fn numbers_compare_the_same_however_the_parts_are_written() {
        let canonical = numbers_text("138016", None, "00872", Some("00"));
        assert_eq!(canonical, "138016 - 00872 00");
        for (insurer, symbol, number, branch) in [
            ("00138016", Some(""), "00872", Some("00")),
            ("  138016", Some("  "), " 00872 ", Some("00")),
        ] {
            assert_eq!(numbers_text(insurer, symbol, number, branch), canonical);
        }
        assert_ne!(
            numbers_text("138016", Some("1"), "00872", Some("00")),
            canonical
        );
        assert_ne!(numbers_text("138016", None, "00872", None), canonical);
    }
}
