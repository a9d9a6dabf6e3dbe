//! What J-LIS remembers about each certificate, and the vocabulary around it: kinds, why a
//! certificate was issued, why it was revoked, and its status on a given day.

use std::sync::{Arc, OnceLock};

pub use crate::person::Sex;
use serde::{Deserialize, Serialize};

use super::keys::KeyRef;
use crate::clock::Date;
use crate::ids::{PersonId, Serial};

/// Which JPKI certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertKind {
    /// 利用者証明用電子証明書: no name inside; its serial is what the registry links.
    Auth,
    /// 署名用電子証明書: carries the 基本4情報.
    Sign,
}

/// Why a certificate was issued (rules-tables §6: what creates a new serial).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCause {
    /// 新規発行: the person's first certificate of this kind (or after a voluntary 失効).
    First,
    /// 更新: renewal before expiry.
    Renewal,
    /// Card reissue (loss, damage) or a new card: new certificates on the new card.
    CardReissue,
    /// Re-issue after the previous certificate expired.
    ReissueAfterExpiry,
}

/// Why a certificate was revoked (the RFC 5280 CRLReason it maps to in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// No reason given (unspecified, 0).
    Unspecified,
    /// The key or card was compromised, for example a stolen card with a known PIN (1).
    KeyCompromise,
    /// A 基本4情報 change revoked a signature certificate (affiliationChanged, 3).
    AffiliationChanged,
    /// Replaced by a renewal or reissue (superseded, 4).
    Superseded,
    /// Card returned, lost or the holder died (cessationOfOperation, 5).
    CessationOfOperation,
}

impl RevocationReason {
    /// The RFC 5280 CRLReason code.
    pub fn crl_code(self) -> u8 {
        match self {
            RevocationReason::Unspecified => 0,
            RevocationReason::KeyCompromise => 1,
            RevocationReason::AffiliationChanged => 3,
            RevocationReason::Superseded => 4,
            RevocationReason::CessationOfOperation => 5,
        }
    }
}

/// A revocation: why and on which day (JST).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Revocation {
    /// Why.
    pub reason: RevocationReason,
    /// The day it took effect.
    pub on: Date,
}

/// A certificate's status on one day, as J-LIS answers it (JLIS-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    /// J-LIS knows no such serial on that day (never issued, or issued later).
    Unknown,
    /// Valid; `not_after` is the last valid day.
    Valid {
        /// The last day of validity (JST).
        not_after: Date,
    },
    /// Expired; `on` is the last day it was valid (its 有効期限).
    Expired {
        /// The last day of validity (JST).
        on: Date,
    },
    /// Revoked before it expired.
    Revoked {
        /// Why.
        reason: RevocationReason,
        /// The day the revocation took effect.
        on: Date,
    },
}

/// 基本4情報: what a signature certificate says about its holder.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubjectInfo {
    /// 氏名.
    pub name: String,
    /// 住所.
    pub address: String,
    /// 生年月日.
    pub birth: Date,
    /// 性別.
    pub sex: Sex,
}

/// J-LIS's record of one certificate. The DER is built and signed only when first read and
/// then kept here, so a world of a million certificates costs no signing.
#[derive(Clone, Debug)]
pub struct CertRecord {
    pub(super) serial: Serial,
    pub(super) person: PersonId,
    pub(super) kind: CertKind,
    pub(super) cause: IssueCause,
    pub(super) issued: Date,
    pub(super) not_after: Date,
    pub(super) key: KeyRef,
    pub(super) chain_position: u32,
    pub(super) revocation: Option<Revocation>,
    pub(super) subject: Option<Box<SubjectInfo>>,
    pub(super) der: OnceLock<Arc<[u8]>>,
}

impl CertRecord {
    /// 発行の番号.
    pub fn serial(&self) -> Serial {
        self.serial
    }

    /// The holder.
    pub fn person(&self) -> PersonId {
        self.person
    }

    /// Auth or signature certificate.
    pub fn kind(&self) -> CertKind {
        self.kind
    }

    /// Why it was issued (tells renewal from card reissue).
    pub fn cause(&self) -> IssueCause {
        self.cause
    }

    /// First valid day (JST).
    pub fn issued(&self) -> Date {
        self.issued
    }

    /// Last valid day (JST), the 有効期限.
    pub fn not_after(&self) -> Date {
        self.not_after
    }

    /// The pool key this certificate certifies (possibly shared with other certificates).
    pub fn key(&self) -> KeyRef {
        self.key
    }

    /// Position in the holder's chain of this kind: 0 for the first, n for the n-th renewal
    /// or reissue; equals the number of earlier serials (旧番号).
    pub fn chain_position(&self) -> u32 {
        self.chain_position
    }

    /// The revocation, if any.
    pub fn revocation(&self) -> Option<Revocation> {
        self.revocation
    }

    /// The 基本4情報 (signature certificates only).
    pub fn subject(&self) -> Option<&SubjectInfo> {
        self.subject.as_deref()
    }

    /// Whether the DER has been built already.
    pub fn has_der(&self) -> bool {
        self.der.get().is_some()
    }

    /// Status on `on`: unknown before issue; revoked from the revocation day if that came
    /// no later than expiry; expired after `not_after`; otherwise valid.
    pub fn status_on(&self, on: Date) -> CertStatus {
        if on < self.issued {
            return CertStatus::Unknown;
        }
        if let Some(r) = self.revocation
            && r.on <= on
            && r.on <= self.not_after
        {
            return CertStatus::Revoked {
                reason: r.reason,
                on: r.on,
            };
        }
        if on > self.not_after {
            CertStatus::Expired { on: self.not_after }
        } else {
            CertStatus::Valid {
                not_after: self.not_after,
            }
        }
    }
}
