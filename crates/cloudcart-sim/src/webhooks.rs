//! The webhook engine (API.md §6): queueing, delivery as a one-element array with nulls
//! stripped, retries at +120/180/240/300/360 s on the injected clock, auto-disable on
//! permanent failures, auto-delete on "please unsubscribe me", and fault switches.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::clock::format_datetime;
use crate::config::{OrderEventDeferral, PayloadShape};
use crate::store::{Order, Shop};

/// Events produced by an action: (event key, payload element before null stripping).
pub type Emit = Vec<(String, Value)>;

/// The 20 subscribable events (`order.deleted` is disabled on the platform).
pub const EVENTS: [&str; 20] = [
    "category.created",
    "category.updated",
    "category.deleted",
    "vendor.created",
    "vendor.updated",
    "vendor.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
    "discount.created",
    "discount.updated",
    "discount.deleted",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "order.created",
    "order.updated",
    "subscriber.created",
    "subscriber.updated",
    "subscriber.deleted",
];

/// HTTP statuses that disable a subscription on first occurrence.
pub const PERMANENT_STATUSES: [u16; 8] = [400, 401, 403, 404, 405, 406, 410, 411];

/// Fault switches of a shop's webhook delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookFaults {
    /// Every attempt is sent twice (kept for existing callers; see `duplicate_count`).
    #[serde(default)]
    pub duplicate: bool,
    /// Every attempt is sent this many times in a row (the last answer counts; one
    /// [`DeliveryRecord`] per attempt). 0 = not set: `duplicate` decides (2 or 1). At most
    /// [`MAX_COPIES`].
    #[serde(default)]
    pub duplicate_count: u32,
    /// New deliveries are held back until released, then sent newest first (out of order).
    #[serde(default)]
    pub hold_for_reorder: bool,
    /// First attempts of every event (not only `order.*`) are deferred by 60 s.
    #[serde(default)]
    pub defer_60s: bool,
    /// The next N attempts are dropped silently (never sent, no retry).
    #[serde(default)]
    pub drop_next: u32,
}

/// Most copies of one attempt [`WebhookFaults::duplicate_count`] sends.
pub const MAX_COPIES: u32 = 100;

impl WebhookFaults {
    /// How many times each attempt is sent (1 = no duplicate).
    pub fn copies(&self) -> u32 {
        match self.duplicate_count {
            0 if self.duplicate => 2,
            0 => 1,
            n => n.min(MAX_COPIES),
        }
    }
}

/// Engine settings copied from [`crate::SimConfig`].
#[derive(Debug, Clone, Copy)]
pub struct HookSettings {
    /// Order-event deferral rule.
    pub deferral: OrderEventDeferral,
    /// Extra 60 s retry before the 120…360 s series.
    pub extra_60s_retry: bool,
    /// Non-order payload shape.
    pub shape: PayloadShape,
}

/// One queued attempt.
#[derive(Debug, Clone)]
pub struct Queued {
    /// Subscription id.
    pub webhook_id: u64,
    /// Event key.
    pub event: String,
    /// The body (a one-element array).
    pub body: Value,
    /// 1-based attempt number.
    pub attempt: u32,
    /// When it is due.
    pub due: Timestamp,
}

/// What happened to one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// Retryable failure; next attempt scheduled.
    RetryScheduled {
        /// When the next attempt is due.
        next_at: String,
    },
    /// Subscription set inactive (permanent failure or retries exhausted).
    Disabled,
    /// Subscription deleted ("please unsubscribe me").
    Deleted,
    /// Dropped by the fault switch (never sent).
    Dropped,
}

/// A record of one delivery attempt, for inspection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// Subscription id.
    pub webhook_id: u64,
    /// Event key.
    pub event: String,
    /// Receiver URL.
    pub url: String,
    /// 1-based attempt number.
    pub attempt: u32,
    /// Emulator time of the attempt.
    pub at: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// Transport error or response snippet on failure.
    pub error: Option<String>,
    /// Outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The body sent.
    pub body: Value,
}

/// Per-shop webhook state.
#[derive(Debug)]
pub struct WebhookState {
    /// Settings.
    pub settings: HookSettings,
    /// Fault switches.
    pub faults: WebhookFaults,
    /// Waiting attempts.
    pub queue: Vec<Queued>,
    /// Attempts held for out-of-order release.
    pub held: Vec<Queued>,
    /// Log of attempts.
    pub log: Vec<DeliveryRecord>,
}

impl WebhookState {
    /// Empty state with these settings.
    pub fn new(settings: HookSettings) -> Self {
        Self {
            settings,
            faults: WebhookFaults::default(),
            queue: Vec::new(),
            held: Vec::new(),
            log: Vec::new(),
        }
    }
}

/// Remove `null` members recursively.
pub fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// The payload element of a non-order event about resource `kind`/`id` (JSON:API object).
pub fn resource_event(shop: &Shop, event: &str, kind: &str, id: u64) -> (String, Value) {
    let v = crate::resource::fetch(shop, kind, &id.to_string())
        .map(|r| r.to_json(None))
        .unwrap_or(json!({"id": id.to_string()}));
    (event.to_string(), v)
}

fn flatten(v: Value) -> Value {
    let mut out = Map::new();
    if let Some(id) = v.get("id").and_then(Value::as_str) {
        out.insert(
            "id".into(),
            id.parse::<u64>()
                .map(Value::from)
                .unwrap_or(Value::from(id)),
        );
    }
    if let Some(Value::Object(a)) = v.get("attributes") {
        out.extend(a.clone());
    }
    Value::Object(out)
}

/// Queue the events for every active subscription.
pub fn enqueue(shop: &mut Shop, events: Emit, now: Timestamp) {
    for (event, payload) in events {
        let subs: Vec<u64> = shop
            .webhooks
            .values()
            .filter(|w| w.active && w.event == event)
            .map(|w| w.id)
            .collect();
        if subs.is_empty() {
            continue;
        }
        let order_event = event.starts_with("order.");
        let element = if order_event || shop.hooks.settings.shape == PayloadShape::JsonApi {
            payload
        } else {
            flatten(payload)
        };
        let body = Value::Array(vec![strip_nulls(element)]);
        let defer = shop.hooks.faults.defer_60s
            || (order_event
                && match shop.hooks.settings.deferral {
                    OrderEventDeferral::Never => false,
                    OrderEventDeferral::Always => true,
                    OrderEventDeferral::WhenSeveralSubscribers => subs.len() > 1,
                });
        let due = if defer {
            now + SignedDuration::from_secs(60)
        } else {
            now
        };
        for webhook_id in subs {
            let q = Queued {
                webhook_id,
                event: event.clone(),
                body: body.clone(),
                attempt: 1,
                due,
            };
            if shop.hooks.faults.hold_for_reorder {
                shop.hooks.held.push(q);
            } else {
                shop.hooks.queue.push(q);
            }
        }
    }
}

/// A held delivery as the shop would send it (see [`take_held`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDelivery {
    /// Event key.
    pub event: String,
    /// Receiver URL.
    pub url: String,
    /// Every header the shop would send: the subscription's custom ones,
    /// `X-CloudCart-ApiKey` and `Content-Type`.
    pub headers: BTreeMap<String, String>,
    /// The body (a one-element array).
    pub body: Value,
}

/// Take the held deliveries of active subscriptions out of the shop's hands, oldest
/// first, as they would be sent: the caller delivers them (a test playing the network
/// between the shop and several receivers). Deliveries of subscriptions since removed or
/// deactivated are dropped, as sending them would.
pub fn take_held(shop: &mut Shop) -> Vec<HeldDelivery> {
    let held = std::mem::take(&mut shop.hooks.held);
    held.into_iter()
        .filter_map(|q| {
            let w = shop.webhooks.get(&q.webhook_id).filter(|w| w.active)?;
            let key = shop
                .config
                .api_keys
                .get(w.api_key_index)
                .or(shop.config.api_keys.first())
                .cloned()
                .unwrap_or_default();
            let mut headers: BTreeMap<String, String> = w
                .request_headers
                .iter()
                .filter(|(k, _)| {
                    !k.eq_ignore_ascii_case("content-type")
                        && !k.eq_ignore_ascii_case("x-cloudcart-apikey")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            headers.insert("X-CloudCart-ApiKey".into(), key);
            headers.insert("Content-Type".into(), "application/json".into());
            Some(HeldDelivery {
                event: q.event,
                url: w.url.clone(),
                headers,
                body: q.body,
            })
        })
        .collect()
}

/// Release held deliveries newest first (due now).
pub fn release_held(shop: &mut Shop, now: Timestamp) {
    let mut held = std::mem::take(&mut shop.hooks.held);
    held.reverse();
    for mut q in held {
        q.due = now;
        shop.hooks.queue.push(q);
    }
}

/// Delay before the attempt after failed attempt `attempt`, or `None` when exhausted.
pub fn retry_delay(attempt: u32, extra_60s: bool) -> Option<SignedDuration> {
    let series: &[i64] = if extra_60s {
        &[60, 120, 180, 240, 300, 360]
    } else {
        &[120, 180, 240, 300, 360]
    };
    series
        .get((attempt as usize).checked_sub(1)?)
        .map(|s| SignedDuration::from_secs(*s))
}

/// The v2 order payload (API.md §6.5). Inner field names are undocumented; these are the
/// emulator's choice, with money in minor units.
pub fn order_payload(shop: &Shop, o: &Order) -> Value {
    let ts = |t: Timestamp| format_datetime(t);
    let addr = |a: &crate::store::Address| serde_json::to_value(a).unwrap_or(Value::Null);
    let provider = o
        .shipping_provider_id
        .and_then(|id| shop.shipping_providers.get(&id));
    let payment = json!({
        "provider": o.payment_provider, "amount": o.totals.total, "status": o.payment_status,
    });
    json!({
        "store_id": 1,
        "id": o.id,
        "hash": format!("{:010x}", o.id.wrapping_mul(0x9E37_79B9)),
        "status": o.status,
        "status_fulfillment": if o.fulfilled { "fulfilled" } else { "not_fulfilled" },
        "created_at": ts(o.date_added),
        "updated_at": ts(o.updated_at),
        "email_sent": 1,
        "abandoned": 0,
        "invoice_number": o.invoice_number,
        "invoice_date": o.invoice_date.map(ts),
        "order_subtotal": o.totals.subtotal,
        "order_total": o.totals.total,
        "currency": o.currency.code(),
        "weight": o.lines.iter().map(|l| l.weight * l.quantity).sum::<i64>(),
        "discounts": o.discount.iter().map(|d| json!({
            "group": "discount", "name": d.name, "code": d.code, "type": d.discount_type,
            "type_value": d.value, "amount": o.totals.discount,
        })).collect::<Vec<_>>(),
        "tax_vat": [{"name": format!("ДДС {}%", o.vat_rate_percent), "rate": o.vat_rate_percent, "amount": o.totals.tax,
                     "included": o.vat_mode == crate::config::VatMode::Gross}],
        "fees": o.totals.fees.iter().map(|f| json!({"name": f.name, "amount": f.amount})).collect::<Vec<_>>(),
        "customer": {"id": o.customer_id, "email": o.email, "first_name": o.first_name, "last_name": o.last_name},
        "products": o.lines.iter().map(|l| json!({
            "id": l.id, "product_id": l.product_id, "variant_id": l.variant_id, "name": l.name, "sku": l.sku,
            "barcode": l.barcode, "quantity": l.quantity, "price": l.price, "order_price": l.order_price, "options": [],
        })).collect::<Vec<_>>(),
        "shipping": provider.map(|p| vec![json!({"provider_id": p.id, "provider_name": p.name, "amount": o.totals.shipping})]).unwrap_or_default(),
        "shipping_address": addr(&o.shipping_address),
        "billing_address": addr(&o.billing),
        "payments": [payment.clone()],
        "payment": payment,
    })
}

/// Result of one HTTP attempt.
enum Sent {
    Status(u16, String),
    Transport { text: String, dns: bool },
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    headers: &BTreeMap<String, String>,
    body: &Value,
    timeout: Duration,
) -> Sent {
    let mut req = client.post(url).timeout(timeout);
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("x-cloudcart-apikey")
        {
            req = req.header(k.as_str(), v.as_str());
        }
    }
    req = req
        .header("X-CloudCart-ApiKey", key)
        .header("Content-Type", "application/json")
        .body(body.to_string());
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            let snippet: String = text.chars().take(500).collect();
            Sent::Status(
                status.as_u16(),
                format!(
                    "HTTP {} {}: {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or(""),
                    snippet
                ),
            )
        }
        Err(e) => {
            let mut text = e.to_string();
            let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
            while let Some(s) = src {
                text.push_str(": ");
                text.push_str(&s.to_string());
                src = s.source();
            }
            let lower = text.to_ascii_lowercase();
            let dns =
                lower.contains("dns") || lower.contains("resolve") || lower.contains("lookup");
            Sent::Transport { text, dns }
        }
    }
}

/// Work item taken out of a shop's queue for sending.
pub struct Job {
    /// The queued attempt.
    pub q: Queued,
    /// URL at send time.
    pub url: String,
    /// API key value at send time (never logged).
    pub key: String,
    /// Custom headers.
    pub headers: BTreeMap<String, String>,
    /// Drop instead of sending.
    pub drop: bool,
    /// How many times to send it (≥ 1).
    pub copies: u32,
}

/// Take every due attempt of a shop (in due order), resolving the subscription now.
pub fn take_due(shop: &mut Shop, now: Timestamp) -> Vec<Job> {
    let mut due: Vec<Queued> = Vec::new();
    let mut rest = Vec::new();
    for q in std::mem::take(&mut shop.hooks.queue) {
        if q.due <= now {
            due.push(q);
        } else {
            rest.push(q);
        }
    }
    shop.hooks.queue = rest;
    due.sort_by_key(|q| q.due);
    let mut jobs = Vec::new();
    for q in due {
        let Some(w) = shop.webhooks.get(&q.webhook_id) else {
            continue;
        };
        if !w.active {
            continue;
        }
        let key = shop
            .config
            .api_keys
            .get(w.api_key_index)
            .or(shop.config.api_keys.first())
            .cloned()
            .unwrap_or_default();
        let drop = shop.hooks.faults.drop_next > 0;
        if drop {
            shop.hooks.faults.drop_next -= 1;
        }
        jobs.push(Job {
            url: w.url.clone(),
            key,
            headers: w.request_headers.clone(),
            drop,
            copies: shop.hooks.faults.copies(),
            q,
        });
    }
    jobs
}

/// Send one job; returns what to record.
pub async fn deliver(
    client: &reqwest::Client,
    job: &Job,
    timeout: Duration,
) -> Option<(Option<u16>, Option<String>, bool, bool)> {
    if job.drop {
        return None;
    }
    let deliver = || {
        send(
            client,
            &job.url,
            &job.key,
            &job.headers,
            &job.q.body,
            timeout,
        )
    };
    let mut result = deliver().await;
    for _ in 1..job.copies {
        result = deliver().await;
    }
    Some(match result {
        Sent::Status(s, text) => {
            let ok = (200..300).contains(&s);
            (Some(s), if ok { None } else { Some(text) }, ok, false)
        }
        Sent::Transport { text, dns } => (None, Some(text), false, dns),
    })
}

/// Record the result of a job and schedule what follows.
pub fn settle(
    shop: &mut Shop,
    job: Job,
    result: Option<(Option<u16>, Option<String>, bool, bool)>,
    now: Timestamp,
) {
    let at = format_datetime(now);
    let mut rec = DeliveryRecord {
        webhook_id: job.q.webhook_id,
        event: job.q.event.clone(),
        url: job.url.clone(),
        attempt: job.q.attempt,
        at,
        status: None,
        error: None,
        outcome: Outcome::Dropped,
        body: job.q.body.clone(),
    };
    let Some((status, error, ok, dns)) = result else {
        shop.hooks.log.push(rec);
        return;
    };
    rec.status = status;
    rec.error = error.clone();
    rec.outcome = if ok {
        Outcome::Delivered
    } else if error
        .as_deref()
        .is_some_and(|e| e.to_ascii_lowercase().contains("please unsubscribe me"))
    {
        shop.webhooks.remove(&job.q.webhook_id);
        Outcome::Deleted
    } else if dns || status.is_some_and(|s| PERMANENT_STATUSES.contains(&s)) {
        disable(shop, job.q.webhook_id, now);
        Outcome::Disabled
    } else {
        match retry_delay(job.q.attempt, shop.hooks.settings.extra_60s_retry) {
            Some(d) => {
                let due = now + d;
                shop.hooks.queue.push(Queued {
                    due,
                    attempt: job.q.attempt + 1,
                    ..job.q.clone()
                });
                Outcome::RetryScheduled {
                    next_at: format_datetime(due),
                }
            }
            None => {
                disable(shop, job.q.webhook_id, now);
                Outcome::Disabled
            }
        }
    };
    shop.hooks.log.push(rec);
}

fn disable(shop: &mut Shop, id: u64, now: Timestamp) {
    if let Some(w) = shop.webhooks.get_mut(&id) {
        w.active = false;
        w.updated_at = now;
    }
}

/// Earliest due time of a shop's queue.
pub fn next_due(shop: &Shop) -> Option<Timestamp> {
    shop.hooks.queue.iter().map(|q| q.due).min()
}
