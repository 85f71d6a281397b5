//! API.md §6 (and the §6.7 emulator checklist): subscriptions, delivery shape, retries on
//! virtual time, auto-disable, auto-delete, event rules and fault switches.

mod common;

use std::time::Duration;

use cloudcart_sim::{
    Actor, FulfilInput, OrderEventDeferral, OrderRequest, Outcome, PayloadShape, SimConfig,
    WebhookFaults,
};
use common::*;
use serde_json::{json, Value};

async fn catalogue(h: &Harness) {
    api_item(h, "Кафе", "COF-R", 1290, 100, false).await;
}

fn order() -> OrderRequest {
    OrderRequest::person("hook@example.bg", &[("COF-R", 1)])
}

/// A shop with the test catalogue and a receiver, answering from `script`, subscribed to
/// `event` at `http://{receiver}{path}`; returns the harness, the receiver and the webhook id.
async fn hooked(script: Vec<(u16, &str)>, event: &str, path: &str) -> (Harness, Receiver, String) {
    let h = start(shop()).await;
    catalogue(&h).await;
    let (rx, addr) = Receiver::start(script).await;
    let wid = subscribe(&h, &format!("http://{addr}{path}"), event).await;
    (h, rx, wid)
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(has_null),
        Value::Object(m) => m.values().any(has_null),
        _ => false,
    }
}

#[tokio::test]
async fn s6_4_delivery_is_a_one_element_array_without_nulls_with_key_and_custom_headers() {
    let (h, rx, _) = hooked(vec![], "order.created", "/hooks/order-created").await;
    let c = h.sim.control();
    let id = c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 1);
    let (headers, body) = rx.seen.lock().unwrap()[0].clone();
    assert_eq!(headers["x-cloudcart-apikey"], KEY);
    assert_eq!(headers["x-erp-secret"], "s3cret");
    assert_eq!(headers["content-type"], "application/json");
    let arr = body.as_array().expect("array body");
    assert_eq!(arr.len(), 1);
    assert!(!has_null(&body), "nulls stripped: {body}");
    assert_eq!(arr[0]["id"], id);
    assert_eq!(arr[0]["status"], "pending");
    assert_eq!(arr[0]["currency"], "EUR");
    assert!(arr[0].get("invoice_number").is_none());
    assert_eq!(arr[0]["products"][0]["sku"], "COF-R");
    let log = c.deliveries(HOST);
    assert_eq!(log[0].outcome, Outcome::Delivered);
}

#[tokio::test]
async fn s6_6_retry_schedule_120_180_240_300_360_then_disabled_on_virtual_time() {
    let (h, rx, wid) = hooked(vec![(500, "boom"); 10], "order.created", "/hook").await;
    let c = h.sim.control();
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 1);
    let mut expected = 1;
    for delay in [120u64, 180, 240, 300, 360] {
        c.advance(Duration::from_secs(delay - 1)).await;
        assert_eq!(rx.count(), expected, "not before +{delay}s");
        c.advance(Duration::from_secs(1)).await;
        expected += 1;
        assert_eq!(rx.count(), expected, "attempt at +{delay}s");
    }
    assert_eq!(rx.count(), 6);
    let log = c.deliveries(HOST);
    assert!(matches!(log[0].outcome, Outcome::RetryScheduled { .. }));
    assert_eq!(log[5].attempt, 6);
    assert_eq!(log[5].outcome, Outcome::Disabled);
    let r = h.get(&format!("/api/v2/webhooks/{wid}")).await;
    assert_eq!(r.body["data"]["attributes"]["active"], "no");
    c.advance(Duration::from_secs(3600)).await;
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 6, "a disabled subscription gets nothing");
    // Re-enabling through PATCH starts a fresh budget.
    let r = h
        .patch(
            &format!("/api/v2/webhooks/{wid}"),
            json!({"data": {"type": "webhooks", "id": wid, "attributes": {"active": 1}}}),
        )
        .await;
    assert_eq!(r.body["data"]["attributes"]["active"], "yes");
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 7);
}

#[tokio::test]
async fn s6_6_extra_60s_retry_switch() {
    let h = start_with(SimConfig {
        shops: vec![shop()],
        extra_60s_retry: true,
        ..Default::default()
    })
    .await;
    catalogue(&h).await;
    let (rx, addr) = Receiver::start(vec![(503, ""); 3]).await;
    subscribe(&h, &format!("http://{addr}/hook"), "order.created").await;
    let c = h.sim.control();
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    c.advance(Duration::from_secs(60)).await;
    assert_eq!(rx.count(), 2);
    c.advance(Duration::from_secs(120)).await;
    assert_eq!(rx.count(), 3);
}

#[tokio::test]
async fn s6_6_permanent_failure_codes_disable_without_retry() {
    for code in [400u16, 401, 403, 404, 405, 406, 410, 411] {
        let (h, rx, wid) = hooked(vec![(code, "gone")], "order.created", "/hook").await;
        let c = h.sim.control();
        c.place_order(HOST, &order()).unwrap();
        c.flush_webhooks().await;
        c.advance(Duration::from_secs(1500)).await;
        assert_eq!(rx.count(), 1, "{code}: no retry");
        assert_eq!(c.deliveries(HOST)[0].outcome, Outcome::Disabled, "{code}");
        assert_eq!(
            h.get(&format!("/api/v2/webhooks/{wid}")).await.body["data"]["attributes"]["active"],
            "no"
        );
    }
}

#[tokio::test]
async fn s6_6_please_unsubscribe_me_deletes_the_subscription_but_not_on_2xx() {
    let script = vec![
        (200, "please unsubscribe me"),
        (500, "Error: Please Unsubscribe Me now"),
    ];
    let (h, rx, wid) = hooked(script, "order.created", "/hook").await;
    let c = h.sim.control();
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(
        h.get(&format!("/api/v2/webhooks/{wid}")).await.status,
        200,
        "2xx with the phrase is ignored"
    );
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 2);
    assert_eq!(c.deliveries(HOST)[1].outcome, Outcome::Deleted);
    assert_eq!(h.get(&format!("/api/v2/webhooks/{wid}")).await.status, 404);
}

#[tokio::test]
async fn s6_6_timeout_is_a_retryable_failure() {
    let h = start_with(SimConfig {
        shops: vec![shop()],
        webhook_timeout_ms: 300,
        ..Default::default()
    })
    .await;
    catalogue(&h).await;
    // A listener that never accepts: the request is sent but never answered.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    subscribe(&h, &format!("http://{addr}/hook"), "order.created").await;
    let c = h.sim.control();
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    let log = c.deliveries(HOST);
    assert_eq!(log.len(), 1);
    assert!(log[0].status.is_none());
    assert!(matches!(log[0].outcome, Outcome::RetryScheduled { .. }));
    drop(silent);
}

#[tokio::test]
async fn s6_1_s6_2_subscription_rules_order_deleted_refused_headers_replaced_api_key_read_only() {
    let h = start(shop()).await;
    let post = |event: &str, url: &str| json!({"data": {"type": "webhooks", "attributes": {"url": url, "event": event}}});
    let r = h
        .post(
            "/api/v2/webhooks",
            post("order.deleted", "https://erp.example.bg/h"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("/data/attributes/event"));
    assert_eq!(
        h.post(
            "/api/v2/webhooks",
            post("variant.updated", "https://erp.example.bg/h")
        )
        .await
        .status,
        422
    );
    assert_eq!(
        h.post("/api/v2/webhooks", post("order.created", "not a url"))
            .await
            .status,
        422
    );
    let r = h
        .post(
            "/api/v2/webhooks",
            json!({"data": {"type": "webhooks", "attributes": {"event": "order.created"}}}),
        )
        .await;
    assert_eq!(err(&r).1, Some("/data/attributes/url"));
    let r = h
        .post(
            "/api/v2/webhooks",
            json!({"data": {"type": "webhooks", "attributes": {"url": "https://erp.example.bg/h", "event": "order.updated",
                "request_headers": {"A": "1", "B": "2", "Empty": ""}}}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["data"]["attributes"]["active"], "yes");
    assert_eq!(
        r.body["data"]["attributes"]["request_headers"],
        json!({"A": "1", "B": "2"})
    );
    let id = r.id();
    let r = h.patch(&format!("/api/v2/webhooks/{id}"), json!({"data": {"type": "webhooks", "id": id, "attributes": {"request_headers": {"C": "3"}}}})).await;
    assert_eq!(
        r.body["data"]["attributes"]["request_headers"],
        json!({"C": "3"}),
        "replaced entirely"
    );
    let r = h
        .patch(
            &format!("/api/v2/webhooks/{id}"),
            json!({"data": {"type": "webhooks", "id": id, "attributes": {"api_key_id": 1}}}),
        )
        .await;
    assert_eq!(err(&r).2, Some("The api key id field is read-only."));
    let r = h
        .get("/api/v2/webhooks?filter[event]=order.updated&sort=-id")
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        h.delete(&format!("/api/v2/webhooks/{id}")).await.status,
        204
    );
    assert_eq!(h.get(&format!("/api/v2/webhooks/{id}")).await.status, 404);
}

#[tokio::test]
async fn s6_3_order_updated_fires_for_api_and_fulfilment_but_not_for_gateway_pending_to_paid() {
    let (h, rx, _) = hooked(vec![], "order.updated", "/hooks/order-updated").await;
    let c = h.sim.control();
    let id = c.place_order(HOST, &order()).unwrap();
    c.pay(HOST, id, Actor::Gateway).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 0, "gateway pending → paid is silent");
    assert_eq!(c.order(HOST, id).unwrap()["attributes"]["status"], "paid");
    c.fulfil(HOST, id, FulfilInput::default()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(
        rx.count(),
        1,
        "one order.updated for the fulfilment, none for the auto-complete"
    );
    assert_eq!(rx.bodies()[0][0]["status"], "completed");
    let r = h.patch(&format!("/api/v2/orders/{id}"), json!({"data": {"type": "orders", "id": id.to_string(), "attributes": {"status": "refunded"}}})).await;
    assert_eq!(r.status, 200);
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 2);
    assert_eq!(rx.bodies()[1][0]["status"], "refunded");
    // A gateway cancellation does fire.
    let id2 = c.place_order(HOST, &order()).unwrap();
    c.set_status(HOST, id2, "cancelled", Actor::Gateway)
        .unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 3);
}

#[tokio::test]
async fn s6_3_non_order_events_categories_customers_and_product_deleted_payload_shapes() {
    for shape in [PayloadShape::JsonApi, PayloadShape::Flat] {
        let h = start_with(SimConfig {
            shops: vec![shop()],
            payload_shape: shape,
            ..Default::default()
        })
        .await;
        let (rx, addr) = Receiver::start(vec![]).await;
        for e in [
            "category.created",
            "product.created",
            "product.updated",
            "product.deleted",
        ] {
            subscribe(&h, &format!("http://{addr}/{e}"), e).await;
        }
        catalogue(&h).await;
        let pid = h.get("/api/v2/products").await.body["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        h.delete(&format!("/api/v2/products/{pid}")).await;
        h.sim.control().flush_webhooks().await;
        let bodies = rx.bodies();
        assert_eq!(
            bodies.len(),
            2,
            "category.created + product.deleted, no product.created/updated for API writes"
        );
        let cat = &bodies[0][0];
        match shape {
            PayloadShape::JsonApi => {
                assert_eq!(cat["type"], "categories");
                assert_eq!(cat["attributes"]["name"], "Кафе");
            }
            PayloadShape::Flat => {
                assert_eq!(cat["name"], "Кафе");
                assert!(cat.get("attributes").is_none());
            }
        }
    }
}

#[tokio::test]
async fn fault_switches_duplicate_drop_defer_and_out_of_order() {
    let (h, rx, _) = hooked(vec![], "order.updated", "/u").await;
    let c = h.sim.control();
    let id = c.place_order(HOST, &order()).unwrap();
    // Duplicate.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            duplicate: true,
            ..Default::default()
        },
    )
    .unwrap();
    c.set_status(HOST, id, "authorized", Actor::Merchant)
        .unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 2);
    assert_eq!(rx.bodies()[0], rx.bodies()[1]);
    // Drop the next one.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            drop_next: 1,
            ..Default::default()
        },
    )
    .unwrap();
    c.set_status(HOST, id, "pending", Actor::Merchant).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 2);
    assert_eq!(c.deliveries(HOST).last().unwrap().outcome, Outcome::Dropped);
    // Defer 60 s.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            defer_60s: true,
            ..Default::default()
        },
    )
    .unwrap();
    c.set_status(HOST, id, "authorized", Actor::Merchant)
        .unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 2);
    c.advance(Duration::from_secs(60)).await;
    assert_eq!(rx.count(), 3);
    // Out of order: hold two, release newest first.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            hold_for_reorder: true,
            ..Default::default()
        },
    )
    .unwrap();
    c.set_status(HOST, id, "pending", Actor::Merchant).unwrap();
    c.set_status(HOST, id, "paid", Actor::Merchant).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 3);
    c.set_webhook_faults(HOST, WebhookFaults::default())
        .unwrap();
    c.release_held_webhooks(HOST).unwrap();
    c.flush_webhooks().await;
    let b = rx.bodies();
    assert_eq!(b[3][0]["status"], "paid");
    assert_eq!(b[4][0]["status"], "pending");

    // Held deliveries taken by the caller, as the shop would send them: never sent.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            hold_for_reorder: true,
            ..Default::default()
        },
    )
    .unwrap();
    c.set_status(HOST, id, "completed", Actor::Merchant)
        .unwrap();
    let taken = c.take_held_webhooks(HOST).unwrap();
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0].event, "order.updated");
    assert!(taken[0].url.ends_with("/u"), "{}", taken[0].url);
    assert!(!taken[0].headers["X-CloudCart-ApiKey"].is_empty());
    assert_eq!(taken[0].body[0]["status"], "completed");
    assert!(c.take_held_webhooks(HOST).unwrap().is_empty(), "taken once");
    c.release_held_webhooks(HOST).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 5, "a taken delivery is not sent");
}

#[tokio::test]
async fn s6_6_order_events_deferred_60s_when_several_subscribers() {
    let h = start_with(SimConfig {
        shops: vec![shop()],
        order_event_deferral: OrderEventDeferral::WhenSeveralSubscribers,
        ..Default::default()
    })
    .await;
    catalogue(&h).await;
    let (rx, addr) = Receiver::start(vec![]).await;
    subscribe(&h, &format!("http://{addr}/a"), "order.created").await;
    subscribe(&h, &format!("http://{addr}/b"), "order.created").await;
    let c = h.sim.control();
    c.place_order(HOST, &order()).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 0);
    c.advance(Duration::from_secs(60)).await;
    assert_eq!(rx.count(), 2);
}

#[tokio::test]
async fn s6_3_order_updated_on_merchant_line_edit_and_plain_api_save_category_updated_on_patch() {
    let h = start(shop()).await;
    catalogue(&h).await;
    let (rx, addr) = Receiver::start(vec![]).await;
    subscribe(&h, &format!("http://{addr}/u"), "order.updated").await;
    subscribe(&h, &format!("http://{addr}/c"), "category.updated").await;
    let c = h.sim.control();
    let id = c.place_order(HOST, &order()).unwrap();
    c.edit_line(HOST, id, "COF-R", 3).unwrap();
    c.flush_webhooks().await;
    assert_eq!(rx.count(), 1);
    assert_eq!(rx.bodies()[0][0]["products"][0]["quantity"], 3);
    let r = h
        .patch(
            &format!("/api/v2/orders/{id}"),
            json!({"data": {"type": "orders", "id": id.to_string(), "attributes": {"usn": "U-1"}}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let cat = h.get("/api/v2/categories").await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h.patch(&format!("/api/v2/categories/{cat}"), json!({"data": {"type": "categories", "id": cat, "attributes": {"name": "Кафе и чай"}}})).await;
    assert_eq!(r.status, 200);
    c.flush_webhooks().await;
    let b = rx.bodies();
    assert_eq!(b.len(), 3);
    assert_eq!(b[1][0]["id"], id);
    assert_eq!(b[2][0]["attributes"]["name"], "Кафе и чай");
}

#[tokio::test]
async fn fault_switch_duplicate_count_sends_each_attempt_n_times_and_the_bool_still_means_twice() {
    let (h, rx, _) = hooked(vec![], "order.updated", "/u").await;
    let c = h.sim.control();
    let id = c.place_order(HOST, &order()).unwrap();
    let mut sent = 0;
    // In process: each attempt four times, one log record per attempt.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            duplicate_count: 4,
            ..Default::default()
        },
    )
    .unwrap();
    c.set_status(HOST, id, "authorized", Actor::Merchant)
        .unwrap();
    c.flush_webhooks().await;
    sent += 4;
    assert_eq!(rx.count(), sent);
    let b = rx.bodies();
    assert!(b.iter().all(|x| *x == b[0]));
    assert_eq!(c.deliveries(HOST).len(), 1);
    assert_eq!(c.deliveries(HOST)[0].outcome, Outcome::Delivered);
    // The count wins over the bool; 1 = once.
    c.set_webhook_faults(
        HOST,
        WebhookFaults {
            duplicate: true,
            duplicate_count: 1,
            ..Default::default()
        },
    )
    .unwrap();
    c.set_status(HOST, id, "pending", Actor::Merchant).unwrap();
    c.flush_webhooks().await;
    sent += 1;
    assert_eq!(rx.count(), sent);
    // Over HTTP: a count, then the old bool (twice).
    let path = format!("/_sim/shops/{HOST}/faults/webhooks");
    for (body, copies) in [
        (json!({"duplicate_count": 3}), 3),
        (json!({"duplicate": true}), 2),
    ] {
        let r = h.sim(reqwest::Method::PUT, &path, Some(body)).await;
        assert_eq!(r.status, 204);
        let status = if c.order(HOST, id).unwrap()["attributes"]["status"] == "pending" {
            "authorized"
        } else {
            "pending"
        };
        c.set_status(HOST, id, status, Actor::Merchant).unwrap();
        c.flush_webhooks().await;
        sent += copies;
        assert_eq!(rx.count(), sent);
    }
    // The count is capped; nothing set = once.
    assert_eq!(
        WebhookFaults {
            duplicate_count: 1_000,
            ..Default::default()
        }
        .copies(),
        cloudcart_sim::MAX_COPIES
    );
    assert_eq!(WebhookFaults::default().copies(), 1);
}
