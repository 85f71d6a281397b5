//! A token of one firm never sees or changes another firm's data, and operators are
//! refused the owner's endpoints.

mod api_support;

use api_support::{assert_error, assert_field, TestServer};
use reqwest::StatusCode;
use serde_json::json;

async fn one_firm_cannot_reach_another(server: TestServer) {
    let a = server.tenant("Фирма А", "owner_a").await;
    let b = server.tenant("Фирма Б", "owner_b").await;
    let ta = a.token.as_str();
    let tb = b.token.as_str();

    let good = server
        .post_expect(
            "/goods",
            ta,
            json!({"code": "A-1", "name": "Тайна стока", "barcodes": ["999"], "prices": {"retail": "5"}}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let object = server.get_ok("/objects", ta).await[0]["id"]
        .as_i64()
        .unwrap();
    let partner = server
        .post_expect(
            "/partners",
            ta,
            json!({"name": "Клиент на А"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let payment_type = server.get_ok("/payment-types", ta).await[0]["id"]
        .as_i64()
        .unwrap();
    let order = server
        .post_expect(
            "/operations",
            ta,
            json!({"kind": "order", "object_id": object,
                   "lines": [{"good_id": good, "quantity": "1", "unit_price": "5"}]}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let before = server.snapshot(ta).await;

    // Reads of A's records by B: not found.
    for path in [
        format!("/goods/{good}"),
        "/goods/by-code/A-1".to_owned(),
        "/goods/by-code/999".to_owned(),
        format!("/objects/{object}"),
        format!("/partners/{partner}"),
        format!("/payment-types/{payment_type}"),
        format!("/operations/{order}"),
        format!("/stock?object_id={object}"),
        format!("/stock/goods/{good}"),
        format!("/stock/available?object_ids={object}"),
    ] {
        let (status, body) = server.call("GET", &path, Some(tb), None).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    // B's lists do not contain A's records.
    let goods = server.get_ok("/goods", tb).await;
    assert_eq!(goods["total"], 0);
    let operations = server.get_ok("/operations", tb).await;
    assert_eq!(operations["total"], 0);
    let available = server.get_ok("/stock/available", tb).await;
    assert!(available
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["good_id"] != good));

    // Changes of A's records by B: not found.
    let writes = [
        (
            "PUT",
            format!("/goods/{good}"),
            Some(json!({"code": "X", "name": "X"})),
        ),
        ("DELETE", format!("/goods/{good}"), None),
        (
            "PUT",
            format!("/objects/{object}"),
            Some(json!({"name": "X"})),
        ),
        ("DELETE", format!("/objects/{object}"), None),
        (
            "PUT",
            format!("/partners/{partner}"),
            Some(json!({"name": "X"})),
        ),
        ("DELETE", format!("/partners/{partner}"), None),
        (
            "PUT",
            format!("/payment-types/{payment_type}"),
            Some(json!({"name": "X", "method": "cash"})),
        ),
        ("DELETE", format!("/payment-types/{payment_type}"), None),
        (
            "PUT",
            format!("/operations/{order}"),
            Some(json!({"kind": "order", "object_id": object,
                        "lines": [{"good_id": good, "quantity": "2", "unit_price": "5"}]})),
        ),
        ("POST", format!("/operations/{order}/annul"), None),
        ("POST", format!("/operations/{order}/convert-to-sale"), None),
    ];
    for (method, path, body) in writes {
        let (status, answer) = server.call(method, &path, Some(tb), body).await;
        assert_error(status, &answer, StatusCode::NOT_FOUND, "not_found");
    }

    // A's ids inside B's operation are unknown in B.
    let fields = server
        .refused(
            "POST",
            "/operations",
            Some(tb),
            Some(
                json!({"kind": "sale", "object_id": object, "partner_id": partner,
                        "payment_type_id": payment_type,
                        "lines": [{"good_id": good, "quantity": "1", "unit_price": "5"}]}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "object_id", "object_unknown");
    assert_field(&fields, "lines[0].good_id", "good_unknown");
    assert_field(&fields, "partner_id", "partner_unknown");
    assert_field(&fields, "payment_type_id", "payment_type_unknown");

    assert_eq!(server.snapshot(ta).await, before, "A's data is untouched");
}

async fn operators_are_refused_owner_endpoints(server: TestServer) {
    let firm = server.tenant("Роли ООД", "boss").await;
    let operator = server.operator_token(firm.firm_id, "clerk").await;
    let op = operator.as_str();
    for (method, path) in [
        ("GET", "/users"),
        ("POST", "/users"),
        ("PATCH", "/firm"),
        ("GET", "/backup"),
        ("POST", "/restore"),
        ("POST", "/euro-changeover"),
    ] {
        let (status, body) = server.call(method, path, Some(op), Some(json!({}))).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    // Daily work is allowed.
    server.get_ok("/goods", op).await;
    server
        .post_expect(
            "/goods",
            op,
            json!({"code": "OP1", "name": "От оператор"}),
            StatusCode::CREATED,
        )
        .await;

    // The owner manages users within the seats (3: boss, clerk, one more).
    let created = server
        .post_expect(
            "/users",
            &firm.token,
            json!({"login": "third", "role": "operator"}),
            StatusCode::CREATED,
        )
        .await;
    assert!(
        created["password"].as_str().is_some_and(|p| p.len() >= 16),
        "{created}"
    );
    let users = server.get_ok("/users", &firm.token).await;
    assert_eq!(users.as_array().unwrap().len(), 3);
    let fields = server
        .refused(
            "POST",
            "/users",
            Some(&firm.token),
            Some(json!({"login": "fourth", "role": "operator"})),
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    assert_field(&fields, "seats", "seats_exceeded");
    assert_eq!(
        server
            .get_ok("/users", &firm.token)
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

on_both_engines!(
    one_firm_cannot_reach_another,
    operators_are_refused_owner_endpoints
);
