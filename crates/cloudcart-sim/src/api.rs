//! The emulated public API under `/api/v2`: auth order, rate limit, injected faults, media
//! types, the verb matrix and the read side (collections, single records, includes,
//! relationship URLs). Writes live in [`crate::writes`].

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::ApiError;
use crate::query::{self, Query};
use crate::ratelimit::RateDecision;
use crate::resource::{self, Resource, TypeRules};
use crate::store::{ReceivedWrite, Shop};
use crate::SimState;

/// A fault injected into the public API of a shop (consumed request by request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiFault {
    /// Answer the next `count` requests with this status (e.g. 500, 502, 503, 504).
    Status {
        /// HTTP status.
        status: u16,
        /// How many requests.
        count: u32,
    },
    /// Answer the next `count` requests with the rate limiter's JSON 429.
    TooManyRequests {
        /// `Retry-After` seconds.
        retry_after: u32,
        /// How many requests.
        count: u32,
    },
    /// Delay the next `count` requests by `millis` real milliseconds.
    Latency {
        /// Delay.
        millis: u64,
        /// How many requests.
        count: u32,
    },
    /// Hold the next `count` requests without answering until the emulator's clock has moved
    /// `seconds` past each request's arrival ([`crate::Control::advance`] or
    /// `POST /_sim/clock/advance` on virtual time), or until the faults are cleared; then they
    /// are answered normally. A client with a short timeout sees a timeout.
    Hang {
        /// Virtual seconds to hold each request (at most a year).
        seconds: u64,
        /// How many requests.
        count: u32,
    },
}

/// Longest [`ApiFault::Hang`] hold: a year of emulator time.
const MAX_HANG_SECONDS: u64 = 366 * 86_400;

const MEDIA: &str = "application/vnd.api+json";

/// A finished API answer before the common headers are added.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// JSON body (`None` = empty, e.g. 204).
    pub body: Option<Value>,
    /// `Location` header for 201.
    pub location: Option<String>,
}

impl Answer {
    /// 200 with a body.
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
            location: None,
        }
    }
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Self {
        Self {
            status: e.status,
            body: Some(e.body()),
            location: None,
        }
    }
}

fn finish(answer: Answer, rate: RateDecision, now: jiff::Timestamp) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = match answer.body {
        Some(b) => (status, b.to_string()).into_response(),
        None => status.into_response(),
    };
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static(MEDIA));
    h.insert("x-powered-by", HeaderValue::from_static("cloudcart.com"));
    h.insert("x-cc-p", HeaderValue::from_static("cloudcart-sim"));
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    if let Some(loc) = answer.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        h.insert("location", loc);
    }
    rate_headers(h, rate, now);
    resp
}

fn rate_headers(h: &mut HeaderMap, r: RateDecision, now: jiff::Timestamp) {
    h.insert("x-ratelimit-limit", HeaderValue::from(r.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(r.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(now.as_second() + 60));
    h.insert(
        "x-ratelimit-info",
        HeaderValue::from_static(
            "Upgrade your plan or buy an API requests pack for a higher limit.",
        ),
    );
}

fn too_many(
    rate: RateDecision,
    retry_after: u32,
    no_access: bool,
    now: jiff::Timestamp,
) -> Response {
    let message = if no_access {
        "API rate limit exceeded. You do not have API access on your current plan. Please upgrade your subscription plan to enable API access."
    } else {
        "API rate limit exceeded. Please wait and retry later, or upgrade your current plan to a higher level for increased API limits."
    };
    let body =
        json!({"error": "Too Many Requests", "message": message, "retry_after": retry_after});
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("retry-after", HeaderValue::from(retry_after));
    rate_headers(h, rate, now);
    resp
}

fn host_of(headers: &HeaderMap, uri: &Uri) -> String {
    let raw = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.host().map(str::to_string))
        .unwrap_or_default();
    let no_port = match raw.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h.to_string(),
        _ => raw,
    };
    no_port.to_ascii_lowercase()
}

/// The `/api/v2/*` entry point.
pub async fn handle(
    State(state): State<Arc<SimState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    // The host is resolved first only to know which rate headers the refusals carry; the
    // refusal order stays missing key 401 → unknown host 404 → bad key 401 (API.md §1.2).
    let host = host_of(&headers, &uri);
    let shop = state.shop_for_host(&host);
    // Refused requests carry the rate headers too, without using up quota (API.md §1.13);
    // a host not in the limit map reports 0 / 0 (§1.3).
    let (limit, peek) = match &shop {
        Some((shop_ref, alias)) => {
            let mut shop = lock(shop_ref);
            let limit = if *alias {
                0
            } else {
                shop.config.rate_limit_per_minute
            };
            (limit, shop.rate.peek(now, limit))
        }
        None => (0, RateDecision::refused(0)),
    };
    // 1. key present?
    let key = headers
        .get("x-cloudcart-apikey")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    if key.is_empty() {
        return finish(ApiError::new(401).into(), peek, now);
    }
    // 2. host resolves to a store?
    let Some((shop_ref, _)) = shop else {
        return finish(
            ApiError::new(404).detail("Store not found.").into(),
            peek,
            now,
        );
    };
    // 3. key known for that store, and not switched off?
    if !lock(&shop_ref).key_accepted(key) {
        return finish(ApiError::new(401).into(), peek, now);
    }
    // Rate limit, then injected faults.
    let (rate, fault, hang_epoch) = {
        let mut shop = lock(&shop_ref);
        let rate = shop.rate.check(now, limit);
        if rate.allowed {
            shop.admitted_requests += 1;
        } else {
            shop.rate_refusals += 1;
        }
        let fault = next_fault(&mut shop);
        (rate, fault, shop.hang_epoch)
    };
    if !rate.allowed {
        return too_many(rate, 60, limit == 0, now);
    }
    match fault {
        Some(ApiFault::Status { status, .. }) => {
            let e = if status == 503 {
                ApiError::new(503).detail("Try again few minutes later")
            } else {
                ApiError::new(status).detail("Injected fault")
            };
            return finish(e.into(), rate, now);
        }
        Some(ApiFault::TooManyRequests { retry_after, .. }) => {
            return too_many(
                RateDecision {
                    remaining: 0,
                    ..rate
                },
                retry_after,
                false,
                now,
            );
        }
        Some(ApiFault::Latency { millis, .. }) => {
            tokio::time::sleep(Duration::from_millis(millis.min(60_000))).await
        }
        Some(ApiFault::Hang { seconds, .. }) => {
            let hold = jiff::SignedDuration::from_secs(seconds.min(MAX_HANG_SECONDS) as i64);
            let until = now.checked_add(hold).unwrap_or(jiff::Timestamp::MAX);
            crate::outage::hold(&state, &shop_ref, hang_epoch, until).await;
        }
        None => {}
    }
    // A held or delayed request is answered at the time it is released.
    let now = state.clock.now();
    let answer = {
        let mut shop = lock(&shop_ref);
        if shop.config.subscription_expired {
            ApiError::new(402)
                .detail("The store's subscription has expired.")
                .into()
        } else {
            let (answer, events) = route(&mut shop, &method, &uri, &headers, &body, &host, now);
            if method != Method::GET && method != Method::OPTIONS {
                let mut parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                // Webhook custom headers often carry receiver secrets: never keep their values.
                if let Some(Value::Object(h)) =
                    parsed.pointer_mut("/data/attributes/request_headers")
                {
                    for v in h.values_mut() {
                        *v = Value::String("[redacted]".into());
                    }
                }
                shop.writes.push(ReceivedWrite {
                    method: method.to_string(),
                    path: uri
                        .path_and_query()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    body: parsed,
                    status: answer.status,
                    at: crate::clock::format_datetime(now),
                });
            }
            crate::webhooks::enqueue(&mut shop, events, now);
            answer
        }
    };
    state.notify.notify_one();
    finish(answer, rate, now)
}

fn next_fault(shop: &mut Shop) -> Option<ApiFault> {
    let front = shop.api_faults.front_mut()?;
    let out = front.clone();
    let count = match front {
        ApiFault::Status { count, .. }
        | ApiFault::TooManyRequests { count, .. }
        | ApiFault::Latency { count, .. }
        | ApiFault::Hang { count, .. } => count,
    };
    *count = count.saturating_sub(1);
    if *count == 0 {
        shop.api_faults.pop_front();
    }
    Some(out)
}

/// Lock a shop, recovering from a poisoned mutex (a panicking handler must not wedge the emulator).
pub fn lock(shop: &std::sync::Mutex<Shop>) -> std::sync::MutexGuard<'_, Shop> {
    shop.lock().unwrap_or_else(|p| p.into_inner())
}

fn accept_ok(headers: &HeaderMap) -> bool {
    match headers.get("accept").and_then(|v| v.to_str().ok()) {
        None => true,
        Some(a) => a
            .split(',')
            .map(|p| p.split(';').next().unwrap_or("").trim())
            .any(|m| {
                m.is_empty()
                    || m == "*/*"
                    || m == "application/*"
                    || m == MEDIA
                    || m == "application/json"
            }),
    }
}

fn content_type_ok(headers: &HeaderMap) -> bool {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(MEDIA)
        })
        .unwrap_or(false)
}

fn route(
    shop: &mut Shop,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    host: &str,
    now: jiff::Timestamp,
) -> (Answer, crate::webhooks::Emit) {
    let mut events = Vec::new();
    let answer = route_inner(shop, method, uri, headers, body, host, now, &mut events)
        .unwrap_or_else(Answer::from);
    (answer, events)
}

#[allow(clippy::too_many_arguments)]
fn route_inner(
    shop: &mut Shop,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    host: &str,
    now: jiff::Timestamp,
    events: &mut crate::webhooks::Emit,
) -> Result<Answer, ApiError> {
    let path = uri.path().trim_end_matches('/');
    let Some(rest) = path.strip_prefix("/api/v2/") else {
        return Err(ApiError::new(404));
    };
    let segs: Vec<&str> = rest.split('/').collect();
    if !accept_ok(headers) {
        return Err(ApiError::new(406));
    }
    if *method == Method::OPTIONS {
        return Ok(Answer {
            status: 204,
            body: None,
            location: None,
        });
    }
    if segs[0] == "order-status" && segs.len() == 1 {
        if *method != Method::GET {
            return Err(ApiError::new(405));
        }
        return Ok(Answer::ok(order_status_helper(shop)));
    }
    if let Some((_, detail)) = resource::APP_GATED.iter().find(|(n, _)| *n == segs[0]) {
        return Err(ApiError::new(404).detail(*detail));
    }
    let Some(rules) = resource::rules_for(segs[0]) else {
        return Err(ApiError::new(404));
    };
    let allowed = match (method, segs.len()) {
        (&Method::GET, 1..=4) => true,
        (&Method::POST, 1) => rules.post,
        (&Method::PATCH, 2) => rules.patch,
        (&Method::PATCH, 3) => rules.name == "orders" && segs[2] == "fulfill",
        (&Method::DELETE, 2) => rules.delete,
        _ => false,
    };
    if !allowed {
        return Err(ApiError::new(405));
    }
    if matches!(*method, Method::POST | Method::PATCH) && !content_type_ok(headers) {
        return Err(ApiError::new(415).detail(format!("Content-Type must be {MEDIA}.")));
    }
    let base = format!("http://{host}");
    let show_links = headers
        .get("x-show-links")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    match *method {
        Method::GET => {
            let q = query::parse(uri.query(), rules, segs.len() != 2)?;
            match segs.len() {
                1 => list(shop, rules, &q, uri, &base, show_links),
                2 => {
                    let r = resource::fetch(shop, rules.name, segs[1])
                        .ok_or_else(|| ApiError::new(404))?;
                    Ok(Answer::ok(document(shop, vec![r], false, &q, None)))
                }
                3 => related(shop, rules, segs[1], segs[2], &q, false),
                _ if segs[2] == "relationships" => related(shop, rules, segs[1], segs[3], &q, true),
                _ => Err(ApiError::new(404)),
            }
        }
        _ => crate::writes::write(shop, method, rules, &segs, body, &base, now, events),
    }
}

fn order_status_helper(shop: &Shop) -> Value {
    let mut data: Vec<Value> = crate::orders::BUILTIN_STATUSES
        .iter()
        .map(|(slug, id, name)| json!({"id": id, "name": name, "slug": slug, "status_type": "default"}))
        .collect();
    data.extend(
        shop.custom_statuses
            .iter()
            .map(|c| json!({"id": c.id, "name": c.name, "slug": c.slug, "status_type": "custom"})),
    );
    json!({ "data": data })
}

/// Compare two attribute values for sorting (null first, numbers numerically).
fn cmp_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

fn value_matches(v: &Value, wanted: &str) -> bool {
    match v {
        Value::String(s) => s == wanted,
        Value::Number(n) => {
            n.to_string() == wanted
                || (wanted
                    .parse::<f64>()
                    .ok()
                    .zip(n.as_f64())
                    .is_some_and(|(a, b)| a == b))
        }
        Value::Bool(b) => (wanted == "1" || wanted == "true") == *b,
        Value::Null => wanted.is_empty() || wanted == "null",
        _ => false,
    }
}

fn sort_key(r: &Resource, field: &str) -> Value {
    if field == "id" {
        return r
            .id
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or(Value::String(r.id.clone()));
    }
    r.attributes.get(field).cloned().unwrap_or(Value::Null)
}

/// Evaluate one filter on a resource; `Err` when the filter name is unknown for the type.
fn filter_matches(
    shop: &Shop,
    rules: &TypeRules,
    r: &Resource,
    name: &str,
    values: &[String],
) -> Result<bool, ApiError> {
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
    match (rules.name, name) {
        (_, "id") => Ok(any(&|v| v == r.id)),
        ("products", "sku") | ("products", "barcode") => {
            let pid: u64 = r.id.parse().unwrap_or(0);
            Ok(shop
                .variants
                .values()
                .filter(|v| v.product_id == pid)
                .any(|v| {
                    let field = if name == "sku" { &v.sku } else { &v.barcode };
                    field.as_deref().is_some_and(|f| any(&|w| w == f))
                }))
        }
        ("variants", "has_images") => Ok(any(&|v| v == "0" || v == "no" || v == "false")),
        ("orders", "start_date") | ("order-payment", "start_date") => {
            let key = if rules.name == "orders" {
                "date_added"
            } else {
                "date_created"
            };
            let d = r.attributes.get(key).and_then(Value::as_str).unwrap_or("");
            Ok(any(&|v| d >= v))
        }
        ("orders", "end_date") | ("order-payment", "end_date") => {
            let key = if rules.name == "orders" {
                "date_added"
            } else {
                "date_created"
            };
            let d = r.attributes.get(key).and_then(Value::as_str).unwrap_or("");
            Ok(any(&|v| {
                if v.len() == 10 {
                    &d[..d.len().min(10)] <= v
                } else {
                    d <= v
                }
            }))
        }
        // Named filters on data the emulator does not model (properties) match nothing.
        _ if rules.named_filters.contains(&name) => Ok(false),
        _ => match r.attributes.get(name) {
            Some(val) => Ok(any(&|w| value_matches(val, w))),
            None => Err(ApiError::bad_param(
                format!("filter[{name}]"),
                format!("Unknown filter `{name}` on {}.", rules.name),
            )),
        },
    }
}

fn list(
    shop: &Shop,
    rules: &TypeRules,
    q: &Query,
    uri: &Uri,
    base: &str,
    show_links: bool,
) -> Result<Answer, ApiError> {
    let ids = resource::ids(shop, rules.name);
    let single = q
        .filters
        .iter()
        .any(|(n, _)| rules.single_record_filters.contains(&n.as_str()));
    let needs_scan = !q.filters.is_empty() || q.sort.iter().any(|(f, d)| f != "id" || *d);
    let (total, page): (usize, Vec<Resource>) = if needs_scan || single {
        let mut all = Vec::new();
        for id in &ids {
            let Some(r) = resource::fetch(shop, rules.name, id) else {
                continue;
            };
            let mut keep = true;
            for (name, values) in &q.filters {
                if !filter_matches(shop, rules, &r, name, values)? {
                    keep = false;
                    break;
                }
            }
            if keep {
                all.push(r);
            }
        }
        if single {
            let doc = match all.into_iter().next() {
                Some(r) => document(shop, vec![r], false, q, None),
                None => json!({"data": null, "jsonapi": {"version": "1.0"}}),
            };
            return Ok(Answer::ok(doc));
        }
        all.sort_by(|a, b| {
            for (f, desc) in &q.sort {
                let o = cmp_values(&sort_key(a, f), &sort_key(b, f));
                let o = if *desc { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        let total = all.len();
        let start = (q.page_number - 1).saturating_mul(q.page_size).min(total);
        (
            total,
            all.into_iter().skip(start).take(q.page_size).collect(),
        )
    } else {
        let total = ids.len();
        let start = (q.page_number - 1).saturating_mul(q.page_size).min(total);
        (
            total,
            ids[start..]
                .iter()
                .take(q.page_size)
                .filter_map(|id| resource::fetch(shop, rules.name, id))
                .collect(),
        )
    };
    let last_page = total.div_ceil(q.page_size).max(1);
    let from = (q.page_number - 1).saturating_mul(q.page_size) + 1;
    let count = page.len();
    let meta = json!({"page": {
        "current-page": q.page_number,
        "per-page": q.page_size,
        "from": if count == 0 { Value::Null } else { json!(from) },
        "to": if count == 0 { Value::Null } else { json!(from + count - 1) },
        "total": total,
        "last-page": last_page,
    }});
    let links = show_links.then(|| {
        let link = |n: usize| {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
                if k != "page[number]" && k != "page[size]" {
                    ser.append_pair(&k, &v);
                }
            }
            ser.append_pair("page[number]", &n.to_string());
            ser.append_pair("page[size]", &q.page_size.to_string());
            json!(format!("{base}{}?{}", uri.path(), ser.finish()))
        };
        json!({
            "first": link(1),
            "prev": if q.page_number > 1 { link(q.page_number - 1) } else { Value::Null },
            "next": if q.page_number < last_page { link(q.page_number + 1) } else { Value::Null },
            "last": link(last_page),
        })
    });
    let mut doc = document(shop, page, true, q, Some(meta));
    if let Some(l) = links {
        doc["links"] = l;
    }
    Ok(Answer::ok(doc))
}

/// Build a document from primary resources, resolving includes.
pub fn document(
    shop: &Shop,
    primary: Vec<Resource>,
    collection: bool,
    q: &Query,
    meta: Option<Value>,
) -> Value {
    let fields_for = |kind: &str| q.fields.get(kind).map(|v| v.as_slice());
    let mut seen: Vec<(String, String)> = primary
        .iter()
        .map(|r| (r.kind.to_string(), r.id.clone()))
        .collect();
    let mut included: Vec<Value> = Vec::new();
    for path in &q.include {
        let mut frontier: Vec<Resource> = primary.clone();
        for step in path.split('.') {
            let mut next = Vec::new();
            for r in &frontier {
                let Some(link) = r.relationship(step) else {
                    continue;
                };
                for (kind, id) in link.targets() {
                    let Some(res) = resource::fetch(shop, kind, &id) else {
                        continue;
                    };
                    let key = (kind.to_string(), id.clone());
                    if !seen.contains(&key) {
                        seen.push(key);
                        included.push(res.to_json(fields_for(kind)));
                    }
                    next.push(res);
                }
            }
            frontier = next;
        }
    }
    let data = if collection {
        Value::Array(
            primary
                .iter()
                .map(|r| r.to_json(fields_for(r.kind)))
                .collect(),
        )
    } else {
        primary
            .first()
            .map(|r| r.to_json(fields_for(r.kind)))
            .unwrap_or(Value::Null)
    };
    let mut doc = json!({"data": data, "jsonapi": {"version": "1.0"}});
    if !q.include.is_empty() || collection {
        doc["included"] = Value::Array(included);
    }
    if let Some(m) = meta {
        doc["meta"] = m;
    }
    doc
}

fn related(
    shop: &Shop,
    rules: &TypeRules,
    id: &str,
    rel: &str,
    q: &Query,
    linkage_only: bool,
) -> Result<Answer, ApiError> {
    let r = resource::fetch(shop, rules.name, id).ok_or_else(|| ApiError::new(404))?;
    let link = r
        .relationship(rel)
        .cloned()
        .ok_or_else(|| ApiError::new(404).detail(format!("Unknown relationship `{rel}`.")))?;
    let to_many = matches!(link, resource::Linkage::Many(_));
    if linkage_only {
        let data: Vec<Value> = link
            .targets()
            .into_iter()
            .map(|(t, i)| json!({"type": t, "id": i}))
            .collect();
        let data = if to_many {
            Value::Array(data)
        } else {
            data.into_iter().next().unwrap_or(Value::Null)
        };
        return Ok(Answer::ok(
            json!({"data": data, "jsonapi": {"version": "1.0"}}),
        ));
    }
    let resources: Vec<Resource> = link
        .targets()
        .into_iter()
        .filter_map(|(t, i)| resource::fetch(shop, t, &i))
        .collect();
    if to_many {
        let total = resources.len();
        let start = (q.page_number - 1).saturating_mul(q.page_size).min(total);
        let page: Vec<Resource> = resources
            .into_iter()
            .skip(start)
            .take(q.page_size)
            .collect();
        let count = page.len();
        let meta = json!({"page": {
            "current-page": q.page_number, "per-page": q.page_size,
            "from": if count == 0 { Value::Null } else { json!(start + 1) },
            "to": if count == 0 { Value::Null } else { json!(start + count) },
            "total": total, "last-page": total.div_ceil(q.page_size).max(1),
        }});
        let q2 = Query {
            include: Vec::new(),
            ..q.clone()
        };
        Ok(Answer::ok(document(shop, page, true, &q2, Some(meta))))
    } else {
        let q2 = Query {
            include: Vec::new(),
            ..q.clone()
        };
        Ok(Answer::ok(document(shop, resources, false, &q2, None)))
    }
}
