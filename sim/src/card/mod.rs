//! The virtual My Number card as a state object: validity, status, the certificates it holds
//! and its PIN counters. The reader and the registry use this state; the APDU layer
//! ([`apdu`]) reads and changes the same state, so a PIN blocked through PC/SC is blocked here.

pub mod apdu;

use serde::Serialize;

use crate::clock::Date;
use crate::ids::{CardId, CertId, PersonId};

/// Where a card is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CardStatus {
    /// In the holder's hands and usable until its expiry.
    Active,
    /// Reported lost (紛失届): its certificates are revoked.
    Lost {
        /// Date of the report.
        on: Date,
    },
    /// Replaced by a reissued card.
    Replaced {
        /// Date of the reissue.
        on: Date,
    },
    /// Returned to the municipality (返納).
    Returned {
        /// Date of the return.
        on: Date,
    },
}

/// A PIN's retry counter (暗証番号の誤り回数).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PinCounter {
    /// Tries left; 0 means blocked.
    pub remaining: u8,
    /// Tries after a reset.
    pub max: u8,
}

/// What a PIN check did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum PinResult {
    /// Correct; the counter is back at its maximum.
    Accepted,
    /// Wrong; `remaining` tries are left.
    Wrong {
        /// Tries left.
        remaining: u8,
    },
    /// Wrong, and that was the last try: now blocked.
    NowBlocked,
    /// Already blocked; nothing was checked and nothing changed.
    Blocked,
}

impl PinCounter {
    /// A fresh counter with `max` tries.
    pub fn new(max: u8) -> Self {
        PinCounter {
            remaining: max,
            max,
        }
    }

    /// Whether the PIN is blocked (残り回数 0).
    pub fn is_blocked(&self) -> bool {
        self.remaining == 0
    }

    /// Applies one attempt whose correctness is `correct`. A correct PIN resets the counter;
    /// errors persist across sessions (2 errors a year ago + 1 now = blocked).
    pub fn attempt(&mut self, correct: bool) -> PinResult {
        if self.is_blocked() {
            PinResult::Blocked
        } else if correct {
            self.remaining = self.max;
            PinResult::Accepted
        } else {
            self.remaining -= 1;
            if self.remaining == 0 {
                PinResult::NowBlocked
            } else {
                PinResult::Wrong {
                    remaining: self.remaining,
                }
            }
        }
    }

    /// Unblocks at the municipal office (初期化).
    pub fn reset(&mut self) {
        self.remaining = self.max;
    }
}

/// The secrets and counters of one card.
#[derive(Clone, Debug)]
pub struct CardPins {
    /// 利用者証明用電子証明書 PIN, 4 digits.
    pub auth: String,
    /// Its counter (3 tries).
    pub auth_counter: PinCounter,
    /// 署名用電子証明書 PIN, 6–16 upper-case letters and digits.
    pub sign: String,
    /// Its counter (5 tries).
    pub sign_counter: PinCounter,
    /// 券面事項入力補助用 PIN, 4 digits (in practice equal to the auth PIN).
    pub input_support: String,
    /// Its counter (3 tries).
    pub input_support_counter: PinCounter,
    /// The 4-digit security code (セキュリティコード) used in PIN B of the surface AP.
    pub security_code: String,
    /// Counter of 照合番号A (the My Number as PIN of the 券面事項確認AP). The number of tries
    /// is not published (approx.): [`SURFACE_PIN_TRIES`].
    pub surface_number_counter: PinCounter,
    /// Counter of 照合番号B (birth date YYMMDD + card expiry year + security code) of the
    /// 券面事項確認AP (approx.: [`SURFACE_PIN_TRIES`] tries, its own counter).
    pub surface_birth_counter: PinCounter,
}

/// Tries of each 券面事項確認AP PIN (照合番号A and B) before it blocks (approx.: the real
/// number is not published; ten keeps a mistyped 14-digit entry from locking the surface
/// quickly). A block is lifted by [`CardPins::reset_counters`] like the other PINs.
pub const SURFACE_PIN_TRIES: u8 = 10;

impl CardPins {
    /// The PINs of a new card: the input-support PIN equals the auth PIN (as people set it in
    /// practice), every counter is full (auth 3, signature 5, input support 3, surface
    /// [`SURFACE_PIN_TRIES`] each).
    pub fn new(auth: &str, sign: &str, security_code: &str) -> Self {
        CardPins {
            auth: auth.to_string(),
            auth_counter: PinCounter::new(3),
            sign: sign.to_string(),
            sign_counter: PinCounter::new(5),
            input_support: auth.to_string(),
            input_support_counter: PinCounter::new(3),
            security_code: security_code.to_string(),
            surface_number_counter: PinCounter::new(SURFACE_PIN_TRIES),
            surface_birth_counter: PinCounter::new(SURFACE_PIN_TRIES),
        }
    }

    /// 暗証番号の初期化 at the municipal office: every counter back to its maximum.
    pub fn reset_counters(&mut self) {
        self.auth_counter.reset();
        self.sign_counter.reset();
        self.input_support_counter.reset();
        self.surface_number_counter.reset();
        self.surface_birth_counter.reset();
    }
}

/// One physical card.
#[derive(Clone, Debug)]
pub struct Card {
    /// Handle.
    pub id: CardId,
    /// Holder.
    pub person: PersonId,
    /// 発行日.
    pub issued: Date,
    /// 有効期限 of the card body (CARD-4).
    pub expires: Date,
    /// Current 利用者証明用電子証明書; renewal replaces it on the same card.
    pub auth_cert: CertId,
    /// Current 署名用電子証明書 (none under 15).
    pub sign_cert: Option<CertId>,
    /// Status.
    pub status: CardStatus,
    /// PINs and counters.
    pub pins: CardPins,
    /// Face template of the card photo (taken at issue).
    pub photo_template: u64,
    /// Consecutive face-authentication failures (reset by a face success only).
    pub face_failures: u32,
    /// Face authentication locked after too many failures (needs the municipal office).
    pub face_locked: bool,
    /// 64-bit draws the chip's random generator has made for GET CHALLENGE: the position in
    /// the card's seeded stream, kept across power cycles so that no challenge repeats.
    pub challenges_drawn: u64,
}

impl Card {
    /// Whether the card body can be used on `on`: active and not past its expiry.
    pub fn body_valid_on(&self, on: Date) -> bool {
        self.status == CardStatus::Active && on <= self.expires
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn three_wrong_auth_pins_block_and_a_correct_one_resets() {
        let mut c = PinCounter::new(3);
        assert_eq!(c.attempt(false), PinResult::Wrong { remaining: 2 });
        assert_eq!(c.attempt(true), PinResult::Accepted);
        assert_eq!(c.remaining, 3);
        assert_eq!(c.attempt(false), PinResult::Wrong { remaining: 2 });
        assert_eq!(c.attempt(false), PinResult::Wrong { remaining: 1 });
        assert_eq!(c.attempt(false), PinResult::NowBlocked);
        assert_eq!(
            c.attempt(true),
            PinResult::Blocked,
            "a correct PIN does not unblock"
        );
        c.reset();
        assert_eq!(c.attempt(true), PinResult::Accepted);
    }

    proptest! {
        #[test]
        fn pin_counter_stays_within_bounds_and_blocks_only_after_max_consecutive_errors(
            max in 1u8..8, attempts in proptest::collection::vec(any::<bool>(), 0..40)
        ) {
            let mut c = PinCounter::new(max);
            let mut consecutive = 0u32;
            let mut blocked = false;
            for ok in attempts {
                let r = c.attempt(ok);
                prop_assert!(c.remaining <= max);
                if blocked {
                    prop_assert_eq!(r, PinResult::Blocked);
                    continue;
                }
                if ok { consecutive = 0 } else { consecutive += 1 }
                blocked = consecutive == u32::from(max);
                prop_assert_eq!(c.is_blocked(), blocked);
                prop_assert_eq!(u32::from(c.remaining), u32::from(max) - consecutive);
            }
        }
    }
}
