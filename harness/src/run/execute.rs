//! Runs one checked scenario against the roles bound for the run and turns what happened
//! into a [`ScenarioRecord`]: a check per expected field, expected vs actual, with the
//! requirement ids and the file position of the expectation.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use onshi_sim::card::apdu::{ApduLog, Application, PinRef};
use onshi_sim::reader::Attempt;
use onshi_sim::registry::terminal::TerminalRejection;
use onshi_sim::world::{Event, Presentation, VisitSpec};

use onshi_reports::{Check, ScenarioRecord, TraceEvent, Verdict};
use onshi_sim::ids::InsurerNumber;
use onshi_sim::oqs::{CharacterCode, EncodeOptions, decode_confirm_response, encode};
use onshi_sim::portal::{PortalError, PortalView};
use onshi_sim::registry::{
    Answer, DataDenied, DataScope, Echo, NumberConfirm, Outage, to_confirm_response,
};
use onshi_sim::rules::DataKind;
use onshi_sim::world::{Outcome, VisitOutcome};
use onshi_sim::{World, WorldConfig};

use crate::pcsc::tcp::{CardSlot, RetryPolicy};
use crate::scenario::compile::{
    Action, Origin, Plan, PlannedExpect, PlannedStep, consent_item, data_kind,
};
use crate::scenario::load::Source;
use crate::scenario::model::*;
use crate::terminal::SharedWorld;
use crate::terminal::card::{SharedLog, WorldCard};
use crate::terminal::desk::{CARD_SWAP_GAP, Desk, ReaderVisit, TerminalExchange};
use crate::terminal::reference;
use crate::wire::ExchangeRecord;

mod provider;

use provider::UnderTest;
pub use provider::{AdapterRun, scenario_folder};

/// What the terminal did at one visit (scenarios with `terminal: true`).
#[derive(Clone, Debug)]
struct TerminalOutcome {
    /// The card's APDU log while it was on the reader.
    log: ApduLog,
    /// The terminal's requests to the registry.
    exchanges: Vec<TerminalExchange>,
    /// Why the built-in terminal stopped, or that a terminal under test sent nothing.
    stopped: Option<String>,
}

/// What a provider under test did at one visit.
#[derive(Clone, Debug)]
struct AdapterVisit {
    /// The visit's name in the protocol.
    name: String,
    /// The `recorded` reply to `visit`.
    recorded: crate::adapter::Recorded,
    /// The requests the system sent while the visit was open.
    requests: Vec<ExchangeRecord>,
}

/// What a step left behind for expectations.
#[derive(Clone, Debug)]
enum Output {
    /// A visit settled by the reference provider (`true`: a paper 資格確認書 visit).
    Visit(Box<VisitOutcome>, bool),
    TerminalVisit(Box<VisitOutcome>, Box<TerminalOutcome>),
    /// A visit whose provider is under test: the world's part, and what the system did.
    ProviderVisit(Box<VisitOutcome>, Box<AdapterVisit>),
    Answer(Box<Answer>),
    Data(Result<usize, DataDenied>),
    Portal(Result<PortalView, PortalError>),
}

#[derive(Default)]
struct Outputs {
    named: BTreeMap<String, usize>,
    all: Vec<Output>,
}

impl Outputs {
    fn push(&mut self, name: Option<&String>, o: Output) {
        self.all.push(o);
        if let Some(n) = name {
            self.named.insert(n.clone(), self.all.len() - 1);
        }
    }

    /// The named output, or the latest one `pick` accepts.
    fn find<'a, T>(
        &'a self,
        of: &OfName,
        what: &str,
        pick: impl Fn(&'a Output) -> Option<T>,
    ) -> Result<T, String> {
        match of {
            Some(name) => {
                let i = self
                    .named
                    .get(&name.value)
                    .ok_or_else(|| format!("no step named `{}` has run", name.value))?;
                pick(&self.all[*i])
                    .ok_or_else(|| format!("step `{}` did not produce {what}", name.value))
            }
            None => self
                .all
                .iter()
                .rev()
                .find_map(&pick)
                .ok_or_else(|| format!("no step has produced {what} yet")),
        }
    }
}

fn answer_of(o: &Output) -> Option<Option<&Answer>> {
    match o {
        Output::Visit(v, _) | Output::TerminalVisit(v, _) | Output::ProviderVisit(v, _) => {
            Some(v.answer.as_ref())
        }
        Output::Answer(a) => Some(Some(a)),
        _ => None,
    }
}

fn visit_of(o: &Output) -> Option<&VisitOutcome> {
    match o {
        Output::Visit(v, _) | Output::TerminalVisit(v, _) | Output::ProviderVisit(v, _) => Some(v),
        _ => None,
    }
}

fn terminal_of(o: &Output) -> Option<&TerminalOutcome> {
    match o {
        Output::TerminalVisit(_, t) => Some(t),
        _ => None,
    }
}

/// What a provider recorded for a visit, as the `provider` expectation compares it: the
/// reference provider's record, or what a system under test reported.
struct Observed {
    under_test: bool,
    path: String,
    charged: Option<u64>,
    charge_note: Option<String>,
    copay_percent: Option<u8>,
    insurer_number: Option<String>,
    number: Option<String>,
    limit_category: Option<String>,
    cap: Option<u64>,
    confirm_later: bool,
    /// The later confirmation as the provider holds it now: date, 資格有効性.
    later: Option<(String, Option<u8>)>,
    fetched: Vec<DataKind>,
}

impl Observed {
    fn reference(w: &World, rec: &onshi_sim::provider::VisitRecord) -> Observed {
        // The visit's record as the provider holds it now (a retry updates it).
        let later = w
            .provider
            .visits
            .get(rec.seq)
            .and_then(|r| r.confirmed_later)
            .map(|l| {
                (
                    l.on.to_string(),
                    l.validity.and_then(|v| v.code().parse().ok()),
                )
            });
        Observed {
            under_test: false,
            path: name_of(&rec.path, ""),
            charged: Some(rec.charged),
            charge_note: Some(format!("fee {} yen, copay {}%", rec.fee, rec.copay_percent)),
            copay_percent: Some(rec.copay_percent),
            insurer_number: rec.insurer_number.clone(),
            number: rec.number.clone(),
            limit_category: rec.limit_category.map(|c| c.code().to_string()),
            cap: rec.cap,
            confirm_later: rec.confirm_later,
            later,
            fetched: rec.fetched.clone(),
        }
    }

    fn under_test(
        r: &crate::adapter::Recorded,
        latest: Option<&crate::adapter::Recorded>,
    ) -> Observed {
        let now = latest.unwrap_or(r);
        Observed {
            under_test: true,
            path: r.path.name().to_string(),
            charged: r.charged,
            charge_note: Some(format!(
                "as reported by the system under test (copay {})",
                r.copay_percent
                    .map_or_else(|| "not reported".into(), |c| format!("{c}%"))
            )),
            copay_percent: r.copay_percent,
            insurer_number: r.insurer_number.clone(),
            number: r.number.clone(),
            limit_category: r.limit_category.clone(),
            cap: r.cap,
            confirm_later: r.confirm_later,
            later: now
                .confirmed_later
                .as_ref()
                .map(|l| (l.on.clone(), l.validity)),
            fetched: r
                .fetched
                .iter()
                .map(|k| provider::fetched_data_kind(*k))
                .collect(),
        }
    }
}

/// Who plays the terminal in scenarios with `terminal: true`.
#[derive(Clone, Debug, Default)]
pub enum TerminalRole {
    /// The built-in terminal, in process, through the same card engine and registry checks.
    #[default]
    Reference,
    /// A terminal under test: the card is put in a vpcd reader slot and the terminal asks the
    /// registry over HTTP (the endpoints share `desk`).
    Pcsc {
        /// The desk the HTTP endpoints serve from.
        desk: Arc<Desk>,
        /// The vpcd reader slot.
        vpcd: SocketAddr,
        /// How long to wait for the terminal's confirmation after the card goes on the reader.
        wait: Duration,
    },
}

/// Who plays the provider in the provider suite ([`Plan::provider_suite`]).
#[derive(Clone, Debug, Default)]
pub enum ProviderRole {
    /// The reference provider in `onshi-sim`.
    #[default]
    Reference,
    /// A system under test, driven through the adapter protocol and the OQS interfaces.
    Adapter(Arc<AdapterRun>),
}

/// Runs a plan with `seed`, the terminal role played by the built-in terminal.
pub fn execute(plan: &Plan, sources: &[Source], seed: u64) -> ScenarioRecord {
    execute_with(plan, sources, seed, &TerminalRole::Reference)
}

/// Runs a plan with `seed` and returns its record, the provider played by the reference.
pub fn execute_with(
    plan: &Plan,
    sources: &[Source],
    seed: u64,
    terminal: &TerminalRole,
) -> ScenarioRecord {
    execute_bound(plan, sources, seed, terminal, &ProviderRole::Reference)
}

/// Runs a plan with `seed` and the roles bound for the run, and returns its record. Never
/// panics on scenario content; a failing step ends the steps, runs `finally`, and marks the
/// remaining checks skipped. A provider under test plays only in provider-suite scenarios.
pub fn execute_bound(
    plan: &Plan,
    sources: &[Source],
    seed: u64,
    terminal: &TerminalRole,
    provider: &ProviderRole,
) -> ScenarioRecord {
    let adapter = match provider {
        ProviderRole::Adapter(run) if plan.provider_suite() => Some(run),
        _ => None,
    };
    let file = sources
        .first()
        .map(|s| s.display.clone())
        .unwrap_or_default();
    let mut record = ScenarioRecord {
        id: plan.id.clone(),
        file,
        title: plan.title.clone(),
        requirements: plan.requirements.clone(),
        tags: plan.tags.clone(),
        seed,
        verdict: Verdict::Skip,
        skip_reason: None,
        expected_deviation: None,
        error: None,
        checks: Vec::new(),
        trace: Vec::new(),
    };
    if let Some(reason) = &plan.skip {
        record.skip_reason = Some(reason.clone());
        return record;
    }
    let mut cfg = WorldConfig::new(seed, &plan.id, plan.start);
    cfg.rules = plan.rules.clone();
    cfg.trace = true;
    cfg.reference_provider = adapter.is_none();
    let mut world = World::new(cfg);
    let mut ex = Executor {
        sources,
        outputs: Outputs::default(),
        checks: Vec::new(),
        terminal: plan.terminal.then_some(terminal),
        put: None,
    };
    if let Err(e) = setup(&mut world, plan) {
        record.error = Some(format!("world setup failed: {e}"));
        record.verdict = Verdict::Fail;
        record.trace = trace_events(&world);
        return record;
    }
    let shared = SharedWorld::new(world);
    if let Some(TerminalRole::Pcsc { desk, .. }) = ex.terminal {
        desk.attach(shared.clone());
    }
    if let Some(run) = adapter {
        match UnderTest::start(run, plan, seed, &shared) {
            Ok(put) => ex.put = Some(put),
            Err(e) => {
                record.error = Some(format!("the provider under test could not start: {e}"));
                record.verdict = Verdict::Fail;
                record.trace = trace_events(&shared.lock());
                return record;
            }
        }
    }
    let mut failed: Option<String> = None;
    for (i, step) in plan.steps.iter().enumerate() {
        if let Err(e) = ex.top_step(&shared, step, i + 1) {
            failed = Some(format!(
                "step {} ({}) failed: {e}",
                i + 1,
                ex.position(step.origin)
            ));
            break;
        }
    }
    if failed.is_none()
        && let Err(e) = ex.refresh_observations(&shared)
    {
        failed = Some(e);
    }
    if failed.is_none() {
        let world = shared.lock();
        for pe in &plan.expect {
            ex.check(&world, pe, None);
        }
    } else {
        for pe in &plan.expect {
            ex.skipped(pe, "not checked: an earlier step failed");
        }
    }
    for (i, step) in plan.finally.iter().enumerate() {
        if let Err(e) = ex.top_step(&shared, step, plan.steps.len() + i + 1) {
            let msg = format!(
                "finally step {} ({}) failed: {e}",
                i + 1,
                ex.position(step.origin)
            );
            failed = Some(match failed {
                Some(f) => format!("{f}; {msg}"),
                None => msg,
            });
            break;
        }
    }
    if let Some(TerminalRole::Pcsc { desk, .. }) = ex.terminal {
        desk.detach();
    }
    if let Some(put) = ex.put.take() {
        ex.requests_checks(&put, plan);
        let now = provider::moment_text(&shared.lock());
        if let Some(e) = put.finish(now) {
            failed = Some(match failed {
                Some(f) => format!("{f}; at the end: {e}"),
                None => e,
            });
        }
    }
    record.checks = ex.checks;
    record.error = failed;
    record.verdict = if record.error.is_some() {
        Verdict::Fail
    } else {
        Verdict::combine(record.checks.iter().map(|c| c.verdict))
    };
    record.trace = trace_events(&shared.lock());
    record
}

/// The scenario's world at its start time, as its `world:` section and includes describe it
/// (no step applied): what `onshi card insert` and `onshi serve` serve.
pub fn build_world(plan: &Plan, seed: u64) -> Result<World, String> {
    let mut cfg = WorldConfig::new(seed, &plan.id, plan.start);
    cfg.rules = plan.rules.clone();
    cfg.trace = true;
    cfg.reference_provider = true;
    let mut world = World::new(cfg);
    setup(&mut world, plan)?;
    Ok(world)
}

fn setup(w: &mut World, plan: &Plan) -> Result<(), String> {
    for (key, number, name, lag) in &plan.insurers {
        w.add_insurer(key, *number, name, *lag)
            .map_err(|e| e.to_string())?;
    }
    for (key, code, name, settings) in &plan.institutions {
        w.add_institution(key, *code, name, settings.clone())
            .map_err(|e| e.to_string())?;
    }
    for p in &plan.people {
        let id = w
            .add_person(p.spec.clone())
            .map_err(|e| format!("person `{}`: {e}", p.spec.key))?;
        if let Some(card) = &p.card {
            w.issue_card(id, card)
                .map_err(|e| format!("card of `{}`: {e}", p.spec.key))?;
        }
        for q in &p.quals {
            w.add_qualification(q.clone())
                .map_err(|e| format!("insurance of `{}`: {e}", p.spec.key))?;
        }
        if let Some((at, channel)) = p.registered {
            w.register_for_insurance(id, channel, at)
                .map_err(|e| format!("registration of `{}`: {e}", p.spec.key))?;
        }
        if p.portal_account {
            w.apply(onshi_sim::world::Event::PortalAccount { person: id })
                .map_err(|e| format!("portal account of `{}`: {e}", p.spec.key))?;
        }
        for r in &p.records {
            w.apply(onshi_sim::world::Event::AddMedicalRecord {
                person: id,
                record: r.clone(),
            })
            .map_err(|e| format!("record of `{}`: {e}", p.spec.key))?;
        }
        for c in &p.checkups {
            w.apply(onshi_sim::world::Event::AddCheckup {
                person: id,
                checkup: c.clone(),
            })
            .map_err(|e| format!("checkup of `{}`: {e}", p.spec.key))?;
        }
    }
    Ok(())
}

fn trace_events(w: &World) -> Vec<TraceEvent> {
    w.trace
        .entries()
        .iter()
        .map(|e| TraceEvent {
            seq: e.seq,
            at: e.at.clone(),
            from: e.from.name().to_string(),
            to: e.to.name().to_string(),
            kind: e.kind.to_string(),
            person: e
                .person
                .and_then(|p| w.people.get(p.index()))
                .map(|p| p.key.clone()),
            summary: e.summary.clone(),
        })
        .collect()
}

struct Executor<'a> {
    sources: &'a [Source],
    outputs: Outputs,
    checks: Vec<Check>,
    /// Who plays the terminal, when card visits go through the terminal role.
    terminal: Option<&'a TerminalRole>,
    /// The provider under test, in provider-suite scenarios of an adapter run.
    put: Option<UnderTest>,
}

/// Text of a serde enum value (`snake_case` name, or the tag field of a tagged enum).
fn name_of<T: serde::Serialize + std::fmt::Debug>(value: &T, tag: &str) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(m)) => m
            .get(tag)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| serde_json::Value::Object(m).to_string()),
        Ok(v) => v.to_string(),
        // A tagged newtype variant holding a string cannot be serialized with its tag: fall
        // back to the variant name in snake_case.
        Err(_) => snake_case(
            format!("{value:?}")
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or(""),
        ),
    }
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn list<T: std::fmt::Debug>(items: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = items.into_iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", v.join(", "))
}

impl Executor<'_> {
    fn position(&self, o: Origin) -> String {
        let file = self
            .sources
            .get(o.source)
            .map(|s| s.display.as_str())
            .unwrap_or("?");
        format!("{file}:{}:{}", o.line, o.column)
    }

    /// A step of the scenario: card visits go to the terminal role when the scenario says so;
    /// everything else runs on the locked world.
    fn top_step(
        &mut self,
        shared: &SharedWorld,
        step: &PlannedStep,
        n: usize,
    ) -> Result<(), String> {
        if let (Some(role), Action::Event(e)) = (self.terminal, &step.action)
            && let Event::Visit(spec) = &**e
            && spec.presentation != Presentation::EligibilityCertificate
        {
            return self.terminal_visit(shared, role, spec, step, n);
        }
        if self.put.is_some() {
            return self.provider_step(shared, step, n);
        }
        let mut w = shared.lock();
        self.step(&mut w, step, n)
    }

    fn terminal_visit(
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
            (card, w.rules.switches().face_match_threshold)
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
            TerminalRole::Pcsc { desk, vpcd, wait } => {
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

    fn terminal(&mut self, pe: &PlannedExpect, step: Option<usize>, t: &TerminalExpect) {
        let out = match self.outputs.find(&t.of, "a terminal visit", terminal_of) {
            Ok(o) => o.clone(),
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "terminal",
                    "a visit through the terminal role (scenario `terminal: true`)".into(),
                    e,
                );
                return;
            }
        };
        let last = out.exchanges.last();
        let note = out.stopped.clone();
        if let Some(want) = t.confirmed {
            let got = out.exchanges.iter().any(|e| e.answer.is_some());
            self.push(
                pe,
                step,
                "terminal.confirmed",
                want.to_string(),
                got.to_string(),
                note.clone(),
            );
        }
        if let Some(want) = &t.certificate {
            let got = match last {
                None => "none".to_string(),
                Some(e) => match &e.rejection {
                    Some(TerminalRejection::SignatureCertificate) => "signature".into(),
                    Some(TerminalRejection::MalformedCertificate { .. })
                    | Some(TerminalRejection::NotIssuedByJlis { .. }) => "other".into(),
                    _ if e.serial.is_some() => "auth".into(),
                    _ => "none".into(),
                },
            };
            self.push(pe, step, "terminal.certificate", want.clone(), got, None);
        }
        if let Some(want) = &t.method {
            let got = last
                .and_then(|e| e.method.clone())
                .unwrap_or_else(|| "none".into());
            self.push(pe, step, "terminal.method", want.clone(), got, None);
        }
        if let Some(want) = t.signed_with_auth_key {
            let got = out
                .log
                .signatures()
                .any(|(k, _)| k == onshi_sim::jlis::CertKind::Auth);
            self.push(
                pe,
                step,
                "terminal.signed_with_auth_key",
                want.to_string(),
                got.to_string(),
                None,
            );
        }
        if let Some(want) = t.pin_tries {
            self.push(
                pe,
                step,
                "terminal.pin_tries",
                want.to_string(),
                out.log.pin_tries(PinRef::Auth).to_string(),
                None,
            );
        }
        if let Some(want) = &t.rejection {
            let got = last
                .and_then(|e| e.rejection.as_ref())
                .map(|r| name_of(r, "rejection"))
                .unwrap_or_else(|| "none".into());
            self.push(pe, step, "terminal.rejection", want.clone(), got, None);
        }
    }

    fn step(&mut self, w: &mut World, step: &PlannedStep, n: usize) -> Result<(), String> {
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
                let today = w.clock.today();
                let current = w.view().current_qualification(*person);
                let q = current.and_then(|q| w.quals.get(q.index()));
                let default_number = q
                    .and_then(|q| w.insurers.get(q.insurer.index()))
                    .map(|i| i.number);
                let insurer_number: InsurerNumber = insurer_number
                    .or(default_number)
                    .ok_or("the person has no 資格 to take the numbers from; give insurer_number and number")?;
                let req = NumberConfirm {
                    institution: *institution,
                    date: today,
                    insurer_number,
                    symbol: symbol.clone().or_else(|| q.and_then(|q| q.symbol.clone())),
                    number: number
                        .clone()
                        .or_else(|| q.map(|q| q.number.clone()))
                        .ok_or("no 番号 to confirm with")?,
                    branch: branch.clone().or_else(|| q.map(|q| q.branch.clone())),
                    birth: born.unwrap_or_else(|| w.people[person.index()].birth),
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
                let (verdict, actual, note) = match result {
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

    fn push(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        name: &str,
        expected: String,
        actual: String,
        note: Option<String>,
    ) {
        let verdict = if expected == actual {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
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

    fn fail(
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

    fn skipped(&mut self, pe: &PlannedExpect, reason: &str) {
        self.checks.push(Check {
            name: kind_name(&pe.expectation).to_string(),
            at: self.position(pe.origin),
            step: None,
            requirements: pe.requirements.clone(),
            verdict: Verdict::Skip,
            expected: "-".into(),
            actual: "-".into(),
            note: Some(reason.to_string()),
        });
    }

    fn check(&mut self, w: &World, pe: &PlannedExpect, step: Option<usize>) {
        match &pe.expectation {
            Expectation::Confirmation(c) => self.confirmation(w, pe, step, c),
            Expectation::Verification(v) => self.verification(pe, step, v),
            Expectation::Terminal(t) => self.terminal(pe, step, t),
            Expectation::Reader(r) => self.reader(pe, step, r),
            Expectation::Data(d) => self.data(pe, step, d),
            Expectation::Provider(p) => self.provider(w, pe, step, p),
            Expectation::Requests(r) => self.requests(pe, step, r),
            Expectation::RegistryLink(l) => self.link(w, pe, step, l),
            Expectation::RegistryCount(c) => {
                let ins = w.insurer_by_key(&c.insurer.value).ok();
                let n = ins
                    .and_then(|i| w.registry.counts().get(&i).copied())
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
            Expectation::JlisChain(c) => self.chain(w, pe, step, c),
            Expectation::Card(c) => self.card(w, pe, step, c),
            Expectation::Portal(p) => self.portal(pe, step, p),
            Expectation::TraceHas(t) | Expectation::TraceNever(t)
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
            Expectation::TraceHas(t) => {
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
            Expectation::TraceNever(t) => {
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
            Expectation::NoMyNumber(n) => self.no_my_number(w, pe, step, n),
            Expectation::Wire(x) => self.wire(w, pe, step, x),
            Expectation::Review(r) => self.checks.push(Check {
                name: "review".into(),
                at: self.position(pe.origin),
                step,
                requirements: pe.requirements.clone(),
                verdict: Verdict::Review,
                expected: r.text.clone(),
                actual: "needs a human".into(),
                note: Some(r.text.clone()),
            }),
        }
    }

    fn confirmation(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        c: &ConfirmationExpect,
    ) {
        let found = self.outputs.find(&c.of, "a confirmation", answer_of);
        let answer = match found {
            Ok(Some(a)) => a.clone(),
            Ok(None) => {
                self.fail(
                    pe,
                    step,
                    "confirmation",
                    "an answer from the registry".into(),
                    "no confirmation was sent (verification failed or no card)".into(),
                );
                return;
            }
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "confirmation",
                    "an answer from the registry".into(),
                    e,
                );
                return;
            }
        };
        let refusal = answer
            .refusal()
            .map(|r| name_of(r, "refusal"))
            .unwrap_or_else(|| "none".into());
        if let Some(want) = &c.refused {
            self.push(
                pe,
                step,
                "confirmation.refused",
                want.clone(),
                refusal.clone(),
                answer.refusal().map(|r| format!("{r:?}")),
            );
        }
        if let Some(want) = c.validity {
            let got = answer
                .validity
                .map(|v| v.code().to_string())
                .unwrap_or_else(|| format!("none (refused: {refusal})"));
            self.push(
                pe,
                step,
                "confirmation.validity",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = c.results {
            self.push(
                pe,
                step,
                "confirmation.results",
                want.to_string(),
                answer.results.len().to_string(),
                None,
            );
        }
        if let Some(want) = &c.scope {
            let got = match answer.scope {
                DataScope::Full => "full",
                DataScope::QualificationOnly { .. } => "qualification_only",
            };
            self.push(
                pe,
                step,
                "confirmation.scope",
                want.clone(),
                got.into(),
                None,
            );
        }
        if let Some(want) = &c.expiry_notice {
            let got = answer
                .expiry_notice
                .map(|d| d.to_string())
                .unwrap_or_else(|| "none".into());
            let got = if want == "any" && got != "none" {
                "any".into()
            } else {
                got
            };
            self.push(
                pe,
                step,
                "confirmation.expiry_notice",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = c.relinked {
            self.push(
                pe,
                step,
                "confirmation.relinked",
                want.to_string(),
                answer.relinked_from.is_some().to_string(),
                answer.relinked_from.map(|s| format!("from serial {s}")),
            );
        }
        let first = answer.results.first();
        let qual = first.and_then(|r| w.quals.get(r.qualification.index()));
        let none = || "none (no result)".to_string();
        if let Some(want) = &c.insurer_number {
            let got = qual
                .and_then(|q| w.insurers.get(q.insurer.index()))
                .map(|i| i.number.to_string())
                .unwrap_or_else(none);
            self.push(
                pe,
                step,
                "confirmation.insurer_number",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = &c.symbol {
            let got = qual
                .map(|q| q.symbol.clone().unwrap_or_default())
                .unwrap_or_else(none);
            self.push(pe, step, "confirmation.symbol", want.clone(), got, None);
        }
        if let Some(want) = &c.number {
            let got = qual.map(|q| q.number.clone()).unwrap_or_else(none);
            self.push(pe, step, "confirmation.number", want.clone(), got, None);
        }
        if let Some(want) = &c.branch {
            let got = qual.map(|q| q.branch.clone()).unwrap_or_else(none);
            self.push(pe, step, "confirmation.branch", want.clone(), got, None);
        }
        if let Some(want) = c.copay_percent {
            let got = first
                .map(|r| r.copay_percent.to_string())
                .unwrap_or_else(none);
            self.push(
                pe,
                step,
                "confirmation.copay_percent",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = c.preschool {
            let got = first.map(|r| r.preschool.to_string()).unwrap_or_else(none);
            self.push(
                pe,
                step,
                "confirmation.preschool",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = &c.elderly_copay {
            let got = first
                .map(|r| {
                    r.elderly
                        .map(|e| e.copay_percent.to_string())
                        .unwrap_or_else(|| "none".into())
                })
                .unwrap_or_else(none);
            self.push(
                pe,
                step,
                "confirmation.elderly_copay",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = &c.limit_category {
            let got = first
                .map(|r| {
                    r.limit
                        .as_ref()
                        .map(|l| l.category.code().to_string())
                        .unwrap_or_else(|| "none".into())
                })
                .unwrap_or_else(none);
            self.push(
                pe,
                step,
                "confirmation.limit_category",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = &c.long_stay_from {
            let got = first
                .map(|r| {
                    r.limit
                        .as_ref()
                        .and_then(|l| l.long_stay_from)
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "none".into())
                })
                .unwrap_or_else(none);
            self.push(
                pe,
                step,
                "confirmation.long_stay_from",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = &c.disease {
            let got = first
                .map(|r| {
                    if r.designated_diseases.is_empty() {
                        "none".to_string()
                    } else {
                        r.designated_diseases
                            .iter()
                            .map(|d| disease_name(d.disease))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                })
                .unwrap_or_else(none);
            self.push(pe, step, "confirmation.disease", want.clone(), got, None);
        }
        if let Some(want) = &c.loss_date {
            let got = first
                .map(|r| {
                    r.loss
                        .map(|(d, _)| d.to_string())
                        .unwrap_or_else(|| "none".into())
                })
                .unwrap_or_else(none);
            self.push(pe, step, "confirmation.loss_date", want.clone(), got, None);
        }
    }

    fn verification(&mut self, pe: &PlannedExpect, step: Option<usize>, v: &VerificationExpect) {
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
            let got = ver
                .method
                .map(|m| name_of(&m, ""))
                .unwrap_or_else(|| "none".into());
            self.push(pe, step, "verification.method", want.clone(), got, None);
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
            let got: Vec<String> = ver.attempts.iter().map(attempt_name).collect();
            self.push(
                pe,
                step,
                "verification.results",
                format!("[{}]", want.join(", ")),
                format!("[{}]", got.join(", ")),
                None,
            );
        }
    }

    fn reader(&mut self, pe: &PlannedExpect, step: Option<usize>, r: &ReaderExpect) {
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
            self.push(
                pe,
                step,
                "reader.consent_screens",
                list(want.iter().map(|i| consent_item(*i))),
                list(got),
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
            let mut want: Vec<_> = want.iter().map(|i| consent_item(*i)).collect();
            want.sort();
            let mut got = got;
            got.sort();
            self.push(pe, step, "reader.consented", list(want), list(got), None);
        }
        if let Some(want) = &r.provided_without_consent {
            let got = consent
                .as_ref()
                .map(|c| c.provided_without_consent.clone())
                .unwrap_or_default();
            self.push(
                pe,
                step,
                "reader.provided_without_consent",
                list(want.iter().map(|i| consent_item(*i))),
                list(got),
                None,
            );
        }
    }

    fn data(&mut self, pe: &PlannedExpect, step: Option<usize>, d: &DataExpect) {
        let kind = data_kind(d.kind);
        let under_test = |o: &Output| match o {
            Output::ProviderVisit(..) => Some(true),
            Output::Visit(..) | Output::Data(_) => Some(false),
            _ => None,
        };
        if self.outputs.find(&d.of, "a visit", under_test) == Ok(true) {
            self.skipped(
                pe,
                "not checked: what the registry shared with the reference provider; a provider \
                 under test is checked by `provider.fetched`, `requests` and \
                 provider.no_data_without_consent",
            );
            return;
        }
        let pick = |o: &Output| -> Option<Option<Result<usize, DataDenied>>> {
            match o {
                Output::Visit(v, _) => Some(
                    v.fetched
                        .iter()
                        .find(|(k, _)| *k == kind)
                        .map(|(_, r)| r.clone()),
                ),
                Output::Data(r) => Some(Some(r.clone())),
                _ => None,
            }
        };
        let got = match self.outputs.find(&d.of, "a visit or a fetch", pick) {
            Ok(Some(Ok(n))) => (Some(n), "shared".to_string()),
            Ok(Some(Err(e))) => (None, name_of(&e, "denied")),
            Ok(None) => (None, "not_requested".to_string()),
            Err(e) => {
                self.fail(pe, step, "data", format!("{kind:?} data"), e);
                return;
            }
        };
        if let Some(want) = d.shared {
            let actual = match got.0 {
                Some(n) => format!("{n} item(s) shared"),
                None => format!("withheld: {}", got.1),
            };
            self.push(
                pe,
                step,
                "data.shared",
                format!("{want} item(s) shared"),
                actual,
                Some(format!("{kind:?}")),
            );
        }
        if let Some(want) = &d.withheld {
            let actual = match got.0 {
                Some(n) => format!("shared {n} item(s)"),
                None => got.1.clone(),
            };
            self.push(
                pe,
                step,
                "data.withheld",
                want.clone(),
                actual,
                Some(format!("{kind:?}")),
            );
        }
        if d.shared.is_none() && d.withheld.is_none() {
            self.fail(
                pe,
                step,
                "data",
                "`shared` or `withheld`".into(),
                "the expectation states neither".into(),
            );
        }
    }

    fn provider(&mut self, w: &World, pe: &PlannedExpect, step: Option<usize>, p: &ProviderExpect) {
        let found = self.outputs.find(&p.of, "a visit", |o| match o {
            Output::ProviderVisit(_, a) => Some(Err(a.clone())),
            o => visit_of(o).map(|v| Ok(v.record.clone())),
        });
        let obs = match found {
            Err(e) => {
                self.fail(pe, step, "provider", "a visit".into(), e);
                return;
            }
            Ok(Err(a)) => {
                let latest = self.put.as_ref().and_then(|put| put.latest.get(&a.name));
                Observed::under_test(&a.recorded, latest)
            }
            Ok(Ok(Some(rec))) => Observed::reference(w, &rec),
            Ok(Ok(None)) => {
                self.fail(
                    pe,
                    step,
                    "provider",
                    "a visit record from the provider".into(),
                    "the provider recorded nothing for this visit".into(),
                );
                return;
            }
        };
        let none = || "none".to_string();
        if let Some(want) = &p.path {
            self.push(
                pe,
                step,
                "provider.path",
                want.clone(),
                obs.path.clone(),
                None,
            );
        }
        if let Some(want) = p.charged {
            self.push(
                pe,
                step,
                "provider.charged",
                format!("{want} yen"),
                obs.charged.map_or_else(none, |c| format!("{c} yen")),
                obs.charge_note.clone(),
            );
        }
        if let Some(want) = p.copay_percent {
            self.push(
                pe,
                step,
                "provider.copay_percent",
                want.to_string(),
                obs.copay_percent.map_or_else(none, |c| c.to_string()),
                None,
            );
        }
        if let Some(want) = &p.insurer_number {
            let got = obs.insurer_number.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.insurer_number", want.clone(), got, None);
        }
        if let Some(want) = &p.number {
            let got = obs.number.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.number", want.clone(), got, None);
        }
        if let Some(want) = &p.limit_category {
            let got = obs.limit_category.clone().unwrap_or_else(none);
            self.push(pe, step, "provider.limit_category", want.clone(), got, None);
        }
        if let Some(want) = &p.cap {
            let got = obs.cap.map_or_else(none, |c| c.to_string());
            self.push(pe, step, "provider.cap", want.clone(), got, None);
        }
        if let Some(want) = p.confirm_later {
            self.push(
                pe,
                step,
                "provider.confirm_later",
                want.to_string(),
                obs.confirm_later.to_string(),
                None,
            );
        }
        if let Some(want) = &p.confirmed_later {
            let got = obs.later.as_ref().map_or_else(none, |(on, _)| on.clone());
            self.push(
                pe,
                step,
                "provider.confirmed_later",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = p.later_validity {
            let got = obs
                .later
                .as_ref()
                .and_then(|(_, v)| *v)
                .map_or_else(none, |v| v.to_string());
            self.push(
                pe,
                step,
                "provider.later_validity",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = &p.fetched {
            let mut want: Vec<DataKind> = want.iter().map(|k| data_kind(*k)).collect();
            want.sort();
            let mut got = obs.fetched.clone();
            got.sort();
            let mut note = None;
            if obs.under_test {
                // Only 薬剤 (YZK) and 特定健診 (TKK) travel over the folder protocol.
                let wire = |k: &DataKind| matches!(k, DataKind::Medication | DataKind::Checkup);
                if want.iter().chain(&got).any(|k| !wire(k)) {
                    note = Some(
                        "compared over the kinds the folder protocol carries (medication, checkup)"
                            .to_string(),
                    );
                }
                want.retain(wire);
                got.retain(wire);
            }
            self.push(pe, step, "provider.fetched", list(want), list(got), note);
        }
    }

    fn link(&mut self, w: &World, pe: &PlannedExpect, step: Option<usize>, l: &LinkExpect) {
        let Ok(person) = w.person_by_key(&l.person.value) else {
            self.fail(
                pe,
                step,
                "registry.link",
                l.person.value.clone(),
                "unknown person".into(),
            );
            return;
        };
        let serial = match w.current_auth_serial(person) {
            Ok(s) => s,
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "registry.link",
                    "a current auth certificate".into(),
                    e.to_string(),
                );
                return;
            }
        };
        let link = w.registry.link(serial).filter(|k| k.person == person);
        if let Some(want) = l.linked {
            self.push(
                pe,
                step,
                "registry.link.linked",
                want.to_string(),
                link.is_some().to_string(),
                Some(format!("current serial {serial}")),
            );
        }
        if let Some(want) = &l.relinked_from {
            let earlier = w.jlis.old_serials(serial).unwrap_or(&[]);
            let got = match link.and_then(|k| k.relinked_from) {
                None => "none".to_string(),
                Some(s) => match earlier.iter().rev().position(|x| *x == s) {
                    Some(0) => "previous".to_string(),
                    Some(k) => format!("{} back", k + 1),
                    None => format!("serial {s} (not an earlier serial of this person)"),
                },
            };
            self.push(
                pe,
                step,
                "registry.link.relinked_from",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = l.channel {
            let got = link
                .map(|k| name_of(&k.channel, ""))
                .unwrap_or_else(|| "none".into());
            let want = match want {
                ChannelName::Reader => "reader",
                ChannelName::App => "portal_app",
                ChannelName::Atm => "atm",
            };
            self.push(pe, step, "registry.link.channel", want.into(), got, None);
        }
    }

    fn chain(&mut self, w: &World, pe: &PlannedExpect, step: Option<usize>, c: &ChainExpect) {
        let serial = w
            .person_by_key(&c.person.value)
            .ok()
            .and_then(|p| w.current_auth_serial(p).ok());
        let Some(serial) = serial else {
            self.fail(
                pe,
                step,
                "jlis.chain",
                "a current auth certificate".into(),
                "the person has none".into(),
            );
            return;
        };
        let earlier = w.jlis.old_serials(serial).unwrap_or(&[]).to_vec();
        if let Some(want) = c.serials {
            self.push(
                pe,
                step,
                "jlis.chain.serials",
                want.to_string(),
                (earlier.len() + 1).to_string(),
                Some(format!(
                    "current {serial}, earlier [{}]",
                    earlier
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
        if let Some(want) = c.earlier_revoked {
            let today = w.clock.today();
            let not_revoked: Vec<_> = earlier
                .iter()
                .filter(|s| {
                    !matches!(
                        w.jlis.status(**s, today),
                        onshi_sim::jlis::CertStatus::Revoked { .. }
                    )
                })
                .collect();
            let got = not_revoked.is_empty();
            self.push(
                pe,
                step,
                "jlis.chain.earlier_revoked",
                want.to_string(),
                got.to_string(),
                (!got).then(|| format!("not revoked: {}", list(not_revoked))),
            );
        }
        if let Some(want) = c.old_serial_search {
            // Ground truth: every auth certificate J-LIS issued to this person, oldest first.
            let person = w.person_by_key(&c.person.value).ok();
            let mut truth = Vec::new();
            let mut i = 0u32;
            while let Ok(r) = w.jlis.record(onshi_sim::ids::CertId(i)) {
                if Some(r.person()) == person
                    && r.kind() == onshi_sim::jlis::CertKind::Auth
                    && r.serial() != serial
                {
                    truth.push(r.serial());
                }
                i += 1;
            }
            let got = truth == earlier;
            self.push(
                pe,
                step,
                "jlis.chain.old_serial_search",
                want.to_string(),
                got.to_string(),
                Some(format!(
                    "search {} vs issued {}",
                    list(&earlier),
                    list(&truth)
                )),
            );
        }
    }

    fn card(&mut self, w: &World, pe: &PlannedExpect, step: Option<usize>, c: &CardExpect) {
        let card = w
            .person_by_key(&c.person.value)
            .ok()
            .and_then(|p| w.cards.iter().rev().find(|k| k.person == p));
        let Some(card) = card else {
            self.fail(
                pe,
                step,
                "card",
                "a card".into(),
                "the person has no card".into(),
            );
            return;
        };
        if let Some(want) = c.pin_remaining {
            self.push(
                pe,
                step,
                "card.pin_remaining",
                want.to_string(),
                card.pins.auth_counter.remaining.to_string(),
                None,
            );
        }
        if let Some(want) = c.pin_blocked {
            self.push(
                pe,
                step,
                "card.pin_blocked",
                want.to_string(),
                card.pins.auth_counter.is_blocked().to_string(),
                None,
            );
        }
        if let Some(want) = c.face_locked {
            self.push(
                pe,
                step,
                "card.face_locked",
                want.to_string(),
                card.face_locked.to_string(),
                None,
            );
        }
        if let Some(want) = &c.expires {
            self.push(
                pe,
                step,
                "card.expires",
                want.value.0.clone(),
                card.expires.to_string(),
                None,
            );
        }
        if let Some(want) = &c.certificate_expires {
            let got = w
                .jlis
                .record(card.auth_cert)
                .map(|r| r.not_after().to_string())
                .unwrap_or_else(|e| e.to_string());
            self.push(
                pe,
                step,
                "card.certificate_expires",
                want.value.0.clone(),
                got,
                None,
            );
        }
    }

    fn portal(&mut self, pe: &PlannedExpect, step: Option<usize>, p: &PortalExpect) {
        let pick = |o: &Output| match o {
            Output::Portal(r) => Some(r.clone()),
            _ => None,
        };
        let r = match self.outputs.find(&p.of, "a portal view", pick) {
            Ok(r) => r,
            Err(e) => {
                self.fail(pe, step, "portal", "a portal view".into(), e);
                return;
            }
        };
        let (items, denied) = match &r {
            Ok(PortalView::Records(v)) => (Some(v.len()), "none".to_string()),
            Ok(PortalView::Checkups(v)) => (Some(v.len()), "none".to_string()),
            Err(e) => (None, name_of(e, "error")),
        };
        if let Some(want) = p.items {
            let got = items
                .map(|n| n.to_string())
                .unwrap_or_else(|| format!("denied: {denied}"));
            self.push(pe, step, "portal.items", want.to_string(), got, None);
        }
        if let Some(want) = &p.denied {
            self.push(pe, step, "portal.denied", want.clone(), denied, None);
        }
    }

    fn trace_matches(&self, w: &World, t: &TraceExpect) -> usize {
        let person = t
            .person
            .as_ref()
            .and_then(|p| w.person_by_key(&p.value).ok());
        w.trace
            .entries()
            .iter()
            .filter(|e| t.kind.as_deref().is_none_or(|k| e.kind == k))
            .filter(|e| t.from.as_deref().is_none_or(|f| e.from.name() == f))
            .filter(|e| t.to.as_deref().is_none_or(|f| e.to.name() == f))
            .filter(|e| t.person.is_none() || (person.is_some() && e.person == person))
            .filter(|e| t.contains.as_deref().is_none_or(|c| e.summary.contains(c)))
            .count()
    }

    fn answers(&self) -> Vec<&Answer> {
        self.outputs
            .all
            .iter()
            .filter_map(|o| answer_of(o).flatten())
            .collect()
    }

    fn no_my_number(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        n: &NoMyNumberExpect,
    ) {
        let Ok(person) = w.person_by_key(&n.person.value) else {
            self.fail(
                pe,
                step,
                "no_my_number",
                n.person.value.clone(),
                "unknown person".into(),
            );
            return;
        };
        let digits = w.people[person.index()].my_number.digits();
        let mut places = Vec::new();
        let view = w.view();
        let answers = self.answers();
        let checked = answers.len();
        for (i, a) in answers.into_iter().enumerate() {
            if serde_json::to_string(a)
                .unwrap_or_default()
                .contains(&digits)
            {
                places.push(format!("answer {}", i + 1));
            }
            let code = w.institutions.get(a.institution.index()).map(|x| x.code);
            if let Some(code) = code {
                let msg = to_confirm_response(a, &view, code, &Echo::default());
                for enc in [CharacterCode::Utf8, CharacterCode::ShiftJis] {
                    let options = EncodeOptions {
                        encoding: enc,
                        ..EncodeOptions::default()
                    };
                    if let Ok(bytes) = encode(&msg, options)
                        && String::from_utf8_lossy(&bytes.bytes).contains(&digits)
                    {
                        places.push(format!("answer {} as {enc:?} XML", i + 1));
                    }
                }
            }
        }
        if w.trace
            .entries()
            .iter()
            .any(|e| e.summary.contains(&digits))
        {
            places.push("trace".into());
        }
        for (i, v) in w.provider.visits.iter().enumerate() {
            if serde_json::to_string(v)
                .unwrap_or_default()
                .contains(&digits)
            {
                places.push(format!("provider record {}", i + 1));
            }
        }
        self.push(
            pe,
            step,
            "no_my_number",
            "nowhere".into(),
            if places.is_empty() { "nowhere".into() } else { places.join(", ") },
            Some(format!("searched {checked} answer(s) typed and as XML, {} trace message(s), {} provider record(s)", w.trace.entries().len(), w.provider.visits.len())),
        );
    }

    fn wire(&mut self, w: &World, pe: &PlannedExpect, step: Option<usize>, x: &WireExpect) {
        let answer = match self.outputs.find(&x.of, "a confirmation", answer_of) {
            Ok(Some(a)) => a.clone(),
            Ok(None) => {
                self.fail(
                    pe,
                    step,
                    "wire",
                    "an answer".into(),
                    "no confirmation was sent".into(),
                );
                return;
            }
            Err(e) => {
                self.fail(pe, step, "wire", "an answer".into(), e);
                return;
            }
        };
        let Some(code) = w
            .institutions
            .get(answer.institution.index())
            .map(|i| i.code)
        else {
            self.fail(
                pe,
                step,
                "wire",
                "an answer to a known institution".into(),
                "the answer names no institution of this world".into(),
            );
            return;
        };
        let enc = if x.encoding.value == "shift_jis" {
            CharacterCode::ShiftJis
        } else {
            CharacterCode::Utf8
        };
        let msg = to_confirm_response(&answer, &w.view(), code, &Echo::default());
        let opts = EncodeOptions {
            encoding: enc,
            ..EncodeOptions::default()
        };
        let encoded = match encode(&msg, opts) {
            Ok(e) => e,
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "wire.encode",
                    format!("a {} result file", x.encoding.value),
                    e.to_string(),
                );
                return;
            }
        };
        if let Some(want) = x.substitutions {
            self.push(
                pe,
                step,
                "wire.substitutions",
                want.to_string(),
                encoded.substitutions.len().to_string(),
                Some(format!("{:?}", encoded.substitutions)),
            );
        }
        if let Some(want) = x.round_trips {
            let again = decode_confirm_response(&encoded.bytes)
                .map_err(|e| e.to_string())
                .and_then(|m| encode(&m, opts).map_err(|e| e.to_string()));
            let got = match again {
                Ok(b) if b.bytes == encoded.bytes => "true".to_string(),
                Ok(_) => "false (re-encoding differs)".to_string(),
                Err(e) => format!("false ({e})"),
            };
            self.push(pe, step, "wire.round_trips", want.to_string(), got, None);
        }
    }
}

fn attempt_name(a: &onshi_sim::reader::AttemptResult) -> String {
    use onshi_sim::card::PinResult;
    use onshi_sim::reader::AttemptResult as R;
    match a {
        R::FaceMatched => "face_matched".into(),
        R::FaceMismatch { .. } => "face_mismatch".into(),
        R::NotLive => "not_live".into(),
        R::FaceRetriesExhausted => "face_retries_exhausted".into(),
        R::FaceLocked => "face_locked".into(),
        R::Pin(PinResult::Accepted) => "pin_ok".into(),
        R::Pin(PinResult::Wrong { .. }) => "pin_wrong".into(),
        R::Pin(PinResult::NowBlocked) => "pin_now_blocked".into(),
        R::Pin(PinResult::Blocked) => "pin_blocked".into(),
        R::VisualConfirmed => "visual_confirmed".into(),
        R::VisualRejected => "visual_rejected".into(),
    }
}

fn disease_name(d: onshi_sim::insurer::DesignatedDisease) -> &'static str {
    use onshi_sim::insurer::DesignatedDisease as D;
    match d {
        D::ChronicRenalFailure => "chronic_renal_failure",
        D::Hemophilia => "hemophilia",
        D::HivFromBloodProducts => "hiv_from_blood_products",
    }
}

fn describe(t: &TraceExpect) -> String {
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
        parts.push(format!("for {}", p.value));
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

/// The expectation's key, for skipped checks.
pub fn kind_name(e: &Expectation) -> &'static str {
    match e {
        Expectation::Confirmation(_) => "confirmation",
        Expectation::Verification(_) => "verification",
        Expectation::Terminal(_) => "terminal",
        Expectation::Reader(_) => "reader",
        Expectation::Data(_) => "data",
        Expectation::Provider(_) => "provider",
        Expectation::Requests(_) => "requests",
        Expectation::RegistryLink(_) => "registry.link",
        Expectation::RegistryCount(_) => "registry.count",
        Expectation::JlisChain(_) => "jlis.chain",
        Expectation::Card(_) => "card",
        Expectation::Portal(_) => "portal",
        Expectation::TraceHas(_) => "trace.has",
        Expectation::TraceNever(_) => "trace.never",
        Expectation::NoMyNumber(_) => "no_my_number",
        Expectation::Wire(_) => "wire",
        Expectation::Review(_) => "review",
    }
}
