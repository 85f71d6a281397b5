//! Payment types (Типове плащане).

use sklad_domain::model::{PaymentType, PaymentTypeInput};
use sklad_domain::Id;

use crate::db::{enum_from_key, enum_key, flag, get, invalid};
use crate::{Store, StoreError, StoreResult};

const COLUMNS: &str = "id, name, method, active";

fn from_row(row: &sqlx::any::AnyRow) -> StoreResult<PaymentType> {
    Ok(PaymentType {
        id: get(row, "id")?,
        name: get(row, "name")?,
        method: enum_from_key(&get::<String>(row, "method")?)?,
        active: get::<i64>(row, "active")? != 0,
    })
}

impl Store {
    /// Creates a payment type.
    pub async fn create_payment_type(
        &self,
        firm_id: Id,
        input: &PaymentTypeInput,
    ) -> StoreResult<PaymentType> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let row = sqlx::query(
            "INSERT INTO payment_types (firm_id, name, method, active) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(firm_id)
        .bind(&input.name)
        .bind(enum_key(&input.method))
        .bind(flag(input.active))
        .fetch_one(&mut *w.tx)
        .await?;
        let id = get(&row, "id")?;
        w.commit().await?;
        Ok(PaymentType {
            id,
            name: input.name,
            method: input.method,
            active: input.active,
        })
    }

    /// The payment type.
    pub async fn payment_type(&self, firm_id: Id, payment_type_id: Id) -> StoreResult<PaymentType> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payment_types WHERE firm_id = $1 AND id = $2"
        ))
        .bind(firm_id)
        .bind(payment_type_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::not_found("payment_type"))?;
        from_row(&row)
    }

    /// Updates the payment type.
    pub async fn update_payment_type(
        &self,
        firm_id: Id,
        payment_type_id: Id,
        input: &PaymentTypeInput,
    ) -> StoreResult<PaymentType> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        let done = sqlx::query(
            "UPDATE payment_types SET name = $1, method = $2, active = $3 \
             WHERE firm_id = $4 AND id = $5",
        )
        .bind(&input.name)
        .bind(enum_key(&input.method))
        .bind(flag(input.active))
        .bind(firm_id)
        .bind(payment_type_id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("payment_type"));
        }
        w.commit().await?;
        Ok(PaymentType {
            id: payment_type_id,
            name: input.name,
            method: input.method,
            active: input.active,
        })
    }

    /// Deletes a payment type no operation or e-shop connection refers to (else
    /// `payment_type_in_use`).
    pub async fn delete_payment_type(&self, firm_id: Id, payment_type_id: Id) -> StoreResult<()> {
        let mut w = self.write().await?;
        let used = sqlx::query(
            "SELECT id FROM operations WHERE payment_type_id = $1 \
             UNION ALL SELECT connection_id AS id FROM shop_payments WHERE payment_type_id = $1",
        )
        .bind(payment_type_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        if used.is_some() {
            return Err(invalid(
                "",
                "payment_type_in_use",
                "Типът плащане се използва в операции или във връзка с ел. магазин; направете \
                 го неактивен.",
                "The payment type is used by operations or an e-shop connection; make it \
                 inactive instead.",
            ));
        }
        let done = sqlx::query("DELETE FROM payment_types WHERE firm_id = $1 AND id = $2")
            .bind(firm_id)
            .bind(payment_type_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("payment_type"));
        }
        w.commit().await
    }

    /// The firm's payment types by id.
    pub async fn payment_types(&self, firm_id: Id) -> StoreResult<Vec<PaymentType>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payment_types WHERE firm_id = $1 ORDER BY id"
        ))
        .bind(firm_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
