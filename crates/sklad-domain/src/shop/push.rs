//! What the warehouse sends to a shop variant (SPEC G6, X1, X7), and what the shop does
//! to its own stock (API.md §3.6, MERCHANT.md §4), with no I/O.
//!
//! The bridge keeps, per link, the value the shop last accepted, adjusted by the units
//! the shop itself takes and returns with its orders; a variant is written only when
//! what the warehouse wants differs from that value ([`wanted_update`]).

use std::collections::BTreeMap;

use crate::shop::order::is_negative;
use crate::shop::ShopStockStatus;

/// One whole unit in thousandths.
const UNIT: i64 = 1000;

/// A decrease to at most this many whole units is pushed before other changes.
pub const LOW_STOCK_UNITS: i64 = 5;

/// The quantity the shop gets for `available` (thousandths): floored at 0 (X7) and to
/// whole units — a shop sells whole pieces (decimal quantities only mean something with
/// CloudCart's grocery app, API.md §2.7), and offering 2 of 2.5 never oversells.
pub fn quantity_for_shop(available: i64) -> i64 {
    available.max(0) / UNIT * UNIT
}

/// Whether the shop has taken the stock of an order in `status` (fulfilled or not),
/// with its setting „намали количеството при статус“ `setting`: `Some(true)` from the
/// setting's status on (paid, authorized and completed always count; pending with the
/// pending setting) or once fulfilled, `Some(false)` before and after a negative status
/// or a return, `None` for a status that changes nothing (a custom one: what was taken
/// stays taken, what was not stays not).
pub fn shop_took_stock(setting: ShopStockStatus, status: &str, fulfilled: bool) -> Option<bool> {
    if is_negative(status) || status == "returned" {
        return Some(false);
    }
    if fulfilled {
        return Some(true);
    }
    match status {
        "paid" | "authorized" | "completed" => Some(true),
        "pending" => Some(setting == ShopStockStatus::Pending),
        "" => Some(false),
        _ => None,
    }
}

/// The units (thousandths) an order holds of each variant in the shop's stock: its
/// lines' quantities when the shop took them, nothing when it did not.
pub fn stock_taken<'a>(
    took: bool,
    lines: impl IntoIterator<Item = (&'a str, i64)>,
) -> BTreeMap<String, i64> {
    let mut taken = BTreeMap::new();
    if took {
        for (variant, quantity) in lines {
            *taken.entry(variant.to_owned()).or_insert(0) += quantity.max(0);
        }
    }
    taken.retain(|_, q| *q > 0);
    taken
}

/// How much each variant's shop stock moved between what an order held before and
/// what it holds now: negative when the shop took units, positive when it gave back.
pub fn shop_stock_moves(
    before: &BTreeMap<String, i64>,
    now: &BTreeMap<String, i64>,
) -> BTreeMap<String, i64> {
    let mut moves = BTreeMap::new();
    for (variant, q) in before {
        *moves.entry(variant.clone()).or_insert(0) += q;
    }
    for (variant, q) in now {
        *moves.entry(variant.clone()).or_insert(0) -= q;
    }
    moves.retain(|_, d| *d != 0);
    moves
}

/// What the bridge knows of one linked variant and its good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFacts {
    /// „не синхронизирай“: the good's quantity is not sent (its price still is).
    pub excluded: bool,
    /// The shop sells the variant without counting (`quantity: null`).
    pub unlimited: bool,
    /// The good is a stocked, active good (a service or an inactive good gets no
    /// quantity).
    pub stocked: bool,
    /// Available over the connection's objects, thousandths.
    pub available: i64,
    /// The price for the shop (minor units of the shop's currency), when the good has
    /// one in the connection's price group.
    pub price: Option<i64>,
    /// The shop's quantity as tracked (`None`: unknown).
    pub shop_quantity: Option<i64>,
    /// The shop's price as tracked (`None`: unknown).
    pub shop_price: Option<i64>,
}

/// A write to one variant: only what differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WantedUpdate {
    /// New quantity, thousandths.
    pub quantity: Option<i64>,
    /// New price, minor units.
    pub price: Option<i64>,
}

impl WantedUpdate {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.quantity.is_none() && self.price.is_none()
    }
}

/// What to write to the variant so the shop shows the warehouse's values; empty when
/// the shop already does (X1: no call for nothing).
pub fn wanted_update(facts: &LinkFacts) -> WantedUpdate {
    let quantity = (facts.stocked && !facts.unlimited && !facts.excluded)
        .then(|| quantity_for_shop(facts.available))
        .filter(|q| facts.shop_quantity != Some(*q));
    let price = facts.price.filter(|p| facts.shop_price != Some(*p));
    WantedUpdate { quantity, price }
}

/// Which writes go first (lower first): a variant that just sold out, then one falling
/// to a few units (a shop must stop selling what is gone), then everything else.
pub fn urgency(facts: &LinkFacts, update: &WantedUpdate) -> u8 {
    match (update.quantity, facts.shop_quantity) {
        (Some(0), _) => 0,
        (Some(q), Some(shop)) if q < shop && q <= LOW_STOCK_UNITS * UNIT => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> LinkFacts {
        LinkFacts {
            excluded: false,
            unlimited: false,
            stocked: true,
            available: 7_000,
            price: Some(2490),
            shop_quantity: Some(7_000),
            shop_price: Some(2490),
        }
    }

    #[test]
    fn x7_the_shop_gets_whole_units_available_floored_at_zero() {
        assert_eq!(quantity_for_shop(-3_000), 0);
        assert_eq!(quantity_for_shop(2_500), 2_000);
        assert_eq!(quantity_for_shop(12_000), 12_000);
    }

    #[test]
    fn x1_only_what_differs_is_written() {
        assert!(wanted_update(&facts()).is_empty());
        let sold = LinkFacts {
            available: 0,
            ..facts()
        };
        assert_eq!(
            wanted_update(&sold),
            WantedUpdate {
                quantity: Some(0),
                price: None
            }
        );
        assert_eq!(urgency(&sold, &wanted_update(&sold)), 0);
        let repriced = LinkFacts {
            price: Some(2590),
            ..facts()
        };
        assert_eq!(wanted_update(&repriced).price, Some(2590));
        assert_eq!(urgency(&repriced, &wanted_update(&repriced)), 2);
        let low = LinkFacts {
            available: 3_000,
            ..facts()
        };
        assert_eq!(urgency(&low, &wanted_update(&low)), 1);
        let unknown = LinkFacts {
            shop_quantity: None,
            shop_price: None,
            ..facts()
        };
        assert_eq!(
            wanted_update(&unknown),
            WantedUpdate {
                quantity: Some(7_000),
                price: Some(2490)
            }
        );
    }

    #[test]
    fn g6_excluded_unlimited_services_and_inactive_goods_get_no_quantity() {
        for f in [
            LinkFacts {
                excluded: true,
                shop_quantity: None,
                ..facts()
            },
            LinkFacts {
                unlimited: true,
                shop_quantity: None,
                ..facts()
            },
            LinkFacts {
                stocked: false,
                shop_quantity: None,
                ..facts()
            },
        ] {
            assert_eq!(wanted_update(&f).quantity, None, "{f:?}");
        }
        for repriced in [
            LinkFacts {
                unlimited: true,
                price: Some(100),
                ..facts()
            },
            LinkFacts {
                excluded: true,
                price: Some(100),
                ..facts()
            },
        ] {
            assert_eq!(wanted_update(&repriced).price, Some(100), "price still");
        }
    }

    #[test]
    fn the_shop_takes_stock_at_its_setting_and_gives_it_back_on_negative_statuses() {
        use ShopStockStatus::{Paid, Pending};
        assert_eq!(shop_took_stock(Paid, "pending", false), Some(false));
        assert_eq!(shop_took_stock(Pending, "pending", false), Some(true));
        assert_eq!(shop_took_stock(Paid, "paid", false), Some(true));
        assert_eq!(shop_took_stock(Paid, "authorized", false), Some(true));
        assert_eq!(shop_took_stock(Paid, "completed", false), Some(true));
        assert_eq!(shop_took_stock(Paid, "pending", true), Some(true));
        assert_eq!(shop_took_stock(Pending, "cancelled", true), Some(false));
        assert_eq!(shop_took_stock(Paid, "returned", false), Some(false));
        assert_eq!(shop_took_stock(Paid, "packing", false), None);
    }

    #[test]
    fn an_orders_stock_moves_the_shops_quantity_by_the_difference() {
        let none = BTreeMap::new();
        let taken = stock_taken(true, [("v1", 2_000), ("v2", 1_000), ("v1", 1_000)]);
        assert_eq!(
            taken,
            BTreeMap::from([("v1".into(), 3_000), ("v2".into(), 1_000)])
        );
        assert!(stock_taken(false, [("v1", 2_000)]).is_empty());
        assert_eq!(
            shop_stock_moves(&none, &taken),
            BTreeMap::from([("v1".into(), -3_000), ("v2".into(), -1_000)])
        );
        assert_eq!(
            shop_stock_moves(&taken, &none),
            BTreeMap::from([("v1".into(), 3_000), ("v2".into(), 1_000)])
        );
        assert!(shop_stock_moves(&taken, &taken).is_empty());
        let edited = stock_taken(true, [("v1", 1_000), ("v2", 1_000)]);
        assert_eq!(
            shop_stock_moves(&taken, &edited),
            BTreeMap::from([("v1".into(), 2_000)])
        );
    }
}
