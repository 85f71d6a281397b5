//! The e-shop connection pages over plain HTTP (reqwest, no browser), against the real
//! server with its bridge worker and, where a shop is needed, the CloudCart emulator:
//! forms refused with the errors beside their fields and nothing written, the API key
//! never shown back, CSRF on every post, operators refused where only owners may
//! change, the settings refused field by field, the job page and its CSV download.

#[path = "support/browser_support.rs"]
mod browser_support;
#[path = "support/pages_http.rs"]
mod pages_http;

use std::time::Duration;

use browser_support::{start_server, Server, OPERATOR, OWNER};
use cloudcart_sim::{BrokenCases, ClockMode, ShopConfig, Sim, SimConfig};
use pages_http::{client, get, html, location, post, post_raw, sign_in, User};
use reqwest::StatusCode;
use sklad_domain::Id;
use sklad_store::shops::ShopJob;

/// How long a job of the bridge may take.
const JOB_WAIT: Duration = Duration::from_secs(60);

/// The id in a redirect to `/shops/{id}…` (or `/shops/{c}/jobs/{id}` for `nth` 1).
fn id_in(location: &str, nth: usize) -> Id {
    location
        .split(['/', '?'])
        .filter_map(|part| part.parse::<Id>().ok())
        .nth(nth)
        .unwrap_or_else(|| panic!("no id in {location}"))
}

/// A connection form with `fields` over the defaults.
fn connection_form<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("name", "CloudCart"),
        ("kind", "cloudcart"),
        ("shop_url", "http://127.0.0.1:9"),
        ("api_key", "TESTKEY-0001"),
        ("active", "not_in_use"),
        ("currency", "auto"),
        ("prices_with_vat", "on"),
    ];
    for (name, value) in fields {
        form.retain(|(n, _)| n != name);
        form.push((name, value));
    }
    form
}

/// Creates a connection through the form; its id.
async fn add_connection(server: &Server, user: &User, fields: &[(&str, &str)]) -> Id {
    let response = post(server, user, "/shops/new", &connection_form(fields)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "connection saved");
    id_in(&location(&response), 0)
}

/// Waits (bounded) until the connection's latest job of `kind` has finished.
async fn finished_job(server: &Server, connection: Id, kind: &str) -> ShopJob {
    let deadline = tokio::time::Instant::now() + JOB_WAIT;
    loop {
        let job = server
            .store
            .latest_shop_job(server.firm_id, connection, kind, false)
            .await
            .expect("job");
        if let Some(job) = job.filter(|j| j.finished()) {
            return job;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the {kind} job did not finish within {JOB_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The emulator with one seeded shop with broken rows; (sim, url, key).
async fn emulator() -> (Sim, String, String) {
    let sim = Sim::start(SimConfig {
        shops: vec![ShopConfig::new("shop.localhost")
            .seed_products(20)
            .broken(BrokenCases {
                missing_sku: 1,
                duplicate_barcode: 1,
                missing_name: 1,
                missing_description: 1,
            })],
        clock: ClockMode::Virtual,
        ..Default::default()
    })
    .await
    .expect("emulator");
    let url = sim.base_url("shop.localhost");
    let key = sim.control().shops()[0].api_keys[0].clone();
    (sim, url, key)
}

#[tokio::test]
async fn c1_a_refused_connection_form_marks_each_field_keeps_the_input_and_writes_nothing() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let page = html(&server, &owner, "/shops/new").await;
    for words in [
        "външно CloudCart",
        "Използва се",
        "Автоматично от поръчките",
    ] {
        assert!(page.contains(words), "{words}");
    }
    assert!(
        page.contains("type=\"password\""),
        "the key is a password input"
    );
    assert!(
        page.contains("id=\"shop-prices_with_vat\" name=\"prices_with_vat\" value=\"on\" checked"),
        "„Цените в магазина са с ДДС“ is ticked by default"
    );
    let response = post(
        &server,
        &owner,
        "/shops/new",
        &connection_form(&[
            ("name", ""),
            ("kind", "shopify"),
            ("shop_url", "http://www.zarno-pamuk.bg/admin"),
            ("api_key", "SECRET WITH SPACES"),
            ("currency", "USD"),
        ]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("html");
    for field in ["name", "kind", "shop_url", "api_key", "currency"] {
        assert!(
            page.contains(&format!("id=\"shop-{field}-error\"")),
            "the error of {field} is beside it"
        );
    }
    assert!(
        page.contains("value=\"http://www.zarno-pamuk.bg/admin\""),
        "input kept"
    );
    assert!(
        !page.contains("SECRET WITH SPACES"),
        "the key is never sent back"
    );
    assert!(page.contains("въведете го отново"), "{page}");
    let none = server
        .store
        .shop_connections(server.firm_id)
        .await
        .expect("connections");
    assert!(none.is_empty(), "nothing was written");

    // A good one is saved and shows its key only as ••••last4.
    let id = add_connection(&server, &owner, &[("api_key", "ABCDEFGH1234")]).await;
    let view = html(&server, &owner, &format!("/shops/{id}")).await;
    assert!(view.contains("••••1234"), "{view}");
    assert!(view.contains("Опционално") && view.contains("Булстат/ЕИК или ЕГН"));
    for path in [
        "/shops",
        &format!("/shops/{id}/edit"),
        &format!("/shops/{id}/panel"),
    ] {
        let page = html(&server, &owner, path).await;
        assert!(!page.contains("ABCDEFGH1234"), "{path} shows the key");
    }
    // A blank key on edit keeps the stored one.
    let edit = format!("/shops/{id}/edit");
    let response = post(
        &server,
        &owner,
        &edit,
        &connection_form(&[("api_key", ""), ("name", "Моят магазин")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let c = server
        .store
        .shop_connection(server.firm_id, id)
        .await
        .expect("connection");
    assert_eq!(c.name, "Моят магазин");
    assert_eq!(c.api_key_last4.as_deref(), Some("1234"));
    // The connection's test ran (against nothing listening) and says how to fix it.
    let test = finished_job(&server, id, "test").await;
    assert_eq!(test.status, "done", "{test:?}");
    let view = html(&server, &owner, &format!("/shops/{id}")).await;
    assert!(view.contains("Как да се поправи:"), "{view}");
}

#[tokio::test]
async fn p1_a_connection_in_use_needs_a_seat_and_says_so_beside_the_status() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    // Three seats: owner, operator and this connection.
    add_connection(&server, &owner, &[("active", "in_use")]).await;
    let response = post(
        &server,
        &owner,
        "/shops/new",
        &connection_form(&[("active", "in_use"), ("name", "Втори магазин")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("html");
    let start = page.find("id=\"shop-active-error\"").expect("status error");
    let error: String = page[start..].chars().take(400).collect();
    assert!(error.contains("потребителско място"), "{error}");
    assert!(page.contains("value=\"Втори магазин\""), "input kept");
    let connections = server
        .store
        .shop_connections(server.firm_id)
        .await
        .expect("connections");
    assert_eq!(connections.len(), 1, "nothing half-saved");
    // Not in use, it is accepted.
    add_connection(&server, &owner, &[("name", "Втори магазин")]).await;
}

#[tokio::test]
async fn every_shop_post_needs_the_csrf_token() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let id = add_connection(&server, &owner, &[]).await;
    let posts = [
        ("/shops/new".to_owned(), connection_form(&[])),
        (format!("/shops/{id}/edit"), connection_form(&[])),
        (format!("/shops/{id}/delete"), Vec::new()),
        (
            format!("/shops/{id}/settings"),
            vec![("feed", "all"), ("sale_rule", "paid_or_shipped")],
        ),
        (format!("/shops/{id}/special-goods"), Vec::new()),
        (
            format!("/shops/{id}/jobs"),
            vec![("kind", "import"), ("dry_run", "0")],
        ),
        (format!("/shops/{id}/jobs"), vec![("kind", "webhooks")]),
        (
            format!("/shops/{id}/first-push/confirm"),
            vec![("job_id", "1")],
        ),
        (format!("/shops/{id}/jobs/1/cancel"), Vec::new()),
        (format!("/shops/{id}/sync-now"), Vec::new()),
        (format!("/shops/{id}/jobs"), vec![("kind", "reconcile")]),
    ];
    let jobs_before = server
        .store
        .shop_jobs(server.firm_id, id, None, Default::default())
        .await
        .expect("jobs")
        .total;
    for (path, form) in &posts {
        for csrf in [None, Some("0".repeat(64))] {
            let mut fields = form.clone();
            if let Some(csrf) = &csrf {
                fields.push(("csrf", csrf));
            }
            let response = post_raw(&server, &owner.cookie, path, &fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} {csrf:?}");
            let page = response.text().await.expect("html");
            assert!(page.contains("Формата е изтекла"), "{path}");
        }
    }
    let connections = server
        .store
        .shop_connections(server.firm_id)
        .await
        .expect("connections");
    assert_eq!(connections.len(), 1, "nothing created, nothing deleted");
    assert_eq!(connections[0].name, "CloudCart");
    let jobs_after = server
        .store
        .shop_jobs(server.firm_id, id, None, Default::default())
        .await
        .expect("jobs")
        .total;
    assert_eq!(jobs_after, jobs_before, "no job started");
}

#[tokio::test]
async fn an_operator_sees_the_connections_but_cannot_change_them() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let id = add_connection(&server, &owner, &[]).await;
    let operator = sign_in(&server, OPERATOR).await;
    let list = html(&server, &operator, "/shops").await;
    assert!(list.contains("CloudCart"));
    assert!(!list.contains("href=\"/shops/new\""), "no „Нова връзка“");
    for path in [
        format!("/shops/{id}"),
        format!("/shops/{id}/settings"),
        format!("/shops/{id}/panel"),
        format!("/shops/{id}/journal"),
    ] {
        let page = html(&server, &operator, &path).await;
        assert!(!page.contains("id=\"shop-delete\""), "{path}");
        assert!(!page.contains("id=\"run-import\""), "{path}");
        assert!(!page.contains("id=\"run-webhooks\""), "{path}");
        assert!(!page.contains("id=\"save\""), "{path}");
        assert!(!page.contains("id=\"sync-now\""), "{path}");
    }
    // The push section says plainly why nothing flows yet.
    let panel = html(&server, &owner, &format!("/shops/{id}/panel")).await;
    assert!(panel.contains("id=\"sync-now\"") && panel.contains("id=\"run-reconcile\""));
    assert!(
        panel.contains("Връзката не се използва: нищо не се изпраща."),
        "{panel}"
    );
    assert!(panel.contains("Чакат сравнение"));
    let response = post(&server, &owner, &format!("/shops/{id}/sync-now"), &[]).await;
    assert_eq!(location(&response), format!("/shops/{id}/panel?synced=1"));
    // What writes nothing, a member may run: the test, K1, previews and dry runs.
    let panel = html(&server, &operator, &format!("/shops/{id}/panel")).await;
    assert!(panel.contains("id=\"run-check\"") && panel.contains("id=\"run-import-dry\""));
    for form in [
        vec![("kind", "check")],
        vec![("kind", "import"), ("dry_run", "1")],
    ] {
        let response = post(&server, &operator, &format!("/shops/{id}/jobs"), &form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{form:?}");
    }
    for path in ["/shops/new".to_owned(), format!("/shops/{id}/edit")] {
        let response = get(&server, &operator.cookie, &path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/shops/new".into(), connection_form(&[])),
        (format!("/shops/{id}/edit"), connection_form(&[])),
        (format!("/shops/{id}/delete"), Vec::new()),
        (format!("/shops/{id}/settings"), vec![("feed", "all")]),
        (format!("/shops/{id}/special-goods"), Vec::new()),
        (
            format!("/shops/{id}/jobs"),
            vec![("kind", "import"), ("dry_run", "0")],
        ),
        (format!("/shops/{id}/jobs"), vec![("kind", "webhooks")]),
        (
            format!("/shops/{id}/first-push/confirm"),
            vec![("job_id", "1")],
        ),
        (format!("/shops/{id}/sync-now"), Vec::new()),
        (format!("/shops/{id}/jobs"), vec![("kind", "reconcile")]),
    ];
    for (path, form) in &posts {
        let response = post(&server, &operator, path, form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let page = response.text().await.expect("html");
        assert!(page.contains("Достъпът е отказан"), "{path}");
    }
    let connections = server
        .store
        .shop_connections(server.firm_id)
        .await
        .expect("connections");
    assert_eq!(connections.len(), 1, "the operator changed nothing");
    // The owner deletes it (the page asks first, in the browser).
    let view = html(&server, &owner, &format!("/shops/{id}")).await;
    assert!(view.contains("data-confirm=\"Да се изтрие ли връзката?"));
    let response = post(&server, &owner, &format!("/shops/{id}/delete"), &[]).await;
    assert_eq!(location(&response), "/shops?deleted=1");
    let list = html(&server, &owner, "/shops?deleted=1").await;
    assert!(list.contains("Връзката е изтрита."));
    let journal = server
        .store
        .shop_journal(server.firm_id, None, Default::default())
        .await
        .expect("journal");
    assert_eq!(journal.items[0].action, "connection_deleted");
}

#[tokio::test]
async fn odd_shop_addresses_get_the_error_page_not_a_crash() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let id = add_connection(&server, &owner, &[]).await;
    for path in [
        "/shops/abc".to_owned(),
        "/shops/999999".to_owned(),
        "/shops/-1/panel".to_owned(),
        "/shops/99999999999999999999999/settings".to_owned(),
        format!("/shops/{id}/jobs/xyz"),
        format!("/shops/{id}/jobs/999999"),
        format!("/shops/{id}/jobs/999999/rows.csv"),
        "/shops/panel?id=abc".to_owned(),
        "/shops/panel?id=424242".to_owned(),
        format!("/shops/{}/journal", id + 1000),
    ] {
        let response = get(&server, &owner.cookie, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // A job id that is not a finished preview of this connection is refused with the
    // reason, and an unknown kind is a bad request.
    let response = post(
        &server,
        &owner,
        &format!("/shops/{id}/first-push/confirm"),
        &[("job_id", "nonsense")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("html");
    assert!(page.contains("завършен преглед"), "{page}");
    let response = post(
        &server,
        &owner,
        &format!("/shops/{id}/jobs"),
        &[("kind", "watchdog")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // The goods list offers the connection's control panel under its title.
    let goods = html(&server, &owner, "/goods").await;
    assert!(goods.contains(&format!("href=\"/shops/{id}/panel\" id=\"shop-panel\"")));
    let second = add_connection(&server, &owner, &[("name", "Втори")]).await;
    let goods = html(&server, &owner, "/goods").await;
    assert!(
        goods.contains("id=\"shop-panel-chooser\""),
        "a chooser for several"
    );
    let response = get(&server, &owner.cookie, &format!("/shops/panel?id={second}")).await;
    assert_eq!(location(&response), format!("/shops/{second}/panel"));
}

#[tokio::test]
async fn s2_s3_g1_settings_are_refused_field_by_field_and_saved_when_they_work() {
    let (sim, url, key) = emulator().await;
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let id = add_connection(
        &server,
        &owner,
        &[("shop_url", &url), ("api_key", &key), ("active", "in_use")],
    )
    .await;
    let test = finished_job(&server, id, "test").await;
    assert_eq!(test.status, "done", "{test:?}");
    let view = html(&server, &owner, &format!("/shops/{id}")).await;
    assert!(view.contains("Връзката работи."), "{view}");
    let settings_path = format!("/shops/{id}/settings");
    let page = html(&server, &owner, &settings_path).await;
    for title in ["Наложен платеж", "Банков превод", "Карта (Stripe)"]
    {
        assert!(page.contains(title), "{title}");
    }
    assert_eq!(
        page.matches("data-unmapped").count(),
        3,
        "„няма съответствие“"
    );
    assert!(page.contains("href=\"/payment-types/new\""));
    assert!(page.contains("Намали количество ако статусът на поръчката е"));
    // Nothing chosen, auto-sync before the first push: every reason beside its field.
    let before = server
        .store
        .shop_connection(server.firm_id, id)
        .await
        .expect("connection");
    let refused = [
        ("feed", "objects"),
        ("operations_object_id", ""),
        ("sale_rule", "pending_or_shipped"),
        ("shop_stock_status", "paid"),
        ("auto_sync", "on"),
        ("payments.cod", ""),
        ("payments.bwt", ""),
        ("payments.stripe", ""),
        ("delivery_good_id", ""),
        ("discount_good_id", ""),
        ("fee_good_id", ""),
    ];
    let response = post(&server, &owner, &settings_path, &refused).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("html");
    for error_id in [
        "shop-feed-error",
        "shop-operations_object_id-error",
        "shop-auto_sync-error",
        "shop-delivery_good_id-error",
        "shop-discount_good_id-error",
        "shop-fee_good_id-error",
        "payment-cod-error",
        "payment-bwt-error",
        "payment-stripe-error",
    ] {
        assert!(page.contains(&format!("id=\"{error_id}\"")), "{error_id}");
    }
    assert!(
        page.contains("id=\"sale-rule-warning\""),
        "the rules disagree"
    );
    assert!(
        page.contains("<option value=\"pending_or_shipped\" selected>"),
        "input kept"
    );
    let after = server
        .store
        .shop_connection(server.firm_id, id)
        .await
        .expect("connection");
    assert_eq!(after.settings, before.settings, "nothing half-saved");

    // „Създай“ makes the three service goods; then the mapping is saved.
    let response = post(
        &server,
        &owner,
        &format!("/shops/{id}/special-goods"),
        &refused,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("html");
    assert!(page.contains("CC-DOSTAVKA"), "{page}");
    let c = server
        .store
        .shop_connection(server.firm_id, id)
        .await
        .expect("connection");
    let goods = |role: Option<Id>| role.expect("special good").to_string();
    let (delivery, discount, fee) = (
        goods(c.settings.delivery_good_id),
        goods(c.settings.discount_good_id),
        goods(c.settings.fee_good_id),
    );
    let types = server
        .store
        .payment_types(server.firm_id)
        .await
        .expect("types");
    let type_id = |name: &str| {
        types
            .iter()
            .find(|t| t.name == name)
            .expect("payment type")
            .id
            .to_string()
    };
    let (cod, bank, card) = (
        type_id("Наложен платеж"),
        type_id("По банка"),
        type_id("С карта"),
    );
    let object = server.store.objects(server.firm_id).await.expect("objects")[0]
        .id
        .to_string();
    let good = [
        ("feed", "objects"),
        ("feed_objects", object.as_str()),
        ("operations_object_id", object.as_str()),
        ("sale_rule", "paid_or_shipped"),
        ("shop_stock_status", "paid"),
        ("payments.cod", cod.as_str()),
        ("payments.bwt", bank.as_str()),
        ("payments.stripe", card.as_str()),
        ("delivery_good_id", delivery.as_str()),
        ("discount_good_id", discount.as_str()),
        ("fee_good_id", fee.as_str()),
    ];
    let response = post(&server, &owner, &settings_path, &good).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{settings_path}?saved=1"));
    let problems = server
        .store
        .shop_settings_problems(server.firm_id, id)
        .await
        .expect("problems");
    assert!(problems.is_empty(), "{problems:?}");
    let page = html(&server, &owner, &format!("{settings_path}?saved=1")).await;
    assert!(page.contains("Записано."));
    assert!(!page.contains("data-unmapped"));
    assert!(!page.contains("id=\"sale-rule-warning\""));
    sim.shutdown().await;
}

#[tokio::test]
async fn k1_the_job_page_filters_pages_and_downloads_its_rows_as_csv() {
    let (sim, url, key) = emulator().await;
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let id = add_connection(&server, &owner, &[("shop_url", &url), ("api_key", &key)]).await;
    finished_job(&server, id, "test").await;
    let response = post(
        &server,
        &owner,
        &format!("/shops/{id}/jobs"),
        &[("kind", "check")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let job_path = location(&response);
    let job_id = id_in(&job_path, 1);
    assert_eq!(job_path, format!("/shops/{id}/jobs/{job_id}"));
    let job = finished_job(&server, id, "check").await;
    assert_eq!(job.id, job_id);
    assert_eq!(job.status, "done", "{job:?}");
    // A reload shows the same job, with its counts, filters and rows.
    let page = html(&server, &owner, &job_path).await;
    assert!(
        !page.contains("http-equiv=\"refresh\""),
        "a finished job stays"
    );
    for words in [
        "Нов в магазина",
        "Липсва SKU",
        "Повтарящ се баркод в магазина",
        "Липсва име",
        "без описание",
    ] {
        assert!(page.contains(words), "{words}");
    }
    assert!(page.contains("€"), "money like the rest of the UI");
    let filtered = html(&server, &owner, &format!("{job_path}?status=sku_missing")).await;
    assert!(filtered.contains("Общо: 1"), "{filtered}");
    // Another connection's address for this job: not found.
    let other = add_connection(&server, &owner, &[("name", "Друг")]).await;
    let response = get(
        &server,
        &owner.cookie,
        &format!("/shops/{other}/jobs/{job_id}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // The CSV, with the session, also for an operator.
    let operator = sign_in(&server, OPERATOR).await;
    for user in [&owner, &operator] {
        let response = get(&server, &user.cookie, &format!("{job_path}/rows.csv")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"sklad-shop-"),
            "{disposition}"
        );
        let text = response.text().await.expect("csv");
        let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("№,Код на статуса,Статус,"),
            "{}",
            lines[0]
        );
        let rows = server
            .store
            .shop_job_rows(server.firm_id, job_id, None, Default::default())
            .await
            .expect("rows");
        assert_eq!(lines.len() as i64, rows.total + 1, "a header and every row");
        assert!(text.contains(",sku_missing,Липсва SKU,"), "{text}");
    }
    let one = get(
        &server,
        &owner.cookie,
        &format!("{job_path}/rows.csv?status=name_missing"),
    )
    .await;
    let text = one.text().await.expect("csv");
    assert_eq!(text.lines().count(), 2, "{text}");
    // Without a session: the login page, not the rows.
    let anonymous = client()
        .get(format!("{}{job_path}/rows.csv", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    // The journal says who did what, in Bulgarian.
    let journal = html(&server, &owner, &format!("/shops/{id}/journal")).await;
    for words in ["Създадена връзка", "Провери съответствието", OWNER.0]
    {
        assert!(journal.contains(words), "{words}");
    }
    sim.shutdown().await;
}

/// Starts `kind` on the connection through the panel's form and waits for its end.
async fn run_job(server: &Server, user: &User, id: Id, kind: &str, dry_run: bool) -> ShopJob {
    let dry = if dry_run { "1" } else { "0" };
    let response = post(
        server,
        user,
        &format!("/shops/{id}/jobs"),
        &[("kind", kind), ("dry_run", dry)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{kind} started");
    let job_id = id_in(&location(&response), 1);
    let job = finished_job(server, id, kind).await;
    assert_eq!(job.id, job_id);
    assert_eq!(job.status, "done", "{job:?}");
    job
}

#[tokio::test]
async fn k2_opening_stock_and_the_first_push_preview_are_confirmed_before_auto_sync() {
    let (sim, url, key) = emulator().await;
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let id = add_connection(&server, &owner, &[("shop_url", &url), ("api_key", &key)]).await;
    finished_job(&server, id, "test").await;
    let panel = html(&server, &owner, &format!("/shops/{id}/panel")).await;
    assert!(
        panel.contains("href=\"/backup/download\""),
        "backup offered first"
    );
    assert!(!panel.contains("id=\"run-import\""), "a dry run first");
    let dry = run_job(&server, &owner, id, "import", true).await;
    let page = html(&server, &owner, &format!("/shops/{id}/jobs/{}", dry.id)).await;
    assert!(page.contains("Пробно — нищо не е записано"));
    let goods = server
        .store
        .goods(server.firm_id, &Default::default())
        .await
        .expect("goods");
    assert_eq!(goods.total, 0, "a dry run writes nothing");
    let panel = html(&server, &owner, &format!("/shops/{id}/panel")).await;
    assert!(
        panel.contains("id=\"run-import\""),
        "the run after the dry run"
    );
    run_job(&server, &owner, id, "import", false).await;
    let panel = html(&server, &owner, &format!("/shops/{id}/panel")).await;
    assert!(
        !panel.contains("id=\"panel-backup\""),
        "offered before the first import only"
    );

    // Opening stock: a dry run, then a stock-taking.
    let opening = run_job(&server, &owner, id, "opening_stock", true).await;
    let page = html(&server, &owner, &format!("/shops/{id}/jobs/{}", opening.id)).await;
    assert!(page.contains("Ново начално количество"), "{page}");
    let recorded = run_job(&server, &owner, id, "opening_stock", false).await;
    // Only the latest run of a kind keeps its rows; the older page says so.
    let page = html(&server, &owner, &format!("/shops/{id}/jobs/{}", opening.id)).await;
    assert!(
        page.contains(&format!(
            "href=\"/shops/{id}/jobs/{}\" id=\"job-newer\"",
            recorded.id
        )),
        "{page}"
    );

    // Auto-sync before the first push is confirmed: refused beside the checkbox.
    let settings = format!("/shops/{id}/settings");
    let auto = [
        ("feed", "all"),
        ("sale_rule", "paid_or_shipped"),
        ("shop_stock_status", "paid"),
        ("auto_sync", "on"),
    ];
    let response = post(&server, &owner, &settings, &auto).await;
    let page = response.text().await.expect("html");
    assert!(page.contains("id=\"shop-auto_sync-error\""), "{page}");
    // The preview, confirmed from its page.
    let preview = run_job(&server, &owner, id, "push_preview", false).await;
    let page = html(&server, &owner, &format!("/shops/{id}/jobs/{}", preview.id)).await;
    assert!(page.contains("id=\"confirm-first-push\""));
    assert!(page.contains("Нагоре:"), "{page}");
    let job_id = preview.id.to_string();
    let response = post(
        &server,
        &owner,
        &format!("/shops/{id}/first-push/confirm"),
        &[("job_id", job_id.as_str())],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/shops/{id}/panel?confirmed=1")
    );
    let c = server
        .store
        .shop_connection(server.firm_id, id)
        .await
        .expect("connection");
    assert!(c.first_push_confirmed_at.is_some());
    let panel = html(&server, &owner, &format!("/shops/{id}/panel?confirmed=1")).await;
    assert!(panel.contains("Първото изпращане е потвърдено"));
    // „Откажи“ on a finished job leaves it as it was.
    let response = post(
        &server,
        &owner,
        &format!("/shops/{id}/jobs/{}/cancel", preview.id),
        &[],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/shops/{id}/jobs/{}", preview.id)
    );
    let again = server
        .store
        .shop_job(server.firm_id, preview.id)
        .await
        .expect("job");
    assert_eq!(again.status, "done");
    // The English pages of the same job.
    let response = post(
        &server,
        &owner,
        "/language",
        &[("lang", "en"), ("back", "/")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = html(
        &server,
        &owner,
        &format!("/shops/{id}/jobs/{}", recorded.id),
    )
    .await;
    assert!(page.contains("New opening quantity"), "{page}");
    assert!(page.contains("Stock-taking recorded with"), "{page}");
    let page = html(&server, &owner, &format!("/shops/{id}/jobs/{}", opening.id)).await;
    assert!(
        page.contains("Opening stock from the shop (dry run)"),
        "{page}"
    );
    sim.shutdown().await;
}
