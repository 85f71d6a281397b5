//! Typed, tolerant models of the CloudCart resources a warehouse sync touches. Unknown
//! attributes are ignored; attributes the contract is unsure about are optional; statuses
//! and codes are open enums.

mod address;
pub mod catalogue;
pub mod customers;
pub mod orders;
pub mod providers;
pub mod webhooks;

use crate::open_enum::open_enum;

open_enum! {
    /// An ISO currency code (orders freeze the shop currency at creation).
    Currency {
        /// Euro.
        Eur => "EUR",
        /// Bulgarian lev (orders placed before the shop switched to the euro).
        Bgn => "BGN",
    }
}
