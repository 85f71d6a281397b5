//! The OpenAPI 3.1 document, built from the same endpoint list as the router
//! ([`super::routes`]) plus the component schemas each resource module describes.

use serde_json::{json, Map, Value};

use super::routes::{Access, Body, Endpoint, ParamIn};

/// The whole document for `endpoints`, with `schemas` as its components.
pub fn document(endpoints: &[Endpoint], schemas: Map<String, Value>) -> Value {
    let mut paths = Map::new();
    for endpoint in endpoints {
        let path = paths
            .entry(endpoint.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        path[endpoint.method.key()] = operation(endpoint, endpoints);
    }
    let mut components = schemas;
    components.insert("Error".into(), error_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Sklad API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Склад: складова програма за български търговци. Quantities and \
                amounts are decimal strings (\"1.5\", \"12.50\"); requests also accept exact \
                JSON numbers. Money is in the firm's currency unless a `currency` is given. \
                Every error has the shape of `Error`, with a stable `code`, Bulgarian and \
                English text and the offending fields' paths."
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token `skl_…` from `sklad token create`."
                }
            },
            "schemas": components,
            "responses": standard_responses()
        }
    })
}

fn operation(endpoint: &Endpoint, endpoints: &[Endpoint]) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(endpoint.operation_id));
    op.insert("summary".into(), json!(endpoint.summary));
    op.insert("tags".into(), json!([endpoint.tag]));
    let params: Vec<Value> = endpoint
        .params
        .iter()
        .map(|p| {
            let mut schema = json!({"type": p.kind});
            if let Some((min, max)) = p.bounds() {
                schema["minimum"] = json!(min);
                schema["maximum"] = json!(max);
            }
            if let Some(Value::Object(keywords)) = p.accepts.map(|accepts| accepts()) {
                schema
                    .as_object_mut()
                    .into_iter()
                    .for_each(|s| s.extend(keywords.clone()));
            }
            if p.kind != "string" && p.location == ParamIn::Query && !p.required {
                // A blank optional parameter is taken as absent.
                schema["type"] = json!([p.kind, "string"]);
                schema["pattern"] = json!("^\\s*$");
            }
            if p.kind == "string" && p.location == ParamIn::Query && p.accepts.is_none() {
                // The server refuses NUL in a query, trims its text and takes a blank
                // one as absent.
                schema["pattern"] = json!(if p.required {
                    "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
                } else {
                    "^[^\\u0000]*$"
                });
            }
            json!({
                "name": p.name,
                "in": match p.location { ParamIn::Path => "path", ParamIn::Query => "query" },
                "required": p.required,
                "description": p.description,
                "schema": schema
            })
        })
        .collect();
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    if let Some(content) = content(endpoint.request) {
        let required = !matches!(endpoint.request, Body::OptionalJson(_));
        op.insert(
            "requestBody".into(),
            json!({"required": required, "content": content}),
        );
    }
    let mut responses = Map::new();
    let description = match endpoint.status {
        201 => "Created",
        204 => "Done, no content",
        _ => "OK",
    };
    let mut success = json!({ "description": description });
    if let Some(content) = content(endpoint.response) {
        success["content"] = content;
    }
    let links = links(endpoint, endpoints);
    if !links.is_empty() {
        success["links"] = Value::Object(links);
    }
    responses.insert(endpoint.status.to_string(), success);
    let errors: &[&str] = match endpoint.access {
        Access::Public => &[],
        Access::Member => &["400", "401", "404", "409", "422"],
        Access::Owner => &["400", "401", "403", "404", "409", "422"],
    };
    for status in errors {
        responses.insert(
            (*status).into(),
            json!({"$ref": format!("#/components/responses/{status}")}),
        );
    }
    op.insert("responses".into(), Value::Object(responses));
    if endpoint.access == Access::Public {
        op.insert("security".into(), json!([]));
    } else if endpoint.access == Access::Owner {
        op.insert("x-sklad-role".into(), json!("owner"));
    }
    Value::Object(op)
}

/// The names of the `{…}` parameters of `path`.
fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
}

/// Links from what a `201 Created` makes to every operation on it: the endpoints
/// under `{path}/{param}` whose one new path parameter is the answer's `id` (the
/// others come from the request's own path), so that stateful testing and generated
/// clients go from a creation to its reads, edits and deletion.
fn links(created_by: &Endpoint, endpoints: &[Endpoint]) -> Map<String, Value> {
    let mut out = Map::new();
    if created_by.status != 201 {
        return out;
    }
    let prefix = format!("{}/{{", created_by.path);
    let own: Vec<&str> = path_params(created_by.path).collect();
    for target in endpoints.iter().filter(|e| e.path.starts_with(&prefix)) {
        let new: Vec<&str> = path_params(target.path)
            .filter(|p| !own.contains(p))
            .collect();
        let [created] = new[..] else { continue };
        let mut parameters = Map::new();
        for name in path_params(target.path) {
            let value = if name == created {
                "$response.body#/id".to_owned()
            } else {
                format!("$request.path.{name}")
            };
            parameters.insert(name.to_owned(), json!(value));
        }
        out.insert(
            target.operation_id.to_owned(),
            json!({"operationId": target.operation_id, "parameters": parameters}),
        );
    }
    out
}

fn content(body: Body) -> Option<Value> {
    match body {
        Body::Json(name) | Body::OptionalJson(name) => Some(json!({
            "application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}
        })),
        Body::JsonList(name) => Some(json!({
            "application/json": {"schema": {
                "type": "array",
                "items": {"$ref": format!("#/components/schemas/{name}")}
            }}
        })),
        Body::Archive => Some(json!({
            "application/gzip": {"schema": {"type": "string", "contentMediaType": "application/gzip"}}
        })),
        Body::Csv => Some(json!({
            "text/csv": {"schema": {"type": "string", "contentMediaType": "text/csv"}}
        })),
        Body::Empty => None,
    }
}

fn standard_responses() -> Value {
    let described = |text: &str| {
        json!({
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        })
    };
    json!({
        "400": described("Malformed JSON or invalid query/path parameters."),
        "401": described("Missing, unknown or revoked token."),
        "403": described("The caller's role may not do this (owner only)."),
        "404": described("No such record in the caller's firm."),
        "409": described("Conflicts with stored data (duplicate code, barcode, ЕИК, reference)."),
        "422": described("Valid JSON whose content is not acceptable; see `fields`.")
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message_bg", "message_en", "fields"],
                "properties": {
                    "code": {"type": "string", "description": "Stable machine code."},
                    "message_bg": {"type": "string"},
                    "message_en": {"type": "string"},
                    "fields": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["field", "code", "message_bg", "message_en"],
                            "properties": {
                                "field": {"type": "string", "examples": ["lines[0].quantity"]},
                                "code": {"type": "string", "examples": ["quantity_not_positive"]},
                                "message_bg": {"type": "string"},
                                "message_en": {"type": "string"}
                            }
                        }
                    }
                }
            }
        }
    })
}

/// Schema helpers for the resource modules.
pub mod schema {
    use serde_json::{json, Value};

    /// An object with the given properties, all of `required` required.
    pub fn object(required: &[&str], properties: Value) -> Value {
        json!({"type": "object", "required": required, "properties": properties})
    }

    /// Like [`object`] but refusing unknown properties (request bodies).
    pub fn input(required: &[&str], properties: Value) -> Value {
        json!({
            "type": "object",
            "required": required,
            "properties": properties,
            "additionalProperties": false
        })
    }

    /// A reference to a component schema.
    pub fn reference(name: &str) -> Value {
        json!({"$ref": format!("#/components/schemas/{name}")})
    }

    /// A page of `item` with the total count.
    pub fn page(item: &str) -> Value {
        object(
            &["items", "total", "limit", "offset"],
            json!({
                "items": {"type": "array", "items": reference(item)},
                "total": {"type": "integer", "description": "Matching records over all pages."},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"}
            }),
        )
    }

    /// A decimal as a string (responses).
    pub fn decimal(example: &str) -> Value {
        json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "examples": [example]})
    }

    /// A decimal accepted as a string or a JSON number (requests): the string in the
    /// API form (`12.50`) or as people write it (`12,50`, `1 234,5`); how many
    /// decimals and how large are the field's rules (422 `…_precision`/`…_invalid`).
    pub fn decimal_input(example: &str) -> Value {
        json!({
            "anyOf": [
                {"type": "string", "pattern": DECIMAL_TEXT},
                {"type": "number"}
            ],
            "examples": [example]
        })
    }

    /// The characters of a decimal in text: a sign, digits with at most one `.` or `,`,
    /// spaces (also no-break) between them.
    const DECIMAL_TEXT: &str = "^\\s*-?[ \\u00a0\\u202f]*([0-9][0-9 \\u00a0\\u202f]*([.,][0-9 \\u00a0\\u202f]*)?|[.,][ \\u00a0\\u202f]*[0-9][0-9 \\u00a0\\u202f]*)\\s*$";

    /// Text that must hold something besides spaces (the server trims it and refuses it
    /// blank), at most `max` characters, without NUL.
    pub fn text(max: usize) -> Value {
        json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"})
    }

    /// A query filter limited to `keys`; blank is no filter.
    pub fn query_key(keys: &[&str]) -> Value {
        let mut values: Vec<&str> = keys.to_vec();
        values.push("");
        json!({"enum": values})
    }

    /// A date of the years 1900–2999, `2026-11-28` (also accepted: `28.11.2026`).
    pub fn date() -> Value {
        json!({"type": "string", "format": "date", "pattern": "^(19|2[0-9])[0-9]{2}-"})
    }

    /// A query [`date`]; blank is no filter.
    pub fn query_date() -> Value {
        json!({"anyOf": [
            {"format": "date", "pattern": "^(19|2[0-9])[0-9]{2}-"},
            {"maxLength": 0}
        ]})
    }

    /// Comma-separated ids, e.g. `1,2`; blank is absent.
    pub fn query_ids() -> Value {
        json!({"pattern": "^\\s*$|^[\\s,]*[0-9]{1,18}\\s*(,[\\s,]*[0-9]{1,18}\\s*)*[\\s,]*$"})
    }

    /// A string limited to `values`.
    pub fn one_of(values: &[&str]) -> Value {
        json!({"type": "string", "enum": values})
    }

    /// A nullable value of `kind`.
    pub fn nullable(kind: &str) -> Value {
        json!({"type": [kind, "null"]})
    }

    /// The selling and purchase price group keys.
    pub fn price_group_keys() -> Vec<&'static str> {
        sklad_domain::PriceGroup::ALL
            .iter()
            .map(|g| g.key())
            .collect()
    }
}
