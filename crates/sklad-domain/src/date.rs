//! Calendar dates as merchants write them: `28.11.2026` in Bulgarian, `28 Nov 2026` in
//! English, `2026-11-28` in the API.

use jiff::civil::Date;

use crate::error::FieldError;

/// Bulgarian form: `28.11.2026` (day and month with two digits).
pub fn format_date_bg(date: Date) -> String {
    format!("{:02}.{:02}.{}", date.day(), date.month(), date.year())
}

/// English form: `28 Nov 2026`.
pub fn format_date_en(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS
        .get(usize::try_from(date.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("?");
    format!("{} {month} {}", date.day(), date.year())
}

/// Parses a date typed by a person or sent by a client: ISO `2026-11-28`, or
/// Bulgarian `28.11.2026`, `28.11.2026 г.`, `8.1.2026`. A day that does not exist
/// (`31.02.2026`) or any other text is `date_invalid`. Years 1900–2999. Never panics.
pub fn parse_date(field: &str, text: &str) -> Result<Date, FieldError> {
    let invalid = || {
        let shown: String = text.chars().take(40).collect();
        FieldError::new(
            field,
            "date_invalid",
            format!("„{shown}“ не е валидна дата (напр. 28.11.2026)."),
            format!("\"{shown}\" is not a valid date (e.g. 2026-11-28)."),
        )
    };
    let trimmed = text.trim();
    let trimmed = trimmed
        .strip_suffix("г.")
        .or_else(|| trimmed.strip_suffix('г'))
        .unwrap_or(trimmed)
        .trim_end();
    let parts: Vec<&str> = if trimmed.contains('-') {
        trimmed.split('-').collect()
    } else {
        trimmed.split('.').rev().collect()
    };
    let [year, month, day] = parts.as_slice() else {
        return Err(invalid());
    };
    let number = |part: &str, max_len: usize| -> Option<i16> {
        if part.is_empty() || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (Some(year), Some(month), Some(day)) = (number(year, 4), number(month, 2), number(day, 2))
    else {
        return Err(invalid());
    };
    if !(1900..=2999).contains(&year) {
        return Err(invalid());
    }
    let month = i8::try_from(month).map_err(|_| invalid())?;
    let day = i8::try_from(day).map_err(|_| invalid())?;
    Date::new(year, month, day).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn formats() {
        assert_eq!(format_date_bg(date(2026, 11, 28)), "28.11.2026");
        assert_eq!(format_date_bg(date(2026, 1, 8)), "08.01.2026");
        assert_eq!(format_date_en(date(2026, 11, 28)), "28 Nov 2026");
        assert_eq!(format_date_en(date(2026, 1, 8)), "8 Jan 2026");
    }

    #[test]
    fn parses_both_forms() {
        let expected = Ok(date(2026, 11, 28));
        assert_eq!(parse_date("date", "2026-11-28"), expected);
        assert_eq!(parse_date("date", " 28.11.2026 "), expected);
        assert_eq!(parse_date("date", "28.11.2026 г."), expected);
        assert_eq!(parse_date("date", "8.1.2026"), Ok(date(2026, 1, 8)));
        for bad in [
            "",
            "31.02.2026",
            "2026-13-01",
            "28/11/2026",
            "28.11",
            "28.11.26",
            "1.1.1800",
            "2026-11-28T10:00",
            "a.b.c",
            "-1.1.2026",
            "28..2026",
        ] {
            assert_eq!(
                parse_date("date", bad).unwrap_err().code,
                "date_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn round_trips_its_own_forms() {
        for d in [date(1900, 1, 1), date(2024, 2, 29), date(2999, 12, 31)] {
            assert_eq!(parse_date("d", &format_date_bg(d)), Ok(d));
            assert_eq!(parse_date("d", &d.to_string()), Ok(d));
        }
    }
}
