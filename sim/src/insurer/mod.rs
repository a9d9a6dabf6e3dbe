//! Insurers (保険者) and their records: 資格 periods with 取得/喪失, the 被保険者番号 parts,
//! 本人/家族, 負担割合 inputs, 限度額適用認定証 and 特定疾病療養受療証 data, and the lag with which
//! each record reaches the registry (INS-1..4, REG-5).

use crate::clock::Date;
use crate::ids::{InsuranceNumbers, InsurerId, InsurerNumber, PersonId, QualificationId};
use crate::person::IncomePeriod;
use crate::rules::LimitCategory;

/// 本人・家族の別 (OQSCD009), 資格喪失事由 (OQSCD008), 限度額適用認定証区分 (OQSCD011) and 特定疾病
/// (OQSCD013) are the eligibility system's own code tables; the insurer uses them as they are.
pub use crate::codes::{
    LimitCertificateKind, PersonalFamily as Relation, ReasonOfLoss as LossReason,
    SpecificDisease as DesignatedDisease,
};

/// One insurer.
#[derive(Clone, Debug)]
pub struct Insurer {
    /// Handle.
    pub id: InsurerId,
    /// The scenario's name for it (e.g. `kyokai-tokyo`).
    pub key: String,
    /// 保険者番号.
    pub number: InsurerNumber,
    /// 保険者名称.
    pub name: String,
    /// Days between an event (取得/喪失) and the record reaching the registry (≤ 5 days by rule
    /// for the insurer's part; scenarios set what they test).
    pub registration_lag_days: u32,
}

/// 限度額 data an insurer holds for a qualification (INS-3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitCertificate {
    /// 限度額適用認定証区分.
    pub kind: LimitCertificateKind,
    /// 適用区分 (A01–A06, B01–B10).
    pub category: LimitCategory,
    /// 交付年月日.
    pub issued: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日.
    pub valid_until: Option<Date>,
    /// 回収年月日, when the certificate was recalled.
    pub recalled: Option<Date>,
    /// 長期入院該当年月日.
    pub long_stay_from: Option<Date>,
    /// Whether the insurer registered it in the eligibility system (INS-4: if not, the
    /// provider proceeds as before, with a paper certificate).
    pub registered: bool,
}

impl LimitCertificate {
    /// Whether the certificate applies on `on`.
    pub fn applies_on(&self, on: Date) -> bool {
        on >= self.valid_from
            && self.valid_until.is_none_or(|u| on <= u)
            && self.recalled.is_none_or(|r| on < r)
    }
}

/// 特定疾病療養受療証 data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesignatedDiseaseCertificate {
    /// 認定疾病区分.
    pub disease: DesignatedDisease,
    /// 交付年月日.
    pub issued: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日 (recall).
    pub valid_until: Option<Date>,
    /// 自己負担限度額 per month (10,000 or 20,000 yen).
    pub monthly_cap: u64,
}

/// The insurance numbers of a 資格 record: the insurer by handle (the record carries its
/// 保険者番号), 記号, 番号, and the 枝番, which a record always has (2 digits).
pub type QualificationNumbers = InsuranceNumbers<InsurerId, String>;

/// One 資格: a person's membership of one insurer for one period (INS-1).
#[derive(Clone, Debug)]
pub struct Qualification {
    /// Handle.
    pub id: QualificationId,
    /// The member.
    pub person: PersonId,
    /// The insurer and the record's 被保険者証記号 (absent e.g. for 後期), 番号 and 枝番.
    pub numbers: QualificationNumbers,
    /// 本人/家族.
    pub relation: Relation,
    /// 被保険者氏名 (世帯主) for a dependent.
    pub insured_name: Option<String>,
    /// 資格取得年月日.
    pub acquired: Date,
    /// 資格喪失年月日 and 事由: the first day without coverage.
    pub lost: Option<(Date, LossReason)>,
    /// The day the 取得 record reached the registry (None: not yet scheduled).
    pub registered_on: Option<Date>,
    /// The day the 喪失 record reached the registry.
    pub loss_registered_on: Option<Date>,
    /// A ratio the insurer set explicitly (percent), overriding the age/income rule.
    pub copay_override: Option<u8>,
    /// 限度額 data, oldest first.
    pub limits: Vec<LimitCertificate>,
    /// 特定疾病 data.
    pub designated_diseases: Vec<DesignatedDiseaseCertificate>,
    /// The insurer's own 所得区分 determinations for this record (e.g. each August), oldest
    /// first; where none applies, the member's periods apply.
    pub income: Vec<IncomePeriod>,
    /// The person whose 個人番号 the insurer registered this record under (紐付け): the member
    /// normally, someone else after a 紐付け誤り.
    pub linked_person: PersonId,
    /// The day a J-LIS 照合 found that the record's 基本4情報 do not match the linked 個人番号's:
    /// from then the registry withholds the record until the insurer fixes the link.
    pub flagged_on: Option<Date>,
}

impl Qualification {
    /// Whether the registry withholds the record on `today` (a J-LIS mismatch not yet fixed).
    pub fn withheld_on(&self, today: Date) -> bool {
        self.flagged_on.is_some_and(|f| f <= today)
    }

    /// The 所得区分 period of this record in force on `on` (the insurer's own determination),
    /// with the day the next one starts.
    pub fn income_on(&self, on: Date) -> Option<(&IncomePeriod, Option<Date>)> {
        IncomePeriod::on(&self.income, on)
    }

    /// Whether the person is covered on `on` (取得日 ≤ on < 喪失日).
    pub fn covers(&self, on: Date) -> bool {
        on >= self.acquired && self.lost.is_none_or(|(l, _)| on < l)
    }

    /// Whether the registry knows this record on `today` (its 取得 has been registered) and shows
    /// it (not withheld after a J-LIS mismatch).
    pub fn visible_on(&self, today: Date) -> bool {
        self.registered_on.is_some_and(|r| r <= today) && !self.withheld_on(today)
    }

    /// The coverage the registry believes on `on`, given what reached it by `today`: a loss
    /// not yet registered is not known to the registry.
    pub fn registry_covers(&self, on: Date, today: Date) -> bool {
        if !self.visible_on(today) || on < self.acquired {
            return false;
        }
        match (self.lost, self.loss_registered_on) {
            (Some((l, _)), Some(r)) if r <= today => on < l,
            _ => true,
        }
    }

    /// The loss the registry knows by `today`.
    pub fn registry_loss(&self, today: Date) -> Option<(Date, LossReason)> {
        match (self.lost, self.loss_registered_on) {
            (Some(l), Some(r)) if r <= today => Some(l),
            _ => None,
        }
    }

    /// The registered 限度額 certificate that applies on `on`.
    pub fn limit_on(&self, on: Date) -> Option<&LimitCertificate> {
        self.limits
            .iter()
            .rev()
            .find(|l| l.registered && l.applies_on(on))
    }
}
