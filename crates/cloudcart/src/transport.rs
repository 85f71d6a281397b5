//! Sending one request: rate-limit slot, headers, retries with backoff, and the mapping of
//! every failure to a typed [`Error`].

use crate::config::ClientConfig;
use crate::error::{Error, Problem};
use crate::jsonapi::ErrorDocument;
use crate::limiter::{Priority, RateLimiter};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use std::sync::Arc;
use std::time::Duration;

/// The JSON:API media type.
pub const JSON_API: &str = "application/vnd.api+json";

/// The header carrying the API key.
pub const API_KEY_HEADER: &str = "X-CloudCart-ApiKey";

/// Longest `Retry-After` honoured (a larger value is read as this).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// A successful (2xx) response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub body: Vec<u8>,
}

/// Whether the request addressed a collection (a 404 then means the host is unknown) or
/// a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Collection,
    Record,
}

/// One request to send.
pub(crate) struct Request<'a> {
    pub method: Method,
    pub segments: &'a [&'a str],
    pub query: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    pub priority: Priority,
    pub target: Target,
}

pub(crate) struct Transport {
    http: reqwest::Client,
    config: ClientConfig,
    limiter: Arc<RateLimiter>,
    api_key: HeaderValue,
}

enum Attempt {
    Done(Result<Reply, Error>),
    Retry(Error),
    RateLimited(Duration),
}

impl Transport {
    pub fn new(config: ClientConfig, limiter: Option<Arc<RateLimiter>>) -> Result<Self, Error> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none());
        if let Some(addr) = config.resolve {
            builder = builder.resolve(&config.host(), addr);
        }
        let http = builder.build().map_err(|e| {
            Error::config(
                format!("the HTTP client could not be built ({e})"),
                format!("HTTP клиентът не може да бъде създаден ({e})"),
            )
        })?;
        let mut api_key = HeaderValue::from_str(config.api_key.expose()).map_err(|_| {
            Error::config(
                "the API key cannot be sent in a header",
                "API ключът не може да се изпрати в заглавка",
            )
        })?;
        api_key.set_sensitive(true);
        let limiter = limiter.unwrap_or_else(|| RateLimiter::new(config.clock.clone()));
        Ok(Self {
            http,
            config,
            limiter,
            api_key,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.limiter
    }

    fn url(&self, req: &Request<'_>) -> Result<url::Url, Error> {
        let mut url = self.config.base_url.clone();
        {
            let mut segs = url.path_segments_mut().map_err(|()| {
                Error::config("the shop address cannot hold a path", "адресът няма път")
            })?;
            segs.pop_if_empty();
            for s in req.segments {
                if s.is_empty() || *s == "." || *s == ".." {
                    return Err(Error::InvalidInput {
                        field: "id",
                        reason: format!("{s:?} is not a valid identifier"),
                    });
                }
                segs.push(s);
            }
        }
        if !req.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&req.query);
        }
        Ok(url)
    }

    /// Sends `req` with the limiter, retries and error mapping.
    pub async fn send(&self, req: Request<'_>) -> Result<Reply, Error> {
        let url = self.url(&req)?;
        let path = url.path().to_owned();
        let retry = self.config.retry;
        let mut attempt = 0u32;
        let mut rate_waits = 0u32;
        // Each pass either returns, counts an attempt, or counts a rate-limit wait; both
        // counters are bounded, so the loop is too.
        loop {
            let permit = self.limiter.acquire(req.priority).await?;
            let outcome = self.attempt(&req, &url, &path).await;
            drop(permit);
            match outcome {
                Attempt::Done(result) => return result,
                Attempt::RateLimited(wait) => {
                    rate_waits += 1;
                    if rate_waits > retry.max_rate_limit_waits {
                        return Err(Error::RateLimited { retry_after: wait });
                    }
                    tracing::warn!(%path, wait_s = wait.as_secs(), "CloudCart 429; waiting");
                }
                Attempt::Retry(error) => {
                    attempt += 1;
                    if attempt >= retry.max_attempts.max(1) {
                        return Err(error);
                    }
                    let pause = retry.backoff(attempt);
                    tracing::warn!(%path, attempt, pause_ms = pause.as_millis() as u64,
                        code = error.code(), "CloudCart request failed; retrying");
                    let clock = &self.config.clock;
                    clock.sleep_until(clock.now() + pause).await;
                }
            }
        }
    }

    async fn attempt(&self, req: &Request<'_>, url: &url::Url, path: &str) -> Attempt {
        let mut builder = self
            .http
            .request(req.method.clone(), url.clone())
            .header(API_KEY_HEADER, self.api_key.clone())
            .header(ACCEPT, JSON_API);
        if let Some(body) = &req.body {
            builder = builder
                .header(CONTENT_TYPE, JSON_API)
                .body(body.to_string());
        }
        // A request that may have reached the shop is repeated only when repeating it is
        // harmless (GET, PATCH, DELETE); a POST is repeated only when it surely did not
        // arrive (connection refused) or the shop was in maintenance (503).
        let repeatable = req.method != Method::POST;
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                self.count(req, "unreachable");
                if repeatable || e.is_connect() {
                    return Attempt::Retry(transport_error(&e));
                }
                return Attempt::Done(Err(transport_error(&e)));
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.count(req, &status.to_string());
        let remaining = header_u32(&headers, "x-ratelimit-remaining");
        self.limiter
            .observe(header_u32(&headers, "x-ratelimit-limit"), remaining);
        if let Some(remaining) = remaining {
            metrics::gauge!("cloudcart_rate_budget_remaining", "shop" => self.config.host())
                .set(f64::from(remaining));
        }
        if status == 429 {
            metrics::counter!("cloudcart_rate_limited_total", "shop" => self.config.host())
                .increment(1);
        }
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) if repeatable => return Attempt::Retry(transport_error(&e)),
            Err(e) => return Attempt::Done(Err(transport_error(&e))),
        };
        tracing::debug!(method = %req.method, %path, status, "CloudCart response");
        if (200..300).contains(&status) {
            return Attempt::Done(Ok(Reply { body }));
        }
        if status == 429 {
            return self.rate_limited(&headers, &body);
        }
        if status == 403 && !is_json(&headers, &body) {
            self.limiter.block_for(self.config.retry.anti_abuse_backoff);
            return Attempt::Done(Err(Error::AntiAbuse { status }));
        }
        let error = map_status(status, &body, path, req.target, &self.config.host());
        if status >= 500 && (repeatable || status == 503) {
            Attempt::Retry(error)
        } else {
            Attempt::Done(Err(error))
        }
    }

    /// Counts a request in `cloudcart_requests_total` by shop, method, endpoint (ids
    /// as `{id}`, so the label set stays small) and status (`unreachable` without an
    /// answer).
    fn count(&self, req: &Request<'_>, status: &str) {
        metrics::counter!(
            "cloudcart_requests_total",
            "shop" => self.config.host(),
            "method" => req.method.to_string(),
            "endpoint" => endpoint_label(req.segments),
            "status" => status.to_owned(),
        )
        .increment(1);
    }

    fn rate_limited(&self, headers: &HeaderMap, body: &[u8]) -> Attempt {
        if !is_json(headers, body) {
            self.limiter.block_for(self.config.retry.anti_abuse_backoff);
            return Attempt::Done(Err(Error::AntiAbuse { status: 429 }));
        }
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Body {
            message: Option<String>,
        }
        let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
        let no_api = parsed
            .message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("do not have api access"))
            || header_u32(headers, "x-ratelimit-limit") == Some(0);
        if no_api {
            self.limiter.learn_no_api();
            return Attempt::Done(Err(Error::NoApiOnPlan));
        }
        let wait = header_u32(headers, "retry-after")
            .map(|s| Duration::from_secs(u64::from(s)))
            .unwrap_or(crate::limiter::WINDOW)
            .min(MAX_RETRY_AFTER);
        self.limiter.block_for(wait);
        Attempt::RateLimited(wait)
    }
}

/// The request's path with every id replaced by `{id}`: `variants/{id}`.
fn endpoint_label(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|s| {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn header_u32(headers: &HeaderMap, name: &str) -> Option<u32> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn is_json(headers: &HeaderMap, body: &[u8]) -> bool {
    let ct_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    let starts_json = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[');
    ct_json || starts_json
}

fn transport_error(e: &reqwest::Error) -> Error {
    let reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        // reqwest errors name the URL, never headers, so the key cannot leak here.
        e.to_string()
    };
    Error::Unavailable {
        status: None,
        reason,
    }
}

/// Maps a non-2xx, non-429 response to an error.
pub(crate) fn map_status(
    status: u16,
    body: &[u8],
    path: &str,
    target: Target,
    host: &str,
) -> Error {
    let doc: ErrorDocument = serde_json::from_slice(body).unwrap_or_default();
    let first = doc.errors.first();
    let detail = first.and_then(|e| e.detail.clone());
    let title = first.and_then(|e| e.title.clone());
    let app_absent = detail
        .as_deref()
        .is_some_and(|d| d.to_ascii_lowercase().contains("app not installed"));
    match status {
        401 => Error::Unauthorized,
        402 => Error::PlanLimit { detail },
        404 | 400 | 422 if app_absent => Error::FeatureAbsent {
            detail: detail.unwrap_or_default(),
        },
        404 => match target {
            Target::Collection => Error::UnknownShop {
                host: host.to_owned(),
            },
            Target::Record => Error::NotFound {
                path: path.to_owned(),
            },
        },
        400 | 422 => Error::Validation {
            status,
            problems: if doc.errors.is_empty() {
                vec![Problem {
                    pointer: None,
                    parameter: None,
                    title: title.unwrap_or_else(|| format!("HTTP {status}")),
                    detail: None,
                }]
            } else {
                doc.errors.iter().map(Problem::from).collect()
            },
        },
        500..=599 => {
            let log_id = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| {
                    v.get("details")
                        .cloned()
                        .or_else(|| v.get("errors")?.get(0)?.get("details").cloned())
                })
                .map(|d| match d {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                });
            let mut reason = title.clone().unwrap_or_else(|| format!("HTTP {status}"));
            if let Some(d) = &detail {
                reason.push_str(": ");
                reason.push_str(d);
            }
            if let Some(id) = log_id {
                reason.push_str(&format!(" (support log id {id})"));
            }
            Error::Unavailable {
                status: Some(status),
                reason,
            }
        }
        _ => Error::Rejected {
            status,
            text: [title, detail]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str, target: Target) -> Error {
        map_status(
            status,
            body.as_bytes(),
            "/api/v2/variants/1",
            target,
            "shop.bg",
        )
    }

    #[test]
    fn statuses_map_to_typed_errors() {
        assert_eq!(
            map(
                401,
                r#"{"errors":[{"status":"401","title":"Unauthenticated"}]}"#,
                Target::Record
            ),
            Error::Unauthorized
        );
        assert_eq!(
            map(404, "", Target::Collection),
            Error::UnknownShop {
                host: "shop.bg".into()
            }
        );
        assert_eq!(
            map(404, "", Target::Record),
            Error::NotFound {
                path: "/api/v2/variants/1".into()
            }
        );
        assert_eq!(
            map(
                404,
                r#"{"errors":[{"status":"404","title":"Not Found","detail":"stores app not installed"}]}"#,
                Target::Collection
            ),
            Error::FeatureAbsent {
                detail: "stores app not installed".into()
            }
        );
        assert_eq!(
            map(
                422,
                r#"{"errors":[{"status":"422","detail":"Units app not installed"}]}"#,
                Target::Record
            ),
            Error::FeatureAbsent {
                detail: "Units app not installed".into()
            }
        );
        assert_eq!(
            map(
                402,
                r#"{"errors":[{"status":"402","title":"Payment Required","detail":"Plan expired"}]}"#,
                Target::Record
            ),
            Error::PlanLimit {
                detail: Some("Plan expired".into())
            }
        );
        match map(
            422,
            r#"{"errors":[{"status":"422","title":"Unprocessable Entity","detail":"The qty field is required.","source":{"pointer":"/data/attributes/qty"}},{"title":"Bad","source":{"parameter":"page[size]"}}]}"#,
            Target::Record,
        ) {
            Error::Validation {
                status: 422,
                problems,
            } => {
                assert_eq!(problems.len(), 2);
                assert_eq!(problems[0].pointer.as_deref(), Some("/data/attributes/qty"));
                assert_eq!(problems[1].parameter.as_deref(), Some("page[size]"));
            }
            other => panic!("{other:?}"),
        }
        match map(400, "not json", Target::Collection) {
            Error::Validation {
                status: 400,
                problems,
            } => assert_eq!(problems.len(), 1),
            other => panic!("{other:?}"),
        }
        match map(
            500,
            r#"{"errors":[{"status":"500","title":"Server Error"}],"details":"log-77"}"#,
            Target::Record,
        ) {
            Error::Unavailable {
                status: Some(500),
                reason,
            } => assert!(reason.contains("log-77"), "{reason}"),
            other => panic!("{other:?}"),
        }
        match map(
            503,
            r#"{"errors":[{"status":"503","title":"Maintenance mode","detail":"Try again few minutes later"}]}"#,
            Target::Record,
        ) {
            Error::Unavailable {
                status: Some(503),
                reason,
            } => assert!(reason.contains("Maintenance")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            map(
                405,
                r#"{"errors":[{"title":"Method Not Allowed"}]}"#,
                Target::Record
            ),
            Error::Rejected {
                status: 405,
                text: "Method Not Allowed".into()
            }
        );
    }
}
