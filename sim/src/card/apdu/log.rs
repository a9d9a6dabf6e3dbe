//! What the terminal asked the card, one entry per APDU, so the harness can check behaviour
//! no network trace shows: "the terminal never read the 入力補助AP" (RDR-6, PRV-5), "it signed
//! with the auth key after the PIN", "how many PIN tries it made". Entries never hold PIN
//! values or file contents.

use serde::{Serialize, Serializer};

use super::files::{EfId, PinRef};
use super::{Application, DigestAlgorithm, Sw};
use crate::card::PinResult;
use crate::jlis::CertKind;

/// A command as the engine understood it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ApduCommand {
    /// SELECT by DF name (P1 = 04).
    SelectApplication {
        /// The AID as sent.
        #[serde(serialize_with = "hex")]
        aid: Vec<u8>,
        /// The application it names, if the card has it.
        application: Option<Application>,
    },
    /// SELECT of the MF (P1 = 00).
    SelectMf,
    /// SELECT EF (P1 = 02).
    SelectFile {
        /// The EF id as sent (None when the data was not two bytes).
        ef: Option<EfId>,
    },
    /// READ BINARY.
    ReadBinary {
        /// The EF read (current or by short EF id), if any.
        ef: Option<EfId>,
        /// The offset asked for.
        offset: u16,
        /// Bytes returned.
        returned: usize,
    },
    /// VERIFY.
    Verify {
        /// The PIN addressed, if the reference named one.
        pin: Option<PinRef>,
        /// Whether a PIN was sent (false: a status query).
        with_data: bool,
        /// What the counter did, when a PIN was checked.
        result: Option<PinResult>,
    },
    /// COMPUTE DIGITAL SIGNATURE.
    ComputeSignature {
        /// The key used or asked for, if a key EF was current.
        key: Option<CertKind>,
        /// The hash when the input is a SHA-1 or SHA-256 DigestInfo (None: any other input,
        /// which the card signs as given unless `card_signature_input` is strict).
        digest: Option<DigestAlgorithm>,
    },
    /// GET CHALLENGE.
    GetChallenge {
        /// Bytes of challenge returned (0 when refused).
        returned: usize,
    },
    /// Anything else: an unknown class or instruction, or bytes that are no APDU.
    Other {
        /// Class byte (None if the APDU was shorter than one byte).
        cla: Option<u8>,
        /// Instruction byte (None if the APDU was shorter than two bytes).
        ins: Option<u8>,
    },
}

fn hex<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    let text: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    s.serialize_str(&text)
}

/// One APDU and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApduLogEntry {
    /// The application selected after the command (None: MF or nothing selected).
    pub application: Option<Application>,
    /// The command.
    pub command: ApduCommand,
    /// The status word returned.
    pub sw: Sw,
}

/// The APDUs of one or more sessions, oldest first, with the questions the harness asks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ApduLog {
    entries: Vec<ApduLogEntry>,
}

impl ApduLog {
    /// Every entry, oldest first.
    pub fn entries(&self) -> &[ApduLogEntry] {
        &self.entries
    }

    /// Appends an entry.
    pub fn push(&mut self, entry: ApduLogEntry) {
        self.entries.push(entry);
    }

    /// Takes every entry out, leaving the log empty.
    pub fn take(&mut self) -> Vec<ApduLogEntry> {
        std::mem::take(&mut self.entries)
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Whether `app` was successfully selected at least once.
    pub fn selected(&self, app: Application) -> bool {
        self.entries.iter().any(|e| {
            e.sw.is_ok()
                && matches!(e.command, ApduCommand::SelectApplication { application: Some(a), .. } if a == app)
        })
    }

    /// Whether any READ BINARY inside `app` returned data (for example: did the terminal read
    /// the 券面事項入力補助AP, RDR-6).
    pub fn read_from(&self, app: Application) -> bool {
        self.entries.iter().any(|e| {
            e.sw.is_ok()
                && e.application == Some(app)
                && matches!(e.command, ApduCommand::ReadBinary { .. })
        })
    }

    /// VERIFY commands that sent a value for `pin` (status queries do not count).
    pub fn pin_tries(&self, pin: PinRef) -> usize {
        self.entries
            .iter()
            .filter(|e| {
                matches!(e.command, ApduCommand::Verify { pin: Some(p), with_data: true, .. } if p == pin)
            })
            .count()
    }

    /// The signatures the card produced, oldest first: which key and which hash (None: the
    /// input was no SHA-1 or SHA-256 DigestInfo). A signature is only ever produced after
    /// that key's PIN was verified in the same session.
    pub fn signatures(&self) -> impl Iterator<Item = (CertKind, Option<DigestAlgorithm>)> + '_ {
        self.entries.iter().filter_map(|e| match e.command {
            ApduCommand::ComputeSignature {
                key: Some(k),
                digest,
            } if e.sw.is_ok() => Some((k, digest)),
            _ => None,
        })
    }
}
