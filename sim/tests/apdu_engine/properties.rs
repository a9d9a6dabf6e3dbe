//! Properties: no APDU makes the card panic or fault, PIN counters follow the model through
//! VERIFY, and certificates reassemble from reads of any size.

use proptest::prelude::*;

use super::*;
use onshi_sim::card::{PinCounter, PinResult};
use onshi_sim::jlis::CertKind;

/// An APDU that is sometimes meaningful: real classes, instructions, AIDs, EFs and PINs
/// mixed with random bytes, so that random sequences reach deep states.
fn apdu() -> impl Strategy<Value = Vec<u8>> {
    let aid = prop_oneof![
        Just(Application::Jpki.aid().to_vec()),
        Just(Application::Surface.aid().to_vec()),
        Just(Application::InputSupport.aid().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..16),
    ];
    let ef = prop_oneof![
        prop::sample::select(vec![
            0x0001u16, 0x0002, 0x000A, 0x000B, 0x0011, 0x0012, 0x0013, 0x0017, 0x0018, 0x001A,
            0x001B
        ]),
        any::<u16>(),
    ];
    let pin = prop_oneof![
        Just(b"1234".to_vec()),
        Just(b"ONSHI2024".to_vec()),
        Just(b"0000".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..20),
    ];
    let le = prop_oneof![Just(None), any::<u8>().prop_map(Some)];
    let with_le = |mut v: Vec<u8>, le: Option<u8>| {
        v.extend(le);
        v
    };
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(a, b, c, d)| vec![a, b, c, d]),
        aid.prop_map(|a| select_df(&a)),
        ef.prop_map(select_ef),
        (any::<u16>(), any::<u8>()).prop_map(|(o, le)| read(o, le)),
        (any::<u8>(), any::<u8>(), le.clone())
            .prop_map(move |(p1, p2, le)| with_le(vec![0x00, 0xB0, p1, p2], le)),
        pin.prop_map(|p| verify(&p)),
        (0x80u8..0x9F, proptest::collection::vec(any::<u8>(), 0..8)).prop_map(|(p2, p)| {
            let mut v = verify(&p);
            v[3] = p2;
            v
        }),
        proptest::collection::vec(any::<u8>(), 0..60).prop_map(|d| sign(&d)),
        proptest::collection::vec(any::<u8>(), 240..=255).prop_map(|d| sign(&d)),
        Just(sign(&onshi_sim::jlis::sha256_digest_info(b"property"))),
        any::<u8>().prop_map(|le| vec![0x00, 0x84, 0x00, 0x00, le]),
        (any::<u8>(), any::<u8>(), le.clone())
            .prop_map(move |(p1, p2, le)| with_le(vec![0x00, 0x84, p1, p2], le)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_apdus_never_panic_and_always_end_in_a_status_word(
        apdus in proptest::collection::vec(apdu(), 1..40),
        child in any::<bool>(),
    ) {
        let mut b = bench();
        if child {
            b.card = b.child;
        }
        for apdu in &apdus {
            let r = b.session.transmit(&mut b.world, b.card, apdu);
            let sw = Sw::of_response(&r);
            prop_assert!(sw.is_some(), "no status word for {:02X?}", apdu);
            let sw = sw.unwrap_or(Sw::OK);
            prop_assert_ne!(sw, Sw::SIMULATOR_FAULT, "fault for {:02X?}", apdu);
            if !sw.is_ok() {
                prop_assert_eq!(r.len(), 2, "data only with 90 00");
            }
            for pin in PinRef::ALL {
                let c = pin.counter(&b.card().pins);
                prop_assert!(c.remaining <= c.max);
                if b.session.is_verified(pin) {
                    prop_assert_eq!(Some(pin.application()), b.session.application());
                }
            }
        }
        prop_assert_eq!(b.session.log().entries().len(), apdus.len());
    }

    #[test]
    fn auth_pin_counter_through_verify_follows_the_pin_counter_model(
        attempts in proptest::collection::vec(any::<bool>(), 0..12),
    ) {
        let mut b = bench();
        b.select(Application::Jpki);
        b.select_ef(0x0018);
        let mut model = PinCounter::new(3);
        for correct in attempts {
            let sw = b.verify(if correct { AUTH_PIN } else { b"4321" });
            let expected = match model.attempt(correct) {
                PinResult::Accepted => Sw::OK,
                PinResult::Wrong { remaining } => Sw::tries_left(remaining),
                PinResult::NowBlocked | PinResult::Blocked => Sw::PIN_BLOCKED,
            };
            prop_assert_eq!(sw, expected);
            prop_assert_eq!(b.card().pins.auth_counter, model);
            prop_assert_eq!(b.session.is_verified(PinRef::Auth), sw.is_ok());
            let status = b.verify(b"");
            let expected_status = if model.is_blocked() {
                Sw::PIN_BLOCKED
            } else {
                Sw::tries_left(model.remaining)
            };
            prop_assert_eq!(status, expected_status);
        }
    }

    #[test]
    fn read_binary_in_any_chunking_reassembles_the_certificate(
        sizes in proptest::collection::vec(1usize..=256, 1..24),
        which in 0usize..3,
    ) {
        let mut b = bench();
        let (ef, expected) = match which {
            0 => (0x000A, b.auth_cert_der()),
            1 => (0x000B, b.world.jlis().ca_certificate_der(CertKind::Auth).unwrap().to_vec()),
            _ => (0x0002, b.world.jlis().ca_certificate_der(CertKind::Sign).unwrap().to_vec()),
        };
        b.select(Application::Jpki);
        b.select_ef(ef);
        let mut out = Vec::new();
        for size in sizes.iter().cycle() {
            // Le 00 asks for 256.
            let (chunk, sw) = b.send(&read(out.len() as u16, (*size % 256) as u8));
            if out.len() == expected.len() {
                prop_assert_eq!(sw, Sw::WRONG_OFFSET);
                break;
            }
            prop_assert_eq!(sw, Sw::OK);
            prop_assert_eq!(chunk.len(), (*size).min(expected.len() - out.len()));
            out.extend_from_slice(&chunk);
        }
        prop_assert_eq!(out, expected);
    }
}

#[test]
fn a_short_header_read_then_the_rest_returns_the_certificate() {
    let mut b = bench();
    let expected = b.auth_cert_der();
    b.select(Application::Jpki);
    b.select_ef(0x000A);
    for head in 4u8..=7 {
        let (first, sw) = b.send(&read(0, head));
        assert_eq!(sw, Sw::OK);
        assert_eq!(first.len(), usize::from(head));
        let total = der_total_len(&first);
        assert_eq!(
            total,
            expected.len(),
            "the DER length is in the first 4 bytes"
        );
        let mut out = first;
        while out.len() < total {
            let (chunk, sw) = b.send(&read(out.len() as u16, 0));
            assert_eq!(sw, Sw::OK);
            out.extend_from_slice(&chunk);
        }
        assert_eq!(out, expected);
    }
}
