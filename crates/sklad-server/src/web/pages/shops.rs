//! Администриране → Връзка с ел. магазини: the e-shop connections. The CloudCart
//! bridge brings the connections themselves; until then the list is empty and
//! „Нова връзка“ explains what is coming instead of leading nowhere.

use askama::Template;
use axum::response::Html;

use crate::web::error::{render, WebError};
use crate::web::layout::Page;
use crate::web::screens::RecordList;
use crate::web::session::Ctx;
use crate::web::view::Table;

/// `GET /shops`: the (empty) list of connections.
pub async fn list(ctx: Ctx) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let table = Table {
        id: "shops",
        columns: Vec::new(),
        rows: Vec::new(),
    };
    let mut screen = RecordList::simple(
        ctx.page("shops-title"),
        Some(("/shops/new".into(), tr.t("shops-new"))),
        table,
    );
    screen.intro = Some(tr.t("shops-empty"));
    render(&screen, ctx.lang())
}

#[derive(Template)]
#[template(path = "shops_new.html")]
struct ShopsNew {
    page: Page,
}

/// `GET /shops/new`: what a connection will need, and that it comes with the bridge.
pub async fn new(ctx: Ctx) -> Result<Html<String>, WebError> {
    let mut page = ctx.page("shops-coming-title");
    page.path = "/shops".into();
    render(&ShopsNew { page }, ctx.lang())
}
