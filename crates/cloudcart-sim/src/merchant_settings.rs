//! Merchant settings screens: payment methods (Settings → Payment methods), webhook
//! subscriptions (Settings → Webhooks) and API keys (Settings → Api keys). None of these fire
//! webhooks (API.md §6.2, MERCHANT.md §2).
//!
//! API keys are numbered from 1 in configuration order (the `api_key_id` of API.md §6.1).
//! * Rotation gives a key a new 64-letter value under the same id: the old value answers 401
//!   at once, and webhook subscriptions linked to the key send the new value from their next
//!   attempt (API.md §6.4: "the current key value at delivery time"). The real admin cannot
//!   regenerate a value (MERCHANT.md §2: create a new key, re-point, delete the old one); the
//!   emulator models the net effect of that procedure on one key id.
//! * A deactivated key answers 401 (API.md §1.2) and keeps its value; re-activating restores
//!   the same value (MERCHANT.md §2). API.md is silent on webhooks linked to a deactivated key;
//!   the emulator keeps delivering them with that key's value, because the subscription still
//!   references the key (deleting a referenced key is blocked, API.md §1.2) and nothing
//!   documents a delivery check on the key's switch.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::control::{ControlError, WebhookView};
use crate::store::{PaymentProvider, Shop};

/// A payment method the merchant installs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPaymentProvider {
    /// Gateway code, the resource id (`paypal`, `epay`, …): 1–64 of `a-z 0-9 _ -`, unique.
    pub code: String,
    /// Merchant label (empty = the code, standing in for the platform's default label).
    #[serde(default)]
    pub title: String,
    /// Switched on (default `true`).
    #[serde(default = "switched_on")]
    pub active: bool,
    /// Offline method (the merchant "marks as paid", payment `requested` at checkout);
    /// default `false` (an online gateway).
    #[serde(default)]
    pub offline: bool,
}

fn switched_on() -> bool {
    true
}

impl NewPaymentProvider {
    /// An active online method `code` labelled `title`.
    pub fn new(code: &str, title: &str) -> Self {
        Self {
            code: code.to_string(),
            title: title.to_string(),
            active: true,
            offline: false,
        }
    }
}

/// A payment method as the control surface shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentProviderView {
    /// Gateway code.
    pub code: String,
    /// Merchant label.
    pub title: String,
    /// Switched on (checkout offers it; `filter[active]=yes` lists it).
    pub active: bool,
    /// Offline method.
    pub offline: bool,
}

impl PaymentProviderView {
    fn of(p: &PaymentProvider) -> Self {
        Self {
            code: p.code.clone(),
            title: p.title.clone(),
            active: p.active,
            offline: p.offline,
        }
    }
}

/// An API key as the control surface shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    /// Key id (1-based, the `api_key_id` of webhook subscriptions).
    pub id: u64,
    /// Current value (`X-CloudCart-ApiKey`).
    pub key: String,
    /// Switched on (a switched-off key gets 401).
    pub active: bool,
}

/// The shop's payment methods.
pub(crate) fn payment_providers(shop: &Shop) -> Vec<PaymentProviderView> {
    shop.payment_providers
        .iter()
        .map(PaymentProviderView::of)
        .collect()
}

/// Install a payment method.
pub(crate) fn add_payment_provider(
    shop: &mut Shop,
    p: &NewPaymentProvider,
) -> Result<PaymentProviderView, ControlError> {
    let code = p.code.trim();
    let code_ok = (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !code_ok {
        return Err(ControlError::new(
            "invalid_provider_code",
            422,
            "Кодът на метода за плащане е 1–64 знака от a-z, 0-9, `_` и `-`.",
            "A payment method code has 1–64 characters of a-z, 0-9, `_` and `-`.",
        ));
    }
    if shop.payment_providers.iter().any(|x| x.code == code) {
        return Err(ControlError::new(
            "payment_provider_exists",
            422,
            format!("Методът за плащане `{code}` вече е инсталиран."),
            format!("The payment method `{code}` is already installed."),
        ));
    }
    let title = p.title.trim();
    if title.chars().count() > 191 {
        return Err(ControlError::new(
            "invalid_title",
            422,
            "Името на метода за плащане е по-дълго от 191 знака.",
            "The payment method title is longer than 191 characters.",
        ));
    }
    let provider = PaymentProvider {
        code: code.to_string(),
        title: if title.is_empty() { code } else { title }.to_string(),
        active: p.active,
        offline: p.offline,
    };
    let view = PaymentProviderView::of(&provider);
    shop.payment_providers.push(provider);
    Ok(view)
}

/// Switch a payment method off (hidden from checkout, kept with its settings) or on again.
pub(crate) fn set_payment_provider_active(
    shop: &mut Shop,
    code: &str,
    active: bool,
) -> Result<PaymentProviderView, ControlError> {
    let p = shop
        .payment_providers
        .iter_mut()
        .find(|p| p.code == code)
        .ok_or_else(|| {
            ControlError::new(
                "unknown_payment_provider",
                404,
                format!("Няма метод за плащане `{code}`."),
                format!("No payment method has the code `{code}`."),
            )
        })?;
    p.active = active;
    Ok(PaymentProviderView::of(p))
}

fn unknown_webhook(id: impl std::fmt::Display) -> ControlError {
    ControlError::new(
        "unknown_webhook",
        404,
        format!("Няма уебхук с номер {id}."),
        format!("No webhook subscription has the id {id}."),
    )
}

/// Forget the queued and held attempts of subscription `id` (a switched-off or deleted
/// subscription sends nothing more; re-enabling starts a fresh retry budget, API.md §6.6).
fn forget_attempts(shop: &mut Shop, id: u64) {
    shop.hooks.queue.retain(|q| q.webhook_id != id);
    shop.hooks.held.retain(|q| q.webhook_id != id);
}

/// The admin's Active switch of a subscription.
pub(crate) fn set_webhook_active(
    shop: &mut Shop,
    id: u64,
    active: bool,
    now: Timestamp,
) -> Result<WebhookView, ControlError> {
    let w = shop
        .webhooks
        .get_mut(&id)
        .ok_or_else(|| unknown_webhook(id))?;
    w.active = active;
    w.updated_at = now;
    let view = WebhookView {
        id,
        url: w.url.clone(),
        event: w.event.clone(),
        active,
    };
    forget_attempts(shop, id);
    Ok(view)
}

/// Delete a subscription (hard delete, like the API).
pub(crate) fn delete_webhook(shop: &mut Shop, id: u64) -> Result<(), ControlError> {
    shop.webhooks
        .remove(&id)
        .ok_or_else(|| unknown_webhook(id))?;
    forget_attempts(shop, id);
    Ok(())
}

/// The shop's API keys.
pub(crate) fn api_keys(shop: &Shop) -> Vec<ApiKeyView> {
    shop.config
        .api_keys
        .iter()
        .enumerate()
        .map(|(i, k)| ApiKeyView {
            id: i as u64 + 1,
            key: k.clone(),
            active: !shop.disabled_keys.contains(&i),
        })
        .collect()
}

/// Index of key `id` (1-based).
fn key_index(shop: &Shop, id: u64) -> Result<usize, ControlError> {
    usize::try_from(id)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .filter(|i| *i < shop.config.api_keys.len())
        .ok_or_else(|| {
            ControlError::new(
                "unknown_api_key",
                404,
                format!("Няма API ключ с номер {id}."),
                format!("No API key has the id {id}."),
            )
        })
}

fn key_view(shop: &Shop, index: usize) -> ApiKeyView {
    ApiKeyView {
        id: index as u64 + 1,
        key: shop.config.api_keys[index].clone(),
        active: !shop.disabled_keys.contains(&index),
    }
}

/// Give key `id` a new value (deterministic, 64 upper-case letters, unlike every other key).
pub(crate) fn rotate_api_key(shop: &mut Shop, id: u64) -> Result<ApiKeyView, ControlError> {
    let index = key_index(shop, id)?;
    let old = shop.config.api_keys[index].clone();
    let mut round = 0u32;
    let new = loop {
        let candidate =
            crate::seed::api_key_for(&format!("{}#{id}#{old}#{round}", shop.config.host));
        if !shop.config.api_keys.contains(&candidate) {
            break candidate;
        }
        round += 1;
    };
    shop.config.api_keys[index] = new;
    Ok(key_view(shop, index))
}

/// The Active switch of key `id`.
pub(crate) fn set_api_key_active(
    shop: &mut Shop,
    id: u64,
    active: bool,
) -> Result<ApiKeyView, ControlError> {
    let index = key_index(shop, id)?;
    if active {
        shop.disabled_keys.remove(&index);
    } else {
        shop.disabled_keys.insert(index);
    }
    Ok(key_view(shop, index))
}
