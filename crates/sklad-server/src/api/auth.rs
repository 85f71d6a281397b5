//! Bearer-token authentication: `Authorization: Bearer skl_…` resolved through the
//! store to (user, firm, role). Handlers take [`Caller`] (any member) or [`Owner`].

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sklad_domain::model::Role;
use sklad_domain::Id;

use crate::error::ApiError;
use crate::AppState;

/// The member of a firm a request acts as. Every record a handler touches is looked up
/// in [`Caller::firm_id`], so a token never reaches another firm's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The token's user.
    pub user_id: Id,
    /// The token's firm.
    pub firm_id: Id,
    /// The user's role in that firm.
    pub role: Role,
}

/// A [`Caller`] who is the firm's owner; an operator gets 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner(pub Caller);

/// The token from an `Authorization` header value, if it is a bearer token.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(*caller);
        }
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or_else(ApiError::unauthorized)?;
        let context = state
            .store
            .resolve_api_token(token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let caller = Caller {
            user_id: context.user_id,
            firm_id: context.firm_id,
            role: context.role,
        };
        parts.extensions.insert(caller);
        Ok(caller)
    }
}

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.role == Role::Owner {
            Ok(Owner(caller))
        } else {
            Err(ApiError::owner_only())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn reads_bearer_tokens_only() {
        assert_eq!(bearer_token("Bearer skl_abc"), Some("skl_abc"));
        assert_eq!(bearer_token("bearer   skl_abc "), Some("skl_abc"));
        assert_eq!(bearer_token("Basic dXNlcjpwdw=="), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("skl_abc"), None);
    }
}
