//! The simulated card on a real PC/SC stack: the card side of vsmartcard's vpcd driver, so
//! that pcscd (and every PC/SC client above it: OpenSC, browsers, the systems under test)
//! sees a reader with our card in it.
//!
//! - [`VirtualIcc`]: what a card must do to sit in a reader (power, ATR, APDUs). The APDU
//!   engine of `onshi-sim` plugs in here; [`test_card::TestCard`] is a stand-in.
//! - [`frame`]: the vpcd wire format (length-prefixed frames, control codes), no I/O.
//! - [`session`]: one card's conversation as bytes in, bytes out, and [`session::Loopback`],
//!   the in-process transport that tests and benchmarks use without sockets.
//! - [`tcp`]: the socket side: connect with retries, low-latency socket options, one
//!   blocking thread per reader slot ([`tcp::CardSlot`]).
//! - [`pcscd`]: a private pcscd with vpcd on a private port and socket, for tests and
//!   benchmarks that must neither use nor disturb the machine's own pcscd.
//!
//! `docs/pcsc.md` has the setup, the private-pcscd recipe and the measured rates.

pub mod frame;
pub mod pcscd;
pub mod session;
pub mod tcp;
pub mod test_card;

pub use frame::DEFAULT_PORT;
pub use session::{Loopback, Session, SessionStats};
pub use tcp::{CardSlot, RetryPolicy, VpcdError};

/// A card as seen by a reader: power, ATR, APDUs.
///
/// The reader calls these one at a time, in the order vpcd sends them; a card never sees two
/// commands at once. `transmit` gets a whole command APDU and returns the whole response
/// APDU, status word included (at least 2 bytes).
pub trait VirtualIcc: Send {
    /// The answer to reset, sent whenever the reader asks for it.
    fn atr(&self) -> Vec<u8>;
    /// The reader powers the card (a cold start: volatile state is cleared).
    fn power_on(&mut self);
    /// The reader removes power.
    fn power_off(&mut self);
    /// Warm reset (volatile state such as the PIN-verified flag is cleared).
    fn reset(&mut self);
    /// Answers one command APDU with one response APDU.
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8>;
}

impl<T: VirtualIcc + ?Sized> VirtualIcc for Box<T> {
    fn atr(&self) -> Vec<u8> {
        (**self).atr()
    }
    fn power_on(&mut self) {
        (**self).power_on();
    }
    fn power_off(&mut self) {
        (**self).power_off();
    }
    fn reset(&mut self) {
        (**self).reset();
    }
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        (**self).transmit(apdu)
    }
}
