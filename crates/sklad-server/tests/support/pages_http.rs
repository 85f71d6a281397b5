//! The back-office pages over plain HTTP (reqwest, no browser, no redirects followed):
//! signing in, the session cookie and CSRF token, GET and POST as a signed-in user.

#![allow(dead_code)]

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use sklad_domain::Id;

use crate::browser_support::{Server, OWNER};

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("csrf field") + marker.len();
    let end = html[start..].find('"').expect("end of value");
    html[start..start + end].to_owned()
}

pub fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
}

/// A signed-in user: the cookie header and the session's CSRF token.
pub struct User {
    pub cookie: String,
    pub csrf: String,
}

/// Posts the login form (with its page's token and cookie); the answer as it comes.
pub async fn post_login(server: &Server, (login, password): (&str, &str)) -> reqwest::Response {
    let page = client()
        .get(format!("{}/login", server.base))
        .send()
        .await
        .expect("login page");
    let login_cookie = cookie_value(&page, "sklad_login_csrf").expect("login cookie");
    let token = csrf_of(&page.text().await.expect("html"));
    client()
        .post(format!("{}/login", server.base))
        .header(COOKIE, format!("sklad_login_csrf={login_cookie}"))
        .form(&[
            ("csrf", token.as_str()),
            ("login", login),
            ("password", password),
        ])
        .send()
        .await
        .expect("login")
}

/// Logs in over HTTP; an owner is moved to the demo firm.
pub async fn sign_in(server: &Server, (login, password): (&str, &str)) -> User {
    let response = post_login(server, (login, password)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login succeeds");
    let session = cookie_value(&response, "sklad_session").expect("session");
    let cookie = format!("sklad_session={session}");
    let home = get(server, &cookie, "/").await.text().await.expect("html");
    let user = User {
        cookie,
        csrf: csrf_of(&home),
    };
    if login == OWNER.0 {
        switch_firm(server, &user, server.firm_id).await;
    }
    user
}

pub async fn switch_firm(server: &Server, user: &User, firm: Id) {
    let firm = firm.to_string();
    let switched = post(server, user, "/switch-firm", &[("firm_id", firm.as_str())]).await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
}

pub async fn get(server: &Server, cookie: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", server.base))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("get")
}

pub async fn html(server: &Server, user: &User, path: &str) -> String {
    let response = get(server, &user.cookie, path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("html")
}

/// Posts `form` with the user's CSRF token.
pub async fn post(
    server: &Server,
    user: &User,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields: Vec<(&str, &str)> = vec![("csrf", user.csrf.as_str())];
    fields.extend_from_slice(form);
    post_raw(server, &user.cookie, path, &fields).await
}

/// Posts exactly `form` (no token added).
pub async fn post_raw(
    server: &Server,
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

pub fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION]
        .to_str()
        .expect("ascii")
        .to_owned()
}
