//! `onshi serve-registry` (docs/registry-role.md): the first line names where it listens; bad
//! input gets a clear error answer and never takes the service down; a non-loopback address
//! needs `--allow-remote`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ONSHI: &str = env!("CARGO_BIN_EXE_onshi");

struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Served {
    let mut child = Command::new(ONSHI)
        .args(["serve-registry", "--http", "127.0.0.1:0", "--lang", "en"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("onshi serve-registry: listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    Served { child, addr }
}

/// One HTTP/1.1 exchange: the status and the body.
fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn bad_input_gets_an_error_answer_and_the_service_keeps_answering() {
    let s = serve();
    let (code, body) = http(&s.addr, "POST", "/onshi/registry/feed", b"{not json");
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("malformed_json"), "{body}");
    let (code, body) = http(
        &s.addr,
        "POST",
        "/onshi/registry/feed",
        br#"{"records":[{"type":"consents","holder":"0123456789abcdef","institution":"1310143217","records":[]}]}"#,
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("\"feed\""), "{body}");
    assert!(
        body.contains("consents/0123456789abcdef/1310143217"),
        "{body}"
    );
    assert!(body.contains("no person `0123456789abcdef`"), "{body}");
    let (code, body) = http(
        &s.addr,
        "POST",
        "/onshi/registry/feed",
        r#"{"now":"2026-04-01T09:00:00+09:00","records":[{"type":"insurer","number":"06132013","name":"協会けんぽ"}]}"#.as_bytes(),
    );
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"applied\":1"), "{body}");
    let (code, body) = http(&s.addr, "POST", "/onshi/terminal/confirm", b"[]");
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("malformed_json"), "{body}");
    let confirm =
        br#"{"medicalInstitutionCode":"1310143217","method":"face","certificate":"AAAA"}"#;
    let (code, body) = http(&s.addr, "POST", "/onshi/terminal/confirm", confirm);
    assert_eq!(code, 404, "{body}");
    assert!(body.contains("unknown_institution"), "{body}");
    let (code, body) = http(&s.addr, "POST", "/onshi/registry/oqs/notes.txt", b"hello");
    assert_eq!(code, 400, "{body}");
    let (code, body) = http(&s.addr, "POST", "/onshi/terminal/challenge", b"{}");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("challenge"), "{body}");
    let (code, body) = http(&s.addr, "GET", "/onshi/registry/counts", b"");
    assert_eq!((code, body.as_str()), (200, r#"{"counts":{}}"#));
    let big = vec![b' '; 17 * 1024 * 1024];
    let (code, _) = http(&s.addr, "POST", "/onshi/registry/feed", &big);
    assert_eq!(code, 413);
    // Still answering.
    let (code, _) = http(&s.addr, "GET", "/onshi/registry/counts", b"");
    assert_eq!(code, 200);
}

#[test]
fn a_non_loopback_address_needs_allow_remote() {
    let out = Command::new(ONSHI)
        .args(["serve-registry", "--http", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

/// The 照会番号登録 file the folder server answers is answered by `serve-registry` too, from the
/// world it was fed (`POST /onshi/registry/oqs/{file name}`).
#[test]
fn a_reference_number_registration_file_is_answered_from_the_fed_world() {
    use onshi_harness::catalog::Catalog;
    use onshi_harness::roles::registry::serve;
    use onshi_harness::roles::serve::Server;
    use onshi_harness::run::execute::build_world;
    use onshi_sim::oqs::{self, ProcessingResultStatus};

    let s = onshi_harness::scenario::open(
        &std::path::Path::new("../scenarios").join("reissue/relink-after-loss.yaml"),
        Catalog::builtin(),
    )
    .unwrap();
    let world = build_world(&s.plan, 1).unwrap();
    let server = Server::serve(
        "127.0.0.1:0",
        "registry test",
        serve::router(serve::replica(world.now())),
    )
    .unwrap();
    let addr = server.addr().to_string();
    let feed = serde_json::json!({"now": world.now(), "records": world.feed_facts().records()});
    let (code, body) = http(
        &addr,
        "POST",
        "/onshi/registry/feed",
        feed.to_string().as_bytes(),
    );
    assert_eq!(code, 200, "{body}");
    let q = world.quals()[0].id;
    let n = world.view().numbers_of(q);
    let clinic = world.institutions()[0].code.digits();
    let request = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{clinic}</MedicalInstitutionCode><ArbitraryFileIdentifier>REG-1</ArbitraryFileIdentifier></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>000123</ReferenceNumber><InsurerNumber>{}</InsurerNumber><InsuredCardSymbol>{}</InsuredCardSymbol><InsuredIdentificationNumber>{}</InsuredIdentificationNumber><InsuredBranchNumber>{}</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>"#,
        n.insurer,
        n.symbol.clone().unwrap_or_default(),
        n.number,
        n.branch.clone().unwrap_or_default()
    );
    let (code, body) = http(
        &addr,
        "POST",
        "/onshi/registry/oqs/OQSsiimm01req_2026040109000001.xml",
        request.as_bytes(),
    );
    assert_eq!(code, 200, "{body}");
    let r = oqs::decode_registration_response(body.as_bytes()).unwrap();
    assert_eq!(
        r.body.processing_result_status,
        ProcessingResultStatus::Ok,
        "{body}"
    );
    assert_eq!(r.header.arbitrary_file_identifier.as_deref(), Some("REG-1"));
}
