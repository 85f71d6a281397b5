//! REST API under `/api/v1` (JSON, bearer tokens), described by the OpenAPI document at
//! `/api/v1/openapi.json`. Every route is declared once in a resource module through
//! [`routes::ApiBuilder`], which feeds the router and the document alike.

#![warn(missing_docs)]

mod admin;
pub mod auth;
pub mod decimal;
pub mod extract;
mod firm;
mod goods;
mod objects;
pub mod openapi;
mod operations;
mod partners;
mod payment_types;
pub mod routes;
mod shops;
mod stock;

use axum::Json;
use serde_json::{Map, Value};
use std::sync::OnceLock;

use crate::error::ApiError;
use crate::AppState;
use routes::{ApiBuilder, Body, Endpoint, Method};

pub use admin::backup_file_name;
pub use firm::generate_password;

/// Every endpoint of the API, in document order.
pub fn endpoints() -> Vec<Endpoint> {
    build().1
}

/// The OpenAPI 3.1 document of the API (built once).
pub fn openapi_document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| openapi::document(&endpoints(), schemas()))
}

fn schemas() -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(
        "OpenApiDocument".into(),
        serde_json::json!({"type": "object", "description": "An OpenAPI 3.1 document."}),
    );
    firm::schemas(&mut out);
    objects::schemas(&mut out);
    payment_types::schemas(&mut out);
    goods::schemas(&mut out);
    partners::schemas(&mut out);
    operations::schemas(&mut out);
    stock::schemas(&mut out);
    admin::schemas(&mut out);
    shops::schemas(&mut out);
    out
}

async fn openapi_json() -> Json<&'static Value> {
    Json(openapi_document())
}

fn build() -> (axum::Router<AppState>, Vec<Endpoint>) {
    let api = ApiBuilder::new().add(
        Endpoint::new(
            Method::Get,
            "/openapi.json",
            "getOpenApi",
            "meta",
            "This OpenAPI document (no token needed).",
        )
        .public()
        .response(200, Body::Json("OpenApiDocument")),
        openapi_json,
    );
    let api = firm::routes(api);
    let api = objects::routes(api);
    let api = payment_types::routes(api);
    let api = goods::routes(api);
    let api = partners::routes(api);
    let api = operations::routes(api);
    let api = stock::routes(api);
    let api = admin::routes(api);
    let api = shops::routes(api);
    api.finish()
}

/// The API router, to be nested at `/api/v1`. Unknown paths and methods get the API's
/// error shape too.
pub fn router() -> axum::Router<AppState> {
    build()
        .0
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
}
