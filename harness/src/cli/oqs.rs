//! `onshi serve-oqs`: the world of a scenario (set up, no step applied) served to a clinic system
//! through the OQS folders and/or the web API until Ctrl-C. Prints what it serves.

use std::net::SocketAddr;
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
}

/// `onshi serve-oqs`.
pub fn serve_oqs(lang: Lang, args: OqsServeArgs) -> ExitCode {
    let ja = lang == Lang::Ja;
    if args.oqs_root.is_none() && args.http.is_none() {
        eprintln!("onshi serve-oqs: give --oqs-root DIR and/or --http ADDR");
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
    world.trace.set_enabled(false);
    let terminal = match &args.institution {
        Some(key) => world
            .institution_by_key(key)
            .ok()
            .and_then(|id| world.institutions.get(id.index())),
        None => world.institutions.first(),
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
        world.clock.now()
    );
    for i in &world.institutions {
        say!("  {} {} ({})", i.code.digits(), i.name, i.key);
    }
    let sample = world.quals.first().map(|q| {
        let p = &world.people[q.person.index()];
        let ins = &world.insurers[q.insurer.index()];
        (
            ins.number.padded(),
            q.symbol.clone(),
            q.number.clone(),
            onshi_sim::clock::compact_date(p.birth),
        )
    });
    let today = onshi_sim::clock::compact_date(world.clock.today());
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
