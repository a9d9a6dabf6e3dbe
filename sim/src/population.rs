//! A synthetic population: a deterministic world of N people with cards, insurance and
//! registrations, for benchmarks, property tests and the CLI's world summary. Every name and
//! number in it is generated (synthetic) from the seed.

use crate::clock::{Date, Moment, Span};
use crate::ids::{FeeSchedule, InstitutionCode, InsuranceNumbers, InsurerNumber, PersonId};
use crate::insurer::Relation;
use crate::person::Sex;
use crate::registry::Channel;
use crate::rules::{IncomeClass, InstitutionSettings};
use crate::world::{CardSpec, PersonSpec, QualificationSpec, World, WorldConfig, WorldError};

const FAMILY: [&str; 8] = [
    "山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村",
];
const FAMILY_KANA: [&str; 8] = ["ﾔﾏﾀﾞ", "ｻﾄｳ", "ｽｽﾞｷ", "ﾀｶﾊｼ", "ﾀﾅｶ", "ｲﾄｳ", "ﾜﾀﾅﾍﾞ", "ﾅｶﾑﾗ"];
const GIVEN: [&str; 8] = ["太郎", "花子", "一郎", "美咲", "健太", "陽菜", "翔", "葵"];
const GIVEN_KANA: [&str; 8] = ["ﾀﾛｳ", "ﾊﾅｺ", "ｲﾁﾛｳ", "ﾐｻｷ", "ｹﾝﾀ", "ﾋﾅ", "ｼｮｳ", "ｱｵｲ"];

/// The `n`-th synthetic 氏名 and its カナ: each family name of the list with each given name
/// (64 pairs, family-major), then the same pairs again with the round number appended
/// (`山田　太郎2`, `ﾔﾏﾀﾞ ﾀﾛｳ2`), so every `n` gives another name.
pub fn synthetic_name(n: usize) -> (String, String) {
    let pairs = FAMILY.len() * GIVEN.len();
    let (f, g, round) = (n / GIVEN.len() % FAMILY.len(), n % GIVEN.len(), n / pairs);
    let suffix = if round == 0 {
        String::new()
    } else {
        (round + 1).to_string()
    };
    (
        format!("{}　{}{suffix}", FAMILY[f], GIVEN[g]),
        format!("{} {}{suffix}", FAMILY_KANA[f], GIVEN_KANA[g]),
    )
}

/// What a population world contains besides its people.
#[derive(Clone, Copy, Debug)]
pub struct PopulationOptions {
    /// Number of people.
    pub people: usize,
    /// Seed.
    pub seed: u64,
    /// Record the trace (off for large worlds).
    pub trace: bool,
}

/// Builds a world of `opts.people` synthetic people at 2026-04-01 09:00 JST: each has a card
/// (issued 2021–2024), one qualification with an insurer that fits their age (後期 for 75+)
/// and is registered for insurance use. Four insurers and two institutions.
pub fn build(opts: PopulationOptions) -> Result<World, WorldError> {
    let start = Moment::parse("2026-04-01T09:00+09:00")?;
    let mut config = WorldConfig::new(opts.seed, "population", start);
    config.trace = opts.trace;
    let mut w = World::new(config);
    let kyokai = w.add_insurer(
        "kyokai-tokyo",
        InsurerNumber::parse("01130012")?,
        "全国健康保険協会東京支部",
        3,
    )?;
    let kumiai = w.add_insurer(
        "kumiai",
        InsurerNumber::new(6, 13, 271)?,
        "オンシ健康保険組合",
        2,
    )?;
    let kokuho = w.add_insurer(
        "kokuho",
        InsurerNumber::national(13, 101)?,
        "千代田区国民健康保険",
        5,
    )?;
    let kouki = w.add_insurer(
        "kouki",
        InsurerNumber::new(39, 13, 1)?,
        "東京都後期高齢者医療広域連合",
        5,
    )?;
    w.add_institution(
        "clinic",
        InstitutionCode::new(13, FeeSchedule::Medical, 1, 1234)?,
        "オンシ内科クリニック",
        InstitutionSettings::default(),
    )?;
    w.add_institution(
        "pharmacy",
        InstitutionCode::new(13, FeeSchedule::Pharmacy, 1, 5678)?,
        "オンシ薬局",
        InstitutionSettings::default(),
    )?;
    let registered_at = Moment::parse("2021-10-20T10:00+09:00")?;
    let card_base = Date::new(2021, 1, 4).map_err(|e| WorldError::Invalid(e.to_string()))?;
    for i in 0..opts.people {
        let r = w.seed.draw("population", i as u64);
        let birth = birth_for(r)?;
        let f = (r >> 8) as usize % FAMILY.len();
        let g = (r >> 16) as usize % GIVEN.len();
        let (name, kana) = synthetic_name(f * GIVEN.len() + g);
        let person = w.add_person(PersonSpec {
            key: format!("p{i}"),
            name,
            kana,
            birth,
            sex: if g.is_multiple_of(2) {
                Sex::Male
            } else {
                Sex::Female
            },
            address: "東京都千代田区千代田1-1".into(),
            post_number: "100-0001".into(),
            income: IncomeClass::General,
            income_periods: Vec::new(),
        })?;
        let issued = card_base
            .checked_add(Span::new().days(((r >> 24) % 1200) as i64))
            .map_err(|e| WorldError::Invalid(e.to_string()))?;
        let issued = issued.max(birth);
        w.issue_card(
            person,
            &CardSpec {
                issued,
                auth_pin: "1234".into(),
                sign_pin: "ONSHI2024".into(),
            },
        )?;
        let (insurer, symbol) = if crate::age::age_on(birth, start.date()) >= 75 {
            (kouki, None)
        } else {
            match (r >> 40) % 3 {
                0 => (kyokai, Some(format!("{}", 1000 + (r >> 44) % 9000))),
                1 => (kumiai, Some("10".to_string())),
                _ => (kokuho, Some("千".to_string())),
            }
        };
        w.add_qualification(QualificationSpec {
            person,
            numbers: InsuranceNumbers {
                insurer,
                symbol,
                number: format!("{}", 100_000 + i),
                branch: "00".into(),
            },
            relation: Relation::Insured,
            acquired: birth
                .max(Date::new(2015, 4, 1).map_err(|e| WorldError::Invalid(e.to_string()))?),
            lost: None,
            registered_on: None,
            copay_override: None,
            limits: Vec::new(),
            designated_diseases: Vec::new(),
            income: Vec::new(),
        })?;
        w.register_for_insurance(
            person,
            Channel::Reader,
            registered_at.max(Moment::start_of(issued)),
        )?;
    }
    Ok(w)
}

fn birth_for(r: u64) -> Result<Date, WorldError> {
    let year = 1940 + (r % 80) as i16;
    let month = 1 + ((r >> 32) % 12) as i8;
    let day = 1 + ((r >> 36) % 28) as i8;
    Date::new(year, month, day).map_err(|e| WorldError::Invalid(e.to_string()))
}

/// The person handle for population index `i`.
pub fn person(i: usize) -> PersonId {
    PersonId(i as u32)
}
