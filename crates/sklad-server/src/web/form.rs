//! Submitted forms: the raw name/value pairs (so nothing typed is lost when the form is
//! shown again), and the validation errors to show beside each field.

use sklad_domain::FieldError;

use super::i18n::Tr;

/// The fields of a submitted (or about to be edited) form, in order, repeated names kept.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    /// A form from its pairs.
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// Sets (replaces) one field; used to pre-fill a form from a stored record.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.pairs.retain(|(n, _)| n != name);
        self.pairs.push((name.to_owned(), value.into()));
    }

    /// A copy of all pairs, in order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.pairs.retain(|(n, _)| n != name);
    }

    /// Adds a value to a repeated field.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.pairs.push((name.to_owned(), value.into()));
    }

    /// The first value of `name` as typed, `""` when absent.
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The value trimmed, `None` when absent or blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        let value = self.get(name).trim();
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// Every value of a repeated field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Ticks checkbox `name` (as a browser posts it) or clears it.
    pub fn set_checked(&mut self, name: &str, ticked: bool) {
        self.remove(name);
        if ticked {
            self.push(name, "on");
        }
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, v)| n == name && v != "false")
    }
}

/// The validation errors of one form, shown beside their fields in the user's language.
#[derive(Debug, Clone)]
pub struct FormErrors {
    tr: Tr,
    errors: Vec<FieldError>,
}

impl FormErrors {
    /// No errors.
    pub fn none(tr: Tr) -> Self {
        Self {
            tr,
            errors: Vec::new(),
        }
    }

    /// The given errors.
    pub fn new(tr: Tr, errors: Vec<FieldError>) -> Self {
        Self { tr, errors }
    }

    /// The message(s) for exactly the field path `field`, joined; `None` when fine.
    pub fn get(&self, field: &str) -> Option<String> {
        let messages: Vec<String> = self
            .errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| self.tr.field_error(e))
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    /// What the alert at the top of the form lists: „Формата съдържа грешки“ first when
    /// there are any, then the errors of fields not in `shown`, so none is ever hidden.
    pub fn alerts(&self, shown: &[&str]) -> Vec<String> {
        if self.errors.is_empty() {
            return Vec::new();
        }
        let mut alerts = vec![self.tr.t("form-has-errors")];
        alerts.extend(
            self.errors
                .iter()
                .filter(|e| !shown.contains(&e.field.as_str()))
                .map(|e| self.tr.field_error(e)),
        );
        alerts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn keeps_repeated_fields_and_typed_text() {
        let mut form = FormData::new(vec![
            ("barcode".into(), "111".into()),
            ("barcode".into(), "222".into()),
            ("name".into(), "  Чаша ".into()),
            ("active".into(), "on".into()),
        ]);
        assert_eq!(form.all("barcode"), ["111", "222"]);
        assert_eq!(form.get("name"), "  Чаша ");
        assert_eq!(form.opt("name").as_deref(), Some("Чаша"));
        assert_eq!(form.opt("missing"), None);
        assert!(form.checked("active"));
        assert!(!form.checked("other"));
        form.set("name", "Нож");
        assert_eq!(form.get("name"), "Нож");
        form.set_checked("active", false);
        assert!(!form.checked("active"));
        form.set_checked("other", true);
        assert!(form.checked("other"));
        assert_eq!(form.all("other"), ["on"]);
    }

    #[test]
    fn errors_are_shown_in_the_users_language() {
        let error = FieldError::new("eik", "eik_invalid", "Невалиден ЕИК.", "Invalid EIK.");
        let bg = FormErrors::new(Tr::new(Lang::Bg), vec![error.clone()]);
        let en = FormErrors::new(Tr::new(Lang::En), vec![error]);
        assert_eq!(bg.get("eik").as_deref(), Some("Невалиден ЕИК."));
        assert_eq!(en.get("eik").as_deref(), Some("Invalid EIK."));
        assert!(en.get("name").is_none());
        let general = Tr::new(Lang::En).t("form-has-errors");
        assert_eq!(en.alerts(&["eik"]), std::slice::from_ref(&general));
        assert_eq!(en.alerts(&["name"]), [general, "Invalid EIK.".to_owned()]);
        assert!(FormErrors::none(Tr::new(Lang::En)).alerts(&[]).is_empty());
    }
}
