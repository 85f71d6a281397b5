//! Seed generator validity (unique SKUs, valid EAN-13, determinism, broken cases) and the
//! `/_sim/` HTTP control surface.

mod common;

use std::collections::HashSet;

use cloudcart_sim::seed::is_valid_ean13;
use cloudcart_sim::{BrokenCases, ShopConfig, SimConfig};
use common::*;
use serde_json::json;

#[tokio::test]
async fn seed_generator_unique_skus_valid_ean13_bulgarian_names_and_deterministic() {
    let h = start(shop().seed_products(500).seed(7)).await;
    let vs = h.sim.control().variants(HOST);
    assert!(vs.len() >= 500, "every product has at least one variant");
    let skus: HashSet<_> = vs.iter().map(|v| v.sku.clone().expect("sku")).collect();
    assert_eq!(skus.len(), vs.len(), "SKUs unique");
    let barcodes: HashSet<_> = vs
        .iter()
        .map(|v| v.barcode.clone().expect("barcode"))
        .collect();
    assert_eq!(barcodes.len(), vs.len(), "barcodes unique");
    assert!(barcodes
        .iter()
        .all(|b| is_valid_ean13(b) && b.starts_with("380")));
    assert!(vs
        .iter()
        .all(|v| v.price > 0 && v.quantity.is_some_and(|q| q >= 0.0)));
    let r = h.get("/api/v2/products?page[size]=100").await;
    assert!(r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["attributes"]["name"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('а'..='я').contains(&c))));
    // Variants carry sizes/colours through their options.
    let r = h.get("/api/v2/variants?filter[v1]=M").await;
    assert!(r.body["meta"]["page"]["total"].as_u64().unwrap() > 0);
    // Same seed, same catalogue; another seed, another one.
    let again = start(shop().seed_products(500).seed(7)).await;
    let other = start(shop().seed_products(500).seed(8)).await;
    let key = |h: &Harness| {
        h.sim
            .control()
            .variants(HOST)
            .iter()
            .map(|v| {
                (
                    v.sku.clone(),
                    v.barcode.clone(),
                    v.price,
                    v.quantity.map(|q| q as i64),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&h), key(&again));
    assert_ne!(key(&h), key(&other));
}

#[tokio::test]
async fn seed_generator_broken_cases_on_request() {
    let broken = BrokenCases {
        missing_sku: 2,
        duplicate_barcode: 3,
        missing_name: 1,
        missing_description: 0,
    };
    let h = start(shop().seed_products(50).broken(broken)).await;
    let vs = h.sim.control().variants(HOST);
    assert_eq!(vs.iter().filter(|v| v.sku.is_none()).count(), 2);
    let mut seen = HashSet::new();
    let dups = vs
        .iter()
        .filter_map(|v| v.barcode.clone())
        .filter(|b| !seen.insert(b.clone()))
        .count();
    assert_eq!(dups, 3);
    let r = h.get("/api/v2/products?filter[name]=").await;
    assert_eq!(r.body["meta"]["page"]["total"], 1);
}

#[tokio::test]
async fn seed_descriptions_are_bulgarian_attributes_except_the_broken_ones_and_sparse_fieldsets_keep_them(
) {
    let broken = BrokenCases {
        missing_description: 3,
        ..Default::default()
    };
    let h = start(shop().seed_products(12).broken(broken)).await;
    let r = h.get("/api/v2/products?page[size]=100&sort=id").await;
    assert_eq!(r.status, 200);
    let data = r.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 12);
    for (i, p) in data.iter().enumerate() {
        let d = &p["attributes"]["description"];
        if i < 3 {
            assert!(d.is_null(), "product {i} is a broken case: {d}");
        } else {
            let text = d.as_str().expect("description");
            assert!(text.chars().any(|c| ('а'..='я').contains(&c)), "{text}");
            assert!(text.chars().count() < 200, "short: {text}");
        }
    }
    // Sparse fieldsets keep exactly the named attributes, in collections and single records.
    let r = h
        .get("/api/v2/products?fields[products]=name,description&page[size]=100")
        .await;
    for p in r.body["data"].as_array().unwrap() {
        let mut keys: Vec<&String> = p["attributes"].as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["description", "name"], "{p}");
    }
    let id = data[5]["id"].as_str().unwrap();
    let r = h
        .get(&format!(
            "/api/v2/products/{id}?fields[products]=description"
        ))
        .await;
    assert_eq!(
        r.body["data"]["attributes"]["description"],
        data[5]["attributes"]["description"]
    );
    assert_eq!(r.body["data"]["attributes"].as_object().unwrap().len(), 1);
    // Deterministic, and the descriptions did not change any other seeded value.
    let again = start(shop().seed_products(12)).await;
    let r2 = again.get("/api/v2/products?page[size]=100&sort=id").await;
    assert_eq!(
        r2.body["data"][5]["attributes"]["description"],
        data[5]["attributes"]["description"]
    );
    assert!(r2.body["data"][0]["attributes"]["description"].is_string());
}

#[tokio::test]
async fn sim_http_control_surface_drives_the_shop() {
    let h = start_with(SimConfig {
        shops: vec![
            shop().seed_products(5),
            ShopConfig::new("second.localhost").seed_products(1),
        ],
        ..Default::default()
    })
    .await;
    use reqwest::Method;
    let shops = h.sim(Method::GET, "/_sim/shops", None).await.body;
    assert_eq!(shops.as_array().unwrap().len(), 2);
    let sku = h.sim.control().variants(HOST)[0].sku.clone().unwrap();
    let on_shop = |path: &str| format!("/_sim/shops/{HOST}{path}");
    // Merchant sets stock, then a company checkout.
    let r = h
        .sim(
            Method::POST,
            &on_shop(&format!("/variants/{sku}/quantity")),
            Some(json!({"quantity": 40})),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = h
        .sim(Method::POST, &on_shop("/orders"), Some(json!({"lines": [{"sku": sku, "quantity": 2}],
            "buyer": {"kind": "company", "email": "office@firma.bg", "company_name": "Фирма ООД", "eik": "121234567", "vat": "BG121234567", "mol": "Иван Петров"}})))
        .await;
    assert_eq!(r.status, 201);
    let id = r.body["id"].as_u64().unwrap();
    let r = h
        .sim(
            Method::POST,
            &on_shop(&format!("/orders/{id}/pay")),
            Some(json!({"via": "gateway"})),
        )
        .await;
    assert_eq!(r.body["attributes"]["status"], "paid");
    let v = h
        .sim(Method::GET, &on_shop(&format!("/variants/{sku}")), None)
        .await;
    assert_eq!(v.body["quantity"], 38.0);
    // Fulfil with tracking data through the control surface.
    let r = h
        .sim(
            Method::POST,
            &on_shop(&format!("/orders/{id}/fulfil")),
            Some(json!({"shipping_tracking_number": "1051602259"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["attributes"]["status_fulfillment"], "fulfilled");
    let f = h
        .get(&format!("/api/v2/order-fulfillment?filter[order_id]={id}"))
        .await;
    assert_eq!(
        f.body["data"][0]["attributes"]["shipping_tracking_number"],
        "1051602259"
    );
    // Errors carry a stable code and both languages.
    let r = h
        .sim(
            Method::POST,
            &on_shop(&format!("/orders/{id}/cancel")),
            None,
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"]["code"], "cancel_needs_open_order");
    assert!(r.body["error"]["message_bg"]
        .as_str()
        .unwrap()
        .contains("отказани"));
    let r = h
        .sim(
            Method::POST,
            "/_sim/shops/nope.localhost/orders/1/pay",
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let garbage = h
        .http
        .post(h.url_on("127.0.0.1", &on_shop("/orders")))
        .body("{not json");
    assert_eq!(h.send(garbage).await.status, 400);
    // A refused settings patch changes nothing, not even its valid fields.
    let limit_before = h.get("/api/v2/products").await.headers["x-ratelimit-limit"].clone();
    let r = h
        .sim(
            Method::PATCH,
            &on_shop("/settings"),
            Some(json!({"rate_limit_per_minute": 7, "vat_rate_percent": 95})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"]["code"], "invalid_vat_rate");
    assert_eq!(
        h.get("/api/v2/products").await.headers["x-ratelimit-limit"],
        limit_before
    );
    // Settings: plan without API.
    let r = h
        .sim(
            Method::PATCH,
            &on_shop("/settings"),
            Some(json!({"rate_limit_per_minute": 0})),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(h.get("/api/v2/products").await.status, 429);
    // Faults and the clock.
    let r = h
        .sim(
            Method::POST,
            &on_shop("/faults/api"),
            Some(json!({"kind": "status", "status": 502, "count": 1})),
        )
        .await;
    assert_eq!(r.status, 204);
    let t = h
        .sim(
            Method::POST,
            "/_sim/clock/advance",
            Some(json!({"seconds": 3600})),
        )
        .await;
    assert_eq!(t.body["now"], "2026-06-01 09:00:00");
    let w = h.sim(Method::GET, &on_shop("/deliveries"), None).await;
    assert!(w.body.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn snapshot_persists_shops_across_restarts_and_rejects_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let cfg = |p: &std::path::Path| SimConfig {
        shops: vec![shop().seed_products(20)],
        snapshot: Some(p.to_path_buf()),
        ..Default::default()
    };
    let h = start_with(cfg(&path)).await;
    let c = h.sim.control();
    let sku = c.variants(HOST)[0].sku.clone().unwrap();
    c.set_variant_quantity(HOST, &sku, Some(77.0)).unwrap();
    let id = c
        .place_order(
            HOST,
            &cloudcart_sim::OrderRequest::person("p@example.bg", &[(sku.as_str(), 2)]),
        )
        .unwrap();
    c.pay(HOST, id, cloudcart_sim::Actor::Merchant).unwrap();
    subscribe(&h, "http://127.0.0.1:9/h", "order.updated").await;
    let rotated = c.rotate_api_key(HOST, 1).unwrap().key;
    c.set_api_key_active(HOST, 1, false).unwrap();
    h.sim.shutdown().await;
    assert!(path.exists());
    let h2 = start_with(cfg(&path)).await;
    let c2 = h2.sim.control();
    assert_eq!(c2.variant(HOST, &sku).unwrap().quantity, Some(75.0));
    assert_eq!(c2.order(HOST, id).unwrap()["attributes"]["status"], "paid");
    assert_eq!(c2.webhooks(HOST).len(), 1);
    let keys = c2.api_keys(HOST);
    assert_eq!(
        (keys[0].key.as_str(), keys[0].active),
        (rotated.as_str(), false)
    );
    // New records get fresh ids after a restore.
    let id2 = c2
        .place_order(
            HOST,
            &cloudcart_sim::OrderRequest::person("p@example.bg", &[(sku.as_str(), 1)]),
        )
        .unwrap();
    assert!(id2 > id);
    h2.sim.shutdown().await;
    std::fs::write(&path, "{ not a snapshot").unwrap();
    let e = cloudcart_sim::Sim::start(cfg(&path)).await.unwrap_err();
    assert!(e.to_string().contains("not a valid emulator snapshot"));
}
