//! Request extractors whose rejections are the API's error shape, never axum's plain
//! text: JSON bodies (malformed → 400, wrong types/unknown fields → 422 with the field
//! path), query strings and path ids.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sklad_domain::{FieldError, Id, ValidationErrors};
use std::collections::HashMap;

use crate::error::ApiError;

/// A JSON body decoded into `T`.
///
/// Malformed JSON is a 400 `json_malformed`; JSON of the wrong shape (a string where a
/// number belongs, an unknown enum value or field) is a 422 whose field carries the
/// path, e.g. `lines[0].good_id`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::body_too_large())?;
        decode_json(&bytes).map(ApiJson)
    }
}

/// The raw request body (e.g. a firm archive); too large a body is a 413 in the API's
/// error shape.
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|_| ApiError::body_too_large())
    }
}

/// `true`, for `#[serde(default = "default_true")]` on flags such as `active`.
pub fn default_true() -> bool {
    true
}

/// JSON Schema counts `416.0` as the integer 416, and so do we: such a number reaches
/// the request's types as an integer (a decimal field reads it as `416` either way).
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let integral = n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && (-9.2e18..=9.2e18).contains(f));
            if let Some(f) = integral {
                // Exact: an integral double in this range is a whole i64.
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// Decodes a JSON document into `T` with the API's errors.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::malformed_json(&format!("line {}, column {}", e.line(), e.column()))
    })?;
    integral_numbers_as_integers(&mut value);
    if let Some(field) = nul_text_at(&value, "") {
        // PostgreSQL cannot store NUL in text; no client means to send it.
        return Err(ApiError::validation(
            FieldError::new(
                field,
                "text_nul",
                "Текстът съдържа забранения знак NUL (\\u0000).",
                "The text contains the forbidden NUL character (\\u0000).",
            )
            .into(),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        let detail = e.into_inner().to_string();
        ApiError::validation(
            FieldError::new(
                field,
                "type_invalid",
                format!("Неочаквана стойност или тип: {detail}."),
                format!("Unexpected value or type: {detail}."),
            )
            .into(),
        )
    })
}

/// The path (`lines[0].note`) of the first string or key holding a NUL character.
fn nul_text_at(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_text_at(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(at)
            } else {
                nul_text_at(v, &at)
            }
        }),
        _ => None,
    }
}

/// The query string as name → value, with typed getters that collect errors under the
/// parameter's name.
#[derive(Debug, Default)]
pub struct QueryParams {
    values: HashMap<String, String>,
    errors: ValidationErrors,
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let values: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some((name, _)) = values
            .iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(ApiError::bad_parameters(
                FieldError::new(
                    name.replace('\0', ""),
                    "text_nul",
                    "Параметърът съдържа забранения знак NUL.",
                    "The parameter contains the forbidden NUL character.",
                )
                .into(),
            ));
        }
        Ok(QueryParams {
            values,
            errors: ValidationErrors::new(),
        })
    }
}

/// Default page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size accepted.
pub const MAX_LIMIT: i64 = 500;

impl QueryParams {
    /// A parameter as text, blank treated as absent.
    pub fn text(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A parameter as an integer within `range`.
    pub fn int(&mut self, name: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        let text = self.text(name)?;
        match text.parse::<i64>() {
            Ok(v) if range.contains(&v) => Some(v),
            _ => {
                self.errors.push(FieldError::new(
                    name,
                    "parameter_invalid",
                    format!(
                        "Очаква се цяло число между {} и {}.",
                        range.start(),
                        range.end()
                    ),
                    format!(
                        "Expected a whole number from {} to {}.",
                        range.start(),
                        range.end()
                    ),
                ));
                None
            }
        }
    }

    /// A parameter that is `true` or `false`.
    pub fn bool(&mut self, name: &str) -> Option<bool> {
        match self.text(name)?.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                self.errors.push(FieldError::new(
                    name,
                    "parameter_invalid",
                    "Очаква се true или false.",
                    "Expected true or false.",
                ));
                None
            }
        }
    }

    /// A parameter that is one of the keys `parse` recognises.
    pub fn key<T>(
        &mut self,
        name: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.text(name)?;
        match parse(&text) {
            Some(v) => Some(v),
            None => {
                self.errors.push(FieldError::new(
                    name,
                    "parameter_invalid",
                    format!("Позволени стойности: {}.", allowed.join(", ")),
                    format!("Allowed values: {}.", allowed.join(", ")),
                ));
                None
            }
        }
    }

    /// A date parameter, `2026-11-28` or `28.11.2026`.
    pub fn date(&mut self, name: &str) -> Option<jiff::civil::Date> {
        let text = self.text(name)?;
        self.errors
            .check(sklad_domain::date::parse_date(name, &text))
    }

    /// A comma-separated list of ids, e.g. `object_ids=1,2`.
    pub fn ids(&mut self, name: &str) -> Option<Vec<Id>> {
        let text = self.text(name)?;
        let parsed: Result<Vec<Id>, _> = text
            .split(',')
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<Id>())
            .collect();
        match parsed {
            Ok(ids) if !ids.is_empty() => Some(ids),
            _ => {
                self.errors.push(FieldError::new(
                    name,
                    "parameter_invalid",
                    "Очаква се списък от номера, разделени със запетая (напр. 1,2).",
                    "Expected a comma-separated list of ids (e.g. 1,2).",
                ));
                None
            }
        }
    }

    /// `limit` (1..=500, default 50) and `offset` (≥ 0, default 0).
    pub fn paging(&mut self) -> (i64, i64) {
        let limit = self.int("limit", 1..=MAX_LIMIT).unwrap_or(DEFAULT_LIMIT);
        let offset = self.int("offset", 0..=i64::MAX).unwrap_or(0);
        (limit, offset)
    }

    /// A required parameter's absence, recorded.
    pub fn require<T>(&mut self, name: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && self.text(name).is_none() {
            self.errors.push(FieldError::required(name));
        }
        value
    }

    /// Ends reading: any recorded problem is a 400 with every field.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::bad_parameters(self.errors))
        }
    }
}

/// A numeric record id from the path; anything else is a 404 (no such record).
#[derive(Debug, Clone, Copy)]
pub struct PathId(pub Id);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(text) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::no_route())?;
        text.parse::<Id>()
            .ok()
            .filter(|id| *id > 0)
            .map(PathId)
            .ok_or_else(|| ApiError::not_found("Запис", "Record"))
    }
}

/// The numeric record ids of a path with several, e.g. `/shops/{id}/jobs/{job_id}`, in
/// path order; anything else is a 404 (no such record).
#[derive(Debug, Clone, Copy)]
pub struct PathIds<const N: usize>(pub [Id; N]);

impl<S: Send + Sync, const N: usize> FromRequestParts<S> for PathIds<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(pairs) =
            axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::no_route())?;
        if pairs.len() != N {
            return Err(ApiError::no_route());
        }
        let mut ids = [0; N];
        for (slot, (_, text)) in ids.iter_mut().zip(&pairs) {
            *slot = text
                .parse::<Id>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::not_found("Запис", "Record"))?;
        }
        Ok(PathIds(ids))
    }
}

/// A text segment from the path, e.g. a code in `/goods/by-code/{code}`.
#[derive(Debug, Clone)]
pub struct PathText(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathText {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::no_route())
            .and_then(|axum::extract::Path(text)| {
                // No record's code holds NUL (and PostgreSQL text cannot).
                if text.contains('\0') {
                    Err(ApiError::not_found("Запис", "Record"))
                } else {
                    Ok(PathText(text))
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        good_id: i64,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        lines: Vec<Line>,
    }

    #[test]
    fn malformed_json_is_400() {
        let err = decode_json::<Doc>(b"{\"lines\": [").unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.code, "json_malformed");
    }

    #[test]
    fn wrong_type_names_the_field_path() {
        let err =
            decode_json::<Doc>(br#"{"lines": [{"good_id": 1}, {"good_id": "x"}]}"#).unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.fields[0].field, "lines[1].good_id");
        assert_eq!(err.fields[0].code, "type_invalid");
    }

    /// JSON Schema's integers include `416.0`; a fraction stays refused.
    #[test]
    fn integral_numbers_are_integers() {
        let doc =
            decode_json::<Doc>(br#"{"lines": [{"good_id": 416.0}, {"good_id": 2e3}]}"#).unwrap();
        assert_eq!(doc.lines[0].good_id, 416);
        assert_eq!(doc.lines[1].good_id, 2000);
        let err = decode_json::<Doc>(br#"{"lines": [{"good_id": 416.5}]}"#).unwrap_err();
        assert_eq!(err.fields[0].field, "lines[0].good_id");
        let err = decode_json::<Doc>(br#"{"lines": [{"good_id": 1e300}]}"#).unwrap_err();
        assert_eq!(err.fields[0].code, "type_invalid");
    }

    #[test]
    fn nul_characters_are_refused_with_their_path() {
        let err =
            decode_json::<serde_json::Value>(br#"{"lines": [{"note": "a\u0000b"}]}"#).unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.fields[0].field, "lines[0].note");
        assert_eq!(err.fields[0].code, "text_nul");
    }

    #[test]
    fn unknown_field_is_422() {
        let err = decode_json::<Doc>(br#"{"lines": [], "extra": 1}"#).unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
