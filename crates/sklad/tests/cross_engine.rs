//! "Restore it elsewhere": a firm backed up by `sklad backup` from the embedded SQLite
//! database and restored by `sklad restore` into PostgreSQL is identical. Runs when
//! `SKLAD_TEST_DATABASE_URL` is set (required under `CI`).

mod support;

use support::{id, ok, sklad_on as sklad};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_restores_into_postgres_identically() {
    let Some(pg_db) = sklad_store::testing::TestDatabase::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    // A firm with goods and stock on SQLite, set up through the store.
    let firm = id(
        &ok(sklad(
            &data,
            None,
            &[
                "firm",
                "create",
                "--name",
                "Пътуваща ООД",
                "--eik",
                "831826092",
                "--currency",
                "bgn",
            ],
        )),
        "firm_id",
    );
    let sqlite_url = format!("sqlite://{}", data.join("sklad.db").display());
    let sqlite = sklad_store::Store::open(&sqlite_url).await.expect("sqlite");
    let good = sqlite
        .create_good(
            firm,
            &sklad_domain::model::GoodInput {
                code: "TRIP".into(),
                barcodes: vec!["3800000000055".into()],
                name: "Куфар".into(),
                measure: "бр.".into(),
                kind: sklad_domain::model::GoodKind::Good,
                vat_rate: sklad_domain::VatRate::Standard,
                group: None,
                active: true,
                prices: [(sklad_domain::PriceGroup::Retail, 12_000)]
                    .into_iter()
                    .collect(),
            },
        )
        .await
        .expect("good");
    let object = sqlite.objects(firm).await.expect("objects")[0].id;
    sqlite
        .create_operation(
            firm,
            &sklad_domain::operation::OperationDraft {
                kind: sklad_domain::operation::OperationKind::Delivery,
                date: jiff::civil::date(2026, 11, 28),
                object_id: object,
                target_object_id: None,
                partner_id: None,
                payment_type_id: None,
                currency: sklad_domain::Currency::Bgn,
                lines: vec![sklad_domain::operation::Line {
                    good_id: good.id,
                    quantity: sklad_domain::Quantity::from_units(3),
                    unit_price: 8_000,
                    vat_rate: sklad_domain::VatRate::Standard,
                    discount_bp: 0,
                }],
                external_ref: None,
                note: None,
            },
        )
        .await
        .expect("delivery");
    let archive = dir.path().join("trip.sklad.gz");
    ok(sklad(
        &data,
        None,
        &[
            "backup",
            "--firm",
            &firm.to_string(),
            "--out",
            archive.to_str().unwrap(),
        ],
    ));

    // Into PostgreSQL: a firm and an owner there, then the restore.
    let pg = Some(pg_db.url());
    let home = id(
        &ok(sklad(
            &data,
            pg,
            &["firm", "create", "--name", "Домакин ООД"],
        )),
        "firm_id",
    );
    ok(sklad(
        &data,
        pg,
        &[
            "user",
            "create",
            "--firm",
            &home.to_string(),
            "--login",
            "mover",
            "--role",
            "owner",
        ],
    ));
    let restored = id(
        &ok(sklad(
            &data,
            pg,
            &[
                "restore",
                "--file",
                archive.to_str().unwrap(),
                "--owner",
                "mover",
            ],
        )),
        "firm_id",
    );

    let postgres = sklad_store::Store::open(pg_db.url())
        .await
        .expect("postgres");
    let before = sqlite
        .export_firm_canonical(firm)
        .await
        .expect("export sqlite");
    let after = postgres
        .export_firm_canonical(restored)
        .await
        .expect("export postgres");
    sqlite.close().await;
    postgres.close().await;
    drop(pg_db);
    assert_eq!(before, after);
}
