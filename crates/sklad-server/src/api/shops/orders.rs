//! Orders from the shop (SPEC G7, X2, X3): the record of each shop order — its status
//! in the shop, what it became here (the operation) and why it waits, if it does —,
//! „Опитай отново“ for one order or every waiting order of a connection, the
//! deliveries that could not be read (kept as received), and the count the pages show
//! in the header's needs-attention badge.
//!
//! Any member of the firm reads and retries: a retry changes nothing by itself, it only
//! marks the order to be read from the shop again; the bridge imports it in the
//! background (within its next round, about a second, when the connection is in use).

use std::collections::HashMap;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sklad_domain::money::format_minor_plain;
use sklad_domain::Id;
use sklad_store::shops::{OrderAttention, ShopOrderRecord, UnreadableDelivery};
use sklad_store::Page;

use super::{connection_of, paging};
use crate::api::auth::Caller;
use crate::api::extract::{PathId, QueryParams};
use crate::api::openapi::schema::{self, nullable, object, one_of, reference};
use crate::api::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The import states of a shop order.
const STATES: [&str; 5] = ["waiting", "imported", "attention", "cancelled", "annulled"];

/// The longest shop order id a path may name.
const MAX_ORDER_ID_LEN: usize = 100;

/// A shop order as the API shows it: the total as a decimal string, with the link to
/// the order in the shop's administration.
#[derive(Debug, Serialize)]
struct ShopOrderView {
    connection_id: Id,
    shop_order_id: String,
    state: String,
    dirty: bool,
    operation_id: Option<Id>,
    postings: i64,
    shop_status: Option<String>,
    fulfilled: bool,
    shop_updated_at: Option<String>,
    currency: Option<String>,
    total: Option<String>,
    fees: Option<Value>,
    attention: Option<OrderAttention>,
    warnings: Value,
    attempts: i64,
    next_attempt_at: Option<jiff::Timestamp>,
    first_seen_at: jiff::Timestamp,
    imported_at: Option<jiff::Timestamp>,
    shop_admin_url: Option<String>,
}

/// Every character but the unreserved ones percent-encoded: an order id stays in its
/// path segment.
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn view_of(record: ShopOrderRecord, shop_url: Option<&str>) -> ShopOrderView {
    let shop_admin_url = shop_url.map(|url| {
        format!(
            "{}/admin/orders/{}",
            url.trim_end_matches('/'),
            path_segment(&record.shop_order_id)
        )
    });
    ShopOrderView {
        connection_id: record.connection_id,
        shop_order_id: record.shop_order_id,
        state: record.state,
        dirty: record.dirty,
        operation_id: record.operation_id,
        postings: record.postings,
        shop_status: record.shop_status,
        fulfilled: record.fulfilled,
        shop_updated_at: record.shop_updated_at,
        currency: record.currency,
        total: record.total.map(format_minor_plain),
        fees: record.fees,
        attention: record.attention,
        warnings: record.warnings,
        attempts: record.attempts,
        next_attempt_at: record.next_attempt_at,
        first_seen_at: record.first_seen_at,
        imported_at: record.imported_at,
        shop_admin_url,
    }
}

/// The connection and the shop order id of `/shops/{id}/orders/{shop_order_id}…`; a
/// malformed one is a 404 (no such record).
struct OrderPath(Id, String);

impl<S: Send + Sync> FromRequestParts<S> for OrderPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(pairs) =
            axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::no_route())?;
        let [(_, id), (_, order)] = pairs.as_slice() else {
            return Err(ApiError::no_route());
        };
        let id = id.parse::<Id>().ok().filter(|id| *id > 0);
        let order_ok = !order.trim().is_empty()
            && order.len() <= MAX_ORDER_ID_LEN
            && !order.chars().any(char::is_control);
        match id {
            Some(id) if order_ok => Ok(OrderPath(id, order.clone())),
            _ => Err(ApiError::not_found("Запис", "Record")),
        }
    }
}

async fn list_shop_orders(
    State(app): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Page<ShopOrderView>>> {
    let connection_id = query.int("connection_id", 1..=i64::MAX);
    let state = query.key("state", &STATES, |s| STATES.into_iter().find(|k| *k == s));
    let paging = paging(&mut query);
    query.finish()?;
    if let Some(id) = connection_id {
        connection_of(&app, &caller, id).await?;
    }
    let urls: HashMap<Id, String> = app
        .store
        .shop_connections(caller.firm_id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.shop_url))
        .collect();
    let page = app
        .store
        .shop_orders(caller.firm_id, connection_id, state, paging)
        .await?;
    Ok(Json(Page {
        items: page
            .items
            .into_iter()
            .map(|r| {
                let url = urls.get(&r.connection_id).cloned();
                view_of(r, url.as_deref())
            })
            .collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_shop_order(
    State(app): State<AppState>,
    caller: Caller,
    OrderPath(id, order): OrderPath,
) -> ApiResult<Json<ShopOrderView>> {
    let c = connection_of(&app, &caller, id).await?;
    let record = app.store.shop_order(caller.firm_id, id, &order).await?;
    Ok(Json(view_of(record, Some(&c.shop_url))))
}

async fn retry_shop_order(
    State(app): State<AppState>,
    caller: Caller,
    OrderPath(id, order): OrderPath,
) -> ApiResult<(StatusCode, Json<ShopOrderView>)> {
    let c = connection_of(&app, &caller, id).await?;
    app.bridge
        .retry_shop_orders(caller.firm_id, id, Some(&order))
        .await?;
    let record = app.store.shop_order(caller.firm_id, id, &order).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(view_of(record, Some(&c.shop_url))),
    ))
}

/// The answer of `POST /shops/{id}/orders/retry`.
#[derive(Debug, Serialize)]
struct Retried {
    connection_id: Id,
    /// The orders that were waiting for the merchant and are now read again.
    retried: i64,
    /// Whether the connection is in use (otherwise nothing is imported until it is).
    connection_active: bool,
}

async fn retry_shop_orders(
    State(app): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<(StatusCode, Json<Retried>)> {
    let c = connection_of(&app, &caller, id).await?;
    let retried = app
        .bridge
        .retry_shop_orders(caller.firm_id, id, None)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Retried {
            connection_id: id,
            retried: i64::try_from(retried).unwrap_or(i64::MAX),
            connection_active: c.active,
        }),
    ))
}

async fn unreadable_deliveries(
    State(app): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Page<UnreadableDelivery>>> {
    let paging = paging(&mut query);
    query.finish()?;
    Ok(Json(
        app.store
            .unreadable_deliveries(caller.firm_id, paging)
            .await?,
    ))
}

/// The answer of `GET /shop-attention`.
#[derive(Debug, Serialize)]
struct AttentionCount {
    count: i64,
}

async fn attention_count(
    State(app): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<AttentionCount>> {
    Ok(Json(AttentionCount {
        count: app.store.shop_attention_count(caller.firm_id).await?,
    }))
}

/// `{shop_order_id}` is the shop's id as text, not a record id.
fn order_id_is_text(mut endpoint: Endpoint) -> Endpoint {
    for p in &mut endpoint.params {
        if p.name == "shop_order_id" {
            p.kind = "string";
            p.description = "The order's id in the shop, e.g. 20417.";
        }
    }
    endpoint
}

/// Adds `/shop-orders`, `/shops/{id}/orders/…`, `/shop-deliveries/unreadable` and
/// `/shop-attention`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Get,
            "/shop-orders",
            "listShopOrders",
            "shop orders",
            "The firm's shop orders, newest first (any member, SPEC G7, X2): each with its \
             status in the shop, its import state (`waiting`, `imported`, `attention`, \
             `cancelled`, `annulled`), the operation it became and why it waits.",
        )
        .param(Param::query(
            "connection_id",
            "integer",
            "Only the orders of this connection (404 when it is not the firm's).",
        ))
        .param(
            Param::query(
                "state",
                "string",
                "Only orders in this import state: waiting, imported, attention, cancelled or \
             annulled.",
            )
            .accepts(|| schema::query_key(&STATES)),
        )
        .paged()
        .response(200, Body::Json("ShopOrderPage")),
        list_shop_orders,
    )
    .add(
        order_id_is_text(e(
            Get,
            "/shops/{id}/orders/{shop_order_id}",
            "getShopOrder",
            "shop orders",
            "One shop order of the connection (any member).",
        ))
        .response(200, Body::Json("ShopOrder")),
        get_shop_order,
    )
    .add(
        order_id_is_text(e(
            Post,
            "/shops/{id}/orders/{shop_order_id}/retry",
            "retryShopOrder",
            "shop orders",
            "„Опитай отново“ (any member, X2): the order is read from the shop again and \
             imported in the background; answers the record, now `dirty`. Nothing else \
             changes until the import runs.",
        ))
        .response(202, Body::Json("ShopOrder")),
        retry_shop_order,
    )
    .add(
        e(
            Post,
            "/shops/{id}/orders/retry",
            "retryShopOrders",
            "shop orders",
            "„Опитай отново всички“ (any member): every order of the connection that waits \
             for the merchant (state `attention`) is read from the shop again and imported \
             in the background.",
        )
        .response(202, Body::Json("ShopOrdersRetried")),
        retry_shop_orders,
    )
    .add(
        e(
            Get,
            "/shop-deliveries/unreadable",
            "listUnreadableShopDeliveries",
            "shop orders",
            "Webhook deliveries of the firm's shops that could not be read, newest first \
             (any member): kept exactly as received, with the reason.",
        )
        .paged()
        .response(200, Body::Json("UnreadableDeliveryPage")),
        unreadable_deliveries,
    )
    .add(
        e(
            Get,
            "/shop-attention",
            "getShopAttention",
            "shop orders",
            "How many things of the firm's shops wait for the merchant (any member): orders \
             in state `attention` plus unreadable deliveries — the pages' header badge.",
        )
        .response(200, Body::Json("ShopAttention")),
        attention_count,
    )
}

/// The schemas of these endpoints.
pub fn schemas(out: &mut Map<String, Value>) {
    let timestamp = |nullable: bool| {
        if nullable {
            json!({"type": ["string", "null"], "format": "date-time"})
        } else {
            json!({"type": "string", "format": "date-time"})
        }
    };
    out.insert(
        "ShopOrderAttention".into(),
        object(
            &["code", "message_bg", "message_en", "details"],
            json!({
                "code": {"type": "string", "examples": ["unknown_sku", "payment_unmapped", "reconciliation"]},
                "message_bg": {"type": "string"},
                "message_en": {"type": "string"},
                "details": {"description": "The figures (e.g. both totals of a reconciliation difference).",
                            "additionalProperties": true}
            }),
        ),
    );
    let required = [
        "connection_id",
        "shop_order_id",
        "state",
        "dirty",
        "operation_id",
        "postings",
        "shop_status",
        "fulfilled",
        "shop_updated_at",
        "currency",
        "total",
        "fees",
        "attention",
        "warnings",
        "attempts",
        "next_attempt_at",
        "first_seen_at",
        "imported_at",
        "shop_admin_url",
    ];
    out.insert(
        "ShopOrder".into(),
        object(
            &required,
            json!({
                "connection_id": {"type": "integer"},
                "shop_order_id": {"type": "string", "examples": ["20417"]},
                "state": one_of(&STATES),
                "dirty": {"type": "boolean", "description": "It will be read from the shop again."},
                "operation_id": {"type": ["integer", "null"],
                    "description": "The live operation (order or sale), or the annulled one."},
                "postings": {"type": "integer",
                    "description": "Operations the order has had (a recovery from a negative status posts it again)."},
                "shop_status": {"type": ["string", "null"], "examples": ["pending", "paid", "completed"],
                    "description": "The status in the shop, as last read."},
                "fulfilled": {"type": "boolean", "description": "Shipped („Изпратена“), as last read."},
                "shop_updated_at": nullable("string"),
                "currency": {"type": ["string", "null"], "examples": ["EUR", "BGN"]},
                "total": {"anyOf": [schema::decimal("24.90"), {"type": "null"}],
                    "description": "The shop's total, in the order's currency."},
                "fees": {"description": "The fees of the latest delivery that listed them (JSON), or null."},
                "attention": {"anyOf": [reference("ShopOrderAttention"), {"type": "null"}],
                    "description": "Why it waits for the merchant."},
                "warnings": {"type": "array", "items": object(
                    &["code", "message_bg", "message_en"],
                    json!({
                        "code": {"type": "string", "examples": ["eik_invalid"]},
                        "message_bg": {"type": "string"},
                        "message_en": {"type": "string"}
                    }),
                ), "description": "Warnings of the last import (e.g. an invalid ЕИК left out)."},
                "attempts": {"type": "integer", "description": "Failed attempts in a row."},
                "next_attempt_at": timestamp(true),
                "first_seen_at": timestamp(false),
                "imported_at": timestamp(true),
                "shop_admin_url": {"type": ["string", "null"],
                    "description": "The order in the shop's administration."}
            }),
        ),
    );
    out.insert("ShopOrderPage".into(), schema::page("ShopOrder"));
    out.insert(
        "ShopOrdersRetried".into(),
        object(
            &["connection_id", "retried", "connection_active"],
            json!({
                "connection_id": {"type": "integer"},
                "retried": {"type": "integer", "description": "Orders that waited for the merchant."},
                "connection_active": {"type": "boolean",
                    "description": "Not in use: nothing is imported until it is."}
            }),
        ),
    );
    out.insert(
        "UnreadableDelivery".into(),
        object(
            &[
                "id",
                "connection_id",
                "event",
                "received_at",
                "reason_bg",
                "reason_en",
                "body",
            ],
            json!({
                "id": {"type": "integer"},
                "connection_id": {"type": "integer"},
                "event": {"type": "string", "examples": ["order.created"]},
                "received_at": timestamp(false),
                "reason_bg": {"type": "string", "description": "Why it could not be read."},
                "reason_en": {"type": "string"},
                "body": {"type": "string", "description": "The body exactly as received."}
            }),
        ),
    );
    out.insert(
        "UnreadableDeliveryPage".into(),
        schema::page("UnreadableDelivery"),
    );
    out.insert(
        "ShopAttention".into(),
        object(
            &["count"],
            json!({"count": {"type": "integer",
                "description": "Orders waiting for the merchant plus unreadable deliveries."}}),
        ),
    );
}
