//! `onshi serve-registry`: onshi's reference registry as an external service that knows only
//! what the registry feed told it (a replica world, [`onshi_sim::World::apply_feed`]). It answers
//! what a registry under test answers (`docs/registry-role.md`):
//!
//! | call | answer |
//! |---|---|
//! | `POST /onshi/registry/feed` | `{"now": "…", "records": […]}` (both optional): applies the records in order, then moves the clock to `now` → `{"status": "ok", "applied": n}` |
//! | `POST /oqs-api-pro/MSA12020/ILI12020SV01/auth`, `…/MSA01030/ILI01030SV01/search` | the OQS web API (`docs/oqs-http.md`): confirmations by numbers |
//! | `POST /onshi/terminal/challenge` | `{"challenge": base64}` (32 bytes, single use) |
//! | `POST /onshi/terminal/confirm` | a card confirmation as a terminal sends it (`docs/terminal-role.md`) → the 資格確認結果 as OQS XML |
//! | `GET /onshi/registry/counts` | `{"counts": {"<保険者番号>": n}}`: people registered per insurer (REG-3) |
//! | `POST /onshi/registry/oqs/{file name}` | a request file of the OQS folders (`docs/oqs-folder.md`: 薬剤 `YZKsiquc01req_…`, 特定健診 `TKKsiquc01req_…`, and the others the folder server answers), its bytes as the body → the result file's bytes |
//!
//! Errors are `{"status": "error", "code": …, "msg": …}`: 400 `malformed_json`, `feed` (a record
//! that cannot be applied: the message names it), `malformed_field` and the terminal rejections
//! of `docs/terminal-role.md`; 404 `unknown_institution`; 413 for a body over the limit.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::registry::feed::Record;
use onshi_sim::registry::terminal::SignedCardConfirm;
use serde::Deserialize;
use serde_json::json;

use crate::roles::terminal::http::{confirm_response, error, parse_confirm};
use crate::shared::SharedWorld;
use crate::wire::{ExchangeLog, HttpConfig, Service, ServiceSettings};

/// Largest feed body accepted (a scenario's whole world is far smaller).
pub const FEED_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Largest request file (the folder interface's limit).
pub const OQS_FILE_LIMIT: usize = 4 * 1024 * 1024;

/// Largest body of any other request.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Records one service accepts over its life (one scenario's world is a few hundred).
pub const MAX_RECORDS: usize = 1_000_000;

/// Web API exchanges kept in the service's log.
const KEPT_EXCHANGES: usize = 1024;

/// A well-formed 医療機関コード for the folder settings the web API never reads.
const TERMINAL_PLACEHOLDER: &str = "1310143217";

#[derive(Clone)]
struct App {
    world: SharedWorld,
    service: Arc<Service>,
    applied: Arc<std::sync::atomic::AtomicUsize>,
}

/// A feed message as `POST /onshi/registry/feed` takes it (the adapter protocol's `facts` and
/// message as it is; without records it only moves the time).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedBody {
    /// The virtual time after the records.
    #[serde(default)]
    pub now: Option<Moment>,
    /// Records, in order.
    #[serde(default)]
    pub records: Vec<Record>,
}

/// The replica world a new `serve-registry` starts with: empty, its clock at `start` until the
/// feed moves it.
pub fn replica(start: Moment) -> SharedWorld {
    SharedWorld::new(World::replica(start))
}

/// Every endpoint of `serve-registry`, answering from `world`.
pub fn router(world: SharedWorld) -> Router {
    // The folder settings name a terminal institution the web API never uses: it takes the
    // institution from the login.
    let mut settings = ServiceSettings::new(terminal_placeholder());
    // A registry answers every institution: no terminal's own institution to insist on.
    settings.check_terminal_institution = false;
    let service = Arc::new(Service::new(
        world.clone(),
        ExchangeLog::bounded(KEPT_EXCHANGES),
        settings,
    ));
    let own = Router::new()
        .route(
            "/onshi/registry/feed",
            post(feed).layer(DefaultBodyLimit::max(FEED_BODY_LIMIT)),
        )
        .route("/onshi/registry/counts", get(counts))
        .route(
            "/onshi/registry/oqs/{name}",
            post(oqs_file).layer(DefaultBodyLimit::max(OQS_FILE_LIMIT)),
        )
        .route("/onshi/terminal/challenge", post(challenge))
        .route(
            "/onshi/terminal/confirm",
            post(confirm).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .with_state(App {
            world,
            applied: Arc::default(),
            service: Arc::clone(&service),
        });
    own.merge(crate::wire::http::web_api_router(
        HttpConfig::default(),
        service,
    ))
}

fn terminal_placeholder() -> InstitutionCode {
    InstitutionCode::parse(TERMINAL_PLACEHOLDER).expect("a well-formed 医療機関コード literal")
}

async fn feed(State(app): State<App>, body: Bytes) -> Response {
    let msg: FeedBody = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not {{\"now\": …, \"records\": […]}}: {e}"),
            );
        }
    };
    use std::sync::atomic::Ordering;
    let before = app.applied.fetch_add(msg.records.len(), Ordering::Relaxed);
    if before.saturating_add(msg.records.len()) > MAX_RECORDS {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_records",
            format!("one service takes at most {MAX_RECORDS} records: start one per scenario"),
        );
    }
    let mut w = app.world.lock();
    if let Err(e) = w.apply_feed(&msg.records) {
        return error(StatusCode::BAD_REQUEST, "feed", e.to_string());
    }
    if let Some(now) = msg.now
        && let Err(e) = w.replica_time(now)
    {
        return error(StatusCode::BAD_REQUEST, "feed", format!("`now`: {e}"));
    }
    axum::Json(json!({"status": "ok", "applied": msg.records.len()})).into_response()
}

async fn oqs_file(
    State(app): State<App>,
    axum::extract::Path(name): axum::extract::Path<String>,
    body: Bytes,
) -> Response {
    let service = Arc::clone(&app.service);
    let reply = match tokio::task::spawn_blocking(move || service.answer_file(&name, &body)).await {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("the request file could not be answered: {e}"),
            );
        }
    };
    match reply.answer_name {
        Some(_) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/xml")],
            reply.bytes,
        )
            .into_response(),
        None => error(
            StatusCode::BAD_REQUEST,
            "unanswerable",
            "the file name names no exchange the registry answers (docs/oqs-folder.md)",
        ),
    }
}

async fn counts(State(app): State<App>) -> Response {
    let w = app.world.lock();
    let counts: BTreeMap<String, u64> = w
        .registry()
        .counts()
        .iter()
        .filter_map(|(i, n)| {
            w.insurers()
                .get(i.index())
                .map(|x| (x.number.to_string(), *n))
        })
        .collect();
    axum::Json(json!({ "counts": counts })).into_response()
}

async fn challenge(State(app): State<App>) -> Response {
    let c = app.world.lock().challenges_mut().issue();
    axum::Json(json!({"challenge": B64.encode(c)})).into_response()
}

async fn confirm(State(app): State<App>, body: Bytes) -> Response {
    let parsed = match parse_confirm(&body) {
        Ok(p) => p,
        Err((_, kind, msg)) => return error(StatusCode::BAD_REQUEST, kind, msg),
    };
    let mut w = app.world.lock();
    let found = w
        .institutions()
        .iter()
        .find(|i| i.code.to_string() == parsed.code_text)
        .map(|i| (i.id, i.code));
    let Some((institution, code)) = found else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_institution",
            format!(
                "医療機関コード `{}` was not in the feed",
                parsed.code_text.chars().take(40).collect::<String>()
            ),
        );
    };
    let signed = SignedCardConfirm {
        certificate_der: parsed.certificate_der,
        proof: parsed.proof,
        institution,
        date: w.clock().today(),
        limit_consent: parsed.limit_consent,
        disease_consent: parsed.disease_consent,
    };
    let answered = w.confirm_card_signed(&signed);
    confirm_response(&w, code, answered)
}
