//! Objects (Обекти): shops and warehouses.

use sklad_domain::model::{Object, ObjectInput};
use sklad_domain::Id;

use crate::{Store, StoreResult};

impl Store {
    /// Creates an object.
    pub async fn create_object(&self, firm_id: Id, input: &ObjectInput) -> StoreResult<Object> {
        let _ = (firm_id, input);
        todo!()
    }

    /// The object.
    pub async fn object(&self, firm_id: Id, object_id: Id) -> StoreResult<Object> {
        let _ = (firm_id, object_id);
        todo!()
    }

    /// Updates the object.
    pub async fn update_object(
        &self,
        firm_id: Id,
        object_id: Id,
        input: &ObjectInput,
    ) -> StoreResult<Object> {
        let _ = (firm_id, object_id, input);
        todo!()
    }

    /// Deletes an object that no operation or stock refers to (else `object_in_use`).
    pub async fn delete_object(&self, firm_id: Id, object_id: Id) -> StoreResult<()> {
        let _ = (firm_id, object_id);
        todo!()
    }

    /// The firm's objects by name.
    pub async fn objects(&self, firm_id: Id) -> StoreResult<Vec<Object>> {
        let _ = firm_id;
        todo!()
    }
}
