//! Alerts (issue 10): what needs an owner's eyes, one row per firm, connection and cause
//! — raised again rather than repeated — with when it was seen and last e-mailed, and the
//! owners' e-mail addresses the e-mails go to.

use serde::Serialize;
use sklad_domain::model::Role;
use sklad_domain::{FieldError, Id};

use crate::db::{enum_key, get, parse_ts, ts_text};
use crate::{Store, StoreError, StoreResult};

/// An alert as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// Database id.
    pub id: Id,
    /// The firm.
    pub firm_id: Id,
    /// The connection it is about (0: the firm as a whole).
    pub connection_id: Id,
    /// Stable cause key (`attention`, `subscription_disabled`, `plan_expired`,
    /// `key_refused`).
    pub cause: String,
    /// What happened last, in Bulgarian.
    pub message_bg: String,
    /// What happened last, in English.
    pub message_en: String,
    /// When it was first raised.
    pub first_at: jiff::Timestamp,
    /// When it was last raised.
    pub last_at: jiff::Timestamp,
    /// How many times it was raised.
    pub times: i64,
    /// When an owner marked it seen (`None`: in the badge).
    pub seen_at: Option<jiff::Timestamp>,
    /// When it was last e-mailed.
    pub emailed_at: Option<jiff::Timestamp>,
}

const COLUMNS: &str = "id, firm_id, connection_id, cause, message_bg, message_en, first_at, \
                       last_at, times, seen_at, emailed_at";

fn alert_from_row(row: &sqlx::any::AnyRow) -> StoreResult<Alert> {
    let ts = |v: Option<String>| v.as_deref().map(parse_ts).transpose();
    Ok(Alert {
        id: get(row, "id")?,
        firm_id: get(row, "firm_id")?,
        connection_id: get(row, "connection_id")?,
        cause: get(row, "cause")?,
        message_bg: get(row, "message_bg")?,
        message_en: get(row, "message_en")?,
        first_at: parse_ts(&get::<String>(row, "first_at")?)?,
        last_at: parse_ts(&get::<String>(row, "last_at")?)?,
        times: get(row, "times")?,
        seen_at: ts(get(row, "seen_at")?)?,
        emailed_at: ts(get(row, "emailed_at")?)?,
    })
}

/// An e-mail address as typed: trimmed, at most 254 characters, one `@` with text on
/// both sides and a dot in the domain, no spaces.
pub fn validate_email(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let plausible = text.len() <= 254
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if plausible {
        Ok(text.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "email_invalid",
            "Въведете имейл адрес, напр. ivan@example.bg.",
            "Enter an e-mail address, e.g. ivan@example.bg.",
        ))
    }
}

impl Store {
    /// Raises an alert: a new one, or the same cause of the same connection raised
    /// again (its message and time updated, counted, back in the badge).
    pub async fn raise_alert(
        &self,
        firm_id: Id,
        connection_id: Id,
        cause: &str,
        message_bg: &str,
        message_en: &str,
    ) -> StoreResult<()> {
        let now = ts_text(self.now());
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO firm_alerts (firm_id, connection_id, cause, message_bg, message_en, \
             first_at, last_at, times) VALUES ($1, $2, $3, $4, $5, $6, $6, 1) \
             ON CONFLICT (firm_id, connection_id, cause) DO UPDATE SET \
             message_bg = excluded.message_bg, message_en = excluded.message_en, \
             last_at = excluded.last_at, times = firm_alerts.times + 1, seen_at = NULL",
        )
        .bind(firm_id)
        .bind(connection_id)
        .bind(cause)
        .bind(message_bg)
        .bind(message_en)
        .bind(now)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    /// The firm's alerts, unseen first, then the latest.
    pub async fn alerts(&self, firm_id: Id) -> StoreResult<Vec<Alert>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM firm_alerts WHERE firm_id = $1 \
             ORDER BY CASE WHEN seen_at IS NULL THEN 0 ELSE 1 END, last_at DESC, id DESC \
             LIMIT 200"
        ))
        .bind(firm_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(alert_from_row)
        .collect()
    }

    /// How many of the firm's alerts no owner has marked seen (the header's badge).
    pub async fn unseen_alerts(&self, firm_id: Id) -> StoreResult<i64> {
        get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM firm_alerts WHERE firm_id = $1 AND seen_at IS NULL",
            )
            .bind(firm_id)
            .fetch_one(&self.pool)
            .await?,
            "n",
        )
    }

    /// Marks an alert of the firm seen — every one when `alert_id` is `None` — in the
    /// firm's journal as `actor`; returns how many.
    pub async fn mark_alerts_seen(
        &self,
        firm_id: Id,
        alert_id: Option<Id>,
        actor: &str,
    ) -> StoreResult<u64> {
        let mut w = self.write().await?;
        let done = sqlx::query(
            "UPDATE firm_alerts SET seen_at = $1 WHERE firm_id = $2 AND seen_at IS NULL \
             AND ($3 = 0 OR id = $3)",
        )
        .bind(ts_text(self.now()))
        .bind(firm_id)
        .bind(alert_id.unwrap_or(0))
        .execute(&mut *w.tx)
        .await?;
        crate::journal::append(
            &mut w.tx,
            firm_id,
            self.now(),
            actor,
            "alerts_seen",
            &serde_json::json!({ "alerts": done.rows_affected(), "alert_id": alert_id }),
        )
        .await?;
        w.commit().await?;
        Ok(done.rows_affected())
    }

    /// The alerts to e-mail now: raised since their last e-mail, which was at least
    /// `every` ago (or never), of firms with an owner who has an e-mail address; each
    /// with those addresses.
    pub async fn alerts_to_email(
        &self,
        every: jiff::SignedDuration,
    ) -> StoreResult<Vec<(Alert, Vec<String>)>> {
        let now = self.now();
        let since = ts_text(now.checked_sub(every).unwrap_or(now));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM firm_alerts WHERE \
             (emailed_at IS NULL OR (emailed_at <= $1 AND last_at > emailed_at)) \
             ORDER BY id LIMIT 100"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::new();
        for row in &rows {
            let alert = alert_from_row(row)?;
            let to = self.owner_emails(alert.firm_id).await?;
            if !to.is_empty() {
                due.push((alert, to));
            }
        }
        Ok(due)
    }

    /// Notes that the alert was e-mailed now.
    pub async fn mark_alert_emailed(&self, alert_id: Id) -> StoreResult<()> {
        let mut w = self.write().await?;
        sqlx::query("UPDATE firm_alerts SET emailed_at = $1 WHERE id = $2")
            .bind(ts_text(self.now()))
            .bind(alert_id)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }

    /// The e-mail addresses of the firm's owners who gave one.
    pub async fn owner_emails(&self, firm_id: Id) -> StoreResult<Vec<String>> {
        sqlx::query(
            "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.firm_id = $1 AND m.role = $2 AND u.email IS NOT NULL ORDER BY u.id",
        )
        .bind(firm_id)
        .bind(enum_key(&Role::Owner))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| get(r, "email"))
        .collect()
    }

    /// The user's e-mail address for alerts, if any.
    pub async fn user_email(&self, user_id: Id) -> StoreResult<Option<String>> {
        get(
            &sqlx::query("SELECT email FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::not_found("user"))?,
            "email",
        )
    }

    /// Sets (or, empty, clears) the user's e-mail address for alerts; a malformed one is
    /// refused on field `email`.
    pub async fn set_user_email(&self, user_id: Id, email: &str) -> StoreResult<()> {
        let email = match email.trim() {
            "" => None,
            text => Some(validate_email("email", text).map_err(StoreError::from)?),
        };
        self.update_user(user_id, "UPDATE users SET email = $1 WHERE id = $2", email)
            .await
    }
}
