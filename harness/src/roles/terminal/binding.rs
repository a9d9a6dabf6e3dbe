//! What the terminal sent, held against the card that was in the reader for the visit.
//!
//! The registry checks a request on its own terms (the certificate chains to J-LIS, the
//! signature verifies with the certificate's key, the challenge is open). That is not enough to
//! say the terminal used *this* card: a terminal that keeps the previous card's certificate, or
//! one carried over from another scenario or run, sends a genuine J-LIS certificate. So the
//! harness also compares the certificate with the DER of the card in the reader (byte for
//! byte) and verifies the signature with that card's auth key over a challenge issued while
//! the card was on the reader (the desk remembers them), so a signature replayed from another
//! visit, scenario or run is not this card's whatever keys the worlds share
//! (`onshi_sim::jlis::KeyDeal` deals a small pool).

use onshi_sim::World;
use onshi_sim::ids::CardId;
use onshi_sim::jlis::{CertKind, certificate_serial, sha256_digest_info, verify_chain};
use onshi_sim::registry::terminal::{SignedCardConfirm, TerminalProof};
use serde::Serialize;

/// Which certificate the terminal sent, compared with the card in the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateSent {
    /// This card's 利用者証明用電子証明書 (EF 000A), byte for byte.
    ThisCard,
    /// The 利用者証明用電子証明書 of another card of the same world (another person's, or an
    /// earlier card of the same person).
    OtherCard,
    /// A 署名用電子証明書 (EF 0001), which confirmation does not use.
    Signature,
    /// Anything else: not a certificate, or not one of this world's J-LIS (another scenario's
    /// or run's world, another CA).
    Other,
}

/// Whether the signature the terminal sent is this card's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureSent {
    /// It verifies over DigestInfo(SHA-256(challenge)) with this card's auth key.
    ThisCard,
    /// It does not (another card's key, another challenge, not a signature).
    Other,
}

/// The certificate and signature of one request, held against the card in the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// Whose certificate it is.
    pub certificate: CertificateSent,
    /// Whose signature it is; None when none was sent (face).
    pub signature: Option<SignatureSent>,
}

/// Holds `req` against `card` of `world` (the card in the reader). Never fails: what cannot be
/// read is `Other`.
pub fn bind(world: &World, card: CardId, req: &SignedCardConfirm, issued: &[Vec<u8>]) -> Binding {
    let jlis = world.jlis();
    let own = world
        .cards()
        .get(card.index())
        .and_then(|c| jlis.certificate_der(c.auth_cert).ok());
    let sent = req.certificate_der.as_slice();
    let certificate = if own.as_deref() == Some(sent) {
        CertificateSent::ThisCard
    } else {
        // Another of this world's certificates, byte for byte?
        let ours = certificate_serial(sent)
            .ok()
            .and_then(|s| jlis.lookup(s))
            .and_then(|id| {
                let der = jlis.certificate_der(id).ok()?;
                if &*der != sent {
                    return None;
                }
                jlis.record(id).ok().map(|r| r.kind())
            });
        match ours {
            Some(CertKind::Auth) => CertificateSent::OtherCard,
            Some(CertKind::Sign) => CertificateSent::Signature,
            None if jlis
                .ca_certificate_der(CertKind::Sign)
                .is_ok_and(|ca| verify_chain(sent, &ca).is_ok()) =>
            {
                CertificateSent::Signature
            }
            None => CertificateSent::Other,
        }
    };
    let signature = match &req.proof {
        TerminalProof::Face => None,
        TerminalProof::Pin {
            challenge,
            signature,
        } => Some(
            // Over a challenge issued while this card was on the reader, with this card's key:
            // a signature replayed from another visit, scenario or run (whatever keys the
            // worlds happen to share) is not this card's answer now.
            match own.map(|der| {
                onshi_sim::jlis::verify_signature(&der, &sha256_digest_info(challenge), signature)
            }) {
                Some(Ok(())) if issued.iter().any(|c| c == challenge) => SignatureSent::ThisCard,
                _ => SignatureSent::Other,
            },
        ),
    };
    Binding {
        certificate,
        signature,
    }
}
