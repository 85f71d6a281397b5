//! `GET /healthz` (the process answers) and `GET /readyz` (the database answers, its
//! migrations are current and the background workers run): for load balancers and
//! supervisors, without authentication and without anything secret in the body.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::json;

use crate::AppState;

/// The two routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let (database, migrations) = match state.store.migrations_current().await {
        Ok(true) => ("ok", "ok"),
        Ok(false) => ("ok", "pending"),
        Err(e) => {
            tracing::warn!(code = e.code(), "readiness: the database does not answer");
            ("unreachable", "unknown")
        }
    };
    let workers = if state.bridge.working() {
        "ok"
    } else {
        "stopped"
    };
    let ready = database == "ok" && migrations == "ok" && workers == "ok";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": { "database": database, "migrations": migrations, "workers": workers },
    });
    (status, Json(body)).into_response()
}
