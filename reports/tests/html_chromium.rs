//! The HTML report opened in headless Chromium: the browser must build a DOM holding the
//! summary, every scenario and the sequence diagrams, with hostile text left as text.
//!
//! Needs the Debian package `chromium` (`apt-get install chromium`). Without it the test
//! fails and says so: a report nobody opened in a browser is not tested.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::fixture;
use onshi_reports::{Lang, html};

const TIMEOUT: Duration = Duration::from_secs(60);

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "onshi-reports-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn spawn_chromium(page: &Path, profile: &Path) -> Child {
    let result = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match result {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "`chromium` is not installed or not on PATH; install the Debian package \
             `chromium` (sudo apt-get install chromium) to run the HTML report test"
        ),
        Err(e) => panic!("could not start chromium: {e}"),
    }
}

/// Renders `page` in headless Chromium and returns the DOM it built.
fn dump_dom(html_text: &str) -> String {
    let dir = TempDir::new("html");
    let page = dir.0.join("report.html");
    std::fs::write(&page, html_text).unwrap();
    let profile = dir.0.join("profile");
    let mut child = spawn_chromium(&page, &profile);
    // Read the pipes while waiting: a full pipe would stall chromium until the timeout.
    let stdout = read_all(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {TIMEOUT:?}; stderr:\n{}",
                stderr.join().unwrap_or_default()
            );
        }
        thread::sleep(Duration::from_millis(100));
    };
    let dom = stdout.join().unwrap();
    let errors = stderr.join().unwrap();
    assert!(status.success(), "chromium failed ({status}):\n{errors}");
    assert!(!dom.trim().is_empty(), "chromium printed no DOM:\n{errors}");
    dom
}

#[test]
fn chromium_builds_the_whole_report() {
    let record = fixture();
    for lang in [Lang::En, Lang::Ja] {
        let page = html::render(&record, lang);
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "the page must be self-contained"
        );
        let dom = dump_dom(&page);
        assert!(dom.contains("id=\"summary\""), "no summary element");
        for sc in &record.scenarios {
            assert!(
                dom.contains(&sc.id),
                "scenario {} missing from the DOM",
                sc.id
            );
        }
        let diagrams = record
            .scenarios
            .iter()
            .filter(|s| !s.trace.is_empty())
            .count();
        assert_eq!(
            dom.matches("<svg").count(),
            diagrams,
            "one diagram per trace"
        );
        assert!(dom.contains("class=\"msg\""), "diagram has no messages");
        assert!(
            dom.contains("class=\"uncovered\""),
            "uncovered requirements marked"
        );
        // The hostile trace summary is text in the DOM, never an element.
        assert!(
            !dom.contains("<script"),
            "escaped text became a script element"
        );
        assert!(dom.contains("&lt;script&gt;"));
        let lang_attr = match lang {
            Lang::Ja => "lang=\"ja\"",
            Lang::En => "lang=\"en\"",
        };
        assert!(dom.contains(lang_attr));
    }
}
