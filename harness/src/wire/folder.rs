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
//! Hostile entries: symbolic links are never followed and nothing but a regular file is ever
//! opened (checked with `symlink_metadata`, opened with `O_NOFOLLOW | O_NONBLOCK` where the
//! platform's flags are known, and the opened file must be the very inode that was checked).
//! A symbolic link, folder, named pipe or other special entry named like a request gets an
//! `ONS-E0019` answer and is moved to `<root>/rejected`; so is a request whose answer could not
//! be written (a name too long for the file system once `.xml` is added). Nothing is left in
//! `req` to be scanned again and again.
//!
//! Writing: every file is written under a short temporary name in the target folder
//! (`.onshi-<pid>-<n>-<hash of the name>.part`, which no client glob such as `OQS*res_*.xml` or
//! `*.xml` matches, and which fits whatever the target name's length), flushed to disk
//! (`fsync`), then renamed, so a reader never sees half a file.
//!
//! Taking requests away: [`RequestDisposal::Delete`] (default, as the real 連携アプリ does) or
//! [`RequestDisposal::MoveTo`] a folder (e.g. `<root>/processed`) to keep them for inspection.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use notify::{RecursiveMode, Watcher};
use onshi_sim::clock::Moment;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs::{self, ConfirmResponse, Exchange};
use onshi_sim::registry::Answer;
use sha2::{Digest, Sha256};

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
            face_channel: super::face::DEFAULT_FACE_CHANNEL,
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

    /// Where entries of req that cannot be answered safely are moved (created when needed).
    pub fn rejected(&self) -> PathBuf {
        self.root.join("rejected")
    }
}

fn io_err(path: &Path, source: std::io::Error) -> WireError {
    WireError::Io {
        path: path.display().to_string(),
        source,
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The temporary name `write_atomic` writes `name` under: short whatever the length of `name`
/// (`.onshi-<pid>-<n>-<16 hex digits of SHA-256 of name>.part`).
fn temp_name(name: &str) -> String {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!(".onshi-{}-{n}-{hash}.part", std::process::id())
}

/// Writes `bytes` to `dir/name` atomically: a temporary name in the same folder, fsync, rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, WireError> {
    let tmp = dir.join(temp_name(name));
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
    tx: SyncSender<Signal>,
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
        tracing::info!(target: "onshi::oqs", root = %config.root.display(), "OQS folder server started");
        if let RequestDisposal::MoveTo(dir) = &config.disposal {
            fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        }
        // Bounded: a system that floods `req/` fills it, and then notifications are dropped;
        // the periodic rescan still finds every file.
        let (tx, rx) = mpsc::sync_channel::<Signal>(SIGNAL_QUEUE);
        let events = tx.clone();
        let req = config.req();
        let req_dir = req.clone();
        // A watcher that cannot start is not fatal: the rescan still finds every file.
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res {
                let _ = events.try_send(Signal::Paths(ev.paths));
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
        if !self.stop.swap(true, Ordering::SeqCst) {
            tracing::info!(target: "onshi::oqs", "OQS folder server stopped");
        }
        // With a full queue the flag alone stops the worker at its next tick.
        let _ = self.tx.try_send(Signal::Stop);
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
    tracing::warn!(target: "onshi::oqs", "{message}");
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
/// File notifications waiting for the worker; more are dropped (the rescan finds the files).
const SIGNAL_QUEUE: usize = 1024;

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
        // Every entry whatever its type: `look` leaves temporary names alone and deals with
        // links, folders and special files, which must not stay in req unanswered.
        let found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
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

    /// Returns true when the entry is done with (answered, gone, moved aside or ignored).
    fn look(&mut self, path: &Path) -> bool {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string);
        let plan = match &name {
            Some(n) => plan_name(n),
            None => NamePlan::Unanswerable {
                reason: "the file name is not UTF-8".into(),
            },
        };
        if plan == NamePlan::Ignore || self.is_disposal_folder(path) {
            return true;
        }
        let shown = name.clone().unwrap_or_else(|| "\u{FFFD}".into());
        // The entry itself, never what a link points to.
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(_) => return self.timed_out(path, &shown, &[]),
        };
        let fingerprint = (meta.len(), meta.modified().ok());
        if self.stuck.get(path) == Some(&fingerprint) {
            return true;
        }
        if !meta.file_type().is_file() {
            self.reject_entry(path, &shown, meta.file_type());
            return true;
        }
        let Some(name) = name else {
            // Not UTF-8: no request name can look like this; take it away unanswered.
            let reply = self.service.answer_file(&shown, &[]);
            self.finish(path, reply);
            return true;
        };
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
        let bytes = match read_request(path, &meta, self.config.max_request_bytes) {
            ReadOutcome::Bytes(b) => b,
            ReadOutcome::Gone => return true,
            // Replaced or grown since the look above: look again (a link is then refused).
            ReadOutcome::Changed => return false,
            ReadOutcome::Failed => {
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

    /// Whether `path` is the folder answered requests are moved to (kept inside req by some).
    fn is_disposal_folder(&self, path: &Path) -> bool {
        matches!(&self.config.disposal, RequestDisposal::MoveTo(dir) if dir == path)
    }

    /// A link, folder or special file in req: answered `ONS-E0019` when its name gives an answer
    /// name (never opened, so nothing of a link's target is echoed), logged, moved to `rejected`.
    fn reject_entry(&mut self, path: &Path, name: &str, kind: fs::FileType) {
        let what = entry_kind(kind);
        let message = format!(
            "`{name}` in req is {what}, not a regular file: onshi neither follows nor reads it"
        );
        let code = oqs::ResultCode::NotRegularFile;
        let mut reply = self
            .service
            .answer_refused(name, &[], code, "regular-file", &message);
        if reply.answer_name.is_none() {
            reply.record.violations.push(super::LoggedViolation {
                path: "file".into(),
                rule: "regular-file".into(),
                code: code.code().into(),
                message,
            });
        }
        self.write_answer(&mut reply);
        self.service.log().append(reply.record);
        self.move_aside(
            path,
            &format!("{what}, not a regular file ({})", code.code()),
        );
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

    /// Writes the answer (if any), logs, and takes the request away: into `rejected` when its
    /// answer could not be written, so it is neither lost silently nor answered again and again.
    fn finish(&mut self, path: &Path, mut reply: FileReply) {
        let written = self.write_answer(&mut reply);
        self.service.log().append(reply.record);
        if !written {
            self.move_aside(path, "its answer could not be written");
            return;
        }
        let taken = match &self.config.disposal {
            RequestDisposal::Delete => fs::remove_file(path),
            RequestDisposal::MoveTo(dir) => match path.file_name() {
                Some(n) => fs::rename(path, dir.join(n)),
                None => fs::remove_file(path),
            },
        };
        if taken.is_err() {
            self.remember_stuck(path);
        }
    }

    /// Writes the reply's answer file into res, if it has one; false when that failed.
    fn write_answer(&self, reply: &mut FileReply) -> bool {
        let Some(answer) = &reply.answer_name else {
            return true;
        };
        if reply.bytes.is_empty() {
            return true;
        }
        match write_atomic(&self.config.res(), answer, &reply.bytes) {
            Ok(_) => {
                reply.record.answer = Some(answer.clone());
                true
            }
            Err(e) => {
                warn(&format!("writing the answer {answer}: {e}"));
                false
            }
        }
    }

    /// Moves an entry of req into `rejected` (under a fresh name there if its own is taken)
    /// with a log line; when even that fails, it is left alone and not looked at again.
    fn move_aside(&mut self, path: &Path, why: &str) {
        let dir = self.config.rejected();
        let moved = fs::create_dir_all(&dir).and_then(|()| {
            let target = free_name(&dir, path);
            fs::rename(path, &target).map(|()| target)
        });
        match moved {
            Ok(target) => warn(&format!(
                "{}: {why}; moved to {}",
                path.display(),
                target.display()
            )),
            Err(_) if fs::symlink_metadata(path).is_err() => {}
            Err(e) => {
                warn(&format!(
                    "{}: {why}; moving it into {} failed ({e}): left in req and not looked at again",
                    path.display(),
                    dir.display()
                ));
                self.remember_stuck(path);
            }
        }
    }

    /// Remembers an entry that could not be taken away so it is not answered again while it
    /// stays unchanged.
    fn remember_stuck(&mut self, path: &Path) {
        if let Ok(meta) = fs::symlink_metadata(path) {
            self.stuck
                .insert(path.to_path_buf(), (meta.len(), meta.modified().ok()));
        }
    }
}

/// What a non-regular entry is, for messages.
fn entry_kind(kind: fs::FileType) -> &'static str {
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// `dir/<the entry's name>`, or `dir/<its first 64 characters>-<pid>-<n>` when that is taken.
fn free_name(dir: &Path, path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "entry".into());
    let plain = dir.join(&name);
    if fs::symlink_metadata(&plain).is_err() {
        return plain;
    }
    let start: String = name.to_string_lossy().chars().take(64).collect();
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{start}-{}-{n}", std::process::id()))
}

/// Flags for opening a request file: never follow a symbolic link (`O_NOFOLLOW`), never block
/// (`O_NONBLOCK`, for a named pipe put in place after the check). The inode check in
/// [`read_request`] also refuses an entry replaced after the check.
fn open_flags() -> i32 {
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    i32::try_from(flags.bits()).unwrap_or(0)
}

/// What reading a request file gave.
enum ReadOutcome {
    /// The bytes (at most the limit).
    Bytes(Vec<u8>),
    /// The file went away.
    Gone,
    /// The entry is no longer the regular file that was checked, or grew past the limit.
    Changed,
    /// It could not be opened or read.
    Failed,
}

/// Reads the regular file `checked` describes, never following a link nor opening anything
/// else: the opened file must be a regular file with the same device and inode.
fn read_request(path: &Path, checked: &fs::Metadata, max: u64) -> ReadOutcome {
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(open_flags())
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ReadOutcome::Gone,
        Err(_) => {
            // A link put in place (O_NOFOLLOW refuses it) is a change, not a read error.
            return match fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_file() => ReadOutcome::Failed,
                Ok(_) => ReadOutcome::Changed,
                Err(_) => ReadOutcome::Gone,
            };
        }
    };
    let same = file.metadata().is_ok_and(|m| {
        m.file_type().is_file() && m.dev() == checked.dev() && m.ino() == checked.ino()
    });
    if !same {
        return ReadOutcome::Changed;
    }
    let mut bytes = Vec::new();
    match file.take(max.saturating_add(1)).read_to_end(&mut bytes) {
        Ok(n) if n as u64 > max => ReadOutcome::Changed,
        Ok(_) => ReadOutcome::Bytes(bytes),
        Err(_) => ReadOutcome::Failed,
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
