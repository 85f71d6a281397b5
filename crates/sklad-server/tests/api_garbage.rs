//! Garbage in never gets a 5xx: hundreds of mangled bodies and parameters (seeded, so a
//! failure reproduces) each get a 2xx or the 4xx error shape.

mod api_support;

use api_support::TestServer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Values that have broken parsers before: odd numbers, NaN-like text, wrong types.
fn nasty(rng: &mut StdRng) -> Value {
    let pool = [
        json!(null),
        json!(true),
        json!(-1),
        json!(0),
        json!(1e300),
        json!(-0.0),
        json!(0.1),
        json!(9_223_372_036_854_775_807_i64),
        json!(18_446_744_073_709_551_615_u64),
        json!("NaN"),
        json!("inf"),
        json!("-"),
        json!("1e3"),
        json!("1,5"),
        json!("1.2345"),
        json!(" 12 "),
        json!("\u{0}"),
        json!("ЕИК"),
        json!("999999999999999999999999"),
        json!([]),
        json!({}),
        json!([1, "a"]),
        json!({"good_id": "x"}),
        json!("2026-02-31"),
        json!("skl_"),
    ];
    pool[rng.gen_range(0..pool.len())].clone()
}

/// `value` with one randomly chosen leaf or member replaced by something nasty.
fn mangle(value: &mut Value, rng: &mut StdRng) {
    match value {
        Value::Object(map) if !map.is_empty() && rng.gen_bool(0.8) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = &keys[rng.gen_range(0..keys.len())];
            if rng.gen_bool(0.1) {
                map.remove(key);
            } else if let Some(child) = map.get_mut(key) {
                mangle(child, rng);
            }
        }
        Value::Array(items) if !items.is_empty() && rng.gen_bool(0.8) => {
            let i = rng.gen_range(0..items.len());
            mangle(&mut items[i], rng);
        }
        other => *other = nasty(rng),
    }
}

async fn garbage_never_breaks_the_server(server: TestServer) {
    let firm = server.tenant("Шум ООД", "noise").await;
    let t = firm.token.as_str();
    let good = server
        .post_expect(
            "/goods",
            t,
            json!({"code": "N1", "name": "Шум", "prices": {"retail": "1"}}),
            reqwest::StatusCode::CREATED,
        )
        .await["id"]
        .clone();
    let object = server.get_ok("/objects", t).await[0]["id"].clone();
    let templates = [
        (
            "POST",
            "/operations",
            json!({"kind": "delivery", "date": "2026-11-28", "object_id": object,
                   "currency": "BGN", "note": "н",
                   "external_ref": {"source": "cloudcart", "id": "1"},
                   "lines": [{"good_id": good, "quantity": "2", "unit_price": "1.00",
                              "vat_rate": 20, "discount": "5"}]}),
        ),
        (
            "POST",
            "/goods",
            json!({"code": "G", "name": "Г", "barcodes": ["1", "2"], "measure": "кг",
                   "kind": "good", "vat_rate": "9", "group": "x", "active": true,
                   "prices": {"retail": "1.50", "purchase": 1}}),
        ),
        (
            "POST",
            "/partners",
            json!({"name": "П", "eik": "831826092", "vat_number": "BG831826092",
                   "email": "a@b.bg", "role": "both", "price_group": "group3"}),
        ),
        (
            "PATCH",
            "/firm",
            json!({"name": "Ф", "seats": 3, "eik": "831826092"}),
        ),
        (
            "POST",
            "/objects",
            json!({"name": "О", "kind": "shop", "price_group": "retail"}),
        ),
        (
            "POST",
            "/payment-types",
            json!({"name": "Т", "method": "card"}),
        ),
    ];
    let mut rng = StdRng::seed_from_u64(0x005C_1AD0);
    for round in 0..240 {
        let (method, path, template) = &templates[round % templates.len()];
        let mut body = template.clone();
        for _ in 0..rng.gen_range(1..=3) {
            mangle(&mut body, &mut rng);
        }
        let (status, answer) = server.call(method, path, Some(t), Some(body.clone())).await;
        assert!(
            status.is_success()
                || (status.is_client_error() && answer["error"]["code"].is_string()),
            "{method} {path} {body} → {status} {answer}"
        );
    }
    let queries = [
        "limit",
        "offset",
        "kind",
        "active",
        "object_ids",
        "date_from",
        "q",
    ];
    for _ in 0..60 {
        let name = queries[rng.gen_range(0..queries.len())];
        let value: String = match nasty(&mut rng) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let path = format!("/goods?{name}={}", url_encode(&value));
        let (status, answer) = server.call("GET", &path, Some(t), None).await;
        assert!(
            status.is_success()
                || (status.is_client_error() && answer["error"]["code"].is_string()),
            "{path} → {status} {answer}"
        );
    }
    for code in ["%00", "%E2%80%8F", "..", "%FF", "a%2Fb"] {
        let (status, answer) = server
            .call("GET", &format!("/goods/by-code/{code}"), Some(t), None)
            .await;
        assert!(
            status.is_client_error() && answer["error"]["code"].is_string(),
            "{code} → {status} {answer}"
        );
    }
    server.get_ok("/firm", t).await;
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_engines!(garbage_never_breaks_the_server);
