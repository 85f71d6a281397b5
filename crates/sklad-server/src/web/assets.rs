//! The stylesheet and script, embedded in the binary and served under `/assets/`.

use axum::http::header;
use axum::response::IntoResponse;

/// `/assets/sklad.css`.
pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/sklad.css"),
    )
}

/// `/assets/sklad.js`.
pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/sklad.js"),
    )
}
