//! The pages over plain HTTP (reqwest, no browser): sessions, cookies, CSRF and roles.

#[path = "support/browser_support.rs"]
mod browser_support;

use browser_support::{start_server, OPERATOR, OWNER};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The `value="…"` of the hidden `csrf` input in a page.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("csrf field") + marker.len();
    let end = html[start..].find('"').expect("end of value");
    html[start..start + end].to_owned()
}

fn cookie_of(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn value_of(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// Opens the login page: (its CSRF cookie's value, the form's CSRF token).
async fn login_page(base: &str) -> (String, String) {
    let page = client()
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = value_of(&cookie_of(&page, "sklad_login_csrf").expect("login csrf cookie"));
    let html = page.text().await.expect("html");
    (cookie, csrf_of(&html))
}

/// Posts the login form with the cookies `cookies` (the login CSRF cookie first).
async fn post_login(
    base: &str,
    cookies: &str,
    token: &str,
    login: &str,
    password: &str,
    https: bool,
) -> reqwest::Response {
    let mut request = client()
        .post(format!("{base}/login"))
        .header(COOKIE, cookies)
        .form(&[("csrf", token), ("login", login), ("password", password)]);
    if https {
        request = request.header("x-forwarded-proto", "https");
    }
    request.send().await.expect("login post")
}

/// Logs in over HTTP; returns the session cookie's `Set-Cookie` line.
async fn login(base: &str, login: &str, password: &str, https: bool) -> String {
    let (cookie, token) = login_page(base).await;
    let cookies = format!("sklad_login_csrf={cookie}");
    let response = post_login(base, &cookies, &token, login, password, https).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login succeeds");
    assert_eq!(response.headers()[LOCATION], "/");
    cookie_of(&response, "sklad_session").expect("session cookie")
}

#[tokio::test]
async fn session_cookie_is_http_only_lax_and_secure_behind_https() {
    let server = start_server().await;
    let plain = login(&server.base, OWNER.0, OWNER.1, false).await;
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(plain.contains(part), "{plain}");
    }
    assert!(!plain.contains("Secure"), "{plain}");
    let secure = login(&server.base, OWNER.0, OWNER.1, true).await;
    assert!(secure.contains("; Secure"), "{secure}");
}

#[tokio::test]
async fn pages_need_a_session() {
    let server = start_server().await;
    let response = get_anonymous(&server, "/goods").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/login");
    let forged = get_page(&server, "sklad_session=not-a-session", "/goods").await;
    assert_eq!(forged.headers()[LOCATION], "/login");
}

#[tokio::test]
async fn wrong_password_is_refused_and_the_login_kept() {
    let server = start_server().await;
    let (cookie, token) = login_page(&server.base).await;
    let cookies = format!("sklad_login_csrf={cookie}");
    let response = post_login(
        &server.base,
        &cookies,
        &token,
        OWNER.0,
        "wrong-password",
        false,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(cookie_of(&response, "sklad_session").is_none());
    let html = response.text().await.expect("html");
    assert!(html.contains("Грешен потребител или парола."), "{html}");
    assert!(
        html.contains(&format!("value=\"{}\"", OWNER.0)),
        "login kept"
    );
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let server = start_server().await;
    let session = value_of(&login(&server.base, OWNER.0, OWNER.1, false).await);
    let cookie = format!("sklad_session={session}");
    let form_page = get_page(&server, &cookie, "/objects/new").await;
    assert_eq!(form_page.status(), StatusCode::OK);
    let token = csrf_of(&form_page.text().await.expect("html"));
    let fields = [
        ("name", "Магазин Център"),
        ("kind", "shop"),
        ("price_group", "retail"),
        ("active", "on"),
    ];
    // The owner belongs to two firms; count objects in both.
    let count = || async {
        let a = server.store.objects(server.firm_id).await.expect("objects");
        let b = server
            .store
            .objects(server.second_firm_id)
            .await
            .expect("objects");
        a.len() + b.len()
    };
    let before = count().await;
    for csrf in [None, Some("0".repeat(64)), Some(String::new())] {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        if let Some(csrf) = &csrf {
            form.push(("csrf", csrf));
        }
        let response = post_form(&server, &cookie, "/objects/new", &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "csrf {csrf:?}");
        let html = response.text().await.expect("html");
        assert!(html.contains("Формата е изтекла"), "{html}");
    }
    assert_eq!(count().await, before, "nothing was written");
    // The login form is protected too.
    let response = client()
        .post(format!("{}/login", server.base))
        .form(&[("login", OWNER.0), ("password", OWNER.1)])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // With the token the same post goes through.
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf", &token));
    let response = post_form(&server, &cookie, "/objects/new", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/objects?saved=1");
    assert_eq!(count().await, before + 1);
}

#[tokio::test]
async fn an_operator_is_refused_user_administration_and_backups() {
    let server = start_server().await;
    let session = value_of(&login(&server.base, OPERATOR.0, OPERATOR.1, false).await);
    let cookie = format!("sklad_session={session}");
    for path in ["/users", "/users/new", "/backup", "/backup/download"] {
        let response = get_page(&server, &cookie, path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let html = response.text().await.expect("html");
        assert!(html.contains("Достъпът е отказан"), "{html}");
    }
    let home = page_html(&server, &cookie, "/").await;
    assert!(!home.contains("href=\"/users\""), "no menu entry for users");
    let token = csrf_of(&home);
    let response = post_form(
        &server,
        &cookie,
        "/backup/restore",
        &[("csrf", token.as_str())],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// A signed-in HTTP client: (cookie header, CSRF token). The owner is moved to the
/// demo firm first.
async fn signed_in(server: &browser_support::Server) -> (String, String) {
    let session = value_of(&login(&server.base, OWNER.0, OWNER.1, false).await);
    let cookie = format!("sklad_session={session}");
    let home = page_html(server, &cookie, "/").await;
    let token = csrf_of(&home);
    let switched = switch_to_demo_firm(server, &cookie, &token).await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    (cookie, token)
}

/// A fresh server and a signed-in client of it: (server, cookie header, CSRF token).
async fn start_signed_in() -> (browser_support::Server, String, String) {
    let server = start_server().await;
    let (cookie, token) = signed_in(&server).await;
    (server, cookie, token)
}

/// Posts the firm switcher's form choosing the demo firm.
async fn switch_to_demo_firm(
    server: &browser_support::Server,
    cookie: &str,
    token: &str,
) -> reqwest::Response {
    let firm_id = server.firm_id.to_string();
    let form = [("csrf", token), ("firm_id", firm_id.as_str())];
    post_form(server, cookie, "/switch-firm", &form).await
}

#[tokio::test]
async fn the_downloaded_backup_restores_to_an_equal_firm() {
    let (server, cookie, _) = start_signed_in().await;
    server
        .store
        .create_good(server.firm_id, &browser_support::sample_good())
        .await
        .expect("good");
    let response = get_page(&server, &cookie, "/backup/download").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/gzip");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"sklad-firm-"),
        "{disposition}"
    );
    let archive = response.bytes().await.expect("bytes");
    let owner = server.store.user_by_login(OWNER.0).await.expect("owner");
    let restored = server
        .store
        .restore_firm(&archive, owner.id, None)
        .await
        .expect("restore");
    assert_eq!(
        server
            .store
            .export_firm_canonical(restored.id)
            .await
            .expect("export"),
        server
            .store
            .export_firm_canonical(server.firm_id)
            .await
            .expect("export")
    );
}

#[tokio::test]
async fn a_refused_good_form_keeps_everything_typed_and_marks_the_fields() {
    let (server, cookie, token) = start_signed_in().await;
    let response = post_form(
        &server,
        &cookie,
        "/goods/new",
        &[
            ("csrf", token.as_str()),
            ("code", "MUG-7"),
            ("name", "Халба"),
            ("measure", "бр."),
            ("kind", "good"),
            ("vat", "20"),
            ("active", "on"),
            ("barcode", "3800000000059"),
            ("barcode", ""),
            ("barcode", "bad barcode!"),
            ("prices.retail", "12,345"),
            ("prices.purchase", "7,10"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("html");
    for typed in [
        "value=\"MUG-7\"",
        "value=\"Халба\"",
        "value=\"3800000000059\"",
        "value=\"bad barcode!\"",
        "value=\"12,345\"",
        "value=\"7,10\"",
    ] {
        assert!(html.contains(typed), "{typed} was lost");
    }
    assert!(
        html.contains("id=\"price-retail-error\""),
        "price error beside its field"
    );
    assert!(html.contains("2 знака след десетичната запетая"));
    // The blank barcode is dropped, so the bad one is the second and marked there.
    assert!(
        html.contains("id=\"barcode-1-error\""),
        "barcode error beside its field"
    );
    let found = server
        .store
        .goods(server.firm_id, &sklad_store::GoodFilter::default())
        .await
        .expect("goods");
    assert_eq!(found.total, 0, "nothing was written");
}

/// `GET path` without any cookie.
async fn get_anonymous(server: &browser_support::Server, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .expect("get")
}

/// `GET path` with the cookie header `cookie`.
async fn get_page(server: &browser_support::Server, cookie: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", server.base))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("get")
}

/// The HTML of page `path` for the session `cookie`.
async fn page_html(server: &browser_support::Server, cookie: &str, path: &str) -> String {
    get_page(server, cookie, path)
        .await
        .text()
        .await
        .expect("html")
}

/// The response's `Content-Type`.
fn content_type(response: &reqwest::Response) -> &str {
    response.headers()["content-type"].to_str().expect("ascii")
}

/// The operation id in a redirect to `/operations/{id}?…`.
fn operation_id(response: &reqwest::Response) -> String {
    let location = response.headers()[LOCATION].to_str().expect("ascii");
    location
        .trim_start_matches("/operations/")
        .split('?')
        .next()
        .expect("id")
        .to_owned()
}

async fn post_form(
    server: &browser_support::Server,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client()
        .post(format!("{}{path}", server.base))
        .header(COOKIE, cookie)
        .form(form)
        .send()
        .await
        .expect("post")
}

#[tokio::test]
async fn sessions_expire_on_the_clock_and_end_at_logout() {
    let (server, cookie, token) = start_signed_in().await;
    assert_eq!(
        get_page(&server, &cookie, "/goods").await.status(),
        StatusCode::OK
    );
    server.clock.advance(jiff::SignedDuration::from_hours(11));
    assert_eq!(
        get_page(&server, &cookie, "/goods").await.status(),
        StatusCode::OK
    );
    server.clock.advance(jiff::SignedDuration::from_hours(2));
    let expired = get_page(&server, &cookie, "/goods").await;
    assert_eq!(expired.status(), StatusCode::SEE_OTHER);
    assert_eq!(expired.headers()[LOCATION], "/login");

    let (cookie, token2) = signed_in(&server).await;
    assert_ne!(token, token2, "each session has its own CSRF token");
    let out = post_form(&server, &cookie, "/logout", &[("csrf", token2.as_str())]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(cookie_of(&out, "sklad_session")
        .expect("cleared")
        .contains("Max-Age=0"));
    let after = get_page(&server, &cookie, "/").await;
    assert_eq!(after.headers()[LOCATION], "/login");
}

/// The sample good, stored, and the id of the firm's first object (where operations
/// are entered).
async fn sample_good_and_object(
    server: &browser_support::Server,
) -> (sklad_domain::model::Good, String) {
    let good = server
        .store
        .create_good(server.firm_id, &browser_support::sample_good())
        .await
        .expect("good");
    let objects = server.store.objects(server.firm_id).await.expect("objects");
    (good, objects[0].id.to_string())
}

#[tokio::test]
async fn operation_entry_shows_line_errors_keeps_lines_and_annuls() {
    let (server, cookie, token) = start_signed_in().await;
    let (good, object) = sample_good_and_object(&server).await;
    let base = [
        ("csrf", token.as_str()),
        ("date", "2026-11-28"),
        ("object_id", object.as_str()),
        ("currency", "EUR"),
    ];
    // Unknown code, a quantity that is not a number, a blank line in between.
    let mut form = base.to_vec();
    form.extend([
        ("lines[0].good_id", "NO-SUCH"),
        ("lines[0].quantity", "2"),
        ("lines[1].good_id", ""),
        ("lines[1].quantity", ""),
        ("lines[2].good_id", "TEA-1"),
        ("lines[2].quantity", "NaN"),
    ]);
    let response = post_form(&server, &cookie, "/operations/new/delivery", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("html");
    assert!(html.contains("id=\"line-0-good-id-error\""), "{html}");
    assert!(html.contains("Няма стока с код или баркод „NO-SUCH“."));
    assert!(
        html.contains("id=\"line-1-quantity-error\""),
        "renumbered line 1"
    );
    assert!(html.contains("value=\"NaN\""), "typed text kept");
    // Selling more than is held: the store refuses, the alert explains.
    let mut form = base.to_vec();
    form.extend([
        ("lines[0].good_id", "3800000000042"),
        ("lines[0].quantity", "5"),
    ]);
    let response = post_form(&server, &cookie, "/operations/new/sale", &form).await;
    let html = response.text().await.expect("html");
    assert!(html.contains("id=\"form-errors\""), "{html}");
    assert!(html.contains("Недостатъчна наличност"), "{html}");
    let none = server
        .store
        .operations(server.firm_id, &sklad_store::OperationFilter::default())
        .await
        .expect("operations");
    assert_eq!(none.total, 0, "nothing was written");
    // A good delivery (blank price: the purchase price), then annul it.
    let mut form = base.to_vec();
    form.extend([("lines[0].good_id", "TEA-1"), ("lines[0].quantity", "1,5")]);
    let response = post_form(&server, &cookie, "/operations/new/delivery", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = operation_id(&response);
    let view = page_html(&server, &cookie, &format!("/operations/{id}")).await;
    assert!(view.contains("2,25\u{a0}€"), "1,5 × 1,50 €: {view}");
    let stock = server
        .store
        .stock_of_good(server.firm_id, good.id)
        .await
        .expect("stock");
    assert_eq!(stock[0].on_hand, sklad_domain::Quantity(1500));
    for report in ["/stock", "/stock?object=all"] {
        let html = page_html(&server, &cookie, report).await;
        assert!(
            html.contains("<td class=\"num\">1,5</td>"),
            "{report} shows 1,5 on hand: {html}"
        );
    }
    let annulled = post_form(
        &server,
        &cookie,
        &format!("/operations/{id}/annul"),
        &[("csrf", token.as_str())],
    )
    .await;
    assert_eq!(annulled.status(), StatusCode::SEE_OTHER);
    let view = page_html(&server, &cookie, &format!("/operations/{id}")).await;
    assert!(view.contains("Анулирана"));
    assert!(!view.contains("id=\"annul\""), "no second annul");
    let stock = server
        .store
        .stock_of_good(server.firm_id, good.id)
        .await
        .expect("stock");
    assert!(stock.iter().all(|l| l.on_hand.is_zero()), "{stock:?}");
}

#[tokio::test]
async fn an_operation_is_edited_in_the_entry_form() {
    let (server, cookie, token) = start_signed_in().await;
    let (good, object) = sample_good_and_object(&server).await;
    let form = [
        ("csrf", token.as_str()),
        ("date", "2026-11-28"),
        ("object_id", object.as_str()),
        ("currency", "EUR"),
        ("lines[0].good_id", "TEA-1"),
        ("lines[0].quantity", "2"),
        ("lines[0].unit_price", "1,40"),
        ("lines[0].discount", "10"),
    ];
    let created = post_form(&server, &cookie, "/operations/new/delivery", &form).await;
    let id = operation_id(&created);
    let edit = page_html(&server, &cookie, &format!("/operations/{id}/edit")).await;
    for shown in [
        "value=\"TEA-1\"",
        "value=\"2\"",
        "value=\"1,40\"",
        "value=\"10,00\"",
    ] {
        assert!(edit.contains(shown), "{shown} in the edit form");
    }
    let mut changed = form.to_vec();
    changed[5] = ("lines[0].quantity", "5");
    let saved = post_form(
        &server,
        &cookie,
        &format!("/operations/{id}/edit"),
        &changed,
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let op = server
        .store
        .operation(server.firm_id, id.parse().expect("id"))
        .await
        .expect("operation");
    assert_eq!(op.number, 1);
    assert_eq!(op.lines[0].quantity, sklad_domain::Quantity(5000));
    assert_eq!(op.totals.gross, 630, "5 × 1,40 € − 10 %");
    let stock = server
        .store
        .stock_of_good(server.firm_id, good.id)
        .await
        .expect("stock");
    assert_eq!(stock[0].on_hand, sklad_domain::Quantity(5000));
}

#[tokio::test]
async fn the_goods_list_searches_filters_and_pages() {
    let (server, cookie, _) = start_signed_in().await;
    for i in 0..30 {
        let mut good = browser_support::sample_good();
        good.code = format!("G-{i:02}");
        good.name = format!("Стока {i:02}");
        good.barcodes = vec![format!("99000000{i:02}")];
        if i % 10 == 0 {
            good.kind = sklad_domain::model::GoodKind::Service;
            good.group = Some("Услуги".into());
        }
        if i == 29 {
            good.active = false;
        }
        server
            .store
            .create_good(server.firm_id, &good)
            .await
            .expect("good");
    }
    let rows = |html: &str| html.matches("<tr>").count() - 1; // minus the header row
    let first = page_html(&server, &cookie, "/goods").await;
    assert_eq!(rows(&first), 25);
    assert!(first.contains("Общо: 30"));
    assert!(first.contains("href=\"/goods?page=2\""), "next page link");
    let second = page_html(&server, &cookie, "/goods?page=2").await;
    assert_eq!(rows(&second), 5);
    assert!(!second.contains("id=\"next-page\""));
    let by_barcode = page_html(&server, &cookie, "/goods?q=9900000017").await;
    assert_eq!(rows(&by_barcode), 1);
    assert!(by_barcode.contains("G-17"));
    let services = page_html(
        &server,
        &cookie,
        "/goods?kind=service&group=%D0%A3%D1%81%D0%BB%D1%83%D0%B3%D0%B8",
    )
    .await;
    assert_eq!(rows(&services), 3, "G-00, G-10, G-20");
    let inactive = page_html(&server, &cookie, "/goods?active=no").await;
    assert_eq!(rows(&inactive), 1);
    assert!(inactive.contains("G-29"));
    // The filter form shows what was asked.
    assert!(services.contains("<option value=\"service\" selected>"));
}

#[tokio::test]
async fn pages_forbid_framing_and_foreign_scripts_and_are_not_cached() {
    let server = start_server().await;
    let page = get_anonymous(&server, "/login").await;
    let headers = page.headers();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let html = page.text().await.expect("html");
    assert!(
        !html.contains("style=\""),
        "no inline styles under the policy"
    );
    let css = get_anonymous(&server, "/assets/sklad.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_ne!(css.headers()["cache-control"], "no-store");
    let js = get_anonymous(&server, "/assets/sklad.js").await;
    assert_eq!(js.status(), StatusCode::OK);
}

#[tokio::test]
async fn odd_addresses_get_the_error_page_not_a_crash() {
    let (server, cookie, _) = start_signed_in().await;
    for (path, status) in [
        ("/goods/abc", StatusCode::NOT_FOUND),
        ("/goods/999999", StatusCode::NOT_FOUND),
        ("/operations/new/teleport", StatusCode::NOT_FOUND),
        ("/operations/-1/edit", StatusCode::NOT_FOUND),
        ("/goods?page=abc&kind=%00", StatusCode::OK),
        ("/partners?page=-3", StatusCode::OK),
        ("/stock?object=nope", StatusCode::OK),
    ] {
        let response = get_page(&server, &cookie, path).await;
        assert_eq!(response.status(), status, "{path}");
        let html = response.text().await.expect("html");
        assert!(
            html.contains("id=\"logout\""),
            "{path}: the signed-in layout"
        );
    }
    // Another firm's record is simply not found.
    let other = server
        .store
        .create_good(server.second_firm_id, &browser_support::sample_good())
        .await
        .expect("good");
    let response = get_page(&server, &cookie, &format!("/goods/{}", other.id)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_addresses_get_the_404_page_and_the_api_keeps_its_own() {
    let (server, cookie, _) = start_signed_in().await;
    for path in ["/no-such-page", "/goods/1/extra", "/assets/missing.css"] {
        let response = get_page(&server, &cookie, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(content_type(&response).starts_with("text/html"));
        assert_eq!(response.headers()["x-frame-options"], "DENY", "{path}");
        let html = response.text().await.expect("html");
        assert!(
            html.contains("id=\"logout\""),
            "{path}: the signed-in layout"
        );
        assert!(
            html.contains("<h1>Няма такава страница</h1>"),
            "{path}: {html}"
        );
    }
    // A page address with the wrong method: the 405 page in the layout.
    let typed = get_page(&server, &cookie, "/logout").await;
    assert_eq!(typed.status(), StatusCode::METHOD_NOT_ALLOWED);
    let html = typed.text().await.expect("html");
    assert!(html.contains("Тази страница не се отваря така"), "{html}");
    assert!(html.contains("id=\"logout\""), "the signed-in layout");
    // Nobody signed in: the same page in the visitor's language, without the menu.
    let response = get_page(&server, "sklad_lang=en", "/no-such-page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("lang=\"en\"") && !html.contains("id=\"logout\""),
        "{html}"
    );
    // The API answers its unknown paths in JSON, as before.
    let api = get_anonymous(&server, "/api/v1/no-such-resource").await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert!(content_type(&api).starts_with("application/json"));
}

#[tokio::test]
async fn signing_in_again_returns_to_the_firm_last_worked_in() {
    let (server, cookie, token) = start_signed_in().await;
    // `signed_in` switched to the demo firm; the switch is remembered on the browser.
    let switched = switch_to_demo_firm(&server, &cookie, &token).await;
    let firm_cookie = cookie_of(&switched, "sklad_firm").expect("firm cookie");
    assert_eq!(value_of(&firm_cookie), server.firm_id.to_string());
    // A new sign-in on this browser starts in that firm.
    let (csrf_cookie, csrf) = login_page(&server.base).await;
    let cookies = format!(
        "sklad_login_csrf={csrf_cookie}; sklad_firm={}",
        server.firm_id
    );
    let response = post_login(&server.base, &cookies, &csrf, OWNER.0, OWNER.1, false).await;
    let session = value_of(&cookie_of(&response, "sklad_session").expect("session"));
    let home = page_html(&server, &format!("sklad_session={session}"), "/").await;
    let selected = format!(
        "<option value=\"{}\" selected>Демо ЕООД</option>",
        server.firm_id
    );
    assert!(home.contains(&selected), "{home}");
}

#[tokio::test]
async fn the_owner_adds_users_within_the_seats() {
    let (server, cookie, token) = start_signed_in().await;
    let user = |login: &'static str| {
        [
            ("csrf", token.as_str()),
            ("login", login),
            ("display_name", "Петя Касиер"),
            ("password", "kasa-parola-1"),
            ("role", "operator"),
            ("language", "bg"),
        ]
    };
    // Seat 3 of 3.
    let added = post_form(&server, &cookie, "/users/new", &user("petya")).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let list = page_html(&server, &cookie, "/users").await;
    assert!(list.contains("petya") && list.contains("Оператор"));
    // A fourth is refused with the reason, and no user is left behind.
    let refused = post_form(&server, &cookie, "/users/new", &user("ivo")).await;
    assert_eq!(refused.status(), StatusCode::OK);
    let html = refused.text().await.expect("html");
    assert!(html.contains("Абонаментът позволява"), "{html}");
    assert!(html.contains("value=\"ivo\""), "typed login kept");
    assert!(
        server.store.user_by_login("ivo").await.is_err(),
        "no orphan user"
    );
}

/// Issue 11: a login tried with wrong passwords is locked after the free attempts —
/// 429 with `Retry-After` and the reason in words, the right password refused too while
/// locked, without checking it — and lifts on the server's (virtual) clock; an unknown
/// login gets the same words after the same argon2 work; every attempt of an existing
/// login is in the firm's journal with its address; a success clears the count.
#[tokio::test]
async fn repeated_failures_lock_a_login_and_unknown_logins_look_the_same() {
    use sklad_server::login_guard::FREE_PER_LOGIN;
    let server = start_server().await;
    let attempt = |login: &'static str, password: &'static str| {
        let base = server.base.clone();
        async move {
            let (cookie, token) = login_page(&base).await;
            let cookies = format!("sklad_login_csrf={cookie}");
            post_login(&base, &cookies, &token, login, password, false).await
        }
    };
    // An unknown login and a wrong password: the same page, the same words, one argon2
    // check each.
    let checks = server.store.password_checks();
    let unknown = attempt("nobody-here", "whatever-it-is").await;
    assert_eq!(server.store.password_checks(), checks + 1);
    let wrong = attempt(OWNER.0, "not-the-password").await;
    assert_eq!(server.store.password_checks(), checks + 2);
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(wrong.status(), StatusCode::OK);
    let unknown = unknown.text().await.unwrap();
    let wrong = wrong.text().await.unwrap();
    assert!(unknown.contains("Грешен потребител или парола."));
    assert!(wrong.contains("Грешен потребител или парола."));

    // The remaining free failures, then the lock.
    for _ in 1..FREE_PER_LOGIN {
        assert_eq!(
            attempt(OWNER.0, "not-the-password").await.status(),
            StatusCode::OK
        );
    }
    let checks = server.store.password_checks();
    let locked = attempt(OWNER.0, OWNER.1).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers()["retry-after"], "30");
    let page = locked.text().await.unwrap();
    assert!(
        page.contains("Твърде много неуспешни опити. Опитайте отново след 30 секунди."),
        "{page}"
    );
    assert_eq!(server.store.password_checks(), checks, "not even checked");

    // On the server's clock the lock lifts; the right password then signs in.
    server.clock.advance(jiff::SignedDuration::from_secs(30));
    assert_eq!(
        attempt(OWNER.0, OWNER.1).await.status(),
        StatusCode::SEE_OTHER
    );
    // The success cleared the count: one more failure does not lock.
    assert_eq!(
        attempt(OWNER.0, "not-the-password").await.status(),
        StatusCode::OK
    );

    let journal = server
        .store
        .journal(server.firm_id, Default::default())
        .await
        .unwrap();
    let actions: Vec<&str> = journal.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "login_failed").count(),
        FREE_PER_LOGIN as usize + 1,
        "{actions:?}"
    );
    assert_eq!(actions.iter().filter(|a| **a == "login_locked").count(), 1);
    assert!(actions.contains(&"login"));
    let failed = journal
        .items
        .iter()
        .find(|e| e.action == "login_failed")
        .unwrap();
    assert_eq!(failed.details["address"], "127.0.0.1");
    assert_eq!(failed.details["login"], OWNER.0);
    assert!(
        !journal
            .items
            .iter()
            .any(|e| e.details.to_string().contains("nobody-here")),
        "unknown logins are not a firm's business"
    );
}
