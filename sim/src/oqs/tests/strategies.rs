//! Proptest strategies for every message, with text that stresses the wire: leading zeros,
//! symbols like `12-34`, kanji names with full-width spaces, XML metacharacters, CR/LF.

use std::fmt::Debug;

use proptest::collection::vec;
use proptest::option::of as opt;
use proptest::prelude::*;
use proptest::sample::select;

use crate::clock::{Date, DateTime, Moment};
use crate::ids::{InstitutionCode, InsurerNumber, luhn_like_check_digit};
use crate::oqs::encoding::representable;
use crate::oqs::*;

const SAMPLES: &[&str] = &[
    "01",
    "010",
    "00",
    "0",
    "12-34",
    "山田　太郎",
    "ｼﾝﾘｮｳ ﾀﾛｳ",
    "  123456",
    "&<>\"'",
    " lead",
    "trail ",
    "a\r\nb\tc",
    "髙橋　﨑子",
    "]]>",
    "",
];

/// Text; with `sjis` only characters Shift_JIS carries.
pub(crate) fn text(sjis: bool) -> BoxedStrategy<String> {
    let any = prop_oneof![
        select(SAMPLES).prop_map(str::to_string),
        "[\\PC\\t\\n\\r ]{0,10}",
        "[0-9]{1,4}",
        "[ぁ-んァ-ヶ一-龥　ｦ-ﾟ０-９A-Za-z0-9-]{0,8}",
    ];
    if sjis {
        any.prop_map(|s| {
            s.chars()
                .filter(|c| representable(*c, CharacterCode::ShiftJis))
                .collect()
        })
        .boxed()
    } else {
        any.boxed()
    }
}

pub(crate) fn code<C: Code + Debug>() -> impl Strategy<Value = C> {
    select(C::ALL)
}

pub(crate) fn date() -> impl Strategy<Value = Date> {
    (1i16..=9999, 1i8..=12, 1i8..=31)
        .prop_filter_map("real date", |(y, m, d)| Date::new(y, m, d).ok())
}

pub(crate) fn moment() -> impl Strategy<Value = Moment> {
    (date(), 0i8..24, 0i8..60, 0i8..60).prop_filter_map("real time", |(d, h, mi, s)| {
        DateTime::new(d.year(), d.month(), d.day(), h, mi, s, 0)
            .ok()
            .map(Moment)
    })
}

pub(crate) fn institution() -> impl Strategy<Value = InstitutionCode> {
    // `ids::FeeSchedule` is not re-exported, so build the digits here.
    (1u8..=47, select(&[1u8, 3, 4][..]), 0u8..100, 0u16..10000).prop_filter_map(
        "valid code",
        |(p, s, d, n)| {
            let body = format!("{p:02}{s}{d:02}{n:04}");
            let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
            InstitutionCode::parse(&format!("{body}{}", luhn_like_check_digit(&digits))).ok()
        },
    )
}

pub(crate) fn insurer(sjis: bool) -> BoxedStrategy<InsurerNumberText> {
    prop_oneof![
        (1u8..99, 1u8..=47, 0u16..1000)
            .prop_filter_map("valid", |(l, p, s)| InsurerNumber::new(l, p, s).ok())
            .prop_map(InsurerNumberText::spaces),
        (1u8..=47, 0u16..1000)
            .prop_filter_map("valid", |(p, s)| InsurerNumber::national(p, s).ok())
            .prop_flat_map(|n| select(vec![
                InsurerNumberText::spaces(n),
                InsurerNumberText::zeros(n)
            ])),
        text(sjis).prop_map(InsurerNumberText),
    ]
    .boxed()
}

fn ratio() -> impl Strategy<Value = ContributionRatio> {
    (0u8..=100).prop_filter_map("≤100", ContributionRatio::from_percent)
}

fn limit_category() -> impl Strategy<Value = LimitCategoryCode> {
    select(LimitCategoryCode::all().collect::<Vec<_>>())
}

pub(crate) fn search_info(sjis: bool) -> impl Strategy<Value = SearchInfo> {
    (
        insurer(sjis),
        opt(text(sjis)),
        text(sjis),
        opt(text(sjis)),
        date(),
        code(),
        opt(text(sjis)),
    )
        .prop_map(
            |(
                insurer_number,
                symbol,
                number,
                branch,
                birthdate,
                limit_consent,
                arbitrary_identifier,
            )| SearchInfo {
                numbers: InsuranceNumbersText {
                    insurer: insurer_number,
                    symbol,
                    number,
                    branch,
                },
                birthdate,
                limit_consent,
                arbitrary_identifier,
            },
        )
}

fn consent() -> impl Strategy<Value = ConsentInfo> {
    (code(), opt(moment()), opt(moment())).prop_map(|(status, consent_time, available_until)| {
        ConsentInfo {
            status,
            consent_time,
            available_until,
        }
    })
}

fn elderly() -> impl Strategy<Value = ElderlyRecipientCertificate> {
    (opt(date()), opt(date()), opt(date()), opt(ratio()))
        .prop_map(|(a, b, c, d)| ElderlyRecipientCertificate {
            certificate_date: a,
            valid_start: b,
            valid_end: c,
            contribution_ratio: d,
        })
        .prop_filter("written as absent when empty", |e| !e.is_empty())
}

fn limit() -> impl Strategy<Value = LimitCertificateInfo> {
    (
        code(),
        limit_category(),
        opt(date()),
        opt(date()),
        opt(date()),
        opt(date()),
    )
        .prop_map(
            |(kind, category, certificate_date, valid_start, valid_end, long_term_date)| {
                LimitCertificateInfo {
                    kind,
                    category,
                    certificate_date,
                    valid_start,
                    valid_end,
                    long_term_date,
                }
            },
        )
}

fn disease(sjis: bool) -> impl Strategy<Value = SpecificDiseaseCertificate> {
    (
        code(),
        opt(date()),
        opt(date()),
        opt(date()),
        opt(text(sjis)),
    )
        .prop_map(|(disease, a, b, c, self_pay)| SpecificDiseaseCertificate {
            disease,
            certificate_date: a,
            valid_start: b,
            valid_end: c,
            self_pay,
        })
}

pub(crate) fn qualification_result(sjis: bool) -> impl Strategy<Value = QualificationResult> {
    let t = move || text(sjis);
    let a = (
        opt(code()),
        insurer(sjis),
        opt(t()),
        t(),
        opt(t()),
        opt(code()),
        opt(t()),
        t(),
        opt(t()),
        opt(t()),
    );
    let b = (
        opt(t()),
        code(),
        opt(code()),
        date(),
        opt(t()),
        opt(t()),
        opt(date()),
        opt(date()),
        opt(date()),
        opt(date()),
    );
    let c = (
        opt(date()),
        opt(ratio()),
        opt(code()),
        opt(code()),
        opt(t()),
        opt(elderly()),
        opt(code()),
        opt(moment()),
        opt(limit()),
        opt(code()),
    );
    let d = (
        opt(moment()),
        vec(disease(sjis), 0..3),
        opt(consent()),
        opt(consent()),
        opt(consent()),
        opt(consent()),
        opt(t()),
        opt(t()),
        opt(code()),
    );
    (a, b, c, d).prop_map(|(a, b, c, d)| QualificationResult {
        card_classification: a.0,
        numbers: InsuranceNumbersText {
            insurer: a.1,
            symbol: a.2,
            number: a.3,
            branch: a.4,
        },
        personal_family: a.5,
        insured_name: a.6,
        name: a.7,
        name_of_other: a.8,
        name_kana: a.9,
        name_of_other_kana: b.0,
        sex1: b.1,
        sex2: b.2,
        birthdate: b.3,
        address: b.4,
        post_number: b.5,
        qualification_date: b.6,
        disqualification_date: b.7,
        certificate_issuance_date: b.8,
        card_valid_date: b.9,
        card_expiration_date: c.0,
        contribution_ratio: c.1,
        preschool: c.2,
        reason_of_loss: c.3,
        insurer_name: c.4,
        elderly_recipient: c.5,
        limit_consent: c.6,
        limit_consent_time: c.7,
        limit_certificate: c.8,
        specific_disease_consent: c.9,
        specific_disease_consent_time: d.0,
        specific_diseases: d.1,
        checkup_consent: d.2,
        medication_consent: d.3,
        treatment_consent: d.4,
        surgery_consent: d.5,
        reference_number: d.6,
        arbitrary_identifier: d.7,
        limit_certificate_changed: d.8,
    })
}

pub(crate) fn confirm_request(sjis: bool) -> impl Strategy<Value = ConfirmRequest> {
    (date(), institution(), opt(text(sjis)), search_info(sjis)).prop_map(|(d, i, a, s)| {
        ConfirmRequest {
            header: ConfirmRequestHeader {
                qualification_confirmation_date: d,
                institution: i,
                arbitrary_file_identifier: a,
            },
            search_info: s,
        }
    })
}

fn response_header(sjis: bool, encoding: CharacterCode) -> impl Strategy<Value = ResponseHeader> {
    (
        moment(),
        date(),
        institution(),
        opt(text(sjis)),
        code(),
        code(),
        opt(text(sjis)),
        opt(text(sjis)),
    )
        .prop_map(move |(t, d, i, a, rc, seg, ec, em)| ResponseHeader {
            process_execution_time: t,
            qualification_confirmation_date: d,
            institution: i,
            arbitrary_file_identifier: a,
            reference_classification: rc,
            segment_of_result: seg,
            error_code: ec,
            error_message: em,
            character_code: encoding,
        })
}

pub(crate) fn confirm_response(
    sjis: bool,
    encoding: CharacterCode,
) -> impl Strategy<Value = ConfirmResponse> {
    let body = (
        code(),
        opt(text(sjis)),
        opt(text(sjis)),
        opt(code()),
        opt(code()),
        opt(search_info(sjis)),
        vec(qualification_result(sjis), 0..3),
    );
    (response_header(sjis, encoding), body).prop_map(|(header, b)| ConfirmResponse {
        header,
        body: ResponseBody {
            processing_result_status: b.0,
            processing_result_code: b.1,
            processing_result_message: b.2,
            qualification_validity: b.3,
            prescription_issue_select: b.4,
            search_info: b.5,
            results: b.6,
        },
    })
}

fn simple_header(
    sjis: bool,
    encoding: CharacterCode,
) -> impl Strategy<Value = SimpleResponseHeader> {
    (
        moment(),
        institution(),
        opt(text(sjis)),
        code(),
        opt(text(sjis)),
        opt(text(sjis)),
    )
        .prop_map(move |(t, i, a, seg, ec, em)| SimpleResponseHeader {
            process_execution_time: t,
            institution: i,
            arbitrary_file_identifier: a,
            segment_of_result: seg,
            error_code: ec,
            error_message: em,
            character_code: encoding,
        })
}

fn registration_info(sjis: bool) -> impl Strategy<Value = ReferenceNumberRegistrationInfo> {
    (
        text(sjis),
        insurer(sjis),
        opt(text(sjis)),
        text(sjis),
        opt(text(sjis)),
    )
        .prop_map(|(r, i, s, n, b)| ReferenceNumberRegistrationInfo {
            reference_number: r,
            numbers: InsuranceNumbersText {
                insurer: i,
                symbol: s,
                number: n,
                branch: b,
            },
        })
}

fn request_header(sjis: bool) -> impl Strategy<Value = RequestHeader> {
    (institution(), opt(text(sjis))).prop_map(|(institution, arbitrary_file_identifier)| {
        RequestHeader {
            institution,
            arbitrary_file_identifier,
        }
    })
}

pub(crate) fn registration_request(
    sjis: bool,
) -> impl Strategy<Value = ReferenceNumberRegistrationRequest> {
    (request_header(sjis), registration_info(sjis))
        .prop_map(|(header, info)| ReferenceNumberRegistrationRequest { header, info })
}

pub(crate) fn registration_response(
    sjis: bool,
    encoding: CharacterCode,
) -> impl Strategy<Value = ReferenceNumberRegistrationResponse> {
    (
        simple_header(sjis, encoding),
        code(),
        opt(text(sjis)),
        opt(text(sjis)),
        opt(registration_info(sjis)),
    )
        .prop_map(
            |(header, s, c, m, info)| ReferenceNumberRegistrationResponse {
                header,
                body: RegistrationResponseBody {
                    processing_result_status: s,
                    processing_result_code: c,
                    processing_result_message: m,
                    info,
                },
            },
        )
}

pub(crate) fn bulk_upload_request(sjis: bool) -> impl Strategy<Value = BulkConfirmUploadRequest> {
    (
        opt(date()),
        institution(),
        opt(text(sjis)),
        vec(search_info(sjis), 0..4),
    )
        .prop_map(|(d, i, a, s)| BulkConfirmUploadRequest {
            header: BulkRequestHeader {
                qualification_confirmation_date: d,
                institution: i,
                arbitrary_file_identifier: a,
            },
            search_infos: s,
        })
}

pub(crate) fn bulk_upload_response(
    sjis: bool,
    encoding: CharacterCode,
) -> impl Strategy<Value = BulkUploadResponse> {
    (
        simple_header(sjis, encoding),
        code(),
        opt(text(sjis)),
        opt(text(sjis)),
        opt(text(sjis)),
    )
        .prop_map(|(header, s, c, m, r)| BulkUploadResponse {
            header,
            body: BulkUploadResponseBody {
                processing_result_status: s,
                processing_result_code: c,
                processing_result_message: m,
                reception_number: r,
            },
        })
}

pub(crate) fn bulk_download_request(sjis: bool) -> impl Strategy<Value = BulkDownloadRequest> {
    (request_header(sjis), text(sjis)).prop_map(|(header, reception_number)| BulkDownloadRequest {
        header,
        reception_number,
    })
}

fn bulk_unit(sjis: bool) -> impl Strategy<Value = BulkConfirmUnit> {
    (
        search_info(sjis),
        code(),
        opt(text(sjis)),
        opt(text(sjis)),
        opt(code()),
        vec(qualification_result(sjis), 0..3),
        opt(text(sjis)),
    )
        .prop_map(|(s, st, c, m, v, r, n)| BulkConfirmUnit {
            search_info: s,
            processing_result_status: st,
            processing_result_code: c,
            processing_result_message: m,
            qualification_validity: v,
            results: r,
            reference_number: n,
        })
}

pub(crate) fn bulk_download_response(
    sjis: bool,
    encoding: CharacterCode,
) -> impl Strategy<Value = BulkDownloadResponse> {
    let h = (
        moment(),
        opt(date()),
        institution(),
        opt(text(sjis)),
        text(sjis),
        code(),
        opt(text(sjis)),
        opt(text(sjis)),
        opt(any::<u32>()),
        opt(any::<u32>()),
        opt(any::<u32>()),
    );
    (h, vec(bulk_unit(sjis), 0..3)).prop_map(move |(h, units)| BulkDownloadResponse {
        header: BulkDownloadResponseHeader {
            process_execution_time: h.0,
            qualification_confirmation_date: h.1,
            institution: h.2,
            arbitrary_file_identifier: h.3,
            reception_number: h.4,
            segment_of_result: h.5,
            error_code: h.6,
            error_message: h.7,
            number_of_processing_result: h.8,
            number_of_normal_processing: h.9,
            number_of_error: h.10,
            character_code: encoding,
        },
        units,
    })
}

/// Options with the given encoding and a random order and layout.
pub(crate) fn options(encoding: CharacterCode) -> impl Strategy<Value = EncodeOptions> {
    (any::<bool>(), any::<u64>(), any::<bool>()).prop_map(move |(shuffle, seed, indent)| {
        EncodeOptions {
            encoding,
            element_order: if shuffle {
                ElementOrder::Shuffled(seed)
            } else {
                ElementOrder::Schema
            },
            indent,
            ..EncodeOptions::default()
        }
    })
}
