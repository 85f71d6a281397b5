//! Bulgarian VAT (ДДС) rates in 2026: 20 % standard, 9 % reduced, 0 %.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::money::div_round_half_up;

/// A VAT rate of a good or an operation line.
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
    /// Every rate, highest first.
    pub const ALL: [VatRate; 3] = [VatRate::Standard, VatRate::Reduced, VatRate::Zero];

    /// The rate in percent: 20, 9 or 0.
    pub fn percent(self) -> i64 {
        match self {
            VatRate::Standard => 20,
            VatRate::Reduced => 9,
            VatRate::Zero => 0,
        }
    }

    /// The rate with this percentage, if Bulgaria has one.
    pub fn from_percent(percent: i64) -> Option<Self> {
        VatRate::ALL.into_iter().find(|r| r.percent() == percent)
    }

    /// Parses `20`, `20%`, `9 %`, `0`, `20.00` (as shops send it). Any other
    /// percentage is `vat_rate_invalid`, naming the rates that exist. Never panics.
    pub fn parse(field: &str, text: &str) -> Result<VatRate, FieldError> {
        let cleaned = text.trim().trim_end_matches('%').trim();
        let whole = match cleaned.split_once(['.', ',']) {
            Some((whole, decimals)) if decimals.chars().all(|c| c == '0') => whole,
            Some(_) => cleaned,
            None => cleaned,
        };
        whole
            .parse::<i64>()
            .ok()
            .and_then(VatRate::from_percent)
            .ok_or_else(|| {
                let shown: String = text.chars().take(20).collect();
                FieldError::new(
                    field,
                    "vat_rate_invalid",
                    format!("„{shown}“ не е ставка на ДДС в България: изберете 20 %, 9 % или 0 %."),
                    format!("\"{shown}\" is not a Bulgarian VAT rate: choose 20 %, 9 % or 0 %."),
                )
            })
    }

    /// The rate as shown to people: `20 %` (with a non-breaking space).
    pub fn label(self) -> String {
        format!("{}\u{a0}%", self.percent())
    }

    /// The VAT contained in a VAT-inclusive amount, half up to the cent.
    pub fn vat_of_gross(self, gross_minor: i64) -> i64 {
        let p = self.percent() as i128;
        div_round_half_up(gross_minor as i128 * p, 100 + p) as i64
    }

    /// A VAT-inclusive amount split into net and VAT; `net + vat == gross` always.
    pub fn split_gross(self, gross_minor: i64) -> VatSplit {
        let vat = self.vat_of_gross(gross_minor);
        VatSplit {
            net: gross_minor - vat,
            vat,
        }
    }

    /// The VAT-inclusive amount for a net amount: net plus VAT on it, half up to the
    /// cent. Saturates at the ends of `i64`.
    pub fn gross_of_net(self, net_minor: i64) -> i64 {
        let p = i128::from(self.percent());
        let gross = div_round_half_up(i128::from(net_minor) * (100 + p), 100);
        i64::try_from(gross).unwrap_or(if gross < 0 { i64::MIN } else { i64::MAX })
    }
}

/// A VAT-inclusive amount taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatSplit {
    /// The amount without VAT (данъчна основа).
    pub net: i64,
    /// The VAT it contains.
    pub vat: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_inside_gross() {
        assert_eq!(VatRate::Standard.vat_of_gross(1200), 200);
        assert_eq!(VatRate::Reduced.vat_of_gross(109), 9);
        assert_eq!(VatRate::Zero.vat_of_gross(500), 0);
        assert_eq!(
            VatRate::Standard.split_gross(1999),
            VatSplit {
                net: 1666,
                vat: 333
            }
        );
        assert_eq!(VatRate::Standard.gross_of_net(1666), 1999);
        assert_eq!(VatRate::Reduced.gross_of_net(1000), 1090);
    }

    #[test]
    fn parse_rates() {
        assert_eq!(VatRate::parse("vat", "20"), Ok(VatRate::Standard));
        assert_eq!(VatRate::parse("vat", " 9 % "), Ok(VatRate::Reduced));
        assert_eq!(VatRate::parse("vat", "20.00"), Ok(VatRate::Standard));
        assert_eq!(VatRate::parse("vat", "0%"), Ok(VatRate::Zero));
        for bad in ["", "19", "20.5", "%", "NaN", "-20", "twenty"] {
            assert_eq!(
                VatRate::parse("vat", bad).unwrap_err().code,
                "vat_rate_invalid",
                "{bad}"
            );
        }
        assert_eq!(VatRate::Reduced.label(), "9\u{a0}%");
    }
}
