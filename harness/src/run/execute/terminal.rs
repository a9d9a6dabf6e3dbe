//! Card visits in `terminal: true` scenarios: the card goes to the terminal role (the built-in
//! terminal or a terminal under test in a vpcd reader), and what the terminal did is kept. A
//! terminal under test keeps the card until the registry answered (or it gave up, or
//! `--terminal-wait` passed) and then for the settle time, its APDUs still logged: reading the
//! 券面事項入力補助AP right after the confirmation fails `terminal.my_number_untouched` too.

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
        let card = shared
            .lock()
            .presented_card(spec.person, spec.presentation)
            .map_err(|e| e.to_string())?;
        let (limit_consent, disease_consent) = consent_answers(&spec.consent);
        let reader_visit = ReaderVisit {
            person: spec.person,
            card,
            institution: spec.institution,
            tries: PatientTry::of(&spec.verify),
            limit_consent,
            disease_consent,
        };
        let log = SharedLog::default();
        let icc = WorldCard::new(shared.clone(), card, Arc::clone(&log));
        // `answered_at`: how many APDUs the card had answered when the visit's wait ended.
        let (end, answered_at, stopped) = match role {
            TerminalRole::Reference | TerminalRole::Planted(_) => {
                let planted = match role {
                    TerminalRole::Planted(p) => Some(&**p),
                    _ => None,
                };
                let desk = Desk::new();
                desk.begin(reader_visit);
                let mut icc = icc;
                // The built-in terminal gives up on the desk when it stops.
                let stopped = reference::visit(&mut icc, shared, &desk, spec.institution, planted)
                    .err()
                    .map(|e| gave_up_note(&e));
                (desk.so_far(0), None, stopped)
            }
            TerminalRole::Pcsc {
                desk,
                vpcd,
                wait,
                settle,
                ..
            } => {
                desk.wait_reader_empty(CARD_SWAP_GAP);
                desk.begin(reader_visit);
                // Counted from the card on: nothing sent in the gap before it is this visit's.
                let seen = desk.len();
                let slot = CardSlot::spawn(icc, *vpcd, RetryPolicy::default())
                    .map_err(|e| format!("the card could not be put on the reader: {e}"))?;
                let waited = desk.wait_for_end(seen, *wait);
                let answered_at = waited.answered().then(|| log_len(&log));
                // The card stays for the settle time: what the terminal does right after its
                // confirmation is logged and checked too.
                std::thread::sleep(*settle);
                let ended = slot.stop();
                let end = desk.so_far(seen);
                desk.end();
                let stopped = match (&ended, &end.gave_up, end.answered()) {
                    (Err(e), _, _) => Some(format!("the reader connection failed: {e}")),
                    (Ok(_), _, true) => None,
                    (Ok(_), Some(reason), false) => Some(gave_up_note(reason)),
                    (Ok(_), None, false) => Some(format!(
                        "the terminal under test sent no confirmation the registry answered within {wait:?} (and did not give up)"
                    )),
                };
                (end, answered_at, stopped)
            }
        };
        let log = log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        let exchanges = end.exchanges;
        let answer = exchanges.iter().rev().find_map(|e| e.answer.clone());
        let outcome = match answer {
            Some(a) => shared.lock().settle_answer(spec, a),
            None => VisitOutcome::default(),
        };
        self.my_number_untouched(&log, answered_at, step, n);
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

    /// RDR-6 / PRV-5: whatever the scenario says, a terminal never touches the My Number, not
    /// even after the registry answered (`answered_at`: the APDUs before the answer).
    fn my_number_untouched(
        &mut self,
        log: &ApduLog,
        answered_at: Option<usize>,
        step: &PlannedStep,
        n: usize,
    ) {
        let touched = log.selected(Application::InputSupport);
        let read = log.read_from(Application::InputSupport);
        let mut after = ApduLog::default();
        for e in log.entries().iter().skip(answered_at.unwrap_or(usize::MAX)) {
            after.push(e.clone());
        }
        let when = if after.selected(Application::InputSupport)
            || after.read_from(Application::InputSupport)
        {
            " after the registry answered"
        } else {
            ""
        };
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
                format!("the terminal read the 券面事項入力補助AP (the My Number){when}")
            } else if touched {
                format!("the terminal selected the 券面事項入力補助AP{when}")
            } else {
                "never selected".into()
            },
            note: None,
        });
    }
}

/// The patient's answers on the 限度額 and 特定疾病 consent screens: the item's answer, else
/// the blanket answer for a medical item, else 同意しない.
fn consent_answers(c: &onshi_sim::reader::ConsentAnswers) -> (bool, bool) {
    use onshi_sim::rules::ConsentItem;
    let answer = |item: ConsentItem| {
        c.items
            .get(&item)
            .copied()
            .or(c.blanket.filter(|_| item.is_medical()))
            .unwrap_or(false)
    };
    (
        answer(ConsentItem::LimitInfo),
        answer(ConsentItem::SpecificDisease),
    )
}

fn gave_up_note(reason: &str) -> String {
    if reason.is_empty() {
        "the terminal gave up on the visit".into()
    } else {
        format!("the terminal gave up on the visit: {reason}")
    }
}

fn log_len(log: &SharedLog) -> usize {
    log.lock()
        .map(|l| l.entries().len())
        .unwrap_or_else(|p| p.into_inner().entries().len())
}
