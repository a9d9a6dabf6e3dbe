//! APDU rate of the card transport, printed as figures (no assertions):
//! - in-process: the test card behind [`Loopback`] (framing + dispatch, no socket);
//! - ours via pcscd + vpcd: a private pcscd, our card side on its vpcd port, and a PC/SC
//!   client (libpcsclite) timing N READ BINARY commands of 256 bytes;
//! - vicc via pcscd + vpcd: the same client and script against vsmartcard's Python emulator
//!   holding the same file (`scripts/vicc_jpki_card.py`), as the baseline.
//!
//! Run: `cargo run --release -p onshi-harness --example pcsc_rate -- --card both`
//! (`scripts/vicc-baseline.sh` does this). Needs `scripts/pcsc-setup.sh` first, and for
//! vicc the Debian packages python3-virtualsmartcard and python3-pycryptodome.
//!
//! The PC/SC client runs as a child of this program (`--client`), started with
//! `PCSCLITE_CSOCK_NAME` pointing at the private pcscd.

#[path = "../tests/support/pcsc_client.rs"]
mod pcsc_client;

use std::hint::black_box;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use onshi_harness::pcsc::pcscd::PrivatePcscd;
use onshi_harness::pcsc::test_card::{JPKI_AID, TestCard, certificate_blob};
use onshi_harness::pcsc::{CardSlot, Loopback, RetryPolicy};

use pcsc_client::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    /// Our card side with the test card.
    Ours,
    /// vsmartcard's vicc with the same file.
    Vicc,
    /// Both, and their ratio.
    Both,
}

#[derive(Debug, Parser)]
#[command(about = "APDU/s of the vpcd card side, in-process and through pcscd")]
struct Args {
    /// Which card to time through pcscd.
    #[arg(long, value_enum, default_value_t = Which::Ours)]
    card: Which,
    /// READ BINARY commands to time through pcscd with our card.
    #[arg(long, default_value_t = 2000)]
    n: u32,
    /// READ BINARY commands to time through pcscd with vicc (slow: keep it small).
    #[arg(long, default_value_t = 200)]
    vicc_n: u32,
    /// READ BINARY commands to time in-process.
    #[arg(long, default_value_t = 200_000)]
    in_process_n: u32,
    /// Timed batches of n (or vicc-n) commands through pcscd; the median is reported.
    #[arg(long, default_value_t = 3)]
    repeat: u32,
    /// Internal: be the PC/SC client and time this many commands, `repeat` times.
    #[arg(long, hide = true)]
    client: Option<u32>,
}

/// The READ BINARY of the timed loop: 256 bytes at one of five offsets.
fn timed_read(i: u32) -> Vec<u8> {
    let offset = u16::try_from((i % 5) * 256).unwrap_or(0);
    read_binary_apdu(offset, 0)
}

fn in_process(n: u32) -> f64 {
    let mut reader = Loopback::new(TestCard::new());
    let run = |reader: &mut Loopback<TestCard>| -> Result<(), String> {
        reader.power_on().map_err(|e| e.to_string())?;
        reader
            .transmit(&select_aid_apdu(&JPKI_AID))
            .map_err(|e| e.to_string())?;
        reader
            .transmit(&select_ef_apdu([0x00, 0x0A]))
            .map_err(|e| e.to_string())?;
        for i in 0..n {
            let r = reader.transmit(&timed_read(i)).map_err(|e| e.to_string())?;
            if r.len() != 258 {
                return Err(format!("short answer {}", r.len()));
            }
            black_box(r);
        }
        Ok(())
    };
    if let Err(e) = run(&mut reader) {
        eprintln!("in-process: {e}");
        return 0.0;
    }
    let start = Instant::now();
    if let Err(e) = run(&mut reader) {
        eprintln!("in-process: {e}");
        return 0.0;
    }
    f64::from(n) / start.elapsed().as_secs_f64()
}

/// The child: connect, check the card holds the blob, then time `repeat` batches of `n`
/// READ BINARY.
fn client(n: u32, repeat: u32) -> Result<(), String> {
    let ctx = context()?;
    let card = connect_when_present(&ctx, FIRST_VPCD_READER, Duration::from_secs(20))?;
    select_certificate(&card)?;
    if read_certificate(&card, 0xFF)? != certificate_blob() {
        return Err("the card's file differs from the test blob".into());
    }
    for i in 0..20 {
        transmit(&card, &timed_read(i))?;
    }
    let mut secs = Vec::new();
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        for i in 0..n {
            let (data, sw) = transmit(&card, &timed_read(i))?;
            if sw != 0x9000 || data.len() != 256 {
                return Err(format!(
                    "READ BINARY answered {} bytes, {sw:04X}",
                    data.len()
                ));
            }
        }
        secs.push(start.elapsed().as_secs_f64().to_string());
    }
    println!("RESULT apdus={n} secs={}", secs.join(","));
    Ok(())
}

/// Kills the emulator process when the measurement ends.
struct Reap(Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Rates of the batches: slowest, median, fastest.
struct Rates {
    min: f64,
    median: f64,
    max: f64,
}

/// Starts a private pcscd with `which` card in slot 0 and times `repeat` batches of `n`
/// commands from a child.
fn through_pcscd(which: Which, n: u32, repeat: u32) -> Result<Rates, String> {
    let pcscd = PrivatePcscd::start().map_err(|e| e.to_string())?;
    let mut slot = None;
    let mut vicc = None;
    match which {
        Which::Vicc => {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/vicc_jpki_card.py");
            let child = Command::new("/usr/bin/python3")
                .arg(script)
                .arg(pcscd.vpcd_port().to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .map_err(|e| format!("start vicc ({script}): {e}"))?;
            vicc = Some(Reap(child));
        }
        _ => {
            let s = CardSlot::spawn(TestCard::new(), pcscd.slot_addr(0), RetryPolicy::default())
                .map_err(|e| e.to_string())?;
            slot = Some(s);
        }
    }
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("--client")
        .arg(n.to_string())
        .arg("--repeat")
        .arg(repeat.to_string());
    pcscd.configure_client(&mut cmd);
    let timeout = Duration::from_secs(60) + Duration::from_millis(100) * n * repeat.max(1);
    let run = run_child(cmd, work.path(), timeout)?;
    drop(vicc);
    if let Some(slot) = slot {
        let end = slot.stop().map_err(|e| e.to_string())?;
        eprintln!("  card side: {:?}", end.stats);
    }
    let mut rates: Vec<f64> = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|l| l.split_whitespace().find_map(|w| w.strip_prefix("secs=")))
        .map(|list| {
            list.split(',')
                .filter_map(|s| s.parse::<f64>().ok())
                .map(|s| f64::from(n) / s)
                .collect()
        })
        .unwrap_or_default();
    rates.sort_by(f64::total_cmp);
    match (rates.first(), rates.get(rates.len() / 2), rates.last()) {
        (Some(&min), Some(&median), Some(&max)) => Ok(Rates { min, median, max }),
        _ => Err(format!(
            "client failed ({}):\n{}\n{}\npcscd log:\n{}",
            run.status,
            run.stdout,
            run.stderr,
            pcscd.log_tail()
        )),
    }
}

fn report(label: &str, rate: f64) {
    println!(
        "{label:<40} {rate:>12.0} APDU/s  ({:.1} µs per APDU)",
        1e6 / rate
    );
}

fn report_batches(label: &str, r: &Rates) {
    report(label, r.median);
    println!(
        "{:<40} {:>12} (batches: slowest {:.0}, fastest {:.0})",
        "", "", r.min, r.max
    );
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(n) = args.client {
        return match client(n, args.repeat) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("PC/SC client: {e}");
                ExitCode::FAILURE
            }
        };
    }
    println!("READ BINARY of 256 bytes (Le=00), test card holding a 1500-byte file");
    report(
        &format!("in-process (n={})", args.in_process_n),
        in_process(args.in_process_n),
    );
    let mut ours = None;
    if matches!(args.card, Which::Ours | Which::Both) {
        match through_pcscd(Which::Ours, args.n, args.repeat) {
            Ok(r) => {
                report_batches(&format!("ours via pcscd+vpcd (n={}, median)", args.n), &r);
                ours = Some(r.median);
            }
            Err(e) => {
                eprintln!("ours via pcscd+vpcd: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if matches!(args.card, Which::Vicc | Which::Both) {
        match through_pcscd(Which::Vicc, args.vicc_n, args.repeat) {
            Ok(r) => {
                report_batches(
                    &format!("vicc via pcscd+vpcd (n={}, median)", args.vicc_n),
                    &r,
                );
                if let Some(o) = ours {
                    println!("ratio ours/vicc (medians): {:.0}×", o / r.median);
                }
            }
            Err(e) => {
                eprintln!("vicc via pcscd+vpcd: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
