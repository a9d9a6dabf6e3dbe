//! What a verifier reads out of a certificate's DER: version, serial, algorithms, key size,
//! issuer and the subject (the 基本4情報 of a signature certificate, or only the serial of an
//! auth certificate). Used by the harness to check certificates read from a card.

use der::{Decode, Tag, Tagged};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use x509_cert::attr::Attribute;
use x509_cert::certificate::Version;

use super::JlisError;
use super::x509::{
    COMMON_NAME, DATE_OF_BIRTH, GENDER, SHA256_WITH_RSA, STREET, SUBJECT_DIRECTORY_ATTRIBUTES,
    der_err, parse, public_key,
};
use crate::clock::Date;
use crate::ids::Serial;

/// What a certificate says, as a verifier reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateFacts {
    /// X.509 version (1, 2 or 3).
    pub version: u8,
    /// The serial, when it fits 64 bits (every simulated end-entity serial does).
    pub serial: Option<Serial>,
    /// The signature algorithm: `sha256WithRSAEncryption`, `sha1WithRSAEncryption` or the
    /// dotted OID.
    pub signature_algorithm: String,
    /// RSA modulus size in bits (None: not an RSA key).
    pub key_bits: Option<usize>,
    /// The issuer name (RFC 4514 form).
    pub issuer: String,
    /// The subject's commonName.
    pub common_name: Option<String>,
    /// The subject's street (住所 of a signature certificate).
    pub street: Option<String>,
    /// dateOfBirth from subjectDirectoryAttributes.
    pub birth: Option<Date>,
    /// gender (`M`/`F`) from subjectDirectoryAttributes.
    pub gender: Option<String>,
}

/// Reads the facts of the certificate `der`.
pub fn inspect_certificate(der: &[u8]) -> Result<CertificateFacts, JlisError> {
    let cert = parse(der, "certificate")?;
    let tbs = &cert.tbs_certificate;
    let version = match tbs.version {
        Version::V1 => 1,
        Version::V2 => 2,
        Version::V3 => 3,
    };
    let oid = cert.signature_algorithm.oid;
    let signature_algorithm = if oid == SHA256_WITH_RSA {
        "sha256WithRSAEncryption".to_string()
    } else if oid.to_string() == "1.2.840.113549.1.1.5" {
        "sha1WithRSAEncryption".to_string()
    } else {
        oid.to_string()
    };
    let bytes = tbs.serial_number.as_bytes();
    let digits: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let serial = (digits.len() <= 8).then(|| {
        Serial(
            digits
                .iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        )
    });
    let key_bits = public_key(&cert).ok().map(|k| k.size() * 8);
    let mut common_name = None;
    let mut street = None;
    for rdn in tbs.subject.0.iter() {
        for atv in rdn.0.iter() {
            let text = String::from_utf8(atv.value.value().to_vec()).ok();
            if atv.oid == COMMON_NAME {
                common_name = text;
            } else if atv.oid == STREET {
                street = text;
            }
        }
    }
    let mut birth = None;
    let mut gender = None;
    for ext in tbs.extensions.iter().flatten() {
        if ext.extn_id != SUBJECT_DIRECTORY_ATTRIBUTES {
            continue;
        }
        let attrs = Vec::<Attribute>::from_der(ext.extn_value.as_bytes())
            .map_err(der_err("subject directory attributes"))?;
        for a in attrs {
            let Some(value) = a.values.iter().next() else {
                continue;
            };
            if a.oid == DATE_OF_BIRTH {
                // Read by hand (`der`'s GeneralizedTime stops at 1970): YYYYMMDDhhmmssZ.
                if value.tag() != Tag::GeneralizedTime {
                    return Err(JlisError::Verification {
                        reason: "dateOfBirth is not a GeneralizedTime".into(),
                    });
                }
                birth = parse_birth(value.value());
            } else if a.oid == GENDER {
                gender = String::from_utf8(value.value().to_vec()).ok();
            }
        }
    }
    Ok(CertificateFacts {
        version,
        serial,
        signature_algorithm,
        key_bits,
        issuer: tbs.issuer.to_string(),
        common_name,
        street,
        birth,
        gender,
    })
}

/// The date of a GeneralizedTime `YYYYMMDDhhmmssZ`.
fn parse_birth(text: &[u8]) -> Option<Date> {
    let text = std::str::from_utf8(text).ok()?;
    let n = |r: std::ops::Range<usize>| text.get(r)?.parse::<i16>().ok();
    Date::new(
        n(0..4)?,
        i8::try_from(n(4..6)?).ok()?,
        i8::try_from(n(6..8)?).ok()?,
    )
    .ok()
}
