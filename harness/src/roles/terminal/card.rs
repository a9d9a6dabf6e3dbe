//! A card of the shared world in a virtual reader. Each APDU locks the world for its own
//! duration and runs the pure engine (`onshi_sim::card::apdu`) on the card's one state, so a
//! PIN blocked over PC/SC is blocked for the next scenario step. What the terminal asked is
//! copied into a log the runner reads after the card leaves the reader, and every PIN the
//! terminal sends (a VERIFY with data) goes into the run trace as `card.verify` with what the
//! card's counter did, never the value (RDR-2).

use std::sync::{Arc, Mutex};

use onshi_sim::World;
use onshi_sim::card::PinResult;
use onshi_sim::card::apdu::{ApduCommand, ApduLog, ApduLogEntry, CardSession};
use onshi_sim::ids::CardId;
use onshi_sim::trace::Actor;
use onshi_sim::world::pin_name;

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
        let (response, entries) = {
            let mut world = self.world.lock();
            let response = self.session.transmit(&mut world, self.card, apdu);
            let entries = self.session.log_mut().take();
            trace_pin_tries(&mut world, self.card, &entries);
            (response, entries)
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
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        for e in entries {
            log.push(e);
        }
        response
    }
}

/// Puts every PIN the terminal sent in `entries` into the run trace (RDR-2): which PIN and
/// what the card's counter did, never the value.
fn trace_pin_tries(world: &mut World, card: CardId, entries: &[ApduLogEntry]) {
    let person = world.cards().get(card.index()).map(|c| c.person);
    let now = world.now();
    for e in entries {
        let ApduCommand::Verify {
            pin: Some(pin),
            with_data: true,
            result,
        } = &e.command
        else {
            continue;
        };
        let what = match result {
            Some(PinResult::Accepted) => "accepted".to_string(),
            Some(PinResult::Wrong { remaining: 1 }) => "wrong, 1 try left".to_string(),
            Some(PinResult::Wrong { remaining }) => format!("wrong, {remaining} tries left"),
            Some(PinResult::NowBlocked) => "wrong, now blocked".to_string(),
            Some(PinResult::Blocked) => "blocked, not checked".to_string(),
            None => "not checked".to_string(),
        };
        let text = format!(
            "VERIFY {} at the terminal: {what} ({})",
            pin_name(*pin),
            e.sw
        );
        world.trace_mut().push(
            now,
            Actor::Reader,
            Actor::Card,
            "card.verify",
            person,
            || text,
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use onshi_sim::card::apdu::{PinRef, Sw};

    fn verify(pin: Option<PinRef>, with_data: bool, result: Option<PinResult>) -> ApduLogEntry {
        ApduLogEntry {
            application: None,
            command: ApduCommand::Verify {
                pin,
                with_data,
                result,
            },
            sw: Sw(0x63C2),
        }
    }

    #[test]
    fn each_pin_sent_is_traced_without_its_value_and_status_queries_are_not() {
        let mut w = World::new(onshi_sim::WorldConfig::new(
            1,
            "card",
            onshi_sim::clock::Moment::parse("2026-04-01T09:00").unwrap(),
        ));
        trace_pin_tries(
            &mut w,
            CardId(0),
            &[
                verify(
                    Some(PinRef::Auth),
                    true,
                    Some(PinResult::Wrong { remaining: 2 }),
                ),
                verify(Some(PinRef::Auth), false, None),
                verify(Some(PinRef::SurfaceNumber), true, None),
            ],
        );
        let lines: Vec<String> = w
            .trace()
            .entries()
            .iter()
            .map(|e| format!("{} {}", e.kind, e.summary))
            .collect();
        assert_eq!(
            lines,
            [
                "card.verify VERIFY 利用者証明用PIN at the terminal: wrong, 2 tries left (63 C2)",
                "card.verify VERIFY 照合番号A at the terminal: not checked (63 C2)"
            ]
        );
    }
}
