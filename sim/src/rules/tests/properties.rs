//! Invariants of the rules over generated inputs.

use proptest::prelude::*;

use super::*;

fn any_date(from_year: i16, to_year: i16) -> impl Strategy<Value = Date> {
    (from_year..=to_year, 1i8..=12, 1i8..=31)
        .prop_map(|(y, m, day)| jiff::civil::Date::new(y, m, day).unwrap_or_else(|_| d(y, m, 28)))
}

fn any_category() -> impl Strategy<Value = LimitCategory> {
    prop::sample::select(LimitCategory::ALL.to_vec())
}

fn any_scope() -> impl Strategy<Value = CapScope> {
    prop::sample::select(vec![CapScope::Outpatient, CapScope::Household])
}

fn any_terms() -> impl Strategy<Value = CapTerms> {
    (any_category(), any::<bool>(), any_scope(), any::<bool>()).prop_map(
        |(category, many_times, scope, birthday_month_75_halving)| CapTerms {
            category,
            many_times,
            scope,
            birthday_month_75_halving,
        },
    )
}

proptest! {
    #[test]
    fn window_payment_never_exceeds_cap_in_a_month(
        terms in any_terms(),
        on in any_date(2017, 2027),
        percent in prop::sample::select(vec![10u8, 20, 30]),
        fees in prop::collection::vec(0u64..3_000_000, 1..8),
    ) {
        let r = rules();
        let (mut before, mut charged) = (0u64, 0u64);
        for fee in fees {
            let visit = WindowVisit {
                on, fee, copay_percent: percent, month_fee_before: before,
                already_charged_this_month: charged, cap: Some(terms),
            };
            let Ok(p) = r.window_payment(&visit) else { return Ok(()) };
            before += fee;
            charged += p.charge;
            let cap = p.cap.map(|c| c.yen).unwrap_or(u64::MAX);
            prop_assert!(charged <= cap, "charged {charged} > cap {cap}");
        }
    }

    #[test]
    fn window_payment_never_exceeds_plain_copay(
        fee in 0u64..5_000_000,
        percent in 0u8..=100,
        charged in 0u64..200_000,
        cap in prop::option::of(0u64..300_000),
    ) {
        let charge = window_charge(fee, percent, charged, cap);
        prop_assert!(charge <= plain_copay(fee, percent));
        prop_assert_eq!(plain_copay(fee, percent) % 10, 0);
    }

    #[test]
    fn caps_are_monotone_in_total_cost(
        terms in any_terms(),
        on in any_date(2017, 2027),
        a in 0u64..5_000_000,
        b in 0u64..5_000_000,
        planned in any::<bool>(),
    ) {
        let mut r = rules();
        r.switches_mut().apply_planned_revisions = planned;
        let (low, high) = (a.min(b), a.max(b));
        if let (Ok(x), Ok(y)) = (
            r.self_pay_cap(&terms.request(on, low)),
            r.self_pay_cap(&terms.request(on, high)),
        ) {
            prop_assert!(x.yen <= y.yen, "{} > {}", x.formula, y.formula);
        }
    }

    #[test]
    fn the_many_times_cap_is_never_above_the_normal_cap(
        category in any_category(),
        on in any_date(2018, 2026),
        total in 0u64..5_000_000,
    ) {
        let r = rules();
        let terms = CapTerms { category, many_times: false, scope: CapScope::Household, birthday_month_75_halving: false };
        let many = CapTerms { many_times: true, ..terms };
        if let (Ok(x), Ok(y)) = (r.self_pay_cap(&terms.request(on, total)), r.self_pay_cap(&many.request(on, total))) {
            prop_assert!(y.yen <= x.yen);
        }
    }

    #[test]
    fn copay_is_ten_twenty_or_thirty_percent(
        birth in any_date(1900, 2026),
        on in any_date(2008, 2030),
        income in prop::sample::select(vec![IncomeClass::General, IncomeClass::GeneralII, IncomeClass::ActiveIncome, IncomeClass::Low]),
    ) {
        prop_assume!(on >= d(2008, 4, 1));
        let p = rules().copay_percent(birth, on, income);
        prop_assert!(matches!(p, Ok(10 | 20 | 30)), "{p:?}");
    }

    #[test]
    fn card_expiry_is_a_birthday_after_issue(birth in any_date(1920, 2025), issued in any_date(2016, 2030)) {
        prop_assume!(birth <= issued);
        let r = rules();
        let card = r.card_expiry(issued, birth).expect("card");
        prop_assert!(card > issued);
        // Born on 29 February: in a common year the birthday falls on 1 March (the age is
        // reached at the end of 28 February), one day past the clamped "+10 years" date.
        let leap_slack = if (birth.month(), birth.day()) == (2, 29) { 1 } else { 0 };
        let bound = issued
            .checked_add(jiff::Span::new().years(10))
            .expect("date")
            .checked_add(jiff::Span::new().days(leap_slack))
            .expect("date");
        prop_assert!(card <= bound, "card {card} beyond {bound}");
        if (birth.month(), birth.day()) != (2, 29) {
            prop_assert_eq!((card.month(), card.day()), (birth.month(), birth.day()));
        }
        let cert = r.auth_cert_expiry(issued, birth, card).expect("cert");
        prop_assert!(issued < cert && cert <= card);
    }

    #[test]
    fn grace_ends_on_a_month_end_after_expiry(expiry in any_date(2016, 2040)) {
        let r = rules();
        let end = r.grace_end(expiry);
        prop_assert!(end > expiry);
        prop_assert_eq!(end, end.last_of_month());
        prop_assert_eq!(r.certificate_state(expiry, end), CertificateState::InGrace);
    }

    #[test]
    fn data_windows_never_start_before_their_data(
        kind in prop::sample::select(vec![DataKind::Medication, DataKind::Treatment, DataKind::Surgery, DataKind::Checkup, DataKind::MedicalExpenseNotice, DataKind::EPrescription]),
        on in any_date(2021, 2035),
    ) {
        if let Ok(w) = rules().data_window(kind, on) {
            prop_assert!(w.earliest <= on);
            prop_assert!(w.earliest >= d(2020, 4, 1));
        }
    }

    #[test]
    fn table_loading_never_panics(text in "\\PC{0,200}", kind in prop::sample::select(TableKind::ALL.to_vec())) {
        let _ = rules().with_table(kind, "fuzz.yaml", &text);
    }

    #[test]
    fn pin_validation_never_panics(text in "\\PC{0,24}") {
        let r = rules();
        for kind in [PinKind::Auth, PinKind::Signature, PinKind::InputSupport, PinKind::ResidentRegistry] {
            let _ = r.validate_pin(kind, &text);
        }
    }
}
