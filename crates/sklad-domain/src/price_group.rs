//! Microinvest's eleven price columns: the purchase price and ten selling price groups.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A price column of a good: the purchase price or one of the ten selling groups.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PriceGroup {
    /// Доставна цена (PriceIn).
    Purchase,
    /// Цена на едро (PriceOut1).
    Wholesale,
    /// Цена на дребно (PriceOut2): the default selling group.
    #[default]
    Retail,
    /// Ценова група 1 (PriceOut3).
    Group1,
    /// Ценова група 2 (PriceOut4).
    Group2,
    /// Ценова група 3 (PriceOut5).
    Group3,
    /// Ценова група 4 (PriceOut6).
    Group4,
    /// Ценова група 5 (PriceOut7).
    Group5,
    /// Ценова група 6 (PriceOut8).
    Group6,
    /// Ценова група 7 (PriceOut9).
    Group7,
    /// Ценова група 8 (PriceOut10).
    Group8,
}

impl PriceGroup {
    /// All eleven columns in Microinvest's export order.
    pub const ALL: [PriceGroup; 11] = [
        PriceGroup::Purchase,
        PriceGroup::Wholesale,
        PriceGroup::Retail,
        PriceGroup::Group1,
        PriceGroup::Group2,
        PriceGroup::Group3,
        PriceGroup::Group4,
        PriceGroup::Group5,
        PriceGroup::Group6,
        PriceGroup::Group7,
        PriceGroup::Group8,
    ];

    /// The ten groups an object or partner can sell at.
    pub fn selling() -> impl Iterator<Item = PriceGroup> {
        PriceGroup::ALL.into_iter().skip(1)
    }

    /// Stable storage and API key, e.g. `retail`, `group3`.
    pub fn key(self) -> &'static str {
        match self {
            PriceGroup::Purchase => "purchase",
            PriceGroup::Wholesale => "wholesale",
            PriceGroup::Retail => "retail",
            PriceGroup::Group1 => "group1",
            PriceGroup::Group2 => "group2",
            PriceGroup::Group3 => "group3",
            PriceGroup::Group4 => "group4",
            PriceGroup::Group5 => "group5",
            PriceGroup::Group6 => "group6",
            PriceGroup::Group7 => "group7",
            PriceGroup::Group8 => "group8",
        }
    }

    /// The group with this key.
    pub fn from_key(key: &str) -> Option<Self> {
        PriceGroup::ALL.into_iter().find(|g| g.key() == key)
    }

    /// Bulgarian label, as in Microinvest: `Цена на дребно`, `Ценова група 3`.
    pub fn label_bg(self) -> String {
        match self {
            PriceGroup::Purchase => "Доставна цена".into(),
            PriceGroup::Wholesale => "Цена на едро".into(),
            PriceGroup::Retail => "Цена на дребно".into(),
            other => format!("Ценова група {}", other.group_number().unwrap_or_default()),
        }
    }

    /// English label: `Retail price`, `Price group 3`.
    pub fn label_en(self) -> String {
        match self {
            PriceGroup::Purchase => "Purchase price".into(),
            PriceGroup::Wholesale => "Wholesale price".into(),
            PriceGroup::Retail => "Retail price".into(),
            other => format!("Price group {}", other.group_number().unwrap_or_default()),
        }
    }

    fn group_number(self) -> Option<u8> {
        let index = PriceGroup::ALL.iter().position(|g| *g == self)?;
        (index >= 3).then(|| (index - 2) as u8)
    }
}

/// The selling price of a good in `group` from its price list (minor units, VAT
/// included): the group's own price, or the retail price when the group has none, as
/// Microinvest does. `None` when neither is set. Asking for [`PriceGroup::Purchase`]
/// gives the purchase price, without fallback.
pub fn selling_price(prices: &BTreeMap<PriceGroup, i64>, group: PriceGroup) -> Option<i64> {
    match prices.get(&group) {
        Some(price) => Some(*price),
        None if group == PriceGroup::Purchase => None,
        None => prices.get(&PriceGroup::Retail).copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_columns_ten_selling_retail_by_default() {
        assert_eq!(PriceGroup::selling().count(), 10);
        assert!(PriceGroup::selling().all(|g| g != PriceGroup::Purchase));
        assert_eq!(PriceGroup::default(), PriceGroup::Retail);
        for g in PriceGroup::ALL {
            assert_eq!(PriceGroup::from_key(g.key()), Some(g));
        }
        assert_eq!(PriceGroup::from_key("Retail"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(PriceGroup::Purchase.label_bg(), "Доставна цена");
        assert_eq!(PriceGroup::Group1.label_bg(), "Ценова група 1");
        assert_eq!(PriceGroup::Group8.label_en(), "Price group 8");
        assert_eq!(PriceGroup::Wholesale.label_en(), "Wholesale price");
    }

    #[test]
    fn selling_price_falls_back_to_retail() {
        let prices = BTreeMap::from([
            (PriceGroup::Purchase, 700),
            (PriceGroup::Retail, 1200),
            (PriceGroup::Wholesale, 1000),
        ]);
        assert_eq!(selling_price(&prices, PriceGroup::Wholesale), Some(1000));
        assert_eq!(selling_price(&prices, PriceGroup::Group3), Some(1200));
        assert_eq!(selling_price(&prices, PriceGroup::Purchase), Some(700));
        let no_retail = BTreeMap::from([(PriceGroup::Group1, 900)]);
        assert_eq!(selling_price(&no_retail, PriceGroup::Group2), None);
        assert_eq!(selling_price(&no_retail, PriceGroup::Purchase), None);
        assert_eq!(selling_price(&no_retail, PriceGroup::Group1), Some(900));
    }
}
