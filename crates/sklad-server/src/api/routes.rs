//! One list makes both the router and the OpenAPI document: every route is added
//! through [`ApiBuilder::add`] together with its description, so the two cannot drift.

use axum::handler::Handler;
use axum::routing::{on, MethodFilter};
use axum::Router;

use crate::AppState;

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// Lower-case name as OpenAPI writes it.
    pub fn key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Patch => MethodFilter::PATCH,
            Method::Delete => MethodFilter::DELETE,
        }
    }
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, no token.
    Public,
    /// Any member of the firm (owner or operator).
    Member,
    /// The firm's owner only; operators get 403.
    Owner,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    /// In the path, e.g. `{id}`.
    Path,
    /// In the query string.
    Query,
}

/// One documented parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Name as sent.
    pub name: &'static str,
    /// Path or query.
    pub location: ParamIn,
    /// JSON-schema type: `integer`, `string`, `boolean`.
    pub kind: &'static str,
    /// Whether it must be given.
    pub required: bool,
    /// What it means.
    pub description: &'static str,
    /// The smallest and largest whole number accepted (integers); `None` for the
    /// defaults by name: ids (`id`, `…_id`) from 1, `offset` from 0.
    pub range: Option<(i64, i64)>,
    /// Further schema keywords of the value the server accepts (an enum, a format,
    /// a pattern), merged into `{"type": kind}`.
    pub accepts: Option<fn() -> serde_json::Value>,
}

impl Param {
    /// A required path parameter.
    pub const fn path(name: &'static str, kind: &'static str, description: &'static str) -> Self {
        Param {
            name,
            location: ParamIn::Path,
            kind,
            required: true,
            description,
            range: None,
            accepts: None,
        }
    }

    /// An optional query parameter.
    pub const fn query(name: &'static str, kind: &'static str, description: &'static str) -> Self {
        Param {
            name,
            location: ParamIn::Query,
            kind,
            required: false,
            description,
            range: None,
            accepts: None,
        }
    }

    /// A required query parameter.
    pub const fn query_required(
        name: &'static str,
        kind: &'static str,
        description: &'static str,
    ) -> Self {
        Param {
            name,
            location: ParamIn::Query,
            kind,
            required: true,
            description,
            range: None,
            accepts: None,
        }
    }

    /// Accepts only whole numbers from `min` to `max`.
    pub const fn range(mut self, min: i64, max: i64) -> Self {
        self.range = Some((min, max));
        self
    }

    /// Accepts only what `schema` says (keywords merged into the parameter's schema).
    pub const fn accepts(mut self, schema: fn() -> serde_json::Value) -> Self {
        self.accepts = Some(schema);
        self
    }

    /// The accepted range of an integer parameter: its own, or the default by name (ids
    /// from 1, `offset` from 0).
    pub fn bounds(&self) -> Option<(i64, i64)> {
        if self.kind != "integer" {
            return None;
        }
        self.range
            .or(if self.name == "id" || self.name.ends_with("_id") {
                Some((1, i64::MAX))
            } else if self.name == "offset" {
                Some((0, i64::MAX))
            } else {
                None
            })
    }
}

/// A request or response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// JSON of the named component schema.
    Json(&'static str),
    /// JSON of the named component schema, or no body at all.
    OptionalJson(&'static str),
    /// A JSON array of the named component schema.
    JsonList(&'static str),
    /// A firm archive (`application/gzip`).
    Archive,
    /// A CSV file (`text/csv; charset=utf-8`), e.g. a job's result rows.
    Csv,
    /// No body.
    Empty,
}

/// Everything the document says about one (method, path).
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// HTTP method.
    pub method: Method,
    /// Path below `/api/v1`, in axum and OpenAPI syntax alike (`/goods/{id}`).
    pub path: &'static str,
    /// Stable operation id.
    pub operation_id: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
    /// Group in the document.
    pub tag: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Path and query parameters.
    pub params: Vec<Param>,
    /// Request body.
    pub request: Body,
    /// Success status.
    pub status: u16,
    /// Success body.
    pub response: Body,
}

impl Endpoint {
    /// A member endpoint answering 200 with no body yet; path parameters (`{id}` and
    /// `{…_id}` as integers, any other `{name}` as a string) are documented from the path.
    pub fn new(
        method: Method,
        path: &'static str,
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        let params = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| {
                if name == "id" || name.ends_with("_id") {
                    Param::path(name, "integer", "Record id.")
                } else {
                    Param::path(name, "string", "Text from the path.")
                }
            })
            .collect();
        Endpoint {
            method,
            path,
            operation_id,
            summary,
            tag,
            access: Access::Member,
            params,
            request: Body::Empty,
            status: 200,
            response: Body::Empty,
        }
    }

    /// Only the firm's owner may call it.
    pub fn owner(mut self) -> Self {
        self.access = Access::Owner;
        self
    }

    /// Anyone may call it, without a token.
    pub fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    /// Adds a query parameter.
    pub fn param(mut self, param: Param) -> Self {
        self.params.push(param);
        self
    }

    /// Adds the paging query parameters `limit` and `offset`.
    pub fn paged(self) -> Self {
        self.param(
            Param::query("limit", "integer", "Page size, 1–500 (default 50).")
                .range(1, super::extract::MAX_LIMIT),
        )
        .param(Param::query(
            "offset",
            "integer",
            "Records to skip (default 0).",
        ))
    }

    /// Sets the request body.
    pub fn request(mut self, body: Body) -> Self {
        self.request = body;
        self
    }

    /// Sets the success status and body.
    pub fn response(mut self, status: u16, body: Body) -> Self {
        self.status = status;
        self.response = body;
        self
    }
}

/// Collects routes and their descriptions together.
pub struct ApiBuilder {
    router: Router<AppState>,
    endpoints: Vec<Endpoint>,
}

impl Default for ApiBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiBuilder {
    /// An empty API.
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            endpoints: Vec::new(),
        }
    }

    /// Adds `handler` at the endpoint's method and path, and the endpoint to the document.
    pub fn add<H, T>(mut self, endpoint: Endpoint, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self
            .router
            .route(endpoint.path, on(endpoint.method.filter(), handler));
        self.endpoints.push(endpoint);
        self
    }

    /// The router and the endpoint list.
    pub fn finish(self) -> (Router<AppState>, Vec<Endpoint>) {
        (self.router, self.endpoints)
    }
}
