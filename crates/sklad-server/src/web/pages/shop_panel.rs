//! The CloudCart контролен панел of a connection (SPEC K1–K4, X3, X4), reached from
//! Номенклатури → Стоки → Списък стоки: the seed's steps in order — K1 „Провери
//! съответствието“, K2 „Импортирай ВСИЧКИ стоки от магазина“ (a dry run first, a firm
//! backup offered before the first real import), the shop's quantities as opening
//! stock (dry run, then run), the first-push preview with „Потвърди“, K1 again, K4
//! „Активирай известията“ with each subscription's state — and the recent jobs.
//!
//! Every action is a background job of the bridge: starting one leads to its page
//! (`shop_jobs`), which follows its progress and survives a reload.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sklad_domain::Id;
use sklad_store::shops::{ShopConnection, ShopJob};
use sklad_store::Paging;
use sklad_sync::JobKind;

use super::shops::{job_status_label, job_title, shop_page, sync_alert, sync_fail};
use crate::web::error::{render, WebError};
use crate::web::i18n::Tr;
use crate::web::layout::Page;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::when;
use crate::web::view::{Cell, Table};
use crate::AppState;

/// A job in one line: what, its state, when, and what it found.
pub struct JobLine {
    /// Its page.
    pub href: String,
    /// `Провери съответствието (пробно)`.
    pub title: String,
    /// `Готово`, `Изпълнява се` …
    pub status: String,
    /// The status key (a CSS hook).
    pub status_key: String,
    /// When it ended (or was asked for).
    pub at: String,
    /// What it found or did, in a sentence.
    pub summary: String,
    /// Why it failed.
    pub error: Option<String>,
}

fn count(summary: &Value, path: &[&str]) -> i64 {
    let mut v = summary;
    for key in path {
        v = v.get(*key).unwrap_or(&Value::Null);
    }
    v.as_i64().unwrap_or(0)
}

fn number(summary: &Value, path: &[&str]) -> String {
    count(summary, path).to_string()
}

/// What a finished job found or did, in the user's language.
pub fn summary_sentence(tr: Tr, job: &ShopJob) -> String {
    let Some(s) = job.summary.as_ref().filter(|_| job.status == "done") else {
        return String::new();
    };
    let n = |path: &[&str]| number(s, path);
    match JobKind::from_key(&job.kind) {
        Some(JobKind::Test) => tr.t(if s.get("ok").and_then(Value::as_bool) == Some(true) {
            "shops-test-ok"
        } else {
            "shops-test-problems"
        }),
        Some(JobKind::Check) => tr.ta(
            "shops-sum-check",
            &[
                ("variants", &n(&["variants"])),
                ("linked", &n(&["counts", "linked"])),
                ("problems", &n(&["problems"])),
                ("nodesc", &n(&["description_missing"])),
            ],
        ),
        Some(JobKind::Import) => tr.ta(
            if job.dry_run {
                "shops-sum-import-dry"
            } else {
                "shops-sum-import"
            },
            &[
                ("create", &n(&["counts", "create"])),
                ("update", &n(&["counts", "update"])),
                ("link", &n(&["counts", "link"])),
                ("unchanged", &n(&["counts", "unchanged"])),
                ("skip", &n(&["counts", "skip"])),
                ("failed", &n(&["counts", "failed"])),
            ],
        ),
        Some(JobKind::OpeningStock) => tr.tn(
            if job.dry_run {
                "shops-sum-opening-dry"
            } else {
                "shops-sum-opening"
            },
            &[("lines", count(s, &["lines"]))],
        ),
        Some(JobKind::PushPreview) => tr.ta(
            "shops-sum-preview",
            &[
                ("up", &n(&["up"])),
                ("down", &n(&["down"])),
                ("same", &n(&["same"])),
                ("unlimited", &n(&["unlimited"])),
                ("excluded", &n(&["excluded"])),
                ("prices", &n(&["price_changes"])),
            ],
        ),
        Some(JobKind::Reconcile) => tr.ta(
            "shops-sum-reconcile",
            &[
                ("variants", &n(&["variants"])),
                ("repairs", &n(&["repairs"])),
                ("retired", &n(&["retired"])),
            ],
        ),
        Some(JobKind::Webhooks) | Some(JobKind::Watchdog) => {
            if s.get("skipped").is_some() {
                tr.t("shops-sum-watchdog-skipped")
            } else {
                let events = s
                    .get("events")
                    .and_then(Value::as_object)
                    .map(|e| e.len())
                    .unwrap_or(0);
                tr.ta(
                    "shops-sum-webhooks",
                    &[
                        ("events", &events.to_string()),
                        ("removed", &n(&["removed"])),
                    ],
                )
            }
        }
        None => String::new(),
    }
}

/// A job in one line.
pub fn job_line(tr: Tr, connection_id: Id, job: &ShopJob) -> JobLine {
    JobLine {
        href: format!("/shops/{connection_id}/jobs/{}", job.id),
        title: job_title(tr, job),
        status: job_status_label(tr, &job.status),
        status_key: job.status.clone(),
        at: when(job.finished_at.unwrap_or(job.created_at)),
        summary: summary_sentence(tr, job),
        error: job
            .error
            .as_ref()
            .map(|e| tr.pick(&e.message_bg, &e.message_en).to_owned()),
    }
}

/// A webhook subscription as the panel shows it.
struct HookRow {
    event: String,
    label: String,
    url: String,
    active: bool,
    checked: String,
}

/// One step of the panel: its latest job and whether its run may be offered.
struct Step {
    last: Option<JobLine>,
    running: bool,
    /// A finished job of this kind exists (for the import and the opening stock: a
    /// dry run was seen, so the run is offered).
    seen_done: bool,
}

#[derive(Template)]
#[template(path = "shop_panel.html")]
struct PanelPage {
    page: Page,
    c: ShopConnection,
    can_change: bool,
    alerts: Vec<String>,
    problems: Vec<String>,
    check: Step,
    import: Step,
    opening: Step,
    preview: Step,
    webhooks: Step,
    /// No real import has run yet: offer the firm backup first (SPEC S1).
    offer_backup: bool,
    /// The latest finished preview that can be confirmed.
    confirmable: Option<Id>,
    hooks: Vec<HookRow>,
    recent: Table,
    /// Whether and when the first push was confirmed.
    first_push: String,
    /// Stock and prices to the shop: whether they flow, and the figures.
    push_state: String,
    push_figures: Vec<(String, String)>,
    reconcile: Step,
}

async fn step(state: &AppState, ctx: &Ctx, id: Id, kind: JobKind) -> Result<Step, WebError> {
    let recent = state
        .store
        .shop_jobs(
            ctx.firm_id(),
            id,
            Some(kind.key()),
            Paging {
                limit: 50,
                offset: 0,
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?
        .items;
    let last = recent.first();
    Ok(Step {
        running: last.is_some_and(|j| !j.finished()),
        last: last.map(|j| job_line(ctx.tr, id, j)),
        seen_done: recent.iter().any(|j| j.status == "done"),
    })
}

async fn show_panel(
    state: &AppState,
    ctx: &Ctx,
    id: Id,
    alerts: Vec<String>,
    notice: Option<String>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let view = state
        .bridge
        .connection_view(ctx.firm_id(), id)
        .await
        .map_err(|e| sync_fail(ctx, e))?;
    let c = view.connection.clone();
    let check = step(state, ctx, id, JobKind::Check).await?;
    let import = step(state, ctx, id, JobKind::Import).await?;
    let opening = step(state, ctx, id, JobKind::OpeningStock).await?;
    let preview = step(state, ctx, id, JobKind::PushPreview).await?;
    let webhooks = step(state, ctx, id, JobKind::Webhooks).await?;
    let store = &state.store;
    let imported = store
        .shop_job_ever_done(ctx.firm_id(), id, JobKind::Import.key(), false)
        .await
        .map_err(|e| ctx.fail(e))?;
    let offer_backup = ctx.is_owner() && !imported;
    let confirmable = store
        .latest_shop_job(ctx.firm_id(), id, JobKind::PushPreview.key(), false)
        .await
        .map_err(|e| ctx.fail(e))?
        .filter(|j| j.status == "done")
        .map(|j| j.id);
    let hooks = view
        .webhooks
        .iter()
        .map(|h| HookRow {
            event: h.event.clone(),
            label: tr.keyed("shops-event", &h.event),
            url: h.url.clone(),
            active: h.active,
            checked: when(h.checked_at),
        })
        .collect();
    let jobs = store
        .shop_jobs(
            ctx.firm_id(),
            id,
            None,
            Paging {
                limit: 15,
                offset: 0,
            },
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let recent = Table::new(
        tr,
        "shop-jobs",
        &[
            ("shops-job", false),
            ("shops-job-status", false),
            ("shops-when", false),
            ("shops-who", false),
            ("shops-result", false),
        ],
        jobs.items
            .iter()
            .map(|j| {
                let line = job_line(tr, id, j);
                vec![
                    Cell::link(line.title, line.href),
                    Cell::text(line.status),
                    Cell::text(line.at),
                    Cell::text(super::shop_jobs::actor_label(tr, &j.actor)),
                    Cell::text(line.error.unwrap_or(line.summary)),
                ]
            })
            .collect(),
    );
    let mut page = shop_page(ctx, "shops-panel", &c);
    page.notice = notice;
    let reconcile = step(state, ctx, id, JobKind::Reconcile).await?;
    page.refresh = [&check, &import, &opening, &preview, &webhooks, &reconcile]
        .iter()
        .any(|s| s.running);
    let push_state = tr.t(if !c.active {
        "shops-push-off-unused"
    } else if c.first_push_confirmed_at.is_none() {
        "shops-push-off-unconfirmed"
    } else if !c.settings.auto_sync {
        "shops-push-off-auto-sync"
    } else {
        "shops-push-on"
    });
    let p = &view.push;
    let never = || tr.t("shops-never");
    let mut push_figures = vec![
        (tr.t("shops-push-due"), p.due.to_string()),
        (
            tr.t("shops-push-last"),
            p.last_push_at.map(when).unwrap_or_else(never),
        ),
        (
            tr.t("shops-push-last-hour"),
            tr.tn(
                "shops-push-last-hour-value",
                &[("pushes", p.pushes_last_hour), ("calls", p.calls_last_hour)],
            ),
        ),
        (
            tr.t("shops-push-pass"),
            p.pass_at.map(when).unwrap_or_else(never),
        ),
        (
            tr.t("shops-push-reconciled"),
            p.reconciled_at.map(when).unwrap_or_else(never),
        ),
    ];
    if let (Some(limit), Some(used)) = (view.rate_limit, view.rate_used) {
        push_figures.push((
            tr.t("shops-push-budget"),
            tr.ta(
                "shops-push-budget-value",
                &[
                    ("left", &limit.saturating_sub(used).to_string()),
                    ("limit", &limit.to_string()),
                ],
            ),
        ));
    }
    let screen = PanelPage {
        page,
        can_change: ctx.is_owner(),
        alerts,
        problems: view
            .settings_problems
            .iter()
            .map(|e| tr.field_error(e))
            .collect(),
        check,
        import,
        opening,
        preview,
        webhooks,
        offer_backup,
        confirmable,
        hooks,
        recent,
        push_state,
        push_figures,
        reconcile,
        first_push: match c.first_push_confirmed_at {
            Some(at) => tr.t1("shops-first-push-confirmed-at", "at", &when(at)),
            None => tr.t("shops-first-push-not-confirmed"),
        },
        c,
    };
    render(&screen, ctx.lang())
}

/// Query of the panel: `confirmed` after „Потвърди“, `synced` after „Синхронизирай сега“.
#[derive(Debug, Default, Deserialize)]
pub struct PanelQuery {
    confirmed: Option<String>,
    synced: Option<String>,
}

/// `GET /shops/{id}/panel`.
pub async fn panel(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
    Query(q): Query<PanelQuery>,
) -> Result<Html<String>, WebError> {
    let notice = if q.confirmed.is_some() {
        Some(ctx.tr.t("shops-first-push-confirmed"))
    } else {
        q.synced.is_some().then(|| ctx.tr.t("shops-push-synced"))
    };
    show_panel(&state, &ctx, id, Vec::new(), notice).await
}

/// Query of the goods list's chooser: the connection.
#[derive(Debug, Default, Deserialize)]
pub struct ChooserQuery {
    #[serde(default)]
    id: String,
}

/// `GET /shops/panel?id=…`: the goods list's chooser leads to that connection's panel.
pub async fn choose(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChooserQuery>,
) -> Result<Response, WebError> {
    let id: Id =
        q.id.trim()
            .parse()
            .map_err(|_| WebError::NotFound(ctx.shell()))?;
    super::shops::connection(&state, &ctx, id).await?;
    Ok(Redirect::to(&format!("/shops/{id}/panel")).into_response())
}

/// `POST /shops/{id}/jobs`: starts the job `kind` (`dry_run` = `1` for a dry run;
/// members may run what writes nothing, the rest is the owner's — see
/// `JobKind::owner_only`) and leads to its page; a refusal (one already running, no
/// key, settings incomplete) shows the panel with the reason.
pub async fn start(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let kind = JobKind::STARTABLE
        .into_iter()
        .find(|k| k.key() == form.get("kind"))
        .ok_or_else(|| WebError::BadRequest(ctx.shell()))?;
    let dry_run = form.get("dry_run") == "1";
    if kind.owner_only(dry_run) {
        ctx.require_owner()?;
    }
    match state
        .bridge
        .start_job(ctx.firm_id(), id, kind, dry_run, &ctx.user.login)
        .await
    {
        Ok(job) => Ok(Redirect::to(&format!("/shops/{id}/jobs/{}", job.id)).into_response()),
        Err(e) => match sync_alert(ctx.tr, &e) {
            Some(alert) => Ok(show_panel(&state, &ctx, id, vec![alert], None)
                .await?
                .into_response()),
            None => Err(sync_fail(&ctx, e)),
        },
    }
}

/// `POST /shops/{id}/sync-now` (owner): „Синхронизирай сега“ — every linked variant is
/// compared with the warehouse and written where it differs.
pub async fn sync_now(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    ctx.require_owner()?;
    state
        .bridge
        .sync_now(ctx.firm_id(), id)
        .await
        .map_err(|e| sync_fail(&ctx, e))?;
    Ok(Redirect::to(&format!("/shops/{id}/panel?synced=1")).into_response())
}

/// `POST /shops/{id}/first-push/confirm` (owners; `job_id`: the finished preview):
/// records the confirmation, after which automatic synchronisation may be switched on.
pub async fn confirm_first_push(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    ctx.require_owner()?;
    let job_id: Id = form.get("job_id").trim().parse().unwrap_or(0);
    match state
        .bridge
        .confirm_first_push(ctx.firm_id(), id, job_id, &ctx.user.login)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/shops/{id}/panel?confirmed=1")).into_response()),
        Err(sklad_sync::SyncError::Store(sklad_store::StoreError::NotFound { .. })) => {
            // A job id that is not one of this firm's: the same refusal as any other.
            let alert = ctx.tr.t("shops-first-push-preview-required");
            Ok(show_panel(&state, &ctx, id, vec![alert], None)
                .await?
                .into_response())
        }
        Err(e) => match sync_alert(ctx.tr, &e) {
            Some(alert) => Ok(show_panel(&state, &ctx, id, vec![alert], None)
                .await?
                .into_response()),
            None => Err(sync_fail(&ctx, e)),
        },
    }
}
