//! The built `sklad serve` killed (`kill -9`) in the middle of its work with the shop,
//! then started again: an order whose delivery was stored but not imported is imported
//! once (issue 8, X2); a stock change whose write to the shop was in flight reaches the
//! shop (issue 9, G6). The shop is the CloudCart emulator on loopback; the connection is
//! set up through the REST API.

mod support;

use std::time::Duration;

use cloudcart_sim::{ApiFault, ClockMode, OrderRequest, ShopConfig, Sim, SimConfig};
use support::shop::{api, connect_shop, firm_with_owner, operations_by_shop_order, start_pushing};
use support::{serve_logged, wait_for_log};

const WAIT: Duration = Duration::from_secs(60);
const HOST: &str = "shop.localhost";

/// The emulator with `shop` on virtual time, a firm in a fresh data directory, the built
/// `sklad serve` on it with its log, and the shop connected through the API.
struct Started {
    sim: Sim,
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    firm: support::shop::Firm,
    server: support::Server,
    log: std::sync::mpsc::Receiver<String>,
    /// The address the server listens on (a restart takes the same).
    listen: String,
    http: reqwest::Client,
    connection: i64,
}

async fn start(shop: ShopConfig) -> Started {
    let sim = Sim::start(SimConfig {
        shops: vec![shop],
        clock: ClockMode::Virtual,
        ..SimConfig::default()
    })
    .await
    .expect("emulator");
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
    let connection = connect_shop(&http, &server.url, &firm.token, &sim.base_url(HOST), &key).await;
    Started {
        sim,
        _dir: dir,
        data,
        firm,
        server,
        log,
        listen,
        http,
        connection,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x2_killed_between_the_inbox_write_and_the_import_the_order_is_imported_once() {
    let Started {
        sim,
        _dir,
        data,
        firm,
        server,
        log,
        listen,
        ..
    } = start(ShopConfig::new(HOST).seed_products(3)).await;
    let host = HOST;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn g6_killed_with_a_write_to_the_shop_in_flight_the_shop_ends_with_the_right_value() {
    let mut shop = ShopConfig::new(HOST).seed_products(3);
    // The server's limiter runs on real time, the shop's window on virtual time.
    shop.rate_limit_per_minute = 100_000_000;
    let Started {
        sim,
        _dir,
        data,
        firm,
        server,
        log,
        listen,
        http,
        connection,
    } = start(shop).await;
    let host = HOST;
    start_pushing(&http, &server.url, &firm.token, connection).await;
    let variant = sim
        .control()
        .variants(host)
        .into_iter()
        .find(|v| v.quantity.is_some_and(|q| q >= 3.0))
        .expect("a variant with stock");
    let before = variant.quantity.unwrap();
    let sku = variant.sku.clone().unwrap();
    let base = format!("{}/api/v1", server.url);
    let good = api(
        &http,
        "GET",
        &format!("{base}/goods/by-code/{sku}"),
        &firm.token,
        None,
    )
    .await["id"]
        .as_i64()
        .expect("the imported good");
    let object = api(&http, "GET", &format!("{base}/objects"), &firm.token, None).await[0]["id"]
        .as_i64()
        .expect("an object");

    // The shop holds the next request (the write of the sale's new quantity) unanswered.
    sim.control()
        .inject_api_fault(
            host,
            ApiFault::Hang {
                seconds: 3600,
                count: 1,
            },
        )
        .unwrap();
    api(
        &http,
        "POST",
        &format!("{base}/operations"),
        &firm.token,
        Some(serde_json::json!({"kind": "sale", "object_id": object,
            "lines": [{"good_id": good, "quantity": 2, "unit_price": "9.00"}]})),
    )
    .await;
    let log = tokio::task::spawn_blocking(move || {
        wait_for_log(&log, &["writing quantities and prices to the shop"], WAIT);
        log
    })
    .await
    .unwrap();
    tokio::time::timeout(WAIT, sim.control().wait_for_held_requests(host, 1))
        .await
        .expect("the write reached the shop");
    // kill -9 with the write in flight. Whatever the shop makes of the orphaned write,
    // its quantity is put back as before the sale: only the restarted server can bring
    // the sale there.
    drop(server);
    drop(log);
    sim.control().clear_api_faults(host).unwrap();
    tokio::time::timeout(WAIT, sim.control().wait_for_held_requests(host, 0))
        .await
        .expect("the held write let go");
    sim.control()
        .set_variant_quantity(host, &sku, Some(before))
        .unwrap();
    let data_dir = data.clone();
    let (server, log) = tokio::task::spawn_blocking(move || serve_logged(&data_dir, &listen))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || {
        wait_for_log(&log, &["quantities and prices written to the shop"], WAIT)
    })
    .await
    .unwrap();
    let after = sim.control().variant(host, &sku).unwrap().quantity;
    assert_eq!(after, Some(before - 2.0));
    drop(server);
    sim.shutdown().await;
}
