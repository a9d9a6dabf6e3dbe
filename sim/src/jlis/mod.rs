//! J-LIS (地方公共団体情報システム機構): the certificate authority, issuance, revocation and the
//! serial chain (旧番号 search).
//!
//! [`Jlis`] keeps one small [`CertRecord`] per certificate: serial, holder, kind, validity,
//! pool key, status, cause and position in the holder's chain. Nothing is signed when a
//! certificate is issued; the X.509 DER is built the first time something reads it and is then
//! kept in the record. Keys come from a shared seeded [`KeyPool`], dealt in an order of the
//! world's own ([`KeyDeal`], from the seed and the scenario), so a key, a certificate or a
//! signature of another scenario's world does not belong to this one's cards.
//!
//! Decisions:
//! - Two CAs, as on the real card (EF 000B auth CA, EF 0002 signature CA): one issues
//!   利用者証明用 ([`CertKind::Auth`]) certificates, the other 署名用 ([`CertKind::Sign`]).
//!   Both are self-signed and valid [`CA_LIFETIME_YEARS`] years from `ca_valid_from`.
//! - One serial space for both kinds, so a serial alone identifies a certificate. The n-th
//!   certificate's serial is a keyed bijection of n (see `numbering.rs`): unique by construction,
//!   random-looking, and invertible, so [`Jlis::lookup`] is O(1) without a map.
//! - Each person has one chain per kind (a `Vec<Serial>`); each record knows its position,
//!   so [`Jlis::old_serials`] returns a slice of that Vec in O(1) (JLIS-3).
//! - [`Jlis::issue`] never revokes the predecessor: the world calls [`Jlis::revoke`] with
//!   [`RevocationReason::Superseded`] (CARD-8). Revoking twice is an error.

mod inspect;
mod keys;
mod numbering;
mod record;
mod x509;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use rsa::Pkcs1v15Sign;
use rsa::traits::PublicKeyParts;

pub use inspect::{CertificateFacts, inspect_certificate};
pub use keys::{DEFAULT_POOL_SEED, DEFAULT_POOL_SIZE, KEY_BITS, KeyDeal, KeyPool, KeyRef};
pub use record::{
    CertKind, CertRecord, CertStatus, IssueCause, Revocation, RevocationReason, Sex, SubjectInfo,
};
pub use x509::{
    SHA256_WITH_RSA, SYNTHETIC_ORG, ca_common_name, certificate_serial, sha256_digest_info,
    verify_chain, verify_signature,
};

use crate::clock::{Date, ToSpan};
use crate::ids::{CertId, PersonId, Serial};
use crate::rng::SeedRoot;
use numbering::{ResidentCodes, SerialNumbering};

/// How long the simulated CA certificates are valid, in years from `ca_valid_from`.
pub const CA_LIFETIME_YEARS: i16 = 30;

/// What went wrong in J-LIS, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JlisError {
    /// A certificate handle this J-LIS never issued.
    #[error("certificate {0:?} was not issued by this J-LIS")]
    UnknownCert(CertId),
    /// The certificate was already revoked; revocation happens once.
    #[error("certificate {serial} is already revoked ({reason:?} on {on})")]
    AlreadyRevoked {
        /// The certificate.
        serial: Serial,
        /// The earlier reason.
        reason: RevocationReason,
        /// The earlier date.
        on: Date,
    },
    /// A revocation dated before the certificate existed.
    #[error("certificate {serial} cannot be revoked on {on}: it was issued on {issued}")]
    RevokedBeforeIssue {
        /// The certificate.
        serial: Serial,
        /// Its issue date.
        issued: Date,
        /// The requested revocation date.
        on: Date,
    },
    /// The last valid day precedes the first.
    #[error("validity {issued}..={not_after} is empty: the last day precedes the first")]
    EmptyValidity {
        /// First day.
        issued: Date,
        /// Last day.
        not_after: Date,
    },
    /// A certificate dated before the CA existed.
    #[error(
        "cannot issue on {issued}: the CA is valid from {ca_valid_from}; create J-LIS with an earlier date"
    )]
    BeforeCa {
        /// The requested issue date.
        issued: Date,
        /// The CA's first day.
        ca_valid_from: Date,
    },
    /// Subject data given where it does not belong, or missing where it is required.
    #[error("{kind:?} certificate: {reason}")]
    Subject {
        /// Which kind was being issued.
        kind: CertKind,
        /// What is wrong.
        reason: &'static str,
    },
    /// The u32 handle space (or a chain position) is exhausted.
    #[error("too many certificates: the 2^32 handle space is exhausted")]
    TooManyCertificates,
    /// A replica J-LIS was given the same serial twice, or a world's own J-LIS was asked to
    /// adopt a certificate.
    #[error("certificate serial {0} is already known to this J-LIS")]
    DuplicateSerial(Serial),
    /// A replica J-LIS holds facts only: it neither issues, builds nor signs certificates.
    #[error("a replica J-LIS cannot {0}")]
    Replica(&'static str),
    /// A key pool with no keys.
    #[error("a key pool needs at least one key")]
    EmptyKeyPool,
    /// A key reference outside the pool.
    #[error("key {key:?} is outside the pool of {size} keys")]
    NoSuchKey {
        /// The reference.
        key: KeyRef,
        /// The pool size.
        size: u32,
    },
    /// RSA key generation failed (deterministic, so it would fail again).
    #[error("generating RSA key {what} failed: {reason}")]
    KeyGeneration {
        /// Which key.
        what: String,
        /// The RSA library's message.
        reason: String,
    },
    /// An input too long to sign: PKCS#1 v1.5 type 1 padding needs 11 bytes of the modulus.
    #[error("cannot sign {len} bytes: the key signs at most {max} (modulus length − 11)")]
    SignInputTooLong {
        /// The input's length.
        len: usize,
        /// The longest input the key signs.
        max: usize,
    },
    /// An RSA operation failed.
    #[error("RSA {context} failed: {reason}")]
    Rsa {
        /// What was being done.
        context: &'static str,
        /// The RSA library's message.
        reason: String,
    },
    /// Building or parsing DER failed.
    #[error("DER {context}: {reason}")]
    Der {
        /// What was being encoded or decoded.
        context: &'static str,
        /// The DER library's message.
        reason: String,
    },
    /// A date cannot be written in a certificate.
    #[error("date {date} cannot be written in a certificate (years 1950-9999 in UTC)")]
    DateOutOfRange {
        /// The date.
        date: Date,
    },
    /// A certificate or signature does not verify.
    #[error("verification failed: {reason}")]
    Verification {
        /// Why.
        reason: String,
    },
}

/// A person's certificate chains, one per kind, oldest first.
#[derive(Clone, Debug, Default)]
struct Chains {
    auth: Vec<Serial>,
    sign: Vec<Serial>,
}

impl Chains {
    fn of(&self, kind: CertKind) -> &[Serial] {
        match kind {
            CertKind::Auth => &self.auth,
            CertKind::Sign => &self.sign,
        }
    }

    fn of_mut(&mut self, kind: CertKind) -> &mut Vec<Serial> {
        match kind {
            CertKind::Auth => &mut self.auth,
            CertKind::Sign => &mut self.sign,
        }
    }
}

/// What a new record says of itself.
struct Issue {
    serial: Serial,
    person: PersonId,
    kind: CertKind,
    cause: IssueCause,
    issued: Date,
    not_after: Date,
}

/// The state of the simulated J-LIS: its CAs, every certificate record and every chain.
#[derive(Clone)]
pub struct Jlis {
    pool: KeyPool,
    /// This world's order of the pool's keys.
    deal: KeyDeal,
    ca_valid_from: Date,
    serials: SerialNumbering,
    residents: ResidentCodes,
    records: Vec<CertRecord>,
    /// Indexed by [`PersonId::index`] (person ids are dense indexes into the world's table).
    chains: Vec<Chains>,
    /// The auth and signature CA certificates, built on first read.
    ca_der: [OnceLock<Arc<[u8]>>; 2],
    /// The root the holders' link ids are drawn from.
    root: SeedRoot,
    /// Serial → record index for certificates another J-LIS issued ([`Jlis::adopt`]): a
    /// replica registry's copy of the J-LIS facts it was fed. Empty in a world's own J-LIS.
    adopted: HashMap<Serial, u32>,
}

impl fmt::Debug for Jlis {
    /// A summary: a million records are not worth printing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jlis")
            .field("pool", &self.pool)
            .field("ca_valid_from", &self.ca_valid_from)
            .field("certificates", &self.records.len())
            .field("people", &self.chains.len())
            .finish()
    }
}

fn ca_slot(kind: CertKind) -> usize {
    match kind {
        CertKind::Auth => 0,
        CertKind::Sign => 1,
    }
}

impl Jlis {
    /// J-LIS for the run rooted at `root`, with CAs valid from `ca_valid_from`, using the shared
    /// default key pool.
    pub fn new(root: SeedRoot, ca_valid_from: Date) -> Self {
        Self::with_pool(root, ca_valid_from, KeyPool::default())
    }

    /// J-LIS using `pool` for its CA and certificate keys.
    pub fn with_pool(root: SeedRoot, ca_valid_from: Date, pool: KeyPool) -> Self {
        Jlis {
            root,
            adopted: HashMap::new(),
            deal: pool.deal(&root),
            pool,
            ca_valid_from,
            serials: SerialNumbering::new(&root),
            residents: ResidentCodes::new(&root),
            records: Vec::new(),
            chains: Vec::new(),
            ca_der: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// The key pool.
    pub fn pool(&self) -> &KeyPool {
        &self.pool
    }

    /// The CAs' first valid day.
    pub fn ca_valid_from(&self) -> Date {
        self.ca_valid_from
    }

    /// The CAs' last valid day (the day before the [`CA_LIFETIME_YEARS`]th anniversary).
    pub fn ca_not_after(&self) -> Date {
        self.ca_valid_from
            .checked_add(CA_LIFETIME_YEARS.years())
            .and_then(|d| d.checked_sub(1.day()))
            .unwrap_or(Date::MAX)
    }

    /// How many certificates have been issued.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no certificate has been issued yet.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The DER of the self-signed CA certificate that issues `kind` certificates (built once).
    pub fn ca_certificate_der(&self, kind: CertKind) -> Result<Arc<[u8]>, JlisError> {
        let cell = &self.ca_der[ca_slot(kind)];
        if let Some(der) = cell.get() {
            return Ok(Arc::clone(der));
        }
        let key = self.pool.ca_private_key(kind)?;
        let der: Arc<[u8]> =
            x509::ca_certificate(kind, &key, self.ca_valid_from, self.ca_not_after())?.into();
        Ok(Arc::clone(cell.get_or_init(|| der)))
    }

    /// Issues a certificate to `person` valid `issued`..=`not_after` (JST days) and returns
    /// its handle. `subject` (基本4情報) is required for [`CertKind::Sign`] and refused for
    /// [`CertKind::Auth`]. This records the certificate only: no key is generated and
    /// nothing is signed until the DER is read. The predecessor is not revoked here.
    pub fn issue(
        &mut self,
        person: PersonId,
        kind: CertKind,
        issued: Date,
        not_after: Date,
        cause: IssueCause,
        subject: Option<SubjectInfo>,
    ) -> Result<CertId, JlisError> {
        if not_after < issued {
            return Err(JlisError::EmptyValidity { issued, not_after });
        }
        if !self.adopted.is_empty() {
            return Err(JlisError::Replica("issue certificates"));
        }
        if issued < self.ca_valid_from {
            return Err(JlisError::BeforeCa {
                issued,
                ca_valid_from: self.ca_valid_from,
            });
        }
        match (kind, &subject) {
            (CertKind::Auth, Some(_)) => {
                return Err(JlisError::Subject {
                    kind,
                    reason: "auth certificates carry no name; pass no subject",
                });
            }
            (CertKind::Sign, None) => {
                return Err(JlisError::Subject {
                    kind,
                    reason: "signature certificates carry the 基本4情報; a subject is required",
                });
            }
            _ => {}
        }
        let index =
            u32::try_from(self.records.len()).map_err(|_| JlisError::TooManyCertificates)?;
        let serial = self.serials.serial_of(index);
        let issue = Issue {
            serial,
            person,
            kind,
            cause,
            issued,
            not_after,
        };
        self.push_record(issue, subject)
    }

    /// Revokes `cert` from `on` (JLIS-2). Revoking a certificate twice is an error
    /// ([`JlisError::AlreadyRevoked`]), so a double revocation in a scenario shows up.
    pub fn revoke(
        &mut self,
        cert: CertId,
        reason: RevocationReason,
        on: Date,
    ) -> Result<(), JlisError> {
        let record = self
            .records
            .get_mut(cert.index())
            .ok_or(JlisError::UnknownCert(cert))?;
        if let Some(r) = record.revocation {
            return Err(JlisError::AlreadyRevoked {
                serial: record.serial,
                reason: r.reason,
                on: r.on,
            });
        }
        if on < record.issued {
            return Err(JlisError::RevokedBeforeIssue {
                serial: record.serial,
                issued: record.issued,
                on,
            });
        }
        record.revocation = Some(Revocation { reason, on });
        Ok(())
    }

    /// The status of `serial` on `on` (JLIS-2); [`CertStatus::Unknown`] for a serial this
    /// J-LIS never issued or had not issued yet on that day.
    pub fn status(&self, serial: Serial, on: Date) -> CertStatus {
        match self.lookup(serial) {
            Some(id) => self.records[id.index()].status_on(on),
            None => CertStatus::Unknown,
        }
    }

    /// The certificate with `serial`, in O(1) (the serial numbering is inverted, no map).
    pub fn lookup(&self, serial: Serial) -> Option<CertId> {
        if !self.adopted.is_empty() {
            return self.adopted.get(&serial).map(|&i| CertId(i));
        }
        let index = self.serials.index_of(serial)?;
        let record = self.records.get(index as usize)?;
        (record.serial == serial).then_some(CertId(index))
    }

    /// The record of `cert`.
    pub fn record(&self, cert: CertId) -> Result<&CertRecord, JlisError> {
        self.records
            .get(cert.index())
            .ok_or(JlisError::UnknownCert(cert))
    }

    /// 旧番号 search (JLIS-3): the serials issued to the same person in the same kind's chain
    /// before `serial`, oldest first; `Some(&[])` if there are none, `None` if the serial is
    /// unknown. O(1): a slice of the person's chain up to the record's position.
    pub fn old_serials(&self, serial: Serial) -> Option<&[Serial]> {
        let record = &self.records[self.lookup(serial)?.index()];
        let chain = self.chains.get(record.person.index())?.of(record.kind);
        chain.get(..record.chain_position as usize)
    }

    /// Why the certificate with `serial` was issued (tells renewal from card reissue).
    pub fn chain_cause(&self, serial: Serial) -> Option<IssueCause> {
        Some(self.records[self.lookup(serial)?.index()].cause)
    }

    /// The person's latest certificate of `kind`, whatever its status.
    pub fn current(&self, person: PersonId, kind: CertKind) -> Option<CertId> {
        let last = *self.chains.get(person.index())?.of(kind).last()?;
        self.lookup(last)
    }

    /// The person's latest auth certificate, whatever its status.
    pub fn current_auth(&self, person: PersonId) -> Option<CertId> {
        self.current(person, CertKind::Auth)
    }

    /// A serial this J-LIS has not issued (the one it would issue next): what a verifier asking
    /// about an unknown serial sends (JLIS-2).
    pub fn unissued_serial(&self) -> Serial {
        let next = u32::try_from(self.records.len()).unwrap_or(u32::MAX);
        self.serials.serial_of(next)
    }

    /// The opaque id J-LIS gives `person`'s holder where it names the holder to a registry (its
    /// HTTP answers, the registry feed): 16 lower-case hex digits drawn from the world's seed,
    /// stable within a scenario, the same for every certificate of the person, and unrelated to
    /// the My Number and the 住民票コード. It plays the part of a 機関別符号.
    pub fn holder_link(&self, person: PersonId) -> String {
        format!(
            "{:016x}",
            self.root.draw("jlis.holder-link", person.index() as u64)
        )
    }

    /// A J-LIS that holds another J-LIS's facts instead of issuing: its CA certificates are
    /// `auth_ca` and `sign_ca` (DER), and its certificates come from [`Jlis::adopt`]. A replica
    /// registry built from the registry feed uses it to check a terminal's certificate chain and
    /// to answer status and 旧番号 questions; it cannot build or sign certificates.
    pub fn replica(root: SeedRoot, auth_ca: Vec<u8>, sign_ca: Vec<u8>) -> Self {
        let j = Jlis::new(root, Date::MIN);
        let _ = j.ca_der[ca_slot(CertKind::Auth)].set(auth_ca.into());
        let _ = j.ca_der[ca_slot(CertKind::Sign)].set(sign_ca.into());
        j
    }

    /// Records a certificate another J-LIS issued, with its serial, at the end of `person`'s
    /// chain of its kind (so adopt a holder's certificates in the order they were issued). A
    /// serial adopted twice is [`JlisError::DuplicateSerial`].
    pub fn adopt(
        &mut self,
        serial: Serial,
        person: PersonId,
        kind: CertKind,
        cause: IssueCause,
        issued: Date,
        not_after: Date,
    ) -> Result<CertId, JlisError> {
        if not_after < issued {
            return Err(JlisError::EmptyValidity { issued, not_after });
        }
        if self.adopted.contains_key(&serial)
            || (self.adopted.is_empty() && !self.records.is_empty())
        {
            return Err(JlisError::DuplicateSerial(serial));
        }
        let issue = Issue {
            serial,
            person,
            kind,
            cause,
            issued,
            not_after,
        };
        let cert = self.push_record(issue, None)?;
        self.adopted.insert(serial, cert.0);
        Ok(cert)
    }

    /// Appends a record at the end of its holder's chain of its kind.
    fn push_record(
        &mut self,
        issue: Issue,
        subject: Option<SubjectInfo>,
    ) -> Result<CertId, JlisError> {
        let index =
            u32::try_from(self.records.len()).map_err(|_| JlisError::TooManyCertificates)?;
        let Issue {
            serial,
            person,
            kind,
            cause,
            issued,
            not_after,
        } = issue;
        if self.chains.len() <= person.index() {
            self.chains.resize_with(person.index() + 1, Chains::default);
        }
        let chain = self.chains[person.index()].of_mut(kind);
        let chain_position =
            u32::try_from(chain.len()).map_err(|_| JlisError::TooManyCertificates)?;
        chain.push(serial);
        self.records.push(CertRecord {
            serial,
            person,
            kind,
            cause,
            issued,
            not_after,
            key: self.deal.key_for(index),
            chain_position,
            revocation: None,
            subject: subject.map(Box::new),
            der: OnceLock::new(),
        });
        Ok(CertId(index))
    }

    /// Every certificate record, in the order issued.
    pub fn records(&self) -> &[CertRecord] {
        &self.records
    }

    /// The person's 住民票コード (JLIS-4): 11 synthetic digits, unique per person for this
    /// seed, derived from the seed.
    pub fn resident_code(&self, person: PersonId) -> String {
        self.residents.code(person)
    }

    /// The certificate's DER, built and signed on first read and kept in the record.
    pub fn certificate_der(&self, cert: CertId) -> Result<Arc<[u8]>, JlisError> {
        let record = self.record(cert)?;
        if let Some(der) = record.der.get() {
            return Ok(Arc::clone(der));
        }
        if !self.adopted.is_empty() {
            return Err(JlisError::Replica("build certificates"));
        }
        let subject_key = self.pool.public_key(record.key)?;
        let ca_key = self.pool.ca_private_key(record.kind)?;
        let ee = x509::EndEntity {
            serial: record.serial,
            kind: record.kind,
            issued: record.issued,
            not_after: record.not_after,
            subject: record.subject(),
        };
        let der: Arc<[u8]> = x509::end_entity_certificate(&ee, &subject_key, &ca_key)?.into();
        Ok(Arc::clone(record.der.get_or_init(|| der)))
    }

    /// A raw PKCS#1 v1.5 signature over `input` (usually a DER DigestInfo; any bytes are
    /// padded with type 1 as given) with the key of `cert`: what the card returns to COMPUTE
    /// DIGITAL SIGNATURE. An input longer than the modulus length − 11 bytes is
    /// [`JlisError::SignInputTooLong`]. Status is not checked: a revoked card still signs;
    /// verifiers ask [`Jlis::status`].
    pub fn sign(&self, cert: CertId, input: &[u8]) -> Result<Vec<u8>, JlisError> {
        if !self.adopted.is_empty() {
            return Err(JlisError::Replica("sign"));
        }
        let key = self.pool.private_key(self.record(cert)?.key)?;
        let max = key.size().saturating_sub(11);
        if input.len() > max {
            return Err(JlisError::SignInputTooLong {
                len: input.len(),
                max,
            });
        }
        key.sign(Pkcs1v15Sign::new_unprefixed(), input)
            .map_err(|e| JlisError::Rsa {
                context: "PKCS#1 v1.5 signature",
                reason: e.to_string(),
            })
    }
}
