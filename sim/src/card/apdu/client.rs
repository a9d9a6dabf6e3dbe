//! The client side: the APDU sequences a PC/SC application sends to read and use the card
//! (SELECT, VERIFY, READ BINARY in chunks, COMPUTE DIGITAL SIGNATURE), written against a
//! `transmit` function so that they run over any card (the world's, through
//! [`CardSession::transmit`](super::CardSession::transmit), or a card on a real PC/SC stack).
//!
//! Everything here judges the card by what a client sees: status words and bytes. PIN values
//! are passed through and never kept; the results hold no PIN and no file contents beyond what
//! the caller asks for.

use serde::Serialize;

use super::files::EfId;
use super::{Application, Sw};

/// What a VERIFY with a PIN answered, as a client sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "pin", rename_all = "snake_case")]
pub enum PinOutcome {
    /// 90 00: the PIN is verified for this session.
    Accepted,
    /// 63 Cx: wrong, `tries_left` tries left.
    Wrong {
        /// Tries left.
        tries_left: u8,
    },
    /// 69 83: blocked (by this try or before it).
    Blocked,
    /// Any other status word (no such PIN on this card, …).
    Refused {
        /// The status word.
        sw: Sw,
    },
}

impl PinOutcome {
    fn of(sw: Sw) -> Self {
        if sw.is_ok() {
            PinOutcome::Accepted
        } else if let Some(tries_left) = sw.retries() {
            PinOutcome::Wrong { tries_left }
        } else if sw == Sw::PIN_BLOCKED {
            PinOutcome::Blocked
        } else {
            PinOutcome::Refused { sw }
        }
    }
}

/// A VERIFY with a PIN and the status query (VERIFY with no data) right after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PinCheck {
    /// What the VERIFY with the PIN answered.
    pub outcome: PinOutcome,
    /// Tries left as the status query reports them (None: blocked or no such PIN).
    pub tries_left: Option<u8>,
}

/// One entry of the 券面事項確認AP's surface file (EF 0002), in the order of its tags
/// DF 22 … DF 2A.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurfaceItem {
    /// 生年月日 (YYYYMMDD).
    BirthDate,
    /// 性別 code.
    Sex,
    /// The surface signer's public key.
    PublicKey,
    /// 氏名 image.
    Name,
    /// 住所 image.
    Address,
    /// 顔写真.
    FacePhoto,
    /// The signature over the entries.
    Signature,
    /// カードの有効期限 (YYYYMMDD).
    Expiry,
    /// セキュリティコード image.
    SecurityCode,
}

impl SurfaceItem {
    /// Every item, in tag order (DF 22 first).
    pub const ALL: [SurfaceItem; 9] = [
        SurfaceItem::BirthDate,
        SurfaceItem::Sex,
        SurfaceItem::PublicKey,
        SurfaceItem::Name,
        SurfaceItem::Address,
        SurfaceItem::FacePhoto,
        SurfaceItem::Signature,
        SurfaceItem::Expiry,
        SurfaceItem::SecurityCode,
    ];
}

/// What a surface read returned: which entries, and the three short text ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SurfaceData {
    /// Entries present with a non-empty value, in tag order.
    pub items: Vec<SurfaceItem>,
    /// 生年月日 as written (YYYYMMDD).
    pub birth: Option<String>,
    /// 性別 code as written (`1`, `2`, `9`).
    pub sex: Option<String>,
    /// カードの有効期限 as written (YYYYMMDD).
    pub expiry: Option<String>,
    /// Bytes in the file.
    pub bytes: usize,
}

/// SELECT of an application by AID.
pub fn select_application(tx: &mut impl FnMut(&[u8]) -> Vec<u8>, app: Application) -> Sw {
    let aid = app.aid();
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
    apdu.extend_from_slice(aid);
    status(&tx(&apdu))
}

/// SELECT of an EF in the current application.
pub fn select_file(tx: &mut impl FnMut(&[u8]) -> Vec<u8>, ef: EfId) -> Sw {
    let [hi, lo] = ef.to_be_bytes();
    status(&tx(&[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]))
}

/// SELECT of the PIN EF `ef`, VERIFY with `pin`, then VERIFY with no data for the tries left.
pub fn verify_pin(tx: &mut impl FnMut(&[u8]) -> Vec<u8>, ef: EfId, pin: &[u8]) -> PinCheck {
    let sw = select_file(tx, ef);
    if !sw.is_ok() {
        return PinCheck {
            outcome: PinOutcome::Refused { sw },
            tries_left: None,
        };
    }
    let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len().min(255) as u8];
    apdu.extend_from_slice(&pin[..pin.len().min(255)]);
    let outcome = PinOutcome::of(status(&tx(&apdu)));
    let tries_left = status(&tx(&[0x00, 0x20, 0x00, 0x80])).retries();
    PinCheck {
        outcome,
        tries_left,
    }
}

/// Reads the whole current EF the way middleware does: a short header read, the length from
/// the (BER) header, then the rest in chunks of at most 256 bytes.
pub fn read_current_file(tx: &mut impl FnMut(&[u8]) -> Vec<u8>) -> Result<Vec<u8>, Sw> {
    let mut data = read_binary(tx, 0, 8)?;
    let total = tlv_total_len(&data).ok_or(Sw::WRONG_DATA)?;
    while data.len() < total {
        let offset = u16::try_from(data.len()).map_err(|_| Sw::WRONG_OFFSET)?;
        let want = (total - data.len()).min(256);
        let chunk = read_binary(tx, offset, want)?;
        if chunk.is_empty() {
            return Err(Sw::WRONG_LENGTH);
        }
        data.extend_from_slice(&chunk);
    }
    data.truncate(total);
    Ok(data)
}

/// SELECT of `ef`, then [`read_current_file`].
pub fn read_file(tx: &mut impl FnMut(&[u8]) -> Vec<u8>, ef: EfId) -> Result<Vec<u8>, Sw> {
    let sw = select_file(tx, ef);
    if !sw.is_ok() {
        return Err(sw);
    }
    read_current_file(tx)
}

/// SELECT of the key EF `ef`, then COMPUTE DIGITAL SIGNATURE over `digest_info` (a DER
/// DigestInfo; the card pads it).
pub fn compute_signature(
    tx: &mut impl FnMut(&[u8]) -> Vec<u8>,
    ef: EfId,
    digest_info: &[u8],
) -> Result<Vec<u8>, Sw> {
    let sw = select_file(tx, ef);
    if !sw.is_ok() {
        return Err(sw);
    }
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len().min(255) as u8];
    apdu.extend_from_slice(&digest_info[..digest_info.len().min(255)]);
    apdu.push(0x00);
    let mut answer = tx(&apdu);
    let sw = status(&answer);
    if !sw.is_ok() {
        return Err(sw);
    }
    answer.truncate(answer.len().saturating_sub(2));
    Ok(answer)
}

/// The entries of a surface file (`FF 20 { DF 21 header, DF 22 … }`); None if the bytes are
/// not that shape.
pub fn parse_surface(file: &[u8]) -> Option<SurfaceData> {
    let (tag_len, len_len, len) = tlv_header(file)?;
    if file.get(..2) != Some(&[0xFF, 0x20]) || tag_len != 2 {
        return None;
    }
    let mut rest = file.get(2 + len_len..2 + len_len + len)?;
    let mut out = SurfaceData {
        items: Vec::new(),
        birth: None,
        sex: None,
        expiry: None,
        bytes: file.len(),
    };
    while !rest.is_empty() {
        let (tl, ll, vl) = tlv_header(rest)?;
        if tl != 2 || rest[0] != 0xDF {
            return None;
        }
        let value = rest.get(tl + ll..tl + ll + vl)?;
        let n = rest[1].checked_sub(0x22);
        if let Some(item) = n.and_then(|n| SurfaceItem::ALL.get(usize::from(n))) {
            if !value.is_empty() {
                out.items.push(*item);
            }
            let text = || String::from_utf8(value.to_vec()).ok();
            match item {
                SurfaceItem::BirthDate => out.birth = text(),
                SurfaceItem::Sex => out.sex = text(),
                SurfaceItem::Expiry => out.expiry = text(),
                _ => {}
            }
        }
        rest = &rest[tl + ll + vl..];
    }
    Some(out)
}

fn read_binary(
    tx: &mut impl FnMut(&[u8]) -> Vec<u8>,
    offset: u16,
    le: usize,
) -> Result<Vec<u8>, Sw> {
    let [p1, p2] = offset.to_be_bytes();
    let mut answer = tx(&[0x00, 0xB0, p1, p2, if le >= 256 { 0 } else { le as u8 }]);
    let sw = status(&answer);
    if !sw.is_ok() {
        return Err(sw);
    }
    answer.truncate(answer.len().saturating_sub(2));
    Ok(answer)
}

fn status(answer: &[u8]) -> Sw {
    Sw::of_response(answer).unwrap_or(Sw::SIMULATOR_FAULT)
}

/// (tag bytes, length bytes, value length) of the BER TLV at the start of `b`.
fn tlv_header(b: &[u8]) -> Option<(usize, usize, usize)> {
    let tag_len = if b.first()? & 0x1F == 0x1F { 2 } else { 1 };
    let first = *b.get(tag_len)?;
    if first < 0x80 {
        return Some((tag_len, 1, usize::from(first)));
    }
    let n = usize::from(first & 0x7F);
    if n == 0 || n > 3 {
        return None;
    }
    let bytes = b.get(tag_len + 1..tag_len + 1 + n)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, x| (acc << 8) | usize::from(*x));
    Some((tag_len, 1 + n, len))
}

/// The whole length of the TLV whose header starts `b`.
fn tlv_total_len(b: &[u8]) -> Option<usize> {
    let (t, l, v) = tlv_header(b)?;
    Some(t + l + v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_lengths_in_short_and_long_form() {
        assert_eq!(tlv_total_len(&[0x30, 0x03, 1, 2, 3]), Some(5));
        assert_eq!(tlv_total_len(&[0x30, 0x82, 0x04, 0x00]), Some(4 + 1024));
        assert_eq!(tlv_total_len(&[0xFF, 0x20, 0x81, 0x90]), Some(3 + 0x90 + 1));
        assert_eq!(tlv_total_len(&[0x30, 0x80]), None);
    }

    #[test]
    fn a_surface_file_that_is_not_ff20_is_refused() {
        assert_eq!(parse_surface(&[0x30, 0x00]), None);
        assert_eq!(parse_surface(&[]), None);
    }
}
