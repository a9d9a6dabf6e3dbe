//! The harness playing the clinic-side interfaces of the eligibility system for a system under
//! test: the 資格確認端末's req/res/face folders ([`folder`], oqs-wire.md §1) and the JSON web
//! API ([`http`], §4). Both are thin adapters: they read bytes, let `onshi_sim::oqs` decode and
//! validate them, ask the shared [`World`] (the registry and its consent rules answer), and write
//! the answer in the real shape. Every exchange is appended to an [`ExchangeLog`] so scenario
//! expectations and reports can say what the system under test sent and what it got back.
//! [`face`] builds face files for the folder server and for [`export`], which turns the
//! exchanges of a reference run (no system under test) into the files the 資格確認端末 would
//! have left in its folders, with the same encoders, names and character code.
//!
//! Rules kept here: no business rule (those live in `onshi-sim`); every timestamp in an answer
//! comes from the world's virtual clock; tokens, reception numbers and face-file counters derive
//! from the world seed; input never panics the server and no wait is unbounded.

pub mod export;
pub mod face;
pub mod folder;
pub mod http;
pub(crate) mod json;
pub mod log;
pub mod service;

use onshi_sim::World;

pub use folder::{FolderConfig, FolderServer, RequestDisposal};
pub use http::{HttpConfig, HttpServer};
pub use log::{
    Channel, ExchangeKind, ExchangeLog, ExchangeRecord, LoggedViolation, RequestSummary,
};
pub use service::{Service, ServiceSettings};

/// The world the servers act on, shared between the folder watcher, the HTTP handlers, the
/// card in a reader and whoever drives the scenario (one type for all of them).
pub use crate::shared::SharedWorld;

/// Runs one world call under the lock (the servers' way of keeping lock holding short).
pub trait WithWorld {
    /// Runs `f` with the world locked and releases the lock.
    fn with<R>(&self, f: impl FnOnce(&mut World) -> R) -> R;
}

impl WithWorld for SharedWorld {
    fn with<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let mut guard = self.lock();
        f(&mut guard)
    }
}

/// What can go wrong starting or running the servers (never caused by request content: bad
/// requests get error answers, not errors).
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// A folder could not be created or read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The folder watcher could not start.
    #[error("watching {path}: {detail}")]
    Watch {
        /// The folder.
        path: String,
        /// What notify said.
        detail: String,
    },
    /// An answer could not be encoded.
    #[error("encoding an answer: {0}")]
    Encode(#[from] onshi_sim::oqs::OqsError),
    /// A face file describes one qualification, or several only for 複数該当.
    #[error("a face file carries one result (several only for 複数該当); this answer has {0}")]
    FaceResults(usize),
    /// The HTTP server could not bind or run.
    #[error("HTTP server on {addr}: {detail}")]
    Http {
        /// The address.
        addr: String,
        /// What failed.
        detail: String,
    },
}
