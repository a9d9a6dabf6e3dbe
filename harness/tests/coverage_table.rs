//! `docs/coverage.md` is true: every (rule, side, path) cell of its table names a visit of a
//! provider-suite scenario, of the path's kind, whose `provider` (or `requests`) expectation
//! checks the cell's field with the value the cell shows; the "before" and "on" cells of a
//! column differ (the pair straddles the boundary) or, for an "unaffected" `=` cell, are
//! equal. Empty and `BLOCKED:` cells fail. The rules are in the page itself ("How the table is
//! kept true").
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use onshi_harness::catalog::Catalog;
use onshi_harness::scenario::plan::{
    Action, Expect, ListExpect, PlannedExpect, PlannedStep, ProviderCheck, RequestKindName,
    RequestsCheck,
};
use onshi_harness::scenario::{self, Plan};
use onshi_sim::world::{Event, Presentation, VisitSpec};

const PAGE: &str = "../docs/coverage.md";
const COLUMNS: [&str; 5] = [
    "card",
    "certificate",
    "card_fallback",
    "declaration",
    "outage",
];
const SIDES: [&str; 2] = ["before", "on"];
/// The rules the table must have (issue 12, item 2).
const RULES: [&str; 7] = [
    "seventy",
    "seventy-five",
    "preschool",
    "grace-end",
    "consent-24h",
    "limit-info-2024-10-07",
    "month-cap",
];

/// One parsed cell.
#[derive(Clone, Debug)]
enum Cell {
    Empty,
    Blocked(String),
    Visit {
        unaffected: bool,
        scenario: String,
        visit: String,
        field: String,
        value: String,
    },
    Malformed(String),
}

fn backticked(text: &str) -> Vec<&str> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect()
}

fn parse_cell(text: &str) -> Cell {
    let text = text.trim();
    if text.is_empty() {
        return Cell::Empty;
    }
    if let Some(reason) = text.strip_prefix("BLOCKED:") {
        return Cell::Blocked(reason.trim().to_string());
    }
    let (unaffected, rest) = match text.strip_prefix('=') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    let parts = backticked(rest);
    let [target, check] = parts.as_slice() else {
        return Cell::Malformed(format!(
            "expected `scenario#visit` `field: value`, found {text:?}"
        ));
    };
    let Some((scenario, visit)) = target.split_once('#') else {
        return Cell::Malformed(format!("{target:?} is not scenario#visit"));
    };
    let Some((field, value)) = check.split_once(':') else {
        return Cell::Malformed(format!("{check:?} is not field: value"));
    };
    Cell::Visit {
        unaffected,
        scenario: scenario.trim().to_string(),
        visit: visit.trim().to_string(),
        field: field.trim().to_string(),
        value: value.trim().to_string(),
    }
}

/// (rule, side) → column → cell.
type Table = BTreeMap<(String, String), BTreeMap<String, Cell>>;

/// The page's table (the one with the path columns in its header).
fn parse_table(page: &str) -> Result<Table, String> {
    let mut lines = page.lines().map(str::trim).skip_while(|l| {
        !(l.starts_with('|') && l.contains("| card |") && l.contains("| outage |"))
    });
    let header = lines
        .next()
        .ok_or("no table with a `| card |` … `| outage |` header")?;
    let names: Vec<String> = split_row(header).iter().map(|c| c.to_string()).collect();
    if names.first().map(String::as_str) != Some("rule")
        || names.get(1).map(String::as_str) != Some("side")
    {
        return Err(format!(
            "the table's first columns must be `rule` and `side`: {names:?}"
        ));
    }
    for c in COLUMNS {
        if !names.iter().any(|n| n == c) {
            return Err(format!("the table has no column `{c}`"));
        }
    }
    let mut rows = BTreeMap::new();
    for line in lines.skip(1) {
        if !line.starts_with('|') {
            break;
        }
        let cells = split_row(line);
        if cells.len() != names.len() {
            return Err(format!(
                "row {line:?} has {} cells, the header {}",
                cells.len(),
                names.len()
            ));
        }
        let rule = backticked(cells[0])
            .first()
            .map_or_else(|| cells[0].to_string(), |s| s.to_string());
        let side = cells[1].to_string();
        let mut row = BTreeMap::new();
        for (name, text) in names.iter().zip(&cells).skip(2) {
            row.insert(name.clone(), parse_cell(text));
        }
        if rows.insert((rule.clone(), side.clone()), row).is_some() {
            return Err(format!("the row {rule} / {side} appears twice"));
        }
    }
    Ok(rows)
}

fn split_row(line: &str) -> Vec<&str> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// Every expectation of the plan: the final ones and those of `expect` steps.
fn expectations(plan: &Plan) -> Vec<&PlannedExpect> {
    fn in_steps<'a>(steps: &'a [PlannedStep], out: &mut Vec<&'a PlannedExpect>) {
        for s in steps {
            if let Action::Expect(list) = &s.action {
                out.extend(list.iter());
            }
        }
    }
    let mut out: Vec<&PlannedExpect> = plan.expect.iter().collect();
    in_steps(&plan.steps, &mut out);
    out
}

/// The visit step named `name`: its position among the steps and its spec.
fn visit_spec<'a>(plan: &'a Plan, name: &str) -> Option<(usize, &'a VisitSpec)> {
    plan.steps
        .iter()
        .enumerate()
        .find_map(|(i, s)| match (&s.name, &s.action) {
            (Some(n), Action::Event(e)) if n == name => match e.as_ref() {
                Event::Visit(spec) => Some((i, spec.as_ref())),
                _ => None,
            },
            _ => None,
        })
}

fn providers_of<'a>(plan: &'a Plan, visit: &str) -> Vec<&'a ProviderCheck> {
    expectations(plan)
        .into_iter()
        .filter_map(|e| match &e.expectation {
            Expect::Provider(p) if p.of.as_ref().is_some_and(|o| o.name == visit) => {
                Some(p.as_ref())
            }
            _ => None,
        })
        .collect()
}

fn requests_of<'a>(plan: &'a Plan, visit: &str) -> Vec<&'a RequestsCheck> {
    expectations(plan)
        .into_iter()
        .filter_map(|e| match &e.expectation {
            Expect::Requests(r) if r.of.as_ref().is_some_and(|o| o.name == visit) => Some(r),
            _ => None,
        })
        .collect()
}

fn kinds(list: &[RequestKindName]) -> String {
    let names: Vec<String> = list
        .iter()
        .map(|k| format!("{k:?}").to_lowercase())
        .collect();
    format!("[{}]", names.join(", "))
}

/// The value a `requests` expectation pins down, as the table writes it.
fn requests_value(r: &RequestsCheck) -> String {
    let mut parts = Vec::new();
    if !r.sent.is_empty() {
        parts.push(format!("sent {}", kinds(&r.sent)));
    }
    if !r.not_sent.is_empty() {
        parts.push(format!("not_sent {}", kinds(&r.not_sent)));
    }
    parts.join("; ")
}

/// The value a `provider` expectation gives `field`, as the table writes it (None: the
/// expectation does not check it; Err: no such field).
fn provider_value(p: &ProviderCheck, field: &str) -> Result<Option<String>, String> {
    fn s<T: ToString>(v: &Option<T>) -> Option<String> {
        v.as_ref().map(ToString::to_string)
    }
    Ok(match field {
        "path" => s(&p.path),
        "charged" => s(&p.charged),
        "copay_percent" => s(&p.copay_percent),
        "insurer_number" => s(&p.insurer_number),
        "symbol" => s(&p.symbol),
        "number" => s(&p.number),
        "branch" => s(&p.branch),
        "relation" => p.relation.as_ref().map(|r| format!("{r:?}").to_lowercase()),
        "name" => s(&p.name),
        "limit_category" => s(&p.limit_category),
        "cap" => s(&p.cap),
        "confirm_later" => s(&p.confirm_later),
        "confirmed_later" => s(&p.confirmed_later),
        "later_validity" => s(&p.later_validity),
        "fetched" => p.fetched.as_ref().map(|list| {
            let names: Vec<String> = list
                .items()
                .map(|k| format!("{k:?}").to_lowercase())
                .collect();
            match list {
                ListExpect::Exact(_) => format!("[{}]", names.join(", ")),
                ListExpect::Match { .. } => format!("matching {}", names.join(", ")),
            }
        }),
        other => return Err(format!("`{other}` is not a provider expectation field")),
    })
}

/// Whether `plan`'s visit `visit` is of the column's kind; Err says why not.
fn check_kind(plan: &Plan, column: &str, visit: &str, spec: &VisitSpec) -> Result<(), String> {
    let paths: Vec<&str> = providers_of(plan, visit)
        .iter()
        .filter_map(|p| p.path.map(|x| x.name()))
        .collect();
    let presents_card = matches!(
        spec.presentation,
        Presentation::Card | Presentation::PreviousCard
    );
    let want_path = |path: &str| {
        if paths.contains(&path) {
            Ok(())
        } else {
            Err(format!(
                "no `provider` expectation of `{visit}` says `path: {path}` (found {paths:?})"
            ))
        }
    };
    match column {
        "card" if spec.presentation != Presentation::Card => {
            Err(format!("`{visit}` does not present the card"))
        }
        "card" => want_path("confirmed"),
        "certificate" if spec.presentation != Presentation::EligibilityCertificate => Err(format!(
            "`{visit}` does not present a 資格確認書 (`presents: certificate`)"
        )),
        "certificate" => Ok(()),
        "card_fallback" if !presents_card => Err(format!("`{visit}` does not present a card")),
        "card_fallback" => {
            let by_numbers = requests_of(plan, visit)
                .iter()
                .any(|r| r.sent.contains(&RequestKindName::Siquc01));
            if by_numbers {
                Ok(())
            } else {
                Err(format!(
                    "no `requests` expectation of `{visit}` says the desk confirmed by numbers \
                     (`sent: [siquc01]`)"
                ))
            }
        }
        "declaration" => want_path("declaration_form"),
        "outage" => want_path("paper_certificate"),
        other => Err(format!("unknown column {other}")),
    }
}

/// Loaded scenarios by id.
struct Scenarios {
    root: PathBuf,
    plans: BTreeMap<String, Result<Plan, String>>,
}

impl Scenarios {
    fn get(&mut self, id: &str) -> &Result<Plan, String> {
        let root = self.root.clone();
        self.plans.entry(id.to_string()).or_insert_with(|| {
            let path = root.join(format!("{id}.yaml"));
            let scenario = scenario::open(&path, Catalog::builtin()).map_err(|problems| {
                let first: Vec<String> =
                    problems.iter().take(3).map(|p| format!("{p:?}")).collect();
                format!("{} does not load: {}", path.display(), first.join("; "))
            })?;
            let plan = scenario.plan;
            if plan.id != id {
                return Err(format!("{} has the id {:?}", path.display(), plan.id));
            }
            if !plan.provider_suite() {
                return Err(format!(
                    "{id} is not in the provider suite (no `provider` or `requests` expectation, \
                     or `terminal: true`)"
                ));
            }
            Ok(plan)
        })
    }
}

/// The value of a cell's field for its visit, after checking the visit and its kind.
/// The cell's visit's position among the steps and the value of the cell's field.
/// The "Rows" table's dates: rule key → (before, on), each the `YYYY-MM-DD` its cell starts
/// with (none for a row whose sides are not days, e.g. 23 h / 25 h after a consent).
fn row_dates(page: &str) -> BTreeMap<String, (Option<String>, Option<String>)> {
    let day = |cell: &str| {
        let d = cell.trim().get(..10)?;
        let ok = d.len() == 10
            && d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        ok.then(|| d.to_string())
    };
    let mut out = BTreeMap::new();
    let Some(start) = page.find("## Rows") else {
        return out;
    };
    for line in page[start..].lines().skip(1) {
        if line.starts_with("## ") {
            break;
        }
        let cols = split_row(line);
        if cols.len() < 4 {
            continue;
        }
        if let Some(key) = backticked(cols[0]).first() {
            out.insert(key.to_string(), (day(cols[2]), day(cols[3])));
        }
    }
    out
}

/// The date of the visit at `position`: its `confirmation_date`, else the clock after the
/// `advance` / `advance_to` steps before it.
fn visit_date(plan: &Plan, position: usize, spec: &VisitSpec) -> Result<String, String> {
    if let Some(d) = spec.confirmation_date {
        return Ok(d.to_string());
    }
    let mut now = plan.start;
    for step in &plan.steps[..position] {
        if let Action::Event(e) = &step.action {
            match e.as_ref() {
                Event::Advance(span) => now = now.plus(*span).map_err(|e| e.to_string())?,
                Event::AdvanceTo(m) => now = *m,
                _ => {}
            }
        }
    }
    Ok(now.date().to_string())
}

fn cell_value(
    scenarios: &mut Scenarios,
    column: &str,
    cell: &Cell,
    day: Option<&str>,
) -> Result<(usize, String), String> {
    let Cell::Visit {
        scenario,
        visit,
        field,
        value,
        ..
    } = cell
    else {
        return Err("not a visit cell".into());
    };
    let plan = scenarios.get(scenario).as_ref().map_err(Clone::clone)?;
    let (position, spec) = visit_spec(plan, visit)
        .ok_or_else(|| format!("{scenario} has no visit named `{visit}`"))?;
    check_kind(plan, column, visit, spec)?;
    if let Some(want) = day {
        let got = visit_date(plan, position, spec)?;
        if got != want {
            return Err(format!(
                "`{visit}` is on {got}, but the row's side is {want} (see \"Rows\")"
            ));
        }
    }
    if column == "outage"
        && !plan.steps[..position]
            .iter()
            .any(|s| matches!(s.action, Action::Outage { .. }))
    {
        return Err(format!(
            "`{visit}` is in the outage column but no `outage` step comes before it in {scenario}"
        ));
    }
    let actual = if field == "requests" {
        let found: Vec<String> = requests_of(plan, visit)
            .iter()
            .map(|r| requests_value(r))
            .collect();
        if found.is_empty() {
            return Err(format!(
                "no `requests` expectation of `{visit}` (with `of: {visit}`)"
            ));
        }
        if !found.contains(value) {
            return Err(format!(
                "the `requests` expectation of `{visit}` is {found:?}, the table says {value:?}"
            ));
        }
        value.clone()
    } else {
        let mut found = Vec::new();
        for p in providers_of(plan, visit) {
            if let Some(v) = provider_value(p, field)? {
                found.push(v);
            }
        }
        if found.is_empty() {
            return Err(format!(
                "no `provider` expectation of `{visit}` (with `of: {visit}`) checks `{field}`"
            ));
        }
        if !found.contains(value) {
            return Err(format!(
                "`provider` expects `{field}: {}` for `{visit}`, the table says `{value}`",
                found.join(" / ")
            ));
        }
        value.clone()
    };
    Ok((position, actual))
}

#[test]
fn the_coverage_table_is_true() {
    let page = std::fs::read_to_string(PAGE).unwrap();
    let rows = match parse_table(&page) {
        Ok(rows) => rows,
        Err(e) => panic!("{PAGE}: {e}"),
    };
    let mut scenarios = Scenarios {
        root: PathBuf::from("../scenarios"),
        plans: BTreeMap::new(),
    };
    let dates = row_dates(&page);
    let mut problems = Vec::new();
    for rule in RULES {
        for side in SIDES {
            if !rows.contains_key(&(rule.to_string(), side.to_string())) {
                problems.push(format!("{rule} / {side}: the row is missing"));
            }
        }
    }
    for (rule, side) in rows.keys() {
        if !RULES.contains(&rule.as_str()) || !SIDES.contains(&side.as_str()) {
            problems.push(format!(
                "{rule} / {side}: not a rule ({RULES:?}) and side ({SIDES:?}) of the table"
            ));
        }
    }
    for rule in RULES {
        let (Some(before), Some(on)) = (
            rows.get(&(rule.to_string(), "before".to_string())),
            rows.get(&(rule.to_string(), "on".to_string())),
        ) else {
            continue;
        };
        for column in COLUMNS {
            let (day_before, day_on) = dates.get(rule).cloned().unwrap_or_default();
            let cells = [
                ("before", before.get(column), day_before),
                ("on", on.get(column), day_on),
            ];
            let mut values = Vec::new();
            for (side, cell, day) in cells {
                let name = format!("{rule} / {side} / {column}");
                match cell {
                    None | Some(Cell::Empty) => problems.push(format!("{name}: the cell is empty")),
                    Some(Cell::Blocked(reason)) => {
                        problems.push(format!("{name}: BLOCKED: {reason}"));
                    }
                    Some(Cell::Malformed(why)) => problems.push(format!("{name}: {why}")),
                    Some(
                        cell @ Cell::Visit {
                            unaffected,
                            field,
                            scenario,
                            ..
                        },
                    ) => match cell_value(&mut scenarios, column, cell, day.as_deref()) {
                        Ok((at, v)) => {
                            values.push((*unaffected, scenario.clone(), field.clone(), at, v));
                        }
                        Err(e) => problems.push(format!("{name}: {e}")),
                    },
                }
            }
            let [(ua, sa, fa, ta, va), (ub, sb, fb, tb, vb)] = values.as_slice() else {
                continue;
            };
            let pair = format!("{rule} / before+on / {column}");
            if sa != sb {
                problems.push(format!(
                    "{pair}: the two sides name different scenarios ({sa}, {sb})"
                ));
            } else if ta >= tb {
                problems.push(format!(
                    "{pair}: the \"before\" visit is not a step before the \"on\" visit"
                ));
            } else if fa != fb {
                problems.push(format!(
                    "{pair}: the two sides check different fields (`{fa}`, `{fb}`)"
                ));
            } else if ua != ub {
                problems.push(format!(
                    "{pair}: one side is marked unaffected (`=`) and the other is not"
                ));
            } else if *ua && va != vb {
                problems.push(format!(
                    "{pair}: marked unaffected, but `{fa}` is {va:?} before and {vb:?} on the \
                     day: the rule acts on this path"
                ));
            } else if !*ua && va == vb {
                problems.push(format!(
                    "{pair}: `{fa}` is {va:?} on both sides: the visits do not straddle the \
                     boundary (mark the cell `=` if the rule does not act on this path)"
                ));
            }
        }
    }
    if !problems.is_empty() {
        let mut text = format!("{PAGE} is not true ({} problems):\n", problems.len());
        for p in &problems {
            writeln!(text, "  - {p}").unwrap();
        }
        panic!("{text}");
    }
}

#[test]
fn the_rows_give_each_dated_rule_its_two_days() {
    let page = std::fs::read_to_string(PAGE).unwrap();
    let dates = row_dates(&page);
    let day = |rule: &str| dates.get(rule).cloned().unwrap_or_default();
    assert_eq!(
        day("seventy"),
        (Some("2026-07-31".into()), Some("2026-08-01".into()))
    );
    assert_eq!(
        day("grace-end"),
        (Some("2025-11-30".into()), Some("2025-12-01".into()))
    );
    // Sides that are not days are not compared.
    assert_eq!(day("consent-24h"), (None, None));
    assert_eq!(day("month-cap"), (None, None));
}

#[test]
fn cells_parse_as_documented() {
    assert!(matches!(parse_cell("  "), Cell::Empty));
    assert!(matches!(parse_cell("BLOCKED: no reference"), Cell::Blocked(r) if r == "no reference"));
    match parse_cell("= `boundaries/x#card-on` `fetched: []`") {
        Cell::Visit {
            unaffected,
            scenario,
            visit,
            field,
            value,
        } => {
            assert!(unaffected);
            assert_eq!(
                (
                    scenario.as_str(),
                    visit.as_str(),
                    field.as_str(),
                    value.as_str()
                ),
                ("boundaries/x", "card-on", "fetched", "[]")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_cell("`boundaries/x` `charged: 1`"),
        Cell::Malformed(_)
    ));
}
