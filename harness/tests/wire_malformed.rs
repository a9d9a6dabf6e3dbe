//! The malformed corpus of the wire servers (`tests/wire_malformed/cases.tsv`): every broken
//! request file and HTTP body gets its documented answer — the exact ErrorCode /
//! ProcessingResultCode / data ErrorCode or HTTP status body — and the answer exists and parses.
//! Answers are snapshots (virtual clock and seed make them byte-stable).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wire_common;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use onshi_harness::wire::http::LOGIN_PATH;
use onshi_harness::wire::{FolderConfig, FolderServer, HttpConfig, HttpServer};
use onshi_sim::oqs::{self, ProcessingResultStatus, QualificationValidity, SegmentOfResult};
use serde_json::Value;
use wire_common::*;

struct Case {
    channel: String,
    file: String,
    target: String,
    answer: String,
    code: String,
    extra: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string("tests/wire_malformed/cases.tsv").unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "{l}");
            Case {
                channel: f[0].into(),
                file: f[1].into(),
                target: f[2].into(),
                answer: f[3].into(),
                code: f[4].into(),
                extra: f[5].into(),
            }
        })
        .collect()
}

#[test]
fn the_user_documentation_lists_every_result_code() {
    let doc = std::fs::read_to_string("../docs/oqs-folder.md").unwrap();
    for e in oqs::RESULT_CODES {
        assert!(
            doc.contains(&format!("| `{}` |", e.code)),
            "docs/oqs-folder.md lacks {}",
            e.code
        );
        assert!(
            doc.contains(e.message_ja),
            "docs/oqs-folder.md: message of {}",
            e.code
        );
    }
}

fn stem(file: &str) -> &str {
    file.rsplit_once('.').map_or(file, |(s, _)| s)
}

#[test]
fn the_corpus_has_at_least_forty_cases_of_each_kind_together() {
    let all = cases();
    assert!(all.len() >= 40, "{}", all.len());
    assert!(all.iter().any(|c| c.channel == "folder"));
    assert!(all.iter().any(|c| c.channel == "http"));
}

/// Checks one folder answer against the expected code and place.
fn check_folder_answer(case: &Case, bytes: &[u8]) {
    let name = &case.answer;
    let code = Some(case.code.as_str());
    let where_ = case.extra.as_str();
    if name.starts_with("OQSsiquc01res") {
        let r = oqs::decode_confirm_response(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        match where_ {
            "header" => {
                assert_eq!(
                    r.header.segment_of_result,
                    SegmentOfResult::Failed,
                    "{name}"
                );
                assert_eq!(r.header.error_code.as_deref(), code, "{name}");
                assert!(r.header.error_message.is_some(), "{name}");
                assert_eq!(
                    r.body.processing_result_status,
                    ProcessingResultStatus::Error,
                    "{name}"
                );
                assert_eq!(r.body.processing_result_code.as_deref(), code, "{name}");
                assert!(r.body.results.is_empty(), "{name}");
            }
            "validity4" => {
                assert_eq!(r.header.segment_of_result, SegmentOfResult::Completed);
                assert_eq!(
                    r.body.qualification_validity,
                    Some(QualificationValidity::NotFound)
                );
            }
            "ok-warning" => {
                assert_eq!(r.header.segment_of_result, SegmentOfResult::Completed);
                assert_eq!(
                    r.body.qualification_validity,
                    Some(QualificationValidity::Valid)
                );
                // The empty element is echoed as it came (an empty identifier).
                assert_eq!(r.header.arbitrary_file_identifier.as_deref(), Some(""));
            }
            other => panic!("{name}: unknown place {other}"),
        }
    } else if name.starts_with("OQSsiimm01res") {
        let r = oqs::decode_registration_response(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        match where_ {
            "header" => {
                assert_eq!(
                    r.header.segment_of_result,
                    SegmentOfResult::Failed,
                    "{name}"
                );
                assert_eq!(r.header.error_code.as_deref(), code, "{name}");
            }
            "body" => {
                assert_eq!(r.header.segment_of_result, SegmentOfResult::Completed);
                assert_eq!(
                    r.body.processing_result_status,
                    ProcessingResultStatus::Error
                );
                assert_eq!(r.body.processing_result_code.as_deref(), code, "{name}");
                assert!(r.body.info.is_some(), "{name}: the info is echoed");
            }
            other => panic!("{name}: unknown place {other}"),
        }
    } else if name.starts_with("OQSmuquc02res") {
        let r = oqs::decode_bulk_download_response(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            r.header.segment_of_result,
            SegmentOfResult::Failed,
            "{name}"
        );
        assert_eq!(r.header.error_code.as_deref(), code, "{name}");
    } else if name.starts_with("OQSmu") {
        let r = oqs::decode_bulk_upload_response(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            r.header.segment_of_result,
            SegmentOfResult::Failed,
            "{name}"
        );
        assert_eq!(r.header.error_code.as_deref(), code, "{name}");
        assert_eq!(r.body.processing_result_code.as_deref(), code, "{name}");
    } else if name.starts_with("YZK") || name.starts_with("TKK") {
        let r = oqs::decode_medical_info_response(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(where_, "data", "{name}");
        assert_eq!(
            r.header.result_code,
            ProcessingResultStatus::Error,
            "{name}"
        );
        assert_eq!(r.header.error_code.as_deref(), code, "{name}");
        assert!(r.header.message_contents.is_some(), "{name}");
        assert!(r.result.is_none(), "{name}");
    } else {
        panic!("{name}: no checker");
    }
}

#[test]
fn every_malformed_request_file_gets_its_documented_answer() {
    let all: Vec<Case> = cases()
        .into_iter()
        .filter(|c| c.channel == "folder")
        .collect();
    let root = TempDir::new("malformed");
    let service = service();
    let mut config = FolderConfig::new(root.path());
    config.settle = Duration::from_millis(100);
    config.complete_timeout = Duration::from_millis(1500);
    config.rescan_interval = Duration::from_millis(200);
    config.max_request_bytes = 16 * 1024;
    let server = FolderServer::start(config, service.clone()).unwrap();
    let req = root.path().join("req");
    for c in &all {
        let bytes = std::fs::read(Path::new("tests/wire_malformed/folder").join(&c.file)).unwrap();
        drop_request(&req, &c.target, &bytes);
    }
    assert!(
        service
            .log()
            .wait_for(all.len() as u64, Duration::from_secs(30)),
        "only {} of {} answered",
        service.log().total(),
        all.len()
    );
    server.stop();
    let log: HashMap<String, _> = service
        .log()
        .snapshot()
        .into_iter()
        .map(|r| (r.request.clone(), r))
        .collect();
    for c in &all {
        let record = log
            .get(&c.target)
            .unwrap_or_else(|| panic!("{}: not logged", c.file));
        if c.answer == "-" {
            assert_eq!(record.answer, None, "{}", c.file);
            assert_eq!(record.result_code.as_deref(), Some(c.code.as_str()));
            continue;
        }
        let path = root.path().join("res").join(&c.answer);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", c.file));
        check_folder_answer(c, &bytes);
        if c.code != "-" {
            assert_eq!(
                record.result_code.as_deref(),
                Some(c.code.as_str()),
                "{}",
                c.file
            );
            // Request-level codes (ONS-E00xx) come from a broken rule the log names;
            // person-level ones (ONS-E01xx) are the registry's answer to a sound request.
            assert!(
                !c.code.starts_with("ONS-E00")
                    || record.violations.iter().any(|v| v.code == c.code),
                "{}: {:?}",
                c.file,
                record.violations
            );
        } else if c.extra == "ok-warning" {
            assert!(record.violations.iter().any(|v| v.code == "ONS-W0303"));
        }
        assert_eq!(record.answer.as_deref(), Some(c.answer.as_str()));
        insta::assert_snapshot!(
            format!("folder-{}", stem(&c.file)),
            String::from_utf8_lossy(&bytes)
        );
    }
    // Every request was taken away, and res holds only finished answers.
    assert_eq!(std::fs::read_dir(&req).unwrap().count(), 0);
    for e in std::fs::read_dir(root.path().join("res")).unwrap() {
        let n = e.unwrap().file_name().into_string().unwrap();
        assert!(!n.starts_with('.'), "temporary left: {n}");
    }
}

#[tokio::test]
async fn every_malformed_http_request_gets_its_documented_answer() {
    let all: Vec<Case> = cases()
        .into_iter()
        .filter(|c| c.channel == "http")
        .collect();
    let service = service();
    let server = HttpServer::start(HttpConfig::default(), service.clone())
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let login: Value = client
        .post(format!("{}{LOGIN_PATH}", server.url()))
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"medicalInstitutionCode":"{CLINIC}"}}"#))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["result"]["idToken"].as_str().unwrap().to_string();
    for c in &all {
        let mut body = std::fs::read(Path::new("tests/wire_malformed/http").join(&c.file)).unwrap();
        let (method, path) = c.target.split_once(' ').unwrap();
        let mut content_type = "application/json;charset=UTF-8".to_string();
        let mut auth = Some(token.clone());
        for t in c.extra.split(',').filter(|t| *t != "-") {
            match t.split_once('=') {
                Some(("ct", v)) => content_type = v.to_string(),
                Some(("auth", "none")) => auth = None,
                Some(("auth", "bearer")) => auth = Some(format!("Bearer {token}")),
                Some(("auth", "bogus")) => auth = Some("oqs-id.ffff".into()),
                Some(("pad", n)) => body.extend(std::iter::repeat_n(b' ', n.parse().unwrap())),
                _ => panic!("{}: unknown tweak {t}", c.file),
            }
        }
        let mut r = client
            .request(method.parse().unwrap(), format!("{}{path}", server.url()))
            .header("Content-Type", &content_type)
            .body(body);
        if let Some(a) = &auth {
            r = r.header("Authorization", a);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status.to_string(), c.answer, "{}: {text}", c.file);
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", c.file));
        if status == 200 {
            let h = &v["XmlMsg"]["MessageHeader"];
            assert_eq!(h["SegmentOfResult"], "9", "{}", c.file);
            assert_eq!(h["ErrorCode"], c.code.as_str(), "{}: {text}", c.file);
            // The request's code when it could be read, else the token's.
            assert_eq!(
                h["MedicalInstitutionCode"].as_str().map(str::len),
                Some(10),
                "{}",
                c.file
            );
            assert_eq!(
                v["XmlMsg"]["MessageBody"]["ProcessingResultStatus"], "2",
                "{}",
                c.file
            );
        } else {
            assert_eq!(v["status"], c.code.as_str(), "{}: {text}", c.file);
            assert!(v["msg"].is_string(), "{}", c.file);
        }
        insta::assert_snapshot!(
            format!("http-{}", stem(&c.file)),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
    let logged = service.log().total();
    // The login plus one record per case.
    assert_eq!(logged, all.len() as u64 + 1);
    server.stop().await;
}
