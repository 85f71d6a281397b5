//! Objects (Обекти): shops and warehouses.

use sklad_domain::model::{Object, ObjectInput};
use sklad_domain::{Id, PriceGroup};

use crate::db::{enum_from_key, enum_key, flag, get, invalid, key, ts_text};
use crate::{Store, StoreError, StoreResult};

const OBJECT_COLUMNS: &str = "id, name, kind, price_group, active";

pub(crate) fn object_from_row(row: &sqlx::any::AnyRow) -> StoreResult<Object> {
    Ok(Object {
        id: get(row, "id")?,
        name: get(row, "name")?,
        kind: enum_from_key(&get::<String>(row, "kind")?)?,
        price_group: key(&get::<String>(row, "price_group")?, PriceGroup::from_key)?,
        active: get::<i64>(row, "active")? != 0,
    })
}

pub(crate) async fn object_in<'c, E>(executor: E, firm_id: Id, object_id: Id) -> StoreResult<Object>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT {OBJECT_COLUMNS} FROM objects WHERE firm_id = $1 AND id = $2"
    ))
    .bind(firm_id)
    .bind(object_id)
    .fetch_optional(executor)
    .await?
    .ok_or(StoreError::not_found("object"))?;
    object_from_row(&row)
}

impl Store {
    /// Creates an object.
    pub async fn create_object(&self, firm_id: Id, input: &ObjectInput) -> StoreResult<Object> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let row = sqlx::query(
            "INSERT INTO objects (firm_id, name, kind, price_group, active) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(firm_id)
        .bind(&input.name)
        .bind(enum_key(&input.kind))
        .bind(input.price_group.key())
        .bind(flag(input.active))
        .fetch_one(&mut *w.tx)
        .await?;
        let id = get(&row, "id")?;
        w.commit().await?;
        Ok(Object {
            id,
            name: input.name,
            kind: input.kind,
            price_group: input.price_group,
            active: input.active,
        })
    }

    /// The object.
    pub async fn object(&self, firm_id: Id, object_id: Id) -> StoreResult<Object> {
        object_in(&self.pool, firm_id, object_id).await
    }

    /// Updates the object.
    pub async fn update_object(
        &self,
        firm_id: Id,
        object_id: Id,
        input: &ObjectInput,
    ) -> StoreResult<Object> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        let done = sqlx::query(
            "UPDATE objects SET name = $1, kind = $2, price_group = $3, active = $4 \
             WHERE firm_id = $5 AND id = $6",
        )
        .bind(&input.name)
        .bind(enum_key(&input.kind))
        .bind(input.price_group.key())
        .bind(flag(input.active))
        .bind(firm_id)
        .bind(object_id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("object"));
        }
        // Its price group may be the one a shop's prices come from (SPEC G1).
        crate::shops::mark_object_due(&mut w.tx, firm_id, object_id, &ts_text(self.now())).await?;
        w.commit().await?;
        Ok(Object {
            id: object_id,
            name: input.name,
            kind: input.kind,
            price_group: input.price_group,
            active: input.active,
        })
    }

    /// Deletes an object that no operation, stock or e-shop connection refers to (else
    /// `object_in_use`).
    pub async fn delete_object(&self, firm_id: Id, object_id: Id) -> StoreResult<()> {
        let mut w = self.write().await?;
        object_in(&mut *w.tx, firm_id, object_id).await?;
        let used = sqlx::query(
            "SELECT 1 AS x FROM operations WHERE object_id = $1 OR target_object_id = $1 \
             UNION ALL SELECT 1 AS x FROM stock WHERE object_id = $1 \
             UNION ALL SELECT 1 AS x FROM shop_connections WHERE operations_object_id = $1 \
             UNION ALL SELECT 1 AS x FROM shop_connection_objects WHERE object_id = $1",
        )
        .bind(object_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        if used.is_some() {
            return Err(invalid(
                "",
                "object_in_use",
                "Обектът има операции или наличности или е избран във връзка с ел. магазин и не \
                 може да бъде изтрит.",
                "The object has operations or stock, or an e-shop connection uses it, and cannot \
                 be deleted.",
            ));
        }
        sqlx::query("DELETE FROM objects WHERE firm_id = $1 AND id = $2")
            .bind(firm_id)
            .bind(object_id)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }

    /// The firm's objects in creation order (the main object first).
    pub async fn objects(&self, firm_id: Id) -> StoreResult<Vec<Object>> {
        let rows = sqlx::query(&format!(
            "SELECT {OBJECT_COLUMNS} FROM objects WHERE firm_id = $1 ORDER BY id"
        ))
        .bind(firm_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(object_from_row).collect()
    }
}
