//! Links between shop variants and goods (one per variant and one per good in a
//! connection, unique in the schema), what the matching needs of the goods, and the
//! connection's webhook subscriptions as last seen.

use std::collections::{BTreeMap, HashMap};

use sklad_domain::model::GoodKind;
use sklad_domain::shop::GoodKey;
use sklad_domain::{Id, PriceGroup, VatRate};

use crate::db::{enum_from_key, flag, get, key, parse_ts, ts_text};
use crate::shops::connections::connection_in;
use crate::shops::{GoodSummary, JournalNote, ShopLink, ShopWebhook};
use crate::{Store, StoreError, StoreResult};

fn link_from_row(row: &sqlx::any::AnyRow) -> StoreResult<ShopLink> {
    Ok(ShopLink {
        shop_variant_id: get(row, "shop_variant_id")?,
        shop_product_id: get(row, "shop_product_id")?,
        good_id: get(row, "good_id")?,
        sync_excluded: get::<i64>(row, "sync_excluded")? != 0,
    })
}

impl Store {
    /// The connection's links, by variant id.
    pub async fn shop_links(&self, firm_id: Id, connection_id: Id) -> StoreResult<Vec<ShopLink>> {
        let mut conn = self.pool.acquire().await?;
        connection_in(&mut conn, firm_id, connection_id).await?;
        sqlx::query(
            "SELECT shop_variant_id, shop_product_id, good_id, sync_excluded FROM shop_links \
             WHERE connection_id = $1 ORDER BY shop_variant_id",
        )
        .bind(connection_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(link_from_row)
        .collect()
    }

    /// The good linked to the shop variant, if any.
    pub async fn shop_link_good(
        &self,
        connection_id: Id,
        variant_id: &str,
    ) -> StoreResult<Option<Id>> {
        sqlx::query(
            "SELECT good_id FROM shop_links WHERE connection_id = $1 AND shop_variant_id = $2",
        )
        .bind(connection_id)
        .bind(variant_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| get(&r, "good_id"))
        .transpose()
    }

    /// Marks a linked good „не синхронизирай“ (no quantity goes to the shop for it) or
    /// clears the mark; journals it.
    pub async fn set_shop_link_excluded(
        &self,
        firm_id: Id,
        connection_id: Id,
        good_id: Id,
        excluded: bool,
        actor: &str,
    ) -> StoreResult<ShopLink> {
        let mut w = self.write().await?;
        connection_in(&mut w.tx, firm_id, connection_id).await?;
        let done = sqlx::query(
            "UPDATE shop_links SET sync_excluded = $1 WHERE connection_id = $2 AND good_id = $3",
        )
        .bind(flag(excluded))
        .bind(connection_id)
        .bind(good_id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("shop_link"));
        }
        let link = link_from_row(
            &sqlx::query(
                "SELECT shop_variant_id, shop_product_id, good_id, sync_excluded FROM shop_links \
                 WHERE connection_id = $1 AND good_id = $2",
            )
            .bind(connection_id)
            .bind(good_id)
            .fetch_one(&mut *w.tx)
            .await?,
        )?;
        crate::shops::journal::append(
            &mut w.tx,
            firm_id,
            Some(connection_id),
            self.now(),
            &JournalNote {
                actor: actor.to_owned(),
                action: "link_sync_excluded".into(),
                outcome: "ok".into(),
                message_bg: format!(
                    "Стока №{good_id}: {}",
                    if excluded {
                        "„не синхронизирай“ — количеството й не се изпраща към магазина."
                    } else {
                        "количеството й отново се изпраща към магазина."
                    }
                ),
                message_en: format!(
                    "Good #{good_id}: {}",
                    if excluded {
                        "\"do not synchronise\" — its quantity is not sent to the shop."
                    } else {
                        "its quantity is sent to the shop again."
                    }
                ),
                details: serde_json::json!({ "good_id": good_id, "excluded": excluded }),
            },
        )
        .await?;
        w.commit().await?;
        Ok(link)
    }

    /// Remembers the shop's values of linked variants as just read: (variant id,
    /// quantity in thousandths or `None` for unlimited, price). Unknown variants are
    /// ignored.
    pub async fn remember_shop_values(
        &self,
        connection_id: Id,
        values: &[(String, Option<i64>, Option<i64>)],
    ) -> StoreResult<()> {
        let mut w = self.write().await?;
        // In the links' lock order (see `push::mark_due`).
        let mut values: Vec<&(String, Option<i64>, Option<i64>)> = values.iter().collect();
        values.sort_by(|a, b| a.0.cmp(&b.0));
        for (variant, quantity, price) in values {
            sqlx::query(
                "UPDATE shop_links SET shop_quantity = $1, shop_unlimited = $2, shop_price = $3 \
                 WHERE connection_id = $4 AND shop_variant_id = $5",
            )
            .bind(*quantity)
            .bind(flag(quantity.is_none()))
            .bind(*price)
            .bind(connection_id)
            .bind(variant)
            .execute(&mut *w.tx)
            .await?;
        }
        w.commit().await
    }

    /// Every good of the firm as the correspondence check needs it (code, barcodes,
    /// kind, active, name, VAT, prices), by id.
    pub async fn goods_for_matching(&self, firm_id: Id) -> StoreResult<Vec<GoodSummary>> {
        let mut conn = self.pool.acquire().await?;
        let mut barcodes: HashMap<Id, Vec<String>> = HashMap::new();
        for row in sqlx::query(
            "SELECT good_id, barcode FROM good_barcodes WHERE firm_id = $1 ORDER BY good_id, position",
        )
        .bind(firm_id)
        .fetch_all(&mut *conn)
        .await?
        {
            barcodes
                .entry(get(&row, "good_id")?)
                .or_default()
                .push(get(&row, "barcode")?);
        }
        let mut prices: HashMap<Id, BTreeMap<PriceGroup, i64>> = HashMap::new();
        for row in sqlx::query(
            "SELECT gp.good_id, gp.price_group, gp.amount FROM good_prices gp \
             JOIN goods g ON g.id = gp.good_id WHERE g.firm_id = $1",
        )
        .bind(firm_id)
        .fetch_all(&mut *conn)
        .await?
        {
            let group = key(&get::<String>(&row, "price_group")?, PriceGroup::from_key)?;
            prices
                .entry(get(&row, "good_id")?)
                .or_default()
                .insert(group, get(&row, "amount")?);
        }
        sqlx::query(
            "SELECT id, code, name, kind, vat_rate, active FROM goods WHERE firm_id = $1 ORDER BY id",
        )
        .bind(firm_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            let id: Id = get(row, "id")?;
            let vat: i64 = get(row, "vat_rate")?;
            Ok(GoodSummary {
                key: GoodKey {
                    id,
                    code: get(row, "code")?,
                    barcodes: barcodes.remove(&id).unwrap_or_default(),
                    kind: enum_from_key::<GoodKind>(&get::<String>(row, "kind")?)?,
                    active: get::<i64>(row, "active")? != 0,
                },
                name: get(row, "name")?,
                vat_rate: VatRate::from_percent(vat).ok_or_else(|| {
                    StoreError::Database(format!("stored VAT rate unknown: {vat}"))
                })?,
                prices: prices.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
    }

    /// The connection's webhook subscriptions as last seen, by event.
    pub async fn shop_webhooks(
        &self,
        firm_id: Id,
        connection_id: Id,
    ) -> StoreResult<Vec<ShopWebhook>> {
        let mut conn = self.pool.acquire().await?;
        connection_in(&mut conn, firm_id, connection_id).await?;
        sqlx::query(
            "SELECT event, shop_webhook_id, url, active, checked_at FROM shop_webhooks \
             WHERE connection_id = $1 ORDER BY event",
        )
        .bind(connection_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ShopWebhook {
                event: get(r, "event")?,
                shop_webhook_id: get(r, "shop_webhook_id")?,
                url: get(r, "url")?,
                active: get::<i64>(r, "active")? != 0,
                checked_at: parse_ts(&get::<String>(r, "checked_at")?)?,
            })
        })
        .collect()
    }

    /// Replaces the record of the connection's webhook subscriptions.
    pub async fn save_shop_webhooks(
        &self,
        firm_id: Id,
        connection_id: Id,
        hooks: &[ShopWebhook],
    ) -> StoreResult<()> {
        let mut w = self.write().await?;
        connection_in(&mut w.tx, firm_id, connection_id).await?;
        sqlx::query("DELETE FROM shop_webhooks WHERE connection_id = $1")
            .bind(connection_id)
            .execute(&mut *w.tx)
            .await?;
        for h in hooks {
            sqlx::query(
                "INSERT INTO shop_webhooks (connection_id, event, shop_webhook_id, url, active, \
                 checked_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(connection_id)
            .bind(&h.event)
            .bind(h.shop_webhook_id.clone())
            .bind(&h.url)
            .bind(flag(h.active))
            .bind(ts_text(h.checked_at))
            .execute(&mut *w.tx)
            .await?;
        }
        w.commit().await
    }
}
