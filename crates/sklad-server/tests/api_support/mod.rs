//! Harness of the REST API tests: the REAL server (`sklad_server::app`) on 127.0.0.1:0
//! over a fresh store from [`sklad_store::testing`] — a temp SQLite file, and a fresh
//! PostgreSQL database when `SKLAD_TEST_DATABASE_URL` is set (required when `CI` is
//! set) — driven with reqwest.

#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;
use sklad_domain::clock::ManualClock;
use sklad_domain::model::{FirmInput, Role, UserInput};
use sklad_domain::{Currency, Id};
use sklad_server::AppState;
use sklad_store::Store;

/// Runs each named `async fn(TestServer)` on SQLite and on PostgreSQL, as
/// `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::api_support::run($crate::api_support::Engine::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::api_support::run($crate::api_support::Engine::Postgres, super::$name).await
            }
        }
    )*};
}

pub use sklad_store::Engine;

/// A running server and a client for it.
#[derive(Clone)]
pub struct TestServer {
    /// `http://127.0.0.1:<port>/api/v1`
    pub api: String,
    /// `http://127.0.0.1:<port>`
    pub base: String,
    /// The same store the server uses (for setup that the API does not offer).
    pub store: Store,
    /// The server's bridge (its worker loop runs; tests may also call `tick`).
    pub bridge: sklad_sync::Bridge,
    /// The store's virtual clock (28.11.2026 10:00 UTC at the start).
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

/// A bridge for a test server at `public_url`: a fresh sealing key, shop clients on a
/// virtual clock (rate windows and backoff never wait for real time).
pub fn test_bridge(store: &Store, public_url: &str) -> sklad_sync::Bridge {
    let mut config = sklad_sync::BridgeConfig::new(public_url);
    config.clients = sklad_sync::ClientSettings {
        clock: Arc::new(cloudcart::clock::VirtualClock::new()),
        connect_timeout: std::time::Duration::from_secs(5),
        request_timeout: std::time::Duration::from_secs(20),
    };
    sklad_sync::Bridge::new(store.clone(), sklad_sync::SecretBox::random(), config)
}

/// Starts the server on `engine`, runs `test`, stops everything and cleans up.
pub async fn run<F, Fut>(engine: Engine, test: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = sklad_store::testing::TestDatabase::fresh(engine).await else {
        return;
    };
    let server = start(db.url()).await;
    let store = server.0.store.clone();
    let outcome = tokio::spawn(test(server.0)).await;
    server.1.abort();
    store.close().await;
    drop(db);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Opens and migrates the store at `url` and serves the app on a loopback port.
pub async fn start(url: &str) -> (TestServer, tokio::task::JoinHandle<()>) {
    start_with_body_limit(url, sklad_server::config::DEFAULT_BODY_LIMIT).await
}

/// [`start`] with a request body limit in bytes.
pub async fn start_with_body_limit(
    url: &str,
    body_limit: usize,
) -> (TestServer, tokio::task::JoinHandle<()>) {
    start_with(url, body_limit, sklad_server::MetricsAccess::Open).await
}

/// [`start`] with a request body limit in bytes and who may read `/metrics`.
pub async fn start_with(
    url: &str,
    body_limit: usize,
    metrics: sklad_server::MetricsAccess,
) -> (TestServer, tokio::task::JoinHandle<()>) {
    let manual = ManualClock::new("2026-11-28T10:00:00Z".parse().expect("timestamp"));
    let clock = Arc::new(manual.clone());
    let store = Store::open(url)
        .await
        .expect("open store")
        .with_clock(clock.clone());
    store.migrate().await.expect("migrate");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    let bridge = test_bridge(&store, &format!("http://{addr}"));
    let state = AppState {
        metrics,
        ..AppState::new(store.clone(), clock, bridge.clone())
    };
    let app = sklad_server::app_with_body_limit(state, body_limit);
    let worker = bridge.clone();
    let task = tokio::spawn(async move {
        tokio::spawn(worker.run(std::future::pending()));
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    let server = TestServer {
        api: format!("http://{addr}/api/v1"),
        base: format!("http://{addr}"),
        store,
        bridge,
        clock: manual,
        http: reqwest::Client::new(),
    };
    (server, task)
}

/// A firm with its owner's API token.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub firm_id: Id,
    pub owner_id: Id,
    pub owner_login: String,
    pub token: String,
}

impl TestServer {
    /// A BGN firm (ЕИК 831826092, 3 seats) with an owner `login` and a token for them.
    pub async fn tenant(&self, name: &str, login: &str) -> Tenant {
        let firm = self
            .store
            .create_firm(&FirmInput {
                name: name.into(),
                eik: Some("831826092".into()),
                currency: Currency::Bgn,
                vat_registered: true,
                seats: 3,
                allow_negative_stock: false,
            })
            .await
            .expect("firm");
        let user = self.user(login).await;
        self.store
            .add_member(firm.id, user, Role::Owner, "test")
            .await
            .expect("owner");
        let token = self
            .store
            .create_api_token(user, firm.id, "test")
            .await
            .expect("token")
            .plaintext;
        Tenant {
            firm_id: firm.id,
            owner_id: user,
            owner_login: login.into(),
            token,
        }
    }

    /// A user with a known password; its id.
    pub async fn user(&self, login: &str) -> Id {
        self.store
            .create_user(&UserInput {
                login: login.into(),
                password: "correct horse battery".into(),
                display_name: login.into(),
                language: "bg".into(),
            })
            .await
            .expect("user")
            .id
    }

    /// A token of a new operator of the firm.
    pub async fn operator_token(&self, firm_id: Id, login: &str) -> String {
        let user = self.user(login).await;
        self.store
            .add_member(firm_id, user, Role::Operator, "test")
            .await
            .expect("operator");
        self.store
            .create_api_token(user, firm_id, "test")
            .await
            .expect("token")
            .plaintext
    }

    fn request(&self, method: &str, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, format!("{}{path}", self.api));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req
    }

    /// Sends a request that must be refused with `expected` and the error `code` (see
    /// [`assert_error`]); returns the error's fields.
    pub async fn refused(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        expected: StatusCode,
        code: &str,
    ) -> Vec<Value> {
        let (status, answer) = self.call(method, path, token, body).await;
        assert_error(status, &answer, expected, code)
    }

    /// Sends JSON (or nothing) and returns the status and the JSON answer (`Null` for an
    /// empty body). Panics if a non-empty answer is not JSON.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.request(method, path, token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        answer(req.send().await.expect("request")).await
    }

    /// Sends raw bytes as the body.
    pub async fn call_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let req = self
            .request(method, path, token)
            .header("content-type", "application/json")
            .body(body);
        answer(req.send().await.expect("request")).await
    }

    /// GET that must succeed; its JSON.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call("GET", path, Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// POST that must answer `expected`; its JSON.
    pub async fn post_expect(
        &self,
        path: &str,
        token: &str,
        body: Value,
        expected: StatusCode,
    ) -> Value {
        let (status, answer) = self.call("POST", path, Some(token), Some(body)).await;
        assert_eq!(status, expected, "POST {path}: {answer}");
        answer
    }

    /// Everything a firm holds as seen through the API, to show nothing changed.
    pub async fn snapshot(&self, token: &str) -> Value {
        serde_json::json!({
            "firm": self.get_ok("/firm", token).await,
            "objects": self.get_ok("/objects", token).await,
            "goods": self.get_ok("/goods?limit=500", token).await,
            "partners": self.get_ok("/partners?limit=500", token).await,
            "payment_types": self.get_ok("/payment-types", token).await,
            "operations": self.get_ok("/operations?limit=500", token).await,
            "available": self.get_ok("/stock/available", token).await,
        })
    }
}

async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("answer {status} is not JSON ({e}): {text}"))
    };
    (status, value)
}

/// Asserts the API's error shape with `status` and `code`; returns the fields.
pub fn assert_error(
    status: StatusCode,
    body: &Value,
    expected: StatusCode,
    code: &str,
) -> Vec<Value> {
    assert_eq!(status, expected, "{body}");
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    assert!(
        error["message_bg"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        error["message_en"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    error["fields"].as_array().expect("fields array").clone()
}

/// Asserts that `fields` has an error at `field` with `code`.
pub fn assert_field(fields: &[Value], field: &str, code: &str) {
    assert!(
        fields.iter().any(|f| f["field"] == field
            && f["code"] == code
            && f["message_bg"].as_str().is_some_and(|m| !m.is_empty())
            && f["message_en"].as_str().is_some_and(|m| !m.is_empty())),
        "expected {field}/{code} in {fields:?}"
    );
}
