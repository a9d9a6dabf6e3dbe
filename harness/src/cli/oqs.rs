//! `onshi serve-oqs`: the world of a scenario (set up, no step applied) served to a clinic system
//! through the OQS folders and/or the web API until Ctrl-C. Prints what it serves.
//!
//! Also home of `check_bind_address`, the rule every server started from the command line
//! follows: loopback only, unless `--allow-remote` says otherwise (and then a warning).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use onshi_reports::Lang;
use onshi_sim::oqs::CharacterCode;

use super::{EXIT_INPUT, EXIT_OK, render_problem};
use crate::catalog::Catalog;
use crate::run::execute::build_world;
use crate::wire::{
    ExchangeLog, FolderConfig, FolderServer, HttpConfig, HttpServer, RequestDisposal, Service,
    ServiceSettings, SharedWorld,
};

/// Arguments of `onshi serve-oqs`.
#[derive(Clone, Debug)]
pub struct OqsServeArgs {
    /// The scenario whose world is served.
    pub scenario: PathBuf,
    /// The OQS root (req/res/face below it), if the folder protocol is served.
    pub oqs_root: Option<PathBuf>,
    /// Where the web API listens, if it is served.
    pub http: Option<SocketAddr>,
    /// Seed.
    pub seed: u64,
    /// `utf8` or `shift_jis` answer files.
    pub encoding: String,
    /// Scenario key of the institution whose terminal onshi plays (default: the first).
    pub institution: Option<String>,
    /// Move answered requests to `<root>/processed` instead of deleting them.
    pub keep_requests: bool,
    /// Let `http` be a non-loopback address (with a warning).
    pub allow_remote: bool,
}

/// The option that lets a server listen on a non-loopback address.
pub(crate) const ALLOW_REMOTE: &str = "--allow-remote";

/// Checks the address a server is to listen on (`option` names it in messages): a loopback
/// address passes; any other one (`0.0.0.0`, `[::]`, a LAN address, a name resolving to one) is
/// refused unless `allow_remote`, and then passes with a warning on standard error. A name that
/// does not resolve passes: binding it fails with its own message.
pub(crate) fn check_bind_address(
    option: &str,
    addr: &str,
    allow_remote: bool,
) -> Result<(), String> {
    let Ok(resolved) = addr.to_socket_addrs() else {
        return Ok(());
    };
    let remote: Vec<SocketAddr> = resolved
        .filter(|a| !a.ip().to_canonical().is_loopback())
        .collect();
    let Some(first) = remote.first() else {
        return Ok(());
    };
    let reach = if first.ip().is_unspecified() {
        "every network interface".to_string()
    } else {
        format!("the non-loopback address {}", first.ip())
    };
    if !allow_remote {
        return Err(format!(
            "{option} {addr} would listen on {reach}; onshi's servers speak plain HTTP without a \
             password, so only loopback (127.0.0.1, [::1], localhost) is allowed unless you add \
             {ALLOW_REMOTE}"
        ));
    }
    eprintln!(
        "onshi: warning: {option} {addr} listens on {reach} ({ALLOW_REMOTE}): anyone who can \
         reach this machine can use it (plain HTTP, no password)"
    );
    Ok(())
}

/// `onshi serve-oqs`.
pub fn serve_oqs(lang: Lang, args: OqsServeArgs) -> ExitCode {
    let ja = lang == Lang::Ja;
    if args.oqs_root.is_none() && args.http.is_none() {
        eprintln!("onshi serve-oqs: give --oqs-root DIR and/or --http ADDR");
        return ExitCode::from(EXIT_INPUT);
    }
    if let Some(addr) = args.http
        && let Err(e) = check_bind_address("--http", &addr.to_string(), args.allow_remote)
    {
        eprintln!("onshi serve-oqs: {e}");
        return ExitCode::from(EXIT_INPUT);
    }
    let encoding = match args.encoding.to_ascii_lowercase().as_str() {
        "utf8" | "utf-8" => CharacterCode::Utf8,
        "shift_jis" | "sjis" => CharacterCode::ShiftJis,
        other => {
            eprintln!("onshi serve-oqs: --encoding `{other}`: utf8 or shift_jis");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let scenario = match crate::scenario::open(&args.scenario, Catalog::builtin()) {
        Ok(s) => s,
        Err(problems) => {
            for p in &problems {
                warn_raw!("{}", render_problem(p));
            }
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let mut world = match build_world(&scenario.plan, args.seed) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("onshi serve-oqs: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    // A long-running server: the exchange log (bounded) is the record, not the trace.
    world.trace_mut().set_enabled(false);
    let terminal = match &args.institution {
        Some(key) => world
            .institution_by_key(key)
            .ok()
            .and_then(|id| world.institutions().get(id.index())),
        None => world.institutions().first(),
    };
    let Some(terminal) = terminal.map(|i| i.code) else {
        eprintln!("onshi serve-oqs: the scenario has no such institution");
        return ExitCode::from(EXIT_INPUT);
    };
    say!(
        "onshi serve-oqs: {} ({})",
        scenario.plan.id,
        args.scenario.display()
    );
    say!(
        "  {} {}",
        if ja { "仮想時刻" } else { "virtual time" },
        world.clock().now()
    );
    for i in world.institutions() {
        say!("  {} {} ({})", i.code.digits(), i.name, i.key);
    }
    let sample = world.quals().first().map(|q| {
        let p = &world.people()[q.person.index()];
        let ins = &world.insurers()[q.numbers.insurer.index()];
        (
            ins.number.padded(),
            q.numbers.symbol.clone(),
            q.numbers.number.clone(),
            onshi_sim::clock::compact_date(p.birth),
        )
    });
    let today = onshi_sim::clock::compact_date(world.clock().today());
    let mut settings = ServiceSettings::new(terminal);
    settings.encoding = encoding;
    let service = Arc::new(Service::new(
        SharedWorld::new(world),
        ExchangeLog::bounded(100_000),
        settings,
    ));
    let folder = match &args.oqs_root {
        None => None,
        Some(root) => {
            let mut config = FolderConfig::new(root);
            if args.keep_requests {
                config.disposal = RequestDisposal::MoveTo(root.join("processed"));
            }
            match FolderServer::start(config.clone(), service.clone()) {
                Ok(s) => {
                    say!(
                        "  OQS folders: {} (req) → {} (res), face {}; terminal of {}",
                        config.req().display(),
                        config.res().display(),
                        config.face().display(),
                        terminal.digits()
                    );
                    Some(s)
                }
                Err(e) => {
                    eprintln!("onshi serve-oqs: {e}");
                    return ExitCode::from(EXIT_INPUT);
                }
            }
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("onshi serve-oqs: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let code = runtime.block_on(async {
        let http = match args.http {
            None => None,
            Some(addr) => {
                let config = HttpConfig {
                    addr,
                    ..HttpConfig::default()
                };
                match HttpServer::start(config, service.clone()).await {
                    Ok(s) => {
                        print_http(&s, terminal.digits(), sample.as_ref(), &today);
                        Some(s)
                    }
                    Err(e) => {
                        eprintln!("onshi serve-oqs: {e}");
                        return ExitCode::from(EXIT_INPUT);
                    }
                }
            }
        };
        say!(
            "{}",
            if ja {
                "Ctrl-C で終了します。"
            } else {
                "Ctrl-C to stop."
            }
        );
        let _ = tokio::signal::ctrl_c().await;
        if let Some(s) = http {
            s.stop().await;
        }
        ExitCode::from(EXIT_OK)
    });
    if let Some(f) = folder {
        f.stop();
    }
    say!(
        "onshi serve-oqs: {} {}",
        service.log().total(),
        if ja {
            "件の要求に応答しました"
        } else {
            "exchanges answered"
        }
    );
    code
}

fn print_http(
    server: &HttpServer,
    institution: String,
    sample: Option<&(String, Option<String>, String, String)>,
    today: &str,
) {
    let url = server.url();
    say!("  web API: {url}");
    say!(
        "    POST {url}{}  {{\"medicalInstitutionCode\":\"{institution}\"}}",
        crate::wire::http::LOGIN_PATH
    );
    say!(
        "    POST {url}{}  (Authorization: <idToken>)",
        crate::wire::http::SEARCH_PATH
    );
    let Some((insurer, symbol, number, birth)) = sample else {
        return;
    };
    let symbol = symbol
        .as_deref()
        .map(|s| format!("\"InsuredCardSymbol\":\"{s}\","))
        .unwrap_or_default();
    say!("  try:");
    say!(
        "    TOKEN=$(curl -s -H 'Content-Type: application/json' -d '{{\"medicalInstitutionCode\":\"{institution}\"}}' {url}{} | sed 's/.*\"idToken\":\"\\([^\"]*\\)\".*/\\1/')",
        crate::wire::http::LOGIN_PATH
    );
    say!(
        "    curl -s -H 'Content-Type: application/json;charset=UTF-8' -H \"Authorization: $TOKEN\" -d '{{\"XmlMsg\":{{\"MessageHeader\":{{\"QualificationConfirmationDate\":\"{today}\",\"MedicalInstitutionCode\":\"{institution}\"}},\"MessageBody\":{{\"QualificationConfirmSearchInfo\":{{\"InsurerNumber\":\"{insurer}\",{symbol}\"InsuredIdentificationNumber\":\"{number}\",\"Birthdate\":\"{birth}\",\"LimitApplicationCertificateRelatedConsFlg\":\"1\"}}}}}}}}' {url}{}",
        crate::wire::http::SEARCH_PATH
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_pass_without_the_flag() {
        for addr in ["127.0.0.1:0", "127.0.0.1:8080", "[::1]:0", "localhost:0"] {
            assert_eq!(check_bind_address("--http", addr, false), Ok(()), "{addr}");
        }
    }

    #[test]
    fn other_addresses_are_refused_naming_the_flag_that_allows_them() {
        for addr in [
            "0.0.0.0:0",
            "[::]:0",
            "192.0.2.7:8080",
            "[::ffff:192.0.2.7]:80",
        ] {
            let e = check_bind_address("--http", addr, false).unwrap_err();
            assert!(e.contains(ALLOW_REMOTE), "{addr}: {e}");
            assert!(e.contains(addr), "{addr}: {e}");
        }
        let e = check_bind_address("--http", "0.0.0.0:0", false).unwrap_err();
        assert!(e.contains("every network interface"), "{e}");
    }

    #[test]
    fn the_flag_lets_a_non_loopback_address_through() {
        assert_eq!(check_bind_address("--http", "0.0.0.0:0", true), Ok(()));
        assert_eq!(check_bind_address("--http", "[::]:0", true), Ok(()));
    }
}
