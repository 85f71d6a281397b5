//! JSON:API error documents (API.md §1.11–1.12).

use serde_json::{json, Value};

/// One JSON:API error, answered with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Short title ("Unprocessable Entity").
    pub title: String,
    /// Optional detail sentence.
    pub detail: Option<String>,
    /// JSON pointer into the request body.
    pub pointer: Option<String>,
    /// Query-string parameter at fault.
    pub parameter: Option<String>,
}

impl ApiError {
    /// An error with the standard title of `status`.
    pub fn new(status: u16) -> Self {
        let title = match status {
            400 => "Bad Request",
            401 => "Unauthenticated",
            402 => "Payment Required",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            415 => "Unsupported Media Type",
            422 => "Unprocessable Entity",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Maintenance mode",
            504 => "Gateway Timeout",
            _ => "Error",
        };
        Self {
            status,
            title: title.into(),
            detail: None,
            pointer: None,
            parameter: None,
        }
    }
    /// 422 with a detail and a body pointer.
    pub fn invalid(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(422).detail(detail).pointer(pointer)
    }
    /// 422 with a detail and a query parameter.
    pub fn bad_param(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut e = Self::new(422).detail(detail);
        e.parameter = Some(parameter.into());
        e
    }
    /// Set the detail.
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }
    /// Set the pointer.
    pub fn pointer(mut self, p: impl Into<String>) -> Self {
        self.pointer = Some(p.into());
        self
    }
    /// Set the title.
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = t.into();
        self
    }
    /// The error document.
    pub fn body(&self) -> Value {
        let mut e = json!({"status": self.status.to_string(), "title": self.title});
        if let Some(d) = &self.detail {
            e["detail"] = json!(d);
        }
        if let Some(p) = &self.pointer {
            e["source"] = json!({"pointer": p});
        } else if let Some(p) = &self.parameter {
            e["source"] = json!({"parameter": p});
        }
        json!({"errors": [e]})
    }
}
