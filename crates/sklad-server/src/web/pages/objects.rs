//! Номенклатури → Обекти: shops and warehouses.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sklad_domain::model::{Object, ObjectInput, ObjectKind};
use sklad_domain::{PriceGroup, ValidationErrors};
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

/// `GET /objects`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Saved>,
) -> Result<Html<String>, WebError> {
    let objects = state
        .store
        .objects(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let tr = ctx.tr;
    let table = Table {
        id: "objects",
        columns: vec![
            (tr.t("object-name"), false),
            (tr.t("object-kind"), false),
            (tr.t("object-price-group"), false),
            (tr.t("object-active"), false),
        ],
        rows: objects
            .iter()
            .map(|o| {
                vec![
                    Cell::link(&o.name, format!("/objects/{}", o.id)),
                    Cell::text(labels::object_kind(tr, o.kind)),
                    Cell::text(labels::price_group(ctx.lang(), o.price_group)),
                    Cell::text(labels::yes_no(tr, o.active)),
                ]
            })
            .collect(),
    };
    let mut page = ctx.page("objects-title");
    page.notice = q.saved.map(|_| tr.t("saved"));
    let new = Some(("/objects/new".to_owned(), tr.t("objects-new")));
    render(&RecordList::simple(page, new, table), ctx.lang())
}

fn form_of(object: &Object) -> FormData {
    let mut form = FormData::default();
    form.set("name", &object.name);
    form.set("kind", labels::object_kind_key(object.kind));
    form.set("price_group", object.price_group.key());
    if object.active {
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
    let mut fields = Fields::new(tr, form, errors, "object-");
    fields
        .text("name", "object-name", true)
        .select("kind", "object-kind", labels::object_kinds(tr))
        .select(
            "price_group",
            "object-price-group",
            labels::selling_groups(ctx.lang()),
        )
        .checkbox("active", "object-active");
    let mut alerts = errors.others(&fields.names());
    if errors.any() {
        alerts.insert(0, tr.t("form-has-errors"));
    }
    let screen = RecordForm {
        page: ctx.page(title),
        action,
        back: "/objects".into(),
        fields: fields.done(),
        alerts,
    };
    render(&screen, ctx.lang())
}

/// Reads the form into an input; choices that are not offered are field errors.
fn input_of(form: &FormData) -> Result<ObjectInput, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let kind = match form.get("kind") {
        "shop" => ObjectKind::Shop,
        "warehouse" => ObjectKind::Warehouse,
        _ => {
            errors.push(labels::invalid_choice("kind"));
            ObjectKind::Warehouse
        }
    };
    let price_group = PriceGroup::from_key(form.get("price_group")).unwrap_or_else(|| {
        errors.push(labels::invalid_choice("price_group"));
        PriceGroup::Retail
    });
    let input = ObjectInput {
        name: form.get("name").to_owned(),
        kind,
        price_group,
        active: form.checked("active"),
    };
    // The domain's own checks too, so every error shows at once.
    if let Err(more) = input.validate() {
        errors.errors.extend(more.errors);
    }
    errors.into_result(input)
}

/// `GET /objects/new`.
pub async fn new(ctx: Ctx) -> Result<Html<String>, WebError> {
    let mut form = FormData::default();
    form.set("kind", "warehouse");
    form.set("price_group", PriceGroup::Retail.key());
    form.set("active", "on");
    show_form(
        &ctx,
        "objects-new",
        "/objects/new".into(),
        &form,
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /objects/new`.
pub async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let result = match input_of(&form) {
        Ok(input) => state.store.create_object(ctx.firm_id(), &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(&ctx, result, "objects-new", "/objects/new".into(), &form)
}

/// `GET /objects/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
) -> Result<Html<String>, WebError> {
    let object = state
        .store
        .object(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    show_form(
        &ctx,
        "objects-edit",
        format!("/objects/{id}"),
        &form_of(&object),
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /objects/{id}`.
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let result = match input_of(&form) {
        Ok(input) => state.store.update_object(ctx.firm_id(), id, &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(
        &ctx,
        result,
        "objects-edit",
        format!("/objects/{id}"),
        &form,
    )
}

fn saved_or_form(
    ctx: &Ctx,
    result: Result<Object, StoreError>,
    title: &str,
    action: String,
    form: &FormData,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to("/objects?saved=1").into_response()),
        Err(StoreError::Validation(errors)) => {
            let errors = FormErrors::new(ctx.tr, errors.errors);
            Ok(show_form(ctx, title, action, form, &errors)?.into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}
