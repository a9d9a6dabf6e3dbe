//! An axum router served on its own thread and runtime, so the synchronous runner keeps its
//! own: the terminal endpoints and J-LIS over HTTP both start this way. Dropping the
//! [`Server`] shuts it down gracefully, closes what is still open after two seconds (a peer
//! that sent half a request head never ends a graceful shutdown) and waits for the thread.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::Router;
use tokio::sync::oneshot;

/// How long a stopping server waits for open connections before it closes them.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// A running HTTP server.
pub struct Server {
    addr: SocketAddr,
    name: &'static str,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` (port 0: any free port) and serves `router` there; `name` says which
    /// endpoints in logs and errors. Errors name what failed: the address, the bind, the
    /// runtime.
    pub fn serve(addr: &str, name: &'static str, router: Router) -> Result<Server, String> {
        let listener =
            std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot listen: {e}"))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot listen: {e}"))?;
        tracing::info!(target: "onshi::http", addr = %bound, endpoints = name, "endpoints started");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        let (tx, rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("onshi-http-{}", name.replace(' ', "-")))
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let asked = std::sync::Arc::new(tokio::sync::Notify::new());
                    let told = asked.clone();
                    let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                        let _ = rx.await;
                        told.notify_one();
                    });
                    // Graceful shutdown waits for open connections, and a peer that sent half
                    // a request head would hold it forever: after the grace, they are closed.
                    tokio::select! {
                        r = serve => if let Err(e) = r {
                            tracing::error!(target: "onshi::http", endpoints = name, error = %e, "endpoints failed");
                        },
                        () = async {
                            asked.notified().await;
                            tokio::time::sleep(SHUTDOWN_GRACE).await;
                        } => tracing::warn!(target: "onshi::http", endpoints = name, "connections still open after the shutdown grace: closed"),
                    }
                });
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })
            .map_err(|e| format!("cannot start the HTTP thread: {e}"))?;
        Ok(Server {
            addr: bound,
            name,
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
        tracing::info!(target: "onshi::http", addr = %self.addr, endpoints = self.name, "endpoints stopped");
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
