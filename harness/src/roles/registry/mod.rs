//! The registry role (オンライン資格確認等システム). Today the registry in a run is always
//! onshi's reference in `onshi-sim`. The first pieces of an eligibility service under test are
//! here, not yet wired into runs (see `docs/registry-role.md`):
//!
//! - [`jlis_http`]: J-LIS served over HTTP to the registry under test (certificate status, the
//!   旧番号 chain step, the CA certificates), from a [`crate::shared::SharedWorld`].
//! - [`client`]: the HTTP client onshi asks a registry under test with, every fault named.
//! - [`compare`]: an answer held against the reference's answer to the same request, field by
//!   field, each difference with the requirements it evidences.

pub mod client;
pub mod compare;
pub mod jlis_http;

/// Who plays the registry.
#[derive(Clone, Debug, Default)]
pub enum RegistryRole {
    /// The reference registry in `onshi-sim`.
    #[default]
    Reference,
}

impl RegistryRole {
    /// How the run record names the role.
    pub fn describe(&self) -> String {
        match self {
            RegistryRole::Reference => "reference".into(),
        }
    }
}
