//! `/login`, `/logout`, the firm switcher and the language switch.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::login_guard::ClientAddr;
use crate::web::error::{render, WebError};
use crate::web::form::FormData;
use crate::web::i18n::{Lang, Tr};
use crate::web::layout::Page;
use crate::web::session::{
    cookie, is_https, push_cookie, random_token, request_lang, same_secret, set_cookie, Ctx,
    Posted, FIRM_COOKIE, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_HOURS,
};
use crate::AppState;
use sklad_store::PasswordCheck;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    page: Page,
    login: String,
    error: Option<String>,
    other_lang: Lang,
}

/// Query of `GET /login`.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    lang: Option<String>,
    bye: Option<String>,
}

fn login_page(
    lang: Lang,
    csrf: &str,
    https: bool,
    login: &str,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang);
    let mut page = Page::new(tr, tr.t("login-title"), "/login", None, csrf);
    page.notice = notice;
    let template = LoginTemplate {
        page,
        login: login.to_owned(),
        error,
        other_lang: if lang == Lang::Bg { Lang::En } else { Lang::Bg },
    };
    let mut headers = HeaderMap::new();
    push_cookie(
        &mut headers,
        set_cookie(LOGIN_CSRF_COOKIE, csrf, 3600, https),
    );
    push_cookie(
        &mut headers,
        set_cookie(LANG_COOKIE, lang.code(), 365 * 86400, https),
    );
    Ok((headers, render(&template, lang)?).into_response())
}

/// `GET /login`: the form (or the start page when already signed in).
pub async fn show(
    ctx: Option<Ctx>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Result<Response, WebError> {
    if ctx.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let lang = match query.lang {
        Some(code) => Lang::from_code(&code),
        None => request_lang(&headers),
    };
    let notice = query.bye.map(|_| Tr::new(lang).t("logged-out"));
    login_page(lang, &random_token(), is_https(&headers), "", None, notice)
}

/// `POST /login`: checks the password, starts a session in the user's first firm. A
/// login or address locked by repeated failures gets 429 with `Retry-After` before any
/// password is checked; an unknown login and a wrong password get the same words after
/// the same work. Every attempt of an existing login is in its firms' journals.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = sign_in_form(&headers, pairs)?;
    let lang = request_lang(&headers);
    let https = is_https(&headers);
    let tr = Tr::new(lang);
    let login = form.get("login").trim().to_owned();
    let failed = || {
        login_page(
            lang,
            &random_token(),
            https,
            &login,
            Some(tr.t("login-failed")),
            None,
        )
    };
    if let Some(wait) = state.login_guard.wait(&login, address) {
        return throttled(lang, wait, |message| {
            login_page(lang, &random_token(), https, &login, Some(message), None)
        });
    }
    let store = &state.store;
    let user = match store
        .check_password(&login, form.get("password"))
        .await
        .map_err(|e| WebError::store(lang, e))?
    {
        PasswordCheck::Accepted(user) => user,
        PasswordCheck::Refused { user } => {
            let lock = state.login_guard.failed(&login, address);
            tracing::warn!(%address, locked = lock.is_some(), "sign-in refused");
            if let Some(user) = user {
                let mut details =
                    serde_json::json!({ "login": user.login, "address": address.to_string() });
                journal_sign_in(store, &user, "login_failed", details.clone()).await;
                if let Some(lock) = lock {
                    details["locked_until"] = serde_json::json!(lock.until.to_string());
                    details["locked"] =
                        serde_json::json!(if lock.login { "login" } else { "address" });
                    journal_sign_in(store, &user, "login_locked", details).await;
                }
            }
            return failed();
        }
    };
    if let Some(step) = super::two_factor::after_password(&state, &user, https, lang).await? {
        return Ok(step);
    }
    match start_session(&state, &headers, address, &user, None).await? {
        Some(cookies) => Ok((cookies, Redirect::to("/")).into_response()),
        None => failed(),
    }
}

/// Signs `user` in once every factor is checked: the throttle cleared, the sign-in in
/// the journal (with the second factor used, if any), a session in the firm last
/// worked in on this browser (else the user's first). Returns the cookies to set, or
/// `None` when the user belongs to no firm.
pub(super) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    address: std::net::IpAddr,
    user: &sklad_domain::model::User,
    second_factor: Option<&str>,
) -> Result<Option<HeaderMap>, WebError> {
    let lang = request_lang(headers);
    let https = is_https(headers);
    let store = &state.store;
    let memberships = store
        .memberships(user.id)
        .await
        .map_err(|e| WebError::store(lang, e))?;
    let last = cookie(headers, FIRM_COOKIE).and_then(|c| c.parse::<i64>().ok());
    let Some(first) = memberships
        .iter()
        .find(|m| Some(m.firm_id) == last)
        .or(memberships.first())
    else {
        return Ok(None);
    };
    state.login_guard.succeeded(&user.login, address);
    let mut details = serde_json::json!({ "login": user.login, "address": address.to_string() });
    if let Some(factor) = second_factor {
        details["second_factor"] = serde_json::json!(factor);
    }
    journal_sign_in(store, user, "login", details).await;
    let expires = state.clock.now() + jiff::SignedDuration::from_hours(SESSION_HOURS);
    let new = store
        .create_session(user.id, first.firm_id, expires)
        .await
        .map_err(|e| WebError::store(lang, e))?;
    let mut cookies = HeaderMap::new();
    push_cookie(
        &mut cookies,
        set_cookie(SESSION_COOKIE, &new.id, SESSION_HOURS * 3600, https),
    );
    push_cookie(&mut cookies, set_cookie(LOGIN_CSRF_COOKIE, "", 0, https));
    // The user's stored language wins over what the login page was shown in.
    push_cookie(
        &mut cookies,
        set_cookie(
            LANG_COOKIE,
            Lang::from_code(&user.language).code(),
            365 * 86400,
            https,
        ),
    );
    Ok(Some(cookies))
}

/// The body of a sign-in form (`/login`, `/login/code`), its token checked against the
/// sign-in cookie (there is no session yet).
pub(super) fn sign_in_form(
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
) -> Result<FormData, WebError> {
    let form = FormData::new(pairs);
    let expected = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(form.get("csrf"), &expected) {
        return Err(WebError::Csrf(request_lang(headers).into()));
    }
    Ok(form)
}

/// A sign-in page refused because of repeated failures: 429 with `Retry-After` and the
/// message of how long to wait, shown by `page`.
pub(super) fn throttled(
    lang: Lang,
    wait: jiff::SignedDuration,
    page: impl FnOnce(String) -> Result<Response, WebError>,
) -> Result<Response, WebError> {
    let seconds = wait.as_secs().max(1) + i64::from(wait.subsec_nanos() > 0);
    let message = Tr::new(lang).tn("login-throttled", &[("seconds", seconds)]);
    let mut response = page(message)?;
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    Ok(response)
}

/// Writes a sign-in event to the journal of every firm of `user` (a journal that cannot
/// be written is logged, not shown: the answer to the attempt must not change).
pub(super) async fn journal_sign_in(
    store: &sklad_store::Store,
    user: &sklad_domain::model::User,
    action: &str,
    details: serde_json::Value,
) {
    let firms = match store.memberships(user.id).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(code = e.code(), "journaling a sign-in failed");
            return;
        }
    };
    for m in firms {
        if let Err(e) = store
            .append_journal(m.firm_id, &user.login, action, details.clone())
            .await
        {
            tracing::warn!(code = e.code(), "journaling a sign-in failed");
        }
    }
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    state
        .store
        .delete_session(&ctx.session_id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut headers = HeaderMap::new();
    push_cookie(&mut headers, set_cookie(SESSION_COOKIE, "", 0, ctx.https));
    Ok((headers, Redirect::to("/login?bye=1")).into_response())
}

/// `POST /switch-firm`: moves the session to another firm of the user.
pub async fn switch_firm(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let firm_id: i64 = posted
        .form
        .get("firm_id")
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest(ctx.shell()))?;
    state
        .store
        .switch_session_firm(&ctx.session_id, firm_id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut headers = HeaderMap::new();
    push_cookie(
        &mut headers,
        set_cookie(FIRM_COOKIE, &firm_id.to_string(), 365 * 86400, ctx.https),
    );
    Ok((headers, Redirect::to("/")).into_response())
}

/// `back` when it is a path of this site, else `/` (no redirect to another site).
fn local_path(back: &str) -> String {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.chars().any(|c| c.is_control());
    if local {
        back.to_owned()
    } else {
        "/".to_owned()
    }
}

/// `POST /language`: stores the user's language (it follows them to every session
/// and device) and returns to the page.
pub async fn language(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let lang = Lang::from_code(posted.form.get("lang"));
    state
        .store
        .set_user_language(ctx.user.id, lang.code())
        .await
        .map_err(|e| ctx.fail(e))?;
    let back = local_path(posted.form.get("back"));
    let mut headers = HeaderMap::new();
    push_cookie(
        &mut headers,
        set_cookie(LANG_COOKIE, lang.code(), 365 * 86400, ctx.https),
    );
    Ok((headers, Redirect::to(&back)).into_response())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn the_language_switch_returns_only_to_our_own_pages() {
        assert_eq!(local_path("/goods?page=2"), "/goods?page=2");
        for outside in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "goods",
            "/\r\nx",
        ] {
            assert_eq!(local_path(outside), "/", "{outside:?}");
        }
    }
}
