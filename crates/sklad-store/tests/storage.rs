//! The behavioural storage suite: every test runs on SQLite and on PostgreSQL.

mod common;

use common::*;
use sklad_domain::model::{
    GoodKind, ObjectInput, ObjectKind, PartnerInput, PartnerRole, PaymentMethod, PaymentTypeInput,
    Role,
};
use sklad_domain::operation::OperationKind::*;
use sklad_domain::operation::{ExternalRef, OperationStatus};
use sklad_domain::{Currency, PriceGroup, Quantity};
use sklad_store::{GoodFilter, OperationFilter, PartnerFilter, Store, StoreError};

async fn firms_and_users(store: Store) {
    let (firm_id, user_id, _) = firm_with_owner(&store, "Фирма А", "ivan").await;
    let firm = store.firm(firm_id).await.unwrap();
    assert_eq!(firm.eik.as_deref(), Some("831826092"));
    assert_eq!(store.payment_types(firm_id).await.unwrap().len(), 5);
    let objects = store.objects(firm_id).await.unwrap();
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].name, sklad_store::DEFAULT_OBJECT_NAME);
    assert_eq!(objects[0].price_group, PriceGroup::Retail);

    let mut bad = firm_input("X");
    bad.eik = Some("831826093".into());
    let err = store.create_firm(&bad).await.unwrap_err();
    assert_eq!(field_code(&err).0, "eik");

    assert!(store
        .verify_password("IVAN", "correct horse battery")
        .await
        .unwrap()
        .is_some());
    assert!(store
        .verify_password("ivan", "wrong password")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .verify_password("nobody", "correct horse battery")
        .await
        .unwrap()
        .is_none());
    let err = store.create_user(&user_input("Ivan")).await.unwrap_err();
    assert_eq!(field_code(&err), ("login".into(), "login_duplicate"));

    // Seats: 3 in the fixture; the owner is one.
    for login in ["maria", "petar"] {
        let u = store.create_user(&user_input(login)).await.unwrap();
        store
            .add_member(firm_id, u.id, sklad_domain::model::Role::Operator, "test")
            .await
            .unwrap();
    }
    let extra = store.create_user(&user_input("georgi")).await.unwrap();
    let err = store
        .add_member(
            firm_id,
            extra.id,
            sklad_domain::model::Role::Operator,
            "test",
        )
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "seats_exceeded");
    assert_eq!(store.members(firm_id).await.unwrap().len(), 3);
    let mut fewer = firm_input("Фирма А");
    fewer.seats = 2;
    let err = store.update_firm(firm_id, &fewer).await.unwrap_err();
    assert_eq!(field_code(&err).1, "seats_exceeded");
    let mut euro = firm_input("Фирма А");
    euro.currency = Currency::Eur;
    let err = store.update_firm(firm_id, &euro).await.unwrap_err();
    assert_eq!(field_code(&err).1, "currency_change");
    let err = store.remove_member(firm_id, user_id).await.unwrap_err();
    assert_eq!(field_code(&err), ("role".into(), "last_owner"));
    let err = store
        .add_member(
            firm_id,
            user_id,
            sklad_domain::model::Role::Operator,
            "test",
        )
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "last_owner");
    let maria = store.user_by_login("maria").await.unwrap();
    store.remove_member(firm_id, maria.id).await.unwrap();
    assert_eq!(store.members(firm_id).await.unwrap().len(), 2);
    let memberships = store.memberships(user_id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].firm_name, "Фирма А");
}

async fn goods_crud_and_uniqueness(store: Store) {
    let (firm_id, _, _) = firm_with_owner(&store, "Фирма", "ivan").await;
    let a = store
        .create_good(
            firm_id,
            &good_input("A1", &["3800000000011", "3800000000028"]),
        )
        .await
        .unwrap();
    assert_eq!(a.barcodes, vec!["3800000000011", "3800000000028"]);
    assert_eq!(a.prices[&PriceGroup::Retail], 1000);
    assert_eq!(store.good_by_code(firm_id, "A1").await.unwrap(), a);
    assert_eq!(
        store
            .good_by_barcode(firm_id, "3800000000028")
            .await
            .unwrap(),
        a
    );

    let err = store
        .create_good(firm_id, &good_input("A1", &[]))
        .await
        .unwrap_err();
    assert_eq!(field_code(&err), ("code".into(), "code_duplicate"));
    let err = store
        .create_good(firm_id, &good_input("B1", &["999", "3800000000028"]))
        .await
        .unwrap_err();
    assert_eq!(
        field_code(&err),
        ("barcodes[1]".into(), "barcode_duplicate")
    );
    // Nothing written by the refused calls.
    assert!(matches!(
        store.good_by_barcode(firm_id, "999").await,
        Err(StoreError::NotFound { entity: "good" })
    ));
    assert_eq!(
        store
            .goods(firm_id, &GoodFilter::default())
            .await
            .unwrap()
            .total,
        1
    );

    let mut b = good_input("B1", &["999"]);
    b.name = "Мляко прясно".into();
    let b = store.create_good(firm_id, &b).await.unwrap();
    let page = store
        .goods(
            firm_id,
            &GoodFilter {
                search: Some("МЛЯКО".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, b.id);
    let page = store
        .goods(
            firm_id,
            &GoodFilter {
                search: Some("%".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 0, "% is a literal, not a wildcard");
    let mut filter = GoodFilter::default();
    filter.paging.limit = 1;
    filter.paging.offset = 1;
    let page = store.goods(firm_id, &filter).await.unwrap();
    assert_eq!((page.total, page.items.len()), (2, 1));
    assert_eq!(page.items[0].code, "B1");

    // Update keeps own barcodes, refuses another good's.
    let mut update = good_input("A1", &["3800000000011", "999"]);
    let err = store.update_good(firm_id, a.id, &update).await.unwrap_err();
    assert_eq!(
        field_code(&err),
        ("barcodes[1]".into(), "barcode_duplicate")
    );
    update.barcodes = vec!["3800000000011".into(), "777".into()];
    update.prices.insert(PriceGroup::Wholesale, 900);
    let a2 = store.update_good(firm_id, a.id, &update).await.unwrap();
    assert_eq!(a2.barcodes, vec!["3800000000011", "777"]);
    assert_eq!(a2.prices.len(), 3);
    store.delete_good(firm_id, b.id).await.unwrap();
    assert!(store.good(firm_id, b.id).await.is_err());
}

async fn partners_crud(store: Store) {
    let (firm_id, _, _) = firm_with_owner(&store, "Фирма", "ivan").await;
    let input = PartnerInput {
        name: "Клиент ООД".into(),
        eik: Some("831826092".into()),
        vat_number: Some("BG831826092".into()),
        mol: Some("Иван Иванов".into()),
        address: None,
        city: Some("София".into()),
        phone: None,
        email: Some("Client@Example.bg".into()),
        role: PartnerRole::Client,
        price_group: PriceGroup::Wholesale,
    };
    let p = store.create_partner(firm_id, &input).await.unwrap();
    assert_eq!(p.email.as_deref(), Some("client@example.bg"));
    assert_eq!(store.partner_by_eik(firm_id, "831826092").await.unwrap(), p);
    assert_eq!(
        store
            .partner_by_email(firm_id, "CLIENT@example.bg")
            .await
            .unwrap(),
        p
    );
    let err = store.create_partner(firm_id, &input).await.unwrap_err();
    assert_eq!(field_code(&err), ("eik".into(), "eik_duplicate"));
    let mut no_eik = input.clone();
    no_eik.eik = None;
    no_eik.vat_number = None;
    store.create_partner(firm_id, &no_eik).await.unwrap();
    store.create_partner(firm_id, &no_eik).await.unwrap();
    let page = store
        .partners(
            firm_id,
            &PartnerFilter {
                search: Some("софия".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    let mut bad = input.clone();
    bad.eik = Some("831826093".into());
    let err = store.create_partner(firm_id, &bad).await.unwrap_err();
    assert_eq!(field_code(&err).0, "eik");
}

async fn tokens_and_sessions(store: Store) {
    let (firm_a, ivan, _) = firm_with_owner(&store, "А", "ivan").await;
    let (firm_b, _, _) = firm_with_owner(&store, "Б", "maria").await;
    let token = store
        .create_api_token(ivan, firm_a, "bridge")
        .await
        .unwrap();
    assert!(token.plaintext.starts_with("skl_") && token.plaintext.len() == 68);
    assert!(!format!("{token:?}").contains(&token.plaintext));
    let ctx = store
        .resolve_api_token(&token.plaintext)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ctx.user_id, ctx.firm_id), (ivan, firm_a));
    assert!(store.resolve_api_token("skl_00").await.unwrap().is_none());
    // Not a member of B: no token there.
    assert!(store.create_api_token(ivan, firm_b, "x").await.is_err());
    assert!(store
        .revoke_api_token(firm_b, token.token.id)
        .await
        .is_err());
    assert_eq!(store.api_tokens(firm_a).await.unwrap().len(), 1);
    store
        .revoke_api_token(firm_a, token.token.id)
        .await
        .unwrap();
    assert!(store
        .resolve_api_token(&token.plaintext)
        .await
        .unwrap()
        .is_none());

    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let expires = now + jiff::SignedDuration::from_hours(8);
    let session = store.create_session(ivan, firm_a, expires).await.unwrap();
    let resolved = store
        .resolve_session(&session.id, now, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resolved, session.session);
    assert!(store
        .resolve_session(&session.id, expires, None)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.switch_session_firm(&session.id, firm_b).await,
        Err(StoreError::NotFound { entity: "firm" })
    ));
    let other = store.create_session(ivan, firm_a, now).await.unwrap();
    assert_eq!(store.purge_expired_sessions(now).await.unwrap(), 1);
    assert!(store
        .resolve_session(&other.id, now, None)
        .await
        .unwrap()
        .is_none());
    // Its use is noted: when, and from where.
    assert!(store
        .resolve_session(&session.id, now, Some("192.0.2.7"))
        .await
        .unwrap()
        .is_some());
    let uses = store.member_sessions(firm_a, ivan).await.unwrap();
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0].last_seen_at, Some(now));
    assert_eq!(uses[0].last_seen_from.as_deref(), Some("192.0.2.7"));
    store.delete_session(&session.id).await.unwrap();
    assert!(store
        .member_sessions(firm_a, ivan)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .resolve_session(&session.id, now, None)
        .await
        .unwrap()
        .is_none());
}

async fn delivery_order_conversion_round(store: Store) {
    let (firm, _, obj) = firm_with_owner(&store, "Фирма", "ivan").await;
    let g = store
        .create_good(firm, &good_input("G1", &["111"]))
        .await
        .unwrap();
    let delivery = store
        .create_operation(firm, &draft(Delivery, obj, vec![line(g.id, 10, 600)]))
        .await
        .unwrap();
    assert_eq!((delivery.number, delivery.totals.gross), (1, 6000));
    assert_eq!((delivery.totals.vat, delivery.totals.net), (1000, 5000));
    assert_eq!(level(&store, firm, obj, g.id).await, (10, 0));

    let mut order_draft = draft(Order, obj, vec![line(g.id, 3, 1000)]);
    order_draft.external_ref = Some(ExternalRef {
        source: "cloudcart".into(),
        id: "1001".into(),
    });
    let order = store.create_operation(firm, &order_draft).await.unwrap();
    assert_eq!(
        level(&store, firm, obj, g.id).await,
        (10, 3),
        "on hand stays, reserved"
    );
    let avail = store.available(firm, &[obj]).await.unwrap();
    assert_eq!(avail[0].available, Quantity::from_units(7));
    let err = store
        .create_operation(firm, &order_draft)
        .await
        .unwrap_err();
    assert_eq!(
        field_code(&err),
        ("external_ref".into(), "external_ref_duplicate")
    );
    let found = store
        .operation_by_external_ref(firm, "cloudcart", "1001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, order.id);

    let sale = store
        .convert_order_to_sale(firm, order.id, None)
        .await
        .unwrap();
    assert_eq!((sale.kind, sale.number, sale.lines.len()), (Sale, 1, 1));
    assert_eq!(level(&store, firm, obj, g.id).await, (7, 0));
    let order = store.operation(firm, order.id).await.unwrap();
    assert_eq!(order.status, OperationStatus::Converted);
    assert_eq!(order.converted_to, Some(sale.id));
    for err in [
        store
            .convert_order_to_sale(firm, order.id, None)
            .await
            .unwrap_err(),
        store.annul_operation(firm, order.id).await.unwrap_err(),
        store
            .update_operation(firm, order.id, &order_draft)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(field_code(&err).1, "order_converted");
    }
    let err = store
        .convert_order_to_sale(firm, sale.id, None)
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "not_an_order");
    assert_eq!(ledger_sums(&store, firm, obj, g.id).await, (7000, 0));

    // Outbox: one row per touched (object, good) per stock-changing commit.
    let pending = store.pending_stock_changes(100).await.unwrap();
    assert_eq!(pending.len(), 3);
    assert!(pending
        .iter()
        .all(|c| (c.firm_id, c.object_id, c.good_id) == (firm, obj, g.id)));
    store
        .ack_stock_changes(&pending.iter().map(|c| c.id).collect::<Vec<_>>())
        .await
        .unwrap();
    assert!(store.pending_stock_changes(100).await.unwrap().is_empty());
}

async fn edit_and_annul_reverse_exactly(store: Store) {
    let (firm, _, obj) = firm_with_owner(&store, "Фирма", "ivan").await;
    let a = store
        .create_good(firm, &good_input("A", &[]))
        .await
        .unwrap();
    let b = store
        .create_good(firm, &good_input("B", &[]))
        .await
        .unwrap();
    let d = store
        .create_operation(
            firm,
            &draft(Delivery, obj, vec![line(a.id, 10, 100), line(b.id, 5, 100)]),
        )
        .await
        .unwrap();
    let s = store
        .create_operation(firm, &draft(Sale, obj, vec![line(a.id, 4, 200)]))
        .await
        .unwrap();
    assert_eq!(level(&store, firm, obj, a.id).await, (6, 0));
    // Edit the sale: other good, other quantity; same number.
    let edited = store
        .update_operation(firm, s.id, &draft(Sale, obj, vec![line(b.id, 2, 200)]))
        .await
        .unwrap();
    assert_eq!(edited.number, s.number);
    assert_eq!(level(&store, firm, obj, a.id).await, (10, 0));
    assert_eq!(level(&store, firm, obj, b.id).await, (3, 0));
    // Editing the delivery below what was sold is refused; nothing changes.
    let err = store
        .update_operation(
            firm,
            d.id,
            &draft(Delivery, obj, vec![line(a.id, 10, 100), line(b.id, 1, 100)]),
        )
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "stock_insufficient");
    assert_eq!(level(&store, firm, obj, b.id).await, (3, 0));
    assert_eq!(
        store.operation(firm, d.id).await.unwrap().lines[1].quantity,
        Quantity::from_units(5)
    );
    let err = store
        .update_operation(firm, d.id, &draft(Sale, obj, vec![line(a.id, 1, 100)]))
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "kind_changed");

    let annulled = store.annul_operation(firm, edited.id).await.unwrap();
    assert_eq!(annulled.status, OperationStatus::Annulled);
    assert_eq!(level(&store, firm, obj, b.id).await, (5, 0));
    let err = store.annul_operation(firm, edited.id).await.unwrap_err();
    assert_eq!(field_code(&err).1, "operation_annulled");
    store.annul_operation(firm, d.id).await.unwrap();
    for g in [a.id, b.id] {
        assert_eq!(level(&store, firm, obj, g).await, (0, 0));
        assert_eq!(ledger_sums(&store, firm, obj, g).await, (0, 0));
    }
}

async fn stock_taking_transfer_and_negative_stock(store: Store) {
    let (firm, _, main) = firm_with_owner(&store, "Фирма", "ivan").await;
    let shop = shop_object(&store, firm).await;
    let g = store
        .create_good(firm, &good_input("G", &[]))
        .await
        .unwrap();
    let mut service = good_input("SRV", &[]);
    service.kind = GoodKind::Service;
    let service = store.create_good(firm, &service).await.unwrap();

    // Negative stock refused by default, nothing written.
    let err = store
        .create_operation(firm, &draft(Sale, main, vec![line(g.id, 1, 100)]))
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "stock_insufficient");
    assert!(store
        .operations(firm, &Default::default())
        .await
        .unwrap()
        .items
        .is_empty());
    // Services never move.
    store
        .create_operation(firm, &draft(Sale, main, vec![line(service.id, 1, 500)]))
        .await
        .unwrap();
    assert!(store.stock_of_object(firm, main).await.unwrap().is_empty());

    store
        .create_operation(firm, &draft(Delivery, main, vec![line(g.id, 10, 100)]))
        .await
        .unwrap();
    let mut transfer = draft(Transfer, main, vec![line(g.id, 4, 0)]);
    transfer.target_object_id = Some(shop.id);
    store.create_operation(firm, &transfer).await.unwrap();
    assert_eq!(level(&store, firm, main, g.id).await, (6, 0));
    assert_eq!(level(&store, firm, shop.id, g.id).await, (4, 0));
    let avail = store.available(firm, &[main, shop.id]).await.unwrap();
    assert_eq!(avail.len(), 1, "services are not listed");
    assert_eq!(avail[0].on_hand, Quantity::from_units(10));

    // Stock-taking sets the counted quantity.
    let st = store
        .create_operation(firm, &draft(StockTaking, shop.id, vec![line(g.id, 1, 0)]))
        .await
        .unwrap();
    assert_eq!(level(&store, firm, shop.id, g.id).await, (1, 0));
    store.annul_operation(firm, st.id).await.unwrap();
    assert_eq!(level(&store, firm, shop.id, g.id).await, (4, 0));

    // Allowed negative stock.
    let mut input = firm_input("Фирма");
    input.allow_negative_stock = true;
    store.update_firm(firm, &input).await.unwrap();
    store
        .create_operation(firm, &draft(WriteOff, shop.id, vec![line(g.id, 6, 0)]))
        .await
        .unwrap();
    assert_eq!(level(&store, firm, shop.id, g.id).await, (-2, 0));
    assert_eq!(ledger_sums(&store, firm, shop.id, g.id).await, (-2000, 0));

    // Bad input: every problem reported at once, nothing written.
    let mut bad = draft(Sale, main, vec![line(g.id, 0, -1), line(9_999_999, 1, 1)]);
    bad.currency = Currency::Eur;
    bad.partner_id = Some(9_999_999);
    let err = store.create_operation(firm, &bad).await.unwrap_err();
    let codes: Vec<_> = err
        .validation()
        .unwrap()
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect();
    for expected in [
        ("lines[0].quantity", "quantity_not_positive"),
        ("lines[0].unit_price", "price_negative"),
        ("currency", "currency_mismatch"),
        ("partner_id", "partner_unknown"),
        ("lines[1].good_id", "good_unknown"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} in {codes:?}");
    }
}

/// The largest operations there can be ([`MAX_LINES`] lines; a transfer moves
/// twice as many levels) are written whole, in as many statements as the engine's
/// limit on arguments needs, and every operation returned by a write is the one
/// stored.
async fn largest_operations_are_written_whole_and_returned_as_stored(store: Store) {
    use sklad_domain::operation::MAX_LINES;
    let (firm, _, main) = firm_with_owner(&store, "Фирма", "ivan").await;
    let shop = shop_object(&store, firm).await;
    let inputs: Vec<_> = (0..MAX_LINES)
        .map(|i| good_input(&format!("G{i:05}"), &[]))
        .collect();
    let goods = store.create_goods(firm, &inputs).await.unwrap();
    let all = |units: i64| -> Vec<_> { goods.iter().map(|g| line(*g, units, 100)).collect() };
    let returned_as_stored = |op: sklad_domain::operation::Operation| {
        let store = store.clone();
        async move {
            assert_eq!(store.operation(firm, op.id).await.unwrap(), op);
            op
        }
    };

    let delivery = store
        .create_operation(firm, &draft(Delivery, main, all(5)))
        .await
        .unwrap();
    returned_as_stored(delivery).await;
    let mut transfer = draft(Transfer, main, all(2));
    transfer.target_object_id = Some(shop.id);
    transfer.note = Some("Зареждане на магазина".into());
    let transfer = returned_as_stored(store.create_operation(firm, &transfer).await.unwrap()).await;
    let counted = draft(StockTaking, shop.id, all(7));
    let counted = returned_as_stored(store.create_operation(firm, &counted).await.unwrap()).await;
    let mut edited = transfer.to_draft();
    edited.lines = all(1);
    returned_as_stored(
        store
            .update_operation(firm, transfer.id, &edited)
            .await
            .unwrap(),
    )
    .await;
    let stock = |object| {
        let store = store.clone();
        async move {
            let levels = store.stock_of_object(firm, object).await.unwrap();
            assert_eq!(levels.len(), MAX_LINES);
            levels
                .iter()
                .map(|l| (l.on_hand.milli() / 1000, l.reserved.milli() / 1000))
                .collect::<std::collections::BTreeSet<_>>()
        }
    };
    // The shop was counted at 7 after receiving 2; the edit of the transfer to 1
    // takes 1 back from it.
    assert_eq!(stock(main).await, [(4, 0)].into());
    assert_eq!(stock(shop.id).await, [(6, 0)].into());
    // Annulling the count takes back the 5 it added.
    returned_as_stored(store.annul_operation(firm, counted.id).await.unwrap()).await;
    assert_eq!(stock(shop.id).await, [(1, 0)].into());
    assert_eq!(
        ledger_sums(&store, firm, main, goods[MAX_LINES - 1]).await,
        (4000, 0)
    );

    // A sale and an order converted into a sale, as the shop's orders are written.
    let sale = draft(
        Sale,
        main,
        vec![line(goods[0], 1, 250), line(goods[1], 2, 250)],
    );
    returned_as_stored(store.create_operation(firm, &sale).await.unwrap()).await;
    let mut order = draft(Order, main, vec![line(goods[2], 1, 250)]);
    order.external_ref = Some(ExternalRef {
        source: "cloudcart".into(),
        id: "77".into(),
    });
    let order = returned_as_stored(store.create_operation(firm, &order).await.unwrap()).await;
    returned_as_stored(
        store
            .convert_order_to_sale(firm, order.id, None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(level(&store, firm, main, goods[2]).await, (3, 0));
}

async fn tenant_isolation(store: Store) {
    let (a, _, obj_a) = firm_with_owner(&store, "А", "ivan").await;
    let (b, _, obj_b) = firm_with_owner(&store, "Б", "maria").await;
    let good_a = store
        .create_good(a, &good_input("X", &["123"]))
        .await
        .unwrap();
    // Same code and barcode are free in another firm.
    let good_b = store
        .create_good(b, &good_input("X", &["123"]))
        .await
        .unwrap();
    let op_a = store
        .create_operation(a, &draft(Delivery, obj_a, vec![line(good_a.id, 5, 100)]))
        .await
        .unwrap();
    assert!(matches!(
        store.good(b, good_a.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.object(b, obj_a).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.operation(b, op_a.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store
        .update_good(b, good_a.id, &good_input("Y", &[]))
        .await
        .is_err());
    assert!(store.delete_good(b, good_a.id).await.is_err());
    assert!(store.annul_operation(b, op_a.id).await.is_err());
    assert_eq!(store.good(a, good_a.id).await.unwrap().code, "X");
    assert!(store.stock_of_object(b, obj_a).await.unwrap().is_empty());
    assert!(store.ledger(b, obj_a, good_a.id).await.unwrap().is_empty());
    // A's ids inside B's operation.
    let err = store
        .create_operation(b, &draft(Delivery, obj_a, vec![line(good_a.id, 1, 1)]))
        .await
        .unwrap_err();
    let fields: Vec<_> = err
        .validation()
        .unwrap()
        .errors
        .iter()
        .map(|e| (e.field.clone(), e.code))
        .collect();
    assert!(fields.contains(&("object_id".into(), "object_unknown")));
    assert!(fields.contains(&("lines[0].good_id".into(), "good_unknown")));
    let avail = store.available(b, &[obj_a, obj_b]).await.unwrap();
    assert_eq!(avail.len(), 1);
    assert_eq!(
        (avail[0].good_id, avail[0].on_hand),
        (good_b.id, Quantity::ZERO)
    );
}

async fn euro_changeover(store: Store) {
    let (firm, _, obj) = firm_with_owner(&store, "Фирма", "ivan").await;
    let mut input = good_input("G", &[]);
    input.prices = [
        (PriceGroup::Retail, 1000),
        (PriceGroup::Purchase, 1),
        (PriceGroup::Wholesale, 0),
    ]
    .into_iter()
    .collect();
    let g = store.create_good(firm, &input).await.unwrap();
    let delivery = store
        .create_operation(firm, &draft(Delivery, obj, vec![line(g.id, 2, 1000)]))
        .await
        .unwrap();
    let done = store.euro_changeover(firm, "ivan").await.unwrap();
    assert_eq!((done.goods, done.prices), (1, 3));
    let g = store.good(firm, g.id).await.unwrap();
    assert_eq!(g.prices[&PriceGroup::Retail], 511, "10.00 лв → 5.11 €");
    assert_eq!(
        g.prices[&PriceGroup::Purchase],
        1,
        "0.01 лв → 0.01 € (half up)"
    );
    assert_eq!(g.prices[&PriceGroup::Wholesale], 0);
    assert_eq!(store.firm(firm).await.unwrap().currency, Currency::Eur);
    // History untouched.
    let old = store.operation(firm, delivery.id).await.unwrap();
    assert_eq!((old.currency, old.totals.gross), (Currency::Bgn, 2000));
    // The journal also holds the owner joining the firm.
    let journal = store.journal(firm, Default::default()).await.unwrap();
    let changeovers: Vec<_> = journal
        .items
        .iter()
        .filter(|e| e.action == "euro_changeover")
        .collect();
    assert_eq!(changeovers.len(), 1);
    assert_eq!(changeovers[0].details["prices"], 3);
    // Once only; nothing changes on the second call.
    let err = store.euro_changeover(firm, "ivan").await.unwrap_err();
    assert_eq!(field_code(&err), ("currency".into(), "already_eur"));
    assert_eq!(
        store.good(firm, g.id).await.unwrap().prices[&PriceGroup::Retail],
        511
    );
    assert_eq!(
        store.journal(firm, Default::default()).await.unwrap().total,
        journal.total
    );
    // New operations go in euro.
    let mut d = draft(Delivery, obj, vec![line(g.id, 1, 511)]);
    d.currency = Currency::Eur;
    store.create_operation(firm, &d).await.unwrap();
}

async fn objects_payment_types_and_operation_lists(store: Store) {
    let (firm, _, main) = firm_with_owner(&store, "Фирма", "ivan").await;
    let mut input = ObjectInput {
        name: "Склад 2".into(),
        kind: ObjectKind::Warehouse,
        price_group: PriceGroup::Purchase,
        active: true,
    };
    let err = store.create_object(firm, &input).await.unwrap_err();
    assert_eq!(
        field_code(&err),
        ("price_group".into(), "price_group_purchase")
    );
    input.price_group = PriceGroup::Wholesale;
    let second = store.create_object(firm, &input).await.unwrap();
    input.name = "Склад Две".into();
    assert_eq!(
        store
            .update_object(firm, second.id, &input)
            .await
            .unwrap()
            .name,
        "Склад Две"
    );
    assert_eq!(store.objects(firm).await.unwrap().len(), 2);

    let pt = store
        .create_payment_type(
            firm,
            &PaymentTypeInput {
                name: "Epay".into(),
                method: PaymentMethod::Card,
                active: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(store.payment_types(firm).await.unwrap().len(), 6);
    let g = store
        .create_good(firm, &good_input("G", &[]))
        .await
        .unwrap();
    let partner = store
        .create_partner(
            firm,
            &PartnerInput {
                name: "Купувач".into(),
                eik: None,
                vat_number: None,
                mol: None,
                address: None,
                city: None,
                phone: None,
                email: None,
                role: PartnerRole::Client,
                price_group: PriceGroup::Retail,
            },
        )
        .await
        .unwrap();
    store
        .create_operation(firm, &draft(Delivery, second.id, vec![line(g.id, 5, 100)]))
        .await
        .unwrap();
    let mut later = draft(Sale, second.id, vec![line(g.id, 1, 100)]);
    later.date = jiff::civil::date(2026, 4, 1);
    later.partner_id = Some(partner.id);
    later.payment_type_id = Some(pt.id);
    let sale = store.create_operation(firm, &later).await.unwrap();

    // In use: refused, nothing deleted.
    for err in [
        store.delete_object(firm, second.id).await.unwrap_err(),
        store.delete_good(firm, g.id).await.unwrap_err(),
        store.delete_partner(firm, partner.id).await.unwrap_err(),
        store.delete_payment_type(firm, pt.id).await.unwrap_err(),
    ] {
        assert!(field_code(&err).1.ends_with("_in_use"), "{err:?}");
    }
    store.delete_object(firm, main).await.unwrap();
    assert_eq!(store.objects(firm).await.unwrap().len(), 1);

    let by_partner = store
        .operations(
            firm,
            &OperationFilter {
                partner_id: Some(partner.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((by_partner.total, by_partner.items[0].id), (1, sale.id));
    let march = store
        .operations(
            firm,
            &OperationFilter {
                date_from: Some(jiff::civil::date(2026, 3, 1)),
                date_to: Some(jiff::civil::date(2026, 3, 31)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((march.total, march.items[0].kind), (1, Delivery));
    let all = store
        .operations(firm, &OperationFilter::default())
        .await
        .unwrap();
    assert_eq!(all.items[0].id, sale.id, "newest first");
    assert_eq!(all.items[0].payment_type_id, Some(pt.id));
}

async fn nul_text_is_refused_alike_on_both_engines(store: Store) {
    let (firm, _, obj) = firm_with_owner(&store, "Фирма", "ivan").await;
    let mut g = good_input("N\0UL", &[]);
    let err = store.create_good(firm, &g).await.unwrap_err();
    assert_eq!(field_code(&err), ("code".into(), "text_nul"));
    g.code = "OK".into();
    g.name = "Стока OK".into();
    g.group = Some("a\0b".into());
    assert_eq!(
        field_code(&store.create_good(firm, &g).await.unwrap_err()).1,
        "text_nul"
    );
    g.group = None;
    let good = store.create_good(firm, &g).await.unwrap();
    let mut d = draft(Delivery, obj, vec![line(good.id, 1, 1)]);
    d.note = Some("\0".into());
    assert_eq!(
        field_code(&store.create_operation(firm, &d).await.unwrap_err()).1,
        "text_nul"
    );
    // Lookups and searches with NUL match nothing instead of failing.
    assert!(matches!(
        store.good_by_code(firm, "O\0K").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.good_by_barcode(firm, "\0").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.user_by_login("iv\0an").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store
        .verify_password("iv\0an", "x")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .operation_by_external_ref(firm, "a\0", "b")
        .await
        .unwrap()
        .is_none());
    let page = store
        .goods(
            firm,
            &GoodFilter {
                search: Some("O\0K".into()),
                group: Some("\0".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 0);
}

/// `create_member` writes user and membership together: a refusal leaves no user.
async fn create_member_is_one_transaction(store: Store) {
    assert!(!store.has_firms().await.unwrap());
    let (firm_id, _, _) = firm_with_owner(&store, "Фирма А", "ivan").await;
    assert!(store.has_firms().await.unwrap());
    for login in ["maria", "petar"] {
        let user = store
            .create_member(firm_id, &user_input(login), Role::Operator)
            .await
            .unwrap();
        assert_eq!(user.login, login);
    }
    let members = store.members(firm_id).await.unwrap();
    assert_eq!(members.len(), 3);
    assert!(members
        .iter()
        .any(|m| m.user.login == "petar" && m.role == Role::Operator));
    // Seats (3) are full: refused, and no orphan user "georgi" remains.
    let err = store
        .create_member(firm_id, &user_input("georgi"), Role::Operator)
        .await
        .unwrap_err();
    assert_eq!(field_code(&err), ("seats".into(), "seats_exceeded"));
    assert!(matches!(
        store.user_by_login("georgi").await,
        Err(StoreError::NotFound { .. })
    ));
    // The login is still free: once a seat frees up it can be created.
    let maria = store.user_by_login("maria").await.unwrap();
    store.remove_member(firm_id, maria.id).await.unwrap();
    store
        .create_member(firm_id, &user_input("georgi"), Role::Owner)
        .await
        .unwrap();
    // Duplicate login, invalid input and an unknown firm write nothing either.
    let err = store
        .create_member(firm_id, &user_input("IVAN"), Role::Operator)
        .await
        .unwrap_err();
    assert_eq!(field_code(&err), ("login".into(), "login_duplicate"));
    let mut bad = user_input("x");
    bad.language = "de".into();
    let err = store
        .create_member(firm_id, &bad, Role::Operator)
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "login_invalid");
    let err = store
        .create_member(firm_id + 1000, &user_input("nobody"), Role::Owner)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(store.user_by_login("nobody").await.is_err());
    assert_eq!(store.members(firm_id).await.unwrap().len(), 3);
}

/// The user's language is stored and validated like `UserInput`'s.
async fn user_language(store: Store) {
    let (_, user_id, _) = firm_with_owner(&store, "Фирма А", "ivan").await;
    let user = store.set_user_language(user_id, " EN ").await.unwrap();
    assert_eq!(user.language, "en");
    assert_eq!(store.user(user_id).await.unwrap().language, "en");
    let err = store.set_user_language(user_id, "de").await.unwrap_err();
    assert_eq!(field_code(&err), ("language".into(), "language_invalid"));
    let err = store.set_user_language(user_id, "\0").await.unwrap_err();
    assert_eq!(field_code(&err).1, "language_invalid");
    assert_eq!(store.user(user_id).await.unwrap().language, "en");
    let err = store
        .set_user_language(user_id + 1000, "bg")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

/// Concurrent claimers never get the same outbox row; a claim's lease runs out on
/// the store's (virtual) clock and acknowledged rows are gone.
async fn outbox_claims_are_disjoint_and_leased(store: Store) {
    use sklad_store::STOCK_CHANGE_CLAIM_LEASE;
    use std::collections::BTreeSet;
    let clock = std::sync::Arc::new(sklad_domain::clock::ManualClock::new(
        "2026-11-28T10:00:00Z".parse().unwrap(),
    ));
    let store = store.with_clock(clock.clone());
    let (firm, _, object) = firm_with_owner(&store, "Фирма А", "ivan").await;
    let mut lines = Vec::new();
    for i in 0..24 {
        let good = store
            .create_good(firm, &good_input(&format!("G{i}"), &[]))
            .await
            .unwrap();
        lines.push(line(good.id, 1, 100));
    }
    store
        .create_operation(firm, &draft(Delivery, object, lines))
        .await
        .unwrap();
    let all: BTreeSet<i64> = store
        .pending_stock_changes(1000)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all.len(), 24);

    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                for _ in 0..24 {
                    let batch = store.claim_stock_changes(2).await.unwrap();
                    if batch.is_empty() {
                        break;
                    }
                    got.extend(batch.iter().map(|c| c.id));
                    tokio::task::yield_now().await;
                }
                got
            })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for claimer in claimers {
        for id in claimer.await.unwrap() {
            assert!(seen.insert(id), "outbox row {id} claimed twice");
        }
    }
    assert_eq!(seen, all);

    // Everything is leased: nothing to claim until the lease runs out.
    assert!(store.claim_stock_changes(100).await.unwrap().is_empty());
    clock.advance(STOCK_CHANGE_CLAIM_LEASE - jiff::SignedDuration::from_secs(1));
    assert!(store.claim_stock_changes(100).await.unwrap().is_empty());
    clock.advance(jiff::SignedDuration::from_secs(1));
    let again = store.claim_stock_changes(100).await.unwrap();
    assert_eq!(again.iter().map(|c| c.id).collect::<BTreeSet<_>>(), all);
    // Acknowledged rows are gone for good; the others come back after the lease.
    let (acked, kept) = again.split_at(10);
    store
        .ack_stock_changes(&acked.iter().map(|c| c.id).collect::<Vec<_>>())
        .await
        .unwrap();
    clock.advance(STOCK_CHANGE_CLAIM_LEASE);
    let last = store.claim_stock_changes(100).await.unwrap();
    assert_eq!(last, kept);
    assert_eq!(store.pending_stock_changes(100).await.unwrap(), kept);
}

/// Issue 11: what two-factor sign-in keeps — the confirmed secret and the last accepted
/// step (a code is good once), recovery codes good once each, the firm's rule for its
/// owners (no turning it off while it holds), and the sign-in step that lapses.
async fn second_factor_is_kept(store: Store) {
    let (firm, ivan, _) = firm_with_owner(&store, "А", "ivan").await;
    let before = store.second_factor(ivan).await.unwrap();
    assert_eq!((before.secret.is_some(), before.required), (false, false));
    let codes = store
        .enable_totp(ivan, "JBSWY3DPEHPK3PXP", 1000)
        .await
        .unwrap();
    assert_eq!(codes.len(), sklad_store::RECOVERY_CODES);
    let on = store.second_factor(ivan).await.unwrap();
    assert_eq!(on.secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert!(
        !format!("{on:?}").contains("JBSWY3DPEHPK3PXP"),
        "no secret in Debug"
    );
    assert!(
        !store.accept_totp_step(ivan, 1000).await.unwrap(),
        "spent at enrolment"
    );
    assert!(store.accept_totp_step(ivan, 1001).await.unwrap());
    assert!(!store.accept_totp_step(ivan, 1001).await.unwrap());
    assert!(store.use_recovery_code(ivan, &codes[0]).await.unwrap());
    assert!(!store.use_recovery_code(ivan, &codes[0]).await.unwrap());
    assert!(!store
        .use_recovery_code(ivan, "0000-0000-0000")
        .await
        .unwrap());
    assert_eq!(store.recovery_codes_left(ivan).await.unwrap(), 9);

    store
        .set_owners_need_totp(firm, true, "ivan")
        .await
        .unwrap();
    assert!(store.owners_need_totp(firm).await.unwrap());
    assert!(store.second_factor(ivan).await.unwrap().required);
    assert!(matches!(
        store.disable_totp(ivan).await,
        Err(StoreError::Validation(_))
    ));
    store
        .set_owners_need_totp(firm, false, "ivan")
        .await
        .unwrap();
    store.disable_totp(ivan).await.unwrap();
    assert_eq!(store.second_factor(ivan).await.unwrap().secret, None);
    assert_eq!(store.recovery_codes_left(ivan).await.unwrap(), 0);

    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let until = now + jiff::SignedDuration::from_mins(5);
    let step = store
        .start_sign_in_step(ivan, Some("KRSXG5CTMVRXEZLU"), until)
        .await
        .unwrap();
    let found = store.sign_in_step(&step, now).await.unwrap().unwrap();
    assert_eq!(found.user_id, ivan);
    assert_eq!(found.enrol_secret.as_deref(), Some("KRSXG5CTMVRXEZLU"));
    assert!(
        store.sign_in_step(&step, until).await.unwrap().is_none(),
        "lapsed"
    );
    store.end_sign_in_step(&step).await.unwrap();
    assert!(store.sign_in_step(&step, now).await.unwrap().is_none());
    let actions: Vec<String> = store
        .journal(firm, Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        "totp_enabled",
        "recovery_code_used",
        "totp_requirement",
        "totp_disabled",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

both!(
    outbox_claims_are_disjoint_and_leased,
    create_member_is_one_transaction,
    user_language,
    firms_and_users,
    goods_crud_and_uniqueness,
    partners_crud,
    tokens_and_sessions,
    second_factor_is_kept,
    delivery_order_conversion_round,
    edit_and_annul_reverse_exactly,
    stock_taking_transfer_and_negative_stock,
    largest_operations_are_written_whole_and_returned_as_stored,
    tenant_isolation,
    euro_changeover,
    objects_payment_types_and_operation_lists,
    nul_text_is_refused_alike_on_both_engines,
);
