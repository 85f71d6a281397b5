//! Two `sklad serve` processes on one PostgreSQL database behind a load balancer share
//! the webhook deliveries of 1 000 shop orders: every delivery is acknowledged, every
//! order becomes exactly one operation (issue 8, X2). The shop is the CloudCart emulator;
//! the test plays the balancer, sending each delivery the shop would send to one server
//! or the other.

mod support;

use std::sync::mpsc;
use std::time::Duration;

use cloudcart_sim::{ClockMode, OrderRequest, ShopConfig, Sim, SimConfig, WebhookFaults};
use sklad_store::testing::TestDatabase;
use support::serve_logged_on;
use support::shop::{connect_shop, firm_with_owner, operations_by_shop_order};

const ORDERS: usize = 1000;
const SENDERS: usize = 32;

/// Waits (at most `within`) until `n` lines of `log` contain `words`.
fn wait_for_lines(log: &mpsc::Receiver<String>, words: &str, n: usize, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    let mut seen = 0;
    while seen < n {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match log.recv_timeout(left) {
            Ok(line) if line.contains(words) => seen += 1,
            Ok(_) => {}
            Err(_) => panic!("{seen} of {n} lines with {words:?} within {within:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x2_two_servers_on_one_postgresql_import_each_of_1000_orders_once() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    let url = db.url().to_owned();
    let host = "shop.localhost";
    let mut shop = ShopConfig::new(host).seed_products(3);
    shop.rate_limit_per_minute = 100_000_000;
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
    let firm = firm_with_owner(&data, Some(&url), "Двама ООД");

    // One after the other: the first creates the key file both use.
    let (merged_tx, merged) = mpsc::channel();
    let mut servers = Vec::new();
    for _ in 0..2 {
        let (data, url) = (data.clone(), url.clone());
        let (server, log) =
            tokio::task::spawn_blocking(move || serve_logged_on(&data, Some(&url), "127.0.0.1:0"))
                .await
                .unwrap();
        let tx = merged_tx.clone();
        std::thread::spawn(move || log.iter().try_for_each(|line| tx.send(line)));
        servers.push(server);
    }
    let http = reqwest::Client::new();
    connect_shop(
        &http,
        &servers[0].url,
        &firm.token,
        &sim.base_url(host),
        &key,
    )
    .await;

    // The shop's deliveries are held and handed to the test, which sends every other one
    // to the second server.
    let control = sim.control();
    let skus: Vec<String> = control
        .variants(host)
        .into_iter()
        .filter_map(|v| v.sku)
        .collect();
    for sku in &skus {
        control.set_variant_quantity(host, sku, None).unwrap();
    }
    control.flush_webhooks().await;
    control
        .set_webhook_faults(
            host,
            WebhookFaults {
                hold_for_reorder: true,
                ..WebhookFaults::default()
            },
        )
        .unwrap();
    let mut placed = std::collections::BTreeSet::new();
    for i in 0..ORDERS {
        let sku = &skus[i % skus.len()];
        let email = format!("buyer{}@example.bg", i % 50);
        let order = control
            .place_order(
                host,
                &OrderRequest::person(&email, &[(sku.as_str(), 1 + (i % 3) as i64)]),
            )
            .unwrap();
        placed.insert(order.to_string());
    }
    let held = control.take_held_webhooks(host).unwrap();
    assert_eq!(held.len(), ORDERS, "one order.created each");
    let bases: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let mut senders = tokio::task::JoinSet::new();
    for sender in 0..SENDERS {
        let http = http.clone();
        let mine: Vec<(usize, cloudcart_sim::HeldDelivery)> = held
            .iter()
            .cloned()
            .enumerate()
            .filter(|(i, _)| i % SENDERS == sender)
            .collect();
        let bases = bases.clone();
        senders.spawn(async move {
            for (i, delivery) in mine {
                // The subscription names whichever server ran K4; the balancer
                // decides who gets the delivery.
                let path = &delivery.url[delivery.url.find("/hooks/").expect("a door")..];
                let mut request = http.post(format!("{}{path}", bases[i % 2]));
                for (name, value) in &delivery.headers {
                    request = request.header(name, value);
                }
                let answer = request
                    .body(delivery.body.to_string())
                    .send()
                    .await
                    .expect("delivery");
                assert_eq!(answer.status().as_u16(), 202, "delivery {i}");
            }
        });
    }
    while let Some(done) = senders.join_next().await {
        done.expect("sender");
    }
    tokio::task::spawn_blocking(move || {
        wait_for_lines(&merged, "order imported", ORDERS, Duration::from_secs(300))
    })
    .await
    .unwrap();

    let operations = operations_by_shop_order(&http, &servers[1].url, &firm.token).await;
    let imported: std::collections::BTreeSet<String> = operations.keys().cloned().collect();
    assert_eq!(imported, placed, "every order, and nothing else");
    let twice: Vec<&String> = operations
        .iter()
        .filter(|(_, ops)| ops.len() != 1)
        .map(|(order, _)| order)
        .collect();
    assert!(
        twice.is_empty(),
        "orders with more than one operation: {twice:?}"
    );
    drop(servers);
    sim.shutdown().await;
}
