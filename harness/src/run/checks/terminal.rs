//! `terminal` expectations: what the terminal did with the card and the registry.

use super::*;
use crate::roles::terminal::binding::{CertificateSent, SignatureSent};

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
            let got = certificate_sent_name(last.and_then(|e| e.binding).map(|b| b.certificate));
            self.push(
                pe,
                step,
                "terminal.certificate",
                want.name().into(),
                got.name().into(),
                None,
            );
        }
        if let Some(want) = &t.signature {
            let got = signature_sent_name(last.and_then(|e| e.binding).and_then(|b| b.signature));
            self.push(
                pe,
                step,
                "terminal.signature",
                want.name().into(),
                got.name().into(),
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

/// How `terminal.certificate` names what the terminal sent, held against the card in the
/// reader (None: no certificate could be read from the request).
fn certificate_sent_name(c: Option<CertificateSent>) -> TerminalCertificateName {
    use CertificateSent as C;
    match c {
        None => TerminalCertificateName::None,
        Some(C::ThisCard) => TerminalCertificateName::Auth,
        Some(C::OtherCard) => TerminalCertificateName::OtherCard,
        Some(C::Signature) => TerminalCertificateName::Signature,
        Some(C::Other) => TerminalCertificateName::Other,
    }
}

/// How `terminal.signature` names the signature the terminal sent (None: none sent).
fn signature_sent_name(s: Option<SignatureSent>) -> TerminalSignatureName {
    use SignatureSent as S;
    match s {
        None => TerminalSignatureName::None,
        Some(S::ThisCard) => TerminalSignatureName::Card,
        Some(S::Other) => TerminalSignatureName::Other,
    }
}
