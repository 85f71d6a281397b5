//! Tolerant deserialisers for CloudCart's loosely typed attributes (numbers sent as strings,
//! `yes`/`no` flags sent as `1`/`0` or booleans, decimal quantities).

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Reads any JSON scalar as text (strings as is, numbers and booleans formatted).
pub(crate) fn scalar_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, number or boolean")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(Text)
}

/// An optional integer that may arrive as a JSON number (integral or `x.0`) or a numeric
/// string; `null` and `""` read as `None`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct Int;
    impl Visitor<'_> for Int {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, a numeric string or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom("integer out of range"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(Some(v as i64))
            } else {
                Err(E::custom(format!("expected a whole number, got {v}")))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if let Ok(n) = t.parse::<i64>() {
                return Ok(Some(n));
            }
            match Decimal3::parse(t) {
                Some(d) if d.thousandths % 1000 == 0 => Ok(Some(d.thousandths / 1000)),
                _ => Err(E::custom(format!("expected a whole number, got {v:?}"))),
            }
        }
    }
    d.deserialize_any(Int)
}

/// A decimal with three fractional digits (CloudCart's `decimal(20,3)` columns), kept exact
/// as an integer count of thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Decimal3 {
    thousandths: i64,
}

impl Decimal3 {
    /// A whole number.
    pub fn from_whole(n: i64) -> Self {
        Self {
            thousandths: n.saturating_mul(1000),
        }
    }

    /// From a count of thousandths (`1500` = 1.5).
    pub fn from_thousandths(thousandths: i64) -> Self {
        Self { thousandths }
    }

    /// The value in thousandths.
    pub fn thousandths(self) -> i64 {
        self.thousandths
    }

    /// The whole part when the value has no fraction.
    pub fn as_whole(self) -> Option<i64> {
        (self.thousandths % 1000 == 0).then_some(self.thousandths / 1000)
    }

    /// Parses `"12"`, `"12.5"`, `"-0.250"`; at most three fractional digits. Never panics.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac_trimmed = frac.trim_end_matches('0');
        if frac_trimmed.len() > 3 {
            return None;
        }
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut frac_value: i64 = 0;
        for i in 0..3 {
            let digit = frac_trimmed
                .as_bytes()
                .get(i)
                .map_or(0, |b| i64::from(b - b'0'));
            frac_value = frac_value * 10 + digit;
        }
        let magnitude = whole_value.checked_mul(1000)?.checked_add(frac_value)?;
        Some(Self {
            thousandths: if neg { -magnitude } else { magnitude },
        })
    }
}

impl fmt::Display for Decimal3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.thousandths < 0 { "-" } else { "" };
        let abs = self.thousandths.unsigned_abs();
        let (whole, frac) = (abs / 1000, abs % 1000);
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let frac = format!("{frac:03}");
            write!(f, "{sign}{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// Largest magnitude (in thousandths) whose `f64` still prints back as the same decimal.
const EXACT_F64_THOUSANDTHS: i64 = 1 << 53;

impl Serialize for Decimal3 {
    /// Whole values as integers; fractions as JSON numbers (the shortest `f64` text of a
    /// three-decimal value is that decimal); values too large for that as strings.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_whole() {
            Some(n) => s.serialize_i64(n),
            None if self.thousandths.abs() < EXACT_F64_THOUSANDTHS => {
                s.serialize_f64(self.thousandths as f64 / 1000.0)
            }
            None => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal3 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Dec;
        impl Visitor<'_> for Dec {
            type Value = Decimal3;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number with at most three fractional digits")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal3, E> {
                v.checked_mul(1000)
                    .map(Decimal3::from_thousandths)
                    .ok_or_else(|| E::custom("number out of range"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal3, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(|v| v.checked_mul(1000))
                    .map(Decimal3::from_thousandths)
                    .ok_or_else(|| E::custom("number out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal3, E> {
                // Round-trip through the shortest decimal text so 0.1 stays 0.1.
                Decimal3::parse(&v.to_string())
                    .ok_or_else(|| E::custom(format!("not a decimal(20,3): {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal3, E> {
                Decimal3::parse(v).ok_or_else(|| E::custom(format!("not a decimal(20,3): {v:?}")))
            }
        }
        d.deserialize_any(Dec)
    }
}

/// An optional `Decimal3`: `null` and `""` read as `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal3>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => Decimal3::deserialize(v)
            .map(Some)
            .map_err(de::Error::custom),
    }
}

/// An optional string that tolerates numbers (formatted as text); `null` reads as `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(serde_json::Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(other) => Err(de::Error::custom(format!(
            "expected text, got {}",
            json_kind(&other)
        ))),
    }
}

/// A short name of a JSON value's kind for error messages.
pub(crate) fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A CloudCart `yes`/`no` flag. Also accepts `1`/`0`, `"1"`/`"0"` and booleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum YesNo {
    /// `yes`
    Yes,
    /// `no`
    No,
}

impl YesNo {
    /// `true` for `yes`.
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }
}

impl From<bool> for YesNo {
    fn from(v: bool) -> Self {
        if v {
            Self::Yes
        } else {
            Self::No
        }
    }
}

impl Serialize for YesNo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.is_yes() { "yes" } else { "no" })
    }
}

impl<'de> Deserialize<'de> for YesNo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar_text(d)?;
        match text.trim().to_ascii_lowercase().as_str() {
            "yes" | "1" | "true" | "y" | "on" => Ok(Self::Yes),
            "no" | "0" | "false" | "n" | "off" | "" => Ok(Self::No),
            other => Err(de::Error::custom(format!("expected yes/no, got {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal3_parses_and_prints_exactly() {
        assert_eq!(Decimal3::parse("12").unwrap().thousandths(), 12_000);
        assert_eq!(Decimal3::parse("1.000").unwrap().thousandths(), 1_000);
        assert_eq!(Decimal3::parse("-0.25").unwrap().thousandths(), -250);
        assert_eq!(Decimal3::parse(".5").unwrap().thousandths(), 500);
        assert_eq!(Decimal3::parse("1.2345"), None);
        assert_eq!(Decimal3::parse("abc"), None);
        assert_eq!(Decimal3::parse("-"), None);
        assert_eq!(Decimal3::parse("99999999999999999999"), None);
        assert_eq!(Decimal3::from_thousandths(1500).to_string(), "1.5");
        assert_eq!(Decimal3::from_thousandths(-20).to_string(), "-0.02");
        let v: Decimal3 = serde_json::from_str("0.1").unwrap();
        assert_eq!(v.thousandths(), 100);
        let v: Decimal3 = serde_json::from_str("\"36.000\"").unwrap();
        assert_eq!(v.as_whole(), Some(36));
        for text in ["1.005", "-0.001", "123456.789", "0.1", "7"] {
            let d = Decimal3::parse(text).unwrap();
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(json, text);
            assert_eq!(serde_json::from_str::<Decimal3>(&json).unwrap(), d);
        }
    }

    #[test]
    fn yes_no_accepts_the_variants_seen_in_the_wild() {
        for (raw, want) in [
            ("\"yes\"", YesNo::Yes),
            ("1", YesNo::Yes),
            ("true", YesNo::Yes),
            ("\"0\"", YesNo::No),
            ("\"no\"", YesNo::No),
        ] {
            assert_eq!(serde_json::from_str::<YesNo>(raw).unwrap(), want, "{raw}");
        }
        assert!(serde_json::from_str::<YesNo>("\"maybe\"").is_err());
    }
}
