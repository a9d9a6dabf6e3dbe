//! Lowering the steps: each step to a sim event or a harness action, `fails` around one
//! world step, `use` expanded into the sequence's steps (within the step budget and the
//! nesting limit) with `$param`s substituted, and visits with their verification attempts
//! and consent answers.

use onshi_sim::ids::{InsuranceNumbers, InsurerNumber};
use onshi_sim::portal::ProxyGrant;
use onshi_sim::provider::Fee;
use onshi_sim::reader::{Attempt, ConsentAnswers};
use onshi_sim::registry::{Checkup, MedicalRecord, OutageKind};
use onshi_sim::rules::{CareMode, ConsentItem};
use onshi_sim::world::{Event, JpkiRequest, Presentation, SurfacePin, SurfaceRequest, VisitSpec};

use crate::scenario::plan::cert_kind;

use super::expect::substitute_expect;
use super::limits::Charge;
use super::*;

impl Compiler<'_> {
    pub(super) fn steps(
        &mut self,
        steps: &[At<Step>],
        args: &BTreeMap<String, String>,
        depth: usize,
    ) -> Vec<PlannedStep> {
        let mut out = Vec::new();
        for s in steps {
            if depth == 0 && !self.within_budget(s) {
                continue;
            }
            self.step(s, args, depth, &mut out);
        }
        out
    }

    /// Charges a top-level step with its whole expansion before expanding it; a step that
    /// would cross [`limits::MAX_EXPANDED_STEPS`] is reported (the first one) and skipped.
    fn within_budget(&mut self, at: &At<Step>) -> bool {
        match self.budget.charge(at, &self.sequences) {
            Charge::Fits => true,
            Charge::Skip => false,
            Charge::Report {
                line,
                column,
                message,
            } => {
                self.problem(line, column, limits::TOO_MANY_STEPS, message)
                    .help = Some(limits::TOO_MANY_STEPS_HELP.into());
                false
            }
        }
    }

    fn step(
        &mut self,
        at: &At<Step>,
        args: &BTreeMap<String, String>,
        depth: usize,
        out: &mut Vec<PlannedStep>,
    ) {
        let mut step = at.value.clone();
        substitute(&mut step, args);
        let origin = self.origin(at);
        let mut name: Option<At<String>> = None;
        let action = match &step {
            Step::Advance(text) => {
                let t = At {
                    value: text.clone(),
                    line: at.line,
                    column: at.column,
                };
                self.span(&t)
                    .map(|s| Action::Event(Box::new(Event::Advance(s))))
            }
            Step::AdvanceTo(m) => self
                .moment(m)
                .map(|m| Action::Event(Box::new(Event::AdvanceTo(m)))),
            Step::CardLost(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::CardLost { person })),
            Step::CardReissue(a) => {
                let person = self.person_ref(&a.person);
                let pin = a
                    .auth_pin
                    .as_ref()
                    .map(|p| self.pin(&Some(p.clone()), PinKind::Auth, ""));
                person.map(|person| {
                    ev(Event::CardReissue {
                        person,
                        auth_pin: pin,
                    })
                })
            }
            Step::CardRenew(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::CertificateRenewal { person })),
            Step::CardReturn(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::CardReturned { person })),
            Step::PinReset(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::PinReset { person })),
            Step::CardCertificate(c) => {
                name = c.name.clone();
                let pin = self.card_pin(&c.pin, c.certificate);
                self.person_ref(&c.person).map(|person| {
                    ev(Event::Jpki(Box::new(JpkiRequest {
                        person,
                        kind: cert_kind(c.certificate),
                        pin,
                        sign: None,
                    })))
                })
            }
            Step::CardSign(c) => {
                name = c.name.clone();
                let pin = self.card_pin(&c.pin, c.key);
                self.person_ref(&c.person).map(|person| {
                    ev(Event::Jpki(Box::new(JpkiRequest {
                        person,
                        kind: cert_kind(c.key),
                        pin,
                        sign: Some(c.message.clone().unwrap_or_else(|| "onshi".into())),
                    })))
                })
            }
            Step::CardSurface(c) => {
                name = c.name.clone();
                self.person_ref(&c.person).map(|person| {
                    ev(Event::Surface(Box::new(SurfaceRequest {
                        person,
                        pin: match c.pin {
                            SurfacePinName::A => SurfacePin::A,
                            SurfacePinName::B => SurfacePin::B,
                        },
                        wrong: c.wrong,
                    })))
                })
            }
            Step::Move(m) => self.person_ref(&m.person).map(|person| {
                ev(Event::Move {
                    person,
                    address: m.address.clone(),
                })
            }),
            Step::JobChange(j) => {
                let person = self.person_ref(&j.person);
                let to = self.insurer_ref(&j.to);
                let on = self.date(&j.on);
                let branch = self.branch(&j.branch);
                let mut dependents = Vec::new();
                for d in &j.dependents {
                    let who = self.person_ref(&d.value.person);
                    let dbranch = self.branch(&Some(d.value.branch.clone()));
                    if let (Some(who), Some(insurer)) = (who, to) {
                        dependents.push((
                            who,
                            InsuranceNumbers {
                                insurer,
                                symbol: d.value.symbol.clone().or_else(|| j.symbol.clone()),
                                number: d
                                    .value
                                    .number
                                    .as_ref()
                                    .map_or_else(|| j.number.value.clone(), |n| n.value.clone()),
                                branch: dbranch,
                            },
                        ));
                    }
                }
                let limits: Vec<_> = j.limits.iter().filter_map(|l| self.limit(l)).collect();
                let income = self.income_periods(&j.income);
                match (person, to, on) {
                    (Some(person), Some(to), Some(on)) => Some(ev(Event::JobChange {
                        person,
                        on,
                        numbers: InsuranceNumbers {
                            insurer: to,
                            symbol: j.symbol.clone(),
                            number: j.number.value.clone(),
                            branch,
                        },
                        lag_days: j.lag_days,
                        old_lag_days: j.old_lag_days,
                        relation: match j.relation {
                            RelationName::Insured => onshi_sim::insurer::Relation::Insured,
                            RelationName::Dependent => onshi_sim::insurer::Relation::Dependent,
                        },
                        dependents,
                        limits,
                        income,
                    })),
                    _ => None,
                }
            }
            Step::Mislink(m) => {
                let member = self.person_ref(&m.person);
                let linked_to = self.person_ref(&m.linked_to);
                if let (Some(a), Some(b)) = (member, linked_to)
                    && a == b
                {
                    self.problem_at(
                        &m.linked_to,
                        "scenario::bad-link",
                        "a wrong link needs another person's 個人番号".into(),
                    );
                }
                match (member, linked_to) {
                    (Some(member), Some(linked_to)) => {
                        Some(ev(Event::LinkWrongPerson { member, linked_to }))
                    }
                    _ => None,
                }
            }
            Step::FixLink(p) => self
                .person_ref(&p.person)
                .map(|member| ev(Event::FixLink { member })),
            Step::JlisCheck(_) => Some(ev(Event::JlisCheckLinks)),
            Step::LoseInsurance(l) => {
                let person = self.person_ref(&l.person);
                let on = self.date(&l.on);
                match (person, on) {
                    (Some(person), Some(on)) => Some(ev(Event::LoseQualification {
                        person,
                        on,
                        reason: loss(l.reason),
                    })),
                    _ => None,
                }
            }
            Step::Register(r) => {
                let person = self.person_ref(&r.person);
                if r.channel.value == ChannelName::Reader {
                    self.problem_at(
                        &r.channel,
                        "scenario::bad-channel",
                        "registration at the reader happens inside a visit".into(),
                    )
                    .help = Some(
                        "use `visit: {..., register: true}`, or channel app / atm here".into(),
                    );
                }
                person.map(|person| {
                    ev(Event::Register {
                        person,
                        channel: channel(r.channel.value),
                    })
                })
            }
            Step::Visit(v) => {
                name = v.name.clone();
                self.visit(v).map(|spec| ev(Event::Visit(Box::new(spec))))
            }
            Step::ConfirmNumbers(n) => {
                name = n.name.clone();
                let institution = self.institution_ref(&n.at);
                let person = self.person_ref(&n.person);
                let insurer_number = match &n.insurer_number {
                    None => Some(None),
                    Some(x) => match InsurerNumber::parse(&x.value) {
                        Ok(v) => Some(Some(v)),
                        Err(e) => {
                            self.problem_at(
                                x,
                                "scenario::bad-insurer-number",
                                format!("保険者番号 `{}` is invalid: {e}", x.value),
                            );
                            None
                        }
                    },
                };
                let born = match &n.born {
                    None => Some(None),
                    Some(b) => self.date(b).map(Some),
                };
                match (institution, person, insurer_number, born) {
                    (Some(institution), Some(person), Some(insurer_number), Some(born)) => {
                        Some(Action::ConfirmNumbers {
                            institution,
                            person,
                            insurer_number,
                            symbol: n.symbol.clone(),
                            number: n.number.clone(),
                            branch: n.branch.clone(),
                            born,
                            limit_consent: n.limit_consent,
                        })
                    }
                    _ => None,
                }
            }
            Step::Fetch(f) => {
                name = f.name.clone();
                let person = self.person_ref(&f.person);
                let institution = self.institution_ref(&f.at);
                match (person, institution) {
                    (Some(person), Some(institution)) => Some(ev(Event::FetchData {
                        person,
                        institution,
                        kind: data_kind(f.kind),
                    })),
                    _ => None,
                }
            }
            Step::PortalAccount(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::PortalAccount { person })),
            Step::PortalView(v) => {
                name = v.name.clone();
                let viewer = self.person_ref(&v.viewer);
                let subject = match &v.subject {
                    Some(s) => self.person_ref(s),
                    None => viewer,
                };
                match (viewer, subject) {
                    (Some(viewer), Some(subject)) => Some(ev(Event::PortalView {
                        viewer,
                        subject,
                        kind: data_kind(v.kind),
                    })),
                    _ => None,
                }
            }
            Step::PortalProxy(p) => {
                let principal = self.person_ref(&p.principal);
                let proxy = self.person_ref(&p.proxy);
                let until = self.opt_date(&p.until);
                match (principal, proxy, until) {
                    (Some(principal), Some(proxy), Some(until)) => {
                        Some(ev(Event::GrantProxy(ProxyGrant {
                            principal,
                            proxy,
                            scope: p.scope.iter().map(|k| data_kind(*k)).collect(),
                            until,
                        })))
                    }
                    _ => None,
                }
            }
            Step::Outage(o) => {
                let from = match &o.from {
                    None => Some(None),
                    Some(f) => self.moment(f).map(Some),
                };
                let length = self.span(&o.length);
                match (from, length) {
                    (Some(from), Some(length)) => Some(Action::Outage {
                        kind: match o.kind {
                            OutageName::Maintenance => OutageKind::Maintenance,
                            OutageName::Emergency => OutageKind::Emergency,
                            OutageName::Throttle => OutageKind::Throttle,
                        },
                        from,
                        length,
                    }),
                    _ => None,
                }
            }
            Step::RecordAdd(r) => {
                let person = self.person_ref(&r.person);
                let date = self.date(&r.date);
                match (person, date) {
                    (Some(person), Some(date)) => Some(ev(Event::AddMedicalRecord {
                        person,
                        record: MedicalRecord {
                            kind: record_kind(r.kind),
                            date,
                            text: r.text.clone().unwrap_or_else(|| "（合成データ）".into()),
                            e_prescription: r.e_prescription,
                        },
                    })),
                    _ => None,
                }
            }
            Step::CheckupAdd(c) => {
                let person = self.person_ref(&c.person);
                let date = self.date(&c.date);
                match (person, date) {
                    (Some(person), Some(date)) => Some(ev(Event::AddCheckup {
                        person,
                        checkup: Checkup {
                            date,
                            items: c
                                .items
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect(),
                        },
                    })),
                    _ => None,
                }
            }
            Step::Use(u) => {
                self.use_sequence(u, args, depth, out);
                return;
            }
            Step::Expect(list) => Some(Action::Expect(self.expectations(list, args))),
            Step::Fails(f) => self.fails(f, args, depth),
        };
        if let Some(n) = &name
            && !self.names.insert(n.value.clone())
            && depth == 0
        {
            let (line, column, n) = (n.line, n.column, n.value.clone());
            self.problem(
                line,
                column,
                "scenario::duplicate-name",
                format!("step name `{n}` is used twice"),
            )
            .help =
                Some("names let expectations pick a step (`of: name`); make them unique".into());
        }
        if let Some(action) = action {
            out.push(PlannedStep {
                origin,
                name: name.map(|n| n.value),
                action,
            });
        }
    }

    /// `fails`: lowers the wrapped step, which must be a single world step.
    fn fails(
        &mut self,
        f: &FailsArgs,
        args: &BTreeMap<String, String>,
        depth: usize,
    ) -> Option<Action> {
        if matches!(
            f.step.value,
            Step::Use(_) | Step::Expect(_) | Step::Fails(_)
        ) {
            self.problem_at(
                &f.step,
                "scenario::fails-target",
                "`fails` wraps one world step, not `use`, `expect` or another `fails`".into(),
            )
            .help = Some("put the step that must be refused under `step:`".into());
            return None;
        }
        let mut requirements = Vec::new();
        for r in &f.req {
            if self.check_requirement(r) {
                requirements.push(r.value.clone());
            }
        }
        if requirements.is_empty() {
            requirements = self
                .loaded
                .scenario
                .requirements
                .iter()
                .map(|r| r.value.clone())
                .collect();
        }
        let mut inner = Vec::new();
        self.step(&f.step, args, depth, &mut inner);
        let step = inner.pop()?;
        Some(Action::Fails {
            step: Box::new(step),
            error: f.error.clone(),
            requirements,
        })
    }

    fn use_sequence(
        &mut self,
        u: &UseArgs,
        args: &BTreeMap<String, String>,
        depth: usize,
        out: &mut Vec<PlannedStep>,
    ) {
        if depth >= limits::MAX_SEQUENCE_DEPTH {
            self.problem_at(
                &u.sequence,
                "scenario::sequence-depth",
                format!(
                    "sequences nest deeper than {} (a sequence that uses itself?)",
                    limits::MAX_SEQUENCE_DEPTH
                ),
            );
            return;
        }
        let Some((src, seq)) = self.sequences.get(&u.sequence.value).cloned() else {
            let known: Vec<String> = self.sequences.keys().cloned().collect();
            let hint = match did_you_mean(&u.sequence.value, known.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if known.is_empty() => {
                    "no sequences are defined here or in the included fragments".into()
                }
                None => format!("defined: {}", known.join(", ")),
            };
            self.problem_at(
                &u.sequence,
                "scenario::unknown-sequence",
                format!("unknown sequence `{}`", u.sequence.value),
            )
            .help = Some(hint);
            return;
        };
        // Arguments may themselves be parameters of an enclosing sequence.
        let mut bound = BTreeMap::new();
        for (k, v) in &u.args {
            if !seq.params.contains(k) {
                // At the argument's value: the key has no position of its own.
                self.problem_at(
                    v,
                    "scenario::unknown-parameter",
                    format!("sequence `{}` has no parameter `{k}`", u.sequence.value),
                )
                .help = Some(format!("parameters: {}", seq.params.join(", ")));
            }
            let value = v
                .value
                .strip_prefix('$')
                .and_then(|p| args.get(p))
                .cloned()
                .unwrap_or_else(|| v.value.clone());
            bound.insert(k.clone(), value);
        }
        for p in &seq.params {
            if !bound.contains_key(p) {
                self.problem_at(
                    &u.sequence,
                    "scenario::missing-parameter",
                    format!("sequence `{}` needs `{p}`", u.sequence.value),
                )
                .help = Some(format!("add `with: {{{p}: ...}}`"));
            }
        }
        let saved = self.source;
        self.source = src;
        for s in &seq.steps {
            self.step(s, &bound, depth + 1, out);
        }
        self.source = saved;
    }

    fn visit(&mut self, v: &VisitArgs) -> Option<VisitSpec> {
        let person = self.person_ref(&v.person);
        let institution = self.institution_ref(&v.at);
        let confirmation_date = self.opt_date(&v.confirmation_date);
        let mut verify = Vec::new();
        match &v.verify {
            None if v.presents != PresentationName::Certificate => verify.push(Attempt::Face {
                similarity: 0.95,
                live: true,
            }),
            None => {}
            Some(list) => {
                for a in list {
                    match &a.value {
                        AttemptSpec::Face(s) | AttemptSpec::Spoof(s)
                            if !(0.0..=1.0).contains(s) =>
                        {
                            self.problem_at(
                                a,
                                "scenario::bad-similarity",
                                format!("similarity {s} is outside 0.0–1.0"),
                            );
                        }
                        AttemptSpec::Face(s) => verify.push(Attempt::Face {
                            similarity: *s,
                            live: true,
                        }),
                        AttemptSpec::Spoof(s) => verify.push(Attempt::Face {
                            similarity: *s,
                            live: false,
                        }),
                        AttemptSpec::Pin(p) => verify.push(Attempt::Pin { pin: p.clone() }),
                        AttemptSpec::Visual(b) => verify.push(Attempt::Visual { confirmed: *b }),
                    }
                }
                if v.presents == PresentationName::Certificate && !list.is_empty() {
                    self.problem_at(
                        &list[0],
                        "scenario::verify-without-card",
                        "a 資格確認書 is not verified at the reader".into(),
                    )
                    .help = Some("drop `verify`, or present the card".into());
                }
            }
        }
        let consent = consent_answers(&v.consent);
        Some(VisitSpec {
            person: person?,
            institution: institution?,
            presentation: match v.presents {
                PresentationName::Card => Presentation::Card,
                PresentationName::Certificate => Presentation::EligibilityCertificate,
                PresentationName::PreviousCard => Presentation::PreviousCard,
            },
            verify,
            register_if_prompted: v.register,
            consent,
            care: match v.care {
                CareName::Outpatient => CareMode::Outpatient,
                CareName::Inpatient => CareMode::Inpatient,
                CareName::HomeVisit => CareMode::HomeVisit,
            },
            confirmation_date: confirmation_date?,
            fee: v.fee.map(|total| Fee {
                total,
                many_times: v.many_times,
            }),
        })
    }
}

impl Compiler<'_> {
    /// A PIN a card step sends, checked against the shape of that certificate's PIN (a wrong
    /// PIN of the right shape is fine: scenarios send wrong PINs on purpose).
    fn card_pin(&mut self, pin: &Option<At<String>>, kind: CertificateName) -> Option<String> {
        let kind = match kind {
            CertificateName::Auth => PinKind::Auth,
            CertificateName::Signature => PinKind::Signature,
        };
        pin.as_ref().map(|_| self.pin(pin, kind, ""))
    }
}

fn ev(e: Event) -> Action {
    Action::Event(Box::new(e))
}

fn consent_answers(c: &ConsentSpec) -> ConsentAnswers {
    let mut a = ConsentAnswers {
        blanket: c.blanket.or(c.all),
        ..ConsentAnswers::default()
    };
    let items = [
        (ConsentItem::LimitInfo, c.limit_info),
        (ConsentItem::SpecificDisease, c.specific_disease),
        (ConsentItem::Checkup, c.checkup),
        (ConsentItem::Medication, c.medication),
        (ConsentItem::Treatment, c.treatment),
        (ConsentItem::Surgery, c.surgery),
    ];
    for (item, v) in items {
        if let Some(v) = v.or(c.all) {
            a.items.insert(item, v);
        }
    }
    a
}

/// Replaces `$param` in reference fields.
fn substitute(step: &mut Step, args: &BTreeMap<String, String>) {
    if args.is_empty() {
        return;
    }
    match step {
        Step::CardLost(p)
        | Step::CardRenew(p)
        | Step::CardReturn(p)
        | Step::PinReset(p)
        | Step::PortalAccount(p) => subst(&mut p.person, args),
        Step::CardReissue(r) => subst(&mut r.person, args),
        Step::CardCertificate(c) => subst(&mut c.person, args),
        Step::CardSign(c) => subst(&mut c.person, args),
        Step::CardSurface(c) => subst(&mut c.person, args),
        Step::Move(m) => subst(&mut m.person, args),
        Step::JobChange(j) => {
            subst(&mut j.person, args);
            subst(&mut j.to, args);
        }
        Step::LoseInsurance(l) => subst(&mut l.person, args),
        Step::Mislink(m) => {
            subst(&mut m.person, args);
            subst(&mut m.linked_to, args);
        }
        Step::FixLink(p) => subst(&mut p.person, args),
        Step::Register(r) => subst(&mut r.person, args),
        Step::Visit(v) => {
            subst(&mut v.person, args);
            subst(&mut v.at, args);
        }
        Step::ConfirmNumbers(n) => {
            subst(&mut n.person, args);
            subst(&mut n.at, args);
        }
        Step::Fetch(f) => {
            subst(&mut f.person, args);
            subst(&mut f.at, args);
        }
        Step::PortalView(v) => {
            subst(&mut v.viewer, args);
            subst_opt(&mut v.subject, args);
        }
        Step::PortalProxy(p) => {
            subst(&mut p.principal, args);
            subst(&mut p.proxy, args);
        }
        Step::RecordAdd(r) => subst(&mut r.person, args),
        Step::CheckupAdd(c) => subst(&mut c.person, args),
        Step::Use(u) => {
            for v in u.args.values_mut() {
                if let Some(p) = v.value.strip_prefix('$')
                    && let Some(x) = args.get(p)
                {
                    v.value = x.clone();
                }
            }
        }
        Step::Expect(list) => {
            for e in list {
                substitute_expect(&mut e.value, args);
            }
        }
        Step::Fails(f) => substitute(&mut f.step.value, args),
        Step::Advance(_) | Step::AdvanceTo(_) | Step::Outage(_) | Step::JlisCheck(_) => {}
    }
}
