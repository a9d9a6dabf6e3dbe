//! Finding records by insurance numbers (`registry::quals_with_numbers`): the one rule that the
//! confirmation by numbers, the 照会番号 registration and the data requests by numbers share.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use jiff::civil::date;
use onshi_sim::ids::{InsuranceNumbers, QualificationId};
use onshi_sim::insurer::Relation;
use onshi_sim::oqs::QualificationValidity;
use onshi_sim::registry::{NumberConfirm, person_with_numbers, quals_with_numbers};
use onshi_sim::world::{Event, Outcome, QualificationSpec};

/// A child on the numbers of `of`'s first record, with 枝番 `branch`, from 2016.
fn family_member(
    w: &mut onshi_sim::World,
    of: onshi_sim::ids::PersonId,
    branch: &str,
) -> QualificationId {
    let kyokai = w.insurer_by_key("kyokai").unwrap();
    let q = w.view().person_quals(of)[0];
    let number = w.quals()[q.index()].numbers.number.clone();
    let child = person(
        w,
        &format!("child-{branch}"),
        date(2010, 1, 1),
        date(2024, 6, 1),
    );
    w.add_qualification(QualificationSpec {
        person: child,
        numbers: InsuranceNumbers {
            insurer: kyokai,
            symbol: Some("1234".into()),
            number,
            branch: branch.into(),
        },
        relation: Relation::Dependent,
        acquired: date(2016, 4, 1),
        lost: None,
        registered_on: None,
        copay_override: None,
        limits: Vec::new(),
        designated_diseases: Vec::new(),
        income: Vec::new(),
    })
    .unwrap()
}

#[test]
fn numbers_match_on_symbol_branch_and_birth_when_given() {
    let mut w = world("2025-01-06T09:00");
    let taro = taro(&mut w);
    let q = w.view().person_quals(taro)[0];
    let child = family_member(&mut w, taro, "01");
    let v = w.view();
    let mut n = v.numbers_of(q);
    assert_eq!(quals_with_numbers(&v, &n, None), [q]);
    // Without a 枝番 (or an empty one) the whole family matches, in the order added.
    n.branch = None;
    assert_eq!(quals_with_numbers(&v, &n, None), [q, child]);
    n.branch = Some(String::new());
    assert_eq!(quals_with_numbers(&v, &n, None), [q, child]);
    // The birth date narrows it to one person.
    let born = v.people[taro.index()].birth;
    assert_eq!(quals_with_numbers(&v, &n, Some(born)), [q]);
    // The 記号 must match; an absent one is the empty one.
    n.symbol = None;
    assert!(quals_with_numbers(&v, &n, None).is_empty());
    // A data request names the holder of the newest record (the child's started later).
    let n = InsuranceNumbers {
        branch: None,
        ..v.numbers_of(q)
    };
    assert_eq!(
        person_with_numbers(&v, &n),
        Some(w.quals()[child.index()].person)
    );
}

/// A record whose 取得 has not reached the registry is unknown to it: the confirmation by
/// numbers answers 4 該当資格なし, and a 照会番号 registration or a data request by the same
/// numbers finds nothing either (they used to match it on the wire side, which checked
/// neither the registry's knowledge nor the birth date).
#[test]
fn records_the_registry_does_not_know_yet_match_nothing() {
    let mut w = world("2025-01-06T09:00");
    let taro = taro(&mut w);
    let kumiai = w.insurer_by_key("kumiai").unwrap();
    w.apply(Event::JobChange {
        person: taro,
        on: date(2025, 1, 6),
        numbers: InsuranceNumbers {
            insurer: kumiai,
            symbol: Some("77".into()),
            number: "100".into(),
            branch: "00".into(),
        },
        lag_days: Some(3),
        old_lag_days: Some(10),
        relation: onshi_sim::insurer::Relation::Insured,
        dependents: Vec::new(),
        limits: Vec::new(),
        income: Vec::new(),
    })
    .unwrap();
    let new = *w.view().person_quals(taro).last().unwrap();
    let v = w.view();
    let numbers = v.numbers_of(new);
    let born = v.people[taro.index()].birth;
    assert!(quals_with_numbers(&v, &numbers, None).is_empty());
    assert!(quals_with_numbers(&v, &numbers, Some(born)).is_empty());
    assert_eq!(person_with_numbers(&v, &numbers), None);
    let institution = w.institution_by_key("clinic").unwrap();
    let req = NumberConfirm::new(institution, date(2025, 1, 6), numbers.clone(), born, false);
    let Outcome::Answer(a) = w.apply(Event::ConfirmByNumbers(Box::new(req))).unwrap() else {
        panic!("an answer");
    };
    assert_eq!(a.validity, Some(QualificationValidity::NotFound));
    // Once the record has reached the registry, every way of asking finds it.
    w.apply(Event::Advance(onshi_sim::clock::Span::new().days(3)))
        .unwrap();
    let v = w.view();
    assert_eq!(quals_with_numbers(&v, &numbers, Some(born)), [new]);
    assert_eq!(person_with_numbers(&v, &numbers), Some(taro));
}
