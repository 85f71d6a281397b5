//! The outbox of "stock changed" rows the shop bridge consumes.

use sklad_domain::Id;

use crate::db::{get, Sql};
use crate::{StockChange, Store, StoreResult};

impl Store {
    /// The oldest unacknowledged stock changes (all firms), at most `limit`
    /// (clamped to 1..=10000).
    pub async fn pending_stock_changes(&self, limit: i64) -> StoreResult<Vec<StockChange>> {
        let rows = sqlx::query(
            "SELECT id, firm_id, object_id, good_id FROM outbox_stock_changes ORDER BY id LIMIT $1",
        )
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StockChange {
                    id: get(row, "id")?,
                    firm_id: get(row, "firm_id")?,
                    object_id: get(row, "object_id")?,
                    good_id: get(row, "good_id")?,
                })
            })
            .collect()
    }

    /// Acknowledges (deletes) the given outbox rows; unknown ids are ignored.
    pub async fn ack_stock_changes(&self, ids: &[Id]) -> StoreResult<()> {
        let mut w = self.write().await?;
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new("DELETE FROM outbox_stock_changes WHERE id IN ");
            sql.id_list(chunk);
            sql.query().execute(&mut *w.tx).await?;
        }
        w.commit().await
    }
}
