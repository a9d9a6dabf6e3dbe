//! Consent screens (RDR-4, RDR-5, §3) and consent validity.

use super::*;
use crate::clock::Moment;
use ConsentItem::*;

fn plan(
    r: &RuleSet,
    on: Date,
    birth: Date,
    settings: &InstitutionSettings,
    grace: bool,
) -> ConsentPlan {
    r.consent_plan(on, birth, settings, grace)
}

#[test]
fn up_to_2024_10_06_every_item_is_asked_one_by_one() {
    let r = rules();
    let p = plan(
        &r,
        d(2024, 10, 6),
        d(1980, 5, 10),
        &InstitutionSettings::default(),
        false,
    );
    assert_eq!(
        p.screens,
        vec![Checkup, Medication, LimitInfo, SpecificDisease]
    );
    assert!(!p.blanket_offered);
    assert!(p.provided_without_consent.is_empty());
    assert_eq!(p.checkup_kind, Some(CheckupKind::Specific));
}

#[test]
fn from_2024_10_07_limit_info_has_no_screen_and_blanket_consent_is_offered() {
    let r = rules();
    let p = plan(
        &r,
        d(2024, 10, 7),
        d(1980, 5, 10),
        &InstitutionSettings::default(),
        false,
    );
    assert_eq!(p.screens, vec![Checkup, Medication]);
    assert!(p.blanket_offered);
    assert_eq!(p.provided_without_consent, vec![LimitInfo, SpecificDisease]);
}

#[test]
fn the_specific_disease_screen_can_be_kept_after_2024_10() {
    let mut r = rules();
    r.switches_mut()
        .specific_disease_consent_screen_after_2024_10 = true;
    let p = plan(
        &r,
        d(2025, 1, 10),
        d(1980, 5, 10),
        &InstitutionSettings::default(),
        false,
    );
    assert_eq!(p.screens, vec![Checkup, Medication, SpecificDisease]);
    assert_eq!(p.provided_without_consent, vec![LimitInfo]);
}

#[test]
fn items_the_institution_switched_off_are_not_shown() {
    let r = rules();
    let all = InstitutionSettings::all_enabled();
    let p = plan(&r, d(2024, 1, 10), d(1980, 5, 10), &all, false);
    assert_eq!(
        p.screens,
        vec![
            Checkup,
            Medication,
            Treatment,
            Surgery,
            LimitInfo,
            SpecificDisease
        ]
    );
    // Before 診療 (2022-09-11) and 手術 (2023-05) started.
    let p = plan(&r, d(2022, 9, 10), d(1980, 5, 10), &all, false);
    assert_eq!(
        p.screens,
        vec![Checkup, Medication, LimitInfo, SpecificDisease]
    );
    // Nothing medical enabled: no blanket consent to offer.
    let none = InstitutionSettings {
        enabled: Default::default(),
    };
    let p = plan(&r, d(2025, 1, 10), d(1980, 5, 10), &none, false);
    assert!(p.screens.is_empty());
    assert!(!p.blanket_offered);
    assert_eq!(p.provided_without_consent, vec![LimitInfo, SpecificDisease]);
}

#[test]
fn the_checkup_screen_starts_at_the_legal_age_of_forty() {
    let mut r = rules();
    let s = InstitutionSettings::default();
    // Born 1985-05-10: 40歳に達する日 is 2025-05-09.
    let b = d(1985, 5, 10);
    assert_eq!(
        plan(&r, d(2025, 5, 8), b, &s, false).screens,
        vec![Medication]
    );
    assert_eq!(
        plain_screens(&r, d(2025, 5, 9), b),
        vec![Checkup, Medication]
    );
    // Born 1 January: reaches 40 on 31 December of the previous year.
    assert_eq!(
        plain_screens(&r, d(2025, 12, 31), d(1986, 1, 1)),
        vec![Checkup, Medication]
    );
    r.switches_mut().checkup_screen_min_age = None;
    assert_eq!(
        plain_screens(&r, d(2025, 1, 10), d(2000, 1, 1)),
        vec![Checkup, Medication]
    );
}

fn plain_screens(r: &RuleSet, on: Date, birth: Date) -> Vec<ConsentItem> {
    plan(r, on, birth, &InstitutionSettings::default(), false).screens
}

#[test]
fn from_seventy_five_the_checkup_slot_is_the_late_elderly_checkup() {
    let p = plan(
        &rules(),
        d(2025, 1, 1),
        d(1948, 1, 1),
        &InstitutionSettings::default(),
        false,
    );
    assert_eq!(p.checkup_kind, Some(CheckupKind::LateElderly));
    assert!(p.screens.contains(&Checkup));
}

#[test]
fn in_the_grace_period_no_screens_are_shown() {
    let mut r = rules();
    let s = InstitutionSettings::all_enabled();
    let p = plan(&r, d(2025, 1, 10), d(1980, 5, 10), &s, true);
    assert!(p.screens.is_empty());
    assert!(!p.blanket_offered);
    assert_eq!(p.checkup_kind, None);
    // RDR-5 default: only 資格情報 in the grace period.
    assert!(p.provided_without_consent.is_empty());
    r.switches_mut().limit_info_provided_in_grace = true;
    assert_eq!(
        plan(&r, d(2025, 1, 10), d(1980, 5, 10), &s, true).provided_without_consent,
        vec![LimitInfo, SpecificDisease]
    );
}

#[test]
fn nothing_is_asked_before_the_service_started() {
    let p = plan(
        &rules(),
        d(2021, 10, 19),
        d(1980, 5, 10),
        &InstitutionSettings::default(),
        false,
    );
    assert_eq!(p, ConsentPlan::default());
}

#[test]
fn oqs_codes_match_the_interface() {
    let codes: Vec<_> = ConsentItem::ALL.iter().map(|i| i.oqs_code()).collect();
    assert_eq!(
        codes,
        vec![
            None,
            Some("TSR"),
            Some("TKK"),
            Some("YZK"),
            Some("SRJ"),
            Some("SHJ")
        ]
    );
}

#[test]
fn outpatient_consent_lasts_24_hours_and_inpatient_until_discharge() {
    let mut r = rules();
    let granted = Moment::parse("2026-04-01T09:30").expect("moment");
    let until = r.consent_valid_until(granted, CareMode::Outpatient);
    assert_eq!(
        until,
        Some(Moment::parse("2026-04-02T09:30").expect("moment"))
    );
    assert_eq!(r.consent_valid_until(granted, CareMode::Inpatient), None);
    assert_eq!(r.consent_valid_until(granted, CareMode::HomeVisit), None);
    r.switches_mut().inpatient_consent_hours = Some(72);
    let until = r.consent_valid_until(granted, CareMode::Inpatient);
    assert_eq!(
        until,
        Some(Moment::parse("2026-04-04T09:30").expect("moment"))
    );
}
