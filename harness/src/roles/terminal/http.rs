//! The registry's endpoints for a terminal under test. The real terminal-to-registry protocol is
//! not public; these are onshi's own (see `docs/terminal-role.md`):
//!
//! | call | answer |
//! |---|---|
//! | `GET /onshi/terminal/visit` | `{medicalInstitutionCode, limitConsent, diseaseConsent, faceThreshold, faceRetriesBeforePin}`: the visit at the reader; uses nothing up |
//! | `GET /onshi/terminal/patient` | the patient's next try, in the scenario's order: `{"face": 0.95, "live": true, "pin": null}` (a look at the camera) or `{"face": null, "live": null, "pin": "1234"}` (a PIN typed); all `null` when they have nothing more; each call uses one try up |
//! | `POST /onshi/terminal/challenge` | `{"challenge": base64}`, 32 bytes, single use |
//! | `POST /onshi/terminal/confirm` | JSON `{medicalInstitutionCode, method, certificate, challenge, signature, limitConsent, diseaseConsent}` (`method` `pin` or `face`; byte fields base64; `challenge` and `signature` only with `pin`) → the 資格確認結果 as OQS XML (UTF-8), or a JSON error |
//! | `POST /onshi/terminal/give-up` | optional JSON `{"reason": "..."}` → `{"status": "ok"}`: the terminal ends the visit without a confirmation; the runner stops waiting at once |
//!
//! Errors are `{"status": "error", "code": ..., "msg": ...}` with HTTP 400 (what the terminal
//! sent is wrong), 404 (no card on the reader, unknown institution), 413 (body too large) or
//! 503 (no scenario is running).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_sim::ids::InstitutionId;
use onshi_sim::oqs::{CharacterCode, EncodeOptions, encode};
use onshi_sim::oqs::{ConfirmEcho, to_confirm_response};
use onshi_sim::registry::terminal::{SignedCardConfirm, TerminalProof, TerminalRejection};
use serde::Deserialize;
use serde_json::json;

use super::desk::{
    ChallengeRefused, Desk, MAX_CHALLENGES_PER_VISIT, MAX_EXCHANGES_PER_VISIT, PatientTry,
    TerminalExchange,
};

/// Largest request body accepted (a certificate and a signature fit easily).
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
struct App {
    desk: Arc<Desk>,
}

/// The terminal endpoints, answering from the world attached to `desk` and recording into it.
pub fn router(desk: Arc<Desk>) -> Router {
    Router::new()
        .route("/onshi/terminal/challenge", post(challenge))
        .route("/onshi/terminal/visit", get(visit))
        .route("/onshi/terminal/patient", get(patient))
        .route("/onshi/terminal/confirm", post(confirm))
        .route("/onshi/terminal/give-up", post(give_up))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(App { desk })
}

fn no_scenario() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "no_scenario",
        "no scenario is running",
    )
}

pub(crate) fn error(status: StatusCode, code: &str, msg: impl Into<String>) -> Response {
    (
        status,
        axum::Json(json!({"status": "error", "code": code, "msg": msg.into()})),
    )
        .into_response()
}

async fn challenge(State(app): State<App>) -> Response {
    let Some(world) = app.desk.world() else {
        return no_scenario();
    };
    let issued = app.desk.issue_challenge(&mut world.lock());
    match issued {
        Ok(c) => axum::Json(json!({"challenge": B64.encode(c)})).into_response(),
        Err(ChallengeRefused::NoCard) => no_card(),
        Err(ChallengeRefused::TooMany) => error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_challenges",
            format!("at most {MAX_CHALLENGES_PER_VISIT} challenges a visit"),
        ),
    }
}

fn no_card() -> Response {
    error(StatusCode::NOT_FOUND, "no_card", "no card is on the reader")
}

async fn visit(State(app): State<App>) -> Response {
    let Some(world) = app.desk.world() else {
        return no_scenario();
    };
    let Some(v) = app.desk.visit() else {
        return no_card();
    };
    let w = world.lock();
    let code = w
        .institutions()
        .get(v.institution.index())
        .map(|i| i.code.to_string())
        .unwrap_or_default();
    let switches = w.rules().switches();
    axum::Json(json!({
        "medicalInstitutionCode": code,
        "limitConsent": v.limit_consent,
        "diseaseConsent": v.disease_consent,
        "faceThreshold": switches.face_match_threshold,
        "faceRetriesBeforePin": switches.face_retries_before_pin,
    }))
    .into_response()
}

async fn patient(State(app): State<App>) -> Response {
    if app.desk.visit().is_none() {
        return no_card();
    }
    let body = match app.desk.next_try() {
        Some(PatientTry::Face { similarity, live }) => {
            json!({"face": similarity, "live": live, "pin": null})
        }
        Some(PatientTry::Pin(pin)) => json!({"face": null, "live": null, "pin": pin}),
        None => json!({"face": null, "live": null, "pin": null}),
    };
    axum::Json(body).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GiveUpBody {
    #[serde(default)]
    reason: String,
}

async fn give_up(State(app): State<App>, body: Bytes) -> Response {
    let Some(shared) = app.desk.world() else {
        return no_scenario();
    };
    let req: GiveUpBody = if body.iter().all(u8::is_ascii_whitespace) {
        GiveUpBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    format!("the body is not the give-up JSON {{\"reason\": \"...\"}}: {e}"),
                );
            }
        }
    };
    let mut world = shared.lock();
    match app.desk.give_up(&mut world, &req.reason) {
        Ok(()) => axum::Json(json!({"status": "ok"})).into_response(),
        Err(_) => no_card(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfirmBody {
    medical_institution_code: String,
    method: Method,
    certificate: String,
    #[serde(default)]
    challenge: Option<String>,
    #[serde(default)]
    signature: Option<String>,
    #[serde(default)]
    limit_consent: bool,
    #[serde(default)]
    disease_consent: bool,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Method {
    Pin,
    Face,
}

fn b64(field: &str, text: &str) -> Result<Vec<u8>, String> {
    B64.decode(text.trim())
        .map_err(|e| format!("`{field}` is not base64: {e}"))
}

async fn confirm(State(app): State<App>, body: Bytes) -> Response {
    let Some(shared) = app.desk.world() else {
        return no_scenario();
    };
    // A request with no card on the reader (late, or in the gap between two cards) is not
    // answered: it must never count for the next patient's visit.
    if app.desk.visit().is_none() {
        return no_card();
    }
    if app.desk.exchanges_this_visit() >= MAX_EXCHANGES_PER_VISIT {
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!("at most {MAX_EXCHANGES_PER_VISIT} confirmation requests a visit"),
        );
    }
    let now = shared.lock().now();
    let refuse = |code: String, status: StatusCode, kind: &str, msg: String| {
        app.desk.record(TerminalExchange {
            at: now,
            institution_code: code,
            method: None,
            serial: None,
            binding: None,
            rejection: None,
            answer: None,
            error: Some(msg.clone()),
        });
        error(status, kind, msg)
    };
    let parsed = match parse_confirm(&body) {
        Ok(p) => p,
        Err((code_text, kind, msg)) => {
            return refuse(code_text, StatusCode::BAD_REQUEST, kind, msg);
        }
    };
    let ParsedConfirm {
        code_text,
        certificate_der,
        proof,
        limit_consent,
        disease_consent,
    } = parsed;
    let mut world = shared.lock();
    let found: Option<(InstitutionId, onshi_sim::ids::InstitutionCode)> = world
        .institutions()
        .iter()
        .find(|i| i.code.to_string() == code_text)
        .map(|i| (i.id, i.code));
    let Some((institution, code)) = found else {
        drop(world);
        return refuse(
            code_text.clone(),
            StatusCode::NOT_FOUND,
            "unknown_institution",
            format!("医療機関コード `{code_text}` is not an institution of this world"),
        );
    };
    let signed = SignedCardConfirm {
        certificate_der,
        proof,
        institution,
        date: world.clock().today(),
        limit_consent,
        disease_consent,
    };
    let answered = app.desk.confirm(&mut world, &signed);
    confirm_response(&world, code, answered)
}

/// The HTTP answer to a card confirmation: the 資格確認結果 as OQS XML (UTF-8), or the
/// terminal's rejection as a JSON error.
pub(crate) fn confirm_response(
    world: &onshi_sim::World,
    code: onshi_sim::ids::InstitutionCode,
    answered: Result<onshi_sim::registry::Answer, TerminalRejection>,
) -> Response {
    match answered {
        Ok(answer) => {
            let response =
                to_confirm_response(&answer, &world.view(), code, &ConfirmEcho::default());
            match encode(&response, EncodeOptions::with_encoding(CharacterCode::Utf8)) {
                Ok(enc) => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/xml; charset=UTF-8")],
                    enc.bytes,
                )
                    .into_response(),
                Err(e) => error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "encode",
                    format!("the answer could not be written: {e}"),
                ),
            }
        }
        Err(rejection) => {
            let msg = rejection.to_string();
            let kind = serde_json::to_value(&rejection)
                .ok()
                .and_then(|v| {
                    v.get("rejection")
                        .and_then(|k| k.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "rejected".into());
            error(StatusCode::BAD_REQUEST, &kind, msg)
        }
    }
}

/// A confirm body as read: the 医療機関コード as sent, the certificate, the proof, the consents.
pub(crate) struct ParsedConfirm {
    pub(crate) code_text: String,
    pub(crate) certificate_der: Vec<u8>,
    pub(crate) proof: TerminalProof,
    pub(crate) limit_consent: bool,
    pub(crate) disease_consent: bool,
}

/// Reads a confirm body; the error is the 医療機関コード as far as it was read, the error code
/// (`malformed_json`, `malformed_field`) and the message.
pub(crate) fn parse_confirm(body: &[u8]) -> Result<ParsedConfirm, (String, &'static str, String)> {
    let req: ConfirmBody = serde_json::from_slice(body).map_err(|e| {
        (
            String::new(),
            "malformed_json",
            format!("the body is not the confirm JSON: {e}"),
        )
    })?;
    let code_text = req.medical_institution_code.clone();
    let decoded = (|| {
        let certificate = b64("certificate", &req.certificate)?;
        let proof = match req.method {
            Method::Face => TerminalProof::Face,
            Method::Pin => TerminalProof::Pin {
                challenge: b64(
                    "challenge",
                    req.challenge
                        .as_deref()
                        .ok_or("`method: pin` needs `challenge`")?,
                )?,
                signature: b64(
                    "signature",
                    req.signature
                        .as_deref()
                        .ok_or("`method: pin` needs `signature`")?,
                )?,
            },
        };
        Ok::<_, String>((certificate, proof))
    })();
    match decoded {
        Ok((certificate_der, proof)) => Ok(ParsedConfirm {
            code_text,
            certificate_der,
            proof,
            limit_consent: req.limit_consent,
            disease_consent: req.disease_consent,
        }),
        Err(msg) => Err((code_text, "malformed_field", msg)),
    }
}
