//! What the world is, for readers outside the simulation: one query method per part. The
//! fields stay private to the crate, so the harness reads the world and changes it only
//! through events (`World::apply`) and the setup methods.

use super::*;

impl World {
    /// Virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// Rules in force.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Randomness root.
    pub fn seed(&self) -> &SeedRoot {
        &self.seed
    }

    /// People, by `PersonId`.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// Cards, in issue order.
    pub fn cards(&self) -> &[Card] {
        &self.cards
    }

    /// J-LIS: certificates, revocations, the 旧番号 chain.
    pub fn jlis(&self) -> &Jlis {
        &self.jlis
    }

    /// Insurers, by `InsurerId`.
    pub fn insurers(&self) -> &[Insurer] {
        &self.insurers
    }

    /// Qualifications (資格), by `QualificationId`.
    pub fn quals(&self) -> &[Qualification] {
        &self.quals
    }

    /// Institutions, by `InstitutionId`.
    pub fn institutions(&self) -> &[Institution] {
        &self.institutions
    }

    /// The registry (支払基金).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// マイナポータル.
    pub fn portal(&self) -> &Portal {
        &self.portal
    }

    /// The reference provider's records.
    pub fn provider(&self) -> &ProviderState {
        &self.provider
    }

    /// Messages so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Challenges the registry handed to terminals under test.
    pub fn challenges(&self) -> &crate::registry::terminal::Challenges {
        &self.challenges
    }

    /// Whether the reference provider settles visits.
    pub fn reference_provider(&self) -> bool {
        self.reference_provider
    }

    /// The trace, to switch it off or to add what a role under test did (its `log` lines).
    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.trace
    }

    /// Challenges handed to terminals under test, to take one when a terminal answers it.
    pub fn challenges_mut(&mut self) -> &mut crate::registry::terminal::Challenges {
        &mut self.challenges
    }

    /// The rules, to set a switch or replace a table before the first event (set-up).
    pub fn rules_mut(&mut self) -> &mut RuleSet {
        &mut self.rules
    }

    /// A qualification's record, to give it data the scenario language sets up elsewhere
    /// (a 限度額 certificate, a corrected number) before the registry is asked.
    pub fn qualification_mut(&mut self, id: QualificationId) -> Option<&mut Qualification> {
        self.quals.get_mut(id.index())
    }

    /// A card, to put it into a state the events reach only through a longer history.
    pub fn card_mut(&mut self, id: CardId) -> Option<&mut Card> {
        self.cards.get_mut(id.index())
    }
}
