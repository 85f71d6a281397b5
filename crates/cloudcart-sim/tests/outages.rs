//! Outages a client must survive: the whole emulator refusing connections on its port and
//! coming back on the same port, and requests held without an answer until the virtual clock
//! moves on ([`ApiFault::Hang`]). Real-time waits here are bounded and only observe sockets.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use cloudcart_sim::{ApiFault, OrderRequest};
use common::*;
use reqwest::Method;
use serde_json::json;
use tokio::net::TcpStream;

/// A fresh client without pooled connections, so each request really connects.
fn fresh_client(h: &Harness) -> reqwest::Client {
    reqwest::Client::builder()
        .resolve(HOST, h.sim.addr())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// Within `limit` of real time, wait until the port accepts connections again.
async fn until_accepting(addr: std::net::SocketAddr, limit: Duration) -> bool {
    tokio::time::timeout(limit, async {
        while TcpStream::connect(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn go_offline_refuses_connections_and_go_online_serves_the_same_port_again() {
    let h = start(shop().seed_products(2)).await;
    let c = h.sim.control();
    let addr = h.sim.addr();
    let sku = c.variants(HOST)[0].sku.clone().unwrap();
    let (rx, hook) = Receiver::start(vec![]).await;
    subscribe(&h, &format!("http://{hook}/created"), "order.created").await;
    // A pooled keep-alive connection exists now.
    assert_eq!(h.get("/api/v2/products").await.status, 200);
    assert!(c.is_online());
    c.go_offline().await;
    assert!(!c.is_online());
    let e = TcpStream::connect(addr).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
    let e = fresh_client(&h)
        .get(h.url("/api/v2/products"))
        .header("X-CloudCart-ApiKey", KEY)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_connect(), "a refused connection: {e}");
    // The kept-alive connection was cut as well: the pooled client fails too.
    let pooled = h
        .http
        .get(h.url("/api/v2/products"))
        .header("X-CloudCart-ApiKey", KEY)
        .send()
        .await;
    assert!(pooled.is_err(), "{pooled:?}");
    // The shop, the clock and the webhook dispatcher keep running meanwhile.
    c.set_variant_quantity(HOST, &sku, Some(50.0)).unwrap();
    c.place_order(
        HOST,
        &OrderRequest::person("o@example.bg", &[(sku.as_str(), 1)]),
    )
    .unwrap();
    c.advance(Duration::from_secs(30)).await;
    assert_eq!(rx.count(), 1);
    c.go_offline().await;
    // Back on the same port.
    c.go_online().await.unwrap();
    c.go_online().await.unwrap();
    assert!(c.is_online());
    assert_eq!(h.sim.addr(), addr);
    let r = h.get("/api/v2/orders").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["meta"]["page"]["total"], 1);
    assert_eq!(
        h.sim(Method::GET, "/_sim/clock", None).await.body["now"],
        "2026-06-01 08:00:30"
    );
}

#[tokio::test]
async fn sim_offline_over_http_answers_then_refuses_then_comes_back_on_the_same_port() {
    let h = start(shop()).await;
    let addr = h.sim.addr();
    for (body, code) in [
        (json!({}), "invalid_duration"),
        (json!({"for_ms": 0}), "invalid_duration"),
        (json!({"for_ms": 600_001}), "invalid_duration"),
    ] {
        let r = h.sim(Method::POST, "/_sim/offline", Some(body)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["error"]["code"], code);
    }
    assert!(h.sim.control().is_online());
    let r = h
        .sim(Method::POST, "/_sim/offline", Some(json!({"for_ms": 700})))
        .await;
    assert_eq!(r.status, 204, "the caller gets its answer before the cut");
    let e = TcpStream::connect(addr).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
    assert!(until_accepting(addr, Duration::from_secs(20)).await);
    assert!(h.sim.control().is_online());
    assert_eq!(h.get("/api/v2/products").await.status, 200);
}

/// GET `/api/v2/products` in a task with no client timeout; resolves to the status.
fn patient_get(h: &Harness) -> tokio::task::JoinHandle<u16> {
    let (http, url) = (h.http.clone(), h.url("/api/v2/products"));
    tokio::spawn(async move {
        http.get(url)
            .header("X-CloudCart-ApiKey", KEY)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
}

/// Wait (bounded) until exactly `n` requests are held.
async fn held(h: &Harness, n: usize) {
    let c = h.sim.control();
    tokio::time::timeout(Duration::from_secs(20), c.wait_for_held_requests(HOST, n))
        .await
        .unwrap_or_else(|_| panic!("{n} held requests, have {}", c.held_requests(HOST)));
}

#[tokio::test]
async fn hang_fault_holds_requests_until_the_virtual_clock_advances_or_the_fault_is_cleared() {
    let h = start(shop().seed_products(1)).await;
    let c = h.sim.control();
    // A client with a short timeout sees a timeout.
    c.inject_api_fault(
        HOST,
        ApiFault::Hang {
            seconds: 30,
            count: 1,
        },
    )
    .unwrap();
    let e = h
        .http
        .get(h.url("/api/v2/products"))
        .header("X-CloudCart-ApiKey", KEY)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e}");
    c.clear_api_faults(HOST).unwrap();
    held(&h, 0).await;
    // A patient client is answered once the clock moved 30 s past its request (HTTP controls).
    let r = h
        .sim(
            Method::POST,
            &format!("/_sim/shops/{HOST}/faults/api"),
            Some(json!({"kind": "hang", "seconds": 30, "count": 2})),
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let first = patient_get(&h);
    let second = patient_get(&h);
    held(&h, 2).await;
    let advance = |s: u64| {
        h.sim(
            Method::POST,
            "/_sim/clock/advance",
            Some(json!({"seconds": s})),
        )
    };
    advance(29).await;
    assert_eq!(c.held_requests(HOST), 2, "29 s are not enough");
    assert!(!first.is_finished() && !second.is_finished());
    advance(1).await;
    assert_eq!(first.await.unwrap(), 200);
    assert_eq!(second.await.unwrap(), 200);
    held(&h, 0).await;
    assert_eq!(h.get("/api/v2/products").await.status, 200, "count used up");
    // Clearing the faults releases a long hold at once.
    c.inject_api_fault(
        HOST,
        ApiFault::Hang {
            seconds: 86_400,
            count: 1,
        },
    )
    .unwrap();
    let third = patient_get(&h);
    held(&h, 1).await;
    let r = h
        .sim(
            Method::DELETE,
            &format!("/_sim/shops/{HOST}/faults/api"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(third.await.unwrap(), 200);
    // Going offline cuts a held request.
    c.inject_api_fault(
        HOST,
        ApiFault::Hang {
            seconds: 60,
            count: 1,
        },
    )
    .unwrap();
    let fourth = patient_get(&h);
    held(&h, 1).await;
    c.go_offline().await;
    assert_eq!(
        fourth.await.unwrap(),
        0,
        "no answer: the connection was cut"
    );
    held(&h, 0).await;
    c.go_online().await.unwrap();
    c.clear_api_faults(HOST).unwrap();
    assert_eq!(h.get("/api/v2/products").await.status, 200);
}
