//! A tiny stand-in card for transport tests and benchmarks: the JPKI application, one
//! certificate-sized EF, and nothing else. The real APDU engine lives in `onshi-sim`; this
//! card exists so the transport can be tested and timed without it.
//!
//! | command | answer |
//! |---|---|
//! | `00 A4 04 xx` with the JPKI AID | `90 00`, application selected |
//! | `00 A4 04 xx` with another AID | `6A 82` |
//! | `00 A4 02 xx 02 00 0A` after the AID | `90 00`, EF selected |
//! | `00 B0 P1 P2 Le` after the EF | up to Le bytes (00 = 256) from offset P1P2, `90 00` |
//! | `00 B0` with no EF selected | `69 86` |
//! | READ BINARY past the end | `6B 00` |
//! | any other CLA | `6E 00`; any other INS: `6D 00` |
//!
//! A short read at the end of the file answers the bytes that are left with `90 00`.

use super::VirtualIcc;

/// The JPKI application's AID (公的個人認証AP).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// The EF the test card serves (the auth certificate's file id in the real card).
pub const CERT_EF: [u8; 2] = [0x00, 0x0A];

/// Length of [`certificate_blob`].
pub const BLOB_LEN: usize = 1500;

/// A fixed 1500-byte DER object: a SEQUENCE holding one OCTET STRING of patterned bytes.
pub fn certificate_blob() -> Vec<u8> {
    let inner = BLOB_LEN - 8;
    let mut blob = Vec::with_capacity(BLOB_LEN);
    blob.extend_from_slice(&[0x30, 0x82, 0x05, 0xD8, 0x04, 0x82, 0x05, 0xD4]);
    blob.extend((0..inner).map(|i| (i % 251) as u8));
    blob
}

/// Which file is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
    Nothing,
    Application,
    CertEf,
}

/// The stand-in card; see the module documentation for what it answers.
#[derive(Debug, Clone)]
pub struct TestCard {
    blob: Vec<u8>,
    selected: Selected,
    powered: bool,
}

impl Default for TestCard {
    fn default() -> Self {
        Self::new()
    }
}

impl TestCard {
    /// A contactless-style ATR (PC/SC pseudo-ATR for T=1 without historical bytes).
    pub const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

    /// A card holding [`certificate_blob`], nothing selected.
    pub fn new() -> Self {
        Self {
            blob: certificate_blob(),
            selected: Selected::Nothing,
            powered: false,
        }
    }

    /// Whether the reader has powered the card.
    pub fn is_powered(&self) -> bool {
        self.powered
    }

    fn select(&mut self, p1: u8, data: &[u8]) -> [u8; 2] {
        match p1 {
            0x04 if data == JPKI_AID => {
                self.selected = Selected::Application;
                [0x90, 0x00]
            }
            0x04 => [0x6A, 0x82],
            0x02 if data == CERT_EF && self.selected != Selected::Nothing => {
                self.selected = Selected::CertEf;
                [0x90, 0x00]
            }
            0x02 => [0x6A, 0x82],
            _ => [0x6A, 0x86],
        }
    }

    fn read_binary(&self, p1: u8, p2: u8, le: usize) -> Vec<u8> {
        if self.selected != Selected::CertEf {
            return vec![0x69, 0x86];
        }
        if p1 & 0x80 != 0 {
            // Short EF identifier addressing: not supported here.
            return vec![0x6A, 0x86];
        }
        let offset = usize::from(u16::from_be_bytes([p1, p2]));
        let Some(rest) = self.blob.get(offset..).filter(|r| !r.is_empty()) else {
            return vec![0x6B, 0x00];
        };
        let mut out = rest[..le.min(rest.len())].to_vec();
        out.extend_from_slice(&[0x90, 0x00]);
        out
    }
}

/// A short APDU cut into its parts; `None` when the lengths do not add up.
struct Command<'a> {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
    le: Option<usize>,
}

fn parse_short(apdu: &[u8]) -> Option<Command<'_>> {
    let (&[cla, ins, p1, p2], body) = apdu.split_first_chunk::<4>()?;
    let ne = |b: u8| if b == 0 { 256 } else { usize::from(b) };
    let (data, le) = match *body {
        [] => (&body[..0], None),
        [le] => (&body[..0], Some(ne(le))),
        [lc, ref rest @ ..] => {
            let lc = usize::from(lc);
            match rest.len().checked_sub(lc)? {
                0 => (&rest[..lc], None),
                1 => (&rest[..lc], Some(ne(rest[lc]))),
                _ => return None,
            }
        }
    };
    Some(Command {
        cla,
        ins,
        p1,
        p2,
        data,
        le,
    })
}

impl VirtualIcc for TestCard {
    fn atr(&self) -> Vec<u8> {
        Self::ATR.to_vec()
    }

    fn power_on(&mut self) {
        self.powered = true;
        self.selected = Selected::Nothing;
    }

    fn power_off(&mut self) {
        self.powered = false;
        self.selected = Selected::Nothing;
    }

    fn reset(&mut self) {
        self.selected = Selected::Nothing;
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        let Some(cmd) = parse_short(apdu) else {
            return vec![0x67, 0x00];
        };
        if cmd.cla != 0x00 {
            return vec![0x6E, 0x00];
        }
        match cmd.ins {
            0xA4 => self.select(cmd.p1, cmd.data).to_vec(),
            0xB0 if cmd.data.is_empty() => self.read_binary(cmd.p1, cmd.p2, cmd.le.unwrap_or(256)),
            0xB0 => vec![0x67, 0x00],
            _ => vec![0x6D, 0x00],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select_aid(card: &mut TestCard, aid: &[u8]) -> Vec<u8> {
        let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
        apdu.extend_from_slice(aid);
        card.transmit(&apdu)
    }

    #[test]
    fn blob_is_one_der_object_of_the_stated_length() {
        let blob = certificate_blob();
        assert_eq!(blob.len(), BLOB_LEN);
        let declared = usize::from(u16::from_be_bytes([blob[2], blob[3]]));
        assert_eq!(4 + declared, BLOB_LEN);
        let inner = usize::from(u16::from_be_bytes([blob[6], blob[7]]));
        assert_eq!(8 + inner, BLOB_LEN);
    }

    #[test]
    fn reads_the_blob_in_chunks_after_selecting_aid_and_ef() {
        let mut card = TestCard::new();
        assert_eq!(select_aid(&mut card, &JPKI_AID), [0x90, 0x00]);
        assert_eq!(
            card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]),
            [0x90, 0x00]
        );
        let mut got = Vec::new();
        while got.len() < BLOB_LEN {
            let [p1, p2] = (got.len() as u16).to_be_bytes();
            let r = card.transmit(&[0x00, 0xB0, p1, p2, 0x00]);
            let (data, sw) = r.split_at(r.len() - 2);
            assert_eq!(sw, [0x90, 0x00]);
            got.extend_from_slice(data);
        }
        assert_eq!(got, certificate_blob());
        let [p1, p2] = (BLOB_LEN as u16).to_be_bytes();
        assert_eq!(card.transmit(&[0x00, 0xB0, p1, p2, 0x00]), [0x6B, 0x00]);
    }

    #[test]
    fn other_aids_instructions_and_classes_are_refused() {
        let mut card = TestCard::new();
        assert_eq!(select_aid(&mut card, &[0xA0, 0, 0, 0, 0x63]), [0x6A, 0x82]);
        assert_eq!(card.transmit(&[0x00, 0xB0, 0, 0, 4]), [0x69, 0x86]);
        assert_eq!(card.transmit(&[0x00, 0x2A, 0, 0]), [0x6D, 0x00]);
        assert_eq!(card.transmit(&[0x80, 0xA4, 4, 0]), [0x6E, 0x00]);
        assert_eq!(card.transmit(&[0x00, 0xA4, 4, 0, 5, 1]), [0x67, 0x00]);
    }

    #[test]
    fn reset_forgets_the_selection() {
        let mut card = TestCard::new();
        select_aid(&mut card, &JPKI_AID);
        card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]);
        card.reset();
        assert_eq!(card.transmit(&[0x00, 0xB0, 0, 0, 4]), [0x69, 0x86]);
    }
}
