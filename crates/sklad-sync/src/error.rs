//! [`SyncError`]: what a bridge call can fail with, with a stable code and the text in
//! Bulgarian and English. Never contains an API key, a token or a database URL.

use sklad_store::StoreError;

use crate::secret::SecretError;

/// Why a bridge call failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Storage refused or failed (validation errors carry their fields).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The shop refused or could not be reached.
    #[error(transparent)]
    Shop(#[from] cloudcart::Error),
    /// The connection has no API key stored (a restored one asks for it again).
    #[error("the connection has no API key")]
    NoKey,
    /// A stored secret does not open with the server's key.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The job was cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// The result of every bridge call.
pub type SyncResult<T> = Result<T, SyncError>;

impl SyncError {
    /// Stable code (`validation`, `not_found`, `cloudcart.unauthorized`, …).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Store(e) => e.code(),
            SyncError::Shop(e) => e.code(),
            SyncError::NoKey => "api_key_needed",
            SyncError::Secret(_) => "secret_unreadable",
            SyncError::Cancelled => "cancelled",
        }
    }

    /// The message in Bulgarian.
    pub fn message_bg(&self) -> String {
        match self {
            SyncError::Store(e) => e.message_bg(),
            SyncError::Shop(e) => e.message_bg(),
            SyncError::NoKey => "Връзката няма API ключ: въведете го отново от магазина \
                (Настройки → API ключове)."
                .into(),
            SyncError::Secret(_) => "Запазеният API ключ не може да бъде прочетен с ключа за \
                шифриране на сървъра (сменен ли е файлът с ключа?). Въведете API ключа отново."
                .into(),
            SyncError::Cancelled => "Задачата е отказана.".into(),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            SyncError::Store(e) => e.message_en(),
            SyncError::Shop(e) => e.message_en(),
            SyncError::NoKey => "The connection has no API key: enter it again from the shop \
                (Settings → Api keys)."
                .into(),
            SyncError::Secret(_) => "The stored API key cannot be read with the server's \
                encryption key (was the key file replaced?). Enter the API key again."
                .into(),
            SyncError::Cancelled => "The job was cancelled.".into(),
        }
    }

    /// The job error a failed job records: for refused input, the first field error's
    /// code and every field error on a line of its own.
    pub fn to_job_error(&self) -> sklad_store::shops::JobError {
        if let Some(v) = match self {
            SyncError::Store(e) => e.validation(),
            _ => None,
        } {
            let lines = |text: fn(&sklad_domain::FieldError) -> &str| {
                v.errors
                    .iter()
                    .map(|e| format!("{} [{}: {}]", text(e), e.field, e.code))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            return sklad_store::shops::JobError {
                code: v.errors.first().map_or("validation", |e| e.code).to_owned(),
                message_bg: lines(|e| &e.message_bg),
                message_en: lines(|e| &e.message_en),
            };
        }
        sklad_store::shops::JobError {
            code: self.code().to_owned(),
            message_bg: self.message_bg(),
            message_en: self.message_en(),
        }
    }
}
