//! `my_number`, `portal.account` and `no_face_data` expectations: identifiers and personal
//! data checked without printing them (CARD-6, CARD-7, JLIS-4).

use onshi_sim::ids::MyNumber;

use super::*;

/// Texts that would betray face data: the synthetic photo's markers and the base64 starts of
/// JPEG, PNG and JPEG 2000 files.
const IMAGE_MARKERS: [&str; 6] = [
    "onshi synthetic face photo",
    "onshi synthetic image",
    "face_template_id",
    "/9j/",
    "iVBORw0KGgo",
    "AAAADGpQ",
];

impl Executor<'_> {
    pub(crate) fn my_number(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        m: &MyNumberCheck,
    ) {
        let Ok(person) = person_in(w, &m.person) else {
            let why = "unknown person".into();
            return self.fail(pe, step, "my_number", m.person.key.clone(), why);
        };
        let digits = w.people()[person.index()].my_number.digits();
        let bytes: Vec<u8> = digits.bytes().map(|b| b.wrapping_sub(b'0')).collect();
        let all_digits = bytes.iter().all(|d| *d <= 9);
        let check_ok = all_digits
            && <[u8; 11]>::try_from(bytes.get(..11).unwrap_or(&[]))
                .is_ok_and(|first| bytes.get(11) == Some(&MyNumber::check_digit(&first)));
        let synthetic = digits.starts_with('9');
        let summary = format!(
            "{} digits, check digit {}, {}",
            digits.len(),
            if check_ok { "ok" } else { "wrong" },
            if synthetic {
                "synthetic (starts with 9)"
            } else {
                "not from the synthetic range"
            }
        );
        if let Some(want) = m.digits {
            let got = digits.len().to_string();
            let note = Some(summary.clone());
            self.push(pe, step, "my_number.digits", want.to_string(), got, note);
        }
        if let Some(want) = m.check_digit {
            let note = Some(summary.clone());
            let (want, got) = (ok_text(want), ok_text(check_ok));
            self.push(pe, step, "my_number.check_digit", want, got, note);
        }
        if let Some(want) = m.synthetic {
            let got = synthetic.to_string();
            self.push(
                pe,
                step,
                "my_number.synthetic",
                want.to_string(),
                got,
                Some(summary),
            );
        }
    }

    pub(crate) fn portal_account(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        p: &PortalAccountCheck,
    ) {
        let Ok(person) = person_in(w, &p.person) else {
            let why = "unknown person".into();
            return self.fail(pe, step, "portal.account", p.person.key.clone(), why);
        };
        let account = w.portal().account(person);
        if let Some(want) = p.account {
            let got = account.is_some().to_string();
            self.push(pe, step, "portal.account", want.to_string(), got, None);
        }
        if p.resident_code_from_jlis {
            let expected = format!(
                "11 digits, equal to J-LIS's 住民票コード for {}",
                p.person.key
            );
            let got = match account {
                None => "no account".to_string(),
                Some(a) => {
                    let code = &a.resident_code;
                    let digits = code.bytes().all(|b| b.is_ascii_digit());
                    let same = *code == w.jlis().resident_code(person);
                    if digits && code.len() == 11 && same {
                        expected.clone()
                    } else {
                        format!(
                            "{} {}, {} J-LIS's 住民票コード for {}",
                            code.chars().count(),
                            if digits { "digits" } else { "characters" },
                            if same { "equal to" } else { "differs from" },
                            p.person.key
                        )
                    }
                }
            };
            let note = Some("the code itself is personal data and is not printed".into());
            self.push(
                pe,
                step,
                "portal.account.resident_code",
                expected,
                got,
                note,
            );
        }
    }

    pub(crate) fn no_face_data(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        n: &PersonRef,
    ) {
        let Ok(person) = person_in(w, n) else {
            let why = "unknown person".into();
            return self.fail(pe, step, "no_face_data", n.key.clone(), why);
        };
        let mut needles: Vec<String> = IMAGE_MARKERS.iter().map(|s| s.to_string()).collect();
        for card in w.cards().iter().filter(|c| c.person == person) {
            needles.push(format!("face_template_id={}", card.photo_template));
            needles.push(card.photo_template.to_string());
        }
        let found = |text: &str| needles.iter().any(|n| text.contains(n.as_str()));
        let mut places = Vec::new();
        let view = w.view();
        let mut visits = 0;
        let mut answers = 0;
        for (i, o) in self.outputs.all.iter().enumerate() {
            if let Some(v) = visit_of(o) {
                visits += 1;
                if found(&serde_json::to_string(v).unwrap_or_default()) {
                    places.push(format!(
                        "step output {} (reader verification, answer, record)",
                        i + 1
                    ));
                }
            }
            if let Some(t) = terminal_of(o)
                && found(&serde_json::to_string(&t.log).unwrap_or_default())
            {
                places.push(format!("step output {} (APDU log)", i + 1));
            }
            let Some(Some(a)) = answer_of(o) else {
                continue;
            };
            answers += 1;
            if found(&serde_json::to_string(a).unwrap_or_default()) {
                places.push(format!("answer {answers}"));
            }
            let Some(code) = w.institutions().get(a.institution.index()).map(|x| x.code) else {
                continue;
            };
            let msg = to_confirm_response(a, &view, code, &ConfirmEcho::default());
            let face = onshi_sim::oqs::face_form(&msg, code, w.now());
            for (what, m) in [("result file", &msg), ("face file", &face)] {
                for enc in [CharacterCode::Utf8, CharacterCode::ShiftJis] {
                    let options = EncodeOptions {
                        encoding: enc,
                        ..EncodeOptions::default()
                    };
                    if let Ok(bytes) = encode(m, options)
                        && found(&String::from_utf8_lossy(&bytes.bytes))
                    {
                        places.push(format!("answer {answers} as {enc:?} {what}"));
                    }
                }
            }
        }
        if w.trace().entries().iter().any(|e| found(&e.summary)) {
            places.push("trace".into());
        }
        for (i, v) in w.provider().visits.iter().enumerate() {
            if found(&serde_json::to_string(v).unwrap_or_default()) {
                places.push(format!("provider record {}", i + 1));
            }
        }
        if found(&format!("{:?}", w.registry())) {
            places.push("the registry's state".into());
        }
        if found(&format!("{:?}", w.portal())) {
            places.push("the portal's state".into());
        }
        let got = if places.is_empty() {
            "nowhere".to_string()
        } else {
            places.join(", ")
        };
        let note = format!(
            "searched for the card photo's template id, the photo marker and image signatures in \
             {visits} visit outcome(s) (the reader's verification included), {answers} answer(s) \
             typed and as result and face files in UTF-8 and Shift_JIS, {} trace message(s), {} \
             provider record(s), and the registry's and portal's state",
            w.trace().entries().len(),
            w.provider().visits.len()
        );
        self.push(pe, step, "no_face_data", "nowhere".into(), got, Some(note));
    }
}

fn ok_text(ok: bool) -> String {
    if ok { "valid" } else { "invalid" }.to_string()
}
