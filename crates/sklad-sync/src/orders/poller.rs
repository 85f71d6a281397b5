//! The order poller: the shop sends no webhook for some changes (a gateway's
//! `pending → paid`, its failures and timeouts, API.md §3.9) and a receiver can be down
//! for hours. So, on a schedule, at the order-read priority, it reads the orders changed
//! since the newest `updated_at` it has seen (`sort=-updated_at`, newest first, stopping
//! at the checkpoint — one cheap request on an idle shop), and the statuses of the
//! imported orders still waiting to become sales, and marks what changed dirty for the
//! importer.
//!
//! The first poll of a connection is its go-live: the orders still open in the shop
//! (pending, authorized, paid) are imported, so reservations are right from the start,
//! and the checkpoint is set to the newest order (none on a shop without orders: every
//! order after that is new).

use std::collections::{BTreeMap, BTreeSet};

use cloudcart::{Client, Query};
use sklad_domain::Id;
use sklad_store::shops::ShopConnection;

use crate::error::SyncResult;
use crate::Bridge;

/// Orders read per page of a poll.
const PAGE: u32 = 50;

/// Pages a poll reads at most (a receiver down for days catches up over several polls).
const MAX_PAGES: u32 = 40;

/// The statuses of a shop order that is still open at go-live.
const OPEN: [&str; 3] = ["pending", "authorized", "paid"];

/// Whether the connection's poll is due at `now`.
pub(crate) fn due(
    polled_at: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
    every: jiff::SignedDuration,
) -> bool {
    polled_at.is_none_or(|at| now.duration_since(at) >= every)
}

/// One poll of the connection.
pub(crate) async fn poll(bridge: &Bridge, connection: &ShopConnection) -> SyncResult<()> {
    let store = bridge.store();
    let client = bridge.client_of(connection).await?;
    let (seen_until, polled_at) = store.orders_checkpoint(connection.id).await?;
    let (changed, newest) = match polled_at {
        None => (go_live(&client).await?, newest_update(&client).await?),
        // A shop without any order at go-live: every order since is new.
        Some(_) => {
            let seen = seen_until.as_deref().unwrap_or_default();
            changed_since(store, connection, &client, seen).await?
        }
    };
    let mut dirty: BTreeSet<String> = changed.into_iter().collect();
    dirty.extend(left_their_status(store, connection.id, &client).await?);
    if !dirty.is_empty() {
        let ids: Vec<String> = dirty.into_iter().collect();
        store
            .mark_shop_orders_dirty(connection.firm_id, connection.id, &ids)
            .await?;
    }
    store
        .set_orders_checkpoint(connection.id, newest.as_deref())
        .await?;
    Ok(())
}

/// The open orders of the shop (go-live).
async fn go_live(client: &Client) -> SyncResult<Vec<String>> {
    let mut ids = Vec::new();
    for status in OPEN {
        let mut pages = client.orders(
            Query::new()
                .filter("status", status)
                .fields("orders", &["status", "updated_at"]),
        );
        while let Some(page) = pages.next_page().await? {
            ids.extend(page.items.into_iter().map(|o| o.id));
        }
    }
    Ok(ids)
}

/// The newest `updated_at` of the shop's orders.
async fn newest_update(client: &Client) -> SyncResult<Option<String>> {
    Ok(client
        .orders(
            Query::new()
                .sort("-updated_at")
                .page_size(1)
                .fields("orders", &["updated_at"]),
        )
        .next_page()
        .await?
        .and_then(|p| p.items.into_iter().next())
        .and_then(|o| o.attributes.updated_at))
}

/// The orders updated after `seen` whose `updated_at` differs from what was last
/// imported, and the newest `updated_at` read.
async fn changed_since(
    store: &sklad_store::Store,
    connection: &ShopConnection,
    client: &Client,
    seen: &str,
) -> SyncResult<(Vec<String>, Option<String>)> {
    let mut pages = client.orders(
        Query::new()
            .sort("-updated_at")
            .page_size(PAGE)
            .fields("orders", &["updated_at", "status"]),
    );
    let mut newest: Option<String> = None;
    let mut changed = Vec::new();
    let mut read = 0;
    'pages: while let Some(page) = pages.next_page().await? {
        read += 1;
        for o in page.items {
            let updated = o.attributes.updated_at.clone().unwrap_or_default();
            if newest.as_deref().is_none_or(|n| updated.as_str() > n) {
                newest = Some(updated.clone());
            }
            if updated.as_str() < seen {
                break 'pages;
            }
            let known = store
                .shop_order(connection.firm_id, connection.id, &o.id)
                .await
                .ok()
                .and_then(|r| r.shop_updated_at);
            if known.as_deref() != Some(updated.as_str()) {
                changed.push(o.id);
            }
        }
        if read >= MAX_PAGES {
            break;
        }
    }
    Ok((changed, newest))
}

/// Imported orders still waiting to become sales whose status in the shop is no longer
/// the one last read (a gateway's `pending → paid` sends no webhook): one listing per
/// status they were last seen in.
async fn left_their_status(
    store: &sklad_store::Store,
    connection_id: Id,
    client: &Client,
) -> SyncResult<Vec<String>> {
    let mut by_status: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, status) in store.open_shop_orders(connection_id).await? {
        by_status.entry(status).or_default().insert(id);
    }
    let mut left = Vec::new();
    for (status, mut ours) in by_status {
        if status.is_empty() {
            left.extend(ours);
            continue;
        }
        let mut pages = client.orders(
            Query::new()
                .filter("status", status.as_str())
                .fields("orders", &["status"]),
        );
        while let Some(page) = pages.next_page().await? {
            for o in page.items {
                ours.remove(&o.id);
            }
        }
        left.extend(ours);
    }
    Ok(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_is_due_first_and_then_every_interval() {
        let now: jiff::Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
        let every = jiff::SignedDuration::from_mins(5);
        assert!(due(None, now, every));
        assert!(!due(
            Some(now - jiff::SignedDuration::from_mins(4)),
            now,
            every
        ));
        assert!(due(
            Some(now - jiff::SignedDuration::from_mins(5)),
            now,
            every
        ));
    }
}
