//! `GET /metrics` in the Prometheus text format, through the `metrics` facade and its
//! Prometheus recorder (installed once per process, on the first server built).
//!
//! What it holds:
//! - `sklad_http_requests_total{method,route,status}` and
//!   `sklad_http_request_duration_seconds{route}`: every request, by its route template
//!   (`/api/v1/goods/{id}`, never a value from the path; `unmatched` for the rest);
//! - `sklad_webhook_deliveries_total{outcome}` and `sklad_webhook_ack_seconds`: the
//!   webhook door (outcome `accepted`, `refused`, `unknown_path`, `error`);
//! - `sklad_order_imports_total{outcome}`: shop orders imported (`ok`, `warning`, …);
//! - `sklad_push_freshness_seconds`: from the commit that made a linked variant due to the
//!   shop accepting its value;
//! - `cloudcart_requests_total{shop,method,endpoint,status}`,
//!   `cloudcart_rate_limited_total{shop}`, `cloudcart_rate_budget_remaining{shop}`: the
//!   shop API as the client saw it;
//! - gauges read at each scrape: `sklad_inbox_waiting`, `sklad_outbox_waiting`,
//!   `sklad_links_due`, `sklad_needs_attention`, `sklad_workers_running`.
//!
//! Access follows [`MetricsAccess`]: open, behind a bearer token, or off (404). Nothing
//! secret is a label: shops appear by host, connections' keys and door tokens never.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

use crate::config::MetricsAccess;
use crate::AppState;

/// Histogram buckets of every `…_seconds` metric: from a fast acknowledgement to a push
/// held back by a rate limit.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 180.0, 600.0,
];

/// The process's Prometheus recorder, installed on first use; `None` when another
/// recorder was installed first (then `/metrics` answers 503).
pub fn recorder() -> Option<&'static PrometheusHandle> {
    static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    RECORDER
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!("metrics recorder not installed: {e}");
                    None
                }
            }
        })
        .as_ref()
}

/// The `/metrics` route.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/metrics", get(scrape))
}

/// Counts and times every request by its route template.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("sklad_http_requests_total",
        "method" => method, "route" => route.clone(), "status" => status)
    .increment(1);
    metrics::histogram!("sklad_http_request_duration_seconds", "route" => route)
        .record(started.elapsed());
    response
}

async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match &state.metrics {
        MetricsAccess::Off => return StatusCode::NOT_FOUND.into_response(),
        MetricsAccess::Token(token) if !bearer_matches(&headers, token) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            )
                .into_response();
        }
        _ => {}
    }
    let Some(handle) = recorder() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    match state.store.sync_backlog().await {
        Ok(backlog) => {
            metrics::gauge!("sklad_inbox_waiting").set(backlog.inbox_waiting as f64);
            metrics::gauge!("sklad_outbox_waiting").set(backlog.outbox_waiting as f64);
            metrics::gauge!("sklad_links_due").set(backlog.links_due as f64);
            metrics::gauge!("sklad_needs_attention").set(backlog.needs_attention as f64);
        }
        Err(e) => tracing::warn!(code = e.code(), "metrics: the backlog could not be read"),
    }
    metrics::gauge!("sklad_workers_running").set(if state.bridge.working() { 1.0 } else { 0.0 });
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle.render(),
    )
        .into_response()
}

/// Whether the request carries `Authorization: Bearer <token>`; digests are compared,
/// so the time taken says nothing about the token.
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes())
}
