//! The client against the emulator over real HTTP on 127.0.0.1, on shared virtual time.

mod common;

use cloudcart::models::catalogue::{Stock, VariantUpdate};
use cloudcart::models::orders::{Fulfillment, FulfillmentStatus, OrderStatus, TotalCode};
use cloudcart::models::webhooks::{
    decode_entity_delivery, decode_order_delivery, WebhookEvent, WebhookWrite,
};
use cloudcart::models::Currency;
use cloudcart::{Error, Priority, Query, YesNo};
use cloudcart_sim::{ApiFault, Buyer, DiscountSpec, OrderRequest, SettingsPatch, ShopConfig};
use common::{body_of, first_sku, no_429_tolerance, webhook_receiver, Rig, HOST, KEY};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

#[tokio::test]
async fn paging_streams_all_10000_variants_once_each() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(4_500)).await;
    let expected = rig.control.variants(HOST).len();
    assert!(expected >= 10_000, "seed gave only {expected} variants");
    let mut pages = rig.client.variants(Query::new());
    let (mut ids, mut page_count, mut rows) = (HashSet::new(), 0, 0);
    while let Some(page) = pages.next_page().await.unwrap() {
        page_count += 1;
        rows += page.items.len();
        assert!(page.items.len() <= 100);
        for v in page.items {
            assert!(
                v.attributes.price.is_some(),
                "variant {} has no price",
                v.id
            );
            ids.insert(v.id);
        }
    }
    assert_eq!(rows, expected);
    assert_eq!(ids.len(), expected);
    assert_eq!(page_count, expected.div_ceil(100));
}

#[tokio::test]
async fn a_full_company_order_comes_with_every_include() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(20)).await;
    let skus: Vec<String> = rig
        .control
        .variants(HOST)
        .into_iter()
        .filter_map(|v| v.sku)
        .take(2)
        .collect();
    let mut req = OrderRequest::person("firma@example.bg", &[(&skus[0], 2), (&skus[1], 1)]);
    req.buyer = Buyer::Company {
        email: "firma@example.bg".into(),
        company_name: "Кафе Агал ЕООД".into(),
        eik: "204512345".into(),
        vat: Some("BG204512345".into()),
        mol: "Мария Георгиева".into(),
    };
    req.discount = Some(DiscountSpec {
        name: "Лятна седмица".into(),
        code: Some("KAFE10".into()),
        discount_type: "percent".into(),
        value: 10,
    });
    let id = rig.control.place_order(HOST, &req).unwrap();

    let full = rig.client.full_order(&id.to_string()).await.unwrap();
    let o = &full.order.attributes;
    assert_eq!(o.status, Some(OrderStatus::Pending));
    assert_eq!(o.currency, Some(Currency::Eur));
    assert_eq!(o.customer_email.as_deref(), Some("firma@example.bg"));
    assert_eq!(full.lines.len(), 2);
    let line_skus: HashSet<_> = full
        .lines
        .iter()
        .filter_map(|l| l.attributes.sku.clone())
        .collect();
    assert_eq!(line_skus, skus.iter().cloned().collect());
    assert!(full.lines.iter().all(|l| l.attributes.price.is_some()));
    assert_eq!(full.discounts.len(), 1);
    assert_eq!(full.discounts[0].attributes.code.as_deref(), Some("KAFE10"));
    assert!(!full.totals.is_empty());
    let total = full
        .total(&TotalCode::Total)
        .or(full.total(&TotalCode::GrandTotal))
        .expect("a total row");
    assert_eq!(Some(total), o.total_amount());
    assert!(!full.taxes.is_empty());
    assert!(full.payment.as_ref().unwrap().attributes.provider.is_some());
    let shipping = full.shipping.as_ref().expect("shipping");
    assert!(shipping.attributes.provider_amount.is_some());
    assert!(
        full.shipping_provider.is_some(),
        "shipping.provider included"
    );
    assert!(full.shipping_address.is_some());
    let billing = &full.billing_address.as_ref().expect("billing").attributes;
    assert_eq!(
        billing.company_registration_number.as_deref(),
        Some("204512345")
    );
    assert_eq!(billing.company_vat.as_deref(), Some("BG204512345"));
    assert_eq!(billing.company_person.as_deref(), Some("Мария Георгиева"));
}

#[tokio::test]
async fn the_limiter_never_gets_a_429_when_it_knows_the_limit() {
    let rig = Rig::start(
        ShopConfig::new(HOST)
            .seed_products(5)
            .rate_limit_per_minute(10),
    )
    .await;
    let client = rig.client_with_retry(no_429_tolerance());
    let variants = client.variants(Query::new()).collect_all().await.unwrap();
    let target = &variants[0];
    // 9 admissions per minute; 40 writes need at least four windows.
    for i in 0..40 {
        let update = VariantUpdate {
            quantity: Some(Stock::units(i)),
            price: None,
        };
        client
            .update_variant(&target.id, &update)
            .await
            .unwrap_or_else(|e| panic!("write {i}: {e:?}"));
    }
    // Emulator side: every write arrived and was answered 200 — none was refused.
    let writes = rig.control.received_writes(HOST);
    assert_eq!(writes.len(), 40);
    assert!(writes.iter().all(|w| w.status == 200), "{writes:?}");
    assert!(rig.time.elapsed() >= Duration::from_secs(4 * 60));
    assert_eq!(client.rate_limit().limit, Some(10));
}

#[tokio::test]
async fn concurrent_clones_share_one_limiter_and_stay_under_the_limit() {
    let rig = Rig::start(
        ShopConfig::new(HOST)
            .seed_products(5)
            .rate_limit_per_minute(6),
    )
    .await;
    let client = rig.client_with_retry(no_429_tolerance());
    let mut tasks = Vec::new();
    for i in 0..4 {
        let c = client.at(if i % 2 == 0 {
            Priority::OrderRead
        } else {
            Priority::StockWrite
        });
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                c.orders(Query::new().page_size(1)).next_page().await?;
            }
            Ok::<_, Error>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // 20 requests at 5 per minute: four windows of virtual time.
    assert!(rig.time.elapsed() >= Duration::from_secs(180));
}

#[tokio::test]
async fn an_injected_429_is_waited_out_for_retry_after() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(3)).await;
    rig.client.check().await.unwrap();
    rig.control
        .inject_api_fault(
            HOST,
            ApiFault::TooManyRequests {
                retry_after: 42,
                count: 1,
            },
        )
        .unwrap();
    let before = rig.time.elapsed();
    let page = rig.client.variants(Query::new()).next_page().await.unwrap();
    assert!(page.is_some());
    assert!(rig.time.elapsed() - before >= Duration::from_secs(42));

    // More 429s than the client will sit through: a typed error.
    rig.control
        .inject_api_fault(
            HOST,
            ApiFault::TooManyRequests {
                retry_after: 60,
                count: 10,
            },
        )
        .unwrap();
    let err = rig
        .client
        .variants(Query::new())
        .next_page()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::RateLimited {
            retry_after: Duration::from_secs(60)
        }
    );
    assert!(!err.message_bg().is_empty());
}

#[tokio::test]
async fn injected_5xx_are_retried_with_backoff_then_reported() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(3)).await;
    rig.control
        .inject_api_fault(
            HOST,
            ApiFault::Status {
                status: 502,
                count: 2,
            },
        )
        .unwrap();
    let before = rig.time.elapsed();
    assert!(rig
        .client
        .variants(Query::new())
        .next_page()
        .await
        .unwrap()
        .is_some());
    // Backoff 2 s then 4 s.
    assert!(rig.time.elapsed() - before >= Duration::from_secs(6));

    rig.control
        .inject_api_fault(
            HOST,
            ApiFault::Status {
                status: 503,
                count: 10,
            },
        )
        .unwrap();
    match rig.client.variants(Query::new()).next_page().await {
        Err(Error::Unavailable {
            status: Some(503), ..
        }) => {}
        other => panic!("{other:?}"),
    }
    rig.control.clear_api_faults(HOST).unwrap();
    // A 4xx is never retried: one 404 for a missing record, no backoff.
    let before = rig.time.elapsed();
    assert!(matches!(
        rig.client.variant("99999999").await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(rig.time.elapsed(), before);
}

#[tokio::test]
async fn auth_failures_are_typed() {
    let rig = Rig::start_shops(vec![
        ShopConfig::new(HOST)
            .api_key(KEY)
            .seed_products(2)
            .alias("www.shop.localhost"),
        ShopConfig::new("free.localhost")
            .api_key(KEY)
            .rate_limit_per_minute(0),
    ])
    .await;
    // Missing key: refused before anything is sent.
    assert_eq!(
        cloudcart::ClientConfig::new(&rig.sim.base_url(HOST), "")
            .unwrap_err()
            .code(),
        "cloudcart.invalid_config"
    );
    // Bad key.
    let bad = rig.client_for(HOST, "WRONGKEY");
    assert_eq!(bad.check().await.unwrap_err(), Error::Unauthorized);
    // Unknown shop.
    let unknown = rig.client_for("nosuchshop.localhost", KEY);
    assert_eq!(
        unknown.check().await.unwrap_err(),
        Error::UnknownShop {
            host: "nosuchshop.localhost".into()
        }
    );
    // Plan without API: typed error, and afterwards nothing more is sent.
    let free = rig.client_for("free.localhost", KEY);
    let e = free.check().await.unwrap_err();
    assert_eq!(e, Error::NoApiOnPlan);
    assert!(e.message_en().contains("upgrade above STARTUP"));
    assert_eq!(free.rate_limit().limit, Some(0));
    let err = free
        .update_variant(
            "1",
            &VariantUpdate {
                quantity: Some(Stock::units(1)),
                price: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err, Error::NoApiOnPlan);
    assert!(rig.control.received_writes("free.localhost").is_empty());
    // A non-primary domain is "limit 0" too.
    let alias = rig.client_for("www.shop.localhost", KEY);
    assert_eq!(alias.check().await.unwrap_err(), Error::NoApiOnPlan);
    // Subscription expired: 402.
    rig.control
        .update_settings(
            HOST,
            &SettingsPatch {
                subscription_expired: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(
        rig.client.check().await,
        Err(Error::PlanLimit { .. })
    ));
}

#[tokio::test]
async fn decoding_tolerates_missing_and_extra_attributes() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(5)).await;
    // Sparse fieldset: only the SKU comes back; everything else reads as absent.
    let sparse = rig
        .client
        .variants(Query::new().fields("variants", &["sku"]))
        .collect_all()
        .await
        .unwrap();
    assert!(!sparse.is_empty());
    assert!(sparse
        .iter()
        .all(|v| v.attributes.price.is_none() && v.attributes.quantity.is_none()));
    // Full rows carry attributes the models do not name (unit_name, …): ignored.
    let full = rig
        .client
        .variants(Query::new())
        .collect_all()
        .await
        .unwrap();
    assert!(full.iter().all(|v| v.attributes.quantity.is_some()));
    // Products with includes; categories; providers; parameters and options.
    let products = rig
        .client
        .products(Query::new().include(["variants"]))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(products.len(), 5);
    let handle = products[0]
        .attributes
        .url_handle
        .clone()
        .expect("url_handle");
    let by_handle = rig.client.product_by_url_handle(&handle).await.unwrap();
    assert_eq!(by_handle.map(|p| p.id), Some(products[0].id.clone()));
    assert!(rig
        .client
        .product_by_url_handle("no-such-handle")
        .await
        .unwrap()
        .is_none());
    assert!(!rig
        .client
        .categories(Query::new())
        .collect_all()
        .await
        .unwrap()
        .is_empty());
    let payment = rig
        .client
        .payment_providers(Query::new())
        .collect_all()
        .await
        .unwrap();
    assert!(payment.iter().any(|p| p.id == "cod"));
    let shipping = rig
        .client
        .shipping_providers(Query::new())
        .collect_all()
        .await
        .unwrap();
    assert!(!shipping.is_empty());
    let params = rig
        .client
        .variant_parameters(Query::new())
        .collect_all()
        .await
        .unwrap();
    assert!(!params.is_empty());
    let options = rig
        .client
        .variant_options(Query::new().filter("parameter_id", params[0].id.clone()))
        .collect_all()
        .await
        .unwrap();
    assert!(options
        .iter()
        .all(|o| o.attributes.parameter_id.map(|p| p.to_string()) == Some(params[0].id.clone())));
}

#[tokio::test]
async fn variant_quantity_and_price_round_trip() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(5)).await;
    let sku = first_sku(&rig.control);
    let found = rig.client.variants_by_sku(&sku).await.unwrap();
    assert_eq!(found.len(), 1);
    let id = found[0].id.clone();
    let updated = rig
        .client
        .at(Priority::UrgentStockWrite)
        .update_variant(
            &id,
            &VariantUpdate {
                quantity: Some(Stock::units(7)),
                price: Some(1999),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.attributes.quantity, Some(Stock::units(7)));
    assert_eq!(updated.attributes.price, Some(1999));
    let again = rig.client.variant(&id).await.unwrap();
    assert_eq!(
        (again.attributes.quantity, again.attributes.price),
        (Some(Stock::units(7)), Some(1999))
    );
    let shop_side = rig.control.variant(HOST, &sku).unwrap();
    assert_eq!((shop_side.quantity, shop_side.price), (Some(7.0), 1999));
    // Fractional stock (decimal(20,3)) stays exact.
    let half = Stock::Counted(cloudcart::Decimal3::from_thousandths(2_500));
    rig.client
        .update_variant(
            &id,
            &VariantUpdate {
                quantity: Some(half),
                price: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(rig.control.variant(HOST, &sku).unwrap().quantity, Some(2.5));
    assert_eq!(
        rig.client.variant(&id).await.unwrap().attributes.quantity,
        Some(half)
    );
    // Unlimited is `null` on the wire.
    rig.client
        .update_variant(
            &id,
            &VariantUpdate {
                quantity: Some(Stock::Unlimited),
                price: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(rig.control.variant(HOST, &sku).unwrap().quantity, None);
    assert_eq!(
        rig.client.variant(&id).await.unwrap().attributes.quantity,
        Some(Stock::Unlimited)
    );
    // Bad input is refused before sending.
    let before = rig.control.received_writes(HOST).len();
    assert_eq!(
        rig.client
            .update_variant(&id, &VariantUpdate::default())
            .await
            .unwrap_err()
            .code(),
        "cloudcart.invalid_input"
    );
    assert_eq!(
        rig.client
            .update_variant(
                "..",
                &VariantUpdate {
                    quantity: Some(Stock::units(1)),
                    price: None
                }
            )
            .await
            .unwrap_err()
            .code(),
        "cloudcart.invalid_input"
    );
    assert_eq!(rig.control.received_writes(HOST).len(), before);
}

#[tokio::test]
async fn order_status_patch_and_its_gates() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(5)).await;
    let sku = first_sku(&rig.control);
    let id = rig
        .control
        .place_order(HOST, &OrderRequest::person("ivan@example.bg", &[(&sku, 1)]))
        .unwrap()
        .to_string();
    let listed = rig.client.orders(Query::new()).collect_all().await.unwrap();
    assert!(listed.iter().any(|o| o.id == id));
    let paid = rig
        .client
        .set_order_status(&id, &OrderStatus::Paid)
        .await
        .unwrap();
    assert_eq!(paid.attributes.status, Some(OrderStatus::Paid));
    // Gate: no cancel from paid → 422 with a pointer.
    match rig
        .client
        .set_order_status(&id, &OrderStatus::Cancelled)
        .await
    {
        Err(Error::Validation {
            status: 422,
            problems,
        }) => {
            assert!(problems
                .iter()
                .any(|p| p.pointer.is_some() || p.detail.is_some()));
        }
        other => panic!("{other:?}"),
    }
    // Gateway-only codes are refused before anything is sent.
    let writes_before = rig.control.received_writes(HOST).len();
    assert_eq!(
        rig.client
            .set_order_status(&id, &OrderStatus::Voided)
            .await
            .unwrap_err()
            .code(),
        "cloudcart.invalid_input"
    );
    assert_eq!(rig.control.received_writes(HOST).len(), writes_before);
    let statuses = rig.client.order_statuses().await.unwrap();
    assert!(statuses.iter().any(|s| s.slug.as_deref() == Some("paid")));
    let lines = rig.client.order_lines(&id).collect_all().await.unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].attributes.sku.as_deref(), Some(sku.as_str()));
    // The customer was recorded and is found in single-record mode.
    let customer = rig
        .client
        .customer_by_email("ivan@example.bg")
        .await
        .unwrap();
    let customer = customer.expect("the buyer is a customer (guest)");
    assert_eq!(
        customer.attributes.email.as_deref(),
        Some("ivan@example.bg")
    );
    assert!(rig
        .client
        .customer_by_email("nobody@example.bg")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn webhook_subscriptions_crud() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(1)).await;
    let mut write = WebhookWrite::new(
        "http://127.0.0.1:9/hooks/order-created",
        WebhookEvent::OrderCreated,
    );
    write.request_headers = Some(BTreeMap::from([(
        "X-Erp-Secret".to_owned(),
        "s1".to_owned(),
    )]));
    let created = rig.client.create_webhook(&write).await.unwrap();
    assert_eq!(created.attributes.event, Some(WebhookEvent::OrderCreated));
    assert_eq!(created.attributes.active, Some(YesNo::Yes));
    assert_eq!(
        created
            .attributes
            .request_headers
            .get("X-Erp-Secret")
            .map(String::as_str),
        Some("s1")
    );

    let listed = rig
        .client
        .webhooks(Query::new())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);

    let update = WebhookWrite {
        active: Some(false),
        request_headers: Some(BTreeMap::from([("X-Other".to_owned(), "v".to_owned())])),
        ..WebhookWrite::default()
    };
    let updated = rig
        .client
        .update_webhook(&created.id, &update)
        .await
        .unwrap();
    assert_eq!(updated.attributes.active, Some(YesNo::No));
    assert!(!updated
        .attributes
        .request_headers
        .contains_key("X-Erp-Secret"));
    assert_eq!(
        updated
            .attributes
            .request_headers
            .get("X-Other")
            .map(String::as_str),
        Some("v")
    );
    let read_only = WebhookWrite {
        api_key_id: Some(1),
        ..WebhookWrite::default()
    };
    assert_eq!(
        rig.client
            .update_webhook(&created.id, &read_only)
            .await
            .unwrap_err()
            .code(),
        "cloudcart.invalid_input"
    );

    // `order.deleted` is refused by the platform with a 422.
    let refused = rig
        .client
        .create_webhook(&WebhookWrite::new(
            "http://127.0.0.1:9/x",
            WebhookEvent::Other("order.deleted".into()),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::Validation { status: 422, .. }),
        "{refused:?}"
    );

    rig.client.delete_webhook(&created.id).await.unwrap();
    assert!(rig
        .client
        .webhooks(Query::new())
        .collect_all()
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        rig.client.delete_webhook(&created.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(rig.control.webhooks(HOST).is_empty());
}

#[tokio::test]
async fn a_bad_query_is_a_validation_error_with_the_parameter() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(1)).await;
    match rig
        .client
        .variants(Query::new().sort("sku"))
        .next_page()
        .await
    {
        Err(Error::Validation { problems, .. }) => {
            assert!(
                problems
                    .iter()
                    .any(|p| p.parameter.as_deref() == Some("sort")),
                "{problems:?}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn deliveries_from_the_shop_decode_with_the_receiver_helpers() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(3)).await;
    let (addr, seen) = webhook_receiver().await;
    let mut order_hook = WebhookWrite::new(
        format!("http://{addr}/hooks/order-created"),
        WebhookEvent::OrderCreated,
    );
    order_hook.request_headers = Some(BTreeMap::from([(
        "X-Erp-Secret".to_owned(),
        "k2026a".to_owned(),
    )]));
    rig.client.create_webhook(&order_hook).await.unwrap();
    rig.client
        .create_webhook(&WebhookWrite::new(
            format!("http://{addr}/hooks/customer-created"),
            WebhookEvent::CustomerCreated,
        ))
        .await
        .unwrap();
    let sku = first_sku(&rig.control);
    let id = rig
        .control
        .place_order(
            HOST,
            &OrderRequest::person("maria@example.bg", &[(&sku, 1)]),
        )
        .unwrap();
    rig.control.advance(Duration::from_secs(61)).await;

    let requests = seen.lock().unwrap().clone();
    let order_req = requests
        .iter()
        .find(|r| r.starts_with("POST /hooks/order-created "))
        .expect("order.created delivered");
    let lower = order_req.to_ascii_lowercase();
    assert!(lower.contains(&format!("x-cloudcart-apikey: {}", KEY.to_ascii_lowercase())));
    assert!(lower.contains("x-erp-secret: k2026a"));
    assert!(lower.contains("content-type: application/json"));
    let payload = decode_order_delivery(body_of(order_req).as_bytes()).unwrap();
    assert_eq!(payload.id, Some(i64::try_from(id).unwrap()));
    assert_eq!(payload.status, Some(OrderStatus::Pending));
    assert_eq!(payload.products.len(), 1);

    let customer_req = requests
        .iter()
        .find(|r| r.starts_with("POST /hooks/customer-created "))
        .expect("customer.created delivered for the new guest customer");
    let entity = decode_entity_delivery(body_of(customer_req).as_bytes()).unwrap();
    assert!(entity.id.is_some());
    assert_eq!(
        entity.attributes.get("email").and_then(|v| v.as_str()),
        Some("maria@example.bg")
    );
}

#[tokio::test]
async fn fulfilling_an_order_marks_it_shipped_once() {
    let rig = Rig::start(ShopConfig::new(HOST).seed_products(3)).await;
    let sku = first_sku(&rig.control);
    let id = rig
        .control
        .place_order(
            HOST,
            &OrderRequest::person("petar@example.bg", &[(&sku, 1)]),
        )
        .unwrap()
        .to_string();
    rig.client
        .set_order_status(&id, &OrderStatus::Paid)
        .await
        .unwrap();
    let shipped = Fulfillment {
        shipping_tracking_number: Some("1051602259".into()),
        shipping_date_expedition: Some("2026-06-02".into()),
        ..Fulfillment::default()
    };
    let order = rig.client.fulfill_order(&id, &shipped).await.unwrap();
    assert_eq!(
        order.attributes.status_fulfillment,
        Some(FulfillmentStatus::Fulfilled)
    );
    // Paid + fulfilled auto-completes (the shop's default `order_complete`).
    assert_eq!(order.attributes.status, Some(OrderStatus::Completed));
    match rig.client.fulfill_order(&id, &shipped).await {
        Err(Error::Validation { status: 422, .. }) => {}
        other => panic!("a second fulfilment must be refused: {other:?}"),
    }
    let bad = Fulfillment {
        shipping_date_delivery: Some("утре".into()),
        ..Fulfillment::default()
    };
    assert_eq!(
        rig.client
            .fulfill_order(&id, &bad)
            .await
            .unwrap_err()
            .code(),
        "cloudcart.invalid_input"
    );
}
