//! `data` expectations: optional data shared with or withheld from the provider.

use super::*;

impl Executor<'_> {
    pub(crate) fn data(&mut self, pe: &PlannedExpect, step: Option<usize>, d: &DataCheck) {
        let kind = d.kind;
        let under_test = |o: &Output| match o {
            Output::ProviderVisit(..) => Some(true),
            Output::Visit(..) | Output::Data(_) => Some(false),
            _ => None,
        };
        if self.outputs.find(&d.of, "a visit", under_test) == Ok(true) {
            self.skipped(
                pe,
                "not checked: what the registry shared with the reference provider; a provider \
                 under test is checked by `provider.fetched`, `requests` and \
                 provider.no_data_without_consent",
            );
            return;
        }
        let pick = |o: &Output| -> Option<Option<Result<usize, DataDenied>>> {
            match o {
                Output::Visit(v, _) => Some(
                    v.fetched
                        .iter()
                        .find(|(k, _)| *k == kind)
                        .map(|(_, r)| r.clone()),
                ),
                Output::Data(r) => Some(Some(r.clone())),
                _ => None,
            }
        };
        let got = match self.outputs.find(&d.of, "a visit or a fetch", pick) {
            Ok(Some(Ok(n))) => (Some(n), "shared".to_string()),
            Ok(Some(Err(e))) => (None, withheld_name(&e).name().to_string()),
            Ok(None) => (None, "not_requested".to_string()),
            Err(e) => {
                self.fail(pe, step, "data", format!("{kind:?} data"), e);
                return;
            }
        };
        if let Some(want) = d.shared {
            let actual = match got.0 {
                Some(n) => format!("{n} item(s) shared"),
                None => format!("withheld: {}", got.1),
            };
            self.push(
                pe,
                step,
                "data.shared",
                format!("{want} item(s) shared"),
                actual,
                Some(format!("{kind:?}")),
            );
        }
        if let Some(want) = d.withheld {
            let actual = match got.0 {
                Some(n) => format!("shared {n} item(s)"),
                None => got.1.clone(),
            };
            // `any`: shared nothing, whatever the reason (withheld, or zero items).
            let pass = match want {
                WithheldName::Any => got.0.is_none_or(|n| n == 0),
                named => got.0.is_none() && got.1 == named.name(),
            };
            self.push_judged(
                pe,
                step,
                "data.withheld",
                want.name().into(),
                actual,
                pass,
                Some(format!("{kind:?}")),
            );
        }
        if d.shared.is_none() && d.withheld.is_none() {
            self.fail(
                pe,
                step,
                "data",
                "`shared` or `withheld`".into(),
                "the expectation states neither".into(),
            );
        }
    }
}
