//! Behaviour of the eligibility wire formats as a client would notice it: round trips in both
//! encodings and any element order, exact leading zeros, encoding declarations that must match
//! the bytes, ● substitution, error paths, and decoders that never panic.

mod examples;
mod strategies;

use proptest::prelude::*;

use super::*;
use strategies::confirm_request;
use strategies::*; // the strategy, not `oqs::confirm_request`

fn round_trip<M: Message + PartialEq + std::fmt::Debug>(
    message: &M,
    options: EncodeOptions,
) -> Result<(), TestCaseError> {
    let encoded = encode(message, options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&encoded.substitutions, &Vec::new());
    // Shift_JIS bytes whose UTF-8 reading is all Japanese script are read as mislabelled UTF-8 by
    // design (a documented ambiguity); random characters can produce them, real text does not.
    if options.encoding == CharacterCode::ShiftJis {
        prop_assume!(super::encoding::utf8_japanese_under_shift_jis(&encoded.bytes).is_none());
    }
    let back: M = decode(&encoded.bytes).map_err(|e| {
        TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&encoded.bytes)))
    })?;
    prop_assert_eq!(&back, message);
    prop_assert_eq!(sniff_encoding(&encoded.bytes), Ok(options.encoding));
    Ok(())
}

macro_rules! round_trips {
    ($($name:ident: $strategy:expr;)+) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            $(
                #[test]
                fn $name(
                    (utf8, sjis, o8, osj) in (
                        $strategy(false, CharacterCode::Utf8),
                        $strategy(true, CharacterCode::ShiftJis),
                        options(CharacterCode::Utf8),
                        options(CharacterCode::ShiftJis),
                    )
                ) {
                    round_trip(&utf8, o8)?;
                    round_trip(&sjis, osj)?;
                }
            )+
        }
    };
}

fn req<S: Strategy>(f: impl Fn(bool) -> S) -> impl Fn(bool, CharacterCode) -> S {
    move |sjis, _| f(sjis)
}

round_trips! {
    confirm_request_round_trips_in_both_encodings_and_any_order: req(confirm_request);
    confirm_response_round_trips_in_both_encodings_and_any_order: confirm_response;
    registration_request_round_trips: req(registration_request);
    registration_response_round_trips: strategies::registration_response;
    bulk_upload_request_round_trips: req(bulk_upload_request);
    bulk_upload_response_round_trips: bulk_upload_response;
    bulk_download_request_round_trips: req(bulk_download_request);
    bulk_download_response_round_trips: strategies::bulk_download_response;
}

fn decode_all(bytes: &[u8]) {
    let _ = decode_confirm_request(bytes);
    let _ = decode_confirm_response(bytes);
    let _ = decode_registration_request(bytes);
    let _ = decode_registration_response(bytes);
    let _ = decode_bulk_upload_request(bytes);
    let _ = decode_bulk_upload_response(bytes);
    let _ = decode_bulk_download_request(bytes);
    let _ = decode_bulk_download_response(bytes);
    let _ = salvage_echo(bytes);
    let _ = sniff_encoding(bytes);
    let _ = FileName::parse(&String::from_utf8_lossy(bytes));
}

/// How to damage a valid document.
#[derive(Clone, Debug)]
enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Truncate(i) => bytes.truncate(i % len),
            Mutation::Flip(i, x) => {
                if let Some(b) = bytes.get_mut(i % len) {
                    *b ^= x | 1;
                }
            }
            Mutation::Delete(i, n) => {
                let start = (i % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                bytes.drain(start..end);
            }
            Mutation::Insert(i, ins) => {
                let at = (i % len).min(bytes.len());
                bytes.splice(at..at, ins.iter().copied());
            }
            Mutation::Duplicate(i, n) => {
                let start = (i % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
        }
    }
    bytes
}

const NASTY: &[&[u8]] = &[
    b"<",
    b"</",
    b"<X>",
    b"&",
    b"&#0;",
    b"&#x110000;",
    b"<![CDATA[",
    b"]]>",
    b"\xFF",
    b"\x82",
    b"<?xml version=\"1.0\"?>",
    b"<ResultList>",
    b"</XmlMsg>",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                proptest::sample::select(NASTY).prop_map(<[u8]>::to_vec),
            ]
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 0usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        decode_all(&bytes);
        let mut with_decl = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg>".to_vec();
        with_decl.extend_from_slice(&bytes);
        decode_all(&with_decl);
    }

    #[test]
    fn decoders_never_panic_on_mutated_valid_xml(
        message in confirm_response(true, CharacterCode::ShiftJis),
        sjis in any::<bool>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let encoding = if sjis { CharacterCode::ShiftJis } else { CharacterCode::Utf8 };
        let encoded = encode(&message, EncodeOptions::with_encoding(encoding))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        decode_all(&mutate(encoded.bytes, &mutations));
    }

    #[test]
    fn requests_never_panic_the_validator(request in confirm_request(false)) {
        let _ = validate_confirm_request(&request);
    }
}
