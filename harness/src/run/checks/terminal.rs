//! `terminal` expectations: what the terminal did with the card and the registry.

use super::*;

impl Executor<'_> {
    pub(crate) fn terminal(&mut self, pe: &PlannedExpect, step: Option<usize>, t: &TerminalCheck) {
        let out = match self.outputs.find(&t.of, "a terminal visit", terminal_of) {
            Ok(o) => o.clone(),
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "terminal",
                    "a visit through the terminal role (scenario `terminal: true`)".into(),
                    e,
                );
                return;
            }
        };
        let last = out.exchanges.last();
        let note = out.stopped.clone();
        if let Some(want) = t.confirmed {
            let got = out.exchanges.iter().any(|e| e.answer.is_some());
            self.push(
                pe,
                step,
                "terminal.confirmed",
                want.to_string(),
                got.to_string(),
                note.clone(),
            );
        }
        if let Some(want) = &t.certificate {
            let got = match last {
                None => TerminalCertificateName::None,
                Some(e) => match &e.rejection {
                    Some(TerminalRejection::SignatureCertificate) => {
                        TerminalCertificateName::Signature
                    }
                    Some(TerminalRejection::MalformedCertificate { .. })
                    | Some(TerminalRejection::NotIssuedByJlis { .. }) => {
                        TerminalCertificateName::Other
                    }
                    _ if e.serial.is_some() => TerminalCertificateName::Auth,
                    _ => TerminalCertificateName::None,
                },
            }
            .name()
            .to_string();
            self.push(
                pe,
                step,
                "terminal.certificate",
                want.name().into(),
                got,
                None,
            );
        }
        if let Some(want) = &t.method {
            let got = last
                .and_then(|e| e.method.clone())
                .unwrap_or_else(|| "none".into());
            self.push(pe, step, "terminal.method", want.name().into(), got, None);
        }
        if let Some(want) = t.signed_with_auth_key {
            let got = out
                .log
                .signatures()
                .any(|(k, _)| k == onshi_sim::jlis::CertKind::Auth);
            self.push(
                pe,
                step,
                "terminal.signed_with_auth_key",
                want.to_string(),
                got.to_string(),
                None,
            );
        }
        if let Some(want) = t.pin_tries {
            self.push(
                pe,
                step,
                "terminal.pin_tries",
                want.to_string(),
                out.log.pin_tries(PinRef::Auth).to_string(),
                None,
            );
        }
        if let Some(want) = &t.rejection {
            let got = rejection_name(last.and_then(|e| e.rejection.as_ref()))
                .name()
                .to_string();
            self.push(
                pe,
                step,
                "terminal.rejection",
                want.name().into(),
                got,
                None,
            );
        }
    }
}
