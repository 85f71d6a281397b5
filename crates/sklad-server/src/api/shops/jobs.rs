//! `/shops/{id}/jobs` — the control panel's long actions (SPEC K1–K4, X4) as background
//! jobs: start one, follow it (`?wait=` long-polls instead of sleeping), cancel it, read
//! its result rows page by page or as CSV, and confirm the first push.
//!
//! Members may start and cancel what writes nothing to the warehouse or the shop — the
//! connection test, K1, the first-push preview and the dry runs of the import and the
//! opening stock; the import, the opening stock and the webhook activation themselves
//! are the owner's, as is the first-push confirmation.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use sklad_domain::model::Role;
use sklad_domain::money::format_minor_plain;
use sklad_domain::{FieldError, Id, Quantity, ValidationErrors};
use sklad_store::shops::{JobRow, ShopConnection, ShopJob, MAX_JOB_ROWS_PAGE};
use sklad_store::{Page, Paging, StoreError};
use sklad_sync::{JobKind, SyncError};

use super::{actor, connection_of, paging};
use crate::api::auth::{Caller, Owner};
use crate::api::extract::{ApiJson, PathId, PathIds, QueryParams};
use crate::api::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The longest `?wait=` in seconds.
pub const MAX_WAIT_SECS: i64 = 30;

/// The kinds a client may start (the watchdog is the server's own).
pub(super) fn startable_keys() -> Vec<&'static str> {
    JobKind::STARTABLE.iter().map(|k| k.key()).collect()
}

pub(super) fn all_kind_keys() -> Vec<&'static str> {
    JobKind::ALL.iter().map(|k| k.key()).collect()
}

/// Whether running (or cancelling) a job of `kind` is the owner's (an unknown kind is).
fn owner_only(kind: Option<JobKind>, dry_run: bool) -> bool {
    kind.is_none_or(|k| k.owner_only(dry_run))
}

/// The job `job_id` of the connection `id` of the caller's firm, with the connection
/// (404 otherwise).
async fn job_of(
    state: &AppState,
    caller: &Caller,
    id: Id,
    job_id: Id,
) -> ApiResult<(ShopConnection, ShopJob)> {
    let connection = connection_of(state, caller, id).await?;
    let job = state.store.shop_job(caller.firm_id, job_id).await?;
    if job.connection_id != id {
        return Err(StoreError::not_found("shop_job").into());
    }
    Ok((connection, job))
}

/// Body of `POST /shops/{id}/jobs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    dry_run: bool,
}

impl StartBody {
    fn parse(&self) -> ApiResult<JobKind> {
        let keys = startable_keys();
        let kind = self.kind.trim();
        if kind.is_empty() {
            return Err(ValidationErrors::from(FieldError::required("kind")).into());
        }
        let Some(kind) = JobKind::from_key(kind).filter(|k| JobKind::STARTABLE.contains(k)) else {
            return Err(ValidationErrors::from(FieldError::new(
                "kind",
                "value_invalid",
                format!("Позволени стойности: {}.", keys.join(", ")),
                format!("Allowed values: {}.", keys.join(", ")),
            ))
            .into());
        };
        if self.dry_run && !kind.has_dry_run() {
            return Err(ValidationErrors::from(FieldError::new(
                "dry_run",
                "dry_run_unsupported",
                "Пробно изпълнение има само импортът (import) и началните наличности \
                 (opening_stock).",
                "Only the import (import) and the opening stock (opening_stock) have a dry run.",
            ))
            .into());
        }
        Ok(kind)
    }
}

async fn start_job(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiJson(body): ApiJson<StartBody>,
) -> ApiResult<(StatusCode, Json<ShopJob>)> {
    connection_of(&state, &caller, id).await?;
    let kind = body.parse()?;
    if owner_only(Some(kind), body.dry_run) && caller.role != Role::Owner {
        return Err(ApiError::owner_only());
    }
    let login = actor(&state, &caller).await?;
    let job = state
        .bridge
        .start_job(caller.firm_id, id, kind, body.dry_run, &login)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

async fn list_jobs(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    mut query: QueryParams,
) -> ApiResult<Json<Page<ShopJob>>> {
    let keys = all_kind_keys();
    let kind = query.key("kind", &keys, JobKind::from_key);
    let paging = paging(&mut query);
    query.finish()?;
    connection_of(&state, &caller, id).await?;
    Ok(Json(
        state
            .store
            .shop_jobs(caller.firm_id, id, kind.map(JobKind::key), paging)
            .await?,
    ))
}

async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    PathIds([id, job_id]): PathIds<2>,
    mut query: QueryParams,
) -> ApiResult<Json<ShopJob>> {
    let wait = query.int("wait", 0..=MAX_WAIT_SECS).unwrap_or(0);
    query.finish()?;
    let (_, job) = job_of(&state, &caller, id, job_id).await?;
    if job.finished() || wait == 0 {
        return Ok(Json(job));
    }
    let secs = u64::try_from(wait).unwrap_or(0);
    Ok(Json(
        state
            .bridge
            .wait_job(caller.firm_id, job_id, Duration::from_secs(secs))
            .await?,
    ))
}

async fn cancel_job(
    State(state): State<AppState>,
    caller: Caller,
    PathIds([id, job_id]): PathIds<2>,
) -> ApiResult<Json<ShopJob>> {
    let (_, job) = job_of(&state, &caller, id, job_id).await?;
    if owner_only(JobKind::from_key(&job.kind), job.dry_run) && caller.role != Role::Owner {
        return Err(ApiError::owner_only());
    }
    Ok(Json(
        state.store.cancel_shop_job(caller.firm_id, job_id).await?,
    ))
}

/// A result row as the API shows it: amounts and quantities as decimal strings.
#[derive(Debug, Serialize)]
struct JobRowView {
    row_no: i64,
    status: String,
    reason: Option<String>,
    warning: Option<String>,
    shop_product_id: Option<String>,
    shop_variant_id: Option<String>,
    sku: Option<String>,
    barcode: Option<String>,
    name: Option<String>,
    /// In the connection's currency, as the shop states it (with or without VAT).
    shop_price: Option<String>,
    shop_quantity: Option<String>,
    shop_unlimited: bool,
    good_id: Option<Id>,
    good_code: Option<String>,
    good_name: Option<String>,
    /// The warehouse's price as the shop would show it.
    firm_price: Option<String>,
    /// Available to sell (K1, preview) or on hand (opening stock).
    firm_quantity: Option<String>,
}

fn quantity(milli: Option<i64>) -> Option<String> {
    milli.map(|q| Quantity(q).to_string())
}

fn amount(minor: Option<i64>) -> Option<String> {
    minor.map(format_minor_plain)
}

impl From<JobRow> for JobRowView {
    fn from(r: JobRow) -> Self {
        JobRowView {
            row_no: r.row_no,
            status: r.status,
            reason: r.reason,
            warning: r.warning,
            shop_product_id: r.shop_product_id,
            shop_variant_id: r.shop_variant_id,
            sku: r.sku,
            barcode: r.barcode,
            name: r.name,
            shop_price: amount(r.shop_price),
            shop_quantity: quantity(r.shop_quantity),
            shop_unlimited: r.shop_unlimited,
            good_id: r.good_id,
            good_code: r.good_code,
            good_name: r.good_name,
            firm_price: amount(r.firm_price),
            firm_quantity: quantity(r.firm_quantity),
        }
    }
}

/// `GET /shops/{id}/jobs/{job_id}/rows`.
#[derive(Debug, Serialize)]
struct RowsPage {
    items: Vec<JobRowView>,
    total: i64,
    limit: i64,
    offset: i64,
    /// Rows of the whole job per status (or action).
    counts: BTreeMap<String, i64>,
    /// The currency of the prices.
    currency: &'static str,
}

/// What [`status_filter`] accepts: a key of lower-case letters and `_`, up to 40; blank
/// is no filter.
fn status_filter_schema() -> serde_json::Value {
    serde_json::json!({"pattern": "^\\s*([a-z_]{1,40})?\\s*$"})
}

/// The `status` filter: a status or action key.
fn status_filter(query: &QueryParams) -> ApiResult<Option<String>> {
    match query.text("status") {
        Some(s) if s.len() > 40 || !s.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            Err(ApiError::bad_parameters(
                FieldError::new(
                    "status",
                    "parameter_invalid",
                    "Очаква се ключ на статус, напр. linked или new_in_shop.",
                    "Expected a status key, e.g. linked or new_in_shop.",
                )
                .into(),
            ))
        }
        other => Ok(other),
    }
}

async fn job_rows(
    State(state): State<AppState>,
    caller: Caller,
    PathIds([id, job_id]): PathIds<2>,
    mut query: QueryParams,
) -> ApiResult<Json<RowsPage>> {
    let status = status_filter(&query)?;
    let limit = query.int("limit", 1..=MAX_JOB_ROWS_PAGE).unwrap_or(100);
    let offset = query.int("offset", 0..=i64::MAX).unwrap_or(0);
    query.finish()?;
    let (connection, _) = job_of(&state, &caller, id, job_id).await?;
    let page = state
        .store
        .shop_job_rows(
            caller.firm_id,
            job_id,
            status.as_deref(),
            Paging { limit, offset },
        )
        .await?;
    let counts = state
        .store
        .shop_job_row_counts(caller.firm_id, job_id)
        .await?
        .into_iter()
        .collect();
    Ok(Json(RowsPage {
        items: page.items.into_iter().map(JobRowView::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
        counts,
        currency: connection.currency.code(),
    }))
}

/// Every row of the job (of one status), read page by page, as CSV in the format the
/// control panel and `sklad shop … --csv` write ([`sklad_sync::csv`]).
async fn rows_csv(
    state: &AppState,
    firm_id: Id,
    job_id: Id,
    status: Option<&str>,
) -> ApiResult<String> {
    let mut out = String::from(sklad_sync::csv::HEADER);
    let mut offset = 0;
    loop {
        let page = state
            .store
            .shop_job_rows(
                firm_id,
                job_id,
                status,
                Paging {
                    limit: MAX_JOB_ROWS_PAGE,
                    offset,
                },
            )
            .await?;
        let read = page.items.len() as i64;
        for row in &page.items {
            out.push_str(&sklad_sync::csv::line(row));
        }
        offset += read;
        if read < MAX_JOB_ROWS_PAGE || offset >= page.total {
            break;
        }
    }
    Ok(out)
}

async fn job_rows_csv(
    State(state): State<AppState>,
    caller: Caller,
    PathIds([id, job_id]): PathIds<2>,
    query: QueryParams,
) -> ApiResult<Response> {
    let status = status_filter(&query)?;
    query.finish()?;
    let (_, job) = job_of(&state, &caller, id, job_id).await?;
    let csv = rows_csv(&state, caller.firm_id, job_id, status.as_deref()).await?;
    let disposition = format!(
        "attachment; filename=\"sklad-shop-{id}-job-{job_id}-{}.csv\"",
        job.kind
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

/// Body of `POST /shops/{id}/first-push/confirm`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    job_id: Option<Id>,
}

async fn confirm_first_push(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> ApiResult<Json<ShopConnection>> {
    connection_of(&state, &caller, id).await?;
    let Some(job_id) = body.job_id else {
        return Err(ValidationErrors::from(FieldError::required("job_id")).into());
    };
    let login = actor(&state, &caller).await?;
    match state
        .bridge
        .confirm_first_push(caller.firm_id, id, job_id, &login)
        .await
    {
        Ok(connection) => Ok(Json(connection)),
        // A job id the firm does not have is a wrong field, not a missing page.
        Err(SyncError::Store(StoreError::NotFound { .. })) => {
            Err(ValidationErrors::from(FieldError::new(
                "job_id",
                "preview_required",
                "Няма такъв преглед на първото изпращане за тази връзка.",
                "This connection has no such first push preview.",
            ))
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The answer of `POST /shops/{id}/sync-now`.
#[derive(Debug, Serialize)]
struct SyncNow {
    /// Linked variants that will be compared (and written where they differ).
    due: u64,
}

async fn sync_now(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(id): PathId,
) -> ApiResult<(StatusCode, Json<SyncNow>)> {
    connection_of(&state, &caller, id).await?;
    let due = state.bridge.sync_now(caller.firm_id, id).await?;
    Ok((StatusCode::ACCEPTED, Json(SyncNow { due })))
}

/// Adds the jobs' routes.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Post,
            "/shops/{id}/jobs",
            "startShopJob",
            "shop-jobs",
            "Queues a control-panel action as a background job and answers 202 with it: \
             `test` („Провери връзката“), `check` (K1), `import` (K2), `opening_stock`, \
             `push_preview` (the first push, shown before it happens) or `webhooks` (K4). \
             `dry_run` (import and opening_stock only) shows what the run would do. Any \
             member may start test, check, push_preview and dry runs; import, opening_stock \
             and webhooks are the owner's (403 otherwise). A second run of a kind already \
             queued or running is refused (409 `job_running`); a connection without a key \
             is 409 `api_key_needed`.",
        )
        .request(Body::Json("ShopJobStart"))
        .response(202, Body::Json("ShopJob")),
        start_job,
    )
    .add(
        e(
            Get,
            "/shops/{id}/jobs",
            "listShopJobs",
            "shop-jobs",
            "The connection's jobs, newest first (any member).",
        )
        .param(
            Param::query(
                "kind",
                "string",
                "Only jobs of this kind (test, check, import, opening_stock, push_preview, \
             webhooks, watchdog).",
            )
            .accepts(|| crate::api::openapi::schema::query_key(&all_kind_keys())),
        )
        .paged()
        .response(200, Body::Json("ShopJobPage")),
        list_jobs,
    )
    .add(
        e(
            Get,
            "/shops/{id}/jobs/{job_id}",
            "getShopJob",
            "shop-jobs",
            "One job with its progress, and its summary once done (any member). With \
             `wait` the answer comes as soon as the job has finished, or after `wait` \
             seconds at most (a long poll: no need to sleep between requests).",
        )
        .param(
            Param::query(
                "wait",
                "integer",
                "Seconds to wait for the job to finish, 0–30 (default 0: answer at once).",
            )
            .range(0, MAX_WAIT_SECS),
        )
        .response(200, Body::Json("ShopJob")),
        get_job,
    )
    .add(
        e(
            Post,
            "/shops/{id}/jobs/{job_id}/cancel",
            "cancelShopJob",
            "shop-jobs",
            "Cancels a job: a queued one at once, a running one at its next step; a \
             finished one is left as it is. Whoever may start the job may cancel it.",
        )
        .response(200, Body::Json("ShopJob")),
        cancel_job,
    )
    .add(
        e(
            Get,
            "/shops/{id}/jobs/{job_id}/rows",
            "listShopJobRows",
            "shop-jobs",
            "A page of the job's result rows (any member) — K1: each shop variant beside \
             its good with its status; import: each row's action (create, update, link, \
             unchanged, skip with its reason, failed); opening stock and first-push \
             preview: the quantities — with the row count of every status.",
        )
        .param(
            Param::query(
                "status",
                "string",
                "Only rows of this status or action (e.g. `new_in_shop`, `skip`).",
            )
            .accepts(status_filter_schema),
        )
        .param(
            Param::query("limit", "integer", "Page size, 1–1000 (default 100).")
                .range(1, MAX_JOB_ROWS_PAGE),
        )
        .param(Param::query(
            "offset",
            "integer",
            "Rows to skip (default 0).",
        ))
        .response(200, Body::Json("ShopJobRowPage")),
        job_rows,
    )
    .add(
        e(
            Get,
            "/shops/{id}/jobs/{job_id}/rows.csv",
            "exportShopJobRows",
            "shop-jobs",
            "Every result row of the job as a CSV file (any member), the same file the \
             control panel and `sklad shop … --csv` write: UTF-8, a header row of the \
             column keys, RFC 4180 quoting, CRLF line ends; amounts with two decimals and \
             quantities with three, a dot as separator, `unlimited` for a shop quantity \
             without limit. Shop text a spreadsheet would run as a formula is prefixed \
             with an apostrophe.",
        )
        .param(
            Param::query("status", "string", "Only rows of this status or action.")
                .accepts(status_filter_schema),
        )
        .response(200, Body::Csv),
        job_rows_csv,
    )
    .add(
        e(
            Post,
            "/shops/{id}/first-push/confirm",
            "confirmShopFirstPush",
            "shop-jobs",
            "Confirms the first push of quantities after its preview (owner only): \
             `job_id` is a finished `push_preview` job of this connection. Auto-sync can be \
             switched on only after it.",
        )
        .owner()
        .request(Body::Json("ShopFirstPushConfirm"))
        .response(200, Body::Json("ShopConnection")),
        confirm_first_push,
    )
    .add(
        e(
            Post,
            "/shops/{id}/sync-now",
            "syncShopNow",
            "shop-jobs",
            "„Синхронизирай сега“ (owner only): every linked variant is compared with the \
             warehouse and written where it differs, in the background, once the connection \
             is in use with auto-sync on and its first push confirmed.",
        )
        .owner()
        .response(202, Body::Json("ShopSyncNow")),
        sync_now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_writes_is_the_owners() {
        assert!(!owner_only(Some(JobKind::Check), false));
        assert!(!owner_only(Some(JobKind::Test), false));
        assert!(!owner_only(Some(JobKind::PushPreview), false));
        assert!(!owner_only(Some(JobKind::Import), true));
        assert!(!owner_only(Some(JobKind::OpeningStock), true));
        assert!(owner_only(Some(JobKind::Import), false));
        assert!(owner_only(Some(JobKind::OpeningStock), false));
        assert!(owner_only(Some(JobKind::Webhooks), false));
        assert!(owner_only(None, true));
    }

    #[test]
    fn the_watchdog_is_not_started_by_clients() {
        assert!(!startable_keys().contains(&"watchdog"));
        assert!(all_kind_keys().contains(&"watchdog"));
    }
}
