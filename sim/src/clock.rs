//! Virtual time. Scenario time is Japan Standard Time (UTC+09:00, no daylight saving), kept
//! as civil date-times so that nothing in the simulation ever reads the wall clock.

use std::fmt;

pub use jiff::civil::{Date, DateTime, Time};
pub use jiff::{Span, ToSpan};

/// One point in scenario time, in JST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(pub DateTime);

impl Moment {
    /// Midnight (00:00) JST at the start of `date`.
    pub fn start_of(date: Date) -> Self {
        Moment(date.to_datetime(Time::midnight()))
    }

    /// The calendar date of this moment in JST.
    pub fn date(self) -> Date {
        self.0.date()
    }

    /// This moment moved by `span` (calendar-aware: months and years follow the calendar).
    pub fn plus(self, span: Span) -> Result<Self, ClockError> {
        self.0
            .checked_add(span)
            .map(Moment)
            .map_err(|_| ClockError::OutOfRange)
    }

    /// The 14-digit `YYYYMMDDHHMMSS` form used in the eligibility messages.
    pub fn compact(self) -> String {
        let d = self.0;
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS][+09:00]`; an offset other than +09:00 is rejected because
    /// scenario time is JST by definition.
    pub fn parse(text: &str) -> Result<Self, ClockError> {
        // An offset after the time part: `+HH:MM`, `-HH:MM` or `Z`.
        let offset_at = text
            .find('T')
            .and_then(|t| text[t..].find(['+', '-']).map(|i| t + i));
        let bare = match offset_at {
            Some(i) => {
                let offset = &text[i..];
                if offset != "+09:00" && offset != "+0900" && offset != "+09" {
                    return Err(ClockError::NotJst(text.to_string()));
                }
                &text[..i]
            }
            None if text.ends_with('Z') => return Err(ClockError::NotJst(text.to_string())),
            None => text,
        };
        bare.parse::<DateTime>()
            .map(Moment)
            .or_else(|_| bare.parse::<Date>().map(Moment::start_of))
            .map_err(|e| ClockError::Syntax(text.to_string(), e.to_string()))
    }
}

impl serde::Serialize for Moment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Moment {
    /// `YYYY-MM-DDTHH:MM[:SS][+09:00]`, as [`Moment::parse`] reads it.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Moment::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+09:00",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }
}

/// Errors from time arithmetic and parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The result would leave the supported calendar range (years -9999..=9999).
    #[error("date-time out of the supported range")]
    OutOfRange,
    /// The text carried an offset other than JST.
    #[error("`{0}` is not in JST: scenario time is always +09:00")]
    NotJst(String),
    /// The text is not a date or date-time.
    #[error("`{0}` is not a date-time (YYYY-MM-DDTHH:MM[+09:00]): {1}")]
    Syntax(String, String),
    /// The clock may only move forward.
    #[error("the virtual clock cannot go back from {now} to {target}")]
    Backwards {
        /// The current time.
        now: Moment,
        /// The requested time.
        target: Moment,
    },
}

/// The world's virtual clock. It moves only when told to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VirtualClock {
    now: Moment,
}

impl VirtualClock {
    /// A clock that starts at `start`.
    pub fn new(start: Moment) -> Self {
        VirtualClock { now: start }
    }

    /// The current scenario time.
    pub fn now(&self) -> Moment {
        self.now
    }

    /// Today's date in JST.
    pub fn today(&self) -> Date {
        self.now.date()
    }

    /// Moves the clock forward by `span`; a negative span is an error.
    pub fn advance(&mut self, span: Span) -> Result<Moment, ClockError> {
        let target = self.now.plus(span)?;
        self.advance_to(target)
    }

    /// Moves the clock forward to `target`.
    pub fn advance_to(&mut self, target: Moment) -> Result<Moment, ClockError> {
        if target < self.now {
            return Err(ClockError::Backwards {
                now: self.now,
                target,
            });
        }
        self.now = target;
        Ok(target)
    }
}

/// Formats a date as the 8-digit `YYYYMMDD` of the eligibility messages.
pub fn compact_date(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// Parses an 8-digit `YYYYMMDD` date.
pub fn parse_compact_date(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i16 = text[0..4].parse().ok()?;
    let m: i8 = text[4..6].parse().ok()?;
    let d: i8 = text[6..8].parse().ok()?;
    Date::new(y, m, d).ok()
}

/// The last day of the month `months` after the month containing `date`
/// (`end_of_month_after(2026-01-15, 3)` is 2026-04-30).
pub fn end_of_month_after(date: Date, months: i32) -> Date {
    let first = date.first_of_month();
    match first.checked_add(Span::new().months(months)) {
        Ok(d) => d.last_of_month(),
        Err(_) => date.last_of_month(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn parses_jst_and_rejects_other_offsets() {
        let m = Moment::parse("2026-04-01T09:00+09:00").unwrap();
        assert_eq!(m.to_string(), "2026-04-01T09:00:00+09:00");
        assert_eq!(
            Moment::parse("2026-04-01").unwrap().compact(),
            "20260401000000"
        );
        assert!(matches!(
            Moment::parse("2026-04-01T09:00Z"),
            Err(ClockError::NotJst(_))
        ));
        assert!(matches!(
            Moment::parse("2026-04-01T09:00+01:00"),
            Err(ClockError::NotJst(_))
        ));
        assert!(matches!(
            Moment::parse("2026-04-01T09:00-05:00"),
            Err(ClockError::NotJst(_))
        ));
        assert!(matches!(
            Moment::parse("2026-13-01"),
            Err(ClockError::Syntax(..))
        ));
    }

    #[test]
    fn clock_moves_forward_only() {
        let mut c = VirtualClock::new(Moment::parse("2026-04-01T09:00").unwrap());
        c.advance(14.days()).unwrap();
        assert_eq!(c.today(), date(2026, 4, 15));
        let earlier = Moment::parse("2026-04-02").unwrap();
        assert!(matches!(
            c.advance_to(earlier),
            Err(ClockError::Backwards { .. })
        ));
        assert_eq!(c.today(), date(2026, 4, 15));
    }

    #[test]
    fn compact_dates_round_trip_and_reject_garbage() {
        assert_eq!(compact_date(date(2021, 9, 1)), "20210901");
        assert_eq!(parse_compact_date("20210901"), Some(date(2021, 9, 1)));
        for bad in ["2021091", "2021-9-1", "20210230", "abcdefgh", ""] {
            assert_eq!(parse_compact_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn end_of_month_after_counts_calendar_months() {
        assert_eq!(end_of_month_after(date(2026, 1, 15), 3), date(2026, 4, 30));
        assert_eq!(end_of_month_after(date(2025, 11, 30), 3), date(2026, 2, 28));
        assert_eq!(end_of_month_after(date(2026, 2, 1), 0), date(2026, 2, 28));
    }
}
