//! Webhook subscriptions (API.md §6.1–6.2) and the delivery bodies a receiver gets
//! (§6.4–6.5).

use crate::error::Error;
use crate::lenient::{json_kind, opt_i64, opt_text, scalar_text, YesNo};
use crate::models::orders::OrderStatus;
use crate::models::Currency;
use crate::open_enum::open_enum;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

open_enum! {
    /// A webhook event key (the 20 of §6.2; `order.deleted` is refused by the platform).
    WebhookEvent {
        /// `category.created`
        CategoryCreated => "category.created",
        /// `category.updated`
        CategoryUpdated => "category.updated",
        /// `category.deleted`
        CategoryDeleted => "category.deleted",
        /// `vendor.created`
        VendorCreated => "vendor.created",
        /// `vendor.updated`
        VendorUpdated => "vendor.updated",
        /// `vendor.deleted`
        VendorDeleted => "vendor.deleted",
        /// `product.created`
        ProductCreated => "product.created",
        /// `product.updated`
        ProductUpdated => "product.updated",
        /// `product.deleted`
        ProductDeleted => "product.deleted",
        /// `discount.created`
        DiscountCreated => "discount.created",
        /// `discount.updated`
        DiscountUpdated => "discount.updated",
        /// `discount.deleted`
        DiscountDeleted => "discount.deleted",
        /// `customer.created`
        CustomerCreated => "customer.created",
        /// `customer.updated`
        CustomerUpdated => "customer.updated",
        /// `customer.deleted`
        CustomerDeleted => "customer.deleted",
        /// `order.created`
        OrderCreated => "order.created",
        /// `order.updated`
        OrderUpdated => "order.updated",
        /// `subscriber.created`
        SubscriberCreated => "subscriber.created",
        /// `subscriber.updated`
        SubscriberUpdated => "subscriber.updated",
        /// `subscriber.deleted`
        SubscriberDeleted => "subscriber.deleted",
    }
}

/// `webhooks` attributes as returned.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Webhook {
    /// Receiver URL.
    #[serde(deserialize_with = "opt_text")]
    pub url: Option<String>,
    /// Event key.
    pub event: Option<WebhookEvent>,
    /// Active (`yes`/`no` or `1`/`0`); the platform switches it off on failures.
    pub active: Option<YesNo>,
    /// `1` = v2 order payload.
    #[serde(deserialize_with = "opt_i64")]
    pub new_version: Option<i64>,
    /// Extra delivery headers (an empty PHP array `[]` reads as empty).
    #[serde(deserialize_with = "header_map")]
    pub request_headers: BTreeMap<String, String>,
    /// Created.
    #[serde(deserialize_with = "opt_text")]
    pub created_at: Option<String>,
    /// Updated.
    #[serde(deserialize_with = "opt_text")]
    pub updated_at: Option<String>,
}

fn header_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    use serde::de::Error as _;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(BTreeMap::new()),
        Some(serde_json::Value::Array(a)) if a.is_empty() => Ok(BTreeMap::new()),
        Some(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k, s)),
                serde_json::Value::Number(n) => Ok((k, n.to_string())),
                serde_json::Value::Bool(b) => Ok((k, b.to_string())),
                other => Err(D::Error::custom(format!(
                    "header {k:?} has {} as value",
                    json_kind(&other)
                ))),
            })
            .collect(),
        Some(other) => Err(D::Error::custom(format!(
            "expected an object of headers, got {}",
            json_kind(&other)
        ))),
    }
}

/// The body of a webhook create or update. `None` fields are not sent; on update,
/// `request_headers` (when sent) replaces all headers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct WebhookWrite {
    /// Receiver URL (required on create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Event (required on create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<WebhookEvent>,
    /// Active flag, sent as `1`/`0`.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "one_zero")]
    pub active: Option<bool>,
    /// `1` for the v2 order payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<i64>,
    /// Custom headers (full replacement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<BTreeMap<String, String>>,
    /// Which API key the deliveries carry (create only; read-only afterwards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_id: Option<i64>,
}

fn one_zero<S: serde::Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(true) => s.serialize_u8(1),
        Some(false) => s.serialize_u8(0),
        None => s.serialize_none(),
    }
}

impl WebhookWrite {
    /// A create body for `event` delivered to `url`, active, v2 payload.
    pub fn new(url: impl Into<String>, event: WebhookEvent) -> Self {
        Self {
            url: Some(url.into()),
            event: Some(event),
            active: Some(true),
            new_version: Some(1),
            ..Self::default()
        }
    }
}

/// The v2 order payload of `order.created` / `order.updated` deliveries (§6.5). Nested
/// objects are undocumented and kept as raw JSON; re-GET the order for the full picture.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct OrderWebhookPayload {
    /// Shop (site) id.
    #[serde(deserialize_with = "opt_i64")]
    pub store_id: Option<i64>,
    /// Order id.
    #[serde(deserialize_with = "opt_i64")]
    pub id: Option<i64>,
    /// Order hash.
    #[serde(deserialize_with = "opt_text")]
    pub hash: Option<String>,
    /// Status code.
    pub status: Option<OrderStatus>,
    /// Created.
    #[serde(deserialize_with = "opt_text")]
    pub created_at: Option<String>,
    /// Updated (order deliveries by this to cope with reordering).
    #[serde(deserialize_with = "opt_text")]
    pub updated_at: Option<String>,
    /// Alternative update stamp some pages mention.
    #[serde(deserialize_with = "opt_text")]
    pub date_last_update: Option<String>,
    /// Invoice number.
    #[serde(deserialize_with = "opt_text")]
    pub invoice_number: Option<String>,
    /// Subtotal (minor units per the emulator; type unknown on the platform).
    #[serde(deserialize_with = "opt_i64")]
    pub order_subtotal: Option<i64>,
    /// Total.
    #[serde(deserialize_with = "opt_i64")]
    pub order_total: Option<i64>,
    /// Currency.
    pub currency: Option<Currency>,
    /// Weight.
    #[serde(deserialize_with = "opt_i64")]
    pub weight: Option<i64>,
    /// Discounts (raw).
    pub discounts: Vec<serde_json::Value>,
    /// Taxes (raw).
    pub tax_vat: Vec<serde_json::Value>,
    /// Fees (raw).
    pub fees: Vec<serde_json::Value>,
    /// Customer (raw).
    pub customer: Option<serde_json::Value>,
    /// Lines (raw).
    pub products: Vec<serde_json::Value>,
    /// Shipping (raw).
    pub shipping: Option<serde_json::Value>,
    /// Shipping address (raw).
    pub shipping_address: Option<serde_json::Value>,
    /// Billing address (raw).
    pub billing_address: Option<serde_json::Value>,
    /// Payments (raw).
    pub payments: Vec<serde_json::Value>,
    /// Primary payment (raw).
    pub payment: Option<serde_json::Value>,
}

/// A non-order delivery: a JSON:API resource object or a flat attribute object (§6.4
/// leaves it open); both are read here.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityWebhookPayload {
    /// The entity id, when present.
    pub id: Option<String>,
    /// The JSON:API type, when the payload is a resource object.
    pub kind: Option<String>,
    /// The attributes (flat payloads: the whole object).
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

fn single_element(body: &[u8]) -> Result<serde_json::Value, Error> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| Error::Decode {
        path: ".".to_owned(),
        message: e.to_string(),
    })?;
    match value {
        serde_json::Value::Array(mut items) => {
            if items.is_empty() {
                Err(Error::Decode {
                    path: "[0]".to_owned(),
                    message: "the delivery array is empty".to_owned(),
                })
            } else {
                Ok(items.swap_remove(0))
            }
        }
        object @ serde_json::Value::Object(_) => Ok(object),
        other => Err(Error::Decode {
            path: ".".to_owned(),
            message: format!("expected a one-element array, got {}", json_kind(&other)),
        }),
    }
}

/// Decodes an `order.*` delivery body (a one-element array; a bare object is tolerated).
pub fn decode_order_delivery(body: &[u8]) -> Result<OrderWebhookPayload, Error> {
    let element = single_element(body)?;
    crate::jsonapi::decode_value(&element, "[0]")
}

/// Decodes a non-order delivery body.
pub fn decode_entity_delivery(body: &[u8]) -> Result<EntityWebhookPayload, Error> {
    let element = single_element(body)?;
    let serde_json::Value::Object(mut map) = element else {
        return Err(Error::Decode {
            path: "[0]".to_owned(),
            message: format!("expected an object, got {}", json_kind(&element)),
        });
    };
    let id = match map.get("id") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(scalar_text(v).map_err(|e| Error::Decode {
            path: "[0].id".to_owned(),
            message: e.to_string(),
        })?),
    };
    let is_resource = map
        .get("attributes")
        .is_some_and(serde_json::Value::is_object);
    if is_resource {
        let kind = map.get("type").and_then(|v| v.as_str()).map(str::to_owned);
        let attributes = match map.remove("attributes") {
            Some(serde_json::Value::Object(a)) => a,
            _ => serde_json::Map::new(),
        };
        Ok(EntityWebhookPayload {
            id,
            kind,
            attributes,
        })
    } else {
        Ok(EntityWebhookPayload {
            id,
            kind: None,
            attributes: map,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_delivery_skeleton_of_the_contract_decodes() {
        let body = br#"[{"store_id":48211,"id":20417,"hash":"c9e1f0a7b3","status":"pending",
            "created_at":"2026-06-20 09:41:27","updated_at":"2026-06-20 09:41:29","email_sent":1,
            "abandoned":0,"order_subtotal":6270,"order_total":6242,"currency":"EUR","weight":680,
            "discounts":[{"group":"discount"}],"tax_vat":[],"fees":[],"customer":{},
            "products":[{"options":[]}],"shipping":[],"shipping_address":{},"billing_address":{},
            "payments":[],"payment":{}}]"#;
        let p = decode_order_delivery(body).unwrap();
        assert_eq!(p.id, Some(20417));
        assert_eq!(p.status, Some(OrderStatus::Pending));
        assert_eq!(p.currency, Some(Currency::Eur));
        assert_eq!(p.order_total, Some(6242));
        assert_eq!(p.products.len(), 1);
    }

    #[test]
    fn entity_delivery_reads_both_shapes() {
        let flat = decode_entity_delivery(br#"[{"id":7,"name":"Coffee"}]"#).unwrap();
        assert_eq!(flat.id.as_deref(), Some("7"));
        assert_eq!(flat.attributes["name"], "Coffee");
        let res = decode_entity_delivery(
            br#"[{"type":"categories","id":"7","attributes":{"name":"Coffee"}}]"#,
        )
        .unwrap();
        assert_eq!(res.kind.as_deref(), Some("categories"));
        assert_eq!(res.attributes["name"], "Coffee");
        assert!(decode_entity_delivery(b"[]").is_err());
        assert!(decode_entity_delivery(b"[1]").is_err());
    }

    #[test]
    fn webhook_write_sends_active_as_one_or_zero() {
        let w = WebhookWrite::new("https://erp.example/hooks", WebhookEvent::OrderCreated);
        assert_eq!(
            serde_json::to_value(&w).unwrap(),
            serde_json::json!({"url":"https://erp.example/hooks","event":"order.created",
                               "active":1,"new_version":1})
        );
        let h: Webhook = serde_json::from_str(r#"{"request_headers":[],"active":"yes"}"#).unwrap();
        assert!(h.request_headers.is_empty());
        assert_eq!(h.active, Some(YesNo::Yes));
    }
}
