//! `cloudcart-sim` binary: start emulated CloudCart shops on 127.0.0.1 and print their URLs
//! and API keys.

use clap::Parser;
use cloudcart_sim::{ClockMode, ShopConfig, Sim, SimConfig};

/// Start one or more emulated CloudCart shops.
#[derive(Debug, Parser)]
#[command(
    name = "cloudcart-sim",
    version,
    about = "A CloudCart shop emulator (JSON-API v2 + webhooks)"
)]
struct Args {
    /// Shop primary domains, comma separated (`*.localhost` resolves to 127.0.0.1).
    #[arg(long, value_delimiter = ',', default_value = "shop.localhost")]
    shops: Vec<String>,
    /// Products to seed per shop.
    #[arg(long, default_value_t = 100)]
    products: usize,
    /// Seed of the catalogue generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 8088)]
    port: u16,
    /// Requests per minute per shop (0 = plan without API access).
    #[arg(long, default_value_t = 150)]
    rate_limit: u32,
    /// Use virtual time (advance it with POST /_sim/clock/advance).
    #[arg(long)]
    virtual_clock: bool,
    /// JSON snapshot file: loaded at start if present, written on Ctrl-C and POST /_sim/snapshot.
    #[arg(long)]
    snapshot: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let shops = args
        .shops
        .iter()
        .map(|h| {
            ShopConfig::new(h.trim())
                .seed_products(args.products)
                .seed(args.seed)
                .rate_limit_per_minute(args.rate_limit)
        })
        .collect();
    let sim = Sim::start(SimConfig {
        shops,
        clock: if args.virtual_clock {
            ClockMode::Virtual
        } else {
            ClockMode::Real
        },
        port: args.port,
        snapshot: args.snapshot,
        ..Default::default()
    })
    .await?;
    for shop in sim.control().shops() {
        println!(
            "{}  ({} products, {} variants, {} req/min)",
            shop.url, shop.products, shop.variants, shop.rate_limit_per_minute
        );
        for key in &shop.api_keys {
            println!("  X-CloudCart-ApiKey: {key}");
            println!("  curl -H 'X-CloudCart-ApiKey: {key}' '{}/api/v2/products?include=variants&page[size]=5'", shop.url);
        }
    }
    println!(
        "control surface: http://127.0.0.1:{}/_sim/shops   (Ctrl-C to stop)",
        sim.addr().port()
    );
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
