//! The storage suite's harness: every test is one async fn taking a fresh, migrated
//! [`Store`], run on SQLite and on PostgreSQL through [`sklad_store::testing`]
//! (PostgreSQL skipped with a notice when `SKLAD_TEST_DATABASE_URL` is unset, unless
//! `CI` is set).

#![allow(dead_code)]

use sklad_domain::model::{FirmInput, GoodInput, GoodKind, Role, UserInput};
use sklad_domain::{Currency, Id, PriceGroup, VatRate};
use sklad_store::Store;

/// Runs `$name` (an `async fn(Store)`) on both engines as `$name::sqlite` and
/// `$name::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                sklad_store::testing::run_with_store(sklad_store::Engine::Sqlite, super::$name)
                    .await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                sklad_store::testing::run_with_store(sklad_store::Engine::Postgres, super::$name)
                    .await
            }
        }
    )*};
}

// ----- fixtures -----

pub fn firm_input(name: &str) -> FirmInput {
    FirmInput {
        name: name.to_owned(),
        eik: Some("831826092".to_owned()),
        currency: Currency::Bgn,
        vat_registered: true,
        seats: 3,
        allow_negative_stock: false,
    }
}

pub fn user_input(login: &str) -> UserInput {
    UserInput {
        login: login.to_owned(),
        password: "correct horse battery".to_owned(),
        display_name: format!("User {login}"),
        language: "bg".to_owned(),
    }
}

pub fn good_input(code: &str, barcodes: &[&str]) -> GoodInput {
    GoodInput {
        code: code.to_owned(),
        barcodes: barcodes.iter().map(|b| b.to_string()).collect(),
        name: format!("Стока {code}"),
        measure: "бр.".to_owned(),
        kind: GoodKind::Good,
        vat_rate: VatRate::Standard,
        group: Some("Храни".to_owned()),
        active: true,
        prices: [(PriceGroup::Retail, 1000), (PriceGroup::Purchase, 600)]
            .into_iter()
            .collect(),
    }
}

/// A second object of the firm: „Магазин“, a shop selling at Retail prices.
pub async fn shop_object(store: &Store, firm_id: Id) -> sklad_domain::model::Object {
    store
        .create_object(
            firm_id,
            &sklad_domain::model::ObjectInput {
                name: "Магазин".into(),
                kind: sklad_domain::model::ObjectKind::Shop,
                price_group: sklad_domain::PriceGroup::Retail,
                active: true,
            },
        )
        .await
        .expect("object")
}

/// A firm with an owner; returns (firm id, owner user id, main object id).
pub async fn firm_with_owner(store: &Store, name: &str, login: &str) -> (Id, Id, Id) {
    let firm = store.create_firm(&firm_input(name)).await.expect("firm");
    let user = store.create_user(&user_input(login)).await.expect("user");
    store
        .add_member(firm.id, user.id, Role::Owner, "test")
        .await
        .expect("member");
    let object = store.objects(firm.id).await.expect("objects")[0].id;
    (firm.id, user.id, object)
}

/// The first field error's (field, code).
pub fn field_code(err: &sklad_store::StoreError) -> (String, &'static str) {
    let v = err
        .validation()
        .unwrap_or_else(|| panic!("expected a validation error, got {err:?}"));
    (v.errors[0].field.clone(), v.errors[0].code)
}

pub fn line(good_id: Id, units: i64, unit_price: i64) -> sklad_domain::operation::Line {
    sklad_domain::operation::Line {
        good_id,
        quantity: sklad_domain::Quantity::from_units(units),
        unit_price,
        vat_rate: VatRate::Standard,
        discount_bp: 0,
    }
}

pub fn date() -> jiff::civil::Date {
    jiff::civil::date(2026, 3, 2)
}

pub fn draft(
    kind: sklad_domain::operation::OperationKind,
    object_id: Id,
    lines: Vec<sklad_domain::operation::Line>,
) -> sklad_domain::operation::OperationDraft {
    sklad_domain::operation::OperationDraft {
        kind,
        date: date(),
        object_id,
        target_object_id: None,
        partner_id: None,
        payment_type_id: None,
        currency: Currency::Bgn,
        lines,
        external_ref: None,
        note: None,
    }
}

/// (on hand, reserved) in whole units of (object, good); 0 when no level.
pub async fn level(store: &Store, firm_id: Id, object_id: Id, good_id: Id) -> (i64, i64) {
    store
        .stock_of_object(firm_id, object_id)
        .await
        .expect("stock")
        .into_iter()
        .find(|l| l.good_id == good_id)
        .map(|l| (l.on_hand.milli() / 1000, l.reserved.milli() / 1000))
        .unwrap_or((0, 0))
}

/// Sum of the ledger's on-hand and reserved deltas of (object, good), in milli-units.
pub async fn ledger_sums(store: &Store, firm_id: Id, object_id: Id, good_id: Id) -> (i64, i64) {
    store
        .ledger(firm_id, object_id, good_id)
        .await
        .expect("ledger")
        .iter()
        .fold((0, 0), |(a, b), e| {
            (a + e.on_hand_delta.milli(), b + e.reserved_delta.milli())
        })
}

/// A firm with a bit of everything: two objects, goods with barcodes and prices, a
/// service, partners, a delivery, a transfer, an order converted into a sale, an
/// open order, an edited sale, an annulled write-off, a stock-taking and a journal
/// entry. Returns (firm id, owner id).
pub async fn populated_firm(store: &Store, login: &str) -> (Id, Id) {
    use sklad_domain::model::{ObjectInput, ObjectKind, PartnerInput, PartnerRole};
    use sklad_domain::operation::{ExternalRef, OperationKind::*};
    let (firm, owner, main) = firm_with_owner(store, "Архивна фирма", login).await;
    let shop = store
        .create_object(
            firm,
            &ObjectInput {
                name: "Магазин Център".into(),
                kind: ObjectKind::Shop,
                price_group: PriceGroup::Group3,
                active: true,
            },
        )
        .await
        .unwrap()
        .id;
    let a = store
        .create_good(firm, &good_input("A-1", &["3800000000011", "42"]))
        .await
        .unwrap()
        .id;
    let b = store
        .create_good(firm, &good_input("B-2", &[]))
        .await
        .unwrap()
        .id;
    let mut srv = good_input("DOST", &[]);
    srv.kind = GoodKind::Service;
    srv.group = None;
    let srv = store.create_good(firm, &srv).await.unwrap().id;
    let partner = store
        .create_partner(
            firm,
            &PartnerInput {
                name: "Доставчик ЕООД".into(),
                eik: Some("831826092".into()),
                vat_number: None,
                mol: None,
                address: Some("ул. Витоша 1".into()),
                city: Some("София".into()),
                phone: None,
                email: None,
                role: PartnerRole::Supplier,
                price_group: PriceGroup::Wholesale,
            },
        )
        .await
        .unwrap()
        .id;
    let payment = store.payment_types(firm).await.unwrap()[0].id;
    let mut d = draft(Delivery, main, vec![line(a, 20, 600), line(b, 7, 350)]);
    d.partner_id = Some(partner);
    store.create_operation(firm, &d).await.unwrap();
    let mut t = draft(Transfer, main, vec![line(a, 5, 0)]);
    t.target_object_id = Some(shop);
    store.create_operation(firm, &t).await.unwrap();
    let mut o = draft(Order, main, vec![line(a, 2, 1000), line(srv, 1, 500)]);
    o.payment_type_id = Some(payment);
    o.external_ref = Some(ExternalRef {
        source: "cloudcart".into(),
        id: "5001".into(),
    });
    let order = store.create_operation(firm, &o).await.unwrap();
    store
        .convert_order_to_sale(firm, order.id, None)
        .await
        .unwrap();
    let mut open = draft(Order, shop, vec![line(a, 1, 1000)]);
    open.note = Some("Да се обади преди доставка".into());
    store.create_operation(firm, &open).await.unwrap();
    let s = store
        .create_operation(firm, &draft(Sale, main, vec![line(b, 1, 500)]))
        .await
        .unwrap();
    store
        .update_operation(firm, s.id, &draft(Sale, main, vec![line(b, 2, 450)]))
        .await
        .unwrap();
    let w = store
        .create_operation(firm, &draft(WriteOff, shop, vec![line(a, 1, 0)]))
        .await
        .unwrap();
    store.annul_operation(firm, w.id).await.unwrap();
    store
        .create_operation(firm, &draft(StockTaking, shop, vec![line(a, 3, 0)]))
        .await
        .unwrap();
    store
        .append_journal(firm, login, "note", serde_json::json!({"text": "начало"}))
        .await
        .unwrap();
    (firm, owner)
}

/// The archive with its JSON changed by `edit` (gzip re-applied, checksum kept).
pub fn tamper(archive: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(archive)
        .read_to_end(&mut json)
        .unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    edit(&mut value);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&serde_json::to_vec(&value).unwrap()).unwrap();
    gz.finish().unwrap()
}
