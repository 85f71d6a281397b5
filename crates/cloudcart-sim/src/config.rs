//! Configuration of the emulator and of each emulated shop.

use serde::{Deserialize, Serialize};

/// How the emulator tells the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// Wall-clock time; webhook retries really wait minutes.
    Real,
    /// Virtual time starting at 2026-06-01 08:00:00 UTC that moves only when
    /// [`crate::Control::advance`] is called: retry schedules and rate windows run instantly.
    #[default]
    Virtual,
}

/// The shop currency (one per shop, frozen onto each order at placement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Currency {
    /// Euro (the default since Bulgaria's changeover).
    #[default]
    #[serde(rename = "EUR")]
    Eur,
    /// Bulgarian lev (pre-euro shops and old orders).
    #[serde(rename = "BGN")]
    Bgn,
    /// US dollar (a shop selling abroad; MERCHANT.md §7.1: one base currency per shop, any code).
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    /// ISO 4217 code as the API prints it.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Bgn => "BGN",
            Currency::Usd => "USD",
        }
    }
}

/// Whether catalogue prices include VAT (`price_with_vat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatMode {
    /// Prices are gross (include VAT) — usual for Bulgarian shops. `order-tax.type = included`.
    #[default]
    Gross,
    /// Prices are net; VAT is added on top. `order-tax.type = additional`.
    Net,
}

/// The store setting `order_status_for_quantity_decrease`, snapshotted onto each order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockDecrease {
    /// Stock is taken when the order becomes `paid`/`authorized`/`completed` (or is fulfilled).
    #[default]
    Paid,
    /// Stock is taken already at `pending` (i.e. on placement).
    Pending,
}

/// When the first attempt of an `order.*` webhook is deferred by 60 s (API.md §6.6 CONFLICT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEventDeferral {
    /// Never deferred.
    Never,
    /// Deferred when more than one active subscription listens to the event (the rule of
    /// the delivery-flow pages and MERCHANT.md §11) — the default.
    #[default]
    WhenSeveralSubscribers,
    /// Always deferred by 60 s.
    Always,
}

/// Shape of non-order webhook payload elements (API.md §6.4: unknown, configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadShape {
    /// A JSON:API resource object (`type`, `id`, `attributes`) — the default.
    #[default]
    JsonApi,
    /// A flat object of the attributes plus `id`.
    Flat,
}

/// A fee row ("такса") from Settings → Taxes and fees; every matching fee is its own line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRule {
    /// Label shown on the order, e.g. "Такса наложен платеж".
    pub name: String,
    /// Flat amount in minor units, or percent in hundredths of a percent (200 = 2 %).
    pub amount: i64,
    /// `true` when `amount` is a percentage (of the discounted goods) in basis points.
    pub percent: bool,
    /// Only for this payment provider code (e.g. `cod`); `None` = every method.
    pub payment_provider: Option<String>,
}

/// One emulated shop, selected by its `Host`.
#[derive(Clone, Serialize, Deserialize)]
pub struct ShopConfig {
    /// Primary domain (lower-cased), e.g. `shop.localhost`.
    pub host: String,
    /// Extra domains that resolve to the shop but have rate limit 0 (API.md §1.1).
    pub aliases: Vec<String>,
    /// Accepted API keys (64 upper-case characters on the real platform; any non-empty text here).
    pub api_keys: Vec<String>,
    /// Number of products the seed generator creates.
    pub seed_products: usize,
    /// Seed of the deterministic generator.
    pub seed: u64,
    /// Deliberately broken catalogue rows for the control panel's check.
    pub broken: BrokenCases,
    /// Requests per minute (`X-RateLimit-Limit`); 0 = plan without API access.
    pub rate_limit_per_minute: u32,
    /// Shop currency.
    pub currency: Currency,
    /// Gross or net prices.
    pub vat_mode: VatMode,
    /// Standard VAT rate in percent.
    pub vat_rate_percent: u32,
    /// Whether VAT is charged on the shipping line.
    pub vat_on_shipping: bool,
    /// `order_status_for_quantity_decrease`.
    pub stock_decrease: StockDecrease,
    /// `order_complete`: paid + fulfilled orders turn `completed` automatically.
    pub auto_complete: bool,
    /// Fee rules applied to new orders.
    pub fees: Vec<FeeRule>,
    /// 402 on every API call (subscription expired).
    pub subscription_expired: bool,
    /// Plan cap on products: a product POST beyond it answers 402 (`None` = unlimited).
    pub product_limit: Option<usize>,
}

impl std::fmt::Debug for ShopConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopConfig")
            .field("host", &self.host)
            .field("aliases", &self.aliases)
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .field("seed_products", &self.seed_products)
            .field("seed", &self.seed)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("currency", &self.currency)
            .field("vat_mode", &self.vat_mode)
            .field("stock_decrease", &self.stock_decrease)
            .finish_non_exhaustive()
    }
}

/// Counts of deliberately broken catalogue rows the seed generator adds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenCases {
    /// Variants with an empty SKU.
    pub missing_sku: usize,
    /// Variants that reuse another variant's barcode.
    pub duplicate_barcode: usize,
    /// Products with an empty name.
    pub missing_name: usize,
    /// Products without a description (the first ones by id; every other seeded product has a
    /// short Bulgarian description).
    #[serde(default)]
    pub missing_description: usize,
}

/// Rate limits of the public plans (API.md §1.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// No API access (limit 0).
    BabyPack,
    /// 50 requests/minute.
    StarterPack,
    /// 100 requests/minute.
    CcPro,
    /// 150 requests/minute.
    CcMaster,
    /// Negotiated limit, capped at 800.
    Custom(u32),
}

impl Plan {
    /// Requests per minute of the plan (never above 800).
    pub fn rate_limit(self) -> u32 {
        match self {
            Plan::BabyPack => 0,
            Plan::StarterPack => 50,
            Plan::CcPro => 100,
            Plan::CcMaster => 150,
            Plan::Custom(n) => n.min(800),
        }
    }
}

impl ShopConfig {
    /// A shop on `host` with a deterministic 64-character API key, no products, limit 800/min,
    /// EUR, gross prices at 20 % VAT, stock taken at `paid`, auto-complete on.
    pub fn new(host: impl Into<String>) -> Self {
        let host = host.into().to_ascii_lowercase();
        let api_key = crate::seed::api_key_for(&host);
        Self {
            host,
            aliases: Vec::new(),
            api_keys: vec![api_key],
            seed_products: 0,
            seed: 1,
            broken: BrokenCases::default(),
            rate_limit_per_minute: 800,
            currency: Currency::Eur,
            vat_mode: VatMode::Gross,
            vat_rate_percent: 20,
            vat_on_shipping: true,
            stock_decrease: StockDecrease::Paid,
            auto_complete: true,
            fees: Vec::new(),
            subscription_expired: false,
            product_limit: None,
        }
    }
    /// Replace the API keys with this single key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys = vec![key.into()];
        self
    }
    /// Add another accepted API key (all keys share one rate-limit bucket).
    pub fn extra_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }
    /// Add an alias domain (resolves to the shop, rate limit 0).
    pub fn alias(mut self, host: impl Into<String>) -> Self {
        self.aliases.push(host.into().to_ascii_lowercase());
        self
    }
    /// Seed this many products (each with 1–8 variants).
    pub fn seed_products(mut self, n: usize) -> Self {
        self.seed_products = n;
        self
    }
    /// Seed of the generator (same seed, same catalogue).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Add deliberately broken rows.
    pub fn broken(mut self, broken: BrokenCases) -> Self {
        self.broken = broken;
        self
    }
    /// Requests per minute; 0 = no API access.
    pub fn rate_limit_per_minute(mut self, n: u32) -> Self {
        self.rate_limit_per_minute = n.min(800);
        self
    }
    /// Use a public plan's rate limit.
    pub fn plan(self, plan: Plan) -> Self {
        self.rate_limit_per_minute(plan.rate_limit())
    }
    /// Shop currency.
    pub fn currency(mut self, c: Currency) -> Self {
        self.currency = c;
        self
    }
    /// Gross or net prices.
    pub fn vat_mode(mut self, m: VatMode) -> Self {
        self.vat_mode = m;
        self
    }
    /// Standard VAT rate in percent.
    pub fn vat_rate_percent(mut self, p: u32) -> Self {
        self.vat_rate_percent = p;
        self
    }
    /// `order_status_for_quantity_decrease`.
    pub fn stock_decrease(mut self, s: StockDecrease) -> Self {
        self.stock_decrease = s;
        self
    }
    /// Plan cap on products (POST beyond it → 402).
    pub fn product_limit(mut self, n: usize) -> Self {
        self.product_limit = Some(n);
        self
    }
    /// Add a fee rule.
    pub fn fee(mut self, fee: FeeRule) -> Self {
        self.fees.push(fee);
        self
    }
}

/// The whole emulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimConfig {
    /// The shops to serve.
    pub shops: Vec<ShopConfig>,
    /// Real or virtual time.
    pub clock: ClockMode,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Per-attempt webhook timeout in milliseconds (5 000 on the platform).
    pub webhook_timeout_ms: u64,
    /// Deferral rule for `order.*` first attempts.
    pub order_event_deferral: OrderEventDeferral,
    /// Add the extra 60 s retry before the 120…360 s series (API.md §6.6 noise).
    pub extra_60s_retry: bool,
    /// Shape of non-order webhook payloads.
    pub payload_shape: PayloadShape,
    /// JSON snapshot file: loaded at start when it exists (its shops replace the seeded ones
    /// with the same host), written on [`crate::Control::save_snapshot`] and on shutdown.
    pub snapshot: Option<std::path::PathBuf>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            shops: Vec::new(),
            clock: ClockMode::Virtual,
            port: 0,
            webhook_timeout_ms: 5_000,
            order_event_deferral: OrderEventDeferral::WhenSeveralSubscribers,
            extra_60s_retry: false,
            payload_shape: PayloadShape::JsonApi,
            snapshot: None,
        }
    }
}
