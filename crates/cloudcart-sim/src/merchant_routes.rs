//! `/_sim/shops/{host}/…` routes for the merchant's admin-panel work (see the crate docs'
//! control-surface table). JSON in and out; refusals use the control surface's error shape.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::control::{bad_body, missing, parse_body, unknown_shop, Control, ControlError};
use crate::control::{VariantView, WebhookView};
use crate::merchant_catalogue::{
    unknown_product, unknown_variant, NewProduct, NewVariant, ProductEdit, ProductView, VariantEdit,
};
use crate::merchant_settings::{ApiKeyView, NewPaymentProvider, PaymentProviderView};
use crate::SimState;

type St = State<Arc<SimState>>;

/// The merchant routes.
pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/_sim/shops/{host}/products", post(h_product_create))
        .route(
            "/_sim/shops/{host}/products/{id}",
            get(h_product)
                .patch(h_product_edit)
                .delete(h_product_delete),
        )
        .route(
            "/_sim/shops/{host}/products/{id}/variants",
            post(h_variant_add),
        )
        .route(
            "/_sim/shops/{host}/products/{id}/variants/{vid}",
            patch(h_variant_edit).delete(h_variant_delete),
        )
        .route(
            "/_sim/shops/{host}/payment-providers",
            get(h_providers).post(h_provider_add),
        )
        .route(
            "/_sim/shops/{host}/payment-providers/{code}",
            patch(h_provider_switch),
        )
        .route(
            "/_sim/shops/{host}/webhooks/{id}",
            patch(h_webhook_switch).delete(h_webhook_delete),
        )
        .route("/_sim/shops/{host}/api-keys", get(h_keys))
        .route("/_sim/shops/{host}/api-keys/{id}", patch(h_key_switch))
        .route(
            "/_sim/shops/{host}/api-keys/{id}/rotate",
            post(h_key_rotate),
        )
}

fn ctl(s: &Arc<SimState>) -> Control {
    Control { state: s.clone() }
}

/// 404 `unknown_shop` unless the shop exists.
fn known(s: &Arc<SimState>, host: &str) -> Result<(), ControlError> {
    if s.shops.contains_key(&host.to_ascii_lowercase()) {
        Ok(())
    } else {
        Err(unknown_shop(host))
    }
}

/// A numeric id from the path, or `not_found(raw)`.
fn id_or(raw: &str, not_found: fn(&str) -> ControlError) -> Result<u64, ControlError> {
    raw.parse().map_err(|_| not_found(raw))
}

fn no_product(raw: &str) -> ControlError {
    unknown_product(raw)
}

fn no_variant(raw: &str) -> ControlError {
    unknown_variant(raw)
}

fn no_webhook(raw: &str) -> ControlError {
    ControlError::new(
        "unknown_webhook",
        404,
        format!("Няма уебхук с номер {raw}."),
        format!("No webhook subscription has the id {raw}."),
    )
}

fn no_key(raw: &str) -> ControlError {
    ControlError::new(
        "unknown_api_key",
        404,
        format!("Няма API ключ с номер {raw}."),
        format!("No API key has the id {raw}."),
    )
}

/// A required JSON body (no `Default`): 400 `invalid_body` when it does not parse.
fn required_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    serde_json::from_slice(body).map_err(bad_body)
}

/// `{"active": true|false}`.
#[derive(Deserialize, Default)]
struct ActiveBody {
    active: Option<bool>,
}

fn active_of(body: &[u8]) -> Result<bool, ControlError> {
    let b: ActiveBody = parse_body(body)?;
    b.active.ok_or_else(|| missing("active"))
}

async fn h_product_create(
    State(s): St,
    Path(host): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<ProductView>), ControlError> {
    let p: NewProduct = required_body(&body)?;
    let view = ctl(&s).create_product(&host, &p)?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn h_product(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
) -> Result<Json<ProductView>, ControlError> {
    known(&s, &host)?;
    let pid = id_or(&id, no_product)?;
    ctl(&s)
        .product(&host, pid)
        .map(Json)
        .ok_or_else(|| unknown_product(pid))
}

async fn h_product_edit(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ProductView>, ControlError> {
    known(&s, &host)?;
    let pid = id_or(&id, no_product)?;
    let edit: ProductEdit = parse_body(&body)?;
    Ok(Json(ctl(&s).edit_product(&host, pid, &edit)?))
}

async fn h_product_delete(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    known(&s, &host)?;
    let pid = id_or(&id, no_product)?;
    ctl(&s).delete_product(&host, pid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_variant_add(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<(StatusCode, Json<VariantView>), ControlError> {
    known(&s, &host)?;
    let pid = id_or(&id, no_product)?;
    let v: NewVariant = required_body(&body)?;
    let view = ctl(&s).add_variant(&host, pid, &v)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The variant `vid` of product `id` (404 when it belongs to another product).
fn variant_of(s: &Arc<SimState>, host: &str, id: &str, vid: &str) -> Result<u64, ControlError> {
    known(s, host)?;
    let pid = id_or(id, no_product)?;
    let vid = id_or(vid, no_variant)?;
    let c = ctl(s);
    let product = c.product(host, pid).ok_or_else(|| unknown_product(pid))?;
    if product.variants.iter().any(|v| v.id == vid) {
        Ok(vid)
    } else {
        Err(unknown_variant(vid))
    }
}

async fn h_variant_edit(
    State(s): St,
    Path((host, id, vid)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Json<VariantView>, ControlError> {
    let vid = variant_of(&s, &host, &id, &vid)?;
    let edit: VariantEdit = parse_body(&body)?;
    Ok(Json(ctl(&s).edit_variant(&host, vid, &edit)?))
}

async fn h_variant_delete(
    State(s): St,
    Path((host, id, vid)): Path<(String, String, String)>,
) -> Result<StatusCode, ControlError> {
    let vid = variant_of(&s, &host, &id, &vid)?;
    ctl(&s).delete_variant(&host, vid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_providers(
    State(s): St,
    Path(host): Path<String>,
) -> Result<Json<Vec<PaymentProviderView>>, ControlError> {
    known(&s, &host)?;
    Ok(Json(ctl(&s).payment_providers(&host)))
}

async fn h_provider_add(
    State(s): St,
    Path(host): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<PaymentProviderView>), ControlError> {
    let p: NewPaymentProvider = required_body(&body)?;
    let view = ctl(&s).add_payment_provider(&host, &p)?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn h_provider_switch(
    State(s): St,
    Path((host, code)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<PaymentProviderView>, ControlError> {
    let active = active_of(&body)?;
    Ok(Json(
        ctl(&s).set_payment_provider_active(&host, &code, active)?,
    ))
}

async fn h_webhook_switch(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<WebhookView>, ControlError> {
    known(&s, &host)?;
    let wid = id_or(&id, no_webhook)?;
    let active = active_of(&body)?;
    Ok(Json(ctl(&s).set_webhook_active(&host, wid, active)?))
}

async fn h_webhook_delete(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    known(&s, &host)?;
    let wid = id_or(&id, no_webhook)?;
    ctl(&s).delete_webhook(&host, wid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn h_keys(
    State(s): St,
    Path(host): Path<String>,
) -> Result<Json<Vec<ApiKeyView>>, ControlError> {
    known(&s, &host)?;
    Ok(Json(ctl(&s).api_keys(&host)))
}

async fn h_key_switch(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ApiKeyView>, ControlError> {
    known(&s, &host)?;
    let kid = id_or(&id, no_key)?;
    let active = active_of(&body)?;
    Ok(Json(ctl(&s).set_api_key_active(&host, kid, active)?))
}

async fn h_key_rotate(
    State(s): St,
    Path((host, id)): Path<(String, String)>,
) -> Result<Json<ApiKeyView>, ControlError> {
    known(&s, &host)?;
    let kid = id_or(&id, no_key)?;
    Ok(Json(ctl(&s).rotate_api_key(&host, kid)?))
}
