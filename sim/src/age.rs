//! Japanese legal age and the insurance transitions built on it.
//!
//! 年齢計算ニ関スル法律 with 民法143条: a year of age is completed at the end of the day
//! *before* the birthday anniversary ("X歳に達する日" is the day before the X-th birthday).
//! A person born on 29 February reaches the new age at the end of 28 February in common
//! years. Every transition the insurers apply is derived here, once.

use crate::clock::Date;

/// "X歳に達する日": the day before the `age`-th birthday anniversary, or 28 February when a
/// 29 February birthday has no anniversary that year. `None` outside the calendar range.
pub fn reaches_age_on(birth: Date, age: u16) -> Option<Date> {
    let year = i16::try_from(i32::from(birth.year()) + i32::from(age)).ok()?;
    match Date::new(year, birth.month(), birth.day()) {
        Ok(anniversary) => anniversary.yesterday().ok(),
        // Only 29 February can lack an anniversary: the period ends on the last day of February.
        Err(_) => Date::new(year, 2, 28).ok(),
    }
}

/// The legal age on `on`: the largest N whose "達する日" is on or before `on`.
/// Zero before the first such day (and for dates before birth).
pub fn age_on(birth: Date, on: Date) -> u16 {
    if on < birth {
        return 0;
    }
    // The age can be one more than the difference of years: born 1 January, a person reaches
    // the new age on 31 December of the previous year.
    let years = i32::from(on.year()) - i32::from(birth.year()) + 1;
    let mut age = u16::try_from(years.max(0)).unwrap_or(0);
    // Step back (at most twice) until that age has been reached on `on`.
    while age > 0 && reaches_age_on(birth, age).is_none_or(|d| d > on) {
        age -= 1;
    }
    age
}

/// Last day of 未就学 (preschool, 2割): the first 31 March on or after "6歳に達する日".
pub fn preschool_last_day(birth: Date) -> Option<Date> {
    let six = reaches_age_on(birth, 6)?;
    let march31 = Date::new(six.year(), 3, 31).ok()?;
    if six <= march31 {
        Some(march31)
    } else {
        Date::new(six.year().checked_add(1)?, 3, 31).ok()
    }
}

/// First day of 高齢受給者 (70–74): the 1st of the month after the month containing
/// "70歳に達する日" (so the birthday month itself for people born on the 1st).
pub fn elderly_first_day(birth: Date) -> Option<Date> {
    let seventy = reaches_age_on(birth, 70)?;
    seventy.last_of_month().tomorrow().ok()
}

/// First day of 後期高齢者 (75+): the 75th birthday itself (the day after "75歳に達する日").
pub fn late_elderly_first_day(birth: Date) -> Option<Date> {
    reaches_age_on(birth, 75)?.tomorrow().ok()
}

/// The age band that decides the statutory copay ratio on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// 未就学: up to the first 31 March after reaching 6 (2割).
    Preschool,
    /// 就学後〜69歳 (3割).
    Working,
    /// 70〜74歳 高齢受給者 (2割, 現役並み 3割).
    Elderly,
    /// 75歳以上 後期高齢者 (1割 / 2割 / 3割).
    LateElderly,
}

/// The band that applies on `on` to a person born on `birth`.
pub fn band_on(birth: Date, on: Date) -> AgeBand {
    if late_elderly_first_day(birth).is_some_and(|d| on >= d) {
        AgeBand::LateElderly
    } else if elderly_first_day(birth).is_some_and(|d| on >= d) {
        AgeBand::Elderly
    } else if preschool_last_day(birth).is_none_or(|d| on <= d) {
        AgeBand::Preschool
    } else {
        AgeBand::Working
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn age_is_reached_the_day_before_the_birthday() {
        let b = date(1986, 4, 1);
        assert_eq!(reaches_age_on(b, 40), Some(date(2026, 3, 31)));
        assert_eq!(age_on(b, date(2026, 3, 30)), 39);
        assert_eq!(age_on(b, date(2026, 3, 31)), 40);
        assert_eq!(age_on(b, date(1986, 4, 1)), 0);
        assert_eq!(age_on(b, date(1980, 1, 1)), 0);
        // Born 1 January: the new age is reached on 31 December.
        assert_eq!(age_on(date(1986, 1, 1), date(2025, 12, 31)), 40);
        assert_eq!(age_on(date(1986, 1, 1), date(2025, 12, 30)), 39);
    }

    #[test]
    fn leap_day_births_reach_age_on_28_february_in_common_years() {
        let b = date(2000, 2, 29);
        assert_eq!(reaches_age_on(b, 1), Some(date(2001, 2, 28)));
        assert_eq!(reaches_age_on(b, 4), Some(date(2004, 2, 28)));
        assert_eq!(age_on(b, date(2001, 2, 27)), 0);
        assert_eq!(age_on(b, date(2001, 2, 28)), 1);
        // Born 1 March: in a leap year the day before is 29 February.
        assert_eq!(reaches_age_on(date(2001, 3, 1), 3), Some(date(2004, 2, 29)));
    }

    #[test]
    fn preschool_ends_on_the_first_march_31_after_reaching_six() {
        // Born 1 April: reaches 6 on 31 March, which is itself the end.
        assert_eq!(
            preschool_last_day(date(2019, 4, 1)),
            Some(date(2025, 3, 31))
        );
        // Born 2 April: reaches 6 on 1 April, so preschool runs a year longer.
        assert_eq!(
            preschool_last_day(date(2019, 4, 2)),
            Some(date(2026, 3, 31))
        );
        assert_eq!(
            preschool_last_day(date(2019, 10, 9)),
            Some(date(2026, 3, 31))
        );
    }

    #[test]
    fn seventy_starts_next_month_or_this_month_when_born_on_the_first() {
        assert_eq!(elderly_first_day(date(1956, 6, 1)), Some(date(2026, 6, 1)));
        assert_eq!(elderly_first_day(date(1956, 6, 2)), Some(date(2026, 7, 1)));
        assert_eq!(elderly_first_day(date(1956, 6, 30)), Some(date(2026, 7, 1)));
    }

    #[test]
    fn seventy_five_starts_on_the_birthday() {
        assert_eq!(
            late_elderly_first_day(date(1951, 4, 1)),
            Some(date(2026, 4, 1))
        );
        assert_eq!(
            late_elderly_first_day(date(1951, 11, 20)),
            Some(date(2026, 11, 20))
        );
        assert_eq!(
            late_elderly_first_day(date(1952, 2, 29)),
            Some(date(2027, 3, 1))
        );
    }

    #[test]
    fn bands_follow_the_transitions() {
        let b = date(1956, 6, 2);
        assert_eq!(band_on(b, date(2026, 6, 30)), AgeBand::Working);
        assert_eq!(band_on(b, date(2026, 7, 1)), AgeBand::Elderly);
        assert_eq!(band_on(b, date(2031, 6, 1)), AgeBand::Elderly);
        assert_eq!(band_on(b, date(2031, 6, 2)), AgeBand::LateElderly);
        assert_eq!(
            band_on(date(2020, 5, 5), date(2026, 3, 31)),
            AgeBand::Preschool
        );
        assert_eq!(
            band_on(date(2020, 5, 5), date(2027, 3, 31)),
            AgeBand::Preschool
        );
        assert_eq!(
            band_on(date(2020, 5, 5), date(2027, 4, 1)),
            AgeBand::Working
        );
    }
}

#[cfg(test)]
mod naive_model {
    //! A day-by-day model of the legal age rule, written as plainly as possible, that the
    //! closed-form functions above must agree with.
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn is_leap(y: i16) -> bool {
        (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    }

    /// Walks from the birth day; the age goes up on the day before each birthday (on 28 February
    /// in common years for people born on 29 February).
    fn naive_ages(birth: Date, days: usize) -> Vec<(Date, u16)> {
        let mut out = Vec::with_capacity(days);
        let mut day = birth;
        let mut age = 0u16;
        for _ in 0..days {
            let next = day.tomorrow().unwrap();
            let birthday_tomorrow = next.month() == birth.month() && next.day() == birth.day();
            let leap_case = birth.month() == 2
                && birth.day() == 29
                && day.month() == 2
                && day.day() == 28
                && !is_leap(day.year());
            if day != birth && (birthday_tomorrow || leap_case) {
                age += 1;
            }
            out.push((day, age));
            day = next;
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn age_transitions_agree_with_a_naive_day_by_day_model(
            y in 1930i16..2020, m in 1i8..=12, d in 1i8..=31
        ) {
            let Ok(birth) = Date::new(y, m, d) else { return Ok(()) };
            let ages = naive_ages(birth, 366 * 80);
            let first_day_at = |n: u16| ages.iter().find(|(_, a)| *a == n).map(|(d, _)| *d);
            for &(day, age) in ages.iter().step_by(7) {
                prop_assert_eq!(age_on(birth, day), age, "birth {} day {}", birth, day);
            }
            for n in [6u16, 40, 70, 75] {
                prop_assert_eq!(reaches_age_on(birth, n), first_day_at(n));
            }
            // 未就学: the first 31 March on or after reaching 6.
            let six = first_day_at(6).unwrap();
            let naive_preschool = ages.iter().map(|(d, _)| *d).find(|d| *d >= six && d.month() == 3 && d.day() == 31);
            prop_assert_eq!(preschool_last_day(birth), naive_preschool);
            // 70: the 1st of the month after the month in which 70 is reached.
            let seventy = first_day_at(70).unwrap();
            let naive_elderly = ages.iter().map(|(d, _)| *d).find(|d| *d > seventy && d.day() == 1);
            prop_assert_eq!(elderly_first_day(birth), naive_elderly);
            // 75: the day after 75 is reached.
            let naive_late = first_day_at(75).and_then(|d| d.tomorrow().ok());
            prop_assert_eq!(late_elderly_first_day(birth), naive_late);
        }
    }

    #[test]
    fn naive_model_sanity() {
        let ages = naive_ages(date(2000, 2, 29), 400);
        assert_eq!(
            ages.iter().find(|(_, a)| *a == 1).map(|(d, _)| *d),
            Some(date(2001, 2, 28))
        );
    }
}
