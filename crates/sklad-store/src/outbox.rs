//! The outbox of "stock changed" rows the shop bridge consumes.

use sklad_domain::Id;

use crate::{StockChange, Store, StoreResult};

impl Store {
    /// The oldest unacknowledged stock changes (all firms), at most `limit`.
    pub async fn pending_stock_changes(&self, limit: i64) -> StoreResult<Vec<StockChange>> {
        let _ = limit;
        todo!()
    }

    /// Acknowledges (deletes) the given outbox rows.
    pub async fn ack_stock_changes(&self, ids: &[Id]) -> StoreResult<()> {
        let _ = ids;
        todo!()
    }
}
