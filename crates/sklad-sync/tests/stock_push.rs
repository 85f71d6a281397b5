//! Stock and prices to the shop (issue 9), against the emulator over loopback on
//! virtual time, on SQLite and PostgreSQL: each kind of warehouse change reaches the
//! shop with the right value (G6), available floored at 0 (X7), changes coalesced and a
//! quiet pass costing no call (X1).

mod support;

use cloudcart_sim::ShopConfig;
use sklad_domain::operation::OperationKind;
use sklad_domain::shop::connection::FeedObjects;
use sklad_domain::shop::{ConnectionInput, ShopSettings};
use sklad_domain::{Currency, Id, PriceGroup};
use sklad_store::Engine;
use support::{line, operate, operate_in, rig, Rig};

/// The shop's (quantity in units, price) of the variant with `sku`.
fn in_shop(rig: &Rig, sku: &str) -> (Option<f64>, i64) {
    let v = rig.sim.control().variant(&rig.host, sku).expect("variant");
    (v.quantity, v.price)
}

/// Sets prices of a good (firm currency, minor units, with VAT).
async fn set_prices(rig: &Rig, good_id: Id, prices: &[(PriceGroup, i64)]) {
    let good = rig.store.good(rig.firm_id, good_id).await.unwrap();
    let mut all = good.prices.clone();
    all.extend(prices.iter().copied());
    let input = sklad_domain::model::GoodInput {
        code: good.code,
        barcodes: good.barcodes,
        name: good.name,
        measure: good.measure,
        kind: good.kind,
        vat_rate: good.vat_rate,
        group: good.group,
        active: good.active,
        prices: all,
    };
    rig.store
        .update_good(rig.firm_id, good_id, &input)
        .await
        .unwrap();
}

/// Saves the connection's settings as `change` leaves them.
async fn change_settings(rig: &Rig, connection_id: Id, change: impl FnOnce(&mut ShopSettings)) {
    let saved = rig
        .store
        .shop_connection(rig.firm_id, connection_id)
        .await
        .unwrap();
    let mut settings = saved.settings.clone();
    change(&mut settings);
    let mapping = rig
        .store
        .shop_payments(rig.firm_id, connection_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.provider, p.payment_type_id))
        .collect();
    rig.store
        .save_shop_settings(rig.firm_id, connection_id, &settings, &mapping, "test")
        .await
        .unwrap();
}

/// The shop variants linked to goods.
async fn linked(rig: &Rig, connection_id: Id) -> Vec<String> {
    rig.store
        .shop_links(rig.firm_id, connection_id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.shop_variant_id)
        .collect()
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
    set_prices(&rig, c, &[(PriceGroup::Retail, 1234)]).await;
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
        change_settings(&rig, connection.id, |s| s.shop_stock_status = setting).await;
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

/// The shop's own changes reach Sklad: a price the merchant edits in the shop's admin
/// (its `product.updated` re-reads the product) and a quantity edited silently (no
/// event; the reconciliation finds it) are put back to the warehouse's values, in the
/// journal; a deleted variant (`product.updated`), a deleted product (`product.deleted`)
/// and a variant gone without any delivery (the next write gets 404) retire their links.
async fn shop_side_edits_are_repaired_and_deleted_variants_retire_their_links(engine: Engine) {
    use cloudcart_sim::VariantEdit;
    use sklad_sync::JobKind;
    let shop = ShopConfig::new("shop.localhost").seed_products(12);
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let connection = rig.pushing().await;
    rig.hooks_held(connection.id).await;
    let control = rig.sim.control();
    let goods = counted(&rig).await;

    // A price edited in the shop's admin: put back at once, one write, in the journal.
    let (sku, _, _) = goods[0].clone();
    let before = control.variant(&rig.host, &sku).unwrap();
    control
        .edit_variant(
            &rig.host,
            before.id,
            &VariantEdit {
                price: Some(before.price + 500),
                ..Default::default()
            },
        )
        .unwrap();
    let events = rig.deliver_held_hooks(connection.id).await;
    assert_eq!(events, ["product.updated"]);
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku).1, before.price, "put back");
    assert_eq!(rig.variant_writes().len(), 1, "{:?}", rig.variant_writes());
    let noted = rig.journal_of(connection.id, "shop_edit").await;
    assert!(
        noted.len() == 1 && noted[0].contains(&before.id.to_string()),
        "{noted:?}"
    );

    // A quantity set on the Inventory screen fires nothing: no call until the
    // reconciliation reads the shop and puts it back.
    let (sku, _, q) = goods[1].clone();
    control
        .set_variant_quantity(&rig.host, &sku, Some(q + 7.0))
        .unwrap();
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku).0, Some(q + 7.0));
    let reconciled = rig.run(connection.id, JobKind::Reconcile, false).await;
    let summary = reconciled.summary.clone().unwrap_or_default();
    assert_eq!(summary["repairs"], 1, "{summary}");
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku).0, Some(q), "put back");
    assert_eq!(rig.variant_writes().len(), 2);

    // A variant deleted in the admin (its product keeps another): its link goes.
    let variants = control.variants(&rig.host);
    let of_product = |product: u64| -> Vec<u64> {
        variants
            .iter()
            .filter(|v| v.product_id == product)
            .map(|v| v.id)
            .collect()
    };
    let before_links = linked(&rig, connection.id).await;
    let several = variants
        .iter()
        .map(|v| v.product_id)
        .find(|p| {
            let ids = of_product(*p);
            ids.len() >= 2 && ids.iter().all(|id| before_links.contains(&id.to_string()))
        })
        .expect("a linked product with two variants");
    let gone = of_product(several)[0];
    control.delete_variant(&rig.host, gone).unwrap();
    assert_eq!(
        rig.deliver_held_hooks(connection.id).await,
        ["product.updated"]
    );
    rig.push_settle(connection.id).await;
    let links = linked(&rig, connection.id).await;
    assert!(!links.contains(&gone.to_string()), "retired");
    for kept in &of_product(several)[1..] {
        assert!(links.contains(&kept.to_string()), "kept {kept}");
    }

    // A whole product deleted: product.deleted retires every link of it.
    let product = variants
        .iter()
        .map(|v| v.product_id)
        .find(|p| *p != several && links.contains(&of_product(*p)[0].to_string()))
        .expect("another linked product");
    control.delete_product(&rig.host, product).unwrap();
    assert_eq!(
        rig.deliver_held_hooks(connection.id).await,
        ["product.deleted"]
    );
    rig.push_settle(connection.id).await;
    let links = linked(&rig, connection.id).await;
    for v in of_product(product) {
        assert!(!links.contains(&v.to_string()), "retired {v}");
    }
    let retired_notes = rig.journal_of(connection.id, "link_retired").await;
    assert_eq!(retired_notes.len(), 2, "{retired_notes:?}");

    // A variant gone with its delivery lost: the next write meets 404 and retires it.
    let left = counted(&rig).await;
    let (sku, good, _) = left
        .iter()
        .find(|(sku, _, _)| {
            let v = control.variant(&rig.host, sku).unwrap();
            of_product(v.product_id).len() >= 2
                && links.contains(&v.id.to_string())
                && v.product_id != several
        })
        .cloned()
        .unwrap_or_else(|| left[0].clone());
    let lost = control.variant(&rig.host, &sku).unwrap();
    if of_product(lost.product_id).len() >= 2 {
        control.delete_variant(&rig.host, lost.id).unwrap();
    } else {
        control.delete_product(&rig.host, lost.product_id).unwrap();
    }
    control.take_held_webhooks(&rig.host).unwrap();
    operate(&rig, OperationKind::Delivery, vec![line(good, 3, 500)]).await;
    rig.push_settle(connection.id).await;
    assert!(!linked(&rig, connection.id)
        .await
        .contains(&lost.id.to_string()));
    assert_eq!(rig.journal_of(connection.id, "link_retired").await.len(), 3);
    assert_eq!(control.rate_refusals(&rig.host), 0);
}

on_both_engines!(shop_side_edits_are_repaired_and_deleted_variants_retire_their_links);

/// The shop unreachable (connections refused) for 30 virtual minutes while 500 stock
/// changes happen: afterwards every variant ends at the warehouse's value, each changed
/// variant written once, none refused for the rate.
async fn the_shop_down_for_30_minutes_loses_no_change(engine: Engine) {
    let shop = ShopConfig::new("shop.localhost").seed_products(15);
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let connection = rig.pushing().await;
    let goods = counted(&rig).await;
    assert!(goods.len() >= 10, "{}", goods.len());
    rig.sim.control().go_offline().await;
    let mut changes = 0;
    for minute in 0..30 {
        for k in 0..17 {
            let i = minute * 17 + k;
            if changes == 500 {
                break;
            }
            let (_, good, _) = goods[i % goods.len()];
            // Each good in turn gets a unit, then gives one back in the next round.
            let kind = if (i / goods.len()) % 3 == 2 {
                OperationKind::Sale
            } else {
                OperationKind::Delivery
            };
            operate(&rig, kind, vec![line(good, 1, 700)]).await;
            changes += 1;
        }
        rig.bridge.tick().await.unwrap();
        rig.bridge
            .wait_for_activity(std::time::Duration::from_millis(200))
            .await;
        rig.time.advance(std::time::Duration::from_secs(60)).await;
    }
    assert_eq!(changes, 500);
    assert!(rig.variant_writes().is_empty(), "nothing reached the shop");
    rig.sim.control().go_online().await.unwrap();
    // The pusher waits out its backoff (at most 5 minutes), then writes.
    rig.time.advance(std::time::Duration::from_secs(300)).await;
    rig.push_settle(connection.id).await;
    let object = rig.store.objects(rig.firm_id).await.unwrap()[0].id;
    for (sku, good, _) in &goods {
        let available = rig
            .store
            .available_of(rig.firm_id, &[object], &[*good])
            .await
            .unwrap()[0]
            .available
            .milli();
        assert_eq!(
            in_shop(&rig, sku).0,
            Some((available.max(0) / 1000) as f64),
            "{sku}"
        );
    }
    let writes = rig.variant_writes();
    assert!(
        writes.len() <= goods.len() && writes.iter().all(|w| w.status == 200),
        "one write per changed variant: {} for {} goods",
        writes.len(),
        goods.len()
    );
    assert_eq!(rig.sim.control().rate_refusals(&rig.host), 0);
}

on_both_engines!(the_shop_down_for_30_minutes_loses_no_change);

/// A backlog of over 2 000 changed variants under a limit of 50 requests a minute: no
/// request is refused for the rate, the goods that just sold out go first, and every
/// variant ends at the warehouse's value.
async fn x1_a_backlog_under_50_a_minute_meets_no_429_and_sold_out_goes_first(engine: Engine) {
    let shop = ShopConfig::new("shop.localhost")
        .seed_products(900)
        .rate_limit_per_minute(50);
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let connection = rig.pushing().await;
    let goods = counted(&rig).await;
    assert!(goods.len() >= 2000, "{} counted variants", goods.len());
    let writes_before = rig.variant_writes().len();
    // Everything gets 5 more units, in deliveries of 250 lines.
    for chunk in goods.chunks(250) {
        let lines = chunk.iter().map(|(_, g, _)| line(*g, 5, 500)).collect();
        operate(&rig, OperationKind::Delivery, lines).await;
    }
    // Then ten goods sell out.
    let sold_out: Vec<&(String, Id, f64)> =
        goods.iter().step_by(goods.len() / 10).take(10).collect();
    for (_, good, q) in &sold_out {
        operate(
            &rig,
            OperationKind::Sale,
            vec![line(*good, *q as i64 + 5, 900)],
        )
        .await;
    }
    let started = rig.time.elapsed();
    rig.push_settle(connection.id).await;
    let took = rig.time.elapsed() - started;
    let writes: Vec<_> = rig.variant_writes().split_off(writes_before);
    assert_eq!(rig.sim.control().rate_refusals(&rig.host), 0, "no 429");
    assert!(writes.iter().all(|w| w.status == 200));
    // Every variant once (a sold-out one the shop already had at 0 needs none).
    assert!(
        writes.len() <= goods.len() && writes.len() >= goods.len() - 10,
        "{} writes",
        writes.len()
    );
    // Sold out first (those the shop already had at 0 need no write).
    let to_zero = sold_out.iter().filter(|(_, _, q)| *q > 0.0).count();
    assert!(to_zero >= 5, "{sold_out:?}");
    let first: Vec<&serde_json::Value> = writes[..to_zero]
        .iter()
        .map(|w| &w.body["data"]["attributes"]["quantity"])
        .collect();
    assert!(
        first.iter().all(|q| q.as_f64() == Some(0.0)),
        "sold out first: {first:?}"
    );
    // Never faster than the limit allows: 49 requests per sliding minute.
    assert!(
        took >= std::time::Duration::from_secs(60 * (writes.len() as u64 / 49 - 1)),
        "{took:?} for {} writes",
        writes.len()
    );
    for (sku, good, q) in sold_out.iter().map(|s| (&s.0, s.1, s.2)).take(3) {
        assert_eq!(in_shop(&rig, sku).0, Some(0.0), "{good} had {q}");
    }
    let (sku, _, q) = &goods[1];
    assert_eq!(in_shop(&rig, sku).0, Some(q + 5.0));
}

on_both_engines!(x1_a_backlog_under_50_a_minute_meets_no_429_and_sold_out_goes_first);

/// G6 across objects, price groups and currencies, with the firm in leva and the shop in
/// euro: prices converted at 1.95583; a transfer out of the feeding object lowers the
/// shop's quantity; two feeding objects are summed; one feeding object gives its price
/// group, and a change of that group reaches the shop; „all objects“ takes Retail; the
/// euro changeover leaves the shop's prices as they were (they were already converted
/// the same way): every link compared, nothing written.
async fn g6_transfers_objects_price_groups_and_the_euro_changeover(engine: Engine) {
    use sklad_domain::model::{ObjectInput, ObjectKind};
    let shop = ShopConfig::new("shop.localhost").seed_products(4);
    let Some(rig) = rig(engine, shop, Currency::Bgn).await else {
        return;
    };
    let connection = rig.pushing().await;
    let connection = rig
        .bridge
        .update_connection(
            rig.firm_id,
            connection.id,
            &ConnectionInput {
                name: connection.name.clone(),
                shop_url: connection.shop_url.clone(),
                api_key: None,
                active: true,
                currency: Some(Currency::Eur),
                prices_with_vat: true,
            },
            "test",
        )
        .await
        .unwrap();
    rig.push_settle(connection.id).await;
    let (sku, good, q) = counted(&rig)
        .await
        .into_iter()
        .find(|(_, _, q)| *q >= 4.0)
        .expect("a variant with stock");
    // 10.00 лв = 5.11 €, 8.00 лв = 4.09 € (half up).
    set_prices(
        &rig,
        good,
        &[(PriceGroup::Retail, 1000), (PriceGroup::Wholesale, 800)],
    )
    .await;
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku), (Some(q), 511));

    // A transfer of 3 units to „Онлайн“, which does not feed the shop.
    let first = rig.store.objects(rig.firm_id).await.unwrap()[0].id;
    change_settings(&rig, connection.id, |s| {
        s.feed = FeedObjects::Objects(vec![first])
    })
    .await;
    let online = rig.second_object().await;
    operate_in(
        &rig,
        OperationKind::Transfer,
        first,
        Some(online),
        vec![line(good, 3, 0)],
    )
    .await;
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku).0, Some(q - 3.0), "transfer");

    // Both objects feed the shop: summed; prices of the operations' object (Retail).
    change_settings(&rig, connection.id, |s| {
        s.feed = FeedObjects::Objects(vec![first, online])
    })
    .await;
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku), (Some(q), 511), "summed");

    // Only „Онлайн“ feeds it: its 3 units at its group's (wholesale) price.
    change_settings(&rig, connection.id, |s| {
        s.feed = FeedObjects::Objects(vec![online])
    })
    .await;
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku), (Some(3.0), 409), "one object");

    // The object's price group changes to Retail.
    let as_retail = |group| ObjectInput {
        name: "Онлайн".into(),
        kind: ObjectKind::Shop,
        price_group: group,
        active: true,
    };
    rig.store
        .update_object(rig.firm_id, online, &as_retail(PriceGroup::Retail))
        .await
        .unwrap();
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku), (Some(3.0), 511), "price group changed");

    // All objects: summed, and Retail whatever the objects' groups.
    rig.store
        .update_object(rig.firm_id, online, &as_retail(PriceGroup::Wholesale))
        .await
        .unwrap();
    change_settings(&rig, connection.id, |s| s.feed = FeedObjects::All).await;
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku), (Some(q), 511), "all objects");

    // The euro changeover: the firm's prices become the same euro amounts the shop has.
    let before = rig.variant_writes().len();
    rig.store
        .euro_changeover(rig.firm_id, "test")
        .await
        .unwrap();
    rig.push_settle(connection.id).await;
    assert_eq!(in_shop(&rig, &sku), (Some(q), 511), "changeover");
    assert_eq!(
        rig.variant_writes().len(),
        before,
        "nothing to write: {:?}",
        &rig.variant_writes()[before..]
    );
}

on_both_engines!(g6_transfers_objects_price_groups_and_the_euro_changeover);
