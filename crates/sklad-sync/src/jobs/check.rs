//! K1 „Провери съответствието“ (SPEC G4, K1, K3): every shop variant beside its good
//! with one status per row, the shop's and the warehouse's price and quantity beside it
//! as information, summary counts, stored as the connection's latest check.

use std::collections::HashMap;

use serde_json::json;
use sklad_domain::model::Object;
use sklad_domain::shop::matching::{CheckRow, Correspondence, GoodsIndex};
use sklad_domain::shop::price::{firm_price_to_shop, ShopPricing};
use sklad_domain::shop::{CheckStatus, ShopVariant};
use sklad_domain::{Id, PriceGroup};
use sklad_store::shops::{GoodSummary, JobRow};

use crate::catalogue;
use crate::error::SyncResult;
use crate::jobs::JobCtx;

/// Rows written to the database per batch.
const ROWS_PER_BATCH: usize = 2000;

/// The shop's catalogue matched against the firm's goods.
pub(crate) struct Matched {
    pub variants: Vec<ShopVariant>,
    pub goods: HashMap<Id, GoodSummary>,
    pub correspondence: Correspondence,
    pub objects: Vec<Object>,
    /// Available quantity of every stocked good over the feeding objects (thousandths,
    /// not floored).
    pub available: HashMap<Id, i64>,
}

impl Matched {
    /// How the shop states prices.
    pub fn pricing(ctx: &JobCtx) -> ShopPricing {
        ShopPricing {
            currency: ctx.connection.currency,
            with_vat: ctx.connection.prices_with_vat,
        }
    }

    /// The price group the shop's prices come from (SPEC G1).
    pub fn price_group(&self, ctx: &JobCtx) -> PriceGroup {
        ctx.connection.settings.price_group(&self.objects)
    }

    /// A result row for `row` with the shop's and the warehouse's values.
    pub fn job_row(&self, ctx: &JobCtx, row: &CheckRow, status: &str) -> JobRow {
        let mut out = JobRow {
            status: status.to_owned(),
            warning: row
                .description_missing
                .then(|| "description_missing".to_owned()),
            ..JobRow::default()
        };
        if let Some(v) = row.variant.map(|i| &self.variants[i]) {
            out.shop_product_id = Some(v.product_id.clone());
            out.shop_variant_id = Some(v.variant_id.clone());
            out.sku = v.sku.clone();
            out.barcode = v.barcode.clone();
            out.name = v.good_name().or_else(|| v.product_name.clone());
            out.shop_price = v.price;
            out.shop_quantity = v.quantity;
            out.shop_unlimited = v.quantity.is_none();
        }
        if let Some(good) = row.good_id.and_then(|id| self.goods.get(&id)) {
            let group = self.price_group(ctx);
            out.good_id = Some(good.key.id);
            out.good_code = Some(good.key.code.clone());
            out.good_name = Some(good.name.clone());
            out.firm_price = good.prices.get(&group).map(|gross| {
                firm_price_to_shop(*gross, ctx.firm.currency, Self::pricing(ctx), good.vat_rate)
            });
            // SPEC X7: what is available to sell, floored at 0.
            out.firm_quantity = self.available.get(&good.key.id).map(|a| (*a).max(0));
        }
        out
    }
}

/// Reads the shop and matches it with the firm's goods and links.
pub(crate) async fn match_catalogue(ctx: &mut JobCtx) -> SyncResult<Matched> {
    let client = ctx.client().await?;
    let variants = catalogue::read(ctx, &client, true).await?;
    ctx.stage("matching").await?;
    let store = ctx.bridge.store().clone();
    let goods = store.goods_for_matching(ctx.firm_id()).await?;
    let links = store.shop_links(ctx.firm_id(), ctx.connection.id).await?;
    let objects = ctx.objects().await?;
    let feeding = ctx.connection.settings.feed.object_ids(&objects);
    let available = store
        .available(ctx.firm_id(), &feeding)
        .await?
        .into_iter()
        .map(|a| (a.good_id, a.available.milli()))
        .collect();
    let keys: Vec<_> = goods.iter().map(|g| g.key.clone()).collect();
    let index = GoodsIndex::new(
        &keys,
        links.into_iter().map(|l| (l.shop_variant_id, l.good_id)),
    );
    let correspondence = Correspondence::of(&variants, &index);
    Ok(Matched {
        variants,
        goods: goods.into_iter().map(|g| (g.key.id, g)).collect(),
        correspondence,
        objects,
        available,
    })
}

pub(crate) async fn run(ctx: &mut JobCtx) -> SyncResult<serde_json::Value> {
    let matched = match_catalogue(ctx).await?;
    ctx.stage("writing_rows").await?;
    let mut price_differences = 0;
    let mut quantity_differences = 0;
    let mut batch = Vec::with_capacity(ROWS_PER_BATCH);
    let mut shop_values = Vec::new();
    for row in &matched.correspondence.rows {
        let out = matched.job_row(ctx, row, row.status.key());
        if row.variant.is_some() && out.good_id.is_some() {
            price_differences +=
                i64::from(out.firm_price.is_some() && out.firm_price != out.shop_price);
            quantity_differences += i64::from(
                !out.shop_unlimited
                    && out.firm_quantity.is_some()
                    && out.firm_quantity != out.shop_quantity,
            );
        }
        if row.status == CheckStatus::Linked {
            if let Some(v) = row.variant.map(|i| &matched.variants[i]) {
                shop_values.push((v.variant_id.clone(), v.quantity, v.price));
            }
        }
        batch.push(out);
        if batch.len() == ROWS_PER_BATCH {
            ctx.progress.written += batch.len() as i64;
            ctx.rows(std::mem::take(&mut batch)).await?;
            ctx.report().await?;
        }
    }
    ctx.progress.written += batch.len() as i64;
    ctx.rows(batch).await?;
    ctx.bridge
        .store()
        .remember_shop_values(ctx.connection.id, &shop_values)
        .await?;
    let counts: serde_json::Map<String, serde_json::Value> = matched
        .correspondence
        .counts()
        .into_iter()
        .map(|(s, n)| (s.key().to_owned(), json!(n)))
        .collect();
    let problems: usize = matched
        .correspondence
        .rows
        .iter()
        .filter(|r| r.status.is_problem())
        .count();
    let description_missing = matched
        .correspondence
        .rows
        .iter()
        .filter(|r| r.description_missing)
        .count();
    let products: std::collections::HashSet<&str> = matched
        .variants
        .iter()
        .map(|v| v.product_id.as_str())
        .collect();
    let summary = json!({
        "variants": matched.variants.len(),
        "products": products.len(),
        "rows": matched.correspondence.rows.len(),
        "counts": counts,
        "problems": problems,
        "description_missing": description_missing,
        "price_differences": price_differences,
        "quantity_differences": quantity_differences,
        "price_group": matched.price_group(ctx).key(),
    });
    let linked = counts.get("linked").and_then(|v| v.as_u64()).unwrap_or(0);
    ctx.journal(
        "check",
        if problems == 0 { "ok" } else { "warning" },
        format!(
            "Проверка на съответствието: {} варианта, {} вече синхронизирани, {} проблема.",
            matched.variants.len(),
            linked,
            problems
        ),
        format!(
            "Correspondence check: {} variants, {} already synchronised, {} problems.",
            matched.variants.len(),
            linked,
            problems
        ),
        summary.clone(),
    )
    .await?;
    Ok(summary)
}
