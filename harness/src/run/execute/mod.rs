//! Runs one checked scenario against the roles bound for the run and turns what happened
//! into a [`ScenarioRecord`]: a check per expected field, expected vs actual, with the
//! requirement ids and the file position of the expectation.

pub(crate) use std::collections::BTreeMap;
pub(crate) use std::sync::Arc;

pub(crate) use onshi_sim::card::apdu::{ApduLog, Application, PinRef};
pub(crate) use onshi_sim::world::{Event, Presentation, VisitSpec};

pub(crate) use onshi_reports::{Check, ScenarioRecord, TraceEvent, Verdict};
pub(crate) use onshi_sim::ids::{InsuranceNumbers, InsurerNumber};
pub(crate) use onshi_sim::oqs::{
    CharacterCode, ConfirmEcho, EncodeOptions, decode_confirm_response, encode, to_confirm_response,
};
pub(crate) use onshi_sim::portal::{PortalError, PortalView};
pub(crate) use onshi_sim::registry::{Answer, DataDenied, NumberConfirm, Outage};
pub(crate) use onshi_sim::rules::DataKind;
pub(crate) use onshi_sim::world::{Outcome, VisitOutcome};
pub(crate) use onshi_sim::{World, WorldConfig};

pub(crate) use crate::pcsc::tcp::{CardSlot, RetryPolicy};

pub(crate) use crate::roles::registry::drive::RegistryRun;
pub(crate) use crate::roles::terminal::card::{SharedLog, WorldCard};
pub(crate) use crate::roles::terminal::desk::{
    CARD_SWAP_GAP, Desk, PatientTry, ReaderVisit, TerminalExchange,
};
pub(crate) use crate::roles::terminal::reference;
pub(crate) use crate::scenario::load::Source;
pub(crate) use crate::scenario::names::*;
pub(crate) use crate::scenario::plan::*;
pub(crate) use crate::shared::SharedWorld;
pub(crate) use crate::wire::ExchangeRecord;
pub use crate::wire::export::{TerminalFile, TerminalFiles};

mod files;
mod outputs;
mod provider;
mod setup;
mod steps;
mod terminal;

pub use files::{execute_with_files, reference_files};
pub(crate) use outputs::*;
pub(crate) use provider::*;
pub use setup::build_world;

pub use crate::roles::provider::{AdapterRun, scenario_folder};
pub(crate) use crate::roles::provider::{UnderTest, moment_text, visit_facts};
pub use crate::roles::{ProviderRole, Roles, TerminalRole};
/// Runs a plan with `seed`, the terminal role played by the built-in terminal.
pub fn execute(plan: &Plan, sources: &[Source], seed: u64) -> ScenarioRecord {
    execute_bound(plan, sources, seed, &Roles::default())
}

/// Runs a plan with `seed` and the roles bound for the run, and returns its record. Never
/// panics on scenario content; a failing step ends the steps, runs `finally`, and marks the
/// remaining checks skipped. A provider under test plays only in provider-suite scenarios.
pub fn execute_bound(plan: &Plan, sources: &[Source], seed: u64, roles: &Roles) -> ScenarioRecord {
    execute_with(plan, sources, seed, roles, |_, _, _| ()).0
}

/// [`execute_bound`], and `at_end` called with the world, what the steps left and the
/// provider under test once the steps ran (before the final expectations are checked);
/// `None` when setup or a step failed. `explore` reads each visit's observables this way.
pub(crate) fn execute_with<T>(
    plan: &Plan,
    sources: &[Source],
    seed: u64,
    roles: &Roles,
    at_end: impl FnOnce(&World, &Outputs, Option<&UnderTest>) -> T,
) -> (ScenarioRecord, Option<T>) {
    execute_inner(plan, sources, seed, roles, None, at_end)
}

/// [`execute_with`], and, with `files`, the files of the 資格確認端末 added after every step.
fn execute_inner<T>(
    plan: &Plan,
    sources: &[Source],
    seed: u64,
    roles: &Roles,
    files: Option<&mut TerminalFiles>,
    at_end: impl FnOnce(&World, &Outputs, Option<&UnderTest>) -> T,
) -> (ScenarioRecord, Option<T>) {
    let mut seen = None;
    let adapter = roles.provider.adapter_for(plan);
    let registry = roles.registry.under_test_for(plan);
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
        return (record, None);
    }
    let mut cfg = WorldConfig::new(seed, &plan.id, plan.start);
    cfg.rules = plan.rules.clone();
    cfg.trace = true;
    cfg.reference_provider = adapter.is_none();
    let mut world = World::new(cfg);
    world.keep_exchanges(files.is_some() || registry.is_some());
    world.keep_exchange_facts(registry.is_some());
    let mut ex = Executor {
        sources,
        outputs: Outputs::default(),
        checks: Vec::new(),
        terminal: plan.terminal.then_some(&roles.terminal),
        put: None,
        files,
        registry: None,
    };
    if let Err(e) = setup::setup(&mut world, plan) {
        record.error = Some(format!("world setup failed: {e}"));
        record.verdict = Verdict::Fail;
        record.trace = trace_events(&world);
        return (record, None);
    }
    let shared = SharedWorld::new(world);
    if let Some(TerminalRole::Pcsc { desk, .. }) = ex.terminal {
        desk.attach(shared.clone());
    }
    if let Some(r) = registry {
        match RegistryRun::start(r, plan, seed, &shared) {
            Ok(run) => ex.registry = Some(run),
            Err(e) => {
                record.error = Some(format!("the registry under test could not start: {e}"));
                record.verdict = Verdict::Fail;
                record.trace = trace_events(&shared.lock());
                return (record, None);
            }
        }
    }
    if let Some(run) = adapter {
        match UnderTest::start(run, plan, seed, &shared) {
            Ok(put) => ex.put = Some(put),
            Err(e) => {
                record.error = Some(format!("the provider under test could not start: {e}"));
                record.verdict = Verdict::Fail;
                record.trace = trace_events(&shared.lock());
                return (record, None);
            }
        }
    }
    let mut failed: Option<String> = None;
    for (i, step) in plan.steps.iter().enumerate() {
        let _span =
            tracing::debug_span!("step", n = i + 1, at = %ex.position(step.origin)).entered();
        let done = ex.top_step(&shared, step, i + 1);
        let asked = ex.collect_exchanges(&shared, i + 1, step.origin);
        if let Err(e) = done.and(asked) {
            tracing::debug!(error = %e, "step failed");
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
        seen = Some(at_end(&world, &ex.outputs, ex.put.as_ref()));
        for pe in &plan.expect {
            ex.check(&world, pe, None);
        }
    } else {
        for pe in &plan.expect {
            ex.skipped(pe, "not checked: an earlier step failed");
        }
    }
    for (i, step) in plan.finally.iter().enumerate() {
        let done = ex.top_step(&shared, step, plan.steps.len() + i + 1);
        let asked = ex.collect_exchanges(&shared, plan.steps.len() + i + 1, step.origin);
        if let Err(e) = done.and(asked) {
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
    if let Some(run) = ex.registry.take() {
        let now = shared.lock().now();
        if let Err(e) = run.finish(now) {
            failed = Some(match failed {
                Some(f) => format!("{f}; at the end: {e}"),
                None => e,
            });
        }
    }
    if let Some(put) = ex.put.take() {
        ex.requests_checks(&put, plan);
        let now = moment_text(&shared.lock());
        if let Some(e) = put.finish(now) {
            failed = Some(match failed {
                Some(f) => format!("{f}; at the end: {e}"),
                None => e,
            });
        }
    }
    record.checks = ex.checks;
    if registry.is_some() {
        // What a registry run evidences is what its registry checks asked, not what the
        // scenario cites for the reference world: coverage counts these only.
        let asked: std::collections::BTreeSet<&String> = record
            .checks
            .iter()
            .filter(|c| c.name.starts_with("registry_under_test.") && c.verdict != Verdict::Skip)
            .flat_map(|c| &c.requirements)
            .collect();
        record.requirements = asked.into_iter().cloned().collect();
    }
    record.error = failed;
    record.verdict = if record.error.is_some() {
        Verdict::Fail
    } else {
        Verdict::combine(record.checks.iter().map(|c| c.verdict))
    };
    if record.verdict == Verdict::Skip && record.skip_reason.is_none() {
        record.skip_reason = Some(if record.checks.is_empty() {
            "the scenario has no checks (no `expect`) / 期待値がないため何も確認していません".into()
        } else {
            "every check was skipped (see each check's note) / すべてのチェックがスキップされました"
                .into()
        });
    }
    record.trace = trace_events(&shared.lock());
    (record, seen)
}

pub(crate) fn trace_events(w: &World) -> Vec<TraceEvent> {
    w.trace()
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
                .and_then(|p| w.people().get(p.index()))
                .map(|p| p.key.clone()),
            summary: e.summary.clone(),
        })
        .collect()
}

pub(crate) struct Executor<'a> {
    pub(crate) sources: &'a [Source],
    pub(crate) outputs: Outputs,
    pub(crate) checks: Vec<Check>,
    /// Who plays the terminal, when card visits go through the terminal role.
    pub(crate) terminal: Option<&'a TerminalRole>,
    /// The provider under test, in provider-suite scenarios of an adapter run.
    pub(crate) put: Option<UnderTest>,
    /// The files of the 資格確認端末, when they are asked for (`--oqs-files`).
    pub(crate) files: Option<&'a mut TerminalFiles>,
    /// The registry under test, in registry-suite scenarios of a registry run.
    pub(crate) registry: Option<RegistryRun>,
}

pub(crate) fn list<T: std::fmt::Debug>(items: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = items.into_iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", v.join(", "))
}

impl Executor<'_> {
    pub(crate) fn position(&self, o: Origin) -> String {
        let file = self
            .sources
            .get(o.source)
            .map(|s| s.display.as_str())
            .unwrap_or("?");
        format!("{file}:{}:{}", o.line, o.column)
    }

    /// A step of the scenario: card visits go to the terminal role when the scenario says so;
    /// everything else runs on the locked world.
    pub(crate) fn top_step(
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
}
