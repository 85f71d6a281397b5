//! Customers and their addresses (API.md §4).

use super::address::postal_address;
use crate::lenient::{opt_i64, opt_text, YesNo};
use serde::Deserialize;

/// `customers` attributes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Customer {
    /// E-mail (login).
    #[serde(deserialize_with = "opt_text")]
    pub email: Option<String>,
    /// First name.
    #[serde(deserialize_with = "opt_text")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(deserialize_with = "opt_text")]
    pub last_name: Option<String>,
    /// Alternative phone.
    #[serde(deserialize_with = "opt_text")]
    pub alternative_phone: Option<String>,
    /// Login allowed.
    pub active: Option<YesNo>,
    /// Banned.
    pub banned: Option<YesNo>,
    /// Customer group id.
    #[serde(deserialize_with = "opt_i64")]
    pub group_id: Option<i64>,
    /// Created.
    #[serde(deserialize_with = "opt_text")]
    pub date_added: Option<String>,
    /// Updated.
    #[serde(deserialize_with = "opt_text")]
    pub updated_at: Option<String>,
}

postal_address! {
    /// `customer-shipping-address` / `customer-billing-address` attributes (the company
    /// fields are filled on billing addresses).
    CustomerAddress {
        /// Owner.
        #[serde(deserialize_with = "opt_i64")]
        pub customer_id: Option<i64>,
        /// ЕИК / БУЛСТАТ, when the shop returns it (often write-only).
        #[serde(deserialize_with = "opt_text")]
        pub company_bulstat: Option<String>,
        /// МОЛ, when the shop returns it (often write-only).
        #[serde(deserialize_with = "opt_text")]
        pub company_mol: Option<String>,
        /// Map-formatted address.
        #[serde(deserialize_with = "opt_text")]
        pub text: Option<String>,
    }
}
