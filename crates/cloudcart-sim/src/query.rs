//! Query-string parsing and validation: paging, filters, sort, include, fields, append
//! (API.md §1.5–1.9).

use std::collections::HashMap;

use crate::errors::ApiError;
use crate::resource::TypeRules;

/// A validated query.
#[derive(Debug, Default, Clone)]
pub struct Query {
    /// 1-based page number.
    pub page_number: usize,
    /// Page size 1–100.
    pub page_size: usize,
    /// Equality filters: name → accepted values (any matches).
    pub filters: Vec<(String, Vec<String>)>,
    /// Sort keys, `true` = descending.
    pub sort: Vec<(String, bool)>,
    /// Include paths.
    pub include: Vec<String>,
    /// Sparse fieldsets per type.
    pub fields: HashMap<String, Vec<String>>,
}

/// Appends the platform accepts (API.md §1.8).
const APPENDS: &[(&str, &str)] = &[
    ("products", "meta"),
    ("products", "discount"),
    ("variants", "discount"),
    ("orders", "meta"),
];

/// Parse `raw` for a request on `rules`; `collection` enables paging, filters and sort.
pub fn parse(raw: Option<&str>, rules: &TypeRules, collection: bool) -> Result<Query, ApiError> {
    let mut q = Query {
        page_number: 1,
        page_size: 20,
        ..Default::default()
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    for (key, value) in pairs {
        if key == "page[size]" {
            if !collection {
                continue;
            }
            match value.trim().parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => q.page_size = n,
                _ => {
                    return Err(ApiError::bad_param(
                        "page[size]",
                        "The page[size] must be between 1 and 100.",
                    ))
                }
            }
        } else if key == "page[number]" {
            if !collection {
                continue;
            }
            match value.trim().parse::<usize>() {
                Ok(n) if n >= 1 => q.page_number = n,
                _ => {
                    return Err(ApiError::bad_param(
                        "page[number]",
                        "The page[number] must be at least 1.",
                    ))
                }
            }
        } else if let Some(rest) = key.strip_prefix("filter[") {
            if !collection {
                continue;
            }
            let Some(end) = rest.find(']') else {
                return Err(
                    ApiError::new(400).detail(format!("Malformed query parameter `{key}`."))
                );
            };
            let name = rest[..end].to_string();
            let multi = &rest[end + 1..] == "[]";
            let values: Vec<String> = if multi || name == "id" {
                value.split(',').map(|s| s.trim().to_string()).collect()
            } else {
                vec![value]
            };
            if let Some(existing) = q.filters.iter_mut().find(|(n, _)| *n == name) {
                existing.1.extend(values);
            } else {
                q.filters.push((name, values));
            }
        } else if key == "sort" {
            if !collection {
                continue;
            }
            for part in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (field, desc) = match part.strip_prefix('-') {
                    Some(f) => (f, true),
                    None => (part, false),
                };
                if !rules.sorts.contains(&field) {
                    return Err(ApiError::bad_param(
                        "sort",
                        format!("Sorting by `{field}` is not allowed on {}.", rules.name),
                    ));
                }
                q.sort.push((field.to_string(), desc));
            }
        } else if key == "include" {
            for path in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !rules.includes.contains(&path) {
                    let mut e = ApiError::new(rules.bad_include_status).detail(format!(
                        "Include path `{path}` is not allowed on {}.",
                        rules.name
                    ));
                    e.parameter = Some("include".into());
                    return Err(e);
                }
                q.include.push(path.to_string());
            }
        } else if let Some(rest) = key.strip_prefix("fields[") {
            let kind = rest.trim_end_matches(']').to_string();
            q.fields.insert(
                kind,
                value.split(',').map(|s| s.trim().to_string()).collect(),
            );
        } else if let Some(rest) = key.strip_prefix("append[") {
            let kind = rest.trim_end_matches(']');
            for v in value.split(',').map(str::trim) {
                if !APPENDS.contains(&(kind, v)) {
                    return Err(ApiError::bad_param(
                        key.clone(),
                        format!("Append `{v}` is not allowed on {kind}."),
                    ));
                }
            }
        }
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{rules_for, TYPES};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn query_parser_never_panics(raw in ".{0,80}", kind in 0usize..TYPES.len()) {
            let _ = parse(Some(&raw), &TYPES[kind], true);
            let _ = parse(Some(&raw), &TYPES[kind], false);
        }

        #[test]
        fn structured_queries_never_panic(
            key in prop_oneof![Just("page[size]"), Just("page[number]"), Just("sort"), Just("include"), Just("filter[x][]"), Just("append[products]"), Just("fields[variants]")],
            value in ".{0,20}",
        ) {
            let raw = format!("{key}={}", url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>());
            let _ = parse(Some(&raw), rules_for("products").unwrap(), true);
        }
    }

    #[test]
    fn page_size_bounds_and_garbage_never_panic() {
        let r = rules_for("variants").unwrap();
        assert!(parse(Some("page[size]=0"), r, true).is_err());
        assert!(parse(Some("page[size]=101"), r, true).is_err());
        assert!(parse(Some("page[size]=100"), r, true).is_ok());
        for junk in [
            "filter[",
            "%ff%fe=1",
            "sort=,,-",
            "page[number]=-1",
            "include=,",
            "fields[x=1&&&",
        ] {
            let _ = parse(Some(junk), r, true);
        }
    }
}
