//! The library side of the `onshi` command: the parts of the harness that tests and the
//! binary share.
//!
//! - [`catalog`]: the requirement catalog that scenarios cite and reports trace.
//! - [`pcsc`]: the simulated card behind a real PC/SC stack (vpcd card side, private pcscd).
//! - [`wire`]: the OQS folder protocol and JSON web API served to a system under test.

// `Problem` carries the file text for its snippet; problems are rare, so the size of the
// error variant does not matter, and boxing every one would only add noise.
#![allow(clippy::result_large_err)]

pub mod adapter;
pub mod catalog;
pub mod children;
pub mod cli;
pub mod explore;
pub mod import;
pub mod logging;
pub mod pcsc;
pub mod roles;
pub mod run;
pub mod scenario;
pub mod shared;
pub mod wire;
