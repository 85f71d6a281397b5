//! Shop orders coming in (SPEC G7, X2): the inbox of webhook deliveries and one record
//! per shop order.
//!
//! 1. The webhook door writes each delivery with [`Store::insert_shop_deliveries`]
//!    (many at once: group commit) before it answers 2xx. The same body delivered again
//!    is the same row (unique in the schema), so retries and duplicates add nothing.
//! 2. The bridge takes new deliveries ([`Store::claim_inbox`]), reads the order id out of
//!    each and settles them ([`Store::settle_inbox`]): the order's record is marked dirty
//!    (to be read again); a body it cannot read is kept and flagged.
//! 3. The bridge takes dirty orders ([`Store::claim_shop_orders`], `FOR UPDATE SKIP
//!    LOCKED` on PostgreSQL, a lease on both engines, so two processes never take the
//!    same order), re-reads each from the shop, and records what it became
//!    ([`Store::finish_shop_order`]) — unless a newer delivery marked it dirty meanwhile,
//!    which keeps it dirty for another pass.

use sha2::{Digest, Sha256};
use sklad_domain::Id;
use std::collections::{BTreeMap, BTreeSet};

use crate::db::{flag, get, parse_ts, ts_text, Arg, Sql};
use crate::shops::connections::connection_in;
use crate::writes::{Cell, Insert, Writes, MAX_ARGS_PER_STATEMENT};
use crate::{Engine, Page, Paging, Store, StoreError, StoreResult};

/// How long a claim on an inbox row or an order holds.
pub const ORDER_CLAIM_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// A delivery as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The connection whose door it came to.
    pub connection_id: Id,
    /// The event its path names (`order.created` …).
    pub event: String,
    /// The body as received.
    pub body: String,
}

/// A delivery to triage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    /// Inbox row.
    pub id: Id,
    /// The firm.
    pub firm_id: Id,
    /// The connection.
    pub connection_id: Id,
    /// The event.
    pub event: String,
    /// The body.
    pub body: String,
}

/// What a delivery turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Triage {
    /// About this shop order; `fees` as the delivery lists them (JSON), when it does.
    Order {
        /// The order's id.
        shop_order_id: String,
        /// The delivery's `fees[]`.
        fees: Option<serde_json::Value>,
    },
    /// About a product: its links are refreshed from a re-read.
    Product {
        /// The product's id.
        shop_product_id: String,
    },
    /// Unreadable: kept, flagged, listed as needing attention.
    Unreadable {
        /// Why, in Bulgarian.
        reason_bg: String,
        /// Why, in English.
        reason_en: String,
    },
}

/// Why an order waits for the merchant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrderAttention {
    /// Stable code (`unknown_sku`, `payment_unmapped`, `reconciliation`, …).
    pub code: String,
    /// Bulgarian.
    pub message_bg: String,
    /// English.
    pub message_en: String,
    /// Figures (JSON).
    pub details: serde_json::Value,
}

/// The record of one shop order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ShopOrderRecord {
    /// The connection.
    pub connection_id: Id,
    /// The order's id in the shop.
    pub shop_order_id: String,
    /// The firm.
    pub firm_id: Id,
    /// `waiting` (not imported yet), `imported`, `attention`, `cancelled` (negative
    /// before it was ever imported) or `annulled` (its operation annulled).
    pub state: String,
    /// It must be read from the shop again.
    pub dirty: bool,
    /// Bumped by every mark as dirty (a finish is kept only for the version claimed).
    pub version: i64,
    /// The live operation (order or sale), or the annulled one.
    pub operation_id: Option<Id>,
    /// How many operations the order has had (a recovery from a negative status posts
    /// it again).
    pub postings: i64,
    /// The shop's status last read.
    pub shop_status: Option<String>,
    /// Fulfilled, as last read.
    pub fulfilled: bool,
    /// The shop's `updated_at` last read.
    pub shop_updated_at: Option<String>,
    /// The order's currency.
    pub currency: Option<String>,
    /// The shop's total.
    pub total: Option<i64>,
    /// The fees of the latest delivery that listed them.
    pub fees: Option<serde_json::Value>,
    /// Why it waits.
    pub attention: Option<OrderAttention>,
    /// Warnings of the last import (JSON array).
    pub warnings: serde_json::Value,
    /// Failed attempts in a row.
    pub attempts: i64,
    /// Not before this time.
    pub next_attempt_at: Option<jiff::Timestamp>,
    /// First heard of.
    pub first_seen_at: jiff::Timestamp,
    /// Last imported.
    pub imported_at: Option<jiff::Timestamp>,
}

/// What an import made of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderOutcome {
    /// `imported`, `attention`, `cancelled` or `annulled`.
    pub state: &'static str,
    /// The operation.
    pub operation_id: Option<Id>,
    /// Operations posted so far.
    pub postings: i64,
    /// The shop's status.
    pub shop_status: Option<String>,
    /// Fulfilled.
    pub fulfilled: bool,
    /// The shop's `updated_at`.
    pub shop_updated_at: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Total.
    pub total: Option<i64>,
    /// Why it waits.
    pub attention: Option<OrderAttention>,
    /// Warnings (JSON array).
    pub warnings: serde_json::Value,
}

const ORDER_COLUMNS: &str = "o.connection_id, o.shop_order_id, o.firm_id, o.state, o.dirty, \
     o.dirty_version, o.operation_id, o.postings, o.shop_status, o.fulfilled, o.shop_updated_at, \
     o.currency, o.total, o.fees, o.attention_code, o.attention_bg, o.attention_en, \
     o.attention_details, o.warnings, o.attempts, o.next_attempt_at, o.first_seen_at, \
     o.imported_at";

fn json_of(text: Option<String>) -> StoreResult<Option<serde_json::Value>> {
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|_| StoreError::Database("stored order data unreadable".to_owned()))
    })
    .transpose()
}

fn record_from_row(row: &sqlx::any::AnyRow) -> StoreResult<ShopOrderRecord> {
    let opt_ts = |col: &str| -> StoreResult<Option<jiff::Timestamp>> {
        get::<Option<String>>(row, col)?
            .as_deref()
            .map(parse_ts)
            .transpose()
    };
    let attention = match get::<Option<String>>(row, "attention_code")? {
        Some(code) => Some(OrderAttention {
            code,
            message_bg: get::<Option<String>>(row, "attention_bg")?.unwrap_or_default(),
            message_en: get::<Option<String>>(row, "attention_en")?.unwrap_or_default(),
            details: json_of(get(row, "attention_details")?)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(ShopOrderRecord {
        connection_id: get(row, "connection_id")?,
        shop_order_id: get(row, "shop_order_id")?,
        firm_id: get(row, "firm_id")?,
        state: get(row, "state")?,
        dirty: get::<i64>(row, "dirty")? != 0,
        version: get(row, "dirty_version")?,
        operation_id: get(row, "operation_id")?,
        postings: get(row, "postings")?,
        shop_status: get(row, "shop_status")?,
        fulfilled: get::<i64>(row, "fulfilled")? != 0,
        shop_updated_at: get(row, "shop_updated_at")?,
        currency: get(row, "currency")?,
        total: get(row, "total")?,
        fees: json_of(get(row, "fees")?)?,
        attention,
        warnings: json_of(get(row, "warnings")?)?.unwrap_or(serde_json::json!([])),
        attempts: get(row, "attempts")?,
        next_attempt_at: opt_ts("next_attempt_at")?,
        first_seen_at: parse_ts(&get::<String>(row, "first_seen_at")?)?,
        imported_at: opt_ts("imported_at")?,
    })
}

/// The orders to mark dirty, one row each: `(connection, shop order) → (firm, fees)`.
/// A new one is added waiting; a known one gets a new dirty version, and the fees
/// given replace those stored.
fn dirty_orders(
    orders: &BTreeMap<(Id, &str), (Id, Option<&serde_json::Value>)>,
    now: &str,
) -> Insert {
    let mut insert = Insert::new(
        "INSERT INTO shop_orders (connection_id, shop_order_id, firm_id, state, dirty, \
         dirty_version, postings, fulfilled, fees, attempts, first_seen_at) VALUES ",
        " ON CONFLICT (connection_id, shop_order_id) DO UPDATE SET dirty = 1, \
         dirty_version = shop_orders.dirty_version + 1, next_attempt_at = NULL, \
         fees = COALESCE(excluded.fees, shop_orders.fees)",
    );
    for ((connection_id, shop_order_id), (firm_id, fees)) in orders {
        insert.row(vec![
            (*connection_id).into(),
            (*shop_order_id).into(),
            (*firm_id).into(),
            "waiting".into(),
            1.into(),
            1.into(),
            0.into(),
            0.into(),
            Cell::Arg(Arg::OptText(fees.map(|f| f.to_string()))),
            0.into(),
            now.into(),
        ]);
    }
    insert
}

/// Marks the connection's orders that wait for the merchant dirty again: something they
/// may have waited for (settings, special goods, links) has changed.
pub(crate) async fn retry_attention(
    conn: &mut sqlx::AnyConnection,
    connection_id: Id,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE shop_orders SET dirty = 1, dirty_version = dirty_version + 1, \
         next_attempt_at = NULL WHERE connection_id = $1 AND state = 'attention'",
    )
    .bind(connection_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

impl Store {
    /// Writes deliveries to the inbox in one transaction (the webhook door's group
    /// commit). A delivery whose event and body the connection's inbox already holds
    /// adds nothing.
    pub async fn insert_shop_deliveries(&self, deliveries: &[NewDelivery]) -> StoreResult<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let now = ts_text(self.now());
        let mut w = self.write().await?;
        for chunk in deliveries.chunks(200) {
            let mut sql = Sql::new(
                "INSERT INTO shop_inbox (connection_id, event, body, body_hash, received_at, \
                 state) VALUES ",
            );
            for (i, d) in chunk.iter().enumerate() {
                let body = d.body.replace('\0', "\u{fffd}");
                let hash = hex::encode(Sha256::digest(format!("{}\n{body}", d.event)));
                sql.push(if i == 0 { "(" } else { ", (" })
                    .arg(Arg::Int(d.connection_id))
                    .push(", ")
                    .arg(Arg::Text(d.event.clone()))
                    .push(", ")
                    .arg(Arg::Text(body))
                    .push(", ")
                    .arg(Arg::Text(hash))
                    .push(", ")
                    .arg(Arg::Text(now.clone()))
                    .push(", 'new')");
            }
            sql.push(" ON CONFLICT (connection_id, event, body_hash) DO NOTHING");
            sql.query().execute(&mut *w.tx).await?;
        }
        w.commit().await
    }

    /// Takes up to `limit` new deliveries (of any firm) for [`ORDER_CLAIM_LEASE`], on
    /// behalf of `holder` (see [`Store::release_order_claims`]).
    pub async fn claim_inbox(&self, holder: &str, limit: i64) -> StoreResult<Vec<InboxItem>> {
        let now = self.now();
        let until = ts_text(now.saturating_add(ORDER_CLAIM_LEASE).unwrap_or(now));
        let skip_locked = match self.engine {
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            Engine::Sqlite => "",
        };
        let mut w = self.write_redoable().await?;
        let rows = sqlx::query(&format!(
            "UPDATE shop_inbox SET claimed_until = $1, claimed_by = $2 WHERE id IN \
             (SELECT id FROM shop_inbox WHERE state = 'new' \
              AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY id LIMIT $4{skip_locked}) \
             RETURNING id, connection_id, event, body, \
             (SELECT c.firm_id FROM shop_connections c WHERE c.id = shop_inbox.connection_id) \
             AS firm_id"
        ))
        .bind(until)
        .bind(holder)
        .bind(ts_text(now))
        .bind(limit.clamp(1, 1000))
        .fetch_all(&mut *w.tx)
        .await?;
        let mut items = rows
            .iter()
            .map(|row| {
                Ok(InboxItem {
                    id: get(row, "id")?,
                    firm_id: get(row, "firm_id")?,
                    connection_id: get(row, "connection_id")?,
                    event: get(row, "event")?,
                    body: get(row, "body")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        w.commit().await?;
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    /// Records what each claimed delivery is, in one transaction: an order's record is
    /// marked dirty; a product delivery leaves a hint to re-read the product (see
    /// [`Store::claim_product_hints`]); an unreadable one is kept and flagged.
    pub async fn settle_inbox(&self, settled: &[(InboxItem, Triage)]) -> StoreResult<()> {
        let now = ts_text(self.now());
        let mut orders = BTreeMap::new();
        let mut products = BTreeSet::new();
        let mut rows = Vec::with_capacity(settled.len());
        let short = |n: String| Some(n.chars().take(500).collect::<String>());
        for (item, triage) in settled {
            let (state, order, note, note_bg) = match triage {
                Triage::Order {
                    shop_order_id,
                    fees,
                } => {
                    let key = (item.connection_id, shop_order_id.as_str());
                    let entry = orders.entry(key).or_insert((item.firm_id, None));
                    entry.1 = fees.as_ref().or(entry.1);
                    ("done", Some(shop_order_id.clone()), None, None)
                }
                Triage::Product { shop_product_id } => {
                    products.insert((item.connection_id, shop_product_id.as_str()));
                    let note = short(format!("product {shop_product_id}"));
                    ("done", None, note, None)
                }
                Triage::Unreadable {
                    reason_bg,
                    reason_en,
                } => (
                    "unreadable",
                    None,
                    short(reason_en.clone()),
                    short(reason_bg.clone()),
                ),
            };
            rows.push([
                Arg::Int(item.id),
                Arg::Text(state.to_owned()),
                Arg::OptText(order),
                Arg::OptText(note),
                Arg::OptText(note_bg),
            ]);
        }
        let mut w = self.write_redoable().await?;
        let mut writes = Writes::default();
        writes.push(dirty_orders(&orders, &now));
        writes.push(crate::shops::products::product_hints(&products, &now));
        writes.execute(&mut w.tx, self.engine).await?;
        // `(id, state, shop order, note, note_bg)` rows, as many per statement as fit.
        for chunk in rows.chunks(MAX_ARGS_PER_STATEMENT / 5) {
            let mut sql = Sql::new(
                "UPDATE shop_inbox SET state = v.column2, shop_order_id = v.column3, \
                 note = v.column4, note_bg = v.column5, claimed_until = NULL FROM (VALUES ",
            );
            for (i, row) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" });
                for (j, arg) in row.iter().enumerate() {
                    if j > 0 {
                        sql.push(", ");
                    }
                    sql.arg(arg.clone());
                }
                sql.push(")");
            }
            sql.push(") AS v WHERE shop_inbox.id = v.column1");
            sql.query().execute(&mut *w.tx).await?;
        }
        w.commit().await
    }

    /// Marks these orders of the connection dirty (the poller found them changed, or an
    /// activation brings in the open ones).
    pub async fn mark_shop_orders_dirty(
        &self,
        firm_id: Id,
        connection_id: Id,
        shop_order_ids: &[String],
    ) -> StoreResult<()> {
        let now = ts_text(self.now());
        let orders = shop_order_ids
            .iter()
            .map(|id| ((connection_id, id.as_str()), (firm_id, None)))
            .collect();
        let mut w = self.write().await?;
        connection_in(&mut w.tx, firm_id, connection_id).await?;
        let mut writes = Writes::default();
        writes.push(dirty_orders(&orders, &now));
        writes.execute(&mut w.tx, self.engine).await?;
        w.commit().await
    }

    /// „Опитай отново“: marks one waiting order (or, with `None`, every order of the
    /// connection that waits for the merchant) to be imported again now. Returns how
    /// many orders that marked.
    pub async fn retry_shop_orders(
        &self,
        firm_id: Id,
        connection_id: Id,
        shop_order_id: Option<&str>,
    ) -> StoreResult<u64> {
        let mut w = self.write().await?;
        connection_in(&mut w.tx, firm_id, connection_id).await?;
        let retried = match shop_order_id {
            None => retry_attention(&mut w.tx, connection_id).await?,
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE shop_orders SET dirty = 1, dirty_version = dirty_version + 1, \
                     next_attempt_at = NULL WHERE connection_id = $1 AND shop_order_id = $2",
                )
                .bind(connection_id)
                .bind(id)
                .execute(&mut *w.tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::not_found("shop_order"));
                }
                done.rows_affected()
            }
        };
        w.commit().await?;
        Ok(retried)
    }

    /// Gives back every delivery and order `holder` had claimed: called when an instance
    /// starts, so what a killed process of the same name was doing is taken up at once,
    /// not when its claims lapse. Instance names are unique among running processes.
    pub async fn release_order_claims(&self, holder: &str) -> StoreResult<()> {
        let mut w = self.write_redoable().await?;
        for table in ["shop_inbox", "shop_orders", "shop_product_hints"] {
            sqlx::query(&format!(
                "UPDATE {table} SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = $1"
            ))
            .bind(holder)
            .execute(&mut *w.tx)
            .await?;
        }
        w.commit().await
    }

    /// Takes up to `limit` dirty orders, due now, of connections in use on `hosts`, for
    /// [`ORDER_CLAIM_LEASE`], on behalf of `holder`. Two claimers never get the same order.
    pub async fn claim_shop_orders(
        &self,
        holder: &str,
        hosts: &[String],
        limit: i64,
    ) -> StoreResult<Vec<ShopOrderRecord>> {
        if hosts.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let until = ts_text(now.saturating_add(ORDER_CLAIM_LEASE).unwrap_or(now));
        let now = ts_text(now);
        let mut select = Sql::new(
            "SELECT o.connection_id, o.shop_order_id FROM shop_orders o \
             JOIN shop_connections c ON c.id = o.connection_id \
             WHERE o.dirty = 1 AND c.active = 1 AND c.shop_host IN ",
        );
        select
            .text_list(hosts)
            .push(" AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ")
            .arg(Arg::Text(now.clone()))
            .push(") AND (o.claimed_until IS NULL OR o.claimed_until <= ")
            .arg(Arg::Text(now))
            .push(") ORDER BY o.first_seen_at LIMIT ")
            .arg(Arg::Int(limit.clamp(1, 1000)));
        if self.engine == Engine::Postgres {
            select.push(" FOR UPDATE OF o SKIP LOCKED");
        }
        let mut w = self.write_redoable().await?;
        let keys: Vec<(Id, String)> = select
            .query()
            .fetch_all(&mut *w.tx)
            .await?
            .iter()
            .map(|r| Ok((get(r, "connection_id")?, get(r, "shop_order_id")?)))
            .collect::<StoreResult<_>>()?;
        let mut out = Vec::with_capacity(keys.len());
        for (connection_id, order_id) in keys {
            sqlx::query(
                "UPDATE shop_orders SET claimed_until = $1, claimed_by = $2 \
                 WHERE connection_id = $3 AND shop_order_id = $4",
            )
            .bind(&until)
            .bind(holder)
            .bind(connection_id)
            .bind(&order_id)
            .execute(&mut *w.tx)
            .await?;
            out.push(one_record(&mut w.tx, connection_id, &order_id).await?);
        }
        w.commit().await?;
        Ok(out)
    }

    /// Records what an import made of the order claimed at `version`. When the order
    /// was marked dirty again meanwhile, it stays dirty (the outcome is still recorded).
    pub async fn finish_shop_order(
        &self,
        connection_id: Id,
        shop_order_id: &str,
        version: i64,
        outcome: &OrderOutcome,
    ) -> StoreResult<()> {
        let now = ts_text(self.now());
        let attention = outcome.attention.as_ref();
        let mut w = self.write_redoable().await?;
        sqlx::query(
            "UPDATE shop_orders SET state = $1, operation_id = $2, postings = $3, \
             shop_status = $4, fulfilled = $5, shop_updated_at = $6, currency = $7, total = $8, \
             attention_code = $9, attention_bg = $10, attention_en = $11, attention_details = $12, \
             warnings = $13, attempts = 0, next_attempt_at = NULL, claimed_until = NULL, \
             imported_at = $14, dirty = CASE WHEN dirty_version = $15 THEN 0 ELSE dirty END \
             WHERE connection_id = $16 AND shop_order_id = $17",
        )
        .bind(outcome.state)
        .bind(outcome.operation_id)
        .bind(outcome.postings)
        .bind(outcome.shop_status.clone())
        .bind(flag(outcome.fulfilled))
        .bind(outcome.shop_updated_at.clone())
        .bind(outcome.currency.clone())
        .bind(outcome.total)
        .bind(attention.map(|a| a.code.clone()))
        .bind(attention.map(|a| a.message_bg.clone()))
        .bind(attention.map(|a| a.message_en.clone()))
        .bind(attention.map(|a| a.details.to_string()))
        .bind(outcome.warnings.to_string())
        .bind(now)
        .bind(version)
        .bind(connection_id)
        .bind(shop_order_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    /// Puts the order off after a failure that may pass by itself (the shop unreachable,
    /// stock short): it stays dirty and is tried again at `next_attempt_at`, with
    /// `attention` shown meanwhile when given.
    pub async fn defer_shop_order(
        &self,
        connection_id: Id,
        shop_order_id: &str,
        next_attempt_at: jiff::Timestamp,
        attention: Option<&OrderAttention>,
    ) -> StoreResult<()> {
        let mut w = self.write_redoable().await?;
        sqlx::query(
            "UPDATE shop_orders SET attempts = attempts + 1, next_attempt_at = $1, \
             claimed_until = NULL, \
             state = CASE WHEN $2 = 1 THEN 'attention' ELSE state END, \
             attention_code = COALESCE($3, attention_code), \
             attention_bg = COALESCE($4, attention_bg), \
             attention_en = COALESCE($5, attention_en), \
             attention_details = COALESCE($6, attention_details) \
             WHERE connection_id = $7 AND shop_order_id = $8",
        )
        .bind(ts_text(next_attempt_at))
        .bind(flag(attention.is_some()))
        .bind(attention.map(|a| a.code.clone()))
        .bind(attention.map(|a| a.message_bg.clone()))
        .bind(attention.map(|a| a.message_en.clone()))
        .bind(attention.map(|a| a.details.to_string()))
        .bind(connection_id)
        .bind(shop_order_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    /// The record of one shop order of the firm.
    pub async fn shop_order(
        &self,
        firm_id: Id,
        connection_id: Id,
        shop_order_id: &str,
    ) -> StoreResult<ShopOrderRecord> {
        let mut conn = self.pool.acquire().await?;
        let record = one_record(&mut conn, connection_id, shop_order_id).await?;
        if record.firm_id != firm_id {
            return Err(StoreError::not_found("shop_order"));
        }
        Ok(record)
    }

    /// The shop order an operation came from, if any: the record whose operation it is,
    /// or whose order was converted into it.
    pub async fn shop_order_of_operation(
        &self,
        firm_id: Id,
        operation_id: Id,
    ) -> StoreResult<Option<ShopOrderRecord>> {
        Ok(self
            .shop_orders_of_operations(firm_id, &[operation_id])
            .await?
            .remove(&operation_id))
    }

    /// The shop orders these operations came from, by operation id, in two queries
    /// (a list page's worth of operations at most: ids past the first 1000 are ignored).
    pub async fn shop_orders_of_operations(
        &self,
        firm_id: Id,
        operation_ids: &[Id],
    ) -> StoreResult<std::collections::HashMap<Id, ShopOrderRecord>> {
        let ids = &operation_ids[..operation_ids.len().min(1000)];
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        // The operation itself, then the sale an order of the shop was converted into.
        let branches = [
            ("o.operation_id", "shop_orders o"),
            (
                "p.converted_to",
                "shop_orders o JOIN operations p ON p.id = o.operation_id",
            ),
        ];
        let mut conn = self.pool.acquire().await?;
        for (key, from) in branches {
            let mut sql = Sql::new(&format!(
                "SELECT {key} AS of_operation, {ORDER_COLUMNS} FROM {from} WHERE o.firm_id = "
            ));
            sql.arg(Arg::Int(firm_id))
                .push(&format!(" AND {key} IN "))
                .id_list(ids);
            for row in sql.query().fetch_all(&mut *conn).await? {
                out.entry(get(&row, "of_operation")?)
                    .or_insert(record_from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// The firm's shop orders, newest first: of one connection or all, of one state or
    /// all.
    pub async fn shop_orders(
        &self,
        firm_id: Id,
        connection_id: Option<Id>,
        state: Option<&str>,
        paging: Paging,
    ) -> StoreResult<Page<ShopOrderRecord>> {
        let paging = paging.clamped();
        let mut where_ = Sql::new(" FROM shop_orders o WHERE o.firm_id = ");
        where_.arg(Arg::Int(firm_id));
        if let Some(c) = connection_id {
            where_.push(" AND o.connection_id = ").arg(Arg::Int(c));
        }
        if let Some(s) = state {
            where_
                .push(" AND o.state = ")
                .arg(Arg::Text(s.replace('\0', "")));
        }
        let mut conn = self.pool.acquire().await?;
        let (total, rows) = where_
            .page(
                &mut conn,
                ORDER_COLUMNS,
                "o.first_seen_at DESC, o.shop_order_id",
                paging,
            )
            .await?;
        let items = rows
            .iter()
            .map(record_from_row)
            .collect::<StoreResult<_>>()?;
        Ok(Page::of(items, total, paging))
    }

    /// How many things need the firm's attention: orders waiting for the merchant and
    /// deliveries that could not be read.
    pub async fn shop_attention_count(&self, firm_id: Id) -> StoreResult<i64> {
        get(
            &sqlx::query(
                "SELECT (SELECT COUNT(*) FROM shop_orders WHERE firm_id = $1 AND state = 'attention') \
                 + (SELECT COUNT(*) FROM shop_inbox i JOIN shop_connections c ON c.id = i.connection_id \
                    WHERE c.firm_id = $1 AND i.state = 'unreadable') AS n",
            )
            .bind(firm_id)
            .fetch_one(&self.pool)
            .await?,
            "n",
        )
    }

    /// Deliveries of the firm that could not be read, newest first: (connection, id,
    /// event, received, why, body).
    pub async fn unreadable_deliveries(
        &self,
        firm_id: Id,
        paging: Paging,
    ) -> StoreResult<Page<UnreadableDelivery>> {
        let paging = paging.clamped();
        let mut where_ = Sql::new(
            " FROM shop_inbox i JOIN shop_connections c ON c.id = i.connection_id \
             WHERE i.state = 'unreadable' AND c.firm_id = ",
        );
        where_.arg(Arg::Int(firm_id));
        let mut conn = self.pool.acquire().await?;
        let (total, rows) = where_
            .page(
                &mut conn,
                "i.id, i.connection_id, i.event, i.received_at, i.note, i.note_bg, i.body",
                "i.id DESC",
                paging,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(UnreadableDelivery {
                    id: get(r, "id")?,
                    connection_id: get(r, "connection_id")?,
                    event: get(r, "event")?,
                    received_at: parse_ts(&get::<String>(r, "received_at")?)?,
                    reason_bg: get::<Option<String>>(r, "note_bg")?.unwrap_or_default(),
                    reason_en: get::<Option<String>>(r, "note")?.unwrap_or_default(),
                    body: get(r, "body")?,
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Page::of(items, total, paging))
    }

    /// The connection's imported orders that may still change into a sale or go back:
    /// (order id, last read status), for the poller.
    pub async fn open_shop_orders(&self, connection_id: Id) -> StoreResult<Vec<(String, String)>> {
        sqlx::query(
            "SELECT o.shop_order_id, o.shop_status FROM shop_orders o \
             JOIN operations op ON op.id = o.operation_id \
             WHERE o.connection_id = $1 AND o.state = 'imported' AND op.kind = 'order' \
             AND op.status = 'active' ORDER BY o.shop_order_id",
        )
        .bind(connection_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok((
                get(r, "shop_order_id")?,
                get::<Option<String>>(r, "shop_status")?.unwrap_or_default(),
            ))
        })
        .collect()
    }

    /// The order poller's checkpoint of the connection: the newest shop `updated_at` it
    /// has seen and when it last polled.
    pub async fn orders_checkpoint(
        &self,
        connection_id: Id,
    ) -> StoreResult<(Option<String>, Option<jiff::Timestamp>)> {
        let row = sqlx::query(
            "SELECT orders_seen_until, orders_polled_at FROM shop_connections WHERE id = $1",
        )
        .bind(connection_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::not_found("shop_connection"))?;
        Ok((
            get(&row, "orders_seen_until")?,
            get::<Option<String>>(&row, "orders_polled_at")?
                .as_deref()
                .map(parse_ts)
                .transpose()?,
        ))
    }

    /// Moves the poller's checkpoint (`seen_until` only forward; `None` keeps it).
    pub async fn set_orders_checkpoint(
        &self,
        connection_id: Id,
        seen_until: Option<&str>,
    ) -> StoreResult<()> {
        let mut w = self.write_redoable().await?;
        sqlx::query(
            "UPDATE shop_connections SET orders_polled_at = $1, orders_seen_until = \
             CASE WHEN $2 IS NOT NULL AND (orders_seen_until IS NULL OR orders_seen_until < $2) \
             THEN $2 ELSE orders_seen_until END WHERE id = $3",
        )
        .bind(ts_text(self.now()))
        .bind(seen_until)
        .bind(connection_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }
}

/// A delivery that could not be read (kept as received).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnreadableDelivery {
    /// Inbox row.
    pub id: Id,
    /// The connection.
    pub connection_id: Id,
    /// The event its path named.
    pub event: String,
    /// Received.
    pub received_at: jiff::Timestamp,
    /// Why it could not be read, in Bulgarian.
    pub reason_bg: String,
    /// Why it could not be read, in English.
    pub reason_en: String,
    /// The body as received.
    pub body: String,
}

async fn one_record(
    conn: &mut sqlx::AnyConnection,
    connection_id: Id,
    shop_order_id: &str,
) -> StoreResult<ShopOrderRecord> {
    let row = sqlx::query(&format!(
        "SELECT {ORDER_COLUMNS} FROM shop_orders o WHERE o.connection_id = $1 AND o.shop_order_id = $2"
    ))
    .bind(connection_id)
    .bind(shop_order_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::not_found("shop_order"))?;
    record_from_row(&row)
}
