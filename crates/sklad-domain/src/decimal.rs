//! The one parser of decimal numbers typed by people and API clients, shared by
//! amounts ([`crate::money::parse_minor`]) and quantities ([`crate::Quantity::parse`]).

/// Why a text is not a fixed-point number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedError {
    /// Not a number at all (`NaN`, `1e3`, empty, letters) or too large.
    Invalid,
    /// More decimals than the scale allows.
    Precision,
}

/// Parses `12`, `-1.5`, `1 234,56`, `.5` into an integer scaled by `10^decimals`.
/// Spaces (also non-breaking) are ignored, comma and dot both mark the decimals, a
/// leading `-` negates. The result is exact or an error; it never panics and never
/// rounds. Magnitudes beyond 10^30 are `Invalid`.
pub fn parse_fixed(text: &str, decimals: u32) -> Result<i128, FixedError> {
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
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(FixedError::Invalid);
    }
    if frac.len() > decimals as usize {
        return Err(FixedError::Precision);
    }
    let significant = whole.trim_start_matches('0');
    if significant.len() > 30 {
        return Err(FixedError::Invalid);
    }
    let whole: i128 = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| FixedError::Invalid)?
    };
    let frac: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i128>().map_err(|_| FixedError::Invalid)?
            * 10i128.pow(decimals - frac.len() as u32)
    };
    let magnitude = whole * 10i128.pow(decimals) + frac;
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_people_and_api_forms() {
        assert_eq!(parse_fixed("12,5", 2), Ok(1250));
        assert_eq!(parse_fixed("1\u{a0}234.56", 2), Ok(123_456));
        assert_eq!(parse_fixed("-.5", 3), Ok(-500));
        assert_eq!(parse_fixed("007", 0), Ok(7));
        assert_eq!(parse_fixed("1.234", 2), Err(FixedError::Precision));
        for bad in [
            "", "-", ".", "NaN", "1e3", "inf", "1.2.3", "--1", "+1", "1-",
        ] {
            assert_eq!(parse_fixed(bad, 2), Err(FixedError::Invalid), "{bad:?}");
        }
        assert_eq!(parse_fixed(&"9".repeat(31), 2), Err(FixedError::Invalid));
    }
}
