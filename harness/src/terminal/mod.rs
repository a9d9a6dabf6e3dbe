//! The terminal role (資格確認端末 / reader software under test): the system under test reads
//! the virtual card over PC/SC (vpcd + pcscd) and asks the simulated registry over HTTP. The
//! harness puts a person's card on the reader, tells the terminal what the simulated patient
//! types, waits for its confirmation request, and keeps both the card's APDU log and the
//! request, so that expectations can say what the terminal did: which certificate it sent,
//! whether it signed with the auth key after the PIN, how many PIN tries it used, and whether
//! it read the 券面事項入力補助AP (the My Number, RDR-6 / PRV-5).
//!
//! - [`desk`]: the state the runner and the HTTP handlers share (the visit at the reader, the
//!   exchanges so far).
//! - [`http`]: the registry's terminal endpoints (`/onshi/terminal/...`), documented in
//!   `docs/terminal-role.md`.
//! - [`card`]: the world's card as a [`crate::pcsc::VirtualIcc`], one APDU at a time against
//!   the shared world, so a PIN blocked over PC/SC is blocked for the next scenario step.

pub mod card;
pub mod desk;
pub mod http;
pub mod reference;
pub mod server;

use std::sync::{Arc, Mutex, MutexGuard};

use onshi_sim::World;

/// A world shared by the runner, the card in the reader and the HTTP handlers. Each user holds
/// the lock for one operation (one APDU, one request, one scenario step).
#[derive(Clone, Debug)]
pub struct SharedWorld(Arc<Mutex<World>>);

impl SharedWorld {
    /// Shares `world`.
    pub fn new(world: World) -> Self {
        SharedWorld(Arc::new(Mutex::new(world)))
    }

    /// Locks the world. A panic in another holder does not make the world unusable: the
    /// harness reports that scenario's failure and goes on with what the world holds.
    pub fn lock(&self) -> MutexGuard<'_, World> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
