//! Issue 11 in a real headless Chromium: an owner turns two-factor sign-in on (QR code
//! and key, the first code, the recovery codes), signs out, and signs in again with the
//! password and then the code from the app. Screenshots land in `target/screenshots/`.

#[path = "support/browser_support.rs"]
mod browser_support;

use browser_support::{start_browser, start_server, OWNER};
use sklad_domain::clock::Clock;
use totp_rs::{Algorithm, Secret, TOTP};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_enrols_and_signs_in_with_a_code() {
    let server = start_server().await;
    let Some(browser) = start_browser().await else {
        return;
    };
    let base = server.base.clone();
    browser.login(&base, OWNER.0, OWNER.1).await;
    browser.click("#two-factor").await;
    browser
        .wait_for_text("Двуфакторното влизане е изключено")
        .await;
    browser.find("#totp-qr svg").await;
    browser.screenshot("two-factor-enrol").await;
    let secret = browser.text("#totp-secret").await.replace(' ', "");
    let bytes = Secret::Encoded(secret).to_bytes().expect("a base32 key");
    let app = TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Sklad".into()),
        OWNER.0.into(),
    )
    .expect("the key");
    let code = app.generate(server.clock.now().as_second() as u64);

    browser.fill("#code", &code).await;
    browser.click("#second-factor-submit").await;
    browser.wait_for_text("Кодове за възстановяване").await;
    let codes = browser.text("#recovery-codes").await;
    assert_eq!(codes.lines().count(), 10, "{codes}");
    browser.screenshot("two-factor-codes").await;
    browser.click("#second-factor-continue").await;
    browser.wait_for_text("Остават 10 кода").await;
    browser.logout().await;

    // The password, then the next code (the one used to enrol is spent).
    server.clock.advance(jiff::SignedDuration::from_secs(30));
    let code = app.generate(server.clock.now().as_second() as u64);
    browser.fill("#login", OWNER.0).await;
    browser.fill("#password", OWNER.1).await;
    browser.click("#login-submit").await;
    browser.wait_for_path("/login/code").await;
    browser.wait_for_text("код за възстановяване").await;
    browser.screenshot("two-factor-code").await;
    browser.fill("#code", &code).await;
    browser.click("#second-factor-submit").await;
    browser.find("#logout").await;
    browser.wait_for_path("/").await;
}
