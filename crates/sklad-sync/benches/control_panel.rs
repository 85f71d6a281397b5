//! The control panel's figures (issue 7), printed as plain text with the machine:
//!
//! - K1 on an emulated shop of 100 000 variants (rate limit raised): page reads against
//!   ⌈variants/100⌉ + ⌈products/100⌉ (nothing read twice), wall time, and the peak
//!   resident memory the check adds (the process's peak is reset just before it; the
//!   emulator's own catalogue is already resident then);
//! - the matching alone (CPU), on the same number of variants;
//! - K2 on that shop: wall time and rows per second, on SQLite and (when
//!   `SKLAD_TEST_DATABASE_URL` is set) PostgreSQL;
//! - K1 on 2 000 variants at CloudCart's real 150 requests/minute, on real time: wall
//!   time and whether any 429 came back.
//!
//! Run with `cargo bench -p sklad-sync --bench control_panel`; `SKLAD_BENCH_VARIANTS`
//! lowers the size for a quick look.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use cloudcart_sim::{ClockMode, ShopConfig};
use sklad_bench::{env_usize, machine};
use sklad_domain::model::GoodKind;
use sklad_domain::shop::matching::{Correspondence, GoodsIndex};
use sklad_domain::shop::{GoodKey, ShopVariant};
use sklad_domain::Currency;
use sklad_store::shops::ShopJob;
use sklad_store::Engine;
use sklad_sync::JobKind;

/// The longest a benchmark waits for one job.
const LONG: Duration = Duration::from_secs(3600);

/// A `/proc/self/status` figure in MiB (`VmRSS`, `VmHWM`).
fn memory_mib(key: &str) -> Option<f64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse::<f64>()
        .ok()
        .map(|kib| kib / 1024.0)
}

/// Resets the process's peak resident set to its current size (Linux ≥ 4.0).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A shop of about `variants` variants (the seed gives a product 2.4 variants on
/// average) with its rate limit raised far above the platform's 800.
fn big_shop(variants: usize) -> ShopConfig {
    let mut shop = ShopConfig::new("shop.localhost").seed_products((variants * 10 / 24).max(1));
    shop.rate_limit_per_minute = 100_000_000;
    shop
}

fn done(job: ShopJob) -> ShopJob {
    assert_eq!(job.status, "done", "{job:?}");
    job
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

async fn k1_and_k2(engine: Engine, variants: usize, with_memory: bool) {
    let Some(rig) = support::rig(engine, big_shop(variants), Currency::Eur).await else {
        println!(
            "K2 on {}: skipped (SKLAD_TEST_DATABASE_URL unset)",
            engine.key()
        );
        return;
    };
    let info = rig.sim.control().shops().remove(0);
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    println!(
        "shop: {} products, {} variants ({})",
        info.products,
        info.variants,
        engine.key()
    );
    if with_memory {
        let rss_before = memory_mib("VmRSS").unwrap_or(0.0);
        reset_peak();
        let started = Instant::now();
        let check = done(
            rig.run_within(connection.id, JobKind::Check, false, LONG)
                .await,
        );
        let wall = started.elapsed();
        let peak = memory_mib("VmHWM").unwrap_or(0.0);
        let expected = info.variants.div_ceil(100) + info.products.div_ceil(100);
        println!(
            "K1: {} page reads (⌈variants/100⌉ + ⌈products/100⌉ = {expected}), wall {}",
            check.progress.pages,
            seconds(wall)
        );
        println!(
            "K1 memory: resident {rss_before:.0} MiB before (the emulator's catalogue included), \
             peak {peak:.0} MiB during: the check added {:.0} MiB (target ≤ 150 MB)",
            peak - rss_before
        );
    }
    let started = Instant::now();
    let import = done(
        rig.run_within(connection.id, JobKind::Import, false, LONG)
            .await,
    );
    let wall = started.elapsed();
    let written = import.progress.written;
    println!(
        "K2 on {}: {written} rows in {} = {:.0} rows/s ({})",
        engine.key(),
        seconds(wall),
        written as f64 / wall.as_secs_f64(),
        import
            .summary
            .as_ref()
            .map(|s| s["counts"].to_string())
            .unwrap_or_default()
    );
}

fn matching_cpu(variants: usize) {
    let shop: Vec<ShopVariant> = (0..variants)
        .map(|i| ShopVariant {
            variant_id: i.to_string(),
            product_id: (i / 4).to_string(),
            sku: Some(format!("SKU-{i:07}")),
            barcode: Some(format!("380{i:010}")),
            product_name: Some(format!("Продукт {}", i / 4)),
            option_values: vec!["M".into(), "Черен".into()],
            has_description: i % 10 != 0,
            price: Some(1290),
            quantity: Some(5000),
        })
        .collect();
    // Half the variants already have goods; a tenth of those are linked.
    let goods: Vec<GoodKey> = (0..variants / 2)
        .map(|i| GoodKey {
            id: i as i64 + 1,
            code: format!("SKU-{:07}", i * 2),
            barcodes: vec![format!("380{:010}", i * 2)],
            kind: GoodKind::Good,
            active: true,
        })
        .collect();
    let links: Vec<(String, i64)> = (0..variants / 20)
        .map(|i| ((i * 2 * 10).to_string(), (i * 10) as i64 + 1))
        .collect();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let index = GoodsIndex::new(&goods, links.clone());
        let c = Correspondence::of(&shop, &index);
        best = best.min(started.elapsed());
        assert_eq!(c.rows.len(), variants);
    }
    println!(
        "matching alone: {variants} variants against {} goods in {:.0} ms (best of 3)",
        goods.len(),
        best.as_secs_f64() * 1000.0
    );
}

async fn k1_at_the_real_limit() {
    let shop = ShopConfig::new("shop.localhost")
        .seed_products(2000 * 10 / 24)
        .rate_limit_per_minute(150);
    let rig = support::rig_on(Engine::Sqlite, shop, Currency::Eur, ClockMode::Real)
        .await
        .expect("SQLite");
    let info = rig.sim.control().shops().remove(0);
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    let started = Instant::now();
    let check = done(rig.run(connection.id, JobKind::Check, false).await);
    let wall = started.elapsed();
    let budget = rig.bridge.rate_budget(&rig.host).expect("budget");
    println!(
        "K1 at 150 requests/min: {} variants, {} page reads, wall {}, limit learned {:?}, \
         429 received: {}",
        info.variants,
        check.progress.pages,
        seconds(wall),
        budget.limit,
        if budget.blocked_until.is_some() {
            "yes"
        } else {
            "none"
        }
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let variants = env_usize("SKLAD_BENCH_VARIANTS", 100_000);
    println!("machine: {}", machine());
    matching_cpu(variants);
    k1_and_k2(Engine::Sqlite, variants, true).await;
    k1_and_k2(Engine::Postgres, variants, false).await;
    k1_at_the_real_limit().await;
}
