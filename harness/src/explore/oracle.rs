//! The two oracles.
//!
//! - **The reference** (with a system under test): the history runs against the reference
//!   provider; every visit's record becomes `provider` and `requests` expectations; the
//!   history runs again with the system under test and those expectations. A failing check
//!   (or an automatic `provider.*` check, or the adapter breaking the protocol) is a
//!   difference. Fields the system never reports in the history (`name`, `relation`,
//!   `copay_percent`, `limit_category`, `cap`, fetched data) are not compared.
//! - **Invariants** (the reference alone): no panic; no My Number in any answer, trace or
//!   record (`no_my_number` per person); every answer's result file parses back to the same
//!   bytes in UTF-8 and Shift_JIS (`wire.round_trips`); a charge never takes the month's total
//!   above the cap in force; a visit is billed only under the patient's own 資格; the same
//!   seed gives the same trace.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use onshi_reports::{ScenarioRecord, Verdict};
use onshi_sim::World;

use super::Ctx;
use super::history::History;
use crate::run::checks::provider::Observed;
use crate::run::checks::requests::sent_kinds;
use crate::run::execute::{Output, Outputs, Roles, UnderTest, execute_with};
use crate::scenario::names::RequestKindName;
use crate::scenario::{Plan, Source, compile, load};

/// One difference between the system and the oracle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The check that differed (`provider.charged`, `invariant.month_cap`, …).
    pub check: String,
    /// The visit it is about, when known.
    pub visit: Option<String>,
    /// What the oracle says.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// Requirement ids.
    pub requirements: Vec<String>,
}

impl Difference {
    /// The one-line form printed when it is found.
    pub fn line(&self) -> String {
        let at = self
            .visit
            .as_ref()
            .map(|v| format!(" at {v}"))
            .unwrap_or_default();
        format!(
            "{}{at}: expected {}, got {} ({})",
            self.check,
            one_line(&self.expected),
            one_line(&self.actual),
            self.requirements.join(", ")
        )
    }
}

/// `s` on one line: line breaks become ` / `, other control characters (and the Unicode
/// line and paragraph separators a YAML reader takes as breaks) a space, so a value a system
/// under test reported can never break the comment line of a found file.
pub(crate) fn one_line(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\n', " / ").replace(
        |c: char| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'),
        " ",
    );
    if s.chars().count() > 160 {
        let cut: String = s.chars().take(157).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// What one visit left, as the provider recorded it.
#[derive(Clone, Debug)]
pub(crate) struct SeenVisit {
    pub(crate) name: String,
    pub(crate) obs: Option<Observed>,
    pub(crate) sent: Vec<RequestKindName>,
}

/// The visits of a finished run, in step order.
pub(crate) fn seen(w: &World, outputs: &Outputs, put: Option<&UnderTest>) -> Vec<SeenVisit> {
    let mut named: Vec<(usize, &String)> = outputs.named.iter().map(|(n, i)| (*i, n)).collect();
    named.sort();
    let mut out = Vec::new();
    for (i, name) in named {
        let o = &outputs.all[i];
        let obs = match o {
            Output::ProviderVisit(_, a) => Some(Observed::under_test(
                &a.recorded,
                put.and_then(|p| p.latest.get(&a.name)),
            )),
            Output::Visit(v, _) => v.record.as_ref().map(|r| Observed::reference(w, r)),
            _ => continue,
        };
        out.push(SeenVisit {
            name: name.clone(),
            obs,
            sent: sent_kinds(o).unwrap_or_default(),
        });
    }
    out
}

/// A history compiled: its plan (with the planted fault, in tests) and source.
pub(crate) fn compile_text(
    ctx: &Ctx,
    text: &str,
    display: &str,
) -> Result<(Plan, Vec<Source>), String> {
    let loaded = load::load_text(display, text).map_err(problems)?;
    let mut plan = compile::compile(&loaded, &ctx.catalog).map_err(problems)?;
    if let Some(f) = ctx.plant {
        plan.rules.plant(f);
    }
    Ok((plan, loaded.sources))
}

fn problems(p: Vec<crate::scenario::Problem>) -> String {
    p.iter()
        .take(3)
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a generated history is not used.
#[derive(Clone, Debug)]
pub enum Rejected {
    /// The text did not compile (a generator bug: reported, never silently dropped).
    Invalid(String),
    /// The world refused a step (a history the rules do not allow).
    Refused(String),
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejected::Invalid(e) => write!(f, "the history does not compile: {e}"),
            Rejected::Refused(e) => write!(f, "the world refuses the history: {e}"),
        }
    }
}

/// The reference's run of a history.
pub(crate) struct ReferenceRun {
    pub(crate) visits: Vec<SeenVisit>,
}

/// Runs the history (no expectations) against the reference.
pub(crate) fn reference(ctx: &Ctx, h: &History) -> Result<ReferenceRun, Rejected> {
    let text = h.to_yaml(&[], &[], "");
    let (plan, sources) = compile_text(ctx, &text, &h.id()).map_err(Rejected::Invalid)?;
    let (record, visits) = execute_with(&plan, &sources, h.seed, &Roles::default(), seen);
    if let Some(e) = &record.error {
        return Err(Rejected::Refused(e.clone()));
    }
    Ok(ReferenceRun {
        visits: visits.unwrap_or_default(),
    })
}

/// Which optional fields a system reports (any visit of the history has them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reports {
    name: bool,
    relation: bool,
    copay: bool,
    limit: bool,
    cap: bool,
    fetches: bool,
}

impl Reports {
    /// Everything (the first run, before the system's habits are known).
    pub(crate) fn all() -> Reports {
        Reports {
            name: true,
            relation: true,
            copay: true,
            limit: true,
            cap: true,
            fetches: true,
        }
    }

    fn of(visits: &[SeenVisit]) -> Reports {
        let mut r = Reports::default();
        for o in visits.iter().filter_map(|v| v.obs.as_ref()) {
            r.name |= o.name.is_some();
            r.relation |= o.relation.is_some();
            r.copay |= o.copay_percent.is_some();
            r.limit |= o.limit_category.is_some();
            r.cap |= o.cap.is_some();
            r.fetches |= !o.fetched.is_empty();
        }
        r
    }

    /// Whether a failing check of this name is compared.
    fn compares(&self, check: &str) -> bool {
        match check {
            "provider.name" => self.name,
            "provider.relation" => self.relation,
            "provider.copay_percent" => self.copay,
            "provider.limit_category" => self.limit,
            "provider.cap" => self.cap,
            "provider.fetched" => self.fetches,
            _ => true,
        }
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The reference's record of every visit as `provider` and `requests` expectations (lines of
/// an `expect:` list), leaving out what the system does not report.
pub(crate) fn expectations(visits: &[SeenVisit], reports: Reports) -> String {
    let mut o = String::new();
    for v in visits {
        let Some(r) = &v.obs else { continue };
        let none = || "none".to_string();
        let text = |x: &Option<String>| x.as_deref().map_or_else(none, quoted);
        let mut f = vec![
            format!("of: {}", v.name),
            format!("path: {}", r.path),
            format!("charged: {}", r.charged.unwrap_or(0)),
        ];
        if reports.copay
            && let Some(c) = r.copay_percent
        {
            f.push(format!("copay_percent: {c}"));
        }
        f.push(format!("insurer_number: {}", text(&r.insurer_number)));
        f.push(format!("symbol: {}", text(&r.symbol)));
        f.push(format!("number: {}", text(&r.number)));
        f.push(format!("branch: {}", text(&r.branch)));
        if reports.relation
            && let Some(rel) = r.relation
        {
            f.push(format!("relation: {}", rel.name()));
        }
        if reports.name
            && let Some(n) = &r.name
        {
            f.push(format!("name: {}", quoted(n)));
        }
        if reports.limit {
            f.push(format!(
                "limit_category: {}",
                r.limit_category.clone().unwrap_or_else(none)
            ));
        }
        if reports.cap {
            f.push(format!(
                "cap: {}",
                r.cap.map_or_else(none, |c| c.to_string())
            ));
        }
        f.push(format!("confirm_later: {}", r.confirm_later));
        match &r.later {
            Some((on, validity)) => {
                f.push(format!("confirmed_later: {on}"));
                if let Some(v) = validity {
                    f.push(format!("later_validity: {v}"));
                }
            }
            None => f.push("confirmed_later: none".into()),
        }
        let wire: Vec<&str> = r
            .fetched
            .iter()
            .filter_map(|k| match k {
                onshi_sim::rules::DataKind::Medication => Some("medication"),
                onshi_sim::rules::DataKind::Checkup => Some("checkup"),
                _ => None,
            })
            .collect();
        if reports.fetches && !wire.is_empty() {
            f.push(format!("fetched: {{ contains: [{}] }}", wire.join(", ")));
        }
        let _ = writeln!(o, "  - provider: {{ {} }}", f.join(", "));
        // Each data kind as many times as the reference fetched it, at most (a data file
        // fetched twice in one visit is a difference). An upper bound holds whether or not the
        // system reports what it fetched. Confirmations (`siquc01`) are compared by kind only:
        // a retried confirmation owed by an earlier visit can be seen in a neighbouring step's
        // span when the machine is loaded, so a count of them would be noise, not a finding.
        let mut all: Vec<&str> = v
            .sent
            .iter()
            .filter(|k| matches!(k, RequestKindName::Yzk | RequestKindName::Tkk))
            .map(|k| k.name())
            .collect();
        all.sort();
        let mut at_most: Vec<String> = Vec::new();
        for k in all.chunk_by(|a, b| a == b) {
            at_most.push(format!("{}: {}", k[0], k.len()));
        }
        // That a data file was requested is expected only of a system that reports fetching.
        let mut sent: Vec<&str> = v
            .sent
            .iter()
            .filter(|k| {
                reports.fetches || !matches!(k, RequestKindName::Yzk | RequestKindName::Tkk)
            })
            .map(|k| k.name())
            .collect();
        sent.sort();
        sent.dedup();
        let siquc = RequestKindName::Siquc01.name();
        let mut r = vec![format!("of: {}", v.name)];
        if !sent.is_empty() {
            r.push(format!("sent: [{}]", sent.join(", ")));
        }
        if !at_most.is_empty() {
            r.push(format!("at_most: {{ {} }}", at_most.join(", ")));
        }
        if !sent.contains(&siquc) {
            r.push(format!("not_sent: [{siquc}]"));
        }
        let _ = writeln!(o, "  - requests: {{ {} }}", r.join(", "));
    }
    o
}

/// The requirement ids of the expectations [`expectations`] writes.
pub(crate) const PROVIDER_REQUIREMENTS: [&str; 5] = ["PRV-1", "PRV-2", "PRV-3", "PRV-4", "PRV-7"];

/// The system's run of a history against the reference's expectations.
pub(crate) struct SystemRun {
    /// The first difference, if any.
    pub(crate) difference: Option<Difference>,
    /// What the system reports.
    pub(crate) reports: Reports,
}

/// Runs the history with `expect` (from the reference) against the system under test.
pub(crate) fn system(ctx: &Ctx, h: &History, expect: &str) -> Result<SystemRun, Rejected> {
    let text = h.to_yaml(&[], &PROVIDER_REQUIREMENTS.map(String::from), expect);
    let (plan, sources) = compile_text(ctx, &text, &h.id()).map_err(Rejected::Invalid)?;
    let (record, visits) = execute_with(&plan, &sources, h.seed, &ctx.roles, seen);
    let reports = visits
        .as_deref()
        .map(Reports::of)
        .unwrap_or_else(Reports::all);
    let difference = first_difference(&record, reports).map(|mut d| {
        d.visit = d.visit.and_then(|at| visit_at(&at, &text, h));
        if let Some(reqs) = super::requirements::of_field(&d, expect, h) {
            d.requirements = reqs;
        }
        d
    });
    // The OQS folders of a history without a difference are not kept (an exploration runs
    // thousands); those of a difference stay as evidence.
    if difference.is_none()
        && let crate::roles::ProviderRole::Adapter(run) = &ctx.roles.provider
    {
        let root = run
            .exchanges
            .join(crate::run::execute::scenario_folder(&plan.id));
        let _ = std::fs::remove_dir_all(root);
    }
    Ok(SystemRun {
        difference,
        reports,
    })
}

/// The first failing check (in the order they were made) that the system is compared on, or
/// the run's error.
pub(crate) fn first_difference(record: &ScenarioRecord, reports: Reports) -> Option<Difference> {
    // A request that was not well formed (written in place, invalid) comes first: what the
    // harness read from it, and everything after, follows from it.
    let failed = record
        .checks
        .iter()
        .find(|c| c.verdict == Verdict::Fail && c.name == "provider.requests_well_formed")
        .or_else(|| {
            record.checks.iter().find(|c| {
                c.verdict == Verdict::Fail
                    && reports.compares(&c.name)
                    && !(c.name == "requests.sent"
                        && !reports.fetches
                        && only_data_missing(&c.expected, &c.actual))
            })
        });
    if let Some(c) = failed {
        return Some(Difference {
            check: c.name.clone(),
            visit: visit_of_check(c),
            expected: c.expected.clone(),
            actual: c.actual.clone(),
            requirements: c.requirements.clone(),
        });
    }
    record.error.as_ref().map(|e| Difference {
        check: "run.error".into(),
        visit: None,
        expected: "the system under test answers every step".into(),
        actual: e.clone(),
        requirements: Vec::new(),
    })
}

/// Whether a failing `requests.sent` misses only data requests (`yzk`, `tkk`): not a
/// difference for a system that never reports what it fetched (fetching is optional; asking
/// without consent is `provider.no_data_without_consent`).
fn only_data_missing(expected: &str, actual: &str) -> bool {
    let (want, got) = (
        super::requirements::kinds(expected),
        super::requirements::kinds(actual),
    );
    let data = [RequestKindName::Yzk.name(), RequestKindName::Tkk.name()];
    want.keys()
        .filter(|k| !got.contains_key(*k))
        .all(|k| data.contains(&k.as_str()))
}

/// Where a check was made: `step N` (automatic checks at a step) or its `file:line:column`.
fn visit_of_check(c: &onshi_reports::Check) -> Option<String> {
    match c.step {
        Some(s) => Some(format!("step {s}")),
        None => Some(c.at.clone()),
    }
}

/// The visit a check is about, from [`visit_of_check`]'s text: the N-th step of the history,
/// or the `of:` on the expectation's line of `text`.
fn visit_at(at: &str, text: &str, h: &History) -> Option<String> {
    if let Some(n) = at.strip_prefix("step ") {
        let n: usize = n.parse().ok()?;
        return h
            .steps
            .get(n.checked_sub(1)?)?
            .visit()
            .map(|v| v.name.clone());
    }
    let mut parts = at.rsplitn(3, ':');
    let _column = parts.next()?;
    let line: usize = parts.next()?.parse().ok()?;
    let src = text.lines().nth(line.checked_sub(1)?)?;
    let of = src.split("of: ").nth(1)?;
    Some(of.split([',', ' ', '}']).next()?.to_string())
}

/// Every how-many-th history the invariant oracle runs twice to compare the traces.
pub const DETERMINISM_EVERY: u64 = 4;

/// Invariant checks of a history run by the reference alone: `text` is the history as a
/// scenario without expectations (as generated, or a found file read back), `h` the history.
pub(crate) fn invariants(
    ctx: &Ctx,
    text: &str,
    h: &History,
) -> Result<Option<Difference>, Rejected> {
    invariants_run(ctx, text, h).map(|(d, _)| d)
}

/// [`invariants`], with the visits the reference recorded (for the exploration's figures:
/// one run of the history gives both).
pub(crate) fn invariants_run(
    ctx: &Ctx,
    text: &str,
    h: &History,
) -> Result<(Option<Difference>, Vec<SeenVisit>), Rejected> {
    let (plan, sources) = compile_text(ctx, text, &h.id()).map_err(Rejected::Invalid)?;
    // 入院 is its own claim (home visits count as 入院外).
    let inpatient: BTreeSet<String> = h
        .steps
        .iter()
        .filter_map(|s| s.visit())
        .filter(|v| v.care == "inpatient")
        .map(|v| v.name.clone())
        .collect();
    let run = no_panic(|| {
        execute_with(&plan, &sources, h.seed, &Roles::default(), |w, o, put| {
            let broken = broken_rules(w, o, &inpatient).or_else(|| leaks(w, o));
            (broken, seen(w, o, put))
        })
    });
    let (record, found) = match run {
        Ok(r) => r,
        Err(d) => return Ok((Some(d), Vec::new())),
    };
    if let Some(e) = &record.error {
        return Err(Rejected::Refused(e.clone()));
    }
    let Some((broken, visits)) = found else {
        return Ok((None, Vec::new()));
    };
    if let Some(d) = broken {
        return Ok((Some(d), visits));
    }
    // The same history again (every 4th history, a quarter of the cost): it must trace
    // exactly what the first run traced.
    if !h.index.is_multiple_of(DETERMINISM_EVERY) {
        return Ok((None, visits));
    }
    let (again, _) = execute_with(&plan, &sources, h.seed, &Roles::default(), |_, _, _| ());
    if again.trace != record.trace {
        let at = record
            .trace
            .iter()
            .zip(&again.trace)
            .position(|(a, b)| a != b)
            .unwrap_or(record.trace.len().min(again.trace.len()));
        return Ok((
            Some(Difference {
                check: "invariant.deterministic".into(),
                visit: None,
                expected: format!(
                    "the same trace for the same seed ({} entries)",
                    record.trace.len()
                ),
                actual: format!("the traces differ from entry {}", at + 1),
                requirements: Vec::new(),
            }),
            visits,
        ));
    }
    Ok((None, visits))
}

/// The `invariant.no_panic` difference of a panic with message `what`.
pub(crate) fn panicked(what: &str) -> Difference {
    Difference {
        check: "invariant.no_panic".into(),
        visit: None,
        expected: "the reference and the harness run the history to the end".into(),
        actual: format!("panicked: {}", one_line(what)),
        requirements: Vec::new(),
    }
}

/// Runs `f`, turning a panic into an `invariant.no_panic` difference.
pub(crate) fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, Difference> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let what = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into());
        panicked(&what)
    })
}

/// No My Number in any answer's result file (UTF-8 or Shift_JIS, one per answer in turn; the
/// typed answer has no field that could hold one, and every text of it is in the file) or
/// trace entry, and every answer's result file reads back to what was sent.
fn leaks(w: &World, outputs: &Outputs) -> Option<Difference> {
    use onshi_sim::oqs::{
        CharacterCode, ConfirmEcho, EncodeOptions, decode_confirm_response, encode,
        to_confirm_response,
    };
    let numbers: Vec<(String, &str)> = w
        .people()
        .iter()
        .map(|p| (p.my_number.digits(), p.name.as_str()))
        .collect();
    let leak = |text: &str, place: String| {
        numbers
            .iter()
            .find(|(n, _)| text.contains(n.as_str()))
            .map(|(_, name)| Difference {
                check: "invariant.no_my_number".into(),
                visit: None,
                expected: "no My Number in any answer, result file or trace entry".into(),
                actual: format!("{name}'s My Number in {place}"),
                requirements: vec!["PRV-5".into()],
            })
    };
    let names: std::collections::BTreeMap<usize, &String> =
        outputs.named.iter().map(|(n, i)| (*i, n)).collect();
    let view = w.view();
    for (i, o) in outputs.all.iter().enumerate() {
        let Some(Some(a)) = crate::run::execute::answer_of(o) else {
            continue;
        };
        let visit = names.get(&i).map(|n| n.to_string());
        let with_visit = |mut d: Difference| {
            d.visit = visit.clone();
            d
        };
        let Some(code) = w.institutions().get(a.institution.index()).map(|x| x.code) else {
            continue;
        };
        let msg = to_confirm_response(a, &view, code, &ConfirmEcho::default());
        // One character code per answer, in turn (both are exercised over a history; the
        // digits of a My Number are the same bytes in both).
        let enc = if i % 2 == 0 {
            CharacterCode::Utf8
        } else {
            CharacterCode::ShiftJis
        };
        {
            let opts = EncodeOptions {
                encoding: enc,
                ..EncodeOptions::default()
            };
            let bytes = match encode(&msg, opts) {
                Ok(e) => e.bytes,
                Err(e) => {
                    return Some(with_visit(Difference {
                        check: "invariant.wire_round_trip".into(),
                        visit: None,
                        expected: format!("the answer encodes as a {enc:?} result file"),
                        actual: e.to_string(),
                        requirements: vec!["REG-4".into()],
                    }));
                }
            };
            let place = format!("the {enc:?} result file");
            if let Some(d) = leak(&String::from_utf8_lossy(&bytes), place) {
                return Some(with_visit(d));
            }
            // Read back: the same message, or (after a Shift_JIS substitution) a message that
            // encodes to the same bytes.
            let problem = match decode_confirm_response(&bytes) {
                Ok(m) if m == msg => None,
                Ok(m) => match encode(&m, opts) {
                    Ok(b) if b.bytes == bytes => None,
                    Ok(_) => Some("re-encoding what was read gives other bytes".to_string()),
                    Err(e) => Some(e.to_string()),
                },
                Err(e) => Some(e.to_string()),
            };
            if let Some(p) = problem {
                return Some(with_visit(Difference {
                    check: "invariant.wire_round_trip".into(),
                    visit: None,
                    expected: format!("the {enc:?} result file reads back to what was sent"),
                    actual: p,
                    requirements: vec!["REG-4".into()],
                }));
            }
        }
    }
    w.trace()
        .entries()
        .iter()
        .find_map(|e| leak(&e.summary, format!("trace entry {}", e.seq)))
}

/// (person, institution, 保険者番号, (year, month), 入院): one claim's month.
type MonthClaim = (usize, usize, String, (i16, i8), bool);

/// The rules the reference's own records must keep: the month's cap and the patient's own
/// 資格. `None` when every record keeps them.
fn broken_rules(w: &World, outputs: &Outputs, inpatient: &BTreeSet<String>) -> Option<Difference> {
    use std::collections::BTreeMap;
    let names: BTreeMap<usize, &String> = outputs.named.iter().map(|(n, i)| (*i, n)).collect();
    // (person, institution, 保険者番号, year-month, 入院) → charged so far.
    let mut totals: BTreeMap<MonthClaim, u64> = BTreeMap::new();
    let mut billed_other: BTreeSet<usize> = BTreeSet::new();
    for (i, o) in outputs.all.iter().enumerate() {
        let Output::Visit(v, _) = o else { continue };
        let Some(rec) = &v.record else { continue };
        let visit = names.get(&i).map(|n| n.to_string());
        if let Some(q) = rec.qualification
            && let Some(member) = w.quals().get(q.index()).map(|q| q.person)
            && member != rec.person
            && billed_other.insert(i)
        {
            return Some(Difference {
                check: "invariant.own_qualification".into(),
                visit,
                expected: "billed only under the patient's own 資格".into(),
                actual: format!(
                    "billed under a 資格 of {}",
                    w.people()
                        .get(member.index())
                        .map_or("another person", |p| p.name.as_str())
                ),
                requirements: vec!["PRV-1".into(), "REG-5".into()],
            });
        }
        let insurer = rec
            .numbers
            .as_ref()
            .map(|n| n.insurer.digits())
            .unwrap_or_default();
        let key = (
            rec.person.index(),
            rec.institution.index(),
            insurer,
            (rec.date.year(), rec.date.month()),
            visit.as_ref().is_some_and(|n| inpatient.contains(n)),
        );
        let total = totals.entry(key).or_insert(0);
        *total += rec.charged;
        if let Some(cap) = rec.cap
            && rec.charged > 0
            && *total > cap
        {
            return Some(Difference {
                check: "invariant.month_cap".into(),
                visit,
                expected: format!(
                    "the month's charges at this institution at most the cap {cap} yen"
                ),
                actual: format!(
                    "{} yen charged this month, {} at this visit",
                    total, rec.charged
                ),
                requirements: vec!["PRV-2".into()],
            });
        }
    }
    None
}
