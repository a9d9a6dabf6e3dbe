//! One scenario against a registry under test: onshi runs the scenario with its reference
//! registry, keeps every exchange the clinics had with it (with the feed's facts as they stood
//! then), tells the registry under test those facts and the virtual time, asks it the same
//! question, and holds its answer against the reference's, field by field.
//!
//! The link that carries the feed is the registry's adapter (the `registry_hello`, `facts`,
//! and `end` messages of the adapter protocol; a `facts` without records moves the time) or, for onshi's own replica, its feed
//! endpoint. The questions go to the service over HTTP ([`RegistryClient`]): card confirmations
//! through the terminal endpoints (a fresh challenge signed with the card's key), confirmations by
//! numbers through the OQS web API (login, search), registration counts through
//! `GET /onshi/registry/counts`.

use std::collections::BTreeMap;

use onshi_reports::Check;
use onshi_sim::clock::Moment;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs::CharacterCode;
use onshi_sim::registry::ClinicExchange;
use onshi_sim::registry::feed::{Facts, Record};

use super::client::RegistryClient;
use super::jlis_http::{self, JlisSource};
use crate::adapter::{Adapter, AdapterCommand, FromAdapter, PROTOCOL, ToAdapter};
use crate::roles::serve::Server;
use crate::scenario::plan::Plan;
use crate::shared::SharedWorld;
use ask::text;

/// The most bytes of records one `facts` message carries; more are split over several.
pub const FACTS_MESSAGE_BYTES: usize = 512 * 1024;

mod ask;
mod verdict;

const JSON: &str = "application/json";
const XML: &str = "application/xml";

/// How onshi reaches a registry under test, for a whole run.
#[derive(Clone, Debug)]
pub enum RegistryLink {
    /// An adapter process per scenario that starts the service and carries the feed.
    Adapter(AdapterCommand),
    /// onshi's own replica (`onshi serve-registry`) in-process, fed through its feed endpoint:
    /// the self-check that the feed says everything the reference knows.
    Replica,
}

/// One scenario's registry under test.
pub(crate) struct RegistryRun {
    link: Link,
    client: RegistryClient,
    runtime: tokio::runtime::Runtime,
    told: Facts,
    told_now: Option<Moment>,
    tokens: BTreeMap<InstitutionCode, String>,
    asked: u64,
    /// Where this scenario's questions and answers are written, if anywhere.
    keep: Option<std::path::PathBuf>,
    /// How many were written.
    kept: u32,
    /// The feed could not be told (the adapter failed): nothing more is asked.
    broken: bool,
    /// The files a 資格確認端末 would have left for the exchanges so far: the 薬剤 and 特定健診
    /// requests and the reference's results come from here.
    files: crate::wire::export::TerminalFiles,
    _jlis: Server,
}

enum Link {
    Adapter(Box<Adapter>),
    Replica(Server),
}

impl RegistryRun {
    /// Starts J-LIS over HTTP for the scenario's world, the registry (through its adapter, or
    /// the replica), and tells it the world as set up.
    pub fn start(
        under_test: &super::RegistryUnderTest,
        plan: &Plan,
        seed: u64,
        shared: &SharedWorld,
    ) -> Result<RegistryRun, String> {
        let link = &under_test.link;
        let timeout = under_test.timeout;
        let keep = match &under_test.exchanges {
            None => None,
            Some(root) => {
                let dir = root.join(crate::roles::provider::scenario_folder(&plan.id));
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .map_err(|e| format!("clearing {}: {e}", dir.display()))?;
                }
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("creating {}: {e}", dir.display()))?;
                Some(dir)
            }
        };
        let jlis = jlis_http::start("127.0.0.1:0", JlisSource::with(shared.clone()))
            .map_err(|e| format!("J-LIS over HTTP could not start: {e}"))?;
        let jlis_url = format!("http://{}", jlis.addr());
        let now = shared.lock().now();
        let (link, service) = match link {
            RegistryLink::Adapter(command) => {
                let env = vec![
                    ("ONSHI_CAP_PROTOCOL", PROTOCOL.to_string()),
                    ("ONSHI_JLIS_HTTP", jlis_url.clone()),
                    ("ONSHI_BIN", onshi_bin()),
                ];
                let mut adapter = Adapter::start(command, &env).map_err(|e| e.to_string())?;
                let hello = ToAdapter::RegistryHello {
                    protocol: PROTOCOL.into(),
                    scenario: plan.id.clone(),
                    seed,
                    now: text(now),
                    jlis: jlis_url,
                };
                let reply = adapter
                    .call(&hello)
                    .map_err(|e| with_stderr(e.to_string(), &adapter))?;
                let service = match reply.message {
                    FromAdapter::Ready {
                        service: Some(s), ..
                    } => s,
                    _ => {
                        return Err(with_stderr(
                            "the adapter's `ready` has no `service` URL: a registry adapter \
                             says where its service listens"
                                .into(),
                            &adapter,
                        ));
                    }
                };
                (Link::Adapter(Box::new(adapter)), service)
            }
            RegistryLink::Replica => {
                let server = Server::serve(
                    "127.0.0.1:0",
                    "registry replica",
                    super::serve::router(super::serve::replica(now)),
                )?;
                let url = format!("http://{}", server.addr());
                (Link::Replica(server), url)
            }
        };
        let client =
            RegistryClient::new(&service, timeout, super::client::DEFAULT_MAX_ANSWER_BYTES)
                .map_err(|e| format!("the service URL of the registry under test: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime for the registry client: {e}"))?;
        let mut run = RegistryRun {
            link,
            client,
            runtime,
            told: Facts::default(),
            told_now: None,
            tokens: BTreeMap::new(),
            asked: 0,
            keep,
            kept: 0,
            broken: false,
            files: crate::wire::export::TerminalFiles::new(CharacterCode::Utf8),
            _jlis: jlis,
        };
        let facts = shared.lock().feed_facts();
        let told = run.tell(&facts, now);
        run.flush_logs(shared);
        told?;
        Ok(run)
    }

    /// Appends what was told to the scenario's `feed.jsonl` (one `{now, records}` line per
    /// telling), when questions are kept.
    fn keep_feed(&self, now: Moment, records: &[Record]) {
        let Some(dir) = &self.keep else {
            return;
        };
        let line = serde_json::json!({"now": now, "records": records}).to_string() + "\n";
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("feed.jsonl"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!(target: "onshi::registry", error = %e, "the feed could not be kept");
        }
    }

    /// Puts the adapter's `log` lines into the scenario's trace as `registry.log`.
    fn flush_logs(&mut self, shared: &SharedWorld) {
        let Link::Adapter(adapter) = &mut self.link else {
            return;
        };
        let (mut logs, dropped) = adapter.take_logs();
        if logs.is_empty() {
            return;
        }
        if dropped > 0 {
            logs.insert(0, format!("({dropped} earlier log lines not kept)"));
        }
        let mut w = shared.lock();
        let now = w.now();
        for l in logs {
            w.trace_mut().push(
                now,
                onshi_sim::trace::Actor::Registry,
                onshi_sim::trace::Actor::Registry,
                "registry.log",
                None,
                || l,
            );
        }
    }

    /// Tells the registry what `facts` has that it was not told, and the time `now`.
    fn tell(&mut self, facts: &Facts, now: Moment) -> Result<(), String> {
        let records = facts.changed_since(&self.told);
        if records.is_empty() && self.told_now == Some(now) {
            return Ok(());
        }
        match &mut self.link {
            Link::Adapter(adapter) => {
                for chunk in chunks(&records)? {
                    let msg = ToAdapter::Facts {
                        now: text(now),
                        records: chunk,
                    };
                    adapter
                        .call(&msg)
                        .map_err(|e| with_stderr(e.to_string(), adapter))?;
                }
            }
            Link::Replica(_) => {
                let body = serde_json::json!({"now": now, "records": records}).to_string();
                let client = self.client.clone();
                self.runtime
                    .block_on(client.exchange("/onshi/registry/feed", body.into_bytes(), JSON))
                    .map_err(|e| format!("the replica refused the feed: {e}"))?;
            }
        }
        self.keep_feed(now, &records);
        for r in records {
            self.told.upsert(r);
        }
        self.told_now = Some(now);
        Ok(())
    }

    /// After a step: each exchange of the step asked again of the registry under test and
    /// compared, then the facts as the step left them, and the registration counts.
    pub fn after_step(
        &mut self,
        shared: &SharedWorld,
        exchanges: Vec<(ClinicExchange, Option<Box<Facts>>)>,
        step: Option<usize>,
        at: &str,
    ) -> Result<Vec<Check>, String> {
        if self.broken {
            // The step that broke the link already failed the scenario with the reason.
            return Ok(Vec::new());
        }
        let result = self.after_step_inner(shared, exchanges, step, at);
        self.flush_logs(shared);
        self.broken = result.is_err();
        result
    }

    fn after_step_inner(
        &mut self,
        shared: &SharedWorld,
        exchanges: Vec<(ClinicExchange, Option<Box<Facts>>)>,
        step: Option<usize>,
        at: &str,
    ) -> Result<Vec<Check>, String> {
        let mut checks = Vec::new();
        for (exchange, facts) in exchanges {
            let answer_at = match &exchange {
                ClinicExchange::Card { answer, .. } | ClinicExchange::Numbers { answer, .. } => {
                    answer.processed_at
                }
                ClinicExchange::Data { at, .. } => *at,
            };
            if let Some(f) = facts {
                self.tell(&f, answer_at)?;
            }
            // The files the 資格確認端末 would have written (the data requests come from them);
            // the world is locked for that only, never while the service is asked.
            let added = {
                let w = shared.lock();
                let before = self.files.files().len();
                self.files.add(&w, &exchange);
                let added = self.files.files()[before..].to_vec();
                self.files.clear();
                added
            };
            let question = match &exchange {
                ClinicExchange::Card { request, answer } => self.card(shared, request, answer),
                ClinicExchange::Numbers { request, answer } => {
                    self.numbers(shared, request, answer)
                }
                ClinicExchange::Data { kind, .. } => match self.data(*kind, &added) {
                    Some(q) => q,
                    None => {
                        checks.push(not_asked(*kind, step, at));
                        continue;
                    }
                },
            };
            checks.extend(self.judge(shared, question, step, at));
        }
        let (facts, now) = {
            let w = shared.lock();
            (w.feed_facts(), w.now())
        };
        self.tell(&facts, now)?;
        checks.push(self.counts(shared, step, at));
        Ok(checks)
    }

    /// Ends the scenario: `end` to the adapter (which must reply `bye`).
    pub fn finish(self, now: Moment) -> Result<(), String> {
        match self.link {
            Link::Adapter(adapter) => {
                let tail = adapter.stderr_tail();
                adapter
                    .finish(&text(now))
                    .map_err(|e| crate::roles::provider::with_stderr(e.to_string(), &tail))
            }
            Link::Replica(server) => {
                drop(server);
                Ok(())
            }
        }
    }
}

fn with_stderr(text: String, adapter: &Adapter) -> String {
    crate::roles::provider::with_stderr(text, &adapter.stderr_tail())
}

/// The onshi executable, for an adapter that starts `onshi serve-registry` (`ONSHI_BIN`): the
/// one in onshi's own environment when set, else the running executable.
fn onshi_bin() -> String {
    std::env::var("ONSHI_BIN")
        .ok()
        .filter(|b| !b.is_empty())
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .map(|p| p.display().to_string())
        })
        .unwrap_or_else(|| "onshi".into())
}

/// The check of a data exchange that has no file exchange (診療・手術情報, 医療費通知, 電子処方箋
/// dispensing outside 薬剤情報): not asked of the registry under test, said so.
fn not_asked(kind: onshi_sim::rules::DataKind, step: Option<usize>, at: &str) -> Check {
    use onshi_sim::rules::DataKind;
    let requirement = match kind {
        DataKind::Checkup => "REG-7",
        DataKind::MedicalExpenseNotice => "REG-10",
        DataKind::EPrescription => "REG-12",
        _ => "REG-8",
    };
    Check {
        name: "registry_under_test.data".into(),
        at: at.into(),
        step,
        requirements: vec![requirement.into()],
        verdict: onshi_reports::Verdict::Skip,
        expected: "-".into(),
        actual: "-".into(),
        note: Some(format!(
            "a {kind:?} request has no OQS file exchange (docs/oqs-folder.md): not asked of the registry under test"
        )),
    }
}

/// `records` as JSON values in messages of at most [`FACTS_MESSAGE_BYTES`] each (a single
/// larger record goes alone).
fn chunks(records: &[Record]) -> Result<Vec<Vec<serde_json::Value>>, String> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for r in records {
        let v = serde_json::to_value(r).map_err(|e| format!("a feed record: {e}"))?;
        let n = v.to_string().len();
        if !current.is_empty() && size + n > FACTS_MESSAGE_BYTES {
            out.push(std::mem::take(&mut current));
            size = 0;
        }
        size += n;
        current.push(v);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    Ok(out)
}
