//! Администриране → Връзка с ел. магазини (SPEC C1, S4, P1–P3): the firm's e-shop
//! connections, „Нова връзка“ and its edit form, and one connection's page with
//! „Провери връзката“, the last test's findings (each with its fix) and the reminder
//! about the shop's cart setting. The settings, the CloudCart control panel, the jobs
//! and the journal are the neighbouring `shop_*` modules; what they share is here.
//!
//! Everyone of the firm may look; only its owner changes a connection or starts an
//! action (as the users and backup pages refuse operators). The API key is a password
//! input that is never filled in: after saving only its last four characters show.

use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{Currency, Id, ValidationErrors};
use sklad_store::shops::{ShopConnection, ShopJob};
use sklad_store::StoreError;
use sklad_sync::{JobKind, SyncError};

use crate::web::crud;
use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::i18n::Tr;
use crate::web::labels;
use crate::web::layout::Page;
use crate::web::screens::RecordList;
use crate::web::session::{Ctx, PathId, Posted};
use crate::web::view::{when, Cell, Field, Fields, Table};
use crate::AppState;

// ---------------------------------------------------------------------------------
// What the shop pages share.

/// The connection `id` of the signed-in firm (404 for another firm's).
pub async fn connection(state: &AppState, ctx: &Ctx, id: Id) -> Result<ShopConnection, WebError> {
    state
        .store
        .shop_connection(ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))
}

/// A bridge failure as the error page (a store failure as every page shows it).
pub fn sync_fail(ctx: &Ctx, error: SyncError) -> WebError {
    match error {
        SyncError::Store(e) => ctx.fail(e),
        other => {
            tracing::warn!(
                code = other.code(),
                "a shop page failed: {}",
                other.message_en()
            );
            WebError::Internal(ctx.shell())
        }
    }
}

/// What the merchant can act on in a refused action (a validation error, a missing or
/// unreadable API key), in the user's language; `None` for a failure on our side.
pub fn sync_alert(tr: Tr, error: &SyncError) -> Option<String> {
    match error {
        SyncError::Store(StoreError::Validation(_)) | SyncError::NoKey | SyncError::Secret(_) => {
            Some(tr.pick(&error.message_bg(), &error.message_en()).to_owned())
        }
        _ => None,
    }
}

/// The API key as the pages show it: `••••K3Y9`, or that none is stored.
pub fn key_shown(tr: Tr, c: &ShopConnection) -> String {
    match &c.api_key_last4 {
        Some(last4) => format!("••••{last4}"),
        None => tr.t("shops-key-missing"),
    }
}

/// „Използва се“ / „Не се използва“.
pub fn status_label(tr: Tr, active: bool) -> String {
    tr.t(if active {
        "shops-in-use"
    } else {
        "shops-not-in-use"
    })
}

/// The name of a job kind (`check` → „Провери съответствието“).
pub fn kind_label(tr: Tr, kind: &str) -> String {
    tr.keyed("shops-job", kind)
}

/// The name of a job's status (`running` → „Изпълнява се“).
pub fn job_status_label(tr: Tr, status: &str) -> String {
    tr.keyed("shops-job-status", status)
}

/// A job's name with „пробно“ for a dry run.
pub fn job_title(tr: Tr, job: &ShopJob) -> String {
    let kind = kind_label(tr, &job.kind);
    if job.dry_run {
        format!("{kind} ({})", tr.t("shops-dry-run"))
    } else {
        kind
    }
}

/// The page of a connection's screen titled `{title} — {connection}`, the menu on
/// Връзка с ел. магазини.
pub fn shop_page(ctx: &Ctx, title_key: &str, c: &ShopConnection) -> Page {
    let mut page = ctx.page(title_key);
    page.title = format!("{} — {}", page.title, c.name);
    page.path = "/shops".into();
    page
}

/// A text of the two a summary carries (`message_bg` / `message_en`).
pub fn text_of(tr: Tr, value: &Value, bg: &str, en: &str) -> String {
    let pick = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or_default();
    tr.pick(pick(bg), pick(en)).to_owned()
}

/// Two ids from the path (`/shops/{id}/jobs/{job_id}`); anything else is "not found".
pub struct PathIds(pub Id, pub Id);

impl FromRequestParts<AppState> for PathIds {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        match axum::extract::Path::<(Id, Id)>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path((a, b))) => Ok(PathIds(a, b)),
            Err(_) => {
                let ctx = Ctx::from_request_parts(parts, state).await?;
                Err(WebError::NotFound(ctx.shell()))
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The list.

/// Query of the list: `saved` or `deleted` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
    deleted: Option<String>,
}

/// The last test of a connection in one line.
fn test_line(tr: Tr, job: Option<&ShopJob>) -> String {
    let Some(job) = job else {
        return tr.t("shops-test-never");
    };
    let at = when(job.finished_at.unwrap_or(job.created_at));
    let what = match job.status.as_str() {
        "queued" | "running" => return tr.t("shops-test-running"),
        "done" => {
            let summary = job.summary.clone().unwrap_or_default();
            if summary.get("ok").and_then(Value::as_bool) == Some(true) {
                tr.t("shops-test-ok")
            } else {
                let first = summary
                    .get("problems")
                    .and_then(Value::as_array)
                    .and_then(|p| p.first())
                    .map(|p| text_of(tr, p, "message_bg", "message_en"))
                    .unwrap_or_default();
                format!("{} {first}", tr.t("shops-test-problems"))
            }
        }
        "failed" => match &job.error {
            Some(e) => tr.pick(&e.message_bg, &e.message_en).to_owned(),
            None => job_status_label(tr, "failed"),
        },
        other => job_status_label(tr, other),
    };
    format!("{what} ({at})")
}

/// `GET /shops`: the firm's connections and „Нова връзка“ (owners).
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let store = &state.store;
    let connections = store
        .shop_connections(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut rows = Vec::with_capacity(connections.len());
    for c in &connections {
        let last = store
            .latest_shop_job(ctx.firm_id(), c.id, JobKind::Test.key(), false)
            .await
            .map_err(|e| ctx.fail(e))?;
        rows.push(vec![
            Cell::link(&c.name, format!("/shops/{}", c.id)),
            Cell::text(&c.shop_url),
            Cell::text(status_label(tr, c.active)),
            Cell::text(key_shown(tr, c)),
            Cell::text(test_line(tr, last.as_ref())),
            Cell::link(tr.t("shops-panel"), format!("/shops/{}/panel", c.id)),
            Cell::link(
                tr.t("shops-orders-title"),
                format!("/shops/{}/orders", c.id),
            ),
        ]);
    }
    let table = Table::new(
        tr,
        "shops",
        &[
            ("shops-name", false),
            ("shops-url", false),
            ("shops-status", false),
            ("shops-api-key", false),
            ("shops-last-test", false),
            ("actions", false),
            ("shops-orders-column", false),
        ],
        rows,
    );
    let mut page = crud::list_page(&ctx, "shops-title", q.saved.is_some());
    if q.deleted.is_some() {
        page.notice = Some(tr.t("shops-deleted"));
    }
    let new = ctx
        .is_owner()
        .then(|| ("/shops/new".to_owned(), tr.t("shops-new")));
    let mut screen = RecordList::simple(page, new, table);
    if !connections.is_empty() {
        let label = match ctx.attention {
            0 => tr.t("attention-title"),
            n => tr.t1("attention-badge", "count", &n.to_string()),
        };
        screen
            .links
            .push(("/shops/attention".to_owned(), label, "shops_attention"));
    }
    screen.intro = Some(tr.t(if connections.is_empty() {
        "shops-empty"
    } else {
        "shops-intro"
    }));
    render(&screen, ctx.lang())
}

// ---------------------------------------------------------------------------------
// „Нова връзка“ and its edit form.

#[derive(Template)]
#[template(path = "shop_form.html")]
struct ShopForm {
    page: Page,
    action: String,
    back: String,
    alerts: Vec<String>,
    fields: Vec<Field>,
}

const IN_USE: &str = "in_use";
const NOT_IN_USE: &str = "not_in_use";
const CURRENCY_AUTO: &str = "auto";

fn blank_form() -> FormData {
    let mut form = FormData::default();
    form.set("name", "CloudCart");
    form.set("kind", sklad_store::shops::KIND_CLOUDCART);
    form.set("active", IN_USE);
    form.set("currency", CURRENCY_AUTO);
    form.set_checked("prices_with_vat", true);
    form
}

fn form_of(c: &ShopConnection) -> FormData {
    let mut form = FormData::default();
    form.set("name", &c.name);
    form.set("kind", &c.kind);
    form.set("shop_url", &c.shop_url);
    form.set("active", if c.active { IN_USE } else { NOT_IN_USE });
    form.set(
        "currency",
        if c.currency_auto {
            CURRENCY_AUTO
        } else {
            c.currency.code()
        },
    );
    form.set_checked("prices_with_vat", c.prices_with_vat);
    form
}

/// Reads the form; a choice that was not offered is refused; then the domain's checks
/// (a new connection needs a key), so every error shows at once.
fn input_of(form: &FormData, new: bool) -> Result<ConnectionInput, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if form.get("kind") != sklad_store::shops::KIND_CLOUDCART {
        errors.push(labels::invalid_choice("kind"));
    }
    let active = match form.get("active") {
        IN_USE => true,
        NOT_IN_USE => false,
        _ => {
            errors.push(labels::invalid_choice("active"));
            false
        }
    };
    let currency = match form.get("currency") {
        CURRENCY_AUTO => None,
        code => match Currency::parse(code) {
            Some(c) => Some(c),
            None => {
                errors.push(labels::invalid_choice("currency"));
                None
            }
        },
    };
    let input = ConnectionInput {
        name: form.get("name").to_owned(),
        shop_url: form.get("shop_url").to_owned(),
        api_key: form.opt("api_key"),
        active,
        currency,
        prices_with_vat: form.checked("prices_with_vat"),
    };
    crud::with_domain_checks(errors, input, |i| i.validate(new))
}

/// The connection form; `stored` is the connection being edited.
fn show_form(
    ctx: &Ctx,
    stored: Option<&ShopConnection>,
    form: &FormData,
    errors: &FormErrors,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let mut fields = Fields::new(tr, form, errors, "shop-");
    fields
        .text("name", "shops-name", true)
        .hint(tr.t("shops-name-hint"))
        .select(
            "kind",
            "shops-kind",
            vec![(
                sklad_store::shops::KIND_CLOUDCART.to_owned(),
                tr.t("shops-kind-cloudcart"),
            )],
        )
        .text("shop_url", "shops-url", true)
        .hint(tr.t("shops-url-hint"))
        .input("api_key", "shops-api-key", "password");
    let key_hint = match stored {
        Some(c) => match &c.api_key_last4 {
            Some(last4) => tr.t1("shops-api-key-keep", "last4", last4),
            None => tr.t("shops-key-missing"),
        },
        None => tr.t("shops-api-key-hint"),
    };
    fields
        .hint(key_hint)
        .select(
            "active",
            "shops-status",
            vec![
                (IN_USE.to_owned(), tr.t("shops-in-use")),
                (NOT_IN_USE.to_owned(), tr.t("shops-not-in-use")),
            ],
        )
        .hint(tr.t("shops-status-hint"))
        .select(
            "currency",
            "shops-currency",
            vec![
                (CURRENCY_AUTO.to_owned(), tr.t("shops-currency-auto")),
                ("BGN".to_owned(), "BGN (лв)".to_owned()),
                ("EUR".to_owned(), "EUR (€)".to_owned()),
            ],
        )
        .hint(tr.t("shops-currency-hint"))
        .checkbox("prices_with_vat", "shops-prices-with-vat")
        .hint(tr.t("shops-prices-with-vat-hint"));
    let mut alerts = errors.alerts(&fields.names());
    if !alerts.is_empty() && form.opt("api_key").is_some() {
        alerts.push(tr.t("shops-api-key-again"));
    }
    let (page, action, back) = match stored {
        Some(c) => (
            shop_page(ctx, "shops-edit", c),
            format!("/shops/{}/edit", c.id),
            format!("/shops/{}", c.id),
        ),
        None => {
            let mut page = ctx.page("shops-new-title");
            page.path = "/shops".into();
            (page, "/shops/new".to_owned(), "/shops".to_owned())
        }
    };
    let screen = ShopForm {
        page,
        action,
        back,
        alerts,
        fields: fields.done(),
    };
    render(&screen, ctx.lang())
}

/// The end of a connection form post: to the connection's page when stored, the form
/// again with the errors beside their fields when refused.
fn saved_or_form(
    ctx: &Ctx,
    stored: Option<&ShopConnection>,
    form: &FormData,
    result: Result<ShopConnection, SyncError>,
) -> Result<Response, WebError> {
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/shops/{}?saved=1", c.id)).into_response()),
        Err(SyncError::Store(StoreError::Validation(errors))) => {
            let errors = FormErrors::new(ctx.tr, errors.errors);
            Ok(show_form(ctx, stored, form, &errors)?.into_response())
        }
        Err(other) => Err(sync_fail(ctx, other)),
    }
}

/// `GET /shops/new` (owners).
pub async fn new(ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require_owner()?;
    show_form(&ctx, None, &blank_form(), &FormErrors::none(ctx.tr))
}

/// `POST /shops/new` (owners): creates the connection (its key sealed by the bridge)
/// and queues its first test.
pub async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    ctx.require_owner()?;
    let result = match input_of(&form, true) {
        Ok(input) => {
            state
                .bridge
                .create_connection(ctx.firm_id(), &input, &ctx.user.login)
                .await
        }
        Err(errors) => Err(StoreError::Validation(errors).into()),
    };
    saved_or_form(&ctx, None, &form, result)
}

/// `GET /shops/{id}/edit` (owners).
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
) -> Result<Html<String>, WebError> {
    ctx.require_owner()?;
    let c = connection(&state, &ctx, id).await?;
    show_form(&ctx, Some(&c), &form_of(&c), &FormErrors::none(ctx.tr))
}

/// `POST /shops/{id}/edit` (owners): a blank key keeps the stored one.
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    ctx.require_owner()?;
    let c = connection(&state, &ctx, id).await?;
    let result = match input_of(&form, false) {
        Ok(input) => {
            state
                .bridge
                .update_connection(ctx.firm_id(), id, &input, &ctx.user.login)
                .await
        }
        Err(errors) => Err(StoreError::Validation(errors).into()),
    };
    saved_or_form(&ctx, Some(&c), &form, result)
}

// ---------------------------------------------------------------------------------
// The connection's page.

/// A problem or warning of the test, with its fix.
pub struct Finding {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
}

/// The last test as the page shows it.
struct TestResult {
    /// `none`, `running`, `ok`, `problems`, `failed`, `cancelled` (a CSS hook too).
    state: &'static str,
    headline: String,
    at: String,
    problems: Vec<Finding>,
    warnings: Vec<Finding>,
    figures: Vec<(String, String)>,
    job_href: Option<String>,
}

/// The findings (`problems` or `warnings`) of a test's summary.
pub fn findings_of(tr: Tr, summary: &Value, key: &str) -> Vec<Finding> {
    summary
        .get(key)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|f| Finding {
                    message: text_of(tr, f, "message_bg", "message_en"),
                    fix: text_of(tr, f, "fix_bg", "fix_en"),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn test_result(tr: Tr, c: &ShopConnection, job: Option<&ShopJob>) -> TestResult {
    let mut result = TestResult {
        state: "none",
        headline: tr.t("shops-test-never"),
        at: String::new(),
        problems: Vec::new(),
        warnings: Vec::new(),
        figures: Vec::new(),
        job_href: None,
    };
    let Some(job) = job else {
        return result;
    };
    result.job_href = Some(format!("/shops/{}/jobs/{}", c.id, job.id));
    result.at = when(job.finished_at.unwrap_or(job.created_at));
    match job.status.as_str() {
        "queued" | "running" => {
            result.state = "running";
            result.headline = tr.t("shops-test-running");
        }
        "done" => {
            let summary = job.summary.clone().unwrap_or_default();
            result.problems = findings_of(tr, &summary, "problems");
            result.warnings = findings_of(tr, &summary, "warnings");
            let ok = summary.get("ok").and_then(Value::as_bool) == Some(true);
            result.state = if ok { "ok" } else { "problems" };
            result.headline = tr.t(if ok {
                "shops-test-ok"
            } else {
                "shops-test-problems"
            });
            let number = |k: &str| summary.get(k).and_then(Value::as_i64);
            if let Some(n) = number("products") {
                result
                    .figures
                    .push((tr.t("shops-test-products"), n.to_string()));
            }
            if let Some(n) = number("variants") {
                result
                    .figures
                    .push((tr.t("shops-test-variants"), n.to_string()));
            }
            if ok {
                if let Some(n) = number("payment_methods") {
                    result
                        .figures
                        .push((tr.t("shops-test-payment-methods"), n.to_string()));
                }
            }
            if let Some(code) = summary.get("currency").and_then(Value::as_str) {
                result
                    .figures
                    .push((tr.t("shops-currency"), code.to_owned()));
            }
            let order_currency = summary
                .get("order_currency")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| tr.t("shops-test-no-orders"));
            if ok || summary.get("order_currency").is_some() {
                result
                    .figures
                    .push((tr.t("shops-test-order-currency"), order_currency));
            }
            if let Some(n) = number("rate_limit") {
                result.figures.push((
                    tr.t("shops-rate-limit"),
                    tr.t1("shops-per-minute", "count", &n.to_string()),
                ));
            }
        }
        "failed" => {
            result.state = "failed";
            result.headline = match &job.error {
                Some(e) => tr.pick(&e.message_bg, &e.message_en).to_owned(),
                None => job_status_label(tr, "failed"),
            };
        }
        other => {
            result.state = "cancelled";
            result.headline = job_status_label(tr, other);
        }
    }
    result
}

#[derive(Template)]
#[template(path = "shop_view.html")]
struct ShopView {
    page: Page,
    c: ShopConnection,
    can_change: bool,
    facts: Vec<(String, String, &'static str)>,
    test: TestResult,
    problems: Vec<String>,
    sale_rule_disagrees: bool,
    alerts: Vec<String>,
}

/// Query of the connection's page: `saved` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    saved: Option<String>,
}

async fn show_view(
    state: &AppState,
    ctx: &Ctx,
    id: Id,
    alerts: Vec<String>,
    saved: bool,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let view = state
        .bridge
        .connection_view(ctx.firm_id(), id)
        .await
        .map_err(|e| sync_fail(ctx, e))?;
    let c = view.connection.clone();
    let currency = if c.currency_auto {
        format!("{} ({})", c.currency.code(), tr.t("shops-currency-auto"))
    } else {
        c.currency.code().to_owned()
    };
    let mut facts = vec![
        (
            tr.t("shops-kind"),
            tr.t("shops-kind-cloudcart"),
            "shop-kind",
        ),
        (tr.t("shops-url"), c.shop_url.clone(), "shop-url"),
        (
            tr.t("shops-status"),
            status_label(tr, c.active),
            "shop-status",
        ),
        (tr.t("shops-api-key"), key_shown(tr, &c), "shop-key"),
        (tr.t("shops-currency"), currency, "shop-currency"),
        (
            tr.t("shops-prices-with-vat"),
            labels::yes_no(tr, c.prices_with_vat),
            "shop-vat",
        ),
        (
            tr.t("shops-first-push"),
            match c.first_push_confirmed_at {
                Some(at) => tr.t1("shops-first-push-confirmed-at", "at", &when(at)),
                None => tr.t("shops-first-push-not-confirmed"),
            },
            "shop-first-push",
        ),
    ];
    if let Some(limit) = view.rate_limit {
        facts.push((
            tr.t("shops-rate-limit"),
            tr.t1("shops-per-minute", "count", &limit.to_string()),
            "shop-rate-limit",
        ));
    }
    let test = test_result(tr, &c, view.last_test.as_ref());
    let mut page = shop_page(ctx, "shops-connection", &c);
    page.refresh = test.state == "running";
    page.notice = saved.then(|| tr.t("saved"));
    let screen = ShopView {
        page,
        can_change: ctx.is_owner(),
        facts,
        test,
        problems: view
            .settings_problems
            .iter()
            .map(|e| tr.field_error(e))
            .collect(),
        sale_rule_disagrees: view.sale_rule_disagrees,
        alerts,
        c,
    };
    render(&screen, ctx.lang())
}

/// `GET /shops/{id}`: the connection, its last test and what to do next.
pub async fn view(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
    Query(q): Query<ViewQuery>,
) -> Result<Html<String>, WebError> {
    show_view(&state, &ctx, id, Vec::new(), q.saved.is_some()).await
}

/// `POST /shops/{id}/test` (members): „Провери връзката“ — queues a test; the page
/// then shows it running and, when done, its result.
pub async fn test(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    match state
        .bridge
        .start_job(ctx.firm_id(), id, JobKind::Test, false, &ctx.user.login)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/shops/{id}")).into_response()),
        Err(e) => match sync_alert(ctx.tr, &e) {
            Some(alert) => Ok(show_view(&state, &ctx, id, vec![alert], false)
                .await?
                .into_response()),
            None => Err(sync_fail(&ctx, e)),
        },
    }
}

/// `POST /shops/{id}/delete` (owners; the page asks first): deletes the connection with
/// its settings, links and jobs; the journal keeps a line.
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    ctx.require_owner()?;
    state
        .bridge
        .delete_connection(ctx.firm_id(), id, &ctx.user.login)
        .await
        .map_err(|e| sync_fail(&ctx, e))?;
    Ok(Redirect::to("/shops?deleted=1").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn the_connection_form_refuses_choices_not_offered_and_reads_the_rest() {
        let mut form = blank_form();
        form.set("shop_url", "shop.example.bg");
        form.set("api_key", " KEY123 ");
        let input = input_of(&form, true).expect("valid");
        assert!(input.active && input.prices_with_vat);
        assert_eq!(input.currency, None);
        assert_eq!(input.api_key.as_deref(), Some("KEY123"));
        form.set("kind", "shopify");
        form.set("active", "maybe");
        form.set("currency", "USD");
        form.set("api_key", "");
        let errors = input_of(&form, true).expect_err("refused");
        let fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["kind", "active", "currency", "api_key"] {
            assert!(fields.contains(&field), "{field}: {fields:?}");
        }
        // On a change a blank key keeps the stored one.
        let mut form = blank_form();
        form.set("shop_url", "shop.example.bg");
        assert_eq!(input_of(&form, false).expect("valid").api_key, None);
    }

    #[test]
    fn times_are_bulgarian() {
        let ts: jiff::Timestamp = "2026-11-28T10:05:00Z".parse().expect("ts");
        assert_eq!(when(ts), "28.11.2026 12:05");
        let tr = Tr::new(Lang::Bg);
        assert_eq!(tr.keyed("shops-job", "no_such_kind"), "no_such_kind");
    }
}
