//! The control panel's jobs against the emulated shop over loopback HTTP, on both
//! engines: the connection test, K1, K2 and K3.

mod support;

use cloudcart_sim::ShopConfig;
use sklad_domain::Currency;
use sklad_store::Engine;
use sklad_sync::JobKind;
use support::rig;

async fn k3_import_then_every_row_is_synchronised(engine: Engine) {
    let Some(rig) = rig(
        engine,
        ShopConfig::new("shop.localhost").seed_products(20),
        Currency::Eur,
    )
    .await
    else {
        return;
    };
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    let test = rig
        .store
        .latest_shop_job(rig.firm_id, connection.id, "test", true)
        .await
        .unwrap()
        .expect("test job");
    let summary = test.summary.clone().expect("summary");
    assert_eq!(summary["ok"], true, "{test:?}");
    assert!(summary["variants"].as_i64().unwrap() >= 20);

    let check = rig.run(connection.id, JobKind::Check, false).await;
    assert_eq!(check.status, "done", "{check:?}");
    let counts = &check.summary.as_ref().unwrap()["counts"];
    assert!(counts["new_in_shop"].as_i64().unwrap() >= 20, "{counts}");

    let dry = rig.run(connection.id, JobKind::Import, true).await;
    assert_eq!(dry.status, "done", "{dry:?}");
    let real = rig.run(connection.id, JobKind::Import, false).await;
    assert_eq!(real.status, "done", "{real:?}");
    assert_eq!(
        dry.summary.as_ref().unwrap()["counts"],
        real.summary.as_ref().unwrap()["counts"],
        "the dry run said what the run did"
    );
    let again = rig.run(connection.id, JobKind::Import, false).await;
    let counts = &again.summary.as_ref().unwrap()["counts"];
    assert_eq!(counts.get("create"), None, "{counts}");
    assert_eq!(counts.get("update"), None, "{counts}");

    let check = rig.run(connection.id, JobKind::Check, false).await;
    let summary = check.summary.unwrap();
    assert_eq!(summary["problems"], 0, "{summary}");
    assert_eq!(
        summary["counts"]["linked"], summary["variants"],
        "every variant is synchronised: {summary}"
    );
}

on_both_engines!(k3_import_then_every_row_is_synchronised);
