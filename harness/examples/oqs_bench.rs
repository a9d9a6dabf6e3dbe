//! Wire benchmarks (figures printed, nothing asserted).
//!
//! ```sh
//! # Folder round trip (request file renamed into req → answer file complete in res), p50/p99:
//! cargo run --release -p onshi-harness --example oqs_bench -- folder 500
//! # The web API for an external load tool (scripts/bench-http.sh drives wrk against it):
//! cargo run --release -p onshi-harness --example oqs_bench -- http 127.0.0.1:18480 OUT_DIR
//! ```
//! `http` logs in once, writes `OUT_DIR/token` and `OUT_DIR/search.json` (a search body) and
//! serves until killed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use onshi_harness::catalog::Catalog;
use onshi_harness::run::execute::build_world;
use onshi_harness::wire::{
    ExchangeLog, FolderConfig, FolderServer, HttpConfig, HttpServer, Service, ServiceSettings,
    SharedWorld,
};
use onshi_sim::ids::InstitutionCode;

const CLINIC: &str = "1310143217";

fn service() -> Arc<Service> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire/world.yaml");
    let scenario = onshi_harness::scenario::open(&path, Catalog::builtin()).expect("world loads");
    let mut world = build_world(&scenario.plan, 1).expect("world builds");
    world.trace_mut().set_enabled(false);
    Arc::new(Service::new(
        SharedWorld::new(world),
        ExchangeLog::bounded(10_000),
        ServiceSettings::new(InstitutionCode::parse(CLINIC).unwrap()),
    ))
}

fn request(i: usize) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg><MessageHeader><QualificationConfirmationDate>20260410</QualificationConfirmationDate><MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>BENCH{i}</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>01130012</InsurerNumber><InsuredCardSymbol>1234</InsuredCardSymbol><InsuredIdentificationNumber>5678</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19800510</Birthdate><LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>
"#
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn folder(n: usize) {
    let root = std::env::temp_dir().join(format!("onshi-oqs-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let server = FolderServer::start(FolderConfig::new(&root), service()).expect("starts");
    let req = root.join("req");
    let res = root.join("res");
    let mut times = Vec::with_capacity(n);
    let warmup = 20;
    for i in 0..n + warmup {
        let name = format!("OQSsiquc01req_{i:012}.xml");
        let answer = res.join(format!("OQSsiquc01res_{i:012}.xml"));
        let tmp = req.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, request(i)).unwrap();
        let started = Instant::now();
        std::fs::rename(&tmp, req.join(&name)).unwrap();
        let deadline = started + Duration::from_secs(10);
        while !answer.exists() {
            assert!(Instant::now() < deadline, "no answer for {name}");
            std::thread::sleep(Duration::from_micros(20));
        }
        let took = started.elapsed();
        std::fs::remove_file(&answer).unwrap();
        if i >= warmup {
            times.push(took);
        }
    }
    server.stop();
    let _ = std::fs::remove_dir_all(&root);
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "folder round trip over {n} requests (file renamed into req → answer complete in res, fsync on):"
    );
    println!(
        "  p50 {:.2} ms   p99 {:.2} ms   mean {:.2} ms   max {:.2} ms",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(mean),
        ms(times[times.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn http(addr: &str, out: PathBuf) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let service = service();
        let config = HttpConfig {
            addr: addr.parse().expect("an address like 127.0.0.1:18480"),
            ..HttpConfig::default()
        };
        let server = HttpServer::start(config, service).await.expect("binds");
        let url = server.url();
        let client = reqwest::Client::new();
        let login: serde_json::Value = client
            .post(format!("{url}{}", onshi_harness::wire::http::LOGIN_PATH))
            .header("Content-Type", "application/json")
            .body(format!(r#"{{"medicalInstitutionCode":"{CLINIC}"}}"#))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["result"]["idToken"].as_str().unwrap().to_string();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("token"), &token).unwrap();
        std::fs::write(
            out.join("search.json"),
            format!(
                r#"{{"XmlMsg":{{"MessageHeader":{{"QualificationConfirmationDate":"20260410","MedicalInstitutionCode":"{CLINIC}"}},"MessageBody":{{"QualificationConfirmSearchInfo":{{"InsurerNumber":"01130012","InsuredCardSymbol":"1234","InsuredIdentificationNumber":"5678","Birthdate":"19800510","LimitApplicationCertificateRelatedConsFlg":"1"}}}}}}}}"#
            ),
        )
        .unwrap();
        println!("serving {url} (token in {})", out.join("token").display());
        let _ = tokio::signal::ctrl_c().await;
        server.stop().await;
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("folder") => folder(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(500)),
        Some("http") => http(
            args.get(1).map_or("127.0.0.1:18480", String::as_str),
            PathBuf::from(args.get(2).map_or("target/oqs-bench", String::as_str)),
        ),
        _ => eprintln!("usage: oqs_bench folder [N] | http [ADDR] [OUT_DIR]"),
    }
}
