//! The built-in terminal: what a careful 資格確認端末 does, APDU by APDU, with the card in the
//! reader and the registry's terminal protocol. It plays the terminal role when no terminal
//! under test is bound, so the terminal scenarios run (and pass) against the reference too.
//!
//! It reads the auth certificate (EF 000A) with a short header read first, then takes the
//! patient's tries in order (the same ones `GET /onshi/terminal/patient` hands out): a look at
//! the camera counts when it is live and reaches the rules' `face_match_threshold`, and after
//! `face_retries_before_pin` + 1 failed looks further looks are ignored; a PIN is sent with
//! VERIFY, stopping at a block. After the PIN it signs the registry's challenge with the auth
//! key. It sends the patient's consent answers, never selects the 券面事項入力補助AP, and gives
//! up on the visit (`terminal.give_up`) when it cannot go on.
//!
//! [`Planted`] (hidden, tests only) is the same terminal with a deliberate bug that keeps state
//! from one card to the next, so tests show the checks bound to the card catch it.

use std::sync::Mutex;

use onshi_sim::card::apdu::{Application, Sw};
use onshi_sim::ids::InstitutionId;
use onshi_sim::registry::terminal::{SignedCardConfirm, TerminalProof};

use super::SharedWorld;
use super::desk::{Desk, PatientTry};
use crate::pcsc::VirtualIcc;
fn sw(response: &[u8]) -> Sw {
    Sw::of_response(response).unwrap_or(Sw(0))
}

fn data(response: &[u8]) -> &[u8] {
    response
        .get(..response.len().saturating_sub(2))
        .unwrap_or_default()
}

fn select_ef(card: &mut dyn VirtualIcc, ef: u16) -> Sw {
    let [hi, lo] = ef.to_be_bytes();
    sw(&card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]))
}

/// Reads the current EF as one DER object: a 4-byte header read for the length, then the rest
/// in chunks of at most 256 bytes.
fn read_der(card: &mut dyn VirtualIcc) -> Result<Vec<u8>, String> {
    let head = card.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x04]);
    if sw(&head) != Sw::OK || data(&head).len() < 2 {
        return Err(format!("READ BINARY of the header answered {}", sw(&head)));
    }
    let h = data(&head);
    let total = match h[1] {
        n if n < 0x80 => 2 + usize::from(n),
        0x81 if h.len() >= 3 => 3 + usize::from(h[2]),
        0x82 if h.len() >= 4 => 4 + (usize::from(h[2]) << 8 | usize::from(h[3])),
        _ => return Err("the certificate's DER length is not one this card uses".into()),
    };
    let mut out = Vec::with_capacity(total);
    while out.len() < total {
        let chunk = (total - out.len()).min(256);
        let [p1, p2] = (out.len() as u16).to_be_bytes();
        let le = if chunk == 256 { 0 } else { chunk as u8 };
        let r = card.transmit(&[0x00, 0xB0, p1, p2, le]);
        if sw(&r) != Sw::OK || data(&r).is_empty() {
            return Err(format!("READ BINARY at {} answered {}", out.len(), sw(&r)));
        }
        out.extend_from_slice(data(&r));
    }
    out.truncate(total);
    Ok(out)
}

/// A deliberate bug of the built-in terminal (tests only): each keeps something from the
/// previous card it served, in this scenario or an earlier one of the run.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedFault {
    /// Sends the certificate it read from the previous card instead of this card's.
    ReusesCertificate,
    /// Sends the previous PIN visit's challenge and signature again.
    ReusesSignature,
}

/// The built-in terminal with a [`PlantedFault`] and what it remembers between cards.
#[doc(hidden)]
#[derive(Debug)]
pub struct Planted {
    /// The bug.
    pub fault: PlantedFault,
    memory: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    certificate: Option<Vec<u8>>,
    signed: Option<(Vec<u8>, Vec<u8>)>,
}

impl Planted {
    /// A terminal with `fault` that has served no card yet.
    pub fn new(fault: PlantedFault) -> Self {
        Planted {
            fault,
            memory: Mutex::new(Memory::default()),
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The certificate to send: the previous card's for `ReusesCertificate`.
    fn certificate(&self, read: Vec<u8>) -> Vec<u8> {
        let mut m = self.memory();
        let previous = m.certificate.replace(read.clone());
        match (self.fault, previous) {
            (PlantedFault::ReusesCertificate, Some(old)) => old,
            _ => read,
        }
    }

    /// The proof to send: the previous PIN visit's for `ReusesSignature`.
    fn proof(&self, proof: TerminalProof) -> TerminalProof {
        let TerminalProof::Pin {
            challenge,
            signature,
        } = proof
        else {
            return proof;
        };
        let mut m = self.memory();
        let previous = m.signed.replace((challenge.clone(), signature.clone()));
        match (self.fault, previous) {
            (PlantedFault::ReusesSignature, Some((challenge, signature))) => TerminalProof::Pin {
                challenge,
                signature,
            },
            _ => TerminalProof::Pin {
                challenge,
                signature,
            },
        }
    }
}

/// One visit at the built-in terminal (with a planted fault when `planted` is given): reads
/// the card, verifies the holder, asks the registry and records the exchange on `desk`. An
/// error is what stopped it (no card answer, a blocked PIN, no try that verifies the holder);
/// the terminal then gives up on the visit on `desk` and the visit has no answer.
pub fn visit(
    card: &mut dyn VirtualIcc,
    world: &SharedWorld,
    desk: &Desk,
    institution: InstitutionId,
    planted: Option<&Planted>,
) -> Result<(), String> {
    let result = attempt(card, world, desk, institution, planted);
    card.power_off();
    if let Err(reason) = &result {
        // No card on the desk's reader: nothing to give up.
        let _ = desk.give_up(&mut world.lock(), reason);
    }
    result
}

fn attempt(
    card: &mut dyn VirtualIcc,
    world: &SharedWorld,
    desk: &Desk,
    institution: InstitutionId,
    planted: Option<&Planted>,
) -> Result<(), String> {
    let patient = desk.visit().ok_or("no card is on the reader")?;
    let (threshold, face_looks) = {
        let w = world.lock();
        let s = w.rules().switches();
        (
            s.face_match_threshold,
            s.face_retries_before_pin.saturating_add(1),
        )
    };
    card.power_on();
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(Application::Jpki.aid());
    let r = sw(&card.transmit(&select));
    if r != Sw::OK {
        return Err(format!("SELECT of the JPKI AP answered {r}"));
    }
    if select_ef(card, 0x000A) != Sw::OK {
        return Err("the auth certificate EF 000A is missing".into());
    }
    let mut certificate_der = read_der(card)?;
    if let Some(p) = planted {
        certificate_der = p.certificate(certificate_der);
    }
    let mut looks = 0u32;
    let proof = loop {
        match desk.next_try() {
            None => {
                return Err(
                    "the holder could not be verified: no more tries (no live face \
                            at the threshold, no PIN accepted)"
                        .into(),
                );
            }
            // After the allowed looks the reader offers only the PIN.
            Some(PatientTry::Face { .. }) if looks >= face_looks => {}
            Some(PatientTry::Face { similarity, live }) => {
                looks += 1;
                if live && similarity.is_finite() && similarity >= threshold {
                    break TerminalProof::Face;
                }
            }
            Some(PatientTry::Pin(pin)) => {
                if select_ef(card, 0x0018) != Sw::OK {
                    return Err("the auth PIN EF 0018 is missing".into());
                }
                let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
                apdu.extend_from_slice(pin.as_bytes());
                match sw(&card.transmit(&apdu)) {
                    Sw::OK => break sign_challenge(card, world, desk)?,
                    Sw::PIN_BLOCKED => return Err("the auth PIN is blocked".into()),
                    _ => {}
                }
            }
        }
    };
    let proof = match planted {
        Some(p) => p.proof(proof),
        None => proof,
    };
    let mut w = world.lock();
    let req = SignedCardConfirm {
        certificate_der,
        proof,
        institution,
        date: w.clock().today(),
        limit_consent: patient.limit_consent,
        disease_consent: patient.disease_consent,
    };
    // A rejection is recorded on the desk: what the terminal did is checked from there.
    let _ = desk.confirm(&mut w, &req);
    Ok(())
}

/// After the auth PIN: a registry challenge signed with the auth key (EF 0017).
fn sign_challenge(
    card: &mut dyn VirtualIcc,
    world: &SharedWorld,
    desk: &Desk,
) -> Result<TerminalProof, String> {
    if select_ef(card, 0x0017) != Sw::OK {
        return Err("the auth key EF 0017 is missing".into());
    }
    let challenge = desk
        .issue_challenge(&mut world.lock())
        .map_err(|e| format!("no challenge: {e:?}"))?;
    let digest_info = onshi_sim::jlis::sha256_digest_info(&challenge);
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    apdu.extend_from_slice(&digest_info);
    apdu.push(0x00);
    let r = card.transmit(&apdu);
    if sw(&r) != Sw::OK {
        return Err(format!("COMPUTE DIGITAL SIGNATURE answered {}", sw(&r)));
    }
    Ok(TerminalProof::Pin {
        challenge,
        signature: data(&r).to_vec(),
    })
}
