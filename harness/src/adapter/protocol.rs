//! The messages of the conformance adapter protocol, version 1 (`docs/adapter-protocol.md`):
//! what onshi sends ([`ToAdapter`]) and what it accepts back ([`FromAdapter`]). Every message
//! from an adapter is parsed strictly (unknown fields and types are refused) and then checked
//! for values serde cannot check ([`FromAdapter::check`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The protocol name and version both sides state in `hello` / `ready`.
pub const PROTOCOL: &str = "onshi-cap/1";

/// A message from onshi to the adapter (one JSON line).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToAdapter {
    /// The scenario starts: where the OQS folders are, who the system plays.
    Hello {
        /// [`PROTOCOL`].
        protocol: String,
        /// Scenario id.
        scenario: String,
        /// The scenario's seed.
        seed: u64,
        /// Virtual time (`2026-04-10T09:00:00+09:00`).
        now: String,
        /// The OQS interfaces of this scenario.
        oqs: OqsPlaces,
        /// The institutions the system under test plays.
        institutions: Vec<InstitutionInfo>,
    },
    /// The registry role: the scenario starts; the adapter starts its eligibility service and
    /// replies `ready` with the `service` URL (`docs/registry-role.md`).
    RegistryHello {
        /// [`PROTOCOL`].
        protocol: String,
        /// Scenario id.
        scenario: String,
        /// The scenario's seed.
        seed: u64,
        /// Virtual time.
        now: String,
        /// Base URL of J-LIS over HTTP (certificate status, the 旧番号 chain, the CAs).
        jlis: String,
    },
    /// The registry role: what the registry must know now, as registry feed records in order
    /// (`docs/registry-role.md`); reply `done` once they are applied.
    Facts {
        /// Virtual time.
        now: String,
        /// The records (each an object with a `type`).
        records: Vec<serde_json::Value>,
    },
    /// A patient arrives at the reception desk.
    Visit(Box<VisitEvent>),
    /// The virtual clock moved; do what is due (retries) and reply `done`.
    Time {
        /// Virtual time.
        now: String,
    },
    /// The registry's operator announced an outage (information only).
    Outage {
        /// Virtual time.
        now: String,
        /// `maintenance`, `emergency` or `throttle`.
        kind: String,
        /// Start.
        from: String,
        /// End.
        until: String,
    },
    /// The visit's record as the system holds it now.
    Observe {
        /// Visit name.
        visit: String,
        /// Virtual time.
        now: String,
    },
    /// The scenario is over: reply `bye` and exit.
    End {
        /// Virtual time.
        now: String,
    },
}

impl ToAdapter {
    /// The `type` of the message.
    pub fn kind(&self) -> &'static str {
        match self {
            ToAdapter::Hello { .. } => "hello",
            ToAdapter::RegistryHello { .. } => "registry_hello",
            ToAdapter::Facts { .. } => "facts",
            ToAdapter::Visit(_) => "visit",
            ToAdapter::Time { .. } => "time",
            ToAdapter::Outage { .. } => "outage",
            ToAdapter::Observe { .. } => "observe",
            ToAdapter::End { .. } => "end",
        }
    }

    /// The reply `type` this message wants.
    pub fn reply_kind(&self) -> &'static str {
        match self {
            ToAdapter::Hello { .. } | ToAdapter::RegistryHello { .. } => "ready",
            ToAdapter::Facts { .. } => "done",
            ToAdapter::Visit(_) | ToAdapter::Observe { .. } => "recorded",
            ToAdapter::Time { .. } | ToAdapter::Outage { .. } => "done",
            ToAdapter::End { .. } => "bye",
        }
    }
}

/// The OQS interfaces of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OqsPlaces {
    /// The OQS root.
    pub root: String,
    /// `<root>/req`.
    pub req: String,
    /// `<root>/res`.
    pub res: String,
    /// `<root>/face`.
    pub face: String,
    /// Base URL of the web API, when served.
    pub http: Option<String>,
    /// How result and face files are written: `utf8` or `shift_jis`.
    pub encoding: String,
}

/// An institution the system plays.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionInfo {
    /// Scenario key.
    pub key: String,
    /// 医療機関コード (10 digits).
    pub code: String,
    /// Name.
    pub name: String,
}

/// A patient at the desk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitEvent {
    /// Visit name (quoted in the reply and in `observe`).
    pub visit: String,
    /// Virtual time.
    pub now: String,
    /// 医療機関コード of the desk.
    pub institution: String,
    /// The patient.
    pub patient: PatientInfo,
    /// `card` or `eligibility_certificate`.
    pub presents: String,
    /// Card visits: the face file written into `face` (complete), or null.
    pub face_file: Option<String>,
    /// The numbers on the patient's 資格確認書 / 資格情報のお知らせ for the visit date.
    pub certificate: Option<CertificateNumbers>,
    /// The patient's answer to sharing 限度額 data (confirmations by numbers).
    pub limit_consent: bool,
    /// The visit's fee.
    pub fee: Option<FeeInfo>,
    /// `outpatient` or `inpatient`.
    pub care: String,
}

/// Who arrives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientInfo {
    /// Scenario key (the clinic's own patient id may be anything).
    pub key: String,
    /// 氏名.
    pub name: String,
    /// カナ氏名.
    pub kana: String,
    /// 生年月日 `YYYYMMDD`.
    pub birthdate: String,
    /// What the patient wrote on the 問診票.
    pub intake_form: IntakeForm,
}

/// The 問診票.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeForm {
    /// The My Number, when the patient wrote it (a system must neither keep nor send it).
    pub my_number: Option<String>,
}

/// The numbers on a 資格確認書.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateNumbers {
    /// 保険者番号 (8 digits, or 6 for 国保).
    pub insurer_number: String,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 本人/家族 (`insured`, `dependent`), as the paper says it.
    pub relation: crate::scenario::names::RelationName,
    /// 生年月日 `YYYYMMDD`.
    pub birthdate: String,
}

/// A visit's fee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeInfo {
    /// 10割 cost in yen.
    pub total: u64,
    /// 多数回該当 this month.
    pub many_times: bool,
}

/// A message from the adapter (one JSON line).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FromAdapter {
    /// Reply to `hello`.
    Ready {
        /// [`PROTOCOL`].
        protocol: String,
        /// The system under test.
        system: SystemInfo,
        /// The registry role: the base URL the eligibility service answers at.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<String>,
    },
    /// Reply to `visit` and `observe`.
    Recorded(Box<Recorded>),
    /// Reply to `time` and `outage`.
    Done {},
    /// Reply to `end`.
    Bye {},
    /// A log line at any time (goes into the trace).
    Log {
        /// Text.
        message: String,
    },
    /// Instead of a reply: the system could not handle the message.
    Error {
        /// Text.
        message: String,
    },
}

impl FromAdapter {
    /// The `type` of the message.
    pub fn kind(&self) -> &'static str {
        match self {
            FromAdapter::Ready { .. } => "ready",
            FromAdapter::Recorded(_) => "recorded",
            FromAdapter::Done {} => "done",
            FromAdapter::Bye {} => "bye",
            FromAdapter::Log { .. } => "log",
            FromAdapter::Error { .. } => "error",
        }
    }

    /// Values serde cannot check: the protocol name, codes, dates, ranges.
    pub fn check(&self) -> Result<(), String> {
        match self {
            FromAdapter::Ready { protocol, .. } if protocol != PROTOCOL => Err(format!(
                "`protocol` is \"{protocol}\"; onshi speaks \"{PROTOCOL}\""
            )),
            FromAdapter::Recorded(r) => r.check(),
            _ => Ok(()),
        }
    }
}

/// The system under test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemInfo {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
}

/// How a visit was settled (the reference provider's `ChargePath` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettledPath {
    /// 資格有効性 1.
    Confirmed,
    /// 資格有効性 3.
    FollowedNewQualification,
    /// 資格有効性 2/4: 被保険者資格申立書.
    DeclarationForm,
    /// 資格有効性 5.
    AskedPatient,
    /// Registry unavailable or card unusable: 資格確認書, confirm later.
    PaperCertificate,
}

impl SettledPath {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            SettledPath::Confirmed => "confirmed",
            SettledPath::FollowedNewQualification => "followed_new_qualification",
            SettledPath::DeclarationForm => "declaration_form",
            SettledPath::AskedPatient => "asked_patient",
            SettledPath::PaperCertificate => "paper_certificate",
        }
    }
}

/// Optional data a system can fetch and show.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FetchedKind {
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
    /// 特定健診情報.
    Checkup,
}

/// The owed confirmation, once made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LaterConfirmed {
    /// Date made (`YYYY-MM-DD`).
    pub on: String,
    /// 資格有効性 answered (1–6), or null when refused.
    #[serde(default)]
    pub validity: Option<u8>,
}

/// What the system recorded for a visit. Fields that are null may be left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// Visit name.
    pub visit: String,
    /// How it was settled.
    pub path: SettledPath,
    /// 保険者番号 recorded.
    #[serde(default)]
    pub insurer_number: Option<String>,
    /// 記号 recorded.
    #[serde(default)]
    pub symbol: Option<String>,
    /// 番号 recorded.
    #[serde(default)]
    pub number: Option<String>,
    /// 枝番 recorded.
    #[serde(default)]
    pub branch: Option<String>,
    /// 本人/家族 of the qualification recorded (`insured`, `dependent`).
    #[serde(default)]
    pub relation: Option<crate::scenario::names::RelationName>,
    /// 氏名 as recorded from the result file.
    #[serde(default)]
    pub name: Option<String>,
    /// 負担割合 applied (percent).
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// 適用区分 applied (`A01`…`B10`).
    #[serde(default)]
    pub limit_category: Option<String>,
    /// The month's self-pay limit applied (yen).
    #[serde(default)]
    pub cap: Option<u64>,
    /// 窓口負担 taken (yen).
    #[serde(default)]
    pub charged: Option<u64>,
    /// Optional data fetched and shown.
    #[serde(default)]
    pub fetched: Vec<FetchedKind>,
    /// A confirmation is owed (PRV-7).
    pub confirm_later: bool,
    /// The owed confirmation, once made.
    #[serde(default)]
    pub confirmed_later: Option<LaterConfirmed>,
    /// What the system keeps about the patient and the visit.
    #[serde(default)]
    pub stored: serde_json::Map<String, serde_json::Value>,
}

impl Recorded {
    fn check(&self) -> Result<(), String> {
        if let Some(c) = &self.limit_category {
            let ok = c.len() == 3
                && matches!(c.as_bytes()[0], b'A' | b'B')
                && c[1..].parse::<u8>().is_ok_and(|n| (1..=10).contains(&n));
            if !ok {
                return Err(format!(
                    "`limit_category` \"{c}\" is not an 適用区分 (A01–A06, B01–B10)"
                ));
            }
        }
        if let Some(p) = self.copay_percent
            && p > 100
        {
            return Err(format!("`copay_percent` {p} is over 100"));
        }
        if let Some(l) = &self.confirmed_later {
            if jiff::civil::Date::strptime("%Y-%m-%d", &l.on).is_err() {
                return Err(format!(
                    "`confirmed_later.on` \"{}\" is not a date YYYY-MM-DD",
                    l.on
                ));
            }
            if let Some(v) = l.validity
                && !(1..=6).contains(&v)
            {
                return Err(format!(
                    "`confirmed_later.validity` {v} is not a 資格有効性 (1–6)"
                ));
            }
        }
        Ok(())
    }
}

/// Both directions, for the schema file.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct AdapterProtocol {
    /// A message from onshi.
    to_adapter: ToAdapter,
    /// A message from the adapter.
    from_adapter: FromAdapter,
}

/// The JSON Schema of both directions (`schema/adapter-protocol.schema.json`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(AdapterProtocol);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// Parses one line from the adapter.
pub fn parse_line(line: &str) -> Result<FromAdapter, String> {
    let msg: FromAdapter = serde_json::from_str(line).map_err(|e| e.to_string())?;
    msg.check()?;
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_parse_strictly() {
        assert_eq!(parse_line(r#"{"type":"done"}"#), Ok(FromAdapter::Done {}));
        let r = parse_line(
            r#"{"type":"recorded","visit":"v","path":"confirmed","charged":1200,"confirm_later":false}"#,
        );
        assert!(matches!(r, Ok(FromAdapter::Recorded(ref r)) if r.charged == Some(1200)));
        for bad in [
            r#"{"type":"recorded","visit":"v","path":"confirmed","charged":1200,"confirm_later":false,"chargd":1}"#,
            r#"{"type":"recorded","visit":"v","path":"paid","confirm_later":false}"#,
            r#"{"type":"recorded","visit":"v","path":"confirmed"}"#,
            r#"{"type":"recorded","visit":"v","path":"confirmed","confirm_later":false,"limit_category":"C01"}"#,
            r#"{"type":"recorded","visit":"v","path":"confirmed","confirm_later":false,"confirmed_later":{"on":"2026-13-01"}}"#,
            r#"{"type":"ready","protocol":"onshi-cap/2","system":{"name":"x","version":"1"}}"#,
            r#"{"type":"hello"}"#,
            r#"{"type":"done","extra":1}"#,
            r#"not json"#,
            r#"[]"#,
        ] {
            assert!(parse_line(bad).is_err(), "accepted: {bad}");
        }
    }

    #[test]
    fn messages_to_the_adapter_round_trip() {
        let m = ToAdapter::Time {
            now: "2026-04-10T09:00:00+09:00".into(),
        };
        let line = serde_json::to_string(&m).unwrap();
        assert_eq!(line, r#"{"type":"time","now":"2026-04-10T09:00:00+09:00"}"#);
        assert_eq!(serde_json::from_str::<ToAdapter>(&line).unwrap(), m);
    }
}
