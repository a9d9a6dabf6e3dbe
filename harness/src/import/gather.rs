//! Gathering the facts: one event per exchange, at the time its file records, with what its
//! answer said (a face file is a card visit; a 資格確認 result with its request, or its echo, a
//! confirmation by numbers; a bulk download result one confirmation per unit, at the upload's
//! time; a YZK/TKK result a data request; a 照会番号登録 result a note), and every 資格 a result
//! shows. Files that cannot be used this way get a diagnostic naming them.

use std::collections::BTreeMap;

use onshi_sim::clock::Moment;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs::{
    ConfirmResponse, ConsentInfo, ConsentStatus, MedicalDataKind, MedicalInfoResponse,
    MedicalInfoResult, ProcessingResultStatus, QualificationResult, QualificationValidity,
    SegmentOfResult,
};

use super::diag::{Diagnostic, Diagnostics, Severity};
use super::facts::{
    Action, Answer, ConfirmAnswer, Consent, DataAnswer, Event, Facts, Identity, Numbers,
    RecordSeen, ResultFact,
};
use super::read::{Doc, ReadFile, pairs};

/// The scenario language's refusal name for an error code (`None`: one it has no name for).
fn refusal_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "ONS-E0201" | "ONS-E0202" | "ONS-E0203" => "outage",
        "ONS-E0009" => "unknown_institution",
        "ONS-E0102" => "certificate_revoked",
        "ONS-E0103" => "not_registered",
        "ONS-E0104" => "certificate_expired",
        "ONS-E0900" => "rule_gap",
        _ => return None,
    })
}

/// The scenario language's withheld reason for a YZK/TKK error code.
fn withheld_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "ONS-E0105" => "no_consent",
        "ONS-E0106" => "consent_expired",
        "ONS-E0107" => "too_young",
        "ONS-E0201" | "ONS-E0202" | "ONS-E0203" => "unavailable",
        _ => return None,
    })
}

/// Gathers the facts of every file read. Files that cannot be used get a diagnostic.
pub(super) fn gather(files: &[ReadFile], diags: &mut Diagnostics) -> Facts {
    let mut f = Facts::default();
    let paired = pairs(files);
    let mut partner: BTreeMap<usize, usize> = BTreeMap::new();
    for (req, res) in paired.values() {
        if let (Some(q), Some(s)) = (req, res) {
            partner.insert(*q, *s);
            partner.insert(*s, *q);
        }
    }
    let mut uploads: BTreeMap<String, usize> = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        if let Doc::BulkUploadResponse(r) = &file.doc
            && let Some(n) = &r.body.reception_number
        {
            uploads.insert(n.clone(), i);
        }
    }
    for (i, file) in files.iter().enumerate() {
        let other = partner.get(&i).map(|j| &files[*j]);
        match &file.doc {
            Doc::Face(r) => face(&mut f, file, r, diags),
            Doc::ConfirmResponse(r) => confirm(&mut f, file, r, other, diags),
            Doc::MedicalResponse(kind, r) => data(&mut f, file, *kind, r, other, diags),
            Doc::RegistrationResponse(r) => {
                let mut e = event(r.header.process_execution_time, r.header.institution, file);
                if let Some(q) = other {
                    e.files.insert(0, q.name.clone());
                }
                e.notes.push(format!(
                    "照会番号登録 ({}): the scenario language has no step for it; the 照会番号 is not kept",
                    match r.body.processing_result_status {
                        ProcessingResultStatus::Ok => "answered 正常",
                        ProcessingResultStatus::Error => "answered with an error",
                    }
                ));
                f.push(e);
            }
            Doc::BulkDownloadResponse(r) => bulk(&mut f, file, r, &uploads, files, diags),
            Doc::ConfirmRequest(_) | Doc::MedicalRequest(..) | Doc::RegistrationRequest(_) => {
                if other.is_none() {
                    diags.push(Diagnostic::file(
                        Severity::Refused,
                        &file.name,
                        "import::request-without-result",
                        format!(
                            "a {} without its result file (same suffix, `res` for `req`): the request alone does not say when or what was answered; left out",
                            file.doc.what()
                        ),
                    ));
                }
            }
            // Bulk uploads and download requests are read through the download result.
            Doc::BulkUploadRequest(_)
            | Doc::BulkUploadResponse(_)
            | Doc::BulkDownloadRequest(_) => {}
        }
    }
    f
}

impl Facts {
    fn push(&mut self, e: Event) {
        let files = self.institutions.entry(e.institution).or_default();
        for name in &e.files {
            if !files.contains(name) {
                files.push(name.clone());
            }
        }
        self.events.push(e);
    }
}

fn event(at: Moment, institution: InstitutionCode, file: &ReadFile) -> Event {
    Event {
        files: vec![file.name.clone()],
        ..super::infer::synthetic_event(institution, at)
    }
}

/// A face file: a card visit.
fn face(f: &mut Facts, file: &ReadFile, r: &ConfirmResponse, diags: &mut Diagnostics) {
    let mut e = event(r.header.process_execution_time, r.header.institution, file);
    let Some(answer) = confirm_answer(f, file, r, diags) else {
        return;
    };
    let mut consent = Consent::default();
    let mut care = None;
    for res in &r.body.results {
        consents(f, &mut e, res, &mut consent, &mut care, true);
        if !res.specific_diseases.is_empty() {
            consent.specific_disease = Some(true);
        }
    }
    // The desk asks for the data whose consent its answer's first result shows as given.
    if let Some(first) = r.body.results.first() {
        let given = |c: Option<ConsentInfo>| c.is_some_and(|c| c.status == ConsentStatus::Given);
        if given(first.checkup_consent) {
            e.consented.push(MedicalDataKind::Checkup);
        }
        if given(first.medication_consent) {
            e.consented.push(MedicalDataKind::Medication);
        }
    }
    let date = r.header.qualification_confirmation_date;
    e.action = Action::Visit {
        confirmation_date: (date != e.at.date()).then_some(date),
        consent,
        care,
        synthetic: false,
    };
    e.notes.push(
        "unknown: how the patient was verified at the reader (face, PIN or 目視); a live face is assumed".into(),
    );
    if answer.refused.is_none() && answer.validity == Some(QualificationValidity::NotFound) {
        e.notes.push(
            "unknown: whose card: 該当資格なし (4) names nobody: someone whose 資格 the registry does not know yet, or withholds (a J-LIS 照合 after a 紐付け誤り, registry.jlis_check)".into(),
        );
    }
    e.answer = Answer::Confirm(answer);
    f.push(e);
}

/// The consent flags of one result: at a card visit, those given at this answer's moment are
/// the visit's answers; earlier ones (and every one an answer by numbers shows) are consents
/// given at a visit before.
fn consents(
    f: &mut Facts,
    e: &mut Event,
    r: &QualificationResult,
    consent: &mut Consent,
    care: &mut Option<&'static str>,
    by_card: bool,
) {
    if let (Some(flag), Some(at)) = (r.limit_consent, r.limit_consent_time)
        && at == e.at
        && by_card
    {
        consent.limit_info = Some(flag == onshi_sim::oqs::ConsentFlag::Given);
    }
    let items: [(&'static str, Option<ConsentInfo>); 4] = [
        ("checkup", r.checkup_consent),
        ("medication", r.medication_consent),
        ("treatment", r.treatment_consent),
        ("surgery", r.surgery_consent),
    ];
    for (item, info) in items {
        let Some(info) = info else { continue };
        let seen = f.items_seen.entry(e.institution).or_default();
        if !seen.contains(&item) {
            seen.push(item);
        }
        let granted = matches!(info.status, ConsentStatus::Given | ConsentStatus::Expired);
        let Some(at) = info.consent_time else {
            continue;
        };
        if at == e.at && by_card {
            let slot = match item {
                "checkup" => &mut consent.checkup,
                "medication" => &mut consent.medication,
                "treatment" => &mut consent.treatment,
                _ => &mut consent.surgery,
            };
            *slot = Some(granted);
            if granted && care.is_none() {
                *care = care_of(at, info.available_until);
            }
        } else if at <= e.at {
            e.prior_consents
                .push((item, at, granted, info.available_until));
        }
    }
}

/// The 診療区分 a consent's 閲覧有効期限 shows, when it is not 外来 (24 hours).
pub(super) fn care_of(at: Moment, until: Option<Moment>) -> Option<&'static str> {
    let switches = onshi_sim::rules::RuleSet::builtin().switches().clone();
    let hours = match until {
        None => return Some("inpatient"),
        Some(u) => seconds_between(at, u) / 3600,
    };
    if i64::from(switches.outpatient_consent_hours) == hours {
        None
    } else if switches.inpatient_consent_hours.map(i64::from) == Some(hours) {
        Some("inpatient")
    } else if switches.home_visit_consent_hours.map(i64::from) == Some(hours) {
        Some("home_visit")
    } else {
        None
    }
}

/// Seconds from `a` to `b` (negative when `b` is earlier).
pub(super) fn seconds_between(a: Moment, b: Moment) -> i64 {
    b.0.duration_since(a.0).as_secs()
}

/// A 資格確認 result paired with its request (or carrying its echo): a confirmation by numbers.
fn confirm(
    f: &mut Facts,
    file: &ReadFile,
    r: &ConfirmResponse,
    request: Option<&ReadFile>,
    diags: &mut Diagnostics,
) {
    let mut e = event(r.header.process_execution_time, r.header.institution, file);
    let asked = match request.map(|q| &q.doc) {
        Some(Doc::ConfirmRequest(q)) => {
            e.files
                .insert(0, request.map(|q| q.name.clone()).unwrap_or_default());
            if let Some(echo) = &r.body.search_info
                && *echo != q.search_info
            {
                let asked = |s: &onshi_sim::oqs::SearchInfo| {
                    format!(
                        "保険者番号 {} 記号 {} 番号 {} 枝番 {} 生年月日 {}",
                        s.numbers.insurer.raw().trim(),
                        s.numbers.symbol.as_deref().unwrap_or("-"),
                        s.numbers.number,
                        s.numbers.branch.as_deref().unwrap_or("-"),
                        s.birthdate
                    )
                };
                diags.push(Diagnostic::contradiction(
                    "what was asked",
                    &[
                        (&e.files[0], asked(&q.search_info)),
                        (&file.name, format!("{} (its echo)", asked(echo))),
                    ],
                ));
                return;
            }
            Some((
                q.search_info.clone(),
                q.header.qualification_confirmation_date,
            ))
        }
        _ => r
            .body
            .search_info
            .clone()
            .map(|s| (s, r.header.qualification_confirmation_date)),
    };
    let Some((info, date)) = asked else {
        diags.push(Diagnostic::file(
            Severity::Refused,
            &file.name,
            "import::result-without-request",
            "a 資格確認 result with neither its request file nor the request's numbers echoed (QualificationConfirmSearchInfo): what was asked is not known; left out".into(),
        ));
        return;
    };
    let numbers = match Numbers::from_text(&info.numbers) {
        Ok(n) => n,
        Err(_) => {
            e.notes.push("the request's 保険者番号 is not one (its form or check digit is wrong; the value is not written here); a confirmation by numbers cannot send it, so this exchange is not a step".to_string());
            f.push(e);
            return;
        }
    };
    if r.header.segment_of_result == SegmentOfResult::Failed
        && r.header
            .error_code
            .as_deref()
            .is_none_or(|c| refusal_name(c).is_none())
    {
        e.notes.push(format!(
            "answered {} (the request itself was refused); the scenario's confirmations are well-formed, so this exchange is not a step",
            r.header.error_code.as_deref().map_or_else(|| "an error".into(), super::shown_code)
        ));
        f.push(e);
        return;
    }
    let Some(answer) = confirm_answer(f, file, r, diags) else {
        return;
    };
    // Consents an answer by numbers shows were given at a visit before it.
    let (mut consent, mut care) = (Consent::default(), None);
    for res in &r.body.results {
        consents(f, &mut e, res, &mut consent, &mut care, false);
    }
    e.action = Action::Numbers {
        numbers,
        birth: info.birthdate,
        limit_consent: info.limit_consent == onshi_sim::oqs::ConsentFlag::Given,
        confirmation_date: (date != e.at.date()).then_some(date),
    };
    e.answer = Answer::Confirm(answer);
    f.push(e);
}

/// The answer of a 資格確認 result or face file; its results are added to `seen`.
fn confirm_answer(
    f: &mut Facts,
    file: &ReadFile,
    r: &ConfirmResponse,
    diags: &mut Diagnostics,
) -> Option<ConfirmAnswer> {
    let mut a = ConfirmAnswer {
        validity: r.body.qualification_validity,
        ..ConfirmAnswer::default()
    };
    let failed = r.header.segment_of_result == SegmentOfResult::Failed
        || r.body.processing_result_status == ProcessingResultStatus::Error;
    let code = r
        .header
        .error_code
        .clone()
        .or_else(|| r.body.processing_result_code.clone());
    if failed {
        a.refused = Some(code.as_deref().and_then(refusal_name).unwrap_or("unknown"));
        a.code = code;
        return Some(a);
    }
    if let Some(c) = &code
        && (c == "ONS-W0301" || c == "ONS-W0302")
    {
        a.notice = Some(c.clone());
    }
    let mut seen = Vec::new();
    for res in &r.body.results {
        match record_seen(file, res) {
            Ok(x) => seen.push(x),
            Err(why) => {
                diags.push(Diagnostic {
                    severity: Severity::Refused,
                    files: vec![file.name.clone()],
                    element: Some(
                        "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/InsurerNumber"
                            .into(),
                    ),
                    line: None,
                    rule: "import::bad-value",
                    message: format!(
                        "a result's 保険者番号 is not one ({why}); the file is left out"
                    ),
                });
                return None;
            }
        }
    }
    for (res, x) in r.body.results.iter().zip(seen) {
        a.results.push(ResultFact {
            record: f.seen.len(),
            copay: res.contribution_ratio.map(|c| c.percent()),
            elderly: res
                .elderly_recipient
                .as_ref()
                .map(|e| e.contribution_ratio.map(|c| c.percent())),
            preschool: res.preschool.is_some(),
            loss: res.disqualification_date,
            limit: res
                .limit_certificate
                .as_ref()
                .map(|l| (l.category.code().to_string(), l.long_term_date)),
            disease: res
                .specific_diseases
                .first()
                .map(|d| disease_name(d.disease)),
            insurer_name: res.insurer_name.clone(),
        });
        f.seen.push(x);
    }
    Some(a)
}

/// The scenario language's name of a 特定疾病.
pub(super) fn disease_name(d: onshi_sim::oqs::SpecificDisease) -> &'static str {
    use onshi_sim::oqs::SpecificDisease as D;
    match d {
        D::ChronicRenalFailure => "chronic_renal_failure",
        D::Hemophilia => "hemophilia",
        D::HivFromBloodProducts => "hiv_from_blood_products",
    }
}

fn record_seen(file: &ReadFile, r: &QualificationResult) -> Result<RecordSeen, String> {
    Ok(RecordSeen {
        file: file.name.clone(),
        numbers: Numbers::from_text(&r.numbers)?,
        identity: Identity {
            name: Some(r.name.clone()),
            kana: r.name_kana.clone(),
            birth: r.birthdate,
            sex: Some(r.sex1),
            address: r.address.clone(),
        },
        relation: r.personal_family,
        from: r.qualification_date,
        lost: r.disqualification_date.map(|d| (d, r.reason_of_loss)),
        limit: r.limit_certificate.clone(),
        diseases: r.specific_diseases.clone(),
        insurer_name: r.insurer_name.clone(),
    })
}

/// A YZK/TKK result: a data request.
fn data(
    f: &mut Facts,
    file: &ReadFile,
    kind: MedicalDataKind,
    r: &MedicalInfoResponse,
    request: Option<&ReadFile>,
    diags: &mut Diagnostics,
) {
    let mut e = event(r.header.process_execution_time, r.header.institution, file);
    e.action = Action::Fetch(kind);
    if let Some(Doc::MedicalRequest(_, q)) = request.map(|q| &q.doc) {
        e.files
            .insert(0, request.map(|q| q.name.clone()).unwrap_or_default());
        match Numbers::from_text(&q.header.numbers) {
            Ok(n) => e.asked = Some(n),
            Err(_) => e.notes.push("the request's 保険者番号 is not one (its form or check digit is wrong; the value is not written here); the patient is found by the answer's name and birth date".to_string()),
        }
    }
    let person = match &r.result {
        Some(
            MedicalInfoResult::Medication { person, .. }
            | MedicalInfoResult::Checkup { person, .. },
        ) => Some(Identity {
            name: Some(person.name.clone()),
            kana: person.kana.clone(),
            birth: person.birthdate,
            sex: Some(person.sex),
            address: None,
        }),
        None => None,
    };
    if request.is_none() && person.is_none() {
        diags.push(Diagnostic::file(
            Severity::Refused,
            &file.name,
            "import::result-without-request",
            format!(
                "a {} without its request file and without the patient's data: whose data was asked for is not known; left out",
                file.doc.what()
            ),
        ));
        return;
    }
    e.data_identity = person;
    e.answer = Answer::Data(match &r.result {
        Some(MedicalInfoResult::Medication { records, .. }) => DataAnswer::Shared {
            records: records.iter().map(|x| (x.date, x.text.clone())).collect(),
            checkups: Vec::new(),
        },
        Some(MedicalInfoResult::Checkup { checkups, .. }) => DataAnswer::Shared {
            records: Vec::new(),
            checkups: checkups.iter().map(|c| c.date).collect(),
        },
        None => {
            let code = r.header.error_code.clone().unwrap_or_default();
            DataAnswer::Withheld(withheld_name(&code), code)
        }
    });
    f.push(e);
}

/// A bulk download result: one confirmation by numbers per unit, at the upload's time.
fn bulk(
    f: &mut Facts,
    file: &ReadFile,
    r: &onshi_sim::oqs::BulkDownloadResponse,
    uploads: &BTreeMap<String, usize>,
    files: &[ReadFile],
    diags: &mut Diagnostics,
) {
    let upload = uploads.get(&r.header.reception_number).map(|i| &files[*i]);
    let (at, upload_name) = match upload.map(|u| &u.doc) {
        Some(Doc::BulkUploadResponse(u)) => (
            u.header.process_execution_time,
            upload.map(|u| u.name.clone()),
        ),
        _ => (r.header.process_execution_time, None),
    };
    if r.header.segment_of_result != SegmentOfResult::Completed {
        let mut e = event(at, r.header.institution, file);
        e.notes.push(
            "一括照会 download answered without results (処理中 or an error); nothing to restate"
                .into(),
        );
        f.push(e);
        return;
    }
    for (n, unit) in r.units.iter().enumerate() {
        let mut e = event(at, r.header.institution, file);
        if let Some(u) = &upload_name {
            e.files.insert(0, u.clone());
        } else {
            e.notes.push(
                "unknown: when the bulk upload was confirmed (its OQSmuquc01res is not among the files); the download's time is used".into(),
            );
        }
        e.notes
            .push(format!("一括照会 unit {} of {}", n + 1, r.units.len()));
        let numbers = match Numbers::from_text(&unit.search_info.numbers) {
            Ok(x) => x,
            Err(_) => {
                e.notes.push("the unit's 保険者番号 is not one (its form or check digit is wrong; the value is not written here); not a step".to_string());
                f.push(e);
                continue;
            }
        };
        let response = ConfirmResponse {
            header: onshi_sim::oqs::ResponseHeader {
                process_execution_time: at,
                qualification_confirmation_date: r
                    .header
                    .qualification_confirmation_date
                    .unwrap_or(at.date()),
                institution: r.header.institution,
                arbitrary_file_identifier: None,
                reference_classification: onshi_sim::oqs::ReferenceClassification::InsuranceNumbers,
                segment_of_result: SegmentOfResult::Completed,
                error_code: None,
                error_message: None,
                character_code: onshi_sim::oqs::CharacterCode::Utf8,
            },
            body: onshi_sim::oqs::ResponseBody {
                processing_result_status: unit.processing_result_status,
                processing_result_code: unit.processing_result_code.clone(),
                processing_result_message: None,
                qualification_validity: unit.qualification_validity,
                prescription_issue_select: None,
                search_info: None,
                results: unit.results.clone(),
            },
        };
        let Some(answer) = confirm_answer(f, file, &response, diags) else {
            return;
        };
        e.action = Action::Numbers {
            numbers,
            birth: unit.search_info.birthdate,
            limit_consent: unit.search_info.limit_consent == onshi_sim::oqs::ConsentFlag::Given,
            confirmation_date: None,
        };
        e.answer = Answer::Confirm(answer);
        f.push(e);
    }
}
