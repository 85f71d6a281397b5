//! The outbox of "stock changed" rows the shop bridge consumes.
//!
//! Every write that changes stock adds, in the same transaction, one row per touched
//! (object, good) to `outbox_stock_changes` (see the ledger module), so the outbox
//! never misses a change and never reports one that was rolled back. The rows say
//! only *which* stock changed; the consumer reads the current quantities itself,
//! so several rows for one (object, good) collapse into one push.
//!
//! How the bridge consumes it:
//!
//! 1. [`Store::claim_stock_changes`] takes up to `limit` free rows, oldest first,
//!    and leases them for [`STOCK_CHANGE_CLAIM_LEASE`] (time from the store's
//!    clock). Concurrent claimers never get the same row: on PostgreSQL the claim
//!    skips rows another claimer holds (`FOR UPDATE SKIP LOCKED`); on SQLite the
//!    store's write lock serialises claims.
//! 2. The bridge reads the available quantities of the claimed (object, good)s
//!    ([`Store::available`]) and pushes them to the shop.
//! 3. It acknowledges what it pushed with [`Store::ack_stock_changes`], which deletes
//!    the rows. A consumer that dies before acknowledging loses nothing: when the
//!    lease runs out the rows are free again and the next claim takes them (a push
//!    may then repeat, which is harmless since it sends current quantities).
//!
//! [`Store::pending_stock_changes`] only looks (claimed or not) and claims nothing.

use sklad_domain::Id;

use crate::db::{get, ts_text, Sql};
use crate::{Engine, StockChange, Store, StoreResult};

/// How long a claim holds its rows before they are free to be claimed again.
pub const STOCK_CHANGE_CLAIM_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);

fn change_from_row(row: &sqlx::any::AnyRow) -> StoreResult<StockChange> {
    Ok(StockChange {
        id: get(row, "id")?,
        firm_id: get(row, "firm_id")?,
        object_id: get(row, "object_id")?,
        good_id: get(row, "good_id")?,
    })
}

impl Store {
    /// The oldest unacknowledged stock changes (all firms, claimed or not), at most
    /// `limit` (clamped to 1..=10000). Claims nothing.
    pub async fn pending_stock_changes(&self, limit: i64) -> StoreResult<Vec<StockChange>> {
        let rows = sqlx::query(
            "SELECT id, firm_id, object_id, good_id FROM outbox_stock_changes ORDER BY id LIMIT $1",
        )
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    /// Claims the oldest free stock changes (all firms), at most `limit` (clamped to
    /// 1..=10000), for [`STOCK_CHANGE_CLAIM_LEASE`]; oldest first. A row is free when
    /// never claimed or its lease has run out. Concurrent claimers never get the same
    /// row. Acknowledge what was pushed with [`Store::ack_stock_changes`].
    pub async fn claim_stock_changes(&self, limit: i64) -> StoreResult<Vec<StockChange>> {
        let now = self.now();
        let until = ts_text(now.saturating_add(STOCK_CHANGE_CLAIM_LEASE).unwrap_or(now));
        let skip_locked = match self.engine {
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            Engine::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox_stock_changes SET claimed_until = $1 WHERE id IN \
             (SELECT id FROM outbox_stock_changes \
              WHERE claimed_until IS NULL OR claimed_until <= $2 \
              ORDER BY id LIMIT $3{skip_locked}) \
             RETURNING id, firm_id, object_id, good_id"
        );
        let mut w = self.write_redoable().await?;
        let rows = sqlx::query(&sql)
            .bind(until)
            .bind(ts_text(now))
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&mut *w.tx)
            .await?;
        let mut changes = rows
            .iter()
            .map(change_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        w.commit().await?;
        changes.sort_by_key(|c| c.id);
        Ok(changes)
    }

    /// Acknowledges (deletes) the given outbox rows; unknown ids are ignored.
    pub async fn ack_stock_changes(&self, ids: &[Id]) -> StoreResult<()> {
        let mut w = self.write_redoable().await?;
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new("DELETE FROM outbox_stock_changes WHERE id IN ");
            sql.id_list(chunk);
            sql.query().execute(&mut *w.tx).await?;
        }
        w.commit().await
    }
}
