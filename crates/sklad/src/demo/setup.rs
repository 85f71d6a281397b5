//! The demo's firm, owner and shop connection, set up step by step as a merchant does it
//! in the pages, with the running server's bridge doing each job.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};
use sklad_domain::model::{FirmInput, PaymentMethod, Role, UserInput};
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{Currency, Id};
use sklad_store::shops::ShopJob;
use sklad_sync::{Bridge, JobKind};

use crate::commands::{explain, sync_error};

/// Who the demo's own steps are journalled as.
const ACTOR: &str = "demo";

/// The longest one setup job may take.
const JOB_WAIT: Duration = Duration::from_secs(300);

/// What the demo made.
pub struct Ready {
    pub firm_id: Id,
    pub connection_id: Id,
    pub login: String,
    pub password: String,
    pub api_token: String,
}

/// Makes the firm and its owner, connects the shop at `shop_url` and brings the
/// connection to the state a merchant reaches after the whole control panel.
pub async fn prepare(bridge: &Bridge, shop_url: &str, api_key: &str) -> Result<Ready> {
    let store = bridge.store();
    let firm = store
        .create_firm(&FirmInput {
            name: "Демо ЕООД".into(),
            eik: None,
            currency: Currency::Eur,
            vat_registered: true,
            seats: 3,
            allow_negative_stock: false,
        })
        .await
        .map_err(explain)?;
    let login = "demo".to_owned();
    let password = sklad_server::api::generate_password();
    let owner = store
        .create_member(
            firm.id,
            &UserInput {
                login: login.clone(),
                password: password.clone(),
                display_name: "Демо собственик".into(),
                language: "bg".into(),
            },
            Role::Owner,
        )
        .await
        .map_err(explain)?;
    let api_token = store
        .create_api_token(owner.id, firm.id, "demo")
        .await
        .map_err(explain)?
        .plaintext;

    let connection = bridge
        .create_connection(
            firm.id,
            &ConnectionInput {
                name: "CloudCart (демо)".into(),
                shop_url: shop_url.to_owned(),
                api_key: Some(api_key.to_owned()),
                active: true,
                currency: Some(Currency::Eur),
                prices_with_vat: true,
            },
            ACTOR,
        )
        .await
        .map_err(sync_error)?;
    let test = store
        .latest_shop_job(firm.id, connection.id, JobKind::Test.key(), false)
        .await
        .map_err(explain)?
        .context("the connection test was not queued")?;
    finished(bridge, firm.id, test).await?;
    store
        .create_special_goods(firm.id, connection.id, ACTOR)
        .await
        .map_err(explain)?;
    map_payments(bridge, firm.id, connection.id, false).await?;
    for kind in [JobKind::Import, JobKind::OpeningStock, JobKind::Webhooks] {
        run(bridge, firm.id, connection.id, kind).await?;
    }
    let preview = run(bridge, firm.id, connection.id, JobKind::PushPreview).await?;
    bridge
        .confirm_first_push(firm.id, connection.id, preview.id, ACTOR)
        .await
        .map_err(sync_error)?;
    map_payments(bridge, firm.id, connection.id, true).await?;
    Ok(Ready {
        firm_id: firm.id,
        connection_id: connection.id,
        login,
        password,
        api_token,
    })
}

/// Saves the settings with every shop payment mapped to the firm's payment type of the
/// same kind (cash on delivery, bank transfer, otherwise card), auto-sync as given.
async fn map_payments(
    bridge: &Bridge,
    firm_id: Id,
    connection_id: Id,
    auto_sync: bool,
) -> Result<()> {
    let store = bridge.store();
    let types = store.payment_types(firm_id).await.map_err(explain)?;
    let of = |method: PaymentMethod| types.iter().find(|t| t.method == method).map(|t| t.id);
    let mapping: BTreeMap<String, Option<Id>> = store
        .shop_payments(firm_id, connection_id)
        .await
        .map_err(explain)?
        .into_iter()
        .map(|p| {
            let method = match p.provider.as_str() {
                "cod" => PaymentMethod::CashOnDelivery,
                "bwt" => PaymentMethod::BankTransfer,
                _ => PaymentMethod::Card,
            };
            (p.provider, of(method))
        })
        .collect();
    let mut settings = store
        .shop_connection(firm_id, connection_id)
        .await
        .map_err(explain)?
        .settings;
    settings.auto_sync = auto_sync;
    store
        .save_shop_settings(firm_id, connection_id, &settings, &mapping, ACTOR)
        .await
        .map_err(explain)?;
    Ok(())
}

/// Starts a job and waits until the server's bridge has done it.
async fn run(bridge: &Bridge, firm_id: Id, connection_id: Id, kind: JobKind) -> Result<ShopJob> {
    let job = bridge
        .start_job(firm_id, connection_id, kind, false, ACTOR)
        .await
        .map_err(sync_error)?;
    finished(bridge, firm_id, job).await
}

/// Waits for a job's end; fails unless it is done.
async fn finished(bridge: &Bridge, firm_id: Id, job: ShopJob) -> Result<ShopJob> {
    let done = bridge
        .wait_job(firm_id, job.id, JOB_WAIT)
        .await
        .map_err(sync_error)?;
    match (&done.error, done.status.as_str()) {
        (_, "done") => Ok(done),
        (Some(e), _) => Err(anyhow::anyhow!(
            "{} ({}): {} / {} [{}]",
            done.kind,
            done.status,
            e.message_bg,
            e.message_en,
            e.code
        )),
        (None, status) => Err(anyhow::anyhow!("{} ended as {status}", done.kind)),
    }
}
