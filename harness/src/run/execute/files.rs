//! The files of the 資格確認端末 for a run's exchanges (`onshi run --oqs-files`): the world
//! keeps the registry's exchanges with the clinics, and after every step they become face,
//! request and result files ([`TerminalFiles`]), read against the world as the step left it.

use super::*;

impl Executor<'_> {
    /// Turns the exchanges of the step that just ran into files, when files are asked for.
    pub(crate) fn collect_files(&mut self, shared: &SharedWorld) {
        let Some(files) = self.files.as_deref_mut() else {
            return;
        };
        let mut w = shared.lock();
        for exchange in w.take_exchanges() {
            files.add(&w, &exchange);
        }
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
