//! The terminal endpoints served on their own thread and runtime ([`crate::roles::serve`]), so
//! the synchronous runner can keep its own. Dropping the [`Server`] shuts it down and waits for
//! the thread.

use std::sync::Arc;

pub use crate::roles::serve::Server;

use super::desk::Desk;
use super::http::router;

impl Server {
    /// Binds `addr` (port 0: any free port) and serves the endpoints of [`super::http`] from
    /// `desk`. Errors name what failed: the address, the bind, the runtime.
    pub fn start(addr: &str, desk: Arc<Desk>) -> Result<Server, String> {
        Server::serve(addr, "terminal", router(desk))
    }
}
