//! `sklad demo` on the built binary: it prints its facts as one JSON line, then a shop
//! order arrives in the warehouse and a warehouse sale reaches the shop's quantity,
//! while `./data` stays untouched and the logs stay at warnings.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::shop::api;

/// The longest the test waits for the demo's stream to show something.
const WITHIN: Duration = Duration::from_secs(120);

/// A running demo, stopped when dropped.
struct Demo {
    child: Child,
    lines: Receiver<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Demo {
    /// Starts `sklad demo --json …` in `cwd`, with a fast stream on free ports.
    fn start(cwd: &std::path::Path) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sklad"))
            .current_dir(cwd)
            .env_remove("SKLAD_DATABASE_URL")
            .env_remove("SKLAD_DATA_DIR")
            .env_remove("SKLAD_CONFIG")
            .args([
                "demo",
                "--json",
                "--listen",
                "127.0.0.1:0",
                "--shop-port",
                "0",
                "--products",
                "40",
                "--every-ms",
                "300",
            ])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(cwd.join("stderr.log")).expect("stderr file"))
            .spawn()
            .expect("start sklad demo");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Demo { child, lines }
    }

    /// The next line as JSON, at most `WITHIN` away.
    fn next(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(WITHIN)
            .expect("the demo printed nothing more");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Reads events until `done` has seen what it waits for (it returns true); panics
    /// after `WITHIN` or 10 000 lines.
    fn until(&self, mut done: impl FnMut(&Value) -> bool) {
        let deadline = Instant::now() + WITHIN;
        for _ in 0..10_000 {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .expect("the demo did not show it in time");
            let event: Value = serde_json::from_str(&line).expect("a JSON event");
            assert_ne!(event["event"], "demo_error", "{event}");
            if done(&event) {
                return;
            }
        }
        panic!("not within 10 000 events");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn x1_x2_the_demo_shows_an_order_arriving_and_a_sale_reaching_the_shop() {
    let cwd = tempfile::tempdir().unwrap();
    let demo = Demo::start(cwd.path());
    let facts = demo.next();
    for key in [
        "sklad_url",
        "login",
        "password",
        "api_token",
        "shop_url",
        "shop_api_key",
        "shop_control_url",
        "order_command",
        "data_dir",
    ] {
        assert!(
            facts[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key}: {facts}"
        );
    }
    let sklad = facts["sklad_url"].as_str().unwrap().trim_end_matches('/');
    let token = facts["api_token"].as_str().unwrap();
    let http = reqwest::Client::new();

    // A shop order becomes an operation; a warehouse sale becomes the shop's quantity.
    let mut imported: Option<Value> = None;
    let mut pushed: Option<Value> = None;
    demo.until(|event| {
        match event["event"].as_str() {
            Some("shop_order_imported") if event["outcome"] == "ok" => {
                imported.get_or_insert(event.clone());
            }
            Some("shop_quantity") if event["quantity"].is_number() => {
                pushed.get_or_insert(event.clone());
            }
            _ => {}
        }
        imported.is_some() && pushed.is_some()
    });
    let imported = imported.unwrap();
    let operation = api(
        &http,
        "GET",
        &format!("{sklad}/api/v1/operations/{}", imported["operation_id"]),
        token,
        None,
    )
    .await;
    assert_eq!(
        operation["external_ref"]["id"]
            .as_str()
            .map(|id| id.split('/').next().unwrap_or(id)),
        imported["shop_order_id"].as_str(),
        "{operation}"
    );
    let pushed = pushed.unwrap();
    let control = facts["shop_control_url"].as_str().unwrap();
    let variant: Value = http
        .get(format!(
            "{control}/variants/{}",
            pushed["sku"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(variant["quantity"].is_number(), "{variant}");
    let shop = api(
        &http,
        "GET",
        &format!("{sklad}/api/v1/shops/{}", facts["connection_id"]),
        token,
        None,
    )
    .await;
    assert!(
        shop["push"]["pushes_last_hour"].as_i64() >= Some(1),
        "{shop}"
    );

    // The printed command places one more order, and it arrives too.
    let command = facts["order_command"].as_str().unwrap();
    let body: Value = serde_json::from_str(
        command
            .split_once("-d '")
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(body, _)| body)
            .expect("the command's body"),
    )
    .unwrap();
    let url = command.split_whitespace().last().unwrap();
    let placed: Value = http
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_hand = placed["id"].as_u64().expect("the order's id").to_string();
    let mut by_hand_event = Value::Null;
    demo.until(|event| {
        let found =
            event["event"] == "shop_order_imported" && event["shop_order_id"] == by_hand.as_str();
        if found {
            by_hand_event = event.clone();
        }
        found
    });

    // The operator sees the same in /metrics: webhooks acknowledged, orders imported,
    // pushes accepted with their freshness, the shop's API calls and budget.
    let text = http
        .get(format!("{sklad}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .expect("the Prometheus text format");
    let total = |name: &str, label: Option<(&str, &str)>| -> f64 {
        scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .map(|s| match &s.value {
                prometheus_parse::Value::Counter(n) | prometheus_parse::Value::Gauge(n) => *n,
                prometheus_parse::Value::Histogram(b) => b.last().map_or(0.0, |b| b.count),
                _ => 0.0,
            })
            .sum()
    };
    assert!(
        total(
            "sklad_webhook_deliveries_total",
            Some(("outcome", "accepted"))
        ) >= 2.0
    );
    assert!(total("sklad_webhook_ack_seconds", None) >= 2.0);
    // Both orders went through the import: the first became an operation, the one by
    // hand did too or waits for the merchant (its variant may have sold out meanwhile).
    assert!(
        total("sklad_order_imports_total", Some(("outcome", "ok"))) >= 1.0,
        "{text}"
    );
    assert!(
        total("sklad_order_imports_total", None) >= 2.0,
        "{by_hand_event}\n{text}"
    );
    assert!(total("sklad_push_freshness_seconds", None) >= 1.0);
    assert!(
        total(
            "cloudcart_requests_total",
            Some(("shop", "demo-shop.localhost"))
        ) >= 1.0
    );
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "cloudcart_rate_budget_remaining"),
        "{text}"
    );
    assert!(!text.contains(facts["shop_api_key"].as_str().unwrap()));

    // Everything lives in ./demo, which an earlier demo marked as its own.
    assert!(cwd.path().join("demo/.sklad-demo").is_file());
    assert!(cwd.path().join("demo/sklad.db").is_file());
    assert!(!cwd.path().join("data").exists());
    drop(demo);
    // The story is told on stdout; the logs beside it stay at warnings.
    let logs = std::fs::read_to_string(cwd.path().join("stderr.log")).unwrap();
    assert!(!logs.contains("INFO"), "{logs}");

    // A second demo starts afresh on the same directory.
    let again = Demo::start(cwd.path());
    let facts = again.next();
    assert_eq!(facts["connection_id"], json!(1), "{facts}");
}

#[test]
fn the_demo_refuses_a_directory_it_did_not_make() {
    let cwd = tempfile::tempdir().unwrap();
    let theirs = cwd.path().join("demo");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("keep.txt"), "мое").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sklad"))
        .current_dir(cwd.path())
        .args(["demo", "--listen", "127.0.0.1:0", "--shop-port", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("не е от демото"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(theirs.join("keep.txt")).unwrap(),
        "мое"
    );
}
