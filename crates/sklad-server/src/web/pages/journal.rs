//! Администриране → Журнал (owners): the firm's journal, newest first — sign-ins and
//! failed attempts with their address, lockouts, password changes, ended sessions,
//! members and their roles, two-factor events, alerts seen, the euro changeover.

use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use crate::web::crud;
use crate::web::error::{render, WebError};
use crate::web::screens::RecordList;
use crate::web::session::Ctx;
use crate::web::view::{self, when, Cell, Pager, Table};
use crate::AppState;

/// Entries per page.
const PER_PAGE: i64 = 50;

/// Query of `GET /journal`.
#[derive(Debug, Deserialize)]
pub struct JournalQuery {
    #[serde(default)]
    page: String,
}

/// The details of an entry as `key: value` pairs (the login and address of a sign-in,
/// the counts of a changeover …).
fn details(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `GET /journal`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<JournalQuery>,
) -> Result<Html<String>, WebError> {
    ctx.require_owner()?;
    let tr = ctx.tr;
    let page_no = view::page_number(&q.page);
    let entries = state
        .store
        .journal(ctx.firm_id(), view::page_paging(page_no, PER_PAGE))
        .await
        .map_err(|e| ctx.fail(e))?;
    let table = Table::new(
        tr,
        "firm-journal",
        &[
            ("journal-when", false),
            ("journal-who", false),
            ("journal-action", false),
            ("journal-details", false),
        ],
        entries
            .items
            .iter()
            .map(|e| {
                vec![
                    Cell::text(when(e.at)),
                    Cell::text(&e.actor),
                    Cell::text(tr.keyed("journal-action", &e.action)),
                    Cell::text(details(&e.details)),
                ]
            })
            .collect(),
    );
    let pager = Pager::new(tr, "/journal", "", page_no, PER_PAGE, entries.total);
    let page = crud::list_page(&ctx, "journal-title", false);
    render(
        &RecordList::paged(page, Vec::new(), None, table, pager),
        ctx.lang(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_pairs() {
        let shown = details(&serde_json::json!({
            "login": "ivan", "address": "127.0.0.1", "locked": null, "times": 2
        }));
        assert_eq!(shown, "address: 127.0.0.1, login: ivan, times: 2");
    }
}
