//! Payment and shipping providers (API.md §5), read-only.

use crate::lenient::{opt_i64, opt_text, YesNo};
use serde::Deserialize;

/// `payment-providers` attributes; the resource id is the gateway code.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct PaymentProvider {
    /// Gateway code (`cod`, `stripe`, `epay`, …).
    #[serde(deserialize_with = "opt_text")]
    pub provider: Option<String>,
    /// Merchant label.
    #[serde(deserialize_with = "opt_text")]
    pub title: Option<String>,
    /// Enabled.
    pub active: Option<YesNo>,
}

/// `shipping-providers` attributes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct ShippingProvider {
    /// Merchant label.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "opt_text")]
    pub description: Option<String>,
    /// Enabled.
    pub active: Option<YesNo>,
    /// Courier code (`econt`, `speedy`, `boxnow`, … kept as text).
    #[serde(deserialize_with = "opt_text")]
    pub provider_type: Option<String>,
    /// Geo zone (`None` = everywhere).
    #[serde(deserialize_with = "opt_i64")]
    pub geo_zone_id: Option<i64>,
    /// Cash on delivery supported.
    pub postal_money: Option<YesNo>,
}
