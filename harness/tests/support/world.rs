//! A small world with one card for the PC/SC tests and the card benchmark: 協会けんぽ東京, the
//! clinic of the scenario fixtures (1310143217) and Taro (born 1980-05-10) with a card issued
//! 2024-06-01 (auth PIN "1234", signature PIN "ONSHI2024"), registered at a reader.

#![allow(dead_code)] // each includer uses its own part

use jiff::civil::date;
use onshi_sim::clock::Moment;
use onshi_sim::ids::{
    CardId, InstitutionCode, InstitutionId, InsuranceNumbers, InsurerNumber, PersonId,
};
use onshi_sim::insurer::Relation;
use onshi_sim::person::Sex;
use onshi_sim::reader::{Attempt, ConsentAnswers};
use onshi_sim::registry::Channel;
use onshi_sim::rules::{CareMode, IncomeClass, InstitutionSettings};
use onshi_sim::world::{CardSpec, PersonSpec, Presentation, QualificationSpec, VisitSpec};
use onshi_sim::{World, WorldConfig};

/// Taro's auth PIN (利用者証明用電子証明書 PIN).
pub const AUTH_PIN: &str = "1234";

/// The clinic's 医療機関コード (as in `scenarios/fixtures/standard.yaml`).
pub const CLINIC_CODE: &str = "1310143217";

/// The world and the ids a test needs.
pub struct TaroWorld {
    /// The world.
    pub world: World,
    /// Taro.
    pub taro: PersonId,
    /// His card.
    pub card: CardId,
    /// The clinic.
    pub clinic: InstitutionId,
}

/// Builds the world on 2026-04-01 09:00.
pub fn taro_world(scenario: &str) -> Result<TaroWorld, String> {
    let e = |e: onshi_sim::world::WorldError| e.to_string();
    let start = Moment::parse("2026-04-01T09:00").map_err(|e| e.to_string())?;
    let mut w = World::new(WorldConfig::new(7, scenario, start));
    let number = InsurerNumber::parse("01130012").map_err(|e| e.to_string())?;
    let kyokai = w
        .add_insurer("kyokai", number, "全国健康保険協会東京支部", 3)
        .map_err(e)?;
    let code = InstitutionCode::parse(CLINIC_CODE).map_err(|e| e.to_string())?;
    let clinic = w
        .add_institution(
            "clinic",
            code,
            "オンシ内科クリニック",
            InstitutionSettings::default(),
        )
        .map_err(e)?;
    let taro = w
        .add_person(PersonSpec {
            key: "taro".into(),
            name: "山田　太郎".into(),
            kana: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
            birth: date(1980, 5, 10),
            sex: Sex::Male,
            address: "東京都千代田区千代田1-1".into(),
            post_number: "100-0001".into(),
            income: IncomeClass::General,
            income_periods: Vec::new(),
        })
        .map_err(e)?;
    let card = w
        .issue_card(
            taro,
            &CardSpec {
                issued: date(2024, 6, 1),
                auth_pin: AUTH_PIN.into(),
                sign_pin: "ONSHI2024".into(),
            },
        )
        .map_err(e)?;
    w.add_qualification(QualificationSpec {
        person: taro,
        numbers: InsuranceNumbers {
            insurer: kyokai,
            symbol: Some("1234".into()),
            number: "5678".into(),
            branch: "00".into(),
        },
        relation: Relation::Insured,
        acquired: date(2015, 4, 1),
        lost: None,
        registered_on: None,
        copay_override: None,
        limits: Vec::new(),
        designated_diseases: Vec::new(),
        income: Vec::new(),
    })
    .map_err(e)?;
    let registered = Moment::parse("2024-06-10T10:00").map_err(|e| e.to_string())?;
    w.register_for_insurance(taro, Channel::Reader, registered)
        .map_err(e)?;
    Ok(TaroWorld {
        world: w,
        taro,
        card,
        clinic,
    })
}

/// A visit of `person` at `institution` with his card, trying `attempts`.
pub fn card_visit(
    person: PersonId,
    institution: InstitutionId,
    attempts: Vec<Attempt>,
) -> VisitSpec {
    VisitSpec {
        person,
        institution,
        presentation: Presentation::Card,
        verify: attempts,
        register_if_prompted: false,
        consent: ConsentAnswers::default(),
        care: CareMode::Outpatient,
        confirmation_date: None,
        fee: None,
    }
}
