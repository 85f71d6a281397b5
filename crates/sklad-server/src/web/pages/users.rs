//! Администриране → Потребители: the firm's members; owners only.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sklad_domain::model::{Role, UserInput};
use sklad_domain::{FieldError, ValidationErrors};
use sklad_store::StoreError;

use crate::web::crud::{self, Saved};
use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::i18n::Lang;
use crate::web::labels;
use crate::web::screens::RecordForm;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{when, Cell, Fields, Table};
use crate::AppState;

/// `GET /users`: each member with the last use of their sessions (when and from
/// where) and „Прекрати сесиите“.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<Saved>,
) -> Result<Html<String>, WebError> {
    ctx.require_owner()?;
    let tr = ctx.tr;
    let members = state
        .store
        .members(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut rows = Vec::with_capacity(members.len());
    for m in &members {
        let sessions = state
            .store
            .member_sessions(ctx.firm_id(), m.user.id)
            .await
            .map_err(|e| ctx.fail(e))?;
        let last_use = sessions.first().map_or_else(
            || tr.t("users-no-sessions"),
            |s| {
                let at = when(s.last_seen_at.unwrap_or(s.started_at));
                let from = s.last_seen_from.as_deref().unwrap_or("?");
                format!(
                    "{at} · {from} ({} {})",
                    sessions.len(),
                    tr.t("users-sessions")
                )
            },
        );
        let end = if sessions.is_empty() {
            Cell::text("")
        } else {
            Cell::button(
                tr.t("users-end-sessions"),
                format!("/users/{}/sessions/end", m.user.id),
            )
        };
        rows.push(vec![
            Cell::text(&m.user.login),
            Cell::text(&m.user.display_name),
            Cell::text(labels::role(tr, m.role)),
            Cell::text(tr.t(language_key(&m.user.language))),
            Cell::text(last_use),
            end,
        ]);
    }
    let table = Table::new(
        tr,
        "users",
        &[
            ("user-login", false),
            ("user-display-name", false),
            ("user-role", false),
            ("user-language", false),
            ("users-last-use", false),
            ("users-sessions-action", false),
        ],
        rows,
    );
    let new = ("/users/new", "users-new");
    crud::short_list(&ctx, &saved, "users-title", new, table)
}

/// `POST /users/{id}/sessions/end` (owners): every session the member has in the firm
/// ends (in the firm's journal).
pub async fn end_sessions(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    ctx.require_owner()?;
    state
        .store
        .end_member_sessions(ctx.firm_id(), id, &ctx.user.login)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to("/users?saved=1").into_response())
}

/// The password form: current, new, the new again.
fn show_password_form(
    ctx: &Ctx,
    form: &FormData,
    errors: &FormErrors,
    notice: bool,
) -> Result<Html<String>, WebError> {
    let mut fields = Fields::new(ctx.tr, form, errors, "password-");
    fields
        .input("current_password", "password-current", "password")
        .input("new_password", "password-new", "password")
        .input("new_password_again", "password-again", "password");
    let notice = notice.then(|| ctx.tr.t("password-changed"));
    crud::account_form(
        ctx,
        "password-title",
        "/account/password",
        errors,
        fields,
        notice,
    )
}

/// `GET /account/password`: „Смяна на парола“ for the signed-in user.
pub async fn password(ctx: Ctx, Query(saved): Query<Saved>) -> Result<Html<String>, WebError> {
    let notice = saved.is_saved();
    show_password_form(
        &ctx,
        &FormData::default(),
        &FormErrors::none(ctx.tr),
        notice,
    )
}

/// `POST /account/password`: the current password checked, the new one set; every
/// other session of the user ends (this one stays), in the journal of each firm.
pub async fn change_password(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let new = form.get("new_password");
    let result = if new != form.get("new_password_again") {
        Err(StoreError::Validation(ValidationErrors::from(
            FieldError::new(
                "new_password_again",
                "passwords_differ",
                "Двете нови пароли се различават.",
                "The two new passwords differ.",
            ),
        )))
    } else {
        state
            .store
            .change_password(
                ctx.user.id,
                form.get("current_password"),
                new,
                Some(&ctx.session_id),
            )
            .await
    };
    // Passwords are never sent back into the form.
    crud::saved_or_form(
        &ctx,
        result,
        |_| "/account/password?saved=1".into(),
        |errors| show_password_form(&ctx, &FormData::default(), &errors, false),
    )
}

/// The catalogue name of a stored language code (`bg` unless `en`).
fn language_key(code: &str) -> &'static str {
    match Lang::from_code(code) {
        Lang::En => "lang-en",
        Lang::Bg => "lang-bg",
    }
}

fn show_form(ctx: &Ctx, form: &FormData, errors: &FormErrors) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let mut fields = Fields::new(tr, form, errors, "user-");
    fields
        .text("login", "user-login", true)
        .text("display_name", "user-display-name", true)
        .input("password", "user-password", "password")
        .select(
            "role",
            "user-role",
            vec![
                ("operator".into(), tr.t("role-operator")),
                ("owner".into(), tr.t("role-owner")),
            ],
        )
        .select(
            "language",
            "user-language",
            vec![
                ("bg".into(), tr.t("lang-bg")),
                ("en".into(), tr.t("lang-en")),
            ],
        );
    let mut page = ctx.page("users-new");
    page.path = "/users".into();
    let screen = RecordForm {
        page,
        action: "/users/new".into(),
        back: "/users".into(),
        alerts: errors.alerts(&fields.names()),
        fields: fields.done(),
    };
    render(&screen, ctx.lang())
}

/// `GET /users/new`.
pub async fn new(ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require_owner()?;
    let mut form = FormData::default();
    form.set("role", "operator");
    form.set("language", "bg");
    show_form(&ctx, &form, &FormErrors::none(ctx.tr))
}

/// `POST /users/new`: creates the user and makes them a member with the chosen role.
pub async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    ctx.require_owner()?;
    let store = &state.store;
    let mut errors = ValidationErrors::new();
    let role = match form.get("role") {
        "owner" => Role::Owner,
        "operator" => Role::Operator,
        _ => {
            errors.push(labels::invalid_choice("role"));
            Role::Operator
        }
    };
    let input = UserInput {
        login: form.get("login").to_owned(),
        password: form.get("password").to_owned(),
        display_name: form.get("display_name").to_owned(),
        language: form.get("language").to_owned(),
    };
    if let Err(more) = input.validate() {
        errors.errors.extend(more.errors);
    }
    // One transaction: a full firm (`seats_exceeded`) leaves no user behind.
    let result = if errors.is_empty() {
        store
            .create_member(ctx.firm_id(), &input, role)
            .await
            .map(|_| ())
    } else {
        Err(StoreError::Validation(errors))
    };
    crud::saved_or_form(
        &ctx,
        result,
        |_| "/users?saved=1".into(),
        |errors| show_form(&ctx, &form, &errors),
    )
}
