//! The requirement traceability matrix: for each catalog requirement, the scenarios that
//! cite it and how they ended. Markdown and HTML draw the same rows.
//!
//! A scenario cites a requirement through its own `requirements` list, and covers it when it
//! was not skipped (a scenario with no checks, or one an interrupted run never finished,
//! evidences nothing) — the same rule [`RunRecord::summary`] uses for
//! `covered_requirements`, so the matrix and the headline never disagree. Ids cited by scenarios but missing from the catalog get rows of their
//! own after the catalog ones (usually a typo in a scenario file).

use std::collections::BTreeMap;

use crate::record::{Requirement, RunRecord, Verdict};

/// One scenario citing a requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citation {
    /// Scenario id.
    pub scenario: String,
    /// The scenario's verdict.
    pub verdict: Verdict,
    /// The scenario failed but is listed as an expected deviation.
    pub expected_deviation: bool,
}

/// One row of the matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixRow {
    /// Requirement id.
    pub id: String,
    /// The catalog entry; `None` when scenarios cite an id the catalog does not have.
    pub requirement: Option<Requirement>,
    /// Citing scenarios, by scenario id.
    pub scenarios: Vec<Citation>,
    /// At least one scenario that was not skipped cites the requirement.
    pub covered: bool,
}

impl MatrixRow {
    /// [`Verdict::combine`] of the citing scenarios, `None` when uncovered.
    pub fn verdict(&self) -> Option<Verdict> {
        self.covered
            .then(|| Verdict::combine(self.scenarios.iter().map(|c| c.verdict)))
    }

    /// The verdict is fail, but only through scenarios listed as expected deviations:
    /// reports show "expected deviation" rather than alarm a reader about a known gap.
    pub fn fails_only_as_expected(&self) -> bool {
        self.verdict() == Some(Verdict::Fail)
            && self
                .scenarios
                .iter()
                .filter(|c| c.verdict == Verdict::Fail)
                .all(|c| c.expected_deviation)
    }
}

/// The matrix: catalog requirements in catalog order, then unknown cited ids by id.
pub fn matrix(record: &RunRecord) -> Vec<MatrixRow> {
    // Scenarios are sorted by id in the record; keep that order, and cite each scenario
    // once even if it lists an id twice.
    let mut citations: BTreeMap<&str, Vec<Citation>> = BTreeMap::new();
    for sc in &record.scenarios {
        let mut ids: Vec<&str> = sc.requirements.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            citations.entry(id).or_default().push(Citation {
                scenario: sc.id.clone(),
                verdict: sc.verdict,
                expected_deviation: sc.is_expected_deviation(),
            });
        }
    }
    let mut rows: Vec<MatrixRow> = record
        .requirements
        .iter()
        .map(|req| {
            let scenarios = citations.remove(req.id.as_str()).unwrap_or_default();
            MatrixRow {
                id: req.id.clone(),
                requirement: Some(req.clone()),
                covered: covers(&scenarios),
                scenarios,
            }
        })
        .collect();
    rows.extend(citations.into_iter().map(|(id, scenarios)| MatrixRow {
        id: id.to_string(),
        requirement: None,
        covered: covers(&scenarios),
        scenarios,
    }));
    rows
}

fn covers(citations: &[Citation]) -> bool {
    citations.iter().any(|c| c.verdict != Verdict::Skip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn rows_follow_the_catalog_then_unknown_ids() {
        let record = fixture();
        let rows = matrix(&record);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut expected: Vec<&str> = record.requirements.iter().map(|r| r.id.as_str()).collect();
        expected.push("PRV-99");
        assert_eq!(ids, expected);
        assert!(rows.last().is_some_and(|r| r.requirement.is_none()));
    }

    #[test]
    fn covered_rows_agree_with_the_summary() {
        let record = fixture();
        let covered = matrix(&record)
            .iter()
            .filter(|r| r.requirement.is_some() && r.covered)
            .count();
        assert_eq!(covered, record.summary().covered_requirements);
        assert!(
            covered < record.requirements.len(),
            "fixture has an uncovered one"
        );
    }

    #[test]
    fn citations_carry_verdicts_and_deviations() {
        let record = fixture();
        let rows = matrix(&record);
        let reg5 = rows.iter().find(|r| r.id == "REG-5").unwrap();
        let cited: Vec<(&str, Verdict, bool)> = reg5
            .scenarios
            .iter()
            .map(|c| (c.scenario.as_str(), c.verdict, c.expected_deviation))
            .collect();
        assert_eq!(
            cited,
            [
                ("eligibility/lost-coverage", Verdict::Fail, false),
                ("registry/outage-fallback", Verdict::Fail, true),
            ]
        );
        assert_eq!(reg5.verdict(), Some(Verdict::Fail));
        assert!(!reg5.fails_only_as_expected(), "one failure is not listed");
        let prv4 = rows.iter().find(|r| r.id == "PRV-4").unwrap();
        assert!(prv4.fails_only_as_expected());
        let uncovered = rows.iter().find(|r| !r.covered).unwrap();
        assert_eq!(uncovered.verdict(), None);
    }

    #[test]
    fn a_scenario_citing_an_id_twice_is_listed_once() {
        let mut record = fixture();
        record.scenarios[0].requirements.push("CARD-2".to_string());
        record.scenarios[0].requirements.push("CARD-2".to_string());
        let rows = matrix(&record);
        let card2 = rows.iter().find(|r| r.id == "CARD-2").unwrap();
        let first = &record.scenarios[0].id;
        assert_eq!(
            card2
                .scenarios
                .iter()
                .filter(|c| &c.scenario == first)
                .count(),
            1
        );
    }
}
