//! Issue 11 over plain HTTP against the real server, on virtual time: two-factor
//! sign-in for owners — enrolment in the account with its one-time recovery codes, the
//! code asked after the password, a recovery code good once, wrong codes throttled like
//! wrong passwords, and a firm that requires it making its owners enrol at sign-in.

#[path = "support/browser_support.rs"]
mod browser_support;
#[path = "support/pages_http.rs"]
mod pages_http;

use browser_support::{start_server, Server, OPERATOR, OWNER};
use pages_http::{
    client, cookie_value, csrf_of, get, html, location, post, post_login, sign_in, User,
};
use reqwest::header::COOKIE;
use reqwest::StatusCode;
use sklad_domain::clock::Clock;
use totp_rs::{Algorithm, Secret, TOTP};

/// The app's code for `secret` at the server's (virtual) time.
fn code_now(server: &Server, secret: &str, login: &str) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Sklad".into()),
        login.into(),
    )
    .unwrap();
    totp.generate(server.clock.now().as_second() as u64)
}

/// The value of the hidden field `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// The recovery codes a page shows.
fn recovery_codes(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .filter_map(|part| part.split_once("</code>").map(|(code, _)| code.to_owned()))
        .collect()
}

/// Turns two-factor sign-in on for the signed-in `user` (login `login`) in the account;
/// returns the secret and the recovery codes.
async fn enrol(server: &Server, user: &User, login: &str) -> (String, Vec<String>) {
    let page = html(server, user, "/account/two-factor").await;
    assert!(page.contains("<svg"), "a QR code: {page}");
    let secret = hidden(&page, "secret");
    let shown = page
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|rest| rest.split_once('<'))
        .map(|(text, _)| text.replace(' ', ""))
        .unwrap();
    assert_eq!(shown, secret, "the key typed by hand is the QR code's");
    let wrong = post(
        server,
        user,
        "/account/two-factor/enable",
        &[("secret", secret.as_str()), ("code", "000000")],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("Кодът не е верен"), "{wrong}");
    assert_eq!(
        hidden(&wrong, "secret"),
        secret,
        "the same key stays to try again"
    );
    let code = code_now(server, &secret, login);
    let done = post(
        server,
        user,
        "/account/two-factor/enable",
        &[("secret", secret.as_str()), ("code", code.as_str())],
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);
    let codes = recovery_codes(&done.text().await.unwrap());
    assert_eq!(codes.len(), 10, "{codes:?}");
    (secret, codes)
}

/// The password step: the sign-in step's cookie, once the password was right.
async fn password_step(server: &Server, credentials: (&str, &str)) -> String {
    let answer = post_login(server, credentials).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/login/code");
    assert!(
        cookie_value(&answer, "sklad_session").is_none(),
        "no session yet"
    );
    cookie_value(&answer, "sklad_sign_in_step").expect("the step's cookie")
}

/// The code step's page (its HTML) and a post of `code` on it.
async fn code_step(server: &Server, step: &str, code: &str) -> (String, reqwest::Response) {
    let page = get(server, &format!("sklad_sign_in_step={step}"), "/login/code").await;
    assert_eq!(page.status(), StatusCode::OK);
    let csrf_cookie = cookie_value(&page, "sklad_login_csrf").unwrap();
    let html = page.text().await.unwrap();
    let answer = client()
        .post(format!("{}/login/code", server.base))
        .header(
            COOKIE,
            format!("sklad_sign_in_step={step}; sklad_login_csrf={csrf_cookie}"),
        )
        .form(&[("csrf", csrf_of(&html).as_str()), ("code", code)])
        .send()
        .await
        .unwrap();
    (html, answer)
}

/// The signed-in cookie of a code step that succeeded.
fn signed_in(answer: &reqwest::Response) -> String {
    format!(
        "sklad_session={}",
        cookie_value(answer, "sklad_session").expect("a session")
    )
}

#[tokio::test]
async fn an_owner_enrols_then_signs_in_with_a_code_or_a_recovery_code_once() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let (secret, codes) = enrol(&server, &owner, OWNER.0).await;
    let page = html(&server, &owner, "/account/two-factor").await;
    assert!(page.contains("Остават 10 кода"), "{page}");

    // The password alone no longer signs in; the code does — but not the one just used
    // to enrol: a code is good once.
    let step = password_step(&server, OWNER).await;
    let (form, wrong) = code_step(&server, &step, "123456").await;
    assert!(form.contains("код за възстановяване"), "{form}");
    assert_eq!(wrong.status(), StatusCode::OK);
    assert!(wrong.text().await.unwrap().contains("Кодът не е верен"));
    let (_, replayed) = code_step(&server, &step, &code_now(&server, &secret, OWNER.0)).await;
    assert_eq!(replayed.status(), StatusCode::OK, "a spent code is refused");
    server.clock.advance(jiff::SignedDuration::from_secs(30));
    let (_, right) = code_step(&server, &step, &code_now(&server, &secret, OWNER.0)).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&right), "/");
    let cookie = signed_in(&right);
    assert_eq!(get(&server, &cookie, "/").await.status(), StatusCode::OK);
    // The step is spent.
    let spent = get(
        &server,
        &format!("sklad_sign_in_step={step}"),
        "/login/code",
    )
    .await;
    assert_eq!(location(&spent), "/login");

    // A recovery code signs in once.
    let step = password_step(&server, OWNER).await;
    let (_, first) = code_step(&server, &step, &codes[3].to_uppercase()).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER, "case is forgiven");
    let step = password_step(&server, OWNER).await;
    let (_, again) = code_step(&server, &step, &codes[3]).await;
    assert_eq!(again.status(), StatusCode::OK, "a used code is refused");

    // Wrong codes count like wrong passwords: the login locks.
    let mut locked = None;
    for _ in 0..10 {
        let (_, answer) = code_step(&server, &step, "999999").await;
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            locked = Some(answer);
            break;
        }
    }
    let locked = locked.expect("locked after repeated wrong codes");
    assert!(locked.headers().contains_key("retry-after"));

    let journal = server
        .store
        .journal(server.firm_id, Default::default())
        .await
        .unwrap();
    let seen: Vec<(&str, String)> = journal
        .items
        .iter()
        .map(|e| (e.action.as_str(), e.details["second_factor"].to_string()))
        .collect();
    for wanted in [
        ("totp_enabled", "null".to_owned()),
        ("login", "\"totp\"".to_owned()),
        ("login", "\"recovery_code\"".to_owned()),
        ("recovery_code_used", "null".to_owned()),
        ("login_failed", "true".to_owned()),
    ] {
        assert!(
            seen.iter().any(|(a, d)| *a == wanted.0 && *d == wanted.1),
            "{wanted:?} in {seen:?}"
        );
    }
}

#[tokio::test]
async fn a_firm_that_requires_it_makes_its_owners_enrol_at_sign_in() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let operator = sign_in(&server, OPERATOR).await;
    // Operators cannot set the firm's rule.
    let refused = post(&server, &operator, "/account/two-factor/firm?on=1", &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let set = post(&server, &owner, "/account/two-factor/firm?on=1", &[]).await;
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    assert!(server.store.owners_need_totp(server.firm_id).await.unwrap());

    // The operator is not an owner: the password is enough.
    sign_in(&server, OPERATOR).await;

    // The owner enrols at the next sign-in: QR code and key, then the first code.
    let step = password_step(&server, OWNER).await;
    let (form, wrong) = code_step(&server, &step, "000000").await;
    assert!(form.contains("<svg"), "{form}");
    assert!(form.contains("Фирмата изисква"), "{form}");
    assert_eq!(wrong.status(), StatusCode::OK);
    let secret = hidden(&form, "secret");
    let (_, enrolled) = code_step(&server, &step, &code_now(&server, &secret, OWNER.0)).await;
    assert_eq!(enrolled.status(), StatusCode::OK, "the recovery codes page");
    let cookie = signed_in(&enrolled);
    let codes = recovery_codes(&enrolled.text().await.unwrap());
    assert_eq!(codes.len(), 10);

    // It cannot be turned off while the firm requires it.
    let owner = User {
        csrf: csrf_of(&get(&server, &cookie, "/").await.text().await.unwrap()),
        cookie,
    };
    pages_http::switch_firm(&server, &owner, server.firm_id).await;
    let page = html(&server, &owner, "/account/two-factor").await;
    assert!(!page.contains("/account/two-factor/disable"), "{page}");
    assert!(matches!(
        server
            .store
            .disable_totp(server.store.user_by_login(OWNER.0).await.unwrap().id)
            .await,
        Err(sklad_store::StoreError::Validation(_))
    ));
    // Once the rule is off, a current code turns it off.
    post(&server, &owner, "/account/two-factor/firm?on=0", &[]).await;
    server.clock.advance(jiff::SignedDuration::from_secs(30));
    let code = code_now(&server, &secret, OWNER.0);
    let off = post(
        &server,
        &owner,
        "/account/two-factor/disable",
        &[("code", code.as_str())],
    )
    .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    sign_in(&server, OWNER).await;
}
