//! Logs through `tracing` (harness/src/logging.rs): `-v` shows a scenario's adapter exchange
//! on standard error, `--log FILE` writes JSON lines, APDUs appear at trace level, and a PIN
//! never appears in any log.
#![allow(clippy::unwrap_used)]

use std::process::Command;

const ONSHI: &str = env!("CARGO_BIN_EXE_onshi");
const PROVIDER_SCENARIO: &str = "../scenarios/provider/paper-limit-answer.yaml";
const PIN_SCENARIO: &str = "../scenarios/terminal/pin-blocked-at-the-reader.yaml";

fn json_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(!text.trim().is_empty(), "the log is empty");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("log line {} is not JSON ({e}): {l}", i + 1))
        })
        .collect()
}

#[test]
fn verbose_shows_the_adapter_exchange_and_log_writes_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("onshi.log");
    let adapter = format!(
        "python3 {}/../examples/clinic-py/adapter.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = Command::new(ONSHI)
        .args([
            "--lang",
            "en",
            "-v",
            "run",
            PROVIDER_SCENARIO,
            "--adapter",
            &adapter,
        ])
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--log")
        .arg(&log)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Both directions of the protocol, and the system's requests through the OQS folders.
    assert!(stderr.contains("adapter started"), "{stderr}");
    assert!(
        stderr.contains("direction=\"to\"") || stderr.contains("direction=to"),
        "{stderr}"
    );
    assert!(stderr.contains("\"type\":\"hello\""), "{stderr}");
    assert!(stderr.contains("\"ready\""), "{stderr}");
    assert!(stderr.contains("exchange"), "{stderr}");
    let events = json_lines(&log);
    let messages: Vec<&str> = events
        .iter()
        .filter_map(|e| e["fields"]["message"].as_str())
        .collect();
    for want in ["adapter started", "message", "exchange", "adapter ended"] {
        assert!(
            messages.contains(&want),
            "no `{want}` event in {messages:?}"
        );
    }
    // Events inside a scenario carry its span.
    assert!(
        events
            .iter()
            .any(|e| e["span"]["id"] == "provider/paper-limit-answer"),
        "no event in the scenario's span"
    );
}

#[test]
fn apdus_are_logged_at_trace_level_and_no_pin_ever_is() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("onshi.log");
    let out = Command::new(ONSHI)
        .args(["--lang", "en", "-vvv", "run", PIN_SCENARIO])
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--log")
        .arg(&log)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("apdu"), "no APDU at -vvv: {stderr}");
    assert!(
        stderr.contains("00200080 +"),
        "the VERIFY APDU (header only) is missing"
    );
    let file = std::fs::read_to_string(&log).unwrap();
    json_lines(&log);
    // The PINs typed in the scenario (1111, 2222, 3333, 1234), as APDU data in hex.
    for pin in ["31313131", "32323232", "33333333", "31323334"] {
        assert!(!stderr.contains(pin), "PIN {pin} on standard error");
        assert!(!file.contains(pin), "PIN {pin} in the log file");
    }
}
