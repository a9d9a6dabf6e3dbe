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
