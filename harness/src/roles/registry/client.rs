//! The HTTP client onshi asks a registry under test with. One call, [`RegistryClient::exchange`],
//! sends one request and reads its answer within bounds; whatever goes wrong is a
//! [`RegistryFault`] whose display text is what a vendor reads in a verdict: which URL, what
//! happened, after how long, and the first bytes of what came back.
//!
//! Decisions:
//! - Never a hang: one deadline, `timeout` from the moment the request is sent, covers the
//!   connection, the headers and every read of the body, so a server that sends its headers
//!   and then trickles the body one byte at a time times out like one that never answers.
//! - Bounded: a declared `Content-Length` over `max_answer_bytes` is refused before the body is
//!   read; otherwise the body is read a transport chunk at a time and reading stops as soon as
//!   it would pass the limit (the bytes kept never exceed it). An error status's body is read
//!   only up to [`ERROR_BODY_SHOWN`] bytes.
//! - No redirect is followed and no proxy is used: the registry under test answers itself.
//! - What an answer contains is shown with control characters and bidirectional overrides
//!   escaped ([`neutralise`]), so a hostile body cannot rewrite the verdict on a terminal.

use std::fmt;
use std::time::Duration;

use onshi_sim::oqs::{Message, OqsError};
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use tokio::time::{Instant, timeout_at};

/// How many bytes of an error answer's body a fault shows.
pub const ERROR_BODY_SHOWN: usize = 256;

/// The default answer limit: 4 MiB, the limit of a request file on the folder interface.
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// The default timeout of one exchange.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of one registry under test.
#[derive(Clone, Debug)]
pub struct RegistryClient {
    /// Where the registry listens, `http://host:port` (a path prefix is kept).
    pub base: reqwest::Url,
    /// The longest one exchange may take, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// The largest answer body read.
    pub max_answer_bytes: usize,
    http: reqwest::Client,
}

/// One request: a POST with its body and media type, or a GET (`body: None`).
#[derive(Clone, Debug)]
pub struct Ask<'a> {
    /// The path under the base.
    pub path: &'a str,
    /// The body and its `Content-Type`; `None` for a GET.
    pub body: Option<(Vec<u8>, &'a str)>,
    /// The media type the answer must have (sent as `Accept`).
    pub accept: &'a str,
    /// An `Authorization` header (the OQS web API's bare idToken).
    pub authorization: Option<&'a str>,
}

/// An answer read whole within the limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The URL asked.
    pub url: String,
    /// HTTP status (always 2xx: anything else is [`RegistryFault::Status`]).
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub bytes: Vec<u8>,
    /// From sending the request to the last byte of the body.
    pub elapsed: Duration,
}

/// What went wrong asking the registry, for a verdict.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryFault {
    /// Nothing listens there.
    #[error("{url}: connection refused: nothing listens there")]
    ConnectionRefused {
        /// The URL asked.
        url: String,
    },
    /// Another failure to connect or to send (reset, name, protocol).
    #[error("{url}: the request could not be sent: {reason}")]
    Transport {
        /// The URL asked.
        url: String,
        /// What the transport said.
        reason: String,
    },
    /// No complete answer within the timeout.
    #[error("{url}: no complete answer within {} ms ({stage})", after.as_millis())]
    Timeout {
        /// The URL asked.
        url: String,
        /// The timeout that ran out.
        after: Duration,
        /// What onshi was waiting for: the headers, or the rest of the body (with how much
        /// had come).
        stage: String,
    },
    /// The connection ended before the answer was complete.
    #[error("{url}: the answer broke off after {received} bytes: {reason}")]
    Truncated {
        /// The URL asked.
        url: String,
        /// Body bytes received before it ended.
        received: usize,
        /// What the transport said.
        reason: String,
    },
    /// An HTTP status other than 2xx.
    #[error("{url}: HTTP {code}; the answer begins ‹{body_start}›")]
    Status {
        /// The URL asked.
        url: String,
        /// The status code.
        code: u16,
        /// The first bytes of the body, control characters escaped.
        body_start: String,
    },
    /// The answer is larger than the limit.
    #[error("{url}: the answer is larger than the limit of {limit} bytes ({seen})")]
    TooLarge {
        /// The URL asked.
        url: String,
        /// The limit.
        limit: usize,
        /// What was seen: the declared length, or how far reading went.
        seen: String,
    },
    /// The answer is not of the media type asked for.
    #[error("{url}: the answer is {}, not {expected}", got.as_deref().map_or("without a Content-Type".to_string(), |g| format!("`{g}`")))]
    ContentType {
        /// The URL asked.
        url: String,
        /// The media type asked for.
        expected: String,
        /// The `Content-Type` received, escaped.
        got: Option<String>,
    },
    /// The body is not the OQS message expected.
    #[error("{url}: the answer is not a valid {expected}: {error}")]
    Undecodable {
        /// The URL asked.
        url: String,
        /// Which message was expected.
        expected: String,
        /// The decoder's error, with its position.
        error: String,
    },
}

impl RegistryClient {
    /// A client of the registry at `base` (`http://127.0.0.1:8080`, or with a path prefix).
    /// Errors name what is wrong with `base` or the HTTP stack.
    pub fn new(
        base: &str,
        timeout: Duration,
        max_answer_bytes: usize,
    ) -> Result<RegistryClient, String> {
        let mut base = reqwest::Url::parse(base).map_err(|e| format!("`{base}`: {e}"))?;
        if base.scheme() != "http" && base.scheme() != "https" {
            return Err(format!("`{base}`: not an http:// URL"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(RegistryClient {
            base,
            timeout,
            max_answer_bytes,
            http,
        })
    }

    /// The URL of `path` (with or without a leading `/`) under the base.
    pub fn url(&self, path: &str) -> Result<reqwest::Url, RegistryFault> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| RegistryFault::Transport {
                url: format!("{}{}", self.base, neutralise(path)),
                reason: format!("not a path: {e}"),
            })
    }

    /// POSTs `body` as `content_type` to `path` and reads the answer, which must be 2xx and of
    /// the same media type.
    pub async fn exchange(
        &self,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<Answer, RegistryFault> {
        self.exchange_as(path, body, content_type, content_type)
            .await
    }

    /// POSTs `body` as `content_type` to `path` and reads the answer, which must be 2xx and of
    /// the media type `accept` (a JSON request answered in XML, as the terminal's confirm is).
    pub async fn exchange_as(
        &self,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        accept: &str,
    ) -> Result<Answer, RegistryFault> {
        self.ask(Ask {
            path,
            body: Some((body, content_type)),
            accept,
            authorization: None,
        })
        .await
    }

    /// Sends `ask` and reads the answer, which must be 2xx and of the media type `ask.accept`.
    pub async fn ask(&self, ask: Ask<'_>) -> Result<Answer, RegistryFault> {
        let Ask {
            path,
            body,
            accept,
            authorization,
        } = ask;
        let url = self.url(path)?;
        let shown = url.to_string();
        let start = Instant::now();
        let deadline = start + self.timeout;
        let timed_out = |stage: String| RegistryFault::Timeout {
            url: shown.clone(),
            after: self.timeout,
            stage,
        };
        let mut request = match body {
            Some((body, content_type)) => self
                .http
                .post(url)
                .header(CONTENT_TYPE, content_type)
                .body(body),
            None => self.http.get(url),
        };
        request = request.header(ACCEPT, accept);
        if let Some(token) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, token);
        }
        let send = request.send();
        let mut response = match timeout_at(deadline, send).await {
            Err(_) => return Err(timed_out("waiting for the answer's headers".into())),
            Ok(Err(e)) => return Err(send_fault(&shown, &e, self.timeout)),
            Ok(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        let content_type_got = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| neutralise(&String::from_utf8_lossy(v.as_bytes())));
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
        let ok = (200..300).contains(&status);
        let limit = if ok {
            self.max_answer_bytes
        } else {
            ERROR_BODY_SHOWN
        };
        if ok && declared.is_some_and(|d| d > self.max_answer_bytes as u64) {
            tracing::debug!(target: "onshi::registry", url = %shown, ?declared, "answer refused: larger than the limit");
            return Err(RegistryFault::TooLarge {
                url: shown,
                limit: self.max_answer_bytes,
                seen: format!("Content-Length {}", declared.unwrap_or_default()),
            });
        }
        let mut bytes = Vec::new();
        let mut over = false;
        loop {
            let chunk = match timeout_at(deadline, response.chunk()).await {
                Err(_) => {
                    return Err(timed_out(format!(
                        "reading the body: {} bytes had come",
                        bytes.len()
                    )));
                }
                Ok(Err(e)) => {
                    return Err(RegistryFault::Truncated {
                        url: shown,
                        received: bytes.len(),
                        reason: error_chain(&e),
                    });
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(c))) => c,
            };
            let room = limit - bytes.len();
            if chunk.len() > room {
                bytes.extend_from_slice(&chunk[..room]);
                over = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        let elapsed = start.elapsed();
        if !ok {
            let mut body_start = neutralise(&String::from_utf8_lossy(&bytes));
            if over {
                body_start.push('…');
            }
            return Err(RegistryFault::Status {
                url: shown,
                code: status,
                body_start,
            });
        }
        if over {
            return Err(RegistryFault::TooLarge {
                url: shown,
                limit,
                seen: format!("reading stopped at {limit} bytes"),
            });
        }
        if !same_media_type(content_type_got.as_deref(), accept) {
            return Err(RegistryFault::ContentType {
                url: shown,
                expected: accept.to_string(),
                got: content_type_got,
            });
        }
        tracing::debug!(target: "onshi::registry", url = %shown, status, bytes = bytes.len(), ?elapsed, "answer read");
        Ok(Answer {
            url: shown,
            status,
            content_type: content_type_got,
            bytes,
            elapsed,
        })
    }
}

impl Answer {
    /// The body decoded as the OQS message `M` (`what` names it in the fault, for example
    /// `資格確認結果 (OQSsiquc01res)`).
    pub fn decode<M: Message>(&self, what: &str) -> Result<M, RegistryFault> {
        M::decode(&self.bytes).map_err(|e: OqsError| RegistryFault::Undecodable {
            url: self.url.clone(),
            expected: what.to_string(),
            error: neutralise(&e.to_string()),
        })
    }
}

/// The fault of a request that got no answer.
fn send_fault(url: &str, e: &reqwest::Error, timeout: Duration) -> RegistryFault {
    if e.is_timeout() {
        return RegistryFault::Timeout {
            url: url.to_string(),
            after: timeout,
            stage: "connecting".into(),
        };
    }
    let refused = std::iter::successors(Some(e as &dyn std::error::Error), |e| e.source())
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
    if refused {
        RegistryFault::ConnectionRefused {
            url: url.to_string(),
        }
    } else {
        RegistryFault::Transport {
            url: url.to_string(),
            reason: error_chain(e),
        }
    }
}

/// An error and its sources on one line, escaped.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    neutralise(&parts.join(": "))
}

/// The media type of a `Content-Type` without its parameters, lower case; `text/xml` counts as
/// `application/xml`.
fn essence(content_type: &str) -> String {
    let t = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if t == "text/xml" {
        "application/xml".into()
    } else {
        t
    }
}

fn same_media_type(got: Option<&str>, expected: &str) -> bool {
    got.is_some_and(|g| essence(g) == essence(expected))
}

/// `text` with control characters, bidirectional controls and other invisible format
/// characters escaped (`\u{1b}`), so it prints as it is on one line.
pub fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let invisible = c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
        if invisible {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: HTTP {}, {} bytes of {} in {} ms",
            self.url,
            self.status,
            self.bytes.len(),
            self.content_type.as_deref().unwrap_or("no Content-Type"),
            self.elapsed.as_millis()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_compare_without_parameters() {
        assert!(same_media_type(
            Some("application/xml; charset=Shift_JIS"),
            "application/xml"
        ));
        assert!(same_media_type(Some("Text/XML"), "application/xml"));
        assert!(!same_media_type(
            Some("application/json"),
            "application/xml"
        ));
        assert!(!same_media_type(None, "application/xml"));
    }

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(
            neutralise("a\u{1b}[31mb\r\n\u{202E}c 漢字"),
            "a\\u{1b}[31mb\\u{d}\\u{a}\\u{202e}c 漢字"
        );
    }

    #[test]
    fn paths_join_under_the_base_prefix() {
        let c = RegistryClient::new("http://127.0.0.1:9/reg", DEFAULT_TIMEOUT, 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.url("/oqs/search").map(|u| u.to_string()),
            Ok("http://127.0.0.1:9/reg/oqs/search".to_string())
        );
        assert!(RegistryClient::new("ftp://x", DEFAULT_TIMEOUT, 10).is_err());
    }
}
