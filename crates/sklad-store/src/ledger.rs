//! Stock changes inside one write transaction: levels are read once, movements
//! applied in memory, then checked against the firm's negative-stock setting and
//! written as stock levels, ledger rows and outbox rows together.

use std::collections::{BTreeMap, BTreeSet};

use sklad_domain::stock::{insufficient_stock, Movement};
use sklad_domain::{Id, Quantity, ValidationErrors};

use crate::db::{get, ts_text};
use crate::StoreResult;

#[derive(Debug, Clone, Copy)]
struct Level {
    on_hand: Quantity,
    reserved: Quantity,
    stored: bool,
}

/// Pending stock changes of one transaction.
#[derive(Debug, Default)]
pub(crate) struct StockChanges {
    original: BTreeMap<(Id, Id), Level>,
    current: BTreeMap<(Id, Id), Level>,
    ledger: Vec<(Id, Movement)>,
}

impl StockChanges {
    /// Current on hand and reserved of (object, good), reading the stored level once.
    pub async fn level(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        object_id: Id,
        good_id: Id,
    ) -> StoreResult<(Quantity, Quantity)> {
        let key = (object_id, good_id);
        if !self.current.contains_key(&key) {
            let row = sqlx::query(
                "SELECT on_hand, reserved FROM stock WHERE object_id = $1 AND good_id = $2",
            )
            .bind(object_id)
            .bind(good_id)
            .fetch_optional(&mut *conn)
            .await?;
            let level = match row {
                Some(row) => Level {
                    on_hand: Quantity(get(&row, "on_hand")?),
                    reserved: Quantity(get(&row, "reserved")?),
                    stored: true,
                },
                None => Level {
                    on_hand: Quantity::ZERO,
                    reserved: Quantity::ZERO,
                    stored: false,
                },
            };
            self.original.insert(key, level);
            self.current.insert(key, level);
        }
        let level = self.current[&key];
        Ok((level.on_hand, level.reserved))
    }

    /// The in-memory on hand of a level already read with [`Self::level`].
    pub fn on_hand(&self, object_id: Id, good_id: Id) -> Quantity {
        self.current
            .get(&(object_id, good_id))
            .map(|l| l.on_hand)
            .unwrap_or_default()
    }

    /// Applies `movements` of operation `operation_id` in memory.
    pub async fn apply(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        operation_id: Id,
        movements: &[Movement],
    ) -> StoreResult<()> {
        for m in movements {
            self.level(conn, m.object_id, m.good_id).await?;
            if let Some(level) = self.current.get_mut(&(m.object_id, m.good_id)) {
                level.on_hand = level.on_hand + m.on_hand;
                level.reserved = level.reserved + m.reserved;
            }
            self.ledger.push((operation_id, *m));
        }
        Ok(())
    }

    /// The net movements operation `operation_id` has recorded in the ledger, one per
    /// (object, good) with a non-zero net effect.
    pub async fn recorded_by(
        conn: &mut sqlx::AnyConnection,
        operation_id: Id,
    ) -> StoreResult<Vec<Movement>> {
        let rows = sqlx::query(
            "SELECT object_id, good_id, CAST(COALESCE(SUM(on_hand_delta), 0) AS BIGINT) AS on_hand, \
             CAST(COALESCE(SUM(reserved_delta), 0) AS BIGINT) AS reserved \
             FROM stock_ledger WHERE operation_id = $1 GROUP BY object_id, good_id \
             ORDER BY object_id, good_id",
        )
        .bind(operation_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let m = Movement {
                object_id: get(&row, "object_id")?,
                good_id: get(&row, "good_id")?,
                on_hand: Quantity(get(&row, "on_hand")?),
                reserved: Quantity(get(&row, "reserved")?),
            };
            if !(m.on_hand.is_zero() && m.reserved.is_zero()) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Checks negative stock (when not allowed: a level whose on hand went down and
    /// ends below zero), then writes levels, ledger rows and one outbox row per
    /// touched (object, good).
    pub async fn flush(
        self,
        conn: &mut sqlx::AnyConnection,
        firm_id: Id,
        allow_negative: bool,
        now: jiff::Timestamp,
    ) -> StoreResult<()> {
        let touched: BTreeSet<(Id, Id)> = self
            .ledger
            .iter()
            .map(|(_, m)| (m.object_id, m.good_id))
            .collect();
        if !allow_negative {
            let mut errors = ValidationErrors::new();
            for key in &touched {
                let (before, after) = (self.original[key], self.current[key]);
                let delta = after.on_hand - before.on_hand;
                if delta < Quantity::ZERO && after.on_hand < Quantity::ZERO {
                    errors.push(insufficient_stock(key.1, before.on_hand, -delta));
                }
            }
            errors.into_result(())?;
        }
        let at = ts_text(now);
        for key in &touched {
            let (before, after) = (self.original[key], self.current[key]);
            if before.stored {
                sqlx::query("UPDATE stock SET on_hand = $1, reserved = $2 WHERE object_id = $3 AND good_id = $4")
                    .bind(after.on_hand.milli())
                    .bind(after.reserved.milli())
                    .bind(key.0)
                    .bind(key.1)
                    .execute(&mut *conn)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO stock (firm_id, object_id, good_id, on_hand, reserved) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(firm_id)
                .bind(key.0)
                .bind(key.1)
                .bind(after.on_hand.milli())
                .bind(after.reserved.milli())
                .execute(&mut *conn)
                .await?;
            }
            sqlx::query(
                "INSERT INTO outbox_stock_changes (firm_id, object_id, good_id, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(firm_id)
            .bind(key.0)
            .bind(key.1)
            .bind(&at)
            .execute(&mut *conn)
            .await?;
        }
        for (operation_id, m) in &self.ledger {
            sqlx::query(
                "INSERT INTO stock_ledger (firm_id, operation_id, object_id, good_id, on_hand_delta, \
                 reserved_delta, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(firm_id)
            .bind(*operation_id)
            .bind(m.object_id)
            .bind(m.good_id)
            .bind(m.on_hand.milli())
            .bind(m.reserved.milli())
            .bind(&at)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}
