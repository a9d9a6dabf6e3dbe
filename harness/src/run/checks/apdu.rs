//! `certificate`, `signature` and `surface` expectations: what a card step (`card.certificate`,
//! `card.sign`, `card.surface`) got from the card over APDUs. Certificates are parsed from the
//! bytes READ BINARY returned and verified against the CA certificate J-LIS publishes.

use onshi_sim::card::apdu::Sw;
use onshi_sim::card::apdu::client::{PinCheck, PinOutcome};
use onshi_sim::jlis::{
    CertKind, ca_common_name, inspect_certificate, verify_chain, verify_signature,
};
use onshi_sim::world::{JpkiOutcome, SurfaceOutcome};

use super::*;

fn sw_text<T>(r: &Result<T, Sw>) -> String {
    match r {
        Ok(_) => Sw::OK.to_string(),
        Err(sw) => sw.to_string(),
    }
}

/// The scenario's name for what a VERIFY answered (`not_sent` when there was none).
fn pin_name(c: Option<&PinCheck>) -> String {
    match c.map(|c| c.outcome) {
        None => "not_sent".into(),
        Some(PinOutcome::Accepted) => "accepted".into(),
        Some(PinOutcome::Wrong { .. }) => "wrong".into(),
        Some(PinOutcome::Blocked) => "blocked".into(),
        Some(PinOutcome::Refused { sw }) => format!("refused ({sw})"),
    }
}

/// Tries left after a VERIFY: what the status query reported, 0 when blocked.
fn tries_left(c: Option<&PinCheck>) -> String {
    match c {
        None => "no PIN sent".into(),
        Some(c) => match (c.tries_left, c.outcome) {
            (Some(n), _) => n.to_string(),
            (None, PinOutcome::Blocked) => "0".into(),
            (None, _) => "unknown (the status query answered no count)".into(),
        },
    }
}

/// `19800510` → `1980-05-10` (anything else as it is).
fn iso_date(compact: &str) -> String {
    match (compact.len(), compact.bytes().all(|b| b.is_ascii_digit())) {
        (8, true) => format!("{}-{}-{}", &compact[..4], &compact[4..6], &compact[6..]),
        _ => compact.to_string(),
    }
}

/// The scenario's word for a 性別 code.
fn sex_name(code: &str) -> String {
    match code {
        "1" => "male".into(),
        "2" => "female".into(),
        "9" => "not_applicable".into(),
        other => format!("code `{other}`"),
    }
}

fn kind_text(k: CertKind) -> &'static str {
    match k {
        CertKind::Auth => "利用者証明用",
        CertKind::Sign => "署名用",
    }
}

impl Executor<'_> {
    fn jpki_output(&self, of: &Option<StepRef>) -> Result<JpkiOutcome, String> {
        let pick = |o: &Output| match o {
            Output::Jpki(j) => Some((**j).clone()),
            _ => None,
        };
        self.outputs
            .find(of, "what a card.certificate or card.sign step reads", pick)
    }

    pub(crate) fn certificate(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        c: &CertificateCheck,
    ) {
        let o = match self.jpki_output(&c.of) {
            Ok(o) => o,
            Err(e) => return self.fail(pe, step, "certificate", "a card step".into(), e),
        };
        if let Some(want) = c.read {
            let got = o.certificate.is_ok();
            let note = format!("READ BINARY {}電子証明書", kind_text(o.kind));
            self.push(
                pe,
                step,
                "certificate.read",
                want.to_string(),
                got.to_string(),
                Some(note),
            );
        }
        if let Some(want) = &c.status {
            let got = sw_text(&o.certificate);
            self.push(pe, step, "certificate.status", want.clone(), got, None);
        }
        let wants_content = c.version.is_some()
            || c.key_bits.is_some()
            || c.signature_algorithm.is_some()
            || c.subject.is_some()
            || c.serial.is_some()
            || c.chains_to.is_some();
        if !wants_content {
            return;
        }
        let der = match &o.certificate {
            Ok(der) => der.0.clone(),
            Err(sw) => {
                let why = format!("the card refused the certificate: {sw}");
                return self.fail(pe, step, "certificate", "its DER".into(), why);
            }
        };
        let facts = match inspect_certificate(&der) {
            Ok(f) => f,
            Err(e) => {
                let why = format!("not a certificate: {e}");
                return self.fail(pe, step, "certificate", "an X.509 DER".into(), why);
            }
        };
        let holder = w.cards().get(o.card.index()).map(|k| k.person);
        let serial_text = facts
            .serial
            .map(|s| s.to_string())
            .unwrap_or_else(|| "a serial over 64 bits".into());
        if let Some(want) = c.version {
            let got = facts.version.to_string();
            self.push(pe, step, "certificate.version", want.to_string(), got, None);
        }
        if let Some(want) = c.key_bits {
            let got = facts
                .key_bits
                .map(|b| b.to_string())
                .unwrap_or_else(|| "not an RSA key".into());
            self.push(
                pe,
                step,
                "certificate.key_bits",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = &c.signature_algorithm {
            let got = facts.signature_algorithm.clone();
            self.push(
                pe,
                step,
                "certificate.signature_algorithm",
                want.clone(),
                got,
                None,
            );
        }
        if let Some(want) = &c.subject {
            let person = holder.and_then(|p| w.people().get(p.index()));
            let no_name = facts.street.is_none()
                && facts.birth.is_none()
                && facts.gender.is_none()
                && facts.serial.map(|s| s.hex()) == facts.common_name;
            let basic_four = person.is_some_and(|p| {
                facts.common_name.as_deref() == Some(p.name.as_str())
                    && facts.street.as_deref() == Some(p.address.as_str())
                    && facts.birth == Some(p.birth)
                    && facts.gender.as_deref() == p.sex.rfc3739_gender()
            });
            let got = if no_name {
                "none".to_string()
            } else if basic_four {
                "basic_four".to_string()
            } else {
                format!(
                    "name `{}`, street `{}`, born {}, gender {}",
                    facts.common_name.as_deref().unwrap_or("-"),
                    facts.street.as_deref().unwrap_or("-"),
                    facts.birth.map(|d| d.to_string()).unwrap_or("-".into()),
                    facts.gender.as_deref().unwrap_or("-"),
                )
            };
            let note = person.filter(|_| got != *want).map(|p| {
                format!(
                    "holder now: `{}`, `{}`, born {}; commonName `{}`",
                    p.name,
                    p.address,
                    p.birth,
                    facts.common_name.as_deref().unwrap_or("-")
                )
            });
            self.push(pe, step, "certificate.subject", want.clone(), got, note);
        }
        if let Some(want) = &c.serial {
            let got = match (want.as_str(), facts.serial, holder) {
                (_, None, _) | (_, _, None) => format!("serial {serial_text} of no holder"),
                ("current", Some(s), Some(p)) => {
                    let current = w
                        .jlis()
                        .current(p, o.kind)
                        .and_then(|id| w.jlis().record(id).ok())
                        .map(|r| r.serial());
                    if current == Some(s) {
                        "current".to_string()
                    } else {
                        let c = current.map(|c| c.to_string()).unwrap_or("none".into());
                        format!("serial {s}, J-LIS's current is {c}")
                    }
                }
                (_, Some(s), Some(p)) => match w.registry().link(s).filter(|l| l.person == p) {
                    Some(_) => "linked".to_string(),
                    None => format!("serial {s}, not linked to this person at the registry"),
                },
            };
            let note = Some(format!("serial {serial_text}"));
            self.push(pe, step, "certificate.serial", want.clone(), got, note);
        }
        if let Some(kind) = c.chains_to {
            let ca = ca_common_name(kind);
            let expected = format!("verifies against `{ca}`, the CA certificate on the card");
            let published = w.jlis().ca_certificate_der(kind);
            let got = match (&published, &o.ca_certificate) {
                (Err(e), _) => format!("J-LIS publishes no CA certificate: {e}"),
                (_, Err(sw)) => format!("the card refused its CA certificate: {sw}"),
                (Ok(published), Ok(on_card)) => match verify_chain(&der, published) {
                    Err(e) => format!("does not verify against `{ca}`: {e}"),
                    Ok(()) if on_card.0[..] != published[..] => format!(
                        "verifies against `{ca}`, but the card's CA certificate is another one"
                    ),
                    Ok(()) => expected.clone(),
                },
            };
            let note = Some(format!("issuer `{}`", facts.issuer));
            self.push(pe, step, "certificate.chains_to", expected, got, note);
        }
    }

    pub(crate) fn signature(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        s: &SignatureCheck,
    ) {
        let o = match self.jpki_output(&s.of) {
            Ok(o) => o,
            Err(e) => return self.fail(pe, step, "signature", "a card.sign step".into(), e),
        };
        let Some(signature) = &o.signature else {
            let why = "the step did not ask the card to sign (card.certificate)".into();
            return self.fail(pe, step, "signature", "a card.sign step".into(), why);
        };
        if let Some(want) = &s.pin {
            let got = pin_name(o.pin.as_ref());
            self.push(pe, step, "signature.pin", want.clone(), got, None);
        }
        if let Some(want) = s.tries_left {
            let got = tries_left(o.pin.as_ref());
            self.push(
                pe,
                step,
                "signature.tries_left",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = s.signed {
            let got = signature.is_ok().to_string();
            self.push(pe, step, "signature.signed", want.to_string(), got, None);
        }
        if let Some(want) = &s.status {
            let got = sw_text(signature);
            let note = Some(format!(
                "COMPUTE DIGITAL SIGNATURE, {} key",
                kind_text(o.kind)
            ));
            self.push(pe, step, "signature.status", want.clone(), got, note);
        }
        if let Some(want) = s.verifies {
            let (got, note) = match (signature, &o.certificate) {
                (Err(sw), _) => (false, format!("no signature: {sw}")),
                (_, Err(sw)) => (false, format!("no certificate to verify with: {sw}")),
                (Ok(sig), Ok(der)) => {
                    match verify_signature(&der.0, &sig.digest_info.0, &sig.signature.0) {
                        Ok(()) => (true, "PKCS#1 v1.5 with the certificate's key".into()),
                        Err(e) => (false, e.to_string()),
                    }
                }
            };
            self.push(
                pe,
                step,
                "signature.verifies",
                want.to_string(),
                got.to_string(),
                Some(note),
            );
        }
    }

    pub(crate) fn surface(&mut self, pe: &PlannedExpect, step: Option<usize>, s: &SurfaceCheck) {
        let pick = |o: &Output| match o {
            Output::Surface(x) => Some((**x).clone()),
            _ => None,
        };
        let o: SurfaceOutcome =
            match self
                .outputs
                .find(&s.of, "what a card.surface step reads", pick)
            {
                Ok(o) => o,
                Err(e) => return self.fail(pe, step, "surface", "a card.surface step".into(), e),
            };
        let pin = match o.pin_kind {
            onshi_sim::world::SurfacePin::A => "照合番号A",
            onshi_sim::world::SurfacePin::B => "照合番号B",
        };
        if let Some(want) = &s.pin {
            let got = pin_name(Some(&o.pin));
            let note = Some(format!(
                "VERIFY {pin}{}",
                if o.wrong { " (a wrong one)" } else { "" }
            ));
            self.push(pe, step, "surface.pin", want.clone(), got, note);
        }
        if let Some(want) = s.tries_left {
            let got = tries_left(Some(&o.pin));
            let note = Some(format!("{pin} tries left"));
            self.push(pe, step, "surface.tries_left", want.to_string(), got, note);
        }
        if let Some(want) = s.read {
            let got = o.read.is_ok().to_string();
            self.push(pe, step, "surface.read", want.to_string(), got, None);
        }
        if let Some(want) = &s.status {
            let got = sw_text(&o.read);
            let note = Some("READ BINARY EF 0002".into());
            self.push(pe, step, "surface.status", want.clone(), got, note);
        }
        let data = o.read.as_ref().ok();
        let refused = || format!("not read: {}", sw_text(&o.read));
        if let Some(want) = &s.items {
            let names = |l: &[onshi_sim::card::apdu::client::SurfaceItem]| {
                l.iter()
                    .map(|i| name_of(i, ""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let got = data.map(|d| names(&d.items)).unwrap_or_else(refused);
            self.push(pe, step, "surface.items", names(want), got, None);
        }
        let fields = [
            (
                "surface.born",
                &s.born,
                data.and_then(|d| d.birth.as_deref().map(iso_date)),
            ),
            (
                "surface.expires",
                &s.expires,
                data.and_then(|d| d.expiry.as_deref().map(iso_date)),
            ),
            (
                "surface.sex",
                &s.sex,
                data.and_then(|d| d.sex.as_deref().map(sex_name)),
            ),
        ];
        for (name, want, got) in fields {
            if let Some(want) = want {
                let got = match (data, got) {
                    (None, _) => refused(),
                    (Some(_), None) => "absent".into(),
                    (Some(_), Some(v)) => v,
                };
                self.push(pe, step, name, want.clone(), got, None);
            }
        }
    }
}
