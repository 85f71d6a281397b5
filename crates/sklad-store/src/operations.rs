//! Operations: create, edit, annul, convert an order into a sale. Every change of
//! stock writes the stock levels, one ledger row per movement and one outbox row per
//! touched (object, good), in one transaction.

use std::collections::BTreeMap;

use sklad_domain::model::{Firm, GoodKind};
use sklad_domain::operation::sale_draft_from_order;
use sklad_domain::operation::{
    ExternalRef, Line, Operation, OperationDraft, OperationKind, OperationStatus, Totals,
};
use sklad_domain::stock::{conversion_movements, edit_movements, movements_of, reversal, Movement};
use sklad_domain::{Currency, FieldError, Id, Quantity, VatRate};

use crate::db::{enum_from_key, enum_key, get, map_unique, parse_date, ts_text, Arg, Sql};
use crate::firms::firm_in;
use crate::ledger::StockChanges;
use crate::{OperationFilter, Page, Store, StoreError, StoreResult};

const OP_COLUMNS: &str = "id, kind, number, date, object_id, target_object_id, partner_id, \
     payment_type_id, currency, gross, vat, net, ext_source, ext_id, note, status, converted_to";

fn op_from_row(row: &sqlx::any::AnyRow) -> StoreResult<Operation> {
    let kind: String = get(row, "kind")?;
    let currency: String = get(row, "currency")?;
    let ext_source: Option<String> = get(row, "ext_source")?;
    let ext_id: Option<String> = get(row, "ext_id")?;
    Ok(Operation {
        id: get(row, "id")?,
        kind: crate::db::key(&kind, OperationKind::from_key)?,
        number: get(row, "number")?,
        date: parse_date(&get::<String>(row, "date")?)?,
        object_id: get(row, "object_id")?,
        target_object_id: get(row, "target_object_id")?,
        partner_id: get(row, "partner_id")?,
        payment_type_id: get(row, "payment_type_id")?,
        currency: crate::db::key(&currency, Currency::parse)?,
        lines: Vec::new(),
        totals: Totals {
            gross: get(row, "gross")?,
            vat: get(row, "vat")?,
            net: get(row, "net")?,
        },
        external_ref: match (ext_source, ext_id) {
            (Some(source), Some(id)) => Some(ExternalRef { source, id }),
            _ => None,
        },
        note: get(row, "note")?,
        status: enum_from_key(&get::<String>(row, "status")?)?,
        converted_to: get(row, "converted_to")?,
    })
}

/// Operations of the rows selected with [`OP_COLUMNS`], with their lines.
pub(crate) async fn ops_with_lines(
    conn: &mut sqlx::AnyConnection,
    rows: &[sqlx::any::AnyRow],
) -> StoreResult<Vec<Operation>> {
    let mut ops: Vec<Operation> = rows.iter().map(op_from_row).collect::<StoreResult<_>>()?;
    if ops.is_empty() {
        return Ok(ops);
    }
    let ids: Vec<Id> = ops.iter().map(|o| o.id).collect();
    let index: BTreeMap<Id, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut sql = Sql::new(
        "SELECT operation_id, good_id, quantity, unit_price, vat_rate, discount_bp \
         FROM operation_lines WHERE operation_id IN ",
    );
    sql.id_list(&ids).push(" ORDER BY operation_id, position");
    for row in sql.query().fetch_all(&mut *conn).await? {
        let vat: i64 = get(&row, "vat_rate")?;
        let line = Line {
            good_id: get(&row, "good_id")?,
            quantity: Quantity(get(&row, "quantity")?),
            unit_price: get(&row, "unit_price")?,
            vat_rate: VatRate::from_percent(vat)
                .ok_or_else(|| StoreError::Database(format!("stored VAT rate unknown: {vat}")))?,
            discount_bp: get(&row, "discount_bp")?,
        };
        if let Some(&i) = index.get(&get::<Id>(&row, "operation_id")?) {
            ops[i].lines.push(line);
        }
    }
    Ok(ops)
}

pub(crate) async fn operation_in(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    operation_id: Id,
) -> StoreResult<Operation> {
    let rows = sqlx::query(&format!(
        "SELECT {OP_COLUMNS} FROM operations WHERE firm_id = $1 AND id = $2"
    ))
    .bind(firm_id)
    .bind(operation_id)
    .fetch_all(&mut *conn)
    .await?;
    ops_with_lines(conn, &rows)
        .await?
        .pop()
        .ok_or(StoreError::not_found("operation"))
}

async fn exists(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    firm_id: Id,
    id: Id,
) -> StoreResult<bool> {
    Ok(sqlx::query(&format!(
        "SELECT id FROM {table} WHERE firm_id = $1 AND id = $2"
    ))
    .bind(firm_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .is_some())
}

fn unknown(field: &str, code: &'static str, what_bg: &str, what_en: &str) -> FieldError {
    FieldError::new(
        field,
        code,
        format!("Няма такъв {what_bg} в тази фирма."),
        format!("No such {what_en} in this firm."),
    )
}

/// Checks the draft against the domain rules and the firm's records; returns which
/// of its goods are stocked (not services).
async fn check_draft(
    conn: &mut sqlx::AnyConnection,
    firm: &Firm,
    draft: &OperationDraft,
    own_id: Option<Id>,
) -> StoreResult<BTreeMap<Id, bool>> {
    let mut errors = draft.validate().err().unwrap_or_default();
    let year = draft.date.year();
    if !(1990..=2200).contains(&year) {
        errors.push(FieldError::new(
            "date",
            "date_out_of_range",
            "Датата трябва да е между 1990 и 2200 г.",
            "The date must be between 1990 and 2200.",
        ));
    }
    if draft.currency != firm.currency {
        errors.push(FieldError::new(
            "currency",
            "currency_mismatch",
            format!(
                "Операцията трябва да е във валутата на фирмата ({}).",
                firm.currency
            ),
            format!(
                "The operation must be in the firm's currency ({}).",
                firm.currency
            ),
        ));
    }
    if !exists(conn, "objects", firm.id, draft.object_id).await? {
        errors.push(unknown("object_id", "object_unknown", "обект", "object"));
    }
    let references = [
        (
            draft.target_object_id,
            "target_object_id",
            "objects",
            "object_unknown",
            "обект",
            "object",
        ),
        (
            draft.partner_id,
            "partner_id",
            "partners",
            "partner_unknown",
            "партньор",
            "partner",
        ),
        (
            draft.payment_type_id,
            "payment_type_id",
            "payment_types",
            "payment_type_unknown",
            "тип плащане",
            "payment type",
        ),
    ];
    for (id, field, table, code, what_bg, what_en) in references {
        if let Some(id) = id {
            if !exists(conn, table, firm.id, id).await? {
                errors.push(unknown(field, code, what_bg, what_en));
            }
        }
    }
    if let Some(note) = &draft.note {
        if !crate::db::storable(note) {
            errors.push(sklad_domain::model::text_nul("note"));
        } else if note.chars().count() > 2000 {
            errors.push(FieldError::new(
                "note",
                "too_long",
                "Най-много 2000 знака.",
                "At most 2000 characters.",
            ));
        }
    }
    if let Some(ext) = &draft.external_ref {
        let shaped =
            |s: &str| !s.trim().is_empty() && s.chars().count() <= 100 && crate::db::storable(s);
        if !shaped(&ext.source) || !shaped(&ext.id) {
            errors.push(FieldError::new(
                "external_ref",
                "external_ref_invalid",
                "Външната референция трябва да има източник и номер до 100 знака.",
                "The external reference needs a source and an id of up to 100 characters.",
            ));
        } else {
            let taken = sqlx::query(
                "SELECT id FROM operations WHERE firm_id = $1 AND ext_source = $2 AND ext_id = $3 AND id <> $4",
            )
            .bind(firm.id)
            .bind(&ext.source)
            .bind(&ext.id)
            .bind(own_id.unwrap_or(-1))
            .fetch_optional(&mut *conn)
            .await?;
            if taken.is_some() {
                errors.push(FieldError::new(
                    "external_ref",
                    "external_ref_duplicate",
                    format!(
                        "Операция с външна референция {}:{} вече съществува.",
                        ext.source, ext.id
                    ),
                    format!(
                        "An operation with external reference {}:{} already exists.",
                        ext.source, ext.id
                    ),
                ));
            }
        }
    }
    let mut stocked = BTreeMap::new();
    let ids: Vec<Id> = draft.lines.iter().map(|l| l.good_id).collect();
    if !ids.is_empty() {
        let mut sql = Sql::new("SELECT id, kind FROM goods WHERE firm_id = ");
        sql.arg(Arg::Int(firm.id)).push(" AND id IN ").id_list(&ids);
        for row in sql.query().fetch_all(&mut *conn).await? {
            let kind: GoodKind = enum_from_key(&get::<String>(&row, "kind")?)?;
            stocked.insert(get::<Id>(&row, "id")?, kind == GoodKind::Good);
        }
    }
    for (i, line) in draft.lines.iter().enumerate() {
        if !stocked.contains_key(&line.good_id) {
            errors.push(
                unknown("good_id", "good_unknown", "стока", "good").within(&format!("lines[{i}]")),
            );
        }
    }
    errors
        .errors
        .extend(draft.check_prices(|good| is_stocked(&stocked, good)).errors);
    errors.into_result(stocked).map_err(StoreError::from)
}

/// Applies the movements of `draft` in force as operation `operation_id`.
async fn apply_draft(
    changes: &mut StockChanges,
    conn: &mut sqlx::AnyConnection,
    operation_id: Id,
    draft: &OperationDraft,
    stocked: &BTreeMap<Id, bool>,
) -> StoreResult<()> {
    load_levels(changes, conn, &[], draft).await?;
    let movements = movements_of(
        draft.kind,
        draft.object_id,
        draft.target_object_id,
        &draft.lines,
        |good| is_stocked(stocked, good),
        |object, good| changes.on_hand(object, good),
    );
    changes.apply(conn, operation_id, &movements).await
}

/// Whether `good` moves stock (a good, not a service), by [`check_draft`]'s answer.
fn is_stocked(stocked: &BTreeMap<Id, bool>, good: Id) -> bool {
    stocked.get(&good).copied().unwrap_or(false)
}

/// Reads the levels that computing `draft`'s movements depends on: those of the
/// `recorded` movements it replaces and, for a stock-taking, of its counted lines.
async fn load_levels(
    changes: &mut StockChanges,
    conn: &mut sqlx::AnyConnection,
    recorded: &[Movement],
    draft: &OperationDraft,
) -> StoreResult<()> {
    for m in recorded {
        changes.level(conn, m.object_id, m.good_id).await?;
    }
    if draft.kind == OperationKind::StockTaking {
        for line in &draft.lines {
            changes.level(conn, draft.object_id, line.good_id).await?;
        }
    }
    Ok(())
}

async fn next_number(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    kind: OperationKind,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(MAX(number), 0) AS BIGINT) AS n FROM operations WHERE firm_id = $1 AND kind = $2",
    )
    .bind(firm_id)
    .bind(kind.key())
    .fetch_one(&mut *conn)
    .await?;
    Ok(get::<i64>(&row, "n")? + 1)
}

/// `query` with the draft's stored header bound as `$1`…`$12` (date, object, target
/// object, partner, payment type, currency, gross, VAT, net, external reference
/// source and id, note).
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    draft: &'q OperationDraft,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let totals = draft.totals();
    query
        .bind(draft.date.to_string())
        .bind(draft.object_id)
        .bind(draft.target_object_id)
        .bind(draft.partner_id)
        .bind(draft.payment_type_id)
        .bind(draft.currency.code())
        .bind(totals.gross)
        .bind(totals.vat)
        .bind(totals.net)
        .bind(draft.external_ref.as_ref().map(|e| e.source.clone()))
        .bind(draft.external_ref.as_ref().map(|e| e.id.clone()))
        .bind(draft.note.clone())
}

async fn insert_operation(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    number: i64,
    draft: &OperationDraft,
    now: jiff::Timestamp,
) -> StoreResult<Id> {
    let insert = sqlx::query(
        "INSERT INTO operations (date, object_id, target_object_id, partner_id, payment_type_id, \
         currency, gross, vat, net, ext_source, ext_id, note, firm_id, kind, number, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    );
    let row = bind_fields(insert, draft)
        .bind(firm_id)
        .bind(draft.kind.key())
        .bind(number)
        .bind(enum_key(&OperationStatus::Active))
        .bind(ts_text(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(map_unique)?;
    let id: Id = get(&row, "id")?;
    insert_lines(conn, id, &draft.lines).await?;
    Ok(id)
}

async fn insert_lines(
    conn: &mut sqlx::AnyConnection,
    operation_id: Id,
    lines: &[Line],
) -> StoreResult<()> {
    for (position, line) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO operation_lines (operation_id, position, good_id, quantity, unit_price, vat_rate, \
             discount_bp) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(operation_id)
        .bind(position as i64)
        .bind(line.good_id)
        .bind(line.quantity.milli())
        .bind(line.unit_price)
        .bind(line.vat_rate.percent())
        .bind(line.discount_bp)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn set_status(
    conn: &mut sqlx::AnyConnection,
    operation_id: Id,
    status: OperationStatus,
    converted_to: Option<Id>,
) -> StoreResult<()> {
    sqlx::query("UPDATE operations SET status = $1, converted_to = $2 WHERE id = $3")
        .bind(enum_key(&status))
        .bind(converted_to)
        .bind(operation_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Validates the draft (domain rules; object, target object, partner, payment
    /// type and goods of this firm; currency of the firm; stock unless the firm
    /// allows negative stock), numbers it (per firm and kind) and applies its
    /// movements.
    pub async fn create_operation(
        &self,
        firm_id: Id,
        draft: &OperationDraft,
    ) -> StoreResult<Operation> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let firm = firm_in(&mut *w.tx, firm_id).await?;
        let stocked = check_draft(&mut w.tx, &firm, draft, None).await?;
        let number = next_number(&mut w.tx, firm_id, draft.kind).await?;
        let now = self.now();
        let id = insert_operation(&mut w.tx, firm_id, number, draft, now).await?;
        let mut changes = StockChanges::default();
        apply_draft(&mut changes, &mut w.tx, id, draft, &stocked).await?;
        changes
            .flush(&mut w.tx, firm_id, firm.allow_negative_stock, now)
            .await?;
        let op = operation_in(&mut w.tx, firm_id, id).await?;
        w.commit().await?;
        Ok(op)
    }

    /// The operation.
    pub async fn operation(&self, firm_id: Id, operation_id: Id) -> StoreResult<Operation> {
        let mut conn = self.pool.acquire().await?;
        operation_in(&mut conn, firm_id, operation_id).await
    }

    /// Operations matching the filter, newest first (date, then id).
    pub async fn operations(
        &self,
        firm_id: Id,
        filter: &OperationFilter,
    ) -> StoreResult<Page<Operation>> {
        let paging = filter.paging.clamped();
        let mut where_ = Sql::new(" FROM operations WHERE firm_id = ");
        where_.arg(Arg::Int(firm_id));
        if let Some(kind) = filter.kind {
            where_
                .push(" AND kind = ")
                .arg(Arg::Text(kind.key().to_owned()));
        }
        if let Some(status) = filter.status {
            where_
                .push(" AND status = ")
                .arg(Arg::Text(enum_key(&status)));
        }
        if let Some(from) = filter.date_from {
            where_
                .push(" AND date >= ")
                .arg(Arg::Text(from.to_string()));
        }
        if let Some(to) = filter.date_to {
            where_.push(" AND date <= ").arg(Arg::Text(to.to_string()));
        }
        if let Some(partner) = filter.partner_id {
            where_.push(" AND partner_id = ").arg(Arg::Int(partner));
        }
        if let Some(object) = filter.object_id {
            where_.push(" AND (object_id = ").arg(Arg::Int(object));
            where_
                .push(" OR target_object_id = ")
                .arg(Arg::Int(object))
                .push(")");
        }
        let mut conn = self.pool.acquire().await?;
        let (total, rows) = where_
            .page(&mut conn, OP_COLUMNS, "date DESC, id DESC", paging)
            .await?;
        let items = ops_with_lines(&mut conn, &rows).await?;
        Ok(Page::of(items, total, paging))
    }

    /// The operation with this external reference (e.g. source `cloudcart`, the shop
    /// order id), or `None`.
    pub async fn operation_by_external_ref(
        &self,
        firm_id: Id,
        source: &str,
        external_id: &str,
    ) -> StoreResult<Option<Operation>> {
        if !crate::db::storable(source) || !crate::db::storable(external_id) {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(
            "SELECT id FROM operations WHERE firm_id = $1 AND ext_source = $2 AND ext_id = $3",
        )
        .bind(firm_id)
        .bind(source)
        .bind(external_id)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(row) => Ok(Some(
                operation_in(&mut conn, firm_id, get(&row, "id")?).await?,
            )),
            None => Ok(None),
        }
    }

    /// Replaces an active operation by `draft` (same kind and number): its own ledger
    /// movements are reversed exactly and the new ones applied, atomically.
    pub async fn update_operation(
        &self,
        firm_id: Id,
        operation_id: Id,
        draft: &OperationDraft,
    ) -> StoreResult<Operation> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let firm = firm_in(&mut *w.tx, firm_id).await?;
        let op = operation_in(&mut w.tx, firm_id, operation_id).await?;
        op.ensure_active()?;
        op.ensure_same_kind(draft)?;
        let stocked = check_draft(&mut w.tx, &firm, draft, Some(operation_id)).await?;
        let mut changes = StockChanges::default();
        let recorded = StockChanges::recorded_by(&mut w.tx, operation_id).await?;
        // The levels the edit reads: what it reverses and what a stock-taking counts.
        load_levels(&mut changes, &mut w.tx, &recorded, draft).await?;
        let edit = edit_movements(
            &recorded,
            draft.kind,
            draft.object_id,
            draft.target_object_id,
            &draft.lines,
            |good| is_stocked(&stocked, good),
            |object, good| changes.on_hand(object, good),
        );
        changes
            .apply(&mut w.tx, operation_id, &edit.reversal)
            .await?;
        changes.apply(&mut w.tx, operation_id, &edit.new).await?;
        let now = self.now();
        changes
            .flush(&mut w.tx, firm_id, firm.allow_negative_stock, now)
            .await?;
        let update = sqlx::query(
            "UPDATE operations SET date = $1, object_id = $2, target_object_id = $3, partner_id = $4, \
             payment_type_id = $5, currency = $6, gross = $7, vat = $8, net = $9, ext_source = $10, \
             ext_id = $11, note = $12 WHERE id = $13",
        );
        bind_fields(update, draft)
            .bind(operation_id)
            .execute(&mut *w.tx)
            .await
            .map_err(map_unique)?;
        sqlx::query("DELETE FROM operation_lines WHERE operation_id = $1")
            .bind(operation_id)
            .execute(&mut *w.tx)
            .await?;
        insert_lines(&mut w.tx, operation_id, &draft.lines).await?;
        let op = operation_in(&mut w.tx, firm_id, operation_id).await?;
        w.commit().await?;
        Ok(op)
    }

    /// Annuls an active operation: its ledger movements are reversed exactly.
    pub async fn annul_operation(&self, firm_id: Id, operation_id: Id) -> StoreResult<Operation> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let firm = firm_in(&mut *w.tx, firm_id).await?;
        let op = operation_in(&mut w.tx, firm_id, operation_id).await?;
        op.ensure_active()?;
        let mut changes = StockChanges::default();
        let recorded = StockChanges::recorded_by(&mut w.tx, operation_id).await?;
        changes
            .apply(&mut w.tx, operation_id, &reversal(&recorded))
            .await?;
        changes
            .flush(&mut w.tx, firm_id, firm.allow_negative_stock, self.now())
            .await?;
        set_status(&mut w.tx, operation_id, OperationStatus::Annulled, None).await?;
        let op = operation_in(&mut w.tx, firm_id, operation_id).await?;
        w.commit().await?;
        Ok(op)
    }

    /// Converts an active order into a sale dated `date` (the order's date when
    /// `None`), in one transaction: the reservation is released, the sale moves the
    /// stock and the order becomes `Converted` with `converted_to` set. Returns the
    /// sale.
    ///
    /// The sale copies the order's object, partner, payment type, currency, lines
    /// and note, but NOT its external reference: that stays on the order (unique
    /// per firm and source), whose `converted_to` leads to the sale. Only an active
    /// order converts (`not_an_order`, `operation_annulled`, `order_converted`).
    pub async fn convert_order_to_sale(
        &self,
        firm_id: Id,
        order_id: Id,
        date: Option<jiff::civil::Date>,
    ) -> StoreResult<Operation> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let firm = firm_in(&mut *w.tx, firm_id).await?;
        let order = operation_in(&mut w.tx, firm_id, order_id).await?;
        let draft = sale_draft_from_order(&order, date)?;
        let stocked = check_draft(&mut w.tx, &firm, &draft, None).await?;
        let number = next_number(&mut w.tx, firm_id, OperationKind::Sale).await?;
        let now = self.now();
        let sale_id = insert_operation(&mut w.tx, firm_id, number, &draft, now).await?;
        let recorded = StockChanges::recorded_by(&mut w.tx, order_id).await?;
        let moves = conversion_movements(&recorded, &draft, |good| is_stocked(&stocked, good));
        let mut changes = StockChanges::default();
        changes.apply(&mut w.tx, order_id, &moves.release).await?;
        changes.apply(&mut w.tx, sale_id, &moves.sale).await?;
        changes
            .flush(&mut w.tx, firm_id, firm.allow_negative_stock, now)
            .await?;
        set_status(
            &mut w.tx,
            order_id,
            OperationStatus::Converted,
            Some(sale_id),
        )
        .await?;
        let sale = operation_in(&mut w.tx, firm_id, sale_id).await?;
        w.commit().await?;
        Ok(sale)
    }
}
