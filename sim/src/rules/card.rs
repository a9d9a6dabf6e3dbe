//! The value types of the virtual card's switches: which answer-to-reset it presents and which
//! inputs COMPUTE DIGITAL SIGNATURE signs. The switches are declared with the others in
//! [`Switches`](super::Switches) (`card_atr`, `card_signature_input`,
//! `card_answers_get_challenge`); the APDU engine (`card::apdu`) reads them.

use super::switches::SwitchValue;

/// The answer-to-reset the virtual card presents (switch `card_atr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardAtr {
    /// The real My Number card's ATR, `3B E0 00 FF 81 31 FE 45 14` (the default).
    Real,
    /// onshi's own ATR, distinct from every real card's (`…ONSHISIM…`).
    Onshi,
}

impl CardAtr {
    /// Every value, in the order the text forms are listed.
    pub const ALL: [CardAtr; 2] = [CardAtr::Real, CardAtr::Onshi];

    /// The text form (`real`, `onshi`).
    pub const fn name(self) -> &'static str {
        match self {
            CardAtr::Real => "real",
            CardAtr::Onshi => "onshi",
        }
    }
}

/// The inputs COMPUTE DIGITAL SIGNATURE pads and signs (switch `card_signature_input`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureInput {
    /// Any input of at most the modulus length − 11 bytes (245 for RSA-2048), padded with
    /// PKCS#1 v1.5 type 1 as given: what OpenSC's JPKI driver expects (the default).
    AnyThatFits,
    /// Only a DER DigestInfo for SHA-1 or SHA-256; anything else answers 6A 80.
    Sha1Sha256DigestInfo,
}

impl SignatureInput {
    /// Every value, in the order the text forms are listed.
    pub const ALL: [SignatureInput; 2] = [
        SignatureInput::AnyThatFits,
        SignatureInput::Sha1Sha256DigestInfo,
    ];

    /// The text form (`any_that_fits`, `sha1_sha256_digest_info`).
    pub const fn name(self) -> &'static str {
        match self {
            SignatureInput::AnyThatFits => "any_that_fits",
            SignatureInput::Sha1Sha256DigestInfo => "sha1_sha256_digest_info",
        }
    }
}

/// The value of `all` whose name is `text` (trimmed); the error lists the names.
fn by_name<T: Copy>(all: &[T], name: fn(T) -> &'static str, text: &str) -> Result<T, String> {
    let text = text.trim();
    all.iter()
        .copied()
        .find(|v| name(*v) == text)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            format!("one of {}", names.join(", "))
        })
}

impl SwitchValue for CardAtr {
    fn parse_text(text: &str) -> Result<Self, String> {
        by_name(&CardAtr::ALL, CardAtr::name, text)
    }
    fn show(&self) -> String {
        self.name().to_string()
    }
}

impl SwitchValue for SignatureInput {
    fn parse_text(text: &str) -> Result<Self, String> {
        by_name(&SignatureInput::ALL, SignatureInput::name, text)
    }
    fn show(&self) -> String {
        self.name().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleError, Switches};

    #[test]
    fn card_switches_default_to_the_real_card_and_are_set_by_name() {
        let mut s = Switches::default();
        assert_eq!(s.card_atr, CardAtr::Real);
        assert_eq!(s.card_signature_input, SignatureInput::AnyThatFits);
        assert!(s.card_answers_get_challenge);
        s.set("card_atr", "onshi").unwrap();
        s.set("card_signature_input", " sha1_sha256_digest_info ")
            .unwrap();
        s.set("card_answers_get_challenge", "false").unwrap();
        assert_eq!(s.card_atr, CardAtr::Onshi);
        assert_eq!(s.card_signature_input, SignatureInput::Sha1Sha256DigestInfo);
        assert!(!s.card_answers_get_challenge);
    }

    #[test]
    fn an_unknown_card_switch_value_names_the_accepted_ones() {
        let mut s = Switches::default();
        let err = s.set("card_atr", "fake").unwrap_err();
        assert!(matches!(err, RuleError::SwitchValue { .. }), "{err}");
        assert!(err.to_string().contains("one of real, onshi"), "{err}");
        let err = s.set("card_signature_input", "any").unwrap_err();
        assert!(
            err.to_string()
                .contains("one of any_that_fits, sha1_sha256_digest_info"),
            "{err}"
        );
        assert_eq!(s, Switches::default(), "a refused value changes nothing");
    }
}
