//! The world of one scenario, shared by the runner and every role that acts on it between
//! steps: the card in a reader (one APDU at a time), the registry's terminal endpoints, the
//! OQS folder server and web API. Neutral ground: no role owns it.

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
