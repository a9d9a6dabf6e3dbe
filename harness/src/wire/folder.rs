//! The folder protocol (oqs-wire.md §1): onshi plays the 資格確認端末's 連携アプリ. A clinic system
//! writes request files into `<root>/req`; onshi answers each in `<root>/res` under the request's
//! suffix and takes the request away; face-authentication results appear in `<root>/face`.
//!
//! Watching: `notify` events on `req`, an initial scan, and a periodic rescan in case events are
//! lost (network shares, overflow). A file is answered once it is complete: at once when its
//! bytes decode as the request the name announces, otherwise once its size and modification
//! time have not changed for [`FolderConfig::settle`]. A file still changing (or unreadable) after
//! [`FolderConfig::complete_timeout`] gets an `ONS-E0015` answer. Names that are temporary
//! (`.x`, `~x`, `x.tmp`, `x.part`) are left alone; names that allow no answer name are logged and
//! taken away.
//!
//! Writing: every file is written under a temporary name in the target folder
//! (`.onshi-<n>-<name>.part`, which no client glob such as `OQS*res_*.xml` or `*.xml` matches),
//! flushed to disk (`fsync`), then renamed, so a reader never sees half a file.
//!
//! Taking requests away: [`RequestDisposal::Delete`] (default, as the real 連携アプリ does) or
//! [`RequestDisposal::MoveTo`] a folder (e.g. `<root>/processed`) to keep them for inspection.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use notify::{RecursiveMode, Watcher};
use onshi_sim::clock::Moment;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs::{self, ConfirmResponse, Exchange};
use onshi_sim::registry::Answer;

use super::WireError;
use super::service::{FileReply, NamePlan, Service, plan_name};

/// What happens to a request file once it is answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestDisposal {
    /// Delete it (the real 連携アプリ takes requests away within seconds).
    Delete,
    /// Move it into this folder (created if missing), replacing a file of the same name.
    MoveTo(PathBuf),
}

/// Settings of the folder server.
#[derive(Clone, Debug)]
pub struct FolderConfig {
    /// The OQS root: `req`, `res` and `face` are created below it if missing.
    pub root: PathBuf,
    /// What to do with answered requests.
    pub disposal: RequestDisposal,
    /// How long a file that does not decode must stay unchanged before it is answered anyway.
    pub settle: Duration,
    /// How long a file may keep changing (or stay unreadable) before it gets `ONS-E0015`.
    pub complete_timeout: Duration,
    /// How often the req folder is listed in case a notification was lost.
    pub rescan_interval: Duration,
    /// Largest request file read; larger ones get `ONS-E0013` without being read whole.
    pub max_request_bytes: u64,
    /// The 3-digit channel code in face file names (OD2: 400 医療扶助, 600 訪問, 800 オンライン;
    /// onshi's default 000 for 外来 is UNCERTAIN).
    pub face_channel: u16,
}

impl FolderConfig {
    /// Defaults for `root`: delete answered requests, settle 300 ms, give up after 10 s,
    /// rescan every second, requests up to 4 MiB.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FolderConfig {
            root: root.into(),
            disposal: RequestDisposal::Delete,
            settle: Duration::from_millis(300),
            complete_timeout: Duration::from_secs(10),
            rescan_interval: Duration::from_secs(1),
            max_request_bytes: 4 * 1024 * 1024,
            face_channel: 0,
        }
    }

    /// The request folder.
    pub fn req(&self) -> PathBuf {
        self.root.join("req")
    }

    /// The result folder.
    pub fn res(&self) -> PathBuf {
        self.root.join("res")
    }

    /// The face folder.
    pub fn face(&self) -> PathBuf {
        self.root.join("face")
    }
}

fn io_err(path: &Path, source: std::io::Error) -> WireError {
    WireError::Io {
        path: path.display().to_string(),
        source,
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `dir/name` atomically: a temporary name in the same folder, fsync, rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, WireError> {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".onshi-{}-{n}-{name}.part", std::process::id()));
    let target = dir.join(name);
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, &target)
    })();
    match result {
        Ok(()) => Ok(target),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io_err(&target, e))
        }
    }
}

enum Signal {
    Paths(Vec<PathBuf>),
    Stop,
}

/// A file seen in req and not yet answered.
struct Pending {
    first_seen: Instant,
    fingerprint: Option<(u64, Option<SystemTime>)>,
    unchanged_since: Instant,
    /// A read found the file incomplete (empty, or not yet decoding as its request).
    seen_partial: bool,
}

/// The folder server: a watcher thread answering request files. Stops on [`FolderServer::stop`]
/// or when dropped.
pub struct FolderServer {
    config: FolderConfig,
    service: Arc<Service>,
    stop: Arc<AtomicBool>,
    tx: Sender<Signal>,
    worker: Option<JoinHandle<()>>,
    _watcher: Option<notify::RecommendedWatcher>,
}

impl std::fmt::Debug for FolderServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderServer")
            .field("root", &self.config.root)
            .finish_non_exhaustive()
    }
}

impl FolderServer {
    /// Creates the folders and starts watching `req`. Files already there are answered first.
    pub fn start(config: FolderConfig, service: Arc<Service>) -> Result<FolderServer, WireError> {
        for dir in [config.req(), config.res(), config.face()] {
            fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        }
        if let RequestDisposal::MoveTo(dir) = &config.disposal {
            fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        }
        let (tx, rx) = mpsc::channel::<Signal>();
        let events = tx.clone();
        let req = config.req();
        let req_dir = req.clone();
        // A watcher that cannot start is not fatal: the rescan still finds every file.
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res {
                let _ = events.send(Signal::Paths(ev.paths));
            }
        })
        .and_then(|mut w| w.watch(&req, RecursiveMode::NonRecursive).map(|()| w));
        let watcher = match watcher {
            Ok(w) => Some(w),
            Err(e) => {
                warn(&format!(
                    "watching {} failed ({e}); relying on the rescan",
                    req.display()
                ));
                None
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let config = config.clone();
            let service = service.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("onshi-oqs-folder".into())
                .spawn(move || Worker::new(config, service).run(&rx, &stop))
                .map_err(|e| io_err(&req_dir, e))?
        };
        Ok(FolderServer {
            config,
            service,
            stop,
            tx,
            worker: Some(worker),
            _watcher: watcher,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FolderConfig {
        &self.config
    }

    /// Writes a face-authentication result file into `face` (atomically) for `response` as the
    /// terminal of `institution` would at `moment`, and logs it. Returns the file's path.
    pub fn write_face(
        &self,
        response: &ConfirmResponse,
        institution: InstitutionCode,
        moment: Moment,
    ) -> Result<PathBuf, WireError> {
        let (name, bytes, mut record) =
            self.service
                .face_file(response, institution, moment, self.config.face_channel)?;
        let path = write_atomic(&self.config.face(), &name, &bytes)?;
        record.answer = Some(name);
        self.service.log().append(record);
        Ok(path)
    }

    /// [`FolderServer::write_face`] for a registry answer (a card confirmation), at the
    /// answer's processing time, for the institution that asked.
    pub fn write_face_answer(&self, answer: &Answer) -> Result<PathBuf, WireError> {
        let response = self.service.face_response(answer);
        let institution = response.header.institution;
        self.write_face(&response, institution, answer.processed_at)
    }

    /// Stops the watcher and waits for the worker (it finishes the file in hand).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.tx.send(Signal::Stop);
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for FolderServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn warn(message: &str) {
    eprintln!("onshi: {message}");
}

struct Worker {
    config: FolderConfig,
    service: Arc<Service>,
    pending: HashMap<PathBuf, Pending>,
    last_scan: Option<Instant>,
    /// Answered files that could not be taken away: (path, size, mtime) not to answer again.
    stuck: HashMap<PathBuf, (u64, Option<SystemTime>)>,
}

/// The longest the worker sleeps between looks at pending files.
const TICK: Duration = Duration::from_millis(25);

impl Worker {
    fn new(config: FolderConfig, service: Arc<Service>) -> Self {
        Worker {
            config,
            service,
            pending: HashMap::new(),
            last_scan: None,
            stuck: HashMap::new(),
        }
    }

    fn run(mut self, rx: &mpsc::Receiver<Signal>, stop: &AtomicBool) {
        let req = self.config.req();
        self.scan(&req);
        while !stop.load(Ordering::SeqCst) {
            self.work();
            let wait = if self.pending.is_empty() {
                self.config.rescan_interval.min(Duration::from_millis(250))
            } else {
                TICK
            };
            match rx.recv_timeout(wait) {
                Ok(Signal::Paths(paths)) => self.add(paths, &req),
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            // Drain whatever else arrived without waiting.
            while let Ok(sig) = rx.try_recv() {
                match sig {
                    Signal::Paths(paths) => self.add(paths, &req),
                    Signal::Stop => return,
                }
            }
            if self
                .last_scan
                .is_none_or(|t| t.elapsed() >= self.config.rescan_interval)
            {
                self.scan(&req);
            }
        }
    }

    fn add(&mut self, paths: Vec<PathBuf>, req: &Path) {
        let now = Instant::now();
        for p in paths {
            if p.parent() != Some(req) {
                continue;
            }
            self.pending.entry(p).or_insert(Pending {
                first_seen: now,
                fingerprint: None,
                unchanged_since: now,
                seen_partial: false,
            });
        }
    }

    fn scan(&mut self, req: &Path) {
        self.last_scan = Some(Instant::now());
        let Ok(entries) = fs::read_dir(req) else {
            return;
        };
        let mut found = Vec::new();
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_file()) {
                found.push(e.path());
            }
        }
        self.stuck.retain(|p, _| found.contains(p));
        self.add(found, req);
    }

    /// Looks at every pending file once, answering those that are complete.
    fn work(&mut self) {
        let mut paths: Vec<PathBuf> = self.pending.keys().cloned().collect();
        paths.sort_by(|a, b| {
            let fa = self.pending.get(a).map(|p| p.first_seen);
            let fb = self.pending.get(b).map(|p| p.first_seen);
            fa.cmp(&fb).then_with(|| a.cmp(b))
        });
        for path in paths {
            if self.look(&path) {
                self.pending.remove(&path);
            }
        }
    }

    /// Returns true when the file is done with (answered, gone or ignored).
    fn look(&mut self, path: &Path) -> bool {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            // Not UTF-8: no request name can look like this; take it away unanswered.
            let reply = self.service.answer_file("\u{FFFD}", &[]);
            self.finish(path, reply);
            return true;
        };
        let plan = plan_name(&name);
        if plan == NamePlan::Ignore {
            return true;
        }
        let meta = match fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(_) => return self.timed_out(path, &name, &[]),
        };
        let fingerprint = (meta.len(), meta.modified().ok());
        if self.stuck.get(path) == Some(&fingerprint) {
            return true;
        }
        let now = Instant::now();
        let Some(p) = self.pending.get_mut(path) else {
            return true;
        };
        if p.fingerprint != Some(fingerprint) {
            p.fingerprint = Some(fingerprint);
            p.unchanged_since = now;
        }
        let settled = now.duration_since(p.unchanged_since) >= self.config.settle;
        let first_seen = p.first_seen;
        if let NamePlan::Unanswerable { .. } = plan {
            if !settled {
                return false;
            }
            let reply = self.service.answer_file(&name, &[]);
            self.finish(path, reply);
            return true;
        }
        if meta.len() > self.config.max_request_bytes {
            if !settled {
                return false;
            }
            let reply = self.too_large(&name);
            self.finish(path, reply);
            return true;
        }
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(_) => {
                return if now.duration_since(first_seen) >= self.config.complete_timeout {
                    self.timed_out(path, &name, &[])
                } else {
                    false
                };
            }
        };
        let complete = !bytes.is_empty() && decodes(&plan, &bytes);
        if complete || (settled && !bytes.is_empty()) {
            let partial_before = self.pending.get(path).is_some_and(|p| p.seen_partial);
            let mut reply = self.service.answer_file(&name, &bytes);
            if complete && partial_before {
                reply.record.violations.push(written_in_place());
            }
            self.finish(path, reply);
            return true;
        }
        if let Some(p) = self.pending.get_mut(path) {
            p.seen_partial = true;
        }
        if now.duration_since(first_seen) >= self.config.complete_timeout {
            return self.timed_out(path, &name, &bytes);
        }
        false
    }

    fn too_large(&self, name: &str) -> FileReply {
        self.service.answer_refused(
            name,
            &[],
            oqs::ResultCode::RequestTooLarge,
            "max-request-bytes",
            &format!(
                "the request is larger than {} bytes",
                self.config.max_request_bytes
            ),
        )
    }

    fn timed_out(&mut self, path: &Path, name: &str, bytes: &[u8]) -> bool {
        let started = self.pending.get(path).map(|p| p.first_seen);
        if started.is_none_or(|t| t.elapsed() < self.config.complete_timeout) {
            return false;
        }
        let reply = self.service.answer_refused(
            name,
            bytes,
            oqs::ResultCode::RequestIncomplete,
            "complete-in-time",
            "the request file kept changing or stayed unreadable until the wait ran out",
        );
        self.finish(path, reply);
        true
    }

    /// Writes the answer (if any), logs, and takes the request away.
    fn finish(&mut self, path: &Path, mut reply: FileReply) {
        if let Some(answer) = &reply.answer_name
            && !reply.bytes.is_empty()
        {
            match write_atomic(&self.config.res(), answer, &reply.bytes) {
                Ok(_) => reply.record.answer = Some(answer.clone()),
                Err(e) => warn(&format!("writing the answer {answer}: {e}")),
            }
        }
        self.service.log().append(reply.record);
        let taken = match &self.config.disposal {
            RequestDisposal::Delete => fs::remove_file(path),
            RequestDisposal::MoveTo(dir) => match path.file_name() {
                Some(n) => fs::rename(path, dir.join(n)),
                None => fs::remove_file(path),
            },
        };
        if taken.is_err()
            && let Ok(meta) = fs::metadata(path)
        {
            self.stuck
                .insert(path.to_path_buf(), (meta.len(), meta.modified().ok()));
        }
    }
}

/// The log entry for a request first seen half-written (answered normally once complete).
fn written_in_place() -> super::LoggedViolation {
    let code = oqs::ResultCode::WrittenInPlace;
    super::LoggedViolation {
        path: "file".into(),
        rule: "write-then-rename".into(),
        code: code.code().into(),
        message: "the request file was seen half-written in req: write it under a temporary name \
                  (or outside req), then rename it"
            .into(),
    }
}

/// Whether the bytes decode as the request the name announces (the file is complete).
fn decodes(plan: &NamePlan, bytes: &[u8]) -> bool {
    let NamePlan::Answer { exchange, .. } = plan else {
        return false;
    };
    match exchange {
        Exchange::Confirm => oqs::decode_confirm_request(bytes).is_ok(),
        Exchange::ReferenceNumberRegistration => oqs::decode_registration_request(bytes).is_ok(),
        Exchange::BulkConfirmUpload => oqs::decode_bulk_upload_request(bytes).is_ok(),
        Exchange::BulkConfirmDownload => oqs::decode_bulk_download_request(bytes).is_ok(),
        Exchange::Medication | Exchange::Checkup => oqs::decode_medical_info_request(bytes).is_ok(),
        _ => false,
    }
}
