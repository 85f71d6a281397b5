//! The storefront/admin control surface: in-process [`Control`] handle, and the same
//! operations served as JSON under `/_sim/` (see the crate docs for the endpoint list).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::{lock, ApiFault};
use crate::config::{Currency, FeeRule, StockDecrease, VatMode};
use crate::orders::{self, Actor, FulfilInput, OrderRequest, RuleError};
use crate::store::{CustomStatus, ReceivedWrite, Shop};
use crate::webhooks::{self, DeliveryRecord, Emit, WebhookFaults};
use crate::SimState;

/// A refused control operation: stable code, Bulgarian and English text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message_en}")]
pub struct ControlError {
    /// Stable machine code (`unknown_shop`, `order_not_found`, `invalid_status`, …).
    pub code: &'static str,
    /// Bulgarian text.
    pub message_bg: String,
    /// English text.
    pub message_en: String,
    /// HTTP status for the `/_sim/` surface.
    pub status: u16,
}

impl ControlError {
    /// A refusal with its stable code, HTTP status and both texts.
    pub(crate) fn new(
        code: &'static str,
        status: u16,
        bg: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message_bg: bg.into(),
            message_en: en.into(),
            status,
        }
    }
}

impl From<RuleError> for ControlError {
    fn from(e: RuleError) -> Self {
        let status = if e.code == "order_not_found" {
            404
        } else {
            422
        };
        Self {
            code: e.code,
            message_bg: e.bg,
            message_en: e.en,
            status,
        }
    }
}

pub(crate) fn unknown_shop(host: &str) -> ControlError {
    ControlError {
        code: "unknown_shop",
        message_bg: format!("Няма магазин с домейн `{host}`."),
        message_en: format!("No shop has the domain `{host}`."),
        status: 404,
    }
}

/// `*slot = new` when the patch sets it; an absent field keeps its value.
fn replace_if_set<T>(slot: &mut T, new: Option<T>) {
    if let Some(v) = new {
        *slot = v;
    }
}

/// A variant as the control surface shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantView {
    /// Variant id.
    pub id: u64,
    /// Product id.
    pub product_id: u64,
    /// SKU.
    pub sku: Option<String>,
    /// Barcode.
    pub barcode: Option<String>,
    /// Price in minor units.
    pub price: i64,
    /// Stock; `None` = unlimited.
    pub quantity: Option<f64>,
}

impl VariantView {
    /// The view of a stored variant.
    pub(crate) fn of(v: &crate::store::Variant) -> Self {
        Self {
            id: v.id,
            product_id: v.product_id,
            sku: v.sku.clone(),
            barcode: v.barcode.clone(),
            price: v.price,
            quantity: v.quantity.map(|m| m as f64 / 1000.0),
        }
    }
}

/// A webhook subscription as the control surface shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    /// Id.
    pub id: u64,
    /// Receiver URL.
    pub url: String,
    /// Event key.
    pub event: String,
    /// Whether deliveries are made.
    pub active: bool,
}

/// Shop-level settings to change (absent fields stay as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsPatch {
    /// Requests per minute (0 = plan without API).
    pub rate_limit_per_minute: Option<u32>,
    /// Shop currency (new orders only).
    pub currency: Option<Currency>,
    /// Gross or net prices.
    pub vat_mode: Option<VatMode>,
    /// VAT rate in percent.
    pub vat_rate_percent: Option<u32>,
    /// `order_status_for_quantity_decrease` (new orders only; snapshotted per order).
    pub stock_decrease: Option<StockDecrease>,
    /// `order_complete`.
    pub auto_complete: Option<bool>,
    /// 402 on every API call.
    pub subscription_expired: Option<bool>,
    /// Replace the fee rules.
    pub fees: Option<Vec<FeeRule>>,
    /// Plan cap on products (`Some(None)` removes the cap).
    pub product_limit: Option<Option<usize>>,
}

/// What the binary and `/_sim/shops` print about a shop.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShopInfo {
    /// Primary domain.
    pub host: String,
    /// Base URL (`http://host:port`).
    pub url: String,
    /// API keys (this is a local test double; real keys never go through it).
    pub api_keys: Vec<String>,
    /// Rate limit per minute.
    pub rate_limit_per_minute: u32,
    /// Products.
    pub products: usize,
    /// Variants.
    pub variants: usize,
}

/// In-process handle on the emulator's shops, clock and webhook engine.
#[derive(Clone)]
pub struct Control {
    pub(crate) state: Arc<SimState>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("addr", &self.state.addr)
            .finish_non_exhaustive()
    }
}

impl Control {
    pub(crate) fn with_shop<T>(
        &self,
        host: &str,
        f: impl FnOnce(&mut Shop, &mut Emit, jiff::Timestamp) -> Result<T, ControlError>,
    ) -> Result<T, ControlError> {
        let shop = self
            .state
            .shops
            .get(&host.to_ascii_lowercase())
            .ok_or_else(|| unknown_shop(host))?;
        let now = self.state.clock.now();
        let out = {
            let mut s = lock(shop);
            let mut ev = Vec::new();
            let out = f(&mut s, &mut ev, now);
            webhooks::enqueue(&mut s, ev, now);
            out
        };
        self.state.notify.notify_one();
        out
    }

    /// Shops with URLs and keys.
    pub fn shops(&self) -> Vec<ShopInfo> {
        self.state
            .shops
            .iter()
            .map(|(host, s)| {
                let s = lock(s);
                ShopInfo {
                    host: host.clone(),
                    url: format!("http://{host}:{}", self.state.addr.port()),
                    api_keys: s.config.api_keys.clone(),
                    rate_limit_per_minute: s.config.rate_limit_per_minute,
                    products: s.products.len(),
                    variants: s.variants.len(),
                }
            })
            .collect()
    }

    /// Storefront checkout: place an order; returns its id (fires `order.created`).
    pub fn place_order(&self, host: &str, req: &OrderRequest) -> Result<u64, ControlError> {
        self.with_shop(host, |s, ev, now| Ok(orders::place(s, req, now, ev)?))
    }

    /// Set a status as `actor` (merchant/API run the gates; gateway paths skip `order.updated`).
    pub fn set_status(
        &self,
        host: &str,
        order_id: u64,
        status: &str,
        actor: Actor,
    ) -> Result<(), ControlError> {
        self.with_shop(host, |s, ev, now| {
            Ok(orders::change_status(s, order_id, status, actor, now, ev)?)
        })
    }

    /// Payment: `Actor::Gateway` = online callback (no webhook), `Actor::Merchant` = "mark as paid".
    pub fn pay(&self, host: &str, order_id: u64, actor: Actor) -> Result<(), ControlError> {
        self.set_status(host, order_id, "paid", actor)
    }

    /// Card pre-authorisation of `amount` minor units.
    pub fn authorize(&self, host: &str, order_id: u64, amount: i64) -> Result<(), ControlError> {
        self.with_shop(host, |s, ev, now| {
            Ok(orders::authorize(s, order_id, amount, now, ev)?)
        })
    }

    /// Fulfil (ship) the whole order; returns the fulfilment id.
    pub fn fulfil(
        &self,
        host: &str,
        order_id: u64,
        input: FulfilInput,
    ) -> Result<u64, ControlError> {
        self.with_shop(host, |s, ev, now| {
            Ok(orders::fulfil(s, order_id, input, now, ev)?)
        })
    }

    /// Merchant cancels.
    pub fn cancel(&self, host: &str, order_id: u64) -> Result<(), ControlError> {
        self.set_status(host, order_id, "cancelled", Actor::Merchant)
    }

    /// Merchant refunds.
    pub fn refund(&self, host: &str, order_id: u64) -> Result<(), ControlError> {
        self.set_status(host, order_id, "refunded", Actor::Merchant)
    }

    /// Archive (only completed or cancelled orders).
    pub fn archive(&self, host: &str, order_id: u64) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, _| Ok(orders::archive(s, order_id)?))
    }

    /// Merchant edits a line: set `sku` to `quantity` (0 removes, new SKU adds).
    pub fn edit_line(
        &self,
        host: &str,
        order_id: u64,
        sku: &str,
        quantity: i64,
    ) -> Result<(), ControlError> {
        self.with_shop(host, |s, ev, now| {
            Ok(orders::edit_line(s, order_id, sku, quantity, now, ev)?)
        })
    }

    /// Merchant sets a variant's stock in the admin (`None` = unlimited; floored at 0 like the
    /// Inventory screen).
    pub fn set_variant_quantity(
        &self,
        host: &str,
        sku: &str,
        quantity: Option<f64>,
    ) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, _| {
            let id = s
                .variant_by_sku(sku)
                .map(|v| v.id)
                .ok_or_else(|| ControlError {
                    code: "unknown_sku",
                    message_bg: format!("Няма вариант с код `{sku}`."),
                    message_en: format!("No variant has SKU `{sku}`."),
                    status: 404,
                })?;
            let q = match quantity {
                Some(q) if !q.is_finite() || q > 50_000_000.0 => {
                    return Err(ControlError {
                        code: "invalid_quantity",
                        message_bg: "Количеството трябва да е число до 50 000 000.".into(),
                        message_en: "The quantity must be a number up to 50,000,000.".into(),
                        status: 422,
                    })
                }
                Some(q) => Some((q.max(0.0) * 1000.0).round() as i64),
                None => None,
            };
            if let Some(v) = s.variants.get_mut(&id) {
                v.quantity = q;
            }
            Ok(())
        })
    }

    /// A variant by SKU.
    pub fn variant(&self, host: &str, sku: &str) -> Option<VariantView> {
        let shop = self.state.shops.get(&host.to_ascii_lowercase())?;
        let s = lock(shop);
        s.variant_by_sku(sku).map(VariantView::of)
    }

    /// All variants of a shop (for seed checks).
    pub fn variants(&self, host: &str) -> Vec<VariantView> {
        let Some(shop) = self.state.shops.get(&host.to_ascii_lowercase()) else {
            return Vec::new();
        };
        let s = lock(shop);
        s.variants.values().map(VariantView::of).collect()
    }

    /// The order as its JSON:API resource object (attributes include the totals).
    pub fn order(&self, host: &str, order_id: u64) -> Option<Value> {
        let shop = self.state.shops.get(&host.to_ascii_lowercase())?;
        let s = lock(shop);
        s.orders
            .get(&order_id)
            .map(|o| crate::resource::order_resource(&s, o).to_json(None))
    }

    /// Change shop settings (plan/rate limit, currency, VAT mode, stock setting, …).
    pub fn update_settings(&self, host: &str, patch: &SettingsPatch) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, _| {
            if patch.vat_rate_percent.is_some_and(|v| v > 90) {
                return Err(ControlError {
                    code: "invalid_vat_rate",
                    message_bg: "Ставката на ДДС е най-много 90%.".into(),
                    message_en: "The VAT rate is at most 90 %.".into(),
                    status: 422,
                });
            }
            let c = &mut s.config;
            let limit = patch.rate_limit_per_minute.map(|v| v.min(800));
            replace_if_set(&mut c.rate_limit_per_minute, limit);
            replace_if_set(&mut c.currency, patch.currency);
            replace_if_set(&mut c.vat_mode, patch.vat_mode);
            replace_if_set(&mut c.vat_rate_percent, patch.vat_rate_percent);
            replace_if_set(&mut c.stock_decrease, patch.stock_decrease);
            replace_if_set(&mut c.auto_complete, patch.auto_complete);
            replace_if_set(&mut c.subscription_expired, patch.subscription_expired);
            replace_if_set(&mut c.fees, patch.fees.clone());
            replace_if_set(&mut c.product_limit, patch.product_limit);
            Ok(())
        })
    }

    /// Add a custom order status; returns its `order-<slug>` code.
    pub fn add_custom_status(&self, host: &str, name: &str) -> Result<String, ControlError> {
        self.with_shop(host, |s, _, _| {
            let base: String = name
                .to_lowercase()
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '-' })
                .collect::<String>()
                .split('-')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            if base.is_empty() {
                return Err(ControlError {
                    code: "invalid_status_name",
                    message_bg: "Името на статуса е празно.".into(),
                    message_en: "The status name is empty.".into(),
                    status: 422,
                });
            }
            let mut slug: String = format!("order-{base}").chars().take(240).collect();
            let mut n = 0;
            let stem = slug.clone();
            while s.custom_statuses.iter().any(|c| c.slug == slug) {
                n += 1;
                slug = format!("{stem}-{n}");
            }
            let id = 100 + s.custom_statuses.len() as u64;
            s.custom_statuses.push(CustomStatus {
                id,
                name: name.to_string(),
                slug: slug.clone(),
            });
            Ok(slug)
        })
    }

    /// Queue a fault on the shop's public API.
    pub fn inject_api_fault(&self, host: &str, fault: ApiFault) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, _| {
            s.api_faults.push_back(fault);
            Ok(())
        })
    }

    /// Remove all queued API faults and release the requests an [`ApiFault::Hang`] holds.
    pub fn clear_api_faults(&self, host: &str) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, _| {
            s.api_faults.clear();
            s.hang_epoch = s.hang_epoch.wrapping_add(1);
            Ok(())
        })?;
        self.state.tick();
        Ok(())
    }

    /// Set the webhook fault switches.
    pub fn set_webhook_faults(
        &self,
        host: &str,
        faults: WebhookFaults,
    ) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, _| {
            s.hooks.faults = faults;
            Ok(())
        })
    }

    /// Release deliveries held by `hold_for_reorder`, newest first.
    pub fn release_held_webhooks(&self, host: &str) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, now| {
            webhooks::release_held(s, now);
            Ok(())
        })
    }

    /// Takes the deliveries held by `hold_for_reorder` (oldest first) for the caller to
    /// send itself, with the URL and every header the shop would use; the shop then
    /// forgets them (see [`webhooks::take_held`]).
    pub fn take_held_webhooks(
        &self,
        host: &str,
    ) -> Result<Vec<webhooks::HeldDelivery>, ControlError> {
        self.with_shop(host, |s, _, _| Ok(webhooks::take_held(s)))
    }

    /// Webhook delivery attempts so far.
    pub fn deliveries(&self, host: &str) -> Vec<DeliveryRecord> {
        self.state
            .shops
            .get(&host.to_ascii_lowercase())
            .map(|s| lock(s).hooks.log.clone())
            .unwrap_or_default()
    }

    /// Webhook subscriptions.
    pub fn webhooks(&self, host: &str) -> Vec<WebhookView> {
        self.state
            .shops
            .get(&host.to_ascii_lowercase())
            .map(|s| {
                lock(s)
                    .webhooks
                    .values()
                    .map(|w| WebhookView {
                        id: w.id,
                        url: w.url.clone(),
                        event: w.event.clone(),
                        active: w.active,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// POST/PATCH/DELETE requests the API received.
    pub fn received_writes(&self, host: &str) -> Vec<ReceivedWrite> {
        self.state
            .shops
            .get(&host.to_ascii_lowercase())
            .map(|s| lock(s).writes.clone())
            .unwrap_or_default()
    }

    /// API requests refused with 429 because the shop's sliding window was full (injected
    /// 429 faults not counted): 0 for a client that keeps under the limit.
    pub fn rate_refusals(&self, host: &str) -> u64 {
        self.shop_count(host, |s| s.rate_refusals)
    }

    /// API requests the shop's rate limit admitted so far (reads and writes): what
    /// clients spent of its budget.
    pub fn admitted_requests(&self, host: &str) -> u64 {
        self.shop_count(host, |s| s.admitted_requests)
    }

    /// A count kept by the shop on `host` (0 for an unknown shop).
    fn shop_count(&self, host: &str, count: impl Fn(&Shop) -> u64) -> u64 {
        self.state
            .shops
            .get(&host.to_ascii_lowercase())
            .map(|s| count(&lock(s)))
            .unwrap_or(0)
    }

    /// Current emulator time, `YYYY-MM-DD HH:MM:SS` UTC.
    pub fn now(&self) -> String {
        crate::clock::format_datetime(self.state.clock.now())
    }

    /// Write the JSON snapshot (no-op when no snapshot file is configured).
    pub fn save_snapshot(&self) -> Result<(), ControlError> {
        let Some(path) = &self.state.snapshot else {
            return Ok(());
        };
        let shops = self
            .state
            .shops
            .values()
            .map(|s| crate::persist::ShopSnapshot::of(&lock(s)))
            .collect();
        crate::persist::save(path, shops).map_err(|e| ControlError {
            code: "snapshot_failed",
            message_bg: format!("Снимката на състоянието не е записана: {e}"),
            message_en: format!("The snapshot was not written: {e}"),
            status: 500,
        })
    }

    /// Move the clock forward, release the requests an [`ApiFault::Hang`] held until then, and
    /// run every delivery that became due.
    pub async fn advance(&self, by: Duration) {
        self.state
            .clock
            .advance(SignedDuration::try_from(by).unwrap_or(SignedDuration::ZERO));
        self.state.tick();
        self.flush_webhooks().await;
    }

    /// Run every due delivery now and wait for them to finish.
    pub async fn flush_webhooks(&self) {
        self.state.run_due_webhooks().await;
    }
}

/// `/_sim/` routes.
pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/_sim/shops", get(h_shops))
        .route("/_sim/clock", get(h_clock))
        .route("/_sim/clock/advance", post(h_advance))
        .route("/_sim/webhooks/flush", post(h_flush))
        .route("/_sim/snapshot", post(h_snapshot))
        .route("/_sim/shops/{host}/orders", post(h_place))
        .route("/_sim/shops/{host}/orders/{id}", get(h_order))
        .route(
            "/_sim/shops/{host}/orders/{id}/{action}",
            post(h_order_action),
        )
        .route("/_sim/shops/{host}/variants/{sku}", get(h_variant))
        .route(
            "/_sim/shops/{host}/variants/{sku}/quantity",
            post(h_variant_qty),
        )
        .route(
            "/_sim/shops/{host}/settings",
            axum::routing::patch(h_settings),
        )
        .route("/_sim/shops/{host}/statuses", post(h_status_add))
        .route(
            "/_sim/shops/{host}/faults/api",
            post(h_api_fault).delete(h_api_fault_clear),
        )
        .route(
            "/_sim/shops/{host}/faults/webhooks",
            axum::routing::put(h_hook_faults),
        )
        .route("/_sim/shops/{host}/webhooks", get(h_webhooks))
        .route("/_sim/shops/{host}/webhooks/release", post(h_release))
        .route("/_sim/shops/{host}/deliveries", get(h_deliveries))
        .route("/_sim/shops/{host}/writes", get(h_writes))
        .merge(crate::merchant_routes::routes())
        .merge(crate::outage::routes())
}

type St = State<Arc<SimState>>;

fn ctl(s: &Arc<SimState>) -> Control {
    Control { state: s.clone() }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        (status, Json(json!({"error": {"code": self.code, "message_bg": self.message_bg, "message_en": self.message_en}}))).into_response()
    }
}

pub(crate) fn bad_body(e: impl std::fmt::Display) -> ControlError {
    ControlError {
        code: "invalid_body",
        message_bg: format!("Невалидно JSON тяло: {e}"),
        message_en: format!("Invalid JSON body: {e}"),
        status: 400,
    }
}

pub(crate) fn parse_body<T: serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> Result<T, ControlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(bad_body)
}

fn order_not_found(id: u64) -> ControlError {
    ControlError {
        code: "order_not_found",
        message_bg: format!("Поръчка {id} не е намерена."),
        message_en: format!("Order {id} not found."),
        status: 404,
    }
}

async fn h_shops(State(s): St) -> Json<Vec<ShopInfo>> {
    Json(ctl(&s).shops())
}

async fn h_clock(State(s): St) -> Json<Value> {
    Json(json!({"now": ctl(&s).now(), "virtual": s.clock.is_virtual()}))
}

#[derive(Deserialize, Default)]
struct AdvanceBody {
    seconds: u64,
}

async fn h_advance(State(s): St, body: axum::body::Bytes) -> Result<Json<Value>, ControlError> {
    let b: AdvanceBody = parse_body(&body)?;
    let c = ctl(&s);
    c.advance(Duration::from_secs(b.seconds.min(366 * 86_400)))
        .await;
    Ok(Json(json!({"now": c.now()})))
}

async fn h_flush(State(s): St) -> StatusCode {
    ctl(&s).flush_webhooks().await;
    StatusCode::NO_CONTENT
}

async fn h_snapshot(State(s): St) -> Result<StatusCode, ControlError> {
    ctl(&s).save_snapshot()?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_place(
    State(s): St,
    Path(host): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    let req: OrderRequest = serde_json::from_slice(&body).map_err(bad_body)?;
    let id = ctl(&s).place_order(&host, &req)?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn h_order(
    State(s): St,
    Path((host, id)): Path<(String, u64)>,
) -> Result<Json<Value>, ControlError> {
    let c = ctl(&s);
    if !s.shops.contains_key(&host.to_ascii_lowercase()) {
        return Err(unknown_shop(&host));
    }
    c.order(&host, id)
        .map(Json)
        .ok_or_else(|| order_not_found(id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActionBody {
    via: Option<Actor>,
    status: Option<String>,
    amount: Option<i64>,
    sku: Option<String>,
    quantity: Option<i64>,
    #[serde(flatten)]
    fulfil: FulfilInput,
}

pub(crate) fn missing(field: &str) -> ControlError {
    ControlError {
        code: "missing_field",
        message_bg: format!("Липсва поле `{field}`."),
        message_en: format!("The field `{field}` is required."),
        status: 422,
    }
}

async fn h_order_action(
    State(s): St,
    Path((host, id, action)): Path<(String, u64, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ControlError> {
    let b: ActionBody = parse_body(&body)?;
    let c = ctl(&s);
    match action.as_str() {
        "pay" => c.pay(&host, id, b.via.unwrap_or(Actor::Merchant))?,
        "authorize" => c.authorize(&host, id, b.amount.ok_or_else(|| missing("amount"))?)?,
        "fulfil" | "fulfill" => c.fulfil(&host, id, b.fulfil).map(|_| ())?,
        "cancel" => c.cancel(&host, id)?,
        "refund" => c.refund(&host, id)?,
        "archive" => c.archive(&host, id)?,
        "status" => c.set_status(
            &host,
            id,
            &b.status.ok_or_else(|| missing("status"))?,
            b.via.unwrap_or(Actor::Merchant),
        )?,
        "lines" => c.edit_line(
            &host,
            id,
            &b.sku.ok_or_else(|| missing("sku"))?,
            b.quantity.ok_or_else(|| missing("quantity"))?,
        )?,
        _ => {
            return Err(ControlError {
                code: "unknown_action",
                message_bg: format!("Непознато действие `{action}`."),
                message_en: format!("Unknown action `{action}`."),
                status: 404,
            })
        }
    }
    c.order(&host, id)
        .map(Json)
        .ok_or_else(|| order_not_found(id))
}

async fn h_variant(
    State(s): St,
    Path((host, sku)): Path<(String, String)>,
) -> Result<Json<VariantView>, ControlError> {
    ctl(&s)
        .variant(&host, &sku)
        .map(Json)
        .ok_or_else(|| ControlError {
            code: "unknown_sku",
            message_bg: format!("Няма вариант с код `{sku}`."),
            message_en: format!("No variant has SKU `{sku}`."),
            status: 404,
        })
}

#[derive(Deserialize, Default)]
struct QtyBody {
    quantity: Option<f64>,
}

async fn h_variant_qty(
    State(s): St,
    Path((host, sku)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Option<VariantView>>, ControlError> {
    let b: QtyBody = parse_body(&body)?;
    let c = ctl(&s);
    c.set_variant_quantity(&host, &sku, b.quantity)?;
    Ok(Json(c.variant(&host, &sku)))
}

async fn h_settings(
    State(s): St,
    Path(host): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ControlError> {
    let p: SettingsPatch = parse_body(&body)?;
    ctl(&s).update_settings(&host, &p)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
struct StatusBody {
    name: String,
}

async fn h_status_add(
    State(s): St,
    Path(host): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    let b: StatusBody = parse_body(&body)?;
    let slug = ctl(&s).add_custom_status(&host, &b.name)?;
    Ok((StatusCode::CREATED, Json(json!({"slug": slug}))))
}

async fn h_api_fault(
    State(s): St,
    Path(host): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ControlError> {
    let f: ApiFault = serde_json::from_slice(&body).map_err(bad_body)?;
    ctl(&s).inject_api_fault(&host, f)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_api_fault_clear(
    State(s): St,
    Path(host): Path<String>,
) -> Result<StatusCode, ControlError> {
    ctl(&s).clear_api_faults(&host)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_hook_faults(
    State(s): St,
    Path(host): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ControlError> {
    let f: WebhookFaults = parse_body(&body)?;
    ctl(&s).set_webhook_faults(&host, f)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_webhooks(State(s): St, Path(host): Path<String>) -> Json<Vec<WebhookView>> {
    Json(ctl(&s).webhooks(&host))
}

async fn h_release(State(s): St, Path(host): Path<String>) -> Result<StatusCode, ControlError> {
    ctl(&s).release_held_webhooks(&host)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_deliveries(State(s): St, Path(host): Path<String>) -> Json<Vec<DeliveryRecord>> {
    Json(ctl(&s).deliveries(&host))
}

async fn h_writes(State(s): St, Path(host): Path<String>) -> Json<Vec<ReceivedWrite>> {
    Json(ctl(&s).received_writes(&host))
}
