//! Exact money: integer minor units (stotinki / euro cents) with an explicit currency.
//!
//! Bulgaria adopted the euro on 2026-01-01 at the fixed rate 1 EUR = 1.95583 BGN.
//! Conversions round half away from zero to the cent (10.00 лв → 5.11 €).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::FieldError;

/// BGN per EUR, as the integer 195583 over [`EUR_BGN_SCALE`].
pub const EUR_BGN_RATE_SCALED: i128 = 195_583;
/// Scale of [`EUR_BGN_RATE_SCALED`]: the rate has five decimals.
pub const EUR_BGN_SCALE: i128 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    #[serde(rename = "BGN")]
    Bgn,
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Bgn => "BGN",
            Currency::Eur => "EUR",
        }
    }

    /// Parses an ISO code, case-insensitively.
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_uppercase().as_str() {
            "BGN" => Some(Currency::Bgn),
            "EUR" => Some(Currency::Eur),
            _ => None,
        }
    }

    /// The symbol written after the amount in Bulgarian: "лв" or "€".
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Bgn => "лв",
            Currency::Eur => "€",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Divides rounding half away from zero.
pub fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0);
    let q = numerator / denominator;
    let r = numerator % denominator;
    if 2 * r.abs() >= denominator {
        q + numerator.signum()
    } else {
        q
    }
}

/// An exact amount in minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units: stotinki for BGN, cents for EUR.
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Converts at the fixed rate, rounding half up to the cent.
    pub fn convert(self, to: Currency) -> Money {
        Money::new(convert_minor(self.minor, self.currency, to), to)
    }
}

/// Converts minor units between currencies at the fixed rate, half up to the cent.
pub fn convert_minor(minor: i64, from: Currency, to: Currency) -> i64 {
    let m = minor as i128;
    let out = match (from, to) {
        (a, b) if a == b => m,
        (Currency::Bgn, Currency::Eur) => div_round_half_up(m * EUR_BGN_SCALE, EUR_BGN_RATE_SCALED),
        (Currency::Eur, Currency::Bgn) => div_round_half_up(m * EUR_BGN_RATE_SCALED, EUR_BGN_SCALE),
        _ => unreachable!("all currency pairs are covered"),
    };
    out as i64
}

/// Parses an amount written by a person or an API client into minor units:
/// `12`, `12.5`, `12,50`, `-3.07`, `1 234,56`. More than two decimals is an error,
/// so no amount is silently rounded.
pub fn parse_minor(field: &str, text: &str) -> Result<i64, FieldError> {
    let invalid = || {
        FieldError::new(
            field,
            "amount_invalid",
            format!("„{text}“ не е валидна сума (напр. 12,50)."),
            format!("\"{text}\" is not a valid amount (e.g. 12.50)."),
        )
    };
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(invalid());
    }
    if frac.len() > 2 {
        return Err(FieldError::new(
            field,
            "amount_precision",
            "Сумата може да има най-много 2 знака след десетичната запетая.",
            "An amount may have at most 2 decimal places.",
        ));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let frac_value: i64 = format!("{frac:0<2}").parse().map_err(|_| invalid())?;
    let minor = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac_value))
        .ok_or_else(invalid)?;
    Ok(if negative { -minor } else { minor })
}

/// `1234.5` as the plain text `1234.50` (API form: dot, no grouping).
pub fn format_minor_plain(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Bulgarian display form: `1 234,56 €`, `10,00 лв`.
pub fn format_bg(money: Money) -> String {
    let sign = if money.minor < 0 { "-" } else { "" };
    let abs = money.minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!(
        "{sign}{grouped},{:02}\u{a0}{}",
        abs % 100,
        money.currency.symbol()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_leva_is_five_euro_eleven() {
        assert_eq!(convert_minor(1000, Currency::Bgn, Currency::Eur), 511);
    }

    #[test]
    fn one_euro_is_one_ninety_six_leva() {
        assert_eq!(convert_minor(100, Currency::Eur, Currency::Bgn), 196);
    }

    #[test]
    fn parse_accepts_both_separators_and_rejects_garbage() {
        assert_eq!(parse_minor("p", "12,5"), Ok(1250));
        assert_eq!(parse_minor("p", "1 234.56"), Ok(123456));
        assert_eq!(parse_minor("p", "-0.07"), Ok(-7));
        assert!(parse_minor("p", "NaN").is_err());
        assert!(parse_minor("p", "1.234").is_err());
        assert!(parse_minor("p", "").is_err());
        assert!(parse_minor("p", "99999999999999999999").is_err());
    }

    #[test]
    fn bulgarian_format_groups_thousands() {
        assert_eq!(
            format_bg(Money::new(123456, Currency::Eur)),
            "1\u{a0}234,56\u{a0}€"
        );
    }
}
