//! The vpcd wire format, card side, with no I/O: frames in, messages out, answers encoded.
//!
//! Every message in either direction is a 2-byte big-endian length followed by that many
//! payload bytes. From vpcd to the card, a 1-byte payload is a control code and anything
//! longer is a command APDU; from the card to vpcd, the payload is the ATR (after an ATR
//! request) or the response APDU. Nothing else is ever said on the wire, so a length of 0 or
//! an unknown control code means the peer is not vpcd (or is broken) and ends the session.

/// vpcd's TCP port for reader slot 0; slot N listens on `DEFAULT_PORT + N`.
pub const DEFAULT_PORT: u16 = 35963;

/// The largest payload a frame can carry (the length prefix is 16 bits).
pub const MAX_PAYLOAD: usize = u16::MAX as usize;

/// A control code: a frame whose payload is exactly one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Control {
    /// `00`: the reader removes power from the card.
    PowerOff,
    /// `01`: the reader powers the card.
    PowerOn,
    /// `02`: warm reset; the card answers nothing on the wire.
    Reset,
    /// `04`: the reader asks for the ATR; the card answers with one frame holding it.
    AtrRequest,
}

impl Control {
    /// The control code for a wire byte, if vpcd defines one.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::PowerOff),
            1 => Some(Self::PowerOn),
            2 => Some(Self::Reset),
            4 => Some(Self::AtrRequest),
            _ => None,
        }
    }

    /// The wire byte of this control code.
    pub fn byte(self) -> u8 {
        match self {
            Self::PowerOff => 0,
            Self::PowerOn => 1,
            Self::Reset => 2,
            Self::AtrRequest => 4,
        }
    }
}

/// One message from vpcd, borrowed from the decoder's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// A control code (power, reset, ATR request).
    Control(Control),
    /// A command APDU, to be answered with a response APDU.
    Apdu(&'a [u8]),
}

/// The peer broke the protocol, or the card gave an answer the protocol cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A frame of length 0: vpcd never sends one.
    #[error(
        "received a frame of length 0; vpcd always sends at least one byte, so the peer is not vpcd or is broken"
    )]
    EmptyFrame,
    /// A 1-byte frame whose byte is not a vpcd control code.
    #[error(
        "received unknown control code 0x{0:02X} (vpcd sends 00 power off, 01 power on, 02 reset, 04 ATR request)"
    )]
    UnknownControl(u8),
    /// The stream ended in the middle of a frame.
    #[error("the connection closed in the middle of a frame: {have} of {want} bytes received")]
    Truncated {
        /// Bytes of the frame (length prefix included) received before the end.
        have: usize,
        /// Bytes the frame needed (length prefix included).
        want: usize,
    },
    /// The card's answer does not fit in one frame.
    #[error("the card answered {len} bytes; a vpcd frame carries at most 65535")]
    AnswerTooLong {
        /// Length of the answer.
        len: usize,
    },
    /// The card answered a command APDU with fewer than the two status bytes.
    #[error(
        "the card answered a command APDU with {len} bytes; a response APDU holds at least SW1 SW2"
    )]
    ResponseTooShort {
        /// Length of the answer.
        len: usize,
    },
    /// A command shorter than an APDU header was handed to the in-process reader.
    #[error("a command APDU has at least 4 bytes (CLA INS P1 P2); got {len}")]
    CommandTooShort {
        /// Length of the command.
        len: usize,
    },
}

/// What a 1-or-more-byte payload from vpcd means.
pub fn parse(payload: &[u8]) -> Result<Message<'_>, ProtocolError> {
    match payload {
        [] => Err(ProtocolError::EmptyFrame),
        [byte] => Control::from_byte(*byte)
            .map(Message::Control)
            .ok_or(ProtocolError::UnknownControl(*byte)),
        apdu => Ok(Message::Apdu(apdu)),
    }
}

/// Appends one frame (length prefix, then `payload`) to `out`, so that a whole answer goes
/// out in a single write.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) -> Result<(), ProtocolError> {
    let len = u16::try_from(payload.len())
        .map_err(|_| ProtocolError::AnswerTooLong { len: payload.len() })?;
    out.reserve(2 + payload.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// Cuts a byte stream into frame payloads, however the bytes were split across reads.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    pos: usize,
}

impl Decoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos == self.buf.len() {
            self.buf.clear();
        } else if self.pos > 0 {
            self.buf.drain(..self.pos);
        }
        self.pos = 0;
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame's payload, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Option<&[u8]> {
        let rest = self.buf.get(self.pos..)?;
        let [hi, lo, ..] = *rest else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        let payload = rest.get(2..2 + len)?;
        self.pos += 2 + len;
        Some(payload)
    }

    /// Bytes received that do not yet form a complete frame.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Checks that the stream ended on a frame boundary.
    pub fn finish(&self) -> Result<(), ProtocolError> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        match *rest {
            [] => Ok(()),
            [_] => Err(ProtocolError::Truncated { have: 1, want: 2 }),
            [hi, lo, ..] => Err(ProtocolError::Truncated {
                have: rest.len(),
                want: 2 + usize::from(u16::from_be_bytes([hi, lo])),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_round_trip_and_unknown_codes_are_named() {
        for c in [
            Control::PowerOff,
            Control::PowerOn,
            Control::Reset,
            Control::AtrRequest,
        ] {
            assert_eq!(Control::from_byte(c.byte()), Some(c));
            assert_eq!(parse(&[c.byte()]), Ok(Message::Control(c)));
        }
        assert_eq!(parse(&[3]), Err(ProtocolError::UnknownControl(3)));
        assert!(
            ProtocolError::UnknownControl(3)
                .to_string()
                .contains("0x03")
        );
        assert_eq!(parse(&[]), Err(ProtocolError::EmptyFrame));
        assert_eq!(parse(&[0, 0xB0]), Ok(Message::Apdu(&[0, 0xB0])));
    }

    #[test]
    fn frames_split_anywhere_decode_the_same() {
        let mut wire = Vec::new();
        encode(&[1], &mut wire).unwrap();
        encode(&[0x00, 0xA4, 0x04, 0x0C], &mut wire).unwrap();
        encode(&[4], &mut wire).unwrap();
        for cut in 0..=wire.len() {
            let mut d = Decoder::new();
            let mut got = Vec::new();
            for part in [&wire[..cut], &wire[cut..]] {
                d.push(part);
                while let Some(p) = d.next_frame() {
                    got.push(p.to_vec());
                }
            }
            assert_eq!(got, vec![vec![1], vec![0x00, 0xA4, 0x04, 0x0C], vec![4]]);
            assert_eq!(d.finish(), Ok(()));
        }
    }

    #[test]
    fn a_stream_ending_inside_a_frame_is_truncated() {
        let mut d = Decoder::new();
        d.push(&[0x00]);
        assert_eq!(
            d.finish(),
            Err(ProtocolError::Truncated { have: 1, want: 2 })
        );
        d.push(&[0x05, 0xAA, 0xBB]);
        assert_eq!(d.next_frame(), None);
        assert_eq!(d.pending(), 4);
        assert_eq!(
            d.finish(),
            Err(ProtocolError::Truncated { have: 4, want: 7 })
        );
    }

    #[test]
    fn answers_longer_than_a_frame_are_refused() {
        let mut out = Vec::new();
        let big = vec![0u8; MAX_PAYLOAD + 1];
        assert_eq!(
            encode(&big, &mut out),
            Err(ProtocolError::AnswerTooLong {
                len: MAX_PAYLOAD + 1
            })
        );
        assert!(out.is_empty());
        encode(&big[..MAX_PAYLOAD], &mut out).unwrap();
        assert_eq!(&out[..2], &[0xFF, 0xFF]);
    }
}
