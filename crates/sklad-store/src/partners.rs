//! Partners (Партньори).

use sklad_domain::model::{Partner, PartnerInput};
use sklad_domain::{Id, PriceGroup};

use crate::db::{enum_from_key, enum_key, get, invalid, key, map_unique, Arg, Sql};
use crate::{Page, PartnerFilter, Store, StoreError, StoreResult};

const COLUMNS: &str =
    "id, name, eik, vat_number, mol, address, city, phone, email, role, price_group";

fn from_row(row: &sqlx::any::AnyRow) -> StoreResult<Partner> {
    Ok(Partner {
        id: get(row, "id")?,
        name: get(row, "name")?,
        eik: get(row, "eik")?,
        vat_number: get(row, "vat_number")?,
        mol: get(row, "mol")?,
        address: get(row, "address")?,
        city: get(row, "city")?,
        phone: get(row, "phone")?,
        email: get(row, "email")?,
        role: enum_from_key(&get::<String>(row, "role")?)?,
        price_group: key(&get::<String>(row, "price_group")?, PriceGroup::from_key)?,
    })
}

fn search_text(p: &PartnerInput) -> String {
    [
        Some(p.name.as_str()),
        p.eik.as_deref(),
        p.vat_number.as_deref(),
        p.email.as_deref(),
        p.phone.as_deref(),
        p.city.as_deref(),
        p.mol.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase()
}

fn eik_duplicate(eik: &str) -> StoreError {
    invalid(
        "eik",
        "eik_duplicate",
        format!("Партньор с ЕИК {eik} вече съществува."),
        format!("A partner with ЕИК {eik} already exists."),
    )
}

async fn check_eik(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    own_id: Id,
    input: &PartnerInput,
) -> StoreResult<()> {
    if let Some(eik) = &input.eik {
        let taken =
            sqlx::query("SELECT id FROM partners WHERE firm_id = $1 AND eik = $2 AND id <> $3")
                .bind(firm_id)
                .bind(eik)
                .bind(own_id)
                .fetch_optional(&mut *conn)
                .await?;
        if taken.is_some() {
            return Err(eik_duplicate(eik));
        }
    }
    Ok(())
}

/// `query` with the partner's stored fields bound as `$1`…`$11` (name, ЕИК, VAT
/// number, МОЛ, address, city, phone, e-mail, role, price group, search text).
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    input: &'q PartnerInput,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(&input.name)
        .bind(input.eik.clone())
        .bind(input.vat_number.clone())
        .bind(input.mol.clone())
        .bind(input.address.clone())
        .bind(input.city.clone())
        .bind(input.phone.clone())
        .bind(input.email.clone())
        .bind(enum_key(&input.role))
        .bind(input.price_group.key())
        .bind(search_text(input))
}

impl Store {
    /// Creates a partner; an ЕИК already used in the firm is `eik_duplicate`.
    pub async fn create_partner(&self, firm_id: Id, input: &PartnerInput) -> StoreResult<Partner> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        check_eik(&mut w.tx, firm_id, -1, &input).await?;
        let insert = sqlx::query(
            "INSERT INTO partners (name, eik, vat_number, mol, address, city, phone, email, \
             role, price_group, search_text, firm_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        );
        let row = bind_fields(insert, &input)
            .bind(firm_id)
            .fetch_one(&mut *w.tx)
            .await
            .map_err(map_unique)?;
        let id: Id = get(&row, "id")?;
        w.commit().await?;
        Ok(partner_of(id, input))
    }

    /// The partner.
    pub async fn partner(&self, firm_id: Id, partner_id: Id) -> StoreResult<Partner> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM partners WHERE firm_id = $1 AND id = $2"
        ))
        .bind(firm_id)
        .bind(partner_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::not_found("partner"))?;
        from_row(&row)
    }

    /// Updates the partner.
    pub async fn update_partner(
        &self,
        firm_id: Id,
        partner_id: Id,
        input: &PartnerInput,
    ) -> StoreResult<Partner> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        check_eik(&mut w.tx, firm_id, partner_id, &input).await?;
        let update = sqlx::query(
            "UPDATE partners SET name = $1, eik = $2, vat_number = $3, mol = $4, address = $5, \
             city = $6, phone = $7, email = $8, role = $9, price_group = $10, search_text = $11 \
             WHERE firm_id = $12 AND id = $13",
        );
        let done = bind_fields(update, &input)
            .bind(firm_id)
            .bind(partner_id)
            .execute(&mut *w.tx)
            .await
            .map_err(map_unique)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("partner"));
        }
        w.commit().await?;
        Ok(partner_of(partner_id, input))
    }

    /// Deletes a partner no operation refers to (else `partner_in_use`).
    pub async fn delete_partner(&self, firm_id: Id, partner_id: Id) -> StoreResult<()> {
        let mut w = self.write().await?;
        let used = sqlx::query("SELECT id FROM operations WHERE partner_id = $1")
            .bind(partner_id)
            .fetch_optional(&mut *w.tx)
            .await?;
        if used.is_some() {
            return Err(invalid(
                "",
                "partner_in_use",
                "Партньорът участва в операции и не може да бъде изтрит.",
                "The partner is used by operations and cannot be deleted.",
            ));
        }
        let done = sqlx::query("DELETE FROM partners WHERE firm_id = $1 AND id = $2")
            .bind(firm_id)
            .bind(partner_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("partner"));
        }
        w.commit().await
    }

    /// The partner with this ЕИК / ЕГН.
    pub async fn partner_by_eik(&self, firm_id: Id, eik: &str) -> StoreResult<Partner> {
        self.partner_where(firm_id, " AND eik = ", eik.trim().to_owned())
            .await
    }

    /// The first partner (lowest id) with this e-mail, case-insensitive.
    pub async fn partner_by_email(&self, firm_id: Id, email: &str) -> StoreResult<Partner> {
        self.partner_where(firm_id, " AND email = ", email.trim().to_lowercase())
            .await
    }

    async fn partner_where(
        &self,
        firm_id: Id,
        filter: &str,
        value: String,
    ) -> StoreResult<Partner> {
        if !crate::db::storable(&value) {
            return Err(StoreError::not_found("partner"));
        }
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM partners WHERE firm_id = "));
        sql.arg(Arg::Int(firm_id))
            .push(filter)
            .arg(Arg::Text(value))
            .push(" ORDER BY id LIMIT 1");
        let row = sql
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("partner"))?;
        from_row(&row)
    }

    /// Partners matching the filter, by name.
    pub async fn partners(
        &self,
        firm_id: Id,
        filter: &PartnerFilter,
    ) -> StoreResult<Page<Partner>> {
        let paging = filter.paging.clamped();
        let mut where_ = Sql::new(" FROM partners WHERE firm_id = ");
        where_
            .arg(Arg::Int(firm_id))
            .search(filter.search.as_deref());
        if let Some(role) = filter.role {
            where_.push(" AND role = ").arg(Arg::Text(enum_key(&role)));
        }
        let mut conn = self.pool.acquire().await?;
        let (total, rows) = where_.page(&mut conn, COLUMNS, "name, id", paging).await?;
        let items = rows.iter().map(from_row).collect::<StoreResult<_>>()?;
        Ok(Page::of(items, total, paging))
    }
}

fn partner_of(id: Id, p: PartnerInput) -> Partner {
    Partner {
        id,
        name: p.name,
        eik: p.eik,
        vat_number: p.vat_number,
        mol: p.mol,
        address: p.address,
        city: p.city,
        phone: p.phone,
        email: p.email,
        role: p.role,
        price_group: p.price_group,
    }
}
