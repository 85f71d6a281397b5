//! Sklad's HTTP face: the REST API under `/api/v1` and the back-office pages, two
//! faces of one service layer ([`sklad_store::Store`]).

pub mod api;
mod state;
pub mod web;

pub use state::AppState;

/// The whole application router: API, pages and static assets.
pub fn app(state: AppState) -> axum::Router {
    axum::Router::new()
        .nest("/api/v1", api::router())
        .merge(web::router())
        .with_state(state)
}
