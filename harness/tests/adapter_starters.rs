//! The adapter starters (`examples/adapter-starters/`, `onshi new-adapter`): for Python and
//! TypeScript, `onshi new-adapter` writes the starter into an empty folder (the same bytes as
//! the examples), prints the command to use, and the skeleton run with exactly that command
//! passes the protocol handshake: a provider scenario fails on its checks (the skeleton records
//! nothing real), never on the protocol. The skeletons also answer every message type directly,
//! and the Python helper's unit tests pass.
//!
//! The TypeScript starter needs `tsc` and `node`: when either is missing the test fails and says
//! how to install them (Debian: `apt-get install nodejs node-typescript`); it is never skipped.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use onshi_reports::Verdict;

const ONSHI: &str = env!("CARGO_BIN_EXE_onshi");
const SCENARIO: &str = "scenarios/provider/paper-limit-answer.yaml";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn onshi(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(ONSHI)
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `onshi new-adapter --language <language> <dir>` in `cwd`; checks the files and returns the
/// printed lines.
fn new_adapter(cwd: &Path, language: &str, dir: &str) -> Vec<String> {
    let out = onshi(
        cwd,
        &["--lang", "en", "new-adapter", "--language", language, dir],
    );
    assert!(out.status.success(), "{}", text(&out));
    let written = cwd.join(dir);
    let example = repo().join("examples/adapter-starters").join(language);
    let mut names: Vec<String> = std::fs::read_dir(&written)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in &names {
        assert_eq!(
            std::fs::read(written.join(name)).unwrap(),
            std::fs::read(example.join(name)).unwrap(),
            "{name} differs from examples/adapter-starters/{language}/{name}"
        );
    }
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The `--adapter` value of the printed `onshi run --adapter "<cmd>" ...` line.
fn adapter_command(lines: &[String]) -> String {
    let line = lines
        .iter()
        .find(|l| l.trim_start().starts_with("onshi run --adapter \""))
        .unwrap_or_else(|| panic!("no `onshi run --adapter \"...\"` line in {lines:#?}"));
    let rest = line.split_once("--adapter \"").unwrap().1;
    rest.split_once('"').unwrap().0.to_string()
}

fn sh(cwd: &Path, command: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// Runs the provider scenario with `adapter` (from `cwd`) and checks that the handshake and
/// every exchange kept to the protocol: the scenario fails on its checks only.
fn fails_on_checks_only(cwd: &Path, adapter: &str) {
    let scenario = repo().join(SCENARIO);
    let out = onshi(
        cwd,
        &[
            "--lang",
            "en",
            "run",
            scenario.to_str().unwrap(),
            "--adapter",
            adapter,
            "--adapter-timeout",
            "20",
            "--out",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let record =
        onshi_reports::json::parse(&std::fs::read_to_string(cwd.join("out/run.json")).unwrap())
            .unwrap();
    assert_eq!(record.scenarios.len(), 1, "{}", text(&out));
    let s = &record.scenarios[0];
    assert_eq!(s.verdict, Verdict::Fail);
    if let Some(error) = &s.error {
        let lower = error.to_lowercase();
        for word in [
            "hello",
            "ready",
            "protocol",
            "could not be started",
            "did not answer",
            "exited",
        ] {
            assert!(
                !lower.contains(word),
                "the skeleton broke the handshake or the protocol ({word}): {error}"
            );
        }
        panic!("the scenario ended in an error, not on its checks: {error}");
    }
    let failed: Vec<&str> = s
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        failed.contains(&"provider.path"),
        "the skeleton's `recorded` replies were compared: {failed:?}"
    );
    assert!(
        s.checks
            .iter()
            .any(|c| c.name == "provider.path" && c.actual.contains("paper_certificate")),
        "the skeleton's placeholder path arrived"
    );
    assert!(
        s.checks
            .iter()
            .filter(|c| c.name == "provider.my_number_not_stored")
            .all(|c| c.verdict == Verdict::Pass),
        "the skeleton keeps no My Number"
    );
    assert!(
        s.trace
            .iter()
            .any(|t| t.kind == "provider.log" && t.summary.contains("not implemented yet")),
        "the skeleton's log lines reach the trace"
    );
}

/// Every message onshi sends, to the skeleton directly: one reply of the right type each,
/// errors (not silence, not a crash) for a message it cannot handle, exit after `bye`.
fn answers_every_message(cwd: &Path, command: &str) {
    let oqs = cwd.join("oqs");
    let o = oqs.display();
    let messages = [
        r#"{"type":"time","now":"2026-04-10T09:00:00+09:00"}"#.to_string(),
        format!(
            r#"{{"type":"hello","protocol":"onshi-cap/1","scenario":"x/y","seed":1,"now":"2026-04-10T09:00:00+09:00","oqs":{{"root":"{o}","req":"{o}/req","res":"{o}/res","face":"{o}/face","http":null,"encoding":"utf8"}},"institutions":[{{"key":"clinic","code":"1310143217","name":"オンシ内科クリニック"}}],"added_later":true}}"#
        ),
        r#"{"type":"visit","visit":"v","now":"2026-04-10T09:00:00+09:00","institution":"1310143217","patient":{"key":"taro","name":"山田　太郎","kana":"ﾔﾏﾀﾞ ﾀﾛｳ","birthdate":"19800510","intake_form":{"my_number":"912345678901"}},"presents":"card","face_file":null,"certificate":{"insurer_number":"01130012","symbol":"1234","number":"5678","branch":"00","birthdate":"19800510"},"limit_consent":true,"fee":{"total":4000,"many_times":false},"care":"outpatient"}"#.to_string(),
        r#"{"type":"observe","visit":"v","now":"2026-04-11T10:00:00+09:00"}"#.to_string(),
        r#"{"type":"observe","visit":"nobody","now":"2026-04-11T10:00:00+09:00"}"#.to_string(),
        r#"{"type":"visit","visit":"broken"}"#.to_string(),
        r#"{"type":"time","now":"2026-04-11T10:00:00+09:00"}"#.to_string(),
        r#"{"type":"outage","now":"2026-04-10T09:00:00+09:00","kind":"emergency","from":"2026-04-10T09:00:00+09:00","until":"2026-04-10T15:00:00+09:00"}"#.to_string(),
        r#"{"type":"mystery"}"#.to_string(),
        r#"{"type":"end","now":"2026-04-11T10:00:00+09:00"}"#.to_string(),
    ];
    let want = [
        "error", "ready", "recorded", "recorded", "error", "error", "done", "done", "error", "bye",
    ];
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut replies = Vec::new();
    for m in &messages {
        writeln!(stdin, "{m}").unwrap();
        stdin.flush().unwrap();
        // One reply per message; `log` lines on the way are not replies.
        loop {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "`{command}` closed its output after {replies:?}"
            );
            let reply: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not JSON from `{command}`: {line:?}: {e}"));
            // Every line is what onshi's strict parser accepts.
            onshi_harness::adapter::protocol::parse_line(line.trim_end())
                .unwrap_or_else(|e| panic!("onshi refuses {line:?}: {e}"));
            if reply["type"] != "log" {
                replies.push(reply);
                break;
            }
        }
    }
    // Exits after `bye` although its standard input is still open.
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            panic!("`{command}` did not exit within 10 s after bye");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(stdin);
    assert!(status.success(), "`{command}` exited with {status}");
    let kinds: Vec<&str> = replies
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, want, "{replies:#?}");
    assert_eq!(replies[1]["protocol"], "onshi-cap/1");
    assert_eq!(replies[2]["visit"], "v");
    assert_eq!(replies[2], replies[3], "observe: the visit's last record");
    assert!(
        !replies
            .iter()
            .any(|r| r.to_string().contains("912345678901"))
    );
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("mystery") && err.contains("before hello"),
        "errors are explained on standard error: {err}"
    );
}

fn tool(name: &str) -> Result<String, String> {
    match Command::new(name).arg("--version").output() {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        Ok(o) => Err(format!("`{name} --version` failed: {}", text(&o))),
        Err(e) => Err(format!("`{name}` cannot be run: {e}")),
    }
}

#[test]
fn the_python_skeleton_passes_the_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let lines = new_adapter(dir.path(), "python", "my-adapter");
    let command = adapter_command(&lines);
    assert_eq!(command, "python3 my-adapter/adapter.py");
    answers_every_message(dir.path(), &command);
    fails_on_checks_only(dir.path(), &command);
}

#[test]
fn the_typescript_skeleton_builds_and_passes_the_handshake() {
    let missing: Vec<String> = ["tsc", "node"]
        .into_iter()
        .filter_map(|t| tool(t).err())
        .collect();
    assert!(
        missing.is_empty(),
        "the TypeScript starter test needs tsc (TypeScript 4.8+) and node (18+): {missing:?}.\n\
         Install them: on Debian/Ubuntu `apt-get install -y nodejs node-typescript` (as root), \
         elsewhere Node.js and `npm install -g typescript`."
    );
    let dir = tempfile::tempdir().unwrap();
    // A folder name the shell would split: the printed commands must quote it.
    let lines = new_adapter(dir.path(), "typescript", "my adapter");
    let build = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("tsc -p "))
        .unwrap_or_else(|| panic!("no `tsc -p` line in {lines:#?}"));
    assert_eq!(build, "tsc -p 'my adapter'");
    let out = sh(dir.path(), build);
    assert!(out.status.success(), "{build}: {}", text(&out));
    let command = adapter_command(&lines);
    assert_eq!(command, "node 'my adapter/dist/adapter.js'");
    answers_every_message(dir.path(), &command);
    fails_on_checks_only(dir.path(), &command);
}

#[test]
fn new_adapter_refuses_a_folder_that_holds_anything() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let out = onshi(
        dir.path(),
        &["--lang", "en", "new-adapter", "--language", "python", "."],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "nothing was written");
    std::fs::write(dir.path().join("file"), "").unwrap();
    let out = onshi(
        dir.path(),
        &["new-adapter", "--language", "typescript", "file"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn the_python_helper_unit_tests_pass() {
    let out = Command::new("python3")
        .args(["-m", "unittest", "discover", "-s"])
        .arg(repo().join("examples/adapter-starters/python"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}
