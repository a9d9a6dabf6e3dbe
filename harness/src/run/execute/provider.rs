//! The provider role played by a system under test through the conformance adapter protocol
//! (`docs/adapter-protocol.md`): per scenario an OQS root with the folder server (and the web
//! API when a runtime is at hand), the adapter process, and what it recorded per visit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use onshi_sim::World;
use onshi_sim::oqs::CharacterCode;
use onshi_sim::registry::Answer;
use onshi_sim::world::{Presentation, VisitSpec};

use crate::adapter::protocol::{
    CertificateNumbers, FeeInfo, InstitutionInfo, IntakeForm, OqsPlaces, PatientInfo, VisitEvent,
};
use crate::adapter::{
    Adapter, AdapterCommand, AdapterError, FromAdapter, PROTOCOL, Recorded, ToAdapter,
};
use crate::scenario::compile::Plan;
use crate::terminal::SharedWorld;
use crate::wire::{
    ExchangeKind, ExchangeLog, ExchangeRecord, FolderConfig, FolderServer, HttpConfig, HttpServer,
    RequestDisposal, Service, ServiceSettings,
};

/// A provider system under test, for a whole run.
#[derive(Clone, Debug)]
pub struct AdapterRun {
    /// How to start the adapter.
    pub command: AdapterCommand,
    /// The folder under which each scenario gets its OQS root
    /// (`<exchanges>/<scenario id, / as __>/{req,res,face,processed}`); kept after the run.
    pub exchanges: PathBuf,
    /// Also serve the web API (on an ephemeral loopback port) when the runner has a runtime.
    pub http: bool,
}

/// The folder name of a scenario's OQS root.
pub fn scenario_folder(id: &str) -> String {
    id.replace('/', "__")
}

/// One scenario's provider under test.
pub(super) struct UnderTest {
    pub adapter: Adapter,
    pub service: Arc<Service>,
    folder: Option<FolderServer>,
    http: Option<(HttpServer, tokio::runtime::Handle)>,
    /// Visit name → the latest `recorded` (a visit's reply, then `observe` replies).
    pub latest: BTreeMap<String, Recorded>,
}

/// What a visit needs from the world before the adapter hears of it.
pub(super) struct VisitFacts {
    pub event: VisitEvent,
    pub my_number: String,
}

impl UnderTest {
    /// Creates the scenario's OQS root, starts the servers and the adapter, and says hello.
    pub fn start(
        run: &AdapterRun,
        plan: &Plan,
        seed: u64,
        shared: &SharedWorld,
    ) -> Result<UnderTest, String> {
        let root = run.exchanges.join(scenario_folder(&plan.id));
        if root.exists() {
            std::fs::remove_dir_all(&root)
                .map_err(|e| format!("clearing the OQS root {}: {e}", root.display()))?;
        }
        std::fs::create_dir_all(&root)
            .map_err(|e| format!("creating the OQS root {}: {e}", root.display()))?;
        let root = root.canonicalize().unwrap_or(root);
        let (institutions, now) = {
            let w = shared.lock();
            let list: Vec<InstitutionInfo> = w
                .institutions
                .iter()
                .map(|i| InstitutionInfo {
                    key: i.key.clone(),
                    code: i.code.digits(),
                    name: i.name.clone(),
                })
                .collect();
            let first = w.institutions.first().map(|i| i.code);
            (
                list.into_iter()
                    .zip(std::iter::repeat(first))
                    .collect::<Vec<_>>(),
                moment_text(&w),
            )
        };
        let Some(terminal) = institutions.first().and_then(|(_, c)| *c) else {
            return Err(
                "the scenario has no institution for the provider under test to play".into(),
            );
        };
        let institutions: Vec<InstitutionInfo> = institutions.into_iter().map(|(i, _)| i).collect();
        let mut settings = ServiceSettings::new(terminal);
        settings.encoding = plan.oqs_encoding;
        // One terminal serves every institution of the scenario the system plays.
        settings.check_terminal_institution = institutions.len() == 1;
        let service = Arc::new(Service::new(shared.clone(), ExchangeLog::new(), settings));
        let mut config = FolderConfig::new(&root);
        config.disposal = RequestDisposal::MoveTo(root.join("processed"));
        let folder = FolderServer::start(config.clone(), Arc::clone(&service))
            .map_err(|e| format!("the OQS folders could not be served: {e}"))?;
        let http = if run.http {
            tokio::runtime::Handle::try_current().ok().and_then(|h| {
                h.block_on(HttpServer::start(
                    HttpConfig::default(),
                    Arc::clone(&service),
                ))
                .ok()
                .map(|s| (s, h))
            })
        } else {
            None
        };
        let http_url = http.as_ref().map(|(s, _)| s.url());
        let mut env = vec![
            ("ONSHI_CAP_PROTOCOL", PROTOCOL.to_string()),
            ("ONSHI_OQS_ROOT", root.display().to_string()),
        ];
        if let Some(u) = &http_url {
            env.push(("ONSHI_OQS_HTTP", u.clone()));
        }
        let adapter = Adapter::start(&run.command, &env).map_err(|e| e.to_string())?;
        let hello = ToAdapter::Hello {
            protocol: PROTOCOL.into(),
            scenario: plan.id.clone(),
            seed,
            now,
            oqs: OqsPlaces {
                root: root.display().to_string(),
                req: config.req().display().to_string(),
                res: config.res().display().to_string(),
                face: config.face().display().to_string(),
                http: http_url,
                encoding: match plan.oqs_encoding {
                    CharacterCode::Utf8 => "utf8".into(),
                    CharacterCode::ShiftJis => "shift_jis".into(),
                },
            },
            institutions,
        };
        let mut put = UnderTest {
            adapter,
            service,
            folder: Some(folder),
            http,
            latest: BTreeMap::new(),
        };
        if let Err(e) = put.adapter.call(&hello) {
            return Err(put.failure(&e));
        }
        Ok(put)
    }

    /// The verdict text of a failed exchange: the error and the adapter's standard error.
    pub fn failure(&self, e: &AdapterError) -> String {
        with_stderr(e.to_string(), &self.adapter.stderr_tail())
    }

    /// The requests the system sent (face files onshi wrote left out) from log position `from`.
    pub fn requests_since(&self, from: u64) -> Vec<ExchangeRecord> {
        self.service
            .log()
            .snapshot()
            .into_iter()
            .filter(|r| r.seq >= from && r.kind != ExchangeKind::Face)
            .collect()
    }

    /// Writes the face file for a card visit's answer; returns its file name.
    pub fn write_face(&self, answer: &Answer) -> Result<String, String> {
        let folder = self
            .folder
            .as_ref()
            .ok_or("the OQS folders are not served")?;
        let path = folder
            .write_face_answer(answer)
            .map_err(|e| format!("the face file could not be written: {e}"))?;
        path.file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
            .ok_or_else(|| "the face file has no name".into())
    }

    /// The name the face file `file` carries, as onshi decodes it.
    pub fn face_name(&self, file: &str) -> Option<String> {
        let folder = self.folder.as_ref()?;
        let bytes = std::fs::read(folder.config().face().join(file)).ok()?;
        let r = onshi_sim::oqs::decode_confirm_response(&bytes).ok()?;
        r.body.results.first().map(|x| x.name.clone())
    }

    /// Sends `end`, stops the servers. Returns the adapter's failure text, if any.
    pub fn finish(mut self, now: String) -> Option<String> {
        let tail = self.adapter.stderr_tail();
        if let Some(folder) = self.folder.take() {
            folder.stop();
        }
        if let Some((server, handle)) = self.http.take() {
            handle.block_on(server.stop());
        }
        self.adapter
            .finish(&now)
            .err()
            .map(|e| with_stderr(e.to_string(), &tail))
    }

    /// Sends `msg` and returns the `recorded` reply for `visit`.
    pub fn recorded(&mut self, msg: &ToAdapter, visit: &str) -> Result<(Recorded, String), String> {
        let reply = self.adapter.call(msg).map_err(|e| self.failure(&e))?;
        match reply.message {
            FromAdapter::Recorded(r) if r.visit == visit => {
                self.latest.insert(visit.to_string(), (*r).clone());
                Ok((*r, reply.raw))
            }
            FromAdapter::Recorded(r) => Err(with_stderr(
                format!(
                    "the adapter answered `{}` for visit `{}`, not for `{visit}`",
                    msg.kind(),
                    r.visit
                ),
                &self.adapter.stderr_tail(),
            )),
            other => Err(format!(
                "the adapter answered `{}` with `{}`",
                msg.kind(),
                other.kind()
            )),
        }
    }
}

/// The virtual time as the protocol writes it (`2026-04-10T09:00:00+09:00`).
pub(super) fn moment_text(w: &World) -> String {
    let now = w.clock.now();
    format!("{}+09:00", now.to_string().trim_end_matches("+09:00"))
}

fn with_stderr(text: String, tail: &str) -> String {
    let lines: Vec<&str> = tail.lines().collect();
    if lines.is_empty() {
        return format!("{text}\n  (the adapter wrote nothing to standard error)");
    }
    let keep = &lines[lines.len().saturating_sub(30)..];
    format!(
        "{text}\n  the adapter's standard error (last {} lines):\n    {}",
        keep.len(),
        keep.join("\n    ")
    )
}

/// What the adapter hears of a visit, from the world before the visit.
pub(super) fn visit_facts(
    w: &World,
    spec: &VisitSpec,
    visit: &str,
    face_file: Option<String>,
) -> VisitFacts {
    let p = &w.people[spec.person.index()];
    let birthdate = onshi_sim::clock::compact_date(p.birth);
    let view = w.view();
    let certificate = view
        .current_qualification(spec.person)
        .and_then(|q| w.quals.get(q.index()))
        .map(|q| CertificateNumbers {
            insurer_number: w.insurers[q.insurer.index()].number.digits(),
            symbol: q.symbol.clone(),
            number: q.number.clone(),
            branch: Some(q.branch.clone()),
            birthdate: birthdate.clone(),
        });
    let code = w
        .institutions
        .get(spec.institution.index())
        .map(|i| i.code.digits())
        .unwrap_or_default();
    let my_number = p.my_number.digits();
    VisitFacts {
        event: VisitEvent {
            visit: visit.to_string(),
            now: moment_text(w),
            institution: code,
            patient: PatientInfo {
                key: p.key.clone(),
                name: p.name.clone(),
                kana: p.kana.clone(),
                birthdate,
                intake_form: IntakeForm {
                    my_number: Some(my_number.clone()),
                },
            },
            presents: if spec.presentation == Presentation::EligibilityCertificate {
                "eligibility_certificate".into()
            } else {
                "card".into()
            },
            face_file,
            certificate,
            limit_consent: spec.paper_limit_consent(),
            fee: spec.fee.map(|f| FeeInfo {
                total: f.total,
                many_times: f.many_times,
            }),
            care: match spec.care {
                onshi_sim::rules::CareMode::Inpatient => "inpatient".into(),
                _ => "outpatient".into(),
            },
        },
        my_number,
    }
}

use onshi_reports::{Check, Verdict};
use onshi_sim::trace::Actor;
use onshi_sim::world::{Event, Outcome, VisitOutcome};

use super::{AdapterVisit, Executor, Output};
use crate::adapter::protocol::FetchedKind;
use crate::scenario::compile::{Action, PlannedExpect, PlannedStep};
use crate::scenario::model::{RequestKindName, RequestsExpect};

/// The request kind of an exchange, in the scenario language.
fn request_kind(kind: ExchangeKind) -> Option<RequestKindName> {
    match kind {
        ExchangeKind::Siquc01 | ExchangeKind::Search => Some(RequestKindName::Siquc01),
        ExchangeKind::Siimm01 => Some(RequestKindName::Siimm01),
        ExchangeKind::Muquc01 | ExchangeKind::Muquc02 => Some(RequestKindName::Bulk),
        ExchangeKind::Yzk => Some(RequestKindName::Yzk),
        ExchangeKind::Tkk => Some(RequestKindName::Tkk),
        _ => None,
    }
}

/// Whether a logged violation makes a request ill-formed (errors, and a half-written file;
/// tolerated warnings such as an empty element do not).
fn breaks_request(code: &str) -> bool {
    code.starts_with("ONS-E") || code == onshi_sim::oqs::ResultCode::WrittenInPlace.code()
}

/// `siquc01, yzk`, or `none`.
fn kinds_text(kinds: &[RequestKindName]) -> String {
    if kinds.is_empty() {
        return "none".into();
    }
    kinds
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The data kind a fetched kind names.
pub(super) fn fetched_data_kind(k: FetchedKind) -> onshi_sim::rules::DataKind {
    use onshi_sim::rules::DataKind;
    match k {
        FetchedKind::Medication => DataKind::Medication,
        FetchedKind::Treatment => DataKind::Treatment,
        FetchedKind::Surgery => DataKind::Surgery,
        FetchedKind::Checkup => DataKind::Checkup,
    }
}

impl Executor<'_> {
    /// A step of a scenario whose provider is under test: visits go to the system, the clock
    /// and outage notices are passed on, observations are refreshed before checks. The world
    /// is never locked while the adapter is waited for (its requests need the world).
    pub(super) fn provider_step(
        &mut self,
        shared: &SharedWorld,
        step: &PlannedStep,
        n: usize,
    ) -> Result<(), String> {
        match &step.action {
            Action::Event(e) => match &**e {
                Event::Visit(spec) => return self.provider_visit(shared, spec, step, n),
                Event::Advance(_) | Event::AdvanceTo(_) => {
                    self.step(&mut shared.lock(), step, n)?;
                    let now = moment_text(&shared.lock());
                    return self.tell(shared, &ToAdapter::Time { now });
                }
                _ => {}
            },
            Action::Outage { kind, from, length } => {
                let notice = {
                    let mut w = shared.lock();
                    let start = from.unwrap_or_else(|| w.now());
                    let until = start.plus(*length).map_err(|e| e.to_string())?;
                    self.step(&mut w, step, n)?;
                    ToAdapter::Outage {
                        now: moment_text(&w),
                        kind: format!("{kind:?}").to_lowercase(),
                        from: format!("{}+09:00", start.to_string().trim_end_matches("+09:00")),
                        until: format!("{}+09:00", until.to_string().trim_end_matches("+09:00")),
                    }
                };
                return self.tell(shared, &notice);
            }
            Action::Expect(_) => self.refresh_observations(shared)?,
            _ => {}
        }
        self.step(&mut shared.lock(), step, n)
    }

    /// Sends a message that wants `done`.
    fn tell(&mut self, shared: &SharedWorld, msg: &ToAdapter) -> Result<(), String> {
        let Some(put) = self.put.as_mut() else {
            return Ok(());
        };
        let result = put
            .adapter
            .call(msg)
            .map(|_| ())
            .map_err(|e| put.failure(&e));
        self.take_logs(shared);
        result
    }

    /// Puts the adapter's `log` lines into the trace.
    fn take_logs(&mut self, shared: &SharedWorld) {
        let Some(put) = self.put.as_mut() else {
            return;
        };
        let logs = put.adapter.take_logs();
        if logs.is_empty() {
            return;
        }
        let mut w = shared.lock();
        let now = w.now();
        for l in logs {
            w.trace.push(
                now,
                Actor::Provider,
                Actor::Provider,
                "provider.log",
                None,
                || l,
            );
        }
    }

    /// Asks for every visit's record as the system holds it now.
    pub(super) fn refresh_observations(&mut self, shared: &SharedWorld) -> Result<(), String> {
        let Some(put) = self.put.as_mut() else {
            return Ok(());
        };
        let now = moment_text(&shared.lock());
        let visits: Vec<String> = put.latest.keys().cloned().collect();
        let mut result = Ok(());
        for v in visits {
            let msg = ToAdapter::Observe {
                visit: v.clone(),
                now: now.clone(),
            };
            if let Err(e) = put.recorded(&msg, &v) {
                result = Err(e);
                break;
            }
        }
        self.take_logs(shared);
        result
    }

    /// A visit with the provider under test: the reader and registry part in the world, the
    /// face file, then the system's turn.
    fn provider_visit(
        &mut self,
        shared: &SharedWorld,
        spec: &VisitSpec,
        step: &PlannedStep,
        n: usize,
    ) -> Result<(), String> {
        let name = step.name.clone().unwrap_or_else(|| format!("visit-{n}"));
        let paper = spec.presentation == Presentation::EligibilityCertificate;
        let Some(put) = self.put.as_mut() else {
            return Err("no provider under test".into());
        };
        let log_from = put.service.log().total();
        let answered_before = put.service.answered();
        let world_part = if paper {
            None
        } else {
            let mut w = shared.lock();
            match w
                .apply(Event::Visit(Box::new(spec.clone())))
                .map_err(|e| e.to_string())?
            {
                Outcome::Visit(v) => Some(*v),
                _ => None,
            }
        };
        let face_file = match world_part.as_ref().and_then(|v| v.answer.as_ref()) {
            Some(a) => Some(put.write_face(a)?),
            None => None,
        };
        // Read back before the system may take the file away (clients delete or move them).
        let face_name = face_file.as_deref().and_then(|f| put.face_name(f));
        let facts = visit_facts(&shared.lock(), spec, &name, face_file.clone());
        let reply = put.recorded(&ToAdapter::Visit(Box::new(facts.event.clone())), &name);
        let requests = put.requests_since(log_from);
        let paper_answer = put.service.answers_since(answered_before).pop();
        self.take_logs(shared);
        let (recorded, raw) = reply?;
        let mut outcome = world_part.unwrap_or(VisitOutcome::default());
        if paper {
            outcome.answer = paper_answer;
        }
        let at = self.position(step.origin);
        // PRV-5: the My Number the patient wrote on the 問診票 is nowhere in the record.
        let leaked = raw.contains(&facts.my_number);
        self.checks.push(Check {
            name: "provider.my_number_not_stored".into(),
            at: at.clone(),
            step: Some(n),
            requirements: vec!["PRV-5".into()],
            verdict: if leaked { Verdict::Fail } else { Verdict::Pass },
            expected: "the My Number from the 問診票 appears nowhere in what the system recorded"
                .into(),
            actual: if leaked {
                "the `recorded` reply contains the My Number".into()
            } else {
                "not in the record".into()
            },
            note: None,
        });
        // PRV-2: a confirmation by numbers carries the patient's 限度額 answer.
        if paper {
            let want = if spec.paper_limit_consent() { "1" } else { "0" };
            for r in requests
                .iter()
                .filter(|r| request_kind(r.kind) == Some(RequestKindName::Siquc01))
            {
                let got = r
                    .summary
                    .limit_consent
                    .clone()
                    .unwrap_or_else(|| "none".into());
                self.checks.push(Check {
                    name: "provider.limit_consent_as_given".into(),
                    at: at.clone(),
                    step: Some(n),
                    requirements: vec!["PRV-2".into()],
                    verdict: if got == want {
                        Verdict::Pass
                    } else {
                        Verdict::Fail
                    },
                    expected: format!(
                        "LimitApplicationCertificateRelatedConsFlg {want} (the patient's answer)"
                    ),
                    actual: format!("{got} in {}", r.request),
                    note: None,
                });
            }
        }
        // PRV-6: the name as the result file carries it (its declared encoding).
        if let (Some(want), Some(got)) = (face_name, recorded.name.clone()) {
            let ok = got == want;
            self.checks.push(Check {
                name: "provider.name_as_written".into(),
                at: at.clone(),
                step: Some(n),
                requirements: vec!["PRV-6".into()],
                verdict: if ok { Verdict::Pass } else { Verdict::Fail },
                expected: want,
                actual: got,
                note: (!ok).then(|| {
                    format!(
                        "the face file {} declares its encoding; the name differs from what it carries",
                        face_file.clone().unwrap_or_default()
                    )
                }),
            });
        }
        self.outputs.push(
            step.name.as_ref(),
            Output::ProviderVisit(
                Box::new(outcome),
                Box::new(AdapterVisit {
                    name,
                    recorded,
                    requests,
                }),
            ),
        );
        Ok(())
    }

    /// Checks over every request the system sent in the scenario (end of the scenario).
    pub(super) fn requests_checks(&mut self, put: &UnderTest, plan: &Plan) {
        let all = put.requests_since(0);
        let at = plan
            .steps
            .first()
            .map(|s| self.position(s.origin))
            .unwrap_or_default();
        if !all.is_empty() {
            let bad: Vec<String> = all
                .iter()
                .filter_map(|r| {
                    let broken: Vec<String> = r
                        .violations
                        .iter()
                        .filter(|v| breaks_request(&v.code))
                        .map(|v| format!("{} {} ({}): {}", v.code, v.path, v.rule, v.message))
                        .collect();
                    (!broken.is_empty()).then(|| format!("{}: {}", r.request, broken.join("; ")))
                })
                .collect();
            self.checks.push(Check {
                name: "provider.requests_well_formed".into(),
                at: at.clone(),
                step: None,
                requirements: vec!["REG-9".into()],
                verdict: if bad.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                expected: "every request valid and written with write-then-rename".into(),
                actual: if bad.is_empty() {
                    format!("{} requests, all valid", all.len())
                } else {
                    bad.join("\n")
                },
                note: None,
            });
        }
        let data: Vec<&ExchangeRecord> = all
            .iter()
            .filter(|r| matches!(r.kind, ExchangeKind::Yzk | ExchangeKind::Tkk))
            .collect();
        if !data.is_empty() {
            let refused: Vec<String> = data
                .iter()
                .filter(|r| {
                    matches!(
                        r.result_code.as_deref(),
                        Some("ONS-E0105") | Some("ONS-E0106")
                    )
                })
                .map(|r| {
                    format!(
                        "{} answered {}",
                        r.request,
                        r.result_code.clone().unwrap_or_default()
                    )
                })
                .collect();
            self.checks.push(Check {
                name: "provider.no_data_without_consent".into(),
                at,
                step: None,
                requirements: vec!["PRV-3".into()],
                verdict: if refused.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                expected: "薬剤/特定健診 requested only under a valid consent".into(),
                actual: if refused.is_empty() {
                    format!("{} data requests, each under a consent", data.len())
                } else {
                    refused.join("\n")
                },
                note: None,
            });
        }
    }

    /// `requests`: what the provider sent during a visit.
    pub(super) fn requests(&mut self, pe: &PlannedExpect, step: Option<usize>, r: &RequestsExpect) {
        let sent = self.outputs.find(&r.of, "a visit", |o| match o {
            Output::ProviderVisit(_, a) => Some(
                a.requests
                    .iter()
                    .filter_map(|x| request_kind(x.kind))
                    .collect::<Vec<_>>(),
            ),
            Output::Visit(v, paper) => {
                let mut kinds = Vec::new();
                if *paper {
                    kinds.push(RequestKindName::Siquc01);
                }
                for k in v.record.iter().flat_map(|rec| rec.fetched.iter()) {
                    match k {
                        onshi_sim::rules::DataKind::Medication => kinds.push(RequestKindName::Yzk),
                        onshi_sim::rules::DataKind::Checkup => kinds.push(RequestKindName::Tkk),
                        _ => {}
                    }
                }
                Some(kinds)
            }
            _ => None,
        });
        let mut sent = match sent {
            Ok(s) => s,
            Err(e) => {
                self.fail(pe, step, "requests", "a visit".into(), e);
                return;
            }
        };
        sent.sort();
        sent.dedup();
        if !r.sent.is_empty() {
            let missing: Vec<RequestKindName> = r
                .sent
                .iter()
                .copied()
                .filter(|k| !sent.contains(k))
                .collect();
            self.requests_check(
                pe,
                step,
                "requests.sent",
                format!("sent: {}", kinds_text(&r.sent)),
                &sent,
                &missing,
                "not sent",
            );
        }
        if !r.not_sent.is_empty() {
            let wrong: Vec<RequestKindName> = r
                .not_sent
                .iter()
                .copied()
                .filter(|k| sent.contains(k))
                .collect();
            self.requests_check(
                pe,
                step,
                "requests.not_sent",
                format!("never sent: {}", kinds_text(&r.not_sent)),
                &sent,
                &wrong,
                "sent anyway",
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn requests_check(
        &mut self,
        pe: &PlannedExpect,
        step: Option<usize>,
        name: &str,
        expected: String,
        sent: &[RequestKindName],
        wrong: &[RequestKindName],
        what: &str,
    ) {
        self.checks.push(Check {
            name: name.into(),
            at: self.position(pe.origin),
            step,
            requirements: pe.requirements.clone(),
            verdict: if wrong.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            expected,
            actual: format!("sent: {}", kinds_text(sent)),
            note: (!wrong.is_empty()).then(|| format!("{what}: {}", kinds_text(wrong))),
        });
    }
}
