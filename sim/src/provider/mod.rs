//! The reference clinic / pharmacy: what a careful real system does with an answer (PRV-1..7).
//! It takes the insurance data from the answer (never stale local data), charges the window
//! payment from the copay ratio and, with registered 限度額 data, caps it at the self-pay
//! limit; it fetches optional data only under a valid consent; it handles every 資格有効性
//! value; it falls back to the paper 資格確認書 during outages and confirms again later. Month
//! totals are kept per patient, institution, insurer and claim (入院 / 入院外, [`ClaimUnit`]). It
//! never asks for or keeps a My Number. It plays the provider role whenever no system under
//! test is bound.
//!
//! [`fetch_consented`] is PRV-3 (the data it asks for after a confirmation);
//! [`ProviderState::confirm_later`] is PRV-7 (the confirmations owed after an outage).

mod data;
mod later;

use std::collections::HashMap;

use serde::Serialize;

use crate::answer::{Answer, AnswerStatus, Refusal};
use crate::clock::Date;
use crate::codes::{PersonalFamily, QualificationValidity};
use crate::ids::{
    InstitutionId, InsuranceNumbers, InsurerId, PersonId, QualificationId,
    serialize_numbers_or_nulls,
};
use crate::rules::{
    CapScope, CapTerms, CareMode, ClaimUnit, DataKind, IncomeClass, LimitCategory, WindowVisit,
};
use crate::view::View;

pub use data::fetch_consented;

/// (patient, institution, insurer, claim unit, year, month).
type MonthKey = (
    PersonId,
    InstitutionId,
    Option<InsurerId>,
    ClaimUnit,
    i16,
    i8,
);

/// How the provider settled the visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargePath {
    /// 資格有効性 1: the confirmed data.
    Confirmed,
    /// 資格有効性 3: followed the new qualification.
    FollowedNewQualification,
    /// 資格有効性 2/4 (e.g. job-change lag): 被保険者資格申立書 at the normal ratio (2023-07-10
    /// 保発0710第1号), not 10割.
    DeclarationForm,
    /// 資格有効性 5: asked the patient which qualification applies.
    AskedPatient,
    /// The registry could not answer: the paper 資格確認書's numbers at the normal ratio, and a
    /// confirmation owed after an outage (PRV-7).
    PaperCertificate,
}

/// The fee the scenario states for a visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Fee {
    /// 10割 medical cost of this visit (yen).
    pub total: u64,
    /// 多数回該当 this month (the 4th+ month with a high-cost payment).
    #[serde(default)]
    pub many_times: bool,
}

/// The confirmation made after an outage for a visit settled on paper (PRV-7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LaterConfirmation {
    /// When the provider confirmed (the first moment the registry answered again).
    pub on: Date,
    /// 資格有効性 of the answer (none: the registry refused it).
    pub validity: Option<QualificationValidity>,
}

/// What the desk knows of a visit before any answer: who, where, when, the fee, the claim,
/// and the numbers on the patient's paper 資格確認書 / 資格情報のお知らせ (the 資格 that covers
/// the visit date, if any).
#[derive(Clone, Copy, Debug)]
pub struct Desk {
    /// Patient.
    pub person: PersonId,
    /// Where.
    pub institution: InstitutionId,
    /// Visit (資格確認) date.
    pub date: Date,
    /// The fee the scenario states.
    pub fee: Option<Fee>,
    /// 入院 or 入院外.
    pub care: CareMode,
    /// The 資格 whose numbers the patient's papers carry.
    pub paper: Option<QualificationId>,
}

/// What the provider recorded for one visit. There is no field for a My Number (PRV-5).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VisitRecord {
    /// Position in [`ProviderState::visits`] (the clinic's own visit number).
    pub seq: usize,
    /// Patient (the clinic's own patient id is this handle).
    pub person: PersonId,
    /// Where.
    pub institution: InstitutionId,
    /// Visit date.
    pub date: Date,
    /// How it was settled.
    pub path: ChargePath,
    /// The qualification used, if any.
    #[serde(skip)]
    pub qualification: Option<QualificationId>,
    /// 保険者番号, 記号, 番号 and 枝番 recorded, if a qualification was used. In JSON the four
    /// keys `insurer_number` (the digits), `symbol`, `number` and `branch`, null without one.
    #[serde(flatten, serialize_with = "serialize_numbers_or_nulls")]
    pub numbers: Option<InsuranceNumbers>,
    /// 本人/家族 of the qualification recorded, if any.
    pub relation: Option<PersonalFamily>,
    /// 氏名 as recorded: the name the answer carries for the qualification used, else the name
    /// the patient gave at admission.
    pub name: String,
    /// 負担割合 applied (percent).
    pub copay_percent: u8,
    /// 適用区分 applied, if 限度額 data was used.
    pub limit_category: Option<LimitCategory>,
    /// The month's self-pay cap used, if any.
    pub cap: Option<u64>,
    /// 10割 fee of the visit.
    pub fee: u64,
    /// Window payment charged.
    pub charged: u64,
    /// Optional data fetched under a valid consent.
    pub fetched: Vec<DataKind>,
    /// A confirmation still owed (after an outage); cleared when retried.
    pub confirm_later: bool,
    /// The retry's result, once made (PRV-7).
    pub confirmed_later: Option<LaterConfirmation>,
    /// Free-text notes (what the staff would write down).
    pub notes: Vec<String>,
}

impl VisitRecord {
    /// Records `q` as the qualification the visit was settled on, with its numbers as the
    /// answer gave them (保険者番号, 記号, 番号, 枝番).
    fn take_qualification(&mut self, v: &View, q: QualificationId) {
        let qual = &v.quals[q.index()];
        self.qualification = Some(q);
        self.numbers = Some(v.numbers_of(q));
        self.relation = Some(qual.relation);
        self.name = v.people[qual.person.index()].name.clone();
    }
}

/// The provider's memory: visits and month totals per patient, institution and claim.
#[derive(Clone, Debug, Default)]
pub struct ProviderState {
    /// Every visit, in order.
    pub visits: Vec<VisitRecord>,
    /// (patient, institution, insurer, claim unit, year, month) → (fees, charges) so far: each
    /// insurer's cap counts only its own visits (e.g. the 75th-birthday month, a job change),
    /// and 入院 and 入院外 are separate claims with separate totals ([`ClaimUnit`]).
    month: HashMap<MonthKey, (u64, u64)>,
}

impl ProviderState {
    /// Settles a visit from the registry's answer (`None`: the desk has no answer at all: the
    /// card could not be used and the patient has no papers). The desk's rule for each answer
    /// is in `docs/adapter-protocol.md` ("What the desk does"):
    /// - refused because the registry cannot answer (an outage): the 資格確認書 / お知らせ, its
    ///   numbers recorded at the normal ratio, and a confirmation owed (PRV-7);
    /// - refused otherwise: the papers' numbers at the normal ratio, nothing owed (a card
    ///   refusal never reaches here from the world: the desk confirms by numbers first);
    /// - 1 and 5: the first result that is the patient's own (氏名・生年月日); none of the
    ///   patient's (a 紐付け誤り): 被保険者資格申立書; 3: the new qualification is followed, no
    ///   numbers;
    /// - 2, 4 and no answer: 被保険者資格申立書 at the normal ratio, no numbers.
    pub fn settle(&mut self, v: &View, desk: &Desk, answer: Option<&Answer>) -> VisitRecord {
        let Desk {
            person,
            institution,
            date,
            fee,
            care,
            paper,
        } = *desk;
        let p = &v.people[person.index()];
        // The ratio a 資格確認書 or 申立書 implies: the age rule at the general income class.
        let normal_ratio = v
            .rules
            .copay_percent(p.birth, date, IncomeClass::General)
            .unwrap_or(30);
        let mut rec = VisitRecord {
            seq: self.visits.len(),
            person,
            institution,
            date,
            path: ChargePath::Confirmed,
            qualification: None,
            numbers: None,
            relation: None,
            name: p.name.clone(),
            copay_percent: normal_ratio,
            limit_category: None,
            cap: None,
            fee: fee.map_or(0, |f| f.total),
            charged: 0,
            fetched: Vec::new(),
            confirm_later: false,
            confirmed_later: None,
            notes: Vec::new(),
        };
        let status = answer.map(|a| (&a.status, a.validity));
        let chosen = match status {
            None => {
                rec.path = ChargePath::DeclarationForm;
                rec.notes
                    .push("no answer and no papers: 被保険者資格申立書, normal ratio".into());
                None
            }
            Some((AnswerStatus::Refused(r), _)) => {
                let outage = matches!(r, Refusal::Outage { .. });
                match paper {
                    Some(q) => {
                        rec.path = ChargePath::PaperCertificate;
                        rec.take_qualification(v, q);
                    }
                    None if outage => rec.path = ChargePath::PaperCertificate,
                    None => rec.path = ChargePath::DeclarationForm,
                }
                rec.confirm_later = outage;
                rec.notes.push(format!(
                    "registry refused ({r:?}): 資格確認書{}",
                    if outage { " / confirm later" } else { "" }
                ));
                None
            }
            Some((_, Some(QualificationValidity::Valid))) => answer.and_then(|a| a.results.first()),
            Some((_, Some(QualificationValidity::Multiple))) => {
                rec.path = ChargePath::AskedPatient;
                rec.notes
                    .push("複数該当: asked the patient which insurance applies".into());
                answer.and_then(|a| a.results.first())
            }
            Some((_, Some(QualificationValidity::InvalidNewerExists))) => {
                rec.path = ChargePath::FollowedNewQualification;
                rec.notes
                    .push("資格有効性 3: confirm with the new qualification".into());
                None
            }
            Some(_) => {
                rec.path = ChargePath::DeclarationForm;
                rec.notes
                    .push("資格無効/該当なし: 被保険者資格申立書, normal ratio".into());
                None
            }
        };
        // A careful window compares the result's 氏名・生年月日 with the patient's (the 2023
        // 紐付け誤り: a record linked to the wrong 個人番号 shows someone else's). A result of
        // someone else is never billed; with none of the patient's, the visit goes the
        // 被保険者資格申立書 way at the normal ratio.
        let own = |item: &&crate::registry::ResultItem| {
            let m = &v.people[item.person.index()];
            m.name == p.name && m.birth == p.birth
        };
        let chosen = match chosen {
            Some(item) if !own(&item) => {
                let other = answer.into_iter().flat_map(|a| a.results.iter()).find(own);
                if other.is_none() {
                    rec.path = ChargePath::DeclarationForm;
                    rec.notes.push(
                        "氏名・生年月日 in the answer are not the patient's (紐付け誤り?): 被保険者資格申立書, normal ratio".into(),
                    );
                }
                other
            }
            c => c,
        };
        if let Some(item) = chosen {
            rec.take_qualification(v, item.qualification);
            rec.copay_percent = item.copay_percent;
            if let Some(limit) = &item.limit {
                rec.limit_category = Some(limit.category);
            }
        }
        let insurer = rec
            .qualification
            .map(|q| v.quals[q.index()].numbers.insurer);
        let unit = v.rules.claim_unit(care, rec.limit_category);
        let key = (
            person,
            institution,
            insurer,
            unit,
            date.year(),
            date.month(),
        );
        let (month_fee, month_charged) =
            if v.rules.planted() == Some(crate::rules::PlantedFault::ForgetMonthTotals) {
                (0, 0)
            } else {
                self.month.get(&key).copied().unwrap_or((0, 0))
            };
        if v.rules.planted() == Some(crate::rules::PlantedFault::PanicOnSecondCharge)
            && fee.is_some()
            && self.month.contains_key(&key)
        {
            panic!("planted: a second charge in the month");
        }
        if let Some(f) = fee {
            // PRV-2: the cap applies only with 限度額 data from the answer.
            let cap = rec.limit_category.map(|category| CapTerms {
                category,
                many_times: f.many_times,
                // 70+: the 入院外 claim stops at the 外来 (個人) cap, the 入院 claim at the
                // 外来+入院 (世帯) amount (rules-tables §1.2).
                scope: if care == CareMode::Inpatient {
                    CapScope::Household
                } else {
                    CapScope::Outpatient
                },
                birthday_month_75_halving: crate::rules::birthday_month_75_halving_applies(
                    p.birth, date,
                ),
            });
            let visit = WindowVisit {
                on: date,
                fee: f.total,
                copay_percent: rec.copay_percent,
                month_fee_before: month_fee,
                already_charged_this_month: month_charged,
                cap,
            };
            match v.rules.window_payment(&visit) {
                Ok(wp) => {
                    rec.cap = wp.cap.map(|c| c.yen);
                    rec.charged = wp.charge;
                }
                Err(e) => {
                    rec.charged = crate::rules::plain_copay(f.total, rec.copay_percent);
                    rec.notes.push(format!(
                        "no cap could be computed ({e}); charged the plain copay"
                    ));
                }
            }
            // 特定疾病療養受療証 (with its data in the answer): the month's payment on this
            // claim at this institution stops at the certificate's 自己負担限度額 (10,000 /
            // 20,000 yen; 入院・外来別 like the 高額療養費 cap).
            let disease_cap = chosen
                .and_then(|item| item.designated_diseases.iter().map(|d| d.monthly_cap).min());
            if let Some(dcap) = disease_cap {
                let room = dcap.saturating_sub(month_charged);
                if rec.charged > room {
                    rec.charged = room;
                }
                rec.cap = Some(rec.cap.map_or(dcap, |c| c.min(dcap)));
                rec.notes
                    .push(format!("特定疾病: monthly self-pay limit {dcap} yen"));
            }
            self.month
                .insert(key, (month_fee + f.total, month_charged + rec.charged));
        }
        rec
    }
}
