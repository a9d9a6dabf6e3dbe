//! The world's card (the real APDU engine, `onshi_sim::card::apdu`) in a real PC/SC reader:
//! a private pcscd with vpcd, [`WorldCard`] on its slot 0, and two kinds of client.
//!
//! - A PC/SC client (the `pcsc` crate over libpcsclite) doing what a terminal does: select the
//!   JPKI AP, read the auth certificate with a short header read, ask the PIN status, VERIFY,
//!   sign, and in a second connection block the PIN with three wrong tries. The parent then
//!   checks the certificate chains to the simulated J-LIS CA, the signature verifies, the PIN
//!   block reached the world (the next scenario step's visit sees it), and the card's APDU log
//!   shows no selection of the 券面事項入力補助AP.
//! - OpenSC's own tools (`opensc-tool`, `pkcs15-tool`, `pkcs15-crypt`, `pkcs11-tool`): its JPKI
//!   driver must recognise the card, list and read the certificates and sign after the PIN
//!   (`docs/pcsc.md`, "What OpenSC reports").
//!
//! The `pcsc` client runs as a child process of this test (the same binary, filtered to one
//! test, with `PCSCLITE_CSOCK_NAME` set), because libpcsclite reads that variable once per
//! process; the OpenSC tools are children anyway. Needs pcscd, vsmartcard-vpcd and opensc
//! (`scripts/pcsc-setup.sh`) and root or unprivileged user namespaces: without them the tests
//! fail and say so.

#![allow(clippy::unwrap_used)]

#[path = "support/opensc.rs"]
mod opensc;
#[path = "support/pcsc_client.rs"]
mod pcsc_client;
#[path = "support/world.rs"]
mod world;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_harness::pcsc::pcscd::PrivatePcscd;
use onshi_harness::pcsc::tcp::EndReason;
use onshi_harness::pcsc::{CardSlot, RetryPolicy};
use onshi_harness::roles::terminal::SharedWorld;
use onshi_harness::roles::terminal::card::{SharedLog, WorldCard};
use onshi_sim::card::PinResult;
use onshi_sim::card::apdu::{ApduCommand, Application, DigestAlgorithm, PinRef, REAL_ATR};
use onshi_sim::jlis::{CertKind, sha256_digest_info, verify_chain, verify_signature};
use onshi_sim::reader::{Attempt, AttemptResult};
use onshi_sim::world::{Event, Outcome};

use opensc::*;
use pcsc_client::*;
use world::*;

/// Set in the child: run the client half instead of the fixture half.
const CLIENT_ROLE: &str = "ONSHI_CARD_E2E_CLIENT";
/// Set in the child: where it writes what it read.
const OUT_DIR: &str = "ONSHI_CARD_E2E_OUT";
/// What the client signs.
const MESSAGE: &[u8] = b"onshi card e2e: sign me";
/// The test the child re-runs.
const CLIENT_TEST: &str = "the_world_card_reads_verifies_signs_and_blocks_through_pcscd";

const SELECT_AUTH_PIN: [u8; 2] = [0x00, 0x18];
const SELECT_AUTH_KEY: [u8; 2] = [0x00, 0x17];
const VERIFY_STATUS: [u8; 4] = [0x00, 0x20, 0x00, 0x80];

fn verify_apdu(pin: &str) -> Vec<u8> {
    let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
    apdu.extend_from_slice(pin.as_bytes());
    apdu
}

fn sign_apdu(digest_info: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    apdu.extend_from_slice(digest_info);
    apdu.push(0x00);
    apdu
}

/// The first vpcd reader among those pcscd lists.
fn first_vpcd_reader(ctx: &pcsc::Context) -> Res<String> {
    let readers = ctx
        .list_readers_owned()
        .map_err(|e| format!("SCardListReaders: {e}"))?;
    let names: Vec<String> = readers
        .iter()
        .map(|r| r.to_string_lossy().into_owned())
        .collect();
    println!("readers: {names:?}");
    names
        .iter()
        .find(|n| n.starts_with("Virtual PCD"))
        .cloned()
        .ok_or_else(|| format!("no vpcd reader among {names:?}"))
}

fn client_half(out: &Path) -> Res<()> {
    let ctx = context()?;
    let reader = first_vpcd_reader(&ctx)?;
    let card = connect_when_present(&ctx, &reader, Duration::from_secs(15))?;
    expect_sw(&card, &select_aid_apdu(Application::Jpki.aid()), 0x9000)?;
    expect_sw(&card, &select_ef_apdu([0x00, 0x0A]), 0x9000)?;
    let cert = read_certificate(&card, 0xFF)?;
    fs::write(out.join("auth.der"), &cert).map_err(|e| e.to_string())?;

    expect_sw(&card, &select_ef_apdu(SELECT_AUTH_PIN), 0x9000)?;
    expect_sw(&card, &VERIFY_STATUS, 0x63C3)?;
    expect_sw(&card, &verify_apdu(AUTH_PIN), 0x9000)?;
    // The real card answers the status query with the tries left even when verified.
    expect_sw(&card, &VERIFY_STATUS, 0x63C3)?;
    expect_sw(&card, &select_ef_apdu(SELECT_AUTH_KEY), 0x9000)?;
    let signature = expect_sw(&card, &sign_apdu(&sha256_digest_info(MESSAGE)), 0x9000)?;
    fs::write(out.join("signature.bin"), &signature).map_err(|e| e.to_string())?;

    // A second connection: the reset clears the verified state, the counter stays.
    card.disconnect(pcsc::Disposition::ResetCard)
        .map_err(|(_, e)| format!("SCardDisconnect: {e}"))?;
    let card = connect_when_present(&ctx, &reader, Duration::from_secs(5))?;
    expect_sw(&card, &select_aid_apdu(Application::Jpki.aid()), 0x9000)?;
    expect_sw(&card, &select_ef_apdu(SELECT_AUTH_KEY), 0x9000)?;
    expect_sw(&card, &sign_apdu(&sha256_digest_info(MESSAGE)), 0x6982)?;
    expect_sw(&card, &select_ef_apdu(SELECT_AUTH_PIN), 0x9000)?;
    for want in [0x63C2, 0x63C1, 0x6983] {
        expect_sw(&card, &verify_apdu("0000"), want)?;
    }
    expect_sw(&card, &VERIFY_STATUS, 0x6983)?;
    expect_sw(&card, &verify_apdu(AUTH_PIN), 0x6983)?;
    println!("client: all checks passed");
    Ok(())
}

/// Runs the `pcsc` client half in a child with the daemon's socket.
fn run_client(pcscd: &PrivatePcscd, out: &Path) -> ChildRun {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", CLIENT_TEST, "--nocapture", "--test-threads=1"])
        .env(CLIENT_ROLE, "1")
        .env(OUT_DIR, out);
    pcscd.configure_client(&mut cmd);
    run_child(cmd, out, Duration::from_secs(40))
        .unwrap_or_else(|e| panic!("{e}\npcscd log:\n{}", pcscd.log_tail()))
}

fn start_pcscd() -> PrivatePcscd {
    PrivatePcscd::start().unwrap_or_else(|e| panic!("cannot start a private pcscd: {e}"))
}

#[test]
fn the_world_card_reads_verifies_signs_and_blocks_through_pcscd() {
    if std::env::var_os(CLIENT_ROLE).is_some() {
        let out = PathBuf::from(std::env::var_os(OUT_DIR).unwrap());
        if let Err(e) = client_half(&out) {
            panic!("PC/SC client: {e}");
        }
        return;
    }

    let pcscd = start_pcscd();
    let t = taro_world("card-e2e").unwrap();
    let (taro, card_id, clinic) = (t.taro, t.card, t.clinic);
    let shared = SharedWorld::new(t.world);
    let log = SharedLog::default();
    let card = WorldCard::new(shared.clone(), card_id, Arc::clone(&log));
    let slot = CardSlot::spawn(card, pcscd.slot_addr(0), RetryPolicy::default()).unwrap();

    let work = tempfile::tempdir().unwrap();
    let run = run_client(&pcscd, work.path());
    assert!(
        run.status.success() && run.stdout.contains("1 passed"),
        "client child failed ({}):\n--- stdout\n{}\n--- stderr\n{}\n--- pcscd log\n{}",
        run.status,
        run.stdout,
        run.stderr,
        pcscd.log_tail()
    );
    assert!(run.stdout.contains("all checks passed"), "{}", run.stdout);

    // The card leaves the reader.
    let end = slot.stop().unwrap();
    assert_eq!(end.reason, EndReason::Stopped);

    let cert = fs::read(work.path().join("auth.der")).unwrap();
    let signature = fs::read(work.path().join("signature.bin")).unwrap();
    {
        let w = shared.lock();
        let auth_cert = w.current_card(taro).unwrap().auth_cert;
        assert_eq!(cert, &*w.jlis().certificate_der(auth_cert).unwrap());
        let ca = w.jlis().ca_certificate_der(CertKind::Auth).unwrap();
        verify_chain(&cert, &ca).expect("the auth certificate chains to the J-LIS auth CA");
        assert!(w.current_card(taro).unwrap().pins.auth_counter.is_blocked());
    }
    verify_signature(&cert, &sha256_digest_info(MESSAGE), &signature)
        .expect("the card's signature verifies with the certificate's key");

    // The next scenario step: a PIN visit at the clinic's reader sees the block.
    let outcome = shared
        .lock()
        .apply(Event::Visit(Box::new(card_visit(
            taro,
            clinic,
            vec![Attempt::Pin {
                pin: AUTH_PIN.into(),
            }],
        ))))
        .unwrap();
    let Outcome::Visit(visit) = outcome else {
        panic!("not a visit outcome: {outcome:?}");
    };
    let verification = visit.verification.unwrap();
    assert_eq!(
        verification.attempts,
        [AttemptResult::Pin(PinResult::Blocked)]
    );
    assert!(visit.answer.is_none(), "no confirmation with a blocked PIN");

    let log = log.lock().unwrap().clone();
    assert!(
        !log.entries().iter().any(|e| matches!(
            &e.command,
            ApduCommand::SelectApplication { aid, .. } if aid == Application::InputSupport.aid()
        )),
        "the client never selected the 券面事項入力補助AP: {:?}",
        log.entries()
    );
    assert!(!log.read_from(Application::InputSupport));
    assert!(log.selected(Application::Jpki));
    assert_eq!(
        log.pin_tries(PinRef::Auth),
        5,
        "1234, three wrong, 1234 blocked"
    );
    assert_eq!(
        log.signatures().collect::<Vec<_>>(),
        [(CertKind::Auth, Some(DigestAlgorithm::Sha256))]
    );
}

/// The DER inside the first PEM block of `text`.
fn pem_der(text: &str) -> Vec<u8> {
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    B64.decode(body).unwrap()
}

#[test]
fn opensc_recognises_the_world_card_with_its_jpki_driver() {
    if std::env::var_os(CLIENT_ROLE).is_some() {
        return; // not a client test
    }
    require_tools(&["opensc-tool", "pkcs15-tool", "pkcs15-crypt", "pkcs11-tool"]);
    let pcscd = start_pcscd();
    let t = taro_world("card-e2e-opensc").unwrap();
    let shared = SharedWorld::new(t.world);
    let log = SharedLog::default();
    let card = WorldCard::new(shared.clone(), t.card, Arc::clone(&log));
    let slot = CardSlot::spawn(card, pcscd.slot_addr(0), RetryPolicy::default()).unwrap();
    let (auth_der, auth_ca_der) = {
        let w = shared.lock();
        let c = w.current_card(t.taro).unwrap().auth_cert;
        (
            w.jlis().certificate_der(c).unwrap().to_vec(),
            w.jlis()
                .ca_certificate_der(CertKind::Auth)
                .unwrap()
                .to_vec(),
        )
    };
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();

    let drivers = ok(
        &opensc(&pcscd, dir, "opensc-tool", &["--list-drivers"]),
        "opensc-tool --list-drivers",
    );
    assert!(
        drivers.lines().any(|l| l.trim_start().starts_with("jpki")),
        "OpenSC has a JPKI driver: {drivers}"
    );

    // The card is present once pcscd has polled the reader.
    let readers = wait_for_cards(&pcscd, dir, 1);
    assert!(
        readers.contains("Virtual PCD 00 01"),
        "the second vpcd reader is listed: {readers}"
    );

    let atr = ok(
        &opensc(&pcscd, dir, "opensc-tool", &["--reader", "0", "--atr"]),
        "opensc-tool --atr",
    );
    let want: Vec<String> = REAL_ATR.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(atr.trim(), want.join(":"));

    let name = ok(
        &opensc(&pcscd, dir, "opensc-tool", &["--reader", "0", "--name"]),
        "opensc-tool --name",
    );
    assert_eq!(name.trim(), "jpki", "the JPKI driver claims the card");

    let certs = ok(
        &opensc(
            &pcscd,
            dir,
            "pkcs15-tool",
            &["--reader", "0", "--list-certificates"],
        ),
        "pkcs15-tool --list-certificates",
    );
    for label in [
        "X.509 Certificate [User Authentication Certificate]",
        "X.509 Certificate [User Authentication Certificate CA]",
        "X.509 Certificate [Digital Signature Certificate]",
        "X.509 Certificate [Digital Signature Certificate CA]",
    ] {
        assert!(certs.contains(label), "{label} in {certs}");
    }

    let pem = ok(
        &opensc(
            &pcscd,
            dir,
            "pkcs15-tool",
            &["--reader", "0", "--read-certificate", "01"],
        ),
        "pkcs15-tool --read-certificate 01",
    );
    assert_eq!(
        pem_der(&pem),
        auth_der,
        "the auth certificate, byte for byte"
    );
    let pem = ok(
        &opensc(
            &pcscd,
            dir,
            "pkcs15-tool",
            &["--reader", "0", "--read-certificate", "03"],
        ),
        "pkcs15-tool --read-certificate 03",
    );
    assert_eq!(pem_der(&pem), auth_ca_der, "the auth CA certificate");

    let pins = ok(
        &opensc(
            &pcscd,
            dir,
            "pkcs15-tool",
            &["--reader", "0", "--list-pins"],
        ),
        "pkcs15-tool --list-pins",
    );
    assert!(pins.contains("PIN [User Authentication PIN]"), "{pins}");

    // Sign a SHA-256 hash with the auth key after the PIN (PKCS#15 layer).
    let hash = onshi_sim::jlis::sha256_digest_info(MESSAGE);
    let hash = &hash[hash.len() - 32..];
    fs::write(dir.join("hash.bin"), hash).unwrap();
    ok(
        &opensc(
            &pcscd,
            dir,
            "pkcs15-crypt",
            &[
                "--reader",
                "0",
                "--sign",
                "--key",
                "01",
                "--pin",
                AUTH_PIN,
                "--sha-256",
                "--pkcs1",
                "-i",
                "hash.bin",
                "-o",
                "sig15.bin",
            ],
        ),
        "pkcs15-crypt --sign",
    );
    let sig = fs::read(dir.join("sig15.bin")).unwrap();
    verify_signature(&auth_der, &sha256_digest_info(MESSAGE), &sig)
        .expect("pkcs15-crypt's signature verifies");

    // The same through PKCS#11: C_Login, then C_Sign with SHA256-RSA-PKCS.
    fs::write(dir.join("message.bin"), MESSAGE).unwrap();
    ok(
        &opensc(
            &pcscd,
            dir,
            "pkcs11-tool",
            &[
                "--slot-index",
                "0",
                "--login",
                "--pin",
                AUTH_PIN,
                "--sign",
                "--mechanism",
                "SHA256-RSA-PKCS",
                "--id",
                "01",
                "-i",
                "message.bin",
                "-o",
                "sig11.bin",
            ],
        ),
        "pkcs11-tool --sign",
    );
    let sig = fs::read(dir.join("sig11.bin")).unwrap();
    verify_signature(&auth_der, &sha256_digest_info(MESSAGE), &sig)
        .expect("pkcs11-tool's signature verifies");

    // pkcs11-tool's whole self-test (`--test --login`) is tests/pkcs11_e2e.rs.
    slot.stop().unwrap();
    let w = shared.lock();
    let c = w.current_card(t.taro).unwrap();
    assert_eq!(c.pins.auth_counter.remaining, 3, "no PIN try was lost");
    let log = log.lock().unwrap().clone();
    assert!(log.selected(Application::Jpki));
    assert!(
        !log.selected(Application::InputSupport) && !log.selected(Application::Surface),
        "OpenSC touched only the JPKI AP"
    );
    let mut probed: Vec<String> = log
        .entries()
        .iter()
        .filter_map(|e| match &e.command {
            ApduCommand::SelectApplication {
                aid,
                application: None,
            } => Some(aid.iter().map(|b| format!("{b:02X}")).collect()),
            _ => None,
        })
        .collect();
    probed.sort();
    probed.dedup();
    println!(
        "card APDU log: {} APDUs; unknown AIDs probed: {probed:?}",
        log.entries().len()
    );
}
