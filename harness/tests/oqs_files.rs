//! `onshi run --oqs-files`: the files a 資格確認端末 would have left for a reference run.
//!
//! - Over the whole library (and, by proptest, any seed): every file decodes with the sim's
//!   decoders in the scenario's character code, every request has its result (same suffix,
//!   same ArbitraryFileIdentifier), the files count the trace's exchanges one for one, and each
//!   result or face file carries the virtual time of its exchange in the trace.
//! - Byte for byte what the folder server writes for the same answer: the face files of card
//!   visits (its face-file writer), and the result it gives to the exported request of a
//!   confirmation by numbers and of a 薬剤 / 特定健診 request.
//! - The answer the reference gave: 資格有効性, numbers, 負担割合, names in Shift_JIS.
//! - The command: the folder layout, the closing line, a failing scenario keeps its files, a
//!   file in place of the folder and `--adapter` are refused, `run.json` unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use onshi_harness::catalog::Catalog;
use onshi_harness::run::execute::{
    Roles, TerminalFile, TerminalFiles, build_world, execute_with_files, reference_files,
};
use onshi_harness::run::oqs_files::OqsFilesTarget;
use onshi_harness::run::{self, RunOptions};
use onshi_harness::scenario::plan::Action;
use onshi_harness::scenario::{self, Scenario};
use onshi_harness::wire::{
    ExchangeLog, FolderConfig, FolderServer, Service, ServiceSettings, SharedWorld,
};
use onshi_reports::ScenarioRecord;
use onshi_sim::oqs::{
    self, CharacterCode, Direction, Exchange, FileName, QualificationValidity,
    ReferenceClassification,
};
use onshi_sim::world::Outcome;
use proptest::prelude::*;

const ONSHI: &str = env!("CARGO_BIN_EXE_onshi");

fn library() -> Vec<Scenario> {
    let (ok, bad) = run::load_all(&[PathBuf::from("../scenarios")], Catalog::builtin()).unwrap();
    assert!(bad.is_empty(), "library files that do not load: {bad:?}");
    ok
}

fn open(path: &str) -> Scenario {
    scenario::open(&Path::new("../scenarios").join(path), Catalog::builtin()).unwrap()
}

/// The seed the runner gives a scenario in a run with `run_seed`.
fn seed_of(s: &Scenario, run_seed: u64) -> u64 {
    s.plan.seed.unwrap_or(run_seed)
}

/// One scenario run with files, as the runner runs it.
fn run_with_files(s: &Scenario, seed: u64) -> (ScenarioRecord, TerminalFiles) {
    let mut files = TerminalFiles::new(s.plan.oqs_encoding);
    let record = execute_with_files(&s.plan, &s.sources, seed, &Roles::default(), &mut files);
    (record, files)
}

/// The trace entries of one exchange kind: (kind, summary filter).
fn trace_times(record: &ScenarioRecord, kind: &str, summary: Option<&str>) -> Vec<String> {
    record
        .trace
        .iter()
        .filter(|e| e.kind == kind && summary.is_none_or(|s| e.summary == s))
        .map(|e| e.at.clone())
        .collect()
}

/// What a file decodes to: its exchange time (ProcessExecutionTime of a result or face file)
/// and its ArbitraryFileIdentifier.
struct Decoded {
    name: FileName,
    time: Option<String>,
    afi: Option<String>,
}

fn decode(file: &TerminalFile, encoding: CharacterCode) -> Result<Decoded, String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", file.path());
    let name = FileName::parse(&file.name).map_err(|e| at(&e))?;
    let declared = oqs::sniff_encoding(&file.bytes).map_err(|e| at(&e))?;
    if declared != encoding {
        return Err(at(&format!(
            "declares {declared:?}, the scenario writes {encoding:?}"
        )));
    }
    let (time, afi) = match &name {
        FileName::Face(_) => {
            let r = oqs::decode_confirm_response(&file.bytes).map_err(|e| at(&e))?;
            if r.header.reference_classification != ReferenceClassification::Card {
                return Err(at(&"a face file with 照会区分 other than 1"));
            }
            (
                Some(r.header.process_execution_time.to_string()),
                r.header.arbitrary_file_identifier,
            )
        }
        FileName::Exchange(e) => match (e.exchange, e.direction) {
            (Exchange::Confirm, Direction::Request) => {
                let r = oqs::decode_confirm_request(&file.bytes).map_err(|e| at(&e))?;
                let errors: Vec<_> = oqs::validate_confirm_request(&r)
                    .into_iter()
                    .filter(|v| v.is_error())
                    .collect();
                if !errors.is_empty() {
                    return Err(at(&format!("{errors:?}")));
                }
                (None, r.header.arbitrary_file_identifier)
            }
            (Exchange::Confirm, Direction::Response) => {
                let r = oqs::decode_confirm_response(&file.bytes).map_err(|e| at(&e))?;
                (
                    Some(r.header.process_execution_time.to_string()),
                    r.header.arbitrary_file_identifier,
                )
            }
            (Exchange::Medication | Exchange::Checkup, Direction::Request) => {
                let r = oqs::decode_medical_info_request(&file.bytes).map_err(|e| at(&e))?;
                (None, r.header.arbitrary_file_identifier)
            }
            (Exchange::Medication | Exchange::Checkup, Direction::Response) => {
                let r = oqs::decode_medical_info_response(&file.bytes).map_err(|e| at(&e))?;
                (
                    Some(r.header.process_execution_time.to_string()),
                    r.header.arbitrary_file_identifier,
                )
            }
            other => {
                return Err(at(&format!(
                    "an exchange a reference run never makes: {other:?}"
                )));
            }
        },
    };
    Ok(Decoded { name, time, afi })
}

/// The invariants of one scenario's files against its trace; `Err` says which broke, `Ok`
/// has the files' names.
fn check_files(s: &Scenario, seed: u64) -> Result<Vec<String>, String> {
    let (record, files) = run_with_files(s, seed);
    let id = &s.plan.id;
    if !files.problems().is_empty() {
        return Err(format!("{id}: {:?}", files.problems()));
    }
    let mut faces = Vec::new();
    let mut results: Vec<(Exchange, String)> = Vec::new();
    let mut pending: Option<(String, Option<String>)> = None;
    for f in files.files() {
        let d = decode(f, s.plan.oqs_encoding).map_err(|e| format!("{id}: {e}"))?;
        match &d.name {
            FileName::Face(_) => faces.push(d.time.clone().unwrap_or_default()),
            FileName::Exchange(e) if e.direction == Direction::Request => {
                if pending.is_some() {
                    return Err(format!("{id}: {} follows a request with no result", f.name));
                }
                pending = Some((e.response().to_string(), d.afi.clone()));
            }
            FileName::Exchange(e) => {
                let Some((want, afi)) = pending.take() else {
                    return Err(format!("{id}: {} answers no request", f.name));
                };
                if want != f.name || afi != d.afi {
                    return Err(format!(
                        "{id}: {} (identifier {:?}) does not answer the request before it ({want}, {afi:?})",
                        f.name, d.afi
                    ));
                }
                results.push((e.exchange, d.time.clone().unwrap_or_default()));
            }
        }
    }
    if let Some((want, _)) = pending {
        return Err(format!("{id}: no result {want}"));
    }
    let of = |x: Exchange| -> Vec<String> {
        results
            .iter()
            .filter(|(e, _)| *e == x)
            .map(|(_, t)| t.clone())
            .collect()
    };
    let expected = [
        (
            "face files",
            faces,
            trace_times(&record, "registry.confirm", None),
        ),
        (
            "OQSsiquc01 results",
            of(Exchange::Confirm),
            trace_times(&record, "registry.confirm_numbers", None),
        ),
        (
            "YZK results",
            of(Exchange::Medication),
            trace_times(&record, "registry.medication", Some("Medication request")),
        ),
        (
            "TKK results",
            of(Exchange::Checkup),
            trace_times(&record, "registry.checkup", Some("Checkup request")),
        ),
    ];
    for (what, files_at, trace_at) in expected {
        if files_at != trace_at {
            return Err(format!(
                "{id}: {what} at {files_at:?}, the trace's exchanges at {trace_at:?}"
            ));
        }
    }
    Ok(files.files().iter().map(|f| f.name.clone()).collect())
}

#[test]
fn every_file_of_the_library_decodes_pairs_and_counts_the_trace_exchanges() {
    let mut total = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for s in library() {
        let names = check_files(&s, seed_of(&s, 1)).unwrap_or_else(|e| panic!("{e}"));
        total += names.len();
        for name in names {
            kinds.insert(name.split('_').next().unwrap_or_default().to_string());
        }
    }
    assert!(total > 100, "the library exchanged only {total} files");
    // Every kind a reference run makes is in the library.
    let want = [
        "OQSsiquc01req",
        "OQSsiquc01res",
        "TKKsiquc01req",
        "TKKsiquc01res",
        "YZKsiquc01req",
        "YZKsiquc01res",
    ];
    for k in want {
        assert!(
            kinds.contains(k),
            "no {k} file in the library's files: {kinds:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn files_decode_pair_and_count_the_trace_for_any_seed(
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
    ) {
        let scenarios = library();
        let s = &scenarios[pick.index(scenarios.len())];
        let checked = check_files(s, seed_of(s, seed));
        prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
    }
}

/// A service and folder server over `world` for the terminal of `institution`, writing as
/// `plan` says (the settings a provider under test gets).
fn folder_server(
    world: onshi_sim::World,
    institution: &str,
    encoding: CharacterCode,
    root: &Path,
) -> (Arc<Service>, FolderServer) {
    let mut settings =
        ServiceSettings::new(onshi_sim::ids::InstitutionCode::parse(institution).unwrap());
    settings.encoding = encoding;
    let service = Arc::new(Service::new(
        SharedWorld::new(world),
        ExchangeLog::new(),
        settings,
    ));
    let server = FolderServer::start(FolderConfig::new(root), Arc::clone(&service)).unwrap();
    (service, server)
}

fn files_in(files: &[TerminalFile], folder: &str) -> Vec<TerminalFile> {
    files
        .iter()
        .filter(|f| f.folder.name() == folder)
        .cloned()
        .collect()
}

/// The face, req and res files, checked to be `counts` many.
fn by_folder(
    files: &[TerminalFile],
    counts: (usize, usize, usize),
) -> (Vec<TerminalFile>, Vec<TerminalFile>, Vec<TerminalFile>) {
    let split = (
        files_in(files, "face"),
        files_in(files, "req"),
        files_in(files, "res"),
    );
    assert_eq!(
        (split.0.len(), split.1.len(), split.2.len()),
        counts,
        "{files:?}"
    );
    split
}

#[test]
fn shift_jis_face_files_and_results_are_what_the_folder_server_writes() {
    let s = open("provider/shift-jis-result-files.yaml");
    assert_eq!(s.plan.oqs_encoding, CharacterCode::ShiftJis);
    let seed = seed_of(&s, 1);
    let files = reference_files(&s.plan, seed);
    // Two card visits, one paper 資格確認書 visit.
    let (faces, reqs, ress) = by_folder(&files, (2, 1, 1));

    // The face files: the folder server's writer, given the answers of the same visits.
    let mut world = build_world(&s.plan, seed).unwrap();
    let mut answers = Vec::new();
    for step in &s.plan.steps[..2] {
        let Action::Event(e) = &step.action else {
            panic!("the first two steps are visits")
        };
        let Ok(Outcome::Visit(v)) = world.apply((**e).clone()) else {
            panic!("a visit")
        };
        answers.push(v.answer.clone().expect("the registry answered the card"));
    }
    let tmp = tempfile::tempdir().unwrap();
    let code = world.institutions()[0].code.digits();
    let (service, server) = folder_server(world, &code, s.plan.oqs_encoding, tmp.path());
    for (answer, exported) in answers.iter().zip(&faces) {
        let path = server.write_face_answer(answer).unwrap();
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            exported.name,
            "the face file's name"
        );
        assert!(
            std::fs::read(&path).unwrap() == exported.bytes,
            "{} differs from the folder server's",
            exported.name
        );
    }
    // What they say: 資格有効性 1, the numbers, 3割, the name as Shift_JIS carries it.
    let yoshiko = oqs::decode_confirm_response(&faces[1].bytes).unwrap();
    assert_eq!(yoshiko.header.character_code, CharacterCode::ShiftJis);
    assert_eq!(
        yoshiko.header.process_execution_time.to_string(),
        answers[1].processed_at.to_string()
    );
    assert_eq!(
        yoshiko.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    let r = &yoshiko.body.results[0];
    assert_eq!(
        (r.numbers.insurer.raw(), r.numbers.number.as_str()),
        ("01130012", "302")
    );
    assert_eq!(r.name, "●田　佳子");
    assert_eq!(r.contribution_ratio.map(|c| c.percent()), Some(30));

    // The paper visit: the folder server answers the exported request with the exported result.
    let reply = service.answer_file(&reqs[0].name, &reqs[0].bytes);
    assert_eq!(reply.answer_name.as_deref(), Some(ress[0].name.as_str()));
    assert!(
        reply.bytes == ress[0].bytes,
        "the result differs from the folder server's answer"
    );
    server.stop();
    let req = oqs::decode_confirm_request(&reqs[0].bytes).unwrap();
    assert_eq!(req.search_info.numbers.number, "00660303");
    assert_eq!(
        onshi_sim::clock::compact_date(req.search_info.birthdate),
        "19830322"
    );
    let res = oqs::decode_confirm_response(&ress[0].bytes).unwrap();
    assert_eq!(
        res.header.reference_classification,
        ReferenceClassification::InsuranceNumbers
    );
    assert_eq!(
        res.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(res.body.results[0].name, "﨑山　和夫");
    assert_eq!(
        res.body.results[0].contribution_ratio.map(|c| c.percent()),
        Some(30)
    );
    assert_eq!(
        res.header.process_execution_time.to_string(),
        s.plan.start.to_string()
    );
}

#[test]
fn a_card_refused_for_its_own_reason_leaves_its_face_file_and_the_papers_confirmation() {
    let s = open("provider/card-refused-expired.yaml");
    let files = reference_files(&s.plan, seed_of(&s, 1));
    let (faces, reqs, ress) = by_folder(&files, (2, 1, 1));
    // The last grace day: 資格有効性 1 with 資格情報 only; the day after: refused as expired.
    let grace = oqs::decode_confirm_response(&faces[0].bytes).unwrap();
    assert_eq!(
        grace.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(
        grace.body.processing_result_code.as_deref(),
        Some(oqs::ResultCode::CertificateInGracePeriod.code())
    );
    let refused = oqs::decode_confirm_response(&faces[1].bytes).unwrap();
    assert_eq!(
        refused.body.processing_result_code.as_deref(),
        Some(oqs::ResultCode::CertificateExpired.code())
    );
    assert!(refused.body.results.is_empty());
    assert_eq!(
        refused.header.process_execution_time.to_string(),
        "2025-12-01T09:00:00+09:00"
    );
    // The desk's confirmation by the papers' numbers, the same morning.
    let req = oqs::decode_confirm_request(&reqs[0].bytes).unwrap();
    assert_eq!(req.search_info.numbers.insurer.raw(), "01130012");
    assert_eq!(req.search_info.numbers.symbol.as_deref(), Some("3301"));
    assert_eq!(req.search_info.numbers.number, "42");
    let res = oqs::decode_confirm_response(&ress[0].bytes).unwrap();
    assert_eq!(
        res.header.process_execution_time.to_string(),
        "2025-12-01T09:00:00+09:00"
    );
    assert_eq!(res.body.search_info.as_ref(), Some(&req.search_info));
    assert_eq!(
        res.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(
        res.body.results[0].contribution_ratio.map(|c| c.percent()),
        Some(30)
    );
}

#[test]
fn confirm_numbers_steps_send_the_numbers_the_step_gives() {
    let s = open("insurance/certificate-numbers.yaml");
    let files = reference_files(&s.plan, seed_of(&s, 1));
    let pairs: Vec<(oqs::ConfirmRequest, oqs::ConfirmResponse)> = files_in(&files, "req")
        .iter()
        .zip(files_in(&files, "res"))
        .map(|(q, r)| {
            (
                oqs::decode_confirm_request(&q.bytes).unwrap(),
                oqs::decode_confirm_response(&r.bytes).unwrap(),
            )
        })
        .collect();
    let birth =
        |p: &(oqs::ConfirmRequest, _)| onshi_sim::clock::compact_date(p.0.search_info.birthdate);
    // The mistyped birth date: 資格有効性 4, no result.
    let wrong_birth = pairs
        .iter()
        .find(|p| birth(p) == "19881130")
        .expect("the wrong birth date");
    assert_eq!(
        wrong_birth.1.body.qualification_validity,
        Some(QualificationValidity::NotFound)
    );
    assert!(wrong_birth.1.body.results.is_empty());
    // The wrong 枝番.
    let wrong_branch = pairs
        .iter()
        .find(|p| p.0.search_info.numbers.branch.as_deref() == Some("01"))
        .expect("the wrong 枝番");
    assert_eq!(
        wrong_branch.1.body.qualification_validity,
        Some(QualificationValidity::NotFound)
    );
    // The others match: the result names the numbers asked.
    for (q, r) in pairs
        .iter()
        .filter(|p| p.1.body.qualification_validity == Some(QualificationValidity::Valid))
    {
        assert_eq!(
            r.body.results[0].numbers.number,
            q.search_info.numbers.number
        );
    }
}

#[test]
fn data_requests_get_the_results_the_folder_server_gives() {
    let s = open("consent/full-consent-shares-everything.yaml");
    let seed = seed_of(&s, 1);
    let files = reference_files(&s.plan, seed);
    let (reqs, ress) = (files_in(&files, "req"), files_in(&files, "res"));
    let names: Vec<&str> = reqs.iter().map(|f| &f.name[..3]).collect();
    assert_eq!(
        names,
        ["TKK", "YZK"],
        "薬剤 and 特定健診 (診療 and 手術 have no file)"
    );
    // The folder server, on the world as the visit left it (consents recorded), answers the
    // exported requests with the exported results.
    let mut world = build_world(&s.plan, seed).unwrap();
    let Action::Event(visit) = &s.plan.steps[0].action else {
        panic!("the first step is the visit")
    };
    world.apply((**visit).clone()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let code = oqs::decode_medical_info_request(&reqs[0].bytes)
        .unwrap()
        .header
        .institution
        .digits();
    let (service, server) = folder_server(world, &code, s.plan.oqs_encoding, tmp.path());
    for (req, res) in reqs.iter().zip(&ress) {
        let reply = service.answer_file(&req.name, &req.bytes);
        assert_eq!(reply.answer_name.as_deref(), Some(res.name.as_str()));
        assert!(
            reply.bytes == res.bytes,
            "{} differs from the folder server's",
            res.name
        );
    }
    server.stop();
    let checkup = oqs::decode_medical_info_response(&ress[0].bytes).unwrap();
    let medication = oqs::decode_medical_info_response(&ress[1].bytes).unwrap();
    assert_eq!(
        checkup.header.process_execution_time.to_string(),
        s.plan.start.to_string()
    );
    match (checkup.result, medication.result) {
        (
            Some(oqs::MedicalInfoResult::Checkup { checkups, .. }),
            Some(oqs::MedicalInfoResult::Medication { person, records }),
        ) => {
            // The scenario's own expectations: 2 checkups, 2 drug records, shared.
            assert_eq!((checkups.len(), records.len()), (2, 2));
            assert_eq!(person.name, "佐藤　花子");
        }
        other => panic!("unexpected results: {other:?}"),
    }
}

fn temp_out() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn onshi(args: &[&str]) -> std::process::Output {
    Command::new(ONSHI).args(args).output().unwrap()
}

/// `onshi run PATHS --lang en --out TMP/rep --oqs-files DIR` and `extra`.
fn run_with_oqs_files(
    tmp: &Path,
    paths: &[&str],
    dir: &Path,
    extra: &[&str],
) -> std::process::Output {
    let rep = tmp.join("rep");
    let mut args = vec!["run"];
    args.extend(paths);
    args.extend(["--lang", "en", "--out", rep.to_str().unwrap()]);
    args.extend(["--oqs-files", dir.to_str().unwrap()]);
    args.extend(extra);
    onshi(&args)
}

/// Every file below `dir`, as sorted relative paths.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().display().to_string();
            if p.is_dir() {
                out.push(format!("{rel}/"));
                walk(base, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn the_command_writes_each_scenarios_folders_and_says_so() {
    let tmp = temp_out();
    let dir = tmp.path().join("files");
    let out = run_with_oqs_files(
        tmp.path(),
        &[
            "../scenarios/provider/shift-jis-result-files.yaml",
            "../scenarios/consent/full-consent-shares-everything.yaml",
        ],
        &dir,
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let closing = stdout
        .lines()
        .find(|l| l.starts_with("OQS files:"))
        .expect("the closing line")
        .replace(dir.to_str().unwrap(), "DIR");
    insta::assert_snapshot!(format!("{closing}\n{}", tree(&dir).join("\n")));
    // What the files hold is what the in-process run gives.
    let s = open("provider/shift-jis-result-files.yaml");
    for f in reference_files(&s.plan, seed_of(&s, 1)) {
        let written =
            std::fs::read(dir.join("provider__shift-jis-result-files").join(f.path())).unwrap();
        assert!(written == f.bytes, "{} differs", f.path());
    }
}

#[test]
fn a_file_in_place_of_the_folder_and_an_adapter_run_are_refused() {
    let tmp = temp_out();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let scenario = "../scenarios/provider/shift-jis-result-files.yaml";
    let out = run_with_oqs_files(tmp.path(), &[scenario], &file, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--oqs-files") && err.contains("a-file") && err.contains("not a folder"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "x",
        "the file is left alone"
    );
    let dir = tmp.path().join("files");
    let out = run_with_oqs_files(tmp.path(), &[scenario], &dir, &["--adapter", "true"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--oqs-files") && err.contains("--adapter"),
        "{err}"
    );
    assert!(!dir.exists(), "nothing written");
}

const FAILS_AFTER_A_VISIT: &str = "\
id: local/fails-after-a-visit
title: { ja: 来院のあとで手順が失敗する, en: A step fails after a visit }
requirements: [PRV-1]
start: 2026-04-10T09:00
include: [onshi:standard]
world:
  people:
    - id: taro
      name: 山田　太郎
      kana: ﾔﾏﾀﾞ ﾀﾛｳ
      born: 1980-05-10
      card: { issued: 2024-06-01 }
      registered: { on: 2024-06-10T10:00 }
      insurance:
        - { insurer: kyokai-tokyo, symbol: \"10\", number: \"7\", from: 2010-04-01 }
    - id: uninsured
      name: 鈴木　一郎
      kana: ｽｽﾞｷ ｲﾁﾛｳ
      born: 1990-01-01
steps:
  - visit: { name: v, person: taro, at: clinic, fee: 1000 }
  - confirm.numbers: { name: n, at: clinic, person: uninsured }
expect:
  - confirmation: { of: v, validity: 1 }
";

#[test]
fn a_scenario_that_fails_keeps_the_files_of_what_it_exchanged() {
    let tmp = temp_out();
    let file = tmp.path().join("fails.yaml");
    std::fs::write(&file, FAILS_AFTER_A_VISIT).unwrap();
    let dir = tmp.path().join("files");
    let out = run_with_oqs_files(tmp.path(), &[file.to_str().unwrap()], &dir, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("step 2"), "{stdout}");
    let root = dir.join("local__fails-after-a-visit");
    assert_eq!(
        std::fs::read_dir(root.join("face")).unwrap().count(),
        1,
        "{:?}",
        tree(&dir)
    );
    assert_eq!(std::fs::read_dir(root.join("req")).unwrap().count(), 0);
}

#[test]
fn the_library_run_json_is_unchanged_by_oqs_files() {
    let tmp = temp_out();
    let options = RunOptions {
        oqs_files: Some(Arc::new(OqsFilesTarget::prepare(tmp.path()).unwrap())),
        ..RunOptions::default()
    };
    let result = run::run(
        &[PathBuf::from("../scenarios")],
        Catalog::builtin(),
        &options,
    )
    .unwrap();
    let mut record = result.record;
    record.timing = None;
    let golden = std::fs::read_to_string("tests/golden/library-run.json").unwrap();
    assert!(
        onshi_reports::json::render(&record) == golden,
        "run.json with --oqs-files differs from tests/golden/library-run.json"
    );
    let summary = options.oqs_files.as_ref().unwrap().summary();
    assert!(
        summary.errors.is_empty() && summary.notes.is_empty(),
        "{summary:?}"
    );
    assert_eq!(summary.scenarios, record.scenarios.len());
    assert_eq!(
        summary.files,
        tree(tmp.path())
            .iter()
            .filter(|p| !p.ends_with('/'))
            .count()
    );
}
