//! OpenSC's own PKCS#11 self-test against the world card: `pkcs11-tool --module
//! <opensc-pkcs11.so> --test --login --pin 1234` through a private pcscd with vpcd, Taro's
//! card (the real APDU engine over a shared world, [`WorldCard`]) in the first reader.
//!
//! The self-test draws random bytes (`C_GenerateRandom` → GET CHALLENGE), digests, signs with
//! the auth key under every RSA mechanism the JPKI driver offers (RSA-PKCS, SHA1-, MD5-,
//! RIPEMD160- and SHA256-RSA-PKCS: the card pads whatever DigestInfo it is given) and checks
//! the signatures with the certificate's key. pkcs11-tool exits 0 even when it counted errors
//! ("1 errors"), so the test also wants its "No errors" line.
//!
//! A second card in the second reader is the card as onshi had it before (switches
//! `card_signature_input: sha1_sha256_digest_info`, `card_answers_get_challenge: false`): the
//! same self-test fails there, so this test tells the two apart.
//!
//! Needs pcscd, vsmartcard-vpcd, opensc and opensc-pkcs11 (`scripts/pcsc-setup.sh`) and root
//! or unprivileged user namespaces; without them it fails and says so.

#![allow(clippy::unwrap_used)]

#[path = "support/opensc.rs"]
mod opensc;
#[path = "support/pcsc_client.rs"]
mod pcsc_client;
#[path = "support/world.rs"]
mod world;

use std::sync::Arc;
use std::time::Duration;

use onshi_harness::pcsc::pcscd::PrivatePcscd;
use onshi_harness::pcsc::{CardSlot, RetryPolicy};
use onshi_harness::roles::terminal::SharedWorld;
use onshi_harness::roles::terminal::card::{SharedLog, WorldCard};
use onshi_sim::card::apdu::{ApduCommand, Sw};
use onshi_sim::jlis::CertKind;
use onshi_sim::rules::SignatureInput;

use opensc::*;
use world::*;

/// How long the whole self-test may take (it takes about a second).
const SELF_TEST_DEADLINE: Duration = Duration::from_secs(90);

/// A card of a fresh Taro world in vpcd slot `slot`, with the world's switches changed by
/// `switch`.
fn insert(
    pcscd: &PrivatePcscd,
    slot: u16,
    switch: impl FnOnce(&mut onshi_sim::rules::Switches),
) -> (SharedWorld, SharedLog, CardSlot) {
    let mut t = taro_world("pkcs11-e2e").unwrap();
    switch(t.world.rules_mut().switches_mut());
    let shared = SharedWorld::new(t.world);
    let log = SharedLog::default();
    let card = WorldCard::new(shared.clone(), t.card, Arc::clone(&log));
    let slot = CardSlot::spawn(card, pcscd.slot_addr(slot), RetryPolicy::default()).unwrap();
    (shared, log, slot)
}

/// The slot id (`0x4`) of the auth-PIN token in `reader`, from `pkcs11-tool --list-slots`:
/// blocks of `Slot N (0xID): READER` followed by indented lines such as `token label : …`.
fn auth_token_slot(listing: &str, reader: &str) -> String {
    let mut current: Option<String> = None;
    for line in listing.lines() {
        if let Some(rest) = line.strip_prefix("Slot ") {
            current = rest
                .split_once("): ")
                .filter(|(_, name)| name.trim() == reader)
                .and_then(|(head, _)| head.split_once(" (").map(|(_, id)| id.to_string()));
        } else if line.contains("token label")
            && line.contains("User Authentication PIN")
            && let Some(id) = current.take()
        {
            return id;
        }
    }
    panic!("no auth-PIN token in {reader:?}:\n{listing}")
}

#[test]
fn opensc_pkcs11_self_test_passes_against_the_world_card() {
    require_tools(&["opensc-tool", "pkcs11-tool"]);
    let module = opensc_pkcs11_module();
    let module = module.to_str().unwrap();
    let pcscd = PrivatePcscd::start().unwrap_or_else(|e| panic!("cannot start pcscd: {e}"));
    let (world, log, slot) = insert(&pcscd, 0, |_| {});
    let (_, strict_log, strict_slot) = insert(&pcscd, 1, |s| {
        s.card_signature_input = SignatureInput::Sha1Sha256DigestInfo;
        s.card_answers_get_challenge = false;
    });
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    wait_for_cards(&pcscd, dir, 2);

    // The first slot with a token is the first reader's auth-PIN token.
    let run = opensc_within(
        &pcscd,
        dir,
        "pkcs11-tool",
        &["--module", module, "--test", "--login", "--pin", AUTH_PIN],
        SELF_TEST_DEADLINE,
    );
    let said = format!("{}\n{}", run.stdout, run.stderr);
    assert!(
        run.status.success() && said.contains("No errors") && !said.contains("ERR"),
        "pkcs11-tool --test --login failed ({}):\n{said}\n--- pcscd log\n{}",
        run.status,
        pcscd.log_tail()
    );
    for step in [
        "Using slot 0",
        "C_GenerateRandom",
        "seems to be OK",
        "all 4 signature functions seem to work",
        "RSA-PKCS: OK",
        "MD5-RSA-PKCS: OK",
        "SHA256-RSA-PKCS: OK",
        "Verify (currently only for RSA)",
    ] {
        assert!(said.contains(step), "{step:?} in:\n{said}");
    }

    // The card the self-test ran against: random bytes drawn, DigestInfos other than SHA-1
    // and SHA-256 signed, no PIN try lost.
    slot.stop().unwrap();
    let log = log.lock().unwrap().clone();
    assert!(
        log.entries()
            .iter()
            .any(|e| matches!(e.command, ApduCommand::GetChallenge { returned } if returned > 0)),
        "GET CHALLENGE answered"
    );
    let signed: Vec<_> = log.signatures().collect();
    assert!(signed.iter().all(|(k, _)| *k == CertKind::Auth));
    assert!(
        signed.iter().any(|(_, d)| d.is_none()),
        "an MD5 or RIPEMD-160 DigestInfo was signed: {signed:?}"
    );
    assert!(
        world
            .lock()
            .cards()
            .iter()
            .all(|c| c.pins.auth_counter.remaining == 3),
        "no PIN try was lost"
    );

    // The same self-test against the strict card (the second reader's auth-PIN token) fails.
    let slots = ok(
        &opensc(
            &pcscd,
            dir,
            "pkcs11-tool",
            &["--module", module, "--list-slots"],
        ),
        "pkcs11-tool --list-slots",
    );
    let strict_slot_id = auth_token_slot(&slots, "Virtual PCD 00 01");
    let strict = opensc_within(
        &pcscd,
        dir,
        "pkcs11-tool",
        &[
            "--module",
            module,
            "--slot",
            &strict_slot_id,
            "--test",
            "--login",
            "--pin",
            AUTH_PIN,
        ],
        SELF_TEST_DEADLINE,
    );
    let said = format!("{}\n{}", strict.stdout, strict.stderr);
    assert!(
        said.contains("C_GenerateRandom failed") && said.contains("CKR_DATA_INVALID"),
        "the strict card fails the self-test at C_GenerateRandom and MD5-RSA-PKCS:\n{said}"
    );
    strict_slot.stop().unwrap();
    let strict_log = strict_log.lock().unwrap().clone();
    assert!(
        strict_log.entries().iter().any(|e| matches!(
            e.command,
            ApduCommand::ComputeSignature { digest: None, .. }
        ) && e.sw == Sw::WRONG_DATA),
        "the strict card refused a DigestInfo with 6A 80"
    );
}
