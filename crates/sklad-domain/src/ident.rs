//! Bulgarian identifiers (SPEC X5): ЕИК / Булстат (9 and 13 digits), ЕГН, ЛНЧ and the
//! VAT number (ДДС номер). Algorithms per `shared/domain/BULGARIA.md` §B.
//!
//! Every validator takes the input as typed, normalises it and returns the normalised
//! form, or a [`FieldError`] for `field` with a stable code and Bulgarian and English text.
//!
//! Normalisation: surrounding whitespace is trimmed and whitespace, dots and dashes inside
//! are removed (`831 826 092`, `831-826-092` → `831826092`); a VAT number is upper-cased.
//! Anything else that is not an ASCII digit is refused (`*_characters`), so is a wrong
//! number of digits (`*_length`) and a wrong check digit (`*_invalid`).
//!
//! Error messages never repeat the whole number: an ЕГН or ЛНЧ is personal data and
//! messages end up in logs.
//!
//! | Code                      | Meaning                                                        |
//! |---------------------------|----------------------------------------------------------------|
//! | `required`                | nothing but spaces, dots or dashes was given                   |
//! | `eik_characters`          | an ЕИК contains a character that is not a digit                |
//! | `eik_length`              | an ЕИК has neither 9 nor 13 digits                             |
//! | `eik_invalid`             | an ЕИК's check digit (9th or 13th) is wrong                    |
//! | `egn_characters`          | an ЕГН contains a character that is not a digit                |
//! | `egn_length`              | an ЕГН does not have 10 digits                                 |
//! | `egn_date`                | an ЕГН's first six digits are not a real birth date            |
//! | `egn_invalid`             | an ЕГН's check digit is wrong                                  |
//! | `lnch_characters`         | an ЛНЧ contains a character that is not a digit                |
//! | `lnch_length`             | an ЛНЧ does not have 10 digits                                 |
//! | `lnch_invalid`            | an ЛНЧ's check digit is wrong                                  |
//! | `vat_number_prefix`       | a VAT number does not start with `BG`                          |
//! | `vat_number_characters`   | after `BG`, a VAT number contains a character that is not a digit |
//! | `vat_number_length`       | after `BG`, a VAT number has neither 9, 10 nor 13 digits       |
//! | `vat_number_invalid`      | a VAT number's check digit is wrong                            |
//! | `partner_id_characters`   | a partner id contains a character that is not a digit          |
//! | `partner_id_length`       | a partner id has neither 9, 10 nor 13 digits                   |
//! | `partner_id_invalid`      | a 10-digit partner id is neither a valid ЕГН nor a valid ЛНЧ   |
//!
//! A 9- or 13-digit partner id is checked as an ЕИК and reports the `eik_*` codes.

use crate::error::FieldError;

/// The kind of identifier being checked; chooses the error codes and the words used.
#[derive(Clone, Copy)]
enum IdKind {
    Eik,
    Egn,
    Lnch,
    VatNumber,
    PartnerId,
}

impl IdKind {
    fn name_bg(self) -> &'static str {
        match self {
            IdKind::Eik => "ЕИК",
            IdKind::Egn => "ЕГН",
            IdKind::Lnch => "ЛНЧ",
            IdKind::VatNumber => "ДДС номерът",
            IdKind::PartnerId => "ЕИК / ЕГН / ЛНЧ",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            IdKind::Eik => "The EIK",
            IdKind::Egn => "The EGN",
            IdKind::Lnch => "The LNCh",
            IdKind::VatNumber => "The VAT number",
            IdKind::PartnerId => "The EIK / EGN / LNCh",
        }
    }

    fn characters_code(self) -> &'static str {
        match self {
            IdKind::Eik => "eik_characters",
            IdKind::Egn => "egn_characters",
            IdKind::Lnch => "lnch_characters",
            IdKind::VatNumber => "vat_number_characters",
            IdKind::PartnerId => "partner_id_characters",
        }
    }

    fn length_code(self) -> &'static str {
        match self {
            IdKind::Eik => "eik_length",
            IdKind::Egn => "egn_length",
            IdKind::Lnch => "lnch_length",
            IdKind::VatNumber => "vat_number_length",
            IdKind::PartnerId => "partner_id_length",
        }
    }

    /// The accepted digit counts, in words.
    fn lengths_bg(self) -> &'static str {
        match self {
            IdKind::Eik => "9 или 13 цифри",
            IdKind::Egn | IdKind::Lnch => "10 цифри",
            IdKind::VatNumber => "BG и 9, 10 или 13 цифри",
            IdKind::PartnerId => "9, 10 или 13 цифри",
        }
    }

    fn lengths_en(self) -> &'static str {
        match self {
            IdKind::Eik => "9 or 13 digits",
            IdKind::Egn | IdKind::Lnch => "10 digits",
            IdKind::VatNumber => "BG and 9, 10 or 13 digits",
            IdKind::PartnerId => "9, 10 or 13 digits",
        }
    }
}

/// Whether `c` is a separator people type inside numbers and that is dropped.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '-' || c == '.'
}

/// The input without separators, or `required` when nothing is left.
fn strip_separators(field: &str, text: &str) -> Result<String, FieldError> {
    let cleaned: String = text.chars().filter(|c| !is_separator(*c)).collect();
    if cleaned.is_empty() {
        Err(FieldError::required(field))
    } else {
        Ok(cleaned)
    }
}

/// The digits of `cleaned` (0..=9 each), refusing any other character.
fn digits_of(field: &str, cleaned: &str, kind: IdKind) -> Result<Vec<u8>, FieldError> {
    cleaned
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => Ok(d as u8),
            _ => Err(FieldError::new(
                field,
                kind.characters_code(),
                format!(
                    "{} може да съдържа само цифри, а съдържа „{c}“.",
                    kind.name_bg()
                ),
                format!(
                    "{} may contain digits only, but contains \"{c}\".",
                    kind.name_en()
                ),
            )),
        })
        .collect()
}

fn length_error(field: &str, kind: IdKind, found: usize) -> FieldError {
    FieldError::new(
        field,
        kind.length_code(),
        format!(
            "{} трябва да има {}, а има {found}.",
            kind.name_bg(),
            kind.lengths_bg()
        ),
        format!(
            "{} must have {}, but has {found}.",
            kind.name_en(),
            kind.lengths_en()
        ),
    )
}

fn check_digit_error(field: &str, code: &'static str, name_bg: &str, name_en: &str) -> FieldError {
    FieldError::new(
        field,
        code,
        format!("{name_bg} е невалиден: контролната цифра не съвпада. Проверете за грешно въведена цифра."),
        format!("{name_en} is not valid: its check digit does not match. Check for a mistyped digit."),
    )
}

fn weighted_sum(digits: &[u8], weights: &[u32]) -> u32 {
    digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(*d) * w)
        .sum()
}

/// Check digit of a 9-digit ЕИК from its first 8 digits (§B1).
fn eik9_check_digit(first8: &[u8]) -> u8 {
    let r = weighted_sum(first8, &[1, 2, 3, 4, 5, 6, 7, 8]) % 11;
    if r != 10 {
        return r as u8;
    }
    let r = weighted_sum(first8, &[3, 4, 5, 6, 7, 8, 9, 10]) % 11;
    if r == 10 {
        0
    } else {
        r as u8
    }
}

/// Check digit of a 13-digit ЕИК from its digits 9..=12 (§B2).
fn eik13_check_digit(d9_to_d12: &[u8]) -> u8 {
    let r = weighted_sum(d9_to_d12, &[2, 7, 3, 5]) % 11;
    if r != 10 {
        return r as u8;
    }
    let r = weighted_sum(d9_to_d12, &[4, 9, 5, 7]) % 11;
    if r == 10 {
        0
    } else {
        r as u8
    }
}

fn eik_digits_valid(d: &[u8]) -> bool {
    match d.len() {
        9 => eik9_check_digit(&d[..8]) == d[8],
        13 => eik9_check_digit(&d[..8]) == d[8] && eik13_check_digit(&d[8..12]) == d[12],
        _ => false,
    }
}

/// The birth date an ЕГН's first six digits encode (century in the month, §B3).
fn egn_birth_date(d: &[u8]) -> Option<jiff::civil::Date> {
    let yy = i16::from(d[0]) * 10 + i16::from(d[1]);
    let mm = i8::try_from(d[2] * 10 + d[3]).ok()?;
    let dd = i8::try_from(d[4] * 10 + d[5]).ok()?;
    let (year, month) = match mm {
        1..=12 => (1900 + yy, mm),
        21..=32 => (1800 + yy, mm - 20),
        41..=52 => (2000 + yy, mm - 40),
        _ => return None,
    };
    jiff::civil::Date::new(year, month, dd).ok()
}

fn egn_check_digit(first9: &[u8]) -> u8 {
    let r = weighted_sum(first9, &[2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11;
    if r == 10 {
        0
    } else {
        r as u8
    }
}

fn lnch_check_digit(first9: &[u8]) -> u8 {
    (weighted_sum(first9, &[21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10) as u8
}

/// The "other" 10-digit VAT number rule (§B5): `None` when no digit can match.
fn vat_other_check_digit(first9: &[u8]) -> Option<u8> {
    let r = (11 - weighted_sum(first9, &[4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11) % 11;
    (r != 10).then_some(r as u8)
}

fn egn_digits_valid(d: &[u8]) -> bool {
    d.len() == 10 && egn_birth_date(d).is_some() && egn_check_digit(&d[..9]) == d[9]
}

fn lnch_digits_valid(d: &[u8]) -> bool {
    d.len() == 10 && lnch_check_digit(&d[..9]) == d[9]
}

fn to_text(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// ЕИК / Булстат of 9 or 13 digits with valid check digits (§B1–B2). `831826092` is
/// valid, `831826093` is not. A 13-digit ЕИК (a branch) needs both its 9th and its 13th
/// digit right.
pub fn validate_eik(field: &str, text: &str) -> Result<String, FieldError> {
    let digits = digits_of(field, &strip_separators(field, text)?, IdKind::Eik)?;
    if digits.len() != 9 && digits.len() != 13 {
        return Err(length_error(field, IdKind::Eik, digits.len()));
    }
    if !eik_digits_valid(&digits) {
        return Err(check_digit_error(field, "eik_invalid", "ЕИК", "The EIK"));
    }
    Ok(to_text(&digits))
}

/// ЕГН: 10 digits, a real birth date (month 01–12 → 1900s, 21–32 → 1800s,
/// 41–52 → 2000s) and the check digit (§B3). Future birth dates are not refused.
pub fn validate_egn(field: &str, text: &str) -> Result<String, FieldError> {
    let digits = digits_of(field, &strip_separators(field, text)?, IdKind::Egn)?;
    if digits.len() != 10 {
        return Err(length_error(field, IdKind::Egn, digits.len()));
    }
    if egn_birth_date(&digits).is_none() {
        return Err(FieldError::new(
            field,
            "egn_date",
            "ЕГН е невалидно: първите шест цифри не са истинска дата на раждане.",
            "The EGN is not valid: its first six digits are not a real birth date.",
        ));
    }
    if egn_check_digit(&digits[..9]) != digits[9] {
        return Err(check_digit_error(field, "egn_invalid", "ЕГН", "The EGN"));
    }
    Ok(to_text(&digits))
}

/// ЛНЧ (a foreigner's personal number): 10 digits with its check digit (§B4).
pub fn validate_lnch(field: &str, text: &str) -> Result<String, FieldError> {
    let digits = digits_of(field, &strip_separators(field, text)?, IdKind::Lnch)?;
    if digits.len() != 10 {
        return Err(length_error(field, IdKind::Lnch, digits.len()));
    }
    if !lnch_digits_valid(&digits) {
        return Err(check_digit_error(field, "lnch_invalid", "ЛНЧ", "The LNCh"));
    }
    Ok(to_text(&digits))
}

/// ДДС номер, returned upper-case without separators (`bg 831 826 092` → `BG831826092`).
///
/// Accepted: `BG` followed by
/// - 9 digits forming a valid ЕИК (a legal entity);
/// - 10 digits forming a valid ЕГН, a valid ЛНЧ, or passing the rule for other
///   individuals (weights 4,3,2,7,6,5,4,3,2, §B5);
/// - 13 digits forming a valid ЕИК (a branch). The tax authority issues VAT numbers
///   from 9- and 10-digit ids, so this form is rare; it is accepted because the
///   number is well-formed and unambiguous.
///
/// Only Bulgarian VAT numbers are accepted; other countries' prefixes get
/// `vat_number_prefix`. A passing check digit does not prove VAT registration.
pub fn validate_vat_number(field: &str, text: &str) -> Result<String, FieldError> {
    let cleaned = strip_separators(field, text)?.to_uppercase();
    let Some(rest) = cleaned.strip_prefix("BG") else {
        return Err(FieldError::new(
            field,
            "vat_number_prefix",
            "ДДС номерът трябва да започва с BG, последвано от цифри (напр. BG831826092).",
            "The VAT number must start with BG followed by digits (e.g. BG831826092).",
        ));
    };
    let digits = digits_of(field, rest, IdKind::VatNumber)?;
    let valid = match digits.len() {
        9 | 13 => eik_digits_valid(&digits),
        10 => {
            egn_digits_valid(&digits)
                || lnch_digits_valid(&digits)
                || vat_other_check_digit(&digits[..9]) == Some(digits[9])
        }
        n => return Err(length_error(field, IdKind::VatNumber, n)),
    };
    if !valid {
        return Err(check_digit_error(
            field,
            "vat_number_invalid",
            "ДДС номерът",
            "The VAT number",
        ));
    }
    Ok(format!("BG{}", to_text(&digits)))
}

/// A partner's company id: an ЕИК (9 / 13 digits) or, for a person, an ЕГН or ЛНЧ
/// (10 digits). Returned without separators.
pub fn validate_partner_id(field: &str, text: &str) -> Result<String, FieldError> {
    let cleaned = strip_separators(field, text)?;
    let digits = digits_of(field, &cleaned, IdKind::PartnerId)?;
    match digits.len() {
        9 | 13 => validate_eik(field, &cleaned),
        10 if egn_digits_valid(&digits) || lnch_digits_valid(&digits) => Ok(to_text(&digits)),
        10 => Err(FieldError::new(
            field,
            "partner_id_invalid",
            "10-цифреният номер не е нито валидно ЕГН, нито валиден ЛНЧ.",
            "The 10-digit number is neither a valid EGN nor a valid LNCh.",
        )),
        n => Err(length_error(field, IdKind::PartnerId, n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(r: Result<T, FieldError>) -> &'static str {
        r.expect_err("expected an error").code
    }

    #[test]
    fn eik_nine_digits() {
        assert_eq!(validate_eik("eik", "831826092").unwrap(), "831826092");
        assert_eq!(code(validate_eik("eik", "831826093")), "eik_invalid");
        // The fallback weights (first remainder 10), a python-stdnum vector.
        assert_eq!(validate_eik("eik", "131272009").unwrap(), "131272009");
        assert_eq!(code(validate_eik("eik", "131272000")), "eik_invalid");
        // The partner sample from micro.bg.
        assert!(validate_eik("eik", "101744907").is_ok());
    }

    #[test]
    fn eik_thirteen_digits() {
        assert_eq!(
            validate_eik("eik", "1213961230342").unwrap(),
            "1213961230342"
        );
        assert_eq!(code(validate_eik("eik", "1213961230343")), "eik_invalid");
        // Right tail, wrong 9th digit.
        assert_eq!(code(validate_eik("eik", "1213961240342")), "eik_invalid");
    }

    #[test]
    fn eik_normalises_and_reports_characters_and_length() {
        assert_eq!(validate_eik("eik", " 831 826-092. ").unwrap(), "831826092");
        let err = validate_eik("partner.eik", "83182609O").unwrap_err();
        assert_eq!(err.code, "eik_characters");
        assert_eq!(err.field, "partner.eik");
        assert!(err.message_bg.contains("„O“"), "{}", err.message_bg);
        assert!(err.message_en.contains("\"O\""), "{}", err.message_en);
        assert_eq!(
            code(validate_eik("eik", "８３１８２６０９２")),
            "eik_characters"
        );
        let err = validate_eik("eik", "12345678").unwrap_err();
        assert_eq!(err.code, "eik_length");
        assert!(err.message_bg.contains("а има 8"), "{}", err.message_bg);
        assert!(err.message_en.contains("has 8"), "{}", err.message_en);
        assert_eq!(code(validate_eik("eik", "8318260920")), "eik_length");
        assert_eq!(code(validate_eik("eik", "  ")), "required");
        assert_eq!(code(validate_eik("eik", "")), "required");
    }

    #[test]
    fn egn() {
        // March 1875 (month 23), and 1 Feb 2075 (month 42): stdnum vectors.
        assert_eq!(validate_egn("egn", "7523169263").unwrap(), "7523169263");
        assert_eq!(validate_egn("egn", "7542011030").unwrap(), "7542011030");
        assert!(validate_egn("egn", "6306211928").is_ok());
        assert_eq!(code(validate_egn("egn", "7523169264")), "egn_invalid");
        assert_eq!(code(validate_egn("egn", "7513169263")), "egn_date");
        assert_eq!(code(validate_egn("egn", "7502309263")), "egn_date");
        assert_eq!(code(validate_egn("egn", "7500009263")), "egn_date");
        assert_eq!(code(validate_egn("egn", "752316926")), "egn_length");
        assert_eq!(code(validate_egn("egn", "75231692a3")), "egn_characters");
    }

    #[test]
    fn egn_message_does_not_repeat_the_number() {
        let err = validate_egn("egn", "7523169264").unwrap_err();
        assert!(!err.message_bg.contains("7523169264"));
        assert!(!err.message_en.contains("7523169264"));
    }

    #[test]
    fn lnch() {
        assert_eq!(validate_lnch("lnch", "7111042925").unwrap(), "7111042925");
        assert_eq!(code(validate_lnch("lnch", "7111042922")), "lnch_invalid");
        assert_eq!(code(validate_lnch("lnch", "711104292")), "lnch_length");
        assert_eq!(code(validate_lnch("lnch", "711104292x")), "lnch_characters");
    }

    #[test]
    fn vat_number() {
        assert_eq!(
            validate_vat_number("vat", "bg 831 826 092").unwrap(),
            "BG831826092"
        );
        assert!(validate_vat_number("vat", "BG101744907").is_ok());
        assert!(validate_vat_number("vat", "BG6306211928").is_ok()); // ЕГН
        assert!(validate_vat_number("vat", "BG7111042925").is_ok()); // ЛНЧ
        assert!(validate_vat_number("vat", "BG7153849522").is_ok()); // other individual
        assert!(validate_vat_number("vat", "BG1213961230342").is_ok()); // 13-digit ЕИК
        let refused = [
            ("BG831826093", "vat_number_invalid"),
            ("BG7153849523", "vat_number_invalid"),
            ("831826092", "vat_number_prefix"),
            ("RO831826092", "vat_number_prefix"),
            ("BG83182609", "vat_number_length"),
            ("BG83182609X", "vat_number_characters"),
            ("BG", "vat_number_length"),
            (" ", "required"),
        ];
        for (input, expected) in refused {
            assert_eq!(
                code(validate_vat_number("vat", input)),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn partner_id() {
        assert_eq!(
            validate_partner_id("eik", "831826092").unwrap(),
            "831826092"
        );
        assert!(validate_partner_id("eik", "1213961230342").is_ok());
        assert!(validate_partner_id("eik", "7523169263").is_ok());
        assert!(validate_partner_id("eik", "7111042925").is_ok());
        let refused = [
            ("831826093", "eik_invalid"),
            ("7523169264", "partner_id_invalid"),
            ("12345", "partner_id_length"),
            ("BG831826092", "partner_id_characters"),
        ];
        for (input, expected) in refused {
            assert_eq!(
                code(validate_partner_id("eik", input)),
                expected,
                "{input:?}"
            );
        }
    }
}
