//! `/`: the start page with the day's usual actions.

use askama::Template;
use axum::response::Html;

use crate::web::error::{render, WebError};
use crate::web::layout::Page;
use crate::web::session::Ctx;

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    page: Page,
    welcome: String,
}

/// `GET /`.
pub async fn show(ctx: Ctx) -> Result<Html<String>, WebError> {
    let template = HomeTemplate {
        page: ctx.page("home-title"),
        welcome: ctx.tr.t1("home-welcome", "name", &ctx.user.display_name),
    };
    render(&template, ctx.lang())
}
