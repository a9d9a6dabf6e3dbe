//! The registry client (`roles::registry::client`) against stand-in registries: wiremock for
//! answers it can shape (good, 5xx with bodies, slow, malformed, truncated XML, oversize, wrong
//! content type), a few lines of `std::net` for what it cannot (a body that breaks off, one that
//! trickles, a chunked body without a length) and a closed port. Every fault is asserted by
//! kind, and its display text, what a vendor reads in a verdict, is a snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use onshi_harness::catalog::Catalog;
use onshi_harness::roles::registry::client::{ERROR_BODY_SHOWN, RegistryClient, RegistryFault};
use onshi_harness::run::execute::reference_files;
use onshi_harness::scenario;
use onshi_sim::oqs::ConfirmResponse;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const XML: &str = "application/xml";

/// A 資格確認結果 the reference wrote in a library scenario's run.
fn reference_answer() -> Vec<u8> {
    let s = scenario::open(
        Path::new("../scenarios/consent/full-consent-shares-everything.yaml"),
        Catalog::builtin(),
    )
    .unwrap();
    reference_files(&s.plan, s.plan.seed.unwrap_or(1))
        .into_iter()
        .map(|f| f.bytes)
        .find(|b| onshi_sim::oqs::decode::<ConfirmResponse>(b).is_ok())
        .expect("the scenario's run wrote a 資格確認結果")
}

fn client(base: &str, timeout: Duration, max: usize) -> RegistryClient {
    RegistryClient::new(base, timeout, max).unwrap()
}

/// The fault's display text with the stand-in's address made stable.
fn shown(fault: &RegistryFault, addr: &str) -> String {
    fault.to_string().replace(addr, "[registry]")
}

async fn mock(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oqs/confirm"))
        .and(header("content-type", XML))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

async fn ask(
    server: &MockServer,
    timeout: Duration,
    max: usize,
) -> Result<onshi_harness::roles::registry::client::Answer, RegistryFault> {
    client(&server.uri(), timeout, max)
        .exchange("/oqs/confirm", b"<XmlMsg/>".to_vec(), XML)
        .await
}

#[tokio::test]
async fn a_good_answer_is_read_and_decodes() {
    let body = reference_answer();
    let server = mock(
        ResponseTemplate::new(200).set_body_raw(body.clone(), "application/xml; charset=UTF-8"),
    )
    .await;
    let answer = ask(&server, Duration::from_secs(10), 1 << 20)
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.bytes, body);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/xml; charset=UTF-8")
    );
    let decoded: ConfirmResponse = answer.decode("資格確認結果").unwrap();
    assert_eq!(
        decoded,
        onshi_sim::oqs::decode::<ConfirmResponse>(&body).unwrap()
    );
}

#[tokio::test]
async fn error_statuses_show_the_code_and_the_start_of_the_body() {
    for (code, body) in [
        (
            500,
            "internal error\n\u{1b}[31mstack: at Registry.answer()\u{202e}".to_string(),
        ),
        (
            503,
            format!("maintenance {}", "x".repeat(2 * ERROR_BODY_SHOWN)),
        ),
    ] {
        let server = mock(ResponseTemplate::new(code).set_body_string(body)).await;
        let fault = ask(&server, Duration::from_secs(10), 1 << 20)
            .await
            .unwrap_err();
        let RegistryFault::Status {
            code: got,
            body_start,
            ..
        } = &fault
        else {
            panic!("{fault:?}")
        };
        assert_eq!(*got, code);
        assert!(
            body_start.chars().count() <= ERROR_BODY_SHOWN + 20,
            "{body_start}"
        );
        assert!(!body_start.chars().any(char::is_control), "{body_start:?}");
        insta::assert_snapshot!(format!("status-{code}"), shown(&fault, &server.uri()));
    }
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = mock(
        ResponseTemplate::new(200)
            .set_body_raw(reference_answer(), XML)
            .set_delay(Duration::from_secs(600)),
    )
    .await;
    let fault = ask(&server, Duration::from_millis(300), 1 << 20)
        .await
        .unwrap_err();
    assert!(
        matches!(fault, RegistryFault::Timeout { after, .. } if after == Duration::from_millis(300)),
        "{fault:?}"
    );
    insta::assert_snapshot!("timeout", shown(&fault, &server.uri()));
}

#[tokio::test]
async fn malformed_and_truncated_xml_do_not_decode_and_say_where() {
    let whole = String::from_utf8(reference_answer()).unwrap();
    let cut = whole.len() / 2;
    let cut = (cut..whole.len())
        .find(|i| whole.is_char_boundary(*i))
        .unwrap();
    for (name, body) in [
        (
            "malformed",
            whole.replacen("</MessageHeader>", "</MessageHeadr>", 1),
        ),
        ("truncated-xml", whole[..cut].to_string()),
    ] {
        let server = mock(ResponseTemplate::new(200).set_body_raw(body, XML)).await;
        let answer = ask(&server, Duration::from_secs(10), 1 << 20)
            .await
            .unwrap();
        let fault = answer
            .decode::<ConfirmResponse>("資格確認結果")
            .unwrap_err();
        let RegistryFault::Undecodable { error, .. } = &fault else {
            panic!("{fault:?}")
        };
        assert!(error.contains("line "), "the position: {error}");
        insta::assert_snapshot!(name, shown(&fault, &server.uri()));
    }
}

#[tokio::test]
async fn an_answer_over_the_limit_is_refused() {
    let body = reference_answer();
    let limit = body.len() - 1;
    let server = mock(ResponseTemplate::new(200).set_body_raw(body, XML)).await;
    let fault = ask(&server, Duration::from_secs(10), limit)
        .await
        .unwrap_err();
    assert!(
        matches!(fault, RegistryFault::TooLarge { limit: l, .. } if l == limit),
        "{fault:?}"
    );
    insta::assert_snapshot!(
        "oversize-declared",
        shown(&fault, &server.uri())
            .replace(&limit.to_string(), "[limit]")
            .replace(&(limit + 1).to_string(), "[limit+1]")
    );
}

#[tokio::test]
async fn the_wrong_content_type_is_named() {
    let server = mock(
        ResponseTemplate::new(200)
            .set_body_raw("<html>maintenance</html>", "text/html; charset=utf-8"),
    )
    .await;
    let fault = ask(&server, Duration::from_secs(10), 1 << 20)
        .await
        .unwrap_err();
    assert!(
        matches!(&fault, RegistryFault::ContentType { got: Some(g), .. } if g.starts_with("text/html")),
        "{fault:?}"
    );
    insta::assert_snapshot!("content-type", shown(&fault, &server.uri()));
}

#[tokio::test]
async fn a_closed_port_is_connection_refused() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let fault = client(&base, Duration::from_secs(10), 1 << 20)
        .exchange("/oqs/confirm", Vec::new(), XML)
        .await
        .unwrap_err();
    assert!(
        matches!(fault, RegistryFault::ConnectionRefused { .. }),
        "{fault:?}"
    );
    insta::assert_snapshot!("closed-port", shown(&fault, &base));
}

/// A one-connection server: reads the request's head, then writes `head` and `body` in
/// `pieces` with `pause` between them, stopping when the client has gone. Bounded: at most
/// `pieces.len()` writes.
fn raw_server(head: &'static str, pieces: Vec<Vec<u8>>, pause: Duration) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.len() < 64 * 1024 {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        // The request body follows the head; the client's is tiny and fits in what was read.
        if s.write_all(head.as_bytes()).is_err() {
            return;
        }
        for piece in pieces {
            std::thread::sleep(pause);
            if s.write_all(&piece).and_then(|()| s.flush()).is_err() {
                return;
            }
        }
    });
    addr
}

async fn ask_raw(addr: SocketAddr, timeout: Duration, max: usize) -> (RegistryFault, String) {
    let base = format!("http://{addr}");
    let fault = client(&base, timeout, max)
        .exchange("/oqs/confirm", b"<XmlMsg/>".to_vec(), XML)
        .await
        .unwrap_err();
    let text = shown(&fault, &base);
    (fault, text)
}

#[tokio::test]
async fn a_body_that_breaks_off_is_truncated() {
    let addr = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n",
        vec![b"<?xml version=\"1.0\"?><XmlMsg>".to_vec()],
        Duration::ZERO,
    );
    let (fault, text) = ask_raw(addr, Duration::from_secs(10), 1 << 20).await;
    assert!(
        matches!(fault, RegistryFault::Truncated { received: 29, .. }),
        "{fault:?}"
    );
    insta::assert_snapshot!("truncated-connection", text);
}

#[tokio::test]
async fn a_trickling_body_times_out() {
    let addr = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 100\r\n\r\n",
        (0..100).map(|_| b"x".to_vec()).collect(),
        Duration::from_millis(50),
    );
    let (fault, _) = ask_raw(addr, Duration::from_millis(400), 1 << 20).await;
    let RegistryFault::Timeout { stage, .. } = &fault else {
        panic!("{fault:?}")
    };
    assert!(stage.starts_with("reading the body"), "{stage}");
}

#[tokio::test]
async fn an_unannounced_oversize_body_stops_at_the_limit() {
    let chunk = |n: usize| {
        let mut c = format!("{n:x}\r\n").into_bytes();
        c.extend(std::iter::repeat_n(b'y', n));
        c.extend_from_slice(b"\r\n");
        c
    };
    let addr = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
        (0..64)
            .map(|_| chunk(1024))
            .chain([b"0\r\n\r\n".to_vec()])
            .collect(),
        Duration::ZERO,
    );
    let (fault, text) = ask_raw(addr, Duration::from_secs(10), 4096).await;
    assert!(
        matches!(fault, RegistryFault::TooLarge { limit: 4096, .. }),
        "{fault:?}"
    );
    insta::assert_snapshot!("oversize-chunked", text);
}
