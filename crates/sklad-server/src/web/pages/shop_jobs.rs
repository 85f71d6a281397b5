//! A job of a connection, `/shops/{id}/jobs/{job_id}` (SPEC K1, K2, X4): its status
//! and progress (rows read of the total, pages, elapsed time), reloading itself every
//! two seconds while it runs (no script), „Откажи“; once done the summary counts at
//! the top, filters by status and a paged table of the result rows — the shop's SKU,
//! barcode, name, price and quantity beside the good's code, name, price and what is
//! available — and the rows as CSV (`rows.csv`, with the session). A reload shows the
//! same job. Also the sync journal of the connection, `/shops/{id}/journal` (SPEC X3).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sklad_domain::money::format_bg;
use sklad_domain::{Currency, Id, Money, Quantity};
use sklad_store::shops::{JobRow, ShopConnection, ShopJob, MAX_JOB_ROWS_PAGE};
use sklad_store::Paging;
use sklad_sync::{csv, JobKind};

use super::shop_panel::summary_sentence;
use super::shops::{
    connection, findings_of, job_status_label, job_title, shop_page, Finding, PathIds,
};
use crate::web::error::{render, WebError};
use crate::web::i18n::Tr;
use crate::web::layout::Page;
use crate::web::screens::RecordList;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::when;
use crate::web::view::{self, query_string, Cell, FilterForm, Pager, Table};
use crate::AppState;

/// Result rows on one page of the job's table.
const ROWS_PER_PAGE: i64 = 50;
/// Journal entries on one page.
const JOURNAL_PER_PAGE: i64 = 50;

/// The order the summary counts are shown in: synchronised first, problems after;
/// an unknown status last.
const ROW_STATUS_ORDER: [&str; 27] = [
    "linked",
    "matched",
    "new_in_shop",
    "only_in_warehouse",
    "sku_missing",
    "sku_invalid",
    "duplicate_sku",
    "duplicate_barcode",
    "clash",
    "ambiguous",
    "name_missing",
    "create",
    "update",
    "link",
    "unchanged",
    "skip",
    "failed",
    "set",
    "same",
    "up",
    "down",
    "unlimited",
    "negative",
    "excluded",
    "service",
    "not_stocked",
    "repair",
];

fn status_rank(status: &str) -> usize {
    ROW_STATUS_ORDER
        .iter()
        .position(|s| *s == status)
        .unwrap_or(ROW_STATUS_ORDER.len())
}

/// Who did it: a login, or „Системата“ / „Команден ред“.
pub fn actor_label(tr: Tr, actor: &str) -> String {
    match actor {
        "system" | "cli" => tr.keyed("shops-actor", actor),
        other => other.to_owned(),
    }
}

/// A status of a result row in the user's language („Вече синхронизиран“ …).
pub fn row_status_label(tr: Tr, status: &str) -> String {
    tr.keyed("shops-row", status)
}

/// Why a row was skipped or refused, in the user's language.
fn reason_label(tr: Tr, reason: &str) -> String {
    let id = format!("shops-row-{}", reason.replace('_', "-"));
    let own = format!("shops-reason-{}", reason.replace('_', "-"));
    if tr.has(&id) {
        tr.t(&id)
    } else if tr.has(&own) {
        tr.t(&own)
    } else {
        tr.t1("shops-reason-other", "code", reason)
    }
}

/// The row's note: its warning and its reason.
fn row_note(tr: Tr, row: &JobRow) -> String {
    let mut parts = Vec::new();
    if let Some(w) = &row.warning {
        parts.push(tr.keyed("shops-warning", w));
    }
    if let Some(r) = &row.reason {
        parts.push(format!("{} {}", tr.t("shops-reason"), reason_label(tr, r)));
    }
    parts.join(" · ")
}

/// Money of the shop's currency as the pages show it: `12,90 €`.
fn money(minor: Option<i64>, currency: Currency) -> String {
    minor
        .map(|m| format_bg(Money::new(m, currency)))
        .unwrap_or_default()
}

/// A quantity in thousandths as the pages show it: `1,5`.
fn quantity(milli: Option<i64>) -> String {
    milli
        .map(|q| super::stock::quantity(Quantity(q)))
        .unwrap_or_default()
}

fn shop_quantity(tr: Tr, row: &JobRow) -> String {
    if row.shop_unlimited {
        tr.t("shops-unlimited")
    } else {
        quantity(row.shop_quantity)
    }
}

/// A job of the connection `id` (404 for another connection's or firm's).
async fn job_of(state: &AppState, ctx: &Ctx, id: Id, job_id: Id) -> Result<ShopJob, WebError> {
    let job = state
        .store
        .shop_job(ctx.firm_id(), job_id)
        .await
        .map_err(|e| ctx.fail(e))?;
    if job.connection_id != id {
        return Err(WebError::NotFound(ctx.shell()));
    }
    Ok(job)
}

/// One of the summary counts, a link filtering the table by it.
struct CountLink {
    label: String,
    count: i64,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "shop_job.html")]
struct JobPage {
    page: Page,
    c: ShopConnection,
    job: ShopJob,
    can_change: bool,
    running: bool,
    status: String,
    progress: Vec<(String, String)>,
    error: Option<String>,
    summary: String,
    figures: Vec<(String, String)>,
    problems: Vec<Finding>,
    warnings: Vec<Finding>,
    counts: Vec<CountLink>,
    all_href: String,
    filtered: bool,
    table: Table,
    pager: Option<Pager>,
    csv_href: String,
    confirmable: bool,
    /// A newer run of the same kind, which took over the result rows.
    newer: Option<String>,
}

/// Query of the job page and its CSV: a status filter and the page.
#[derive(Debug, Default, Deserialize)]
pub struct JobQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
}

impl JobQuery {
    fn status(&self) -> Option<&str> {
        Some(self.status.trim()).filter(|s| !s.is_empty())
    }
}

/// `3 мин 05 сек`.
fn elapsed(tr: Tr, seconds: i64) -> String {
    let seconds = seconds.max(0);
    tr.ta(
        "shops-elapsed",
        &[
            ("min", &(seconds / 60).to_string()),
            ("sec", &format!("{:02}", seconds % 60)),
        ],
    )
}

fn progress_of(tr: Tr, job: &ShopJob, now: jiff::Timestamp) -> Vec<(String, String)> {
    let p = &job.progress;
    let mut out = Vec::new();
    if !p.stage.is_empty() && !job.finished() {
        out.push((tr.t("shops-stage"), tr.keyed("shops-stage", &p.stage)));
    }
    let read = match p.total {
        Some(total) => tr.ta(
            "shops-read-of",
            &[("read", &p.read.to_string()), ("total", &total.to_string())],
        ),
        None => p.read.to_string(),
    };
    out.push((tr.t("shops-read"), read));
    out.push((tr.t("shops-pages"), p.pages.to_string()));
    if p.written > 0 {
        out.push((tr.t("shops-written"), p.written.to_string()));
    }
    out.push((tr.t("shops-started"), when(job.created_at)));
    if let Some(started) = job.started_at {
        let end = job.finished_at.unwrap_or(now);
        out.push((
            tr.t("shops-elapsed-label"),
            elapsed(tr, end.duration_since(started).as_secs()),
        ));
    }
    if let Some(finished) = job.finished_at {
        out.push((tr.t("shops-finished"), when(finished)));
    }
    out.push((tr.t("shops-who"), actor_label(tr, &job.actor)));
    out
}

/// What the summary of a job carries besides its rows: the test's figures, the
/// webhooks' actions.
fn figures_of(tr: Tr, job: &ShopJob) -> Vec<(String, String)> {
    let Some(s) = job.summary.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match JobKind::from_key(&job.kind) {
        Some(JobKind::Test) => {
            for (key, label) in [
                ("products", "shops-test-products"),
                ("variants", "shops-test-variants"),
                ("payment_methods", "shops-test-payment-methods"),
            ] {
                if let Some(n) = s.get(key).and_then(Value::as_i64) {
                    out.push((tr.t(label), n.to_string()));
                }
            }
            if let Some(code) = s.get("currency").and_then(Value::as_str) {
                out.push((tr.t("shops-currency"), code.to_owned()));
            }
            if let Some(code) = s.get("order_currency").and_then(Value::as_str) {
                out.push((tr.t("shops-test-order-currency"), code.to_owned()));
            }
        }
        Some(JobKind::Webhooks) | Some(JobKind::Watchdog) => {
            if let Some(events) = s.get("events").and_then(Value::as_object) {
                for (event, action) in events {
                    let action = action.as_str().unwrap_or_default();
                    out.push((
                        format!("{} ({event})", tr.keyed("shops-event", event)),
                        tr.keyed("shops-hook-action", action),
                    ));
                }
            }
        }
        Some(JobKind::Check) | Some(JobKind::PushPreview) => {
            if let Some(group) = s.get("price_group").and_then(Value::as_str) {
                if let Some(g) = sklad_domain::PriceGroup::from_key(group) {
                    out.push((
                        tr.t("shops-price-group"),
                        crate::web::labels::price_group(tr.lang(), g),
                    ));
                }
            }
            for (key, label) in [
                ("price_differences", "shops-price-differences"),
                ("quantity_differences", "shops-quantity-differences"),
            ] {
                if let Some(n) = s.get(key).and_then(Value::as_i64) {
                    out.push((tr.t(label), n.to_string()));
                }
            }
        }
        _ => {}
    }
    out
}

/// The result rows' table.
fn rows_table(tr: Tr, c: &ShopConnection, rows: &[JobRow]) -> Table {
    let currency = c.currency;
    Table::new(
        tr,
        "job-rows",
        &[
            ("shops-col-no", true),
            ("shops-col-status", false),
            ("shops-col-sku", false),
            ("shops-col-barcode", false),
            ("shops-col-shop-name", false),
            ("shops-col-shop-price", true),
            ("shops-col-shop-quantity", true),
            ("shops-col-good-code", false),
            ("shops-col-good-name", false),
            ("shops-col-good-price", true),
            ("shops-col-good-quantity", true),
            ("shops-col-note", false),
        ],
        rows.iter()
            .map(|r| {
                vec![
                    Cell::num(r.row_no.to_string()),
                    Cell::text(row_status_label(tr, &r.status)),
                    Cell::text(r.sku.clone().unwrap_or_default()),
                    Cell::text(r.barcode.clone().unwrap_or_default()),
                    Cell::text(r.name.clone().unwrap_or_default()),
                    Cell::num(money(r.shop_price, currency)),
                    Cell::num(shop_quantity(tr, r)),
                    match (r.good_id, &r.good_code) {
                        (Some(id), Some(code)) => Cell::link(code, format!("/goods/{id}")),
                        (_, code) => Cell::text(code.clone().unwrap_or_default()),
                    },
                    Cell::text(r.good_name.clone().unwrap_or_default()),
                    Cell::num(money(r.firm_price, currency)),
                    Cell::num(quantity(r.firm_quantity)),
                    Cell::text(row_note(tr, r)),
                ]
            })
            .collect(),
    )
}

/// `GET /shops/{id}/jobs/{job_id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIds(id, job_id): PathIds,
    Query(q): Query<JobQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let c = connection(&state, &ctx, id).await?;
    let job = job_of(&state, &ctx, id, job_id).await?;
    let store = &state.store;
    let base = format!("/shops/{id}/jobs/{job_id}");
    let status_filter = q.status();
    let mut counts = store
        .shop_job_row_counts(ctx.firm_id(), job_id)
        .await
        .map_err(|e| ctx.fail(e))?;
    counts.sort_by_key(|(status, _)| status_rank(status));
    let page_no = view::page_number(&q.page);
    let rows = store
        .shop_job_rows(
            ctx.firm_id(),
            job_id,
            status_filter,
            view::page_paging(page_no, ROWS_PER_PAGE),
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let asked = FilterForm::new(tr, &[("status", status_filter.unwrap_or_default())]);
    let has_rows = !counts.is_empty();
    let summary = job.summary.clone().unwrap_or_default();
    let running = !job.finished();
    // Only the latest finished run of a kind keeps its rows (the store drops older ones).
    let newer = if has_rows || running {
        None
    } else {
        store
            .latest_shop_job(ctx.firm_id(), id, &job.kind, true)
            .await
            .map_err(|e| ctx.fail(e))?
            .filter(|latest| latest.id > job.id)
            .map(|latest| format!("/shops/{id}/jobs/{}", latest.id))
    };
    let mut page = shop_page(&ctx, "shops-job-page", &c);
    page.title = format!("{} — {}", job_title(tr, &job), c.name);
    page.refresh = running;
    let screen = JobPage {
        can_change: ctx.is_owner()
            || JobKind::from_key(&job.kind).is_some_and(|k| !k.owner_only(job.dry_run)),
        running,
        status: job_status_label(tr, &job.status),
        progress: progress_of(tr, &job, state.clock.now()),
        error: job
            .error
            .as_ref()
            .map(|e| tr.pick(&e.message_bg, &e.message_en).to_owned()),
        summary: summary_sentence(tr, &job),
        figures: figures_of(tr, &job),
        problems: findings_of(tr, &summary, "problems"),
        warnings: findings_of(tr, &summary, "warnings"),
        counts: counts
            .iter()
            .map(|(status, count)| CountLink {
                label: row_status_label(tr, status),
                count: *count,
                href: format!("{base}?{}", query_string(&[("status", status)])),
                current: status_filter == Some(status.as_str()),
            })
            .collect(),
        all_href: base.clone(),
        filtered: status_filter.is_some(),
        table: rows_table(tr, &c, &rows.items),
        pager: has_rows.then(|| asked.pager(&base, page_no, ROWS_PER_PAGE, rows.total)),
        csv_href: match status_filter {
            Some(s) => format!("{base}/rows.csv?{}", query_string(&[("status", s)])),
            None => format!("{base}/rows.csv"),
        },
        confirmable: job.kind == JobKind::PushPreview.key()
            && job.status == "done"
            && ctx.is_owner(),
        newer,
        page,
        c,
        job,
    };
    render(&screen, ctx.lang())
}

/// `POST /shops/{id}/jobs/{job_id}/cancel` (whoever may start it): „Откажи“ — a queued
/// job stops at once, a running one at its next step.
pub async fn cancel(
    State(state): State<AppState>,
    PathIds(id, job_id): PathIds,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    let job = job_of(&state, &ctx, id, job_id).await?;
    if JobKind::from_key(&job.kind).is_none_or(|k| k.owner_only(job.dry_run)) {
        ctx.require_owner()?;
    }
    state
        .store
        .cancel_shop_job(ctx.firm_id(), job_id)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to(&format!("/shops/{id}/jobs/{job_id}")).into_response())
}

/// `GET /shops/{id}/jobs/{job_id}/rows.csv[?status=…]`: every result row (of one
/// status) as CSV, UTF-8 with a byte-order mark so spreadsheets read the Cyrillic;
/// headers in the user's language, the status both as its stable key and its label.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIds(id, job_id): PathIds,
    Query(q): Query<JobQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr;
    connection(&state, &ctx, id).await?;
    let job = job_of(&state, &ctx, id, job_id).await?;
    let mut out = String::from("\u{feff}");
    let headers = [
        "shops-col-no",
        "shops-col-status-key",
        "shops-col-status",
        "shops-col-product-id",
        "shops-col-variant-id",
        "shops-col-sku",
        "shops-col-barcode",
        "shops-col-shop-name",
        "shops-col-shop-price",
        "shops-col-shop-quantity",
        "shops-col-good-code",
        "shops-col-good-name",
        "shops-col-good-price",
        "shops-col-good-quantity",
        "shops-col-warning",
        "shops-col-reason",
    ];
    let titles: Vec<String> = headers.iter().map(|h| csv::field(&tr.t(h))).collect();
    out.push_str(&csv::record(&titles));
    let mut offset = 0;
    loop {
        let rows = state
            .store
            .shop_job_rows(
                ctx.firm_id(),
                job_id,
                q.status(),
                Paging {
                    limit: MAX_JOB_ROWS_PAGE,
                    offset,
                },
            )
            .await
            .map_err(|e| ctx.fail(e))?;
        for r in &rows.items {
            let quantity = if r.shop_unlimited {
                tr.t("shops-unlimited")
            } else {
                csv::quantity(r.shop_quantity)
            };
            let fields = [
                r.row_no.to_string(),
                r.status.clone(),
                row_status_label(tr, &r.status),
                r.shop_product_id.clone().unwrap_or_default(),
                r.shop_variant_id.clone().unwrap_or_default(),
                r.sku.clone().unwrap_or_default(),
                r.barcode.clone().unwrap_or_default(),
                r.name.clone().unwrap_or_default(),
                csv::money(r.shop_price),
                quantity,
                r.good_code.clone().unwrap_or_default(),
                r.good_name.clone().unwrap_or_default(),
                csv::money(r.firm_price),
                csv::quantity(r.firm_quantity),
                r.warning
                    .as_deref()
                    .map(|w| tr.keyed("shops-warning", w))
                    .unwrap_or_default(),
                r.reason
                    .as_deref()
                    .map(|w| reason_label(tr, w))
                    .unwrap_or_default(),
            ];
            let cells: Vec<String> = fields.iter().map(|f| csv::field(f)).collect();
            out.push_str(&csv::record(&cells));
        }
        offset += rows.items.len() as i64;
        if rows.items.is_empty() || offset >= rows.total {
            break;
        }
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let filename = format!("sklad-shop-{id}-{}-{job_id}.csv", job.kind);
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok((headers, out).into_response())
}

/// Query of the journal: the page.
#[derive(Debug, Default, Deserialize)]
pub struct JournalQuery {
    #[serde(default)]
    page: String,
}

/// `GET /shops/{id}/journal`: the connection's sync journal, newest first: who, when,
/// what, the outcome and the message in the user's language.
pub async fn journal(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
    Query(q): Query<JournalQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let c = connection(&state, &ctx, id).await?;
    let page_no = view::page_number(&q.page);
    let entries = state
        .store
        .shop_journal(
            ctx.firm_id(),
            Some(id),
            view::page_paging(page_no, JOURNAL_PER_PAGE),
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let table = Table::new(
        tr,
        "journal",
        &[
            ("shops-when", false),
            ("shops-who", false),
            ("shops-action", false),
            ("shops-outcome", false),
            ("shops-message", false),
        ],
        entries
            .items
            .iter()
            .map(|e| {
                vec![
                    Cell::text(when(e.at)),
                    Cell::text(actor_label(tr, &e.actor)),
                    Cell::text(tr.keyed("shops-action", &e.action)),
                    Cell::text(tr.keyed("shops-outcome", &e.outcome)),
                    Cell::text(tr.pick(&e.message_bg, &e.message_en)),
                ]
            })
            .collect(),
    );
    let base = format!("/shops/{id}/journal");
    let pager = Pager::new(tr, &base, "", page_no, JOURNAL_PER_PAGE, entries.total);
    let page = shop_page(&ctx, "shops-journal", &c);
    let mut screen = RecordList::paged(page, Vec::new(), None, table, pager);
    screen.intro = Some(tr.t("shops-journal-intro"));
    render(&screen, ctx.lang())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn quantities_and_money_show_as_elsewhere_in_the_ui() {
        assert_eq!(quantity(Some(1500)), "1,5");
        assert_eq!(money(Some(1290), Currency::Eur), "12,90\u{a0}€");
    }

    #[test]
    fn every_key_the_bridge_writes_has_a_label_in_both_languages() {
        use sklad_domain::shop::CheckStatus;
        let row_statuses: Vec<&str> = ROW_STATUS_ORDER.to_vec();
        for status in CheckStatus::ALL {
            assert!(ROW_STATUS_ORDER.contains(&status.key()), "{status:?}");
        }
        let stages = [
            "contacting_shop",
            "counting",
            "reading_products",
            "reading_variants",
            "matching",
            "writing_rows",
            "planning",
            "importing",
            "comparing",
            "writing_stock_taking",
            "reading_webhooks",
            "repairing",
        ];
        let actions = [
            "connection_created",
            "connection_changed",
            "connection_deleted",
            "settings_saved",
            "special_goods",
            "first_push_confirmed",
            "link_sync_excluded",
            "test",
            "check",
            "import",
            "opening_stock",
            "push_preview",
            "webhooks",
            "watchdog",
            "reconcile",
            "link_retired",
            "push",
            "shop_edit",
            "hook_refused",
            "order",
        ];
        let mut wanted: Vec<String> = Vec::new();
        let id = |prefix: &str, key: &str| format!("{prefix}-{}", key.replace(['_', '.'], "-"));
        wanted.extend(row_statuses.iter().map(|k| id("shops-row", k)));
        wanted.extend(stages.iter().map(|k| id("shops-stage", k)));
        wanted.extend(actions.iter().map(|k| id("shops-action", k)));
        wanted.extend(JobKind::ALL.iter().map(|k| id("shops-job", k.key())));
        wanted.extend(
            ["queued", "running", "done", "failed", "cancelled"]
                .iter()
                .map(|k| id("shops-job-status", k)),
        );
        wanted.extend(
            ["ok", "warning", "error"]
                .iter()
                .map(|k| id("shops-outcome", k)),
        );
        wanted.extend(
            sklad_sync::hooks::EVENTS
                .iter()
                .map(|k| id("shops-event", k)),
        );
        wanted.extend(
            [
                "ok",
                "created",
                "recreated",
                "re_enabled",
                "headers_restored",
            ]
            .iter()
            .map(|k| id("shops-hook-action", k)),
        );
        wanted.extend(
            ["description_missing", "barcode_invalid"]
                .iter()
                .map(|k| id("shops-warning", k)),
        );
        wanted.extend(
            [
                "code_duplicate",
                "barcode_duplicate",
                "variant_linked_elsewhere",
            ]
            .iter()
            .map(|k| id("shops-reason", k)),
        );
        wanted.extend(["system", "cli"].iter().map(|k| id("shops-actor", k)));
        for lang in Lang::ALL {
            let tr = Tr::new(lang);
            let missing: Vec<&String> = wanted.iter().filter(|w| !tr.has(w)).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        }
    }
}
