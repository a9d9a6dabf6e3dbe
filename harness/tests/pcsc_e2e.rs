//! End to end through the real PC/SC stack: a private pcscd with the vpcd driver, our card
//! side on its private port, and a PC/SC client (the `pcsc` crate over libpcsclite) that
//! lists the readers, connects, selects JPKI and reads the certificate in chunks.
//!
//! The client runs as a child process of this test (the same binary, filtered to one test,
//! with `PCSCLITE_CSOCK_NAME` set), because libpcsclite reads that variable once per process
//! and the test must not touch the machine's own pcscd.
//!
//! Needs pcscd and vsmartcard-vpcd (`scripts/pcsc-setup.sh`) and root or unprivileged user
//! namespaces; without them the test fails and says so.

#[path = "support/pcsc_client.rs"]
mod pcsc_client;

use std::process::Command;
use std::time::{Duration, Instant};

use onshi_harness::pcsc::pcscd::PrivatePcscd;
use onshi_harness::pcsc::tcp::EndReason;
use onshi_harness::pcsc::test_card::{TestCard, certificate_blob};
use onshi_harness::pcsc::{CardSlot, RetryPolicy};

use pcsc_client::*;

/// Set in the child: run the client half instead of the fixture half.
const CLIENT_ROLE: &str = "ONSHI_PCSC_E2E_CLIENT";

fn client_half() -> Res<()> {
    let ctx = context()?;
    let readers = ctx
        .list_readers_owned()
        .map_err(|e| format!("SCardListReaders: {e}"))?;
    let names: Vec<String> = readers
        .iter()
        .map(|r| r.to_string_lossy().into_owned())
        .collect();
    println!("readers: {names:?}");
    if !names.iter().any(|n| n.starts_with(FIRST_VPCD_READER)) {
        return Err(format!("no {FIRST_VPCD_READER:?} among {names:?}"));
    }
    let card = connect_when_present(&ctx, FIRST_VPCD_READER, Duration::from_secs(15))?;
    let (_, sw) = transmit(&card, &select_aid_apdu(&[0xA0, 0, 0, 0, 0x63, 0x50]))?;
    if sw != 0x6A82 {
        return Err(format!("an unknown AID answered {sw:04X}, expected 6A82"));
    }
    select_certificate(&card)?;
    let cert = read_certificate(&card, 0xFF)?;
    if cert != certificate_blob() {
        return Err(format!(
            "read {} bytes that differ from the card's blob",
            cert.len()
        ));
    }
    let (_, sw) = transmit(&card, &[0x00, 0x2A, 0x9E, 0x9A])?;
    if sw != 0x6D00 {
        return Err(format!("an unknown INS answered {sw:04X}, expected 6D00"));
    }
    // The same certificate again in 100-byte chunks, after selecting afresh.
    select_certificate(&card)?;
    if read_certificate(&card, 100)? != certificate_blob() {
        return Err("second read differs".into());
    }
    println!("client: read {} bytes, all checks passed", cert.len());
    Ok(())
}

#[test]
fn reads_the_certificate_through_pcscd_and_vpcd() {
    if std::env::var_os(CLIENT_ROLE).is_some() {
        if let Err(e) = client_half() {
            panic!("PC/SC client: {e}");
        }
        return;
    }

    let pcscd =
        PrivatePcscd::start().unwrap_or_else(|e| panic!("cannot start a private pcscd: {e}"));
    let slot = CardSlot::spawn(TestCard::new(), pcscd.slot_addr(0), RetryPolicy::default())
        .expect("card thread");

    let work = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(std::env::current_exe().expect("test binary path"));
    cmd.args([
        "--exact",
        "reads_the_certificate_through_pcscd_and_vpcd",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CLIENT_ROLE, "1");
    pcscd.configure_client(&mut cmd);
    let run = run_child(cmd, work.path(), Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}\npcscd log:\n{}", pcscd.log_tail()));
    let ran_once = run.stdout.contains("1 passed");
    assert!(
        run.status.success() && ran_once,
        "client child failed ({}):\n--- stdout\n{}\n--- stderr\n{}\n--- pcscd log\n{}",
        run.status,
        run.stdout,
        run.stderr,
        pcscd.log_tail()
    );
    assert!(run.stdout.contains("all checks passed"), "{}", run.stdout);

    assert!(!slot.is_finished(), "the card stayed in the reader");
    let end = slot.stop().expect("card side ended without error");
    assert_eq!(end.reason, EndReason::Stopped);
    // 1 unknown SELECT, 2×(2 SELECTs + header + chunks), 1 unknown INS: at least 20 APDUs.
    assert!(end.stats.apdus >= 20, "{:?}", end.stats);
    assert!(end.stats.controls >= 2, "power on and ATR: {:?}", end.stats);
}

#[test]
fn the_card_side_returns_cleanly_when_pcscd_goes_away() {
    if std::env::var_os(CLIENT_ROLE).is_some() {
        return; // not a client test
    }
    let pcscd =
        PrivatePcscd::start().unwrap_or_else(|e| panic!("cannot start a private pcscd: {e}"));
    let slot = CardSlot::spawn(TestCard::new(), pcscd.slot_addr(1), RetryPolicy::default())
        .expect("card thread");
    // Give vpcd time to accept the card and poll it.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !slot.is_finished(),
        "the card side is connected and waiting"
    );
    drop(pcscd);
    let start = Instant::now();
    while !slot.is_finished() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the card side did not notice pcscd going away"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let end = slot.wait().expect("vpcd hanging up is not an error");
    assert_eq!(end.reason, EndReason::PeerClosed);
}
