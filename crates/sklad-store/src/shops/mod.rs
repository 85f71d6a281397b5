//! The e-shop bridge's storage: connections and their settings, the shop's payment
//! methods and their mapping, links between shop variants and goods, background jobs
//! with their result rows, the sync journal, the per-shop lease, and the shop orders
//! coming in (the inbox of webhook deliveries and one record per order).
//!
//! Secrets reach this layer sealed (see `sklad-sync`): the store keeps the sealed text
//! and hands it back only through [`ConnectionSecrets`], whose `Debug` hides it. No
//! record here carries a secret.

mod connections;
mod import;
mod jobs;
mod journal;
mod leases;
mod links;
mod orders;
mod products;
mod push;
mod settings;

pub use import::{ImportOutcome, ImportStep};
pub use jobs::{JOB_STALE_AFTER, MAX_JOB_ROWS_PAGE};
pub use orders::{
    InboxItem, NewDelivery, OrderAttention, OrderOutcome, ShopOrderRecord, Triage,
    UnreadableDelivery, ORDER_CLAIM_LEASE,
};
pub use products::{ProductHint, ProductRefresh, SeenVariant};
pub(crate) use push::{mark_connection_due, mark_firm_due, mark_goods_due, mark_object_due};
pub use push::{DueLink, PushFigures, PushSettled, SyncBacklog};

use serde::{Deserialize, Serialize};
use sklad_domain::shop::ShopSettings;
use sklad_domain::{Currency, Id, PriceGroup, VatRate};
use std::collections::BTreeMap;

/// The only kind of connection so far: an external CloudCart shop.
pub const KIND_CLOUDCART: &str = "cloudcart";

/// A connection as stored and shown (no secrets: only the key's last four characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopConnection {
    /// Database id.
    pub id: Id,
    /// The firm.
    pub firm_id: Id,
    /// A name to recognise it by.
    pub name: String,
    /// `cloudcart`.
    pub kind: String,
    /// `https://host[:port]`.
    pub shop_url: String,
    /// The shop's host, lower-case (its rate budget is keyed on it).
    pub shop_host: String,
    /// The API key's last four characters; `None` when no key is stored (a restored
    /// connection asks for it again).
    pub api_key_last4: Option<String>,
    /// In use: takes a seat, receives webhooks, synchronises.
    pub active: bool,
    /// The shop's currency.
    pub currency: Currency,
    /// The currency follows the shop's latest order until the merchant chooses one.
    pub currency_auto: bool,
    /// Whether the shop's prices include VAT.
    pub prices_with_vat: bool,
    /// How it synchronises.
    pub settings: ShopSettings,
    /// When the merchant confirmed the first push preview (nothing is pushed before).
    pub first_push_confirmed_at: Option<jiff::Timestamp>,
    /// Created.
    pub created_at: jiff::Timestamp,
    /// Last changed.
    pub updated_at: jiff::Timestamp,
}

/// A new connection, validated and with its secrets sealed by the caller.
#[derive(Clone, PartialEq, Eq)]
pub struct NewShopConnection {
    /// Name.
    pub name: String,
    /// Normalised URL.
    pub shop_url: String,
    /// Its host.
    pub shop_host: String,
    /// The sealed API key.
    pub api_key_sealed: String,
    /// The key's last four characters.
    pub api_key_last4: String,
    /// In use.
    pub active: bool,
    /// Currency.
    pub currency: Currency,
    /// Currency follows the shop's orders.
    pub currency_auto: bool,
    /// Prices include VAT.
    pub prices_with_vat: bool,
    /// The random path token of its webhooks.
    pub hook_token: String,
    /// The sealed value of our custom webhook header.
    pub hook_secret_sealed: String,
}

impl std::fmt::Debug for NewShopConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewShopConnection")
            .field("name", &self.name)
            .field("shop_url", &self.shop_url)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A change of a connection's own fields (not its settings). `api_key` `None` keeps
/// the stored key.
#[derive(Clone, PartialEq, Eq)]
pub struct ShopConnectionUpdate {
    /// Name.
    pub name: String,
    /// Normalised URL.
    pub shop_url: String,
    /// Its host.
    pub shop_host: String,
    /// A new key, sealed, with its last four characters.
    pub api_key: Option<(String, String)>,
    /// In use.
    pub active: bool,
    /// Currency.
    pub currency: Currency,
    /// Currency follows the shop's orders.
    pub currency_auto: bool,
    /// Prices include VAT.
    pub prices_with_vat: bool,
}

impl std::fmt::Debug for ShopConnectionUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopConnectionUpdate")
            .field("name", &self.name)
            .field("shop_url", &self.shop_url)
            .field("new_key", &self.api_key.is_some())
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// What the bridge needs to talk to the shop and to recognise its webhooks, sealed.
/// `Debug` hides everything but the ids.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionSecrets {
    /// The firm.
    pub firm_id: Id,
    /// The connection.
    pub connection_id: Id,
    /// The sealed API key (`None`: none stored).
    pub api_key_sealed: Option<String>,
    /// The path token of the connection's webhooks.
    pub hook_token: String,
    /// The sealed custom header value.
    pub hook_secret_sealed: Option<String>,
}

impl std::fmt::Debug for ConnectionSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionSecrets")
            .field("firm_id", &self.firm_id)
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

/// One of the shop's payment methods, and the payment type it maps to (SPEC S2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopPayment {
    /// The gateway code (`cod`, `stripe`, …), the provider's id in the shop.
    pub provider: String,
    /// The merchant's label.
    pub title: String,
    /// Active in the shop.
    pub active: bool,
    /// The firm's payment type; `None`: „няма съответствие“.
    pub payment_type_id: Option<Id>,
}

/// A background job of a connection (long actions, SPEC X4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopJob {
    /// Database id.
    pub id: Id,
    /// The connection.
    pub connection_id: Id,
    /// The connection's shop host (whose lease runs the job).
    pub shop_host: String,
    /// What it does: `test`, `check`, `import`, `opening_stock`, `push_preview`,
    /// `webhooks`, `watchdog`.
    pub kind: String,
    /// Only shows what it would do.
    pub dry_run: bool,
    /// `queued`, `running`, `done`, `failed`, `cancelled`.
    pub status: String,
    /// Who started it (a login, `system`, `cli`).
    pub actor: String,
    /// Progress.
    pub progress: JobProgress,
    /// What it found or did (per kind), once done.
    pub summary: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<JobError>,
    /// Cancellation was asked for.
    pub cancel_requested: bool,
    /// Created.
    pub created_at: jiff::Timestamp,
    /// Started running.
    pub started_at: Option<jiff::Timestamp>,
    /// Finished (done, failed or cancelled).
    pub finished_at: Option<jiff::Timestamp>,
}

impl ShopJob {
    /// Whether the job has ended (done, failed or cancelled).
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "failed" | "cancelled")
    }
}

/// How far a job has come.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobProgress {
    /// Rows read from the shop so far.
    pub read: i64,
    /// Rows the shop has in all, once known.
    pub total: Option<i64>,
    /// API pages read.
    pub pages: i64,
    /// Rows written (import).
    pub written: i64,
    /// What it is doing now (a stable key, e.g. `reading_variants`).
    pub stage: String,
}

/// Why a job failed: stable code and both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobError {
    /// Stable code.
    pub code: String,
    /// Bulgarian.
    pub message_bg: String,
    /// English.
    pub message_en: String,
}

/// One result row of a job: a shop variant beside its good (check, import, opening
/// stock, push preview).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRow {
    /// Position in the result (1-based).
    pub row_no: i64,
    /// The status (check) or action (import) key.
    pub status: String,
    /// Why (a stable key), when skipped or refused.
    pub reason: Option<String>,
    /// A warning key (e.g. `description_missing`).
    pub warning: Option<String>,
    /// The shop's product id.
    pub shop_product_id: Option<String>,
    /// The shop's variant id.
    pub shop_variant_id: Option<String>,
    /// SKU.
    pub sku: Option<String>,
    /// Barcode.
    pub barcode: Option<String>,
    /// The shop's name (product and option values).
    pub name: Option<String>,
    /// The shop's price, minor units of the shop's currency.
    pub shop_price: Option<i64>,
    /// The shop's quantity in thousandths (`None` with `shop_unlimited`: unlimited).
    pub shop_quantity: Option<i64>,
    /// The shop sells it unlimited (`quantity: null`).
    pub shop_unlimited: bool,
    /// The good.
    pub good_id: Option<Id>,
    /// The good's main code.
    pub good_code: Option<String>,
    /// The good's name.
    pub good_name: Option<String>,
    /// The warehouse's price as the shop would show it (its currency, with or without
    /// VAT like the shop).
    pub firm_price: Option<i64>,
    /// The warehouse's quantity (available, thousandths) or the new count.
    pub firm_quantity: Option<i64>,
}

/// An entry of the sync journal (SPEC X3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopJournalEntry {
    /// Database id.
    pub id: Id,
    /// The connection (`None` once deleted).
    pub connection_id: Option<Id>,
    /// When.
    pub at: jiff::Timestamp,
    /// Who (a login, `system`, `cli`).
    pub actor: String,
    /// Stable action key (`connection_created`, `check`, `import`, `webhooks` …).
    pub action: String,
    /// `ok`, `warning` or `error`.
    pub outcome: String,
    /// What happened, in Bulgarian.
    pub message_bg: String,
    /// What happened, in English.
    pub message_en: String,
    /// The figures (counts, ids).
    pub details: serde_json::Value,
}

/// A journal entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalNote {
    /// Who.
    pub actor: String,
    /// Stable action key.
    pub action: String,
    /// `ok`, `warning` or `error`.
    pub outcome: String,
    /// Bulgarian.
    pub message_bg: String,
    /// English.
    pub message_en: String,
    /// Figures.
    pub details: serde_json::Value,
}

/// What the correspondence check and the import need of a good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodSummary {
    /// Id, code, barcodes, kind, active.
    pub key: sklad_domain::shop::GoodKey,
    /// Name.
    pub name: String,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Prices by group (VAT included, firm currency).
    pub prices: BTreeMap<PriceGroup, i64>,
}

/// A link between a shop variant and a good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopLink {
    /// The shop's variant id.
    pub shop_variant_id: String,
    /// The shop's product id.
    pub shop_product_id: String,
    /// The good.
    pub good_id: Id,
    /// „не синхронизирай“: no quantity reaches the shop for it.
    pub sync_excluded: bool,
}

/// A webhook subscription of a connection as last seen in the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopWebhook {
    /// The event key (`order.created` …).
    pub event: String,
    /// The subscription's id in the shop (`None`: not registered).
    pub shop_webhook_id: Option<String>,
    /// The URL the shop calls (without secrets: the path token is shown).
    pub url: String,
    /// Whether the shop delivers it.
    pub active: bool,
    /// When it was last checked.
    pub checked_at: jiff::Timestamp,
}
