//! The first push of a connection, as a preview the merchant confirms (nothing is
//! pushed before): for every linked variant, the shop's quantity beside what the
//! warehouse would send (available over the feeding objects, floored at 0 and to whole
//! units — SPEC X7), and how many would go up and down. Unlimited variants and goods
//! marked „не синхронизирай“ are left alone; the prices that would change are counted
//! too. The shop's values read here are what the first push compares with.

use std::collections::HashMap;

use serde_json::json;
use sklad_domain::model::GoodKind;
use sklad_domain::shop::price::{firm_price_to_shop, ShopPricing};
use sklad_domain::shop::push::quantity_for_shop;
use sklad_store::shops::JobRow;

use crate::catalogue;
use crate::error::SyncResult;
use crate::jobs::JobCtx;

pub(crate) async fn run(ctx: &mut JobCtx) -> SyncResult<serde_json::Value> {
    let client = ctx.client().await?;
    let variants = catalogue::read(ctx, &client, false).await?;
    ctx.stage("comparing").await?;
    let store = ctx.bridge.store().clone();
    let objects = ctx.objects().await?;
    let feeding = ctx.connection.settings.feed.object_ids(&objects);
    let group = ctx.connection.settings.price_group(&objects);
    let pricing = ShopPricing {
        currency: ctx.connection.currency,
        with_vat: ctx.connection.prices_with_vat,
    };
    let links: HashMap<String, _> = store
        .shop_links(ctx.firm_id(), ctx.connection.id)
        .await?
        .into_iter()
        .map(|l| (l.shop_variant_id.clone(), l))
        .collect();
    let goods: HashMap<_, _> = store
        .goods_for_matching(ctx.firm_id())
        .await?
        .into_iter()
        .map(|g| (g.key.id, g))
        .collect();
    let available: HashMap<_, _> = store
        .available(ctx.firm_id(), &feeding)
        .await?
        .into_iter()
        .map(|a| (a.good_id, quantity_for_shop(a.available.milli())))
        .collect();
    // What the shop says now is what the first push compares with.
    let read: Vec<(String, Option<i64>, Option<i64>)> = variants
        .iter()
        .filter(|v| links.contains_key(&v.variant_id))
        .map(|v| (v.variant_id.clone(), v.quantity, v.price))
        .collect();
    store.remember_shop_values(ctx.connection.id, &read).await?;
    let mut counts: HashMap<&str, i64> = HashMap::new();
    let mut price_changes = 0;
    let mut rows = Vec::new();
    for v in &variants {
        let Some(link) = links.get(&v.variant_id) else {
            continue;
        };
        let Some(good) = goods.get(&link.good_id) else {
            continue;
        };
        let send = available.get(&good.key.id).copied().unwrap_or(0);
        let status = if good.key.kind != GoodKind::Good || !good.key.active {
            "not_stocked"
        } else if link.sync_excluded {
            "excluded"
        } else {
            match v.quantity {
                None => "unlimited",
                Some(q) if q < send => "up",
                Some(q) if q > send => "down",
                Some(_) => "same",
            }
        };
        *counts.entry(status).or_default() += 1;
        let firm_price = good
            .prices
            .get(&group)
            .map(|gross| firm_price_to_shop(*gross, ctx.firm.currency, pricing, good.vat_rate));
        price_changes += i64::from(firm_price.is_some() && firm_price != v.price);
        rows.push(JobRow {
            status: status.to_owned(),
            shop_product_id: Some(v.product_id.clone()),
            shop_variant_id: Some(v.variant_id.clone()),
            sku: v.sku.clone(),
            barcode: v.barcode.clone(),
            shop_price: v.price,
            shop_quantity: v.quantity,
            shop_unlimited: v.quantity.is_none(),
            good_id: Some(good.key.id),
            good_code: Some(good.key.code.clone()),
            good_name: Some(good.name.clone()),
            firm_price,
            firm_quantity: Some(send),
            ..JobRow::default()
        });
    }
    ctx.rows(rows).await?;
    let n = |k: &str| counts.get(k).copied().unwrap_or(0);
    let summary = json!({
        "linked": links.len(),
        "up": n("up"),
        "down": n("down"),
        "same": n("same"),
        "unlimited": n("unlimited"),
        "excluded": n("excluded"),
        "not_stocked": n("not_stocked"),
        "price_changes": price_changes,
        "price_group": group.key(),
    });
    ctx.journal(
        "push_preview",
        "ok",
        format!(
            "Преглед на първото изпращане: {} количества нагоре, {} надолу, {} без промяна, {} цени.",
            n("up"),
            n("down"),
            n("same"),
            price_changes
        ),
        format!(
            "First push preview: {} quantities up, {} down, {} unchanged, {} prices.",
            n("up"),
            n("down"),
            n("same"),
            price_changes
        ),
        summary.clone(),
    )
    .await?;
    Ok(summary)
}
