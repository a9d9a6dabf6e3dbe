//! `verification` and `reader` expectations: identity verification and the reader's screens.

use super::*;

impl Executor<'_> {
    pub(crate) fn verification(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        v: &VerificationCheck,
    ) {
        let found = self
            .outputs
            .find(&v.of, "a visit", visit_of)
            .map(|x| x.verification.clone());
        let ver = match found {
            Ok(Some(ver)) => ver,
            Ok(None) => {
                self.fail(
                    pe,
                    step,
                    "verification",
                    "a reader verification".into(),
                    "the visit had no reader verification (資格確認書)".into(),
                );
                return;
            }
            Err(e) => {
                self.fail(pe, step, "verification", "a visit".into(), e);
                return;
            }
        };
        if let Some(want) = &v.method {
            let got = method_name(ver.method).name().to_string();
            self.push(
                pe,
                step,
                "verification.method",
                want.name().into(),
                got,
                None,
            );
        }
        if let Some(want) = v.attempts {
            self.push(
                pe,
                step,
                "verification.attempts",
                want.to_string(),
                ver.attempts.len().to_string(),
                None,
            );
        }
        if let Some(want) = &v.results {
            let got: Vec<AttemptName> = ver.attempts.iter().map(attempt_name).collect();
            let show = |l: &[AttemptName]| {
                let names: Vec<&str> = l.iter().map(|a| a.name()).collect();
                format!("[{}]", names.join(", "))
            };
            self.push_list(pe, step, "verification.results", want, &got, show, None);
        }
    }

    pub(crate) fn reader(&mut self, pe: &PlannedExpect, step: Option<usize>, r: &ReaderCheck) {
        let v = match self.outputs.find(&r.of, "a visit", visit_of) {
            Ok(v) => v.clone(),
            Err(e) => {
                self.fail(pe, step, "reader", "a visit".into(), e);
                return;
            }
        };
        if let Some(want) = r.registration_prompt {
            self.push(
                pe,
                step,
                "reader.registration_prompt",
                want.to_string(),
                v.registration_prompt.is_some().to_string(),
                None,
            );
        }
        let consent = v.consent.clone();
        if let Some(want) = &r.consent_screens {
            let got = consent
                .as_ref()
                .map(|c| c.shown.clone())
                .unwrap_or_default();
            self.push_list(
                pe,
                step,
                "reader.consent_screens",
                want,
                &got,
                |l| list(l.iter()),
                None,
            );
        }
        if let Some(want) = r.blanket_offered {
            let got = consent.as_ref().is_some_and(|c| c.blanket_offered);
            self.push(
                pe,
                step,
                "reader.blanket_offered",
                want.to_string(),
                got.to_string(),
                None,
            );
        }
        if let Some(want) = &r.consented {
            let got: Vec<_> = consent
                .as_ref()
                .map(|c| {
                    c.decisions
                        .iter()
                        .filter(|(_, yes)| *yes)
                        .map(|(i, _)| *i)
                        .collect()
                })
                .unwrap_or_default();
            let want = want.sorted();
            let mut got = got;
            got.sort();
            self.push_list(
                pe,
                step,
                "reader.consented",
                &want,
                &got,
                |l| list(l.iter()),
                None,
            );
        }
        if let Some(want) = &r.provided_without_consent {
            let got = consent
                .as_ref()
                .map(|c| c.provided_without_consent.clone())
                .unwrap_or_default();
            self.push_list(
                pe,
                step,
                "reader.provided_without_consent",
                want,
                &got,
                |l| list(l.iter()),
                None,
            );
        }
    }
}
