//! The lowered expectations on the card over APDUs, identifiers and J-LIS (`certificate`,
//! `signature`, `surface`, `my_number`, `portal.account`, `no_face_data`, `jlis.status`,
//! `jlis.issued`) and their lowering. Closed vocabularies arrive as the scenario's words
//! (`basic_four`, `superseded`), which the checks compare with the names of what they saw.

use onshi_sim::card::apdu::client::SurfaceItem;
use onshi_sim::jlis::CertKind;

use super::{PersonRef, Resolve, StepRef, of, person};
use crate::scenario::model::{self, CertificateName, SurfaceItemName};
use crate::scenario::names::name_of;

/// The certificate a card step read.
#[derive(Clone, Debug, Default)]
pub struct CertificateCheck {
    /// Step name (default: the latest card step).
    pub of: Option<StepRef>,
    /// Whether READ BINARY returned it.
    pub read: Option<bool>,
    /// Status word of the read (`69 82`).
    pub status: Option<String>,
    /// X.509 version.
    pub version: Option<u8>,
    /// RSA modulus bits.
    pub key_bits: Option<usize>,
    /// Signature algorithm name.
    pub signature_algorithm: Option<String>,
    /// `none` or `basic_four`.
    pub subject: Option<String>,
    /// `current` or `linked`.
    pub serial: Option<String>,
    /// The CA it must verify against.
    pub chains_to: Option<CertKind>,
}

/// What a `card.sign` step got.
#[derive(Clone, Debug, Default)]
pub struct SignatureCheck {
    /// Step name.
    pub of: Option<StepRef>,
    /// `accepted`, `wrong`, `blocked`, `not_sent`.
    pub pin: Option<String>,
    /// Tries left after the VERIFY.
    pub tries_left: Option<u8>,
    /// Whether a signature came back.
    pub signed: Option<bool>,
    /// Status word of COMPUTE DIGITAL SIGNATURE.
    pub status: Option<String>,
    /// Whether it verifies with the certificate's key.
    pub verifies: Option<bool>,
}

/// What a `card.surface` step got.
#[derive(Clone, Debug, Default)]
pub struct SurfaceCheck {
    /// Step name.
    pub of: Option<StepRef>,
    /// `accepted`, `wrong`, `blocked`.
    pub pin: Option<String>,
    /// Tries left after the VERIFY.
    pub tries_left: Option<u8>,
    /// Whether the entries were read.
    pub read: Option<bool>,
    /// Status word of the read.
    pub status: Option<String>,
    /// Entries, in file order.
    pub items: Option<Vec<SurfaceItem>>,
    /// 生年月日 (`1980-05-10`).
    pub born: Option<String>,
    /// カードの有効期限 (`2034-05-10`).
    pub expires: Option<String>,
    /// 性別 (`male`, `female`).
    pub sex: Option<String>,
}

/// The person's My Number, never printed.
#[derive(Clone, Debug)]
pub struct MyNumberCheck {
    /// The person.
    pub person: PersonRef,
    /// Number of digits.
    pub digits: Option<u8>,
    /// Check digit valid.
    pub check_digit: Option<bool>,
    /// Synthetic (starts with 9).
    pub synthetic: Option<bool>,
}

/// The person's portal account.
#[derive(Clone, Debug)]
pub struct PortalAccountCheck {
    /// The person.
    pub person: PersonRef,
    /// Whether the account exists.
    pub account: Option<bool>,
    /// The 住民票コード equals J-LIS's.
    pub resident_code_from_jlis: bool,
}

/// J-LIS's status for one serial.
#[derive(Clone, Debug)]
pub struct JlisStatusCheck {
    /// The person (None: an unissued serial).
    pub person: Option<PersonRef>,
    /// Which chain.
    pub kind: CertKind,
    /// `current`, `previous`, `first`, `unissued`.
    pub serial: String,
    /// `valid`, `expired`, `revoked`, `unknown`.
    pub status: Option<String>,
    /// The revocation reason.
    pub reason: Option<String>,
    /// Revocation date.
    pub revoked_on: Option<String>,
    /// Last valid day.
    pub not_after: Option<String>,
}

/// Every certificate J-LIS issued to some people.
#[derive(Clone, Debug)]
pub struct JlisIssuedCheck {
    /// The people.
    pub people: Vec<PersonRef>,
    /// Number of certificates.
    pub certificates: Option<usize>,
    /// Serials all different.
    pub distinct_serials: Option<bool>,
    /// Each verifies against its CA and carries its serial.
    pub signed_by_ca: Option<bool>,
}

/// The sim's certificate kind for a scenario's name.
pub fn cert_kind(c: CertificateName) -> CertKind {
    match c {
        CertificateName::Auth => CertKind::Auth,
        CertificateName::Signature => CertKind::Sign,
    }
}

/// The sim's surface item for a scenario's name.
pub fn surface_item(i: SurfaceItemName) -> SurfaceItem {
    match i {
        SurfaceItemName::BirthDate => SurfaceItem::BirthDate,
        SurfaceItemName::Sex => SurfaceItem::Sex,
        SurfaceItemName::PublicKey => SurfaceItem::PublicKey,
        SurfaceItemName::Name => SurfaceItem::Name,
        SurfaceItemName::Address => SurfaceItem::Address,
        SurfaceItemName::FacePhoto => SurfaceItem::FacePhoto,
        SurfaceItemName::Signature => SurfaceItem::Signature,
        SurfaceItemName::Expiry => SurfaceItem::Expiry,
        SurfaceItemName::SecurityCode => SurfaceItem::SecurityCode,
    }
}

fn name<T: serde::Serialize + std::fmt::Debug>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|v| name_of(v, ""))
}

fn text(v: &Option<model::At<String>>) -> Option<String> {
    v.as_ref().map(|s| s.value.to_ascii_uppercase())
}

fn date(d: &Option<model::At<model::DateText>>) -> Option<String> {
    d.as_ref().map(|d| d.value.0.clone())
}

/// Lowers `certificate`.
pub fn certificate(c: &model::CertificateExpect) -> CertificateCheck {
    CertificateCheck {
        of: of(&c.of),
        read: c.read,
        status: text(&c.status),
        version: c.version,
        key_bits: c.key_bits,
        signature_algorithm: name(&c.signature_algorithm),
        subject: name(&c.subject),
        serial: name(&c.serial),
        chains_to: c.chains_to.map(|ca| match ca {
            model::CaName::AuthCa => CertKind::Auth,
            model::CaName::SignatureCa => CertKind::Sign,
        }),
    }
}

/// Lowers `signature`.
pub fn signature(s: &model::SignatureExpect) -> SignatureCheck {
    SignatureCheck {
        of: of(&s.of),
        pin: name(&s.pin),
        tries_left: s.tries_left,
        signed: s.signed,
        status: text(&s.status),
        verifies: s.verifies,
    }
}

/// Lowers `surface`.
pub fn surface(s: &model::SurfaceExpect) -> SurfaceCheck {
    SurfaceCheck {
        of: of(&s.of),
        pin: name(&s.pin),
        tries_left: s.tries_left,
        read: s.read,
        status: text(&s.status),
        items: s
            .items
            .as_ref()
            .map(|l| l.iter().map(|i| surface_item(*i)).collect()),
        born: date(&s.born),
        expires: date(&s.expires),
        sex: s.sex.map(|x| name_of(&x, "")),
    }
}

/// Lowers `my_number`.
pub fn my_number(m: &model::MyNumberExpect, r: &impl Resolve) -> MyNumberCheck {
    MyNumberCheck {
        person: person(r, &m.person),
        digits: m.digits,
        check_digit: m.check_digit,
        synthetic: m.synthetic,
    }
}

/// Lowers `portal.account`.
pub fn portal_account(p: &model::PortalAccountExpect, r: &impl Resolve) -> PortalAccountCheck {
    PortalAccountCheck {
        person: person(r, &p.person),
        account: p.account,
        resident_code_from_jlis: p.resident_code.is_some(),
    }
}

/// Lowers `jlis.status`.
pub fn jlis_status(s: &model::JlisStatusExpect, r: &impl Resolve) -> JlisStatusCheck {
    JlisStatusCheck {
        person: s.person.as_ref().map(|p| person(r, p)),
        kind: cert_kind(s.certificate),
        serial: name_of(&s.serial.value, ""),
        status: name(&s.status),
        reason: name(&s.reason),
        revoked_on: s.revoked_on.as_ref().map(|d| d.value.0.clone()),
        not_after: s.not_after.as_ref().map(|d| d.value.0.clone()),
    }
}

/// Lowers `jlis.issued`.
pub fn jlis_issued(i: &model::JlisIssuedExpect, r: &impl Resolve) -> JlisIssuedCheck {
    JlisIssuedCheck {
        people: i.people.iter().map(|p| person(r, p)).collect(),
        certificates: i.certificates,
        distinct_serials: i.distinct_serials,
        signed_by_ca: i.signed_by_ca,
    }
}
