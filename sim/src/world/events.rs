//! Events that move the world, and what they return.

use serde::Serialize;

use crate::clock::{Date, Moment, Span};
use crate::ids::{InstitutionId, PersonId, QualificationId};
use crate::insurer::{LimitCertificate, LossReason, QualificationNumbers, Relation};
use crate::person::IncomePeriod;
use crate::portal::{PortalError, PortalView, ProxyGrant};
use crate::provider::{Fee, VisitRecord};
use crate::reader::{Attempt, ConsentAnswers, ConsentOutcome, Verification};
use crate::registry::{Answer, Channel, Checkup, DataDenied, MedicalRecord, NumberConfirm, Outage};
use crate::rules::{CareMode, ConsentItem, DataKind};

use super::card_steps::{JpkiOutcome, JpkiRequest, SurfaceOutcome, SurfaceRequest};

/// What the patient presents at the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presentation {
    /// The My Number card on the reader.
    Card,
    /// A paper 資格確認書 (or 資格情報のお知らせ): the clinic confirms by numbers (REG-9).
    EligibilityCertificate,
    /// The holder's previous card, kept after a reissue (再交付): the reader can still read
    /// it, and the registry refuses its revoked certificate (CARD-8).
    PreviousCard,
}

/// A visit to a clinic or pharmacy.
#[derive(Clone, Debug)]
pub struct VisitSpec {
    /// The patient.
    pub person: PersonId,
    /// Where.
    pub institution: InstitutionId,
    /// What they present.
    pub presentation: Presentation,
    /// Identity-verification attempts at the reader, in order.
    pub verify: Vec<Attempt>,
    /// The answer to the registration prompt, if it appears (None: 登録せずに終了).
    pub register_if_prompted: bool,
    /// Consent answers.
    pub consent: ConsentAnswers,
    /// 診療区分.
    pub care: CareMode,
    /// 資格確認日 when not today.
    pub confirmation_date: Option<Date>,
    /// The visit's fee.
    pub fee: Option<Fee>,
}

impl VisitSpec {
    /// The patient's answer to sharing 限度額 data on a paper 資格確認書 visit (the
    /// LimitApplicationCertificateRelatedConsFlg of the confirmation by numbers): the scenario's
    /// `limit_info` answer, else consent.
    pub fn paper_limit_consent(&self) -> bool {
        self.consent
            .items
            .get(&ConsentItem::LimitInfo)
            .copied()
            .unwrap_or(true)
    }
}

/// One event.
#[derive(Clone, Debug)]
pub enum Event {
    /// Moves the clock forward.
    Advance(Span),
    /// Moves the clock to a time.
    AdvanceTo(Moment),
    /// 紛失届: the card's certificates are revoked.
    CardLost {
        /// Whose.
        person: PersonId,
    },
    /// 再交付: a new card with new certificates; the old ones are revoked (CARD-8).
    CardReissue {
        /// Whose.
        person: PersonId,
        /// New auth PIN (default: the old one).
        auth_pin: Option<String>,
    },
    /// 電子証明書の更新: a new auth certificate on the same card (CARD-8).
    CertificateRenewal {
        /// Whose.
        person: PersonId,
    },
    /// 返納.
    CardReturned {
        /// Whose.
        person: PersonId,
    },
    /// 暗証番号の初期化 at the municipal office: unblocks the PIN and the face lock.
    PinReset {
        /// Whose.
        person: PersonId,
    },
    /// 転居: address change. The auth certificate survives; the signature certificate is revoked.
    Move {
        /// Who.
        person: PersonId,
        /// New address.
        address: String,
    },
    /// 就職・転職: the old qualification ends on `on`, the new one starts on `on`, each reaching the
    /// registry after its insurer's lag unless overridden (REG-5).
    JobChange {
        /// Who.
        person: PersonId,
        /// First day with the new insurer (= 資格喪失日 of the old one).
        on: Date,
        /// New insurer, 記号, 番号 and 枝番.
        numbers: QualificationNumbers,
        /// Days until the new record reaches the registry (default: the insurer's lag).
        lag_days: Option<u32>,
        /// Days until the old insurer's 喪失 reaches the registry (default: its lag).
        old_lag_days: Option<u32>,
        /// 本人/家族 at the new insurer.
        relation: Relation,
        /// 被扶養者 who move with the insured: each with their numbers at the new insurer. Their
        /// 家族 資格 under the old record ends on `on` as well (as does every other 家族 資格
        /// under it), with the old insurer's lag; the new ones start on `on` with the new
        /// insurer's.
        dependents: Vec<(PersonId, QualificationNumbers)>,
        /// 限度額 data at the new insurer.
        limits: Vec<LimitCertificate>,
        /// 所得区分 (and 適用区分) the new insurer determined, oldest first.
        income: Vec<IncomePeriod>,
    },
    /// 紐付け誤り: the insurer registers `member`'s current 資格 under the 個人番号 of `linked_to`
    /// (the 2023 incidents, rules-tables §8).
    LinkWrongPerson {
        /// Whose 資格 it is.
        member: PersonId,
        /// Whose 個人番号 it is registered under.
        linked_to: PersonId,
    },
    /// The insurer corrects the 紐付け of every record of `member` linked to someone else.
    FixLink {
        /// Whose records.
        member: PersonId,
    },
    /// The registry matches every linked record against J-LIS (住基 基本4情報: 氏名, 生年月日,
    /// 性別) of the linked 個人番号 (the 2023 総点検); mismatches are withheld until fixed.
    JlisCheckLinks,
    /// 資格喪失 without a new qualification.
    LoseQualification {
        /// Who.
        person: PersonId,
        /// 資格喪失日.
        on: Date,
        /// 事由.
        reason: LossReason,
    },
    /// 健康保険証利用登録 by app or ATM (the reader channel happens inside a visit).
    Register {
        /// Who.
        person: PersonId,
        /// How.
        channel: Channel,
    },
    /// A visit.
    Visit(Box<VisitSpec>),
    /// A provider asks by insurance numbers directly.
    ConfirmByNumbers(Box<NumberConfirm>),
    /// A provider asks for optional data.
    FetchData {
        /// Patient.
        person: PersonId,
        /// Institution.
        institution: InstitutionId,
        /// What.
        kind: DataKind,
    },
    /// マイナポータル account registration.
    PortalAccount {
        /// Who.
        person: PersonId,
    },
    /// マイナポータル view.
    PortalView {
        /// Who looks.
        viewer: PersonId,
        /// Whose data.
        subject: PersonId,
        /// What.
        kind: DataKind,
    },
    /// A proxy grant.
    GrantProxy(ProxyGrant),
    /// Schedules an outage.
    Outage(Outage),
    /// Adds a レセプト / e-prescription record.
    AddMedicalRecord {
        /// Whose.
        person: PersonId,
        /// The record.
        record: MedicalRecord,
    },
    /// Adds a checkup result.
    AddCheckup {
        /// Whose.
        person: PersonId,
        /// The result.
        checkup: Checkup,
    },
    /// The holder uses the JPKI AP of their card over APDUs: a PIN, a certificate read, a
    /// signature (CARD-1, CARD-3).
    Jpki(Box<JpkiRequest>),
    /// The holder reads the 券面事項確認AP of their card over APDUs with 照合番号A or B (CARD-5).
    Surface(Box<SurfaceRequest>),
    /// Registers a 照会番号.
    SetReferenceNumber {
        /// Institution.
        institution: InstitutionId,
        /// Qualification.
        qualification: QualificationId,
        /// The clinic's number.
        number: String,
    },
}

/// What a visit did.
#[derive(Default, Clone, Debug, Serialize)]
pub struct VisitOutcome {
    /// Reader verification (None when a paper certificate was presented).
    pub verification: Option<Verification>,
    /// Whether the registration prompt appeared, and the answer.
    pub registration_prompt: Option<bool>,
    /// Consent screens (None when skipped).
    pub consent: Option<ConsentOutcome>,
    /// The registry's answer (None when verification failed).
    pub answer: Option<Answer>,
    /// The desk's confirmation by the numbers on the patient's papers after the card route
    /// failed (reader verification failed, or the card was refused for its own reason).
    pub by_numbers: Option<Answer>,
    /// What the reference provider recorded.
    pub record: Option<VisitRecord>,
    /// Optional data the reference provider asked for: (kind, items or refusal).
    pub fetched: Vec<(DataKind, Result<usize, DataDenied>)>,
}

/// What an event returned.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing to report.
    Done,
    /// A visit.
    Visit(Box<VisitOutcome>),
    /// A confirmation answer.
    Answer(Box<Answer>),
    /// Whether a registration changed anything.
    Registered {
        /// false when the serial was already registered.
        changed: bool,
    },
    /// Optional data.
    Data(Result<usize, DataDenied>),
    /// A portal view.
    Portal(Result<PortalView, PortalError>),
    /// What a JPKI AP step saw.
    Jpki(Box<JpkiOutcome>),
    /// What a 券面事項確認AP step saw.
    Surface(Box<SurfaceOutcome>),
}
