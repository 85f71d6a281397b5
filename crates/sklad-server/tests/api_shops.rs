//! The e-shop bridge through the REST API only (issue 7), on SQLite and PostgreSQL,
//! against the CloudCart emulator over loopback: the newcomer's round (SPEC C1, S2–S4,
//! K1–K4), bad input of every field, tenancy, roles, P1. Jobs are followed with the
//! `?wait=` long poll, never with sleeps.

mod api_support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use api_support::{assert_error, assert_field, TestServer};
use cloudcart_sim::{BrokenCases, ClockMode, ShopConfig, Sim, SimConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sklad_domain::model::{FirmInput, Role};
use sklad_domain::Currency;

const HOST: &str = "shop.localhost";

/// The statuses the emulator's broken rows get in K1.
const BROKEN: [&str; 3] = ["sku_missing", "duplicate_barcode", "name_missing"];

/// Everything every test of this binary logs (one subscriber per process).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        captured
    })
}

fn logs_text() -> String {
    String::from_utf8_lossy(&captured_logs().0.lock().unwrap_or_else(|p| p.into_inner()))
        .into_owned()
}

/// The emulator with one shop of 30 seeded products and one of each broken case.
async fn sim() -> Sim {
    Sim::start(SimConfig {
        shops: vec![ShopConfig::new(HOST).seed_products(30).broken(BrokenCases {
            missing_sku: 1,
            duplicate_barcode: 1,
            missing_name: 1,
            missing_description: 1,
        })],
        clock: ClockMode::Virtual,
        ..Default::default()
    })
    .await
    .expect("emulator")
}

fn shop_key(sim: &Sim) -> String {
    sim.control()
        .shops()
        .into_iter()
        .find(|s| s.host == HOST)
        .expect("shop")
        .api_keys[0]
        .clone()
}

/// A client of one token that keeps every answer it got, to show what never leaks.
struct Api {
    server: TestServer,
    token: String,
    seen: Vec<String>,
}

impl Api {
    fn new(server: &TestServer, token: &str) -> Api {
        Api {
            server: server.clone(),
            token: token.to_owned(),
            seen: Vec::new(),
        }
    }

    async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (status, answer) = self
            .server
            .call(method, path, Some(&self.token), body)
            .await;
        self.seen.push(answer.to_string());
        (status, answer)
    }

    /// A call that must answer `expected`; its JSON.
    async fn expect(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
        expected: StatusCode,
    ) -> Value {
        let (status, answer) = self.call(method, path, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        answer
    }

    async fn get(&mut self, path: &str) -> Value {
        self.expect("GET", path, None, StatusCode::OK).await
    }

    /// A call that must be refused with `expected` and `code`; the error's fields.
    async fn refused(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
        expected: StatusCode,
        code: &str,
    ) -> Vec<Value> {
        let (status, answer) = self.call(method, path, body).await;
        assert_error(status, &answer, expected, code)
    }

    /// Long-polls the job until it has finished.
    async fn wait(&mut self, shop: i64, job: i64) -> Value {
        for _ in 0..10 {
            let answer = self.get(&format!("/shops/{shop}/jobs/{job}?wait=30")).await;
            if ["done", "failed", "cancelled"].contains(&answer["status"].as_str().unwrap_or("")) {
                return answer;
            }
        }
        panic!("job {job} did not finish");
    }

    /// Starts a job, waits for it, and asserts it is done; the job.
    async fn run(&mut self, shop: i64, kind: &str, dry_run: bool) -> Value {
        let started = self
            .expect(
                "POST",
                &format!("/shops/{shop}/jobs"),
                Some(json!({"kind": kind, "dry_run": dry_run})),
                StatusCode::ACCEPTED,
            )
            .await;
        assert_eq!(started["kind"], kind);
        let job = self.wait(shop, id(&started)).await;
        assert_eq!(job["status"], "done", "{job}");
        job
    }

    /// The raw text of a GET (e.g. a CSV) with its headers.
    async fn text(&mut self, path: &str) -> (reqwest::header::HeaderMap, String) {
        let response = self
            .server
            .http
            .get(format!("{}{path}", self.server.api))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        self.seen.push(text.clone());
        (headers, text)
    }
}

fn id(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {value}"))
}

/// A connection to the emulated shop, in use, through the API; the created view.
async fn connect(api: &mut Api, sim: &Sim) -> Value {
    api.expect(
        "POST",
        "/shops",
        Some(json!({
            "name": "CloudCart",
            "shop_url": sim.base_url(HOST),
            "api_key": shop_key(sim),
            "active": true,
            "currency": null,
            "prices_with_vat": true
        })),
        StatusCode::CREATED,
    )
    .await
}

/// Connects and waits for the connection test the creation queued.
async fn connect_and_test(api: &mut Api, sim: &Sim) -> (i64, Value) {
    let created = connect(api, sim).await;
    let shop = id(&created);
    let test = api.wait(shop, id(&created["last_test"])).await;
    assert_eq!(test["status"], "done", "{test}");
    assert_eq!(test["summary"]["ok"], true, "{test}");
    (shop, test)
}

/// Parses RFC 4180 CSV text (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The settings of `view` (a settings view) as a request body, with `payments`.
fn settings_body(view: &Value, payments: Value) -> Value {
    let mut body = view["settings"].clone();
    body["payments"] = payments;
    body
}

/// The non-zero counts of a job's summary.
fn counts(job: &Value) -> BTreeMap<String, i64> {
    job["summary"]["counts"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_i64().unwrap_or(0)))
                .filter(|(_, n)| *n != 0)
                .collect()
        })
        .unwrap_or_default()
}

/// The newcomer's round through the API only: connect and test (C1, S4), map payments
/// (S2) and create the special goods (S3), K1 with every broken case and its CSV, K2's
/// dry run equal to its run and idempotent, K3 (all synchronised but the broken rows),
/// the first push preview and confirmation, auto-sync, K4 — and the API key never in
/// an answer or a log line.
async fn c1_s2_s3_s4_k1_k2_k3_k4_newcomers_round(server: TestServer) {
    captured_logs();
    let sim = sim().await;
    let key = shop_key(&sim);
    let firm = server.tenant("Магазин ООД", "round_owner").await;
    let mut api = Api::new(&server, &firm.token);

    // C1, S4: the connection, its key shown only as the last four characters, and the
    // test the creation queued, with the shop's counts.
    let created = connect(&mut api, &sim).await;
    let shop = id(&created);
    assert_eq!(created["name"], "CloudCart");
    assert_eq!(created["kind"], "cloudcart");
    assert_eq!(created["active"], true);
    assert_eq!(created["api_key_last4"], key[key.len() - 4..]);
    assert!(created.get("api_key").is_none(), "{created}");
    assert_eq!(created["last_test"]["kind"], "test");
    let test = api.wait(shop, id(&created["last_test"])).await;
    assert_eq!(test["status"], "done", "{test}");
    let info = sim.control().shops().remove(0);
    assert_eq!(test["summary"]["ok"], true, "{test}");
    assert_eq!(test["summary"]["products"], info.products as i64, "{test}");
    assert_eq!(test["summary"]["variants"], info.variants as i64, "{test}");
    assert_eq!(test["summary"]["payment_methods"], 3, "{test}");
    let listed = api.get("/shops").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"], shop);
    let view = api.get(&format!("/shops/{shop}")).await;
    assert_eq!(view["last_test"]["status"], "done");

    // S2: the shop's payment methods, all unmapped; saving refuses them (and the missing
    // special goods), writing nothing.
    let settings = api.get(&format!("/shops/{shop}/settings")).await;
    let providers: BTreeSet<&str> = settings["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .map(|p| p["provider"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(providers, BTreeSet::from(["bwt", "cod", "stripe"]));
    assert!(settings["payments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["payment_type_id"].is_null()));
    let problems = settings["problems"].as_array().expect("problems").clone();
    assert_field(&problems, "payments.cod", "payment_unmapped");
    assert_field(&problems, "delivery_good_id", "special_good_missing");
    let fields = api
        .refused(
            "PUT",
            &format!("/shops/{shop}/settings"),
            Some(settings_body(&settings, json!({}))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    for provider in ["cod", "bwt", "stripe"] {
        assert_field(&fields, &format!("payments.{provider}"), "payment_unmapped");
    }
    assert_field(&fields, "fee_good_id", "special_good_missing");
    assert_eq!(api.get(&format!("/shops/{shop}/settings")).await, settings);

    // S3: „Създай“ makes the three service goods.
    let with_goods = api
        .expect(
            "POST",
            &format!("/shops/{shop}/special-goods"),
            None,
            StatusCode::OK,
        )
        .await;
    for field in ["delivery_good_id", "discount_good_id", "fee_good_id"] {
        let good = with_goods["settings"][field]
            .as_i64()
            .unwrap_or_else(|| panic!("{field}: {with_goods}"));
        assert_eq!(api.get(&format!("/goods/{good}")).await["kind"], "service");
    }

    // S2: a new payment type for the card, the others from the firm's defaults; saved.
    let card = api
        .expect(
            "POST",
            "/payment-types",
            Some(json!({"name": "Stripe", "method": "card"})),
            StatusCode::CREATED,
        )
        .await;
    let types = api.get("/payment-types").await;
    let type_of = |method: &str| {
        types
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["method"] == method)
            .map(id)
            .unwrap_or_else(|| panic!("no {method} type"))
    };
    let mapping = json!({
        "cod": type_of("cash_on_delivery"),
        "bwt": type_of("bank_transfer"),
        "stripe": id(&card),
    });
    let saved = api
        .expect(
            "PUT",
            &format!("/shops/{shop}/settings"),
            Some(settings_body(&with_goods, mapping.clone())),
            StatusCode::OK,
        )
        .await;
    assert_eq!(saved["problems"], json!([]), "{saved}");
    let mapped: BTreeMap<String, Value> = saved["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["provider"].as_str().unwrap_or("").to_owned(),
                p["payment_type_id"].clone(),
            )
        })
        .collect();
    for (provider, type_id) in mapping.as_object().unwrap() {
        assert_eq!(&mapped[provider], type_id, "{saved}");
    }
    assert_eq!(saved["sale_rule_disagrees"], false);

    // K1: every broken case has its status, the description a warning; rows paged and
    // filtered, and the whole table as CSV.
    let check = api.run(shop, "check", false).await;
    let first = counts(&check);
    for status in BROKEN.into_iter().chain(["new_in_shop"]) {
        assert!(
            first.get(status).copied().unwrap_or(0) >= 1,
            "{status}: {check}"
        );
    }
    assert!(
        check["summary"]["description_missing"]
            .as_i64()
            .unwrap_or(0)
            >= 1
    );
    let check_id = id(&check);
    let rows_total = check["summary"]["rows"].as_i64().expect("rows");
    let page = api
        .get(&format!(
            "/shops/{shop}/jobs/{check_id}/rows?status=sku_missing&limit=5"
        ))
        .await;
    assert_eq!(page["total"], first["sku_missing"]);
    assert_eq!(page["currency"], view["currency"]);
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "sku_missing"));
    let row_counts: BTreeMap<String, i64> = serde_json::from_value(page["counts"].clone()).unwrap();
    assert_eq!(row_counts, first);
    let all = api
        .get(&format!("/shops/{shop}/jobs/{check_id}/rows?limit=1000"))
        .await;
    assert_eq!(all["total"], rows_total);
    let warned = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["warning"] == "description_missing")
        .count();
    assert!(warned >= 1);
    let (headers, csv) = api
        .text(&format!("/shops/{shop}/jobs/{check_id}/rows.csv"))
        .await;
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains(".csv"), "{disposition}");
    let table = parse_csv(&csv);
    let header = &table[0];
    assert_eq!(header[0], "row");
    assert_eq!(table.len() as i64 - 1, rows_total, "one line per row");
    let status_at = header.iter().position(|h| h == "status").unwrap();
    let name_at = header.iter().position(|h| h == "name").unwrap();
    let mut csv_counts: BTreeMap<String, i64> = BTreeMap::new();
    for line in &table[1..] {
        assert_eq!(line.len(), header.len(), "{line:?}");
        *csv_counts.entry(line[status_at].clone()).or_default() += 1;
    }
    assert_eq!(csv_counts, first);
    // The names (Cyrillic, some with commas or quotes) survive the round trip.
    let api_names: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap_or("").to_owned())
        .collect();
    let csv_names: Vec<String> = table[1..].iter().map(|l| l[name_at].clone()).collect();
    assert_eq!(csv_names, api_names);

    // K2: the dry run says exactly what the run does; a second run changes nothing.
    let dry = api.run(shop, "import", true).await;
    let real = api.run(shop, "import", false).await;
    assert_eq!(dry["summary"]["dry_run"], true);
    assert_eq!(counts(&dry), counts(&real), "dry run = run");
    let created_goods = counts(&real).get("create").copied().unwrap_or(0);
    assert!(created_goods >= 30, "{real}");
    let again = api.run(shop, "import", false).await;
    let second = counts(&again);
    assert_eq!(second.get("create"), None, "{again}");
    assert_eq!(second.get("update"), None, "{again}");
    assert_eq!(second.get("failed"), None, "{again}");
    let skipped = api
        .get(&format!(
            "/shops/{shop}/jobs/{}/rows?status=skip",
            id(&again)
        ))
        .await;
    assert!(skipped["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| BROKEN.contains(&r["reason"].as_str().unwrap_or(""))));

    // K3: every row synchronised except the broken ones, still listed.
    let recheck = api.run(shop, "check", false).await;
    let after = counts(&recheck);
    let variants = recheck["summary"]["variants"].as_i64().unwrap();
    let broken: i64 = BROKEN
        .iter()
        .map(|s| after.get(*s).copied().unwrap_or(0))
        .sum();
    assert_eq!(after["linked"], variants - broken, "{recheck}");
    for (status, n) in &after {
        assert!(
            status == "linked" || BROKEN.contains(&status.as_str()),
            "{status}: {n} in {recheck}"
        );
        if status != "linked" {
            assert_eq!(first.get(status), Some(n), "{status}");
        }
    }
    let links = api.get(&format!("/shops/{shop}/links?limit=500")).await;
    assert_eq!(links["total"], after["linked"]);

    // „не синхронизирай“ on one linked good, and off again.
    let good = links["items"][0]["good_id"].as_i64().unwrap();
    let marked = api
        .expect(
            "PUT",
            &format!("/shops/{shop}/links/{good}/sync-excluded"),
            Some(json!({"excluded": true})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(marked["sync_excluded"], true);
    let excluded = api
        .get(&format!("/shops/{shop}/links?sync_excluded=true"))
        .await;
    assert_eq!(excluded["total"], 1);

    // The first push as a preview, confirmed; then auto-sync may be switched on.
    let preview = api.run(shop, "push_preview", false).await;
    assert_eq!(preview["summary"]["excluded"], 1, "{preview}");
    assert_eq!(preview["summary"]["linked"], after["linked"], "{preview}");
    api.expect(
        "PUT",
        &format!("/shops/{shop}/links/{good}/sync-excluded"),
        Some(json!({"excluded": false})),
        StatusCode::OK,
    )
    .await;
    let mut auto = settings_body(&saved, json!({}));
    auto["auto_sync"] = json!(true);
    let fields = api
        .refused(
            "PUT",
            &format!("/shops/{shop}/settings"),
            Some(auto.clone()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "auto_sync", "first_push_unconfirmed");
    let confirmed = api
        .expect(
            "POST",
            &format!("/shops/{shop}/first-push/confirm"),
            Some(json!({"job_id": id(&preview)})),
            StatusCode::OK,
        )
        .await;
    assert!(
        confirmed["first_push_confirmed_at"].is_string(),
        "{confirmed}"
    );
    let on = api
        .expect(
            "PUT",
            &format!("/shops/{shop}/settings"),
            Some(auto),
            StatusCode::OK,
        )
        .await;
    assert_eq!(on["settings"]["auto_sync"], true);
    // „Синхронизирай сега“: every linked variant compared; the view shows the figures.
    let synced = api
        .expect(
            "POST",
            &format!("/shops/{shop}/sync-now"),
            None,
            StatusCode::ACCEPTED,
        )
        .await;
    assert_eq!(synced["due"], after["linked"], "{synced}");
    let view = api.get(&format!("/shops/{shop}")).await;
    for field in ["due", "pushes_last_hour", "calls_last_hour"] {
        assert!(view["push"][field].is_i64(), "{field}: {view}");
    }

    // K4: the subscriptions active in the shop at this server's URL, one per event.
    let hooks_job = api.run(shop, "webhooks", false).await;
    let events = hooks_job["summary"]["events"].as_object().expect("events");
    assert_eq!(events.len(), 5, "{hooks_job}");
    let in_shop = sim.control().webhooks(HOST);
    assert_eq!(in_shop.len(), 5, "{in_shop:?}");
    let door = format!("{}/hooks/cloudcart/", server.base);
    for hook in &in_shop {
        assert!(hook.active, "{hook:?}");
        assert!(hook.url.starts_with(&door), "{hook:?}");
    }
    let shown = api.get(&format!("/shops/{shop}/webhooks")).await;
    let shown = shown.as_array().expect("webhooks");
    assert_eq!(shown.len(), 5);
    assert!(shown.iter().all(|h| h["active"] == true));
    let secrets = server
        .store
        .shop_connection_secrets(firm.firm_id, shop)
        .await
        .unwrap();
    assert!(in_shop.iter().all(|h| h.url.contains(&secrets.hook_token)));

    // X3: the journal tells the story.
    let journal = api.get(&format!("/shops/{shop}/journal?limit=500")).await;
    let actions: BTreeSet<&str> = journal["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    for action in [
        "connection_created",
        "test",
        "special_goods",
        "settings_saved",
        "check",
        "import",
        "link_sync_excluded",
        "push_preview",
        "first_push_confirmed",
        "webhooks",
    ] {
        assert!(actions.contains(action), "{action} in {actions:?}");
    }
    // The firm has this one connection, so its journal is this shop's. The pusher may still
    // be journalling, so the firm's total lies between two readings of the shop's.
    let firm_journal = api.get("/shop-journal?limit=500").await;
    let later = api.get(&format!("/shops/{shop}/journal?limit=500")).await;
    let total = |j: &Value| j["total"].as_i64().expect("total");
    assert!(
        total(&journal) <= total(&firm_journal) && total(&firm_journal) <= total(&later),
        "{} ≤ {} ≤ {}",
        journal["total"],
        firm_journal["total"],
        later["total"]
    );
    let jobs = api.get(&format!("/shops/{shop}/jobs?kind=import")).await;
    assert_eq!(jobs["total"], 3);

    // S4: neither the key nor the webhook token in any answer or log line.
    for (i, answer) in api.seen.iter().enumerate() {
        assert!(
            !answer.contains(&key),
            "the API key in answer {i}: {answer}"
        );
        assert!(
            !answer.contains(&secrets.hook_token),
            "the webhook token in answer {i}: {answer}"
        );
    }
    let logs = logs_text();
    assert!(logs.contains("/api/v1/shops"), "requests are traced");
    assert!(!logs.contains(&key), "the API key is in the logs");
    sim.shutdown().await;
}

/// S4, C1: every field of a new or changed connection refused with a clear error beside
/// it, and nothing written.
async fn s4_bad_connection_input_is_refused_field_by_field(server: TestServer) {
    let sim = sim().await;
    let key = shop_key(&sim);
    let firm = server.tenant("Грешки ООД", "bad_owner").await;
    let mut api = Api::new(&server, &firm.token);
    let good = json!({
        "name": "CloudCart",
        "shop_url": sim.base_url(HOST),
        "api_key": key,
        "active": false,
        "currency": "EUR",
        "prices_with_vat": true
    });
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (with("name", json!("")), "name", "required"),
        (without("name"), "name", "required"),
        (with("name", json!("я".repeat(101))), "name", "name_invalid"),
        (with("name", json!("a\u{7}b")), "name", "name_invalid"),
        (with("shop_url", json!("")), "shop_url", "required"),
        (
            with("shop_url", json!("http://shop.example.bg")),
            "shop_url",
            "shop_url_insecure",
        ),
        (
            with("shop_url", json!("https://www.shop.example.bg")),
            "shop_url",
            "shop_url_alias",
        ),
        (
            with("shop_url", json!("https://shop.example.bg/admin")),
            "shop_url",
            "shop_url_invalid",
        ),
        (
            with("shop_url", json!("не е адрес")),
            "shop_url",
            "shop_url_invalid",
        ),
        (without("api_key"), "api_key", "required"),
        (with("api_key", json!("  ")), "api_key", "required"),
        (
            with("api_key", json!("ABC DEF")),
            "api_key",
            "api_key_invalid",
        ),
        (
            with("api_key", json!("K".repeat(201))),
            "api_key",
            "api_key_invalid",
        ),
        (with("api_key", json!(42)), "api_key", "type_invalid"),
        (with("active", json!("yes")), "active", "type_invalid"),
        (
            with("currency", json!("USD")),
            "currency",
            "currency_invalid",
        ),
        (with("currency", json!(978)), "currency", "type_invalid"),
        (
            with("prices_with_vat", json!("no")),
            "prices_with_vat",
            "type_invalid",
        ),
    ];
    for (body, field, code) in &cases {
        let fields = api
            .refused(
                "POST",
                "/shops",
                Some(body.clone()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, field, code);
    }
    // Several problems at once are all named.
    let mut many = with("name", json!(""));
    many["shop_url"] = json!("https://www.x.bg");
    many["currency"] = json!("GBP");
    let fields = api
        .refused(
            "POST",
            "/shops",
            Some(many),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "name", "required");
    assert_field(&fields, "shop_url", "shop_url_alias");
    assert_field(&fields, "currency", "currency_invalid");
    let (status, _) = api
        .call("POST", "/shops", Some(with("extra", json!(1))))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.get("/shops").await, json!([]), "nothing written");
    assert_eq!(api.get("/shop-journal").await["total"], 0);

    // A change: the same refusals, the connection as it was.
    let created = api
        .expect("POST", "/shops", Some(good.clone()), StatusCode::CREATED)
        .await;
    let shop = id(&created);
    api.wait(shop, id(&created["last_test"])).await;
    let before = api.get(&format!("/shops/{shop}")).await;
    for (body, field, code) in &cases {
        // A change may leave the key out (or blank): it keeps the stored one.
        if *field == "api_key" && *code == "required" {
            continue;
        }
        let fields = api
            .refused(
                "PUT",
                &format!("/shops/{shop}"),
                Some(body.clone()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, field, code);
    }
    assert_eq!(api.get(&format!("/shops/{shop}")).await, before);
    // Without a key the stored one stays; the name changes.
    let mut renamed = without("api_key");
    renamed["name"] = json!("Онлайн магазин");
    let changed = api
        .expect(
            "PUT",
            &format!("/shops/{shop}"),
            Some(renamed),
            StatusCode::OK,
        )
        .await;
    assert_eq!(changed["name"], "Онлайн магазин");
    assert_eq!(changed["api_key_last4"], before["api_key_last4"]);
    for answer in &api.seen {
        assert!(!answer.contains(&key), "the API key in an answer: {answer}");
    }
    sim.shutdown().await;
}

/// G1–G3, S2, S3: every settings field refused with its reason; nothing half-saved.
async fn s2_s3_bad_settings_input_is_refused_field_by_field(server: TestServer) {
    let sim = sim().await;
    let firm = server.tenant("Настройки ООД", "settings_owner").await;
    let mut api = Api::new(&server, &firm.token);
    let (shop, _) = connect_and_test(&mut api, &sim).await;
    let with_goods = api
        .expect(
            "POST",
            &format!("/shops/{shop}/special-goods"),
            None,
            StatusCode::OK,
        )
        .await;
    let types = api.get("/payment-types").await;
    let cash = id(&types[0]);
    let stocked = api
        .expect(
            "POST",
            "/goods",
            Some(json!({"code": "STOCK-1", "name": "Стока на склад"})),
            StatusCode::CREATED,
        )
        .await;
    let good = settings_body(
        &with_goods,
        json!({"cod": cash, "bwt": cash, "stripe": cash}),
    );
    let before = api.get(&format!("/shops/{shop}/settings")).await;
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (without("feed"), "feed", "required"),
        (
            with("feed", json!({"kind": "some"})),
            "feed.kind",
            "value_invalid",
        ),
        (with("feed", json!({})), "feed.kind", "required"),
        (
            with("feed", json!({"kind": "all", "object_ids": [1]})),
            "feed.object_ids",
            "feed_invalid",
        ),
        (
            with("feed", json!({"kind": "objects", "object_ids": []})),
            "feed",
            "feed_objects_required",
        ),
        (
            with("feed", json!({"kind": "objects", "object_ids": [999999]})),
            "feed",
            "feed_objects_required",
        ),
        (
            with("feed", json!({"kind": "objects", "object_ids": ["x"]})),
            "feed.object_ids[0]",
            "type_invalid",
        ),
        (
            with("operations_object_id", json!(null)),
            "operations_object_id",
            "operations_object_required",
        ),
        (
            with("operations_object_id", json!(999999)),
            "operations_object_id",
            "operations_object_required",
        ),
        (with("sale_rule", json!("")), "sale_rule", "required"),
        (
            with("sale_rule", json!("sometimes")),
            "sale_rule",
            "value_invalid",
        ),
        (
            with("shop_stock_status", json!("shipped")),
            "shop_stock_status",
            "value_invalid",
        ),
        (
            without("shop_stock_status"),
            "shop_stock_status",
            "required",
        ),
        (with("auto_sync", json!("yes")), "auto_sync", "type_invalid"),
        (
            with("auto_sync", json!(true)),
            "auto_sync",
            "first_push_unconfirmed",
        ),
        (
            with("delivery_good_id", json!(null)),
            "delivery_good_id",
            "special_good_missing",
        ),
        (
            with("discount_good_id", json!(999999)),
            "discount_good_id",
            "special_good_missing",
        ),
        (
            with("fee_good_id", json!(id(&stocked))),
            "fee_good_id",
            "special_good_not_service",
        ),
        (
            with("payments", json!({"cod": null})),
            "payments.cod",
            "payment_unmapped",
        ),
        (
            with("payments", json!({"cod": 999999})),
            "payments.cod",
            "payment_type_unknown",
        ),
        (
            with("payments", json!({"paypal": cash})),
            "payments.paypal",
            "payment_provider_unknown",
        ),
        (
            with("payments", json!({"cod": "cash"})),
            "payments.cod",
            "type_invalid",
        ),
    ];
    for (body, field, code) in &cases {
        let fields = api
            .refused(
                "PUT",
                &format!("/shops/{shop}/settings"),
                Some(body.clone()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, field, code);
    }
    assert_eq!(
        api.get(&format!("/shops/{shop}/settings")).await,
        before,
        "nothing half-saved"
    );
    let journal = api.get(&format!("/shops/{shop}/journal?limit=500")).await;
    assert!(journal["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["action"] != "settings_saved"));

    // G1: one object feeding the shop, G2: the disagreement with the shop's setting.
    let object = id(&api.get("/objects").await[0]);
    let mut one = good.clone();
    one["feed"] = json!({"kind": "objects", "object_ids": [object]});
    one["sale_rule"] = json!("always_sale");
    one["shop_stock_status"] = json!("paid");
    let saved = api
        .expect(
            "PUT",
            &format!("/shops/{shop}/settings"),
            Some(one),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        saved["settings"]["feed"],
        json!({"kind": "objects", "object_ids": [object]})
    );
    assert_eq!(saved["sale_rule_disagrees"], true);
    assert_eq!(saved["problems"], json!([]));
    sim.shutdown().await;
}

/// X4, K1: bad job requests, parameters and bodies of the control panel refused clearly.
async fn k1_x4_bad_job_requests_are_refused(server: TestServer) {
    let sim = sim().await;
    let firm = server.tenant("Задачи ООД", "jobs_owner").await;
    let mut api = Api::new(&server, &firm.token);
    let (shop, test) = connect_and_test(&mut api, &sim).await;
    let jobs = format!("/shops/{shop}/jobs");
    for (body, field, code) in [
        (json!({}), "kind", "required"),
        (json!({"kind": "watchdog"}), "kind", "value_invalid"),
        (json!({"kind": "nuke"}), "kind", "value_invalid"),
        (
            json!({"kind": "check", "dry_run": true}),
            "dry_run",
            "dry_run_unsupported",
        ),
        (
            json!({"kind": "import", "dry_run": "yes"}),
            "dry_run",
            "type_invalid",
        ),
    ] {
        let fields = api
            .refused(
                "POST",
                &jobs,
                Some(body),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, field, code);
    }
    let test_id = id(&test);
    for path in [
        format!("{jobs}/{test_id}?wait=31"),
        format!("{jobs}/{test_id}?wait=-1"),
        format!("{jobs}/{test_id}?wait=soon"),
        format!("{jobs}?kind=nuke"),
        format!("{jobs}?limit=0"),
        format!("{jobs}/{test_id}/rows?limit=1001"),
        format!("{jobs}/{test_id}/rows?status=DROP%20TABLE"),
        format!("{jobs}/{test_id}/rows.csv?status=%27"),
        format!("/shops/{shop}/journal?offset=-3"),
        format!("/shops/{shop}/links?sync_excluded=maybe"),
    ] {
        api.refused(
            "GET",
            &path,
            None,
            StatusCode::BAD_REQUEST,
            "parameters_invalid",
        )
        .await;
    }
    for path in [
        format!("{jobs}/999999"),
        format!("{jobs}/abc"),
        format!("{jobs}/0/rows"),
        format!("{jobs}/999999/rows.csv"),
        "/shops/999999".to_owned(),
    ] {
        api.refused("GET", &path, None, StatusCode::NOT_FOUND, "not_found")
            .await;
    }

    // Two runs of one action cannot overlap: a queued check refuses a second one.
    let first = api
        .expect(
            "POST",
            &jobs,
            Some(json!({"kind": "check"})),
            StatusCode::ACCEPTED,
        )
        .await;
    let (status, answer) = api
        .call("POST", &jobs, Some(json!({"kind": "check"})))
        .await;
    if status == StatusCode::CONFLICT {
        assert_field(
            &assert_error(status, &answer, StatusCode::CONFLICT, "conflict"),
            "kind",
            "job_running",
        );
    } else {
        // The first had already finished: the second is a run of its own.
        assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
        api.wait(shop, id(&answer)).await;
    }
    let done = api.wait(shop, id(&first)).await;
    // Cancelling a finished job leaves it as it is.
    let cancelled = api
        .expect(
            "POST",
            &format!("{jobs}/{}/cancel", id(&done)),
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(cancelled["status"], done["status"]);

    // The first push is confirmed only with a finished preview of this connection.
    let confirm = format!("/shops/{shop}/first-push/confirm");
    for body in [json!({"job_id": id(&done)}), json!({"job_id": 999999})] {
        let fields = api
            .refused(
                "POST",
                &confirm,
                Some(body),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
        assert_field(&fields, "job_id", "preview_required");
    }
    let fields = api
        .refused(
            "POST",
            &confirm,
            Some(json!({})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "job_id", "required");

    // „не синхронизирай“ needs a linked good and a flag.
    let excluded = format!("/shops/{shop}/links/1/sync-excluded");
    let fields = api
        .refused(
            "PUT",
            &excluded,
            Some(json!({})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "excluded", "required");
    let fields = api
        .refused(
            "PUT",
            &excluded,
            Some(json!({"excluded": "yes"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "excluded", "type_invalid");
    api.refused(
        "PUT",
        &excluded,
        Some(json!({"excluded": true})),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    sim.shutdown().await;
}

/// Tenancy: a token of another firm gets 404 on every path of a connection, job and
/// link of this firm, and sees none of its connections or journal.
async fn c1_another_firms_token_gets_404_everywhere(server: TestServer) {
    let sim = sim().await;
    let a = server.tenant("Фирма А", "shop_owner_a").await;
    let b = server.tenant("Фирма Б", "shop_owner_b").await;
    let mut api_a = Api::new(&server, &a.token);
    let mut api_b = Api::new(&server, &b.token);
    let (shop, test) = connect_and_test(&mut api_a, &sim).await;
    let job = id(&test);
    let good = id(&api_a
        .expect(
            "POST",
            "/goods",
            Some(json!({"code": "A-1", "name": "Стока на А"})),
            StatusCode::CREATED,
        )
        .await);
    let settings = api_a.get(&format!("/shops/{shop}/settings")).await;
    let journal_before = api_a.get("/shop-journal").await["total"].clone();

    // Valid bodies, so nothing but the tenancy refuses them.
    let bodies: BTreeMap<&str, Value> = BTreeMap::from([
        (
            "updateShop",
            json!({"name": "Чужда", "shop_url": sim.base_url(HOST), "active": false}),
        ),
        ("putShopSettings", settings_body(&settings, json!({}))),
        ("startShopJob", json!({"kind": "check"})),
        ("setShopLinkSyncExcluded", json!({"excluded": true})),
        ("confirmShopFirstPush", json!({"job_id": job})),
    ]);
    let mut covered = 0;
    for endpoint in sklad_server::api::endpoints() {
        if !endpoint.path.starts_with("/shops/{id}") {
            continue;
        }
        covered += 1;
        let path = endpoint
            .path
            .replace("{id}", &shop.to_string())
            .replace("{job_id}", &job.to_string())
            .replace("{good_id}", &good.to_string());
        let method = endpoint.method.key().to_uppercase();
        let body = bodies.get(endpoint.operation_id).cloned();
        let (status, answer) = api_b.call(&method, &path, body).await;
        assert_error(status, &answer, StatusCode::NOT_FOUND, "not_found");
    }
    assert!(covered >= 15, "{covered} paths");
    // Another firm's job under one's own connection is not found either.
    let (shop_b, _) = connect_and_test(&mut api_b, &sim).await;
    for path in [
        format!("/shops/{shop_b}/jobs/{job}"),
        format!("/shops/{shop_b}/jobs/{job}/rows"),
        format!("/shops/{shop_b}/jobs/{job}/rows.csv"),
    ] {
        api_b
            .refused("GET", &path, None, StatusCode::NOT_FOUND, "not_found")
            .await;
    }
    api_b
        .refused(
            "POST",
            &format!("/shops/{shop_b}/jobs/{job}/cancel"),
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    let fields = api_b
        .refused(
            "POST",
            &format!("/shops/{shop_b}/first-push/confirm"),
            Some(json!({"job_id": job})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "job_id", "preview_required");
    let listed = api_b.get("/shops").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], shop_b);
    let journal_b = api_b.get("/shop-journal?limit=500").await;
    assert!(journal_b["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["connection_id"] == shop_b));
    // A's connection is untouched.
    assert_eq!(
        api_a.get(&format!("/shops/{shop}")).await["name"],
        "CloudCart"
    );
    assert_eq!(
        api_a.get(&format!("/shops/{shop}/settings")).await,
        settings
    );
    assert_eq!(api_a.get("/shop-journal").await["total"], journal_before);
    sim.shutdown().await;
}

/// Members read and run the checks; only the owner changes a connection or runs what
/// writes.
async fn k1_members_run_checks_only_the_owner_changes_a_connection(server: TestServer) {
    let sim = sim().await;
    let firm = server.tenant("Роли ООД", "roles_owner").await;
    let operator = server.operator_token(firm.firm_id, "roles_operator").await;
    let mut owner = Api::new(&server, &firm.token);
    let mut member = Api::new(&server, &operator);
    let (shop, _) = connect_and_test(&mut owner, &sim).await;
    assert_eq!(member.get("/shops").await[0]["id"], shop);
    member.get(&format!("/shops/{shop}")).await;
    let settings = member.get(&format!("/shops/{shop}/settings")).await;
    member.get(&format!("/shops/{shop}/journal")).await;
    member.get(&format!("/shops/{shop}/webhooks")).await;
    let check = member.run(shop, "check", false).await;
    assert_eq!(check["actor"], "roles_operator");
    member.run(shop, "push_preview", false).await;
    let dry = member.run(shop, "import", true).await;
    assert_eq!(dry["summary"]["dry_run"], true);
    for (kind, dry_run) in [
        ("import", false),
        ("opening_stock", false),
        ("webhooks", false),
    ] {
        member
            .refused(
                "POST",
                &format!("/shops/{shop}/jobs"),
                Some(json!({"kind": kind, "dry_run": dry_run})),
                StatusCode::FORBIDDEN,
                "forbidden",
            )
            .await;
    }
    for (method, path, body) in [
        (
            "PUT",
            format!("/shops/{shop}/settings"),
            Some(settings_body(&settings, json!({}))),
        ),
        ("POST", format!("/shops/{shop}/special-goods"), None),
        ("DELETE", format!("/shops/{shop}"), None),
        ("POST", "/shops".to_owned(), Some(json!({"name": "x"}))),
    ] {
        member
            .refused(method, &path, body, StatusCode::FORBIDDEN, "forbidden")
            .await;
    }
    // An owner's real import cannot be cancelled by a member.
    let import = owner
        .expect(
            "POST",
            &format!("/shops/{shop}/jobs"),
            Some(json!({"kind": "import"})),
            StatusCode::ACCEPTED,
        )
        .await;
    member
        .refused(
            "POST",
            &format!("/shops/{shop}/jobs/{}/cancel", id(&import)),
            None,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    owner.wait(shop, id(&import)).await;
    // The owner deletes it; its journal stays for the firm.
    owner
        .expect(
            "DELETE",
            &format!("/shops/{shop}"),
            None,
            StatusCode::NO_CONTENT,
        )
        .await;
    owner
        .refused(
            "GET",
            &format!("/shops/{shop}"),
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    let journal = member.get("/shop-journal?limit=500").await;
    assert!(journal["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "connection_deleted"));
    sim.shutdown().await;
}

/// P1: a firm with one seat cannot put a connection in use, and is told how many seats
/// it needs; nothing is written.
async fn p1_one_seat_cannot_put_a_connection_in_use(server: TestServer) {
    let sim = sim().await;
    let firm = server
        .store
        .create_firm(&FirmInput {
            name: "Едно място ЕООД".into(),
            eik: Some("831826092".into()),
            currency: Currency::Bgn,
            vat_registered: true,
            seats: 1,
            allow_negative_stock: false,
        })
        .await
        .expect("firm");
    let user = server.user("solo_owner").await;
    server
        .store
        .add_member(firm.id, user, Role::Owner, "test")
        .await
        .expect("owner");
    let token = server
        .store
        .create_api_token(user, firm.id, "test")
        .await
        .expect("token")
        .plaintext;
    let mut api = Api::new(&server, &token);
    let body = json!({
        "name": "CloudCart",
        "shop_url": sim.base_url(HOST),
        "api_key": shop_key(&sim),
        "active": true
    });
    let fields = api
        .refused(
            "POST",
            "/shops",
            Some(body.clone()),
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    assert_field(&fields, "active", "seats_for_connection");
    let seat = fields
        .iter()
        .find(|f| f["code"] == "seats_for_connection")
        .unwrap();
    for text in [&seat["message_bg"], &seat["message_en"]] {
        assert!(text.as_str().unwrap().contains('2'), "{text}");
    }
    assert_eq!(api.get("/shops").await, json!([]), "nothing written");

    // Not in use it is fine; putting it in use later is refused the same way.
    let mut idle = body.clone();
    idle["active"] = json!(false);
    let created = api
        .expect("POST", "/shops", Some(idle), StatusCode::CREATED)
        .await;
    let shop = id(&created);
    api.wait(shop, id(&created["last_test"])).await;
    let fields = api
        .refused(
            "PUT",
            &format!("/shops/{shop}"),
            Some(json!({"name": "CloudCart", "shop_url": sim.base_url(HOST), "active": true})),
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    assert_field(&fields, "active", "seats_for_connection");
    assert_eq!(api.get(&format!("/shops/{shop}")).await["active"], false);
    sim.shutdown().await;
}

/// Every endpoint of the bridge is in the OpenAPI document with its schemas.
async fn c1_the_openapi_document_describes_the_shop_endpoints(server: TestServer) {
    let (status, doc) = server.call("GET", "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let paths = doc["paths"].as_object().expect("paths");
    let mut seen = 0;
    for (path, item) in paths {
        if !(path.starts_with("/shops") || path == "/shop-journal") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            seen += 1;
            let responses = op["responses"].as_object().unwrap();
            let (code, success) = responses
                .iter()
                .find(|(code, _)| code.starts_with('2'))
                .unwrap_or_else(|| panic!("{method} {path}: no success"));
            if code != "204" {
                assert!(success["content"].is_object(), "{method} {path}");
            }
            assert!(responses.contains_key("404"), "{method} {path}");
            if method == "put" || path == "/shops" && method == "post" {
                assert!(op["requestBody"].is_object(), "{method} {path}");
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["in"] == "path" {
                    // Record ids are integers; a shop's order id is the shop's text.
                    let kind = if param["name"] == "shop_order_id" {
                        "string"
                    } else {
                        "integer"
                    };
                    assert_eq!(param["schema"]["type"], kind, "{method} {path}");
                }
            }
        }
    }
    assert!(seen >= 20, "{seen}");
    assert!(doc
        .pointer(
            "/paths/~1shops~1{id}~1jobs~1{job_id}~1rows.csv/get/responses/200/content/text~1csv"
        )
        .is_some());
    assert_eq!(
        doc.pointer("/paths/~1shops/post/x-sklad-role"),
        Some(&json!("owner"))
    );
    assert!(doc
        .pointer("/components/schemas/ShopConnectionView")
        .is_some());
}

on_both_engines!(
    c1_the_openapi_document_describes_the_shop_endpoints,
    c1_s2_s3_s4_k1_k2_k3_k4_newcomers_round,
    s4_bad_connection_input_is_refused_field_by_field,
    s2_s3_bad_settings_input_is_refused_field_by_field,
    k1_x4_bad_job_requests_are_refused,
    c1_another_firms_token_gets_404_everywhere,
    k1_members_run_checks_only_the_owner_changes_a_connection,
    p1_one_seat_cannot_put_a_connection_in_use,
);
