//! Справки → Наличности: stock per object (or over all objects) with on hand,
//! reserved by open orders, and available; goods in the order they were created,
//! a page at a time.

use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sklad_domain::{Id, Quantity};

use crate::web::error::{render, WebError};
use crate::web::screens::RecordList;
use crate::web::session::Ctx;
use crate::web::view::{self, Cell, FilterForm, Table};
use crate::AppState;

/// Query of the report: `object` is an object id or `all`.
#[derive(Debug, Default, Deserialize)]
pub struct StockQuery {
    #[serde(default)]
    object: String,
    #[serde(default)]
    page: String,
}

/// Rows per page of the report.
const PER_PAGE: i64 = 100;

/// A quantity written the Bulgarian way: `1,5`.
pub fn quantity(q: Quantity) -> String {
    q.to_string().replace('.', ",")
}

/// `GET /stock`.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StockQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let store = &state.store;
    let firm = ctx.firm_id();
    let objects = store.objects(firm).await.map_err(|e| ctx.fail(e))?;
    let selected: Option<Id> = if q.object == "all" {
        None
    } else {
        q.object
            .parse::<Id>()
            .ok()
            .filter(|id| objects.iter().any(|o| o.id == *id))
            .or_else(|| objects.first().map(|o| o.id))
    };
    // (good id, on hand, reserved, available)
    let levels: Vec<(Id, Quantity, Quantity, Quantity)> = match selected {
        Some(object_id) => store
            .stock_of_object(firm, object_id)
            .await
            .map_err(|e| ctx.fail(e))?
            .into_iter()
            .map(|l| (l.good_id, l.on_hand, l.reserved, l.available()))
            .collect(),
        None => {
            let ids: Vec<Id> = objects.iter().map(|o| o.id).collect();
            store
                .available(firm, &ids)
                .await
                .map_err(|e| ctx.fail(e))?
                .into_iter()
                .map(|a| (a.good_id, a.on_hand, a.reserved, a.available))
                .collect()
        }
    };
    let levels: Vec<_> = levels
        .into_iter()
        .filter(|(_, on_hand, reserved, _)| !(on_hand.is_zero() && reserved.is_zero()))
        .collect();
    let total = levels.len() as i64;
    let page_no = view::page_number(&q.page);
    let mut rows = Vec::new();
    // One page of rows, each good read by id (bounded by the page size).
    for (good_id, on_hand, reserved, available) in levels
        .into_iter()
        .skip(((page_no - 1) * PER_PAGE) as usize)
        .take(PER_PAGE as usize)
    {
        let good = store.good(firm, good_id).await.map_err(|e| ctx.fail(e))?;
        rows.push(vec![
            Cell::link(&good.code, format!("/goods/{good_id}")),
            Cell::text(good.name),
            Cell::text(good.measure),
            Cell::num(quantity(on_hand)),
            Cell::num(quantity(reserved)),
            Cell::num(quantity(available)),
        ]);
    }
    let table = Table::new(
        tr,
        "stock",
        &[
            ("goods-code", false),
            ("goods-name", false),
            ("stock-measure", false),
            ("stock-on-hand", true),
            ("stock-reserved", true),
            ("stock-available", true),
        ],
        rows,
    );
    let object = selected
        .map(|id| id.to_string())
        .unwrap_or_else(|| "all".into());
    let asked = FilterForm::new(tr, &[("object", &object)]);
    let mut filters = asked.fields();
    let mut options: Vec<(String, String)> = objects
        .iter()
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    options.push(("all".into(), tr.t("all")));
    filters.select("object", "stock-object", options);
    let screen = RecordList::paged(
        ctx.page("stock-title"),
        filters.done(),
        None,
        table,
        asked.pager("/stock", page_no, PER_PAGE, total),
    );
    render(&screen, ctx.lang())
}
