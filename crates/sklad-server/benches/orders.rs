//! Orders from the shop (issue 8), figures printed as plain text with the machine:
//!
//! - webhook acknowledgements per second and their p50/p99 latency, 64 concurrent
//!   senders on keep-alive connections, each delivery written to the inbox durably
//!   before its 2xx — on SQLite and (when `SKLAD_TEST_DATABASE_URL` is set) PostgreSQL —
//!   and, in the same run, a bare axum handler answering 200, for the ratio; then, by
//!   turns, the receiver on a listener of its own (`webhook_listen`) and the shared one;
//! - triage: how fast the deliveries the flood left waiting are sorted out;
//! - order import latency, from the shop placing an order (its webhook on its way) to
//!   the operation committed, p50/p99, and orders imported per second, against the
//!   local emulator without a rate limit;
//! - the order poller's API calls on an idle shop (per poll, and per hour at the
//!   default 5-minute interval).
//!
//! Run with `cargo bench -p sklad-server --bench orders`; `SKLAD_BENCH_ACKS` and
//! `SKLAD_BENCH_ORDERS` lower the sizes for a quick look.

#[path = "../tests/api_support/mod.rs"]
mod api_support;

use sklad_bench::{env_usize, machine, ms, percentile};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use api_support::TestServer;
use cloudcart_sim::{ClockMode, OrderRequest, ShopConfig, Sim, SimConfig};
use sklad_domain::clock::Clock;
use sklad_domain::model::FirmInput;
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{Currency, Id};
use sklad_store::testing::TestDatabase;
use sklad_store::Engine;
use sklad_sync::JobKind;

const SENDERS: usize = 64;

/// A connected shop: the firm, the connection, the door's URL for `event` and the two
/// header values a genuine delivery carries.
struct Door {
    sim: Sim,
    host: String,
    firm: Id,
    connection: Id,
    key: String,
    header: String,
    urls: BTreeMap<String, String>,
}

async fn door(server: &TestServer) -> Door {
    let mut shop = ShopConfig::new("shop.localhost").seed_products(20);
    shop.rate_limit_per_minute = 100_000_000;
    let host = shop.host.clone();
    let sim = Sim::start(SimConfig {
        shops: vec![shop],
        clock: ClockMode::Virtual,
        ..SimConfig::default()
    })
    .await
    .expect("emulator");
    let store = &server.store;
    let firm = store
        .create_firm(&FirmInput {
            name: "Бенчмарк ООД".into(),
            eik: None,
            currency: Currency::Eur,
            vat_registered: true,
            seats: 3,
            allow_negative_stock: true,
        })
        .await
        .unwrap()
        .id;
    let key = sim.control().shops()[0].api_keys[0].clone();
    let connection = server
        .bridge
        .create_connection(
            firm,
            &ConnectionInput {
                name: "CloudCart".into(),
                shop_url: sim.base_url(&host),
                api_key: Some(key.clone()),
                active: true,
                currency: Some(Currency::Eur),
                prices_with_vat: true,
            },
            "bench",
        )
        .await
        .unwrap()
        .id;
    let c = store
        .create_special_goods(firm, connection, "bench")
        .await
        .unwrap();
    let wait = |job: sklad_store::shops::ShopJob| {
        let bridge = server.bridge.clone();
        async move {
            bridge
                .wait_job(firm, job.id, Duration::from_secs(120))
                .await
                .unwrap()
        }
    };
    let test = store
        .latest_shop_job(firm, connection, "test", false)
        .await
        .unwrap()
        .unwrap();
    wait(test).await;
    let cash = store.payment_types(firm).await.unwrap()[0].id;
    let mapping = store
        .shop_payments(firm, connection)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.provider, Some(cash)))
        .collect();
    store
        .save_shop_settings(firm, connection, &c.settings, &mapping, "bench")
        .await
        .unwrap();
    for kind in [JobKind::Import, JobKind::Webhooks] {
        let job = server
            .bridge
            .start_job(firm, connection, kind, false, "bench")
            .await
            .unwrap();
        assert_eq!(wait(job).await.status, "done");
    }
    let hooks: serde_json::Value = reqwest::Client::new()
        .get(format!("http://{}/api/v2/webhooks", sim.addr()))
        .header("Host", host.clone())
        .header("X-CloudCart-ApiKey", key.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut urls = BTreeMap::new();
    let mut header = String::new();
    for h in hooks["data"].as_array().unwrap() {
        let a = &h["attributes"];
        urls.insert(
            a["event"].as_str().unwrap().to_owned(),
            a["url"].as_str().unwrap().to_owned(),
        );
        header = a["request_headers"]["X-Sklad-Hook"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    Door {
        sim,
        host,
        firm,
        connection,
        key,
        header,
        urls,
    }
}

/// `total` deliveries from 64 concurrent senders to `url`: (acks per second, sorted
/// latencies).
async fn hammer(url: &str, key: &str, header: &str, total: usize) -> (f64, Vec<Duration>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(SENDERS)
        .build()
        .unwrap();
    let per_sender = total / SENDERS;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let (client, url, key, header) = (
            client.clone(),
            url.to_owned(),
            key.to_owned(),
            header.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_sender);
            for i in 0..per_sender {
                let body = format!(
                    "[{{\"id\":{},\"name\":\"Продукт {s}-{i}\",\"updated_at\":\"2026-11-30 10:00:00\"}}]",
                    s * per_sender + i
                );
                let t = Instant::now();
                let answer = client
                    .post(&url)
                    .header("X-CloudCart-ApiKey", &key)
                    .header("X-Sklad-Hook", &header)
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("delivery");
                assert!(answer.status().is_success(), "{}", answer.status());
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    (all.len() as f64 / elapsed.as_secs_f64(), all)
}

/// A bare axum handler answering 200 to the same requests.
async fn bare(total: usize) -> f64 {
    let app = axum::Router::new().route(
        "/hooks/{a}/{b}",
        axum::routing::post(|_body: axum::body::Bytes| async { axum::http::StatusCode::OK }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let (rate, _) = hammer(
        &format!("http://{addr}/hooks/x/product-updated"),
        "k",
        "h",
        total,
    )
    .await;
    task.abort();
    rate
}

async fn acks(engine: Engine, total: usize, bare_rate: f64) {
    let Some(db) = TestDatabase::fresh(engine).await else {
        println!(
            "acks on {}: skipped (SKLAD_TEST_DATABASE_URL unset)",
            engine.key()
        );
        return;
    };
    let (server, task) = api_support::start(db.url()).await;
    let door = door(&server).await;
    let url = &door.urls["product.updated"];
    let (rate, latencies) = hammer(url, &door.key, &door.header, total).await;
    println!(
        "webhook acks on {}: {:.0}/s, p50 {}, p99 {} ({} deliveries, {SENDERS} senders; target ≥ 5000/s, p99 ≤ 10 ms); bare axum 200: {:.0}/s; ratio {:.2}",
        engine.key(),
        rate,
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        latencies.len(),
        bare_rate,
        rate / bare_rate
    );
    triage_drain(&server, engine).await;
    // The receiver on its own listener against the shared one, by turns (so warm-up and
    // the background work the deliveries cause weigh on both alike).
    let own = own_listener(&server).await;
    let own_url = url.replace(&server.base, &format!("http://{own}"));
    let (mut shared_rates, mut own_rates) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        own_rates.push(hammer(&own_url, &door.key, &door.header, total).await.0);
        shared_rates.push(hammer(url, &door.key, &door.header, total).await.0);
    }
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    println!(
        "webhook acks on {}, by turns: own listener (webhook_listen) {:.0}/s and {:.0}/s, shared with the back office {:.0}/s and {:.0}/s; ratio of the means {:.2}",
        engine.key(),
        own_rates[0],
        own_rates[1],
        shared_rates[0],
        shared_rates[1],
        mean(&own_rates) / mean(&shared_rates)
    );
    imports(&server, &door, env_usize("SKLAD_BENCH_ORDERS", 200), engine).await;
    task.abort();
    server.store.close().await;
}

/// How fast the bridge triages what the flood of deliveries left in the inbox: the
/// deliveries still waiting when the senders stop, and the time until none is (bounded
/// at two minutes).
async fn triage_drain(server: &TestServer, engine: Engine) {
    let waiting = || async {
        server
            .store
            .sync_backlog()
            .await
            .expect("backlog")
            .inbox_waiting
    };
    let start = Instant::now();
    let left = waiting().await;
    let mut now = left;
    while now > 0 && start.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(10)).await;
        now = waiting().await;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "triage on {}: {left} deliveries waiting when the senders stopped, {} left after {seconds:.2} s = {:.0} deliveries triaged per second",
        engine.key(),
        now,
        (left - now) as f64 / seconds
    );
}

/// The webhook receiver alone (`sklad_server::webhook_app`) on a listener of its own,
/// over the server's store and bridge, as `webhook_listen` runs it; its address.
async fn own_listener(server: &TestServer) -> std::net::SocketAddr {
    let state = sklad_server::AppState::new(
        server.store.clone(),
        std::sync::Arc::new(server.clock.clone()),
        server.bridge.clone(),
    );
    let app = sklad_server::webhook_app(state, sklad_server::config::DEFAULT_BODY_LIMIT);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Places orders one at a time and waits for each to be imported (latency), then a
/// burst (throughput).
async fn imports(server: &TestServer, door: &Door, orders: usize, engine: Engine) {
    let control = door.sim.control();
    let skus: Vec<String> = control
        .variants(&door.host)
        .iter()
        .filter_map(|v| v.sku.clone())
        .take(5)
        .collect();
    let imported = |id: String| {
        let store = server.store.clone();
        let (firm, connection) = (door.firm, door.connection);
        async move {
            store
                .shop_order(firm, connection, &id)
                .await
                .is_ok_and(|r| r.state == "imported" && !r.dirty)
        }
    };
    let mut latencies = Vec::new();
    for i in 0..orders.min(100) {
        let sku = &skus[i % skus.len()];
        let t = Instant::now();
        let id = control
            .place_order(
                &door.host,
                &OrderRequest::person("bench@example.bg", &[(sku, 1)]),
            )
            .unwrap()
            .to_string();
        while !imported(id.clone()).await {
            server
                .bridge
                .wait_for_activity(Duration::from_millis(2))
                .await;
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "order {id} not imported"
            );
        }
        latencies.push(t.elapsed());
    }
    latencies.sort();
    let started = Instant::now();
    let mut ids = Vec::new();
    for i in 0..orders {
        let sku = &skus[i % skus.len()];
        ids.push(
            control
                .place_order(
                    &door.host,
                    &OrderRequest::person(&format!("b{i}@example.bg"), &[(sku, 1)]),
                )
                .unwrap()
                .to_string(),
        );
    }
    for id in &ids {
        while !imported(id.clone()).await {
            server
                .bridge
                .wait_for_activity(Duration::from_millis(5))
                .await;
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "burst not imported"
            );
        }
    }
    let burst = started.elapsed();
    println!(
        "order import on {}: delivery → operation committed p50 {}, p99 {} ({} orders one at a time; target p99 ≤ 100 ms); a burst of {} orders in {:.1} s = {:.0} orders/s",
        engine.key(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        latencies.len(),
        ids.len(),
        burst.as_secs_f64(),
        ids.len() as f64 / burst.as_secs_f64()
    );
}

/// The poller's API calls on an idle shop: polls on virtual time, requests counted by
/// the shop's limiter (its window never slides on the virtual client clock).
async fn poller_calls() {
    let db = TestDatabase::sqlite();
    let (server, task) = api_support::start(db.url()).await;
    let door = door(&server).await;
    // Let the go-live poll and everything else settle first.
    for _ in 0..3 {
        server.clock.advance(jiff::SignedDuration::from_mins(6));
        server.bridge.tick().await.unwrap();
        server
            .bridge
            .wait_for_activity(Duration::from_millis(200))
            .await;
    }
    let before = server.bridge.rate_budget(&door.host).unwrap().in_window;
    let polls = 12;
    for _ in 0..polls {
        server.clock.advance(jiff::SignedDuration::from_mins(5));
        server.bridge.tick().await.unwrap();
        // The poll runs in the background: wait until its checkpoint moves.
        for _ in 0..100 {
            let (_, at) = server
                .store
                .orders_checkpoint(door.connection)
                .await
                .unwrap();
            if at == Some(server.clock.now()) {
                break;
            }
            server
                .bridge
                .wait_for_activity(Duration::from_millis(20))
                .await;
        }
    }
    let calls = server.bridge.rate_budget(&door.host).unwrap().in_window - before;
    println!(
        "order poller on an idle shop: {calls} API calls in {polls} polls = {:.1} per poll, {:.0} per hour at one poll every 5 minutes (target: one cheap request per poll)",
        f64::from(calls) / polls as f64,
        f64::from(calls) / polls as f64 * 12.0
    );
    task.abort();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let total = env_usize("SKLAD_BENCH_ACKS", 20_000);
    println!("machine: {}", machine());
    let bare_rate = bare(total).await;
    acks(Engine::Sqlite, total, bare_rate).await;
    acks(Engine::Postgres, total, bare_rate).await;
    poller_calls().await;
}
