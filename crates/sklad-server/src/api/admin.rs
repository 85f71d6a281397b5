//! Owner-only administration: firm backup download, restore into a new firm, the
//! one-way euro changeover and the firm's journal.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sklad_domain::model::Firm;
use sklad_store::{JournalEntry, Page, Paging};

use super::auth::Owner;
use super::extract::{QueryParams, RawBody};
use super::openapi::schema::{self, object, reference};
use super::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::ApiResult;
use crate::AppState;

/// The archive's file name: `sklad-firm-<id>-<date>.sklad.gz`.
pub fn backup_file_name(firm_id: i64, date: jiff::civil::Date) -> String {
    format!("sklad-firm-{firm_id}-{date}.sklad.gz")
}

async fn backup(State(state): State<AppState>, Owner(caller): Owner) -> ApiResult<Response> {
    let archive = state.store.backup_firm(caller.firm_id).await?;
    let date = state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let disposition = format!(
        "attachment; filename=\"{}\"",
        backup_file_name(caller.firm_id, date)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/gzip".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        archive,
    )
        .into_response())
}

async fn restore(
    State(state): State<AppState>,
    Owner(caller): Owner,
    query: QueryParams,
    RawBody(archive): RawBody,
) -> ApiResult<(StatusCode, Json<Firm>)> {
    let name = query.text("name");
    query.finish()?;
    let firm = state
        .store
        .restore_firm(&archive, caller.user_id, name)
        .await?;
    Ok((StatusCode::CREATED, Json(firm)))
}

/// What `POST /euro-changeover` answers.
#[derive(Debug, Serialize)]
struct ChangeoverView {
    firm: Firm,
    /// Goods whose prices were converted.
    goods: i64,
    /// Prices converted.
    prices: i64,
}

async fn euro_changeover(
    State(state): State<AppState>,
    Owner(caller): Owner,
) -> ApiResult<Json<ChangeoverView>> {
    let user = state.store.user(caller.user_id).await?;
    let done = state
        .store
        .euro_changeover(caller.firm_id, &user.login)
        .await?;
    let firm = state.store.firm(caller.firm_id).await?;
    Ok(Json(ChangeoverView {
        firm,
        goods: done.goods,
        prices: done.prices,
    }))
}

async fn journal(
    State(state): State<AppState>,
    Owner(caller): Owner,
    mut query: QueryParams,
) -> ApiResult<Json<Page<JournalEntry>>> {
    let (limit, offset) = query.paging();
    query.finish()?;
    Ok(Json(
        state
            .store
            .journal(caller.firm_id, Paging { limit, offset })
            .await?,
    ))
}

/// Adds `/backup`, `/restore`, `/euro-changeover` and `/journal`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(Get, "/backup", "backupFirm", "admin", "Downloads the firm's archive (Архивиране на фирма): versioned, checksummed, gzip.")
            .owner()
            .response(200, Body::Archive),
        backup,
    )
    .add(
        e(Post, "/restore", "restoreFirm", "admin", "Restores an archive (the request body) as a NEW firm owned by the caller; a corrupt archive is refused and nothing is written.")
            .owner()
            .param(Param::query("name", "string", "The new firm's name; the archived name when absent."))
            .request(Body::Archive)
            .response(201, Body::Json("Firm")),
        restore,
    )
    .add(
        e(Post, "/euro-changeover", "euroChangeover", "admin", "Switches a BGN firm to EUR for good: every price converted at 1.95583, half up to the cent; documents untouched.")
            .owner()
            .response(200, Body::Json("EuroChangeover")),
        euro_changeover,
    )
    .add(
        e(Get, "/journal", "firmJournal", "admin", "The firm's journal (restores, the euro changeover …), newest first.")
            .owner()
            .paged()
            .response(200, Body::Json("JournalPage")),
        journal,
    )
}

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    out.insert(
        "JournalEntry".into(),
        object(
            &["id", "at", "actor", "action", "details"],
            json!({
                "id": {"type": "integer"},
                "at": {"type": "string", "format": "date-time"},
                "actor": {"type": "string", "description": "A login, `cli` or `system`."},
                "action": {"type": "string", "examples": ["euro_changeover"]},
                "details": {"type": "object", "additionalProperties": true,
                            "description": "The figures of the action (counts, ids)."}
            }),
        ),
    );
    out.insert("JournalPage".into(), schema::page("JournalEntry"));
    out.insert(
        "EuroChangeover".into(),
        object(
            &["firm", "goods", "prices"],
            json!({
                "firm": reference("Firm"),
                "goods": {"type": "integer", "description": "Goods whose prices were converted."},
                "prices": {"type": "integer", "description": "Prices converted."}
            }),
        ),
    );
}
