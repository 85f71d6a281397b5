//! Stock changes inside one write transaction: levels are read once (in one query),
//! movements applied in memory, then checked against the firm's negative-stock
//! setting and written as stock levels, ledger rows and outbox rows together.

use std::collections::{BTreeMap, BTreeSet};

use sklad_domain::stock::{insufficient_stock, Movement};
use sklad_domain::{Id, Quantity, ValidationErrors};

use crate::db::{get, ts_text, Sql};
use crate::writes::{Cell, Insert, Writes};
use crate::StoreResult;

/// Goods per level query (the objects are few).
const GOODS_PER_QUERY: usize = 5_000;

#[derive(Debug, Clone, Copy)]
struct Level {
    on_hand: Quantity,
    reserved: Quantity,
}

const UNSTORED: Level = Level {
    on_hand: Quantity::ZERO,
    reserved: Quantity::ZERO,
};

/// The operation a ledger row belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OperationRef {
    Stored(Id),
    /// The operation the same write inserts.
    New,
}

/// Pending stock changes of one transaction.
#[derive(Debug, Default)]
pub(crate) struct StockChanges {
    original: BTreeMap<(Id, Id), Level>,
    current: BTreeMap<(Id, Id), Level>,
    ledger: Vec<(OperationRef, Movement)>,
}

impl StockChanges {
    /// Records the stored level of (object, good) read by the caller (`None`: no
    /// stock row yet), unless it is known already.
    pub fn known(&mut self, object_id: Id, good_id: Id, stored: Option<(Quantity, Quantity)>) {
        let level = match stored {
            Some((on_hand, reserved)) => Level { on_hand, reserved },
            None => UNSTORED,
        };
        self.original.entry((object_id, good_id)).or_insert(level);
        self.current.entry((object_id, good_id)).or_insert(level);
    }

    /// Reads the stored levels of those of `keys` not known yet, in one query per
    /// [`GOODS_PER_QUERY`] goods.
    pub async fn load(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        keys: impl IntoIterator<Item = (Id, Id)>,
    ) -> StoreResult<()> {
        let missing: BTreeSet<(Id, Id)> = keys
            .into_iter()
            .filter(|key| !self.current.contains_key(key))
            .collect();
        let objects: Vec<Id> = missing
            .iter()
            .map(|k| k.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let goods: Vec<Id> = missing
            .iter()
            .map(|k| k.1)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for chunk in goods.chunks(GOODS_PER_QUERY) {
            let mut sql = Sql::new(
                "SELECT object_id, good_id, on_hand, reserved FROM stock WHERE object_id IN ",
            );
            sql.id_list(&objects)
                .push(" AND good_id IN ")
                .id_list(chunk);
            for row in sql.query().fetch_all(&mut *conn).await? {
                let key = (get(&row, "object_id")?, get(&row, "good_id")?);
                if missing.contains(&key) {
                    let level = (
                        Quantity(get(&row, "on_hand")?),
                        Quantity(get(&row, "reserved")?),
                    );
                    self.known(key.0, key.1, Some(level));
                }
            }
        }
        for (object_id, good_id) in missing {
            self.known(object_id, good_id, None);
        }
        Ok(())
    }

    /// The in-memory on hand of a level already read.
    pub fn on_hand(&self, object_id: Id, good_id: Id) -> Quantity {
        self.current
            .get(&(object_id, good_id))
            .map(|l| l.on_hand)
            .unwrap_or_default()
    }

    /// Applies `movements` of `operation` in memory (reading the levels not known yet).
    pub async fn apply(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        operation: OperationRef,
        movements: &[Movement],
    ) -> StoreResult<()> {
        self.load(conn, movements.iter().map(|m| (m.object_id, m.good_id)))
            .await?;
        for m in movements {
            if let Some(level) = self.current.get_mut(&(m.object_id, m.good_id)) {
                level.on_hand = level.on_hand + m.on_hand;
                level.reserved = level.reserved + m.reserved;
            }
            self.ledger.push((operation, *m));
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

    fn touched(&self) -> BTreeSet<(Id, Id)> {
        self.ledger
            .iter()
            .map(|(_, m)| (m.object_id, m.good_id))
            .collect()
    }

    /// Refuses the changes when the firm does not allow negative stock and a level
    /// whose on hand went down ends below zero.
    pub fn check(&self, allow_negative: bool) -> StoreResult<()> {
        if allow_negative {
            return Ok(());
        }
        let mut errors = ValidationErrors::new();
        for key in &self.touched() {
            let (before, after) = (self.original[key], self.current[key]);
            let delta = after.on_hand - before.on_hand;
            if delta < Quantity::ZERO && after.on_hand < Quantity::ZERO {
                errors.push(insufficient_stock(key.1, before.on_hand, -delta));
            }
        }
        Ok(errors.into_result(())?)
    }

    /// Adds the rows of the changes to `writes`: the levels (inserted or replaced),
    /// one outbox row per touched (object, good) and the ledger rows.
    pub fn write(self, writes: &mut Writes, firm_id: Id, now: jiff::Timestamp) {
        let at = ts_text(now);
        let mut levels = Insert::new(
            "INSERT INTO stock (firm_id, object_id, good_id, on_hand, reserved) VALUES ",
            " ON CONFLICT (object_id, good_id) DO UPDATE SET on_hand = excluded.on_hand, \
             reserved = excluded.reserved",
        );
        let mut outbox = Insert::new(
            "INSERT INTO outbox_stock_changes (firm_id, object_id, good_id, created_at) VALUES ",
            "",
        );
        for key in self.touched() {
            let after = self.current[&key];
            levels.row(vec![
                firm_id.into(),
                key.0.into(),
                key.1.into(),
                after.on_hand.milli().into(),
                after.reserved.milli().into(),
            ]);
            outbox.row(vec![
                firm_id.into(),
                key.0.into(),
                key.1.into(),
                at.as_str().into(),
            ]);
        }
        let mut ledger = Insert::new(
            "INSERT INTO stock_ledger (firm_id, operation_id, object_id, good_id, on_hand_delta, \
             reserved_delta, at) VALUES ",
            "",
        );
        for (operation, m) in &self.ledger {
            ledger.row(vec![
                firm_id.into(),
                match operation {
                    OperationRef::Stored(id) => (*id).into(),
                    OperationRef::New => Cell::NewOperation,
                },
                m.object_id.into(),
                m.good_id.into(),
                m.on_hand.milli().into(),
                m.reserved.milli().into(),
                at.as_str().into(),
            ]);
        }
        writes.push(levels);
        writes.push(outbox);
        writes.push(ledger);
    }
}
