//! The files of each application, who may read or use them, and the TLV contents of the
//! surface and input-support data files.
//!
//! The data files follow the layout public readers parse (approx. where the real content is
//! not public): one constructed object with the private tag `FF 20` whose children are
//! private primitive tags `DF 21`, `DF 22`, … in a fixed order, `DF 21` being a header. The
//! header holds, for each later child, its offset from the start of the file as two
//! big-endian bytes (approx.). Text is UTF-8. Images are synthetic (the marker
//! `onshi synthetic image:` and the text they would show); the face photo carries the card's
//! face template id; the surface "public key" and "signature" are fixed-size placeholders
//! derived by SHA-256, not real cryptography (approx.). Every file holds exactly one TLV and
//! no padding.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Application;
use crate::card::{Card, CardPins, PinCounter};
use crate::clock::compact_date;
use crate::jlis::CertKind;
use crate::person::Person;

/// A two-byte elementary-file identifier (EF 00 0A is `0x000A`).
pub type EfId = u16;

/// A PIN of the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PinRef {
    /// 利用者証明用電子証明書 PIN (JPKI AP, EF 0018; 4 digits, 3 tries).
    Auth,
    /// 署名用電子証明書 PIN (JPKI AP, EF 001B; 6–16 characters, 5 tries).
    Sign,
    /// 照合番号A of the 券面事項確認AP (EF 0013): the 12-digit My Number.
    SurfaceNumber,
    /// 照合番号B of the 券面事項確認AP (EF 0012): birth date YYMMDD + card expiry year YYYY +
    /// security code.
    SurfaceBirth,
    /// 券面事項入力補助用 PIN (EF 0011; 4 digits, 3 tries).
    InputSupport,
}

impl PinRef {
    /// Every PIN of the card.
    pub const ALL: [PinRef; 5] = [
        PinRef::Auth,
        PinRef::Sign,
        PinRef::SurfaceNumber,
        PinRef::SurfaceBirth,
        PinRef::InputSupport,
    ];

    /// The application holding the PIN.
    pub fn application(self) -> Application {
        match self {
            PinRef::Auth | PinRef::Sign => Application::Jpki,
            PinRef::SurfaceNumber | PinRef::SurfaceBirth => Application::Surface,
            PinRef::InputSupport => Application::InputSupport,
        }
    }

    /// The PIN's EF in its application.
    pub fn ef(self) -> EfId {
        match self {
            PinRef::Auth => 0x0018,
            PinRef::Sign => 0x001B,
            PinRef::SurfaceNumber => 0x0013,
            PinRef::SurfaceBirth => 0x0012,
            PinRef::InputSupport => 0x0011,
        }
    }

    /// A bit for sets of verified PINs.
    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The retry counter in the card's state.
    pub fn counter(self, pins: &CardPins) -> &PinCounter {
        match self {
            PinRef::Auth => &pins.auth_counter,
            PinRef::Sign => &pins.sign_counter,
            PinRef::SurfaceNumber => &pins.surface_number_counter,
            PinRef::SurfaceBirth => &pins.surface_birth_counter,
            PinRef::InputSupport => &pins.input_support_counter,
        }
    }

    /// The retry counter in the card's state, to change.
    pub fn counter_mut(self, pins: &mut CardPins) -> &mut PinCounter {
        match self {
            PinRef::Auth => &mut pins.auth_counter,
            PinRef::Sign => &mut pins.sign_counter,
            PinRef::SurfaceNumber => &mut pins.surface_number_counter,
            PinRef::SurfaceBirth => &mut pins.surface_birth_counter,
            PinRef::InputSupport => &mut pins.input_support_counter,
        }
    }

    /// Whether `given` (the VERIFY data) is this PIN of `card`, held by `person`.
    pub fn matches(self, given: &[u8], card: &Card, person: &Person) -> bool {
        match self {
            PinRef::Auth => given == card.pins.auth.as_bytes(),
            PinRef::Sign => given == card.pins.sign.as_bytes(),
            PinRef::InputSupport => given == card.pins.input_support.as_bytes(),
            PinRef::SurfaceNumber => given == person.my_number.digits().as_bytes(),
            PinRef::SurfaceBirth => {
                let b = person.birth;
                let expected = format!(
                    "{:02}{:02}{:02}{:04}{}",
                    b.year().rem_euclid(100),
                    b.month(),
                    b.day(),
                    card.expires.year(),
                    card.pins.security_code
                );
                given == expected.as_bytes()
            }
        }
    }
}

/// What an EF holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// The card's current certificate of this kind (DER).
    Certificate(CertKind),
    /// The CA certificate that issues this kind (DER).
    CaCertificate(CertKind),
    /// The private key of this kind (never readable; COMPUTE DIGITAL SIGNATURE uses it).
    PrivateKey(CertKind),
    /// A PIN (VERIFY only).
    Pin(PinRef),
    /// 券面事項確認AP EF 0002: the surface entries.
    SurfaceEntries,
    /// 券面事項入力補助AP EF 0001: the My Number.
    MyNumber,
    /// 券面事項入力補助AP EF 0002: name, address, birth date, sex.
    InputSupportAttributes,
}

/// Who may READ BINARY a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadAccess {
    /// Anyone.
    Free,
    /// After any one of these PINs in this session.
    AfterAnyOf(&'static [PinRef]),
    /// Nobody (keys and PINs).
    Never,
}

impl FileKind {
    /// The read access condition.
    pub(crate) fn read_access(self) -> ReadAccess {
        match self {
            FileKind::Certificate(CertKind::Auth) | FileKind::CaCertificate(_) => ReadAccess::Free,
            FileKind::Certificate(CertKind::Sign) => ReadAccess::AfterAnyOf(&[PinRef::Sign]),
            FileKind::PrivateKey(_) | FileKind::Pin(_) => ReadAccess::Never,
            FileKind::SurfaceEntries => {
                ReadAccess::AfterAnyOf(&[PinRef::SurfaceNumber, PinRef::SurfaceBirth])
            }
            FileKind::MyNumber | FileKind::InputSupportAttributes => {
                ReadAccess::AfterAnyOf(&[PinRef::InputSupport])
            }
        }
    }

    /// Whether the file exists only on cards with a 署名用電子証明書 (not under 15).
    pub(crate) fn needs_signature_certificate(self) -> bool {
        matches!(
            self,
            FileKind::Certificate(CertKind::Sign)
                | FileKind::PrivateKey(CertKind::Sign)
                | FileKind::Pin(PinRef::Sign)
        )
    }
}

/// Every EF of every application.
const FILES: [(Application, EfId, FileKind); 14] = [
    (
        Application::Jpki,
        0x000A,
        FileKind::Certificate(CertKind::Auth),
    ),
    (
        Application::Jpki,
        0x000B,
        FileKind::CaCertificate(CertKind::Auth),
    ),
    (
        Application::Jpki,
        0x0017,
        FileKind::PrivateKey(CertKind::Auth),
    ),
    (Application::Jpki, 0x0018, FileKind::Pin(PinRef::Auth)),
    (
        Application::Jpki,
        0x0001,
        FileKind::Certificate(CertKind::Sign),
    ),
    (
        Application::Jpki,
        0x0002,
        FileKind::CaCertificate(CertKind::Sign),
    ),
    (
        Application::Jpki,
        0x001A,
        FileKind::PrivateKey(CertKind::Sign),
    ),
    (Application::Jpki, 0x001B, FileKind::Pin(PinRef::Sign)),
    (Application::Surface, 0x0002, FileKind::SurfaceEntries),
    (
        Application::Surface,
        0x0013,
        FileKind::Pin(PinRef::SurfaceNumber),
    ),
    (
        Application::Surface,
        0x0012,
        FileKind::Pin(PinRef::SurfaceBirth),
    ),
    (Application::InputSupport, 0x0001, FileKind::MyNumber),
    (
        Application::InputSupport,
        0x0002,
        FileKind::InputSupportAttributes,
    ),
    (
        Application::InputSupport,
        0x0011,
        FileKind::Pin(PinRef::InputSupport),
    ),
];

/// The file `id` of `app` as the card's table defines it (whether this card has it also
/// depends on [`FileKind::needs_signature_certificate`]).
pub(crate) fn lookup(app: Application, id: EfId) -> Option<FileKind> {
    FILES
        .iter()
        .find(|&&(a, i, _)| a == app && i == id)
        .map(|&(_, _, kind)| kind)
}

/// Appends a DER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Appends one TLV.
fn push_tlv(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) {
    out.extend_from_slice(tag);
    push_len(out, value.len());
    out.extend_from_slice(value);
}

/// The length of a DER length field for `len`.
fn len_len(len: usize) -> usize {
    let mut v = Vec::new();
    push_len(&mut v, len);
    v.len()
}

/// `FF 20 { DF 21 header, DF 22.. fields }` with the header listing each field's offset
/// (callers pass at most a dozen fields, so the tags stay within DF 22..DF 2D).
fn private_record(fields: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::new();
    for (i, value) in fields.iter().enumerate() {
        push_tlv(&mut body, &[0xDF, 0x22 + i as u8], value);
    }
    let header_value_len = 2 * fields.len();
    let header_len = 2 + len_len(header_value_len) + header_value_len;
    let content_len = header_len + body.len();
    let start = 2 + len_len(content_len) + header_len;
    let mut header = Vec::with_capacity(header_value_len);
    let mut at = start;
    for value in fields {
        header.extend_from_slice(&u16::try_from(at).unwrap_or(u16::MAX).to_be_bytes());
        at += 2 + len_len(value.len()) + value.len();
    }
    let mut out = Vec::with_capacity(start + body.len());
    out.extend_from_slice(&[0xFF, 0x20]);
    push_len(&mut out, content_len);
    push_tlv(&mut out, &[0xDF, 0x21], &header);
    out.extend_from_slice(&body);
    out
}

/// A synthetic "image" showing `text`.
fn synthetic_image(text: &str) -> Vec<u8> {
    let mut v = b"onshi synthetic image: ".to_vec();
    v.extend_from_slice(text.as_bytes());
    v
}

/// 券面事項入力補助AP EF 0001: `FF 10 0C` + the 12 ASCII digits of the My Number (the
/// private tag in the two-byte form the real card uses, so readers that take bytes 3..15
/// find the number).
pub fn input_support_my_number_der(person: &Person) -> Vec<u8> {
    let digits = person.my_number.digits();
    let mut out = Vec::with_capacity(3 + digits.len());
    push_tlv(&mut out, &[0xFF, 0x10], digits.as_bytes());
    out
}

/// 券面事項入力補助AP EF 0002: `FF 20 { DF 21 header, DF 22 name, DF 23 address,
/// DF 24 birth date YYYYMMDD, DF 25 sex "1"/"2"/"9" }`, text in UTF-8.
pub fn input_support_attributes_der(person: &Person) -> Vec<u8> {
    let birth = compact_date(person.birth);
    private_record(&[
        person.name.as_bytes(),
        person.address.as_bytes(),
        birth.as_bytes(),
        person.sex.code().as_bytes(),
    ])
}

/// 券面事項確認AP EF 0002: `FF 20 { DF 21 header, DF 22 birth date YYYYMMDD, DF 23 sex,
/// DF 24 public key, DF 25 name image, DF 26 address image, DF 27 face photo,
/// DF 28 signature, DF 29 card expiry YYYYMMDD, DF 2A security code image }`.
pub fn surface_entries_der(card: &Card, person: &Person) -> Vec<u8> {
    let birth = compact_date(person.birth);
    let expiry = compact_date(card.expires);
    // A DER INTEGER e = 65537 and a 32-byte placeholder modulus (not a usable key).
    let mut public_key = vec![0x02, 0x03, 0x01, 0x00, 0x01];
    push_tlv(
        &mut public_key,
        &[0x02],
        &Sha256::digest(b"onshi surface signer (synthetic)"),
    );
    let name = synthetic_image(&person.name);
    let address = synthetic_image(&person.address);
    let face = format!(
        "onshi synthetic face photo: face_template_id={}",
        card.photo_template
    );
    let mut signed = Sha256::new();
    for part in [
        birth.as_bytes(),
        person.sex.code().as_bytes(),
        &public_key,
        &name,
        &address,
        face.as_bytes(),
    ] {
        signed.update((part.len() as u64).to_be_bytes());
        signed.update(part);
    }
    let signature = signed.finalize();
    let code = synthetic_image(&card.pins.security_code);
    private_record(&[
        birth.as_bytes(),
        person.sex.code().as_bytes(),
        &public_key,
        &name,
        &address,
        face.as_bytes(),
        &signature,
        expiry.as_bytes(),
        &code,
    ])
}
