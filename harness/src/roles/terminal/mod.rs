//! The terminal role (資格確認端末 / reader software under test): the system under test reads
//! the virtual card over PC/SC (vpcd + pcscd) and asks the simulated registry over HTTP. The
//! harness puts a person's card on the reader, tells the terminal what the simulated patient
//! types, waits for its confirmation request, and keeps both the card's APDU log and the
//! request, so that expectations can say what the terminal did: which certificate it sent,
//! whether it signed with the auth key after the PIN, how many PIN tries it used, and whether
//! it read the 券面事項入力補助AP (the My Number, RDR-6 / PRV-5).
//!
//! - [`desk`]: the state the runner and the HTTP handlers share (the visit at the reader, the
//!   exchanges so far, whether the terminal gave up).
//! - [`binding`]: what the terminal sent held against the card in the reader (this card's
//!   certificate? a signature by this card's key?).
//! - [`http`]: the registry's terminal endpoints (`/onshi/terminal/...`), documented in
//!   `docs/terminal-role.md`.
//! - [`card`]: the world's card as a [`crate::pcsc::VirtualIcc`], one APDU at a time against
//!   the shared world, so a PIN blocked over PC/SC is blocked for the next scenario step.

pub mod binding;
pub mod card;
pub mod desk;
pub mod http;
pub mod reference;
pub mod server;

pub use crate::shared::SharedWorld;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use desk::Desk;

/// The default of `--terminal-settle`: how long the card stays on the reader after the
/// registry answered. A terminal that reads the card "right after" its confirmation sends the
/// APDUs within milliseconds of the HTTP answer; half a second leaves room for a busy machine
/// and adds little to a visit that already costs the card-swap gap.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(500);

/// The longest `--terminal-settle` accepted.
pub const MAX_SETTLE: Duration = Duration::from_secs(60);

/// The longest `--terminal-wait` accepted.
pub const MAX_WAIT: Duration = Duration::from_secs(3600);

/// Who plays the terminal in scenarios with `terminal: true`.
#[derive(Clone, Debug, Default)]
pub enum TerminalRole {
    /// The built-in terminal, in process, through the same card engine and registry checks.
    #[default]
    Reference,
    /// The built-in terminal with a deliberate bug (tests only: they show the checks catch it).
    #[doc(hidden)]
    Planted(Arc<reference::Planted>),
    /// A terminal under test: the card is put in a vpcd reader slot and the terminal asks the
    /// registry over HTTP (the endpoints share `desk`).
    Pcsc {
        /// The desk the HTTP endpoints serve from.
        desk: Arc<Desk>,
        /// The vpcd reader slot.
        vpcd: SocketAddr,
        /// How long to wait for the terminal's confirmation after the card goes on the reader
        /// (a terminal that gives up ends the wait at once).
        wait: Duration,
        /// How long the card stays on the reader after the registry answered (or the terminal
        /// gave up), its APDUs still logged and checked.
        settle: Duration,
        /// Where the registry's terminal endpoints listen.
        endpoints: SocketAddr,
    },
}

impl TerminalRole {
    /// How the run record names the role.
    pub fn describe(&self) -> String {
        match self {
            TerminalRole::Reference => "reference".into(),
            TerminalRole::Planted(p) => format!("reference (planted fault: {:?})", p.fault),
            TerminalRole::Pcsc {
                vpcd, endpoints, ..
            } => super::under_test(&format!(
                "card in vpcd {vpcd}, registry endpoints at http://{endpoints}/onshi/terminal/"
            )),
        }
    }
}
