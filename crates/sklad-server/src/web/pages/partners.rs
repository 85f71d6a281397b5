//! Номенклатури → Партньори: clients and suppliers, ЕИК validated inline.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sklad_domain::model::{Partner, PartnerInput, PartnerRole};
use sklad_domain::{PriceGroup, ValidationErrors};
use sklad_store::{Paging, PartnerFilter, StoreError};

use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::labels;
use crate::web::screens::{RecordForm, RecordList};
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{self, query_string, Cell, Fields, Pager, Table};
use crate::AppState;

const PER_PAGE: i64 = 25;

/// Query of the partners list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    page: String,
    saved: Option<String>,
}

/// `GET /partners`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let page_no = view::page_number(&q.page);
    let role = [
        PartnerRole::Client,
        PartnerRole::Supplier,
        PartnerRole::Both,
    ]
    .into_iter()
    .find(|r| labels::partner_role_key(*r) == q.role);
    let filter = PartnerFilter {
        search: Some(q.q.trim().to_owned()).filter(|s| !s.is_empty()),
        role,
        paging: Paging {
            limit: PER_PAGE,
            offset: (page_no - 1) * PER_PAGE,
        },
    };
    let found = state
        .store
        .partners(ctx.firm_id(), &filter)
        .await
        .map_err(|e| ctx.fail(e))?;
    let table = Table {
        id: "partners",
        columns: vec![
            (tr.t("partner-name"), false),
            (tr.t("partner-eik"), false),
            (tr.t("partner-city"), false),
            (tr.t("partner-email"), false),
            (tr.t("partner-role"), false),
        ],
        rows: found
            .items
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.name, format!("/partners/{}", p.id)),
                    Cell::text(p.eik.clone().unwrap_or_default()),
                    Cell::text(p.city.clone().unwrap_or_default()),
                    Cell::text(p.email.clone().unwrap_or_default()),
                    Cell::text(labels::partner_role(tr, p.role)),
                ]
            })
            .collect(),
    };
    let mut filter_form = FormData::default();
    filter_form.set("q", &q.q);
    filter_form.set("role", &q.role);
    let none = FormErrors::none(tr);
    let mut filters = Fields::new(tr, &filter_form, &none, "filter-");
    let mut roles = vec![(String::new(), tr.t("all"))];
    roles.extend(labels::partner_roles(tr));
    filters
        .input("q", "partners-search", "search")
        .select("role", "partner-role", roles);
    let mut page = ctx.page("partners-title");
    page.notice = q.saved.map(|_| tr.t("saved"));
    let query = query_string(&[("q", &q.q), ("role", &q.role)]);
    let screen = RecordList {
        page,
        intro: None,
        filters: filters.done(),
        new_link: Some(("/partners/new".into(), tr.t("partners-new"))),
        table,
        pager: Some(Pager::new(
            tr,
            "/partners",
            &query,
            page_no,
            PER_PAGE,
            found.total,
        )),
    };
    render(&screen, ctx.lang())
}

fn form_of(partner: &Partner) -> FormData {
    let mut form = FormData::default();
    form.set("name", &partner.name);
    let optional = [
        ("eik", &partner.eik),
        ("vat_number", &partner.vat_number),
        ("mol", &partner.mol),
        ("address", &partner.address),
        ("city", &partner.city),
        ("phone", &partner.phone),
        ("email", &partner.email),
    ];
    for (name, value) in optional {
        form.set(name, value.clone().unwrap_or_default());
    }
    form.set("role", labels::partner_role_key(partner.role));
    form.set("price_group", partner.price_group.key());
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
    let mut fields = Fields::new(tr, form, errors, "partner-");
    fields
        .text("name", "partner-name", true)
        .wide()
        .text("eik", "partner-eik", false)
        .text("vat_number", "partner-vat", false)
        .text("mol", "partner-mol", false)
        .input("email", "partner-email", "email")
        .text("phone", "partner-phone", false)
        .text("city", "partner-city", false)
        .text("address", "partner-address", false)
        .wide()
        .select("role", "partner-role", labels::partner_roles(tr))
        .select(
            "price_group",
            "partner-price-group",
            labels::selling_groups(ctx.lang()),
        );
    let mut alerts = errors.others(&fields.names());
    if errors.any() {
        alerts.insert(0, tr.t("form-has-errors"));
    }
    let screen = RecordForm {
        page: ctx.page(title),
        action,
        back: "/partners".into(),
        fields: fields.done(),
        alerts,
    };
    render(&screen, ctx.lang())
}

/// Reads the form into an input; the ЕИК, VAT number and e-mail are checked by the
/// domain (and again by the store, with uniqueness).
fn input_of(form: &FormData) -> Result<PartnerInput, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let role = [
        PartnerRole::Client,
        PartnerRole::Supplier,
        PartnerRole::Both,
    ]
    .into_iter()
    .find(|r| labels::partner_role_key(*r) == form.get("role"))
    .unwrap_or_else(|| {
        errors.push(labels::invalid_choice("role"));
        PartnerRole::Client
    });
    let price_group = PriceGroup::from_key(form.get("price_group"))
        .filter(|g| *g != PriceGroup::Purchase)
        .unwrap_or_else(|| {
            errors.push(labels::invalid_choice("price_group"));
            PriceGroup::Retail
        });
    let input = PartnerInput {
        name: form.get("name").to_owned(),
        eik: form.opt("eik"),
        vat_number: form.opt("vat_number"),
        mol: form.opt("mol"),
        address: form.opt("address"),
        city: form.opt("city"),
        phone: form.opt("phone"),
        email: form.opt("email"),
        role,
        price_group,
    };
    if let Err(more) = input.validate() {
        errors.errors.extend(more.errors);
    }
    errors.into_result(input)
}

/// `GET /partners/new`.
pub async fn new(ctx: Ctx) -> Result<Html<String>, WebError> {
    let mut form = FormData::default();
    form.set("role", "client");
    form.set("price_group", PriceGroup::Retail.key());
    show_form(
        &ctx,
        "partners-new",
        "/partners/new".into(),
        &form,
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /partners/new`.
pub async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let result = match input_of(&form) {
        Ok(input) => state.store.create_partner(ctx.firm_id(), &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(&ctx, result, "partners-new", "/partners/new".into(), &form)
}

/// `GET /partners/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
) -> Result<Html<String>, WebError> {
    let partner = state
        .store
        .partner(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    show_form(
        &ctx,
        "partners-edit",
        format!("/partners/{id}"),
        &form_of(&partner),
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /partners/{id}`.
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let result = match input_of(&form) {
        Ok(input) => state.store.update_partner(ctx.firm_id(), id, &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(
        &ctx,
        result,
        "partners-edit",
        format!("/partners/{id}"),
        &form,
    )
}

fn saved_or_form(
    ctx: &Ctx,
    result: Result<Partner, StoreError>,
    title: &str,
    action: String,
    form: &FormData,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to("/partners?saved=1").into_response()),
        Err(StoreError::Validation(errors)) => {
            let errors = FormErrors::new(ctx.tr, errors.errors);
            Ok(show_form(ctx, title, action, form, &errors)?.into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}
