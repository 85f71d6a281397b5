//! Opening stock from the shop: turning auto-sync on would overwrite every shop
//! quantity with the warehouse's (often still zero), so the merchant may first bring
//! the shop's quantities in as the warehouse's counts — one Ревизия (stock-taking) in the
//! operations object for the linked goods whose count differs (several when there are
//! more than 10 000 lines). Unlimited variants (`quantity: null`) and goods marked
//! „не синхронизирай“ are left alone. A dry run shows every line first.

use std::collections::HashMap;

use serde_json::json;
use sklad_domain::model::GoodKind;
use sklad_domain::operation::{Line, OperationDraft, OperationKind, MAX_LINES};
use sklad_domain::{PriceGroup, Quantity};
use sklad_store::shops::JobRow;

use crate::catalogue;
use crate::error::{SyncError, SyncResult};
use crate::jobs::JobCtx;

pub(crate) async fn run(ctx: &mut JobCtx) -> SyncResult<serde_json::Value> {
    let dry_run = ctx.job.dry_run;
    let objects = ctx.objects().await?;
    let errors = ctx.connection.settings.check_objects(&objects);
    let Some(object_id) = ctx
        .connection
        .settings
        .operations_object_id
        .filter(|_| errors.is_empty())
    else {
        return Err(SyncError::Store(sklad_store::StoreError::Validation(
            errors,
        )));
    };
    let client = ctx.client().await?;
    let variants = catalogue::read(ctx, &client, false).await?;
    ctx.stage("comparing").await?;
    let store = ctx.bridge.store().clone();
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
    let on_hand: HashMap<_, _> = store
        .stock_of_object(ctx.firm_id(), object_id)
        .await?
        .into_iter()
        .map(|l| (l.good_id, l.on_hand.milli()))
        .collect();
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for v in &variants {
        let Some(link) = links.get(&v.variant_id) else {
            continue;
        };
        let Some(good) = goods.get(&link.good_id) else {
            continue;
        };
        let current = on_hand.get(&good.key.id).copied().unwrap_or(0);
        let status = if good.key.kind != GoodKind::Good {
            "service"
        } else if link.sync_excluded {
            "excluded"
        } else if v.quantity.is_none() {
            "unlimited"
        } else if v.quantity.is_some_and(|q| q < 0) {
            "negative"
        } else if v.quantity == Some(current) {
            "same"
        } else {
            "set"
        };
        if status == "set" {
            lines.push(Line {
                good_id: good.key.id,
                quantity: Quantity(v.quantity.unwrap_or(0)),
                unit_price: good.prices.get(&PriceGroup::Purchase).copied().unwrap_or(0),
                vat_rate: good.vat_rate,
                discount_bp: 0,
            });
        }
        rows.push(JobRow {
            status: status.to_owned(),
            shop_product_id: Some(v.product_id.clone()),
            shop_variant_id: Some(v.variant_id.clone()),
            sku: v.sku.clone(),
            barcode: v.barcode.clone(),
            shop_quantity: v.quantity,
            shop_unlimited: v.quantity.is_none(),
            good_id: Some(good.key.id),
            good_code: Some(good.key.code.clone()),
            good_name: Some(good.name.clone()),
            firm_quantity: Some(current),
            ..JobRow::default()
        });
    }
    ctx.rows(rows).await?;
    let mut operations = Vec::new();
    if !dry_run {
        ctx.stage("writing_stock_taking").await?;
        for chunk in lines.chunks(MAX_LINES) {
            let draft = OperationDraft {
                kind: OperationKind::StockTaking,
                date: store.clock().today_in_sofia(),
                object_id,
                target_object_id: None,
                partner_id: None,
                payment_type_id: None,
                currency: ctx.firm.currency,
                lines: chunk.to_vec(),
                external_ref: None,
                note: Some(format!(
                    "Начални наличности от магазина „{}“ ({})",
                    ctx.connection.name, ctx.connection.shop_url
                )),
            };
            operations.push(store.create_operation(ctx.firm_id(), &draft).await?.id);
        }
    }
    let summary = json!({
        "dry_run": dry_run,
        "lines": lines.len(),
        "object_id": object_id,
        "operations": operations,
    });
    let (bg, en) = if dry_run {
        (
            format!(
                "Пробно: {} стоки биха получили начално количество от магазина.",
                lines.len()
            ),
            format!(
                "Dry run: {} goods would get their opening quantity from the shop.",
                lines.len()
            ),
        )
    } else {
        (
            format!(
                "Начални наличности от магазина: ревизия с {} реда.",
                lines.len()
            ),
            format!(
                "Opening stock from the shop: stock-taking with {} lines.",
                lines.len()
            ),
        )
    };
    ctx.journal("opening_stock", "ok", bg, en, summary.clone())
        .await?;
    Ok(summary)
}
