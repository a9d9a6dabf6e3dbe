//! Card and certificate validity, grace, notices and PINs (§5, CARD-2..4, RDR-5).

use super::*;
use crate::clock::Moment;

#[test]
fn card_runs_to_the_tenth_birthday_after_issue() {
    let r = rules();
    // Issued 2021-06-01, born 1980-05-10: 1st birthday after issue 2022-05-10, 10th 2031-05-10.
    assert_eq!(
        r.card_expiry(d(2021, 6, 1), d(1980, 5, 10)),
        Ok(d(2031, 5, 10))
    );
    // Issued on the birthday itself: that birthday does not count.
    assert_eq!(
        r.card_expiry(d(2020, 5, 10), d(1980, 5, 10)),
        Ok(d(2030, 5, 10))
    );
    // Issued the day before: the next day is the 1st birthday after issue.
    assert_eq!(
        r.card_expiry(d(2020, 5, 9), d(1980, 5, 10)),
        Ok(d(2029, 5, 10))
    );
}

#[test]
fn minors_get_five_years_with_the_threshold_of_the_issue_date() {
    let r = rules();
    // Age 14 at issue: 1st birthday after 2025-01-10 is 2025-08-20, 5th 2029-08-20.
    assert_eq!(
        r.card_expiry(d(2025, 1, 10), d(2010, 8, 20)),
        Ok(d(2029, 8, 20))
    );
    // Age 18 at issue after 2022-04-01: adult. 1st 2025-05-01, 10th 2034-05-01.
    assert_eq!(
        r.card_expiry(d(2024, 6, 1), d(2006, 5, 1)),
        Ok(d(2034, 5, 1))
    );
    // Age 19 at issue in 2021 (threshold 20 then): minor. 1st 2022-01-15, 5th 2026-01-15.
    assert_eq!(
        r.card_expiry(d(2021, 6, 1), d(2002, 1, 15)),
        Ok(d(2026, 1, 15))
    );
    assert!(matches!(
        r.card_expiry(d(2015, 12, 31), d(1980, 1, 1)),
        Err(RuleError::NoRule { .. })
    ));
}

#[test]
fn a_leap_day_birthday_falls_on_march_first_in_common_years() {
    // Born 2000-02-29, issued 2021-03-10: birthdays 2022-03-01, …, 2024-02-29, …; 10th 2031-03-01.
    assert_eq!(
        rules().card_expiry(d(2021, 3, 10), d(2000, 2, 29)),
        Ok(d(2031, 3, 1))
    );
}

#[test]
fn the_certificate_runs_to_the_fifth_birthday_capped_by_the_card() {
    let r = rules();
    let card = d(2031, 5, 10);
    assert_eq!(
        r.auth_cert_expiry(d(2021, 6, 1), d(1980, 5, 10), card),
        Ok(d(2026, 5, 10))
    );
    // Issued 2027-06-01: 5th birthday after is 2032-05-10, past the card → 2031-05-10.
    assert_eq!(
        r.auth_cert_expiry(d(2027, 6, 1), d(1980, 5, 10), card),
        Ok(card)
    );
}

#[test]
fn renewing_inside_the_window_loses_no_time() {
    let r = rules();
    let (birth, prev, card) = (d(1980, 5, 10), d(2026, 5, 10), d(2036, 5, 10));
    assert_eq!(r.renewal_window_opens(prev), d(2026, 2, 10));
    // In the window: 6th birthday after 2026-03-01 (2026-05-10 is the 1st) = 2031-05-10.
    assert_eq!(
        r.renewed_auth_cert_expiry(d(2026, 3, 1), birth, prev, card),
        Ok(d(2031, 5, 10))
    );
    // After expiry: 5th after 2026-05-11 = 2031-05-10 as well.
    assert_eq!(
        r.renewed_auth_cert_expiry(d(2026, 5, 11), birth, prev, card),
        Ok(d(2031, 5, 10))
    );
    // Before the window: 5th after 2026-01-15 = 2030-05-10.
    assert_eq!(
        r.renewed_auth_cert_expiry(d(2026, 1, 15), birth, prev, card),
        Ok(d(2030, 5, 10))
    );
}

#[test]
fn the_renewal_window_can_open_the_day_after() {
    let mut r = rules();
    assert_eq!(r.renewal_window_opens(d(2026, 5, 31)), d(2026, 2, 28));
    r.switches_mut().renewal_window_opens_day_after = true;
    assert_eq!(r.renewal_window_opens(d(2026, 5, 10)), d(2026, 2, 11));
}

#[test]
fn grace_ends_three_months_after_the_expiry_month() {
    let r = rules();
    assert_eq!(r.grace_end(d(2026, 1, 15)), d(2026, 4, 30));
    assert_eq!(r.grace_end(d(2025, 11, 30)), d(2026, 2, 28));
    let expiry = d(2026, 1, 15);
    assert_eq!(
        r.certificate_state(expiry, d(2026, 1, 15)),
        CertificateState::Valid
    );
    assert_eq!(
        r.certificate_state(expiry, d(2026, 1, 16)),
        CertificateState::InGrace
    );
    assert_eq!(
        r.certificate_state(expiry, d(2026, 4, 30)),
        CertificateState::InGrace
    );
    assert_eq!(
        r.certificate_state(expiry, d(2026, 5, 1)),
        CertificateState::Lapsed
    );
}

#[test]
fn the_expiry_notice_runs_three_months_either_side() {
    let r = rules();
    let expiry = d(2026, 5, 10);
    assert!(!r.expiry_notice(expiry, d(2026, 2, 9)));
    assert!(r.expiry_notice(expiry, d(2026, 2, 10)));
    assert!(r.expiry_notice(expiry, d(2026, 8, 10)));
    assert!(!r.expiry_notice(expiry, d(2026, 8, 11)));
}

#[test]
fn a_new_certificate_can_wait_before_it_works() {
    let mut r = rules();
    let t = Moment::parse("2026-04-01T10:00").expect("moment");
    assert_eq!(r.new_certificate_usable_from(t), t);
    r.switches_mut().new_certificate_delay_hours = 24;
    assert_eq!(
        r.new_certificate_usable_from(t),
        Moment::parse("2026-04-02T10:00").expect("moment")
    );
}

fn pin_problem(r: &RuleSet, kind: PinKind, text: &str) -> Option<PinProblem> {
    match r.validate_pin(kind, text) {
        Ok(()) => None,
        Err(RuleError::Pin { problem, .. }) => Some(problem),
        Err(other) => panic!("unexpected {other}"),
    }
}

#[test]
fn pins_are_checked_with_a_reason() {
    let r = rules();
    assert_eq!(pin_problem(&r, PinKind::Auth, "1234"), None);
    assert_eq!(
        pin_problem(&r, PinKind::Auth, "123"),
        Some(PinProblem::Length {
            min: 4,
            max: 4,
            got: 3
        })
    );
    assert!(matches!(
        pin_problem(&r, PinKind::Auth, "12a4"),
        Some(PinProblem::Character { position: 3, .. })
    ));
    assert!(matches!(
        pin_problem(&r, PinKind::Auth, "１２３４"),
        Some(PinProblem::Character { position: 1, .. })
    ));
    assert_eq!(pin_problem(&r, PinKind::InputSupport, "0000"), None);
    assert_eq!(pin_problem(&r, PinKind::Signature, "ABC123"), None);
    assert_eq!(
        pin_problem(&r, PinKind::Signature, "abc123"),
        Some(PinProblem::LowerCase { position: 1 })
    );
    assert_eq!(
        pin_problem(&r, PinKind::Signature, "ABCDEF"),
        Some(PinProblem::NeedsLetterAndDigit)
    );
    assert_eq!(
        pin_problem(&r, PinKind::Signature, "123456"),
        Some(PinProblem::NeedsLetterAndDigit)
    );
    assert!(matches!(
        pin_problem(&r, PinKind::Signature, "ABC-123"),
        Some(PinProblem::Character { position: 4, .. })
    ));
    assert_eq!(
        pin_problem(&r, PinKind::Signature, "ABCDEFGH12345678X"),
        Some(PinProblem::Length {
            min: 6,
            max: 16,
            got: 17
        })
    );
    let message = r
        .validate_pin(PinKind::Signature, "AB1")
        .expect_err("short")
        .to_string();
    assert_eq!(
        message,
        "signature (署名用) PIN rejected: 3 characters; it must have 6 to 16"
    );
}

#[test]
fn pin_tries_come_from_the_table() {
    let r = rules();
    assert_eq!(r.pin_tries(PinKind::Auth), Ok(3));
    assert_eq!(r.pin_tries(PinKind::Signature), Ok(5));
    assert_eq!(r.pin_tries(PinKind::InputSupport), Ok(3));
    assert_eq!(r.pin_tries(PinKind::ResidentRegistry), Ok(3));
}
