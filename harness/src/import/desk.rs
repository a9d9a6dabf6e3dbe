//! What the reference desk does with the imported answers: the scenario is run against the
//! reference once, and each card visit's record (path, numbers, ratio, charge, a confirmation
//! owed, what it sent) is written as `provider` / `requests` expectations in a final `expect:`
//! block, the same way `onshi explore` writes the reference's record for a system under test
//! (`explore::oracle::expectations`). With them the imported scenario is in the provider suite,
//! so `onshi run FILE --adapter CMD` judges a clinic system by it with no hand edit; the files
//! themselves never show what the desk did.

use std::fmt::Write as _;

use crate::catalog::Catalog;
use crate::explore::oracle::{PROVIDER_REQUIREMENTS, Reports, expectations, seen};
use crate::roles::Roles;
use crate::run::execute::execute_with;
use crate::scenario::{compile, load};

/// The seed the scenario runs with when the run gives none (`onshi run`'s default).
const RUN_SEED: u64 = 1;

/// The `expect:` block (empty when the scenario has no card visit the reference desk records),
/// or why the reference could not run the scenario.
pub(super) fn block(id: &str, yaml: &str) -> Result<String, String> {
    let display = format!("{id}.yaml");
    let loaded = load::load_text(&display, yaml).map_err(first)?;
    let plan = compile::compile(&loaded, Catalog::builtin()).map_err(first)?;
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        execute_with(
            &plan,
            &loaded.sources,
            plan.seed.unwrap_or(RUN_SEED),
            &Roles::default(),
            seen,
        )
    }));
    let Ok((record, visits)) = run else {
        return Err("the reference panicked (a bug in onshi; please report it)".into());
    };
    if let Some(e) = record.error {
        return Err(e);
    }
    let lines = expectations(&visits.unwrap_or_default(), Reports::all());
    if lines.is_empty() {
        return Ok(String::new());
    }
    let req = format!("req: [{}], ", PROVIDER_REQUIREMENTS.join(", "));
    let mut o = String::new();
    o.push_str(
        "# What the reference desk does with these answers (docs/adapter-protocol.md, \"What the desk\n\
         # does\"): a clinic system under test (`onshi run FILE --adapter CMD`) is judged by these.\n\
         # The files do not show what your desk did; where the report says what it should have\n\
         # done and that differs, the difference is for onshi's rules (see docs/field-issues.md).\n\
         # unknown: the fee of each visit (none is assumed, so `charged` is 0).\n\
         expect:\n",
    );
    for line in lines.lines() {
        let line = line
            .replacen("- provider: { ", &format!("- provider: {{ {req}"), 1)
            .replacen("- requests: { ", &format!("- requests: {{ {req}"), 1);
        let _ = writeln!(o, "{line}");
    }
    Ok(o)
}

fn first(problems: Vec<crate::scenario::Problem>) -> String {
    problems
        .first()
        .map_or_else(|| "unknown problem".into(), |p| p.to_string())
}
