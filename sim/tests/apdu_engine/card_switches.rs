//! The card's switches (`card_atr`, `card_signature_input`, `card_answers_get_challenge`):
//! the real card's behaviour by default, onshi's earlier card when switched.

use super::*;
use onshi_sim::jlis::{CertKind, sha256_digest_info, verify_signature};
use onshi_sim::rules::{CardAtr, SignatureInput};

/// The interface bytes of an ATR (TS, T0, TAi…TDi) are well formed: the historical bytes
/// and TCK account for the rest, T=1 is offered, and the XOR from T0 through TCK is zero.
fn assert_well_formed(atr: &[u8]) {
    assert_eq!(atr[0], 0x3B, "direct convention");
    let historical = usize::from(atr[1] & 0x0F);
    let mut at = 1;
    let mut protocols = Vec::new();
    loop {
        let y = atr[at] >> 4;
        let td = at + (y & 0x7).count_ones() as usize + 1;
        if y & 0x8 == 0 {
            at = td;
            break;
        }
        protocols.push(atr[td] & 0x0F);
        at = td;
    }
    assert!(protocols.contains(&1), "T=1 offered: {protocols:?}");
    assert_eq!(atr.len(), at + historical + 1, "historical bytes and TCK");
    let tck = atr[1..].iter().fold(0u8, |a, b| a ^ b);
    assert_eq!(tck, 0, "XOR from T0 through TCK is zero");
}

#[test]
fn the_card_presents_the_real_atr_unless_the_switch_says_onshi() {
    let mut b = bench();
    assert_eq!(
        b.world.card_atr(),
        [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14],
        "the real card's ATR, as OpenSC's JPKI driver lists it"
    );
    assert_eq!(b.world.card_atr(), REAL_ATR);
    b.world.rules_mut().switches_mut().card_atr = CardAtr::Onshi;
    assert_eq!(b.world.card_atr(), ONSHI_ATR);
    assert_ne!(ONSHI_ATR[..], REAL_ATR[..]);
    assert_eq!(&ONSHI_ATR[6..14], b"ONSHISIM");
    b.world
        .rules_mut()
        .switches_mut()
        .set("card_atr", "real")
        .unwrap();
    assert_eq!(b.world.card_atr(), REAL_ATR);
    for kind in CardAtr::ALL {
        assert_well_formed(atr(kind));
    }
}

/// Selects the JPKI AP, verifies the auth PIN and makes the auth key current.
fn ready_to_sign(b: &mut Bench) {
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    assert_eq!(b.verify(AUTH_PIN), Sw::OK);
    b.select_ef(0x0017);
}

/// An MD5 DigestInfo (OID 1.2.840.113549.2.5), as OpenSC's PKCS#11 module sends for
/// MD5-RSA-PKCS.
fn md5_digest_info() -> Vec<u8> {
    let mut di = vec![
        0x30, 0x20, 0x30, 0x0C, 0x06, 0x08, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x05, 0x05,
        0x00, 0x04, 0x10,
    ];
    di.extend_from_slice(&[0xA5; 16]);
    di
}

#[test]
fn any_input_that_fits_is_padded_and_signed_as_given() {
    let mut b = bench();
    let cert = b.auth_cert_der();
    ready_to_sign(&mut b);
    let longest: Vec<u8> = (0..245u32).map(|i| (i * 7 + 3) as u8).collect();
    for input in [
        md5_digest_info(),
        vec![0x42],
        b"not a DigestInfo".to_vec(),
        longest,
    ] {
        let (sig, sw) = b.send(&sign(&input));
        assert_eq!((sig.len(), sw), (256, Sw::OK), "{} bytes", input.len());
        // PKCS#1 v1.5 type 1 over the input as the raw DigestInfo.
        verify_signature(&cert, &input, &sig)
            .unwrap_or_else(|e| panic!("{} bytes: {e}", input.len()));
    }
    let signed: Vec<_> = b.session.log().signatures().collect();
    assert_eq!(
        signed,
        [(CertKind::Auth, None); 4],
        "logged, with no hash named"
    );
}

#[test]
fn an_input_longer_than_the_modulus_less_11_answers_6700() {
    let mut b = bench();
    ready_to_sign(&mut b);
    for len in [246usize, 255] {
        assert_eq!(
            b.send(&sign(&vec![0x01; len])),
            (Vec::new(), Sw::WRONG_LENGTH),
            "{len} bytes"
        );
    }
    assert_eq!(b.session.log().signatures().count(), 0);
    // The session is unharmed: a DigestInfo still signs.
    assert_eq!(b.sw(&sign(&sha256_digest_info(b"after"))), Sw::OK);
}

#[test]
fn the_strict_switch_signs_sha1_and_sha256_digest_infos_only() {
    let mut b = bench();
    b.world
        .rules_mut()
        .switches_mut()
        .set("card_signature_input", "sha1_sha256_digest_info")
        .unwrap();
    assert_eq!(
        b.world.rules().switches().card_signature_input,
        SignatureInput::Sha1Sha256DigestInfo
    );
    ready_to_sign(&mut b);
    assert_eq!(b.sw(&sign(&md5_digest_info())), Sw::WRONG_DATA);
    assert_eq!(b.sw(&sign(&[0x11; 32])), Sw::WRONG_DATA, "a bare hash");
    assert_eq!(b.sw(&sign(&sha256_digest_info(b"x"))), Sw::OK);
}

fn get_challenge(le: u8) -> Vec<u8> {
    vec![0x00, 0x84, 0x00, 0x00, le]
}

#[test]
fn get_challenge_answers_le_seeded_bytes_that_never_repeat_on_a_card() {
    let mut b = bench();
    let (first, sw) = b.send(&get_challenge(8));
    assert_eq!((first.len(), sw), (8, Sw::OK));
    let (second, _) = b.send(&get_challenge(8));
    assert_ne!(first, second, "the next challenge differs");
    let (long, sw) = b.send(&get_challenge(0x00));
    assert_eq!((long.len(), sw), (256, Sw::OK), "Le 00 = 256 bytes");
    assert_eq!(b.send(&get_challenge(100)).0.len(), 100);
    // A reset (or another session) continues the card's stream.
    b.session.reset();
    let (after_reset, _) = b.send(&get_challenge(8));
    b.session = CardSession::new();
    let (new_session, _) = b.send(&get_challenge(8));
    let all = [&first, &second, &after_reset, &new_session];
    for (i, x) in all.iter().enumerate() {
        for y in &all[i + 1..] {
            assert_ne!(x, y);
        }
    }
    // Another card of the world has its own stream.
    b.card = b.child;
    assert_ne!(b.send(&get_challenge(8)).0, first);
    // The same seed gives the same challenges; another seed others.
    let mut again = bench();
    assert_eq!(again.send(&get_challenge(8)).0, first);
    assert_eq!(again.send(&get_challenge(8)).0, second);
    let mut other = bench_with_seed(12);
    assert_ne!(other.send(&get_challenge(8)).0, first);
    let logged: Vec<_> = b
        .session
        .log()
        .entries()
        .iter()
        .map(|e| e.command.clone())
        .collect();
    assert_eq!(
        logged.last(),
        Some(&ApduCommand::GetChallenge { returned: 8 })
    );
}

#[test]
fn get_challenge_refuses_bad_parameters_and_can_be_switched_off() {
    let mut b = bench();
    assert_eq!(b.sw(&[0x00, 0x84, 0x00, 0x00]), Sw::WRONG_LENGTH, "no Le");
    assert_eq!(
        b.sw(&[0x00, 0x84, 0x00, 0x00, 0x01, 0xAA, 0x08]),
        Sw::WRONG_LENGTH,
        "with data"
    );
    assert_eq!(b.sw(&[0x00, 0x84, 0x01, 0x00, 0x08]), Sw::WRONG_P1P2);
    assert_eq!(b.sw(&[0x80, 0x84, 0x00, 0x00, 0x08]), Sw::INS_NOT_SUPPORTED);
    b.world
        .rules_mut()
        .switches_mut()
        .card_answers_get_challenge = false;
    assert_eq!(
        b.send(&get_challenge(8)),
        (Vec::new(), Sw::INS_NOT_SUPPORTED)
    );
    assert_eq!(b.card().challenges_drawn, 0, "nothing was drawn");
}
