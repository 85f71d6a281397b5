//! The OpenAPI document describes exactly the routes the server answers.

mod api_support;

use api_support::{assert_error, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sklad_server::api::routes::Access;
use std::collections::BTreeSet;

/// Every `$ref` in the document, recursively.
fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "$ref" {
                    out.insert(v.as_str().unwrap_or_default().to_owned());
                } else {
                    refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// A concrete path for a templated one: `{id}` → 1, `{code}` → X.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{code}", "X")
}

async fn document_covers_every_route(server: TestServer) {
    let firm = server.tenant("Документ ООД", "doc").await;
    let operator = server.operator_token(firm.firm_id, "doc_operator").await;

    let (status, doc) = server.call("GET", "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");

    // The document's (method, path) pairs are exactly the router's.
    let endpoints = sklad_server::api::endpoints();
    let from_router: BTreeSet<(String, String)> = endpoints
        .iter()
        .map(|e| (e.method.key().to_owned(), e.path.to_owned()))
        .collect();
    let mut from_doc = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            from_doc.insert((method.clone(), path.clone()));
        }
    }
    assert_eq!(from_doc, from_router);
    for required in [
        ("get", "/goods"),
        ("get", "/goods/by-code/{code}"),
        ("post", "/operations/{id}/convert-to-sale"),
        ("get", "/stock/available"),
        ("get", "/backup"),
        ("post", "/restore"),
        ("post", "/euro-changeover"),
        ("post", "/users"),
        ("patch", "/firm"),
    ] {
        assert!(
            from_router.contains(&(required.0.to_owned(), required.1.to_owned())),
            "{required:?} is missing"
        );
    }

    // Every reference resolves; the error shape is described.
    let mut all = BTreeSet::new();
    refs(&doc, &mut all);
    for reference in all {
        let pointer = reference.trim_start_matches('#');
        assert!(doc.pointer(pointer).is_some(), "dangling {reference}");
    }
    assert!(doc
        .pointer("/components/schemas/Error/properties/error")
        .is_some());

    // Every documented route is served: without a token it is 401 (not 404/405), an
    // operator gets 403 on the owner's routes, the document itself needs no token.
    for endpoint in &endpoints {
        let path = concrete(endpoint.path);
        let method = endpoint.method.key().to_uppercase();
        let (status, body) = server.call(&method, &path, None, None).await;
        match endpoint.access {
            Access::Public => assert_eq!(status, StatusCode::OK, "{method} {path}"),
            _ => {
                assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
            }
        }
        if endpoint.access == Access::Owner {
            let (status, body) = server.call(&method, &path, Some(&operator), None).await;
            assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        }
    }
}

/// Issue 10: an integer query parameter's declared range is what the server accepts —
/// below the minimum (or above the maximum) it refuses that parameter, at the bounds it
/// does not — and an optional one declared blank-or-integer is taken as absent when
/// blank.
async fn integer_parameters_declare_the_range_the_server_accepts(server: TestServer) {
    let firm = server.tenant("Граници ООД", "bounds").await;
    let (_, doc) = server.call("GET", "/openapi.json", None, None).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        // A record that does not exist answers 404 before its parameters are read:
        // collections only.
        let Some(get) = item.get("get").filter(|_| !path.contains('{')) else {
            continue;
        };
        for param in get["parameters"].as_array().into_iter().flatten() {
            let schema = &param["schema"];
            let optional = schema["type"] == json!(["integer", "string"]);
            if param["in"] != "query" || !(schema["type"] == "integer" || optional) {
                continue;
            }
            let name = param["name"].as_str().unwrap();
            let (Some(min), Some(max)) = (schema["minimum"].as_i64(), schema["maximum"].as_i64())
            else {
                panic!("GET {path} {name}: an integer without its range");
            };
            let concrete_path = concrete(path);
            let refused_for = |value: String| {
                let url = format!("{concrete_path}?{name}={value}");
                let server = server.clone();
                let token = firm.token.clone();
                async move {
                    let (status, body) = server.call("GET", &url, Some(&token), None).await;
                    let named = body["error"]["fields"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|f| f["field"] == name);
                    (status, named)
                }
            };
            assert!(
                refused_for((min - 1).to_string()).await.1,
                "GET {path} {name}={}",
                min - 1
            );
            assert!(
                !refused_for(min.to_string()).await.1,
                "GET {path} {name}={min}"
            );
            assert!(
                !refused_for(max.to_string()).await.1,
                "GET {path} {name}={max}"
            );
            if max < i64::MAX {
                assert!(
                    refused_for((max + 1).to_string()).await.1,
                    "GET {path} {name}={}",
                    max + 1
                );
            }
            assert_eq!(
                optional,
                !param["required"].as_bool().unwrap_or(false),
                "GET {path} {name}: optional parameters are blank-or-integer"
            );
            if optional {
                assert_eq!(schema["pattern"], "^\\s*$", "GET {path} {name}");
                assert!(!refused_for(String::new()).await.1, "GET {path} {name}=");
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} integer parameters");
}

/// Issue 10: every link of the document leads from a creation to an operation that
/// exists, filling each of its path parameters (the new one from the answer's `id`, the
/// others from the request's path) — and followed for real, the links of a new good
/// and a new partner read and change what was created.
async fn links_lead_from_a_creation_to_what_it_created(server: TestServer) {
    let firm = server.tenant("Връзки ООД", "links").await;
    let (_, doc) = server.call("GET", "/openapi.json", None, None).await;
    let mut operations = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            operations.insert(
                op["operationId"].as_str().unwrap().to_owned(),
                (method, path),
            );
        }
    }
    let params = |path: &str| -> BTreeSet<String> {
        path.split('/')
            .filter_map(|p| p.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect()
    };
    let mut links = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Some(created) = op["responses"]["201"]["links"].as_object() else {
                continue;
            };
            assert_eq!(method, "post", "{path}: links from a creation only");
            for (name, link) in created {
                let target = link["operationId"].as_str().unwrap();
                let (_, target_path) = operations.get(target).expect("linked operation exists");
                let filled = link["parameters"].as_object().expect("parameters");
                assert_eq!(
                    filled.keys().cloned().collect::<BTreeSet<_>>(),
                    params(target_path),
                    "{path} → {name}"
                );
                let mut from_answer = 0;
                for (param, source) in filled {
                    match source.as_str().unwrap() {
                        "$response.body#/id" => from_answer += 1,
                        other => {
                            assert_eq!(other, format!("$request.path.{param}"));
                            assert!(params(path).contains(param), "{path} → {name}: {param}");
                        }
                    }
                }
                assert_eq!(from_answer, 1, "{path} → {name}");
                links += 1;
            }
        }
    }
    assert!(links >= 20, "only {links} links");

    // Follows the link `link` of `POST {path}` with `body`: the linked operation's
    // method and path, its parameters filled as the link says.
    let follow = |path: &str, body: Value, link: &str, change: Option<Value>| {
        let (server, token, doc) = (server.clone(), firm.token.clone(), doc.clone());
        let operations = operations.clone();
        let (path, link) = (path.to_owned(), link.to_owned());
        async move {
            let (status, made) = server.call("POST", &path, Some(&token), Some(body)).await;
            assert_eq!(status, StatusCode::CREATED, "{made}");
            let link = &doc["paths"][&path]["post"]["responses"]["201"]["links"][&link];
            let (method, target) = operations[link["operationId"].as_str().unwrap()];
            let mut target = target.clone();
            for (param, source) in link["parameters"].as_object().unwrap() {
                assert_eq!(
                    source, "$response.body#/id",
                    "no path parameters of its own"
                );
                target = target.replace(&format!("{{{param}}}"), &made["id"].to_string());
            }
            let method = method.to_uppercase();
            let (status, read) = server.call(&method, &target, Some(&token), change).await;
            assert_eq!(status, StatusCode::OK, "{method} {target}: {read}");
            assert_eq!(read["id"], made["id"]);
            read
        }
    };
    let good =
        json!({"code": "LNK-1", "name": "Мед", "measure": "бр.", "prices": {"retail": "4.50"}});
    let read = follow("/goods", good.clone(), "getGood", None).await;
    assert_eq!(read["code"], "LNK-1");
    let mut renamed = good;
    renamed["code"] = json!("LNK-2");
    renamed["name"] = json!("Мед липов");
    let read = follow("/goods", renamed.clone(), "updateGood", Some(renamed)).await;
    assert_eq!(read["name"], "Мед липов");
    let partner = json!({"name": "Пчела ЕООД", "role": "client"});
    let read = follow("/partners", partner, "getPartner", None).await;
    assert_eq!(read["name"], "Пчела ЕООД");
}

on_both_engines!(
    document_covers_every_route,
    integer_parameters_declare_the_range_the_server_accepts,
    links_lead_from_a_creation_to_what_it_created
);
