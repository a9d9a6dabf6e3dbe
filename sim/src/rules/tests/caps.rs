//! 高額療養費 caps (§1) and the window charge, against hand computations.

use super::*;

fn cap(
    r: &RuleSet,
    category: &str,
    on: Date,
    total: u64,
    scope: CapScope,
    many: bool,
) -> Result<CapAmount, RuleError> {
    r.self_pay_cap(&CapRequest {
        category: LimitCategory::parse(category)?,
        on,
        total_cost: total,
        many_times: many,
        scope,
        birthday_month_75_halving: false,
    })
}

fn yen(r: &RuleSet, category: &str, on: Date, total: u64, scope: CapScope, many: bool) -> u64 {
    cap(r, category, on, total, scope, many).expect("cap").yen
}

const ON: (i16, i8, i8) = (2026, 5, 10);

fn on() -> Date {
    d(ON.0, ON.1, ON.2)
}

#[test]
fn under_seventy_formulas_match_hand_computation() {
    let r = rules();
    use CapScope::Household as H;
    // ウ: 80,100 + (1,000,000 − 267,000) × 1% = 80,100 + 7,330 = 87,430.
    assert_eq!(yen(&r, "A03", on(), 1_000_000, H, false), 87_430);
    // ア: 252,600 + (1,000,000 − 842,000) × 1% = 252,600 + 1,580 = 254,180.
    assert_eq!(yen(&r, "A01", on(), 1_000_000, H, false), 254_180);
    // イ: 167,400 + (1,000,000 − 558,000) × 1% = 167,400 + 4,420 = 171,820.
    assert_eq!(yen(&r, "A02", on(), 1_000_000, H, false), 171_820);
    // エ and オ are fixed.
    assert_eq!(yen(&r, "A04", on(), 1_000_000, H, false), 57_600);
    assert_eq!(yen(&r, "A05", on(), 1_000_000, H, false), 35_400);
    assert_eq!(yen(&r, "A06", on(), 1_000_000, H, false), 35_400);
    // Below the threshold only the base applies.
    assert_eq!(yen(&r, "A03", on(), 100_000, H, false), 80_100);
    // Under 70 there is no separate outpatient cap: the monthly cap applies.
    assert_eq!(
        yen(&r, "A03", on(), 1_000_000, CapScope::Outpatient, false),
        87_430
    );
}

#[test]
fn the_one_percent_part_rounds_half_up_to_the_yen() {
    let r = rules();
    use CapScope::Household as H;
    // (267,049 − 267,000) × 1% = 0.49 → 0; (267,050 − 267,000) × 1% = 0.50 → 1.
    assert_eq!(yen(&r, "A03", on(), 267_049, H, false), 80_100);
    assert_eq!(yen(&r, "A03", on(), 267_050, H, false), 80_101);
    assert_eq!(CAP_ROUNDING.unit_yen, 1);
}

#[test]
fn many_times_replaces_the_monthly_cap() {
    let r = rules();
    use CapScope::Household as H;
    assert_eq!(yen(&r, "A01", on(), 1_000_000, H, true), 140_100);
    assert_eq!(yen(&r, "A02", on(), 1_000_000, H, true), 93_000);
    assert_eq!(yen(&r, "A03", on(), 1_000_000, H, true), 44_400);
    assert_eq!(yen(&r, "A04", on(), 1_000_000, H, true), 44_400);
    assert_eq!(yen(&r, "A05", on(), 1_000_000, H, true), 24_600);
    let c = cap(&r, "A05", on(), 1_000_000, H, true).expect("cap");
    assert_eq!(c.basis, CapBasis::ManyTimes);
    // 低所得 has no 多数回 amount: the monthly cap stays.
    assert_eq!(yen(&r, "B05", on(), 1_000_000, H, true), 24_600);
    assert_eq!(yen(&r, "B06", on(), 1_000_000, H, true), 15_000);
}

#[test]
fn seventy_plus_outpatient_and_household_caps() {
    let r = rules();
    use CapScope::{Household as H, Outpatient as O};
    assert_eq!(yen(&r, "B04", on(), 300_000, O, false), 18_000);
    assert_eq!(yen(&r, "B04", on(), 300_000, H, false), 57_600);
    // 多数回 does not apply to the individual 外来 cap.
    let c = cap(&r, "B04", on(), 300_000, O, true).expect("cap");
    assert_eq!((c.yen, c.basis), (18_000, CapBasis::OutpatientSpecial));
    assert_eq!(yen(&r, "B04", on(), 300_000, H, true), 44_400);
    assert_eq!(yen(&r, "B05", on(), 300_000, O, false), 8_000);
    assert_eq!(yen(&r, "B05", on(), 300_000, H, false), 24_600);
    for code in ["B06", "B07", "B08"] {
        assert_eq!(yen(&r, code, on(), 300_000, O, false), 8_000, "{code}");
        assert_eq!(yen(&r, code, on(), 300_000, H, false), 15_000, "{code}");
    }
    // 現役並み has no separate 外来 cap: ア/イ/ウ formulas apply.
    assert_eq!(yen(&r, "B01", on(), 1_000_000, O, false), 254_180);
    assert_eq!(yen(&r, "B02", on(), 1_000_000, H, false), 171_820);
    assert_eq!(yen(&r, "B03", on(), 1_000_000, H, false), 87_430);
    assert_eq!(yen(&r, "B10", on(), 300_000, O, false), 18_000);
}

#[test]
fn general_ii_outpatient_cap_follows_the_transition_measure_until_2025_09() {
    let r = rules();
    use CapScope::Outpatient as O;
    // min(18,000, 6,000 + (50,000 − 30,000) × 10%) = min(18,000, 8,000) = 8,000.
    let c = cap(&r, "B09", d(2024, 5, 1), 50_000, O, false).expect("cap");
    assert_eq!(c.yen, 8_000);
    assert_eq!(
        c.formula,
        "min(18,000, 6,000 + (50,000 − 30,000) × 10%) = 8,000"
    );
    // min(18,000, 6,000 + 17,000) = 18,000.
    assert_eq!(yen(&r, "B09", d(2024, 5, 1), 200_000, O, false), 18_000);
    // Below 30,000 the base 6,000 (never binding: 2割 of < 30,000 is < 6,000).
    assert_eq!(yen(&r, "B09", d(2024, 5, 1), 20_000, O, false), 6_000);
    assert_eq!(yen(&r, "B09", d(2025, 9, 30), 50_000, O, false), 8_000);
    // The measure ended: plain 18,000 from 2025-10-01.
    assert_eq!(yen(&r, "B09", d(2025, 10, 1), 50_000, O, false), 18_000);
    // No 一般Ⅰ/Ⅱ codes before the split.
    assert!(matches!(
        cap(&r, "B10", d(2022, 9, 30), 1, O, false),
        Err(RuleError::NoRule { .. })
    ));
}

#[test]
fn before_2018_08_the_previous_seventy_plus_amounts_apply() {
    let r = rules();
    use CapScope::{Household as H, Outpatient as O};
    assert_eq!(yen(&r, "B01", d(2018, 1, 15), 500_000, O, false), 57_600);
    // 80,100 + (500,000 − 267,000) × 1% = 80,100 + 2,330 = 82,430.
    assert_eq!(yen(&r, "B02", d(2018, 1, 15), 500_000, H, false), 82_430);
    assert_eq!(yen(&r, "B04", d(2018, 7, 31), 500_000, O, false), 14_000);
    assert_eq!(yen(&r, "B04", d(2018, 8, 1), 500_000, O, false), 18_000);
    // The old 多数回 amount is not in rules-tables: an error, never a guess.
    let err = cap(&r, "B03", d(2018, 1, 15), 500_000, H, true);
    assert!(matches!(err, Err(RuleError::UnknownCell { .. })), "{err:?}");
}

#[test]
fn the_month_of_the_75th_birthday_halves_the_persons_amounts() {
    let r = rules();
    let req = |category: &str, total, scope| CapRequest {
        category: LimitCategory::parse(category).expect("code"),
        on: d(2026, 11, 25),
        total_cost: total,
        many_times: false,
        scope,
        birthday_month_75_halving: true,
    };
    // 現役並みⅠ: 40,050 + (500,000 − 133,500) × 1% = 40,050 + 3,665 = 43,715.
    let c = r
        .self_pay_cap(&req("B03", 500_000, CapScope::Household))
        .expect("cap");
    assert_eq!(c.yen, 43_715);
    assert!(c.halved);
    assert_eq!(
        c.formula,
        "½ (75歳到達月): 40,050 + (500,000 − 133,500) × 1% = 43,715"
    );
    assert_eq!(
        r.self_pay_cap(&req("B04", 500_000, CapScope::Outpatient))
            .expect("cap")
            .yen,
        9_000
    );
    assert_eq!(
        r.self_pay_cap(&req("B10", 500_000, CapScope::Household))
            .expect("cap")
            .yen,
        28_800
    );
    // Born 1951-11-20: 75 on 2026-11-20, not the 1st → halving in November 2026 only.
    assert!(birthday_month_75_halving_applies(
        d(1951, 11, 20),
        d(2026, 11, 3)
    ));
    assert!(!birthday_month_75_halving_applies(
        d(1951, 11, 20),
        d(2026, 12, 1)
    ));
    // Born on the 1st: the whole month is 後期 → no halving.
    assert!(!birthday_month_75_halving_applies(
        d(1951, 11, 1),
        d(2026, 11, 15)
    ));
}

#[test]
fn planned_rows_apply_only_with_the_switch_and_unknown_cells_are_errors() {
    let mut r = rules();
    use CapScope::{Household as H, Outpatient as O};
    let aug = d(2026, 8, 1);
    assert_eq!(yen(&r, "B04", aug, 300_000, O, false), 18_000);
    assert_eq!(yen(&r, "A03", aug, 1_000_000, H, false), 87_430);
    r.switches_mut().apply_planned_revisions = true;
    assert_eq!(yen(&r, "B04", aug, 300_000, O, false), 22_000);
    assert_eq!(yen(&r, "B04", d(2026, 7, 31), 300_000, O, false), 18_000);
    assert_eq!(yen(&r, "B05", aug, 300_000, O, false), 11_000);
    let c = cap(&r, "B04", aug, 300_000, O, false).expect("cap");
    assert_eq!(c.status, Status::Planned);
    // ウ's 2026-08 threshold X is unpublished.
    let err = cap(&r, "A03", aug, 1_000_000, H, false).expect_err("X unknown");
    assert!(err.to_string().contains("85,800 + (総医療費 − X)"), "{err}");
    // 多数回 is unchanged and known.
    assert_eq!(yen(&r, "A03", aug, 1_000_000, H, true), 44_400);
    // 住民税非課税 under 70 is protected: the enacted row stays.
    assert_eq!(yen(&r, "A05", aug, 1_000_000, H, false), 35_400);
}

#[test]
fn limit_category_codes_round_trip() {
    for c in LimitCategory::ALL {
        assert_eq!(LimitCategory::parse(c.code()), Ok(c));
        assert_eq!(c.is_under_70(), c.code().starts_with('A'));
        assert!(!c.label_ja().is_empty());
    }
    assert_eq!(LimitCategory::B09.label_ja(), "一般Ⅱ");
    assert_eq!(LimitCategory::B09.income_class(), IncomeClass::GeneralII);
    assert_eq!(LimitCategory::B02.income_class(), IncomeClass::ActiveIncome);
    assert!(matches!(
        LimitCategory::parse("A07"),
        Err(RuleError::UnknownLimitCategory(_))
    ));
    assert!(LimitCategory::parse("a03").is_err());
}

fn visit(
    on: Date,
    fee: u64,
    percent: u8,
    before: u64,
    charged: u64,
    cap: Option<CapTerms>,
) -> WindowVisit {
    WindowVisit {
        on,
        fee,
        copay_percent: percent,
        month_fee_before: before,
        already_charged_this_month: charged,
        cap,
    }
}

fn terms(category: LimitCategory, scope: CapScope) -> Option<CapTerms> {
    Some(CapTerms {
        category,
        many_times: false,
        scope,
        birthday_month_75_halving: false,
    })
}

#[test]
fn copay_rounds_to_ten_yen_half_up() {
    assert_eq!(plain_copay(12_000, 30), 3_600);
    assert_eq!(plain_copay(1_234, 30), 370); // 370.2
    assert_eq!(plain_copay(1_235, 30), 370); // 370.5: 0.5 yen under 10 → down
    assert_eq!(plain_copay(1_249, 30), 370); // 374.7
    assert_eq!(plain_copay(1_250, 30), 380); // 375 → up
    assert_eq!(plain_copay(0, 30), 0);
    assert_eq!(plain_copay(1_000, 200), 1_000); // above 100% counts as 100%
    assert_eq!(COPAY_ROUNDING.unit_yen, 10);
}

#[test]
fn window_payment_caps_a_single_large_visit() {
    let r = rules();
    let p = r
        .window_payment(&visit(on(), 12_000, 30, 0, 0, None))
        .expect("pay");
    assert_eq!((p.charge, p.capped), (3_600, false));
    let p = r
        .window_payment(&visit(
            on(),
            1_000_000,
            30,
            0,
            0,
            terms(LimitCategory::A03, CapScope::Household),
        ))
        .expect("pay");
    assert_eq!((p.charge, p.plain_copay, p.capped), (87_430, 300_000, true));
}

#[test]
fn the_second_visit_of_a_month_is_charged_up_to_the_cap() {
    let r = rules();
    let t = terms(LimitCategory::A03, CapScope::Household);
    // Visit 1: fee 100,000 → 30,000; cap on 100,000 is 80,100: not binding.
    let p1 = r
        .window_payment(&visit(on(), 100_000, 30, 0, 0, t))
        .expect("pay");
    assert_eq!(p1.charge, 30_000);
    // Visit 2: fee 250,000 → 75,000; cap on 350,000 = 80,100 + 830 = 80,930; left 50,930.
    let p2 = r
        .window_payment(&visit(on(), 250_000, 30, 100_000, 30_000, t))
        .expect("pay");
    assert_eq!((p2.charge, p2.capped), (50_930, true));
    // Visit 3: fee 10,000; cap on 360,000 = 81,030; charged 80,930 → 100.
    let p3 = r
        .window_payment(&visit(on(), 10_000, 30, 350_000, 80_930, t))
        .expect("pay");
    assert_eq!(p3.charge, 100);
    assert_eq!(window_charge(10_000, 30, 90_000, Some(81_030)), 0);
}

#[test]
fn general_ii_pays_ten_percent_plus_three_thousand_over_two_visits() {
    let r = rules();
    let t = terms(LimitCategory::B09, CapScope::Outpatient);
    let may = d(2024, 5, 1);
    // Visit 1: fee 20,000 at 2割 = 4,000; cap on 20,000 = 6,000.
    let p1 = r
        .window_payment(&visit(may, 20_000, 20, 0, 0, t))
        .expect("pay");
    assert_eq!(p1.charge, 4_000);
    // Visit 2: fee 30,000 → 6,000; cap on 50,000 = 8,000; left 4,000.
    let p2 = r
        .window_payment(&visit(may, 30_000, 20, 20_000, 4_000, t))
        .expect("pay");
    assert_eq!(p2.charge, 4_000);
    // Month total 8,000 = 1割 of 50,000 (5,000) + 3,000.
}

#[test]
fn inpatient_and_outpatient_are_separate_claims_at_the_window() {
    let r = rules();
    let (a03, b04) = (Some(LimitCategory::A03), Some(LimitCategory::B04));
    // 診療別 01 入院 / 02 入院外; 訪問診療 is billed on the 入院外 claim; no 限度額 data → same.
    assert_eq!(r.claim_unit(CareMode::Inpatient, a03), ClaimUnit::Inpatient);
    assert_eq!(
        r.claim_unit(CareMode::Outpatient, a03),
        ClaimUnit::Outpatient
    );
    assert_eq!(
        r.claim_unit(CareMode::HomeVisit, b04),
        ClaimUnit::Outpatient
    );
    assert_eq!(r.claim_unit(CareMode::Inpatient, b04), ClaimUnit::Inpatient);
    assert_eq!(
        r.claim_unit(CareMode::Inpatient, None),
        ClaimUnit::Inpatient
    );
    // The 70+ switch off pools only B-codes.
    let mut pooled = rules();
    pooled
        .switches_mut()
        .set("window_separates_inpatient_70_plus", "false")
        .expect("switch");
    assert_eq!(
        pooled.claim_unit(CareMode::Inpatient, b04),
        ClaimUnit::Pooled
    );
    assert_eq!(
        pooled.claim_unit(CareMode::Outpatient, b04),
        ClaimUnit::Pooled
    );
    assert_eq!(
        pooled.claim_unit(CareMode::Inpatient, a03),
        ClaimUnit::Inpatient
    );
    assert!(CLAIM_UNIT_SOURCE.contains("[S5][S1b]"));
}
