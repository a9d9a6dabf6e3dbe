//! A card of the world in a reader: the APDU engine of [`crate::card::apdu`] works on one card,
//! its holder and J-LIS; the world hands those out by card id (the engine itself knows nothing
//! of the world).

use crate::card::apdu::{self, CardContext, CardSession};
use crate::ids::CardId;

use super::World;

impl<'a> CardContext<'a> {
    /// The context of `card` in `world`, or `None` if the world has no such card (or the
    /// card's holder is missing).
    pub fn of(world: &'a mut World, card: CardId) -> Option<Self> {
        let card = world.cards.get_mut(card.index())?;
        let person = world.people.get(card.person.index())?;
        Some(CardContext {
            card,
            person,
            jlis: &world.jlis,
            switches: world.rules.switches(),
            seed: world.seed,
        })
    }
}

impl World {
    /// The answer-to-reset the world's cards present (switch `card_atr`).
    pub fn card_atr(&self) -> &'static [u8] {
        apdu::atr(self.rules.switches().card_atr)
    }
}

impl CardSession {
    /// Sends one command APDU to `card` of `world` and returns the response APDU (data, then
    /// SW1 SW2). Never panics; a card id the world does not have answers 6F 00.
    pub fn transmit(&mut self, world: &mut World, card: CardId, apdu: &[u8]) -> Vec<u8> {
        match CardContext::of(world, card) {
            Some(ctx) => self.transmit_to(ctx, apdu),
            None => self.transmit_to_nothing(apdu),
        }
    }
}
