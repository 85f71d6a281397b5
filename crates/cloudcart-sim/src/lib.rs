//! # cloudcart-sim — a CloudCart shop emulator
//!
//! An axum server that behaves like one or more CloudCart shops (JSON-API v2 + webhooks) as
//! described by `shared/cloudcart/API.md`, so the client, the demo and the benchmarks run over
//! real HTTP on 127.0.0.1. Everything lives in memory; an optional JSON snapshot file
//! ([`SimConfig::snapshot`]) keeps the shops across restarts.
//!
//! ## Starting it (stable entry point)
//!
//! ```no_run
//! # async fn demo() -> Result<(), cloudcart_sim::SimError> {
//! use cloudcart_sim::{ClockMode, ShopConfig, Sim, SimConfig};
//! let sim = Sim::start(SimConfig {
//!     shops: vec![ShopConfig::new("shop.localhost").api_key("KEY").seed_products(100)],
//!     clock: ClockMode::Virtual,
//!     ..Default::default()
//! })
//! .await?;
//! let _addr = sim.addr(); // 127.0.0.1:PORT; shops are selected by the Host header
//! let _url = sim.base_url("shop.localhost"); // "http://shop.localhost:PORT"
//! let control = sim.control(); // place orders, pay, fulfil, faults, clock, inspection
//! # let _ = control;
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! `ShopConfig::new(host)` gives a deterministic 64-letter key ([`ShopConfig::api_keys`]),
//! limit 800/min, EUR, gross prices at 20 % VAT, stock taken at `paid`, auto-complete on.
//! Builder methods: `api_key`, `extra_api_key`, `alias`, `seed_products`, `seed`, `broken`,
//! `rate_limit_per_minute` (0 = no API), `plan`, `currency`, `vat_mode`, `vat_rate_percent`,
//! `stock_decrease`, `fee`, `product_limit` (402 beyond it). Every shop also has payment providers `cod`, `bwt`, `stripe` and
//! shipping providers Еконт (5.99), Спиди (6.49), pickup (0).
//!
//! ## Public API (`/api/v2/…`, API.md §1–§6)
//!
//! Auth order: missing `X-CloudCart-ApiKey` → 401; unknown `Host` → 404; unknown or
//! switched-off key → 401.
//! Then the sliding-60 s rate limiter (`limit − 1` admissions, `X-RateLimit-*` on every
//! response including the auth refusals — 0 / 0 for an unknown host — JSON 429 with `Retry-After: 60`; alias domains and limit 0 refuse the first call
//! with the "no API access" message), injected faults, 402 when the subscription is expired,
//! 406 on a foreign `Accept`, 415 on a body without `application/vnd.api+json`, 405 outside the
//! verb matrix of §1.15. Collections: `page[number]`, `page[size]` 1–100 (else 422
//! `source.parameter`), `meta.page`, empty `data` past the end, `links` with `X-Show-Links`,
//! equality filters on every attribute + named filters (`products: sku, barcode`, `orders:
//! start_date, end_date`…), single-record mode (`url_handle`, `email`, `name`), sort and
//! include allow-lists, `fields[…]`, `append[…]` allow-list, relationship URLs
//! (`/{id}/{rel}`, `/{id}/relationships/{rel}`). Resources: products, variants,
//! variant-parameters, variant-options, categories, orders (+ `fulfill`), the ten order
//! sub-resources, order-fulfillment, customers, customer addresses, payment-providers,
//! shipping-providers, webhooks, images, `order-status` helper; app-gated
//! stores/store-quantity/units/product-options answer 404 "… app not installed".
//!
//! ## Choices where API.md says *unknown* or *CONFLICT*
//!
//! * Product POST does not create the option-less variant; POST it (or PATCH if one exists).
//! * SKU is unique per shop (MERCHANT.md §10): 422 `This SKU is already in use`, pointer
//!   `/data/attributes/sku`. Barcodes need not be unique.
//! * Single-record filter with no match → `200 {"data": null}`.
//! * A filter name that is neither an attribute nor a named filter → 422 `source.parameter`.
//! * Bad include → 422, except on orders → 400 (the orders page). Bad sort → 422.
//! * `status_fulfillment` is `not_fulfilled` / `fulfilled`. `completed` needs the order to be
//!   paid **or** fulfilled (MERCHANT.md §5.4). Status PATCH accepts `status` or `status_id`.
//! * Stock returned on a negative status is what the line actually took (after clamping at 0),
//!   so clamping never creates stock. The JSON-API write path does not clamp (negative allowed).
//! * Money: discounts on goods before VAT, fees taxed, VAT on shipping configurable, half-up
//!   rounding on each total. Gross: tax = taxable × r / (100 + r); net: added on top.
//! * Webhooks: first attempt of `order.*` deferred 60 s when the event has more than one
//!   active subscriber ([`OrderEventDeferral`]); 6 attempts (extra 60 s retry switchable);
//!   non-order payloads are JSON:API resource objects ([`PayloadShape`]); `request_headers`
//!   are replaced when the attribute is present; dates are UTC `YYYY-MM-DD HH:MM:SS`.
//!   Events fired: `order.created`, `order.updated` (API/merchant status changes, fulfilment
//!   create/amend/delete, line edits, plain order saves — not gateway `pending → paid`),
//!   `category.*`, `customer.*`, `product.deleted`. API product/variant writes never fire
//!   `product.created/updated`; the merchant's admin-panel edits on the control surface do
//!   (next section).
//! * Customer e-mail PATCH goes to `email_for_confirmation` (`email_confirmed = no`) until
//!   `email_confirmed` is PATCHed to `yes`. Images: POST (jpeg/jpg/png/gif/webp URL or data
//!   URI; SVG refused), DELETE, PATCH → 405, `thumbs` always empty.
//! * Bounds (refused with 422, never overflow): prices/weights 0–10¹⁰, order lines ≤ 500,
//!   line quantity ≤ 100 000, variant quantity |q| ≤ 50 000 000; money uses i128 internally.
//! * Seeded products carry a short Bulgarian `description` (a plain attribute, kept by
//!   `fields[products]=…,description`), except the first [`BrokenCases::missing_description`].
//! * Currencies: EUR, BGN and USD ([`Currency`]); a [`SettingsPatch`] change applies to new
//!   orders only (each order keeps the currency it was placed in).
//! * Checkout fields are free text: [`OrderRequest::billing_address`] replaces the billing
//!   address derived from the buyer, so `company_registration_number` may hold a 10-digit ЕГН
//!   (API.md §7 and §9 item 18: no EGN field is documented). [`Buyer::Company`] still checks
//!   that its ЕИК has 9 or 13 digits.
//!
//! ## Merchant's admin-panel work and outages (choices where API.md is silent)
//!
//! * Catalogue edits ([`Control::create_product`], `edit_product`, `add_variant`,
//!   `edit_variant`, `delete_variant`, `delete_product`) fire what admin saves fire
//!   (MERCHANT.md §13.4): `product.created`, `product.updated` on every save (a variant save,
//!   addition or deletion fires `product.updated` of its product — no variant events,
//!   API.md §6.2), `product.deleted`. New products get the admin defaults (active, tracked,
//!   shipped); a new category name fires `category.created`; parameters and options are found
//!   by name (case-insensitive) or created. SKUs are unique per shop (`sku_taken`), at most 3
//!   parameters and 500 variants, one option-less variant per product without parameters, the
//!   last variant of a product cannot be deleted on its own (`last_variant`), quantities are
//!   floored at 0 (`null` = unlimited). Every refusal happens before anything is written.
//!   A deleted product and its variants answer 404 (as after the API DELETE).
//!   [`Control::set_variant_quantity`] stays the silent stock-only edit of the Inventory
//!   screen (stock changes firing `product.updated` are disputed, MERCHANT.md §13.4).
//! * Payment methods: added active by default, the Active switch hides a method from checkout
//!   and from `filter[active]=yes`; the title defaults to the code.
//! * Webhook subscriptions: switching one off or deleting it drops its queued attempts;
//!   switching it on again starts a fresh retry budget, with no replay (API.md §6.6).
//! * API keys are numbered from 1 (`api_key_id`). Rotation gives a key a new value under the
//!   same id: the old value gets 401 at once and subscriptions linked to the key send the new
//!   value from their next attempt (API.md §6.4). A switched-off key gets 401 and keeps its
//!   value; webhooks linked to it keep being delivered with that value (API.md says nothing
//!   about a delivery check on the key's switch; the subscription still references the key).
//!   See [`merchant_settings`].
//! * [`Control::go_offline`] closes the listening socket and cuts the open connections
//!   (keep-alive ones and requests in flight): connections are refused until
//!   [`Control::go_online`] binds the same 127.0.0.1 port again. Shops, clock and webhook
//!   dispatch keep running. Over HTTP, `POST /_sim/offline` answers first, then stays offline
//!   for `for_ms` real milliseconds (nobody could reach the control surface to end it).
//! * [`ApiFault::Hang`] holds each of the next `count` API requests until the clock is
//!   `seconds` past its arrival (advance it) or the faults are cleared; the request is then
//!   answered normally. [`Control::held_requests`] / [`Control::wait_for_held_requests`] tell a
//!   test that its client's request is being held.
//! * [`WebhookFaults::duplicate_count`] sends each attempt N times (≤ [`MAX_COPIES`]); the old
//!   `duplicate: true` still means twice.
//!
//! ## Not emulated (deliberately)
//!
//! Stores / store-quantity / units / product-options apps (404 "… app not installed"),
//! variant images, vendors, discounts and subscribers resources (so their events never
//! fire), order drafts, return records and credit notes beyond the reversal lock, VIES
//! checks, admin GraphQL key management, customer `tags` / `newsletter_subscribe`, the
//! legacy v1 (`new_version = 0`) order payload (v2 is always sent), the HTML anti-abuse
//! 429, and the 30 s edge timeout (inject it with `ApiFault::Status { status: 504, .. }`).
//!
//! ## API.md §8 emulator checklist (and §6.7)
//!
//! Each item and the integration tests (file `::` test) that hold it:
//!
//! | Item | Tests |
//! |---|---|
//! | Auth order, 415 / 406 | `transport::s1_2_auth_order_missing_key_401_then_unknown_host_404_then_bad_key_401`, `transport::s1_3_media_types_415_and_406` |
//! | Envelope, `meta.page`, page-size bounds, empty page past the end, links | `transport::s1_4_s1_5_envelope_meta_page_bounds_and_past_the_end`, `transport::s1_5_paging_walks_every_variant_exactly_once` |
//! | Equality + named filters, single-record mode, sort / include allow-lists, `append` | `transport::s1_6_equality_filters_named_filters_and_single_record_mode`, `transport::s1_7_sort_allow_list_and_descending`, `transport::s1_8_s1_9_include_and_append_allow_lists` |
//! | Verb matrix 405s, soft-delete 404s | `transport::s1_15_verb_matrix_405_and_404s`, `catalogue::s2_2_s2_3_product_post_defaults_required_category_location_and_soft_delete` |
//! | Product / variant rules: defaults, option count, parameter change wipes variants, default-variant recompute, one option-less variant | `catalogue::s2_2_s2_3_product_post_defaults_required_category_location_and_soft_delete`, `catalogue::s2_4_option_count_and_slot_validation_and_parameter_change_wipes_variants`, `catalogue::s2_1_default_variant_is_recomputed_cheapest_then_lowest_id`, `catalogue::s2_1_default_option_less_variant_is_unique_and_sku_is_unique_per_shop` |
//! | Status gates and auto-promotion, invoice / USN write-once, fulfilment cascade and delete rollback | `orders::s3_3_status_gates_invalid_codes_custom_statuses_and_status_id`, `orders::s3_4_invoice_number_and_usn_are_set_once`, `orders::s3_7_fulfilment_cascade_and_delete_rollback` |
//! | Stock per `order_status_for_quantity_decrease` | `orders::s3_6_stock_taken_at_paid_exactly_once_and_returned_exactly_once`, `orders::s3_6_pending_setting_is_snapshotted_per_order`, `orders::s3_6_quantity_clamped_at_zero_on_the_order_path_and_only_taken_units_return`, `orders::s3_6_line_edits_move_stock_by_the_difference` |
//! | Rate limiter and JSON 429 (limit configurable, including 0) | `transport::s1_13_rate_limit_limit_minus_one_then_429_and_window_slides_on_virtual_time`, `transport::s1_13_plan_without_api_and_alias_domain_refuse_first_call`, `transport::s1_13_every_refusal_carries_rate_headers_without_using_quota` |
//! | §6.7.1 subscriptions: header full replace, `api_key_id` read-only | `webhooks::s6_1_s6_2_subscription_rules_order_deleted_refused_headers_replaced_api_key_read_only` |
//! | §6.7.2 one-element array, key + custom headers, nulls stripped | `webhooks::s6_4_delivery_is_a_one_element_array_without_nulls_with_key_and_custom_headers` |
//! | §6.7.3 timeout, permanent codes, "please unsubscribe me", retries 120–360 s, disable after the 6th failure | `webhooks::s6_6_timeout_is_a_retryable_failure`, `webhooks::s6_6_permanent_failure_codes_disable_without_retry`, `webhooks::s6_6_please_unsubscribe_me_deletes_the_subscription_but_not_on_2xx`, `webhooks::s6_6_retry_schedule_120_180_240_300_360_then_disabled_on_virtual_time` |
//! | §6.7.4 switches: 60 s deferral, extra 60 s retry, out-of-order, duplicate, flat vs JSON:API payload | `webhooks::s6_6_order_events_deferred_60s_when_several_subscribers`, `webhooks::s6_6_extra_60s_retry_switch`, `webhooks::fault_switches_duplicate_drop_defer_and_out_of_order`, `webhooks::s6_3_non_order_events_categories_customers_and_product_deleted_payload_shapes` |
//! | §6.7.5 event rules | `webhooks::s6_3_order_updated_fires_for_api_and_fulfilment_but_not_for_gateway_pending_to_paid`, `webhooks::s6_3_order_updated_on_merchant_line_edit_and_plain_api_save_category_updated_on_patch`, `webhooks::s6_3_non_order_events_categories_customers_and_product_deleted_payload_shapes` |
//!
//! **Left out on purpose:** the switch that makes API product writes fire `product.created` /
//! `product.updated`. API writes never fire them (admin-panel edits on the control surface
//! do), and API deletes fire `product.deleted`. API.md §9
//! item 5 says the documentation pages disagree on these events, and a client that treats
//! webhooks as hints (§8 client item 8) re-fetches the product in either case. A switch nobody
//! could check against the real platform would only add an untested path.
//!
//! ## Control surface (`/_sim/…`, JSON in/out, no auth — loopback only)
//!
//! | Verb + path | Body | Effect |
//! |---|---|---|
//! | `GET /_sim/shops` | — | hosts, URLs, keys, counts |
//! | `GET /_sim/clock` · `POST /_sim/clock/advance` | `{"seconds":120}` | read / advance time, release requests held by a hang that are due, then run due webhooks |
//! | `POST /_sim/webhooks/flush` | — | run due webhook deliveries now |
//! | `POST /_sim/snapshot` | — | write the JSON snapshot (when configured) |
//! | `POST /_sim/shops/{host}/orders` | [`OrderRequest`] | checkout → `{"id":…}` |
//! | `GET /_sim/shops/{host}/orders/{id}` | — | order resource |
//! | `POST /_sim/shops/{host}/orders/{id}/{action}` | see below | `pay` (`{"via":"gateway"\|"merchant"}`), `authorize` (`{"amount":…}`), `fulfil` (tracking fields), `cancel`, `refund`, `archive`, `status` (`{"status":…,"via":…}`), `lines` (`{"sku":…,"quantity":…}`) |
//! | `GET /_sim/shops/{host}/variants/{sku}` · `POST …/quantity` | `{"quantity":12}` | read / merchant stock edit (`null` = unlimited) |
//! | `PATCH /_sim/shops/{host}/settings` | [`SettingsPatch`] | rate limit, currency, VAT mode/rate, stock setting, fees, expiry |
//! | `POST /_sim/shops/{host}/statuses` | `{"name":…}` | custom status → `{"slug":"order-…"}` |
//! | `POST`/`DELETE /_sim/shops/{host}/faults/api` | [`ApiFault`] | queue / clear API faults (clearing releases held requests) |
//! | `PUT /_sim/shops/{host}/faults/webhooks` | [`WebhookFaults`] | duplicate (×2 or `duplicate_count`) / hold for reorder / defer 60 s / drop next N |
//! | `POST /_sim/shops/{host}/webhooks/release` | — | release held deliveries newest first |
//! | `GET /_sim/shops/{host}/webhooks` · `…/deliveries` · `…/writes` | — | subscriptions, attempts, received writes |
//! | `POST /_sim/shops/{host}/products` | [`NewProduct`] | admin creates a product with its variants → 201 [`ProductView`]; `product.created` |
//! | `GET`/`PATCH`/`DELETE /_sim/shops/{host}/products/{id}` | [`ProductEdit`] `{"name":…,"description":…\|null}` | read / save (`product.updated`) → [`ProductView`] / delete → 204 (`product.deleted`) |
//! | `POST /_sim/shops/{host}/products/{id}/variants` | [`NewVariant`] `{"sku","barcode","price","quantity"\|null,"options":[{"parameter","value"}]}` | add a variant → 201 [`VariantView`]; `product.updated` |
//! | `PATCH`/`DELETE /_sim/shops/{host}/products/{id}/variants/{vid}` | [`VariantEdit`] (any of `sku`, `barcode`, `price`, `quantity`; `null` clears / unlimited) | save → [`VariantView`] / delete → 204; `product.updated` |
//! | `GET`/`POST /_sim/shops/{host}/payment-providers` | [`NewPaymentProvider`] `{"code","title","active"?,"offline"?}` | list / install → 201 [`PaymentProviderView`] |
//! | `PATCH /_sim/shops/{host}/payment-providers/{code}` | `{"active":false}` | switch off / on → [`PaymentProviderView`] |
//! | `PATCH`/`DELETE /_sim/shops/{host}/webhooks/{id}` | `{"active":false}` | subscription switch → [`WebhookView`] / delete → 204 |
//! | `GET /_sim/shops/{host}/api-keys` | — | `[{"id":1,"key":…,"active":true}]` ([`ApiKeyView`]) |
//! | `POST /_sim/shops/{host}/api-keys/{id}/rotate` · `PATCH …/api-keys/{id}` | — · `{"active":false}` | new value / switch → [`ApiKeyView`] |
//! | `POST /_sim/offline` | `{"for_ms":2000}` (1–600 000) | 204, then connections refused for that long, then the same port again |
//! | `POST /_sim/shops/{host}/faults/api` | `{"kind":"hang","seconds":30,"count":1}` | [`ApiFault::Hang`]: held until `/_sim/clock/advance` passes it or `DELETE …/faults/api` |
//! | `PUT /_sim/shops/{host}/faults/webhooks` | `{"duplicate_count":3}` | each attempt sent N times |
//!
//! In process the same operations are [`Control`] methods (`create_product`, `product`,
//! `edit_product`, `delete_product`, `add_variant`, `edit_variant`, `delete_variant`,
//! `payment_providers`, `add_payment_provider`, `set_payment_provider_active`,
//! `set_webhook_active`, `delete_webhook`, `api_keys`, `rotate_api_key`, `set_api_key_active`,
//! `go_offline`, `go_online`, `is_online`, `held_requests`, `wait_for_held_requests`), and
//! these tests hold them:
//!
//! | Control | Tests |
//! |---|---|
//! | Catalogue edits and their `product.*` events, SKU uniqueness | `merchant::merchant_creates_products_with_and_without_options_and_fires_product_created`, `merchant::merchant_product_and_variant_saves_fire_product_updated_of_the_product`, `merchant::merchant_sku_uniqueness_and_validation_refusals_change_nothing`, `merchant::merchant_deletes_a_product_the_api_answers_404_for_it_and_its_variants`, `merchant::merchant_catalogue_over_the_http_control_surface` |
//! | Seeded descriptions, `missing_description`, sparse fieldsets | `seed_and_control::seed_descriptions_are_bulgarian_attributes_except_the_broken_ones_and_sparse_fieldsets_keep_them` |
//! | Payment methods | `merchant::payment_providers_added_switched_off_and_on_show_in_the_active_filter` |
//! | Webhook subscription switch and delete | `merchant::webhook_subscriptions_switched_off_on_and_deleted_by_the_merchant` |
//! | API key rotation / switch, delivery key | `merchant::api_key_rotation_and_deactivation_and_deliveries_carry_the_current_value`, `seed_and_control::snapshot_persists_shops_across_restarts_and_rejects_garbage` |
//! | USD currency, ЕГН in the billing address | `orders::s7_shop_currency_usd_is_frozen_onto_new_orders_and_their_webhooks`, `orders::s7_billing_registration_number_may_hold_a_10_digit_egn_and_reads_back_intact` |
//! | Offline / online on the same port | `outages::go_offline_refuses_connections_and_go_online_serves_the_same_port_again`, `outages::sim_offline_over_http_answers_then_refuses_then_comes_back_on_the_same_port` |
//! | Hang fault | `outages::hang_fault_holds_requests_until_the_virtual_clock_advances_or_the_fault_is_cleared` |
//! | Duplicate count | `webhooks::fault_switch_duplicate_count_sends_each_attempt_n_times_and_the_bool_still_means_twice` |
//! | No server error on any control body | `never_panics::control_surface_answers_every_body_without_a_server_error` |
//!
//! Errors: `{"error":{"code":…,"message_bg":…,"message_en":…}}` with 400/404/422 (500 only
//! for `snapshot_failed` and `port_unavailable`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
pub mod clock;
pub mod config;
pub mod control;
mod errors;
pub mod merchant_catalogue;
mod merchant_control;
mod merchant_routes;
pub mod merchant_settings;
mod orders;
mod outage;
mod persist;
mod query;
mod ratelimit;
mod resource;
pub mod seed;
mod store;
mod webhooks;
mod writes;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

pub use api::ApiFault;
pub use config::{
    BrokenCases, ClockMode, Currency, FeeRule, OrderEventDeferral, PayloadShape, Plan, ShopConfig,
    SimConfig, StockDecrease, VatMode,
};
pub use control::{Control, ControlError, SettingsPatch, ShopInfo, VariantView, WebhookView};
pub use merchant_catalogue::{
    NewProduct, NewVariant, OptionChoice, ProductEdit, ProductView, VariantEdit,
};
pub use merchant_settings::{ApiKeyView, NewPaymentProvider, PaymentProviderView};
pub use orders::{
    Actor, Buyer, FulfilInput, LineRequest, OrderRequest, MAX_LINES, MAX_LINE_QUANTITY,
};
pub use persist::SnapshotError;
pub use store::{Address, DiscountSpec, ReceivedWrite};
pub use webhooks::{DeliveryRecord, HeldDelivery, Outcome, WebhookFaults, MAX_COPIES};

use crate::api::lock;
use crate::clock::SimClock;
use crate::store::Shop;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The configuration is inconsistent.
    #[error("invalid emulator configuration: {0}")]
    Config(String),
    /// Binding 127.0.0.1 failed.
    #[error("cannot bind 127.0.0.1:{port}: {source}")]
    Bind {
        /// Requested port.
        port: u16,
        /// OS error.
        source: std::io::Error,
    },
    /// The snapshot file could not be read.
    #[error(transparent)]
    Snapshot(#[from] persist::SnapshotError),
    /// The HTTP client for webhooks could not be built.
    #[error("cannot build the webhook HTTP client: {0}")]
    Http(String),
}

/// Shared state of a running emulator.
pub struct SimState {
    pub(crate) clock: SimClock,
    pub(crate) shops: BTreeMap<String, Arc<Mutex<Shop>>>,
    aliases: BTreeMap<String, String>,
    pub(crate) notify: Notify,
    dispatch: tokio::sync::Mutex<()>,
    http: reqwest::Client,
    webhook_timeout: Duration,
    pub(crate) addr: SocketAddr,
    pub(crate) snapshot: Option<std::path::PathBuf>,
    /// The serving task(s) and the switch that closes the listener (outages, shutdown).
    pub(crate) server: Mutex<outage::Server>,
    /// Serialises `go_offline` / `go_online`.
    pub(crate) transition: tokio::sync::Mutex<()>,
    /// Bumped whenever the clock is advanced or held requests are released, so requests held
    /// by [`ApiFault::Hang`] re-check their deadline.
    pub(crate) ticks: tokio::sync::watch::Sender<u64>,
}

impl SimState {
    /// The shop serving `host` and whether `host` is an alias (rate limit 0).
    pub(crate) fn shop_for_host(&self, host: &str) -> Option<(Arc<Mutex<Shop>>, bool)> {
        if let Some(s) = self.shops.get(host) {
            return Some((s.clone(), false));
        }
        let primary = self.aliases.get(host)?;
        self.shops.get(primary).map(|s| (s.clone(), true))
    }

    /// Deliver everything due, shop by shop, until nothing is due (bounded rounds).
    pub(crate) async fn run_due_webhooks(&self) {
        let _guard = self.dispatch.lock().await;
        for _round in 0..64 {
            let mut any = false;
            for shop in self.shops.values() {
                let jobs = webhooks::take_due(&mut lock(shop), self.clock.now());
                for job in jobs {
                    any = true;
                    let result = webhooks::deliver(&self.http, &job, self.webhook_timeout).await;
                    webhooks::settle(&mut lock(shop), job, result, self.clock.now());
                }
            }
            if !any {
                break;
            }
        }
    }

    /// Wake every request held by [`ApiFault::Hang`] so it re-checks its release condition.
    pub(crate) fn tick(&self) {
        self.ticks.send_modify(|t| *t = t.wrapping_add(1));
    }

    fn next_due(&self) -> Option<jiff::Timestamp> {
        self.shops
            .values()
            .filter_map(|s| webhooks::next_due(&lock(s)))
            .min()
    }
}

/// A running emulator.
pub struct Sim {
    state: Arc<SimState>,
    dispatcher: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("addr", &self.state.addr)
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// Seed the shops, bind 127.0.0.1:`config.port` and serve in a tokio task.
    pub async fn start(config: SimConfig) -> Result<Sim, SimError> {
        if config.shops.is_empty() {
            return Err(SimError::Config("at least one shop is needed".into()));
        }
        let clock = SimClock::new(config.clock);
        let settings = webhooks::HookSettings {
            deferral: config.order_event_deferral,
            extra_60s_retry: config.extra_60s_retry,
            shape: config.payload_shape,
        };
        let mut restored: BTreeMap<String, persist::ShopSnapshot> = match &config.snapshot {
            Some(path) => persist::load(path)?
                .unwrap_or_default()
                .into_iter()
                .map(|s| (s.host().to_string(), s))
                .collect(),
            None => BTreeMap::new(),
        };
        let mut shops = BTreeMap::new();
        let mut aliases = BTreeMap::new();
        for sc in config.shops {
            let host = sc.host.to_ascii_lowercase();
            if host.is_empty() || shops.contains_key(&host) || aliases.contains_key(&host) {
                return Err(SimError::Config(format!(
                    "shop host `{host}` is empty or used twice"
                )));
            }
            if sc.api_keys.iter().all(|k| k.trim().is_empty()) {
                return Err(SimError::Config(format!(
                    "shop `{host}` needs a non-empty API key"
                )));
            }
            for a in &sc.aliases {
                aliases.insert(a.clone(), host.clone());
            }
            let shop = match restored.remove(&host) {
                Some(snap) => snap.restore(settings),
                None => {
                    let (n, seed, broken) = (sc.seed_products, sc.seed, sc.broken);
                    let mut shop = Shop::new(sc, settings);
                    seed::generate(&mut shop, n, seed, broken, clock.now());
                    shop
                }
            };
            shops.insert(host, Arc::new(Mutex::new(shop)));
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| SimError::Bind {
                port: config.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            port: config.port,
            source,
        })?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.webhook_timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SimError::Http(e.to_string()))?;
        let state = Arc::new(SimState {
            clock,
            shops,
            aliases,
            notify: Notify::new(),
            dispatch: tokio::sync::Mutex::new(()),
            http,
            webhook_timeout: Duration::from_millis(config.webhook_timeout_ms),
            addr,
            snapshot: config.snapshot.clone(),
            server: Mutex::new(outage::Server::default()),
            transition: tokio::sync::Mutex::new(()),
            ticks: tokio::sync::watch::Sender::new(0),
        });
        outage::serve(&state, listener);
        let dispatcher = tokio::spawn(dispatch_loop(state.clone()));
        Ok(Sim { state, dispatcher })
    }

    /// The bound address (127.0.0.1:PORT).
    pub fn addr(&self) -> SocketAddr {
        self.state.addr
    }

    /// `http://{host}:{port}` — `*.localhost` resolves to loopback in curl and in the client.
    pub fn base_url(&self, host: &str) -> String {
        format!(
            "http://{}:{}",
            host.to_ascii_lowercase(),
            self.state.addr.port()
        )
    }

    /// The in-process control handle.
    pub fn control(&self) -> Control {
        Control {
            state: self.state.clone(),
        }
    }

    /// Stop serving and stop the webhook dispatcher; writes the snapshot when configured.
    pub async fn shutdown(self) {
        if let Err(e) = self.control().save_snapshot() {
            tracing::warn!(error = %e.message_en, "snapshot not written");
        }
        self.dispatcher.abort();
        for task in outage::close(&self.state) {
            let _ = task.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.dispatcher.abort();
        drop(outage::close(&self.state));
    }
}

/// The HTTP application: the `/_sim/` control surface, then the public API.
pub(crate) fn app(state: Arc<SimState>) -> axum::Router {
    control::routes().fallback(api::handle).with_state(state)
}

async fn dispatch_loop(state: Arc<SimState>) {
    loop {
        state.run_due_webhooks().await;
        if state.clock.is_virtual() {
            state.notify.notified().await;
        } else {
            let wait = state
                .next_due()
                .map(|due| {
                    let d = due.duration_since(state.clock.now());
                    Duration::from_millis(d.as_millis().clamp(0, 3_600_000) as u64)
                })
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = state.notify.notified() => {}
            }
        }
    }
}
