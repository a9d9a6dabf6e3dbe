//! The conformance adapter protocol (CAP, `docs/adapter-protocol.md`): how onshi drives a
//! provider system under test ("a patient arrives") and observes what it recorded. The
//! messages are in [`protocol`], the process handling (spawn, one reply per message, timeouts,
//! standard error kept for the verdict) in [`process`]. What the replies are checked against
//! lives in `run::execute`.

pub mod process;
pub mod protocol;

pub use process::{Adapter, AdapterCommand, AdapterError, Reply};
pub use protocol::{FromAdapter, PROTOCOL, Recorded, ToAdapter};
