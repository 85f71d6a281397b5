//! API.md §3 / MERCHANT.md §4–§6: status machine, stock effects, fulfilment, money — over
//! real HTTP (reads and PATCHes) with the storefront driven through the control surface.

mod common;

use cloudcart_sim::{
    Actor, Address, Buyer, Currency, DiscountSpec, FeeRule, FulfilInput, OrderRequest,
    SettingsPatch, StockDecrease, VatMode,
};
use common::*;
use serde_json::{json, Value};

/// Create a tracked option-less product with one variant through the API.
async fn item(h: &Harness, sku: &str, price: i64, qty: i64, continue_selling: bool) {
    api_item(h, &format!("Кат {sku}"), sku, price, qty, continue_selling).await;
}

fn stock(h: &Harness, sku: &str) -> Option<f64> {
    h.sim.control().variant(HOST, sku).unwrap().quantity
}

async fn set_status(h: &Harness, id: u64, status: &str) -> Resp {
    h.patch(
        &format!("/api/v2/orders/{id}"),
        json!({"data": {"type": "orders", "id": id.to_string(), "attributes": {"status": status}}}),
    )
    .await
}

#[tokio::test]
async fn s3_6_stock_taken_at_paid_exactly_once_and_returned_exactly_once() {
    let h = start(shop()).await;
    item(&h, "TSH-1", 2490, 10, false).await;
    let c = h.sim.control();
    let id = c
        .place_order(
            HOST,
            &OrderRequest::person("ivan@example.bg", &[("TSH-1", 2)]),
        )
        .unwrap();
    assert_eq!(
        stock(&h, "TSH-1"),
        Some(10.0),
        "paid setting: nothing taken at pending"
    );
    assert_eq!(set_status(&h, id, "paid").await.status, 200);
    assert_eq!(stock(&h, "TSH-1"), Some(8.0));
    assert_eq!(set_status(&h, id, "paid").await.status, 200);
    assert_eq!(set_status(&h, id, "authorized").await.status, 200);
    assert_eq!(stock(&h, "TSH-1"), Some(8.0), "taken once per line");
    assert_eq!(set_status(&h, id, "refunded").await.status, 200);
    assert_eq!(stock(&h, "TSH-1"), Some(10.0));
    assert_eq!(
        set_status(&h, id, "cancelled").await.status,
        200,
        "locked order may toggle cancelled/refunded"
    );
    assert_eq!(stock(&h, "TSH-1"), Some(10.0), "returned once");
    let r = set_status(&h, id, "paid").await;
    assert_eq!(r.status, 422, "reversal lock");
    // Without a committed sale, cancelled → paid takes the stock again.
    let id2 = c
        .place_order(
            HOST,
            &OrderRequest::person("ivan@example.bg", &[("TSH-1", 3)]),
        )
        .unwrap();
    assert_eq!(set_status(&h, id2, "cancelled").await.status, 200);
    assert_eq!(
        stock(&h, "TSH-1"),
        Some(10.0),
        "cancelling a pending order returns nothing"
    );
    assert_eq!(set_status(&h, id2, "paid").await.status, 200);
    assert_eq!(stock(&h, "TSH-1"), Some(7.0));
}

#[tokio::test]
async fn s3_6_pending_setting_is_snapshotted_per_order() {
    let h = start(shop().stock_decrease(StockDecrease::Pending)).await;
    item(&h, "COF-1", 1290, 20, false).await;
    let c = h.sim.control();
    let a = c
        .place_order(HOST, &OrderRequest::person("a@example.bg", &[("COF-1", 5)]))
        .unwrap();
    assert_eq!(
        stock(&h, "COF-1"),
        Some(15.0),
        "pending setting takes at placement"
    );
    c.update_settings(
        HOST,
        &SettingsPatch {
            stock_decrease: Some(StockDecrease::Paid),
            ..Default::default()
        },
    )
    .unwrap();
    let b = c
        .place_order(HOST, &OrderRequest::person("b@example.bg", &[("COF-1", 4)]))
        .unwrap();
    assert_eq!(
        stock(&h, "COF-1"),
        Some(15.0),
        "new order follows the new setting"
    );
    c.cancel(HOST, a).unwrap();
    assert_eq!(
        stock(&h, "COF-1"),
        Some(20.0),
        "old order kept its pending snapshot"
    );
    c.pay(HOST, b, Actor::Gateway).unwrap();
    assert_eq!(stock(&h, "COF-1"), Some(16.0));
}

#[tokio::test]
async fn s3_6_quantity_clamped_at_zero_on_the_order_path_and_only_taken_units_return() {
    let h = start(shop()).await;
    item(&h, "MUG-1", 990, 1, true).await;
    let c = h.sim.control();
    let id = c
        .place_order(HOST, &OrderRequest::person("x@example.bg", &[("MUG-1", 3)]))
        .unwrap();
    c.pay(HOST, id, Actor::Merchant).unwrap();
    assert_eq!(stock(&h, "MUG-1"), Some(0.0), "never below zero");
    c.refund(HOST, id).unwrap();
    assert_eq!(stock(&h, "MUG-1"), Some(1.0));
    // Without continue_selling the checkout refuses more than the stock.
    item(&h, "MUG-2", 990, 1, false).await;
    let e = c
        .place_order(HOST, &OrderRequest::person("x@example.bg", &[("MUG-2", 2)]))
        .unwrap_err();
    assert_eq!(e.code, "out_of_stock");
    assert!(e.message_bg.contains("MUG-2"));
    // The API write path does not clamp.
    let vid = c.variant(HOST, "MUG-2").unwrap().id;
    let r = h.patch(&format!("/api/v2/variants/{vid}"), json!({"data": {"type": "variants", "id": vid.to_string(), "attributes": {"quantity": -2}}})).await;
    assert_eq!(r.body["data"]["attributes"]["quantity"], -2);
}

#[tokio::test]
async fn s3_3_status_gates_invalid_codes_custom_statuses_and_status_id() {
    let h = start(shop()).await;
    item(&h, "BOK-1", 1500, 50, false).await;
    let c = h.sim.control();
    let id = c
        .place_order(HOST, &OrderRequest::person("b@example.bg", &[("BOK-1", 1)]))
        .unwrap();
    for code in ["voided", "failed", "abandoned", "shipped"] {
        let r = set_status(&h, id, code).await;
        assert_eq!(r.status, 422, "{code}");
        assert_eq!(err(&r).1, Some("/data/attributes/status"));
        assert!(err(&r)
            .2
            .unwrap()
            .starts_with("Invalid status. You can use one of: pending"));
    }
    let r = set_status(&h, id, "completed").await;
    assert_eq!(
        err(&r).2,
        Some("Only paid and/or fulfilled orders can be marked as Completed")
    );
    let slug = c
        .add_custom_status(HOST, "Чака вземане от Пловдив")
        .unwrap();
    assert!(slug.starts_with("order-"));
    assert_eq!(
        set_status(&h, id, &slug).await.body["data"]["attributes"]["status"],
        slug.as_str()
    );
    // status_id from the helper (2 = paid).
    let r = h.patch(&format!("/api/v2/orders/{id}"), json!({"data": {"type": "orders", "id": id.to_string(), "attributes": {"status_id": 2}}})).await;
    assert_eq!(r.body["data"]["attributes"]["status"], "paid");
    let r = set_status(&h, id, "cancelled").await;
    assert_eq!(err(&r).2, Some("Only open orders can be canceled."));
    assert_eq!(set_status(&h, id, "completed").await.status, 200);
    c.archive(HOST, id).unwrap();
    let r = set_status(&h, id, "paid").await;
    assert_eq!(
        err(&r).2,
        Some("Cannot change the status of archived order. Unarchive first.")
    );
    // Read-only attributes are refused.
    let r = h.patch(&format!("/api/v2/orders/{id}"), json!({"data": {"type": "orders", "id": id.to_string(), "attributes": {"currency": "BGN"}}})).await;
    assert_eq!(err(&r).1, Some("/data/attributes/currency"));
    // An authorisation below the total blocks every status change.
    let id2 = c
        .place_order(HOST, &OrderRequest::person("b@example.bg", &[("BOK-1", 1)]))
        .unwrap();
    c.authorize(HOST, id2, 100).unwrap();
    let r = set_status(&h, id2, "paid").await;
    assert!(err(&r)
        .2
        .unwrap()
        .contains("cannot exceed the authorized payment 100"));
}

#[tokio::test]
async fn s3_4_invoice_number_and_usn_are_set_once() {
    let h = start(shop()).await;
    item(&h, "HON-1", 1190, 9, false).await;
    let c = h.sim.control();
    let id = c
        .place_order(HOST, &OrderRequest::person("h@example.bg", &[("HON-1", 1)]))
        .unwrap();
    let body =
        |a: Value| json!({"data": {"type": "orders", "id": id.to_string(), "attributes": a}});
    let r = h
        .patch(
            &format!("/api/v2/orders/{id}"),
            body(json!({"status": "paid", "usn": "ZP-2026-1", "invoice_number": "0000000042"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["attributes"]["usn"], "ZP-2026-1");
    assert!(r.body["data"]["attributes"]["invoice_date"].is_string());
    let r = h
        .patch(
            &format!("/api/v2/orders/{id}"),
            body(json!({"usn": "ZP-2026-2"})),
        )
        .await;
    assert_eq!(err(&r).2, Some("You can set USN only once."));
    let r = h
        .patch(
            &format!("/api/v2/orders/{id}"),
            body(json!({"invoice_number": "43"})),
        )
        .await;
    assert_eq!(err(&r).2, Some("You can set invoice number only once."));
}

#[tokio::test]
async fn s3_7_fulfilment_cascade_and_delete_rollback() {
    let h = start(shop()).await;
    item(&h, "SWT-1", 4990, 5, false).await;
    let c = h.sim.control();
    let id = c
        .place_order(HOST, &OrderRequest::person("f@example.bg", &[("SWT-1", 2)]))
        .unwrap();
    let r = h
        .post(
            "/api/v2/order-fulfillment",
            json!({"data": {"type": "order-fulfillment", "attributes": {"shipping_tracking_number": "1051234567", "shipping_tracking_url": "not a url"},
                "relationships": {"order": {"data": {"type": "orders", "id": id.to_string()}}}}}),
        )
        .await;
    assert_eq!(err(&r).1, Some("/data/attributes/shipping_tracking_url"));
    let r = h
        .post(
            "/api/v2/order-fulfillment",
            json!({"data": {"type": "order-fulfillment", "attributes": {"shipping_tracking_number": "1051234567"},
                "relationships": {"order": {"data": {"type": "orders", "id": id.to_string()}}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let fid = r.id();
    assert_eq!(r.body["data"]["attributes"]["shipping_provider"], "Еконт");
    assert_eq!(
        stock(&h, "SWT-1"),
        Some(3.0),
        "fulfilment takes stock whatever the setting"
    );
    let o = h
        .get(&format!("/api/v2/orders/{id}?include=products"))
        .await;
    assert_eq!(
        o.body["data"]["attributes"]["status_fulfillment"],
        "fulfilled"
    );
    assert!(o.body["data"]["attributes"]["invoice_number"].is_string());
    assert_eq!(
        o.body["included"][0]["attributes"]["order_fulfillment_id"].to_string(),
        fid
    );
    let r = h
        .patch(
            &format!("/api/v2/orders/{id}/fulfill"),
            json!({"data": {"type": "orders", "attributes": {}}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("/data/relationships/order"));
    assert_eq!(err(&r).2, Some("This order is already fulfilled."));
    // Paying a fulfilled order auto-completes it.
    assert_eq!(
        set_status(&h, id, "paid").await.body["data"]["attributes"]["status"],
        "completed"
    );
    assert_eq!(stock(&h, "SWT-1"), Some(3.0));
    // DELETE the fulfilment: not_fulfilled, status back to paid (payment completed).
    assert_eq!(
        h.delete(&format!("/api/v2/order-fulfillment/{fid}"))
            .await
            .status,
        204
    );
    let o = h.get(&format!("/api/v2/orders/{id}")).await;
    assert_eq!(
        o.body["data"]["attributes"]["status_fulfillment"],
        "not_fulfilled"
    );
    assert_eq!(o.body["data"]["attributes"]["status"], "paid");
    // PATCH /orders/{id}/fulfill works as the second entry point.
    let r = h.patch(&format!("/api/v2/orders/{id}/fulfill"), json!({"data": {"type": "orders", "attributes": {"shipping_date_expedition": "2026-06-02"}}})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["attributes"]["status"], "completed");
}

#[tokio::test]
async fn s3_2_money_discount_several_fees_shipping_and_vat_gross_and_net() {
    let shop_cfg = shop()
        .fee(FeeRule {
            name: "Такса наложен платеж".into(),
            amount: 200,
            percent: false,
            payment_provider: Some("cod".into()),
        })
        .fee(FeeRule {
            name: "Такса обработка 1%".into(),
            amount: 100,
            percent: true,
            payment_provider: None,
        })
        .fee(FeeRule {
            name: "Карта 2%".into(),
            amount: 200,
            percent: true,
            payment_provider: Some("stripe".into()),
        });
    let h = start(shop_cfg).await;
    item(&h, "TSH-A", 2490, 50, false).await;
    item(&h, "COF-A", 1290, 50, false).await;
    let c = h.sim.control();
    let mut req = OrderRequest::person("m@example.bg", &[("TSH-A", 2), ("COF-A", 1)]);
    req.discount = Some(DiscountSpec {
        name: "Седмица на кафето".into(),
        code: Some("KAFE10".into()),
        discount_type: "percent".into(),
        value: 10,
    });
    let id = c.place_order(HOST, &req).unwrap();
    let o = h
        .get(&format!(
            "/api/v2/orders/{id}?include=totals,taxes,discounts"
        ))
        .await;
    let a = &o.body["data"]["attributes"];
    // subtotal 2×24.90 + 12.90 = 62.70; discount 10 % = 6.27; goods 56.43;
    // fees 2.00 (COD) + 0.56 (1 % of 56.43); shipping Еконт 5.99;
    // gross VAT 20 %: (56.43 + 2.56 + 5.99) × 20/120 = 10.83; total 64.98.
    assert_eq!(a["subtotal"], 6270);
    assert_eq!(a["discount"], 627);
    assert_eq!(a["shipping_price"], 599);
    assert_eq!(a["tax"], 1083);
    assert_eq!(a["total"], 6498);
    assert_eq!(a["currency"], "EUR");
    let totals: Vec<(String, i64)> = o.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["type"] == "order-total")
        .map(|x| {
            (
                x["attributes"]["code"].as_str().unwrap().to_string(),
                x["attributes"]["value"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        totals
            .iter()
            .filter(|t| t.0 == "fee")
            .map(|t| t.1)
            .collect::<Vec<_>>(),
        vec![200, 56],
        "each fee its own line"
    );
    assert!(totals.contains(&("total".into(), 6498)));
    let tax = o.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["type"] == "order-tax")
        .unwrap();
    assert_eq!(tax["attributes"]["type"], "included");
    // Net prices, BGN shop: VAT added on top.
    c.update_settings(
        HOST,
        &SettingsPatch {
            vat_mode: Some(VatMode::Net),
            currency: Some(Currency::Bgn),
            ..Default::default()
        },
    )
    .unwrap();
    let id2 = c
        .place_order(HOST, &OrderRequest::person("m@example.bg", &[("COF-A", 2)]))
        .unwrap();
    let a = h.get(&format!("/api/v2/orders/{id2}")).await.body["data"]["attributes"].clone();
    // goods 25.80, fees 2.00 + 0.26, shipping 5.99 → taxable 34.05, VAT 6.81, total 40.86.
    assert_eq!(a["tax"], 681);
    assert_eq!(a["total"], 4086);
    assert_eq!(a["currency"], "BGN");
    // The first order keeps its frozen currency and VAT mode.
    assert_eq!(
        h.get(&format!("/api/v2/orders/{id}")).await.body["data"]["attributes"]["currency"],
        "EUR"
    );
}

#[tokio::test]
async fn s3_5_every_include_of_a_full_company_order() {
    let h = start(shop()).await;
    item(&h, "ROS-1", 3990, 10, false).await;
    let c = h.sim.control();
    let mut req = OrderRequest::person("", &[("ROS-1", 1)]);
    req.buyer = Buyer::Company {
        email: "office@kafe-agal.bg".into(),
        company_name: "Кафе Агал ЕООД".into(),
        eik: "204512345".into(),
        vat: Some("BG204512345".into()),
        mol: "Мария Георгиева".into(),
    };
    req.discount = Some(DiscountSpec {
        name: "Отстъпка".into(),
        code: None,
        discount_type: "flat".into(),
        value: 500,
    });
    let id = c.place_order(HOST, &req).unwrap();
    let r = h
        .get(&format!(
            "/api/v2/orders/{id}?include=products,payment,discounts,modifications,totals,taxes,shipping.provider,shipping-address,billing-address"
        ))
        .await;
    assert_eq!(r.status, 200);
    let inc = r.body["included"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> =
        inc.iter().map(|x| x["type"].as_str().unwrap()).collect();
    for k in [
        "order-products",
        "order-payment",
        "order-discount",
        "order-total",
        "order-tax",
        "order-shipping",
        "shipping-providers",
        "order-shipping-address",
        "order-billing-address",
    ] {
        assert!(kinds.contains(k), "missing {k} in {kinds:?}");
    }
    let bill = inc
        .iter()
        .find(|x| x["type"] == "order-billing-address")
        .unwrap();
    assert_eq!(bill["id"], id.to_string());
    assert_eq!(
        bill["attributes"]["company_registration_number"],
        "204512345"
    );
    assert_eq!(bill["attributes"]["company_vat"], "BG204512345");
    assert_eq!(bill["attributes"]["company_person"], "Мария Георгиева");
    let pay = inc.iter().find(|x| x["type"] == "order-payment").unwrap();
    assert_eq!(pay["attributes"]["provider"], "cod");
    assert_eq!(pay["attributes"]["payment_status"], "requested");
    // Sub-resources are addressable directly and read-only.
    let r = h
        .get(&format!("/api/v2/order-products?filter[order_id]={id}"))
        .await;
    assert_eq!(r.body["data"][0]["attributes"]["sku"], "ROS-1");
    // A bad EIK is refused before anything is written.
    let before = h.get("/api/v2/orders").await.body["meta"]["page"]["total"].clone();
    if let Buyer::Company { eik, .. } = &mut req.buyer {
        *eik = "12AB".into();
    }
    let e = c.place_order(HOST, &req).unwrap_err();
    assert_eq!(e.code, "invalid_eik");
    assert_eq!(
        h.get("/api/v2/orders").await.body["meta"]["page"]["total"],
        before
    );
}

#[tokio::test]
async fn s3_6_line_edits_move_stock_by_the_difference() {
    let h = start(shop()).await;
    item(&h, "DRS-1", 5990, 10, false).await;
    item(&h, "DRS-2", 6990, 10, false).await;
    let c = h.sim.control();
    let id = c
        .place_order(HOST, &OrderRequest::person("e@example.bg", &[("DRS-1", 2)]))
        .unwrap();
    c.pay(HOST, id, Actor::Merchant).unwrap();
    assert_eq!(stock(&h, "DRS-1"), Some(8.0));
    c.edit_line(HOST, id, "DRS-1", 5).unwrap();
    assert_eq!(stock(&h, "DRS-1"), Some(5.0));
    c.edit_line(HOST, id, "DRS-1", 1).unwrap();
    assert_eq!(stock(&h, "DRS-1"), Some(9.0));
    c.edit_line(HOST, id, "DRS-2", 3).unwrap();
    assert_eq!(stock(&h, "DRS-2"), Some(7.0));
    c.edit_line(HOST, id, "DRS-2", 0).unwrap();
    assert_eq!(stock(&h, "DRS-2"), Some(10.0));
    let o = c.order(HOST, id).unwrap();
    assert_eq!(o["attributes"]["subtotal"], 5990);
    c.fulfil(HOST, id, FulfilInput::default()).unwrap();
    assert_eq!(
        c.edit_line(HOST, id, "DRS-1", 2).unwrap_err().code,
        "order_not_editable"
    );
}

#[tokio::test]
async fn s7_shop_currency_usd_is_frozen_onto_new_orders_and_their_webhooks() {
    let h = start(shop()).await;
    item(&h, "USD-1", 1000, 10, false).await;
    let (rx, addr) = Receiver::start(vec![]).await;
    subscribe(&h, &format!("http://{addr}/created"), "order.created").await;
    let c = h.sim.control();
    let euro = c
        .place_order(
            HOST,
            &OrderRequest::person("a@example.com", &[("USD-1", 1)]),
        )
        .unwrap();
    let r = h
        .sim(
            reqwest::Method::PATCH,
            &format!("/_sim/shops/{HOST}/settings"),
            Some(json!({"currency": "USD"})),
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let dollar = c
        .place_order(
            HOST,
            &OrderRequest::person("a@example.com", &[("USD-1", 2)]),
        )
        .unwrap();
    let r = h
        .get(&format!("/api/v2/orders/{dollar}?include=payment"))
        .await;
    assert_eq!(r.body["data"]["attributes"]["currency"], "USD");
    assert_eq!(
        r.body["included"][0]["attributes"]["provider_data"]["currency"],
        "USD"
    );
    let r = h.get(&format!("/api/v2/orders/{euro}")).await;
    assert_eq!(r.body["data"]["attributes"]["currency"], "EUR", "frozen");
    c.flush_webhooks().await;
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0][0]["currency"], "EUR");
    assert_eq!(bodies[1][0]["currency"], "USD");
    // In process too, and an unknown code is refused before anything changes.
    c.update_settings(
        HOST,
        &SettingsPatch {
            currency: Some(Currency::Bgn),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(serde_json::to_value(Currency::Usd).unwrap(), "USD");
    let r = h
        .sim(
            reqwest::Method::PATCH,
            &format!("/_sim/shops/{HOST}/settings"),
            Some(json!({"currency": "XYZ"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "invalid_body");
    let lev = c
        .place_order(
            HOST,
            &OrderRequest::person("a@example.com", &[("USD-1", 1)]),
        )
        .unwrap();
    assert_eq!(c.order(HOST, lev).unwrap()["attributes"]["currency"], "BGN");
}

/// The order-billing-address of order `id`, read through the public API.
async fn billing_of(h: &Harness, id: u64) -> Value {
    let r = h
        .get(&format!("/api/v2/orders/{id}?include=billing-address"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["type"] == "order-billing-address")
        .cloned()
        .expect("billing address included")
}

#[tokio::test]
async fn s7_billing_registration_number_may_hold_a_10_digit_egn_and_reads_back_intact() {
    let h = start(shop()).await;
    item(&h, "EGN-1", 1500, 5, false).await;
    let c = h.sim.control();
    // In process: a person asks for an invoice on their ЕГН instead of an ЕИК.
    let mut req = OrderRequest::person("petar@example.bg", &[("EGN-1", 1)]);
    req.billing_address = Some(Address {
        first_name: Some("Петър".into()),
        last_name: Some("Петров".into()),
        company_name: Some("Петър Петров".into()),
        company_registration_number: Some("7501020018".into()),
        company_person: Some("Петър Петров".into()),
        country_iso2: Some("BG".into()),
        city_name: Some("Пловдив".into()),
        street_name: Some("ул. Капитан Райчо".into()),
        street_number: Some("5".into()),
        post_code: Some("4000".into()),
        ..Default::default()
    });
    let id = c.place_order(HOST, &req).unwrap();
    let bill = billing_of(&h, id).await;
    assert_eq!(
        bill["attributes"]["company_registration_number"],
        "7501020018"
    );
    assert_eq!(bill["attributes"]["company_name"], "Петър Петров");
    assert_eq!(bill["attributes"]["city_name"], "Пловдив");
    // Over the control surface: a leading zero (born in 2000) survives as text.
    let r = h
        .sim(
            reqwest::Method::POST,
            &format!("/_sim/shops/{HOST}/orders"),
            Some(json!({"lines": [{"sku": "EGN-1", "quantity": 1}],
                "buyer": {"kind": "person", "email": "maria@example.bg", "first_name": "Мария"},
                "billing_address": {"first_name": "Мария", "last_name": "Иванова",
                    "company_registration_number": "0041010018", "country_iso2": "BG"}})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id2 = r.body["id"].as_u64().unwrap();
    let bill = billing_of(&h, id2).await;
    assert_eq!(
        bill["attributes"]["company_registration_number"],
        "0041010018"
    );
    assert_eq!(bill["attributes"]["last_name"], "Иванова");
    // Without a billing address the buyer's one is used, as before.
    let id3 = c
        .place_order(HOST, &OrderRequest::person("x@example.bg", &[("EGN-1", 1)]))
        .unwrap();
    assert!(billing_of(&h, id3).await["attributes"]["company_registration_number"].is_null());
}
