//! REST API under `/api/v1`.

use crate::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
