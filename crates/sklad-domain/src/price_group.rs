//! Microinvest's eleven price columns: the purchase price and ten selling price groups.

use serde::{Deserialize, Serialize};

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
    /// Ценова група 1 … 8 (PriceOut3..PriceOut10).
    Group1,
    Group2,
    Group3,
    Group4,
    Group5,
    Group6,
    Group7,
    Group8,
}

impl PriceGroup {
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

    pub fn from_key(key: &str) -> Option<Self> {
        PriceGroup::ALL.into_iter().find(|g| g.key() == key)
    }

    pub fn label_bg(self) -> String {
        match self {
            PriceGroup::Purchase => "Доставна цена".into(),
            PriceGroup::Wholesale => "Цена на едро".into(),
            PriceGroup::Retail => "Цена на дребно".into(),
            other => format!("Ценова група {}", other.group_number().unwrap_or_default()),
        }
    }

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
