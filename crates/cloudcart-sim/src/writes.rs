//! POST / PATCH / DELETE on the emulated API, with CloudCart's validation rules and
//! side effects (API.md §2–§6).

use std::collections::BTreeMap;

use axum::http::Method;
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::api::{document, Answer};
use crate::errors::ApiError;
use crate::orders::{self, Actor, FulfilInput, RuleError};
use crate::query::Query;
use crate::resource::{self, TypeRules};
use crate::store::{
    Address, Category, CustomerAddress, Milli, OptionValue, Parameter, Product, Shop, Variant,
    Webhook,
};
use crate::webhooks::{resource_event, Emit, EVENTS};

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        ApiError::invalid(e.pointer, e.en)
    }
}

/// Largest accepted price / weight (minor units / grams): 100 million EUR.
pub const MAX_MONEY: i64 = 10_000_000_000;

/// A parsed request document.
struct Doc {
    attrs: Map<String, Value>,
    rels: Map<String, Value>,
}

fn parse_doc(body: &[u8], kind: &str, url_id: Option<&str>) -> Result<Doc, ApiError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(400).detail(format!("Malformed JSON body: {e}")))?;
    let Some(data) = v.get("data").and_then(Value::as_object) else {
        return Err(ApiError::invalid("/data", "The data member is required."));
    };
    match data.get("type").and_then(Value::as_str) {
        Some(t) if t == kind => {}
        _ => {
            return Err(ApiError::invalid(
                "/data/type",
                format!("The type must be `{kind}`."),
            ))
        }
    }
    if let Some(id) = url_id {
        let given = match data.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if given.as_deref() != Some(id) {
            return Err(ApiError::invalid(
                "/data/id",
                "The data.id must match the id in the URL.",
            ));
        }
    }
    let obj = |k: &str| -> Result<Map<String, Value>, ApiError> {
        match data.get(k) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(m)) => Ok(m.clone()),
            Some(_) => Err(ApiError::invalid(
                format!("/data/{k}"),
                format!("The {k} member must be an object."),
            )),
        }
    };
    Ok(Doc {
        attrs: obj("attributes")?,
        rels: obj("relationships")?,
    })
}

fn ptr(k: &str) -> String {
    format!("/data/attributes/{k}")
}

/// 422 for a missing required attribute (`display_type` reads "display type").
fn required(k: &str) -> ApiError {
    ApiError::invalid(
        ptr(k),
        format!("The {} field is required.", k.replace('_', " ")),
    )
}

/// The record a POST starts from (`new`) or a PATCH edits (404 when `existing` is unknown).
fn load<T: Clone>(
    records: &BTreeMap<u64, T>,
    existing: Option<u64>,
    new: impl FnOnce() -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    match existing {
        Some(i) => records.get(&i).cloned().ok_or_else(|| ApiError::new(404)),
        None => new(),
    }
}

/// Store an upserted record under the URL's id (PATCH) or a fresh one (POST) with `store`,
/// then answer 200 with the record, or 201 with `Location` for a new one.
fn save(
    shop: &mut Shop,
    kind: &str,
    existing: Option<u64>,
    base: &str,
    store: impl FnOnce(&mut Shop, u64),
) -> Result<Answer, ApiError> {
    let id = existing.unwrap_or_else(|| shop.ids.allocate());
    store(shop, id);
    match existing {
        Some(_) => one(shop, kind, &id.to_string()),
        None => created(shop, kind, id, base),
    }
}

/// `{entity}.created` for a POST, `{entity}.updated` for a PATCH.
fn upsert_event(entity: &str, existing: Option<u64>) -> String {
    let what = if existing.is_some() {
        "updated"
    } else {
        "created"
    };
    format!("{entity}.{what}")
}

/// 422 unless a product or category name has at least 2 characters.
fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().chars().count() < 2 {
        return Err(ApiError::invalid(
            ptr("name"),
            "The name must be at least 2 characters.",
        ));
    }
    Ok(())
}

/// 404 unless `id` is one of `records`.
fn must_exist<T>(records: &BTreeMap<u64, T>, id: u64) -> Result<(), ApiError> {
    if records.contains_key(&id) {
        Ok(())
    } else {
        Err(ApiError::new(404))
    }
}

impl Doc {
    fn has(&self, k: &str) -> bool {
        self.attrs.contains_key(k)
    }
    fn string(&self, k: &str) -> Result<Option<String>, ApiError> {
        match self.attrs.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(ApiError::invalid(
                ptr(k),
                format!("The {k} must be a string."),
            )),
        }
    }
    fn yes_no(&self, k: &str) -> Result<Option<bool>, ApiError> {
        match self.attrs.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s == "yes" || s == "1" => Ok(Some(true)),
            Some(Value::String(s)) if s == "no" || s == "0" => Ok(Some(false)),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(Some(true)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(Some(false)),
            Some(_) => Err(ApiError::invalid(
                ptr(k),
                format!("The {k} must be `yes` or `no`."),
            )),
        }
    }
    fn int(&self, k: &str) -> Result<Option<i64>, ApiError> {
        match self.attrs.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                ApiError::invalid(ptr(k), format!("The {k} must be an integer (minor units)."))
            }),
            Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| {
                ApiError::invalid(ptr(k), format!("The {k} must be an integer (minor units)."))
            }),
            Some(_) => Err(ApiError::invalid(
                ptr(k),
                format!("The {k} must be an integer (minor units)."),
            )),
        }
    }
    /// decimal(20,3): `None` = absent, `Some(None)` = null (unlimited).
    fn quantity(&self, k: &str) -> Result<Option<Option<Milli>>, ApiError> {
        let bad = || {
            ApiError::invalid(
                ptr(k),
                format!("The {k} must be a number with at most 3 decimals, at most 50000000."),
            )
        };
        let parse = |x: f64| -> Result<Option<Option<Milli>>, ApiError> {
            if !x.is_finite() || x.abs() > 50_000_000.0 {
                return Err(bad());
            }
            Ok(Some(Some((x * 1000.0).round() as i64)))
        };
        match self.attrs.get(k) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::Number(n)) => parse(n.as_f64().ok_or_else(bad)?),
            Some(Value::String(s)) => parse(s.trim().parse::<f64>().map_err(|_| bad())?),
            Some(_) => Err(bad()),
        }
    }
    /// To-one relationship id: `None` = absent, `Some(None)` = explicit null.
    fn rel(&self, name: &str) -> Result<Option<Option<String>>, ApiError> {
        let p = format!("/data/relationships/{name}");
        match self.rels.get(name) {
            None => Ok(None),
            Some(r) => match r.get("data") {
                Some(Value::Null) => Ok(Some(None)),
                Some(Value::Object(o)) => match o.get("id") {
                    Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
                    Some(Value::Number(n)) => Ok(Some(Some(n.to_string()))),
                    _ => Err(ApiError::invalid(p, "The relationship needs a data.id.")),
                },
                _ => Err(ApiError::invalid(
                    p,
                    "The relationship needs a data member.",
                )),
            },
        }
    }
    /// A to-one relationship that must name an existing record: `None` when absent or null,
    /// 422 "The selected … is invalid." when `exists` refuses the id.
    fn rel_id(&self, name: &str, exists: impl Fn(u64) -> bool) -> Result<Option<u64>, ApiError> {
        let Some(Some(raw)) = self.rel(name)? else {
            return Ok(None);
        };
        let what = name.trim_end_matches(|c: char| c.is_ascii_digit());
        raw.parse::<u64>()
            .ok()
            .filter(|i| exists(*i))
            .map(Some)
            .ok_or_else(|| {
                ApiError::invalid(
                    format!("/data/relationships/{name}"),
                    format!("The selected {what} is invalid."),
                )
            })
    }
    /// [`Doc::rel_id`] that must be present: 422 "The … relationship is required." otherwise.
    fn required_rel(&self, name: &str, exists: impl Fn(u64) -> bool) -> Result<u64, ApiError> {
        self.rel_id(name, exists)?.ok_or_else(|| {
            ApiError::invalid(
                format!("/data/relationships/{name}"),
                format!("The {name} relationship is required."),
            )
        })
    }
    fn reject_read_only(&self, keys: &[&str]) -> Result<(), ApiError> {
        for k in keys {
            if self.has(k) {
                return Err(ApiError::invalid(
                    ptr(k),
                    format!("The {k} field is read-only."),
                ));
            }
        }
        Ok(())
    }
}

fn created(shop: &Shop, kind: &str, id: u64, base: &str) -> Result<Answer, ApiError> {
    let r = resource::fetch(shop, kind, &id.to_string()).ok_or_else(|| ApiError::new(500))?;
    Ok(Answer {
        status: 201,
        body: Some(document(shop, vec![r], false, &Query::default(), None)),
        location: Some(format!("{base}/api/v2/{kind}/{id}")),
    })
}

fn one(shop: &Shop, kind: &str, id: &str) -> Result<Answer, ApiError> {
    let r = resource::fetch(shop, kind, id).ok_or_else(|| ApiError::new(404))?;
    Ok(Answer::ok(document(
        shop,
        vec![r],
        false,
        &Query::default(),
        None,
    )))
}

fn no_content() -> Answer {
    Answer {
        status: 204,
        body: None,
        location: None,
    }
}

fn not_deletable(detail: impl Into<String>) -> ApiError {
    ApiError::new(422).title("Not Deletable").detail(detail)
}

fn parse_id(s: &str) -> Result<u64, ApiError> {
    s.parse().map_err(|_| ApiError::new(404))
}

fn handle_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 191
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Dispatch a write.
#[allow(clippy::too_many_arguments)]
pub fn write(
    shop: &mut Shop,
    method: &Method,
    rules: &TypeRules,
    segs: &[&str],
    body: &[u8],
    base: &str,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<Answer, ApiError> {
    let kind = rules.name;
    let id = segs.get(1).copied();
    if *method == Method::DELETE {
        let id = id.ok_or_else(|| ApiError::new(405))?;
        return delete(shop, kind, parse_id(id)?, now, ev);
    }
    if kind == "orders" && segs.len() == 3 {
        let oid = parse_id(segs[1])?;
        must_exist(&shop.orders, oid)?;
        let doc = parse_doc(body, "orders", None)?;
        let input = fulfil_input(&doc)?;
        orders::fulfil(shop, oid, input, now, ev)?;
        return one(shop, "orders", segs[1]);
    }
    let doc = parse_doc(body, kind, id)?;
    match (method.as_str(), kind) {
        ("POST", "products") => post_product(shop, &doc, now, base),
        ("PATCH", "products") => patch_product(shop, parse_id(id.unwrap_or(""))?, &doc, now),
        ("POST", "variants") => post_variant(shop, &doc, now, base),
        ("PATCH", "variants") => patch_variant(shop, parse_id(id.unwrap_or(""))?, &doc, now),
        ("POST", "variant-parameters") | ("PATCH", "variant-parameters") => {
            parameter(shop, id, &doc, base)
        }
        ("POST", "variant-options") | ("PATCH", "variant-options") => option(shop, id, &doc, base),
        ("POST", "categories") | ("PATCH", "categories") => category(shop, id, &doc, now, base, ev),
        ("POST", "customers") | ("PATCH", "customers") => customer(shop, id, &doc, now, base, ev),
        ("POST", "customer-shipping-address") | ("PATCH", "customer-shipping-address") => {
            address(shop, id, &doc, false, base)
        }
        ("POST", "customer-billing-address") | ("PATCH", "customer-billing-address") => {
            address(shop, id, &doc, true, base)
        }
        ("POST", "webhooks") | ("PATCH", "webhooks") => webhook(shop, id, &doc, now, base),
        ("POST", "images") => post_image(shop, &doc, base),
        ("PATCH", "orders") => patch_order(shop, parse_id(id.unwrap_or(""))?, &doc, now, ev),
        ("POST", "order-fulfillment") => {
            let oid = doc.required_rel("order", |o| shop.orders.contains_key(&o))?;
            let input = fulfil_input(&doc)?;
            let fid = orders::fulfil(shop, oid, input, now, ev)?;
            created(shop, "order-fulfillment", fid, base)
        }
        ("PATCH", "order-fulfillment") => {
            let fid = parse_id(id.unwrap_or(""))?;
            let input = fulfil_input(&doc)?;
            let o = shop
                .orders
                .values_mut()
                .find(|o| o.fulfillment.as_ref().is_some_and(|f| f.id == fid))
                .ok_or_else(|| ApiError::new(404))?;
            if let Some(f) = o.fulfillment.as_mut() {
                if input.shipping_tracking_number.is_some() {
                    f.tracking_number = input.shipping_tracking_number;
                }
                if input.shipping_tracking_url.is_some() {
                    f.tracking_url = input.shipping_tracking_url;
                }
                if input.shipping_date_expedition.is_some() {
                    f.date_expedition = input.shipping_date_expedition;
                }
                if input.shipping_date_delivery.is_some() {
                    f.date_delivery = input.shipping_date_delivery;
                }
            }
            o.updated_at = now;
            let o = o.clone();
            ev.push(("order.updated".into(), orders::webhook_payload(shop, &o)));
            one(shop, "order-fulfillment", &fid.to_string())
        }
        _ => Err(ApiError::new(405)),
    }
}

fn fulfil_input(doc: &Doc) -> Result<FulfilInput, ApiError> {
    let url = doc.string("shipping_tracking_url")?;
    if let Some(u) = &url {
        if !matches!(url::Url::parse(u), Ok(p) if p.scheme() == "http" || p.scheme() == "https") {
            return Err(ApiError::invalid(
                ptr("shipping_tracking_url"),
                "The shipping tracking url must be a valid URL.",
            ));
        }
    }
    let date = |k: &str| -> Result<Option<String>, ApiError> {
        let v = doc.string(k)?;
        if let Some(d) = &v {
            if d.parse::<jiff::civil::Date>().is_err() || d.len() != 10 {
                return Err(ApiError::invalid(
                    ptr(k),
                    format!("The {k} must be a date in the format YYYY-MM-DD."),
                ));
            }
        }
        Ok(v)
    };
    Ok(FulfilInput {
        shipping_tracking_number: doc.string("shipping_tracking_number")?,
        shipping_tracking_url: url,
        shipping_date_expedition: date("shipping_date_expedition")?,
        shipping_date_delivery: date("shipping_date_delivery")?,
    })
}

pub(crate) fn slugify(name: &str, id: u64) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        format!("product-{id}")
    } else {
        format!("{s}-{id}")
    }
}

/// Read parameter1..3 relationships; validates slot order and duplicates.
fn parameter_slots(shop: &Shop, doc: &Doc) -> Result<Option<Vec<u64>>, ApiError> {
    let mut slots: Vec<Option<u64>> = Vec::new();
    let mut any = false;
    for i in 1..=3 {
        let name = format!("parameter{i}");
        let slot = doc.rel_id(&name, |p| shop.parameters.contains_key(&p))?;
        any |= slot.is_some();
        slots.push(slot);
    }
    if !any {
        return Ok(None);
    }
    let mut out = Vec::new();
    for (i, s) in slots.iter().enumerate() {
        if let Some(p) = s {
            if out.len() != i {
                return Err(ApiError::invalid(
                    format!("/data/relationships/parameter{}", out.len() + 1),
                    "Parameter slots must be filled in order.",
                )
                .title("Missing Parameter Relationship"));
            }
            if out.contains(p) {
                return Err(ApiError::invalid(
                    format!("/data/relationships/parameter{}", i + 1),
                    "A parameter can be bound only once.",
                )
                .title("Duplicate Parameter Relationship"));
            }
            out.push(*p);
        }
    }
    Ok(Some(out))
}

fn apply_product_attrs(p: &mut Product, doc: &Doc) -> Result<(), ApiError> {
    if let Some(n) = doc.string("name")? {
        check_name(&n)?;
        p.name = n;
    }
    for k in [
        "active",
        "draft",
        "tracking",
        "continue_selling",
        "shipping",
        "digital",
        "sale",
        "new",
    ] {
        if let Some(b) = doc.yes_no(k)? {
            match k {
                "active" => p.active = b,
                "draft" => p.draft = b,
                "tracking" => p.tracking = b,
                "continue_selling" => p.continue_selling = b,
                "shipping" => p.shipping = b,
                "digital" => p.digital = b,
                "sale" => p.sale = b,
                _ => p.new = b,
            }
        }
    }
    if doc.has("description") {
        p.description = doc.string("description")?;
    }
    if doc.has("threshold") {
        match doc.int("threshold")? {
            Some(0) => {
                return Err(ApiError::invalid(
                    ptr("threshold"),
                    "The threshold cannot be 0.",
                ))
            }
            Some(_) if !p.tracking => {
                return Err(ApiError::invalid(
                    ptr("threshold"),
                    "A threshold needs tracking = yes.",
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

fn post_product(
    shop: &mut Shop,
    doc: &Doc,
    now: Timestamp,
    base: &str,
) -> Result<Answer, ApiError> {
    if shop
        .config
        .product_limit
        .is_some_and(|cap| shop.products.len() >= cap)
    {
        return Err(ApiError::new(402).detail(
            "Your plan's product limit is reached. Upgrade the plan to add more products.",
        ));
    }
    check_name(&doc.string("name")?.ok_or_else(|| required("name"))?)?;
    let category_id = doc.required_rel("category", |c| shop.categories.contains_key(&c))?;
    let parameters = parameter_slots(shop, doc)?.unwrap_or_default();
    let id = shop.ids.allocate();
    let mut p = Product {
        id,
        name: String::new(),
        url_handle: String::new(),
        active: true,
        draft: false,
        tracking: false,
        continue_selling: false,
        shipping: false,
        digital: false,
        sale: false,
        new: false,
        category_id,
        parameters,
        description: None,
        image_id: None,
        date_added: now,
        date_modified: now,
    };
    apply_product_attrs(&mut p, doc)?;
    p.url_handle = match doc.string("url_handle")? {
        Some(h) => {
            if !handle_ok(&h) {
                return Err(ApiError::invalid(
                    ptr("url_handle"),
                    "The url handle may contain letters, digits, `-` and `_` only (max 191).",
                ));
            }
            if shop.products.values().any(|x| x.url_handle == h) {
                return Err(ApiError::invalid(
                    ptr("url_handle"),
                    "The url handle has already been taken.",
                ));
            }
            h
        }
        None => slugify(&p.name, id),
    };
    shop.products.insert(id, p);
    created(shop, "products", id, base)
}

fn patch_product(shop: &mut Shop, id: u64, doc: &Doc, now: Timestamp) -> Result<Answer, ApiError> {
    let mut p = shop
        .products
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::new(404))?;
    apply_product_attrs(&mut p, doc)?;
    if let Some(h) = doc.string("url_handle")? {
        if !handle_ok(&h)
            || shop
                .products
                .values()
                .any(|x| x.url_handle == h && x.id != id)
        {
            return Err(ApiError::invalid(
                ptr("url_handle"),
                "The url handle is invalid or already taken.",
            ));
        }
        p.url_handle = h;
    }
    if let Some(c) = doc.rel_id("category", |c| shop.categories.contains_key(&c))? {
        p.category_id = c;
    }
    if let Some(params) = parameter_slots(shop, doc)? {
        if params != p.parameters {
            // Changing a parameter slot wipes the variant grid (API.md §2.3).
            shop.variants.retain(|_, v| v.product_id != id);
            p.parameters = params;
        }
    }
    p.date_modified = now;
    shop.products.insert(id, p);
    one(shop, "products", &id.to_string())
}

fn variant_options(shop: &Shop, doc: &Doc, params: &[u64]) -> Result<Vec<u64>, ApiError> {
    let mut opts = Vec::new();
    for i in 1..=3 {
        if let Some(o) = doc.rel_id(&format!("option{i}"), |o| shop.options.contains_key(&o))? {
            opts.push((i, shop.options[&o].clone()));
        }
    }
    if opts.len() != params.len() {
        return Err(ApiError::invalid(
            "/data/relationships",
            format!(
                "You are trying to save variant with {} options, but your product requires {}",
                opts.len(),
                params.len()
            ),
        ));
    }
    for (slot, (i, o)) in opts.iter().enumerate() {
        let want = params[slot];
        if o.parameter_id != want {
            let pname = shop
                .parameters
                .get(&want)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            return Err(ApiError::invalid(
                format!("/data/relationships/option{i}"),
                format!(
                    "Variant option '{}' does not belongs to variant parameter '{pname}'",
                    o.name
                ),
            ));
        }
    }
    Ok(opts.into_iter().map(|(_, o)| o.id).collect())
}

fn apply_variant_attrs(shop: &Shop, v: &mut Variant, doc: &Doc) -> Result<(), ApiError> {
    if doc.has("sku") {
        let sku = doc.string("sku")?.filter(|s| !s.is_empty());
        if let Some(s) = &sku {
            if s.chars().count() > 191 {
                return Err(ApiError::invalid(
                    ptr("sku"),
                    "The sku may not be greater than 191 characters.",
                ));
            }
            if shop.sku_taken(s, Some(v.id)) {
                return Err(ApiError::invalid(ptr("sku"), "This SKU is already in use"));
            }
        }
        v.sku = sku;
    }
    if doc.has("barcode") {
        v.barcode = doc.string("barcode")?.filter(|s| !s.is_empty());
        if v.barcode.as_ref().is_some_and(|b| b.chars().count() > 191) {
            return Err(ApiError::invalid(
                ptr("barcode"),
                "The barcode may not be greater than 191 characters.",
            ));
        }
    }
    for (k, slot) in [("price", 0), ("delivery_price", 1), ("weight", 2)] {
        if let Some(n) = doc.int(k)? {
            if !(0..=MAX_MONEY).contains(&n) {
                return Err(ApiError::invalid(
                    ptr(k),
                    format!("The {k} must be between 0 and {MAX_MONEY}."),
                ));
            }
            match slot {
                0 => v.price = n,
                1 => v.delivery_price = n,
                _ => v.weight = n,
            }
        }
    }
    if let Some(q) = doc.quantity("quantity")? {
        v.quantity = q;
    }
    Ok(())
}

fn post_variant(
    shop: &mut Shop,
    doc: &Doc,
    now: Timestamp,
    base: &str,
) -> Result<Answer, ApiError> {
    let pid = doc.required_rel("product", |p| shop.products.contains_key(&p))?;
    let params = shop
        .products
        .get(&pid)
        .map(|p| p.parameters.clone())
        .unwrap_or_default();
    let options = variant_options(shop, doc, &params)?;
    if options.is_empty() && shop.variants.values().any(|v| v.product_id == pid) {
        return Err(ApiError::invalid(
            "/data/relationships/product",
            "The product already has a variant without options.",
        ));
    }
    if !options.is_empty()
        && shop
            .variants
            .values()
            .any(|v| v.product_id == pid && v.options == options)
    {
        return Err(ApiError::invalid(
            "/data/relationships",
            "The product already has a variant with these options.",
        ));
    }
    let id = shop.ids.allocate();
    let mut v = Variant {
        id,
        product_id: pid,
        sku: None,
        barcode: None,
        price: 0,
        delivery_price: 0,
        weight: 0,
        quantity: Some(0),
        options,
    };
    apply_variant_attrs(shop, &mut v, doc)?;
    shop.variants.insert(id, v);
    if let Some(p) = shop.products.get_mut(&pid) {
        p.date_modified = now;
    }
    created(shop, "variants", id, base)
}

fn patch_variant(shop: &mut Shop, id: u64, doc: &Doc, now: Timestamp) -> Result<Answer, ApiError> {
    let mut v = shop
        .variants
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::new(404))?;
    apply_variant_attrs(shop, &mut v, doc)?;
    let pid = v.product_id;
    shop.variants.insert(id, v);
    if let Some(p) = shop.products.get_mut(&pid) {
        p.date_modified = now;
    }
    one(shop, "variants", &id.to_string())
}

fn parameter(shop: &mut Shop, id: Option<&str>, doc: &Doc, base: &str) -> Result<Answer, ApiError> {
    let existing = id.map(parse_id).transpose()?;
    let mut p = load(&shop.parameters, existing, || {
        Ok(Parameter {
            id: 0,
            name: String::new(),
            display_type: String::new(),
        })
    })?;
    if let Some(n) = doc.string("name")? {
        let len = n.trim().chars().count();
        if !(3..=191).contains(&len) {
            return Err(ApiError::invalid(
                ptr("name"),
                "The name must be between 3 and 191 characters.",
            ));
        }
        if shop
            .parameters
            .values()
            .any(|x| x.name.eq_ignore_ascii_case(n.trim()) && Some(x.id) != existing)
        {
            return Err(ApiError::invalid(
                ptr("name"),
                "The name has already been taken.",
            ));
        }
        p.name = n.trim().to_string();
    } else if existing.is_none() {
        return Err(required("name"));
    }
    if let Some(d) = doc.string("display_type")? {
        if !["select", "radio", "image", "color", "2d", "numeric_alpha"].contains(&d.as_str()) {
            return Err(ApiError::invalid(
                ptr("display_type"),
                "The selected display type is invalid.",
            ));
        }
        p.display_type = d;
    } else if existing.is_none() {
        return Err(required("display_type"));
    }
    save(shop, "variant-parameters", existing, base, |shop, i| {
        p.id = i;
        shop.parameters.insert(i, p);
    })
}

fn option(shop: &mut Shop, id: Option<&str>, doc: &Doc, base: &str) -> Result<Answer, ApiError> {
    let existing = id.map(parse_id).transpose()?;
    let mut o = load(&shop.options, existing, || {
        Ok(OptionValue {
            id: 0,
            parameter_id: doc.required_rel("parameter", |p| shop.parameters.contains_key(&p))?,
            name: String::new(),
        })
    })?;
    match doc.string("name")? {
        Some(n) if !n.trim().is_empty() => {
            let n = n.trim().to_string();
            if shop.options.values().any(|x| {
                x.parameter_id == o.parameter_id
                    && x.name.to_lowercase() == n.to_lowercase()
                    && Some(x.id) != existing
            }) {
                return Err(ApiError::invalid(
                    ptr("name"),
                    "The name has already been taken.",
                ));
            }
            o.name = n;
        }
        _ if existing.is_none() => return Err(required("name")),
        _ => {}
    }
    save(shop, "variant-options", existing, base, |shop, i| {
        o.id = i;
        shop.options.insert(i, o);
    })
}

fn category(
    shop: &mut Shop,
    id: Option<&str>,
    doc: &Doc,
    now: Timestamp,
    base: &str,
    ev: &mut Emit,
) -> Result<Answer, ApiError> {
    let existing = id.map(parse_id).transpose()?;
    let mut c = load(&shop.categories, existing, || {
        Ok(Category {
            id: 0,
            name: String::new(),
            url_handle: String::new(),
            created_at: now,
            updated_at: now,
        })
    })?;
    match doc.string("name")? {
        Some(n) => {
            check_name(&n)?;
            c.name = n;
        }
        None if existing.is_none() => return Err(required("name")),
        None => {}
    }
    if let Some(h) = doc.string("url_handle")? {
        if !handle_ok(&h)
            || shop
                .categories
                .values()
                .any(|x| x.url_handle == h && Some(x.id) != existing)
        {
            return Err(ApiError::invalid(
                ptr("url_handle"),
                "The url handle is invalid or already taken.",
            ));
        }
        c.url_handle = h;
    }
    c.updated_at = now;
    save(shop, "categories", existing, base, |shop, i| {
        c.id = i;
        if c.url_handle.is_empty() {
            c.url_handle = slugify(&c.name, i);
        }
        shop.categories.insert(i, c);
        let event = upsert_event("category", existing);
        ev.push(resource_event(shop, &event, "categories", i));
    })
}

fn customer(
    shop: &mut Shop,
    id: Option<&str>,
    doc: &Doc,
    now: Timestamp,
    base: &str,
    ev: &mut Emit,
) -> Result<Answer, ApiError> {
    doc.reject_read_only(&[
        "group_id",
        "default_address_id",
        "default_billing_address_id",
        "date_added",
        "updated_at",
        "date_banned",
    ])?;
    let existing = id.map(parse_id).transpose()?;
    let mut c = load(&shop.customers, existing, || {
        Ok(crate::store::Customer {
            id: 0,
            email: String::new(),
            first_name: None,
            last_name: None,
            active: true,
            email_for_confirmation: None,
            email_confirmed: true,
            date_added: now,
            updated_at: now,
        })
    })?;
    match doc.string("email")? {
        Some(e) => {
            let at = e.find('@');
            if e.len() > 191 || at.is_none_or(|i| i == 0 || i + 1 >= e.len()) {
                return Err(ApiError::invalid(
                    ptr("email"),
                    "The email must be a valid email address.",
                ));
            }
            if shop
                .customers
                .values()
                .any(|x| x.email.eq_ignore_ascii_case(&e) && Some(x.id) != existing)
            {
                return Err(ApiError::invalid(
                    ptr("email"),
                    "The email has already been taken.",
                ));
            }
            if existing.is_some() && !c.email.eq_ignore_ascii_case(&e) {
                // PATCHing the e-mail asks for confirmation; login keeps the old address.
                c.email_for_confirmation = Some(e);
                c.email_confirmed = false;
            } else {
                c.email = e;
            }
        }
        None if existing.is_none() => return Err(required("email")),
        None => {}
    }
    if doc.has("first_name") {
        c.first_name = doc.string("first_name")?;
    }
    if doc.has("last_name") {
        c.last_name = doc.string("last_name")?;
    }
    if let Some(a) = doc.yes_no("active")? {
        c.active = a;
    }
    if let Some(confirmed) = doc.yes_no("email_confirmed")? {
        c.email_confirmed = confirmed;
        if confirmed {
            if let Some(new) = c.email_for_confirmation.take() {
                c.email = new;
            }
        }
    }
    c.updated_at = now;
    save(shop, "customers", existing, base, |shop, i| {
        c.id = i;
        shop.customers.insert(i, c);
        let event = upsert_event("customer", existing);
        ev.push(resource_event(shop, &event, "customers", i));
    })
}

fn address(
    shop: &mut Shop,
    id: Option<&str>,
    doc: &Doc,
    billing: bool,
    base: &str,
) -> Result<Answer, ApiError> {
    let kind = if billing {
        "customer-billing-address"
    } else {
        "customer-shipping-address"
    };
    let existing = id.map(parse_id).transpose()?;
    let mut a = load(&shop.addresses, existing, || {
        Ok(CustomerAddress {
            id: 0,
            customer_id: doc.required_rel("customer", |c| shop.customers.contains_key(&c))?,
            billing,
            address: Address::default(),
        })
    })?;
    if a.billing != billing {
        // The other address kind lives under the other resource name.
        return Err(ApiError::new(404));
    }
    let set = |field: &mut Option<String>, k: &str| -> Result<(), ApiError> {
        if doc.has(k) {
            *field = doc.string(k)?.filter(|s| !s.trim().is_empty());
        }
        Ok(())
    };
    let x = &mut a.address;
    set(&mut x.first_name, "first_name")?;
    set(&mut x.last_name, "last_name")?;
    set(&mut x.phone, "phone")?;
    set(&mut x.country_iso2, "country_iso2")?;
    set(&mut x.city_name, "city_name")?;
    set(&mut x.street_name, "street_name")?;
    set(&mut x.street_number, "street_number")?;
    set(&mut x.post_code, "post_code")?;
    if billing {
        set(&mut x.company_name, "company_name")?;
        set(&mut x.company_vat, "company_vat")?;
        set(&mut x.company_registration_number, "company_bulstat")?;
        set(&mut x.company_person, "company_mol")?;
        if x.company_name.is_some() != x.company_vat.is_some() {
            let k = if x.company_name.is_some() {
                "company_vat"
            } else {
                "company_name"
            };
            return Err(ApiError::invalid(
                ptr(k),
                "The company name and company vat must be sent together.",
            ));
        }
    }
    let mut required = vec![
        ("first_name", &x.first_name),
        ("last_name", &x.last_name),
        ("country_iso2", &x.country_iso2),
        ("city_name", &x.city_name),
        ("street_name", &x.street_name),
    ];
    if !billing {
        required.extend([
            ("street_number", &x.street_number),
            ("post_code", &x.post_code),
            ("phone", &x.phone),
        ]);
    }
    for (k, v) in required {
        if v.is_none() {
            return Err(ApiError::invalid(
                ptr(k),
                format!("The {k} field is required."),
            ));
        }
    }
    if let Some(c) = &mut x.country_iso2 {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(ApiError::invalid(
                ptr("country_iso2"),
                "The country iso2 must be 2 letters.",
            ));
        }
        *c = c.to_ascii_uppercase();
    }
    save(shop, kind, existing, base, |shop, i| {
        a.id = i;
        shop.addresses.insert(i, a);
    })
}

fn webhook(
    shop: &mut Shop,
    id: Option<&str>,
    doc: &Doc,
    now: Timestamp,
    base: &str,
) -> Result<Answer, ApiError> {
    let existing = id.map(parse_id).transpose()?;
    if existing.is_some() && doc.has("api_key_id") {
        return Err(ApiError::invalid(
            ptr("api_key_id"),
            "The api key id field is read-only.",
        ));
    }
    let mut w = load(&shop.webhooks, existing, || {
        Ok(Webhook {
            id: 0,
            url: String::new(),
            event: String::new(),
            active: true,
            new_version: true,
            request_headers: BTreeMap::new(),
            api_key_index: 0,
            created_at: now,
            updated_at: now,
        })
    })?;
    match doc.string("url")? {
        Some(u) => {
            if !matches!(url::Url::parse(&u), Ok(p) if (p.scheme() == "http" || p.scheme() == "https") && p.host().is_some())
            {
                return Err(ApiError::invalid(ptr("url"), "The url format is invalid."));
            }
            w.url = u;
        }
        None if existing.is_none() => return Err(required("url")),
        None => {}
    }
    match doc.string("event")? {
        Some(e) if EVENTS.contains(&e.as_str()) => w.event = e,
        Some(_) => {
            return Err(ApiError::invalid(
                ptr("event"),
                format!(
                    "The selected event is invalid. Valid events: {}",
                    EVENTS.join(", ")
                ),
            ));
        }
        None if existing.is_none() => return Err(required("event")),
        None => {}
    }
    if let Some(a) = doc.yes_no("active")? {
        w.active = a;
    }
    if let Some(n) = doc.yes_no("new_version")? {
        w.new_version = n;
    }
    if doc.has("request_headers") {
        match doc.attrs.get("request_headers") {
            Some(Value::Null) => w.request_headers.clear(),
            Some(Value::Object(m)) => {
                let mut h = BTreeMap::new();
                for (k, v) in m {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => {
                            return Err(ApiError::invalid(
                                ptr("request_headers"),
                                "Header values must be strings.",
                            ))
                        }
                    };
                    let valid = axum::http::HeaderName::from_bytes(k.as_bytes()).is_ok()
                        && axum::http::HeaderValue::from_str(&v).is_ok();
                    if !k.trim().is_empty() && !v.trim().is_empty() {
                        if !valid {
                            return Err(ApiError::invalid(
                                ptr("request_headers"),
                                format!("Invalid header `{k}`."),
                            ));
                        }
                        h.insert(k.clone(), v);
                    }
                }
                w.request_headers = h;
            }
            Some(Value::Array(a)) if a.is_empty() => w.request_headers.clear(),
            _ => {
                return Err(ApiError::invalid(
                    ptr("request_headers"),
                    "The request headers must be an object.",
                ))
            }
        }
    }
    if existing.is_none() {
        if let Some(k) = doc.int("api_key_id")? {
            if k < 1 || k as usize > shop.config.api_keys.len() {
                return Err(ApiError::invalid(
                    ptr("api_key_id"),
                    "The selected api key id is invalid.",
                ));
            }
            w.api_key_index = (k - 1) as usize;
        }
    }
    w.updated_at = now;
    save(shop, "webhooks", existing, base, |shop, i| {
        w.id = i;
        shop.webhooks.insert(i, w);
    })
}

fn post_image(shop: &mut Shop, doc: &Doc, base: &str) -> Result<Answer, ApiError> {
    let pid = doc.required_rel("product", |p| shop.products.contains_key(&p))?;
    let src = doc.string("src")?.ok_or_else(|| required("src"))?;
    let lower = src.to_ascii_lowercase();
    let allowed = ["jpeg", "jpg", "png", "gif", "webp"];
    let ok = if let Some(rest) = lower.strip_prefix("data:image/") {
        allowed.iter().any(|t| rest.starts_with(&format!("{t};")))
    } else {
        matches!(url::Url::parse(&src), Ok(u) if u.scheme() == "http" || u.scheme() == "https")
            && allowed.iter().any(|t| u_path_ext(&lower) == *t)
    };
    if !ok {
        return Err(ApiError::invalid(
            ptr("src"),
            "The src must be a jpeg, jpg, png, gif or webp URL or data URI (SVG is refused).",
        ));
    }
    let id = shop.ids.allocate();
    let image = crate::store::Image {
        id,
        product_id: pid,
        src,
        name: doc.string("name")?,
        sort_order: doc.int("sort_order")?.unwrap_or(0),
        active: doc.yes_no("active")?.unwrap_or(true),
    };
    shop.images.insert(id, image);
    if let Some(p) = shop.products.get_mut(&pid) {
        if p.image_id.is_none() {
            p.image_id = Some(id);
        }
    }
    created(shop, "images", id, base)
}

fn u_path_ext(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or("");
    path.rsplit_once('.').map(|(_, e)| e).unwrap_or("")
}

fn patch_order(
    shop: &mut Shop,
    id: u64,
    doc: &Doc,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<Answer, ApiError> {
    must_exist(&shop.orders, id)?;
    doc.reject_read_only(&[
        "customer_id",
        "customer_group_id",
        "customer_first_name",
        "customer_last_name",
        "customer_email",
        "customer_ip",
        "customer_geoip",
        "note_customer",
        "abandoned",
        "currency",
        "status_fulfillment",
        "desired_delivery_date",
    ])?;
    let status = match (doc.string("status")?, doc.int("status_id")) {
        (Some(s), _) => Some(s),
        (None, Ok(Some(sid))) => Some(orders::status_code(shop, sid as u64).ok_or_else(|| {
            ApiError::invalid(
                ptr("status_id"),
                "Invalid status. The status_id is not in the order-status list.",
            )
        })?),
        (None, Err(_)) => {
            return Err(ApiError::invalid(
                ptr("status_id"),
                "The status_id must be an integer.",
            ))
        }
        (None, Ok(None)) => None,
    };
    let invoice = doc.string("invoice_number")?;
    let invoice_date = doc.string("invoice_date")?;
    let usn = doc.string("usn")?;
    let notify = doc.yes_no("notify_customer")?;
    {
        let o = &shop.orders[&id];
        if invoice.is_some() && o.invoice_number.is_some() {
            return Err(ApiError::invalid(
                ptr("invoice_number"),
                "You can set invoice number only once.",
            ));
        }
        if let Some(n) = &invoice {
            if shop
                .orders
                .values()
                .any(|x| x.invoice_number.as_deref() == Some(n))
            {
                return Err(ApiError::invalid(
                    ptr("invoice_number"),
                    "The invoice number has already been taken.",
                ));
            }
        }
        if let Some(d) = &invoice_date {
            if jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", d).is_err() {
                return Err(ApiError::invalid(
                    ptr("invoice_date"),
                    "The invoice date must match the format YYYY-MM-DD HH:MM:SS.",
                ));
            }
        }
        if let Some(u) = &usn {
            if u.is_empty() {
                return Err(ApiError::invalid(
                    ptr("usn"),
                    "The usn must be at least 1 character.",
                ));
            }
            if o.usn.is_some() {
                return Err(ApiError::invalid(ptr("usn"), "You can set USN only once."));
            }
            if shop.orders.values().any(|x| x.usn.as_deref() == Some(u)) {
                return Err(ApiError::invalid(
                    ptr("usn"),
                    "The usn has already been taken.",
                ));
            }
        }
    }
    if let Some(s) = &status {
        let pointer = if doc.has("status") {
            "/data/attributes/status"
        } else {
            "/data/attributes/status_id"
        };
        orders::change_status(shop, id, s, Actor::Api, now, ev)
            .map_err(|e| ApiError::invalid(pointer, e.en))?;
    }
    let fire_plain_save = status.is_none();
    if let Some(o) = shop.orders.get_mut(&id) {
        if let Some(n) = invoice {
            o.invoice_number = Some(n);
            if o.invoice_date.is_none() {
                o.invoice_date = Some(now);
            }
        }
        if let Some(d) = invoice_date {
            if let Ok(dt) = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", &d) {
                o.invoice_date = dt
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .ok()
                    .map(|z| z.timestamp());
            }
        }
        if let Some(u) = usn {
            o.usn = Some(u);
        }
        if let Some(n) = notify {
            o.notify_customer = n;
        }
        // Auto-promotion on any save of a paid + fulfilled order.
        if shop.config.auto_complete && o.status == "paid" && o.fulfilled {
            o.status = "completed".into();
        }
        o.updated_at = now;
    }
    if fire_plain_save {
        let o = shop.orders[&id].clone();
        ev.push(("order.updated".into(), orders::webhook_payload(shop, &o)));
    }
    one(shop, "orders", &id.to_string())
}

fn delete(
    shop: &mut Shop,
    kind: &str,
    id: u64,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<Answer, ApiError> {
    match kind {
        "products" => {
            must_exist(&shop.products, id)?;
            let event = resource_event(shop, "product.deleted", "products", id);
            shop.products.remove(&id);
            shop.variants.retain(|_, v| v.product_id != id);
            ev.push(event);
        }
        "variants" => {
            let v = shop
                .variants
                .get(&id)
                .cloned()
                .ok_or_else(|| ApiError::new(404))?;
            let has_params = shop
                .products
                .get(&v.product_id)
                .is_some_and(|p| !p.parameters.is_empty());
            let siblings = shop
                .variants
                .values()
                .filter(|x| x.product_id == v.product_id)
                .count();
            if has_params && siblings == 1 {
                return Err(not_deletable(
                    "The last variant of a product with parameters cannot be deleted.",
                ));
            }
            shop.variants.remove(&id);
        }
        "variant-parameters" => {
            must_exist(&shop.parameters, id)?;
            if shop.products.values().any(|p| p.parameters.contains(&id)) {
                return Err(not_deletable("The parameter is used by a product."));
            }
            shop.parameters.remove(&id);
            shop.options.retain(|_, o| o.parameter_id != id);
        }
        "variant-options" => {
            must_exist(&shop.options, id)?;
            if shop.variants.values().any(|v| v.options.contains(&id)) {
                return Err(not_deletable("The option is used by a variant."));
            }
            shop.options.remove(&id);
        }
        "categories" => {
            must_exist(&shop.categories, id)?;
            if shop.products.values().any(|p| p.category_id == id) {
                return Err(not_deletable("The category has products."));
            }
            let event = resource_event(shop, "category.deleted", "categories", id);
            shop.categories.remove(&id);
            ev.push(event);
        }
        "customers" => {
            must_exist(&shop.customers, id)?;
            let event = resource_event(shop, "customer.deleted", "customers", id);
            shop.customers.remove(&id);
            shop.addresses.retain(|_, a| a.customer_id != id);
            ev.push(event);
        }
        "customer-shipping-address" | "customer-billing-address" => {
            let billing = kind == "customer-billing-address";
            let a = shop
                .addresses
                .get(&id)
                .filter(|a| a.billing == billing)
                .cloned()
                .ok_or_else(|| ApiError::new(404))?;
            let default = shop
                .addresses
                .values()
                .filter(|x| x.customer_id == a.customer_id && x.billing == billing)
                .map(|x| x.id)
                .min();
            if default == Some(id) {
                let msg = if billing {
                    "Cannot delete customer default billing address."
                } else {
                    "Cannot delete customer default address."
                };
                return Err(ApiError::new(422).detail(msg));
            }
            shop.addresses.remove(&id);
        }
        "webhooks" => {
            shop.webhooks
                .remove(&id)
                .ok_or_else(|| ApiError::new(404))?;
        }
        "images" => {
            shop.images.remove(&id).ok_or_else(|| ApiError::new(404))?;
        }
        "order-fulfillment" => {
            let oid = shop
                .orders
                .values()
                .find(|o| o.fulfillment.as_ref().is_some_and(|f| f.id == id))
                .map(|o| o.id)
                .ok_or_else(|| ApiError::new(404))?;
            orders::unfulfil(shop, oid, now, ev)?;
        }
        _ => return Err(ApiError::new(405)),
    }
    Ok(no_content())
}
