//! Query-string building: filters, sort, include, sparse fields, paging.

/// Largest page CloudCart serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Query parameters of a JSON:API GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    filters: Vec<(String, String)>,
    sort: Vec<String>,
    include: Vec<String>,
    fields: Vec<(String, String)>,
    append: Vec<(String, String)>,
    page_size: Option<u32>,
    page_number: Option<u32>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `filter[name]=value` (equality).
    pub fn filter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push((name.into(), value.into()));
        self
    }

    /// Adds a sort key (`id`, `-date_added`).
    pub fn sort(mut self, key: impl Into<String>) -> Self {
        self.sort.push(key.into());
        self
    }

    /// Adds include paths.
    pub fn include<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include.extend(paths.into_iter().map(Into::into));
        self
    }

    /// Restricts the attributes of `kind` (`fields[variants]=sku,quantity`).
    pub fn fields(mut self, kind: impl Into<String>, names: &[&str]) -> Self {
        self.fields.push((kind.into(), names.join(",")));
        self
    }

    /// Adds `append[kind]=value`.
    pub fn append(mut self, kind: impl Into<String>, value: impl Into<String>) -> Self {
        self.append.push((kind.into(), value.into()));
        self
    }

    /// `page[size]`, clamped to 1..=100.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size.clamp(1, MAX_PAGE_SIZE));
        self
    }

    /// `page[number]` (1-based; 0 is read as 1).
    pub fn page(mut self, number: u32) -> Self {
        self.page_number = Some(number.max(1));
        self
    }

    /// Whether a sort was set.
    pub fn has_sort(&self) -> bool {
        !self.sort.is_empty()
    }

    /// The page size set with [`Query::page_size`], if any.
    pub fn explicit_page_size(&self) -> Option<u32> {
        self.page_size
    }

    /// The key/value pairs, in a stable order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in &self.filters {
            out.push((format!("filter[{k}]"), v.clone()));
        }
        if !self.sort.is_empty() {
            out.push(("sort".to_owned(), self.sort.join(",")));
        }
        if !self.include.is_empty() {
            out.push(("include".to_owned(), self.include.join(",")));
        }
        for (k, v) in &self.fields {
            out.push((format!("fields[{k}]"), v.clone()));
        }
        for (k, v) in &self.append {
            out.push((format!("append[{k}]"), v.clone()));
        }
        if let Some(n) = self.page_number {
            out.push(("page[number]".to_owned(), n.to_string()));
        }
        if let Some(s) = self.page_size {
            out.push(("page[size]".to_owned(), s.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_json_api_parameters() {
        let q = Query::new()
            .filter("sku", "TS-LOGO-M-BLK")
            .sort("id")
            .include(["variants", "category"])
            .fields("variants", &["sku", "quantity"])
            .page(2)
            .page_size(500);
        assert_eq!(
            q.pairs(),
            vec![
                ("filter[sku]".into(), "TS-LOGO-M-BLK".into()),
                ("sort".into(), "id".into()),
                ("include".into(), "variants,category".into()),
                ("fields[variants]".into(), "sku,quantity".into()),
                ("page[number]".into(), "2".into()),
                ("page[size]".into(), "100".into()),
            ]
        );
    }
}
