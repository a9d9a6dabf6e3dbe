//! One step on the locked world: events, confirmations by numbers, outages, checks now, and
//! steps that must be refused.

use super::*;

impl Executor<'_> {
    pub(crate) fn step(
        &mut self,
        w: &mut World,
        step: &PlannedStep,
        n: usize,
    ) -> Result<(), String> {
        match &step.action {
            Action::Event(e) => {
                let paper = matches!(&**e, Event::Visit(spec) if spec.presentation == Presentation::EligibilityCertificate);
                let out = w.apply((**e).clone()).map_err(|e| e.to_string())?;
                match out {
                    Outcome::Visit(v) => self
                        .outputs
                        .push(step.name.as_ref(), Output::Visit(v, paper)),
                    Outcome::Answer(a) => self.outputs.push(step.name.as_ref(), Output::Answer(a)),
                    Outcome::Data(d) => self.outputs.push(step.name.as_ref(), Output::Data(d)),
                    Outcome::Portal(p) => self.outputs.push(step.name.as_ref(), Output::Portal(p)),
                    Outcome::Jpki(j) => self.outputs.push(step.name.as_ref(), Output::Jpki(j)),
                    Outcome::Surface(s) => {
                        self.outputs.push(step.name.as_ref(), Output::Surface(s))
                    }
                    Outcome::Done | Outcome::Registered { .. } => {}
                }
            }
            Action::ConfirmNumbers {
                institution,
                person,
                insurer_number,
                symbol,
                number,
                branch,
                born,
                limit_consent,
            } => {
                let today = w.clock().today();
                let current = w.view().current_qualification(*person);
                let q = current.and_then(|q| w.quals().get(q.index()));
                let default_number = q
                    .and_then(|q| w.insurers().get(q.numbers.insurer.index()))
                    .map(|i| i.number);
                let insurer_number: InsurerNumber = insurer_number
                    .or(default_number)
                    .ok_or("the person has no 資格 to take the numbers from; give insurer_number and number")?;
                let req = NumberConfirm {
                    institution: *institution,
                    date: today,
                    numbers: InsuranceNumbers {
                        insurer: insurer_number,
                        symbol: symbol
                            .clone()
                            .or_else(|| q.and_then(|q| q.numbers.symbol.clone())),
                        number: number
                            .clone()
                            .or_else(|| q.map(|q| q.numbers.number.clone()))
                            .ok_or("no 番号 to confirm with")?,
                        branch: branch
                            .clone()
                            .or_else(|| q.map(|q| q.numbers.branch.clone())),
                    },
                    birth: born.unwrap_or_else(|| w.people()[person.index()].birth),
                    limit_consent: *limit_consent,
                };
                let out = w
                    .apply(onshi_sim::world::Event::ConfirmByNumbers(Box::new(req)))
                    .map_err(|e| e.to_string())?;
                if let Outcome::Answer(a) = out {
                    self.outputs.push(step.name.as_ref(), Output::Answer(a));
                }
            }
            Action::Outage { kind, from, length } => {
                let from = from.unwrap_or_else(|| w.now());
                let until = from.plus(*length).map_err(|e| e.to_string())?;
                w.apply(onshi_sim::world::Event::Outage(Outage {
                    kind: *kind,
                    from,
                    until,
                }))
                .map_err(|e| e.to_string())?;
            }
            Action::Expect(list) => {
                for pe in list {
                    self.check(w, pe, Some(n));
                }
            }
            Action::Fails {
                step: inner,
                error,
                requirements,
            } => {
                let result = self.step(w, inner, n);
                let expected = match error {
                    Some(t) => format!("refused, with an error containing \"{t}\""),
                    None => "refused".to_string(),
                };
                let (mut verdict, actual, mut note) = match result {
                    Ok(()) => (
                        Verdict::Fail,
                        "accepted".to_string(),
                        Some("the step was expected to be refused, and it went through".into()),
                    ),
                    Err(e) => match error {
                        Some(t) if !e.contains(t.as_str()) => (
                            Verdict::Fail,
                            format!("refused: {e}"),
                            Some("refused, but not for the expected reason".into()),
                        ),
                        _ => (Verdict::Pass, format!("refused: {e}"), None),
                    },
                };
                if self.registry.is_some() {
                    // The world refused or accepted the step, not the registry under test.
                    verdict = Verdict::Skip;
                    note = Some("about the reference world; the registry under test is checked against the reference's answers (registry_under_test.* checks)".into());
                }
                self.checks.push(Check {
                    name: "fails".into(),
                    at: self.position(step.origin),
                    step: Some(n),
                    requirements: requirements.clone(),
                    verdict,
                    expected,
                    actual,
                    note,
                });
            }
        }
        Ok(())
    }
}
