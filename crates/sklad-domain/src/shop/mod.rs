//! The e-shop bridge's rules that need no I/O: a connection's input and settings
//! (SPEC C1, S2–S4, G1–G3), prices between the shop and the firm (P3), and the
//! correspondence of shop variants to goods (SPEC G4, K1–K3).
//!
//! The shop side is described with plain values ([`matching::ShopVariant`]), so these
//! rules know nothing of the CloudCart client; `sklad-sync` feeds them.

pub mod connection;
pub mod matching;
pub mod order;
pub mod price;
pub mod push;

pub use connection::{
    ConnectionInput, FeedObjects, SaleRule, ShopSettings, ShopStockStatus, SpecialGoodRole,
};
pub use matching::{CheckStatus, GoodKey, ShopVariant};
