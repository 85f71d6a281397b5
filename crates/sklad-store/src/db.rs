//! Connections, migrations, write transactions and small row helpers shared by the
//! store's modules.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, Executor};
use std::str::FromStr;

use crate::{Engine, Paging, Store, StoreError, StoreResult};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub(crate) async fn open(url: &str) -> StoreResult<Store> {
    sqlx::any::install_default_drivers();
    let engine = if url.starts_with("sqlite:") {
        Engine::Sqlite
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Engine::Postgres
    } else {
        return Err(StoreError::Database(
            "unsupported database URL scheme (use sqlite:// or postgres://)".to_owned(),
        ));
    };
    if engine == Engine::Sqlite {
        create_parent_dir(url)?;
    }
    let url = match engine {
        Engine::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
        _ => url.to_owned(),
    };
    let options = AnyConnectOptions::from_str(&url)
        .map_err(|_| StoreError::Database("invalid database URL".to_owned()))?;
    let (pool, redoable_pool) = match engine {
        Engine::Sqlite => {
            // `FULL`: a commit is on disk when it returns (the WAL is synced), so what
            // was acknowledged (a sale, a webhook answered 2xx) survives a power cut,
            // as on PostgreSQL.
            let pool = sqlite_pool(options.clone(), 8, "FULL").await?;
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
            // `NORMAL` for the writes the bridge can redo (see `Store::write_redoable`).
            let redoable = sqlite_pool(options, 2, "NORMAL").await?;
            (pool, redoable)
        }
        Engine::Postgres => {
            let pool = AnyPoolOptions::new()
                .max_connections(10)
                // A connection is tested when it goes back to the pool (sqlx always
                // does); before reuse only after it has been idle a while (the server
                // may have ended it since), which spares a busy writer one round trip
                // per write.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= RETEST_IDLE_AFTER {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(options)
                .await?;
            (pool.clone(), pool)
        }
    };
    Ok(Store::new(pool, redoable_pool, engine))
}

/// A pool of connections to one SQLite file, each committing with `synchronous`
/// (`FULL` or `NORMAL`).
async fn sqlite_pool(
    options: AnyConnectOptions,
    connections: u32,
    synchronous: &'static str,
) -> StoreResult<sqlx::AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(connections)
        // A connection to a file in this process cannot go away while idle.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    format!(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                         PRAGMA synchronous = {synchronous};"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?)
}

/// How long a PostgreSQL connection may sit idle in the pool and still be used
/// without first asking the server whether it is still there.
const RETEST_IDLE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Creates the directory of a `sqlite://path` database file when it is missing.
fn create_parent_dir(url: &str) -> StoreResult<()> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"));
    let path = rest
        .map(|r| r.split('?').next().unwrap_or(r))
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => std::fs::create_dir_all(dir)
            .map_err(|e| {
                StoreError::Database(format!("cannot create the data directory: {}", e.kind()))
            }),
        _ => Ok(()),
    }
}

/// Whether every migration this build knows has been applied (an error: the database
/// cannot be reached).
pub(crate) async fn migrations_current(store: &Store) -> StoreResult<bool> {
    let migrator = match store.engine {
        Engine::Sqlite => &SQLITE_MIGRATIONS,
        Engine::Postgres => &POSTGRES_MIGRATIONS,
    };
    let latest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Option<i64> =
        sqlx::query("SELECT MAX(version) AS version FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&store.pool)
            .await
            .map(|row| get::<Option<i64>>(&row, "version"))??;
    Ok(applied == Some(latest))
}

pub(crate) async fn migrate(store: &Store) -> StoreResult<()> {
    let _guard = store.write_lock.lock().await;
    let migrator = match store.engine {
        Engine::Sqlite => &SQLITE_MIGRATIONS,
        Engine::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .run(&store.pool)
        .await
        .map_err(|e| StoreError::Database(format!("migration failed: {e}")))?;
    Ok(())
}

/// A write transaction; on SQLite it also holds the store's write lock.
pub(crate) struct Write<'a> {
    pub tx: sqlx::Transaction<'static, Any>,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl Write<'_> {
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Begins a write transaction (taking the write lock on SQLite).
    pub(crate) async fn write(&self) -> StoreResult<Write<'_>> {
        self.begin_write(&self.pool, "BEGIN".into()).await
    }

    /// Begins a write the bridge can do again from what is stored durably: claims,
    /// the triage of deliveries, what an import made of an order, the bookkeeping of
    /// pushes and leases. Its commit does not wait for the disk (SQLite `synchronous
    /// = NORMAL`, PostgreSQL `synchronous_commit = off`); both engines write their
    /// log in commit order and a durable commit syncs all that came before it, so a
    /// power cut can only lose the redoable writes after the last durable commit,
    /// whole — never a sale, an acknowledged delivery or anything a person saved.
    pub(crate) async fn write_redoable(&self) -> StoreResult<Write<'_>> {
        let begin = "BEGIN; SET LOCAL synchronous_commit = off";
        self.begin_write(&self.redoable_pool, begin.into()).await
    }

    /// Begins a write transaction holding the firm lock of [`Self::lock_firm`]: on
    /// PostgreSQL taken in the same round trip as `BEGIN` (the firm id is an integer,
    /// written into the statement); on SQLite the write lock is the firm lock. A
    /// missing firm is the caller's to find.
    pub(crate) async fn write_for_firm(&self, firm_id: sklad_domain::Id) -> StoreResult<Write<'_>> {
        let begin = format!("BEGIN; SELECT id FROM firms WHERE id = {firm_id} FOR UPDATE");
        self.begin_write(&self.pool, begin.into()).await
    }

    /// A write transaction on `pool`: on SQLite under the store's write lock and
    /// holding the file's write lock from `BEGIN` (so that another process writing
    /// the same file makes us wait, busy timeout, instead of failing a lock upgrade);
    /// on PostgreSQL begun with `postgres_begin`, one round trip.
    async fn begin_write(
        &self,
        pool: &sqlx::AnyPool,
        postgres_begin: std::borrow::Cow<'static, str>,
    ) -> StoreResult<Write<'_>> {
        match self.engine {
            Engine::Sqlite => {
                let guard = self.write_lock.lock().await;
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Write {
                    tx,
                    _guard: Some(guard),
                })
            }
            Engine::Postgres => {
                let tx = pool.begin_with(postgres_begin).await?;
                Ok(Write { tx, _guard: None })
            }
        }
    }

    /// Locks the firm row for the rest of the transaction (PostgreSQL), so that
    /// numbering and stock checks of concurrent writers of one firm serialise, and
    /// returns the firm as locked. On SQLite the write lock already does it. Fails
    /// with NotFound for no such firm.
    pub(crate) async fn lock_firm(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        firm_id: sklad_domain::Id,
    ) -> StoreResult<sklad_domain::model::Firm> {
        let lock = match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        };
        crate::firms::firm_where(&mut **tx, firm_id, lock).await
    }

    pub(crate) fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }
}

/// A timestamp as stored: RFC 3339 UTC with microseconds, which sorts as text.
pub(crate) fn ts_text(ts: jiff::Timestamp) -> String {
    format!("{:.6}", ts)
}

pub(crate) fn parse_ts(text: &str) -> StoreResult<jiff::Timestamp> {
    text.parse()
        .map_err(|_| StoreError::Database(format!("stored timestamp unreadable: {text}")))
}

pub(crate) fn parse_date(text: &str) -> StoreResult<jiff::civil::Date> {
    text.parse()
        .map_err(|_| StoreError::Database(format!("stored date unreadable: {text}")))
}

/// Decodes a stored text key with `from_key`, or a database error.
pub(crate) fn key<T>(text: &str, from_key: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    from_key(text).ok_or_else(|| StoreError::Database(format!("stored key unknown: {text}")))
}

/// The key of a serde-`snake_case` enum (`"cash_on_delivery"`).
pub(crate) fn enum_key<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Parses a serde-`snake_case` enum from its stored key.
pub(crate) fn enum_from_key<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| StoreError::Database(format!("stored key unknown: {text}")))
}

/// A `LIKE` pattern matching `needle` anywhere, lower-cased, with `%`, `_` and `\`
/// escaped (use with `ESCAPE '\'`).
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for c in needle.trim().to_lowercase().chars().filter(|c| *c != '\0') {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Whether text can be stored or looked up: PostgreSQL text cannot hold NUL, so a
/// value with NUL is refused (input) or matches nothing (lookup), on both engines.
pub(crate) fn storable(text: &str) -> bool {
    !text.contains('\0')
}

/// `b` as stored (0 / 1).
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Reads column `col` of `row`.
pub(crate) fn get<'r, T>(row: &'r sqlx::any::AnyRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    use sqlx::Row;
    Ok(row.try_get(col)?)
}

/// The first validation error with code `code` on `field`.
pub(crate) fn invalid(
    field: impl Into<String>,
    code: &'static str,
    bg: impl Into<String>,
    en: impl Into<String>,
) -> StoreError {
    StoreError::Validation(sklad_domain::FieldError::new(field, code, bg, en).into())
}

/// Maps a unique-constraint violation of the schema to the validation error its
/// pre-check would have given (the pre-check can lose a race on PostgreSQL); other
/// errors pass through.
pub(crate) fn map_unique(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.kind() == sqlx::error::ErrorKind::UniqueViolation {
            let what = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            let (field, code, bg, en) = if what.contains("barcode") {
                (
                    "barcodes",
                    "barcode_duplicate",
                    "Баркодът вече се използва.",
                    "The barcode is already in use.",
                )
            } else if what.contains("ext_") {
                (
                    "external_ref",
                    "external_ref_duplicate",
                    "Операция с тази външна референция вече съществува.",
                    "An operation with this external reference already exists.",
                )
            } else if what.contains("eik") {
                (
                    "eik",
                    "eik_duplicate",
                    "Партньор с този ЕИК вече съществува.",
                    "A partner with this ЕИК already exists.",
                )
            } else if what.contains("login") {
                (
                    "login",
                    "login_duplicate",
                    "Потребителското име е заето.",
                    "The login is taken.",
                )
            } else if what.contains("code") {
                (
                    "code",
                    "code_duplicate",
                    "Стока с този код вече съществува.",
                    "A good with this code already exists.",
                )
            } else if what.contains("number") {
                (
                    "number",
                    "number_duplicate",
                    "Номерът вече е използван; опитайте отново.",
                    "The number is already used; try again.",
                )
            } else {
                (
                    "",
                    "duplicate",
                    "Записът вече съществува.",
                    "The record already exists.",
                )
            };
            return invalid(field, code, bg, en);
        }
        if db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation {
            return invalid(
                "",
                "in_use",
                "Записът се използва и не може да бъде изтрит.",
                "The record is in use and cannot be deleted.",
            );
        }
    }
    e.into()
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    /// An integer or NULL (typed, so PostgreSQL accepts the NULL in an integer column).
    OptInt(Option<i64>),
    /// A text or NULL.
    OptText(Option<String>),
}

/// A query built piece by piece with `$n` placeholders numbered in order of first
/// appearance, which both engines accept (SQLite takes `$n` as a named parameter
/// numbered by first appearance).
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends raw SQL text.
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn arg(&mut self, arg: Arg) -> &mut Sql {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends `(p1, p2, …)` bound to `ids`; `(NULL)` when empty.
    pub fn id_list(&mut self, ids: &[i64]) -> &mut Sql {
        self.push("(");
        if ids.is_empty() {
            self.push("NULL");
        }
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.arg(Arg::Int(*id));
        }
        self.push(")")
    }

    /// `(t1, t2, …)` of text arguments (`(NULL)` when empty: matches nothing).
    pub fn text_list(&mut self, texts: &[String]) -> &mut Sql {
        self.push("(");
        if texts.is_empty() {
            self.push("NULL");
        }
        for (i, text) in texts.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.arg(Arg::Text(text.clone()));
        }
        self.push(")")
    }

    /// The query with its arguments bound.
    pub fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for arg in &self.args {
            q = match arg {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::OptInt(i) => q.bind(*i),
                Arg::OptText(s) => q.bind(s.as_deref()),
            };
        }
        q
    }
}

impl Sql {
    /// `other` (whose text already contains this query's text and no placeholders of
    /// its own) with this query's arguments.
    pub fn rebind(&self, mut other: Sql) -> Sql {
        other.args = self.args.clone();
        other
    }

    /// Appends ` AND search_text LIKE …` (case-insensitive substring) when `search`
    /// holds more than blanks.
    pub fn search(&mut self, search: Option<&str>) -> &mut Sql {
        if let Some(search) = search.filter(|s| !s.trim().is_empty()) {
            self.push(" AND search_text LIKE ")
                .arg(Arg::Text(like_pattern(search)))
                .push(" ESCAPE '\\'");
        }
        self
    }

    /// One page of a list whose `FROM … WHERE …` clause is this query: the count of
    /// all matching rows and the rows `SELECT columns … ORDER BY order` of the page.
    pub async fn page(
        &self,
        conn: &mut sqlx::AnyConnection,
        columns: &str,
        order: &str,
        paging: Paging,
    ) -> StoreResult<(i64, Vec<sqlx::any::AnyRow>)> {
        let mut count = Sql::new("SELECT COUNT(*) AS n");
        count.push(&self.text);
        let total: i64 = get(
            &self.rebind(count).query().fetch_one(&mut *conn).await?,
            "n",
        )?;
        let mut list = Sql::new(&format!("SELECT {columns}"));
        list.push(&self.text);
        let mut list = self.rebind(list);
        list.push(&format!(" ORDER BY {order} LIMIT "))
            .arg(Arg::Int(paging.limit))
            .push(" OFFSET ")
            .arg(Arg::Int(paging.offset));
        let rows = list.query().fetch_all(&mut *conn).await?;
        Ok((total, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `$n` placeholders work on both engines, also repeated and out of order of
    /// binding: SQLite numbers `$n` as named parameters by first appearance, so a
    /// query must introduce them in increasing order (which `Sql` guarantees).
    async fn placeholders(store: &Store) {
        let row = sqlx::query("SELECT $1 + $1 + $2 AS n, $3 AS t")
            .bind(1_i64)
            .bind(10_i64)
            .bind("ок")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(get::<i64>(&row, "n").unwrap(), 12);
        assert_eq!(get::<String>(&row, "t").unwrap(), "ок");
        let mut sql =
            Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT 1 AS x) s WHERE 5 IN ");
        sql.id_list(&[4, 5, 6])
            .push(" AND ")
            .arg(Arg::Text("a".into()))
            .push(" = 'a'");
        assert_eq!(
            get::<i64>(&sql.query().fetch_one(&store.pool).await.unwrap(), "n").unwrap(),
            1
        );
        let row = sqlx::query("SELECT $1 AS a")
            .bind(None::<String>)
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(get::<Option<String>>(&row, "a").unwrap(), None);
    }

    #[tokio::test]
    async fn placeholders_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("p.db").display()))
            .await
            .unwrap();
        placeholders(&store).await;
    }

    #[tokio::test]
    async fn placeholders_on_postgres() {
        match std::env::var("SKLAD_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => placeholders(&Store::open(&url).await.unwrap()).await,
            _ if std::env::var_os("CI").is_some() => panic!("CI needs SKLAD_TEST_DATABASE_URL"),
            _ => eprintln!("notice: SKLAD_TEST_DATABASE_URL unset, PostgreSQL test skipped"),
        }
    }

    #[tokio::test]
    async fn sqlite_file_and_its_directory_are_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("sklad.db");
        let store = Store::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert!(path.exists());
    }

    /// Two stores on one file (as the server and the CLI in two processes) both
    /// write: the second waits for the first instead of failing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_stores_on_one_sqlite_file_both_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let a = Store::open(&url).await.unwrap();
        a.migrate().await.unwrap();
        let b = Store::open(&url).await.unwrap();
        let input = sklad_domain::model::FirmInput {
            name: "Ф".into(),
            eik: None,
            currency: sklad_domain::Currency::Bgn,
            vat_registered: false,
            seats: 1,
            allow_negative_stock: false,
        };
        let firm = a.create_firm(&input).await.unwrap().id;
        // update_firm reads before it writes: the case a deferred BEGIN loses.
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store = if i % 2 == 0 { a.clone() } else { b.clone() };
                let mut input = input.clone();
                input.name = format!("Ф{i}");
                tokio::spawn(async move { store.update_firm(firm, &input).await.map(|f| f.id) })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    }

    /// The durability level a write's commit runs with: SQLite's `synchronous` (2 =
    /// FULL, 1 = NORMAL) or PostgreSQL's `synchronous_commit`.
    async fn commit_durability(w: &mut Write<'_>, engine: Engine) -> String {
        match engine {
            Engine::Sqlite => {
                let row = sqlx::query("PRAGMA synchronous")
                    .fetch_one(&mut *w.tx)
                    .await
                    .unwrap();
                get::<i64>(&row, "synchronous").unwrap().to_string()
            }
            Engine::Postgres => {
                let row = sqlx::query("SELECT current_setting('synchronous_commit') AS s")
                    .fetch_one(&mut *w.tx)
                    .await
                    .unwrap();
                get::<String>(&row, "s").unwrap()
            }
        }
    }

    /// X2: what was acknowledged survives a power cut — every write commits durably
    /// (SQLite syncs the WAL at each commit, `synchronous = FULL`, as PostgreSQL's
    /// commits do), except the bridge's redoable bookkeeping, whose commit does not
    /// wait for the disk; and a write after a redoable one is durable again (the
    /// setting does not leak from one to the next).
    async fn x2_commits_are_durable_except_redoable_bookkeeping(store: &Store) {
        let (durable, redoable) = match store.engine {
            Engine::Sqlite => ("2", "1"),
            Engine::Postgres => ("on", "off"),
        };
        for _ in 0..3 {
            let mut w = store.write().await.unwrap();
            assert_eq!(commit_durability(&mut w, store.engine).await, durable);
            w.commit().await.unwrap();
            let mut w = store.write_for_firm(1).await.unwrap();
            assert_eq!(commit_durability(&mut w, store.engine).await, durable);
            w.commit().await.unwrap();
            let mut w = store.write_redoable().await.unwrap();
            assert_eq!(commit_durability(&mut w, store.engine).await, redoable);
            w.commit().await.unwrap();
        }
        // Several connections held at once: each was set up on its own.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut w = store.write_for_firm(1).await.unwrap();
            if store.engine == Engine::Sqlite {
                // SQLite's writes take turns; a plain connection shows its setting.
                drop(w);
                let mut conn = store.pool.acquire().await.unwrap();
                let row = sqlx::query("PRAGMA synchronous")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(get::<i64>(&row, "synchronous").unwrap(), 2);
                held.push(conn);
            } else {
                assert_eq!(commit_durability(&mut w, store.engine).await, durable);
                w.commit().await.unwrap();
            }
        }
    }

    #[tokio::test]
    async fn x2_commits_are_durable_except_redoable_bookkeeping_on_sqlite() {
        crate::testing::run_with_store(Engine::Sqlite, |store| async move {
            x2_commits_are_durable_except_redoable_bookkeeping(&store).await
        })
        .await;
    }

    #[tokio::test]
    async fn x2_commits_are_durable_except_redoable_bookkeeping_on_postgres() {
        crate::testing::run_with_store(Engine::Postgres, |store| async move {
            x2_commits_are_durable_except_redoable_bookkeeping(&store).await
        })
        .await;
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern(" 50%_A\\ "), "%50\\%\\_a\\\\%");
    }
}
