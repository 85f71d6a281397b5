//! Sklad's HTTP face: the REST API under `/api/v1` and the back-office pages, two
//! faces of one service layer ([`sklad_store::Store`]), and the door the shops'
//! webhooks knock on (`/hooks/cloudcart/…`, served by the bridge, `sklad_sync`).

pub mod api;
pub mod config;
pub mod error;
pub mod health;
pub mod hooks;
pub mod login_guard;
pub mod metrics;
mod state;
pub mod totp;
pub mod web;

pub use config::{Config, MetricsAccess};
pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The whole application router: API, pages and static assets, with the request body
/// limit and request tracing (method, path and status only: never headers, tokens,
/// query strings or bodies; a webhook door's secret path token is hidden).
pub fn app(state: AppState) -> axum::Router {
    app_with_body_limit(state, config::DEFAULT_BODY_LIMIT)
}

/// [`app`] with an explicit request body limit in bytes.
pub fn app_with_body_limit(state: AppState, body_limit: usize) -> axum::Router {
    with_layers(
        axum::Router::new()
            .nest("/api/v1", api::router())
            .merge(hooks::router())
            .merge(health::router())
            .merge(metrics::router())
            .merge(web::router())
            .with_state(state),
        body_limit,
    )
}

/// The webhook receiver alone, for its own listener (`webhook_listen`): the shops' doors
/// and nothing else — every other path is an empty 404, so no page, API or asset is
/// reachable through it.
pub fn webhook_app(state: AppState, body_limit: usize) -> axum::Router {
    with_layers(
        hooks::router()
            .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
            .with_state(state),
        body_limit,
    )
}

/// The body limit, the panic guard, request metrics and request tracing every listener
/// has.
fn with_layers(router: axum::Router, body_limit: usize) -> axum::Router {
    // Installed before the first request is counted.
    metrics::recorder();
    router
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                tracing::error!("a request handler panicked");
                axum::response::IntoResponse::into_response(error::ApiError::internal())
            },
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %hooks::loggable_path(request.uri().path()),
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish (graceful shutdown).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address reaches the handlers: the sign-in throttle counts by it.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
