//! The roles a system under test can play, and who plays each in a run.
//!
//! Every run has one [`Roles`] value: for each of the three implementations onshi certifies —
//! the clinic or pharmacy system (`provider`), the reader / 資格確認端末 software (`terminal`)
//! and the eligibility service (`registry`) — whether the built-in reference plays it or a
//! system under test, and how that system is reached. The runner hands it to every scenario;
//! each role's module owns what it takes to drive its system under test.
//!
//! - [`terminal`]: the card in a vpcd reader, the registry's terminal endpoints, the built-in
//!   terminal.
//! - [`provider`]: the clinic system behind the conformance adapter protocol and the OQS
//!   interfaces.
//! - [`registry`]: the eligibility service: the reference, or a service under test fed the
//!   registry feed and asked every question of the reference run (J-LIS over HTTP, the client,
//!   the field-by-field comparison, `serve-registry`).
//! - [`serve`]: an axum router on its own thread and runtime.

pub mod provider;
pub mod registry;
pub mod serve;
pub mod terminal;

pub use provider::ProviderRole;
pub use registry::RegistryRole;
pub use terminal::TerminalRole;

/// Who plays each role in a run.
#[derive(Clone, Debug, Default)]
pub struct Roles {
    /// 医療機関・薬局システム.
    pub provider: ProviderRole,
    /// Reader / terminal software (in scenarios with `terminal: true`).
    pub terminal: TerminalRole,
    /// Eligibility registry.
    pub registry: RegistryRole,
}

impl Roles {
    /// The roles as the run record names them: `reference`, or `under test (how)`.
    pub fn describe(&self) -> onshi_reports::Roles {
        onshi_reports::Roles {
            provider: self.provider.describe(),
            terminal: self.terminal.describe(),
            registry: self.registry.describe(),
        }
    }
}

/// How a report names a role played by a system under test.
pub(crate) fn under_test(how: &str) -> String {
    format!("under test ({how})")
}
