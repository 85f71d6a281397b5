//! Connections as the merchant manages them (SPEC C1, S4, P1, P3): the API key sealed
//! before it is stored and never shown again (only its last four characters), a
//! connection test queued whenever the address or the key changes, and the jobs of the
//! control panel started with the checks they need.

use serde::Serialize;
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{FieldError, Id, ValidationErrors};
use sklad_store::shops::{
    NewShopConnection, ShopConnection, ShopConnectionUpdate, ShopJob, ShopWebhook,
};
use sklad_store::StoreError;

use crate::error::{SyncError, SyncResult};
use crate::jobs::JobKind;
use crate::secret::{random_token, Purpose};
use crate::Bridge;

/// A connection with what its page shows beside it.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionView {
    /// The connection.
    #[serde(flatten)]
    pub connection: ShopConnection,
    /// What the settings still lack before orders can flow (empty: complete).
    pub settings_problems: Vec<FieldError>,
    /// The sale rule and the shop's stock setting (as the merchant reports it)
    /// disagree (SPEC G2).
    pub sale_rule_disagrees: bool,
    /// The latest connection test.
    pub last_test: Option<ShopJob>,
    /// The latest correspondence check (K1).
    pub last_check: Option<ShopJob>,
    /// The latest finished import (K2), dry runs included.
    pub last_import: Option<ShopJob>,
    /// A real import (not a dry run) has run: the firm backup is no longer offered first.
    pub imported: bool,
    /// The webhook subscriptions as last seen (K4).
    pub webhooks: Vec<ShopWebhook>,
    /// The shop's requests-per-minute limit as this process last learned it.
    pub rate_limit: Option<u32>,
    /// Requests this process made to the shop in the last minute (its limiter's
    /// window), when it has talked to it.
    pub rate_used: Option<u32>,
    /// Stock and prices to the shop: what waits, what went out lately (issue 9).
    pub push: sklad_store::shops::PushFigures,
}

fn last4(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

impl Bridge {
    /// Creates a connection (a new key is required) and queues its first test, which
    /// also fills the currency from the shop's latest order when none was chosen.
    pub async fn create_connection(
        &self,
        firm_id: Id,
        input: &ConnectionInput,
        actor: &str,
    ) -> SyncResult<ShopConnection> {
        let input = input.validate(true).map_err(StoreError::from)?;
        let url = sklad_domain::shop::connection::normalize_shop_url("shop_url", &input.shop_url)
            .map_err(StoreError::from)?;
        let key = input.api_key.clone().unwrap_or_default();
        let firm = self.store().firm(firm_id).await?;
        let new = NewShopConnection {
            name: input.name.clone(),
            shop_url: url.url,
            shop_host: url.host,
            api_key_sealed: self.inner.secrets.seal(Purpose::ShopApiKey, &key),
            api_key_last4: last4(&key),
            active: input.active,
            currency: input.currency.unwrap_or(firm.currency),
            currency_auto: input.currency.is_none(),
            prices_with_vat: input.prices_with_vat,
            hook_token: random_token(24),
            hook_secret_sealed: self
                .inner
                .secrets
                .seal(Purpose::HookSecret, &random_token(24)),
        };
        let created = self
            .store()
            .create_shop_connection(firm_id, &new, actor)
            .await?;
        self.start_job(firm_id, created.id, JobKind::Test, false, actor)
            .await?;
        Ok(created)
    }

    /// Changes a connection's name, address, key (`None`: keep), status, currency and
    /// VAT setting; queues a test when the address or the key changed.
    pub async fn update_connection(
        &self,
        firm_id: Id,
        id: Id,
        input: &ConnectionInput,
        actor: &str,
    ) -> SyncResult<ShopConnection> {
        let input = input.validate(false).map_err(StoreError::from)?;
        let url = sklad_domain::shop::connection::normalize_shop_url("shop_url", &input.shop_url)
            .map_err(StoreError::from)?;
        let before = self.store().shop_connection(firm_id, id).await?;
        let currency = input.currency.unwrap_or(before.currency);
        let update = ShopConnectionUpdate {
            name: input.name.clone(),
            shop_url: url.url,
            shop_host: url.host,
            api_key: input.api_key.as_ref().map(|key| {
                (
                    self.inner.secrets.seal(Purpose::ShopApiKey, key),
                    last4(key),
                )
            }),
            active: input.active,
            currency,
            currency_auto: input.currency.is_none(),
            prices_with_vat: input.prices_with_vat,
        };
        let after = self
            .store()
            .update_shop_connection(firm_id, id, &update, actor)
            .await?;
        self.inner.doors.forget();
        if (after.shop_url != before.shop_url || update.api_key.is_some())
            && after.api_key_last4.is_some()
        {
            match self
                .start_job(firm_id, id, JobKind::Test, false, actor)
                .await
            {
                Ok(_) | Err(SyncError::Store(StoreError::Validation(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(after)
    }

    /// Deletes a connection. Its subscriptions in the shop then meet 404 at our door,
    /// which makes the shop disable them (API.md §6.6), as it should.
    pub async fn delete_connection(&self, firm_id: Id, id: Id, actor: &str) -> SyncResult<()> {
        self.store()
            .delete_shop_connection(firm_id, id, actor)
            .await?;
        self.inner.doors.forget();
        Ok(())
    }

    /// The client of a connection (its shop's one limiter in this process).
    pub(crate) async fn client_of(
        &self,
        connection: &ShopConnection,
    ) -> SyncResult<cloudcart::Client> {
        let secrets = self
            .store()
            .shop_connection_secrets(connection.firm_id, connection.id)
            .await?;
        self.inner
            .clients
            .client(&self.inner.secrets, connection, &secrets)
    }

    /// The connection with its state: settings problems, last test, check and import,
    /// webhooks, the learned rate limit.
    pub async fn connection_view(&self, firm_id: Id, id: Id) -> SyncResult<ConnectionView> {
        let store = self.store();
        let connection = store.shop_connection(firm_id, id).await?;
        let settings = &connection.settings;
        let budget = self.inner.clients.rate_budget(&connection.shop_host);
        Ok(ConnectionView {
            settings_problems: store.shop_settings_problems(firm_id, id).await?.errors,
            sale_rule_disagrees: settings
                .sale_rule
                .disagrees_with(settings.shop_stock_status),
            last_test: store.latest_shop_job(firm_id, id, "test", false).await?,
            last_check: store.latest_shop_job(firm_id, id, "check", false).await?,
            last_import: store.latest_shop_job(firm_id, id, "import", true).await?,
            imported: store
                .shop_job_ever_done(firm_id, id, JobKind::Import.key(), false)
                .await?,
            webhooks: store.shop_webhooks(firm_id, id).await?,
            rate_limit: budget.as_ref().and_then(|b| b.limit),
            rate_used: budget.map(|b| b.in_window + b.in_flight),
            push: store.push_figures(firm_id, id).await?,
            connection,
        })
    }

    /// Queues a job of `kind` on the connection (see [`JobKind`]); the process holding
    /// the shop's lease runs it. A connection without a key is refused
    /// (`api_key_needed`); so is a second run of a kind already queued or running
    /// (`job_running`).
    pub async fn start_job(
        &self,
        firm_id: Id,
        id: Id,
        kind: JobKind,
        dry_run: bool,
        actor: &str,
    ) -> SyncResult<ShopJob> {
        let connection = self.store().shop_connection(firm_id, id).await?;
        if connection.api_key_last4.is_none() {
            return Err(SyncError::NoKey);
        }
        let job = self
            .store()
            .create_shop_job(
                firm_id,
                id,
                kind.key(),
                dry_run && kind.has_dry_run(),
                actor,
            )
            .await?;
        self.inner.job_queued.notify_one();
        Ok(job)
    }

    /// „Опитай отново“: marks one order (or, with `None`, every order of the connection
    /// that waits for the merchant) to be read from the shop again, and wakes the
    /// worker loop so the import starts at once. Returns how many orders it marked.
    pub async fn retry_shop_orders(
        &self,
        firm_id: Id,
        connection_id: Id,
        shop_order_id: Option<&str>,
    ) -> SyncResult<u64> {
        let retried = self
            .store()
            .retry_shop_orders(firm_id, connection_id, shop_order_id)
            .await?;
        self.inner.orders_waiting.notify_one();
        Ok(retried)
    }

    /// „Синхронизирай сега“: every linked variant of the connection is compared with the
    /// warehouse and written where it differs, at once (owner's action). Returns how many
    /// variants will be compared.
    pub async fn sync_now(&self, firm_id: Id, connection_id: Id) -> SyncResult<u64> {
        let n = self.store().start_push_pass(firm_id, connection_id).await?;
        self.inner.job_queued.notify_one();
        Ok(n)
    }

    /// Records the merchant's confirmation of the first push preview `job_id` (a
    /// finished `push_preview` job of this connection); after it, auto-sync may be
    /// switched on.
    pub async fn confirm_first_push(
        &self,
        firm_id: Id,
        id: Id,
        job_id: Id,
        actor: &str,
    ) -> SyncResult<ShopConnection> {
        let job = self.store().shop_job(firm_id, job_id).await?;
        if job.connection_id != id || job.kind != JobKind::PushPreview.key() || job.status != "done"
        {
            let mut errors = ValidationErrors::new();
            errors.push(FieldError::new(
                "job_id",
                "preview_required",
                "Потвърждава се завършен преглед на първото изпращане за тази връзка.",
                "Only a finished first push preview of this connection can be confirmed.",
            ));
            return Err(StoreError::Validation(errors).into());
        }
        let preview = job.summary.clone().unwrap_or_default();
        Ok(self
            .store()
            .confirm_first_push(
                firm_id,
                id,
                serde_json::json!({ "job_id": job_id, "preview": preview }),
                actor,
            )
            .await?)
    }
}
