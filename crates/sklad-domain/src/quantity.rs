//! Exact quantities in thousandths of the good's base measure (3 decimals, as
//! Microinvest's `QntPercision`), so 1.5 kg is `Quantity(1500)`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Neg, Sub};

use crate::error::FieldError;

/// Thousandths per unit.
pub const QTY_SCALE: i64 = 1000;

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Quantity(pub i64);

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);

    pub const fn from_units(units: i64) -> Self {
        Quantity(units * QTY_SCALE)
    }

    pub const fn milli(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses `3`, `1.5`, `1,250`, `-2` (at most three decimals). Text such as `NaN`,
    /// `inf` or `1e3` is rejected.
    pub fn parse(field: &str, text: &str) -> Result<Quantity, FieldError> {
        let invalid = || {
            FieldError::new(
                field,
                "quantity_invalid",
                format!("„{text}“ не е валидно количество."),
                format!("\"{text}\" is not a valid quantity."),
            )
        };
        let cleaned = text.trim().replace(',', ".");
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if (whole.is_empty() && frac.is_empty())
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(invalid());
        }
        if frac.len() > 3 {
            return Err(FieldError::new(
                field,
                "quantity_precision",
                "Количеството може да има най-много 3 знака след десетичната запетая.",
                "A quantity may have at most 3 decimal places.",
            ));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let frac: i64 = format!("{frac:0<3}").parse().map_err(|_| invalid())?;
        let milli = whole
            .checked_mul(QTY_SCALE)
            .and_then(|w| w.checked_add(frac))
            .filter(|m| *m <= MAX_QUANTITY_MILLI)
            .ok_or_else(invalid)?;
        Ok(Quantity(if negative { -milli } else { milli }))
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
        for bad in ["NaN", "inf", "1e3", "", "-", "1.2345", "abc"] {
            assert!(Quantity::parse("q", bad).is_err(), "{bad}");
        }
    }
}
