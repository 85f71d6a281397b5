//! Background jobs: every action that talks to a shop. A job is queued by
//! [`crate::Bridge::start_job`] and run by the process holding the shop's lease; it
//! reports progress after each page it reads (its heartbeat), stops at the next step
//! when cancelled, and ends with a summary, result rows and a journal entry.

mod check;
mod import;
mod opening;
mod preview;
mod reconcile;
mod test;
mod webhooks;

use cloudcart::Client;
use serde::Serialize;
use sklad_domain::model::{Firm, Object};
use sklad_domain::Id;
use sklad_store::shops::{JobProgress, JobRow, JournalNote, ShopConnection, ShopJob};

use crate::error::{SyncError, SyncResult};
use crate::Bridge;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// „Провери връзката“: key, address, plan, counts, currency (SPEC P2, P3, S4).
    Test,
    /// K1 „Провери съответствието“.
    Check,
    /// K2 „Импортирай ВСИЧКИ стоки от магазина“ (dry run first).
    Import,
    /// The shop's quantities as opening stock: one Ревизия (dry run first).
    OpeningStock,
    /// The first push of quantities, as a preview the merchant confirms.
    PushPreview,
    /// K4 „Активирай известията“.
    Webhooks,
    /// The scheduled check of K4's subscriptions, repairing what the shop disabled.
    Watchdog,
    /// The shop's variants read to repair drift: a quantity or price edited in the shop
    /// is set back to the warehouse's; a variant gone retires its link (issue 9).
    Reconcile,
}

impl JobKind {
    /// Every kind.
    pub const ALL: [JobKind; 8] = [
        JobKind::Test,
        JobKind::Check,
        JobKind::Import,
        JobKind::OpeningStock,
        JobKind::PushPreview,
        JobKind::Webhooks,
        JobKind::Watchdog,
        JobKind::Reconcile,
    ];

    /// The kinds people start (the watchdog is the bridge's own).
    pub const STARTABLE: [JobKind; 7] = [
        JobKind::Test,
        JobKind::Check,
        JobKind::Import,
        JobKind::OpeningStock,
        JobKind::PushPreview,
        JobKind::Webhooks,
        JobKind::Reconcile,
    ];

    /// Stable key (stored, in URLs).
    pub fn key(self) -> &'static str {
        match self {
            JobKind::Test => "test",
            JobKind::Check => "check",
            JobKind::Import => "import",
            JobKind::OpeningStock => "opening_stock",
            JobKind::PushPreview => "push_preview",
            JobKind::Webhooks => "webhooks",
            JobKind::Watchdog => "watchdog",
            JobKind::Reconcile => "reconcile",
        }
    }

    /// The kind with this key.
    pub fn from_key(key: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Whether a dry run means something for this kind.
    pub fn has_dry_run(self) -> bool {
        matches!(self, JobKind::Import | JobKind::OpeningStock)
    }

    /// Whether running (or cancelling) it is the firm owner's: whatever writes to the
    /// warehouse or the shop. Members may test, check, preview and try dry runs.
    pub fn owner_only(self, dry_run: bool) -> bool {
        match self {
            JobKind::Test | JobKind::Check | JobKind::PushPreview => false,
            JobKind::Import | JobKind::OpeningStock => !dry_run,
            JobKind::Webhooks | JobKind::Watchdog | JobKind::Reconcile => true,
        }
    }
}

/// What a running job works with.
pub(crate) struct JobCtx {
    pub bridge: Bridge,
    pub firm: Firm,
    pub job: ShopJob,
    pub connection: ShopConnection,
    pub progress: JobProgress,
    next_row: i64,
}

impl JobCtx {
    pub fn firm_id(&self) -> Id {
        self.firm.id
    }

    /// The connection's client (its shop's one limiter).
    pub async fn client(&self) -> SyncResult<Client> {
        self.bridge.client_of(&self.connection).await
    }

    /// The firm's objects.
    pub async fn objects(&self) -> SyncResult<Vec<Object>> {
        Ok(self.bridge.store().objects(self.firm.id).await?)
    }

    /// Records progress (the heartbeat); `Cancelled` when someone asked to stop.
    pub async fn report(&mut self) -> SyncResult<()> {
        if self
            .bridge
            .store()
            .update_shop_job_progress(self.job.id, &self.progress)
            .await?
        {
            return Err(SyncError::Cancelled);
        }
        Ok(())
    }

    /// Moves to stage `stage` and reports.
    pub async fn stage(&mut self, stage: &str) -> SyncResult<()> {
        self.progress.stage = stage.to_owned();
        self.report().await
    }

    /// Appends result rows, numbering them.
    pub async fn rows(&mut self, mut rows: Vec<JobRow>) -> SyncResult<()> {
        for row in &mut rows {
            self.next_row += 1;
            row.row_no = self.next_row;
        }
        self.bridge
            .store()
            .insert_shop_job_rows(self.job.id, &rows)
            .await?;
        Ok(())
    }

    /// Appends a journal entry for this connection by the job's actor.
    pub async fn journal(
        &self,
        action: &str,
        outcome: &str,
        bg: String,
        en: String,
        details: serde_json::Value,
    ) -> SyncResult<()> {
        self.bridge
            .store()
            .append_shop_journal(
                self.firm.id,
                self.connection.id,
                &JournalNote {
                    actor: self.job.actor.clone(),
                    action: action.to_owned(),
                    outcome: outcome.to_owned(),
                    message_bg: bg,
                    message_en: en,
                    details,
                },
            )
            .await?;
        Ok(())
    }
}

/// Runs a claimed job to its end and records how it ended.
pub(crate) async fn run(bridge: &Bridge, firm_id: Id, job: ShopJob) {
    let job_id = job.id;
    let kind = JobKind::from_key(&job.kind);
    let connection_id = job.connection_id;
    let mut ctx = match prepare(bridge, firm_id, job).await {
        Ok(ctx) => ctx,
        Err(e) => {
            crate::alerts::raise_for(bridge, firm_id, connection_id, &e).await;
            let _ = bridge
                .store()
                .finish_shop_job(
                    job_id,
                    "failed",
                    &JobProgress::default(),
                    None,
                    Some(&e.to_job_error()),
                )
                .await;
            return;
        }
    };
    let outcome = match kind {
        Some(JobKind::Test) => test::run(&mut ctx).await,
        Some(JobKind::Check) => check::run(&mut ctx).await,
        Some(JobKind::Import) => import::run(&mut ctx).await,
        Some(JobKind::OpeningStock) => opening::run(&mut ctx).await,
        Some(JobKind::PushPreview) => preview::run(&mut ctx).await,
        Some(JobKind::Webhooks) => webhooks::run(&mut ctx, false).await,
        Some(JobKind::Watchdog) => webhooks::run(&mut ctx, true).await,
        Some(JobKind::Reconcile) => reconcile::run(&mut ctx).await,
        None => Err(SyncError::Store(sklad_store::StoreError::Database(
            format!("unknown job kind {}", ctx.job.kind),
        ))),
    };
    let store = bridge.store();
    let result = match outcome {
        Ok(summary) => {
            store
                .finish_shop_job(job_id, "done", &ctx.progress, Some(&summary), None)
                .await
        }
        Err(e) => {
            crate::alerts::raise_for(bridge, firm_id, connection_id, &e).await;
            let (status, outcome) = match e {
                SyncError::Cancelled => ("cancelled", "warning"),
                _ => ("failed", "error"),
            };
            tracing::warn!(
                job = job_id,
                code = e.code(),
                "shop job ended: {}",
                e.message_en()
            );
            let _ = ctx
                .journal(
                    ctx.job.kind.as_str(),
                    outcome,
                    format!("„{}“: {}", label_bg(kind), e.message_bg()),
                    format!("\"{}\": {}", label_en(kind), e.message_en()),
                    serde_json::json!({ "job_id": job_id, "code": e.code() }),
                )
                .await;
            store
                .finish_shop_job(job_id, status, &ctx.progress, None, Some(&e.to_job_error()))
                .await
        }
    };
    if let Err(e) = result {
        tracing::error!(job = job_id, "the job's end could not be recorded: {e}");
    }
}

async fn prepare(bridge: &Bridge, firm_id: Id, job: ShopJob) -> SyncResult<JobCtx> {
    let store = bridge.store();
    let firm = store.firm(firm_id).await?;
    let connection = store.shop_connection(firm_id, job.connection_id).await?;
    Ok(JobCtx {
        bridge: bridge.clone(),
        firm,
        connection,
        progress: JobProgress::default(),
        job,
        next_row: 0,
    })
}

/// The kind's name in Bulgarian, as the journal says it.
pub(crate) fn label_bg(kind: Option<JobKind>) -> &'static str {
    match kind {
        Some(JobKind::Test) => "Провери връзката",
        Some(JobKind::Check) => "Провери съответствието",
        Some(JobKind::Import) => "Импортирай всички стоки",
        Some(JobKind::OpeningStock) => "Начални наличности от магазина",
        Some(JobKind::PushPreview) => "Преглед на първото изпращане",
        Some(JobKind::Webhooks) => "Активирай известията",
        Some(JobKind::Watchdog) => "Проверка на известията",
        Some(JobKind::Reconcile) => "Сверка с магазина",
        None => "Задача",
    }
}

/// The kind's name in English.
pub(crate) fn label_en(kind: Option<JobKind>) -> &'static str {
    match kind {
        Some(JobKind::Test) => "Test connection",
        Some(JobKind::Check) => "Check correspondence",
        Some(JobKind::Import) => "Import all goods",
        Some(JobKind::OpeningStock) => "Opening stock from the shop",
        Some(JobKind::PushPreview) => "First push preview",
        Some(JobKind::Webhooks) => "Activate notifications",
        Some(JobKind::Watchdog) => "Notifications check",
        Some(JobKind::Reconcile) => "Reconciliation with the shop",
        None => "Job",
    }
}

/// Queues a watchdog check for every connection in use whose host this process holds,
/// whose webhooks were activated, and whose last check (or activation) is older than
/// the interval.
pub(crate) async fn schedule_watchdogs(
    bridge: &Bridge,
    active: &[(Id, ShopConnection)],
    held: &[String],
) -> SyncResult<()> {
    let store = bridge.store();
    let now = store_now(bridge);
    for (firm_id, connection) in active {
        if !held.contains(&connection.shop_host) {
            continue;
        }
        if store
            .shop_webhooks(*firm_id, connection.id)
            .await?
            .is_empty()
        {
            continue;
        }
        let last = last_run(
            bridge,
            *firm_id,
            connection.id,
            &[JobKind::Watchdog, JobKind::Webhooks],
        )
        .await?;
        let due =
            last.is_none_or(|at| now.duration_since(at) >= bridge.inner.config.watchdog_interval);
        if due {
            queue_system_job(bridge, *firm_id, connection.id, JobKind::Watchdog).await?;
        }
    }
    Ok(())
}

/// When a job of one of `kinds` last ran for the connection (now, while one is queued
/// or running), or `None`.
pub(crate) async fn last_run(
    bridge: &Bridge,
    firm_id: Id,
    connection_id: Id,
    kinds: &[JobKind],
) -> SyncResult<Option<jiff::Timestamp>> {
    let now = store_now(bridge);
    let mut last = None;
    for kind in kinds {
        if let Some(job) = bridge
            .store()
            .latest_shop_job(firm_id, connection_id, kind.key(), false)
            .await?
        {
            let at = if job.finished() {
                job.finished_at.unwrap_or(job.created_at)
            } else {
                now
            };
            last = last.max(Some(at));
        }
    }
    Ok(last)
}

/// Queues a scheduled job by „system“; one that would overlap a queued or running one
/// is simply not queued.
pub(crate) async fn queue_system_job(
    bridge: &Bridge,
    firm_id: Id,
    connection_id: Id,
    kind: JobKind,
) -> SyncResult<()> {
    match bridge
        .store()
        .create_shop_job(firm_id, connection_id, kind.key(), false, "system")
        .await
    {
        Ok(_) | Err(sklad_store::StoreError::Validation(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The store's clock's now (the one schedules use).
pub(crate) fn store_now(bridge: &Bridge) -> jiff::Timestamp {
    bridge.store().clock().now()
}
