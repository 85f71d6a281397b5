//! Products, variants, variant parameters and options, categories (API.md §2).

use crate::lenient::{opt_decimal, opt_i64, opt_text, Decimal3, YesNo};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Stock of a variant: `null` on the wire means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stock {
    /// `quantity: null` — not limited.
    Unlimited,
    /// A counted quantity (decimal(20,3)).
    Counted(Decimal3),
}

impl Stock {
    /// A whole-unit count.
    pub fn units(n: i64) -> Self {
        Self::Counted(Decimal3::from_whole(n))
    }
}

impl Serialize for Stock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Unlimited => s.serialize_none(),
            Self::Counted(q) => q.serialize(s),
        }
    }
}

/// Present attribute: `null` → `Some(Unlimited)`; absent stays `None` via `#[serde(default)]`.
fn present_stock<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Stock>, D::Error> {
    Ok(Some(match opt_decimal(d)? {
        None => Stock::Unlimited,
        Some(q) => Stock::Counted(q),
    }))
}

/// `products` attributes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Product {
    /// Product name.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// URL handle.
    #[serde(deserialize_with = "opt_text")]
    pub url_handle: Option<String>,
    /// Storefront visibility.
    pub active: Option<YesNo>,
    /// Draft flag.
    pub draft: Option<YesNo>,
    /// Inventory tracking master switch.
    pub tracking: Option<YesNo>,
    /// Sell past zero.
    pub continue_selling: Option<YesNo>,
    /// Physical shipping needed.
    pub shipping: Option<YesNo>,
    /// Digital product.
    pub digital: Option<YesNo>,
    /// Minimum order quantity.
    #[serde(deserialize_with = "opt_decimal")]
    pub minimum: Option<Decimal3>,
    /// Long description (HTML text).
    #[serde(deserialize_with = "opt_text")]
    pub description: Option<String>,
    /// Parameter names (read-only).
    #[serde(deserialize_with = "opt_text")]
    pub p1: Option<String>,
    /// Second parameter name.
    #[serde(deserialize_with = "opt_text")]
    pub p2: Option<String>,
    /// Third parameter name.
    #[serde(deserialize_with = "opt_text")]
    pub p3: Option<String>,
    /// Parameter ids (read-only).
    #[serde(deserialize_with = "opt_i64")]
    pub p1_id: Option<i64>,
    /// Second parameter id.
    #[serde(deserialize_with = "opt_i64")]
    pub p2_id: Option<i64>,
    /// Third parameter id.
    #[serde(deserialize_with = "opt_i64")]
    pub p3_id: Option<i64>,
    /// Main category id (read-only).
    #[serde(deserialize_with = "opt_i64")]
    pub category_id: Option<i64>,
    /// Vendor id (read-only).
    #[serde(deserialize_with = "opt_i64")]
    pub vendor_id: Option<i64>,
    /// Lowest variant price, minor units (read-only).
    #[serde(deserialize_with = "opt_i64")]
    pub price_from: Option<i64>,
    /// Highest variant price, minor units (read-only).
    #[serde(deserialize_with = "opt_i64")]
    pub price_to: Option<i64>,
    /// `simple`, `bundle`, `digital`, … (kept as text).
    #[serde(deserialize_with = "opt_text")]
    pub product_type: Option<String>,
    /// Created (shop-local text, timezone unknown).
    #[serde(deserialize_with = "opt_text")]
    pub date_added: Option<String>,
    /// Last modified.
    #[serde(deserialize_with = "opt_text")]
    pub date_modified: Option<String>,
}

/// `variants` attributes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Variant {
    /// Parent product id.
    #[serde(deserialize_with = "opt_i64")]
    pub item_id: Option<i64>,
    /// Stock keeping unit.
    #[serde(deserialize_with = "opt_text")]
    pub sku: Option<String>,
    /// EAN/UPC barcode.
    #[serde(deserialize_with = "opt_text")]
    pub barcode: Option<String>,
    /// Price in minor units of the shop currency.
    #[serde(deserialize_with = "opt_i64")]
    pub price: Option<i64>,
    /// Per-variant shipping modifier, minor units.
    #[serde(deserialize_with = "opt_i64")]
    pub delivery_price: Option<i64>,
    /// Weight in grams.
    #[serde(deserialize_with = "opt_i64")]
    pub weight: Option<i64>,
    /// Stock; `None` when the attribute was not sent, `Some(Unlimited)` for `null`.
    #[serde(deserialize_with = "present_stock")]
    pub quantity: Option<Stock>,
    /// Minimum order quantity.
    #[serde(deserialize_with = "opt_decimal")]
    pub minimum: Option<Decimal3>,
    /// Option labels.
    #[serde(deserialize_with = "opt_text")]
    pub v1: Option<String>,
    /// Second option label.
    #[serde(deserialize_with = "opt_text")]
    pub v2: Option<String>,
    /// Third option label.
    #[serde(deserialize_with = "opt_text")]
    pub v3: Option<String>,
    /// Option ids (null on the option-less default variant).
    #[serde(deserialize_with = "opt_i64")]
    pub v1_id: Option<i64>,
    /// Second option id.
    #[serde(deserialize_with = "opt_i64")]
    pub v2_id: Option<i64>,
    /// Third option id.
    #[serde(deserialize_with = "opt_i64")]
    pub v3_id: Option<i64>,
}

impl Variant {
    /// Whether this is the option-less ("phantom") default variant.
    pub fn is_option_less(&self) -> bool {
        self.v1_id.is_none() && self.v2_id.is_none() && self.v3_id.is_none()
    }
}

/// The attributes a stock/price sync may PATCH on a variant. Unset fields are not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct VariantUpdate {
    /// New stock (`Unlimited` sends `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Stock>,
    /// New price, minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
}

/// `variant-parameters` attributes ("Size", "Colour").
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct VariantParameter {
    /// Name, unique store-wide.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// `select`, `radio`, `image`, `color`, … (kept as text).
    #[serde(deserialize_with = "opt_text")]
    pub display_type: Option<String>,
    /// Sort position.
    #[serde(deserialize_with = "opt_i64")]
    pub sort: Option<i64>,
    /// Visible on the storefront (0/1 or yes/no).
    pub visible: Option<YesNo>,
}

/// `variant-options` attributes ("M", "Black").
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct VariantOption {
    /// Value label.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Owning parameter id.
    #[serde(deserialize_with = "opt_i64")]
    pub parameter_id: Option<i64>,
    /// Sort position.
    #[serde(deserialize_with = "opt_i64")]
    pub sort: Option<i64>,
    /// Colour swatch (6 hex digits).
    #[serde(deserialize_with = "opt_text")]
    pub color: Option<String>,
    /// Visible (0/1 or yes/no).
    pub visible: Option<YesNo>,
}

/// `categories` attributes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Category {
    /// Name.
    #[serde(deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// URL handle.
    #[serde(deserialize_with = "opt_text")]
    pub url_handle: Option<String>,
    /// Parent category id.
    #[serde(deserialize_with = "opt_i64")]
    pub parent_id: Option<i64>,
    /// Sort order.
    #[serde(deserialize_with = "opt_i64")]
    pub order: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_null_is_unlimited_and_absent_is_unknown() {
        let v: Variant = serde_json::from_str(r#"{"quantity": null}"#).unwrap();
        assert_eq!(v.quantity, Some(Stock::Unlimited));
        let v: Variant = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(v.quantity, None);
        let v: Variant = serde_json::from_str(r#"{"quantity": "12.500"}"#).unwrap();
        assert_eq!(
            v.quantity,
            Some(Stock::Counted(Decimal3::from_thousandths(12_500)))
        );
    }

    #[test]
    fn variant_update_serialises_only_what_is_set() {
        let u = VariantUpdate {
            quantity: Some(Stock::units(36)),
            price: Some(2490),
        };
        assert_eq!(
            serde_json::to_value(u).unwrap(),
            serde_json::json!({"quantity": 36, "price": 2490})
        );
        let u = VariantUpdate {
            quantity: Some(Stock::Unlimited),
            price: None,
        };
        assert_eq!(
            serde_json::to_value(u).unwrap(),
            serde_json::json!({"quantity": null})
        );
    }
}
