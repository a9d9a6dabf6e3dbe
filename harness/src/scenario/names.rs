//! Every table between the scenario language's names and the simulation's values, in one
//! place: scenario name → sim value (used by `compile` and `plan`), and sim value → the name a
//! check reports (used by `run::checks`).

use onshi_sim::insurer::{DesignatedDisease, LossReason};
use onshi_sim::registry::Channel;
use onshi_sim::rules::{ConsentItem, DataKind};
use schemars::JsonSchema;
use serde::Deserialize;

use super::model::{
    AttemptName, ChannelName, ConsentItemName, DataKindName, DiseaseName, EncodingName, LossName,
    MedicalItem, RecordKind,
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

#[cfg(test)]
mod tests {
    use super::*;

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
