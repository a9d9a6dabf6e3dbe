//! The folder protocol end to end through real temporary folders: requests dropped into req
//! are answered in res (name, content, echo, encoding), taken away, logged; bulk, registration,
//! drug data under consent, face files. Every wait has a timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wire_common;

use std::time::Duration;

use onshi_harness::wire::{ExchangeKind, FolderServer, RequestDisposal, SharedWorld, WithWorld};
use onshi_sim::World;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs::{
    self, CharacterCode, EncodeOptions, MedicalInfoResult, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use onshi_sim::reader::{Attempt, ConsentAnswers};
use onshi_sim::rules::{CareMode, ConsentItem};
use onshi_sim::world::{Event, Outcome, Presentation, VisitSpec};
use wire_common::*;

/// A face-verified visit of `key` at the clinic with every consent given.
fn visit(world: &SharedWorld, key: &str) -> onshi_sim::registry::Answer {
    world.with(|w: &mut World| {
        let person = w.person_by_key(key).unwrap();
        let institution = w.institution_by_key("clinic").unwrap();
        let spec = VisitSpec {
            person,
            institution,
            presentation: Presentation::Card,
            verify: vec![Attempt::Face {
                similarity: 0.95,
                live: true,
            }],
            register_if_prompted: false,
            consent: ConsentAnswers {
                blanket: None,
                items: ConsentItem::ALL.iter().map(|i| (*i, true)).collect(),
            },
            care: CareMode::Outpatient,
            confirmation_date: None,
            fee: None,
        };
        match w.apply(Event::Visit(Box::new(spec))).unwrap() {
            Outcome::Visit(v) => v.answer.expect("the visit was answered"),
            other => panic!("{other:?}"),
        }
    })
}

#[test]
fn a_single_request_is_answered_under_its_suffix_with_the_identifiers_echoed() {
    let root = TempDir::new("single");
    let service = service();
    let server = start(&root, &service);
    let req = root.path().join("req");
    let afi = "CLINIC&ID 001";
    let request = taro_request("CLINIC&amp;ID 001", "患者_42");
    drop_request(&req, "OQSsiquc01req_202604100001.xml", request.as_bytes());
    let bytes = wait_for_file(
        &root.path().join("res/OQSsiquc01res_202604100001.xml"),
        WAIT,
    )
    .expect("answer written");
    let text = String::from_utf8(bytes.clone()).expect("UTF-8 answer");
    assert!(text.starts_with(r#"<?xml version="1.0" encoding="UTF-8""#));
    // CS matches the literal element (§1.2): the echo is byte for byte.
    assert!(text.contains("<ArbitraryFileIdentifier>CLINIC&amp;ID 001</ArbitraryFileIdentifier>"));
    let r = oqs::decode_confirm_response(&bytes).expect("answer decodes");
    assert_eq!(r.header.arbitrary_file_identifier.as_deref(), Some(afi));
    assert_eq!(r.header.segment_of_result, SegmentOfResult::Completed);
    assert_eq!(r.header.character_code, CharacterCode::Utf8);
    assert_eq!(r.header.process_execution_time.compact(), "20260410090000");
    assert_eq!(
        r.header.reference_classification,
        ReferenceClassification::InsuranceNumbers
    );
    assert_eq!(
        r.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(r.body.results.len(), 1);
    assert_eq!(r.body.results[0].numbers.branch.as_deref(), Some("01"));
    let echo = r.body.search_info.expect("search info echoed");
    assert_eq!(echo.arbitrary_identifier.as_deref(), Some("患者_42"));
    assert!(wait_gone(&req.join("OQSsiquc01req_202604100001.xml"), WAIT));
    let log = service.log().snapshot();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, ExchangeKind::Siquc01);
    assert_eq!(
        log[0].summary.numbers.as_ref().map(|n| n.number.as_str()),
        Some("5678")
    );
    assert_eq!(log[0].summary.birthdate.as_deref(), Some("19800510"));
    assert_eq!(log[0].summary.limit_consent.as_deref(), Some("1"));
    assert_eq!(
        log[0].summary.arbitrary_file_identifier.as_deref(),
        Some(afi)
    );
    assert_eq!(
        log[0].answer.as_deref(),
        Some("OQSsiquc01res_202604100001.xml")
    );
    assert!(log[0].violations.is_empty(), "{:?}", log[0].violations);
    server.stop();
}

#[test]
fn a_shift_jis_request_gets_a_shift_jis_answer_when_the_terminal_is_set_to_it() {
    let root = TempDir::new("sjis");
    let service = service_with(|s| s.encoding = CharacterCode::ShiftJis);
    let _server = start(&root, &service);
    // Sachiko's 記号 is kanji; the request itself is Shift_JIS (OD2, RA write Shift_JIS).
    let utf8 = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><QualificationConfirmationDate>20260410</QualificationConfirmationDate><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>  138016</InsurerNumber><InsuredCardSymbol>千代田１</InsuredCardSymbol><InsuredIdentificationNumber>000123</InsuredIdentificationNumber><Birthdate>19550201</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>"#
    );
    let req = oqs::decode_confirm_request(utf8.as_bytes()).unwrap();
    let sjis = oqs::encode(&req, EncodeOptions::with_encoding(CharacterCode::ShiftJis)).unwrap();
    assert!(
        std::str::from_utf8(&sjis.bytes).is_err(),
        "really Shift_JIS"
    );
    drop_request(
        &root.path().join("req"),
        "OQSsiquc01req_000000000002.xml",
        &sjis.bytes,
    );
    let bytes = wait_for_file(
        &root.path().join("res/OQSsiquc01res_000000000002.xml"),
        WAIT,
    )
    .expect("answer written");
    assert!(bytes.starts_with(br#"<?xml version="1.0" encoding="Shift_JIS""#));
    assert!(std::str::from_utf8(&bytes).is_err(), "answer is Shift_JIS");
    let r = oqs::decode_confirm_response(&bytes).unwrap();
    assert_eq!(r.header.character_code, CharacterCode::ShiftJis);
    assert_eq!(r.body.results[0].name, "髙橋　幸子");
    assert_eq!(
        r.body.results[0].numbers.symbol.as_deref(),
        Some("千代田１")
    );
    assert_eq!(r.body.results[0].numbers.insurer.raw().trim(), "138016");
}

#[test]
fn a_bulk_upload_gives_a_reception_number_and_the_download_gives_every_unit() {
    let root = TempDir::new("bulk");
    let service = service();
    let _server = start(&root, &service);
    let info = |ins: &str, sym: &str, num: &str, born: &str, id: &str| {
        format!(
            "<QualificationConfirmSearchInfo><InsurerNumber>{ins}</InsurerNumber><InsuredCardSymbol>{sym}</InsuredCardSymbol><InsuredIdentificationNumber>{num}</InsuredIdentificationNumber><Birthdate>{born}</Birthdate><LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg><ArbitraryIdentifier>{id}</ArbitraryIdentifier></QualificationConfirmSearchInfo>"
        )
    };
    let upload = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><QualificationConfirmationDate>20260410</QualificationConfirmationDate><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>BULK-1</ArbitraryFileIdentifier></MessageHeader><MessageBody>{}{}{}</MessageBody></XmlMsg>"#,
        info("01130012", "1234", "5678", "19800510", "A1"),
        info("01130012", "77", "0042", "20000707", "A2"),
        info("01130012", "1234", "9999", "19800510", "A3"),
    );
    let req = root.path().join("req");
    drop_request(&req, "OQSmuquc01req_202604100001.xml", upload.as_bytes());
    let bytes = wait_for_file(
        &root.path().join("res/OQSmuquc01res_202604100001.xml"),
        WAIT,
    )
    .expect("upload answered");
    let up = oqs::decode_bulk_upload_response(&bytes).unwrap();
    assert_eq!(up.header.segment_of_result, SegmentOfResult::Completed);
    assert_eq!(
        up.header.arbitrary_file_identifier.as_deref(),
        Some("BULK-1")
    );
    let number = up.body.reception_number.expect("a reception number");
    assert_eq!(number.len(), 16);
    let download = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>DL-1</ArbitraryFileIdentifier></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>"#
    );
    drop_request(&req, "OQSmuquc02req_202604100002.xml", download.as_bytes());
    let bytes = wait_for_file(
        &root.path().join("res/OQSmuquc02res_202604100002.xml"),
        WAIT,
    )
    .expect("download answered");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains(&format!("<ReceptionNumber>{number}</ReceptionNumber>")));
    let down = oqs::decode_bulk_download_response(&bytes).unwrap();
    assert_eq!(down.header.number_of_processing_result, Some(3));
    assert_eq!(down.units.len(), 3);
    let ids: Vec<_> = down
        .units
        .iter()
        .map(|u| {
            u.search_info
                .arbitrary_identifier
                .clone()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(ids, ["A1", "A2", "A3"]);
    assert_eq!(
        down.units[0].qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(
        down.units[2].qualification_validity,
        Some(QualificationValidity::NotFound)
    );
    let kinds: Vec<_> = service.log().snapshot().iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ExchangeKind::Muquc01, ExchangeKind::Muquc02]);
}

#[test]
fn a_registered_reference_number_appears_in_the_next_face_file() {
    let root = TempDir::new("registration");
    let service = service();
    let server = start(&root, &service);
    let request = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>REG-1</ArbitraryFileIdentifier></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>000123</ReferenceNumber><InsurerNumber>01130012</InsurerNumber><InsuredCardSymbol>1234</InsuredCardSymbol><InsuredIdentificationNumber>5678</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>"#
    );
    drop_request(
        &root.path().join("req"),
        "OQSsiimm01req_2021081611906.xml",
        request.as_bytes(),
    );
    let bytes = wait_for_file(
        &root.path().join("res/OQSsiimm01res_2021081611906.xml"),
        WAIT,
    )
    .expect("registration answered");
    let r = oqs::decode_registration_response(&bytes).unwrap();
    assert_eq!(r.body.processing_result_status, ProcessingResultStatus::Ok);
    assert_eq!(r.header.arbitrary_file_identifier.as_deref(), Some("REG-1"));
    // The patient comes with the card: the face file carries the clinic's number.
    let answer = visit(service.world(), "taro");
    let path = server.write_face_answer(&answer).expect("face written");
    let face = std::fs::read(&path).unwrap();
    let f = oqs::decode_confirm_response(&face).unwrap();
    assert_eq!(f.body.results.len(), 1);
    assert_eq!(
        f.body.results[0].reference_number.as_deref(),
        Some("000123")
    );
}

#[test]
fn face_files_are_written_atomically_in_onshis_name_grammar_and_parse() {
    let root = TempDir::new("face");
    let service = service();
    let server = start(&root, &service);
    let answer = visit(service.world(), "taro");
    let response = service.face_response(&answer);
    let clinic = InstitutionCode::parse(CLINIC).unwrap();
    let path = server
        .write_face(&response, clinic, answer.processed_at)
        .expect("face written");
    let name = path.file_name().unwrap().to_str().unwrap().to_string();
    // OQSsiquc01res_face_<10-digit code><3-digit channel><17-digit counter>_<YYYYMMDDHHMMSS>.xml
    assert!(
        name.starts_with(&format!("OQSsiquc01res_face_{CLINIC}000")),
        "{name}"
    );
    assert!(name.ends_with("_20260410090000.xml"), "{name}");
    assert!(matches!(
        oqs::FileName::parse(&name),
        Ok(oqs::FileName::Face(_))
    ));
    // Nothing but the finished file is in the folder: no temporary left behind.
    let names: Vec<String> = std::fs::read_dir(root.path().join("face"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, std::slice::from_ref(&name));
    let f = oqs::decode_confirm_response(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        f.header.reference_classification,
        ReferenceClassification::Card
    );
    assert_eq!(f.body.results.len(), 1);
    assert!(f.body.search_info.is_none());
    let afi = f.header.arbitrary_file_identifier.expect("opaque token");
    assert_eq!(afi.len(), 16);
    let log = service.log().snapshot();
    assert_eq!(log.last().map(|r| r.kind), Some(ExchangeKind::Face));
}

#[test]
fn drug_data_is_refused_without_consent_and_given_after_it() {
    let root = TempDir::new("yzk");
    let service = service();
    let _server = start(&root, &service);
    let request = |afi: &str| {
        format!(
            r#"<?xml version="1.0" encoding="Shift_JIS"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode><InsurerNumber>01130012</InsurerNumber><InsuranceCardSymbol>1234</InsuranceCardSymbol><InsuredPersonIdentificationNumber>5678</InsuredPersonIdentificationNumber><BranchNumber>01</BranchNumber><ArbitraryFileIdentifier>{afi}</ArbitraryFileIdentifier></MessageHeader><MessageBody><StartDate>20250101</StartDate><EndDate>20260410</EndDate><FileCategory>2</FileCategory><PrDiInfClassification>1</PrDiInfClassification><MedicalTreatmentFlag>1</MedicalTreatmentFlag></MessageBody></XmlMsg>"#
        )
    };
    let req = root.path().join("req");
    drop_request(
        &req,
        "YZKsiquc01req_0226041009001.xml",
        request("Y1").as_bytes(),
    );
    let bytes = wait_for_file(
        &root.path().join("res/YZKsiquc01res_0226041009001.xml"),
        WAIT,
    )
    .expect("answered");
    let r = oqs::decode_medical_info_response(&bytes).unwrap();
    assert_eq!(r.header.result_code, ProcessingResultStatus::Error);
    assert_eq!(r.header.error_code.as_deref(), Some("ONS-E0105"));
    assert!(r.result.is_none());
    visit(service.world(), "taro");
    drop_request(
        &req,
        "YZKsiquc01req_0226041009002.xml",
        request("Y2").as_bytes(),
    );
    let bytes = wait_for_file(
        &root.path().join("res/YZKsiquc01res_0226041009002.xml"),
        WAIT,
    )
    .expect("answered");
    let r = oqs::decode_medical_info_response(&bytes).unwrap();
    assert_eq!(r.header.result_code, ProcessingResultStatus::Ok);
    let Some(MedicalInfoResult::Medication { person, records }) = r.result else {
        panic!("drug result expected");
    };
    assert_eq!(person.name, "山田　太郎");
    assert_eq!(records.len(), 3);
    let log = service.log().snapshot();
    let yzk: Vec<_> = log
        .iter()
        .filter(|r| r.kind == ExchangeKind::Yzk)
        .map(|r| r.result_code.clone())
        .collect();
    assert_eq!(yzk, [Some("ONS-E0105".to_string()), None]);
}

#[test]
fn a_slowly_written_request_is_answered_once_complete() {
    let root = TempDir::new("slow");
    let service = service();
    let _server = start(&root, &service);
    let path = root.path().join("req/OQSsiquc01req_000000000007.xml");
    let request = taro_request("SLOW", "S");
    let (a, b) = request.as_bytes().split_at(request.len() / 2);
    std::fs::write(&path, a).unwrap();
    std::thread::sleep(Duration::from_millis(60));
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b).unwrap();
    }
    let bytes = wait_for_file(
        &root.path().join("res/OQSsiquc01res_000000000007.xml"),
        WAIT,
    )
    .expect("answered");
    let r = oqs::decode_confirm_response(&bytes).unwrap();
    assert_eq!(r.header.segment_of_result, SegmentOfResult::Completed);
    assert_eq!(service.log().total(), 1);
}

#[test]
fn a_request_that_never_completes_gets_an_error_answer_and_a_log_entry() {
    let root = TempDir::new("never");
    let service = service();
    let _server = start(&root, &service);
    std::fs::write(root.path().join("req/OQSsiquc01req_000000000008.xml"), b"").unwrap();
    let bytes = wait_for_file(
        &root.path().join("res/OQSsiquc01res_000000000008.xml"),
        WAIT,
    )
    .expect("answered after the timeout");
    let r = oqs::decode_confirm_response(&bytes).unwrap();
    assert_eq!(r.header.segment_of_result, SegmentOfResult::Failed);
    assert_eq!(r.header.error_code.as_deref(), Some("ONS-E0015"));
    let log = service.log().snapshot();
    assert_eq!(log[0].result_code.as_deref(), Some("ONS-E0015"));
}

#[test]
fn files_present_before_the_start_are_answered_and_kept_in_processed_when_asked() {
    let root = TempDir::new("existing");
    let service = service();
    std::fs::create_dir_all(root.path().join("req")).unwrap();
    std::fs::write(
        root.path().join("req/OQSsiquc01req_000000000009.xml"),
        taro_request("EARLY", "E"),
    )
    .unwrap();
    let mut c = config(&root);
    c.disposal = RequestDisposal::MoveTo(root.path().join("processed"));
    let _server = FolderServer::start(c, service.clone()).unwrap();
    wait_for_file(
        &root.path().join("res/OQSsiquc01res_000000000009.xml"),
        WAIT,
    )
    .expect("answered");
    assert!(
        wait_for_file(
            &root.path().join("processed/OQSsiquc01req_000000000009.xml"),
            WAIT
        )
        .is_some()
    );
    assert!(
        !root
            .path()
            .join("req/OQSsiquc01req_000000000009.xml")
            .exists()
    );
}

#[test]
fn an_unregistered_institution_is_refused_as_a_whole() {
    let root = TempDir::new("unknown-inst");
    // A terminal that forwards any institution: the registry does not know 1310000003.
    let service = service_with(|s| s.check_terminal_institution = false);
    let _server = start(&root, &service);
    let request = taro_request("U", "U").replace(CLINIC, "1310000003");
    drop_request(
        &root.path().join("req"),
        "OQSsiquc01req_000000000010.xml",
        request.as_bytes(),
    );
    let bytes = wait_for_file(
        &root.path().join("res/OQSsiquc01res_000000000010.xml"),
        WAIT,
    )
    .expect("answered");
    let r = oqs::decode_confirm_response(&bytes).unwrap();
    assert_eq!(r.header.error_code.as_deref(), Some("ONS-E0009"));
    assert_eq!(r.header.institution.digits(), "1310000003");
}
