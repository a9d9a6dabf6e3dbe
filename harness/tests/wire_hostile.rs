//! Hostile entries in the OQS folders and hostile bind addresses: a symbolic link in req is never
//! followed (nothing outside the root is read or echoed), links, folders and named pipes named
//! like requests are answered `ONS-E0019` and moved to `rejected/` instead of staying in req
//! forever, long request names are answered (the temporary answer name stays short) or moved
//! aside when no answer can be written, and every server refuses a non-loopback address without
//! `--allow-remote`. Every wait has a timeout; no test measures time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wire_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use onshi_sim::oqs::{self, SegmentOfResult};
use wire_common::*;

/// Waits until nothing (not even a dangling link) is left at `path`.
fn wait_no_entry(path: &Path, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while std::fs::symlink_metadata(path).is_ok() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Every regular file below `dir`, links not followed.
fn regular_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let kind = e.file_type().unwrap();
        if kind.is_dir() {
            regular_files(&e.path(), out);
        } else if kind.is_file() {
            out.push(e.path());
        }
    }
}

/// The error answer onshi wrote for `answer` (in res), decoded: its header ErrorCode.
fn error_code_of(root: &TempDir, answer: &str) -> Option<String> {
    let bytes = wait_for_file(&root.path().join("res").join(answer), WAIT)
        .unwrap_or_else(|| panic!("no answer {answer}"));
    let r = oqs::decode_confirm_response(&bytes).unwrap();
    assert_eq!(r.header.segment_of_result, SegmentOfResult::Failed);
    assert_eq!(r.header.arbitrary_file_identifier, None, "nothing echoed");
    r.header.error_code
}

/// Asserts that `entry` left req for `rejected/` as the same kind of entry.
fn assert_moved_aside(root: &TempDir, entry: &str, is_kind: fn(&std::fs::FileType) -> bool) {
    assert!(
        wait_no_entry(&root.path().join("req").join(entry), WAIT),
        "{entry} stays in req"
    );
    let aside = std::fs::symlink_metadata(root.path().join("rejected").join(entry))
        .unwrap_or_else(|e| panic!("{entry} not in rejected/: {e}"));
    assert!(is_kind(&aside.file_type()), "{entry}: {aside:?}");
}

#[test]
fn a_symlink_to_a_file_outside_the_root_is_never_followed_nor_echoed() {
    let outside = TempDir::new("outside");
    let root = TempDir::new("symlink");
    let service = service();
    let _server = start(&root, &service);
    // A perfectly good request, but outside the root: it must never be read.
    let secret_afi = "OUTSIDE-7c1e9b04d2";
    let secret_ai = "OUTSIDE-ai-5f30a8";
    let target = outside.path().join("secret.xml");
    let secret = taro_request(secret_afi, secret_ai);
    std::fs::write(&target, &secret).unwrap();
    let entry = "OQSsiquc01req_000000000700.xml";
    std::os::unix::fs::symlink(&target, root.path().join("req").join(entry)).unwrap();

    assert_eq!(
        error_code_of(&root, "OQSsiquc01res_000000000700.xml").as_deref(),
        Some("ONS-E0019")
    );
    assert_moved_aside(&root, entry, std::fs::FileType::is_symlink);
    let mut files = Vec::new();
    regular_files(root.path(), &mut files);
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        assert!(
            !text.contains(secret_afi) && !text.contains(secret_ai),
            "{} carries the outside file's identifiers",
            f.display()
        );
    }
    let log = service.log().snapshot();
    assert!(!format!("{log:?}").contains("OUTSIDE-"), "{log:?}");
    assert!(
        log.iter()
            .any(|r| r.request == entry && r.result_code.as_deref() == Some("ONS-E0019")),
        "{log:?}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), secret);
}

#[test]
fn a_dangling_symlink_present_at_the_start_is_answered_and_moved_aside() {
    let outside = TempDir::new("dangling-target");
    let root = TempDir::new("dangling");
    let req = root.path().join("req");
    std::fs::create_dir_all(&req).unwrap();
    let entry = "OQSsiquc01req_000000000701.xml";
    std::os::unix::fs::symlink(outside.path().join("missing.xml"), req.join(entry)).unwrap();
    let service = service();
    let _server = start(&root, &service);
    assert_eq!(
        error_code_of(&root, "OQSsiquc01res_000000000701.xml").as_deref(),
        Some("ONS-E0019")
    );
    assert_moved_aside(&root, entry, std::fs::FileType::is_symlink);
}

#[test]
fn a_folder_named_like_a_request_is_answered_and_moved_aside_whole() {
    let root = TempDir::new("folder");
    let service = service();
    let _server = start(&root, &service);
    let entry = "OQSsiquc01req_000000000702.xml";
    let staging = root.path().join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join("inner.txt"), b"kept").unwrap();
    std::fs::rename(&staging, root.path().join("req").join(entry)).unwrap();
    assert_eq!(
        error_code_of(&root, "OQSsiquc01res_000000000702.xml").as_deref(),
        Some("ONS-E0019")
    );
    assert_moved_aside(&root, entry, std::fs::FileType::is_dir);
    let inner = root.path().join("rejected").join(entry).join("inner.txt");
    assert_eq!(std::fs::read(inner).unwrap(), b"kept");
}

/// Should a regression open a named pipe, this opens its other end on drop so the reader (and
/// the server's stop) cannot hang the test run.
struct FifoRelease(Vec<PathBuf>);

impl Drop for FifoRelease {
    fn drop(&mut self) {
        use std::os::unix::fs::FileTypeExt;
        for p in &self.0 {
            if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo()) {
                let p = p.clone();
                std::thread::spawn(move || drop(std::fs::OpenOptions::new().write(true).open(p)));
            }
        }
    }
}

#[test]
fn a_named_pipe_is_never_opened_and_the_server_goes_on_answering() {
    use std::os::unix::fs::FileTypeExt;
    let root = TempDir::new("fifo");
    let service = service();
    let _server = start(&root, &service);
    let req = root.path().join("req");
    let entry = "OQSsiquc01req_000000000703.xml";
    let _release = FifoRelease(vec![
        req.join(entry),
        root.path().join("rejected").join(entry),
    ]);
    let status = Command::new("mkfifo")
        .arg(req.join(entry))
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo");
    assert_eq!(
        error_code_of(&root, "OQSsiquc01res_000000000703.xml").as_deref(),
        Some("ONS-E0019")
    );
    assert_moved_aside(&root, entry, |t| t.is_fifo());
    // The worker is not stuck on the pipe: the next request is answered normally.
    drop_request(
        &req,
        "OQSsiquc01req_000000000704.xml",
        taro_request("AFTER-FIFO", "A").as_bytes(),
    );
    let bytes = wait_for_file(
        &root.path().join("res/OQSsiquc01res_000000000704.xml"),
        WAIT,
    )
    .expect("answered after the pipe");
    let r = oqs::decode_confirm_response(&bytes).unwrap();
    assert_eq!(r.header.segment_of_result, SegmentOfResult::Completed);
}

#[test]
fn a_request_name_of_248_characters_is_answered_under_its_own_name() {
    let root = TempDir::new("long-name");
    let service = service();
    let _server = start(&root, &service);
    let suffix = "7".repeat(248 - "OQSsiquc01req_.xml".len());
    let name = format!("OQSsiquc01req_{suffix}.xml");
    assert_eq!(name.len(), 248);
    drop_request(
        &root.path().join("req"),
        &name,
        taro_request("LONG-NAME", "L").as_bytes(),
    );
    let answer = format!("OQSsiquc01res_{suffix}.xml");
    let bytes = wait_for_file(&root.path().join("res").join(&answer), WAIT)
        .expect("a long request name is answered");
    let r = oqs::decode_confirm_response(&bytes).unwrap();
    assert_eq!(r.header.segment_of_result, SegmentOfResult::Completed);
    assert_eq!(
        r.header.arbitrary_file_identifier.as_deref(),
        Some("LONG-NAME")
    );
    assert!(wait_gone(&root.path().join("req").join(&name), WAIT));
    let log = service.log().snapshot();
    assert_eq!(log[0].answer.as_deref(), Some(answer.as_str()));
}

#[test]
fn a_request_whose_answer_name_cannot_exist_is_moved_aside_not_consumed() {
    let root = TempDir::new("too-long-answer");
    let service = service();
    let _server = start(&root, &service);
    // No extension: the answer name gains `.xml` and becomes 257 bytes, over NAME_MAX (255).
    let name = format!("OQSsiquc01req_{}", "8".repeat(253 - "OQSsiquc01req_".len()));
    assert_eq!(name.len(), 253);
    let staged = root.path().join("staged");
    std::fs::write(&staged, taro_request("NO-ANSWER", "N")).unwrap();
    std::fs::rename(&staged, root.path().join("req").join(&name)).unwrap();
    assert_moved_aside(&root, &name, std::fs::FileType::is_file);
    let kept = std::fs::read_to_string(root.path().join("rejected").join(&name)).unwrap();
    assert!(kept.contains("NO-ANSWER"), "the request is kept whole");
    let log = service.log().snapshot();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].request, name);
    assert_eq!(log[0].answer, None);
}

/// Runs the onshi binary with standard input closed; kills it (and fails) if it is still running
/// after a generous limit, which only a regression (a server started) would reach.
fn onshi(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "onshi {args:?} kept running (it served): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn assert_refused(args: &[&str]) {
    let out = onshi(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains("--allow-remote"), "{args:?}: {stderr}");
    assert!(stderr.contains("0.0.0.0:0"), "{args:?}: {stderr}");
}

#[test]
fn serve_oqs_refuses_every_interface_without_allow_remote() {
    assert_refused(&[
        "serve-oqs",
        "--scenario",
        "tests/wire/world.yaml",
        "--http",
        "0.0.0.0:0",
    ]);
}

#[test]
fn serve_and_card_insert_refuse_every_interface_without_allow_remote() {
    let vpcd = "127.0.0.1:1";
    assert_refused(&[
        "serve",
        "--scenario",
        "tests/wire/world.yaml",
        "--vpcd",
        vpcd,
        "--http",
        "0.0.0.0:0",
    ]);
    assert_refused(&[
        "card",
        "insert",
        "--scenario",
        "tests/wire/world.yaml",
        "--person",
        "taro",
        "--vpcd",
        vpcd,
        "--http",
        "0.0.0.0:0",
    ]);
}

#[test]
fn allow_remote_lets_the_address_through_with_a_warning() {
    // A missing scenario ends the run after the address check: no server is started.
    let out = onshi(&[
        "serve-oqs",
        "--scenario",
        "tests/wire/does-not-exist.yaml",
        "--http",
        "0.0.0.0:0",
        "--allow-remote",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("warning"), "{stderr}");
    assert!(stderr.contains("every network interface"), "{stderr}");
    assert!(stderr.contains("does-not-exist.yaml"), "{stderr}");
}
