//! Property tests: the write endpoints answer every input with a
//! status below 500 (never a panic), and money arithmetic never overflows.

mod common;

use cloudcart_sim::{LineRequest, OrderRequest};
use common::*;
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("yes"),
            Just("no"),
            Just("1"),
            Just("order.created"),
            Just("https://x.example/h")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("sku".to_string()),
                    Just("price".to_string()),
                    Just("quantity".to_string()),
                    Just("name".to_string()),
                    Just("status".to_string()),
                    Just("url".to_string()),
                    Just("event".to_string()),
                    Just("request_headers".to_string()),
                    Just("email".to_string()),
                    ".{0,6}".prop_map(|s| s)
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn write_endpoints_answer_every_body_without_a_server_error() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = rt.block_on(start(shop().seed_products(5)));
    let vid = rt.block_on(async { h.sim.control().variants(HOST)[0].id });
    let oid = rt
        .block_on(async {
            let sku = h.sim.control().variants(HOST)[0].sku.clone().unwrap();
            h.sim
                .control()
                .set_variant_quantity(HOST, &sku, Some(1000.0))
                .unwrap();
            h.sim.control().place_order(
                HOST,
                &OrderRequest::person("p@example.bg", &[(sku.as_str(), 1)]),
            )
        })
        .unwrap();
    let targets = [
        ("POST", "/api/v2/products".to_string(), "products", None),
        ("POST", "/api/v2/variants".to_string(), "variants", None),
        (
            "PATCH",
            format!("/api/v2/variants/{vid}"),
            "variants",
            Some(vid),
        ),
        (
            "PATCH",
            format!("/api/v2/orders/{oid}"),
            "orders",
            Some(oid),
        ),
        ("POST", "/api/v2/webhooks".to_string(), "webhooks", None),
        ("POST", "/api/v2/customers".to_string(), "customers", None),
        (
            "POST",
            "/api/v2/order-fulfillment".to_string(),
            "order-fulfillment",
            None,
        ),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(arb_json(), arb_json(), 0usize..targets.len()),
            |(attrs, rels, t)| {
                let (method, path, kind, id) = &targets[t];
                let mut data = json!({"type": kind, "attributes": attrs, "relationships": rels});
                if let Some(id) = id {
                    data["id"] = json!(id.to_string());
                }
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let r = rt.block_on(h.write(method, path, json!({"data": data})));
                prop_assert!(r.status < 500, "{path} answered {} to {data}", r.status);
                Ok(())
            },
        )
        .unwrap();
    // Extreme order quantities and prices are refused or computed, never overflow.
    rt.block_on(async {
        let c = h.sim.control();
        let sku = c.variants(HOST)[1].sku.clone().unwrap();
        let vid = c.variants(HOST)[1].id;
        let r = h
            .patch(&format!("/api/v2/variants/{vid}"), json!({"data": {"type": "variants", "id": vid.to_string(), "attributes": {"price": i64::MAX}}}))
            .await;
        assert_eq!(r.status, 422);
        let r = h
            .patch(&format!("/api/v2/variants/{vid}"), json!({"data": {"type": "variants", "id": vid.to_string(), "attributes": {"price": 10_000_000_000i64, "quantity": null}}}))
            .await;
        assert_eq!(r.status, 200);
        let e = c.place_order(HOST, &OrderRequest::person("p@example.bg", &[(sku.as_str(), i64::MAX)])).unwrap_err();
        assert_eq!(e.code, "invalid_quantity");
        let mut big = OrderRequest::person("p@example.bg", &[]);
        big.lines = vec![LineRequest { sku: sku.clone(), quantity: 100_000 }; 500];
        let id = c.place_order(HOST, &big).unwrap();
        assert_eq!(c.order(HOST, id).unwrap()["attributes"]["subtotal"], 500_000_000_000_000_000i64);
    });
}

/// A merchant-edit body: the expected shape with arbitrary leaves, or arbitrary JSON.
fn arb_control_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        (arb_json(), arb_json(), arb_json(), arb_json(), arb_json()).prop_map(
            |(name, sku, price, quantity, options)| json!({"name": name, "description": sku.clone(),
                "variants": [{"sku": sku, "price": price, "quantity": quantity, "options": options}],
                "sku": name, "price": price, "quantity": quantity, "options": [{"parameter": options, "value": "M"}],
                "code": sku, "title": name, "active": quantity})
        ),
        arb_json(),
    ]
}

#[test]
fn control_surface_answers_every_body_without_a_server_error() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = rt.block_on(start(shop().seed_products(3)));
    let (pid, vid) = rt.block_on(async {
        let v = h.sim.control().variants(HOST)[0].clone();
        (v.product_id, v.id)
    });
    let wid = rt.block_on(subscribe(&h, "http://127.0.0.1:9/h", "product.updated"));
    let on_shop = |p: &str| format!("/_sim/shops/{HOST}{p}");
    let targets = [
        (reqwest::Method::POST, on_shop("/products")),
        (reqwest::Method::PATCH, on_shop(&format!("/products/{pid}"))),
        (
            reqwest::Method::POST,
            on_shop(&format!("/products/{pid}/variants")),
        ),
        (
            reqwest::Method::PATCH,
            on_shop(&format!("/products/{pid}/variants/{vid}")),
        ),
        (reqwest::Method::POST, on_shop("/payment-providers")),
        (reqwest::Method::PATCH, on_shop("/payment-providers/cod")),
        (reqwest::Method::PATCH, on_shop(&format!("/webhooks/{wid}"))),
        (reqwest::Method::PATCH, on_shop("/settings")),
        (reqwest::Method::POST, on_shop("/faults/api")),
        (reqwest::Method::PUT, on_shop("/faults/webhooks")),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    });
    runner
        .run(&(arb_control_body(), 0usize..targets.len()), |(body, t)| {
            let (method, path) = &targets[t];
            let r = rt.block_on(h.sim(method.clone(), path, Some(body.clone())));
            prop_assert!(r.status < 500, "{path} answered {} to {body}", r.status);
            if r.status >= 400 {
                prop_assert!(r.body["error"]["code"].is_string(), "{path}: {:?}", r.body);
            }
            Ok(())
        })
        .unwrap();
    // Hostile paths answer in the control surface's shape too.
    rt.block_on(async {
        for path in [
            on_shop("/products/18446744073709551616"),
            on_shop("/products/-1/variants/1"),
            on_shop("/api-keys/99999999999999999999/rotate"),
        ] {
            let r = h.sim(reqwest::Method::GET, &path, None).await;
            assert!(r.status < 500, "{path} → {}", r.status);
            let r = h.sim(reqwest::Method::POST, &path, None).await;
            assert!(r.status < 500, "{path} → {}", r.status);
        }
    });
}
