//! One scenario against a registry under test: onshi runs the scenario with its reference
//! registry, keeps every exchange the clinics had with it (with the feed's facts as they stood
//! then), tells the registry under test those facts and the virtual time, asks it the same
//! question, and holds its answer against the reference's, field by field.
//!
//! The link that carries the feed is the registry's adapter (the `registry_hello`, `facts`,
//! `time` and `end` messages of the adapter protocol) or, for onshi's own replica, its feed
//! endpoint. The questions go to the service over HTTP ([`RegistryClient`]): card confirmations
//! through the terminal endpoints (a fresh challenge signed with the card's key), confirmations by
//! numbers through the OQS web API (login, search), registration counts through
//! `GET /onshi/registry/counts`.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_reports::{Check, Verdict};
use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::feed::{Facts, Record};
use onshi_sim::ids::InstitutionCode;
use onshi_sim::jlis::sha256_digest_info;
use onshi_sim::oqs::{
    self, CharacterCode, ConfirmEcho, EncodeOptions, Message as _, encode, to_confirm_response,
};
use onshi_sim::registry::{Answer, CardConfirm, ClinicExchange, NumberConfirm};

use super::client::{Ask, RegistryClient, RegistryFault};
use super::compare::{self, FieldDiff};
use super::jlis_http::{self, JlisSource};
use crate::adapter::{Adapter, AdapterCommand, FromAdapter, PROTOCOL, ToAdapter};
use crate::roles::serve::Server;
use crate::scenario::plan::Plan;
use crate::shared::SharedWorld;
use crate::wire::export::{TerminalFile, TerminalFolder};

/// The most bytes of records one `facts` message carries; more are split over several.
pub const FACTS_MESSAGE_BYTES: usize = 512 * 1024;

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
    /// The files a 資格確認端末 would have left for the exchanges so far: the 薬剤 and 特定健診
    /// requests and the reference's results come from here.
    files: crate::wire::export::TerminalFiles,
    _jlis: Server,
}

enum Link {
    Adapter(Box<Adapter>),
    Replica(Server),
}

/// What asking the registry under test gave.
struct Asked {
    bytes: Vec<u8>,
}

impl RegistryRun {
    /// Starts J-LIS over HTTP for the scenario's world, the registry (through its adapter, or
    /// the replica), and tells it the world as set up.
    pub fn start(
        link: &RegistryLink,
        timeout: Duration,
        plan: &Plan,
        seed: u64,
        shared: &SharedWorld,
    ) -> Result<RegistryRun, String> {
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
            files: crate::wire::export::TerminalFiles::new(CharacterCode::Utf8),
            _jlis: jlis,
        };
        let facts = shared.lock().feed_facts();
        run.tell(&facts, now)?;
        Ok(run)
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
            let question = {
                let w = shared.lock();
                let before = self.files.files().len();
                self.files.add(&w, &exchange);
                match &exchange {
                    ClinicExchange::Card { request, answer } => self.card(&w, request, answer),
                    ClinicExchange::Numbers { request, answer } => {
                        self.numbers(&w, request, answer)
                    }
                    ClinicExchange::Data { kind, .. } => {
                        let added = self.files.files()[before..].to_vec();
                        match self.data(*kind, &added) {
                            Some(q) => q,
                            None => continue,
                        }
                    }
                }
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

/// A question put to the registry under test, with the reference's answer to it.
struct Question {
    /// `registry.card` or `registry.numbers`.
    name: &'static str,
    /// What was asked, for the verdict.
    what: String,
    /// The reference's answer (XML).
    reference: Result<Vec<u8>, String>,
    /// Requirements the exchange evidences whatever its fields.
    requirements: Vec<&'static str>,
    /// Requirements every difference also evidences (a relink: REG-2, JLIS-3).
    also: Vec<&'static str>,
    /// The registry under test's answer, asked twice.
    first: Result<Asked, String>,
    second: Result<Asked, String>,
}

impl RegistryRun {
    fn card(&mut self, w: &World, request: &CardConfirm, answer: &Answer) -> Question {
        let code = w
            .institutions()
            .get(request.institution.index())
            .map(|i| i.code);
        let what = format!(
            "card confirmation, serial {}, 医療機関コード {}, 資格確認日 {}, 限度額 consent {}, 特定疾病 consent {}",
            request.serial,
            code.map_or("?".into(), |c| c.digits()),
            request.date,
            yes(request.limit_consent),
            yes(request.disease_consent)
        );
        let mut also = Vec::new();
        if answer.relinked_from.is_some() {
            also.extend(["REG-2", "JLIS-3"]);
        }
        let reference = code
            .ok_or_else(|| "the institution is not in the world".to_string())
            .and_then(|code| {
                let view = view_at(w, answer.processed_at);
                let response = to_confirm_response(answer, &view, code, &ConfirmEcho::default());
                encode(&response, EncodeOptions::with_encoding(CharacterCode::Utf8))
                    .map(|e| e.bytes)
                    .map_err(|e| format!("the reference's answer could not be written: {e}"))
            });
        let body =
            |client: &RegistryClient, rt: &tokio::runtime::Runtime| -> Result<Asked, String> {
                let code = code.ok_or("the institution is not in the world")?;
                let jlis = w.jlis();
                let cert = jlis.lookup(request.serial).ok_or_else(|| {
                    format!(
                        "serial {} is no certificate of this world's J-LIS: not asked",
                        request.serial
                    )
                })?;
                let der = jlis.certificate_der(cert).map_err(|e| e.to_string())?;
                let challenge = rt
                    .block_on(client.exchange("/onshi/terminal/challenge", b"{}".to_vec(), JSON))
                    .map_err(fault)?;
                let challenge: serde_json::Value = serde_json::from_slice(&challenge.bytes)
                    .map_err(|e| format!("the challenge answer is not JSON: {e}"))?;
                let challenge = challenge
                    .get("challenge")
                    .and_then(|c| c.as_str())
                    .and_then(|c| B64.decode(c).ok())
                    .ok_or("the challenge answer has no base64 `challenge`")?;
                let signature = jlis
                    .sign(cert, &sha256_digest_info(&challenge))
                    .map_err(|e| e.to_string())?;
                let confirm = serde_json::json!({
                    "medicalInstitutionCode": code.digits(),
                    "method": "pin",
                    "certificate": B64.encode(&der[..]),
                    "challenge": B64.encode(&challenge),
                    "signature": B64.encode(&signature),
                    "limitConsent": request.limit_consent,
                    "diseaseConsent": request.disease_consent,
                });
                let answer = rt
                    .block_on(client.exchange_as(
                        "/onshi/terminal/confirm",
                        confirm.to_string().into_bytes(),
                        JSON,
                        XML,
                    ))
                    .map_err(fault)?;
                Ok(Asked {
                    bytes: answer.bytes,
                })
            };
        let first = body(&self.client, &self.runtime);
        let second = body(&self.client, &self.runtime);
        Question {
            name: "registry_under_test.card",
            what,
            reference,
            requirements: vec!["REG-4"],
            also,
            first,
            second,
        }
    }

    fn numbers(&mut self, w: &World, request: &NumberConfirm, answer: &Answer) -> Question {
        let code = w
            .institutions()
            .get(request.institution.index())
            .map(|i| i.code);
        self.asked += 1;
        let afi = format!("{:032x}", u128::from(self.asked) * 0x9e37_79b9_7f4a_7c15);
        let what = format!(
            "confirmation by numbers {} {} {} {}, born {}, 医療機関コード {}, 資格確認日 {}, 限度額 consent {}",
            request.numbers.insurer,
            request.numbers.symbol.as_deref().unwrap_or("-"),
            request.numbers.number,
            request.numbers.branch.as_deref().unwrap_or("-"),
            request.birth,
            code.map_or("?".into(), |c| c.digits()),
            request.date,
            yes(request.limit_consent)
        );
        let Some(code) = code else {
            let missing = "the institution is not in the world".to_string();
            return Question {
                name: "registry_under_test.numbers",
                what,
                reference: Err(missing.clone()),
                requirements: vec!["REG-9", "REG-4"],
                also: Vec::new(),
                first: Err(missing.clone()),
                second: Err(missing),
            };
        };
        let req = oqs::confirm_request(
            code,
            request.date,
            &request.numbers,
            request.birth,
            request.limit_consent,
            Some(afi[..32].to_string()),
        );
        let view = view_at(w, answer.processed_at);
        let reference = encode(
            &oqs::answer_to_request(answer, &view, &req),
            EncodeOptions::with_encoding(CharacterCode::Utf8),
        )
        .map(|e| e.bytes)
        .map_err(|e| format!("the reference's answer could not be written: {e}"));
        let body = crate::wire::json::message_json(&req.to_element());
        let first = self.search(code, &body);
        let second = self.search(code, &body);
        Question {
            name: "registry_under_test.numbers",
            what,
            reference,
            requirements: vec!["REG-9", "REG-4"],
            also: Vec::new(),
            first,
            second,
        }
    }

    /// A 薬剤 or 特定健診 request as the 資格確認端末 would have sent it (`files`: the request
    /// and the reference's result), sent to the registry under test as a file. `None` when the
    /// exchange left no files (a kind with no folder exchange, a person with no numbers).
    fn data(
        &mut self,
        kind: onshi_sim::rules::DataKind,
        files: &[TerminalFile],
    ) -> Option<Question> {
        let req = files.iter().find(|f| f.folder == TerminalFolder::Req)?;
        let res = files.iter().find(|f| f.folder == TerminalFolder::Res)?;
        let base = match kind {
            onshi_sim::rules::DataKind::Checkup => vec!["REG-7"],
            _ => vec!["REG-8"],
        };
        let what = format!("{} (as the 資格確認端末 sends it)", req.name);
        let path = format!("/onshi/registry/oqs/{}", req.name);
        let ask = |client: &RegistryClient, rt: &tokio::runtime::Runtime| {
            rt.block_on(client.exchange_as(&path, req.bytes.clone(), XML, XML))
                .map(|a| Asked { bytes: a.bytes })
                .map_err(fault)
        };
        let first = ask(&self.client, &self.runtime);
        let second = ask(&self.client, &self.runtime);
        Some(Question {
            name: "registry_under_test.data",
            what,
            reference: Ok(res.bytes.clone()),
            requirements: base,
            also: Vec::new(),
            first,
            second,
        })
    }

    /// Logs in as `code` (once per scenario) and searches with `body`; the JSON answer is
    /// turned into XML for the comparison.
    fn search(&mut self, code: InstitutionCode, body: &str) -> Result<Asked, String> {
        let token = match self.tokens.get(&code) {
            Some(t) => t.clone(),
            None => {
                let login =
                    serde_json::json!({"medicalInstitutionCode": code.digits(), "password": ""});
                let answer = self
                    .runtime
                    .block_on(self.client.exchange(
                        crate::wire::http::LOGIN_PATH,
                        login.to_string().into_bytes(),
                        JSON,
                    ))
                    .map_err(fault)?;
                let v: serde_json::Value = serde_json::from_slice(&answer.bytes)
                    .map_err(|e| format!("the login answer is not JSON: {e}"))?;
                let token = v
                    .pointer("/result/idToken")
                    .and_then(|t| t.as_str())
                    .ok_or("the login answer has no result.idToken")?
                    .to_string();
                self.tokens.insert(code, token.clone());
                token
            }
        };
        let answer = self
            .runtime
            .block_on(self.client.ask(Ask {
                path: crate::wire::http::SEARCH_PATH,
                body: Some((body.as_bytes().to_vec(), JSON)),
                accept: JSON,
                authorization: Some(&token),
            }))
            .map_err(fault)?;
        let value: serde_json::Value = serde_json::from_slice(&answer.bytes)
            .map_err(|e| format!("the search answer is not JSON: {e}"))?;
        let xml = crate::wire::json::request_xml(&value).map_err(|p| {
            format!(
                "the search answer is not an XmlMsg: {}: {}",
                p.path, p.message
            )
        })?;
        Ok(Asked {
            bytes: xml.into_bytes(),
        })
    }

    fn judge(
        &mut self,
        shared: &SharedWorld,
        q: Question,
        step: Option<usize>,
        at: &str,
    ) -> Vec<Check> {
        let check = |name: &str,
                     requirements: Vec<String>,
                     verdict,
                     expected: String,
                     actual: String,
                     note: Option<String>| Check {
            name: name.into(),
            at: at.into(),
            step,
            requirements,
            verdict,
            expected,
            actual,
            note,
        };
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut out = Vec::new();
        let reference = match q.reference {
            Ok(r) => r,
            Err(e) => {
                out.push(check(
                    q.name,
                    strings(&q.requirements),
                    Verdict::Skip,
                    "the reference's answer".into(),
                    String::new(),
                    Some(format!("{}: not compared: {e}", q.what)),
                ));
                return out;
            }
        };
        let first = match q.first {
            Ok(a) => a,
            Err(e) => {
                out.push(check(
                    q.name,
                    strings(&q.requirements),
                    Verdict::Fail,
                    "the reference's answer".into(),
                    format!("no answer: {e}"),
                    Some(q.what),
                ));
                return out;
            }
        };
        match compare::compare_in(&reference, &first.bytes, &q.also) {
            Ok(diffs) if diffs.is_empty() => out.push(check(
                q.name,
                strings(&q.requirements),
                Verdict::Pass,
                "the reference's answer".into(),
                "the same, field by field".into(),
                Some(q.what.clone()),
            )),
            Ok(diffs) => out.push(check(
                q.name,
                requirements_of(&diffs, &q.requirements),
                Verdict::Fail,
                "the reference's answer".into(),
                format!(
                    "{} field(s) differ:\n{}",
                    diffs.len(),
                    compare::render(&diffs)
                ),
                Some(q.what.clone()),
            )),
            Err(e) => out.push(check(
                q.name,
                strings(&q.requirements),
                Verdict::Fail,
                "the reference's answer".into(),
                format!("an answer that cannot be read: {e}"),
                Some(q.what.clone()),
            )),
        }
        out.push(my_number_check(shared, &first.bytes, &q.what, at, step));
        let same = match q.second {
            Err(e) => check(
                "registry_under_test.same_answer",
                strings(&["REG-4"]),
                Verdict::Fail,
                "the same answer to the same question".into(),
                format!("no answer the second time: {e}"),
                Some(q.what),
            ),
            Ok(second) => match compare::compare(&first.bytes, &second.bytes) {
                Ok(d) if d.is_empty() => check(
                    "registry_under_test.same_answer",
                    strings(&["REG-4"]),
                    Verdict::Pass,
                    "the same answer to the same question".into(),
                    "the same".into(),
                    Some(q.what),
                ),
                Ok(d) => check(
                    "registry_under_test.same_answer",
                    strings(&["REG-4"]),
                    Verdict::Fail,
                    "the same answer to the same question".into(),
                    format!(
                        "the second answer differs from the first (\"reference\" is the first, \"under test\" the second):\n{}",
                        compare::render(&d)
                    ),
                    Some(q.what),
                ),
                Err(e) => check(
                    "registry_under_test.same_answer",
                    strings(&["REG-4"]),
                    Verdict::Fail,
                    "the same answer to the same question".into(),
                    format!("the second answer cannot be read: {e}"),
                    Some(q.what),
                ),
            },
        };
        out.push(same);
        out
    }

    fn counts(&mut self, shared: &SharedWorld, step: Option<usize>, at: &str) -> Check {
        let reference: BTreeMap<String, u64> = {
            let w = shared.lock();
            w.registry()
                .counts()
                .iter()
                .filter(|(_, n)| **n > 0)
                .filter_map(|(i, n)| {
                    w.insurers()
                        .get(i.index())
                        .map(|x| (x.number.to_string(), *n))
                })
                .collect()
        };
        let expected = show_counts(&reference);
        let got = self
            .runtime
            .block_on(self.client.ask(Ask {
                path: "/onshi/registry/counts",
                body: None,
                accept: JSON,
                authorization: None,
            }))
            .map_err(fault)
            .and_then(|a| {
                let v: serde_json::Value =
                    serde_json::from_slice(&a.bytes).map_err(|e| format!("not JSON: {e}"))?;
                let map = v
                    .get("counts")
                    .and_then(|c| c.as_object())
                    .ok_or("no `counts` object")?;
                let mut out = BTreeMap::new();
                for (k, n) in map {
                    let n = n
                        .as_u64()
                        .ok_or_else(|| format!("the count of {k} is not a whole number"))?;
                    if n > 0 {
                        out.insert(k.clone(), n);
                    }
                }
                Ok(out)
            });
        let (verdict, actual) = match got {
            Ok(c) if c == reference => (Verdict::Pass, show_counts(&c)),
            Ok(c) => (Verdict::Fail, show_counts(&c)),
            Err(e) => (Verdict::Fail, format!("no counts: {e}")),
        };
        Check {
            name: "registry_under_test.counts".into(),
            at: at.into(),
            step,
            requirements: vec!["REG-3".into()],
            verdict,
            expected,
            actual,
            note: None,
        }
    }
}

/// REG-11: the answer never carries a My Number (nor a 住民票コード) of anyone in the world.
fn my_number_check(
    shared: &SharedWorld,
    bytes: &[u8],
    what: &str,
    at: &str,
    step: Option<usize>,
) -> Check {
    let text = String::from_utf8_lossy(bytes);
    let w = shared.lock();
    let found: Vec<String> = w
        .people()
        .iter()
        .filter_map(|p| {
            let n = p.my_number.digits();
            let code = w.jlis().resident_code(p.id);
            (text.contains(&n) || text.contains(&code)).then(|| format!("{}'s", p.key))
        })
        .collect();
    Check {
        name: "registry_under_test.no_my_number".into(),
        at: at.into(),
        step,
        requirements: vec!["REG-11".into()],
        verdict: if found.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        expected: "no My Number or 住民票コード in the answer".into(),
        actual: if found.is_empty() {
            "none".into()
        } else {
            format!(
                "the answer carries {} My Number or 住民票コード",
                found.join(", ")
            )
        },
        note: Some(what.to_string()),
    }
}

fn requirements_of(diffs: &[FieldDiff], base: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in diffs.iter().flat_map(|d| d.requirements.iter()) {
        if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    }
    for r in base {
        if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    }
    out
}

fn show_counts(c: &BTreeMap<String, u64>) -> String {
    if c.is_empty() {
        return "no registrations".into();
    }
    c.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fault(e: RegistryFault) -> String {
    e.to_string()
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn text(m: Moment) -> String {
    m.to_string()
}

fn view_at(w: &World, at: Moment) -> onshi_sim::view::View<'_> {
    let mut v = w.view();
    v.now = at;
    v.today = at.date();
    v
}

fn with_stderr(text: String, adapter: &Adapter) -> String {
    crate::roles::provider::with_stderr(text, &adapter.stderr_tail())
}

/// The onshi executable, for an adapter that starts `onshi serve-registry` (`ONSHI_BIN`).
fn onshi_bin() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "onshi".into())
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
