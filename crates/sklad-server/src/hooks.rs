//! The webhook door (`POST /hooks/cloudcart/{token}/{event}`): authenticates a delivery
//! through the bridge and answers so the shop keeps a genuine subscription alive.
//!
//! | delivery | answer |
//! |---|---|
//! | a token or event no connection has (a stale subscription) | `404`, no body |
//! | a known token, but the key or our header does not match | `503` (retryable; journaled) |
//! | genuine: written to the inbox durably first | `202` |
//!
//! Never 400/401/403/405/406/410/411, which make CloudCart disable a subscription for
//! good (API.md §6.6), and never a body that could echo "please unsubscribe me". A
//! delivery that cannot be stored (the database down) answers a retryable 503: the shop
//! tries again later.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sklad_sync::hooks::{Delivery, HOOK_HEADER, HOOK_PATH, SHOP_KEY_HEADER};

use crate::AppState;

/// The door's routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route(
        &format!("{HOOK_PATH}/{{token}}/{{event}}"),
        post(receive).fallback(|| async { StatusCode::NOT_FOUND }),
    )
}

/// `path` as the request log may show it: a webhook door's secret token replaced by `…`.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path
        .strip_prefix(HOOK_PATH)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(rest) => {
            let event = rest.split_once('/').map(|(_, event)| event).unwrap_or("");
            format!("{HOOK_PATH}/…/{event}").into()
        }
        None => path.into(),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn receive(
    State(state): State<AppState>,
    Path((token, event)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let started = std::time::Instant::now();
    let delivery = state
        .bridge
        .receive_delivery(
            &token,
            &event,
            header(&headers, SHOP_KEY_HEADER),
            header(&headers, HOOK_HEADER),
            &body,
        )
        .await;
    let (status, outcome) = match delivery {
        Ok(Delivery::UnknownPath) => (StatusCode::NOT_FOUND, "unknown_path"),
        Ok(Delivery::Refused { connection_id, .. }) => {
            tracing::warn!(
                connection = connection_id,
                "webhook refused: key or header mismatch"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "refused")
        }
        Ok(Delivery::Accepted {
            connection_id,
            event,
            ..
        }) => {
            tracing::info!(connection = connection_id, event, "webhook stored");
            metrics::histogram!("sklad_webhook_ack_seconds").record(started.elapsed());
            (StatusCode::ACCEPTED, "accepted")
        }
        Err(e) => {
            tracing::error!(
                code = e.code(),
                "webhook could not be checked: {}",
                e.message_en()
            );
            (StatusCode::SERVICE_UNAVAILABLE, "error")
        }
    };
    metrics::counter!("sklad_webhook_deliveries_total", "outcome" => outcome).increment(1);
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_never_shows_a_door_token() {
        assert_eq!(
            loggable_path("/hooks/cloudcart/5ecret70ken/order-created"),
            "/hooks/cloudcart/…/order-created"
        );
        assert_eq!(
            loggable_path("/hooks/cloudcart/5ecret70ken"),
            "/hooks/cloudcart/…/"
        );
        assert_eq!(loggable_path("/goods/3"), "/goods/3");
    }
}
