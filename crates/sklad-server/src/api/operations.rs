//! `/operations`: deliveries, sales, orders, transfers, stock-takings, write-offs and
//! customer returns; edit, annul, and convert an order into a sale.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sklad_domain::money::format_minor_plain;
use sklad_domain::operation::{
    ExternalRef, Line, Operation, OperationDraft, OperationKind, OperationStatus, Totals,
};
use sklad_domain::{Currency, Id, Quantity, ValidationErrors, VatRate};
use sklad_store::{OperationFilter, Page, Paging};

use super::auth::Caller;
use super::decimal::DecimalText;
use super::extract::{decode_json, ApiJson, PathId, QueryParams, RawBody};
use super::goods::vat_rate;
use super::openapi::schema::{self, input, nullable, object, one_of, reference};
use super::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// One line as the API shows it.
#[derive(Debug, Serialize)]
struct LineView {
    good_id: Id,
    quantity: String,
    unit_price: String,
    vat_rate: i64,
    /// Percent, two decimals.
    discount: String,
    total: String,
}

/// Totals as decimal strings.
#[derive(Debug, Serialize)]
struct TotalsView {
    gross: String,
    vat: String,
    net: String,
}

impl From<Totals> for TotalsView {
    fn from(t: Totals) -> Self {
        TotalsView {
            gross: format_minor_plain(t.gross),
            vat: format_minor_plain(t.vat),
            net: format_minor_plain(t.net),
        }
    }
}

/// An operation as the API shows it.
#[derive(Debug, Serialize)]
pub struct OperationView {
    id: Id,
    kind: OperationKind,
    kind_bg: &'static str,
    number: i64,
    date: jiff::civil::Date,
    object_id: Id,
    target_object_id: Option<Id>,
    partner_id: Option<Id>,
    payment_type_id: Option<Id>,
    currency: Currency,
    lines: Vec<LineView>,
    totals: TotalsView,
    external_ref: Option<ExternalRef>,
    note: Option<String>,
    status: OperationStatus,
    converted_to: Option<Id>,
}

impl From<Operation> for OperationView {
    fn from(op: Operation) -> Self {
        OperationView {
            id: op.id,
            kind: op.kind,
            kind_bg: op.kind.label_bg(),
            number: op.number,
            date: op.date,
            object_id: op.object_id,
            target_object_id: op.target_object_id,
            partner_id: op.partner_id,
            payment_type_id: op.payment_type_id,
            currency: op.currency,
            lines: op
                .lines
                .iter()
                .map(|line| LineView {
                    good_id: line.good_id,
                    quantity: line.quantity.to_string(),
                    unit_price: format_minor_plain(line.unit_price),
                    vat_rate: line.vat_rate.percent(),
                    discount: format_minor_plain(line.discount_bp),
                    total: format_minor_plain(line.total()),
                })
                .collect(),
            totals: op.totals.into(),
            external_ref: op.external_ref,
            note: op.note,
            status: op.status,
            converted_to: op.converted_to,
        }
    }
}

/// One line of a request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineBody {
    good_id: Id,
    quantity: DecimalText,
    unit_price: DecimalText,
    /// The good's own rate when absent.
    vat_rate: Option<DecimalText>,
    /// Percent, e.g. `"12.5"`.
    discount: Option<DecimalText>,
}

/// The external reference of a request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExternalRefBody {
    source: String,
    id: String,
}

/// Body of `POST /operations` and `PUT /operations/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OperationBody {
    kind: OperationKind,
    /// `2026-11-28` or `28.11.2026`; today (Sofia) when absent.
    date: Option<String>,
    object_id: Id,
    target_object_id: Option<Id>,
    partner_id: Option<Id>,
    payment_type_id: Option<Id>,
    /// The firm's currency when absent.
    currency: Option<Currency>,
    lines: Vec<LineBody>,
    external_ref: Option<ExternalRefBody>,
    note: Option<String>,
}

impl OperationBody {
    /// The domain draft: decimals parsed with their field paths, defaults filled from
    /// the firm and the goods. Checks that need the database are the store's.
    async fn into_draft(self, state: &AppState, firm_id: Id) -> ApiResult<OperationDraft> {
        let mut errors = ValidationErrors::new();
        let date = match &self.date {
            Some(text) => errors.check(sklad_domain::date::parse_date("date", text)),
            None => Some(state.clock.today_in_sofia()),
        };
        let currency = match self.currency {
            Some(c) => c,
            None => state.store.firm(firm_id).await?.currency,
        };
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.iter().enumerate() {
            let at = |name: &str| format!("lines[{i}].{name}");
            let quantity = errors.check(line.quantity.quantity(&at("quantity")));
            let unit_price = errors.check(line.unit_price.minor(&at("unit_price")));
            let discount_bp = match &line.discount {
                Some(d) => errors.check(d.minor(&at("discount"))),
                None => Some(0),
            };
            let vat = match &line.vat_rate {
                Some(v) => errors.check(vat_rate(&at("vat_rate"), v)),
                // An unknown good is reported by the store with its field path.
                None => Some(
                    state
                        .store
                        .good(firm_id, line.good_id)
                        .await
                        .map(|g| g.vat_rate)
                        .unwrap_or(VatRate::Standard),
                ),
            };
            // A value that could not be read is already reported; a neutral stand-in
            // keeps the line's index so the domain's checks name the right line.
            lines.push(Line {
                good_id: line.good_id,
                quantity: quantity.unwrap_or(Quantity(1)),
                unit_price: unit_price.unwrap_or(0),
                vat_rate: vat.unwrap_or_default(),
                discount_bp: discount_bp.unwrap_or(0),
            });
        }
        let draft = OperationDraft {
            kind: self.kind,
            date: date.unwrap_or_default(),
            object_id: self.object_id,
            target_object_id: self.target_object_id,
            partner_id: self.partner_id,
            payment_type_id: self.payment_type_id,
            currency,
            lines,
            external_ref: self.external_ref.map(|r| ExternalRef {
                source: r.source,
                id: r.id,
            }),
            note: self.note.filter(|n| !n.trim().is_empty()),
        };
        if let Err(more) = draft.validate() {
            for error in more.errors {
                if !errors.errors.iter().any(|e| e.field == error.field) {
                    errors.push(error);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Ok(draft)
    }
}

async fn list_operations(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Page<OperationView>>> {
    let kind = query.key("kind", &operation_kinds(), OperationKind::from_key);
    let status = query.key("status", &OPERATION_STATUSES, |s| match s {
        "active" => Some(OperationStatus::Active),
        "annulled" => Some(OperationStatus::Annulled),
        "converted" => Some(OperationStatus::Converted),
        _ => None,
    });
    let date_from = query.date("date_from");
    let date_to = query.date("date_to");
    let partner_id = query.int("partner_id", 1..=i64::MAX);
    let object_id = query.int("object_id", 1..=i64::MAX);
    let (limit, offset) = query.paging();
    query.finish()?;
    let filter = OperationFilter {
        kind,
        status,
        date_from,
        date_to,
        partner_id,
        object_id,
        paging: Paging { limit, offset },
    };
    let page = state.store.operations(caller.firm_id, &filter).await?;
    Ok(Json(Page {
        items: page.items.into_iter().map(OperationView::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn create_operation(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<OperationBody>,
) -> ApiResult<(StatusCode, Json<OperationView>)> {
    let draft = body.into_draft(&state, caller.firm_id).await?;
    let op = state.store.create_operation(caller.firm_id, &draft).await?;
    Ok((StatusCode::CREATED, Json(op.into())))
}

async fn get_operation(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<OperationView>> {
    Ok(Json(
        state.store.operation(caller.firm_id, id).await?.into(),
    ))
}

async fn update_operation(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiJson(body): ApiJson<OperationBody>,
) -> ApiResult<Json<OperationView>> {
    // 404 for another firm's id before any draft checks.
    state.store.operation(caller.firm_id, id).await?;
    let draft = body.into_draft(&state, caller.firm_id).await?;
    Ok(Json(
        state
            .store
            .update_operation(caller.firm_id, id, &draft)
            .await?
            .into(),
    ))
}

async fn annul_operation(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<OperationView>> {
    Ok(Json(
        state
            .store
            .annul_operation(caller.firm_id, id)
            .await?
            .into(),
    ))
}

async fn by_external_ref(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<OperationView>> {
    let source = query.text("source");
    let source = query.require("source", source);
    let id = query.text("id");
    let id = query.require("id", id);
    query.finish()?;
    let op = state
        .store
        .operation_by_external_ref(
            caller.firm_id,
            source.as_deref().unwrap_or_default(),
            id.as_deref().unwrap_or_default(),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("Операция", "Operation"))?;
    Ok(Json(op.into()))
}

/// Optional body of `POST /operations/{id}/convert-to-sale`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConvertBody {
    /// The sale's date; the order's when absent.
    date: Option<String>,
}

async fn convert_to_sale(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<OperationView>)> {
    let body: ConvertBody = if body.iter().all(u8::is_ascii_whitespace) {
        ConvertBody::default()
    } else {
        decode_json(&body)?
    };
    let date = match &body.date {
        Some(text) => Some(sklad_domain::date::parse_date("date", text).map_err(ApiError::from)?),
        None => None,
    };
    let sale = state
        .store
        .convert_order_to_sale(caller.firm_id, id, date)
        .await?;
    Ok((StatusCode::CREATED, Json(sale.into())))
}

/// Adds `/operations`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(Get, "/operations", "listOperations", "operations", "Operations, newest first, one page at a time.")
            .param(Param::query("kind", "string", "delivery, sale, order, transfer, stock_taking, write_off, customer_return.").accepts(|| schema::query_key(&operation_kinds())))
            .param(Param::query("status", "string", "active, annulled or converted.").accepts(|| schema::query_key(&OPERATION_STATUSES)))
            .param(Param::query("date_from", "string", "Inclusive, 2026-11-28.").accepts(schema::query_date))
            .param(Param::query("date_to", "string", "Inclusive, 2026-11-30.").accepts(schema::query_date))
            .param(Param::query("partner_id", "integer", "Only this partner's operations."))
            .param(Param::query("object_id", "integer", "Only this object's operations."))
            .paged()
            .response(200, Body::Json("OperationPage")),
        list_operations,
    )
    .add(
        e(Post, "/operations", "createOperation", "operations", "Records an operation and applies its stock effect (an order reserves).")
            .request(Body::Json("OperationInput"))
            .response(201, Body::Json("Operation")),
        create_operation,
    )
    .add(
        e(Get, "/operations/by-external-ref", "getOperationByExternalRef", "operations", "The operation with this external reference, e.g. a shop order.")
            .param(Param::query_required("source", "string", "The other system, e.g. `cloudcart`."))
            .param(Param::query_required("id", "string", "The id there, e.g. the shop order id."))
            .response(200, Body::Json("Operation")),
        by_external_ref,
    )
    .add(
        e(Get, "/operations/{id}", "getOperation", "operations", "One operation.")
            .response(200, Body::Json("Operation")),
        get_operation,
    )
    .add(
        e(Put, "/operations/{id}", "updateOperation", "operations", "Replaces an active operation; its stock effect is reversed exactly and the new one applied.")
            .request(Body::Json("OperationInput"))
            .response(200, Body::Json("Operation")),
        update_operation,
    )
    .add(
        e(Post, "/operations/{id}/annul", "annulOperation", "operations", "Annuls an active operation, reversing its stock effect exactly.")
            .response(200, Body::Json("Operation")),
        annul_operation,
    )
    .add(
        e(Post, "/operations/{id}/convert-to-sale", "convertOrderToSale", "operations", "Turns an active order into a sale in one step: the reservation is released and the stock moves. Returns the sale.")
            .request(Body::OptionalJson("ConvertToSale"))
            .response(201, Body::Json("Operation")),
        convert_to_sale,
    )
}

/// The keys of the operation kinds.
fn operation_kinds() -> Vec<&'static str> {
    OperationKind::ALL.iter().map(|k| k.key()).collect()
}

/// The keys of the operation statuses.
const OPERATION_STATUSES: [&str; 3] = ["active", "annulled", "converted"];

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    let kinds = operation_kinds();
    let ext = object(
        &["source", "id"],
        json!({"source": {"type": "string", "examples": ["cloudcart"]}, "id": {"type": "string"}}),
    );
    out.insert("ExternalRef".into(), ext);
    // 1 to 100 characters, no spaces at either end, no NUL.
    let ext_part =
        json!({"type": "string", "pattern": "^[^\\s\\u0000]([^\\u0000]{0,98}[^\\s\\u0000])?$"});
    out.insert(
        "ExternalRefInput".into(),
        input(
            &["source", "id"],
            json!({"source": ext_part, "id": ext_part}),
        ),
    );
    out.insert(
        "Line".into(),
        object(
            &[
                "good_id",
                "quantity",
                "unit_price",
                "vat_rate",
                "discount",
                "total",
            ],
            json!({
                "good_id": {"type": "integer"},
                "quantity": schema::decimal("1.5"),
                "unit_price": schema::decimal("12.50"),
                "vat_rate": {"type": "integer", "enum": [20, 9, 0]},
                "discount": schema::decimal("0.00"),
                "total": schema::decimal("18.75")
            }),
        ),
    );
    out.insert(
        "Operation".into(),
        object(
            &[
                "id", "kind", "kind_bg", "number", "date", "object_id", "target_object_id",
                "partner_id", "payment_type_id", "currency", "lines", "totals", "external_ref",
                "note", "status", "converted_to",
            ],
            json!({
                "id": {"type": "integer"},
                "kind": one_of(&kinds),
                "kind_bg": {"type": "string", "examples": ["Доставка"]},
                "number": {"type": "integer", "description": "Running number per firm and kind."},
                "date": {"type": "string", "format": "date"},
                "object_id": {"type": "integer"},
                "target_object_id": nullable("integer"),
                "partner_id": nullable("integer"),
                "payment_type_id": nullable("integer"),
                "currency": one_of(&["BGN", "EUR"]),
                "lines": {"type": "array", "items": reference("Line")},
                "totals": object(&["gross", "vat", "net"], json!({
                    "gross": schema::decimal("24.00"),
                    "vat": schema::decimal("4.00"),
                    "net": schema::decimal("20.00")
                })),
                "external_ref": {"oneOf": [reference("ExternalRef"), {"type": "null"}]},
                "note": nullable("string"),
                "status": one_of(&["active", "annulled", "converted"]),
                "converted_to": {"type": ["integer", "null"], "description": "For a converted order: the sale's id."}
            }),
        ),
    );
    out.insert(
        "LineInput".into(),
        input(
            &["good_id", "quantity", "unit_price"],
            json!({
                "good_id": {"type": "integer"},
                "quantity": schema::decimal_input("1.5"),
                "unit_price": schema::decimal_input("12.50"),
                "vat_rate": {"type": ["integer", "string"], "description": "20, 9 or 0; the good's rate when absent."},
                "discount": schema::decimal_input("12.5")
            }),
        ),
    );
    out.insert(
        "OperationInput".into(),
        input(
            &["kind", "object_id", "lines"],
            json!({
                "kind": one_of(&kinds),
                "date": schema::date(),
                "object_id": {"type": "integer"},
                "target_object_id": {"type": ["integer", "null"], "description": "Transfers only: the destination object."},
                "partner_id": nullable("integer"),
                "payment_type_id": nullable("integer"),
                "currency": {"type": "string", "enum": ["BGN", "EUR"], "description": "The firm's currency when absent."},
                "lines": {"type": "array", "items": reference("LineInput")},
                "external_ref": {"oneOf": [reference("ExternalRefInput"), {"type": "null"}]},
                "note": nullable("string")
            }),
        ),
    );
    out.insert(
        "ConvertToSale".into(),
        input(&[], json!({"date": schema::date()})),
    );
    out.insert("OperationPage".into(), schema::page("Operation"));
}
