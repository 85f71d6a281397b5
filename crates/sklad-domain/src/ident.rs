//! Bulgarian identifiers (SPEC X5): ЕИК / Булстат (9 and 13 digits), ЕГН, ЛНЧ and the
//! VAT number. Algorithms per `shared/domain/BULGARIA.md` §B.

use crate::error::FieldError;

/// Validates an ЕИК / Булстат of 9 or 13 digits and returns it normalised (digits only).
pub fn validate_eik(field: &str, text: &str) -> Result<String, FieldError> {
    let _ = (field, text);
    todo!("ЕИК check digits")
}
