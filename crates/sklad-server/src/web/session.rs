//! Signing in: the session cookie, the signed-in context every page handler gets
//! ([`Ctx`]), and the CSRF check of every form post ([`Posted`]).

use crate::login_guard::ClientAddr;
use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use sklad_domain::model::{Firm, Membership, Role, User};
use sklad_domain::Id;
use sklad_store::Session;

use super::error::{Shell, WebError};
use super::form::FormData;
use super::i18n::{Lang, Tr};
use super::layout::{Page, UserBar};
use crate::AppState;

/// The session cookie: an opaque random id, stored only hashed by the store.
pub const SESSION_COOKIE: &str = "sklad_session";
/// The language of the pages before signing in (the signed-in user's language is
/// stored on the user).
pub const LANG_COOKIE: &str = "sklad_lang";
/// The login form's CSRF token (double submit: cookie and hidden field).
pub const LOGIN_CSRF_COOKIE: &str = "sklad_login_csrf";
/// The firm last worked in on this browser, to sign in there again.
pub const FIRM_COOKIE: &str = "sklad_firm";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// The value of cookie `name` in the request, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

/// Whether the request came over https (directly or through a proxy that says so),
/// so cookies get `Secure`.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` header value: HttpOnly, SameSite=Lax, Path=/, Secure behind https.
/// `max_age` 0 deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Adds a `Set-Cookie` to a header map.
pub fn push_cookie(headers: &mut HeaderMap, value: HeaderValue) {
    headers.append(SET_COOKIE, value);
}

/// The language of a request without a session: the `sklad_lang` cookie, else Bulgarian.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .map(|c| Lang::from_code(&c))
        .unwrap_or_default()
}

/// A random token: 32 bytes as hex.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in user, their firm and language: what every page handler starts from.
pub struct Ctx {
    /// The cookie's session id (to switch firm or log out).
    pub session_id: String,
    /// The resolved session (firm, role, CSRF token).
    pub session: Session,
    /// The user.
    pub user: User,
    /// The firm the session works in.
    pub firm: Firm,
    /// All firms of the user.
    pub memberships: Vec<Membership>,
    /// Translator of the user's language.
    pub tr: Tr,
    /// The request's path, for the menu.
    pub path: String,
    /// Whether cookies must be `Secure`.
    pub https: bool,
    /// What of the firm's shops waits for the merchant (the header's badge).
    pub attention: i64,
    /// The firm's alerts not yet seen (owners; the header's other badge).
    pub alerts: i64,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("session_id", &"<redacted>")
            .field("session", &self.session)
            .field("user", &self.user.login)
            .field("firm", &self.firm.id)
            .finish_non_exhaustive()
    }
}

impl Ctx {
    /// The firm every store call of this request is scoped to.
    pub fn firm_id(&self) -> Id {
        self.session.firm_id
    }

    /// The user's language.
    pub fn lang(&self) -> Lang {
        self.tr.lang()
    }

    /// Whether the user owns the current firm.
    pub fn is_owner(&self) -> bool {
        self.session.role == Role::Owner
    }

    /// Refuses (403) a user who is not the firm's owner.
    pub fn require_owner(&self) -> Result<(), WebError> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(WebError::Forbidden(self.shell()))
        }
    }

    /// The layout of a page titled by message `title_key`.
    pub fn page(&self, title_key: &str) -> Page {
        let bar = UserBar {
            display_name: self.user.display_name.clone(),
            firm_id: self.firm.id,
            firm_name: self.firm.name.clone(),
            firms: self
                .memberships
                .iter()
                .map(|m| (m.firm_id, m.firm_name.clone()))
                .collect(),
            is_owner: self.is_owner(),
            attention: self.attention,
            alerts: self.alerts,
        };
        Page::new(
            self.tr,
            self.tr.t(title_key),
            &self.path,
            Some(bar),
            &self.session.csrf_token,
        )
    }

    /// The signed-in layout an error page is drawn in.
    pub fn shell(&self) -> Shell {
        Shell::User(Box::new(self.page("error-title")))
    }

    /// A store failure as the error page in the user's language.
    pub fn fail(&self, error: sklad_store::StoreError) -> WebError {
        WebError::store(self.shell(), error)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let lang = request_lang(&parts.headers);
        let session_id = cookie(&parts.headers, SESSION_COOKIE).ok_or(WebError::Login)?;
        let Ok(ClientAddr(from)) = ClientAddr::from_request_parts(parts, state).await;
        let store = &state.store;
        let session = store
            .resolve_session(&session_id, state.clock.now(), Some(&from.to_string()))
            .await
            .map_err(|e| WebError::store(lang, e))?
            .ok_or(WebError::Login)?;
        let user = store
            .user(session.user_id)
            .await
            .map_err(|e| WebError::store(lang, e))?;
        let firm = store
            .firm(session.firm_id)
            .await
            .map_err(|e| WebError::store(lang, e))?;
        let memberships = store
            .memberships(user.id)
            .await
            .map_err(|e| WebError::store(lang, e))?;
        // The header's badge: a failure to count must not cost the user the page.
        let attention = match store.shop_attention_count(session.firm_id).await {
            Ok(n) => n,
            Err(error) => {
                tracing::warn!(code = error.code(), %error, "the attention count failed");
                0
            }
        };
        let alerts = if session.role == Role::Owner {
            match store.unseen_alerts(session.firm_id).await {
                Ok(n) => n,
                Err(error) => {
                    tracing::warn!(code = error.code(), %error, "the alert count failed");
                    0
                }
            }
        } else {
            0
        };
        let lang = Lang::from_code(&user.language);
        Ok(Ctx {
            session_id,
            session,
            user,
            firm,
            memberships,
            tr: Tr::new(lang),
            path: parts.uri.path().to_owned(),
            https: is_https(&parts.headers),
            attention,
            alerts,
        })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    /// `None` when nobody is signed in; other failures stay errors.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, WebError> {
        match <Ctx as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(ctx) => Ok(Some(ctx)),
            Err(WebError::Login) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// A record id from the path; anything that is not an id is "not found" (the error
/// page, not a plain-text rejection).
pub struct PathId(pub Id);

impl FromRequestParts<AppState> for PathId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        match axum::extract::Path::<Id>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(PathId(id)),
            // Drawn in the user's layout (or the login page for nobody).
            Err(_) => {
                let ctx = Ctx::from_request_parts(parts, state).await?;
                Err(WebError::NotFound(ctx.shell()))
            }
        }
    }
}

/// A form post of a signed-in user whose CSRF token matched the session's.
pub struct Posted {
    /// Who posted.
    pub ctx: Ctx,
    /// What they posted (the `csrf` field included).
    pub form: FormData,
}

impl FromRequest<AppState> for Posted {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|_| WebError::BadRequest(ctx.shell()))?;
        let form = FormData::new(pairs);
        if !same_secret(form.get("csrf"), &ctx.session.csrf_token) {
            return Err(WebError::Csrf(ctx.shell()));
        }
        Ok(Posted { ctx, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies_and_builds_safe_ones() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; sklad_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        let value = set_cookie(SESSION_COOKIE, "abc", 60, true);
        let text = value.to_str().expect("ascii");
        for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age=60"] {
            assert!(text.contains(part), "{text}");
        }
        assert!(!set_cookie("x", "y", 0, false)
            .to_str()
            .expect("ascii")
            .contains("Secure"));
    }

    #[test]
    fn compares_secrets_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", ""));
        assert_eq!(random_token().len(), 64);
    }
}
