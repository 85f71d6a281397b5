//! Администриране → Потребители: the firm's members; owners only.

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use sklad_domain::model::{Role, UserInput};
use sklad_domain::ValidationErrors;
use sklad_store::StoreError;

use crate::web::crud::{self, Saved};
use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::i18n::Lang;
use crate::web::labels;
use crate::web::screens::RecordForm;
use crate::web::session::{Ctx, Posted};
use crate::web::view::{Cell, Fields, Table};
use crate::AppState;

/// `GET /users`.
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
    let table = Table::new(
        tr,
        "users",
        &[
            ("user-login", false),
            ("user-display-name", false),
            ("user-role", false),
            ("user-language", false),
        ],
        members
            .iter()
            .map(|m| {
                vec![
                    Cell::text(&m.user.login),
                    Cell::text(&m.user.display_name),
                    Cell::text(labels::role(tr, m.role)),
                    Cell::text(tr.t(language_key(&m.user.language))),
                ]
            })
            .collect(),
    );
    let new = ("/users/new", "users-new");
    crud::short_list(&ctx, &saved, "users-title", new, table)
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
