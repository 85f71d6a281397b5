//! Stock levels, availability over objects, and the ledger.

use sklad_domain::stock::StockLevel;
use sklad_domain::Id;

use crate::{Availability, LedgerEntry, Store, StoreResult};

impl Store {
    /// Stock of every good held (or reserved) at the object.
    pub async fn stock_of_object(
        &self,
        firm_id: Id,
        object_id: Id,
    ) -> StoreResult<Vec<StockLevel>> {
        let _ = (firm_id, object_id);
        todo!()
    }

    /// Stock of the good in every object of the firm where it has a level.
    pub async fn stock_of_good(&self, firm_id: Id, good_id: Id) -> StoreResult<Vec<StockLevel>> {
        let _ = (firm_id, good_id);
        todo!()
    }

    /// On hand, reserved and available of every stocked good (kind good, services
    /// left out) summed over `object_ids`, by good id. Goods without stock there
    /// appear with zeros. Objects of other firms count as nothing.
    pub async fn available(
        &self,
        firm_id: Id,
        object_ids: &[Id],
    ) -> StoreResult<Vec<Availability>> {
        let _ = (firm_id, object_ids);
        todo!()
    }

    /// The ledger of (object, good), oldest first.
    pub async fn ledger(
        &self,
        firm_id: Id,
        object_id: Id,
        good_id: Id,
    ) -> StoreResult<Vec<LedgerEntry>> {
        let _ = (firm_id, object_id, good_id);
        todo!()
    }
}
