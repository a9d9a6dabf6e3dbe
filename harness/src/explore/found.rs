//! A difference made into a scenario file: shrunk, written into `<out>/found/`, then read back
//! from disk and run again — against the system (it must show the same difference) and,
//! with a system under test, against the reference (it must pass).

use std::path::Path;

use onshi_reports::Verdict;
use onshi_reports::explore::Found;

use super::history::History;
use super::oracle::{self, Difference, Reports};
use super::{Ctx, Options, classes, judge, shrink};
use crate::roles::Roles;
use crate::run::execute::execute_bound;

/// The file name of a difference: the check, then the history number.
pub fn file_name(check: &str, index: u64) -> String {
    let slug: String = check
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{}-h{index}.yaml", slug.trim_matches('-'))
}

/// Shrinks the difference of history `index`, writes the scenario and checks it reproduces.
pub(crate) fn shrink_and_write(
    ctx: &Ctx,
    opts: &Options,
    index: u64,
    h: History,
    d: Difference,
    reports: Reports,
) -> Result<Found, String> {
    let steps_before = h.steps.len() as u32;
    let people_before = h.people.len() as u32;
    let shrunk = shrink::shrink(h, d, opts.max_shrink_runs, &mut |c| judge(ctx, c, reports));
    let h = shrunk.history;
    let d = shrunk.difference;
    let generated: Vec<&str> = classes::of(&h).into_iter().collect();
    let mut header = vec![
        format!(
            "Found by `onshi explore --seed {}` (history {index} of the seed) against {}.",
            opts.seed, opts.target
        ),
        format!(
            "Generated: {}.",
            if generated.is_empty() {
                "no boundary class".to_string()
            } else {
                generated.join(", ")
            }
        ),
        format!(
            "Shrunk from {} and {} to {} and {} ({} simplifications kept, {} candidate runs).",
            count(steps_before as usize, "step", "steps"),
            count(people_before as usize, "person", "people"),
            count(h.steps.len(), "step", "steps"),
            count(h.people.len(), "person", "people"),
            shrunk.kept,
            shrunk.runs
        ),
        format!("Differed: {}.", d.line()),
        String::new(),
    ];
    let with_adapter = ctx.with_adapter();
    let text = if with_adapter {
        header.push(
            "The expectations are the reference provider's record of each visit: `onshi run \
             FILE` passes, `onshi run FILE --adapter CMD` fails until the system is fixed."
                .into(),
        );
        header.push("Keep it in your own regression suite (docs/explore.md).".into());
        let r = oracle::reference(ctx, &h).map_err(|e| format!("the shrunk history: {e:?}"))?;
        let expect = oracle::expectations(&r.visits, reports);
        let reqs = requirements_of(&d);
        h.to_yaml(&header, &reqs, &expect)
    } else {
        header.push(
            "An invariant of the reference broke on this history (docs/explore.md, \
             \"Invariants\"); `onshi explore` checks it, the file holds the history."
                .into(),
        );
        let reqs = requirements_of(&d);
        h.to_yaml(&header, &reqs, "")
    };
    let dir = opts.out.join("found");
    let name = file_name(&d.check, index);
    write(&dir, &name, &text)?;
    let path = dir.join(&name);
    let (reproduces, passes_reference) = if with_adapter {
        rerun_file(ctx, &path, &d, reports)?
    } else {
        let back =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let again = oracle::invariants(ctx, &back, &h).ok().flatten();
        (again.is_some_and(|a| a.check == d.check), None)
    };
    Ok(Found {
        file: format!("found/{name}"),
        steps_before,
        people_before,
        shrink_steps: shrunk.kept,
        shrink_runs: shrunk.runs,
        reproduces,
        passes_reference,
        ..unwritten(index, &h, &d)
    })
}

/// The requirement ids a found scenario cites: those the difference broke (narrowed to the
/// field, [`super::requirements::of_field`]), or the provider's when it names none.
fn requirements_of(d: &Difference) -> Vec<String> {
    if d.requirements.is_empty() {
        oracle::PROVIDER_REQUIREMENTS.map(String::from).to_vec()
    } else {
        d.requirements.clone()
    }
}

/// Runs the written file as `onshi run FILE` would: against the system (same difference?)
/// and against the reference (passes?).
pub(crate) fn rerun_file(
    ctx: &Ctx,
    path: &Path,
    d: &Difference,
    reports: Reports,
) -> Result<(bool, Option<bool>), String> {
    let sc = crate::scenario::open(path, &ctx.catalog).map_err(|p| {
        format!(
            "{}: the written scenario does not load: {}",
            path.display(),
            p.iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let seed = sc.plan.seed.unwrap_or(1);
    let system = execute_bound(&sc.plan, &sc.sources, seed, &ctx.roles);
    let same = oracle::first_difference(&system, reports).is_some_and(|x| x.check == d.check);
    let reference = execute_bound(&sc.plan, &sc.sources, seed, &Roles::default());
    Ok((same, Some(reference.verdict == Verdict::Pass)))
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let path = dir.join(name);
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `1 step`, `3 steps`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The record of a difference whose scenario could not be shrunk or written (a write error,
/// a history the shrinker could not run): reported as found, not reproduced, with no file.
pub(crate) fn unwritten(index: u64, h: &History, d: &Difference) -> Found {
    Found {
        history: index,
        check: d.check.clone(),
        visit: d.visit.clone(),
        expected: d.expected.clone(),
        actual: d.actual.clone(),
        requirements: d.requirements.clone(),
        file: String::new(),
        steps_before: h.steps.len() as u32,
        steps_after: h.steps.len() as u32,
        people_before: h.people.len() as u32,
        people_after: h.people.len() as u32,
        shrink_steps: 0,
        shrink_runs: 0,
        reproduces: false,
        passes_reference: None,
    }
}
