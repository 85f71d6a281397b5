//! Operations: create, edit, annul, convert an order into a sale. Every change of
//! stock writes the stock levels, one ledger row per movement and one outbox row per
//! touched (object, good), in one transaction.

use sklad_domain::operation::{Operation, OperationDraft};
use sklad_domain::Id;

use crate::{OperationFilter, Page, Store, StoreResult};

impl Store {
    /// Validates the draft (domain rules; object, target object, partner, payment
    /// type and goods of this firm; currency of the firm; stock unless the firm
    /// allows negative stock), numbers it (per firm and kind) and applies its
    /// movements.
    pub async fn create_operation(
        &self,
        firm_id: Id,
        draft: &OperationDraft,
    ) -> StoreResult<Operation> {
        let _ = (firm_id, draft);
        todo!()
    }

    /// The operation.
    pub async fn operation(&self, firm_id: Id, operation_id: Id) -> StoreResult<Operation> {
        let _ = (firm_id, operation_id);
        todo!()
    }

    /// Operations matching the filter, newest first (date, then id).
    pub async fn operations(
        &self,
        firm_id: Id,
        filter: &OperationFilter,
    ) -> StoreResult<Page<Operation>> {
        let _ = (firm_id, filter);
        todo!()
    }

    /// The operation with this external reference (e.g. source `cloudcart`, the shop
    /// order id), or `None`.
    pub async fn operation_by_external_ref(
        &self,
        firm_id: Id,
        source: &str,
        external_id: &str,
    ) -> StoreResult<Option<Operation>> {
        let _ = (firm_id, source, external_id);
        todo!()
    }

    /// Replaces an active operation by `draft` (same kind and number): its own ledger
    /// movements are reversed exactly and the new ones applied, atomically.
    pub async fn update_operation(
        &self,
        firm_id: Id,
        operation_id: Id,
        draft: &OperationDraft,
    ) -> StoreResult<Operation> {
        let _ = (firm_id, operation_id, draft);
        todo!()
    }

    /// Annuls an active operation: its ledger movements are reversed exactly.
    pub async fn annul_operation(&self, firm_id: Id, operation_id: Id) -> StoreResult<Operation> {
        let _ = (firm_id, operation_id);
        todo!()
    }

    /// Converts an active order into a sale dated `date` (the order's date when
    /// `None`), in one transaction: the reservation is released, the sale (same
    /// object, partner, payment type, lines, external reference) moves the stock and
    /// the order becomes `Converted` with `converted_to` set. Returns the sale.
    pub async fn convert_order_to_sale(
        &self,
        firm_id: Id,
        order_id: Id,
        date: Option<jiff::civil::Date>,
    ) -> StoreResult<Operation> {
        let _ = (firm_id, order_id, date);
        todo!()
    }
}
