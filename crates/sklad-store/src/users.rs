//! Users, passwords (argon2) and firm memberships with the seat limit.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sklad_domain::model::{
    validate_language, validate_password, Membership, Role, User, UserInput,
};
use sklad_domain::Id;

use crate::db::{enum_from_key, enum_key, get, invalid, map_unique, ts_text};
use crate::{Member, Store, StoreError, StoreResult};

const USER_COLUMNS: &str = "users.id, users.login, users.display_name, users.language";

fn user_from_row(row: &sqlx::any::AnyRow) -> StoreResult<User> {
    Ok(User {
        id: get(row, "id")?,
        login: get(row, "login")?,
        display_name: get(row, "display_name")?,
        language: get(row, "language")?,
    })
}

/// Refuses to leave a firm without an owner: `user_id` is the firm's only owner.
async fn check_not_last_owner(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    user_id: Id,
) -> StoreResult<()> {
    let owners = sqlx::query("SELECT user_id FROM memberships WHERE firm_id = $1 AND role = $2")
        .bind(firm_id)
        .bind(enum_key(&Role::Owner))
        .fetch_all(&mut *conn)
        .await?;
    let ids: Vec<Id> = owners
        .iter()
        .map(|r| get::<Id>(r, "user_id"))
        .collect::<StoreResult<_>>()?;
    if ids == [user_id] {
        return Err(invalid(
            "role",
            "last_owner",
            "Фирмата трябва да има поне един собственик.",
            "The firm must keep at least one owner.",
        ));
    }
    Ok(())
}

pub(crate) fn seats_exceeded(seats: i64) -> StoreError {
    invalid(
        "seats",
        "seats_exceeded",
        format!(
            "Абонаментът позволява най-много {seats} потребители (всяка връзка с ел. магазин \
             в употреба заема едно място)."
        ),
        format!(
            "The subscription allows at most {seats} users (each e-shop connection in use \
             takes one seat)."
        ),
    )
}

/// Seats the firm uses: its members and its e-shop connections in use (SPEC P1: a
/// connection acts as a user).
pub(crate) async fn seats_used(conn: &mut sqlx::AnyConnection, firm_id: Id) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM memberships WHERE firm_id = $1) \
         + (SELECT COUNT(*) FROM shop_connections WHERE firm_id = $1 AND active = 1) AS n",
    )
    .bind(firm_id)
    .fetch_one(&mut *conn)
    .await?;
    get(&row, "n")
}

/// What a sign-in attempt found.
#[derive(Debug, Clone, PartialEq)]
pub enum PasswordCheck {
    /// Login and password match.
    Accepted(User),
    /// They do not; `user` is the login's user when it exists (for the journal only —
    /// never tell the client).
    Refused {
        /// The user, when the login exists.
        user: Option<User>,
    },
}

/// The hash an unknown login's password is checked against (same parameters as a real
/// one, so the same work).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password("no user has this password").expect("argon2 hashes a fixed password")
    })
}

fn hash_password(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| StoreError::Database("password hashing failed".to_owned()))
}

/// Whether `role` is a member's role in the firm.
pub(crate) async fn membership_role<'c, E>(
    executor: E,
    firm_id: Id,
    user_id: Id,
) -> StoreResult<Option<Role>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query("SELECT role FROM memberships WHERE firm_id = $1 AND user_id = $2")
        .bind(firm_id)
        .bind(user_id)
        .fetch_optional(executor)
        .await?;
    match row {
        Some(row) => Ok(Some(enum_from_key(&get::<String>(&row, "role")?)?)),
        None => Ok(None),
    }
}

/// Inserts a validated user (`login_duplicate` when the login is taken).
async fn insert_user(
    conn: &mut sqlx::AnyConnection,
    input: UserInput,
    password_hash: String,
    now: jiff::Timestamp,
) -> StoreResult<User> {
    let taken = sqlx::query("SELECT id FROM users WHERE login = $1")
        .bind(&input.login)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(invalid(
            "login",
            "login_duplicate",
            "Потребителското име е заето.",
            "The login is taken.",
        ));
    }
    let row = sqlx::query(
        "INSERT INTO users (login, password_hash, display_name, language, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&input.login)
    .bind(password_hash)
    .bind(&input.display_name)
    .bind(&input.language)
    .bind(ts_text(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(map_unique)?;
    Ok(User {
        id: get(&row, "id")?,
        login: input.login,
        display_name: input.display_name,
        language: input.language,
    })
}

/// Adds a user who is not yet a member to the firm (locked by the caller), within
/// the firm's seats, which its e-shop connections in use share (`seats_exceeded`).
async fn insert_membership(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    user_id: Id,
    role: Role,
) -> StoreResult<()> {
    let firm = crate::firms::firm_in(&mut *conn, firm_id).await?;
    if seats_used(conn, firm_id).await? >= firm.seats {
        return Err(seats_exceeded(firm.seats));
    }
    sqlx::query("INSERT INTO memberships (firm_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(firm_id)
        .bind(user_id)
        .bind(enum_key(&role))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Creates a user; the login is unique over all firms (`login_duplicate`).
    pub async fn create_user(&self, input: &UserInput) -> StoreResult<User> {
        let input = input.validate()?;
        let hash = hash_password(&input.password)?;
        let mut w = self.write().await?;
        let user = insert_user(&mut w.tx, input, hash, self.now()).await?;
        w.commit().await?;
        Ok(user)
    }

    /// Creates a user and makes it a member of the firm with `role`, in one
    /// transaction: a refusal (`login_duplicate`, `seats_exceeded`, no such firm)
    /// leaves no user behind.
    pub async fn create_member(
        &self,
        firm_id: Id,
        input: &UserInput,
        role: Role,
    ) -> StoreResult<User> {
        let input = input.validate()?;
        let hash = hash_password(&input.password)?;
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let user = insert_user(&mut w.tx, input, hash, self.now()).await?;
        insert_membership(&mut w.tx, firm_id, user.id, role).await?;
        w.commit().await?;
        Ok(user)
    }

    /// Stores the user's language (`bg` or `en`, `language_invalid` otherwise), so
    /// the choice follows the user across sessions and devices.
    pub async fn set_user_language(&self, user_id: Id, language: &str) -> StoreResult<User> {
        let language = validate_language("language", language)?;
        let mut w = self.write().await?;
        let done = sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(&language)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("user"));
        }
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(user_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let user = user_from_row(&row)?;
        w.commit().await?;
        Ok(user)
    }

    /// The user.
    pub async fn user(&self, user_id: Id) -> StoreResult<User> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("user"))?;
        user_from_row(&row)
    }

    /// The user with this login (case-insensitive).
    pub async fn user_by_login(&self, login: &str) -> StoreResult<User> {
        if !crate::db::storable(login) {
            return Err(StoreError::not_found("user"));
        }
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE login = $1"
        ))
        .bind(login.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::not_found("user"))?;
        user_from_row(&row)
    }

    /// The user when login and password match, else `None` (same answer for an
    /// unknown login and a wrong password).
    pub async fn verify_password(&self, login: &str, password: &str) -> StoreResult<Option<User>> {
        Ok(match self.check_password(login, password).await? {
            PasswordCheck::Accepted(user) => Some(user),
            PasswordCheck::Refused { .. } => None,
        })
    }

    /// Checks a sign-in. An unknown login costs the same argon2 work as a wrong password
    /// (a dummy hash is checked), so the time taken does not tell which logins exist;
    /// the caller learns the user behind a refused login only to journal it.
    pub async fn check_password(&self, login: &str, password: &str) -> StoreResult<PasswordCheck> {
        let row = if crate::db::storable(login) {
            sqlx::query(&format!(
                "SELECT {USER_COLUMNS}, users.password_hash FROM users WHERE login = $1"
            ))
            .bind(login.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
        } else {
            None
        };
        let (stored, user) = match &row {
            Some(row) => (
                get::<String>(row, "password_hash")?,
                Some(user_from_row(row)?),
            ),
            None => (String::new(), None),
        };
        // A user's unreadable hash is checked like an unknown login: the dummy, refused.
        let (hash, genuine) = match PasswordHash::new(&stored) {
            Ok(hash) => (hash, true),
            Err(_) => (
                PasswordHash::new(dummy_hash())
                    .map_err(|_| StoreError::Database("password hashing failed".to_owned()))?,
                false,
            ),
        };
        self.password_checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok();
        Ok(match user {
            Some(user) if matches && genuine => PasswordCheck::Accepted(user),
            user => PasswordCheck::Refused { user },
        })
    }

    /// How many passwords this store has checked (each one argon2 verification): tests
    /// prove with it that an unknown login costs what a wrong password costs.
    pub fn password_checks(&self) -> u64 {
        self.password_checks
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The user's own password change: the current password is checked (a wrong one is
    /// refused on `current_password`, nothing changed), the new one set (8–200
    /// characters), every other session of the user ended — all but `keep`, the session
    /// making the change, if any — and the change written to the journal of each of the
    /// user's firms. Returns how many sessions ended.
    pub async fn change_password(
        &self,
        user_id: Id,
        current: &str,
        new: &str,
        keep: Option<&str>,
    ) -> StoreResult<u64> {
        validate_password("new_password", new)?;
        let user = self.user(user_id).await?;
        if !matches!(
            self.check_password(&user.login, current).await?,
            PasswordCheck::Accepted(_)
        ) {
            return Err(invalid(
                "current_password",
                "password_wrong",
                "Текущата парола не е вярна.",
                "The current password is wrong.",
            ));
        }
        let hash = hash_password(new)?;
        let mut w = self.write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        let ended = crate::auth::end_sessions(&mut w.tx, user_id, None, keep).await?;
        let firms: Vec<Id> = sqlx::query("SELECT firm_id FROM memberships WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut *w.tx)
            .await?
            .iter()
            .map(|r| get(r, "firm_id"))
            .collect::<StoreResult<_>>()?;
        let at = self.now();
        let details = serde_json::json!({ "login": user.login, "sessions_ended": ended });
        for firm in firms {
            crate::journal::append(
                &mut w.tx,
                firm,
                at,
                &user.login,
                "password_changed",
                &details,
            )
            .await?;
        }
        w.commit().await?;
        Ok(ended)
    }

    /// Sets a new password (8–200 characters).
    pub async fn set_password(&self, user_id: Id, password: &str) -> StoreResult<()> {
        validate_password("password", password)?;
        let hash = hash_password(password)?;
        self.update_user(
            user_id,
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            Some(hash),
        )
        .await
    }

    /// Runs `sql` (`… SET column = $1 WHERE id = $2`) for the user; NotFound `user` when
    /// there is none.
    pub(crate) async fn update_user(
        &self,
        user_id: Id,
        sql: &str,
        value: Option<String>,
    ) -> StoreResult<()> {
        let mut w = self.write().await?;
        let done = sqlx::query(sql)
            .bind(value)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("user"));
        }
        w.commit().await
    }

    /// Adds the user to the firm with `role`, or changes the role of a member, in the
    /// firm's journal (`member_added`, `role_changed`) as `actor`. A firm cannot have
    /// more members than seats (`seats_exceeded`) and keeps at least one owner
    /// (`last_owner`).
    pub async fn add_member(
        &self,
        firm_id: Id,
        user_id: Id,
        role: Role,
        actor: &str,
    ) -> StoreResult<()> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let login: String = get(
            &sqlx::query("SELECT login FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *w.tx)
                .await?
                .ok_or(StoreError::not_found("user"))?,
            "login",
        )?;
        let (action, details) = match membership_role(&mut *w.tx, firm_id, user_id).await? {
            Some(current) if current == role => return w.commit().await,
            Some(current) => {
                if current == Role::Owner {
                    check_not_last_owner(&mut w.tx, firm_id, user_id).await?;
                }
                sqlx::query("UPDATE memberships SET role = $1 WHERE firm_id = $2 AND user_id = $3")
                    .bind(enum_key(&role))
                    .bind(firm_id)
                    .bind(user_id)
                    .execute(&mut *w.tx)
                    .await?;
                let details = serde_json::json!({
                    "user_id": user_id, "login": login,
                    "from": enum_key(&current), "to": enum_key(&role),
                });
                ("role_changed", details)
            }
            None => {
                insert_membership(&mut w.tx, firm_id, user_id, role).await?;
                let details = serde_json::json!({
                    "user_id": user_id, "login": login, "role": enum_key(&role),
                });
                ("member_added", details)
            }
        };
        crate::journal::append(&mut w.tx, firm_id, self.now(), actor, action, &details).await?;
        w.commit().await
    }

    /// Removes the user from the firm (its tokens and sessions of that firm go too).
    /// The firm's last owner cannot be removed (`last_owner`).
    pub async fn remove_member(&self, firm_id: Id, user_id: Id) -> StoreResult<()> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        check_not_last_owner(&mut w.tx, firm_id, user_id).await?;
        let done = sqlx::query("DELETE FROM memberships WHERE firm_id = $1 AND user_id = $2")
            .bind(firm_id)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("user"));
        }
        for table in ["api_tokens", "sessions"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE firm_id = $1 AND user_id = $2"
            ))
            .bind(firm_id)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        }
        w.commit().await
    }

    /// The firms the user belongs to, by firm name.
    pub async fn memberships(&self, user_id: Id) -> StoreResult<Vec<Membership>> {
        let rows = sqlx::query(
            "SELECT m.firm_id, f.name, m.role FROM memberships m JOIN firms f ON f.id = m.firm_id \
             WHERE m.user_id = $1 ORDER BY f.name, f.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Membership {
                    firm_id: get(row, "firm_id")?,
                    firm_name: get(row, "name")?,
                    role: enum_from_key(&get::<String>(row, "role")?)?,
                })
            })
            .collect()
    }

    /// The members of the firm, by login.
    pub async fn members(&self, firm_id: Id) -> StoreResult<Vec<Member>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, m.role FROM memberships m JOIN users ON users.id = m.user_id \
             WHERE m.firm_id = $1 ORDER BY users.login"
        ))
        .bind(firm_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Member {
                    user: user_from_row(row)?,
                    role: enum_from_key(&get::<String>(row, "role")?)?,
                })
            })
            .collect()
    }
}
