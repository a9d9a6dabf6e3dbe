//! 薬剤情報 / 特定健診情報 files (`YZKsiquc01` / `TKKsiquc01`, §2.5): a clinic asks for a
//! person's drug or checkup history by insurance numbers and gets an XML (or PDF) result.
//!
//! UNCERTAIN: only one open-source client (OD2) shows these files. The request follows OD2's
//! writer (note the header element names differ from §2.1: `InsuranceCardSymbol`,
//! `InsuredPersonIdentificationNumber`, `BranchNumber`). The result is onshi's minimal layout:
//! the header carries `ResultCode` (`1` success, `2` error, the values of OQSCD004) and on error
//! `ErrorCode` (onshi's code) and `MessageContents` (its message), which is all OD2 reads; the
//! body carries the person block and the data blocks OD2 names (`QuaInf` + `MeTrMonthInf` >
//! `DateInf` > `DrugInf` for drugs, `QualificationsInfo` + `SpecificHealthCheckupInfo` for
//! checkups) with only the leaves onshi's registry has (`DrugName`; `ItemName`/`DataValue`).
//! `MeTrMonth` (YYYYMM) and `Date` (YYYYMMDD) inside the month and date blocks are onshi's names.

use crate::clock::{Date, Moment, compact_date};
use crate::ids::InstitutionCode;

#[cfg(test)]
use super::Element;
use super::text::{InsuranceNumbersText, NumberElements};
use super::tree::{Block, Fields, Out};
use super::{FieldKind, OqsError, impl_message};
use crate::codes::{
    CharacterCode, FileCategory, MedicalTreatmentFlag, ProcessingResultStatus, Sex,
};

/// Which information a file asks for (the file-name prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MedicalDataKind {
    /// `YZK`: 薬剤情報.
    Medication,
    /// `TKK`: 特定健診情報.
    Checkup,
}

/// MessageHeader of a YZK/TKK request: the institution and the insurance numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MedicalInfoRequestHeader {
    /// MedicalInstitutionCode.
    pub institution: InstitutionCode,
    /// InsurerNumber 保険者番号 (raw 8 columns), InsuranceCardSymbol 記号,
    /// InsuredPersonIdentificationNumber 番号, BranchNumber 枝番.
    pub numbers: InsuranceNumbersText,
    /// ArbitraryFileIdentifier, echoed.
    pub arbitrary_file_identifier: Option<String>,
}

impl MedicalInfoRequestHeader {
    pub(crate) const NUMBERS: NumberElements = NumberElements {
        insurer: "InsurerNumber",
        symbol: "InsuranceCardSymbol",
        number: "InsuredPersonIdentificationNumber",
        branch: "BranchNumber",
    };
}

/// MessageBody of a YZK/TKK request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MedicalInfoRequestBody {
    /// StartDate (drugs only).
    pub start_date: Option<Date>,
    /// EndDate (drugs only).
    pub end_date: Option<Date>,
    /// FileCategory: PDF or XML result.
    pub file_category: FileCategory,
    /// PrDiInfClassification (`1` in OD2), kept as text.
    pub classification: Option<String>,
    /// MedicalTreatmentFlag 診療区分 (OQSCD028).
    pub treatment: MedicalTreatmentFlag,
}

/// `YZKsiquc01req` / `TKKsiquc01req`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MedicalInfoRequest {
    /// MessageHeader.
    pub header: MedicalInfoRequestHeader,
    /// MessageBody.
    pub body: MedicalInfoRequestBody,
}

impl MedicalInfoRequest {
    pub(crate) fn to_tree(&self) -> Out {
        let h = &self.header;
        let mut header = Block::new();
        header
            .text("MedicalInstitutionCode", &h.institution.digits())
            .numbers(MedicalInfoRequestHeader::NUMBERS, &h.numbers)
            .opt_text(
                "ArbitraryFileIdentifier",
                h.arbitrary_file_identifier.as_deref(),
            );
        let b = &self.body;
        let mut body = Block::new();
        body.opt_date("StartDate", b.start_date)
            .opt_date("EndDate", b.end_date)
            .code("FileCategory", b.file_category)
            .opt_text("PrDiInfClassification", b.classification.as_deref())
            .code("MedicalTreatmentFlag", b.treatment);
        let mut root = Block::new();
        root.child(header.into_out("MessageHeader"))
            .child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let mut h = root.block("MessageHeader")?;
        let header = MedicalInfoRequestHeader {
            institution: h.institution("MedicalInstitutionCode")?,
            numbers: h.numbers(MedicalInfoRequestHeader::NUMBERS)?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
        };
        h.finish()?;
        let mut b = root.block("MessageBody")?;
        let body = MedicalInfoRequestBody {
            start_date: b.opt_date("StartDate")?,
            end_date: b.opt_date("EndDate")?,
            file_category: b.code("FileCategory")?,
            classification: b.opt_text("PrDiInfClassification")?,
            treatment: b.code("MedicalTreatmentFlag")?,
        };
        b.finish()?;
        Ok(MedicalInfoRequest { header, body })
    }
}

/// MessageHeader of a YZK/TKK result (onshi's layout, see the module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MedicalInfoResponseHeader {
    /// ProcessExecutionTime.
    pub process_execution_time: Moment,
    /// MedicalInstitutionCode.
    pub institution: InstitutionCode,
    /// ArbitraryFileIdentifier, echoed.
    pub arbitrary_file_identifier: Option<String>,
    /// ResultCode: `1` success, `2` error (OQSCD004 values).
    pub result_code: ProcessingResultStatus,
    /// ErrorCode: onshi's code when ResultCode is `2`.
    pub error_code: Option<String>,
    /// MessageContents: the message when ResultCode is `2`.
    pub message_contents: Option<String>,
    /// CharacterCodeIdentifier; the encoder sets it to match the bytes.
    pub character_code: CharacterCode,
}

/// The person block (`QuaInf` for drugs, `QualificationsInfo` for checkups).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonInfo {
    /// Name 氏名.
    pub name: String,
    /// Kana 氏名カナ.
    pub kana: Option<String>,
    /// 生年月日.
    pub birthdate: Date,
    /// 性別 (OQSCD007).
    pub sex: Sex,
}

/// One drug record (`DrugInf`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MedicalDataRecord {
    /// 調剤・処方日.
    pub date: Date,
    /// DrugName: what was given (synthetic).
    pub text: String,
}

/// One checkup result item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckupItem {
    /// ItemName.
    pub name: String,
    /// DataValue.
    pub value: String,
}

/// One checkup (`SpecificHealthCheckupInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckupRecord {
    /// EffectiveTime 実施日 (YYYYMMDD).
    pub date: Date,
    /// The result items.
    pub items: Vec<CheckupItem>,
}

/// The data of a successful result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MedicalInfoResult {
    /// 薬剤情報: records in date order, written grouped by month and date.
    Medication {
        /// Whose.
        person: PersonInfo,
        /// The records.
        records: Vec<MedicalDataRecord>,
    },
    /// 特定健診情報.
    Checkup {
        /// Whose.
        person: PersonInfo,
        /// The checkups, oldest first.
        checkups: Vec<CheckupRecord>,
    },
}

/// `YZKsiquc01res` / `TKKsiquc01res` as XML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MedicalInfoResponse {
    /// MessageHeader.
    pub header: MedicalInfoResponseHeader,
    /// MessageBody content (absent on error).
    pub result: Option<MedicalInfoResult>,
}

fn month_of(d: Date) -> String {
    format!("{:04}{:02}", d.year(), d.month())
}

impl MedicalInfoResponse {
    pub(crate) fn to_tree(&self) -> Out {
        let h = &self.header;
        let mut header = Block::new();
        header
            .moment("ProcessExecutionTime", h.process_execution_time)
            .text("MedicalInstitutionCode", &h.institution.digits())
            .opt_text(
                "ArbitraryFileIdentifier",
                h.arbitrary_file_identifier.as_deref(),
            )
            .code("ResultCode", h.result_code)
            .opt_text("ErrorCode", h.error_code.as_deref())
            .opt_text("MessageContents", h.message_contents.as_deref())
            .code("CharacterCodeIdentifier", h.character_code);
        let mut root = Block::new();
        root.child(header.into_out("MessageHeader"));
        let mut body = Block::new();
        match &self.result {
            None => {}
            Some(MedicalInfoResult::Medication { person, records }) => {
                let mut p = Block::new();
                p.text("Name", &person.name)
                    .opt_text("KanaName", person.kana.as_deref())
                    .date("Birth", person.birthdate)
                    .code("AdmGendCode", person.sex);
                body.child(p.into_out("QuaInf"));
                let mut sorted: Vec<&MedicalDataRecord> = records.iter().collect();
                sorted.sort_by_key(|r| r.date);
                let mut i = 0;
                while i < sorted.len() {
                    let month = month_of(sorted[i].date);
                    let mut m = Block::new();
                    m.text("MeTrMonth", &month);
                    while i < sorted.len() && month_of(sorted[i].date) == month {
                        let date = sorted[i].date;
                        let mut d = Block::new();
                        d.date("Date", date);
                        while i < sorted.len() && sorted[i].date == date {
                            let mut drug = Block::new();
                            drug.text("DrugName", &sorted[i].text);
                            d.child(drug.into_out("DrugInf"));
                            i += 1;
                        }
                        m.child(d.into_out("DateInf"));
                    }
                    body.child(m.into_out("MeTrMonthInf"));
                }
            }
            Some(MedicalInfoResult::Checkup { person, checkups }) => {
                let mut p = Block::new();
                p.text("Name", &person.name)
                    .opt_text("KanasName", person.kana.as_deref())
                    .date("Birthday", person.birthdate)
                    .code("AdministrativeGenderCode", person.sex);
                body.child(p.into_out("QualificationsInfo"));
                for c in checkups {
                    let mut items = Block::new();
                    for item in &c.items {
                        let mut x = Block::new();
                        x.text("ItemName", &item.name)
                            .text("DataValue", &item.value);
                        items.child(x.into_out("HealthCheckupResultAndQuestionInfo"));
                    }
                    let mut b = Block::new();
                    b.date("EffectiveTime", c.date)
                        .child(items.into_out("HealthCheckupResultAndQuestionInfos"));
                    body.child(b.into_out("SpecificHealthCheckupInfo"));
                }
            }
        }
        root.child(body.into_out("MessageBody"));
        root.into_out("XmlMsg")
    }

    pub(crate) fn from_tree(root: &mut Fields<'_>) -> Result<Self, OqsError> {
        let mut h = root.block("MessageHeader")?;
        let header = MedicalInfoResponseHeader {
            process_execution_time: h.moment("ProcessExecutionTime")?,
            institution: h.institution("MedicalInstitutionCode")?,
            arbitrary_file_identifier: h.opt_text("ArbitraryFileIdentifier")?,
            result_code: h.code("ResultCode")?,
            error_code: h.opt_text("ErrorCode")?,
            message_contents: h.opt_text("MessageContents")?,
            character_code: h.code("CharacterCodeIdentifier")?,
        };
        h.finish()?;
        let mut body = root.block("MessageBody")?;
        let result = if let Some(mut p) = body.opt_block("QuaInf")? {
            let person = PersonInfo {
                name: p.text("Name")?,
                kana: p.opt_text("KanaName")?,
                birthdate: p.date("Birth")?,
                sex: p.code("AdmGendCode")?,
            };
            p.finish()?;
            let mut records = Vec::new();
            for mut m in body.blocks("MeTrMonthInf")? {
                let month = m.text("MeTrMonth")?;
                for mut d in m.blocks("DateInf")? {
                    let date = d.date("Date")?;
                    if month_of(date) != month {
                        return Err(OqsError::Invalid {
                            path: format!("{}/Date", d.path()),
                            kind: FieldKind::Date,
                            expected: format!("a date in the month {month}"),
                            found: compact_date(date),
                            at: d.at(),
                        });
                    }
                    for mut drug in d.blocks("DrugInf")? {
                        records.push(MedicalDataRecord {
                            date,
                            text: drug.text("DrugName")?,
                        });
                        drug.finish()?;
                    }
                    d.finish()?;
                }
                m.finish()?;
            }
            Some(MedicalInfoResult::Medication { person, records })
        } else if let Some(mut p) = body.opt_block("QualificationsInfo")? {
            let person = PersonInfo {
                name: p.text("Name")?,
                kana: p.opt_text("KanasName")?,
                birthdate: p.date("Birthday")?,
                sex: p.code("AdministrativeGenderCode")?,
            };
            p.finish()?;
            let mut checkups = Vec::new();
            for mut c in body.blocks("SpecificHealthCheckupInfo")? {
                let date = c.date("EffectiveTime")?;
                let mut items = Vec::new();
                let mut list = c.block("HealthCheckupResultAndQuestionInfos")?;
                for mut x in list.blocks("HealthCheckupResultAndQuestionInfo")? {
                    items.push(CheckupItem {
                        name: x.text("ItemName")?,
                        value: x.text("DataValue")?,
                    });
                    x.finish()?;
                }
                list.finish()?;
                c.finish()?;
                checkups.push(CheckupRecord { date, items });
            }
            Some(MedicalInfoResult::Checkup { person, checkups })
        } else {
            None
        };
        body.finish()?;
        Ok(MedicalInfoResponse { header, result })
    }
}

impl_message!(MedicalInfoRequest, MedicalInfoResponse);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oqs::{EncodeOptions, Message, decode_medical_info_response};

    fn date(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).expect("test date")
    }

    #[test]
    fn drug_results_group_by_month_and_date_and_read_back() {
        let response = MedicalInfoResponse {
            header: MedicalInfoResponseHeader {
                process_execution_time: Moment::start_of(date(2026, 4, 10)),
                institution: InstitutionCode::parse("1310143217").expect("test code"),
                arbitrary_file_identifier: Some("Y1".into()),
                result_code: ProcessingResultStatus::Ok,
                error_code: None,
                message_contents: None,
                character_code: CharacterCode::ShiftJis,
            },
            result: Some(MedicalInfoResult::Medication {
                person: PersonInfo {
                    name: "山田　太郎".into(),
                    kana: Some("ﾔﾏﾀﾞ ﾀﾛｳ".into()),
                    birthdate: date(1980, 5, 10),
                    sex: Sex::Male,
                },
                records: vec![
                    MedicalDataRecord {
                        date: date(2025, 11, 5),
                        text: "A".into(),
                    },
                    MedicalDataRecord {
                        date: date(2025, 11, 5),
                        text: "B".into(),
                    },
                    MedicalDataRecord {
                        date: date(2026, 1, 20),
                        text: "C".into(),
                    },
                ],
            }),
        };
        for encoding in [CharacterCode::Utf8, CharacterCode::ShiftJis] {
            let bytes = response
                .encode(EncodeOptions::with_encoding(encoding))
                .expect("encodes")
                .bytes;
            let back = decode_medical_info_response(&bytes).expect("decodes");
            let mut expected = response.clone();
            expected.header.character_code = encoding;
            assert_eq!(back, expected);
        }
        let element = response.to_element();
        let Element::Container { children, .. } = &element else {
            panic!("root is a container");
        };
        let Element::Container { children: body, .. } = &children[1] else {
            panic!("body is a container");
        };
        // QuaInf + two months.
        assert_eq!(body.len(), 3);
        assert_eq!(body[1].name(), "MeTrMonthInf");
    }
}
