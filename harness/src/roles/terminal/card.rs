//! A card of the shared world in a virtual reader. Each APDU locks the world for its own
//! duration and runs the pure engine (`onshi_sim::card::apdu`) on the card's one state, so a
//! PIN blocked over PC/SC is blocked for the next scenario step. What the terminal asked is
//! copied into a log the runner reads after the card leaves the reader.

use std::sync::{Arc, Mutex};

use onshi_sim::card::apdu::{ApduLog, CardSession};
use onshi_sim::ids::CardId;

use super::SharedWorld;
use crate::pcsc::VirtualIcc;

/// A log shared between the card in the reader and whoever checks it.
pub type SharedLog = Arc<Mutex<ApduLog>>;

/// One card of the world, as the reader sees it.
pub struct WorldCard {
    world: SharedWorld,
    card: CardId,
    session: CardSession,
    log: SharedLog,
}

impl WorldCard {
    /// The card `card` of `world`, logging into `log`.
    pub fn new(world: SharedWorld, card: CardId, log: SharedLog) -> Self {
        WorldCard {
            world,
            card,
            session: CardSession::new(),
            log,
        }
    }

    /// The card's id.
    pub fn card(&self) -> CardId {
        self.card
    }
}

impl VirtualIcc for WorldCard {
    /// The ATR the world's switch `card_atr` selects (the real card's by default).
    fn atr(&self) -> Vec<u8> {
        self.world.lock().card_atr().to_vec()
    }

    fn power_on(&mut self) {
        self.session.reset();
    }

    fn power_off(&mut self) {
        self.session.reset();
    }

    fn reset(&mut self) {
        self.session.reset();
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        let response = {
            let mut world = self.world.lock();
            self.session.transmit(&mut world, self.card, apdu)
        };
        tracing::trace!(
            target: "onshi::apdu",
            command = %crate::logging::apdu_text(apdu),
            status = %response
                .iter()
                .rev()
                .take(2)
                .rev()
                .map(|b| format!("{b:02X}"))
                .collect::<String>(),
            "apdu"
        );
        let entries = self.session.log_mut().take();
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        for e in entries {
            log.push(e);
        }
        response
    }
}
