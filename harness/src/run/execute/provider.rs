//! Steps of a scenario whose provider is under test: visits go to the system through the
//! adapter, the clock and outage notices are passed on, observations are refreshed before
//! checks.

use onshi_reports::{Check, Verdict};
use onshi_sim::trace::Actor;
use onshi_sim::world::{Event, Outcome, VisitOutcome};

use super::*;
use crate::adapter::ToAdapter;
use crate::adapter::protocol::FetchedKind;

use crate::scenario::names::RequestKindName;

/// Whether a logged violation makes a request ill-formed (errors, and a half-written file;
/// tolerated warnings such as an empty element do not).
pub(crate) fn breaks_request(code: &str) -> bool {
    code.starts_with("ONS-E") || code == onshi_sim::oqs::ResultCode::WrittenInPlace.code()
}

/// `siquc01, yzk`, or `none`.
pub(crate) fn kinds_text(kinds: &[RequestKindName]) -> String {
    if kinds.is_empty() {
        return "none".into();
    }
    kinds
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The data kind a fetched kind names.
pub(crate) fn fetched_data_kind(k: FetchedKind) -> onshi_sim::rules::DataKind {
    use onshi_sim::rules::DataKind;
    match k {
        FetchedKind::Medication => DataKind::Medication,
        FetchedKind::Treatment => DataKind::Treatment,
        FetchedKind::Surgery => DataKind::Surgery,
        FetchedKind::Checkup => DataKind::Checkup,
    }
}

impl Executor<'_> {
    /// A step of a scenario whose provider is under test: visits go to the system, the clock
    /// and outage notices are passed on, observations are refreshed before checks. The world
    /// is never locked while the adapter is waited for (its requests need the world).
    pub(crate) fn provider_step(
        &mut self,
        shared: &SharedWorld,
        step: &PlannedStep,
        n: usize,
    ) -> Result<(), String> {
        match &step.action {
            Action::Event(e) => match &**e {
                Event::Visit(spec) => return self.provider_visit(shared, spec, step, n),
                Event::Advance(_) | Event::AdvanceTo(_) => {
                    self.scenario_step(&mut shared.lock(), step, n)?;
                    let now = moment_text(&shared.lock());
                    return self.tell(shared, &ToAdapter::Time { now });
                }
                _ => {}
            },
            Action::Outage { kind, from, length } => {
                let notice = {
                    let mut w = shared.lock();
                    let start = from.unwrap_or_else(|| w.now());
                    let until = start.plus(*length).map_err(|e| e.to_string())?;
                    self.scenario_step(&mut w, step, n)?;
                    ToAdapter::Outage {
                        now: moment_text(&w),
                        kind: format!("{kind:?}").to_lowercase(),
                        from: format!("{}+09:00", start.to_string().trim_end_matches("+09:00")),
                        until: format!("{}+09:00", until.to_string().trim_end_matches("+09:00")),
                    }
                };
                return self.tell(shared, &notice);
            }
            Action::Expect(_) => self.refresh_observations(shared)?,
            _ => {}
        }
        self.scenario_step(&mut shared.lock(), step, n)
    }

    /// A step the harness performs itself (a `fetch`, a `confirm.numbers`, the clock): what
    /// it traces in the provider's place is the scenario's own, not the system's.
    fn scenario_step(&mut self, w: &mut World, step: &PlannedStep, n: usize) -> Result<(), String> {
        let start = w.trace().len();
        let done = self.step(w, step, n);
        w.trace_mut()
            .reassign(start, Actor::Provider, Actor::Scenario);
        done
    }

    /// Sends a message that wants `done`.
    pub(crate) fn tell(&mut self, shared: &SharedWorld, msg: &ToAdapter) -> Result<(), String> {
        let Some(put) = self.put.as_mut() else {
            return Ok(());
        };
        let result = put
            .adapter
            .call(msg)
            .map(|_| ())
            .map_err(|e| put.failure(&e));
        self.take_logs(shared);
        result
    }

    /// Puts the adapter's `log` lines into the trace.
    pub(crate) fn take_logs(&mut self, shared: &SharedWorld) {
        let Some(put) = self.put.as_mut() else {
            return;
        };
        let (mut logs, dropped) = put.adapter.take_logs();
        if logs.is_empty() {
            return;
        }
        if dropped > 0 {
            logs.insert(
                0,
                format!("({dropped} earlier log lines of this exchange not kept)"),
            );
        }
        let mut w = shared.lock();
        let now = w.now();
        for l in logs {
            w.trace_mut().push(
                now,
                Actor::Provider,
                Actor::Provider,
                "provider.log",
                None,
                || l,
            );
        }
    }

    /// Asks for every visit's record as the system holds it now.
    pub(crate) fn refresh_observations(&mut self, shared: &SharedWorld) -> Result<(), String> {
        let Some(put) = self.put.as_mut() else {
            return Ok(());
        };
        let now = moment_text(&shared.lock());
        let visits: Vec<String> = put.latest.keys().cloned().collect();
        let mut result = Ok(());
        for v in visits {
            let msg = ToAdapter::Observe {
                visit: v.clone(),
                now: now.clone(),
            };
            if let Err(e) = put.recorded(&msg, &v) {
                result = Err(e);
                break;
            }
        }
        self.take_logs(shared);
        result
    }

    /// A visit with the provider under test: the reader and registry part in the world, the
    /// face file, then the system's turn.
    pub(crate) fn provider_visit(
        &mut self,
        shared: &SharedWorld,
        spec: &VisitSpec,
        step: &PlannedStep,
        n: usize,
    ) -> Result<(), String> {
        let name = step.name.clone().unwrap_or_else(|| format!("visit-{n}"));
        let paper = spec.presentation == Presentation::EligibilityCertificate;
        let Some(put) = self.put.as_mut() else {
            return Err("no provider under test".into());
        };
        let log_from = put.service.log().total();
        let answered_before = put.service.answered();
        let world_part = if paper {
            None
        } else {
            let mut w = shared.lock();
            let start = w.trace().len();
            let applied = w.apply(Event::Visit(Box::new(spec.clone())));
            // The reader and registry part is the harness's: nothing of it is the system's.
            w.trace_mut()
                .reassign(start, Actor::Provider, Actor::Scenario);
            match applied.map_err(|e| e.to_string())? {
                Outcome::Visit(v) => Some(*v),
                _ => None,
            }
        };
        let face_file = match world_part.as_ref().and_then(|v| v.answer.as_ref()) {
            Some(a) => Some(put.write_face(a)?),
            None => None,
        };
        // Read back before the system may take the file away (clients delete or move them).
        let face_names = face_file.as_deref().and_then(|f| put.face_names(f));
        let facts = visit_facts(&shared.lock(), spec, &name, face_file.clone());
        let reply = put.recorded(&ToAdapter::Visit(Box::new(facts.event.clone())), &name);
        let requests = put.requests_since(log_from);
        let answered = put.service.answers_since(answered_before);
        let paper_answer = answered.last().cloned();
        self.take_logs(shared);
        let (recorded, raw) = reply?;
        let mut outcome = world_part.unwrap_or(VisitOutcome::default());
        if paper {
            outcome.answer = paper_answer;
        }
        let at = self.position(step.origin);
        // PRV-5: the My Number the patient wrote on the 問診票 is nowhere in the record.
        let leaked = raw.contains(&facts.my_number);
        self.checks.push(Check {
            name: "provider.my_number_not_stored".into(),
            at: at.clone(),
            step: Some(n),
            requirements: vec!["PRV-5".into()],
            verdict: if leaked { Verdict::Fail } else { Verdict::Pass },
            expected: "the My Number from the 問診票 appears nowhere in what the system recorded"
                .into(),
            actual: if leaked {
                "the `recorded` reply contains the My Number".into()
            } else {
                "not in the record".into()
            },
            note: None,
        });
        // PRV-1 / PRV-4: the numbers recorded come from an answer of this visit.
        {
            // A paper visit's answer is one of `answered` already.
            let card = if paper { None } else { outcome.answer.as_ref() };
            let answers: Vec<&onshi_sim::registry::Answer> =
                card.into_iter().chain(answered.iter()).collect();
            let w = shared.lock();
            self.numbers_as_answered(&w, &at, n, &recorded, &answers);
        }
        // PRV-2: a confirmation by numbers carries the patient's 限度額 answer (a paper visit,
        // or a card visit confirmed by the papers' numbers after the card route failed).
        {
            let want = if spec.paper_limit_consent() { "1" } else { "0" };
            for r in requests
                .iter()
                .filter(|r| RequestKindName::of_exchange(r.kind) == Some(RequestKindName::Siquc01))
            {
                let got = r
                    .summary
                    .limit_consent
                    .clone()
                    .unwrap_or_else(|| "none".into());
                self.checks.push(Check {
                    name: "provider.limit_consent_as_given".into(),
                    at: at.clone(),
                    step: Some(n),
                    requirements: vec!["PRV-2".into()],
                    verdict: if got == want {
                        Verdict::Pass
                    } else {
                        Verdict::Fail
                    },
                    expected: format!(
                        "LimitApplicationCertificateRelatedConsFlg {want} (the patient's answer)"
                    ),
                    actual: format!("{got} in {}", r.request),
                    note: None,
                });
            }
        }
        // PRV-6: the name as the result file carries it (its declared encoding): the name of
        // one of its results (with 複数該当, or a result of someone else after a 紐付け誤り, the
        // system records the one it chose).
        // A visit settled on no result (申立書, 資格有効性 3) may keep the name the patient gave
        // at admission instead.
        if let (Some(names), Some(got)) = (face_names, recorded.name.clone()) {
            use crate::adapter::protocol::SettledPath;
            let on_a_result = matches!(
                recorded.path,
                SettledPath::Confirmed | SettledPath::AskedPatient
            );
            let admitted = &facts.event.patient.name;
            let ok = names.contains(&got) || (!on_a_result && &got == admitted);
            let mut want = names.join(" / ");
            if !on_a_result {
                want.push_str(&format!(" (or the name given at admission, {admitted})"));
            }
            self.checks.push(Check {
                name: "provider.name_as_written".into(),
                at: at.clone(),
                step: Some(n),
                requirements: vec!["PRV-6".into()],
                verdict: if ok { Verdict::Pass } else { Verdict::Fail },
                expected: want,
                actual: got,
                note: (!ok).then(|| {
                    format!(
                        "the face file {} declares its encoding; the name differs from what it carries",
                        face_file.clone().unwrap_or_default()
                    )
                }),
            });
        }
        self.outputs.push(
            step.name.as_ref(),
            Output::ProviderVisit(
                Box::new(outcome),
                Box::new(AdapterVisit {
                    name,
                    recorded,
                    requests,
                }),
            ),
        );
        Ok(())
    }
}
