//! Tests of the rule tables against hand-computed values from rules-tables.md, of the table
//! loading errors users see, and of the switches.

mod caps;
mod certificate;
mod consent;
mod copay;
mod loading;
mod properties;
mod windows;

use super::*;
use crate::clock::Date;

/// The builtin rule set (the load itself is asserted in `loading`).
fn rules() -> RuleSet {
    RuleSet::builtin()
}

/// Shorthand for a civil date.
fn d(y: i16, m: i8, day: i8) -> Date {
    jiff::civil::date(y, m, day)
}
