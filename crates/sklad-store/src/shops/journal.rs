//! The sync journal (SPEC X3): every action of the bridge with who, when, what changed
//! and the outcome, in both languages.

use sklad_domain::Id;

use crate::db::{get, parse_ts, ts_text};
use crate::shops::{JournalNote, ShopJournalEntry};
use crate::{Page, Paging, Store, StoreError, StoreResult};

/// Appends an entry inside a transaction.
pub(crate) async fn append(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    connection_id: Option<Id>,
    at: jiff::Timestamp,
    note: &JournalNote,
) -> StoreResult<Id> {
    let row = sqlx::query(
        "INSERT INTO shop_journal (firm_id, connection_id, at, actor, action, outcome, \
         message_bg, message_en, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(firm_id)
    .bind(connection_id)
    .bind(ts_text(at))
    .bind(&note.actor)
    .bind(&note.action)
    .bind(&note.outcome)
    .bind(&note.message_bg)
    .bind(&note.message_en)
    .bind(note.details.to_string())
    .fetch_one(&mut *conn)
    .await?;
    get(&row, "id")
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> StoreResult<ShopJournalEntry> {
    let details: String = get(row, "details")?;
    Ok(ShopJournalEntry {
        id: get(row, "id")?,
        connection_id: get(row, "connection_id")?,
        at: parse_ts(&get::<String>(row, "at")?)?,
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        outcome: get(row, "outcome")?,
        message_bg: get(row, "message_bg")?,
        message_en: get(row, "message_en")?,
        details: serde_json::from_str(&details)
            .map_err(|_| StoreError::Database("stored journal details unreadable".to_owned()))?,
    })
}

impl Store {
    /// Appends an entry to the sync journal of connection `connection_id` of the firm.
    pub async fn append_shop_journal(
        &self,
        firm_id: Id,
        connection_id: Id,
        note: &JournalNote,
    ) -> StoreResult<Id> {
        let mut w = self.write().await?;
        crate::shops::connections::connection_in(&mut w.tx, firm_id, connection_id).await?;
        let id = append(&mut w.tx, firm_id, Some(connection_id), self.now(), note).await?;
        w.commit().await?;
        Ok(id)
    }

    /// The sync journal, newest first: of one connection, or of the whole firm (also
    /// entries of deleted connections) when `connection_id` is `None`. A connection the
    /// firm does not have is `NotFound`.
    pub async fn shop_journal(
        &self,
        firm_id: Id,
        connection_id: Option<Id>,
        paging: Paging,
    ) -> StoreResult<Page<ShopJournalEntry>> {
        let paging = paging.clamped();
        let mut where_ = crate::db::Sql::new(" FROM shop_journal WHERE firm_id = ");
        where_.arg(crate::db::Arg::Int(firm_id));
        if let Some(c) = connection_id {
            where_
                .push(" AND connection_id = ")
                .arg(crate::db::Arg::Int(c));
        }
        let mut conn = self.pool.acquire().await?;
        if let Some(c) = connection_id {
            crate::shops::connections::connection_in(&mut conn, firm_id, c).await?;
        }
        let (total, rows) = where_
            .page(
                &mut conn,
                "id, connection_id, at, actor, action, outcome, message_bg, message_en, details",
                "id DESC",
                paging,
            )
            .await?;
        let items = rows
            .iter()
            .map(entry_from_row)
            .collect::<StoreResult<_>>()?;
        Ok(Page::of(items, total, paging))
    }
}
