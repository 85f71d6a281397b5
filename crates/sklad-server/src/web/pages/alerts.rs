//! Администриране → Сигнали (owners): what the bridge raised for the owner's eyes —
//! orders waiting, a subscription the shop disabled, a plan expired, a key refused —
//! each with its last message, how often and when it was e-mailed, and „Прочетено“;
//! and „Имейл за сигнали“ (`/account/email`), where each user gives the address alert
//! e-mails go to.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sklad_store::StoreError;
use sklad_sync::alerts::Cause;

use crate::web::crud::{self, Saved};
use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::i18n::Lang;
use crate::web::screens::RecordList;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{when, Cell, Fields, Table};
use crate::AppState;

/// `GET /alerts`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<Saved>,
) -> Result<Html<String>, WebError> {
    ctx.require_owner()?;
    let tr = ctx.tr;
    let store = &state.store;
    let alerts = store.alerts(ctx.firm_id()).await.map_err(|e| ctx.fail(e))?;
    let connections = store
        .shop_connections(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let bg = ctx.lang() == Lang::Bg;
    let rows = alerts
        .iter()
        .map(|a| {
            let cause = Cause::from_key(&a.cause);
            let title = match (cause, bg) {
                (Some(c), true) => c.title_bg().to_owned(),
                (Some(c), false) => c.title_en().to_owned(),
                (None, _) => a.cause.clone(),
            };
            let connection = connections
                .iter()
                .find(|c| c.id == a.connection_id)
                .map_or_else(|| "—".to_owned(), |c| c.name.clone());
            let seen = match a.seen_at {
                Some(at) => Cell::text(when(at)),
                None => Cell::button(tr.t("alerts-mark-seen"), format!("/alerts/{}/seen", a.id)),
            };
            vec![
                Cell::text(when(a.last_at)),
                Cell::text(title),
                Cell::text(connection),
                Cell::text(if bg { &a.message_bg } else { &a.message_en }),
                Cell::num(a.times.to_string()),
                Cell::text(a.emailed_at.map_or_else(|| "—".to_owned(), when)),
                seen,
            ]
        })
        .collect();
    let table = Table::new(
        tr,
        "alerts",
        &[
            ("alerts-when", false),
            ("alerts-cause", false),
            ("alerts-connection", false),
            ("alerts-message", false),
            ("alerts-times", true),
            ("alerts-emailed", false),
            ("alerts-seen", false),
        ],
        rows,
    );
    let address = store
        .user_email(ctx.user.id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let intro = match (state.bridge.config().mailer.is_some(), address) {
        (true, Some(address)) => tr.t1("alerts-intro-mail", "address", &address),
        (true, None) => tr.t("alerts-intro-no-address"),
        (false, _) => tr.t("alerts-intro-no-smtp"),
    };
    let mut screen = RecordList::simple(
        crud::list_page(&ctx, "alerts-title", saved.is_saved()),
        Some(("/account/email".into(), tr.t("alerts-email"))),
        table,
    );
    screen.intro = Some(intro);
    render(&screen, ctx.lang())
}

/// `POST /alerts/{id}/seen` (owners): the alert leaves the header's badge.
pub async fn mark_seen(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    ctx.require_owner()?;
    state
        .store
        .mark_alerts_seen(ctx.firm_id(), Some(id), &ctx.user.login)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to("/alerts").into_response())
}

fn email_form(
    ctx: &Ctx,
    form: &FormData,
    errors: &FormErrors,
    saved: bool,
) -> Result<Html<String>, WebError> {
    let mut fields = Fields::new(ctx.tr, form, errors, "account-");
    fields.input("email", "account-email", "email");
    let notice = saved.then(|| ctx.tr.t("saved"));
    crud::account_form(
        ctx,
        "account-email-title",
        "/account/email",
        errors,
        fields,
        notice,
    )
}

/// `GET /account/email`: the signed-in user's address for alert e-mails.
pub async fn email(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<Saved>,
) -> Result<Html<String>, WebError> {
    let address = state
        .store
        .user_email(ctx.user.id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut form = FormData::default();
    form.set("email", address.as_deref().unwrap_or(""));
    email_form(&ctx, &form, &FormErrors::none(ctx.tr), saved.is_saved())
}

/// `POST /account/email`: sets (or, empty, clears) the address; a malformed one is
/// refused on its field.
pub async fn set_email(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let result: Result<(), StoreError> = state
        .store
        .set_user_email(ctx.user.id, form.get("email"))
        .await;
    crud::saved_or_form(
        &ctx,
        result,
        |()| "/account/email?saved=1".into(),
        |errors| email_form(&ctx, &form, &errors, false),
    )
}
