//! The reconciliation (issue 9): the shop's variants are read (⌈variants/100⌉ page
//! reads) and become the tracked shop values of their links; every link is then set
//! due, so the pusher puts back what differs from the warehouse — a quantity or price
//! the merchant edited in the shop's admin, a value the shop changed by itself. A
//! linked variant the shop no longer has retires its link. Each difference found is a
//! result row, and the journal says what was repaired.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use sklad_domain::shop::push::wanted_update;
use sklad_store::shops::JobRow;

use crate::catalogue;
use crate::error::SyncResult;
use crate::jobs::JobCtx;
use crate::push::{journal_retired, Side, DUE_PER_ROUND};

pub(crate) async fn run(ctx: &mut JobCtx) -> SyncResult<serde_json::Value> {
    let client = ctx.client().await?;
    let variants = catalogue::read(ctx, &client, false).await?;
    ctx.stage("comparing").await?;
    let store = ctx.bridge.store().clone();
    let links = store.shop_links(ctx.firm_id(), ctx.connection.id).await?;
    let in_shop: HashSet<&str> = variants.iter().map(|v| v.variant_id.as_str()).collect();
    let gone: Vec<String> = links
        .iter()
        .filter(|l| !in_shop.contains(l.shop_variant_id.as_str()))
        .map(|l| l.shop_variant_id.clone())
        .collect();
    let retired = store.retire_shop_links(ctx.connection.id, &gone).await?;
    if !retired.is_empty() {
        journal_retired(&ctx.bridge, &ctx.connection, &retired).await?;
    }
    let read: Vec<(String, Option<i64>, Option<i64>)> = variants
        .iter()
        .map(|v| (v.variant_id.clone(), v.quantity, v.price))
        .collect();
    store.remember_shop_values(ctx.connection.id, &read).await?;
    store
        .start_push_pass(ctx.firm_id(), ctx.connection.id)
        .await?;
    // What the pusher will put back, as rows.
    let side = Side::of(&ctx.bridge, &ctx.connection).await?;
    let due = store
        .due_links(ctx.connection.id, side.group(), DUE_PER_ROUND)
        .await?;
    let facts = side.facts(&ctx.bridge, &due).await?;
    let by_variant: HashMap<&str, &sklad_domain::shop::ShopVariant> = variants
        .iter()
        .map(|v| (v.variant_id.as_str(), v))
        .collect();
    let mut rows = Vec::new();
    for (d, f) in due.iter().zip(&facts) {
        let update = wanted_update(f);
        if update.is_empty() {
            continue;
        }
        let v = by_variant.get(d.shop_variant_id.as_str());
        rows.push(JobRow {
            status: "repair".into(),
            shop_product_id: Some(d.shop_product_id.clone()),
            shop_variant_id: Some(d.shop_variant_id.clone()),
            sku: v.and_then(|v| v.sku.clone()),
            barcode: v.and_then(|v| v.barcode.clone()),
            shop_price: d.shop_price,
            shop_quantity: d.shop_quantity,
            shop_unlimited: d.shop_unlimited,
            good_id: Some(d.good_id),
            firm_price: update.price.or(f.price),
            firm_quantity: update.quantity,
            ..JobRow::default()
        });
    }
    let repairs = rows.len();
    ctx.progress.written = repairs as i64;
    ctx.rows(rows).await?;
    store.note_reconciled(ctx.connection.id).await?;
    let summary = json!({
        "variants": variants.len(),
        "linked": links.len() - retired.len(),
        "repairs": repairs,
        "retired": retired.len(),
    });
    let outcome = if repairs > 0 || !retired.is_empty() {
        "warning"
    } else {
        "ok"
    };
    ctx.journal(
        "reconcile",
        outcome,
        format!(
            "Сверка с магазина: {} варианта прочетени, {} различия за поправяне, {} премахнати връзки.",
            variants.len(),
            repairs,
            retired.len()
        ),
        format!(
            "Reconciliation with the shop: {} variants read, {} differences to repair, {} links retired.",
            variants.len(),
            repairs,
            retired.len()
        ),
        summary.clone(),
    )
    .await?;
    Ok(summary)
}
