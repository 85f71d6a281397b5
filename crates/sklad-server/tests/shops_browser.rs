//! Issue 7's "Done when" round in a real headless Chromium, in Bulgarian, against the
//! CloudCart emulator: add the connection, test it, map the payments, create the
//! special goods, run K1 (the broken rows show), K2 (dry run, then the run), K1 again
//! (everything „Вече синхронизиран“ but the broken rows) and activate the webhooks.
//! The server's bridge runs the jobs on its own; the pages are waited for with the
//! bounded helpers. Screenshots land in `target/screenshots/shops-*.png`.

#[path = "support/browser_support.rs"]
mod browser_support;

use browser_support::{start_browser, start_server, Browser, OWNER, WAIT};
use cloudcart_sim::{BrokenCases, ClockMode, ShopConfig, Sim, SimConfig};
use fantoccini::Locator;

/// Waits until the job page shows a finished job; returns its status key.
async fn job_finished(browser: &Browser) -> String {
    let deadline = tokio::time::Instant::now() + WAIT * 2;
    loop {
        let status = match browser.client.find(Locator::Css("#job-status")).await {
            Ok(e) => e
                .attr("data-status")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        if matches!(status.as_str(), "done" | "failed" | "cancelled") {
            return status;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the job did not finish; last status {status:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Clicks `button` on the panel, waits for the job page and its end; the page's text.
async fn run_from_panel(browser: &Browser, button: &str) -> String {
    browser.click(button).await;
    browser.wait_for_path("/shops/").await;
    browser.find("#job-status").await;
    let status = job_finished(browser).await;
    let text = browser.text("main").await;
    assert_eq!(status, "done", "{button}: {text}");
    text
}

/// Scrolls the element `css` to the top of the window (for the screenshot).
async fn scroll_to(browser: &Browser, css: &str) {
    browser.find(css).await;
    let script = format!(
        "document.querySelector({}).scrollIntoView({{block: 'start'}});",
        serde_json::to_string(css).expect("json")
    );
    browser
        .client
        .execute(&script, Vec::new())
        .await
        .expect("scroll");
}

/// The counts at the top of the job page: (label, count).
async fn counts(browser: &Browser) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for a in browser
        .client
        .find_all(Locator::Css("#job-counts a[data-count]"))
        .await
        .expect("counts")
    {
        let text = a.text().await.expect("text");
        let n = a
            .attr("data-count")
            .await
            .ok()
            .flatten()
            .and_then(|c| c.parse().ok())
            .unwrap_or(-1);
        let label = text.rsplit_once(':').map(|(l, _)| l).unwrap_or(&text);
        out.push((label.trim().to_owned(), n));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_7_done_when_round_in_bulgarian() {
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
    let shop_url = sim.base_url("shop.localhost");
    let api_key = sim.control().shops()[0].api_keys[0].clone();
    let server = start_server().await;
    let Some(browser) = start_browser().await else {
        return;
    };
    let base = server.base.clone();
    browser.login(&base, OWNER.0, OWNER.1).await;
    browser.switch_firm("Демо ЕООД").await;

    // Администриране → Връзка с ел. магазини → „Нова връзка“.
    browser.click("details[data-menu='admin'] > summary").await;
    browser.click("nav.menu a[href='/shops']").await;
    browser.wait_for_text("Все още няма връзки").await;
    browser.screenshot("shops-empty").await;
    browser.click("#new").await;
    browser.wait_for_text("външно CloudCart").await;
    assert_eq!(browser.value("#shop-name").await, "CloudCart");
    browser.fill("#shop-shop_url", &shop_url).await;
    browser.fill("#shop-api_key", &api_key).await;
    browser.screenshot("shops-new-connection").await;
    browser.click("#save").await;
    // Saved, and its first test runs by itself; the page follows it.
    browser.wait_for_text("Записано.").await;
    let text = browser.wait_for_text("Връзката работи.").await;
    assert!(text.contains("Продукти в магазина"), "{text}");
    let key = browser.text("#shop-key").await;
    assert_eq!(key, format!("••••{}", &api_key[api_key.len() - 4..]));
    assert!(!browser.text("main").await.contains(&api_key));
    let reminder = browser.text("#shop-cart-reminder").await;
    assert!(reminder.contains("МНОГО ВАЖНО") && reminder.contains("„Опционално“"));
    // „Провери връзката“ again, by hand.
    browser.click("#shop-test-run").await;
    browser.find("#shop-test-figures").await;
    browser.wait_for_text("Връзката работи.").await;
    browser.screenshot("shops-connection-tested").await;

    // Settings: the shop's payment methods have no match yet; „Създай“ makes the
    // special goods; the payments are mapped and the settings saved.
    browser.click("#shop-settings").await;
    browser.wait_for_text("Начини на плащане").await;
    let unmapped = browser
        .client
        .find_all(Locator::Css("[data-unmapped]"))
        .await
        .expect("flags");
    assert_eq!(
        unmapped.len(),
        3,
        "„няма съответствие“ for cod, bwt, stripe"
    );
    browser.screenshot("shops-settings-unmapped").await;
    browser.click("#create-special-goods").await;
    browser.wait_for_text("Специалните стоки са зададени").await;
    let delivery = browser
        .find("#shop-delivery_good_id option:checked")
        .await
        .text()
        .await
        .expect("text");
    assert!(delivery.contains("Доставка"), "{delivery}");
    for (provider, payment_type) in [
        ("cod", "Наложен платеж"),
        ("bwt", "По банка"),
        ("stripe", "С карта"),
    ] {
        browser
            .find(&format!("#payment-{provider}"))
            .await
            .select_by_label(payment_type)
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
    }
    // The shop's own setting disagrees with the sale rule: a warning after saving.
    browser.select("#shop-shop_stock_status", "pending").await;
    browser.click("#save").await;
    browser.wait_for_text("Записано.").await;
    browser.find("#sale-rule-warning").await;
    browser.select("#shop-shop_stock_status", "paid").await;
    browser.click("#save").await;
    browser.wait_for_text("Записано.").await;
    let warnings = browser
        .client
        .find_all(Locator::Css("#sale-rule-warning, [data-unmapped]"))
        .await
        .expect("none");
    assert!(warnings.is_empty(), "everything maps, the rules agree");
    scroll_to(&browser, "#shop-special-goods").await;
    browser.screenshot("shops-settings").await;

    // Номенклатури → Стоки → Списък стоки: the button under the title opens the panel.
    browser
        .click("details[data-menu='nomenclatures'] > summary")
        .await;
    browser.click("nav.menu a[href='/goods']").await;
    browser.find("#shop-panel").await;
    browser.screenshot("shops-goods-button").await;
    browser.click("#shop-panel").await;
    browser.wait_for_text("CloudCart контролен панел").await;
    browser.find("#panel-backup").await;
    browser.screenshot("shops-panel").await;

    // K1: the broken rows show.
    let text = run_from_panel(&browser, "#run-check").await;
    for words in [
        "Нов в магазина",
        "Липсва SKU",
        "Повтарящ се баркод в магазина",
        "Липсва име",
        "без описание",
    ] {
        assert!(text.contains(words), "K1 shows {words}: {text}");
    }
    scroll_to(&browser, "#job-counts").await;
    browser.screenshot("shops-k1-check").await;
    let csv = browser
        .find("#job-csv")
        .await
        .attr("href")
        .await
        .expect("href")
        .expect("csv link");
    assert!(csv.ends_with("/rows.csv"), "{csv}");

    // K2: a dry run first (with the backup offered), then the run.
    browser.click("#job-back").await;
    let backup = browser
        .find("#panel-backup-download")
        .await
        .attr("href")
        .await
        .expect("href");
    assert_eq!(backup.as_deref(), Some("/backup/download"));
    assert!(
        browser
            .client
            .find(Locator::Css("#run-import"))
            .await
            .is_err(),
        "the run is offered after a dry run"
    );
    let text = run_from_panel(&browser, "#run-import-dry").await;
    assert!(text.contains("Пробно — нищо не е записано"), "{text}");
    let dry = counts(&browser).await;
    scroll_to(&browser, "#job-counts").await;
    browser.screenshot("shops-k2-dry-run").await;
    browser.click("#job-back").await;
    let text = run_from_panel(&browser, "#run-import").await;
    assert!(!text.contains("Пробно — нищо не е записано"), "{text}");
    let real = counts(&browser).await;
    assert_eq!(dry, real, "the dry run said what the run did");
    assert!(
        real.iter()
            .any(|(label, n)| label == "Нова стока" && *n > 0),
        "{real:?}"
    );
    scroll_to(&browser, "#job-counts").await;
    browser.screenshot("shops-k2-import").await;

    // K1 again: everything synchronised except the broken rows, which stay listed.
    browser.click("#job-back").await;
    assert!(
        browser
            .client
            .find(Locator::Css("#panel-backup"))
            .await
            .is_err(),
        "the backup is offered before the first import only"
    );
    run_from_panel(&browser, "#run-check").await;
    let after = counts(&browser).await;
    let labels: Vec<&str> = after.iter().map(|(l, _)| l.as_str()).collect();
    assert!(labels.contains(&"Вече синхронизиран"), "{after:?}");
    for broken in ["Липсва SKU", "Повтарящ се баркод в магазина", "Липсва име"]
    {
        assert!(labels.contains(&broken), "{broken} still listed: {after:?}");
    }
    for gone in ["Нов в магазина", "Съвпада — ще бъде свързан"] {
        assert!(!labels.contains(&gone), "{gone} left: {after:?}");
    }
    scroll_to(&browser, "#job-counts").await;
    browser.screenshot("shops-k3-check-again").await;
    // Filtered by a broken status.
    browser
        .click("#job-counts a[href*='status=sku_missing']")
        .await;
    browser.wait_for_text("Общо: 1").await;

    // K4: the notifications, each ON.
    browser.click("#job-back").await;
    run_from_panel(&browser, "#run-webhooks").await;
    browser.click("#job-back").await;
    let rows = browser
        .client
        .find_all(Locator::Css("#webhooks tbody tr"))
        .await
        .expect("webhooks");
    assert_eq!(rows.len(), 5, "order.created/updated and product.*");
    let table = browser.text("#webhooks").await;
    assert_eq!(table.matches("АКТИВЕН – ON").count(), 5, "{table}");
    assert_eq!(sim.control().webhooks("shop.localhost").len(), 5);
    scroll_to(&browser, "#panel-webhooks").await;
    browser.screenshot("shops-k4-webhooks").await;

    // The sync journal says who did what.
    browser.click("#panel-journal").await;
    let journal = browser.wait_for_text("Импорт на стоки").await;
    for words in [
        "Създадена връзка",
        "Запазени настройки",
        "Активиране на известията",
    ] {
        assert!(journal.contains(words), "{words}: {journal}");
    }
    browser.screenshot("shops-journal").await;

    // Deleting asks first; declined, nothing happens.
    let connection = server
        .store
        .shop_connections(server.firm_id)
        .await
        .expect("connections")[0]
        .id;
    browser.open(&base, &format!("/shops/{connection}")).await;
    browser.click("#shop-delete").await;
    let question = browser.client.get_alert_text().await.expect("confirm");
    assert!(question.contains("Да се изтрие ли връзката?"), "{question}");
    browser.client.dismiss_alert().await.expect("dismiss");
    browser.find("#shop-title").await;

    // A phone: the connection's pages stay within the width (tables scroll inside).
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resize");
    for (path, name) in [
        (format!("/shops/{connection}"), "shops-phone-connection"),
        (
            format!("/shops/{connection}/settings"),
            "shops-phone-settings",
        ),
        (format!("/shops/{connection}/panel"), "shops-phone-panel"),
    ] {
        browser.open(&base, &path).await;
        browser.find("main h1").await;
        browser.assert_fits_width(&path).await;
        browser.screenshot(name).await;
    }
    browser
        .client
        .set_window_size(1280, 900)
        .await
        .expect("resize");

    // The same panel in English.
    browser.click("#lang-switch").await;
    browser.wait_for_text("E-shop connections").await;
    browser
        .open(&base, &format!("/shops/{connection}/panel"))
        .await;
    browser
        .wait_for_text("Import ALL goods from the shop")
        .await;
    browser.screenshot("shops-panel-english").await;
    browser.client.clone().close().await.expect("close browser");
    sim.shutdown().await;
}
