//! The running figures of an exploration. Histories finish in any order on several workers;
//! the record counts the histories up to the one where the exploration stops (the history of
//! the `max_found`-th distinct check to differ, in number order), whatever order they finished
//! in. A history's figures are folded into the totals as soon as every lower number has
//! finished, so what is kept while it runs is bounded by the histories still in flight, not by
//! how long it runs (`--budget 8h`).

use std::collections::{BTreeMap, BTreeSet};

/// What one history covered.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    pub(crate) steps: u64,
    pub(crate) visits: u64,
    pub(crate) classes: Vec<&'static str>,
    pub(crate) kinds: Vec<&'static str>,
}

/// How one history number ended.
#[derive(Clone, Debug)]
pub(crate) enum Finished {
    /// Ran, no difference.
    Passed(Stats),
    /// Ran, and this check differed.
    Failed(Stats, String),
    /// The world refused it: counted apart.
    Discarded,
    /// Not this partition's.
    NotOurs,
}

/// The totals of the histories counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) histories: u64,
    pub(crate) discarded: u64,
    pub(crate) steps: u64,
    pub(crate) visits: u64,
    pub(crate) classes: BTreeMap<&'static str, u64>,
    pub(crate) kinds: BTreeMap<&'static str, u64>,
    /// The last history number counted when the exploration stopped at a difference.
    pub(crate) cut: Option<u64>,
}

/// Folds finished histories in number order.
#[derive(Debug)]
pub(crate) struct Tally {
    max_found: usize,
    next: u64,
    pending: BTreeMap<u64, Finished>,
    checks: BTreeSet<String>,
    totals: Totals,
}

impl Tally {
    pub(crate) fn new(max_found: usize) -> Tally {
        Tally {
            max_found: max_found.max(1),
            next: 0,
            pending: BTreeMap::new(),
            checks: BTreeSet::new(),
            totals: Totals::default(),
        }
    }

    /// History `i` finished.
    pub(crate) fn finish(&mut self, i: u64, f: Finished) {
        if i < self.next {
            return;
        }
        self.pending.insert(i, f);
        while let Some(f) = self.pending.remove(&self.next) {
            self.fold(self.next, f);
            self.next += 1;
        }
    }

    /// Histories waiting for a lower number to finish.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.pending.len()
    }

    /// Histories counted so far (for the progress bar).
    pub(crate) fn counted(&self) -> u64 {
        self.totals.histories + self.pending.values().filter(|f| f.ran()).count() as u64
    }

    /// The totals, once no more histories will finish: the ones still waiting are folded in
    /// number order (the numbers that never ran are left out).
    pub(crate) fn close(mut self) -> Totals {
        for (i, f) in std::mem::take(&mut self.pending) {
            self.fold(i, f);
        }
        self.totals
    }

    fn fold(&mut self, i: u64, f: Finished) {
        if self.totals.cut.is_some() {
            return;
        }
        let t = &mut self.totals;
        let mut add = |st: &Stats| {
            t.histories += 1;
            t.steps += st.steps;
            t.visits += st.visits;
            for c in &st.classes {
                *t.classes.entry(c).or_insert(0) += 1;
            }
            for k in &st.kinds {
                *t.kinds.entry(k).or_insert(0) += 1;
            }
        };
        match f {
            Finished::Passed(st) => add(&st),
            Finished::Failed(st, check) => {
                add(&st);
                self.checks.insert(check);
                if self.checks.len() >= self.max_found {
                    self.totals.cut = Some(i);
                }
            }
            Finished::Discarded => self.totals.discarded += 1,
            Finished::NotOurs => {}
        }
    }
}

impl Finished {
    fn ran(&self) -> bool {
        matches!(self, Finished::Passed(_) | Finished::Failed(..))
    }
}

/// The history number where an exploration can stop, from the differences known so far (in
/// number order: the one where `max_found` distinct checks have differed). A difference found
/// later at a lower number can only lower it.
pub(crate) fn cutoff<'a>(
    failures: impl Iterator<Item = (u64, &'a str)>,
    max_found: usize,
) -> Option<u64> {
    let mut checks = BTreeSet::new();
    for (i, check) in failures {
        checks.insert(check);
        if checks.len() >= max_found.max(1) {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(steps: u64) -> Stats {
        Stats {
            steps,
            visits: 1,
            classes: vec!["born on 1 April"],
            kinds: vec!["visit"],
        }
    }

    #[test]
    fn the_order_of_finishing_does_not_change_the_totals() {
        let outcomes = [
            (0, Finished::Passed(st(3))),
            (1, Finished::Discarded),
            (2, Finished::NotOurs),
            (3, Finished::Passed(st(5))),
            (4, Finished::Failed(st(7), "provider.charged".into())),
            (5, Finished::Passed(st(11))),
        ];
        let mut forward = Tally::new(1);
        for (i, f) in outcomes.iter().cloned() {
            forward.finish(i, f);
        }
        let mut backward = Tally::new(1);
        for (i, f) in outcomes.iter().rev().cloned() {
            backward.finish(i, f);
        }
        assert_eq!(backward.waiting(), 0);
        let (a, b) = (forward.close(), backward.close());
        assert_eq!(a, b);
        // History 5 comes after the difference: not counted.
        assert_eq!(
            (a.histories, a.discarded, a.steps, a.cut),
            (3, 1, 15, Some(4))
        );
        assert_eq!(a.classes["born on 1 April"], 3);
    }

    #[test]
    fn only_what_waits_for_a_lower_number_is_kept() {
        let mut t = Tally::new(1);
        for i in 1..1000 {
            t.finish(i, Finished::Passed(st(1)));
        }
        assert_eq!(t.waiting(), 999);
        t.finish(0, Finished::Passed(st(1)));
        assert_eq!(t.waiting(), 0);
        assert_eq!(t.counted(), 1000);
    }

    #[test]
    fn max_found_counts_distinct_checks() {
        let mut t = Tally::new(2);
        t.finish(0, Finished::Failed(st(1), "provider.charged".into()));
        t.finish(1, Finished::Failed(st(1), "provider.charged".into()));
        t.finish(2, Finished::Passed(st(1)));
        t.finish(3, Finished::Failed(st(1), "provider.path".into()));
        t.finish(4, Finished::Passed(st(1)));
        let totals = t.close();
        assert_eq!((totals.histories, totals.cut), (4, Some(3)));
        let found = [
            (0, "provider.charged"),
            (1, "provider.charged"),
            (3, "provider.path"),
        ];
        assert_eq!(cutoff(found.iter().copied(), 2), Some(3));
        assert_eq!(cutoff(found.iter().copied(), 1), Some(0));
        assert_eq!(cutoff(found.iter().copied(), 3), None);
    }

    #[test]
    fn numbers_that_never_ran_are_left_out_at_the_end() {
        let mut t = Tally::new(1);
        t.finish(0, Finished::Passed(st(1)));
        t.finish(2, Finished::Passed(st(1)));
        let totals = t.close();
        assert_eq!((totals.histories, totals.cut), (2, None));
    }
}
