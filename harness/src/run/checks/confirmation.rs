//! `confirmation` expectations: the registry's answer to a visit or a confirmation by numbers.

use super::*;
use onshi_sim::insurer::Qualification;
use onshi_sim::registry::ResultItem;

impl Executor<'_> {
    pub(crate) fn confirmation(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        c: &ConfirmationCheck,
    ) {
        let found = self.outputs.find(&c.of, "a confirmation", answer_of);
        let answer = match found {
            Ok(Some(a)) => a.clone(),
            Ok(None) => {
                self.fail(
                    pe,
                    step,
                    "confirmation",
                    "an answer from the registry".into(),
                    "no confirmation was sent (verification failed or no card)".into(),
                );
                return;
            }
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "confirmation",
                    "an answer from the registry".into(),
                    e,
                );
                return;
            }
        };
        let refusal = refusal_name(answer.refusal()).name().to_string();
        if let Some(want) = &c.refused {
            self.push(
                pe,
                step,
                "confirmation.refused",
                want.name().to_string(),
                refusal.clone(),
                answer.refusal().map(|r| format!("{r:?}")),
            );
        }
        if let Some(want) = c.validity {
            let got = answer
                .validity
                .map(|v| v.code().to_string())
                .unwrap_or_else(|| format!("none (refused: {refusal})"));
            self.push(
                pe,
                step,
                "confirmation.validity",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = c.results {
            self.push(
                pe,
                step,
                "confirmation.results",
                want.to_string(),
                answer.results.len().to_string(),
                None,
            );
        }
        if let Some(want) = &c.scope {
            let got = scope_name(&answer.scope).name();
            self.push(
                pe,
                step,
                "confirmation.scope",
                want.name().to_string(),
                got.into(),
                None,
            );
        }
        if let Some(want) = &c.expiry_notice {
            let got = answer
                .expiry_notice
                .map(|d| d.to_string())
                .unwrap_or_else(|| "none".into());
            let got = if *want == NoticeDate::Any && got != "none" {
                "any".into()
            } else {
                got
            };
            self.push(
                pe,
                step,
                "confirmation.expiry_notice",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = c.relinked {
            self.push(
                pe,
                step,
                "confirmation.relinked",
                want.to_string(),
                answer.relinked_from.is_some().to_string(),
                answer.relinked_from.map(|s| format!("from serial {s}")),
            );
        }
        // Fields of the first result, one row each in `RESULT_FIELDS`.
        let first = answer.results.first();
        for (name, want, got) in RESULT_FIELDS {
            if let Some(want) = want(c) {
                let got = first.map_or_else(|| "none (no result)".to_string(), |r| got(w, r));
                self.push(pe, step, name, want, got, None);
            }
        }
    }
}

/// A field of the first result of an answer: the check's name, the expected value the
/// expectation gives (if any), and the value the answer has.
type ResultField = (
    &'static str,
    fn(&ConfirmationCheck) -> Option<String>,
    fn(&World, &ResultItem) -> String,
);

fn qualification<'w>(w: &'w World, r: &ResultItem) -> Option<&'w Qualification> {
    w.quals().get(r.qualification.index())
}

fn or_none(v: Option<String>) -> String {
    v.unwrap_or_else(|| "none".into())
}

/// The result fields a `confirmation` expectation can check, in report order.
const RESULT_FIELDS: &[ResultField] = &[
    (
        "confirmation.insurer_number",
        |c| c.insurer_number.clone(),
        |w, r| {
            qualification(w, r)
                .and_then(|q| w.insurers().get(q.numbers.insurer.index()))
                .map_or_else(|| "none (no result)".into(), |i| i.number.to_string())
        },
    ),
    (
        "confirmation.insurer_name",
        |c| c.insurer_name.clone(),
        |w, r| {
            qualification(w, r)
                .and_then(|q| w.insurers().get(q.numbers.insurer.index()))
                .map_or_else(|| "none (no result)".into(), |i| i.name.clone())
        },
    ),
    (
        "confirmation.name",
        |c| c.name.clone(),
        |w, r| {
            w.people()
                .get(r.person.index())
                .map_or_else(|| "none (no result)".into(), |p| p.name.clone())
        },
    ),
    (
        "confirmation.birth",
        |c| c.birth.clone(),
        |w, r| {
            w.people()
                .get(r.person.index())
                .map_or_else(|| "none (no result)".into(), |p| p.birth.to_string())
        },
    ),
    (
        "confirmation.symbol",
        |c| c.symbol.clone(),
        |w, r| {
            qualification(w, r).map_or_else(String::new, |q| {
                q.numbers.symbol.clone().unwrap_or_default()
            })
        },
    ),
    (
        "confirmation.number",
        |c| c.number.clone(),
        |w, r| qualification(w, r).map_or_else(String::new, |q| q.numbers.number.clone()),
    ),
    (
        "confirmation.branch",
        |c| c.branch.clone(),
        |w, r| qualification(w, r).map_or_else(String::new, |q| q.numbers.branch.clone()),
    ),
    (
        "confirmation.copay_percent",
        |c| c.copay_percent.map(|v| v.to_string()),
        |_, r| r.copay_percent.to_string(),
    ),
    (
        "confirmation.preschool",
        |c| c.preschool.map(|v| v.to_string()),
        |_, r| r.preschool.to_string(),
    ),
    (
        "confirmation.elderly_copay",
        |c| c.elderly_copay.map(|v| v.to_string()),
        |_, r| or_none(r.elderly.map(|e| e.copay_percent.to_string())),
    ),
    (
        "confirmation.limit_category",
        |c| c.limit_category.map(|v| v.name().to_string()),
        |_, r| or_none(r.limit.as_ref().map(|l| l.category.code().to_string())),
    ),
    (
        "confirmation.long_stay_from",
        |c| c.long_stay_from.map(|v| v.to_string()),
        |_, r| {
            or_none(
                r.limit
                    .as_ref()
                    .and_then(|l| l.long_stay_from)
                    .map(|d| d.to_string()),
            )
        },
    ),
    (
        "confirmation.disease",
        |c| c.disease.map(|v| v.name().to_string()),
        |_, r| {
            if r.designated_diseases.is_empty() {
                "none".to_string()
            } else {
                r.designated_diseases
                    .iter()
                    .map(|d| disease_name(d.disease))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        },
    ),
    (
        "confirmation.loss_date",
        |c| c.loss_date.map(|v| v.to_string()),
        |_, r| or_none(r.loss.map(|(d, _)| d.to_string())),
    ),
];
