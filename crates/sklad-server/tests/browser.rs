//! The back office in a real headless Chromium against the real server: the
//! merchant's delivery → order → sale round in Bulgarian, inline field errors,
//! roles and the switch to English. Screenshots land in `target/screenshots/`.

#[path = "support/browser_support.rs"]
mod browser_support;

use browser_support::{start_browser, start_server, Browser, OPERATOR, OWNER, WAIT};
use fantoccini::Locator;

/// The cells of the first row of table `table` whose text contains `key`, waiting
/// until such a row exists and `ready` accepts its cells.
async fn row(
    browser: &Browser,
    table: &str,
    key: &str,
    ready: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = Vec::new();
    loop {
        let rows = browser
            .client
            .find_all(Locator::Css(&format!("{table} tbody tr")))
            .await
            .unwrap_or_default();
        for tr in rows {
            let mut cells = Vec::new();
            for td in tr.find_all(Locator::Css("td")).await.unwrap_or_default() {
                cells.push(td.text().await.unwrap_or_default().trim().to_owned());
            }
            if cells.iter().any(|c| c.contains(key)) {
                if ready(&cells) {
                    return cells;
                }
                last = cells;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no ready row with {key:?} in {table}; last seen {last:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The stock report's (on hand, reserved, available) of `code` in the first object.
async fn stock_of(browser: &Browser, base: &str, code: &str, expected: [&str; 3]) {
    browser.open(base, "/stock").await;
    let cells = row(browser, "#stock", code, |_| true).await;
    assert_eq!(&cells[3..6], &expected, "stock of {code}: {cells:?}");
}

async fn submit(browser: &Browser) {
    browser.click("#save").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merchant_round_in_bulgarian() {
    let server = start_server().await;
    let Some(browser) = start_browser().await else {
        return;
    };
    let base = server.base.clone();

    // Log in; the owner has two firms and switches to the demo firm.
    browser.open(&base, "/login").await;
    browser.screenshot("login").await;
    browser.login(&base, OWNER.0, OWNER.1).await;
    browser.switch_firm("Демо ЕООД").await;
    browser.wait_for_text("Добре дошли, Иван Петров!").await;
    let firm_selected = browser.text("#switch-firm option[selected]").await;
    assert_eq!(firm_selected, "Демо ЕООД");
    browser.screenshot("home").await;

    // A good with two barcodes and prices.
    browser.open(&base, "/goods/new").await;
    browser.fill("#good-code", "CUP-1").await;
    browser.fill("#good-name", "Чаша порцелан").await;
    browser.fill("#barcode-0", "3800000000011").await;
    browser.click("#add-barcode").await;
    browser.fill("#barcode-1", "3800000000028").await;
    browser.fill("#price-purchase", "4,20").await;
    browser.fill("#price-wholesale", "7,50").await;
    browser.fill("#price-retail", "9,90").await;
    browser.screenshot("good-form").await;
    submit(&browser).await;
    browser.wait_for_path("/goods").await;
    browser.wait_for_text("Записано.").await;
    let cells = row(&browser, "#goods", "CUP-1", |_| true).await;
    assert_eq!(cells[2], "3800000000011, 3800000000028");
    assert_eq!(cells[5], "9,90 €");
    browser.screenshot("goods-list").await;
    // Found by its second barcode.
    browser.open(&base, "/goods?q=3800000000028").await;
    row(&browser, "#goods", "Чаша порцелан", |_| true).await;
    // A refused good: each error beside its field, everything typed kept.
    browser.open(&base, "/goods/new").await;
    browser.fill("#good-code", "CUP-1").await;
    browser.fill("#good-name", "Чаша втора").await;
    browser.fill("#price-retail", "9,999").await;
    submit(&browser).await;
    browser.find("#form-errors").await;
    let price_error = browser.text("#price-retail-error").await;
    assert!(price_error.contains("2 знака"), "{price_error}");
    assert_eq!(browser.value("#good-name").await, "Чаша втора");
    let focused = browser
        .client
        .execute("return document.activeElement.id;", Vec::new())
        .await
        .expect("focus");
    assert_eq!(
        focused, "price-retail",
        "the first field with an error has the focus"
    );
    browser.screenshot("good-form-error").await;

    // A delivery of 10 at the purchase price, with live totals.
    browser.open(&base, "/operations/new/delivery").await;
    browser.fill("#line-0-good-id", "CUP-1").await;
    browser.fill("#line-0-quantity", "10").await;
    // The purchase price is filled in from the good; the totals follow as typed.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let gross = browser.text("#total-gross").await;
        if gross == "42,00 €" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "live total {gross}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(browser.text("#total-vat").await, "7,00 €");
    assert_eq!(browser.text("#total-other").await, "82,14 лв");
    browser.screenshot("delivery-form").await;
    submit(&browser).await;
    browser.wait_for_text("Операцията е записана.").await;
    assert_eq!(browser.text("#operation-title").await, "Доставка № 1");
    assert_eq!(browser.text("#operation-date").await, "28.11.2026");
    browser.screenshot("delivery-view").await;
    stock_of(&browser, &base, "CUP-1", ["10", "0", "10"]).await;
    browser.screenshot("stock-after-delivery").await;

    // A partner: a wrong ЕИК shows the error beside the field, nothing typed is lost.
    browser.open(&base, "/partners/new").await;
    browser.fill("#partner-name", "Клиент ООД").await;
    browser.fill("#partner-eik", "831826093").await;
    browser.fill("#partner-city", "Пловдив").await;
    submit(&browser).await;
    let error = browser.text("#partner-eik-error").await;
    assert!(error.contains("ЕИК"), "{error}");
    assert_eq!(browser.value("#partner-name").await, "Клиент ООД");
    browser.screenshot("partner-eik-error").await;
    browser.fill("#partner-eik", "831826092").await;
    submit(&browser).await;
    browser.wait_for_text("Записано.").await;
    row(&browser, "#partners", "Клиент ООД", |_| true).await;
    browser.screenshot("partners-list").await;

    // За фирмата → Типове плащания → Нов тип плащане.
    browser.open(&base, "/payment-types").await;
    browser.click("#new").await;
    browser.fill("#payment-type-name", "PayPal").await;
    browser.select("#payment-type-method", "card").await;
    submit(&browser).await;
    browser.wait_for_text("Записано.").await;
    let paypal = row(&browser, "#payment-types", "PayPal", |_| true).await;
    assert_eq!(paypal[1], "С карта");

    // An order of 3 by barcode: reserves, moves nothing.
    browser.open(&base, "/operations/new/order").await;
    browser
        .find("#op-payment_type_id")
        .await
        .select_by_label("PayPal")
        .await
        .expect("payment type");
    browser
        .find("#op-partner_id")
        .await
        .select_by_label("Клиент ООД")
        .await
        .expect("partner");
    browser.fill("#line-0-good-id", "3800000000028").await;
    browser.fill("#line-0-quantity", "3").await;
    browser.find("#op-note").await.click().await.expect("blur");
    submit(&browser).await;
    browser.wait_for_text("Операцията е записана.").await;
    assert_eq!(browser.text("#operation-title").await, "Поръчка № 1");
    assert_eq!(browser.text("#total-gross").await, "29,70 €");
    stock_of(&browser, &base, "CUP-1", ["10", "3", "7"]).await;

    // Операции → Чакащи поръчки → „Превърни в продажба“.
    browser
        .click("details[data-menu='operations'] > summary")
        .await;
    browser
        .click("a[href='/operations?kind=order&status=active']")
        .await;
    row(&browser, "#operations", "Поръчка", |_| true).await;
    browser.screenshot("orders-list").await;
    browser
        .click("#operations form[action$='/convert'] button")
        .await;
    browser
        .wait_for_text("Поръчката е превърната в продажба.")
        .await;
    assert_eq!(browser.text("#operation-title").await, "Продажба № 1");
    browser.screenshot("sale-view").await;
    stock_of(&browser, &base, "CUP-1", ["7", "0", "7"]).await;
    browser.screenshot("stock-after-sale").await;
    browser.open(&base, "/operations").await;
    let order = row(&browser, "#operations", "Поръчка", |_| true).await;
    assert_eq!(order[6], "Превърната в продажба");

    // The other main pages, for the record.
    for (path, name) in [
        ("/operations/new/transfer", "transfer-form"),
        ("/operations/new/stock_taking", "stock-taking-form"),
        ("/objects", "objects"),
        ("/payment-types", "payment-types"),
        ("/price-groups", "price-groups"),
        ("/users", "users"),
        ("/backup", "backup"),
        ("/shops", "shops"),
        ("/shops/new", "shops-new"),
        ("/no-such-page", "not-found"),
    ] {
        browser.open(&base, path).await;
        browser.find("main h1").await;
        browser.screenshot(name).await;
    }
    browser.open(&base, "/shops").await;
    browser.click("#new").await;
    browser.wait_for_text("CloudCart").await;

    // Switch to English: the same screens, in English, for this user.
    browser.open(&base, "/stock").await;
    browser.click("#lang-switch").await;
    browser.wait_for_text("On hand").await;
    assert_eq!(browser.text("main h1").await, "Stock");
    let menu = browser.text("nav.menu").await;
    assert!(menu.contains("Lists") && menu.contains("Reports"), "{menu}");
    browser.screenshot("stock-english").await;
    browser.open(&base, "/partners/new").await;
    browser.fill("#partner-name", "Bad Id Ltd").await;
    browser.fill("#partner-eik", "123").await;
    submit(&browser).await;
    let error = browser.text("#partner-eik-error").await;
    assert!(error.is_ascii(), "the error is in English: {error}");
    browser.screenshot("partner-error-english").await;
    // The choice is stored on the user: a new session is in English too.
    let owner = server.store.user_by_login(OWNER.0).await.expect("owner");
    assert_eq!(owner.language, "en");
    browser.logout().await;
    browser.login(&base, OWNER.0, OWNER.1).await;
    browser.wait_for_text("Welcome").await;
    browser.client.clone().close().await.expect("close browser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_is_refused_user_administration() {
    let server = start_server().await;
    let Some(browser) = start_browser().await else {
        return;
    };
    let base = server.base.clone();
    browser.login(&base, OPERATOR.0, OPERATOR.1).await;
    let menu = browser
        .find("nav.menu")
        .await
        .html(false)
        .await
        .expect("html");
    assert!(
        !menu.contains("href=\"/users\""),
        "no Потребители for an operator"
    );
    assert!(menu.contains("href=\"/goods\""));
    browser.open(&base, "/users").await;
    browser.wait_for_text("Нямате права").await;
    assert_eq!(browser.text("main h1").await, "Достъпът е отказан");
    browser.screenshot("operator-refused").await;
    assert!(
        !menu.contains("href=\"/backup\""),
        "no Архивиране for an operator"
    );
    // Backups are the owner's, as in the REST API.
    browser.open(&base, "/backup").await;
    browser.wait_for_text("Нямате права").await;
    browser.logout().await;
    browser.client.clone().close().await.expect("close browser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_with_confirmation_and_a_phone_layout() {
    let server = start_server().await;
    let Some(browser) = start_browser().await else {
        return;
    };
    let base = server.base.clone();
    browser.login(&base, OWNER.0, OWNER.1).await;
    browser.switch_firm("Демо ЕООД").await;

    let files = tempfile::tempdir().expect("dir");
    // A damaged archive is refused before any confirmation and nothing is created.
    let bad = files.path().join("damaged.sklad.gz");
    std::fs::write(&bad, b"\x1f\x8bnot really an archive").expect("write");
    browser.open(&base, "/backup").await;
    browser.choose_file("#restore-archive", &bad).await;
    browser.click("#restore-upload").await;
    browser.find("#form-errors").await;
    browser.screenshot("restore-refused").await;
    let firms = browser.text("#switch-firm").await;
    assert!(!firms.contains("Възстановена"), "{firms}");

    // A real archive of the firm: confirmation step, then a new firm.
    let good = browser_support::sample_good();
    server
        .store
        .create_good(server.firm_id, &good)
        .await
        .expect("good");
    let archive = server
        .store
        .backup_firm(server.firm_id)
        .await
        .expect("backup");
    let path = files.path().join("demo.sklad.gz");
    std::fs::write(&path, archive).expect("write");
    browser.open(&base, "/backup").await;
    browser.choose_file("#restore-archive", &path).await;
    browser.fill("#restore-name", "Възстановена фирма").await;
    browser.click("#restore-upload").await;
    browser.wait_for_text("demo.sklad.gz").await;
    let summary = browser.text("#restore-summary").await;
    assert!(summary.contains("„Демо ЕООД“"), "{summary}");
    browser.screenshot("restore-confirm").await;
    browser.click("#restore-confirm").await;
    browser
        .wait_for_text("Фирмата е възстановена като „Възстановена фирма“.")
        .await;
    let firms = browser.text("#switch-firm").await;
    assert!(firms.contains("Възстановена фирма"), "{firms}");

    // The restored firm holds the good.
    browser.switch_firm("Възстановена фирма").await;
    browser.open(&base, "/goods").await;
    row(&browser, "#goods", &good.code, |_| true).await;

    // Phone width: the menu wraps and the pages stay usable.
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resize");
    browser.open(&base, "/").await;
    browser.assert_fits_width("the phone start page").await;
    browser.screenshot("phone-home").await;
    browser
        .click("details[data-menu='operations'] > summary")
        .await;
    browser.screenshot("phone-menu").await;
    browser.click("a[href='/operations/new/sale']").await;
    browser.find("#line-0-good-id").await;
    browser.assert_fits_width("the phone sale form").await;
    browser.screenshot("phone-sale-form").await;
    for (path, name) in [("/goods", "phone-goods"), ("/stock", "phone-stock")] {
        browser.open(&base, path).await;
        browser.assert_fits_width(path).await;
        browser.screenshot(name).await;
    }
    browser.client.clone().close().await.expect("close browser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annulling_asks_first() {
    let server = start_server().await;
    let Some(browser) = start_browser().await else {
        return;
    };
    let base = server.base.clone();
    server
        .store
        .create_good(server.firm_id, &browser_support::sample_good())
        .await
        .expect("good");
    browser.login(&base, OWNER.0, OWNER.1).await;
    browser.switch_firm("Демо ЕООД").await;
    browser.open(&base, "/operations/new/delivery").await;
    browser.fill("#line-0-good-id", "TEA-1").await;
    browser.fill("#line-0-quantity", "2").await;
    submit(&browser).await;
    browser.wait_for_text("Операцията е записана.").await;
    // Declined: nothing happens.
    browser.click("#annul").await;
    let question = browser.client.get_alert_text().await.expect("confirm");
    assert!(question.contains("анулира"), "{question}");
    browser.client.dismiss_alert().await.expect("dismiss");
    assert_eq!(browser.text("#operation-status").await, "Активна");
    // Accepted: annulled.
    browser.click("#annul").await;
    browser.client.accept_alert().await.expect("accept");
    browser.wait_for_text("Операцията е анулирана.").await;
    assert_eq!(browser.text("#operation-status").await, "Анулирана");
    browser.client.clone().close().await.expect("close browser");
}
