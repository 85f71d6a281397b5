//! What a page request can end in besides its page: the login redirect and the
//! error pages (403, 404, 400, 500), rendered in the user's language.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use sklad_store::StoreError;

use super::i18n::{Lang, Tr};
use super::layout::Page;
use super::session::{request_lang, Ctx};

/// What an error page is drawn in: the bare layout (nobody signed in) or the signed-in
/// user's layout with header and menu, so they can go on from there.
#[derive(Debug)]
pub enum Shell {
    /// Only the language is known.
    Public(Lang),
    /// The signed-in user's layout.
    User(Box<Page>),
}

impl From<Lang> for Shell {
    fn from(lang: Lang) -> Self {
        Shell::Public(lang)
    }
}

/// Why a page was not shown.
#[derive(Debug)]
pub enum WebError {
    /// No valid session: go to the login page.
    Login,
    /// The user's role may not do this (403).
    Forbidden(Shell),
    /// A form post without the session's CSRF token (403).
    Csrf(Shell),
    /// No such record in this firm (404).
    NotFound(Shell),
    /// A malformed request (400).
    BadRequest(Shell),
    /// A page address used with a method it does not take (405).
    MethodNotAllowed(Shell),
    /// Something failed on our side (500); details are logged, not shown.
    Internal(Shell),
}

impl WebError {
    /// The page for a store failure that is not a form's validation error.
    pub fn store(shell: impl Into<Shell>, error: StoreError) -> WebError {
        let shell = shell.into();
        match error {
            StoreError::NotFound { .. } => WebError::NotFound(shell),
            StoreError::Validation(_) | StoreError::Archive { .. } => WebError::BadRequest(shell),
            StoreError::Database(_) => {
                tracing::error!(code = error.code(), %error, "page failed in the store");
                WebError::Internal(shell)
            }
        }
    }
}

/// What an error page of a request that reached no page is drawn in: the signed-in
/// user's layout, else the visitor's language.
fn shell_of(ctx: Option<Ctx>, headers: &axum::http::HeaderMap) -> Shell {
    match ctx {
        Some(ctx) => ctx.shell(),
        None => request_lang(headers).into(),
    }
}

/// Any address no page answers (outside the API): the 404 page.
pub async fn not_found(ctx: Option<Ctx>, headers: axum::http::HeaderMap) -> WebError {
    WebError::NotFound(shell_of(ctx, &headers))
}

/// A page address used with another method (e.g. typing `/logout`): the 405 page.
pub async fn method_not_allowed(ctx: Option<Ctx>, headers: axum::http::HeaderMap) -> WebError {
    WebError::MethodNotAllowed(shell_of(ctx, &headers))
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
        WebError::Internal(lang.into())
    })
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, shell, title, message) = match self {
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
            WebError::MethodNotAllowed(l) => (
                StatusCode::METHOD_NOT_ALLOWED,
                l,
                "error-title",
                "error-method",
            ),
            WebError::Internal(l) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                l,
                "error-title",
                "error-internal",
            ),
        };
        let page = match shell {
            Shell::Public(lang) => {
                let tr = Tr::new(lang);
                Page::new(tr, tr.t(title), "", None, "")
            }
            Shell::User(page) => {
                let mut page = *page;
                page.title = page.t(title);
                page.notice = None;
                page
            }
        };
        let tr = page.tr;
        let template = ErrorTemplate {
            page,
            message: tr.t(message),
        };
        match template.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, tr.t(message)).into_response(),
        }
    }
}
