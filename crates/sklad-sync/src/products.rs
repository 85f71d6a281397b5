//! Product deliveries as hints (issue 9): `product.deleted`, `product.created` and
//! `product.updated` (the platform fires no variant events, and none for API writes —
//! API.md §6.3) each ask for one read of that product's variants
//! (`filter[item_id]`, ⌈variants/100⌉ reads). Links of variants the shop no longer has
//! are retired, in the journal; the others take the shop's values as read and become
//! due, so a quantity or price the merchant changed in the shop's admin is put back at
//! once. A variant the shop added shows up in the correspondence check as new in the
//! shop; the hourly reconciliation catches whatever no delivery announced.

use cloudcart::models::catalogue::Stock;
use cloudcart::Query;
use sklad_store::shops::{JournalNote, ProductHint, SeenVariant};

use crate::error::SyncResult;
use crate::push::journal_retired;
use crate::Bridge;

/// Hints claimed per batch.
const HINTS_PER_BATCH: i64 = 50;

/// Starts the refresher of the product hints of the shops this process holds, unless
/// one runs or none waits.
pub(crate) async fn schedule(bridge: &Bridge, held: &[String]) -> SyncResult<()> {
    if held.is_empty()
        || !bridge.store().has_product_hints().await?
        || bridge
            .inner
            .refreshing
            .swap(true, std::sync::atomic::Ordering::AcqRel)
    {
        return Ok(());
    }
    let bridge = bridge.clone();
    let held = held.to_vec();
    tokio::spawn(tracing::Instrument::instrument(
        async move {
            if let Err(e) = refresh_all(&bridge, &held).await {
                tracing::warn!(
                    code = e.code(),
                    "product refresh put off: {}",
                    e.message_en()
                );
            }
            bridge
                .inner
                .refreshing
                .store(false, std::sync::atomic::Ordering::Release);
            bridge.inner.job_done.notify_waiters();
        },
        tracing::info_span!("product_refresh"),
    ));
    Ok(())
}

/// Refreshes claimed hints until none is left. A hint whose read failed stays claimed
/// until its claim lapses, then is tried again.
async fn refresh_all(bridge: &Bridge, held: &[String]) -> SyncResult<()> {
    loop {
        let hints = bridge
            .store()
            .claim_product_hints(bridge.holder(), held, HINTS_PER_BATCH)
            .await?;
        if hints.is_empty() {
            return Ok(());
        }
        for hint in &hints {
            let span = tracing::info_span!(
                "product",
                connection = hint.connection_id,
                product = %hint.shop_product_id
            );
            tracing::Instrument::instrument(refresh(bridge, hint), span).await?;
        }
    }
}

/// Reads one product's variants and settles its hint.
async fn refresh(bridge: &Bridge, hint: &ProductHint) -> SyncResult<()> {
    let store = bridge.store();
    let connection = store
        .shop_connection(hint.firm_id, hint.connection_id)
        .await?;
    let client = bridge.client_of(&connection).await?;
    let variants = client
        .variants(
            Query::new()
                .filter("item_id", &hint.shop_product_id)
                .fields("variants", &["item_id", "price", "quantity"])
                .page_size(100),
        )
        .collect_all()
        .await?;
    let seen: Vec<SeenVariant> = variants
        .into_iter()
        .filter(|v| {
            v.attributes.item_id.map(|i| i.to_string()).as_deref() == Some(&hint.shop_product_id)
        })
        .map(|v| {
            let quantity = match v.attributes.quantity {
                Some(Stock::Counted(q)) => Some(q.thousandths()),
                Some(Stock::Unlimited) | None => None,
            };
            (v.id, quantity, v.attributes.price)
        })
        .collect();
    let refresh = store.refresh_shop_product(hint, &seen).await?;
    if !refresh.retired.is_empty() {
        journal_retired(bridge, &connection, &refresh.retired).await?;
    }
    if !refresh.changed.is_empty() {
        let variants = refresh.changed.join(", ");
        store
            .append_shop_journal(
                connection.firm_id,
                connection.id,
                &JournalNote {
                    actor: "system".into(),
                    action: "shop_edit".into(),
                    outcome: "warning".into(),
                    message_bg: format!(
                        "Количество или цена на вариант(и) {variants} са променени в магазина: \
                         връщат се стойностите от склада."
                    ),
                    message_en: format!(
                        "The quantity or price of variant(s) {variants} was changed in the \
                         shop: the warehouse's values are put back."
                    ),
                    details: serde_json::json!({
                        "product": hint.shop_product_id,
                        "variants": refresh.changed,
                    }),
                },
            )
            .await?;
    }
    bridge.inner.job_queued.notify_one();
    Ok(())
}
