//! `/stock`: on hand, reserved and available per object, per good, and summed over a
//! set of objects (what the shop may sell).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sklad_domain::stock::StockLevel;
use sklad_domain::Id;
use sklad_store::{Availability, LedgerEntry};

use super::auth::Caller;
use super::extract::{PathId, QueryParams};
use super::openapi::schema::{self, object};
use super::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::ApiResult;
use crate::AppState;

/// Stock of one good at one object.
#[derive(Debug, Serialize)]
struct StockLevelView {
    object_id: Id,
    good_id: Id,
    on_hand: String,
    reserved: String,
    available: String,
}

impl From<StockLevel> for StockLevelView {
    fn from(level: StockLevel) -> Self {
        StockLevelView {
            object_id: level.object_id,
            good_id: level.good_id,
            on_hand: level.on_hand.to_string(),
            reserved: level.reserved.to_string(),
            available: level.available().to_string(),
        }
    }
}

/// Stock of one good summed over the chosen objects.
#[derive(Debug, Serialize)]
struct AvailabilityView {
    good_id: Id,
    code: String,
    on_hand: String,
    reserved: String,
    available: String,
}

impl From<Availability> for AvailabilityView {
    fn from(a: Availability) -> Self {
        AvailabilityView {
            good_id: a.good_id,
            code: a.code,
            on_hand: a.on_hand.to_string(),
            reserved: a.reserved.to_string(),
            available: a.available.to_string(),
        }
    }
}

async fn stock_of_object(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Vec<StockLevelView>>> {
    let object_id = query.int("object_id", 1..=i64::MAX);
    let object_id = query.require("object_id", object_id);
    query.finish()?;
    let object_id = object_id.unwrap_or_default();
    // Another firm's object is not found, not an empty list.
    state.store.object(caller.firm_id, object_id).await?;
    let levels = state
        .store
        .stock_of_object(caller.firm_id, object_id)
        .await?;
    Ok(Json(levels.into_iter().map(Into::into).collect()))
}

async fn stock_of_good(
    State(state): State<AppState>,
    caller: Caller,
    PathId(good_id): PathId,
) -> ApiResult<Json<Vec<StockLevelView>>> {
    state.store.good(caller.firm_id, good_id).await?;
    let levels = state.store.stock_of_good(caller.firm_id, good_id).await?;
    Ok(Json(levels.into_iter().map(Into::into).collect()))
}

async fn available(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Vec<AvailabilityView>>> {
    let object_ids = query.ids("object_ids");
    query.finish()?;
    let object_ids = match object_ids {
        Some(ids) => {
            for id in &ids {
                state.store.object(caller.firm_id, *id).await?;
            }
            ids
        }
        None => state
            .store
            .objects(caller.firm_id)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect(),
    };
    let rows = state.store.available(caller.firm_id, &object_ids).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One ledger row as the API shows it.
#[derive(Debug, Serialize)]
struct LedgerView {
    id: Id,
    operation_id: Id,
    object_id: Id,
    good_id: Id,
    on_hand_delta: String,
    reserved_delta: String,
    at: jiff::Timestamp,
}

impl From<LedgerEntry> for LedgerView {
    fn from(e: LedgerEntry) -> Self {
        LedgerView {
            id: e.id,
            operation_id: e.operation_id,
            object_id: e.object_id,
            good_id: e.good_id,
            on_hand_delta: e.on_hand_delta.to_string(),
            reserved_delta: e.reserved_delta.to_string(),
            at: e.at,
        }
    }
}

async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Vec<LedgerView>>> {
    let object_id = query.int("object_id", 1..=i64::MAX);
    let object_id = query.require("object_id", object_id);
    let good_id = query.int("good_id", 1..=i64::MAX);
    let good_id = query.require("good_id", good_id);
    query.finish()?;
    let (object_id, good_id) = (object_id.unwrap_or_default(), good_id.unwrap_or_default());
    state.store.object(caller.firm_id, object_id).await?;
    state.store.good(caller.firm_id, good_id).await?;
    let rows = state
        .store
        .ledger(caller.firm_id, object_id, good_id)
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Adds `/stock`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Get,
            "/stock",
            "stockOfObject",
            "stock",
            "Stock of every good held or reserved at an object.",
        )
        .param(Param::query_required("object_id", "integer", "The object."))
        .response(200, Body::JsonList("StockLevel")),
        stock_of_object,
    )
    .add(
        e(
            Get,
            "/stock/goods/{id}",
            "stockOfGood",
            "stock",
            "Stock of one good in every object.",
        )
        .response(200, Body::JsonList("StockLevel")),
        stock_of_good,
    )
    .add(
        e(
            Get,
            "/stock/available",
            "availableStock",
            "stock",
            "On hand, reserved and available of every stocked good, summed over the objects.",
        )
        .param(
            Param::query(
                "object_ids",
                "string",
                "Comma-separated object ids, e.g. 1,2; every object of the firm when absent.",
            )
            .accepts(schema::query_ids),
        )
        .response(200, Body::JsonList("Availability")),
        available,
    )
    .add(
        e(Get, "/stock/ledger", "stockLedger", "stock", "Every stock movement of a good at an object, oldest first, each traceable to its operation.")
            .param(Param::query_required("object_id", "integer", "The object."))
            .param(Param::query_required("good_id", "integer", "The good."))
            .response(200, Body::JsonList("LedgerEntry")),
        ledger,
    )
}

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    out.insert(
        "StockLevel".into(),
        object(
            &["object_id", "good_id", "on_hand", "reserved", "available"],
            json!({
                "object_id": {"type": "integer"},
                "good_id": {"type": "integer"},
                "on_hand": schema::decimal("10"),
                "reserved": schema::decimal("2"),
                "available": schema::decimal("8")
            }),
        ),
    );
    out.insert(
        "LedgerEntry".into(),
        object(
            &[
                "id",
                "operation_id",
                "object_id",
                "good_id",
                "on_hand_delta",
                "reserved_delta",
                "at",
            ],
            json!({
                "id": {"type": "integer"},
                "operation_id": {"type": "integer"},
                "object_id": {"type": "integer"},
                "good_id": {"type": "integer"},
                "on_hand_delta": schema::decimal("-3"),
                "reserved_delta": schema::decimal("0"),
                "at": {"type": "string", "format": "date-time"}
            }),
        ),
    );
    out.insert(
        "Availability".into(),
        object(
            &["good_id", "code", "on_hand", "reserved", "available"],
            json!({
                "good_id": {"type": "integer"},
                "code": {"type": "string"},
                "on_hand": schema::decimal("10"),
                "reserved": schema::decimal("2"),
                "available": schema::decimal("8")
            }),
        ),
    );
}
