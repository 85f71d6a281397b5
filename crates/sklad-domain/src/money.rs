//! Exact money: integer minor units (stotinki / euro cents) with an explicit currency.
//!
//! Bulgaria adopted the euro on 2026-01-01 at the fixed rate 1 EUR = 1.95583 BGN.
//! Conversions round half away from zero to the cent (10.00 лв → 5.11 €).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::decimal::{parse_fixed, FixedError};
use crate::error::FieldError;

/// BGN per EUR, as the integer 195583 over [`EUR_BGN_SCALE`].
pub const EUR_BGN_RATE_SCALED: i128 = 195_583;
/// Scale of [`EUR_BGN_RATE_SCALED`]: the rate has five decimals.
pub const EUR_BGN_SCALE: i128 = 100_000;

/// A firm's or a document's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Bulgarian lev (лв), the currency until 2025-12-31.
    #[serde(rename = "BGN")]
    Bgn,
    /// Euro (€), Bulgaria's currency since 2026-01-01.
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    /// ISO 4217 code: `BGN` or `EUR`.
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

/// Divides rounding half away from zero. `denominator` must be positive.
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

/// `value` clamped into `i64`.
fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// An exact amount in minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units: stotinki for BGN, cents for EUR.
    pub minor: i64,
    /// The currency `minor` counts in.
    pub currency: Currency,
}

impl Money {
    /// `minor` units of `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Nothing, in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses an amount (see [`parse_minor`]) in `currency`.
    pub fn parse(field: &str, text: &str, currency: Currency) -> Result<Money, FieldError> {
        parse_minor(field, text).map(|minor| Money::new(minor, currency))
    }

    /// Converts at the fixed rate, rounding half up to the cent.
    pub fn convert(self, to: Currency) -> Money {
        Money::new(convert_minor(self.minor, self.currency, to), to)
    }

    /// The sum, or `None` when the currencies differ or the sum overflows.
    /// Amounts in different currencies are never added silently: convert first.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// The difference, or `None` when the currencies differ or it overflows.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_sub(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// `self × numerator / denominator`, half up to the cent, e.g. a share or a
    /// percentage. `None` when `denominator` is not positive or the result overflows.
    pub fn mul_div(self, numerator: i64, denominator: i64) -> Option<Money> {
        if denominator <= 0 {
            return None;
        }
        let value = div_round_half_up(
            i128::from(self.minor) * i128::from(numerator),
            i128::from(denominator),
        );
        i64::try_from(value)
            .ok()
            .map(|minor| Money::new(minor, self.currency))
    }
}

impl fmt::Display for Money {
    /// The API form with the code: `1234.50 EUR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", format_minor_plain(self.minor), self.currency)
    }
}

/// Converts minor units between currencies at the fixed rate 1 EUR = 1.95583 BGN,
/// rounding half away from zero to the cent (ЗВЕРБ art. 12): 10.00 лв → 5.11 €,
/// 2.93 лв → 1.50 €, 1.00 € → 1.96 лв. The same currency is returned unchanged.
/// Results beyond `i64` (only EUR → BGN of astronomic amounts) saturate.
pub fn convert_minor(minor: i64, from: Currency, to: Currency) -> i64 {
    let m = i128::from(minor);
    match (from, to) {
        (Currency::Bgn, Currency::Bgn) | (Currency::Eur, Currency::Eur) => minor,
        (Currency::Bgn, Currency::Eur) => {
            saturate(div_round_half_up(m * EUR_BGN_SCALE, EUR_BGN_RATE_SCALED))
        }
        (Currency::Eur, Currency::Bgn) => {
            saturate(div_round_half_up(m * EUR_BGN_RATE_SCALED, EUR_BGN_SCALE))
        }
    }
}

/// Parses an amount written by a person or an API client into minor units:
/// `12`, `12.5`, `12,50`, `-3.07`, `1 234,56`, `.5`. Spaces (also non-breaking) are
/// ignored, comma and dot both mark the decimals. More than two decimals is an error
/// (`amount_precision`), so no amount is silently rounded; anything else that is not an
/// amount in `i64` minor units is `amount_invalid`. Never panics.
pub fn parse_minor(field: &str, text: &str) -> Result<i64, FieldError> {
    let invalid = || {
        let shown: String = text.chars().take(40).collect();
        FieldError::new(
            field,
            "amount_invalid",
            format!("„{shown}“ не е валидна сума (напр. 12,50)."),
            format!("\"{shown}\" is not a valid amount (e.g. 12.50)."),
        )
    };
    match parse_fixed(text, 2) {
        Ok(minor) => i64::try_from(minor).map_err(|_| invalid()),
        Err(FixedError::Precision) => Err(FieldError::new(
            field,
            "amount_precision",
            "Сумата може да има най-много 2 знака след десетичната запетая.",
            "An amount may have at most 2 decimal places.",
        )),
        Err(FixedError::Invalid) => Err(invalid()),
    }
}

/// `1234.5` as the plain text `1234.50` (API form: dot, no grouping).
pub fn format_minor_plain(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The digits of `whole` in groups of three, joined by `separator`.
fn group_thousands(whole: u64, separator: char) -> String {
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() * 2);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(ch);
    }
    grouped
}

/// An amount without currency in Bulgarian form: `1 234,56` (non-breaking space
/// between thousands, comma before the cents).
pub fn format_minor_bg(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!(
        "{sign}{},{:02}",
        group_thousands(abs / 100, '\u{a0}'),
        abs % 100
    )
}

/// Bulgarian display form: `1 234,56 €`, `10,00 лв` (non-breaking spaces).
pub fn format_bg(money: Money) -> String {
    format!(
        "{}\u{a0}{}",
        format_minor_bg(money.minor),
        money.currency.symbol()
    )
}

/// English display form: `€1,234.56`, `-€0.07`, `BGN 10.00` (the lev has no Latin
/// symbol, so its code is written before the amount, with a non-breaking space).
pub fn format_en(money: Money) -> String {
    let sign = if money.minor < 0 { "-" } else { "" };
    let abs = money.minor.unsigned_abs();
    let amount = format!("{}.{:02}", group_thousands(abs / 100, ','), abs % 100);
    match money.currency {
        Currency::Eur => format!("{sign}€{amount}"),
        Currency::Bgn => format!("{sign}BGN\u{a0}{amount}"),
    }
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
    fn changeover_examples_from_the_law() {
        assert_eq!(convert_minor(599, Currency::Bgn, Currency::Eur), 306);
        assert_eq!(convert_minor(293, Currency::Bgn, Currency::Eur), 150);
        assert_eq!(convert_minor(511, Currency::Eur, Currency::Bgn), 999);
        assert_eq!(convert_minor(-1000, Currency::Bgn, Currency::Eur), -511);
        assert_eq!(convert_minor(777, Currency::Eur, Currency::Eur), 777);
    }

    #[test]
    fn conversion_saturates_instead_of_wrapping() {
        assert_eq!(
            convert_minor(i64::MAX, Currency::Eur, Currency::Bgn),
            i64::MAX
        );
        assert_eq!(
            convert_minor(i64::MIN, Currency::Eur, Currency::Bgn),
            i64::MIN
        );
    }

    #[test]
    fn parse_covers_the_whole_i64_range() {
        assert_eq!(
            parse_minor("p", &format_minor_plain(i64::MIN)),
            Ok(i64::MIN)
        );
        assert_eq!(
            parse_minor("p", &format_minor_plain(i64::MAX)),
            Ok(i64::MAX)
        );
        assert_eq!(
            parse_minor("p", "92233720368547758.08").unwrap_err().code,
            "amount_invalid"
        );
        assert_eq!(parse_minor("p", "0000000000000000000000012.5"), Ok(1250));
        assert_eq!(parse_minor("p", "12.").map_err(|e| e.code), Ok(1200));
        assert_eq!(
            parse_minor("p", "1.234").unwrap_err().code,
            "amount_precision"
        );
        for bad in ["-", ".", "+5", "1e3", "1.2.3", "--1", "12 лв", "٣"] {
            assert_eq!(
                parse_minor("p", bad).unwrap_err().code,
                "amount_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn money_arithmetic_refuses_mixed_currencies() {
        let a = Money::new(150, Currency::Eur);
        assert_eq!(
            a.checked_add(Money::new(50, Currency::Eur)),
            Some(Money::new(200, Currency::Eur))
        );
        assert_eq!(a.checked_add(Money::new(50, Currency::Bgn)), None);
        assert_eq!(
            a.checked_sub(Money::new(200, Currency::Eur)),
            Some(Money::new(-50, Currency::Eur))
        );
        assert_eq!(
            Money::new(i64::MAX, Currency::Eur).checked_add(Money::new(1, Currency::Eur)),
            None
        );
        // 12.5 % of 10.01 € is 1.25125 € → 1.25 €.
        assert_eq!(
            Money::new(1001, Currency::Eur).mul_div(125, 1000),
            Some(Money::new(125, Currency::Eur))
        );
        assert_eq!(a.mul_div(1, 0), None);
        assert_eq!(a.to_string(), "1.50 EUR");
        assert_eq!(
            Money::parse("price", "1,5", Currency::Bgn),
            Ok(Money::new(150, Currency::Bgn))
        );
    }

    #[test]
    fn english_format() {
        assert_eq!(format_en(Money::new(123456, Currency::Eur)), "€1,234.56");
        assert_eq!(format_en(Money::new(-7, Currency::Eur)), "-€0.07");
        assert_eq!(format_en(Money::new(1000, Currency::Bgn)), "BGN\u{a0}10.00");
    }

    #[test]
    fn bulgarian_format_groups_thousands() {
        assert_eq!(
            format_bg(Money::new(123456, Currency::Eur)),
            "1\u{a0}234,56\u{a0}€"
        );
        assert_eq!(
            format_bg(Money::new(-1000, Currency::Bgn)),
            "-10,00\u{a0}лв"
        );
        assert_eq!(format_minor_bg(123456789), "1\u{a0}234\u{a0}567,89");
        assert_eq!(format_minor_bg(5), "0,05");
    }
}
