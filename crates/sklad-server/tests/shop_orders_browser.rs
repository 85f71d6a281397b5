//! Orders from the shop in a real headless Chromium (issue 8, SPEC X2, X3): an operator
//! follows the header's badge to the needs-attention page, opens the raw body of an
//! unreadable delivery (a `<script>` in it is text, never run), presses „Опитай отново“,
//! and the pages of orders fit a phone. Screenshots land in
//! `target/screenshots/shop-orders-*.png`. Skipped (with a notice) without chromedriver
//! unless `CI` is set.

#[path = "support/browser_support.rs"]
mod browser_support;
#[path = "support/shop_orders_fixtures.rs"]
mod fixtures;

use browser_support::{start_browser, start_server, OPERATOR};

#[tokio::test]
async fn x3_an_operator_follows_the_badge_reads_the_raw_body_and_retries() {
    let server = start_server().await;
    let store = &server.store;
    let firm = server.firm_id;
    let a = fixtures::connection(store, firm, "Магазин А", "shop-a.example.bg").await;
    let (_, op) = fixtures::imported_order(store, firm, &a, "20417", fixtures::eik_warning()).await;
    fixtures::attention_order(store, firm, a.id, "20418", "X-1").await;
    let script = r#"<script>document.title = "pwned"; alert("x")</script>"#;
    fixtures::unreadable(store, firm, a.id, script).await;
    let Some(browser) = start_browser().await else {
        return;
    };
    let base = server.base.clone();
    browser.login(&base, OPERATOR.0, OPERATOR.1).await;

    let badge = browser.text("#attention-badge").await;
    assert_eq!(badge, "Изисква внимание: 2");
    browser.click("#attention-badge").await;
    browser.wait_for_path("/shops/attention").await;
    browser.wait_for_text("Непознат SKU „X-1“").await;

    // The raw body opens as text; nothing in it runs.
    browser.click("details.raw-body summary").await;
    let shown = browser.text("details.raw-body pre").await;
    assert_eq!(shown, script);
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "no script ran"
    );
    let title = browser.client.title().await.expect("title");
    assert!(title.starts_with("Изисква внимание"), "{title}");
    browser.screenshot("shop-orders-attention").await;

    // „Опитай отново“: back on the page with the notice; the order is read again.
    browser.click("#attention_orders button[type=submit]").await;
    browser.wait_for_text("ще бъде прочетена от магазина").await;
    let record = store.shop_order(firm, a.id, "20418").await.expect("record");
    assert!(record.dirty);

    // A phone: the pages of orders stay within the width (tables scroll inside).
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resize");
    for (path, name) in [
        ("/shops/attention".to_owned(), "shop-orders-phone-attention"),
        (format!("/shops/{}/orders", a.id), "shop-orders-phone-list"),
        (
            format!("/operations/{}", op.id),
            "shop-orders-phone-operation",
        ),
        (
            "/operations?kind=order&status=active".to_owned(),
            "shop-orders-phone-open-orders",
        ),
    ] {
        browser.open(&base, &path).await;
        browser.find("main h1").await;
        browser.assert_fits_width(&path).await;
        browser.screenshot(name).await;
    }
    browser.client.clone().close().await.expect("close browser");
}
