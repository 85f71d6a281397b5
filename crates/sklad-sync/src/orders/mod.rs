//! Orders from the shop in real time (SPEC G7, X2): the webhook door's durable inbox
//! with group commit, the triage of deliveries, the importer ([`import`]) and the order
//! poller ([`poller`]), all driven by the bridge's rounds on the shops whose lease this
//! process holds.
//!
//! Deliveries are hints: each marks its order dirty, and the importer re-reads the order
//! with every include, so duplicates, retries, reordering and late arrivals change
//! nothing extra. Uniqueness lives in the schema: one inbox row per distinct delivery,
//! one record per shop order, one operation reference per posting.

pub(crate) mod import;
pub(crate) mod poller;
mod read;

use std::time::Duration;

use cloudcart::models::webhooks::{decode_entity_delivery, decode_order_delivery};
use sklad_store::shops::{InboxItem, NewDelivery, OrderAttention, ShopOrderRecord, Triage};
use tokio::sync::{mpsc, oneshot};

use crate::error::SyncResult;
use crate::Bridge;

/// Deliveries written in one transaction at most.
const MAX_BATCH: usize = 256;

/// Deliveries triaged per round.
const TRIAGE_BATCH: i64 = 500;

/// Orders imported at once by this process.
const MAX_PARALLEL_IMPORTS: usize = 8;

/// A delivery waiting for its durable write, and who waits for the answer.
pub(crate) type Pending = (NewDelivery, oneshot::Sender<SyncResult<()>>);

/// The group-commit writer: deliveries that arrive while a batch commits go together
/// into the next transaction, so acknowledging stays one durable insert per delivery at
/// a fraction of a transaction each. Ends when every sender is gone.
pub(crate) fn start_writer(bridge: &Bridge) -> mpsc::Sender<Pending> {
    let (tx, mut rx) = mpsc::channel::<Pending>(4096);
    let store = bridge.store().clone();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let deliveries: Vec<NewDelivery> = batch.iter().map(|(d, _)| d.clone()).collect();
            let result = store.insert_shop_deliveries(&deliveries).await;
            for (_, reply) in batch {
                let _ = reply.send(match &result {
                    Ok(()) => Ok(()),
                    Err(e) => Err(sklad_store::StoreError::Database(e.to_string()).into()),
                });
            }
        }
    });
    tx
}

/// What a delivery is about.
fn triage(item: &InboxItem) -> Triage {
    if item.event.starts_with("order.") {
        match decode_order_delivery(item.body.as_bytes()) {
            Ok(p) => match p.id {
                Some(id) => Triage::Order {
                    shop_order_id: id.to_string(),
                    fees: Some(serde_json::Value::Array(p.fees)),
                },
                None => unreadable(
                    "В съобщението за поръчка няма номер на поръчката",
                    "the order delivery has no id",
                ),
            },
            Err(e) => unreadable(&e.message_bg(), &e.message_en()),
        }
    } else {
        match decode_entity_delivery(item.body.as_bytes()) {
            Ok(p) => match p.id {
                Some(id) => Triage::Product {
                    shop_product_id: id,
                },
                None => unreadable(
                    "В съобщението за продукт няма номер на продукта",
                    "the product delivery has no id",
                ),
            },
            Err(e) => unreadable(&e.message_bg(), &e.message_en()),
        }
    }
}

fn unreadable(bg: &str, en: &str) -> Triage {
    Triage::Unreadable {
        reason_bg: bg.to_owned(),
        reason_en: en.to_owned(),
    }
}

/// Reads the order (or product) id out of every new delivery and marks its order
/// dirty; flags what cannot be read.
pub(crate) async fn triage_inbox(bridge: &Bridge) -> SyncResult<()> {
    loop {
        let items = bridge
            .store()
            .claim_inbox(bridge.holder(), TRIAGE_BATCH)
            .await?;
        if items.is_empty() {
            return Ok(());
        }
        let settled: Vec<(InboxItem, Triage)> = items
            .into_iter()
            .map(|item| {
                let t = triage(&item);
                (item, t)
            })
            .collect();
        bridge.store().settle_inbox(&settled).await?;
        for (item, triage) in &settled {
            if let Triage::Unreadable {
                reason_bg,
                reason_en,
            } = triage
            {
                crate::alerts::raise(
                    bridge,
                    item.firm_id,
                    item.connection_id,
                    crate::alerts::Cause::Attention,
                    &format!("Известие от магазина не може да бъде прочетено: {reason_bg}"),
                    &format!("A notification from the shop cannot be read: {reason_en}"),
                )
                .await;
            }
        }
    }
}

/// Starts imports of the dirty orders of the shops this process holds.
pub(crate) async fn start_imports(bridge: &Bridge, held: &[String]) -> SyncResult<()> {
    let free = MAX_PARALLEL_IMPORTS.saturating_sub(bridge.importing_count());
    if free == 0 {
        return Ok(());
    }
    let records = bridge
        .store()
        .claim_shop_orders(bridge.holder(), held, free as i64)
        .await?;
    for record in records {
        bridge.spawn_import(record);
    }
    Ok(())
}

/// Imports one claimed order and records the outcome (or when to try again).
pub(crate) async fn run_import(bridge: &Bridge, record: ShopOrderRecord) {
    let store = bridge.store();
    let result = import::import(bridge, &record).await;
    let recorded = match result {
        Ok(outcome) => {
            tracing::info!(
                connection = record.connection_id,
                order = %record.shop_order_id,
                state = outcome.state,
                operation = outcome.operation_id,
                "order imported"
            );
            journal_outcome(bridge, &record, &outcome).await;
            store
                .finish_shop_order(
                    record.connection_id,
                    &record.shop_order_id,
                    record.version,
                    &outcome,
                )
                .await
        }
        Err(import::Stop::Later(e, attention)) => {
            // 30 s, 1, 2, 4 … minutes, at most 6 hours; after five failures the order is
            // listed as needing attention while the retries go on.
            let attempts = record.attempts.clamp(0, 20) as u32;
            let wait = Duration::from_secs(30u64.saturating_mul(1 << attempts.min(10)))
                .min(Duration::from_secs(6 * 3600));
            let now = store.clock().now();
            let next = now
                .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or_default())
                .unwrap_or(now);
            let attention = attention.or_else(|| {
                (record.attempts >= 4).then(|| OrderAttention {
                    code: e.code().to_owned(),
                    message_bg: format!(
                        "Поръчката не може да бъде прочетена от магазина: {}",
                        e.message_bg()
                    ),
                    message_en: format!(
                        "The order cannot be read from the shop: {}",
                        e.message_en()
                    ),
                    details: serde_json::json!({ "attempts": record.attempts + 1 }),
                })
            });
            tracing::warn!(
                connection = record.connection_id,
                order = %record.shop_order_id,
                code = e.code(),
                "order import put off: {}",
                e.message_en()
            );
            store
                .defer_shop_order(
                    record.connection_id,
                    &record.shop_order_id,
                    next,
                    attention.as_ref(),
                )
                .await
        }
    };
    if let Err(e) = recorded {
        tracing::error!(order = %record.shop_order_id, "the import's outcome could not be recorded: {e}");
    }
}

/// Journals what changed (X3): a new operation, a conversion into a sale, an
/// annulment, a new reason to wait.
async fn journal_outcome(
    bridge: &Bridge,
    record: &ShopOrderRecord,
    outcome: &sklad_store::shops::OrderOutcome,
) {
    let changed = outcome.state != record.state
        || outcome.operation_id != record.operation_id
        || outcome.attention.as_ref().map(|a| &a.code)
            != record.attention.as_ref().map(|a| &a.code);
    if !changed {
        return;
    }
    let id = &record.shop_order_id;
    let (outcome_key, bg, en) = match (outcome.state, &outcome.attention) {
        ("attention", Some(a)) => (
            "warning",
            format!("Поръчка №{id} чака: {}", a.message_bg),
            format!("Order #{id} waits: {}", a.message_en),
        ),
        ("annulled", _) => (
            "ok",
            format!("Поръчка №{id} е отказана в магазина: операцията е анулирана."),
            format!("Order #{id} was cancelled in the shop: its operation is annulled."),
        ),
        ("cancelled", _) => (
            "ok",
            format!("Поръчка №{id} е отказана, преди да бъде внесена."),
            format!("Order #{id} was cancelled before it was imported."),
        ),
        _ => (
            "ok",
            format!(
                "Поръчка №{id} е внесена (операция №{}, статус в магазина „{}“).",
                outcome.operation_id.unwrap_or_default(),
                outcome.shop_status.as_deref().unwrap_or("")
            ),
            format!(
                "Order #{id} imported (operation #{}, shop status \"{}\").",
                outcome.operation_id.unwrap_or_default(),
                outcome.shop_status.as_deref().unwrap_or("")
            ),
        ),
    };
    metrics::counter!("sklad_order_imports_total", "outcome" => outcome_key).increment(1);
    if outcome.state == "attention" {
        crate::alerts::raise(
            bridge,
            record.firm_id,
            record.connection_id,
            crate::alerts::Cause::Attention,
            &bg,
            &en,
        )
        .await;
    }
    let _ = bridge
        .store()
        .append_shop_journal(
            record.firm_id,
            record.connection_id,
            &sklad_store::shops::JournalNote {
                actor: "system".into(),
                action: "order".into(),
                outcome: outcome_key.into(),
                message_bg: bg,
                message_en: en,
                details: serde_json::json!({
                    "shop_order_id": id,
                    "state": outcome.state,
                    "operation_id": outcome.operation_id,
                }),
            },
        )
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(event: &str, body: &str) -> InboxItem {
        InboxItem {
            id: 1,
            firm_id: 1,
            connection_id: 1,
            event: event.into(),
            body: body.into(),
        }
    }

    #[test]
    fn x2_every_body_is_triaged_and_none_panics() {
        let order = triage(&item(
            "order.created",
            r#"[{"id":20417,"fees":[{"name":"Такса","amount":150}]}]"#,
        ));
        assert_eq!(
            order,
            Triage::Order {
                shop_order_id: "20417".into(),
                fees: Some(serde_json::json!([{"name":"Такса","amount":150}])),
            }
        );
        assert!(matches!(
            triage(&item("order.updated", r#"{"id":"7"}"#)),
            Triage::Order { .. }
        ));
        for garbage in [
            "",
            "[]",
            "null",
            "{",
            "[1]",
            r#"[{"status":"paid"}]"#,
            "\u{0}",
        ] {
            assert!(
                matches!(
                    triage(&item("order.updated", garbage)),
                    Triage::Unreadable { .. }
                ),
                "{garbage:?}"
            );
        }
        assert_eq!(
            triage(&item("product.deleted", r#"[{"id":812}]"#)),
            Triage::Product {
                shop_product_id: "812".into()
            }
        );
    }

    proptest::proptest! {
        /// X2 (fuzzed): whatever the body and the event, triage answers, and an order
        /// delivery is either an order with an id or kept as unreadable with its reason
        /// in both languages.
        #[test]
        fn x2_triage_never_panics(
            event in "(order|product)\\.[a-z]{0,8}",
            body in proptest::prop_oneof![
                proptest::prelude::any::<String>(),
                "\\[\\{\"id\":[0-9a-z\"]{0,6}(,\"fees\":(\\[\\]|null|1|\"x\"))?\\}\\]",
                "\\{\"id\":(-?[0-9]{1,20}|true|null|\\[\\]|\"[^\"]{0,5}\")\\}",
            ],
        ) {
            match triage(&item(&event, &body)) {
                Triage::Order { shop_order_id, .. } => {
                    proptest::prop_assert!(event.starts_with("order."));
                    proptest::prop_assert!(!shop_order_id.is_empty());
                }
                Triage::Product { .. } => proptest::prop_assert!(event.starts_with("product.")),
                Triage::Unreadable { reason_bg, reason_en } => {
                    proptest::prop_assert!(!reason_bg.is_empty() && !reason_en.is_empty());
                }
            }
        }
    }
}
