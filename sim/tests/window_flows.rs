//! The window's month totals through `World::apply` (PRV-2): at one institution 入院 and 入院外
//! are separate claims, each capped on its own (rules-tables §1.1 [S5][S1b], §1.2 [S3]); the
//! 70+ switch `window_separates_inpatient_70_plus` pools them.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use jiff::civil::date;
use onshi_sim::World;
use onshi_sim::ids::PersonId;
use onshi_sim::insurer::LimitCertificateKind;
use onshi_sim::insurer::{DesignatedDisease, DesignatedDiseaseCertificate, LimitCertificate};
use onshi_sim::provider::{Fee, VisitRecord};
use onshi_sim::registry::Channel;
use onshi_sim::rules::{CareMode, LimitCategory};
use onshi_sim::world::{Event, Outcome};

fn with_limit(w: &mut World, p: PersonId, category: LimitCategory) {
    let q = w.view().person_quals(p)[0];
    w.qualification_mut(q)
        .unwrap()
        .limits
        .push(LimitCertificate {
            kind: LimitCertificateKind::Limit,
            category,
            issued: date(2026, 1, 5),
            valid_from: date(2026, 1, 1),
            valid_until: Some(date(2026, 12, 31)),
            recalled: None,
            long_stay_from: None,
            registered: true,
        });
}

/// A card visit at the clinic at `when` with a 10割 `fee`, as an inpatient or an outpatient.
fn charge(w: &mut World, p: PersonId, when: &str, care: CareMode, fee: u64) -> VisitRecord {
    w.apply(Event::AdvanceTo(at(when))).unwrap();
    let mut spec = visit(w, p, face());
    spec.care = care;
    spec.fee = Some(Fee {
        total: fee,
        many_times: false,
    });
    match w.apply(Event::Visit(Box::new(spec))).unwrap() {
        Outcome::Visit(v) => v.record.unwrap(),
        other => panic!("{other:?}"),
    }
}

/// Hana: born 1953-12-01, so 70–74 (2割, 一般) in 2026, with a registered card.
fn hana(w: &mut World) -> PersonId {
    let p = person(w, "hana", date(1953, 12, 1), date(2024, 6, 1));
    w.register_for_insurance(p, Channel::Reader, at("2024-06-10T10:00"))
        .unwrap();
    p
}

#[test]
fn under_seventy_an_outpatient_visit_after_an_inpatient_stay_starts_its_own_month_total() {
    let mut w = world("2026-06-01T09:00");
    let taro = taro(&mut w);
    with_limit(&mut w, taro, LimitCategory::A03);
    // 06-01 外来 fee 100,000: 3割 30,000; 入院外 total 100,000 ≤ 267,000 → cap 80,100 → 30,000.
    let r = charge(
        &mut w,
        taro,
        "2026-06-01T09:00",
        CareMode::Outpatient,
        100_000,
    );
    assert_eq!((r.cap, r.charged), (Some(80_100), 30_000));
    // 06-08 入院 fee 1,000,000: 300,000; 入院 total 1,000,000 → 80,100 + (1,000,000 − 267,000)
    // × 1% = 87,430, nothing charged on the 入院 claim yet → 87,430. (One pooled total would
    // give cap on 1,100,000 = 88,430, minus 30,000 → 58,430.)
    let r = charge(
        &mut w,
        taro,
        "2026-06-08T09:00",
        CareMode::Inpatient,
        1_000_000,
    );
    assert_eq!((r.cap, r.charged), (Some(87_430), 87_430));
    // 06-22 外来 fee 200,000: 60,000; 入院外 total 300,000 → 80,100 + 33,000 × 1% = 80,430,
    // 30,000 already charged on 入院外 → 50,430: the earlier outpatient visit counts, the stay
    // does not. (Pooled: cap on 1,300,000 = 90,430 − 88,430 → 2,000.)
    let r = charge(
        &mut w,
        taro,
        "2026-06-22T09:00",
        CareMode::Outpatient,
        200_000,
    );
    assert_eq!((r.cap, r.charged), (Some(80_430), 50_430));
}

#[test]
fn seventy_plus_outpatient_cap_and_inpatient_cap_each_apply_to_their_own_claim() {
    let mut w = world("2026-06-01T09:00");
    let hana = hana(&mut w);
    with_limit(&mut w, hana, LimitCategory::B04);
    // 06-01 外来 fee 50,000: 2割 10,000; 外来 (個人) cap 18,000 → 10,000.
    let r = charge(
        &mut w,
        hana,
        "2026-06-01T09:00",
        CareMode::Outpatient,
        50_000,
    );
    assert_eq!(
        (r.copay_percent, r.cap, r.charged),
        (20, Some(18_000), 10_000)
    );
    // 06-08 入院 fee 400,000: 80,000; 外来+入院 (世帯) amount 57,600 on the 入院 claim, which
    // has nothing charged yet → 57,600. (Pooled: 57,600 − 10,000 → 47,600.)
    let r = charge(
        &mut w,
        hana,
        "2026-06-08T09:00",
        CareMode::Inpatient,
        400_000,
    );
    assert_eq!((r.cap, r.charged), (Some(57_600), 57_600));
    // 06-22 外来 fee 50,000: 10,000; 入院外 claim: 18,000 − 10,000 already → 8,000.
    // (Pooled: 18,000 − 67,600 → 0.)
    let r = charge(
        &mut w,
        hana,
        "2026-06-22T09:00",
        CareMode::Outpatient,
        50_000,
    );
    assert_eq!((r.cap, r.charged), (Some(18_000), 8_000));
}

#[test]
fn with_the_switch_off_a_seventy_plus_patient_has_one_pooled_month_total() {
    let mut w = world("2026-06-01T09:00");
    w.rules_mut()
        .switches_mut()
        .set("window_separates_inpatient_70_plus", "false")
        .unwrap();
    let hana = hana(&mut w);
    with_limit(&mut w, hana, LimitCategory::B04);
    // Same visits as above, one total: 10,000; then 世帯 57,600 − 10,000 = 47,600; then the
    // 外来 cap 18,000 is already exceeded by 67,600 → 0.
    let r = charge(
        &mut w,
        hana,
        "2026-06-01T09:00",
        CareMode::Outpatient,
        50_000,
    );
    assert_eq!(r.charged, 10_000);
    let r = charge(
        &mut w,
        hana,
        "2026-06-08T09:00",
        CareMode::Inpatient,
        400_000,
    );
    assert_eq!(r.charged, 47_600);
    let r = charge(
        &mut w,
        hana,
        "2026-06-22T09:00",
        CareMode::Outpatient,
        50_000,
    );
    assert_eq!(r.charged, 0);
}

#[test]
fn the_switch_does_not_pool_an_under_seventy_patient() {
    let mut w = world("2026-06-01T09:00");
    w.rules_mut()
        .switches_mut()
        .set("window_separates_inpatient_70_plus", "false")
        .unwrap();
    let taro = taro(&mut w);
    with_limit(&mut w, taro, LimitCategory::A04);
    // 区分エ 57,600. 入院 fee 400,000: 120,000 → 57,600. 外来 fee 50,000: 15,000, its own claim
    // → 15,000 (pooled it would be 0).
    let r = charge(
        &mut w,
        taro,
        "2026-06-08T09:00",
        CareMode::Inpatient,
        400_000,
    );
    assert_eq!(r.charged, 57_600);
    let r = charge(
        &mut w,
        taro,
        "2026-06-15T09:00",
        CareMode::Outpatient,
        50_000,
    );
    assert_eq!(r.charged, 15_000);
}

#[test]
fn the_designated_disease_limit_also_applies_per_claim() {
    let mut w = world("2026-06-01T09:00");
    let taro = taro(&mut w);
    let q = w.view().person_quals(taro)[0];
    w.qualification_mut(q)
        .unwrap()
        .designated_diseases
        .push(DesignatedDiseaseCertificate {
            disease: DesignatedDisease::ChronicRenalFailure,
            issued: date(2026, 1, 5),
            valid_from: date(2026, 1, 1),
            valid_until: None,
            monthly_cap: 10_000,
        });
    // 外来 fee 50,000: 15,000 → 10,000 (the certificate's monthly limit).
    let r = charge(
        &mut w,
        taro,
        "2026-06-01T09:00",
        CareMode::Outpatient,
        50_000,
    );
    assert_eq!((r.cap, r.charged), (Some(10_000), 10_000));
    // 入院 fee 100,000: 30,000 → 10,000 on the 入院 claim (pooled: 10,000 − 10,000 → 0).
    let r = charge(
        &mut w,
        taro,
        "2026-06-08T09:00",
        CareMode::Inpatient,
        100_000,
    );
    assert_eq!(r.charged, 10_000);
    // 外来 fee 10,000: 3,000, but the 入院外 claim already paid its 10,000 → 0.
    let r = charge(
        &mut w,
        taro,
        "2026-06-22T09:00",
        CareMode::Outpatient,
        10_000,
    );
    assert_eq!(r.charged, 0);
}

#[test]
fn a_home_visit_is_on_the_outpatient_claim() {
    let mut w = world("2026-06-01T09:00");
    let hana = hana(&mut w);
    with_limit(&mut w, hana, LimitCategory::B04);
    // 訪問診療 fee 60,000: 2割 12,000 → under 18,000 → 12,000. Then 外来 fee 50,000: 10,000,
    // same 入院外 claim: 18,000 − 12,000 → 6,000.
    let r = charge(
        &mut w,
        hana,
        "2026-06-01T09:00",
        CareMode::HomeVisit,
        60_000,
    );
    assert_eq!(r.charged, 12_000);
    let r = charge(
        &mut w,
        hana,
        "2026-06-08T09:00",
        CareMode::Outpatient,
        50_000,
    );
    assert_eq!(r.charged, 6_000);
}
