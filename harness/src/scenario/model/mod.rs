//! The scenario language as typed Rust: what a scenario file may say. Parsed with
//! serde-saphyr (every struct rejects unknown keys), and the source of the JSON Schema
//! that `onshi schema` prints.
//!
//! Names follow `../shared/domain/glossary.md`; Japanese terms sit in the doc comments,
//! which become the schema's descriptions (and so the editor's hover text).
//!
//! Split by concept: this file holds the files themselves (scenario and fragment), `At<T>`,
//! the time and date texts, rule switches and the item and data-kind names shared by the
//! world, the steps and the expectations; `world.rs` the world at the start, `steps.rs`
//! steps and sequences, `expect.rs` the expectations. Everything is re-exported here, so
//! every type is `model::X`.

pub use super::names::RequestKindName;
pub use super::vocab::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

mod card;
mod expect;
mod steps;
mod world;

pub use card::*;
pub use expect::*;
pub use steps::*;
pub use world::*;

/// A value with the line and column it was written at (1-based; 0 when unknown).
#[derive(Clone, Debug, PartialEq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Line.
    pub line: u64,
    /// Column.
    pub column: u64,
}

impl<T> At<T> {
    /// A value with no source position (built in code, not read from a file).
    pub fn bare(value: T) -> Self {
        At {
            value,
            line: 0,
            column: 0,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(At {
            value: s.value,
            line: s.referenced.line(),
            column: s.referenced.column(),
        })
    }
}

impl<T: JsonSchema> JsonSchema for At<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// A scenario file.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Unique id, `area/short-name` (lower case, digits, `-`, `/`).
    pub id: At<String>,
    /// Title in Japanese and/or English.
    pub title: TitleSpec,
    /// Requirement ids from the catalog this scenario evidences (`onshi explain ID`).
    pub requirements: Vec<At<String>>,
    /// Free tags for `onshi list --tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Seed for every derived value; default: the run's `--seed`.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Virtual start time, JST: `2026-04-01T09:00` (a `+09:00` suffix is accepted).
    pub start: At<MomentText>,
    /// Fragments to merge in: a path relative to this file (`../fixtures/x.yaml`) or the
    /// name of a fixture found in a `fixtures/` folder here or above (`insurers-standard`).
    #[serde(default)]
    pub include: Vec<At<String>>,
    /// Rule switches for this scenario (`onshi explain` lists them).
    #[serde(default)]
    pub rules: RulesSpec,
    /// The world at the start.
    #[serde(default)]
    pub world: WorldSpec,
    /// Named step sequences, used with `- use: {sequence: name, with: {param: value}}`.
    #[serde(default)]
    pub sequences: BTreeMap<String, SequenceSpec>,
    /// What happens, in order.
    #[serde(default)]
    pub steps: Vec<At<Step>>,
    /// Checks after the last step.
    #[serde(default)]
    pub expect: Vec<At<Expectation>>,
    /// Steps that always run, even after a failed step (clean-up, final state).
    #[serde(default)]
    pub finally: Vec<At<Step>>,
    /// Skip the whole scenario with this reason (shown in every report).
    #[serde(default)]
    pub skip: Option<String>,
    /// Card visits go through the terminal role: the card answers APDUs and the terminal asks
    /// the registry (the built-in terminal, or a terminal under test over PC/SC).
    #[serde(default)]
    pub terminal: bool,
    /// How the 資格確認端末 onshi plays writes result and face files, when a provider system is
    /// under test (`--adapter`): `oqs: { encoding: shift_jis }`.
    #[serde(default)]
    pub oqs: Option<OqsSpec>,
}

/// The 資格確認端末's settings for a provider under test.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OqsSpec {
    /// CharacterCodeIdentifier of result and face files: `utf8` (default) or `shift_jis`.
    #[serde(default)]
    pub encoding: Option<EncodingName>,
}

/// A fragment file: world parts and sequences shared by scenarios through `include`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FragmentFile {
    /// What the fragment provides.
    #[serde(default)]
    pub description: Option<String>,
    /// Further fragments.
    #[serde(default)]
    pub include: Vec<At<String>>,
    /// World parts.
    #[serde(default)]
    pub world: WorldSpec,
    /// Named step sequences.
    #[serde(default)]
    pub sequences: BTreeMap<String, SequenceSpec>,
}

/// A title.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleSpec {
    /// 日本語.
    #[serde(default)]
    pub ja: Option<String>,
    /// English.
    #[serde(default)]
    pub en: Option<String>,
}

/// A JST time: `2026-04-01T09:00`, `2026-04-01T09:00:30` or `2026-04-01` (00:00).
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct MomentText(pub String);

/// A date: `2026-04-01`.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct DateText(pub String);

/// Rule switches.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesSpec {
    /// Switch name → value (`registration_survives_reissue: false`).
    #[serde(default)]
    pub switches: BTreeMap<String, At<SwitchValue>>,
}

/// A switch value.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SwitchValue {
    /// true / false.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text (`none`, a date …).
    Text(String),
}

/// Medical items an institution can switch on and a patient can consent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MedicalItem {
    /// 特定健診情報.
    Checkup,
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
}

/// Consent items (the medical ones plus 限度額情報 and 特定疾病).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentItemName {
    /// 限度額適用認定証関連情報.
    LimitInfo,
    /// 特定疾病療養受療証情報.
    SpecificDisease,
    /// 特定健診情報.
    Checkup,
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
}

/// Data kinds a provider or the portal can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataKindName {
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 手術情報.
    Surgery,
    /// 特定健診情報.
    Checkup,
    /// 医療費通知情報.
    ExpenseNotice,
    /// 電子処方箋 (dispensing data).
    EPrescription,
}
