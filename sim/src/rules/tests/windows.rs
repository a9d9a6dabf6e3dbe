//! Data windows (§4, REG-7, REG-8, REG-10, PRT-2).

use super::*;

fn window(r: &RuleSet, kind: DataKind, on: Date) -> DataWindow {
    r.data_window(kind, on).expect("window")
}

#[test]
fn medication_shows_five_years_after_the_extension_but_never_before_2021_09() {
    let r = rules();
    // 2026-04-15 − 5 years = 2021-04-15 → month 2021-04; data start 2021-09 wins.
    let w = window(&r, DataKind::Medication, d(2026, 4, 15));
    assert_eq!(w.earliest, d(2021, 9, 1));
    assert_eq!(w.latest_month_visible, Some(d(2026, 3, 1)));
    assert_eq!(w.max_items, None);
    assert_eq!(w.retention, "5 years");
    // 2027-10-15 − 5 years = 2022-10-15 → 2022-10-01.
    assert_eq!(
        window(&r, DataKind::Medication, d(2027, 10, 15)).earliest,
        d(2022, 10, 1)
    );
    assert!(w.contains(d(2026, 3, 20)));
    assert!(!w.contains(d(2026, 4, 1)));
    assert!(!w.contains(d(2021, 8, 31)));
}

#[test]
fn the_extension_date_is_a_switch() {
    let mut r = rules();
    r.switches_mut()
        .set("medication_window_extension_from", "2027-01-01")
        .expect("set");
    // Still 3 years: 2026-04-15 − 3 years = 2023-04-15 → 2023-04-01.
    let w = window(&r, DataKind::Medication, d(2026, 4, 15));
    assert_eq!(
        (w.earliest, w.retention.as_str()),
        (d(2023, 4, 1), "3 years")
    );
    assert_eq!(
        window(&r, DataKind::Treatment, d(2026, 4, 15)).earliest,
        d(2023, 4, 1)
    );
}

#[test]
fn treatment_and_surgery_start_on_their_service_dates() {
    let r = rules();
    let err = r.data_window(DataKind::Treatment, d(2022, 9, 10));
    assert!(matches!(err, Err(RuleError::NoRule { .. })), "{err:?}");
    assert_eq!(
        window(&r, DataKind::Treatment, d(2022, 9, 11)).earliest,
        d(2022, 9, 11)
    );
    assert!(r.data_window(DataKind::Surgery, d(2023, 4, 30)).is_err());
    assert_eq!(
        window(&r, DataKind::Surgery, d(2026, 4, 15)).earliest,
        d(2023, 5, 1)
    );
}

#[test]
fn checkups_cover_fiscal_2020_onward_five_years_latest_five() {
    let r = rules();
    let w = window(&r, DataKind::Checkup, d(2024, 1, 1));
    assert_eq!(
        (w.earliest, w.max_items, w.latest_month_visible),
        (d(2020, 4, 1), Some(5), None)
    );
    // 2026-04-15 − 5 years = 2021-04-15 (day granularity).
    assert_eq!(
        window(&r, DataKind::Checkup, d(2026, 4, 15)).earliest,
        d(2021, 4, 15)
    );
}

#[test]
fn medical_expense_notices_start_at_the_switch_date() {
    let mut r = rules();
    assert_eq!(
        window(&r, DataKind::MedicalExpenseNotice, d(2023, 1, 1)).earliest,
        d(2021, 9, 1)
    );
    r.switches_mut().medical_expense_notice_from = d(2021, 10, 1);
    assert_eq!(
        window(&r, DataKind::MedicalExpenseNotice, d(2023, 1, 1)).earliest,
        d(2021, 10, 1)
    );
}

#[test]
fn e_prescriptions_are_visible_for_100_days() {
    let r = rules();
    // 2026-04-15 − 100 days: 15 days to 03-31, 31 to 02-28, 28 to 01-31, 26 more → 2026-01-05.
    let w = window(&r, DataKind::EPrescription, d(2026, 4, 15));
    assert_eq!((w.earliest, w.latest_month_visible), (d(2026, 1, 5), None));
    assert!(w.contains(d(2026, 4, 15)));
    assert!(
        r.data_window(DataKind::EPrescription, d(2023, 1, 25))
            .is_err()
    );
}
