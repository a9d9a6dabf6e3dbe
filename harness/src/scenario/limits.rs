//! Limits that keep a small scenario from taking unbounded time or memory: the number of
//! steps after `use` expansion (counted before expanding, so an expansion bomb never
//! allocates), the nesting of sequences, and the number of problems listed per file.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::diag::Problem;
use super::model::{At, SequenceSpec, Step};

/// Most steps one scenario may have after every `use` is expanded (`steps` and `finally`
/// together; a `use` counts as one step plus the steps of its sequence, an `expect` step as
/// one plus one per expectation). The largest library scenario has well under 100.
pub const MAX_EXPANDED_STEPS: u64 = 100_000;

/// Deepest nesting of `use` inside sequences.
pub const MAX_SEQUENCE_DEPTH: usize = 8;

/// Most problems listed per file; the rest are summed up in one last problem.
pub const MAX_PROBLEMS_PER_FILE: usize = 200;

/// Rule code of a scenario that expands past [`MAX_EXPANDED_STEPS`].
pub const TOO_MANY_STEPS: &str = "scenario::too-many-steps";

/// Rule code of the problem that stands for the problems not listed.
pub const TOO_MANY_PROBLEMS: &str = "scenario::too-many-problems";

/// `12345678` → `12,345,678`.
pub fn thousands(n: u64) -> String {
    onshi_sim::rules::thousands(n)
}

/// Named sequences with the source index they come from (the compiler's table).
pub type Sequences = BTreeMap<String, (usize, SequenceSpec)>;

/// The step count of a scenario while it compiles: each top-level step is charged with
/// its whole expansion before it is expanded.
#[derive(Debug, Default)]
pub struct StepBudget {
    used: u64,
    exceeded: bool,
    sizes: HashMap<(String, usize), u64>,
}

/// What charging a step found.
#[derive(Debug, PartialEq, Eq)]
pub enum Charge {
    /// The step fits; expand it.
    Fits,
    /// The step would cross the limit after another one did: skip it.
    Skip,
    /// The first step to cross the limit: report it (with [`TOO_MANY_STEPS`]) and skip it.
    Report {
        /// Line of the step (of the sequence name, for a `use`).
        line: u64,
        /// Column.
        column: u64,
        /// What is wrong.
        message: String,
    },
}

/// How to fix a scenario that crosses [`MAX_EXPANDED_STEPS`].
pub const TOO_MANY_STEPS_HELP: &str =
    "sequences that use sequences multiply: use fewer repetitions, or split the scenario";

impl StepBudget {
    /// Charges a top-level step (of `steps` or `finally`) with everything it expands to.
    pub fn charge(&mut self, at: &At<Step>, sequences: &Sequences) -> Charge {
        let steps = self.weight(&at.value, sequences, 0);
        let total = self.used.saturating_add(steps);
        if total <= MAX_EXPANDED_STEPS {
            self.used = total;
            return Charge::Fits;
        }
        if std::mem::replace(&mut self.exceeded, true) {
            return Charge::Skip;
        }
        let (line, column, what) = match &at.value {
            Step::Use(u) => (
                u.sequence.line,
                u.sequence.column,
                format!("`use: {}`", u.sequence.value),
            ),
            _ => (at.line, at.column, "this step".to_string()),
        };
        Charge::Report {
            line,
            column,
            message: format!(
                "{what} expands to {} steps, past the limit of {} steps per scenario ({} counted before it)",
                thousands(steps),
                thousands(MAX_EXPANDED_STEPS),
                thousands(self.used),
            ),
        }
    }

    /// Steps counted so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The count of one step lowered at sequence depth `depth` (as the compiler does).
    fn weight(&mut self, step: &Step, sequences: &Sequences, depth: usize) -> u64 {
        match step {
            Step::Use(u) => self.sequence(&u.sequence.value, sequences, depth),
            Step::Expect(list) => 1 + list.len() as u64,
            Step::Fails(_) => 2,
            _ => 1,
        }
    }

    /// The count of `use: name` at depth `depth`: one for the `use`, plus its steps one level
    /// deeper (none when it is unknown or nested too deep: the compiler reports those).
    fn sequence(&mut self, name: &str, sequences: &Sequences, depth: usize) -> u64 {
        if depth >= MAX_SEQUENCE_DEPTH {
            return 1;
        }
        let key = (name.to_string(), depth);
        if let Some(n) = self.sizes.get(&key) {
            return *n;
        }
        let Some((_, seq)) = sequences.get(name) else {
            return 1;
        };
        let mut total = 1u64;
        for s in &seq.steps {
            total = total.saturating_add(self.weight(&s.value, sequences, depth + 1));
        }
        self.sizes.insert(key, total);
        total
    }
}

/// Problems of one compile or load, at most [`MAX_PROBLEMS_PER_FILE`] listed per file.
#[derive(Debug, Default)]
pub struct ProblemList {
    listed: Vec<Problem>,
    per_file: HashMap<String, usize>,
    /// Per file: how many were not listed, and the first of them.
    hidden: BTreeMap<String, (u64, Problem)>,
    spare: Option<Problem>,
}

impl ProblemList {
    /// Adds a problem; the returned reference may be used to add a hint (for a problem
    /// over the cap it points at a scratch copy).
    pub fn push(&mut self, p: Problem) -> &mut Problem {
        let n = self.per_file.entry(p.file.clone()).or_default();
        if *n < MAX_PROBLEMS_PER_FILE {
            *n += 1;
            self.listed.push(p);
            let i = self.listed.len() - 1;
            return &mut self.listed[i];
        }
        match self.hidden.get_mut(&p.file) {
            Some((count, _)) => *count += 1,
            None => {
                self.hidden.insert(p.file.clone(), (1, p.clone()));
            }
        }
        self.spare.insert(p)
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The problems listed, then per file one that counts the rest.
    pub fn finish(self) -> Vec<Problem> {
        let mut out = self.listed;
        for (file, (count, first)) in self.hidden {
            let source: Option<Arc<str>> = first.source.clone();
            out.push(
                Problem::new(
                    &file,
                    first.line,
                    first.column,
                    TOO_MANY_PROBLEMS,
                    format!(
                        "{} more {} in this file {} not shown (only the first {MAX_PROBLEMS_PER_FILE} are listed; the next one: {})",
                        thousands(count),
                        if count == 1 { "problem" } else { "problems" },
                        if count == 1 { "is" } else { "are" },
                        first.message
                    ),
                )
                .with_source(source)
                .help("fix the problems above and validate again"),
            );
        }
        out
    }
}

/// Caps a finished list of problems at [`MAX_PROBLEMS_PER_FILE`] per file.
pub fn cap(problems: Vec<Problem>) -> Vec<Problem> {
    let mut list = ProblemList::default();
    for p in problems {
        list.push(p);
    }
    list.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::UseArgs;

    fn seq(steps: Vec<Step>) -> (usize, SequenceSpec) {
        (
            0,
            SequenceSpec {
                params: Vec::new(),
                steps: steps.into_iter().map(At::bare).collect(),
            },
        )
    }

    fn step_use(name: &str) -> Step {
        Step::Use(UseArgs {
            sequence: At::bare(name.to_string()),
            args: BTreeMap::new(),
        })
    }

    fn use_of(name: &str) -> At<Step> {
        At::bare(step_use(name))
    }

    #[test]
    fn a_bomb_is_counted_without_expanding() {
        let mut sequences = Sequences::new();
        sequences.insert("s0".into(), seq(vec![Step::Advance("1d".into())]));
        for i in 1..8 {
            let prev = format!("s{}", i - 1);
            sequences.insert(
                format!("s{i}"),
                seq((0..100).map(|_| step_use(&prev)).collect()),
            );
        }
        let mut budget = StepBudget::default();
        match budget.charge(&use_of("s7"), &sequences) {
            Charge::Report { message, .. } => {
                assert!(
                    message.starts_with("`use: s7` expands to 201,010,101,010,101 steps"),
                    "{message}"
                );
            }
            other => panic!("a bomb gives {other:?}"),
        }
        assert_eq!(budget.used(), 0);
        assert_eq!(budget.charge(&use_of("s7"), &sequences), Charge::Skip);
        // A small use still fits afterwards.
        assert_eq!(budget.charge(&use_of("s1"), &sequences), Charge::Fits);
        assert_eq!(budget.used(), 1 + 100 * 2);
    }

    #[test]
    fn a_sequence_that_uses_itself_is_counted_to_the_depth_limit() {
        let mut sequences = Sequences::new();
        sequences.insert(
            "loop".into(),
            seq((0..100).map(|_| step_use("loop")).collect()),
        );
        let mut budget = StepBudget::default();
        assert!(matches!(
            budget.charge(&use_of("loop"), &sequences),
            Charge::Report { .. }
        ));
    }

    #[test]
    fn problems_are_capped_per_file() {
        let mut list = ProblemList::default();
        for i in 0..(MAX_PROBLEMS_PER_FILE as u64 + 50) {
            list.push(Problem::new("a.yaml", i + 1, 1, "x", format!("p{i}")))
                .help = Some("h".into());
        }
        list.push(Problem::new("b.yaml", 1, 1, "x", "other".into()));
        let out = list.finish();
        assert_eq!(out.len(), MAX_PROBLEMS_PER_FILE + 2);
        let last = &out[out.len() - 1];
        assert_eq!(last.code, TOO_MANY_PROBLEMS);
        assert!(
            last.message.starts_with("50 more problems"),
            "{}",
            last.message
        );
        assert_eq!(last.line, MAX_PROBLEMS_PER_FILE as u64 + 1);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(250_000), "250,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
