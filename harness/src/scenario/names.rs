//! Every table between the scenario language's names and the simulation's values, in one
//! place: scenario name → sim value (used by `compile` and `plan`), and sim value → the name a
//! check reports (used by `run::checks`).

use onshi_sim::insurer::{DesignatedDisease, LossReason};
use onshi_sim::registry::Channel;
use onshi_sim::rules::{ConsentItem, DataKind};
use schemars::JsonSchema;
use serde::Deserialize;

/// 本人/家族 as the language and the adapter protocol write it (`insured`, `dependent`).
pub use super::model::RelationName;
use super::model::{
    AttemptName, ChannelName, ConsentItemName, DataKindName, DiseaseName, EncodingName, LossName,
    MedicalItem, PortalDeniedName, ProviderPathName, RecordKind, RefusalName, ScopeName,
    TerminalRejectionName, VerificationMethodName, WithheldName,
};

/// A request kind a provider sends to the 資格確認端末 or the web API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestKindName {
    /// `OQSsiquc01req` / web API search: 資格確認 by numbers.
    Siquc01,
    /// `OQSsiimm01req`: 照会番号登録.
    Siimm01,
    /// `OQSmuquc01req` / `OQSmuquc02req`: 一括照会.
    Bulk,
    /// `YZKsiquc01req`: 薬剤情報.
    Yzk,
    /// `TKKsiquc01req`: 特定健診情報.
    Tkk,
}

impl RequestKindName {
    /// Every kind.
    pub const ALL: [RequestKindName; 5] = [
        RequestKindName::Siquc01,
        RequestKindName::Siimm01,
        RequestKindName::Bulk,
        RequestKindName::Yzk,
        RequestKindName::Tkk,
    ];

    /// The kind a logged exchange is, by the sim's table of exchanges (`None` for what is
    /// not a request of the system: login, face files, unknown files).
    pub fn of_exchange(kind: onshi_sim::oqs::ExchangeKind) -> Option<RequestKindName> {
        let name = kind.request_name()?;
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The name in the scenario language.
    pub fn name(self) -> &'static str {
        match self {
            RequestKindName::Siquc01 => "siquc01",
            RequestKindName::Siimm01 => "siimm01",
            RequestKindName::Bulk => "bulk",
            RequestKindName::Yzk => "yzk",
            RequestKindName::Tkk => "tkk",
        }
    }
}

/// Scenario encoding → the sim's CharacterCodeIdentifier.
pub fn character_code(e: EncodingName) -> onshi_sim::oqs::CharacterCode {
    match e {
        EncodingName::Utf8 => onshi_sim::oqs::CharacterCode::Utf8,
        EncodingName::ShiftJis => onshi_sim::oqs::CharacterCode::ShiftJis,
    }
}

/// Scenario 申込方法 → sim channel.
pub fn channel(c: ChannelName) -> Channel {
    match c {
        ChannelName::Reader => Channel::Reader,
        ChannelName::App => Channel::PortalApp,
        ChannelName::Atm => Channel::Atm,
    }
}

/// Scenario 資格喪失 reason → sim reason.
pub fn loss(l: LossName) -> LossReason {
    match l {
        LossName::Death => LossReason::Death,
        LossName::PublicAssistance => LossReason::PublicAssistance,
        LossName::OtherInsurance => LossReason::OtherInsurance,
        LossName::Other => LossReason::Other,
    }
}

/// Scenario 特定疾病 → sim disease.
pub fn disease(d: DiseaseName) -> DesignatedDisease {
    match d {
        DiseaseName::ChronicRenalFailure => DesignatedDisease::ChronicRenalFailure,
        DiseaseName::Hemophilia => DesignatedDisease::Hemophilia,
        DiseaseName::HivFromBloodProducts => DesignatedDisease::HivFromBloodProducts,
    }
}

/// Scenario record kind → sim data kind.
pub fn record_kind(k: RecordKind) -> DataKind {
    match k {
        RecordKind::Medication => DataKind::Medication,
        RecordKind::Treatment => DataKind::Treatment,
        RecordKind::Surgery => DataKind::Surgery,
    }
}

/// Scenario data kind → sim data kind.
pub fn data_kind(k: DataKindName) -> DataKind {
    match k {
        DataKindName::Medication => DataKind::Medication,
        DataKindName::Treatment => DataKind::Treatment,
        DataKindName::Surgery => DataKind::Surgery,
        DataKindName::Checkup => DataKind::Checkup,
        DataKindName::ExpenseNotice => DataKind::MedicalExpenseNotice,
        DataKindName::EPrescription => DataKind::EPrescription,
    }
}

/// Scenario medical consent item → sim consent item.
pub fn medical_item(i: MedicalItem) -> ConsentItem {
    match i {
        MedicalItem::Checkup => ConsentItem::Checkup,
        MedicalItem::Medication => ConsentItem::Medication,
        MedicalItem::Treatment => ConsentItem::Treatment,
        MedicalItem::Surgery => ConsentItem::Surgery,
    }
}

/// Scenario consent item → sim consent item.
pub fn consent_item(i: ConsentItemName) -> ConsentItem {
    match i {
        ConsentItemName::LimitInfo => ConsentItem::LimitInfo,
        ConsentItemName::SpecificDisease => ConsentItem::SpecificDisease,
        ConsentItemName::Checkup => ConsentItem::Checkup,
        ConsentItemName::Medication => ConsentItem::Medication,
        ConsentItemName::Treatment => ConsentItem::Treatment,
        ConsentItemName::Surgery => ConsentItem::Surgery,
    }
}

impl ChannelName {
    /// The name a `registry.link` check reports (the sim's name of the channel).
    pub fn name(self) -> &'static str {
        match self {
            ChannelName::Reader => "reader",
            ChannelName::App => "portal_app",
            ChannelName::Atm => "atm",
        }
    }
}

/// The snake_case name of a serde enum value (`certificate_expired`), or the `tag` field of a
/// tagged enum, as scenarios write it.
pub fn name_of<T: serde::Serialize + std::fmt::Debug>(value: &T, tag: &str) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(m)) => m
            .get(tag)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| serde_json::Value::Object(m).to_string()),
        Ok(v) => v.to_string(),
        // A tagged newtype variant holding a string cannot be serialized with its tag: fall
        // back to the variant name in snake_case.
        Err(_) => snake_case(
            format!("{value:?}")
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or(""),
        ),
    }
}

/// `CertificateExpired` → `certificate_expired`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The registry's refusal as `confirmation.refused` names it (an exhaustive table: a new
/// refusal of the simulation needs a name in the language).
pub fn refusal_name(r: Option<&onshi_sim::registry::Refusal>) -> RefusalName {
    use onshi_sim::registry::Refusal as R;
    match r {
        None => RefusalName::None,
        Some(R::Outage { .. }) => RefusalName::Outage,
        Some(R::UnknownInstitution) => RefusalName::UnknownInstitution,
        Some(R::CertificateUnknown) => RefusalName::CertificateUnknown,
        Some(R::CertificateRevoked { .. }) => RefusalName::CertificateRevoked,
        Some(R::CertificateExpired { .. }) => RefusalName::CertificateExpired,
        Some(R::CertificatePending { .. }) => RefusalName::CertificatePending,
        Some(R::RuleGap { .. }) => RefusalName::RuleGap,
        Some(R::NotRegistered) => RefusalName::NotRegistered,
        Some(R::RegistrationPending { .. }) => RefusalName::RegistrationPending,
    }
}

/// What an answer may provide, as `confirmation.scope` names it.
pub fn scope_name(s: &onshi_sim::registry::DataScope) -> ScopeName {
    use onshi_sim::registry::DataScope as S;
    match s {
        S::Full => ScopeName::Full,
        S::QualificationOnly { .. } => ScopeName::QualificationOnly,
    }
}

/// Why data was withheld, as `data.withheld` names it.
pub fn withheld_name(d: &onshi_sim::registry::DataDenied) -> WithheldName {
    use onshi_sim::registry::DataDenied as D;
    match d {
        D::NoConsent { .. } => WithheldName::NoConsent,
        D::ConsentExpired { .. } => WithheldName::ConsentExpired,
        D::TooYoung { .. } => WithheldName::TooYoung,
        D::Unavailable => WithheldName::Unavailable,
    }
}

/// How the reference provider settled a visit, as `provider.path` names it.
pub fn path_name(p: onshi_sim::provider::ChargePath) -> ProviderPathName {
    use onshi_sim::provider::ChargePath as P;
    match p {
        P::Confirmed => ProviderPathName::Confirmed,
        P::FollowedNewQualification => ProviderPathName::FollowedNewQualification,
        P::DeclarationForm => ProviderPathName::DeclarationForm,
        P::AskedPatient => ProviderPathName::AskedPatient,
        P::PaperCertificate => ProviderPathName::PaperCertificate,
    }
}

/// How the reader verified identity, as `verification.method` names it.
pub fn method_name(m: Option<onshi_sim::reader::Method>) -> VerificationMethodName {
    use onshi_sim::reader::Method as M;
    match m {
        None => VerificationMethodName::None,
        Some(M::Face) => VerificationMethodName::Face,
        Some(M::Pin) => VerificationMethodName::Pin,
        Some(M::Visual) => VerificationMethodName::Visual,
    }
}

/// Why マイナポータル refused a view, as `portal.denied` names it.
pub fn portal_denied_name(e: Option<&onshi_sim::portal::PortalError>) -> PortalDeniedName {
    use onshi_sim::portal::PortalError as E;
    match e {
        None => PortalDeniedName::None,
        Some(E::Certificate(_)) => PortalDeniedName::Certificate,
        Some(E::NoAccount) => PortalDeniedName::NoAccount,
        Some(E::OutsideProxyScope(_)) => PortalDeniedName::OutsideProxyScope,
        Some(E::NotAProxy) => PortalDeniedName::NotAProxy,
        Some(E::Unavailable) => PortalDeniedName::Unavailable,
        Some(E::NotViewable(_)) => PortalDeniedName::NotViewable,
    }
}

/// Why the registry rejected a terminal's request, as `terminal.rejection` names it.
pub fn rejection_name(
    r: Option<&onshi_sim::registry::terminal::TerminalRejection>,
) -> TerminalRejectionName {
    use onshi_sim::registry::terminal::TerminalRejection as R;
    match r {
        None => TerminalRejectionName::None,
        Some(R::MalformedCertificate { .. }) => TerminalRejectionName::MalformedCertificate,
        Some(R::SignatureCertificate) => TerminalRejectionName::SignatureCertificate,
        Some(R::NotIssuedByJlis { .. }) => TerminalRejectionName::NotIssuedByJlis,
        Some(R::UnknownChallenge) => TerminalRejectionName::UnknownChallenge,
        Some(R::BadSignature { .. }) => TerminalRejectionName::BadSignature,
    }
}

/// A reader attempt's result as `verification.results` names it.
pub fn attempt_name(a: &onshi_sim::reader::AttemptResult) -> AttemptName {
    use onshi_sim::card::PinResult;
    use onshi_sim::reader::AttemptResult as R;
    match a {
        R::FaceMatched => AttemptName::FaceMatched,
        R::FaceMismatch { .. } => AttemptName::FaceMismatch,
        R::NotLive => AttemptName::NotLive,
        R::FaceRetriesExhausted => AttemptName::FaceRetriesExhausted,
        R::FaceLocked => AttemptName::FaceLocked,
        R::Pin(PinResult::Accepted) => AttemptName::PinOk,
        R::Pin(PinResult::Wrong { .. }) => AttemptName::PinWrong,
        R::Pin(PinResult::NowBlocked) => AttemptName::PinNowBlocked,
        R::Pin(PinResult::Blocked) => AttemptName::PinBlocked,
        R::VisualConfirmed => AttemptName::VisualConfirmed,
        R::VisualRejected => AttemptName::VisualRejected,
    }
}

/// The name of a 特定疾病, as `confirmation.disease` writes it.
pub fn disease_name(d: DesignatedDisease) -> &'static str {
    match d {
        DesignatedDisease::ChronicRenalFailure => "chronic_renal_failure",
        DesignatedDisease::Hemophilia => "hemophilia",
        DesignatedDisease::HivFromBloodProducts => "hiv_from_blood_products",
    }
}

impl RelationName {
    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            RelationName::Insured => "insured",
            RelationName::Dependent => "dependent",
        }
    }

    /// The name of a sim relation.
    pub fn of(r: onshi_sim::codes::PersonalFamily) -> RelationName {
        match r {
            onshi_sim::codes::PersonalFamily::Insured => RelationName::Insured,
            onshi_sim::codes::PersonalFamily::Dependent => RelationName::Dependent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table gives the same word the simulation's own serde name is (the text reports
    /// showed before the vocabularies were typed).
    #[test]
    fn the_typed_names_are_the_simulations_own_names() {
        use onshi_sim::portal::PortalError;
        use onshi_sim::provider::ChargePath;
        use onshi_sim::reader::Method;
        use onshi_sim::registry::terminal::TerminalRejection;
        use onshi_sim::registry::{DataDenied, DataScope, Refusal};
        use onshi_sim::rules::{ConsentItem, DataKind};
        let refusals = [
            Refusal::UnknownInstitution,
            Refusal::CertificateUnknown,
            Refusal::NotRegistered,
            Refusal::RuleGap {
                message: "x".into(),
            },
            Refusal::CertificatePending {
                usable_from: "x".into(),
            },
            Refusal::RegistrationPending {
                usable_from: "x".into(),
            },
        ];
        for r in &refusals {
            assert_eq!(refusal_name(Some(r)).name(), name_of(r, "refusal"));
        }
        assert_eq!(
            scope_name(&DataScope::Full).name(),
            name_of(&DataScope::Full, "scope")
        );
        let denied = [
            DataDenied::NoConsent {
                item: ConsentItem::Medication,
            },
            DataDenied::TooYoung { min_age: 40 },
            DataDenied::Unavailable,
            DataDenied::ConsentExpired {
                item: ConsentItem::Medication,
                expired: "x".into(),
            },
        ];
        for d in &denied {
            assert_eq!(withheld_name(d).name(), name_of(d, "denied"));
        }
        for p in [
            ChargePath::Confirmed,
            ChargePath::FollowedNewQualification,
            ChargePath::DeclarationForm,
            ChargePath::AskedPatient,
            ChargePath::PaperCertificate,
        ] {
            assert_eq!(path_name(p).name(), name_of(&p, ""));
        }
        for m in [Method::Face, Method::Pin, Method::Visual] {
            assert_eq!(method_name(Some(m)).name(), name_of(&m, ""));
        }
        let errors = [
            PortalError::Certificate("x".into()),
            PortalError::NoAccount,
            PortalError::OutsideProxyScope(DataKind::Medication),
            PortalError::NotAProxy,
            PortalError::Unavailable,
            PortalError::NotViewable(DataKind::Medication),
        ];
        for e in &errors {
            assert_eq!(portal_denied_name(Some(e)).name(), name_of(e, "error"));
        }
        let rejections = [
            TerminalRejection::MalformedCertificate { reason: "x".into() },
            TerminalRejection::SignatureCertificate,
            TerminalRejection::NotIssuedByJlis { reason: "x".into() },
            TerminalRejection::UnknownChallenge,
            TerminalRejection::BadSignature { reason: "x".into() },
        ];
        for r in &rejections {
            assert_eq!(rejection_name(Some(r)).name(), name_of(r, "rejection"));
        }
    }

    #[test]
    fn every_request_kind_of_the_language_names_a_sim_exchange() {
        for kind in RequestKindName::ALL {
            assert!(
                onshi_sim::oqs::ExchangeKind::ALL
                    .iter()
                    .any(|e| RequestKindName::of_exchange(*e) == Some(kind)),
                "`{}` matches no exchange",
                kind.name()
            );
        }
    }
}
