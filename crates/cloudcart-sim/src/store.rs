//! The in-memory records of one emulated shop.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::config::{Currency, FeeRule, ShopConfig, StockDecrease, VatMode};
use crate::ratelimit::RateWindow;
use crate::webhooks::{HookSettings, WebhookState};

/// Quantity in thousandths (the API's decimal(20,3)); `None` = unlimited.
pub type Milli = i64;

/// A catalogue category.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Category {
    pub id: u64,
    pub name: String,
    pub url_handle: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A product (no stock, no own price).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub url_handle: String,
    pub active: bool,
    pub draft: bool,
    pub tracking: bool,
    pub continue_selling: bool,
    pub shipping: bool,
    pub digital: bool,
    pub sale: bool,
    pub new: bool,
    pub category_id: u64,
    /// Bound variant-parameter ids, slots 1..3 in order.
    pub parameters: Vec<u64>,
    pub description: Option<String>,
    /// Default image (`None` after it is deleted: no new default is chosen).
    #[serde(default)]
    pub image_id: Option<u64>,
    pub date_added: Timestamp,
    pub date_modified: Timestamp,
}

/// A sellable variant.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Variant {
    pub id: u64,
    pub product_id: u64,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub price: i64,
    pub delivery_price: i64,
    pub weight: i64,
    /// Thousandths; `None` = unlimited.
    pub quantity: Option<Milli>,
    /// Option ids in parameter-slot order.
    pub options: Vec<u64>,
}

/// A store-wide variant parameter ("Размер").
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Parameter {
    pub id: u64,
    pub name: String,
    pub display_type: String,
}

/// A value of a parameter ("M").
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct OptionValue {
    pub id: u64,
    pub parameter_id: u64,
    pub name: String,
}

/// A product image (thumbnails are generated asynchronously, so `thumbs` is empty).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Image {
    pub id: u64,
    pub product_id: u64,
    pub src: String,
    pub name: Option<String>,
    pub sort_order: i64,
    pub active: bool,
}

/// A customer.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Customer {
    pub id: u64,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub active: bool,
    /// A new e-mail waiting for confirmation (login keeps the old one until then).
    #[serde(default)]
    pub email_for_confirmation: Option<String>,
    #[serde(default)]
    pub email_confirmed: bool,
    pub date_added: Timestamp,
    pub updated_at: Timestamp,
}

/// An address (customer or order, billing or shipping).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Address {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Company name.
    pub company_name: Option<String>,
    /// Company VAT number (e.g. `BG204512345`).
    pub company_vat: Option<String>,
    /// ЕИК / BULSTAT (API attribute `company_registration_number`).
    pub company_registration_number: Option<String>,
    /// МОЛ (API attribute `company_person`).
    pub company_person: Option<String>,
    /// Country, ISO 3166-1 alpha-2.
    pub country_iso2: Option<String>,
    /// City.
    pub city_name: Option<String>,
    /// Street.
    pub street_name: Option<String>,
    /// Street number.
    pub street_number: Option<String>,
    /// Post code.
    pub post_code: Option<String>,
}

/// A customer's saved address.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CustomerAddress {
    pub id: u64,
    pub customer_id: u64,
    pub billing: bool,
    pub address: Address,
}

/// A payment provider (id = gateway code).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PaymentProvider {
    pub code: String,
    pub title: String,
    pub active: bool,
    /// Offline methods (cod, bank transfer) can be "marked as paid" by the merchant.
    pub offline: bool,
}

/// A shipping provider.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ShippingProvider {
    pub id: u64,
    pub name: String,
    pub provider_type: String,
    pub active: bool,
    /// Flat price of the emulated quote, minor units.
    pub price: i64,
}

/// One order line.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct OrderLine {
    pub id: u64,
    pub product_id: u64,
    pub variant_id: u64,
    pub name: String,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub quantity: i64,
    pub weight: i64,
    pub price: i64,
    pub order_price: i64,
    pub delivery_price: i64,
    pub option_labels: Vec<(String, String)>,
    pub category_id: u64,
    pub category_name: String,
    pub tracked: bool,
    pub digital: bool,
    /// Thousandths actually taken from the variant (`Some` = this line holds stock).
    pub stock_taken: Option<Milli>,
    pub fulfillment_id: Option<u64>,
}

/// A discount applied to an order (order-level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DiscountSpec {
    /// Name shown on the order.
    pub name: String,
    /// Coupon code typed by the customer.
    pub code: Option<String>,
    /// `percent` (value = whole percent) or `flat` (value = minor units).
    pub discount_type: String,
    /// Percent or minor units, per `discount_type`.
    pub value: i64,
}

/// A computed fee line.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FeeLine {
    pub name: String,
    pub amount: i64,
}

/// The money breakdown of an order.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Totals {
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub fees: Vec<FeeLine>,
    pub tax: i64,
    pub total: i64,
}

/// The fulfilment record.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Fulfillment {
    pub id: u64,
    pub order_id: u64,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub date_expedition: Option<String>,
    pub date_delivery: Option<String>,
    pub date_fulfilled: Timestamp,
}

/// An order.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Order {
    pub id: u64,
    pub status: String,
    pub fulfilled: bool,
    pub currency: Currency,
    pub vat_mode: VatMode,
    pub vat_rate_percent: u32,
    pub vat_on_shipping: bool,
    /// Snapshot of `order_status_for_quantity_decrease`.
    pub stock_decrease: StockDecrease,
    pub customer_id: Option<u64>,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub note_customer: Option<String>,
    pub lines: Vec<OrderLine>,
    pub discount: Option<DiscountSpec>,
    pub discount_row_id: u64,
    pub fee_rules: Vec<FeeRule>,
    pub shipping_provider_id: Option<u64>,
    pub shipping_row_id: u64,
    pub payment_provider: String,
    pub payment_row_id: u64,
    pub payment_status: String,
    pub authorized_amount: Option<i64>,
    pub billing: Address,
    pub shipping_address: Address,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<Timestamp>,
    pub usn: Option<String>,
    pub archived: bool,
    /// A return record exists (cancel/refund of a committed sale): the reversal lock.
    pub reversal_locked: bool,
    pub fulfillment: Option<Fulfillment>,
    pub totals: Totals,
    pub total_row_base: u64,
    pub tax_row_id: u64,
    pub date_added: Timestamp,
    pub updated_at: Timestamp,
    pub notify_customer: bool,
}

/// A webhook subscription.
#[derive(Clone, Serialize, serde::Deserialize)]
pub struct Webhook {
    pub id: u64,
    pub url: String,
    pub event: String,
    pub active: bool,
    pub new_version: bool,
    pub request_headers: BTreeMap<String, String>,
    /// Index into the shop's API keys.
    pub api_key_index: usize,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("event", &self.event)
            .field("active", &self.active)
            .field(
                "request_headers",
                &format_args!("[{} redacted]", self.request_headers.len()),
            )
            .finish_non_exhaustive()
    }
}

/// A custom order status.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CustomStatus {
    pub id: u64,
    pub name: String,
    pub slug: String,
}

/// A write request the API received (for inspection by tests).
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedWrite {
    /// `POST`, `PATCH` or `DELETE`.
    pub method: String,
    /// Path and query, e.g. `/api/v2/variants/12`.
    pub path: String,
    /// Parsed JSON body (`null` when absent or unparseable).
    pub body: serde_json::Value,
    /// HTTP status the emulator answered.
    pub status: u16,
    /// Virtual/real time of the request.
    pub at: String,
}

/// Id counters.
#[derive(Debug, Default, Clone, Copy, Serialize, serde::Deserialize)]
pub struct Ids {
    next: u64,
}

impl Ids {
    /// Next id (ids are unique across all tables of a shop; starts at 1).
    pub fn allocate(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

/// Everything one shop holds.
#[derive(Debug)]
pub struct Shop {
    pub config: ShopConfig,
    pub ids: Ids,
    pub categories: BTreeMap<u64, Category>,
    pub products: BTreeMap<u64, Product>,
    pub variants: BTreeMap<u64, Variant>,
    pub parameters: BTreeMap<u64, Parameter>,
    pub options: BTreeMap<u64, OptionValue>,
    pub customers: BTreeMap<u64, Customer>,
    pub addresses: BTreeMap<u64, CustomerAddress>,
    pub images: BTreeMap<u64, Image>,
    pub payment_providers: Vec<PaymentProvider>,
    pub shipping_providers: BTreeMap<u64, ShippingProvider>,
    pub orders: BTreeMap<u64, Order>,
    /// Sub-resource row id (line, discount, shipping, payment, tax, total, fulfilment) → order id.
    pub order_rows: std::collections::HashMap<u64, u64>,
    pub webhooks: BTreeMap<u64, Webhook>,
    pub custom_statuses: Vec<CustomStatus>,
    pub writes: Vec<ReceivedWrite>,
    pub rate: RateWindow,
    pub invoice_counter: u64,
    pub hooks: WebhookState,
    pub api_faults: std::collections::VecDeque<crate::api::ApiFault>,
    /// Indexes into `config.api_keys` of keys the merchant switched off (`active = 0` → 401).
    pub disabled_keys: std::collections::BTreeSet<usize>,
    /// Bumped when the API faults are cleared: requests held by [`crate::ApiFault::Hang`]
    /// remember the epoch they started in and are released when it changes.
    pub hang_epoch: u64,
    /// Requests an [`crate::ApiFault::Hang`] holds right now.
    pub held_requests: usize,
    /// Requests refused with 429 because the sliding window was full (not injected
    /// faults): what a client that keeps under the limit never sees.
    pub rate_refusals: u64,
    /// API requests admitted by the rate limit (what a client spent of the budget).
    pub admitted_requests: u64,
}

impl Shop {
    /// An empty shop with the default providers (cod, bank transfer, card; Econt, Speedy, pickup).
    pub fn new(config: ShopConfig, hooks: HookSettings) -> Self {
        let mut shop = Shop {
            config,
            ids: Ids::default(),
            categories: BTreeMap::new(),
            products: BTreeMap::new(),
            variants: BTreeMap::new(),
            parameters: BTreeMap::new(),
            options: BTreeMap::new(),
            customers: BTreeMap::new(),
            addresses: BTreeMap::new(),
            images: BTreeMap::new(),
            payment_providers: vec![
                PaymentProvider {
                    code: "cod".into(),
                    title: "Наложен платеж".into(),
                    active: true,
                    offline: true,
                },
                PaymentProvider {
                    code: "bwt".into(),
                    title: "Банков превод".into(),
                    active: true,
                    offline: true,
                },
                PaymentProvider {
                    code: "stripe".into(),
                    title: "Карта (Stripe)".into(),
                    active: true,
                    offline: false,
                },
            ],
            shipping_providers: BTreeMap::new(),
            orders: BTreeMap::new(),
            order_rows: std::collections::HashMap::new(),
            webhooks: BTreeMap::new(),
            custom_statuses: Vec::new(),
            writes: Vec::new(),
            rate: RateWindow::default(),
            invoice_counter: 0,
            hooks: WebhookState::new(hooks),
            api_faults: std::collections::VecDeque::new(),
            disabled_keys: std::collections::BTreeSet::new(),
            hang_epoch: 0,
            held_requests: 0,
            rate_refusals: 0,
            admitted_requests: 0,
        };
        for (name, kind, price) in [
            ("Еконт", "econt", 599),
            ("Спиди", "speedy", 649),
            ("Вземане от магазина", "custom", 0),
        ] {
            let id = shop.ids.allocate();
            shop.shipping_providers.insert(
                id,
                ShippingProvider {
                    id,
                    name: name.into(),
                    provider_type: kind.into(),
                    active: true,
                    price,
                },
            );
        }
        shop
    }

    /// The variant with this SKU (case-sensitive, as stored).
    pub fn variant_by_sku(&self, sku: &str) -> Option<&Variant> {
        self.variants
            .values()
            .find(|v| v.sku.as_deref() == Some(sku))
    }

    /// Whether `key` is one of the shop's API keys and switched on.
    pub fn key_accepted(&self, key: &str) -> bool {
        self.config
            .api_keys
            .iter()
            .enumerate()
            .any(|(i, k)| k == key && !self.disabled_keys.contains(&i))
    }

    /// Whether another variant (not `except`) uses this SKU.
    pub fn sku_taken(&self, sku: &str, except: Option<u64>) -> bool {
        self.variants
            .values()
            .any(|v| v.sku.as_deref() == Some(sku) && Some(v.id) != except)
    }

    /// Default variant of a product: the cheapest, ties broken by id.
    pub fn default_variant(&self, product_id: u64) -> Option<&Variant> {
        self.variants
            .values()
            .filter(|v| v.product_id == product_id)
            .min_by_key(|v| (v.price, v.id))
    }

    /// Store an order and index its sub-resource rows.
    pub fn put_order(&mut self, o: Order) {
        let id = o.id;
        let mut rows = vec![
            o.discount_row_id,
            o.shipping_row_id,
            o.payment_row_id,
            o.tax_row_id,
        ];
        rows.extend(o.total_row_base..o.total_row_base + 16);
        rows.extend(o.lines.iter().map(|l| l.id));
        rows.extend(o.fulfillment.as_ref().map(|f| f.id));
        for r in rows {
            self.order_rows.insert(r, id);
        }
        self.orders.insert(id, o);
    }

    /// The order owning sub-resource row `row`.
    pub fn order_of_row(&self, row: u64) -> Option<&Order> {
        self.order_rows.get(&row).and_then(|id| self.orders.get(id))
    }

    /// Next invoice number (system sequence, 10 digits).
    pub fn next_invoice_number(&mut self) -> String {
        self.invoice_counter += 1;
        format!("{:010}", self.invoice_counter)
    }
}
