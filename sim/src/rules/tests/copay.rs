//! 負担割合 by age band and income (§2), hand-checked against the transition rules.

use super::*;

#[test]
fn preschool_ends_on_the_first_march_31_after_reaching_six() {
    let r = rules();
    // Born 2019-04-01: reaches 6 on 2025-03-31, itself the last day of 未就学.
    let b = d(2019, 4, 1);
    assert_eq!(
        r.copay_percent(b, d(2025, 3, 31), IncomeClass::General),
        Ok(20)
    );
    assert_eq!(
        r.copay_percent(b, d(2025, 4, 1), IncomeClass::General),
        Ok(30)
    );
    // Born 2019-04-02: reaches 6 on 2025-04-01, so 2割 until 2026-03-31.
    let b = d(2019, 4, 2);
    assert_eq!(
        r.copay_percent(b, d(2026, 3, 31), IncomeClass::General),
        Ok(20)
    );
    assert_eq!(
        r.copay_percent(b, d(2026, 4, 1), IncomeClass::General),
        Ok(30)
    );
}

#[test]
fn seventy_starts_next_month_or_this_month_when_born_on_the_first() {
    let r = rules();
    // Born 1956-06-02: 70歳に達する日 2026-06-01 → 2割 from 2026-07-01.
    let b = d(1956, 6, 2);
    assert_eq!(
        r.copay_percent(b, d(2026, 6, 30), IncomeClass::General),
        Ok(30)
    );
    assert_eq!(
        r.copay_percent(b, d(2026, 7, 1), IncomeClass::General),
        Ok(20)
    );
    assert_eq!(
        r.copay_percent(b, d(2026, 7, 1), IncomeClass::ActiveIncome),
        Ok(30)
    );
    assert_eq!(r.copay_percent(b, d(2026, 7, 1), IncomeClass::Low), Ok(20));
    // Born 1956-06-01: 達する日 2026-05-31 → 2割 from 2026-06-01.
    assert_eq!(
        r.copay_percent(d(1956, 6, 1), d(2026, 6, 1), IncomeClass::General),
        Ok(20)
    );
}

#[test]
fn seventy_five_starts_on_the_birthday_with_general_ii_from_2022_10() {
    let r = rules();
    let b = d(1951, 11, 20);
    assert_eq!(
        r.copay_percent(b, d(2026, 11, 19), IncomeClass::General),
        Ok(20)
    );
    assert_eq!(
        r.copay_percent(b, d(2026, 11, 20), IncomeClass::General),
        Ok(10)
    );
    assert_eq!(
        r.copay_percent(b, d(2026, 11, 20), IncomeClass::GeneralII),
        Ok(20)
    );
    assert_eq!(
        r.copay_percent(b, d(2026, 11, 20), IncomeClass::ActiveIncome),
        Ok(30)
    );
    // Before the 2022-10 split, 一般Ⅱ people paid 1割 like all of 一般.
    let old = d(1940, 1, 10);
    assert_eq!(
        r.copay_percent(old, d(2022, 9, 30), IncomeClass::GeneralII),
        Ok(10)
    );
    assert_eq!(
        r.copay_percent(old, d(2022, 10, 1), IncomeClass::GeneralII),
        Ok(20)
    );
}

#[test]
fn people_who_reached_seventy_by_march_2014_keep_ten_percent() {
    let r = rules();
    // Born 1943-05-05: 70歳に達する日 2013-05-04 → 高齢受給者 from 2013-06-01 at the legacy 1割.
    assert_eq!(
        r.copay_percent(d(1943, 5, 5), d(2014, 1, 10), IncomeClass::General),
        Ok(10)
    );
    // Born 1944-04-02: reaches 70 on 2014-04-01 → from 2014-05-01 at 2割.
    assert_eq!(
        r.copay_percent(d(1944, 4, 2), d(2014, 5, 1), IncomeClass::General),
        Ok(20)
    );
    // 現役並み is 3割 either way.
    assert_eq!(
        r.copay_percent(d(1943, 5, 5), d(2014, 1, 10), IncomeClass::ActiveIncome),
        Ok(30)
    );
}

#[test]
fn no_ratio_before_the_table_floor() {
    let err = rules().copay_percent(d(1980, 1, 1), d(2008, 3, 31), IncomeClass::General);
    assert!(
        matches!(
            err,
            Err(RuleError::NoRule {
                table: TableKind::Copay,
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn the_ratio_explains_its_row() {
    let ratio = rules()
        .copay_ratio(d(1951, 11, 20), d(2026, 11, 20), IncomeClass::GeneralII)
        .expect("ratio");
    assert_eq!(ratio.percent, 20);
    assert_eq!(ratio.band, crate::age::AgeBand::LateElderly);
    assert_eq!(ratio.row_from, d(2022, 10, 1));
    assert!(ratio.source.contains("[S9]"));
}
