//! Stock levels, availability over objects, and the ledger.

use sklad_domain::stock::StockLevel;
use sklad_domain::{Id, Quantity};

use crate::db::{enum_key, get, parse_ts, Arg, Sql};
use crate::{Availability, Engine, LedgerEntry, Store, StoreError, StoreResult};

fn level_from_row(row: &sqlx::any::AnyRow) -> StoreResult<StockLevel> {
    Ok(StockLevel {
        object_id: get(row, "object_id")?,
        good_id: get(row, "good_id")?,
        on_hand: Quantity(get(row, "on_hand")?),
        reserved: Quantity(get(row, "reserved")?),
    })
}

impl Store {
    /// Stock of every good held (or reserved) at the object, by good id.
    pub async fn stock_of_object(
        &self,
        firm_id: Id,
        object_id: Id,
    ) -> StoreResult<Vec<StockLevel>> {
        let rows = sqlx::query(
            "SELECT object_id, good_id, on_hand, reserved FROM stock \
             WHERE firm_id = $1 AND object_id = $2 ORDER BY good_id",
        )
        .bind(firm_id)
        .bind(object_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(level_from_row).collect()
    }

    /// Stock of the good in every object of the firm where it has a level, by
    /// object id.
    pub async fn stock_of_good(&self, firm_id: Id, good_id: Id) -> StoreResult<Vec<StockLevel>> {
        let rows = sqlx::query(
            "SELECT object_id, good_id, on_hand, reserved FROM stock \
             WHERE firm_id = $1 AND good_id = $2 ORDER BY object_id",
        )
        .bind(firm_id)
        .bind(good_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(level_from_row).collect()
    }

    /// On hand, reserved and available of every stocked good (kind good, services
    /// left out) summed over `object_ids`, by good id. Goods without stock there
    /// appear with zeros. Objects of other firms count as nothing. `available` may be
    /// negative (more reserved than held); the shop sync floors it at 0 (SPEC X7).
    ///
    /// On SQLite the rows are aggregated into one JSON value inside the database
    /// (sqlx hands SQLite rows over one by one, which costs more than the query with
    /// 100 000 goods); PostgreSQL streams rows cheaply and aggregating there costs more.
    pub async fn available(
        &self,
        firm_id: Id,
        object_ids: &[Id],
    ) -> StoreResult<Vec<Availability>> {
        self.availability(firm_id, object_ids, None).await
    }

    /// [`Store::available`] of these goods only (those that are stocked goods).
    pub async fn available_of(
        &self,
        firm_id: Id,
        object_ids: &[Id],
        good_ids: &[Id],
    ) -> StoreResult<Vec<Availability>> {
        let mut out = Vec::with_capacity(good_ids.len());
        for chunk in good_ids.chunks(1000) {
            out.extend(self.availability(firm_id, object_ids, Some(chunk)).await?);
        }
        Ok(out)
    }

    async fn availability(
        &self,
        firm_id: Id,
        object_ids: &[Id],
        good_ids: Option<&[Id]>,
    ) -> StoreResult<Vec<Availability>> {
        let mut sql = Sql::new(match self.engine {
            Engine::Sqlite => {
                "SELECT json_group_array(json_array(id, code, on_hand, reserved)) AS data FROM ("
            }
            Engine::Postgres => "",
        });
        sql.push(
            "SELECT g.id, g.code, CAST(COALESCE(SUM(s.on_hand), 0) AS BIGINT) AS on_hand, \
             CAST(COALESCE(SUM(s.reserved), 0) AS BIGINT) AS reserved FROM goods g \
             LEFT JOIN stock s ON s.good_id = g.id AND s.firm_id = ",
        )
        .arg(Arg::Int(firm_id))
        .push(" AND s.object_id IN ")
        .id_list(object_ids)
        .push(" WHERE g.firm_id = ")
        .arg(Arg::Int(firm_id))
        .push(" AND g.kind = ")
        .arg(Arg::Text(enum_key(&sklad_domain::model::GoodKind::Good)));
        if let Some(goods) = good_ids {
            sql.push(" AND g.id IN ").id_list(goods);
        }
        sql.push(" GROUP BY g.id, g.code");
        let mut rows: Vec<(Id, String, i64, i64)> = match self.engine {
            Engine::Sqlite => {
                sql.push(") q");
                let data: String = get(&sql.query().fetch_one(&self.pool).await?, "data")?;
                serde_json::from_str(&data).map_err(|_| {
                    StoreError::Database("availability aggregate unreadable".to_owned())
                })?
            }
            Engine::Postgres => sql
                .query()
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        get(r, "id")?,
                        get(r, "code")?,
                        get(r, "on_hand")?,
                        get(r, "reserved")?,
                    ))
                })
                .collect::<StoreResult<_>>()?,
        };
        rows.sort_unstable_by_key(|r| r.0);
        Ok(rows
            .into_iter()
            .map(|(good_id, code, on_hand, reserved)| Availability {
                good_id,
                code,
                on_hand: Quantity(on_hand),
                reserved: Quantity(reserved),
                available: Quantity(on_hand - reserved),
            })
            .collect())
    }

    /// The ledger of (object, good), oldest first.
    pub async fn ledger(
        &self,
        firm_id: Id,
        object_id: Id,
        good_id: Id,
    ) -> StoreResult<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT id, operation_id, object_id, good_id, on_hand_delta, reserved_delta, at \
             FROM stock_ledger WHERE firm_id = $1 AND object_id = $2 AND good_id = $3 ORDER BY id",
        )
        .bind(firm_id)
        .bind(object_id)
        .bind(good_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LedgerEntry {
                    id: get(row, "id")?,
                    operation_id: get(row, "operation_id")?,
                    object_id: get(row, "object_id")?,
                    good_id: get(row, "good_id")?,
                    on_hand_delta: Quantity(get(row, "on_hand_delta")?),
                    reserved_delta: Quantity(get(row, "reserved_delta")?),
                    at: parse_ts(&get::<String>(row, "at")?)?,
                })
            })
            .collect()
    }
}
