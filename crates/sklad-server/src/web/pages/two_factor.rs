//! Two-factor sign-in (issue 11): after a correct password, the code from the
//! authenticator app (or a one-time recovery code) on `/login/code` — or, when a firm
//! requires it of its owners and the user has none yet, the enrolment there (QR code,
//! the secret in text, a first code, then the recovery codes shown once). Signed in,
//! „Двуфакторно влизане“ (`/account/two-factor`) turns it on or off, and an owner sets
//! whether the firm requires it of its owners. Wrong codes count in the sign-in throttle
//! like wrong passwords; everything is in the firms' journals.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sklad_domain::model::User;

use super::login::{journal_sign_in, sign_in_form, start_session, throttled};
use crate::login_guard::ClientAddr;
use crate::totp;
use crate::web::crud::Saved;
use crate::web::error::{render, WebError};
use crate::web::i18n::{Lang, Tr};
use crate::web::layout::Page;
use crate::web::session::{
    cookie, is_https, push_cookie, random_token, request_lang, set_cookie, Ctx, Posted,
    LOGIN_CSRF_COOKIE,
};
use crate::AppState;

/// The cookie holding the sign-in step between the password and the second factor.
const STEP_COOKIE: &str = "sklad_sign_in_step";
/// How long that step lasts.
const STEP_MINUTES: i64 = 5;

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorTemplate {
    page: Page,
    error: Option<String>,
    status: Option<String>,
    /// Recovery codes to show once (then only „Продължи“ to `next`).
    codes: Vec<String>,
    next: String,
    /// An enrolment: the secret as sent back, and as shown (in groups).
    enrol: Option<(String, String)>,
    qr: String,
    action: &'static str,
    code_label: &'static str,
    submit_label: &'static str,
    /// Buttons posting elsewhere: (label, action, element id).
    extra_forms: Vec<(String, String, &'static str)>,
}

impl SecondFactorTemplate {
    fn new(page: Page) -> Self {
        Self {
            page,
            error: None,
            status: None,
            codes: Vec::new(),
            next: "/".into(),
            enrol: None,
            qr: String::new(),
            action: "",
            code_label: "totp-code",
            submit_label: "totp-verify",
            extra_forms: Vec::new(),
        }
    }

    /// Shows `secret` to enrol (QR code and text) for `login`.
    fn enrolling(mut self, secret: &str, login: &str) -> Self {
        self.qr = totp::qr_svg(secret, login);
        self.enrol = Some((secret.to_owned(), totp::grouped(secret)));
        self.submit_label = "totp-enable";
        self
    }
}

// ---------------------------------------------------------------------------------
// Signing in.

/// After a correct password: when the user has a second factor, or a firm requires one
/// they do not have yet, starts the step and sends the browser to `/login/code`.
pub(super) async fn after_password(
    state: &AppState,
    user: &User,
    https: bool,
    lang: Lang,
) -> Result<Option<Response>, WebError> {
    let store = &state.store;
    let factor = store
        .second_factor(user.id)
        .await
        .map_err(|e| WebError::store(lang, e))?;
    let enrol = match (&factor.secret, factor.required) {
        (Some(_), _) => None,
        (None, true) => Some(totp::new_secret()),
        (None, false) => return Ok(None),
    };
    let expires = state.clock.now() + jiff::SignedDuration::from_mins(STEP_MINUTES);
    let step = store
        .start_sign_in_step(user.id, enrol.as_deref(), expires)
        .await
        .map_err(|e| WebError::store(lang, e))?;
    let mut headers = HeaderMap::new();
    push_cookie(
        &mut headers,
        set_cookie(STEP_COOKIE, &step, STEP_MINUTES * 60, https),
    );
    Ok(Some((headers, Redirect::to("/login/code")).into_response()))
}

/// The step of this browser and its user, if one is under way.
async fn current_step(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, sklad_store::SignInStep, User)>, WebError> {
    let lang = request_lang(headers);
    let Some(id) = cookie(headers, STEP_COOKIE) else {
        return Ok(None);
    };
    let store = &state.store;
    let Some(step) = store
        .sign_in_step(&id, state.clock.now())
        .await
        .map_err(|e| WebError::store(lang, e))?
    else {
        return Ok(None);
    };
    let user = store
        .user(step.user_id)
        .await
        .map_err(|e| WebError::store(lang, e))?;
    Ok(Some((id, step, user)))
}

/// The code page of a step, with a fresh form token (the sign-in's own, as on `/login`).
fn code_page(
    lang: Lang,
    https: bool,
    step: &sklad_store::SignInStep,
    user: &User,
    error: Option<String>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang);
    let csrf = random_token();
    let page = Page::new(tr, tr.t("totp-title"), "/login/code", None, &csrf);
    let mut screen = SecondFactorTemplate::new(page);
    screen.action = "/login/code";
    screen.error = error;
    screen = match &step.enrol_secret {
        Some(secret) => {
            screen.status = Some(tr.t("totp-required"));
            screen.enrolling(secret, &user.login)
        }
        None => {
            screen.code_label = "totp-code-or-recovery";
            screen
        }
    };
    let mut headers = HeaderMap::new();
    push_cookie(
        &mut headers,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, https),
    );
    Ok((headers, render(&screen, lang)?).into_response())
}

/// `GET /login/code`: the second factor's form (back to `/login` without a step).
pub async fn show_code(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let Some((_, step, user)) = current_step(&state, &headers).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    code_page(
        request_lang(&headers),
        is_https(&headers),
        &step,
        &user,
        None,
    )
}

/// `POST /login/code`: the code from the app (or a recovery code) signs the user in; an
/// enrolment's first code turns the second factor on and shows the recovery codes once.
pub async fn submit_code(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = sign_in_form(&headers, pairs)?;
    let lang = request_lang(&headers);
    let https = is_https(&headers);
    let Some((step_id, step, user)) = current_step(&state, &headers).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let tr = Tr::new(lang);
    if let Some(wait) = state.login_guard.wait(&user.login, address) {
        return throttled(lang, wait, |message| {
            code_page(lang, https, &step, &user, Some(message))
        });
    }
    let store = &state.store;
    let now = state.clock.now();
    let code = form.get("code");
    let fail = |e| WebError::store(lang, e);
    let enrolled = store.second_factor(user.id).await.map_err(fail)?.secret;
    let passed = match (&step.enrol_secret, enrolled) {
        (Some(secret), _) => match totp::matching_step(secret, &user.login, code, now) {
            Some(at) => {
                let codes = store.enable_totp(user.id, secret, at).await.map_err(fail)?;
                Some(("totp_enrolled", codes))
            }
            None => None,
        },
        (None, Some(secret)) => {
            let fresh = match totp::matching_step(&secret, &user.login, code, now) {
                Some(at) => store.accept_totp_step(user.id, at).await.map_err(fail)?,
                None => false,
            };
            if fresh {
                Some(("totp", Vec::new()))
            } else if store.use_recovery_code(user.id, code).await.map_err(fail)? {
                Some(("recovery_code", Vec::new()))
            } else {
                None
            }
        }
        (None, None) => None,
    };
    let Some((used, codes)) = passed else {
        let lock = state.login_guard.failed(&user.login, address);
        let details = serde_json::json!({
            "login": user.login, "address": address.to_string(), "second_factor": true,
            "locked": lock.is_some(),
        });
        journal_sign_in(store, &user, "login_failed", details).await;
        return code_page(lang, https, &step, &user, Some(tr.t("totp-wrong")));
    };
    store.end_sign_in_step(&step_id).await.map_err(fail)?;
    let Some(mut cookies) = start_session(&state, &headers, address, &user, Some(used)).await?
    else {
        return Ok(Redirect::to("/login").into_response());
    };
    push_cookie(&mut cookies, set_cookie(STEP_COOKIE, "", 0, https));
    if codes.is_empty() {
        return Ok((cookies, Redirect::to("/")).into_response());
    }
    let lang = Lang::from_code(&user.language);
    let tr = Tr::new(lang);
    let page = Page::new(tr, tr.t("totp-codes-title"), "/login/code", None, "");
    let mut screen = SecondFactorTemplate::new(page);
    screen.codes = codes;
    Ok((cookies, render(&screen, lang)?).into_response())
}

// ---------------------------------------------------------------------------------
// „Двуфакторно влизане“ in the account.

/// The account page: on (codes left, off with a code) or off (enrol); owners also set
/// whether the firm requires it.
async fn account_page(
    state: &AppState,
    ctx: &Ctx,
    error: Option<String>,
    secret: Option<&str>,
    notice: bool,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let store = &state.store;
    let factor = store
        .second_factor(ctx.user.id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut page = ctx.page("totp-title");
    page.notice = notice.then(|| tr.t("saved"));
    let mut screen = SecondFactorTemplate::new(page);
    screen.error = error;
    if factor.secret.is_some() {
        let left = store
            .recovery_codes_left(ctx.user.id)
            .await
            .map_err(|e| ctx.fail(e))?;
        screen.status = Some(tr.tn("totp-on", &[("codes", left)]));
        if factor.required {
            screen.status = Some(format!(
                "{} {}",
                tr.tn("totp-on", &[("codes", left)]),
                tr.t("totp-required-here")
            ));
        } else {
            screen.action = "/account/two-factor/disable";
            screen.submit_label = "totp-disable";
        }
    } else {
        let secret = secret.map_or_else(totp::new_secret, str::to_owned);
        screen.status = Some(tr.t("totp-off"));
        screen.action = "/account/two-factor/enable";
        screen = screen.enrolling(&secret, &ctx.user.login);
    }
    if ctx.is_owner() {
        let on = store
            .owners_need_totp(ctx.firm_id())
            .await
            .map_err(|e| ctx.fail(e))?;
        let (label, value) = if on {
            ("totp-firm-off", 0)
        } else {
            ("totp-firm-on", 1)
        };
        screen.extra_forms.push((
            tr.t(label),
            format!("/account/two-factor/firm?on={value}"),
            "firm_two_factor_rule",
        ));
    }
    render(&screen, ctx.lang())
}

/// `GET /account/two-factor`.
pub async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<Saved>,
) -> Result<Html<String>, WebError> {
    account_page(&state, &ctx, None, None, saved.is_saved()).await
}

/// `POST /account/two-factor/enable`: the first code from the app confirms the secret
/// shown; the recovery codes are shown once.
pub async fn enable(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let secret = form.get("secret").trim();
    let now = state.clock.now();
    let Some(at) = totp::matching_step(secret, &ctx.user.login, form.get("code"), now) else {
        let error = Some(ctx.tr.t("totp-wrong"));
        return Ok(account_page(&state, &ctx, error, Some(secret), false)
            .await?
            .into_response());
    };
    let codes = state
        .store
        .enable_totp(ctx.user.id, secret, at)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut screen = SecondFactorTemplate::new(ctx.page("totp-codes-title"));
    screen.codes = codes;
    screen.next = "/account/two-factor".into();
    Ok(render(&screen, ctx.lang())?.into_response())
}

/// `POST /account/two-factor/disable`: a current code turns it off (refused while a
/// firm of the user's requires it).
pub async fn disable(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, form } = posted;
    let store = &state.store;
    let factor = store
        .second_factor(ctx.user.id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let step = factor.secret.as_deref().and_then(|secret| {
        totp::matching_step(secret, &ctx.user.login, form.get("code"), state.clock.now())
    });
    let good = match step {
        Some(at) => store
            .accept_totp_step(ctx.user.id, at)
            .await
            .map_err(|e| ctx.fail(e))?,
        None => false,
    };
    if !good {
        let error = Some(ctx.tr.t("totp-wrong"));
        return Ok(account_page(&state, &ctx, error, None, false)
            .await?
            .into_response());
    }
    match store.disable_totp(ctx.user.id).await {
        Ok(()) => Ok(Redirect::to("/account/two-factor?saved=1").into_response()),
        Err(sklad_store::StoreError::Validation(errors)) => {
            let error = errors.errors.first().map(|e| match ctx.lang() {
                Lang::Bg => e.message_bg.clone(),
                Lang::En => e.message_en.clone(),
            });
            Ok(account_page(&state, &ctx, error, None, false)
                .await?
                .into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// Query of `POST /account/two-factor/firm`.
#[derive(Debug, Deserialize)]
pub struct FirmRule {
    on: Option<u8>,
}

/// `POST /account/two-factor/firm?on=1|0` (owners): whether the firm's owners must
/// sign in with a second factor.
pub async fn firm_rule(
    State(state): State<AppState>,
    Query(rule): Query<FirmRule>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    ctx.require_owner()?;
    state
        .store
        .set_owners_need_totp(ctx.firm_id(), rule.on == Some(1), &ctx.user.login)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to("/account/two-factor?saved=1").into_response())
}
