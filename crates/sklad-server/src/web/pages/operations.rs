//! Операции: entry of a delivery, sale, order, transfer, stock-taking or write-off
//! with line editing and live totals; the operations list; one operation's view
//! with „Превърни в продажба“ for an order and „Анулирай“.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sklad_domain::model::{Good, Object, Partner, PaymentType};
use sklad_domain::money::{convert_minor, format_bg, format_minor_plain, parse_minor};
use sklad_domain::operation::{Line, Operation, OperationDraft, OperationKind, OperationStatus};
use sklad_domain::{Currency, FieldError, Id, Money, PriceGroup, Quantity, ValidationErrors};
use sklad_store::{GoodFilter, OperationFilter, Paging, PartnerFilter, StoreError};

use crate::web::crud;
use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::labels;
use crate::web::layout::Page;
use crate::web::screens::RecordList;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{self, format_date, Cell, Field, Fields, FilterForm, Table};
use crate::AppState;

const PER_PAGE: i64 = 25;
/// Goods offered for quick entry (datalist and live prices); any other good is still
/// found by its code or barcode when the form is saved.
const GOODS_OFFERED: i64 = 1000;

/// Today in Bulgaria, from the injected clock.
pub fn today(state: &AppState) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Europe/Sofia").unwrap_or(jiff::tz::TimeZone::UTC);
    state.clock.now().to_zoned(tz).date()
}

fn kind_of(key: &str, ctx: &Ctx) -> Result<OperationKind, WebError> {
    OperationKind::from_key(key).ok_or_else(|| WebError::NotFound(ctx.shell()))
}

/// Which kinds carry a partner and a payment type.
fn has_partner(kind: OperationKind) -> bool {
    matches!(
        kind,
        OperationKind::Delivery
            | OperationKind::Sale
            | OperationKind::Order
            | OperationKind::CustomerReturn
    )
}

/// One line of the entry form as typed: its inputs (with their role for the live
/// totals script: `good`, `qty`, `price`, `discount`) and the good's VAT %.
#[derive(Debug, Clone)]
struct LineRow {
    cells: Vec<(Field, &'static str)>,
    vat: String,
}

#[derive(Template)]
#[template(path = "operation_form.html")]
struct OperationForm {
    page: Page,
    action: String,
    alerts: Vec<String>,
    header: Vec<Field>,
    lines: Vec<LineRow>,
    goods: Vec<(String, String)>,
    goods_json: String,
}

/// What the entry form offers: objects, partners, payment types, goods.
struct Choices {
    objects: Vec<Object>,
    partners: Vec<Partner>,
    payment_types: Vec<PaymentType>,
    goods: Vec<Good>,
}

async fn choices(state: &AppState, ctx: &Ctx) -> Result<Choices, WebError> {
    let store = &state.store;
    let firm = ctx.firm_id();
    let objects = store.objects(firm).await.map_err(|e| ctx.fail(e))?;
    let partners = store
        .partners(
            firm,
            &PartnerFilter {
                paging: Paging {
                    limit: 1000,
                    offset: 0,
                },
                ..PartnerFilter::default()
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?
        .items;
    let payment_types = store.payment_types(firm).await.map_err(|e| ctx.fail(e))?;
    let goods = store
        .goods(
            firm,
            &GoodFilter {
                active: Some(true),
                paging: Paging {
                    limit: GOODS_OFFERED,
                    offset: 0,
                },
                ..GoodFilter::default()
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?
        .items;
    Ok(Choices {
        objects: objects.into_iter().filter(|o| o.active).collect(),
        partners,
        payment_types: payment_types.into_iter().filter(|p| p.active).collect(),
        goods,
    })
}

/// The price group a new line of `kind` takes its default price from.
fn default_group(kind: OperationKind, object: Option<&Object>) -> PriceGroup {
    match kind {
        OperationKind::Delivery | OperationKind::StockTaking | OperationKind::WriteOff => {
            PriceGroup::Purchase
        }
        _ => object.map(|o| o.price_group).unwrap_or(PriceGroup::Retail),
    }
}

/// A good's default unit price for a line, in the operation's currency.
fn default_price(
    good: &Good,
    group: PriceGroup,
    firm_currency: Currency,
    currency: Currency,
) -> Option<i64> {
    let minor = *good.prices.get(&group)?;
    Some(convert_minor(minor, firm_currency, currency))
}

/// The indices of the lines posted (`lines[3].quantity` → 3), in order.
fn line_indices(names: &[(String, String)]) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    for (name, _) in names {
        if let Some(rest) = name.strip_prefix("lines[") {
            if let Some((n, _)) = rest.split_once(']') {
                if let Ok(i) = n.parse::<usize>() {
                    if i < 1000 {
                        seen.insert(i);
                    }
                }
            }
        }
    }
    seen.into_iter().collect()
}

const LINE_FIELDS: [&str; 4] = ["good_id", "quantity", "unit_price", "discount"];

/// Keeps the non-blank lines, renumbered from 0, so error paths match what is shown.
fn compact_lines(form: &mut FormData) {
    let pairs = form.pairs();
    let indices = line_indices(&pairs);
    let mut kept = Vec::new();
    for i in indices {
        let values: Vec<String> = LINE_FIELDS
            .iter()
            .map(|f| form.get(&format!("lines[{i}].{f}")).trim().to_owned())
            .collect();
        let blank = values[0].is_empty() && values[1].is_empty() && values[2].is_empty();
        if !blank {
            kept.push(values);
        }
    }
    for (name, _) in &pairs {
        if name.starts_with("lines[") {
            form.remove(name);
        }
    }
    for (i, values) in kept.into_iter().enumerate() {
        for (field, value) in LINE_FIELDS.iter().zip(values) {
            form.set(&format!("lines[{i}].{field}"), value);
        }
    }
}

/// Where the entry form posts and what it is called: a new operation or an edit.
enum Target {
    New,
    Edit { id: Id, number: i64 },
}

fn show_form(
    ctx: &Ctx,
    kind: OperationKind,
    target: &Target,
    choices: &Choices,
    form: &FormData,
    errors: &FormErrors,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let lang = ctx.lang();
    let mut fields = Fields::new(tr, form, errors, "op-");
    fields.text("date", "operation-date", true).select(
        "object_id",
        "operation-object",
        choices
            .objects
            .iter()
            .map(|o| (o.id.to_string(), o.name.clone()))
            .collect(),
    );
    if kind == OperationKind::Transfer {
        fields.select(
            "target_object_id",
            "operation-target-object",
            choices
                .objects
                .iter()
                .map(|o| (o.id.to_string(), o.name.clone()))
                .collect(),
        );
    }
    if has_partner(kind) {
        let mut partners = vec![(String::new(), tr.t("no-partner"))];
        partners.extend(
            choices
                .partners
                .iter()
                .map(|p| (p.id.to_string(), p.name.clone())),
        );
        let mut payment_types = vec![(String::new(), tr.t("none"))];
        payment_types.extend(
            choices
                .payment_types
                .iter()
                .map(|p| (p.id.to_string(), p.name.clone())),
        );
        fields
            .select("partner_id", "operation-partner", partners)
            .select("payment_type_id", "operation-payment-type", payment_types);
    }
    fields
        .select(
            "currency",
            "operation-currency",
            vec![
                ("EUR".into(), "EUR (€)".into()),
                ("BGN".into(), "BGN (лв)".into()),
            ],
        )
        .text("note", "operation-note", false)
        .wide();
    let mut shown: Vec<String> = fields.names().into_iter().map(str::to_owned).collect();
    let header = fields.done();
    let pairs = form.pairs();
    let mut indices = line_indices(&pairs);
    if indices.is_empty() {
        indices.push(0);
    }
    let goods_by_key: HashMap<&str, &Good> = choices
        .goods
        .iter()
        .flat_map(|g| {
            std::iter::once((g.code.as_str(), g))
                .chain(g.barcodes.iter().map(move |b| (b.as_str(), g)))
        })
        .collect();
    let lines: Vec<LineRow> = indices
        .into_iter()
        .map(|i| {
            let path = |f: &str| format!("lines[{i}].{f}");
            for f in LINE_FIELDS {
                shown.push(path(f));
            }
            let make = |f: &str, label: &str| {
                Field::plain(
                    format!("line-{i}-{}", f.replace('_', "-")),
                    path(f),
                    tr.t(label),
                    form.get(&path(f)).to_owned(),
                    errors.get(&path(f)),
                )
            };
            let mut discount = make("discount", "line-discount");
            if discount.value.is_empty() {
                discount.value = "0".into();
            }
            let good = make("good_id", "line-good");
            let vat = goods_by_key
                .get(good.value.trim())
                .map(|g| g.vat_rate.percent())
                .unwrap_or(20)
                .to_string();
            LineRow {
                cells: vec![
                    (good, "good"),
                    (make("quantity", "line-quantity"), "qty"),
                    (make("unit_price", "line-price"), "price"),
                    (discount, "discount"),
                ],
                vat,
            }
        })
        .collect();
    // `lines` itself (e.g. "needs at least one line", not enough stock) has no input.
    let shown_refs: Vec<&str> = shown.iter().map(String::as_str).collect();
    let alerts = errors.alerts(&shown_refs);
    let object = form
        .get("object_id")
        .parse::<Id>()
        .ok()
        .and_then(|id| choices.objects.iter().find(|o| o.id == id))
        .or(choices.objects.first());
    let group = default_group(kind, object);
    let currency = Currency::parse(form.get("currency")).unwrap_or(ctx.firm.currency);
    let mut goods_json = serde_json::Map::new();
    for good in &choices.goods {
        let price = default_price(good, group, ctx.firm.currency, currency)
            .map(|p| format_minor_plain(p).replace('.', ","))
            .unwrap_or_default();
        let entry = serde_json::json!({ "vat": good.vat_rate.percent(), "price": price });
        goods_json.insert(good.code.clone(), entry.clone());
        for barcode in &good.barcodes {
            goods_json.insert(barcode.clone(), entry.clone());
        }
    }
    // `</` cannot appear inside the script element.
    let goods_json = serde_json::Value::Object(goods_json)
        .to_string()
        .replace("</", "<\\/");
    let mut page = ctx.page("menu-operations");
    let kind_label = labels::operation_kind(lang, kind);
    let action = match target {
        Target::New => {
            page.title = tr.t1("operation-new", "kind", kind_label);
            page.path = format!("/operations/new/{}", kind.key());
            format!("/operations/new/{}", kind.key())
        }
        Target::Edit { id, number } => {
            page.title = format!("{} № {number}", tr.t1("operation-edit", "kind", kind_label));
            page.path = "/operations".into();
            format!("/operations/{id}/edit")
        }
    };
    let screen = OperationForm {
        page,
        action,
        alerts,
        header,
        lines,
        goods: choices
            .goods
            .iter()
            .map(|g| (g.code.clone(), g.name.clone()))
            .collect(),
        goods_json,
    };
    render(&screen, lang)
}

/// `GET /operations/new/{kind}`.
pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
) -> Result<Html<String>, WebError> {
    let kind = kind_of(&kind, &ctx)?;
    let choices = choices(&state, &ctx).await?;
    let mut form = FormData::default();
    form.set("date", format_date(today(&state)));
    form.set("currency", ctx.firm.currency.code());
    if let Some(first) = choices.objects.first() {
        form.set("object_id", first.id.to_string());
    }
    if let Some(second) = choices.objects.get(1) {
        form.set("target_object_id", second.id.to_string());
    }
    form.set("lines[0].discount", "0");
    show_form(
        &ctx,
        kind,
        &Target::New,
        &choices,
        &form,
        &FormErrors::none(ctx.tr),
    )
}

fn good_unknown(field: &str, code: &str) -> FieldError {
    labels::field_error(
        field,
        "good_unknown",
        "good-not-found",
        Some(("code", code)),
    )
}

fn optional_id(errors: &mut ValidationErrors, form: &FormData, name: &str) -> Option<Id> {
    let text = form.opt(name)?;
    match text.parse::<Id>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(labels::invalid_choice(name));
            None
        }
    }
}

/// Reads the entry form into a draft: goods found by code or barcode, quantities and
/// amounts parsed exactly, blank prices from the good's price group.
async fn draft_of(
    state: &AppState,
    ctx: &Ctx,
    kind: OperationKind,
    choices: &Choices,
    form: &FormData,
) -> Result<OperationDraft, StoreError> {
    let mut errors = ValidationErrors::new();
    let date = match view::parse_date(form.get("date")) {
        Some(date) => date,
        None => {
            errors.push(labels::field_error(
                "date",
                "date_invalid",
                "error-date-invalid",
                None,
            ));
            today(state)
        }
    };
    let object_id = optional_id(&mut errors, form, "object_id").unwrap_or_else(|| {
        errors.push(FieldError::required("object_id"));
        0
    });
    let target_object_id = if kind == OperationKind::Transfer {
        optional_id(&mut errors, form, "target_object_id")
    } else {
        None
    };
    let (partner_id, payment_type_id) = if has_partner(kind) {
        (
            optional_id(&mut errors, form, "partner_id"),
            optional_id(&mut errors, form, "payment_type_id"),
        )
    } else {
        (None, None)
    };
    let currency = Currency::parse(form.get("currency")).unwrap_or_else(|| {
        errors.push(labels::invalid_choice("currency"));
        ctx.firm.currency
    });
    let object = choices.objects.iter().find(|o| o.id == object_id);
    let group = default_group(kind, object);
    let pairs = form.pairs();
    let mut lines = Vec::new();
    for i in line_indices(&pairs) {
        let path = |f: &str| format!("lines[{i}].{f}");
        let code = form.get(&path("good_id")).trim().to_owned();
        let good = if code.is_empty() {
            errors.push(FieldError::required(path("good_id")));
            None
        } else {
            match find_good(state, ctx.firm_id(), &code).await? {
                Some(good) => Some(good),
                None => {
                    errors.push(good_unknown(&path("good_id"), &code));
                    None
                }
            }
        };
        let quantity = errors.check(Quantity::parse(
            &path("quantity"),
            form.get(&path("quantity")),
        ));
        let unit_price = match form.opt(&path("unit_price")) {
            Some(text) => errors.check(parse_minor(&path("unit_price"), &text)),
            None => match &good {
                Some(g) => match default_price(g, group, ctx.firm.currency, currency) {
                    Some(p) => Some(p),
                    None => {
                        errors.push(FieldError::required(path("unit_price")));
                        None
                    }
                },
                None => None,
            },
        };
        let discount_bp = match form.opt(&path("discount")) {
            Some(text) => errors.check(parse_minor(&path("discount"), &text)),
            None => Some(0),
        };
        if let (Some(good), Some(quantity), Some(unit_price), Some(discount_bp)) =
            (good, quantity, unit_price, discount_bp)
        {
            lines.push(Line {
                good_id: good.id,
                quantity,
                unit_price,
                vat_rate: good.vat_rate,
                discount_bp,
            });
        }
    }
    let draft = OperationDraft {
        kind,
        date,
        object_id,
        target_object_id,
        partner_id,
        payment_type_id,
        currency,
        lines,
        external_ref: None,
        note: form.opt("note"),
    };
    if errors.is_empty() {
        Ok(draft)
    } else {
        // Add the domain's own checks so every problem shows at once (their line
        // indices match only when every line was read).
        if let Err(more) = draft.validate() {
            errors.errors.extend(
                more.errors
                    .into_iter()
                    .filter(|e| !e.field.starts_with("lines")),
            );
        }
        Err(StoreError::Validation(errors))
    }
}

/// The good with this code, else with this barcode.
async fn find_good(state: &AppState, firm_id: Id, code: &str) -> Result<Option<Good>, StoreError> {
    match state.store.good_by_code(firm_id, code).await {
        Ok(good) => return Ok(Some(good)),
        Err(StoreError::NotFound { .. }) => {}
        Err(other) => return Err(other),
    }
    match state.store.good_by_barcode(firm_id, code).await {
        Ok(good) => Ok(Some(good)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// `POST /operations/new/{kind}`.
pub async fn create(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, mut form } = posted;
    let kind = kind_of(&kind, &ctx)?;
    compact_lines(&mut form);
    let choices = choices(&state, &ctx).await?;
    let result = match draft_of(&state, &ctx, kind, &choices, &form).await {
        Ok(draft) => state.store.create_operation(ctx.firm_id(), &draft).await,
        Err(e) => Err(e),
    };
    crud::saved_or_form(&ctx, result, saved_link, |errors| {
        show_form(&ctx, kind, &Target::New, &choices, &form, &errors)
    })
}

/// Where a saved operation is shown.
fn saved_link(op: Operation) -> String {
    format!("/operations/{}?saved=1", op.id)
}

/// The entry form filled with a stored operation.
async fn form_of(state: &AppState, ctx: &Ctx, op: &Operation) -> Result<FormData, WebError> {
    let mut form = FormData::default();
    form.set("date", format_date(op.date));
    form.set("object_id", op.object_id.to_string());
    let optional = [
        ("target_object_id", op.target_object_id),
        ("partner_id", op.partner_id),
        ("payment_type_id", op.payment_type_id),
    ];
    for (name, id) in optional {
        form.set(name, id.map(|i| i.to_string()).unwrap_or_default());
    }
    form.set("currency", op.currency.code());
    form.set("note", op.note.clone().unwrap_or_default());
    for (i, line) in op.lines.iter().enumerate() {
        let good = state
            .store
            .good(ctx.firm_id(), line.good_id)
            .await
            .map_err(|e| ctx.fail(e))?;
        let decimal = |minor: i64| format_minor_plain(minor).replace('.', ",");
        form.set(&format!("lines[{i}].good_id"), good.code);
        form.set(
            &format!("lines[{i}].quantity"),
            super::stock::quantity(line.quantity),
        );
        form.set(&format!("lines[{i}].unit_price"), decimal(line.unit_price));
        form.set(&format!("lines[{i}].discount"), decimal(line.discount_bp));
    }
    Ok(form)
}

/// `GET /operations/{id}/edit`: an active operation in the entry form.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
) -> Result<Html<String>, WebError> {
    let op = state
        .store
        .operation(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    if op.status != OperationStatus::Active {
        return Err(WebError::BadRequest(ctx.shell()));
    }
    let choices = choices(&state, &ctx).await?;
    let form = form_of(&state, &ctx, &op).await?;
    let target = Target::Edit {
        id,
        number: op.number,
    };
    show_form(
        &ctx,
        op.kind,
        &target,
        &choices,
        &form,
        &FormErrors::none(ctx.tr),
    )
}

/// `POST /operations/{id}/edit`: replaces the operation (its stock effect reversed
/// exactly and the new one applied, by the store, atomically).
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, mut form } = posted;
    let op = state
        .store
        .operation(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    compact_lines(&mut form);
    let choices = choices(&state, &ctx).await?;
    let result = match draft_of(&state, &ctx, op.kind, &choices, &form).await {
        Ok(draft) => {
            state
                .store
                .update_operation(ctx.firm_id(), id, &draft)
                .await
        }
        Err(e) => Err(e),
    };
    let target = Target::Edit {
        id,
        number: op.number,
    };
    crud::saved_or_form(&ctx, result, saved_link, |errors| {
        show_form(&ctx, op.kind, &target, &choices, &form, &errors)
    })
}

#[derive(Template)]
#[template(path = "operation_view.html")]
struct OperationView {
    page: Page,
    op: Operation,
    kind: String,
    number: String,
    date: String,
    status: String,
    facts: Vec<(String, String)>,
    lines: Table,
    totals: Vec<(String, String, &'static str)>,
    can_convert: bool,
    can_annul: bool,
    alerts: Vec<String>,
    /// The shop order it came from.
    shop: Option<super::shop_orders::ShopOrigin>,
}

/// Query of the operation view.
#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    saved: Option<String>,
    converted: Option<String>,
    annulled: Option<String>,
}

/// The firm's objects' names by id.
async fn object_names(state: &AppState, ctx: &Ctx) -> Result<BTreeMap<Id, String>, WebError> {
    let objects = state
        .store
        .objects(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(objects.into_iter().map(|o| (o.id, o.name)).collect())
}

fn amount(minor: i64, currency: Currency) -> String {
    format_bg(Money::new(minor, currency))
}

async fn view_page(
    state: &AppState,
    ctx: &Ctx,
    id: Id,
    notice: Option<String>,
    alerts: Vec<String>,
) -> Result<Html<String>, WebError> {
    let store = &state.store;
    let firm = ctx.firm_id();
    let tr = ctx.tr;
    let lang = ctx.lang();
    let op = store.operation(firm, id).await.map_err(|e| ctx.fail(e))?;
    let objects = object_names(state, ctx).await?;
    let mut facts = vec![(
        tr.t("operation-object"),
        objects.get(&op.object_id).cloned().unwrap_or_default(),
    )];
    if let Some(target) = op.target_object_id {
        facts.push((
            tr.t("operation-target-object"),
            objects.get(&target).cloned().unwrap_or_default(),
        ));
    }
    if let Some(partner_id) = op.partner_id {
        let partner = store
            .partner(firm, partner_id)
            .await
            .map_err(|e| ctx.fail(e))?;
        facts.push((tr.t("operation-partner"), partner.name));
    }
    if let Some(payment_type_id) = op.payment_type_id {
        let payment = store
            .payment_type(firm, payment_type_id)
            .await
            .map_err(|e| ctx.fail(e))?;
        facts.push((tr.t("operation-payment-type"), payment.name));
    }
    facts.push((tr.t("operation-currency"), op.currency.code().to_owned()));
    if let Some(note) = &op.note {
        facts.push((tr.t("operation-note"), note.clone()));
    }
    let mut rows = Vec::new();
    for line in &op.lines {
        let good = store
            .good(firm, line.good_id)
            .await
            .map_err(|e| ctx.fail(e))?;
        rows.push(vec![
            Cell::link(&good.code, format!("/goods/{}", good.id)),
            Cell::text(&good.name),
            Cell::num(format!(
                "{} {}",
                super::stock::quantity(line.quantity),
                good.measure
            )),
            Cell::num(amount(line.unit_price, op.currency)),
            Cell::num(format!(
                "{} %",
                format_minor_plain(line.discount_bp).replace('.', ",")
            )),
            Cell::num(format!("{} %", line.vat_rate.percent())),
            Cell::num(amount(line.total(), op.currency)),
        ]);
    }
    let lines = Table::new(
        tr,
        "lines",
        &[
            ("goods-code", false),
            ("goods-name", false),
            ("line-quantity", true),
            ("line-price", true),
            ("line-discount", true),
            ("line-vat", true),
            ("line-total", true),
        ],
        rows,
    );
    let other = match op.currency {
        Currency::Eur => Currency::Bgn,
        Currency::Bgn => Currency::Eur,
    };
    let totals = vec![
        (
            tr.t("totals-net"),
            amount(op.totals.net, op.currency),
            "total-net",
        ),
        (
            tr.t("totals-vat"),
            amount(op.totals.vat, op.currency),
            "total-vat",
        ),
        (
            tr.t("totals-gross"),
            amount(op.totals.gross, op.currency),
            "total-gross",
        ),
        (
            tr.t("totals-other-currency"),
            amount(convert_minor(op.totals.gross, op.currency, other), other),
            "total-other",
        ),
    ];
    let shop = super::shop_orders::origin_of(state, ctx, op.id).await?;
    let mut page = ctx.page("operation-view");
    page.path = "/operations".into();
    page.notice = notice;
    let kind = labels::operation_kind(lang, op.kind).to_owned();
    page.title = format!("{kind} № {}", op.number);
    let view = OperationView {
        kind,
        number: op.number.to_string(),
        date: format_date(op.date),
        status: labels::status(tr, op.status),
        facts,
        lines,
        totals,
        can_convert: op.kind == OperationKind::Order && op.status == OperationStatus::Active,
        can_annul: op.status == OperationStatus::Active,
        alerts,
        shop,
        page,
        op,
    };
    render(&view, lang)
}

/// `GET /operations/{id}`.
pub async fn view(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
    Query(q): Query<ViewQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let notice = if q.saved.is_some() {
        Some(tr.t("operation-saved"))
    } else if q.converted.is_some() {
        Some(tr.t("operation-converted"))
    } else if q.annulled.is_some() {
        Some(tr.t("operation-annulled"))
    } else {
        None
    };
    view_page(&state, &ctx, id, notice, Vec::new()).await
}

/// `POST /operations/{id}/convert`: the order becomes a sale (dated today).
pub async fn convert(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let result = state
        .store
        .convert_order_to_sale(ctx.firm_id(), id, Some(today(&state)))
        .await;
    done_or_refused(&state, &ctx, id, result, "converted").await
}

/// `POST /operations/{id}/annul`.
pub async fn annul(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let result = state.store.annul_operation(ctx.firm_id(), id).await;
    done_or_refused(&state, &ctx, id, result, "annulled").await
}

/// The end of a convert or annul: the resulting operation with the notice `flag`, or
/// operation `id` again with the store's reasons for refusing.
async fn done_or_refused(
    state: &AppState,
    ctx: &Ctx,
    id: Id,
    result: Result<Operation, StoreError>,
    flag: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(op) => Ok(Redirect::to(&format!("/operations/{}?{flag}=1", op.id)).into_response()),
        Err(StoreError::Validation(errors)) => {
            let alerts = errors
                .errors
                .iter()
                .map(|e| ctx.tr.field_error(e))
                .collect();
            Ok(view_page(state, ctx, id, None, alerts)
                .await?
                .into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}

/// Query of the operations list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
}

/// `GET /operations`: newest first, filtered by kind and status; active orders have
/// „Превърни в продажба“.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let lang = ctx.lang();
    let store = &state.store;
    let firm = ctx.firm_id();
    let page_no = view::page_number(&q.page);
    let filter = OperationFilter {
        kind: OperationKind::from_key(&q.kind),
        status: labels::status_from_key(&q.status),
        paging: view::page_paging(page_no, PER_PAGE),
        ..OperationFilter::default()
    };
    let found = store
        .operations(firm, &filter)
        .await
        .map_err(|e| ctx.fail(e))?;
    let objects = object_names(&state, &ctx).await?;
    let mut partners: BTreeMap<Id, String> = BTreeMap::new();
    for id in found.items.iter().filter_map(|o| o.partner_id) {
        if let std::collections::btree_map::Entry::Vacant(slot) = partners.entry(id) {
            let partner = store.partner(firm, id).await.map_err(|e| ctx.fail(e))?;
            slot.insert(partner.name);
        }
    }
    let shops = super::shop_orders::origins_of(&state, &ctx, &found.items).await?;
    let rows = found
        .items
        .iter()
        .map(|op| {
            let action = if op.kind == OperationKind::Order && op.status == OperationStatus::Active
            {
                Cell::button(
                    tr.t("operation-convert"),
                    format!("/operations/{}/convert", op.id),
                )
            } else {
                Cell::text("")
            };
            let mut row = vec![
                Cell::link(op.number.to_string(), format!("/operations/{}", op.id)),
                Cell::text(labels::operation_kind(lang, op.kind)),
                Cell::text(format_date(op.date)),
                Cell::text(objects.get(&op.object_id).cloned().unwrap_or_default()),
                Cell::text(
                    op.partner_id
                        .and_then(|id| partners.get(&id).cloned())
                        .unwrap_or_default(),
                ),
                Cell::num(amount(op.totals.gross, op.currency)),
                Cell::text(labels::status(tr, op.status)),
            ];
            if let Some(shops) = &shops {
                match shops.get(&op.id) {
                    Some(shop) => {
                        row.push(Cell::link(shop.number.clone(), shop.href.clone()));
                        row.push(Cell::text(shop.status_line()));
                    }
                    None => row.extend([Cell::text(""), Cell::text("")]),
                }
            }
            row.push(action);
            row
        })
        .collect();
    let mut columns = vec![
        ("operation-number", false),
        ("operation-kind", false),
        ("operation-date", false),
        ("operation-object", false),
        ("operation-partner", false),
        ("totals-gross", true),
        ("operation-status", false),
    ];
    if shops.is_some() {
        columns.extend([
            ("shops-order-column", false),
            ("shops-order-state-column", false),
        ]);
    }
    columns.push(("actions", false));
    let table = Table::new(tr, "operations", &columns, rows);
    let asked = FilterForm::new(tr, &[("kind", &q.kind), ("status", &q.status)]);
    let mut filters = asked.fields();
    let mut kinds = vec![(String::new(), tr.t("all"))];
    kinds.extend(OperationKind::ALL.into_iter().map(|k| {
        (
            k.key().to_owned(),
            labels::operation_kind(lang, k).to_owned(),
        )
    }));
    let mut statuses = vec![(String::new(), tr.t("all"))];
    statuses.extend(
        [
            OperationStatus::Active,
            OperationStatus::Converted,
            OperationStatus::Annulled,
        ]
        .into_iter()
        .map(|s| (labels::status_form_key(s).to_owned(), labels::status(tr, s))),
    );
    filters
        .select("kind", "operations-filter-kind", kinds)
        .select("status", "operations-filter-status", statuses);
    let screen = RecordList::paged(
        ctx.page("operations-title"),
        filters.done(),
        None,
        table,
        asked.pager("/operations", page_no, PER_PAGE, found.total),
    );
    render(&screen, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_dropped_and_the_rest_renumbered() {
        let mut form = FormData::new(vec![
            ("lines[0].good_id".into(), "".into()),
            ("lines[0].quantity".into(), "".into()),
            ("lines[0].discount".into(), "0".into()),
            ("lines[4].good_id".into(), "A1".into()),
            ("lines[4].quantity".into(), "2".into()),
            ("lines[7].good_id".into(), "B2".into()),
            ("note".into(), "x".into()),
        ]);
        compact_lines(&mut form);
        assert_eq!(form.get("lines[0].good_id"), "A1");
        assert_eq!(form.get("lines[0].quantity"), "2");
        assert_eq!(form.get("lines[1].good_id"), "B2");
        assert_eq!(form.get("lines[4].good_id"), "");
        assert_eq!(form.get("note"), "x");
        let pairs = form.pairs();
        assert_eq!(line_indices(&pairs), [0, 1]);
    }
}
