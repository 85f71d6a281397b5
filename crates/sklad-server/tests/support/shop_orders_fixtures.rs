//! Shop orders put in place through the store, the way the webhook door and the bridge
//! leave them: deliveries in the inbox, triaged into `waiting` records or flagged as
//! unreadable, and records finished as `attention` or `imported` (with an Order
//! operation carrying the importer's reference `cloudcart:{host}`).
//!
//! The connections are not in use and name no reachable shop, so the server's bridge
//! never imports them; it may triage a delivery before the test does, which ends the
//! same way (every helper waits for the outcome, bounded).

#![allow(dead_code)] // each test binary uses a different part

use std::time::Duration;

use serde_json::{json, Value};
use sklad_domain::model::{GoodInput, GoodKind};
use sklad_domain::operation::{ExternalRef, Line, Operation, OperationDraft, OperationKind};
use sklad_domain::{Currency, Id, Quantity, VatRate};
use sklad_store::shops::{
    InboxItem, NewDelivery, NewShopConnection, OrderAttention, OrderOutcome, ShopConnection,
    ShopOrderRecord, Triage,
};
use sklad_store::{Paging, Store};

/// How long the bridge's own triage of a delivery may take.
const SETTLE_WAIT: Duration = Duration::from_secs(20);

/// A connection of `firm`, not in use, to the shop at `https://{host}` (never called).
pub async fn connection(store: &Store, firm: Id, name: &str, host: &str) -> ShopConnection {
    store
        .create_shop_connection(
            firm,
            &NewShopConnection {
                name: name.into(),
                shop_url: format!("https://{host}"),
                shop_host: host.into(),
                api_key_sealed: "sealed".into(),
                api_key_last4: "K3Y9".into(),
                active: false,
                currency: Currency::Eur,
                currency_auto: false,
                prices_with_vat: true,
                hook_token: format!("token-{host}"),
                hook_secret_sealed: "sealed".into(),
            },
            "test",
        )
        .await
        .expect("connection")
}

/// What a delivery is, as the bridge would read it: an order delivery naming an id is
/// about that order; anything else cannot be read.
fn triage(item: &InboxItem) -> Triage {
    let id = serde_json::from_str::<Value>(&item.body)
        .ok()
        .and_then(|v| v.get(0).and_then(|o| o.get("id")).cloned())
        .and_then(|id| match id {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() => Some(s),
            _ => None,
        });
    match id {
        Some(shop_order_id) if item.event.starts_with("order.") => Triage::Order {
            shop_order_id,
            fees: None,
        },
        _ => Triage::Unreadable {
            reason_bg: "съобщението не назовава поръчка".into(),
            reason_en: "the delivery names no order".into(),
        },
    }
}

/// Writes a delivery to the connection's inbox and triages whatever is new.
pub async fn deliver(store: &Store, connection_id: Id, event: &str, body: &str) {
    store
        .insert_shop_deliveries(&[NewDelivery {
            connection_id,
            event: event.into(),
            body: body.into(),
        }])
        .await
        .expect("delivery");
    let items = store.claim_inbox("fixture", 100).await.expect("claim");
    let settled: Vec<(InboxItem, Triage)> = items
        .into_iter()
        .map(|i| {
            let t = triage(&i);
            (i, t)
        })
        .collect();
    store.settle_inbox(&settled).await.expect("settle");
}

/// Waits (bounded) until `check` finds what it looks for.
async fn until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + SETTLE_WAIT;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen within {SETTLE_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A `waiting` record of order `order_id`, as a delivery of `order.created` leaves it.
pub async fn waiting_order(
    store: &Store,
    firm: Id,
    connection_id: Id,
    order_id: &str,
) -> ShopOrderRecord {
    deliver(
        store,
        connection_id,
        "order.created",
        &format!(r#"[{{"id":{order_id},"status":"pending"}}]"#),
    )
    .await;
    until("the order's record", || async {
        store.shop_order(firm, connection_id, order_id).await.ok()
    })
    .await
}

/// A delivery that cannot be read, flagged; returns once it is listed.
pub async fn unreadable(store: &Store, firm: Id, connection_id: Id, body: &str) {
    deliver(store, connection_id, "order.updated", body).await;
    until("the unreadable delivery", || async {
        let page = store
            .unreadable_deliveries(
                firm,
                Paging {
                    limit: 500,
                    offset: 0,
                },
            )
            .await
            .ok()?;
        page.items.iter().any(|d| d.body == body).then_some(())
    })
    .await
}

/// The reason an order of these tests waits: an unknown SKU.
pub fn unknown_sku(sku: &str) -> OrderAttention {
    OrderAttention {
        code: "unknown_sku".into(),
        message_bg: format!("Непознат SKU „{sku}“: няма стока с такъв код или баркод."),
        message_en: format!("Unknown SKU \"{sku}\": no good has this code or barcode."),
        details: json!({ "sku": sku }),
    }
}

fn outcome(state: &'static str) -> OrderOutcome {
    OrderOutcome {
        state,
        operation_id: None,
        postings: 0,
        shop_status: Some("pending".into()),
        fulfilled: false,
        shop_updated_at: Some("2026-11-28T09:59:00+02:00".into()),
        currency: Some("EUR".into()),
        total: Some(2490),
        attention: None,
        warnings: json!([]),
    }
}

/// An order waiting for the merchant (`attention`, no longer dirty), as an import that
/// met an unknown SKU leaves it.
pub async fn attention_order(
    store: &Store,
    firm: Id,
    connection_id: Id,
    order_id: &str,
    sku: &str,
) -> ShopOrderRecord {
    let record = waiting_order(store, firm, connection_id, order_id).await;
    let mut done = outcome("attention");
    done.attention = Some(unknown_sku(sku));
    store
        .finish_shop_order(connection_id, order_id, record.version, &done)
        .await
        .expect("finish");
    store
        .shop_order(firm, connection_id, order_id)
        .await
        .expect("record")
}

/// An order imported as an Order operation (one service line), with `warnings`.
pub async fn imported_order(
    store: &Store,
    firm: Id,
    c: &ShopConnection,
    order_id: &str,
    warnings: Value,
) -> (ShopOrderRecord, Operation) {
    let firm_currency = store.firm(firm).await.expect("firm").currency;
    let object = store.objects(firm).await.expect("objects")[0].id;
    let code = format!("SHIP-{order_id}");
    let good = store
        .create_good(
            firm,
            &GoodInput {
                code: code.clone(),
                barcodes: Vec::new(),
                name: format!("Услуга {order_id}"),
                measure: "бр.".into(),
                kind: GoodKind::Service,
                vat_rate: VatRate::Standard,
                group: None,
                active: true,
                prices: Default::default(),
            },
        )
        .await
        .expect("good");
    let op = store
        .create_operation(
            firm,
            &OperationDraft {
                kind: OperationKind::Order,
                date: jiff::civil::date(2026, 11, 28),
                object_id: object,
                target_object_id: None,
                partner_id: None,
                payment_type_id: None,
                currency: firm_currency,
                lines: vec![Line {
                    good_id: good.id,
                    quantity: Quantity::from_units(1),
                    unit_price: 2490,
                    vat_rate: VatRate::Standard,
                    discount_bp: 0,
                }],
                external_ref: Some(ExternalRef {
                    source: format!("cloudcart:{}", c.shop_host),
                    id: order_id.into(),
                }),
                note: None,
            },
        )
        .await
        .expect("order operation");
    let record = waiting_order(store, firm, c.id, order_id).await;
    let mut done = outcome("imported");
    done.operation_id = Some(op.id);
    done.postings = 1;
    done.shop_status = Some("paid".into());
    done.warnings = warnings;
    store
        .finish_shop_order(c.id, order_id, record.version, &done)
        .await
        .expect("finish");
    let record = store
        .shop_order(firm, c.id, order_id)
        .await
        .expect("record");
    (record, op)
}

/// An invalid-ЕИК warning as the importer writes it.
pub fn eik_warning() -> Value {
    json!([{
        "code": "eik_invalid",
        "message_bg": "ЕИК „123“ е невалиден и не е записан при партньора.",
        "message_en": "The EIK \"123\" is invalid and was not saved with the partner."
    }])
}
