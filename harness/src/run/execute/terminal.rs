//! Card visits in `terminal: true` scenarios: the card goes to the terminal role (the built-in
//! terminal or a terminal under test in a vpcd reader), and what the terminal did is kept.

use super::*;

impl Executor<'_> {
    pub(crate) fn terminal_visit(
        &mut self,
        shared: &SharedWorld,
        role: &TerminalRole,
        spec: &VisitSpec,
        step: &PlannedStep,
        n: usize,
    ) -> Result<(), String> {
        let (card, threshold) = {
            let w = shared.lock();
            let card = w
                .presented_card(spec.person, spec.presentation)
                .map_err(|e| e.to_string())?;
            (card, w.rules().switches().face_match_threshold)
        };
        let pins = spec
            .verify
            .iter()
            .filter_map(|a| match a {
                Attempt::Pin { pin } => Some(pin.clone()),
                _ => None,
            })
            .collect();
        let face = spec.verify.iter().find_map(|a| match a {
            Attempt::Face {
                similarity,
                live: true,
            } => Some(*similarity),
            _ => None,
        });
        let reader_visit = ReaderVisit {
            person: spec.person,
            institution: spec.institution,
            pins,
            face,
        };
        let log = SharedLog::default();
        let icc = WorldCard::new(shared.clone(), card, Arc::clone(&log));
        let (exchanges, stopped) = match role {
            TerminalRole::Reference => {
                let desk = Desk::new();
                desk.begin(reader_visit);
                let mut icc = icc;
                let stopped =
                    reference::visit(&mut icc, shared, &desk, spec.institution, threshold).err();
                (desk.exchanges_since(0), stopped)
            }
            TerminalRole::Pcsc {
                desk, vpcd, wait, ..
            } => {
                let seen = desk.len();
                desk.wait_reader_empty(CARD_SWAP_GAP);
                desk.begin(reader_visit);
                let slot = CardSlot::spawn(icc, *vpcd, RetryPolicy::default())
                    .map_err(|e| format!("the card could not be put on the reader: {e}"))?;
                let exchanges = desk.wait_for_answer(seen, *wait);
                let ended = slot.stop();
                desk.end();
                let stopped = match (&ended, exchanges.iter().any(|e| e.answer.is_some())) {
                    (Err(e), _) => Some(format!("the reader connection failed: {e}")),
                    (Ok(_), false) => Some(format!(
                        "the terminal under test sent no confirmation the registry answered within {wait:?}"
                    )),
                    (Ok(_), true) => None,
                };
                (exchanges, stopped)
            }
        };
        let log = log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        let answer = exchanges.iter().rev().find_map(|e| e.answer.clone());
        let outcome = match answer {
            Some(a) => shared.lock().settle_answer(spec, a),
            None => VisitOutcome::default(),
        };
        // RDR-6 / PRV-5: whatever the scenario says, a terminal never touches the My Number.
        let touched = log.selected(Application::InputSupport);
        let read = log.read_from(Application::InputSupport);
        self.checks.push(Check {
            name: "terminal.my_number_untouched".into(),
            at: self.position(step.origin),
            step: Some(n),
            requirements: vec!["RDR-6".into(), "PRV-5".into()],
            verdict: if touched || read {
                Verdict::Fail
            } else {
                Verdict::Pass
            },
            expected: "the 券面事項入力補助AP is never selected or read".into(),
            actual: if read {
                "the terminal read the 券面事項入力補助AP (the My Number)".into()
            } else if touched {
                "the terminal selected the 券面事項入力補助AP".into()
            } else {
                "never selected".into()
            },
            note: None,
        });
        self.outputs.push(
            step.name.as_ref(),
            Output::TerminalVisit(
                Box::new(outcome),
                Box::new(TerminalOutcome {
                    log,
                    exchanges,
                    stopped,
                }),
            ),
        );
        Ok(())
    }
}
