//! Справки → Наличности: stock per object (or over all objects) with on hand,
//! reserved by open orders, and available.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sklad_domain::model::Good;
use sklad_domain::{Id, Quantity};
use sklad_store::{GoodFilter, Paging, StoreError};

use crate::web::error::{render, WebError};
use crate::web::form::{FormData, FormErrors};
use crate::web::screens::RecordList;
use crate::web::session::Ctx;
use crate::web::view::{Cell, Fields, Table};
use crate::AppState;

/// Query of the report: `object` is an object id or `all`.
#[derive(Debug, Default, Deserialize)]
pub struct StockQuery {
    #[serde(default)]
    object: String,
}

/// A quantity written the Bulgarian way: `1,5`.
pub fn quantity(q: Quantity) -> String {
    q.to_string().replace('.', ",")
}

/// Every good of the firm by id, read page by page (bounded by the firm's size).
async fn goods_by_id(state: &AppState, ctx: &Ctx) -> Result<HashMap<Id, Good>, StoreError> {
    let mut out = HashMap::new();
    let limit = 1000;
    // At most 10 000 pages: a million goods, far beyond any merchant.
    for page in 0..10_000 {
        let found = state
            .store
            .goods(
                ctx.firm_id(),
                &GoodFilter {
                    paging: Paging {
                        limit,
                        offset: page * limit,
                    },
                    ..GoodFilter::default()
                },
            )
            .await?;
        let n = found.items.len() as i64;
        out.extend(found.items.into_iter().map(|g| (g.id, g)));
        if n < limit || (page + 1) * limit >= found.total {
            break;
        }
    }
    Ok(out)
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
    let goods = goods_by_id(&state, &ctx).await.map_err(|e| ctx.fail(e))?;
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
    let mut rows: Vec<(String, Vec<Cell>)> = levels
        .into_iter()
        .filter(|(_, on_hand, reserved, _)| !(on_hand.is_zero() && reserved.is_zero()))
        .map(|(good_id, on_hand, reserved, available)| {
            let (code, name, measure) = goods
                .get(&good_id)
                .map(|g| (g.code.clone(), g.name.clone(), g.measure.clone()))
                .unwrap_or_default();
            (
                code.clone(),
                vec![
                    Cell::link(code, format!("/goods/{good_id}")),
                    Cell::text(name),
                    Cell::text(measure),
                    Cell::num(quantity(on_hand)),
                    Cell::num(quantity(reserved)),
                    Cell::num(quantity(available)),
                ],
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let table = Table {
        id: "stock",
        columns: vec![
            (tr.t("goods-code"), false),
            (tr.t("goods-name"), false),
            (tr.t("stock-measure"), false),
            (tr.t("stock-on-hand"), true),
            (tr.t("stock-reserved"), true),
            (tr.t("stock-available"), true),
        ],
        rows: rows.into_iter().map(|(_, cells)| cells).collect(),
    };
    let mut filter_form = FormData::default();
    filter_form.set(
        "object",
        selected
            .map(|id| id.to_string())
            .unwrap_or_else(|| "all".into()),
    );
    let none = FormErrors::none(tr);
    let mut filters = Fields::new(tr, &filter_form, &none, "filter-");
    let mut options: Vec<(String, String)> = objects
        .iter()
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    options.push(("all".into(), tr.t("all")));
    filters.select("object", "stock-object", options);
    let screen = RecordList {
        page: ctx.page("stock-title"),
        intro: None,
        filters: filters.done(),
        new_link: None,
        table,
        pager: None,
    };
    render(&screen, ctx.lang())
}
