//! Номенклатури → Стоки: the goods list (search by code / barcode / name, filters,
//! paging) and the good's form with any number of barcodes and all 11 prices.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sklad_domain::model::{Good, GoodInput, GoodKind};
use sklad_domain::money::{format_bg, format_minor_plain, parse_minor};
use sklad_domain::{Money, PriceGroup, ValidationErrors, VatRate};
use sklad_store::{GoodFilter, Paging, StoreError};

use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::labels;
use crate::web::layout::Page;
use crate::web::screens::RecordList;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{self, query_string, Cell, Field, Fields, Pager, Table};
use crate::AppState;

const PER_PAGE: i64 = 25;

/// Query of the goods list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    active: String,
    #[serde(default)]
    page: String,
    saved: Option<String>,
}

fn kind_of(key: &str) -> Option<GoodKind> {
    [GoodKind::Good, GoodKind::Service]
        .into_iter()
        .find(|k| labels::good_kind_key(*k) == key)
}

/// `GET /goods`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let page_no = view::page_number(&q.page);
    let filter = GoodFilter {
        search: Some(q.q.trim().to_owned()).filter(|s| !s.is_empty()),
        kind: kind_of(&q.kind),
        group: Some(q.group.trim().to_owned()).filter(|s| !s.is_empty()),
        active: match q.active.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        paging: Paging {
            limit: PER_PAGE,
            offset: (page_no - 1) * PER_PAGE,
        },
    };
    let found = state
        .store
        .goods(ctx.firm_id(), &filter)
        .await
        .map_err(|e| ctx.fail(e))?;
    let currency = ctx.firm.currency;
    let table = Table {
        id: "goods",
        columns: vec![
            (tr.t("goods-code"), false),
            (tr.t("goods-name"), false),
            (tr.t("goods-barcodes"), false),
            (tr.t("goods-measure"), false),
            (tr.t("goods-group"), false),
            (labels::price_group(ctx.lang(), PriceGroup::Retail), true),
            (tr.t("goods-kind"), false),
            (tr.t("goods-active"), false),
        ],
        rows: found
            .items
            .iter()
            .map(|g| {
                vec![
                    Cell::link(&g.code, format!("/goods/{}", g.id)),
                    Cell::link(&g.name, format!("/goods/{}", g.id)),
                    Cell::text(g.barcodes.join(", ")),
                    Cell::text(&g.measure),
                    Cell::text(g.group.clone().unwrap_or_default()),
                    Cell::num(
                        g.prices
                            .get(&PriceGroup::Retail)
                            .map(|p| format_bg(Money::new(*p, currency)))
                            .unwrap_or_default(),
                    ),
                    Cell::text(labels::good_kind(tr, g.kind)),
                    Cell::text(labels::yes_no(tr, g.active)),
                ]
            })
            .collect(),
    };
    let mut filter_form = FormData::default();
    for (name, value) in [
        ("q", &q.q),
        ("kind", &q.kind),
        ("group", &q.group),
        ("active", &q.active),
    ] {
        filter_form.set(name, value.as_str());
    }
    let none = FormErrors::none(tr);
    let mut filters = Fields::new(tr, &filter_form, &none, "filter-");
    let mut kinds = vec![(String::new(), tr.t("all"))];
    kinds.extend(labels::good_kinds(tr));
    filters
        .input("q", "goods-search", "search")
        .select("kind", "goods-kind", kinds)
        .text("group", "goods-group", false)
        .select(
            "active",
            "goods-status",
            vec![
                (String::new(), tr.t("all")),
                ("yes".into(), tr.t("goods-only-active")),
                ("no".into(), tr.t("goods-only-inactive")),
            ],
        );
    let mut page = ctx.page("goods-title");
    page.notice = q.saved.map(|_| tr.t("saved"));
    let query = query_string(&[
        ("q", &q.q),
        ("kind", &q.kind),
        ("group", &q.group),
        ("active", &q.active),
    ]);
    let screen = RecordList {
        page,
        intro: None,
        filters: filters.done(),
        new_link: Some(("/goods/new".into(), tr.t("goods-new"))),
        table,
        pager: Some(Pager::new(
            tr,
            "/goods",
            &query,
            page_no,
            PER_PAGE,
            found.total,
        )),
    };
    render(&screen, ctx.lang())
}

#[derive(Template)]
#[template(path = "good_form.html")]
struct GoodForm {
    page: Page,
    action: String,
    alerts: Vec<String>,
    fields: Vec<Field>,
    barcodes: Vec<Field>,
    prices: Vec<Field>,
}

fn form_of(good: &Good) -> FormData {
    let mut form = FormData::default();
    form.set("code", &good.code);
    form.set("name", &good.name);
    form.set("measure", &good.measure);
    form.set("kind", labels::good_kind_key(good.kind));
    form.set("vat", good.vat_rate.percent().to_string());
    form.set("group", good.group.clone().unwrap_or_default());
    if good.active {
        form.set("active", "on");
    }
    for barcode in &good.barcodes {
        form.push("barcode", barcode);
    }
    for (group, minor) in &good.prices {
        form.set(
            &price_field(*group),
            format_minor_plain(*minor).replace('.', ","),
        );
    }
    form
}

fn price_field(group: PriceGroup) -> String {
    format!("prices.{}", group.key())
}

fn show_form(
    ctx: &Ctx,
    title: &str,
    action: String,
    form: &FormData,
    errors: &FormErrors,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let mut fields = Fields::new(tr, form, errors, "good-");
    fields
        .text("code", "goods-code", true)
        .text("name", "goods-name", true)
        .text("measure", "goods-measure", true)
        .text("group", "goods-group", false)
        .select("kind", "goods-kind", labels::good_kinds(tr))
        .select("vat", "goods-vat", labels::vat_rates())
        .checkbox("active", "goods-active");
    let mut shown: Vec<String> = fields.names().into_iter().map(str::to_owned).collect();
    let general = fields.done();
    // Typed barcodes, then one empty slot for another.
    let mut typed: Vec<&str> = form.all("barcode");
    typed.push("");
    let barcodes: Vec<Field> = typed
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let path = format!("barcodes[{i}]");
            let error = errors.get(&path);
            shown.push(path);
            Field {
                id: format!("barcode-{i}"),
                name: "barcode".into(),
                label: format!("{} {}", tr.t("goods-barcode"), i + 1),
                value: (*value).to_owned(),
                error,
                required: false,
                kind: "text",
                options: Vec::new(),
                wide: false,
            }
        })
        .collect();
    let prices: Vec<Field> = PriceGroup::ALL
        .into_iter()
        .map(|group| {
            let name = price_field(group);
            let field = Field {
                id: format!("price-{}", group.key()),
                name: name.clone(),
                label: labels::price_group(ctx.lang(), group),
                value: form.get(&name).to_owned(),
                error: errors.get(&name),
                required: false,
                kind: "text",
                options: Vec::new(),
                wide: false,
            };
            shown.push(name);
            field
        })
        .collect();
    let shown_refs: Vec<&str> = shown.iter().map(String::as_str).collect();
    let mut alerts = errors.others(&shown_refs);
    if errors.any() {
        alerts.insert(0, tr.t("form-has-errors"));
    }
    let mut page = ctx.page(title);
    page.path = "/goods".into();
    let screen = GoodForm {
        page,
        action,
        alerts,
        fields: general,
        barcodes,
        prices,
    };
    render(&screen, ctx.lang())
}

/// Reads the form: blank barcodes are dropped (so the form shows them renumbered),
/// amounts parsed exactly; then the domain's checks, so all errors show at once.
fn input_of(form: &mut FormData) -> Result<GoodInput, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let barcodes: Vec<String> = form
        .all("barcode")
        .into_iter()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect();
    form.remove("barcode");
    for barcode in &barcodes {
        form.push("barcode", barcode);
    }
    let kind = kind_of(form.get("kind")).unwrap_or_else(|| {
        errors.push(labels::invalid_choice("kind"));
        GoodKind::Good
    });
    let vat_rate = form
        .get("vat")
        .parse()
        .ok()
        .and_then(VatRate::from_percent)
        .unwrap_or_else(|| {
            errors.push(labels::invalid_choice("vat"));
            VatRate::Standard
        });
    let mut prices = BTreeMap::new();
    for group in PriceGroup::ALL {
        let name = price_field(group);
        if let Some(text) = form.opt(&name) {
            if let Some(minor) = errors.check(parse_minor(&name, &text)) {
                prices.insert(group, minor);
            }
        }
    }
    let input = GoodInput {
        code: form.get("code").to_owned(),
        barcodes,
        name: form.get("name").to_owned(),
        measure: form.get("measure").to_owned(),
        kind,
        vat_rate,
        group: form.opt("group"),
        active: form.checked("active"),
        prices,
    };
    if let Err(more) = input.validate() {
        errors.errors.extend(more.errors);
    }
    errors.into_result(input)
}

/// `GET /goods/new`.
pub async fn new(ctx: Ctx) -> Result<Html<String>, WebError> {
    let mut form = FormData::default();
    form.set("measure", "бр.");
    form.set("kind", "good");
    form.set("vat", "20");
    form.set("active", "on");
    show_form(
        &ctx,
        "goods-new",
        "/goods/new".into(),
        &form,
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /goods/new`.
pub async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, mut form } = posted;
    let result = match input_of(&mut form) {
        Ok(input) => state.store.create_good(ctx.firm_id(), &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(&ctx, result, "goods-new", "/goods/new".into(), &form)
}

/// `GET /goods/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
) -> Result<Html<String>, WebError> {
    let good = state
        .store
        .good(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    show_form(
        &ctx,
        "goods-edit",
        format!("/goods/{id}"),
        &form_of(&good),
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /goods/{id}`.
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, mut form } = posted;
    let result = match input_of(&mut form) {
        Ok(input) => state.store.update_good(ctx.firm_id(), id, &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    saved_or_form(&ctx, result, "goods-edit", format!("/goods/{id}"), &form)
}

fn saved_or_form(
    ctx: &Ctx,
    result: Result<Good, StoreError>,
    title: &str,
    action: String,
    form: &FormData,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to("/goods?saved=1").into_response()),
        Err(StoreError::Validation(errors)) => {
            let errors = FormErrors::new(ctx.tr, errors.errors);
            Ok(show_form(ctx, title, action, form, &errors)?.into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}
