//! The library side of the `onshi` command: the parts of the harness that tests and the
//! binary share.
//!
//! - [`catalog`]: the requirement catalog that scenarios cite and reports trace.

pub mod catalog;
pub mod cli;
pub mod run;
pub mod scenario;
