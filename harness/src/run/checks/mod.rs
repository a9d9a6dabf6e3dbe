//! Expectations → checks: one file per expectation family, each comparing what the run
//! observed with what the scenario expects and citing the requirement ids.

mod apdu;
mod card;
mod confirmation;
mod data;
mod identity;
mod jlis;
pub(crate) mod provider;
mod reader;
mod registry;
mod terminal;
mod trace;
mod wire;

pub(crate) mod requests;

pub(crate) use crate::run::execute::*;
pub(crate) use crate::wire::ExchangeKind;
pub(crate) use onshi_sim::ids::PersonId;

impl Executor<'_> {
    pub(crate) fn push(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        name: &str,
        expected: String,
        actual: String,
        note: Option<String>,
    ) {
        let pass = expected == actual;
        self.push_judged(pe, step, name, expected, actual, pass, note);
    }

    /// A check whose verdict is not the equality of the two texts (`any`, `contains`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_judged(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        name: &str,
        expected: String,
        actual: String,
        pass: bool,
        note: Option<String>,
    ) {
        let verdict = if pass { Verdict::Pass } else { Verdict::Fail };
        self.checks.push(Check {
            name: name.to_string(),
            at: self.position(pe.origin),
            step,
            requirements: pe.requirements.clone(),
            verdict,
            expected,
            actual,
            note,
        });
    }

    /// A list expectation against the observed list: the exact list compared as text (as
    /// before `contains` existed), or `contains` / `not_contains` judged item by item, the
    /// expected text naming both parts.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_list<T: PartialEq>(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        name: &str,
        want: &ListExpect<T>,
        got: &[T],
        show: impl Fn(&[T]) -> String,
        note: Option<String>,
    ) {
        match want {
            ListExpect::Exact(w) => self.push(pe, step, name, show(w), show(got), note),
            ListExpect::Match {
                contains,
                not_contains,
            } => {
                let mut parts = Vec::new();
                if !contains.is_empty() || not_contains.is_empty() {
                    parts.push(format!("contains {}", show(contains)));
                }
                if !not_contains.is_empty() {
                    parts.push(format!("not_contains {}", show(not_contains)));
                }
                let pass = want.matches(got);
                self.push_judged(pe, step, name, parts.join("; "), show(got), pass, note);
            }
        }
    }

    pub(crate) fn fail(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        name: &str,
        expected: String,
        why: String,
    ) {
        self.checks.push(Check {
            name: name.to_string(),
            at: self.position(pe.origin),
            step,
            requirements: pe.requirements.clone(),
            verdict: Verdict::Fail,
            expected,
            actual: why,
            note: None,
        });
    }

    pub(crate) fn skipped(&mut self, pe: &PlannedExpect, reason: &str) {
        self.checks.push(Check {
            name: pe.expectation.name().to_string(),
            at: self.position(pe.origin),
            step: None,
            requirements: pe.requirements.clone(),
            verdict: Verdict::Skip,
            expected: "-".into(),
            actual: "-".into(),
            note: Some(reason.to_string()),
        });
    }

    pub(crate) fn check(&mut self, w: &World, pe: &PlannedExpect, step: Option<usize>) {
        if self.registry.is_some() {
            // The world's own expectations look at the reference registry's answers; the
            // registry under test is held against those answers by the `registry.*` checks.
            self.skipped(
                pe,
                "about the reference world; the registry under test is checked against the reference's answers (registry_under_test.* checks)",
            );
            if let Some(c) = self.checks.last_mut() {
                c.step = step;
            }
            return;
        }
        match &pe.expectation {
            Expect::Confirmation(c) => self.confirmation(w, pe, step, c),
            Expect::Verification(v) => self.verification(pe, step, v),
            Expect::Terminal(t) => self.terminal(pe, step, t),
            Expect::Reader(r) => self.reader(pe, step, r),
            Expect::Data(d) => self.data(pe, step, d),
            Expect::Provider(p) => self.provider(w, pe, step, p),
            Expect::Requests(r) => self.requests(pe, step, r),
            Expect::RegistryLink(l) => self.link(w, pe, step, l),
            Expect::RegistryCount(c) => {
                let ins = Some(c.insurer.id);
                let n = ins
                    .and_then(|i| w.registry().counts().get(&i).copied())
                    .unwrap_or(0);
                self.push(
                    pe,
                    step,
                    "registry.count",
                    c.registrations.to_string(),
                    n.to_string(),
                    None,
                );
            }
            Expect::JlisChain(c) => self.chain(w, pe, step, c),
            Expect::Card(c) => self.card(w, pe, step, c),
            Expect::Portal(p) => self.portal(pe, step, p),
            Expect::TraceHas(t) | Expect::TraceNever(t)
                if self.put.is_some()
                    && t.kind
                        .as_deref()
                        .is_some_and(|k| k.starts_with("provider.")) =>
            {
                self.skipped(
                    pe,
                    "not checked: a trace entry of the reference provider's own steps; a provider \
                     under test is checked through its requests and what it recorded",
                );
            }
            Expect::TraceHas(t) => {
                let n = self.trace_matches(w, t);
                match t.count {
                    Some(want) => self.push(
                        pe,
                        step,
                        "trace.has",
                        format!("{want} × {}", describe(t)),
                        format!("{n} × {}", describe(t)),
                        None,
                    ),
                    None => self.push(
                        pe,
                        step,
                        "trace.has",
                        format!("≥1 × {}", describe(t)),
                        if n > 0 {
                            format!("≥1 × {}", describe(t))
                        } else {
                            format!("0 × {}", describe(t))
                        },
                        None,
                    ),
                }
            }
            Expect::TraceNever(t) => {
                let n = self.trace_matches(w, t);
                self.push(
                    pe,
                    step,
                    "trace.never",
                    format!("0 × {}", describe(t)),
                    format!("{n} × {}", describe(t)),
                    None,
                );
            }
            Expect::NoMyNumber(n) => self.no_my_number(w, pe, step, n),
            Expect::Wire(x) => self.wire(w, pe, step, x),
            Expect::Certificate(c) => self.certificate(w, pe, step, c),
            Expect::Signature(s) => self.signature(pe, step, s),
            Expect::Surface(s) => self.surface(pe, step, s),
            Expect::MyNumber(m) => self.my_number(w, pe, step, m),
            Expect::PortalAccount(p) => self.portal_account(w, pe, step, p),
            Expect::NoFaceData(p) => self.no_face_data(w, pe, step, p),
            Expect::JlisStatus(s) => self.jlis_status(w, pe, step, s),
            Expect::JlisIssued(i) => self.jlis_issued(w, pe, step, i),
            Expect::Review(r) => self.checks.push(Check {
                name: "review".into(),
                at: self.position(pe.origin),
                step,
                requirements: pe.requirements.clone(),
                verdict: Verdict::Review,
                expected: r.clone(),
                actual: "needs a human".into(),
                note: Some(r.clone()),
            }),
        }
    }
}

pub(crate) fn describe(t: &TraceCheck) -> String {
    let mut parts = Vec::new();
    if let Some(k) = &t.kind {
        parts.push(k.clone());
    }
    if let Some(f) = &t.from {
        parts.push(format!("from {f}"));
    }
    if let Some(f) = &t.to {
        parts.push(format!("to {f}"));
    }
    if let Some(p) = &t.person {
        parts.push(format!("for {}", p.key));
    }
    if let Some(c) = &t.contains {
        parts.push(format!("containing “{c}”"));
    }
    if parts.is_empty() {
        "any message".into()
    } else {
        parts.join(" ")
    }
}

/// The world handle of a person an expectation names (checked by `compile`; an error only
/// if the world was set up without them).
pub(crate) fn person_in(w: &World, p: &PersonRef) -> Result<PersonId, String> {
    w.people()
        .get(p.id.index())
        .map(|_| p.id)
        .ok_or_else(|| format!("unknown person `{}`", p.key))
}
