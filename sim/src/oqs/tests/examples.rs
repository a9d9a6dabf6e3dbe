//! Hand-written documents: snapshots of what a client reads, exact leaf text, encoding
//! mismatches, ● substitution, and error messages that name the element path.

use crate::clock::{Date, Moment};
use crate::ids::{InstitutionCode, InsurerNumber};
use crate::oqs::*;

fn at(text: &str) -> Moment {
    parse_compact_moment(text).expect("test timestamp")
}

fn day(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).expect("test date")
}

fn clinic() -> InstitutionCode {
    InstitutionCode::parse("0110113719").expect("test institution")
}

fn kokuho() -> InsurerNumber {
    InsurerNumber::national(13, 101).expect("test insurer")
}

fn taro() -> QualificationResult {
    let mut r = QualificationResult::new(
        InsurerNumberText::spaces(kokuho()),
        "5678",
        "診療　太郎",
        Sex::Male,
        day(1957, 3, 2),
    );
    r.card_classification = Some(InsuredCardClassification::General);
    r.numbers.symbol = Some("12-34".into());
    r.numbers.branch = Some("01".into());
    r.personal_family = Some(PersonalFamily::Insured);
    r.insured_name = Some("診療　太郎".into());
    r.name_kana = Some("ｼﾝﾘｮｳ ﾀﾛｳ".into());
    r.address = Some("東京都千代田区霞が関１－２－２".into());
    r.post_number = Some("100-8916".into());
    r.qualification_date = Some(day(2020, 4, 1));
    r.card_valid_date = Some(day(2020, 4, 1));
    r.contribution_ratio = ContributionRatio::from_percent(30);
    r.insurer_name = Some("千代田区".into());
    r.limit_consent = Some(ConsentFlag::Given);
    r.limit_consent_time = Some(at("20250106091502"));
    r.limit_certificate = Some(LimitCertificateInfo {
        kind: LimitCertificateKind::Limit,
        category: LimitCategoryCode::from_code("A03").expect("A03"),
        certificate_date: Some(day(2024, 8, 1)),
        valid_start: Some(day(2024, 8, 1)),
        valid_end: Some(day(2025, 7, 31)),
        long_term_date: None,
    });
    r.medication_consent = Some(ConsentInfo {
        status: ConsentStatus::Given,
        consent_time: Some(at("20250106091502")),
        available_until: Some(at("20250107091502")),
    });
    r.reference_number = Some("00123".into());
    r
}

fn face_file() -> ConfirmResponse {
    ConfirmResponse {
        header: ResponseHeader {
            process_execution_time: at("20250106091503"),
            qualification_confirmation_date: day(2025, 1, 6),
            institution: clinic(),
            arbitrary_file_identifier: Some("ArnHCeDfNjMCFzg=".into()),
            reference_classification: ReferenceClassification::Card,
            segment_of_result: SegmentOfResult::Completed,
            error_code: None,
            error_message: None,
            character_code: CharacterCode::Utf8,
        },
        body: ResponseBody {
            processing_result_status: ProcessingResultStatus::Ok,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: Some(QualificationValidity::Valid),
            prescription_issue_select: None,
            search_info: None,
            results: vec![taro()],
        },
    }
}

fn request() -> ConfirmRequest {
    ConfirmRequest {
        header: ConfirmRequestHeader {
            qualification_confirmation_date: day(2025, 1, 6),
            institution: clinic(),
            arbitrary_file_identifier: Some("CLINIC-0001".into()),
        },
        search_info: SearchInfo {
            numbers: InsuranceNumbersText {
                insurer: InsurerNumberText::zeros(kokuho()),
                symbol: Some("12-34".into()),
                number: "5678".into(),
                branch: Some("01".into()),
            },
            birthdate: day(1957, 3, 2),
            limit_consent: ConsentFlag::Given,
            arbitrary_identifier: Some("P0042_7".into()),
        },
    }
}

fn utf8(message: &impl Message) -> String {
    let encoded = encode(message, EncodeOptions::default()).expect("encodes");
    String::from_utf8(encoded.bytes).expect("UTF-8 output")
}

#[test]
fn face_file_snapshot() {
    insta::assert_snapshot!(utf8(&face_file()));
}

#[test]
fn multiple_match_snapshot() {
    let mut other = taro();
    other.numbers.insurer =
        InsurerNumberText::spaces(InsurerNumber::new(6, 13, 1).expect("insurer"));
    other.numbers.branch = Some("00".into());
    other.disqualification_date = Some(day(2024, 12, 31));
    other.reason_of_loss = Some(ReasonOfLoss::OtherInsurance);
    let mut response = face_file();
    response.header.reference_classification = ReferenceClassification::InsuranceNumbers;
    response.header.arbitrary_file_identifier = Some("CLINIC-0001".into());
    response.body.qualification_validity = Some(QualificationValidity::Multiple);
    response.body.search_info = Some(request().search_info);
    response.body.results = vec![taro(), other];
    insta::assert_snapshot!(utf8(&response));
}

#[test]
fn error_response_snapshot() {
    let code = ResultCode::Maintenance;
    let mut response = face_file();
    response.header.reference_classification = ReferenceClassification::InsuranceNumbers;
    response.header.segment_of_result = SegmentOfResult::Failed;
    response.header.error_code = Some(code.code().into());
    response.header.error_message = Some(code.message_ja().into());
    response.body = ResponseBody {
        processing_result_status: ProcessingResultStatus::Error,
        processing_result_code: None,
        processing_result_message: None,
        qualification_validity: None,
        prescription_issue_select: None,
        search_info: None,
        results: Vec::new(),
    };
    insta::assert_snapshot!(utf8(&response));
}

#[test]
fn every_leaf_keeps_its_leading_zeros() {
    let mut face = face_file();
    face.body.results[0].elderly_recipient = Some(ElderlyRecipientCertificate {
        certificate_date: None,
        valid_start: Some(day(2025, 1, 1)),
        valid_end: None,
        contribution_ratio: ContributionRatio::from_percent(20),
    });
    face.body.results[0].reason_of_loss = Some(ReasonOfLoss::Death);
    let xml = utf8(&face);
    for leaf in [
        "<InsuredCardClassification>01</InsuredCardClassification>",
        &format!("<InsurerNumber>  {}</InsurerNumber>", kokuho().digits()),
        "<InsuredBranchNumber>01</InsuredBranchNumber>",
        "<InsuredPartialContributionRatio>030</InsuredPartialContributionRatio>",
        "<ElderlyRecipientContributionRatio>020</ElderlyRecipientContributionRatio>",
        "<ReasonOfLoss>01</ReasonOfLoss>",
        "<LimitApplicationCertificateClassification>01</LimitApplicationCertificateClassification>",
        "<ReferenceNumber>00123</ReferenceNumber>",
        "<MedicalInstitutionCode>0110113719</MedicalInstitutionCode>",
        "<CharacterCodeIdentifier>0</CharacterCodeIdentifier>",
    ] {
        assert!(xml.contains(leaf), "missing {leaf} in\n{xml}");
    }
    let req = utf8(&request());
    assert!(req.contains(&format!(
        "<InsurerNumber>00{}</InsurerNumber>",
        kokuho().digits()
    )));
    assert!(
        !xml.contains("<DisqualificationDate"),
        "absent values are absent elements"
    );
    assert!(!xml.contains("<ElderlyRecipientCertificateDate"));
}

#[test]
fn shift_jis_output_declares_itself_and_sets_the_identifier() {
    let mut face = face_file();
    face.header.character_code = CharacterCode::Utf8;
    let enc =
        encode(&face, EncodeOptions::with_encoding(CharacterCode::ShiftJis)).expect("encodes");
    assert!(
        enc.bytes
            .starts_with(b"<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>")
    );
    assert!(
        std::str::from_utf8(&enc.bytes).is_err(),
        "kanji are Shift_JIS bytes"
    );
    let back = decode_confirm_response(&enc.bytes).expect("decodes");
    assert_eq!(back.header.character_code, CharacterCode::ShiftJis);
    assert_eq!(back.body.results[0].name, "診療　太郎");

    let keep = EncodeOptions {
        keep_character_code_identifier: true,
        ..EncodeOptions::with_encoding(CharacterCode::ShiftJis)
    };
    let back =
        decode_confirm_response(&encode(&face, keep).expect("encodes").bytes).expect("decodes");
    assert_eq!(
        back.header.character_code,
        CharacterCode::Utf8,
        "deliberate mismatch kept"
    );
}

#[test]
fn shift_jis_bytes_declared_as_utf8_are_rejected() {
    let enc = encode(
        &face_file(),
        EncodeOptions::with_encoding(CharacterCode::ShiftJis),
    )
    .expect("encodes");
    let text = String::from_utf8_lossy(&enc.bytes[..60]).into_owned();
    assert!(text.contains("Shift_JIS"));
    let mut lying = enc.bytes.clone();
    let decl_end = lying.iter().position(|b| *b == b'>').expect("declaration");
    let fixed = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>";
    lying.splice(..=decl_end, fixed.iter().copied());
    let err = decode_confirm_response(&lying).expect_err("mismatch");
    assert!(
        matches!(
            err,
            OqsError::EncodingMismatch {
                declared: CharacterCode::Utf8,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.result_code(), ResultCode::RequestEncoding);

    let utf8_bytes = utf8(&face_file()).replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
    let err = decode_confirm_response(utf8_bytes.as_bytes()).expect_err("mismatch");
    assert!(
        matches!(
            err,
            OqsError::EncodingMismatch {
                declared: CharacterCode::ShiftJis,
                ..
            }
        ),
        "{err}"
    );
    let other = utf8(&request()).replace("UTF-8", "EUC-JP");
    assert!(matches!(
        decode_confirm_request(other.as_bytes()),
        Err(OqsError::UnsupportedEncoding { .. })
    ));
}

#[test]
fn characters_outside_shift_jis_become_black_circles_and_are_reported() {
    let mut face = face_file();
    face.body.results[0].name = "𠮷田　髙子".into();
    let enc =
        encode(&face, EncodeOptions::with_encoding(CharacterCode::ShiftJis)).expect("encodes");
    assert_eq!(
        enc.substitutions,
        vec![Substitution {
            path: "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/Name".into(),
            character: '𠮷',
            reason: SubstitutionReason::NotInEncoding,
        }]
    );
    let back = decode_confirm_response(&enc.bytes).expect("decodes");
    assert_eq!(back.body.results[0].name, "●田　髙子");

    let utf8 = encode(&face, EncodeOptions::default()).expect("encodes");
    assert!(utf8.substitutions.is_empty(), "UTF-8 carries 𠮷");

    let strict = EncodeOptions {
        substitute: None,
        ..EncodeOptions::with_encoding(CharacterCode::ShiftJis)
    };
    assert!(matches!(
        encode(&face, strict),
        Err(OqsError::Unencodable {
            character: '𠮷',
            ..
        })
    ));
}

#[test]
fn empty_elements_read_as_present_but_empty() {
    let opts = EncodeOptions {
        empty_elements: true,
        ..EncodeOptions::default()
    };
    let mut req = request();
    req.search_info.numbers.symbol = None;
    let xml = String::from_utf8(encode(&req, opts).expect("encodes").bytes).expect("utf8");
    assert!(
        xml.contains("<InsuredCardSymbol></InsuredCardSymbol>"),
        "{xml}"
    );
    let back = decode_confirm_request(xml.as_bytes()).expect("decodes");
    assert_eq!(back.search_info.numbers.symbol.as_deref(), Some(""));
    let v = validate_confirm_request(&back);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule, "absent-not-empty");
    assert!(!v[0].is_error());

    let face = encode(&face_file(), opts).expect("encodes");
    let back = decode_confirm_response(&face.bytes).expect("decodes");
    assert_eq!(
        back.body.results[0].elderly_recipient, None,
        "empty block = absent"
    );
    assert_eq!(back.body.search_info, None);
    assert_eq!(back.body.results[0].name_of_other.as_deref(), Some(""));
}

fn first_error(xml: &str) -> OqsError {
    decode_confirm_request(xml.as_bytes()).expect_err("must fail")
}

#[test]
fn decode_errors_name_the_path_and_position() {
    let good = utf8(&request());
    let e = first_error(&good.replace("<Birthdate>19570302", "<Birthdate>19570230"));
    assert_eq!(
        e.to_string(),
        "XmlMsg/MessageBody/QualificationConfirmSearchInfo/Birthdate at line 14, column 7: \
         expected a real date YYYYMMDD, found `19570230`"
    );
    assert_eq!(e.result_code(), ResultCode::InvalidDate);

    let e = first_error(&good.replace("<Birthdate>19570302</Birthdate>", ""));
    assert!(
        matches!(&e, OqsError::Missing { path, .. } if path.ends_with("QualificationConfirmSearchInfo/Birthdate")),
        "{e}"
    );
    let e = first_error(&good.replace("XmlMsg>", "Msg>"));
    assert!(matches!(e, OqsError::WrongRoot { .. }), "{e}");
    let e = first_error(&good.replace(
        "<InsuredBranchNumber>",
        "<Extra>x</Extra><InsuredBranchNumber>",
    ));
    assert!(
        matches!(&e, OqsError::Unexpected { path, .. } if path.ends_with("/Extra")),
        "{e}"
    );
    let e = first_error(&good.replace(
        "<InsuredBranchNumber>01",
        "<InsuredBranchNumber>01</InsuredBranchNumber><InsuredBranchNumber>02",
    ));
    assert!(matches!(e, OqsError::Duplicate { .. }), "{e}");
    let e = first_error(&good.replace("0110113719", "0110113718"));
    assert_eq!(e.result_code(), ResultCode::InvalidInstitutionCode, "{e}");
    let e = first_error(&good.replace("RelatedConsFlg>1<", "RelatedConsFlg>2<"));
    assert!(e.to_string().contains("OQSCD001 (0, 1)"), "{e}");
    let e = first_error(&good.replace("</MessageBody>", ""));
    assert!(matches!(e, OqsError::Syntax { .. }), "{e}");
}

#[test]
fn any_element_order_decodes_the_same() {
    let face = face_file();
    for seed in 0..20 {
        let opts = EncodeOptions {
            element_order: ElementOrder::Shuffled(seed),
            ..EncodeOptions::default()
        };
        let bytes = encode(&face, opts).expect("encodes").bytes;
        assert_eq!(decode_confirm_response(&bytes).expect("decodes"), face);
    }
}

#[test]
fn validation_flags_what_the_decoder_tolerates() {
    let mut req = request();
    assert_eq!(validate_confirm_request(&req), vec![]);
    req.search_info.numbers.insurer = InsurerNumberText::spaces(kokuho());
    assert_eq!(
        validate_confirm_request(&req),
        vec![],
        "space padding is fine too"
    );
    req.search_info.numbers.insurer = InsurerNumberText(kokuho().digits());
    let v = validate_confirm_request(&req);
    assert_eq!(
        v.iter().map(|v| v.rule).collect::<Vec<_>>(),
        ["insurer-number-8-columns"]
    );
    req.search_info.numbers.insurer = InsurerNumberText("33120016".into());
    req.search_info.numbers.branch = Some("1".into());
    req.search_info.birthdate = day(2025, 1, 7);
    req.search_info.numbers.number = " ".into();
    let v = validate_confirm_request(&req);
    let rules: Vec<_> = v.iter().map(|v| (v.rule, v.code)).collect();
    assert_eq!(
        rules,
        [
            ("insurer-number", ResultCode::InvalidInsurerNumber),
            ("required-not-blank", ResultCode::InvalidValue),
            ("branch-two-digits", ResultCode::InvalidValue),
            (
                "birthdate-not-after-confirmation-date",
                ResultCode::InvalidDate
            ),
        ]
    );
    assert!(
        v[0].path
            .ends_with("QualificationConfirmSearchInfo/InsurerNumber")
    );
}

#[test]
fn a_broken_request_still_yields_its_echo() {
    let broken = utf8(&request()).replace("<Birthdate>19570302", "<Birthdate>1957-03-02");
    assert!(decode_confirm_request(broken.as_bytes()).is_err());
    let echo = salvage_echo(broken.as_bytes());
    assert_eq!(
        echo.arbitrary_file_identifier.as_deref(),
        Some("CLINIC-0001")
    );
    assert_eq!(echo.arbitrary_identifier.as_deref(), Some("P0042_7"));
    assert_eq!(echo.institution.as_deref(), Some("0110113719"));
}

#[test]
fn one_result_list_with_several_results_is_read_too() {
    let xml = utf8(&face_file());
    let roqc_start = xml
        .find("<ResultOfQualificationConfirmation>")
        .expect("roqc");
    let roqc_end = xml
        .find("</ResultOfQualificationConfirmation>")
        .expect("roqc")
        + "</ResultOfQualificationConfirmation>".len();
    let roqc = &xml[roqc_start..roqc_end];
    let doubled = xml.replacen(roqc, &format!("{roqc}{roqc}"), 1);
    let back = decode_confirm_response(doubled.as_bytes()).expect("decodes");
    assert_eq!(back.body.results.len(), 2);
}

fn medical_request() -> MedicalInfoRequest {
    MedicalInfoRequest {
        header: MedicalInfoRequestHeader {
            institution: clinic(),
            numbers: InsuranceNumbersText {
                insurer: InsurerNumberText::zeros(kokuho()),
                symbol: Some("12-34".into()),
                number: "5678".into(),
                branch: Some("01".into()),
            },
            arbitrary_file_identifier: Some("CLINIC-0002".into()),
        },
        body: MedicalInfoRequestBody {
            start_date: Some(day(2024, 1, 6)),
            end_date: Some(day(2025, 1, 6)),
            file_category: FileCategory::Xml,
            classification: Some("1".into()),
            treatment: MedicalTreatmentFlag::Outpatient,
        },
    }
}

fn medical_header(result: ProcessingResultStatus) -> MedicalInfoResponseHeader {
    MedicalInfoResponseHeader {
        process_execution_time: at("20250106091503"),
        institution: clinic(),
        arbitrary_file_identifier: Some("CLINIC-0002".into()),
        result_code: result,
        error_code: None,
        message_contents: None,
        character_code: CharacterCode::Utf8,
    }
}

fn person() -> PersonInfo {
    PersonInfo {
        name: "診療　太郎".into(),
        kana: Some("ｼﾝﾘｮｳ ﾀﾛｳ".into()),
        birthdate: day(1957, 3, 2),
        sex: Sex::Male,
    }
}

fn medication_answer() -> MedicalInfoResponse {
    let record = |d, text: &str| MedicalDataRecord {
        date: d,
        text: text.into(),
    };
    MedicalInfoResponse {
        header: medical_header(ProcessingResultStatus::Ok),
        result: Some(MedicalInfoResult::Medication {
            person: person(),
            records: vec![
                record(day(2024, 11, 5), "合成薬A 錠"),
                record(day(2024, 11, 5), "合成薬B 散"),
                record(day(2024, 12, 20), "合成薬A 錠"),
            ],
        }),
    }
}

fn checkup_answer() -> MedicalInfoResponse {
    let item = |name: &str, value: &str| CheckupItem {
        name: name.into(),
        value: value.into(),
    };
    MedicalInfoResponse {
        header: medical_header(ProcessingResultStatus::Ok),
        result: Some(MedicalInfoResult::Checkup {
            person: person(),
            checkups: vec![CheckupRecord {
                date: day(2024, 6, 12),
                items: vec![item("身長", "170.2"), item("HbA1c", "5.4")],
            }],
        }),
    }
}

fn medical_error_answer() -> MedicalInfoResponse {
    let code = ResultCode::DataNoConsent;
    let mut header = medical_header(ProcessingResultStatus::Error);
    header.error_code = Some(code.code().into());
    header.message_contents = Some(code.message_ja().into());
    MedicalInfoResponse {
        header,
        result: None,
    }
}

#[test]
fn medication_request_snapshot() {
    insta::assert_snapshot!(utf8(&medical_request()));
}

#[test]
fn medication_answer_snapshot() {
    insta::assert_snapshot!(utf8(&medication_answer()));
}

#[test]
fn checkup_answer_snapshot() {
    insta::assert_snapshot!(utf8(&checkup_answer()));
}

#[test]
fn medical_error_answer_snapshot() {
    insta::assert_snapshot!(utf8(&medical_error_answer()));
}

/// docs/oqs-folder.md shows the YZK request (TKK is the same without dates), a drug answer, a
/// checkup answer and an error answer exactly as onshi writes them.
#[test]
fn docs_show_the_yzk_and_tkk_documents() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/oqs-folder.md"
    ))
    .expect("docs/oqs-folder.md");
    for (what, text) in [
        ("the YZK request", utf8(&medical_request())),
        ("the drug answer", utf8(&medication_answer())),
        ("the checkup answer", utf8(&checkup_answer())),
        ("the error answer", utf8(&medical_error_answer())),
    ] {
        assert!(
            doc.contains(text.trim_end()),
            "docs/oqs-folder.md does not show {what} as onshi writes it:\n{text}"
        );
    }
}
