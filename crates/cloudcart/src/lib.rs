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
//! ## API.md §8 client checklist
//!
//! Each item and the tests that hold it (`module::tests::…` are in-crate unit tests, the
//! rest name the integration test file):
//!
//! 1. Primary domain, key and media types — `config::tests::https_is_required_except_on_loopback`,
//!    `transport_edges::every_request_carries_the_key_the_media_type_and_a_user_agent`,
//!    `against_sim::auth_failures_are_typed` (a non-primary domain reads as "no API").
//! 2. `limit − 1` per sliding minute, `Retry-After`, HTML 429/403 as anti-abuse —
//!    `limiter::tests::admits_limit_minus_one_per_sliding_minute`,
//!    `limiter::tests::no_sliding_minute_ever_holds_more_than_limit_minus_one` (property),
//!    `against_sim::the_limiter_never_gets_a_429_when_it_knows_the_limit`,
//!    `against_sim::an_injected_429_is_waited_out_for_retry_after`,
//!    `transport_edges::html_429_and_403_are_anti_abuse_and_block_without_retrying`.
//! 3. `page[size]=100`, `sort=id`, single-record mode —
//!    `against_sim::paging_streams_all_10000_variants_once_each`,
//!    `transport_edges::every_request_carries_the_key_the_media_type_and_a_user_agent`,
//!    `jsonapi::tests::single_record_mode_and_null_data_are_understood`,
//!    `against_sim::decoding_tolerates_missing_and_extra_attributes` (`product_by_url_handle`).
//! 4. Open string enums — `contract_examples::every_code_enum_is_an_open_string`,
//!    `contract_examples::unknown_statuses_and_extra_attributes_are_kept_open`.
//! 5. Tolerant decoding — `against_sim::decoding_tolerates_missing_and_extra_attributes`,
//!    `contract_examples::missing_attributes_and_relationships_read_as_absent`,
//!    `jsonapi::tests::numeric_ids_and_linkage_shapes_are_accepted`, `decoders_never_panic`.
//! 6. 422 pointers / parameters, app absent (404 or 422), 402, 503, 500 `details` —
//!    `transport::tests::statuses_map_to_typed_errors`,
//!    `against_sim::a_bad_query_is_a_validation_error_with_the_parameter`,
//!    `transport_edges::a_500_reports_the_support_log_id_after_retries`.
//! 7. Stock and price per variant — `against_sim::variant_quantity_and_price_round_trip`,
//!    `catalogue::tests::variant_update_serialises_only_what_is_set`. **Left out on purpose:**
//!    product POST/PATCH. A warehouse sync writes only variant quantity and price, so the
//!    client cannot PATCH a live product's parameter slots, and it has no product POST that
//!    could leave out `tracking` / `shipping`.
//! 8. Webhooks as hints — the receiver helpers decode every delivery shape
//!    (`against_sim::deliveries_from_the_shop_decode_with_the_receiver_helpers`,
//!    `webhooks::tests::entity_delivery_reads_both_shapes`). **Left out on purpose:**
//!    idempotent handling, re-fetching and polling as a safety net. These belong to the
//!    receiving application (the Sklad bridge), which re-fetches through the client's reads.
//! 9. Status PATCH and fulfilment have real side effects (documented on
//!    [`Client::set_order_status`] and [`Client::fulfill_order`]); a POST that may have reached
//!    the shop is never repeated — `transport_edges::a_create_that_may_have_arrived_is_not_repeated`,
//!    `against_sim::order_status_patch_and_its_gates`,
//!    `against_sim::fulfilling_an_order_marks_it_shipped_once`.
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
