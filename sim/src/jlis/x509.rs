//! DER building and verification of the simulated JPKI certificates: real X.509 v3,
//! RSA-2048, sha256WithRSAEncryption, chained to one of two self-signed simulated CAs.
//!
//! Layout (ours, modelled loosely on JPKI):
//! - CA: subject = issuer = `C=JP, O=onshi (synthetic), CN=onshi simulated JPKI … CA`;
//!   basicConstraints CA (critical), keyUsage keyCertSign + cRLSign (critical),
//!   subjectKeyIdentifier.
//! - Auth (利用者証明用): subject `C=JP, O=onshi (synthetic), CN=<serial in hex>`, no name,
//!   like the real ones; keyUsage digitalSignature.
//! - Sign (署名用): subject `C=JP, O=onshi (synthetic), street=<address>, CN=<name>` as
//!   UTF8String; the birth date and sex go in a subjectDirectoryAttributes extension
//!   (RFC 3739 dateOfBirth, gender); keyUsage digitalSignature + nonRepudiation.
//! - Validity: from 00:00 JST on the first day to 23:59:59 JST on the last day, written in
//!   UTC (UTCTime before 2050, GeneralizedTime from 2050, as RFC 5280 requires).
//!
//! Everything is deterministic: PKCS#1 v1.5 signatures use no randomness, and the key
//! identifiers are SHA-1 hashes of the public keys.

use der::asn1::{Any, BitString, GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::oid::ObjectIdentifier;
use der::referenced::OwnedToRef;
use der::{Decode, Encode, Tag};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{AsExtension, Extension};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time as X509Time, Validity};

use super::{CertKind, JlisError, SubjectInfo};
use crate::clock::{Date, Time, ToSpan};
use crate::ids::Serial;

/// sha256WithRSAEncryption (RFC 4055).
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
pub(super) const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
pub(super) const STREET: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.9");
pub(super) const SUBJECT_DIRECTORY_ATTRIBUTES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.29.9");
pub(super) const DATE_OF_BIRTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.9.1");
pub(super) const GENDER: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.9.3");

/// The organisation every simulated name carries, so no artefact passes for a real one.
pub const SYNTHETIC_ORG: &str = "onshi (synthetic)";

/// The common name of the CA that issues `kind` certificates.
pub fn ca_common_name(kind: CertKind) -> &'static str {
    match kind {
        CertKind::Auth => "onshi simulated JPKI user authentication CA",
        CertKind::Sign => "onshi simulated JPKI digital signature CA",
    }
}

/// The DER DigestInfo of SHA-256 over `message` (what a client sends to COMPUTE DIGITAL
/// SIGNATURE).
pub fn sha256_digest_info(message: &[u8]) -> Vec<u8> {
    const PREFIX: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let mut out = PREFIX.to_vec();
    out.extend_from_slice(&Sha256::digest(message));
    out
}

/// What the DER of one end-entity certificate depends on.
pub(crate) struct EndEntity<'a> {
    pub serial: Serial,
    pub kind: CertKind,
    pub issued: Date,
    pub not_after: Date,
    pub subject: Option<&'a SubjectInfo>,
}

pub(super) fn der_err(context: &'static str) -> impl Fn(der::Error) -> JlisError {
    move |e| JlisError::Der {
        context,
        reason: e.to_string(),
    }
}

fn atv(oid: ObjectIdentifier, tag: Tag, value: &str) -> Result<AttributeTypeAndValue, JlisError> {
    let value = Any::new(tag, value.as_bytes()).map_err(der_err("name attribute"))?;
    Ok(AttributeTypeAndValue { oid, value })
}

/// A name from (type, tag, value) triples, most significant first (C, O, …, CN).
fn name(parts: &[(ObjectIdentifier, Tag, &str)]) -> Result<Name, JlisError> {
    let mut rdns = Vec::with_capacity(parts.len());
    for &(oid, tag, value) in parts {
        let set = SetOfVec::try_from(vec![atv(oid, tag, value)?]).map_err(der_err("name"))?;
        rdns.push(RelativeDistinguishedName(set));
    }
    Ok(RdnSequence(rdns))
}

fn ca_name(kind: CertKind) -> Result<Name, JlisError> {
    name(&[
        (COUNTRY, Tag::PrintableString, "JP"),
        (ORGANIZATION, Tag::Utf8String, SYNTHETIC_ORG),
        (COMMON_NAME, Tag::Utf8String, ca_common_name(kind)),
    ])
}

fn subject_name(ee: &EndEntity<'_>) -> Result<Name, JlisError> {
    match (ee.kind, ee.subject) {
        (CertKind::Auth, _) | (CertKind::Sign, None) => name(&[
            (COUNTRY, Tag::PrintableString, "JP"),
            (ORGANIZATION, Tag::Utf8String, SYNTHETIC_ORG),
            (COMMON_NAME, Tag::Utf8String, &ee.serial.hex()),
        ]),
        (CertKind::Sign, Some(s)) => name(&[
            (COUNTRY, Tag::PrintableString, "JP"),
            (ORGANIZATION, Tag::Utf8String, SYNTHETIC_ORG),
            (STREET, Tag::Utf8String, &s.address),
            (COMMON_NAME, Tag::Utf8String, &s.name),
        ]),
    }
}

/// A JST civil date-time as an X.509 time in UTC.
fn jst_to_x509(date: Date, time: Time) -> Result<X509Time, JlisError> {
    let out_of_range = || JlisError::DateOutOfRange { date };
    let utc = date
        .to_datetime(time)
        .checked_sub(9.hours())
        .map_err(|_| out_of_range())?;
    let year = u16::try_from(utc.year()).map_err(|_| out_of_range())?;
    let fields = |v: i8| u8::try_from(v).map_err(|_| out_of_range());
    let dt = der::DateTime::new(
        year,
        fields(utc.month())?,
        fields(utc.day())?,
        fields(utc.hour())?,
        fields(utc.minute())?,
        fields(utc.second())?,
    )
    .map_err(|_| out_of_range())?;
    if (1950..2050).contains(&year) {
        UtcTime::from_date_time(dt)
            .map(X509Time::UtcTime)
            .map_err(|_| out_of_range())
    } else {
        Ok(X509Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// The validity from 00:00 JST on `from` to 23:59:59 JST on `to`.
fn validity(from: Date, to: Date) -> Result<Validity, JlisError> {
    Ok(Validity {
        not_before: jst_to_x509(from, Time::midnight())?,
        not_after: jst_to_x509(to, Time::constant(23, 59, 59, 0))?,
    })
}

fn sha256_with_rsa() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: SHA256_WITH_RSA,
        parameters: Some(Any::null()),
    }
}

fn spki_of(key: &RsaPublicKey) -> Result<SubjectPublicKeyInfoOwned, JlisError> {
    SubjectPublicKeyInfoOwned::from_key(key.clone()).map_err(|e| JlisError::Der {
        context: "subject public key info",
        reason: e.to_string(),
    })
}

fn extension<E: AsExtension>(ext: &E, subject: &Name) -> Result<Extension, JlisError> {
    ext.to_extension(subject, &[]).map_err(der_err("extension"))
}

/// subjectDirectoryAttributes with RFC 3739 dateOfBirth (GeneralizedTime at 12:00 GMT, as
/// the RFC recommends, for any year: births before 1970 included) and gender (`M`/`F`; left out when 9 = not applicable).
fn directory_attributes(s: &SubjectInfo) -> Result<Extension, JlisError> {
    // Written by hand: `der::DateTime` starts in 1970, and people are born earlier.
    let b = s.birth;
    if !(0..=9999).contains(&b.year()) {
        return Err(JlisError::DateOutOfRange { date: b });
    }
    let text = format!("{:04}{:02}{:02}120000Z", b.year(), b.month(), b.day());
    let birth = Any::new(Tag::GeneralizedTime, text.as_bytes()).map_err(der_err("birth"))?;
    let mut attrs = vec![attribute(DATE_OF_BIRTH, birth)?];
    if let Some(g) = s.sex.rfc3739_gender() {
        let gender = Any::new(Tag::PrintableString, g.as_bytes()).map_err(der_err("gender"))?;
        attrs.push(attribute(GENDER, gender)?);
    }
    let value = attrs
        .to_der()
        .map_err(der_err("subject directory attributes"))?;
    Ok(Extension {
        extn_id: SUBJECT_DIRECTORY_ATTRIBUTES,
        critical: false,
        extn_value: OctetString::new(value).map_err(der_err("subject directory attributes"))?,
    })
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, JlisError> {
    let values = SetOfVec::try_from(vec![value]).map_err(der_err("attribute"))?;
    Ok(Attribute { oid, values })
}

/// Signs `tbs` with `ca_key` and returns the certificate's DER.
fn sign_tbs(tbs: TbsCertificate, ca_key: &RsaPrivateKey) -> Result<Vec<u8>, JlisError> {
    let tbs_der = tbs.to_der().map_err(der_err("tbsCertificate"))?;
    let signature = ca_key
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs_der))
        .map_err(|e| JlisError::Rsa {
            context: "certificate signature",
            reason: e.to_string(),
        })?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sha256_with_rsa(),
        signature: BitString::from_bytes(&signature).map_err(der_err("signature"))?,
    };
    cert.to_der().map_err(der_err("certificate"))
}

/// The self-signed certificate of the CA for `kind`, valid `from`..=`to` (JST days).
pub(crate) fn ca_certificate(
    kind: CertKind,
    key: &RsaPrivateKey,
    from: Date,
    to: Date,
) -> Result<Vec<u8>, JlisError> {
    let subject = ca_name(kind)?;
    let spki = spki_of(&key.to_public_key())?;
    let ski = SubjectKeyIdentifier::try_from(spki.owned_to_ref()).map_err(der_err("key id"))?;
    let extensions = vec![
        extension(
            &BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            },
            &subject,
        )?,
        extension(
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            &subject,
        )?,
        extension(&ski, &subject)?,
    ];
    let tbs = TbsCertificate {
        version: Version::V3,
        // The CA certificates have their own issuer names, so these never clash with the
        // end-entity serials.
        serial_number: SerialNumber::from(match kind {
            CertKind::Auth => 1u32,
            CertKind::Sign => 2u32,
        }),
        signature: sha256_with_rsa(),
        issuer: subject.clone(),
        validity: validity(from, to)?,
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    sign_tbs(tbs, key)
}

/// The certificate of `ee` for `subject_key`, signed by the CA key of its kind.
pub(crate) fn end_entity_certificate(
    ee: &EndEntity<'_>,
    subject_key: &RsaPublicKey,
    ca_key: &RsaPrivateKey,
) -> Result<Vec<u8>, JlisError> {
    let subject = subject_name(ee)?;
    let spki = spki_of(subject_key)?;
    let ca_spki = spki_of(&ca_key.to_public_key())?;
    let ski = SubjectKeyIdentifier::try_from(spki.owned_to_ref()).map_err(der_err("key id"))?;
    let aki =
        AuthorityKeyIdentifier::try_from(ca_spki.owned_to_ref()).map_err(der_err("key id"))?;
    let usage = match ee.kind {
        CertKind::Auth => KeyUsage(KeyUsages::DigitalSignature.into()),
        CertKind::Sign => KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
    };
    let mut extensions = vec![
        extension(
            &BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
            &subject,
        )?,
        extension(&usage, &subject)?,
        extension(&ski, &subject)?,
        extension(&aki, &subject)?,
    ];
    if let (CertKind::Sign, Some(s)) = (ee.kind, ee.subject) {
        extensions.push(directory_attributes(s)?);
    }
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::from(ee.serial.0),
        signature: sha256_with_rsa(),
        issuer: ca_name(ee.kind)?,
        validity: validity(ee.issued, ee.not_after)?,
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    sign_tbs(tbs, ca_key)
}

pub(super) fn parse(der: &[u8], what: &'static str) -> Result<Certificate, JlisError> {
    Certificate::from_der(der).map_err(der_err(what))
}

pub(super) fn public_key(cert: &Certificate) -> Result<RsaPublicKey, JlisError> {
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(der_err("subject public key info"))?;
    RsaPublicKey::from_public_key_der(&spki).map_err(|e| JlisError::Verification {
        reason: format!("the certificate's key is not an RSA key: {e}"),
    })
}

/// Checks that `cert` carries a sha256WithRSAEncryption signature by `issuer_key`.
fn check_signed_by(cert: &Certificate, issuer_key: &RsaPublicKey) -> Result<(), JlisError> {
    if cert.signature_algorithm.oid != SHA256_WITH_RSA {
        return Err(JlisError::Verification {
            reason: format!(
                "signature algorithm {} is not sha256WithRSAEncryption",
                cert.signature_algorithm.oid
            ),
        });
    }
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(der_err("tbsCertificate"))?;
    let signature = cert
        .signature
        .as_bytes()
        .ok_or_else(|| JlisError::Verification {
            reason: "the signature BIT STRING has unused bits".into(),
        })?;
    issuer_key
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(&tbs),
            signature,
        )
        .map_err(|e| JlisError::Verification {
            reason: format!("signature does not verify: {e}"),
        })
}

/// Verifies that `cert_der` was issued and signed by the CA of the self-signed `ca_der` (and
/// that the CA certificate's own signature holds). Validity dates are not checked: ask
/// [`super::Jlis::status`] for that.
pub fn verify_chain(cert_der: &[u8], ca_der: &[u8]) -> Result<(), JlisError> {
    let cert = parse(cert_der, "certificate")?;
    let ca = parse(ca_der, "CA certificate")?;
    if cert.tbs_certificate.issuer != ca.tbs_certificate.subject {
        return Err(JlisError::Verification {
            reason: format!(
                "issuer `{}` is not the CA `{}`",
                cert.tbs_certificate.issuer, ca.tbs_certificate.subject
            ),
        });
    }
    let ca_key = public_key(&ca)?;
    check_signed_by(&ca, &ca_key)?;
    check_signed_by(&cert, &ca_key)
}

/// Verifies a raw PKCS#1 v1.5 `signature` over the DER `digest_info_der` with the public key
/// of `cert_der` (what a verifier does with a COMPUTE DIGITAL SIGNATURE answer).
pub fn verify_signature(
    cert_der: &[u8],
    digest_info_der: &[u8],
    signature: &[u8],
) -> Result<(), JlisError> {
    let key = public_key(&parse(cert_der, "certificate")?)?;
    key.verify(Pkcs1v15Sign::new_unprefixed(), digest_info_der, signature)
        .map_err(|e| JlisError::Verification {
            reason: format!("signature does not verify: {e}"),
        })
}

/// The serial number of a certificate, as the 発行の番号 the registry links (end-entity serials
/// fit in 64 bits; anything longer is not one of ours).
pub fn certificate_serial(cert_der: &[u8]) -> Result<Serial, JlisError> {
    let cert = parse(cert_der, "certificate")?;
    let bytes = cert.tbs_certificate.serial_number.as_bytes();
    let digits: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if digits.len() > 8 {
        return Err(JlisError::Verification {
            reason: format!(
                "serial of {} bytes is not a simulated J-LIS serial",
                digits.len()
            ),
        });
    }
    Ok(Serial(
        digits
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    ))
}
