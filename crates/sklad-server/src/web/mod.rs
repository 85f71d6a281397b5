//! Server-rendered back-office pages in Bulgarian (English per user): askama
//! templates, Fluent catalogues, embedded CSS/JS, sessions with CSRF-checked forms.
//!
//! Every page calls the same [`sklad_store::Store`] methods as the REST API; no
//! storage or validation logic lives here, only parsing of what was typed and the
//! display of the domain's [`sklad_domain::FieldError`]s beside their fields.
//!
//! | path | screen |
//! |---|---|
//! | `/login`, `/logout`, `/switch-firm`, `/language` | sign-in, firm switcher, language |
//! | `/goods`, `/partners`, `/objects` (+ `/new`, `/{id}`, see `crud`) | Номенклатури |
//! | `/operations/new/{kind}`, `/operations`, `/operations/{id}` (+ `/edit`, `/convert`, `/annul`) | Операции |
//! | `/stock` | Справки → Наличности |
//! | `/payment-types`, `/price-groups` | За фирмата |
//! | `/users` (+ `/{id}/sessions/end`), `/backup`, `/alerts` (+ `/{id}/seen`), `/journal` | Администриране (owners only) |
//! | `/account/email` | the user's address for alert e-mails |
//! | `/account/password`, `/account/two-factor` (+ `/enable`, `/disable`, `/firm`) | Смяна на парола, Двуфакторно влизане (every signed-in user; the firm's rule: owners) |
//! | `/login/code` | the second factor after the password (or its enrolment) |
//! | `/shops`, `/shops/new`, `/shops/{id}` (+ `/edit`, `/test`, `/delete`, `/settings`, `/special-goods`) | Администриране → Връзка с ел. магазини (changes: owners only) |
//! | `/shops/{id}/panel`, `/shops/{id}/jobs` (+ `/{job_id}`, `/cancel`, `/rows.csv`), `/shops/{id}/first-push/confirm`, `/shops/{id}/sync-now`, `/shops/{id}/journal`, `/shops/panel?id=` | CloudCart контролен панел, its jobs and the sync journal |
//! | `/shops/attention`, `/shops/{id}/orders` (+ `/retry`, `/{shop_order_id}/retry`) | Orders from the shop: what needs attention (counted in the header's badge), a connection's orders, „Опитай отново“ (members) |
//! | any other path outside `/api/v1` | the 404 page in the layout |
//!
//! Forms post `application/x-www-form-urlencoded` with the session's `csrf` field
//! (`session::Posted`); the one upload (restore) is `multipart/form-data`.

mod assets;
mod crud;
mod error;
mod form;
mod headers;
pub mod i18n;
mod labels;
mod layout;
mod multipart;
mod pages;
mod screens;
mod session;
mod view;

use axum::routing::{get, post};

use crate::AppState;

pub use session::SESSION_COOKIE;

/// The pages and their assets.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/assets/sklad.css", get(assets::css))
        .route("/assets/sklad.js", get(assets::js))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route(
            "/login/code",
            get(pages::two_factor::show_code).post(pages::two_factor::submit_code),
        )
        .route("/logout", post(pages::login::logout))
        .route("/switch-firm", post(pages::login::switch_firm))
        .route("/language", post(pages::login::language))
        .route("/", get(pages::home::show))
        .route("/goods", get(pages::goods::list))
        .merge(crud::routes::<pages::goods::Goods>())
        .route("/partners", get(pages::partners::list))
        .merge(crud::routes::<pages::partners::Partners>())
        .route("/payment-types", get(pages::payment_types::list))
        .merge(crud::routes::<pages::payment_types::PaymentTypes>())
        .route("/operations", get(pages::operations::list))
        .route(
            "/operations/new/{kind}",
            get(pages::operations::new).post(pages::operations::create),
        )
        .route("/operations/{id}", get(pages::operations::view))
        .route(
            "/operations/{id}/edit",
            get(pages::operations::edit).post(pages::operations::update),
        )
        .route("/operations/{id}/convert", post(pages::operations::convert))
        .route("/operations/{id}/annul", post(pages::operations::annul))
        .route("/stock", get(pages::stock::show))
        .route("/price-groups", get(pages::price_groups::list))
        .route("/users", get(pages::users::list))
        .route("/users/{id}/sessions/end", post(pages::users::end_sessions))
        .route(
            "/account/password",
            get(pages::users::password).post(pages::users::change_password),
        )
        .route("/account/two-factor", get(pages::two_factor::account))
        .route(
            "/account/email",
            get(pages::alerts::email).post(pages::alerts::set_email),
        )
        .route("/alerts", get(pages::alerts::list))
        .route("/journal", get(pages::journal::list))
        .route("/alerts/{id}/seen", post(pages::alerts::mark_seen))
        .route(
            "/account/two-factor/enable",
            post(pages::two_factor::enable),
        )
        .route(
            "/account/two-factor/disable",
            post(pages::two_factor::disable),
        )
        .route(
            "/account/two-factor/firm",
            post(pages::two_factor::firm_rule),
        )
        .route(
            "/users/new",
            get(pages::users::new).post(pages::users::create),
        )
        .route("/backup", get(pages::backup::show))
        .route("/backup/download", get(pages::backup::download))
        .route("/backup/restore", post(pages::backup::upload))
        .route("/backup/restore/confirm", post(pages::backup::confirm))
        .route("/shops", get(pages::shops::list))
        .route(
            "/shops/new",
            get(pages::shops::new).post(pages::shops::create),
        )
        .route("/shops/panel", get(pages::shop_panel::choose))
        .route("/shops/attention", get(pages::shop_orders::attention))
        .route("/shops/{id}", get(pages::shops::view))
        .route(
            "/shops/{id}/edit",
            get(pages::shops::edit).post(pages::shops::update),
        )
        .route("/shops/{id}/test", post(pages::shops::test))
        .route("/shops/{id}/delete", post(pages::shops::delete))
        .route(
            "/shops/{id}/settings",
            get(pages::shop_settings::show_settings).post(pages::shop_settings::save_settings),
        )
        .route(
            "/shops/{id}/special-goods",
            post(pages::shop_settings::create_special_goods),
        )
        .route("/shops/{id}/panel", get(pages::shop_panel::panel))
        .route("/shops/{id}/jobs", post(pages::shop_panel::start))
        .route(
            "/shops/{id}/first-push/confirm",
            post(pages::shop_panel::confirm_first_push),
        )
        .route("/shops/{id}/sync-now", post(pages::shop_panel::sync_now))
        .route("/shops/{id}/jobs/{job_id}", get(pages::shop_jobs::show))
        .route(
            "/shops/{id}/jobs/{job_id}/cancel",
            post(pages::shop_jobs::cancel),
        )
        .route(
            "/shops/{id}/jobs/{job_id}/rows.csv",
            get(pages::shop_jobs::csv),
        )
        .route("/shops/{id}/journal", get(pages::shop_jobs::journal))
        .route("/shops/{id}/orders", get(pages::shop_orders::list))
        .route(
            "/shops/{id}/orders/retry",
            post(pages::shop_orders::retry_all),
        )
        .route(
            "/shops/{id}/orders/{shop_order_id}/retry",
            post(pages::shop_orders::retry_one),
        )
        .route("/objects", get(pages::objects::list))
        .merge(crud::routes::<pages::objects::Objects>())
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(headers::security_headers))
}
