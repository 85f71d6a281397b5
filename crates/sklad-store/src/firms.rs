//! Firms (tenants).

use sklad_domain::model::{Firm, FirmInput};
use sklad_domain::Id;

use crate::{Store, StoreResult};

impl Store {
    /// Creates a firm with the default payment types and one object „Основен склад“
    /// (warehouse, retail prices).
    pub async fn create_firm(&self, input: &FirmInput) -> StoreResult<Firm> {
        let _ = input;
        todo!()
    }

    /// The firm.
    pub async fn firm(&self, firm_id: Id) -> StoreResult<Firm> {
        let _ = firm_id;
        todo!()
    }

    /// Updates name, ЕИК, VAT flag, seats and the negative-stock setting. The
    /// currency changes only through [`Store::euro_changeover`]: a different
    /// currency here is a validation error (`currency_change`). Fewer seats than
    /// members is `seats_exceeded`.
    pub async fn update_firm(&self, firm_id: Id, input: &FirmInput) -> StoreResult<Firm> {
        let _ = (firm_id, input);
        todo!()
    }
}
