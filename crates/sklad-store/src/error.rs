//! [`StoreError`]: what a store call can fail with. Never contains a database URL,
//! password, token or SQL parameter values.

use sklad_domain::{FieldError, ValidationErrors};

/// The result of every store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input is wrong (bad field, duplicate code, unknown good, seats exceeded,
    /// converting an order twice …). Nothing was written.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The record does not exist in this firm (records of other firms are not found
    /// either).
    #[error("{entity} not found")]
    NotFound {
        /// Stable entity key: `firm`, `user`, `object`, `good`, `partner`,
        /// `payment_type`, `operation`, `api_token`, `session`, `shop_connection`,
        /// `shop_job`, `shop_link`, `shop_order`.
        entity: &'static str,
    },
    /// A backup archive that cannot be restored (corrupt, truncated, tampered, wrong
    /// format or version). Nothing was written.
    #[error("invalid backup archive: {message_en}")]
    Archive {
        /// Stable code: `archive_corrupt`, `archive_checksum`, `archive_format`,
        /// `archive_version`.
        code: &'static str,
        /// Message in Bulgarian.
        message_bg: String,
        /// Message in English.
        message_en: String,
    },
    /// The database failed. The text names the failure, never the connection details.
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    /// Stable machine code: `validation`, `not_found`, the archive code, or `database`.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Validation(_) => "validation",
            StoreError::NotFound { .. } => "not_found",
            StoreError::Archive { code, .. } => code,
            StoreError::Database(_) => "database",
        }
    }

    /// Message in Bulgarian.
    pub fn message_bg(&self) -> String {
        match self {
            StoreError::Validation(v) => v
                .errors
                .iter()
                .map(|e| e.message_bg.clone())
                .collect::<Vec<_>>()
                .join(" "),
            StoreError::NotFound { entity } => {
                format!("Не е намерен(а) {}.", entity_label_bg(entity))
            }
            StoreError::Archive { message_bg, .. } => message_bg.clone(),
            StoreError::Database(_) => "Грешка в базата данни.".to_owned(),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            StoreError::Validation(v) => v
                .errors
                .iter()
                .map(|e| e.message_en.clone())
                .collect::<Vec<_>>()
                .join(" "),
            StoreError::NotFound { entity } => format!("{} not found.", entity_label_en(entity)),
            StoreError::Archive { message_en, .. } => message_en.clone(),
            StoreError::Database(_) => "Database error.".to_owned(),
        }
    }

    /// The validation errors, when this is a validation failure.
    pub fn validation(&self) -> Option<&ValidationErrors> {
        match self {
            StoreError::Validation(v) => Some(v),
            _ => None,
        }
    }

    /// A `NotFound` of `entity` (one of the keys documented on the variant).
    pub fn not_found(entity: &'static str) -> Self {
        StoreError::NotFound { entity }
    }

    pub(crate) fn archive(
        code: &'static str,
        bg: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        StoreError::Archive {
            code,
            message_bg: bg.into(),
            message_en: en.into(),
        }
    }
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Validation(e.into())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // sqlx errors never carry the URL; database messages may quote values, so
        // only the kind and the constraint are kept.
        let text = match &e {
            sqlx::Error::Database(db) => format!(
                "{:?} (code {}) {}",
                db.kind(),
                db.code().unwrap_or_default(),
                db.constraint().unwrap_or_default()
            )
            .trim_end()
            .to_owned(),
            sqlx::Error::Configuration(_) => "configuration".to_owned(),
            sqlx::Error::Io(io) => format!("io: {}", io.kind()),
            sqlx::Error::Tls(_) => "tls".to_owned(),
            sqlx::Error::PoolTimedOut => "pool timed out".to_owned(),
            sqlx::Error::PoolClosed => "pool closed".to_owned(),
            sqlx::Error::RowNotFound => "row not found".to_owned(),
            sqlx::Error::ColumnDecode { index, .. } => format!("decode column {index}"),
            sqlx::Error::ColumnNotFound(c) => format!("column not found {c}"),
            sqlx::Error::Migrate(m) => format!("migrate: {m}"),
            other => other.to_string(),
        };
        StoreError::Database(text)
    }
}

fn entity_label_bg(entity: &str) -> &'static str {
    match entity {
        "firm" => "фирма",
        "user" => "потребител",
        "object" => "обект",
        "good" => "стока",
        "partner" => "партньор",
        "payment_type" => "тип плащане",
        "operation" => "операция",
        "api_token" => "API ключ",
        "session" => "сесия",
        "shop_connection" => "връзка с ел. магазин",
        "shop_job" => "задача",
        "shop_link" => "връзка между стока и вариант",
        "shop_order" => "поръчка от магазина",
        _ => "запис",
    }
}

fn entity_label_en(entity: &str) -> &'static str {
    match entity {
        "firm" => "Firm",
        "user" => "User",
        "object" => "Object",
        "good" => "Good",
        "partner" => "Partner",
        "payment_type" => "Payment type",
        "operation" => "Operation",
        "api_token" => "API token",
        "session" => "Session",
        "shop_connection" => "E-shop connection",
        "shop_job" => "Job",
        "shop_link" => "Link between good and variant",
        "shop_order" => "Shop order",
        _ => "Record",
    }
}
