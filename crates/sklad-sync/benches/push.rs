//! Stock and prices to the shop (issue 9), printed as plain text with the machine:
//!
//! - freshness: a warehouse sale committed → its PATCH received by the emulator, p50 and
//!   p99, at 20 changes a minute under CloudCart's 150 requests a minute, with the
//!   bridge's own loop on real time (SQLite, and PostgreSQL when
//!   `SKLAD_TEST_DATABASE_URL` is set);
//! - efficiency on 10 000 linked variants: API requests of a full pass with nothing
//!   changed, and with 1 % changed, against the seed's way (one PATCH per variant per
//!   pass);
//! - backlog: 2 000 changed variants at 150/min on virtual time, the time to drain them
//!   against the limit's own minimum, and where the sold-out goods went in the order.
//!
//! Run with `cargo bench -p sklad-sync --bench push`; `SKLAD_BENCH_LINKED` and
//! `SKLAD_BENCH_FRESHNESS_CHANGES` change the sizes.

#[path = "../tests/support/mod.rs"]
mod support;

use sklad_bench::percentile;
use std::time::{Duration, Instant};

use cloudcart_sim::{ClockMode, ShopConfig};
use sklad_bench::{env_usize, machine};
use sklad_domain::operation::OperationKind;
use sklad_domain::{Currency, Id};
use sklad_store::Engine;
use support::{line, operate, rig, rig_on, Rig};

/// The shop's counted variants with their goods and quantities.
async fn counted(rig: &Rig) -> Vec<(u64, Id, f64)> {
    let mut out = Vec::new();
    for v in rig.sim.control().variants(&rig.host) {
        let (Some(sku), Some(q)) = (v.sku.clone(), v.quantity) else {
            continue;
        };
        let good = rig.store.good_by_code(rig.firm_id, &sku).await.unwrap();
        out.push((v.id, good.id, q));
    }
    out
}

/// A sale every 3 s (20 a minute), each of another good; the time from its commit to
/// its PATCH arriving at the shop.
async fn freshness(engine: Engine, changes: usize) {
    let shop = ShopConfig::new("shop.localhost")
        .seed_products(40)
        .rate_limit_per_minute(150);
    let Some(rig) = rig_on(engine, shop, Currency::Eur, ClockMode::Real).await else {
        println!("freshness [{engine:?}]: skipped (no database configured)");
        return;
    };
    let connection = rig.pushing().await;
    let goods: Vec<(u64, Id, f64)> = counted(&rig)
        .await
        .into_iter()
        .filter(|(_, _, q)| *q >= 1.0)
        .collect();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(rig.bridge.clone().run(async {
        let _ = stopped.await;
    }));
    let mut latencies = Vec::with_capacity(changes);
    let mut pace = tokio::time::interval(Duration::from_secs(3));
    for i in 0..changes {
        pace.tick().await;
        let (_, good, _) = goods[i % goods.len()];
        let writes = rig.variant_writes().len();
        let committed = Instant::now();
        operate(&rig, OperationKind::Sale, vec![line(good, 1, 900)]).await;
        // Bounded: a write later than 30 s counts as 30 s.
        while rig.variant_writes().len() == writes && committed.elapsed() < Duration::from_secs(30)
        {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        latencies.push(committed.elapsed());
    }
    let _ = stop.send(());
    let _ = worker.await;
    latencies.sort();
    println!(
        "freshness [{engine:?}]: {changes} sales at 20/min under 150/min: commit → PATCH received p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (target p99 ≤ 5 s; the seed: up to 180 s); {} due after",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
        rig.store.push_figures(rig.firm_id, connection.id).await.unwrap().due,
    );
}

/// A shop of about `variants` variants with the platform's top limit raised, so the
/// setup does not wait; the figures count requests, not time.
fn big_shop(variants: usize) -> ShopConfig {
    let mut shop = ShopConfig::new("shop.localhost").seed_products((variants * 10 / 24).max(1));
    shop.rate_limit_per_minute = 100_000_000;
    shop
}

/// API requests of the 3-minute pass on an unchanged catalogue and with 1 % changed.
async fn efficiency(linked: usize) {
    let started = Instant::now();
    let rig = rig(Engine::Sqlite, big_shop(linked), Currency::Eur)
        .await
        .expect("SQLite");
    let connection = rig.pushing().await;
    let goods = counted(&rig).await;
    let links = rig
        .store
        .shop_links(rig.firm_id, connection.id)
        .await
        .unwrap()
        .len();
    println!(
        "efficiency: {links} linked variants ({} counted), set up in {:.0} s",
        goods.len(),
        started.elapsed().as_secs_f64()
    );
    let control = rig.sim.control();
    let pass = |label: &'static str| {
        let rig = &rig;
        let control = control.clone();
        async move {
            let requests = control.admitted_requests(&rig.host);
            let writes = rig.variant_writes().len();
            let wall = Instant::now();
            // What the 3-minute schedule does (without moving the clock, so no other
            // periodic work — the order poll — lands in the count).
            rig.store
                .start_push_pass(rig.firm_id, connection.id)
                .await
                .unwrap();
            rig.push_settle(connection.id).await;
            let requests = control.admitted_requests(&rig.host) - requests;
            let patches = rig.variant_writes().len() - writes;
            println!(
                "  3-minute pass, {label}: {requests} API requests ({patches} PATCHes, {} reads) in {:.2} s; the seed's way: {links} PATCHes",
                requests as usize - patches,
                wall.elapsed().as_secs_f64()
            );
            requests
        }
    };
    pass("nothing changed").await;
    let changed = (goods.len() / 100).max(1);
    for (_, good, _) in goods.iter().filter(|g| g.2 >= 1.0).take(changed) {
        operate(&rig, OperationKind::Sale, vec![line(*good, 1, 900)]).await;
    }
    let requests = pass("1 % changed").await;
    println!(
        "  1 % changed: {changed} sales → {requests} requests; the seed's way costs {:.0}× as many",
        links as f64 / requests.max(1) as f64
    );
}

/// 2 000 variants changed at once at 150/min (149 per sliding minute), ten of them sold
/// out: virtual time to drain and the positions of the sold-out writes.
async fn backlog(changed: usize) {
    let mut shop = big_shop(changed + changed / 10);
    shop.rate_limit_per_minute = 150;
    let rig = rig(Engine::Sqlite, shop, Currency::Eur)
        .await
        .expect("SQLite");
    let connection = rig.pushing().await;
    let goods: Vec<(u64, Id, f64)> = counted(&rig)
        .await
        .into_iter()
        .filter(|(_, _, q)| *q >= 1.0)
        .take(changed)
        .collect();
    let before = rig.variant_writes().len();
    for chunk in goods.chunks(250) {
        let lines = chunk.iter().map(|(_, g, _)| line(*g, 5, 500)).collect();
        operate(&rig, OperationKind::Delivery, lines).await;
    }
    let sold_out: Vec<&(u64, Id, f64)> = goods.iter().step_by(goods.len() / 10).take(10).collect();
    for (_, good, q) in &sold_out {
        operate(
            &rig,
            OperationKind::Sale,
            vec![line(*good, *q as i64 + 5, 900)],
        )
        .await;
    }
    let virtual_start = rig.time.elapsed();
    let wall = Instant::now();
    rig.push_settle(connection.id).await;
    let took = rig.time.elapsed() - virtual_start;
    let writes: Vec<_> = rig.variant_writes().split_off(before);
    let minimum = Duration::from_secs_f64(writes.len() as f64 / 149.0 * 60.0);
    let positions: Vec<usize> = sold_out
        .iter()
        .filter_map(|(id, _, _)| {
            writes
                .iter()
                .position(|w| w.path.ends_with(&format!("/{id}")))
        })
        .collect();
    println!(
        "backlog: {} variants changed, {} written at 150/min in {:.1} virtual min (the limit's minimum {:.1} min, ratio {:.2}), {:.1} s of wall time; {} 429s; the 10 sold-out goods went out at positions {positions:?}",
        goods.len(),
        writes.len(),
        took.as_secs_f64() / 60.0,
        minimum.as_secs_f64() / 60.0,
        took.as_secs_f64() / minimum.as_secs_f64(),
        wall.elapsed().as_secs_f64(),
        rig.sim.control().rate_refusals(&rig.host),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("machine: {}", machine());
    let changes = env_usize("SKLAD_BENCH_FRESHNESS_CHANGES", 60);
    freshness(Engine::Sqlite, changes).await;
    freshness(Engine::Postgres, changes).await;
    efficiency(env_usize("SKLAD_BENCH_LINKED", 10_000)).await;
    backlog(2000).await;
}
