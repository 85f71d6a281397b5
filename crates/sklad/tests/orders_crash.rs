//! The built `sklad serve` killed (`kill -9`) between a delivery's durable write and the
//! order's import: after a restart the order is imported, once (issue 8, X2). The shop
//! is the CloudCart emulator on loopback; the connection is set up through the REST API.

mod support;

use std::time::Duration;

use cloudcart_sim::{ApiFault, ClockMode, OrderRequest, ShopConfig, Sim, SimConfig};
use support::shop::{connect_shop, firm_with_owner, operations_by_shop_order};
use support::{serve_logged, wait_for_log};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x2_killed_between_the_inbox_write_and_the_import_the_order_is_imported_once() {
    let sim = Sim::start(SimConfig {
        shops: vec![ShopConfig::new("shop.localhost").seed_products(3)],
        clock: ClockMode::Virtual,
        ..SimConfig::default()
    })
    .await
    .expect("emulator");
    let host = "shop.localhost";
    let key = sim.control().shops()[0].api_keys[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let firm = firm_with_owner(&data, None, "Срив ООД");

    let data_dir = data.clone();
    let (server, log) = tokio::task::spawn_blocking(move || serve_logged(&data_dir, "127.0.0.1:0"))
        .await
        .unwrap();
    let listen = server.url.trim_start_matches("http://").to_owned();
    let http = reqwest::Client::new();
    connect_shop(&http, &server.url, &firm.token, &sim.base_url(host), &key).await;

    // The shop answers 503 to every read: the delivery is stored, the import cannot run.
    sim.control()
        .inject_api_fault(
            host,
            ApiFault::Status {
                status: 503,
                count: 10_000,
            },
        )
        .unwrap();
    let sku = sim.control().variants(host)[0].sku.clone().unwrap();
    let order = sim
        .control()
        .place_order(
            host,
            &OrderRequest::person("crash@example.bg", &[(&sku, 1)]),
        )
        .unwrap()
        .to_string();
    let log = tokio::task::spawn_blocking(move || {
        wait_for_log(&log, &["order import put off"], WAIT);
        log
    })
    .await
    .unwrap();
    let delivered = sim.control().deliveries(host);
    assert!(
        delivered.iter().any(|d| d.status == Some(202)),
        "{delivered:?}"
    );
    // kill -9 (std's kill is SIGKILL), then the shop comes back, then the server on the
    // same address: the same instance, which takes back at once its shop's lease and the
    // order its killed process had claimed.
    drop(server);
    drop(log);
    sim.control().clear_api_faults(host).unwrap();
    let data_dir = data.clone();
    let (server, log) = tokio::task::spawn_blocking(move || serve_logged(&data_dir, &listen))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || wait_for_log(&log, &["order imported"], WAIT))
        .await
        .unwrap();
    // A new client: the old one's pooled connections went down with the killed process.
    let http = reqwest::Client::new();
    let operations = operations_by_shop_order(&http, &server.url, &firm.token).await;
    assert_eq!(
        operations.get(&order).map(Vec::len),
        Some(1),
        "{operations:?}"
    );
    assert_eq!(operations.len(), 1, "{operations:?}");
    drop(server);
    sim.shutdown().await;
}
