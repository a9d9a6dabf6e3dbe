//! `onshi validate` lints: things that parse and compile but are probably wrong.

use std::collections::BTreeMap;

use super::Scenario;
use super::diag::Problem;
use super::model::Step;
use super::plan::{Action, Expect};

/// Lints over one scenario (problems that do not stop a run), at most
/// [`super::limits::MAX_PROBLEMS_PER_FILE`] listed per file.
pub fn lint(sc: &Scenario) -> Vec<Problem> {
    let mut out = Vec::new();
    let src = &sc.sources[0];
    let at = |line, column, code, msg: String| {
        Problem::new(&src.display, line, column, code, msg).with_source(Some(src.text.clone()))
    };
    let f = &sc.file;
    // Expectations that can never be checked: a reference to a step name that does not
    // exist, or `of:` pointing at a step that comes later.
    let names: Vec<(String, usize)> = sc
        .plan
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.name.clone().map(|n| (n, i)))
        .collect();
    for (i, s) in sc.plan.steps.iter().enumerate() {
        if let Action::Expect(list) = &s.action {
            for pe in list {
                if let Some(of) = of_name(&pe.expectation) {
                    match names.iter().find(|(n, _)| *n == of.0) {
                        None => out.push(at(
                            of.1,
                            of.2,
                            "lint::never-checked",
                            format!(
                                "`of: {}` names no step; this expectation can never be checked",
                                of.0
                            ),
                        )),
                        Some((_, j)) if *j > i => out.push(at(
                            of.1,
                            of.2,
                            "lint::never-checked",
                            format!(
                                "`of: {}` names a later step; at this point it has not run",
                                of.0
                            ),
                        )),
                        _ => {}
                    }
                }
            }
        }
    }
    for pe in &sc.plan.expect {
        if let Some(of) = of_name(&pe.expectation)
            && !names.iter().any(|(n, _)| *n == of.0)
        {
            out.push(at(
                of.1,
                of.2,
                "lint::never-checked",
                format!(
                    "`of: {}` names no step; this expectation can never be checked",
                    of.0
                ),
            ));
        }
    }
    // A scenario that checks nothing.
    let checks = f.expect.len()
        + f.steps
            .iter()
            .filter(|s| {
                matches!(&s.value, Step::Expect(l) if !l.is_empty())
                    || matches!(&s.value, Step::Fails(_))
            })
            .count();
    let uses = f.steps.iter().any(|s| matches!(s.value, Step::Use(_)));
    if checks == 0 && !uses && f.skip.is_none() {
        out.push(at(
            f.id.line,
            f.id.column,
            "lint::no-checks",
            "the scenario checks nothing (no `expect`)".into(),
        ));
    }
    for s in &f.steps {
        if let Step::Expect(l) = &s.value
            && l.is_empty()
        {
            out.push(at(
                s.line,
                s.column,
                "lint::empty-expect",
                "an empty `expect` step checks nothing".into(),
            ));
        }
    }
    // Steps after the end: a card visit after that card was returned (and not reissued).
    for (pos, s) in f.steps.iter().enumerate() {
        let Step::CardReturn(r) = &s.value else {
            continue;
        };
        let later_card_visit = f.steps[pos + 1..].iter().find(|n| {
            matches!(&n.value, Step::Visit(v)
                if v.person.value == r.person.value
                    && v.presents == super::model::PresentationName::Card)
        });
        let reissued = f.steps[pos + 1..]
            .iter()
            .any(|n| matches!(&n.value, Step::CardReissue(x) if x.person.value == r.person.value));
        if let Some(next) = later_card_visit
            && !reissued
        {
            out.push(at(
                next.line,
                next.column,
                "lint::after-end",
                format!(
                    "a card visit by `{}` after `card.return`: that card no longer exists",
                    r.person.value
                ),
            ));
            if let Some(p) = out.last_mut() {
                p.help = Some(
                    "to check that the visit is refused, wrap it in `fails: {step: ...}`".into(),
                );
            }
        }
    }
    late_elderly(sc, &at, &mut out);
    // Requirement ids cited twice.
    let mut seen = BTreeMap::new();
    for r in &f.requirements {
        if seen.insert(r.value.clone(), ()).is_some() {
            out.push(at(
                r.line,
                r.column,
                "lint::duplicate-requirement",
                format!("`{}` is cited twice", r.value),
            ));
        }
    }
    super::limits::cap(out)
}

/// `lint::late-elderly`: a person kept on an insurer other than 後期高齢者医療 on or after the
/// 75th birthday (rules-tables §2.2: the law moves everyone on that day; the world does it, so a
/// scenario must not say otherwise). A record open-ended across a later birthday is what the law
/// ends (also when the birthday is before the start) and is fine; a record that starts on or
/// after the birthday or is lost after it is not; neither is a `job.change` to another insurer
/// on or after the birthday. Only the scenario file's own people and steps are looked at (their
/// positions are in that file); people from included fixtures are not.
fn late_elderly<F>(sc: &Scenario, at: &F, out: &mut Vec<Problem>)
where
    F: Fn(u64, u64, &'static str, String) -> Problem,
{
    use onshi_sim::rules::late_elderly::late_elderly_start;
    let not_late = |key: &str| {
        sc.plan
            .insurers
            .iter()
            .find(|(k, ..)| k == key)
            .is_some_and(|(_, n, ..)| !n.is_late_elderly())
    };
    let birthday_of = |key: &str| {
        sc.plan
            .people
            .iter()
            .find(|p| p.spec.key == key)
            .and_then(|p| late_elderly_start(p.spec.birth))
    };
    let date = |t: &super::model::DateText| t.0.parse::<jiff::civil::Date>().ok();
    let mut say = |line, column, who: &str, b, what: String| {
        let mut p = at(
            line,
            column,
            "lint::late-elderly",
            format!(
                "`{who}` reaches 75 on {b} (後期高齢者医療 from that day, rules-tables §2.2) but {what}"
            ),
        );
        p.help = Some(
            "leave the old record open (no `lost`) and let the world move the person at 75; set `late_elderly_number` for the 後期 番号".into(),
        );
        out.push(p);
    };
    for person in &sc.file.world.people {
        let d = &person.value;
        let Some(b) = birthday_of(&d.id) else {
            continue;
        };
        for q in &d.insurance {
            if !not_late(&q.value.insurer.value) {
                continue;
            }
            let from = date(&q.value.from.value);
            let lost = q
                .value
                .lost
                .as_ref()
                .and_then(|l| date(&l.on.value).map(|x| (x, l)));
            if from.is_some_and(|f| f >= b) {
                say(
                    q.value.from.line,
                    q.value.from.column,
                    &d.id,
                    b,
                    format!("a `{}` record starts on or after it", q.value.insurer.value),
                );
            } else if let Some((on, l)) = lost
                && on > b
            {
                say(
                    l.on.line,
                    l.on.column,
                    &d.id,
                    b,
                    format!(
                        "the `{}` record is lost only on {on}",
                        q.value.insurer.value
                    ),
                );
            }
        }
    }
    for s in &sc.file.steps {
        let Step::JobChange(j) = &s.value else {
            continue;
        };
        let (Some(b), Some(on)) = (birthday_of(&j.person.value), date(&j.on.value)) else {
            continue;
        };
        if on >= b && not_late(&j.to.value) {
            say(
                j.on.line,
                j.on.column,
                &j.person.value,
                b,
                format!("`job.change` moves them to `{}` on {on}", j.to.value),
            );
        }
    }
}

fn of_name(e: &Expect) -> Option<(String, u64, u64)> {
    e.of().map(|o| (o.name.clone(), o.line, o.column))
}

/// Lints across scenarios: duplicate ids.
pub fn lint_many(all: &[Scenario]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut first: BTreeMap<&str, &Scenario> = BTreeMap::new();
    for sc in all {
        if let Some(prev) = first.get(sc.plan.id.as_str()) {
            let src = &sc.sources[0];
            out.push(
                Problem::new(
                    &src.display,
                    sc.file.id.line,
                    sc.file.id.column,
                    "lint::duplicate-id",
                    format!(
                        "scenario id `{}` is also used by {}",
                        sc.plan.id, prev.sources[0].display
                    ),
                )
                .with_source(Some(src.text.clone())),
            );
        } else {
            first.insert(&sc.plan.id, sc);
        }
    }
    out
}
