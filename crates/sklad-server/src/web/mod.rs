//! Server-rendered back-office pages in Bulgarian (English per user): askama
//! templates, Fluent catalogues, embedded CSS/JS, sessions with CSRF-checked forms.
//!
//! Every page calls the same [`sklad_store::Store`] methods as the REST API; no
//! storage or validation logic lives here, only parsing of what was typed and the
//! display of the domain's [`sklad_domain::FieldError`]s beside their fields.

mod assets;
mod error;
mod form;
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
        .route("/logout", post(pages::login::logout))
        .route("/switch-firm", post(pages::login::switch_firm))
        .route("/language", post(pages::login::language))
        .route("/", get(pages::home::show))
        .route("/objects", get(pages::objects::list))
        .route(
            "/objects/new",
            get(pages::objects::new).post(pages::objects::create),
        )
        .route(
            "/objects/{id}",
            get(pages::objects::edit).post(pages::objects::update),
        )
}
