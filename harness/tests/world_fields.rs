//! The issue-12 world fields compile into the plan: a `job.change` with relation, dependents,
//! 限度額 and income; dated income on a person and a record; the 後期 番号.
#![allow(clippy::unwrap_used)]

use onshi_harness::catalog::Catalog;
use onshi_harness::scenario::{self, plan::Action};
use onshi_sim::insurer::Relation;
use onshi_sim::rules::{IncomeClass, LimitCategory};
use onshi_sim::world::Event;

const SCENARIO: &str = "id: fields/world
title: { en: fields }
requirements: [REG-5]
start: 2026-04-01T09:00
world:
  insurers:
    - { id: kyokai, number: \"01130012\", name: 協会けんぽ }
    - { id: kumiai, number: \"06132716\", name: 組合 }
  institutions:
    - { id: clinic, code: \"1310143217\", name: オンシ内科 }
  people:
    - id: taro
      born: 1980-05-10
      late_elderly_number: \"75001234\"
      income:
        - { from: 2025-08-01, class: active }
        - { from: 2026-08-01, class: low, category: A05 }
      insurance:
        - insurer: kyokai
          symbol: \"12\"
          number: \"34\"
          from: 2015-04-01
          income: [{ from: 2025-08-01, class: general, category: A03 }]
    - id: sora
      born: 2021-09-09
      income: general2
steps:
  - job.change:
      person: taro
      on: 2026-05-01
      to: kumiai
      symbol: \"70\"
      number: \"42\"
      relation: dependent
      dependents: [{ person: sora, branch: \"02\" }, { person: sora, number: \"43\", symbol: \"71\", branch: \"03\" }]
      limits: [{ category: A04, issued: 2026-05-01, valid_until: 2027-07-31 }]
      income: [{ from: 2026-05-01, class: general, category: A04 }]
  - insurance.mislink: { person: taro, linked_to: sora }
  - insurance.fix_link: { person: taro }
  - registry.jlis_check: {}
expect:
  - confirmation: { name: 山田, birth: 1980-05-10 }
";

#[test]
fn every_new_field_reaches_the_plan() {
    let dir = std::env::temp_dir().join(format!("onshi-fields-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fields.yaml");
    std::fs::write(&path, SCENARIO).unwrap();
    let sc = scenario::open(&path, Catalog::builtin()).unwrap();
    let taro = &sc.plan.people[0];
    assert_eq!(taro.late_elderly_number.as_deref(), Some("75001234"));
    assert_eq!(taro.spec.income_periods.len(), 2);
    assert_eq!(taro.spec.income_periods[1].class, IncomeClass::Low);
    assert_eq!(
        taro.spec.income_periods[1].category,
        Some(LimitCategory::A05)
    );
    assert_eq!(taro.quals[0].income[0].category, Some(LimitCategory::A03));
    assert_eq!(sc.plan.people[1].spec.income, IncomeClass::GeneralII);
    assert!(sc.plan.people[1].spec.income_periods.is_empty());
    let events: Vec<&Event> = sc
        .plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Event(e) => Some(&**e),
            _ => None,
        })
        .collect();
    let Event::JobChange {
        relation,
        dependents,
        limits,
        income,
        ..
    } = events[0]
    else {
        panic!("{:?}", events[0]);
    };
    assert_eq!(*relation, Relation::Dependent);
    assert_eq!(dependents.len(), 2);
    assert_eq!(dependents[0].1.number, "42");
    assert_eq!(dependents[0].1.symbol.as_deref(), Some("70"));
    assert_eq!(dependents[0].1.branch, "02");
    assert_eq!(dependents[1].1.number, "43");
    assert_eq!(dependents[1].1.symbol.as_deref(), Some("71"));
    assert_eq!(limits[0].category, LimitCategory::A04);
    assert_eq!(income[0].category, Some(LimitCategory::A04));
    assert!(matches!(events[1], Event::LinkWrongPerson { .. }));
    assert!(matches!(events[2], Event::FixLink { .. }));
    assert!(matches!(events[3], Event::JlisCheckLinks));
}
