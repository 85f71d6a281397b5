//! Validation errors: a stable machine code, the field path, and the message in
//! Bulgarian and English. Every layer (API, pages, CLI) shows these as they are.

use serde::Serialize;

/// One problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Path of the offending field, e.g. `lines[2].quantity` or `eik`.
    pub field: String,
    /// Stable code, e.g. `eik_invalid`, `code_duplicate`. Never translated.
    pub code: &'static str,
    /// Message in Bulgarian.
    pub message_bg: String,
    /// Message in English.
    pub message_en: String,
}

impl FieldError {
    /// An error of `field` with a stable `code` and its Bulgarian and English text.
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        message_bg: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            message_bg: message_bg.into(),
            message_en: message_en.into(),
        }
    }

    /// The same error moved under a parent path: `quantity` → `lines[2].quantity`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_owned()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }

    /// The field is missing or empty (`required`).
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(
            field,
            "required",
            "Полето е задължително.",
            "This field is required.",
        )
    }
}

/// All problems found in one input; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message_en)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors {
    /// The problems, in the order they were found.
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(value)` when nothing was pushed, otherwise `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Adds the error of `result` (if any) and returns its value.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self {
            errors: vec![error],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_nest_under_their_parent_and_collect() {
        let e = FieldError::required("quantity").within("lines[2]");
        assert_eq!(e.field, "lines[2].quantity");
        assert_eq!(
            FieldError::required("[0]").within("barcodes").field,
            "barcodes[0]"
        );
        assert_eq!(FieldError::required("").within("eik").field, "eik");
        let mut all = ValidationErrors::new();
        assert_eq!(all.check(Ok::<_, FieldError>(5)), Some(5));
        assert!(all.is_empty());
        assert_eq!(all.check::<i32>(Err(e)), None);
        let err = all.into_result(()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: lines[2].quantity: This field is required."
        );
    }
}
