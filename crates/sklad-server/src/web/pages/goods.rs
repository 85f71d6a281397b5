//! Номенклатури → Стоки: the goods list (search by code / barcode / name, filters,
//! paging) and the good's form with any number of barcodes and all 11 prices.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sklad_domain::model::{Good, GoodInput, GoodKind};
use sklad_domain::money::{format_bg, format_minor_plain, parse_minor};
use sklad_domain::{Money, PriceGroup, ValidationErrors, VatRate};
use sklad_store::GoodFilter;

use crate::web::crud::{self, Catalogue};
use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::labels;
use crate::web::layout::Page;
use crate::web::screens::RecordList;
use crate::web::session::Ctx;
use crate::web::view::{self, Cell, Field, Fields, FilterForm, Table};
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
        paging: view::page_paging(page_no, PER_PAGE),
    };
    let found = state
        .store
        .goods(ctx.firm_id(), &filter)
        .await
        .map_err(|e| ctx.fail(e))?;
    let currency = ctx.firm.currency;
    let table = Table::new(
        tr,
        "goods",
        &[
            ("goods-code", false),
            ("goods-name", false),
            ("goods-barcodes", false),
            ("goods-measure", false),
            ("goods-group", false),
            ("goods-retail-price", true),
            ("goods-kind", false),
            ("goods-active", false),
        ],
        found
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
    );
    let asked = FilterForm::new(
        tr,
        &[
            ("q", &q.q),
            ("kind", &q.kind),
            ("group", &q.group),
            ("active", &q.active),
        ],
    );
    let mut filters = asked.fields();
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
    let mut screen = RecordList::paged(
        crud::list_page(&ctx, "goods-title", q.saved.is_some()),
        filters.done(),
        Some(("/goods/new".into(), tr.t("goods-new"))),
        table,
        asked.pager("/goods", page_no, PER_PAGE, found.total),
    );
    // Под заглавието: „Проверка съответствието на стоките…“ of each e-shop connection
    // (the CloudCart контролен панел, SPEC K).
    screen.shop_panels = state
        .store
        .shop_connections(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
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

fn price_field(group: PriceGroup) -> String {
    format!("prices.{}", group.key())
}

/// The goods' create and edit forms (`/goods/new`, `/goods/{id}`).
pub struct Goods;

impl Catalogue for Goods {
    type Record = Good;
    type Input = GoodInput;
    const BASE: &'static str = "/goods";
    const NEW_TITLE: &'static str = "goods-new";
    const FIELD_PREFIX: &'static str = "good-";
    const EDIT_TITLE: &'static str = "goods-edit";

    fn blank() -> FormData {
        let mut form = FormData::default();
        form.set("measure", "бр.");
        form.set("kind", "good");
        form.set("vat", "20");
        form.set_checked("active", true);
        form
    }

    fn form_of(good: &Good) -> FormData {
        let mut form = FormData::default();
        form.set("code", &good.code);
        form.set("name", &good.name);
        form.set("measure", &good.measure);
        form.set("kind", labels::good_kind_key(good.kind));
        form.set("vat", good.vat_rate.percent().to_string());
        form.set("group", good.group.clone().unwrap_or_default());
        form.set_checked("active", good.active);
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

    /// Blank barcodes are dropped (so the form shows them renumbered), amounts parsed
    /// exactly; then the domain's checks, so all errors show at once.
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
        crud::with_domain_checks(errors, input, GoodInput::validate)
    }

    fn fields(ctx: &Ctx, fields: &mut Fields<'_>) {
        let tr = ctx.tr;
        fields
            .text("code", "goods-code", true)
            .text("name", "goods-name", true)
            .text("measure", "goods-measure", true)
            .text("group", "goods-group", false)
            .select("kind", "goods-kind", labels::good_kinds(tr))
            .select("vat", "goods-vat", labels::vat_rates())
            .checkbox("active", "goods-active");
    }

    /// The general fields, then the barcodes (one empty slot for another) and the
    /// price of every group, each with its error.
    fn screen(
        ctx: &Ctx,
        title: &str,
        action: String,
        form: &FormData,
        errors: &FormErrors,
    ) -> Result<Html<String>, WebError> {
        let tr = ctx.tr;
        let mut fields = Fields::new(tr, form, errors, Self::FIELD_PREFIX);
        Self::fields(ctx, &mut fields);
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
                let label = format!("{} {}", tr.t("goods-barcode"), i + 1);
                Field::plain(
                    format!("barcode-{i}"),
                    "barcode".into(),
                    label,
                    (*value).to_owned(),
                    error,
                )
            })
            .collect();
        let prices: Vec<Field> = PriceGroup::ALL
            .into_iter()
            .map(|group| {
                let name = price_field(group);
                let field = Field::plain(
                    format!("price-{}", group.key()),
                    name.clone(),
                    labels::price_group(ctx.lang(), group),
                    form.get(&name).to_owned(),
                    errors.get(&name),
                );
                shown.push(name);
                field
            })
            .collect();
        let shown_refs: Vec<&str> = shown.iter().map(String::as_str).collect();
        let mut page = ctx.page(title);
        page.path = Self::BASE.into();
        let screen = GoodForm {
            page,
            action,
            alerts: errors.alerts(&shown_refs),
            fields: general,
            barcodes,
            prices,
        };
        render(&screen, ctx.lang())
    }

    crud::store_calls!(good, create_good, update_good);
}
