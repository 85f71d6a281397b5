//! Orders from the shop as the pages show them (SPEC G7, X2, X3): the needs-attention
//! page `/shops/attention` — the orders that wait for the merchant, with „Опитай
//! отново“ per order and „Опитай отново всички“ per connection, and the deliveries that
//! could not be read, their raw body shown as text —, the list of a connection's shop
//! orders `/shops/{id}/orders` (filter by state, paging), and what the operations list
//! and the operation view show of the shop order an operation came from.
//!
//! Every member of the firm sees these pages and may retry: a retry only marks the
//! order to be read from the shop again; the bridge imports it in the background.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sklad_domain::money::format_bg;
use sklad_domain::operation::Operation;
use sklad_domain::{Currency, Id, Money};
use sklad_store::shops::{ShopConnection, ShopOrderRecord};
use sklad_store::{Paging, StoreError};

use super::shops::{connection, shop_page, sync_fail, text_of};
use crate::web::error::{render, WebError};
use crate::web::i18n::{Lang, Tr};
use crate::web::labels;
use crate::web::layout::Page;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::when;
use crate::web::view::{self, Cell, Field, FilterForm, Pager, Table};
use crate::AppState;

/// The states of a shop order's import, in the order the filter offers them.
pub const STATES: [&str; 5] = ["waiting", "imported", "attention", "cancelled", "annulled"];

/// Orders on one page of a list.
const ORDERS_PER_PAGE: i64 = 25;
/// Unreadable deliveries on one page of the needs-attention list.
const DELIVERIES_PER_PAGE: i64 = 10;
/// The most of a raw body the page shows (bytes; cut at a character boundary).
pub const BODY_SHOWN: usize = 4096;

// ---------------------------------------------------------------------------------
// What the pages share.

/// The import state in the user's language (`attention` → „Чака вас“).
pub fn state_label(tr: Tr, state: &str) -> String {
    tr.keyed("shops-order-state", state)
}

/// The order's status in the shop as last read („Платена“, „Платена, изпратена“); a
/// custom status of the shop shows as its code.
pub fn shop_status_label(tr: Tr, record: &ShopOrderRecord) -> String {
    let status = match record.shop_status.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => tr.keyed("shops-order-status", code),
        _ => tr.t("shops-order-status-unknown"),
    };
    if record.fulfilled {
        format!("{status}, {}", tr.t("shops-order-fulfilled"))
    } else {
        status
    }
}

/// Why the order waits, in the user's language (its code when the text is missing).
pub fn reason(tr: Tr, record: &ShopOrderRecord) -> Option<String> {
    record.attention.as_ref().map(|a| {
        let text = tr.pick(&a.message_bg, &a.message_en).trim();
        if text.is_empty() {
            a.code.clone()
        } else {
            text.to_owned()
        }
    })
}

/// The warnings of the last import (a JSON array of `{code, message_bg, message_en}`)
/// in the user's language; anything else in the array shows as its code or its JSON.
pub fn warnings(tr: Tr, value: &Value) -> Vec<String> {
    let Some(list) = value.as_array() else {
        return Vec::new();
    };
    list.iter()
        .map(|w| {
            let text = text_of(tr, w, "message_bg", "message_en");
            if !text.trim().is_empty() {
                text
            } else if let Some(code) = w.get("code").and_then(Value::as_str) {
                code.to_owned()
            } else if let Some(text) = w.as_str() {
                text.to_owned()
            } else {
                w.to_string()
            }
        })
        .filter(|w| !w.trim().is_empty())
        .collect()
}

/// A path segment with everything but unreserved characters percent-encoded, so an
/// order id can never leave its segment.
pub fn path_segment(text: &str) -> String {
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

/// The order in the shop's administration: `{shop_url}/admin/orders/{id}`.
pub fn admin_url(shop_url: &str, shop_order_id: &str) -> String {
    format!(
        "{}/admin/orders/{}",
        shop_url.trim_end_matches('/'),
        path_segment(shop_order_id)
    )
}

/// `№20417`.
pub fn number_label(shop_order_id: &str) -> String {
    format!("№{shop_order_id}")
}

/// The shop's total in the order's currency.
fn total_label(record: &ShopOrderRecord) -> String {
    let Some(total) = record.total else {
        return String::new();
    };
    let code = record.currency.as_deref().unwrap_or_default();
    match Currency::parse(code) {
        Some(currency) => format_bg(Money::new(total, currency)),
        None => format!(
            "{} {code}",
            sklad_domain::money::format_minor_plain(total).replace('.', ",")
        )
        .trim_end()
        .to_owned(),
    }
}

/// The shop order an operation came from, as the operations list and the operation
/// view show it.
#[derive(Debug, Clone)]
pub struct ShopOrigin {
    /// The connection.
    pub connection_id: Id,
    /// „От поръчка №20417 в магазин CloudCart“.
    pub sentence: String,
    /// `№20417`.
    pub number: String,
    /// The order in the shop's administration.
    pub href: String,
    /// Its status in the shop.
    pub shop_status: String,
    /// Its import state.
    pub state: String,
    /// Why it waits, when it does.
    pub reason: Option<String>,
    /// Warnings of the last import.
    pub warnings: Vec<String>,
}

impl ShopOrigin {
    /// The order of `connection` recorded as `record`.
    pub fn new(tr: Tr, connection: &ShopConnection, record: &ShopOrderRecord) -> Self {
        ShopOrigin {
            connection_id: connection.id,
            sentence: tr.ta(
                "shops-order-origin",
                &[
                    ("number", &record.shop_order_id),
                    ("shop", &connection.name),
                ],
            ),
            number: number_label(&record.shop_order_id),
            href: admin_url(&connection.shop_url, &record.shop_order_id),
            shop_status: shop_status_label(tr, record),
            state: state_label(tr, &record.state),
            reason: reason(tr, record),
            warnings: warnings(tr, &record.warnings),
        }
    }

    /// „Платена · Внесена“.
    pub fn status_line(&self) -> String {
        format!("{} · {}", self.shop_status, self.state)
    }
}

/// The shop order operation `id` came from (following an order converted into a sale),
/// if any.
pub async fn origin_of(
    state: &AppState,
    ctx: &Ctx,
    operation_id: Id,
) -> Result<Option<ShopOrigin>, WebError> {
    let store = &state.store;
    let Some(record) = store
        .shop_order_of_operation(ctx.firm_id(), operation_id)
        .await
        .map_err(|e| ctx.fail(e))?
    else {
        return Ok(None);
    };
    match store
        .shop_connection(ctx.firm_id(), record.connection_id)
        .await
    {
        Ok(c) => Ok(Some(ShopOrigin::new(ctx.tr, &c, &record))),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(ctx.fail(e)),
    }
}

/// The shop orders the operations of a list page came from, by operation id; `None`
/// when the firm has no shop connection (the list then shows no shop columns).
pub async fn origins_of(
    state: &AppState,
    ctx: &Ctx,
    operations: &[Operation],
) -> Result<Option<HashMap<Id, ShopOrigin>>, WebError> {
    let store = &state.store;
    let firm = ctx.firm_id();
    let connections: HashMap<Id, ShopConnection> = store
        .shop_connections(firm)
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    if connections.is_empty() {
        return Ok(None);
    }
    let ids: Vec<Id> = operations.iter().map(|op| op.id).collect();
    let records = store
        .shop_orders_of_operations(firm, &ids)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Some(
        records
            .into_iter()
            .filter_map(|(op, record)| {
                let c = connections.get(&record.connection_id)?;
                Some((op, ShopOrigin::new(ctx.tr, c, &record)))
            })
            .collect(),
    ))
}

/// A raw body as the page shows it: at most [`BODY_SHOWN`] bytes, cut at a character
/// boundary; with the note saying how much was left out.
pub fn shown_body(tr: Tr, body: &str) -> (String, Option<String>) {
    if body.len() <= BODY_SHOWN {
        return (body.to_owned(), None);
    }
    let mut end = BODY_SHOWN;
    while end > 0 && !body.is_char_boundary(end) {
        end -= 1;
    }
    let note = tr.tn(
        "attention-body-truncated",
        &[
            ("shown", i64::try_from(end).unwrap_or(i64::MAX)),
            ("total", i64::try_from(body.len()).unwrap_or(i64::MAX)),
        ],
    );
    (body[..end].to_owned(), Some(note))
}

/// A connection id and a shop order id from the path
/// (`/shops/{id}/orders/{shop_order_id}/retry`); anything else is "not found".
pub struct OrderPath(pub Id, pub String);

impl FromRequestParts<AppState> for OrderPath {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let parsed = axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|axum::extract::Path((id, order))| {
                let id = id.parse::<Id>().ok().filter(|id| *id > 0)?;
                let valid = !order.trim().is_empty()
                    && order.len() <= 100
                    && !order.chars().any(char::is_control);
                valid.then_some(OrderPath(id, order))
            });
        match parsed {
            Some(path) => Ok(path),
            None => {
                let ctx = Ctx::from_request_parts(parts, state).await?;
                Err(WebError::NotFound(ctx.shell()))
            }
        }
    }
}

/// Where a retry leads back to: the connection's orders (`back=orders`) or the
/// needs-attention page.
#[derive(Debug, Default, Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    back: String,
}

fn back_to(back: &str, id: Id, retried: &str, active: bool) -> String {
    let inactive = if active { "" } else { "&inactive=1" };
    if back == "orders" {
        format!("/shops/{id}/orders?retried={retried}{inactive}")
    } else {
        format!("/shops/attention?retried={retried}{inactive}")
    }
}

/// The notice after a retry (`retried=one|all`), and that the connection is not in use
/// (nothing is imported until it is).
fn retried_notice(tr: Tr, retried: Option<&str>, inactive: bool) -> Option<String> {
    let done = match retried? {
        "all" => tr.t("attention-retried-all"),
        _ => tr.t("attention-retried"),
    };
    Some(if inactive {
        format!("{done} {}", tr.t("attention-retried-inactive"))
    } else {
        done
    })
}

// ---------------------------------------------------------------------------------
// „Опитай отново“.

/// `POST /shops/{id}/orders/{shop_order_id}/retry` (members): the order is read from
/// the shop again and imported in the background.
pub async fn retry_one(
    State(state): State<AppState>,
    OrderPath(id, order): OrderPath,
    Query(q): Query<BackQuery>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    let c = connection(&state, &ctx, id).await?;
    state
        .bridge
        .retry_shop_orders(ctx.firm_id(), id, Some(&order))
        .await
        .map_err(|e| sync_fail(&ctx, e))?;
    Ok(Redirect::to(&back_to(&q.back, id, "one", c.active)).into_response())
}

/// `POST /shops/{id}/orders/retry` (members): every order of the connection that
/// waits for the merchant is read from the shop again.
pub async fn retry_all(
    State(state): State<AppState>,
    PathId(id): PathId,
    Query(q): Query<BackQuery>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    let c = connection(&state, &ctx, id).await?;
    state
        .bridge
        .retry_shop_orders(ctx.firm_id(), id, None)
        .await
        .map_err(|e| sync_fail(&ctx, e))?;
    Ok(Redirect::to(&back_to(&q.back, id, "all", c.active)).into_response())
}

// ---------------------------------------------------------------------------------
// The needs-attention page.

/// A delivery that could not be read, as the page shows it.
struct DeliveryRow {
    id: Id,
    connection: String,
    event: String,
    received: String,
    reason: String,
    body: String,
    truncated: Option<String>,
}

/// „Опитай отново всички“ of one connection: (id, „CloudCart: 3 поръчки чакат“).
struct RetryAll {
    id: Id,
    line: String,
}

#[derive(Template)]
#[template(path = "shop_attention.html")]
struct AttentionPage {
    page: Page,
    orders_heading: String,
    retry_all: Vec<RetryAll>,
    table: Table,
    orders_pager: Pager,
    deliveries_heading: String,
    deliveries: Vec<DeliveryRow>,
    deliveries_pager: Pager,
}

/// Query of the needs-attention page: the page of each list, and the notice flags.
#[derive(Debug, Default, Deserialize)]
pub struct AttentionQuery {
    #[serde(default)]
    page: String,
    #[serde(default)]
    dpage: String,
    retried: Option<String>,
    inactive: Option<String>,
}

/// The pager of one of two lists on a page, each with its own page parameter.
fn pager_of(
    tr: Tr,
    param: &str,
    other: (&str, i64),
    page: i64,
    per_page: i64,
    total: i64,
) -> Pager {
    let link = |p: i64| {
        let mut params = Vec::new();
        if other.1 > 1 {
            params.push(format!("{}={}", other.0, other.1));
        }
        params.push(format!("{param}={p}"));
        format!("/shops/attention?{}", params.join("&"))
    };
    Pager {
        total: tr.t1("total-count", "count", &total.to_string()),
        page: tr.t1("page-of", "page", &page.to_string()),
        previous: (page > 1).then(|| link(page - 1)),
        next: (page.saturating_mul(per_page) < total).then(|| link(page + 1)),
    }
}

/// `GET /shops/attention`: what of the firm's shops waits for the merchant.
pub async fn attention(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AttentionQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let store = &state.store;
    let firm = ctx.firm_id();
    let page_no = view::page_number(&q.page);
    let dpage_no = view::page_number(&q.dpage);
    let connections = store
        .shop_connections(firm)
        .await
        .map_err(|e| ctx.fail(e))?;
    let by_id: HashMap<Id, &ShopConnection> = connections.iter().map(|c| (c.id, c)).collect();
    let orders = store
        .shop_orders(
            firm,
            None,
            Some("attention"),
            view::page_paging(page_no, ORDERS_PER_PAGE),
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut retry_all = Vec::new();
    for c in &connections {
        let waiting = store
            .shop_orders(
                firm,
                Some(c.id),
                Some("attention"),
                Paging {
                    limit: 1,
                    offset: 0,
                },
            )
            .await
            .map_err(|e| ctx.fail(e))?
            .total;
        if waiting > 0 {
            retry_all.push(RetryAll {
                id: c.id,
                line: tr.ta(
                    "attention-orders-of",
                    &[("shop", &c.name), ("count", &waiting.to_string())],
                ),
            });
        }
    }
    let rows = orders
        .items
        .iter()
        .map(|r| {
            let c = by_id.get(&r.connection_id);
            let name = c.map(|c| c.name.clone()).unwrap_or_default();
            let number = match c {
                Some(c) => Cell::link(
                    number_label(&r.shop_order_id),
                    admin_url(&c.shop_url, &r.shop_order_id),
                ),
                None => Cell::text(number_label(&r.shop_order_id)),
            };
            vec![
                Cell::link(name, format!("/shops/{}/orders", r.connection_id)),
                number,
                Cell::text(when(r.first_seen_at)),
                Cell::text(shop_status_label(tr, r)),
                Cell::text(reason(tr, r).unwrap_or_default()),
                Cell::num(r.attempts.to_string()),
                Cell::text(r.next_attempt_at.map(when).unwrap_or_default()),
                Cell::button(
                    tr.t("attention-retry"),
                    format!(
                        "/shops/{}/orders/{}/retry",
                        r.connection_id,
                        path_segment(&r.shop_order_id)
                    ),
                ),
            ]
        })
        .collect();
    let table = Table::new(
        tr,
        "attention_orders",
        &[
            ("attention-connection", false),
            ("shops-order-number", false),
            ("shops-order-received", false),
            ("shops-order-status", false),
            ("attention-reason", false),
            ("attention-attempts", true),
            ("attention-next-attempt", false),
            ("actions", false),
        ],
        rows,
    );
    let deliveries = store
        .unreadable_deliveries(
            firm,
            Paging {
                limit: DELIVERIES_PER_PAGE,
                offset: (dpage_no - 1).saturating_mul(DELIVERIES_PER_PAGE),
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let delivery_rows = deliveries
        .items
        .iter()
        .map(|d| {
            let (body, truncated) = shown_body(tr, &d.body);
            DeliveryRow {
                id: d.id,
                connection: by_id
                    .get(&d.connection_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                event: tr.keyed("shops-event", &d.event),
                received: when(d.received_at),
                reason: Some(match tr.lang() {
                    Lang::Bg => d.reason_bg.trim(),
                    Lang::En => d.reason_en.trim(),
                })
                .filter(|r| !r.is_empty())
                .map_or_else(|| tr.t("attention-unreadable"), str::to_owned),
                body,
                truncated,
            }
        })
        .collect();
    let mut page = ctx.page("attention-title");
    page.notice = retried_notice(tr, q.retried.as_deref(), q.inactive.is_some());
    let screen = AttentionPage {
        orders_heading: tr.t1("attention-orders", "count", &orders.total.to_string()),
        retry_all,
        table,
        orders_pager: pager_of(
            tr,
            "page",
            ("dpage", dpage_no),
            page_no,
            ORDERS_PER_PAGE,
            orders.total,
        ),
        deliveries_heading: tr.t1(
            "attention-deliveries",
            "count",
            &deliveries.total.to_string(),
        ),
        deliveries: delivery_rows,
        deliveries_pager: pager_of(
            tr,
            "dpage",
            ("page", page_no),
            dpage_no,
            DELIVERIES_PER_PAGE,
            deliveries.total,
        ),
        page,
    };
    render(&screen, ctx.lang())
}

// ---------------------------------------------------------------------------------
// A connection's shop orders.

#[derive(Template)]
#[template(path = "shop_orders.html")]
struct OrdersPage {
    page: Page,
    c: ShopConnection,
    attention_line: Option<String>,
    filters: Vec<Field>,
    table: Table,
    pager: Pager,
}

/// Query of a connection's orders: the state filter, the page, the notice flags.
#[derive(Debug, Default, Deserialize)]
pub struct OrdersQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    page: String,
    retried: Option<String>,
    inactive: Option<String>,
}

/// `GET /shops/{id}/orders`: every order of the connection, newest first, filtered by
/// import state: its number (to the shop), when it came, its status in the shop, what
/// it became here and why it waits.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
    Query(q): Query<OrdersQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let lang = ctx.lang();
    let store = &state.store;
    let firm = ctx.firm_id();
    let c = connection(&state, &ctx, id).await?;
    let page_no = view::page_number(&q.page);
    let wanted = STATES.into_iter().find(|s| *s == q.state.trim());
    let found = store
        .shop_orders(
            firm,
            Some(id),
            wanted,
            view::page_paging(page_no, ORDERS_PER_PAGE),
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let waiting = store
        .shop_orders(
            firm,
            Some(id),
            Some("attention"),
            Paging {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?
        .total;
    let mut rows = Vec::with_capacity(found.items.len());
    for r in &found.items {
        let operation = match r.operation_id {
            Some(op_id) => match store.operation(firm, op_id).await {
                Ok(op) => Cell::link(
                    format!("{} № {}", labels::operation_kind(lang, op.kind), op.number),
                    format!("/operations/{op_id}"),
                ),
                Err(StoreError::NotFound { .. }) => Cell::text(""),
                Err(e) => return Err(ctx.fail(e)),
            },
            None => Cell::text(""),
        };
        let mut note = reason(tr, r).unwrap_or_default();
        let warned = warnings(tr, &r.warnings);
        if !warned.is_empty() {
            if !note.is_empty() {
                note.push_str("; ");
            }
            note.push_str(&warned.join("; "));
        }
        let action = if r.state == "attention" {
            Cell::button(
                tr.t("attention-retry"),
                format!(
                    "/shops/{id}/orders/{}/retry?back=orders",
                    path_segment(&r.shop_order_id)
                ),
            )
        } else {
            Cell::text("")
        };
        rows.push(vec![
            Cell::link(
                number_label(&r.shop_order_id),
                admin_url(&c.shop_url, &r.shop_order_id),
            ),
            Cell::text(when(r.first_seen_at)),
            Cell::text(shop_status_label(tr, r)),
            Cell::num(total_label(r)),
            Cell::text(state_label(tr, &r.state)),
            operation,
            Cell::text(note),
            action,
        ]);
    }
    let table = Table::new(
        tr,
        "shop_orders",
        &[
            ("shops-order-number", false),
            ("shops-order-received", false),
            ("shops-order-status", false),
            ("shops-order-total", true),
            ("shops-order-state", false),
            ("shops-order-operation", false),
            ("shops-order-note", false),
            ("actions", false),
        ],
        rows,
    );
    let asked = FilterForm::new(tr, &[("state", wanted.unwrap_or_default())]);
    let mut filters = asked.fields();
    let mut options = vec![(String::new(), tr.t("all"))];
    options.extend(STATES.iter().map(|s| ((*s).to_owned(), state_label(tr, s))));
    filters.select("state", "shops-orders-filter-state", options);
    let mut page = shop_page(&ctx, "shops-orders-title", &c);
    page.notice = retried_notice(tr, q.retried.as_deref(), q.inactive.is_some());
    let screen = OrdersPage {
        attention_line: (waiting > 0)
            .then(|| tr.t1("shops-orders-waiting", "count", &waiting.to_string())),
        filters: filters.done(),
        table,
        pager: asked.pager(
            &format!("/shops/{id}/orders"),
            page_no,
            ORDERS_PER_PAGE,
            found.total,
        ),
        page,
        c,
    };
    render(&screen, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn order_ids_stay_in_their_path_segment() {
        assert_eq!(
            admin_url("https://shop.bg/", "20417"),
            "https://shop.bg/admin/orders/20417"
        );
        assert_eq!(path_segment("a/b?c#d е"), "a%2Fb%3Fc%23d%20%D0%B5");
        assert_eq!(number_label("7"), "№7");
    }

    #[test]
    fn a_long_body_is_cut_at_a_character_boundary_and_says_so() {
        let tr = Tr::new(Lang::En);
        let (short, note) = shown_body(tr, "<script>");
        assert_eq!((short.as_str(), note), ("<script>", None));
        let long = "я".repeat(BODY_SHOWN);
        let (cut, note) = shown_body(tr, &long);
        assert!(cut.len() <= BODY_SHOWN && long.starts_with(&cut));
        assert!(note.expect("note").contains(&long.len().to_string()));
    }

    #[test]
    fn warnings_and_statuses_read_in_both_languages() {
        let value = serde_json::json!([
            {"code": "eik_invalid", "message_bg": "Невалиден ЕИК", "message_en": "Invalid EIK"},
            {"code": "only_code"},
            "plain",
            7
        ]);
        assert_eq!(
            warnings(Tr::new(Lang::En), &value),
            ["Invalid EIK", "only_code", "plain", "7"]
        );
        assert_eq!(
            warnings(Tr::new(Lang::Bg), &value)[0],
            "Невалиден ЕИК".to_owned()
        );
        assert!(warnings(Tr::new(Lang::Bg), &serde_json::json!({"x": 1})).is_empty());
        for lang in Lang::ALL {
            let tr = Tr::new(lang);
            for state in STATES {
                assert_ne!(state_label(tr, state), state, "{lang:?} {state}");
            }
            for status in [
                "pending",
                "paid",
                "authorized",
                "completed",
                "cancelled",
                "refunded",
                "voided",
                "timeouted",
                "failed",
                "chargebacked",
                "disputed",
            ] {
                assert_ne!(tr.keyed("shops-order-status", status), status, "{status}");
            }
            assert_eq!(
                tr.keyed("shops-order-status", "order-custom"),
                "order-custom"
            );
        }
    }
}
