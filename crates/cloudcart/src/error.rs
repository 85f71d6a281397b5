//! Typed client errors, each with a stable code and a message a merchant can act on, in
//! Bulgarian and English. No message ever contains the API key.

use crate::jsonapi::ApiError;
use std::time::Duration;

/// One validation problem reported by the shop (`422`/`400`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer into the request body (`/data/attributes/quantity`), when given.
    pub pointer: Option<String>,
    /// Query parameter at fault (`page[size]`, `include`), when given.
    pub parameter: Option<String>,
    /// The shop's title.
    pub title: String,
    /// The shop's detail text.
    pub detail: Option<String>,
}

impl From<&ApiError> for Problem {
    fn from(e: &ApiError) -> Self {
        let source = e.source.clone().unwrap_or_default();
        Self {
            pointer: source.pointer,
            parameter: source.parameter,
            title: e.title.clone().unwrap_or_default(),
            detail: e.detail.clone(),
        }
    }
}

impl Problem {
    fn describe(&self) -> String {
        let at = self
            .pointer
            .as_deref()
            .or(self.parameter.as_deref())
            .unwrap_or("-");
        match &self.detail {
            Some(d) => format!("{at}: {d}"),
            None => format!("{at}: {}", self.title),
        }
    }
}

/// Everything that can go wrong talking to a CloudCart shop.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The client configuration is unusable (bad URL, scheme, empty key…).
    #[error("{}", self.message_en())]
    InvalidConfig {
        /// What is wrong, in English.
        reason_en: String,
        /// What is wrong, in Bulgarian.
        reason_bg: String,
    },
    /// An argument passed to the client is unusable (e.g. an empty id); nothing was sent.
    #[error("{}", self.message_en())]
    InvalidInput {
        /// The argument.
        field: &'static str,
        /// What is wrong, in English.
        reason: String,
    },
    /// `401`: the API key is missing, wrong or deactivated.
    #[error("{}", self.message_en())]
    Unauthorized,
    /// `404` on a collection: the host is not a CloudCart shop's domain.
    #[error("{}", self.message_en())]
    UnknownShop {
        /// The host that was tried.
        host: String,
    },
    /// The shop's plan has no API access (rate limit 0). Nothing more is sent.
    #[error("{}", self.message_en())]
    NoApiOnPlan,
    /// `402`: subscription expired / past due, or a plan cap was hit.
    #[error("{}", self.message_en())]
    PlanLimit {
        /// The shop's explanation, when given.
        detail: Option<String>,
    },
    /// `422` (or `400`): the shop refused the request's content.
    #[error("{}", self.message_en())]
    Validation {
        /// The HTTP status (422 or 400).
        status: u16,
        /// The problems, with pointers.
        problems: Vec<Problem>,
    },
    /// `404` for a record.
    #[error("{}", self.message_en())]
    NotFound {
        /// The request path.
        path: String,
    },
    /// The shop lacks the app this resource needs ("… app not installed").
    #[error("{}", self.message_en())]
    FeatureAbsent {
        /// The shop's text.
        detail: String,
    },
    /// `429` from the shop's limiter, still refused after the allowed waits.
    #[error("{}", self.message_en())]
    RateLimited {
        /// How long the shop asked to wait.
        retry_after: Duration,
    },
    /// An HTML `429` or a `403` from the platform's anti-abuse layer.
    #[error("{}", self.message_en())]
    AntiAbuse {
        /// The HTTP status.
        status: u16,
    },
    /// `5xx`, maintenance, timeouts or connection errors after every retry.
    #[error("{}", self.message_en())]
    Unavailable {
        /// The last HTTP status, when a response arrived.
        status: Option<u16>,
        /// The last failure, in English (a `500` body's `details` log id is included).
        reason: String,
    },
    /// Any other refusal (`405`, `406`, `415`, unexpected `4xx`).
    #[error("{}", self.message_en())]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The shop's title and detail.
        text: String,
    },
    /// The shop's answer could not be decoded.
    #[error("{}", self.message_en())]
    Decode {
        /// JSON path of the offending value (e.g. `data[3].attributes.price`).
        path: String,
        /// What was wrong there.
        message: String,
    },
}

impl Error {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidConfig { .. } => "cloudcart.invalid_config",
            Self::InvalidInput { .. } => "cloudcart.invalid_input",
            Self::Unauthorized => "cloudcart.unauthorized",
            Self::UnknownShop { .. } => "cloudcart.unknown_shop",
            Self::NoApiOnPlan => "cloudcart.no_api_on_plan",
            Self::PlanLimit { .. } => "cloudcart.plan_limit",
            Self::Validation { .. } => "cloudcart.validation",
            Self::NotFound { .. } => "cloudcart.not_found",
            Self::FeatureAbsent { .. } => "cloudcart.feature_absent",
            Self::RateLimited { .. } => "cloudcart.rate_limited",
            Self::AntiAbuse { .. } => "cloudcart.anti_abuse",
            Self::Unavailable { .. } => "cloudcart.unavailable",
            Self::Rejected { .. } => "cloudcart.rejected",
            Self::Decode { .. } => "cloudcart.decode",
        }
    }

    /// Whether trying again later may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::AntiAbuse { .. }
        )
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::InvalidConfig { reason_en, .. } => {
                format!("The CloudCart connection settings are invalid: {reason_en}.")
            }
            Self::InvalidInput { field, reason } => {
                format!("Invalid value for {field}: {reason}. Nothing was sent to the shop.")
            }
            Self::Unauthorized => "The shop refused the API key. Check the key in CloudCart \
                (Settings → Api keys): it must exist and be active."
                .to_owned(),
            Self::UnknownShop { host } => {
                format!("No CloudCart shop answers at {host}. Use the shop's primary domain.")
            }
            Self::NoApiOnPlan => "The shop's plan has no API access — upgrade above STARTUP \
                (or use the shop's primary domain)."
                .to_owned(),
            Self::PlanLimit { detail } => format!(
                "The shop's CloudCart subscription does not allow this (expired, past due or \
                 a plan limit reached){}. Renew or upgrade the plan.",
                detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ),
            Self::Validation { problems, .. } => format!(
                "The shop rejected the data: {}.",
                problems
                    .iter()
                    .map(Problem::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Self::NotFound { path } => format!("The shop has no record at {path}."),
            Self::FeatureAbsent { detail } => {
                format!("The shop does not have the CloudCart app this needs ({detail}).")
            }
            Self::RateLimited { retry_after } => format!(
                "The shop's API request limit is exhausted; try again in {} s or buy a \
                 bigger plan or request pack.",
                retry_after.as_secs()
            ),
            Self::AntiAbuse { status } => format!(
                "CloudCart's anti-abuse protection blocked the requests (HTTP {status}). Wait a \
                 few minutes; if it persists, contact CloudCart support."
            ),
            Self::Unavailable { status, reason } => format!(
                "The shop is not reachable right now{} ({reason}). Try again later.",
                status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
            ),
            Self::Rejected { status, text } => {
                format!("The shop refused the request (HTTP {status}): {text}.")
            }
            Self::Decode { path, message } => {
                format!("The shop's answer could not be read at {path}: {message}.")
            }
        }
    }

    /// The message in Bulgarian.
    pub fn message_bg(&self) -> String {
        match self {
            Self::InvalidConfig { reason_bg, .. } => {
                format!("Настройките за връзка с CloudCart са невалидни: {reason_bg}.")
            }
            Self::InvalidInput { field, reason } => format!(
                "Невалидна стойност за {field}: {reason}. Нищо не е изпратено към магазина."
            ),
            Self::Unauthorized => "Магазинът отказа API ключа. Проверете ключа в CloudCart \
                (Настройки → API ключове): трябва да съществува и да е активен."
                .to_owned(),
            Self::UnknownShop { host } => format!(
                "На адрес {host} няма CloudCart магазин. Използвайте основния домейн на магазина."
            ),
            Self::NoApiOnPlan => "Планът на магазина няма достъп до API — преминете на план \
                над STARTUP (или използвайте основния домейн на магазина)."
                .to_owned(),
            Self::PlanLimit { detail } => format!(
                "Абонаментът на магазина в CloudCart не позволява това (изтекъл, неплатен или \
                 достигнат лимит на плана){}. Подновете или надградете плана.",
                detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ),
            Self::Validation { problems, .. } => format!(
                "Магазинът отхвърли данните: {}.",
                problems
                    .iter()
                    .map(Problem::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Self::NotFound { path } => format!("Магазинът няма запис на {path}."),
            Self::FeatureAbsent { detail } => format!(
                "В магазина липсва приложението на CloudCart, което е нужно за това ({detail})."
            ),
            Self::RateLimited { retry_after } => format!(
                "Лимитът на заявки към API на магазина е изчерпан; опитайте отново след {} s \
                 или вземете по-голям план или пакет заявки.",
                retry_after.as_secs()
            ),
            Self::AntiAbuse { status } => format!(
                "Защитата от злоупотреби на CloudCart блокира заявките (HTTP {status}). \
                 Изчакайте няколко минути; ако продължава, свържете се с поддръжката на CloudCart."
            ),
            Self::Unavailable { status, reason } => format!(
                "Магазинът в момента не е достъпен{} ({reason}). Опитайте отново по-късно.",
                status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
            ),
            Self::Rejected { status, text } => {
                format!("Магазинът отказа заявката (HTTP {status}): {text}.")
            }
            Self::Decode { path, message } => {
                format!("Отговорът на магазина не може да бъде прочетен при {path}: {message}.")
            }
        }
    }

    pub(crate) fn config(reason_en: impl Into<String>, reason_bg: impl Into<String>) -> Self {
        Self::InvalidConfig {
            reason_en: reason_en.into(),
            reason_bg: reason_bg.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_and_both_messages() {
        let all = [
            Error::config("x", "x"),
            Error::InvalidInput {
                field: "id",
                reason: "empty".into(),
            },
            Error::Unauthorized,
            Error::UnknownShop {
                host: "a.bg".into(),
            },
            Error::NoApiOnPlan,
            Error::PlanLimit { detail: None },
            Error::Validation {
                status: 422,
                problems: vec![],
            },
            Error::NotFound { path: "/x".into() },
            Error::FeatureAbsent {
                detail: "stores app not installed".into(),
            },
            Error::RateLimited {
                retry_after: Duration::from_secs(60),
            },
            Error::AntiAbuse { status: 403 },
            Error::Unavailable {
                status: Some(503),
                reason: "maintenance".into(),
            },
            Error::Rejected {
                status: 405,
                text: "Method Not Allowed".into(),
            },
            Error::Decode {
                path: "data".into(),
                message: "bad".into(),
            },
        ];
        let mut codes = std::collections::HashSet::new();
        for e in &all {
            assert!(codes.insert(e.code()), "duplicate code {}", e.code());
            assert!(!e.message_bg().is_empty() && !e.message_en().is_empty());
            assert_eq!(e.to_string(), e.message_en());
        }
        assert!(Error::NoApiOnPlan
            .message_en()
            .contains("upgrade above STARTUP"));
        assert!(Error::NoApiOnPlan.message_bg().contains("STARTUP"));
    }

    #[test]
    fn validation_messages_carry_the_pointers() {
        let e = Error::Validation {
            status: 422,
            problems: vec![Problem {
                pointer: Some("/data/attributes/qty".into()),
                parameter: None,
                title: "Unprocessable Entity".into(),
                detail: Some("The qty field is required.".into()),
            }],
        };
        assert!(e
            .message_en()
            .contains("/data/attributes/qty: The qty field is required."));
        assert!(e.message_bg().contains("/data/attributes/qty"));
    }
}
