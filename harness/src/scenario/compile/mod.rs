//! From parsed files to a checked plan: every date, number, code and reference is
//! validated here (with its file, line and column), world parts from fragments are merged,
//! and `use` steps are expanded. A plan that compiles runs without input errors.
//!
//! This file holds the entry point ([`compile`]), the `Compiler` and the checks every part
//! uses (positions, dates, times, durations, PINs, references); `world.rs` lowers the world
//! (insurers, institutions, people, cards, qualifications), `steps.rs` the steps (with `use`
//! expansion and `$param` substitution) and `expect.rs` the expectations.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use onshi_reports::Title;
use onshi_sim::clock::{Moment, Span};
use onshi_sim::ids::{InstitutionId, InsurerId, PersonId};
use onshi_sim::rules::{PinKind, RuleSet};

use super::diag::{Problem, did_you_mean};
use super::limits::{self, ProblemList, StepBudget};
use super::load::Loaded;
use super::model::*;
use super::names::*;
pub use super::plan::*;
use crate::catalog::Catalog;

mod expect;
mod steps;
mod world;

impl Resolve for Keys {
    fn person(&self, key: &str) -> PersonId {
        PersonId(self.people.get(key).copied().unwrap_or(0) as u32)
    }

    fn insurer(&self, key: &str) -> InsurerId {
        InsurerId(self.insurers.get(key).copied().unwrap_or(0) as u32)
    }
}

/// Key → index tables, in world insertion order (which is also the id order).
#[derive(Default)]
struct Keys {
    people: BTreeMap<String, usize>,
    insurers: BTreeMap<String, usize>,
    institutions: BTreeMap<String, usize>,
}

struct Compiler<'a> {
    loaded: &'a Loaded,
    catalog: &'a Catalog,
    problems: ProblemList,
    /// Steps counted against [`limits::MAX_EXPANDED_STEPS`] before they are expanded.
    budget: StepBudget,
    keys: Keys,
    sequences: BTreeMap<String, (usize, SequenceSpec)>,
    names: BTreeSet<String>,
    /// Current source while lowering.
    source: usize,
}

/// Checks a loaded scenario and builds its plan, or lists every problem found.
pub fn compile(loaded: &Loaded, catalog: &Catalog) -> Result<Plan, Vec<Problem>> {
    let mut c = Compiler {
        loaded,
        catalog,
        problems: ProblemList::default(),
        budget: StepBudget::default(),
        keys: Keys::default(),
        sequences: BTreeMap::new(),
        names: BTreeSet::new(),
        source: 0,
    };
    let plan = c.plan();
    if c.problems.is_empty() {
        Ok(plan)
    } else {
        Err(c.problems.finish())
    }
}

impl Compiler<'_> {
    fn problem(&mut self, line: u64, column: u64, code: &'static str, msg: String) -> &mut Problem {
        let src = &self.loaded.sources[self.source];
        self.problems.push(
            Problem::new(&src.display, line, column, code, msg).with_source(Some(src.text.clone())),
        )
    }

    fn problem_at<T>(&mut self, at: &At<T>, code: &'static str, msg: String) -> &mut Problem {
        self.problem(at.line, at.column, code, msg)
    }

    fn origin<T>(&self, at: &At<T>) -> Origin {
        Origin {
            source: self.source,
            line: at.line,
            column: at.column,
        }
    }

    fn plan(&mut self) -> Plan {
        let sc = &self.loaded.scenario;
        self.source = 0;
        // Id and title.
        let id = sc.id.value.clone();
        if !valid_id(&id) {
            self.problem_at(
                &sc.id,
                "scenario::bad-id",
                format!("scenario id `{id}` is not of the form area/short-name"),
            )
            .help = Some(
                "use lower-case letters, digits, `-` and `/`, e.g. `reissue/relink-after-loss`"
                    .into(),
            );
        }
        if sc.title.ja.is_none() && sc.title.en.is_none() {
            self.problem(
                sc.id.line,
                1,
                "scenario::no-title",
                "the title needs `ja`, `en` or both".into(),
            );
        }
        // Requirements.
        let mut requirements = Vec::new();
        if sc.requirements.is_empty() {
            self.problem(
                sc.id.line,
                1,
                "scenario::no-requirements",
                "a scenario must cite at least one requirement id".into(),
            )
            .help =
                Some("e.g. `requirements: [REG-2]`; `onshi explain REG-2` prints an entry".into());
        }
        for r in &sc.requirements.clone() {
            if self.check_requirement(r) {
                requirements.push(r.value.clone());
            }
        }
        let start = self
            .moment(&sc.start)
            .unwrap_or_else(|| Moment::start_of(Date::constant(2026, 1, 1)));
        // Rules.
        let mut rules = RuleSet::builtin().clone();
        for (name, value) in &sc.rules.switches {
            let text = match &value.value {
                SwitchValue::Bool(b) => b.to_string(),
                SwitchValue::Number(n) => n.to_string(),
                SwitchValue::Text(t) => t.clone(),
            };
            if let Err(e) = rules.switches_mut().set(name, &text) {
                self.problem_at(
                    value,
                    "scenario::bad-switch",
                    format!("rule switch `{name}`: {e}"),
                )
                .help = Some("`onshi explain switches` lists every switch with its default".into());
            }
        }
        // Merge the world: fragments first (include order), then the scenario's own.
        let mut parts: Vec<(usize, &WorldSpec)> = self
            .loaded
            .fragments
            .iter()
            .map(|(i, f)| (*i, &f.world))
            .collect();
        parts.push((0, &sc.world));
        for (i, f) in &self.loaded.fragments {
            for (name, seq) in &f.sequences {
                self.sequences.insert(name.clone(), (*i, seq.clone()));
            }
        }
        for (name, seq) in &sc.sequences {
            self.sequences.insert(name.clone(), (0, seq.clone()));
        }
        let mut insurers = Vec::new();
        let mut institutions = Vec::new();
        for (src, w) in &parts {
            self.source = *src;
            for ins in &w.insurers {
                if let Some(x) = self.insurer(ins) {
                    insurers.push(x);
                }
            }
            for inst in &w.institutions {
                if let Some(x) = self.institution(inst) {
                    institutions.push(x);
                }
            }
        }
        // People need every insurer key first.
        let mut people = Vec::new();
        for (src, w) in &parts {
            self.source = *src;
            for p in &w.people {
                if self.keys.people.contains_key(&p.value.id) {
                    self.problem_at(
                        p,
                        "scenario::duplicate-key",
                        format!("person `{}` is defined twice", p.value.id),
                    );
                    continue;
                }
                let n = self.keys.people.len();
                self.keys.people.insert(p.value.id.clone(), n);
            }
        }
        for (src, w) in &parts {
            self.source = *src;
            for p in &w.people {
                people.push(self.person(p, start));
            }
        }
        self.source = 0;
        let steps = self.steps(&sc.steps, &BTreeMap::new(), 0);
        let finally = self.steps(&sc.finally, &BTreeMap::new(), 0);
        let expect = self.expectations(&sc.expect, &BTreeMap::new());
        let oqs_encoding = sc
            .oqs
            .as_ref()
            .and_then(|o| o.encoding)
            .map_or(onshi_sim::oqs::CharacterCode::Utf8, character_code);
        Plan {
            id,
            title: Title {
                ja: sc.title.ja.clone(),
                en: sc.title.en.clone(),
            },
            requirements,
            tags: sc.tags.clone(),
            seed: sc.seed,
            start,
            skip: sc.skip.clone(),
            terminal: sc.terminal,
            oqs_encoding,
            rules,
            insurers,
            institutions,
            people,
            steps,
            expect,
            finally,
        }
    }

    fn check_requirement(&mut self, r: &At<String>) -> bool {
        if self.catalog.contains(&r.value) {
            return true;
        }
        let hint = match self.catalog.suggest(&r.value) {
            Some(s) => format!("did you mean `{s}`? `onshi explain {s}` prints it"),
            None => "the catalog is catalog/requirements.yaml; `onshi explain ID` prints an entry"
                .into(),
        };
        self.problem_at(
            r,
            "scenario::unknown-requirement",
            format!("`{}` is not a requirement id of the catalog", r.value),
        )
        .help = Some(hint);
        false
    }

    fn date(&mut self, at: &At<DateText>) -> Option<Date> {
        match at.value.0.parse::<Date>() {
            Ok(d) if at.value.0.len() == 10 => Some(d),
            Ok(_) | Err(_) => {
                let why = at
                    .value
                    .0
                    .parse::<Date>()
                    .err()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                self.problem_at(
                    at,
                    "scenario::bad-date",
                    format!("expected a date YYYY-MM-DD, found `{}`{why}", at.value.0),
                )
                .help = Some("dates are written like 2026-04-01".into());
                None
            }
        }
    }

    fn opt_date(&mut self, at: &Option<At<DateText>>) -> Option<Option<Date>> {
        match at {
            None => Some(None),
            Some(a) => self.date(a).map(Some),
        }
    }

    fn moment(&mut self, at: &At<MomentText>) -> Option<Moment> {
        match Moment::parse(&at.value.0) {
            Ok(m) => Some(m),
            Err(e) => {
                self.problem_at(
                    at,
                    "scenario::bad-time",
                    format!(
                        "expected a JST time like 2026-04-01T09:00, found `{}`: {e}",
                        at.value.0
                    ),
                )
                .help =
                    Some("times are Japan time; write 2026-04-01T09:00 (or with +09:00)".into());
                None
            }
        }
    }

    fn span(&mut self, at: &At<String>) -> Option<Span> {
        match parse_span(&at.value) {
            Some(s) => Some(s),
            None => {
                self.problem_at(
                    at,
                    "scenario::bad-duration",
                    format!(
                        "expected a duration like 14d, 3h, 30m or 1d12h, found `{}`",
                        at.value
                    ),
                )
                .help = Some("units: d (days), h (hours), m (minutes)".into());
                None
            }
        }
    }

    fn person_ref(&mut self, at: &At<String>) -> Option<PersonId> {
        self.reference(at, "person").map(|i| PersonId(i as u32))
    }

    fn insurer_ref(&mut self, at: &At<String>) -> Option<InsurerId> {
        self.reference(at, "insurer").map(|i| InsurerId(i as u32))
    }

    fn institution_ref(&mut self, at: &At<String>) -> Option<InstitutionId> {
        self.reference(at, "institution")
            .map(|i| InstitutionId(i as u32))
    }

    fn reference(&mut self, at: &At<String>, what: &'static str) -> Option<usize> {
        let table = match what {
            "person" => &self.keys.people,
            "insurer" => &self.keys.insurers,
            _ => &self.keys.institutions,
        };
        if let Some(i) = table.get(&at.value) {
            return Some(*i);
        }
        let known: Vec<String> = table.keys().cloned().collect();
        let hint = match did_you_mean(&at.value, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => {
                format!("no {what} is defined (check `world:` and `include:`)")
            }
            None => format!("defined: {}", known.join(", ")),
        };
        let msg = if at.value.starts_with('$') {
            format!(
                "`{}` is a sequence parameter used outside a sequence (or not passed with `with:`)",
                at.value
            )
        } else {
            format!("unknown {what} `{}`", at.value)
        };
        self.problem_at(at, "scenario::unknown-reference", msg).help = Some(hint);
        None
    }

    fn pin(&mut self, at: &Option<At<String>>, kind: PinKind, default: &str) -> String {
        match at {
            None => default.to_string(),
            Some(p) => {
                if let Err(e) = RuleSet::builtin().validate_pin(kind, &p.value) {
                    self.problem_at(p, "scenario::bad-pin", format!("PIN `{}`: {e}", p.value))
                        .help = Some("the auth PIN is exactly 4 digits; the signature PIN 6–16 upper-case letters and digits".into());
                }
                p.value.clone()
            }
        }
    }

    fn branch(&mut self, at: &Option<At<String>>) -> String {
        match at {
            None => "00".into(),
            Some(b) => {
                if b.value.len() != 2 || !b.value.bytes().all(|c| c.is_ascii_digit()) {
                    self.problem_at(
                        b,
                        "scenario::bad-branch",
                        format!("枝番 `{}` must be 2 digits", b.value),
                    );
                }
                b.value.clone()
            }
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 120
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'_'
        })
        && !id.starts_with('/')
        && !id.ends_with('/')
}

/// `14d`, `3h`, `30m`, `1d12h`.
pub fn parse_span(text: &str) -> Option<Span> {
    let (mut days, mut hours, mut minutes) = (0i64, 0i64, 0i64);
    let mut digits = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        let slot = match c {
            'd' => &mut days,
            'h' => &mut hours,
            'm' => &mut minutes,
            _ => return None,
        };
        *slot = slot.checked_add(n)?;
        any = true;
    }
    if !any || !digits.is_empty() {
        return None;
    }
    Span::new()
        .try_days(days)
        .ok()?
        .try_hours(hours)
        .ok()?
        .try_minutes(minutes)
        .ok()
}

fn subst(s: &mut At<String>, args: &BTreeMap<String, String>) {
    if let Some(p) = s.value.strip_prefix('$')
        && let Some(v) = args.get(p)
    {
        s.value = v.clone();
    }
}

fn subst_opt(s: &mut Option<At<String>>, args: &BTreeMap<String, String>) {
    if let Some(s) = s {
        subst(s, args);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse() {
        assert!(parse_span("14d").is_some());
        assert!(parse_span("1d12h").is_some());
        assert!(parse_span("30m").is_some());
        assert!(parse_span("14").is_none());
        assert!(parse_span("d").is_none());
        assert!(parse_span("3w").is_none());
        assert!(parse_span("").is_none());
    }

    #[test]
    fn ids_are_checked() {
        assert!(valid_id("reissue/relink-after-loss"));
        assert!(!valid_id("Reissue"));
        assert!(!valid_id("a b"));
        assert!(!valid_id("/x"));
    }
}
