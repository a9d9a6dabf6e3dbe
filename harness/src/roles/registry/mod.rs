//! The registry role (オンライン資格確認等システム). Today the registry is always onshi's
//! reference in `onshi-sim`; an eligibility service under test will be bound here.

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
