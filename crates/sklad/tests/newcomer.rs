//! Issue 2's "done when", with the CLI and the REST API only: create a firm, a user and a
//! token with `sklad`; start `sklad serve`; create objects and goods with barcodes and
//! prices, receive a delivery, take an order (available drops, on hand does not),
//! convert it to a sale (on hand drops) over HTTP; back the firm up with `sklad backup`
//! while the server runs, restore it with `sklad restore`, and find it identical.

mod support;

use serde_json::{json, Value};
use support::{ok, serve, sklad, value};

struct Api {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.send(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, 201, "POST {path}: {answer}");
        answer
    }

    async fn get(&self, path: &str) -> Value {
        let (status, answer) = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {answer}");
        answer
    }

    /// (on hand, reserved, available) of a good over the objects.
    async fn stock(&self, objects: i64, good: i64) -> (String, String, String) {
        let rows = self
            .get(&format!("/stock/available?object_ids={objects}"))
            .await;
        let row = rows
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["good_id"] == good)
            .expect("the good's row")
            .clone();
        let text = |k: &str| row[k].as_str().expect("decimal").to_owned();
        (text("on_hand"), text("reserved"), text("available"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_runs_the_whole_round_with_cli_and_api() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    let firm = value(
        &ok(sklad(
            &data,
            &[
                "firm",
                "create",
                "--name",
                "Нов търговец ООД",
                "--eik",
                "831826092",
                "--seats",
                "2",
            ],
        )),
        "firm_id",
    );
    ok(sklad(
        &data,
        &[
            "user", "create", "--firm", &firm, "--login", "newcomer", "--role", "owner",
        ],
    ));
    let token_out = ok(sklad(
        &data,
        &["token", "create", "--firm", &firm, "--login", "newcomer"],
    ));
    let token = token_out
        .lines()
        .find(|l| l.starts_with("skl_"))
        .expect("token line")
        .to_owned();

    let server = serve(&data);
    let api = Api {
        base: format!("{}/api/v1", server.url),
        token,
        http: reqwest::Client::new(),
    };

    let shop = api
        .post("/objects", json!({"name": "Магазин", "kind": "shop"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let good = api
        .post(
            "/goods",
            json!({"code": "SOCK-42", "name": "Чорапи 42", "barcodes": ["3800000000048", "SOCK42"],
                   "prices": {"purchase": "1.20", "retail": "3.50"}}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(api.get("/goods/by-code/SOCK42").await["id"], good);

    api.post(
        "/operations",
        json!({"kind": "delivery", "object_id": shop,
               "lines": [{"good_id": good, "quantity": 12, "unit_price": "1.20"}]}),
    )
    .await;
    assert_eq!(
        api.stock(shop, good).await,
        ("12".into(), "0".into(), "12".into())
    );

    let order = api
        .post(
            "/operations",
            json!({"kind": "order", "object_id": shop,
                   "lines": [{"good_id": good, "quantity": 5, "unit_price": "3.50"}]}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        api.stock(shop, good).await,
        ("12".into(), "5".into(), "7".into())
    );

    let sale = api
        .post(&format!("/operations/{order}/convert-to-sale"), json!({}))
        .await;
    assert_eq!(sale["kind"], "sale");
    assert_eq!(
        api.stock(shop, good).await,
        ("7".into(), "0".into(), "7".into())
    );

    // Back up while the server runs; restore as a new firm.
    let archive = dir.path().join("firm.sklad.gz");
    ok(sklad(
        &data,
        &[
            "backup",
            "--firm",
            &firm,
            "--out",
            archive.to_str().unwrap(),
        ],
    ));
    let restored = value(
        &ok(sklad(
            &data,
            &[
                "restore",
                "--file",
                archive.to_str().unwrap(),
                "--owner",
                "newcomer",
            ],
        )),
        "firm_id",
    );

    let url = format!("sqlite://{}", data.join("sklad.db").display());
    let store = sklad_store::Store::open(&url)
        .await
        .expect("open the database");
    let before = store
        .export_firm_canonical(firm.parse().unwrap())
        .await
        .expect("export the original");
    let after = store
        .export_firm_canonical(restored.parse().unwrap())
        .await
        .expect("export the restored firm");
    store.close().await;
    assert_eq!(before, after, "the restored firm is identical");
}
