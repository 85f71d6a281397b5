//! Connections (Администриране → Връзка с ел. магазини, SPEC C1, P1, S4).

use sklad_domain::shop::{FeedObjects, SaleRule, ShopSettings, ShopStockStatus};
use sklad_domain::{Currency, Id};

use crate::db::{flag, get, invalid, key, parse_ts, ts_text};
use crate::shops::{
    ConnectionSecrets, JournalNote, NewShopConnection, ShopConnection, ShopConnectionUpdate,
    KIND_CLOUDCART,
};
use crate::{Store, StoreError, StoreResult};

const COLUMNS: &str =
    "id, firm_id, name, kind, shop_url, shop_host, api_key_last4, active, currency, \
     currency_auto, prices_with_vat, feed_all, operations_object_id, sale_rule, \
     shop_stock_status, auto_sync, delivery_good_id, discount_good_id, fee_good_id, \
     first_push_confirmed_at, created_at, updated_at";

fn opt_ts(text: Option<String>) -> StoreResult<Option<jiff::Timestamp>> {
    text.as_deref().map(parse_ts).transpose()
}

async fn from_row(
    conn: &mut sqlx::AnyConnection,
    row: &sqlx::any::AnyRow,
) -> StoreResult<ShopConnection> {
    let id: Id = get(row, "id")?;
    let feed = if get::<i64>(row, "feed_all")? != 0 {
        FeedObjects::All
    } else {
        let rows = sqlx::query(
            "SELECT object_id FROM shop_connection_objects WHERE connection_id = $1 \
             ORDER BY object_id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        FeedObjects::Objects(
            rows.iter()
                .map(|r| get(r, "object_id"))
                .collect::<StoreResult<_>>()?,
        )
    };
    Ok(ShopConnection {
        id,
        firm_id: get(row, "firm_id")?,
        name: get(row, "name")?,
        kind: get(row, "kind")?,
        shop_url: get(row, "shop_url")?,
        shop_host: get(row, "shop_host")?,
        api_key_last4: get(row, "api_key_last4")?,
        active: get::<i64>(row, "active")? != 0,
        currency: key(&get::<String>(row, "currency")?, Currency::parse)?,
        currency_auto: get::<i64>(row, "currency_auto")? != 0,
        prices_with_vat: get::<i64>(row, "prices_with_vat")? != 0,
        settings: ShopSettings {
            feed,
            operations_object_id: get(row, "operations_object_id")?,
            sale_rule: key(&get::<String>(row, "sale_rule")?, SaleRule::from_key)?,
            shop_stock_status: key(
                &get::<String>(row, "shop_stock_status")?,
                ShopStockStatus::from_key,
            )?,
            auto_sync: get::<i64>(row, "auto_sync")? != 0,
            delivery_good_id: get(row, "delivery_good_id")?,
            discount_good_id: get(row, "discount_good_id")?,
            fee_good_id: get(row, "fee_good_id")?,
        },
        first_push_confirmed_at: opt_ts(get(row, "first_push_confirmed_at")?)?,
        created_at: parse_ts(&get::<String>(row, "created_at")?)?,
        updated_at: parse_ts(&get::<String>(row, "updated_at")?)?,
    })
}

/// The connection `id` of `firm_id`, read inside a transaction or from the pool.
pub(crate) async fn connection_in(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    id: Id,
) -> StoreResult<ShopConnection> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM shop_connections WHERE firm_id = $1 AND id = $2"
    ))
    .bind(firm_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::not_found("shop_connection"))?;
    from_row(conn, &row).await
}

/// Refuses to put a connection in use when the firm's seats are all taken (SPEC P1),
/// saying how many seats it needs. Call with the firm locked, before the change.
async fn check_seat_for_activation(conn: &mut sqlx::AnyConnection, firm_id: Id) -> StoreResult<()> {
    let firm = crate::firms::firm_in(&mut *conn, firm_id).await?;
    let used = crate::users::seats_used(conn, firm_id).await?;
    if used + 1 > firm.seats {
        let needed = used + 1;
        return Err(invalid(
            "active",
            "seats_for_connection",
            format!(
                "Връзката с ел. магазин заема едно потребителско място. Абонаментът на фирмата \
                 е за {} потребители, а са нужни поне {needed} ({used} заети + връзката). \
                 Увеличете абонамента до {needed} потребители или оставете връзката \
                 „не се използва“.",
                firm.seats
            ),
            format!(
                "An e-shop connection takes one user seat. The firm's subscription has {} \
                 seats; at least {needed} are needed ({used} taken + the connection). Raise \
                 the subscription to {needed} users or leave the connection \"not in use\".",
                firm.seats
            ),
        ));
    }
    Ok(())
}

impl Store {
    /// Creates a connection with the initial settings (every object feeds the shop;
    /// orders go to the firm's first active object) and journals it. In use, it needs a
    /// free seat (`seats_for_connection`).
    pub async fn create_shop_connection(
        &self,
        firm_id: Id,
        new: &NewShopConnection,
        actor: &str,
    ) -> StoreResult<ShopConnection> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        if new.active {
            check_seat_for_activation(&mut w.tx, firm_id).await?;
        }
        let first_object: Option<Id> = sqlx::query(
            "SELECT id FROM objects WHERE firm_id = $1 AND active = 1 ORDER BY id LIMIT 1",
        )
        .bind(firm_id)
        .fetch_optional(&mut *w.tx)
        .await?
        .map(|r| get(&r, "id"))
        .transpose()?;
        let initial = ShopSettings::initial(first_object);
        let now = ts_text(self.now());
        let row = sqlx::query(
            "INSERT INTO shop_connections (firm_id, name, kind, shop_url, shop_host, \
             api_key_sealed, api_key_last4, active, currency, currency_auto, prices_with_vat, \
             feed_all, operations_object_id, sale_rule, shop_stock_status, auto_sync, \
             hook_token, hook_secret_sealed, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, 0, $15, \
             $16, $17, $17) RETURNING id",
        )
        .bind(firm_id)
        .bind(&new.name)
        .bind(KIND_CLOUDCART)
        .bind(&new.shop_url)
        .bind(&new.shop_host)
        .bind(&new.api_key_sealed)
        .bind(&new.api_key_last4)
        .bind(flag(new.active))
        .bind(new.currency.code())
        .bind(flag(new.currency_auto))
        .bind(flag(new.prices_with_vat))
        .bind(initial.operations_object_id)
        .bind(initial.sale_rule.key())
        .bind(initial.shop_stock_status.key())
        .bind(&new.hook_token)
        .bind(&new.hook_secret_sealed)
        .bind(&now)
        .fetch_one(&mut *w.tx)
        .await?;
        let id: Id = get(&row, "id")?;
        let created = connection_in(&mut w.tx, firm_id, id).await?;
        crate::shops::journal::append(
            &mut w.tx,
            firm_id,
            Some(id),
            self.now(),
            &JournalNote {
                actor: actor.to_owned(),
                action: "connection_created".into(),
                outcome: "ok".into(),
                message_bg: format!(
                    "Създадена е връзка „{}“ с {} ({}).",
                    created.name,
                    created.shop_url,
                    if created.active {
                        "използва се"
                    } else {
                        "не се използва"
                    }
                ),
                message_en: format!(
                    "Connection \"{}\" to {} created ({}).",
                    created.name,
                    created.shop_url,
                    if created.active {
                        "in use"
                    } else {
                        "not in use"
                    }
                ),
                details: serde_json::json!({ "shop_url": created.shop_url, "active": created.active }),
            },
        )
        .await?;
        w.commit().await?;
        Ok(created)
    }

    /// Changes a connection's own fields (name, address, key, status, currency, VAT);
    /// putting it in use needs a free seat (`seats_for_connection`). Journals what
    /// changed (never the key itself, only that it was replaced).
    pub async fn update_shop_connection(
        &self,
        firm_id: Id,
        id: Id,
        update: &ShopConnectionUpdate,
        actor: &str,
    ) -> StoreResult<ShopConnection> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let before = connection_in(&mut w.tx, firm_id, id).await?;
        if update.active && !before.active {
            check_seat_for_activation(&mut w.tx, firm_id).await?;
            if before.api_key_last4.is_none() && update.api_key.is_none() {
                return Err(invalid(
                    "api_key",
                    "api_key_needed",
                    "Въведете API ключа на магазина, за да използвате връзката.",
                    "Enter the shop's API key to put the connection in use.",
                ));
            }
        }
        sqlx::query(
            "UPDATE shop_connections SET name = $1, shop_url = $2, shop_host = $3, active = $4, \
             currency = $5, currency_auto = $6, prices_with_vat = $7, updated_at = $8 \
             WHERE firm_id = $9 AND id = $10",
        )
        .bind(&update.name)
        .bind(&update.shop_url)
        .bind(&update.shop_host)
        .bind(flag(update.active))
        .bind(update.currency.code())
        .bind(flag(update.currency_auto))
        .bind(flag(update.prices_with_vat))
        .bind(ts_text(self.now()))
        .bind(firm_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        if update.currency != before.currency || update.prices_with_vat != before.prices_with_vat {
            crate::shops::mark_connection_due(&mut w.tx, id, &ts_text(self.now())).await?;
        }
        if let Some((sealed, last4)) = &update.api_key {
            sqlx::query(
                "UPDATE shop_connections SET api_key_sealed = $1, api_key_last4 = $2 WHERE id = $3",
            )
            .bind(sealed)
            .bind(last4)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        }
        let after = connection_in(&mut w.tx, firm_id, id).await?;
        let mut changed: Vec<&str> = Vec::new();
        for (field, differs) in [
            ("name", before.name != after.name),
            ("shop_url", before.shop_url != after.shop_url),
            ("active", before.active != after.active),
            ("currency", before.currency != after.currency),
            (
                "prices_with_vat",
                before.prices_with_vat != after.prices_with_vat,
            ),
            ("api_key", update.api_key.is_some()),
        ] {
            if differs {
                changed.push(field);
            }
        }
        if !changed.is_empty() {
            crate::shops::journal::append(
                &mut w.tx,
                firm_id,
                Some(id),
                self.now(),
                &JournalNote {
                    actor: actor.to_owned(),
                    action: "connection_changed".into(),
                    outcome: "ok".into(),
                    message_bg: format!("Променени данни на връзката: {}.", changed.join(", ")),
                    message_en: format!("Connection details changed: {}.", changed.join(", ")),
                    details: serde_json::json!({ "changed": changed, "active": after.active }),
                },
            )
            .await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// Sets the shop's currency found in its latest order, while the merchant has not
    /// chosen one (`currency_auto`); otherwise changes nothing. Returns the connection.
    pub async fn follow_shop_currency(
        &self,
        firm_id: Id,
        id: Id,
        currency: Currency,
    ) -> StoreResult<ShopConnection> {
        let mut w = self.write().await?;
        sqlx::query(
            "UPDATE shop_connections SET currency = $1 \
             WHERE firm_id = $2 AND id = $3 AND currency_auto = 1",
        )
        .bind(currency.code())
        .bind(firm_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        let after = connection_in(&mut w.tx, firm_id, id).await?;
        w.commit().await?;
        Ok(after)
    }

    /// The connection.
    pub async fn shop_connection(&self, firm_id: Id, id: Id) -> StoreResult<ShopConnection> {
        let mut conn = self.pool.acquire().await?;
        connection_in(&mut conn, firm_id, id).await
    }

    /// The firm's connections, oldest first.
    pub async fn shop_connections(&self, firm_id: Id) -> StoreResult<Vec<ShopConnection>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM shop_connections WHERE firm_id = $1 ORDER BY id"
        ))
        .bind(firm_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(from_row(&mut conn, row).await?);
        }
        Ok(out)
    }

    /// Every connection in use, of every firm, as (firm id, connection).
    pub async fn active_shop_connections(&self) -> StoreResult<Vec<(Id, ShopConnection)>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM shop_connections WHERE active = 1 ORDER BY id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push((get(row, "firm_id")?, from_row(&mut conn, row).await?));
        }
        Ok(out)
    }

    /// Deletes a connection with its settings, links, jobs and webhook records (the
    /// journal keeps a line saying so). Operations made from its orders stay.
    pub async fn delete_shop_connection(
        &self,
        firm_id: Id,
        id: Id,
        actor: &str,
    ) -> StoreResult<()> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let gone = connection_in(&mut w.tx, firm_id, id).await?;
        sqlx::query("DELETE FROM shop_connections WHERE firm_id = $1 AND id = $2")
            .bind(firm_id)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        crate::shops::journal::append(
            &mut w.tx,
            firm_id,
            None,
            self.now(),
            &JournalNote {
                actor: actor.to_owned(),
                action: "connection_deleted".into(),
                outcome: "ok".into(),
                message_bg: format!("Изтрита е връзката „{}“ ({}).", gone.name, gone.shop_url),
                message_en: format!("Connection \"{}\" ({}) deleted.", gone.name, gone.shop_url),
                details: serde_json::json!({ "connection_id": id, "shop_url": gone.shop_url }),
            },
        )
        .await?;
        w.commit().await
    }

    /// The sealed secrets of a connection (for the bridge only).
    pub async fn shop_connection_secrets(
        &self,
        firm_id: Id,
        id: Id,
    ) -> StoreResult<ConnectionSecrets> {
        let row = sqlx::query(
            "SELECT firm_id, id, api_key_sealed, hook_token, hook_secret_sealed \
             FROM shop_connections WHERE firm_id = $1 AND id = $2",
        )
        .bind(firm_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::not_found("shop_connection"))?;
        secrets_from_row(&row)
    }

    /// The connection whose webhooks carry `token` in their path, with its secrets;
    /// `None` for a token no connection has (a stale subscription).
    pub async fn shop_connection_by_hook_token(
        &self,
        token: &str,
    ) -> StoreResult<Option<ConnectionSecrets>> {
        if !crate::db::storable(token) {
            return Ok(None);
        }
        sqlx::query(
            "SELECT firm_id, id, api_key_sealed, hook_token, hook_secret_sealed \
             FROM shop_connections WHERE hook_token = $1",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(secrets_from_row)
        .transpose()
    }
}

fn secrets_from_row(row: &sqlx::any::AnyRow) -> StoreResult<ConnectionSecrets> {
    Ok(ConnectionSecrets {
        firm_id: get(row, "firm_id")?,
        connection_id: get(row, "id")?,
        api_key_sealed: get(row, "api_key_sealed")?,
        hook_token: get(row, "hook_token")?,
        hook_secret_sealed: get(row, "hook_secret_sealed")?,
    })
}
