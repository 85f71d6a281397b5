//! Exact quantities in thousandths of the good's base measure (3 decimals, as
//! Microinvest's `QntPercision`), so 1.5 kg is `Quantity(1500)`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Neg, Sub};

use crate::decimal::{parse_fixed, FixedError};
use crate::error::FieldError;

/// Thousandths per unit.
pub const QTY_SCALE: i64 = 1000;

/// An exact quantity in thousandths of a unit; serialised as that integer.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Quantity(
    /// Thousandths of the base measure.
    pub i64,
);

impl Quantity {
    /// Nothing.
    pub const ZERO: Quantity = Quantity(0);

    /// Whole units: `from_units(3)` is 3 pieces.
    pub const fn from_units(units: i64) -> Self {
        Quantity(units * QTY_SCALE)
    }

    /// The quantity in thousandths.
    pub const fn milli(self) -> i64 {
        self.0
    }

    /// Whether the quantity is exactly zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses `3`, `1.5`, `1,250`, `-2`, `1 000` (at most three decimals, spaces
    /// ignored, at most [`MAX_QUANTITY_MILLI`] in size). Text such as `NaN`, `inf` or
    /// `1e3` is `quantity_invalid`; a fourth decimal is `quantity_precision`.
    /// Never panics.
    pub fn parse(field: &str, text: &str) -> Result<Quantity, FieldError> {
        let invalid = || {
            let shown: String = text.chars().take(40).collect();
            FieldError::new(
                field,
                "quantity_invalid",
                format!("„{shown}“ не е валидно количество (напр. 1,5)."),
                format!("\"{shown}\" is not a valid quantity (e.g. 1.5)."),
            )
        };
        match parse_fixed(text, 3) {
            Ok(milli) if milli.abs() <= i128::from(MAX_QUANTITY_MILLI) => {
                Ok(Quantity(milli as i64))
            }
            Ok(_) | Err(FixedError::Invalid) => Err(invalid()),
            Err(FixedError::Precision) => Err(FieldError::new(
                field,
                "quantity_precision",
                "Количеството може да има най-много 3 знака след десетичната запетая.",
                "A quantity may have at most 3 decimal places.",
            )),
        }
    }

    /// Bulgarian display form: `1\u{a0}234,5` (non-breaking space between thousands,
    /// comma before the decimals, trailing zeros dropped).
    pub fn format_bg(self) -> String {
        self.format_grouped('\u{a0}', ',')
    }

    /// English display form: `1,234.5`.
    pub fn format_en(self) -> String {
        self.format_grouped(',', '.')
    }

    fn format_grouped(self, thousands: char, decimal: char) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let digits = (abs / QTY_SCALE as u64).to_string();
        let mut out = String::from(sign);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(thousands);
            }
            out.push(ch);
        }
        let frac = abs % QTY_SCALE as u64;
        if frac != 0 {
            out.push(decimal);
            out.push_str(format!("{frac:03}").trim_end_matches('0'));
        }
        out
    }
}

/// The largest quantity accepted from input: a billion units, far beyond any shop,
/// small enough that sums over millions of ledger rows cannot overflow.
pub const MAX_QUANTITY_MILLI: i64 = 1_000_000_000 * QTY_SCALE;

impl fmt::Display for Quantity {
    /// `1.5`, `3`, `-0.25`: trailing zeros dropped, dot as separator.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / QTY_SCALE as u64;
        let frac = abs % QTY_SCALE as u64;
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let frac = format!("{frac:03}");
            write!(f, "{sign}{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}

impl Add for Quantity {
    type Output = Quantity;
    fn add(self, rhs: Quantity) -> Quantity {
        Quantity(self.0 + rhs.0)
    }
}

impl Sub for Quantity {
    type Output = Quantity;
    fn sub(self, rhs: Quantity) -> Quantity {
        Quantity(self.0 - rhs.0)
    }
}

impl Neg for Quantity {
    type Output = Quantity;
    fn neg(self) -> Quantity {
        Quantity(-self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        assert_eq!(Quantity::parse("q", "1,5").unwrap(), Quantity(1500));
        assert_eq!(Quantity::parse("q", "2").unwrap().to_string(), "2");
        assert_eq!(Quantity(1250).to_string(), "1.25");
        assert_eq!(
            Quantity::parse("q", "1 000,5").unwrap(),
            Quantity(1_000_500)
        );
        assert_eq!(Quantity::parse("q", "-.25").unwrap(), Quantity(-250));
        for bad in ["NaN", "inf", "1e3", "", "-", ".", "abc", "+1", "1.2.3", "٣"] {
            assert_eq!(
                Quantity::parse("q", bad).unwrap_err().code,
                "quantity_invalid",
                "{bad}"
            );
        }
        assert_eq!(
            Quantity::parse("q", "1.2345").unwrap_err().code,
            "quantity_precision"
        );
    }

    #[test]
    fn refuses_more_than_the_maximum() {
        assert_eq!(
            Quantity::parse("q", "1000000000").unwrap(),
            Quantity(MAX_QUANTITY_MILLI)
        );
        assert_eq!(
            Quantity::parse("q", "1000000000.001").unwrap_err().code,
            "quantity_invalid"
        );
        assert_eq!(
            Quantity::parse("q", "99999999999999999999999")
                .unwrap_err()
                .code,
            "quantity_invalid"
        );
    }

    #[test]
    fn bulgarian_format() {
        assert_eq!(Quantity(1_234_500).format_bg(), "1\u{a0}234,5");
        assert_eq!(Quantity(-250).format_bg(), "-0,25");
        assert_eq!(Quantity::from_units(7).format_bg(), "7");
        assert_eq!(Quantity(1_234_500).format_en(), "1,234.5");
        assert_eq!(Quantity(-1_000_000_001).format_en(), "-1,000,000.001");
    }
}
