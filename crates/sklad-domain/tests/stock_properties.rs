//! Random sequences of deliveries, sales, orders, order→sale conversions, transfers,
//! stock-takings, write-offs, customer returns, edits and annulments, run two ways:
//!
//! - the **harness** does what storage does, with the crate's functions
//!   (`OperationDraft::validate`, `movements_of`, `edit_movements`, `reversal`,
//!   `sale_draft_from_order`, `conversion_movements`, `StockBook::apply`) and keeps a
//!   ledger of every movement it applied;
//! - the **oracle** is an explicit model written here from the rules, with plain
//!   integers: on hand per (object, good), the operations and their stock effect, and
//!   its own decision whether each step is allowed.
//!
//! After every step: both agree whether it was accepted; a refused step changed
//! nothing; the ledger sums to on hand and reserved per (object, good); on hand equals
//! the oracle's; reserved equals the open (active, unconverted) orders; and no unit is
//! created or lost (per good, on hand over all objects = deliveries + returns − sales −
//! write-offs ± stock-taking deltas of the operations in force).

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use sklad_domain::operation::{
    sale_draft_from_order, Line, Operation, OperationDraft, OperationKind, OperationStatus, Totals,
};
use sklad_domain::stock::{
    conversion_movements, edit_movements, movements_of, reversal, Movement, StockBook,
};
use sklad_domain::{Currency, Id, Quantity, VatRate};

const OBJECTS: [Id; 3] = [1, 2, 3];
const GOODS: [Id; 3] = [10, 11, 12];
const SERVICE: Id = 99;

fn is_stocked(good: Id) -> bool {
    good != SERVICE
}

/// One generated line: good and quantity in thousandths.
type GenLine = (Id, i64);

#[derive(Debug, Clone)]
enum Action {
    Create {
        kind: OperationKind,
        object: Id,
        target: Option<Id>,
        lines: Vec<GenLine>,
    },
    /// Converts the operation at this position (modulo the count) if it is an order.
    Convert(usize),
    /// Replaces the lines of the operation at this position (modulo the count).
    Edit(usize, Vec<GenLine>),
    /// Annuls the operation at this position (modulo the count).
    Annul(usize),
}

fn good() -> impl Strategy<Value = Id> {
    prop_oneof![4 => prop::sample::select(GOODS.to_vec()), 1 => Just(SERVICE)]
}

fn lines() -> impl Strategy<Value = Vec<GenLine>> {
    // Whole units mostly, sometimes a fraction (kilograms).
    let qty = prop_oneof![3 => (1i64..=6).prop_map(|u| u * 1000), 1 => 1i64..=6000];
    prop::collection::vec((good(), qty), 1..=3)
}

/// Stock-taking counts: usually distinct goods, sometimes a repeat (refused), 0 allowed.
fn counts() -> impl Strategy<Value = Vec<GenLine>> {
    prop::collection::vec((good(), 0i64..=8000), 1..=3)
}

fn object() -> impl Strategy<Value = Id> {
    prop::sample::select(OBJECTS.to_vec())
}

fn action() -> impl Strategy<Value = Action> {
    let simple = prop::sample::select(vec![
        OperationKind::Delivery,
        OperationKind::Sale,
        OperationKind::Order,
        OperationKind::WriteOff,
        OperationKind::CustomerReturn,
    ]);
    prop_oneof![
        4 => (simple, object(), lines()).prop_map(|(kind, object, lines)| Action::Create {
            kind,
            object,
            target: None,
            lines,
        }),
        // The target is sometimes the source itself: refused.
        1 => (object(), object(), lines()).prop_map(|(object, target, lines)| Action::Create {
            kind: OperationKind::Transfer,
            object,
            target: Some(target),
            lines,
        }),
        1 => (object(), counts()).prop_map(|(object, lines)| Action::Create {
            kind: OperationKind::StockTaking,
            object,
            target: None,
            lines,
        }),
        2 => (0usize..64).prop_map(Action::Convert),
        1 => (0usize..64, lines()).prop_map(|(i, l)| Action::Edit(i, l)),
        1 => (0usize..64).prop_map(Action::Annul),
    ]
}

fn to_lines(generated: &[GenLine]) -> Vec<Line> {
    generated
        .iter()
        .map(|(good_id, milli)| Line {
            good_id: *good_id,
            quantity: Quantity(*milli),
            unit_price: 199,
            vat_rate: VatRate::Standard,
            discount_bp: 0,
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// The harness: storage's steps done with the crate under test.
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct HarnessOp {
    operation: Operation,
    /// The movements the operation records now (what an annulment reverses).
    recorded: Vec<Movement>,
}

#[derive(Debug, Clone, Default)]
struct Harness {
    book: StockBook,
    ops: Vec<HarnessOp>,
    /// Every movement ever applied, in order.
    ledger: Vec<Movement>,
}

impl Harness {
    fn on_hand(&self) -> impl Fn(Id, Id) -> Quantity + '_ {
        |object, good| self.book.level(object, good).on_hand
    }

    fn snapshot(&self) -> (Vec<(Id, Id, i64, i64)>, usize) {
        let mut levels: Vec<_> = self
            .book
            .levels()
            .map(|l| {
                (
                    l.object_id,
                    l.good_id,
                    l.on_hand.milli(),
                    l.reserved.milli(),
                )
            })
            .collect();
        levels.sort();
        (levels, self.ledger.len())
    }

    /// Applies a batch; on success appends it to the ledger.
    fn apply(&mut self, batch: &[Movement], allow_negative: bool) -> bool {
        if self.book.apply(batch, allow_negative).is_err() {
            return false;
        }
        self.ledger.extend_from_slice(batch);
        true
    }

    fn create(&mut self, draft: OperationDraft, allow_negative: bool) -> bool {
        if draft.validate().is_err() {
            return false;
        }
        let movements = movements_of(
            draft.kind,
            draft.object_id,
            draft.target_object_id,
            &draft.lines,
            is_stocked,
            self.on_hand(),
        );
        if !self.apply(&movements, allow_negative) {
            return false;
        }
        let id = self.ops.len() as Id + 1;
        self.ops.push(HarnessOp {
            operation: draft.stored_as(id, id, OperationStatus::Active),
            recorded: movements,
        });
        true
    }

    fn convert(&mut self, index: usize, allow_negative: bool) -> bool {
        let order = &self.ops[index];
        let Ok(sale) = sale_draft_from_order(&order.operation, None) else {
            return false;
        };
        if sale.validate().is_err() {
            return false;
        }
        let conversion = conversion_movements(&order.recorded, &sale, is_stocked);
        let batch: Vec<Movement> = conversion
            .release
            .iter()
            .chain(&conversion.sale)
            .copied()
            .collect();
        if self.book.apply(&batch, allow_negative).is_err() {
            return false;
        }
        // Ledger rows in the order storage writes them: release (order), then sale.
        self.ledger.extend_from_slice(&batch);
        let sale_id = self.ops.len() as Id + 1;
        let order = &mut self.ops[index];
        order.operation.status = OperationStatus::Converted;
        order.operation.converted_to = Some(sale_id);
        order.recorded.clear();
        self.ops.push(HarnessOp {
            operation: sale.stored_as(sale_id, sale_id, OperationStatus::Active),
            recorded: conversion.sale,
        });
        true
    }

    fn edit(&mut self, index: usize, lines: Vec<Line>, allow_negative: bool) -> bool {
        let op = &self.ops[index];
        if op.operation.ensure_active().is_err() {
            return false;
        }
        let draft = OperationDraft {
            lines,
            ..op.operation.to_draft()
        };
        if op.operation.ensure_same_kind(&draft).is_err() || draft.validate().is_err() {
            return false;
        }
        let edit = edit_movements(
            &op.recorded,
            draft.kind,
            draft.object_id,
            draft.target_object_id,
            &draft.lines,
            is_stocked,
            self.on_hand(),
        );
        let batch: Vec<Movement> = edit.reversal.iter().chain(&edit.new).copied().collect();
        if !self.apply(&batch, allow_negative) {
            return false;
        }
        let op = &mut self.ops[index];
        op.operation.totals = Totals::of(&draft.lines);
        op.operation.lines = draft.lines;
        op.recorded = edit.new;
        true
    }

    fn annul(&mut self, index: usize, allow_negative: bool) -> bool {
        let op = &self.ops[index];
        if op.operation.ensure_active().is_err() {
            return false;
        }
        let batch = reversal(&op.recorded);
        if !self.apply(&batch, allow_negative) {
            return false;
        }
        let op = &mut self.ops[index];
        op.operation.status = OperationStatus::Annulled;
        op.recorded.clear();
        true
    }
}

// ---------------------------------------------------------------------------------
// The oracle: the rules written out with plain integers.
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Active,
    Annulled,
    Converted,
}

#[derive(Debug, Clone)]
struct OracleOp {
    kind: OperationKind,
    object: Id,
    target: Option<Id>,
    lines: Vec<GenLine>,
    status: Status,
    /// Change of on hand per (object, good) this operation has made, while in force.
    effect: BTreeMap<(Id, Id), i64>,
}

#[derive(Debug, Clone, Default)]
struct Oracle {
    on_hand: BTreeMap<(Id, Id), i64>,
    ops: Vec<OracleOp>,
}

impl Oracle {
    fn stock(&self, object: Id, good: Id) -> i64 {
        self.on_hand.get(&(object, good)).copied().unwrap_or(0)
    }

    /// What the operation does to on hand, given stock `before` (for a stock-taking).
    fn effect_of(
        kind: OperationKind,
        object: Id,
        target: Option<Id>,
        lines: &[GenLine],
        before: impl Fn(Id, Id) -> i64,
    ) -> BTreeMap<(Id, Id), i64> {
        let mut effect = BTreeMap::new();
        let mut add = |key: (Id, Id), q: i64| *effect.entry(key).or_insert(0) += q;
        for &(good, q) in lines.iter().filter(|(g, _)| *g != SERVICE) {
            match kind {
                OperationKind::Delivery | OperationKind::CustomerReturn => add((object, good), q),
                OperationKind::Sale | OperationKind::WriteOff => add((object, good), -q),
                OperationKind::Order => {}
                OperationKind::Transfer => {
                    add((object, good), -q);
                    add((target.expect("checked"), good), q);
                }
                OperationKind::StockTaking => add((object, good), q - before(object, good)),
            }
        }
        effect.retain(|_, q| *q != 0);
        effect
    }

    fn valid(kind: OperationKind, object: Id, target: Option<Id>, lines: &[GenLine]) -> bool {
        let target_ok = match kind {
            OperationKind::Transfer => target.is_some_and(|t| t != object),
            _ => target.is_none(),
        };
        let goods: BTreeSet<Id> = lines.iter().map(|(g, _)| *g).collect();
        let repeated = kind == OperationKind::StockTaking && goods.len() != lines.len();
        let quantities_ok = lines.iter().all(|(_, q)| match kind {
            OperationKind::StockTaking => *q >= 0,
            _ => *q > 0,
        });
        !lines.is_empty() && target_ok && !repeated && quantities_ok
    }

    /// Whether changing on hand by `net` is allowed, and if so does it.
    fn change(&mut self, net: &BTreeMap<(Id, Id), i64>, allow_negative: bool) -> bool {
        let refused = !allow_negative
            && net
                .iter()
                .any(|(&(o, g), &d)| d < 0 && self.stock(o, g) + d < 0);
        if refused {
            return false;
        }
        for (&key, &d) in net {
            *self.on_hand.entry(key).or_insert(0) += d;
        }
        true
    }

    fn create(
        &mut self,
        kind: OperationKind,
        object: Id,
        target: Option<Id>,
        lines: &[GenLine],
        allow_negative: bool,
    ) -> bool {
        if !Self::valid(kind, object, target, lines) {
            return false;
        }
        let effect = Self::effect_of(kind, object, target, lines, |o, g| self.stock(o, g));
        if !self.change(&effect, allow_negative) {
            return false;
        }
        self.ops.push(OracleOp {
            kind,
            object,
            target,
            lines: lines.to_vec(),
            status: Status::Active,
            effect,
        });
        true
    }

    fn convert(&mut self, index: usize, allow_negative: bool) -> bool {
        let op = &self.ops[index];
        if op.kind != OperationKind::Order || op.status != Status::Active {
            return false;
        }
        let (object, lines) = (op.object, op.lines.clone());
        let effect = Self::effect_of(OperationKind::Sale, object, None, &lines, |_, _| 0);
        if !self.change(&effect, allow_negative) {
            return false;
        }
        self.ops[index].status = Status::Converted;
        self.ops.push(OracleOp {
            kind: OperationKind::Sale,
            object,
            target: None,
            lines,
            status: Status::Active,
            effect,
        });
        true
    }

    fn edit(&mut self, index: usize, lines: &[GenLine], allow_negative: bool) -> bool {
        let op = self.ops[index].clone();
        if op.status != Status::Active || !Self::valid(op.kind, op.object, op.target, lines) {
            return false;
        }
        let without_old =
            |o: Id, g: Id| self.stock(o, g) - op.effect.get(&(o, g)).copied().unwrap_or(0);
        let new_effect = Self::effect_of(op.kind, op.object, op.target, lines, without_old);
        let mut net = new_effect.clone();
        for (&key, &d) in &op.effect {
            *net.entry(key).or_insert(0) -= d;
        }
        if !self.change(&net, allow_negative) {
            return false;
        }
        let op = &mut self.ops[index];
        op.lines = lines.to_vec();
        op.effect = new_effect;
        true
    }

    fn annul(&mut self, index: usize, allow_negative: bool) -> bool {
        let op = &self.ops[index];
        if op.status != Status::Active {
            return false;
        }
        let net: BTreeMap<(Id, Id), i64> = op.effect.iter().map(|(k, d)| (*k, -d)).collect();
        if !self.change(&net, allow_negative) {
            return false;
        }
        self.ops[index].status = Status::Annulled;
        true
    }

    /// Reserved per (object, good): the stocked quantities of active orders.
    fn reserved(&self) -> BTreeMap<(Id, Id), i64> {
        let mut reserved = BTreeMap::new();
        for op in &self.ops {
            if op.kind == OperationKind::Order && op.status == Status::Active {
                for &(good, q) in op.lines.iter().filter(|(g, _)| *g != SERVICE) {
                    *reserved.entry((op.object, good)).or_insert(0) += q;
                }
            }
        }
        reserved
    }

    /// Per good: deliveries + returns − sales − write-offs ± stock-taking deltas of
    /// the operations in force (transfers and orders add nothing).
    fn units_accounted(&self, good: Id) -> i64 {
        let mut total = 0;
        for op in self.ops.iter().filter(|op| op.status == Status::Active) {
            let line_sum: i64 = op
                .lines
                .iter()
                .filter(|(g, _)| *g == good)
                .map(|(_, q)| q)
                .sum();
            total += match op.kind {
                OperationKind::Delivery | OperationKind::CustomerReturn => line_sum,
                OperationKind::Sale | OperationKind::WriteOff => -line_sum,
                OperationKind::StockTaking => op
                    .effect
                    .iter()
                    .filter(|((_, g), _)| *g == good)
                    .map(|(_, d)| d)
                    .sum(),
                OperationKind::Order | OperationKind::Transfer => 0,
            };
        }
        total
    }
}

// ---------------------------------------------------------------------------------

fn check_invariants(h: &Harness, o: &Oracle) -> Result<(), TestCaseError> {
    let mut ledger: BTreeMap<(Id, Id), (i64, i64)> = BTreeMap::new();
    for m in &h.ledger {
        let e = ledger.entry((m.object_id, m.good_id)).or_insert((0, 0));
        e.0 += m.on_hand.milli();
        e.1 += m.reserved.milli();
    }
    let reserved = o.reserved();
    for object in OBJECTS {
        for good in GOODS.into_iter().chain([SERVICE]) {
            let level = h.book.level(object, good);
            let (ledger_on_hand, ledger_reserved) =
                ledger.get(&(object, good)).copied().unwrap_or((0, 0));
            prop_assert_eq!(level.on_hand.milli(), ledger_on_hand, "ledger on hand");
            prop_assert_eq!(level.reserved.milli(), ledger_reserved, "ledger reserved");
            prop_assert_eq!(level.on_hand.milli(), o.stock(object, good), "on hand");
            prop_assert_eq!(
                level.reserved.milli(),
                reserved.get(&(object, good)).copied().unwrap_or(0),
                "reserved = open orders"
            );
            if good == SERVICE {
                prop_assert_eq!(
                    (level.on_hand, level.reserved),
                    (Quantity::ZERO, Quantity::ZERO)
                );
            }
        }
    }
    for good in GOODS {
        let held: i64 = OBJECTS
            .iter()
            .map(|&object| h.book.level(object, good).on_hand.milli())
            .sum();
        prop_assert_eq!(held, o.units_accounted(good), "units conserved");
    }
    Ok(())
}

/// Runs the actions; `allow_negative(step)` is the firm's setting at each step (a firm
/// may change it, so stock can be negative while negative stock is not allowed).
fn run(
    actions: &[Action],
    allow_negative: impl Fn(usize) -> bool,
) -> Result<(usize, usize), TestCaseError> {
    let mut h = Harness::default();
    let mut o = Oracle::default();
    let date = jiff::civil::date(2026, 11, 28);
    let (mut accepted, mut refused) = (0, 0);
    for (step, action) in actions.iter().enumerate() {
        let allow_negative = allow_negative(step);
        let before = h.snapshot();
        let (by_harness, by_oracle) = match action {
            Action::Create {
                kind,
                object,
                target,
                lines,
            } => {
                let draft = OperationDraft {
                    kind: *kind,
                    date,
                    object_id: *object,
                    target_object_id: *target,
                    partner_id: None,
                    payment_type_id: None,
                    currency: Currency::Eur,
                    lines: to_lines(lines),
                    external_ref: None,
                    note: None,
                };
                (
                    h.create(draft, allow_negative),
                    o.create(*kind, *object, *target, lines, allow_negative),
                )
            }
            Action::Convert(_) | Action::Edit(..) | Action::Annul(_) if h.ops.is_empty() => {
                prop_assert!(o.ops.is_empty());
                continue;
            }
            Action::Convert(i) => {
                let i = i % h.ops.len();
                (h.convert(i, allow_negative), o.convert(i, allow_negative))
            }
            Action::Edit(i, lines) => {
                let i = i % h.ops.len();
                (
                    h.edit(i, to_lines(lines), allow_negative),
                    o.edit(i, lines, allow_negative),
                )
            }
            Action::Annul(i) => {
                let i = i % h.ops.len();
                (h.annul(i, allow_negative), o.annul(i, allow_negative))
            }
        };
        prop_assert_eq!(by_harness, by_oracle, "accepted? {:?}", action);
        if by_harness {
            accepted += 1;
        } else {
            refused += 1;
            prop_assert_eq!(h.snapshot(), before, "a refused step changed something");
        }
        prop_assert_eq!(h.ops.len(), o.ops.len());
        check_invariants(&h, &o)?;
    }
    Ok((accepted, refused))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn stock_is_conserved_and_traceable_without_negative_stock(
        actions in prop::collection::vec(action(), 1..60)
    ) {
        run(&actions, |_| false)?;
    }

    #[test]
    fn stock_is_conserved_and_traceable_with_negative_stock_allowed(
        actions in prop::collection::vec(action(), 1..60)
    ) {
        run(&actions, |_| true)?;
    }

    #[test]
    fn stock_is_conserved_and_traceable_when_the_setting_changes(
        actions in prop::collection::vec(action(), 1..60),
        settings in prop::collection::vec(any::<bool>(), 60),
    ) {
        run(&actions, |step| settings[step])?;
    }
}

/// A fixed sequence with known outcomes: the harness and the oracle agree on which
/// steps are refused, and the invariants hold throughout.
#[test]
fn a_known_sequence_has_accepted_and_refused_steps() {
    let create = |kind, object, target, lines: Vec<GenLine>| Action::Create {
        kind,
        object,
        target,
        lines,
    };
    let actions = vec![
        create(
            OperationKind::Delivery,
            1,
            None,
            vec![(10, 5000), (SERVICE, 1000)],
        ),
        create(OperationKind::Order, 1, None, vec![(10, 3000)]),
        create(OperationKind::Sale, 1, None, vec![(10, 6000)]), // refused: 5 on hand
        create(OperationKind::Transfer, 1, Some(2), vec![(10, 1000)]),
        create(OperationKind::StockTaking, 2, None, vec![(10, 4000)]),
        Action::Convert(1),
        Action::Annul(0), // refused: 5 delivered, only 1 left at object 1
        Action::Edit(3, vec![(10, 2000)]),
    ];
    let (accepted, refused) = run(&actions, |_| false).expect("properties hold");
    assert_eq!((accepted, refused), (6, 2));
}
