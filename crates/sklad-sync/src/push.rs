//! Stock and prices to the shop within seconds (SPEC G6, X1, X7; issue 9): the pusher
//! of a connection writes the due links whose warehouse value differs from the shop's
//! tracked value, and only those, through the shop's one rate limiter.
//!
//! - A link is due when something may have changed its value (see
//!   `sklad_store::shops::push`); the stock outbox is absorbed into due links first.
//! - Due links are compared in rounds of up to [`DUE_PER_ROUND`]; those that already
//!   match are settled without a call (ten sales of one good are one due link, so one
//!   write with the final value); the rest are written most urgent first — sold out,
//!   then falling low, then oldest first — [`WRITES_PER_ROUND`] at a time, so a change
//!   that arrives during a long backlog still goes out early.
//! - The client's limiter paces every write below the shop's limit (it learns the
//!   limit and follows `X-RateLimit-Remaining`); a refusal or an outage ends the round
//!   with everything not written still due, for the next round.
//! - A variant the shop no longer has retires its link, in the journal.
//! - Nothing is written for a connection not in use, with auto-sync off, or before its
//!   merchant confirmed the first-push preview.

use std::collections::HashMap;

use cloudcart::models::catalogue::{Stock, VariantUpdate};
use cloudcart::Decimal3;
use sklad_domain::model::GoodKind;
use sklad_domain::shop::price::{firm_price_to_shop, ShopPricing};
use sklad_domain::shop::push::{urgency, wanted_update, LinkFacts, WantedUpdate};
use sklad_domain::Id;
use sklad_store::shops::{DueLink, JournalNote, PushSettled, ShopConnection};

use crate::error::{SyncError, SyncResult};
use crate::jobs::JobKind;
use crate::Bridge;

/// Due links compared per round: the urgent ones are found among these, so a backlog of
/// up to this many still sends what sold out first (beyond it, among the oldest this
/// many). Comparing 10 000 links costs one availability query, well under a second.
pub(crate) const DUE_PER_ROUND: i64 = 10_000;

/// Variants written per round before the due links are read again.
pub(crate) const WRITES_PER_ROUND: usize = 20;

/// Outbox rows absorbed per call.
const ABSORB_BATCH: i64 = 5000;

/// Whether the connection's values may go to the shop now.
pub(crate) fn may_push(connection: &ShopConnection) -> bool {
    connection.active
        && connection.settings.auto_sync
        && connection.first_push_confirmed_at.is_some()
}

/// Turns the whole stock outbox into due links.
pub(crate) async fn absorb(bridge: &Bridge) -> SyncResult<()> {
    while bridge.store().absorb_stock_changes(ABSORB_BATCH).await? > 0 {}
    Ok(())
}

/// What the pusher knows of a connection's warehouse side for one round.
pub(crate) struct Side {
    firm_id: Id,
    feeding: Vec<Id>,
    group: sklad_domain::PriceGroup,
    firm_currency: sklad_domain::Currency,
    pricing: ShopPricing,
}

impl Side {
    /// The connection's objects, price group and currencies, as now stored.
    pub(crate) async fn of(bridge: &Bridge, connection: &ShopConnection) -> SyncResult<Side> {
        let store = bridge.store();
        let objects = store.objects(connection.firm_id).await?;
        let firm = store.firm(connection.firm_id).await?;
        Ok(Side {
            firm_id: connection.firm_id,
            feeding: connection.settings.feed.object_ids(&objects),
            group: connection.settings.price_group(&objects),
            firm_currency: firm.currency,
            pricing: ShopPricing {
                currency: connection.currency,
                with_vat: connection.prices_with_vat,
            },
        })
    }

    /// The price group the shop's prices come from (SPEC G1).
    pub(crate) fn group(&self) -> sklad_domain::PriceGroup {
        self.group
    }

    /// The facts of each due link, with the goods' availability read once.
    pub(crate) async fn facts(
        &self,
        bridge: &Bridge,
        due: &[DueLink],
    ) -> SyncResult<Vec<LinkFacts>> {
        let goods: Vec<Id> = due.iter().map(|d| d.good_id).collect();
        let available: HashMap<Id, i64> = bridge
            .store()
            .available_of(self.firm_id, &self.feeding, &goods)
            .await?
            .into_iter()
            .map(|a| (a.good_id, a.available.milli()))
            .collect();
        Ok(due
            .iter()
            .map(|d| LinkFacts {
                excluded: d.sync_excluded,
                unlimited: d.shop_unlimited,
                stocked: d.kind == GoodKind::Good && d.active,
                available: available.get(&d.good_id).copied().unwrap_or(0),
                price: d.price.map(|gross| {
                    firm_price_to_shop(gross, self.firm_currency, self.pricing, d.vat_rate)
                }),
                shop_quantity: d.shop_quantity,
                shop_price: d.shop_price,
            })
            .collect())
    }
}

fn settled(d: &DueLink, update: WantedUpdate) -> PushSettled {
    PushSettled {
        shop_variant_id: d.shop_variant_id.clone(),
        push_version: d.push_version,
        quantity: update.quantity,
        price: update.price,
    }
}

/// Writes the connection's due links until none differ, or the shop refuses.
pub(crate) async fn push(bridge: &Bridge, connection: &ShopConnection) -> SyncResult<()> {
    let store = bridge.store();
    let side = Side::of(bridge, connection).await?;
    let client = bridge.client_of(connection).await?;
    let gate = bridge.import_gate(connection.id);
    loop {
        // Compared while no import of the connection is half-way (see `orders::import`).
        let comparing = gate.write().await;
        let due = store
            .due_links(connection.id, side.group, DUE_PER_ROUND)
            .await?;
        if due.is_empty() {
            return Ok(());
        }
        let facts = side.facts(bridge, &due).await?;
        drop(comparing);
        let mut quiet = Vec::new();
        let mut writes = Vec::new();
        for (d, f) in due.iter().zip(&facts) {
            let update = wanted_update(f);
            if update.is_empty() {
                quiet.push(settled(d, update));
            } else {
                writes.push((urgency(f, &update), d, update));
            }
        }
        store.settle_pushes(connection.id, &quiet, 0).await?;
        if writes.is_empty() {
            continue;
        }
        writes.sort_by_key(|w| (w.0, w.1.due_since));
        tracing::info!(
            differing = writes.len(),
            "writing quantities and prices to the shop"
        );
        let mut done = Vec::new();
        let mut calls = 0;
        let mut failure = None;
        for (_, d, update) in writes.into_iter().take(WRITES_PER_ROUND) {
            calls += 1;
            let write = VariantUpdate {
                quantity: update
                    .quantity
                    .map(|q| Stock::Counted(Decimal3::from_thousandths(q))),
                price: update.price,
            };
            match client.update_variant(&d.shop_variant_id, &write).await {
                Ok(_) => {
                    if let Some(since) = d.due_since {
                        let waited = store.clock().now().duration_since(since);
                        metrics::histogram!("sklad_push_freshness_seconds")
                            .record(waited.as_secs_f64().max(0.0));
                    }
                    done.push(settled(d, update));
                }
                Err(cloudcart::Error::NotFound { .. }) => {
                    retire(bridge, connection, d).await?;
                }
                Err(e) if e.is_transient() => {
                    failure = Some(e);
                    break;
                }
                Err(e) => {
                    // The shop refuses this value for good (a validation error): say so
                    // and settle it, so it does not block the others; the next change
                    // or pass tries again.
                    refused(bridge, connection, d, &e).await?;
                    done.push(settled(d, WantedUpdate::default()));
                }
            }
        }
        store.settle_pushes(connection.id, &done, calls).await?;
        tracing::info!(
            variants = done.len(),
            calls,
            "quantities and prices written to the shop"
        );
        if let Some(e) = failure {
            return Err(SyncError::Shop(e));
        }
    }
}

/// The shop no longer has the variant: its link goes, in the journal.
async fn retire(bridge: &Bridge, connection: &ShopConnection, d: &DueLink) -> SyncResult<()> {
    let retired = bridge
        .store()
        .retire_shop_links(connection.id, std::slice::from_ref(&d.shop_variant_id))
        .await?;
    if !retired.is_empty() {
        journal_retired(bridge, connection, &retired).await?;
    }
    Ok(())
}

/// Journals links retired because the shop no longer has their variants.
pub(crate) async fn journal_retired(
    bridge: &Bridge,
    connection: &ShopConnection,
    retired: &[(String, Id)],
) -> SyncResult<()> {
    let variants: Vec<&str> = retired.iter().map(|(v, _)| v.as_str()).collect();
    bridge
        .store()
        .append_shop_journal(
            connection.firm_id,
            connection.id,
            &JournalNote {
                actor: "system".into(),
                action: "link_retired".into(),
                outcome: "warning".into(),
                message_bg: format!(
                    "Магазинът вече няма вариант(и) {}: връзката със стоката е премахната.",
                    variants.join(", ")
                ),
                message_en: format!(
                    "The shop no longer has variant(s) {}: the link to the good was removed.",
                    variants.join(", ")
                ),
                details: serde_json::json!({ "retired": retired }),
            },
        )
        .await?;
    Ok(())
}

/// Journals a value the shop refused.
async fn refused(
    bridge: &Bridge,
    connection: &ShopConnection,
    d: &DueLink,
    e: &cloudcart::Error,
) -> SyncResult<()> {
    bridge
        .store()
        .append_shop_journal(
            connection.firm_id,
            connection.id,
            &JournalNote {
                actor: "system".into(),
                action: "push".into(),
                outcome: "error".into(),
                message_bg: format!(
                    "Магазинът отказа стойностите на вариант {}: {}",
                    d.shop_variant_id,
                    e.message_bg()
                ),
                message_en: format!(
                    "The shop refused the values of variant {}: {}",
                    d.shop_variant_id,
                    e.message_en()
                ),
                details: serde_json::json!({ "variant": d.shop_variant_id, "good": d.good_id, "code": e.code() }),
            },
        )
        .await?;
    Ok(())
}

/// Whether something last done at `last` is due again at `now`.
fn due_again(
    last: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
    every: jiff::SignedDuration,
) -> bool {
    last.is_none_or(|at| now.duration_since(at) >= every)
}

/// Longest wait after failed pushes in a row.
const MAX_BACKOFF: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// For each connection this process holds whose values may go to the shop: starts the
/// full pass and the reconciliation when they are due, and a pusher when none runs and
/// the last one did not just fail.
pub(crate) async fn schedule(
    bridge: &Bridge,
    active: &[(Id, ShopConnection)],
    held: &[String],
) -> SyncResult<()> {
    let store = bridge.store();
    let config = bridge.config();
    let now = store.clock().now();
    for (firm_id, connection) in active {
        if !held.contains(&connection.shop_host) || !may_push(connection) {
            continue;
        }
        if due_again(
            store.push_pass_at(connection.id).await?,
            now,
            config.push_pass_interval,
        ) {
            store.start_push_pass(*firm_id, connection.id).await?;
        }
        let last =
            crate::jobs::last_run(bridge, *firm_id, connection.id, &[JobKind::Reconcile]).await?;
        if due_again(last, now, config.reconcile_interval) {
            crate::jobs::queue_system_job(bridge, *firm_id, connection.id, JobKind::Reconcile)
                .await?;
        }
        let waiting = bridge
            .lock(&bridge.inner.push_backoff)
            .get(&connection.id)
            .is_some_and(|(until, _)| now < *until);
        if waiting
            || !store.has_due_links(connection.id).await?
            || !bridge.lock(&bridge.inner.pushing).insert(connection.id)
        {
            continue;
        }
        spawn_push(bridge, connection.clone());
    }
    Ok(())
}

fn spawn_push(bridge: &Bridge, connection: ShopConnection) {
    let bridge = bridge.clone();
    let span = tracing::info_span!("push", connection = connection.id);
    tokio::spawn(tracing::Instrument::instrument(
        async move {
            let result = push(&bridge, &connection).await;
            if let Err(e) = &result {
                crate::alerts::raise_for(&bridge, connection.firm_id, connection.id, e).await;
            }
            let now = bridge.store().clock().now();
            let mut backoff = bridge.lock(&bridge.inner.push_backoff);
            match result {
                Ok(()) => {
                    backoff.remove(&connection.id);
                }
                Err(e) => {
                    // 30 s, 1, 2, 4 minutes, then every 5: the changes stay due.
                    let failures = backoff.get(&connection.id).map_or(0, |(_, n)| *n) + 1;
                    let wait =
                        jiff::SignedDuration::from_secs(15 << failures.min(5)).min(MAX_BACKOFF);
                    tracing::warn!(
                        code = e.code(),
                        failures,
                        "push to the shop put off: {}",
                        e.message_en()
                    );
                    backoff.insert(
                        connection.id,
                        (now.checked_add(wait).unwrap_or(now), failures),
                    );
                }
            }
            drop(backoff);
            bridge.lock(&bridge.inner.pushing).remove(&connection.id);
            bridge.inner.job_done.notify_waiters();
        },
        span,
    ));
}
