//! The API's one error shape and the one place that maps store and domain errors to
//! HTTP status codes.
//!
//! Every error response, whatever went wrong, is
//! `{"error": {"code", "message_bg", "message_en", "fields": [{"field", "code",
//! "message_bg", "message_en"}]}}`.

#![warn(missing_docs)]

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sklad_domain::{FieldError, ValidationErrors};
use sklad_store::StoreError;
use sklad_sync::SyncError;

/// An error answered to an API client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code, never translated.
    pub code: &'static str,
    /// Message in Bulgarian.
    pub message_bg: String,
    /// Message in English.
    pub message_en: String,
    /// Problems with individual fields, with their paths.
    pub fields: Vec<FieldError>,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    /// The error itself.
    pub error: ErrorDetail<'a>,
}

/// The `error` object of [`ErrorBody`].
#[derive(Debug, Serialize)]
pub struct ErrorDetail<'a> {
    /// Stable machine code.
    pub code: &'a str,
    /// Message in Bulgarian.
    pub message_bg: &'a str,
    /// Message in English.
    pub message_en: &'a str,
    /// Field problems (possibly empty).
    pub fields: &'a [FieldError],
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error without field details.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message_bg: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message_bg: message_bg.into(),
            message_en: message_en.into(),
            fields: Vec::new(),
        }
    }

    /// The same error with field details.
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields = fields;
        self
    }

    /// 401: no token, or one that is unknown or revoked.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Нужен е валиден API ключ (Authorization: Bearer skl_…).",
            "A valid API token is required (Authorization: Bearer skl_…).",
        )
    }

    /// 403: the caller's role may not do this.
    pub fn owner_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Само собственикът на фирмата може да прави това.",
            "Only the firm's owner may do this.",
        )
    }

    /// 404 for a record that does not exist in the caller's firm.
    pub fn not_found(entity_bg: &str, entity_en: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{entity_bg}: няма такъв запис."),
            format!("{entity_en}: no such record."),
        )
    }

    /// 404 for a path the API does not have.
    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "route_not_found",
            "Няма такъв адрес в API-то (вижте /api/v1/openapi.json).",
            "The API has no such path (see /api/v1/openapi.json).",
        )
    }

    /// 405 for a known path with a method it does not accept.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Този адрес не приема този метод.",
            "This path does not accept this method.",
        )
    }

    /// 400: the body is not JSON at all.
    pub fn malformed_json(detail: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "json_malformed",
            format!("Тялото на заявката не е валиден JSON ({detail})."),
            format!("The request body is not valid JSON ({detail})."),
        )
    }

    /// 400: a query string or path parameter that cannot be read.
    pub fn bad_parameters(errors: ValidationErrors) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "parameters_invalid",
            "Невалидни параметри на заявката.",
            "Invalid request parameters.",
        )
        .with_fields(errors.errors)
    }

    /// 422: well-formed JSON whose content is not acceptable.
    pub fn validation(errors: ValidationErrors) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Данните не са валидни; вижте полетата.",
            "The data is not valid; see the fields.",
        )
        .with_fields(errors.errors)
    }

    /// 409: the data conflicts with what is stored (duplicate code, barcode, ЕИК …).
    pub fn conflict(errors: ValidationErrors) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "conflict",
            "Данните противоречат на вече записани; вижте полетата.",
            "The data conflicts with what is already stored; see the fields.",
        )
        .with_fields(errors.errors)
    }

    /// 413: the body is larger than the configured limit.
    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "Тялото на заявката е твърде голямо.",
            "The request body is too large.",
        )
    }

    /// 500: something failed on our side. The cause is logged, never shown.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Вътрешна грешка на сървъра. Опитайте отново.",
            "Internal server error. Please try again.",
        )
    }
}

/// Field codes that mean "this clashes with what is stored" (already exists, still in
/// use, already converted …): answered with 409 rather than 422.
fn is_conflict_code(code: &str) -> bool {
    code.ends_with("_duplicate")
        || code.ends_with("_in_use")
        || matches!(
            code,
            "order_converted"
                | "operation_converted"
                | "operation_annulled"
                | "changeover_already_eur"
                | "already_eur"
                | "last_owner"
                | "seats_exceeded"
                | "seats_for_connection"
                | "special_good_code_taken"
                | "job_running"
        )
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        if !errors.errors.is_empty() && errors.errors.iter().all(|e| is_conflict_code(e.code)) {
            ApiError::conflict(errors)
        } else {
            ApiError::validation(errors)
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ValidationErrors::from(error).into()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Validation(errors) => errors.into(),
            StoreError::Archive { code, .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                error.message_bg(),
                error.message_en(),
            ),
            StoreError::NotFound { .. } => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                error.message_bg(),
                error.message_en(),
            ),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

/// What the e-shop bridge fails with: storage as [`StoreError`]; a shop that refused
/// or could not be reached is a 502 with the client's stable code (`cloudcart.…`) and
/// text (never a key: the client's messages carry none); a connection without a usable
/// API key, or a cancelled job, conflicts with the stored state (409).
impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Store(e) => e.into(),
            SyncError::Shop(e) => {
                tracing::warn!(code = e.code(), "the shop refused or was unreachable");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    e.code(),
                    e.message_bg(),
                    e.message_en(),
                )
            }
            SyncError::NoKey => ApiError::new(
                StatusCode::CONFLICT,
                "api_key_needed",
                error.message_bg(),
                error.message_en(),
            ),
            SyncError::Secret(_) => ApiError::new(
                StatusCode::CONFLICT,
                "secret_unreadable",
                error.message_bg(),
                error.message_en(),
            ),
            SyncError::Cancelled => ApiError::new(
                StatusCode::CONFLICT,
                "cancelled",
                error.message_bg(),
                error.message_en(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message_bg: &self.message_bg,
                message_en: &self.message_en,
                fields: &self.fields,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(code: &'static str) -> FieldError {
        FieldError::new("code", code, "грешка", "error")
    }

    #[test]
    fn store_errors_map_to_their_status() {
        let status = |e: StoreError| ApiError::from(e).status;
        assert_eq!(
            status(field("required").into()),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status(field("code_duplicate").into()), StatusCode::CONFLICT);
        assert_eq!(status(field("good_in_use").into()), StatusCode::CONFLICT);
        assert_eq!(
            status(StoreError::NotFound { entity: "good" }),
            StatusCode::NOT_FOUND
        );
        let mixed = ValidationErrors {
            errors: vec![field("code_duplicate"), field("required")],
        };
        assert_eq!(
            status(StoreError::Validation(mixed)),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[test]
    fn bridge_errors_map_to_their_status() {
        let status = |e: SyncError| {
            let api = ApiError::from(e);
            assert!(!api.message_bg.is_empty() && !api.message_en.is_empty());
            (api.status, api.code)
        };
        assert_eq!(
            status(SyncError::NoKey),
            (StatusCode::CONFLICT, "api_key_needed")
        );
        assert_eq!(
            status(SyncError::Cancelled),
            (StatusCode::CONFLICT, "cancelled")
        );
        assert_eq!(
            status(SyncError::Store(StoreError::NotFound {
                entity: "shop_job"
            })),
            (StatusCode::NOT_FOUND, "not_found")
        );
        assert_eq!(
            status(SyncError::Store(field("job_running").into())),
            (StatusCode::CONFLICT, "conflict")
        );
    }

    #[test]
    fn database_errors_reveal_nothing() {
        let error = ApiError::from(StoreError::Database(
            "UniqueViolation users_login_key postgres://sklad:pw@db".into(),
        ));
        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.code, "internal");
        assert!(!format!("{error:?}").contains("pw@db"));
        assert!(error.fields.is_empty());
    }
}
