//! A connection's settings (SPEC S2, S3, G1–G3), `/shops/{id}/settings`: the shop's
//! payment methods beside the firm's payment types („няма съответствие“ flagged), the
//! three special service goods with „Създай“, the objects feeding the shop, the
//! operations object, „Кога поръчката се трансформира в продажба“ beside the shop's own
//! „Намали количество ако статусът на поръчката е“ (a warning when they disagree), and
//! automatic synchronisation. The store refuses what cannot work, with the reason
//! beside each field, and saves nothing then.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sklad_domain::model::{GoodKind, Object, PaymentType};
use sklad_domain::shop::{FeedObjects, SaleRule, ShopSettings, ShopStockStatus, SpecialGoodRole};
use sklad_domain::{Id, ValidationErrors};
use sklad_store::shops::{ShopConnection, ShopPayment};
use sklad_store::{GoodFilter, Paging, StoreError};

use super::shops::{connection, shop_page};
use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::i18n::Tr;
use crate::web::labels;
use crate::web::layout::Page;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{Field, Fields};
use crate::AppState;

/// One of the shop's payment methods and its select.
struct PaymentRow {
    field: Field,
    provider: String,
    title: String,
    active: bool,
    unmapped: bool,
}

/// An object of the „feeding“ checkbox list.
struct ObjectChoice {
    id: Id,
    name: String,
    checked: bool,
    active: bool,
}

#[derive(Template)]
#[template(path = "shop_settings.html")]
struct SettingsPage {
    page: Page,
    c: ShopConnection,
    can_change: bool,
    alerts: Vec<String>,
    payments: Vec<PaymentRow>,
    special: Vec<Field>,
    special_missing: bool,
    feed_all: bool,
    feed_error: Option<String>,
    objects: Vec<ObjectChoice>,
    general: Vec<Field>,
    price_rule: String,
    disagrees: bool,
}

fn payment_field(provider: &str) -> String {
    format!("payments.{provider}")
}

fn id_text(id: Option<Id>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// The form filled with the stored settings and mapping.
fn form_of(c: &ShopConnection, payments: &[ShopPayment]) -> FormData {
    let s = &c.settings;
    let mut form = FormData::default();
    for p in payments {
        form.set(&payment_field(&p.provider), id_text(p.payment_type_id));
    }
    for role in SpecialGoodRole::ALL {
        form.set(role.field(), id_text(s.special_good(role)));
    }
    match &s.feed {
        FeedObjects::All => form.set("feed", "all"),
        FeedObjects::Objects(ids) => {
            form.set("feed", "objects");
            for id in ids {
                form.push("feed_objects", id.to_string());
            }
        }
    }
    form.set("operations_object_id", id_text(s.operations_object_id));
    form.set("sale_rule", s.sale_rule.key());
    form.set("shop_stock_status", s.shop_stock_status.key());
    form.set_checked("auto_sync", s.auto_sync);
    form
}

/// An optional id field: blank is `None`; anything else must be a number.
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

/// Reads the posted settings and payment mapping (only the shop's methods that were
/// posted are in it); a value that was not offered is refused.
fn settings_of(
    form: &FormData,
    payments: &[ShopPayment],
) -> Result<(ShopSettings, BTreeMap<String, Option<Id>>), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut mapping = BTreeMap::new();
    for p in payments {
        let name = payment_field(&p.provider);
        if form.all(&name).is_empty() {
            continue;
        }
        let choice = optional_id(&mut errors, form, &name);
        mapping.insert(p.provider.clone(), choice);
    }
    let feed = match form.get("feed") {
        "all" => FeedObjects::All,
        "objects" => {
            let mut ids = Vec::new();
            for text in form.all("feed_objects") {
                match text.trim().parse::<Id>() {
                    Ok(id) => ids.push(id),
                    Err(_) => errors.push(labels::invalid_choice("feed")),
                }
            }
            FeedObjects::Objects(ids)
        }
        _ => {
            errors.push(labels::invalid_choice("feed"));
            FeedObjects::All
        }
    };
    let sale_rule = SaleRule::from_key(form.get("sale_rule")).unwrap_or_else(|| {
        errors.push(labels::invalid_choice("sale_rule"));
        SaleRule::default()
    });
    let shop_stock_status = ShopStockStatus::from_key(form.get("shop_stock_status"))
        .unwrap_or_else(|| {
            errors.push(labels::invalid_choice("shop_stock_status"));
            ShopStockStatus::default()
        });
    let mut settings = ShopSettings {
        feed,
        operations_object_id: optional_id(&mut errors, form, "operations_object_id"),
        sale_rule,
        shop_stock_status,
        auto_sync: form.checked("auto_sync"),
        delivery_good_id: None,
        discount_good_id: None,
        fee_good_id: None,
    };
    for role in SpecialGoodRole::ALL {
        let good = optional_id(&mut errors, form, role.field());
        settings.set_special_good(role, good);
    }
    errors.into_result((settings, mapping))
}

/// What the page offers: the firm's payment types, service goods and objects.
struct Choices {
    payment_types: Vec<PaymentType>,
    services: Vec<(Id, String)>,
    objects: Vec<Object>,
}

async fn choices(state: &AppState, ctx: &Ctx, form: &FormData) -> Result<Choices, WebError> {
    let store = &state.store;
    let firm = ctx.firm_id();
    let payment_types = store.payment_types(firm).await.map_err(|e| ctx.fail(e))?;
    let goods = store
        .goods(
            firm,
            &GoodFilter {
                kind: Some(GoodKind::Service),
                active: Some(true),
                paging: Paging {
                    limit: 1000,
                    offset: 0,
                },
                ..GoodFilter::default()
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut services: Vec<(Id, String)> = goods
        .items
        .into_iter()
        .map(|g| (g.id, format!("{} — {}", g.code, g.name)))
        .collect();
    // A chosen good that is not an active service still shows, so its error makes sense.
    for role in SpecialGoodRole::ALL {
        if let Ok(id) = form.get(role.field()).trim().parse::<Id>() {
            if !services.iter().any(|(s, _)| *s == id) {
                if let Ok(g) = store.good(firm, id).await {
                    services.push((g.id, format!("{} — {}", g.code, g.name)));
                }
            }
        }
    }
    let objects = store.objects(firm).await.map_err(|e| ctx.fail(e))?;
    Ok(Choices {
        payment_types,
        services,
        objects,
    })
}

/// The price-group rule of SPEC G1 for what the form shows.
fn price_rule(tr: Tr, form: &FormData, objects: &[Object]) -> String {
    let ids: Vec<Id> = form
        .all("feed_objects")
        .iter()
        .filter_map(|t| t.trim().parse().ok())
        .collect();
    let settings = ShopSettings {
        feed: if form.get("feed") == "objects" {
            FeedObjects::Objects(ids)
        } else {
            FeedObjects::All
        },
        operations_object_id: form.get("operations_object_id").trim().parse().ok(),
        ..ShopSettings::initial(None)
    };
    let group = labels::price_group(tr.lang(), settings.price_group(objects));
    let rule = match &settings.feed {
        FeedObjects::All => "shops-price-rule-all",
        FeedObjects::Objects(ids) if ids.len() == 1 => "shops-price-rule-one",
        FeedObjects::Objects(_) => "shops-price-rule-several",
    };
    tr.t1(rule, "group", &group)
}

fn show(
    ctx: &Ctx,
    c: &ShopConnection,
    payments: &[ShopPayment],
    choices: &Choices,
    form: &FormData,
    errors: &FormErrors,
    notice: Option<String>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let mut shown: Vec<String> = Vec::new();
    // The payment mapping.
    let mut type_options = vec![(String::new(), tr.t("shops-no-match-option"))];
    type_options.extend(
        choices
            .payment_types
            .iter()
            .filter(|t| t.active)
            .map(|t| (t.id.to_string(), t.name.clone())),
    );
    let mut payment_rows = Vec::new();
    for p in payments {
        let name = payment_field(&p.provider);
        let mut options = type_options.clone();
        let chosen = form.get(&name).trim().to_owned();
        if !chosen.is_empty() && !options.iter().any(|(v, _)| *v == chosen) {
            let label = choices
                .payment_types
                .iter()
                .find(|t| t.id.to_string() == chosen)
                .map(|t| format!("{} ({})", t.name, tr.t("shops-inactive")))
                .unwrap_or_else(|| chosen.clone());
            options.push((chosen.clone(), label));
        }
        let mut field = Field::plain(
            format!("payment-{}", p.provider),
            name.clone(),
            p.title.clone(),
            chosen.clone(),
            errors.get(&name),
        );
        field.kind = "select";
        field.options = options;
        shown.push(name);
        payment_rows.push(PaymentRow {
            field,
            provider: p.provider.clone(),
            title: p.title.clone(),
            active: p.active,
            unmapped: p.active && chosen.is_empty(),
        });
    }
    // The special goods.
    let mut good_options = vec![(String::new(), tr.t("shops-choose-service"))];
    good_options.extend(
        choices
            .services
            .iter()
            .map(|(id, label)| (id.to_string(), label.clone())),
    );
    let mut special = Fields::new(tr, form, errors, "shop-");
    special
        .select(
            "delivery_good_id",
            "shops-good-delivery",
            good_options.clone(),
        )
        .select(
            "discount_good_id",
            "shops-good-discount",
            good_options.clone(),
        )
        .select("fee_good_id", "shops-good-fee", good_options);
    shown.extend(special.names().into_iter().map(str::to_owned));
    let special = special.done();
    let special_missing = SpecialGoodRole::ALL
        .iter()
        .any(|r| form.get(r.field()).trim().is_empty());
    // The objects feeding the shop.
    let checked: Vec<&str> = form.all("feed_objects");
    let objects = choices
        .objects
        .iter()
        .map(|o| ObjectChoice {
            id: o.id,
            name: o.name.clone(),
            checked: checked.iter().any(|t| t.trim() == o.id.to_string()),
            active: o.active,
        })
        .collect();
    shown.push("feed".into());
    // Operations object, sale rule, the shop's own setting, auto-sync.
    let mut object_options = vec![(String::new(), tr.t("shops-choose-object"))];
    object_options.extend(
        choices
            .objects
            .iter()
            .filter(|o| o.active)
            .map(|o| (o.id.to_string(), o.name.clone())),
    );
    let mut general = Fields::new(tr, form, errors, "shop-");
    general
        .select(
            "operations_object_id",
            "shops-operations-object",
            object_options,
        )
        .hint(tr.t("shops-operations-object-hint"))
        .select(
            "sale_rule",
            "shops-sale-rule",
            SaleRule::ALL
                .iter()
                .map(|r| (r.key().to_owned(), tr.keyed("shops-sale-rule", r.key())))
                .collect(),
        )
        .hint(tr.t("shops-sale-rule-hint"))
        .select(
            "shop_stock_status",
            "shops-shop-stock-status",
            ShopStockStatus::ALL
                .iter()
                .map(|s| (s.key().to_owned(), tr.keyed("shops-stock-status", s.key())))
                .collect(),
        )
        .hint(tr.t("shops-shop-stock-status-hint"))
        .checkbox("auto_sync", "shops-auto-sync")
        .hint(tr.t("shops-auto-sync-hint"));
    shown.extend(general.names().into_iter().map(str::to_owned));
    let general = general.done();
    let disagrees = match (
        SaleRule::from_key(form.get("sale_rule")),
        ShopStockStatus::from_key(form.get("shop_stock_status")),
    ) {
        (Some(rule), Some(status)) => rule.disagrees_with(status),
        _ => false,
    };
    let shown_refs: Vec<&str> = shown.iter().map(String::as_str).collect();
    let mut page = shop_page(ctx, "shops-settings", c);
    page.notice = notice;
    let screen = SettingsPage {
        page,
        c: c.clone(),
        can_change: ctx.is_owner(),
        alerts: errors.alerts(&shown_refs),
        payments: payment_rows,
        special,
        special_missing,
        feed_all: form.get("feed") != "objects",
        feed_error: errors.get("feed"),
        objects,
        general,
        price_rule: price_rule(tr, form, &choices.objects),
        disagrees,
    };
    render(&screen, ctx.lang())
}

/// Query of the settings page: `saved` after a save.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    saved: Option<String>,
}

/// `GET /shops/{id}/settings`.
pub async fn show_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
    Query(q): Query<SettingsQuery>,
) -> Result<Html<String>, WebError> {
    let c = connection(&state, &ctx, id).await?;
    let payments = state
        .store
        .shop_payments(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let form = form_of(&c, &payments);
    let choices = choices(&state, &ctx, &form).await?;
    let notice = q.saved.is_some().then(|| ctx.tr.t("saved"));
    show(
        &ctx,
        &c,
        &payments,
        &choices,
        &form,
        &FormErrors::none(ctx.tr),
        notice,
    )
}

/// `POST /shops/{id}/settings` (owners): saves the settings and the payment mapping
/// together, or shows them again with the reasons beside the fields.
pub async fn save_settings(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    ctx.require_owner()?;
    let c = connection(&state, &ctx, id).await?;
    let payments = state
        .store
        .shop_payments(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let result = match settings_of(&form, &payments) {
        Ok((settings, mapping)) => {
            state
                .store
                .save_shop_settings(ctx.firm_id(), id, &settings, &mapping, &ctx.user.login)
                .await
        }
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/shops/{id}/settings?saved=1")).into_response()),
        Err(StoreError::Validation(errors)) => {
            let choices = choices(&state, &ctx, &form).await?;
            let errors = FormErrors::new(ctx.tr, errors.errors);
            Ok(show(&ctx, &c, &payments, &choices, &form, &errors, None)?.into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}

/// `POST /shops/{id}/special-goods` (owners; „Създай“ posts the settings form here):
/// gives every role without a good its service good (created when missing) and shows
/// the form again with everything else as it was typed, still to be saved.
pub async fn create_special_goods(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, mut form } = posted;
    ctx.require_owner()?;
    let payments = state
        .store
        .shop_payments(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    // Posted without the rest of the form (no script, another page): the stored one.
    if form.get("feed").is_empty() {
        let c = connection(&state, &ctx, id).await?;
        form = form_of(&c, &payments);
    }
    let (c, errors, notice) = match state
        .store
        .create_special_goods(ctx.firm_id(), id, &ctx.user.login)
        .await
    {
        Ok(c) => {
            for role in SpecialGoodRole::ALL {
                if form.get(role.field()).trim().is_empty() {
                    form.set(role.field(), id_text(c.settings.special_good(role)));
                }
            }
            let notice = ctx.tr.t("shops-special-goods-created");
            (c, FormErrors::none(ctx.tr), Some(notice))
        }
        Err(StoreError::Validation(errors)) => {
            let c = connection(&state, &ctx, id).await?;
            (c, FormErrors::new(ctx.tr, errors.errors), None)
        }
        Err(other) => return Err(ctx.fail(other)),
    };
    let choices = choices(&state, &ctx, &form).await?;
    Ok(show(&ctx, &c, &payments, &choices, &form, &errors, notice)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(provider: &str) -> ShopPayment {
        ShopPayment {
            provider: provider.into(),
            title: provider.to_uppercase(),
            active: true,
            payment_type_id: None,
        }
    }

    #[test]
    fn the_settings_form_reads_back_what_it_shows_and_refuses_tampering() {
        let mut form = FormData::default();
        form.set("payments.cod", "5");
        form.set("payments.bwt", "");
        form.set("feed", "objects");
        form.push("feed_objects", "1");
        form.push("feed_objects", "2");
        form.set("operations_object_id", "2");
        form.set("sale_rule", "pending_or_shipped");
        form.set("shop_stock_status", "pending");
        form.set("delivery_good_id", "7");
        form.set_checked("auto_sync", true);
        let payments = [payment("cod"), payment("bwt"), payment("stripe")];
        let (settings, mapping) = settings_of(&form, &payments).expect("valid");
        assert_eq!(settings.feed, FeedObjects::Objects(vec![1, 2]));
        assert_eq!(settings.operations_object_id, Some(2));
        assert_eq!(settings.sale_rule, SaleRule::PendingOrShipped);
        assert_eq!(settings.delivery_good_id, Some(7));
        assert_eq!(settings.fee_good_id, None);
        assert!(settings.auto_sync);
        assert_eq!(mapping.get("cod"), Some(&Some(5)));
        assert_eq!(mapping.get("bwt"), Some(&None));
        assert_eq!(mapping.get("stripe"), None, "not posted: left as it is");
        form.set("payments.cod", "пет");
        form.set("feed", "some");
        form.set("sale_rule", "never");
        form.set("fee_good_id", "x");
        let errors = settings_of(&form, &payments).expect_err("refused");
        let fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["payments.cod", "feed", "sale_rule", "fee_good_id"],
            "{fields:?}"
        );
    }
}
