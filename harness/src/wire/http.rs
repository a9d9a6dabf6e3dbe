//! The JSON web API (oqs-wire.md §4) on loopback: login, then 資格確認 searches with the bare
//! `idToken` in `Authorization`. See `docs/oqs-http.md` for the layouts and the error table.
//!
//! Decisions (the real layouts are not public, UNCERTAIN):
//! - Login body: a JSON object `{"medicalInstitutionCode": "<10 digits>", "password": "…"}`;
//!   `password` is checked only when the server is configured with one. Answer
//!   `{"status":"OK","msg":"","result":{"accessToken","refreshToken","idToken","linkSysCharCd":"0"}}`.
//! - Tokens are hex strings drawn from the world seed (`oqs.http.*` streams, one counter per
//!   server), valid for the server's lifetime; only the `idToken` authorises searches.
//! - Transport-level refusals answer an HTTP error status with `{"status":"ONS-…","msg":…,"detail":…}`:
//!   401 `ONS-E0012` (bad credentials, no token, `Bearer` prefix, unknown token), 413 `ONS-E0013`
//!   (body over the limit), 415 `ONS-E0014` (not `application/json` / not UTF-8), 408 `ONS-E0015`
//!   (body not received in time), 404/405 `ONS-E0018`, 400 `ONS-E0001`/`ONS-E0003` for a login
//!   body that is not a JSON object with `medicalInstitutionCode`.
//! - Everything about the content of an authorised search (malformed JSON, wrong structure,
//!   non-string leaves, layout violations, another institution than the token's) answers 200 with
//!   the `XmlMsg` error shape: SegmentOfResult 9 with ErrorCode/ErrorMessage, as a file answer would.
//!
//! The body is read by axum/hyper within the framing the client sent and a size limit; onshi never
//! re-slices it by `Content-Length` itself (the MC client computes it from the JavaScript string
//! length, which is short for non-ASCII 記号).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use onshi_sim::clock::parse_compact_date;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs::{self, ErrorEcho, Message, ResultCode};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::json::{message_json, request_xml};
use super::log::{Channel, ExchangeKind, ExchangeRecord, LoggedViolation};
use super::service::{Service, decode_violation, note_confirm};
use super::{WireError, WithWorld};

/// The login path.
pub const LOGIN_PATH: &str = "/oqs-api-pro/MSA12020/ILI12020SV01/auth";
/// The 資格確認 search path.
pub const SEARCH_PATH: &str = "/oqs-api-pro/MSA01030/ILI01030SV01/search";

/// Settings of the HTTP server.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Where to listen; port 0 picks a free port (see [`HttpServer::local_addr`]).
    pub addr: SocketAddr,
    /// Largest accepted body in bytes.
    pub body_limit: usize,
    /// The longest onshi waits for a request body.
    pub body_timeout: Duration,
    /// When set, the login `password` must equal it.
    pub password: Option<String>,
}

impl Default for HttpConfig {
    /// 127.0.0.1, an ephemeral port, 64 KiB bodies, 10 s body timeout, no password.
    fn default() -> Self {
        HttpConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            body_limit: 64 * 1024,
            body_timeout: Duration::from_secs(10),
            password: None,
        }
    }
}

struct AppState {
    service: Arc<Service>,
    config: HttpConfig,
    tokens: Mutex<HashMap<String, InstitutionCode>>,
}

impl AppState {
    fn institution_of(&self, token: &str) -> Option<InstitutionCode> {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .copied()
    }
}

/// A running HTTP server. Stop it with [`HttpServer::stop`]; dropping it aborts it.
#[derive(Debug)]
pub struct HttpServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(config: HttpConfig, service: Arc<Service>) -> Result<Self, WireError> {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| WireError::Http {
                addr: config.addr.to_string(),
                detail: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| WireError::Http {
            addr: config.addr.to_string(),
            detail: e.to_string(),
        })?;
        tracing::info!(target: "onshi::oqs", %addr, "OQS web API started");
        let state = Arc::new(AppState {
            service,
            config,
            tokens: Mutex::new(HashMap::new()),
        });
        let app = router(state);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(target: "onshi::oqs", error = %e, "HTTP server stopped");
            }
        });
        Ok(HttpServer {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish for up to 5 s, then aborts.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            tracing::info!(target: "onshi::oqs", "OQS web API stopped");
            task.abort();
        }
    }
}

/// idTokens one server keeps; a login past it forgets the earlier ones.
pub const MAX_TOKENS: usize = 65_536;

/// A message as the web API carries it, `{"XmlMsg":{…}}`: the body a clinic system POSTs to
/// search (every leaf a string, repeated elements as arrays).
pub fn search_body_json(message: &onshi_sim::oqs::Element) -> String {
    super::json::message_json(message)
}

/// The web API's routes (login, search) answering from `service`, to merge into another
/// router (`onshi serve-registry` serves them next to its own).
pub fn web_api_router(config: HttpConfig, service: Arc<Service>) -> Router {
    router(Arc::new(AppState {
        service,
        config,
        tokens: Mutex::new(HashMap::new()),
    }))
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(LOGIN_PATH, post(login).fallback(wrong_method))
        .route(SEARCH_PATH, post(search).fallback(wrong_method))
        .fallback(unknown_endpoint)
        .with_state(state)
}

const JSON_TYPE: &str = "application/json;charset=UTF-8";

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
    r
}

/// `{"status":"ONS-…","msg":"…","detail":"…"}`.
fn status_body(code: ResultCode, detail: &str) -> String {
    serde_json::json!({
        "status": code.code(),
        "msg": code.message_ja(),
        "detail": detail,
    })
    .to_string()
}

/// Refuses at the transport level and logs it.
fn refuse(
    state: &AppState,
    mut record: ExchangeRecord,
    status: StatusCode,
    code: ResultCode,
    rule: &str,
    detail: &str,
) -> Response {
    record.at = state.service.now().to_string();
    record.violations.push(LoggedViolation {
        path: "http".into(),
        rule: rule.into(),
        code: code.code().into(),
        message: detail.into(),
    });
    record.result_code = Some(code.code().into());
    record.answer = Some(status.as_u16().to_string());
    state.service.log().append(record);
    json_response(status, status_body(code, detail))
}

/// Checks the content type and reads the body within the limit and the timeout.
async fn read_body(
    state: &AppState,
    record: &ExchangeRecord,
    request: Request,
) -> Result<Bytes, Response> {
    let fail = |status, code, rule: &str, detail: &str| {
        refuse(state, record.clone(), status, code, rule, detail)
    };
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Err(detail) = json_content_type(content_type) {
        return Err(fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ResultCode::UnsupportedContentType,
            "content-type-json",
            &detail,
        ));
    }
    let limit = state.config.body_limit;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            ResultCode::RequestTooLarge,
            "body-limit",
            &format!("the body is larger than {limit} bytes"),
        )
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let body = request.into_body();
    match tokio::time::timeout(state.config.body_timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(too_large()),
        Err(_) => Err(fail(
            StatusCode::REQUEST_TIMEOUT,
            ResultCode::RequestIncomplete,
            "body-in-time",
            "the body did not arrive in time",
        )),
    }
}

/// `application/json` with no charset or charset UTF-8 (any case, any spacing).
fn json_content_type(value: &str) -> Result<(), String> {
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(format!(
            "Content-Type is `{value}`; expected application/json;charset=UTF-8"
        ));
    }
    for p in parts {
        if let Some((k, v)) = p.split_once('=')
            && k.trim().eq_ignore_ascii_case("charset")
        {
            let v = v.trim().trim_matches('"');
            if !(v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8")) {
                return Err(format!("charset `{v}`; the API speaks UTF-8 JSON"));
            }
        }
    }
    Ok(())
}

async fn login(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let record = ExchangeRecord::new(
        Channel::Http,
        ExchangeKind::Login,
        &format!("POST {LOGIN_PATH}"),
    );
    let body = match read_body(&state, &record, request).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let bad = |status, code, rule: &str, detail: &str| {
        refuse(&state, record.clone(), status, code, rule, detail)
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return bad(
                StatusCode::BAD_REQUEST,
                ResultCode::RequestMalformed,
                "json",
                &format!("the body is not JSON: {e}"),
            );
        }
    };
    let Some(code_text) = value.get("medicalInstitutionCode").and_then(Value::as_str) else {
        return bad(
            StatusCode::BAD_REQUEST,
            ResultCode::RequestStructure,
            "login-body",
            "the body must be a JSON object with a string `medicalInstitutionCode`",
        );
    };
    let mut record = record.clone();
    record.summary.institution = Some(code_text.to_string());
    let known = InstitutionCode::parse(code_text).ok().filter(|c| {
        state
            .service
            .world()
            .with(|w| w.institutions().iter().any(|i| i.code == *c))
    });
    let Some(code) = known else {
        return refuse(
            &state,
            record,
            StatusCode::UNAUTHORIZED,
            ResultCode::AuthenticationFailed,
            "known-institution",
            &format!("`{code_text}` is not a registered institution"),
        );
    };
    if let Some(want) = &state.config.password
        && value.get("password").and_then(Value::as_str) != Some(want.as_str())
    {
        return refuse(
            &state,
            record,
            StatusCode::UNAUTHORIZED,
            ResultCode::AuthenticationFailed,
            "password",
            "wrong password",
        );
    }
    let id_token = format!("oqs-id.{}", state.service.token("oqs.http.id_token"));
    let access = format!(
        "oqs-access.{}",
        state.service.token("oqs.http.access_token")
    );
    let refresh = format!(
        "oqs-refresh.{}",
        state.service.token("oqs.http.refresh_token")
    );
    {
        let mut tokens = state.tokens.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: a client that logs in again and again cannot grow the map without end;
        // past the limit every earlier token is forgotten (a search with one is refused as
        // for an unknown token, and the client logs in again).
        if tokens.len() >= MAX_TOKENS {
            tokens.clear();
        }
        tokens.insert(id_token.clone(), code);
    }
    record.at = state.service.now().to_string();
    record.answer = Some("200".into());
    state.service.log().append(record);
    let body = serde_json::json!({
        "status": "OK",
        "msg": "",
        "result": {
            "accessToken": access,
            "refreshToken": refresh,
            "idToken": id_token,
            "linkSysCharCd": "0",
        }
    });
    json_response(StatusCode::OK, body.to_string())
}

/// The search's `Authorization`: the bare idToken.
fn bearer_free_token(headers: &HeaderMap) -> Result<&str, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err("no Authorization header: send the idToken from the login");
    };
    let Ok(text) = value.to_str() else {
        return Err("the Authorization header is not ASCII");
    };
    let text = text.trim();
    if text.len() >= 7 && text[..7].eq_ignore_ascii_case("bearer ") {
        return Err("`Bearer` prefix: the API takes the bare idToken in Authorization");
    }
    if text.is_empty() {
        return Err("empty Authorization header");
    }
    Ok(text)
}

async fn search(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let mut record = ExchangeRecord::new(
        Channel::Http,
        ExchangeKind::Search,
        &format!("POST {SEARCH_PATH}"),
    );
    let institution = match bearer_free_token(request.headers()) {
        Err(detail) => {
            return refuse(
                &state,
                record,
                StatusCode::UNAUTHORIZED,
                ResultCode::AuthenticationFailed,
                "id-token",
                detail,
            );
        }
        Ok(token) => match state.institution_of(token) {
            Some(c) => c,
            None => {
                return refuse(
                    &state,
                    record,
                    StatusCode::UNAUTHORIZED,
                    ResultCode::AuthenticationFailed,
                    "id-token",
                    "unknown idToken: log in first",
                );
            }
        },
    };
    let body = match read_body(&state, &record, request).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let response = search_answer(&state.service, institution, &body, &mut record);
    let json = message_json(&response.to_element());
    record.answer = Some("200".into());
    state.service.log().append(record);
    json_response(StatusCode::OK, json)
}

/// The JSON answer to a search body sent with the idToken of `institution`, as the search
/// endpoint writes it (without the socket: for tests and fuzzing). Logs the exchange.
pub fn search_json(service: &Service, institution: InstitutionCode, body: &[u8]) -> String {
    let mut record = ExchangeRecord::new(
        Channel::Http,
        ExchangeKind::Search,
        &format!("POST {SEARCH_PATH}"),
    );
    let response = search_answer(service, institution, body, &mut record);
    record.answer = Some("200".into());
    service.log().append(record);
    message_json(&response.to_element())
}

/// The 資格確認 answer to a search body (never fails: errors become the XmlMsg error shape).
fn search_answer(
    service: &Service,
    institution: InstitutionCode,
    body: &[u8],
    record: &mut ExchangeRecord,
) -> oqs::ConfirmResponse {
    let refuse = |code: ResultCode, value: Option<&Value>, record: &mut ExchangeRecord| {
        let now = service.now();
        let echo = json_echo(value, institution, now);
        record.at = now.to_string();
        record.summary.institution = Some(institution.digits());
        record.summary.arbitrary_file_identifier = echo.arbitrary_file_identifier.clone();
        let r = oqs::confirm_error(code, now, &echo, None);
        note_confirm(&r, record);
        r
    };
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            record.violations.push(LoggedViolation {
                path: "body".into(),
                rule: "utf-8".into(),
                code: ResultCode::RequestEncoding.code().into(),
                message: format!("the body is not UTF-8: {e}"),
            });
            return refuse(ResultCode::RequestEncoding, None, record);
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            record.violations.push(LoggedViolation {
                path: "body".into(),
                rule: "json".into(),
                code: ResultCode::RequestMalformed.code().into(),
                message: format!("the body is not JSON: {e}"),
            });
            return refuse(ResultCode::RequestMalformed, None, record);
        }
    };
    let xml = match request_xml(&value) {
        Ok(x) => x,
        Err(p) => {
            record.violations.push(LoggedViolation {
                path: p.path,
                rule: "json-layout".into(),
                code: p.code.code().into(),
                message: p.message,
            });
            return refuse(p.code, Some(&value), record);
        }
    };
    match oqs::decode_confirm_request(xml.as_bytes()) {
        Ok(req) => service.confirm(&req, Some(institution), record),
        Err(e) => {
            let mut v = decode_violation(&e);
            // Positions refer to onshi's XML rendering of the JSON; the path is what counts.
            v.message = v.message.replace(" at line", " (XML form) at line");
            record.violations.push(v);
            refuse(e.result_code(), Some(&value), record)
        }
    }
}

/// The echo fields of a search body that did not decode.
fn json_echo(
    value: Option<&Value>,
    institution: InstitutionCode,
    now: onshi_sim::clock::Moment,
) -> ErrorEcho {
    let header = value.and_then(|v| v.pointer("/XmlMsg/MessageHeader"));
    let text = |k: &str| header.and_then(|h| h.get(k)).and_then(Value::as_str);
    ErrorEcho {
        institution,
        date: text("QualificationConfirmationDate")
            .and_then(parse_compact_date)
            .unwrap_or(now.date()),
        arbitrary_file_identifier: text("ArbitraryFileIdentifier").map(str::to_string),
        reception_number: None,
    }
}

async fn wrong_method(State(state): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    let record = ExchangeRecord::new(
        Channel::Http,
        ExchangeKind::Unknown,
        &format!("{method} {}", uri.path()),
    );
    refuse(
        &state,
        record,
        StatusCode::METHOD_NOT_ALLOWED,
        ResultCode::UnknownEndpoint,
        "method",
        "the API takes POST only",
    )
}

async fn unknown_endpoint(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
) -> Response {
    let record = ExchangeRecord::new(
        Channel::Http,
        ExchangeKind::Unknown,
        &format!("{method} {}", uri.path()),
    );
    refuse(
        &state,
        record,
        StatusCode::NOT_FOUND,
        ResultCode::UnknownEndpoint,
        "endpoint",
        &format!("no endpoint {}", uri.path()),
    )
}
