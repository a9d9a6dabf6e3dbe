//! One card's conversation with vpcd, with no I/O: bytes in, answer bytes out.
//!
//! [`Session`] is what every transport drives: the TCP loop in [`super::tcp`] feeds it what it
//! reads and writes what it returns in one write, and [`Loopback`] plays the reader side in
//! the same thread, so that tests and the in-process benchmark go through exactly the same
//! framing and dispatch as the socket path.

use super::VirtualIcc;
use super::frame::{self, Control, Decoder, Message, ProtocolError};

/// Counts of what a session has answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SessionStats {
    /// Command APDUs answered.
    pub apdus: u64,
    /// Control codes handled (power, reset, ATR request).
    pub controls: u64,
}

/// A card plus the state of its vpcd byte stream.
#[derive(Debug)]
pub struct Session<C> {
    card: C,
    decoder: Decoder,
    stats: SessionStats,
}

impl<C: VirtualIcc> Session<C> {
    /// A session for `card`, before any byte has arrived.
    pub fn new(card: C) -> Self {
        Self {
            card,
            decoder: Decoder::new(),
            stats: SessionStats::default(),
        }
    }

    /// Handles the bytes of one read: every complete frame is dispatched to the card and its
    /// answer frame, if any, is appended to `out`. A partial frame waits for the next read.
    pub fn receive(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<(), ProtocolError> {
        self.decoder.push(bytes);
        while let Some(payload) = self.decoder.next_frame() {
            match frame::parse(payload)? {
                Message::Control(control) => {
                    self.stats.controls += 1;
                    match control {
                        Control::PowerOff => self.card.power_off(),
                        Control::PowerOn => self.card.power_on(),
                        Control::Reset => self.card.reset(),
                        Control::AtrRequest => frame::encode(&self.card.atr(), out)?,
                    }
                }
                Message::Apdu(apdu) => {
                    let response = self.card.transmit(apdu);
                    if response.len() < 2 {
                        return Err(ProtocolError::ResponseTooShort {
                            len: response.len(),
                        });
                    }
                    frame::encode(&response, out)?;
                    self.stats.apdus += 1;
                }
            }
        }
        Ok(())
    }

    /// Called when the stream ends: an error if it ended inside a frame.
    pub fn finish(&self) -> Result<SessionStats, ProtocolError> {
        self.decoder.finish().map(|()| self.stats)
    }

    /// What has been answered so far.
    pub fn stats(&self) -> SessionStats {
        self.stats
    }

    /// The card.
    pub fn card(&self) -> &C {
        &self.card
    }

    /// The card, mutably (for tests that change it between commands).
    pub fn card_mut(&mut self) -> &mut C {
        &mut self.card
    }

    /// Gives the card back.
    pub fn into_card(self) -> C {
        self.card
    }
}

/// The in-process transport: plays vpcd's side of the wire in the caller's thread, with no
/// socket, so every command still goes through framing, parsing and dispatch.
#[derive(Debug)]
pub struct Loopback<C> {
    session: Session<C>,
    wire: Vec<u8>,
    answers: Vec<u8>,
    decoder: Decoder,
}

impl<C: VirtualIcc> Loopback<C> {
    /// A reader with `card` inserted (not yet powered).
    pub fn new(card: C) -> Self {
        Self {
            session: Session::new(card),
            wire: Vec::with_capacity(512),
            answers: Vec::with_capacity(512),
            decoder: Decoder::new(),
        }
    }

    /// Powers the card.
    pub fn power_on(&mut self) -> Result<(), ProtocolError> {
        self.control(Control::PowerOn).map(drop)
    }

    /// Removes power from the card.
    pub fn power_off(&mut self) -> Result<(), ProtocolError> {
        self.control(Control::PowerOff).map(drop)
    }

    /// Resets the card.
    pub fn reset(&mut self) -> Result<(), ProtocolError> {
        self.control(Control::Reset).map(drop)
    }

    /// Asks for the ATR, as vpcd does after power-on and when it polls for presence.
    pub fn atr(&mut self) -> Result<Vec<u8>, ProtocolError> {
        self.control(Control::AtrRequest)
    }

    /// Sends a command APDU and returns the response APDU.
    pub fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        if apdu.len() < 4 {
            return Err(ProtocolError::CommandTooShort { len: apdu.len() });
        }
        self.exchange(apdu)
    }

    /// The session behind the reader (its counts, its card).
    pub fn session(&self) -> &Session<C> {
        &self.session
    }

    /// Gives the card back.
    pub fn into_card(self) -> C {
        self.session.into_card()
    }

    fn control(&mut self, control: Control) -> Result<Vec<u8>, ProtocolError> {
        self.exchange(&[control.byte()])
    }

    fn exchange(&mut self, payload: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        self.wire.clear();
        frame::encode(payload, &mut self.wire)?;
        self.answers.clear();
        self.session.receive(&self.wire, &mut self.answers)?;
        self.decoder.push(&self.answers);
        Ok(self
            .decoder
            .next_frame()
            .map(<[u8]>::to_vec)
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcsc::test_card::{JPKI_AID, TestCard};

    /// A card that answers whatever it was built with, to reach the error paths.
    struct Parrot(Vec<u8>);

    impl VirtualIcc for Parrot {
        fn atr(&self) -> Vec<u8> {
            self.0.clone()
        }
        fn power_on(&mut self) {}
        fn power_off(&mut self) {}
        fn reset(&mut self) {}
        fn transmit(&mut self, _apdu: &[u8]) -> Vec<u8> {
            self.0.clone()
        }
    }

    #[test]
    fn loopback_reaches_the_card_through_the_wire_format() {
        let mut reader = Loopback::new(TestCard::new());
        reader.power_on().unwrap();
        assert_eq!(reader.atr().unwrap(), TestCard::ATR);
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
        select.extend_from_slice(&JPKI_AID);
        assert_eq!(reader.transmit(&select).unwrap(), [0x90, 0x00]);
        assert_eq!(
            reader.session().stats(),
            SessionStats {
                apdus: 1,
                controls: 2
            }
        );
    }

    #[test]
    fn several_frames_in_one_read_get_their_answers_in_one_buffer() {
        let mut session = Session::new(TestCard::new());
        let mut wire = Vec::new();
        frame::encode(&[1], &mut wire).unwrap();
        frame::encode(&[4], &mut wire).unwrap();
        frame::encode(&[0x00, 0xB0, 0x00, 0x00, 0x04], &mut wire).unwrap();
        let mut out = Vec::new();
        session.receive(&wire, &mut out).unwrap();
        let mut d = Decoder::new();
        d.push(&out);
        assert_eq!(d.next_frame(), Some(&TestCard::ATR[..]));
        // No EF selected yet.
        assert_eq!(d.next_frame(), Some(&[0x69, 0x86][..]));
        assert_eq!(d.next_frame(), None);
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let mut out = Vec::new();
        let mut s = Session::new(TestCard::new());
        assert_eq!(s.receive(&[0, 0], &mut out), Err(ProtocolError::EmptyFrame));
        let mut s = Session::new(TestCard::new());
        assert_eq!(
            s.receive(&[0, 1, 9], &mut out),
            Err(ProtocolError::UnknownControl(9))
        );
        let mut s = Session::new(TestCard::new());
        s.receive(&[0, 5, 0, 0xB0], &mut out).unwrap();
        assert_eq!(
            s.finish(),
            Err(ProtocolError::Truncated { have: 4, want: 7 })
        );
        assert!(out.is_empty());
    }

    #[test]
    fn answers_the_wire_cannot_carry_are_errors() {
        let mut reader = Loopback::new(Parrot(vec![0x90]));
        assert_eq!(
            reader.transmit(&[0, 0xB0, 0, 0]),
            Err(ProtocolError::ResponseTooShort { len: 1 })
        );
        let mut reader = Loopback::new(Parrot(vec![0; 70_000]));
        assert_eq!(
            reader.atr(),
            Err(ProtocolError::AnswerTooLong { len: 70_000 })
        );
        assert_eq!(
            reader.transmit(&[0]),
            Err(ProtocolError::CommandTooShort { len: 1 })
        );
    }
}
