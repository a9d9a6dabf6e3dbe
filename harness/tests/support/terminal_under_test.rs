//! A terminal under test for `tests/terminal_e2e.rs`: a PC/SC client that does what a
//! 資格確認端末 does at each visit (the steps of `onshi_harness::roles::terminal::reference`), talking
//! to onshi's terminal endpoints (`/onshi/terminal/{patient,challenge,confirm}`) over a tiny
//! HTTP/1.1 client on `std::net::TcpStream`.
//!
//! Per visit: wait for a card in the first vpcd reader, read the auth certificate (short
//! header read, then chunks), ask the patient endpoint for one try at a time (a live look at
//! the camera at the threshold is enough; a PIN goes to VERIFY until 90 00, stopping at 69 83),
//! get a challenge, sign DigestInfo(SHA-256(challenge)) with EF 0017, POST the confirmation
//! (or POST give-up when the patient could not be verified), wait for the card to leave.
//! [`Mode::TouchesMyNumber`] also selects the 券面事項入力補助AP, which a terminal must never
//! do (RDR-6, PRV-5); [`Mode::ReadsMyNumberAfterConfirm`] reads it right after the registry
//! answered, while the card is still on the reader.

#![allow(dead_code)] // each includer uses its own part

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_sim::card::apdu::Application;
use pcsc::{Card, Context, ReaderState, State};
use serde_json::{Value, json};

use super::pcsc_client::{
    Res, expect_sw, read_certificate, select_aid_apdu, select_ef_apdu, transmit,
};

/// How the terminal behaves: [`Mode::Good`], or one realistic bug (a mutant) each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Like the built-in terminal.
    Good,
    /// Also selects the 券面事項入力補助AP after reading the certificate.
    TouchesMyNumber,
    /// Reads the 券面事項入力補助AP a moment after the registry answered its confirmation.
    ReadsMyNumberAfterConfirm,
    /// Takes any live look as a match, whatever its similarity (ignores the threshold).
    AcceptsAnyFace,
    /// Takes a look at the threshold as a match even when the liveness check failed.
    IgnoresLiveness,
    /// Counts every look at the camera: no limit of looks before only the PIN counts.
    UnlimitedLooks,
    /// One look at the camera; after a failed one it takes only PINs.
    NoFaceRetry,
    /// Keeps the first card's certificate and sends it for every later card.
    ReusesCertificate,
    /// Keeps the first challenge the registry issued and signs it again at every PIN visit.
    ReusesChallenge,
    /// Signs with the 署名用 key (EF 001A) instead of the auth key (EF 0017).
    SignsWithSignatureKey,
    /// Never sends VERIFY: signs right away (the card refuses) and gives up.
    SkipsVerify,
    /// Ignores the card's block (69 83) and sends the next PIN anyway.
    IgnoresBlock,
    /// Never calls give-up: a visit it cannot confirm waits for `--terminal-wait`.
    NeverGivesUp,
    /// Sends `limitConsent: true` whatever the patient answered.
    AlwaysLimitConsent,
}

/// Every mode and its name in the environment, [`Mode::Good`] first.
pub const MODES: [(&str, Mode); 14] = [
    ("good", Mode::Good),
    ("touches-my-number", Mode::TouchesMyNumber),
    (
        "reads-my-number-after-confirm",
        Mode::ReadsMyNumberAfterConfirm,
    ),
    ("accepts-any-face", Mode::AcceptsAnyFace),
    ("ignores-liveness", Mode::IgnoresLiveness),
    ("unlimited-looks", Mode::UnlimitedLooks),
    ("no-face-retry", Mode::NoFaceRetry),
    ("reuses-certificate", Mode::ReusesCertificate),
    ("reuses-challenge", Mode::ReusesChallenge),
    ("signs-with-signature-key", Mode::SignsWithSignatureKey),
    ("skips-verify", Mode::SkipsVerify),
    ("ignores-block", Mode::IgnoresBlock),
    ("never-gives-up", Mode::NeverGivesUp),
    ("always-limit-consent", Mode::AlwaysLimitConsent),
];

impl Mode {
    /// From its name in the environment (the names of [`MODES`]).
    pub fn parse(text: &str) -> Option<Mode> {
        MODES.iter().find(|(n, _)| *n == text).map(|(_, m)| *m)
    }
}

/// What the terminal keeps from one card to the next (only the mutants use it).
#[derive(Default)]
pub struct Memory {
    certificate: Option<Vec<u8>>,
    challenge: Option<Vec<u8>>,
}

/// An HTTP answer.
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Body (de-chunked).
    pub body: Vec<u8>,
}

/// One HTTP/1.1 request with `Connection: close`; the answer is read to the end.
pub fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Res<HttpResponse> {
    let what = format!("{method} {path}");
    let err = |e: std::io::Error| format!("{what}: {e}");
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(err)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .map_err(err)?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .map_err(err)?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: */*\r\n");
    if body.is_some() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
    request.push_str(&payload);
    stream.write_all(request.as_bytes()).map_err(err)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(err)?;
    parse_response(&raw).map_err(|e| format!("{what}: {e}"))
}

fn parse_response(raw: &[u8]) -> Res<HttpResponse> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        rest.get(..len)
            .ok_or("body shorter than Content-Length")?
            .to_vec()
    } else {
        rest.to_vec()
    };
    Ok(HttpResponse { status, body })
}

fn dechunk(mut rest: &[u8]) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("chunk size line")?;
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_owned();
        let size = usize::from_str_radix(&size_text, 16).map_err(|e| format!("chunk size: {e}"))?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(rest.get(..size).ok_or("chunk shorter than its size")?);
        rest = rest.get(size + 2..).ok_or("chunk without CRLF")?;
    }
}

fn json_of(r: &HttpResponse, what: &str) -> Res<Value> {
    serde_json::from_slice(&r.body).map_err(|e| {
        format!(
            "{what} answered {} with no JSON ({e}): {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        )
    })
}

/// The patient's next try: a look at the camera, a PIN typed, or nothing more.
enum Try {
    Face { similarity: f64, live: bool },
    Pin(String),
    Nothing,
}

/// `GET /onshi/terminal/patient`: one try, used up by the call.
fn patient(addr: SocketAddr) -> Res<Try> {
    let r = http(addr, "GET", "/onshi/terminal/patient", None)?;
    let v = json_of(&r, "GET /onshi/terminal/patient")?;
    if r.status != 200 {
        return Err(format!(
            "GET /onshi/terminal/patient answered {}: {v}",
            r.status
        ));
    }
    Ok(
        match (
            v.get("face").and_then(Value::as_f64),
            v.get("pin").and_then(Value::as_str),
        ) {
            (Some(similarity), _) => Try::Face {
                similarity,
                live: v.get("live").and_then(Value::as_bool) == Some(true),
            },
            (None, Some(pin)) => Try::Pin(pin.to_owned()),
            (None, None) => Try::Nothing,
        },
    )
}

/// `POST /onshi/terminal/give-up`: the visit ends without a confirmation.
fn give_up(addr: SocketAddr, reason: &str) -> Res<String> {
    let r = http(
        addr,
        "POST",
        "/onshi/terminal/give-up",
        Some(&json!({ "reason": reason })),
    )?;
    Ok(format!(
        "no confirmation: {reason}; gave up (HTTP {})",
        r.status
    ))
}

fn verify_apdu(pin: &str) -> Vec<u8> {
    let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
    apdu.extend_from_slice(pin.as_bytes());
    apdu
}

/// `GET /onshi/terminal/visit`: the institution, the consents and the face rule.
struct VisitInfo {
    institution: String,
    limit_consent: bool,
    disease_consent: bool,
    threshold: f64,
    looks: u32,
}

fn visit_info(addr: SocketAddr) -> Res<VisitInfo> {
    let r = http(addr, "GET", "/onshi/terminal/visit", None)?;
    let v = json_of(&r, "GET /onshi/terminal/visit")?;
    if r.status != 200 {
        return Err(format!(
            "GET /onshi/terminal/visit answered {}: {v}",
            r.status
        ));
    }
    let retries = v["faceRetriesBeforePin"]
        .as_u64()
        .ok_or_else(|| format!("no faceRetriesBeforePin in {v}"))?;
    Ok(VisitInfo {
        institution: v["medicalInstitutionCode"]
            .as_str()
            .ok_or_else(|| format!("no medicalInstitutionCode in {v}"))?
            .to_owned(),
        limit_consent: v["limitConsent"] == true,
        disease_consent: v["diseaseConsent"] == true,
        threshold: v["faceThreshold"]
            .as_f64()
            .ok_or_else(|| format!("no faceThreshold in {v}"))?,
        looks: u32::try_from(retries).unwrap_or(u32::MAX).saturating_add(1),
    })
}

/// How the patient was verified: by face, by PIN, or not (the terminal gives up).
enum Verified {
    Face,
    Pin,
    Not(String),
}

/// Takes the patient's tries one call at a time until one verifies them (as `mode` judges).
fn verify_patient(card: &Card, addr: SocketAddr, info: &VisitInfo, mode: Mode) -> Res<Verified> {
    let (mut looks, mut tries) = (0, 0);
    let mut blocked = false;
    loop {
        match patient(addr)? {
            Try::Nothing if blocked => {
                return Ok(Verified::Not(format!("PIN blocked at try {tries}")));
            }
            Try::Nothing => {
                return Ok(Verified::Not(format!(
                    "not verified: no more tries after {tries} PINs"
                )));
            }
            Try::Face { .. } if looks >= info.looks && mode != Mode::UnlimitedLooks => {}
            Try::Face { .. } if looks >= 1 && mode == Mode::NoFaceRetry => {}
            Try::Face { similarity, live } => {
                looks += 1;
                let live = live || mode == Mode::IgnoresLiveness;
                let close = similarity >= info.threshold || mode == Mode::AcceptsAnyFace;
                if live && close {
                    return Ok(Verified::Face);
                }
            }
            Try::Pin(_) if mode == Mode::SkipsVerify => return Ok(Verified::Pin),
            Try::Pin(p) => {
                tries += 1;
                expect_sw(card, &select_ef_apdu([0x00, 0x18]), 0x9000)?;
                match transmit(card, &verify_apdu(&p))?.1 {
                    0x9000 => return Ok(Verified::Pin),
                    0x6983 if mode == Mode::IgnoresBlock => blocked = true,
                    0x6983 => return Ok(Verified::Not(format!("PIN blocked at try {tries}"))),
                    _ => {}
                }
            }
        }
    }
}

/// The challenge to sign: a fresh one from the registry (or, for [`Mode::ReusesChallenge`],
/// the first one it ever got).
fn challenge(addr: SocketAddr, mode: Mode, memory: &mut Memory) -> Res<Vec<u8>> {
    if mode == Mode::ReusesChallenge
        && let Some(old) = &memory.challenge
    {
        return Ok(old.clone());
    }
    let r = http(addr, "POST", "/onshi/terminal/challenge", Some(&json!({})))?;
    let v = json_of(&r, "POST /onshi/terminal/challenge")?;
    let challenge = v
        .get("challenge")
        .and_then(Value::as_str)
        .and_then(|c| B64.decode(c).ok())
        .ok_or_else(|| format!("no challenge in {v}"))?;
    memory.challenge.get_or_insert_with(|| challenge.clone());
    Ok(challenge)
}

/// One visit with the card in the reader; returns what happened, in words.
pub fn visit(card: &Card, addr: SocketAddr, mode: Mode, memory: &mut Memory) -> Res<String> {
    let info = visit_info(addr)?;
    expect_sw(card, &select_aid_apdu(Application::Jpki.aid()), 0x9000)?;
    expect_sw(card, &select_ef_apdu([0x00, 0x0A]), 0x9000)?;
    let mut certificate = read_certificate(card, 0xFF)?;
    if mode == Mode::ReusesCertificate {
        certificate = memory.certificate.get_or_insert(certificate).clone();
    }
    if mode == Mode::TouchesMyNumber {
        let (_, sw) = transmit(card, &select_aid_apdu(Application::InputSupport.aid()))?;
        println!("terminal: selected the input-support AP: {sw:04X}");
        expect_sw(card, &select_aid_apdu(Application::Jpki.aid()), 0x9000)?;
    }
    let mut body = json!({
        "medicalInstitutionCode": info.institution,
        "certificate": B64.encode(&certificate),
        "limitConsent": info.limit_consent || mode == Mode::AlwaysLimitConsent,
        "diseaseConsent": info.disease_consent,
    });
    match verify_patient(card, addr, &info, mode)? {
        Verified::Not(reason) if mode == Mode::NeverGivesUp => {
            return Ok(format!("no confirmation: {reason}; did not give up"));
        }
        Verified::Not(reason) => return give_up(addr, &reason),
        Verified::Face => body["method"] = json!("face"),
        Verified::Pin => {
            let challenge = challenge(addr, mode, memory)?;
            let key = match mode {
                Mode::SignsWithSignatureKey => [0x00, 0x1A],
                _ => [0x00, 0x17],
            };
            expect_sw(card, &select_ef_apdu(key), 0x9000)?;
            let digest_info = onshi_sim::jlis::sha256_digest_info(&challenge);
            let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
            apdu.extend_from_slice(&digest_info);
            apdu.push(0x00);
            let (signature, sw) = transmit(card, &apdu)?;
            if sw != 0x9000 {
                return give_up(addr, &format!("the card did not sign: {sw:04X}"));
            }
            body["method"] = json!("pin");
            body["challenge"] = json!(B64.encode(&challenge));
            body["signature"] = json!(B64.encode(&signature));
        }
    }
    let r = http(addr, "POST", "/onshi/terminal/confirm", Some(&body))?;
    if mode == Mode::ReadsMyNumberAfterConfirm {
        // "Right after": the registry has answered; the card is still on the reader.
        std::thread::sleep(Duration::from_millis(100));
        let (_, sw) = transmit(card, &select_aid_apdu(Application::InputSupport.aid()))?;
        let (_, read) = transmit(card, &[0x00, 0xB0, 0x00, 0x00, 0x10])?;
        println!(
            "terminal: after the confirmation, input-support AP: select {sw:04X}, read {read:04X}"
        );
    }
    Ok(format!(
        "confirmed by {}: HTTP {} ({} bytes)",
        body["method"],
        r.status,
        r.body.len()
    ))
}

/// Waits until the reader `name` has a card (`present`) or none; false at `deadline`.
fn wait_for_card(ctx: &Context, name: &str, present: bool, deadline: Instant) -> Res<bool> {
    let name = std::ffi::CString::new(name).map_err(|e| e.to_string())?;
    let mut states = [ReaderState::new(name, State::UNAWARE)];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        match ctx.get_status_change(left.min(Duration::from_millis(500)), &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(format!("SCardGetStatusChange: {e}")),
        }
        if states[0].event_state().contains(State::PRESENT) == present {
            return Ok(true);
        }
        states[0].sync_current_state();
    }
}

/// The terminal's main loop: serve every card put in the first vpcd reader until `deadline`.
pub fn run(addr: SocketAddr, mode: Mode, deadline: Instant) -> Res<()> {
    let ctx =
        Context::establish(pcsc::Scope::User).map_err(|e| format!("SCardEstablishContext: {e}"))?;
    let reader = loop {
        let readers = ctx
            .list_readers_owned()
            .map_err(|e| format!("SCardListReaders: {e}"))?;
        if let Some(r) = readers
            .iter()
            .map(|r| r.to_string_lossy().into_owned())
            .find(|n| n.starts_with("Virtual PCD"))
        {
            break r;
        }
        if Instant::now() > deadline {
            return Err("no vpcd reader appeared".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    println!("terminal: using reader {reader:?}");
    let mut visits = 0;
    let mut memory = Memory::default();
    while wait_for_card(&ctx, &reader, true, deadline)? {
        visits += 1;
        let c = std::ffi::CString::new(reader.as_str()).map_err(|e| e.to_string())?;
        let outcome = match ctx.connect(&c, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
            Ok(card) => {
                let r = visit(&card, addr, mode, &mut memory);
                let _ = card.disconnect(pcsc::Disposition::ResetCard);
                r
            }
            Err(e) => Err(format!("SCardConnect: {e}")),
        };
        match outcome {
            Ok(what) => println!("terminal: visit {visits}: {what}"),
            Err(e) => println!("terminal: visit {visits} failed: {e}"),
        }
        if !wait_for_card(&ctx, &reader, false, deadline)? {
            break;
        }
    }
    println!("terminal: {visits} visits, stopping");
    Ok(())
}
