//! A visit drawn for one person on one day: what they present, how the reader verifies
//! them, their consent answers, the care, the fee; and when a card can be renewed.

use jiff::civil::Date;

use super::*;

pub(super) fn visit(
    d: &mut Draw,
    people: &[PersonDef],
    live: &[Live],
    who: usize,
    n: usize,
    day: Date,
) -> Option<Step> {
    let l = &live[who];
    // Without a 資格 (after a loss) there is no 資格確認書 to hand over; only the card.
    if l.insurer.is_none() && !l.card {
        return None;
    }
    // Paper paths are where boundary bugs hide: more of them on a boundary day.
    let on_boundary = l.boundary == day || plus(l.boundary, -1) == day;
    let paper = if on_boundary { 40 } else { 20 };
    let presents = if l.insurer.is_some() && (!l.card || d.chance(paper)) {
        "certificate"
    } else if l.reissued && d.chance(30) {
        "previous_card"
    } else {
        "card"
    };
    let pin = people[who]
        .card
        .as_ref()
        .map_or_else(|| "1234".to_string(), |(_, p)| p.clone());
    let wrong = |p: &str| {
        let last = p.chars().last().and_then(|c| c.to_digit(10)).unwrap_or(0);
        format!("{}{}", &p[..p.len().saturating_sub(1)], (last + 1) % 10)
    };
    let verify = match d.below(20) {
        _ if presents == "certificate" => None,
        0..=12 => None,
        13 | 14 => Some(vec![Attempt::Pin(pin)]),
        15 | 16 => Some(vec![
            Attempt::Pin(wrong(&pin)),
            Attempt::Pin(wrong(&pin)),
            Attempt::Pin(wrong(&pin)),
        ]),
        17 => Some(vec![Attempt::Face(0.42), Attempt::Pin(pin)]),
        18 => Some(vec![Attempt::Visual]),
        _ => Some(vec![Attempt::Face(0.95)]),
    };
    let consent = match d.below(26) {
        0..=8 => Consent::All,
        9..=13 => Consent::Nothing,
        14..=16 => Consent::LimitOnly,
        17 | 18 => Consent::DataOnly,
        19 | 20 => Consent::Blanket,
        21 => Consent::MedicationOnly,
        22 => Consent::CheckupOnly,
        23 => Consent::DiseaseOnly,
        _ => Consent::TreatmentSurgery,
    };
    let care = match d.below(20) {
        0..=15 => "outpatient",
        16..=18 => "inpatient",
        _ => "home_visit",
    };
    let fee = match d.below(10) {
        0..=2 => d.range(1, 30) as u64 * 1000,
        3..=6 => d.range(1000, 60_000) as u64,
        _ => d.range(100_000, 1_500_000) as u64,
    };
    // 多数回該当 matters only with 限度額 data; those who have it get it more often.
    let has_limit = people[who].insurance.iter().any(|r| !r.limits.is_empty());
    let many_times = fee >= 100_000 && d.chance(if has_limit { 45 } else { 10 });
    let at = d.pick(&["clinic", "clinic", "clinic", "other-clinic", "pharmacy"]);
    Some(Step::Visit(VisitDef {
        name: format!("v{n}"),
        person: people[who].key.clone(),
        at,
        presents,
        verify,
        consent,
        care,
        fee,
        many_times,
    }))
}

/// Whether a card issued on `issued` can have its 電子証明書 renewed on `day` with a new
/// validity that is not empty: one to four years old (every card's validity, a child's five
/// birthdays included, runs past that).
pub(super) fn renewable(issued: Date, day: Date) -> bool {
    years_before(day, 4) < issued && issued <= years_before(day, 1)
}
