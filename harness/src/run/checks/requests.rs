//! `requests` expectations and the automatic `provider.*` checks over every request a
//! system under test sent.

use super::*;

impl Executor<'_> {
    /// Checks over every request the system sent in the scenario (end of the scenario).
    pub(crate) fn requests_checks(&mut self, put: &UnderTest, plan: &Plan) {
        let all = put.requests_since(0);
        let at = plan
            .steps
            .first()
            .map(|s| self.position(s.origin))
            .unwrap_or_default();
        if !all.is_empty() {
            let bad: Vec<String> = all
                .iter()
                .filter_map(|r| {
                    let broken: Vec<String> = r
                        .violations
                        .iter()
                        .filter(|v| breaks_request(&v.code))
                        .map(|v| format!("{} {} ({}): {}", v.code, v.path, v.rule, v.message))
                        .collect();
                    (!broken.is_empty()).then(|| format!("{}: {}", r.request, broken.join("; ")))
                })
                .collect();
            self.checks.push(Check {
                name: "provider.requests_well_formed".into(),
                at: at.clone(),
                step: None,
                requirements: vec!["REG-9".into()],
                verdict: if bad.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                expected: "every request valid and written with write-then-rename".into(),
                actual: if bad.is_empty() {
                    format!("{} requests, all valid", all.len())
                } else {
                    bad.join("\n")
                },
                note: None,
            });
        }
        let data: Vec<&ExchangeRecord> = all
            .iter()
            .filter(|r| matches!(r.kind, ExchangeKind::Yzk | ExchangeKind::Tkk))
            .collect();
        if !data.is_empty() {
            let refused: Vec<String> = data
                .iter()
                .filter(|r| {
                    matches!(
                        r.result_code.as_deref(),
                        Some("ONS-E0105") | Some("ONS-E0106")
                    )
                })
                .map(|r| {
                    format!(
                        "{} answered {}",
                        r.request,
                        r.result_code.clone().unwrap_or_default()
                    )
                })
                .collect();
            self.checks.push(Check {
                name: "provider.no_data_without_consent".into(),
                at,
                step: None,
                requirements: vec!["PRV-3".into()],
                verdict: if refused.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                expected: "薬剤/特定健診 requested only under a valid consent".into(),
                actual: if refused.is_empty() {
                    format!("{} data requests, each under a consent", data.len())
                } else {
                    refused.join("\n")
                },
                note: None,
            });
        }
    }

    /// `requests`: what the provider sent during a visit.
    pub(crate) fn requests(&mut self, pe: &PlannedExpect, step: Option<usize>, r: &RequestsCheck) {
        let sent = self.outputs.find(&r.of, "a visit", sent_kinds);
        let mut sent = match sent {
            Ok(s) => s,
            Err(e) => {
                self.fail(pe, step, "requests", "a visit".into(), e);
                return;
            }
        };
        sent.sort();
        if !r.at_most.is_empty() {
            let count = |k: RequestKindName| sent.iter().filter(|x| **x == k).count() as u32;
            let over: Vec<String> = r
                .at_most
                .iter()
                .filter(|(k, n)| count(*k) > *n)
                .map(|(k, n)| format!("{} {} times (at most {n})", k.name(), count(*k)))
                .collect();
            let counted = |list: &[(RequestKindName, u32)]| {
                list.iter()
                    .map(|(k, n)| format!("{} ×{n}", k.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let actual: Vec<(RequestKindName, u32)> =
                r.at_most.iter().map(|(k, _)| (*k, count(*k))).collect();
            self.checks.push(Check {
                name: "requests.at_most".into(),
                at: self.position(pe.origin),
                step,
                requirements: pe.requirements.clone(),
                verdict: if over.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                expected: format!("at most: {}", counted(&r.at_most)),
                actual: format!("sent: {}", counted(&actual)),
                note: (!over.is_empty()).then(|| format!("sent {}", over.join(", "))),
            });
        }
        sent.dedup();
        if !r.sent.is_empty() {
            let missing: Vec<RequestKindName> = r
                .sent
                .iter()
                .copied()
                .filter(|k| !sent.contains(k))
                .collect();
            self.requests_check(
                pe,
                step,
                "requests.sent",
                format!("sent: {}", kinds_text(&r.sent)),
                &sent,
                &missing,
                "not sent",
            );
        }
        if !r.not_sent.is_empty() {
            let wrong: Vec<RequestKindName> = r
                .not_sent
                .iter()
                .copied()
                .filter(|k| sent.contains(k))
                .collect();
            self.requests_check(
                pe,
                step,
                "requests.not_sent",
                format!("never sent: {}", kinds_text(&r.not_sent)),
                &sent,
                &wrong,
                "sent anyway",
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn requests_check(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        name: &str,
        expected: String,
        sent: &[RequestKindName],
        wrong: &[RequestKindName],
        what: &str,
    ) {
        self.checks.push(Check {
            name: name.into(),
            at: self.position(pe.origin),
            step,
            requirements: pe.requirements.clone(),
            verdict: if wrong.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            expected,
            actual: format!("sent: {}", kinds_text(sent)),
            note: (!wrong.is_empty()).then(|| format!("{what}: {}", kinds_text(wrong))),
        });
    }
}

/// The request kinds the provider sent during a visit: what a system under test sent while
/// the visit was open, or what the reference provider's settlement stands for (a paper visit
/// and a card visit confirmed by the papers' numbers are a `siquc01`, fetched 薬剤 / 特定健診
/// a `yzk` / `tkk`). `None` for an output that is no visit.
pub(crate) fn sent_kinds(o: &Output) -> Option<Vec<RequestKindName>> {
    match o {
        Output::ProviderVisit(_, a) => Some(
            a.requests
                .iter()
                .filter_map(|x| RequestKindName::of_exchange(x.kind))
                .collect::<Vec<_>>(),
        ),
        Output::Visit(v, paper) => {
            let mut kinds = Vec::new();
            if *paper || v.by_numbers.is_some() {
                kinds.push(RequestKindName::Siquc01);
            }
            for k in v.record.iter().flat_map(|rec| rec.fetched.iter()) {
                match k {
                    onshi_sim::rules::DataKind::Medication => kinds.push(RequestKindName::Yzk),
                    onshi_sim::rules::DataKind::Checkup => kinds.push(RequestKindName::Tkk),
                    _ => {}
                }
            }
            Some(kinds)
        }
        _ => None,
    }
}
