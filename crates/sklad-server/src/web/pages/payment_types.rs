//! За фирмата → Типове плащания: the firm's named payment types (SPEC S2).

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sklad_domain::model::{PaymentType, PaymentTypeInput};
use sklad_domain::ValidationErrors;
use sklad_store::StoreError;

use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::labels;
use crate::web::screens::{RecordForm, RecordList};
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{Cell, Fields, Table};
use crate::AppState;

/// `?saved=1` after a save.
#[derive(Debug, Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /payment-types`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Saved>,
) -> Result<Html<String>, WebError> {
    let types = state
        .store
        .payment_types(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let tr = ctx.tr;
    let table = Table {
        id: "payment-types",
        columns: vec![
            (tr.t("payment-type-name"), false),
            (tr.t("payment-type-method"), false),
            (tr.t("payment-type-active"), false),
        ],
        rows: types
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.name, format!("/payment-types/{}", p.id)),
                    Cell::text(labels::method(tr, p.method)),
                    Cell::text(labels::yes_no(tr, p.active)),
                ]
            })
            .collect(),
    };
    let mut page = ctx.page("payment-types-title");
    page.notice = q.saved.map(|_| tr.t("saved"));
    let new = Some(("/payment-types/new".to_owned(), tr.t("payment-types-new")));
    render(&RecordList::simple(page, new, table), ctx.lang())
}

fn form_of(payment_type: &PaymentType) -> FormData {
    let mut form = FormData::default();
    form.set("name", &payment_type.name);
    form.set("method", labels::method_key(payment_type.method));
    if payment_type.active {
        form.set("active", "on");
    }
    form
}

fn show_form(
    ctx: &Ctx,
    title: &str,
    action: String,
    form: &FormData,
    errors: &FormErrors,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let mut fields = Fields::new(tr, form, errors, "payment-type-");
    fields
        .text("name", "payment-type-name", true)
        .select("method", "payment-type-method", labels::methods(tr))
        .checkbox("active", "payment-type-active");
    let mut alerts = errors.others(&fields.names());
    if errors.any() {
        alerts.insert(0, tr.t("form-has-errors"));
    }
    let screen = RecordForm {
        page: ctx.page(title),
        action,
        back: "/payment-types".into(),
        fields: fields.done(),
        alerts,
    };
    render(&screen, ctx.lang())
}

/// Reads the form into an input; choices that are not offered are field errors.
fn input_of(form: &FormData) -> Result<PaymentTypeInput, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let method = labels::PAYMENT_METHODS
        .into_iter()
        .find(|m| labels::method_key(*m) == form.get("method"))
        .unwrap_or_else(|| {
            errors.push(labels::invalid_choice("method"));
            labels::PAYMENT_METHODS[0]
        });
    let input = PaymentTypeInput {
        name: form.get("name").to_owned(),
        method,
        active: form.checked("active"),
    };
    // The domain's own checks too, so every error shows at once.
    if let Err(more) = input.validate() {
        errors.errors.extend(more.errors);
    }
    errors.into_result(input)
}

/// `GET /payment-types/new`.
pub async fn new(ctx: Ctx) -> Result<Html<String>, WebError> {
    let mut form = FormData::default();
    form.set("method", "cash");
    form.set("active", "on");
    show_form(
        &ctx,
        "payment-types-new",
        "/payment-types/new".into(),
        &form,
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /payment-types/new`.
pub async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let result = match input_of(&form) {
        Ok(input) => state.store.create_payment_type(ctx.firm_id(), &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(
        &ctx,
        result,
        "payment-types-new",
        "/payment-types/new".into(),
        &form,
    )
}

/// `GET /payment-types/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
) -> Result<Html<String>, WebError> {
    let payment_type = state
        .store
        .payment_type(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    show_form(
        &ctx,
        "payment-types-edit",
        format!("/payment-types/{id}"),
        &form_of(&payment_type),
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /payment-types/{id}`.
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let result = match input_of(&form) {
        Ok(input) => {
            state
                .store
                .update_payment_type(ctx.firm_id(), id, &input)
                .await
        }
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(
        &ctx,
        result,
        "payment-types-edit",
        format!("/payment-types/{id}"),
        &form,
    )
}

fn saved_or_form(
    ctx: &Ctx,
    result: Result<PaymentType, StoreError>,
    title: &str,
    action: String,
    form: &FormData,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to("/payment-types?saved=1").into_response()),
        Err(StoreError::Validation(errors)) => {
            let errors = FormErrors::new(ctx.tr, errors.errors);
            Ok(show_form(ctx, title, action, form, &errors)?.into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}
