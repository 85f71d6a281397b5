//! Goods (Стоки) with their barcodes and prices per price group.

use std::collections::BTreeMap;

use sklad_domain::model::{Good, GoodInput};
use sklad_domain::{FieldError, Id, PriceGroup, ValidationErrors, VatRate};

use crate::db::{
    enum_from_key, enum_key, flag, get, invalid, key, map_unique, storable, ts_text, Arg, Sql,
};
use crate::{GoodFilter, Page, Store, StoreError, StoreResult};

const GOOD_COLUMNS: &str = "id, code, name, measure, kind, vat_rate, grp, active";

fn search_text(input: &GoodInput) -> String {
    let mut text = format!("{} {}", input.code, input.name);
    for b in &input.barcodes {
        text.push(' ');
        text.push_str(b);
    }
    text.to_lowercase()
}

fn good_from_row(row: &sqlx::any::AnyRow) -> StoreResult<Good> {
    let vat: i64 = get(row, "vat_rate")?;
    Ok(Good {
        id: get(row, "id")?,
        code: get(row, "code")?,
        barcodes: Vec::new(),
        name: get(row, "name")?,
        measure: get(row, "measure")?,
        kind: enum_from_key(&get::<String>(row, "kind")?)?,
        vat_rate: VatRate::from_percent(vat)
            .ok_or_else(|| StoreError::Database(format!("stored VAT rate unknown: {vat}")))?,
        group: get(row, "grp")?,
        active: get::<i64>(row, "active")? != 0,
        prices: BTreeMap::new(),
    })
}

/// Loads goods by the rows selected with [`GOOD_COLUMNS`], with barcodes and prices.
pub(crate) async fn goods_with_details(
    conn: &mut sqlx::AnyConnection,
    rows: &[sqlx::any::AnyRow],
) -> StoreResult<Vec<Good>> {
    let mut goods: Vec<Good> = rows.iter().map(good_from_row).collect::<StoreResult<_>>()?;
    if goods.is_empty() {
        return Ok(goods);
    }
    let ids: Vec<Id> = goods.iter().map(|g| g.id).collect();
    let index: BTreeMap<Id, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut sql = Sql::new("SELECT good_id, barcode FROM good_barcodes WHERE good_id IN ");
    sql.id_list(&ids).push(" ORDER BY good_id, position");
    for row in sql.query().fetch_all(&mut *conn).await? {
        let good_id: Id = get(&row, "good_id")?;
        if let Some(&i) = index.get(&good_id) {
            goods[i].barcodes.push(get(&row, "barcode")?);
        }
    }
    let mut sql =
        Sql::new("SELECT good_id, price_group, amount FROM good_prices WHERE good_id IN ");
    sql.id_list(&ids);
    for row in sql.query().fetch_all(&mut *conn).await? {
        let good_id: Id = get(&row, "good_id")?;
        if let Some(&i) = index.get(&good_id) {
            let group = key(&get::<String>(&row, "price_group")?, PriceGroup::from_key)?;
            goods[i].prices.insert(group, get(&row, "amount")?);
        }
    }
    Ok(goods)
}

pub(crate) async fn one_good(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    filter: &str,
    value: Arg,
) -> StoreResult<Good> {
    let mut sql = Sql::new(&format!(
        "SELECT {GOOD_COLUMNS} FROM goods WHERE firm_id = "
    ));
    sql.arg(Arg::Int(firm_id)).push(filter).arg(value);
    let rows = sql.query().fetch_all(&mut *conn).await?;
    goods_with_details(conn, &rows)
        .await?
        .pop()
        .ok_or(StoreError::not_found("good"))
}

/// Checks code and barcodes are free in the firm (except for `own_id`).
pub(crate) async fn check_unique(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    own_id: Option<Id>,
    input: &GoodInput,
) -> StoreResult<()> {
    let own = own_id.unwrap_or(-1);
    let mut errors = ValidationErrors::new();
    let taken = sqlx::query("SELECT id FROM goods WHERE firm_id = $1 AND code = $2 AND id <> $3")
        .bind(firm_id)
        .bind(&input.code)
        .bind(own)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        errors.push(FieldError::new(
            "code",
            "code_duplicate",
            format!("Стока с код „{}“ вече съществува.", input.code),
            format!("A good with code \"{}\" already exists.", input.code),
        ));
    }
    for (i, barcode) in input.barcodes.iter().enumerate() {
        let taken = sqlx::query(
            "SELECT good_id FROM good_barcodes WHERE firm_id = $1 AND barcode = $2 AND good_id <> $3",
        )
        .bind(firm_id)
        .bind(barcode)
        .bind(own)
        .fetch_optional(&mut *conn)
        .await?;
        if taken.is_some() {
            errors.push(FieldError::new(
                format!("barcodes[{i}]"),
                "barcode_duplicate",
                format!("Баркод „{barcode}“ вече се използва от друга стока."),
                format!("Barcode \"{barcode}\" is already used by another good."),
            ));
        }
    }
    errors.into_result(()).map_err(StoreError::from)
}

async fn write_details(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    good_id: Id,
    input: &GoodInput,
) -> StoreResult<()> {
    for (position, barcode) in input.barcodes.iter().enumerate() {
        sqlx::query(
            "INSERT INTO good_barcodes (firm_id, good_id, position, barcode) VALUES ($1, $2, $3, $4)",
        )
        .bind(firm_id)
        .bind(good_id)
        .bind(position as i64)
        .bind(barcode)
        .execute(&mut *conn)
        .await
        .map_err(map_unique)?;
    }
    for (group, amount) in &input.prices {
        sqlx::query("INSERT INTO good_prices (good_id, price_group, amount) VALUES ($1, $2, $3)")
            .bind(good_id)
            .bind(group.key())
            .bind(*amount)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Inserts a validated good with its barcodes and prices; returns its id.
pub(crate) async fn insert_good(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    input: &GoodInput,
) -> StoreResult<Id> {
    let row = sqlx::query(
        "INSERT INTO goods (firm_id, code, name, measure, kind, vat_rate, grp, active, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(firm_id)
    .bind(&input.code)
    .bind(&input.name)
    .bind(&input.measure)
    .bind(enum_key(&input.kind))
    .bind(input.vat_rate.percent())
    .bind(input.group.clone())
    .bind(flag(input.active))
    .bind(search_text(input))
    .fetch_one(&mut *conn)
    .await
    .map_err(map_unique)?;
    let id: Id = get(&row, "id")?;
    write_details(conn, firm_id, id, input).await?;
    Ok(id)
}

/// Replaces a validated good's fields, barcodes and prices (code and barcodes checked
/// free first), and sets its shop links due (its price, kind or state may have changed)
/// at `now`. The caller has checked the good is the firm's.
pub(crate) async fn replace_good(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    good_id: Id,
    input: &GoodInput,
    now: &str,
) -> StoreResult<()> {
    check_unique(conn, firm_id, Some(good_id), input).await?;
    sqlx::query(
        "UPDATE goods SET code = $1, name = $2, measure = $3, kind = $4, vat_rate = $5, \
             grp = $6, active = $7, search_text = $8 WHERE firm_id = $9 AND id = $10",
    )
    .bind(&input.code)
    .bind(&input.name)
    .bind(&input.measure)
    .bind(enum_key(&input.kind))
    .bind(input.vat_rate.percent())
    .bind(input.group.clone())
    .bind(flag(input.active))
    .bind(search_text(input))
    .bind(firm_id)
    .bind(good_id)
    .execute(&mut *conn)
    .await
    .map_err(map_unique)?;
    for table in ["good_barcodes", "good_prices"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE good_id = $1"))
            .bind(good_id)
            .execute(&mut *conn)
            .await?;
    }
    write_details(conn, firm_id, good_id, input).await?;
    crate::shops::mark_goods_due(conn, firm_id, &[good_id], now).await?;
    Ok(())
}

impl Store {
    /// Creates a good. A code or barcode already used in the firm is
    /// `code_duplicate` / `barcode_duplicate` on `code` / `barcodes[i]`.
    pub async fn create_good(&self, firm_id: Id, input: &GoodInput) -> StoreResult<Good> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        check_unique(&mut w.tx, firm_id, None, &input).await?;
        let id = insert_good(&mut w.tx, firm_id, &input).await?;
        let good = one_good(&mut w.tx, firm_id, " AND id = ", Arg::Int(id)).await?;
        w.commit().await?;
        Ok(good)
    }

    /// Creates many goods in one transaction, all or nothing (an import). Errors
    /// carry the item's index: `goods[3].code` / `code_duplicate`, also for a code
    /// or barcode repeated inside the batch. Returns the new ids in input order.
    pub async fn create_goods(&self, firm_id: Id, inputs: &[GoodInput]) -> StoreResult<Vec<Id>> {
        let mut errors = ValidationErrors::new();
        let mut valid = Vec::with_capacity(inputs.len());
        let mut codes = std::collections::HashSet::new();
        let mut barcodes = std::collections::HashSet::new();
        for (i, input) in inputs.iter().enumerate() {
            let at = format!("goods[{i}]");
            match input.validate() {
                Ok(input) => {
                    if !codes.insert(input.code.clone()) {
                        errors.push(
                            FieldError::new(
                                "code",
                                "code_duplicate",
                                "Кодът се повтаря в списъка.",
                                "The code is repeated in the list.",
                            )
                            .within(&at),
                        );
                    }
                    for (j, b) in input.barcodes.iter().enumerate() {
                        if !barcodes.insert(b.clone()) {
                            errors.push(
                                FieldError::new(
                                    format!("barcodes[{j}]"),
                                    "barcode_duplicate",
                                    "Баркодът се повтаря в списъка.",
                                    "The barcode is repeated in the list.",
                                )
                                .within(&at),
                            );
                        }
                    }
                    valid.push(input);
                }
                Err(e) => errors
                    .errors
                    .extend(e.errors.into_iter().map(|e| e.within(&at))),
            }
        }
        errors.into_result(()).map_err(StoreError::from)?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let mut ids = Vec::with_capacity(valid.len());
        for (i, input) in valid.iter().enumerate() {
            match check_unique(&mut w.tx, firm_id, None, input).await {
                Ok(()) => {}
                Err(StoreError::Validation(v)) => {
                    let at = format!("goods[{i}]");
                    return Err(StoreError::Validation(ValidationErrors {
                        errors: v.errors.into_iter().map(|e| e.within(&at)).collect(),
                    }));
                }
                Err(other) => return Err(other),
            }
            ids.push(insert_good(&mut w.tx, firm_id, input).await?);
        }
        w.commit().await?;
        Ok(ids)
    }

    /// The good.
    pub async fn good(&self, firm_id: Id, good_id: Id) -> StoreResult<Good> {
        let mut conn = self.pool.acquire().await?;
        one_good(&mut conn, firm_id, " AND id = ", Arg::Int(good_id)).await
    }

    /// Replaces the good's fields, barcodes and prices.
    pub async fn update_good(
        &self,
        firm_id: Id,
        good_id: Id,
        input: &GoodInput,
    ) -> StoreResult<Good> {
        let input = input.validate()?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        one_good(&mut w.tx, firm_id, " AND id = ", Arg::Int(good_id)).await?;
        replace_good(&mut w.tx, firm_id, good_id, &input, &ts_text(self.now())).await?;
        let good = one_good(&mut w.tx, firm_id, " AND id = ", Arg::Int(good_id)).await?;
        w.commit().await?;
        Ok(good)
    }

    /// Deletes a good no operation refers to (else `good_in_use`: make it inactive).
    pub async fn delete_good(&self, firm_id: Id, good_id: Id) -> StoreResult<()> {
        let mut w = self.write().await?;
        one_good(&mut w.tx, firm_id, " AND id = ", Arg::Int(good_id)).await?;
        let used = sqlx::query(
            "SELECT 1 AS x FROM operation_lines WHERE good_id = $1 \
             UNION ALL SELECT 1 AS x FROM stock WHERE good_id = $1",
        )
        .bind(good_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        if used.is_some() {
            return Err(invalid(
                "",
                "good_in_use",
                "Стоката участва в операции; направете я неактивна.",
                "The good is used by operations; make it inactive instead.",
            ));
        }
        let special = sqlx::query(
            "SELECT name FROM shop_connections WHERE firm_id = $1 AND \
             (delivery_good_id = $2 OR discount_good_id = $2 OR fee_good_id = $2)",
        )
        .bind(firm_id)
        .bind(good_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        if let Some(row) = special {
            let name: String = get(&row, "name")?;
            return Err(invalid(
                "",
                "good_in_use",
                format!("Стоката е специална стока на връзката с ел. магазин „{name}“."),
                format!("The good is a special good of the e-shop connection \"{name}\"."),
            ));
        }
        sqlx::query("DELETE FROM goods WHERE firm_id = $1 AND id = $2")
            .bind(firm_id)
            .bind(good_id)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }

    /// The good with this main code.
    pub async fn good_by_code(&self, firm_id: Id, code: &str) -> StoreResult<Good> {
        if !storable(code) {
            return Err(StoreError::not_found("good"));
        }
        let mut conn = self.pool.acquire().await?;
        one_good(
            &mut conn,
            firm_id,
            " AND code = ",
            Arg::Text(code.trim().to_owned()),
        )
        .await
    }

    /// The good with this barcode.
    pub async fn good_by_barcode(&self, firm_id: Id, barcode: &str) -> StoreResult<Good> {
        if !storable(barcode) {
            return Err(StoreError::not_found("good"));
        }
        let row =
            sqlx::query("SELECT good_id FROM good_barcodes WHERE firm_id = $1 AND barcode = $2")
                .bind(firm_id)
                .bind(barcode.trim())
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::not_found("good"))?;
        self.good(firm_id, get(&row, "good_id")?).await
    }

    /// Goods matching the filter, by code.
    pub async fn goods(&self, firm_id: Id, filter: &GoodFilter) -> StoreResult<Page<Good>> {
        let paging = filter.paging.clamped();
        let mut where_ = Sql::new(" FROM goods WHERE firm_id = ");
        where_
            .arg(Arg::Int(firm_id))
            .search(filter.search.as_deref());
        if let Some(kind) = filter.kind {
            where_.push(" AND kind = ").arg(Arg::Text(enum_key(&kind)));
        }
        if let Some(group) = filter.group.as_deref() {
            where_
                .push(" AND grp = ")
                .arg(Arg::Text(group.trim().replace('\0', "")));
        }
        if let Some(active) = filter.active {
            where_.push(" AND active = ").arg(Arg::Int(flag(active)));
        }
        let mut conn = self.pool.acquire().await?;
        let (total, rows) = where_.page(&mut conn, GOOD_COLUMNS, "code", paging).await?;
        let items = goods_with_details(&mut conn, &rows).await?;
        Ok(Page::of(items, total, paging))
    }
}
