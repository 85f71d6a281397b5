//! The example documents of API.md §2.9 and §3.10 decode into the typed models, and the
//! decoders stay tolerant of extra and missing attributes.

use cloudcart::jsonapi::RawDocument;
use cloudcart::models::catalogue::{Product, Stock, Variant};
use cloudcart::models::orders::{
    DiscountType, FulfillmentStatus, FullOrder, Order, OrderDiscount, OrderPayment, OrderStatus,
    OrderTotal, PaymentStatus, TotalCode,
};
use cloudcart::models::providers::ShippingProvider;
use cloudcart::models::Currency;
use cloudcart::{Decimal3, YesNo};

const PRODUCT_DOC: &str = include_str!("fixtures/api_2_9_product_with_variants.json");
const ORDER_DOC: &str = include_str!("fixtures/api_3_10_full_order.json");

#[test]
fn api_2_9_product_with_its_variants_decodes() {
    let doc = RawDocument::parse(PRODUCT_DOC.as_bytes()).unwrap();
    let products = doc.decode_primary::<Product>().unwrap();
    assert_eq!(products.len(), 1);
    let p = &products[0];
    assert_eq!(p.id, "812");
    assert_eq!(
        p.attributes.name.as_deref(),
        Some("Logo t-shirt, organic cotton")
    );
    assert_eq!(p.attributes.tracking, Some(YesNo::Yes));
    assert_eq!(p.attributes.continue_selling, Some(YesNo::No));
    assert_eq!(p.attributes.price_from, Some(2490));
    assert_eq!(p.attributes.p2.as_deref(), Some("Colour"));
    assert_eq!(p.linked_ids("category")[0].id, "9");
    let variants = doc.included().related::<Variant, _>(p, "variants").unwrap();
    assert_eq!(variants.len(), 2);
    let m = &variants[0].attributes;
    assert_eq!(m.sku.as_deref(), Some("TS-LOGO-M-BLK"));
    assert_eq!(m.barcode.as_deref(), Some("3800987650014"));
    assert_eq!(m.price, Some(2490));
    assert_eq!(m.quantity, Some(Stock::units(36)));
    assert_eq!(m.v1_id, Some(31));
    assert!(!m.is_option_less());
    assert_eq!(variants[1].attributes.quantity, Some(Stock::units(0)));
    let meta = doc.meta.page.unwrap();
    assert_eq!(
        (meta.current_page, meta.last_page, meta.total),
        (Some(1), Some(1), Some(1))
    );
}

#[test]
fn api_3_10_full_order_resolves_every_include() {
    let doc = RawDocument::parse(ORDER_DOC.as_bytes()).unwrap();
    let order = doc.decode_primary::<Order>().unwrap().remove(0);
    let full = FullOrder::resolve(order, &doc.included()).unwrap();
    let o = &full.order.attributes;
    assert_eq!(full.order.id, "20417");
    assert_eq!(o.status, Some(OrderStatus::Pending));
    assert_eq!(o.status_fulfillment, Some(FulfillmentStatus::NotFulfilled));
    assert_eq!(o.currency, Some(Currency::Eur));
    assert_eq!(o.total_amount(), Some(6242));
    assert_eq!(
        o.customer_email.as_deref(),
        Some("maria.georgieva@example.bg")
    );
    assert_eq!(o.invoice_number, None);

    assert_eq!(full.lines.len(), 2);
    let line = &full.lines[0].attributes;
    assert_eq!(line.sku.as_deref(), Some("TS-LOGO-M-BLK"));
    assert_eq!(line.quantity, Some(Decimal3::from_whole(2)));
    assert_eq!((line.price, line.order_price), (Some(2490), Some(2241)));
    assert_eq!(line.v2.as_deref(), Some("Black"));
    assert_eq!(full.lines[1].attributes.p1, None);

    assert_eq!(full.discounts.len(), 1);
    assert_eq!(
        full.discounts[0].attributes.discount_type,
        Some(DiscountType::Percent)
    );
    assert_eq!(full.discounts[0].attributes.code.as_deref(), Some("KAFE10"));
    let shipping = full.shipping.as_ref().unwrap();
    assert_eq!(shipping.attributes.provider_amount, Some(599));
    let provider = full.shipping_provider.as_ref().expect("shipping.provider");
    assert_eq!(provider.attributes.provider_type.as_deref(), Some("econt"));
    assert_eq!(provider.attributes.postal_money, Some(YesNo::Yes));
    let payment = full.payment.as_ref().unwrap();
    assert_eq!(payment.attributes.provider.as_deref(), Some("cod"));
    assert_eq!(
        payment.attributes.payment_status,
        Some(PaymentStatus::Pending)
    );
    assert_eq!(full.total(&TotalCode::GrandTotal), Some(6242));
    assert_eq!(full.total(&TotalCode::Subtotal), Some(6270));
    assert_eq!(
        full.taxes[0].attributes.rate,
        Some(Decimal3::from_whole(20))
    );
    assert_eq!(full.taxes[0].attributes.kind.as_deref(), Some("included"));
    let billing = &full.billing_address.as_ref().unwrap().attributes;
    assert_eq!(billing.company_vat.as_deref(), Some("BG204512345"));
    assert_eq!(
        billing.company_registration_number.as_deref(),
        Some("204512345")
    );
    assert_eq!(billing.company_person.as_deref(), Some("Maria Georgieva"));
    let shipping_address = &full.shipping_address.as_ref().unwrap().attributes;
    assert_eq!(shipping_address.company_yes_no, Some(YesNo::No));
    assert_eq!(shipping_address.integration.as_deref(), Some("internal"));
    assert!(full.modifications.is_empty());
}

#[test]
fn unknown_statuses_and_extra_attributes_are_kept_open() {
    let body = br#"{"data":{"type":"orders","id":"1","attributes":{
        "status":"order-awaiting-pickup","status_fulfillment":"shipped","currency":"BGN",
        "brand_new_attribute":{"nested":[1,2,3]},"total":"1290"}}}"#;
    let doc = RawDocument::parse(body).unwrap();
    let o = doc.decode_primary::<Order>().unwrap().remove(0).attributes;
    assert_eq!(
        o.status,
        Some(OrderStatus::Other("order-awaiting-pickup".into()))
    );
    assert!(!o.status.as_ref().unwrap().is_negative());
    assert_eq!(o.status_fulfillment, Some(FulfillmentStatus::Shipped));
    assert_eq!(o.currency, Some(Currency::Bgn));
    assert_eq!(o.total, Some(1290));
}

#[test]
fn every_code_enum_is_an_open_string() {
    // API.md §8 client item 4: statuses, discount_type, provider_type, totals code and the
    // fulfilment status keep codes the contract does not list.
    let discount: OrderDiscount =
        serde_json::from_str(r#"{"discount_type":"buy_x_get_y"}"#).unwrap();
    assert_eq!(
        discount.discount_type,
        Some(DiscountType::Other("buy_x_get_y".into()))
    );
    let total: OrderTotal = serde_json::from_str(r#"{"code":"gift_wrap","value":150}"#).unwrap();
    assert_eq!(total.code, Some(TotalCode::Other("gift_wrap".into())));
    let payment: OrderPayment =
        serde_json::from_str(r#"{"payment_status":"pending_review"}"#).unwrap();
    assert_eq!(
        payment.payment_status,
        Some(PaymentStatus::Other("pending_review".into()))
    );
    let courier: ShippingProvider = serde_json::from_str(r#"{"provider_type":"dhl"}"#).unwrap();
    assert_eq!(courier.provider_type.as_deref(), Some("dhl"));
    let order: Order =
        serde_json::from_str(r#"{"status":"order-on-hold","status_fulfillment":"lost"}"#).unwrap();
    assert_eq!(
        order.status,
        Some(OrderStatus::Other("order-on-hold".into()))
    );
    assert_eq!(
        order.status_fulfillment,
        Some(FulfillmentStatus::Other("lost".into()))
    );
}

#[test]
fn missing_attributes_and_relationships_read_as_absent() {
    let doc = RawDocument::parse(br#"{"data":{"type":"orders","id":"2"}}"#).unwrap();
    let order = doc.decode_primary::<Order>().unwrap().remove(0);
    let full = FullOrder::resolve(order, &doc.included()).unwrap();
    assert_eq!(full.order.attributes.status, None);
    assert!(full.lines.is_empty() && full.payment.is_none() && full.billing_address.is_none());
}
