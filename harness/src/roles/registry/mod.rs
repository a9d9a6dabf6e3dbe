//! The registry role (オンライン資格確認等システム): onshi's reference in `onshi-sim`, or an
//! eligibility service under test in the registry suite (`--registry-adapter`, `certify --role
//! registry`; see `docs/registry-role.md`):
//!
//! - [`drive`]: one scenario against a registry under test: the feed told through its adapter
//!   (or to onshi's replica), every exchange of the reference run asked again and compared.
//! - [`serve`]: `onshi serve-registry`, the reference registry rebuilt from the feed alone.
//! - [`jlis_http`]: J-LIS served over HTTP to the registry under test (certificate status, the
//!   旧番号 chain step, the CA certificates), from a [`crate::shared::SharedWorld`].
//! - [`client`]: the HTTP client onshi asks a registry under test with, every fault named.
//! - [`compare`]: an answer held against the reference's answer to the same request, field by
//!   field, each difference with the requirements it evidences.

pub mod client;
pub mod compare;
pub mod drive;
pub mod jlis_http;
pub mod serve;

use std::sync::Arc;
use std::time::Duration;

pub use drive::RegistryLink;

use crate::scenario::plan::Plan;

/// Who plays the registry.
#[derive(Clone, Debug, Default)]
pub enum RegistryRole {
    /// The reference registry in `onshi-sim`.
    #[default]
    Reference,
    /// An eligibility service under test, in the scenarios of the registry suite
    /// ([`Plan::registry_suite`]).
    UnderTest(Arc<RegistryUnderTest>),
}

/// A registry under test, for a whole run.
#[derive(Clone, Debug)]
pub struct RegistryUnderTest {
    /// How onshi reaches it.
    pub link: RegistryLink,
    /// How long one answer (HTTP) or one adapter reply may take.
    pub timeout: Duration,
    /// Where every question and answer is kept, a folder per scenario (`certify`), if anywhere.
    pub exchanges: Option<std::path::PathBuf>,
}

impl RegistryRole {
    /// How the run record names the role.
    pub fn describe(&self) -> String {
        match self {
            RegistryRole::Reference => "reference".into(),
            RegistryRole::UnderTest(r) => super::under_test(&match &r.link {
                RegistryLink::Adapter(c) => format!("registry adapter `{}`", c.command),
                RegistryLink::Replica => {
                    "onshi's replica registry, fed by the registry feed".into()
                }
            }),
        }
    }

    /// The registry under test, in a scenario of the registry suite.
    pub fn under_test_for(&self, plan: &Plan) -> Option<&RegistryUnderTest> {
        match self {
            RegistryRole::UnderTest(r) if plan.registry_suite() => Some(r),
            _ => None,
        }
    }
}
