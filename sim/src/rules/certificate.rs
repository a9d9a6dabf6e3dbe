//! Card and certificate validity (CARD-2..4, RDR-5, rules-tables §5): card and 電子証明書
//! expiry from birthdays after issue, the renewal window, the expiry notice period, the grace
//! period for insurance use after expiry, and the PIN formats with their retry counts. Dated
//! validity rows and PIN rows are `certificate.yaml`; period lengths are switches.

use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;

use super::table::{self, Located, Problem, Status, impl_dated};
use super::{RuleError, RuleSet, TableKind};
use crate::age::reaches_age_on;
use crate::clock::{Date, Moment, Span, end_of_month_after};

/// Which PIN of the card.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PinKind {
    /// 利用者証明用電子証明書 (4 digits).
    Auth,
    /// 署名用電子証明書 (6–16 uppercase letters and digits).
    Signature,
    /// 住民基本台帳用 (4 digits).
    ResidentRegistry,
    /// 券面事項入力補助用 (4 digits).
    InputSupport,
}

impl fmt::Display for PinKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinKind::Auth => "auth (利用者証明用)",
            PinKind::Signature => "signature (署名用)",
            PinKind::ResidentRegistry => "resident-registry (住民基本台帳用)",
            PinKind::InputSupport => "input-support (券面事項入力補助用)",
        })
    }
}

/// Why a PIN text is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinProblem {
    /// Too short or too long.
    #[error("{got} characters; it must have {}", if min == max { format!("exactly {min}") } else { format!("{min} to {max}") })]
    Length {
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
        /// Characters given.
        got: usize,
    },
    /// A lower-case letter where only upper case is allowed.
    #[error("character {position} is lower case; use upper-case letters (A–Z)")]
    LowerCase {
        /// 1-based position.
        position: usize,
    },
    /// A character outside the allowed set.
    #[error("character {position} is not allowed; only {allowed}")]
    Character {
        /// 1-based position.
        position: usize,
        /// The allowed set in words.
        allowed: &'static str,
    },
    /// Letters only or digits only where both are required.
    #[error("it needs at least one letter and at least one digit")]
    NeedsLetterAndDigit,
    /// The certificate table has no row for this PIN kind.
    #[error("the certificate table has no rule for this PIN")]
    NoRule,
}

/// Where a certificate stands for insurance use on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertificateState {
    /// On or before the expiry date.
    Valid,
    /// Expired, within the grace period: 資格情報 only, no consent screens.
    InGrace,
    /// Past the grace period: not usable; insurers send a 資格確認書.
    Lapsed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PinChars {
    Digits,
    UpperAlnum,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CardRow {
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    status: Status,
    adult_age: u16,
    adult_years: u16,
    minor_years: u16,
    source: String,
    #[serde(default)]
    note: Option<String>,
}
impl_dated!(CardRow);

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CertRow {
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    status: Status,
    years: u16,
    renewed_in_window_years: u16,
    source: String,
    #[serde(default)]
    note: Option<String>,
}
impl_dated!(CertRow);

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PinRow {
    kind: PinKind,
    min_len: usize,
    max_len: usize,
    chars: PinChars,
    letter_and_digit: bool,
    tries: u8,
    source: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateFile {
    table: Located<String>,
    card: Vec<Located<CardRow>>,
    auth_certificate: Vec<Located<CertRow>>,
    pins: Vec<Located<PinRow>>,
}

/// The parsed `certificate.yaml`.
#[derive(Clone, Debug, Default)]
pub(crate) struct CertificateTable {
    card: Vec<Located<CardRow>>,
    auth_certificate: Vec<Located<CertRow>>,
    pins: Vec<Located<PinRow>>,
}

impl CertificateTable {
    /// Parses and checks a certificate table.
    pub fn load(name: &str, text: &str) -> Result<CertificateTable, RuleError> {
        let kind = TableKind::Certificate;
        let file: CertificateFile = table::parse(kind, name, text)?;
        table::check_table_key(kind, name, &file.table)?;
        let problem = |p| table::problem_error(kind, name, p);
        for row in &file.card {
            if row.value.adult_years == 0 || row.value.minor_years == 0 {
                return Err(problem(Problem::at(
                    row,
                    "certificate: card years must be at least 1",
                )));
            }
        }
        for row in &file.auth_certificate {
            if row.value.years == 0 || row.value.renewed_in_window_years == 0 {
                return Err(problem(Problem::at(
                    row,
                    "certificate: certificate years must be at least 1",
                )));
            }
        }
        let mut seen = BTreeSet::new();
        for row in &file.pins {
            let p = &row.value;
            let message = if p.min_len == 0 || p.min_len > p.max_len {
                Some("certificate: PIN needs 1 ≤ min_len ≤ max_len")
            } else if p.tries == 0 {
                Some("certificate: PIN `tries` must be at least 1")
            } else if p.source.trim().is_empty() {
                Some("certificate: PIN `source` is empty")
            } else if !seen.insert(p.kind) {
                Some("certificate: a second row for the same PIN kind")
            } else {
                None
            };
            if let Some(message) = message {
                return Err(problem(Problem::at(row, message)));
            }
        }
        table::check_rows("certificate card", &file.card, |_, _| true).map_err(problem)?;
        table::check_rows(
            "certificate auth_certificate",
            &file.auth_certificate,
            |_, _| true,
        )
        .map_err(problem)?;
        Ok(CertificateTable {
            card: file.card,
            auth_certificate: file.auth_certificate,
            pins: file.pins,
        })
    }

    /// Every row's source text (for the source-coverage test).
    #[cfg(test)]
    pub fn sources(&self) -> Vec<&str> {
        let card = self.card.iter().map(|r| r.value.source.as_str());
        let cert = self
            .auth_certificate
            .iter()
            .map(|r| r.value.source.as_str());
        card.chain(cert)
            .chain(self.pins.iter().map(|r| r.value.source.as_str()))
            .collect()
    }
}

/// The `k`-th birthday (k ≥ 1): the day after "k歳に達する日" (1 March for 29 February births in
/// common years).
fn birthday(birth: Date, k: u16) -> Option<Date> {
    reaches_age_on(birth, k)?.tomorrow().ok()
}

/// The `n`-th birthday strictly after `after` (n ≥ 1).
pub(crate) fn nth_birthday_after(birth: Date, after: Date, n: u16) -> Option<Date> {
    let years = i32::from(after.year()) - i32::from(birth.year());
    let mut k = u16::try_from(years.max(1)).ok()?;
    if birthday(birth, k)? <= after {
        k = k.checked_add(1)?;
    }
    birthday(birth, k.checked_add(n.checked_sub(1)?)?)
}

fn months_span(months: u32) -> Option<Span> {
    Span::new().try_months(i64::from(months)).ok()
}

impl RuleSet {
    /// Card expiry: the 10th birthday after issue if of adult age at issue, else the 5th.
    pub fn card_expiry(&self, issued: Date, birth: Date) -> Result<Date, RuleError> {
        let planned = self.switches.apply_planned_revisions;
        let row = table::in_force(&self.certificate.card, issued, planned, |_| true).ok_or_else(
            || RuleError::NoRule {
                table: TableKind::Certificate,
                what: "card validity (by issue date)".into(),
                on: issued,
            },
        )?;
        let r = &row.value;
        let adult = reaches_age_on(birth, r.adult_age).is_some_and(|d| d <= issued);
        let years = if adult { r.adult_years } else { r.minor_years };
        nth_birthday_after(birth, issued, years)
            .ok_or_else(|| RuleError::DateRange("the card expiry".into()))
    }

    /// 利用者証明用電子証明書 expiry: the 5th birthday after issue, capped by the card expiry.
    pub fn auth_cert_expiry(
        &self,
        issued: Date,
        birth: Date,
        card_expiry: Date,
    ) -> Result<Date, RuleError> {
        self.cert_expiry_years(issued, birth, card_expiry, false)
    }

    /// Expiry of a certificate renewed on `renewed_on` replacing one that expires on
    /// `previous_expiry`: renewed inside the renewal window it runs to the 6th birthday after
    /// issue (no time lost), otherwise the 5th; capped by the card expiry.
    pub fn renewed_auth_cert_expiry(
        &self,
        renewed_on: Date,
        birth: Date,
        previous_expiry: Date,
        card_expiry: Date,
    ) -> Result<Date, RuleError> {
        let in_window = self.renewal_window_opens(previous_expiry) <= renewed_on
            && renewed_on < previous_expiry;
        self.cert_expiry_years(renewed_on, birth, card_expiry, in_window)
    }

    fn cert_expiry_years(
        &self,
        issued: Date,
        birth: Date,
        card_expiry: Date,
        renewed_in_window: bool,
    ) -> Result<Date, RuleError> {
        let planned = self.switches.apply_planned_revisions;
        let row = table::in_force(&self.certificate.auth_certificate, issued, planned, |_| {
            true
        })
        .ok_or_else(|| RuleError::NoRule {
            table: TableKind::Certificate,
            what: "certificate validity (by issue date)".into(),
            on: issued,
        })?;
        let years = if renewed_in_window {
            row.value.renewed_in_window_years
        } else {
            row.value.years
        };
        let own = nth_birthday_after(birth, issued, years)
            .ok_or_else(|| RuleError::DateRange("the certificate expiry".into()))?;
        Ok(own.min(card_expiry))
    }

    /// First day a certificate expiring on `expiry` can be renewed (N months before, or the
    /// day after that with `renewal_window_opens_day_after`).
    pub fn renewal_window_opens(&self, expiry: Date) -> Date {
        let opens = months_span(self.switches.renewal_window_months)
            .and_then(|span| expiry.checked_sub(span).ok())
            .unwrap_or(Date::MIN);
        if self.switches.renewal_window_opens_day_after {
            opens.tomorrow().unwrap_or(opens)
        } else {
            opens
        }
    }

    /// Last day an expired certificate still confirms (資格情報 only): the end of the month
    /// `certificate_grace_months` after the expiry month.
    pub fn grace_end(&self, cert_expiry: Date) -> Date {
        let months = i32::try_from(self.switches.certificate_grace_months).unwrap_or(i32::MAX);
        end_of_month_after(cert_expiry, months)
    }

    /// Whether a certificate expiring on `cert_expiry` is valid, in grace or lapsed on `on`.
    pub fn certificate_state(&self, cert_expiry: Date, on: Date) -> CertificateState {
        if on <= cert_expiry {
            CertificateState::Valid
        } else if on <= self.grace_end(cert_expiry) {
            CertificateState::InGrace
        } else {
            CertificateState::Lapsed
        }
    }

    /// True when results on `on` carry the expiry notice (from N months before to N months
    /// after `cert_expiry`, N = `expiry_notice_months`).
    pub fn expiry_notice(&self, cert_expiry: Date, on: Date) -> bool {
        let Some(span) = months_span(self.switches.expiry_notice_months) else {
            return false;
        };
        let starts = cert_expiry.checked_sub(span).unwrap_or(Date::MIN);
        let ends = cert_expiry.checked_add(span).unwrap_or(Date::MAX);
        starts <= on && on <= ends
    }

    /// When a certificate issued at `issued` starts working for insurance use
    /// (`new_certificate_delay_hours` later).
    pub fn new_certificate_usable_from(&self, issued: Moment) -> Moment {
        Span::new()
            .try_hours(i64::from(self.switches.new_certificate_delay_hours))
            .ok()
            .and_then(|span| issued.plus(span).ok())
            .unwrap_or(issued)
    }

    /// Consecutive wrong entries that lock the PIN of `kind`.
    pub fn pin_tries(&self, kind: PinKind) -> Result<u8, RuleError> {
        self.pin_row(kind).map(|r| r.tries)
    }

    /// Checks `text` against the format of PIN `kind`; the error says what is wrong.
    pub fn validate_pin(&self, kind: PinKind, text: &str) -> Result<(), RuleError> {
        let row = self.pin_row(kind)?;
        let fail = |problem| Err(RuleError::Pin { kind, problem });
        let chars: Vec<char> = text.chars().collect();
        if chars.len() < row.min_len || chars.len() > row.max_len {
            return fail(PinProblem::Length {
                min: row.min_len,
                max: row.max_len,
                got: chars.len(),
            });
        }
        for (i, c) in chars.iter().enumerate() {
            let position = i + 1;
            match row.chars {
                PinChars::Digits if !c.is_ascii_digit() => {
                    return fail(PinProblem::Character {
                        position,
                        allowed: "digits 0–9",
                    });
                }
                PinChars::UpperAlnum if c.is_ascii_lowercase() => {
                    return fail(PinProblem::LowerCase { position });
                }
                PinChars::UpperAlnum if !(c.is_ascii_uppercase() || c.is_ascii_digit()) => {
                    return fail(PinProblem::Character {
                        position,
                        allowed: "upper-case letters A–Z and digits 0–9",
                    });
                }
                _ => {}
            }
        }
        let has_letter = chars.iter().any(|c| c.is_ascii_alphabetic());
        let has_digit = chars.iter().any(|c| c.is_ascii_digit());
        if row.letter_and_digit && !(has_letter && has_digit) {
            return fail(PinProblem::NeedsLetterAndDigit);
        }
        Ok(())
    }

    fn pin_row(&self, kind: PinKind) -> Result<&PinRow, RuleError> {
        self.certificate
            .pins
            .iter()
            .map(|r| &r.value)
            .find(|r| r.kind == kind)
            .ok_or(RuleError::Pin {
                kind,
                problem: PinProblem::NoRule,
            })
    }
}
