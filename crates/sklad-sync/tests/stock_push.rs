//! Stock and prices to the shop (issue 9), against the emulator over loopback on
//! virtual time, on SQLite and PostgreSQL: each kind of warehouse change reaches the
//! shop with the right value (G6), available floored at 0 (X7), changes coalesced and a
//! quiet pass costing no call (X1).

mod support;

use cloudcart_sim::ShopConfig;
use sklad_domain::operation::{Line, OperationDraft, OperationKind};
use sklad_domain::{Currency, Id, Quantity, VatRate};
use sklad_store::Engine;
use support::{rig, Rig};

fn line(good_id: Id, units: i64, unit_price: i64) -> Line {
    Line {
        good_id,
        quantity: Quantity::from_units(units),
        unit_price,
        vat_rate: VatRate::Standard,
        discount_bp: 0,
    }
}

/// An operation of `kind` in the firm's first object.
async fn operate(rig: &Rig, kind: OperationKind, lines: Vec<Line>) -> Id {
    let object = rig.store.objects(rig.firm_id).await.unwrap()[0].id;
    rig.store
        .create_operation(
            rig.firm_id,
            &OperationDraft {
                kind,
                date: jiff::civil::date(2026, 11, 30),
                object_id: object,
                target_object_id: None,
                partner_id: None,
                payment_type_id: None,
                currency: Currency::Eur,
                lines,
                external_ref: None,
                note: None,
            },
        )
        .await
        .unwrap()
        .id
}

/// The shop's (quantity in units, price) of the variant with `sku`.
fn in_shop(rig: &Rig, sku: &str) -> (Option<f64>, i64) {
    let v = rig.sim.control().variant(&rig.host, sku).expect("variant");
    (v.quantity, v.price)
}

/// The counted variants of the shop, by SKU, with their goods.
async fn counted(rig: &Rig) -> Vec<(String, Id, f64)> {
    let mut out = Vec::new();
    for v in rig.sim.control().variants(&rig.host) {
        let (Some(sku), Some(q)) = (v.sku.clone(), v.quantity) else {
            continue;
        };
        let good = rig.store.good_by_code(rig.firm_id, &sku).await.unwrap();
        out.push((sku, good.id, q));
    }
    out
}

async fn g6_x1_x7_each_change_reaches_the_shop_once_and_a_quiet_pass_costs_nothing(engine: Engine) {
    let shop = ShopConfig::new("shop.localhost").seed_products(4);
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let connection = rig.pushing().await;
    assert!(rig.variant_writes().is_empty(), "the shop already agreed");
    // X1: a full pass on an unchanged catalogue makes no call.
    rig.clock.advance(jiff::SignedDuration::from_mins(3));
    rig.push_settle(connection.id).await;
    assert!(
        rig.variant_writes().is_empty(),
        "a quiet pass writes nothing: {:?}",
        rig.variant_writes()
    );

    let goods = counted(&rig).await;
    assert!(goods.len() >= 3, "{goods:?}");
    let (a_sku, a, a_q) = goods[0].clone();
    // G6: a delivery, then 50 sales of one unit: two writes, the second with the final
    // value (X1: coalesced).
    operate(&rig, OperationKind::Delivery, vec![line(a, 100, 500)]).await;
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &a_sku).0, Some(a_q + 100.0));
    for _ in 0..50 {
        operate(&rig, OperationKind::Sale, vec![line(a, 1, 900)]).await;
    }
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &a_sku).0, Some(a_q + 50.0));
    assert_eq!(rig.variant_writes().len(), 2, "{:?}", rig.variant_writes());

    // X7: an order reserving goods lowers what the shop may sell; its annulment gives
    // them back.
    let (b_sku, b, b_q) = goods[1].clone();
    let order = operate(&rig, OperationKind::Order, vec![line(b, 1, 900)]).await;
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &b_sku).0, Some(b_q - 1.0));
    rig.store.annul_operation(rig.firm_id, order).await.unwrap();
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &b_sku).0, Some(b_q));

    // G6: a price edit reaches the shop (the firm and the shop both in euro, with VAT).
    let (c_sku, c, _) = goods[2].clone();
    let good = rig.store.good(rig.firm_id, c).await.unwrap();
    let mut prices = good.prices.clone();
    prices.insert(sklad_domain::PriceGroup::Retail, 1234);
    let input = sklad_domain::model::GoodInput {
        code: good.code,
        barcodes: good.barcodes,
        name: good.name,
        measure: good.measure,
        kind: good.kind,
        vat_rate: good.vat_rate,
        group: good.group,
        active: good.active,
        prices,
    };
    rig.store.update_good(rig.firm_id, c, &input).await.unwrap();
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &c_sku).1, 1234);
    let writes = rig.variant_writes();
    let last = &writes.last().unwrap().body["data"]["attributes"];
    assert_eq!(last["price"], 1234);
    assert!(last.get("quantity").is_none(), "only what differs: {last}");
}

on_both_engines!(g6_x1_x7_each_change_reaches_the_shop_once_and_a_quiet_pass_costs_nothing,);

/// The shop takes an order's units itself (at `paid`, or already at `pending` with that
/// setting) while the warehouse reserves and then sells them: the shop ends at the
/// warehouse's available quantity either way, with no write the tracking makes
/// unnecessary.
async fn the_shop_taking_stock_itself_ends_at_the_warehouses_available(engine: Engine) {
    use cloudcart_sim::{Actor, OrderRequest, StockDecrease};
    use sklad_domain::shop::ShopStockStatus;
    for (setting, shop_setting) in [
        (ShopStockStatus::Paid, StockDecrease::Paid),
        (ShopStockStatus::Pending, StockDecrease::Pending),
    ] {
        let shop = ShopConfig::new("shop.localhost")
            .seed_products(4)
            .stock_decrease(shop_setting);
        let Some(rig) = rig(engine, shop, Currency::Eur).await else {
            return;
        };
        let connection = rig.pushing().await;
        // The merchant tells Sklad what the shop's setting is.
        let mut settings = connection.settings.clone();
        settings.shop_stock_status = setting;
        let mapping = rig
            .store
            .shop_payments(rig.firm_id, connection.id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.provider, p.payment_type_id))
            .collect();
        rig.store
            .save_shop_settings(rig.firm_id, connection.id, &settings, &mapping, "test")
            .await
            .unwrap();
        rig.push_settle(connection.id).await;
        let (sku, good, q) = counted(&rig)
            .await
            .into_iter()
            .find(|(_, _, q)| *q >= 3.0)
            .expect("a variant with stock");
        let import = |order: u64| {
            let rig = &rig;
            async move {
                rig.store
                    .mark_shop_orders_dirty(rig.firm_id, connection.id, &[order.to_string()])
                    .await
                    .unwrap();
                rig.push_settle(connection.id).await;
            }
        };
        let available = || async {
            let object = rig.store.objects(rig.firm_id).await.unwrap()[0].id;
            rig.store
                .available_of(rig.firm_id, &[object], &[good])
                .await
                .unwrap()[0]
                .available
                .milli()
                / 1000
        };
        let order = rig
            .sim
            .control()
            .place_order(
                &rig.host,
                &OrderRequest::person("take@example.bg", &[(&sku, 2)]),
            )
            .unwrap();
        import(order).await;
        assert_eq!(available().await, q as i64 - 2, "{setting:?}: reserved");
        assert_eq!(in_shop(&rig, &sku).0, Some(q - 2.0), "{setting:?}: placed");
        rig.sim
            .control()
            .pay(&rig.host, order, Actor::Merchant)
            .unwrap();
        import(order).await;
        assert_eq!(available().await, q as i64 - 2, "{setting:?}: sold");
        assert_eq!(in_shop(&rig, &sku).0, Some(q - 2.0), "{setting:?}: paid");
        // Refunded in the shop: the shop gives its units back, the sale is annulled.
        rig.sim.control().refund(&rig.host, order).unwrap();
        import(order).await;
        assert_eq!(available().await, q as i64, "{setting:?}: refunded");
        assert_eq!(in_shop(&rig, &sku).0, Some(q), "{setting:?}: refunded");
        // Exactly the writes needed: with the paid setting the reservation, then the
        // units the shop took at the payment (the warehouse had reserved them already);
        // with the pending setting none, the shop took them when the order was placed.
        let writes = rig.variant_writes().len();
        let expected = match setting {
            ShopStockStatus::Paid => 2,
            ShopStockStatus::Pending => 0,
        };
        assert_eq!(writes, expected, "{setting:?}: {:?}", rig.variant_writes());
    }
}

on_both_engines!(the_shop_taking_stock_itself_ends_at_the_warehouses_available);
