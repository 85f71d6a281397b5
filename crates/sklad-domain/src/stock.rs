//! Stock per (object, good): on hand and reserved, and the movements operations make.
//!
//! Every change is a [`Movement`]; storage writes one ledger row per movement, so the
//! ledger always sums to the stock levels and annulling an operation is the exact
//! negation of the movements it recorded.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use crate::error::FieldError;
use crate::operation::{Line, OperationKind};
use crate::{Id, Quantity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub object_id: Id,
    pub good_id: Id,
    pub on_hand: Quantity,
    pub reserved: Quantity,
}

impl StockLevel {
    /// On hand minus reserved (may be negative when more is reserved than held).
    pub fn available(&self) -> Quantity {
        self.on_hand - self.reserved
    }
}

/// A change of stock at one (object, good).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub object_id: Id,
    pub good_id: Id,
    pub on_hand: Quantity,
    pub reserved: Quantity,
}

impl Movement {
    pub fn reversed(self) -> Movement {
        Movement {
            on_hand: -self.on_hand,
            reserved: -self.reserved,
            ..self
        }
    }
}

/// The movements an operation in force makes.
///
/// `is_stocked` tells goods from services (services never move). `current_on_hand`
/// is consulted only by a stock-taking, which moves on hand to the counted quantity.
/// Lines of the same good are merged; zero movements are left out.
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
        *per_good.entry(line.good_id).or_default() =
            per_good.get(&line.good_id).copied().unwrap_or_default() + line.quantity;
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
                push(object_id, good_id, -qty, Quantity::ZERO);
                if let Some(target) = target_object_id {
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

/// The error when a movement would take on-hand stock below zero in a firm that
/// does not allow negative stock.
pub fn insufficient_stock(good_id: Id, on_hand: Quantity, wanted: Quantity) -> FieldError {
    FieldError::new(
        "lines",
        "stock_insufficient",
        format!("Недостатъчна наличност на стока {good_id}: налични {on_hand}, нужни {wanted}."),
        format!("Not enough stock of good {good_id}: {on_hand} on hand, {wanted} needed."),
    )
}

/// An in-memory stock book: the reference model of what storage must do.
#[derive(Debug, Clone, Default)]
pub struct StockBook {
    levels: HashMap<(Id, Id), StockLevel>,
}

impl StockBook {
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

    pub fn levels(&self) -> impl Iterator<Item = &StockLevel> {
        self.levels.values()
    }

    /// Applies all movements or none: with `allow_negative` false, a movement that
    /// takes on hand below zero refuses the whole batch.
    pub fn apply(
        &mut self,
        movements: &[Movement],
        allow_negative: bool,
    ) -> Result<(), FieldError> {
        let mut next: HashMap<(Id, Id), StockLevel> = HashMap::new();
        for m in movements {
            let key = (m.object_id, m.good_id);
            let current = next
                .get(&key)
                .copied()
                .unwrap_or_else(|| self.level(m.object_id, m.good_id));
            let updated = StockLevel {
                on_hand: current.on_hand + m.on_hand,
                reserved: current.reserved + m.reserved,
                ..current
            };
            if !allow_negative && m.on_hand < Quantity::ZERO && updated.on_hand < Quantity::ZERO {
                return Err(insufficient_stock(m.good_id, current.on_hand, -m.on_hand));
            }
            next.insert(key, updated);
        }
        self.levels.extend(next);
        Ok(())
    }
}
