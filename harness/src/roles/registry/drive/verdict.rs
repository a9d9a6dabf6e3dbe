//! The verdicts: an answer held against the reference's, field by field; the invariants
//! (no My Number, the same answer to the same question); the registration counts.

use std::collections::BTreeMap;

use onshi_reports::{Check, Verdict};

use super::RegistryRun;
use super::ask::{Question, fault};
use crate::roles::registry::client::Ask;
use crate::roles::registry::compare::{self, FieldDiff};
use crate::shared::SharedWorld;

use super::JSON;

impl RegistryRun {
    pub(super) fn judge(
        &mut self,
        shared: &SharedWorld,
        q: Question,
        step: Option<usize>,
        at: &str,
    ) -> Vec<Check> {
        let check = |name: &str,
                     requirements: Vec<String>,
                     verdict,
                     expected: String,
                     actual: String,
                     note: Option<String>| Check {
            name: name.into(),
            at: at.into(),
            step,
            requirements,
            verdict,
            expected,
            actual,
            note,
        };
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut out = Vec::new();
        let reference = match q.reference {
            Ok(r) => r,
            Err(e) => {
                out.push(check(
                    q.name,
                    strings(&q.requirements),
                    Verdict::Skip,
                    "the reference's answer".into(),
                    String::new(),
                    Some(format!("{}: not compared: {e}", q.what)),
                ));
                return out;
            }
        };
        let first = match q.first {
            Ok(a) => {
                self.keep_exchange(q.name, &a, &reference);
                a
            }
            Err(e) => {
                self.keep_failure(q.name, &e, &reference);
                out.push(check(
                    q.name,
                    strings(&q.requirements),
                    Verdict::Fail,
                    "the reference's answer".into(),
                    format!("no answer: {e}"),
                    Some(q.what),
                ));
                return out;
            }
        };
        match compare::compare_in(&reference, &first.bytes, &q.also) {
            Ok(diffs) if diffs.is_empty() => out.push(check(
                q.name,
                compared_requirements(&reference, &q.requirements, &q.also),
                Verdict::Pass,
                "the reference's answer".into(),
                "the same, field by field".into(),
                Some(q.what.clone()),
            )),
            Ok(diffs) => out.push(check(
                q.name,
                // What broke: the differing fields' requirements (and the refusal's or the
                // relink's, added to each difference), not what the question is about.
                requirements_of(&diffs, &[]),
                Verdict::Fail,
                "the reference's answer".into(),
                format!("{}\n{}", headline(&diffs), compare::render(&diffs)),
                Some(q.what.clone()),
            )),
            Err(e) => out.push(check(
                q.name,
                strings(&q.requirements),
                Verdict::Fail,
                "the reference's answer".into(),
                format!("an answer that cannot be read: {e}"),
                Some(q.what.clone()),
            )),
        }
        out.push(my_number_check(shared, &first.bytes, &q.what, at, step));
        let same = match q.second {
            Err(e) => check(
                "registry_under_test.same_answer",
                strings(&["REG-4"]),
                Verdict::Fail,
                "the same answer to the same question".into(),
                format!("no answer the second time: {e}"),
                Some(q.what),
            ),
            Ok(second) => match compare::compare(&first.bytes, &second.bytes) {
                Ok(d) if d.is_empty() => check(
                    "registry_under_test.same_answer",
                    strings(&["REG-4"]),
                    Verdict::Pass,
                    "the same answer to the same question".into(),
                    "the same".into(),
                    Some(q.what),
                ),
                Ok(d) => check(
                    "registry_under_test.same_answer",
                    strings(&["REG-4"]),
                    Verdict::Fail,
                    "the same answer to the same question".into(),
                    format!(
                        "the second answer differs from the first (\"reference\" is the first, \"under test\" the second):\n{}",
                        compare::render(&d)
                    ),
                    Some(q.what),
                ),
                Err(e) => check(
                    "registry_under_test.same_answer",
                    strings(&["REG-4"]),
                    Verdict::Fail,
                    "the same answer to the same question".into(),
                    format!("the second answer cannot be read: {e}"),
                    Some(q.what),
                ),
            },
        };
        out.push(same);
        out
    }

    /// Writes a question, the answer and the reference's answer into the scenario's folder
    /// (`NNNN-<kind>.request`, `.answer`, `.reference.xml`), when questions are kept. A file
    /// that cannot be written is logged, never a verdict.
    fn keep_exchange(&mut self, name: &str, asked: &super::ask::Asked, reference: &[u8]) {
        let Some(dir) = &self.keep else {
            return;
        };
        self.kept += 1;
        let kind = name.rsplit('.').next().unwrap_or("exchange");
        let stem = format!("{:04}-{kind}", self.kept);
        let head = format!("POST {}\n\n", asked.path);
        let files: [(String, &[u8]); 3] = [
            (
                format!("{stem}.request"),
                &[head.as_bytes(), &asked.request].concat(),
            ),
            (format!("{stem}.answer"), &asked.raw),
            (format!("{stem}.reference.xml"), reference),
        ];
        for (file, bytes) in files {
            if let Err(e) = std::fs::write(dir.join(&file), bytes) {
                tracing::warn!(target: "onshi::registry", file, error = %e, "a kept exchange could not be written");
            }
        }
    }

    /// Writes why a question got no answer, next to the reference's answer.
    fn keep_failure(&mut self, name: &str, error: &str, reference: &[u8]) {
        let Some(dir) = &self.keep else {
            return;
        };
        self.kept += 1;
        let kind = name.rsplit('.').next().unwrap_or("exchange");
        let stem = format!("{:04}-{kind}", self.kept);
        for (file, bytes) in [
            (format!("{stem}.error"), error.as_bytes()),
            (format!("{stem}.reference.xml"), reference),
        ] {
            if let Err(e) = std::fs::write(dir.join(&file), bytes) {
                tracing::warn!(target: "onshi::registry", file, error = %e, "a kept exchange could not be written");
            }
        }
    }

    pub(super) fn counts(&mut self, shared: &SharedWorld, step: Option<usize>, at: &str) -> Check {
        let reference: BTreeMap<String, u64> = {
            let w = shared.lock();
            w.registry()
                .counts()
                .iter()
                .filter(|(_, n)| **n > 0)
                .filter_map(|(i, n)| {
                    w.insurers()
                        .get(i.index())
                        .map(|x| (x.number.to_string(), *n))
                })
                .collect()
        };
        let expected = show_counts(&reference);
        let got = self
            .runtime
            .block_on(self.client.ask(Ask {
                path: "/onshi/registry/counts",
                body: None,
                accept: JSON,
                authorization: None,
            }))
            .map_err(fault)
            .and_then(|a| {
                let v: serde_json::Value =
                    serde_json::from_slice(&a.bytes).map_err(|e| format!("not JSON: {e}"))?;
                let map = v
                    .get("counts")
                    .and_then(|c| c.as_object())
                    .ok_or("no `counts` object")?;
                let mut out = BTreeMap::new();
                for (k, n) in map {
                    let n = n
                        .as_u64()
                        .ok_or_else(|| format!("the count of {k} is not a whole number"))?;
                    if n > 0 {
                        out.insert(k.clone(), n);
                    }
                }
                Ok(out)
            });
        let (verdict, actual) = match got {
            Ok(c) if c == reference => (Verdict::Pass, show_counts(&c)),
            Ok(c) => (Verdict::Fail, show_counts(&c)),
            Err(e) => (Verdict::Fail, format!("no counts: {e}")),
        };
        Check {
            name: "registry_under_test.counts".into(),
            at: at.into(),
            step,
            requirements: vec!["REG-3".into()],
            verdict,
            expected,
            actual,
            note: None,
        }
    }
}

/// REG-11: the answer never carries a My Number (nor a 住民票コード) of anyone in the world.
fn my_number_check(
    shared: &SharedWorld,
    bytes: &[u8],
    what: &str,
    at: &str,
    step: Option<usize>,
) -> Check {
    let text = String::from_utf8_lossy(bytes);
    let w = shared.lock();
    let found: Vec<String> = w
        .people()
        .iter()
        .filter_map(|p| {
            let n = p.my_number.digits();
            let code = w.jlis().resident_code(p.id);
            (text.contains(&n) || text.contains(&code)).then(|| format!("{}'s", p.key))
        })
        .collect();
    Check {
        name: "registry_under_test.no_my_number".into(),
        at: at.into(),
        step,
        requirements: vec!["REG-11".into()],
        verdict: if found.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        expected: "no My Number or 住民票コード in the answer".into(),
        actual: if found.is_empty() {
            "none".into()
        } else {
            format!(
                "the answer carries {} My Number or 住民票コード",
                found.join(", ")
            )
        },
        note: Some(what.to_string()),
    }
}

/// What an equal answer evidences: the question's requirements, the refusal's or the relink's,
/// and those of every field the reference's answer has (a 限度額 leaf REG-6, a 負担割合 INS-2):
/// the fields were compared and agreed.
fn compared_requirements(reference: &[u8], base: &[&str], also: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |r: &str| {
        if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    };
    base.iter().chain(also).for_each(|r| add(r));
    if let Ok(leaves) = onshi_sim::oqs::leaves(reference) {
        for leaf in &leaves {
            if compare::ignored(&leaf.path, &leaves).is_none() {
                compare::requirements_for(&leaf.path)
                    .iter()
                    .for_each(|r| add(r));
            }
        }
    }
    out
}

/// The first line of a failed comparison, for the one-line views (terminal, Markdown): how
/// many fields differ and the first of them by its element name.
fn headline(diffs: &[FieldDiff]) -> String {
    let Some(first) = diffs.first() else {
        return "the answers are the same".into();
    };
    let name = first.path.rsplit('/').next().unwrap_or(&first.path);
    let shown = |v: &Option<String>| match v {
        Some(t) => format!(
            "‹{}›",
            crate::roles::registry::client::neutralise(&t.chars().take(40).collect::<String>())
        ),
        None => "(absent)".into(),
    };
    format!(
        "{} field(s) differ; first {name}: reference {} / under test {}",
        diffs.len(),
        shown(&first.reference),
        shown(&first.under_test)
    )
}

fn requirements_of(diffs: &[FieldDiff], base: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in diffs.iter().flat_map(|d| d.requirements.iter()) {
        if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    }
    for r in base {
        if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    }
    out
}

fn show_counts(c: &BTreeMap<String, u64>) -> String {
    if c.is_empty() {
        return "no registrations".into();
    }
    c.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
