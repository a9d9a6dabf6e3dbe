//! The session of one power-on and the command handlers. Decisions are listed in the module
//! documentation of [`super`].

use std::sync::Arc;

use super::command::{Command, parse_digest_info};
use super::files::{self, EfId, FileKind, PinRef, ReadAccess};
use super::log::{ApduCommand, ApduLog, ApduLogEntry};
use super::{Application, Sw};
use crate::card::{Card, PinResult};
use crate::ids::CardId;
use crate::jlis::{CertKind, Jlis, JlisError};
use crate::person::Person;
use crate::rng::SeedRoot;
use crate::rules::{SignatureInput, Switches};

/// What the engine needs of the world for one command: the card (its PIN counters and
/// challenge count change), its holder (surface data, PIN A), J-LIS (certificates and keys),
/// the switches the card follows and the run's randomness root.
#[derive(Debug)]
pub struct CardContext<'a> {
    /// The card in the reader.
    pub card: &'a mut Card,
    /// Its holder.
    pub person: &'a Person,
    /// J-LIS, which holds the certificates and keys.
    pub jlis: &'a Jlis,
    /// The switches in force (`card_signature_input`, `card_answers_get_challenge`).
    pub switches: &'a Switches,
    /// The run's randomness root: GET CHALLENGE draws from it.
    pub seed: SeedRoot,
}

/// The volatile state of one power-on of a card: selected application, current EF and the
/// PINs verified since the application was selected, plus a log of every APDU.
///
/// Counters and blocks are not here: they live in the [`Card`] of the world. A session that
/// is handed another card than the one it last talked to starts over as after a reset.
#[derive(Clone, Debug)]
pub struct CardSession {
    card: Option<CardId>,
    application: Option<Application>,
    current: Option<(EfId, FileKind)>,
    verified: u8,
    logging: bool,
    log: ApduLog,
}

impl Default for CardSession {
    fn default() -> Self {
        Self::new()
    }
}

/// One command's answer before it becomes bytes.
struct Answer {
    data: Vec<u8>,
    sw: Sw,
    command: ApduCommand,
}

impl Answer {
    fn sw(command: ApduCommand, sw: Sw) -> Self {
        Answer {
            data: Vec::new(),
            sw,
            command,
        }
    }

    fn ok(command: ApduCommand, data: Vec<u8>) -> Self {
        Answer {
            data,
            sw: Sw::OK,
            command,
        }
    }
}

/// What a command may be, decided from CLA and INS.
enum Instruction {
    Select,
    ReadBinary,
    Verify,
    ComputeSignature,
    GetChallenge,
}

impl CardSession {
    /// A powered-on card with nothing selected, logging every APDU.
    pub fn new() -> Self {
        CardSession {
            card: None,
            application: None,
            current: None,
            verified: 0,
            logging: true,
            log: ApduLog::default(),
        }
    }

    /// A session that keeps no log (benchmarks).
    pub fn without_log() -> Self {
        CardSession {
            logging: false,
            ..Self::new()
        }
    }

    /// A (warm or cold) reset: nothing selected, no PIN verified. The log stays.
    pub fn reset(&mut self) {
        self.application = None;
        self.current = None;
        self.verified = 0;
    }

    /// Power off: as [`CardSession::reset`], and the session forgets which card it held.
    pub fn power_off(&mut self) {
        self.reset();
        self.card = None;
    }

    /// The selected application (None: the MF or nothing).
    pub fn application(&self) -> Option<Application> {
        self.application
    }

    /// The current EF in the selected application.
    pub fn current_ef(&self) -> Option<EfId> {
        self.current.map(|(ef, _)| ef)
    }

    /// Whether `pin` is verified in this session (only PINs of the selected application can be).
    pub fn is_verified(&self, pin: PinRef) -> bool {
        self.verified & pin.bit() != 0
    }

    /// The log of every APDU so far.
    pub fn log(&self) -> &ApduLog {
        &self.log
    }

    /// The log, to take or clear entries.
    pub fn log_mut(&mut self) -> &mut ApduLog {
        &mut self.log
    }

    /// The answer to `apdu` sent to a card that does not exist: 6F 00, the session powered
    /// off (see [`CardSession::transmit`], which the world provides).
    pub(crate) fn transmit_to_nothing(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.power_off();
        let command = ApduCommand::Other {
            cla: apdu.first().copied(),
            ins: apdu.get(1).copied(),
        };
        self.finish(Answer::sw(command, Sw::SIMULATOR_FAULT))
    }

    /// Sends one command APDU to the card of `ctx` (see [`CardSession::transmit`]).
    pub fn transmit_to(&mut self, mut ctx: CardContext<'_>, apdu: &[u8]) -> Vec<u8> {
        if self.card != Some(ctx.card.id) {
            self.power_off();
            self.card = Some(ctx.card.id);
        }
        let answer = self.execute(&mut ctx, apdu);
        self.finish(answer)
    }

    fn finish(&mut self, answer: Answer) -> Vec<u8> {
        let Answer {
            mut data,
            sw,
            command,
        } = answer;
        if self.logging {
            self.log.push(ApduLogEntry {
                application: self.application,
                command,
                sw,
            });
        }
        data.extend_from_slice(&sw.0.to_be_bytes());
        data
    }

    fn execute(&mut self, ctx: &mut CardContext<'_>, apdu: &[u8]) -> Answer {
        let other = |sw| {
            let command = ApduCommand::Other {
                cla: apdu.first().copied(),
                ins: apdu.get(1).copied(),
            };
            Answer::sw(command, sw)
        };
        let [cla, ins, _, _, ..] = *apdu else {
            return other(Sw::WRONG_LENGTH);
        };
        let instruction = match (cla, ins) {
            (0x00, 0xA4) => Instruction::Select,
            (0x00, 0xB0) => Instruction::ReadBinary,
            (0x00, 0x20) => Instruction::Verify,
            (0x80, 0x2A) => Instruction::ComputeSignature,
            (0x00, 0x84) if ctx.switches.card_answers_get_challenge => Instruction::GetChallenge,
            (0x00 | 0x80, _) => return other(Sw::INS_NOT_SUPPORTED),
            _ => return other(Sw::CLA_NOT_SUPPORTED),
        };
        let cmd = match Command::parse(apdu) {
            Ok(cmd) => cmd,
            Err(sw) => return other(sw),
        };
        match instruction {
            Instruction::Select => self.select(ctx, &cmd),
            Instruction::ReadBinary => self.read_binary(ctx, &cmd),
            Instruction::Verify => self.verify(ctx, &cmd),
            Instruction::ComputeSignature => self.compute_signature(ctx, &cmd),
            Instruction::GetChallenge => Self::get_challenge(ctx, &cmd),
        }
    }

    /// The file `ef` of `app` if this card has it (no signature files under 15).
    fn file(ctx: &CardContext<'_>, app: Application, ef: EfId) -> Option<FileKind> {
        files::lookup(app, ef)
            .filter(|kind| !kind.needs_signature_certificate() || ctx.card.sign_cert.is_some())
    }

    /// Enters `app` (None: the MF): nothing current, nothing verified.
    fn enter(&mut self, app: Option<Application>) {
        self.application = app;
        self.current = None;
        self.verified = 0;
    }

    fn select(&mut self, ctx: &CardContext<'_>, cmd: &Command<'_>) -> Answer {
        let p2_ok = matches!(cmd.p2, 0x00 | 0x0C);
        match cmd.p1 {
            0x04 => {
                let application = Application::from_aid(cmd.data);
                let command = ApduCommand::SelectApplication {
                    aid: cmd.data.to_vec(),
                    application,
                };
                if !p2_ok {
                    return Answer::sw(command, Sw::WRONG_P1P2);
                }
                if cmd.data.is_empty() {
                    return Answer::sw(command, Sw::WRONG_LENGTH);
                }
                match application {
                    Some(app) => {
                        self.enter(Some(app));
                        Answer::ok(command, Vec::new())
                    }
                    None => Answer::sw(command, Sw::NOT_FOUND),
                }
            }
            0x02 => {
                let ef = <[u8; 2]>::try_from(cmd.data).ok().map(u16::from_be_bytes);
                let command = ApduCommand::SelectFile { ef };
                if !p2_ok {
                    return Answer::sw(command, Sw::WRONG_P1P2);
                }
                let Some(ef) = ef else {
                    return Answer::sw(command, Sw::WRONG_LENGTH);
                };
                match self.application.and_then(|app| Self::file(ctx, app, ef)) {
                    Some(kind) => {
                        self.current = Some((ef, kind));
                        Answer::ok(command, Vec::new())
                    }
                    None => Answer::sw(command, Sw::NOT_FOUND),
                }
            }
            0x00 => {
                let command = ApduCommand::SelectMf;
                if !p2_ok {
                    return Answer::sw(command, Sw::WRONG_P1P2);
                }
                if cmd.data.is_empty() || cmd.data == [0x3F, 0x00] {
                    self.enter(None);
                    Answer::ok(command, Vec::new())
                } else {
                    Answer::sw(command, Sw::NOT_FOUND)
                }
            }
            _ => Answer::sw(
                ApduCommand::Other {
                    cla: Some(cmd.cla),
                    ins: Some(cmd.ins),
                },
                Sw::WRONG_P1P2,
            ),
        }
    }

    fn read_binary(&mut self, ctx: &CardContext<'_>, cmd: &Command<'_>) -> Answer {
        let sfi_form = cmd.p1 & 0x80 != 0;
        let offset = if sfi_form {
            u16::from(cmd.p2)
        } else {
            u16::from_be_bytes([cmd.p1, cmd.p2])
        };
        let mut command = ApduCommand::ReadBinary {
            ef: self.current_ef(),
            offset,
            returned: 0,
        };
        if sfi_form && (cmd.p1 & 0x60 != 0 || cmd.p1 & 0x1F == 0) {
            return Answer::sw(command, Sw::WRONG_P1P2);
        }
        let Some(le) = cmd.le.filter(|_| cmd.data.is_empty()) else {
            return Answer::sw(command, Sw::WRONG_LENGTH);
        };
        if sfi_form {
            let ef = EfId::from(cmd.p1 & 0x1F);
            command = ApduCommand::ReadBinary {
                ef: Some(ef),
                offset,
                returned: 0,
            };
            match self.application.and_then(|app| Self::file(ctx, app, ef)) {
                Some(kind) => self.current = Some((ef, kind)),
                None => return Answer::sw(command, Sw::NOT_FOUND),
            }
        }
        let Some((ef, kind)) = self.current else {
            return Answer::sw(command, Sw::NOT_FOUND);
        };
        let allowed = match kind.read_access() {
            ReadAccess::Free => true,
            ReadAccess::AfterAnyOf(pins) => pins.iter().any(|&p| self.is_verified(p)),
            ReadAccess::Never => false,
        };
        if !allowed {
            return Answer::sw(command, Sw::SECURITY_NOT_SATISFIED);
        }
        let content = match Self::content(ctx, kind) {
            Ok(c) => c,
            Err(sw) => return Answer::sw(command, sw),
        };
        let start = usize::from(offset);
        if start >= content.len() {
            return Answer::sw(command, Sw::WRONG_OFFSET);
        }
        let end = content.len().min(start + le);
        let data = content[start..end].to_vec();
        let command = ApduCommand::ReadBinary {
            ef: Some(ef),
            offset,
            returned: data.len(),
        };
        Answer::ok(command, data)
    }

    /// The bytes of a readable file.
    fn content(ctx: &CardContext<'_>, kind: FileKind) -> Result<Arc<[u8]>, Sw> {
        let fault = |_| Sw::SIMULATOR_FAULT;
        match kind {
            FileKind::Certificate(CertKind::Auth) => {
                ctx.jlis.certificate_der(ctx.card.auth_cert).map_err(fault)
            }
            FileKind::Certificate(CertKind::Sign) => {
                let cert = ctx.card.sign_cert.ok_or(Sw::NOT_FOUND)?;
                ctx.jlis.certificate_der(cert).map_err(fault)
            }
            FileKind::CaCertificate(kind) => ctx.jlis.ca_certificate_der(kind).map_err(fault),
            FileKind::SurfaceEntries => Ok(files::surface_entries_der(ctx.card, ctx.person).into()),
            FileKind::MyNumber => Ok(files::input_support_my_number_der(ctx.person).into()),
            FileKind::InputSupportAttributes => {
                Ok(files::input_support_attributes_der(ctx.person).into())
            }
            FileKind::PrivateKey(_) | FileKind::Pin(_) => Err(Sw::SECURITY_NOT_SATISFIED),
        }
    }

    fn verify(&mut self, ctx: &mut CardContext<'_>, cmd: &Command<'_>) -> Answer {
        let with_data = !cmd.data.is_empty();
        let referenced = match cmd.p2 {
            0x80 => self.current.map(|(_, kind)| kind),
            0x81..=0x9E => self
                .application
                .and_then(|app| Self::file(ctx, app, EfId::from(cmd.p2 & 0x1F))),
            _ => None,
        };
        let pin = match referenced {
            Some(FileKind::Pin(pin)) => Some(pin),
            _ => None,
        };
        let command = |result| ApduCommand::Verify {
            pin,
            with_data,
            result,
        };
        if cmd.p1 != 0x00 || !matches!(cmd.p2, 0x80..=0x9E) {
            return Answer::sw(command(None), Sw::WRONG_P1P2);
        }
        let Some(pin) = pin else {
            return Answer::sw(command(None), Sw::NOT_FOUND);
        };
        if !with_data {
            // 63 Cx even when verified: the JPKI card's answer (see the module documentation).
            let counter = pin.counter(&ctx.card.pins);
            let sw = if counter.is_blocked() {
                Sw::PIN_BLOCKED
            } else {
                Sw::tries_left(counter.remaining)
            };
            return Answer::sw(command(None), sw);
        }
        let correct = pin.matches(cmd.data, ctx.card, ctx.person);
        let result = pin.counter_mut(&mut ctx.card.pins).attempt(correct);
        let sw = match result {
            PinResult::Accepted => {
                self.verified |= pin.bit();
                Sw::OK
            }
            PinResult::Wrong { remaining } => {
                self.verified &= !pin.bit();
                Sw::tries_left(remaining)
            }
            PinResult::NowBlocked | PinResult::Blocked => {
                self.verified &= !pin.bit();
                Sw::PIN_BLOCKED
            }
        };
        Answer::sw(command(Some(result)), sw)
    }

    fn compute_signature(&mut self, ctx: &CardContext<'_>, cmd: &Command<'_>) -> Answer {
        let key = match self.current {
            Some((_, FileKind::PrivateKey(kind))) => Some(kind),
            _ => None,
        };
        let digest = parse_digest_info(cmd.data).map(|(alg, _)| alg);
        let command = ApduCommand::ComputeSignature { key, digest };
        if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
            return Answer::sw(command, Sw::WRONG_P1P2);
        }
        if cmd.data.is_empty() {
            return Answer::sw(command, Sw::WRONG_LENGTH);
        }
        let Some(kind) = key else {
            return Answer::sw(command, Sw::NOT_FOUND);
        };
        let pin = match kind {
            CertKind::Auth => PinRef::Auth,
            CertKind::Sign => PinRef::Sign,
        };
        if !self.is_verified(pin) {
            return Answer::sw(command, Sw::SECURITY_NOT_SATISFIED);
        }
        let strict = ctx.switches.card_signature_input == SignatureInput::Sha1Sha256DigestInfo;
        if strict && digest.is_none() {
            return Answer::sw(command, Sw::WRONG_DATA);
        }
        let cert = match kind {
            CertKind::Auth => Some(ctx.card.auth_cert),
            CertKind::Sign => ctx.card.sign_cert,
        };
        let Some(cert) = cert else {
            return Answer::sw(command, Sw::NOT_FOUND);
        };
        match ctx.jlis.sign(cert, cmd.data) {
            Ok(signature) => Answer::ok(command, signature),
            Err(JlisError::SignInputTooLong { .. }) => Answer::sw(command, Sw::WRONG_LENGTH),
            Err(_) => Answer::sw(command, Sw::SIMULATOR_FAULT),
        }
    }

    /// GET CHALLENGE (00 84 00 00 Le): Le bytes (00 = 256) from the card's seeded stream.
    fn get_challenge(ctx: &mut CardContext<'_>, cmd: &Command<'_>) -> Answer {
        let command = |returned| ApduCommand::GetChallenge { returned };
        if cmd.p1 != 0x00 || cmd.p2 != 0x00 {
            return Answer::sw(command(0), Sw::WRONG_P1P2);
        }
        let Some(le) = cmd.le.filter(|_| cmd.data.is_empty()) else {
            return Answer::sw(command(0), Sw::WRONG_LENGTH);
        };
        let stream = format!("card_challenge/{}", ctx.card.id.index());
        let mut challenge = Vec::with_capacity(le + 7);
        while challenge.len() < le {
            let n = ctx.card.challenges_drawn;
            ctx.card.challenges_drawn = n.wrapping_add(1);
            challenge.extend_from_slice(&ctx.seed.draw(&stream, n).to_be_bytes());
        }
        challenge.truncate(le);
        Answer::ok(command(le), challenge)
    }
}
