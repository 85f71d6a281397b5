//! The rows one write inserts or upserts (an operation's header, lines, stock levels,
//! ledger and outbox rows; the orders and product hints of the inbox's triage), sent
//! in as few round trips as the engine allows.
//!
//! On PostgreSQL a batch that fits in one statement is sent as one: the rows go in
//! data-modifying `WITH` parts (the new operation's id reaches the others through
//! `RETURNING`), so a 3-line sale writes everything in a single round trip. On
//! SQLite, where the database is in-process and has no data-modifying `WITH`, each
//! table's rows are one multi-row `INSERT`. Larger batches are cut into statements
//! of at most [`MAX_ARGS_PER_STATEMENT`] arguments on both engines.

use sklad_domain::Id;

use crate::db::{get, map_unique, Arg, Sql};
use crate::{Engine, StoreResult};

/// Arguments per statement: below SQLite's 32 766 and PostgreSQL's 65 535, and
/// small enough that a statement's text stays modest.
pub(crate) const MAX_ARGS_PER_STATEMENT: usize = 8_000;

/// A value of an inserted row.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Arg(Arg),
    /// The id of the operation this batch inserts ([`Writes::new_operation`]).
    NewOperation,
}

impl From<i64> for Cell {
    fn from(value: i64) -> Cell {
        Cell::Arg(Arg::Int(value))
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Cell {
        Cell::Arg(Arg::Text(value.to_owned()))
    }
}

/// Rows for one table: `head` is `INSERT INTO t (c1, …) VALUES `, `tail` what follows
/// the rows (e.g. `ON CONFLICT …`).
#[derive(Debug)]
pub(crate) struct Insert {
    head: &'static str,
    tail: &'static str,
    rows: Vec<Vec<Cell>>,
}

impl Insert {
    pub fn new(head: &'static str, tail: &'static str) -> Insert {
        Insert {
            head,
            tail,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    fn args(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// Appends the statement of `rows` to `sql`, the new operation's id written as
    /// `new_operation`.
    fn write(&self, rows: &[Vec<Cell>], sql: &mut Sql, new_operation: &Cell) {
        sql.push(self.head);
        for (i, row) in rows.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, cell) in row.iter().enumerate() {
                if j > 0 {
                    sql.push(", ");
                }
                match cell {
                    Cell::Arg(arg) => sql.arg(arg.clone()),
                    Cell::NewOperation => match new_operation {
                        Cell::Arg(arg) => sql.arg(arg.clone()),
                        Cell::NewOperation => sql.push("(SELECT id FROM new_operation)"),
                    },
                };
            }
            sql.push(")");
        }
        sql.push(self.tail);
    }

    /// The rows in chunks of at most [`MAX_ARGS_PER_STATEMENT`] arguments.
    fn chunks(&self) -> impl Iterator<Item = &[Vec<Cell>]> {
        let width = self.rows.first().map_or(1, Vec::len).max(1);
        self.rows.chunks((MAX_ARGS_PER_STATEMENT / width).max(1))
    }
}

/// The header of an operation to insert, numbered next in its firm and kind (the
/// caller holds the firm lock, so the number is free).
#[derive(Debug)]
pub(crate) struct NewOperation {
    /// `(column, value)` of every stored column but `number`.
    pub columns: Vec<(&'static str, Arg)>,
    pub firm_id: Id,
    pub kind: &'static str,
}

impl NewOperation {
    fn write(&self, sql: &mut Sql) {
        sql.push("INSERT INTO operations (");
        for (name, _) in &self.columns {
            sql.push(name).push(", ");
        }
        sql.push("number) SELECT ");
        for (_, value) in &self.columns {
            sql.arg(value.clone()).push(", ");
        }
        sql.push("COALESCE(MAX(number), 0) + 1 FROM operations WHERE firm_id = ")
            .arg(Arg::Int(self.firm_id))
            .push(" AND kind = ")
            .arg(Arg::Text(self.kind.to_owned()))
            .push(" RETURNING id, number");
    }
}

/// The rows of one write, in the order the tables are filled.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    new_operation: Option<NewOperation>,
    inserts: Vec<Insert>,
}

impl Writes {
    /// A write that inserts `operation` (its rows refer to it by [`Cell::NewOperation`]).
    pub fn creating(operation: NewOperation) -> Writes {
        Writes {
            new_operation: Some(operation),
            inserts: Vec::new(),
        }
    }

    pub fn push(&mut self, insert: Insert) {
        if !insert.rows.is_empty() {
            self.inserts.push(insert);
        }
    }

    /// Writes everything; the id and number of the new operation, when there is one.
    pub async fn execute(
        self,
        conn: &mut sqlx::AnyConnection,
        engine: Engine,
    ) -> StoreResult<Option<(Id, i64)>> {
        let args: usize = self.inserts.iter().map(Insert::args).sum();
        if engine == Engine::Postgres && args <= MAX_ARGS_PER_STATEMENT {
            return self.execute_as_one(conn).await;
        }
        let mut created = None;
        let mut new_operation = Cell::NewOperation;
        if let Some(op) = &self.new_operation {
            let mut sql = Sql::default();
            op.write(&mut sql);
            let row = sql
                .query()
                .fetch_one(&mut *conn)
                .await
                .map_err(map_unique)?;
            let id: Id = get(&row, "id")?;
            created = Some((id, get(&row, "number")?));
            new_operation = Cell::Arg(Arg::Int(id));
        }
        for insert in &self.inserts {
            for rows in insert.chunks() {
                let mut sql = Sql::default();
                insert.write(rows, &mut sql, &new_operation);
                sql.query().execute(&mut *conn).await.map_err(map_unique)?;
            }
        }
        Ok(created)
    }

    /// PostgreSQL: every part in one statement of data-modifying `WITH` parts.
    async fn execute_as_one(
        self,
        conn: &mut sqlx::AnyConnection,
    ) -> StoreResult<Option<(Id, i64)>> {
        let mut sql = Sql::new("WITH ");
        let mut parts = 0;
        if let Some(op) = &self.new_operation {
            sql.push("new_operation AS (");
            op.write(&mut sql);
            sql.push(")");
            parts += 1;
        }
        for (i, insert) in self.inserts.iter().enumerate() {
            if parts > 0 {
                sql.push(", ");
            }
            sql.push(&format!("part{i} AS ("));
            insert.write(&insert.rows, &mut sql, &Cell::NewOperation);
            sql.push(")");
            parts += 1;
        }
        if parts == 0 {
            return Ok(None);
        }
        if self.new_operation.is_none() {
            sql.push(" SELECT 1 AS done");
            sql.query().execute(&mut *conn).await.map_err(map_unique)?;
            return Ok(None);
        }
        sql.push(" SELECT id, number FROM new_operation");
        let row = sql
            .query()
            .fetch_one(&mut *conn)
            .await
            .map_err(map_unique)?;
        Ok(Some((get(&row, "id")?, get(&row, "number")?)))
    }
}
