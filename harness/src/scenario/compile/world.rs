//! Lowering the world: insurers, institutions and people, with each person's card,
//! registration, records, checkups and qualifications (限度額 and 特定疾病 certificates
//! included), every key defined once.

use onshi_sim::ids::{InstitutionCode, InsuranceNumbers, InsurerNumber};
use onshi_sim::insurer::{
    DesignatedDiseaseCertificate, LimitCertificate, LimitCertificateKind, Relation,
};
use onshi_sim::person::{IncomePeriod, Sex};
use onshi_sim::registry::{Checkup, MedicalRecord};
use onshi_sim::rules::{IncomeClass, InstitutionSettings, LimitCategory};
use onshi_sim::world::{CardSpec, PersonSpec, QualificationSpec};

use super::*;

impl Compiler<'_> {
    pub(super) fn insurer(
        &mut self,
        ins: &At<InsurerDef>,
    ) -> Option<(String, InsurerNumber, String, u32)> {
        let d = &ins.value;
        if self.keys.insurers.contains_key(&d.id) {
            self.problem_at(
                ins,
                "scenario::duplicate-key",
                format!("insurer `{}` is defined twice", d.id),
            );
            return None;
        }
        let number = match InsurerNumber::parse(&d.number.value) {
            Ok(n) => n,
            Err(e) => {
                self.problem_at(&d.number, "scenario::bad-insurer-number", format!("保険者番号 `{}` is invalid: {e}", d.number.value))
                    .help = Some("8 digits (法別番号 2 + 都道府県 2 + 保険者 3 + check digit), or 6 for 国保; the check digit is checked".into());
                return None;
            }
        };
        let n = self.keys.insurers.len();
        self.keys.insurers.insert(d.id.clone(), n);
        Some((d.id.clone(), number, d.name.clone(), d.lag_days))
    }

    pub(super) fn institution(
        &mut self,
        inst: &At<InstitutionDef>,
    ) -> Option<(String, InstitutionCode, String, InstitutionSettings)> {
        let d = &inst.value;
        if self.keys.institutions.contains_key(&d.id) {
            self.problem_at(
                inst,
                "scenario::duplicate-key",
                format!("institution `{}` is defined twice", d.id),
            );
            return None;
        }
        let code = match InstitutionCode::parse(&d.code.value) {
            Ok(c) => c,
            Err(e) => {
                self.problem_at(
                    &d.code,
                    "scenario::bad-institution-code",
                    format!("医療機関コード `{}` is invalid: {e}", d.code.value),
                )
                .help = Some(
                    "10 digits: 都道府県 2 + 点数表 1 + 郡市区 2 + 番号 4 + check digit".into(),
                );
                return None;
            }
        };
        let settings = match &d.items {
            None => InstitutionSettings::default(),
            Some(items) => InstitutionSettings {
                enabled: items.iter().map(|i| medical_item(*i)).collect(),
            },
        };
        let n = self.keys.institutions.len();
        self.keys.institutions.insert(d.id.clone(), n);
        Some((d.id.clone(), code, d.name.clone(), settings))
    }

    pub(super) fn person(&mut self, at: &At<PersonDef>, start: Moment) -> PlannedPerson {
        let d = &at.value;
        let pid = PersonId(self.keys.people.get(&d.id).copied().unwrap_or(0) as u32);
        let birth = self.date(&d.born).unwrap_or(Date::constant(1980, 1, 1));
        let spec = PersonSpec {
            key: d.id.clone(),
            name: d.name.clone().unwrap_or_else(|| "試験　太郎".into()),
            kana: d.kana.clone().unwrap_or_else(|| "ｼｹﾝ ﾀﾛｳ".into()),
            birth,
            sex: match d.sex {
                SexName::Male => Sex::Male,
                SexName::Female => Sex::Female,
            },
            address: d
                .address
                .clone()
                .unwrap_or_else(|| "東京都千代田区千代田1-1".into()),
            post_number: "100-0001".into(),
            income: match &d.income {
                IncomeSpec::Class(c) => income_class(*c),
                IncomeSpec::Periods(_) => IncomeClass::General,
            },
            income_periods: match &d.income {
                IncomeSpec::Class(_) => Vec::new(),
                IncomeSpec::Periods(list) => self.income_periods(list),
            },
        };
        let card = d.card.as_ref().and_then(|c| {
            let issued = self.date(&c.issued)?;
            if issued < birth {
                self.problem_at(
                    &c.issued,
                    "scenario::bad-date",
                    format!("the card is issued on {issued}, before the birth date {birth}"),
                );
            }
            if issued > start.date() {
                self.problem_at(
                    &c.issued,
                    "scenario::bad-date",
                    format!("the card is issued on {issued}, after the scenario start {start}"),
                )
                .help = Some("use `card.reissue` in the steps for a later card".into());
            }
            let auth_pin = self.pin(&c.auth_pin, PinKind::Auth, "1234");
            let sign_pin = self.pin(&c.sign_pin, PinKind::Signature, "ONSHI2024");
            Some(CardSpec {
                issued,
                auth_pin,
                sign_pin,
            })
        });
        let mut quals = Vec::new();
        for q in &d.insurance {
            if let Some(x) = self.qualification(q, pid) {
                quals.push(x);
            }
        }
        let registered = d.registered.as_ref().and_then(|r| {
            let on = self.moment(&r.value.on)?;
            if d.card.is_none() {
                self.problem_at(
                    r,
                    "scenario::no-card",
                    format!(
                        "person `{}` is registered for insurance use but has no card",
                        d.id
                    ),
                );
            }
            if on > start {
                self.problem_at(
                    &r.value.on,
                    "scenario::bad-time",
                    format!("registration at {on} is after the scenario start {start}"),
                )
                .help = Some(
                    "use a `register` step or `register: true` on a visit for later registrations"
                        .into(),
                );
            }
            Some((on, channel(r.value.channel)))
        });
        let mut records = Vec::new();
        for r in &d.records {
            if let Some(date) = self.date(&r.date) {
                records.push(MedicalRecord {
                    kind: record_kind(r.kind),
                    date,
                    text: r.text.clone().unwrap_or_else(|| "（合成データ）".into()),
                    e_prescription: r.e_prescription,
                });
            }
        }
        let mut checkups = Vec::new();
        for ch in &d.checkups {
            if let Some(date) = self.date(&ch.date) {
                checkups.push(Checkup {
                    date,
                    items: ch
                        .items
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                });
            }
        }
        if d.portal_account && d.card.is_none() {
            self.problem_at(
                at,
                "scenario::no-card",
                format!("person `{}` has a portal account but no card", d.id),
            );
        }
        let late_elderly_number = d.late_elderly_number.as_ref().map(|n| {
            if n.value.is_empty()
                || n.value.len() > 8
                || !n.value.bytes().all(|b| b.is_ascii_digit())
            {
                self.problem_at(
                    n,
                    "scenario::bad-number",
                    format!("被保険者番号 `{}` of 後期: 1–8 digits", n.value),
                );
            }
            n.value.clone()
        });
        PlannedPerson {
            late_elderly_number,
            spec,
            card,
            quals,
            registered,
            portal_account: d.portal_account,
            records,
            checkups,
        }
    }
    fn qualification(
        &mut self,
        at: &At<InsuranceDef>,
        person: PersonId,
    ) -> Option<QualificationSpec> {
        let d = &at.value;
        let insurer = self.insurer_ref(&d.insurer);
        let acquired = self.date(&d.from);
        let branch = self.branch(&d.branch);
        if d.number.value.trim().is_empty() {
            self.problem_at(
                &d.number,
                "scenario::bad-number",
                "被保険者番号 must not be empty".into(),
            );
        }
        let lost = match &d.lost {
            None => Some(None),
            Some(l) => self.date(&l.on).map(|on| Some((on, loss(l.reason)))),
        };
        let registered_on = self.opt_date(&d.registered_on);
        let mut limits = Vec::new();
        for l in &d.limits {
            if let Some(x) = self.limit(l) {
                limits.push(x);
            }
        }
        let mut diseases = Vec::new();
        for x in &d.diseases {
            let issued = self.date(&x.value.issued);
            let from = self.opt_date(&x.value.valid_from);
            let until = self.opt_date(&x.value.valid_until);
            if let (Some(issued), Some(from), Some(until)) = (issued, from, until) {
                diseases.push(DesignatedDiseaseCertificate {
                    disease: disease(x.value.disease),
                    issued,
                    valid_from: from.unwrap_or(issued),
                    valid_until: until,
                    monthly_cap: x.value.monthly_cap.unwrap_or(10_000),
                });
            }
        }
        if let Some(p) = d.copay_percent
            && !matches!(p, 0 | 10 | 20 | 30)
        {
            self.problem_at(
                at,
                "scenario::bad-copay",
                format!("copay_percent {p} is not 0, 10, 20 or 30"),
            );
        }
        let acquired = acquired?;
        if let Some(Some((on, _))) = lost
            && on <= acquired
        {
            self.problem_at(
                at,
                "scenario::bad-date",
                format!("資格喪失日 {on} is not after 資格取得日 {acquired}"),
            );
        }
        Some(QualificationSpec {
            person,
            numbers: InsuranceNumbers {
                insurer: insurer?,
                symbol: d.symbol.clone(),
                number: d.number.value.clone(),
                branch,
            },
            relation: match d.relation {
                RelationName::Insured => Relation::Insured,
                RelationName::Dependent => Relation::Dependent,
            },
            acquired,
            lost: lost?,
            registered_on: registered_on?,
            copay_override: d.copay_percent,
            limits,
            designated_diseases: diseases,
            income: self.income_periods(&d.income),
        })
    }

    /// Dated 所得区分 periods: dates valid and strictly increasing, 適用区分 codes known.
    pub(super) fn income_periods(&mut self, list: &[At<IncomePeriodDef>]) -> Vec<IncomePeriod> {
        let mut out: Vec<IncomePeriod> = Vec::new();
        for at in list {
            let d = &at.value;
            let from = self.date(&d.from);
            let category = match &d.category {
                None => Some(None),
                Some(c) => match LimitCategory::parse(&c.value) {
                    Ok(x) => Some(Some(x)),
                    Err(e) => {
                        self.problem_at(
                            c,
                            "scenario::bad-limit-category",
                            format!("適用区分 `{}`: {e}", c.value),
                        )
                        .help = Some("A01–A06 (under 70) or B01–B10 (70 and over)".into());
                        None
                    }
                },
            };
            let (Some(from), Some(category)) = (from, category) else {
                continue;
            };
            if let Some(prev) = out.last()
                && prev.from >= from
            {
                self.problem_at(
                    &d.from,
                    "scenario::bad-date",
                    format!(
                        "income periods must be in date order: {from} is not after {}",
                        prev.from
                    ),
                );
                continue;
            }
            out.push(IncomePeriod {
                from,
                class: income_class(d.class),
                category,
            });
        }
        out
    }

    pub(super) fn limit(&mut self, at: &At<LimitDef>) -> Option<LimitCertificate> {
        let d = &at.value;
        let category = match LimitCategory::parse(&d.category.value) {
            Ok(c) => Some(c),
            Err(e) => {
                self.problem_at(
                    &d.category,
                    "scenario::bad-limit-category",
                    format!("適用区分 `{}`: {e}", d.category.value),
                )
                .help = Some("A01–A06 (under 70) or B01–B10 (70 and over)".into());
                None
            }
        };
        let issued = self.date(&d.issued);
        let from = self.opt_date(&d.valid_from);
        let until = self.opt_date(&d.valid_until);
        let recalled = self.opt_date(&d.recalled);
        let long = self.opt_date(&d.long_stay_from);
        let issued = issued?;
        Some(LimitCertificate {
            kind: match d.kind {
                LimitKindName::Limit => LimitCertificateKind::Limit,
                LimitKindName::LimitAndMealReduction => LimitCertificateKind::LimitAndMealReduction,
                LimitKindName::MealReduction => LimitCertificateKind::MealReduction,
            },
            category: category?,
            issued,
            valid_from: from?.unwrap_or(issued),
            valid_until: until?,
            recalled: recalled?,
            long_stay_from: long?,
            registered: d.registered,
        })
    }
}

/// The sim's income class for a scenario name.
pub(super) fn income_class(c: IncomeName) -> IncomeClass {
    match c {
        IncomeName::General => IncomeClass::General,
        IncomeName::General2 => IncomeClass::GeneralII,
        IncomeName::Active => IncomeClass::ActiveIncome,
        IncomeName::Low => IncomeClass::Low,
    }
}
