//! Stock per (object, good): on hand and reserved, and the movements operations make.
//!
//! Every change is a [`Movement`]; storage writes one ledger row per movement, so the
//! ledger always sums to the stock levels and annulling an operation is the exact
//! negation of the movements it recorded.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use crate::error::FieldError;
use crate::operation::{Line, OperationDraft, OperationKind};
use crate::{Id, Quantity};

/// Stock of one good at one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    /// The object holding the stock.
    pub object_id: Id,
    /// The good.
    pub good_id: Id,
    /// Physically there (Наличност).
    pub on_hand: Quantity,
    /// Promised to open orders.
    pub reserved: Quantity,
}

impl StockLevel {
    /// On hand minus reserved (may be negative when more is reserved than held).
    pub fn available(&self) -> Quantity {
        self.on_hand - self.reserved
    }
}

/// A change of stock at one (object, good): one ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// Where.
    pub object_id: Id,
    /// Which good.
    pub good_id: Id,
    /// Change of on hand.
    pub on_hand: Quantity,
    /// Change of reserved.
    pub reserved: Quantity,
}

impl Movement {
    /// The exact opposite movement.
    pub fn reversed(self) -> Movement {
        Movement {
            on_hand: -self.on_hand,
            reserved: -self.reserved,
            ..self
        }
    }
}

/// The movements an operation in force makes: at most one per (object, good).
///
/// `is_stocked` tells goods from services (services never move). `current_on_hand`
/// is consulted only by a stock-taking, which moves on hand to the counted quantity.
/// Lines of the same good are merged; zero movements are left out. A transfer
/// without a target object (which [`crate::operation::OperationDraft::validate`]
/// refuses) moves nothing, rather than taking stock out to nowhere.
///
/// `lines` come from a validated draft, whose quantities are bounded, so the sums
/// cannot overflow.
pub fn movements_of(
    kind: OperationKind,
    object_id: Id,
    target_object_id: Option<Id>,
    lines: &[Line],
    is_stocked: impl Fn(Id) -> bool,
    current_on_hand: impl Fn(Id, Id) -> Quantity,
) -> Vec<Movement> {
    let mut per_good: BTreeMap<Id, Quantity> = BTreeMap::new();
    for line in lines.iter().filter(|l| is_stocked(l.good_id)) {
        let sum = per_good.entry(line.good_id).or_default();
        *sum = *sum + line.quantity;
    }
    let mut out = Vec::new();
    let mut push = |object_id: Id, good_id: Id, on_hand: Quantity, reserved: Quantity| {
        if !(on_hand.is_zero() && reserved.is_zero()) {
            out.push(Movement {
                object_id,
                good_id,
                on_hand,
                reserved,
            });
        }
    };
    for (good_id, qty) in per_good {
        match kind {
            OperationKind::Delivery | OperationKind::CustomerReturn => {
                push(object_id, good_id, qty, Quantity::ZERO)
            }
            OperationKind::Sale | OperationKind::WriteOff => {
                push(object_id, good_id, -qty, Quantity::ZERO)
            }
            OperationKind::Order => push(object_id, good_id, Quantity::ZERO, qty),
            OperationKind::Transfer => {
                if let Some(target) = target_object_id {
                    push(object_id, good_id, -qty, Quantity::ZERO);
                    push(target, good_id, qty, Quantity::ZERO);
                }
            }
            OperationKind::StockTaking => {
                let delta = qty - current_on_hand(object_id, good_id);
                push(object_id, good_id, delta, Quantity::ZERO)
            }
        }
    }
    out
}

/// What annulling an operation does: the exact negation of the movements it
/// recorded, never a recomputation (a stock-taking's annulment undoes its delta,
/// whatever the stock is now).
pub fn reversal(recorded: &[Movement]) -> Vec<Movement> {
    recorded.iter().map(|m| m.reversed()).collect()
}

/// The two halves of an edit, applied together in one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditMovements {
    /// The exact reversal of what the operation recorded before.
    pub reversal: Vec<Movement>,
    /// The movements of the edited operation, computed on the stock as it is after
    /// the reversal (matters for a stock-taking). What the operation records now.
    pub new: Vec<Movement>,
}

/// The movements of editing an operation that recorded `recorded` into the given
/// new content. `current_on_hand` is the stock before the edit.
pub fn edit_movements(
    recorded: &[Movement],
    kind: OperationKind,
    object_id: Id,
    target_object_id: Option<Id>,
    lines: &[Line],
    is_stocked: impl Fn(Id) -> bool,
    current_on_hand: impl Fn(Id, Id) -> Quantity,
) -> EditMovements {
    let reversal = reversal(recorded);
    let after_reversal = |object: Id, good: Id| {
        reversal
            .iter()
            .filter(|m| m.object_id == object && m.good_id == good)
            .fold(current_on_hand(object, good), |q, m| q + m.on_hand)
    };
    let new = movements_of(
        kind,
        object_id,
        target_object_id,
        lines,
        is_stocked,
        after_reversal,
    );
    EditMovements { reversal, new }
}

/// The movements of converting an order into a sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionMovements {
    /// Recorded on the order: the exact reversal of its reservation.
    pub release: Vec<Movement>,
    /// Recorded on the sale: the stock leaving.
    pub sale: Vec<Movement>,
}

/// The movements of converting an order (which recorded `order_recorded`) into
/// `sale` (made by [`crate::operation::sale_draft_from_order`]). Both halves are
/// applied in one batch.
pub fn conversion_movements(
    order_recorded: &[Movement],
    sale: &OperationDraft,
    is_stocked: impl Fn(Id) -> bool,
) -> ConversionMovements {
    ConversionMovements {
        release: reversal(order_recorded),
        sale: movements_of(
            OperationKind::Sale,
            sale.object_id,
            None,
            &sale.lines,
            is_stocked,
            |_, _| Quantity::ZERO,
        ),
    }
}

/// The error when a movement would take on-hand stock below zero in a firm that
/// does not allow negative stock.
pub fn insufficient_stock(good_id: Id, on_hand: Quantity, wanted: Quantity) -> FieldError {
    FieldError::new(
        "lines",
        "stock_insufficient",
        format!(
            "Недостатъчна наличност на стока {good_id}: налични {}, нужни {}.",
            on_hand.format_bg(),
            wanted.format_bg()
        ),
        format!("Not enough stock of good {good_id}: {on_hand} on hand, {wanted} needed."),
    )
}

/// An in-memory stock book: the reference model of what storage must do.
#[derive(Debug, Clone, Default)]
pub struct StockBook {
    levels: HashMap<(Id, Id), StockLevel>,
}

impl StockBook {
    /// The level of (object, good); zeros when nothing was ever recorded.
    pub fn level(&self, object_id: Id, good_id: Id) -> StockLevel {
        self.levels
            .get(&(object_id, good_id))
            .copied()
            .unwrap_or(StockLevel {
                object_id,
                good_id,
                on_hand: Quantity::ZERO,
                reserved: Quantity::ZERO,
            })
    }

    /// Every level recorded so far, in no particular order.
    pub fn levels(&self) -> impl Iterator<Item = &StockLevel> {
        self.levels.values()
    }

    /// Applies all movements or none.
    ///
    /// With `allow_negative` false the batch is refused when, for some (object, good),
    /// its movements together lower on hand and leave it below zero. The check is on
    /// the batch's net effect, so an edit (reversal plus new movements) that ends
    /// with enough stock passes even if the reversal alone would not; stock that is
    /// already negative may still rise.
    pub fn apply(
        &mut self,
        movements: &[Movement],
        allow_negative: bool,
    ) -> Result<(), FieldError> {
        let mut next: BTreeMap<(Id, Id), (StockLevel, Quantity)> = BTreeMap::new();
        for m in movements {
            let key = (m.object_id, m.good_id);
            let (current, net) = next
                .get(&key)
                .copied()
                .unwrap_or_else(|| (self.level(m.object_id, m.good_id), Quantity::ZERO));
            let updated = StockLevel {
                on_hand: current.on_hand + m.on_hand,
                reserved: current.reserved + m.reserved,
                ..current
            };
            next.insert(key, (updated, net + m.on_hand));
        }
        if !allow_negative {
            for ((object_id, good_id), (updated, net)) in &next {
                if *net < Quantity::ZERO && updated.on_hand < Quantity::ZERO {
                    let before = self.level(*object_id, *good_id).on_hand;
                    return Err(insufficient_stock(*good_id, before, -*net));
                }
            }
        }
        self.levels
            .extend(next.into_iter().map(|(key, (level, _))| (key, level)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{sale_draft_from_order, Operation, OperationStatus, Totals};
    use crate::{Currency, VatRate};

    const SHOP: Id = 1;
    const STORE: Id = 2;
    const SERVICE: Id = 99;

    fn line(good_id: Id, units: i64) -> Line {
        Line {
            good_id,
            quantity: Quantity::from_units(units),
            unit_price: 100,
            vat_rate: VatRate::Standard,
            discount_bp: 0,
        }
    }

    fn stocked(good: Id) -> bool {
        good != SERVICE
    }

    fn moves(
        kind: OperationKind,
        target: Option<Id>,
        lines: &[Line],
        book: &StockBook,
    ) -> Vec<Movement> {
        movements_of(kind, SHOP, target, lines, stocked, |o, g| {
            book.level(o, g).on_hand
        })
    }

    fn m(object_id: Id, good_id: Id, on_hand: i64, reserved: i64) -> Movement {
        Movement {
            object_id,
            good_id,
            on_hand: Quantity::from_units(on_hand),
            reserved: Quantity::from_units(reserved),
        }
    }

    #[test]
    fn each_kind_moves_as_documented() {
        let book = StockBook::default();
        let lines = [line(5, 2), line(5, 1), line(SERVICE, 1)];
        assert_eq!(
            moves(OperationKind::Delivery, None, &lines, &book),
            [m(SHOP, 5, 3, 0)]
        );
        assert_eq!(
            moves(OperationKind::CustomerReturn, None, &lines, &book),
            [m(SHOP, 5, 3, 0)]
        );
        assert_eq!(
            moves(OperationKind::Sale, None, &lines, &book),
            [m(SHOP, 5, -3, 0)]
        );
        assert_eq!(
            moves(OperationKind::WriteOff, None, &lines, &book),
            [m(SHOP, 5, -3, 0)]
        );
        assert_eq!(
            moves(OperationKind::Order, None, &lines, &book),
            [m(SHOP, 5, 0, 3)]
        );
        assert_eq!(
            moves(OperationKind::Transfer, Some(STORE), &lines, &book),
            [m(SHOP, 5, -3, 0), m(STORE, 5, 3, 0)]
        );
        assert!(moves(OperationKind::Transfer, None, &lines, &book).is_empty());
    }

    #[test]
    fn stock_taking_moves_to_the_count_and_its_annulment_undoes_the_delta() {
        let mut book = StockBook::default();
        book.apply(&[m(SHOP, 5, 10, 0)], false).unwrap();
        let counted = moves(OperationKind::StockTaking, None, &[line(5, 7)], &book);
        assert_eq!(counted, [m(SHOP, 5, -3, 0)]);
        book.apply(&counted, false).unwrap();
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::from_units(7));
        // Stock moves on afterwards; the annulment still undoes exactly −3.
        book.apply(&[m(SHOP, 5, 2, 0)], false).unwrap();
        book.apply(&reversal(&counted), false).unwrap();
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::from_units(12));
        // Counting what is there moves nothing.
        assert!(moves(OperationKind::StockTaking, None, &[line(5, 12)], &book).is_empty());
    }

    #[test]
    fn a_refused_batch_changes_nothing() {
        let mut book = StockBook::default();
        book.apply(&[m(SHOP, 5, 2, 0), m(SHOP, 6, 1, 0)], false)
            .unwrap();
        let err = book
            .apply(&[m(SHOP, 6, -1, 0), m(SHOP, 5, -3, 0)], false)
            .unwrap_err();
        assert_eq!(err.code, "stock_insufficient");
        assert!(
            err.message_bg.contains("налични 2, нужни 3"),
            "{}",
            err.message_bg
        );
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::from_units(2));
        assert_eq!(book.level(SHOP, 6).on_hand, Quantity::from_units(1));
        // One thousandth too many is refused; exactly all of it is not.
        let take = |milli: i64| Movement {
            on_hand: Quantity(-milli),
            ..m(SHOP, 5, 0, 0)
        };
        assert!(book.apply(&[take(2001)], false).is_err());
        book.apply(&[take(2000)], false).unwrap();
        book.apply(&[m(SHOP, 5, 2, 0)], false).unwrap();
        // Allowed when the firm allows negative stock.
        book.apply(&[m(SHOP, 5, -3, 0)], true).unwrap();
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::from_units(-1));
        // Negative stock may rise even when not allowed.
        book.apply(&[m(SHOP, 5, 1, 0)], false).unwrap();
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::ZERO);
    }

    #[test]
    fn an_edit_is_judged_on_its_net_effect() {
        let mut book = StockBook::default();
        let delivery = moves(OperationKind::Delivery, None, &[line(5, 10)], &book);
        book.apply(&delivery, false).unwrap();
        book.apply(&[m(SHOP, 5, -6, 0)], false).unwrap();
        // Raising the delivery from 10 to 12: reversal alone would leave −6.
        let edit = edit_movements(
            &delivery,
            OperationKind::Delivery,
            SHOP,
            None,
            &[line(5, 12)],
            stocked,
            |o, g| book.level(o, g).on_hand,
        );
        let batch: Vec<Movement> = edit.reversal.iter().chain(&edit.new).copied().collect();
        book.apply(&batch, false).unwrap();
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::from_units(6));
        // Lowering it to 5 would leave −1: refused.
        let edit = edit_movements(
            &edit.new,
            OperationKind::Delivery,
            SHOP,
            None,
            &[line(5, 5)],
            stocked,
            |o, g| book.level(o, g).on_hand,
        );
        let batch: Vec<Movement> = edit.reversal.iter().chain(&edit.new).copied().collect();
        assert!(book.apply(&batch, false).is_err());
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::from_units(6));
    }

    #[test]
    fn editing_a_stock_taking_counts_from_the_stock_before_it() {
        let mut book = StockBook::default();
        book.apply(&[m(SHOP, 5, 10, 0)], false).unwrap();
        let counted = moves(OperationKind::StockTaking, None, &[line(5, 7)], &book);
        book.apply(&counted, false).unwrap();
        let edit = edit_movements(
            &counted,
            OperationKind::StockTaking,
            SHOP,
            None,
            &[line(5, 8)],
            stocked,
            |o, g| book.level(o, g).on_hand,
        );
        assert_eq!(edit.new, [m(SHOP, 5, -2, 0)]);
        let batch: Vec<Movement> = edit.reversal.iter().chain(&edit.new).copied().collect();
        book.apply(&batch, false).unwrap();
        assert_eq!(book.level(SHOP, 5).on_hand, Quantity::from_units(8));
    }

    #[test]
    fn converting_an_order_releases_the_reservation_and_moves_the_stock() {
        let mut book = StockBook::default();
        book.apply(&[m(SHOP, 5, 4, 0)], false).unwrap();
        let lines = vec![line(5, 3), line(SERVICE, 1)];
        let recorded = moves(OperationKind::Order, None, &lines, &book);
        book.apply(&recorded, false).unwrap();
        assert_eq!(book.level(SHOP, 5).available(), Quantity::from_units(1));
        let order = Operation {
            id: 1,
            kind: OperationKind::Order,
            number: 1,
            date: jiff::civil::date(2026, 11, 28),
            object_id: SHOP,
            target_object_id: None,
            partner_id: Some(3),
            payment_type_id: Some(4),
            currency: Currency::Eur,
            totals: Totals::of(&lines),
            lines,
            external_ref: None,
            note: None,
            status: OperationStatus::Active,
            converted_to: None,
        };
        let sale = sale_draft_from_order(&order, None).unwrap();
        let conversion = conversion_movements(&recorded, &sale, stocked);
        assert_eq!(conversion.release, [m(SHOP, 5, 0, -3)]);
        assert_eq!(conversion.sale, [m(SHOP, 5, -3, 0)]);
        let batch: Vec<Movement> = conversion
            .release
            .iter()
            .chain(&conversion.sale)
            .copied()
            .collect();
        book.apply(&batch, false).unwrap();
        let level = book.level(SHOP, 5);
        assert_eq!(
            (level.on_hand, level.reserved),
            (Quantity::from_units(1), Quantity::ZERO)
        );
    }
}
