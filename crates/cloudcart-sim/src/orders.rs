//! Orders: placement, money (discounts, fees, shipping, VAT), the status machine with its
//! transition gates, stock taken/returned per line exactly once, and fulfilment.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::{StockDecrease, VatMode};
use crate::store::{Address, DiscountSpec, FeeLine, Fulfillment, Order, OrderLine, Shop, Totals};
use crate::webhooks::{self, Emit};

/// The 11 built-in status codes with their helper ids and Bulgarian labels.
pub const BUILTIN_STATUSES: [(&str, u64, &str); 11] = [
    ("pending", 1, "Изчакваща"),
    ("paid", 2, "Платена"),
    ("authorized", 3, "Оторизирано плащане"),
    ("completed", 4, "Завършена"),
    ("cancelled", 5, "Отказана"),
    ("refunded", 6, "Възстановена"),
    ("voided", 7, "Анулирана"),
    ("timeouted", 8, "Изтекло време"),
    ("failed", 9, "Неуспешна"),
    ("chargebacked", 10, "Оспорено плащане"),
    ("disputed", 11, "В спор"),
];

/// Codes the merchant and the API may set.
pub const SETTABLE: [&str; 6] = [
    "pending",
    "authorized",
    "paid",
    "completed",
    "cancelled",
    "refunded",
];

/// Whether `code` is a negative status.
pub fn is_negative(code: &str) -> bool {
    matches!(
        code,
        "cancelled" | "refunded" | "voided" | "timeouted" | "failed" | "chargebacked" | "disputed"
    )
}

fn is_builtin(code: &str) -> bool {
    BUILTIN_STATUSES.iter().any(|s| s.0 == code)
}

/// Helper id of a status code (built-in or custom).
pub fn status_id(shop: &Shop, code: &str) -> Option<u64> {
    BUILTIN_STATUSES
        .iter()
        .find(|s| s.0 == code)
        .map(|s| s.1)
        .or_else(|| {
            shop.custom_statuses
                .iter()
                .find(|c| c.slug == code)
                .map(|c| c.id)
        })
}

/// Status code of a helper id.
pub fn status_code(shop: &Shop, id: u64) -> Option<String> {
    BUILTIN_STATUSES
        .iter()
        .find(|s| s.1 == id)
        .map(|s| s.0.to_string())
        .or_else(|| {
            shop.custom_statuses
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.slug.clone())
        })
}

/// A refused business rule, with a stable code and Bulgarian and English text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// Stable machine code.
    pub code: &'static str,
    /// English message (the API's `detail`).
    pub en: String,
    /// Bulgarian message.
    pub bg: String,
    /// JSON pointer for the API error.
    pub pointer: &'static str,
}

impl RuleError {
    fn new(
        code: &'static str,
        pointer: &'static str,
        en: impl Into<String>,
        bg: impl Into<String>,
    ) -> Self {
        Self {
            code,
            en: en.into(),
            bg: bg.into(),
            pointer,
        }
    }
}

/// Who changes a status: the API, the merchant in the admin, or a payment gateway callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// JSON-API PATCH.
    Api,
    /// Admin panel / storefront control.
    Merchant,
    /// Gateway callback (no `order.updated` except cancellations and recoveries).
    Gateway,
}

/// Who buys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Buyer {
    /// A consumer identified by e-mail.
    Person {
        /// E-mail.
        email: String,
        /// First name.
        #[serde(default)]
        first_name: Option<String>,
        /// Last name.
        #[serde(default)]
        last_name: Option<String>,
    },
    /// A company wanting an invoice: ЕИК, optional VAT number, МОЛ.
    Company {
        /// E-mail.
        email: String,
        /// Company name.
        company_name: String,
        /// ЕИК / BULSTAT (9 or 13 digits).
        eik: String,
        /// VAT number (e.g. `BG204512345`).
        #[serde(default)]
        vat: Option<String>,
        /// МОЛ (responsible person).
        mol: String,
    },
}

/// One line of an order to place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRequest {
    /// Variant SKU.
    pub sku: String,
    /// Units (≥ 1).
    pub quantity: i64,
}

/// A storefront checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// Lines.
    pub lines: Vec<LineRequest>,
    /// Buyer.
    pub buyer: Buyer,
    /// Payment provider code (`cod` by default).
    #[serde(default)]
    pub payment_provider: Option<String>,
    /// Shipping provider id (the first one by default).
    #[serde(default)]
    pub shipping_provider_id: Option<u64>,
    /// Order-level discount.
    #[serde(default)]
    pub discount: Option<DiscountSpec>,
    /// Customer note.
    #[serde(default)]
    pub note: Option<String>,
    /// Shipping address (a default Sofia address when absent).
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// Billing address exactly as typed at checkout, replacing the one derived from `buyer`
    /// (the checkout fields are free text: `company_registration_number` may hold a 10-digit
    /// ЕГН of a person who wants an invoice instead of an ЕИК).
    #[serde(default)]
    pub billing_address: Option<Address>,
}

impl OrderRequest {
    /// A B2C order for `email` with the given (sku, quantity) lines.
    pub fn person(email: &str, lines: &[(&str, i64)]) -> Self {
        Self {
            lines: lines
                .iter()
                .map(|(s, q)| LineRequest {
                    sku: s.to_string(),
                    quantity: *q,
                })
                .collect(),
            buyer: Buyer::Person {
                email: email.into(),
                first_name: None,
                last_name: None,
            },
            payment_provider: None,
            shipping_provider_id: None,
            discount: None,
            note: None,
            shipping_address: None,
            billing_address: None,
        }
    }
}

/// Largest units on one order line.
pub const MAX_LINE_QUANTITY: i64 = 100_000;
/// Most lines on one order.
pub const MAX_LINES: usize = 500;

/// `a × m / d` rounded half-up, computed in i128 so totals never overflow.
fn mul_div(a: i64, m: i64, d: i64) -> i64 {
    if d <= 0 {
        return 0;
    }
    let (a, m, d) = (a as i128, m as i128, d as i128);
    let r = (2 * a * m + d) / (2 * d);
    r.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// Recompute the money of an order (half-up rounding on each total; API.md leaves rounding unknown).
pub fn compute_totals(shop: &Shop, o: &mut Order) {
    let subtotal: i64 = o.lines.iter().map(|l| l.price * l.quantity).sum();
    let (discount, line_price): (i64, Box<dyn Fn(i64) -> i64>) = match &o.discount {
        Some(d) if d.discount_type == "percent" => {
            let pct = d.value.clamp(0, 100);
            (
                mul_div(subtotal, pct, 100),
                Box::new(move |p| p - mul_div(p, pct, 100)),
            )
        }
        Some(d) => (d.value.clamp(0, subtotal), Box::new(|p| p)),
        None => (0, Box::new(|p| p)),
    };
    for l in &mut o.lines {
        l.order_price = line_price(l.price);
    }
    let goods = subtotal - discount;
    let physical = o.lines.iter().any(|l| !l.digital);
    let shipping = match o
        .shipping_provider_id
        .and_then(|id| shop.shipping_providers.get(&id))
    {
        Some(p) if physical => {
            p.price
                + o.lines
                    .iter()
                    .map(|l| l.delivery_price * l.quantity)
                    .sum::<i64>()
        }
        _ => 0,
    };
    let fees: Vec<FeeLine> = o
        .fee_rules
        .iter()
        .filter(|f| {
            f.payment_provider
                .as_deref()
                .is_none_or(|p| p == o.payment_provider)
        })
        .map(|f| FeeLine {
            name: f.name.clone(),
            amount: if f.percent {
                mul_div(goods, f.amount.clamp(0, 10_000), 10_000)
            } else {
                f.amount.clamp(0, 10_000_000_000)
            },
        })
        .take(8)
        .collect();
    let fee_sum: i64 = fees.iter().map(|f| f.amount).sum();
    let taxable = goods + fee_sum + if o.vat_on_shipping { shipping } else { 0 };
    let rate = o.vat_rate_percent as i64;
    let (tax, total) = match o.vat_mode {
        VatMode::Gross => (
            mul_div(taxable, rate, 100 + rate),
            goods + shipping + fee_sum,
        ),
        VatMode::Net => {
            let tax = mul_div(taxable, rate, 100);
            (tax, goods + shipping + fee_sum + tax)
        }
    };
    o.totals = Totals {
        subtotal,
        discount,
        shipping,
        fees,
        tax,
        total,
    };
}

fn meets_threshold(o: &Order) -> bool {
    match o.status.as_str() {
        "paid" | "authorized" | "completed" => true,
        "pending" => o.stock_decrease == StockDecrease::Pending,
        _ => false,
    }
}

/// Take stock for every line that does not hold any yet (clamped at 0; untracked or unlimited
/// variants record a zero take so a line is never charged twice).
fn take_stock(shop: &mut Shop, o: &mut Order) {
    for l in o.lines.iter_mut().filter(|l| l.stock_taken.is_none()) {
        l.stock_taken = Some(take_units(shop, l.variant_id, l.quantity * 1000));
    }
}

fn take_units(shop: &mut Shop, variant_id: u64, want: i64) -> i64 {
    let tracking = shop
        .variants
        .get(&variant_id)
        .and_then(|v| shop.products.get(&v.product_id))
        .is_some_and(|p| p.tracking);
    match shop.variants.get_mut(&variant_id) {
        Some(v) if tracking => match v.quantity {
            Some(q) => {
                let take = want.min(q.max(0));
                v.quantity = Some(q - take);
                take
            }
            None => 0,
        },
        _ => 0,
    }
}

fn return_units(shop: &mut Shop, variant_id: u64, units: i64) {
    let tracking = shop
        .variants
        .get(&variant_id)
        .and_then(|v| shop.products.get(&v.product_id))
        .is_some_and(|p| p.tracking);
    if let Some(v) = shop.variants.get_mut(&variant_id) {
        if let (true, Some(q)) = (tracking, v.quantity) {
            v.quantity = Some(q + units);
        }
    }
}

/// Give back what every line took (each line exactly once).
fn return_stock(shop: &mut Shop, o: &mut Order) {
    for l in o.lines.iter_mut() {
        if let Some(t) = l.stock_taken.take() {
            return_units(shop, l.variant_id, t);
        }
    }
}

/// Apply the stock rule of MERCHANT.md §4.2–4.3 after a status or fulfilment change.
fn settle_stock(shop: &mut Shop, o: &mut Order) {
    if is_negative(&o.status) {
        return_stock(shop, o);
    } else if is_builtin(&o.status) && (o.fulfilled || meets_threshold(o)) {
        take_stock(shop, o);
    }
}

/// The v2 `order.*` webhook payload of an order.
pub fn webhook_payload(shop: &Shop, o: &Order) -> serde_json::Value {
    crate::webhooks::order_payload(shop, o)
}

/// Place an order as the storefront checkout does; returns the new order id.
pub fn place(
    shop: &mut Shop,
    req: &OrderRequest,
    now: Timestamp,
    emit: &mut Emit,
) -> Result<u64, RuleError> {
    if req.lines.len() > MAX_LINES {
        return Err(RuleError::new(
            "too_many_lines",
            "/lines",
            format!("An order has at most {MAX_LINES} lines."),
            format!("Поръчката може да има най-много {MAX_LINES} реда."),
        ));
    }
    if req.lines.is_empty() {
        return Err(RuleError::new(
            "order_empty",
            "/lines",
            "An order needs at least one line.",
            "Поръчката трябва да има поне един ред.",
        ));
    }
    let (email, first, last, billing) = match &req.buyer {
        Buyer::Person {
            email,
            first_name,
            last_name,
        } => (
            email.clone(),
            first_name.clone(),
            last_name.clone(),
            Address {
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                country_iso2: Some("BG".into()),
                ..Default::default()
            },
        ),
        Buyer::Company {
            email,
            company_name,
            eik,
            vat,
            mol,
        } => {
            if !(eik.len() == 9 || eik.len() == 13) || !eik.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RuleError::new(
                    "invalid_eik",
                    "/buyer/eik",
                    format!(
                        "The company registration number (EIK) `{eik}` must have 9 or 13 digits."
                    ),
                    format!("ЕИК `{eik}` трябва да съдържа 9 или 13 цифри."),
                ));
            }
            if let Some(v) = vat {
                let ok = v.len() >= 4
                    && v.len() <= 14
                    && v.as_bytes()[..2].iter().all(|b| b.is_ascii_uppercase())
                    && v.as_bytes()[2..].iter().all(|b| b.is_ascii_alphanumeric());
                if !ok {
                    return Err(RuleError::new(
                        "invalid_vat",
                        "/buyer/vat",
                        format!("The VAT number `{v}` is not valid."),
                        format!("ДДС номерът `{v}` е невалиден."),
                    ));
                }
            }
            if company_name.trim().is_empty() || mol.trim().is_empty() {
                return Err(RuleError::new(
                    "company_incomplete",
                    "/buyer",
                    "A company buyer needs a company name and a responsible person (MOL).",
                    "Фирменият купувач трябва да има име на фирма и МОЛ.",
                ));
            }
            let (first, last) = match mol.split_once(' ') {
                Some((a, b)) => (Some(a.to_string()), Some(b.to_string())),
                None => (Some(mol.clone()), None),
            };
            (
                email.clone(),
                first.clone(),
                last.clone(),
                Address {
                    first_name: first,
                    last_name: last,
                    company_name: Some(company_name.clone()),
                    company_vat: vat.clone(),
                    company_registration_number: Some(eik.clone()),
                    company_person: Some(mol.clone()),
                    country_iso2: Some("BG".into()),
                    city_name: Some("София".into()),
                    street_name: Some("бул. Витоша".into()),
                    street_number: Some("1".into()),
                    post_code: Some("1000".into()),
                    ..Default::default()
                },
            )
        }
    };
    if !email.contains('@') || email.len() > 191 {
        return Err(RuleError::new(
            "invalid_email",
            "/buyer/email",
            format!("`{email}` is not a valid e-mail."),
            format!("`{email}` не е валиден имейл."),
        ));
    }
    let payment_provider = req.payment_provider.clone().unwrap_or_else(|| "cod".into());
    let Some(pp) = shop
        .payment_providers
        .iter()
        .find(|p| p.code == payment_provider && p.active)
    else {
        return Err(RuleError::new(
            "unknown_payment_provider",
            "/payment_provider",
            format!("Unknown payment method `{payment_provider}`."),
            format!("Непознат метод на плащане `{payment_provider}`."),
        ));
    };
    let offline = pp.offline;
    let shipping_provider_id = match req.shipping_provider_id {
        Some(id) if shop.shipping_providers.contains_key(&id) => Some(id),
        Some(id) => {
            return Err(RuleError::new(
                "unknown_shipping_provider",
                "/shipping_provider_id",
                format!("Unknown shipping method {id}."),
                format!("Непознат метод на доставка {id}."),
            ))
        }
        None => shop.shipping_providers.keys().next().copied(),
    };
    if let Some(d) = &req.discount {
        if !matches!(d.discount_type.as_str(), "percent" | "flat")
            || d.value < 0
            || (d.discount_type == "percent" && d.value > 100)
        {
            return Err(RuleError::new(
                "invalid_discount",
                "/discount",
                "A discount is `percent` (0–100) or `flat` (minor units ≥ 0).",
                "Отстъпката е `percent` (0–100) или `flat` (стотинки/центове ≥ 0).",
            ));
        }
    }
    let mut lines = Vec::new();
    for lr in &req.lines {
        lines.push(build_line(shop, &lr.sku, lr.quantity)?);
    }
    // Customer: find by e-mail or create a guest.
    let customer_id = match shop
        .customers
        .values()
        .find(|c| c.email.eq_ignore_ascii_case(&email))
    {
        Some(c) => c.id,
        None => {
            let id = shop.ids.allocate();
            shop.customers.insert(
                id,
                crate::store::Customer {
                    id,
                    email: email.clone(),
                    first_name: first.clone(),
                    last_name: last.clone(),
                    active: true,
                    email_for_confirmation: None,
                    email_confirmed: true,
                    date_added: now,
                    updated_at: now,
                },
            );
            emit.push(webhooks::resource_event(
                shop,
                "customer.created",
                "customers",
                id,
            ));
            id
        }
    };
    let id = shop.ids.allocate();
    let total_row_base = {
        let base = shop.ids.allocate();
        for _ in 0..15 {
            shop.ids.allocate();
        }
        base
    };
    let shipping_address = req.shipping_address.clone().unwrap_or_else(|| Address {
        first_name: first.clone(),
        last_name: last.clone(),
        phone: Some("+359888123456".into()),
        country_iso2: Some("BG".into()),
        city_name: Some("София".into()),
        street_name: Some("ул. Шипка".into()),
        street_number: Some("12".into()),
        post_code: Some("1504".into()),
        ..Default::default()
    });
    let billing = req.billing_address.clone().unwrap_or(billing);
    let mut o = Order {
        id,
        status: "pending".into(),
        fulfilled: false,
        currency: shop.config.currency,
        vat_mode: shop.config.vat_mode,
        vat_rate_percent: shop.config.vat_rate_percent,
        vat_on_shipping: shop.config.vat_on_shipping,
        stock_decrease: shop.config.stock_decrease,
        customer_id: Some(customer_id),
        email,
        first_name: first,
        last_name: last,
        note_customer: req.note.clone(),
        lines,
        discount: req.discount.clone(),
        discount_row_id: shop.ids.allocate(),
        fee_rules: shop.config.fees.clone(),
        shipping_provider_id,
        shipping_row_id: shop.ids.allocate(),
        payment_provider,
        payment_row_id: shop.ids.allocate(),
        payment_status: if offline {
            "requested".into()
        } else {
            "pending".into()
        },
        authorized_amount: None,
        billing,
        shipping_address,
        invoice_number: None,
        invoice_date: None,
        usn: None,
        archived: false,
        reversal_locked: false,
        fulfillment: None,
        totals: Totals::default(),
        total_row_base,
        tax_row_id: shop.ids.allocate(),
        date_added: now,
        updated_at: now,
        notify_customer: true,
    };
    compute_totals(shop, &mut o);
    settle_stock(shop, &mut o);
    emit.push(("order.created".into(), webhook_payload(shop, &o)));
    shop.put_order(o);
    Ok(id)
}

fn build_line(shop: &mut Shop, sku: &str, quantity: i64) -> Result<OrderLine, RuleError> {
    if !(1..=MAX_LINE_QUANTITY).contains(&quantity) {
        return Err(RuleError::new(
            "invalid_quantity",
            "/lines",
            format!("Quantity of `{sku}` must be between 1 and {MAX_LINE_QUANTITY}."),
            format!("Количеството на `{sku}` трябва да е между 1 и {MAX_LINE_QUANTITY}."),
        ));
    }
    let Some(v) = shop.variant_by_sku(sku).cloned() else {
        return Err(RuleError::new(
            "unknown_sku",
            "/lines",
            format!("No variant has SKU `{sku}`."),
            format!("Няма вариант с код `{sku}`."),
        ));
    };
    let Some(p) = shop.products.get(&v.product_id).cloned() else {
        return Err(RuleError::new(
            "unknown_sku",
            "/lines",
            format!("No variant has SKU `{sku}`."),
            format!("Няма вариант с код `{sku}`."),
        ));
    };
    if p.tracking && !p.continue_selling {
        if let Some(q) = v.quantity {
            if q < quantity * 1000 {
                return Err(RuleError::new(
                    "out_of_stock",
                    "/lines",
                    format!("Only {} of `{sku}` in stock.", q.max(0) / 1000),
                    format!("Наличността на `{sku}` е само {} бр.", q.max(0) / 1000),
                ));
            }
        }
    }
    let category_name = shop
        .categories
        .get(&p.category_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let option_labels = v
        .options
        .iter()
        .filter_map(|oid| shop.options.get(oid))
        .map(|o| {
            (
                shop.parameters
                    .get(&o.parameter_id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                o.name.clone(),
            )
        })
        .collect();
    Ok(OrderLine {
        id: shop.ids.allocate(),
        product_id: p.id,
        variant_id: v.id,
        name: p.name.clone(),
        sku: v.sku.clone(),
        barcode: v.barcode.clone(),
        quantity,
        weight: v.weight,
        price: v.price,
        order_price: v.price,
        delivery_price: v.delivery_price,
        option_labels,
        category_id: p.category_id,
        category_name,
        tracked: p.tracking,
        digital: p.digital,
        stock_taken: None,
        fulfillment_id: None,
    })
}

fn invalid_status(shop: &Shop, code: &str) -> RuleError {
    let mut valid: Vec<String> = SETTABLE.iter().map(|s| s.to_string()).collect();
    valid.extend(shop.custom_statuses.iter().map(|c| c.slug.clone()));
    RuleError::new(
        "invalid_status",
        "/data/attributes/status",
        format!("Invalid status. You can use one of: {}", valid.join(", ")),
        format!("Невалиден статус `{code}`. Позволени: {}", valid.join(", ")),
    )
}

/// Change an order's status through the pipeline (gates, stock, auto-complete, webhook).
pub fn change_status(
    shop: &mut Shop,
    order_id: u64,
    new: &str,
    actor: Actor,
    now: Timestamp,
    emit: &mut Emit,
) -> Result<(), RuleError> {
    let mut o = order_copy(shop, order_id)?;
    let is_custom = shop.custom_statuses.iter().any(|c| c.slug == new);
    if actor == Actor::Gateway {
        if !is_builtin(new) {
            return Err(invalid_status(shop, new));
        }
    } else {
        if !(SETTABLE.contains(&new) || is_custom) {
            return Err(invalid_status(shop, new));
        }
        if o.archived {
            return Err(RuleError::new(
                "order_archived",
                "/data/attributes/status",
                "Cannot change the status of archived order. Unarchive first.",
                "Статусът на архивирана поръчка не може да се променя. Първо я разархивирайте.",
            ));
        }
        if let Some(a) = o.authorized_amount {
            if a < o.totals.total {
                return Err(RuleError::new(
                    "authorization_too_small",
                    "/data/attributes/status",
                    format!("The order amount is {} and cannot exceed the authorized payment {a}.", o.totals.total),
                    format!("Сумата на поръчката е {} и не може да надвишава оторизираното плащане {a}.", o.totals.total),
                ));
            }
        }
        if o.reversal_locked && !matches!(new, "cancelled" | "refunded") {
            return Err(RuleError::new(
                "order_locked",
                "/data/attributes/status",
                "The order is locked after a cancellation/refund — its status can no longer be changed.",
                "Поръчката е заключена след отказ/възстановяване — статусът ѝ не може да се променя.",
            ));
        }
        if new == "completed"
            && !(matches!(o.status.as_str(), "paid" | "completed")
                || o.fulfilled
                || o.payment_status == "completed")
        {
            return Err(RuleError::new(
                "complete_needs_paid_or_fulfilled",
                "/data/attributes/status",
                "Only paid and/or fulfilled orders can be marked as Completed",
                "Само платени и/или изпратени поръчки могат да бъдат завършени.",
            ));
        }
        if new == "cancelled" && matches!(o.status.as_str(), "paid" | "completed") {
            return Err(RuleError::new(
                "cancel_needs_open_order",
                "/data/attributes/status",
                "Only open orders can be canceled.",
                "Само отворени поръчки могат да бъдат отказани.",
            ));
        }
    }
    let old = o.status.clone();
    let committed =
        matches!(old.as_str(), "paid" | "completed" | "authorized") || o.invoice_number.is_some();
    o.status = new.to_string();
    match new {
        "paid" | "completed" => o.payment_status = "completed".into(),
        "authorized" => o.payment_status = "authorized".into(),
        "refunded" => o.payment_status = "refunded".into(),
        "cancelled" if o.payment_status != "completed" => o.payment_status = "cancelled".into(),
        _ => {}
    }
    if is_negative(new) {
        o.fulfilled = false;
        if matches!(new, "cancelled" | "refunded") && committed {
            o.reversal_locked = true;
        }
    }
    settle_stock(shop, &mut o);
    if shop.config.auto_complete && o.status == "paid" && o.fulfilled {
        o.status = "completed".into();
    }
    let fire = match actor {
        Actor::Api | Actor::Merchant => true,
        Actor::Gateway => {
            new == "cancelled"
                || (is_negative(&old) && matches!(new, "paid" | "authorized" | "completed"))
        }
    };
    store_updated(shop, o, now, emit, fire);
    Ok(())
}

/// A copy of order `order_id` to edit; the stored order stays untouched until
/// [`store_updated`], so a refused change leaves no trace.
fn order_copy(shop: &Shop, order_id: u64) -> Result<Order, RuleError> {
    shop.orders
        .get(&order_id)
        .cloned()
        .ok_or_else(|| not_found(order_id))
}

/// Stamp `updated_at`, emit `order.updated` when `fire`, and store the edited order.
fn store_updated(shop: &mut Shop, mut o: Order, now: Timestamp, emit: &mut Emit, fire: bool) {
    o.updated_at = now;
    if fire {
        emit.push(("order.updated".into(), webhook_payload(shop, &o)));
    }
    shop.put_order(o);
}

fn not_found(order_id: u64) -> RuleError {
    RuleError::new(
        "order_not_found",
        "/data/relationships/order",
        format!("Order {order_id} not found."),
        format!("Поръчка {order_id} не е намерена."),
    )
}

/// Tracking data of a fulfilment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilInput {
    /// Tracking number.
    #[serde(default)]
    pub shipping_tracking_number: Option<String>,
    /// Tracking URL.
    #[serde(default)]
    pub shipping_tracking_url: Option<String>,
    /// `YYYY-MM-DD`, defaults to today.
    #[serde(default)]
    pub shipping_date_expedition: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub shipping_date_delivery: Option<String>,
}

/// Fulfil the whole order (API.md §3.7); returns the fulfilment id.
pub fn fulfil(
    shop: &mut Shop,
    order_id: u64,
    input: FulfilInput,
    now: Timestamp,
    emit: &mut Emit,
) -> Result<u64, RuleError> {
    let mut o = order_copy(shop, order_id)?;
    let refusal = [
        (
            o.fulfilled,
            "already_fulfilled",
            "This order is already fulfilled.",
            "Тази поръчка вече е изпратена.",
        ),
        (
            o.archived,
            "order_archived",
            "This order is archived.",
            "Поръчката е архивирана.",
        ),
        (
            o.shipping_provider_id.is_none(),
            "no_shipping_provider",
            "This order has no shipping provider.",
            "Поръчката няма метод на доставка.",
        ),
        (
            o.lines.iter().all(|l| l.digital),
            "no_physical_lines",
            "This order has no physical products.",
            "Поръчката няма физически продукти.",
        ),
        (
            is_negative(&o.status),
            "order_negative",
            "A cancelled or refunded order cannot be fulfilled.",
            "Отказана или възстановена поръчка не може да бъде изпратена.",
        ),
    ]
    .into_iter()
    .find(|(refused, ..)| *refused);
    if let Some((_, code, en, bg)) = refusal {
        return Err(RuleError::new(code, "/data/relationships/order", en, bg));
    }
    let fid = shop.ids.allocate();
    o.fulfillment = Some(Fulfillment {
        id: fid,
        order_id,
        tracking_number: input.shipping_tracking_number,
        tracking_url: input.shipping_tracking_url,
        date_expedition: Some(
            input
                .shipping_date_expedition
                .unwrap_or_else(|| now.strftime("%Y-%m-%d").to_string()),
        ),
        date_delivery: input.shipping_date_delivery,
        date_fulfilled: now,
    });
    o.fulfilled = true;
    for l in o.lines.iter_mut() {
        l.fulfillment_id = Some(fid);
    }
    settle_stock(shop, &mut o);
    if o.invoice_number.is_none() {
        o.invoice_number = Some(shop.next_invoice_number());
        o.invoice_date = Some(now);
    }
    if shop.config.auto_complete && o.status == "paid" {
        o.status = "completed".into();
    }
    store_updated(shop, o, now, emit, true);
    Ok(fid)
}

/// Delete the fulfilment: back to `not_fulfilled`, status rewritten to `paid`/`pending`.
pub fn unfulfil(
    shop: &mut Shop,
    order_id: u64,
    now: Timestamp,
    emit: &mut Emit,
) -> Result<(), RuleError> {
    let mut o = order_copy(shop, order_id)?;
    o.fulfillment = None;
    o.fulfilled = false;
    for l in o.lines.iter_mut() {
        l.fulfillment_id = None;
    }
    o.status = if o.payment_status == "completed" {
        "paid".into()
    } else {
        "pending".into()
    };
    if !meets_threshold(&o) {
        return_stock(shop, &mut o);
    }
    store_updated(shop, o, now, emit, true);
    Ok(())
}

/// Merchant edit of a line: set `sku`'s quantity (0 removes the line, a new SKU adds one);
/// stock moves by the difference when the order already holds stock.
pub fn edit_line(
    shop: &mut Shop,
    order_id: u64,
    sku: &str,
    quantity: i64,
    now: Timestamp,
    emit: &mut Emit,
) -> Result<(), RuleError> {
    let mut o = order_copy(shop, order_id)?;
    if !matches!(o.status.as_str(), "pending" | "paid" | "authorized")
        || o.invoice_number.is_some()
        || o.archived
    {
        return Err(RuleError::new(
            "order_not_editable",
            "/lines",
            "Lines can be edited only on pending, paid or authorized orders without an invoice.",
            "Редовете могат да се редактират само в изчакващи, платени или оторизирани поръчки без фактура.",
        ));
    }
    if !(0..=MAX_LINE_QUANTITY).contains(&quantity) {
        return Err(RuleError::new(
            "invalid_quantity",
            "/lines",
            format!("Quantity must be between 0 and {MAX_LINE_QUANTITY}."),
            format!("Количеството трябва да е между 0 и {MAX_LINE_QUANTITY}."),
        ));
    }
    let holds = o.fulfilled || meets_threshold(&o);
    match o.lines.iter().position(|l| l.sku.as_deref() == Some(sku)) {
        Some(i) if quantity == 0 => {
            let l = o.lines.remove(i);
            if let Some(t) = l.stock_taken {
                return_units(shop, l.variant_id, t);
            }
        }
        Some(i) => {
            let l = &mut o.lines[i];
            if let Some(t) = l.stock_taken {
                let want = quantity * 1000;
                if want > t {
                    let extra = take_units(shop, l.variant_id, want - l.quantity * 1000);
                    l.stock_taken = Some(t + extra);
                } else {
                    let give = (l.quantity * 1000 - want).min(t);
                    return_units(shop, l.variant_id, give);
                    l.stock_taken = Some(t - give);
                }
            }
            l.quantity = quantity;
        }
        None if quantity == 0 => return Ok(()),
        None => {
            if o.lines.len() >= MAX_LINES {
                return Err(RuleError::new(
                    "too_many_lines",
                    "/lines",
                    format!("An order has at most {MAX_LINES} lines."),
                    format!("Поръчката може да има най-много {MAX_LINES} реда."),
                ));
            }
            let mut l = build_line(shop, sku, quantity)?;
            if holds {
                l.stock_taken = Some(take_units(shop, l.variant_id, quantity * 1000));
            }
            o.lines.push(l);
        }
    }
    if o.lines.is_empty() {
        return Err(RuleError::new(
            "order_empty",
            "/lines",
            "An order needs at least one line.",
            "Поръчката трябва да има поне един ред.",
        ));
    }
    compute_totals(shop, &mut o);
    store_updated(shop, o, now, emit, true);
    Ok(())
}

/// Gateway pre-authorisation of `amount` (minor units): status `authorized`.
pub fn authorize(
    shop: &mut Shop,
    order_id: u64,
    amount: i64,
    now: Timestamp,
    emit: &mut Emit,
) -> Result<(), RuleError> {
    change_status(shop, order_id, "authorized", Actor::Gateway, now, emit)?;
    if let Some(o) = shop.orders.get_mut(&order_id) {
        o.authorized_amount = Some(amount);
    }
    Ok(())
}

/// Archive an order (only `completed` or `cancelled`).
pub fn archive(shop: &mut Shop, order_id: u64) -> Result<(), RuleError> {
    let o = shop
        .orders
        .get_mut(&order_id)
        .ok_or_else(|| not_found(order_id))?;
    if !matches!(o.status.as_str(), "completed" | "cancelled") {
        return Err(RuleError::new(
            "archive_needs_completed",
            "/",
            "Only completed orders can be archived.",
            "Само завършени поръчки могат да бъдат архивирани.",
        ));
    }
    o.archived = true;
    Ok(())
}
