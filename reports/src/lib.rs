//! `onshi-reports`: pure functions from a [`RunRecord`] to the bytes a vendor or a CI
//! system reads — terminal summary, JUnit XML, JSON, Markdown and a self-contained HTML
//! page. No I/O here: the harness writes the files.

pub mod record;

pub use record::{
    Check, FileHash, Lang, RECORD_FORMAT, Requirement, Roles, RunRecord, ScenarioRecord,
    Summary, Timing, Title, TraceEvent, Verdict,
};
