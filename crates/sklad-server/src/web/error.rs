//! What a page request can end in besides its page: the login redirect and the
//! error pages (403, 404, 400, 500), rendered in the user's language.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use sklad_store::StoreError;

use super::i18n::{Lang, Tr};
use super::layout::Page;

/// Why a page was not shown.
#[derive(Debug)]
pub enum WebError {
    /// No valid session: go to the login page.
    Login,
    /// The user's role may not do this (403).
    Forbidden(Lang),
    /// A form post without the session's CSRF token (403).
    Csrf(Lang),
    /// No such record in this firm (404).
    NotFound(Lang),
    /// A malformed request (400).
    BadRequest(Lang),
    /// Something failed on our side (500); details are logged, not shown.
    Internal(Lang),
}

impl WebError {
    /// The page for a store failure that is not a form's validation error.
    pub fn store(lang: Lang, error: StoreError) -> WebError {
        match error {
            StoreError::NotFound { .. } => WebError::NotFound(lang),
            StoreError::Validation(_) | StoreError::Archive { .. } => WebError::BadRequest(lang),
            StoreError::Database(_) => {
                tracing::error!(code = error.code(), %error, "page failed in the store");
                WebError::Internal(lang)
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    page: Page,
    message: String,
}

/// Renders a template into an HTML response; a rendering failure is a 500.
pub fn render(template: &impl Template, lang: Lang) -> Result<Html<String>, WebError> {
    template.render().map(Html).map_err(|error| {
        tracing::error!(%error, "template rendering failed");
        WebError::Internal(lang)
    })
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, lang, title, message) = match self {
            WebError::Login => return Redirect::to("/login").into_response(),
            WebError::Forbidden(l) => (
                StatusCode::FORBIDDEN,
                l,
                "error-forbidden-title",
                "error-forbidden",
            ),
            WebError::Csrf(l) => (
                StatusCode::FORBIDDEN,
                l,
                "error-forbidden-title",
                "error-csrf",
            ),
            WebError::NotFound(l) => (
                StatusCode::NOT_FOUND,
                l,
                "error-not-found-title",
                "error-not-found",
            ),
            WebError::BadRequest(l) => (
                StatusCode::BAD_REQUEST,
                l,
                "error-title",
                "error-bad-request",
            ),
            WebError::Internal(l) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                l,
                "error-title",
                "error-internal",
            ),
        };
        let tr = Tr::new(lang);
        let template = ErrorTemplate {
            page: Page::new(tr, tr.t(title), "", None, ""),
            message: tr.t(message),
        };
        match template.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, tr.t(message)).into_response(),
        }
    }
}
