//! The webhook doors K4 registers: one URL per connection *and* event,
//! `{public_url}/hooks/cloudcart/{token}/{event}` — a delivery carries no event-type
//! header, so the path says what it is, and a product id is never read as an order id
//! (API.md §6.4). `token` is a random secret of the connection; each delivery must also
//! carry the shop's API key (`X-CloudCart-ApiKey`) and our own header
//! ([`HOOK_HEADER`]), both compared in constant time.
//!
//! A token no connection has answers 404 (a stale subscription: the shop disabling it is
//! right); a known token whose key or header does not match answers a retryable 503 and
//! journals „ключът на магазина е сменен“ — never 401/403, which would make the shop
//! disable a genuine subscription for good (API.md §6.6).

use serde::Serialize;
use sklad_domain::Id;
use sklad_store::shops::JournalNote;

use crate::error::SyncResult;
use crate::secret::{same_secret, Purpose};
use crate::Bridge;

/// Our custom header on every delivery (its value is a per-connection secret).
pub const HOOK_HEADER: &str = "X-Sklad-Hook";

/// The header carrying the shop's API key on every delivery.
pub use cloudcart::API_KEY_HEADER as SHOP_KEY_HEADER;

/// The path prefix of every webhook door.
pub const HOOK_PATH: &str = "/hooks/cloudcart";

/// The events K4 subscribes to. `product.created/updated` do not fire for API writes and
/// there are no variant events (API.md §6.3), so links never depend on them alone.
pub const EVENTS: [&str; 5] = [
    "order.created",
    "order.updated",
    "product.created",
    "product.updated",
    "product.deleted",
];

/// `order.created` → `order-created` (the last path segment).
pub fn event_path(event: &str) -> String {
    event.replace('.', "-")
}

/// The event a path segment names, when it is one of [`EVENTS`].
pub fn event_of_path(segment: &str) -> Option<&'static str> {
    EVENTS.into_iter().find(|e| event_path(e) == segment)
}

/// The URL the shop calls for `event` of the connection with `token`.
pub(crate) fn hook_url(public_url: &str, token: &str, event: &str) -> String {
    format!("{public_url}{HOOK_PATH}/{token}/{}", event_path(event))
}

/// The same URL as shown to people: the token hidden.
pub(crate) fn shown_url(public_url: &str, event: &str) -> String {
    format!("{public_url}{HOOK_PATH}/…/{}", event_path(event))
}

/// How a delivery was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Delivery {
    /// No connection has this token (or the event is not ours): answer 404.
    UnknownPath,
    /// The connection is known but the key or our header does not match: answer 503.
    Refused {
        /// The firm.
        firm_id: Id,
        /// The connection.
        connection_id: Id,
    },
    /// Genuine.
    Accepted {
        /// The firm.
        firm_id: Id,
        /// The connection.
        connection_id: Id,
        /// The event key.
        event: &'static str,
    },
}

impl Bridge {
    /// Receives a delivery to `{HOOK_PATH}/{token}/{event_segment}` carrying `api_key`
    /// (`X-CloudCart-ApiKey`) and `hook_secret` ([`HOOK_HEADER`]) (SPEC X2). A genuine
    /// one is written to the inbox durably (whatever its body: an unreadable one is kept
    /// and flagged later) before [`Delivery::Accepted`] is returned; only then may the
    /// door answer 2xx. A refused one writes nothing but a journal entry.
    pub async fn receive_delivery(
        &self,
        token: &str,
        event_segment: &str,
        api_key: Option<&str>,
        hook_secret: Option<&str>,
        body: &[u8],
    ) -> SyncResult<Delivery> {
        let delivery = self
            .check_delivery(token, event_segment, api_key, hook_secret)
            .await?;
        if let Delivery::Accepted {
            connection_id,
            event,
            ..
        } = &delivery
        {
            self.write_delivery(sklad_store::shops::NewDelivery {
                connection_id: *connection_id,
                event: (*event).to_owned(),
                body: String::from_utf8_lossy(body).into_owned(),
            })
            .await?;
        }
        Ok(delivery)
    }

    /// Authenticates a delivery: the path token, then the key and our header.
    async fn check_delivery(
        &self,
        token: &str,
        event_segment: &str,
        api_key: Option<&str>,
        hook_secret: Option<&str>,
    ) -> SyncResult<Delivery> {
        let Some(event) = event_of_path(event_segment) else {
            return Ok(Delivery::UnknownPath);
        };
        let now = self.store().clock().now();
        if let (Some(key), Some(header)) = (api_key, hook_secret) {
            if let Some(o) = self.inner.doors.open(token, key, header, now) {
                return Ok(Delivery::Accepted {
                    firm_id: o.firm_id,
                    connection_id: o.connection_id,
                    event,
                });
            }
        }
        let Some(secrets) = self.store().shop_connection_by_hook_token(token).await? else {
            return Ok(Delivery::UnknownPath);
        };
        let opens = |sealed: Option<&String>, purpose| {
            sealed.and_then(|s| self.inner.secrets.open(purpose, s).ok())
        };
        let key_ok = match (
            opens(secrets.api_key_sealed.as_ref(), Purpose::ShopApiKey),
            api_key,
        ) {
            (Some(ours), Some(theirs)) => same_secret(&ours, theirs),
            _ => false,
        };
        let header_ok = match (
            opens(secrets.hook_secret_sealed.as_ref(), Purpose::HookSecret),
            hook_secret,
        ) {
            (Some(ours), Some(theirs)) => same_secret(&ours, theirs),
            _ => false,
        };
        if key_ok && header_ok {
            let opened = crate::doors::Opened {
                firm_id: secrets.firm_id,
                connection_id: secrets.connection_id,
            };
            self.inner.doors.remember(
                token,
                api_key.unwrap_or_default(),
                hook_secret.unwrap_or_default(),
                opened,
                now,
            );
            return Ok(Delivery::Accepted {
                firm_id: secrets.firm_id,
                connection_id: secrets.connection_id,
                event,
            });
        }
        let which = match (key_ok, header_ok) {
            (false, true) => "api_key",
            (true, false) => "hook_header",
            _ => "api_key_and_hook_header",
        };
        self.store()
            .append_shop_journal(
                secrets.firm_id,
                secrets.connection_id,
                &JournalNote {
                    actor: "system".into(),
                    action: "hook_refused".into(),
                    outcome: "error".into(),
                    message_bg: "Ключът на магазина е сменен: известие от магазина идва с друг \
                        API ключ или без нашата заглавка. Въведете новия API ключ във връзката и \
                        активирайте известията отново."
                        .into(),
                    message_en: "The shop's key has changed: a notification from the shop \
                        carries another API key or lacks our header. Enter the new API key in the \
                        connection and activate the notifications again."
                        .into(),
                    details: serde_json::json!({ "event": event, "mismatch": which }),
                },
            )
            .await?;
        crate::alerts::raise(
            self,
            secrets.firm_id,
            secrets.connection_id,
            crate::alerts::Cause::KeyRefused,
            "Известие от магазина дойде с друг API ключ или без нашата заглавка: въведете \
             новия API ключ във връзката и активирайте известията отново.",
            "A notification from the shop came with another API key or without our header: \
             enter the new API key in the connection and activate the notifications again.",
        )
        .await;
        Ok(Delivery::Refused {
            firm_id: secrets.firm_id,
            connection_id: secrets.connection_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_has_its_own_path_segment() {
        for event in EVENTS {
            assert_eq!(event_of_path(&event_path(event)), Some(event));
        }
        assert_eq!(event_of_path("order.created"), None);
        assert_eq!(event_of_path("customer-created"), None);
        assert_eq!(
            hook_url("https://s.bg", "tok", "product.deleted"),
            "https://s.bg/hooks/cloudcart/tok/product-deleted"
        );
        assert!(!shown_url("https://s.bg", "order.created").contains("tok"));
    }
}
