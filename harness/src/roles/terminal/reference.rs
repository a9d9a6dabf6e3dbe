//! The built-in terminal: what a careful 資格確認端末 does, APDU by APDU, with the card in the
//! reader and the registry's terminal protocol. It plays the terminal role when no terminal
//! under test is bound, so the terminal scenarios run (and pass) against the reference too.
//!
//! It reads the auth certificate (EF 000A) with a short header read first, uses the face when
//! the camera's similarity reaches the threshold, otherwise the auth PIN (asking the simulated
//! patient for each try, stopping at a block), signs the registry's challenge with the auth
//! key, and never selects the 券面事項入力補助AP.

use onshi_sim::card::apdu::{Application, Sw};
use onshi_sim::ids::InstitutionId;
use onshi_sim::registry::terminal::{SignedCardConfirm, TerminalProof};

use super::SharedWorld;
use super::desk::Desk;
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

/// One visit at the built-in terminal: reads the card, verifies the holder, asks the registry
/// and records the exchange on `desk`. An error is what stopped it (no card answer, a blocked
/// PIN, a face below the threshold with no PIN typed); the visit then has no answer.
pub fn visit(
    card: &mut dyn VirtualIcc,
    world: &SharedWorld,
    desk: &Desk,
    institution: InstitutionId,
    face_threshold: f64,
) -> Result<(), String> {
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
    let certificate_der = read_der(card)?;
    let patient = desk.visit().ok_or("no card is on the reader")?;
    let proof = if patient.face.is_some_and(|s| s >= face_threshold) {
        TerminalProof::Face
    } else {
        let mut verified = false;
        while let Some(pin) = desk.next_pin() {
            if select_ef(card, 0x0018) != Sw::OK {
                return Err("the auth PIN EF 0018 is missing".into());
            }
            let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
            apdu.extend_from_slice(pin.as_bytes());
            match sw(&card.transmit(&apdu)) {
                Sw::OK => {
                    verified = true;
                    break;
                }
                Sw::PIN_BLOCKED => return Err("the auth PIN is blocked".into()),
                _ => {}
            }
        }
        if !verified {
            return Err(
                "the holder could not be verified (face below the threshold, PIN not accepted)"
                    .into(),
            );
        }
        if select_ef(card, 0x0017) != Sw::OK {
            return Err("the auth key EF 0017 is missing".into());
        }
        let challenge = world.lock().challenges_mut().issue();
        let digest_info = onshi_sim::jlis::sha256_digest_info(&challenge);
        let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
        apdu.extend_from_slice(&digest_info);
        apdu.push(0x00);
        let r = card.transmit(&apdu);
        if sw(&r) != Sw::OK {
            return Err(format!("COMPUTE DIGITAL SIGNATURE answered {}", sw(&r)));
        }
        TerminalProof::Pin {
            challenge,
            signature: data(&r).to_vec(),
        }
    };
    card.power_off();
    let mut w = world.lock();
    let req = SignedCardConfirm {
        certificate_der,
        proof,
        institution,
        date: w.clock().today(),
        limit_consent: false,
        disease_consent: false,
    };
    // A rejection is recorded on the desk: what the terminal did is checked from there.
    let _ = desk.confirm(&mut w, &req);
    Ok(())
}
