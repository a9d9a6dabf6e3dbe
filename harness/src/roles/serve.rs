//! An axum router served on its own thread and runtime, so the synchronous runner keeps its
//! own: the terminal endpoints and J-LIS over HTTP both start this way. Dropping the
//! [`Server`] shuts it down gracefully and waits for the thread.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::Router;
use tokio::sync::oneshot;

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
                    let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                        let _ = rx.await;
                    });
                    if let Err(e) = serve.await {
                        tracing::error!(target: "onshi::http", endpoints = name, error = %e, "endpoints failed");
                    }
                });
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
