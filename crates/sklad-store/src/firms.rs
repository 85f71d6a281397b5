//! Firms (tenants).

use sklad_domain::model::{default_payment_types, Firm, FirmInput, ObjectKind};
use sklad_domain::{Currency, Id, PriceGroup};

use crate::db::{flag, get, invalid, ts_text};
use crate::{Store, StoreError, StoreResult};

/// Name of the object every new firm starts with.
pub const DEFAULT_OBJECT_NAME: &str = "Основен склад";

const FIRM_COLUMNS: &str = "id, name, eik, currency, vat_registered, seats, allow_negative_stock";

pub(crate) fn firm_from_row(row: &sqlx::any::AnyRow) -> StoreResult<Firm> {
    let currency: String = get(row, "currency")?;
    Ok(Firm {
        id: get(row, "id")?,
        name: get(row, "name")?,
        eik: get(row, "eik")?,
        currency: Currency::parse(&currency)
            .ok_or_else(|| StoreError::Database(format!("stored currency unknown: {currency}")))?,
        vat_registered: get::<i64>(row, "vat_registered")? != 0,
        seats: get(row, "seats")?,
        allow_negative_stock: get::<i64>(row, "allow_negative_stock")? != 0,
    })
}

pub(crate) async fn firm_in<'c, E>(executor: E, firm_id: Id) -> StoreResult<Firm>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    firm_where(executor, firm_id, "").await
}

/// The firm, read with `lock` (`""` or `" FOR UPDATE"`) appended to the query.
pub(crate) async fn firm_where<'c, E>(executor: E, firm_id: Id, lock: &str) -> StoreResult<Firm>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT {FIRM_COLUMNS} FROM firms WHERE id = $1{lock}"
    ))
    .bind(firm_id)
    .fetch_optional(executor)
    .await?
    .ok_or(StoreError::not_found("firm"))?;
    firm_from_row(&row)
}

/// Inserts a firm row and returns its id.
pub(crate) async fn insert_firm(
    conn: &mut sqlx::AnyConnection,
    input: &FirmInput,
    now: jiff::Timestamp,
) -> StoreResult<Id> {
    let row = sqlx::query(
        "INSERT INTO firms (name, eik, currency, vat_registered, seats, allow_negative_stock, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&input.name)
    .bind(input.eik.clone())
    .bind(input.currency.code())
    .bind(flag(input.vat_registered))
    .bind(input.seats)
    .bind(flag(input.allow_negative_stock))
    .bind(ts_text(now))
    .fetch_one(&mut *conn)
    .await?;
    get(&row, "id")
}

impl Store {
    /// Creates a firm with the default payment types and one object „Основен склад“
    /// (warehouse, retail prices).
    pub async fn create_firm(&self, input: &FirmInput) -> StoreResult<Firm> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        let firm_id = insert_firm(&mut w.tx, &input, self.now()).await?;
        for (name, method) in default_payment_types() {
            sqlx::query(
                "INSERT INTO payment_types (firm_id, name, method, active) VALUES ($1, $2, $3, 1)",
            )
            .bind(firm_id)
            .bind(name)
            .bind(crate::db::enum_key(&method))
            .execute(&mut *w.tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO objects (firm_id, name, kind, price_group, active) VALUES ($1, $2, $3, $4, 1)",
        )
        .bind(firm_id)
        .bind(DEFAULT_OBJECT_NAME)
        .bind(crate::db::enum_key(&ObjectKind::Warehouse))
        .bind(PriceGroup::Retail.key())
        .execute(&mut *w.tx)
        .await?;
        let firm = firm_in(&mut *w.tx, firm_id).await?;
        w.commit().await?;
        Ok(firm)
    }

    /// Whether the database holds any firm (a fresh database holds none).
    pub async fn has_firms(&self) -> StoreResult<bool> {
        let row = sqlx::query("SELECT id FROM firms LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The firm.
    pub async fn firm(&self, firm_id: Id) -> StoreResult<Firm> {
        firm_in(&self.pool, firm_id).await
    }

    /// Updates name, ЕИК, VAT flag, seats and the negative-stock setting. The
    /// currency changes only through [`Store::euro_changeover`]: a different
    /// currency here is a validation error (`currency_change`). Fewer seats than
    /// members and e-shop connections in use is `seats_exceeded`.
    pub async fn update_firm(&self, firm_id: Id, input: &FirmInput) -> StoreResult<Firm> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let current = firm_in(&mut *w.tx, firm_id).await?;
        if current.currency != input.currency {
            return Err(invalid(
                "currency",
                "currency_change",
                "Валутата се сменя само чрез преминаването към евро.",
                "The currency changes only through the euro changeover.",
            ));
        }
        if crate::users::seats_used(&mut w.tx, firm_id).await? > input.seats {
            return Err(crate::users::seats_exceeded(input.seats));
        }
        sqlx::query(
            "UPDATE firms SET name = $1, eik = $2, vat_registered = $3, seats = $4, \
             allow_negative_stock = $5 WHERE id = $6",
        )
        .bind(&input.name)
        .bind(input.eik.clone())
        .bind(flag(input.vat_registered))
        .bind(input.seats)
        .bind(flag(input.allow_negative_stock))
        .bind(firm_id)
        .execute(&mut *w.tx)
        .await?;
        let firm = firm_in(&mut *w.tx, firm_id).await?;
        w.commit().await?;
        Ok(firm)
    }
}
