//! Product deliveries as hints (issue 9): each asks for one re-read of its product.
//! The bridge claims the hints of the shops it holds ([`Store::claim_product_hints`]),
//! reads each product, and settles it with what it found
//! ([`Store::refresh_shop_product`]): links of variants the shop no longer has are
//! retired; the others take the shop's values as read and become due, so the pusher
//! puts back whatever the merchant changed in the shop's admin.

use sklad_domain::Id;
use std::collections::BTreeSet;

use crate::db::{get, ts_text, Arg, Sql};
use crate::shops::orders::ORDER_CLAIM_LEASE;
use crate::shops::push::{due_update, mark_due};
use crate::writes::Insert;
use crate::{Engine, Store, StoreResult};

/// A product to re-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductHint {
    /// The firm.
    pub firm_id: Id,
    /// The connection.
    pub connection_id: Id,
    /// The shop's product id.
    pub shop_product_id: String,
    /// How many deliveries asked so far (see [`Store::refresh_shop_product`]).
    pub version: i64,
}

/// What a product's re-read changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductRefresh {
    /// Links retired: (variant, good).
    pub retired: Vec<(String, Id)>,
    /// Linked variants whose quantity or price in the shop was not what Sklad knew
    /// (changed in the shop's admin): due again, to be put back.
    pub changed: Vec<String>,
}

/// A variant as a re-read of its product found it: id, quantity (thousandths, `None`
/// unlimited) and price (minor units).
pub type SeenVariant = (String, Option<i64>, Option<i64>);

/// Hints to re-read these products, one row each `(connection, shop product)`: a new
/// hint, or a new version of the waiting one.
pub(crate) fn product_hints(products: &BTreeSet<(Id, &str)>, now: &str) -> Insert {
    let mut insert = Insert::new(
        "INSERT INTO shop_product_hints (connection_id, shop_product_id, version, hinted_at) \
         VALUES ",
        " ON CONFLICT (connection_id, shop_product_id) DO UPDATE \
         SET version = shop_product_hints.version + 1, hinted_at = excluded.hinted_at",
    );
    for (connection_id, shop_product_id) in products {
        insert.row(vec![
            (*connection_id).into(),
            (*shop_product_id).into(),
            1.into(),
            now.into(),
        ]);
    }
    insert
}

impl Store {
    /// Takes up to `limit` product hints of connections in use on `hosts`, oldest
    /// first, for [`ORDER_CLAIM_LEASE`], on behalf of `holder`.
    pub async fn claim_product_hints(
        &self,
        holder: &str,
        hosts: &[String],
        limit: i64,
    ) -> StoreResult<Vec<ProductHint>> {
        if hosts.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let until = ts_text(now.saturating_add(ORDER_CLAIM_LEASE).unwrap_or(now));
        let mut select = Sql::new(
            "SELECT h.connection_id, h.shop_product_id, h.version, c.firm_id \
             FROM shop_product_hints h JOIN shop_connections c ON c.id = h.connection_id \
             WHERE c.active = 1 AND c.shop_host IN ",
        );
        select
            .text_list(hosts)
            .push(" AND (h.claimed_until IS NULL OR h.claimed_until <= ")
            .arg(Arg::Text(ts_text(now)))
            .push(") ORDER BY h.hinted_at LIMIT ")
            .arg(Arg::Int(limit.clamp(1, 1000)));
        if self.engine == Engine::Postgres {
            select.push(" FOR UPDATE OF h SKIP LOCKED");
        }
        let mut w = self.write_redoable().await?;
        let hints = select
            .query()
            .fetch_all(&mut *w.tx)
            .await?
            .iter()
            .map(|r| {
                Ok(ProductHint {
                    firm_id: get(r, "firm_id")?,
                    connection_id: get(r, "connection_id")?,
                    shop_product_id: get(r, "shop_product_id")?,
                    version: get(r, "version")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        for h in &hints {
            sqlx::query(
                "UPDATE shop_product_hints SET claimed_until = $1, claimed_by = $2 \
                 WHERE connection_id = $3 AND shop_product_id = $4",
            )
            .bind(&until)
            .bind(holder)
            .bind(h.connection_id)
            .bind(&h.shop_product_id)
            .execute(&mut *w.tx)
            .await?;
        }
        w.commit().await?;
        Ok(hints)
    }

    /// Settles a claimed hint with the product's variants as the re-read found them, in
    /// one transaction: the links of variants not in `seen` are retired (all of them
    /// when the shop no longer has the product), the others take the shop's values and
    /// become due. The hint goes unless another delivery came meanwhile.
    pub async fn refresh_shop_product(
        &self,
        hint: &ProductHint,
        seen: &[SeenVariant],
    ) -> StoreResult<ProductRefresh> {
        let now = ts_text(self.now());
        let mut w = self.write_redoable().await?;
        let mut links: Vec<(String, Id, Option<i64>, Option<i64>)> = sqlx::query(
            "SELECT shop_variant_id, good_id, shop_quantity, shop_price FROM shop_links \
             WHERE connection_id = $1 AND shop_product_id = $2",
        )
        .bind(hint.connection_id)
        .bind(&hint.shop_product_id)
        .fetch_all(&mut *w.tx)
        .await?
        .iter()
        .map(|r| {
            Ok((
                get(r, "shop_variant_id")?,
                get(r, "good_id")?,
                get(r, "shop_quantity")?,
                get(r, "shop_price")?,
            ))
        })
        .collect::<StoreResult<_>>()?;
        // In the links' lock order (see `push::mark_due`).
        links.sort_by(|a, b| a.0.cmp(&b.0));
        let mut refresh = ProductRefresh::default();
        for (variant, good, tracked_quantity, tracked_price) in links {
            let found = seen.iter().find(|(v, _, _)| *v == variant);
            match found {
                None => {
                    sqlx::query(
                        "DELETE FROM shop_links WHERE connection_id = $1 AND shop_variant_id = $2",
                    )
                    .bind(hint.connection_id)
                    .bind(&variant)
                    .execute(&mut *w.tx)
                    .await?;
                    refresh.retired.push((variant, good));
                }
                Some((_, quantity, price)) => {
                    if (*quantity, *price) != (tracked_quantity, tracked_price) {
                        refresh.changed.push(variant.clone());
                    }
                    sqlx::query(
                        "UPDATE shop_links SET shop_quantity = $1, shop_unlimited = $2, \
                         shop_price = $3 WHERE connection_id = $4 AND shop_variant_id = $5",
                    )
                    .bind(*quantity)
                    .bind(crate::db::flag(quantity.is_none()))
                    .bind(*price)
                    .bind(hint.connection_id)
                    .bind(&variant)
                    .execute(&mut *w.tx)
                    .await?;
                    let mut due = due_update(&now);
                    due.push("connection_id = ")
                        .arg(Arg::Int(hint.connection_id))
                        .push(" AND shop_variant_id = ")
                        .arg(Arg::Text(variant));
                    mark_due(&mut w.tx, due).await?;
                }
            }
        }
        sqlx::query(
            "DELETE FROM shop_product_hints WHERE connection_id = $1 AND shop_product_id = $2 \
             AND version = $3",
        )
        .bind(hint.connection_id)
        .bind(&hint.shop_product_id)
        .bind(hint.version)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query(
            "UPDATE shop_product_hints SET claimed_until = NULL, claimed_by = NULL \
             WHERE connection_id = $1 AND shop_product_id = $2",
        )
        .bind(hint.connection_id)
        .bind(&hint.shop_product_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await?;
        Ok(refresh)
    }

    /// Whether any product hint waits (a bridge round's quick check).
    pub async fn has_product_hints(&self) -> StoreResult<bool> {
        Ok(
            sqlx::query("SELECT 1 AS one FROM shop_product_hints LIMIT 1")
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }
}
