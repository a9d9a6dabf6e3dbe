//! The JSON web API end to end on a real loopback server with an HTTP client: login then
//! search, the JSON shape of §4 (strings, leading zeros, ResultList array), token and
//! institution refusals, non-ASCII 記号 and the MC client's short Content-Length.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wire_common;

use std::time::Duration;

use onshi_harness::wire::http::{LOGIN_PATH, SEARCH_PATH};
use onshi_harness::wire::{ExchangeKind, HttpConfig, HttpServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wire_common::*;

const JSON: &str = "application/json;charset=UTF-8";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn start() -> (HttpServer, std::sync::Arc<onshi_harness::wire::Service>) {
    let service = service();
    let server = HttpServer::start(HttpConfig::default(), service.clone())
        .await
        .expect("binds");
    (server, service)
}

async fn login(server: &HttpServer, code: &str) -> reqwest::Response {
    client()
        .post(format!("{}{LOGIN_PATH}", server.url()))
        .header("Content-Type", JSON)
        .body(format!(
            r#"{{"medicalInstitutionCode":"{code}","password":"x"}}"#
        ))
        .send()
        .await
        .unwrap()
}

async fn id_token(server: &HttpServer) -> String {
    let r = login(server, CLINIC).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["result"]["idToken"].as_str().unwrap().to_string()
}

async fn search(server: &HttpServer, token: &str, body: String) -> (u16, Value) {
    let r = client()
        .post(format!("{}{SEARCH_PATH}", server.url()))
        .header("Content-Type", JSON)
        .header("Authorization", token)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// Every leaf of a JSON value is a string.
fn all_strings(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Object(m) => m.values().all(all_strings),
        Value::Array(a) => a.iter().all(all_strings),
        _ => false,
    }
}

#[tokio::test]
async fn login_then_search_answers_the_json_tree_of_the_result() {
    let (server, service) = start().await;
    assert!(server.local_addr().ip().is_loopback());
    let r = login(&server, CLINIC).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "OK");
    for k in ["accessToken", "refreshToken", "idToken", "linkSysCharCd"] {
        assert!(v["result"][k].is_string(), "{k}");
    }
    let token = v["result"]["idToken"].as_str().unwrap();
    let (status, v) = search(&server, token, taro_search_json()).await;
    assert_eq!(status, 200);
    assert!(all_strings(&v), "{v}");
    let h = &v["XmlMsg"]["MessageHeader"];
    assert_eq!(h["SegmentOfResult"], "1");
    assert_eq!(h["ReferenceClassification"], "2");
    assert_eq!(h["CharacterCodeIdentifier"], "0");
    assert_eq!(h["MedicalInstitutionCode"], CLINIC);
    let b = &v["XmlMsg"]["MessageBody"];
    assert_eq!(b["QualificationValidity"], "1");
    let list = b["ResultList"].as_array().expect("ResultList is an array");
    assert_eq!(list.len(), 1);
    let r = &list[0]["ResultOfQualificationConfirmation"];
    assert_eq!(r["InsuredBranchNumber"], "01");
    assert_eq!(r["InsurerNumber"], "01130012");
    assert_eq!(r["Birthdate"], "19800510");
    assert_eq!(r["Name"], "山田　太郎");
    assert_eq!(
        b["QualificationConfirmSearchInfo"]["InsuredIdentificationNumber"],
        "5678"
    );
    let kinds: Vec<_> = service.log().snapshot().iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ExchangeKind::Login, ExchangeKind::Search]);
    server.stop().await;
}

#[tokio::test]
async fn tokens_derive_from_the_seed() {
    let (a, _) = start().await;
    let (b, _) = start().await;
    assert_eq!(id_token(&a).await, id_token(&b).await);
}

#[tokio::test]
async fn a_missing_bearer_or_unknown_token_is_refused_with_401() {
    let (server, service) = start().await;
    let token = id_token(&server).await;
    for auth in [
        Some(format!("Bearer {token}")),
        Some("oqs-id.0000".to_string()),
        None,
    ] {
        let mut r = client()
            .post(format!("{}{SEARCH_PATH}", server.url()))
            .header("Content-Type", JSON)
            .body(taro_search_json());
        if let Some(a) = &auth {
            r = r.header("Authorization", a);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 401, "{auth:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["status"], "ONS-E0012");
        assert_eq!(v["msg"], "認証に失敗しました。");
    }
    let refused = service
        .log()
        .snapshot()
        .iter()
        .filter(|r| r.result_code.as_deref() == Some("ONS-E0012"))
        .count();
    assert_eq!(refused, 3);
}

#[tokio::test]
async fn an_unknown_institution_cannot_log_in() {
    let (server, _) = start().await;
    let r = login(&server, "1310000003").await;
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "ONS-E0012");
    assert!(v["detail"].as_str().unwrap().contains("1310000003"));
}

#[tokio::test]
async fn a_search_for_another_institution_than_the_tokens_is_an_xmlmsg_error() {
    let (server, _) = start().await;
    let token = id_token(&server).await;
    let body = taro_search_json().replace(CLINIC, OTHER_CLINIC);
    let (status, v) = search(&server, &token, body).await;
    assert_eq!(status, 200);
    let h = &v["XmlMsg"]["MessageHeader"];
    assert_eq!(h["SegmentOfResult"], "9");
    assert_eq!(h["ErrorCode"], "ONS-E0016");
    assert_eq!(v["XmlMsg"]["MessageBody"]["ProcessingResultStatus"], "2");
    assert!(v["XmlMsg"]["MessageBody"].get("ResultList").is_none());
}

#[tokio::test]
async fn a_non_ascii_symbol_is_read_from_the_whole_body() {
    let (server, _) = start().await;
    let token = id_token(&server).await;
    let body = format!(
        r#"{{"XmlMsg":{{"MessageHeader":{{"QualificationConfirmationDate":"20260410","MedicalInstitutionCode":"{CLINIC}"}},"MessageBody":{{"QualificationConfirmSearchInfo":{{"InsurerNumber":"00138016","InsuredCardSymbol":"千代田１","InsuredIdentificationNumber":"000123","Birthdate":"19550201","LimitApplicationCertificateRelatedConsFlg":"1"}}}}}}}}"#
    );
    let (status, v) = search(&server, &token, body).await;
    assert_eq!(status, 200);
    let b = &v["XmlMsg"]["MessageBody"];
    assert_eq!(b["QualificationValidity"], "1", "{v}");
    let r = &b["ResultList"][0]["ResultOfQualificationConfirmation"];
    assert_eq!(r["InsuredCardSymbol"], "千代田１");
    assert_eq!(r["InsuredIdentificationNumber"], "000123");
}

/// MC's client sends `Content-Length` = the JavaScript string length, which is short for a
/// non-ASCII 記号. onshi reads what the framing says and answers; it never hangs.
#[tokio::test]
async fn a_short_content_length_gets_an_answer_not_a_hang() {
    let (server, _) = start().await;
    let token = id_token(&server).await;
    let body = taro_search_json().replace("\"1234\"", "\"千代田１\"");
    let js_length = body.chars().count();
    assert!(js_length < body.len());
    let head = format!(
        "POST {SEARCH_PATH} HTTP/1.1\r\nHost: {}\r\nContent-Type: {JSON}\r\nAuthorization: {token}\r\nContent-Length: {js_length}\r\nConnection: close\r\n\r\n",
        server.local_addr()
    );
    let mut stream = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("no hang")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    // The truncated JSON does not parse: the documented XmlMsg error.
    assert!(text.contains(r#""ErrorCode":"ONS-E0001""#), "{text}");
}

#[tokio::test]
async fn content_type_size_method_and_path_are_refused_with_the_status_body() {
    let (server, _) = start().await;
    let token = id_token(&server).await;
    let url = format!("{}{SEARCH_PATH}", server.url());
    let r = client()
        .post(&url)
        .header("Content-Type", "text/plain")
        .header("Authorization", &token)
        .body(taro_search_json())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ONS-E0014");
    let big = format!("{}{}", taro_search_json(), " ".repeat(70_000));
    let r = client()
        .post(&url)
        .header("Content-Type", JSON)
        .header("Authorization", &token)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ONS-E0013");
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ONS-E0018");
    let r = client()
        .post(format!("{}/nothing", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ONS-E0018");
}
