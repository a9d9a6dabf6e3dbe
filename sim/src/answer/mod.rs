//! What the registry answers, as typed values that hold handles, not strings: the answer to one
//! confirmation ([`Answer`]) and the consent-gated data it hands out ([`DataPayload`] or
//! [`DataDenied`]).
//!
//! These types are the vocabulary between the registry, which produces them, and everyone who
//! reads them: the reference provider, [`crate::oqs`] (which turns them into the messages) and
//! the harness. They live apart from the registry so that `oqs` can read them while the
//! registry stays free to use `oqs`.

mod data;

use serde::{Deserialize, Serialize};

use crate::clock::{Date, Moment};
use crate::codes::QualificationValidity;
use crate::ids::{InstitutionId, PersonId, QualificationId, Serial};
use crate::insurer::{DesignatedDiseaseCertificate, LimitCertificate, LossReason};
use crate::rules::ConsentItem;

pub use data::{Checkup, DataDenied, DataPayload, MedicalRecord};

/// Scheduled unavailability (PRT-4, 規約 第9条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageKind {
    /// 計画メンテナンス.
    Maintenance,
    /// 緊急停止.
    Emergency,
    /// 流量制御 (throttling under load).
    Throttle,
}

/// The consent flag of one item as the answer carries it (OQSCD016).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentFlag {
    /// The item.
    pub item: ConsentItem,
    /// 0 同意なし, 1 同意あり, 2 同意有効期限切れ.
    pub status: u8,
    /// 同意日時 (14 digits).
    pub at: Option<String>,
    /// 閲覧有効期限 (14 digits).
    pub available_until: Option<String>,
}

/// How the person was identified (照会区分).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Reference {
    /// 1: by the card's auth certificate.
    Card {
        /// The serial presented.
        serial: Serial,
    },
    /// 2: by insurance numbers (資格確認書, old card).
    Numbers,
}

/// Why the registry answered with an error (SegmentOfResult 9 / ProcessingResultStatus 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// Maintenance, emergency stop or throttling (PRT-4).
    Outage {
        /// Kind.
        kind: OutageKind,
        /// When it ends.
        until: String,
    },
    /// The institution is not known to the system.
    UnknownInstitution,
    /// J-LIS never issued this serial.
    CertificateUnknown,
    /// The certificate was revoked (loss, reissue, renewal).
    CertificateRevoked {
        /// Reason as J-LIS states it.
        reason: String,
        /// Revocation date.
        on: Date,
    },
    /// The certificate expired and the grace period has ended too.
    CertificateExpired {
        /// Expiry date.
        expired: Date,
        /// Last day of the grace period.
        grace_end: Date,
    },
    /// A new certificate is not usable yet (switch `new_certificate_delay_hours`).
    CertificatePending {
        /// When it becomes usable.
        usable_from: String,
    },
    /// A rule table has no row for this case (a replaced table with a gap): the registry
    /// cannot answer without guessing.
    RuleGap {
        /// The rule error.
        message: String,
    },
    /// The serial is not registered for insurance use and no earlier serial carries a
    /// registration: the reader offers registration (RDR-3).
    NotRegistered,
    /// Registered through the app: usable from the next visit.
    RegistrationPending {
        /// When it becomes usable.
        usable_from: String,
    },
}

impl Refusal {
    /// A refusal for a reason of the card's own (its certificate or its registration): the
    /// registry works, so the desk can still confirm by the numbers on the patient's papers.
    /// Outages, an unknown institution and a rule gap are the registry's side.
    pub fn is_card_refusal(&self) -> bool {
        match self {
            Refusal::CertificateUnknown
            | Refusal::CertificateRevoked { .. }
            | Refusal::CertificateExpired { .. }
            | Refusal::CertificatePending { .. }
            | Refusal::NotRegistered
            | Refusal::RegistrationPending { .. } => true,
            Refusal::Outage { .. } | Refusal::UnknownInstitution | Refusal::RuleGap { .. } => false,
        }
    }
}

/// Whether the registry answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AnswerStatus {
    /// An answer with a 資格有効性.
    Answered,
    /// An error answer.
    Refused(Refusal),
}

/// What may be provided (RDR-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum DataScope {
    /// Everything the consents allow.
    Full,
    /// Certificate expired but inside the grace period: 資格情報 only.
    QualificationOnly {
        /// Last day of the grace period.
        grace_end: Date,
    },
}

/// 高齢受給者 data of a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ElderlyInfo {
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 一部負担金割合 (percent).
    pub copay_percent: u8,
}

/// One ResultOfQualificationConfirmation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResultItem {
    /// The qualification record.
    pub qualification: QualificationId,
    /// Whose it is.
    pub person: PersonId,
    /// 負担割合 (percent) on the confirmation date.
    pub copay_percent: u8,
    /// 未就学区分.
    pub preschool: bool,
    /// 高齢受給者 data (70–74).
    pub elderly: Option<ElderlyInfo>,
    /// 資格喪失 as known to the registry.
    pub loss: Option<(Date, LossReason)>,
    /// 限度額 data, when registered, applicable and allowed.
    #[serde(skip)]
    pub limit: Option<LimitCertificate>,
    /// 限度額 consent time, when a consent flag was sent.
    pub limit_consent_at: Option<Moment>,
    /// 特定疾病 data, when allowed.
    #[serde(skip)]
    pub designated_diseases: Vec<DesignatedDiseaseCertificate>,
    /// Consent flags of the medical items for the asking institution.
    pub consents: Vec<ConsentFlag>,
    /// 照会番号 registered by the institution.
    pub reference_number: Option<String>,
}

/// The answer to one confirmation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    /// 処理実行日時.
    pub processed_at: Moment,
    /// 資格確認日.
    pub confirmation_date: Date,
    /// The asking institution.
    pub institution: InstitutionId,
    /// 照会区分.
    pub reference: Reference,
    /// Answered or refused.
    pub status: AnswerStatus,
    /// The person identified (never their My Number).
    pub person: Option<PersonId>,
    /// 資格有効性.
    pub validity: Option<QualificationValidity>,
    /// Results, one per matching qualification.
    pub results: Vec<ResultItem>,
    /// What may be provided.
    pub scope: DataScope,
    /// Certificate expiry date when the 3-months-before/after notice applies.
    pub expiry_notice: Option<Date>,
    /// The earlier serial this confirmation relinked from.
    pub relinked_from: Option<Serial>,
}

impl Answer {
    pub(crate) fn new(
        now: Moment,
        date: Date,
        institution: InstitutionId,
        reference: Reference,
    ) -> Self {
        Answer {
            processed_at: now,
            confirmation_date: date,
            institution,
            reference,
            status: AnswerStatus::Answered,
            person: None,
            validity: None,
            results: Vec::new(),
            scope: DataScope::Full,
            expiry_notice: None,
            relinked_from: None,
        }
    }

    /// The refusal, if the registry refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match &self.status {
            AnswerStatus::Refused(r) => Some(r),
            AnswerStatus::Answered => None,
        }
    }

    /// One line for the trace.
    pub fn summary(&self) -> String {
        match &self.status {
            AnswerStatus::Refused(r) => format!("error: {r:?}"),
            AnswerStatus::Answered => {
                let v = self.validity.map(|v| v.code()).unwrap_or("-");
                let ratio: Vec<String> = self
                    .results
                    .iter()
                    .map(|r| format!("{}%", r.copay_percent))
                    .collect();
                format!(
                    "資格有効性 {v}, {} result(s) [{}]{}{}",
                    self.results.len(),
                    ratio.join(", "),
                    if matches!(self.scope, DataScope::QualificationOnly { .. }) {
                        ", 資格情報のみ (grace)"
                    } else {
                        ""
                    },
                    if self.expiry_notice.is_some() {
                        ", expiry notice"
                    } else {
                        ""
                    },
                )
            }
        }
    }
}
