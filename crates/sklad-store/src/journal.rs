//! The firm's journal and the one-way euro changeover.

use sklad_domain::money::convert_minor;
use sklad_domain::{Currency, Id};

use crate::db::{get, invalid, parse_ts, ts_text};
use crate::firms::firm_in;
use crate::{EuroChangeover, JournalEntry, Page, Paging, Store, StoreError, StoreResult};

/// Appends a journal entry inside a transaction.
pub(crate) async fn append(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    at: jiff::Timestamp,
    actor: &str,
    action: &str,
    details: &serde_json::Value,
) -> StoreResult<Id> {
    let row = sqlx::query(
        "INSERT INTO firm_journal (firm_id, at, actor, action, details) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id",
    )
    .bind(firm_id)
    .bind(ts_text(at))
    .bind(actor)
    .bind(action)
    .bind(details.to_string())
    .fetch_one(&mut *conn)
    .await?;
    get(&row, "id")
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> StoreResult<JournalEntry> {
    let details: String = get(row, "details")?;
    Ok(JournalEntry {
        id: get(row, "id")?,
        at: parse_ts(&get::<String>(row, "at")?)?,
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        details: serde_json::from_str(&details)
            .map_err(|_| StoreError::Database("stored journal details unreadable".to_owned()))?,
    })
}

fn check_label(field: &str, value: &str) -> StoreResult<()> {
    if value.trim().is_empty() || value.chars().count() > 100 || !crate::db::storable(value) {
        return Err(invalid(
            field,
            "label_invalid",
            "Трябва да е от 1 до 100 знака.",
            "Must be 1 to 100 characters.",
        ));
    }
    Ok(())
}

impl Store {
    /// Appends an entry to the firm's journal at the store clock's time.
    pub async fn append_journal(
        &self,
        firm_id: Id,
        actor: &str,
        action: &str,
        details: serde_json::Value,
    ) -> StoreResult<JournalEntry> {
        check_label("actor", actor)?;
        check_label("action", action)?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let at = parse_ts(&ts_text(self.now()))?;
        let id = append(&mut w.tx, firm_id, at, actor, action, &details).await?;
        w.commit().await?;
        Ok(JournalEntry {
            id,
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            details,
        })
    }

    /// The firm's journal, newest first.
    pub async fn journal(&self, firm_id: Id, paging: Paging) -> StoreResult<Page<JournalEntry>> {
        let paging = paging.clamped();
        let total: i64 = get(
            &sqlx::query("SELECT COUNT(*) AS n FROM firm_journal WHERE firm_id = $1")
                .bind(firm_id)
                .fetch_one(&self.pool)
                .await?,
            "n",
        )?;
        let rows = sqlx::query(
            "SELECT id, at, actor, action, details FROM firm_journal WHERE firm_id = $1 \
             ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(firm_id)
        .bind(paging.limit)
        .bind(paging.offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            items: rows
                .iter()
                .map(entry_from_row)
                .collect::<StoreResult<_>>()?,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    /// Switches a BGN firm to EUR in one transaction: every good price converted
    /// half up at 1.95583, the firm's currency set to EUR, a journal entry
    /// `euro_changeover` with the counts. Historical operations keep their currency
    /// and amounts. A EUR firm is refused (`already_eur`).
    pub async fn euro_changeover(&self, firm_id: Id, actor: &str) -> StoreResult<EuroChangeover> {
        check_label("actor", actor)?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let firm = firm_in(&mut *w.tx, firm_id).await?;
        if firm.currency != Currency::Bgn {
            return Err(invalid(
                "currency",
                "already_eur",
                "Фирмата вече работи в евро; преминаването е еднократно.",
                "The firm already works in euro; the changeover happens once.",
            ));
        }
        let rows = sqlx::query(
            "SELECT gp.good_id, gp.price_group, gp.amount FROM good_prices gp \
             JOIN goods g ON g.id = gp.good_id WHERE g.firm_id = $1 ORDER BY gp.good_id",
        )
        .bind(firm_id)
        .fetch_all(&mut *w.tx)
        .await?;
        let mut prices = 0;
        for row in &rows {
            let amount: i64 = get(row, "amount")?;
            sqlx::query(
                "UPDATE good_prices SET amount = $1 WHERE good_id = $2 AND price_group = $3",
            )
            .bind(convert_minor(amount, Currency::Bgn, Currency::Eur))
            .bind(get::<i64>(row, "good_id")?)
            .bind(get::<String>(row, "price_group")?)
            .execute(&mut *w.tx)
            .await?;
            prices += 1;
        }
        let goods: i64 = get(
            &sqlx::query("SELECT COUNT(*) AS n FROM goods WHERE firm_id = $1")
                .bind(firm_id)
                .fetch_one(&mut *w.tx)
                .await?,
            "n",
        )?;
        sqlx::query("UPDATE firms SET currency = $1 WHERE id = $2")
            .bind(Currency::Eur.code())
            .bind(firm_id)
            .execute(&mut *w.tx)
            .await?;
        // Every price the shops show changes currency with the firm's.
        crate::shops::mark_firm_due(&mut w.tx, firm_id, &ts_text(self.now())).await?;
        let details = serde_json::json!({
            "from": "BGN",
            "to": "EUR",
            "rate": "1.95583",
            "rounding": "half_up",
            "goods": goods,
            "prices": prices,
        });
        append(
            &mut w.tx,
            firm_id,
            self.now(),
            actor,
            "euro_changeover",
            &details,
        )
        .await?;
        w.commit().await?;
        Ok(EuroChangeover { goods, prices })
    }
}
