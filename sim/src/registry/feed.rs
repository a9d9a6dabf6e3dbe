//! The registry feed: what an eligibility service needs to know of the world to answer like
//! the reference registry, as records that onshi sends to a registry under test (the
//! `facts` message of the adapter protocol's registry role, `docs/registry-role.md`).
//!
//! A [`Facts`] value is the registry-visible state of a world at one moment: the rules in
//! force, the J-LIS CA certificates and every 利用者証明用 certificate with its chain and
//! revocation, the institutions, the insurers, the people (基本4情報 and 所得区分, named by
//! their J-LIS link id, never by a My Number), every 資格 record with the dates it reaches the
//! registry (the insurer's lag), the registrations for insurance use, the consents given at
//! readers, the data behind 薬剤・診療・健診 information, the 照会番号 and the outages.
//! [`Facts::changed_since`] gives the records a registry has not been told yet. The facts are
//! what happened in the world; what the registry derives (relinks through the serial chain,
//! counts, 資格有効性) is its own work and never part of them.
//!
//! [`crate::World::replica`] and [`crate::World::apply_feed`] build a world from records alone: onshi's own registry answering from what
//! the feed said, which `onshi serve-registry` serves and which proves the feed complete.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{Channel, ConsentRecord, Registry};
use crate::answer::{Checkup, MedicalRecord, OutageKind};
use crate::clock::{Date, Moment};
use crate::ids::{InstitutionCode, InsurerNumber, PersonId, Serial};
use crate::insurer::{
    DesignatedDisease, DesignatedDiseaseCertificate, LimitCertificate, LimitCertificateKind,
    LossReason, Qualification, Relation,
};
use crate::jlis::{CertKind, IssueCause, RevocationReason};
use crate::person::{IncomePeriod, Sex};
use crate::rules::{CareMode, ConsentItem, DataKind, IncomeClass, LimitCategory};
use crate::view::View;

/// One record of the feed. Every record has a [`Record::key`]; a later record with the same
/// key replaces the earlier one whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Record {
    /// The switchable rules in force (every switch, by name, in its text form); the dated
    /// tables are the built-in ones (`sim/rules/*.yaml`; `onshi explain switches` lists the
    /// switches).
    Rules {
        /// Switch name → value (`true`, `40`, `none`, `2024-12-02`).
        switches: BTreeMap<String, String>,
    },
    /// The J-LIS CA certificates (base64 DER), as `GET /onshi/jlis/ca` serves them.
    JlisCa {
        /// The CA of the 利用者証明用 certificates.
        auth: String,
        /// The CA of the 署名用 certificates.
        signature: String,
    },
    /// A medical institution or pharmacy.
    Institution(InstitutionFact),
    /// An insurer.
    Insurer(InsurerFact),
    /// A person, by J-LIS link id.
    Person(PersonFact),
    /// A 利用者証明用 certificate J-LIS issued.
    Certificate(CertificateFact),
    /// A 資格 record an insurer keeps, with when it reaches the registry.
    Qualification(QualificationFact),
    /// A registration for insurance use (健康保険証利用登録).
    Registration(RegistrationFact),
    /// Every consent decision a person gave for one institution, oldest first.
    Consents(ConsentsFact),
    /// A person's レセプト and 電子処方箋 records behind 薬剤・診療・手術 information.
    Medical(MedicalFact),
    /// A person's 特定健診 results.
    Checkups(CheckupsFact),
    /// A 照会番号 an institution registered for a 資格.
    ReferenceNumber(ReferenceNumberFact),
    /// A time the service is down.
    Outage(OutageFact),
}

impl Record {
    /// The identity of the record: a later record with the same key replaces it.
    pub fn key(&self) -> String {
        match self {
            Record::Rules { .. } => "rules".into(),
            Record::JlisCa { .. } => "jlisCa".into(),
            Record::Institution(f) => format!("institution/{}", f.code),
            Record::Insurer(f) => format!("insurer/{}", f.number),
            Record::Person(f) => format!("person/{}", f.id),
            Record::Certificate(f) => format!("certificate/{}", f.serial),
            Record::Qualification(f) => format!("qualification/{}", f.id),
            Record::Registration(f) => format!("registration/{}", f.seq),
            Record::Consents(f) => format!("consents/{}/{}", f.holder, f.institution),
            Record::Medical(f) => format!("medical/{}", f.holder),
            Record::Checkups(f) => format!("checkups/{}", f.holder),
            Record::ReferenceNumber(f) => {
                format!("referenceNumber/{}/{}", f.institution, f.qualification)
            }
            Record::Outage(f) => format!("outage/{}", f.seq),
        }
    }
}

/// A medical institution or pharmacy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstitutionFact {
    /// 医療機関コード.
    pub code: InstitutionCode,
    /// 名称.
    pub name: String,
    /// 利用設定: the medical consent items its readers ask for.
    pub enabled: Vec<ConsentItem>,
}

/// An insurer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InsurerFact {
    /// 保険者番号.
    pub number: InsurerNumber,
    /// 保険者名称.
    pub name: String,
}

/// A person: the 基本4情報 and what decides the 負担割合.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonFact {
    /// The J-LIS link id (16 lower-case hex digits, like a 機関別符号).
    pub id: String,
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    pub kana: String,
    /// 生年月日.
    pub birth: Date,
    /// 性別.
    pub sex: Sex,
    /// 住所.
    pub address: String,
    /// 郵便番号.
    pub post_number: String,
    /// 所得区分 when no dated period applies.
    pub income: IncomeClass,
    /// 所得区分 by period, oldest first (each from its day until the next starts).
    pub income_periods: Vec<IncomePeriod>,
}

/// A 利用者証明用 certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateFact {
    /// Serial (16 upper-case hex digits).
    pub serial: Serial,
    /// The holder's link id.
    pub holder: String,
    /// First valid day.
    pub issued: Date,
    /// Last valid day.
    pub not_after: Date,
    /// Why it was issued: `first`, `renewal`, `card_reissue`, `reissue_after_expiry`.
    pub cause: IssueCause,
    /// The serial issued to the same holder just before it (the 旧番号), if any.
    pub previous: Option<Serial>,
    /// Its revocation, if it is revoked (possibly from a later day).
    pub revocation: Option<RevocationFact>,
}

/// A revocation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevocationFact {
    /// Why.
    pub reason: RevocationReason,
    /// From which day.
    pub on: Date,
}

/// A 資格 record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QualificationFact {
    /// The record's id in the feed (`Q` and a number).
    pub id: String,
    /// The member's link id.
    pub member: String,
    /// The link id of the person the insurer filed the record under (紐付け): the member,
    /// except after a 紐付け誤り.
    pub linked_to: String,
    /// 保険者番号.
    pub insurer: InsurerNumber,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番 (2 digits).
    pub branch: String,
    /// 本人・家族の別 (OQSCD009 code).
    pub relation: String,
    /// 被保険者氏名 (for a dependent).
    pub insured_name: Option<String>,
    /// 資格取得年月日.
    pub acquired: Date,
    /// 資格喪失年月日 and 事由.
    pub lost: Option<LossFact>,
    /// The day the 取得 reaches the registry (`null`: not yet scheduled). Before it the
    /// registry does not know the record.
    pub registered_on: Option<Date>,
    /// The day the 喪失 reaches the registry. Before it the registry still shows the record
    /// without the loss.
    pub loss_registered_on: Option<Date>,
    /// A 負担割合 the insurer set (percent), overriding the age and income rule.
    pub copay_override: Option<u8>,
    /// 限度額 data, oldest first.
    pub limits: Vec<LimitFact>,
    /// 特定疾病 data.
    pub diseases: Vec<DiseaseFact>,
    /// The insurer's own 所得区分 determinations for this record, oldest first.
    pub income: Vec<IncomePeriod>,
    /// The day a J-LIS 照合 flagged the link as wrong (the registry withholds the record from
    /// then).
    pub flagged_on: Option<Date>,
}

/// 資格喪失.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LossFact {
    /// The first day without coverage.
    pub on: Date,
    /// 資格喪失事由 (OQSCD008 code).
    pub reason: String,
}

/// 限度額適用認定証 data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitFact {
    /// 限度額適用認定証区分 (OQSCD011 code).
    pub kind: String,
    /// 適用区分 (A01–A06, B01–B10).
    pub category: LimitCategory,
    /// 交付年月日.
    pub issued: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日.
    pub valid_until: Option<Date>,
    /// 回収年月日.
    pub recalled: Option<Date>,
    /// 長期入院該当年月日.
    pub long_stay_from: Option<Date>,
    /// Whether the insurer registered it in the eligibility system.
    pub registered: bool,
}

/// 特定疾病療養受療証 data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiseaseFact {
    /// 認定疾病区分 (OQSCD013 code).
    pub disease: String,
    /// 交付年月日.
    pub issued: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日.
    pub valid_until: Option<Date>,
    /// 自己負担限度額 per month (yen).
    pub monthly_cap: u64,
}

/// A registration for insurance use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistrationFact {
    /// Its place among the registrations, from 1.
    pub seq: u64,
    /// The auth serial registered.
    pub serial: Serial,
    /// Whose (link id).
    pub holder: String,
    /// 申込方法: `reader`, `portal_app`, `atm`.
    pub channel: Channel,
    /// When.
    pub at: Moment,
}

/// A person's consent decisions for one institution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentsFact {
    /// Whose (link id).
    pub holder: String,
    /// For which institution.
    pub institution: InstitutionCode,
    /// The decisions, oldest first.
    pub records: Vec<ConsentFact>,
}

/// One consent decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentFact {
    /// The item.
    pub item: ConsentItem,
    /// 同意する (true) or 同意しない (false).
    pub granted: bool,
    /// When it was given.
    pub at: Moment,
    /// Until when viewing is allowed (`null`: open-ended).
    pub valid_until: Option<Moment>,
    /// 診療区分.
    pub mode: CareMode,
}

/// A person's medical records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MedicalFact {
    /// Whose (link id).
    pub holder: String,
    /// The records, in the order they arose.
    pub records: Vec<MedicalItem>,
}

/// One レセプト or 電子処方箋 record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MedicalItem {
    /// Which information it belongs to.
    pub kind: DataKind,
    /// 診療日.
    pub date: Date,
    /// What it says.
    pub text: String,
    /// Dispensed through 電子処方箋 (visible at once, not after the レセプト lag).
    pub e_prescription: bool,
}

/// A person's checkup results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckupsFact {
    /// Whose (link id).
    pub holder: String,
    /// The results, oldest first.
    pub records: Vec<CheckupItem>,
}

/// One checkup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckupItem {
    /// 実施日.
    pub date: Date,
    /// Result items as `[name, value]`.
    pub items: Vec<(String, String)>,
}

/// A 照会番号.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReferenceNumberFact {
    /// The institution that registered it.
    pub institution: InstitutionCode,
    /// The 資格 record's id in the feed.
    pub qualification: String,
    /// The number.
    pub number: String,
}

/// An outage of the eligibility service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutageFact {
    /// Its place among the outages, from 1.
    pub seq: u64,
    /// `unavailable` or `maintenance`.
    pub kind: OutageKind,
    /// From (inclusive).
    pub from: Moment,
    /// Until (exclusive).
    pub until: Moment,
}

/// The registry-visible state of a world at one moment, in the order a registry should apply
/// it (what a record names comes before it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    records: Vec<Record>,
    keys: BTreeMap<String, usize>,
}

/// The feed id of the 資格 record with index `index`.
pub fn qualification_id(index: usize) -> String {
    format!("Q{:04}", index + 1)
}

impl Facts {
    /// The facts of the world seen through `v`, with the registry's own records.
    pub fn of(v: &View, registry: &Registry) -> Facts {
        let holder = |p: PersonId| v.jlis.holder_link(p);
        let mut out = Vec::new();
        let switches = v
            .rules
            .switches()
            .list()
            .into_iter()
            .map(|s| (s.name.to_string(), s.value))
            .collect();
        out.push(Record::Rules { switches });
        let b64 = |kind| {
            v.jlis
                .ca_certificate_der(kind)
                .map(|d| base64::engine::general_purpose::STANDARD.encode(d))
                .unwrap_or_default()
        };
        out.push(Record::JlisCa {
            auth: b64(CertKind::Auth),
            signature: b64(CertKind::Sign),
        });
        for i in v.institutions {
            out.push(Record::Institution(InstitutionFact {
                code: i.code,
                name: i.name.clone(),
                enabled: i.settings.enabled.iter().copied().collect(),
            }));
        }
        for i in v.insurers {
            out.push(Record::Insurer(InsurerFact {
                number: i.number,
                name: i.name.clone(),
            }));
        }
        for p in v.people {
            out.push(Record::Person(PersonFact {
                id: holder(p.id),
                name: p.name.clone(),
                kana: p.kana.clone(),
                birth: p.birth,
                sex: p.sex,
                address: p.address.clone(),
                post_number: p.post_number.clone(),
                income: p.income,
                income_periods: p.income_periods.clone(),
            }));
        }
        let mut last_auth: BTreeMap<PersonId, Serial> = BTreeMap::new();
        for r in v.jlis.records() {
            if r.kind() != CertKind::Auth || r.issued() > v.today {
                continue;
            }
            let previous = last_auth.insert(r.person(), r.serial());
            out.push(Record::Certificate(CertificateFact {
                serial: r.serial(),
                holder: holder(r.person()),
                issued: r.issued(),
                not_after: r.not_after(),
                cause: r.cause(),
                previous,
                revocation: r.revocation().map(|x| RevocationFact {
                    reason: x.reason,
                    on: x.on,
                }),
            }));
        }
        for (i, q) in v.quals.iter().enumerate() {
            out.push(Record::Qualification(qualification_fact(v, i, q)));
        }
        for (i, r) in registry.registrations.iter().enumerate() {
            out.push(Record::Registration(RegistrationFact {
                seq: i as u64 + 1,
                serial: r.serial,
                holder: holder(r.person),
                channel: r.channel,
                at: r.at,
            }));
        }
        let mut consents: Vec<_> = registry.consents.iter().collect();
        consents.sort_by_key(|((p, i), _)| (*p, *i));
        for ((p, i), list) in consents {
            let Some(inst) = v.institution(*i) else {
                continue;
            };
            out.push(Record::Consents(ConsentsFact {
                holder: holder(*p),
                institution: inst.code,
                records: list.iter().map(consent_fact).collect(),
            }));
        }
        let mut medical: Vec<_> = registry.medical.iter().collect();
        medical.sort_by_key(|(p, _)| **p);
        for (p, list) in medical {
            out.push(Record::Medical(MedicalFact {
                holder: holder(*p),
                records: list.iter().map(medical_item).collect(),
            }));
        }
        let mut checkups: Vec<_> = registry.checkups.iter().collect();
        checkups.sort_by_key(|(p, _)| **p);
        for (p, list) in checkups {
            out.push(Record::Checkups(CheckupsFact {
                holder: holder(*p),
                records: list
                    .iter()
                    .map(|c| CheckupItem {
                        date: c.date,
                        items: c.items.clone(),
                    })
                    .collect(),
            }));
        }
        let mut numbers: Vec<_> = registry.reference_numbers.iter().collect();
        numbers.sort_by_key(|((i, q), _)| (*i, *q));
        for ((i, q), number) in numbers {
            let Some(inst) = v.institution(*i) else {
                continue;
            };
            out.push(Record::ReferenceNumber(ReferenceNumberFact {
                institution: inst.code,
                qualification: qualification_id(q.index()),
                number: number.clone(),
            }));
        }
        for (i, o) in registry.outages.iter().enumerate() {
            out.push(Record::Outage(OutageFact {
                seq: i as u64 + 1,
                kind: o.kind,
                from: o.from,
                until: o.until,
            }));
        }
        Facts::from_records(out)
    }

    /// Facts made of `records` (a later record with a key replaces an earlier one in place).
    pub fn from_records(records: Vec<Record>) -> Facts {
        let mut f = Facts::default();
        for r in records {
            f.upsert(r);
        }
        f
    }

    /// Adds `record`, or replaces the record with its key.
    pub fn upsert(&mut self, record: Record) {
        let key = record.key();
        match self.keys.get(&key) {
            Some(&i) => self.records[i] = record,
            None => {
                self.keys.insert(key, self.records.len());
                self.records.push(record);
            }
        }
    }

    /// Every record, in order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The records of `self` that `told` lacks or holds with other contents, in order: what a
    /// registry that was told `told` must be told next.
    pub fn changed_since(&self, told: &Facts) -> Vec<Record> {
        self.records
            .iter()
            .filter(|r| {
                told.keys
                    .get(&r.key())
                    .is_none_or(|&i| told.records.get(i) != Some(*r))
            })
            .cloned()
            .collect()
    }
}

fn qualification_fact(v: &View, index: usize, q: &Qualification) -> QualificationFact {
    let holder = |p: PersonId| v.jlis.holder_link(p);
    QualificationFact {
        id: qualification_id(index),
        member: holder(q.person),
        linked_to: holder(q.linked_person),
        insurer: v.insurers[q.numbers.insurer.index()].number,
        symbol: q.numbers.symbol.clone(),
        number: q.numbers.number.clone(),
        branch: q.numbers.branch.clone(),
        relation: q.relation.code().to_string(),
        insured_name: q.insured_name.clone(),
        acquired: q.acquired,
        lost: q.lost.map(|(on, reason)| LossFact {
            on,
            reason: reason.code().to_string(),
        }),
        registered_on: q.registered_on,
        loss_registered_on: q.loss_registered_on,
        copay_override: q.copay_override,
        limits: q
            .limits
            .iter()
            .map(|l| LimitFact {
                kind: l.kind.code().to_string(),
                category: l.category,
                issued: l.issued,
                valid_from: l.valid_from,
                valid_until: l.valid_until,
                recalled: l.recalled,
                long_stay_from: l.long_stay_from,
                registered: l.registered,
            })
            .collect(),
        diseases: q
            .designated_diseases
            .iter()
            .map(|d| DiseaseFact {
                disease: d.disease.code().to_string(),
                issued: d.issued,
                valid_from: d.valid_from,
                valid_until: d.valid_until,
                monthly_cap: d.monthly_cap,
            })
            .collect(),
        income: q.income.clone(),
        flagged_on: q.flagged_on,
    }
}

fn consent_fact(c: &ConsentRecord) -> ConsentFact {
    ConsentFact {
        item: c.item,
        granted: c.granted,
        at: c.at,
        valid_until: c.valid_until,
        mode: c.mode,
    }
}

fn medical_item(m: &MedicalRecord) -> MedicalItem {
    MedicalItem {
        kind: m.kind,
        date: m.date,
        text: m.text.clone(),
        e_prescription: m.e_prescription,
    }
}

/// What is wrong with a record a registry was fed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("feed record `{key}`: {reason}")]
pub struct FeedError {
    /// The record's key.
    pub key: String,
    /// Why it cannot be applied.
    pub reason: String,
}

impl FeedError {
    fn new(key: &str, reason: impl Into<String>) -> Self {
        FeedError {
            key: key.to_string(),
            reason: reason.into(),
        }
    }
}

/// The typed values of the code strings a record carries.
pub(crate) fn relation(key: &str, code: &str) -> Result<Relation, FeedError> {
    Relation::from_code(code).map_err(|e| FeedError::new(key, e.to_string()))
}

pub(crate) fn loss(key: &str, f: &LossFact) -> Result<(Date, LossReason), FeedError> {
    let reason =
        LossReason::from_code(&f.reason).map_err(|e| FeedError::new(key, e.to_string()))?;
    Ok((f.on, reason))
}

pub(crate) fn limit(key: &str, f: &LimitFact) -> Result<LimitCertificate, FeedError> {
    Ok(LimitCertificate {
        kind: LimitCertificateKind::from_code(&f.kind)
            .map_err(|e| FeedError::new(key, e.to_string()))?,
        category: f.category,
        issued: f.issued,
        valid_from: f.valid_from,
        valid_until: f.valid_until,
        recalled: f.recalled,
        long_stay_from: f.long_stay_from,
        registered: f.registered,
    })
}

pub(crate) fn disease(
    key: &str,
    f: &DiseaseFact,
) -> Result<DesignatedDiseaseCertificate, FeedError> {
    Ok(DesignatedDiseaseCertificate {
        disease: DesignatedDisease::from_code(&f.disease)
            .map_err(|e| FeedError::new(key, e.to_string()))?,
        issued: f.issued,
        valid_from: f.valid_from,
        valid_until: f.valid_until,
        monthly_cap: f.monthly_cap,
    })
}

pub(crate) fn consent(f: &ConsentFact) -> ConsentRecord {
    ConsentRecord {
        item: f.item,
        granted: f.granted,
        at: f.at,
        valid_until: f.valid_until,
        mode: f.mode,
    }
}

pub(crate) fn medical(f: &MedicalItem) -> MedicalRecord {
    MedicalRecord {
        kind: f.kind,
        date: f.date,
        text: f.text.clone(),
        e_prescription: f.e_prescription,
    }
}

pub(crate) fn checkup(f: &CheckupItem) -> Checkup {
    Checkup {
        date: f.date,
        items: f.items.clone(),
    }
}
