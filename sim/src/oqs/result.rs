//! ResultOfQualificationConfirmation (ROQC): one qualification in a 資格確認 result, face file or
//! bulk unit (§2.2), with its 高齢受給者証, 限度額, 特定疾病 blocks and consent flags.

use crate::clock::{Date, Moment};

use super::OqsError;
use super::text::{ContributionRatio, InsuranceNumbersText, InsurerNumberText, NumberElements};
use super::tree::{Block, Fields, Out};
use crate::codes::{
    ConsentFlag, ConsentStatus, InsuredCardClassification, LimitCategoryCode,
    LimitCertificateChanged, LimitCertificateKind, PersonalFamily, Preschool, ReasonOfLoss, Sex,
    SpecificDisease,
};

/// ElderlyRecipientCertificateInfo 高齢受給者証情報 (70–74).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElderlyRecipientCertificate {
    /// ElderlyRecipientCertificateDate 交付年月日.
    pub certificate_date: Option<Date>,
    /// ElderlyRecipientValidStartDate 有効開始年月日.
    pub valid_start: Option<Date>,
    /// ElderlyRecipientValidEndDate 有効終了年月日.
    pub valid_end: Option<Date>,
    /// ElderlyRecipientContributionRatio 一部負担金割合.
    pub contribution_ratio: Option<ContributionRatio>,
}

impl ElderlyRecipientCertificate {
    /// Whether no field is set; such a block is written as absent (§7: blocks only with content).
    pub fn is_empty(&self) -> bool {
        self.certificate_date.is_none()
            && self.valid_start.is_none()
            && self.valid_end.is_none()
            && self.contribution_ratio.is_none()
    }
}

/// LimitApplicationCertificateRelatedInfo 限度額適用認定証関連情報.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitCertificateInfo {
    /// LimitApplicationCertificateClassification 認定証区分 (OQSCD011).
    pub kind: LimitCertificateKind,
    /// LimitApplicationCertificateClassificationFlag 適用区分 (OQSCD012).
    pub category: LimitCategoryCode,
    /// LimitApplicationCertificateDate 交付年月日.
    pub certificate_date: Option<Date>,
    /// LimitApplicationCertificateValidStartDate 有効開始年月日.
    pub valid_start: Option<Date>,
    /// LimitApplicationCertificateValidEndDate 有効終了年月日.
    pub valid_end: Option<Date>,
    /// LimitApplicationCertificateLongTermDate 長期入院該当年月日.
    pub long_term_date: Option<Date>,
}

/// SpecificDiseasesCertificateInfo 特定疾病療養受療証情報.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecificDiseaseCertificate {
    /// SpecificDiseasesDiseaseCategory 認定疾病区分 (OQSCD013).
    pub disease: SpecificDisease,
    /// SpecificDiseasesCertificateDate 交付年月日.
    pub certificate_date: Option<Date>,
    /// SpecificDiseasesValidStartDate 有効開始年月日.
    pub valid_start: Option<Date>,
    /// SpecificDiseasesValidEndDate 有効終了年月日 (回収).
    pub valid_end: Option<Date>,
    /// SpecificDiseasesSelfPay 自己負担限度額 per month in yen, as text.
    pub self_pay: Option<String>,
}

/// One 閲覧同意 triple: `…InfoConsFlg`, `…InfoConsTime`, `…InfoAvailableTime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentInfo {
    /// The flag (OQSCD016).
    pub status: ConsentStatus,
    /// 同意日時.
    pub consent_time: Option<Moment>,
    /// 閲覧有効期限.
    pub available_until: Option<Moment>,
}

/// ResultOfQualificationConfirmation 資格確認結果: one qualification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualificationResult {
    /// InsuredCardClassification 被保険者証区分 (OQSCD010).
    pub card_classification: Option<InsuredCardClassification>,
    /// InsurerNumber 保険者番号 (raw 8 columns), InsuredCardSymbol 記号 (e.g. `12-34`),
    /// InsuredIdentificationNumber 番号, InsuredBranchNumber 枝番 (`01`).
    pub numbers: InsuranceNumbersText,
    /// PersonalFamilyClassification 本人・家族の別 (OQSCD009).
    pub personal_family: Option<PersonalFamily>,
    /// InsuredName 被保険者氏名(世帯主氏名).
    pub insured_name: Option<String>,
    /// Name 氏名 (family and given name separated by a full-width space).
    pub name: String,
    /// NameOfOther 氏名（その他）.
    pub name_of_other: Option<String>,
    /// NameKana 氏名カナ (half-width, half-width space).
    pub name_kana: Option<String>,
    /// NameOfOtherKana 氏名カナ（その他）.
    pub name_of_other_kana: Option<String>,
    /// Sex1 性別1 (券面).
    pub sex1: Sex,
    /// Sex2 性別2.
    pub sex2: Option<Sex>,
    /// Birthdate 生年月日.
    pub birthdate: Date,
    /// Address 住所.
    pub address: Option<String>,
    /// PostNumber 郵便番号 (`123-4567`).
    pub post_number: Option<String>,
    /// QualificationDate 資格取得年月日.
    pub qualification_date: Option<Date>,
    /// DisqualificationDate 資格喪失年月日.
    pub disqualification_date: Option<Date>,
    /// InsuredCertificateIssuanceDate 被保険者証交付年月日.
    pub certificate_issuance_date: Option<Date>,
    /// InsuredCardValidDate 被保険者証有効開始年月日.
    pub card_valid_date: Option<Date>,
    /// InsuredCardExpirationDate 被保険者証有効終了年月日.
    pub card_expiration_date: Option<Date>,
    /// InsuredPartialContributionRatio 一部負担金割合 (`030`).
    pub contribution_ratio: Option<ContributionRatio>,
    /// PreschoolClassification 未就学区分.
    pub preschool: Option<Preschool>,
    /// ReasonOfLoss 資格喪失事由.
    pub reason_of_loss: Option<ReasonOfLoss>,
    /// InsurerName 保険者名称.
    pub insurer_name: Option<String>,
    /// ElderlyRecipientCertificateInfo (a block with no field set is written as absent).
    pub elderly_recipient: Option<ElderlyRecipientCertificate>,
    /// LimitApplicationCertificateRelatedConsFlg 限度額適用認定証提供同意フラグ.
    pub limit_consent: Option<ConsentFlag>,
    /// LimitApplicationCertificateRelatedConsTime 同意日時.
    pub limit_consent_time: Option<Moment>,
    /// LimitApplicationCertificateRelatedInfo.
    pub limit_certificate: Option<LimitCertificateInfo>,
    /// SpecificDiseasesCertificateRelatedConsFlg 特定疾病療養受療証提供同意.
    pub specific_disease_consent: Option<ConsentStatus>,
    /// SpecificDiseasesCertificateRelatedConsTime.
    pub specific_disease_consent_time: Option<Moment>,
    /// SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo* (list omitted when empty).
    pub specific_diseases: Vec<SpecificDiseaseCertificate>,
    /// SpecificHealthCheckupsInfo… 特定健診情報 閲覧同意.
    pub checkup_consent: Option<ConsentInfo>,
    /// PharmacistsInfo… 薬剤情報 閲覧同意.
    pub medication_consent: Option<ConsentInfo>,
    /// DiagnosisInfo… 診療情報 閲覧同意.
    pub treatment_consent: Option<ConsentInfo>,
    /// OperationInfo… 手術情報 閲覧同意.
    pub surgery_consent: Option<ConsentInfo>,
    /// ReferenceNumber 照会番号 (the clinic's patient id, when registered).
    pub reference_number: Option<String>,
    /// ArbitraryIdentifier (CS model only).
    pub arbitrary_identifier: Option<String>,
    /// LimitApplicationCertificateChanged (OQSCD014, bulk results).
    pub limit_certificate_changed: Option<LimitCertificateChanged>,
}

const CONSENTS: [&str; 4] = [
    "SpecificHealthCheckupsInfo",
    "PharmacistsInfo",
    "DiagnosisInfo",
    "OperationInfo",
];

impl QualificationResult {
    pub(crate) const ELEMENT: &'static str = "ResultOfQualificationConfirmation";

    /// A result with the required fields and everything else absent.
    pub fn new(
        insurer_number: InsurerNumberText,
        number: &str,
        name: &str,
        sex1: Sex,
        birthdate: Date,
    ) -> Self {
        QualificationResult {
            card_classification: None,
            numbers: InsuranceNumbersText {
                insurer: insurer_number,
                symbol: None,
                number: number.to_string(),
                branch: None,
            },
            personal_family: None,
            insured_name: None,
            name: name.to_string(),
            name_of_other: None,
            name_kana: None,
            name_of_other_kana: None,
            sex1,
            sex2: None,
            birthdate,
            address: None,
            post_number: None,
            qualification_date: None,
            disqualification_date: None,
            certificate_issuance_date: None,
            card_valid_date: None,
            card_expiration_date: None,
            contribution_ratio: None,
            preschool: None,
            reason_of_loss: None,
            insurer_name: None,
            elderly_recipient: None,
            limit_consent: None,
            limit_consent_time: None,
            limit_certificate: None,
            specific_disease_consent: None,
            specific_disease_consent_time: None,
            specific_diseases: Vec::new(),
            checkup_consent: None,
            medication_consent: None,
            treatment_consent: None,
            surgery_consent: None,
            reference_number: None,
            arbitrary_identifier: None,
            limit_certificate_changed: None,
        }
    }

    pub(crate) fn to_out(&self) -> Out {
        let mut b = Block::new();
        b.opt_code("InsuredCardClassification", self.card_classification)
            .numbers(NumberElements::INSURED, &self.numbers)
            .opt_code("PersonalFamilyClassification", self.personal_family)
            .opt_text("InsuredName", self.insured_name.as_deref())
            .text("Name", &self.name)
            .opt_text("NameOfOther", self.name_of_other.as_deref())
            .opt_text("NameKana", self.name_kana.as_deref())
            .opt_text("NameOfOtherKana", self.name_of_other_kana.as_deref())
            .code("Sex1", self.sex1)
            .opt_code("Sex2", self.sex2)
            .date("Birthdate", self.birthdate)
            .opt_text("Address", self.address.as_deref())
            .opt_text("PostNumber", self.post_number.as_deref())
            .opt_date("QualificationDate", self.qualification_date)
            .opt_date("DisqualificationDate", self.disqualification_date)
            .opt_date(
                "InsuredCertificateIssuanceDate",
                self.certificate_issuance_date,
            )
            .opt_date("InsuredCardValidDate", self.card_valid_date)
            .opt_date("InsuredCardExpirationDate", self.card_expiration_date)
            .ratio("InsuredPartialContributionRatio", self.contribution_ratio)
            .opt_code("PreschoolClassification", self.preschool)
            .opt_code("ReasonOfLoss", self.reason_of_loss)
            .opt_text("InsurerName", self.insurer_name.as_deref());
        b.opt_child(
            "ElderlyRecipientCertificateInfo",
            self.elderly_recipient
                .as_ref()
                .filter(|e| !e.is_empty())
                .map(|e| {
                    let mut x = Block::new();
                    x.opt_date("ElderlyRecipientCertificateDate", e.certificate_date)
                        .opt_date("ElderlyRecipientValidStartDate", e.valid_start)
                        .opt_date("ElderlyRecipientValidEndDate", e.valid_end)
                        .ratio("ElderlyRecipientContributionRatio", e.contribution_ratio);
                    x.into_out("ElderlyRecipientCertificateInfo")
                }),
        );
        b.opt_code(
            "LimitApplicationCertificateRelatedConsFlg",
            self.limit_consent,
        )
        .opt_moment(
            "LimitApplicationCertificateRelatedConsTime",
            self.limit_consent_time,
        )
        .opt_child(
            "LimitApplicationCertificateRelatedInfo",
            self.limit_certificate.as_ref().map(|l| {
                let mut x = Block::new();
                x.code("LimitApplicationCertificateClassification", l.kind)
                    .text(
                        "LimitApplicationCertificateClassificationFlag",
                        l.category.code(),
                    )
                    .opt_date("LimitApplicationCertificateDate", l.certificate_date)
                    .opt_date("LimitApplicationCertificateValidStartDate", l.valid_start)
                    .opt_date("LimitApplicationCertificateValidEndDate", l.valid_end)
                    .opt_date("LimitApplicationCertificateLongTermDate", l.long_term_date);
                x.into_out("LimitApplicationCertificateRelatedInfo")
            }),
        )
        .opt_code(
            "SpecificDiseasesCertificateRelatedConsFlg",
            self.specific_disease_consent,
        )
        .opt_moment(
            "SpecificDiseasesCertificateRelatedConsTime",
            self.specific_disease_consent_time,
        );
        let list = (!self.specific_diseases.is_empty()).then(|| {
            let items = self
                .specific_diseases
                .iter()
                .map(|d| {
                    let mut x = Block::new();
                    x.code("SpecificDiseasesDiseaseCategory", d.disease)
                        .opt_date("SpecificDiseasesCertificateDate", d.certificate_date)
                        .opt_date("SpecificDiseasesValidStartDate", d.valid_start)
                        .opt_date("SpecificDiseasesValidEndDate", d.valid_end)
                        .opt_text("SpecificDiseasesSelfPay", d.self_pay.as_deref());
                    x.into_out("SpecificDiseasesCertificateInfo")
                })
                .collect();
            Out::Block("SpecificDiseasesCertificateList", items)
        });
        b.opt_child("SpecificDiseasesCertificateList", list);
        let consents = [
            self.checkup_consent,
            self.medication_consent,
            self.treatment_consent,
            self.surgery_consent,
        ];
        for (prefix, consent) in CONSENTS.iter().zip(consents) {
            let [flag, time, until] = consent_names(prefix);
            b.opt_code(flag, consent.map(|c| c.status))
                .opt_moment(time, consent.and_then(|c| c.consent_time))
                .opt_moment(until, consent.and_then(|c| c.available_until));
        }
        b.opt_text("ReferenceNumber", self.reference_number.as_deref())
            .opt_text("ArbitraryIdentifier", self.arbitrary_identifier.as_deref())
            .opt_code(
                "LimitApplicationCertificateChanged",
                self.limit_certificate_changed,
            );
        b.into_out(Self::ELEMENT)
    }

    pub(crate) fn from_fields(mut f: Fields<'_>) -> Result<Self, OqsError> {
        let mut r = QualificationResult {
            card_classification: f.opt_code("InsuredCardClassification")?,
            numbers: f.numbers(NumberElements::INSURED)?,
            personal_family: f.opt_code("PersonalFamilyClassification")?,
            insured_name: f.opt_text("InsuredName")?,
            name: f.text("Name")?,
            name_of_other: f.opt_text("NameOfOther")?,
            name_kana: f.opt_text("NameKana")?,
            name_of_other_kana: f.opt_text("NameOfOtherKana")?,
            sex1: f.code("Sex1")?,
            sex2: f.opt_code("Sex2")?,
            birthdate: f.date("Birthdate")?,
            address: f.opt_text("Address")?,
            post_number: f.opt_text("PostNumber")?,
            qualification_date: f.opt_date("QualificationDate")?,
            disqualification_date: f.opt_date("DisqualificationDate")?,
            certificate_issuance_date: f.opt_date("InsuredCertificateIssuanceDate")?,
            card_valid_date: f.opt_date("InsuredCardValidDate")?,
            card_expiration_date: f.opt_date("InsuredCardExpirationDate")?,
            contribution_ratio: f.ratio("InsuredPartialContributionRatio")?,
            preschool: f.opt_code("PreschoolClassification")?,
            reason_of_loss: f.opt_code("ReasonOfLoss")?,
            insurer_name: f.opt_text("InsurerName")?,
            ..QualificationResult::new(
                InsurerNumberText(String::new()),
                "",
                "",
                Sex::Unset,
                Date::MIN,
            )
        };
        if let Some(mut e) = f.opt_block("ElderlyRecipientCertificateInfo")? {
            r.elderly_recipient = Some(ElderlyRecipientCertificate {
                certificate_date: e.opt_date("ElderlyRecipientCertificateDate")?,
                valid_start: e.opt_date("ElderlyRecipientValidStartDate")?,
                valid_end: e.opt_date("ElderlyRecipientValidEndDate")?,
                contribution_ratio: e.ratio("ElderlyRecipientContributionRatio")?,
            });
            e.finish()?;
        }
        r.limit_consent = f.opt_code("LimitApplicationCertificateRelatedConsFlg")?;
        r.limit_consent_time = f.opt_moment("LimitApplicationCertificateRelatedConsTime")?;
        if let Some(mut l) = f.opt_block("LimitApplicationCertificateRelatedInfo")? {
            let kind = l.code("LimitApplicationCertificateClassification")?;
            let category = l.limit_category("LimitApplicationCertificateClassificationFlag")?;
            r.limit_certificate = Some(LimitCertificateInfo {
                kind,
                category,
                certificate_date: l.opt_date("LimitApplicationCertificateDate")?,
                valid_start: l.opt_date("LimitApplicationCertificateValidStartDate")?,
                valid_end: l.opt_date("LimitApplicationCertificateValidEndDate")?,
                long_term_date: l.opt_date("LimitApplicationCertificateLongTermDate")?,
            });
            l.finish()?;
        }
        r.specific_disease_consent = f.opt_code("SpecificDiseasesCertificateRelatedConsFlg")?;
        r.specific_disease_consent_time =
            f.opt_moment("SpecificDiseasesCertificateRelatedConsTime")?;
        if let Some(mut list) = f.opt_block("SpecificDiseasesCertificateList")? {
            for mut d in list.blocks("SpecificDiseasesCertificateInfo")? {
                r.specific_diseases.push(SpecificDiseaseCertificate {
                    disease: d.code("SpecificDiseasesDiseaseCategory")?,
                    certificate_date: d.opt_date("SpecificDiseasesCertificateDate")?,
                    valid_start: d.opt_date("SpecificDiseasesValidStartDate")?,
                    valid_end: d.opt_date("SpecificDiseasesValidEndDate")?,
                    self_pay: d.opt_text("SpecificDiseasesSelfPay")?,
                });
                d.finish()?;
            }
            list.finish()?;
        }
        let mut consents = [None; 4];
        for (prefix, slot) in CONSENTS.iter().zip(consents.iter_mut()) {
            *slot = consent(&mut f, prefix)?;
        }
        [
            r.checkup_consent,
            r.medication_consent,
            r.treatment_consent,
            r.surgery_consent,
        ] = consents;
        r.reference_number = f.opt_text("ReferenceNumber")?;
        r.arbitrary_identifier = f.opt_text("ArbitraryIdentifier")?;
        r.limit_certificate_changed = f.opt_code("LimitApplicationCertificateChanged")?;
        f.finish()?;
        Ok(r)
    }
}

fn consent_names(prefix: &str) -> [&'static str; 3] {
    match prefix {
        "SpecificHealthCheckupsInfo" => [
            "SpecificHealthCheckupsInfoConsFlg",
            "SpecificHealthCheckupsInfoConsTime",
            "SpecificHealthCheckupsInfoAvailableTime",
        ],
        "PharmacistsInfo" => [
            "PharmacistsInfoConsFlg",
            "PharmacistsInfoConsTime",
            "PharmacistsInfoAvailableTime",
        ],
        "DiagnosisInfo" => [
            "DiagnosisInfoConsFlg",
            "DiagnosisInfoConsTime",
            "DiagnosisInfoAvailableTime",
        ],
        _ => [
            "OperationInfoConsFlg",
            "OperationInfoConsTime",
            "OperationInfoAvailableTime",
        ],
    }
}

/// Reads one consent triple; a time without its flag is an error naming the missing flag.
fn consent(f: &mut Fields<'_>, prefix: &str) -> Result<Option<ConsentInfo>, OqsError> {
    let [flag, time, until] = consent_names(prefix);
    let status = f.opt_code(flag)?;
    let consent_time = f.opt_moment(time)?;
    let available_until = f.opt_moment(until)?;
    match status {
        Some(status) => Ok(Some(ConsentInfo {
            status,
            consent_time,
            available_until,
        })),
        None if consent_time.is_none() && available_until.is_none() => Ok(None),
        None => Err(OqsError::Missing {
            path: format!("{}/{flag}", f.path()),
            at: f.at(),
        }),
    }
}
