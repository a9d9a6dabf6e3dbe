//! `wire` expectations: the answer as a result file.

use super::*;

impl Executor<'_> {
    pub(crate) fn wire(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        x: &WireCheck,
    ) {
        let answer = match self.outputs.find(&x.of, "a confirmation", answer_of) {
            Ok(Some(a)) => a.clone(),
            Ok(None) => {
                self.fail(
                    pe,
                    step,
                    "wire",
                    "an answer".into(),
                    "no confirmation was sent".into(),
                );
                return;
            }
            Err(e) => {
                self.fail(pe, step, "wire", "an answer".into(), e);
                return;
            }
        };
        let Some(code) = w
            .institutions()
            .get(answer.institution.index())
            .map(|i| i.code)
        else {
            self.fail(
                pe,
                step,
                "wire",
                "an answer to a known institution".into(),
                "the answer names no institution of this world".into(),
            );
            return;
        };
        let enc = x.encoding;
        let msg = to_confirm_response(&answer, &w.view(), code, &ConfirmEcho::default());
        let opts = EncodeOptions {
            encoding: enc,
            ..EncodeOptions::default()
        };
        let encoded = match encode(&msg, opts) {
            Ok(e) => e,
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "wire.encode",
                    format!("a {} result file", x.encoding_name),
                    e.to_string(),
                );
                return;
            }
        };
        if let Some(want) = x.substitutions {
            self.push(
                pe,
                step,
                "wire.substitutions",
                want.to_string(),
                encoded.substitutions.len().to_string(),
                Some(format!("{:?}", encoded.substitutions)),
            );
        }
        if let Some(want) = x.round_trips {
            let again = decode_confirm_response(&encoded.bytes)
                .map_err(|e| e.to_string())
                .and_then(|m| encode(&m, opts).map_err(|e| e.to_string()));
            let got = match again {
                Ok(b) if b.bytes == encoded.bytes => "true".to_string(),
                Ok(_) => "false (re-encoding differs)".to_string(),
                Err(e) => format!("false ({e})"),
            };
            self.push(pe, step, "wire.round_trips", want.to_string(), got, None);
        }
    }
}
