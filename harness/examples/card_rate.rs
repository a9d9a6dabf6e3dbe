//! Speed of the world's card (the real APDU engine against a shared world, as the terminal role
//! puts it in a reader), printed as figures (no assertions):
//! - in-process: [`WorldCard`] behind [`Loopback`] (framing, dispatch, engine, world lock and
//!   APDU log; no socket);
//! - ours via pcscd + vpcd: a private pcscd, our card side with the world card on its vpcd
//!   port, and a PC/SC client (libpcsclite) timing READ BINARY of 256 bytes and whole reads of
//!   the auth certificate (SELECT AP, SELECT EF 000A, a 4-byte header read, chunks of 255);
//! - vicc via pcscd + vpcd: the same client and script against vsmartcard's Python emulator
//!   holding the same certificate in the same application and EF
//!   (`scripts/vicc_jpki_card.py PORT FILE`), as the baseline.
//!
//! Run: `cargo run --release -p onshi-harness --example card_rate -- --card both`. Needs
//! `scripts/pcsc-setup.sh` first, and for vicc `scripts/pcsc-setup.sh --with-vicc`.
//! `examples/pcsc_rate.rs` times the transport alone with the stand-in test card.
//!
//! The PC/SC client runs as a child of this program (`--client`), started with
//! `PCSCLITE_CSOCK_NAME` pointing at the private pcscd.

#[path = "../tests/support/pcsc_client.rs"]
mod pcsc_client;
#[path = "../tests/support/world.rs"]
mod world;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use onshi_harness::pcsc::pcscd::PrivatePcscd;
use onshi_harness::pcsc::{CardSlot, Loopback, RetryPolicy};
use onshi_harness::roles::terminal::SharedWorld;
use onshi_harness::roles::terminal::card::{SharedLog, WorldCard};
use onshi_sim::card::apdu::Application;

use pcsc_client::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    /// Our card side with the world card.
    Ours,
    /// vsmartcard's vicc holding the same certificate.
    Vicc,
    /// Both, and their ratios.
    Both,
}

#[derive(Debug, Parser)]
#[command(
    about = "APDU/s and certificate read time of the world card, in-process and through pcscd"
)]
struct Args {
    /// Which card to time through pcscd.
    #[arg(long, value_enum, default_value_t = Which::Ours)]
    card: Which,
    /// READ BINARY commands per batch through pcscd with our card.
    #[arg(long, default_value_t = 2000)]
    n: u32,
    /// Whole certificate reads through pcscd with our card.
    #[arg(long, default_value_t = 200)]
    reads: u32,
    /// READ BINARY commands per batch through pcscd with vicc (slow: keep it small).
    #[arg(long, default_value_t = 100)]
    vicc_n: u32,
    /// Whole certificate reads through pcscd with vicc.
    #[arg(long, default_value_t = 15)]
    vicc_reads: u32,
    /// READ BINARY commands timed in-process.
    #[arg(long, default_value_t = 100_000)]
    in_process_n: u32,
    /// Whole certificate reads timed in-process.
    #[arg(long, default_value_t = 2000)]
    in_process_reads: u32,
    /// Timed batches of READ BINARY through pcscd; the median is reported.
    #[arg(long, default_value_t = 3)]
    repeat: u32,
    /// Internal: be the PC/SC client and time this many READ BINARY per batch.
    #[arg(long, hide = true)]
    client: Option<u32>,
    /// Internal (client): the certificate the card must hold.
    #[arg(long, hide = true)]
    expect: Option<PathBuf>,
}

/// The READ BINARY of the timed loop: 256 bytes at offset 0, 256 or 512 of the certificate.
fn timed_read(i: u32) -> Vec<u8> {
    let offset = u16::try_from((i % 3) * 256).unwrap_or(0);
    read_binary_apdu(offset, 0)
}

/// A world card and its auth certificate.
fn world_card() -> Result<(WorldCard, Vec<u8>), String> {
    let t = world::taro_world("card-rate")?;
    let shared = SharedWorld::new(t.world);
    let cert = {
        let w = shared.lock();
        let c = w.current_card(t.taro).map_err(|e| e.to_string())?;
        w.jlis()
            .certificate_der(c.auth_cert)
            .map_err(|e| e.to_string())?
            .to_vec()
    };
    let log = SharedLog::default();
    Ok((WorldCard::new(shared, t.card, Arc::clone(&log)), cert))
}

/// A percentile of sorted `values` (p in 0..=100).
fn percentile(sorted: &[f64], p: usize) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[(n - 1) * p / 100],
    }
}

/// Figures of one card.
struct Figures {
    /// READ BINARY per second: slowest, median, fastest batch.
    rates: [f64; 3],
    /// Whole certificate read, ms: p50, p90.
    cert_ms: [f64; 2],
}

fn in_process(n: u32, reads: u32) -> Result<Figures, String> {
    let (card, cert) = world_card()?;
    let mut reader = Loopback::new(card);
    let e = |e: onshi_harness::pcsc::frame::ProtocolError| e.to_string();
    reader.power_on().map_err(e)?;
    let read_cert = |reader: &mut Loopback<WorldCard>| -> Result<Vec<u8>, String> {
        reader
            .transmit(&select_aid_apdu(Application::Jpki.aid()))
            .map_err(e)?;
        reader.transmit(&select_ef_apdu([0x00, 0x0A])).map_err(e)?;
        let head = reader.transmit(&read_binary_apdu(0, 4)).map_err(e)?;
        let total = match head.as_slice() {
            [0x30, 0x82, hi, lo, 0x90, 0x00] => 4 + usize::from(u16::from_be_bytes([*hi, *lo])),
            _ => return Err(format!("header {head:02X?}")),
        };
        let mut out = head[..4].to_vec();
        while out.len() < total {
            let want = (total - out.len()).min(255) as u8;
            let offset = u16::try_from(out.len()).map_err(|e| e.to_string())?;
            let r = reader
                .transmit(&read_binary_apdu(offset, want))
                .map_err(e)?;
            out.extend_from_slice(&r[..r.len().saturating_sub(2)]);
        }
        Ok(out)
    };
    if read_cert(&mut reader)? != cert {
        return Err("the certificate read differs from the world's".into());
    }
    let mut cert_ms = Vec::new();
    for _ in 0..reads.max(1) {
        let start = Instant::now();
        black_box(read_cert(&mut reader)?);
        cert_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let start = Instant::now();
    for i in 0..n {
        let r = reader.transmit(&timed_read(i)).map_err(e)?;
        if r.len() != 258 {
            return Err(format!("short answer {}", r.len()));
        }
        black_box(r);
    }
    let rate = f64::from(n) / start.elapsed().as_secs_f64();
    cert_ms.sort_by(f64::total_cmp);
    Ok(Figures {
        rates: [rate; 3],
        cert_ms: [percentile(&cert_ms, 50), percentile(&cert_ms, 90)],
    })
}

/// The child: time `reads` whole certificate reads, then `repeat` batches of `n` READ BINARY.
fn client(n: u32, reads: u32, repeat: u32, expect: &Path) -> Result<(), String> {
    let expected = std::fs::read(expect).map_err(|e| format!("{}: {e}", expect.display()))?;
    let ctx = context()?;
    let card = connect_when_present(&ctx, FIRST_VPCD_READER, Duration::from_secs(20))?;
    let read_cert = || -> Result<Vec<u8>, String> {
        expect_sw(&card, &select_aid_apdu(Application::Jpki.aid()), 0x9000)?;
        expect_sw(&card, &select_ef_apdu([0x00, 0x0A]), 0x9000)?;
        read_certificate(&card, 0xFF)
    };
    if read_cert()? != expected {
        return Err("the card's certificate differs from the world's".into());
    }
    let mut cert_ms = Vec::new();
    for _ in 0..reads.max(1) {
        let start = Instant::now();
        black_box(read_cert()?);
        cert_ms.push(format!("{:.3}", start.elapsed().as_secs_f64() * 1e3));
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
    println!(
        "RESULT apdus={n} secs={} cert_ms={}",
        secs.join(","),
        cert_ms.join(",")
    );
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

/// The numbers after `key=` in the client's RESULT line.
fn numbers(stdout: &str, key: &str) -> Vec<f64> {
    let mut v: Vec<f64> = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        })
        .map(|list| list.split(',').filter_map(|s| s.parse().ok()).collect())
        .unwrap_or_default();
    v.sort_by(f64::total_cmp);
    v
}

/// Starts a private pcscd with `which` card in slot 0 and runs the client.
fn through_pcscd(which: Which, n: u32, reads: u32, repeat: u32) -> Result<Figures, String> {
    let (card, cert) = world_card()?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cert_file = work.path().join("auth.der");
    std::fs::write(&cert_file, &cert).map_err(|e| e.to_string())?;
    let pcscd = PrivatePcscd::start().map_err(|e| e.to_string())?;
    let mut slot = None;
    let mut vicc = None;
    match which {
        Which::Vicc => {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/vicc_jpki_card.py");
            let child = Command::new("/usr/bin/python3")
                .arg(script)
                .arg(pcscd.vpcd_port().to_string())
                .arg(&cert_file)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .map_err(|e| format!("start vicc ({script}): {e}"))?;
            vicc = Some(Reap(child));
        }
        _ => {
            let s = CardSlot::spawn(card, pcscd.slot_addr(0), RetryPolicy::default())
                .map_err(|e| e.to_string())?;
            slot = Some(s);
        }
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("--client")
        .arg(n.to_string())
        .arg("--reads")
        .arg(reads.to_string())
        .arg("--repeat")
        .arg(repeat.to_string())
        .arg("--expect")
        .arg(&cert_file);
    pcscd.configure_client(&mut cmd);
    // vicc needs ~50 ms per APDU; ours far less.
    let apdus = n * repeat.max(1) + reads * 8 + 40;
    let timeout = Duration::from_secs(60) + Duration::from_millis(100) * apdus;
    let run = run_child(cmd, work.path(), timeout)?;
    drop(vicc);
    if let Some(slot) = slot {
        let end = slot.stop().map_err(|e| e.to_string())?;
        eprintln!("  card side: {:?}", end.stats);
    }
    let rates: Vec<f64> = numbers(&run.stdout, "secs")
        .iter()
        .rev()
        .map(|s| f64::from(n) / s)
        .collect();
    let cert_ms = numbers(&run.stdout, "cert_ms");
    match (rates.first(), rates.get(rates.len() / 2), rates.last()) {
        (Some(&min), Some(&median), Some(&max)) if !cert_ms.is_empty() => Ok(Figures {
            rates: [min, median, max],
            cert_ms: [percentile(&cert_ms, 50), percentile(&cert_ms, 90)],
        }),
        _ => Err(format!(
            "client failed ({}):\n{}\n{}\npcscd log:\n{}",
            run.status,
            run.stdout,
            run.stderr,
            pcscd.log_tail()
        )),
    }
}

/// A duration in ms, shown in µs below a millisecond.
fn ms(v: f64) -> String {
    if v < 1.0 {
        format!("{:.1} µs", v * 1e3)
    } else {
        format!("{v:.1} ms")
    }
}

fn report(label: &str, f: &Figures, batches: bool) {
    let [min, median, max] = f.rates;
    println!("{label}");
    println!(
        "    READ BINARY  {median:>9.0} APDU/s ({:.1} µs per APDU)",
        1e6 / median
    );
    if batches {
        println!("                 batches: slowest {min:.0}, fastest {max:.0} APDU/s");
    }
    println!(
        "    certificate  p50 {}, p90 {}",
        ms(f.cert_ms[0]),
        ms(f.cert_ms[1])
    );
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(n) = args.client {
        let Some(expect) = &args.expect else {
            eprintln!("--client needs --expect");
            return ExitCode::FAILURE;
        };
        return match client(n, args.reads, args.repeat, expect) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("PC/SC client: {e}");
                ExitCode::FAILURE
            }
        };
    }
    println!(
        "World card (APDU engine + shared world): READ BINARY of 256 bytes (Le=00) of the auth \
         certificate; whole certificate = SELECT AP + SELECT EF 000A + 4-byte header + chunks of 255"
    );
    match in_process(args.in_process_n, args.in_process_reads) {
        Ok(f) => report(
            &format!(
                "in-process (n={}, reads={})",
                args.in_process_n, args.in_process_reads
            ),
            &f,
            false,
        ),
        Err(e) => {
            eprintln!("in-process: {e}");
            return ExitCode::FAILURE;
        }
    }
    let mut ours = None;
    if matches!(args.card, Which::Ours | Which::Both) {
        match through_pcscd(Which::Ours, args.n, args.reads, args.repeat) {
            Ok(f) => {
                report(
                    &format!("ours via pcscd+vpcd (n={}, reads={})", args.n, args.reads),
                    &f,
                    true,
                );
                ours = Some(f);
            }
            Err(e) => {
                eprintln!("ours via pcscd+vpcd: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if matches!(args.card, Which::Vicc | Which::Both) {
        match through_pcscd(Which::Vicc, args.vicc_n, args.vicc_reads, args.repeat) {
            Ok(f) => {
                report(
                    &format!(
                        "vicc via pcscd+vpcd (n={}, reads={})",
                        args.vicc_n, args.vicc_reads
                    ),
                    &f,
                    true,
                );
                if let Some(o) = ours {
                    println!(
                        "ratio ours/vicc: READ BINARY {:.0}× (medians), certificate read {:.0}× (p50)",
                        o.rates[1] / f.rates[1],
                        f.cert_ms[0] / o.cert_ms[0]
                    );
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
