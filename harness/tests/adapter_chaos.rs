//! Adapters that attack onshi, as a careless or hostile system under test would: a flood of
//! `log` lines, a hang, background children, a grandchild left running after a good run,
//! binary output, a huge line, and onshi itself interrupted with SIGINT mid-run. Each ends in
//! a verdict with the reason; onshi's memory stays bounded; no process is left behind.
//!
//! Orphans are found by a unique marker in the command line of every process an adapter
//! starts, searched in `/proc` after the run (zombies have no command line and do not count).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use onshi_harness::adapter::AdapterCommand;
use onshi_harness::catalog::Catalog;
use onshi_harness::roles::{ProviderRole, Roles};
use onshi_harness::run::execute::{AdapterRun, execute_bound};
use onshi_reports::{ScenarioRecord, Verdict};

const SCENARIO: &str = "../scenarios/provider/paper-limit-answer.yaml";
const ONSHI: &str = env!("CARGO_BIN_EXE_onshi");

/// A marker no other process on the machine has in its command line.
fn marker(name: &str) -> String {
    format!(
        "onshi-chaos-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Live processes whose command line contains `mark`.
fn processes_with(mark: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline"))
            && String::from_utf8_lossy(&cmd).contains(mark)
        {
            found.push(pid);
        }
    }
    found
}

/// The processes with `mark` after killed ones had up to 5 s to be reaped.
fn orphans(mark: &str) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = processes_with(mark);
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A python process that sleeps for 1000 s with `mark` in its command line.
fn sleeper(mark: &str) -> String {
    format!("python3 -c 'import time; time.sleep(1000)' {mark}")
}

fn run_with(command: String, exchanges: PathBuf, timeout: Duration) -> ScenarioRecord {
    let sc = onshi_harness::scenario::open(Path::new(SCENARIO), Catalog::builtin()).unwrap();
    let role = ProviderRole::Adapter(Arc::new(AdapterRun {
        command: AdapterCommand { command, timeout },
        exchanges,
        http: false,
    }));
    let roles = Roles {
        provider: role,
        ..Roles::default()
    };
    execute_bound(&sc.plan, &sc.sources, 1, &roles)
}

fn error_of(r: &ScenarioRecord) -> String {
    assert_eq!(r.verdict, Verdict::Fail, "{r:#?}");
    r.error.clone().unwrap_or_default()
}

/// Peak resident memory (kB) of a process, sampled until it exits; and its exit code.
fn peak_rss(mut child: std::process::Child) -> (u64, Option<i32>) {
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return (peak, status.code());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("onshi did not finish within 120 s under the flood");
        }
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kb) = text
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_flood_of_log_lines_times_out_and_memory_stays_bounded() {
    // Without a bound the log vector grew ~0.4 GB/s and the reply deadline never fired.
    let out = tempfile::tempdir().unwrap();
    let child = Command::new(ONSHI)
        .args(["--lang", "en", "run", SCENARIO, "--adapter-timeout", "3"])
        .args(["--timeout", "60", "--out"])
        .arg(out.path())
        .arg("--adapter")
        .arg(r#"yes '{"type":"log","message":"x"}'"#)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (peak_kb, code) = peak_rss(child);
    println!(
        "peak memory of onshi under the log flood: {} MB",
        peak_kb / 1024
    );
    std::fs::write(
        env!("CARGO_TARGET_TMPDIR").to_string() + "/adapter-flood-peak-mb.txt",
        format!("{}\n", peak_kb / 1024),
    )
    .unwrap();
    assert_eq!(code, Some(1), "the scenario fails, onshi does not crash");
    let json = std::fs::read_to_string(out.path().join("run.json")).unwrap();
    assert!(
        json.contains("did not answer `hello` within 3 s"),
        "the per-reply timeout held under the flood: {json}"
    );
    assert!(peak_kb < 300 * 1024, "peak {peak_kb} kB");
}

#[test]
fn a_hanging_adapter_is_killed_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let mark = marker("hang");
    // A background child and a foreground one, both asleep: only `sh` used to be killed.
    let cmd = format!("{} & {}", sleeper(&mark), sleeper(&mark));
    let e = error_of(&run_with(cmd, dir.path().join("x"), Duration::from_secs(2)));
    assert!(e.contains("did not answer `hello` within 2 s"), "{e}");
    assert_eq!(orphans(&mark), Vec::<u32>::new(), "processes left running");
}

#[test]
fn a_good_adapter_leaves_no_background_process_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mark = marker("good");
    let script = dir.path().join("good.py");
    std::fs::write(
        &script,
        format!(
            "import json, subprocess, sys\n\
             subprocess.Popen(['python3', '-c', 'import time; time.sleep(1000)', '{mark}'])\n\
             def send(o):\n    sys.stdout.write(json.dumps(o) + '\\n'); sys.stdout.flush()\n\
             for line in sys.stdin:\n    m = json.loads(line)\n    t = m['type']\n\
             \x20   if t == 'hello': send({{'type': 'ready', 'protocol': 'onshi-cap/1', 'system': {{'name': 'g', 'version': '0'}}}})\n\
             \x20   elif t == 'end': send({{'type': 'bye'}}); break\n\
             \x20   elif t == 'visit': send({{'type': 'error', 'message': 'no desk'}})\n\
             \x20   else: send({{'type': 'done'}})\n"
        ),
    )
    .unwrap();
    let r = run_with(
        format!("python3 {}", script.display()),
        dir.path().join("x"),
        Duration::from_secs(10),
    );
    assert!(error_of(&r).contains("no desk"));
    assert_eq!(
        orphans(&mark),
        Vec::<u32>::new(),
        "a grandchild outlived the run"
    );
}

#[test]
fn binary_output_and_a_huge_line_are_protocol_errors() {
    let dir = tempfile::tempdir().unwrap();
    let binary = "printf '\\377\\376\\000garbage\\n'; sleep 30";
    let e = error_of(&run_with(
        binary.into(),
        dir.path().join("bin"),
        Duration::from_secs(5),
    ));
    assert!(e.contains("the line is not UTF-8"), "{e}");
    // 2 MiB without a newline, then silence.
    let huge = "head -c 2097152 /dev/zero | tr '\\000' a; echo; sleep 30";
    let e = error_of(&run_with(
        huge.into(),
        dir.path().join("huge"),
        Duration::from_secs(10),
    ));
    assert!(e.contains("a line of more than 1048576 bytes"), "{e}");
}

#[test]
fn sigint_mid_run_keeps_finished_results_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // An older run's report must not survive as if it were this run's.
    std::fs::write(out.join("run.json"), "{\"stale\": true}").unwrap();
    let mark = marker("sigint");
    let first = dir.path().join("first-done");
    let hanging = dir.path().join("hanging");
    let clinic = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/clinic-py/adapter.py");
    // The first scenario gets the example clinic; the second an adapter that hangs.
    let adapter = format!(
        "if [ -e {first} ]; then touch {hanging}; {sleep}; else touch {first}; exec python3 {clinic}; fi",
        first = first.display(),
        hanging = hanging.display(),
        sleep = sleeper(&mark),
        clinic = clinic.display(),
    );
    let mut onshi = Command::new(ONSHI)
        .args(["--lang", "en", "run", "--jobs", "1", "--timeout", "120"])
        .arg("../scenarios/provider/paper-limit-answer.yaml")
        .arg("../scenarios/provider/seventy-on-paper.yaml")
        .arg("--out")
        .arg(&out)
        .arg("--adapter")
        .arg(&adapter)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !hanging.exists() {
        assert!(
            Instant::now() < deadline,
            "the second scenario never started"
        );
        assert!(onshi.try_wait().unwrap().is_none(), "onshi ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !out.join("run.json").exists(),
        "the stale run.json was still there during the run"
    );
    let status = Command::new("kill")
        .args(["-INT", &onshi.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Some(s) = onshi.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "onshi did not stop after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = onshi.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(code, Some(130), "{stdout}\n{stderr}");
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
    assert!(stdout.contains("INTERRUPTED"), "{stdout}");
    let json = std::fs::read_to_string(out.join("run.json")).unwrap();
    let record = onshi_reports::json::parse(&json).unwrap();
    assert_eq!(record.interrupted.as_deref(), Some("SIGINT"));
    assert!(!record.passed());
    let verdicts: Vec<(&str, Verdict)> = record
        .scenarios
        .iter()
        .map(|s| (s.id.as_str(), s.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("provider/paper-limit-answer", Verdict::Pass),
            ("provider/seventy-on-paper", Verdict::Skip)
        ]
    );
    let reason = record.scenarios[1].skip_reason.clone().unwrap_or_default();
    assert!(reason.contains("interrupted (SIGINT)"), "{reason}");
    for f in ["junit.xml", "report.html", "summary.md"] {
        assert!(out.join(f).exists(), "{f} not written");
    }
    assert_eq!(
        orphans(&mark),
        Vec::<u32>::new(),
        "the adapter outlived onshi"
    );
}
