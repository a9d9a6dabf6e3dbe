//! Helpers of the import tests: OQS files made from what the reference answers, never written
//! by hand. A `Clinic` holds a scenario's world (its set-up, no step applied) and the folder
//! server's answering core for one institution: a card visit at the reader becomes the face
//! file the terminal writes; a confirmation by numbers or a data request is a request encoded
//! by the simulation's encoders and answered by the service, as the folder server would.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use onshi_harness::catalog::Catalog;
use onshi_harness::import::{self, Imported, Options};
use onshi_harness::run::execute::{build_world, execute};
use onshi_harness::scenario::{Scenario, compile, lint, load};
use onshi_harness::wire::{ExchangeLog, Service, ServiceSettings, SharedWorld};
use onshi_reports::{ScenarioRecord, Verdict};
use onshi_sim::clock::Moment;
use onshi_sim::oqs::{
    CharacterCode, ConfirmRequest, ConfirmRequestHeader, ConsentFlag, EncodeOptions, FileCategory,
    InsuranceNumbersText, InsurerNumberText, MedicalInfoRequest, MedicalInfoRequestBody,
    MedicalInfoRequestHeader, MedicalTreatmentFlag, Message, SearchInfo,
};
use onshi_sim::reader::{Attempt, ConsentAnswers};
use onshi_sim::rules::{CareMode, ConsentItem};
use onshi_sim::world::{Event, Outcome, Presentation, VisitSpec};

/// A world and the terminal of one of its institutions.
pub struct Clinic {
    /// The world.
    pub world: SharedWorld,
    /// The answering core.
    pub service: Arc<Service>,
    institution: String,
    files: Vec<(String, Vec<u8>)>,
    counter: u32,
}

impl Clinic {
    /// The world of `scenario` (its set-up), answering for `institution` in `encoding`.
    pub fn new(scenario: &str, institution: &str, encoding: CharacterCode) -> Clinic {
        let loaded = load::load_text("test-world.yaml", scenario).expect("the test world loads");
        let plan = compile::compile(&loaded, Catalog::builtin()).expect("the test world compiles");
        let world = build_world(&plan, 1).expect("the world builds");
        let code = world
            .institutions()
            .iter()
            .find(|i| i.key == institution)
            .expect("institution")
            .code;
        let mut settings = ServiceSettings::new(code);
        settings.encoding = encoding;
        let world = SharedWorld::new(world);
        let service = Arc::new(Service::new(world.clone(), ExchangeLog::new(), settings));
        Clinic {
            world,
            service,
            institution: institution.into(),
            files: Vec::new(),
            counter: 0,
        }
    }

    /// Moves the clock to `at` (`2026-04-10T09:15:30`).
    pub fn at(&self, at: &str) {
        let m = Moment::parse(at).unwrap();
        self.world.lock().apply(Event::AdvanceTo(m)).unwrap();
    }

    /// A visit with the card (a live face), with `consent` answers; the face file the terminal
    /// writes is added to the files.
    pub fn card_visit(&mut self, person: &str, consent: &[(ConsentItem, bool)]) {
        let answer = {
            let mut w = self.world.lock();
            let spec = VisitSpec {
                person: w.person_by_key(person).unwrap(),
                institution: w.institution_by_key(&self.institution).unwrap(),
                presentation: Presentation::Card,
                verify: vec![Attempt::Face {
                    similarity: 0.95,
                    live: true,
                }],
                register_if_prompted: false,
                consent: ConsentAnswers {
                    blanket: None,
                    items: consent.iter().copied().collect(),
                },
                care: CareMode::Outpatient,
                confirmation_date: None,
                fee: None,
            };
            match w.apply(Event::Visit(Box::new(spec))).unwrap() {
                Outcome::Visit(v) => v.answer.expect("the card was answered"),
                other => panic!("not a visit: {other:?}"),
            }
        };
        let code = self.service.settings().terminal_institution;
        let response = self.service.face_response(&answer);
        let (name, bytes, _) = self
            .service
            .face_file(&response, code, answer.processed_at, 0)
            .unwrap();
        self.files.push((format!("face/{name}"), bytes));
    }

    /// [`Clinic::at`], then [`Clinic::card_visit`].
    pub fn visit_at(&mut self, at: &str, person: &str, consent: &[(ConsentItem, bool)]) {
        self.at(at);
        self.card_visit(person, consent);
    }

    fn suffix(&mut self) -> String {
        self.counter += 1;
        format!("20260410{:04}", self.counter)
    }

    /// A confirmation by numbers: the request and the service's answer are added.
    pub fn numbers(
        &mut self,
        insurer: &str,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
        birth: &str,
        limit_consent: bool,
    ) {
        let now = self.service.now();
        let request = ConfirmRequest {
            header: ConfirmRequestHeader {
                qualification_confirmation_date: now.date(),
                institution: self.service.settings().terminal_institution,
                arbitrary_file_identifier: Some("CLINIC-FILE-ID".into()),
            },
            search_info: SearchInfo {
                numbers: InsuranceNumbersText {
                    insurer: InsurerNumberText(insurer.into()),
                    symbol: symbol.map(str::to_string),
                    number: number.into(),
                    branch: branch.map(str::to_string),
                },
                birthdate: birth.parse().unwrap(),
                limit_consent: if limit_consent {
                    ConsentFlag::Given
                } else {
                    ConsentFlag::NotGiven
                },
                arbitrary_identifier: Some("PATIENT-ID-0001".into()),
            },
        };
        let bytes = request.encode(self.options()).unwrap().bytes;
        let name = format!("OQSsiquc01req_{}.xml", self.suffix());
        self.exchange(&name, bytes);
    }

    /// A 薬剤 (`YZK`) or 特定健診 (`TKK`) request by numbers: the request and the answer are added.
    pub fn fetch(
        &mut self,
        prefix: &str,
        insurer: &str,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) {
        let request = MedicalInfoRequest {
            header: MedicalInfoRequestHeader {
                institution: self.service.settings().terminal_institution,
                numbers: InsuranceNumbersText {
                    insurer: InsurerNumberText(insurer.into()),
                    symbol: symbol.map(str::to_string),
                    number: number.into(),
                    branch: branch.map(str::to_string),
                },
                arbitrary_file_identifier: Some("CLINIC-FILE-ID".into()),
            },
            body: MedicalInfoRequestBody {
                start_date: None,
                end_date: None,
                file_category: FileCategory::Xml,
                classification: Some("1".into()),
                treatment: MedicalTreatmentFlag::Outpatient,
            },
        };
        let bytes = request.encode(self.options()).unwrap().bytes;
        let name = format!("{prefix}siquc01req_{}.xml", self.suffix());
        self.exchange(&name, bytes);
    }

    /// The registry unavailable for `minutes` from now (`kind`: maintenance, emergency).
    pub fn outage(&self, kind: onshi_sim::registry::OutageKind, minutes: i64) {
        let mut w = self.world.lock();
        let from = w.now();
        let until = from.plus(jiff::Span::new().minutes(minutes)).unwrap();
        w.apply(Event::Outage(onshi_sim::registry::Outage {
            kind,
            from,
            until,
        }))
        .unwrap();
    }

    /// A bulk confirmation: the upload of `who` (insurer, symbol, number, branch, birth) now,
    /// the download `later` (a time); the four files are added.
    pub fn bulk(&mut self, who: &[(&str, &str, &str, &str, &str)], later: &str) {
        let now = self.service.now();
        let infos = who
            .iter()
            .map(|(i, s, n, b, born)| SearchInfo {
                numbers: InsuranceNumbersText {
                    insurer: InsurerNumberText((*i).into()),
                    symbol: Some((*s).into()),
                    number: (*n).into(),
                    branch: Some((*b).into()),
                },
                birthdate: born.parse().unwrap(),
                limit_consent: ConsentFlag::Given,
                arbitrary_identifier: None,
            })
            .collect();
        let upload = onshi_sim::oqs::BulkConfirmUploadRequest {
            header: onshi_sim::oqs::BulkRequestHeader {
                qualification_confirmation_date: Some(now.date()),
                institution: self.service.settings().terminal_institution,
                arbitrary_file_identifier: None,
            },
            search_infos: infos,
        };
        let bytes = upload.encode(self.options()).unwrap().bytes;
        let suffix = self.suffix();
        self.exchange(&format!("OQSmuquc01req_{suffix}.xml"), bytes);
        let reception = onshi_sim::oqs::decode_bulk_upload_response(&self.files.last().unwrap().1)
            .unwrap()
            .body
            .reception_number
            .expect("a reception number");
        self.at(later);
        let download = onshi_sim::oqs::BulkDownloadRequest {
            header: onshi_sim::oqs::RequestHeader {
                institution: self.service.settings().terminal_institution,
                arbitrary_file_identifier: None,
            },
            reception_number: reception,
        };
        let bytes = download.encode(self.options()).unwrap().bytes;
        let suffix = self.suffix();
        self.exchange(&format!("OQSmuquc02req_{suffix}.xml"), bytes);
    }

    /// A 照会番号登録 of `reference` for these numbers.
    pub fn register_reference(&mut self, insurer: &str, symbol: &str, number: &str, branch: &str) {
        let request = onshi_sim::oqs::ReferenceNumberRegistrationRequest {
            header: onshi_sim::oqs::RequestHeader {
                institution: self.service.settings().terminal_institution,
                arbitrary_file_identifier: None,
            },
            info: onshi_sim::oqs::ReferenceNumberRegistrationInfo {
                reference_number: "KARTE-000042".into(),
                numbers: InsuranceNumbersText {
                    insurer: InsurerNumberText(insurer.into()),
                    symbol: Some(symbol.into()),
                    number: number.into(),
                    branch: Some(branch.into()),
                },
            },
        };
        let bytes = request.encode(self.options()).unwrap().bytes;
        let name = format!("OQSsiimm01req_{}.xml", self.suffix());
        self.exchange(&name, bytes);
    }

    fn options(&self) -> EncodeOptions {
        EncodeOptions {
            encoding: self.service.settings().encoding,
            ..EncodeOptions::default()
        }
    }

    fn exchange(&mut self, name: &str, bytes: Vec<u8>) {
        let reply = self.service.answer_file(name, &bytes);
        self.files.push((format!("req/{name}"), bytes));
        let answer = reply.answer_name.expect("an answer name");
        self.files.push((format!("res/{answer}"), reply.bytes));
    }

    /// The files so far.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        self.files.clone()
    }
}

/// Imports `files` with default options; panics with the diagnostics when it fails.
pub fn import_ok(files: &[(String, Vec<u8>)]) -> Imported {
    match import::import(files, &Options::default()) {
        Ok(i) => i,
        Err(d) => panic!("import failed:\n{d}"),
    }
}

/// Imports `files`, which must all be read, into a scenario `validate` accepts as it is.
pub fn import_valid(files: &[(String, Vec<u8>)]) -> Imported {
    let i = import_ok(files);
    assert!(!i.refused(), "{}", i.diagnostics);
    let problems = validate(&i.yaml);
    assert!(problems.is_empty(), "{problems:?}\n{}", i.yaml);
    i
}

/// Loads, compiles and lints a scenario text: the problems `onshi validate` would print.
pub fn validate(yaml: &str) -> Vec<String> {
    let loaded = match load::load_text("imported.yaml", yaml) {
        Ok(l) => l,
        Err(ps) => return ps.iter().map(|p| p.to_string()).collect(),
    };
    match compile::compile(&loaded, Catalog::builtin()) {
        Ok(plan) => {
            let s = Scenario {
                sources: loaded.sources,
                plan,
                file: loaded.scenario,
            };
            lint::lint(&s).iter().map(|p| p.to_string()).collect()
        }
        Err(ps) => ps.iter().map(|p| p.to_string()).collect(),
    }
}

/// Runs a scenario text against the reference.
pub fn run(yaml: &str) -> ScenarioRecord {
    let loaded = load::load_text("imported.yaml", yaml).expect("loads");
    let plan = compile::compile(&loaded, Catalog::builtin()).expect("compiles");
    execute(&plan, &loaded.sources, 1)
}

/// Panics with every failed check unless the scenario passes against the reference, and
/// returns how many checks ran.
pub fn assert_green(yaml: &str) -> usize {
    let r = run(yaml);
    let failed: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .map(|c| format!("{}: expected {}, got {}", c.name, c.expected, c.actual))
        .collect();
    assert!(
        r.verdict == Verdict::Pass && failed.is_empty(),
        "the imported scenario does not pass against the reference ({:?}, error {:?}):\n{}\n---\n{yaml}",
        r.verdict,
        r.error,
        failed.join("\n")
    );
    r.checks.len()
}

/// The world every import test starts from: two insurers, a clinic and a pharmacy, and people
/// with cards (all synthetic).
pub const WORLD: &str = r#"
id: import-tests/world
title: { en: the world of the import tests }
requirements: [REG-4]
start: 2026-04-10T09:00
world:
  insurers:
    - { id: kyokai, number: "01130012", name: 全国健康保険協会東京支部, lag_days: 0 }
    - { id: kumiai, number: "06139992", name: 架空健康保険組合, lag_days: 0 }
  institutions:
    - { id: clinic, code: "1310143217", name: オンシ内科クリニック }
  people:
    - id: taro
      name: 山田　太郎
      kana: ﾔﾏﾀﾞ ﾀﾛｳ
      born: 1980-05-10
      address: 東京都千代田区千代田1-1
      card: { issued: 2025-06-01 }
      registered: { on: 2025-06-10T10:00 }
      insurance:
        - { insurer: kyokai, symbol: "1234", number: "5678", branch: "01", from: 2015-04-01 }
      records:
        - { kind: medication, date: 2025-11-05, text: 合成薬A錠 }
        - { kind: medication, date: 2025-11-05, text: 合成薬B散 }
        - { kind: medication, date: 2026-01-20, text: 合成薬C錠 }
    - id: hanako
      name: 佐藤　花子
      kana: ｻﾄｳ ﾊﾅｺ
      born: 1953-02-01
      sex: female
      address: 大阪府大阪市北区1-1
      card: { issued: 2025-03-01 }
      registered: { on: 2025-03-10T10:00 }
      income: active
      insurance:
        - { insurer: kumiai, symbol: "77", number: "4242", branch: "00", from: 2010-04-01,
            limits: [{ category: B03, issued: 2025-08-01, valid_until: 2026-07-31 }],
            diseases: [{ disease: chronic_renal_failure, issued: 2024-04-01, monthly_cap: 20000 }] }
    - id: jiro
      name: 鈴木　次郎
      kana: ｽｽﾞｷ ｼﾞﾛｳ
      born: 1990-09-09
      card: { issued: 2025-01-01 }
      registered: { on: 2025-01-10T10:00 }
      insurance:
        - { insurer: kyokai, symbol: "1234", number: "9001", branch: "00", from: 2012-04-01, lost: { on: 2026-03-31, reason: other_insurance } }
        - { insurer: kumiai, symbol: "88", number: "1111", branch: "00", from: 2026-03-31 }
    - id: saburo
      name: 高橋　三郎
      kana: ﾀｶﾊｼ ｻﾌﾞﾛｳ
      born: 1970-01-15
      insurance:
        - { insurer: kyokai, symbol: "5555", number: "3333", branch: "00", from: 2000-04-01, lost: { on: 2026-02-01, reason: other } }
steps:
  - advance: 1m
"#;
