//! Identifiers: the public numbers of the domain with their check digits (My Number,
//! 保険者番号, 医療機関コード, certificate serials) and the world's internal handles.
//!
//! Every parser returns an [`IdError`] that says what is wrong; nothing here panics on input.
//! Generators produce synthetic values that pass the checks and are marked synthetic by
//! coming from ranges this project reserves (see each type).

mod codes;
mod handles;
mod numbers;

pub use codes::{
    FeeSchedule, InstitutionCode, InsurerNumber, MyNumber, Serial, luhn_like_check_digit,
};
pub use handles::{
    CardId, CertId, FastHasher, FastMap, InstitutionId, InsurerId, PersonId, QualificationId,
};
pub use numbers::{InsuranceNumbers, serialize_numbers_or_nulls};

/// Why an identifier was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Wrong number of characters.
    #[error("{kind} must have {expected} digits, got {got} characters in `{text}`")]
    Length {
        /// Which identifier.
        kind: &'static str,
        /// How many digits it must have.
        expected: &'static str,
        /// How many characters were given.
        got: usize,
        /// The rejected text.
        text: String,
    },
    /// A character other than an ASCII digit.
    #[error("{kind} may contain only digits 0-9: `{text}`")]
    NotDigits {
        /// Which identifier.
        kind: &'static str,
        /// The rejected text.
        text: String,
    },
    /// The check digit does not match.
    #[error("{kind} `{text}` has check digit {got}, expected {expected}")]
    CheckDigit {
        /// Which identifier.
        kind: &'static str,
        /// The rejected text.
        text: String,
        /// The check digit found.
        got: u8,
        /// The check digit the other digits require.
        expected: u8,
    },
    /// A structural part is out of range (for example 都道府県番号 00 or 48+).
    #[error("{kind} `{text}`: {reason}")]
    Part {
        /// Which identifier.
        kind: &'static str,
        /// The rejected text.
        text: String,
        /// What is wrong.
        reason: String,
    },
}
