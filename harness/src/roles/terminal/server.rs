//! The terminal endpoints served on their own thread and runtime, so the synchronous runner can
//! keep its own. Dropping the [`Server`] shuts it down and waits for the thread.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::desk::Desk;
use super::http::router;

/// A running HTTP server for the terminal endpoints.
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` (port 0: any free port) and serves the endpoints of [`super::http`] from
    /// `desk`. Errors name what failed: the address, the bind, the runtime.
    pub fn start(addr: &str, desk: Arc<Desk>) -> Result<Server, String> {
        let listener =
            std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot listen: {e}"))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot listen: {e}"))?;
        tracing::info!(target: "onshi::terminal", addr = %bound, "terminal endpoints started");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        let (tx, rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("onshi-terminal-http".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let serve = axum::serve(listener, router(desk)).with_graceful_shutdown(async {
                        let _ = rx.await;
                    });
                    if let Err(e) = serve.await {
                        tracing::error!(target: "onshi::terminal", error = %e, "terminal endpoints stopped");
                    }
                });
            })
            .map_err(|e| format!("cannot start the HTTP thread: {e}"))?;
        Ok(Server {
            addr: bound,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        tracing::info!(target: "onshi::terminal", addr = %self.addr, "terminal endpoints stopped");
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
