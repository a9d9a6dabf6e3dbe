//! A small world for the flow tests: one insurer set, one clinic, and Taro with a card.
#![allow(dead_code)]

use jiff::civil::{Date, date};
use onshi_sim::clock::Moment;
use onshi_sim::ids::{FeeSchedule, InstitutionCode, InsuranceNumbers, InsurerNumber, PersonId};
use onshi_sim::insurer::Relation;
use onshi_sim::person::Sex;
use onshi_sim::reader::{Attempt, ConsentAnswers};
use onshi_sim::registry::Channel;
use onshi_sim::rules::{CareMode, IncomeClass, InstitutionSettings};
use onshi_sim::world::{CardSpec, PersonSpec, Presentation, QualificationSpec, VisitSpec};
use onshi_sim::{World, WorldConfig};

pub fn at(text: &str) -> Moment {
    Moment::parse(text).unwrap()
}

/// A world at `start` with 協会けんぽ東京 (lag 3 days), a 組合 (lag 2 days), 後期 and one clinic.
pub fn world(start: &str) -> World {
    let mut w = World::new(WorldConfig::new(7, "flow-test", at(start)));
    w.add_insurer(
        "kyokai",
        InsurerNumber::parse("01130012").unwrap(),
        "全国健康保険協会東京支部",
        3,
    )
    .unwrap();
    w.add_insurer(
        "kumiai",
        InsurerNumber::new(6, 13, 271).unwrap(),
        "オンシ健康保険組合",
        2,
    )
    .unwrap();
    w.add_insurer(
        "kouki",
        InsurerNumber::new(39, 13, 1).unwrap(),
        "東京都後期高齢者医療広域連合",
        5,
    )
    .unwrap();
    w.add_institution(
        "clinic",
        InstitutionCode::parse("0110113719").unwrap(),
        "オンシ内科",
        InstitutionSettings::default(),
    )
    .unwrap();
    w.add_institution(
        "other-clinic",
        InstitutionCode::new(13, FeeSchedule::Medical, 1, 4321).unwrap(),
        "別のクリニック",
        InstitutionSettings::default(),
    )
    .unwrap();
    w
}

/// Adds a person with a card issued on `card_issued` and a 協会けんぽ qualification from 2015.
pub fn person(w: &mut World, key: &str, birth: Date, card_issued: Date) -> PersonId {
    let p = w
        .add_person(PersonSpec {
            key: key.into(),
            name: "山田　太郎".into(),
            kana: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
            birth,
            sex: Sex::Male,
            address: "東京都千代田区千代田1-1".into(),
            post_number: "100-0001".into(),
            income: IncomeClass::General,
            income_periods: Vec::new(),
        })
        .unwrap();
    w.issue_card(
        p,
        &CardSpec {
            issued: card_issued,
            auth_pin: "1234".into(),
            sign_pin: "ONSHI2024".into(),
        },
    )
    .unwrap();
    let kyokai = w.insurer_by_key("kyokai").unwrap();
    w.add_qualification(QualificationSpec {
        person: p,
        numbers: InsuranceNumbers {
            insurer: kyokai,
            symbol: Some("1234".into()),
            number: format!("{}", 5678 + p.0),
            branch: "00".into(),
        },
        relation: Relation::Insured,
        acquired: date(2015, 4, 1).max(birth),
        lost: None,
        registered_on: None,
        copay_override: None,
        limits: Vec::new(),
        designated_diseases: Vec::new(),
        income: Vec::new(),
    })
    .unwrap();
    p
}

/// Taro, born 1980-05-10, card issued 2024-06-01, registered at the reader on 2024-06-10.
pub fn taro(w: &mut World) -> PersonId {
    let p = person(w, "taro", date(1980, 5, 10), date(2024, 6, 1));
    w.register_for_insurance(p, Channel::Reader, at("2024-06-10T10:00"))
        .unwrap();
    p
}

pub fn visit(w: &World, person: PersonId, attempts: Vec<Attempt>) -> VisitSpec {
    VisitSpec {
        person,
        institution: w.institution_by_key("clinic").unwrap(),
        presentation: Presentation::Card,
        verify: attempts,
        register_if_prompted: false,
        consent: ConsentAnswers::default(),
        care: CareMode::Outpatient,
        confirmation_date: None,
        fee: None,
    }
}

pub fn face() -> Vec<Attempt> {
    vec![Attempt::Face {
        similarity: 0.93,
        live: true,
    }]
}
