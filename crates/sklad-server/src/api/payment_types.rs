//! `/payment-types` (Типове плащане): how money moves; the defaults every firm starts
//! with and the firm's own (SPEC S2), full CRUD.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sklad_domain::model::{PaymentMethod, PaymentType, PaymentTypeInput};

use super::auth::Caller;
use super::extract::{default_true, ApiJson, PathId};
use super::openapi::schema::{input, object, one_of};
use super::routes::{ApiBuilder, Body, Endpoint, Method};
use crate::error::ApiResult;
use crate::AppState;

/// Body of `POST /payment-types` and `PUT /payment-types/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentTypeBody {
    name: String,
    method: PaymentMethod,
    #[serde(default = "default_true")]
    active: bool,
}

impl PaymentTypeBody {
    fn into_input(self) -> ApiResult<PaymentTypeInput> {
        Ok(PaymentTypeInput {
            name: self.name,
            method: self.method,
            active: self.active,
        }
        .validate()?)
    }
}

async fn list_payment_types(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PaymentType>>> {
    Ok(Json(state.store.payment_types(caller.firm_id).await?))
}

async fn create_payment_type(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PaymentTypeBody>,
) -> ApiResult<(StatusCode, Json<PaymentType>)> {
    let input = body.into_input()?;
    let created = state
        .store
        .create_payment_type(caller.firm_id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn get_payment_type(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<PaymentType>> {
    Ok(Json(state.store.payment_type(caller.firm_id, id).await?))
}

async fn update_payment_type(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiJson(body): ApiJson<PaymentTypeBody>,
) -> ApiResult<Json<PaymentType>> {
    let input = body.into_input()?;
    Ok(Json(
        state
            .store
            .update_payment_type(caller.firm_id, id, &input)
            .await?,
    ))
}

async fn delete_payment_type(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.store.delete_payment_type(caller.firm_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds `/payment-types`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Get,
            "/payment-types",
            "listPaymentTypes",
            "payment-types",
            "The firm's payment types.",
        )
        .response(200, Body::JsonList("PaymentType")),
        list_payment_types,
    )
    .add(
        e(
            Post,
            "/payment-types",
            "createPaymentType",
            "payment-types",
            "Creates a payment type (Нов тип плащане).",
        )
        .request(Body::Json("PaymentTypeInput"))
        .response(201, Body::Json("PaymentType")),
        create_payment_type,
    )
    .add(
        e(
            Get,
            "/payment-types/{id}",
            "getPaymentType",
            "payment-types",
            "One payment type.",
        )
        .response(200, Body::Json("PaymentType")),
        get_payment_type,
    )
    .add(
        e(
            Put,
            "/payment-types/{id}",
            "updatePaymentType",
            "payment-types",
            "Replaces a payment type's data.",
        )
        .request(Body::Json("PaymentTypeInput"))
        .response(200, Body::Json("PaymentType")),
        update_payment_type,
    )
    .add(
        e(
            Delete,
            "/payment-types/{id}",
            "deletePaymentType",
            "payment-types",
            "Deletes a payment type no operation refers to.",
        )
        .response(204, Body::Empty),
        delete_payment_type,
    )
}

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    let methods = one_of(&[
        "cash",
        "bank_transfer",
        "card",
        "voucher",
        "cash_on_delivery",
    ]);
    out.insert(
        "PaymentType".into(),
        object(
            &["id", "name", "method", "active"],
            json!({
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "method": methods.clone(),
                "active": {"type": "boolean"}
            }),
        ),
    );
    out.insert(
        "PaymentTypeInput".into(),
        input(
            &["name", "method"],
            json!({
                "name": super::openapi::schema::text(100),
                "method": methods,
                "active": {"type": "boolean", "default": true}
            }),
        ),
    );
}
