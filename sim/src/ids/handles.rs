//! Handles into the world's tables. They are indexes, not public numbers, and never leave
//! the simulation in a message.

use serde::{Deserialize, Serialize};

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the owning table.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

handle!(
    /// A person (cardholder) in the world.
    PersonId
);
handle!(
    /// A physical My Number card (a reissue is a new card).
    CardId
);
handle!(
    /// A certificate record held by J-LIS.
    CertId
);
handle!(
    /// An insurer (保険者).
    InsurerId
);
handle!(
    /// One 資格 record: a person's membership of one insurer for one period.
    QualificationId
);
handle!(
    /// A medical institution or pharmacy (医療機関・薬局).
    InstitutionId
);

/// A fast, deterministic hasher for the world's own keys (handles, serials, small tuples). The
/// keys come from the simulation, not from an attacker, so SipHash's flood resistance buys
/// nothing here while costing a large part of an eligibility answer.
#[derive(Clone, Copy, Debug, Default)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        crate::rng::mix64(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }

    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
