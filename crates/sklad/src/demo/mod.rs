//! `sklad demo`: the whole product working on one machine. Sklad on an embedded SQLite
//! database in a demo directory (wiped at every start, never `./data`), an in-process
//! CloudCart emulator with a Bulgarian catalogue (a few deliberately broken rows), and
//! a connection set up as a merchant would: tested, payments mapped, special goods
//! made, the catalogue imported (K2), the shop's quantities taken as opening stock,
//! the webhooks active (K4), the first push confirmed and auto-sync on. Then a gentle
//! stream of shop orders and warehouse sales, narrated as they flow.

mod setup;
mod traffic;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use cloudcart_sim::{BrokenCases, ClockMode, Plan, ShopConfig, Sim, SimConfig};
use serde_json::json;
use sklad_server::Config;

use crate::cli::DemoArgs;
use crate::commands::open_store;
use crate::serve::{shutdown_signal, Server};
use traffic::Narrator;

/// The emulated shop's primary domain (`*.localhost` is loopback).
const SHOP_HOST: &str = "demo-shop.localhost";

/// The file that marks a directory as the demo's own, so a later demo may wipe it.
const MARKER: &str = ".sklad-demo";

/// Runs the demo until Ctrl-C.
pub async fn demo(args: DemoArgs) -> Result<()> {
    let data_dir = fresh_data_dir(&args.data_dir)?;
    // Only the demo's own settings: SKLAD_DATABASE_URL, a configured data directory or
    // key file never reach it.
    let config = Config {
        data_dir: data_dir.clone(),
        listen: args.listen,
        ..Config::default()
    };
    let store = open_store(&config).await?;
    let sim = Sim::start(SimConfig {
        shops: vec![ShopConfig::new(SHOP_HOST)
            .seed_products(args.products)
            .seed(2026)
            .broken(BrokenCases {
                missing_sku: 2,
                duplicate_barcode: 2,
                missing_name: 1,
                missing_description: 3,
            })
            .plan(Plan::CcMaster)],
        clock: ClockMode::Real,
        port: args.shop_port,
        ..Default::default()
    })
    .await
    .context("starting the CloudCart emulator")?;
    let server = Server::bind(&config, &store).await?;
    let sklad_url = server.url();
    let bridge = server.bridge.clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let serving = tokio::spawn(server.run(async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|s| *s).await;
    }));

    let shop = sim
        .control()
        .shops()
        .into_iter()
        .next()
        .context("the emulator has no shop")?;
    let shop_key = shop.api_keys.first().cloned().unwrap_or_default();
    let ready = setup::prepare(&bridge, &shop.url, &shop_key)
        .await
        .context("setting up the demo shop")?;
    let control_url = format!("http://{}/_sim/shops/{SHOP_HOST}", sim.addr());
    // The order by hand names the linked variant with the most stock, so that it still
    // becomes an operation after the stream has sold for a while.
    let linked: std::collections::HashSet<String> = store
        .shop_links(ready.firm_id, ready.connection_id)
        .await?
        .into_iter()
        .map(|link| link.shop_variant_id)
        .collect();
    let sample_sku = sim
        .control()
        .variants(SHOP_HOST)
        .into_iter()
        .filter(|v| linked.contains(&v.id.to_string()))
        .filter_map(|v| Some((v.quantity?, v.sku.filter(|s| !s.is_empty())?)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, sku)| sku)
        .unwrap_or_default();
    let order_command = order_command(&control_url, &sample_sku);
    let facts = json!({
        "sklad_url": sklad_url,
        "login": ready.login,
        "password": ready.password,
        "api_token": ready.api_token,
        "firm_id": ready.firm_id,
        "connection_id": ready.connection_id,
        "shop_url": shop.url,
        "shop_api_key": shop_key,
        "shop_control_url": control_url,
        "order_command": order_command,
        "data_dir": data_dir.display().to_string(),
    });
    let narrator = Narrator::new(args.json);
    if args.json {
        narrator.line(&facts.to_string());
    } else {
        banner(&narrator, &facts, &ready, &shop);
    }

    let stream = traffic::Stream {
        store: store.clone(),
        control: sim.control(),
        host: SHOP_HOST.to_owned(),
        firm_id: ready.firm_id,
        connection_id: ready.connection_id,
        narrator,
    };
    let every = Duration::from_millis(args.every_ms.max(100));
    let flows = [
        tokio::spawn(stream.clone().place_and_sell(every)),
        tokio::spawn(stream.watch()),
    ];
    let mut serving = serving;
    let ended_early = tokio::select! {
        () = shutdown_signal() => None,
        ended = &mut serving => Some(ended),
    };
    for flow in &flows {
        flow.abort();
    }
    let served = match ended_early {
        Some(ended) => ended,
        None => {
            let _ = stop.send(true);
            serving.await
        }
    };
    sim.shutdown().await;
    store.close().await;
    served.context("the server stopped")??;
    narrator.say("Демото спря / The demo stopped.");
    Ok(())
}

/// The demo's data directory, emptied: created when missing, wiped when an earlier
/// demo made it, refused when it holds anything else.
fn fresh_data_dir(dir: &Path) -> Result<PathBuf> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_none();
        anyhow::ensure!(
            empty || dir.join(MARKER).exists(),
            "папката {} не е от демото; изберете друга с --data-dir / the directory {} is not the \
             demo's; choose another with --data-dir",
            dir.display(),
            dir.display()
        );
        std::fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "Данни на `sklad demo`; изтриват се при следващото демо.\n\
         Data of `sklad demo`; wiped by the next demo.\n",
    )
    .with_context(|| format!("writing {}", dir.join(MARKER).display()))?;
    Ok(dir.to_path_buf())
}

/// The shell command that places one more order in the emulated shop.
fn order_command(control_url: &str, sku: &str) -> String {
    let body = json!({
        "lines": [{"sku": sku, "quantity": 1}],
        "buyer": {"kind": "person", "email": "ivan.petrov@example.bg",
                  "first_name": "Иван", "last_name": "Петров"},
    });
    format!("curl -X POST -H 'Content-Type: application/json' -d '{body}' {control_url}/orders")
}

/// What a person reads when the demo is ready.
fn banner(
    narrator: &Narrator,
    facts: &serde_json::Value,
    ready: &setup::Ready,
    shop: &cloudcart_sim::ShopInfo,
) {
    let text = |key: &str| facts[key].as_str().unwrap_or_default().to_owned();
    narrator.say(&format!(
        "Склад (демо) работи на / Sklad (demo) is running at {}",
        text("sklad_url")
    ));
    narrator.say(&format!(
        "Вход / Login: {}   Парола / Password: {}",
        ready.login, ready.password
    ));
    narrator.say(&format!(
        "Магазин (емулатор на CloudCart) / Shop (CloudCart emulator): {}  ({} продукта / products, {} варианта / variants)",
        shop.url, shop.products, shop.variants
    ));
    narrator.say(&format!(
        "API ключ на магазина / Shop API key: {}",
        text("shop_api_key")
    ));
    narrator.say(
        "Поръчките от магазина: Операции → Чакащи поръчки; контролният панел: Номенклатури → \
         Стоки → „CloudCart контролен панел“ / Shop orders: Operations → Pending orders; the \
         control panel: Nomenclatures → Goods → \"CloudCart control panel\"",
    );
    narrator.say("Още една поръчка на ръка / One more order by hand:");
    narrator.say(&format!("  {}", text("order_command")));
    narrator.say(&format!(
        "Данни / Data: {} (изтриват се при следващото демо / wiped by the next demo)   Спиране / Stop: Ctrl-C",
        text("data_dir")
    ));
}
