//! API.md §1: auth order, headers, envelope, paging, filters, sort, include, verb matrix,
//! rate limits and injected faults — over real HTTP.

mod common;

use std::time::Duration;

use cloudcart_sim::{ApiFault, SettingsPatch};
use common::*;
use serde_json::json;

#[tokio::test]
async fn s1_2_auth_order_missing_key_401_then_unknown_host_404_then_bad_key_401() {
    let h = start(shop().seed_products(3)).await;
    // Missing key on an unknown host: 401 wins (checked before the host).
    let unknown = h.url_on("unknown.localhost", "/api/v2/products");
    let r = h.get_url(&unknown, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"errors": [{"status": "401", "title": "Unauthenticated"}]})
    );
    assert!(r.headers.get("www-authenticate").is_none());
    // Empty key is missing too.
    let r = h.get_url(&h.url("/api/v2/products"), Some("")).await;
    assert_eq!(r.status, 401);
    // Key present, unknown host: 404.
    let r = h.get_url(&unknown, Some(KEY)).await;
    assert_eq!(r.status, 404);
    // Known host, wrong key: 401.
    let r = h.get_url(&h.url("/api/v2/products"), Some("WRONG")).await;
    assert_eq!(r.status, 401);
    assert_eq!(err(&r).0, "401");
    // Right key: 200 with the JSON:API media type.
    let r = h.get("/api/v2/products").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], MEDIA);
}

#[tokio::test]
async fn s1_3_media_types_415_and_406() {
    let h = start(shop().seed_products(1)).await;
    let r = h
        .send(
            h.http
                .post(h.url("/api/v2/categories"))
                .header("X-CloudCart-ApiKey", KEY)
                .header("Content-Type", "application/json")
                .body(
                    json!({"data": {"type": "categories", "attributes": {"name": "Нова"}}})
                        .to_string(),
                ),
        )
        .await;
    assert_eq!(r.status, 415);
    let r = h.get_with("/api/v2/products", "Accept", "text/html").await;
    assert_eq!(r.status, 406);
    let r = h.get_with("/api/v2/products", "Accept", MEDIA).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn s1_4_s1_5_envelope_meta_page_bounds_and_past_the_end() {
    let h = start(shop().seed_products(30)).await;
    let total = h.sim.control().variants(HOST).len();
    let r = h.get("/api/v2/variants?page[size]=7&page[number]=2").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["jsonapi"]["version"], "1.0");
    let page = &r.body["meta"]["page"];
    assert_eq!(page["current-page"], 2);
    assert_eq!(page["per-page"], 7);
    assert_eq!(page["from"], 8);
    assert_eq!(page["to"], 14);
    assert_eq!(page["total"], total);
    assert_eq!(page["last-page"], total.div_ceil(7));
    assert_eq!(r.body["data"].as_array().unwrap().len(), 7);
    assert!(
        r.body.get("links").is_none(),
        "links only with X-Show-Links"
    );
    assert!(r.body["data"][0]["id"].is_string());
    // Default size 20.
    let r = h.get("/api/v2/variants").await;
    assert_eq!(r.body["meta"]["page"]["per-page"], 20);
    // Bounds.
    for bad in ["0", "101", "abc"] {
        let r = h.get(&format!("/api/v2/variants?page[size]={bad}")).await;
        assert_eq!(r.status, 422, "size {bad}");
        assert_eq!(err(&r).1, Some("page[size]"));
    }
    // Past the end: 200 with empty data.
    let r = h.get("/api/v2/variants?page[number]=999").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"], json!([]));
    // Links with X-Show-Links.
    let r = h
        .get_with("/api/v2/variants?page[size]=5", "X-Show-Links", "1")
        .await;
    assert!(r.body["links"]["prev"].is_null());
    assert!(r.body["links"]["next"]
        .as_str()
        .unwrap()
        .contains("page%5Bnumber%5D=2"));
}

#[tokio::test]
async fn s1_5_paging_walks_every_variant_exactly_once() {
    let h = start(shop().seed_products(120)).await;
    let expected = h.sim.control().variants(HOST).len();
    let mut seen = std::collections::BTreeSet::new();
    let mut n = 1;
    loop {
        let r = h
            .get(&format!(
                "/api/v2/variants?page[size]=100&page[number]={n}&sort=id"
            ))
            .await;
        for v in r.body["data"].as_array().unwrap() {
            assert!(seen.insert(v["id"].as_str().unwrap().to_string()));
        }
        if r.body["meta"]["page"]["current-page"] == r.body["meta"]["page"]["last-page"] {
            break;
        }
        n += 1;
        assert!(n < 100);
    }
    assert_eq!(seen.len(), expected);
}

#[tokio::test]
async fn s1_6_equality_filters_named_filters_and_single_record_mode() {
    let h = start(shop().seed_products(10)).await;
    let v = h.sim.control().variants(HOST)[3].clone();
    let sku = v.sku.clone().unwrap();
    let r = h.get(&format!("/api/v2/variants?filter[sku]={sku}")).await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["data"][0]["attributes"]["sku"], sku.as_str());
    assert_eq!(r.body["meta"]["page"]["total"], 1);
    // Column filter on a number.
    let r = h
        .get(&format!(
            "/api/v2/variants?filter[item_id]={}",
            v.product_id
        ))
        .await;
    assert!(r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["attributes"]["item_id"] == v.product_id));
    // Named products filter sku → parent product.
    let r = h
        .get(&format!(
            "/api/v2/products?filter[sku]={sku}&include=variants"
        ))
        .await;
    assert_eq!(r.body["data"][0]["id"], v.product_id.to_string());
    // Single-record mode: one object, no meta.page.
    let p = h.get(&format!("/api/v2/products/{}", v.product_id)).await;
    let handle = p.body["data"]["attributes"]["url_handle"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h
        .get(&format!("/api/v2/products?filter[url_handle]={handle}"))
        .await;
    assert!(r.body["data"].is_object());
    assert!(r.body.get("meta").is_none());
    let r = h
        .get("/api/v2/products?filter[url_handle]=no-such-handle")
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["data"].is_null());
    // Unknown filter → 422 with source.parameter.
    let r = h.get("/api/v2/variants?filter[colour_of_sky]=blue").await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("filter[colour_of_sky]"));
    // Multi-value id filter.
    let ids: Vec<String> = h
        .sim
        .control()
        .variants(HOST)
        .iter()
        .take(3)
        .map(|v| v.id.to_string())
        .collect();
    let r = h
        .get(&format!("/api/v2/variants?filter[id]={}", ids.join(",")))
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn s1_7_sort_allow_list_and_descending() {
    let h = start(shop().seed_products(15)).await;
    let r = h
        .get("/api/v2/variants?sort=-price,id&page[size]=100")
        .await;
    let prices: Vec<i64> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["attributes"]["price"].as_i64().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] >= w[1]));
    let r = h.get("/api/v2/variants?sort=sku").await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("sort"));
    let r = h.get("/api/v2/payment-providers?sort=id").await;
    assert_eq!(r.status, 422, "empty allow-list rejects every sort");
}

#[tokio::test]
async fn s1_8_s1_9_include_and_append_allow_lists() {
    let h = start(shop().seed_products(3)).await;
    let r = h
        .get("/api/v2/variants?include=product,option1.parameter")
        .await;
    assert_eq!(r.status, 200);
    let kinds: Vec<&str> = r.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"products"));
    let r = h.get("/api/v2/variants?include=product.category").await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("include"));
    let r = h.get("/api/v2/orders?include=customer").await;
    assert_eq!(r.status, 400, "orders answer a bad include with 400");
    let r = h.get("/api/v2/products?append[products]=meta").await;
    assert_eq!(r.status, 200);
    let r = h.get("/api/v2/products?append[products]=secret").await;
    assert_eq!(r.status, 422);
    let r = h.get("/api/v2/products?fields[products]=name").await;
    let attrs = r.body["data"][0]["attributes"].as_object().unwrap();
    assert_eq!(attrs.keys().collect::<Vec<_>>(), vec!["name"]);
}

#[tokio::test]
async fn s1_10_relationship_urls() {
    let h = start(shop().seed_products(2)).await;
    let v = h.sim.control().variants(HOST)[0].clone();
    let r = h
        .get(&format!("/api/v2/products/{}/variants", v.product_id))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"].as_str() == Some(v.id.to_string().as_str())));
    let r = h
        .get(&format!(
            "/api/v2/products/{}/relationships/category",
            v.product_id
        ))
        .await;
    assert_eq!(r.body["data"]["type"], "categories");
    assert!(r.body["data"].get("attributes").is_none());
}

#[tokio::test]
async fn s1_15_verb_matrix_405_and_404s() {
    let h = start(shop().seed_products(1)).await;
    let body = json!({"data": {"type": "orders", "attributes": {}}});
    assert_eq!(h.post("/api/v2/orders", body).await.status, 405);
    assert_eq!(h.delete("/api/v2/orders/1").await.status, 405);
    let pp = json!({"data": {"type": "payment-providers", "attributes": {}}});
    assert_eq!(
        h.post("/api/v2/payment-providers", pp.clone()).await.status,
        405
    );
    assert_eq!(
        h.patch("/api/v2/payment-providers/cod", pp).await.status,
        405
    );
    assert_eq!(h.delete("/api/v2/shipping-providers/1").await.status, 405);
    let op = json!({"data": {"type": "order-products", "id": "1", "attributes": {}}});
    assert_eq!(h.patch("/api/v2/order-products/1", op).await.status, 405);
    assert_eq!(h.get("/api/v2/products/999999").await.status, 404);
    assert_eq!(h.get("/api/v2/no-such-resource").await.status, 404);
    let r = h.get("/api/v2/stores").await;
    assert_eq!(r.status, 404);
    assert_eq!(err(&r).2, Some("stores app not installed"));
    // Payment providers are keyed by code.
    assert_eq!(h.get("/api/v2/payment-providers/cod").await.status, 200);
    assert_eq!(h.get("/api/v2/payment-providers/1").await.status, 404);
    // order-status helper is not JSON:API and not paginated.
    let r = h.get("/api/v2/order-status").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 11);
    assert!(r.body.get("meta").is_none());
}

#[tokio::test]
async fn s1_13_rate_limit_limit_minus_one_then_429_and_window_slides_on_virtual_time() {
    let h = start(shop().rate_limit_per_minute(5)).await;
    for i in 0..4 {
        let r = h.get("/api/v2/categories").await;
        assert_eq!(r.status, 200, "request {i}");
        assert_eq!(r.headers["x-ratelimit-limit"], "5");
        assert_eq!(
            r.headers["x-ratelimit-remaining"],
            (3 - i).to_string().as_str()
        );
        assert!(r.headers.contains_key("x-ratelimit-reset"));
        assert!(r.headers.get("retry-after").is_none());
    }
    let r = h.get("/api/v2/categories").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"], "60");
    assert_eq!(r.headers["x-ratelimit-remaining"], "0");
    assert_eq!(r.body["error"], "Too Many Requests");
    assert_eq!(r.body["retry_after"], 60);
    assert_eq!(h.sim.control().rate_refusals(HOST), 1, "counted for tests");
    assert_eq!(h.sim.control().admitted_requests(HOST), 4);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("Please wait and retry later"));
    // The sliding window frees capacity after 60 s of virtual time.
    h.sim.control().advance(Duration::from_secs(61)).await;
    assert_eq!(h.get("/api/v2/categories").await.status, 200);
}

#[tokio::test]
async fn s1_13_every_refusal_carries_rate_headers_without_using_quota() {
    let h = start(shop().rate_limit_per_minute(5)).await;
    let known = h.url("/api/v2/categories");
    let unknown = h.url_on("unknown.localhost", "/api/v2/categories");
    // (request, status, X-RateLimit-Limit, X-RateLimit-Remaining): the shop's own values
    // on a known host, 0 / 0 for a host that is not in the limit map (API.md §1.3).
    let refusals = [
        ("missing key, known host", &known, None, 401, "5", "4"),
        ("missing key, unknown host", &unknown, None, 401, "0", "0"),
        ("unknown host", &unknown, Some(KEY), 404, "0", "0"),
        ("bad key", &known, Some("WRONG"), 401, "5", "4"),
    ];
    for (what, url, key, status, limit, remaining) in refusals {
        let r = h.get_url(url, key).await;
        assert_eq!(r.status, status, "{what}");
        assert_eq!(r.headers["x-ratelimit-limit"], limit, "{what}");
        assert_eq!(r.headers["x-ratelimit-remaining"], remaining, "{what}");
        assert!(r.headers.contains_key("x-ratelimit-reset"), "{what}");
        assert!(r.headers.contains_key("x-ratelimit-info"), "{what}");
    }
    // None of the refusals used up quota: the first admitted request leaves 3.
    let r = h.get("/api/v2/categories").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["x-ratelimit-remaining"], "3");
}

#[tokio::test]
async fn s1_13_plan_without_api_and_alias_domain_refuse_first_call() {
    let h = start(shop().alias("www.shop.localhost")).await;
    let alias = h.url_on("www.shop.localhost", "/api/v2/products");
    let r = h.get_url(&alias, Some(KEY)).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["x-ratelimit-limit"], "0");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("do not have API access"));
    h.sim
        .control()
        .update_settings(
            HOST,
            &SettingsPatch {
                rate_limit_per_minute: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
    let r = h.get("/api/v2/products").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["x-ratelimit-limit"], "0");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("do not have API access"));
}

#[tokio::test]
async fn fault_switches_injected_5xx_429_latency_and_402() {
    let h = start(shop()).await;
    let c = h.sim.control();
    c.inject_api_fault(
        HOST,
        ApiFault::Status {
            status: 503,
            count: 2,
        },
    )
    .unwrap();
    c.inject_api_fault(
        HOST,
        ApiFault::TooManyRequests {
            retry_after: 7,
            count: 1,
        },
    )
    .unwrap();
    c.inject_api_fault(
        HOST,
        ApiFault::Latency {
            millis: 30,
            count: 1,
        },
    )
    .unwrap();
    let r = h.get("/api/v2/products").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.body["errors"][0]["title"], "Maintenance mode");
    assert!(r.headers.get("retry-after").is_none());
    assert_eq!(h.get("/api/v2/products").await.status, 503);
    let r = h.get("/api/v2/products").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"], "7");
    assert_eq!(
        h.get("/api/v2/products").await.status,
        200,
        "latency fault still answers"
    );
    assert_eq!(h.get("/api/v2/products").await.status, 200);
    c.update_settings(
        HOST,
        &SettingsPatch {
            subscription_expired: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    let r = h.get("/api/v2/products").await;
    assert_eq!(r.status, 402);
    assert_eq!(r.body["errors"][0]["title"], "Payment Required");
}

#[tokio::test]
async fn bad_input_never_crashes_the_server() {
    let h = start(shop().seed_products(2)).await;
    for path in [
        "/api/v2/variants?filter[=1",
        "/api/v2/variants?page[number]=-5",
        "/api/v2/variants?sort=,,,-",
        "/api/v2/variants/%FF",
        "/api/v2/variants/1/relationships",
        "/api/v2/variants/1/nope",
        "/api/v2/products?include=,,",
    ] {
        let r = h.get(path).await;
        assert!(r.status < 500, "{path} → {}", r.status);
    }
    for body in [
        "{",
        "[]",
        "{\"data\": 5}",
        "{\"data\": {\"type\": \"variants\", \"attributes\": []}}",
        "null",
    ] {
        let r = h
            .send(
                h.http
                    .post(h.url("/api/v2/variants"))
                    .header("X-CloudCart-ApiKey", KEY)
                    .header("Content-Type", MEDIA)
                    .body(body.to_string()),
            )
            .await;
        assert!(r.status == 400 || r.status == 422, "{body} → {}", r.status);
        assert!(r.body["errors"].is_array());
    }
    assert_eq!(h.get("/api/v2/products").await.status, 200);
}
