//! Card confirmation as a terminal under test sends it: the auth certificate it read from the
//! card and the card's signature over a registry challenge. The real terminal-to-registry
//! protocol is not public; this is onshi's own, kept to what the card makes possible
//! (CARD-1): the registry checks that the certificate is a J-LIS 利用者証明用 certificate,
//! that the card's key signed the challenge (so the PIN or face step really unlocked the card),
//! and then answers exactly as for the reference reader ([`super::Registry::confirm_card`]).
//!
//! The signed message is the DER DigestInfo of SHA-256 over the challenge bytes, padded with
//! PKCS#1 v1.5 by the card (COMPUTE DIGITAL SIGNATURE with the auth key, EF 0017).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::clock::Date;
use crate::ids::{InstitutionId, Serial};
use crate::jlis::{
    CertKind, Jlis, certificate_serial, sha256_digest_info, verify_chain, verify_signature,
};
use crate::rng::SeedRoot;

/// Challenges open at once; issuing one more drops one of the open ones.
pub const MAX_OPEN_CHALLENGES: usize = 4096;

/// Length of a challenge in bytes.
pub const CHALLENGE_LEN: usize = 32;

/// How the terminal verified the holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalProof {
    /// The auth PIN: the card signed a registry challenge with the auth key.
    Pin {
        /// A challenge the registry issued ([`Challenges::issue`]).
        challenge: Vec<u8>,
        /// The card's PKCS#1 v1.5 signature over DigestInfo(SHA-256(challenge)).
        signature: Vec<u8>,
    },
    /// Face authentication (or 目視) at a certified reader: no card signature; the registry
    /// trusts the reader's statement, as it does a real face-authentication reader.
    Face,
}

/// A confirmation request from a terminal under test.
#[derive(Clone, Debug)]
pub struct SignedCardConfirm {
    /// The certificate the terminal read (it should be the auth certificate, EF 000A).
    pub certificate_der: Vec<u8>,
    /// How the holder was verified.
    pub proof: TerminalProof,
    /// The asking institution.
    pub institution: InstitutionId,
    /// 資格確認日.
    pub date: Date,
    /// 限度額 consent flag.
    pub limit_consent: bool,
    /// 特定疾病 consent flag.
    pub disease_consent: bool,
}

/// Why a terminal's request was not even looked up: what the terminal did wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "rejection", rename_all = "snake_case")]
pub enum TerminalRejection {
    /// The certificate bytes are not a certificate.
    #[error("the certificate is not DER X.509: {reason}")]
    MalformedCertificate {
        /// Parser message.
        reason: String,
    },
    /// The signature certificate (署名用, EF 0001) was sent instead of the auth one.
    #[error(
        "the 署名用電子証明書 was sent; confirmation uses the 利用者証明用電子証明書 (EF 000A)"
    )]
    SignatureCertificate,
    /// Not issued by the simulated J-LIS auth CA.
    #[error("the certificate was not issued by the J-LIS auth CA: {reason}")]
    NotIssuedByJlis {
        /// Why.
        reason: String,
    },
    /// The challenge was never issued, or was already used.
    #[error("the challenge was not issued by the registry or was already used")]
    UnknownChallenge,
    /// The signature does not verify with the certificate's key.
    #[error("the signature does not verify with the certificate's key: {reason}")]
    BadSignature {
        /// Why.
        reason: String,
    },
}

/// Challenges handed out and not yet used. Values derive from the seed and a counter, so a run
/// is reproducible; each is accepted once.
#[derive(Clone, Debug)]
pub struct Challenges {
    root: SeedRoot,
    counter: u64,
    open: BTreeSet<Vec<u8>>,
    /// The open challenges in the order issued (redeemed ones are skipped when evicting).
    order: std::collections::VecDeque<Vec<u8>>,
}

impl Challenges {
    /// No challenge issued yet.
    pub fn new(root: SeedRoot) -> Self {
        Challenges {
            root,
            counter: 0,
            open: BTreeSet::new(),
            order: std::collections::VecDeque::new(),
        }
    }

    /// A fresh challenge.
    pub fn issue(&mut self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CHALLENGE_LEN);
        let mut i = 0;
        while out.len() < CHALLENGE_LEN {
            out.extend_from_slice(
                &self
                    .root
                    .draw("registry.challenge", self.counter * 4 + i)
                    .to_be_bytes(),
            );
            i += 1;
        }
        self.counter += 1;
        // Bounded: a caller that asks and never answers cannot grow the set without end (the
        // oldest open challenge goes first).
        while self.open.len() >= MAX_OPEN_CHALLENGES {
            match self.order.pop_front() {
                Some(old) => {
                    self.open.remove(&old);
                }
                None => break,
            }
        }
        // Redeemed challenges leave the queue when they reach its front, or here (an open one
        // that old goes with it: every open challenge stays in the queue).
        while self.order.len() >= MAX_OPEN_CHALLENGES * 2 {
            if let Some(old) = self.order.pop_front() {
                self.open.remove(&old);
            }
        }
        self.open.insert(out.clone());
        self.order.push_back(out.clone());
        out
    }

    /// Takes a challenge out if it is open.
    pub fn redeem(&mut self, challenge: &[u8]) -> bool {
        self.open.remove(challenge)
    }
}

/// Checks what the terminal sent and returns the auth certificate's serial. The challenge is
/// used up only when everything else holds, so a terminal's honest retry is not punished for
/// a malformed first attempt.
pub fn check_signed_request(
    jlis: &Jlis,
    challenges: &mut Challenges,
    req: &SignedCardConfirm,
) -> Result<Serial, TerminalRejection> {
    let serial = certificate_serial(&req.certificate_der).map_err(|e| {
        TerminalRejection::MalformedCertificate {
            reason: e.to_string(),
        }
    })?;
    let auth_ca = jlis.ca_certificate_der(CertKind::Auth).map_err(|e| {
        TerminalRejection::NotIssuedByJlis {
            reason: e.to_string(),
        }
    })?;
    if let Err(e) = verify_chain(&req.certificate_der, &auth_ca) {
        let sign_ca = jlis.ca_certificate_der(CertKind::Sign).ok();
        if sign_ca.is_some_and(|ca| verify_chain(&req.certificate_der, &ca).is_ok()) {
            return Err(TerminalRejection::SignatureCertificate);
        }
        return Err(TerminalRejection::NotIssuedByJlis {
            reason: e.to_string(),
        });
    }
    if let TerminalProof::Pin {
        challenge,
        signature,
    } = &req.proof
    {
        if !challenges.open.contains(challenge.as_slice()) {
            return Err(TerminalRejection::UnknownChallenge);
        }
        verify_signature(
            &req.certificate_der,
            &sha256_digest_info(challenge),
            signature,
        )
        .map_err(|e| TerminalRejection::BadSignature {
            reason: e.to_string(),
        })?;
        challenges.redeem(challenge);
    }
    Ok(serial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_challenges_are_bounded_and_the_oldest_goes_first() {
        let mut c = Challenges::new(SeedRoot::new(1, "challenges"));
        let first = c.issue();
        let second = c.issue();
        assert!(c.redeem(&second));
        for _ in 0..MAX_OPEN_CHALLENGES * 3 {
            c.issue();
        }
        assert!(c.open.len() <= MAX_OPEN_CHALLENGES);
        assert!(c.order.len() < MAX_OPEN_CHALLENGES * 2);
        assert!(!c.redeem(&first), "the oldest open challenge was dropped");
        // The newest are still open.
        let newest = c.issue();
        assert!(c.redeem(&newest));
        assert!(!c.redeem(&newest), "a challenge is redeemed once");
    }
}
