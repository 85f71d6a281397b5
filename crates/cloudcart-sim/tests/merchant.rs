//! The merchant's admin-panel work: catalogue edits that fire the `product.*` webhooks of
//! admin saves (API.md §6.3, MERCHANT.md §13.4), SKU uniqueness (MERCHANT.md §10), payment
//! methods (API.md §5.1, MERCHANT.md §9.1), webhook subscriptions (MERCHANT.md §11) and API
//! keys (API.md §1.2, §6.4, MERCHANT.md §2) — in process and over `/_sim/`.

mod common;

use cloudcart_sim::{
    NewPaymentProvider, NewProduct, NewVariant, OrderRequest, ProductEdit, VariantEdit,
    WebhookFaults,
};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const PRODUCT_EVENTS: [&str; 4] = [
    "category.created",
    "product.created",
    "product.updated",
    "product.deleted",
];

/// A receiver (always 200) subscribed to `events`.
async fn hooked_to(h: &Harness, events: &[&str]) -> Receiver {
    let (rx, addr) = Receiver::start(vec![]).await;
    for e in events {
        subscribe(h, &format!("http://{addr}/{e}"), e).await;
    }
    rx
}

/// (event, payload element) of every delivery so far, after running the due ones.
async fn fired(h: &Harness) -> Vec<(String, Value)> {
    let c = h.sim.control();
    c.flush_webhooks().await;
    c.deliveries(HOST)
        .into_iter()
        .map(|d| (d.event, d.body[0].clone()))
        .collect()
}

fn names(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(e, _)| e.as_str()).collect()
}

fn tee() -> NewProduct {
    NewProduct {
        name: "Тениска „Лого“".into(),
        description: Some("Памучна тениска с логото на магазина.".into()),
        category: Some("Тениски".into()),
        variants: vec![
            NewVariant::new("TS-M-BLK", 2490, Some(10.0))
                .option("Размер", "M")
                .option("Цвят", "Черен")
                .barcode("3800000000011"),
            NewVariant::new("TS-L-BLK", 2590, None)
                .option("Размер", "L")
                .option("Цвят", "Черен"),
        ],
    }
}

fn control_path(rest: &str) -> String {
    format!("/_sim/shops/{HOST}{rest}")
}

#[tokio::test]
async fn merchant_creates_products_with_and_without_options_and_fires_product_created() {
    let h = start(shop()).await;
    let rx = hooked_to(&h, &PRODUCT_EVENTS).await;
    let c = h.sim.control();
    // API writes still fire no product.created / product.updated.
    api_item(&h, "Кафе", "COF-1", 1290, 5, false).await;
    assert_eq!(names(&fired(&h).await), ["category.created"]);
    let p = c.create_product(HOST, &tee()).unwrap();
    assert_eq!(p.variants.len(), 2);
    assert_eq!(
        p.description.as_deref(),
        Some("Памучна тениска с логото на магазина.")
    );
    let events = fired(&h).await;
    assert_eq!(
        names(&events),
        ["category.created", "category.created", "product.created"]
    );
    let (_, payload) = &events[2];
    assert_eq!(payload["type"], "products");
    assert_eq!(payload["id"], p.id.to_string());
    assert_eq!(payload["attributes"]["name"], "Тениска „Лого“");
    assert_eq!(rx.count(), 3);
    // The API reads back the product, its description and both variants.
    let r = h
        .get(&format!("/api/v2/products/{}?include=variants", p.id))
        .await;
    assert_eq!(r.status, 200);
    let a = &r.body["data"]["attributes"];
    assert_eq!(a["description"], "Памучна тениска с логото на магазина.");
    assert_eq!(a["tracking"], "yes", "admin default");
    assert_eq!(a["p1"], "Размер");
    assert_eq!(a["p2"], "Цвят");
    assert_eq!(a["product_type"], "multiple");
    let vs = r.body["included"].as_array().unwrap();
    assert_eq!(vs.len(), 2);
    assert_eq!(vs[0]["attributes"]["sku"], "TS-M-BLK");
    assert_eq!(vs[0]["attributes"]["barcode"], "3800000000011");
    assert_eq!(vs[0]["attributes"]["quantity"], 10);
    assert_eq!(vs[0]["attributes"]["v1"], "M");
    assert_eq!(vs[1]["attributes"]["quantity"], Value::Null, "unlimited");
    assert_eq!(vs[1]["attributes"]["price"], 2590);
    // An option-less single-variant product in an existing category (no category event).
    let honey = c
        .create_product(
            HOST,
            &NewProduct {
                category: Some("кафе".into()),
                ..NewProduct::new(
                    "Мед от Странджа",
                    vec![NewVariant::new("HON-1", 1190, Some(3.0))],
                )
            },
        )
        .unwrap();
    let r = h
        .get(&format!("/api/v2/products/{}?include=variants", honey.id))
        .await;
    assert_eq!(r.body["data"]["attributes"]["product_type"], "simple");
    assert_eq!(r.body["data"]["attributes"]["description"], Value::Null);
    let v = &r.body["included"][0]["attributes"];
    assert_eq!(v["sku"], "HON-1");
    assert_eq!(v["v1_id"], Value::Null);
    assert_eq!(v["quantity"], 3);
    assert_eq!(
        names(&fired(&h).await)[3..],
        ["product.created"],
        "found the category case-insensitively"
    );
    // It is sellable like any other product.
    let id = c
        .place_order(HOST, &OrderRequest::person("m@example.bg", &[("HON-1", 1)]))
        .unwrap();
    assert!(c.order(HOST, id).is_some());
}

#[tokio::test]
async fn merchant_product_and_variant_saves_fire_product_updated_of_the_product() {
    let h = start(shop()).await;
    hooked_to(&h, &["product.updated"]).await;
    let c = h.sim.control();
    let p = c.create_product(HOST, &tee()).unwrap();
    let other = c
        .create_product(
            HOST,
            &NewProduct::new("Чаша", vec![NewVariant::new("MUG-1", 990, Some(4.0))]),
        )
        .unwrap();
    assert!(fired(&h).await.is_empty(), "no product.created subscriber");
    // Product save.
    let edit = ProductEdit {
        name: Some("Тениска „Ново лого“".into()),
        description: Some(Some("Нов текст.".into())),
    };
    let v = c.edit_product(HOST, p.id, &edit).unwrap();
    assert_eq!(v.name, "Тениска „Ново лого“");
    let r = h.get(&format!("/api/v2/products/{}", p.id)).await;
    assert_eq!(r.body["data"]["attributes"]["description"], "Нов текст.");
    // Variant saves: price + stock, SKU, unlimited stock, barcode removed.
    let m = p.variants[0].id;
    let edit = VariantEdit {
        price: Some(2690),
        quantity: Some(Some(7.0)),
        ..Default::default()
    };
    let v = c.edit_variant(HOST, m, &edit).unwrap();
    assert_eq!((v.price, v.quantity), (2690, Some(7.0)));
    let edit = VariantEdit {
        sku: Some(Some("TS-M-BLACK".into())),
        barcode: Some(None),
        quantity: Some(None),
        ..Default::default()
    };
    c.edit_variant(HOST, m, &edit).unwrap();
    let r = h.get(&format!("/api/v2/variants/{m}")).await;
    let a = &r.body["data"]["attributes"];
    assert_eq!(a["sku"], "TS-M-BLACK");
    assert_eq!(a["barcode"], Value::Null);
    assert_eq!(a["quantity"], Value::Null);
    assert_eq!(a["price"], 2690);
    let r = h.get("/api/v2/variants?filter[sku]=TS-M-BLK").await;
    assert_eq!(r.body["meta"]["page"]["total"], 0, "old SKU is gone");
    // Add a variant (new option value created on the fly), then delete one.
    let xl = c
        .add_variant(
            HOST,
            p.id,
            &NewVariant::new("TS-XL-BLK", 2790, Some(2.0))
                .option("цвят", "черен")
                .option("Размер", "XL"),
        )
        .unwrap();
    let r = h.get(&format!("/api/v2/variants/{}", xl.id)).await;
    assert_eq!(r.body["data"]["attributes"]["v1"], "XL");
    assert_eq!(r.body["data"]["attributes"]["v2"], "Черен");
    c.delete_variant(HOST, p.variants[1].id).unwrap();
    let r = h
        .get(&format!("/api/v2/variants/{}", p.variants[1].id))
        .await;
    assert_eq!(r.status, 404);
    // Every save fired exactly one product.updated, each about its product.
    let pid = p.id.to_string();
    let events = fired(&h).await;
    assert_eq!(events.len(), 5);
    assert!(events
        .iter()
        .all(|(e, b)| e == "product.updated" && b["id"] == pid));
    assert_eq!(events[0].1["attributes"]["name"], "Тениска „Ново лого“");
    // The last variant of a product is never deleted on its own.
    let e = c.delete_variant(HOST, other.variants[0].id).unwrap_err();
    assert_eq!((e.code, e.status), ("last_variant", 422));
    // The Inventory screen's stock-only edit stays silent.
    c.set_variant_quantity(HOST, "MUG-1", Some(12.0)).unwrap();
    assert_eq!(fired(&h).await.len(), 5);
    assert_eq!(c.variant(HOST, "MUG-1").unwrap().quantity, Some(12.0));
}

#[tokio::test]
async fn merchant_sku_uniqueness_and_validation_refusals_change_nothing() {
    let h = start(shop()).await;
    hooked_to(&h, &PRODUCT_EVENTS).await;
    api_item(&h, "Кафе", "COF-1", 1290, 5, false).await;
    let c = h.sim.control();
    let p = c.create_product(HOST, &tee()).unwrap();
    let before = (c.variants(HOST).len(), fired(&h).await.len());
    let refused = |code: &str, e: cloudcart_sim::ControlError| {
        assert_eq!(e.code, code, "{e}");
        assert_eq!(e.status, 422);
        assert!(!e.message_bg.is_empty() && !e.message_en.is_empty());
    };
    // Taken by an API-created variant, by another product, or twice in one product.
    let dup = NewProduct::new("Кафе 2", vec![NewVariant::new("COF-1", 100, None)]);
    refused("sku_taken", c.create_product(HOST, &dup).unwrap_err());
    let mut twice = tee();
    for v in &mut twice.variants {
        v.sku = Some("NEW-SKU".into());
    }
    refused("sku_taken", c.create_product(HOST, &twice).unwrap_err());
    let e = c
        .edit_variant(
            HOST,
            p.variants[0].id,
            &VariantEdit {
                sku: Some(Some("COF-1".into())),
                ..Default::default()
            },
        )
        .unwrap_err();
    refused("sku_taken", e);
    let e = c
        .add_variant(
            HOST,
            p.id,
            &NewVariant::new(" TS-L-BLK ", 1, None)
                .option("Размер", "S")
                .option("Цвят", "Бял"),
        )
        .unwrap_err();
    refused("sku_taken", e);
    // Shape rules.
    let two_plain = NewProduct::new(
        "Две",
        vec![
            NewVariant::new("A-1", 1, None),
            NewVariant::new("A-2", 1, None),
        ],
    );
    refused(
        "option_less_variant_exists",
        c.create_product(HOST, &two_plain).unwrap_err(),
    );
    let mut same = tee();
    same.variants[1] = same.variants[0].clone();
    same.variants[1].sku = Some("OTHER".into());
    for v in &mut same.variants {
        v.sku = v.sku.as_ref().map(|s| format!("{s}-X"));
    }
    refused(
        "duplicate_variant",
        c.create_product(HOST, &same).unwrap_err(),
    );
    let e = c
        .add_variant(
            HOST,
            p.id,
            &NewVariant::new("ONLY-SIZE", 1, None).option("Размер", "S"),
        )
        .unwrap_err();
    refused("options_mismatch", e);
    let e = c
        .add_variant(
            HOST,
            p.id,
            &NewVariant::new("DUP-COMBO", 1, None)
                .option("Размер", "m")
                .option("Цвят", "черен"),
        )
        .unwrap_err();
    refused("duplicate_variant", e);
    refused(
        "no_variants",
        c.create_product(HOST, &NewProduct::new("Празен", vec![]))
            .unwrap_err(),
    );
    let bad_price = NewProduct::new("Цена", vec![NewVariant::new("P-1", -1, None)]);
    refused(
        "invalid_price",
        c.create_product(HOST, &bad_price).unwrap_err(),
    );
    let bad_qty = NewProduct::new("Бр", vec![NewVariant::new("Q-1", 1, Some(f64::NAN))]);
    refused(
        "invalid_quantity",
        c.create_product(HOST, &bad_qty).unwrap_err(),
    );
    let e = c
        .edit_product(
            HOST,
            p.id,
            &ProductEdit {
                name: Some("Я".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    refused("invalid_product_name", e);
    let e = c
        .edit_product(HOST, 999_999, &ProductEdit::default())
        .unwrap_err();
    assert_eq!((e.code, e.status), ("unknown_product", 404));
    let e = c
        .edit_variant(HOST, 999_999, &VariantEdit::default())
        .unwrap_err();
    assert_eq!((e.code, e.status), ("unknown_variant", 404));
    let e = c.create_product("nope.localhost", &tee()).unwrap_err();
    assert_eq!(e.code, "unknown_shop");
    // Nothing was written, nothing fired.
    assert_eq!((c.variants(HOST).len(), fired(&h).await.len()), before);
    assert_eq!(c.product(HOST, p.id).unwrap().name, "Тениска „Лого“");
}

#[tokio::test]
async fn merchant_deletes_a_product_the_api_answers_404_for_it_and_its_variants() {
    let h = start(shop()).await;
    hooked_to(&h, &["product.deleted"]).await;
    let c = h.sim.control();
    let p = c.create_product(HOST, &tee()).unwrap();
    c.delete_product(HOST, p.id).unwrap();
    assert_eq!(
        h.get(&format!("/api/v2/products/{}", p.id)).await.status,
        404
    );
    for v in &p.variants {
        assert_eq!(
            h.get(&format!("/api/v2/variants/{}", v.id)).await.status,
            404
        );
    }
    let r = h.get("/api/v2/products?filter[sku]=TS-M-BLK").await;
    assert_eq!(r.body["meta"]["page"]["total"], 0);
    assert!(c.product(HOST, p.id).is_none());
    let events = fired(&h).await;
    assert_eq!(names(&events), ["product.deleted"]);
    assert_eq!(events[0].1["id"], p.id.to_string());
    assert_eq!(events[0].1["attributes"]["name"], "Тениска „Лого“");
    let e = c.delete_product(HOST, p.id).unwrap_err();
    assert_eq!((e.code, e.status), ("unknown_product", 404));
}

#[tokio::test]
async fn merchant_catalogue_over_the_http_control_surface() {
    let h = start(shop()).await;
    hooked_to(&h, &PRODUCT_EVENTS).await;
    let r = h
        .sim(
            Method::POST,
            &control_path("/products"),
            Some(
                json!({"name": "Рокля „Мелник“", "description": "Лятна рокля.",
                "variants": [
                    {"sku": "DRS-S", "barcode": "3800000000028", "price": 4990, "quantity": 3,
                     "options": [{"parameter": "Размер", "value": "S"}]},
                    {"sku": "DRS-M", "price": 4990, "quantity": null,
                     "options": [{"parameter": "Размер", "value": "M"}]}]}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let pid = r.body["id"].as_u64().unwrap();
    assert_eq!(r.body["variants"][0]["quantity"], 3.0);
    assert_eq!(r.body["variants"][1]["quantity"], Value::Null);
    let r = h
        .sim(
            Method::PATCH,
            &control_path(&format!("/products/{pid}")),
            Some(json!({"description": null})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["description"], Value::Null);
    assert_eq!(r.body["name"], "Рокля „Мелник“", "absent name kept");
    let r = h
        .sim(
            Method::POST,
            &control_path(&format!("/products/{pid}/variants")),
            Some(json!({"sku": "DRS-L", "price": 5290, "options": [{"parameter": "Размер", "value": "L"}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let vid = r.body["id"].as_u64().unwrap();
    let r = h
        .sim(
            Method::PATCH,
            &control_path(&format!("/products/{pid}/variants/{vid}")),
            Some(json!({"quantity": 8, "barcode": "3800000000035"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["quantity"], 8.0);
    assert_eq!(r.body["barcode"], "3800000000035");
    assert_eq!(r.body["sku"], "DRS-L", "absent SKU kept");
    let r = h
        .sim(
            Method::GET,
            &control_path(&format!("/products/{pid}")),
            None,
        )
        .await;
    assert_eq!(r.body["variants"].as_array().unwrap().len(), 3);
    // Refusals in the control surface's error shape.
    let r = h
        .sim(
            Method::PATCH,
            &control_path(&format!("/products/{pid}/variants/{vid}")),
            Some(json!({"sku": "DRS-S"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"]["code"], "sku_taken");
    assert!(r.body["error"]["message_bg"]
        .as_str()
        .unwrap()
        .contains("DRS-S"));
    for (method, path, code) in [
        (Method::GET, "/products/abc".to_string(), "unknown_product"),
        (
            Method::GET,
            "/products/999999".to_string(),
            "unknown_product",
        ),
        (
            Method::DELETE,
            format!("/products/{pid}/variants/1"),
            "unknown_variant",
        ),
        (
            Method::DELETE,
            format!("/products/{pid}/variants/x"),
            "unknown_variant",
        ),
    ] {
        let r = h.sim(method, &control_path(&path), None).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body["error"]["code"], code, "{path}");
    }
    let r = h
        .sim(
            Method::POST,
            "/_sim/shops/nope.localhost/products",
            Some(json!({"name": "Xx", "variants": []})),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "unknown_shop");
    let garbage = h
        .http
        .post(h.url_on("127.0.0.1", &control_path("/products")))
        .body("{\"name\": 5");
    let r = h.send(garbage).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "invalid_body");
    // Delete a variant, then the product.
    let r = h
        .sim(
            Method::DELETE,
            &control_path(&format!("/products/{pid}/variants/{vid}")),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = h
        .sim(
            Method::DELETE,
            &control_path(&format!("/products/{pid}")),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(h.get(&format!("/api/v2/products/{pid}")).await.status, 404);
    assert_eq!(
        names(&fired(&h).await),
        [
            "category.created",
            "product.created",
            "product.updated",
            "product.updated",
            "product.updated",
            "product.updated",
            "product.deleted"
        ]
    );
}

#[tokio::test]
async fn payment_providers_added_switched_off_and_on_show_in_the_active_filter() {
    let h = start(shop().seed_products(1)).await;
    let c = h.sim.control();
    let active_codes = |r: &Resp| -> Vec<String> {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let v = c
        .add_payment_provider(HOST, &NewPaymentProvider::new("paypal", "PayPal"))
        .unwrap();
    assert!(v.active && !v.offline);
    let r = h.get("/api/v2/payment-providers?filter[active]=yes").await;
    assert!(active_codes(&r).contains(&"paypal".to_string()));
    let r = h.get("/api/v2/payment-providers/paypal").await;
    assert_eq!(r.body["data"]["attributes"]["title"], "PayPal");
    assert_eq!(r.body["data"]["attributes"]["active"], "yes");
    // Off: hidden from the active filter and from checkout; on again: back.
    c.set_payment_provider_active(HOST, "paypal", false)
        .unwrap();
    let r = h.get("/api/v2/payment-providers?filter[active]=yes").await;
    assert!(!active_codes(&r).contains(&"paypal".to_string()));
    let r = h.get("/api/v2/payment-providers?filter[active]=no").await;
    assert_eq!(active_codes(&r), ["paypal"]);
    let sku = c.variants(HOST)[0].sku.clone().unwrap();
    let mut req = OrderRequest::person("p@example.bg", &[(sku.as_str(), 1)]);
    req.payment_provider = Some("paypal".into());
    assert_eq!(
        c.place_order(HOST, &req).unwrap_err().code,
        "unknown_payment_provider"
    );
    c.set_payment_provider_active(HOST, "paypal", true).unwrap();
    let id = c.place_order(HOST, &req).unwrap();
    let r = h.get(&format!("/api/v2/orders/{id}?include=payment")).await;
    assert_eq!(r.body["included"][0]["attributes"]["provider"], "paypal");
    // Over HTTP.
    let r = h
        .sim(
            Method::POST,
            &control_path("/payment-providers"),
            Some(json!({"code": "epay", "title": "ePay.bg", "offline": false})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["active"], true);
    let r = h
        .sim(
            Method::PATCH,
            &control_path("/payment-providers/epay"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!((r.status, &r.body["active"]), (200, &json!(false)));
    let r = h.get("/api/v2/payment-providers?filter[active]=yes").await;
    assert!(!active_codes(&r).contains(&"epay".to_string()));
    let r = h
        .sim(Method::GET, &control_path("/payment-providers"), None)
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 5);
    for (method, path, body, status, code) in [
        (
            Method::POST,
            "/payment-providers",
            json!({"code": "epay", "title": "x"}),
            422,
            "payment_provider_exists",
        ),
        (
            Method::POST,
            "/payment-providers",
            json!({"code": "Bad Code", "title": "x"}),
            422,
            "invalid_provider_code",
        ),
        (
            Method::PATCH,
            "/payment-providers/nope",
            json!({"active": true}),
            404,
            "unknown_payment_provider",
        ),
        (
            Method::PATCH,
            "/payment-providers/epay",
            json!({}),
            422,
            "missing_field",
        ),
    ] {
        let r = h.sim(method, &control_path(path), Some(body)).await;
        assert_eq!(r.status, status, "{path}: {:?}", r.body);
        assert_eq!(r.body["error"]["code"], code);
    }
}

#[tokio::test]
async fn webhook_subscriptions_switched_off_on_and_deleted_by_the_merchant() {
    let h = start(shop().seed_products(1)).await;
    let c = h.sim.control();
    let sku = c.variants(HOST)[0].sku.clone().unwrap();
    c.set_variant_quantity(HOST, &sku, Some(100.0)).unwrap();
    let order = OrderRequest::person("w@example.bg", &[(sku.as_str(), 1)]);
    let (rx, addr) = Receiver::start(vec![(500, "down")]).await;
    let wid: u64 = subscribe(&h, &format!("http://{addr}/created"), "order.created")
        .await
        .parse()
        .unwrap();
    // A failed attempt schedules a retry; switching off drops it, and re-enabling starts a
    // fresh budget instead of resuming the old one.
    c.place_order(HOST, &order).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 1);
    let v = c.set_webhook_active(HOST, wid, false).unwrap();
    assert!(!v.active);
    let r = h.get(&format!("/api/v2/webhooks/{wid}")).await;
    assert_eq!(r.body["data"]["attributes"]["active"], "no");
    c.place_order(HOST, &order).unwrap();
    c.advance(std::time::Duration::from_secs(600)).await;
    assert_eq!(rx.count(), 1, "nothing while switched off, no old retry");
    c.set_webhook_active(HOST, wid, true).unwrap();
    c.advance(std::time::Duration::from_secs(600)).await;
    assert_eq!(rx.count(), 1, "no replay of missed events");
    c.place_order(HOST, &order).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 2);
    // Over HTTP: switch off, then delete.
    let path = control_path(&format!("/webhooks/{wid}"));
    let r = h
        .sim(Method::PATCH, &path, Some(json!({"active": false})))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["active"], false);
    assert_eq!(r.body["event"], "order.created");
    let r = h.sim(Method::DELETE, &path, None).await;
    assert_eq!(r.status, 204);
    assert_eq!(h.get(&format!("/api/v2/webhooks/{wid}")).await.status, 404);
    assert!(c.webhooks(HOST).is_empty());
    let r = h.sim(Method::DELETE, &path, None).await;
    assert_eq!(
        (r.status, &r.body["error"]["code"]),
        (404, &json!("unknown_webhook"))
    );
    let e = c.set_webhook_active(HOST, wid, true).unwrap_err();
    assert_eq!(e.code, "unknown_webhook");
    let r = h
        .sim(
            Method::PATCH,
            &control_path("/webhooks/x"),
            Some(json!({"active": true})),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn api_key_rotation_and_deactivation_and_deliveries_carry_the_current_value() {
    const KEY2: &str = "SECONDKEYSECONDKEYSECONDKEYSECONDKEYSECONDKEYSECONDKEYSECONDKEYS";
    let h = start(shop().extra_api_key(KEY2).seed_products(1)).await;
    let c = h.sim.control();
    let sku = c.variants(HOST)[0].sku.clone().unwrap();
    c.set_variant_quantity(HOST, &sku, Some(100.0)).unwrap();
    let order = OrderRequest::person("k@example.bg", &[(sku.as_str(), 1)]);
    let (rx, addr) = Receiver::start(vec![]).await;
    subscribe(&h, &format!("http://{addr}/created"), "order.created").await;
    let keys = c.api_keys(HOST);
    assert_eq!(keys.len(), 2);
    assert_eq!(
        (keys[0].id, keys[0].key.as_str(), keys[0].active),
        (1, KEY, true)
    );
    let products = h.url("/api/v2/products");
    let status = |key: String| {
        let (h, url) = (&h, products.clone());
        async move { h.get_url(&url, Some(&key)).await.status }
    };
    // An event queued before the rotation is delivered with the value current at delivery.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            defer_60s: true,
            ..Default::default()
        },
    )
    .unwrap();
    c.place_order(HOST, &order).unwrap();
    let rotated = c.rotate_api_key(HOST, 1).unwrap();
    assert_ne!(rotated.key, KEY);
    assert_eq!(rotated.key.len(), 64);
    assert!(rotated.key.bytes().all(|b| b.is_ascii_uppercase()));
    assert_eq!(status(KEY.into()).await, 401);
    assert_eq!(status(rotated.key.clone()).await, 200);
    assert_eq!(status(KEY2.into()).await, 200, "other keys untouched");
    c.advance(std::time::Duration::from_secs(60)).await;
    assert_eq!(rx.count(), 1);
    assert_eq!(
        rx.seen.lock().unwrap()[0].0["x-cloudcart-apikey"],
        rotated.key.as_str()
    );
    c.set_webhook_faults(HOST, WebhookFaults::default())
        .unwrap();
    // Deactivate / re-activate: 401 in between, the same value afterwards.
    let off = c.set_api_key_active(HOST, 2, false).unwrap();
    assert!(!off.active);
    assert_eq!(status(KEY2.into()).await, 401);
    let on = c.set_api_key_active(HOST, 2, true).unwrap();
    assert_eq!((on.key.as_str(), on.active), (KEY2, true));
    assert_eq!(status(KEY2.into()).await, 200);
    // A switched-off key still signs the deliveries of subscriptions linked to it.
    c.set_api_key_active(HOST, 1, false).unwrap();
    assert_eq!(status(rotated.key.clone()).await, 401);
    c.place_order(HOST, &order).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 2);
    assert_eq!(
        rx.seen.lock().unwrap()[1].0["x-cloudcart-apikey"],
        rotated.key.as_str()
    );
    c.set_api_key_active(HOST, 1, true).unwrap();
    // Over HTTP.
    let r = h.sim(Method::GET, &control_path("/api-keys"), None).await;
    assert_eq!(r.body[0]["key"], rotated.key.as_str());
    assert_eq!(r.body[1]["id"], 2);
    let r = h
        .sim(Method::POST, &control_path("/api-keys/2/rotate"), None)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let new2 = r.body["key"].as_str().unwrap().to_string();
    assert_ne!(new2, KEY2);
    assert_eq!(status(KEY2.into()).await, 401);
    assert_eq!(status(new2.clone()).await, 200);
    let r = h
        .sim(
            Method::PATCH,
            &control_path("/api-keys/2"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!((r.status, &r.body["active"]), (200, &json!(false)));
    assert_eq!(status(new2).await, 401);
    for path in [
        "/api-keys/3/rotate",
        "/api-keys/0/rotate",
        "/api-keys/x/rotate",
    ] {
        let r = h.sim(Method::POST, &control_path(path), None).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body["error"]["code"], "unknown_api_key");
    }
    assert_eq!(
        c.shops()[0].api_keys[0],
        rotated.key,
        "ShopInfo shows current values"
    );
}
