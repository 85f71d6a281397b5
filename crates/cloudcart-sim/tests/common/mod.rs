//! Shared helpers: start an emulator, talk to it over real HTTP, receive webhooks.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use cloudcart_sim::{ShopConfig, Sim, SimConfig};
use serde_json::Value;

pub const HOST: &str = "shop.localhost";
pub const KEY: &str = "TESTKEYTESTKEYTESTKEYTESTKEYTESTKEYTESTKEYTESTKEYTESTKEYTESTKEY";
pub const MEDIA: &str = "application/vnd.api+json";

pub struct Harness {
    pub sim: Sim,
    pub http: reqwest::Client,
    pub base: String,
}

pub async fn start(shop: ShopConfig) -> Harness {
    start_with(SimConfig {
        shops: vec![shop],
        ..Default::default()
    })
    .await
}

pub async fn start_with(config: SimConfig) -> Harness {
    let hosts: Vec<String> = config
        .shops
        .iter()
        .flat_map(|s| std::iter::once(s.host.clone()).chain(s.aliases.clone()))
        .collect();
    let sim = Sim::start(config).await.expect("emulator starts");
    let mut b = reqwest::Client::builder();
    for h in hosts
        .iter()
        .chain(std::iter::once(&"unknown.localhost".to_string()))
    {
        b = b.resolve(h, sim.addr());
    }
    let http = b.build().expect("client");
    let base = sim.base_url(HOST);
    Harness { sim, http, base }
}

pub fn shop() -> ShopConfig {
    ShopConfig::new(HOST).api_key(KEY)
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.get_url(&self.url(path), Some(KEY)).await
    }
    /// GET `path` with the API key and one more header.
    pub async fn get_with(&self, path: &str, name: &str, value: &str) -> Resp {
        self.send(
            self.http
                .get(self.url(path))
                .header("X-CloudCart-ApiKey", KEY)
                .header(name, value),
        )
        .await
    }
    /// GET an absolute URL (any host the harness resolves) with `key`, or with no key header.
    pub async fn get_url(&self, url: &str, key: Option<&str>) -> Resp {
        let req = self.http.get(url);
        let req = match key {
            Some(k) => req.header("X-CloudCart-ApiKey", k),
            None => req,
        };
        self.send(req).await
    }
    /// `http://{host}:{port}{path}` on the emulator, for hosts other than [`HOST`].
    pub fn url_on(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.sim.addr().port())
    }
    pub async fn write(&self, method: reqwest::Method, path: &str, body: Value) -> Resp {
        self.send(
            self.http
                .request(method, self.url(path))
                .header("X-CloudCart-ApiKey", KEY)
                .header("Content-Type", MEDIA)
                .body(body.to_string()),
        )
        .await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.write(reqwest::Method::POST, path, body).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.write(reqwest::Method::PATCH, path, body).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(
            self.http
                .delete(self.url(path))
                .header("X-CloudCart-ApiKey", KEY),
        )
        .await
    }
    /// A request to the `/_sim` control surface (on 127.0.0.1, no API key), with a JSON
    /// body when given.
    pub async fn sim(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Resp {
        let url = format!("http://127.0.0.1:{}{path}", self.sim.addr().port());
        let req = self.http.request(method, url);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        self.send(req).await
    }
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let r = req.send().await.expect("request reaches the emulator");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }
}

impl Resp {
    /// The `data.id` of a single-resource answer (panics with the body when there is none).
    pub fn id(&self) -> String {
        match self.body["data"]["id"].as_str() {
            Some(id) => id.to_string(),
            None => panic!("no data.id in {} {:?}", self.status, self.body),
        }
    }
}

/// POST `body` to `path`, expect 201 and return the new record's id.
pub async fn created_id(h: &Harness, path: &str, body: Value) -> String {
    let r = h.post(path, body).await;
    assert_eq!(r.status, 201, "{path}: {:?}", r.body);
    r.id()
}

/// Through the API: a category named `category`, a tracked, shipped product in it and its
/// option-less variant `sku` at `price` minor units with `quantity` units.
pub async fn api_item(
    h: &Harness,
    category: &str,
    sku: &str,
    price: i64,
    quantity: i64,
    continue_selling: bool,
) {
    let cat = created_id(
        h,
        "/api/v2/categories",
        serde_json::json!({"data": {"type": "categories", "attributes": {"name": category}}}),
    )
    .await;
    let pid = created_id(
        h,
        "/api/v2/products",
        serde_json::json!({"data": {"type": "products", "attributes": {"name": format!("Продукт {sku}"),
            "tracking": "yes", "shipping": "yes", "continue_selling": if continue_selling { "yes" } else { "no" }},
            "relationships": {"category": {"data": {"type": "categories", "id": cat}}}}}),
    )
    .await;
    created_id(
        h,
        "/api/v2/variants",
        serde_json::json!({"data": {"type": "variants", "attributes": {"sku": sku, "price": price, "quantity": quantity, "barcode": "3800123450017"},
            "relationships": {"product": {"data": {"type": "products", "id": pid}}}}}),
    )
    .await;
}

/// Error detail of the first JSON:API error.
pub fn err(r: &Resp) -> (&str, Option<&str>, Option<&str>) {
    let e = &r.body["errors"][0];
    (
        e["status"].as_str().unwrap_or(""),
        e["source"]["pointer"]
            .as_str()
            .or(e["source"]["parameter"].as_str()),
        e["detail"].as_str(),
    )
}

/// A webhook receiver on 127.0.0.1:0 that records requests and answers from a script.
#[derive(Clone, Default)]
pub struct Receiver {
    pub seen: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    /// Responses to give in order; when exhausted, 200.
    pub script: Arc<Mutex<Vec<(u16, String)>>>,
}

impl Receiver {
    pub async fn start(script: Vec<(u16, &str)>) -> (Receiver, SocketAddr) {
        let r = Receiver {
            seen: Arc::default(),
            script: Arc::new(Mutex::new(
                script
                    .into_iter()
                    .rev()
                    .map(|(s, b)| (s, b.to_string()))
                    .collect(),
            )),
        };
        let app = axum::Router::new().fallback(receive).with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (r, addr)
    }
    pub fn bodies(&self) -> Vec<Value> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| b.clone())
            .collect()
    }
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    r.seen.lock().unwrap().push((headers, v));
    let (s, b) = r.script.lock().unwrap().pop().unwrap_or((200, "ok".into()));
    (StatusCode::from_u16(s).unwrap(), b)
}

/// Subscribe `url` to `event` through the public API; returns the webhook id.
pub async fn subscribe(h: &Harness, url: &str, event: &str) -> String {
    let r = h
        .post(
            "/api/v2/webhooks",
            serde_json::json!({"data": {"type": "webhooks", "attributes": {"url": url, "event": event,
                "request_headers": {"X-Erp-Secret": "s3cret"}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["data"]["id"].as_str().unwrap().to_string()
}
