//! `/firm`: the caller's own firm. `/users` and `/tokens`: its members and their API
//! tokens (owner only).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Value};
use sklad_domain::model::{Firm, FirmInput, Role, UserInput};
use sklad_domain::{FieldError, Id};
use sklad_store::ApiToken;

use super::auth::{Caller, Owner};
use super::extract::{ApiJson, PathId};
use super::openapi::schema::{input, nullable, object, one_of, text};
use super::routes::{ApiBuilder, Body, Endpoint, Method};
use crate::error::ApiResult;
use crate::AppState;

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `PATCH /firm`: only the fields given change. The currency changes only through
/// `/euro-changeover`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FirmPatch {
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    eik: Option<Option<String>>,
    vat_registered: Option<bool>,
    seats: Option<i64>,
    allow_negative_stock: Option<bool>,
}

async fn get_firm(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Firm>> {
    Ok(Json(state.store.firm(caller.firm_id).await?))
}

async fn patch_firm(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(patch): ApiJson<FirmPatch>,
) -> ApiResult<Json<Firm>> {
    let current = state.store.firm(caller.firm_id).await?;
    let input = FirmInput {
        name: patch.name.unwrap_or(current.name),
        eik: patch.eik.unwrap_or(current.eik),
        currency: current.currency,
        vat_registered: patch.vat_registered.unwrap_or(current.vat_registered),
        seats: patch.seats.unwrap_or(current.seats),
        allow_negative_stock: patch
            .allow_negative_stock
            .unwrap_or(current.allow_negative_stock),
    };
    let input = input.validate()?;
    Ok(Json(state.store.update_firm(caller.firm_id, &input).await?))
}

/// A member of the firm as the API shows it.
#[derive(Debug, Serialize)]
struct MemberView {
    id: Id,
    login: String,
    display_name: String,
    language: String,
    role: Role,
}

async fn list_users(
    State(state): State<AppState>,
    Owner(caller): Owner,
) -> ApiResult<Json<Vec<MemberView>>> {
    let members = state.store.members(caller.firm_id).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| MemberView {
                id: m.user.id,
                login: m.user.login,
                display_name: m.user.display_name,
                language: m.user.language,
                role: m.role,
            })
            .collect(),
    ))
}

/// `POST /users`: a new user who becomes a member of the caller's firm.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    login: String,
    display_name: Option<String>,
    #[serde(default = "default_language")]
    language: String,
    role: Role,
    /// Generated (and returned once) when absent.
    password: Option<String>,
}

fn default_language() -> String {
    "bg".into()
}

/// The created member; `password` only when it was generated.
#[derive(Debug, Serialize)]
struct CreatedUser {
    #[serde(flatten)]
    member: MemberView,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

/// A random password of 16 letters and digits, for users created without one.
pub fn generate_password() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 16)
}

async fn create_user(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let generated = body.password.is_none().then(generate_password);
    let input = UserInput {
        display_name: body.display_name.unwrap_or_else(|| body.login.clone()),
        login: body.login,
        password: body
            .password
            .or_else(|| generated.clone())
            .unwrap_or_default(),
        language: body.language,
    };
    // One transaction: a full firm (`seats_exceeded`) gets no orphan user.
    let user = state
        .store
        .create_member(caller.firm_id, &input, body.role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            member: MemberView {
                id: user.id,
                login: user.login,
                display_name: user.display_name,
                language: user.language,
                role: body.role,
            },
            password: generated,
        }),
    ))
}

async fn remove_user(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(user_id): PathId,
) -> ApiResult<StatusCode> {
    if user_id == caller.user_id {
        return Err(FieldError::new(
            "id",
            "user_self",
            "Не можете да премахнете себе си от фирмата.",
            "You cannot remove yourself from the firm.",
        )
        .into());
    }
    state.store.remove_member(caller.firm_id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_tokens(
    State(state): State<AppState>,
    Owner(caller): Owner,
) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(state.store.api_tokens(caller.firm_id).await?))
}

/// `PUT /me/password`: the caller's own password change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// What a password change or an owner's „end sessions“ did.
#[derive(Serialize)]
struct SessionsEnded {
    sessions_ended: u64,
}

/// The caller changes their own password; every web session of theirs ends (an API
/// token is not a session and keeps working).
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<Json<SessionsEnded>> {
    let sessions_ended = state
        .store
        .change_password(
            caller.user_id,
            &body.current_password,
            &body.new_password,
            None,
        )
        .await?;
    Ok(Json(SessionsEnded { sessions_ended }))
}

/// The owner ends every session a member has in the firm.
async fn end_member_sessions(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(user_id): PathId,
) -> ApiResult<Json<SessionsEnded>> {
    let actor = state.store.user(caller.user_id).await?.login;
    let sessions_ended = state
        .store
        .end_member_sessions(caller.firm_id, user_id, &actor)
        .await?;
    Ok(Json(SessionsEnded { sessions_ended }))
}

/// `POST /tokens`: a token for a member (the caller when `login` is absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    login: Option<String>,
    #[serde(default = "default_token_name")]
    name: String,
}

fn default_token_name() -> String {
    "API".into()
}

/// A created token: the secret is in this answer only.
#[derive(Serialize)]
struct CreatedToken {
    #[serde(flatten)]
    token: ApiToken,
    /// `skl_…`: send as `Authorization: Bearer …`.
    plaintext: String,
}

async fn create_token(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let user_id = match body.login.as_deref().map(str::trim) {
        None | Some("") => caller.user_id,
        Some(login) => {
            let login = login.to_lowercase();
            let members = state.store.members(caller.firm_id).await?;
            members
                .iter()
                .find(|m| m.user.login == login)
                .map(|m| m.user.id)
                .ok_or_else(|| {
                    FieldError::new(
                        "login",
                        "member_unknown",
                        "Няма такъв потребител във фирмата.",
                        "The firm has no user with this login.",
                    )
                })?
        }
    };
    let created = state
        .store
        .create_api_token(user_id, caller.firm_id, &body.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: created.token,
            plaintext: created.plaintext,
        }),
    ))
}

async fn revoke_token(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathId(token_id): PathId,
) -> ApiResult<StatusCode> {
    state
        .store
        .revoke_api_token(caller.firm_id, token_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds `/firm`, `/users` and `/tokens`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(Get, "/firm", "getFirm", "firm", "The caller's firm.").response(200, Body::Json("Firm")),
        get_firm,
    )
    .add(
        e(
            Patch,
            "/firm",
            "patchFirm",
            "firm",
            "Changes the firm's name, ЕИК, VAT flag, seats or negative-stock setting.",
        )
        .owner()
        .request(Body::Json("FirmPatch"))
        .response(200, Body::Json("Firm")),
        patch_firm,
    )
    .add(
        e(Get, "/users", "listUsers", "users", "The firm's members.")
            .owner()
            .response(200, Body::JsonList("Member")),
        list_users,
    )
    .add(
        e(
            Post,
            "/users",
            "createUser",
            "users",
            "Creates a user as a member of the firm (within the subscription's seats).",
        )
        .owner()
        .request(Body::Json("NewUser"))
        .response(201, Body::Json("CreatedUser")),
        create_user,
    )
    .add(
        e(Delete, "/users/{id}", "removeUser", "users", "Removes a member from the firm (their tokens and sessions end); not yourself.")
            .owner()
            .response(204, Body::Empty),
        remove_user,
    )
    .add(
        e(
            Post,
            "/users/{id}/sessions/end",
            "endMemberSessions",
            "users",
            "Ends every web session the member has in the firm (in the firm journal).",
        )
        .owner()
        .response(200, Body::Json("SessionsEnded")),
        end_member_sessions,
    )
    .add(
        e(
            Put,
            "/me/password",
            "changePassword",
            "users",
            "Changes the caller's own password after checking the current one; every web session of theirs ends (in the journal of each of their firms).",
        )
        .request(Body::Json("PasswordChange"))
        .response(200, Body::Json("SessionsEnded")),
        change_password,
    )
    .add(
        e(Get, "/tokens", "listTokens", "tokens", "The firm's API tokens (never their secrets).")
            .owner()
            .response(200, Body::JsonList("ApiToken")),
        list_tokens,
    )
    .add(
        e(Post, "/tokens", "createToken", "tokens", "Creates an API token for a member (yourself when `login` is absent); the secret is shown once.")
            .owner()
            .request(Body::Json("NewToken"))
            .response(201, Body::Json("CreatedToken")),
        create_token,
    )
    .add(
        e(Delete, "/tokens/{id}", "revokeToken", "tokens", "Revokes an API token.")
            .owner()
            .response(204, Body::Empty),
        revoke_token,
    )
}

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    let token = json!({
        "id": {"type": "integer"},
        "user_id": {"type": "integer"},
        "firm_id": {"type": "integer"},
        "name": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "revoked": {"type": "boolean"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time", "description": "When it last authenticated a request (to the minute)."}
    });
    let token_fields = [
        "id",
        "user_id",
        "firm_id",
        "name",
        "created_at",
        "revoked",
        "last_used_at",
    ];
    out.insert("ApiToken".into(), object(&token_fields, token.clone()));
    let mut created = token;
    created["plaintext"] =
        json!({"type": "string", "description": "`skl_…`, shown only in this answer."});
    let mut created_fields = token_fields.to_vec();
    created_fields.push("plaintext");
    out.insert("CreatedToken".into(), object(&created_fields, created));
    out.insert(
        "PasswordChange".into(),
        input(
            &["current_password", "new_password"],
            json!({
                "current_password": {"type": "string"},
                "new_password": {"type": "string", "minLength": 8, "maxLength": 200}
            }),
        ),
    );
    out.insert(
        "SessionsEnded".into(),
        object(
            &["sessions_ended"],
            json!({"sessions_ended": {"type": "integer", "minimum": 0, "description": "Web sessions ended."}}),
        ),
    );
    out.insert(
        "NewToken".into(),
        input(
            &[],
            json!({
                "login": {"type": ["string", "null"], "description": "A member's login; yourself when absent, null or blank."},
                "name": {"type": "string", "maxLength": 100, "pattern": "^[^\\u0000]*$", "default": "API", "description": "Up to 100 characters; `API` when blank."}
            }),
        ),
    );
    out.insert(
        "Firm".into(),
        object(
            &[
                "id",
                "name",
                "eik",
                "currency",
                "vat_registered",
                "seats",
                "allow_negative_stock",
            ],
            json!({
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "eik": nullable("string"),
                "currency": one_of(&["BGN", "EUR"]),
                "vat_registered": {"type": "boolean"},
                "seats": {"type": "integer", "description": "Users the subscription allows."},
                "allow_negative_stock": {"type": "boolean"}
            }),
        ),
    );
    out.insert(
        "FirmPatch".into(),
        input(
            &[],
            json!({
                "name": {"anyOf": [text(200), {"type": "null"}], "description": "Unchanged when absent or null."},
                "eik": {"type": ["string", "null"], "description": "ЕИК / Булстат, 9 or 13 digits; null or blank clears it."},
                "vat_registered": {"type": ["boolean", "null"], "description": "Unchanged when absent or null."},
                "seats": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 10000}, {"type": "null"}], "description": "Unchanged when absent or null."},
                "allow_negative_stock": {"type": ["boolean", "null"], "description": "Unchanged when absent or null."}
            }),
        ),
    );
    let member = json!({
        "id": {"type": "integer"},
        "login": {"type": "string"},
        "display_name": {"type": "string"},
        "language": one_of(&["bg", "en"]),
        "role": one_of(&["owner", "operator"])
    });
    out.insert(
        "Member".into(),
        object(
            &["id", "login", "display_name", "language", "role"],
            member.clone(),
        ),
    );
    let mut created = member;
    created["password"] = json!({
        "type": "string",
        "description": "Only when the password was generated; shown this once."
    });
    out.insert(
        "CreatedUser".into(),
        object(
            &["id", "login", "display_name", "language", "role"],
            created,
        ),
    );
    out.insert(
        "NewUser".into(),
        input(
            &["login", "role"],
            json!({
                "login": {
                    "type": "string",
                    "pattern": "^[0-9A-Za-zА-Яа-я._@-]{3,64}$",
                    "description": "3–64 letters, digits, `.`, `_`, `-`, `@` (stored lower-case)."
                },
                "display_name": {"anyOf": [text(200), {"type": "null"}], "description": "The login when absent or null."},
                "language": one_of(&["bg", "en"]),
                "role": one_of(&["owner", "operator"]),
                "password": {"type": "string", "minLength": 8, "maxLength": 200, "description": "8–200 characters; generated when absent."}
            }),
        ),
    );
}
