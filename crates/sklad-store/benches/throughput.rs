//! Throughput and latency figures of the store, printed as plain text:
//! 3-line sales committed per second (SQLite, and PostgreSQL when
//! `SKLAD_TEST_DATABASE_URL` is set, measured by turns with their ratio), the CPU
//! time a sale costs (in the benchmark's process, and in the PostgreSQL server's
//! processes on this machine, from Linux's `/proc`) and the latency of "available
//! quantity of every good in the selected objects" with 100 000 goods.
//!
//! A sale goes one after another, so its time is at least the CPU time of both sides
//! added up: that sum says how far fewer round trips could take PostgreSQL.
//!
//! Run with `cargo bench -p sklad-store`. Sizes can be lowered with
//! `SKLAD_BENCH_GOODS`, `SKLAD_BENCH_SALES` (per round) and `SKLAD_BENCH_ROUNDS`
//! for a quick look.

use sklad_bench::{env_usize, machine, CpuTime};
use std::time::{Duration, Instant};

use sklad_domain::model::{FirmInput, GoodInput, GoodKind, ObjectInput, ObjectKind};
use sklad_domain::operation::{Line, OperationDraft, OperationKind};
use sklad_domain::{Currency, Id, PriceGroup, Quantity, VatRate};
use sklad_store::Store;

fn good(code: String) -> GoodInput {
    GoodInput {
        barcodes: vec![format!("380{code}")],
        name: format!("Стока {code}"),
        code,
        measure: "бр.".into(),
        kind: GoodKind::Good,
        vat_rate: VatRate::Standard,
        group: None,
        active: true,
        prices: [(PriceGroup::Retail, 1234)].into_iter().collect(),
    }
}

fn draft(kind: OperationKind, object_id: Id, lines: Vec<Line>) -> OperationDraft {
    OperationDraft {
        kind,
        date: jiff::civil::date(2026, 3, 2),
        object_id,
        target_object_id: None,
        partner_id: None,
        payment_type_id: None,
        currency: Currency::Bgn,
        lines,
        external_ref: None,
        note: None,
    }
}

fn line(good_id: Id, units: i64) -> Line {
    Line {
        good_id,
        quantity: Quantity::from_units(units),
        unit_price: 1234,
        vat_rate: VatRate::Standard,
        discount_bp: 0,
    }
}

async fn new_firm(store: &Store) -> (Id, Id) {
    let firm = store
        .create_firm(&FirmInput {
            name: "Бенчмарк".into(),
            eik: None,
            currency: Currency::Bgn,
            vat_registered: true,
            seats: 2,
            allow_negative_stock: false,
        })
        .await
        .expect("firm");
    let object = store.objects(firm.id).await.expect("objects")[0].id;
    (firm.id, object)
}

/// A firm with three goods well stocked in its object, ready for sales.
struct SalesFirm {
    firm: Id,
    sale: OperationDraft,
}

async fn sales_firm(store: &Store) -> SalesFirm {
    let (firm, object) = new_firm(store).await;
    let goods = store
        .create_goods(
            firm,
            &(0..3).map(|i| good(format!("S{i}"))).collect::<Vec<_>>(),
        )
        .await
        .expect("goods");
    let stock: Vec<Line> = goods.iter().map(|g| line(*g, 1_000_000)).collect();
    store
        .create_operation(firm, &draft(OperationKind::Delivery, object, stock))
        .await
        .expect("delivery");
    let lines = goods.iter().map(|g| line(*g, 1)).collect();
    SalesFirm {
        firm,
        sale: draft(OperationKind::Sale, object, lines),
    }
}

/// One round of sales: how many were committed per second, and the CPU time each
/// cost (this process, and the PostgreSQL server's processes) when `/proc` says.
struct Round {
    rate: f64,
    cpu_per_sale: Option<CpuTime>,
}

/// 3-line sales committed per second: `sales` by each of `firms`, the firms'
/// writers at the same time, each one sale after another.
async fn sales_round(store: &Store, firms: &[SalesFirm], sales: usize) -> Round {
    let cpu_before = CpuTime::now();
    let start = Instant::now();
    let mut writers = tokio::task::JoinSet::new();
    for firm in firms {
        let (store, firm, sale) = (store.clone(), firm.firm, firm.sale.clone());
        writers.spawn(async move {
            for _ in 0..sales {
                store.create_operation(firm, &sale).await.expect("sale");
            }
        });
    }
    while let Some(done) = writers.join_next().await {
        done.expect("writer");
    }
    let total = (sales * firms.len()) as u32;
    let elapsed = start.elapsed();
    let cpu_per_sale = cpu_before
        .zip(CpuTime::now())
        .map(|(before, after)| after.since(before))
        .map(|spent| CpuTime {
            bench: spent.bench / total.max(1),
            postgres: spent.postgres / total.max(1),
        });
    Round {
        rate: f64::from(total) / elapsed.as_secs_f64(),
        cpu_per_sale,
    }
}

/// The median round of each store with `writers` firms writing at once, measured by
/// turns (`rounds` rounds of `sales` sales per firm on each store) so that the
/// machine's noise falls on both alike.
async fn sales_by_turns(
    stores: &[(&str, &Store)],
    writers: usize,
    sales: usize,
    rounds: usize,
) -> Vec<Round> {
    let mut firms = Vec::new();
    for (_, store) in stores {
        let mut own = Vec::with_capacity(writers);
        for _ in 0..writers {
            own.push(sales_firm(store).await);
        }
        firms.push(own);
    }
    let mut measured: Vec<Vec<Round>> = stores.iter().map(|_| Vec::new()).collect();
    for _ in 0..rounds {
        for (i, (_, store)) in stores.iter().enumerate() {
            measured[i].push(sales_round(store, &firms[i], sales).await);
        }
    }
    measured
        .into_iter()
        .map(|mut r| {
            r.sort_by(|a, b| a.rate.total_cmp(&b.rate));
            r.swap_remove(r.len() / 2)
        })
        .collect()
}

/// Median and p95 of the availability query over two objects with `goods` goods.
async fn availability_latency(store: &Store, goods: usize) -> (Duration, Duration, usize) {
    let (firm, main) = new_firm(store).await;
    let shop = store
        .create_object(
            firm,
            &ObjectInput {
                name: "Магазин".into(),
                kind: ObjectKind::Shop,
                price_group: PriceGroup::Retail,
                active: true,
            },
        )
        .await
        .expect("object")
        .id;
    let mut ids = Vec::with_capacity(goods);
    for chunk in (0..goods).collect::<Vec<_>>().chunks(10_000) {
        let inputs: Vec<GoodInput> = chunk.iter().map(|i| good(format!("G{i:06}"))).collect();
        ids.extend(store.create_goods(firm, &inputs).await.expect("goods"));
    }
    for (n, chunk) in ids.chunks(1000).enumerate() {
        let object = if n % 2 == 0 { main } else { shop };
        let lines: Vec<Line> = chunk.iter().map(|g| line(*g, 10)).collect();
        store
            .create_operation(firm, &draft(OperationKind::Delivery, object, lines))
            .await
            .expect("delivery");
    }
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..20 {
        let start = Instant::now();
        rows = store
            .available(firm, &[main, shop])
            .await
            .expect("available")
            .len();
        times.push(start.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() * 95 / 100], rows)
}

async fn availability(label: &str, store: &Store, goods: usize) {
    let start = Instant::now();
    let (median, p95, rows) = availability_latency(store, goods).await;
    println!(
        "{label}: available quantity of every good in 2 objects, {rows} goods: median {:.1} ms, p95 {:.1} ms (20 runs; setup {:.0} s)",
        median.as_secs_f64() * 1000.0,
        p95.as_secs_f64() * 1000.0,
        start.elapsed().as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let sales = env_usize("SKLAD_BENCH_SALES", 500);
    let rounds = env_usize("SKLAD_BENCH_ROUNDS", 5).max(1);
    let goods = env_usize("SKLAD_BENCH_GOODS", 100_000);
    println!("machine: {}", machine());

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let sqlite = Store::open(&url).await.expect("open sqlite");
    sqlite.migrate().await.expect("migrate");
    let mut stores = vec![("sqlite", sqlite)];
    let mut admin_conn = None;
    match std::env::var("SKLAD_TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let name = format!("sklad_bench_{:08x}", rand::random::<u32>());
            let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("connect");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create database");
            let base = admin.split('?').next().unwrap_or(&admin);
            let url = format!("{}/{name}", base.rsplit_once('/').map_or(base, |(p, _)| p));
            let pg = Store::open(&url).await.expect("open postgres");
            pg.migrate().await.expect("migrate");
            stores.push(("postgres", pg));
            admin_conn = Some((conn, name));
        }
        _ => println!("postgres: skipped (SKLAD_TEST_DATABASE_URL unset)"),
    }

    let by_name: Vec<(&str, &Store)> = stores.iter().map(|(n, s)| (*n, s)).collect();
    for writers in [1, 8] {
        let rates = sales_by_turns(&by_name, writers, sales, rounds).await;
        let how = match writers {
            1 => "one after another".to_owned(),
            n => format!("{n} firms writing at once"),
        };
        for ((label, _), round) in by_name.iter().zip(&rates) {
            println!(
                "{label}: {:.0} three-line sales committed per second, {how} (median of {rounds} rounds of {sales} sales per firm, taken by turns with the other engine)",
                round.rate
            );
            if let Some(cpu) = round.cpu_per_sale {
                let server = match *label {
                    "postgres" => format!(
                        " + {} µs in the PostgreSQL server's processes",
                        cpu.postgres.as_micros()
                    ),
                    _ => String::new(),
                };
                println!(
                    "{label}: CPU per sale in that round, {how}: {} µs in the benchmark's process{server}",
                    cpu.bench.as_micros()
                );
            }
        }
        if let [sqlite, postgres] = rates.iter().map(|r| r.rate).collect::<Vec<_>>()[..] {
            let target = if writers == 1 {
                " (target ≥ 0.80)"
            } else {
                ""
            };
            println!("postgres / sqlite, {how}: {:.2}{target}", postgres / sqlite);
        }
    }
    for (label, store) in &by_name {
        availability(label, store, goods).await;
    }
    for (_, store) in stores {
        store.close().await;
    }
    if let Some((mut conn, name)) = admin_conn {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}
