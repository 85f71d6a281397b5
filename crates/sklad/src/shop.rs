//! `sklad shop …`: e-shop connections and the CloudCart control panel from the command
//! line. Every shop action is a job: this command queues it and runs the bridge's
//! rounds until it ends — a `sklad serve` on the same database that holds the shop's
//! lease runs it instead, and this command just waits for its result.

use std::io::Write as _;
use std::time::Duration;

use anyhow::{Context, Result};
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{Currency, Id};
use sklad_server::Config;
use sklad_store::shops::ShopJob;
use sklad_store::{Paging, Store};
use sklad_sync::{Bridge, BridgeConfig, JobKind, SecretBox};

use crate::cli::{
    FirmArg, ShopAddArgs, ShopCheckArgs, ShopCommand, ShopCurrencyArg, ShopDryRunArgs, ShopJobArgs,
};
use crate::commands::{explain, open_store, sync_error};

/// The longest a command waits for a job.
const JOB_TIMEOUT: Duration = Duration::from_secs(3600);

/// Runs `sklad shop …`.
pub async fn run(config: &Config, command: ShopCommand) -> Result<()> {
    let store = open_store(config).await?;
    let bridge = bridge(config, &store)?;
    let result = match command {
        ShopCommand::Add(args) => add(&bridge, args).await,
        ShopCommand::List(args) => list(&store, args).await,
        ShopCommand::Test(args) => job(&bridge, &args, JobKind::Test, false).await.map(drop),
        ShopCommand::Check(args) => check(&bridge, args).await,
        ShopCommand::Import(ShopDryRunArgs { target, dry_run }) => {
            job(&bridge, &target, JobKind::Import, dry_run)
                .await
                .map(drop)
        }
        ShopCommand::OpeningStock(ShopDryRunArgs { target, dry_run }) => {
            job(&bridge, &target, JobKind::OpeningStock, dry_run)
                .await
                .map(drop)
        }
        ShopCommand::SpecialGoods(args) => special_goods(&store, args).await,
        ShopCommand::Webhooks(args) => job(&bridge, &args, JobKind::Webhooks, false)
            .await
            .map(drop),
    };
    bridge.release_leases().await;
    store.close().await;
    result
}

/// The bridge with the server's sealing key (created in the data directory when it is
/// the default one and missing, as `sklad serve` would).
fn bridge(config: &Config, store: &Store) -> Result<Bridge> {
    let (path, default) = config.secret_key_path();
    let (secrets, _) = SecretBox::load(&path, default)
        .with_context(|| format!("loading the secret key file {}", path.display()))?;
    Ok(Bridge::new(
        store.clone(),
        secrets,
        BridgeConfig::new(&config.public_url()),
    ))
}

async fn add(bridge: &Bridge, args: ShopAddArgs) -> Result<()> {
    let input = ConnectionInput {
        name: args.name,
        shop_url: args.url,
        api_key: Some(args.key),
        active: args.in_use,
        currency: match args.currency {
            ShopCurrencyArg::Auto => None,
            ShopCurrencyArg::Eur => Some(Currency::Eur),
            ShopCurrencyArg::Bgn => Some(Currency::Bgn),
        },
        prices_with_vat: !args.net_prices,
    };
    let connection = bridge
        .create_connection(args.firm, &input, "cli")
        .await
        .map_err(sync_error)
        .context("adding the connection")?;
    println!(
        "Връзката е добавена / Connection added: „{}“ {} (API ключ / key ••••{})",
        connection.name,
        connection.shop_url,
        connection.api_key_last4.as_deref().unwrap_or("")
    );
    let test = bridge
        .store()
        .latest_shop_job(args.firm, connection.id, JobKind::Test.key(), false)
        .await
        .map_err(explain)?
        .context("the connection test was not queued")?;
    let done = wait(bridge, args.firm, test).await?;
    report(&done);
    println!(
        "connection_id={} test_job_id={} status={}",
        connection.id, done.id, done.status
    );
    Ok(())
}

async fn list(store: &Store, args: FirmArg) -> Result<()> {
    let connections = store.shop_connections(args.firm).await.map_err(explain)?;
    if connections.is_empty() {
        println!("Няма връзки с ел. магазини / No e-shop connections.");
    }
    for c in connections {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            c.id,
            c.name,
            c.shop_url,
            if c.active {
                "използва се / in use"
            } else {
                "не се използва / not in use"
            },
            match &c.api_key_last4 {
                Some(last4) => format!("••••{last4}"),
                None => "няма ключ / no key".to_owned(),
            }
        );
    }
    Ok(())
}

async fn special_goods(store: &Store, args: ShopJobArgs) -> Result<()> {
    let connection = store
        .create_special_goods(args.firm, args.connection, "cli")
        .await
        .map_err(explain)?;
    let s = &connection.settings;
    println!("Специалните стоки са зададени / Special goods set.");
    println!(
        "delivery_good_id={} discount_good_id={} fee_good_id={}",
        s.delivery_good_id.unwrap_or_default(),
        s.discount_good_id.unwrap_or_default(),
        s.fee_good_id.unwrap_or_default()
    );
    Ok(())
}

async fn check(bridge: &Bridge, args: ShopCheckArgs) -> Result<()> {
    let done = job(bridge, &args.target, JobKind::Check, false).await?;
    if let Some(path) = args.csv {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        );
        file.write_all(sklad_sync::csv::HEADER.as_bytes())?;
        let mut offset = 0;
        loop {
            let page = bridge
                .store()
                .shop_job_rows(
                    args.target.firm,
                    done.id,
                    None,
                    Paging {
                        limit: 1000,
                        offset,
                    },
                )
                .await
                .map_err(explain)?;
            for row in &page.items {
                file.write_all(sklad_sync::csv::line(row).as_bytes())?;
            }
            offset += page.items.len() as i64;
            if page.items.is_empty() || offset >= page.total {
                break;
            }
        }
        file.flush()?;
        println!("CSV: {} ({offset} реда / rows)", path.display());
    }
    Ok(())
}

/// Queues a job, waits for its end, prints its summary; fails when the job failed.
async fn job(
    bridge: &Bridge,
    target: &ShopJobArgs,
    kind: JobKind,
    dry_run: bool,
) -> Result<ShopJob> {
    let job = bridge
        .start_job(target.firm, target.connection, kind, dry_run, "cli")
        .await
        .map_err(sync_error)?;
    let done = wait(bridge, target.firm, job).await?;
    report(&done);
    println!(
        "job_id={} kind={} status={}",
        done.id, done.kind, done.status
    );
    match &done.error {
        Some(e) if done.status != "done" => Err(anyhow::anyhow!(
            "{} / {} [{}]",
            e.message_bg,
            e.message_en,
            e.code
        )),
        _ => Ok(done),
    }
}

/// Runs the bridge's rounds (which run the job when this process can take the shop's
/// lease) until the job ends, printing its progress.
async fn wait(bridge: &Bridge, firm: Id, job: ShopJob) -> Result<ShopJob> {
    let deadline = tokio::time::Instant::now() + JOB_TIMEOUT;
    let mut shown = String::new();
    loop {
        bridge.tick().await.map_err(sync_error)?;
        let current = bridge
            .wait_job(firm, job.id, Duration::from_secs(1))
            .await
            .map_err(sync_error)?;
        if current.finished() {
            return Ok(current);
        }
        let p = &current.progress;
        let line = format!(
            "{} {}: {}/{} ({} стр. / pages)",
            current.status,
            p.stage,
            p.read,
            p.total.map(|t| t.to_string()).unwrap_or_else(|| "?".into()),
            p.pages
        );
        if line != shown {
            eprintln!("{line}");
            shown = line;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "задачата не приключи навреме / the job did not finish in time (job_id={})",
            job.id
        );
    }
}

/// Prints what a finished job found or did.
fn report(job: &ShopJob) {
    if let Some(e) = &job.error {
        println!(
            "Грешка / Error: {} / {} [{}]",
            e.message_bg, e.message_en, e.code
        );
    }
    let Some(summary) = &job.summary else { return };
    for key in ["problems", "warnings"] {
        for f in summary[key].as_array().into_iter().flatten() {
            println!(
                "{}: {} / {}\n  Как да се поправи / Fix: {} / {}",
                f["code"].as_str().unwrap_or(""),
                f["message_bg"].as_str().unwrap_or(""),
                f["message_en"].as_str().unwrap_or(""),
                f["fix_bg"].as_str().unwrap_or(""),
                f["fix_en"].as_str().unwrap_or("")
            );
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(summary).unwrap_or_default()
    );
}
