//! The behavioural storage suite: every test runs on SQLite and on PostgreSQL.

mod common;

use common::*;
use sklad_domain::model::{PartnerInput, PartnerRole};
use sklad_domain::PriceGroup;
use sklad_store::{GoodFilter, PartnerFilter, Store, StoreError};

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
            .add_member(firm_id, u.id, sklad_domain::model::Role::Operator)
            .await
            .unwrap();
    }
    let extra = store.create_user(&user_input("georgi")).await.unwrap();
    let err = store
        .add_member(firm_id, extra.id, sklad_domain::model::Role::Operator)
        .await
        .unwrap_err();
    assert_eq!(field_code(&err).1, "seats_exceeded");
    assert_eq!(store.members(firm_id).await.unwrap().len(), 3);
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
        .resolve_session(&session.id, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resolved, session.session);
    assert!(store
        .resolve_session(&session.id, expires)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.switch_session_firm(&session.id, firm_b).await,
        Err(StoreError::NotFound { entity: "firm" })
    ));
    store.delete_session(&session.id).await.unwrap();
    assert!(store
        .resolve_session(&session.id, now)
        .await
        .unwrap()
        .is_none());
}

both!(
    firms_and_users,
    goods_crud_and_uniqueness,
    partners_crud,
    tokens_and_sessions
);
