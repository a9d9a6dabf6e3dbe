//! Numbering: the certificate serials (発行の番号) and the synthetic 住民票コード.
//!
//! Both must be unique by construction, not by luck, and must look random. Both come from a
//! keyed bijection of a fixed-width integer domain ([`Permutation`]): the serial of the n-th
//! certificate is `permute(n) + 1`, and the resident code of person n is `permute(n)`
//! cycle-walked into `0..10^10` plus a check digit. Because the maps are bijective, two
//! different inputs can never share an output, and because they are invertible, a serial
//! maps back to its record index in O(1) without any lookup table.

use crate::ids::{MyNumber, PersonId, Serial};
use crate::rng::SeedRoot;

/// A keyed bijection of the integers `0..2^width`, built from steps that are each invertible
/// modulo `2^width`: xor with a key, multiplication by an odd number, xorshift to the right and
/// addition of a key. It is a scrambler, not a cipher: good enough that serials look random.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Permutation {
    width: u32,
    mask: u64,
    xor_in: u64,
    mul: [u64; 2],
    add: u64,
    xor_out: u64,
    shift: [u32; 2],
}

impl Permutation {
    /// The permutation of `0..2^width` (`8 <= width <= 64`) keyed by `actor`'s draws under `root`.
    pub(crate) fn new(width: u32, root: &SeedRoot, actor: &str) -> Self {
        let width = width.clamp(8, 64);
        let mask = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        let draw = |i| root.draw(actor, i);
        Permutation {
            width,
            mask,
            xor_in: draw(0) & mask,
            mul: [(draw(1) | 1) & mask, (draw(2) | 1) & mask],
            add: draw(3) & mask,
            xor_out: draw(4) & mask,
            shift: [width.div_ceil(2), width / 2 - 1],
        }
    }

    /// The largest value of the domain (`2^width - 1`).
    pub(crate) fn max(&self) -> u64 {
        self.mask
    }

    /// The image of `x`; `x` must be in the domain (higher bits are ignored).
    pub(crate) fn forward(&self, x: u64) -> u64 {
        let m = self.mask;
        let mut x = (x & m) ^ self.xor_in;
        x = x.wrapping_mul(self.mul[0]) & m;
        x ^= x >> self.shift[0];
        x = x.wrapping_add(self.add) & m;
        x = x.wrapping_mul(self.mul[1]) & m;
        x ^= x >> self.shift[1];
        x ^ self.xor_out
    }

    /// The preimage of `y`: `inverse(forward(x)) == x` for every `x` in the domain.
    pub(crate) fn inverse(&self, y: u64) -> u64 {
        let m = self.mask;
        let mut x = (y & m) ^ self.xor_out;
        x = unshift_right(x, self.shift[1], self.width);
        x = x.wrapping_mul(inverse_odd(self.mul[1])) & m;
        x = x.wrapping_sub(self.add) & m;
        x = unshift_right(x, self.shift[0], self.width);
        x = x.wrapping_mul(inverse_odd(self.mul[0])) & m;
        x ^ self.xor_in
    }
}

/// Undoes `x ^= x >> shift` on a `width`-bit value: each pass fixes `shift` more top bits.
fn unshift_right(y: u64, shift: u32, width: u32) -> u64 {
    let mut x = y;
    for _ in 0..width.div_ceil(shift) {
        x = y ^ (x >> shift);
    }
    x
}

/// The inverse of an odd number modulo 2^64 (Newton's iteration; each step doubles the
/// number of correct low bits, starting from 3).
fn inverse_odd(m: u64) -> u64 {
    let mut inv = m;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(inv)));
    }
    inv
}

/// Serial numbering of one J-LIS instance: record index ⇄ serial, both ways in O(1).
///
/// Serials live in `1..=2^63`: positive, non-zero and at most 8 significant bytes, so the DER
/// INTEGER of the certificate is at most 9 bytes long (RFC 5280 allows 20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SerialNumbering {
    perm: Permutation,
}

impl SerialNumbering {
    /// The numbering keyed by `root`.
    pub(crate) fn new(root: &SeedRoot) -> Self {
        SerialNumbering {
            perm: Permutation::new(63, root, "jlis/serial"),
        }
    }

    /// The serial of the certificate with record index `index`.
    pub(crate) fn serial_of(&self, index: u32) -> Serial {
        Serial(self.perm.forward(u64::from(index)) + 1)
    }

    /// The record index a serial was given to, if it is a serial this numbering can produce.
    pub(crate) fn index_of(&self, serial: Serial) -> Option<u32> {
        let v = serial.0.checked_sub(1)?;
        if v > self.perm.max() {
            return None;
        }
        u32::try_from(self.perm.inverse(v)).ok()
    }
}

/// Synthetic 住民票コード: 10 digits unique per person plus one check digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ResidentCodes {
    perm: Permutation,
}

/// How many 10-digit bodies exist.
const RESIDENT_BODIES: u64 = 10_000_000_000;

impl ResidentCodes {
    /// The codes keyed by `root`.
    pub(crate) fn new(root: &SeedRoot) -> Self {
        // 2^34 > 10^10: permute 34-bit values and walk the cycle until it lands below 10^10.
        ResidentCodes {
            perm: Permutation::new(34, root, "jlis/resident-code"),
        }
    }

    /// The 11-digit code of `person`.
    ///
    /// The body is a bijection of the person index onto `0..10^10` (cycle walking: the
    /// permutation's cycle through an in-range start must come back into range, so the loop
    /// ends, after fewer than two steps on average). The check digit uses the 個人番号
    /// weights over the 10 digits (approx.: the 住民票コード rule is not in our fact sheets).
    pub(crate) fn code(&self, person: PersonId) -> String {
        let mut x = u64::from(person.0);
        loop {
            x = self.perm.forward(x);
            if x < RESIDENT_BODIES {
                break;
            }
        }
        let body = format!("{x:010}");
        let mut digits = [0u8; 11];
        for (d, b) in digits[1..].iter_mut().zip(body.bytes()) {
            *d = b - b'0';
        }
        // A leading zero weighs nothing, so this is the 10-digit form of the same rule.
        let check = MyNumber::check_digit(&digits);
        format!("{body}{check}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn root() -> SeedRoot {
        SeedRoot::new(42, "numbering")
    }

    #[test]
    fn a_small_permutation_is_a_bijection() {
        let p = Permutation::new(12, &root(), "t");
        let images: HashSet<u64> = (0..4096).map(|x| p.forward(x)).collect();
        assert_eq!(images.len(), 4096);
        assert!(images.iter().all(|&y| y < 4096));
    }

    #[test]
    fn resident_codes_are_eleven_digits_and_distinct() {
        let codes = ResidentCodes::new(&root());
        let all: HashSet<String> = (0..20_000).map(|i| codes.code(PersonId(i))).collect();
        assert_eq!(all.len(), 20_000);
        assert!(
            all.iter()
                .all(|c| c.len() == 11 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert_eq!(
            codes.code(PersonId(7)),
            ResidentCodes::new(&root()).code(PersonId(7))
        );
    }

    #[test]
    fn foreign_serials_do_not_map_to_an_index() {
        let n = SerialNumbering::new(&root());
        assert_eq!(n.index_of(Serial(0)), None);
        assert_eq!(n.index_of(Serial(u64::MAX)), None);
        assert_eq!(n.index_of(n.serial_of(123)), Some(123));
    }

    proptest! {
        #[test]
        fn permutation_inverse_undoes_forward(width in 8u32..=64, seed: u64, x: u64) {
            let p = Permutation::new(width, &SeedRoot::new(seed, "p"), "t");
            let x = x & p.max();
            let y = p.forward(x);
            prop_assert!(y <= p.max());
            prop_assert_eq!(p.inverse(y), x);
        }

        #[test]
        fn serial_index_round_trips(seed: u64, index: u32) {
            let n = SerialNumbering::new(&SeedRoot::new(seed, "s"));
            let s = n.serial_of(index);
            prop_assert!(s.0 >= 1 && s.0 <= 1u64 << 63);
            prop_assert_eq!(n.index_of(s), Some(index));
        }
    }
}
