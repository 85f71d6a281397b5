//! За фирмата → Ценови групи: the eleven price columns and which objects sell at each.

use axum::extract::State;
use axum::response::Html;
use sklad_domain::PriceGroup;

use crate::web::error::{render, WebError};
use crate::web::labels;
use crate::web::screens::RecordList;
use crate::web::session::Ctx;
use crate::web::view::{Cell, Table};
use crate::AppState;

/// `GET /price-groups`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let objects = state
        .store
        .objects(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let table = Table::new(
        tr,
        "price-groups",
        &[
            ("price-group-name", false),
            ("price-group-key", false),
            ("price-group-objects", false),
        ],
        PriceGroup::ALL
            .into_iter()
            .map(|group| {
                let users: Vec<&str> = objects
                    .iter()
                    .filter(|o| o.price_group == group)
                    .map(|o| o.name.as_str())
                    .collect();
                vec![
                    Cell::text(labels::price_group(ctx.lang(), group)),
                    Cell::text(group.key()),
                    Cell::text(users.join(", ")),
                ]
            })
            .collect(),
    );
    let mut screen = RecordList::simple(ctx.page("price-groups-title"), None, table);
    screen.intro = Some(tr.t("price-groups-intro"));
    render(&screen, ctx.lang())
}
