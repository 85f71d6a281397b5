//! Transport behaviour the emulator cannot produce, against a scripted HTTP server on
//! 127.0.0.1: request headers, anti-abuse HTML 429/403, the "no API access" 429 body,
//! timeouts and refused connections, `500` support ids.

mod common;

use cloudcart::clock::VirtualClock;
use cloudcart::models::catalogue::{Stock, VariantUpdate};
use cloudcart::{Client, ClientConfig, Error, Query, RetryPolicy};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const KEY: &str = "SCRIPTEDKEY000000000000000000000000000000000000000000000000000042";

/// What the scripted server does with one request.
enum Reply {
    /// Send this status, content type and body.
    Send(u16, &'static str, String, Vec<(&'static str, &'static str)>),
    /// Read the request and never answer.
    Hang,
}

struct Script {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn script(replies: Vec<Reply>) -> Script {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        for reply in replies {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let request = common::read_http_request(&mut sock).await;
            log.lock().unwrap().push(request);
            match reply {
                Reply::Hang => held.push(sock),
                Reply::Send(status, content_type, body, headers) => {
                    let mut head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
                        body.len()
                    );
                    for (k, v) in headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(body.as_bytes()).await;
                    let _ = sock.shutdown().await;
                }
            }
        }
        // Keep hung sockets open until the test ends.
        std::future::pending::<()>().await;
        drop(held);
    });
    Script { addr, seen }
}

fn client(addr: SocketAddr, retry: RetryPolicy, clock: &VirtualClock) -> Client {
    let config = ClientConfig::new(&format!("http://shop.localhost:{}", addr.port()), KEY)
        .unwrap()
        .resolve_to(addr)
        .retry(retry)
        .timeouts(Duration::from_secs(2), Duration::from_millis(300))
        .clock(Arc::new(clock.clone()));
    Client::new(config).unwrap()
}

fn ok_page() -> Reply {
    Reply::Send(
        200,
        "application/vnd.api+json",
        r#"{"data":[{"type":"variants","id":"1","attributes":{"sku":"A"}}],"meta":{"page":{"current-page":1,"last-page":1}}}"#.into(),
        vec![("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "98")],
    )
}

#[tokio::test]
async fn every_request_carries_the_key_the_media_type_and_a_user_agent() {
    let s = script(vec![
        ok_page(),
        Reply::Send(
            200,
            "application/vnd.api+json",
            r#"{"data":{"type":"variants","id":"1","attributes":{"quantity":3}}}"#.into(),
            vec![],
        ),
    ])
    .await;
    let clock = VirtualClock::new();
    let c = client(s.addr, RetryPolicy::default(), &clock);
    c.variants(Query::new()).collect_all().await.unwrap();
    c.update_variant(
        "1",
        &VariantUpdate {
            quantity: Some(Stock::units(3)),
            price: None,
        },
    )
    .await
    .unwrap();
    let seen = s.seen.lock().unwrap().clone();
    let get = seen[0].to_ascii_lowercase();
    assert!(get.starts_with("get /api/v2/variants?"), "{get}");
    assert!(
        get.contains("page%5bsize%5d=100") && get.contains("sort=id"),
        "{get}"
    );
    assert!(get.contains(&format!("x-cloudcart-apikey: {}", KEY.to_ascii_lowercase())));
    assert!(get.contains("accept: application/vnd.api+json"));
    assert!(get.contains("user-agent: sklad-cloudcart/"));
    assert!(get.contains("host: shop.localhost:"));
    let patch = &seen[1];
    assert!(patch.starts_with("PATCH /api/v2/variants/1 "), "{patch}");
    assert!(patch
        .to_ascii_lowercase()
        .contains("content-type: application/vnd.api+json"));
    let body: serde_json::Value =
        serde_json::from_str(patch.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"data": {"type": "variants", "id": "1", "attributes": {"quantity": 3}}})
    );
    // The key never shows in the client's Debug output.
    assert!(!format!("{c:?}").contains(KEY));
}

#[tokio::test]
async fn html_429_and_403_are_anti_abuse_and_block_without_retrying() {
    let s = script(vec![
        ok_page(),
        Reply::Send(429, "text/html", "<html>slow down</html>".into(), vec![]),
        Reply::Send(403, "text/html", "<html>forbidden</html>".into(), vec![]),
        ok_page(),
    ])
    .await;
    let clock = VirtualClock::new();
    let c = client(s.addr, RetryPolicy::default(), &clock);
    c.check().await.unwrap();
    assert_eq!(
        c.check().await.unwrap_err(),
        Error::AntiAbuse { status: 429 }
    );
    assert_eq!(
        s.seen.lock().unwrap().len(),
        2,
        "no retry after an anti-abuse answer"
    );
    // The next request waits out the anti-abuse pause first.
    let before = cloudcart::clock::Clock::now(&clock);
    assert_eq!(
        c.check().await.unwrap_err(),
        Error::AntiAbuse { status: 403 }
    );
    assert!(cloudcart::clock::Clock::now(&clock) - before >= Duration::from_secs(300));
}

#[tokio::test]
async fn a_no_api_429_body_is_the_plan_error_and_nothing_more_is_sent() {
    let body = r#"{"error":"Too Many Requests","message":"API rate limit exceeded. You do not have API access on your current plan. Please upgrade your subscription plan to enable API access.","retry_after":60}"#;
    let s = script(vec![Reply::Send(
        429,
        "application/json",
        body.into(),
        vec![
            ("Retry-After", "60"),
            ("X-RateLimit-Limit", "0"),
            ("X-RateLimit-Remaining", "0"),
        ],
    )])
    .await;
    let clock = VirtualClock::new();
    let c = client(s.addr, RetryPolicy::default(), &clock);
    assert_eq!(c.check().await.unwrap_err(), Error::NoApiOnPlan);
    assert_eq!(
        c.orders(Query::new()).next_page().await.unwrap_err(),
        Error::NoApiOnPlan
    );
    assert_eq!(s.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn timeouts_are_retried_then_reported_as_unavailable() {
    let s = script(vec![Reply::Hang, ok_page()]).await;
    let clock = VirtualClock::new();
    let retry = RetryPolicy {
        max_attempts: 2,
        ..RetryPolicy::default()
    };
    let c = client(s.addr, retry, &clock);
    assert!(c
        .variants(Query::new())
        .next_page()
        .await
        .unwrap()
        .is_some());
    assert_eq!(s.seen.lock().unwrap().len(), 2);

    let s = script(vec![Reply::Hang, Reply::Hang]).await;
    let c = client(s.addr, retry, &clock);
    match c.variants(Query::new()).next_page().await {
        Err(Error::Unavailable {
            status: None,
            reason,
        }) => assert_eq!(reason, "timed out"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn refused_connections_are_retried_with_backoff_then_unavailable() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let clock = VirtualClock::new();
    let c = client(addr, RetryPolicy::default(), &clock);
    let e = c.check().await.unwrap_err();
    assert_eq!(
        e,
        Error::Unavailable {
            status: None,
            reason: "connection failed".into()
        }
    );
    // 4 attempts: backoff 2 + 4 + 8 s on virtual time.
    assert_eq!(
        cloudcart::clock::Clock::now(&clock),
        Duration::from_secs(14)
    );
}

#[tokio::test]
async fn a_500_reports_the_support_log_id_after_retries() {
    let reply = || {
        Reply::Send(
            500,
            "application/vnd.api+json",
            r#"{"errors":[{"status":"500","title":"Server Error"}],"details":"log-4711"}"#.into(),
            vec![],
        )
    };
    let s = script(vec![reply(), reply()]).await;
    let clock = VirtualClock::new();
    let c = client(
        s.addr,
        RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        },
        &clock,
    );
    match c.check().await {
        Err(Error::Unavailable {
            status: Some(500),
            reason,
        }) => assert!(reason.contains("log-4711")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_undecodable_answer_names_the_json_path() {
    let s = script(vec![Reply::Send(
        200,
        "application/vnd.api+json",
        r#"{"data":[{"type":"variants","id":"1","attributes":{"price":"twelve"}}]}"#.into(),
        vec![],
    )])
    .await;
    let clock = VirtualClock::new();
    let c = client(s.addr, RetryPolicy::default(), &clock);
    match c.variants(Query::new()).next_page().await {
        Err(Error::Decode { path, .. }) => assert_eq!(path, "data[0].attributes.price"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_refused_status_code_is_retried_once_with_the_status_id() {
    let order = |status: &str| {
        format!(
            r#"{{"data":{{"type":"orders","id":"20417","attributes":{{"status":"{status}"}}}}}}"#
        )
    };
    let s = script(vec![
        Reply::Send(422, "application/vnd.api+json",
            r#"{"errors":[{"status":"422","title":"Unprocessable Entity","detail":"Invalid status.","source":{"pointer":"/data/attributes/status"}}]}"#.into(), vec![]),
        Reply::Send(200, "application/json",
            r#"{"data":[{"id":1,"name":"Pending","slug":"pending","status_type":"default"},{"id":2,"name":"Paid","slug":"paid","status_type":"default"}]}"#.into(), vec![]),
        Reply::Send(200, "application/vnd.api+json", order("paid"), vec![]),
    ])
    .await;
    let clock = VirtualClock::new();
    let c = client(s.addr, RetryPolicy::default(), &clock);
    let updated = c
        .set_order_status("20417", &cloudcart::models::orders::OrderStatus::Paid)
        .await
        .unwrap();
    assert_eq!(
        updated.attributes.status,
        Some(cloudcart::models::orders::OrderStatus::Paid)
    );
    let seen = s.seen.lock().unwrap().clone();
    assert!(seen[0].contains(r#""status":"paid""#));
    assert!(seen[1].starts_with("GET /api/v2/order-status "));
    assert!(seen[2].contains(r#""status_id":2"#), "{}", seen[2]);
}

#[tokio::test]
async fn a_create_that_may_have_arrived_is_not_repeated() {
    let s = script(vec![
        Reply::Send(
            500,
            "application/vnd.api+json",
            r#"{"errors":[{"status":"500","title":"Server Error"}]}"#.into(),
            vec![],
        ),
        Reply::Hang,
    ])
    .await;
    let clock = VirtualClock::new();
    let c = client(s.addr, RetryPolicy::default(), &clock);
    let hook = cloudcart::models::webhooks::WebhookWrite::new(
        "https://erp.example/hooks/order-created",
        cloudcart::models::webhooks::WebhookEvent::OrderCreated,
    );
    assert!(matches!(
        c.create_webhook(&hook).await,
        Err(Error::Unavailable {
            status: Some(500),
            ..
        })
    ));
    assert!(matches!(
        c.create_webhook(&hook).await,
        Err(Error::Unavailable { status: None, .. })
    ));
    assert_eq!(s.seen.lock().unwrap().len(), 2, "each POST was sent once");
}
