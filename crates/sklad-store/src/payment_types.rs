//! Payment types (Типове плащане).

use sklad_domain::model::{PaymentType, PaymentTypeInput};
use sklad_domain::Id;

use crate::{Store, StoreResult};

impl Store {
    /// Creates a payment type.
    pub async fn create_payment_type(
        &self,
        firm_id: Id,
        input: &PaymentTypeInput,
    ) -> StoreResult<PaymentType> {
        let _ = (firm_id, input);
        todo!()
    }

    /// The payment type.
    pub async fn payment_type(&self, firm_id: Id, payment_type_id: Id) -> StoreResult<PaymentType> {
        let _ = (firm_id, payment_type_id);
        todo!()
    }

    /// Updates the payment type.
    pub async fn update_payment_type(
        &self,
        firm_id: Id,
        payment_type_id: Id,
        input: &PaymentTypeInput,
    ) -> StoreResult<PaymentType> {
        let _ = (firm_id, payment_type_id, input);
        todo!()
    }

    /// Deletes a payment type no operation refers to (else `payment_type_in_use`).
    pub async fn delete_payment_type(&self, firm_id: Id, payment_type_id: Id) -> StoreResult<()> {
        let _ = (firm_id, payment_type_id);
        todo!()
    }

    /// The firm's payment types by id.
    pub async fn payment_types(&self, firm_id: Id) -> StoreResult<Vec<PaymentType>> {
        let _ = firm_id;
        todo!()
    }
}
