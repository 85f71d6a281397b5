//! Администриране → Архивиране на фирма (owners only, as in the REST API): download
//! the firm's archive; restore an archive as a new firm after a confirmation step.

use std::sync::{LazyLock, Mutex};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sklad_domain::Id;
use sklad_store::{ArchiveSummary, StoreError};

use crate::web::error::{render, WebError};
use crate::web::layout::Page;
use crate::web::multipart;
use crate::web::session::{random_token, same_secret, Ctx, Posted};
use crate::web::view::format_date;
use crate::AppState;

/// How long an uploaded archive waits for its confirmation.
const PENDING_MINUTES: i64 = 30;
/// At most this many uploads wait at once; the oldest is dropped first.
const PENDING_MAX: usize = 4;

/// An uploaded archive waiting for „Възстанови“.
struct Pending {
    token: String,
    user_id: Id,
    firm_id: Id,
    name: Option<String>,
    archive: Vec<u8>,
    uploaded_at: jiff::Timestamp,
}

static PENDING: LazyLock<Mutex<Vec<Pending>>> = LazyLock::new(|| Mutex::new(Vec::new()));

#[derive(Template)]
#[template(path = "backup.html")]
struct BackupPage {
    page: Page,
    alerts: Vec<String>,
    name: String,
}

#[derive(Template)]
#[template(path = "restore_confirm.html")]
struct ConfirmPage {
    page: Page,
    token: String,
    filename: String,
    size: String,
    sha256: String,
    name: String,
    summary: ArchiveSummary,
    created: String,
}

fn backup_page(
    ctx: &Ctx,
    alerts: Vec<String>,
    notice: Option<String>,
    name: &str,
) -> Result<Html<String>, WebError> {
    let mut page = ctx.page("backup-title");
    page.path = "/backup".into();
    page.notice = notice;
    render(
        &BackupPage {
            page,
            alerts,
            name: name.to_owned(),
        },
        ctx.lang(),
    )
}

/// Query of `GET /backup`: `restored` names the firm a restore just created.
#[derive(Debug, Deserialize)]
pub struct BackupQuery {
    #[serde(default)]
    restored: String,
}

/// `GET /backup`.
pub async fn show(ctx: Ctx, Query(q): Query<BackupQuery>) -> Result<Html<String>, WebError> {
    ctx.require_owner()?;
    let notice = q.restored.parse::<Id>().ok().and_then(|id| {
        ctx.memberships
            .iter()
            .find(|m| m.firm_id == id)
            .map(|m| ctx.tr.t1("restore-done", "firm", &m.firm_name))
    });
    backup_page(&ctx, Vec::new(), notice, "")
}

/// `GET /backup/download`: the archive as a file.
pub async fn download(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_owner()?;
    let archive = state
        .store
        .backup_firm(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let date = super::operations::today(&state);
    let filename = format!("sklad-firm-{}-{date}.sklad.gz", ctx.firm_id());
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/gzip"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok((headers, archive).into_response())
}

/// `POST /backup/restore` (multipart: `csrf`, `archive`, `name`): keeps the archive
/// and asks for confirmation. Owners only.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    ctx.require_owner()?;
    let lang = ctx.lang();
    let parts = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .and_then(|b| multipart::parse(&body, &b))
        .ok_or(WebError::Csrf(lang.into()))?;
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| String::from_utf8_lossy(&p.data).trim().to_owned())
            .unwrap_or_default()
    };
    if !same_secret(&text("csrf"), &ctx.session.csrf_token) {
        return Err(WebError::Csrf(lang.into()));
    }
    let name = text("name");
    let Some(file) = parts
        .iter()
        .find(|p| p.name == "archive" && !p.data.is_empty())
    else {
        let alert = ctx.tr.t("restore-missing-file");
        return Ok(backup_page(&ctx, vec![alert], None, &name)?.into_response());
    };
    // Checked in full (format, version, checksum) before anything is asked or written.
    let summary = match state.store.inspect_archive(&file.data).await {
        Ok(summary) => summary,
        Err(error @ (StoreError::Archive { .. } | StoreError::Validation(_))) => {
            let alert = match ctx.lang() {
                crate::web::i18n::Lang::Bg => error.message_bg(),
                crate::web::i18n::Lang::En => error.message_en(),
            };
            return Ok(backup_page(&ctx, vec![alert], None, &name)?.into_response());
        }
        Err(other) => return Err(ctx.fail(other)),
    };
    let token = random_token();
    let now = state.clock.now();
    let tz = jiff::tz::TimeZone::get("Europe/Sofia").unwrap_or(jiff::tz::TimeZone::UTC);
    let created = summary.created_at.to_zoned(tz);
    let confirm = ConfirmPage {
        page: {
            let mut page = ctx.page("restore-confirm-title");
            page.path = "/backup".into();
            page
        },
        token: token.clone(),
        filename: file.filename.clone().unwrap_or_default(),
        size: format!("{} KB", file.data.len().div_ceil(1024)),
        sha256: hex::encode(Sha256::digest(&file.data)),
        name: name.clone(),
        created: format!(
            "{} {:02}:{:02}",
            format_date(created.date()),
            created.hour(),
            created.minute()
        ),
        summary,
    };
    {
        let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|p| (now - p.uploaded_at).get_minutes() < PENDING_MINUTES);
        if pending.len() >= PENDING_MAX {
            pending.remove(0);
        }
        pending.push(Pending {
            token,
            user_id: ctx.user.id,
            firm_id: ctx.firm_id(),
            name: Some(name).filter(|n| !n.is_empty()),
            archive: file.data.clone(),
            uploaded_at: now,
        });
    }
    Ok(render(&confirm, lang)?.into_response())
}

/// `POST /backup/restore/confirm`: restores the waiting archive as a new firm.
pub async fn confirm(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    ctx.require_owner()?;
    let now = state.clock.now();
    let token = form.get("token");
    let pending = {
        let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|p| (now - p.uploaded_at).get_minutes() < PENDING_MINUTES);
        pending
            .iter()
            .position(|p| {
                same_secret(&p.token, token)
                    && p.user_id == ctx.user.id
                    && p.firm_id == ctx.firm_id()
            })
            .map(|i| pending.remove(i))
    };
    let Some(pending) = pending else {
        let alert = ctx.tr.t("restore-expired");
        return Ok(backup_page(&ctx, vec![alert], None, "")?.into_response());
    };
    match state
        .store
        .restore_firm(&pending.archive, ctx.user.id, pending.name)
        .await
    {
        // A fresh request, so the header's firm switcher lists the new firm.
        Ok(firm) => Ok(Redirect::to(&format!("/backup?restored={}", firm.id)).into_response()),
        Err(error @ (StoreError::Archive { .. } | StoreError::Validation(_))) => {
            let alert = match ctx.lang() {
                crate::web::i18n::Lang::Bg => error.message_bg(),
                crate::web::i18n::Lang::En => error.message_en(),
            };
            Ok(backup_page(&ctx, vec![alert], None, "")?.into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}
