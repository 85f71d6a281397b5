//! API tokens and web sessions: random secrets handed out once and stored only as
//! their SHA-256.

use sklad_domain::Id;

use crate::{ApiToken, AuthContext, NewApiToken, NewSession, Session, Store, StoreResult};

impl Store {
    /// Creates an API token for a member of the firm. The plaintext
    /// (`skl_` + 64 hex) is returned once; only its SHA-256 is stored.
    pub async fn create_api_token(
        &self,
        user_id: Id,
        firm_id: Id,
        name: &str,
    ) -> StoreResult<NewApiToken> {
        let _ = (user_id, firm_id, name);
        todo!()
    }

    /// Who the token acts as, or `None` for an unknown or revoked token, or one
    /// whose user is no longer a member of the firm.
    pub async fn resolve_api_token(&self, plaintext: &str) -> StoreResult<Option<AuthContext>> {
        let _ = plaintext;
        todo!()
    }

    /// Revokes a token of the firm.
    pub async fn revoke_api_token(&self, firm_id: Id, token_id: Id) -> StoreResult<()> {
        let _ = (firm_id, token_id);
        todo!()
    }

    /// The firm's tokens, newest first.
    pub async fn api_tokens(&self, firm_id: Id) -> StoreResult<Vec<ApiToken>> {
        let _ = firm_id;
        todo!()
    }

    /// Starts a web session of a member of the firm, valid until `expires_at`.
    pub async fn create_session(
        &self,
        user_id: Id,
        firm_id: Id,
        expires_at: jiff::Timestamp,
    ) -> StoreResult<NewSession> {
        let _ = (user_id, firm_id, expires_at);
        todo!()
    }

    /// The session with this cookie id if it exists, has not expired at `now` and
    /// its user is still a member of its firm.
    pub async fn resolve_session(
        &self,
        session_id: &str,
        now: jiff::Timestamp,
    ) -> StoreResult<Option<Session>> {
        let _ = (session_id, now);
        todo!()
    }

    /// Moves the session to another firm of the same user (NotFound `firm` when the
    /// user is not a member of it).
    pub async fn switch_session_firm(&self, session_id: &str, firm_id: Id) -> StoreResult<Session> {
        let _ = (session_id, firm_id);
        todo!()
    }

    /// Ends the session (logout). Ending an unknown session is not an error.
    pub async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
        let _ = session_id;
        todo!()
    }
}
