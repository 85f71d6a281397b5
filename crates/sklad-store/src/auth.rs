//! API tokens and web sessions: random secrets handed out once and stored only as
//! their SHA-256.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sklad_domain::Id;

use crate::db::{get, parse_ts, ts_text, Arg, Sql};
use crate::users::membership_role;
use crate::{
    ApiToken, AuthContext, NewApiToken, NewSession, Session, SessionUse, Store, StoreError,
    StoreResult,
};

/// Prefix of every API token.
pub const TOKEN_PREFIX: &str = "skl_";

pub(crate) fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn token_from_row(row: &sqlx::any::AnyRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        firm_id: get(row, "firm_id")?,
        name: get(row, "name")?,
        created_at: parse_ts(&get::<String>(row, "created_at")?)?,
        revoked: get::<i64>(row, "revoked")? != 0,
        last_used_at: get::<Option<String>>(row, "last_used_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
    })
}

/// How stale a token's recorded last use may get before a request writes it again.
const LAST_USE_RESOLUTION: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

impl Store {
    /// Creates an API token for a member of the firm. The plaintext
    /// (`skl_` + 64 hex) is returned once; only its SHA-256 is stored.
    pub async fn create_api_token(
        &self,
        user_id: Id,
        firm_id: Id,
        name: &str,
    ) -> StoreResult<NewApiToken> {
        let name = name.trim();
        let name = if name.is_empty() { "API" } else { name };
        if name.chars().count() > 100 || !crate::db::storable(name) {
            return Err(crate::db::invalid(
                "name",
                "too_long",
                "Най-много 100 знака.",
                "At most 100 characters.",
            ));
        }
        let mut w = self.write().await?;
        if membership_role(&mut *w.tx, firm_id, user_id)
            .await?
            .is_none()
        {
            return Err(StoreError::not_found("firm"));
        }
        let plaintext = format!("{TOKEN_PREFIX}{}", random_hex());
        let created_at = self.now();
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, firm_id, name, token_hash, created_at, revoked) \
             VALUES ($1, $2, $3, $4, $5, 0) RETURNING id",
        )
        .bind(user_id)
        .bind(firm_id)
        .bind(name)
        .bind(sha256_hex(&plaintext))
        .bind(ts_text(created_at))
        .fetch_one(&mut *w.tx)
        .await?;
        let id = get(&row, "id")?;
        w.commit().await?;
        Ok(NewApiToken {
            token: ApiToken {
                id,
                user_id,
                firm_id,
                name: name.to_owned(),
                created_at: parse_ts(&ts_text(created_at))?,
                revoked: false,
                last_used_at: None,
            },
            plaintext,
        })
    }

    /// Who the token acts as, or `None` for an unknown or revoked token, or one
    /// whose user is no longer a member of the firm.
    pub async fn resolve_api_token(&self, plaintext: &str) -> StoreResult<Option<AuthContext>> {
        if !plaintext.starts_with(TOKEN_PREFIX) || plaintext.len() > 200 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT t.id, t.user_id, t.firm_id, t.last_used_at, m.role FROM api_tokens t \
             JOIN memberships m ON m.firm_id = t.firm_id AND m.user_id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked = 0",
        )
        .bind(sha256_hex(plaintext))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => {
                let now = self.now();
                let last: Option<String> = get(&row, "last_used_at")?;
                let stale = last
                    .as_deref()
                    .and_then(|t| parse_ts(t).ok())
                    .is_none_or(|at| now.duration_since(at) >= LAST_USE_RESOLUTION);
                if stale {
                    let mut w = self.write().await?;
                    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                        .bind(ts_text(now))
                        .bind(get::<Id>(&row, "id")?)
                        .execute(&mut *w.tx)
                        .await?;
                    w.commit().await?;
                }
                Ok(Some(AuthContext {
                    user_id: get(&row, "user_id")?,
                    firm_id: get(&row, "firm_id")?,
                    role: crate::db::enum_from_key(&get::<String>(&row, "role")?)?,
                }))
            }
            None => Ok(None),
        }
    }

    /// Revokes a token of the firm.
    pub async fn revoke_api_token(&self, firm_id: Id, token_id: Id) -> StoreResult<()> {
        let mut w = self.write().await?;
        let done = sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE firm_id = $1 AND id = $2")
            .bind(firm_id)
            .bind(token_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("api_token"));
        }
        w.commit().await
    }

    /// The firm's tokens, newest first.
    pub async fn api_tokens(&self, firm_id: Id) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, user_id, firm_id, name, created_at, revoked, last_used_at \
             FROM api_tokens WHERE firm_id = $1 ORDER BY id DESC",
        )
        .bind(firm_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Starts a web session of a member of the firm, valid until `expires_at`.
    pub async fn create_session(
        &self,
        user_id: Id,
        firm_id: Id,
        expires_at: jiff::Timestamp,
    ) -> StoreResult<NewSession> {
        let mut w = self.write().await?;
        let Some(role) = membership_role(&mut *w.tx, firm_id, user_id).await? else {
            return Err(StoreError::not_found("firm"));
        };
        let id = random_hex();
        let csrf_token = random_hex();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, firm_id, csrf_token, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(sha256_hex(&id))
        .bind(user_id)
        .bind(firm_id)
        .bind(&csrf_token)
        .bind(ts_text(expires_at))
        .bind(ts_text(self.now()))
        .execute(&mut *w.tx)
        .await?;
        w.commit().await?;
        Ok(NewSession {
            id,
            session: Session {
                user_id,
                firm_id,
                role,
                csrf_token,
                expires_at: parse_ts(&ts_text(expires_at))?,
            },
        })
    }

    /// The session with this cookie id if it exists, has not expired at `now` and
    /// its user is still a member of its firm. Notes when and from where (`from`, the
    /// client's address) it was used, at most once a minute.
    pub async fn resolve_session(
        &self,
        session_id: &str,
        now: jiff::Timestamp,
        from: Option<&str>,
    ) -> StoreResult<Option<Session>> {
        if session_id.len() > 200 {
            return Ok(None);
        }
        let hash = sha256_hex(session_id);
        let row = sqlx::query(
            "SELECT s.user_id, s.firm_id, s.csrf_token, s.expires_at, s.last_seen_at, \
             s.last_seen_from, m.role FROM sessions s \
             JOIN memberships m ON m.firm_id = s.firm_id AND m.user_id = s.user_id \
             WHERE s.id_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let expires_at = parse_ts(&get::<String>(&row, "expires_at")?)?;
        if expires_at <= now {
            return Ok(None);
        }
        let last: Option<String> = get(&row, "last_seen_at")?;
        let stale = last
            .as_deref()
            .and_then(|t| parse_ts(t).ok())
            .is_none_or(|at| now.duration_since(at) >= LAST_USE_RESOLUTION);
        let moved =
            from.is_some() && get::<Option<String>>(&row, "last_seen_from")?.as_deref() != from;
        if stale || moved {
            let mut w = self.write().await?;
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $1, \
                 last_seen_from = COALESCE($2, last_seen_from) WHERE id_hash = $3",
            )
            .bind(ts_text(now))
            .bind(from.map(|f| f.chars().take(64).collect::<String>()))
            .bind(&hash)
            .execute(&mut *w.tx)
            .await?;
            w.commit().await?;
        }
        Ok(Some(Session {
            user_id: get(&row, "user_id")?,
            firm_id: get(&row, "firm_id")?,
            role: crate::db::enum_from_key(&get::<String>(&row, "role")?)?,
            csrf_token: get(&row, "csrf_token")?,
            expires_at,
        }))
    }

    /// The sessions a member of the firm has in it, last used first: when each began,
    /// was last used and from where, and when it expires.
    pub async fn member_sessions(&self, firm_id: Id, user_id: Id) -> StoreResult<Vec<SessionUse>> {
        let rows = sqlx::query(
            "SELECT created_at, last_seen_at, last_seen_from, expires_at FROM sessions \
             WHERE firm_id = $1 AND user_id = $2 \
             ORDER BY COALESCE(last_seen_at, created_at) DESC, created_at DESC",
        )
        .bind(firm_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let ts = |v: Option<String>| v.as_deref().map(parse_ts).transpose();
        rows.iter()
            .map(|row| {
                Ok(SessionUse {
                    started_at: parse_ts(&get::<String>(row, "created_at")?)?,
                    last_seen_at: ts(get(row, "last_seen_at")?)?,
                    last_seen_from: get(row, "last_seen_from")?,
                    expires_at: parse_ts(&get::<String>(row, "expires_at")?)?,
                })
            })
            .collect()
    }

    /// Moves the session to another firm of the same user (NotFound `firm` when the
    /// user is not a member of it).
    pub async fn switch_session_firm(&self, session_id: &str, firm_id: Id) -> StoreResult<Session> {
        let mut w = self.write().await?;
        let hash = sha256_hex(session_id);
        let row =
            sqlx::query("SELECT user_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut *w.tx)
                .await?
                .ok_or(StoreError::not_found("session"))?;
        let user_id: Id = get(&row, "user_id")?;
        let Some(role) = membership_role(&mut *w.tx, firm_id, user_id).await? else {
            return Err(StoreError::not_found("firm"));
        };
        sqlx::query("UPDATE sessions SET firm_id = $1 WHERE id_hash = $2")
            .bind(firm_id)
            .bind(&hash)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(Session {
            user_id,
            firm_id,
            role,
            csrf_token: get(&row, "csrf_token")?,
            expires_at: parse_ts(&get::<String>(&row, "expires_at")?)?,
        })
    }

    /// Deletes the sessions that expired at `now`; returns how many.
    pub async fn purge_expired_sessions(&self, now: jiff::Timestamp) -> StoreResult<u64> {
        let mut w = self.write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(ts_text(now))
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(done.rows_affected())
    }

    /// Ends the session (logout). Ending an unknown session is not an error.
    pub async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
        let mut w = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(sha256_hex(session_id))
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }

    /// The owner ends every session a member of the firm has in that firm (a lost
    /// laptop, a colleague leaving), in the firm's journal. Returns how many ended.
    pub async fn end_member_sessions(
        &self,
        firm_id: Id,
        user_id: Id,
        actor: &str,
    ) -> StoreResult<u64> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        if membership_role(&mut *w.tx, firm_id, user_id)
            .await?
            .is_none()
        {
            return Err(StoreError::not_found("user"));
        }
        let ended = end_sessions(&mut w.tx, user_id, Some(firm_id), None).await?;
        crate::journal::append(
            &mut w.tx,
            firm_id,
            self.now(),
            actor,
            "sessions_ended",
            &serde_json::json!({ "user_id": user_id, "sessions_ended": ended }),
        )
        .await?;
        w.commit().await?;
        Ok(ended)
    }
}

/// Ends the user's sessions (in `firm_id` only, when given), all but the one whose id is
/// `keep`; returns how many.
pub(crate) async fn end_sessions(
    conn: &mut sqlx::AnyConnection,
    user_id: Id,
    firm_id: Option<Id>,
    keep: Option<&str>,
) -> StoreResult<u64> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE user_id = ");
    sql.arg(Arg::Int(user_id));
    if let Some(firm_id) = firm_id {
        sql.push(" AND firm_id = ").arg(Arg::Int(firm_id));
    }
    if let Some(keep) = keep {
        sql.push(" AND id_hash <> ")
            .arg(Arg::Text(sha256_hex(keep)));
    }
    Ok(sql.query().execute(&mut *conn).await?.rows_affected())
}
