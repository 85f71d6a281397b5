//! Property test: random sequences of deliveries, sales, orders, conversions,
//! transfers, stock-takings, write-offs, returns, edits and annuls give the same
//! stock as the domain's reference `StockBook`; the ledger always sums to the
//! levels; reserved always equals the open orders. Runs on SQLite and PostgreSQL.

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use sklad_domain::operation::{OperationDraft, OperationKind, OperationStatus};
use sklad_domain::stock::{movements_of, Movement, StockBook};
use sklad_domain::{Id, Quantity};
use sklad_store::testing::TestDatabase;
use sklad_store::Store;

/// One random step: (action, a, b, c, d).
type Step = (u8, u8, u8, u8, u8);

struct ModelOp {
    id: Id,
    draft: OperationDraft,
    status: OperationStatus,
    /// Net movements in force (what its ledger rows sum to).
    recorded: Vec<Movement>,
}

fn net(movements: impl IntoIterator<Item = Movement>) -> Vec<Movement> {
    let mut per: BTreeMap<(Id, Id), Movement> = BTreeMap::new();
    for m in movements {
        let e = per.entry((m.object_id, m.good_id)).or_insert(Movement {
            on_hand: Quantity::ZERO,
            reserved: Quantity::ZERO,
            ..m
        });
        e.on_hand = e.on_hand + m.on_hand;
        e.reserved = e.reserved + m.reserved;
    }
    per.into_values().collect()
}

const KINDS: [OperationKind; 7] = OperationKind::ALL;

async fn run_case(store: &Store, steps: &[Step], allow_negative: bool) {
    let mut input = firm_input("Модел");
    input.allow_negative_stock = allow_negative;
    let firm = store.create_firm(&input).await.unwrap().id;
    let objects = vec![
        store.objects(firm).await.unwrap()[0].id,
        store
            .create_object(
                firm,
                &sklad_domain::model::ObjectInput {
                    name: "Втори".into(),
                    kind: sklad_domain::model::ObjectKind::Shop,
                    price_group: sklad_domain::PriceGroup::Retail,
                    active: true,
                },
            )
            .await
            .unwrap()
            .id,
    ];
    let mut goods = Vec::new();
    for (i, code) in ["P1", "P2", "S1"].iter().enumerate() {
        let mut g = good_input(code, &[]);
        if i == 2 {
            g.kind = sklad_domain::model::GoodKind::Service;
        }
        goods.push(store.create_good(firm, &g).await.unwrap().id);
    }
    let service = goods[2];
    let stocked = |g: Id| g != service;
    let mut book = StockBook::default();
    let mut ops: Vec<ModelOp> = Vec::new();

    for &(action, a, b, c, d) in steps {
        let qty = |n: u8| Quantity::from_units(i64::from(n % 6));
        match action % 4 {
            // Create.
            0 | 1 => {
                let kind = KINDS[usize::from(a) % KINDS.len()];
                let object = objects[usize::from(b) % 2];
                let good = goods[usize::from(c) % 3];
                let mut q = qty(d);
                if kind != OperationKind::StockTaking && q.is_zero() {
                    q = Quantity::from_units(1);
                }
                let mut draft = draft(kind, object, vec![line(good, 0, 100)]);
                draft.lines[0].quantity = q;
                if kind == OperationKind::Transfer {
                    draft.target_object_id = Some(objects[(usize::from(b) + 1) % 2]);
                }
                let movements = net(movements_of(
                    kind,
                    object,
                    draft.target_object_id,
                    &draft.lines,
                    stocked,
                    |o, g| book.level(o, g).on_hand,
                ));
                let expected = book.apply(&movements, allow_negative);
                let got = store.create_operation(firm, &draft).await;
                match (expected, got) {
                    (Ok(()), Ok(op)) => ops.push(ModelOp {
                        id: op.id,
                        draft,
                        status: OperationStatus::Active,
                        recorded: movements,
                    }),
                    (Err(_), Err(e)) => assert_eq!(field_code(&e).1, "stock_insufficient"),
                    (e, g) => panic!("model {e:?} vs store {:?}", g.map(|o| o.id)),
                }
            }
            // Edit with a new quantity.
            2 if !ops.is_empty() => {
                let i = usize::from(a) % ops.len();
                let op = &ops[i];
                let mut draft = op.draft.clone();
                let mut q = qty(b);
                if draft.kind != OperationKind::StockTaking && q.is_zero() {
                    q = Quantity::from_units(1);
                }
                draft.lines[0].quantity = q;
                let got = store.update_operation(firm, op.id, &draft).await;
                if op.status != OperationStatus::Active {
                    assert!(got.is_err());
                    continue;
                }
                let reversal: Vec<Movement> = op.recorded.iter().map(|m| m.reversed()).collect();
                let mut after_reversal = book.clone();
                after_reversal.apply(&reversal, true).unwrap();
                let new = net(movements_of(
                    draft.kind,
                    draft.object_id,
                    draft.target_object_id,
                    &draft.lines,
                    stocked,
                    |o, g| after_reversal.level(o, g).on_hand,
                ));
                let combined = net(reversal.into_iter().chain(new.iter().copied()));
                match (book.apply(&combined, allow_negative), got) {
                    (Ok(()), Ok(_)) => {
                        ops[i].draft = draft;
                        ops[i].recorded = new;
                    }
                    (Err(_), Err(e)) => assert_eq!(field_code(&e).1, "stock_insufficient"),
                    (e, g) => panic!("edit: model {e:?} vs store {:?}", g.map(|o| o.id)),
                }
            }
            // Annul.
            3 if !ops.is_empty() && c % 2 == 0 => {
                let i = usize::from(a) % ops.len();
                let got = store.annul_operation(firm, ops[i].id).await;
                if ops[i].status != OperationStatus::Active {
                    assert!(got.is_err());
                    continue;
                }
                let reversal: Vec<Movement> =
                    ops[i].recorded.iter().map(|m| m.reversed()).collect();
                match (book.apply(&reversal, allow_negative), got) {
                    (Ok(()), Ok(_)) => {
                        ops[i].status = OperationStatus::Annulled;
                        ops[i].recorded.clear();
                    }
                    (Err(_), Err(e)) => assert_eq!(field_code(&e).1, "stock_insufficient"),
                    (e, g) => panic!("annul: model {e:?} vs store {:?}", g.map(|o| o.id)),
                }
            }
            // Convert an order into a sale.
            3 if !ops.is_empty() => {
                let i = usize::from(a) % ops.len();
                let got = store.convert_order_to_sale(firm, ops[i].id, None).await;
                if ops[i].draft.kind != OperationKind::Order
                    || ops[i].status != OperationStatus::Active
                {
                    assert!(got.is_err());
                    continue;
                }
                let release: Vec<Movement> = ops[i].recorded.iter().map(|m| m.reversed()).collect();
                let mut sale_draft = ops[i].draft.clone();
                sale_draft.kind = OperationKind::Sale;
                let sale = net(movements_of(
                    OperationKind::Sale,
                    sale_draft.object_id,
                    None,
                    &sale_draft.lines,
                    stocked,
                    |o, g| book.level(o, g).on_hand,
                ));
                let combined = net(release.into_iter().chain(sale.iter().copied()));
                match (book.apply(&combined, allow_negative), got) {
                    (Ok(()), Ok(op)) => {
                        ops[i].status = OperationStatus::Converted;
                        ops[i].recorded.clear();
                        ops.push(ModelOp {
                            id: op.id,
                            draft: sale_draft,
                            status: OperationStatus::Active,
                            recorded: sale,
                        });
                    }
                    (Err(_), Err(e)) => assert_eq!(field_code(&e).1, "stock_insufficient"),
                    (e, g) => panic!("convert: model {e:?} vs store {:?}", g.map(|o| o.id)),
                }
            }
            _ => {}
        }

        // Invariants after every step.
        for &object in &objects {
            for &good in &goods {
                let stored = store
                    .stock_of_object(firm, object)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|l| l.good_id == good)
                    .map(|l| (l.on_hand.milli(), l.reserved.milli()))
                    .unwrap_or((0, 0));
                let model = book.level(object, good);
                assert_eq!(stored, (model.on_hand.milli(), model.reserved.milli()));
                assert_eq!(
                    ledger_sums(store, firm, object, good).await,
                    stored,
                    "ledger sums"
                );
                let open_orders: i64 = ops
                    .iter()
                    .filter(|o| {
                        o.draft.kind == OperationKind::Order && o.status == OperationStatus::Active
                    })
                    .filter(|o| o.draft.object_id == object)
                    .flat_map(|o| o.draft.lines.iter())
                    .filter(|l| l.good_id == good && stocked(good))
                    .map(|l| l.quantity.milli())
                    .sum();
                assert_eq!(stored.1, open_orders, "reserved == open orders");
            }
        }
    }
}

fn steps() -> impl Strategy<Value = (Vec<Step>, bool)> {
    (
        prop::collection::vec(any::<(u8, u8, u8, u8, u8)>(), 1..24),
        any::<bool>(),
    )
}

fn run_property(store: Store, runtime: &tokio::runtime::Runtime) {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&steps(), |(steps, allow_negative)| {
            runtime.block_on(run_case(&store, &steps, allow_negative));
            Ok(())
        })
        .unwrap();
}

fn property_on(engine: sklad_store::Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(TestDatabase::fresh(engine)) else {
        return;
    };
    let store = runtime.block_on(db.store());
    run_property(store, &runtime);
}

#[test]
fn stock_matches_reference_model_sqlite() {
    property_on(sklad_store::Engine::Sqlite);
}

#[test]
fn stock_matches_reference_model_postgres() {
    property_on(sklad_store::Engine::Postgres);
}
