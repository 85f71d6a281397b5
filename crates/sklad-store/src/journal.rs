//! The firm's journal and the one-way euro changeover.

use sklad_domain::Id;

use crate::{EuroChangeover, JournalEntry, Page, Paging, Store, StoreResult};

impl Store {
    /// Appends an entry to the firm's journal at the store clock's time.
    pub async fn append_journal(
        &self,
        firm_id: Id,
        actor: &str,
        action: &str,
        details: serde_json::Value,
    ) -> StoreResult<JournalEntry> {
        let _ = (firm_id, actor, action, details);
        todo!()
    }

    /// The firm's journal, newest first.
    pub async fn journal(&self, firm_id: Id, paging: Paging) -> StoreResult<Page<JournalEntry>> {
        let _ = (firm_id, paging);
        todo!()
    }

    /// Switches a BGN firm to EUR in one transaction: every good price converted
    /// half up at 1.95583, the firm's currency set to EUR, a journal entry
    /// `euro_changeover` with the counts. Historical operations keep their currency
    /// and amounts. A EUR firm is refused (`already_eur`).
    pub async fn euro_changeover(&self, firm_id: Id, actor: &str) -> StoreResult<EuroChangeover> {
        let _ = (firm_id, actor);
        todo!()
    }
}
