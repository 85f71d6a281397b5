//! Background jobs of connections (SPEC X4) and their result rows.
//!
//! A job is queued by whoever asks (a page, the API, the CLI) and run by the process
//! that holds the shop's lease ([`Store::claim_shop_job`]). Two runs of one action on one
//! connection cannot overlap: a partial unique index allows one queued or running job
//! per (connection, kind). A running job beats a heartbeat with its progress; one whose
//! heartbeat is older than [`JOB_STALE_AFTER`] died with its process and is failed when
//! the next run of its kind is asked for. Only the latest finished job of a kind keeps
//! its result rows.

use sklad_domain::Id;

use crate::db::{flag, get, invalid, parse_ts, ts_text, Arg, Sql};
use crate::shops::connections::connection_in;
use crate::shops::{JobError, JobProgress, JobRow, ShopJob};
use crate::{Engine, Page, Paging, Store, StoreError, StoreResult};

/// A running job whose heartbeat is older than this is taken for dead.
pub const JOB_STALE_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// The most result rows one page of a job's rows holds.
pub const MAX_JOB_ROWS_PAGE: i64 = 1000;

const JOB_COLUMNS: &str =
    "id, firm_id, connection_id, shop_host, kind, dry_run, status, actor, progress, \
     summary, error_code, error_bg, error_en, cancel_requested, created_at, started_at, \
     finished_at";

const ROW_COLUMNS: &str = "row_no, status, reason, warning, shop_product_id, shop_variant_id, \
     sku, barcode, name, shop_price, shop_quantity, shop_unlimited, good_id, good_code, \
     good_name, firm_price, firm_quantity";

/// Rows per multi-row insert (17 parameters each, well under both engines' limits).
const ROWS_PER_INSERT: usize = 400;

fn json_or_db<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|_| StoreError::Database("stored job data unreadable".to_owned()))
}

fn job_from_row(row: &sqlx::any::AnyRow) -> StoreResult<(Id, ShopJob)> {
    let opt_ts = |col: &str| -> StoreResult<Option<jiff::Timestamp>> {
        get::<Option<String>>(row, col)?
            .as_deref()
            .map(parse_ts)
            .transpose()
    };
    let error = match get::<Option<String>>(row, "error_code")? {
        Some(code) => Some(JobError {
            code,
            message_bg: get::<Option<String>>(row, "error_bg")?.unwrap_or_default(),
            message_en: get::<Option<String>>(row, "error_en")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok((
        get(row, "firm_id")?,
        ShopJob {
            id: get(row, "id")?,
            connection_id: get(row, "connection_id")?,
            shop_host: get(row, "shop_host")?,
            kind: get(row, "kind")?,
            dry_run: get::<i64>(row, "dry_run")? != 0,
            status: get(row, "status")?,
            actor: get(row, "actor")?,
            progress: json_or_db(&get::<String>(row, "progress")?)?,
            summary: get::<Option<String>>(row, "summary")?
                .as_deref()
                .map(json_or_db)
                .transpose()?,
            error,
            cancel_requested: get::<i64>(row, "cancel_requested")? != 0,
            created_at: parse_ts(&get::<String>(row, "created_at")?)?,
            started_at: opt_ts("started_at")?,
            finished_at: opt_ts("finished_at")?,
        },
    ))
}

fn row_from_row(row: &sqlx::any::AnyRow) -> StoreResult<JobRow> {
    Ok(JobRow {
        row_no: get(row, "row_no")?,
        status: get(row, "status")?,
        reason: get(row, "reason")?,
        warning: get(row, "warning")?,
        shop_product_id: get(row, "shop_product_id")?,
        shop_variant_id: get(row, "shop_variant_id")?,
        sku: get(row, "sku")?,
        barcode: get(row, "barcode")?,
        name: get(row, "name")?,
        shop_price: get(row, "shop_price")?,
        shop_quantity: get(row, "shop_quantity")?,
        shop_unlimited: get::<i64>(row, "shop_unlimited")? != 0,
        good_id: get(row, "good_id")?,
        good_code: get(row, "good_code")?,
        good_name: get(row, "good_name")?,
        firm_price: get(row, "firm_price")?,
        firm_quantity: get(row, "firm_quantity")?,
    })
}

/// Text as stored: NUL characters (which PostgreSQL cannot hold) dropped.
fn text(value: &Option<String>) -> Arg {
    Arg::OptText(value.as_ref().map(|v| v.replace('\0', "")))
}

fn int(value: Option<i64>) -> Arg {
    Arg::OptInt(value)
}

impl Store {
    /// Queues a job of `kind` on the connection. Refused (`job_running`) while another
    /// job of that kind on that connection is queued or running — unless that one's
    /// heartbeat is older than [`JOB_STALE_AFTER`], which fails it as interrupted first.
    pub async fn create_shop_job(
        &self,
        firm_id: Id,
        connection_id: Id,
        kind: &str,
        dry_run: bool,
        actor: &str,
    ) -> StoreResult<ShopJob> {
        let now = self.now();
        let stale = ts_text(now.saturating_sub(JOB_STALE_AFTER).unwrap_or(now));
        let mut w = self.write().await?;
        let connection = connection_in(&mut w.tx, firm_id, connection_id).await?;
        sqlx::query(
            "UPDATE shop_jobs SET status = 'failed', error_code = 'job_interrupted', \
             error_bg = 'Задачата беше прекъсната (сървърът спря по време на работа).', \
             error_en = 'The job was interrupted (the server stopped while it ran).', \
             finished_at = $1 WHERE connection_id = $2 AND kind = $3 AND status = 'running' \
             AND (heartbeat_at IS NULL OR heartbeat_at < $4)",
        )
        .bind(ts_text(now))
        .bind(connection_id)
        .bind(kind)
        .bind(&stale)
        .execute(&mut *w.tx)
        .await?;
        let running = sqlx::query(
            "SELECT id FROM shop_jobs WHERE connection_id = $1 AND kind = $2 \
             AND status IN ('queued', 'running')",
        )
        .bind(connection_id)
        .bind(kind)
        .fetch_optional(&mut *w.tx)
        .await?;
        if let Some(row) = running {
            return Err(job_running(get(&row, "id")?));
        }
        let progress = serde_json::to_string(&JobProgress::default()).unwrap_or_default();
        let row = sqlx::query(
            "INSERT INTO shop_jobs (firm_id, connection_id, shop_host, kind, dry_run, status, \
             actor, progress, cancel_requested, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, 0, $8) RETURNING id",
        )
        .bind(firm_id)
        .bind(connection_id)
        .bind(&connection.shop_host)
        .bind(kind)
        .bind(flag(dry_run))
        .bind(actor)
        .bind(progress)
        .bind(ts_text(now))
        .fetch_one(&mut *w.tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                job_running(0)
            }
            _ => e.into(),
        })?;
        let id: Id = get(&row, "id")?;
        let job = one_job(&mut w.tx, id).await?.1;
        w.commit().await?;
        Ok(job)
    }

    /// The hosts that have queued jobs.
    pub async fn queued_shop_hosts(&self) -> StoreResult<Vec<String>> {
        sqlx::query("SELECT DISTINCT shop_host FROM shop_jobs WHERE status = 'queued'")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| get(r, "shop_host"))
            .collect()
    }

    /// Takes the oldest queued job of one of `hosts` (those whose lease `runner` holds)
    /// and marks it running by `runner`. Concurrent claimers never get the same job.
    pub async fn claim_shop_job(
        &self,
        runner: &str,
        hosts: &[String],
    ) -> StoreResult<Option<(Id, ShopJob)>> {
        if hosts.is_empty() {
            return Ok(None);
        }
        let now = ts_text(self.now());
        let mut sql = Sql::new("UPDATE shop_jobs SET status = 'running', runner = ");
        sql.arg(Arg::Text(runner.to_owned()))
            .push(", heartbeat_at = ")
            .arg(Arg::Text(now.clone()))
            .push(", started_at = ")
            .arg(Arg::Text(now))
            .push(
                " WHERE id IN (SELECT id FROM shop_jobs WHERE status = 'queued' AND shop_host IN (",
            );
        for (i, host) in hosts.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.arg(Arg::Text(host.clone()));
        }
        sql.push(") ORDER BY id LIMIT 1");
        if self.engine == Engine::Postgres {
            sql.push(" FOR UPDATE SKIP LOCKED");
        }
        sql.push(&format!(") RETURNING {JOB_COLUMNS}"));
        let mut w = self.write().await?;
        let row = sql.query().fetch_optional(&mut *w.tx).await?;
        let job = row.as_ref().map(job_from_row).transpose()?;
        w.commit().await?;
        Ok(job)
    }

    /// Records a running job's progress (and its heartbeat). Returns whether someone
    /// asked to cancel it.
    pub async fn update_shop_job_progress(
        &self,
        job_id: Id,
        progress: &JobProgress,
    ) -> StoreResult<bool> {
        let mut w = self.write().await?;
        sqlx::query("UPDATE shop_jobs SET progress = $1, heartbeat_at = $2 WHERE id = $3")
            .bind(serde_json::to_string(progress).unwrap_or_default())
            .bind(ts_text(self.now()))
            .bind(job_id)
            .execute(&mut *w.tx)
            .await?;
        let row = sqlx::query("SELECT cancel_requested FROM shop_jobs WHERE id = $1")
            .bind(job_id)
            .fetch_optional(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(match row {
            Some(r) => get::<i64>(&r, "cancel_requested")? != 0,
            None => true,
        })
    }

    /// Ends a job as `done`, `failed` or `cancelled` with its summary or error, and drops
    /// the result rows of the connection's older jobs of that kind.
    pub async fn finish_shop_job(
        &self,
        job_id: Id,
        status: &str,
        progress: &JobProgress,
        summary: Option<&serde_json::Value>,
        error: Option<&JobError>,
    ) -> StoreResult<()> {
        let mut w = self.write().await?;
        let (_, job) = one_job(&mut w.tx, job_id).await?;
        sqlx::query(
            "UPDATE shop_jobs SET status = $1, progress = $2, summary = $3, error_code = $4, \
             error_bg = $5, error_en = $6, finished_at = $7, heartbeat_at = $7 WHERE id = $8",
        )
        .bind(status)
        .bind(serde_json::to_string(progress).unwrap_or_default())
        .bind(summary.map(|s| s.to_string()))
        .bind(error.map(|e| e.code.clone()))
        .bind(error.map(|e| e.message_bg.clone()))
        .bind(error.map(|e| e.message_en.clone()))
        .bind(ts_text(self.now()))
        .bind(job_id)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query(
            "DELETE FROM shop_job_rows WHERE job_id IN (SELECT id FROM shop_jobs \
             WHERE connection_id = $1 AND kind = $2 AND id < $3)",
        )
        .bind(job.connection_id)
        .bind(&job.kind)
        .bind(job_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    /// Asks a job to stop: a queued one is cancelled at once, a running one stops at its
    /// next step. A finished job is left as it is.
    pub async fn cancel_shop_job(&self, firm_id: Id, job_id: Id) -> StoreResult<ShopJob> {
        let mut w = self.write().await?;
        let (firm, _) = one_job(&mut w.tx, job_id).await?;
        if firm != firm_id {
            return Err(StoreError::not_found("shop_job"));
        }
        sqlx::query(
            "UPDATE shop_jobs SET status = 'cancelled', cancel_requested = 1, finished_at = $1 \
             WHERE id = $2 AND status = 'queued'",
        )
        .bind(ts_text(self.now()))
        .bind(job_id)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query(
            "UPDATE shop_jobs SET cancel_requested = 1 WHERE id = $1 AND status = 'running'",
        )
        .bind(job_id)
        .execute(&mut *w.tx)
        .await?;
        let job = one_job(&mut w.tx, job_id).await?.1;
        w.commit().await?;
        Ok(job)
    }

    /// The job of the firm.
    pub async fn shop_job(&self, firm_id: Id, job_id: Id) -> StoreResult<ShopJob> {
        let mut conn = self.pool.acquire().await?;
        match one_job(&mut conn, job_id).await? {
            (firm, job) if firm == firm_id => Ok(job),
            _ => Err(StoreError::not_found("shop_job")),
        }
    }

    /// The job with its firm (for the runner).
    pub async fn shop_job_any_firm(&self, job_id: Id) -> StoreResult<(Id, ShopJob)> {
        let mut conn = self.pool.acquire().await?;
        one_job(&mut conn, job_id).await
    }

    /// The connection's jobs, newest first, of one kind or all.
    pub async fn shop_jobs(
        &self,
        firm_id: Id,
        connection_id: Id,
        kind: Option<&str>,
        paging: Paging,
    ) -> StoreResult<Page<ShopJob>> {
        let paging = paging.clamped();
        let mut where_ = Sql::new(" FROM shop_jobs WHERE firm_id = ");
        where_
            .arg(Arg::Int(firm_id))
            .push(" AND connection_id = ")
            .arg(Arg::Int(connection_id));
        if let Some(kind) = kind {
            where_
                .push(" AND kind = ")
                .arg(Arg::Text(kind.replace('\0', "")));
        }
        let mut conn = self.pool.acquire().await?;
        let (total, rows) = where_
            .page(&mut conn, JOB_COLUMNS, "id DESC", paging)
            .await?;
        let items = rows
            .iter()
            .map(|r| job_from_row(r).map(|(_, j)| j))
            .collect::<StoreResult<_>>()?;
        Ok(Page::of(items, total, paging))
    }

    /// The connection's newest job of `kind` (finished ones only when `finished`).
    pub async fn latest_shop_job(
        &self,
        firm_id: Id,
        connection_id: Id,
        kind: &str,
        finished: bool,
    ) -> StoreResult<Option<ShopJob>> {
        let filter = if finished {
            " AND status IN ('done', 'failed', 'cancelled')"
        } else {
            ""
        };
        sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM shop_jobs WHERE firm_id = $1 AND connection_id = $2 \
             AND kind = $3{filter} ORDER BY id DESC LIMIT 1"
        ))
        .bind(firm_id)
        .bind(connection_id)
        .bind(kind)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| job_from_row(&r).map(|(_, j)| j))
        .transpose()
    }

    /// Whether a job of `kind` (with `dry_run` as given) ever finished `done` on the
    /// connection — e.g. whether a real import has run.
    pub async fn shop_job_ever_done(
        &self,
        firm_id: Id,
        connection_id: Id,
        kind: &str,
        dry_run: bool,
    ) -> StoreResult<bool> {
        Ok(sqlx::query(
            "SELECT id FROM shop_jobs WHERE firm_id = $1 AND connection_id = $2 AND kind = $3 \
             AND dry_run = $4 AND status = 'done' LIMIT 1",
        )
        .bind(firm_id)
        .bind(connection_id)
        .bind(kind)
        .bind(flag(dry_run))
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// Appends result rows to a job (in batches, one transaction).
    pub async fn insert_shop_job_rows(&self, job_id: Id, rows: &[JobRow]) -> StoreResult<()> {
        let mut w = self.write().await?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut sql = Sql::new(&format!(
                "INSERT INTO shop_job_rows (job_id, {ROW_COLUMNS}) VALUES "
            ));
            for (i, r) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" });
                let args = [
                    Arg::Int(job_id),
                    Arg::Int(r.row_no),
                    Arg::Text(r.status.clone()),
                    text(&r.reason),
                    text(&r.warning),
                    text(&r.shop_product_id),
                    text(&r.shop_variant_id),
                    text(&r.sku),
                    text(&r.barcode),
                    text(&r.name),
                    int(r.shop_price),
                    int(r.shop_quantity),
                    Arg::Int(flag(r.shop_unlimited)),
                    int(r.good_id),
                    text(&r.good_code),
                    text(&r.good_name),
                    int(r.firm_price),
                    int(r.firm_quantity),
                ];
                for (j, arg) in args.into_iter().enumerate() {
                    if j > 0 {
                        sql.push(", ");
                    }
                    sql.arg(arg);
                }
                sql.push(")");
            }
            sql.query().execute(&mut *w.tx).await?;
        }
        w.commit().await
    }

    /// One page of a job's result rows, of one status or all, in row order.
    pub async fn shop_job_rows(
        &self,
        firm_id: Id,
        job_id: Id,
        status: Option<&str>,
        paging: Paging,
    ) -> StoreResult<Page<JobRow>> {
        self.shop_job(firm_id, job_id).await?;
        let paging = Paging {
            limit: paging.limit.clamp(1, MAX_JOB_ROWS_PAGE),
            offset: paging.offset.max(0),
        };
        let mut where_ = Sql::new(" FROM shop_job_rows WHERE job_id = ");
        where_.arg(Arg::Int(job_id));
        if let Some(status) = status {
            where_
                .push(" AND status = ")
                .arg(Arg::Text(status.replace('\0', "")));
        }
        let mut conn = self.pool.acquire().await?;
        let (total, rows) = where_
            .page(&mut conn, ROW_COLUMNS, "row_no", paging)
            .await?;
        let items = rows.iter().map(row_from_row).collect::<StoreResult<_>>()?;
        Ok(Page::of(items, total, paging))
    }

    /// How many result rows the job has of each status.
    pub async fn shop_job_row_counts(
        &self,
        firm_id: Id,
        job_id: Id,
    ) -> StoreResult<Vec<(String, i64)>> {
        self.shop_job(firm_id, job_id).await?;
        sqlx::query(
            "SELECT status, COUNT(*) AS n FROM shop_job_rows WHERE job_id = $1 \
             GROUP BY status ORDER BY status",
        )
        .bind(job_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((get(r, "status")?, get(r, "n")?)))
        .collect()
    }
}

async fn one_job(conn: &mut sqlx::AnyConnection, job_id: Id) -> StoreResult<(Id, ShopJob)> {
    let row = sqlx::query(&format!(
        "SELECT {JOB_COLUMNS} FROM shop_jobs WHERE id = $1"
    ))
    .bind(job_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::not_found("shop_job"))?;
    job_from_row(&row)
}

fn job_running(existing: Id) -> StoreError {
    let which = if existing > 0 {
        format!(" (№ {existing})")
    } else {
        String::new()
    };
    invalid(
        "kind",
        "job_running",
        format!("Същото действие за тази връзка вече се изпълнява{which}; изчакайте го или го откажете."),
        format!("The same action is already running for this connection{which}; wait for it or cancel it."),
    )
}
