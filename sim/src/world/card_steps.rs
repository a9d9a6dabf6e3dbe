//! Scenario steps that use a card of the world over APDUs, as a PC/SC application would: the
//! JPKI AP (read a certificate and its CA certificate, VERIFY a PIN, COMPUTE DIGITAL
//! SIGNATURE) and the 券面事項確認AP (VERIFY 照合番号A or B, READ BINARY of the surface
//! entries). Each runs one fresh [`CardSession`] (one power-on) against the holder's current
//! card, so PIN counters change exactly as they would through a real reader.
//!
//! Privacy: the PIN values go to the card and nowhere else. 照合番号A is the holder's My Number,
//! which the world supplies itself (a scenario never writes it); outcomes and trace entries
//! name the PIN and its result, never its value, and keep no surface image.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::card::apdu::client::{self, PinCheck, SurfaceData};
use crate::card::apdu::{Application, CardSession, PinRef, Sw};
use crate::ids::{CardId, PersonId};
use crate::jlis::{CertKind, sha256_digest_info};
use crate::trace::Actor;

use super::{World, WorldError};

/// Bytes a step read from the card (a certificate's DER). Serialized as its length only.
#[derive(Clone, PartialEq, Eq)]
pub struct CardBytes(pub Vec<u8>);

impl fmt::Debug for CardBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardBytes({} bytes)", self.0.len())
    }
}

impl Serialize for CardBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0.len() as u64)
    }
}

/// A JPKI AP step: read one certificate (and its CA certificate), with a PIN first if given,
/// and optionally sign with that certificate's key.
#[derive(Clone, Debug)]
pub struct JpkiRequest {
    /// The holder (their current card is used).
    pub person: PersonId,
    /// Which certificate and key.
    pub kind: CertKind,
    /// The PIN to VERIFY before anything else (auth: 4 digits; signature: 6–16 characters).
    pub pin: Option<String>,
    /// Sign the SHA-256 DigestInfo of this text with the key.
    pub sign: Option<String>,
}

/// A signature the card returned and the DigestInfo it was asked to sign.
#[derive(Clone, Debug, Serialize)]
pub struct CardSignature {
    /// The DigestInfo sent.
    pub digest_info: CardBytes,
    /// The raw signature.
    pub signature: CardBytes,
}

/// What a JPKI AP step saw.
#[derive(Clone, Debug, Serialize)]
pub struct JpkiOutcome {
    /// The card used.
    pub card: CardId,
    /// Which certificate and key.
    pub kind: CertKind,
    /// The VERIFY, when a PIN was given.
    pub pin: Option<PinCheck>,
    /// The signature, or the status word that refused it, when one was asked for.
    pub signature: Option<Result<CardSignature, Sw>>,
    /// The certificate read (EF 000A or 0001), or the status word that refused it.
    pub certificate: Result<CardBytes, Sw>,
    /// The CA certificate read (EF 000B or 0002), or the status word that refused it.
    pub ca_certificate: Result<CardBytes, Sw>,
}

/// Which PIN of the 券面事項確認AP a surface read sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurfacePin {
    /// 照合番号A: the 12-digit My Number.
    A,
    /// 照合番号B: birth date YYMMDD + card expiry YYYY + 4-digit security code.
    B,
}

/// A 券面事項確認AP step.
#[derive(Clone, Debug)]
pub struct SurfaceRequest {
    /// The holder (their current card is used).
    pub person: PersonId,
    /// Which PIN.
    pub pin: SurfacePin,
    /// Send a wrong value of that PIN (its last digit changed) instead of the right one.
    pub wrong: bool,
}

/// What a 券面事項確認AP step saw.
#[derive(Clone, Debug, Serialize)]
pub struct SurfaceOutcome {
    /// The card used.
    pub card: CardId,
    /// Which PIN was sent.
    pub pin_kind: SurfacePin,
    /// Whether the value sent was the wrong one on purpose.
    pub wrong: bool,
    /// The VERIFY.
    pub pin: PinCheck,
    /// The surface entries read (EF 0002), or the status word that refused them.
    pub read: Result<SurfaceData, Sw>,
}

/// A PIN's name as the trace writes it (`利用者証明用PIN`, …); never its value.
pub fn pin_name(pin: PinRef) -> &'static str {
    match pin {
        PinRef::Auth => "利用者証明用PIN",
        PinRef::Sign => "署名用PIN",
        PinRef::SurfaceNumber => "照合番号A",
        PinRef::SurfaceBirth => "照合番号B",
        PinRef::InputSupport => "券面事項入力補助用PIN",
    }
}

fn kind_name(kind: CertKind) -> &'static str {
    match kind {
        CertKind::Auth => "利用者証明用",
        CertKind::Sign => "署名用",
    }
}

fn check_text(c: &PinCheck) -> String {
    match c.outcome {
        client::PinOutcome::Accepted => "accepted".into(),
        client::PinOutcome::Wrong { tries_left } => format!("wrong, {tries_left} tries left"),
        client::PinOutcome::Blocked => "blocked (69 83)".into(),
        client::PinOutcome::Refused { sw } => format!("refused ({sw})"),
    }
}

/// The last digit of `text` changed (a wrong PIN of the same shape).
fn altered(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match last.to_digit(10) {
            Some(d) => char::from_digit((d + 1) % 10, 10).unwrap_or('0'),
            None => '0',
        };
    }
    chars.into_iter().collect()
}

impl World {
    /// Runs a JPKI AP step (see the module documentation).
    pub(super) fn jpki(&mut self, req: JpkiRequest) -> Result<JpkiOutcome, WorldError> {
        let card = self.current_card(req.person)?.id;
        let now = self.clock.now();
        let (pin_ref, cert_ef, ca_ef, key_ef) = match req.kind {
            CertKind::Auth => (PinRef::Auth, 0x000A, 0x000B, 0x0017),
            CertKind::Sign => (PinRef::Sign, 0x0001, 0x0002, 0x001A),
        };
        let mut session = CardSession::new();
        let mut tx = |w: &mut World, apdu: &[u8]| session.transmit(w, card, apdu);
        let sw = client::select_application(&mut |a| tx(self, a), Application::Jpki);
        if !sw.is_ok() {
            return Err(WorldError::Invalid(format!(
                "the card does not select the JPKI AP: {sw}"
            )));
        }
        let pin = req
            .pin
            .as_ref()
            .map(|p| client::verify_pin(&mut |a| tx(self, a), pin_ref.ef(), p.as_bytes()));
        let signature = req.sign.as_ref().map(|text| {
            let digest_info = sha256_digest_info(text.as_bytes());
            client::compute_signature(&mut |a| tx(self, a), key_ef, &digest_info).map(|signature| {
                CardSignature {
                    digest_info: CardBytes(digest_info),
                    signature: CardBytes(signature),
                }
            })
        });
        let certificate = client::read_file(&mut |a| tx(self, a), cert_ef).map(CardBytes);
        let ca_certificate = client::read_file(&mut |a| tx(self, a), ca_ef).map(CardBytes);
        let kind = kind_name(req.kind);
        if let Some(c) = &pin {
            let text = format!("VERIFY {}: {}", pin_name(pin_ref), check_text(c));
            self.trace.push(
                now,
                Actor::Reader,
                Actor::Card,
                "card.verify",
                Some(req.person),
                || text,
            );
        }
        if let Some(s) = &signature {
            let text = match s {
                Ok(s) => format!(
                    "COMPUTE DIGITAL SIGNATURE, {kind} key: 90 00 ({} bytes)",
                    s.signature.0.len()
                ),
                Err(sw) => format!("COMPUTE DIGITAL SIGNATURE, {kind} key: {sw}"),
            };
            self.trace.push(
                now,
                Actor::Reader,
                Actor::Card,
                "card.compute_signature",
                Some(req.person),
                || text,
            );
        }
        let text = match &certificate {
            Ok(der) => format!("READ BINARY {kind}電子証明書: {} bytes", der.0.len()),
            Err(sw) => format!("READ BINARY {kind}電子証明書: {sw}"),
        };
        self.trace.push(
            now,
            Actor::Reader,
            Actor::Card,
            "card.read_certificate",
            Some(req.person),
            || text,
        );
        Ok(JpkiOutcome {
            card,
            kind: req.kind,
            pin,
            signature,
            certificate,
            ca_certificate,
        })
    }

    /// Runs a 券面事項確認AP step (see the module documentation).
    pub(super) fn surface(&mut self, req: SurfaceRequest) -> Result<SurfaceOutcome, WorldError> {
        let card = self.current_card(req.person)?;
        let person = &self.people[req.person.index()];
        let (pin_ref, value) = match req.pin {
            SurfacePin::A => (PinRef::SurfaceNumber, person.my_number.digits()),
            SurfacePin::B => {
                let b = person.birth;
                let value = format!(
                    "{:02}{:02}{:02}{:04}{}",
                    b.year().rem_euclid(100),
                    b.month(),
                    b.day(),
                    card.expires.year(),
                    card.pins.security_code
                );
                (PinRef::SurfaceBirth, value)
            }
        };
        let value = if req.wrong { altered(&value) } else { value };
        let card = card.id;
        let now = self.clock.now();
        let mut session = CardSession::new();
        let mut tx = |w: &mut World, apdu: &[u8]| session.transmit(w, card, apdu);
        let sw = client::select_application(&mut |a| tx(self, a), Application::Surface);
        if !sw.is_ok() {
            return Err(WorldError::Invalid(format!(
                "the card does not select the 券面事項確認AP: {sw}"
            )));
        }
        let pin = client::verify_pin(&mut |a| tx(self, a), pin_ref.ef(), value.as_bytes());
        let read = client::read_file(&mut |a| tx(self, a), 0x0002)
            .and_then(|bytes| client::parse_surface(&bytes).ok_or(Sw::WRONG_DATA));
        let verify = format!("VERIFY {}: {}", pin_name(pin_ref), check_text(&pin));
        self.trace.push(
            now,
            Actor::Reader,
            Actor::Card,
            "card.verify",
            Some(req.person),
            || verify,
        );
        let text = match &read {
            Ok(d) => format!(
                "READ BINARY 券面事項 EF 0002: {} entries, {} bytes",
                d.items.len(),
                d.bytes
            ),
            Err(sw) => format!("READ BINARY 券面事項 EF 0002: {sw}"),
        };
        self.trace.push(
            now,
            Actor::Reader,
            Actor::Card,
            "card.read_surface",
            Some(req.person),
            || text,
        );
        Ok(SurfaceOutcome {
            card,
            pin_kind: req.pin,
            wrong: req.wrong,
            pin,
            read,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::altered;

    #[test]
    fn a_wrong_pin_differs_in_its_last_digit_only() {
        assert_eq!(altered("1234"), "1235");
        assert_eq!(altered("8005102034999"), "8005102034990");
        assert_eq!(altered("KAZUO"), "KAZU0");
    }
}
