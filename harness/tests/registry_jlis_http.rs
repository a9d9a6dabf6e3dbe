//! J-LIS over HTTP (`roles::registry::jlis_http`, docs/registry-role.md "J-LIS over HTTP"):
//! the status of each certificate and the 旧番号 chain step across `card.renew`, `card.lost`
//! and `card.reissue` in a small scenario world, the CA certificates verifying the cards'
//! certificates, the error answers (unknown, malformed, too long, not GET, no world), and no
//! answer body ever holding a My Number or a 住民票コード.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_harness::catalog::Catalog;
use onshi_harness::roles::registry::jlis_http::{self, JlisSource, MAX_PATH};
use onshi_harness::roles::serve::Server;
use onshi_harness::run::execute::build_world;
use onshi_harness::scenario::plan::Action;
use onshi_harness::scenario::{self, Scenario};
use onshi_harness::shared::SharedWorld;
use onshi_sim::World;
use onshi_sim::ids::{PersonId, Serial};
use onshi_sim::jlis::{CertKind, verify_chain};
use serde_json::Value;

/// Taro renews his auth certificate, loses his card and gets a new one, a day apart; hanako's
/// card is so old that its certificates expired.
const WORLD: &str = r#"id: registry/jlis-http
title: { en: "J-LIS over HTTP across renewal, loss and reissue" }
requirements: [JLIS-2, JLIS-3]
start: 2026-04-01T09:00
include: [onshi:standard, onshi:taro]
world:
  people:
    - id: hanako
      born: 1985-02-02
      card: { issued: 2016-02-01, auth_pin: "4321" }
      insurance: [{ insurer: kumiai, symbol: "50", number: "77", from: 2010-04-01 }]
steps:
  - advance: 1d
  - card.renew: { person: taro }
  - advance: 1d
  - card.lost: { person: taro }
  - advance: 1d
  - card.reissue: { person: taro }
"#;

fn scenario() -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jlis.yaml");
    std::fs::write(&path, WORLD).unwrap();
    scenario::open(&path, Catalog::builtin()).unwrap()
}

/// Applies the plan's `n`-th step to the world.
fn step(world: &SharedWorld, s: &Scenario, n: usize) {
    let Action::Event(e) = &s.plan.steps[n].action else {
        panic!("step {n} is a world event")
    };
    world.lock().apply((**e).clone()).unwrap();
}

/// Every answer body read in a test, searched at the end for personal numbers.
#[derive(Default)]
struct Bodies(Vec<String>);

impl Bodies {
    fn get(&mut self, addr: SocketAddr, path: &str) -> (u16, Value) {
        let (status, text) = raw_get(addr, path);
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {text}"));
        self.0.push(text);
        (status, value)
    }

    /// No body holds the My Number or the 住民票コード of anyone in `world`.
    fn assert_no_personal_numbers(&self, world: &World) {
        assert!(!self.0.is_empty());
        for person in world.people() {
            let secrets = [
                person.my_number.digits(),
                world.jlis().resident_code(person.id),
            ];
            for secret in &secrets {
                for body in &self.0 {
                    assert!(
                        !body.contains(secret.as_str()),
                        "{}'s number {secret} in an answer: {body}",
                        person.key
                    );
                }
            }
        }
    }
}

fn raw_get(addr: SocketAddr, path: &str) -> (u16, String) {
    request(addr, reqwest::Method::GET, path)
}

fn request(addr: SocketAddr, method: reqwest::Method, path: &str) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap();
        let r = client
            .request(method, format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    })
}

fn person(world: &World, key: &str) -> PersonId {
    world.people().iter().find(|p| p.key == key).unwrap().id
}

/// The serial of `key`'s latest certificate of `kind`.
fn current(world: &SharedWorld, key: &str, kind: CertKind) -> Serial {
    let w = world.lock();
    let id = w.jlis().current(person(&w, key), kind).unwrap();
    w.jlis().record(id).unwrap().serial()
}

fn started() -> (Scenario, SharedWorld, Server) {
    let s = scenario();
    let world = SharedWorld::new(build_world(&s.plan, 1).unwrap());
    let server = jlis_http::start("127.0.0.1:0", JlisSource::with(world.clone())).unwrap();
    assert!(server.addr().ip().is_loopback());
    (s, world, server)
}

fn status_path(serial: Serial) -> String {
    format!("/onshi/jlis/certificates/{}", serial.hex())
}

fn chain_path(serial: Serial) -> String {
    format!("/onshi/jlis/certificates/{}/chain", serial.hex())
}

#[test]
fn statuses_and_chain_across_renewal_loss_and_reissue() {
    let (s, world, server) = started();
    let addr = server.addr();
    let mut bodies = Bodies::default();

    // 2026-04-01: the card's first auth certificate, valid, no chain.
    let first = current(&world, "taro", CertKind::Auth);
    let (code, v) = bodies.get(addr, &status_path(first));
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["serial"], first.hex());
    assert_eq!(v["kind"], "auth");
    assert_eq!(v["state"], "valid");
    assert_eq!(v["asOf"], "2026-04-01");
    assert_eq!(v["issued"], "2024-06-01");
    assert_eq!(v["revocation"], Value::Null);
    let holder = v["holder"].as_str().unwrap().to_string();
    assert_eq!(holder.len(), 16, "{holder}");
    let (_, c) = bodies.get(addr, &chain_path(first));
    assert_eq!(c["previous"], Value::Null);
    assert_eq!(c["next"], Value::Null);
    assert_eq!(c["holder"], holder.as_str());

    // 2026-04-02 更新: the first is superseded, the chain steps to the renewal.
    step(&world, &s, 0);
    step(&world, &s, 1);
    let renewed = current(&world, "taro", CertKind::Auth);
    assert_ne!(renewed, first);
    let (_, v) = bodies.get(addr, &status_path(first));
    assert_eq!(v["state"], "revoked");
    assert_eq!(v["revocation"]["reason"], "superseded");
    assert_eq!(v["revocation"]["crlReason"], 4);
    assert_eq!(v["revocation"]["on"], "2026-04-02");
    let (_, c) = bodies.get(addr, &chain_path(first));
    assert_eq!(c["next"], renewed.hex());
    assert_eq!(c["nextCause"], "renewal");
    let (_, c) = bodies.get(addr, &chain_path(renewed));
    assert_eq!(c["previous"], first.hex());
    assert_eq!(c["next"], Value::Null);
    assert_eq!(c["holder"], holder.as_str(), "one holder across the chain");
    let (_, v) = bodies.get(addr, &status_path(renewed));
    assert_eq!(v["state"], "valid");
    assert_eq!(v["issued"], "2026-04-02");

    // 2026-04-03 紛失届: the renewed certificate is revoked, nothing newer yet.
    step(&world, &s, 2);
    step(&world, &s, 3);
    let (_, v) = bodies.get(addr, &status_path(renewed));
    assert_eq!(v["state"], "revoked");
    assert_eq!(v["revocation"]["reason"], "key_compromise");
    assert_eq!(v["revocation"]["on"], "2026-04-03");
    let (_, c) = bodies.get(addr, &chain_path(renewed));
    assert_eq!(c["next"], Value::Null);

    // 2026-04-04 再交付: a new card, the chain goes on from the lost card's certificate.
    step(&world, &s, 4);
    step(&world, &s, 5);
    let reissued = current(&world, "taro", CertKind::Auth);
    assert!(![first, renewed].contains(&reissued));
    let (_, c) = bodies.get(addr, &chain_path(renewed));
    assert_eq!(c["next"], reissued.hex());
    assert_eq!(c["nextCause"], "card_reissue");
    let (_, v) = bodies.get(addr, &status_path(reissued));
    assert_eq!(
        (v["state"].as_str(), v["asOf"].as_str()),
        (Some("valid"), Some("2026-04-04"))
    );
    assert_eq!(v["holder"], holder.as_str());

    // The signature certificate is a chain of its own kind.
    let sign = current(&world, "taro", CertKind::Sign);
    let (_, v) = bodies.get(addr, &status_path(sign));
    assert_eq!(v["kind"], "signature");
    let (_, c) = bodies.get(addr, &chain_path(sign));
    assert_ne!(c["previous"], renewed.hex());

    // Hanako's 2016 card: expired, and another holder.
    let old = current(&world, "hanako", CertKind::Auth);
    let (code, v) = bodies.get(addr, &status_path(old));
    assert_eq!(code, 200);
    assert_eq!(v["state"], "expired", "{v}");
    assert_ne!(v["holder"], holder.as_str());

    bodies.assert_no_personal_numbers(&world.lock());
}

#[test]
fn the_ca_certificates_verify_the_cards_certificates() {
    let (_s, world, server) = started();
    let mut bodies = Bodies::default();
    let (code, v) = bodies.get(server.addr(), "/onshi/jlis/ca");
    assert_eq!(code, 200, "{v}");
    let auth_ca = B64.decode(v["auth"].as_str().unwrap()).unwrap();
    let sign_ca = B64.decode(v["signature"].as_str().unwrap()).unwrap();
    let w = world.lock();
    let taro = person(&w, "taro");
    let der = |kind| {
        let id = w.jlis().current(taro, kind).unwrap();
        w.jlis().certificate_der(id).unwrap()
    };
    verify_chain(&der(CertKind::Auth), &auth_ca).unwrap();
    verify_chain(&der(CertKind::Sign), &sign_ca).unwrap();
    assert!(verify_chain(&der(CertKind::Auth), &sign_ca).is_err());
    bodies.assert_no_personal_numbers(&w);
}

#[test]
fn unknown_malformed_and_oversize_requests_get_json_reasons() {
    let (_s, world, server) = started();
    let addr = server.addr();
    let mut bodies = Bodies::default();
    let unissued = world.lock().jlis().unissued_serial();
    for path in [status_path(unissued), chain_path(unissued)] {
        let (code, v) = bodies.get(addr, &path);
        assert_eq!(
            (code, v["code"].as_str()),
            (404, Some("unknown_serial")),
            "{v}"
        );
        assert!(v["msg"].as_str().unwrap().contains(&unissued.hex()));
    }
    for bad in ["xyz", "0", "12345678901234567"] {
        let (code, v) = bodies.get(addr, &format!("/onshi/jlis/certificates/{bad}"));
        assert_eq!(
            (code, v["code"].as_str()),
            (400, Some("malformed_serial")),
            "{bad}: {v}"
        );
    }
    let (code, v) = bodies.get(addr, "/onshi/jlis/elsewhere");
    assert_eq!((code, v["code"].as_str()), (404, Some("unknown_path")));
    let long = format!("/onshi/jlis/certificates/{}", "A".repeat(MAX_PATH));
    let (code, v) = bodies.get(addr, &long);
    assert_eq!((code, v["code"].as_str()), (414, Some("path_too_long")));
    let (code, text) = request(addr, reqwest::Method::POST, "/onshi/jlis/ca");
    assert_eq!(code, 405, "{text}");
    bodies.assert_no_personal_numbers(&world.lock());
}

#[test]
fn no_world_attached_is_503() {
    let source = JlisSource::new();
    let server = jlis_http::start("127.0.0.1:0", source.clone()).unwrap();
    let (code, text) = raw_get(server.addr(), "/onshi/jlis/ca");
    assert_eq!(code, 503, "{text}");
    let s = scenario();
    source.attach(SharedWorld::new(build_world(&s.plan, 1).unwrap()));
    assert_eq!(raw_get(server.addr(), "/onshi/jlis/ca").0, 200);
    source.detach();
    assert_eq!(raw_get(server.addr(), "/onshi/jlis/ca").0, 503);
}

#[test]
fn the_holder_link_is_stable_per_seed_and_differs_across_seeds() {
    let s = scenario();
    let a = build_world(&s.plan, 1).unwrap();
    let b = build_world(&s.plan, 1).unwrap();
    let c = build_world(&s.plan, 2).unwrap();
    let taro = person(&a, "taro");
    assert_eq!(
        jlis_http::holder_link(&a, taro),
        jlis_http::holder_link(&b, taro)
    );
    assert_ne!(
        jlis_http::holder_link(&a, taro),
        jlis_http::holder_link(&c, taro)
    );
}

/// A peer that sent half a request head and then nothing does not keep a stopping server
/// alive: dropping the server returns (the hang this guards against never returned at all).
#[test]
fn a_half_sent_request_does_not_hold_the_server_open_when_it_stops() {
    use std::io::Write as _;
    let server = Server::serve("127.0.0.1:0", "test", axum::Router::new()).expect("serves");
    let mut peer = std::net::TcpStream::connect(server.addr()).expect("connects");
    peer.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\nX-Slow: ")
        .expect("writes");
    let (done, stopped) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(server);
        let _ = done.send(());
    });
    // A generous bound, only so that a hang fails the test instead of the whole suite.
    assert!(
        stopped
            .recv_timeout(std::time::Duration::from_secs(60))
            .is_ok(),
        "the server did not stop with a half-sent request open"
    );
    drop(peer);
}
