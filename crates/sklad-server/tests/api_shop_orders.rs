//! Orders from the shop through the REST API (issue 8, SPEC G7, X2, X3), on SQLite and
//! PostgreSQL: the list with its filters and paging, one order, „Опитай отново“ for
//! one order and for every waiting order of a connection (any member; the record is
//! read again), the unreadable deliveries kept as received, the needs-attention count,
//! and another firm's records not found. The records are put in place through the store.

mod api_support;
#[path = "support/shop_orders_fixtures.rs"]
mod fixtures;

use api_support::{assert_error, assert_field, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

fn orders_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["shop_order_id"].as_str().expect("id").to_owned())
        .collect()
}

async fn shop_orders_are_listed_read_and_filtered(server: TestServer) {
    let firm = server.tenant("Поръчки ООД", "orders_owner").await;
    let t = firm.token.as_str();
    let store = &server.store;
    let a = fixtures::connection(store, firm.firm_id, "Магазин А", "shop-a.example.bg").await;
    let (_, op) =
        fixtures::imported_order(store, firm.firm_id, &a, "20417", fixtures::eik_warning()).await;
    fixtures::attention_order(store, firm.firm_id, a.id, "20418", "X-1").await;
    fixtures::waiting_order(store, firm.firm_id, a.id, "20419").await;
    let body = r#"[{"id": "half"#;
    fixtures::unreadable(store, firm.firm_id, a.id, body).await;

    let all = server.get_ok("/shop-orders", t).await;
    assert_eq!(all["total"], 3, "{all}");
    let mut ids = orders_of(&all);
    ids.sort();
    assert_eq!(ids, ["20417", "20418", "20419"]);
    for order in all["items"].as_array().expect("items") {
        let id = order["shop_order_id"].as_str().expect("id");
        assert_eq!(
            order["shop_admin_url"],
            format!("https://shop-a.example.bg/admin/orders/{id}")
        );
        assert_eq!(order["connection_id"], a.id);
    }

    let waiting = server.get_ok("/shop-orders?state=attention", t).await;
    assert_eq!(orders_of(&waiting), ["20418"]);
    let attention = &waiting["items"][0]["attention"];
    assert_eq!(attention["code"], "unknown_sku");
    assert!(attention["message_bg"]
        .as_str()
        .is_some_and(|m| m.contains("Непознат SKU")));
    assert!(attention["message_en"]
        .as_str()
        .is_some_and(|m| m.contains("Unknown SKU")));
    assert_eq!(waiting["items"][0]["dirty"], false);
    let of_a = server
        .get_ok(
            &format!("/shop-orders?connection_id={}&state=waiting", a.id),
            t,
        )
        .await;
    assert_eq!(orders_of(&of_a), ["20419"]);
    assert_eq!(of_a["items"][0]["dirty"], true);
    let paged = server.get_ok("/shop-orders?limit=1&offset=1", t).await;
    assert_eq!(
        (paged["total"].as_i64(), paged["limit"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(orders_of(&paged).len(), 1);

    let fields = server
        .refused(
            "GET",
            "/shop-orders?state=lost&connection_id=x&limit=0",
            Some(t),
            None,
            StatusCode::BAD_REQUEST,
            "parameters_invalid",
        )
        .await;
    for field in ["state", "connection_id", "limit"] {
        assert_field(&fields, field, "parameter_invalid");
    }

    let one = server
        .get_ok(&format!("/shops/{}/orders/20417", a.id), t)
        .await;
    assert_eq!(one["state"], "imported");
    assert_eq!(one["operation_id"], op.id);
    assert_eq!(one["shop_status"], "paid");
    assert_eq!(one["total"], "24.90");
    assert_eq!(one["currency"], "EUR");
    assert_eq!(one["warnings"][0]["code"], "eik_invalid");
    assert_eq!(one["attention"], Value::Null);
    assert_eq!(one["postings"], 1);
    for missing in [
        format!("/shops/{}/orders/99999", a.id),
        "/shops/999999/orders/20417".to_owned(),
        format!("/shops/{}/orders/%00", a.id),
        "/shops/abc/orders/20417".to_owned(),
    ] {
        server
            .refused(
                "GET",
                &missing,
                Some(t),
                None,
                StatusCode::NOT_FOUND,
                "not_found",
            )
            .await;
    }

    let unreadable = server.get_ok("/shop-deliveries/unreadable", t).await;
    assert_eq!(unreadable["total"], 1);
    assert_eq!(unreadable["items"][0]["body"], body, "kept as received");
    assert_eq!(unreadable["items"][0]["connection_id"], a.id);
    assert_eq!(unreadable["items"][0]["event"], "order.updated");
    for reason in ["reason_bg", "reason_en"] {
        assert!(unreadable["items"][0][reason]
            .as_str()
            .is_some_and(|r| !r.is_empty()));
    }
    let none = server
        .get_ok("/shop-deliveries/unreadable?offset=1", t)
        .await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));

    let count = server.get_ok("/shop-attention", t).await;
    assert_eq!(count["count"], 2, "one order and one delivery");
}

async fn members_retry_and_the_record_is_read_again(server: TestServer) {
    let firm = server.tenant("Опити ООД", "retry_owner").await;
    let owner = firm.token.as_str();
    let operator = server.operator_token(firm.firm_id, "retry_operator").await;
    let store = &server.store;
    let a = fixtures::connection(store, firm.firm_id, "Магазин А", "shop-a.example.bg").await;
    let before = fixtures::attention_order(store, firm.firm_id, a.id, "20418", "X-1").await;
    assert!(!before.dirty);
    let one = format!("/shops/{}/orders/20418/retry", a.id);
    let all = format!("/shops/{}/orders/retry", a.id);

    for path in [&one, &all] {
        server
            .refused(
                "POST",
                path,
                None,
                None,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            )
            .await;
    }
    assert_eq!(
        store
            .shop_order(firm.firm_id, a.id, "20418")
            .await
            .expect("record"),
        before,
        "nothing written"
    );

    // An operator may retry: the record is to be read again, nothing else changes.
    let retried = server
        .post_expect(&one, &operator, Value::Null, StatusCode::ACCEPTED)
        .await;
    assert_eq!(retried["dirty"], true);
    assert_eq!(retried["state"], "attention");
    let after = store
        .shop_order(firm.firm_id, a.id, "20418")
        .await
        .expect("record");
    assert!(after.dirty && after.version > before.version);
    assert_eq!(after.attention, before.attention);

    // Every waiting order of the connection, by the owner.
    let settled = fixtures::attention_order(store, firm.firm_id, a.id, "20420", "X-2").await;
    assert!(!settled.dirty);
    fixtures::waiting_order(store, firm.firm_id, a.id, "20421").await;
    let answer = server
        .post_expect(&all, owner, Value::Null, StatusCode::ACCEPTED)
        .await;
    assert_eq!(answer["connection_id"], a.id);
    assert_eq!(answer["retried"], 2);
    assert_eq!(answer["connection_active"], false);
    assert!(
        store
            .shop_order(firm.firm_id, a.id, "20420")
            .await
            .expect("record")
            .dirty
    );

    server
        .refused(
            "POST",
            &format!("/shops/{}/orders/99999/retry", a.id),
            Some(owner),
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    // The bridge imports in the background; reading the list meanwhile is fine.
    let listed = server
        .get_ok(&format!("/shop-orders?connection_id={}", a.id), owner)
        .await;
    assert_eq!(listed["total"], 3);
}

async fn another_firms_shop_orders_are_not_found(server: TestServer) {
    let a = server.tenant("Фирма А", "orders_a").await;
    let b = server.tenant("Фирма Б", "orders_b").await;
    let ta = a.token.as_str();
    let store = &server.store;
    let conn_b = fixtures::connection(store, b.firm_id, "Магазин Б", "shop-b.example.bg").await;
    let theirs = fixtures::attention_order(store, b.firm_id, conn_b.id, "777", "Y-1").await;
    fixtures::unreadable(store, b.firm_id, conn_b.id, "garbage").await;

    for (method, path) in [
        ("GET", format!("/shops/{}/orders/777", conn_b.id)),
        ("POST", format!("/shops/{}/orders/777/retry", conn_b.id)),
        ("POST", format!("/shops/{}/orders/retry", conn_b.id)),
        ("GET", format!("/shop-orders?connection_id={}", conn_b.id)),
    ] {
        let (status, body) = server.call(method, &path, Some(ta), None).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(
        store
            .shop_order(b.firm_id, conn_b.id, "777")
            .await
            .expect("record"),
        theirs,
        "nothing written"
    );
    assert_eq!(server.get_ok("/shop-orders", ta).await["total"], 0);
    assert_eq!(
        server.get_ok("/shop-deliveries/unreadable", ta).await["total"],
        0
    );
    assert_eq!(server.get_ok("/shop-attention", ta).await["count"], 0);
    assert_eq!(server.get_ok("/shop-attention", &b.token).await["count"], 2);
}

on_both_engines!(
    shop_orders_are_listed_read_and_filtered,
    members_retry_and_the_record_is_read_again,
    another_firms_shop_orders_are_not_found,
);
