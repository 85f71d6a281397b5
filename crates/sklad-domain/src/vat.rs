//! Bulgarian VAT (ДДС) rates in 2026: 20 % standard, 9 % reduced, 0 %.

use serde::{Deserialize, Serialize};

use crate::money::div_round_half_up;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VatRate {
    /// 20 %: the country's standard rate, given to goods imported from a shop.
    #[serde(rename = "20")]
    #[default]
    Standard,
    /// 9 %: accommodation, some books and foods.
    #[serde(rename = "9")]
    Reduced,
    /// 0 %: exempt or zero-rated supplies.
    #[serde(rename = "0")]
    Zero,
}

impl VatRate {
    pub const ALL: [VatRate; 3] = [VatRate::Standard, VatRate::Reduced, VatRate::Zero];

    pub fn percent(self) -> i64 {
        match self {
            VatRate::Standard => 20,
            VatRate::Reduced => 9,
            VatRate::Zero => 0,
        }
    }

    pub fn from_percent(percent: i64) -> Option<Self> {
        VatRate::ALL.into_iter().find(|r| r.percent() == percent)
    }

    /// The VAT contained in a VAT-inclusive amount, half up to the cent.
    pub fn vat_of_gross(self, gross_minor: i64) -> i64 {
        let p = self.percent() as i128;
        div_round_half_up(gross_minor as i128 * p, 100 + p) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_inside_gross() {
        assert_eq!(VatRate::Standard.vat_of_gross(1200), 200);
        assert_eq!(VatRate::Reduced.vat_of_gross(109), 9);
        assert_eq!(VatRate::Zero.vat_of_gross(500), 0);
    }
}
