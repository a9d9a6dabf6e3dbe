//! The HTML report opened in headless Chromium: the browser must build a DOM holding the
//! summary, every scenario and the sequence diagrams, with hostile text left as text; the
//! filters must work; and the layout must read: expected and actual cells at least as wide
//! as their longest word, no notes column without notes, a Japanese font stack.
//! Screenshots land in `CARGO_TARGET_TMPDIR` (`target/tmp/report-layout-*.png`) for a person
//! to look at.
//!
//! Japanese glyphs need a Japanese font on the machine (Debian: `fonts-noto-cjk`); without
//! one the tests still pass but the screenshots show boxes.
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
use onshi_reports::{Check, Lang, Verdict, html};

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

fn spawn_chromium(page: &Path, profile: &Path, args: &[String]) -> Child {
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
        .args(args)
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

/// Opens `html_text` in headless Chromium with `args` and returns what it printed.
fn run_chromium(html_text: &str, args: &[String]) -> String {
    let dir = TempDir::new("html");
    let page = dir.0.join("report.html");
    std::fs::write(&page, html_text).unwrap();
    let profile = dir.0.join("profile");
    let mut child = spawn_chromium(&page, &profile, args);
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
    let out = stdout.join().unwrap();
    let errors = stderr.join().unwrap();
    assert!(status.success(), "chromium failed ({status}):\n{errors}");
    out
}

/// Renders `page` in headless Chromium and returns the DOM it built.
fn dump_dom(html_text: &str) -> String {
    dump_dom_at(html_text, 1280)
}

/// The DOM of `html_text` laid out in a window `width` pixels wide.
fn dump_dom_at(html_text: &str, width: u32) -> String {
    let dom = run_chromium(
        html_text,
        &[
            format!("--window-size={width},2000"),
            "--hide-scrollbars".into(),
            "--force-device-scale-factor=1".into(),
            "--dump-dom".into(),
        ],
    );
    assert!(!dom.trim().is_empty(), "chromium printed no DOM");
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
        // The hostile trace summary is text in the DOM, never an element: the one script
        // element is the page's own filter script.
        assert_eq!(
            dom.matches("<script").count(),
            1,
            "escaped text became a script element"
        );
        assert!(
            dom.contains("<span class=\"scripted\" id=\"f-more\">"),
            "the filter script did not run"
        );
        assert!(dom.contains("&lt;script&gt;"));
        let lang_attr = match lang {
            Lang::Ja => "lang=\"ja\"",
            Lang::En => "lang=\"en\"",
        };
        assert!(dom.contains(lang_attr));
    }
}

/// About 200 characters of words, the shape of a long `trace.has` expectation.
fn long_value(count: &str) -> String {
    let mut v = format!("{count} × registry.answer from registry to reader for hanako");
    for word in [
        "containing",
        "“資格確認要求”",
        "and",
        "the",
        "qualification",
        "confirmation",
        "result",
        "with",
        "insurer",
        "number",
        "06139999",
        "and",
        "the",
        "symbol",
        "and",
        "number",
        "of",
        "the",
        "card",
        "holder",
        "as",
        "the",
        "registry",
        "answered",
        "it",
    ] {
        v.push(' ');
        v.push_str(word);
    }
    v
}

/// The fixture with a long `trace.has` check in a table without notes (`card/face-ok`, a
/// pass, so folded) and in one with notes (`eligibility/lost-coverage`, a failure, open),
/// and a second tag on one scenario.
fn layout_record() -> onshi_reports::RunRecord {
    let mut r = fixture();
    let long = |verdict, expected_count: &str, actual_count: &str| Check {
        name: "trace.has".into(),
        at: "scenarios/card/face-ok.yaml:31:7".into(),
        step: Some(3),
        requirements: vec![],
        verdict,
        expected: long_value(expected_count),
        actual: long_value(actual_count),
        note: None,
    };
    r.scenarios[0].checks.push(long(Verdict::Pass, "≥1", "≥1"));
    let mut failing = long(Verdict::Fail, "≥1", "0");
    failing.at = "scenarios/eligibility/lost-coverage.yaml:30:7".into();
    r.scenarios[2].checks.push(failing);
    r.scenarios[3].tags.push("slow".into());
    r
}

/// Injected after the page's own script: exercises the filters, opens every `<details>`,
/// then writes measurements as tab-separated lines into `<pre id="measure">`.
///
/// A "word" is what a line may not break inside: a run of non-space characters, cut after
/// a hyphen and around each Japanese character (kana, kanji and full-width forms break
/// between any two, as Japanese is typeset).
const MEASURE: &str = r#"<script>
(function () {
  var CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef";
  var WORD = "[^\\s\\-" + CJK + "]+-?|-|[" + CJK + "]";
  var out = [];
  function visible() {
    return Array.prototype.filter.call(document.querySelectorAll("section.scenario"),
      function (s) { return s.getClientRects().length > 0; }).map(function (s) { return s.id; }).join(" ");
  }
  function set(id, value) {
    var e = document.getElementById(id);
    if (e.type === "checkbox") { e.checked = value; } else { e.value = value; }
    e.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function filtered(name) {
    out.push(["filter", name, visible(), document.getElementById("f-shown").textContent,
      document.getElementById("no-match").getClientRects().length > 0].join("\t"));
  }
  out.push("bar\t" + (document.getElementById("f-more").getClientRects().length > 0));
  filtered("none");
  set("f-text", "LOST-cov"); filtered("text-id");
  set("f-text", "猶予"); filtered("text-title");
  set("f-text", "provider.charge"); filtered("text-check");
  set("f-text", "no such scenario"); filtered("text-nothing");
  set("f-text", "");
  set("f-req", "req-REG-5"); filtered("req");
  set("f-req", ""); set("f-tag", "tag-slow"); filtered("tag");
  set("f-tag", ""); set("show-pass", false); set("show-fail", false); filtered("verdict");
  set("show-pass", true); set("show-fail", true); filtered("reset");

  out.push("font\t" + getComputedStyle(document.body).fontFamily);
  out.push("mono\t" + getComputedStyle(document.querySelector("td.value code")).fontFamily);
  document.querySelectorAll("table.checks").forEach(function (t) {
    out.push(["table", t.closest("section").id, t.querySelectorAll("thead th").length,
      t.querySelectorAll("th.remark").length].join("\t"));
  });
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  var split = Array.prototype.filter.call(document.querySelectorAll(
    "table.checks .badge, table.checks td.name > code, table.checks td.reqs a, " +
    "table.checks td.name .at code[title], table.checks td.name .step"),
    function (e) { return e.getClientRects().length > 1; });
  out.push("split\t" + split.map(function (e) { return e.textContent; }).join(" | "));
  document.querySelectorAll("table.checks tbody tr").forEach(function (tr, row) {
    var cells = Array.prototype.map.call(tr.cells, function (td) { return td.getBoundingClientRect().width; });
    out.push(["row", tr.closest("section").id, row].concat(cells).join("\t"));
    tr.querySelectorAll("td.value").forEach(function (td) {
      var v = td.querySelector(".v");
      if (!v) { return; }
      var st = getComputedStyle(td);
      var inner = td.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
      var widest = 0, broken = 0, chars = 0;
      var walk = document.createTreeWalker(v, NodeFilter.SHOW_TEXT);
      for (var n = walk.nextNode(); n; n = walk.nextNode()) {
        var re = new RegExp(WORD, "g"), m;
        while ((m = re.exec(n.data))) {
          var range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          var w = range.getBoundingClientRect().width;
          if (range.getClientRects().length > 1) { broken++; }
          if (w > widest) { widest = w; }
          chars += m[0].length + 1;
        }
      }
      out.push(["value", tr.closest("section").id, row, td.cellIndex, inner, widest, broken, chars,
        v.getClientRects().length > 0].join("\t"));
    });
  });
  var pre = document.createElement("pre");
  pre.id = "measure";
  pre.hidden = true;
  pre.textContent = "\n" + out.join("\n") + "\n";
  document.body.appendChild(pre);
})();
</script>
"#;

/// The page with [`MEASURE`] added at the end of the body.
fn with_measure(page: &str) -> String {
    page.replace("</body>", &format!("{MEASURE}</body>"))
}

/// The measurement lines of a dumped DOM, split at tabs.
fn measurements(dom: &str) -> Vec<Vec<String>> {
    let start = dom
        .find("<pre id=\"measure\"")
        .expect("the measuring script did not run");
    let body = &dom[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
    body.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.replace("&amp;", "&")
                .split('\t')
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn lines<'a>(m: &'a [Vec<String>], kind: &str) -> Vec<&'a [String]> {
    m.iter().filter(|l| l[0] == kind).map(|l| &l[1..]).collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

#[test]
fn the_filters_hide_by_verdict_requirement_tag_and_text() {
    let page = with_measure(&html::render(&layout_record(), Lang::Ja));
    let m = measurements(&dump_dom(&page));
    assert_eq!(lines(&m, "bar"), [["true"]], "scripted controls shown");
    let all = "sc-card_2fface-ok sc-consent_2fmedication-history sc-eligibility_2flost-coverage \
               sc-provider_2ftimeout sc-reader_2fscreen-text sc-registry_2foutage-fallback";
    let expect: [(&str, &str, &str, &str); 9] = [
        ("none", all, "6", "false"),
        ("text-id", "sc-eligibility_2flost-coverage", "1", "false"),
        ("text-title", "sc-reader_2fscreen-text", "1", "false"),
        ("text-check", "sc-eligibility_2flost-coverage", "1", "false"),
        ("text-nothing", "", "0", "true"),
        (
            "req",
            "sc-eligibility_2flost-coverage sc-registry_2foutage-fallback",
            "2",
            "false",
        ),
        ("tag", "sc-provider_2ftimeout", "1", "false"),
        (
            "verdict",
            "sc-consent_2fmedication-history sc-reader_2fscreen-text sc-registry_2foutage-fallback",
            "3",
            "false",
        ),
        ("reset", all, "6", "false"),
    ];
    let got = lines(&m, "filter");
    assert_eq!(got.len(), expect.len());
    for (line, (name, shown, count, none)) in got.iter().zip(expect) {
        assert_eq!(
            (
                line[0].as_str(),
                line[1].as_str(),
                line[2].as_str(),
                line[3].as_str()
            ),
            (name, shown, count, none),
            "filter {name}"
        );
    }
}

/// Layout at one window width; `wide` adds the checks that need room to hold.
fn check_layout(lang: Lang, width: u32, wide: bool) {
    let record = layout_record();
    let page = with_measure(&html::render(&record, lang));
    let m = measurements(&dump_dom_at(&page, width));
    let at = format!("{lang:?} at {width}px");

    // A Japanese font stack with fallbacks, for text and for values.
    let font = &lines(&m, "font")[0][0];
    for name in ["Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo"] {
        assert!(font.contains(name), "body font {font} lacks {name}");
    }
    assert!(font.ends_with("sans-serif"), "{font}");
    let mono = &lines(&m, "mono")[0][0];
    assert!(
        mono.contains("Noto Sans Mono CJK JP") && mono.ends_with("monospace"),
        "{mono}"
    );

    // The notes column only where a check has a note.
    let tables: Vec<(String, usize, usize)> = lines(&m, "table")
        .iter()
        .map(|l| (l[0].clone(), l[1].parse().unwrap(), l[2].parse().unwrap()))
        .collect();
    for (id, columns, remarks) in &tables {
        let sc = record
            .scenarios
            .iter()
            .find(|s| format!("sc-{}", s.id.replace('/', "_2f")) == *id)
            .unwrap();
        let notes = sc.checks.iter().any(|c| c.note.is_some());
        assert_eq!(
            (*columns, *remarks),
            if notes { (6, 1) } else { (5, 0) },
            "{id} {at}"
        );
    }
    assert!(
        tables
            .iter()
            .any(|t| t.0 == "sc-card_2fface-ok" && t.1 == 5)
    );

    // Badges, check names, requirement links and places stay on one line.
    assert_eq!(lines(&m, "split"), [[""]], "split across lines {at}");

    // Every expected and actual cell holds its longest word on one line.
    let values = lines(&m, "value");
    assert_eq!(
        values.len(),
        2 * record
            .scenarios
            .iter()
            .map(|s| s.checks.len())
            .sum::<usize>()
    );
    for v in &values {
        let (inner, widest, broken) = (num(&v[3]), num(&v[4]), &v[5]);
        assert_eq!(v[7], "true", "value not laid out: {v:?} {at}");
        assert!(
            inner + 0.5 >= widest,
            "{} row {} column {}: cell {inner}px narrower than its longest word {widest}px {at}",
            v[0],
            v[1],
            v[2]
        );
        assert_eq!(broken, "0", "a word broken across lines: {v:?} {at}");
    }

    // Expected and actual get the width: in rows with a long value, each value cell is at
    // least as wide as any other cell of the row and far wider than its longest word.
    let long: Vec<&&[String]> = values.iter().filter(|v| num(&v[6]) > 150.0).collect();
    assert_eq!(long.len(), 4, "two long checks, two values each");
    if wide {
        let rows = lines(&m, "row");
        for v in long {
            let row = rows.iter().find(|r| r[0] == v[0] && r[1] == v[1]).unwrap();
            let cell = |i: usize| num(&row[2 + i]);
            let me: usize = v[2].parse().unwrap();
            for other in (0..row.len() - 2).filter(|&i| i != 2 && i != 3) {
                assert!(
                    cell(me) >= cell(other),
                    "{} row {}: value column {me} ({}px) narrower than column {other} ({}px) {at}",
                    v[0],
                    v[1],
                    cell(me),
                    cell(other)
                );
            }
            assert!(
                num(&v[3]) >= 240.0 && num(&v[3]) >= 2.0 * num(&v[4]),
                "a long value squeezed: {v:?} {at}"
            );
        }
    }
}

#[test]
fn expected_and_actual_get_the_width() {
    for lang in [Lang::Ja, Lang::En] {
        check_layout(lang, 1280, true);
        check_layout(lang, 800, false);
    }
}

/// Opens every scenario (folds stay as the page has them) for a screenshot.
const OPEN_SCENARIOS: &str = "<script>document.querySelectorAll('section.scenario > details')\
                              .forEach(function (d) { d.open = true; });</script>";

#[test]
fn screenshots_for_a_person_to_read() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (name, lang, width) in [
        ("ja", Lang::Ja, 1280),
        ("en", Lang::En, 1280),
        ("ja-narrow", Lang::Ja, 800),
    ] {
        let page = html::render(&layout_record(), lang)
            .replace("</body>", &format!("{OPEN_SCENARIOS}</body>"));
        let png = dir.join(format!("report-layout-{name}.png"));
        let _ = std::fs::remove_file(&png);
        run_chromium(
            &page,
            &[
                "--hide-scrollbars".into(),
                "--force-device-scale-factor=1".into(),
                format!("--window-size={width},3600"),
                format!("--screenshot={}", png.display()),
            ],
        );
        let bytes = std::fs::read(&png).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{} is not a screenshot",
            png.display()
        );
        eprintln!("screenshot: {}", png.display());
    }
}
