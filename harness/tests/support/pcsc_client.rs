//! The PC/SC client side shared by `tests/pcsc_e2e.rs` and `examples/pcsc_rate.rs`: find the
//! vpcd reader, wait for the card, run the JPKI read script, and run a child process with a
//! deadline (libpcsclite reads `PCSCLITE_CSOCK_NAME` once per process, so the client that
//! talks to a private pcscd is always a child started with that variable set).

#![allow(dead_code)] // each includer uses its own part

use std::fs;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use onshi_harness::children::GroupChild;
use onshi_harness::pcsc::test_card::{CERT_EF, JPKI_AID};
use pcsc::{Card, Context, Protocols, ReaderState, Scope, ShareMode, State};

/// vpcd's first reader as pcscd names it.
pub const FIRST_VPCD_READER: &str = "Virtual PCD 00 00";

/// A client result: a message that says what went wrong.
pub type Res<T> = Result<T, String>;

/// Waits until a card is present in the reader whose name starts with `prefix`, then
/// connects to it.
pub fn connect_when_present(ctx: &Context, prefix: &str, timeout: Duration) -> Res<Card> {
    let start = Instant::now();
    let name = loop {
        let readers = ctx
            .list_readers_owned()
            .map_err(|e| format!("SCardListReaders: {e}"))?;
        if let Some(r) = readers
            .into_iter()
            .find(|r| r.to_string_lossy().starts_with(prefix))
        {
            break r;
        }
        if start.elapsed() > timeout {
            return Err(format!("no reader named {prefix:?} within {timeout:?}"));
        }
        thread::sleep(Duration::from_millis(50));
    };
    let mut states = [ReaderState::new(name.clone(), State::UNAWARE)];
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        match ctx.get_status_change(left.min(Duration::from_millis(500)), &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(format!("SCardGetStatusChange: {e}")),
        }
        if states[0].event_state().contains(State::PRESENT) {
            break;
        }
        if start.elapsed() > timeout {
            return Err(format!(
                "no card in {name:?} within {timeout:?} (state {:?})",
                states[0].event_state()
            ));
        }
        states[0].sync_current_state();
    }
    ctx.connect(&name, ShareMode::Shared, Protocols::ANY)
        .map_err(|e| format!("SCardConnect({name:?}): {e}"))
}

/// Establishes a user-scope context.
pub fn context() -> Res<Context> {
    Context::establish(Scope::User).map_err(|e| format!("SCardEstablishContext: {e}"))
}

/// Sends one APDU; returns (data, SW1SW2).
pub fn transmit(card: &Card, apdu: &[u8]) -> Res<(Vec<u8>, u16)> {
    let mut buf = [0u8; 258];
    let r = card
        .transmit(apdu, &mut buf)
        .map_err(|e| format!("SCardTransmit({apdu:02X?}): {e}"))?;
    let Some((data, sw)) = r.split_last_chunk::<2>() else {
        return Err(format!("response shorter than a status word: {r:02X?}"));
    };
    Ok((data.to_vec(), u16::from_be_bytes(*sw)))
}

/// `SELECT` by DF name.
pub fn select_aid_apdu(aid: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
    apdu.extend_from_slice(aid);
    apdu
}

/// `SELECT` of an EF by file id in the current DF.
pub fn select_ef_apdu(fid: [u8; 2]) -> Vec<u8> {
    vec![0x00, 0xA4, 0x02, 0x0C, 0x02, fid[0], fid[1]]
}

/// `READ BINARY` at `offset`, `le` bytes (0 = 256).
pub fn read_binary_apdu(offset: u16, le: u8) -> Vec<u8> {
    let [p1, p2] = offset.to_be_bytes();
    vec![0x00, 0xB0, p1, p2, le]
}

fn expect_9000(card: &Card, apdu: &[u8]) -> Res<Vec<u8>> {
    expect_sw(card, apdu, 0x9000)
}

/// Sends `apdu` and checks the status word is `want`; returns the data.
pub fn expect_sw(card: &Card, apdu: &[u8], want: u16) -> Res<Vec<u8>> {
    match transmit(card, apdu)? {
        (data, sw) if sw == want => Ok(data),
        (_, sw) => Err(format!(
            "{apdu:02X?} answered {sw:04X}, expected {want:04X}"
        )),
    }
}

/// Selects the JPKI application and its certificate EF.
pub fn select_certificate(card: &Card) -> Res<()> {
    expect_9000(card, &select_aid_apdu(&JPKI_AID))?;
    expect_9000(card, &select_ef_apdu(CERT_EF)).map(drop)
}

/// Reads the selected certificate as middleware does: a 4-byte header, the DER length, then
/// the rest in chunks of up to `chunk` bytes.
pub fn read_certificate(card: &Card, chunk: u8) -> Res<Vec<u8>> {
    let head = expect_9000(card, &read_binary_apdu(0, 4))?;
    let total = match head.as_slice() {
        [0x30, 0x82, hi, lo] => 4 + usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => return Err(format!("not a long-form DER SEQUENCE header: {head:02X?}")),
    };
    let mut out = head;
    while out.len() < total {
        let want = (total - out.len()).min(usize::from(chunk)) as u8;
        let offset = u16::try_from(out.len()).map_err(|e| e.to_string())?;
        let data = expect_9000(card, &read_binary_apdu(offset, want))?;
        if data.is_empty() {
            return Err(format!("empty READ BINARY at offset {offset}"));
        }
        out.extend_from_slice(&data);
    }
    Ok(out)
}

/// What a child process did.
pub struct ChildRun {
    /// How it ended.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `cmd` to completion as the leader of its own process group, killing the whole group
/// after `timeout` (and whatever the child left running when it ends); output goes through
/// files, not pipes, so a chatty child cannot block.
pub fn run_child(mut cmd: Command, dir: &Path, timeout: Duration) -> Res<ChildRun> {
    let out_path = dir.join("child.stdout");
    let err_path = dir.join("child.stderr");
    let file = |p: &Path| fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    cmd.stdin(Stdio::null())
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?);
    let mut child = GroupChild::spawn(&mut cmd).map_err(|e| format!("spawn {cmd:?}: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.child().try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > timeout {
            child.kill_group();
            let stdout = fs::read_to_string(&out_path).unwrap_or_default();
            let stderr = fs::read_to_string(&err_path).unwrap_or_default();
            return Err(format!(
                "child {cmd:?} still running after {timeout:?}; its process group was killed. \
                 Its output:\n{stdout}\n--- stderr\n{stderr}"
            ));
        }
        thread::sleep(Duration::from_millis(20));
    };
    drop(child);
    Ok(ChildRun {
        status,
        stdout: fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: fs::read_to_string(&err_path).unwrap_or_default(),
    })
}
