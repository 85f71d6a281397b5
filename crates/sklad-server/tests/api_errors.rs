//! Every kind of bad input gets the one error shape, with the field's path where there
//! is a field, and nothing stored changes.

mod api_support;

use api_support::{assert_error, assert_field, TestServer};
use reqwest::StatusCode;
use serde_json::json;

/// A firm with one good (code A1, barcode 111) and its main object; (token, good, object).
async fn firm_with_good(server: &TestServer) -> (String, i64, i64) {
    let firm = server.tenant("Грешки ООД", "gosho").await;
    let good = server
        .post_expect(
            "/goods",
            &firm.token,
            json!({"code": "A1", "name": "Стока", "barcodes": ["111"], "prices": {"retail": "1.00"}}),
            StatusCode::CREATED,
        )
        .await;
    let objects = server.get_ok("/objects", &firm.token).await;
    (
        firm.token,
        good["id"].as_i64().unwrap(),
        objects[0]["id"].as_i64().unwrap(),
    )
}

async fn bad_bodies_are_refused_and_nothing_is_written(server: TestServer) {
    let (t, good, object) = firm_with_good(&server).await;
    let t = t.as_str();
    let before = server.snapshot(t).await;

    // Malformed JSON.
    let (status, body) = server
        .call_raw("POST", "/goods", Some(t), b"{\"code\": \"B1\", ".to_vec())
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "json_malformed");

    // Wrong JSON types, unknown enum values and unknown fields name the field.
    let cases = [
        ("/goods", json!({"code": 5, "name": "x"}), "code"),
        (
            "/goods",
            json!({"code": "B1", "name": "x", "kind": "gadget"}),
            "kind",
        ),
        (
            "/goods",
            json!({"code": "B1", "name": "x", "barcodes": "123"}),
            "barcodes",
        ),
        (
            "/objects",
            json!({"name": "Склад 2", "kind": "castle"}),
            "kind",
        ),
        (
            "/operations",
            json!({"kind": "delivery", "object_id": object,
                   "lines": [{"good_id": "one", "quantity": "1", "unit_price": "1"}]}),
            "lines[0].good_id",
        ),
        (
            "/operations",
            json!({"kind": "teleport", "object_id": object, "lines": []}),
            "kind",
        ),
    ];
    for (path, payload, field) in cases {
        let fields = server
            .refused(
                "POST",
                path,
                Some(t),
                Some(payload),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, field, "type_invalid");
    }
    server
        .refused(
            "POST",
            "/goods",
            Some(t),
            Some(json!({"code": "B1", "name": "x", "colour": "red"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;

    // Invalid ЕИК, on a partner and on the firm.
    let eik_cases = [
        (
            "POST",
            "/partners",
            json!({"name": "Лош", "eik": "831826093"}),
        ),
        ("PATCH", "/firm", json!({"eik": "831826093"})),
    ];
    for (method, path, payload) in eik_cases {
        let fields = server
            .refused(
                method,
                path,
                Some(t),
                Some(payload),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, "eik", "eik_invalid");
    }

    // Duplicate code and barcode.
    let fields = server
        .refused(
            "POST",
            "/goods",
            Some(t),
            Some(json!({"code": "A1", "name": "Друга"})),
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    assert_field(&fields, "code", "code_duplicate");
    let (status, body) = server
        .call(
            "POST",
            "/goods",
            Some(t),
            Some(json!({"code": "B2", "name": "Друга", "barcodes": ["111"]})),
        )
        .await;
    let fields = assert_error(status, &body, StatusCode::CONFLICT, "conflict");
    assert!(
        fields.iter().any(|f| f["code"] == "barcode_duplicate"),
        "{body}"
    );

    // Bad amounts and prices.
    let fields = server
        .refused(
            "POST",
            "/goods",
            Some(t),
            Some(json!({"code": "B3", "name": "x", "prices": {"retail": "1.005", "gold": "1"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "prices.retail", "amount_precision");
    assert_field(&fields, "prices.gold", "price_group_unknown");

    // Operations: unknown good and object, quantity 0, NaN-like text, too many decimals.
    let line = |quantity: serde_json::Value| {
        json!({"kind": "sale", "object_id": object,
               "lines": [{"good_id": good, "quantity": quantity, "unit_price": "1.00"}]})
    };
    let op_cases = [
        (
            line(json!("0")),
            "lines[0].quantity",
            "quantity_not_positive",
        ),
        (line(json!(0)), "lines[0].quantity", "quantity_not_positive"),
        (line(json!("NaN")), "lines[0].quantity", "quantity_invalid"),
        (line(json!("1e3")), "lines[0].quantity", "quantity_invalid"),
        (
            line(json!("1.2345")),
            "lines[0].quantity",
            "quantity_precision",
        ),
        (
            json!({"kind": "delivery", "object_id": object,
                   "lines": [{"good_id": good + 1000, "quantity": "1", "unit_price": "1"}]}),
            "lines[0].good_id",
            "good_unknown",
        ),
        (
            json!({"kind": "delivery", "object_id": object + 1000,
                   "lines": [{"good_id": good, "quantity": "1", "unit_price": "1"}]}),
            "object_id",
            "object_unknown",
        ),
        (
            json!({"kind": "delivery", "object_id": object, "date": "31.02.2026",
                   "lines": [{"good_id": good, "quantity": "1", "unit_price": "1"}]}),
            "date",
            "date_invalid",
        ),
    ];
    for (payload, field, code) in op_cases {
        let fields = server
            .refused(
                "POST",
                "/operations",
                Some(t),
                Some(payload),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, field, code);
    }

    // Bad query and path parameters.
    let query_cases = [
        ("/goods?limit=abc", "limit", "parameter_invalid"),
        ("/operations?kind=gift", "kind", "parameter_invalid"),
        ("/stock", "object_id", "required"),
    ];
    for (path, field, code) in query_cases {
        let fields = server
            .refused(
                "GET",
                path,
                Some(t),
                None,
                StatusCode::BAD_REQUEST,
                "parameters_invalid",
            )
            .await;
        assert_field(&fields, field, code);
    }
    let (status, body) = server.call("GET", "/goods/abc", Some(t), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = server.call("GET", "/no-such-thing", Some(t), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "route_not_found");
    let (status, body) = server.call("DELETE", "/firm", Some(t), None).await;
    assert_error(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );

    assert_eq!(server.snapshot(t).await, before, "nothing stored changed");
}

async fn missing_or_unknown_tokens_are_401(server: TestServer) {
    let firm = server.tenant("Ключове ООД", "kiro").await;
    for token in [None, Some("skl_0000"), Some("")] {
        let (status, body) = server.call("GET", "/goods", token, None).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let response = server
        .http
        .get(format!("{}/goods", server.api))
        .header("authorization", format!("Basic {}", firm.token))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// Bodies over the configured limit are refused with the error shape, before parsing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_413() {
    let db = sklad_store::testing::TestDatabase::sqlite();
    let (server, task) = api_support::start_with_body_limit(db.url(), 1024).await;
    let firm = server.tenant("Лимит ООД", "limit").await;
    let big_name = "я".repeat(2048);
    server
        .refused(
            "POST",
            "/goods",
            Some(&firm.token),
            Some(json!({"code": "BIG", "name": big_name})),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        )
        .await;
    let (status, body) = server
        .call_raw("POST", "/restore", Some(&firm.token), vec![0u8; 4096])
        .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    assert_eq!(server.get_ok("/goods", &firm.token).await["total"], 0);
    task.abort();
    server.store.close().await;
}

/// `GET path` at the server's root without a token: status and JSON body.
async fn probe(server: &TestServer, path: &str) -> (StatusCode, serde_json::Value) {
    let answer = server
        .http
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .expect("request");
    let status = answer.status();
    (status, answer.json().await.expect("json"))
}

fn ready() -> (StatusCode, serde_json::Value) {
    (
        StatusCode::OK,
        json!({"status": "ready", "checks": {"database": "ok", "migrations": "ok", "workers": "ok"}}),
    )
}

/// `/readyz` once the worker loop's first round is done (or what it says after 50
/// rounds of waiting for the bridge's activity).
async fn readiness_settled(server: &TestServer) -> (StatusCode, serde_json::Value) {
    let mut answer = probe(server, "/readyz").await;
    for _ in 0..50 {
        if answer.0 == StatusCode::OK {
            break;
        }
        server
            .bridge
            .wait_for_activity(std::time::Duration::from_millis(100))
            .await;
        answer = probe(server, "/readyz").await;
    }
    answer
}

/// The body of `/readyz` when the database cannot be reached: 503 naming it, no secret.
fn assert_database_unreachable((status, body): (StatusCode, serde_json::Value)) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["checks"]["database"], "unreachable");
    assert!(!body.to_string().contains("postgres://"), "{body}");
    assert!(!body.to_string().contains("sqlite://"), "{body}");
}

/// Issue 10: `/healthz` answers while the process runs; `/readyz` says ready while the
/// database answers, its migrations are current and the workers run, and 503 naming the
/// database once it is gone — both without a token and without a secret in the body.
async fn health_and_readiness_flip_when_the_database_goes(server: TestServer) {
    assert_eq!(
        probe(&server, "/healthz").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert_eq!(readiness_settled(&server).await, ready());
    server.store.close().await;
    assert_database_unreachable(probe(&server, "/readyz").await);
    assert_eq!(
        probe(&server, "/healthz").await.0,
        StatusCode::OK,
        "the process still runs"
    );
}

/// Issue 10 on a real PostgreSQL server going away and coming back: every session of
/// Sklad's database ended and new ones refused → `/readyz` 503 naming the database
/// while `/healthz` still answers; connections let in again → ready again and a write
/// goes through, without restarting Sklad (its pool replaces the dead connections).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_postgres_away_and_back() {
    let Some(db) = sklad_store::testing::TestDatabase::postgres().await else {
        return;
    };
    let (server, task) = api_support::start(db.url()).await;
    let firm = server.tenant("Връзка ООД", "vrazka").await;
    assert_eq!(readiness_settled(&server).await, ready());

    db.allow_connections(false).await;
    assert_database_unreachable(probe(&server, "/readyz").await);
    assert_eq!(probe(&server, "/healthz").await.0, StatusCode::OK);
    let (status, _) = server
        .call(
            "POST",
            "/goods",
            Some(&firm.token),
            Some(json!({"code": "A1", "name": "Ябълки"})),
        )
        .await;
    assert!(status.is_server_error(), "no database, no write: {status}");

    db.allow_connections(true).await;
    assert_eq!(readiness_settled(&server).await, ready());
    server
        .post_expect(
            "/goods",
            &firm.token,
            json!({"code": "A1", "name": "Ябълки"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(server.get_ok("/goods", &firm.token).await["total"], 1);
    task.abort();
    server.store.close().await;
}

on_both_engines!(
    bad_bodies_are_refused_and_nothing_is_written,
    missing_or_unknown_tokens_are_401,
    health_and_readiness_flip_when_the_database_goes
);
