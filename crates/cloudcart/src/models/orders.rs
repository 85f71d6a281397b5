//! Orders and every order sub-resource of API.md §3.5, plus the statuses of §3.3.

use super::address::postal_address;
use super::providers::ShippingProvider;
use super::Currency;
use crate::jsonapi::{Included, Resource, ResourceId};
use crate::lenient::{opt_decimal, opt_i64, opt_text, Decimal3, YesNo};
use crate::open_enum::open_enum;
use crate::Error;
use serde::Deserialize;

open_enum! {
    /// Order status code (11 built-ins; custom statuses arrive as `Other("order-<slug>")`).
    OrderStatus {
        /// Placed, waiting for payment.
        Pending => "pending",
        /// Card amount reserved, not captured.
        Authorized => "authorized",
        /// Money received.
        Paid => "paid",
        /// Paid and fulfilled.
        Completed => "completed",
        /// Cancelled.
        Cancelled => "cancelled",
        /// Money returned.
        Refunded => "refunded",
        /// Authorisation released.
        Voided => "voided",
        /// Gateway did not answer in time.
        Timeouted => "timeouted",
        /// Payment rejected.
        Failed => "failed",
        /// Bank chargeback.
        Chargebacked => "chargebacked",
        /// Under dispute.
        Disputed => "disputed",
    }
}

impl OrderStatus {
    /// Negative statuses: excluded from revenue, stock restored.
    pub fn is_negative(&self) -> bool {
        matches!(
            self,
            Self::Cancelled
                | Self::Refunded
                | Self::Voided
                | Self::Timeouted
                | Self::Failed
                | Self::Chargebacked
                | Self::Disputed
        )
    }

    /// Whether an API PATCH may set this status (built-ins; custom statuses are settable too).
    pub fn is_settable(&self) -> bool {
        matches!(
            self,
            Self::Pending
                | Self::Authorized
                | Self::Paid
                | Self::Completed
                | Self::Cancelled
                | Self::Refunded
                | Self::Other(_)
        )
    }
}

open_enum! {
    /// Fulfilment status (`status_fulfillment`); both documented value sets.
    FulfillmentStatus {
        /// Not yet fulfilled.
        NotFulfilled => "not_fulfilled",
        /// Partly fulfilled.
        Partial => "partial",
        /// Packed / waybill issued.
        Fulfilled => "fulfilled",
        /// In transit.
        Shipped => "shipped",
        /// Delivered.
        Delivered => "delivered",
        /// Returned.
        Returned => "returned",
    }
}

open_enum! {
    /// Normalised payment status (`order-payment.payment_status`).
    PaymentStatus {
        /// Record created.
        Initiated => "initiated",
        /// Customer sent to the gateway.
        Requested => "requested",
        /// In progress.
        Pending => "pending",
        /// Held, not captured.
        Authorized => "authorized",
        /// Gateway risk review.
        Held => "held",
        /// Captured ("paid").
        Completed => "completed",
        /// Rejected.
        Failed => "failed",
        /// Refunded.
        Refunded => "refunded",
        /// Authorisation released.
        Voided => "voided",
        /// Aborted.
        Cancelled => "cancelled",
        /// Timed out.
        Timeouted => "timeouted",
        /// Chargeback.
        Chargebacked => "chargebacked",
        /// Disputed.
        Disputed => "disputed",
    }
}

open_enum! {
    /// `order-discount.discount_type`.
    DiscountType {
        /// Fixed amount.
        Flat => "flat",
        /// Percentage.
        Percent => "percent",
        /// Free / discounted shipping.
        Shipping => "shipping",
        /// Fixed price.
        Fixed => "fixed",
    }
}

open_enum! {
    /// `order-total.code` (apps may add more).
    TotalCode {
        /// Products subtotal.
        Subtotal => "subtotal",
        /// Shipping.
        Shipping => "shipping",
        /// Discount.
        Discount => "discount",
        /// Tax.
        Tax => "tax",
        /// Total.
        Total => "total",
        /// Grand total.
        GrandTotal => "grand_total",
    }
}

/// `orders` attributes. Money in minor units of `currency`; every money field is optional
/// because the contract names them two ways (§3.2 CONFLICT) — prefer the `totals` rows.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Order {
    /// Status code.
    pub status: Option<OrderStatus>,
    /// Status id in the `order-status` helper list.
    #[serde(deserialize_with = "opt_i64")]
    pub status_id: Option<i64>,
    /// Fulfilment status.
    pub status_fulfillment: Option<FulfillmentStatus>,
    /// Currency frozen at creation.
    pub currency: Option<Currency>,
    /// Total (JSON-API name).
    #[serde(deserialize_with = "opt_i64")]
    pub total: Option<i64>,
    /// Subtotal (JSON-API name).
    #[serde(deserialize_with = "opt_i64")]
    pub subtotal: Option<i64>,
    /// Tax.
    #[serde(deserialize_with = "opt_i64")]
    pub tax: Option<i64>,
    /// Discount.
    #[serde(deserialize_with = "opt_i64")]
    pub discount: Option<i64>,
    /// Shipping price.
    #[serde(deserialize_with = "opt_i64")]
    pub shipping_price: Option<i64>,
    /// Total (entity-page name).
    #[serde(deserialize_with = "opt_i64")]
    pub price_total: Option<i64>,
    /// Subtotal (entity-page name).
    #[serde(deserialize_with = "opt_i64")]
    pub price_subtotal: Option<i64>,
    /// Buyer's customer id.
    #[serde(deserialize_with = "opt_i64")]
    pub customer_id: Option<i64>,
    /// Buyer's first name (snapshot).
    #[serde(deserialize_with = "opt_text")]
    pub customer_first_name: Option<String>,
    /// Buyer's last name (snapshot).
    #[serde(deserialize_with = "opt_text")]
    pub customer_last_name: Option<String>,
    /// Buyer's e-mail (snapshot).
    #[serde(deserialize_with = "opt_text")]
    pub customer_email: Option<String>,
    /// Customer note.
    #[serde(deserialize_with = "opt_text")]
    pub note_customer: Option<String>,
    /// Per-order customer e-mail switch.
    pub notify_customer: Option<YesNo>,
    /// Invoice number (write-once).
    #[serde(deserialize_with = "opt_text")]
    pub invoice_number: Option<String>,
    /// Invoice date.
    #[serde(deserialize_with = "opt_text")]
    pub invoice_date: Option<String>,
    /// Merchant's external reference (write-once).
    #[serde(deserialize_with = "opt_text")]
    pub usn: Option<String>,
    /// Placed at (shop-local text).
    #[serde(deserialize_with = "opt_text")]
    pub date_added: Option<String>,
    /// Last update.
    #[serde(deserialize_with = "opt_text")]
    pub updated_at: Option<String>,
    /// Archived at.
    #[serde(deserialize_with = "opt_text")]
    pub date_archived: Option<String>,
}

impl Order {
    /// The order total from whichever attribute name the shop uses.
    pub fn total_amount(&self) -> Option<i64> {
        self.total.or(self.price_total)
    }
}

/// `order-products`: a line, snapshotted at order time.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderLine {
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Product id (may point to a deleted product).
    #[serde(deserialize_with = "opt_i64")]
    pub product_id: Option<i64>,
    /// Variant id.
    #[serde(deserialize_with = "opt_i64")]
    pub variant_id: Option<i64>,
    /// Name.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// SKU.
    #[serde(deserialize_with = "opt_text")]
    pub sku: Option<String>,
    /// Barcode.
    #[serde(deserialize_with = "opt_text")]
    pub barcode: Option<String>,
    /// Quantity (may be fractional).
    #[serde(deserialize_with = "opt_decimal")]
    pub quantity: Option<Decimal3>,
    /// Weight per unit, grams.
    #[serde(deserialize_with = "opt_i64")]
    pub weight: Option<i64>,
    /// Unit price before discounts, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub price: Option<i64>,
    /// Unit price after order discounts, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub order_price: Option<i64>,
    /// Discount applied to the line.
    #[serde(deserialize_with = "opt_i64")]
    pub order_discount_id: Option<i64>,
    /// Fulfilment the line shipped in.
    #[serde(deserialize_with = "opt_i64")]
    pub order_fulfillment_id: Option<i64>,
    /// Parameter names and option values.
    #[serde(deserialize_with = "opt_text")]
    pub p1: Option<String>,
    /// Option value 1.
    #[serde(deserialize_with = "opt_text")]
    pub v1: Option<String>,
    /// Parameter 2.
    #[serde(deserialize_with = "opt_text")]
    pub p2: Option<String>,
    /// Option value 2.
    #[serde(deserialize_with = "opt_text")]
    pub v2: Option<String>,
    /// Parameter 3.
    #[serde(deserialize_with = "opt_text")]
    pub p3: Option<String>,
    /// Option value 3.
    #[serde(deserialize_with = "opt_text")]
    pub v3: Option<String>,
    /// Vendor name.
    #[serde(deserialize_with = "opt_text")]
    pub vendor_name: Option<String>,
    /// Category name.
    #[serde(deserialize_with = "opt_text")]
    pub category_name: Option<String>,
    /// Digital line.
    pub digital: Option<YesNo>,
    /// Stock tracked for this line.
    pub tracked: Option<YesNo>,
}

/// `order-products-options`: an add-on chosen for a line.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderLineOption {
    /// The line.
    #[serde(deserialize_with = "opt_i64")]
    pub order_product_id: Option<i64>,
    /// Option name.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Chosen value (e.g. engraving text).
    #[serde(deserialize_with = "opt_text")]
    pub value: Option<String>,
    /// Price, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub price: Option<i64>,
    /// Quantity.
    #[serde(deserialize_with = "opt_decimal")]
    pub quantity: Option<Decimal3>,
}

/// `order-discount`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderDiscount {
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Catalogue discount id.
    #[serde(deserialize_with = "opt_i64")]
    pub discount_id: Option<i64>,
    /// Line it applies to (`None` = order level).
    #[serde(deserialize_with = "opt_i64")]
    pub order_product_id: Option<i64>,
    /// Name.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Coupon code typed by the customer.
    #[serde(deserialize_with = "opt_text")]
    pub code: Option<String>,
    /// Kind.
    pub discount_type: Option<DiscountType>,
    /// Value (e.g. `10` for 10 %).
    #[serde(deserialize_with = "opt_decimal")]
    pub type_value: Option<Decimal3>,
    /// Threshold.
    #[serde(deserialize_with = "opt_i64")]
    pub order_over: Option<i64>,
}

/// `order-shipping`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderShipping {
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Shipping provider id.
    #[serde(deserialize_with = "opt_i64")]
    pub provider_id: Option<i64>,
    /// Provider label.
    #[serde(deserialize_with = "opt_text")]
    pub provider_name: Option<String>,
    /// Shipping charged, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub provider_amount: Option<i64>,
    /// Insurance, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub provider_insurance: Option<i64>,
    /// Geo zone name.
    #[serde(deserialize_with = "opt_text")]
    pub geo_zone_name: Option<String>,
}

/// `order-tax`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderTax {
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Label, e.g. "VAT 20%".
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Rate in percent (e.g. 20.00).
    #[serde(deserialize_with = "opt_decimal")]
    pub rate: Option<Decimal3>,
    /// Amount, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub value: Option<i64>,
    /// `included` or additional (open).
    #[serde(rename = "type", deserialize_with = "opt_text")]
    pub kind: Option<String>,
}

/// `order-total`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderTotal {
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Code.
    pub code: Option<TotalCode>,
    /// Localised title.
    #[serde(deserialize_with = "opt_text")]
    pub title: Option<String>,
    /// Amount, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub value: Option<i64>,
    /// Display order.
    #[serde(deserialize_with = "opt_i64")]
    pub sort_order: Option<i64>,
}

/// `order-payment`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderPayment {
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Gateway code (= payment-providers id), e.g. `cod`.
    #[serde(deserialize_with = "opt_text")]
    pub provider: Option<String>,
    /// Gateway label.
    #[serde(deserialize_with = "opt_text")]
    pub provider_name: Option<String>,
    /// Amount, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub amount: Option<i64>,
    /// Gateway transaction id.
    #[serde(deserialize_with = "opt_text")]
    pub provider_reference_id: Option<String>,
    /// Provider-side status text.
    #[serde(deserialize_with = "opt_text")]
    pub status: Option<String>,
    /// Normalised status.
    pub payment_status: Option<PaymentStatus>,
    /// Created.
    #[serde(deserialize_with = "opt_text")]
    pub date_created: Option<String>,
}

postal_address! {
    /// `order-billing-address` (with the Bulgarian company fields).
    OrderBillingAddress {
        /// Order id.
        #[serde(deserialize_with = "opt_i64")]
        pub order_id: Option<i64>,
        /// Responsible person (МОЛ).
        #[serde(deserialize_with = "opt_text")]
        pub company_person: Option<String>,
        /// Company registration number (ЕИК / БУЛСТАТ).
        #[serde(deserialize_with = "opt_text")]
        pub company_registration_number: Option<String>,
        /// One-line address.
        #[serde(deserialize_with = "opt_text")]
        pub formatted: Option<String>,
    }
}

postal_address! {
    /// `order-shipping-address`.
    OrderShippingAddress {
        /// Order id.
        #[serde(deserialize_with = "opt_i64")]
        pub order_id: Option<i64>,
        /// Company flag (`yes`/`no` or boolean).
        #[serde(rename = "companyYesNo")]
        pub company_yes_no: Option<YesNo>,
        /// Customer's address note.
        #[serde(deserialize_with = "opt_text")]
        pub address1: Option<String>,
        /// Courier integration (`internal`, `econt`, …).
        #[serde(deserialize_with = "opt_text")]
        pub integration: Option<String>,
        /// One-line address.
        #[serde(deserialize_with = "opt_text")]
        pub formatted: Option<String>,
    }
}

/// `order-modification`: a merchant adjustment after placement.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderModification {
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Name.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Kind (enum unknown).
    #[serde(rename = "type", deserialize_with = "opt_text")]
    pub kind: Option<String>,
    /// Amount, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub value: Option<i64>,
}

/// One entry of the non-JSON:API `GET /order-status` helper.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct OrderStatusEntry {
    /// Status id (what `status_id` refers to).
    #[serde(deserialize_with = "opt_i64")]
    pub id: Option<i64>,
    /// Label.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Code.
    #[serde(deserialize_with = "opt_text")]
    pub slug: Option<String>,
    /// `default` for built-ins.
    #[serde(deserialize_with = "opt_text")]
    pub status_type: Option<String>,
}

/// The include list that fetches a complete order in one request (API.md §3.5).
pub const FULL_ORDER_INCLUDES: &[&str] = &[
    "products",
    "payment",
    "discounts",
    "modifications",
    "totals",
    "taxes",
    "shipping.provider",
    "shipping-address",
    "billing-address",
];

/// An order with every sub-resource of §3.5 resolved from `included`.
#[derive(Debug, Clone, PartialEq)]
pub struct FullOrder {
    /// The order.
    pub order: Resource<Order>,
    /// Lines.
    pub lines: Vec<Resource<OrderLine>>,
    /// Discounts.
    pub discounts: Vec<Resource<OrderDiscount>>,
    /// Merchant modifications.
    pub modifications: Vec<Resource<OrderModification>>,
    /// Totals breakdown (authoritative).
    pub totals: Vec<Resource<OrderTotal>>,
    /// Taxes.
    pub taxes: Vec<Resource<OrderTax>>,
    /// Payment.
    pub payment: Option<Resource<OrderPayment>>,
    /// Shipping.
    pub shipping: Option<Resource<OrderShipping>>,
    /// The shipping provider (via `shipping.provider`).
    pub shipping_provider: Option<Resource<ShippingProvider>>,
    /// Shipping address.
    pub shipping_address: Option<Resource<OrderShippingAddress>>,
    /// Billing address.
    pub billing_address: Option<Resource<OrderBillingAddress>>,
}

impl FullOrder {
    /// Resolves the sub-resources of `order` from `included`.
    pub fn resolve(order: Resource<Order>, included: &Included) -> Result<Self, Error> {
        let shipping: Option<Resource<OrderShipping>> = included.related_one(&order, "shipping")?;
        // The provider is linked by the shipping row's `provider` relationship; when the
        // shop sends no linkage (as in API.md §3.10), `provider_id` names it.
        let shipping_provider = match &shipping {
            Some(s) if s.linkage("provider").is_some() => included.related_one(s, "provider")?,
            Some(s) => match s.attributes.provider_id {
                Some(pid) => included.get(&ResourceId {
                    kind: "shipping-providers".to_owned(),
                    id: pid.to_string(),
                })?,
                None => None,
            },
            None => None,
        };
        Ok(Self {
            lines: included.related(&order, "products")?,
            discounts: included.related(&order, "discounts")?,
            modifications: included.related(&order, "modifications")?,
            totals: included.related(&order, "totals")?,
            taxes: included.related(&order, "taxes")?,
            payment: included.related_one(&order, "payment")?,
            shipping_address: included.related_one(&order, "shipping-address")?,
            billing_address: included.related_one(&order, "billing-address")?,
            shipping,
            shipping_provider,
            order,
        })
    }

    /// The amount of the totals row with `code`, if present.
    pub fn total(&self, code: &TotalCode) -> Option<i64> {
        self.totals
            .iter()
            .find(|t| t.attributes.code.as_ref() == Some(code))
            .and_then(|t| t.attributes.value)
    }
}

/// Tracking data for marking a whole order shipped (`PATCH /orders/{id}/fulfill`, §3.7).
/// Dates are `YYYY-MM-DD`; unset fields are not sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Fulfillment {
    /// Courier tracking URL (must be an http(s) URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_tracking_url: Option<String>,
    /// Waybill / tracking number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_tracking_number: Option<String>,
    /// Handed to the courier (defaults to today on the shop).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_date_expedition: Option<String>,
    /// Expected delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_date_delivery: Option<String>,
}

impl Fulfillment {
    /// Checks the fields the shop would reject, before anything is sent.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(url) = &self.shipping_tracking_url {
            let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(Error::InvalidInput {
                    field: "shipping_tracking_url",
                    reason: format!("{url:?} is not an http(s) URL"),
                });
            }
        }
        for (field, date) in [
            ("shipping_date_expedition", &self.shipping_date_expedition),
            ("shipping_date_delivery", &self.shipping_date_delivery),
        ] {
            if let Some(d) = date {
                if !is_iso_date(d) {
                    return Err(Error::InvalidInput {
                        field,
                        reason: format!("{d:?} is not a YYYY-MM-DD date"),
                    });
                }
            }
        }
        Ok(())
    }
}

/// `YYYY-MM-DD` with a month 01–12 and a day 01–31 (calendar validity is the shop's call).
fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    matches!(
        (digits(0..4), digits(5..7), digits(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fulfillment_input_is_checked_before_sending() {
        let ok = Fulfillment {
            shipping_tracking_url: Some(
                "https://www.econt.com/services/track-shipment/1051".into(),
            ),
            shipping_tracking_number: Some("1051602259".into()),
            shipping_date_expedition: Some("2026-06-21".into()),
            shipping_date_delivery: None,
        };
        assert!(ok.validate().is_ok());
        for bad in [
            Fulfillment {
                shipping_tracking_url: Some("econt 1051".into()),
                ..ok.clone()
            },
            Fulfillment {
                shipping_date_expedition: Some("21.06.2026".into()),
                ..ok.clone()
            },
            Fulfillment {
                shipping_date_delivery: Some("2026-13-01".into()),
                ..ok.clone()
            },
            Fulfillment {
                shipping_date_delivery: Some("2026-06-1é".into()),
                ..ok.clone()
            },
        ] {
            assert_eq!(
                bad.validate().unwrap_err().code(),
                "cloudcart.invalid_input",
                "{bad:?}"
            );
        }
    }
}
