//! Firm backup and restore: round trip equal by canonical export on each engine and
//! from SQLite to PostgreSQL; damaged archives refused with nothing written.

mod common;

use common::*;
use sklad_store::testing::TestDatabase;
use sklad_store::{Store, StoreError};

async fn s1_firm_backup_round_trip(store: Store) {
    let (firm, owner) = populated_firm(&store, "ivan").await;
    let before = store.export_firm_canonical(firm).await.unwrap();
    let archive = store.backup_firm(firm).await.unwrap();
    let summary = store.inspect_archive(&archive).await.unwrap();
    assert_eq!(summary.firm_name, "Архивна фирма");
    assert_eq!(summary.source_engine, store.engine());
    assert_eq!(
        (
            summary.objects,
            summary.goods,
            summary.partners,
            summary.operations
        ),
        (2, 3, 1, 8)
    );
    // Inspecting wrote nothing: the owner still has exactly one firm.
    assert_eq!(store.memberships(owner).await.unwrap().len(), 1);
    let other = store.create_user(&user_input("maria")).await.unwrap();
    let restored = store.restore_firm(&archive, other.id, None).await.unwrap();
    assert_ne!(restored.id, firm);
    let after = store.export_firm_canonical(restored.id).await.unwrap();
    assert_eq!(before, after);
    // The restored firm works: its records are its own, the order keeps its link.
    let order = store
        .operation_by_external_ref(restored.id, "cloudcart", "5001")
        .await
        .unwrap()
        .unwrap();
    let sale = store
        .operation(restored.id, order.converted_to.unwrap())
        .await
        .unwrap();
    assert_eq!(sale.kind, sklad_domain::operation::OperationKind::Sale);
    assert_eq!(
        store.memberships(other.id).await.unwrap()[0].firm_id,
        restored.id
    );
    assert_eq!(store.memberships(owner).await.unwrap().len(), 1);
    // Named restore.
    let named = store
        .restore_firm(&archive, other.id, Some("Копие".into()))
        .await
        .unwrap();
    assert_eq!(named.name, "Копие");
    // Snapshots of the archive's contents are stable: a second backup is equal in
    // content.
    let again = store.export_firm_canonical(firm).await.unwrap();
    assert_eq!(before, again);
    assert_eq!(before["operations"].as_array().unwrap().len(), 8);
}

async fn s1_damaged_archives_are_refused_and_nothing_is_written(store: Store) {
    let (firm, owner) = populated_firm(&store, "ivan").await;
    let archive = store.backup_firm(firm).await.unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (archive[..archive.len() / 2].to_vec(), "archive_corrupt"),
        (archive[..archive.len() - 4].to_vec(), "archive_corrupt"),
        (b"not an archive at all".to_vec(), "archive_corrupt"),
        (Vec::new(), "archive_corrupt"),
        (
            tamper(&archive, |v| v["payload"]["firm"][0] = "Чужда".into()),
            "archive_checksum",
        ),
        (
            tamper(&archive, |v| {
                v["payload"]["tables"]["stock"][0][2] = 999_000.into();
            }),
            "archive_checksum",
        ),
        (
            tamper(&archive, |v| v["version"] = 99.into()),
            "archive_version",
        ),
        (
            tamper(&archive, |v| v["format"] = "zip".into()),
            "archive_format",
        ),
        (
            tamper(&archive, |v| {
                v["payload"]["tables"]
                    .as_object_mut()
                    .unwrap()
                    .remove("goods");
            }),
            "archive_checksum",
        ),
        // Forged checksums: the structure itself is checked before writing.
        (
            tamper(&archive, |v| {
                v["payload"]["tables"]["stock"][0][1] = 999_999.into();
                reseal(v);
            }),
            "archive_corrupt",
        ),
        (
            tamper(&archive, |v| {
                v["payload"]["tables"]["operations"][0][1] = "gift".into();
                reseal(v);
            }),
            "archive_corrupt",
        ),
        (
            tamper(&archive, |v| {
                v["payload"]["tables"]
                    .as_object_mut()
                    .unwrap()
                    .remove("goods");
                reseal(v);
            }),
            "archive_corrupt",
        ),
    ];
    let mut flipped = archive.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    for (i, (bytes, code)) in cases
        .into_iter()
        .chain([(flipped, "archive_corrupt")])
        .enumerate()
    {
        let inspected = store.inspect_archive(&bytes).await.unwrap_err();
        assert_eq!(inspected.code(), code, "inspect, case {i}");
        let err = store.restore_firm(&bytes, owner, None).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Archive { .. }),
            "case {i}: {err:?}"
        );
        assert_eq!(err.code(), code, "case {i}");
        assert!(!err.message_bg().is_empty() && !err.message_en().is_empty());
    }
    // Nothing written: the owner still has one firm, and a good archive restores.
    assert_eq!(store.memberships(owner).await.unwrap().len(), 1);
    store.restore_firm(&archive, owner, None).await.unwrap();
    assert_eq!(store.memberships(owner).await.unwrap().len(), 2);
}

/// Recomputes the checksum after an edit, as a forger would.
fn reseal(v: &mut serde_json::Value) {
    use sha2::Digest;
    let bytes = serde_json::to_vec(&v["payload"]).unwrap();
    v["checksum"] = hex::encode(sha2::Sha256::digest(&bytes)).into();
}

both!(
    s1_firm_backup_round_trip,
    s1_damaged_archives_are_refused_and_nothing_is_written
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s1_backup_restores_across_engines() {
    let Some(pg_db) = TestDatabase::postgres().await else {
        return;
    };
    let sqlite_db = TestDatabase::sqlite();
    let sqlite = sqlite_db.store().await;
    let (firm, _) = populated_firm(&sqlite, "ivan").await;
    let before = sqlite.export_firm_canonical(firm).await.unwrap();
    let archive = sqlite.backup_firm(firm).await.unwrap();

    let pg = pg_db.store().await;
    let outcome = tokio::spawn(async move {
        let owner = pg.create_user(&user_input("maria")).await.unwrap();
        let restored = pg.restore_firm(&archive, owner.id, None).await.unwrap();
        let after = pg.export_firm_canonical(restored.id).await.unwrap();
        // And back again, PostgreSQL → SQLite.
        let back = pg.backup_firm(restored.id).await.unwrap();
        pg.close().await;
        (after, back)
    })
    .await;
    drop(pg_db);
    let (after, back) = outcome.unwrap();
    assert_eq!(before, after);
    let owner = sqlite.create_user(&user_input("petar")).await.unwrap();
    let again = sqlite.restore_firm(&back, owner.id, None).await.unwrap();
    assert_eq!(
        before,
        sqlite.export_firm_canonical(again.id).await.unwrap()
    );
}

/// Random damage to a real archive never panics and never half-writes: a refused
/// archive leaves the owner's firms unchanged.
#[test]
fn random_damage_never_panics() {
    use proptest::prelude::*;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = TestDatabase::sqlite();
    let store = runtime.block_on(db.store());
    let (firm, owner) = runtime.block_on(populated_firm(&store, "ivan"));
    let archive = runtime.block_on(store.backup_firm(firm)).unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        any::<prop::sample::Index>(),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(flips, cut, truncate)| {
            let mut bytes = archive.clone();
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= value.max(1);
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len()));
            }
            runtime.block_on(async {
                let before = store.memberships(owner).await.unwrap().len();
                match store.restore_firm(&bytes, owner, None).await {
                    Ok(_) => assert_eq!(store.memberships(owner).await.unwrap().len(), before + 1),
                    Err(e) => {
                        assert!(e.code().starts_with("archive_"), "{e:?}");
                        assert_eq!(store.memberships(owner).await.unwrap().len(), before);
                    }
                }
            });
            Ok(())
        })
        .unwrap();
}
