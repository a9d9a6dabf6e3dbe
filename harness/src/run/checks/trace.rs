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
            Some(format!("searched {checked} answer(s) typed and as XML, {} trace message(s), {} provider record(s)", w.trace().entries().len(), w.provider().visits.len())),
        );
    }
}
