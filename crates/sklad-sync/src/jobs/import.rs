//! K2 „Импортирай ВСИЧКИ стоки от магазина“ (SPEC K2, G4): existing goods get the shop's
//! name and barcode, new goods are created (code = SKU, name, barcode, the price in the
//! operations object's price group converted to the firm's currency and VAT included,
//! VAT 20 %, kind good), every variant becomes its own good and a link. A dry run shows
//! exactly what the run would do; a row with a problem is skipped with its reason and
//! never half-written; a second run changes nothing.

use std::collections::BTreeMap;

use serde_json::json;
use sklad_domain::model::{GoodInput, GoodKind};
use sklad_domain::shop::price::shop_price_to_firm;
use sklad_domain::shop::CheckStatus;
use sklad_domain::VatRate;
use sklad_store::shops::{ImportOutcome, ImportStep, JobRow};
use sklad_store::StoreError;

use crate::error::SyncResult;
use crate::jobs::check::{match_catalogue, Matched};
use crate::jobs::JobCtx;

/// Steps per transaction.
const STEPS_PER_BATCH: usize = 200;

/// Whether a shop barcode can be a good's barcode (letters, digits, dashes, ≤ 64).
fn usable_barcode(barcode: &str) -> bool {
    !barcode.is_empty()
        && barcode.len() <= 64
        && barcode
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The step for one row and the action it is expected to take, or the reason it is
/// skipped.
fn plan(
    ctx: &JobCtx,
    matched: &Matched,
    row: &sklad_domain::shop::matching::CheckRow,
) -> Result<(ImportStep, &'static str, Option<&'static str>), &'static str> {
    let Some(v) = row.variant.map(|i| &matched.variants[i]) else {
        return Err("only_in_warehouse");
    };
    let Some(name) = v.good_name() else {
        return Err(CheckStatus::NameMissing.key());
    };
    let barcode = v.barcode.clone().filter(|b| usable_barcode(b));
    let warning = (v.barcode.is_some() && barcode.is_none()).then_some("barcode_invalid");
    match row.status {
        CheckStatus::Linked | CheckStatus::Matched => {
            let good_id = row.good_id.ok_or("ambiguous")?;
            let good = matched.goods.get(&good_id).ok_or("ambiguous")?;
            let adds_barcode = barcode
                .as_ref()
                .is_some_and(|b| !good.key.barcodes.contains(b));
            let action = if good.name != name || adds_barcode {
                "update"
            } else if row.status == CheckStatus::Matched {
                "link"
            } else {
                "unchanged"
            };
            Ok((
                ImportStep::Update {
                    good_id,
                    name,
                    barcode,
                    variant_id: v.variant_id.clone(),
                    product_id: v.product_id.clone(),
                },
                action,
                warning,
            ))
        }
        CheckStatus::NewInShop => {
            let group = ctx.connection.settings.import_price_group(&matched.objects);
            let mut prices = BTreeMap::new();
            if let Some(price) = v.price.filter(|p| *p >= 0) {
                prices.insert(
                    group,
                    shop_price_to_firm(
                        price,
                        Matched::pricing(ctx),
                        ctx.firm.currency,
                        VatRate::Standard,
                    ),
                );
            }
            let input = GoodInput {
                code: v.sku.clone().ok_or(CheckStatus::SkuMissing.key())?,
                barcodes: barcode.into_iter().collect(),
                name,
                measure: "бр.".into(),
                kind: GoodKind::Good,
                vat_rate: VatRate::Standard,
                group: None,
                active: true,
                prices,
            };
            Ok((
                ImportStep::Create {
                    input,
                    variant_id: v.variant_id.clone(),
                    product_id: v.product_id.clone(),
                },
                "create",
                warning,
            ))
        }
        other => Err(other.key()),
    }
}

fn outcome_key(outcome: ImportOutcome) -> (&'static str, sklad_domain::Id) {
    match outcome {
        ImportOutcome::Created(id) => ("create", id),
        ImportOutcome::Updated(id) => ("update", id),
        ImportOutcome::Linked(id) => ("link", id),
        ImportOutcome::Unchanged(id) => ("unchanged", id),
    }
}

fn failure_reason(e: &StoreError) -> String {
    match e.validation().and_then(|v| v.errors.first()) {
        Some(f) => f.code.to_owned(),
        None => e.code().to_owned(),
    }
}

pub(crate) async fn run(ctx: &mut JobCtx) -> SyncResult<serde_json::Value> {
    let dry_run = ctx.job.dry_run;
    let matched = match_catalogue(ctx).await?;
    ctx.stage(if dry_run { "planning" } else { "importing" })
        .await?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    // (row, step) of the rows that act; rows that skip are written at once.
    let mut pending: Vec<(JobRow, ImportStep)> = Vec::new();
    let mut skipped = Vec::new();
    for row in &matched.correspondence.rows {
        if row.variant.is_none() {
            continue;
        }
        match plan(ctx, &matched, row) {
            Ok((step, action, warning)) => {
                let mut out = matched.job_row(ctx, row, action);
                if let Some(w) = warning {
                    out.warning = Some(w.to_owned());
                }
                pending.push((out, step));
            }
            Err(reason) => {
                let mut out = matched.job_row(ctx, row, "skip");
                out.reason = Some(reason.to_owned());
                *counts.entry("skip".into()).or_default() += 1;
                skipped.push(out);
            }
        }
    }
    ctx.rows(skipped).await?;
    for chunk in pending.chunks(STEPS_PER_BATCH) {
        let mut rows: Vec<JobRow> = chunk.iter().map(|(r, _)| r.clone()).collect();
        if !dry_run {
            apply(ctx, chunk, &mut rows).await?;
        }
        for r in &rows {
            *counts.entry(r.status.clone()).or_default() += 1;
        }
        ctx.progress.written += rows.len() as i64;
        ctx.rows(rows).await?;
        ctx.report().await?;
    }
    let summary = json!({
        "dry_run": dry_run,
        "variants": matched.variants.len(),
        "counts": counts,
        "price_group": ctx.connection.settings.import_price_group(&matched.objects).key(),
    });
    let n = |k: &str| counts.get(k).copied().unwrap_or(0);
    let (bg_what, en_what) = if dry_run {
        (
            "Пробен импорт (нищо не е записано)",
            "Import dry run (nothing written)",
        )
    } else {
        ("Импорт на стоки", "Goods import")
    };
    ctx.journal(
        "import",
        if n("failed") > 0 { "warning" } else { "ok" },
        format!(
            "{bg_what}: {} нови, {} обновени, {} свързани, {} без промяна, {} пропуснати, {} неуспешни.",
            n("create"),
            n("update"),
            n("link"),
            n("unchanged"),
            n("skip"),
            n("failed")
        ),
        format!(
            "{en_what}: {} created, {} updated, {} linked, {} unchanged, {} skipped, {} failed.",
            n("create"),
            n("update"),
            n("link"),
            n("unchanged"),
            n("skip"),
            n("failed")
        ),
        summary.clone(),
    )
    .await?;
    Ok(summary)
}

/// Applies a batch in one transaction; when it is refused, each step alone, so one bad
/// row fails alone (`failed` with the reason) and the others are written.
async fn apply(
    ctx: &JobCtx,
    chunk: &[(JobRow, ImportStep)],
    rows: &mut [JobRow],
) -> SyncResult<()> {
    let store = ctx.bridge.store();
    let steps: Vec<ImportStep> = chunk.iter().map(|(_, s)| s.clone()).collect();
    let outcomes: Vec<Result<ImportOutcome, StoreError>> = match store
        .apply_shop_import(ctx.firm_id(), ctx.connection.id, &steps)
        .await
    {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        Err(StoreError::Validation(_)) => {
            let mut each = Vec::with_capacity(steps.len());
            for step in &steps {
                each.push(
                    store
                        .apply_shop_import(
                            ctx.firm_id(),
                            ctx.connection.id,
                            std::slice::from_ref(step),
                        )
                        .await
                        .map(|mut o| o.remove(0)),
                );
            }
            each
        }
        Err(other) => return Err(other.into()),
    };
    for (row, outcome) in rows.iter_mut().zip(outcomes) {
        match outcome {
            Ok(done) => {
                let (key, id) = outcome_key(done);
                row.status = key.to_owned();
                row.good_id = Some(id);
                if key == "create" {
                    row.good_code = row.sku.clone();
                    row.good_name = row.name.clone();
                }
            }
            Err(StoreError::Validation(v)) => {
                row.status = "failed".into();
                row.reason = Some(failure_reason(&StoreError::Validation(v)));
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}
