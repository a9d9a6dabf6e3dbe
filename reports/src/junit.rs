//! JUnit XML for CI systems, in the common Jenkins/Ant shape: `<testsuites>` holding one
//! `<testsuite>` per scenario and one `<testcase>` per check.
//!
//! Mapping decisions, so CI agrees with `onshi`'s own exit status:
//! - a failed check is a `<failure>` whose `type` lists the requirement ids it evidences
//!   (the scenario's ids when the check cites none) and whose message gives expected vs
//!   actual and the ids;
//! - a check needing review is `<skipped message="review: …">`: JUnit has no "needs a
//!   human" outcome, and a review must not fail a build nor count as a pass;
//! - failed checks (and the error) of a scenario listed as an expected deviation are
//!   `<skipped message="expected deviation: …">`, so the build stays green while the
//!   deviation stays visible;
//! - a scenario that could not run to the end gets an extra testcase named `scenario`
//!   with an `<error>`; a scenario with no checks gets a `scenario` testcase that is
//!   skipped with its skip reason, so every suite shows why it is empty.
//!
//! Text is English: CI dashboards are the audience. Times are `0` except the run's
//! total on `<testsuites>`, because the virtual clock says nothing about wall time.

use std::fmt::Write as _;

use crate::escape::{truncate, xml, xml_multiline};
use crate::record::{Check, RunRecord, ScenarioRecord, Verdict};

/// Longest expected or actual value quoted in a failure message; the element body has it
/// all.
const MESSAGE_VALUE_MAX: usize = 500;
/// Trace lines in a suite's `<system-out>`.
const TRACE_LINES_MAX: usize = 20;

enum Outcome {
    Pass,
    Failure {
        message: String,
        kind: String,
        body: String,
    },
    Error {
        message: String,
    },
    Skipped {
        message: String,
    },
}

struct Case {
    name: String,
    outcome: Outcome,
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, case: &Case) {
        self.tests += 1;
        match case.outcome {
            Outcome::Pass => {}
            Outcome::Failure { .. } => self.failures += 1,
            Outcome::Error { .. } => self.errors += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
        }
    }

    fn attributes(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

/// The run as JUnit XML (UTF-8, trailing newline).
pub fn render(record: &RunRecord) -> String {
    let suites: Vec<(&ScenarioRecord, Vec<Case>)> =
        record.scenarios.iter().map(|sc| (sc, cases(sc))).collect();
    let mut total = Counts::default();
    for case in suites.iter().flat_map(|(_, cases)| cases) {
        total.add(case);
    }
    let time = record.timing.as_ref().map_or_else(
        || "0".to_string(),
        |t| format!("{}.{:03}", t.elapsed_ms / 1000, t.elapsed_ms % 1000),
    );

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" {} time=\"{time}\">",
        xml(&record.tool),
        total.attributes()
    );
    for (sc, cases) in &suites {
        write_suite(&mut out, sc, cases);
    }
    out.push_str("</testsuites>\n");
    out
}

fn write_suite(out: &mut String, sc: &ScenarioRecord, cases: &[Case]) {
    let mut counts = Counts::default();
    for case in cases {
        counts.add(case);
    }
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" {} time=\"0\">",
        xml(&sc.id),
        counts.attributes()
    );
    out.push_str("    <properties>\n");
    let mut props = vec![
        ("file", sc.file.clone()),
        ("seed", sc.seed.to_string()),
        ("requirements", sc.requirements.join(" ")),
        ("tags", sc.tags.join(" ")),
    ];
    if let Some(reason) = &sc.expected_deviation {
        props.push(("expected-deviation", reason.clone()));
    }
    for (name, value) in props {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            xml(&value)
        );
    }
    out.push_str("    </properties>\n");
    for case in cases {
        write_case(out, &sc.id, case);
    }
    let _ = writeln!(
        out,
        "    <system-out>{}</system-out>",
        xml_multiline(&system_out(sc))
    );
    out.push_str("  </testsuite>\n");
}

fn write_case(out: &mut String, classname: &str, case: &Case) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
        xml(classname),
        xml(&case.name)
    );
    match &case.outcome {
        Outcome::Pass => out.push_str("/>\n"),
        Outcome::Failure {
            message,
            kind,
            body,
        } => {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                xml(message),
                xml(kind),
                xml_multiline(body)
            );
        }
        Outcome::Error { message } => {
            let _ = writeln!(
                out,
                ">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>",
                xml(message),
                xml_multiline(message)
            );
        }
        Outcome::Skipped { message } => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml(message)
            );
        }
    }
}

/// The testcases of one scenario, per the mapping in the module doc.
fn cases(sc: &ScenarioRecord) -> Vec<Case> {
    let mut cases: Vec<Case> = sc
        .checks
        .iter()
        .map(|check| Case {
            name: case_name(check),
            outcome: check_outcome(sc, check),
        })
        .collect();
    if let Some(error) = &sc.error {
        let outcome = match &sc.expected_deviation {
            Some(reason) => Outcome::Skipped {
                message: format!("expected deviation: {reason} (error: {error})"),
            },
            None => Outcome::Error {
                message: error.clone(),
            },
        };
        cases.push(Case {
            name: "scenario".to_string(),
            outcome,
        });
    } else if cases.is_empty() {
        let message = sc
            .skip_reason
            .clone()
            .unwrap_or_else(|| "no checks were evaluated".to_string());
        cases.push(Case {
            name: "scenario".to_string(),
            outcome: Outcome::Skipped { message },
        });
    }
    cases
}

/// `check.name @ file:line:col [REQ-1, REQ-2]`.
fn case_name(check: &Check) -> String {
    if check.requirements.is_empty() {
        format!("{} @ {}", check.name, check.at)
    } else {
        format!(
            "{} @ {} [{}]",
            check.name,
            check.at,
            check.requirements.join(", ")
        )
    }
}

fn check_outcome(sc: &ScenarioRecord, check: &Check) -> Outcome {
    match check.verdict {
        Verdict::Pass => Outcome::Pass,
        Verdict::Skip => Outcome::Skipped {
            message: check
                .note
                .clone()
                .or_else(|| sc.skip_reason.clone())
                .unwrap_or_else(|| "skipped".to_string()),
        },
        Verdict::Review => Outcome::Skipped {
            message: match &check.note {
                Some(note) => format!("review: {note}"),
                None => format!(
                    "review: expected `{}`, actual `{}`",
                    truncate(&check.expected, MESSAGE_VALUE_MAX),
                    truncate(&check.actual, MESSAGE_VALUE_MAX)
                ),
            },
        },
        Verdict::Fail => match &sc.expected_deviation {
            Some(reason) => Outcome::Skipped {
                message: format!("expected deviation: {reason}"),
            },
            None => failure(sc, check),
        },
    }
}

fn failure(sc: &ScenarioRecord, check: &Check) -> Outcome {
    let ids = sc.requirements_of(check);
    let cited = if ids.is_empty() {
        "none cited".to_string()
    } else {
        ids.join(", ")
    };
    let mut message = format!(
        "expected `{}`, actual `{}`; requirements: {cited}",
        truncate(&check.expected, MESSAGE_VALUE_MAX),
        truncate(&check.actual, MESSAGE_VALUE_MAX)
    );
    if let Some(note) = &check.note {
        let _ = write!(message, "; {note}");
    }
    let step = check
        .step
        .map_or_else(|| "final expectations".to_string(), |s| format!("step {s}"));
    let mut body = format!(
        "check:        {}\nat:           {} ({step})\nrequirements: {cited}\n\
         expected:     {}\nactual:       {}\n",
        check.name, check.at, check.expected, check.actual
    );
    if let Some(note) = &check.note {
        let _ = writeln!(body, "note:         {note}");
    }
    Outcome::Failure {
        message,
        kind: if ids.is_empty() {
            "unspecified".to_string()
        } else {
            ids.join(" ")
        },
        body,
    }
}

/// Title, file and the first trace lines.
fn system_out(sc: &ScenarioRecord) -> String {
    let mut s = format!(
        "{}\nfile: {}, seed {}\n",
        sc.title.get(crate::Lang::En),
        sc.file,
        sc.seed
    );
    if let Some(reason) = &sc.expected_deviation {
        let _ = writeln!(s, "expected deviation: {reason}");
    }
    let _ = writeln!(s, "trace: {} messages", sc.trace.len());
    for e in sc.trace.iter().take(TRACE_LINES_MAX) {
        let _ = writeln!(
            s,
            "  #{} {} {} -> {} {}: {}",
            e.seq, e.at, e.from, e.to, e.kind, e.summary
        );
    }
    if sc.trace.len() > TRACE_LINES_MAX {
        let _ = writeln!(s, "  ... {} more", sc.trace.len() - TRACE_LINES_MAX);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn failure_without_own_requirements_cites_the_scenario() {
        let record = fixture();
        let lost = &record.scenarios[2];
        let outcome = failure(lost, &lost.checks[1]);
        let Outcome::Failure { message, kind, .. } = outcome else {
            panic!("not a failure");
        };
        assert_eq!(kind, "REG-5 PRV-99");
        assert!(message.contains("REG-5, PRV-99"), "{message}");
    }

    #[test]
    fn deviation_failures_and_errors_are_skipped() {
        let mut record = fixture();
        let outage = &mut record.scenarios[5];
        outage.error = Some("boom".into());
        let cases = cases(outage);
        assert!(cases.iter().all(|c| matches!(
            &c.outcome,
            Outcome::Skipped { message } if message.starts_with("expected deviation: vendor ticket 123")
        )));
        assert_eq!(cases.len(), 2);
    }

    #[test]
    fn an_empty_scenario_still_has_a_testcase() {
        let record = fixture();
        let consent = &record.scenarios[1];
        let cases = cases(consent);
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].name, "scenario");
    }

    #[test]
    fn review_is_skipped_with_a_review_message() {
        let record = fixture();
        let screen = &record.scenarios[4];
        let outcome = check_outcome(screen, &screen.checks[0]);
        assert!(matches!(
            outcome,
            Outcome::Skipped { message } if message == "review: compare with the screen of a real reader"
        ));
    }

    #[test]
    fn long_values_are_cut_in_the_message_only() {
        let mut record = fixture();
        let lost = &mut record.scenarios[2];
        lost.checks[0].actual = "x".repeat(2000);
        let Outcome::Failure { message, body, .. } = failure(lost, &lost.checks[0]) else {
            panic!("not a failure");
        };
        assert!(message.len() < 700, "{}", message.len());
        assert!(body.contains(&"x".repeat(2000)));
    }

    #[test]
    fn total_time_comes_from_the_timing() {
        let out = render(&fixture());
        assert!(out.contains("time=\"1.234\">"), "{out}");
        let mut record = fixture();
        record.timing = None;
        assert!(
            render(&record)
                .lines()
                .nth(1)
                .is_some_and(|l| l.ends_with("time=\"0\">"))
        );
    }
}
