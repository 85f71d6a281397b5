//! Operations: create, edit, annul, convert an order into a sale. Every change of
//! stock writes the stock levels, one ledger row per movement and one outbox row per
//! touched (object, good), in one transaction.

use std::collections::BTreeMap;

use sklad_domain::model::GoodKind;
use sklad_domain::operation::sale_draft_from_order;
use sklad_domain::operation::{
    ExternalRef, Line, Operation, OperationDraft, OperationKind, OperationStatus, Totals,
};
use sklad_domain::stock::{conversion_movements, edit_movements, movements_of, reversal};
use sklad_domain::{Currency, FieldError, Id, Quantity, VatRate};

use crate::db::{enum_from_key, enum_key, get, map_unique, parse_date, ts_text, Arg, Sql};
use crate::ledger::{OperationRef, StockChanges};
use crate::writes::{Cell, Insert, NewOperation, Writes};
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

fn unknown(field: &str, code: &'static str, what_bg: &str, what_en: &str) -> FieldError {
    FieldError::new(
        field,
        code,
        format!("Няма такъв {what_bg} в тази фирма."),
        format!("No such {what_en} in this firm."),
    )
}

/// What [`check_draft`] found: which goods are stocked (not services) and whether
/// the firm allows negative stock.
#[derive(Debug)]
struct Checked {
    stocked: BTreeMap<Id, bool>,
    allow_negative_stock: bool,
}

/// Checks the draft against the domain rules and the firm's records, in one query
/// (the firm, the draft's object, target object, partner, payment type, goods and
/// external reference) that also reads the stock levels of its goods in its objects
/// into `changes`.
async fn check_draft(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    draft: &OperationDraft,
    own_id: Option<Id>,
    changes: &mut StockChanges,
) -> StoreResult<Checked> {
    let external_ref = draft.external_ref.as_ref().filter(|ext| {
        let shaped =
            |s: &str| !s.trim().is_empty() && s.chars().count() <= 100 && crate::db::storable(s);
        shaped(&ext.source) && shaped(&ext.id)
    });
    let found = references(conn, firm_id, draft, external_ref, own_id).await?;
    let (currency, allow_negative_stock) = found.firm.ok_or(StoreError::not_found("firm"))?;
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
    if draft.currency != currency {
        errors.push(FieldError::new(
            "currency",
            "currency_mismatch",
            format!("Операцията трябва да е във валутата на фирмата ({currency})."),
            format!("The operation must be in the firm's currency ({currency})."),
        ));
    }
    if !found.objects.contains(&draft.object_id) {
        errors.push(unknown("object_id", "object_unknown", "обект", "object"));
    }
    let references = [
        (
            draft.target_object_id,
            &found.objects,
            "target_object_id",
            "object_unknown",
            "обект",
            "object",
        ),
        (
            draft.partner_id,
            &found.partners,
            "partner_id",
            "partner_unknown",
            "партньор",
            "partner",
        ),
        (
            draft.payment_type_id,
            &found.payment_types,
            "payment_type_id",
            "payment_type_unknown",
            "тип плащане",
            "payment type",
        ),
    ];
    for (id, found, field, code, what_bg, what_en) in references {
        if id.is_some_and(|id| !found.contains(&id)) {
            errors.push(unknown(field, code, what_bg, what_en));
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
    match external_ref {
        None if draft.external_ref.is_some() => errors.push(FieldError::new(
            "external_ref",
            "external_ref_invalid",
            "Външната референция трябва да има източник и номер до 100 знака.",
            "The external reference needs a source and an id of up to 100 characters.",
        )),
        Some(ext) if found.external_ref_taken => errors.push(FieldError::new(
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
        )),
        _ => {}
    }
    for (i, line) in draft.lines.iter().enumerate() {
        if !found.stocked.contains_key(&line.good_id) {
            errors.push(
                unknown("good_id", "good_unknown", "стока", "good").within(&format!("lines[{i}]")),
            );
        }
    }
    for ((object_id, good_id), level) in found.levels {
        changes.known(object_id, good_id, Some(level));
    }
    for object_id in &found.objects {
        for good_id in found.stocked.keys() {
            changes.known(*object_id, *good_id, None);
        }
    }
    let stocked = found.stocked;
    errors
        .errors
        .extend(draft.check_prices(|good| is_stocked(&stocked, good)).errors);
    errors
        .into_result(Checked {
            stocked,
            allow_negative_stock,
        })
        .map_err(StoreError::from)
}

/// What [`references`] found of a draft's references in its firm.
#[derive(Debug, Default)]
struct Found {
    /// The firm's currency and whether it allows negative stock.
    firm: Option<(Currency, bool)>,
    objects: Vec<Id>,
    partners: Vec<Id>,
    payment_types: Vec<Id>,
    /// Goods found, and whether each is stocked (not a service).
    stocked: BTreeMap<Id, bool>,
    /// Stored (on hand, reserved) of (object, good) of the goods in the objects, where
    /// there is a stock row.
    levels: Vec<((Id, Id), (Quantity, Quantity))>,
    /// Another operation of the firm has the draft's external reference.
    external_ref_taken: bool,
}

/// Looks up the firm, the draft's references in it and the stock levels of its goods
/// in its objects, in one query. Each row is one `part`, with these columns:
///
/// | part           | id        | label    | n1                   | n2      | n3       |
/// |----------------|-----------|----------|----------------------|---------|----------|
/// | `firm`         | firm      | currency | allow negative stock |         |          |
/// | `good`         | good      | kind     | object of a level    | on hand | reserved |
/// | `object`, `partner`, `payment_type`, `external_ref` | the record found | | | | |
async fn references(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    draft: &OperationDraft,
    external_ref: Option<&ExternalRef>,
    own_id: Option<Id>,
) -> StoreResult<Found> {
    const NULLS: &str = "CAST(NULL AS BIGINT) AS n2, CAST(NULL AS BIGINT) AS n3";
    let objects: Vec<Id> = [Some(draft.object_id), draft.target_object_id]
        .into_iter()
        .flatten()
        .collect();
    let goods: Vec<Id> = draft.lines.iter().map(|l| l.good_id).collect();
    let mut sql = Sql::new(&format!(
        "SELECT 'firm' AS part, id, currency AS label, allow_negative_stock AS n1, {NULLS} \
         FROM firms WHERE id = "
    ));
    sql.arg(Arg::Int(firm_id))
        .push(
            " UNION ALL SELECT 'good' AS part, g.id AS id, g.kind AS label, s.object_id AS n1, \
             s.on_hand AS n2, s.reserved AS n3 \
             FROM goods g LEFT JOIN stock s ON s.good_id = g.id AND s.object_id IN ",
        )
        .id_list(&objects)
        .push(" WHERE g.firm_id = ")
        .arg(Arg::Int(firm_id))
        .push(" AND g.id IN ")
        .id_list(&goods);
    let parts = [
        ("object", "objects", objects.clone()),
        (
            "partner",
            "partners",
            draft.partner_id.into_iter().collect(),
        ),
        (
            "payment_type",
            "payment_types",
            draft.payment_type_id.into_iter().collect(),
        ),
    ];
    let no_columns = format!("'' AS label, CAST(NULL AS BIGINT) AS n1, {NULLS}");
    for (part, table, ids) in parts {
        if ids.is_empty() {
            continue;
        }
        sql.push(&format!(
            " UNION ALL SELECT '{part}' AS part, id, {no_columns} FROM {table} WHERE firm_id = "
        ))
        .arg(Arg::Int(firm_id))
        .push(" AND id IN ")
        .id_list(&ids);
    }
    if let Some(ext) = external_ref {
        sql.push(&format!(
            " UNION ALL SELECT 'external_ref' AS part, id, {no_columns} FROM operations \
             WHERE firm_id = "
        ))
        .arg(Arg::Int(firm_id))
        .push(" AND ext_source = ")
        .arg(Arg::Text(ext.source.clone()))
        .push(" AND ext_id = ")
        .arg(Arg::Text(ext.id.clone()))
        .push(" AND id <> ")
        .arg(Arg::Int(own_id.unwrap_or(-1)));
    }
    let mut found = Found::default();
    for row in sql.query().fetch_all(&mut *conn).await? {
        let id: Id = get(&row, "id")?;
        match get::<String>(&row, "part")?.as_str() {
            "firm" => {
                let currency = crate::db::key(&get::<String>(&row, "label")?, Currency::parse)?;
                found.firm = Some((currency, get::<i64>(&row, "n1")? != 0));
            }
            "good" => {
                let kind: GoodKind = enum_from_key(&get::<String>(&row, "label")?)?;
                found.stocked.insert(id, kind == GoodKind::Good);
                if let Some(object_id) = get::<Option<Id>>(&row, "n1")? {
                    let level = (Quantity(get(&row, "n2")?), Quantity(get(&row, "n3")?));
                    found.levels.push(((object_id, id), level));
                }
            }
            "object" => found.objects.push(id),
            "partner" => found.partners.push(id),
            "payment_type" => found.payment_types.push(id),
            _ => found.external_ref_taken = true,
        }
    }
    Ok(found)
}

/// Whether `good` moves stock (a good, not a service), by [`check_draft`]'s answer.
fn is_stocked(stocked: &BTreeMap<Id, bool>, good: Id) -> bool {
    stocked.get(&good).copied().unwrap_or(false)
}

/// The header of `draft` to insert as a new operation, numbered next of its kind.
fn new_operation(firm_id: Id, draft: &OperationDraft, now: jiff::Timestamp) -> NewOperation {
    let mut columns = header_columns(draft);
    columns.extend([
        ("firm_id", Arg::Int(firm_id)),
        ("kind", Arg::Text(draft.kind.key().to_owned())),
        ("status", Arg::Text(enum_key(&OperationStatus::Active))),
        ("created_at", Arg::Text(ts_text(now))),
    ]);
    NewOperation {
        columns,
        firm_id,
        kind: draft.kind.key(),
    }
}

/// The stored header columns an edit can change, with `draft`'s values.
fn header_columns(draft: &OperationDraft) -> Vec<(&'static str, Arg)> {
    let totals = draft.totals();
    vec![
        ("date", Arg::Text(draft.date.to_string())),
        ("object_id", Arg::Int(draft.object_id)),
        ("target_object_id", Arg::OptInt(draft.target_object_id)),
        ("partner_id", Arg::OptInt(draft.partner_id)),
        ("payment_type_id", Arg::OptInt(draft.payment_type_id)),
        ("currency", Arg::Text(draft.currency.code().to_owned())),
        ("gross", Arg::Int(totals.gross)),
        ("vat", Arg::Int(totals.vat)),
        ("net", Arg::Int(totals.net)),
        (
            "ext_source",
            Arg::OptText(draft.external_ref.as_ref().map(|e| e.source.clone())),
        ),
        (
            "ext_id",
            Arg::OptText(draft.external_ref.as_ref().map(|e| e.id.clone())),
        ),
        ("note", Arg::OptText(draft.note.clone())),
    ]
}

/// The rows of `lines` of `operation`.
fn lines_insert(operation: OperationRef, lines: &[Line]) -> Insert {
    let mut insert = Insert::new(
        "INSERT INTO operation_lines (operation_id, position, good_id, quantity, unit_price, \
         vat_rate, discount_bp) VALUES ",
        "",
    );
    for (position, line) in lines.iter().enumerate() {
        insert.row(vec![
            match operation {
                OperationRef::Stored(id) => id.into(),
                OperationRef::New => Cell::NewOperation,
            },
            (position as i64).into(),
            line.good_id.into(),
            line.quantity.milli().into(),
            line.unit_price.into(),
            line.vat_rate.percent().into(),
            line.discount_bp.into(),
        ]);
    }
    insert
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

/// The id and number of the operation a write with a new operation inserted.
fn created(inserted: Option<(Id, i64)>) -> StoreResult<(Id, i64)> {
    inserted.ok_or_else(|| StoreError::Database("the new operation was not inserted".into()))
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
        let mut w = self.write_for_firm(firm_id).await?;
        let mut changes = StockChanges::default();
        let checked = check_draft(&mut w.tx, firm_id, draft, None, &mut changes).await?;
        let movements = movements_of(
            draft.kind,
            draft.object_id,
            draft.target_object_id,
            &draft.lines,
            |good| is_stocked(&checked.stocked, good),
            |object, good| changes.on_hand(object, good),
        );
        changes
            .apply(&mut w.tx, OperationRef::New, &movements)
            .await?;
        changes.check(checked.allow_negative_stock)?;
        let now = self.now();
        let mut writes = Writes::creating(new_operation(firm_id, draft, now));
        writes.push(lines_insert(OperationRef::New, &draft.lines));
        changes.write(&mut writes, firm_id, now);
        let (id, number) = created(writes.execute(&mut w.tx, self.engine).await?)?;
        w.commit().await?;
        Ok(draft.stored_as(id, number, OperationStatus::Active))
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
        let mut w = self.write_for_firm(firm_id).await?;
        let op = operation_in(&mut w.tx, firm_id, operation_id).await?;
        op.ensure_active()?;
        op.ensure_same_kind(draft)?;
        let mut changes = StockChanges::default();
        let checked =
            check_draft(&mut w.tx, firm_id, draft, Some(operation_id), &mut changes).await?;
        let recorded = StockChanges::recorded_by(&mut w.tx, operation_id).await?;
        // The levels the edit reads: what it reverses (and, read with the draft, what a
        // stock-taking counts).
        changes
            .load(&mut w.tx, recorded.iter().map(|m| (m.object_id, m.good_id)))
            .await?;
        let edit = edit_movements(
            &recorded,
            draft.kind,
            draft.object_id,
            draft.target_object_id,
            &draft.lines,
            |good| is_stocked(&checked.stocked, good),
            |object, good| changes.on_hand(object, good),
        );
        let this = OperationRef::Stored(operation_id);
        changes.apply(&mut w.tx, this, &edit.reversal).await?;
        changes.apply(&mut w.tx, this, &edit.new).await?;
        changes.check(checked.allow_negative_stock)?;
        let mut update = Sql::new("UPDATE operations SET ");
        for (i, (column, value)) in header_columns(draft).into_iter().enumerate() {
            update
                .push(if i == 0 { "" } else { ", " })
                .push(column)
                .push(" = ")
                .arg(value);
        }
        update.push(" WHERE id = ").arg(Arg::Int(operation_id));
        update
            .query()
            .execute(&mut *w.tx)
            .await
            .map_err(map_unique)?;
        sqlx::query("DELETE FROM operation_lines WHERE operation_id = $1")
            .bind(operation_id)
            .execute(&mut *w.tx)
            .await?;
        let mut writes = Writes::default();
        writes.push(lines_insert(this, &draft.lines));
        changes.write(&mut writes, firm_id, self.now());
        writes.execute(&mut w.tx, self.engine).await?;
        w.commit().await?;
        Ok(draft.stored_as(operation_id, op.number, op.status))
    }

    /// Annuls an active operation: its ledger movements are reversed exactly.
    pub async fn annul_operation(&self, firm_id: Id, operation_id: Id) -> StoreResult<Operation> {
        let mut w = self.write().await?;
        let firm = self.lock_firm(&mut w.tx, firm_id).await?;
        let op = operation_in(&mut w.tx, firm_id, operation_id).await?;
        op.ensure_active()?;
        let mut changes = StockChanges::default();
        let recorded = StockChanges::recorded_by(&mut w.tx, operation_id).await?;
        changes
            .apply(
                &mut w.tx,
                OperationRef::Stored(operation_id),
                &reversal(&recorded),
            )
            .await?;
        changes.check(firm.allow_negative_stock)?;
        let mut writes = Writes::default();
        changes.write(&mut writes, firm_id, self.now());
        writes.execute(&mut w.tx, self.engine).await?;
        set_status(&mut w.tx, operation_id, OperationStatus::Annulled, None).await?;
        w.commit().await?;
        Ok(Operation {
            status: OperationStatus::Annulled,
            ..op
        })
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
        let mut w = self.write_for_firm(firm_id).await?;
        let order = operation_in(&mut w.tx, firm_id, order_id).await?;
        let draft = sale_draft_from_order(&order, date)?;
        let mut changes = StockChanges::default();
        let checked = check_draft(&mut w.tx, firm_id, &draft, None, &mut changes).await?;
        let recorded = StockChanges::recorded_by(&mut w.tx, order_id).await?;
        let moves =
            conversion_movements(&recorded, &draft, |good| is_stocked(&checked.stocked, good));
        changes
            .apply(&mut w.tx, OperationRef::Stored(order_id), &moves.release)
            .await?;
        changes
            .apply(&mut w.tx, OperationRef::New, &moves.sale)
            .await?;
        changes.check(checked.allow_negative_stock)?;
        let now = self.now();
        let mut writes = Writes::creating(new_operation(firm_id, &draft, now));
        writes.push(lines_insert(OperationRef::New, &draft.lines));
        changes.write(&mut writes, firm_id, now);
        let (sale_id, number) = created(writes.execute(&mut w.tx, self.engine).await?)?;
        set_status(
            &mut w.tx,
            order_id,
            OperationStatus::Converted,
            Some(sale_id),
        )
        .await?;
        w.commit().await?;
        Ok(draft.stored_as(sale_id, number, OperationStatus::Active))
    }
}
