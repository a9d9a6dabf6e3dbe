//! Fuzzing the request handling: random and mangled bytes as request files (every exchange)
//! and as search bodies always get an answer that parses, and never a panic. One run also
//! goes through the real loopback server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wire_common;

use std::time::Duration;

use onshi_harness::wire::http::{SEARCH_PATH, search_json};
use onshi_harness::wire::service::{NamePlan, plan_name};
use onshi_harness::wire::{HttpConfig, HttpServer};
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::Value;
use wire_common::*;

const NAMES: &[&str] = &[
    "OQSsiquc01req_1.xml",
    "OQSsiimm01req_1.xml",
    "OQSmuquc01req_1.xml",
    "OQSmuquc02req_1.xml",
    "YZKsiquc01req_1.xml",
    "TKKsiquc01req_1.xml",
    "OQSmuhvq01req_1.xml",
    "OQSsiquc01req_x-y.txt",
    "whatever.bin",
];

/// A valid request of every kind the fuzzer starts from.
fn seeds() -> Vec<Vec<u8>> {
    vec![
        taro_request("F", "F").into_bytes(),
        format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>1</ReceptionNumber></MessageBody></XmlMsg>").into_bytes(),
        format!(r#"<?xml version="1.0" encoding="Shift_JIS"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode><InsurerNumber>01130012</InsurerNumber><InsuredPersonIdentificationNumber>5678</InsuredPersonIdentificationNumber></MessageHeader><MessageBody><FileCategory>2</FileCategory><MedicalTreatmentFlag>1</MedicalTreatmentFlag></MessageBody></XmlMsg>"#).into_bytes(),
    ]
}

#[derive(Clone, Debug)]
enum Mangle {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        any::<usize>().prop_map(Mangle::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mangle::Flip(i, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mangle::Insert(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mangle::Delete(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, ops: &[Mangle]) -> Vec<u8> {
    for op in ops {
        let len = bytes.len().max(1);
        match op {
            Mangle::Truncate(i) => bytes.truncate(i % len),
            Mangle::Flip(i, b) => {
                if !bytes.is_empty() {
                    let i = i % bytes.len();
                    bytes[i] ^= b | 1;
                }
            }
            Mangle::Insert(i, b) => {
                let i = i % (bytes.len() + 1);
                bytes.splice(i..i, b.iter().copied());
            }
            Mangle::Delete(i, n) => {
                if !bytes.is_empty() {
                    let i = i % bytes.len();
                    let end = (i + n).min(bytes.len());
                    bytes.drain(i..end);
                }
            }
        }
    }
    bytes
}

/// The answer parses with the decoder of its exchange.
fn answer_parses(answer_name: &str, bytes: &[u8]) -> Result<(), String> {
    let r = if answer_name.starts_with("OQSsiquc01") {
        oqs::decode_confirm_response(bytes).map(|_| ())
    } else if answer_name.starts_with("OQSsiimm01") {
        oqs::decode_registration_response(bytes).map(|_| ())
    } else if answer_name.starts_with("OQSmuquc02") {
        oqs::decode_bulk_download_response(bytes).map(|_| ())
    } else if answer_name.starts_with("OQSmu") {
        oqs::decode_bulk_upload_response(bytes).map(|_| ())
    } else {
        oqs::decode_medical_info_response(bytes).map(|_| ())
    };
    r.map_err(|e| format!("{answer_name}: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn mangled_request_files_always_get_an_answer_that_parses(
        name in prop::sample::select(NAMES),
        seed in 0usize..3,
        ops in prop::collection::vec(mangle(), 0..6),
    ) {
        let service = service();
        let bytes = apply(seeds()[seed].clone(), &ops);
        let reply = service.answer_file(name, &bytes);
        match plan_name(name) {
            NamePlan::Answer { answer_name, .. } => {
                prop_assert_eq!(reply.answer_name.as_deref(), Some(answer_name.as_str()));
                prop_assert!(!reply.bytes.is_empty());
                prop_assert!(answer_parses(&answer_name, &reply.bytes).is_ok(),
                    "{:?}", answer_parses(&answer_name, &reply.bytes));
            }
            _ => prop_assert!(reply.answer_name.is_none()),
        }
    }

    #[test]
    fn random_bytes_as_request_files_never_panic(
        name in prop::sample::select(NAMES),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let service = service();
        let reply = service.answer_file(name, &bytes);
        if let Some(answer) = &reply.answer_name {
            prop_assert!(answer_parses(answer, &reply.bytes).is_ok());
        }
    }

    #[test]
    fn mangled_search_bodies_always_get_the_xmlmsg_json(
        ops in prop::collection::vec(mangle(), 0..6),
    ) {
        let service = service();
        let body = apply(taro_search_json().into_bytes(), &ops);
        let json = search_json(&service, InstitutionCode::parse(CLINIC).unwrap(), &body);
        let v: Value = serde_json::from_str(&json).unwrap();
        let segment = v["XmlMsg"]["MessageHeader"]["SegmentOfResult"].as_str();
        prop_assert!(matches!(segment, Some("1") | Some("9")), "{}", json);
    }
}

#[test]
fn random_bodies_through_the_real_server_always_get_an_answer() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let service = service();
        let server = HttpServer::start(HttpConfig::default(), service.clone())
            .await
            .unwrap();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let login: Value = client
            .post(format!(
                "{}{}",
                server.url(),
                onshi_harness::wire::http::LOGIN_PATH
            ))
            .header("Content-Type", "application/json")
            .body(format!(r#"{{"medicalInstitutionCode":"{CLINIC}"}}"#))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["result"]["idToken"].as_str().unwrap().to_string();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = prop::collection::vec(mangle(), 0..8);
        for _ in 0..64 {
            let ops = strategy.new_tree(&mut runner).unwrap().current();
            let body = apply(taro_search_json().into_bytes(), &ops);
            let r = client
                .post(format!("{}{SEARCH_PATH}", server.url()))
                .header("Content-Type", "application/json")
                .header("Authorization", &token)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            let segment = v["XmlMsg"]["MessageHeader"]["SegmentOfResult"].as_str();
            assert!(matches!(segment, Some("1") | Some("9")), "{v}");
        }
        server.stop().await;
    });
}
