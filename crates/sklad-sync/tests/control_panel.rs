//! The control panel's jobs against the emulated shop over loopback HTTP (SPEC P2, P3,
//! S4, K1–K4, X4), on both engines where storage matters.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use cloudcart_sim::{
    ApiFault, BrokenCases, Currency as ShopCurrency, Plan, SettingsPatch, ShopConfig,
};
use sklad_domain::model::{GoodInput, GoodKind};
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{Currency, Id, PriceGroup, Quantity, VatRate};
use sklad_store::shops::ShopJob;
use sklad_store::{Engine, Paging, Store, StoreError};
use sklad_sync::{Bridge, BridgeConfig, ClientSettings, JobKind, SyncError};
use support::{rig, Rig, JOB_WAIT};

fn summary(job: &ShopJob) -> &serde_json::Value {
    assert_eq!(job.status, "done", "{job:?}");
    job.summary.as_ref().expect("summary")
}

/// Every result row of a job as (variant id or good code, status).
async fn row_statuses(rig: &Rig, job: &ShopJob) -> BTreeMap<String, String> {
    let rows = rig
        .store
        .shop_job_rows(
            rig.firm_id,
            job.id,
            None,
            Paging {
                limit: 1000,
                offset: 0,
            },
        )
        .await
        .unwrap();
    rows.items
        .into_iter()
        .map(|r| {
            let key = r.shop_variant_id.or(r.good_code).unwrap_or_default();
            (key, r.status)
        })
        .collect()
}

async fn good(store: &Store, firm: Id, code: &str, barcodes: &[&str], kind: GoodKind) -> Id {
    store
        .create_good(
            firm,
            &GoodInput {
                code: code.into(),
                barcodes: barcodes.iter().map(|b| b.to_string()).collect(),
                name: format!("Склад {code}"),
                measure: "бр.".into(),
                kind,
                vat_rate: VatRate::Standard,
                group: None,
                active: true,
                prices: BTreeMap::from([(PriceGroup::Retail, 1234)]),
            },
        )
        .await
        .unwrap()
        .id
}

async fn k1_every_status_on_a_seeded_shop_with_broken_cases(engine: Engine) {
    let broken = BrokenCases {
        missing_sku: 1,
        duplicate_barcode: 1,
        missing_name: 1,
        missing_description: 1,
    };
    let shop = ShopConfig::new("shop.localhost")
        .seed_products(12)
        .broken(broken);
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let variants = rig.sim.control().variants(&rig.host);
    let with_sku: Vec<_> = variants
        .iter()
        .filter(|v| v.sku.is_some() && v.barcode.is_some())
        .collect();
    let sku = |i: usize| with_sku[i].sku.clone().unwrap();
    let barcode = |i: usize| with_sku[i].barcode.clone().unwrap();
    let firm = rig.firm_id;
    // Matched by code; a clash (the SKU is one good's code and another's barcode); an
    // ambiguous one (code → one good, barcode → another); a service matched; and a good
    // the shop lacks.
    good(&rig.store, firm, &sku(2), &[], GoodKind::Good).await;
    good(&rig.store, firm, &sku(3), &[], GoodKind::Good).await;
    good(&rig.store, firm, "CLASH-B", &[&sku(3)], GoodKind::Good).await;
    good(&rig.store, firm, &sku(4), &[], GoodKind::Good).await;
    good(&rig.store, firm, "AMB-B", &[&barcode(4)], GoodKind::Good).await;
    good(&rig.store, firm, &sku(5), &[], GoodKind::Service).await;
    good(&rig.store, firm, "ONLY-HERE", &[], GoodKind::Good).await;
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    let check = rig.run(connection.id, JobKind::Check, false).await;
    let s = summary(&check);
    let counts = &s["counts"];
    for status in [
        "matched",
        "new_in_shop",
        "only_in_warehouse",
        "sku_missing",
        "duplicate_barcode",
        "clash",
        "ambiguous",
        "name_missing",
    ] {
        assert!(counts[status].as_i64().unwrap() >= 1, "{status}: {s}");
    }
    assert!(s["description_missing"].as_i64().unwrap() >= 1, "{s}");
    let statuses = row_statuses(&rig, &check).await;
    let id = |i: usize| with_sku[i].id.to_string();
    assert_eq!(statuses[&id(2)], "matched");
    assert_eq!(statuses[&id(3)], "clash");
    assert_eq!(statuses[&id(4)], "ambiguous");
    assert_eq!(statuses[&id(5)], "ambiguous");
    assert_eq!(statuses["ONLY-HERE"], "only_in_warehouse");
    // Price and quantity are information beside the status.
    let rows = rig
        .store
        .shop_job_rows(firm, check.id, Some("matched"), Paging::default())
        .await
        .unwrap();
    let matched = &rows.items[0];
    assert_eq!(matched.firm_price, Some(1234));
    assert_eq!(matched.shop_price, Some(with_sku[2].price));
    assert_eq!(matched.firm_quantity, Some(0));
    // The filter by status and the row counts agree with the summary.
    let by_status: HashMap<String, i64> = rig
        .store
        .shop_job_row_counts(firm, check.id)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(by_status["clash"], counts["clash"].as_i64().unwrap());
    assert_eq!(by_status.values().sum::<i64>(), s["rows"].as_i64().unwrap());
    // The import skips every problem row with its reason and writes nothing for it.
    let import = rig.run(connection.id, JobKind::Import, false).await;
    let skipped = rig
        .store
        .shop_job_rows(
            firm,
            import.id,
            Some("skip"),
            Paging {
                limit: 1000,
                offset: 0,
            },
        )
        .await
        .unwrap();
    let reasons: Vec<String> = skipped
        .items
        .iter()
        .filter_map(|r| r.reason.clone())
        .collect();
    for reason in [
        "sku_missing",
        "duplicate_barcode",
        "name_missing",
        "clash",
        "ambiguous",
    ] {
        assert!(
            reasons.iter().any(|r| r == reason),
            "{reason} in {reasons:?}"
        );
    }
    assert!(rig.store.good_by_code(firm, "CLASH-B").await.is_ok());
}

async fn k2_k3_dry_run_is_the_run_a_second_run_changes_nothing_then_all_synchronised(
    engine: Engine,
) {
    let shop = ShopConfig::new("shop.localhost").seed_products(20);
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let existing = rig.sim.control().variants(&rig.host)[0].clone();
    let old = good(
        &rig.store,
        rig.firm_id,
        existing.sku.as_deref().unwrap(),
        &[],
        GoodKind::Good,
    )
    .await;
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    let test = rig
        .store
        .latest_shop_job(rig.firm_id, connection.id, "test", true)
        .await
        .unwrap()
        .unwrap();
    let s = summary(&test);
    assert_eq!(s["ok"], true, "{s}");
    assert_eq!(
        s["warnings"][0]["code"], "currency_assumed",
        "no orders yet: {s}"
    );
    assert_eq!(
        s["variants"].as_u64().unwrap() as usize,
        rig.sim.control().variants(&rig.host).len()
    );

    let dry = rig.run(connection.id, JobKind::Import, true).await;
    let dry_rows = row_statuses(&rig, &dry).await;
    assert!(
        rig.store
            .shop_links(rig.firm_id, connection.id)
            .await
            .unwrap()
            .is_empty(),
        "a dry run writes nothing"
    );
    let real = rig.run(connection.id, JobKind::Import, false).await;
    assert_eq!(summary(&dry)["counts"], summary(&real)["counts"]);
    assert_eq!(dry_rows, row_statuses(&rig, &real).await, "row by row");
    assert_eq!(dry_rows[&existing.id.to_string()], "update");
    // The existing good got the shop's name and barcode, and kept its code.
    let updated = rig.store.good(rig.firm_id, old).await.unwrap();
    assert_eq!(updated.barcodes, vec![existing.barcode.clone().unwrap()]);
    assert_ne!(
        updated.name,
        format!("Склад {}", existing.sku.as_deref().unwrap())
    );
    // A new good: code = SKU, VAT 20 %, kind good, the price in Retail (the operations
    // object's group), one link per variant.
    let v = &rig.sim.control().variants(&rig.host)[1];
    let created = rig
        .store
        .good_by_code(rig.firm_id, v.sku.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (created.kind, created.vat_rate),
        (GoodKind::Good, VatRate::Standard)
    );
    assert_eq!(created.prices.get(&PriceGroup::Retail), Some(&v.price));
    assert_eq!(created.barcodes, vec![v.barcode.clone().unwrap()]);
    let links = rig
        .store
        .shop_links(rig.firm_id, connection.id)
        .await
        .unwrap();
    assert_eq!(links.len(), rig.sim.control().variants(&rig.host).len());

    let again = rig.run(connection.id, JobKind::Import, false).await;
    let counts = &summary(&again)["counts"];
    let actions: Vec<&str> = counts
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(actions, ["unchanged"], "{counts}");

    let check = rig.run(connection.id, JobKind::Check, false).await;
    let s = summary(&check);
    assert_eq!(s["problems"], 0, "{s}");
    assert_eq!(
        s["counts"]["linked"], s["variants"],
        "K3: every variant synchronised: {s}"
    );
}

async fn p2_a_plan_without_api_and_an_alias_domain_are_explained(engine: Engine) {
    let shop = ShopConfig::new("shop.localhost")
        .plan(Plan::BabyPack)
        .alias("alias.localhost");
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    let test = rig
        .store
        .latest_shop_job(rig.firm_id, connection.id, "test", true)
        .await
        .unwrap()
        .unwrap();
    let problem = &summary(&test)["problems"][0];
    assert_eq!(problem["code"], "no_api", "{problem}");
    let fix = problem["fix_bg"].as_str().unwrap();
    assert!(
        fix.contains("STARTUP") && fix.contains("основния домейн"),
        "both causes: {fix}"
    );
    let fix_en = problem["fix_en"].as_str().unwrap();
    assert!(
        fix_en.contains("STARTUP") && fix_en.contains("primary domain"),
        "{fix_en}"
    );

    // An alias domain of a shop on a paid plan: the same refusal and the same fix.
    rig.sim
        .control()
        .update_settings(
            &rig.host,
            &SettingsPatch {
                rate_limit_per_minute: Some(150),
                ..Default::default()
            },
        )
        .unwrap();
    let port = rig.sim.addr().port();
    let alias = rig
        .bridge
        .create_connection(
            rig.firm_id,
            &ConnectionInput {
                name: "Псевдоним".into(),
                shop_url: format!("http://alias.localhost:{port}"),
                api_key: Some(rig.api_key()),
                active: false,
                currency: None,
                prices_with_vat: true,
            },
            "test",
        )
        .await
        .unwrap();
    rig.settle(alias.id).await;
    let test = rig
        .store
        .latest_shop_job(rig.firm_id, alias.id, "test", true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary(&test)["problems"][0]["code"], "no_api");
    // A www. address is refused before anything is stored or sent.
    let err = rig
        .bridge
        .create_connection(
            rig.firm_id,
            &ConnectionInput {
                name: "www".into(),
                shop_url: "https://www.zarno-pamuk.bg".into(),
                api_key: Some("KEY".into()),
                active: false,
                currency: None,
                prices_with_vat: true,
            },
            "test",
        )
        .await
        .unwrap_err();
    match err {
        SyncError::Store(StoreError::Validation(v)) => {
            assert_eq!(v.errors[0].code, "shop_url_alias")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rig.store.shop_connections(rig.firm_id).await.unwrap().len(),
        2
    );
}

async fn s4_a_wrong_key_and_a_wrong_address_are_explained(engine: Engine) {
    let Some(rig) = rig(engine, ShopConfig::new("shop.localhost"), Currency::Eur).await else {
        return;
    };
    let port = rig.sim.addr().port();
    for (url, key, code) in [
        (
            rig.sim.base_url(&rig.host),
            "WRONGKEY".to_owned(),
            "key_refused",
        ),
        (
            format!("http://nosuch.localhost:{port}"),
            rig.api_key(),
            "url_unknown",
        ),
    ] {
        let c = rig
            .bridge
            .create_connection(
                rig.firm_id,
                &ConnectionInput {
                    name: code.into(),
                    shop_url: url,
                    api_key: Some(key),
                    active: false,
                    currency: None,
                    prices_with_vat: true,
                },
                "test",
            )
            .await
            .unwrap();
        rig.settle(c.id).await;
        let test = rig
            .store
            .latest_shop_job(rig.firm_id, c.id, "test", true)
            .await
            .unwrap()
            .unwrap();
        let problem = &summary(&test)["problems"][0];
        assert_eq!(problem["code"], code, "{problem}");
        assert!(!problem["fix_bg"].as_str().unwrap().is_empty());
        // The journal says it too, never with the key.
        let journal = rig
            .store
            .shop_journal(rig.firm_id, Some(c.id), Paging::default())
            .await
            .unwrap();
        assert_eq!(journal.items[0].outcome, "error");
        assert!(!serde_json::to_string(&journal.items)
            .unwrap()
            .contains(&rig.api_key()));
    }
}

async fn p3_eur_shop_bgn_firm_net_prices_and_a_usd_shop(engine: Engine) {
    let shop = ShopConfig::new("shop.localhost").seed_products(3);
    let Some(rig) = rig(engine, shop, Currency::Bgn).await else {
        return;
    };
    let v = rig.sim.control().variants(&rig.host)[0].clone();
    rig.sim
        .control()
        .place_order(
            &rig.host,
            &cloudcart_sim::OrderRequest::person("a@b.bg", &[(v.sku.as_deref().unwrap(), 1)]),
        )
        .unwrap();
    let connection = rig.connect().await;
    assert_eq!(
        connection.currency,
        Currency::Bgn,
        "the firm's until the test"
    );
    rig.settle(connection.id).await;
    let after = rig
        .store
        .shop_connection(rig.firm_id, connection.id)
        .await
        .unwrap();
    assert_eq!(
        after.currency,
        Currency::Eur,
        "filled from the latest order"
    );
    rig.run(connection.id, JobKind::Import, false).await;
    let imported = rig
        .store
        .good_by_code(rig.firm_id, v.sku.as_deref().unwrap())
        .await
        .unwrap();
    let expected = sklad_domain::money::convert_minor(v.price, Currency::Eur, Currency::Bgn);
    assert_eq!(
        imported.prices[&PriceGroup::Retail],
        expected,
        "EUR → BGN at 1.95583"
    );

    // Prices without VAT: a new good gets its price with 20 % added.
    let mut input = ConnectionInput {
        name: after.name.clone(),
        shop_url: after.shop_url.clone(),
        api_key: None,
        active: true,
        currency: Some(Currency::Eur),
        prices_with_vat: false,
    };
    rig.bridge
        .update_connection(rig.firm_id, connection.id, &input, "test")
        .await
        .unwrap();
    let fresh = rig
        .sim
        .control()
        .create_product(
            &rig.host,
            &cloudcart_sim::NewProduct::new(
                "Нетна цена",
                vec![cloudcart_sim::NewVariant::new("NET-1", 1000, Some(3.0))],
            ),
        )
        .unwrap();
    assert_eq!(fresh.variants.len(), 1);
    rig.run(connection.id, JobKind::Import, false).await;
    let net = rig.store.good_by_code(rig.firm_id, "NET-1").await.unwrap();
    let gross_eur = 1200;
    assert_eq!(
        net.prices[&PriceGroup::Retail],
        sklad_domain::money::convert_minor(gross_eur, Currency::Eur, Currency::Bgn)
    );

    // A setting that contradicts the orders is a warning; a currency Sklad cannot take
    // is a problem.
    input.currency = Some(Currency::Bgn);
    rig.bridge
        .update_connection(rig.firm_id, connection.id, &input, "test")
        .await
        .unwrap();
    let test = rig.run(connection.id, JobKind::Test, false).await;
    assert_eq!(summary(&test)["warnings"][0]["code"], "currency_mismatch");
    rig.sim
        .control()
        .update_settings(
            &rig.host,
            &SettingsPatch {
                currency: Some(ShopCurrency::Usd),
                ..Default::default()
            },
        )
        .unwrap();
    rig.sim
        .control()
        .place_order(
            &rig.host,
            &cloudcart_sim::OrderRequest::person("c@d.bg", &[(v.sku.as_deref().unwrap(), 1)]),
        )
        .unwrap();
    let test = rig.run(connection.id, JobKind::Test, false).await;
    let s = summary(&test);
    assert_eq!(s["ok"], false);
    assert_eq!(s["problems"][0]["code"], "currency_unsupported", "{s}");
    assert!(s["problems"][0]["message_en"]
        .as_str()
        .unwrap()
        .contains("USD"));
}

/// Maps the shop's payment methods, creates the special goods: settings complete.
async fn k4_webhooks_registered_and_the_watchdog_repairs_what_the_merchant_broke(engine: Engine) {
    let Some(rig) = rig(engine, ShopConfig::new("shop.localhost"), Currency::Eur).await else {
        return;
    };
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    // Not before the settings are complete.
    let refused = rig.run(connection.id, JobKind::Webhooks, false).await;
    assert_eq!(refused.status, "failed");
    let error = refused.error.unwrap();
    assert_eq!(error.code, "special_good_missing");
    assert!(
        error.message_en.contains("payment_unmapped"),
        "{}",
        error.message_en
    );
    rig.complete_settings(connection.id).await;
    let done = rig.run(connection.id, JobKind::Webhooks, false).await;
    assert_eq!(summary(&done)["events"]["order.created"], "created");
    let control = rig.sim.control();
    let hooks = control.webhooks(&rig.host);
    assert_eq!(hooks.len(), 5);
    assert!(hooks
        .iter()
        .all(|h| h.active && h.url.starts_with("http://127.0.0.1:9/hooks/cloudcart/")));
    let events: Vec<&str> = hooks.iter().map(|h| h.event.as_str()).collect();
    for e in [
        "order.created",
        "order.updated",
        "product.created",
        "product.updated",
        "product.deleted",
    ] {
        assert!(events.contains(&e), "{e}");
    }
    // One URL per event.
    let mut urls: Vec<&str> = hooks.iter().map(|h| h.url.as_str()).collect();
    urls.dedup();
    assert_eq!(urls.len(), 5);
    // Running it again changes nothing.
    let again = rig.run(connection.id, JobKind::Webhooks, false).await;
    assert!(summary(&again)["events"]
        .as_object()
        .unwrap()
        .values()
        .all(|a| a == "ok"));
    assert_eq!(control.webhooks(&rig.host).len(), 5);
    // The merchant disables one and deletes another; the watchdog, 15 minutes later,
    // re-enables and re-creates them and says so in the journal.
    let disabled = hooks.iter().find(|h| h.event == "order.created").unwrap();
    let deleted = hooks.iter().find(|h| h.event == "order.updated").unwrap();
    control
        .set_webhook_active(&rig.host, disabled.id, false)
        .unwrap();
    control.delete_webhook(&rig.host, deleted.id).unwrap();
    rig.bridge.tick().await.unwrap();
    assert!(
        rig.store
            .latest_shop_job(rig.firm_id, connection.id, "watchdog", false)
            .await
            .unwrap()
            .is_none(),
        "not due yet"
    );
    rig.clock.advance(jiff::SignedDuration::from_mins(16));
    rig.settle(connection.id).await;
    let watchdog = rig
        .store
        .latest_shop_job(rig.firm_id, connection.id, "watchdog", true)
        .await
        .unwrap()
        .unwrap();
    let events = &summary(&watchdog)["events"];
    assert_eq!(events["order.created"], "re_enabled");
    assert_eq!(events["order.updated"], "recreated");
    let hooks = control.webhooks(&rig.host);
    assert_eq!(hooks.len(), 5);
    assert!(hooks.iter().all(|h| h.active));
    let journal = rig
        .store
        .shop_journal(rig.firm_id, Some(connection.id), Paging::default())
        .await
        .unwrap();
    assert_eq!(journal.items[0].action, "watchdog");
    assert!(
        journal.items[0].message_en.contains("re_enabled"),
        "{}",
        journal.items[0].message_en
    );
}

async fn opening_stock_then_the_first_push_preview_and_its_confirmation(engine: Engine) {
    let shop = ShopConfig::new("shop.localhost").seed_products(5);
    let Some(rig) = rig(engine, shop, Currency::Eur).await else {
        return;
    };
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    rig.run(connection.id, JobKind::Import, false).await;
    // Before opening stock the warehouse has nothing: every counted quantity would go
    // down.
    let preview = rig.run(connection.id, JobKind::PushPreview, false).await;
    let s = summary(&preview);
    let counted = rig
        .sim
        .control()
        .variants(&rig.host)
        .iter()
        .filter(|v| v.quantity.is_some_and(|q| q > 0.0))
        .count();
    assert_eq!(s["down"].as_u64().unwrap() as usize, counted, "{s}");
    let dry = rig.run(connection.id, JobKind::OpeningStock, true).await;
    assert_eq!(summary(&dry)["lines"].as_u64().unwrap() as usize, counted);
    assert!(summary(&dry)["operations"].as_array().unwrap().is_empty());
    let run = rig.run(connection.id, JobKind::OpeningStock, false).await;
    let operations = summary(&run)["operations"].as_array().unwrap().clone();
    assert_eq!(operations.len(), 1);
    let op = rig
        .store
        .operation(rig.firm_id, operations[0].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(op.kind, sklad_domain::operation::OperationKind::StockTaking);
    for v in rig.sim.control().variants(&rig.host) {
        let g = rig
            .store
            .good_by_code(rig.firm_id, v.sku.as_deref().unwrap())
            .await
            .unwrap();
        let level = rig.store.stock_of_good(rig.firm_id, g.id).await.unwrap();
        let on_hand = level.first().map(|l| l.on_hand).unwrap_or(Quantity::ZERO);
        assert_eq!(on_hand.milli(), (v.quantity.unwrap_or(0.0) * 1000.0) as i64);
    }
    let preview = rig.run(connection.id, JobKind::PushPreview, false).await;
    let s = summary(&preview);
    assert_eq!(
        (s["up"].as_i64(), s["down"].as_i64()),
        (Some(0), Some(0)),
        "{s}"
    );
    // The merchant confirms; auto-sync may then be switched on.
    let confirmed = rig
        .bridge
        .confirm_first_push(rig.firm_id, connection.id, preview.id, "test")
        .await
        .unwrap();
    assert!(confirmed.first_push_confirmed_at.is_some());
    let err = rig
        .bridge
        .confirm_first_push(rig.firm_id, connection.id, run.id, "test")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "validation");
}

on_both_engines!(
    k1_every_status_on_a_seeded_shop_with_broken_cases,
    k2_k3_dry_run_is_the_run_a_second_run_changes_nothing_then_all_synchronised,
    p2_a_plan_without_api_and_an_alias_domain_are_explained,
    s4_a_wrong_key_and_a_wrong_address_are_explained,
    p3_eur_shop_bgn_firm_net_prices_and_a_usd_shop,
    k4_webhooks_registered_and_the_watchdog_repairs_what_the_merchant_broke,
    opening_stock_then_the_first_push_preview_and_its_confirmation,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x4_a_running_job_is_cancelled_at_its_next_step() {
    let shop = ShopConfig::new("shop.localhost").seed_products(5);
    let rig = rig(Engine::Sqlite, shop, Currency::Eur).await.unwrap();
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    // The shop hangs on the next request until its clock moves: the check is stuck
    // running on its first page.
    rig.sim
        .control()
        .inject_api_fault(
            &rig.host,
            ApiFault::Hang {
                seconds: 30,
                count: 1,
            },
        )
        .unwrap();
    let job = rig
        .bridge
        .start_job(rig.firm_id, connection.id, JobKind::Check, false, "test")
        .await
        .unwrap();
    rig.bridge.tick().await.unwrap();
    rig.sim.control().wait_for_held_requests(&rig.host, 1).await;
    assert_eq!(
        rig.store
            .shop_job(rig.firm_id, job.id)
            .await
            .unwrap()
            .status,
        "running"
    );
    let second = rig
        .bridge
        .start_job(rig.firm_id, connection.id, JobKind::Check, false, "test")
        .await
        .unwrap_err();
    assert_eq!(
        second.code(),
        "validation",
        "two runs of one action cannot overlap"
    );
    rig.store
        .cancel_shop_job(rig.firm_id, job.id)
        .await
        .unwrap();
    rig.sim.control().advance(Duration::from_secs(31)).await;
    let done = rig
        .bridge
        .wait_job(rig.firm_id, job.id, JOB_WAIT)
        .await
        .unwrap();
    assert_eq!(done.status, "cancelled", "{done:?}");
    let journal = rig
        .store
        .shop_journal(rig.firm_id, Some(connection.id), Paging::default())
        .await
        .unwrap();
    assert_eq!(journal.items[0].outcome, "warning");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_at_a_time_spends_a_shops_budget_and_connections_share_its_limiter() {
    let shop = ShopConfig::new("shop.localhost").seed_products(3);
    let rig = rig(Engine::Sqlite, shop, Currency::Eur).await.unwrap();
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    // A second process on the same database (and key file): its jobs for this shop wait
    // for the lease.
    let mut config = BridgeConfig::new("http://127.0.0.1:9");
    config.clients = ClientSettings {
        clock: std::sync::Arc::new(cloudcart::clock::VirtualClock::new()),
        ..ClientSettings::default()
    };
    let other = Bridge::new(rig.store.clone(), rig.secrets.clone(), config);
    let job = rig
        .bridge
        .start_job(rig.firm_id, connection.id, JobKind::Check, false, "test")
        .await
        .unwrap();
    other.tick().await.unwrap();
    assert_eq!(
        rig.store
            .shop_job(rig.firm_id, job.id)
            .await
            .unwrap()
            .status,
        "queued",
        "the other process leaves the shop alone"
    );
    rig.bridge.tick().await.unwrap();
    assert_eq!(
        rig.bridge
            .wait_job(rig.firm_id, job.id, JOB_WAIT)
            .await
            .unwrap()
            .status,
        "done"
    );
    // Once the lease lapses (the first process stopped renewing), the other takes over.
    rig.clock.advance(jiff::SignedDuration::from_secs(61));
    let job = rig
        .bridge
        .start_job(rig.firm_id, connection.id, JobKind::Check, false, "test")
        .await
        .unwrap();
    other.tick().await.unwrap();
    assert_eq!(
        other
            .wait_job(rig.firm_id, job.id, JOB_WAIT)
            .await
            .unwrap()
            .status,
        "done"
    );
    // Two connections to one shop spend one rate budget in a process.
    let twin = rig
        .bridge
        .create_connection(
            rig.firm_id,
            &ConnectionInput {
                name: "Втора".into(),
                shop_url: rig.sim.base_url(&rig.host),
                api_key: Some(rig.api_key()),
                active: false,
                currency: None,
                prices_with_vat: true,
            },
            "test",
        )
        .await
        .unwrap();
    rig.clock.advance(jiff::SignedDuration::from_secs(61));
    let before = rig.bridge.rate_budget(&rig.host).unwrap().in_window;
    rig.settle(twin.id).await;
    rig.run(connection.id, JobKind::Test, false).await;
    let after = rig.bridge.rate_budget(&rig.host).unwrap();
    assert!(
        after.in_window >= before + 10,
        "both connections' requests in one window: {before} → {after:?}"
    );
    assert_eq!(after.limit, Some(800));
}
