//! Firm backup (a gzip'd, versioned, checksummed JSON archive), restore into a new
//! firm (also across engines) and the canonical export used to compare firms.
//!
//! The archive holds every firm table row by row as plain cells (integers, text,
//! null) with the source ids; restore inserts them in dependency order and remaps
//! every id. Users, memberships, tokens, sessions and the outbox are not archived.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write as _};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sklad_domain::model::{Firm, GoodKind, ObjectKind, PartnerRole, PaymentMethod, Role};
use sklad_domain::operation::{OperationKind, OperationStatus};
use sklad_domain::{Currency, Id, PriceGroup};

use crate::db::{enum_from_key, enum_key, get, invalid, ts_text};
use crate::{ArchiveSummary, Engine, Store, StoreError, StoreResult};

/// The archive's format name.
pub const BACKUP_FORMAT: &str = "sklad-firm-backup";
/// The archive format version this build writes and reads.
pub const BACKUP_VERSION: i64 = 2;

/// The oldest archive version this build restores (version 1 had no e-shop tables).
pub const BACKUP_MIN_VERSION: i64 = 1;
/// The largest decompressed archive accepted.
const MAX_ARCHIVE_BYTES: u64 = 4 << 30;

/// One stored value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum Cell {
    Int(i64),
    Text(String),
    Null,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Text,
    OptInt,
    OptText,
    /// A text key that `valid` accepts.
    Key(fn(&str) -> bool),
}

#[derive(Debug, Clone, Copy)]
struct Col {
    name: &'static str,
    kind: Kind,
    /// The table whose ids this column holds.
    refs: Option<&'static str>,
}

const fn col(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        refs: None,
    }
}

const fn refs(name: &'static str, table: &'static str, optional: bool) -> Col {
    Col {
        name,
        kind: if optional { Kind::OptInt } else { Kind::Int },
        refs: Some(table),
    }
}

fn is_key<T: serde::de::DeserializeOwned>(text: &str) -> bool {
    enum_from_key::<T>(text).is_ok()
}

fn is_price_group(text: &str) -> bool {
    PriceGroup::from_key(text).is_some()
}

fn is_operation_kind(text: &str) -> bool {
    OperationKind::from_key(text).is_some()
}

fn is_currency(text: &str) -> bool {
    Currency::parse(text).is_some_and(|c| c.code() == text)
}

fn is_date(text: &str) -> bool {
    text.parse::<jiff::civil::Date>().is_ok()
}

fn is_timestamp(text: &str) -> bool {
    text.parse::<jiff::Timestamp>().is_ok()
}

fn is_sale_rule(text: &str) -> bool {
    sklad_domain::shop::SaleRule::from_key(text).is_some()
}

fn is_shop_stock_status(text: &str) -> bool {
    sklad_domain::shop::ShopStockStatus::from_key(text).is_some()
}

fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok()
}

/// A firm table: its columns (the first is `id` when `has_id`), whether it has a
/// `firm_id` column, and how to select the firm's rows (`$1` = firm id) in order.
struct Table {
    name: &'static str,
    has_id: bool,
    has_firm_id: bool,
    cols: &'static [Col],
    select: &'static str,
    /// The archive version that introduced the table (older archives lack it).
    since: i64,
    /// Columns set on restore that the archive does not carry (see [`restore_extra`]).
    restore_extra: &'static [&'static str],
}

const FIRM_COLS: &[Col] = &[
    col("name", Kind::Text),
    col("eik", Kind::OptText),
    col("currency", Kind::Key(is_currency)),
    col("vat_registered", Kind::Int),
    col("seats", Kind::Int),
    col("allow_negative_stock", Kind::Int),
];

const TABLES: &[Table] = &[
    Table {
        name: "objects",
        has_id: true,
        has_firm_id: true,
        cols: &[
            col("id", Kind::Int),
            col("name", Kind::Text),
            col("kind", Kind::Key(is_key::<ObjectKind>)),
            col("price_group", Kind::Key(is_price_group)),
            col("active", Kind::Int),
        ],
        select: "FROM objects WHERE firm_id = $1 ORDER BY id",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "goods",
        has_id: true,
        has_firm_id: true,
        cols: &[
            col("id", Kind::Int),
            col("code", Kind::Text),
            col("name", Kind::Text),
            col("measure", Kind::Text),
            col("kind", Kind::Key(is_key::<GoodKind>)),
            col("vat_rate", Kind::Int),
            col("grp", Kind::OptText),
            col("active", Kind::Int),
            col("search_text", Kind::Text),
        ],
        select: "FROM goods WHERE firm_id = $1 ORDER BY id",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "good_barcodes",
        has_id: false,
        has_firm_id: true,
        cols: &[
            refs("good_id", "goods", false),
            col("position", Kind::Int),
            col("barcode", Kind::Text),
        ],
        select: "FROM good_barcodes WHERE firm_id = $1 ORDER BY good_id, position",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "good_prices",
        has_id: false,
        has_firm_id: false,
        cols: &[
            refs("good_id", "goods", false),
            col("price_group", Kind::Key(is_price_group)),
            col("amount", Kind::Int),
        ],
        select: "FROM good_prices WHERE good_id IN (SELECT id FROM goods WHERE firm_id = $1) \
                 ORDER BY good_id, price_group",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "partners",
        has_id: true,
        has_firm_id: true,
        cols: &[
            col("id", Kind::Int),
            col("name", Kind::Text),
            col("eik", Kind::OptText),
            col("vat_number", Kind::OptText),
            col("mol", Kind::OptText),
            col("address", Kind::OptText),
            col("city", Kind::OptText),
            col("phone", Kind::OptText),
            col("email", Kind::OptText),
            col("role", Kind::Key(is_key::<PartnerRole>)),
            col("price_group", Kind::Key(is_price_group)),
            col("search_text", Kind::Text),
        ],
        select: "FROM partners WHERE firm_id = $1 ORDER BY id",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "payment_types",
        has_id: true,
        has_firm_id: true,
        cols: &[
            col("id", Kind::Int),
            col("name", Kind::Text),
            col("method", Kind::Key(is_key::<PaymentMethod>)),
            col("active", Kind::Int),
        ],
        select: "FROM payment_types WHERE firm_id = $1 ORDER BY id",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "operations",
        has_id: true,
        has_firm_id: true,
        cols: &[
            col("id", Kind::Int),
            col("kind", Kind::Key(is_operation_kind)),
            col("number", Kind::Int),
            col("date", Kind::Key(is_date)),
            refs("object_id", "objects", false),
            refs("target_object_id", "objects", true),
            refs("partner_id", "partners", true),
            refs("payment_type_id", "payment_types", true),
            col("currency", Kind::Key(is_currency)),
            col("gross", Kind::Int),
            col("vat", Kind::Int),
            col("net", Kind::Int),
            col("ext_source", Kind::OptText),
            col("ext_id", Kind::OptText),
            col("note", Kind::OptText),
            col("status", Kind::Key(is_key::<OperationStatus>)),
            refs("converted_to", "operations", true),
            col("created_at", Kind::Key(is_timestamp)),
        ],
        select: "FROM operations WHERE firm_id = $1 ORDER BY id",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "operation_lines",
        has_id: false,
        has_firm_id: false,
        cols: &[
            refs("operation_id", "operations", false),
            col("position", Kind::Int),
            refs("good_id", "goods", false),
            col("quantity", Kind::Int),
            col("unit_price", Kind::Int),
            col("vat_rate", Kind::Int),
            col("discount_bp", Kind::Int),
        ],
        select: "FROM operation_lines WHERE operation_id IN \
                 (SELECT id FROM operations WHERE firm_id = $1) ORDER BY operation_id, position",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "stock",
        has_id: false,
        has_firm_id: true,
        cols: &[
            refs("object_id", "objects", false),
            refs("good_id", "goods", false),
            col("on_hand", Kind::Int),
            col("reserved", Kind::Int),
        ],
        select: "FROM stock WHERE firm_id = $1 ORDER BY object_id, good_id",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "stock_ledger",
        has_id: false,
        has_firm_id: true,
        cols: &[
            refs("operation_id", "operations", false),
            refs("object_id", "objects", false),
            refs("good_id", "goods", false),
            col("on_hand_delta", Kind::Int),
            col("reserved_delta", Kind::Int),
            col("at", Kind::Key(is_timestamp)),
        ],
        select: "FROM stock_ledger WHERE firm_id = $1 ORDER BY id",
        since: 1,
        restore_extra: &[],
    },
    Table {
        name: "firm_journal",
        has_id: false,
        has_firm_id: true,
        cols: &[
            col("at", Kind::Key(is_timestamp)),
            col("actor", Kind::Text),
            col("action", Kind::Text),
            col("details", Kind::Key(is_json)),
        ],
        select: "FROM firm_journal WHERE firm_id = $1 ORDER BY id",
        since: 1,
        restore_extra: &[],
    },
    // E-shop connections travel without their secrets (the API key, the webhook token
    // and header secret are not in the archive): a restored connection is not in use,
    // has auto-sync off and asks for the API key again.
    Table {
        name: "shop_connections",
        has_id: true,
        has_firm_id: true,
        cols: &[
            col("id", Kind::Int),
            col("name", Kind::Text),
            col("kind", Kind::Text),
            col("shop_url", Kind::Text),
            col("shop_host", Kind::Text),
            col("currency", Kind::Key(is_currency)),
            col("currency_auto", Kind::Int),
            col("prices_with_vat", Kind::Int),
            col("feed_all", Kind::Int),
            refs("operations_object_id", "objects", true),
            col("sale_rule", Kind::Key(is_sale_rule)),
            col("shop_stock_status", Kind::Key(is_shop_stock_status)),
            refs("delivery_good_id", "goods", true),
            refs("discount_good_id", "goods", true),
            refs("fee_good_id", "goods", true),
            col("created_at", Kind::Key(is_timestamp)),
            col("updated_at", Kind::Key(is_timestamp)),
        ],
        select: "FROM shop_connections WHERE firm_id = $1 ORDER BY id",
        since: 2,
        restore_extra: &["hook_token", "active", "auto_sync"],
    },
    Table {
        name: "shop_connection_objects",
        has_id: false,
        has_firm_id: false,
        cols: &[
            refs("connection_id", "shop_connections", false),
            refs("object_id", "objects", false),
        ],
        select: "FROM shop_connection_objects WHERE connection_id IN \
                 (SELECT id FROM shop_connections WHERE firm_id = $1) ORDER BY connection_id, object_id",
        since: 2,
        restore_extra: &[],
    },
    Table {
        name: "shop_payments",
        has_id: false,
        has_firm_id: false,
        cols: &[
            refs("connection_id", "shop_connections", false),
            col("provider", Kind::Text),
            col("title", Kind::Text),
            col("active", Kind::Int),
            refs("payment_type_id", "payment_types", true),
            col("seen_at", Kind::Key(is_timestamp)),
        ],
        select: "FROM shop_payments WHERE connection_id IN \
                 (SELECT id FROM shop_connections WHERE firm_id = $1) ORDER BY connection_id, provider",
        since: 2,
        restore_extra: &[],
    },
    Table {
        name: "shop_links",
        has_id: false,
        has_firm_id: false,
        cols: &[
            refs("connection_id", "shop_connections", false),
            col("shop_variant_id", Kind::Text),
            col("shop_product_id", Kind::Text),
            refs("good_id", "goods", false),
            col("sync_excluded", Kind::Int),
            col("shop_quantity", Kind::OptInt),
            col("shop_unlimited", Kind::Int),
            col("shop_price", Kind::OptInt),
            col("created_at", Kind::Key(is_timestamp)),
        ],
        select: "FROM shop_links WHERE connection_id IN \
                 (SELECT id FROM shop_connections WHERE firm_id = $1) \
                 ORDER BY connection_id, shop_variant_id",
        since: 2,
        restore_extra: &[],
    },
    Table {
        name: "shop_journal",
        has_id: false,
        has_firm_id: true,
        cols: &[
            refs("connection_id", "shop_connections", true),
            col("at", Kind::Key(is_timestamp)),
            col("actor", Kind::Text),
            col("action", Kind::Text),
            col("outcome", Kind::Text),
            col("message_bg", Kind::Text),
            col("message_en", Kind::Text),
            col("details", Kind::Key(is_json)),
        ],
        select: "FROM shop_journal WHERE firm_id = $1 ORDER BY id",
        since: 2,
        restore_extra: &[],
    },
];

/// The values a restored row gets for the table's `restore_extra` columns.
fn restore_extra(table: &str) -> Vec<Cell> {
    match table {
        // A fresh webhook token (the old one stays with the original firm), not in
        // use, auto-sync off.
        "shop_connections" => vec![
            Cell::Text(hex::encode(rand::random::<[u8; 24]>())),
            Cell::Int(0),
            Cell::Int(0),
        ],
        _ => Vec::new(),
    }
}

/// What the checksum covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    firm: Vec<Cell>,
    tables: BTreeMap<String, Vec<Vec<Cell>>>,
}

impl Payload {
    fn checksum(&self) -> StoreResult<String> {
        let bytes = serde_json::to_vec(self)
            .map_err(|_| StoreError::Database("backup encoding failed".to_owned()))?;
        Ok(hex::encode(Sha256::digest(&bytes)))
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Archive {
    format: String,
    version: i64,
    created_at: String,
    source_engine: String,
    /// SHA-256 (hex) of the payload serialised compactly.
    checksum: String,
    payload: Payload,
}

fn corrupt(detail: &str) -> StoreError {
    StoreError::archive(
        "archive_corrupt",
        format!("Архивът е повреден или непълен ({detail}); нищо не е записано."),
        format!("The archive is corrupt or truncated ({detail}); nothing was written."),
    )
}

fn read_cell(row: &sqlx::any::AnyRow, c: &Col) -> StoreResult<Cell> {
    Ok(match c.kind {
        Kind::Int | Kind::OptInt => match get::<Option<i64>>(row, c.name)? {
            Some(v) => Cell::Int(v),
            None => Cell::Null,
        },
        Kind::Text | Kind::OptText | Kind::Key(_) => match get::<Option<String>>(row, c.name)? {
            Some(v) => Cell::Text(v),
            None => Cell::Null,
        },
    })
}

fn col_list(cols: &[Col]) -> String {
    cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// A read-only transaction that sees one snapshot throughout and does not take the
/// write lock: on SQLite (WAL) writers keep committing meanwhile; on PostgreSQL it
/// is REPEATABLE READ.
async fn snapshot(store: &Store) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = store.pool.begin().await?;
    if store.engine == Engine::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx)
}

/// Reads the firm's payload in one consistent read transaction (no write lock).
async fn read_payload(store: &Store, firm_id: Id) -> StoreResult<Payload> {
    let mut tx = snapshot(store).await?;
    let row = sqlx::query(&format!(
        "SELECT {} FROM firms WHERE id = $1",
        col_list(FIRM_COLS)
    ))
    .bind(firm_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::not_found("firm"))?;
    let firm = FIRM_COLS
        .iter()
        .map(|c| read_cell(&row, c))
        .collect::<StoreResult<Vec<_>>>()?;
    let mut tables = BTreeMap::new();
    for table in TABLES {
        let rows = sqlx::query(&format!("SELECT {} {}", col_list(table.cols), table.select))
            .bind(firm_id)
            .fetch_all(&mut *tx)
            .await?;
        let cells = rows
            .iter()
            .map(|row| table.cols.iter().map(|c| read_cell(row, c)).collect())
            .collect::<StoreResult<Vec<Vec<Cell>>>>()?;
        tables.insert(table.name.to_owned(), cells);
    }
    tx.rollback().await?;
    Ok(Payload { firm, tables })
}

fn check_row(
    table: &str,
    cols: &[Col],
    row: &[Cell],
    ids: &HashMap<&str, BTreeSet<i64>>,
) -> StoreResult<()> {
    if row.len() != cols.len() {
        return Err(corrupt(&format!("{table}: wrong number of columns")));
    }
    for (c, cell) in cols.iter().zip(row) {
        let ok = match (c.kind, cell) {
            (Kind::Int | Kind::OptInt, Cell::Int(_)) => true,
            (Kind::OptInt | Kind::OptText, Cell::Null) => true,
            (_, Cell::Text(t)) if !crate::db::storable(t) => false,
            (Kind::Text | Kind::OptText, Cell::Text(_)) => true,
            (Kind::Key(valid), Cell::Text(t)) => valid(t),
            _ => false,
        };
        if !ok {
            return Err(corrupt(&format!("{table}.{}", c.name)));
        }
        if let (Some(target), Cell::Int(id)) = (c.refs, cell) {
            if !ids.get(target).is_some_and(|set| set.contains(id)) {
                return Err(corrupt(&format!(
                    "{table}.{} refers to a missing row",
                    c.name
                )));
            }
        }
    }
    Ok(())
}

/// Decodes and verifies an archive completely.
fn decode(archive: &[u8]) -> StoreResult<Archive> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(archive)
        .take(MAX_ARCHIVE_BYTES)
        .read_to_end(&mut json)
        .map_err(|_| corrupt("gzip"))?;
    let value: serde_json::Value = serde_json::from_slice(&json).map_err(|_| corrupt("JSON"))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(BACKUP_FORMAT) {
        return Err(StoreError::archive(
            "archive_format",
            "Файлът не е архив на фирма от Склад.",
            "The file is not a Sklad firm archive.",
        ));
    }
    let version = value
        .get("version")
        .and_then(|v| v.as_i64())
        .filter(|v| (BACKUP_MIN_VERSION..=BACKUP_VERSION).contains(v));
    let Some(version) = version else {
        return Err(StoreError::archive(
            "archive_version",
            format!(
                "Версията на архива не се поддържа (поддържат се {BACKUP_MIN_VERSION} до {BACKUP_VERSION})."
            ),
            format!(
                "The archive version is not supported (this build reads {BACKUP_MIN_VERSION} to {BACKUP_VERSION})."
            ),
        ));
    };
    let archive: Archive = serde_json::from_value(value).map_err(|_| corrupt("structure"))?;
    if archive.payload.checksum()? != archive.checksum {
        return Err(StoreError::archive(
            "archive_checksum",
            "Контролната сума на архива не съвпада: архивът е променен или повреден; нищо не е записано.",
            "The archive's checksum does not match: it was altered or damaged; nothing was written.",
        ));
    }
    let mut archive = archive;
    // Tables newer than the archive are empty in it.
    for table in TABLES.iter().filter(|t| t.since > version) {
        if archive.payload.tables.contains_key(table.name) {
            return Err(corrupt("unexpected tables"));
        }
        archive
            .payload
            .tables
            .insert(table.name.to_owned(), Vec::new());
    }
    let payload = &archive.payload;
    if payload.tables.len() != TABLES.len() {
        return Err(corrupt("unexpected tables"));
    }
    let mut ids: HashMap<&str, BTreeSet<i64>> = HashMap::new();
    for table in TABLES {
        let rows = payload
            .tables
            .get(table.name)
            .ok_or_else(|| corrupt(&format!("table {} missing", table.name)))?;
        if table.has_id {
            let mut set = BTreeSet::new();
            for row in rows {
                match row.first() {
                    Some(Cell::Int(id)) if set.insert(*id) => {}
                    _ => return Err(corrupt(&format!("{}.id", table.name))),
                }
            }
            ids.insert(table.name, set);
        }
    }
    check_row("firms", FIRM_COLS, &payload.firm, &ids)?;
    for table in TABLES {
        for row in &payload.tables[table.name] {
            check_row(table.name, table.cols, row, &ids)?;
        }
    }
    if !is_timestamp(&archive.created_at) || !is_key::<Engine>(&archive.source_engine) {
        return Err(corrupt("header"));
    }
    Ok(archive)
}

fn bind_cell<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    kind: Kind,
    cell: Cell,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match (cell, kind) {
        (Cell::Int(v), _) => q.bind(v),
        (Cell::Text(v), _) => q.bind(v),
        (Cell::Null, Kind::Int | Kind::OptInt) => q.bind(None::<i64>),
        (Cell::Null, _) => q.bind(None::<String>),
    }
}

impl Store {
    /// The firm's archive, read in one consistent read transaction that does not
    /// block writers.
    pub async fn backup_firm(&self, firm_id: Id) -> StoreResult<Vec<u8>> {
        let payload = read_payload(self, firm_id).await?;
        let archive = Archive {
            format: BACKUP_FORMAT.to_owned(),
            version: BACKUP_VERSION,
            created_at: ts_text(self.now()),
            source_engine: self.engine.key().to_owned(),
            checksum: payload.checksum()?,
            payload,
        };
        let json = serde_json::to_vec(&archive)
            .map_err(|_| StoreError::Database("backup encoding failed".to_owned()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&json)
            .and_then(|_| gz.finish())
            .map_err(|_| StoreError::Database("backup compression failed".to_owned()))
    }

    /// Verifies an archive exactly as [`Store::restore_firm`] does (format, version,
    /// checksum, full decode) and tells what it holds, writing nothing.
    pub async fn inspect_archive(&self, archive: &[u8]) -> StoreResult<ArchiveSummary> {
        let archive = decode(archive)?;
        let count = |table: &str| {
            archive
                .payload
                .tables
                .get(table)
                .map_or(0, |rows| i64::try_from(rows.len()).unwrap_or(i64::MAX))
        };
        let firm_name = match archive.payload.firm.first() {
            Some(Cell::Text(name)) => name.clone(),
            _ => return Err(corrupt("firms.name")),
        };
        Ok(ArchiveSummary {
            firm_name,
            created_at: crate::db::parse_ts(&archive.created_at)?,
            source_engine: enum_from_key(&archive.source_engine)?,
            objects: count("objects"),
            goods: count("goods"),
            partners: count("partners"),
            operations: count("operations"),
        })
    }

    /// Restores an archive as a new firm owned by `owner_user_id`, named `new_name`
    /// or as in the archive. Format, version and checksum are verified and the
    /// archive decoded fully before anything is written; then one transaction.
    pub async fn restore_firm(
        &self,
        archive: &[u8],
        owner_user_id: Id,
        new_name: Option<String>,
    ) -> StoreResult<Firm> {
        let mut payload = decode(archive)?.payload;
        if let Some(name) = new_name {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 200 || !crate::db::storable(&name) {
                return Err(invalid(
                    "name",
                    "name_invalid",
                    "Името на фирмата трябва да е от 1 до 200 знака.",
                    "The firm name must be 1 to 200 characters.",
                ));
            }
            payload.firm[0] = Cell::Text(name);
        }
        let mut w = self.write().await?;
        sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(owner_user_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::not_found("user"))?;
        let firm_sql = format!(
            "INSERT INTO firms ({}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            col_list(FIRM_COLS)
        );
        let mut q = sqlx::query(&firm_sql);
        for (c, cell) in FIRM_COLS.iter().zip(payload.firm) {
            q = bind_cell(q, c.kind, cell);
        }
        let firm_id: Id = get(
            &q.bind(ts_text(self.now())).fetch_one(&mut *w.tx).await?,
            "id",
        )?;
        sqlx::query("INSERT INTO memberships (firm_id, user_id, role) VALUES ($1, $2, $3)")
            .bind(firm_id)
            .bind(owner_user_id)
            .bind(enum_key(&Role::Owner))
            .execute(&mut *w.tx)
            .await?;
        let mut id_maps: HashMap<&str, HashMap<i64, i64>> = HashMap::new();
        let mut deferred: Vec<(&str, &str, i64, i64)> = Vec::new();
        for table in TABLES {
            let rows = payload.tables.remove(table.name).unwrap_or_default();
            let insert_cols: Vec<&Col> =
                table.cols.iter().skip(usize::from(table.has_id)).collect();
            let mut names: Vec<&str> = insert_cols.iter().map(|c| c.name).collect();
            if table.has_firm_id {
                names.insert(0, "firm_id");
            }
            names.extend(table.restore_extra);
            let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({}){}",
                table.name,
                names.join(", "),
                placeholders.join(", "),
                if table.has_id { " RETURNING id" } else { "" }
            );
            let mut map = HashMap::new();
            for row in rows {
                let old_id = match (table.has_id, row.first()) {
                    (true, Some(Cell::Int(id))) => Some(*id),
                    _ => None,
                };
                let mut q = sqlx::query(&sql);
                if table.has_firm_id {
                    q = q.bind(firm_id);
                }
                let mut self_refs = Vec::new();
                for (c, cell) in insert_cols
                    .iter()
                    .zip(row.into_iter().skip(usize::from(table.has_id)))
                {
                    let cell = match (c.refs, cell) {
                        (Some(target), Cell::Int(old)) if target == table.name => {
                            self_refs.push((c.name, old));
                            Cell::Null
                        }
                        (Some(target), Cell::Int(old)) => {
                            let new = id_maps
                                .get(target)
                                .and_then(|m| m.get(&old))
                                .ok_or_else(|| corrupt(&format!("{}.{}", table.name, c.name)))?;
                            Cell::Int(*new)
                        }
                        (_, cell) => cell,
                    };
                    q = bind_cell(q, c.kind, cell);
                }
                for cell in restore_extra(table.name) {
                    q = bind_cell(q, Kind::OptText, cell);
                }
                if let Some(old_id) = old_id {
                    let new_id: i64 = get(
                        &q.fetch_one(&mut *w.tx)
                            .await
                            .map_err(crate::db::map_unique)?,
                        "id",
                    )?;
                    map.insert(old_id, new_id);
                    for (column, old_ref) in self_refs {
                        deferred.push((column, table.name, new_id, old_ref));
                    }
                } else {
                    q.execute(&mut *w.tx).await.map_err(crate::db::map_unique)?;
                }
            }
            if table.has_id {
                id_maps.insert(table.name, map);
            }
        }
        for (column, table, new_id, old_ref) in deferred {
            let new_ref = id_maps
                .get(table)
                .and_then(|m| m.get(&old_ref))
                .ok_or_else(|| corrupt(&format!("{table}.{column}")))?;
            sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2"))
                .bind(*new_ref)
                .bind(new_id)
                .execute(&mut *w.tx)
                .await?;
        }
        let firm = crate::firms::firm_in(&mut *w.tx, firm_id).await?;
        w.commit().await?;
        Ok(firm)
    }

    /// Everything the firm holds, without database ids (references by natural key:
    /// object and payment type by name, good by code, partner by name and ЕИК,
    /// operation by kind and number), each table sorted, so two firms can be
    /// compared.
    pub async fn export_firm_canonical(&self, firm_id: Id) -> StoreResult<serde_json::Value> {
        let payload = read_payload(self, firm_id).await?;
        Ok(canonical(&payload))
    }
}

fn cell_json(cell: &Cell) -> serde_json::Value {
    match cell {
        Cell::Int(v) => (*v).into(),
        Cell::Text(v) => v.clone().into(),
        Cell::Null => serde_json::Value::Null,
    }
}

fn canonical(payload: &Payload) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let natural: HashMap<&str, fn(&[Cell]) -> Value> = HashMap::from([
        (
            "objects",
            (|r: &[Cell]| cell_json(&r[1])) as fn(&[Cell]) -> Value,
        ),
        ("goods", |r: &[Cell]| cell_json(&r[1])),
        ("partners", |r: &[Cell]| {
            json!([cell_json(&r[1]), cell_json(&r[2])])
        }),
        ("payment_types", |r: &[Cell]| cell_json(&r[1])),
        ("shop_connections", |r: &[Cell]| {
            json!([cell_json(&r[1]), cell_json(&r[3])])
        }),
        ("operations", |r: &[Cell]| {
            json!([cell_json(&r[1]), cell_json(&r[2])])
        }),
    ]);
    let mut keys: HashMap<&str, HashMap<i64, Value>> = HashMap::new();
    for table in TABLES.iter().filter(|t| t.has_id) {
        let f = natural[table.name];
        let map = payload.tables[table.name]
            .iter()
            .filter_map(|row| match row.first() {
                Some(Cell::Int(id)) => Some((*id, f(row))),
                _ => None,
            })
            .collect();
        keys.insert(table.name, map);
    }
    let mut out = Map::new();
    let firm: Map<String, Value> = FIRM_COLS
        .iter()
        .zip(&payload.firm)
        .map(|(c, cell)| (c.name.to_owned(), cell_json(cell)))
        .collect();
    out.insert("firm".to_owned(), Value::Object(firm));
    for table in TABLES {
        let mut rows: Vec<Value> = payload.tables[table.name]
            .iter()
            .map(|row| {
                let obj: Map<String, Value> = table
                    .cols
                    .iter()
                    .zip(row)
                    .filter(|(c, _)| c.name != "id")
                    .map(|(c, cell)| {
                        let value = match (c.refs, cell) {
                            (Some(target), Cell::Int(id)) => keys
                                .get(target)
                                .and_then(|m| m.get(id))
                                .cloned()
                                .unwrap_or(Value::Null),
                            _ => cell_json(cell),
                        };
                        (c.name.to_owned(), value)
                    })
                    .collect();
                Value::Object(obj)
            })
            .collect();
        if !matches!(table.name, "stock_ledger" | "firm_journal" | "shop_journal") {
            rows.sort_by_key(|v| v.to_string());
        }
        out.insert(table.name.to_owned(), Value::Array(rows));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sklad_domain::model::FirmInput;

    fn firm() -> FirmInput {
        FirmInput {
            name: "Снимка".into(),
            eik: None,
            currency: Currency::Bgn,
            vat_registered: false,
            seats: 1,
            allow_negative_stock: false,
        }
    }

    /// While a backup's snapshot is open, writers commit and the snapshot keeps
    /// seeing the state it started with.
    async fn writers_commit_during_a_backup(store: Store) {
        let firm_id = store.create_firm(&firm()).await.unwrap().id;
        let mut tx = snapshot(&store).await.unwrap();
        let count = |rows: Vec<sqlx::any::AnyRow>| rows.len();
        let before = count(
            sqlx::query("SELECT id FROM objects WHERE firm_id = $1")
                .bind(firm_id)
                .fetch_all(&mut *tx)
                .await
                .unwrap(),
        );
        let input = sklad_domain::model::ObjectInput {
            name: "Нов".into(),
            kind: ObjectKind::Shop,
            price_group: PriceGroup::Retail,
            active: true,
        };
        // Would wait forever if the snapshot blocked writers.
        store.create_object(firm_id, &input).await.unwrap();
        assert_eq!(store.objects(firm_id).await.unwrap().len(), before + 1);
        let during = count(
            sqlx::query("SELECT id FROM objects WHERE firm_id = $1")
                .bind(firm_id)
                .fetch_all(&mut *tx)
                .await
                .unwrap(),
        );
        assert_eq!(during, before, "the snapshot is consistent");
        tx.rollback().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_commit_during_a_backup_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("b.db").display());
        let store = Store::open(&url).await.unwrap();
        store.migrate().await.unwrap();
        writers_commit_during_a_backup(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_commit_during_a_backup_postgres() {
        let url = match std::env::var("SKLAD_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var_os("CI").is_some() => panic!("CI needs SKLAD_TEST_DATABASE_URL"),
            _ => {
                return eprintln!("notice: SKLAD_TEST_DATABASE_URL unset, PostgreSQL test skipped")
            }
        };
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let name = format!("sklad_t_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let base = url.split('?').next().unwrap_or(&url);
        let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
        let store = Store::open(&format!("{prefix}/{name}")).await.unwrap();
        store.migrate().await.unwrap();
        let outcome = tokio::spawn(writers_commit_during_a_backup(store.clone())).await;
        store.close().await;
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
        outcome.unwrap();
    }
}
