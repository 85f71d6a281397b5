//! `/shops` (Администриране → Връзка с ел. магазини): the firm's CloudCart connections
//! and their settings (SPEC C1, S2–S4, P1, P3, G1–G3), the links between shop variants
//! and goods, the webhook subscriptions as last seen (K4) and the sync journal (X3).
//! The settings and the special goods are in [`settings`], the control panel's jobs
//! (K1–K4, X4) in [`jobs`], the orders from the shop and what needs attention (G7, X2,
//! X3) in [`orders`], the OpenAPI schemas in [`schemas`].
//!
//! Who may do what: every member of the firm may read everything here and run the
//! actions that write nothing to the warehouse (connection test, K1, the first-push
//! preview, dry runs); only the owner changes a connection — creates, edits (key,
//! status), deletes it, saves its settings, creates the special goods, runs the import,
//! the opening stock and the webhook activation, confirms the first push and marks
//! goods „не синхронизирай“.
//!
//! Secrets never leave the server: a connection shows only `api_key_last4`, webhook
//! URLs are shown with the path token hidden, and request bodies carrying a key are
//! never logged (their `Debug` hides it).

mod jobs;
mod orders;
mod schemas;
mod settings;

pub use schemas::schemas;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{Currency, FieldError, Id, ValidationErrors};
use sklad_store::shops::{ShopConnection, ShopJournalEntry, ShopLink, ShopWebhook};
use sklad_store::{Page, Paging};
use sklad_sync::ConnectionView;

use super::auth::{Caller, Owner};
use super::extract::{default_true, ApiJson, PathId, PathIds, QueryParams};
use super::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::ApiResult;
use crate::AppState;

/// The login the journal records as who did it.
async fn actor(state: &AppState, caller: &Caller) -> ApiResult<String> {
    Ok(state.store.user(caller.user_id).await?.login)
}

/// The connection `id` of the caller's firm (404 for any other).
async fn connection_of(state: &AppState, caller: &Caller, id: Id) -> ApiResult<ShopConnection> {
    Ok(state.store.shop_connection(caller.firm_id, id).await?)
}

/// Body of `POST /shops` and `PUT /shops/{id}`. Its `Debug` never shows the key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    shop_url: String,
    #[serde(default)]
    api_key: Option<String>,
    #[serde(default = "default_true")]
    active: bool,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default = "default_true")]
    prices_with_vat: bool,
}

impl std::fmt::Debug for ConnectionBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionBody")
            .field("name", &self.name)
            .field("shop_url", &self.shop_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("active", &self.active)
            .field("currency", &self.currency)
            .field("prices_with_vat", &self.prices_with_vat)
            .finish()
    }
}

impl ConnectionBody {
    /// The validated input; every field's problem at once. `require_key`: a new
    /// connection needs one, a change keeps the stored key when none is given.
    fn into_input(self, require_key: bool) -> ApiResult<ConnectionInput> {
        let mut errors = ValidationErrors::new();
        let currency = match self.currency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => match Currency::parse(code) {
                Some(c) => Some(c),
                None => {
                    errors.push(FieldError::new(
                        "currency",
                        "currency_invalid",
                        "Валутата на магазина е BGN или EUR (или null: автоматично от \
                         последната поръчка на магазина).",
                        "The shop's currency is BGN or EUR (or null: automatic, from the \
                         shop's latest order).",
                    ));
                    None
                }
            },
        };
        let input = ConnectionInput {
            name: self.name,
            shop_url: self.shop_url,
            api_key: self.api_key,
            active: self.active,
            currency,
            prices_with_vat: self.prices_with_vat,
        };
        match input.validate(require_key) {
            Ok(valid) if errors.is_empty() => Ok(valid),
            Ok(_) => Err(errors.into()),
            Err(more) => {
                errors.errors.extend(more.errors);
                Err(errors.into())
            }
        }
    }
}

async fn list_shops(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ShopConnection>>> {
    Ok(Json(state.store.shop_connections(caller.firm_id).await?))
}

async fn create_shop(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(body): ApiJson<ConnectionBody>,
) -> ApiResult<(StatusCode, Json<ConnectionView>)> {
    let input = body.into_input(true)?;
    let login = actor(&state, &caller).await?;
    let created = state
        .bridge
        .create_connection(caller.firm_id, &input, &login)
        .await?;
    let view = state
        .bridge
        .connection_view(caller.firm_id, created.id)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn get_shop(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<ConnectionView>> {
    Ok(Json(
        state.bridge.connection_view(caller.firm_id, id).await?,
    ))
}

async fn update_shop(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ConnectionBody>,
) -> ApiResult<Json<ConnectionView>> {
    connection_of(&state, &caller, id).await?;
    let input = body.into_input(false)?;
    let login = actor(&state, &caller).await?;
    state
        .bridge
        .update_connection(caller.firm_id, id, &input, &login)
        .await?;
    Ok(Json(
        state.bridge.connection_view(caller.firm_id, id).await?,
    ))
}

async fn delete_shop(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    let login = actor(&state, &caller).await?;
    state
        .bridge
        .delete_connection(caller.firm_id, id, &login)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Paging from `limit` and `offset`.
fn paging(query: &mut QueryParams) -> Paging {
    let (limit, offset) = query.paging();
    Paging { limit, offset }
}

async fn list_links(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    mut query: QueryParams,
) -> ApiResult<Json<Page<ShopLink>>> {
    let excluded = query.bool("sync_excluded");
    let paging = paging(&mut query);
    query.finish()?;
    let links: Vec<ShopLink> = state
        .store
        .shop_links(caller.firm_id, id)
        .await?
        .into_iter()
        .filter(|l| excluded.is_none_or(|e| l.sync_excluded == e))
        .collect();
    let total = links.len() as i64;
    let items = links
        .into_iter()
        .skip(usize::try_from(paging.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.limit).unwrap_or(0))
        .collect();
    Ok(Json(Page {
        items,
        total,
        limit: paging.limit,
        offset: paging.offset,
    }))
}

/// Body of `PUT /shops/{id}/links/{good_id}/sync-excluded`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExcludedBody {
    excluded: Option<bool>,
}

async fn set_sync_excluded(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathIds([id, good_id]): PathIds<2>,
    ApiJson(body): ApiJson<ExcludedBody>,
) -> ApiResult<Json<ShopLink>> {
    connection_of(&state, &caller, id).await?;
    let Some(excluded) = body.excluded else {
        return Err(ValidationErrors::from(FieldError::required("excluded")).into());
    };
    let login = actor(&state, &caller).await?;
    Ok(Json(
        state
            .store
            .set_shop_link_excluded(caller.firm_id, id, good_id, excluded, &login)
            .await?,
    ))
}

async fn list_webhooks(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Vec<ShopWebhook>>> {
    Ok(Json(state.store.shop_webhooks(caller.firm_id, id).await?))
}

async fn shop_journal(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    mut query: QueryParams,
) -> ApiResult<Json<Page<ShopJournalEntry>>> {
    let paging = paging(&mut query);
    query.finish()?;
    connection_of(&state, &caller, id).await?;
    Ok(Json(
        state
            .store
            .shop_journal(caller.firm_id, Some(id), paging)
            .await?,
    ))
}

async fn firm_shop_journal(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Page<ShopJournalEntry>>> {
    let paging = paging(&mut query);
    query.finish()?;
    Ok(Json(
        state
            .store
            .shop_journal(caller.firm_id, None, paging)
            .await?,
    ))
}

/// Adds `/shops` and `/shop-journal`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    let api = api
        .add(
            e(
                Get,
                "/shops",
                "listShops",
                "shops",
                "The firm's e-shop connections (any member). Never the API key: only its \
                 last four characters.",
            )
            .response(200, Body::JsonList("ShopConnection")),
            list_shops,
        )
        .add(
            e(
                Post,
                "/shops",
                "createShop",
                "shops",
                "Нова връзка (owner only, SPEC C1, S4): a CloudCart shop's address and API \
                 key; the key is sealed at rest and never shown again. A connection in use \
                 takes a user seat (P1: `seats_for_connection`, 409, says how many are \
                 needed). Queues a connection test (`last_test`); wait for it with \
                 `GET /shops/{id}/jobs/{job_id}?wait=30`.",
            )
            .owner()
            .request(Body::Json("ShopConnectionCreate"))
            .response(201, Body::Json("ShopConnectionView")),
            create_shop,
        )
        .add(
            e(
                Get,
                "/shops/{id}",
                "getShop",
                "shops",
                "One connection with its state (any member): settings problems, the latest \
                 test, check and import, the webhook subscriptions, the learned rate limit.",
            )
            .response(200, Body::Json("ShopConnectionView")),
            get_shop,
        )
        .add(
            e(
                Put,
                "/shops/{id}",
                "updateShop",
                "shops",
                "Changes a connection's name, address, status, currency and VAT setting \
                 (owner only); `api_key` absent or blank keeps the stored key. A new \
                 address or key queues a connection test. Putting it in use needs a free \
                 seat (P1).",
            )
            .owner()
            .request(Body::Json("ShopConnectionUpdate"))
            .response(200, Body::Json("ShopConnectionView")),
            update_shop,
        )
        .add(
            e(
                Delete,
                "/shops/{id}",
                "deleteShop",
                "shops",
                "Deletes a connection with its settings, links, jobs and webhook records \
                 (owner only); the journal keeps a line saying so, operations made from its \
                 orders stay.",
            )
            .owner()
            .response(204, Body::Empty),
            delete_shop,
        );
    let api = settings::routes(api)
        .add(
            e(
                Get,
                "/shops/{id}/links",
                "listShopLinks",
                "shops",
                "The links between shop variants and goods (any member), by variant id.",
            )
            .param(Param::query(
                "sync_excluded",
                "boolean",
                "Only links marked „не синхронизирай“ (true) or not (false).",
            ))
            .paged()
            .response(200, Body::Json("ShopLinkPage")),
            list_links,
        )
        .add(
            e(
                Put,
                "/shops/{id}/links/{good_id}/sync-excluded",
                "setShopLinkSyncExcluded",
                "shops",
                "Marks a linked good „не синхронизирай“ (its quantity is never sent to the \
                 shop) or clears the mark (owner only).",
            )
            .owner()
            .request(Body::Json("ShopLinkExcludedInput"))
            .response(200, Body::Json("ShopLink")),
            set_sync_excluded,
        )
        .add(
            e(
                Get,
                "/shops/{id}/webhooks",
                "listShopWebhooks",
                "shops",
                "The connection's webhook subscriptions as last seen in the shop (any \
                 member, K4); URLs are shown with the secret path token hidden.",
            )
            .response(200, Body::JsonList("ShopWebhook")),
            list_webhooks,
        )
        .add(
            e(
                Get,
                "/shops/{id}/journal",
                "listShopJournal",
                "shops",
                "The connection's sync journal, newest first (any member, X3): who, when, \
                 what and the outcome.",
            )
            .paged()
            .response(200, Body::Json("ShopJournalPage")),
            shop_journal,
        )
        .add(
            e(
                Get,
                "/shop-journal",
                "listFirmShopJournal",
                "shops",
                "The sync journal of every connection of the firm, deleted ones included, \
                 newest first (any member).",
            )
            .paged()
            .response(200, Body::Json("ShopJournalPage")),
            firm_shop_journal,
        );
    orders::routes(jobs::routes(api))
}
