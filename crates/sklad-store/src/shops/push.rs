//! Stock and prices to the shop (SPEC G6, X1, issue 9), as the store keeps them: which
//! links are due, what the shop last accepted, and what the shop took with its orders.
//!
//! A link becomes due in the transaction of whatever changed its variant's value:
//!
//! - stock: every stock write adds outbox rows (see [`crate::outbox`]);
//!   [`Store::absorb_stock_changes`] turns them into due links of the connections fed by
//!   that object, and deletes them, in one transaction;
//! - prices: a good's prices edited ([`mark_goods_due`]), the firm's prices converted
//!   at the euro changeover ([`mark_firm_due`]), a connection's settings saved
//!   ([`mark_connection_due`]);
//! - the shop's own stock moves: an order taking or giving back units
//!   ([`Store::record_shop_stock_taken`]).
//!
//! The bridge reads due links ([`Store::due_links`]), writes what differs, and settles
//! them ([`Store::settle_pushes`]): a link stays due when a newer change came in while
//! it was being written (its `push_version` moved).

use std::collections::BTreeMap;

use sklad_domain::model::GoodKind;
use sklad_domain::{Id, PriceGroup, VatRate};

use crate::db::{enum_from_key, flag, get, parse_ts, ts_text, Arg, Sql};
use crate::{Engine, Store, StoreError, StoreResult};

/// Runs an update from [`due_update`] whose condition the caller appended; returns how
/// many links it set due.
///
/// On PostgreSQL the links are locked first in one order — (connection, variant id) —
/// by every writer of many links (this, [`Store::settle_pushes`], the reconciliation's
/// values, the product refresh), so two of them never wait on each other's rows.
pub(crate) async fn mark_due(conn: &mut sqlx::AnyConnection, mut sql: Sql) -> StoreResult<u64> {
    if conn.backend_name() == "PostgreSQL" {
        sql.push(" ORDER BY connection_id, shop_variant_id COLLATE \"C\" FOR UPDATE)");
    } else {
        sql.push(")");
    }
    Ok(sql.query().execute(&mut *conn).await?.rows_affected())
}

/// The start of an update that sets links due at `now`; the caller appends the
/// condition on `shop_links` and runs it with [`mark_due`].
pub(crate) fn due_update(now: &str) -> Sql {
    let mut sql = Sql::new(
        "UPDATE shop_links SET push_due = 1, push_version = push_version + 1, \
         due_since = COALESCE(due_since, ",
    );
    sql.arg(Arg::Text(now.to_owned())).push(
        ") WHERE (connection_id, shop_variant_id) IN \
         (SELECT connection_id, shop_variant_id FROM shop_links WHERE ",
    );
    sql
}

/// Sets due the links of these goods of the firm (their prices changed).
pub(crate) async fn mark_goods_due(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    good_ids: &[Id],
    now: &str,
) -> StoreResult<u64> {
    if good_ids.is_empty() {
        return Ok(0);
    }
    let mut sql = due_update(now);
    sql.push("good_id IN ")
        .id_list(good_ids)
        .push(" AND connection_id IN (SELECT id FROM shop_connections WHERE firm_id = ")
        .arg(Arg::Int(firm_id))
        .push(")");
    mark_due(conn, sql).await
}

/// Sets due every link of the connection (its objects, price group or currency may
/// have changed; a full pass).
pub(crate) async fn mark_connection_due(
    conn: &mut sqlx::AnyConnection,
    connection_id: Id,
    now: &str,
) -> StoreResult<u64> {
    let mut sql = due_update(now);
    sql.push("connection_id = ").arg(Arg::Int(connection_id));
    mark_due(conn, sql).await
}

/// Sets due every link of the connections this object feeds (its price group may be
/// theirs).
pub(crate) async fn mark_object_due(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    object_id: Id,
    now: &str,
) -> StoreResult<u64> {
    let mut sql = due_update(now);
    sql.push("connection_id IN (SELECT c.id FROM shop_connections c WHERE c.firm_id = ")
        .arg(Arg::Int(firm_id))
        .push(
            " AND (c.feed_all = 1 OR EXISTS (SELECT 1 FROM shop_connection_objects co              WHERE co.connection_id = c.id AND co.object_id = ",
        )
        .arg(Arg::Int(object_id))
        .push(")))");
    mark_due(conn, sql).await
}

/// Sets due every link of the firm's connections (every price changed).
pub(crate) async fn mark_firm_due(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    now: &str,
) -> StoreResult<u64> {
    let mut sql = due_update(now);
    sql.push("connection_id IN (SELECT id FROM shop_connections WHERE firm_id = ")
        .arg(Arg::Int(firm_id))
        .push(")");
    mark_due(conn, sql).await
}

/// A due link with what the bridge needs to compute the variant's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueLink {
    /// The shop's variant id.
    pub shop_variant_id: String,
    /// The shop's product id.
    pub shop_product_id: String,
    /// The good.
    pub good_id: Id,
    /// Its kind.
    pub kind: GoodKind,
    /// Whether it is active.
    pub active: bool,
    /// Its VAT rate.
    pub vat_rate: VatRate,
    /// Its price in the asked price group (firm currency, minor units, with VAT).
    pub price: Option<i64>,
    /// „не синхронизирай“.
    pub sync_excluded: bool,
    /// The shop sells it without counting.
    pub shop_unlimited: bool,
    /// The shop's quantity as tracked, thousandths.
    pub shop_quantity: Option<i64>,
    /// The shop's price as tracked.
    pub shop_price: Option<i64>,
    /// The version the values were read at (see [`Store::settle_pushes`]).
    pub push_version: i64,
    /// Due since.
    pub due_since: Option<jiff::Timestamp>,
}

/// What became of one due link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSettled {
    /// The variant.
    pub shop_variant_id: String,
    /// The version it was read at.
    pub push_version: i64,
    /// The quantity the shop accepted (`None`: none written).
    pub quantity: Option<i64>,
    /// The price the shop accepted (`None`: none written).
    pub price: Option<i64>,
}

/// How much the bridge has waiting, over every firm: the operator's gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncBacklog {
    /// Webhook deliveries stored and not yet imported.
    pub inbox_waiting: i64,
    /// Stock changes written and not yet absorbed into due links.
    pub outbox_waiting: i64,
    /// Linked variants whose values wait to be compared with the shop's.
    pub links_due: i64,
    /// Orders waiting for a merchant and deliveries that could not be read.
    pub needs_attention: i64,
}

/// The control panel's figures of a connection's pushes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PushFigures {
    /// Links waiting to be compared and, if they differ, written.
    pub due: i64,
    /// When a variant was last written.
    pub last_push_at: Option<jiff::Timestamp>,
    /// Variants written since the start of the previous clock hour (one to two hours).
    pub pushes_last_hour: i64,
    /// API calls made for them in the same time.
    pub calls_last_hour: i64,
    /// When the last full pass ran.
    pub pass_at: Option<jiff::Timestamp>,
    /// When the last reconciliation ran.
    pub reconciled_at: Option<jiff::Timestamp>,
}

/// The hour a timestamp falls in (`2026-11-30T10`), the stats' key.
fn hour_of(at: jiff::Timestamp) -> String {
    ts_text(at).chars().take(13).collect()
}

impl Store {
    /// Turns up to `limit` outbox rows (all firms) into due links of the connections
    /// their object feeds, and deletes them, in one transaction. Returns how many rows
    /// it took (0: the outbox is empty).
    pub async fn absorb_stock_changes(&self, limit: i64) -> StoreResult<usize> {
        let now = ts_text(self.now());
        let mut w = self.write_redoable().await?;
        let skip_locked = match self.engine {
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            Engine::Sqlite => "",
        };
        let ids: Vec<Id> = sqlx::query(&format!(
            "SELECT id FROM outbox_stock_changes ORDER BY id LIMIT $1{skip_locked}"
        ))
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&mut *w.tx)
        .await?
        .iter()
        .map(|r| get(r, "id"))
        .collect::<StoreResult<_>>()?;
        if ids.is_empty() {
            return Ok(0);
        }
        let mut sql = due_update(&now);
        sql.push(
            "EXISTS (SELECT 1 FROM outbox_stock_changes o \
             JOIN shop_connections c ON c.firm_id = o.firm_id \
             WHERE o.id IN ",
        )
        .id_list(&ids)
        .push(
            " AND c.id = shop_links.connection_id AND o.good_id = shop_links.good_id \
             AND (c.feed_all = 1 OR EXISTS (SELECT 1 FROM shop_connection_objects co \
             WHERE co.connection_id = c.id AND co.object_id = o.object_id)))",
        );
        mark_due(&mut w.tx, sql).await?;
        let mut delete = Sql::new("DELETE FROM outbox_stock_changes WHERE id IN ");
        delete.id_list(&ids);
        delete.query().execute(&mut *w.tx).await?;
        w.commit().await?;
        Ok(ids.len())
    }

    /// Up to `limit` due links of the connection, oldest due first, with their goods'
    /// prices in `group`.
    pub async fn due_links(
        &self,
        connection_id: Id,
        group: PriceGroup,
        limit: i64,
    ) -> StoreResult<Vec<DueLink>> {
        let rows = sqlx::query(
            "SELECT l.shop_variant_id, l.shop_product_id, l.good_id, l.sync_excluded, \
             l.shop_unlimited, l.shop_quantity, l.shop_price, l.push_version, l.due_since, \
             g.kind, g.active, g.vat_rate, gp.amount AS price \
             FROM shop_links l JOIN goods g ON g.id = l.good_id \
             LEFT JOIN good_prices gp ON gp.good_id = l.good_id AND gp.price_group = $1 \
             WHERE l.connection_id = $2 AND l.push_due = 1 \
             ORDER BY l.due_since, l.shop_variant_id LIMIT $3",
        )
        .bind(group.key())
        .bind(connection_id)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let vat: i64 = get(r, "vat_rate")?;
                Ok(DueLink {
                    shop_variant_id: get(r, "shop_variant_id")?,
                    shop_product_id: get(r, "shop_product_id")?,
                    good_id: get(r, "good_id")?,
                    kind: enum_from_key(&get::<String>(r, "kind")?)?,
                    active: get::<i64>(r, "active")? != 0,
                    vat_rate: VatRate::from_percent(vat).ok_or_else(|| {
                        StoreError::Database(format!("stored VAT rate unknown: {vat}"))
                    })?,
                    price: get(r, "price")?,
                    sync_excluded: get::<i64>(r, "sync_excluded")? != 0,
                    shop_unlimited: get::<i64>(r, "shop_unlimited")? != 0,
                    shop_quantity: get(r, "shop_quantity")?,
                    shop_price: get(r, "shop_price")?,
                    push_version: get(r, "push_version")?,
                    due_since: get::<Option<String>>(r, "due_since")?
                        .as_deref()
                        .map(parse_ts)
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Records what became of due links in one transaction: the values the shop
    /// accepted, and each link no longer due unless it changed again meanwhile; counts
    /// `calls` API calls in this hour's figures.
    pub async fn settle_pushes(
        &self,
        connection_id: Id,
        settled: &[PushSettled],
        calls: i64,
    ) -> StoreResult<()> {
        let now = self.now();
        let at = ts_text(now);
        let mut w = self.write_redoable().await?;
        let mut pushes = 0;
        let mut settled: Vec<&PushSettled> = settled.iter().collect();
        settled.sort_by(|a, b| a.shop_variant_id.cmp(&b.shop_variant_id));
        for s in settled {
            let wrote = s.quantity.is_some() || s.price.is_some();
            pushes += i64::from(wrote);
            sqlx::query(
                "UPDATE shop_links SET shop_quantity = COALESCE($1, shop_quantity), \
                 shop_price = COALESCE($2, shop_price), \
                 pushed_at = CASE WHEN $3 = 1 THEN $4 ELSE pushed_at END, \
                 push_due = CASE WHEN push_version = $5 THEN 0 ELSE push_due END, \
                 due_since = CASE WHEN push_version = $5 THEN NULL ELSE due_since END \
                 WHERE connection_id = $6 AND shop_variant_id = $7",
            )
            .bind(s.quantity)
            .bind(s.price)
            .bind(flag(wrote))
            .bind(&at)
            .bind(s.push_version)
            .bind(connection_id)
            .bind(&s.shop_variant_id)
            .execute(&mut *w.tx)
            .await?;
        }
        if pushes > 0 || calls > 0 {
            sqlx::query(
                "INSERT INTO shop_push_stats (connection_id, hour, pushes, calls) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (connection_id, hour) DO UPDATE SET \
                 pushes = shop_push_stats.pushes + $3, calls = shop_push_stats.calls + $4",
            )
            .bind(connection_id)
            .bind(hour_of(now))
            .bind(pushes)
            .bind(calls)
            .execute(&mut *w.tx)
            .await?;
        }
        w.commit().await
    }

    /// Sets every link of the connection due (a full pass, „Синхронизирай сега“) and
    /// notes when; returns how many.
    pub async fn start_push_pass(&self, firm_id: Id, connection_id: Id) -> StoreResult<u64> {
        let now = ts_text(self.now());
        let mut w = self.write().await?;
        crate::shops::connections::connection_in(&mut w.tx, firm_id, connection_id).await?;
        // The connection's row before its links, as a settings save does.
        sqlx::query("UPDATE shop_connections SET pass_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(connection_id)
            .execute(&mut *w.tx)
            .await?;
        let n = mark_connection_due(&mut w.tx, connection_id, &now).await?;
        w.commit().await?;
        Ok(n)
    }

    /// Whether any link of the connection is due.
    pub async fn has_due_links(&self, connection_id: Id) -> StoreResult<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM shop_links WHERE connection_id = $1 AND push_due = 1 LIMIT 1",
        )
        .bind(connection_id)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// When the connection's last full pass started.
    pub async fn push_pass_at(&self, connection_id: Id) -> StoreResult<Option<jiff::Timestamp>> {
        let row = sqlx::query("SELECT pass_at FROM shop_connections WHERE id = $1")
            .bind(connection_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("shop_connection"))?;
        get::<Option<String>>(&row, "pass_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()
    }

    /// Notes that the connection's reconciliation ran now.
    pub async fn note_reconciled(&self, connection_id: Id) -> StoreResult<()> {
        let mut w = self.write_redoable().await?;
        sqlx::query("UPDATE shop_connections SET reconciled_at = $1 WHERE id = $2")
            .bind(ts_text(self.now()))
            .bind(connection_id)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }

    /// Retires the links of variants the shop no longer has; returns the retired
    /// (variant, good) pairs.
    pub async fn retire_shop_links(
        &self,
        connection_id: Id,
        variant_ids: &[String],
    ) -> StoreResult<Vec<(String, Id)>> {
        let mut w = self.write().await?;
        let mut retired = Vec::new();
        let mut variant_ids: Vec<&String> = variant_ids.iter().collect();
        variant_ids.sort();
        for variant in variant_ids {
            let row = sqlx::query(
                "DELETE FROM shop_links WHERE connection_id = $1 AND shop_variant_id = $2 \
                 RETURNING good_id",
            )
            .bind(connection_id)
            .bind(variant)
            .fetch_optional(&mut *w.tx)
            .await?;
            if let Some(row) = row {
                retired.push((variant.clone(), get(&row, "good_id")?));
            }
        }
        w.commit().await?;
        Ok(retired)
    }

    /// The variants of a shop product that are linked here.
    pub async fn linked_variants_of_product(
        &self,
        connection_id: Id,
        shop_product_id: &str,
    ) -> StoreResult<Vec<String>> {
        sqlx::query(
            "SELECT shop_variant_id FROM shop_links WHERE connection_id = $1 \
             AND shop_product_id = $2 ORDER BY shop_variant_id",
        )
        .bind(connection_id)
        .bind(shop_product_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| get(r, "shop_variant_id"))
        .collect()
    }

    /// Records the units the shop now holds for an order (`taken`, thousandths per
    /// variant, as its status says) and moves the tracked quantities of its variants
    /// by the difference from what was recorded before — the shop took or gave back
    /// stock by itself — setting them due. Idempotent: the same `taken` again moves
    /// nothing.
    pub async fn record_shop_stock_taken(
        &self,
        connection_id: Id,
        shop_order_id: &str,
        taken: &BTreeMap<String, i64>,
    ) -> StoreResult<()> {
        let now = ts_text(self.now());
        let mut w = self.write_redoable().await?;
        let row = sqlx::query(
            "SELECT stock_taken FROM shop_orders WHERE connection_id = $1 AND shop_order_id = $2",
        )
        .bind(connection_id)
        .bind(shop_order_id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or_else(|| StoreError::not_found("shop_order"))?;
        let before: BTreeMap<String, i64> = get::<Option<String>>(&row, "stock_taken")?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let moves = sklad_domain::shop::push::shop_stock_moves(&before, taken);
        for (variant, delta) in &moves {
            let mut sql = due_update(&now);
            sql.push("connection_id = ")
                .arg(Arg::Int(connection_id))
                .push(" AND shop_variant_id = ")
                .arg(Arg::Text(variant.clone()));
            // The shop's quantity never drops below 0 when an order takes stock.
            let mut adjust =
                Sql::new("UPDATE shop_links SET shop_quantity = CASE WHEN shop_quantity + ");
            adjust
                .arg(Arg::Int(*delta))
                .push(" < 0 THEN 0 ELSE shop_quantity + ")
                .arg(Arg::Int(*delta))
                .push(" END WHERE shop_quantity IS NOT NULL AND connection_id = ")
                .arg(Arg::Int(connection_id))
                .push(" AND shop_variant_id = ")
                .arg(Arg::Text(variant.clone()));
            adjust.query().execute(&mut *w.tx).await?;
            mark_due(&mut w.tx, sql).await?;
        }
        sqlx::query(
            "UPDATE shop_orders SET stock_taken = $1 WHERE connection_id = $2 AND shop_order_id = $3",
        )
        .bind(serde_json::to_string(taken).unwrap_or_else(|_| "{}".into()))
        .bind(connection_id)
        .bind(shop_order_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    /// What waits in the bridge's queues over every firm, in one statement.
    pub async fn sync_backlog(&self) -> StoreResult<SyncBacklog> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM shop_inbox WHERE state = 'new') AS inbox, \
             (SELECT COUNT(*) FROM outbox_stock_changes) AS outbox, \
             (SELECT CAST(COALESCE(SUM(push_due), 0) AS BIGINT) FROM shop_links) AS due, \
             (SELECT COUNT(*) FROM shop_orders WHERE state = 'attention') \
             + (SELECT COUNT(*) FROM shop_inbox WHERE state = 'unreadable') AS attention",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(SyncBacklog {
            inbox_waiting: get(&row, "inbox")?,
            outbox_waiting: get(&row, "outbox")?,
            links_due: get(&row, "due")?,
            needs_attention: get(&row, "attention")?,
        })
    }

    /// The control panel's figures of the connection's pushes.
    pub async fn push_figures(&self, firm_id: Id, connection_id: Id) -> StoreResult<PushFigures> {
        let mut conn = self.pool.acquire().await?;
        crate::shops::connections::connection_in(&mut conn, firm_id, connection_id).await?;
        let links = sqlx::query(
            "SELECT CAST(COALESCE(SUM(push_due), 0) AS BIGINT) AS due, MAX(pushed_at) AS last \
             FROM shop_links WHERE connection_id = $1",
        )
        .bind(connection_id)
        .fetch_one(&mut *conn)
        .await?;
        let now = self.now();
        let hour_ago = now
            .checked_sub(jiff::SignedDuration::from_hours(1))
            .unwrap_or(now);
        // This hour and the one before it, as whole hours: at most two rows.
        let stats = sqlx::query(
            "SELECT CAST(COALESCE(SUM(pushes), 0) AS BIGINT) AS pushes, \
             CAST(COALESCE(SUM(calls), 0) AS BIGINT) AS calls \
             FROM shop_push_stats WHERE connection_id = $1 AND hour >= $2",
        )
        .bind(connection_id)
        .bind(hour_of(hour_ago))
        .fetch_one(&mut *conn)
        .await?;
        let times =
            sqlx::query("SELECT pass_at, reconciled_at FROM shop_connections WHERE id = $1")
                .bind(connection_id)
                .fetch_one(&mut *conn)
                .await?;
        let ts = |v: Option<String>| v.as_deref().map(parse_ts).transpose();
        Ok(PushFigures {
            due: get(&links, "due")?,
            last_push_at: ts(get(&links, "last")?)?,
            pushes_last_hour: get(&stats, "pushes")?,
            calls_last_hour: get(&stats, "calls")?,
            pass_at: ts(get(&times, "pass_at")?)?,
            reconciled_at: ts(get(&times, "reconciled_at")?)?,
        })
    }
}
