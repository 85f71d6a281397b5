//! Issue 10: `GET /metrics` in the Prometheus text format, parsed by a Prometheus
//! text-format parser: requests by route template and status, the webhook door's
//! outcomes, the bridge's backlog gauges; open, behind a bearer token, or off.

mod api_support;

use api_support::TestServer;
use prometheus_parse::{Sample, Scrape, Value};
use reqwest::StatusCode;
use sklad_server::MetricsAccess;

/// Scrapes `/metrics` with `token` (if any), expecting `status`; the parsed body when 200.
async fn scrape(server: &TestServer, token: Option<&str>, status: StatusCode) -> Option<Scrape> {
    let mut request = server.http.get(format!("{}/metrics", server.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.expect("scrape");
    assert_eq!(answer.status(), status);
    if status != StatusCode::OK {
        return None;
    }
    let kind = answer.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = answer.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    Some(Scrape::parse(lines).expect("the Prometheus text format"))
}

/// The samples of `name` whose labels include every `(label, value)`.
fn samples<'a>(scrape: &'a Scrape, name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect()
}

fn counted(sample: &Sample) -> f64 {
    match &sample.value {
        Value::Counter(n) | Value::Gauge(n) | Value::Untyped(n) => *n,
        Value::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
        Value::Summary(_) => 0.0,
    }
}

async fn requests_webhooks_and_backlog_are_scraped(server: TestServer) {
    let tenant = server.tenant("Метрики", "owner").await;
    for _ in 0..3 {
        server.get_ok("/goods", &tenant.token).await;
    }
    let stale = server
        .http
        .post(format!(
            "{}/hooks/cloudcart/no-such-door/order-created",
            server.base
        ))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);

    let scrape = scrape(&server, None, StatusCode::OK).await.unwrap();
    let goods = samples(
        &scrape,
        "sklad_http_requests_total",
        &[
            ("route", "/api/v1/goods"),
            ("method", "GET"),
            ("status", "200"),
        ],
    );
    assert!(
        goods.iter().map(|s| counted(s)).sum::<f64>() >= 3.0,
        "{goods:?}"
    );
    // The route template, never the door's token.
    let doors = samples(&scrape, "sklad_http_requests_total", &[("status", "404")]);
    assert!(
        doors
            .iter()
            .all(|s| !s.labels.values().any(|v| v.contains("no-such-door"))),
        "{doors:?}"
    );
    let stale = samples(
        &scrape,
        "sklad_webhook_deliveries_total",
        &[("outcome", "unknown_path")],
    );
    assert!(stale.iter().map(|s| counted(s)).sum::<f64>() >= 1.0);
    let durations = samples(
        &scrape,
        "sklad_http_request_duration_seconds",
        &[("route", "/api/v1/goods")],
    );
    assert!(
        durations
            .iter()
            .any(|s| matches!(s.value, Value::Histogram(_)) && counted(s) >= 3.0),
        "{durations:?}"
    );
    for gauge in [
        "sklad_inbox_waiting",
        "sklad_outbox_waiting",
        "sklad_links_due",
        "sklad_needs_attention",
        "sklad_workers_running",
    ] {
        let found = samples(&scrape, gauge, &[]);
        assert!(
            matches!(found.first().map(|s| &s.value), Some(Value::Gauge(_))),
            "{gauge}: {found:?}"
        );
    }
}

on_both_engines!(requests_webhooks_and_backlog_are_scraped);

/// Behind a token: 401 without it or with another; off: 404 for everyone.
#[tokio::test]
async fn the_token_guards_metrics_and_off_removes_them() {
    let Some(db) = sklad_store::testing::TestDatabase::fresh(sklad_store::Engine::Sqlite).await
    else {
        return;
    };
    let limit = sklad_server::config::DEFAULT_BODY_LIMIT;
    let token = "scrape-7c1e0b9d";
    let (guarded, task) =
        api_support::start_with(db.url(), limit, MetricsAccess::Token(token.into())).await;
    scrape(&guarded, None, StatusCode::UNAUTHORIZED).await;
    scrape(&guarded, Some("wrong"), StatusCode::UNAUTHORIZED).await;
    let scraped = scrape(&guarded, Some(token), StatusCode::OK).await.unwrap();
    assert!(!samples(&scraped, "sklad_workers_running", &[]).is_empty());
    task.abort();
    guarded.store.close().await;

    let (off, task) = api_support::start_with(db.url(), limit, MetricsAccess::Off).await;
    scrape(&off, None, StatusCode::NOT_FOUND).await;
    scrape(&off, Some(token), StatusCode::NOT_FOUND).await;
    task.abort();
    off.store.close().await;
}
