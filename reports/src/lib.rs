//! `onshi-reports`: pure functions from a [`RunRecord`] to the bytes a vendor or a CI
//! system reads — terminal summary, JUnit XML, JSON, Markdown and a self-contained HTML
//! page — and the same for the record of `onshi explore`
//! ([`ExploreRecord`](explore::ExploreRecord)). No I/O here: the harness writes the files.
//!
//! | module | gives | for |
//! |---|---|---|
//! | [`json`] | `run.json` and its parser | re-rendering with `onshi report`, tooling |
//! | [`junit`] | JUnit XML | CI test dashboards |
//! | [`markdown`] | `summary.md` | pull requests, certification files |
//! | [`terminal`] | the end-of-run summary | people at a terminal |
//! | [`html`] | `report.html` with sequence diagrams | vendors, tickets |
//! | [`traceability`] | requirement → scenarios → verdicts | markdown and html |
//! | [`merge`] | one record from partitioned runs | CI matrices |
//! | [`explore`] | the exploration record: its JSON, merge, page, `summary.md` and terminal lines | `onshi explore`, CI matrices |
//!
//! Every renderer is deterministic: the same record gives the same bytes. Human-facing
//! text comes in Japanese or English ([`Lang`]); JUnit is English for CI tools.

pub mod error;
mod escape;
pub mod explore;
pub mod html;
mod i18n;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod record;
pub mod terminal;
pub mod traceability;

pub use error::ReportError;
pub use record::{
    Check, FileHash, Lang, RECORD_FORMAT, Requirement, Roles, RunRecord, ScenarioRecord, Summary,
    Timing, Title, TraceEvent, Verdict,
};
pub use traceability::{Citation, MatrixRow};

// The fixture shared with the integration tests names this crate `onshi_reports`.
#[cfg(test)]
extern crate self as onshi_reports;

#[cfg(test)]
#[path = "../tests/common/mod.rs"]
mod fixture;
