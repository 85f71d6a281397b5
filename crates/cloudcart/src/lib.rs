//! A client for the CloudCart JSON-API v2 (the contract is `shared/cloudcart/API.md`), made
//! for warehouse and ERP syncs. It holds no Sklad types and can be used by anyone.
//!
//! - [`ClientConfig`] — the shop's primary domain (`https://…`; `http://` only on loopback
//!   for tests), the API key as a [`Secret`] that never shows in logs, timeouts, retries,
//!   an optional DNS override, and the [`clock::Clock`] used for rate windows and backoff.
//! - [`Client`] — typed reads with paging ([`Pager`]), single-record filter lookups, the full
//!   order of API.md §3.5 in one request ([`models::orders::FullOrder`]), variant quantity
//!   and price PATCH, order status PATCH, webhook create/list/update/delete.
//! - One [`limiter::RateLimiter`] per client, shared by its clones — so build one `Client` per
//!   shop and clone it everywhere: `limit − 1` requests per
//!   sliding minute as learnt from `X-RateLimit-Limit`, `Retry-After` on 429, priorities
//!   ([`Priority`]), and a typed refusal without sending when the plan has no API.
//! - [`Error`] — typed failures with `code()`, `message_bg()` and `message_en()`.
//! - [`models::webhooks`] — decoding of webhook delivery bodies for receivers.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cloudcart::Error> {
//! use cloudcart::{Client, ClientConfig, Query};
//! let client = Client::new(ClientConfig::new("https://zarno-pamuk.bg", "ZP0000…")?)?;
//! let mut pages = client.variants(Query::new());
//! while let Some(page) = pages.next_page().await? {
//!     for v in page.items {
//!         println!("{} {:?}", v.id, v.attributes.sku);
//!     }
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod client;
pub mod clock;
pub mod config;
pub mod error;
pub mod jsonapi;
pub mod lenient;
pub mod limiter;
pub mod models;
mod open_enum;
pub mod paging;
pub mod query;
pub mod secret;
mod transport;

pub use client::{Client, Single};
pub use config::{ClientConfig, RetryPolicy};
pub use error::{Error, Problem};
pub use jsonapi::{Included, Resource};
pub use lenient::{Decimal3, YesNo};
pub use limiter::Priority;
pub use paging::{Page, Pager};
pub use query::Query;
pub use secret::Secret;
pub use transport::{API_KEY_HEADER, JSON_API};
