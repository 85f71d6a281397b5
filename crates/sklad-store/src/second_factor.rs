//! Two-factor sign-in (issue 11): what the store keeps of it. The TOTP arithmetic lives
//! in the server; here are the confirmed secret, the one-time recovery codes (only their
//! SHA-256), the firms whose owners must use it, and the step between a correct password
//! and the second factor (its id, like a session's, is stored hashed).

use rand::RngCore;
use sklad_domain::model::Role;
use sklad_domain::Id;

use crate::auth::{random_hex, sha256_hex};
use crate::db::{enum_key, get, parse_ts, ts_text};
use crate::{Store, StoreError, StoreResult};

/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;

/// A user's second factor as the sign-in needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// The confirmed TOTP secret (base32); `None`: not enrolled.
    pub secret: Option<String>,
    /// Whether a firm where the user is an owner requires it.
    pub required: bool,
}

impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondFactor")
            .field("enrolled", &self.secret.is_some())
            .field("required", &self.required)
            .finish()
    }
}

/// The step between a correct password and the second factor.
#[derive(Clone, PartialEq, Eq)]
pub struct SignInStep {
    /// Whose password was correct.
    pub user_id: Id,
    /// The secret being enrolled (the firm requires a second factor the user has not
    /// set up yet); `None`: the enrolled one is asked for.
    pub enrol_secret: Option<String>,
}

impl std::fmt::Debug for SignInStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInStep")
            .field("user_id", &self.user_id)
            .field("enrolling", &self.enrol_secret.is_some())
            .finish()
    }
}

/// A recovery code as people type it: `xxxx-xxxx-xxxx`, lower-case hex.
fn recovery_code() -> String {
    let mut bytes = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex = hex::encode(bytes);
    format!("{}-{}-{}", &hex[0..4], &hex[4..8], &hex[8..12])
}

/// A typed recovery code, normalised (spaces and case forgiven).
fn normalised(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Store {
    /// The user's second factor: enrolled or not, required or not.
    pub async fn second_factor(&self, user_id: Id) -> StoreResult<SecondFactor> {
        let row = sqlx::query(
            "SELECT totp_secret, (SELECT COUNT(*) FROM memberships m JOIN firms f ON f.id = m.firm_id \
             WHERE m.user_id = u.id AND m.role = $1 AND f.owners_need_totp = 1) AS requiring \
             FROM users u WHERE u.id = $2",
        )
        .bind(enum_key(&Role::Owner))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::not_found("user"))?;
        Ok(SecondFactor {
            secret: get(&row, "totp_secret")?,
            required: get::<i64>(&row, "requiring")? > 0,
        })
    }

    /// Confirms an enrolment with the code of time step `step`: the secret is kept and
    /// fresh recovery codes replace any old ones; returns the codes (shown once). In the
    /// journal of each of the user's firms.
    pub async fn enable_totp(
        &self,
        user_id: Id,
        secret: &str,
        step: i64,
    ) -> StoreResult<Vec<String>> {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
        let mut w = self.write().await?;
        let done =
            sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3")
                .bind(secret)
                .bind(step)
                .bind(user_id)
                .execute(&mut *w.tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("user"));
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        for code in &codes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(sha256_hex(code))
                .execute(&mut *w.tx)
                .await?;
        }
        journal_in_every_firm(&mut w.tx, user_id, self.now(), "totp_enabled").await?;
        w.commit().await?;
        Ok(codes)
    }

    /// Turns the second factor off (its recovery codes go too) — refused
    /// (`totp_required`) while a firm where the user is an owner requires it.
    pub async fn disable_totp(&self, user_id: Id) -> StoreResult<()> {
        if self.second_factor(user_id).await?.required {
            return Err(crate::db::invalid(
                "code",
                "totp_required",
                "Фирмата изисква двуфакторно влизане от собствениците си.",
                "The firm requires two-factor sign-in of its owners.",
            ));
        }
        let mut w = self.write().await?;
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        journal_in_every_firm(&mut w.tx, user_id, self.now(), "totp_disabled").await?;
        w.commit().await
    }

    /// Accepts a code of time step `step` once: `false` when a code of this step or a
    /// later one was accepted before (a code seen over a shoulder is spent).
    pub async fn accept_totp_step(&self, user_id: Id, step: i64) -> StoreResult<bool> {
        let mut w = self.write().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses up one of the user's recovery codes; `false` when it is not one of theirs or
    /// was used before.
    pub async fn use_recovery_code(&self, user_id: Id, code: &str) -> StoreResult<bool> {
        let mut w = self.write().await?;
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(ts_text(self.now()))
        .bind(user_id)
        .bind(sha256_hex(&normalised(code)))
        .execute(&mut *w.tx)
        .await?;
        let used = done.rows_affected() == 1;
        if used {
            journal_in_every_firm(&mut w.tx, user_id, self.now(), "recovery_code_used").await?;
        }
        w.commit().await?;
        Ok(used)
    }

    /// How many unused recovery codes the user has left.
    pub async fn recovery_codes_left(&self, user_id: Id) -> StoreResult<i64> {
        get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?,
            "n",
        )
    }

    /// Whether the firm requires its owners to sign in with a second factor.
    pub async fn owners_need_totp(&self, firm_id: Id) -> StoreResult<bool> {
        let row = sqlx::query("SELECT owners_need_totp FROM firms WHERE id = $1")
            .bind(firm_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("firm"))?;
        Ok(get::<i64>(&row, "owners_need_totp")? == 1)
    }

    /// Sets whether the firm's owners must sign in with a second factor (those not
    /// enrolled set it up at their next sign-in); in the firm's journal as `actor`.
    pub async fn set_owners_need_totp(
        &self,
        firm_id: Id,
        on: bool,
        actor: &str,
    ) -> StoreResult<()> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        sqlx::query("UPDATE firms SET owners_need_totp = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(firm_id)
            .execute(&mut *w.tx)
            .await?;
        crate::journal::append(
            &mut w.tx,
            firm_id,
            self.now(),
            actor,
            "totp_requirement",
            &serde_json::json!({ "owners_need_totp": on }),
        )
        .await?;
        w.commit().await
    }

    /// Starts the second-factor step of a sign-in (valid until `expires_at`); returns
    /// its id for the browser's cookie.
    pub async fn start_sign_in_step(
        &self,
        user_id: Id,
        enrol_secret: Option<&str>,
        expires_at: jiff::Timestamp,
    ) -> StoreResult<String> {
        let id = random_hex();
        let mut w = self.write().await?;
        // Steps that lapsed go with every new one: the table stays small.
        sqlx::query("DELETE FROM sign_in_steps WHERE expires_at <= $1")
            .bind(ts_text(self.now()))
            .execute(&mut *w.tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_steps (id_hash, user_id, enrol_secret, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(sha256_hex(&id))
        .bind(user_id)
        .bind(enrol_secret)
        .bind(ts_text(expires_at))
        .execute(&mut *w.tx)
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// The sign-in step with this id, unless it lapsed at `now`.
    pub async fn sign_in_step(
        &self,
        id: &str,
        now: jiff::Timestamp,
    ) -> StoreResult<Option<SignInStep>> {
        if id.len() > 200 {
            return Ok(None);
        }
        let Some(row) = sqlx::query(
            "SELECT user_id, enrol_secret, expires_at FROM sign_in_steps WHERE id_hash = $1",
        )
        .bind(sha256_hex(id))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        if parse_ts(&get::<String>(&row, "expires_at")?)? <= now {
            return Ok(None);
        }
        Ok(Some(SignInStep {
            user_id: get(&row, "user_id")?,
            enrol_secret: get(&row, "enrol_secret")?,
        }))
    }

    /// Ends a sign-in step (done or abandoned).
    pub async fn end_sign_in_step(&self, id: &str) -> StoreResult<()> {
        let mut w = self.write().await?;
        sqlx::query("DELETE FROM sign_in_steps WHERE id_hash = $1")
            .bind(sha256_hex(id))
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }
}

/// Appends `action` about the user to the journal of every firm they belong to.
async fn journal_in_every_firm(
    tx: &mut sqlx::AnyConnection,
    user_id: Id,
    at: jiff::Timestamp,
    action: &str,
) -> StoreResult<()> {
    let login: String = get(
        &sqlx::query("SELECT login FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?,
        "login",
    )?;
    let firms: Vec<Id> = sqlx::query("SELECT firm_id FROM memberships WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| get(r, "firm_id"))
        .collect::<StoreResult<_>>()?;
    let details = serde_json::json!({ "login": login });
    for firm in firms {
        crate::journal::append(tx, firm, at, &login, action, &details).await?;
    }
    Ok(())
}
