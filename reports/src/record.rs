//! The run record: everything a run produced, as data. Every report is a pure function of
//! it, and `onshi report` re-renders it from `run.json`.
//!
//! Ordering is stable (scenarios by id, files by path, checks in scenario order), so the
//! same scenario files and seed give byte-identical JSON apart from [`RunRecord::timing`].

use serde::{Deserialize, Serialize};

/// Version of the record layout; bumped on any incompatible change.
pub const RECORD_FORMAT: u32 = 1;

/// Output language of the human-readable reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 日本語.
    Ja,
    /// English.
    En,
}

/// One run of scenarios.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`RECORD_FORMAT`] of the writer.
    pub format: u32,
    /// Tool name and version, e.g. `onshi 0.1.0`.
    pub tool: String,
    /// The run seed (a scenario's own `seed:` overrides it for that scenario).
    pub seed: u64,
    /// Who played each role.
    pub roles: Roles,
    /// The partition this run covered (`hash:2/4`), if any; merged runs list every part.
    pub partitions: Vec<String>,
    /// Every scenario and fragment file read, with its SHA-256, sorted by path.
    pub files: Vec<FileHash>,
    /// The requirement catalog the run was traced against, in catalog order.
    pub requirements: Vec<Requirement>,
    /// Scenario results, sorted by id.
    pub scenarios: Vec<ScenarioRecord>,
    /// The signal that stopped the run (`SIGINT`, `SIGTERM`) before every scenario finished;
    /// the unfinished ones are skipped with that reason. An interrupted run never passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// Partitions of the run that a merge did not have (`report merge --allow-partial`): the
    /// record covers only part of the suite.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_partitions: Vec<String>,
    /// Wall-clock facts about the run itself; the only part that differs between re-runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
}

/// Role bindings: `reference` for the built-in implementation, otherwise a description of
/// the system under test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    /// Clinic or pharmacy system (医療機関・薬局システム).
    pub provider: String,
    /// Reader and terminal software (顔認証付きカードリーダー / 資格確認端末).
    pub terminal: String,
    /// Eligibility registry (オンライン資格確認等システム).
    pub registry: String,
}

/// A file that went into the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    /// Path as given on the command line (or resolved through `include`), `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the bytes read.
    pub sha256: String,
}

/// One entry of the requirement catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// Catalog id, e.g. `REG-2`.
    pub id: String,
    /// Area, e.g. `REG`.
    pub area: String,
    /// Text in Japanese.
    pub ja: String,
    /// Text in English.
    pub en: String,
    /// Where the fact comes from (leaflet, 規約 article, rules table).
    pub source: String,
}

/// A title in one or both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Title {
    /// 日本語.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ja: Option<String>,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Title {
    /// The title in `lang`, falling back to the other language, then to `""`.
    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::Ja => (&self.ja, &self.en),
            Lang::En => (&self.en, &self.ja),
        };
        first.as_deref().or(second.as_deref()).unwrap_or("")
    }
}

/// Verdict of a check or a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Checked and as expected.
    Pass,
    /// Checked and not as expected, or the scenario could not run.
    Fail,
    /// Not checked, with a reason (e.g. a role that is not bound).
    Skip,
    /// Needs a human to look (e.g. what a real reader screen shows).
    Review,
}

impl Verdict {
    /// The scenario verdict from its checks: any fail → fail; else any review → review;
    /// else all skipped (or none) → skip; else pass.
    pub fn combine(checks: impl IntoIterator<Item = Verdict>) -> Verdict {
        let (mut any, mut fail, mut review, mut pass) = (false, false, false, false);
        for v in checks {
            any = true;
            match v {
                Verdict::Fail => fail = true,
                Verdict::Review => review = true,
                Verdict::Pass => pass = true,
                Verdict::Skip => {}
            }
        }
        if fail {
            Verdict::Fail
        } else if review {
            Verdict::Review
        } else if pass && any {
            Verdict::Pass
        } else {
            Verdict::Skip
        }
    }
}

/// One scenario's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// Scenario id (`reissue/relink-after-loss`).
    pub id: String,
    /// File it came from.
    pub file: String,
    /// Title.
    pub title: Title,
    /// Requirement ids the scenario cites.
    pub requirements: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The seed the scenario ran with.
    pub seed: u64,
    /// Overall verdict ([`Verdict::combine`] of the checks, or fail on `error`).
    pub verdict: Verdict,
    /// Why the whole scenario was skipped, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// The reason from the expected-deviations file, when the scenario is listed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_deviation: Option<String>,
    /// The scenario could not run to the end: a step failed, it timed out, or it panicked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Checks in the order they were evaluated.
    pub checks: Vec<Check>,
    /// Messages between actors, in order.
    pub trace: Vec<TraceEvent>,
}

/// One checked expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked, e.g. `confirmation.validity`.
    pub name: String,
    /// Where the expectation is written, `file:line:column`.
    pub at: String,
    /// The step after which it was checked (1-based), or None for the final expectations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// Requirement ids this check evidences.
    pub requirements: Vec<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// Expected value, as text.
    pub expected: String,
    /// Actual value, as text.
    pub actual: String,
    /// Why skipped, what to review, or extra detail on a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One message of the trace (drawn as a sequence diagram).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Order within the scenario.
    pub seq: u64,
    /// Virtual time (JST), `2026-04-01T09:00:00+09:00`.
    pub at: String,
    /// Sender lane: person, card, reader, provider, registry, jlis, insurer, portal, municipality.
    pub from: String,
    /// Receiver lane.
    pub to: String,
    /// Message kind, e.g. `registry.confirm`.
    pub kind: String,
    /// The person concerned (scenario key), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// One line.
    pub summary: String,
}

/// Wall-clock facts of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    /// Start, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

/// Counts over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenarios.
    pub scenarios: usize,
    /// Passed scenarios.
    pub passed: usize,
    /// Failed scenarios not listed as expected deviations.
    pub failed: usize,
    /// Skipped scenarios.
    pub skipped: usize,
    /// Scenarios needing review.
    pub review: usize,
    /// Failed scenarios listed as expected deviations.
    pub deviations: usize,
    /// Checks evaluated.
    pub checks: usize,
    /// Failed checks.
    pub failed_checks: usize,
    /// Catalog requirements cited by at least one scenario that was not skipped.
    pub covered_requirements: usize,
    /// Catalog requirements in all.
    pub requirements: usize,
}

impl RunRecord {
    /// Counts. A failed scenario with an expected deviation counts under `deviations`,
    /// not `failed`.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            scenarios: self.scenarios.len(),
            requirements: self.requirements.len(),
            ..Summary::default()
        };
        for sc in &self.scenarios {
            match (sc.verdict, sc.expected_deviation.is_some()) {
                (Verdict::Fail, true) => s.deviations += 1,
                (Verdict::Fail, false) => s.failed += 1,
                (Verdict::Pass, _) => s.passed += 1,
                (Verdict::Skip, _) => s.skipped += 1,
                (Verdict::Review, _) => s.review += 1,
            }
            s.checks += sc.checks.len();
            s.failed_checks += sc
                .checks
                .iter()
                .filter(|c| c.verdict == Verdict::Fail)
                .count();
        }
        // A requirement is covered by a scenario that checked something: a skipped one
        // (no checks, a role not bound, an interrupted run) evidences nothing.
        s.covered_requirements = self
            .requirements
            .iter()
            .filter(|r| {
                self.scenarios
                    .iter()
                    .any(|sc| sc.verdict != Verdict::Skip && sc.requirements.contains(&r.id))
            })
            .count();
        s
    }

    /// True when no scenario failed outside the expected deviations and the run was not
    /// interrupted.
    pub fn passed(&self) -> bool {
        self.summary().failed == 0 && self.interrupted.is_none()
    }

    /// True when the record covers only part of the run: interrupted, or merged without
    /// every partition.
    pub fn is_partial(&self) -> bool {
        self.interrupted.is_some() || !self.missing_partitions.is_empty()
    }
}

impl Verdict {
    /// Lower-case English name, as in the JSON; used for CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
            Verdict::Review => "review",
        }
    }
}

impl ScenarioRecord {
    /// True when the scenario failed and the expected-deviations file lists it, so it does
    /// not fail the run.
    pub fn is_expected_deviation(&self) -> bool {
        self.verdict == Verdict::Fail && self.expected_deviation.is_some()
    }

    /// The requirement ids `check` evidences: its own, or the scenario's when it cites
    /// none.
    pub fn requirements_of<'a>(&'a self, check: &'a Check) -> &'a [String] {
        if check.requirements.is_empty() {
            &self.requirements
        } else {
            &check.requirements
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn combine_fail_wins_then_review_then_pass() {
        use Verdict::*;
        assert_eq!(Verdict::combine([Pass, Review, Fail, Skip]), Fail);
        assert_eq!(Verdict::combine([Pass, Review, Skip]), Review);
        assert_eq!(Verdict::combine([Pass, Skip]), Pass);
        assert_eq!(Verdict::combine([Skip, Skip]), Skip);
        assert_eq!(Verdict::combine([]), Skip, "no checks is not a pass");
    }

    #[test]
    fn summary_counts_the_fixture() {
        let s = fixture().summary();
        assert_eq!(
            s,
            Summary {
                scenarios: 6,
                passed: 1,
                failed: 2,
                skipped: 1,
                review: 1,
                deviations: 1,
                checks: 8,
                failed_checks: 3,
                // 5 cited; the one cited only by the skipped scenario is not covered.
                covered_requirements: 4,
                requirements: 7,
            }
        );
    }

    #[test]
    fn an_expected_deviation_does_not_fail_the_run() {
        let mut record = fixture();
        assert!(!record.passed());
        record
            .scenarios
            .retain(|s| s.verdict != Verdict::Fail || s.expected_deviation.is_some());
        assert!(record.passed());
        assert_eq!(record.summary().deviations, 1);
    }

    #[test]
    fn a_check_without_requirements_evidences_the_scenarios() {
        let record = fixture();
        let lost = &record.scenarios[2];
        assert_eq!(lost.requirements_of(&lost.checks[0]), ["REG-5"]);
        assert_eq!(lost.requirements_of(&lost.checks[1]), ["REG-5", "PRV-99"]);
    }

    #[test]
    fn title_falls_back_to_the_other_language() {
        let t = Title {
            ja: None,
            en: Some("only English".into()),
        };
        assert_eq!(t.get(Lang::Ja), "only English");
        assert_eq!(Title::default().get(Lang::En), "");
    }
}
