//! J-LIS (地方公共団体情報システム機構) served by onshi over HTTP to a registry under test: the
//! status of a certificate by serial at the world's current virtual time (JLIS-2), one step of
//! the 旧番号 serial chain in each direction (JLIS-3: what a registry needs to relink after
//! 更新 or 再交付), and the two CA certificates. JSON, documented in `docs/registry-role.md`,
//! section "J-LIS over HTTP":
//!
//! | call | answer |
//! |---|---|
//! | `GET /onshi/jlis/certificates/{serial}` | `{serial, kind, holder, asOf, issued, notAfter, state, revocation}` |
//! | `GET /onshi/jlis/certificates/{serial}/chain` | `{serial, kind, holder, asOf, previous, next, nextCause}` |
//! | `GET /onshi/jlis/ca` | `{auth, signature}`: the CA certificates, DER in base64 |
//!
//! The holder is named only by an opaque link id ([`holder_link`], like a 機関別符号): drawn
//! from the seed, stable within a scenario, never the My Number or the 住民票コード.
//! Errors are `{"status": "error", "code", "msg"}` with 400 (malformed serial), 404 (unknown
//! serial or path), 405 (not GET), 414 (path longer than [`MAX_PATH`]) or 503 (no world).
//! Request bodies are never read.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_sim::World;
use onshi_sim::ids::{PersonId, Serial};
use onshi_sim::jlis::{CertKind, CertRecord, CertStatus, IssueCause, RevocationReason};
use serde_json::{Value, json};

use crate::roles::serve::Server;
use crate::shared::SharedWorld;

/// Longest request path (with its query) accepted, in bytes; longer is 414.
pub const MAX_PATH: usize = 256;

/// Where the endpoints live.
pub const PREFIX: &str = "/onshi/jlis";

/// The world J-LIS answers from, attached for the length of one scenario.
#[derive(Clone, Debug, Default)]
pub struct JlisSource(Arc<Mutex<Option<SharedWorld>>>);

impl JlisSource {
    /// A source with no world attached (every call is 503 until one is).
    pub fn new() -> Self {
        JlisSource::default()
    }

    /// A source answering from `world`.
    pub fn with(world: SharedWorld) -> Self {
        let source = JlisSource::new();
        source.attach(world);
        source
    }

    /// Answers from `world` from now on.
    pub fn attach(&self, world: SharedWorld) {
        *self.slot() = Some(world);
    }

    /// Stops answering (503) until a world is attached again.
    pub fn detach(&self) {
        *self.slot() = None;
    }

    fn world(&self) -> Option<SharedWorld> {
        self.slot().clone()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<SharedWorld>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Starts J-LIS over HTTP on `addr` (`127.0.0.1:0` for an ephemeral loopback port) on its own
/// thread and runtime.
pub fn start(addr: &str, source: JlisSource) -> Result<Server, String> {
    Server::serve(addr, "jlis", router(source))
}

/// The J-LIS endpoints answering from `source`.
pub fn router(source: JlisSource) -> Router {
    Router::new()
        .route("/onshi/jlis/certificates/{serial}", get(status))
        .route("/onshi/jlis/certificates/{serial}/chain", get(chain))
        .route("/onshi/jlis/ca", get(ca))
        .fallback(not_found)
        .layer(middleware::from_fn(bounds))
        .with_state(source)
}

/// The opaque id J-LIS gives `person`'s holder in its answers: 16 lower-case hex digits drawn
/// from the world's seed, stable within a scenario, the same for every certificate of the
/// person, and unrelated to the My Number and the 住民票コード.
pub fn holder_link(world: &World, person: PersonId) -> String {
    world.jlis().holder_link(person)
}

fn error(status: StatusCode, code: &str, msg: impl Into<String>) -> Response {
    (
        status,
        axum::Json(json!({"status": "error", "code": code, "msg": msg.into()})),
    )
        .into_response()
}

/// Refuses what is not a GET and paths longer than [`MAX_PATH`] before routing.
async fn bounds(request: Request, next: Next) -> Response {
    let len = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if len > MAX_PATH {
        return error(
            StatusCode::URI_TOO_LONG,
            "path_too_long",
            format!("the path has {len} bytes; at most {MAX_PATH}"),
        );
    }
    if request.method() != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "J-LIS answers GET only",
        );
    }
    next.run(request).await
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "unknown_path",
        format!(
            "no such endpoint; J-LIS answers {PREFIX}/certificates/{{serial}}, {PREFIX}/certificates/{{serial}}/chain and {PREFIX}/ca"
        ),
    )
}

fn no_world() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "no_scenario",
        "no scenario is running",
    )
}

/// The serial in the path, or the 400 answer.
fn serial_of(path: Result<Path<String>, PathRejection>) -> Result<Serial, Response> {
    let text = path
        .map_err(|e| error(StatusCode::BAD_REQUEST, "malformed_path", e.body_text()))?
        .0;
    Serial::parse(&text).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "malformed_serial",
            format!("not a certificate serial (1–16 hex digits, not zero): {e}"),
        )
    })
}

/// The record of `serial` if J-LIS knows it today (issued on or before the world's date).
fn known(world: &World, serial: Serial) -> Result<&CertRecord, Response> {
    let today = world.clock().today();
    world
        .jlis()
        .lookup(serial)
        .and_then(|id| world.jlis().record(id).ok())
        .filter(|r| r.issued() <= today)
        .ok_or_else(|| {
            error(
                StatusCode::NOT_FOUND,
                "unknown_serial",
                format!(
                    "J-LIS has issued no certificate with serial {} as of {today}",
                    serial.hex()
                ),
            )
        })
}

fn kind_name(kind: CertKind) -> &'static str {
    match kind {
        CertKind::Auth => "auth",
        CertKind::Sign => "signature",
    }
}

fn reason_name(reason: RevocationReason) -> &'static str {
    match reason {
        RevocationReason::Unspecified => "unspecified",
        RevocationReason::KeyCompromise => "key_compromise",
        RevocationReason::AffiliationChanged => "affiliation_changed",
        RevocationReason::Superseded => "superseded",
        RevocationReason::CessationOfOperation => "cessation_of_operation",
    }
}

fn cause_name(cause: IssueCause) -> &'static str {
    match cause {
        IssueCause::First => "first",
        IssueCause::Renewal => "renewal",
        IssueCause::CardReissue => "card_reissue",
        IssueCause::ReissueAfterExpiry => "reissue_after_expiry",
    }
}

/// The fields every answer about one certificate starts with.
fn about(world: &World, record: &CertRecord) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("serial".into(), record.serial().hex().into());
    m.insert("kind".into(), kind_name(record.kind()).into());
    m.insert("holder".into(), holder_link(world, record.person()).into());
    m.insert("asOf".into(), world.clock().today().to_string().into());
    m
}

/// The status answer of `record` on the world's date.
fn status_answer(world: &World, record: &CertRecord) -> Value {
    let mut m = about(world, record);
    m.insert("issued".into(), record.issued().to_string().into());
    m.insert("notAfter".into(), record.not_after().to_string().into());
    let (state, revocation) = match record.status_on(world.clock().today()) {
        CertStatus::Valid { .. } => ("valid", Value::Null),
        CertStatus::Expired { .. } => ("expired", Value::Null),
        CertStatus::Revoked { reason, on } => (
            "revoked",
            json!({
                "reason": reason_name(reason),
                "crlReason": reason.crl_code(),
                "on": on.to_string(),
            }),
        ),
        // `known` filtered the records J-LIS does not know today.
        CertStatus::Unknown => ("unknown", Value::Null),
    };
    m.insert("state".into(), state.into());
    m.insert("revocation".into(), revocation);
    Value::Object(m)
}

/// The chain answer of `record`: the serials just before and just after it in its holder's
/// chain of the same kind, as of the world's date.
fn chain_answer(world: &World, record: &CertRecord) -> Value {
    let jlis = world.jlis();
    let today = world.clock().today();
    let full: Vec<Serial> = jlis
        .current(record.person(), record.kind())
        .and_then(|id| jlis.record(id).ok())
        .and_then(|latest| {
            let older = jlis.old_serials(latest.serial())?;
            let mut all = Vec::with_capacity(older.len() + 1);
            all.extend_from_slice(older);
            all.push(latest.serial());
            Some(all)
        })
        .unwrap_or_default();
    let at = record.chain_position() as usize;
    let previous = at.checked_sub(1).and_then(|i| full.get(i)).map(|s| s.hex());
    let next = full
        .get(at + 1)
        .and_then(|s| jlis.lookup(*s).and_then(|id| jlis.record(id).ok()))
        .filter(|r| r.issued() <= today);
    let mut m = about(world, record);
    m.insert("previous".into(), previous.into());
    m.insert("next".into(), next.map(|r| r.serial().hex()).into());
    m.insert(
        "nextCause".into(),
        next.map(|r| cause_name(r.cause())).into(),
    );
    Value::Object(m)
}

async fn status(
    State(source): State<JlisSource>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer(&source, path, status_answer)
}

async fn chain(
    State(source): State<JlisSource>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer(&source, path, chain_answer)
}

fn answer(
    source: &JlisSource,
    path: Result<Path<String>, PathRejection>,
    build: fn(&World, &CertRecord) -> Value,
) -> Response {
    let serial = match serial_of(path) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(shared) = source.world() else {
        return no_world();
    };
    let world = shared.lock();
    match known(&world, serial) {
        Ok(record) => axum::Json(build(&world, record)).into_response(),
        Err(r) => r,
    }
}

async fn ca(State(source): State<JlisSource>) -> Response {
    let Some(shared) = source.world() else {
        return no_world();
    };
    let world = shared.lock();
    let der = |kind| world.jlis().ca_certificate_der(kind).map(|d| B64.encode(d));
    match (der(CertKind::Auth), der(CertKind::Sign)) {
        (Ok(auth), Ok(signature)) => {
            axum::Json(json!({"auth": auth, "signature": signature})).into_response()
        }
        (Err(e), _) | (_, Err(e)) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ca_certificate",
            format!("the CA certificate could not be built: {e}"),
        ),
    }
}
