//! A shop order as a warehouse operation (SPEC G2, G4, G5, G7–G10, X7): which operation
//! (an order reserving stock, or a sale), its lines in the firm's currency with VAT
//! included, the partner it belongs to, and the reasons it must wait for the merchant
//! instead (needs attention).
//!
//! The shop is described with plain values ([`ShopOrder`]); `sklad-sync` reads them
//! from a full re-read of the order (the webhook payload is only a hint) and from the
//! stored deliveries (fees are only there).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::error::FieldError;
use crate::ident::{validate_partner_id, validate_vat_number};
use crate::model::{PartnerInput, PartnerRole};
use crate::money::div_round_half_up;
use crate::operation::Line;
use crate::shop::price::{shop_price_to_firm, ShopPricing};
use crate::shop::SaleRule;
use crate::{Currency, Id, PriceGroup, Quantity, VatRate};

/// One line of a shop order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShopOrderLine {
    /// The variant's id in the shop (the link's key), when the line has one.
    pub variant_id: Option<String>,
    /// SKU as ordered.
    pub sku: Option<String>,
    /// Barcode as ordered.
    pub barcode: Option<String>,
    /// Name as ordered.
    pub name: String,
    /// Quantity in thousandths.
    pub quantity: i64,
    /// Unit price before the order-level discount, minor units of the order's currency
    /// (with or without VAT as the shop states prices).
    pub price: i64,
    /// Unit price after the order-level discount, when the shop says it.
    pub order_price: Option<i64>,
}

/// A fee of the order („Такса“), as the delivery lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopFee {
    /// The fee's label, e.g. „Такса наложен платеж“.
    pub name: String,
    /// Amount, minor units of the order's currency (like the shop's prices).
    pub amount: i64,
}

/// The buyer's invoicing details (the order's billing address).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShopBilling {
    /// Company name.
    pub company_name: Option<String>,
    /// ДДС номер as typed.
    pub company_vat: Option<String>,
    /// МОЛ.
    pub company_person: Option<String>,
    /// ЕИК — or an ЕГН: buyers type either in „Булстат/ЕИК или ЕГН“ (MERCHANT.md §8.2).
    pub company_registration_number: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Street, number, post code as one line.
    pub address: Option<String>,
}

/// A shop order as the importer sees it after re-reading it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShopOrder {
    /// The order's id in the shop.
    pub id: String,
    /// Status code (`pending`, `paid`, … or a custom `order-…`).
    pub status: String,
    /// `status_fulfillment = fulfilled` („Изпратена“).
    pub fulfilled: bool,
    /// ISO currency code, frozen on the order.
    pub currency: String,
    /// What the buyer pays, minor units.
    pub total: Option<i64>,
    /// VAT the shop computed (needed to reconcile a shop with prices without VAT).
    pub tax: Option<i64>,
    /// The order-level discount (a positive amount), when the shop says it.
    pub discount: Option<i64>,
    /// Shipping charged (a COD fee folded into shipping stays in it).
    pub shipping: i64,
    /// Fees.
    pub fees: Vec<ShopFee>,
    /// Lines.
    pub lines: Vec<ShopOrderLine>,
    /// The payment provider's code (`cod`, `stripe`, …).
    pub payment_provider: Option<String>,
    /// The buyer's e-mail.
    pub email: Option<String>,
    /// The buyer's first name.
    pub first_name: Option<String>,
    /// The buyer's last name.
    pub last_name: Option<String>,
    /// Invoicing details, when given.
    pub billing: Option<ShopBilling>,
    /// The order's date (`YYYY-MM-DD…`), as the shop writes it.
    pub date_added: Option<String>,
}

/// Negative statuses (SPEC G7: the operation is annulled, stock restored).
pub fn is_negative(status: &str) -> bool {
    matches!(
        status,
        "cancelled" | "refunded" | "voided" | "failed" | "timeouted" | "chargebacked" | "disputed"
    )
}

/// Whether the order has reached the state at which `rule` makes it a sale (SPEC G2):
/// „Платена/Изпратена“ — paid, authorized (which takes stock) or completed, or
/// fulfilled; „Изчакваща/Изпратена“ — any of those or pending; always — at once. A
/// COD order going `pending → completed` without ever being `paid` reaches it too.
/// Negative and custom statuses reach it only by fulfilment.
pub fn sale_reached(rule: SaleRule, status: &str, fulfilled: bool) -> bool {
    if is_negative(status) {
        return false;
    }
    fulfilled
        || match rule {
            SaleRule::AlwaysSale => true,
            SaleRule::PaidOrShipped => matches!(status, "paid" | "authorized" | "completed"),
            SaleRule::PendingOrShipped => {
                matches!(status, "pending" | "paid" | "authorized" | "completed")
            }
        }
}

/// A good an order line resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineGood {
    /// The good.
    pub good_id: Id,
    /// Its VAT rate (the shop hides per-line VAT, API.md §3.5).
    pub vat_rate: VatRate,
}

/// What the firm's books need to turn an order into lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineContext {
    /// The firm's currency.
    pub firm_currency: Currency,
    /// Whether the shop's prices include VAT.
    pub prices_with_vat: bool,
    /// „Доставка“ and its VAT rate.
    pub delivery: Option<LineGood>,
    /// „Търговска отстъпка“ (its VAT comes from the goods it discounts).
    pub discount: Option<Id>,
    /// „Такса“ and its VAT rate.
    pub fee: Option<LineGood>,
}

/// Why an order waits for the merchant instead of becoming an operation (X2, X3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Attention {
    /// The order's currency is neither BGN nor EUR.
    CurrencyUnsupported {
        /// The currency.
        currency: String,
    },
    /// Lines whose SKU, barcode and variant match no good.
    UnknownSku {
        /// The lines' SKUs (or names).
        skus: Vec<String>,
    },
    /// The payment method has no payment type (S2).
    PaymentUnmapped {
        /// The provider code.
        provider: String,
    },
    /// A special good the order needs is not set (S3).
    SpecialGoodMissing {
        /// `delivery`, `discount` or `fee`.
        role: String,
    },
    /// The lines do not add up to what the shop charged.
    Reconciliation {
        /// The shop's total, minor units of the order's currency.
        shop_total: i64,
        /// What the lines add up to, same units.
        computed: i64,
        /// The order's currency.
        currency: String,
    },
}

impl Attention {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Attention::CurrencyUnsupported { .. } => "currency_unsupported",
            Attention::UnknownSku { .. } => "unknown_sku",
            Attention::PaymentUnmapped { .. } => "payment_unmapped",
            Attention::SpecialGoodMissing { .. } => "special_good_missing",
            Attention::Reconciliation { .. } => "reconciliation",
        }
    }

    /// The reason in Bulgarian, with what to do.
    pub fn message_bg(&self) -> String {
        match self {
            Attention::CurrencyUnsupported { currency } => format!(
                "Поръчката е във валута {currency}; Склад приема поръчки в лева (BGN) и евро \
                 (EUR). Настройте магазина да продава в евро."
            ),
            Attention::UnknownSku { skus } => format!(
                "Няма стока с код или баркод {}: импортирайте стоките от магазина (контролния \
                 панел) или създайте стоката; поръчката ще бъде внесена отново.",
                skus.join(", ")
            ),
            Attention::PaymentUnmapped { provider } => format!(
                "Начинът на плащане „{provider}“ няма съответствие в типовете плащания: задайте \
                 го в настройките на връзката."
            ),
            Attention::SpecialGoodMissing { role } => format!(
                "Липсва специалната стока „{}“ в настройките на връзката.",
                role_bg(role)
            ),
            Attention::Reconciliation {
                shop_total,
                computed,
                currency,
            } => format!(
                "Сумата на редовете ({} {currency}) не съвпада с общата сума в магазина ({} \
                 {currency}); поръчката не е осчетоводена. Проверете поръчката в магазина.",
                crate::money::format_minor_plain(*computed),
                crate::money::format_minor_plain(*shop_total)
            ),
        }
    }

    /// The reason in English, with what to do.
    pub fn message_en(&self) -> String {
        match self {
            Attention::CurrencyUnsupported { currency } => format!(
                "The order is in {currency}; Sklad takes orders in leva (BGN) and euro (EUR). \
                 Set the shop to sell in euro."
            ),
            Attention::UnknownSku { skus } => format!(
                "No good has the code or barcode {}: import the goods from the shop (the \
                 control panel) or create the good; the order is then imported again.",
                skus.join(", ")
            ),
            Attention::PaymentUnmapped { provider } => format!(
                "The payment method \"{provider}\" has no payment type: map it in the \
                 connection's settings."
            ),
            Attention::SpecialGoodMissing { role } => {
                format!("The connection's settings lack the special good \"{role}\".")
            }
            Attention::Reconciliation {
                shop_total,
                computed,
                currency,
            } => format!(
                "The lines add up to {} {currency}, the shop's total is {} {currency}; the \
                 order was not posted. Check the order in the shop.",
                crate::money::format_minor_plain(*computed),
                crate::money::format_minor_plain(*shop_total)
            ),
        }
    }
}

fn role_bg(role: &str) -> &'static str {
    match role {
        "delivery" => "Доставка",
        "discount" => "Търговска отстъпка",
        _ => "Такса",
    }
}

/// `amount × qty_milli / 1000`, half up.
fn times(amount: i64, qty_milli: i64) -> i128 {
    div_round_half_up(i128::from(amount) * i128::from(qty_milli), 1000)
}

fn saturate(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// The order-level discount: as the shop states it, else from the lines' prices before
/// and after it.
pub fn order_discount(order: &ShopOrder) -> i64 {
    match order.discount {
        Some(d) => d.abs(),
        None => saturate(
            order
                .lines
                .iter()
                .map(|l| times(l.price - l.order_price.unwrap_or(l.price), l.quantity))
                .sum(),
        ),
    }
}

/// The operation's lines (SPEC G4, G8–G10): each shop line at its price before the
/// order-level discount with the good's VAT; the discount as „Търговска отстъпка“ lines
/// (negative, one per VAT rate of the discounted goods, split by their value); shipping
/// as „Доставка“; each fee as „Такса“ — all in the firm's currency with VAT included,
/// converted at 1.95583 where the currencies differ.
///
/// Before that, what was charged is reconciled in the order's own currency: the lines,
/// less the discount, plus shipping and fees (and the shop's VAT, when its prices are
/// without it) must make the shop's total to within one cent, else
/// [`Attention::Reconciliation`] with both figures. `goods[i]` is the good of line `i`.
pub fn order_lines(
    order: &ShopOrder,
    goods: &[LineGood],
    ctx: &LineContext,
) -> Result<Vec<Line>, Attention> {
    let currency =
        Currency::parse(&order.currency).ok_or_else(|| Attention::CurrencyUnsupported {
            currency: order.currency.clone(),
        })?;
    let pricing = ShopPricing {
        currency,
        with_vat: ctx.prices_with_vat,
    };
    let discount = order_discount(order);
    let goods_value: i128 = order.lines.iter().map(|l| times(l.price, l.quantity)).sum();
    let fees: i128 = order.fees.iter().map(|f| i128::from(f.amount)).sum();
    let mut computed = goods_value - i128::from(discount) + i128::from(order.shipping) + fees;
    if !ctx.prices_with_vat {
        computed += i128::from(order.tax.unwrap_or(0));
    }
    if let Some(total) = order.total {
        if (computed - i128::from(total)).abs() > 1 {
            return Err(Attention::Reconciliation {
                shop_total: total,
                computed: saturate(computed),
                currency: order.currency.clone(),
            });
        }
    }
    let to_firm =
        |amount: i64, vat: VatRate| shop_price_to_firm(amount, pricing, ctx.firm_currency, vat);
    let mut lines: Vec<Line> = order
        .lines
        .iter()
        .zip(goods)
        .map(|(l, g)| Line {
            good_id: g.good_id,
            quantity: Quantity(l.quantity),
            unit_price: to_firm(l.price, g.vat_rate),
            vat_rate: g.vat_rate,
            discount_bp: 0,
        })
        .collect();
    if discount > 0 {
        let good_id = ctx.discount.ok_or(Attention::SpecialGoodMissing {
            role: "discount".into(),
        })?;
        // Split by the value of the goods at each VAT rate, so the parts add up to the
        // discount exactly.
        let mut by_rate: BTreeMap<i64, (VatRate, i128)> = BTreeMap::new();
        for (l, g) in order.lines.iter().zip(goods) {
            by_rate
                .entry(g.vat_rate.percent())
                .or_insert((g.vat_rate, 0))
                .1 += times(l.price, l.quantity);
        }
        let total_value: i128 = by_rate.values().map(|(_, v)| *v).sum();
        let mut left = i128::from(discount);
        let count = by_rate.len();
        // Highest rate first; the last (lowest) takes the remainder.
        for (i, (_, (rate, value))) in by_rate.into_iter().rev().enumerate() {
            let part = if i + 1 == count || total_value == 0 {
                left
            } else {
                div_round_half_up(i128::from(discount) * value, total_value)
            };
            left -= part;
            if part != 0 {
                lines.push(Line {
                    good_id,
                    quantity: Quantity::from_units(1),
                    unit_price: -to_firm(saturate(part), rate),
                    vat_rate: rate,
                    discount_bp: 0,
                });
            }
        }
    }
    if order.shipping != 0 {
        let delivery = ctx.delivery.ok_or(Attention::SpecialGoodMissing {
            role: "delivery".into(),
        })?;
        lines.push(Line {
            good_id: delivery.good_id,
            quantity: Quantity::from_units(1),
            unit_price: to_firm(order.shipping, delivery.vat_rate),
            vat_rate: delivery.vat_rate,
            discount_bp: 0,
        });
    }
    for f in order.fees.iter().filter(|f| f.amount != 0) {
        let fee = ctx
            .fee
            .ok_or(Attention::SpecialGoodMissing { role: "fee".into() })?;
        lines.push(Line {
            good_id: fee.good_id,
            quantity: Quantity::from_units(1),
            unit_price: to_firm(f.amount, fee.vat_rate),
            vat_rate: fee.vat_rate,
            discount_bp: 0,
        });
    }
    Ok(lines)
}

/// How the order's buyer is found among the partners (SPEC G5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PartnerKey {
    /// By ЕИК (or the ЕГН a person typed in the company-id field).
    Eik(String),
    /// By e-mail.
    Email(String),
    /// Neither: a new partner (kept on re-imports through the operation).
    None,
}

/// A warning the import records on the order (it is imported all the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderWarning {
    /// Stable code.
    pub code: &'static str,
    /// Bulgarian.
    pub message_bg: String,
    /// English.
    pub message_en: String,
}

/// Which partner the order belongs to and the details it brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerPlan {
    /// How to find an existing one.
    pub key: PartnerKey,
    /// The order's details (a new partner, or an update of the existing one's).
    pub input: PartnerInput,
    /// Dropped details, e.g. an invalid ЕИК.
    pub warnings: Vec<OrderWarning>,
}

fn clean(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(300).collect())
}

/// The buyer as a partner (SPEC G5): with a company id in the billing details — an ЕИК,
/// or an ЕГН/ЛНЧ typed there — found by it; an invalid id is dropped with a warning and
/// the buyer found by e-mail (never blocking the order); otherwise by e-mail. An invalid
/// ДДС номер is dropped with a warning too.
pub fn partner_plan(order: &ShopOrder) -> PartnerPlan {
    let mut warnings = Vec::new();
    let billing = order.billing.clone().unwrap_or_default();
    let email = clean(&order.email).map(|e| e.to_lowercase());
    let person = [clean(&order.first_name), clean(&order.last_name)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let company = clean(&billing.company_name);
    let id =
        clean(&billing.company_registration_number).and_then(|raw| {
            match validate_partner_id("eik", &raw) {
                Ok(valid) => Some(valid),
                Err(e) => {
                    warnings.push(dropped("partner_id_invalid", &raw, &e));
                    None
                }
            }
        });
    let vat_number =
        clean(&billing.company_vat).and_then(|raw| match validate_vat_number("vat_number", &raw) {
            Ok(valid) => Some(valid),
            Err(e) => {
                warnings.push(dropped("vat_number_invalid", &raw, &e));
                None
            }
        });
    let name = company
        .clone()
        .or_else(|| (!person.is_empty()).then(|| person.clone()))
        .or_else(|| email.clone())
        .unwrap_or_else(|| format!("Клиент от поръчка {}", order.id));
    let input = PartnerInput {
        name,
        eik: id.clone(),
        vat_number: vat_number.filter(|_| id.is_some() || company.is_some()),
        mol: clean(&billing.company_person),
        address: clean(&billing.address),
        city: clean(&billing.city),
        phone: clean(&billing.phone),
        email: email.clone(),
        role: PartnerRole::Client,
        price_group: PriceGroup::Retail,
    };
    let key = match (id, email) {
        (Some(id), _) => PartnerKey::Eik(id),
        (None, Some(email)) => PartnerKey::Email(email),
        (None, None) => PartnerKey::None,
    };
    PartnerPlan {
        key,
        input,
        warnings,
    }
}

fn dropped(code: &'static str, raw: &str, why: &FieldError) -> OrderWarning {
    let shown: String = raw.chars().take(40).collect();
    OrderWarning {
        code,
        message_bg: format!("„{shown}“ е пропуснат: {}", why.message_bg),
        message_en: format!("\"{shown}\" was left out: {}", why.message_en),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, qty: i64, price: i64) -> ShopOrderLine {
        ShopOrderLine {
            variant_id: Some(format!("v-{sku}")),
            sku: Some(sku.into()),
            barcode: None,
            name: sku.into(),
            quantity: qty * 1000,
            price,
            order_price: None,
        }
    }

    fn order(lines: Vec<ShopOrderLine>) -> ShopOrder {
        ShopOrder {
            id: "20417".into(),
            status: "pending".into(),
            currency: "EUR".into(),
            lines,
            ..ShopOrder::default()
        }
    }

    const STD: VatRate = VatRate::Standard;

    fn ctx(firm: Currency, with_vat: bool) -> LineContext {
        LineContext {
            firm_currency: firm,
            prices_with_vat: with_vat,
            delivery: Some(LineGood {
                good_id: 100,
                vat_rate: STD,
            }),
            discount: Some(101),
            fee: Some(LineGood {
                good_id: 102,
                vat_rate: STD,
            }),
        }
    }

    #[test]
    fn g2_sale_rules_on_every_path() {
        use SaleRule::*;
        for (rule, status, fulfilled, reached) in [
            (PaidOrShipped, "pending", false, false),
            (PaidOrShipped, "pending", true, true),
            (PaidOrShipped, "paid", false, true),
            (PaidOrShipped, "authorized", false, true),
            (PaidOrShipped, "completed", false, true),
            (PendingOrShipped, "pending", false, true),
            (PendingOrShipped, "order-awaiting-pickup", false, false),
            (PendingOrShipped, "order-awaiting-pickup", true, true),
            (AlwaysSale, "pending", false, true),
            (AlwaysSale, "cancelled", false, false),
            (PaidOrShipped, "refunded", true, false),
        ] {
            assert_eq!(
                sale_reached(rule, status, fulfilled),
                reached,
                "{rule:?} {status} {fulfilled}"
            );
        }
        for status in [
            "cancelled",
            "refunded",
            "voided",
            "failed",
            "timeouted",
            "chargebacked",
            "disputed",
        ] {
            assert!(is_negative(status));
        }
        assert!(!is_negative("order-cancelled-by-phone"));
    }

    #[test]
    fn g4_g8_g9_g10_lines_with_discount_shipping_and_fees() {
        let mut o = order(vec![line("A", 2, 2490), line("B", 1, 1290)]);
        o.discount = Some(627);
        o.shipping = 599;
        o.fees = vec![ShopFee {
            name: "Такса наложен платеж".into(),
            amount: 150,
        }];
        o.total = Some(2 * 2490 + 1290 - 627 + 599 + 150);
        let goods = [
            LineGood {
                good_id: 1,
                vat_rate: STD,
            },
            LineGood {
                good_id: 2,
                vat_rate: VatRate::Reduced,
            },
        ];
        let lines = order_lines(&o, &goods, &ctx(Currency::Eur, true)).unwrap();
        let summary: Vec<(Id, i64, i64, i64)> = lines
            .iter()
            .map(|l| {
                (
                    l.good_id,
                    l.quantity.milli(),
                    l.unit_price,
                    l.vat_rate.percent(),
                )
            })
            .collect();
        // 627 split by value: 4980 at 20 %, 1290 at 9 % → 498 and 129.
        assert_eq!(
            summary,
            vec![
                (1, 2000, 2490, 20),
                (2, 1000, 1290, 9),
                (101, 1000, -498, 20),
                (101, 1000, -129, 9),
                (100, 1000, 599, 20),
                (102, 1000, 150, 20),
            ]
        );
        let total: i64 = lines.iter().map(|l| l.total()).sum();
        assert_eq!(
            total,
            o.total.unwrap(),
            "the operation is what the buyer paid"
        );
    }

    #[test]
    fn p3_an_eur_order_in_a_bgn_firm_and_net_prices() {
        let mut o = order(vec![line("A", 1, 1000)]);
        o.total = Some(1000);
        let lines = order_lines(
            &o,
            &[LineGood {
                good_id: 1,
                vat_rate: STD,
            }],
            &ctx(Currency::Bgn, true),
        )
        .unwrap();
        assert_eq!(lines[0].unit_price, 1956);
        // Net prices: 10.00 + 2.00 VAT; the line is written with VAT (12.00).
        o.tax = Some(200);
        o.total = Some(1200);
        let lines = order_lines(
            &o,
            &[LineGood {
                good_id: 1,
                vat_rate: STD,
            }],
            &ctx(Currency::Eur, false),
        )
        .unwrap();
        assert_eq!(lines[0].unit_price, 1200);
        o.currency = "USD".into();
        assert_eq!(
            order_lines(
                &o,
                &[LineGood {
                    good_id: 1,
                    vat_rate: STD
                }],
                &ctx(Currency::Eur, false)
            )
            .unwrap_err()
            .code(),
            "currency_unsupported"
        );
    }

    #[test]
    fn a_difference_above_a_cent_is_held_back_with_both_figures() {
        let mut o = order(vec![line("A", 1, 1000)]);
        o.total = Some(1001);
        assert!(order_lines(
            &o,
            &[LineGood {
                good_id: 1,
                vat_rate: STD
            }],
            &ctx(Currency::Eur, true)
        )
        .is_ok());
        o.total = Some(1250);
        let err = order_lines(
            &o,
            &[LineGood {
                good_id: 1,
                vat_rate: STD,
            }],
            &ctx(Currency::Eur, true),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Attention::Reconciliation {
                shop_total: 1250,
                computed: 1000,
                currency: "EUR".into()
            }
        );
        assert!(err.message_en().contains("12.50") && err.message_en().contains("10.00"));
        // Without a discount good, a discounted order waits.
        let mut o = order(vec![line("A", 1, 1000)]);
        o.discount = Some(100);
        o.total = Some(900);
        let mut c = ctx(Currency::Eur, true);
        c.discount = None;
        assert_eq!(
            order_lines(
                &o,
                &[LineGood {
                    good_id: 1,
                    vat_rate: STD
                }],
                &c
            )
            .unwrap_err(),
            Attention::SpecialGoodMissing {
                role: "discount".into()
            }
        );
    }

    #[test]
    fn the_discount_comes_from_line_prices_when_the_order_does_not_state_it() {
        let mut o = order(vec![line("A", 2, 1000)]);
        o.lines[0].order_price = Some(900);
        assert_eq!(order_discount(&o), 200);
    }

    #[test]
    fn g5_partner_by_eik_by_egn_typed_there_or_by_email() {
        let mut o = order(vec![]);
        o.email = Some(" Maria@Example.BG ".into());
        o.first_name = Some("Мария".into());
        o.last_name = Some("Георгиева".into());
        let plan = partner_plan(&o);
        assert_eq!(plan.key, PartnerKey::Email("maria@example.bg".into()));
        assert_eq!(plan.input.name, "Мария Георгиева");
        o.billing = Some(ShopBilling {
            company_name: Some("Кафе Агал ЕООД".into()),
            company_vat: Some("BG831826092".into()),
            company_person: Some("Мария Георгиева".into()),
            company_registration_number: Some("831826092".into()),
            ..ShopBilling::default()
        });
        let plan = partner_plan(&o);
        assert_eq!(plan.key, PartnerKey::Eik("831826092".into()));
        assert_eq!(plan.input.name, "Кафе Агал ЕООД");
        assert_eq!(plan.input.vat_number.as_deref(), Some("BG831826092"));
        assert_eq!(plan.input.mol.as_deref(), Some("Мария Георгиева"));
        assert!(plan.warnings.is_empty());
        // An ЕГН typed in the company-id field.
        o.billing.as_mut().unwrap().company_registration_number = Some("7501020018".into());
        o.billing.as_mut().unwrap().company_vat = None;
        assert_eq!(partner_plan(&o).key, PartnerKey::Eik("7501020018".into()));
        // An invalid number: dropped with a warning, the buyer found by e-mail.
        o.billing.as_mut().unwrap().company_registration_number = Some("831826093".into());
        o.billing.as_mut().unwrap().company_vat = Some("BG123".into());
        let plan = partner_plan(&o);
        assert_eq!(plan.key, PartnerKey::Email("maria@example.bg".into()));
        assert_eq!(plan.input.eik, None);
        assert_eq!(plan.input.vat_number, None);
        let codes: Vec<&str> = plan.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["partner_id_invalid", "vat_number_invalid"]);
        assert!(plan.input.validate().is_ok());
        // Nothing at all: a new partner named after the order.
        let bare = order(vec![]);
        let plan = partner_plan(&bare);
        assert_eq!(plan.key, PartnerKey::None);
        assert!(plan.input.validate().is_ok());
    }
}
