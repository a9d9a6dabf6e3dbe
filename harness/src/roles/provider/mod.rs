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
use crate::scenario::plan::Plan;
use crate::shared::SharedWorld;
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

/// Who plays the provider in the provider suite
/// ([`Plan::provider_suite`](crate::scenario::plan::Plan::provider_suite)).
#[derive(Clone, Debug, Default)]
pub enum ProviderRole {
    /// The reference provider in `onshi-sim`.
    #[default]
    Reference,
    /// A system under test, driven through the adapter protocol and the OQS interfaces.
    Adapter(Arc<AdapterRun>),
}

impl ProviderRole {
    /// How the run record names the role.
    pub fn describe(&self) -> String {
        match self {
            ProviderRole::Reference => "reference".into(),
            ProviderRole::Adapter(run) => super::under_test(&run.describe()),
        }
    }

    /// The system under test's adapter, in a scenario of the provider suite.
    pub fn adapter_for(&self, plan: &Plan) -> Option<&Arc<AdapterRun>> {
        match self {
            ProviderRole::Adapter(run) if plan.provider_suite() => Some(run),
            _ => None,
        }
    }
}

impl AdapterRun {
    /// How reports describe the binding.
    pub fn describe(&self) -> String {
        format!(
            "adapter `{}`, OQS folders under {}",
            self.command.command,
            self.exchanges.display()
        )
    }
}

/// The folder name of a scenario's OQS root.
pub fn scenario_folder(id: &str) -> String {
    id.replace('/', "__")
}

/// One scenario's provider under test.
pub(crate) struct UnderTest {
    pub adapter: Adapter,
    pub service: Arc<Service>,
    folder: Option<FolderServer>,
    http: Option<(HttpServer, tokio::runtime::Handle)>,
    /// Visit name → the latest `recorded` (a visit's reply, then `observe` replies).
    pub latest: BTreeMap<String, Recorded>,
}

/// What a visit needs from the world before the adapter hears of it.
pub(crate) struct VisitFacts {
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
                .institutions()
                .iter()
                .map(|i| InstitutionInfo {
                    key: i.key.clone(),
                    code: i.code.digits(),
                    name: i.name.clone(),
                })
                .collect();
            let first = w.institutions().first().map(|i| i.code);
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

    /// The names the face file `file` carries (one per result), as onshi decodes them.
    pub fn face_names(&self, file: &str) -> Option<Vec<String>> {
        let folder = self.folder.as_ref()?;
        let bytes = std::fs::read(folder.config().face().join(file)).ok()?;
        let r = onshi_sim::oqs::decode_confirm_response(&bytes).ok()?;
        let names: Vec<String> = r.body.results.iter().map(|x| x.name.clone()).collect();
        (!names.is_empty()).then_some(names)
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
pub(crate) fn moment_text(w: &World) -> String {
    let now = w.clock().now();
    format!("{}+09:00", now.to_string().trim_end_matches("+09:00"))
}

pub(crate) fn with_stderr(text: String, tail: &str) -> String {
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
pub(crate) fn visit_facts(
    w: &World,
    spec: &VisitSpec,
    visit: &str,
    face_file: Option<String>,
) -> VisitFacts {
    let p = &w.people()[spec.person.index()];
    let birthdate = onshi_sim::clock::compact_date(p.birth);
    let view = w.view();
    // The papers, as the reference desk reads them: the 資格確認書 a patient presents is the
    // one they hold today; on a card visit, the papers for the visit date.
    let date = spec.confirmation_date.unwrap_or(w.clock().now().date());
    let paper = if spec.presentation == Presentation::EligibilityCertificate {
        view.current_qualification(spec.person)
    } else {
        view.qualification_on(spec.person, date)
    };
    let certificate = paper
        .and_then(|q| w.quals().get(q.index()))
        .map(|q| CertificateNumbers {
            insurer_number: w.insurers()[q.numbers.insurer.index()].number.digits(),
            symbol: q.numbers.symbol.clone(),
            number: q.numbers.number.clone(),
            branch: Some(q.numbers.branch.clone()),
            relation: crate::scenario::names::RelationName::of(q.relation),
            birthdate: birthdate.clone(),
        });
    let code = w
        .institutions()
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
