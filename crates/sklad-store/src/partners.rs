//! Partners (Партньори).

use sklad_domain::model::{Partner, PartnerInput};
use sklad_domain::Id;

use crate::{Page, PartnerFilter, Store, StoreResult};

impl Store {
    /// Creates a partner; an ЕИК already used in the firm is `eik_duplicate`.
    pub async fn create_partner(&self, firm_id: Id, input: &PartnerInput) -> StoreResult<Partner> {
        let _ = (firm_id, input);
        todo!()
    }

    /// The partner.
    pub async fn partner(&self, firm_id: Id, partner_id: Id) -> StoreResult<Partner> {
        let _ = (firm_id, partner_id);
        todo!()
    }

    /// Updates the partner.
    pub async fn update_partner(
        &self,
        firm_id: Id,
        partner_id: Id,
        input: &PartnerInput,
    ) -> StoreResult<Partner> {
        let _ = (firm_id, partner_id, input);
        todo!()
    }

    /// Deletes a partner no operation refers to (else `partner_in_use`).
    pub async fn delete_partner(&self, firm_id: Id, partner_id: Id) -> StoreResult<()> {
        let _ = (firm_id, partner_id);
        todo!()
    }

    /// The partner with this ЕИК / ЕГН.
    pub async fn partner_by_eik(&self, firm_id: Id, eik: &str) -> StoreResult<Partner> {
        let _ = (firm_id, eik);
        todo!()
    }

    /// The first partner (lowest id) with this e-mail, case-insensitive.
    pub async fn partner_by_email(&self, firm_id: Id, email: &str) -> StoreResult<Partner> {
        let _ = (firm_id, email);
        todo!()
    }

    /// Partners matching the filter, by name.
    pub async fn partners(
        &self,
        firm_id: Id,
        filter: &PartnerFilter,
    ) -> StoreResult<Page<Partner>> {
        let _ = (firm_id, filter);
        todo!()
    }
}
