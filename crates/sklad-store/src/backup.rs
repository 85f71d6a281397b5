//! Firm backup (a gzip'd, versioned, checksummed JSON archive), restore into a new
//! firm (also across engines) and the canonical export used to compare firms.

use sklad_domain::model::Firm;
use sklad_domain::Id;

use crate::{Store, StoreResult};

impl Store {
    /// The firm's archive, read in one consistent read transaction that does not
    /// block writers.
    pub async fn backup_firm(&self, firm_id: Id) -> StoreResult<Vec<u8>> {
        let _ = firm_id;
        todo!()
    }

    /// Restores an archive as a new firm owned by `owner_user_id`, named `new_name`
    /// or as in the archive. Format, version and checksum are verified and the
    /// archive decoded fully before anything is written; then one transaction.
    pub async fn restore_firm(
        &self,
        archive: &[u8],
        owner_user_id: Id,
        new_name: Option<String>,
    ) -> StoreResult<Firm> {
        let _ = (archive, owner_user_id, new_name);
        todo!()
    }

    /// Everything the firm holds, without database ids (references by code, name,
    /// kind and number), so two firms can be compared.
    pub async fn export_firm_canonical(&self, firm_id: Id) -> StoreResult<serde_json::Value> {
        let _ = firm_id;
        todo!()
    }
}
