//! The virtual My Number card at the APDU level: a pure engine that answers ISO/IEC 7816-4
//! short APDUs the way PC/SC clients expect (`../shared/domain/jpki-card.md`).
//!
//! [`CardSession`] holds only what a power-on holds: the selected application, the current EF
//! and which PINs are verified. Everything that outlives a power cycle — PIN counters and
//! blocks, certificates, the holder's data — lives in the [`World`](crate::World), so a PIN
//! blocked over PC/SC is blocked for the next scenario step as well. The engine does no I/O
//! and keeps no clock; its one source of chance, GET CHALLENGE, draws from the run's seed.
//! The vpcd transport (harness) feeds it bytes. What public sources leave open about the
//! card's answers are switches of [`crate::rules::Switches`] (`card_atr`,
//! `card_signature_input`, `card_answers_get_challenge`), which the engine reads from the
//! world like every other rule.
//!
//! Applications and files (exactly the table of jpki-card.md):
//! - JPKI AP (公的個人認証AP): EF 000A auth certificate, 000B auth CA, 0017 auth key,
//!   0018 auth PIN, 0001 signature certificate, 0002 signature CA, 001A signature key,
//!   001B signature PIN.
//! - 券面事項確認AP: EF 0002 surface entries, 0013 照合番号A, 0012 照合番号B.
//! - 券面事項入力補助AP: EF 0001 My Number, 0002 basic four attributes, 0011 its PIN.
//!
//! Decisions (approx. where the real card is not documented publicly):
//! - The card answers whatever its status: a lost, replaced, returned or expired card still
//!   selects, reads and signs. Revocation and card status are server-side facts (J-LIS and
//!   the registry refuse); the chip does not know about them.
//! - A holder under 15 has no 署名用電子証明書: EF 0001, 001A and 001B of the JPKI AP do not
//!   exist on that card, so selecting (or VERIFY/READ by short EF id of) any of them answers
//!   6A 82.
//! - SELECT of any DF — a new one or the one already selected — clears the current EF and the
//!   verified PINs. A SELECT that fails (unknown AID, unknown EF) changes nothing.
//! - Unknown AIDs (middleware probing for its application) answer 6A 82 at once; only an
//!   exact AID matches (no partial-name selection).
//! - SELECT with P2 = 00 (FCI requested) is accepted and answers 90 00 without FCI, like
//!   P2 = 0C; any other P2 answers 6A 86. SELECT with P1 = 00 and no data or 3F 00 selects the
//!   MF (no application: verified PINs cleared); other P1 values answer 6A 86.
//! - READ BINARY: offset = (P1 << 8) | P2 with P1 < 80. With P1 bit 8 set the low five bits
//!   are a short EF id (the EF becomes current, P2 is the offset), as ISO 7816-4 and several
//!   public clients use it. Le 00 means 256. A read that runs past the end returns the bytes
//!   available with 90 00 (clients read the DER length first and stop there); an offset at or
//!   beyond the end answers 6B 00. Key and PIN EFs are never readable: 69 82. No current EF:
//!   6A 82.
//! - VERIFY: P2 = 80 means the current EF, P2 = 80 + n (n 1..=1E) the PIN EF with short id n
//!   (the current EF stays). No data (case 1, or case 2 with any Le) asks for the status:
//!   63 Cx with the tries left, or 69 83 when blocked, whether or not the PIN is verified in
//!   this session, and the verified state stays. The real JPKI card answers so (63 C3 right
//!   after a correct PIN: the driver's author in OpenSC pull request #959), and OpenSC's JPKI
//!   driver treats any other SW1 as a failure, so answering 90 00 there (ISO 7816-4's
//!   "verification not needed") broke its PKCS#11 sessions after login. A wrong PIN answers
//!   63 Cx with the tries left, and the try that blocks answers 69 83 at once; a wrong PIN
//!   also drops that PIN's verified state. A correct PIN on a blocked counter answers 69 83
//!   and changes nothing. The counter is [`PinCounter::attempt`](super::PinCounter::attempt).
//!   A VERIFY whose referenced EF is not a PIN of this card answers 6A 82.
//! - ATR: the real card's, [`REAL_ATR`] (`3B E0 00 FF 81 31 FE 45 14`, the ATR OpenSC's JPKI
//!   driver matches before anything else); the switch `card_atr: onshi` presents
//!   [`ONSHI_ATR`] instead, so that a bench can tell the virtual card from a real one.
//! - COMPUTE DIGITAL SIGNATURE signs with the current EF, which must be a key EF (else 6A 82),
//!   after that key's PIN in this session (else 69 82). The card pads the data with PKCS#1
//!   v1.5 type 1 itself and signs it ([`Jlis::sign`](crate::jlis::Jlis::sign)). UNCERTAIN
//!   whether the real card checks that the data is a DigestInfo of a hash it knows; OpenSC's
//!   JPKI driver declares RSA "hash none + PKCS#1 padding", so its PKCS#11 module sends MD5,
//!   SHA-384 and SHA-512 DigestInfos too, which the real card must therefore sign. So by
//!   default (switch `card_signature_input: any_that_fits`) any data of at most the modulus
//!   length − 11 bytes (245 for RSA-2048) is signed as given; longer data answers 67 00
//!   (approx.: the key cannot pad it). With `sha1_sha256_digest_info` only a DER DigestInfo
//!   for SHA-1 or SHA-256, with or without the NULL parameters, is signed and anything else
//!   answers 6A 80 (ISO "incorrect data", outside jpki-card.md's list). Le is not enforced:
//!   the whole 256-byte signature comes back.
//! - GET CHALLENGE (00 84 00 00 Le) answers Le bytes (Le 00 = 256) drawn from the run's seed
//!   and the card (its stream's position lives in the [`Card`](super::Card), so no challenge
//!   repeats across power cycles); no Le or any data answers 67 00, P1-P2 other than 00 00
//!   answers 6A 86. UNCERTAIN: jpki-card.md does not list the command and no public JPKI client
//!   uses it, but OpenSC's JPKI driver keeps ISO 7816's GET CHALLENGE, so PKCS#11
//!   `C_GenerateRandom` (and `pkcs11-tool --test`) sends it; answering lets OpenSC's self-test
//!   pass. The switch `card_answers_get_challenge: false` answers 6D 00 instead.
//! - CLA 00 carries SELECT, READ BINARY, VERIFY and GET CHALLENGE; CLA 80 carries COMPUTE
//!   DIGITAL SIGNATURE. Any other class answers 6E 00; an instruction the class does not carry
//!   answers 6D 00.
//!   Fewer than four bytes, an Lc that disagrees with the length, or extended length answer
//!   67 00; nothing panics.
//! - 6F 00 is reserved for faults of the simulator itself (a card id the world does not
//!   have, a certificate J-LIS cannot build); a correct setup never produces it.
//! - 券面事項確認AP PINs have their own counters of [`SURFACE_PIN_TRIES`](super::SURFACE_PIN_TRIES)
//!   tries each (approx.), kept in [`CardPins`](super::CardPins).

pub mod client;
mod command;
mod engine;
mod files;
mod log;

use std::fmt;

use serde::{Serialize, Serializer};

use crate::rules::CardAtr;

pub use command::{DigestAlgorithm, parse_digest_info};
pub use engine::{CardContext, CardSession};
pub use files::{
    EfId, FileKind, PinRef, input_support_attributes_der, input_support_my_number_der,
    surface_entries_der,
};
pub use log::{ApduCommand, ApduLog, ApduLogEntry};

/// The real My Number card's answer-to-reset, `3B E0 00 FF 81 31 FE 45 14` (jpki-card.md; the
/// one ATR in OpenSC's JPKI driver table): T0 = E0 (TB1, TC1, TD1 follow, no historical
/// bytes), TB1 = 00, TC1 = FF, TD1 = 81 (TD2 follows, T=1), TD2 = 31 (TA3, TB3 follow, T=1),
/// TA3 = FE (IFSC 254), TB3 = 45 (BWI 4, CWI 5), TCK = 14, the XOR of every byte from T0 on.
/// The card presents it unless the switch `card_atr` says `onshi`.
pub const REAL_ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// onshi's own answer-to-reset (switch `card_atr: onshi`), distinct from any real card's.
///
/// It has the PC/SC contactless form `3B 8n 80 01 <historical bytes> TCK` (the real card is
/// contactless): T0 = 8A (TD1 follows, ten historical bytes), TD1 = 80, TD2 = 01 (T=1), the
/// historical bytes `80` (compact-TLV follows) `58` (card issuer's data, eight bytes)
/// `ONSHISIM`, and TCK = D7, the XOR of every byte from T0 on.
pub const ONSHI_ATR: [u8; 15] = [
    0x3B, 0x8A, 0x80, 0x01, 0x80, 0x58, b'O', b'N', b'S', b'H', b'I', b'S', b'I', b'M', 0xD7,
];

/// The answer-to-reset the switch `card_atr` selects.
pub const fn atr(kind: CardAtr) -> &'static [u8] {
    match kind {
        CardAtr::Real => &REAL_ATR,
        CardAtr::Onshi => &ONSHI_ATR,
    }
}

/// An application (DF) of the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Application {
    /// 公的個人認証AP (JPKI): the two certificates, their CAs, keys and PINs.
    Jpki,
    /// 券面事項確認AP: the card surface, after 照合番号A or B.
    Surface,
    /// 券面事項入力補助AP: My Number and the basic four attributes as text, after its PIN.
    InputSupport,
}

impl Application {
    /// Every application of the card.
    pub const ALL: [Application; 3] = [
        Application::Jpki,
        Application::Surface,
        Application::InputSupport,
    ];

    /// The application identifier (AID) to SELECT it by name.
    pub const fn aid(self) -> &'static [u8] {
        match self {
            Application::Jpki => &[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01],
            Application::Surface => &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02],
            Application::InputSupport => {
                &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]
            }
        }
    }

    /// The application with exactly this AID.
    pub fn from_aid(aid: &[u8]) -> Option<Self> {
        Application::ALL.into_iter().find(|a| a.aid() == aid)
    }
}

/// A status word (SW1 SW2) ending every response APDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sw(pub u16);

impl Sw {
    /// 90 00: success.
    pub const OK: Sw = Sw(0x9000);
    /// 69 83: PIN blocked (also the answer to the try that blocks it).
    pub const PIN_BLOCKED: Sw = Sw(0x6983);
    /// 69 82: security status not satisfied (no PIN verified for this file or key).
    pub const SECURITY_NOT_SATISFIED: Sw = Sw(0x6982);
    /// 6A 80: incorrect data (a DigestInfo for another algorithm, when the card is strict).
    pub const WRONG_DATA: Sw = Sw(0x6A80);
    /// 6A 82: file or application not found.
    pub const NOT_FOUND: Sw = Sw(0x6A82);
    /// 6A 86: wrong P1 or P2.
    pub const WRONG_P1P2: Sw = Sw(0x6A86);
    /// 67 00: wrong length (Lc, Le or the APDU itself; data too long to sign).
    pub const WRONG_LENGTH: Sw = Sw(0x6700);
    /// 6D 00: instruction not supported.
    pub const INS_NOT_SUPPORTED: Sw = Sw(0x6D00);
    /// 6E 00: class not supported.
    pub const CLA_NOT_SUPPORTED: Sw = Sw(0x6E00);
    /// 6B 00: offset at or beyond the end of the file.
    pub const WRONG_OFFSET: Sw = Sw(0x6B00);
    /// 6F 00: a fault of the simulator itself (never produced by a consistent world).
    pub const SIMULATOR_FAULT: Sw = Sw(0x6F00);

    /// 63 Cx: wrong PIN or PIN status, `tries` tries left (capped at 15).
    pub const fn tries_left(tries: u8) -> Sw {
        let x = if tries > 0x0F { 0x0F } else { tries };
        Sw(0x63C0 | x as u16)
    }

    /// SW1.
    pub const fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// SW2.
    pub const fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }

    /// The tries left if this is 63 Cx.
    pub const fn retries(self) -> Option<u8> {
        if self.0 & 0xFFF0 == 0x63C0 {
            Some((self.0 & 0x0F) as u8)
        } else {
            None
        }
    }

    /// Whether this is 90 00.
    pub const fn is_ok(self) -> bool {
        self.0 == 0x9000
    }

    /// The status word ending `response`, if it has at least two bytes.
    pub fn of_response(response: &[u8]) -> Option<Sw> {
        match response {
            [.., sw1, sw2] => Some(Sw(u16::from_be_bytes([*sw1, *sw2]))),
            _ => None,
        }
    }
}

impl fmt::Display for Sw {
    /// `6A 82` style.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} {:02X}", self.sw1(), self.sw2())
    }
}

impl Serialize for Sw {
    /// As its display form, `"6A 82"`, which is how people read status words.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
