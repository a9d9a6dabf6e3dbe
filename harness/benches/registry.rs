//! The load side of the registry role, printed as figures (BENCHMARKS.md records them):
//! - how many questions per second onshi drives at a registry over loopback HTTP (onshi's own
//!   replica as the service, one client, sequential): confirmations by numbers through the web
//!   API, and card confirmations (a challenge, the card's RSA signature, the confirm);
//! - the registry suite in-process against the replica (every question asked twice, the feed
//!   told before each) next to the same scenarios against the reference alone.
//!
//! Run: `cargo bench -p onshi-harness --bench registry`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_harness::catalog::Catalog;
use onshi_harness::roles::registry::client::{Ask, RegistryClient};
use onshi_harness::roles::registry::{RegistryLink, RegistryRole, RegistryUnderTest, serve};
use onshi_harness::roles::serve::Server;
use onshi_harness::run;
use onshi_harness::run::execute::{Roles, build_world, execute_bound};
use onshi_sim::jlis::sha256_digest_info;
use onshi_sim::oqs::{self, Message as _};

const JSON: &str = "application/json";

fn main() {
    let (ok, _) = run::load_all(
        &[PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios"
        ))],
        Catalog::builtin(),
    )
    .unwrap_or_else(|p| panic!("{p}"));
    let suite: Vec<_> = ok
        .iter()
        .filter(|s| s.plan.registry_suite() && s.plan.skip.is_none())
        .collect();

    // One world with registered cards: the first library scenario whose world has some.
    let (world, plan_id) = ok
        .iter()
        .filter_map(|s| build_world(&s.plan, 1).ok().map(|w| (w, s.plan.id.clone())))
        .find(|(w, _)| w.registry().counts().values().sum::<u64>() >= 1 && !w.quals().is_empty())
        .expect("a library world with a registration");
    let server = Server::serve(
        "127.0.0.1:0",
        "registry bench",
        serve::router(serve::replica(world.now())),
    )
    .expect("the replica serves");
    let base = format!("http://{}", server.addr());
    let client = RegistryClient::new(&base, Duration::from_secs(10), 4 << 20).expect("a client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let facts = world.feed_facts();
    let body = serde_json::json!({"now": world.now(), "records": facts.records()}).to_string();
    rt.block_on(client.exchange("/onshi/registry/feed", body.into_bytes(), JSON))
        .expect("the feed is taken");

    // Confirmations by numbers through the web API.
    let q = &world.quals()[0];
    let inst = world.institutions()[0].code;
    let view = world.view();
    let numbers = view.numbers_of(q.id);
    let birth = world.people()[q.person.index()].birth;
    let req = oqs::confirm_request(
        inst,
        world.now().date(),
        &numbers,
        birth,
        false,
        Some("0".repeat(32)),
    );
    let search = onshi_harness::wire::http::search_body_json(&req.to_element());
    let login =
        serde_json::json!({"medicalInstitutionCode": inst.digits(), "password": ""}).to_string();
    let answer = rt
        .block_on(client.exchange(
            onshi_harness::wire::http::LOGIN_PATH,
            login.into_bytes(),
            JSON,
        ))
        .expect("login");
    let token: serde_json::Value = serde_json::from_slice(&answer.bytes).expect("JSON");
    let token = token
        .pointer("/result/idToken")
        .and_then(|t| t.as_str())
        .expect("idToken")
        .to_string();
    let n = 2000;
    let t = Instant::now();
    for _ in 0..n {
        rt.block_on(client.ask(Ask {
            path: onshi_harness::wire::http::SEARCH_PATH,
            body: Some((search.clone().into_bytes(), JSON)),
            accept: JSON,
            authorization: Some(&token),
        }))
        .expect("a search answer");
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "registry load ({plan_id}): {n} confirmations by numbers (web API) in {:.2} s: {:.0} answers/s, {:.2} ms each",
        secs,
        n as f64 / secs,
        secs * 1e3 / n as f64
    );

    // Card confirmations: challenge, RSA signature by the card's key, confirm.
    let cert = world
        .people()
        .iter()
        .filter_map(|p| world.jlis().current_auth(p.id))
        .find(|c| {
            world
                .registry()
                .link(
                    world
                        .jlis()
                        .record(*c)
                        .map(|r| r.serial())
                        .unwrap_or(onshi_sim::ids::Serial(0)),
                )
                .is_some()
        })
        .expect("a registered card");
    let der = world.jlis().certificate_der(cert).expect("DER");
    let n = 300;
    let mut signing = Duration::ZERO;
    let t = Instant::now();
    for _ in 0..n {
        let c = rt
            .block_on(client.exchange("/onshi/terminal/challenge", b"{}".to_vec(), JSON))
            .expect("a challenge");
        let v: serde_json::Value = serde_json::from_slice(&c.bytes).expect("JSON");
        let challenge = B64
            .decode(v["challenge"].as_str().expect("challenge"))
            .expect("base64");
        let s = Instant::now();
        let signature = world
            .jlis()
            .sign(cert, &sha256_digest_info(&challenge))
            .expect("signs");
        signing += s.elapsed();
        let confirm = serde_json::json!({
            "medicalInstitutionCode": inst.digits(), "method": "pin",
            "certificate": B64.encode(&der[..]), "challenge": B64.encode(&challenge),
            "signature": B64.encode(&signature), "limitConsent": false, "diseaseConsent": false,
        });
        rt.block_on(client.exchange_as(
            "/onshi/terminal/confirm",
            confirm.to_string().into_bytes(),
            JSON,
            "application/xml",
        ))
        .expect("a card answer");
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "registry load: {n} card confirmations (challenge + signature + confirm) in {:.2} s: {:.0} answers/s, {:.2} ms each ({:.2} ms of it the card's RSA signature)",
        secs,
        n as f64 / secs,
        secs * 1e3 / n as f64,
        signing.as_secs_f64() * 1e3 / n as f64
    );
    drop(server);

    // The registry suite in-process: reference only, and against the replica.
    let replica = Roles {
        registry: RegistryRole::UnderTest(Arc::new(RegistryUnderTest {
            link: RegistryLink::Replica,
            timeout: Duration::from_secs(10),
            exchanges: None,
        })),
        ..Roles::default()
    };
    let time = |roles: &Roles| {
        let t = Instant::now();
        let mut checks = 0;
        for s in &suite {
            let r = execute_bound(&s.plan, &s.sources, s.plan.seed.unwrap_or(1), roles);
            checks += r.checks.len();
        }
        (t.elapsed().as_secs_f64(), checks)
    };
    let (reference, _) = time(&Roles::default());
    let (against, checks) = time(&replica);
    println!(
        "registry suite, one thread: {} scenarios; reference alone {:.2} s; against the replica {:.2} s ({checks} checks), {:.1}x",
        suite.len(),
        reference,
        against,
        against / reference
    );
}
