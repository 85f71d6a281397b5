//! A firm with an owner and a CloudCart shop connected through the REST API of a
//! running `sklad serve`, as a merchant would do it: connection (tested), special goods,
//! every payment provider mapped to the first payment type, the catalogue imported and
//! the webhooks subscribed.

use std::path::Path;

use serde_json::{json, Value};

use super::{ok, sklad_on, value};

/// A firm made with the CLI, with its owner's API token.
pub struct Firm {
    /// The firm's id.
    pub id: String,
    /// The owner's bearer token (`skl_…`).
    pub token: String,
}

/// Creates a firm (3 seats) with the owner `owner` and a token, on `database_url` (the
/// embedded database of `data` when `None`).
pub fn firm_with_owner(data: &Path, database_url: Option<&str>, name: &str) -> Firm {
    let id = value(
        &ok(sklad_on(
            data,
            database_url,
            &["firm", "create", "--name", name, "--seats", "3"],
        )),
        "firm_id",
    );
    ok(sklad_on(
        data,
        database_url,
        &[
            "user", "create", "--firm", &id, "--login", "owner", "--role", "owner",
        ],
    ));
    let token = ok(sklad_on(
        data,
        database_url,
        &["token", "create", "--firm", &id, "--login", "owner"],
    ))
    .lines()
    .find(|l| l.starts_with("skl_"))
    .expect("token")
    .to_owned();
    Firm { id, token }
}

/// A call to a server's REST API with the token; panics unless it succeeds.
pub async fn api(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let mut request = http
        .request(method.parse().expect("method"), url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.expect("request");
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    assert!(status.is_success(), "{method} {url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Connects the shop at `shop_url` to the firm through the API at `server_url` and
/// makes it ready for orders; returns the connection's id.
pub async fn connect_shop(
    http: &reqwest::Client,
    server_url: &str,
    token: &str,
    shop_url: &str,
    api_key: &str,
) -> i64 {
    let base = format!("{server_url}/api/v1");
    let created = api(
        http,
        "POST",
        &format!("{base}/shops"),
        token,
        Some(
            json!({"name": "CloudCart", "shop_url": shop_url, "api_key": api_key,
                    "active": true, "currency": "EUR", "prices_with_vat": true}),
        ),
    )
    .await;
    let id = created["id"].as_i64().expect("connection id");
    let shop = format!("{base}/shops/{id}");
    let test = created["last_test"]["id"].as_i64().expect("test job");
    let tested = api(
        http,
        "GET",
        &format!("{shop}/jobs/{test}?wait=30"),
        token,
        None,
    )
    .await;
    assert_eq!(tested["status"], "done", "{tested}");
    api(http, "POST", &format!("{shop}/special-goods"), token, None).await;
    let settings = api(http, "GET", &format!("{shop}/settings"), token, None).await;
    let types = api(http, "GET", &format!("{base}/payment-types"), token, None).await;
    let cash = types[0]["id"].as_i64().expect("a payment type");
    let payments: serde_json::Map<String, Value> = settings["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .map(|p| {
            (
                p["provider"].as_str().unwrap_or_default().to_owned(),
                json!(cash),
            )
        })
        .collect();
    let mut body = settings["settings"].clone();
    body["payments"] = Value::Object(payments);
    api(http, "PUT", &format!("{shop}/settings"), token, Some(body)).await;
    for kind in ["import", "webhooks"] {
        run_job(http, server_url, token, id, kind).await;
    }
    id
}

/// Runs a job of the connection through the API and waits for its end.
pub async fn run_job(
    http: &reqwest::Client,
    server_url: &str,
    token: &str,
    connection_id: i64,
    kind: &str,
) -> Value {
    let shop = format!("{server_url}/api/v1/shops/{connection_id}");
    let job = api(
        http,
        "POST",
        &format!("{shop}/jobs"),
        token,
        Some(json!({"kind": kind})),
    )
    .await;
    let job = job["id"].as_i64().expect("job id");
    let done = api(
        http,
        "GET",
        &format!("{shop}/jobs/{job}?wait=30"),
        token,
        None,
    )
    .await;
    assert_eq!(done["status"], "done", "{done}");
    done
}

/// Makes the connection's values flow to the shop through the API: the shop's
/// quantities taken as opening stock, the first push previewed and confirmed, auto-sync
/// on.
pub async fn start_pushing(
    http: &reqwest::Client,
    server_url: &str,
    token: &str,
    connection_id: i64,
) {
    run_job(http, server_url, token, connection_id, "opening_stock").await;
    let preview = run_job(http, server_url, token, connection_id, "push_preview").await;
    let shop = format!("{server_url}/api/v1/shops/{connection_id}");
    api(
        http,
        "POST",
        &format!("{shop}/first-push/confirm"),
        token,
        Some(json!({"job_id": preview["id"]})),
    )
    .await;
    let settings = api(http, "GET", &format!("{shop}/settings"), token, None).await;
    let payments: serde_json::Map<String, Value> = settings["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .map(|p| {
            (
                p["provider"].as_str().unwrap_or_default().to_owned(),
                p["payment_type_id"].clone(),
            )
        })
        .collect();
    let mut body = settings["settings"].clone();
    body["payments"] = Value::Object(payments);
    body["auto_sync"] = json!(true);
    api(http, "PUT", &format!("{shop}/settings"), token, Some(body)).await;
}

/// The firm's operations made from shop orders, by the shop's order id (the reference's
/// id part before any `/n` of a later posting), following every page.
pub async fn operations_by_shop_order(
    http: &reqwest::Client,
    server_url: &str,
    token: &str,
) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    let mut offset = 0;
    loop {
        let page = api(
            http,
            "GET",
            &format!("{server_url}/api/v1/operations?limit=100&offset={offset}"),
            token,
            None,
        )
        .await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return out;
        }
        offset += items.len();
        for op in items {
            if let Some(id) = op["external_ref"]["id"].as_str() {
                let order = id.split('/').next().unwrap_or(id).to_owned();
                out.entry(order).or_default().push(op);
            }
        }
    }
}
