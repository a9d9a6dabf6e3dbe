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
            self.check_expectation(&e, at.line, at.column);
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
    fn check_expectation(&mut self, e: &Expectation, line: u64, column: u64) {
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
            Expectation::NoFaceData(n) => {
                self.person_ref(&n.person);
            }
            Expectation::MyNumber(m) => {
                self.person_ref(&m.person);
            }
            Expectation::PortalAccount(p) => {
                self.person_ref(&p.person);
            }
            Expectation::Certificate(c) => self.status_word(&c.status),
            Expectation::Signature(s) => self.status_word(&s.status),
            Expectation::Surface(s) => {
                self.status_word(&s.status);
                for d in [&s.born, &s.expires].into_iter().flatten() {
                    self.date(d);
                }
            }
            Expectation::JlisStatus(s) => self.jlis_status(s),
            Expectation::JlisIssued(i) => {
                for p in &i.people {
                    self.person_ref(p);
                }
                if i.people.is_empty() {
                    self.problem(
                        line,
                        column,
                        "scenario::no-people",
                        "`jlis.issued` needs at least one person".into(),
                    );
                }
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

impl Compiler<'_> {
    /// A status word as `90 00` / `69 82` (two hex bytes, a space between).
    fn status_word(&mut self, sw: &Option<At<String>>) {
        let Some(sw) = sw else { return };
        let b = sw.value.as_bytes();
        let ok = b.len() == 5
            && b[2] == b' '
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_hexdigit());
        if !ok {
            self.problem_at(
                sw,
                "scenario::bad-status-word",
                format!(
                    "status word `{}` is not two hex bytes like `69 82`",
                    sw.value
                ),
            );
        }
    }

    fn jlis_status(&mut self, s: &JlisStatusExpect) {
        match (&s.person, s.serial.value) {
            (Some(p), SerialPick::Unissued) => {
                self.person_ref(p);
                self.problem_at(
                    p,
                    "scenario::unissued-serial-person",
                    "`serial: unissued` is nobody's serial; drop `person`".into(),
                );
            }
            (Some(p), _) => {
                self.person_ref(p);
            }
            (None, SerialPick::Unissued) => {}
            (None, _) => {
                self.problem_at(
                    &s.serial,
                    "scenario::missing-person",
                    "`jlis.status` needs `person` to pick their serial".into(),
                );
            }
        }
        for d in [&s.revoked_on, &s.not_after].into_iter().flatten() {
            self.date(d);
        }
        let revoked = s.status.is_none_or(|st| st == StatusName::Revoked);
        if (s.reason.is_some() || s.revoked_on.is_some()) && !revoked {
            self.problem_at(
                &s.serial,
                "scenario::reason-without-revocation",
                "`reason` and `revoked_on` only go with `status: revoked`".into(),
            );
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
        Expectation::Certificate(x) => &x.req,
        Expectation::Signature(x) => &x.req,
        Expectation::Surface(x) => &x.req,
        Expectation::MyNumber(x) => &x.req,
        Expectation::PortalAccount(x) => &x.req,
        Expectation::NoFaceData(x) => &x.req,
        Expectation::JlisStatus(x) => &x.req,
        Expectation::JlisIssued(x) => &x.req,
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
        Expectation::NoFaceData(n) => subst(&mut n.person, args),
        Expectation::MyNumber(m) => subst(&mut m.person, args),
        Expectation::PortalAccount(p) => subst(&mut p.person, args),
        Expectation::JlisStatus(s) => subst_opt(&mut s.person, args),
        Expectation::JlisIssued(i) => {
            for p in &mut i.people {
                subst(p, args);
            }
        }
        Expectation::TraceHas(t) | Expectation::TraceNever(t) => subst_opt(&mut t.person, args),
        _ => {}
    }
}
