//! Goods (Стоки) with their barcodes and prices per price group.

use sklad_domain::model::{Good, GoodInput};
use sklad_domain::Id;

use crate::{GoodFilter, Page, Store, StoreResult};

impl Store {
    /// Creates a good. A code or barcode already used in the firm is
    /// `code_duplicate` / `barcode_duplicate` on `code` / `barcodes[i]`.
    pub async fn create_good(&self, firm_id: Id, input: &GoodInput) -> StoreResult<Good> {
        let _ = (firm_id, input);
        todo!()
    }

    /// The good.
    pub async fn good(&self, firm_id: Id, good_id: Id) -> StoreResult<Good> {
        let _ = (firm_id, good_id);
        todo!()
    }

    /// Replaces the good's fields, barcodes and prices.
    pub async fn update_good(
        &self,
        firm_id: Id,
        good_id: Id,
        input: &GoodInput,
    ) -> StoreResult<Good> {
        let _ = (firm_id, good_id, input);
        todo!()
    }

    /// Deletes a good no operation refers to (else `good_in_use`: make it inactive).
    pub async fn delete_good(&self, firm_id: Id, good_id: Id) -> StoreResult<()> {
        let _ = (firm_id, good_id);
        todo!()
    }

    /// The good with this main code.
    pub async fn good_by_code(&self, firm_id: Id, code: &str) -> StoreResult<Good> {
        let _ = (firm_id, code);
        todo!()
    }

    /// The good with this barcode.
    pub async fn good_by_barcode(&self, firm_id: Id, barcode: &str) -> StoreResult<Good> {
        let _ = (firm_id, barcode);
        todo!()
    }

    /// Goods matching the filter, by code.
    pub async fn goods(&self, firm_id: Id, filter: &GoodFilter) -> StoreResult<Page<Good>> {
        let _ = (firm_id, filter);
        todo!()
    }
}
