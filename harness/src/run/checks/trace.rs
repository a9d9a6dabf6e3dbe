//! `trace.has`, `trace.never` and `no_my_number` expectations.

use super::*;

impl Executor<'_> {
    pub(crate) fn trace_matches(&self, w: &World, t: &TraceCheck) -> usize {
        let person = t.person.as_ref().and_then(|p| person_in(w, p).ok());
        w.trace()
            .entries()
            .iter()
            .filter(|e| t.kind.as_deref().is_none_or(|k| e.kind == k))
            .filter(|e| t.from.as_deref().is_none_or(|f| e.from.name() == f))
            .filter(|e| t.to.as_deref().is_none_or(|f| e.to.name() == f))
            .filter(|e| t.person.is_none() || (person.is_some() && e.person == person))
            .filter(|e| t.contains.as_deref().is_none_or(|c| e.summary.contains(c)))
            .count()
    }

    pub(crate) fn answers(&self) -> Vec<&Answer> {
        self.outputs
            .all
            .iter()
            .filter_map(|o| answer_of(o).flatten())
            .collect()
    }

    pub(crate) fn no_my_number(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        n: &PersonRef,
    ) {
        let Ok(person) = person_in(w, n) else {
            self.fail(
                pe,
                step,
                "no_my_number",
                n.key.clone(),
                "unknown person".into(),
            );
            return;
        };
        let digits = w.people()[person.index()].my_number.digits();
        let mut places = Vec::new();
        let view = w.view();
        let answers = self.answers();
        let checked = answers.len();
        for (i, a) in answers.into_iter().enumerate() {
            if serde_json::to_string(a)
                .unwrap_or_default()
                .contains(&digits)
            {
                places.push(format!("answer {}", i + 1));
            }
            let code = w.institutions().get(a.institution.index()).map(|x| x.code);
            if let Some(code) = code {
                let msg = to_confirm_response(a, &view, code, &ConfirmEcho::default());
                for enc in [CharacterCode::Utf8, CharacterCode::ShiftJis] {
                    let options = EncodeOptions {
                        encoding: enc,
                        ..EncodeOptions::default()
                    };
                    if let Ok(bytes) = encode(&msg, options)
                        && String::from_utf8_lossy(&bytes.bytes).contains(&digits)
                    {
                        places.push(format!("answer {} as {enc:?} XML", i + 1));
                    }
                }
            }
        }
        if w.trace()
            .entries()
            .iter()
            .any(|e| e.summary.contains(&digits))
        {
            places.push("trace".into());
        }
        let mut card_steps = 0;
        for (i, o) in self.outputs.all.iter().enumerate() {
            let json = match o {
                Output::Jpki(j) => serde_json::to_string(j),
                Output::Surface(s) => serde_json::to_string(s),
                _ => continue,
            };
            card_steps += 1;
            if json.unwrap_or_default().contains(&digits) {
                places.push(format!("card step output {}", i + 1));
            }
        }
        for (i, v) in w.provider().visits.iter().enumerate() {
            if serde_json::to_string(v)
                .unwrap_or_default()
                .contains(&digits)
            {
                places.push(format!("provider record {}", i + 1));
            }
        }
        self.push(
            pe,
            step,
            "no_my_number",
            "nowhere".into(),
            if places.is_empty() { "nowhere".into() } else { places.join(", ") },
            Some(format!(
                "searched {checked} answer(s) typed and as XML, {} trace message(s), {} provider record(s){}",
                w.trace().entries().len(),
                w.provider().visits.len(),
                if card_steps > 0 { format!(", {card_steps} card step output(s)") } else { String::new() }
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use onshi_sim::clock::Date;
    use onshi_sim::ids::{InstitutionId, InsuranceNumbers, InsurerNumber, PersonId};
    use onshi_sim::provider::{ChargePath, VisitRecord};

    fn record() -> VisitRecord {
        VisitRecord {
            seq: 0,
            person: PersonId(1),
            institution: InstitutionId(0),
            date: Date::new(2026, 4, 10).unwrap(),
            path: ChargePath::Confirmed,
            qualification: None,
            numbers: None,
            relation: None,
            name: "山田　太郎".into(),
            copay_percent: 30,
            limit_category: None,
            cap: None,
            fee: 1000,
            charged: 300,
            fetched: Vec::new(),
            confirm_later: false,
            confirmed_later: None,
            notes: Vec::new(),
        }
    }

    /// The provider record's JSON (what `no_my_number` searches) keeps the four numbers as
    /// top-level keys, null when no qualification was taken.
    #[test]
    fn visit_record_json() {
        let none = serde_json::to_string(&record()).unwrap();
        assert_eq!(
            none,
            r#"{"seq":0,"person":1,"institution":0,"date":"2026-04-10","path":"confirmed","insurer_number":null,"symbol":null,"number":null,"branch":null,"relation":null,"name":"山田　太郎","copay_percent":30,"limit_category":null,"cap":null,"fee":1000,"charged":300,"fetched":[],"confirm_later":false,"confirmed_later":null,"notes":[]}"#
        );
        let mut taken = record();
        taken.numbers = Some(InsuranceNumbers {
            insurer: InsurerNumber::parse("138016").unwrap(),
            symbol: None,
            number: "5678".into(),
            branch: Some("00".into()),
        });
        assert_eq!(
            serde_json::to_string(&taken).unwrap(),
            r#"{"seq":0,"person":1,"institution":0,"date":"2026-04-10","path":"confirmed","insurer_number":"138016","symbol":null,"number":"5678","branch":"00","relation":null,"name":"山田　太郎","copay_percent":30,"limit_category":null,"cap":null,"fee":1000,"charged":300,"fetched":[],"confirm_later":false,"confirmed_later":null,"notes":[]}"#
        );
    }
}
