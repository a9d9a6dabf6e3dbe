//! Lowering the expectations: requirement ids checked (default: the scenario's), the
//! reference and value checks serde cannot make, and `$param` substitution inside
//! sequences.

use super::*;

impl Compiler<'_> {
    pub(super) fn expectations(
        &mut self,
        list: &[At<Expectation>],
        args: &BTreeMap<String, String>,
    ) -> Vec<PlannedExpect> {
        let mut out = Vec::new();
        for at in list {
            let mut e = at.value.clone();
            substitute_expect(&mut e, args);
            let mut reqs = Vec::new();
            for r in expectation_reqs(&e) {
                if self.check_requirement(r) {
                    reqs.push(r.value.clone());
                }
            }
            self.check_expectation(&e);
            if let Expectation::Data(d) = &e
                && d.shared.is_none()
                && d.withheld.is_none()
            {
                self.problem(
                    at.line,
                    at.column,
                    "scenario::missing-key",
                    "a `data` expectation checks nothing without `shared` or `withheld`".into(),
                )
                .help =
                    Some("add `shared: N` or `withheld: reason` (`any`: shared nothing)".into());
            }
            out.push(PlannedExpect {
                origin: self.origin(at),
                requirements: if reqs.is_empty() {
                    self.loaded
                        .scenario
                        .requirements
                        .iter()
                        .map(|r| r.value.clone())
                        .collect()
                } else {
                    reqs
                },
                expectation: lower(&e, &self.keys),
            });
        }
        out
    }

    /// Reference and value checks that serde cannot make.
    fn check_expectation(&mut self, e: &Expectation) {
        match e {
            Expectation::RegistryLink(l) => {
                self.person_ref(&l.person);
            }
            Expectation::RegistryCount(c) => {
                self.insurer_ref(&c.insurer);
            }
            Expectation::JlisChain(c) => {
                self.person_ref(&c.person);
            }
            Expectation::Card(c) => {
                self.person_ref(&c.person);
                if let Some(d) = &c.expires {
                    self.date(d);
                }
                if let Some(d) = &c.certificate_expires {
                    self.date(d);
                }
            }
            Expectation::NoMyNumber(n) => {
                self.person_ref(&n.person);
            }
            Expectation::TraceHas(t) | Expectation::TraceNever(t) => {
                if let Some(p) = &t.person {
                    self.person_ref(p);
                }
            }
            _ => {}
        }
    }
}

fn expectation_reqs(e: &Expectation) -> &[At<String>] {
    match e {
        Expectation::Confirmation(x) => &x.req,
        Expectation::Verification(x) => &x.req,
        Expectation::Terminal(x) => &x.req,
        Expectation::Reader(x) => &x.req,
        Expectation::Data(x) => &x.req,
        Expectation::Provider(x) => &x.req,
        Expectation::RegistryLink(x) => &x.req,
        Expectation::RegistryCount(x) => &x.req,
        Expectation::JlisChain(x) => &x.req,
        Expectation::Card(x) => &x.req,
        Expectation::Portal(x) => &x.req,
        Expectation::TraceHas(x) | Expectation::TraceNever(x) => &x.req,
        Expectation::NoMyNumber(x) => &x.req,
        Expectation::Wire(x) => &x.req,
        Expectation::Review(x) => &x.req,
        Expectation::Requests(x) => &x.req,
    }
}

pub(super) fn substitute_expect(e: &mut Expectation, args: &BTreeMap<String, String>) {
    if args.is_empty() {
        return;
    }
    match e {
        Expectation::RegistryLink(l) => subst(&mut l.person, args),
        Expectation::RegistryCount(c) => subst(&mut c.insurer, args),
        Expectation::JlisChain(c) => subst(&mut c.person, args),
        Expectation::Card(c) => subst(&mut c.person, args),
        Expectation::NoMyNumber(n) => subst(&mut n.person, args),
        Expectation::TraceHas(t) | Expectation::TraceNever(t) => subst_opt(&mut t.person, args),
        _ => {}
    }
}
