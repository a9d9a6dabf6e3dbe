//! Shrinking a failing history to a small one that still fails the same way (the same check
//! differs): the steps after the failing visit go, then whole people with their steps, then
//! runs of steps (halves, quarters, … single steps), then values are made plain (the default
//! face check, consent to everything, 外来, a round fee, no 限度額 or 特定疾病 data, UTF-8
//! files). Every candidate is run; only one that still shows the difference is kept. A
//! bounded number of candidate runs keeps a slow system from shrinking for ever.

use super::history::{Consent, History, Step};
use super::oracle::Difference;

/// The result of shrinking.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest failing history found.
    pub history: History,
    /// Its difference.
    pub difference: Difference,
    /// Simplifications kept.
    pub kept: u32,
    /// Candidates run.
    pub runs: u32,
}

/// Shrinks `h` (which shows `d`) with `judge`: a candidate's difference, if it fails.
/// A candidate counts only when its difference is on the same check.
pub fn shrink(
    h: History,
    d: Difference,
    max_runs: u32,
    judge: &mut dyn FnMut(&History) -> Option<Difference>,
) -> Shrunk {
    let mut s = State {
        best: h,
        diff: d,
        kept: 0,
        runs: 0,
        max_runs,
    };
    // 1. Everything after the failing visit.
    if let Some(at) = s.failing_step() {
        let mut c = s.best.clone();
        c.steps.truncate(at + 1);
        s.try_keep(c, judge);
    }
    // 2. Whole people (and every step naming them).
    let mut i = 0;
    while i < s.best.people.len() {
        let key = s.best.people[i].key.clone();
        if s.failing_person().as_deref() != Some(key.as_str()) {
            let mut c = s.best.clone();
            c.people.remove(i);
            c.steps.retain(|st| !st.people().contains(&key.as_str()));
            if s.try_keep(c, judge) {
                continue;
            }
        }
        i += 1;
    }
    // 3. Runs of steps, largest first.
    let mut size = s.best.steps.len().div_ceil(2).max(1);
    loop {
        let mut start = 0;
        while start < s.best.steps.len() {
            let end = (start + size).min(s.best.steps.len());
            let keep = s.failing_step();
            if keep.is_some_and(|k| k >= start && k < end) && size == 1 {
                start = end;
                continue;
            }
            let mut c = s.best.clone();
            let removed: Vec<Step> = c.steps.drain(start..end).collect();
            let failing_name = s.diff.visit.clone();
            if removed
                .iter()
                .filter_map(|r| r.visit())
                .any(|v| Some(&v.name) == failing_name.as_ref())
            {
                start = end;
                continue;
            }
            if !s.try_keep(c, judge) {
                start = end;
            }
        }
        if size == 1 {
            break;
        }
        size = size.div_ceil(2);
    }
    // 4. People nobody's step names any more.
    let mut i = 0;
    while i < s.best.people.len() {
        let key = s.best.people[i].key.clone();
        if !s
            .best
            .steps
            .iter()
            .any(|st| st.people().contains(&key.as_str()))
        {
            let mut c = s.best.clone();
            c.people.remove(i);
            if s.try_keep(c, judge) {
                continue;
            }
        }
        i += 1;
    }
    // 5. Plain values.
    for i in 0..s.best.steps.len() {
        for plain in plainer_steps(&s.best.steps[i]) {
            let mut c = s.best.clone();
            c.steps[i] = plain;
            s.try_keep(c, judge);
        }
    }
    for i in 0..s.best.people.len() {
        for j in 0..s.best.people[i].insurance.len() {
            let r = &s.best.people[i].insurance[j];
            if !r.limits.is_empty() {
                let mut c = s.best.clone();
                c.people[i].insurance[j].limits.clear();
                s.try_keep(c, judge);
            }
            if s.best.people[i].insurance[j].disease.is_some() {
                let mut c = s.best.clone();
                c.people[i].insurance[j].disease = None;
                s.try_keep(c, judge);
            }
        }
        let p = &s.best.people[i];
        if !p.medication.is_empty() || !p.checkups.is_empty() {
            let mut c = s.best.clone();
            c.people[i].medication.clear();
            c.people[i].checkups.clear();
            s.try_keep(c, judge);
        }
        if s.best.people[i].income != "general" {
            let mut c = s.best.clone();
            c.people[i].income = "general";
            s.try_keep(c, judge);
        }
    }
    if s.best.shift_jis {
        let mut c = s.best.clone();
        c.shift_jis = false;
        s.try_keep(c, judge);
    }
    Shrunk {
        history: s.best,
        difference: s.diff,
        kept: s.kept,
        runs: s.runs,
    }
}

struct State {
    best: History,
    diff: Difference,
    kept: u32,
    runs: u32,
    max_runs: u32,
}

impl State {
    fn failing_step(&self) -> Option<usize> {
        let name = self.diff.visit.as_ref()?;
        self.best
            .steps
            .iter()
            .position(|s| s.visit().is_some_and(|v| &v.name == name))
    }

    fn failing_person(&self) -> Option<String> {
        let at = self.failing_step()?;
        self.best.steps[at].visit().map(|v| v.person.clone())
    }

    /// Runs the candidate; keeps it when it fails on the same check.
    fn try_keep(
        &mut self,
        c: History,
        judge: &mut dyn FnMut(&History) -> Option<Difference>,
    ) -> bool {
        if self.runs >= self.max_runs || c == self.best || c.visits() == 0 {
            return false;
        }
        self.runs += 1;
        match judge(&c) {
            Some(d) if d.check == self.diff.check => {
                self.best = c;
                self.diff = d;
                self.kept += 1;
                true
            }
            _ => false,
        }
    }
}

/// Plainer versions of a step (each one simplification), most useful first.
fn plainer_steps(s: &Step) -> Vec<Step> {
    let mut out = Vec::new();
    if let Step::Visit(v) = s {
        let mut with = |f: &dyn Fn(&mut super::history::VisitDef)| {
            let mut p = v.clone();
            f(&mut p);
            if p != *v {
                out.push(Step::Visit(p));
            }
        };
        with(&|p| p.verify = None);
        with(&|p| p.consent = Consent::All);
        with(&|p| p.care = "outpatient");
        with(&|p| p.many_times = false);
        with(&|p| p.at = "clinic");
        with(&|p| p.fee = (p.fee / 10_000).max(1) * 10_000);
        with(&|p| p.fee = 10_000);
    }
    out
}
