//! Bulgarian identifiers (SPEC X5): ЕИК / Булстат (9 and 13 digits), ЕГН, ЛНЧ and the
//! VAT number. Algorithms per `shared/domain/BULGARIA.md` §B.
//!
//! Each validator trims the input and returns the normalised form, or a [`FieldError`]
//! for `field` with a stable code and Bulgarian and English text.

use crate::error::FieldError;

/// ЕИК / Булстат of 9 or 13 digits with valid check digits. `831826092` is valid.
pub fn validate_eik(field: &str, text: &str) -> Result<String, FieldError> {
    let _ = (field, text);
    todo!("ЕИК check digits")
}

/// ЕГН: 10 digits, a real birth date (century encoded in the month) and check digit.
pub fn validate_egn(field: &str, text: &str) -> Result<String, FieldError> {
    let _ = (field, text);
    todo!("ЕГН")
}

/// ЛНЧ: 10 digits with its check digit.
pub fn validate_lnch(field: &str, text: &str) -> Result<String, FieldError> {
    let _ = (field, text);
    todo!("ЛНЧ")
}

/// ДДС номер: `BG` followed by a valid 9- or 13-digit ЕИК, or a 10-digit ЕГН / ЛНЧ.
/// Returned upper-case without spaces.
pub fn validate_vat_number(field: &str, text: &str) -> Result<String, FieldError> {
    let _ = (field, text);
    todo!("VAT number")
}

/// A partner's company id: an ЕИК (9 / 13 digits) or, for a person, an ЕГН or ЛНЧ.
pub fn validate_partner_id(field: &str, text: &str) -> Result<String, FieldError> {
    let _ = (field, text);
    todo!("partner id")
}
