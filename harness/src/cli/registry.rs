//! `onshi serve-registry`: the reference registry as an external service fed through the
//! registry feed (`docs/registry-role.md`), for a registry adapter to stand behind.

use std::process::ExitCode;

use onshi_sim::clock::Moment;

use super::{EXIT_INPUT, EXIT_OK, Lang};
use crate::roles::registry::serve;
use crate::roles::serve::Server;

/// The replica's clock before the feed's first `now` (any moment: the feed moves it).
const START: &str = "2015-10-01T00:00:00+09:00";

/// `onshi serve-registry --http ADDR`: serves until SIGINT or SIGTERM. The first line on
/// standard output is `onshi serve-registry: listening on http://ADDR`, for a script to read.
pub fn serve_registry(lang: Lang, http: &str, allow_remote: bool) -> ExitCode {
    if let Err(e) = super::oqs::check_bind_address("--http", http, allow_remote) {
        eprintln!("onshi serve-registry: {e}");
        return ExitCode::from(EXIT_INPUT);
    }
    let start = match Moment::parse(START) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("onshi serve-registry: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let server = match Server::serve(http, "registry", serve::router(serve::replica(start))) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onshi serve-registry: --http {http}: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    say!(
        "onshi serve-registry: listening on http://{}",
        server.addr()
    );
    say!(
        "{}",
        if lang == Lang::Ja {
            "  フィードを POST /onshi/registry/feed に送ってください。Ctrl-C で終了します。"
        } else {
            "  send the feed to POST /onshi/registry/feed. Ctrl-C to stop."
        }
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("onshi serve-registry: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    runtime.block_on(async {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            () = term => {},
        }
    });
    drop(server);
    ExitCode::from(EXIT_OK)
}
