//! Property tests: every public decoder returns `Ok` or a typed error on arbitrary JSON and
//! arbitrary bytes; none panics.

use cloudcart::jsonapi::RawDocument;
use cloudcart::models::catalogue::{Category, Product, Variant};
use cloudcart::models::customers::{Customer, CustomerAddress};
use cloudcart::models::orders::{FullOrder, Order};
use cloudcart::models::providers::{PaymentProvider, ShippingProvider};
use cloudcart::models::webhooks::{decode_entity_delivery, decode_order_delivery, Webhook};
use cloudcart::Decimal3;
use proptest::prelude::*;
use serde_json::Value;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z0-9_.\\- ]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("yes"),
            Just("no"),
            Just("1.500"),
            Just("pending"),
            Just("orders"),
            Just("order-products"),
            Just("data"),
            Just("-0.001"),
            Just("1e400")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("data".to_owned()),
            Just("type".to_owned()),
            Just("id".to_owned()),
            Just("attributes".to_owned()),
            Just("relationships".to_owned()),
            Just("included".to_owned()),
            Just("meta".to_owned()),
            Just("page".to_owned()),
            Just("quantity".to_owned()),
            Just("price".to_owned()),
            Just("status".to_owned()),
            Just("products".to_owned()),
            Just("shipping".to_owned()),
            Just("provider".to_owned()),
            Just("provider_id".to_owned()),
            Just("request_headers".to_owned()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn exercise(bytes: &[u8]) {
    if let Ok(doc) = RawDocument::parse(bytes) {
        let _ = doc.decode_primary::<Product>();
        let _ = doc.decode_primary::<Variant>();
        let _ = doc.decode_primary::<Category>();
        let _ = doc.decode_primary::<Customer>();
        let _ = doc.decode_primary::<CustomerAddress>();
        let _ = doc.decode_primary::<PaymentProvider>();
        let _ = doc.decode_primary::<ShippingProvider>();
        let _ = doc.decode_primary::<Webhook>();
        if let Ok(orders) = doc.decode_primary::<Order>() {
            let included = doc.included();
            for o in orders {
                let _ = FullOrder::resolve(o, &included);
            }
        }
    }
    let _ = decode_order_delivery(bytes);
    let _ = decode_entity_delivery(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = Decimal3::parse(text);
    }
}

/// Wraps a value so the interesting paths (data, included, attributes) are reached often.
fn as_document(v: &Value, attrs: &Value) -> Value {
    serde_json::json!({
        "data": [{"type": "orders", "id": "1", "attributes": attrs,
                  "relationships": {"products": {"data": [{"type": "order-products", "id": "2"}]},
                                    "shipping": {"data": {"type": "order-shipping", "id": "3"}}}}],
        "included": [{"type": "order-products", "id": "2", "attributes": v},
                     {"type": "order-shipping", "id": "3", "attributes": v}],
        "meta": {"page": v}
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoders_never_panic_on_arbitrary_json(v in arb_json(), attrs in arb_json()) {
        exercise(v.to_string().as_bytes());
        exercise(as_document(&v, &attrs).to_string().as_bytes());
        exercise(Value::Array(vec![v]).to_string().as_bytes());
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        exercise(&bytes);
    }
}
