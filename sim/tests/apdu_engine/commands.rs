//! One test per command and status word.

use super::*;
use onshi_sim::card::{CardStatus, PinResult};
use onshi_sim::jlis::{CertKind, sha256_digest_info, verify_signature};

// ---- SELECT ----------------------------------------------------------------------------

#[test]
fn every_application_selects_and_an_unknown_aid_answers_not_found() {
    let mut b = bench();
    for app in Application::ALL {
        assert_eq!(b.select(app), Sw::OK);
        assert_eq!(b.session.application(), Some(app));
    }
    // A probe for a PIV applet leaves the selection as it was.
    let piv = [0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00];
    assert_eq!(b.sw(&select_df(&piv)), Sw::NOT_FOUND);
    assert_eq!(b.session.application(), Some(Application::InputSupport));
}

#[test]
fn select_with_fci_requested_answers_ok_without_data() {
    let mut b = bench();
    let mut apdu = select_df(Application::Jpki.aid());
    apdu[3] = 0x00;
    assert_eq!(b.send(&apdu), (Vec::new(), Sw::OK));
    apdu[3] = 0x04;
    assert_eq!(b.sw(&apdu), Sw::WRONG_P1P2, "FCP is not offered");
    let mut ef = select_ef(0x000A);
    ef[3] = 0x00;
    assert_eq!(b.send(&ef), (Vec::new(), Sw::OK));
}

#[test]
fn select_ef_needs_an_application_and_a_file_of_it() {
    let mut b = bench();
    assert_eq!(b.select_ef(0x000A), Sw::NOT_FOUND, "nothing selected yet");
    b.select(Application::Jpki);
    assert_eq!(b.select_ef(0x000A), Sw::OK);
    assert_eq!(b.select_ef(0x0011), Sw::NOT_FOUND, "an EF of another AP");
    assert_eq!(
        b.session.current_ef(),
        Some(0x000A),
        "a failed SELECT changes nothing"
    );
    assert_eq!(
        b.sw(&[0x00, 0xA4, 0x02, 0x0C, 0x01, 0x0A]),
        Sw::WRONG_LENGTH
    );
    assert_eq!(
        b.sw(&[0x00, 0xA4, 0x08, 0x0C, 0x02, 0x00, 0x0A]),
        Sw::WRONG_P1P2
    );
    assert_eq!(b.sw(&[0x00, 0xA4, 0x04, 0x0C]), Sw::WRONG_LENGTH, "no AID");
}

#[test]
fn select_mf_leaves_the_application() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    assert_eq!(b.verify(AUTH_PIN), Sw::OK);
    assert_eq!(b.sw(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]), Sw::OK);
    assert_eq!(b.session.application(), None);
    assert!(!b.session.is_verified(PinRef::Auth));
    assert_eq!(b.sw(&[0x00, 0xA4, 0x00, 0x0C]), Sw::OK);
    assert_eq!(
        b.sw(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x01]),
        Sw::NOT_FOUND
    );
}

// ---- READ BINARY -----------------------------------------------------------------------

#[test]
fn free_certificates_read_without_any_pin_and_equal_jlis_der() {
    let mut b = bench();
    b.select(Application::Jpki);
    for (ef, expected) in [
        (0x000A, b.auth_cert_der()),
        (
            0x000B,
            b.world
                .jlis()
                .ca_certificate_der(CertKind::Auth)
                .unwrap()
                .to_vec(),
        ),
        (
            0x0002,
            b.world
                .jlis()
                .ca_certificate_der(CertKind::Sign)
                .unwrap()
                .to_vec(),
        ),
    ] {
        assert_eq!(b.select_ef(ef), Sw::OK);
        let der = b.read_der();
        assert_eq!(der, expected, "EF {ef:04X}");
        assert_eq!(der_total_len(&der), der.len(), "exactly one DER object");
    }
}

#[test]
fn signature_certificate_needs_the_signature_pin() {
    let mut b = bench();
    b.select(Application::Jpki);
    assert_eq!(b.select_ef(0x0001), Sw::OK);
    assert_eq!(b.sw(&read(0, 4)), Sw::SECURITY_NOT_SATISFIED);
    b.select_ef(0x0018);
    assert_eq!(b.verify(AUTH_PIN), Sw::OK);
    b.select_ef(0x0001);
    assert_eq!(
        b.sw(&read(0, 4)),
        Sw::SECURITY_NOT_SATISFIED,
        "auth PIN is not enough"
    );
    b.select_ef(0x001B);
    assert_eq!(b.verify(SIGN_PIN), Sw::OK);
    b.select_ef(0x0001);
    let der = b.read_der();
    let cert = b.card().sign_cert.unwrap();
    assert_eq!(der, b.world.jlis().certificate_der(cert).unwrap().to_vec());
}

#[test]
fn a_read_past_the_end_returns_what_is_there_and_an_offset_at_the_end_answers_6b00() {
    let mut b = bench();
    let der = b.auth_cert_der();
    b.select(Application::Jpki);
    b.select_ef(0x000A);
    let tail_at = (der.len() - 10) as u16;
    assert_eq!(
        b.send(&read(tail_at, 0)),
        (der[der.len() - 10..].to_vec(), Sw::OK)
    );
    assert_eq!(b.sw(&read(der.len() as u16, 1)), Sw::WRONG_OFFSET);
    assert_eq!(b.sw(&read(0x7FFF, 0)), Sw::WRONG_OFFSET);
}

#[test]
fn keys_and_pins_are_never_readable() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    b.verify(AUTH_PIN);
    for ef in [0x0017, 0x0018] {
        b.select_ef(ef);
        assert_eq!(b.sw(&read(0, 0)), Sw::SECURITY_NOT_SATISFIED, "EF {ef:04X}");
    }
}

#[test]
fn read_needs_a_current_ef_and_an_le() {
    let mut b = bench();
    b.select(Application::Jpki);
    assert_eq!(b.sw(&read(0, 4)), Sw::NOT_FOUND);
    b.select_ef(0x000A);
    assert_eq!(b.sw(&[0x00, 0xB0, 0x00, 0x00]), Sw::WRONG_LENGTH, "case 1");
    assert_eq!(
        b.sw(&[0x00, 0xB0, 0x00, 0x00, 0x01, 0xAA, 0x04]),
        Sw::WRONG_LENGTH
    );
    assert_eq!(
        b.sw(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00]),
        Sw::WRONG_LENGTH,
        "extended"
    );
}

#[test]
fn read_by_short_ef_id_selects_the_file() {
    let mut b = bench();
    let der = b.auth_cert_der();
    b.select(Application::Jpki);
    let (data, sw) = b.send(&[0x00, 0xB0, 0x80 | 0x0A, 0x00, 0x08]);
    assert_eq!((data.as_slice(), sw), (&der[..8], Sw::OK));
    assert_eq!(b.session.current_ef(), Some(0x000A));
    assert_eq!(b.sw(&[0x00, 0xB0, 0x80 | 0x1F, 0x00, 0x08]), Sw::NOT_FOUND);
    assert_eq!(
        b.sw(&[0x00, 0xB0, 0x80, 0x00, 0x08]),
        Sw::WRONG_P1P2,
        "SFI 0"
    );
    assert_eq!(b.sw(&[0x00, 0xB0, 0xC1, 0x00, 0x08]), Sw::WRONG_P1P2);
}

// ---- VERIFY ----------------------------------------------------------------------------

#[test]
fn verify_without_data_reports_the_tries_left_of_every_pin_ef() {
    let mut b = bench();
    for (app, ef, tries) in [
        (Application::Jpki, 0x0018, 3),
        (Application::Jpki, 0x001B, 5),
        (
            Application::Surface,
            0x0013,
            onshi_sim::card::SURFACE_PIN_TRIES,
        ),
        (
            Application::Surface,
            0x0012,
            onshi_sim::card::SURFACE_PIN_TRIES,
        ),
        (Application::InputSupport, 0x0011, 3),
    ] {
        b.select(app);
        b.select_ef(ef);
        assert_eq!(b.verify(b""), Sw::tries_left(tries), "EF {ef:04X}");
        // Case 2 (a stray Le) is the same question.
        assert_eq!(b.sw(&[0x00, 0x20, 0x00, 0x80, 0x00]), Sw::tries_left(tries));
    }
    assert_eq!(
        b.session.log().pin_tries(PinRef::Auth),
        0,
        "queries are not tries"
    );
}

#[test]
fn wrong_auth_pins_count_down_in_the_card_and_the_blocking_try_answers_6983() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    assert_eq!(b.verify(b"0000"), Sw::tries_left(2));
    assert_eq!(b.card().pins.auth_counter.remaining, 2);
    assert_eq!(b.verify(b"0000"), Sw::tries_left(1));
    assert_eq!(b.verify(b"0000"), Sw::PIN_BLOCKED);
    assert!(b.card().pins.auth_counter.is_blocked());
    assert_eq!(
        b.verify(AUTH_PIN),
        Sw::PIN_BLOCKED,
        "a correct PIN does not unblock"
    );
    assert_eq!(b.verify(b""), Sw::PIN_BLOCKED);
    assert!(!b.session.is_verified(PinRef::Auth));
    assert_eq!(b.session.log().pin_tries(PinRef::Auth), 4);
    let results: Vec<_> = b
        .session
        .log()
        .entries()
        .iter()
        .filter_map(|e| match e.command {
            ApduCommand::Verify { result, .. } => result,
            _ => None,
        })
        .collect();
    assert_eq!(
        results,
        [
            PinResult::Wrong { remaining: 2 },
            PinResult::Wrong { remaining: 1 },
            PinResult::NowBlocked,
            PinResult::Blocked
        ]
    );
}

#[test]
fn a_correct_pin_resets_the_counter_and_a_query_then_answers_the_tries_like_the_real_card() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    assert_eq!(b.verify(b"9999"), Sw::tries_left(2));
    assert_eq!(b.verify(AUTH_PIN), Sw::OK);
    assert_eq!(b.card().pins.auth_counter.remaining, 3);
    assert!(b.session.is_verified(PinRef::Auth));
    // OpenSC's JPKI driver reads any SW1 other than 63 as a failed PIN status (PKCS#11
    // C_GetSessionInfo after C_Login); the real card answers 63 C3 here.
    assert_eq!(b.verify(b""), Sw::tries_left(3), "status query after login");
    assert!(
        b.session.is_verified(PinRef::Auth),
        "a status query keeps the verified state"
    );
    b.select_ef(0x0017);
    let (_, sw) = b.send(&sign(&onshi_sim::jlis::sha256_digest_info(b"x")));
    assert_eq!(sw, Sw::OK, "still signs after the query");
    b.select_ef(0x0018);
    assert_eq!(b.verify(b"9999"), Sw::tries_left(2));
    assert!(
        !b.session.is_verified(PinRef::Auth),
        "a wrong PIN drops the verified state"
    );
}

#[test]
fn verify_by_short_ef_reference_leaves_the_current_ef() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x000A);
    let mut apdu = verify(AUTH_PIN);
    apdu[3] = 0x80 | 0x18;
    assert_eq!(b.sw(&apdu), Sw::OK);
    assert_eq!(b.session.current_ef(), Some(0x000A));
    apdu[3] = 0x80 | 0x0A;
    assert_eq!(b.sw(&apdu), Sw::NOT_FOUND, "not a PIN EF");
    apdu[3] = 0x00;
    assert_eq!(b.sw(&apdu), Sw::WRONG_P1P2);
    apdu[2] = 0x01;
    apdu[3] = 0x80;
    assert_eq!(b.sw(&apdu), Sw::WRONG_P1P2);
    b.select_ef(0x000A);
    assert_eq!(
        b.verify(AUTH_PIN),
        Sw::NOT_FOUND,
        "the current EF is not a PIN"
    );
}

#[test]
fn verified_state_resets_on_df_change_reselect_and_reset() {
    let mut b = bench();
    let login = |b: &mut Bench| {
        b.select(Application::Jpki);
        b.select_ef(0x0018);
        assert_eq!(b.verify(AUTH_PIN), Sw::OK);
        assert!(b.session.is_verified(PinRef::Auth));
    };
    login(&mut b);
    b.select(Application::Surface);
    assert!(!b.session.is_verified(PinRef::Auth));
    login(&mut b);
    b.select(Application::Jpki);
    assert!(
        !b.session.is_verified(PinRef::Auth),
        "re-SELECT of the same DF clears too"
    );
    assert_eq!(b.session.current_ef(), None);
    login(&mut b);
    b.session.reset();
    assert!(!b.session.is_verified(PinRef::Auth));
    assert_eq!(b.session.application(), None);
}

// ---- COMPUTE DIGITAL SIGNATURE ----------------------------------------------------------

#[test]
fn sign_before_verify_answers_6982() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0017);
    assert_eq!(
        b.sw(&sign(&sha256_digest_info(b"x"))),
        Sw::SECURITY_NOT_SATISFIED
    );
    assert_eq!(b.session.log().signatures().count(), 0);
}

#[test]
fn an_auth_signature_verifies_against_the_auth_certificate_and_repeats_exactly() {
    let mut b = bench();
    let cert = b.auth_cert_der();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    b.verify(AUTH_PIN);
    b.select_ef(0x0017);
    let di = sha256_digest_info(b"challenge from the registry");
    let (sig, sw) = b.send(&sign(&di));
    assert_eq!((sig.len(), sw), (256, Sw::OK));
    verify_signature(&cert, &di, &sig).unwrap();
    // Several signatures follow one VERIFY; a resent command gets the same answer.
    assert_eq!(b.send(&sign(&di)), (sig.clone(), Sw::OK));
    // SHA-1 DigestInfo, and case 3 (no Le).
    let mut sha1 = vec![
        0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04, 0x14,
    ];
    sha1.extend_from_slice(&[0x5A; 20]);
    let mut case3 = sign(&sha1);
    case3.pop();
    let (sig1, sw) = b.send(&case3);
    assert_eq!(sw, Sw::OK);
    verify_signature(&cert, &sha1, &sig1).unwrap();
    let signed: Vec<_> = b.session.log().signatures().collect();
    assert_eq!(
        signed,
        [
            (CertKind::Auth, Some(DigestAlgorithm::Sha256)),
            (CertKind::Auth, Some(DigestAlgorithm::Sha256)),
            (CertKind::Auth, Some(DigestAlgorithm::Sha1))
        ]
    );
}

#[test]
fn sign_without_data_answers_6700_and_a_non_key_ef_answers_6a82() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    b.verify(AUTH_PIN);
    b.select_ef(0x0017);
    assert_eq!(b.sw(&[0x80, 0x2A, 0x00, 0x80]), Sw::WRONG_LENGTH, "no data");
    assert_eq!(b.sw(&[0x80, 0x2A, 0x9E, 0x9A, 0x01, 0x00]), Sw::WRONG_P1P2);
    b.select_ef(0x000A);
    assert_eq!(b.sw(&sign(&sha256_digest_info(b"x"))), Sw::NOT_FOUND);
}

#[test]
fn the_signature_key_needs_the_signature_pin_and_matches_the_signature_certificate() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    b.verify(AUTH_PIN);
    b.select_ef(0x001A);
    let di = sha256_digest_info(b"a contract");
    assert_eq!(
        b.sw(&sign(&di)),
        Sw::SECURITY_NOT_SATISFIED,
        "auth PIN does not open it"
    );
    b.select_ef(0x001B);
    assert_eq!(b.verify(SIGN_PIN), Sw::OK);
    b.select_ef(0x001A);
    let (sig, sw) = b.send(&sign(&di));
    assert_eq!(sw, Sw::OK);
    let cert = b.card().sign_cert.unwrap();
    let der = b.world.jlis().certificate_der(cert).unwrap();
    verify_signature(&der, &di, &sig).unwrap();
    assert!(verify_signature(&b.auth_cert_der(), &di, &sig).is_err());
}

// ---- Malformed APDUs, cards and sessions -------------------------------------------------

#[test]
fn malformed_apdus_get_a_status_word() {
    let mut b = bench();
    assert_eq!(b.sw(&[]), Sw::WRONG_LENGTH);
    assert_eq!(b.sw(&[0x00]), Sw::WRONG_LENGTH);
    assert_eq!(b.sw(&[0x00, 0xA4, 0x04]), Sw::WRONG_LENGTH);
    assert_eq!(
        b.sw(&[0x00, 0xA4, 0x04, 0x0C, 0x05, 0xD3]),
        Sw::WRONG_LENGTH,
        "Lc mismatch"
    );
    assert_eq!(
        b.sw(&[0x00, 0xCA, 0x01, 0x00, 0x00]),
        Sw::INS_NOT_SUPPORTED,
        "GET DATA"
    );
    assert_eq!(b.sw(&[0x80, 0xA4, 0x04, 0x0C]), Sw::INS_NOT_SUPPORTED);
    assert_eq!(b.sw(&[0x00, 0x2A, 0x00, 0x80]), Sw::INS_NOT_SUPPORTED);
    assert_eq!(
        b.sw(&[0xFF, 0xCA, 0x00, 0x00, 0x00]),
        Sw::CLA_NOT_SUPPORTED,
        "PC/SC UID"
    );
    assert_eq!(b.sw(&[0x0C, 0xB0, 0x00, 0x00, 0x00]), Sw::CLA_NOT_SUPPORTED);
    assert!(b.session.log().entries().iter().all(|e| matches!(
        e.command,
        ApduCommand::Other { .. } | ApduCommand::SelectApplication { .. }
    )));
}

#[test]
fn an_unknown_card_answers_6f00() {
    let mut b = bench();
    let r = b.session.transmit(
        &mut b.world,
        CardId(99),
        &select_df(Application::Jpki.aid()),
    );
    assert_eq!(r, [0x6F, 0x00]);
}

#[test]
fn another_card_in_the_reader_starts_a_fresh_session() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    b.verify(AUTH_PIN);
    b.card = b.child;
    assert_eq!(b.session.application(), Some(Application::Jpki));
    assert_eq!(
        b.sw(&select_ef(0x0017)),
        Sw::NOT_FOUND,
        "the new card starts at the MF"
    );
    assert!(!b.session.is_verified(PinRef::Auth));
}

#[test]
fn a_card_under_15_has_no_signature_files() {
    let mut b = bench();
    b.card = b.child;
    b.select(Application::Jpki);
    for ef in [0x0001, 0x001A, 0x001B] {
        assert_eq!(b.select_ef(ef), Sw::NOT_FOUND, "EF {ef:04X}");
    }
    let mut by_ref = verify(b"");
    by_ref[3] = 0x80 | 0x1B;
    assert_eq!(b.sw(&by_ref), Sw::NOT_FOUND);
    assert_eq!(b.sw(&[0x00, 0xB0, 0x81, 0x00, 0x04]), Sw::NOT_FOUND);
    assert_eq!(b.select_ef(0x000A), Sw::OK, "the auth certificate is there");
    assert_eq!(b.select_ef(0x0002), Sw::OK, "so is the signature CA");
}

#[test]
fn a_lost_card_still_answers_because_revocation_is_server_side() {
    let mut b = bench();
    b.world.card_mut(b.card).unwrap().status = CardStatus::Lost {
        on: date(2026, 3, 1),
    };
    b.select(Application::Jpki);
    b.select_ef(0x0018);
    assert_eq!(b.verify(AUTH_PIN), Sw::OK);
    b.select_ef(0x0017);
    assert_eq!(b.sw(&sign(&sha256_digest_info(b"x"))), Sw::OK);
}

#[test]
fn a_session_without_log_records_nothing() {
    let mut b = bench();
    b.session = CardSession::without_log();
    b.select(Application::Jpki);
    assert!(b.session.log().entries().is_empty());
}
