//! The newcomer's round from issue 2 over the REST API: objects, goods with barcodes and
//! prices, a delivery, an order (available drops, on hand does not), conversion to a
//! sale (on hand drops), annul and edit, backup → restore → identical canonical export.

mod api_support;

use api_support::{assert_error, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// (on hand, reserved, available) of a good in `/stock/available?object_ids=…`.
async fn availability(
    server: &TestServer,
    token: &str,
    objects: &str,
    good: i64,
) -> (String, String, String) {
    let rows = server
        .get_ok(&format!("/stock/available?object_ids={objects}"), token)
        .await;
    let row = rows
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["good_id"] == good)
        .unwrap_or_else(|| panic!("good {good} missing in {rows}"))
        .clone();
    (
        row["on_hand"].as_str().unwrap().to_owned(),
        row["reserved"].as_str().unwrap().to_owned(),
        row["available"].as_str().unwrap().to_owned(),
    )
}

fn s3(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

async fn newcomer_round(server: TestServer) {
    let firm = server.tenant("Пример ООД", "ivan").await;
    let t = firm.token.as_str();

    let shop = server
        .post_expect(
            "/objects",
            t,
            json!({"name": "Магазин Център", "kind": "shop", "price_group": "retail"}),
            StatusCode::CREATED,
        )
        .await;
    let shop_id = shop["id"].as_i64().unwrap();
    assert_eq!(shop["kind"], "shop");

    let tea = server
        .post_expect(
            "/goods",
            t,
            json!({
                "code": "TEA-1",
                "name": "Чай мента",
                "barcodes": ["3800000000017", "3800000000024"],
                "measure": "бр.",
                "vat_rate": 20,
                "group": "Напитки",
                "prices": {"purchase": "2.10", "retail": 4.5, "wholesale": "3,90"}
            }),
            StatusCode::CREATED,
        )
        .await;
    let tea_id = tea["id"].as_i64().unwrap();
    assert_eq!(tea["prices"]["retail"], "4.50");
    assert_eq!(tea["prices"]["wholesale"], "3.90");
    assert_eq!(tea["barcodes"].as_array().unwrap().len(), 2);
    let honey = server
        .post_expect(
            "/goods",
            t,
            json!({"code": "HONEY", "name": "Мед 500 г", "barcodes": ["3800000000031"], "vat_rate": "9",
                   "prices": {"retail": "12.00"}}),
            StatusCode::CREATED,
        )
        .await;
    let honey_id = honey["id"].as_i64().unwrap();

    // Found by code and by either barcode; searched, filtered and paged.
    for key in ["TEA-1", "3800000000024"] {
        let found = server.get_ok(&format!("/goods/by-code/{key}"), t).await;
        assert_eq!(found["id"], tea_id);
    }
    let page = server
        .get_ok("/goods?q=%D0%BC%D0%B5%D0%B4&limit=1", t)
        .await; // "мед"
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], honey_id);
    let page = server.get_ok("/goods?limit=1&offset=1", t).await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);

    let supplier = server
        .post_expect(
            "/partners",
            t,
            json!({"name": "Доставчик ЕООД", "eik": "831826092", "role": "supplier", "city": "София"}),
            StatusCode::CREATED,
        )
        .await;
    let payment_types = server.get_ok("/payment-types", t).await;
    let cash = payment_types
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["method"] == "cash")
        .expect("default cash payment type")["id"]
        .clone();

    let delivery = server
        .post_expect(
            "/operations",
            t,
            json!({
                "kind": "delivery", "date": "2026-11-28", "object_id": shop_id,
                "partner_id": supplier["id"], "payment_type_id": cash,
                "lines": [
                    {"good_id": tea_id, "quantity": "10", "unit_price": "2.10"},
                    {"good_id": honey_id, "quantity": 4, "unit_price": 8}
                ]
            }),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(delivery["totals"]["gross"], "53.00");
    assert_eq!(delivery["lines"][1]["vat_rate"], 9, "the good's own rate");
    let objects = shop_id.to_string();
    assert_eq!(
        availability(&server, t, &objects, tea_id).await,
        s3("10", "0", "10")
    );

    // An order reserves: available drops, on hand does not.
    let order = server
        .post_expect(
            "/operations",
            t,
            json!({
                "kind": "order", "object_id": shop_id, "payment_type_id": cash,
                "external_ref": {"source": "cloudcart", "id": "1001"},
                "lines": [{"good_id": tea_id, "quantity": "3", "unit_price": "4.50"}]
            }),
            StatusCode::CREATED,
        )
        .await;
    let order_id = order["id"].as_i64().unwrap();
    assert_eq!(order["date"], "2026-11-28", "today by the injected clock");
    let found = server
        .get_ok("/operations/by-external-ref?source=cloudcart&id=1001", t)
        .await;
    assert_eq!(found["id"], order_id);
    let (status, body) = server
        .call(
            "GET",
            "/operations/by-external-ref?source=cloudcart&id=9999",
            Some(t),
            None,
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        availability(&server, t, &objects, tea_id).await,
        s3("10", "3", "7")
    );

    // Converting it into a sale: the reservation is released and on hand drops.
    let sale = server
        .post_expect(
            &format!("/operations/{order_id}/convert-to-sale"),
            t,
            json!({}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(sale["kind"], "sale");
    assert_eq!(sale["totals"]["gross"], "13.50");
    assert_eq!(
        availability(&server, t, &objects, tea_id).await,
        s3("7", "0", "7")
    );
    let order = server.get_ok(&format!("/operations/{order_id}"), t).await;
    assert_eq!(order["status"], "converted");
    assert_eq!(order["converted_to"], sale["id"]);
    let (status, body) = server
        .call(
            "POST",
            &format!("/operations/{order_id}/convert-to-sale"),
            Some(t),
            None,
        )
        .await;
    assert!(
        status == StatusCode::CONFLICT || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{body}"
    );
    assert!(
        body["error"]["fields"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{body}"
    );

    // Editing and annulling reverse their stock effect exactly.
    let sale_id = sale["id"].as_i64().unwrap();
    let edited = server
        .call(
            "PUT",
            &format!("/operations/{sale_id}"),
            Some(t),
            Some(json!({
                "kind": "sale", "date": "2026-11-28", "object_id": shop_id,
                "lines": [{"good_id": tea_id, "quantity": "1.5", "unit_price": "4.50", "discount": "10"}]
            })),
        )
        .await;
    assert_eq!(edited.0, StatusCode::OK, "{}", edited.1);
    assert_eq!(edited.1["lines"][0]["total"], "6.08");
    assert_eq!(
        availability(&server, t, &objects, tea_id).await,
        s3("8.5", "0", "8.5")
    );
    let annulled = server
        .post_expect(
            &format!("/operations/{sale_id}/annul"),
            t,
            json!(null),
            StatusCode::OK,
        )
        .await;
    assert_eq!(annulled["status"], "annulled");
    assert_eq!(
        availability(&server, t, &objects, tea_id).await,
        s3("10", "0", "10")
    );

    // Stock per object and per good.
    let levels = server
        .get_ok(&format!("/stock?object_id={shop_id}"), t)
        .await;
    assert!(levels
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["good_id"] == tea_id && l["on_hand"] == "10"));
    let levels = server.get_ok(&format!("/stock/goods/{honey_id}"), t).await;
    assert_eq!(levels[0]["on_hand"], "4");

    // The ledger explains the level: every row names its operation and they add up.
    let ledger = server
        .get_ok(
            &format!("/stock/ledger?object_id={shop_id}&good_id={tea_id}"),
            t,
        )
        .await;
    let rows = ledger.as_array().unwrap();
    assert!(
        rows.iter().all(|r| r["operation_id"].as_i64().is_some()),
        "{ledger}"
    );
    let milli = |v: &Value| -> i64 {
        let text = v.as_str().unwrap();
        (text.parse::<f64>().unwrap() * 1000.0).round() as i64
    };
    assert_eq!(
        rows.iter().map(|r| milli(&r["on_hand_delta"])).sum::<i64>(),
        10_000
    );
    assert_eq!(
        rows.iter()
            .map(|r| milli(&r["reserved_delta"]))
            .sum::<i64>(),
        0
    );

    // Lists with filters.
    let orders = server
        .get_ok("/operations?kind=order&status=converted", t)
        .await;
    assert_eq!(orders["total"], 1);
    let all = server.get_ok("/operations", t).await;
    assert_eq!(all["total"], 3);
}

async fn backup_and_restore_are_identical(server: TestServer) {
    let firm = server.tenant("Архивна ООД", "maria").await;
    let t = firm.token.as_str();
    let good = server
        .post_expect(
            "/goods",
            t,
            json!({"code": "A1", "name": "Стока", "barcodes": ["123456"], "prices": {"retail": "1.99"}}),
            StatusCode::CREATED,
        )
        .await;
    let objects = server.get_ok("/objects", t).await;
    server
        .post_expect(
            "/operations",
            t,
            json!({"kind": "delivery", "object_id": objects[0]["id"],
                   "lines": [{"good_id": good["id"], "quantity": "5", "unit_price": "1.00"}]}),
            StatusCode::CREATED,
        )
        .await;

    let response = server
        .http
        .get(format!("{}/backup", server.api))
        .bearer_auth(t)
        .send()
        .await
        .expect("backup");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("attachment")));
    let archive = response.bytes().await.expect("archive").to_vec();

    // A damaged archive is refused and creates no firm.
    let mut damaged = archive.clone();
    damaged.truncate(damaged.len() / 2);
    let (status, body) = server.call_raw("POST", "/restore", Some(t), damaged).await;
    assert!(status.is_client_error(), "{body}");
    assert!(
        body["error"]["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("archive")),
        "{body}"
    );

    let (status, restored) = server.call_raw("POST", "/restore", Some(t), archive).await;
    assert_eq!(status, StatusCode::CREATED, "{restored}");
    let restored_id = restored["id"].as_i64().unwrap();
    assert_ne!(restored_id, firm.firm_id);
    assert_eq!(restored["name"], "Архивна ООД");

    let before = server
        .store
        .export_firm_canonical(firm.firm_id)
        .await
        .expect("export");
    let after = server
        .store
        .export_firm_canonical(restored_id)
        .await
        .expect("export");
    assert_eq!(before, after);
}

async fn euro_changeover_converts_prices(server: TestServer) {
    let firm = server.tenant("Левова ЕООД", "petar").await;
    let t = firm.token.as_str();
    let good = server
        .post_expect(
            "/goods",
            t,
            json!({"code": "L1", "name": "Стока", "prices": {"retail": "10.00"}}),
            StatusCode::CREATED,
        )
        .await;
    let done = server
        .post_expect("/euro-changeover", t, json!(null), StatusCode::OK)
        .await;
    assert_eq!(done["firm"]["currency"], "EUR");
    let good: Value = server.get_ok(&format!("/goods/{}", good["id"]), t).await;
    assert_eq!(good["prices"]["retail"], "5.11", "10.00 лв → 5.11 €");
    let (status, body) = server.call("POST", "/euro-changeover", Some(t), None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");
    let journal = server.get_ok("/journal", t).await;
    let entry = &journal["items"][0];
    assert_eq!(entry["action"], "euro_changeover", "{journal}");
    assert_eq!(entry["actor"], "petar");
}

on_both_engines!(
    newcomer_round,
    backup_and_restore_are_identical,
    euro_changeover_converts_prices
);
