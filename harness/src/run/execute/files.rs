//! The files of the 資格確認端末 for a run's exchanges (`onshi run --oqs-files`): the world
//! keeps the registry's exchanges with the clinics, and after every step they become face,
//! request and result files ([`TerminalFiles`]), read against the world as the step left it.

use super::*;

impl Executor<'_> {
    /// The exchanges of the step that just ran (step `n`, written at `origin`): into files,
    /// when files are asked for, and asked again of the registry under test, whose checks are
    /// added. An error is a failure to reach the registry under test's adapter.
    pub(crate) fn collect_exchanges(
        &mut self,
        shared: &SharedWorld,
        n: usize,
        origin: Origin,
    ) -> Result<(), String> {
        if self.files.is_none() && self.registry.is_none() {
            return Ok(());
        }
        let exchanges = shared.lock().take_exchanges_with_facts();
        if let Some(files) = self.files.as_deref_mut() {
            let w = shared.lock();
            for (exchange, _) in &exchanges {
                files.add(&w, exchange);
            }
        }
        let at = self.position(origin);
        if let Some(run) = self.registry.as_mut() {
            let checks = run.after_step(shared, exchanges, Some(n), &at)?;
            self.checks.extend(checks);
        }
        Ok(())
    }
}

/// Runs a plan like [`execute_bound`] and adds to `files` the files the 資格確認端末 would
/// have left for its exchanges, step by step: a scenario that fails (or panics) keeps the
/// files of what it exchanged before.
pub fn execute_with_files(
    plan: &Plan,
    sources: &[Source],
    seed: u64,
    roles: &Roles,
    files: &mut TerminalFiles,
) -> ScenarioRecord {
    execute_inner(plan, sources, seed, roles, Some(files), |_, _, _| ()).0
}

/// The files of one scenario's run against the reference (the built-in terminal, the
/// reference provider) with `seed` as given (the runner lets a plan's own `seed:` win; this
/// does not), in the order of the exchanges: `path()` is `req/…`, `res/…` or `face/…`.
pub fn reference_files(plan: &Plan, seed: u64) -> Vec<TerminalFile> {
    let mut files = TerminalFiles::new(plan.oqs_encoding);
    execute_with_files(plan, &[], seed, &Roles::default(), &mut files);
    files.into_files()
}
