//! Quantities and amounts as they arrive in JSON: a decimal string (`"1.5"`, `"12,50"`)
//! or a JSON number that is exact in decimal (`1.5`, `12`). The text is kept as written
//! and parsed by the domain (`Quantity::parse`, `money::parse_minor`) with the field's
//! path, so `"NaN"`, `1e3` or too many decimals are refused, never rounded.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use sklad_domain::money::parse_minor;
use sklad_domain::{FieldError, Quantity};
use std::fmt;

/// A decimal as written by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalText(pub String);

impl DecimalText {
    /// As a quantity (three decimals at most).
    pub fn quantity(&self, field: &str) -> Result<Quantity, FieldError> {
        Quantity::parse(field, &self.0)
    }

    /// As an amount in minor units (two decimals at most).
    pub fn minor(&self, field: &str) -> Result<i64, FieldError> {
        parse_minor(field, &self.0)
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = DecimalText;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number or a string such as \"12.50\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DecimalText, E> {
        Ok(DecimalText(v.to_owned()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DecimalText, E> {
        Ok(DecimalText(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DecimalText, E> {
        Ok(DecimalText(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DecimalText, E> {
        // The shortest text that reads back as the same double: `1.5` stays `1.5`,
        // while values that are not plain decimals (1e300, 0.1e-20) become text the
        // domain parsers refuse.
        Ok(DecimalText(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qty(json: &str) -> Result<Quantity, FieldError> {
        serde_json::from_str::<DecimalText>(json)
            .unwrap()
            .quantity("q")
    }

    #[test]
    fn strings_and_exact_numbers_are_accepted() {
        assert_eq!(qty("\"1.5\"").unwrap(), Quantity(1500));
        assert_eq!(qty("1.5").unwrap(), Quantity(1500));
        assert_eq!(qty("3").unwrap(), Quantity(3000));
        assert_eq!(
            serde_json::from_str::<DecimalText>("12.5")
                .unwrap()
                .minor("p")
                .unwrap(),
            1250
        );
    }

    #[test]
    fn nan_like_text_and_excess_precision_are_refused() {
        for bad in ["\"NaN\"", "\"inf\"", "1e300", "1.2345", "\"\"", "1e-7"] {
            assert!(qty(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<DecimalText>("true").is_err());
        assert!(serde_json::from_str::<DecimalText>("1.005")
            .unwrap()
            .minor("p")
            .is_err());
    }
}
