//! Building blocks the templates render: form fields (with their typed value and
//! error), tables and the pager. Handlers describe a screen with these; the generic
//! templates `record_form.html` and `record_list.html` draw it.

use super::form::{FormData, FormErrors};
use super::i18n::Tr;

/// One form field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The `id` of the input (and `for` of its label).
    pub id: String,
    /// The form name.
    pub name: String,
    /// Translated label.
    pub label: String,
    /// The value as typed (or stored); `on` for a ticked checkbox.
    pub value: String,
    /// The error shown beside it, in the user's language.
    pub error: Option<String>,
    /// Whether it must be filled in.
    pub required: bool,
    /// `text`, `email`, `password`, `search`, `select` or `checkbox` (dates are
    /// `text`, typed the Bulgarian way: see [`parse_date`]).
    pub kind: &'static str,
    /// (value, label) of a select.
    pub options: Vec<(String, String)>,
    /// Takes the whole row of the form grid.
    pub wide: bool,
    /// A line of help under the input.
    pub hint: Option<String>,
}

impl Field {
    /// A plain text input outside a [`Fields`] grid (barcode rows, price grid, line
    /// cells).
    pub fn plain(
        id: String,
        name: String,
        label: String,
        value: String,
        error: Option<String>,
    ) -> Self {
        Self {
            id,
            name,
            label,
            value,
            error,
            required: false,
            kind: "text",
            options: Vec::new(),
            wide: false,
            hint: None,
        }
    }
}

/// Builds the fields of one form from what was typed and the errors.
pub struct Fields<'a> {
    tr: Tr,
    form: &'a FormData,
    errors: &'a FormErrors,
    prefix: &'static str,
    /// The fields built so far.
    pub list: Vec<Field>,
}

impl<'a> Fields<'a> {
    /// Fields whose ids start with `prefix` (so two forms on a page never clash).
    pub fn new(tr: Tr, form: &'a FormData, errors: &'a FormErrors, prefix: &'static str) -> Self {
        Self {
            tr,
            form,
            errors,
            prefix,
            list: Vec::new(),
        }
    }

    fn field(&mut self, name: &str, label_key: &str, kind: &'static str) -> &mut Field {
        let value = if kind == "checkbox" {
            if self.form.checked(name) { "on" } else { "" }.to_owned()
        } else if kind == "password" {
            String::new()
        } else {
            self.form.get(name).to_owned()
        };
        self.list.push(Field {
            id: format!("{}{}", self.prefix, name.replace(['.', '[', ']'], "-")),
            name: name.to_owned(),
            label: self.tr.t(label_key),
            value,
            error: self.errors.get(name),
            required: false,
            kind,
            options: Vec::new(),
            wide: false,
            hint: None,
        });
        let last = self.list.len() - 1;
        &mut self.list[last]
    }

    /// A text input.
    pub fn text(&mut self, name: &str, label_key: &str, required: bool) -> &mut Self {
        self.field(name, label_key, "text").required = required;
        self
    }

    /// An input of another HTML type (`email`, `password`, `search`).
    pub fn input(&mut self, name: &str, label_key: &str, kind: &'static str) -> &mut Self {
        self.field(name, label_key, kind);
        self
    }

    /// A select of (value, label) options.
    pub fn select(
        &mut self,
        name: &str,
        label_key: &str,
        options: Vec<(String, String)>,
    ) -> &mut Self {
        self.field(name, label_key, "select").options = options;
        self
    }

    /// A checkbox.
    pub fn checkbox(&mut self, name: &str, label_key: &str) -> &mut Self {
        self.field(name, label_key, "checkbox");
        self
    }

    /// Makes the last field take the whole row.
    pub fn wide(&mut self) -> &mut Self {
        if let Some(last) = self.list.last_mut() {
            last.wide = true;
        }
        self
    }

    /// Puts a line of help (already translated) under the last field.
    pub fn hint(&mut self, text: impl Into<String>) -> &mut Self {
        if let Some(last) = self.list.last_mut() {
            last.hint = Some(text.into());
        }
        self
    }

    /// The names of the fields built, to find errors shown nowhere else.
    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|f| f.name.as_str()).collect()
    }

    /// The fields.
    pub fn done(&mut self) -> Vec<Field> {
        std::mem::take(&mut self.list)
    }
}

/// One table cell.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// What it shows.
    pub text: String,
    /// A link around the text.
    pub href: Option<String>,
    /// Right-aligned (amounts, quantities).
    pub numeric: bool,
    /// A button posting to this URL (with the CSRF token) instead of text.
    pub post: Option<String>,
}

impl Cell {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A link.
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: Some(href.into()),
            ..Self::default()
        }
    }

    /// A right-aligned number.
    pub fn num(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            numeric: true,
            ..Self::default()
        }
    }

    /// A button that posts to `action`.
    pub fn button(label: impl Into<String>, action: impl Into<String>) -> Self {
        Self {
            text: label.into(),
            post: Some(action.into()),
            ..Self::default()
        }
    }
}

/// A table: header labels (with numeric flags) and rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// (label, numeric).
    pub columns: Vec<(String, bool)>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
    /// `id` of the table element.
    pub id: &'static str,
}

impl Table {
    /// Table `id` headed by the messages `columns` (key, numeric: right-aligned).
    pub fn new(tr: Tr, id: &'static str, columns: &[(&str, bool)], rows: Vec<Vec<Cell>>) -> Self {
        Self {
            columns: columns
                .iter()
                .map(|(key, numeric)| (tr.t(key), *numeric))
                .collect(),
            rows,
            id,
        }
    }
}

/// Previous / next links of a paged list.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    /// `Общо: N`.
    pub total: String,
    /// `Страница 2`.
    pub page: String,
    /// Link to the previous page.
    pub previous: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    /// The pager of page `page` (from 1) of `per_page` items out of `total`, with the
    /// list's other query parameters `query` (already encoded, without `page`).
    pub fn new(tr: Tr, base: &str, query: &str, page: i64, per_page: i64, total: i64) -> Self {
        let link = |p: i64| {
            if query.is_empty() {
                format!("{base}?page={p}")
            } else {
                format!("{base}?{query}&page={p}")
            }
        };
        Self {
            total: tr.t1("total-count", "count", &total.to_string()),
            page: tr.t1("page-of", "page", &page.to_string()),
            previous: (page > 1).then(|| link(page - 1)),
            next: (page * per_page < total).then(|| link(page + 1)),
        }
    }
}

/// The filters of a paged list as they were asked for in its query string: drawn
/// again with those values, and kept by the pager's links.
pub struct FilterForm {
    form: FormData,
    none: FormErrors,
    tr: Tr,
}

impl FilterForm {
    /// The filters asked for: (name, value) pairs.
    pub fn new(tr: Tr, asked: &[(&str, &str)]) -> Self {
        let mut form = FormData::default();
        for (name, value) in asked {
            form.set(name, *value);
        }
        Self {
            form,
            none: FormErrors::none(tr),
            tr,
        }
    }

    /// A builder of the filter fields (ids prefixed `filter-`).
    pub fn fields(&self) -> Fields<'_> {
        Fields::new(self.tr, &self.form, &self.none, "filter-")
    }

    /// The pager of page `page` of `per_page` out of `total` at `base`, keeping the
    /// filters that are set.
    pub fn pager(&self, base: &str, page: i64, per_page: i64, total: i64) -> Pager {
        let pairs = self.form.pairs();
        let params: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        Pager::new(self.tr, base, &query_string(&params), page, per_page, total)
    }
}

/// The page number of a list's `page` parameter: 1 unless a positive number.
pub fn page_number(text: &str) -> i64 {
    text.trim().parse::<i64>().unwrap_or(1).clamp(1, 1_000_000)
}

/// The rows of page `page_no` (from 1, see [`page_number`]) of `per_page` rows.
pub fn page_paging(page_no: i64, per_page: i64) -> sklad_store::Paging {
    sklad_store::Paging {
        limit: per_page,
        offset: (page_no - 1).saturating_mul(per_page),
    }
}

/// URL-encodes query parameters, skipping empty values.
pub fn query_string(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()))
        .finish()
}

/// A time as the pages show it: `28.11.2026 12:05`, Bulgarian time.
pub fn when(ts: jiff::Timestamp) -> String {
    let tz = jiff::tz::TimeZone::get("Europe/Sofia").unwrap_or(jiff::tz::TimeZone::UTC);
    let zoned = ts.to_zoned(tz);
    format!(
        "{} {:02}:{:02}",
        format_date(zoned.date()),
        zoned.hour(),
        zoned.minute()
    )
}

/// A date as Bulgarians write it: `28.11.2026`.
pub fn format_date(date: jiff::civil::Date) -> String {
    format!("{:02}.{:02}.{:04}", date.day(), date.month(), date.year())
}

/// A typed date: as Bulgarians write it (`28.11.2026`, `1.3.2026`, with or without a
/// trailing `г.`) or ISO (`2026-11-28`); `None` when it is not a real date.
pub fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    let text = text.trim();
    let text = text.strip_suffix("г.").unwrap_or(text).trim_end();
    // Four-digit years only, in either form, so what is shown reads back the same.
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return (date.year() >= 1000).then_some(date);
    }
    let mut parts = text.split('.');
    let mut number = |max_len: usize| -> Option<i16> {
        let part = parts.next()?;
        let digits = !part.is_empty() && part.len() <= max_len;
        (digits && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (day, month, year) = (number(2)?, number(2)?, number(4)?);
    if parts.next().is_some() || year < 1000 {
        return None;
    }
    jiff::civil::Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn fields_keep_typed_values_and_show_their_errors() {
        let tr = Tr::new(Lang::En);
        let form = FormData::new(vec![
            ("eik".into(), "831826093".into()),
            ("password".into(), "secret".into()),
        ]);
        let errors = FormErrors::new(
            tr,
            vec![sklad_domain::FieldError::new(
                "eik",
                "eik_invalid",
                "Невалиден.",
                "Invalid.",
            )],
        );
        let mut fields = Fields::new(tr, &form, &errors, "p-");
        fields
            .text("eik", "partner-eik", false)
            .input("password", "user-password", "password");
        let list = fields.done();
        assert_eq!(list[0].value, "831826093");
        assert_eq!(list[0].error.as_deref(), Some("Invalid."));
        assert_eq!(list[0].id, "p-eik");
        assert_eq!(list[1].value, "", "a password is never sent back");
    }

    #[test]
    fn pager_links_and_dates() {
        let tr = Tr::new(Lang::Bg);
        let pager = Pager::new(tr, "/goods", "q=a", 2, 25, 60);
        assert_eq!(pager.previous.as_deref(), Some("/goods?q=a&page=1"));
        assert_eq!(pager.next.as_deref(), Some("/goods?q=a&page=3"));
        assert_eq!(Pager::new(tr, "/g", "", 3, 25, 60).next, None);
        let asked = FilterForm::new(tr, &[("q", "чаша"), ("kind", "")]);
        let kept = asked.pager("/goods", 1, 25, 60);
        assert_eq!(
            kept.next.as_deref(),
            Some("/goods?q=%D1%87%D0%B0%D1%88%D0%B0&page=2")
        );
        let mut fields = asked.fields();
        fields.input("q", "goods-search", "search");
        let drawn = fields.done();
        assert!(drawn[0].id.starts_with("filter-"), "{}", drawn[0].id);
        assert_eq!(drawn[0].value, "чаша", "drawn with the value asked for");

        assert_eq!(page_number("2"), 2);
        for odd in ["", "abc", "-5", "0", "99999999999999999999"] {
            assert_eq!(page_number(odd), 1, "{odd}");
        }
        assert_eq!(format_date(jiff::civil::date(2026, 11, 28)), "28.11.2026");
        let day = jiff::civil::date(2026, 11, 28);
        for typed in ["28.11.2026", " 28.11.2026 г.", "2026-11-28"] {
            assert_eq!(parse_date(typed), Some(day), "{typed}");
        }
        assert_eq!(parse_date("1.3.2026"), Some(jiff::civil::date(2026, 3, 1)));
        for odd in [
            "",
            "31.02.2026",
            "28.11",
            "28.11.26",
            "28.11.2026.1",
            "a.b.c",
            "+1.2.2026",
            "0999-01-01",
            "-000001-01-01",
            "28..2026",
            "11/28/2026",
        ] {
            assert_eq!(parse_date(odd), None, "{odd}");
        }
        assert_eq!(
            query_string(&[("q", "чаша 1"), ("kind", "")]),
            "q=%D1%87%D0%B0%D1%88%D0%B0+1"
        );
    }

    proptest::proptest! {
        /// Any text: no panic, and a date read is written back as it reads.
        #[test]
        fn typed_dates_never_panic_and_round_trip(text in "\\PC{0,16}|[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,5}") {
            if let Some(date) = parse_date(&text) {
                proptest::prop_assert_eq!(parse_date(&format_date(date)), Some(date));
            }
        }
    }
}
