//! `/shops/{id}/settings` and `/shops/{id}/special-goods` (SPEC G1–G3, S2, S3): the
//! settings and the payment mapping saved together, nothing half-saved.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sklad_domain::model::PaymentType;
use sklad_domain::shop::{FeedObjects, SaleRule, ShopSettings, ShopStockStatus};
use sklad_domain::{FieldError, Id, ValidationErrors};
use sklad_store::shops::ShopPayment;

use super::actor;
use crate::api::auth::{Caller, Owner};
use crate::api::extract::{ApiJson, PathId};
use crate::api::routes::{ApiBuilder, Body, Endpoint, Method};
use crate::error::ApiResult;
use crate::AppState;

/// The settings page's data (`GET /shops/{id}/settings`).
#[derive(Debug, Serialize)]
struct SettingsView {
    connection_id: Id,
    settings: ShopSettings,
    /// The shop's payment methods as last read (by the connection test), with their
    /// mapping; `payment_type_id` null: „няма съответствие“.
    payments: Vec<ShopPayment>,
    /// What the stored settings still lack before orders can flow (empty: complete).
    problems: Vec<FieldError>,
    /// The sale rule and the shop's stock setting (as the merchant reports it)
    /// disagree (SPEC G2).
    sale_rule_disagrees: bool,
    /// When the first push preview was confirmed (auto-sync needs it).
    first_push_confirmed_at: Option<jiff::Timestamp>,
}

async fn settings_view(state: &AppState, firm_id: Id, id: Id) -> ApiResult<SettingsView> {
    let connection = state.store.shop_connection(firm_id, id).await?;
    let payments = state.store.shop_payments(firm_id, id).await?;
    let problems = state
        .store
        .shop_settings_problems(firm_id, id)
        .await?
        .errors;
    let settings = connection.settings;
    Ok(SettingsView {
        connection_id: id,
        sale_rule_disagrees: settings
            .sale_rule
            .disagrees_with(settings.shop_stock_status),
        settings,
        payments,
        problems,
        first_push_confirmed_at: connection.first_push_confirmed_at,
    })
}

/// `feed` of the settings body: the same shape the settings show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedBody {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    object_ids: Option<Vec<Id>>,
}

/// Body of `PUT /shops/{id}/settings`: the settings as `GET` shows them, plus the
/// payment mapping (provider code → payment type id or null).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    feed: Option<FeedBody>,
    #[serde(default)]
    operations_object_id: Option<Id>,
    #[serde(default)]
    sale_rule: String,
    #[serde(default)]
    shop_stock_status: String,
    #[serde(default)]
    auto_sync: bool,
    #[serde(default)]
    delivery_good_id: Option<Id>,
    #[serde(default)]
    discount_good_id: Option<Id>,
    #[serde(default)]
    fee_good_id: Option<Id>,
    #[serde(default)]
    payments: BTreeMap<String, Option<Id>>,
}

/// A key field: `value` must be one of `keys`.
fn key_field<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    keys: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::required(field));
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        errors.push(FieldError::new(
            field,
            "value_invalid",
            format!("Позволени стойности: {}.", keys.join(", ")),
            format!("Allowed values: {}.", keys.join(", ")),
        ));
    }
    parsed
}

impl SettingsBody {
    /// The settings and the mapping, checked against the shop's payment methods and
    /// the firm's payment types; the rest (objects, special goods, every active method
    /// mapped, auto-sync after the first-push confirmation) the store checks on saving.
    fn into_settings(
        self,
        payments: &[ShopPayment],
        types: &[PaymentType],
    ) -> ApiResult<(ShopSettings, BTreeMap<String, Option<Id>>)> {
        let mut errors = ValidationErrors::new();
        let feed = match self.feed {
            None => {
                errors.push(FieldError::required("feed"));
                None
            }
            Some(feed) => match (feed.kind.trim(), feed.object_ids) {
                ("all", None) => Some(FeedObjects::All),
                ("all", Some(ids)) if ids.is_empty() => Some(FeedObjects::All),
                ("all", Some(_)) => {
                    errors.push(FieldError::new(
                        "feed.object_ids",
                        "feed_invalid",
                        "С „Всички“ обекти не се изброяват обекти.",
                        "With \"all\" objects no object ids are listed.",
                    ));
                    None
                }
                ("objects", ids) => Some(FeedObjects::Objects(ids.unwrap_or_default())),
                ("", _) => {
                    errors.push(FieldError::required("feed.kind"));
                    None
                }
                _ => {
                    errors.push(FieldError::new(
                        "feed.kind",
                        "value_invalid",
                        "Позволени стойности: all, objects.",
                        "Allowed values: all, objects.",
                    ));
                    None
                }
            },
        };
        let rule_keys: Vec<&str> = SaleRule::ALL.iter().map(|r| r.key()).collect();
        let sale_rule = key_field(
            &mut errors,
            "sale_rule",
            &self.sale_rule,
            &rule_keys,
            SaleRule::from_key,
        );
        let status_keys: Vec<&str> = ShopStockStatus::ALL.iter().map(|s| s.key()).collect();
        let shop_stock_status = key_field(
            &mut errors,
            "shop_stock_status",
            &self.shop_stock_status,
            &status_keys,
            ShopStockStatus::from_key,
        );
        for (provider, choice) in &self.payments {
            let field = format!("payments.{provider}");
            if !payments.iter().any(|p| &p.provider == provider) {
                errors.push(FieldError::new(
                    field,
                    "payment_provider_unknown",
                    format!(
                        "Магазинът няма метод на плащане „{provider}“ (списъкът се обновява \
                         при „Провери връзката“)."
                    ),
                    format!(
                        "The shop has no payment method \"{provider}\" (the list is refreshed \
                         by \"Test connection\")."
                    ),
                ));
            } else if let Some(type_id) = choice {
                if !types.iter().any(|t| t.id == *type_id) {
                    errors.push(FieldError::new(
                        field,
                        "payment_type_unknown",
                        "Няма такъв тип плащане във фирмата.",
                        "The firm has no such payment type.",
                    ));
                }
            }
        }
        match (feed, sale_rule, shop_stock_status) {
            (Some(feed), Some(sale_rule), Some(shop_stock_status)) if errors.is_empty() => Ok((
                ShopSettings {
                    feed,
                    operations_object_id: self.operations_object_id,
                    sale_rule,
                    shop_stock_status,
                    auto_sync: self.auto_sync,
                    delivery_good_id: self.delivery_good_id,
                    discount_good_id: self.discount_good_id,
                    fee_good_id: self.fee_good_id,
                },
                self.payments,
            )),
            _ => Err(errors.into()),
        }
    }
}

async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<SettingsView>> {
    Ok(Json(settings_view(&state, caller.firm_id, id).await?))
}

async fn put_settings(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(id): PathId,
    ApiJson(body): ApiJson<SettingsBody>,
) -> ApiResult<Json<SettingsView>> {
    let payments = state.store.shop_payments(caller.firm_id, id).await?;
    let types = state.store.payment_types(caller.firm_id).await?;
    let (settings, mapping) = body.into_settings(&payments, &types)?;
    let login = actor(&state, &caller).await?;
    state
        .store
        .save_shop_settings(caller.firm_id, id, &settings, &mapping, &login)
        .await?;
    Ok(Json(settings_view(&state, caller.firm_id, id).await?))
}

async fn create_special_goods(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(id): PathId,
) -> ApiResult<Json<SettingsView>> {
    let login = actor(&state, &caller).await?;
    state
        .store
        .create_special_goods(caller.firm_id, id, &login)
        .await?;
    Ok(Json(settings_view(&state, caller.firm_id, id).await?))
}

/// Adds the settings' routes.
pub(super) fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Get,
            "/shops/{id}/settings",
            "getShopSettings",
            "shops",
            "The connection's settings (any member, SPEC G1–G3, S2, S3), the shop's \
             payment methods with their mapping, what the settings still lack, and \
             whether the sale rule disagrees with the shop's stock setting.",
        )
        .response(200, Body::Json("ShopSettingsView")),
        get_settings,
    )
    .add(
        e(
            Put,
            "/shops/{id}/settings",
            "putShopSettings",
            "shops",
            "Saves the settings and the payment mapping together (owner only). Refuses, \
             saving nothing, what cannot work — no active feeding or operations object, \
             a missing or non-service special good, an active shop payment method \
             without a payment type, auto-sync before the first-push confirmation — \
             with the reason beside each field (422).",
        )
        .owner()
        .request(Body::Json("ShopSettingsInput"))
        .response(200, Body::Json("ShopSettingsView")),
        put_settings,
    )
    .add(
        e(
            Post,
            "/shops/{id}/special-goods",
            "createShopSpecialGoods",
            "shops",
            "„Създай“ (owner only, SPEC S3): gives each special-good role without a good \
             a service good (an existing service with the code CC-DOSTAVKA, CC-OTSTAPKA \
             or CC-TAKSA, else a new one).",
        )
        .owner()
        .response(200, Body::Json("ShopSettingsView")),
        create_special_goods,
    )
}
