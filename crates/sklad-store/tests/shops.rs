//! The e-shop bridge's storage on both engines: seats (P1), settings refused with the
//! reason beside the field (S2, S3, G1), special goods, job overlap and staleness,
//! leases, and connections in firm backups without their secrets (S4).

mod common;

use std::collections::BTreeMap;

use common::*;
use sklad_domain::clock::ManualClock;
use sklad_domain::model::{GoodInput, GoodKind};
use sklad_domain::shop::{FeedObjects, SpecialGoodRole};
use sklad_domain::{Currency, Id, VatRate};
use sklad_store::shops::{
    ImportStep, InboxItem, JobProgress, NewDelivery, NewShopConnection, Triage,
};
use sklad_store::{Paging, Store, StoreError};

const SEALED_KEY: &str = "v1:sealed-api-key-0000";
const SEALED_HOOK: &str = "v1:sealed-hook-secret-0000";

fn new_connection(active: bool) -> NewShopConnection {
    NewShopConnection {
        name: "CloudCart".into(),
        shop_url: "https://shop.example.bg".into(),
        shop_host: "shop.example.bg".into(),
        api_key_sealed: SEALED_KEY.into(),
        api_key_last4: "ABCD".into(),
        active,
        currency: Currency::Eur,
        currency_auto: true,
        prices_with_vat: true,
        hook_token: format!("token-{active}-{}", rand_suffix()),
        hook_secret_sealed: SEALED_HOOK.into(),
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

fn field_codes(e: &StoreError) -> Vec<(String, &'static str)> {
    e.validation()
        .map(|v| v.errors.iter().map(|f| (f.field.clone(), f.code)).collect())
        .unwrap_or_default()
}

async fn p1_a_connection_in_use_takes_a_seat(store: Store) {
    let (firm, _owner, _main) = firm_with_owner(&store, "Места", "ivan").await;
    let mut input = store.firm(firm).await.unwrap();
    let seats = |n| sklad_domain::model::FirmInput {
        name: input.name.clone(),
        eik: input.eik.clone(),
        currency: input.currency,
        vat_registered: input.vat_registered,
        seats: n,
        allow_negative_stock: input.allow_negative_stock,
    };
    store.update_firm(firm, &seats(1)).await.unwrap();
    let err = store
        .create_shop_connection(firm, &new_connection(true), "ivan")
        .await
        .unwrap_err();
    assert_eq!(
        field_codes(&err),
        [("active".into(), "seats_for_connection")]
    );
    assert!(
        err.message_en().contains("at least 2"),
        "{}",
        err.message_en()
    );
    assert!(store.shop_connections(firm).await.unwrap().is_empty());
    // Not in use, it takes no seat; putting it in use with 2 seats works, and then the
    // firm cannot go back to 1 seat nor add a second member.
    let c = store
        .create_shop_connection(firm, &new_connection(false), "ivan")
        .await
        .unwrap();
    store.update_firm(firm, &seats(2)).await.unwrap();
    let mut update = sklad_store::shops::ShopConnectionUpdate {
        name: c.name.clone(),
        shop_url: c.shop_url.clone(),
        shop_host: c.shop_host.clone(),
        api_key: None,
        active: true,
        currency: c.currency,
        currency_auto: c.currency_auto,
        prices_with_vat: c.prices_with_vat,
    };
    assert!(
        store
            .update_shop_connection(firm, c.id, &update, "ivan")
            .await
            .unwrap()
            .active
    );
    assert_eq!(
        field_codes(&store.update_firm(firm, &seats(1)).await.unwrap_err())[0].1,
        "seats_exceeded"
    );
    input = store.firm(firm).await.unwrap();
    assert_eq!(input.seats, 2);
    let maria = store.create_user(&user_input("maria")).await.unwrap();
    let err = store
        .add_member(firm, maria.id, sklad_domain::model::Role::Operator, "test")
        .await
        .unwrap_err();
    assert_eq!(field_codes(&err)[0].1, "seats_exceeded");
    update.active = false;
    store
        .update_shop_connection(firm, c.id, &update, "ivan")
        .await
        .unwrap();
    store
        .add_member(firm, maria.id, sklad_domain::model::Role::Operator, "test")
        .await
        .unwrap();
}

async fn service(store: &Store, firm: Id, code: &str, kind: GoodKind) -> Id {
    store
        .create_good(
            firm,
            &GoodInput {
                code: code.into(),
                barcodes: vec![],
                name: code.into(),
                measure: "бр.".into(),
                kind,
                vat_rate: VatRate::Standard,
                group: None,
                active: true,
                prices: BTreeMap::new(),
            },
        )
        .await
        .unwrap()
        .id
}

async fn s2_s3_g1_settings_refuse_what_cannot_work(store: Store) {
    let (firm, _owner, main) = firm_with_owner(&store, "Настройки", "ivan").await;
    let c = store
        .create_shop_connection(firm, &new_connection(false), "ivan")
        .await
        .unwrap();
    assert_eq!(c.settings.operations_object_id, Some(main));
    store
        .refresh_shop_payments(
            firm,
            c.id,
            &[
                ("cod".into(), "Наложен платеж".into(), true),
                ("stripe".into(), "Карта".into(), true),
                ("old".into(), "Стар".into(), false),
            ],
        )
        .await
        .unwrap();
    let stocked = service(&store, firm, "STOCKED", GoodKind::Good).await;
    let mut settings = c.settings.clone();
    settings.feed = FeedObjects::Objects(vec![]);
    settings.delivery_good_id = Some(stocked);
    settings.auto_sync = true;
    let err = store
        .save_shop_settings(firm, c.id, &settings, &BTreeMap::new(), "ivan")
        .await
        .unwrap_err();
    let codes = field_codes(&err);
    for expected in [
        ("feed", "feed_objects_required"),
        ("delivery_good_id", "special_good_not_service"),
        ("discount_good_id", "special_good_missing"),
        ("fee_good_id", "special_good_missing"),
        ("payments.cod", "payment_unmapped"),
        ("payments.stripe", "payment_unmapped"),
        ("auto_sync", "first_push_unconfirmed"),
    ] {
        assert!(
            codes.contains(&(expected.0.into(), expected.1)),
            "{expected:?} in {codes:?}"
        );
    }
    assert!(
        !codes.iter().any(|(f, _)| f == "payments.old"),
        "inactive methods need no mapping"
    );
    // Nothing was saved.
    assert_eq!(
        store.shop_connection(firm, c.id).await.unwrap().settings,
        c.settings
    );
    // „Създай“ makes the three services, reusing an existing service with the code.
    let existing = service(&store, firm, "CC-TAKSA", GoodKind::Service).await;
    let with_goods = store
        .create_special_goods(firm, c.id, "ivan")
        .await
        .unwrap();
    assert_eq!(with_goods.settings.fee_good_id, Some(existing));
    for role in SpecialGoodRole::ALL {
        let id = with_goods.settings.special_good(role).unwrap();
        assert_eq!(store.good(firm, id).await.unwrap().kind, GoodKind::Service);
    }
    // A special good cannot be deleted while a connection uses it.
    let err = store
        .delete_good(firm, with_goods.settings.delivery_good_id.unwrap())
        .await
        .unwrap_err();
    assert_eq!(field_codes(&err)[0].1, "good_in_use");
    let types = store.payment_types(firm).await.unwrap();
    let mapping = BTreeMap::from([
        ("cod".to_owned(), Some(types[4].id)),
        ("stripe".to_owned(), Some(types[2].id)),
    ]);
    let mut settings = with_goods.settings.clone();
    settings.feed = FeedObjects::Objects(vec![main]);
    let saved = store
        .save_shop_settings(firm, c.id, &settings, &mapping, "ivan")
        .await
        .unwrap();
    assert_eq!(saved.settings.feed, FeedObjects::Objects(vec![main]));
    assert!(store
        .shop_settings_problems(firm, c.id)
        .await
        .unwrap()
        .is_empty());
    // The mapped payment type and the feeding object cannot be deleted now.
    assert_eq!(
        field_codes(
            &store
                .delete_payment_type(firm, types[4].id)
                .await
                .unwrap_err()
        )[0]
        .1,
        "payment_type_in_use"
    );
    assert_eq!(
        field_codes(&store.delete_object(firm, main).await.unwrap_err())[0].1,
        "object_in_use"
    );
    // A refreshed list keeps the mapping of methods still there.
    let list = store
        .refresh_shop_payments(firm, c.id, &[("cod".into(), "Наложен платеж".into(), true)])
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].payment_type_id, Some(types[4].id));
    let journal = store
        .shop_journal(firm, Some(c.id), Default::default())
        .await
        .unwrap();
    let actions: Vec<&str> = journal.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["settings_saved", "special_goods", "connection_created"]
    );
}

async fn x4_one_run_of_an_action_at_a_time_and_stale_runs_are_failed(store: Store) {
    let (store, clock) = on_virtual_time(store);
    let (firm, _owner, _main) = firm_with_owner(&store, "Задачи", "ivan").await;
    let c = store
        .create_shop_connection(firm, &new_connection(false), "ivan")
        .await
        .unwrap();
    let first = store
        .create_shop_job(firm, c.id, "check", false, "ivan")
        .await
        .unwrap();
    let err = store
        .create_shop_job(firm, c.id, "check", false, "ivan")
        .await
        .unwrap_err();
    assert_eq!(field_codes(&err)[0].1, "job_running");
    // Another kind may run meanwhile.
    store
        .create_shop_job(firm, c.id, "test", false, "ivan")
        .await
        .unwrap();
    // Claiming needs the host's lease; the claimer gets the oldest job.
    assert!(store
        .claim_shop_job("me", &["other.bg".into()])
        .await
        .unwrap()
        .is_none());
    let (claimed_firm, claimed) = store
        .claim_shop_job("me", &["shop.example.bg".into()])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (claimed_firm, claimed.id, claimed.status.as_str()),
        (firm, first.id, "running")
    );
    // A running job whose heartbeat is old died with its process.
    let progress = JobProgress::default();
    assert!(!store
        .update_shop_job_progress(first.id, &progress)
        .await
        .unwrap());
    advance(&clock, 121);
    let again = store
        .create_shop_job(firm, c.id, "check", false, "ivan")
        .await
        .unwrap();
    let old = store.shop_job(firm, first.id).await.unwrap();
    assert_eq!(old.status, "failed");
    assert_eq!(old.error.unwrap().code, "job_interrupted");
    // Cancelling a queued job ends it at once; a running one is asked to stop.
    assert_eq!(
        store.cancel_shop_job(firm, again.id).await.unwrap().status,
        "cancelled"
    );
    let third = store
        .create_shop_job(firm, c.id, "check", false, "ivan")
        .await
        .unwrap();
    let _ = store
        .claim_shop_job("me", &["shop.example.bg".into()])
        .await
        .unwrap();
    let _ = store
        .claim_shop_job("me", &["shop.example.bg".into()])
        .await
        .unwrap();
    let cancelled = store.cancel_shop_job(firm, third.id).await.unwrap();
    assert!(cancelled.cancel_requested);
    assert!(store
        .update_shop_job_progress(third.id, &progress)
        .await
        .unwrap());
}

/// The store on a virtual clock standing at 30.11.2026 08:00 UTC.
fn on_virtual_time(store: Store) -> (Store, ManualClock) {
    let clock = ManualClock::new("2026-11-30T08:00:00Z".parse().unwrap());
    (store.with_clock(std::sync::Arc::new(clock.clone())), clock)
}

fn advance(clock: &ManualClock, seconds: i64) {
    clock.advance(jiff::SignedDuration::from_secs(seconds));
}

async fn leases_let_one_process_at_a_time_spend_a_shop(store: Store) {
    let (store, clock) = on_virtual_time(store);
    let ttl = jiff::SignedDuration::from_secs(60);
    assert!(store.acquire_shop_lease("shop.bg", "a", ttl).await.unwrap());
    assert!(!store.acquire_shop_lease("shop.bg", "b", ttl).await.unwrap());
    assert!(
        store.acquire_shop_lease("shop.bg", "a", ttl).await.unwrap(),
        "renewal"
    );
    assert!(store
        .acquire_shop_lease("other.bg", "b", ttl)
        .await
        .unwrap());
    advance(&clock, 61);
    assert!(
        store.acquire_shop_lease("shop.bg", "b", ttl).await.unwrap(),
        "lapsed"
    );
    assert!(!store.acquire_shop_lease("shop.bg", "a", ttl).await.unwrap());
    store.release_shop_lease("shop.bg", "b").await.unwrap();
    assert!(store.acquire_shop_lease("shop.bg", "a", ttl).await.unwrap());
}

async fn s4_s1_connections_travel_in_backups_without_their_secrets(store: Store) {
    let (firm, owner, main) = firm_with_owner(&store, "Архив с магазин", "ivan").await;
    let c = store
        .create_shop_connection(firm, &new_connection(true), "ivan")
        .await
        .unwrap();
    let c = store
        .create_special_goods(firm, c.id, "ivan")
        .await
        .unwrap();
    store
        .apply_shop_import(
            firm,
            c.id,
            &[ImportStep::Create {
                input: GoodInput {
                    code: "SKU-1".into(),
                    barcodes: vec!["3800000000017".into()],
                    name: "Тениска (M)".into(),
                    measure: "бр.".into(),
                    kind: GoodKind::Good,
                    vat_rate: VatRate::Standard,
                    group: None,
                    active: true,
                    prices: BTreeMap::new(),
                },
                variant_id: "501".into(),
                product_id: "50".into(),
            }],
        )
        .await
        .unwrap();
    let secrets = store.shop_connection_secrets(firm, c.id).await.unwrap();
    let archive = store.backup_firm(firm).await.unwrap();
    let mut json = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&archive[..]), &mut json)
        .unwrap();
    for secret in [SEALED_KEY, SEALED_HOOK, secrets.hook_token.as_str(), "ABCD"] {
        assert!(!json.contains(secret), "the archive holds {secret}");
    }
    assert!(json.contains("shop.example.bg"));
    let maria = store.create_user(&user_input("maria")).await.unwrap();
    let restored = store.restore_firm(&archive, maria.id, None).await.unwrap();
    let copies = store.shop_connections(restored.id).await.unwrap();
    assert_eq!(copies.len(), 1);
    let copy = &copies[0];
    assert!(!copy.active && !copy.settings.auto_sync);
    assert_eq!(copy.api_key_last4, None, "asks for the key again");
    assert!(copy.settings.delivery_good_id.is_some());
    assert_ne!(
        copy.settings.operations_object_id,
        Some(main),
        "remapped to the new firm"
    );
    let copy_secrets = store
        .shop_connection_secrets(restored.id, copy.id)
        .await
        .unwrap();
    assert_eq!(copy_secrets.api_key_sealed, None);
    assert_ne!(copy_secrets.hook_token, secrets.hook_token);
    let links = store.shop_links(restored.id, copy.id).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        store
            .good(restored.id, links[0].good_id)
            .await
            .unwrap()
            .code,
        "SKU-1"
    );
    assert_eq!(
        store.export_firm_canonical(firm).await.unwrap()["shop_links"],
        store.export_firm_canonical(restored.id).await.unwrap()["shop_links"]
    );
    let _ = owner;
}

/// A delivery to the connection's inbox.
fn delivery(connection_id: Id, event: &str, body: &str) -> NewDelivery {
    NewDelivery {
        connection_id,
        event: event.into(),
        body: body.into(),
    }
}

/// X2, issue 8 (one batch of the inbox's triage, as the bridge settles it): every
/// delivery claimed once, with its firm; an order named twice is marked dirty once
/// and keeps the fees one of its deliveries gave; a product named twice leaves one
/// hint; an unreadable delivery is listed with its reason; a later delivery of a
/// known order gives it a new dirty version and does not drop its fees.
async fn x2_one_triage_batch_settles_every_delivery_whole(store: Store) {
    let (firm, _owner, _main) = firm_with_owner(&store, "Поща", "ivan").await;
    let stored = store.firm(firm).await.unwrap();
    let two_seats = sklad_domain::model::FirmInput {
        name: stored.name,
        eik: stored.eik,
        currency: stored.currency,
        vat_registered: stored.vat_registered,
        seats: 2,
        allow_negative_stock: stored.allow_negative_stock,
    };
    store.update_firm(firm, &two_seats).await.unwrap();
    let connection = store
        .create_shop_connection(firm, &new_connection(true), "ivan")
        .await
        .unwrap()
        .id;
    let bodies = [
        ("order.created", r#"{"id":7}"#),
        ("order.updated", r#"{"id":7,"status":"paid"}"#),
        ("order.created", r#"{"id":8}"#),
        ("product.updated", r#"{"id":5}"#),
        ("product.updated", r#"{"id":5,"price":1}"#),
        ("order.created", "не е JSON"),
    ];
    let deliveries: Vec<NewDelivery> = bodies
        .iter()
        .map(|(event, body)| delivery(connection, event, body))
        .collect();
    store.insert_shop_deliveries(&deliveries).await.unwrap();

    let items = store.claim_inbox("triage", 100).await.unwrap();
    assert_eq!(
        items
            .iter()
            .map(|i| (
                i.firm_id,
                i.connection_id,
                i.event.as_str(),
                i.body.as_str()
            ))
            .collect::<Vec<_>>(),
        bodies
            .iter()
            .map(|(event, body)| (firm, connection, *event, *body))
            .collect::<Vec<_>>()
    );
    assert!(store.claim_inbox("other", 100).await.unwrap().is_empty());
    let fees = serde_json::json!([{"name": "Наложен платеж", "amount": 250}]);
    let order = |id: &str, fees: Option<&serde_json::Value>| Triage::Order {
        shop_order_id: id.into(),
        fees: fees.cloned(),
    };
    let product = || Triage::Product {
        shop_product_id: "5".into(),
    };
    let triage = [
        order("7", Some(&fees)),
        order("7", None),
        order("8", None),
        product(),
        product(),
        Triage::Unreadable {
            reason_bg: "тялото не е JSON".into(),
            reason_en: "the body is not JSON".into(),
        },
    ];
    let settled: Vec<(InboxItem, Triage)> = items.into_iter().zip(triage).collect();
    store.settle_inbox(&settled).await.unwrap();

    let seven = store.shop_order(firm, connection, "7").await.unwrap();
    assert!(seven.dirty);
    assert_eq!(seven.state, "waiting");
    assert_eq!(seven.fees.as_ref(), Some(&fees));
    let eight = store.shop_order(firm, connection, "8").await.unwrap();
    assert!(eight.dirty);
    assert_eq!(eight.fees, None);
    let hints = store
        .claim_product_hints("triage", &["shop.example.bg".to_owned()], 10)
        .await
        .unwrap();
    assert_eq!(
        hints
            .iter()
            .map(|h| (h.connection_id, h.shop_product_id.as_str()))
            .collect::<Vec<_>>(),
        [(connection, "5")]
    );
    let unreadable = store
        .unreadable_deliveries(
            firm,
            Paging {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(unreadable.total, 1);
    assert_eq!(unreadable.items[0].body, "не е JSON");
    assert_eq!(unreadable.items[0].reason_en, "the body is not JSON");
    assert_eq!(unreadable.items[0].reason_bg, "тялото не е JSON");
    assert!(store.claim_inbox("triage", 100).await.unwrap().is_empty());

    store
        .insert_shop_deliveries(&[delivery(connection, "order.updated", r#"{"id":7,"s":2}"#)])
        .await
        .unwrap();
    let again = store.claim_inbox("triage", 100).await.unwrap();
    assert_eq!(again.len(), 1);
    let settled: Vec<(InboxItem, Triage)> =
        again.into_iter().map(|i| (i, order("7", None))).collect();
    store.settle_inbox(&settled).await.unwrap();
    let seven_again = store.shop_order(firm, connection, "7").await.unwrap();
    assert!(seven_again.version > seven.version, "a new dirty version");
    assert_eq!(seven_again.fees.as_ref(), Some(&fees), "fees kept");
}

both!(
    p1_a_connection_in_use_takes_a_seat,
    s2_s3_g1_settings_refuse_what_cannot_work,
    x4_one_run_of_an_action_at_a_time_and_stale_runs_are_failed,
    leases_let_one_process_at_a_time_spend_a_shop,
    s4_s1_connections_travel_in_backups_without_their_secrets,
    x2_one_triage_batch_settles_every_delivery_whole,
);
